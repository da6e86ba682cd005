/* Helpers shared by the root-chain node tests: a node served by a real
 * plasma_http server on a loopback port, the project's client, a raw HTTP
 * sender for malformed requests, and signed calls of the development
 * accounts. Header-only, static. */
#ifndef PLASMA_TEST_ROOTCHAIN_KIT_H
#define PLASMA_TEST_ROOTCHAIN_KIT_H

#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plasma/rootchain.h"
#include "testutil.h"

#define RCK_GWEI 1000000000ull
#define RCK_ETH 1000000000000000000ull
#define RCK_GAS 1000000u /* gas limit of a test call */

typedef struct rck_opts {
    bool dev;
    size_t max_body;      /* 0: server default */
    uint64_t interval_ms; /* 0: mine on demand */
    const char *data_dir; /* NULL: memory */
    size_t max_pending;   /* 0: default */
    const char *prefix;   /* NULL: "" */
    uint64_t min_exit_period;
} rck_opts;

typedef struct rck {
    plasma_rootnode *node;
    plasma_http_server *srv;
    plasma_rootchain_client *cli;
    uint16_t port;
    const char *prefix;
    plasma_chain_config cfg;
    plasma_call_domain cd;
    plasma_domain dom;
    plasma_privkey key[PLASMA_DEV_ACCOUNTS];
    plasma_addr addr[PLASMA_DEV_ACCOUNTS];
    plasma_addr eth;
    plasma_addr token;
} rck;

static inline plasma_u256 rck_u(uint64_t v)
{
    return plasma_u256_from_u64(v);
}

/* milli-ETH in wei */
static inline plasma_u256 rck_meth(uint64_t milli)
{
    plasma_u256 r = rck_u(milli);
    plasma_u256_mul_u64(&r, &r, RCK_ETH / 1000);
    return r;
}

static inline void rck_assert_u256_at(plasma_u256 a, plasma_u256 b, const char *file, int line)
{
    if (plasma_u256_cmp(&a, &b) == 0)
        return;
    char x[PLASMA_U256_DEC_MAX], y[PLASMA_U256_DEC_MAX];
    fail_msg("%s:%d: %s != %s", file, line, plasma_u256_format_dec(x, &a), plasma_u256_format_dec(y, &b));
}
#define rck_assert_u256(a, b) rck_assert_u256_at(a, b, __FILE__, __LINE__)

static inline plasma_u256 rck_add(plasma_u256 a, plasma_u256 b)
{
    assert_int_equal(plasma_u256_add(&a, &a, &b), 0);
    return a;
}

static inline plasma_u256 rck_sub(plasma_u256 a, plasma_u256 b)
{
    assert_int_equal(plasma_u256_sub(&a, &a, &b), 0);
    return a;
}

static inline plasma_u256 rck_fee(uint64_t gas, uint64_t price)
{
    plasma_u256 r = rck_u(gas);
    plasma_u256_mul_u64(&r, &r, price);
    return r;
}

static inline void rck_start(rck *k, const rck_opts *o)
{
    memset(k, 0, sizeof *k);
    plasma_rootnode_config nc;
    plasma_rootnode_config_default(&nc);
    nc.dev = o->dev;
    nc.data_dir = o->data_dir;
    nc.mine_interval_ms = o->interval_ms;
    if (o->max_pending)
        nc.max_pending = o->max_pending;
    if (o->min_exit_period)
        nc.chain.min_exit_period = o->min_exit_period;
    k->cfg = nc.chain;
    assert_int_equal(plasma_rootnode_new(&k->node, &nc), 0);
    k->prefix = o->prefix ? o->prefix : "";
    plasma_http_mount m;
    plasma_rootnode_mount(k->node, k->prefix, &m);
    plasma_http_config hc = {.port = 0, .max_body = o->max_body};
    assert_int_equal(plasma_http_server_start(&k->srv, &hc, &m, 1), 0);
    k->port = plasma_http_server_port(k->srv);
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", k->port, k->prefix);
    assert_int_equal(plasma_rootchain_client_new(&k->cli, url, 10000), 0);
    for (unsigned i = 0; i < PLASMA_DEV_ACCOUNTS; i++) {
        assert_int_equal(plasma_dev_key(&k->key[i], i), 0);
        assert_int_equal(plasma_dev_addr(&k->addr[i], i), 0);
    }
    plasma_rootnode_lock(k->node);
    plasma_chain_call_domain(&k->cd, plasma_rootnode_chain(k->node));
    plasma_rootnode_unlock(k->node);
    plasma_domain_init(&k->dom, k->cfg.chain_id, &k->cfg.contract);
    memset(k->token.b, 0x77, sizeof k->token.b);
}

static inline void rck_stop(rck *k)
{
    plasma_rootchain_client_free(k->cli);
    plasma_http_server_free(k->srv);
    plasma_rootnode_free(k->node);
    k->cli = NULL;
    k->srv = NULL;
    k->node = NULL;
}

/* ---- state ---- */

static inline plasma_rootchain_status rck_status(rck *k)
{
    plasma_rootchain_status s;
    assert_int_equal(plasma_rootchain_client_status(k->cli, &s), 0);
    return s;
}

static inline plasma_u256 rck_bal(rck *k, const plasma_addr *who, const plasma_addr *token)
{
    plasma_u256 v;
    assert_int_equal(plasma_rootchain_client_balance(k->cli, who, token, &v), 0);
    return v;
}

static inline void rck_mine(rck *k, uint64_t n)
{
    assert_int_equal(plasma_rootchain_client_dev_mine(k->cli, n, NULL), 0);
}

/* ---- calls ---- */

/* A call of account who with its next nonce, 1 gwei per gas. */
static inline void rck_call(rck *k, plasma_call *c, plasma_call_kind kind, unsigned who)
{
    uint64_t next = 0;
    assert_int_equal(plasma_rootchain_client_nonce(k->cli, &k->addr[who], NULL, &next), 0);
    plasma_call_init(c, kind, &k->addr[who], next, RCK_GWEI, RCK_GAS);
}

/* Appends the signed envelope of c signed with key. */
static inline void rck_sign(rck *k, plasma_buf *out, const plasma_call *c, const plasma_privkey *key)
{
    plasma_sig sig;
    assert_int_equal(plasma_call_sign(&sig, &k->cd, c, key), 0);
    assert_int_equal(plasma_call_encode_signed(out, &k->cd, c, &sig), 0);
}

/* Sends c signed by account who; the submission must succeed. */
static inline plasma_hash rck_send(rck *k, const plasma_call *c, unsigned who)
{
    plasma_hash h;
    int rc = plasma_rootchain_client_send(k->cli, &k->cd, c, &k->key[who], &h, NULL);
    if (rc != 0)
        fail_msg("send: %s: %s", plasma_err_code(rc), plasma_rootchain_client_errmsg(k->cli));
    return h;
}

/* Mines one block and returns the receipt of h. */
static inline plasma_receipt rck_mined(rck *k, const plasma_hash *h)
{
    rck_mine(k, 1);
    plasma_receipt r;
    bool pending = true;
    assert_int_equal(plasma_rootchain_client_receipt(k->cli, h, &r, &pending), 0);
    assert_false(pending);
    return r;
}

static inline plasma_receipt rck_deposit(rck *k, unsigned who, const plasma_addr *token, plasma_u256 amount)
{
    plasma_call c;
    rck_call(k, &c, PLASMA_CALL_DEPOSIT, who);
    c.deposit.token = *token;
    c.deposit.amount = amount;
    plasma_hash h = rck_send(k, &c, who);
    plasma_receipt r = rck_mined(k, &h);
    assert_int_equal(r.err, 0);
    return r;
}

/* Fills the start-exit arguments for the output of deposit block blknum:
 * the deposit tx and its proof in the one-leaf tree; bond as configured. */
static inline void rck_exit_args(rck *k, plasma_call *c, uint64_t blknum, const plasma_addr *owner,
                                 const plasma_addr *token, plasma_u256 amount)
{
    plasma_tx tx;
    plasma_tx_make_deposit(&tx, owner, token, &amount);
    plasma_buf buf = {0};
    assert_int_equal(plasma_tx_encode_unsigned(&buf, &tx), 0);
    assert_true(buf.len <= sizeof c->start_exit.tx);
    memcpy(c->start_exit.tx, buf.data, buf.len);
    c->start_exit.tx_len = buf.len;
    plasma_hash leaf;
    plasma_merkle_leaf(&leaf, buf.data, buf.len);
    plasma_merkle *tree = NULL;
    assert_int_equal(plasma_merkle_build(&tree, &leaf, 1), 0);
    assert_int_equal(plasma_merkle_proof(c->start_exit.proof, tree, 0), 0);
    plasma_merkle_free(tree);
    plasma_buf_free(&buf);
    c->start_exit.utxo_pos = plasma_utxo_pos(blknum, 0, 0);
    c->start_exit.bond = k->cfg.exit_bond;
}

/* A payment spending utxo_pos, signed by key: a valid challenge of its exit. */
static inline void rck_challenge_args(rck *k, plasma_call *c, uint64_t utxo_pos, const plasma_privkey *key,
                                      const plasma_addr *to, const plasma_addr *token, plasma_u256 amount)
{
    plasma_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.tx_type = PLASMA_TX_PAYMENT;
    tx.n_inputs = 1;
    tx.inputs[0] = utxo_pos;
    tx.n_outputs = 1;
    tx.outputs[0].owner = *to;
    tx.outputs[0].token = *token;
    tx.outputs[0].amount = amount;
    assert_int_equal(plasma_tx_sign_input(&tx, &k->dom, 0, key), 0);
    plasma_buf buf = {0};
    assert_int_equal(plasma_tx_encode_signed(&buf, &tx), 0);
    assert_true(buf.len <= sizeof c->challenge_exit.tx);
    memcpy(c->challenge_exit.tx, buf.data, buf.len);
    c->challenge_exit.tx_len = buf.len;
    c->challenge_exit.exit_id = utxo_pos;
    c->challenge_exit.input_index = 0;
    plasma_buf_free(&buf);
}

/* ---- raw HTTP, for requests the client would never send ---- */

typedef struct rck_resp {
    long status;
    json_t *json;
} rck_resp;

static inline void rck_raw_ctype(rck *k, const char *method, const char *path, const char *ctype,
                                 const char *body, size_t len, rck_resp *out)
{
    char full[512];
    assert_true((size_t)snprintf(full, sizeof full, "%s%s", k->prefix, path) < sizeof full);
    tu_resp r;
    if (!tu_request(k->port, method, full, body, len, ctype, NULL, &r))
        fail_msg("%s %s: no response", method, full);
    out->status = r.status;
    out->json = json_incref(r.json);
    tu_resp_free(&r);
}

static inline void rck_raw(rck *k, const char *method, const char *path, const char *body, rck_resp *out)
{
    rck_raw_ctype(k, method, path, "application/json", body ? body : "", body ? strlen(body) : 0, out);
}

/* Sends a request and asserts the status and the error code of the reply. */
static inline void rck_expect_at(rck *k, const char *method, const char *path, const char *body, long status,
                                 const char *code, const char *file, int line)
{
    rck_resp r;
    rck_raw(k, method, path, body, &r);
    const char *got = json_string_value(json_object_get(json_object_get(r.json, "error"), "code"));
    const char *msg = json_string_value(json_object_get(json_object_get(r.json, "error"), "message"));
    if (r.status != status || !got || strcmp(got, code) != 0)
        fail_msg("%s:%d: %s %s %.80s: got %ld %s (%s), want %ld %s", file, line, method, path,
                 body ? body : "", r.status, got ? got : "(no code)", msg ? msg : "", status, code);
    if (!msg || !*msg)
        fail_msg("%s:%d: %s %s: error without a message", file, line, method, path);
    json_decref(r.json);
}
#define rck_expect(k, method, path, body, status, code)                                                      \
    rck_expect_at(k, method, path, body, status, code, __FILE__, __LINE__)

/* POST /v1/calls with the signed envelope in buf; asserts the error. */
static inline void rck_expect_call_at(rck *k, const plasma_buf *signed_call, long status, const char *code,
                                      const char *file, int line)
{
    char *hex = malloc(2 * signed_call->len + 3);
    assert_non_null(hex);
    plasma_hex_encode(hex, signed_call->data, signed_call->len);
    size_t blen = strlen(hex) + 16;
    char *body = malloc(blen);
    assert_non_null(body);
    snprintf(body, blen, "{\"call\":\"%s\"}", hex);
    rck_expect_at(k, "POST", "/v1/calls", body, status, code, file, line);
    free(body);
    free(hex);
}
#define rck_expect_call(k, buf, status, code) rck_expect_call_at(k, buf, status, code, __FILE__, __LINE__)

/* ---- temporary directories ---- */

#define rck_rmtree tu_rmtree

#endif
