/* The known failure modes of MoreVP implementations in production, one
 * named test each. Each test fails on an exit game that has the fault it
 * names: it asserts the amounts paid and kept, not only that calls ran. */
#include "test_ife_kit.h"

static plasma_u256 eth(const ifk *f, unsigned who)
{
    return egk_bal(&f->k, &f->k.addr[who], NULL);
}

static plasma_u256 tok(const ifk *f, unsigned who)
{
    return egk_bal(&f->k, &f->k.addr[who], &f->k.token);
}

static plasma_u256 held(const ifk *f, const plasma_addr *token)
{
    return egk_bal(&f->k, &f->k.cfg.contract, token);
}

static void start(ifk *f, unsigned who, const plasma_tx *tx, const ifk_incl *ins)
{
    plasma_call c;
    ifk_start_call(f, &c, who, tx, ins);
    ifk_ok(f, &c);
}

static void piggyback(ifk *f, unsigned who, const plasma_tx *tx, bool input, uint64_t index)
{
    plasma_call c;
    ifk_piggyback_call(f, &c, who, tx, input, index);
    ifk_ok(f, &c);
}

static void process_all(ifk *f)
{
    ifk_advance(f, 3 * IFK_MEP);
    assert_int_equal(ifk_process(f, NULL, 50).err, 0);
    assert_int_equal(ifk_process(f, &f->k.token, 50).err, 0);
}

/* The operator signs two txs spending its one deposit, withholds both and
 * starts an in-flight exit of each. Nobody knows of either, so nobody
 * challenges: both stay canonical. The second to be processed finds the
 * input finalized by the first and exits through its inputs: the deposit
 * leaves the contract once, and the users' funds stay. */
static void test_conflicting_withheld_ifes_not_both_paid(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    ifk_deposit(&f, 5, NULL, 5000); /* the users' funds */
    ifk_incl d0 = ifk_deposit(&f, 0, NULL, 1000);
    uint64_t in = ifk_pos(&d0, 0);
    unsigned op = 0;
    plasma_output to_op = ifk_out(&f, 0, NULL, 1000), to_accomplice = ifk_out(&f, 8, NULL, 1000);
    plasma_tx t1 = ifk_pay(&f, &in, &op, 1, &to_op, 1), t2 = ifk_pay(&f, &in, &op, 1, &to_accomplice, 1);
    start(&f, 0, &t1, &d0);
    start(&f, 0, &t2, &d0);
    piggyback(&f, 0, &t1, false, 0);
    piggyback(&f, 8, &t2, false, 0);
    piggyback(&f, 0, &t2, true, 0);
    assert_true(ifk_ife(&f, &t1).canonical && ifk_ife(&f, &t2).canonical);
    process_all(&f);
    assert_false(ifk_open(&f, &t1));
    assert_false(ifk_open(&f, &t2));
    plasma_u256 contract = held(&f, NULL);
    egk_assert_u256(contract, egk_u(5000));
    plasma_hash o1 = ifk_tx_output_id(&t1, 0), o2 = ifk_tx_output_id(&t2, 0);
    plasma_u256 by1 = ifk_finalized(&f, &o1), by2 = ifk_finalized(&f, &o2);
    assert_true(plasma_u256_is_zero(&by1) != plasma_u256_is_zero(&by2)); /* one of them, once */
    ifk_free(&f);
}

/* Mallory double-spends her input M in a joint tx with Alice (T1) and in
 * a tx of her own (T2); each tx competes with the other. Both are shown
 * non-canonical; Alice's honest input still comes back through T1's
 * inputs, and M is paid at most once. */
static void test_cross_competing_ifes_release_honest_input(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    ifk_incl a = ifk_deposit(&f, 1, NULL, 1000), m = ifk_deposit(&f, 6, NULL, 300);
    uint64_t pos[2] = {ifk_pos(&a, 0), ifk_pos(&m, 0)};
    unsigned signers[2] = {1, 6}, mallory = 6;
    plasma_output to_bob = ifk_out(&f, 2, NULL, 1300), to_m2 = ifk_out(&f, 7, NULL, 300);
    plasma_tx t1 = ifk_pay(&f, pos, signers, 2, &to_bob, 1),
              t2 = ifk_pay(&f, &pos[1], &mallory, 1, &to_m2, 1);
    ifk_incl t1_ins[2] = {a, m};
    start(&f, 1, &t1, t1_ins);
    start(&f, 6, &t2, &m);
    piggyback(&f, 1, &t1, true, 0);
    piggyback(&f, 6, &t1, true, 1);
    piggyback(&f, 6, &t2, true, 0);
    piggyback(&f, 7, &t2, false, 0);
    plasma_call c;
    ifk_challenge_call(&f, &c, 6, &t1, 1, &t2, 0, NULL);
    ifk_ok(&f, &c);
    ifk_challenge_call(&f, &c, 1, &t2, 0, &t1, 1, NULL);
    ifk_ok(&f, &c);
    plasma_u256 alice0 = eth(&f, 1), mallory0 = eth(&f, 6);
    process_all(&f);
    assert_false(ifk_open(&f, &t1));
    assert_false(ifk_open(&f, &t2));
    plasma_u256 pb = f.k.cfg.piggyback_bond, ib = f.k.cfg.ife_bond;
    /* Alice: 1000, her piggyback bond, and T2's bond (she showed it
     * non-canonical last); Mallory: M once, two piggyback bonds, T1's bond */
    plasma_u256 alice = eth(&f, 1), mal = eth(&f, 6);
    egk_assert_u256(alice, egk_add(egk_add(egk_add(alice0, egk_u(1000)), pb), ib));
    egk_assert_u256(mal, egk_add(egk_add(egk_add(egk_add(mallory0, egk_u(300)), pb), pb), ib));
    plasma_u256 contract = held(&f, NULL);
    egk_assert_u256(contract, egk_u(0));
    ifk_free(&f);
}

/* A two-token exit goes the same way in both queues: the first pop (ETH)
 * takes the outputs path and flags every input; the token queue must pay
 * the token output, not the token input it flagged itself. */
static void test_two_token_ife_one_exit_path(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    ifk_incl d1 = ifk_deposit(&f, 1, NULL, 1000), d3 = ifk_deposit(&f, 3, &f.k.token, 500);
    ifk_incl ins[2] = {d1, d3};
    uint64_t pos[2] = {ifk_pos(&d1, 0), ifk_pos(&d3, 0)};
    unsigned signers[2] = {1, 3};
    plasma_output outs[2] = {ifk_out(&f, 2, NULL, 1000), ifk_out(&f, 4, &f.k.token, 500)};
    plasma_tx t = ifk_pay(&f, pos, signers, 2, outs, 2);
    start(&f, 1, &t, ins);
    piggyback(&f, 1, &t, true, 0);
    piggyback(&f, 3, &t, true, 1);
    piggyback(&f, 2, &t, false, 0);
    piggyback(&f, 4, &t, false, 1);
    plasma_u256 carol0 = tok(&f, 3), dave0 = tok(&f, 4);
    ifk_advance(&f, 3 * IFK_MEP);
    assert_int_equal(ifk_process(&f, NULL, 10).err, 0);
    assert_int_equal(ifk_ife(&f, &t).exit_path, PLASMA_IFE_PATH_OUTPUTS);
    assert_int_equal(ifk_process(&f, &f.k.token, 10).err, 0);
    plasma_u256 carol = tok(&f, 3), dave = tok(&f, 4);
    egk_assert_u256(carol, carol0);
    egk_assert_u256(dave, egk_add(dave0, egk_u(500)));
    plasma_u256 contract_tok = held(&f, &f.k.token);
    egk_assert_u256(contract_tok, egk_u(0));
    ifk_free(&f);
}

/* Every standing piggyback gets its bond back, on the side that was not
 * paid too: input piggybacks on the outputs path, output piggybacks on the
 * inputs path. */
static void test_piggyback_bonds_back_on_unpaid_side(void **state)
{
    (void)state;
    for (int non_canonical = 0; non_canonical < 2; non_canonical++) {
        ifk f;
        ifk_init(&f);
        ifk_incl d = ifk_deposit(&f, 1, NULL, 1000);
        uint64_t in = ifk_pos(&d, 0);
        unsigned alice = 1;
        plasma_output to_bob = ifk_out(&f, 2, NULL, 1000), to_eve = ifk_out(&f, 5, NULL, 1000);
        plasma_tx t = ifk_pay(&f, &in, &alice, 1, &to_bob, 1), comp = ifk_pay(&f, &in, &alice, 1, &to_eve, 1);
        start(&f, 7, &t, &d);
        piggyback(&f, 1, &t, true, 0);
        piggyback(&f, 2, &t, false, 0);
        if (non_canonical) {
            plasma_call c;
            ifk_challenge_call(&f, &c, 7, &t, 0, &comp, 0, NULL);
            ifk_ok(&f, &c);
        }
        plasma_u256 alice0 = eth(&f, 1), bob0 = eth(&f, 2), pb = f.k.cfg.piggyback_bond;
        process_all(&f);
        plasma_u256 a = eth(&f, 1), b = eth(&f, 2);
        egk_assert_u256(a, egk_add(egk_add(alice0, pb), egk_u(non_canonical ? 1000 : 0)));
        egk_assert_u256(b, egk_add(egk_add(bob0, pb), egk_u(non_canonical ? 0 : 1000)));
        ifk_free(&f);
    }
}

/* An in-flight exit that nobody piggybacked is deleted and its bond
 * returned; one whose piggybacks were all blocked is ended by processing,
 * which returns its bond too. */
static void test_ife_bond_not_locked_without_piggyback(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    ifk_incl d = ifk_deposit(&f, 1, NULL, 1000);
    uint64_t in = ifk_pos(&d, 0);
    unsigned alice = 1;
    plasma_output to_bob = ifk_out(&f, 2, NULL, 1000), to_eve = ifk_out(&f, 5, NULL, 1000);
    plasma_tx t = ifk_pay(&f, &in, &alice, 1, &to_bob, 1), spend = ifk_pay(&f, &in, &alice, 1, &to_eve, 1);
    start(&f, 7, &t, &d);
    plasma_u256 seven0 = eth(&f, 7);
    ifk_advance(&f, IFK_MEP / 2);
    plasma_call c;
    ifk_delete_call(&f, &c, 9, &t);
    ifk_ok(&f, &c);
    plasma_u256 seven = eth(&f, 7);
    egk_assert_u256(seven, egk_add(seven0, f.k.cfg.ife_bond));

    /* again, piggybacked then blocked */
    start(&f, 7, &t, &d);
    piggyback(&f, 1, &t, true, 0);
    ifk_input_spent_call(&f, &c, 5, &t, 0, &spend, 0);
    ifk_ok(&f, &c);
    seven0 = eth(&f, 7);
    process_all(&f);
    assert_false(ifk_open(&f, &t));
    seven = eth(&f, 7);
    egk_assert_u256(seven, egk_add(seven0, f.k.cfg.ife_bond));
    plasma_u256 contract = held(&f, NULL);
    egk_assert_u256(contract, egk_u(1000)); /* the deposit, never exited */
    ifk_free(&f);
}

/* ETH and token outputs of one exit are paid, each in its queue, whichever
 * queue is processed first. */
static void test_eth_and_token_outputs_processed(void **state)
{
    (void)state;
    for (int token_first = 0; token_first < 2; token_first++) {
        ifk f;
        ifk_init(&f);
        ifk_incl d1 = ifk_deposit(&f, 1, NULL, 1000), d3 = ifk_deposit(&f, 1, &f.k.token, 700);
        ifk_incl ins[2] = {d1, d3};
        uint64_t pos[2] = {ifk_pos(&d1, 0), ifk_pos(&d3, 0)};
        unsigned signers[2] = {1, 1};
        plasma_output outs[3] = {ifk_out(&f, 2, NULL, 600), ifk_out(&f, 2, &f.k.token, 700),
                                 ifk_out(&f, 1, NULL, 400)};
        plasma_tx t = ifk_pay(&f, pos, signers, 2, outs, 3);
        start(&f, 2, &t, ins);
        piggyback(&f, 2, &t, false, 0);
        piggyback(&f, 2, &t, false, 1);
        piggyback(&f, 1, &t, false, 2);
        plasma_u256 bob_eth0 = eth(&f, 2), bob_tok0 = tok(&f, 2), alice0 = eth(&f, 1);
        ifk_advance(&f, 3 * IFK_MEP);
        const plasma_addr *order[2] = {token_first ? &f.k.token : NULL, token_first ? NULL : &f.k.token};
        /* each queue pays its own token only */
        assert_int_equal(ifk_process(&f, order[0], 10).err, 0);
        plasma_u256 be1 = eth(&f, 2), bt1 = tok(&f, 2), pb1 = f.k.cfg.piggyback_bond;
        egk_assert_u256(be1, egk_add(egk_add(bob_eth0, pb1), egk_u(token_first ? 0 : 600)));
        egk_assert_u256(bt1, egk_add(bob_tok0, egk_u(token_first ? 700 : 0)));
        assert_true(ifk_open(&f, &t));
        assert_int_equal(ifk_process(&f, order[1], 10).err, 0);
        assert_false(ifk_open(&f, &t));
        plasma_u256 pb = f.k.cfg.piggyback_bond;
        plasma_u256 be = eth(&f, 2), bt = tok(&f, 2), a = eth(&f, 1);
        plasma_u256 bob_bonds = egk_add(egk_add(pb, pb), f.k.cfg.ife_bond);
        egk_assert_u256(be, egk_add(egk_add(bob_eth0, egk_u(600)), bob_bonds));
        egk_assert_u256(bt, egk_add(bob_tok0, egk_u(700)));
        egk_assert_u256(a, egk_add(egk_add(alice0, egk_u(400)), pb));
        plasma_u256 he = held(&f, NULL), ht = held(&f, &f.k.token);
        egk_assert_u256(he, egk_u(0));
        egk_assert_u256(ht, egk_u(0));
        ifk_free(&f);
    }
}

/* The signed tx with its txType wrapped as a one-byte string (0x81 0x01):
 * the same tx, non-canonical RLP. */
static void noncanonical(plasma_call_tx *out, const plasma_tx *tx)
{
    plasma_call_tx canon;
    ifk_signed(&canon, tx);
    plasma_rlp_item top, it;
    assert_int_equal(plasma_rlp_decode(&top, canon.b, canon.len), 0);
    plasma_rlp_iter iter;
    plasma_rlp_iter_init(&iter, &top);
    plasma_buf b = {0};
    size_t mark = plasma_rlp_list_begin(&b);
    const uint8_t *p = top.data;
    for (int i = 0; plasma_rlp_iter_next(&iter, &it) == 1; i++) {
        if (i == 1)
            plasma_buf_append(&b, (const uint8_t *)"\x81\x01", 2);
        else
            plasma_buf_append(&b, p, (size_t)(iter.p - p));
        p = iter.p;
    }
    assert_int_equal(plasma_rlp_list_end(&b, mark), 0);
    memcpy(out->b, b.data, b.len);
    out->len = b.len;
    plasma_buf_free(&b);
}

static int count_ife(const plasma_ife_info *info, void *payload)
{
    (void)info;
    (*(size_t *)payload)++;
    return 0;
}

/* A second encoding of the same tx could give it a second id, and so a
 * second exit of the same outputs. Only the canonical encoding is a tx. */
static void test_noncanonical_rlp_no_second_exit(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    ifk_incl d = ifk_deposit(&f, 1, NULL, 1000);
    uint64_t in = ifk_pos(&d, 0);
    unsigned alice = 1;
    plasma_output to_bob = ifk_out(&f, 2, NULL, 1000);
    plasma_tx t = ifk_pay(&f, &in, &alice, 1, &to_bob, 1);
    plasma_call c;
    ifk_start_call(&f, &c, 2, &t, &d);
    noncanonical(&c.start_ife.tx, &t);
    ifk_refused(&f, &c, PLASMA_ERR_MALFORMED_TX);
    start(&f, 2, &t, &d);
    ifk_start_call(&f, &c, 2, &t, &d);
    noncanonical(&c.start_ife.tx, &t);
    ifk_refused(&f, &c, PLASMA_ERR_MALFORMED_TX);
    ifk_piggyback_call(&f, &c, 2, &t, false, 0);
    noncanonical(&c.piggyback.tx, &t);
    ifk_refused(&f, &c, PLASMA_ERR_MALFORMED_TX);
    size_t n = 0;
    assert_int_equal(plasma_chain_foreach_ife(f.k.chain, count_ife, &n), 0);
    assert_int_equal(n, 1);
    piggyback(&f, 2, &t, false, 0);
    plasma_u256 bob0 = eth(&f, 2);
    process_all(&f);
    plasma_u256 b = eth(&f, 2);
    egk_assert_u256(b,
                    egk_add(egk_add(egk_add(bob0, egk_u(1000)), f.k.cfg.piggyback_bond), f.k.cfg.ife_bond));
    ifk_free(&f);
}

/* utxo_pos leaves room for txindex up to 99,999, but the tree has 65,536
 * leaves: index 65,536 + i would verify against leaf i's proof if the
 * index were cut to 16 bits. Every proof past the tree is refused. */
static void test_merkle_index_past_tree_refused(void **state)
{
    (void)state;
    ifk f;
    ifk_init(&f);
    ifk_incl d = ifk_deposit(&f, 1, NULL, 1000);
    uint64_t in = ifk_pos(&d, 0);
    unsigned alice = 1, bob = 2;
    plasma_output to_bob = ifk_out(&f, 2, NULL, 1000), to_eve = ifk_out(&f, 5, NULL, 1000);
    plasma_tx t = ifk_pay(&f, &in, &alice, 1, &to_bob, 1), comp = ifk_pay(&f, &in, &alice, 1, &to_eve, 1);
    ifk_incl at, comp_at;
    ifk_block(&f, &t, 1, &at);
    ifk_block(&f, &comp, 1, &comp_at);
    const uint64_t past = (uint64_t)PLASMA_MERKLE_LEAVES * PLASMA_POS_TX;

    /* the leaf-0 proof is good at index 0 and refused at 65,536 */
    plasma_call c;
    ifk_exit_call(&f, &c, 2, &at, 0);
    assert_int_equal(plasma_chain_check_call(f.k.chain, &c, NULL), 0);
    c.start_exit.utxo_pos += past;
    ifk_refused(&f, &c, PLASMA_ERR_BAD_PROOF);

    start(&f, 2, &t, &d);
    piggyback(&f, 2, &t, false, 0);
    ifk_challenge_call(&f, &c, 5, &t, 0, &comp, 0, &comp_at);
    c.challenge_ife.competitor_pos += past;
    ifk_refused(&f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_challenge_call(&f, &c, 5, &t, 0, &comp, 0, &comp_at);
    ifk_ok(&f, &c);
    ifk_respond_call(&f, &c, 2, &t, &at);
    c.respond_ife.tx_pos += past;
    ifk_refused(&f, &c, PLASMA_ERR_BAD_PROOF);
    uint64_t out = ifk_pos(&at, 0);
    plasma_output o = ifk_out(&f, 6, NULL, 1000);
    plasma_tx spend = ifk_pay(&f, &out, &bob, 1, &o, 1);
    ifk_output_spent_call(&f, &c, 5, &t, &at, 0, &spend, 0);
    c.challenge_ife_output.output_utxo_pos += past;
    ifk_refused(&f, &c, PLASMA_ERR_BAD_PROOF);
    /* a tx spending such a position is not a tx */
    uint64_t alias = in + past;
    plasma_tx bad;
    memset(&bad, 0, sizeof bad);
    bad = t;
    bad.inputs[0] = alias;
    assert_int_equal(plasma_tx_sign_input(&bad, &f.k.dom, 0, &f.k.key[1]), 0);
    ifk_start_call(&f, &c, 2, &bad, &d);
    ifk_refused(&f, &c, PLASMA_ERR_MALFORMED_TX);
    ifk_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conflicting_withheld_ifes_not_both_paid),
        cmocka_unit_test(test_cross_competing_ifes_release_honest_input),
        cmocka_unit_test(test_two_token_ife_one_exit_path),
        cmocka_unit_test(test_piggyback_bonds_back_on_unpaid_side),
        cmocka_unit_test(test_ife_bond_not_locked_without_piggyback),
        cmocka_unit_test(test_eth_and_token_outputs_processed),
        cmocka_unit_test(test_noncanonical_rlp_no_second_exit),
        cmocka_unit_test(test_merkle_index_past_tree_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
