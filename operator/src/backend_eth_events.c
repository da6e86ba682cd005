/* The eth backend's events: deposits and exits through eth/'s follower
 * (with its reorganisations), the exits' ends and in-flight exits by block
 * range, and the contract's finalized flags; all under --confirmations. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_eth_int.h"
#include "plasma/err.h"
#include "plasma/log.h"
#include "plasma/tx.h"
#include "plasma/u256.h"

/* --- deposits and exits: the follower --- */

/* The time of the root-chain block of a deposit: its deposit block's, as
 * the contract stores it. */
static int block_time(eth_chain *b, uint64_t number, uint64_t *ts)
{
    if (b->ts_block != number) {
        plasma_eth_header h;
        int rc = plasma_eth_header_get(b->rpc_follow, number, &h);
        if (rc != 0)
            return rc == PLASMA_ERR_NOT_FOUND ? PLASMA_ERR_UNAVAILABLE : rc;
        b->ts_block = number;
        b->ts = h.timestamp;
    }
    *ts = b->ts;
    return PLASMA_OK;
}

static int on_event(void *ctx, const plasma_eth_event *ev)
{
    eth_chain *b = ctx;
    if (ev->kind == PLASMA_ETH_EV_DEPOSIT_CREATED) {
        plasma_rc_deposit d = {ev->block_number,
                               ev->u.deposit_created.blknum,
                               ev->u.deposit_created.depositor,
                               ev->u.deposit_created.token,
                               ev->u.deposit_created.amount,
                               0};
        int rc = block_time(b, ev->block_number, &d.timestamp);
        return rc == 0 ? b->sink->deposit(b->sink->ctx, &d) : rc;
    }
    if (ev->kind == PLASMA_ETH_EV_EXIT_STARTED) {
        plasma_rc_exit x = {ev->block_number, 0, ev->u.exit_started.owner, ev->u.exit_started.token,
                            ev->u.exit_started.amount};
        /* A standard exit's id is its utxo_pos, under 2^64 by the contract. */
        if (!plasma_u256_to_u64(&ev->u.exit_started.exit_id, &x.utxo_pos))
            return PLASMA_OK;
        return b->sink->exit(b->sink->ctx, &x);
    }
    return PLASMA_OK;
}

static int on_block(void *ctx, const plasma_eth_cursor *c)
{
    eth_chain *b = ctx;
    plasma_rc_cursor rc_c = {c->number, c->hash};
    return b->sink->block(b->sink->ctx, &rc_c);
}

static int on_undo(void *ctx, const plasma_eth_cursor *ancestor)
{
    eth_chain *b = ctx;
    plasma_rc_cursor rc_c = {ancestor->number, ancestor->hash};
    b->ts_block = 0;
    return b->sink->undo(b->sink->ctx, &rc_c);
}

static int make_follower(eth_chain *b, const plasma_rc_cursor *resume)
{
    plasma_eth_follow_config fc;
    plasma_eth_follow_config_default(&fc);
    fc.contract = b->contract;
    fc.start_block = b->deploy_block ? b->deploy_block : 1;
    fc.confirmations = b->confirmations;
    plasma_eth_follow_consumer cons = {b, on_event, on_block, on_undo};
    plasma_eth_cursor at;
    memset(&at, 0, sizeof at);
    if (resume)
        at = (plasma_eth_cursor){resume->number, resume->hash};
    return plasma_eth_follower_new(&b->follower, b->rpc_follow, &fc, &cons, resume ? &at : NULL);
}

/* One line per distinct failure, not one per poll. */
static void log_follow_error(eth_chain *b, int rc)
{
    const char *msg = rc ? plasma_eth_follower_errmsg(b->follower) : "";
    if (strcmp(msg, b->last_follow_error) == 0)
        return;
    snprintf(b->last_follow_error, sizeof b->last_follow_error, "%s", msg);
    char q[400];
    if (rc)
        plasma_log(PLASMA_LOG_WARN, "chain_follow_failed", "error=%s detail=%s", plasma_err_code(rc),
                   plasma_log_quote(q, sizeof q, msg));
}

int op_eth_follow(void *ctx, const plasma_rc_cursor *resume, const plasma_rc_sink *sink, bool *caught_up)
{
    eth_chain *b = ctx;
    pthread_mutex_lock(&b->follow_mu);
    int rc = b->follower ? PLASMA_OK : make_follower(b, resume);
    if (rc == 0) {
        b->sink = sink;
        rc = plasma_eth_follower_poll(b->follower, caught_up);
        b->sink = NULL;
        log_follow_error(b, rc);
    }
    pthread_mutex_unlock(&b->follow_mu);
    return rc;
}

/* --- the exits' ends and in-flight exits: by block range --- */

static const plasma_eth_event_kind exit_kinds[] = {PLASMA_ETH_EV_EXIT_FINALIZED, PLASMA_ETH_EV_IFE_STARTED,
                                                   PLASMA_ETH_EV_IFE_FINALIZED, PLASMA_ETH_EV_IFE_DELETED};

/* eth_getLogs of the contract over from..to, topic 0 one of exit_kinds. */
static int get_exit_logs(eth_chain *b, uint64_t from, uint64_t to, json_t **res)
{
    char addr[43];
    json_t *topic0 = json_array();
    for (size_t i = 0; topic0 && i < sizeof exit_kinds / sizeof exit_kinds[0]; i++) {
        plasma_hash t;
        plasma_eth_abi_topic(&t, plasma_eth_event_signature(exit_kinds[i]));
        if (json_array_append_new(topic0, plasma_eth_data_json(t.b, 32)) != 0) {
            json_decref(topic0);
            topic0 = NULL;
        }
    }
    json_t *params =
        topic0 ? json_pack("[{s:s,s:o,s:o,s:[o]}]", "address", plasma_addr_format(addr, &b->contract),
                           "fromBlock", plasma_eth_quantity_json(from), "toBlock",
                           plasma_eth_quantity_json(to), "topics", topic0)
               : NULL;
    if (!params)
        return PLASMA_ERR_NOMEM;
    int rc = plasma_eth_rpc_call(b->rpc_follow, "eth_getLogs", params, res);
    json_decref(params);
    return rc;
}

/* Out: *x, the event as the operator follows it; false for an event it
 * does not (an exit id past 64 bits names no output). */
static int exit_event_of(eth_chain *b, const plasma_eth_event *ev, plasma_rc_exit_event *x, bool *keep)
{
    memset(x, 0, sizeof *x);
    x->rc_block = ev->block_number;
    *keep = true;
    if (ev->kind == PLASMA_ETH_EV_EXIT_FINALIZED) {
        x->kind = PLASMA_RC_EXIT_FINALIZED;
        *keep = plasma_u256_to_u64(&ev->u.id, &x->exit_id);
        return PLASMA_OK;
    }
    if (ev->kind != PLASMA_ETH_EV_IFE_STARTED) {
        x->kind = PLASMA_RC_IFE_CLOSED;
        x->ife_id = ev->u.id;
        return PLASMA_OK;
    }
    x->kind = PLASMA_RC_IFE_STARTED;
    x->ife_id = ev->u.ife_started.ife_id;
    x->txhash = ev->u.ife_started.txhash;
    size_t n = 0;
    int rc = plasma_eth_read_start_ife(b->rpc_follow, &ev->tx_hash, NULL, x->inputs, PLASMA_MAX_INPUTS, &n);
    x->n_inputs = (uint8_t)n;
    if (rc == PLASMA_ERR_NOT_FOUND) {
        char id[67], tx[67];
        plasma_log(PLASMA_LOG_WARN, "ife_inputs_unread",
                   "ife_id=%s tx=%s reason=\"not a startInFlightExit call\"",
                   plasma_u256_format_hex(id, &x->ife_id), plasma_hash_format(tx, &ev->tx_hash));
        x->n_inputs = 0;
        rc = PLASMA_OK;
    }
    return rc;
}

/* The logs of an eth_getLogs answer, in chain order. */
static int read_logs(const json_t *res, uint64_t from, uint64_t to, plasma_eth_log **out, size_t *n)
{
    size_t len = json_array_size(res);
    plasma_eth_log *logs = json_is_array(res) ? calloc(len ? len : 1, sizeof *logs) : NULL;
    int rc = !json_is_array(res) ? PLASMA_ERR_BAD_REQUEST : logs ? PLASMA_OK : PLASMA_ERR_NOMEM;
    size_t k = 0;
    for (; rc == 0 && k < len; k++)
        if ((rc = plasma_eth_log_from_json(&logs[k], json_array_get(res, k))) == 0 &&
            (logs[k].removed || logs[k].block_number < from || logs[k].block_number > to))
            rc = PLASMA_ERR_BAD_REQUEST;
    if (rc != 0) {
        for (size_t i = 0; i < k; i++)
            plasma_eth_log_clear(&logs[i]);
        free(logs);
        return rc;
    }
    plasma_eth_logs_sort(logs, len);
    *out = logs;
    *n = len;
    return PLASMA_OK;
}

static int map_logs(eth_chain *b, const plasma_eth_log *logs, size_t n, plasma_rc_exit_event *out,
                    size_t *kept)
{
    *kept = 0;
    for (size_t i = 0; i < n; i++) {
        plasma_eth_event ev;
        bool keep;
        int rc = plasma_eth_event_decode(&ev, &logs[i]);
        if (rc == 0)
            rc = exit_event_of(b, &ev, &out[*kept], &keep);
        if (rc != 0)
            return rc;
        *kept += keep;
    }
    return PLASMA_OK;
}

int op_eth_exit_events(void *ctx, uint64_t from, uint64_t to, plasma_rc_exit_event **out, size_t *n)
{
    eth_chain *b = ctx;
    json_t *res = NULL;
    plasma_eth_log *logs = NULL;
    size_t n_logs = 0, kept = 0;
    *out = NULL;
    *n = 0;
    if (from < b->deploy_block)
        from = b->deploy_block;
    if (from > to)
        return PLASMA_OK; /* before the contract: nothing */
    pthread_mutex_lock(&b->follow_mu);
    int rc = get_exit_logs(b, from, to, &res);
    if (rc == 0)
        rc = read_logs(res, from, to, &logs, &n_logs);
    plasma_rc_exit_event *ev = rc == 0 && n_logs ? calloc(n_logs, sizeof *ev) : NULL;
    if (rc == 0 && n_logs && !ev)
        rc = PLASMA_ERR_NOMEM;
    if (rc == 0)
        rc = map_logs(b, logs, n_logs, ev, &kept);
    pthread_mutex_unlock(&b->follow_mu);
    for (size_t i = 0; i < n_logs; i++)
        plasma_eth_log_clear(&logs[i]);
    free(logs);
    json_decref(res);
    if (rc != 0 || !kept) {
        free(ev);
        return rc;
    }
    *out = ev;
    *n = kept;
    return PLASMA_OK;
}

/* --- finalized flags --- */

int op_eth_finalized(void *ctx, const plasma_hash *output_id, plasma_u256 *by)
{
    eth_chain *b = ctx;
    char tag[24];
    plasma_buf ret = {0};
    plasma_eth_abi_value arg = plasma_eth_abi_word(output_id);
    pthread_mutex_lock(&b->follow_mu);
    int rc = op_eth_confirmed_tag(b, b->rpc_follow, tag);
    if (rc == 0)
        rc = op_eth_view(b, b->rpc_follow, PLASMA_ETH_FN_FINALIZED, &arg, 1, tag, &ret);
    pthread_mutex_unlock(&b->follow_mu);
    if (rc == PLASMA_ERR_UNAVAILABLE) { /* nothing confirmed yet: nothing finalized */
        *by = plasma_u256_from_u64(0);
        rc = PLASMA_OK;
    } else if (rc == 0 && plasma_eth_decode_uint(by, ret.data, ret.len) != 0) {
        rc = PLASMA_ERR_BAD_REQUEST;
    }
    plasma_buf_free(&ret);
    return rc;
}
