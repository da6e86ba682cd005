/* The operator and the watcher apply one set of rules (core/include/plasma/
 * rules.h): the same crafted payments go to the operator's ledger and, in a
 * block with the fee transactions their surplus calls for, to the watcher's
 * block verification (client/src/watch_verify.c);
 * both must accept or refuse each. Blocks the ledger seals pass the
 * watcher; each way of breaking their fee transactions fails it. */
#include "op_testkit.h"
#include "plasma/client.h"
#include "plasma/json.h"
#include "plasma/merkle.h"
#include "plasma/ledger.h"
#include "watch_verify.h"

#define BLK 1000u

typedef struct world {
    char *dir;
    plasma_ledger *l;
    plasma_fee_rule rules[2];
    plasma_fee_policy policy;
    struct {
        uint64_t blknum;
        plasma_output out;
    } deposits[64]; /* as the watcher's view holds them */
    size_t n_deposits;
} world;

static world W;

/* Token tags: 0 ETH (min 5), 1 token A (min 10), 2 token B (min 0). */
static void open_ledger(void)
{
    plasma_ledger_config cfg;
    char err[256];
    plasma_ledger_config_default(&cfg);
    cfg.data_dir = W.dir;
    cfg.fee_beneficiary = tk_addr(0);
    cfg.seal_interval_ms = 0;
    cfg.commit_linger_us = 0;
    cfg.sig_threads = 1;
    cfg.min_fee = W.policy.min_fee;
    cfg.fee_rules = W.rules;
    cfg.n_fee_rules = 2;
    if (plasma_ledger_open(&W.l, &cfg, err, sizeof err) != 0)
        fail_msg("open: %s", err);
}

static int setup(void **state)
{
    (void)state;
    memset(&W, 0, sizeof W);
    W.dir = tk_tmpdir();
    W.policy.min_fee = plasma_u256_from_u64(5);
    W.rules[0] = (plasma_fee_rule){tk_token(1), plasma_u256_from_u64(10)};
    W.rules[1] = (plasma_fee_rule){tk_token(2), plasma_u256_from_u64(0)};
    W.policy.rules = W.rules;
    W.policy.n_rules = 2;
    open_ledger();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    plasma_ledger_free(W.l);
    tk_rmrf(W.dir);
    free(W.dir);
    return 0;
}

/* A deposit known to both: the ledger follows it, the watcher's view holds
 * it. */
static void deposit(uint64_t blknum, int owner, uint8_t token, uint64_t amount)
{
    plasma_deposit d = {blknum, tk_addr(owner), tk_token(token), plasma_u256_from_u64(amount), 1};
    assert_int_equal(plasma_ledger_follow(W.l, &d, 1, NULL, 0, "dep", blknum), 0);
    assert_true(W.n_deposits < sizeof W.deposits / sizeof W.deposits[0]);
    W.deposits[W.n_deposits].blknum = blknum;
    W.deposits[W.n_deposits++].out = (plasma_output){d.owner, d.token, d.amount};
}

static json_t *hex_tx(const plasma_tx *tx)
{
    plasma_buf b = {0};
    assert_int_equal(plasma_tx_encode_signed(&b, tx), 0);
    json_t *j = plasma_json_hex(b.data, b.len);
    plasma_buf_free(&b);
    return j;
}

/* Block BLK as the operator serves it: txs[i], or where dropped[i] (may be
 * NULL) the tx it dropped before the seal, null in the JSON form and the
 * empty string in the binary form. Out: *root, the txs' root, a dropped
 * tx's leaf the empty leaf. */
static plasma_buf served_block(const plasma_tx *txs, const bool *dropped, size_t n, bool binary,
                               plasma_hash *root)
{
    plasma_hash *leaves = calloc(n ? n : 1, sizeof *leaves);
    json_t *arr = json_array();
    plasma_buf rlp_txs = {0}, body = {0};
    for (size_t i = 0; i < n; i++) {
        bool gone = dropped && dropped[i];
        plasma_buf u = {0};
        assert_int_equal(plasma_tx_encode_unsigned(&u, &txs[i]), 0);
        plasma_merkle_leaf(&leaves[i], u.data, u.len);
        if (gone)
            leaves[i] = *plasma_merkle_empty(0);
        plasma_buf_free(&u);
        json_array_append_new(arr, gone ? json_null() : hex_tx(&txs[i]));
        assert_int_equal(
            gone ? plasma_rlp_put_bytes(&rlp_txs, NULL, 0) : plasma_tx_encode_signed(&rlp_txs, &txs[i]), 0);
    }
    assert_int_equal(plasma_merkle_root(root, leaves, n), 0);
    free(leaves);
    if (binary) {
        size_t outer = plasma_rlp_list_begin(&body);
        plasma_rlp_put_u64(&body, BLK);
        plasma_rlp_put_bytes(&body, root->b, sizeof root->b);
        plasma_rlp_put_u64(&body, 1700000000);
        size_t list = plasma_rlp_list_begin(&body);
        plasma_buf_append(&body, rlp_txs.data, rlp_txs.len);
        assert_int_equal(plasma_rlp_list_end(&body, list), 0);
        assert_int_equal(plasma_rlp_list_end(&body, outer), 0);
        assert_false(body.failed);
    } else {
        json_t *j = json_pack("{s:o}", "txs", arr);
        arr = NULL;
        char *text = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        assert_int_equal(plasma_buf_append(&body, (const uint8_t *)text, strlen(text)), 0);
        free(text);
    }
    json_decref(arr);
    plasma_buf_free(&rlp_txs);
    return body;
}

/* The watcher's verdict on block BLK served as body (its block
 * verification, client/src/watch_verify.c) on a view holding the deposits,
 * against root. PLASMA_ERR_MALFORMED_TX for a body it cannot even parse. */
static int watcher_verdict_on(plasma_buf *body, bool binary, const plasma_hash *root)
{
    static unsigned serial;
    char dir[300];
    snprintf(dir, sizeof dir, "%s/watch-%u", W.dir, serial++);
    watch_store *store = NULL;
    watch_view *view = NULL;
    watch_batch *batch = NULL;
    assert_int_equal(watch_store_open(&store, dir, 1u << 20), 0);
    assert_int_equal(watch_view_open(&view, store, 1u << 20), 0);
    for (size_t i = 0; i < W.n_deposits; i++)
        assert_int_equal(
            watch_view_add(view, plasma_utxo_pos(W.deposits[i].blknum, 0, 0), &W.deposits[i].out), 0);
    assert_int_equal(watch_batch_new(&batch), 0);
    assert_int_equal(watch_view_stage(view, batch), 0);
    assert_int_equal(watch_store_write(store, batch), 0);
    watch_view_settle(view);

    watch_block blk = {0};
    const char *bad = NULL;
    if (watch_block_parse(&blk, BLK, body, binary) != 0) {
        bad = "unparsed";
    } else {
        plasma_domain domain;
        plasma_domain_dev(&domain);
        for (size_t c = 0; c < watch_block_chunks(&blk); c++)
            watch_verify_prepare(&blk, &domain, c);
        int err = -1;
        bad = watch_verify_block(view, root, &W.policy, &blk, &err);
        assert_int_equal(err, 0);
    }
    watch_block_free(&blk);
    plasma_buf_free(body);
    watch_batch_free(batch);
    watch_view_free(view);
    watch_store_close(store);
    tk_rmrf(dir);
    return bad ? PLASMA_ERR_MALFORMED_TX : 0;
}

/* The watcher's verdict on child block BLK holding txs, served in its JSON
 * form, with the root the txs hash to. */
static int watcher_verdict(const plasma_tx *txs, size_t n)
{
    plasma_hash root;
    plasma_buf body = served_block(txs, NULL, n, false, &root);
    return watcher_verdict_on(&body, false, &root);
}

/* The same with the txs marked in dropped served as dropped, in the
 * binary form or the JSON form. */
static int watcher_verdict_dropped(const plasma_tx *txs, const bool *dropped, size_t n, bool binary)
{
    plasma_hash root;
    plasma_buf body = served_block(txs, dropped, n, binary, &root);
    return watcher_verdict_on(&body, binary, &root);
}

/* The fee transactions the surplus of tx calls for, one per token with a
 * positive surplus, in token order (what an operator would append). */
static size_t fee_txs_for(plasma_tx *out, const plasma_tx *tx, const plasma_output *spent)
{
    plasma_block_fees f = {0};
    for (unsigned i = 0; i < tx->n_inputs; i++) {
        plasma_u256 in = plasma_u256_from_u64(0), outsum = plasma_u256_from_u64(0), surplus;
        bool seen = false;
        for (unsigned j = 0; j < i; j++)
            seen = seen || plasma_addr_eq(&spent[j].token, &spent[i].token);
        if (seen)
            continue;
        for (unsigned j = 0; j < tx->n_inputs; j++)
            if (plasma_addr_eq(&spent[j].token, &spent[i].token))
                plasma_u256_add(&in, &in, &spent[j].amount);
        for (unsigned k = 0; k < tx->n_outputs; k++)
            if (plasma_addr_eq(&tx->outputs[k].token, &spent[i].token))
                plasma_u256_add(&outsum, &outsum, &tx->outputs[k].amount);
        if (plasma_u256_sub(&surplus, &in, &outsum) == 0) {
            plasma_fee fee = {spent[i].token, surplus};
            assert_int_equal(plasma_block_fees_add(&f, &fee), 0);
        }
    }
    plasma_block_fees_sort(&f);
    plasma_addr ben = tk_addr(0);
    for (size_t k = 0; k < f.n; k++)
        plasma_tx_make_fee(&out[k], BLK, &ben, &f.fees[k].token, &f.fees[k].amount);
    size_t n = f.n;
    plasma_block_fees_free(&f);
    return n;
}

typedef struct tx_case {
    const char *name;
    uint64_t in_blk[2];
    uint8_t in_token[2];
    int n_in;
    int key;
    tk_out outs[2];
    int n_out;
    int op_err; /* the operator's verdict */
} tx_case;

static void test_same_verdict_per_payment(void **state)
{
    (void)state;
    static const tx_case cases[] = {
        {"fee 5 in ETH, the minimum", {1}, {0}, 1, 1, {{2, 0, 95}}, 1, 0},
        {"fee 2 in ETH, below 5", {2}, {0}, 1, 1, {{2, 0, 98}}, 1, PLASMA_ERR_FEE_TOO_LOW},
        {"surplus in ETH and token A",
         {3, 4},
         {0, 1},
         2,
         1,
         {{2, 0, 90}, {2, 1, 80}},
         2,
         PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP},
        {"outputs exceed inputs", {5}, {0}, 1, 1, {{2, 0, 101}}, 1, PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP},
        {"no surplus, token B is free", {6}, {2}, 1, 1, {{2, 2, 100}}, 1, 0},
        {"no surplus, token A is not", {7}, {1}, 1, 1, {{2, 1, 100}}, 1, PLASMA_ERR_FEE_TOO_LOW},
        {"fee 20 in token A", {8}, {1}, 1, 1, {{2, 1, 80}}, 1, 0},
        {"signed by another key", {9}, {0}, 1, 2, {{2, 0, 90}}, 1, PLASMA_ERR_UNAUTHORIZED_SPEND},
        {"spends nothing", {50}, {0}, 1, 1, {{2, 0, 90}}, 1, PLASMA_ERR_UTXO_NOT_FOUND},
        {"fee in token B and surplus nowhere else", {10, 11}, {2, 0}, 2, 1, {{2, 2, 99}, {2, 0, 100}}, 2, 0},
    };
    for (uint64_t b = 1; b <= 11; b++)
        deposit(b, 1, b == 4 || b == 7 || b == 8 ? 1 : b == 6 || b == 10 ? 2 : 0, 100);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const tx_case *k = &cases[c];
        int keys[2] = {k->key, k->key};
        uint64_t ins[2] = {plasma_utxo_pos(k->in_blk[0], 0, 0), plasma_utxo_pos(k->in_blk[1], 0, 0)};
        plasma_tx tx = tk_payment(ins, keys, k->n_in, k->outs, k->n_out);
        plasma_output spent[2];
        for (int i = 0; i < k->n_in; i++)
            spent[i] = (plasma_output){tk_addr(1), tk_token(k->in_token[i]), plasma_u256_from_u64(100)};
        plasma_tx block[1 + PLASMA_MAX_INPUTS];
        block[0] = tx;
        size_t n = 1 + fee_txs_for(block + 1, &tx, spent);
        int w = watcher_verdict(block, n);

        size_t len;
        uint8_t *rlp = tk_rlp(&tx, &len);
        plasma_ledger_receipt r;
        int op = plasma_ledger_submit(W.l, &r, rlp, len);
        free(rlp);
        print_message("%-42s operator %-22s watcher %s\n", k->name, plasma_err_code(op),
                      w == 0 ? "valid" : "invalid");
        assert_int_equal(op, k->op_err);
        assert_int_equal(op == 0, w == 0);
    }
}

typedef struct block_txs {
    plasma_tx tx[16];
    size_t n;
} block_txs;

static bool collect(void *arg, const uint8_t *rlp, size_t len)
{
    block_txs *b = arg;
    assert_true(b->n < 16);
    assert_int_equal(plasma_tx_decode_block_tx(&b->tx[b->n++], rlp, len), 0);
    return true;
}

static void test_sealed_blocks_and_broken_fee_txs(void **state)
{
    (void)state;
    deposit(1, 1, 0, 100);
    deposit(2, 1, 1, 100);
    deposit(3, 1, 2, 100);
    int key = 1;
    uint64_t in[3] = {plasma_utxo_pos(1, 0, 0), plasma_utxo_pos(2, 0, 0), plasma_utxo_pos(3, 0, 0)};
    tk_out eth = {2, 0, 93}, tok_a = {2, 1, 85}, tok_b = {2, 2, 100};
    plasma_tx p1 = tk_payment(&in[0], &key, 1, &eth, 1);
    plasma_tx p2 = tk_payment(&in[1], &key, 1, &tok_a, 1);
    plasma_tx p3 = tk_payment(&in[2], &key, 1, &tok_b, 1);
    const plasma_tx *ps[3] = {&p1, &p2, &p3};
    for (int i = 0; i < 3; i++) {
        size_t len;
        uint8_t *rlp = tk_rlp(ps[i], &len);
        plasma_ledger_receipt r;
        assert_int_equal(plasma_ledger_submit(W.l, &r, rlp, len), 0);
        free(rlp);
    }
    uint64_t blknum = 0;
    assert_int_equal(plasma_ledger_seal(W.l, &blknum), 0);
    assert_int_equal(blknum, BLK);
    block_txs b = {0};
    plasma_block_info info;
    assert_int_equal(plasma_ledger_get_block(W.l, BLK, &info, collect, &b), 0);
    assert_int_equal(b.n, 5); /* three payments, fee txs of ETH and token A */
    assert_int_equal(watcher_verdict(b.tx, b.n), 0);

    block_txs m;
    /* A fee transaction left out. */
    m = b;
    m.n--;
    assert_int_not_equal(watcher_verdict(m.tx, m.n), 0);
    /* A total one unit too high. */
    m = b;
    plasma_u256_add(&m.tx[3].outputs[0].amount, &m.tx[3].outputs[0].amount, &(plasma_u256){{1}});
    assert_int_not_equal(watcher_verdict(m.tx, m.n), 0);
    /* Fee transactions out of token order. */
    m = b;
    m.tx[3] = b.tx[4];
    m.tx[4] = b.tx[3];
    assert_int_not_equal(watcher_verdict(m.tx, m.n), 0);
    /* Metadata of another block. */
    m = b;
    plasma_tx_make_fee(&m.tx[3], 2 * BLK, &b.tx[3].outputs[0].owner, &b.tx[3].outputs[0].token,
                       &b.tx[3].outputs[0].amount);
    assert_int_not_equal(watcher_verdict(m.tx, m.n), 0);
    /* A fee transaction before a payment. */
    m = b;
    m.tx[2] = b.tx[3];
    m.tx[3] = b.tx[2];
    assert_int_not_equal(watcher_verdict(m.tx, m.n), 0);
    /* A fee transaction for a token that collected nothing. */
    m = b;
    plasma_addr token_b = tk_token(2);
    plasma_tx_make_fee(&m.tx[m.n++], BLK, &b.tx[3].outputs[0].owner, &token_b, &(plasma_u256){{1}});
    assert_int_not_equal(watcher_verdict(m.tx, m.n), 0);
    /* Two beneficiaries. */
    m = b;
    m.tx[4].outputs[0].owner = tk_addr(3);
    assert_int_not_equal(watcher_verdict(m.tx, m.n), 0);
}

/* A tx the operator dropped before the seal (its input was finalized on
 * the root chain) is served as null (JSON) or the empty string (binary):
 * the watcher takes it as the empty leaf and nothing else, in both forms;
 * what the dropped tx would have created does not exist. */
static void test_dropped_txs(void **state)
{
    (void)state;
    deposit(1, 1, 2, 100);
    deposit(2, 1, 2, 100);
    int key = 1, bob = 2;
    uint64_t in[2] = {plasma_utxo_pos(1, 0, 0), plasma_utxo_pos(2, 0, 0)};
    tk_out to_bob = {2, 2, 100}, to_carol = {3, 2, 100};
    plasma_tx t[3];
    t[0] = tk_payment(&in[0], &key, 1, &to_bob, 1);
    t[1] = tk_payment(&in[1], &key, 1, &to_bob, 1);
    uint64_t made = plasma_utxo_pos(BLK, 0, 0);
    t[2] = tk_payment(&made, &bob, 1, &to_carol, 1); /* spends what t[0] made */
    const bool first[3] = {true, false, false}, none[3] = {false, false, false},
               chain[3] = {true, false, true};
    for (int binary = 0; binary < 2; binary++) {
        assert_int_equal(watcher_verdict_dropped(t, none, 2, binary), 0);
        assert_int_equal(watcher_verdict_dropped(t, first, 2, binary), 0);
        assert_int_equal(watcher_verdict_dropped(t, chain, 3, binary), 0);
        assert_int_equal(watcher_verdict_dropped(t, none, 3, binary), 0);
        /* t[0] dropped: t[2] spends an output that does not exist */
        assert_int_not_equal(watcher_verdict_dropped(t, first, 3, binary), 0);
    }
    /* The root must hold the empty leaf where the tx was dropped. */
    plasma_hash full, root;
    plasma_buf body = served_block(t, NULL, 2, false, &full);
    plasma_buf_free(&body);
    for (int binary = 0; binary < 2; binary++) {
        body = served_block(t, first, 2, binary, &root);
        assert_false(plasma_hash_eq(&root, &full));
        assert_int_not_equal(watcher_verdict_on(&body, binary, &full), 0);
    }

    /* The JSON form names a dropped tx null only: its binary marker as a
     * string, or any other non-string, is malformed. */
    static const char *const bad_json[] = {"{\"txs\": [\"0x80\"]}", "{\"txs\": [7]}", "{\"txs\": [{}]}"};
    for (size_t i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
        body = (plasma_buf){0};
        assert_int_equal(plasma_buf_append(&body, (const uint8_t *)bad_json[i], strlen(bad_json[i])), 0);
        plasma_hash empty_root;
        assert_int_equal(plasma_merkle_root(&empty_root, plasma_merkle_empty(0), 1), 0);
        assert_int_not_equal(watcher_verdict_on(&body, false, &empty_root), 0);
    }
}

/* Only a payment is dropped: a dropped tx among the fee transactions makes
 * the block invalid, in both forms. */
static void test_dropped_after_fee_txs(void **state)
{
    (void)state;
    deposit(1, 1, 0, 100);
    int key = 1;
    uint64_t in = plasma_utxo_pos(1, 0, 0);
    tk_out eth = {2, 0, 93};
    plasma_tx t[3];
    t[0] = tk_payment(&in, &key, 1, &eth, 1);
    plasma_output spent = W.deposits[0].out;
    assert_int_equal(fee_txs_for(&t[1], &t[0], &spent), 1);
    t[2] = t[0];
    const bool last[3] = {false, false, true};
    for (int binary = 0; binary < 2; binary++) {
        assert_int_equal(watcher_verdict_dropped(t, NULL, 2, binary), 0);
        assert_int_not_equal(watcher_verdict_dropped(t, last, 3, binary), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_verdict_per_payment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sealed_blocks_and_broken_fee_txs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_txs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_after_fee_txs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
