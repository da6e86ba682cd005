/* Unit tests of the operator's ledger (operator/include/plasma/ledger.h):
 * acceptance rules, pending double spends, fees, sealing, proofs, restart,
 * block_full, exits and storage failure. */
#include "op_testkit.h"
#include "plasma/ledger.h"
#include "plasma/merkle.h"
#include "store.h"

typedef struct fixture {
    char *dir;
    plasma_ledger *l;
    plasma_ledger_config cfg;
    plasma_fee_rule rules[2];
} fixture;

static void open_ledger(fixture *f)
{
    char err[256];
    f->cfg.data_dir = f->dir;
    int rc = plasma_ledger_open(&f->l, &f->cfg, err, sizeof err);
    if (rc != 0)
        fail_msg("open: %s", err);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tk_tmpdir();
    plasma_ledger_config_default(&f->cfg);
    f->cfg.fee_beneficiary = tk_addr(0);
    f->cfg.seal_interval_ms = 0;
    f->cfg.commit_linger_us = 0;
    f->cfg.sig_threads = 2;
    f->cfg.utxo_cache_bytes = 1 << 20;
    open_ledger(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    plasma_ledger_free(f->l);
    tk_rmrf(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void reopen(fixture *f)
{
    plasma_ledger_free(f->l);
    f->l = NULL;
    open_ledger(f);
}

static void deposit(fixture *f, uint64_t blknum, int owner, uint8_t token, uint64_t amount)
{
    plasma_deposit d = {.blknum = blknum,
                        .owner = tk_addr(owner),
                        .token = tk_token(token),
                        .amount = plasma_u256_from_u64(amount),
                        .timestamp = 1};
    assert_int_equal(plasma_ledger_follow(f->l, &d, 1, NULL, 0, "dep", blknum), 0);
}

static int submit(fixture *f, const plasma_tx *tx, plasma_ledger_receipt *r)
{
    size_t len;
    uint8_t *rlp = tk_rlp(tx, &len);
    plasma_ledger_receipt dummy;
    int rc = plasma_ledger_submit(f->l, r ? r : &dummy, rlp, len);
    free(rlp);
    return rc;
}

static int pay(fixture *f, uint64_t in, int key, const tk_out *outs, int n_out, plasma_ledger_receipt *r)
{
    plasma_tx tx = tk_payment(&in, &key, 1, outs, n_out);
    return submit(f, &tx, r);
}

static uint64_t seal(fixture *f)
{
    uint64_t blknum = 0;
    assert_int_equal(plasma_ledger_seal(f->l, &blknum), 0);
    return blknum;
}

#define DEP1 plasma_utxo_pos(1, 0, 0)

static void test_accept_and_double_spend(void **state)
{
    fixture *f = *state;
    deposit(f, 1, 1, 0, 100);
    tk_out outs[2] = {{2, 0, 60}, {1, 0, 40}};
    plasma_ledger_receipt r;
    assert_int_equal(pay(f, DEP1, 1, outs, 2, &r), 0);
    assert_int_equal(r.blknum, 1000);
    assert_int_equal(r.txindex, 0);
    /* Spent by a pending tx of the same block. */
    assert_int_equal(pay(f, DEP1, 1, outs, 2, NULL), PLASMA_ERR_UTXO_SPENT);
    /* The new output is spendable within the block. */
    tk_out o2[1] = {{3, 0, 60}};
    plasma_ledger_receipt r2;
    assert_int_equal(pay(f, plasma_utxo_pos(1000, 0, 0), 2, o2, 1, &r2), 0);
    assert_int_equal(r2.txindex, 1);
    assert_int_equal(seal(f), 1000);
    /* Spent in an earlier, sealed block. */
    assert_int_equal(pay(f, DEP1, 1, outs, 2, NULL), PLASMA_ERR_UTXO_SPENT);
    assert_int_equal(pay(f, plasma_utxo_pos(1000, 0, 0), 2, o2, 1, NULL), PLASMA_ERR_UTXO_SPENT);

    plasma_utxo u;
    assert_int_equal(plasma_ledger_get_utxo(f->l, plasma_utxo_pos(1000, 1, 0), &u), 0);
    plasma_addr want_owner = tk_addr(3);
    assert_true(plasma_addr_eq(&u.owner, &want_owner));
    uint64_t amt = 0;
    assert_true(plasma_u256_to_u64(&u.amount, &amt));
    assert_int_equal(amt, 60);
    assert_int_equal(plasma_ledger_get_utxo(f->l, DEP1, &u), PLASMA_ERR_UTXO_SPENT);
    assert_int_equal(plasma_ledger_get_utxo(f->l, plasma_utxo_pos(7, 0, 0), &u), PLASMA_ERR_UTXO_NOT_FOUND);

    plasma_buf rlp = {0};
    uint64_t blk;
    uint32_t idx;
    assert_int_equal(plasma_ledger_get_tx(f->l, &r2.txhash, &blk, &idx, &rlp), 0);
    assert_int_equal(blk, 1000);
    assert_int_equal(idx, 1);
    plasma_buf_free(&rlp);
}

static void test_rejections(void **state)
{
    fixture *f = *state;
    deposit(f, 1, 1, 0, 100);
    deposit(f, 2, 1, 7, 50);
    tk_out ok[1] = {{2, 0, 100}};
    assert_int_equal(pay(f, plasma_utxo_pos(3, 0, 0), 1, ok, 1, NULL), PLASMA_ERR_UTXO_NOT_FOUND);
    assert_int_equal(pay(f, DEP1, 2, ok, 1, NULL), PLASMA_ERR_UNAUTHORIZED_SPEND);
    tk_out too_much[1] = {{2, 0, 101}};
    assert_int_equal(pay(f, DEP1, 1, too_much, 1, NULL), PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP);
    tk_out wrong_token[1] = {{2, 9, 1}};
    assert_int_equal(pay(f, DEP1, 1, wrong_token, 1, NULL), PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP);
    /* A surplus in two tokens. */
    uint64_t ins[2] = {DEP1, plasma_utxo_pos(2, 0, 0)};
    int keys[2] = {1, 1};
    tk_out two[2] = {{2, 0, 99}, {2, 7, 49}};
    plasma_tx tx = tk_payment(ins, keys, 2, two, 2);
    assert_int_equal(submit(f, &tx, NULL), PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP);
    /* A signature that recovers no key. */
    tx = tk_payment(ins, keys, 1, ok, 1);
    memset(tx.sigs[0].b, 0, 32);
    tx.sigs[0].b[31] = 5;
    int rc = submit(f, &tx, NULL);
    assert_true(rc == PLASMA_ERR_BAD_SIGNATURE || rc == PLASMA_ERR_UNAUTHORIZED_SPEND);
    /* Malformed bytes. */
    plasma_ledger_receipt r;
    uint8_t junk[3] = {0xc2, 0x01, 0x02};
    assert_int_equal(plasma_ledger_submit(f->l, &r, junk, sizeof junk), PLASMA_ERR_MALFORMED_TX);
    plasma_ledger_status st;
    plasma_ledger_status_get(f->l, &st);
    assert_int_equal(st.pending_txs, 0);
}

static void test_min_fee(void **state)
{
    fixture *f = *state;
    plasma_ledger_free(f->l);
    f->rules[0] = (plasma_fee_rule){tk_token(0), plasma_u256_from_u64(5)};
    f->cfg.fee_rules = f->rules;
    f->cfg.n_fee_rules = 1;
    f->cfg.min_fee = plasma_u256_from_u64(3);
    open_ledger(f);
    deposit(f, 1, 1, 0, 100);
    deposit(f, 2, 1, 7, 100);
    tk_out low[1] = {{2, 0, 96}};
    assert_int_equal(pay(f, DEP1, 1, low, 1, NULL), PLASMA_ERR_FEE_TOO_LOW);
    tk_out none[1] = {{2, 0, 100}};
    assert_int_equal(pay(f, DEP1, 1, none, 1, NULL), PLASMA_ERR_FEE_TOO_LOW);
    tk_out enough[1] = {{2, 0, 95}};
    assert_int_equal(pay(f, DEP1, 1, enough, 1, NULL), 0);
    tk_out tok_low[1] = {{2, 7, 98}};
    assert_int_equal(pay(f, plasma_utxo_pos(2, 0, 0), 1, tok_low, 1, NULL), PLASMA_ERR_FEE_TOO_LOW);
    tk_out tok_ok[1] = {{2, 7, 97}};
    assert_int_equal(pay(f, plasma_utxo_pos(2, 0, 0), 1, tok_ok, 1, NULL), 0);
}

typedef struct collected {
    int n;
} collected;

static bool collect(void *arg, const uint8_t *rlp, size_t len)
{
    collected *c = arg;
    plasma_rlp_item item;
    assert_int_equal(plasma_rlp_decode(&item, rlp, len), 0);
    assert_true(item.is_list);
    c->n++;
    return true;
}

static void check_proof(fixture *f, uint64_t pos, const plasma_hash *root)
{
    plasma_buf tx = {0};
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    assert_int_equal(plasma_ledger_exit_data(f->l, pos, &tx, proof), 0);
    plasma_hash leaf;
    plasma_merkle_leaf(&leaf, tx.data, tx.len);
    assert_true(plasma_merkle_verify(root, &leaf, plasma_pos_txindex(pos), proof, sizeof proof));
    plasma_buf_free(&tx);
}

static void test_fees_three_tokens(void **state)
{
    fixture *f = *state;
    deposit(f, 1, 1, 3, 100);
    deposit(f, 2, 1, 0, 100);
    deposit(f, 3, 2, 9, 100);
    tk_out a[1] = {{2, 3, 90}};
    tk_out b[2] = {{2, 0, 50}, {3, 0, 45}};
    tk_out c[1] = {{1, 9, 99}};
    tk_out d[1] = {{2, 3, 89}};
    assert_int_equal(pay(f, DEP1, 1, a, 1, NULL), 0);
    assert_int_equal(pay(f, plasma_utxo_pos(2, 0, 0), 1, b, 2, NULL), 0);
    assert_int_equal(pay(f, plasma_utxo_pos(3, 0, 0), 2, c, 1, NULL), 0);
    assert_int_equal(pay(f, plasma_utxo_pos(1000, 0, 0), 2, d, 1, NULL), 0);
    assert_int_equal(seal(f), 1000);

    plasma_block_info info;
    collected col = {0};
    assert_int_equal(plasma_ledger_get_block(f->l, 1000, &info, collect, &col), 0);
    assert_int_equal(info.n_txs, 7);
    assert_int_equal(col.n, 7);
    /* Fee txs in ascending token order: ETH (0), token 3, token 9. */
    uint8_t want_tok[3] = {0, 3, 9};
    uint64_t want_fee[3] = {5, 11, 1};
    for (int k = 0; k < 3; k++) {
        plasma_tx ftx;
        plasma_addr tok = tk_token(want_tok[k]);
        plasma_u256 fee = plasma_u256_from_u64(want_fee[k]);
        plasma_tx_make_fee(&ftx, 1000, &f->cfg.fee_beneficiary, &tok, &fee);
        plasma_utxo u;
        uint64_t pos = plasma_utxo_pos(1000, 4 + (uint32_t)k, 0);
        assert_int_equal(plasma_ledger_get_utxo(f->l, pos, &u), 0);
        assert_true(plasma_addr_eq(&u.owner, &f->cfg.fee_beneficiary));
        assert_true(plasma_addr_eq(&u.token, &ftx.outputs[0].token));
        assert_int_equal(plasma_u256_cmp(&u.amount, &ftx.outputs[0].amount), 0);
        check_proof(f, pos, &info.root);
    }
    check_proof(f, plasma_utxo_pos(1000, 1, 1), &info.root);
    /* The fee output is spendable by the beneficiary. */
    tk_out e[1] = {{1, 3, 11}};
    assert_int_equal(pay(f, plasma_utxo_pos(1000, 5, 0), 0, e, 1, NULL), 0);
}

static void test_restart_keeps_positions(void **state)
{
    fixture *f = *state;
    for (uint64_t i = 1; i <= 5; i++)
        deposit(f, i, 1, 0, 10);
    plasma_ledger_receipt r[5];
    tk_out o[1] = {{2, 0, 10}};
    for (int i = 0; i < 3; i++)
        assert_int_equal(pay(f, plasma_utxo_pos((uint64_t)i + 1, 0, 0), 1, o, 1, &r[i]), 0);
    assert_int_equal(seal(f), 1000);
    for (int i = 3; i < 5; i++)
        assert_int_equal(pay(f, plasma_utxo_pos((uint64_t)i + 1, 0, 0), 1, o, 1, &r[i]), 0);
    reopen(f);
    plasma_ledger_status st;
    plasma_ledger_status_get(f->l, &st);
    assert_int_equal(st.latest_blknum, 1000);
    assert_int_equal(st.open_blknum, 2000);
    assert_int_equal(st.pending_txs, 2);
    assert_int_equal(pay(f, plasma_utxo_pos(4, 0, 0), 1, o, 1, NULL), PLASMA_ERR_UTXO_SPENT);
    plasma_ledger_receipt r6;
    tk_out o2[1] = {{3, 0, 10}};
    assert_int_equal(pay(f, plasma_utxo_pos(2000, 1, 0), 2, o2, 1, &r6), 0);
    assert_int_equal(r6.blknum, 2000);
    assert_int_equal(r6.txindex, 2);
    assert_int_equal(seal(f), 2000);
    for (int i = 0; i < 5; i++) {
        plasma_buf rlp = {0};
        uint64_t blk;
        uint32_t idx;
        assert_int_equal(plasma_ledger_get_tx(f->l, &r[i].txhash, &blk, &idx, &rlp), 0);
        assert_int_equal(blk, r[i].blknum);
        assert_int_equal(idx, r[i].txindex);
        plasma_buf_free(&rlp);
    }
    /* The deposit cursor came back too. */
    uint64_t cur = 0;
    assert_int_equal(plasma_ledger_cursor(f->l, "dep", &cur), 0);
    assert_int_equal(cur, 5);
}

static void test_block_full(void **state)
{
    fixture *f = *state;
    plasma_ledger_free(f->l);
    f->cfg.block_capacity = 3;
    f->cfg.max_unsubmitted_blocks = 1;
    open_ledger(f);
    for (uint64_t i = 1; i <= 6; i++)
        deposit(f, i, 1, 0, 10);
    tk_out free_o[1] = {{2, 0, 10}};
    tk_out fee_o[1] = {{2, 0, 9}};
    plasma_ledger_receipt r;
    assert_int_equal(pay(f, plasma_utxo_pos(1, 0, 0), 1, fee_o, 1, &r), 0);
    assert_int_equal(pay(f, plasma_utxo_pos(2, 0, 0), 1, free_o, 1, &r), 0);
    /* Room for 3: two payments and the fee tx. The next rolls over. */
    assert_int_equal(pay(f, plasma_utxo_pos(3, 0, 0), 1, free_o, 1, &r), 0);
    assert_int_equal(r.blknum, 2000);
    assert_int_equal(pay(f, plasma_utxo_pos(4, 0, 0), 1, free_o, 1, &r), 0);
    assert_int_equal(pay(f, plasma_utxo_pos(5, 0, 0), 1, free_o, 1, &r), 0);
    /* Block 1000 awaits the root chain: no room anywhere. */
    assert_int_equal(pay(f, plasma_utxo_pos(6, 0, 0), 1, free_o, 1, &r), PLASMA_ERR_BLOCK_FULL);
    uint64_t blknum;
    plasma_hash root;
    assert_int_equal(plasma_ledger_next_unsubmitted(f->l, &blknum, &root), 0);
    assert_int_equal(blknum, 1000);
    assert_int_equal(plasma_ledger_mark_submitted(f->l, 2000, 5), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_ledger_mark_submitted(f->l, 1000, 5), 0);
    assert_int_equal(pay(f, plasma_utxo_pos(6, 0, 0), 1, free_o, 1, &r), 0);
    assert_int_equal(r.blknum, 3000);
    plasma_block_info info;
    collected col = {0};
    assert_int_equal(plasma_ledger_get_block(f->l, 1000, &info, collect, &col), 0);
    assert_int_equal(info.n_txs, 3);
    assert_true(info.submitted);
    assert_int_equal(info.timestamp, 5);
}

static void test_batch(void **state)
{
    fixture *f = *state;
    deposit(f, 1, 1, 0, 100);
    deposit(f, 2, 2, 0, 100);
    tk_out o1[1] = {{2, 0, 100}};
    tk_out o2[1] = {{3, 0, 100}};
    uint64_t in1 = DEP1, in2 = plasma_utxo_pos(1000, 0, 0), in3 = plasma_utxo_pos(2, 0, 0);
    int k1 = 1, k2 = 2;
    plasma_tx txs[4] = {tk_payment(&in1, &k1, 1, o1, 1), tk_payment(&in2, &k2, 1, o2, 1),
                        tk_payment(&in1, &k1, 1, o2, 1), tk_payment(&in3, &k2, 1, o2, 1)};
    plasma_tx_bytes b[4];
    for (int i = 0; i < 4; i++)
        b[i].data = tk_rlp(&txs[i], &b[i].len);
    plasma_ledger_receipt r[4];
    int errs[4];
    plasma_ledger_submit_batch(f->l, r, errs, b, 4);
    assert_int_equal(errs[0], 0);
    assert_int_equal(errs[1], 0);
    assert_int_equal(errs[2], PLASMA_ERR_UTXO_SPENT);
    assert_int_equal(errs[3], 0);
    assert_int_equal(r[1].txindex, 1);
    assert_int_equal(r[3].txindex, 2);
    for (int i = 0; i < 4; i++)
        free((void *)b[i].data);
}

/* A batch is prepared sixteen transactions at a time with their hashes
 * computed side by side: across those chunks every transaction still gets
 * its own verdict and hash, malformed and wrongly signed ones in between,
 * on the vectorised Keccak path and on the portable one. */
static void test_batch_chunks(void **state)
{
    fixture *f = *state;
    enum { N = 40 };
    uint32_t accepted = 0;
    for (int pass = 0; pass < 2; pass++) {
        plasma_keccak_set_lanes(pass == 0 ? 8 : 1);
        plasma_tx txs[N];
        plasma_tx_bytes b[N];
        int want[N];
        for (int i = 0; i < N; i++) {
            uint64_t blknum = (uint64_t)(pass * N + i + 1);
            deposit(f, blknum, 1, 0, 100);
            uint64_t in = plasma_utxo_pos(blknum, 0, 0);
            int key = i % 11 == 5 ? 2 : 1; /* someone else's signature */
            tk_out o[2] = {{2, 0, 70}, {1, 0, 30}};
            txs[i] = tk_payment(&in, &key, 1, o, 2);
            b[i].data = tk_rlp(&txs[i], &b[i].len);
            want[i] = key == 2 ? PLASMA_ERR_UNAUTHORIZED_SPEND : 0;
            if (i % 7 == 3) { /* cut short: not RLP any more */
                b[i].len -= 5;
                want[i] = PLASMA_ERR_MALFORMED_TX;
            }
        }
        plasma_ledger_receipt r[N];
        int errs[N];
        plasma_ledger_submit_batch(f->l, r, errs, b, N);
        uint32_t next = pass == 0 ? 0 : accepted;
        for (int i = 0; i < N; i++) {
            assert_int_equal(errs[i], want[i]);
            if (want[i] != 0)
                continue;
            plasma_hash h;
            assert_int_equal(plasma_tx_hash(&h, &txs[i]), 0);
            assert_memory_equal(r[i].txhash.b, h.b, 32);
            assert_int_equal(r[i].blknum, 1000);
            assert_int_equal(r[i].txindex, next++);
            accepted++;
        }
        for (int i = 0; i < N; i++)
            free((void *)b[i].data);
    }
    plasma_keccak_set_lanes(8);
    /* Every accepted one is in the block, and its proof (from the leaves
     * hashed side by side) verifies against the sealed root. */
    assert_int_equal(seal(f), 1000);
    plasma_block_info info;
    assert_int_equal(plasma_ledger_get_block(f->l, 1000, &info, NULL, NULL), 0);
    assert_int_equal(info.n_txs, accepted);
    for (uint32_t i = 0; i < accepted; i++)
        check_proof(f, plasma_utxo_pos(1000, i, 0), &info.root);
}

static void test_exit_marks_spent(void **state)
{
    fixture *f = *state;
    deposit(f, 1, 1, 0, 100);
    deposit(f, 2, 1, 0, 100);
    uint64_t exits[2] = {DEP1, plasma_utxo_pos(99, 0, 0)};
    assert_int_equal(plasma_ledger_follow(f->l, NULL, 0, exits, 2, "exit", 7), 0);
    tk_out o[1] = {{2, 0, 100}};
    assert_int_equal(pay(f, DEP1, 1, o, 1, NULL), PLASMA_ERR_UTXO_SPENT);
    assert_int_equal(pay(f, plasma_utxo_pos(2, 0, 0), 1, o, 1, NULL), 0);
    reopen(f);
    assert_int_equal(pay(f, DEP1, 1, o, 1, NULL), PLASMA_ERR_UTXO_SPENT);
}

static bool collect_pos(void *arg, const plasma_utxo *u)
{
    uint64_t *out = arg;
    out[++out[0]] = u->pos;
    return true;
}

/* Positions listed for owner k, sorted as the index is (out[0] the count). */
static void owned(fixture *f, int k, uint64_t *out)
{
    plasma_addr a = tk_addr(k);
    out[0] = 0;
    assert_int_equal(plasma_ledger_utxos_by_owner(f->l, &a, 100, collect_pos, out), 0);
}

/* Raw index entries of owner k in the store (the ledger closed): outputs
 * named by single 'o' entries plus those listed in 'O' groups. */
static size_t index_entries(fixture *f, int k)
{
    char err[256];
    plasma_kv *s = NULL;
    assert_int_equal(op_store_open(&s, f->dir, 8, err, sizeof err), 0);
    size_t n = 0;
    for (int kind = 0; kind < 2; kind++) {
        uint8_t prefix[21] = {kind ? 'O' : 'o'};
        plasma_addr a = tk_addr(k);
        memcpy(prefix + 1, a.b, 20);
        plasma_kv_iter *it = plasma_kv_iter_new(s, prefix, sizeof prefix, NULL, 0);
        const uint8_t *key, *val;
        size_t klen, vlen;
        for (; plasma_kv_iter_get(it, &key, &klen, &val, &vlen); plasma_kv_iter_next(it))
            n += kind ? vlen / OP_OWNED_LEN : 1;
        plasma_kv_iter_free(it);
    }
    plasma_kv_free(s);
    return n;
}

/* Raw 'O' entries (groups) of owner k (the ledger closed). */
static size_t group_entries(fixture *f, int k)
{
    char err[256];
    plasma_kv *s = NULL;
    assert_int_equal(op_store_open(&s, f->dir, 8, err, sizeof err), 0);
    uint8_t prefix[21] = {'O'};
    plasma_addr a = tk_addr(k);
    memcpy(prefix + 1, a.b, 20);
    plasma_kv_iter *it = plasma_kv_iter_new(s, prefix, sizeof prefix, NULL, 0);
    const uint8_t *key, *val;
    size_t klen, vlen, n = 0;
    for (; plasma_kv_iter_get(it, &key, &klen, &val, &vlen); plasma_kv_iter_next(it))
        n++;
    plasma_kv_iter_free(it);
    plasma_kv_free(s);
    return n;
}

static void closed(fixture *f, int k, size_t *positions, size_t *groups)
{
    plasma_ledger_free(f->l);
    f->l = NULL;
    *positions = index_entries(f, k);
    *groups = group_entries(f, k);
    open_ledger(f);
}

/* A sealed block's outputs of one owner are one 'O' entry. Listing merges
 * them with the owner's deposits in position order; a query drops the
 * spent outputs it met from a group (also when it stops part-way, keeping
 * the outputs it did not reach), and the group once all are spent. */
static void test_owner_groups(void **state)
{
    fixture *f = *state;
    enum { N = 30 };
    deposit(f, 500, 2, 0, 7); /* before the block */
    uint64_t mine[N];
    for (int i = 0; i < N; i++) {
        deposit(f, (uint64_t)(i + 1), 1, 0, 100);
        tk_out o[2] = {{2, 0, 60}, {1, 0, 40}};
        plasma_ledger_receipt r;
        assert_int_equal(pay(f, plasma_utxo_pos((uint64_t)(i + 1), 0, 0), 1, o, 2, &r), 0);
        mine[i] = plasma_utxo_pos(r.blknum, r.txindex, 0);
    }
    assert_int_equal(seal(f), 1000);
    deposit(f, 1001, 2, 0, 7); /* after it */
    size_t pos_n, groups;
    closed(f, 2, &pos_n, &groups);
    assert_int_equal(pos_n, N + 2);
    assert_int_equal(groups, 1);

    uint64_t got[64];
    owned(f, 2, got);
    assert_int_equal(got[0], N + 2);
    assert_int_equal(got[1], plasma_utxo_pos(500, 0, 0));
    for (int i = 0; i < N; i++)
        assert_int_equal(got[2 + i], mine[i]);
    assert_int_equal(got[N + 2], plasma_utxo_pos(1001, 0, 0));

    /* Spend ten: the next full listing rewrites the group without them. */
    tk_out away[1] = {{3, 0, 60}};
    for (int i = 0; i < 10; i++)
        assert_int_equal(pay(f, mine[i], 2, away, 1, NULL), 0);
    owned(f, 2, got);
    assert_int_equal(got[0], N - 10 + 2);
    closed(f, 2, &pos_n, &groups);
    assert_int_equal(pos_n, N - 10 + 2);
    assert_int_equal(groups, 1);

    /* Five more, and a listing stopped after three outputs: the five it met
     * go, the fourteen it did not reach stay. */
    for (int i = 10; i < 15; i++)
        assert_int_equal(pay(f, mine[i], 2, away, 1, NULL), 0);
    plasma_addr a = tk_addr(2);
    got[0] = 0;
    assert_int_equal(plasma_ledger_utxos_by_owner(f->l, &a, 3, collect_pos, got), 0);
    assert_int_equal(got[0], 3);
    assert_int_equal(got[1], plasma_utxo_pos(500, 0, 0));
    assert_int_equal(got[2], mine[15]);
    assert_int_equal(got[3], mine[16]);
    closed(f, 2, &pos_n, &groups);
    assert_int_equal(pos_n, N - 15 + 2);
    assert_int_equal(groups, 1);

    /* All of them: the group goes. */
    for (int i = 15; i < N; i++)
        assert_int_equal(pay(f, mine[i], 2, away, 1, NULL), 0);
    owned(f, 2, got);
    assert_int_equal(got[0], 2);
    assert_int_equal(got[1], plasma_utxo_pos(500, 0, 0));
    assert_int_equal(got[2], plasma_utxo_pos(1001, 0, 0));
    closed(f, 2, &pos_n, &groups);
    assert_int_equal(pos_n, 2);
    assert_int_equal(groups, 0);
}

/* Spent outputs leave their index entries behind; the query skips them and
 * removes them, and a later query lists the same outputs. */
static void test_utxos_by_owner(void **state)
{
    fixture *f = *state;
    deposit(f, 1, 1, 0, 100);
    deposit(f, 2, 1, 0, 100);
    deposit(f, 3, 1, 0, 100);
    tk_out outs[2] = {{2, 0, 60}, {1, 0, 40}};
    plasma_ledger_receipt r;
    assert_int_equal(pay(f, DEP1, 1, outs, 2, &r), 0);
    /* Unsealed: the entries are held in memory, and rebuilt on reopening. */
    for (int round = 0; round < 2; round++) {
        uint64_t got[16];
        owned(f, 2, got);
        assert_int_equal(got[0], 1);
        assert_int_equal(got[1], plasma_utxo_pos(r.blknum, r.txindex, 0));
        owned(f, 1, got);
        assert_int_equal(got[0], 3); /* deposits 2 and 3, and the change */
        plasma_buf rlp = {0};
        uint64_t blk;
        uint32_t idx;
        assert_int_equal(plasma_ledger_get_tx(f->l, &r.txhash, &blk, &idx, &rlp), 0);
        assert_int_equal(blk, r.blknum);
        assert_int_equal(idx, r.txindex);
        plasma_buf_free(&rlp);
        if (round == 0)
            reopen(f);
    }
    uint64_t exits[1] = {plasma_utxo_pos(2, 0, 0)};
    assert_int_equal(plasma_ledger_follow(f->l, NULL, 0, exits, 1, "exit", 9), 0);
    seal(f);
    plasma_ledger_free(f->l);
    f->l = NULL;
    /* Deposits 2 and 3 and the change; deposit 1's entry, spent, went with
     * the first query above. */
    assert_int_equal(index_entries(f, 1), 3);
    open_ledger(f);
    uint64_t change = plasma_utxo_pos(r.blknum, r.txindex, 1);
    uint64_t got[16];
    owned(f, 1, got);
    assert_int_equal(got[0], 2);
    assert_int_equal(got[1], plasma_utxo_pos(3, 0, 0));
    assert_int_equal(got[2], change);
    owned(f, 2, got);
    assert_int_equal(got[0], 1);
    assert_int_equal(got[1], plasma_utxo_pos(r.blknum, r.txindex, 0));

    plasma_ledger_free(f->l);
    f->l = NULL;
    assert_int_equal(index_entries(f, 1), 2); /* the two stale entries are gone */
    open_ledger(f);
    owned(f, 1, got);
    assert_int_equal(got[0], 2);
    assert_int_equal(got[1], plasma_utxo_pos(3, 0, 0));
    assert_int_equal(got[2], change);
}

static void test_storage_failure(void **state)
{
    fixture *f = *state;
    deposit(f, 1, 1, 0, 100);
    deposit(f, 2, 1, 0, 100);
    plasma_ledger_fail_writes_after(f->l, 0);
    tk_out o[1] = {{2, 0, 100}};
    assert_int_equal(pay(f, DEP1, 1, o, 1, NULL), PLASMA_ERR_IO);
    assert_int_equal(pay(f, plasma_utxo_pos(2, 0, 0), 1, o, 1, NULL), PLASMA_ERR_IO);
    plasma_ledger_status st;
    plasma_ledger_status_get(f->l, &st);
    assert_true(st.failed);
    reopen(f);
    plasma_ledger_status_get(f->l, &st);
    assert_int_equal(st.pending_txs, 0);
    plasma_ledger_receipt r;
    assert_int_equal(pay(f, DEP1, 1, o, 1, &r), 0);
    assert_int_equal(r.txindex, 0);
}

/* A tiny cache: most lookups go to the store, with the same answers. */
static void test_small_cache(void **state)
{
    fixture *f = *state;
    plasma_ledger_free(f->l);
    f->cfg.utxo_cache_bytes = 4096;
    open_ledger(f);
    for (uint64_t i = 1; i <= 200; i++)
        deposit(f, i, 1, 0, 10);
    tk_out o[1] = {{2, 0, 10}};
    for (uint64_t i = 1; i <= 200; i++)
        assert_int_equal(pay(f, plasma_utxo_pos(i, 0, 0), 1, o, 1, NULL), 0);
    plasma_ledger_stats s;
    plasma_ledger_stats_get(f->l, &s);
    assert_false(s.utxo_cache_complete);
    assert_true(s.utxo_cache_bytes <= 8192);
    for (uint64_t i = 1; i <= 200; i += 17)
        assert_int_equal(pay(f, plasma_utxo_pos(i, 0, 0), 1, o, 1, NULL), PLASMA_ERR_UTXO_SPENT);
    reopen(f);
    for (uint32_t i = 0; i < 200; i += 13)
        assert_int_equal(pay(f, plasma_utxo_pos(1000, i, 0), 2, o, 1, NULL), 0);
    for (uint32_t i = 0; i < 200; i += 13)
        assert_int_equal(pay(f, plasma_utxo_pos(1000, i, 0), 2, o, 1, NULL), PLASMA_ERR_UTXO_SPENT);
}

/* An output record keeps its amount in minimal big-endian form, and the
 * fixed 32-byte form of earlier versions still reads the same. */
static void test_utxo_record(void **state)
{
    (void)state;
    static const char *const amounts[] = {
        "0",
        "1",
        "255",
        "256",
        "600000",
        "18446744073709551616",
        "115792089237316195423570985008687907853269984665640564039457584007913129639935"};
    for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++) {
        op_utxo_rec r, back;
        memset(&r, 0, sizeof r);
        memset(r.owner.b, 0x11, 20);
        memset(r.token.b, 0x22, 20);
        assert_int_equal(plasma_u256_parse_dec(&r.amount, amounts[i]), 0);
        uint8_t val[OP_UTXO_REC_LEN];
        size_t len = op_utxo_encode(val, &r);
        assert_int_equal(len, 40 + plasma_u256_byte_len(&r.amount));
        assert_int_equal(op_utxo_decode(&back, val, len), 0);
        assert_memory_equal(&back, &r, sizeof r);

        uint8_t fixed[72];
        memcpy(fixed, val, 40);
        plasma_u256_to_be(fixed + 40, &r.amount);
        assert_int_equal(op_utxo_decode(&back, fixed, sizeof fixed), 0);
        assert_memory_equal(&back, &r, sizeof r);
    }
    uint8_t junk[80] = {0};
    op_utxo_rec out;
    assert_int_equal(op_utxo_decode(&out, junk, 39), PLASMA_ERR_IO);
    assert_int_equal(op_utxo_decode(&out, junk, 73), PLASMA_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utxo_record),
        cmocka_unit_test_setup_teardown(test_accept_and_double_spend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_min_fee, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fees_three_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_keeps_positions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exit_marks_spent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utxos_by_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_owner_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_storage_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_cache, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
