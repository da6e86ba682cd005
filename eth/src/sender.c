/* The sender: one account's nonce, fees, gas, broadcast, receipts and
 * replacement of stuck transactions. See plasma/eth_tx.h and docs/eth.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "plasma/err.h"
#include "plasma/eth_tx.h"
#include "plasma/sig.h"
#include "plasma/u256.h"
#include "eth_internal.h"

/* A "nonce too low" answer can race with our own transactions being mined:
 * resynchronising this many times is enough for one call. */
#define NONCE_RESYNCS 3
/* Polls that must agree that the nonce was used by no transaction of ours. */
#define FOREIGN_NONCE_POLLS 2

struct plasma_eth_sender {
    plasma_eth_rpc *rpc;
    plasma_eth_sender_config cfg;
    plasma_addr address;
    bool have_nonce;
    uint64_t nonce;
    unsigned outstanding; /* pending transactions not yet freed */
    char message[320];
};

struct plasma_eth_pending {
    plasma_eth_sender *owner;
    plasma_eth_txreq req;
    uint8_t *data;
    uint64_t gas_limit;
    plasma_eth_sent last;
    plasma_hash *hashes; /* every transaction sent for this nonce */
    size_t n_hashes, cap_hashes;
    double sent_at; /* monotonic seconds of the last send */
    bool no_more_replacements;
    unsigned foreign_polls;
};

void plasma_eth_sender_config_default(plasma_eth_sender_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->confirmations = 1;
    cfg->poll_ms = 1000;
    cfg->replace_after_ms = 60000;
    cfg->max_replacements = 5;
    cfg->wait_timeout_ms = 900000;
    cfg->gas_margin_percent = 25;
    cfg->fees.history_blocks = 10;
    cfg->fees.reward_percentile = 50;
    cfg->fees.min_priority_fee = plasma_u256_from_u64(1000000000);
    cfg->fees.base_fee_multiplier = 2;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Records a failure's message in s->message and returns err. */
#define fail(s, code, ...) plasma_eth_fail((s)->message, sizeof(s)->message, (code), __VA_ARGS__)

static bool says(const char *msg, const char *what)
{
    size_t n = strlen(what);
    for (; *msg; msg++)
        if (strncasecmp(msg, what, n) == 0)
            return true;
    return false;
}

/* An rpc failure, its message kept; a node's "insufficient funds" (for the
 * value, or for the gas) is the project's insufficient_funds. */
static int fail_rpc(plasma_eth_sender *s, int err)
{
    const char *msg = plasma_eth_rpc_last_error(s->rpc)->message;
    if (err == PLASMA_ERR_RPC && says(msg, "insufficient funds"))
        err = PLASMA_ERR_INSUFFICIENT_FUNDS;
    return fail(s, err, "%s", msg);
}

const char *plasma_eth_sender_errmsg(const plasma_eth_sender *s)
{
    return s->message;
}

const plasma_addr *plasma_eth_sender_address(const plasma_eth_sender *s)
{
    return &s->address;
}

static bool config_ok(const plasma_eth_sender_config *c)
{
    const plasma_eth_fee_policy *f = &c->fees;
    return c->poll_ms >= 1 && c->poll_ms <= 3600000 && c->replace_after_ms >= 1 &&
           c->replace_after_ms <= 86400000 && c->max_replacements <= 100 && c->wait_timeout_ms >= 1 &&
           c->wait_timeout_ms <= 86400000 && c->gas_margin_percent <= 1000 && c->confirmations <= 10000 &&
           f->history_blocks >= 1 && f->history_blocks <= 1024 && f->reward_percentile <= 100 &&
           f->base_fee_multiplier >= 1 && f->base_fee_multiplier <= 16;
}

int plasma_eth_sender_new(plasma_eth_sender **out, plasma_eth_rpc *rpc, const plasma_eth_sender_config *cfg)
{
    plasma_addr addr;
    if (!config_ok(cfg) || plasma_privkey_addr(&addr, &cfg->key) != 0)
        return PLASMA_ERR_CONFIG;
    plasma_eth_sender *s = calloc(1, sizeof *s);
    if (!s)
        return PLASMA_ERR_NOMEM;
    s->rpc = rpc;
    s->cfg = *cfg;
    s->address = addr;
    if (!s->cfg.chain_id) {
        int rc = plasma_eth_chain_id(rpc, &s->cfg.chain_id);
        if (rc != 0) {
            plasma_eth_sender_free(s);
            return rc;
        }
    }
    *out = s;
    return PLASMA_OK;
}

void plasma_eth_sender_free(plasma_eth_sender *s)
{
    if (!s)
        return;
    plasma_wipe(&s->cfg.key, sizeof s->cfg.key);
    free(s);
}

/* --- nonce, gas, fees --- */

static int pending_count(plasma_eth_sender *s, const char *tag, uint64_t *out)
{
    json_t *params = json_pack("[o,s]", plasma_eth_addr_json(&s->address), tag), *res = NULL;
    if (!params)
        return PLASMA_ERR_NOMEM;
    int rc = plasma_eth_rpc_call(s->rpc, "eth_getTransactionCount", params, &res);
    if (rc == 0 && plasma_eth_quantity_u64(out, res) != 0)
        rc = fail(s, PLASMA_ERR_BAD_REQUEST, "eth_getTransactionCount: the answer is not a quantity");
    else if (rc != 0)
        rc = fail_rpc(s, rc);
    json_decref(res);
    json_decref(params);
    return rc;
}

static int resync_nonce(plasma_eth_sender *s)
{
    int rc = pending_count(s, "pending", &s->nonce);
    s->have_nonce = rc == 0;
    return rc;
}

int plasma_eth_sender_next_nonce(plasma_eth_sender *s, uint64_t *out)
{
    int rc = s->have_nonce ? PLASMA_OK : resync_nonce(s);
    if (rc == 0)
        *out = s->nonce;
    return rc;
}

static int estimate_gas(plasma_eth_sender *s, const plasma_eth_txreq *req, uint64_t *out)
{
    json_t *call = plasma_eth_call_object(&s->address, req->create ? NULL : &req->to, &req->value, req->data,
                                          req->data_len);
    json_t *params = json_pack("[o]", call), *res = NULL;
    uint64_t est = 0;
    if (!params)
        return PLASMA_ERR_NOMEM;
    int rc = plasma_eth_rpc_call(s->rpc, "eth_estimateGas", params, &res);
    if (rc != 0)
        rc = fail_rpc(s, rc);
    else if (plasma_eth_quantity_u64(&est, res) != 0 || est > UINT64_MAX / 2000)
        rc = fail(s, PLASMA_ERR_BAD_REQUEST, "eth_estimateGas: the answer is not a gas amount");
    else
        *out = est + est * s->cfg.gas_margin_percent / 100;
    json_decref(res);
    json_decref(params);
    return rc;
}

static int current_fees(plasma_eth_sender *s, plasma_eth_fees *out)
{
    json_t *params = json_pack("[o,s,[i]]", plasma_eth_quantity_json(s->cfg.fees.history_blocks), "latest",
                               (int)s->cfg.fees.reward_percentile);
    json_t *res = NULL;
    if (!params)
        return PLASMA_ERR_NOMEM;
    int rc = plasma_eth_rpc_call(s->rpc, "eth_feeHistory", params, &res);
    if (rc != 0)
        rc = fail_rpc(s, rc);
    else if ((rc = plasma_eth_fees_from_history(out, &s->cfg.fees, res)) != 0)
        fail(s, rc, "eth_feeHistory: the answer has no usable base fee (a chain without EIP-1559?)");
    json_decref(res);
    json_decref(params);
    return rc;
}

/* --- broadcast --- */

/* SENT: the node has it. IN_DOUBT: no answer came back, so it may have it.
 * NONCE_TOO_LOW, UNDERPRICED: the nonce is taken (by a transaction that is
 * not this one). SEND_FAILED: refused, *rc says why. */
typedef enum send_outcome { SENT, IN_DOUBT, NONCE_TOO_LOW, UNDERPRICED, SEND_FAILED } send_outcome;

/* True when the node knows the transaction (in its pool or mined). */
static bool tx_known(plasma_eth_sender *s, const plasma_hash *hash)
{
    json_t *params = json_pack("[o]", plasma_eth_data_json(hash->b, 32)), *res = NULL;
    bool known = params && plasma_eth_rpc_call(s->rpc, "eth_getTransactionByHash", params, &res) == 0 &&
                 json_is_object(res);
    json_decref(res);
    json_decref(params);
    return known;
}

/* What the node's answer to eth_sendRawTransaction means. A "nonce too
 * low" can be about this very transaction: an earlier attempt whose answer
 * was lost reached the node, and was mined. */
static send_outcome classify_send(plasma_eth_sender *s, const plasma_hash *hash, int *rc)
{
    char msg[sizeof plasma_eth_rpc_last_error(s->rpc)->message];
    snprintf(msg, sizeof msg, "%s", plasma_eth_rpc_last_error(s->rpc)->message);
    send_outcome out = SEND_FAILED;
    if (*rc == 0 || (*rc == PLASMA_ERR_RPC && (says(msg, "already known") || says(msg, "known transaction") ||
                                               says(msg, "already imported"))))
        out = SENT;
    else if (*rc == PLASMA_ERR_UNAVAILABLE)
        out = IN_DOUBT;
    else if (*rc == PLASMA_ERR_RPC && says(msg, "nonce too low"))
        out = tx_known(s, hash) ? SENT : NONCE_TOO_LOW;
    else if (*rc == PLASMA_ERR_RPC && says(msg, "replacement") && says(msg, "underpriced"))
        /* Another transaction holds this nonce in the pool with higher
         * fees. (A plain "transaction underpriced", fees under the node's
         * minimum, is an error for the caller.) */
        out = UNDERPRICED;
    else if (*rc == PLASMA_ERR_RPC && says(msg, "insufficient funds"))
        *rc = PLASMA_ERR_INSUFFICIENT_FUNDS;
    if (out == IN_DOUBT)
        fail(s, *rc, "%s (the transaction may have reached the node: waiting for it)", msg);
    else if (out != SENT)
        fail(s, *rc, "%s", msg);
    if (out == SENT || out == IN_DOUBT)
        *rc = PLASMA_OK;
    return out;
}

/* Signs and sends the pending transaction with fees. */
static send_outcome broadcast(plasma_eth_sender *s, plasma_eth_pending *p, uint64_t nonce,
                              const plasma_eth_fees *fees, plasma_hash *hash, int *rc)
{
    plasma_eth_tx tx = {.chain_id = s->cfg.chain_id,
                        .nonce = nonce,
                        .max_priority_fee = fees->max_priority_fee,
                        .max_fee = fees->max_fee,
                        .gas_limit = p->gas_limit,
                        .create = p->req.create,
                        .to = p->req.to,
                        .value = p->req.value,
                        .data = p->data,
                        .data_len = p->req.data_len};
    plasma_buf raw = {0};
    json_t *params = NULL, *res = NULL;
    send_outcome out = SEND_FAILED;
    if ((*rc = plasma_eth_tx_sign(&raw, hash, &tx, &s->cfg.key)) != 0)
        goto cleanup;
    if (!(params = json_pack("[o]", plasma_eth_data_json(raw.data, raw.len)))) {
        *rc = PLASMA_ERR_NOMEM;
        goto cleanup;
    }
    *rc = plasma_eth_rpc_call(s->rpc, "eth_sendRawTransaction", params, &res);
    out = classify_send(s, hash, rc);
cleanup:
    json_decref(res);
    json_decref(params);
    plasma_buf_free(&raw);
    return out;
}

static int remember(plasma_eth_sender *s, plasma_eth_pending *p, uint64_t nonce, const plasma_eth_fees *fees,
                    const plasma_hash *hash)
{
    if (plasma_grow((void **)&p->hashes, &p->cap_hashes, p->n_hashes + 1, sizeof *p->hashes) != 0)
        return PLASMA_ERR_NOMEM;
    p->hashes[p->n_hashes++] = *hash;
    p->last = (plasma_eth_sent){
        .hash = *hash, .nonce = nonce, .fees = *fees, .replacement = (unsigned)p->n_hashes - 1};
    p->sent_at = now_s();
    if (s->cfg.on_sent)
        s->cfg.on_sent(s->cfg.ctx, &p->last);
    return PLASMA_OK;
}

static int pending_new(plasma_eth_pending **out, plasma_eth_sender *s, const plasma_eth_txreq *req)
{
    plasma_eth_pending *p = calloc(1, sizeof *p);
    if (!p || (req->data_len && !(p->data = malloc(req->data_len)))) {
        free(p);
        return PLASMA_ERR_NOMEM;
    }
    p->owner = s;
    s->outstanding++;
    if (req->data_len)
        memcpy(p->data, req->data, req->data_len);
    p->req = *req;
    p->req.data = p->data;
    *out = p;
    return PLASMA_OK;
}

/* The first transaction of a new nonce, resynchronising on "nonce too low". */
static int send_first(plasma_eth_sender *s, plasma_eth_pending *p, const plasma_eth_fees *fees)
{
    for (int tries = 0; tries <= NONCE_RESYNCS; tries++) {
        plasma_hash hash;
        int rc = s->have_nonce ? PLASMA_OK : resync_nonce(s);
        if (rc != 0)
            return rc;
        send_outcome o = broadcast(s, p, s->nonce, fees, &hash, &rc);
        if (o == SENT || o == IN_DOUBT) {
            /* In doubt, the nonce counts as used: waiting finds the
             * transaction mined, or sends it again. Another transaction
             * with this nonce could be mined beside it. */
            s->nonce++;
            return remember(s, p, s->nonce - 1, fees, &hash);
        }
        if (o != NONCE_TOO_LOW && o != UNDERPRICED)
            return rc;
        /* Another process spent the nonce, or a transaction of an earlier
         * run holds it in the pool: ask the node again. */
        s->have_nonce = false;
    }
    return fail(s, PLASMA_ERR_BAD_NONCE, "eth_sendRawTransaction: the nonce kept being taken (%d tries)",
                NONCE_RESYNCS + 1);
}

int plasma_eth_sender_send(plasma_eth_sender *s, const plasma_eth_txreq *req, plasma_eth_pending **out)
{
    plasma_eth_pending *p = NULL;
    plasma_eth_fees fees;
    s->message[0] = '\0';
    /* With no transaction of its own in flight the sender asks the node for
     * the nonce: a transaction given up on (freed unmined, and dropped by
     * the node) leaves no gap, one sent by another process no clash. */
    if (s->outstanding == 0)
        s->have_nonce = false;
    int rc = pending_new(&p, s, req);
    if (rc != 0)
        return fail(s, rc, "out of memory");
    p->gas_limit = req->gas_limit;
    if (!p->gas_limit && (rc = estimate_gas(s, req, &p->gas_limit)) != 0)
        goto cleanup;
    if ((rc = current_fees(s, &fees)) != 0)
        goto cleanup;
    rc = send_first(s, p, &fees);
cleanup:
    if (rc != 0) {
        plasma_eth_pending_free(p);
        return rc;
    }
    *out = p;
    return PLASMA_OK;
}

/* Broadcasts at a nonce of the caller's choosing, outbidding a transaction
 * of an earlier run that holds it in the node's pool. */
static int send_fixed(plasma_eth_sender *s, plasma_eth_pending *p, uint64_t nonce, plasma_eth_fees *fees)
{
    plasma_eth_fees fresh = *fees;
    for (unsigned tries = 0; tries <= s->cfg.max_replacements; tries++) {
        plasma_hash hash;
        int rc;
        send_outcome o = broadcast(s, p, nonce, fees, &hash, &rc);
        if (o == SENT || o == IN_DOUBT) {
            /* The node's pending count includes it now: the next send asks. */
            s->have_nonce = false;
            return remember(s, p, nonce, fees, &hash);
        }
        if (o == NONCE_TOO_LOW)
            return fail(s, PLASMA_ERR_BAD_NONCE, "nonce %llu was mined meanwhile", (unsigned long long)nonce);
        if (o != UNDERPRICED)
            return rc;
        if (plasma_eth_fees_bump(fees, fees, &fresh, &s->cfg.fees) != 0)
            break;
    }
    return fail(s, PLASMA_ERR_BAD_NONCE, "the node's pool holds a transaction at nonce %llu that pays more",
                (unsigned long long)nonce);
}

int plasma_eth_sender_send_at(plasma_eth_sender *s, const plasma_eth_txreq *req, uint64_t nonce,
                              plasma_eth_pending **out)
{
    plasma_eth_pending *p = NULL;
    plasma_eth_fees fees;
    s->message[0] = '\0';
    int rc = pending_new(&p, s, req);
    if (rc != 0)
        return fail(s, rc, "out of memory");
    p->gas_limit = req->gas_limit;
    if (!p->gas_limit && (rc = estimate_gas(s, req, &p->gas_limit)) != 0)
        goto cleanup;
    if ((rc = current_fees(s, &fees)) == 0)
        rc = send_fixed(s, p, nonce, &fees);
cleanup:
    if (rc != 0) {
        plasma_eth_pending_free(p);
        return rc;
    }
    *out = p;
    return PLASMA_OK;
}

const plasma_eth_sent *plasma_eth_pending_last(const plasma_eth_pending *p)
{
    return &p->last;
}

void plasma_eth_pending_free(plasma_eth_pending *p)
{
    if (!p)
        return;
    p->owner->outstanding--;
    free(p->data);
    free(p->hashes);
    free(p);
}

/* --- receipts and replacement --- */

static int receipt_from_json(plasma_eth_receipt *r, const json_t *j)
{
    uint64_t status = 0;
    const json_t *ca = json_object_get(j, "contractAddress");
    memset(r, 0, sizeof *r);
    if (plasma_eth_fixed_parse(r->tx_hash.b, 32, json_object_get(j, "transactionHash")) != 0 ||
        plasma_eth_fixed_parse(r->block_hash.b, 32, json_object_get(j, "blockHash")) != 0 ||
        plasma_eth_quantity_u64(&r->block_number, json_object_get(j, "blockNumber")) != 0 ||
        plasma_eth_quantity_u64(&status, json_object_get(j, "status")) != 0 || status > 1 ||
        plasma_eth_quantity_u64(&r->gas_used, json_object_get(j, "gasUsed")) != 0 ||
        plasma_eth_quantity_u256(&r->effective_gas_price, json_object_get(j, "effectiveGasPrice")) != 0 ||
        (ca && !json_is_null(ca) && plasma_eth_fixed_parse(r->contract_address.b, 20, ca) != 0))
        return PLASMA_ERR_BAD_REQUEST;
    r->success = status == 1;
    r->has_contract = ca && !json_is_null(ca);
    return PLASMA_OK;
}

/* Out: *found and the receipt of the newest transaction of p that has one. */
static int find_receipt(plasma_eth_sender *s, plasma_eth_pending *p, bool *found, plasma_eth_receipt *r)
{
    *found = false;
    for (size_t i = p->n_hashes; i-- > 0 && !*found;) {
        json_t *params = json_pack("[o]", plasma_eth_data_json(p->hashes[i].b, 32)), *res = NULL;
        if (!params)
            return fail(s, PLASMA_ERR_NOMEM, "out of memory");
        int rc = plasma_eth_rpc_call(s->rpc, "eth_getTransactionReceipt", params, &res);
        json_decref(params);
        if (rc == 0 && !json_is_null(res)) {
            rc = receipt_from_json(r, res);
            if (rc != 0)
                fail(s, rc, "eth_getTransactionReceipt: malformed receipt");
            *found = rc == 0;
        } else if (rc != 0) {
            rc = fail_rpc(s, rc);
        }
        json_decref(res);
        if (rc != 0)
            return rc;
    }
    return PLASMA_OK;
}

/* A failed transaction's reason: the same call replayed on the state
 * before its block (transactions before it in that block are not seen, so
 * this is the likely reason, not a proof). */
static int revert_reason(plasma_eth_sender *s, const plasma_eth_pending *p, const plasma_eth_receipt *r)
{
    char tag[24];
    plasma_buf ret = {0};
    snprintf(tag, sizeof tag, "0x%llx", (unsigned long long)(r->block_number ? r->block_number - 1 : 0));
    int rc = plasma_eth_call(s->rpc, &s->address, p->req.create ? NULL : &p->req.to, &p->req.value, p->data,
                             p->req.data_len, tag, &ret);
    plasma_buf_free(&ret);
    if (rc == PLASMA_ERR_UNAVAILABLE || rc == 0 || rc == PLASMA_ERR_RPC || rc == PLASMA_ERR_NOMEM)
        return fail(s, PLASMA_ERR_REVERTED,
                    "transaction %llu reverted (out of gas, or a reason the replay "
                    "does not show)",
                    (unsigned long long)p->last.nonce);
    return fail(s, rc, "transaction reverted: %s", plasma_eth_rpc_last_error(s->rpc)->message);
}

static int replace(plasma_eth_sender *s, plasma_eth_pending *p)
{
    plasma_eth_fees fresh, bumped;
    plasma_hash hash;
    int rc = current_fees(s, &fresh);
    if (rc != 0)
        return rc;
    if (plasma_eth_fees_bump(&bumped, &p->last.fees, &fresh, &s->cfg.fees) != 0) {
        p->no_more_replacements = true; /* the fee cap is reached: wait */
        return PLASMA_OK;
    }
    send_outcome o = broadcast(s, p, p->last.nonce, &bumped, &hash, &rc);
    if (o == SENT || o == IN_DOUBT)
        return remember(s, p, p->last.nonce, &bumped, &hash);
    if (o == UNDERPRICED) {
        /* Outbid by the pool's rule: the next bump starts from these fees. */
        p->last.fees = bumped;
        p->sent_at = now_s();
        return PLASMA_OK;
    }
    /* "nonce too low": a transaction of this nonce was mined; the receipt
     * search or the foreign-nonce check finds out which. */
    return o == NONCE_TOO_LOW ? PLASMA_OK : rc;
}

static int check_foreign_nonce(plasma_eth_sender *s, plasma_eth_pending *p)
{
    uint64_t mined = 0;
    int rc = pending_count(s, "latest", &mined);
    if (rc != 0)
        return rc;
    p->foreign_polls = mined > p->last.nonce ? p->foreign_polls + 1 : 0;
    if (p->foreign_polls >= FOREIGN_NONCE_POLLS)
        return fail(s, PLASMA_ERR_BAD_NONCE, "nonce %llu was used by a transaction this sender did not send",
                    (unsigned long long)p->last.nonce);
    return PLASMA_OK;
}

static int confirmed(plasma_eth_sender *s, plasma_eth_pending *p, plasma_eth_receipt *r, bool *done)
{
    uint64_t head = 0;
    int rc = plasma_eth_block_number(s->rpc, &head);
    if (rc != 0)
        return fail_rpc(s, rc);
    if (head < r->block_number || head - r->block_number < s->cfg.confirmations)
        return PLASMA_OK;
    r->nonce = p->last.nonce;
    r->replacements = (unsigned)p->n_hashes - 1;
    *done = true;
    return r->success ? PLASMA_OK : revert_reason(s, p, r);
}

int plasma_eth_pending_poll(plasma_eth_sender *s, plasma_eth_pending *p, bool *done,
                            plasma_eth_receipt *receipt)
{
    plasma_eth_receipt r;
    bool found = false;
    *done = false;
    s->message[0] = '\0';
    int rc = find_receipt(s, p, &found, &r);
    if (rc != 0)
        return rc;
    if (found) {
        p->foreign_polls = 0;
        rc = confirmed(s, p, &r, done);
        if (*done)
            *receipt = r;
        return rc;
    }
    if ((rc = check_foreign_nonce(s, p)) != 0)
        return rc;
    bool due = (now_s() - p->sent_at) * 1000 >= (double)s->cfg.replace_after_ms;
    if (due && !p->no_more_replacements && p->n_hashes <= s->cfg.max_replacements)
        return replace(s, p);
    return PLASMA_OK;
}

int plasma_eth_sender_wait(plasma_eth_sender *s, plasma_eth_pending *p, plasma_eth_receipt *receipt)
{
    double start = now_s();
    for (;;) {
        bool done = false;
        int rc = plasma_eth_pending_poll(s, p, &done, receipt);
        if (done || (rc != 0 && rc != PLASMA_ERR_UNAVAILABLE))
            return rc;
        if ((now_s() - start) * 1000 >= (double)s->cfg.wait_timeout_ms)
            return fail(s, PLASMA_ERR_TIMEOUT, "transaction %llu not confirmed within %ld ms (%zu sent)",
                        (unsigned long long)p->last.nonce, s->cfg.wait_timeout_ms, p->n_hashes);
        plasma_sleep_ms(s->cfg.poll_ms);
    }
}

int plasma_eth_sender_transact(plasma_eth_sender *s, const plasma_eth_txreq *req, plasma_eth_receipt *receipt)
{
    plasma_eth_pending *p = NULL;
    int rc = plasma_eth_sender_send(s, req, &p);
    if (rc == 0)
        rc = plasma_eth_sender_wait(s, p, receipt);
    plasma_eth_pending_free(p);
    return rc;
}
