/* Helpers for the in-flight exit tests: deposits and child blocks of real,
 * signed transactions kept with their trees, and the calls of the exit
 * game built from them. Header-only, static; on top of test_exitgame_kit.h. */
#ifndef PLASMA_TEST_IFE_KIT_H
#define PLASMA_TEST_IFE_KIT_H

#include "test_exitgame_kit.h"

#define IFK_MEP 1000u /* MIN_EXIT_PERIOD of the test chain: first phase 500 s */
#define IFK_MAX_TREES 64

/* A transaction included on the chain, with the tree of its block. */
typedef struct ifk_incl {
    plasma_tx tx;
    uint64_t blknum;
    uint32_t txindex;
    const plasma_merkle *tree;
} ifk_incl;

typedef struct ifk {
    egk k;
    plasma_merkle *trees[IFK_MAX_TREES];
    size_t n_trees;
    plasma_addr token2; /* a second token */
} ifk;

/* A test chain (in memory when store is NULL); fresh: fund the accounts
 * and give them tokens, as a new chain needs. */
static inline void ifk_setup(ifk *f, plasma_chain_store *store, bool fresh)
{
    memset(f, 0, sizeof *f);
    plasma_chain_config cfg;
    plasma_chain_config_default(&cfg);
    cfg.min_exit_period = IFK_MEP;
    egk_setup(&f->k, &cfg, store, fresh);
    memset(f->token2.b, 0x88, sizeof f->token2.b);
    if (!fresh)
        return;
    plasma_u256 lots = egk_u(1000000000000ull);
    for (unsigned i = 1; i < PLASMA_DEV_ACCOUNTS; i++) {
        assert_int_equal(plasma_chain_dev_mint(f->k.chain, &f->k.addr[i], &f->k.token, &lots), 0);
        assert_int_equal(plasma_chain_dev_mint(f->k.chain, &f->k.addr[i], &f->token2, &lots), 0);
    }
}

static inline void ifk_init(ifk *f)
{
    ifk_setup(f, NULL, true);
}

static inline void ifk_free(ifk *f)
{
    for (size_t i = 0; i < f->n_trees; i++)
        plasma_merkle_free(f->trees[i]);
    f->n_trees = 0;
    egk_free(&f->k);
}

static inline const plasma_merkle *ifk_keep(ifk *f, plasma_merkle *tree)
{
    assert_true(f->n_trees < IFK_MAX_TREES);
    f->trees[f->n_trees++] = tree;
    return tree;
}

static inline plasma_output ifk_out(const ifk *f, unsigned owner, const plasma_addr *token, uint64_t amount)
{
    plasma_output o;
    memset(&o, 0, sizeof o);
    o.owner = f->k.addr[owner];
    if (token)
        o.token = *token;
    o.amount = egk_u(amount);
    return o;
}

/* Deposits amount of token (NULL: ETH) from who. */
static inline ifk_incl ifk_deposit(ifk *f, unsigned who, const plasma_addr *token, uint64_t amount)
{
    ifk_incl d;
    memset(&d, 0, sizeof d);
    d.blknum = egk_deposit(&f->k, who, token, egk_u(amount), NULL);
    d.tree = ifk_keep(f, egk_deposit_tree(&f->k.addr[who], token, egk_u(amount), &d.tx));
    return d;
}

/* A payment spending inputs[i] signed by signers[i]. */
static inline plasma_tx ifk_pay(const ifk *f, const uint64_t *inputs, const unsigned *signers, size_t n_in,
                                const plasma_output *outs, size_t n_out)
{
    plasma_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.tx_type = PLASMA_TX_PAYMENT;
    tx.n_inputs = (uint8_t)n_in;
    tx.n_outputs = (uint8_t)n_out;
    for (size_t i = 0; i < n_in; i++)
        tx.inputs[i] = inputs[i];
    for (size_t o = 0; o < n_out; o++)
        tx.outputs[o] = outs[o];
    for (size_t i = 0; i < n_in; i++)
        assert_int_equal(plasma_tx_sign_input(&tx, &f->k.dom, (unsigned)i, &f->k.key[signers[i]]), 0);
    assert_int_equal(plasma_tx_check(&tx, true), 0);
    return tx;
}

/* Submits a child block of txs; out[i] names each tx's inclusion. */
static inline void ifk_block(ifk *f, const plasma_tx *txs, size_t n, ifk_incl *out)
{
    egk_block b;
    memset(&b, 0, sizeof b);
    assert_true(n <= EGK_MAX_BLOCK_TXS);
    for (size_t i = 0; i < n; i++)
        b.txs[i] = txs[i];
    b.n = n;
    egk_submit_block(&f->k, &b);
    ifk_keep(f, b.tree);
    for (size_t i = 0; i < n && out; i++)
        out[i] = (ifk_incl){txs[i], b.blknum, (uint32_t)i, b.tree};
}

static inline uint64_t ifk_pos(const ifk_incl *in, uint32_t oindex)
{
    return plasma_utxo_pos(in->blknum, in->txindex, oindex);
}

static inline void ifk_signed(plasma_call_tx *dst, const plasma_tx *tx)
{
    plasma_buf b = {0};
    assert_int_equal(plasma_tx_encode_signed(&b, tx), 0);
    assert_true(b.len <= PLASMA_CALL_MAX_TX);
    memcpy(dst->b, b.data, b.len);
    dst->len = b.len;
    plasma_buf_free(&b);
}

static inline void ifk_unsigned(plasma_call_tx *dst, const plasma_tx *tx)
{
    egk_encode(tx, dst->b, &dst->len);
}

static inline void ifk_proof(plasma_call_proof *dst, const ifk_incl *in)
{
    dst->len = PLASMA_MERKLE_PROOF_LEN;
    assert_int_equal(plasma_merkle_proof(dst->b, in->tree, in->txindex), 0);
}

static inline plasma_u256 ifk_id(const plasma_tx *tx)
{
    plasma_u256 id;
    assert_int_equal(plasma_ife_id(&id, tx), 0);
    return id;
}

static inline plasma_hash ifk_txhash(const plasma_tx *tx)
{
    plasma_hash h;
    assert_int_equal(plasma_tx_hash(&h, tx), 0);
    return h;
}

/* startInFlightExit of tx by who; ins[i] holds the tx of input i. */
static inline void ifk_start_call(const ifk *f, plasma_call *c, unsigned who, const plasma_tx *tx,
                                  const ifk_incl *ins)
{
    egk_call(&f->k, c, PLASMA_CALL_START_IFE, who);
    plasma_call_start_ife *a = &c->start_ife;
    ifk_signed(&a->tx, tx);
    a->n_input_txs = a->n_input_pos = a->n_input_proofs = tx->n_inputs;
    for (unsigned i = 0; i < tx->n_inputs; i++) {
        ifk_unsigned(&a->input_txs[i], &ins[i].tx);
        a->input_pos[i] = tx->inputs[i];
        assert_int_equal(plasma_merkle_proof(a->input_proofs[i], ins[i].tree, ins[i].txindex), 0);
    }
    a->bond = f->k.cfg.ife_bond;
}

static inline void ifk_piggyback_call(const ifk *f, plasma_call *c, unsigned who, const plasma_tx *tx,
                                      bool input, uint64_t index)
{
    egk_call(&f->k, c, input ? PLASMA_CALL_PIGGYBACK_INPUT : PLASMA_CALL_PIGGYBACK_OUTPUT, who);
    ifk_signed(&c->piggyback.tx, tx);
    c->piggyback.index = index;
    c->piggyback.bond = f->k.cfg.piggyback_bond;
}

/* challengeInFlightExitNotCanonical with competitor comp (included at
 * at, or never when at is NULL). */
static inline void ifk_challenge_call(const ifk *f, plasma_call *c, unsigned who, const plasma_tx *tx,
                                      uint64_t input_index, const plasma_tx *comp, uint64_t comp_index,
                                      const ifk_incl *at)
{
    egk_call(&f->k, c, PLASMA_CALL_CHALLENGE_IFE, who);
    plasma_call_challenge_ife *a = &c->challenge_ife;
    ifk_signed(&a->tx, tx);
    a->input_index = input_index;
    ifk_signed(&a->competing_tx, comp);
    a->competing_input_index = comp_index;
    if (at) {
        a->competitor_pos = ifk_pos(at, 0);
        ifk_proof(&a->competitor_proof, at);
    }
}

static inline void ifk_respond_call(const ifk *f, plasma_call *c, unsigned who, const plasma_tx *tx,
                                    const ifk_incl *at)
{
    egk_call(&f->k, c, PLASMA_CALL_RESPOND_IFE, who);
    ifk_signed(&c->respond_ife.tx, tx);
    c->respond_ife.tx_pos = ifk_pos(at, 0);
    ifk_proof(&c->respond_ife.proof, at);
}

static inline void ifk_input_spent_call(const ifk *f, plasma_call *c, unsigned who, const plasma_tx *tx,
                                        uint64_t input_index, const plasma_tx *spend, uint64_t spend_index)
{
    egk_call(&f->k, c, PLASMA_CALL_CHALLENGE_IFE_INPUT, who);
    ifk_signed(&c->challenge_ife_input.tx, tx);
    c->challenge_ife_input.input_index = input_index;
    ifk_signed(&c->challenge_ife_input.spending_tx, spend);
    c->challenge_ife_input.spending_input_index = spend_index;
}

/* challengeInFlightExitOutputSpent: tx is included at at. */
static inline void ifk_output_spent_call(const ifk *f, plasma_call *c, unsigned who, const plasma_tx *tx,
                                         const ifk_incl *at, uint32_t oindex, const plasma_tx *spend,
                                         uint64_t spend_index)
{
    egk_call(&f->k, c, PLASMA_CALL_CHALLENGE_IFE_OUTPUT, who);
    plasma_call_challenge_ife_output *a = &c->challenge_ife_output;
    ifk_signed(&a->tx, tx);
    a->output_utxo_pos = ifk_pos(at, oindex);
    ifk_proof(&a->proof, at);
    ifk_signed(&a->spending_tx, spend);
    a->spending_input_index = spend_index;
}

static inline void ifk_delete_call(const ifk *f, plasma_call *c, unsigned who, const plasma_tx *tx)
{
    egk_call(&f->k, c, PLASMA_CALL_DELETE_IFE, who);
    c->delete_ife.ife_id = ifk_id(tx);
}

/* startStandardExit by who of output oindex of an included tx. */
static inline void ifk_exit_call(const ifk *f, plasma_call *c, unsigned who, const ifk_incl *in,
                                 uint32_t oindex)
{
    egk_call(&f->k, c, PLASMA_CALL_START_EXIT, who);
    c->start_exit.utxo_pos = ifk_pos(in, oindex);
    c->start_exit.bond = f->k.cfg.exit_bond;
    egk_encode(&in->tx, c->start_exit.tx, &c->start_exit.tx_len);
    assert_int_equal(plasma_merkle_proof(c->start_exit.proof, in->tree, in->txindex), 0);
}

static inline void ifk_withdraw_call(const ifk *f, plasma_call *c, unsigned who, const plasma_addr *token)
{
    egk_call(&f->k, c, PLASMA_CALL_WITHDRAW, who);
    if (token)
        c->withdraw.token = *token;
}

/* Runs c and fails the test unless it succeeds. */
static inline void ifk_ok(ifk *f, const plasma_call *c)
{
    plasma_receipt r = egk_run(&f->k, c);
    if (r.err != 0)
        fail_msg("call kind %d failed: %s", (int)c->kind, plasma_err_code(r.err));
}

static inline plasma_hash ifk_digest(const ifk *f)
{
    plasma_hash d;
    assert_int_equal(plasma_chain_state_digest(&d, f->k.chain), 0);
    return d;
}

static inline int ifk_run(ifk *f, const plasma_call *c)
{
    return egk_run(&f->k, c).err;
}

/* What a refused call must leave alone: the contract's holdings, every
 * open in-flight exit, the queues and the claims. */
typedef struct ifk_view {
    plasma_u256 held[3]; /* ETH, token, token2 */
    plasma_hash ifes;    /* keccak over every open IFE's info */
    plasma_exit_queue_info q[3];
    plasma_u256 sender;
} ifk_view;

static int ifk_hash_ife(const plasma_ife_info *info, void *payload)
{
    plasma_keccak_update(payload, (const uint8_t *)info, sizeof *info);
    return 0;
}

static inline void ifk_look(const ifk *f, const plasma_addr *sender, ifk_view *v)
{
    memset(v, 0, sizeof *v);
    const plasma_addr *tokens[3] = {NULL, &f->k.token, &f->token2};
    for (int i = 0; i < 3; i++) {
        plasma_chain_balance(&v->held[i], f->k.chain, &f->k.cfg.contract, tokens[i]);
        plasma_chain_exit_queue(&v->q[i], f->k.chain, tokens[i]);
    }
    plasma_keccak k;
    plasma_keccak_init(&k);
    assert_int_equal(plasma_chain_foreach_ife(f->k.chain, ifk_hash_ife, &k), 0);
    plasma_keccak_final(&k, &v->ifes);
    plasma_chain_balance(&v->sender, f->k.chain, sender, NULL);
}

/* Asserts that c fails with err, in a dry run (which must leave the state
 * digest as it was) and when mined (which must change nothing but the
 * sender's nonce and gas fee). */
static inline void ifk_refused(ifk *f, const plasma_call *c, int err)
{
    plasma_hash before, after;
    assert_int_equal(plasma_chain_state_digest(&before, f->k.chain), 0);
    int got = plasma_chain_check_call(f->k.chain, c, NULL);
    if (got != err)
        fail_msg("expected %s, got %s", plasma_err_code(err), plasma_err_code(got));
    assert_int_equal(plasma_chain_state_digest(&after, f->k.chain), 0);
    assert_true(plasma_hash_eq(&before, &after));
    ifk_view v0, v1;
    ifk_look(f, &c->from, &v0);
    plasma_receipt r = egk_run(&f->k, c);
    if (r.err != err)
        fail_msg("mined: expected %s, got %s", plasma_err_code(err), plasma_err_code(r.err));
    ifk_look(f, &c->from, &v1);
    v0.sender = egk_sub(v0.sender, egk_fee(&r));
    assert_memory_equal(&v0, &v1, sizeof v0);
}

static inline plasma_ife_info ifk_ife(const ifk *f, const plasma_tx *tx)
{
    plasma_ife_info info;
    plasma_u256 id = ifk_id(tx);
    assert_int_equal(plasma_chain_ife(&info, f->k.chain, &id), 0);
    return info;
}

static inline bool ifk_open(const ifk *f, const plasma_tx *tx)
{
    plasma_ife_info info;
    plasma_u256 id = ifk_id(tx);
    return plasma_chain_ife(&info, f->k.chain, &id) == 0;
}

static inline void ifk_advance(ifk *f, uint64_t seconds)
{
    assert_int_equal(plasma_chain_dev_advance_time(f->k.chain, seconds), 0);
}

/* The output id of output oindex of an included tx. */
static inline plasma_hash ifk_output_id(const ifk_incl *in, uint32_t oindex)
{
    uint8_t raw[PLASMA_CALL_MAX_TX];
    size_t len;
    egk_encode(&in->tx, raw, &len);
    plasma_hash id;
    plasma_output_id(&id, raw, len, in->tx.n_inputs > 0, oindex, ifk_pos(in, oindex));
    return id;
}

/* The output id of output oindex of a tx with inputs (no position). */
static inline plasma_hash ifk_tx_output_id(const plasma_tx *tx, uint32_t oindex)
{
    uint8_t raw[PLASMA_CALL_MAX_TX];
    size_t len;
    egk_encode(tx, raw, &len);
    plasma_hash id;
    plasma_output_id(&id, raw, len, true, oindex, 0);
    return id;
}

static inline plasma_u256 ifk_finalized(const ifk *f, const plasma_hash *output_id)
{
    plasma_u256 by;
    plasma_chain_finalized(&by, f->k.chain, output_id);
    return by;
}

static inline plasma_receipt ifk_process(ifk *f, const plasma_addr *token, uint64_t max)
{
    return egk_process(&f->k, 9, token, max);
}

#endif
