/* Integration-test helpers that need funds: root-chain calls through the
 * operator's embedded chain API (/rootchain, signed envelopes as a wallet
 * sends them) and signed payments to the operator. Header-only, static. */
#ifndef PLASMA_ITEST_CHAIN_H
#define PLASMA_ITEST_CHAIN_H

#include "itest.h"
#include "plasma/exitgame.h"
#include "plasma/rootchain.h"

#define IT_GAS_PRICE 1000000000ull
#define IT_GAS_LIMIT 300000ull

static inline plasma_privkey it_dev_key(unsigned i)
{
    plasma_privkey k;
    assert_int_equal(plasma_dev_key(&k, i), 0);
    return k;
}

static inline plasma_addr it_dev_addr(unsigned i)
{
    plasma_addr a;
    assert_int_equal(plasma_dev_addr(&a, i), 0);
    return a;
}

static inline plasma_addr it_token(uint8_t tag)
{
    plasma_addr t;
    memset(t.b, 0, sizeof t.b);
    if (tag) {
        memset(t.b, 0xa0, sizeof t.b);
        t.b[19] = tag;
    }
    return t;
}

static inline json_t *it_get_json(const it_daemon *d, const char *path)
{
    it_resp r = it_get(d, path);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path, r.status, r.body ? r.body : "");
    json_t *j = json_incref(r.json);
    it_resp_free(&r);
    return j;
}

static inline uint64_t it_json_u64(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_integer(v))
        return (uint64_t)json_integer_value(v);
    assert_true(json_is_string(v));
    return strtoull(json_string_value(v), NULL, 10);
}

/* Where the root chain's API is: the operator's /rootchain (embedded), or
 * a plasma-rootchain daemon when a test sets it. */
static char it_rc_base[96];

static inline plasma_rootchain_client *it_rc_client(const it_daemon *d)
{
    char url[128];
    if (it_rc_base[0])
        snprintf(url, sizeof url, "%s", it_rc_base);
    else
        snprintf(url, sizeof url, "http://127.0.0.1:%u/rootchain", d->port);
    plasma_rootchain_client *c = NULL;
    assert_int_equal(plasma_rootchain_client_new(&c, url, 10000), 0);
    return c;
}

static inline void it_rc_mine(const it_daemon *d)
{
    plasma_rootchain_client *c = it_rc_client(d);
    int rc = plasma_rootchain_client_dev_mine(c, 1, NULL);
    if (rc != 0)
        fail_msg("dev mine: %s", plasma_rootchain_client_errmsg(c));
    plasma_rootchain_client_free(c);
}

static inline plasma_rootchain_status it_rc_status(const it_daemon *d)
{
    plasma_rootchain_client *c = it_rc_client(d);
    plasma_rootchain_status st;
    assert_int_equal(plasma_rootchain_client_status(c, &st), 0);
    plasma_rootchain_client_free(c);
    return st;
}

/* The root the root chain stores for a child or deposit block. */
static inline plasma_hash it_rc_root(const it_daemon *d, uint64_t blknum)
{
    plasma_rootchain_client *c = it_rc_client(d);
    plasma_block_record rec;
    int rc = plasma_rootchain_client_block_root(c, blknum, &rec);
    plasma_rootchain_client_free(c);
    if (rc != 0)
        fail_msg("the root chain has no block %llu", (unsigned long long)blknum);
    return rec.root;
}

/* Signs call as dev account `from` with its next nonce, sends it, mines a
 * block and asserts that the call succeeded. */
static inline void it_rc_call(const it_daemon *d, unsigned from, plasma_call *call)
{
    plasma_rootchain_client *c = it_rc_client(d);
    plasma_addr a = it_dev_addr(from);
    uint64_t nonce, next;
    plasma_call_domain dom;
    assert_int_equal(plasma_rootchain_client_nonce(c, &a, &nonce, &next), 0);
    assert_int_equal(plasma_rootchain_client_domain(c, &dom), 0);
    call->from = a;
    call->nonce = next;
    call->gas_price = IT_GAS_PRICE;
    call->gas_limit = IT_GAS_LIMIT;
    plasma_privkey k = it_dev_key(from);
    plasma_hash h;
    if (plasma_rootchain_client_send(c, &dom, call, &k, &h, NULL) != 0)
        fail_msg("root-chain call refused: %s", plasma_rootchain_client_errmsg(c));
    assert_int_equal(plasma_rootchain_client_dev_mine(c, 1, NULL), 0);
    plasma_receipt rec;
    assert_int_equal(plasma_rootchain_client_wait_receipt(c, &h, 5000, &rec), 0);
    if (rec.err)
        fail_msg("root-chain call failed: %s", plasma_err_code(rec.err));
    plasma_rootchain_client_free(c);
}

static inline void it_rc_mint(const it_daemon *d, unsigned to, uint8_t token, uint64_t amount)
{
    plasma_rootchain_client *c = it_rc_client(d);
    plasma_addr addr = it_dev_addr(to), tok = it_token(token);
    plasma_u256 v = plasma_u256_from_u64(amount);
    assert_int_equal(plasma_rootchain_client_dev_mint(c, &addr, &tok, &v), 0);
    plasma_rootchain_client_free(c);
}

/* Deposits amount of token as dev account `from`; returns the deposit's
 * utxo_pos once mined (not waiting for the operator). */
static inline uint64_t it_rc_deposit(const it_daemon *d, unsigned from, uint8_t token, uint64_t amount)
{
    uint64_t blknum = it_rc_status(d).next_deposit_block;
    if (token)
        it_rc_mint(d, from, token, amount);
    plasma_call c;
    plasma_addr a = it_dev_addr(from);
    plasma_call_init(&c, PLASMA_CALL_DEPOSIT, &a, 0, 0, 0);
    c.deposit.token = it_token(token);
    c.deposit.amount = plasma_u256_from_u64(amount);
    it_rc_call(d, from, &c);
    return plasma_utxo_pos(blknum, 0, 0);
}

/* Waits until GET /v1/utxos/{pos} answers status (200: the operator knows
 * the output unspent); fails after seconds. */
static inline void it_wait_utxo_status(const it_daemon *d, uint64_t pos, long status, double seconds)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/utxos/%llu", (unsigned long long)pos);
    double deadline = it_now() + seconds;
    for (;;) {
        it_resp r = it_get(d, path);
        long st = r.status;
        it_resp_free(&r);
        if (st == status)
            return;
        if (it_now() > deadline)
            fail_msg("GET %s stayed at %ld, expected %ld", path, st, status);
        it_sleep_ms(20);
    }
}

typedef struct it_out {
    unsigned owner; /* dev account */
    uint8_t token;
    uint64_t amount;
} it_out;

/* Signs a payment spending inputs (input i signed by dev key keys[i]). */
static inline char *it_payment_body(const uint64_t *inputs, const unsigned *keys, int n_in,
                                    const it_out *outs, int n_out, plasma_hash *txhash)
{
    plasma_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.tx_type = PLASMA_TX_PAYMENT;
    tx.n_inputs = (uint8_t)n_in;
    tx.n_outputs = (uint8_t)n_out;
    for (int i = 0; i < n_in; i++)
        tx.inputs[i] = inputs[i];
    for (int o = 0; o < n_out; o++)
        tx.outputs[o] = (plasma_output){it_dev_addr(outs[o].owner), it_token(outs[o].token),
                                        plasma_u256_from_u64(outs[o].amount)};
    plasma_domain dom;
    plasma_domain_dev(&dom);
    for (int i = 0; i < n_in; i++) {
        plasma_privkey k = it_dev_key(keys[i]);
        assert_int_equal(plasma_tx_sign_input(&tx, &dom, (unsigned)i, &k), 0);
    }
    if (txhash)
        assert_int_equal(plasma_tx_hash(txhash, &tx), 0);
    plasma_buf b = {0};
    assert_int_equal(plasma_tx_encode_signed(&b, &tx), 0);
    char *body = it_tx_body(b.data, b.len);
    plasma_buf_free(&b);
    return body;
}

/* Submits a one-input payment; returns the response. */
static inline it_resp it_pay(const it_daemon *d, uint64_t input, unsigned key, const it_out *outs, int n_out)
{
    char *body = it_payment_body(&input, &key, 1, outs, n_out, NULL);
    it_resp r = it_post(d, "/v1/transactions", body);
    free(body);
    return r;
}

static inline uint64_t it_admin_seal(const it_daemon *d)
{
    it_resp r;
    assert_true(it_request(d->port, "POST", "/admin/seal", "{}", 2, "application/json",
                           "X-Admin-Token: s3cret\r\n", &r));
    if (r.status != 200)
        fail_msg("seal: %ld %s", r.status, r.body);
    uint64_t b = it_json_u64(r.json, "sealed_blknum");
    it_resp_free(&r);
    return b;
}

/* Mines until the operator reports blknum submitted. */
static inline void it_wait_submitted(const it_daemon *d, uint64_t blknum, double seconds)
{
    double deadline = it_now() + seconds;
    for (;;) {
        json_t *h = it_get_json(d, "/health");
        uint64_t last = it_json_u64(h, "last_submitted");
        json_decref(h);
        if (last >= blknum)
            return;
        if (it_now() > deadline)
            fail_msg("block %llu not submitted in time", (unsigned long long)blknum);
        it_rc_mine(d);
        it_sleep_ms(30);
    }
}

/* The UnsignedTx of a SignedTx, by dropping the signature list. */
static inline void it_unsigned_of(plasma_buf *out, const uint8_t *rlp, size_t len)
{
    plasma_rlp_item list, item;
    plasma_rlp_iter it;
    assert_int_equal(plasma_rlp_decode(&list, rlp, len), 0);
    plasma_rlp_iter_init(&it, &list);
    assert_int_equal(plasma_rlp_iter_next(&it, &item), 1);
    size_t m = plasma_rlp_list_begin(out);
    plasma_buf_append(out, it.p, (size_t)(list.data + list.len - it.p));
    assert_int_equal(plasma_rlp_list_end(out, m), 0);
}

#endif
