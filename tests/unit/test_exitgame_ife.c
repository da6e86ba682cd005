/* Every check of every in-flight exit call (docs/inflight.md, "Checks, in
 * order, and their errors"): each refused with its error code, in the
 * documented order, and leaving the state as it was (ifk_refused). */
#include "test_ife_kit.h"

/* Alice (1) holds a 1000 ETH deposit and pays Bob (2) 600 of it in T, which
 * is included in a child block; she also signed a double spend C to Eve
 * (5). Carol (3) holds a 500 token deposit. */
typedef struct fixture {
    ifk f;
    ifk_incl d1, d3;
    plasma_tx t, c;
    ifk_incl t_at; /* T's inclusion */
} fixture;

static void setup_fixture(fixture *x)
{
    ifk *f = &x->f;
    ifk_init(f);
    x->d1 = ifk_deposit(f, 1, NULL, 1000);
    x->d3 = ifk_deposit(f, 3, &f->k.token, 500);
    uint64_t in = ifk_pos(&x->d1, 0);
    unsigned alice = 1;
    plasma_output outs[2] = {ifk_out(f, 2, NULL, 600), ifk_out(f, 1, NULL, 400)};
    x->t = ifk_pay(f, &in, &alice, 1, outs, 2);
    plasma_output eve = ifk_out(f, 5, NULL, 1000);
    x->c = ifk_pay(f, &in, &alice, 1, &eve, 1);
    ifk_block(f, &x->t, 1, &x->t_at);
}

/* T started by Alice (and piggybacked on input 0 by Alice, output 0 by Bob
 * when piggyback is set). */
static void start_t(fixture *x, bool piggyback)
{
    plasma_call c;
    ifk_start_call(&x->f, &c, 1, &x->t, &x->d1);
    ifk_ok(&x->f, &c);
    if (!piggyback)
        return;
    ifk_piggyback_call(&x->f, &c, 1, &x->t, true, 0);
    ifk_ok(&x->f, &c);
    ifk_piggyback_call(&x->f, &c, 2, &x->t, false, 0);
    ifk_ok(&x->f, &c);
}

static void garbage(plasma_call_tx *t)
{
    t->len = 3;
    memcpy(t->b, "\xc2\x01\x02", 3);
}

/* ---- startInFlightExit ---- */

static void test_start_checks(void **state)
{
    (void)state;
    fixture x;
    setup_fixture(&x);
    ifk *f = &x.f;
    plasma_call c, ok;
    ifk_start_call(f, &ok, 1, &x.t, &x.d1);

    /* 1. bond, before everything else */
    c = ok;
    c.start_ife.bond = egk_sub(f->k.cfg.ife_bond, egk_u(1));
    garbage(&c.start_ife.tx);
    ifk_refused(f, &c, PLASMA_ERR_BAD_BOND);
    ifk_start_call(f, &c, 1, &x.t, &x.d1);
    c.start_ife.bond = f->k.cfg.exit_bond;
    ifk_refused(f, &c, PLASMA_ERR_BAD_BOND);

    /* 2. the tx decodes as a signed payment */
    ifk_start_call(f, &c, 1, &x.t, &x.d1);
    garbage(&c.start_ife.tx);
    ifk_refused(f, &c, PLASMA_ERR_MALFORMED_TX);
    ifk_start_call(f, &c, 1, &x.t, &x.d1);
    ifk_unsigned(&c.start_ife.tx, &x.t); /* no signatures */
    ifk_refused(f, &c, PLASMA_ERR_MALFORMED_TX);

    /* 3. one entry per input, positions equal to the tx's inputs */
    ifk_start_call(f, &c, 1, &x.t, &x.d1);
    c.start_ife.n_input_txs = 0;
    ifk_refused(f, &c, PLASMA_ERR_BAD_INPUTS);
    ifk_start_call(f, &c, 1, &x.t, &x.d1);
    c.start_ife.n_input_pos = 2;
    c.start_ife.input_pos[1] = ifk_pos(&x.d3, 0);
    ifk_refused(f, &c, PLASMA_ERR_BAD_INPUTS);
    ifk_start_call(f, &c, 1, &x.t, &x.d1);
    c.start_ife.n_input_proofs = 0;
    ifk_refused(f, &c, PLASMA_ERR_BAD_INPUTS);
    ifk_start_call(f, &c, 1, &x.t, &x.d1);
    c.start_ife.input_pos[0] = ifk_pos(&x.d3, 0);
    ifk_refused(f, &c, PLASMA_ERR_BAD_INPUTS);

    /* 5. per input: block, input tx, proof, signature */
    uint64_t missing = plasma_utxo_pos(7000, 0, 0);
    unsigned alice = 1;
    plasma_output o = ifk_out(f, 2, NULL, 10);
    plasma_tx nowhere = ifk_pay(f, &missing, &alice, 1, &o, 1);
    ifk_start_call(f, &c, 1, &nowhere, &x.d1);
    ifk_refused(f, &c, PLASMA_ERR_BLOCK_NOT_FOUND);
    ifk_start_call(f, &c, 1, &x.t, &x.d1);
    garbage(&c.start_ife.input_txs[0]);
    ifk_refused(f, &c, PLASMA_ERR_BAD_INPUT_TX);
    ifk_start_call(f, &c, 1, &x.t, &x.d1);
    ifk_signed(&c.start_ife.input_txs[0], &x.t); /* a signed form is not rlp(UnsignedTx) */
    ifk_refused(f, &c, PLASMA_ERR_BAD_INPUT_TX);
    uint64_t second = ifk_pos(&x.d1, 0) + 1; /* the deposit has one output */
    plasma_tx beyond = ifk_pay(f, &second, &alice, 1, &o, 1);
    ifk_start_call(f, &c, 1, &beyond, &x.d1);
    ifk_refused(f, &c, PLASMA_ERR_BAD_INPUT_TX);
    ifk_start_call(f, &c, 1, &x.t, &x.d1);
    c.start_ife.input_proofs[0][17] ^= 1;
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_start_call(f, &c, 1, &x.t, &x.d3); /* Carol's deposit is not at T's input */
    c.start_ife.input_pos[0] = x.t.inputs[0];
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    unsigned bob = 2;
    uint64_t in = ifk_pos(&x.d1, 0);
    plasma_tx forged = ifk_pay(f, &in, &bob, 1, &o, 1);
    ifk_start_call(f, &c, 3, &forged, &x.d1);
    ifk_refused(f, &c, PLASMA_ERR_BAD_SIGNATURE);

    /* 6. amounts */
    plasma_output too_much = ifk_out(f, 2, NULL, 1001);
    plasma_tx greedy = ifk_pay(f, &in, &alice, 1, &too_much, 1);
    ifk_start_call(f, &c, 1, &greedy, &x.d1);
    ifk_refused(f, &c, PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP);
    plasma_output other_token = ifk_out(f, 2, &f->k.token, 1);
    plasma_tx swap = ifk_pay(f, &in, &alice, 1, &other_token, 1);
    ifk_start_call(f, &c, 1, &swap, &x.d1);
    ifk_refused(f, &c, PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP);

    /* the call itself, and 4. only once while open */
    ifk_start_call(f, &ok, 1, &x.t, &x.d1);
    ifk_ok(f, &ok);
    ifk_start_call(f, &c, 4, &x.t, &x.d1);
    ifk_refused(f, &c, PLASMA_ERR_IFE_EXISTS);
    plasma_ife_info info = ifk_ife(f, &x.t);
    assert_true(plasma_addr_eq(&info.bond_owner, &f->k.addr[1]));
    assert_int_equal(info.start, egk_now(&f->k) - f->k.cfg.block_time); /* one refused call since */
    ifk_free(f);
}

/* ---- piggybacks ---- */

static void piggyback_checks(bool input)
{
    fixture x;
    setup_fixture(&x);
    ifk *f = &x.f;
    start_t(&x, false);
    unsigned owner = input ? 1 : 2;
    plasma_call c;

    ifk_piggyback_call(f, &c, owner, &x.t, input, 0);
    c.piggyback.bond = f->k.cfg.ife_bond;
    garbage(&c.piggyback.tx);
    ifk_refused(f, &c, PLASMA_ERR_BAD_BOND);
    ifk_piggyback_call(f, &c, owner, &x.t, input, 0);
    garbage(&c.piggyback.tx);
    ifk_refused(f, &c, PLASMA_ERR_MALFORMED_TX);
    ifk_piggyback_call(f, &c, owner, &x.c, input, 0);
    ifk_refused(f, &c, PLASMA_ERR_IFE_NOT_FOUND);
    ifk_piggyback_call(f, &c, owner, &x.t, input, input ? 1 : 2);
    ifk_refused(f, &c, PLASMA_ERR_BAD_INDEX);
    ifk_piggyback_call(f, &c, 7, &x.t, input, 0);
    ifk_refused(f, &c, PLASMA_ERR_NOT_OWNER);
    ifk_piggyback_call(f, &c, owner, &x.t, input, 0);
    ifk_ok(f, &c);
    plasma_ife_info info = ifk_ife(f, &x.t);
    assert_int_equal(input ? info.inputs_piggybacked : info.outputs_piggybacked, 1);
    assert_int_equal(info.pending_tokens, 1);
    ifk_piggyback_call(f, &c, owner, &x.t, input, 0);
    ifk_refused(f, &c, PLASMA_ERR_ALREADY_PIGGYBACKED);

    /* 4. the first phase is over: before the index, owner and bit checks */
    ifk_advance(f, IFK_MEP / 2);
    ifk_piggyback_call(f, &c, 7, &x.t, input, 9);
    ifk_refused(f, &c, PLASMA_ERR_FIRST_PHASE_OVER);
    ifk_free(f);
}

static void test_piggyback_input_checks(void **state)
{
    (void)state;
    piggyback_checks(true);
}

static void test_piggyback_output_checks(void **state)
{
    (void)state;
    piggyback_checks(false);
}

/* A blocked piggyback cannot be made again, and the first piggyback of a
 * token queues the exit once: a second one of the same token does not. */
static void test_blocked_piggyback_stays_blocked(void **state)
{
    (void)state;
    fixture x;
    setup_fixture(&x);
    ifk *f = &x.f;
    start_t(&x, true);
    plasma_exit_queue_info q;
    plasma_chain_exit_queue(&q, f->k.chain, NULL);
    assert_int_equal(q.size, 1);
    plasma_call c;
    ifk_input_spent_call(f, &c, 6, &x.t, 0, &x.c, 0);
    ifk_ok(f, &c);
    plasma_ife_info info = ifk_ife(f, &x.t);
    assert_int_equal(info.inputs_piggybacked, 1 << PLASMA_IFE_BLOCKED_SHIFT);
    ifk_piggyback_call(f, &c, 1, &x.t, true, 0);
    ifk_refused(f, &c, PLASMA_ERR_ALREADY_PIGGYBACKED);
    ifk_piggyback_call(f, &c, 1, &x.t, false, 1);
    ifk_ok(f, &c);
    plasma_chain_exit_queue(&q, f->k.chain, NULL);
    assert_int_equal(q.size, 1);
    assert_int_equal(ifk_ife(f, &x.t).pending_tokens, 1);
    ifk_free(f);
}

/* ---- challengeInFlightExitNotCanonical ---- */

static void test_challenge_checks(void **state)
{
    (void)state;
    fixture x;
    setup_fixture(&x);
    ifk *f = &x.f;
    start_t(&x, true);
    plasma_call c;
    ifk_challenge_call(f, &c, 6, &x.t, 0, &x.c, 0, NULL);
    garbage(&c.challenge_ife.tx);
    ifk_refused(f, &c, PLASMA_ERR_MALFORMED_TX);
    ifk_challenge_call(f, &c, 6, &x.c, 0, &x.t, 0, NULL);
    ifk_refused(f, &c, PLASMA_ERR_IFE_NOT_FOUND);
    ifk_challenge_call(f, &c, 6, &x.t, 1, &x.c, 0, NULL);
    ifk_refused(f, &c, PLASMA_ERR_BAD_INDEX);

    /* 5. the competitor: decodes, differs, spends the same position */
    ifk_challenge_call(f, &c, 6, &x.t, 0, &x.c, 0, NULL);
    garbage(&c.challenge_ife.competing_tx);
    ifk_refused(f, &c, PLASMA_ERR_BAD_COMPETITOR);
    ifk_challenge_call(f, &c, 6, &x.t, 0, &x.t, 0, NULL);
    ifk_refused(f, &c, PLASMA_ERR_BAD_COMPETITOR);
    ifk_challenge_call(f, &c, 6, &x.t, 0, &x.c, 1, NULL);
    ifk_refused(f, &c, PLASMA_ERR_BAD_COMPETITOR);
    uint64_t carol_in = ifk_pos(&x.d3, 0);
    unsigned carol = 3;
    plasma_output o = ifk_out(f, 5, &f->k.token, 500);
    plasma_tx unrelated = ifk_pay(f, &carol_in, &carol, 1, &o, 1);
    ifk_challenge_call(f, &c, 6, &x.t, 0, &unrelated, 0, NULL);
    ifk_refused(f, &c, PLASMA_ERR_BAD_COMPETITOR);

    /* 6. signed by the input's owner */
    uint64_t in = ifk_pos(&x.d1, 0);
    unsigned eve = 5;
    plasma_output oe = ifk_out(f, 5, NULL, 1000);
    plasma_tx forged = ifk_pay(f, &in, &eve, 1, &oe, 1);
    ifk_challenge_call(f, &c, 6, &x.t, 0, &forged, 0, NULL);
    ifk_refused(f, &c, PLASMA_ERR_BAD_SIGNATURE);

    /* 7. the competitor's position and proof */
    ifk_incl c_at;
    ifk_block(f, &x.c, 1, &c_at);
    ifk_challenge_call(f, &c, 6, &x.t, 0, &x.c, 0, &c_at);
    c.challenge_ife.competitor_pos = 0; /* never included, but a proof given */
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_challenge_call(f, &c, 6, &x.t, 0, &x.c, 0, &c_at);
    c.challenge_ife.competitor_pos += 1; /* not a transaction position */
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_challenge_call(f, &c, 6, &x.t, 0, &x.c, 0, &c_at);
    c.challenge_ife.competitor_pos += (uint64_t)PLASMA_MERKLE_LEAVES * PLASMA_POS_TX; /* aliases leaf 0 */
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_challenge_call(f, &c, 6, &x.t, 0, &x.c, 0, &c_at);
    c.challenge_ife.competitor_pos = plasma_utxo_pos(90000, 0, 0); /* no such block */
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_challenge_call(f, &c, 6, &x.t, 0, &x.c, 0, &c_at);
    c.challenge_ife.competitor_proof.len = 0;
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_challenge_call(f, &c, 6, &x.t, 0, &x.c, 0, &c_at); /* C is not in T's block */
    c.challenge_ife.competitor_pos = ifk_pos(&x.t_at, 0);
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);

    /* the included competitor is younger than... nothing yet: accepted */
    ifk_challenge_call(f, &c, 6, &x.t, 0, &x.c, 0, &c_at);
    ifk_ok(f, &c);
    plasma_ife_info info = ifk_ife(f, &x.t);
    assert_false(info.canonical);
    plasma_u256 at = egk_u(ifk_pos(&c_at, 0));
    egk_assert_u256(info.oldest_competitor, at);
    assert_true(plasma_addr_eq(&info.bond_owner, &f->k.addr[6]));

    /* 8. strictly older than the recorded competitor */
    ifk_challenge_call(f, &c, 7, &x.t, 0, &x.c, 0, &c_at);
    ifk_refused(f, &c, PLASMA_ERR_NOT_OLDER);
    ifk_challenge_call(f, &c, 7, &x.t, 0, &x.c, 0, NULL); /* never included: 2^256 - 1 */
    ifk_refused(f, &c, PLASMA_ERR_NOT_OLDER);

    /* 3. the first phase is over: before the index and competitor checks */
    ifk_advance(f, IFK_MEP / 2);
    ifk_challenge_call(f, &c, 7, &x.t, 3, &x.t, 0, NULL);
    ifk_refused(f, &c, PLASMA_ERR_FIRST_PHASE_OVER);
    ifk_free(f);
}

/* ---- respondToNonCanonicalChallenge ---- */

static void test_respond_checks(void **state)
{
    (void)state;
    fixture x;
    setup_fixture(&x);
    ifk *f = &x.f;
    start_t(&x, true);
    plasma_call c;
    ifk_respond_call(f, &c, 2, &x.t, &x.t_at);
    garbage(&c.respond_ife.tx);
    ifk_refused(f, &c, PLASMA_ERR_MALFORMED_TX);
    ifk_respond_call(f, &c, 2, &x.c, &x.t_at);
    ifk_refused(f, &c, PLASMA_ERR_IFE_NOT_FOUND);

    /* 5. nothing to respond to yet */
    ifk_respond_call(f, &c, 2, &x.t, &x.t_at);
    ifk_refused(f, &c, PLASMA_ERR_NOT_OLDER);
    ifk_challenge_call(f, &c, 6, &x.t, 0, &x.c, 0, NULL);
    ifk_ok(f, &c);

    /* 4. the proof of T at tx_pos */
    ifk_respond_call(f, &c, 2, &x.t, &x.t_at);
    c.respond_ife.tx_pos += 1;
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_respond_call(f, &c, 2, &x.t, &x.t_at);
    c.respond_ife.tx_pos += (uint64_t)PLASMA_MERKLE_LEAVES * PLASMA_POS_TX;
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_respond_call(f, &c, 2, &x.t, &x.t_at);
    c.respond_ife.tx_pos = 0;
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_respond_call(f, &c, 2, &x.t, &x.t_at);
    c.respond_ife.proof.b[100] ^= 1;
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_respond_call(f, &c, 2, &x.t, &x.t_at);
    c.respond_ife.proof.len = 0;
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);

    ifk_respond_call(f, &c, 2, &x.t, &x.t_at);
    ifk_ok(f, &c);
    plasma_ife_info info = ifk_ife(f, &x.t);
    assert_true(info.canonical);
    plasma_u256 at = egk_u(ifk_pos(&x.t_at, 0));
    egk_assert_u256(info.oldest_competitor, at);
    assert_true(plasma_addr_eq(&info.bond_owner, &f->k.addr[2]));
    /* not older than itself; allowed after the first phase */
    ifk_advance(f, IFK_MEP / 2);
    ifk_respond_call(f, &c, 2, &x.t, &x.t_at);
    ifk_refused(f, &c, PLASMA_ERR_NOT_OLDER);
    ifk_free(f);
}

/* A two-token exit processed in ETH only: responses and piggyback
 * challenges are refused from then on. */
static void test_refused_once_processing_began(void **state)
{
    (void)state;
    fixture x;
    setup_fixture(&x);
    ifk *f = &x.f;
    ifk_incl ins[2] = {x.d1, x.d3};
    uint64_t pos[2] = {ifk_pos(&x.d1, 0), ifk_pos(&x.d3, 0)};
    unsigned signers[2] = {1, 3};
    plasma_output outs[2] = {ifk_out(f, 2, NULL, 1000), ifk_out(f, 4, &f->k.token, 500)};
    plasma_tx m = ifk_pay(f, pos, signers, 2, outs, 2);
    ifk_incl m_at;
    ifk_block(f, &m, 1, &m_at);
    plasma_call c;
    ifk_start_call(f, &c, 1, &m, ins);
    ifk_ok(f, &c);
    ifk_piggyback_call(f, &c, 2, &m, false, 0);
    ifk_ok(f, &c);
    ifk_piggyback_call(f, &c, 4, &m, false, 1);
    ifk_ok(f, &c);
    ifk_piggyback_call(f, &c, 3, &m, true, 1);
    ifk_ok(f, &c);
    ifk_challenge_call(f, &c, 6, &m, 0, &x.c, 0, NULL);
    ifk_ok(f, &c);
    ifk_advance(f, 3 * IFK_MEP);
    assert_int_equal(ifk_process(f, NULL, 1).err, 0);
    plasma_ife_info info = ifk_ife(f, &m);
    assert_int_equal(info.exit_path, PLASMA_IFE_PATH_INPUTS);
    assert_int_equal(info.pending_tokens, 1);

    ifk_respond_call(f, &c, 2, &m, &m_at);
    ifk_refused(f, &c, PLASMA_ERR_IFE_PROCESSING);
    unsigned carol = 3;
    plasma_output o = ifk_out(f, 5, &f->k.token, 500);
    plasma_tx spend = ifk_pay(f, &pos[1], &carol, 1, &o, 1);
    ifk_input_spent_call(f, &c, 6, &m, 1, &spend, 0);
    ifk_refused(f, &c, PLASMA_ERR_IFE_PROCESSING);
    uint64_t out1 = ifk_pos(&m_at, 1);
    unsigned dave = 4;
    plasma_output o2 = ifk_out(f, 5, &f->k.token, 500);
    plasma_tx spend_out = ifk_pay(f, &out1, &dave, 1, &o2, 1);
    ifk_output_spent_call(f, &c, 6, &m, &m_at, 1, &spend_out, 0);
    ifk_refused(f, &c, PLASMA_ERR_IFE_PROCESSING);
    ifk_free(f);
}

/* ---- challengeInFlightExitInputSpent ---- */

static void test_input_spent_checks(void **state)
{
    (void)state;
    fixture x;
    setup_fixture(&x);
    ifk *f = &x.f;
    start_t(&x, false);
    plasma_call c;
    ifk_input_spent_call(f, &c, 6, &x.t, 0, &x.c, 0);
    garbage(&c.challenge_ife_input.tx);
    ifk_refused(f, &c, PLASMA_ERR_MALFORMED_TX);
    ifk_input_spent_call(f, &c, 6, &x.c, 0, &x.t, 0);
    ifk_refused(f, &c, PLASMA_ERR_IFE_NOT_FOUND);
    ifk_input_spent_call(f, &c, 6, &x.t, 1, &x.c, 0);
    ifk_refused(f, &c, PLASMA_ERR_BAD_INDEX);
    ifk_input_spent_call(f, &c, 6, &x.t, 0, &x.c, 0);
    ifk_refused(f, &c, PLASMA_ERR_NOT_PIGGYBACKED);
    ifk_piggyback_call(f, &c, 1, &x.t, true, 0);
    ifk_ok(f, &c);

    /* 6. the spend */
    ifk_input_spent_call(f, &c, 6, &x.t, 0, &x.c, 0);
    garbage(&c.challenge_ife_input.spending_tx);
    ifk_refused(f, &c, PLASMA_ERR_BAD_CHALLENGE);
    ifk_input_spent_call(f, &c, 6, &x.t, 0, &x.t, 0);
    ifk_refused(f, &c, PLASMA_ERR_BAD_CHALLENGE);
    ifk_input_spent_call(f, &c, 6, &x.t, 0, &x.c, 1);
    ifk_refused(f, &c, PLASMA_ERR_BAD_CHALLENGE);
    uint64_t carol_in = ifk_pos(&x.d3, 0);
    unsigned carol = 3;
    plasma_output o = ifk_out(f, 5, &f->k.token, 500);
    plasma_tx other = ifk_pay(f, &carol_in, &carol, 1, &o, 1);
    ifk_input_spent_call(f, &c, 6, &x.t, 0, &other, 0);
    ifk_refused(f, &c, PLASMA_ERR_BAD_CHALLENGE);
    /* 7. the owner's signature */
    uint64_t in = ifk_pos(&x.d1, 0);
    unsigned eve = 5;
    plasma_output oe = ifk_out(f, 5, NULL, 1000);
    plasma_tx forged = ifk_pay(f, &in, &eve, 1, &oe, 1);
    ifk_input_spent_call(f, &c, 6, &x.t, 0, &forged, 0);
    ifk_refused(f, &c, PLASMA_ERR_BAD_SIGNATURE);

    plasma_u256 six0 = egk_bal(&f->k, &f->k.addr[6], NULL);
    ifk_input_spent_call(f, &c, 6, &x.t, 0, &x.c, 0);
    plasma_receipt r = egk_run(&f->k, &c);
    assert_int_equal(r.err, 0);
    plasma_u256 six = egk_bal(&f->k, &f->k.addr[6], NULL);
    egk_assert_u256(six, egk_sub(egk_add(six0, f->k.cfg.piggyback_bond), egk_fee(&r)));
    ifk_input_spent_call(f, &c, 6, &x.t, 0, &x.c, 0);
    ifk_refused(f, &c, PLASMA_ERR_NOT_PIGGYBACKED);
    ifk_free(f);
}

/* ---- challengeInFlightExitOutputSpent ---- */

static void test_output_spent_checks(void **state)
{
    (void)state;
    fixture x;
    setup_fixture(&x);
    ifk *f = &x.f;
    start_t(&x, false);
    uint64_t out0 = ifk_pos(&x.t_at, 0);
    unsigned bob = 2, eve = 5;
    plasma_output o = ifk_out(f, 6, NULL, 600);
    plasma_tx spend = ifk_pay(f, &out0, &bob, 1, &o, 1);
    plasma_tx forged = ifk_pay(f, &out0, &eve, 1, &o, 1);
    plasma_call c;
    ifk_output_spent_call(f, &c, 6, &x.t, &x.t_at, 0, &spend, 0);
    garbage(&c.challenge_ife_output.tx);
    ifk_refused(f, &c, PLASMA_ERR_MALFORMED_TX);
    ifk_output_spent_call(f, &c, 6, &x.c, &x.t_at, 0, &spend, 0);
    ifk_refused(f, &c, PLASMA_ERR_IFE_NOT_FOUND);
    ifk_output_spent_call(f, &c, 6, &x.t, &x.t_at, 2, &spend, 0);
    ifk_refused(f, &c, PLASMA_ERR_BAD_INDEX);
    ifk_output_spent_call(f, &c, 6, &x.t, &x.t_at, 0, &spend, 0);
    ifk_refused(f, &c, PLASMA_ERR_NOT_PIGGYBACKED);
    ifk_piggyback_call(f, &c, 2, &x.t, false, 0);
    ifk_ok(f, &c);

    /* 6. T included at the output's position */
    ifk_output_spent_call(f, &c, 6, &x.t, &x.t_at, 0, &spend, 0);
    c.challenge_ife_output.proof.b[0] ^= 1;
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_output_spent_call(f, &c, 6, &x.t, &x.t_at, 0, &spend, 0);
    c.challenge_ife_output.proof.len = 0;
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_output_spent_call(f, &c, 6, &x.t, &x.t_at, 0, &spend, 0);
    c.challenge_ife_output.output_utxo_pos += (uint64_t)PLASMA_MERKLE_LEAVES * PLASMA_POS_TX;
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_output_spent_call(f, &c, 6, &x.t, &x.t_at, 0, &spend, 0);
    c.challenge_ife_output.output_utxo_pos = plasma_utxo_pos(90000, 0, 0);
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);
    ifk_output_spent_call(f, &c, 6, &x.t, &x.d1, 0, &spend, 0); /* T is not the deposit */
    ifk_refused(f, &c, PLASMA_ERR_BAD_PROOF);

    /* 7. a spend of that output; 8. by its owner */
    ifk_output_spent_call(f, &c, 6, &x.t, &x.t_at, 0, &spend, 0);
    garbage(&c.challenge_ife_output.spending_tx);
    ifk_refused(f, &c, PLASMA_ERR_BAD_CHALLENGE);
    ifk_output_spent_call(f, &c, 6, &x.t, &x.t_at, 0, &spend, 1);
    ifk_refused(f, &c, PLASMA_ERR_BAD_CHALLENGE);
    ifk_output_spent_call(f, &c, 6, &x.t, &x.t_at, 0, &x.c, 0);
    ifk_refused(f, &c, PLASMA_ERR_BAD_CHALLENGE);
    ifk_output_spent_call(f, &c, 6, &x.t, &x.t_at, 0, &forged, 0);
    ifk_refused(f, &c, PLASMA_ERR_BAD_SIGNATURE);

    ifk_output_spent_call(f, &c, 6, &x.t, &x.t_at, 0, &spend, 0);
    ifk_ok(f, &c);
    plasma_ife_info info = ifk_ife(f, &x.t);
    assert_int_equal(info.outputs_piggybacked, 1 << PLASMA_IFE_BLOCKED_SHIFT);
    ifk_piggyback_call(f, &c, 2, &x.t, false, 0);
    ifk_refused(f, &c, PLASMA_ERR_ALREADY_PIGGYBACKED);
    ifk_free(f);
}

/* ---- deleteNonPiggybackedInFlightExit ---- */

static void test_delete_checks(void **state)
{
    (void)state;
    fixture x;
    setup_fixture(&x);
    ifk *f = &x.f;
    start_t(&x, false);
    plasma_call c;
    ifk_delete_call(f, &c, 6, &x.c);
    ifk_refused(f, &c, PLASMA_ERR_IFE_NOT_FOUND);
    ifk_delete_call(f, &c, 6, &x.t);
    ifk_refused(f, &c, PLASMA_ERR_FIRST_PHASE_NOT_OVER);

    /* with a piggyback, even a blocked one, it is processing's to end */
    ifk_incl d = ifk_deposit(f, 4, NULL, 50);
    uint64_t in = ifk_pos(&d, 0);
    unsigned dave = 4;
    plasma_output o = ifk_out(f, 6, NULL, 50), o2 = ifk_out(f, 7, NULL, 50);
    plasma_tx u = ifk_pay(f, &in, &dave, 1, &o, 1), u2 = ifk_pay(f, &in, &dave, 1, &o2, 1);
    ifk_start_call(f, &c, 4, &u, &d);
    ifk_ok(f, &c);
    ifk_piggyback_call(f, &c, 4, &u, true, 0);
    ifk_ok(f, &c);
    ifk_input_spent_call(f, &c, 5, &u, 0, &u2, 0);
    ifk_ok(f, &c);
    ifk_advance(f, IFK_MEP / 2);
    ifk_delete_call(f, &c, 6, &u);
    ifk_refused(f, &c, PLASMA_ERR_IFE_PIGGYBACKED);

    /* the call, then nothing left to delete */
    plasma_u256 alice0 = egk_bal(&f->k, &f->k.addr[1], NULL);
    ifk_delete_call(f, &c, 6, &x.t);
    ifk_ok(f, &c);
    assert_false(ifk_open(f, &x.t));
    plasma_u256 alice = egk_bal(&f->k, &f->k.addr[1], NULL);
    egk_assert_u256(alice, egk_add(alice0, f->k.cfg.ife_bond));
    ifk_delete_call(f, &c, 6, &x.t);
    ifk_refused(f, &c, PLASMA_ERR_IFE_NOT_FOUND);
    ifk_free(f);
}

/* ---- withdraw ---- */

static void test_withdraw_checks(void **state)
{
    (void)state;
    fixture x;
    setup_fixture(&x);
    ifk *f = &x.f;
    plasma_call c;
    ifk_withdraw_call(f, &c, 6, NULL);
    ifk_refused(f, &c, PLASMA_ERR_NOTHING_TO_WITHDRAW);
    ifk_withdraw_call(f, &c, 6, &f->token2);
    ifk_refused(f, &c, PLASMA_ERR_NOTHING_TO_WITHDRAW);
    ifk_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_checks),
        cmocka_unit_test(test_piggyback_input_checks),
        cmocka_unit_test(test_piggyback_output_checks),
        cmocka_unit_test(test_blocked_piggyback_stays_blocked),
        cmocka_unit_test(test_challenge_checks),
        cmocka_unit_test(test_respond_checks),
        cmocka_unit_test(test_refused_once_processing_began),
        cmocka_unit_test(test_input_spent_checks),
        cmocka_unit_test(test_output_spent_checks),
        cmocka_unit_test(test_delete_checks),
        cmocka_unit_test(test_withdraw_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
