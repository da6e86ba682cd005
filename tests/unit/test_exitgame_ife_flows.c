/* In-flight exits end to end: the honest flows, processing through outputs
 * and through inputs, multi-token exits, the interplay with standard exits,
 * deferred payments and withdraw, sums that saturate. */
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
    ifk_ok(f, c);
}

static plasma_u256 eth(const ifk *f, unsigned who)
{
    return egk_bal(&f->k, &f->k.addr[who], NULL);
}

static plasma_u256 tok(const ifk *f, unsigned who)
{
    return egk_bal(&f->k, &f->k.addr[who], &f->k.token);
}

/* Events of the last mined block of the given kind, in order. */
typedef struct seen {
    plasma_event_kind kind;
    uint64_t block;
    plasma_event ev[16];
    size_t n;
} seen;

static int see(const plasma_event *e, void *payload)
{
    seen *s = payload;
    if (e->block_number == s->block && e->kind == s->kind && s->n < 16)
        s->ev[s->n++] = *e;
    return 0;
}

static seen last_events(const ifk *f, plasma_event_kind kind)
{
    seen s = {.kind = kind};
    plasma_chain_head h;
    plasma_chain_get_head(&h, f->k.chain);
    s.block = h.number;
    assert_int_equal(plasma_chain_events_since(f->k.chain, h.number, see, &s), 0);
    return s;
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

/* Challenged by a competitor nobody included: the exit goes through its
 * inputs; the output piggybacker gets the bond back, the challenger the
 * IFE bond. */
static void test_non_canonical_exits_through_inputs(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    flight w = alice_pays_bob(&f);
    uint64_t in = ifk_pos(&w.dep, 0);
    unsigned alice = 1;
    plasma_output to_eve = ifk_out(&f, 5, NULL, 1000);
    plasma_tx comp = ifk_pay(&f, &in, &alice, 1, &to_eve, 1);
    plasma_call c;
    ifk_start_call(&f, &c, 1, &w.tx, &w.dep);
    run_ok(&f, &c);
    ifk_piggyback_call(&f, &c, 1, &w.tx, true, 0);
    run_ok(&f, &c);
    ifk_piggyback_call(&f, &c, 2, &w.tx, false, 0);
    run_ok(&f, &c);
    ifk_challenge_call(&f, &c, 6, &w.tx, 0, &comp, 0, NULL);
    run_ok(&f, &c);
    seen ch = last_events(&f, PLASMA_EVENT_IFE_CHALLENGED);
    assert_int_equal(ch.n, 1);
    plasma_u256 all = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
    egk_assert_u256(ch.ev[0].ife_challenged.position, all);

    plasma_u256 alice0 = eth(&f, 1), bob0 = eth(&f, 2), six0 = eth(&f, 6);
    ifk_advance(&f, 3 * IFK_MEP);
    assert_int_equal(ifk_process(&f, NULL, 10).err, 0);
    seen paid = last_events(&f, PLASMA_EVENT_IFE_INPUT_WITHDRAWN);
    assert_int_equal(paid.n, 1);
    assert_int_equal(last_events(&f, PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN).n, 0);
    assert_int_equal(last_events(&f, PLASMA_EVENT_IFE_FINALIZED).n, 1);
    plasma_u256 pb = f.k.cfg.piggyback_bond;
    plasma_u256 a = eth(&f, 1), b = eth(&f, 2), six = eth(&f, 6);
    egk_assert_u256(a, egk_add(egk_add(alice0, egk_u(1000)), pb));
    egk_assert_u256(b, egk_add(bob0, pb));
    egk_assert_u256(six, egk_add(six0, f.k.cfg.ife_bond));
    plasma_hash out0 = ifk_tx_output_id(&w.tx, 0);
    plasma_u256 by = ifk_finalized(&f, &out0);
    egk_assert_u256(by, egk_u(0));
    ifk_free(&f);
}

/* A response with the tx's inclusion, older than the competitor, makes it
 * canonical again; the responder ends up with the IFE bond. */
static void test_response_restores_outputs_path(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    flight w = alice_pays_bob(&f);
    ifk_incl at;
    ifk_block(&f, &w.tx, 1, &at);
    uint64_t in = ifk_pos(&w.dep, 0);
    unsigned alice = 1;
    plasma_output to_eve = ifk_out(&f, 5, NULL, 1000);
    plasma_tx comp = ifk_pay(&f, &in, &alice, 1, &to_eve, 1);
    ifk_incl comp_at;
    ifk_block(&f, &comp, 1, &comp_at); /* a later block: younger */
    plasma_call c;
    ifk_start_call(&f, &c, 2, &w.tx, &w.dep);
    run_ok(&f, &c);
    ifk_piggyback_call(&f, &c, 2, &w.tx, false, 0);
    run_ok(&f, &c);
    ifk_challenge_call(&f, &c, 5, &w.tx, 0, &comp, 0, &comp_at);
    run_ok(&f, &c);
    ifk_respond_call(&f, &c, 7, &w.tx, &at);
    run_ok(&f, &c);
    seen r = last_events(&f, PLASMA_EVENT_IFE_RESPONDED);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.ev[0].ife_responded.tx_pos, ifk_pos(&at, 0));
    plasma_u256 bob0 = eth(&f, 2), seven0 = eth(&f, 7);
    ifk_advance(&f, 3 * IFK_MEP);
    assert_int_equal(ifk_process(&f, NULL, 10).err, 0);
    plasma_u256 b = eth(&f, 2), seven = eth(&f, 7);
    egk_assert_u256(b, egk_add(egk_add(bob0, egk_u(600)), f.k.cfg.piggyback_bond));
    egk_assert_u256(seven, egk_add(seven0, f.k.cfg.ife_bond));
    ifk_free(&f);
}

/* Interplay with standard exits, both ways. */
static void test_ife_output_not_exited_again(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    flight w = alice_pays_bob(&f);
    ifk_incl at;
    ifk_block(&f, &w.tx, 1, &at);
    plasma_call c;
    ifk_start_call(&f, &c, 2, &w.tx, &w.dep);
    run_ok(&f, &c);
    ifk_piggyback_call(&f, &c, 2, &w.tx, false, 0);
    run_ok(&f, &c);
    ifk_advance(&f, 3 * IFK_MEP);
    assert_int_equal(ifk_process(&f, NULL, 10).err, 0);
    /* paid through the in-flight exit: no standard exit of it, nor of the
     * input it spent */
    ifk_exit_call(&f, &c, 2, &at, 0);
    ifk_refused(&f, &c, PLASMA_ERR_OUTPUT_FINALIZED);
    ifk_exit_call(&f, &c, 1, &w.dep, 0);
    ifk_refused(&f, &c, PLASMA_ERR_OUTPUT_FINALIZED);
    /* the output not piggybacked is not finalized: its standard exit runs */
    ifk_exit_call(&f, &c, 1, &at, 1);
    run_ok(&f, &c);
    ifk_free(&f);
}

static void test_standard_exit_first_then_ife(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    flight w = alice_pays_bob(&f);
    ifk_incl at;
    ifk_block(&f, &w.tx, 1, &at);
    plasma_call c;
    ifk_exit_call(&f, &c, 2, &at, 0); /* Bob exits his output the standard way first */
    run_ok(&f, &c);
    ifk_advance(&f, 2 * IFK_MEP); /* the in-flight exit comes after it in the queue */
    ifk_start_call(&f, &c, 2, &w.tx, &w.dep);
    run_ok(&f, &c);
    ifk_piggyback_call(&f, &c, 2, &w.tx, false, 0);
    run_ok(&f, &c);
    plasma_u256 bob0 = eth(&f, 2);
    ifk_advance(&f, 3 * IFK_MEP);
    assert_int_equal(ifk_process(&f, NULL, 10).err, 0);
    /* paid once: 600 and the exit bond by the standard exit; the
     * piggyback only gets its bond back (and Bob, who started the
     * in-flight exit, its bond) */
    plasma_u256 b = eth(&f, 2);
    plasma_u256 bonds = egk_add(egk_add(f.k.cfg.exit_bond, f.k.cfg.piggyback_bond), f.k.cfg.ife_bond);
    egk_assert_u256(b, egk_add(egk_add(bob0, egk_u(600)), bonds));
    plasma_hash out0 = ifk_output_id(&at, 0);
    plasma_u256 by = ifk_finalized(&f, &out0);
    egk_assert_u256(by, egk_u(ifk_pos(&at, 0)));
    assert_int_equal(last_events(&f, PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN).n, 0);
    ifk_free(&f);
}

/* An input finalized by a standard exit turns the in-flight exit to its
 * inputs, though it is canonical. */
static void test_input_exited_turns_to_inputs(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    flight w = alice_pays_bob(&f);
    plasma_call c;
    ifk_exit_call(&f, &c, 1, &w.dep, 0); /* Alice double-dips: exits her deposit */
    run_ok(&f, &c);
    ifk_start_call(&f, &c, 2, &w.tx, &w.dep);
    run_ok(&f, &c);
    ifk_piggyback_call(&f, &c, 2, &w.tx, false, 0);
    run_ok(&f, &c);
    ifk_piggyback_call(&f, &c, 1, &w.tx, true, 0);
    run_ok(&f, &c);
    plasma_u256 alice0 = eth(&f, 1), bob0 = eth(&f, 2);
    ifk_advance(&f, 3 * IFK_MEP);
    assert_int_equal(ifk_process(&f, NULL, 10).err, 0);
    plasma_u256 pb = f.k.cfg.piggyback_bond;
    /* Alice: her deposit and exit bond once, her piggyback bond back; Bob
     * only his bonds: the input was gone before the tx could pay him */
    plasma_u256 a = eth(&f, 1), b = eth(&f, 2);
    egk_assert_u256(a, egk_add(egk_add(egk_add(alice0, egk_u(1000)), f.k.cfg.exit_bond), pb));
    egk_assert_u256(b, egk_add(egk_add(bob0, pb), f.k.cfg.ife_bond));
    assert_int_equal(last_events(&f, PLASMA_EVENT_IFE_INPUT_WITHDRAWN).n, 0);
    assert_int_equal(last_events(&f, PLASMA_EVENT_EXIT_FINALIZED).n, 1);
    ifk_free(&f);
}

/* The in-flight exit pops first: the standard exit of its input, started
 * later, is superseded: unpaid, its bond kept. */
static void test_standard_exit_superseded(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    flight w = alice_pays_bob(&f);
    plasma_call c;
    ifk_start_call(&f, &c, 2, &w.tx, &w.dep);
    run_ok(&f, &c);
    ifk_piggyback_call(&f, &c, 2, &w.tx, false, 0);
    run_ok(&f, &c);
    ifk_advance(&f, IFK_MEP + 100); /* a deposit's exit waits MEP from its start */
    ifk_exit_call(&f, &c, 1, &w.dep, 0);
    run_ok(&f, &c);
    plasma_u256 alice0 = eth(&f, 1);
    ifk_advance(&f, 3 * IFK_MEP);
    assert_int_equal(ifk_process(&f, NULL, 10).err, 0);
    plasma_exit_info e = egk_exit(&f.k, ifk_pos(&w.dep, 0));
    assert_int_equal(e.state, PLASMA_EXIT_SUPERSEDED);
    assert_false(e.queued);
    plasma_u256 a = eth(&f, 1);
    egk_assert_u256(a, alice0); /* her exit bond lost, no 1000 */
    plasma_u256 held = egk_bal(&f.k, &f.k.cfg.contract, NULL);
    egk_assert_u256(held, egk_add(egk_u(400), f.k.cfg.exit_bond));
    /* and it cannot be challenged any more */
    egk_challenge_call(&f.k, &c, 6, ifk_pos(&w.dep, 0), ifk_pos(&w.dep, 0), 1);
    ifk_refused(&f, &c, PLASMA_ERR_EXIT_NOT_ACTIVE);
    ifk_free(&f);
}

/* Two tokens in and out: each queue pays its token, on one path. */
static void test_two_token_exit(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    ifk_incl d1 = ifk_deposit(&f, 1, NULL, 1000), d3 = ifk_deposit(&f, 3, &f.k.token, 500);
    ifk_incl ins[2] = {d1, d3};
    uint64_t pos[2] = {ifk_pos(&d1, 0), ifk_pos(&d3, 0)};
    unsigned signers[2] = {1, 3};
    plasma_output outs[2] = {ifk_out(&f, 3, NULL, 1000), ifk_out(&f, 1, &f.k.token, 500)};
    plasma_tx swap = ifk_pay(&f, pos, signers, 2, outs, 2);
    plasma_call c;
    ifk_start_call(&f, &c, 1, &swap, ins);
    run_ok(&f, &c);
    ifk_piggyback_call(&f, &c, 3, &swap, false, 0);
    run_ok(&f, &c);
    ifk_piggyback_call(&f, &c, 1, &swap, false, 1);
    run_ok(&f, &c);
    assert_int_equal(ifk_ife(&f, &swap).pending_tokens, 2);
    plasma_u256 carol_eth = eth(&f, 3), alice_tok = tok(&f, 1);
    ifk_advance(&f, 3 * IFK_MEP);
    assert_int_equal(ifk_process(&f, &f.k.token, 10).err, 0);
    assert_int_equal(ifk_ife(&f, &swap).pending_tokens, 1);
    assert_int_equal(ifk_ife(&f, &swap).exit_path, PLASMA_IFE_PATH_OUTPUTS);
    plasma_u256 at = tok(&f, 1);
    egk_assert_u256(at, egk_add(alice_tok, egk_u(500)));
    assert_int_equal(ifk_process(&f, NULL, 10).err, 0);
    assert_false(ifk_open(&f, &swap));
    plasma_u256 ce = eth(&f, 3);
    egk_assert_u256(ce, egk_add(egk_add(carol_eth, egk_u(1000)), f.k.cfg.piggyback_bond));
    plasma_u256 held = egk_bal(&f.k, &f.k.cfg.contract, NULL),
                held_tok = egk_bal(&f.k, &f.k.cfg.contract, &f.k.token);
    egk_assert_u256(held, egk_u(0));
    egk_assert_u256(held_tok, egk_u(0));
    ifk_free(&f);
}

/* A contract short of funds defers the payment; the queue goes on; the
 * claim is withdrawn once the contract holds it again. */
static void test_deferred_payment_and_withdraw(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    /* the operator's fabricated output, in an older block, drains all but
     * 100 wei of the deposit and the bonds before the in-flight exit pops */
    plasma_u256 drain = egk_add(egk_add(egk_u(900), f.k.cfg.ife_bond), f.k.cfg.piggyback_bond);
    drain = egk_add(drain, f.k.cfg.piggyback_bond);
    plasma_tx fake;
    egk_payment(&fake, plasma_utxo_pos(1, 0, 0), &f.k.addr[8], NULL, drain);
    ifk_incl fake_at;
    ifk_block(&f, &fake, 1, &fake_at);
    flight w = alice_pays_bob(&f);
    plasma_call c;
    ifk_exit_call(&f, &c, 8, &fake_at, 0);
    run_ok(&f, &c);
    ifk_start_call(&f, &c, 1, &w.tx, &w.dep);
    run_ok(&f, &c);
    ifk_piggyback_call(&f, &c, 2, &w.tx, false, 0);
    run_ok(&f, &c);
    ifk_piggyback_call(&f, &c, 1, &w.tx, false, 1);
    run_ok(&f, &c);
    plasma_u256 bob0 = eth(&f, 2);
    ifk_advance(&f, 3 * IFK_MEP);
    plasma_receipt r = ifk_process(&f, NULL, 10);
    assert_int_equal(r.err, 0);
    assert_int_equal(last_events(&f, PLASMA_EVENT_EXIT_FINALIZED).n, 1);
    seen d = last_events(&f, PLASMA_EVENT_PAYMENT_DEFERRED);
    assert_true(d.n >= 1);
    assert_true(plasma_addr_eq(&d.ev[0].payment.owner, &f.k.addr[2]));
    egk_assert_u256(d.ev[0].payment.amount, egk_u(600));
    assert_int_equal(last_events(&f, PLASMA_EVENT_IFE_FINALIZED).n, 1);
    /* his 600 and his piggyback bond are owed, not paid */
    plasma_u256 claim, b = eth(&f, 2), owed = egk_add(egk_u(600), f.k.cfg.piggyback_bond);
    plasma_chain_withdrawable(&claim, f.k.chain, &f.k.addr[2], NULL);
    egk_assert_u256(claim, owed);
    egk_assert_u256(b, bob0);

    ifk_withdraw_call(&f, &c, 2, NULL);
    ifk_refused(&f, &c, PLASMA_ERR_PAYMENT_FAILED);
    plasma_chain_withdrawable(&claim, f.k.chain, &f.k.addr[2], NULL);
    egk_assert_u256(claim, owed);
    ifk_deposit(&f, 7, NULL, 100000000000000000ull); /* the contract holds funds again */
    plasma_u256 before = eth(&f, 2);
    ifk_withdraw_call(&f, &c, 2, NULL);
    r = egk_run(&f.k, &c);
    assert_int_equal(r.err, 0);
    seen wd = last_events(&f, PLASMA_EVENT_WITHDRAWAL);
    assert_int_equal(wd.n, 1);
    egk_assert_u256(wd.ev[0].payment.amount, owed);
    plasma_u256 after = eth(&f, 2);
    egk_assert_u256(after, egk_sub(egk_add(before, owed), egk_fee(&r)));
    plasma_chain_withdrawable(&claim, f.k.chain, &f.k.addr[2], NULL);
    egk_assert_u256(claim, egk_u(0));
    ifk_withdraw_call(&f, &c, 2, NULL);
    ifk_refused(&f, &c, PLASMA_ERR_NOTHING_TO_WITHDRAW);
    ifk_free(&f);
}

/* Sums that pass 2^256 - 1 saturate as in the contract: an ETH exit of
 * 2^256 - 1 wei (amount + bond) is deferred whole, the honest exit behind
 * it is paid, and a second such claim leaves the claim at 2^256 - 1. */
static void test_saturated_payout_and_claim(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    plasma_u256 max;
    memset(max.w, 0xff, sizeof max.w);
    plasma_tx fakes[2];
    egk_payment(&fakes[0], plasma_utxo_pos(1, 0, 0), &f.k.addr[8], NULL, max);
    egk_payment(&fakes[1], plasma_utxo_pos(1, 0, 1), &f.k.addr[8], NULL, max);
    ifk_incl at[2];
    ifk_block(&f, fakes, 2, at);
    plasma_call c;
    ifk_exit_call(&f, &c, 8, &at[0], 0);
    run_ok(&f, &c);
    ifk_advance(&f, 2 * IFK_MEP);
    ifk_incl dep = ifk_deposit(&f, 1, NULL, 1000);
    ifk_exit_call(&f, &c, 1, &dep, 0);
    run_ok(&f, &c);
    ifk_advance(&f, 2 * IFK_MEP);
    plasma_u256 alice0 = eth(&f, 1);

    plasma_receipt r = ifk_process(&f, NULL, 10);
    assert_int_equal(r.err, 0);
    seen d = last_events(&f, PLASMA_EVENT_PAYMENT_DEFERRED);
    assert_int_equal(d.n, 1);
    assert_true(plasma_addr_eq(&d.ev[0].payment.owner, &f.k.addr[8]));
    egk_assert_u256(d.ev[0].payment.amount, max);
    assert_int_equal(last_events(&f, PLASMA_EVENT_EXIT_FINALIZED).n, 2);
    egk_assert_u256(eth(&f, 1), egk_add(alice0, egk_add(egk_u(1000), f.k.cfg.exit_bond)));
    plasma_u256 claim;
    plasma_chain_withdrawable(&claim, f.k.chain, &f.k.addr[8], NULL);
    egk_assert_u256(claim, max);

    ifk_exit_call(&f, &c, 8, &at[1], 0);
    run_ok(&f, &c);
    ifk_advance(&f, 2 * IFK_MEP);
    r = ifk_process(&f, NULL, 10);
    assert_int_equal(r.err, 0);
    d = last_events(&f, PLASMA_EVENT_PAYMENT_DEFERRED);
    assert_int_equal(d.n, 1);
    egk_assert_u256(d.ev[0].payment.amount, max);
    plasma_chain_withdrawable(&claim, f.k.chain, &f.k.addr[8], NULL);
    egk_assert_u256(claim, max);
    ifk_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_exits_through_outputs),
        cmocka_unit_test(test_non_canonical_exits_through_inputs),
        cmocka_unit_test(test_response_restores_outputs_path),
        cmocka_unit_test(test_ife_output_not_exited_again),
        cmocka_unit_test(test_standard_exit_first_then_ife),
        cmocka_unit_test(test_input_exited_turns_to_inputs),
        cmocka_unit_test(test_standard_exit_superseded),
        cmocka_unit_test(test_two_token_exit),
        cmocka_unit_test(test_deferred_payment_and_withdraw),
        cmocka_unit_test(test_saturated_payout_and_claim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
