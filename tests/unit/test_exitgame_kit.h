/* Helpers shared by the exit-game tests: a chain with the development
 * accounts, calls, child blocks of real transactions with Merkle proofs,
 * and signed spends. Header-only, static. */
#ifndef PLASMA_TEST_EXITGAME_KIT_H
#define PLASMA_TEST_EXITGAME_KIT_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plasma/exitgame.h"
#include "testutil.h"

#define EGK_GWEI 1000000000ull
#define EGK_ETH 1000000000000000000ull
#define EGK_GAS 2000000u /* default gas limit of a test call */
#define EGK_MAX_BLOCK_TXS 8

typedef struct egk {
    plasma_chain *chain;
    plasma_chain_config cfg;
    plasma_call_domain cd;
    plasma_domain dom;
    plasma_addr addr[PLASMA_DEV_ACCOUNTS];
    plasma_privkey key[PLASMA_DEV_ACCOUNTS];
    plasma_addr token; /* a test ERC-20 */
} egk;

static inline plasma_u256 egk_u(uint64_t v)
{
    return plasma_u256_from_u64(v);
}

static inline plasma_u256 egk_wei(uint64_t eth_milli)
{
    plasma_u256 r = egk_u(eth_milli);
    plasma_u256_mul_u64(&r, &r, EGK_ETH / 1000);
    return r;
}

static inline void egk_setup(egk *k, const plasma_chain_config *cfg, plasma_chain_store *store, bool prefund)
{
    memset(k, 0, sizeof *k);
    if (cfg)
        k->cfg = *cfg;
    else
        plasma_chain_config_default(&k->cfg);
    for (unsigned i = 0; i < PLASMA_DEV_ACCOUNTS; i++) {
        assert_int_equal(plasma_dev_key(&k->key[i], i), 0);
        assert_int_equal(plasma_dev_addr(&k->addr[i], i), 0);
    }
    memset(k->token.b, 0x77, sizeof k->token.b);
    assert_int_equal(plasma_chain_new(&k->chain, &k->cfg, store), 0);
    plasma_chain_call_domain(&k->cd, k->chain);
    plasma_domain_init(&k->dom, k->cfg.chain_id, &k->cfg.contract);
    if (prefund)
        assert_int_equal(plasma_chain_dev_prefund(k->chain), 0);
}

static inline void egk_init(egk *k)
{
    egk_setup(k, NULL, NULL, true);
}

static inline void egk_free(egk *k)
{
    plasma_chain_free(k->chain);
    k->chain = NULL;
}

static inline plasma_u256 egk_bal(const egk *k, const plasma_addr *who, const plasma_addr *token)
{
    plasma_u256 v;
    plasma_chain_balance(&v, k->chain, who, token);
    return v;
}

static inline void egk_assert_u256_at(plasma_u256 a, plasma_u256 b, const char *file, int line)
{
    if (plasma_u256_cmp(&a, &b) == 0)
        return;
    char x[PLASMA_U256_DEC_MAX], y[PLASMA_U256_DEC_MAX];
    fail_msg("%s:%d: %s != %s", file, line, plasma_u256_format_dec(x, &a), plasma_u256_format_dec(y, &b));
}
#define egk_assert_u256(a, b) egk_assert_u256_at((a), (b), __FILE__, __LINE__)

static inline plasma_u256 egk_add(plasma_u256 a, plasma_u256 b)
{
    assert_int_equal(plasma_u256_add(&a, &a, &b), 0);
    return a;
}

static inline plasma_u256 egk_sub(plasma_u256 a, plasma_u256 b)
{
    assert_int_equal(plasma_u256_sub(&a, &a, &b), 0);
    return a;
}

/* A call from dev account `who` with its next nonce, 1 gwei, EGK_GAS. */
static inline void egk_call(const egk *k, plasma_call *c, plasma_call_kind kind, unsigned who)
{
    plasma_call_init(c, kind, &k->addr[who], plasma_chain_next_nonce(k->chain, &k->addr[who]), EGK_GWEI,
                     EGK_GAS);
}

static inline plasma_receipt egk_receipt(const egk *k, const plasma_hash *h)
{
    plasma_receipt r;
    assert_int_equal(plasma_chain_receipt(&r, k->chain, h), 0);
    return r;
}

/* Submits c, mines one block, returns its receipt. */
static inline plasma_receipt egk_run(egk *k, const plasma_call *c)
{
    plasma_hash h;
    assert_int_equal(plasma_chain_submit(k->chain, c, &h), 0);
    assert_int_equal(plasma_chain_mine(k->chain, NULL), 0);
    return egk_receipt(k, &h);
}

static inline plasma_u256 egk_fee(const plasma_receipt *r)
{
    plasma_u256 f = egk_u(r->gas_used);
    plasma_u256_mul_u64(&f, &f, r->gas_price);
    return f;
}

/* Deposits amount of token (NULL: ETH) from who; returns the blknum. */
static inline uint64_t egk_deposit(egk *k, unsigned who, const plasma_addr *token, plasma_u256 amount,
                                   plasma_receipt *out)
{
    plasma_chain_head head;
    plasma_chain_get_head(&head, k->chain);
    plasma_call c;
    egk_call(k, &c, PLASMA_CALL_DEPOSIT, who);
    if (token)
        c.deposit.token = *token;
    c.deposit.amount = amount;
    plasma_receipt r = egk_run(k, &c);
    assert_int_equal(r.err, 0);
    if (out)
        *out = r;
    return head.next_deposit_block;
}

/* ---- child blocks ---- */

typedef struct egk_block {
    plasma_tx txs[EGK_MAX_BLOCK_TXS];
    size_t n;
    plasma_merkle *tree;
    uint64_t blknum;
} egk_block;

/* A payment of one output to owner; its (fake) input makes each tx unique. */
static inline void egk_payment(plasma_tx *tx, uint64_t input, const plasma_addr *owner,
                               const plasma_addr *token, plasma_u256 amount)
{
    memset(tx, 0, sizeof *tx);
    tx->tx_type = PLASMA_TX_PAYMENT;
    tx->n_inputs = 1;
    tx->inputs[0] = input;
    tx->n_outputs = 1;
    tx->outputs[0].owner = *owner;
    if (token)
        tx->outputs[0].token = *token;
    tx->outputs[0].amount = amount;
}

static inline void egk_encode(const plasma_tx *tx, uint8_t *out, size_t *len)
{
    plasma_buf b = {0};
    assert_int_equal(plasma_tx_encode_unsigned(&b, tx), 0);
    assert_true(b.len <= PLASMA_CALL_MAX_TX);
    memcpy(out, b.data, b.len);
    *len = b.len;
    plasma_buf_free(&b);
}

static inline void egk_build_tree(egk_block *b)
{
    plasma_hash leaves[EGK_MAX_BLOCK_TXS];
    for (size_t i = 0; i < b->n; i++) {
        uint8_t raw[PLASMA_CALL_MAX_TX];
        size_t len;
        egk_encode(&b->txs[i], raw, &len);
        plasma_merkle_leaf(&leaves[i], raw, len);
    }
    assert_int_equal(plasma_merkle_build(&b->tree, leaves, b->n), 0);
}

/* Submits b as the next child block (operator = account 0). */
static inline void egk_submit_block(egk *k, egk_block *b)
{
    plasma_chain_head head;
    plasma_chain_get_head(&head, k->chain);
    b->blknum = head.next_child_block;
    egk_build_tree(b);
    plasma_call c;
    egk_call(k, &c, PLASMA_CALL_SUBMIT_BLOCK, 0);
    c.submit_block.root = *plasma_merkle_tree_root(b->tree);
    plasma_receipt r = egk_run(k, &c);
    assert_int_equal(r.err, 0);
}

static inline void egk_block_free(egk_block *b)
{
    plasma_merkle_free(b->tree);
    b->tree = NULL;
}

/* A startStandardExit call by who for output oindex of tx at txindex of
 * the block tree (proof from tree at proof_index). */
static inline void egk_exit_call(const egk *k, plasma_call *c, unsigned who, uint64_t pos,
                                 const plasma_tx *tx, const plasma_merkle *tree, uint64_t proof_index)
{
    egk_call(k, c, PLASMA_CALL_START_EXIT, who);
    c->start_exit.utxo_pos = pos;
    c->start_exit.bond = k->cfg.exit_bond;
    egk_encode(tx, c->start_exit.tx, &c->start_exit.tx_len);
    assert_int_equal(plasma_merkle_proof(c->start_exit.proof, tree, proof_index), 0);
}

/* The tree of a deposit block (one leaf). */
static inline plasma_merkle *egk_deposit_tree(const plasma_addr *owner, const plasma_addr *token,
                                              plasma_u256 amount, plasma_tx *tx)
{
    plasma_addr eth = {{0}};
    plasma_tx_make_deposit(tx, owner, token ? token : &eth, &amount);
    uint8_t raw[PLASMA_CALL_MAX_TX];
    size_t len;
    egk_encode(tx, raw, &len);
    plasma_hash leaf;
    plasma_merkle_leaf(&leaf, raw, len);
    plasma_merkle *tree;
    assert_int_equal(plasma_merkle_build(&tree, &leaf, 1), 0);
    return tree;
}

/* A payment spending `input` signed by `signer`, as a challenge call. */
static inline void egk_challenge_call(const egk *k, plasma_call *c, unsigned who, uint64_t exit_id,
                                      uint64_t input, unsigned signer)
{
    plasma_tx tx;
    egk_payment(&tx, input, &k->addr[who], NULL, egk_u(1));
    assert_int_equal(plasma_tx_sign_input(&tx, &k->dom, 0, &k->key[signer]), 0);
    plasma_buf b = {0};
    assert_int_equal(plasma_tx_encode_signed(&b, &tx), 0);
    egk_call(k, c, PLASMA_CALL_CHALLENGE_EXIT, who);
    c->challenge_exit.exit_id = exit_id;
    c->challenge_exit.input_index = 0;
    memcpy(c->challenge_exit.tx, b.data, b.len);
    c->challenge_exit.tx_len = b.len;
    plasma_buf_free(&b);
}

static inline plasma_receipt egk_process(egk *k, unsigned who, const plasma_addr *token, uint64_t max)
{
    plasma_call c;
    egk_call(k, &c, PLASMA_CALL_PROCESS_EXITS, who);
    if (token)
        c.process_exits.token = *token;
    c.process_exits.max_exits = max;
    return egk_run(k, &c);
}

static inline plasma_exit_info egk_exit(const egk *k, uint64_t id)
{
    plasma_exit_info e;
    assert_int_equal(plasma_chain_exit(&e, k->chain, id), 0);
    return e;
}

static inline uint64_t egk_now(const egk *k)
{
    plasma_chain_head h;
    plasma_chain_get_head(&h, k->chain);
    return h.timestamp;
}

/* ---- temporary directories ---- */

#define egk_rmrf tu_rmtree

static inline char *egk_tmpdir(void)
{
    char *d = strdup("/tmp/plasma-eg-test-XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

#endif
