/* In-flight exits end to end: the honest flows, processing through outputs
 * and through inputs, multi-token exits, the interplay with standard exits,
 * deferred payments and withdraw. */
#include "test_ife_kit.h"

/* Alice (1) pays Bob (2) 600 of a 1000 deposit, keeping 400; the tx is
 * never included. */
typedef struct flight {
    ifk_incl dep;
    plasma_tx tx;
} flight;

static flight alice_pays_bob(ifk *f)
{
    flight w;
    w.dep = ifk_deposit(f, 1, NULL, 1000);
    uint64_t in = ifk_pos(&w.dep, 0);
    unsigned signer = 1;
    plasma_output outs[2] = {ifk_out(f, 2, NULL, 600), ifk_out(f, 1, NULL, 400)};
    w.tx = ifk_pay(f, &in, &signer, 1, outs, 2);
    return w;
}

static void run_ok(ifk *f, const plasma_call *c)
{
    plasma_receipt r = egk_run(&f->k, c);
    if (r.err != 0)
        fail_msg("call kind %d failed: %s", (int)c->kind, plasma_err_code(r.err));
}

static void test_canonical_exits_through_outputs(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    flight w = alice_pays_bob(&f);
    plasma_call c;
    ifk_start_call(&f, &c, 1, &w.tx, &w.dep);
    run_ok(&f, &c);
    plasma_ife_info info = ifk_ife(&f, &w.tx);
    assert_true(info.canonical);
    assert_int_equal(info.n_inputs, 1);
    assert_int_equal(info.n_outputs, 2);
    assert_int_equal(info.youngest, ifk_pos(&w.dep, 0));
    assert_true(plasma_addr_eq(&info.bond_owner, &f.k.addr[1]));
    plasma_hash in_id = ifk_output_id(&w.dep, 0);
    assert_memory_equal(info.inputs[0].output_id.b, in_id.b, 32);

    ifk_piggyback_call(&f, &c, 2, &w.tx, false, 0);
    run_ok(&f, &c);
    ifk_piggyback_call(&f, &c, 1, &w.tx, false, 1);
    run_ok(&f, &c);
    info = ifk_ife(&f, &w.tx);
    assert_int_equal(info.outputs_piggybacked, 3);
    assert_int_equal(info.pending_tokens, 1);

    plasma_u256 bob0 = egk_bal(&f.k, &f.k.addr[2], NULL), alice0 = egk_bal(&f.k, &f.k.addr[1], NULL);
    ifk_advance(&f, 3 * IFK_MEP);
    plasma_receipt r = ifk_process(&f, NULL, 10);
    assert_int_equal(r.err, 0);
    assert_false(ifk_open(&f, &w.tx));
    /* Bob: 600 + his piggyback bond; Alice: 400 + her bond + the IFE bond */
    plasma_u256 bob = egk_bal(&f.k, &f.k.addr[2], NULL), alice = egk_bal(&f.k, &f.k.addr[1], NULL);
    egk_assert_u256(bob, egk_add(egk_add(bob0, egk_u(600)), f.k.cfg.piggyback_bond));
    egk_assert_u256(alice,
                    egk_add(egk_add(egk_add(alice0, egk_u(400)), f.k.cfg.piggyback_bond), f.k.cfg.ife_bond));
    plasma_u256 id = ifk_id(&w.tx), by = ifk_finalized(&f, &in_id);
    egk_assert_u256(by, id);
    plasma_hash o0 = ifk_tx_output_id(&w.tx, 0);
    by = ifk_finalized(&f, &o0);
    egk_assert_u256(by, id);
    plasma_u256 contract = egk_bal(&f.k, &f.k.cfg.contract, NULL);
    egk_assert_u256(contract, egk_u(0));
    ifk_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_exits_through_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
