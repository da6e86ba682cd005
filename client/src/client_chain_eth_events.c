/* The Ethereum root chain's events (see client_chain_eth.h): eth_getLogs
 * of the contract under the confirmations, decoded by eth/ into the
 * simulated chain's events; in-flight exits found by their
 * InFlightExitStarted logs; the watcher's following through eth/'s
 * follower, reorganisations included. */
#include "client_chain_eth.h"

#include <stdlib.h>
#include <string.h>

#define LOG_RANGE 1000u    /* blocks per eth_getLogs of every event */
#define TOPIC_RANGE 10000u /* blocks per eth_getLogs of one event's topic */

/* Out: ev, the event of a decoded log as the simulated chain reports it;
 * *keep false for one the client has no use for. */
static int convert_event(eth_chain *e, const plasma_eth_event *x, uint32_t call_index, plasma_event *ev,
                         bool *keep)
{
    memset(ev, 0, sizeof *ev);
    ev->block_number = x->block_number;
    ev->call_index = call_index;
    *keep = true;
    switch (x->kind) {
    case PLASMA_ETH_EV_DEPOSIT_CREATED:
        ev->kind = PLASMA_EVENT_DEPOSIT_CREATED;
        ev->deposit_created.depositor = x->u.deposit_created.depositor;
        ev->deposit_created.blknum = x->u.deposit_created.blknum;
        ev->deposit_created.token = x->u.deposit_created.token;
        ev->deposit_created.amount = x->u.deposit_created.amount;
        return 0;
    case PLASMA_ETH_EV_BLOCK_SUBMITTED:
        ev->kind = PLASMA_EVENT_BLOCK_SUBMITTED;
        ev->block_submitted.blknum = x->u.block_submitted.blknum;
        ev->block_submitted.root = x->u.block_submitted.root;
        return 0;
    case PLASMA_ETH_EV_EXIT_STARTED:
        ev->kind = PLASMA_EVENT_EXIT_STARTED;
        ev->exit_started.owner = x->u.exit_started.owner;
        *keep = plasma_u256_to_u64(&x->u.exit_started.exit_id, &ev->exit_started.exit_id);
        ev->exit_started.token = x->u.exit_started.token;
        ev->exit_started.amount = x->u.exit_started.amount;
        return 0;
    case PLASMA_ETH_EV_EXIT_CHALLENGED:
        ev->kind = PLASMA_EVENT_EXIT_CHALLENGED;
        *keep = plasma_u256_to_u64(&x->u.exit_challenged.exit_id, &ev->exit_challenged.exit_id);
        ev->exit_challenged.challenger = x->u.exit_challenged.challenger;
        return 0;
    case PLASMA_ETH_EV_EXIT_FINALIZED:
        ev->kind = PLASMA_EVENT_EXIT_FINALIZED;
        *keep = plasma_u256_to_u64(&x->u.id, &ev->exit_finalized.exit_id);
        return 0;
    case PLASMA_ETH_EV_IFE_STARTED: {
        ev->kind = PLASMA_EVENT_IFE_STARTED;
        ev->ife_started.initiator = x->u.ife_started.initiator;
        ev->ife_started.ife_id = x->u.ife_started.ife_id;
        ev->ife_started.txhash = x->u.ife_started.txhash;
        size_t n = 0;
        int rc = plasma_eth_read_start_ife(e->rpc, &x->tx_hash, NULL, ev->ife_started.inputs,
                                           PLASMA_MAX_INPUTS, &n);
        if (rc == PLASMA_ERR_NOT_FOUND)
            n = 0; /* started through another contract: the inputs are not in the call data */
        else if (rc)
            return eth_chain_rpc_fail(e, rc);
        ev->ife_started.n_inputs = (uint8_t)n;
        return 0;
    }
    case PLASMA_ETH_EV_IFE_INPUT_PIGGYBACKED:
    case PLASMA_ETH_EV_IFE_OUTPUT_PIGGYBACKED:
    case PLASMA_ETH_EV_IFE_INPUT_BLOCKED:
    case PLASMA_ETH_EV_IFE_OUTPUT_BLOCKED:
        ev->kind = x->kind == PLASMA_ETH_EV_IFE_INPUT_PIGGYBACKED    ? PLASMA_EVENT_IFE_INPUT_PIGGYBACKED
                   : x->kind == PLASMA_ETH_EV_IFE_OUTPUT_PIGGYBACKED ? PLASMA_EVENT_IFE_OUTPUT_PIGGYBACKED
                   : x->kind == PLASMA_ETH_EV_IFE_INPUT_BLOCKED      ? PLASMA_EVENT_IFE_INPUT_BLOCKED
                                                                     : PLASMA_EVENT_IFE_OUTPUT_BLOCKED;
        ev->ife_index.who = x->u.ife_action.account;
        ev->ife_index.ife_id = x->u.ife_action.ife_id;
        ev->ife_index.index = eth_chain_u64(&x->u.ife_action.value);
        return 0;
    case PLASMA_ETH_EV_IFE_CHALLENGED:
        ev->kind = PLASMA_EVENT_IFE_CHALLENGED;
        ev->ife_challenged.challenger = x->u.ife_action.account;
        ev->ife_challenged.ife_id = x->u.ife_action.ife_id;
        ev->ife_challenged.position = x->u.ife_action.value;
        return 0;
    case PLASMA_ETH_EV_IFE_CHALLENGE_RESPONDED:
        ev->kind = PLASMA_EVENT_IFE_RESPONDED;
        ev->ife_responded.responder = x->u.ife_action.account;
        ev->ife_responded.ife_id = x->u.ife_action.ife_id;
        ev->ife_responded.tx_pos = eth_chain_u64(&x->u.ife_action.value);
        return 0;
    case PLASMA_ETH_EV_IFE_INPUT_WITHDRAWN:
    case PLASMA_ETH_EV_IFE_OUTPUT_WITHDRAWN:
        ev->kind = x->kind == PLASMA_ETH_EV_IFE_INPUT_WITHDRAWN ? PLASMA_EVENT_IFE_INPUT_WITHDRAWN
                                                                : PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN;
        ev->ife_withdrawn.ife_id = x->u.ife_withdrawn.ife_id;
        ev->ife_withdrawn.index = eth_chain_u64(&x->u.ife_withdrawn.index);
        return 0;
    case PLASMA_ETH_EV_IFE_FINALIZED:
    case PLASMA_ETH_EV_IFE_DELETED:
        ev->kind =
            x->kind == PLASMA_ETH_EV_IFE_FINALIZED ? PLASMA_EVENT_IFE_FINALIZED : PLASMA_EVENT_IFE_DELETED;
        ev->ife_closed.ife_id = x->u.id;
        return 0;
    case PLASMA_ETH_EV_PAYMENT_DEFERRED:
    case PLASMA_ETH_EV_WITHDRAWAL:
        ev->kind = x->kind == PLASMA_ETH_EV_PAYMENT_DEFERRED ? PLASMA_EVENT_PAYMENT_DEFERRED
                                                             : PLASMA_EVENT_WITHDRAWAL;
        ev->payment.owner = x->u.payment.owner;
        ev->payment.token = x->u.payment.token;
        ev->payment.amount = x->u.payment.amount;
        return 0;
    default:
        *keep = false;
        return 0;
    }
}

typedef struct tx_log {
    plasma_eth_log log;
    uint64_t tx_index;
} tx_log;

static int cmp_log(const void *a, const void *b)
{
    const plasma_eth_log *x = &((const tx_log *)a)->log, *y = &((const tx_log *)b)->log;
    if (x->block_number != y->block_number)
        return x->block_number < y->block_number ? -1 : 1;
    return x->log_index < y->log_index ? -1 : x->log_index > y->log_index;
}

/* The contract's events among the logs (a JSON array of log objects), in
 * chain order; call_index is the transaction's index in its block. Out:
 * *out (malloc'd; NULL when *n is 0). */
static int events_of_logs(eth_chain *e, const json_t *logs, plasma_event **out, size_t *n)
{
    size_t len = json_array_size(logs), k = 0, parsed = 0;
    tx_log *l = calloc(len ? len : 1, sizeof *l);
    plasma_event *ev = calloc(len ? len : 1, sizeof *ev);
    int rc = !l || !ev ? PLASMA_ERR_NOMEM
             : !json_is_array(logs)
                 ? eth_chain_fail(e, PLASMA_ERR_BAD_REQUEST, "eth_getLogs: not a list of logs")
                 : 0;
    for (; rc == 0 && parsed < len; parsed++) {
        const json_t *o = json_array_get(logs, parsed);
        if (plasma_eth_log_from_json(&l[parsed].log, o) != 0)
            rc = eth_chain_fail(e, PLASMA_ERR_BAD_REQUEST, "eth_getLogs: a malformed log");
        else if (plasma_eth_quantity_u64(&l[parsed].tx_index, json_object_get(o, "transactionIndex")) != 0)
            rc =
                eth_chain_fail(e, PLASMA_ERR_BAD_REQUEST, "eth_getLogs: a log without its transaction index");
    }
    if (rc == 0)
        qsort(l, len, sizeof *l, cmp_log);
    for (size_t i = 0; rc == 0 && i < len; i++) {
        plasma_eth_event x;
        bool keep;
        if (l[i].log.removed || !plasma_addr_eq(&l[i].log.address, &e->contract))
            continue;
        int d = plasma_eth_event_decode(&x, &l[i].log);
        if (d == PLASMA_ERR_NOT_FOUND)
            continue;
        if (d)
            rc = eth_chain_fail(e, d, "a log of the contract that does not decode");
        else if ((rc = convert_event(e, &x, (uint32_t)l[i].tx_index, &ev[k], &keep)) == 0 && keep)
            k++;
    }
    for (size_t i = 0; l && i < parsed; i++)
        plasma_eth_log_clear(&l[i].log);
    free(l);
    if (rc || k == 0) {
        free(ev);
        ev = NULL;
        k = 0;
    }
    if (rc == 0) {
        *out = ev;
        *n = k;
    }
    return rc;
}

/* eth_getLogs of the contract over from..to, topics as given (may be NULL). */
static int get_logs(eth_chain *e, uint64_t from, uint64_t to, json_t *topics, json_t **res)
{
    char addr[43];
    json_t *filter =
        json_pack("{s:s,s:o,s:o}", "address", plasma_addr_format(addr, &e->contract), "fromBlock",
                  plasma_eth_quantity_json(from), "toBlock", plasma_eth_quantity_json(to));
    if (filter && topics && json_object_set(filter, "topics", topics) != 0) {
        json_decref(filter);
        filter = NULL;
    }
    json_t *params = filter ? json_pack("[o]", filter) : NULL;
    if (!params)
        return PLASMA_ERR_NOMEM;
    int rc = plasma_eth_rpc_call(e->rpc, "eth_getLogs", params, res);
    json_decref(params);
    return rc ? eth_chain_rpc_fail(e, rc) : 0;
}

int eth_chain_events(void *ctx, uint64_t from, uint64_t to, plasma_event **ev, size_t *n, uint64_t *next)
{
    eth_chain *e = ctx;
    uint64_t head;
    json_t *res = NULL;
    int rc = plasma_eth_block_number(e->rpc, &head);
    if (rc)
        return eth_chain_rpc_fail(e, rc);
    *ev = NULL;
    *n = 0;
    if (from < e->start_block)
        from = e->start_block;
    uint64_t confirmed = head >= e->confirmations ? head - e->confirmations : 0;
    if (to > confirmed)
        to = confirmed;
    /* Ranges without events are passed over: an empty page means nothing
     * more up to `to`, as on the simulated chain. */
    for (;;) {
        if (from > to) {
            *next = from;
            return 0;
        }
        uint64_t last = to - from >= LOG_RANGE ? from + LOG_RANGE - 1 : to;
        if ((rc = get_logs(e, from, last, NULL, &res)) == 0)
            rc = events_of_logs(e, res, ev, n);
        json_decref(res);
        res = NULL;
        if (rc)
            return rc;
        from = last + 1;
        if (*n)
            break;
    }
    *next = from;
    return 0;
}

int eth_chain_call_events(void *ctx, const plasma_receipt *r, plasma_event **ev, size_t *n)
{
    eth_chain *e = ctx;
    json_t *params = json_pack("[o]", plasma_eth_data_json(r->call_hash.b, 32)), *res = NULL;
    int rc =
        params ? plasma_eth_rpc_call(e->rpc, "eth_getTransactionReceipt", params, &res) : PLASMA_ERR_NOMEM;
    if (rc)
        eth_chain_rpc_fail(e, rc);
    else
        rc = events_of_logs(e, json_object_get(res, "logs"), ev, n);
    json_decref(res);
    json_decref(params);
    return rc;
}

/* eth_getLogs of the contract with topics from `from` to `to`, in requests
 * of at most TOPIC_RANGE blocks (nodes bound a request's range). Out:
 * *res, every log in one array. */
static int get_logs_all(eth_chain *e, uint64_t from, uint64_t to, json_t *topics, json_t **res)
{
    json_t *all = json_array();
    int rc = all ? 0 : PLASMA_ERR_NOMEM;
    while (rc == 0 && from <= to) {
        uint64_t last = to - from >= TOPIC_RANGE ? from + TOPIC_RANGE - 1 : to;
        json_t *part = NULL;
        if ((rc = get_logs(e, from, last, topics, &part)) == 0 &&
            (!json_is_array(part) || json_array_extend(all, part) != 0))
            rc = eth_chain_fail(e, PLASMA_ERR_BAD_REQUEST, "eth_getLogs: not a list of logs");
        json_decref(part);
        if (last == UINT64_MAX)
            break;
        from = last + 1;
    }
    if (rc) {
        json_decref(all);
        return rc;
    }
    *res = all;
    return 0;
}

/* The InFlightExitStarted logs of ife_id (NULL: of every in-flight exit). */
static int ife_started_logs(eth_chain *e, const plasma_u256 *ife_id, json_t **res)
{
    plasma_hash t0, t2;
    uint64_t head;
    int rc = plasma_eth_block_number(e->rpc, &head);
    if (rc)
        return eth_chain_rpc_fail(e, rc);
    plasma_eth_abi_topic(&t0, plasma_eth_event_signature(PLASMA_ETH_EV_IFE_STARTED));
    if (ife_id)
        plasma_u256_to_be(t2.b, ife_id);
    json_t *topics = json_pack("[o,n,o]", plasma_eth_data_json(t0.b, 32),
                               ife_id ? plasma_eth_data_json(t2.b, 32) : json_null());
    if (!topics)
        return PLASMA_ERR_NOMEM;
    if (!ife_id)
        json_array_remove(topics, 2);
    rc = get_logs_all(e, e->start_block, head, topics, res);
    json_decref(topics);
    return rc;
}

int eth_chain_ife_tx(void *ctx, const plasma_u256 *ife_id, plasma_tx *out)
{
    eth_chain *e = ctx;
    json_t *res = NULL;
    plasma_buf tx = {0};
    plasma_hash txh;
    uint64_t inputs[PLASMA_MAX_INPUTS];
    size_t n, k;
    plasma_u256 id;
    int rc = ife_started_logs(e, ife_id, &res);
    if (rc == 0 && (k = json_array_size(res)) == 0)
        rc = eth_chain_fail(e, PLASMA_ERR_IFE_NOT_FOUND, "no in-flight exit with that id was started");
    if (rc == 0 &&
        plasma_eth_fixed_parse(txh.b, 32, json_object_get(json_array_get(res, k - 1), "transactionHash")))
        rc = eth_chain_fail(e, PLASMA_ERR_BAD_REQUEST, "eth_getLogs: a log without its transaction");
    if (rc == 0 && (rc = plasma_eth_read_start_ife(e->rpc, &txh, &tx, inputs, PLASMA_MAX_INPUTS, &n)) != 0)
        rc = rc == PLASMA_ERR_NOT_FOUND
                 ? eth_chain_fail(e, PLASMA_ERR_IFE_NOT_FOUND,
                                  "the in-flight exit was not started by a call of the contract")
                 : eth_chain_rpc_fail(e, rc);
    if (rc == 0 && (plasma_tx_decode_signed(out, tx.data, tx.len) != 0 || plasma_ife_id(&id, out) != 0 ||
                    plasma_u256_cmp(&id, ife_id) != 0))
        rc = eth_chain_fail(e, PLASMA_ERR_BAD_REQUEST,
                            "the startInFlightExit call does not carry that exit's tx");
    plasma_buf_free(&tx);
    json_decref(res);
    return rc;
}

static int cmp_u256(const void *a, const void *b)
{
    return plasma_u256_cmp(a, b);
}

int eth_chain_ifes(void *ctx, const plasma_u256 *after, size_t limit, plasma_ife_info **out, size_t *n,
                   bool *more)
{
    eth_chain *e = ctx;
    json_t *res = NULL;
    int rc = ife_started_logs(e, NULL, &res);
    if (rc)
        return rc;
    size_t len = json_array_size(res), m = 0, k = 0;
    plasma_u256 *ids = calloc(len ? len : 1, sizeof *ids);
    plasma_ife_info *list = calloc(len ? len : 1, sizeof *list);
    if (!ids || !list)
        rc = PLASMA_ERR_NOMEM;
    for (size_t i = 0; rc == 0 && i < len; i++) {
        plasma_hash t;
        if (plasma_eth_fixed_parse(t.b, 32,
                                   json_array_get(json_object_get(json_array_get(res, i), "topics"), 2)))
            rc =
                eth_chain_fail(e, PLASMA_ERR_BAD_REQUEST, "eth_getLogs: a malformed InFlightExitStarted log");
        else if (plasma_u256_from_be(&ids[m], t.b, 32) == 0)
            m++;
    }
    if (rc == 0)
        qsort(ids, m, sizeof *ids, cmp_u256);
    *more = false;
    for (size_t i = 0; rc == 0 && i < m; i++) {
        if ((i > 0 && plasma_u256_cmp(&ids[i], &ids[i - 1]) == 0) ||
            (after && plasma_u256_cmp(&ids[i], after) <= 0))
            continue;
        if (limit && k == limit) {
            *more = true;
            break;
        }
        rc = eth_chain_ife(e, &ids[i], &list[k]);
        if (rc == PLASMA_ERR_IFE_NOT_FOUND)
            rc = 0; /* closed */
        else if (rc == 0)
            k++;
    }
    free(ids);
    json_decref(res);
    if (rc || k == 0) {
        free(list);
        list = NULL;
    }
    if (rc == 0) {
        *out = list;
        *n = k;
    }
    return rc;
}

/* --- following, with reorganisations (eth/'s follower) --- */

static int f_event(void *ctx, const plasma_eth_event *x)
{
    eth_chain *e = ctx;
    plasma_event ev;
    bool keep;
    int rc = convert_event(e, x, 0, &ev, &keep);
    return rc ? rc : keep ? e->sink->event(e->sink->ctx, &ev) : 0;
}

static int f_block(void *ctx, const plasma_eth_cursor *c)
{
    eth_chain *e = ctx;
    client_chain_cursor cc = {c->number, c->hash};
    return e->sink->block(e->sink->ctx, &cc);
}

static int f_undo(void *ctx, const plasma_eth_cursor *ancestor)
{
    eth_chain *e = ctx;
    client_chain_cursor cc = {ancestor->number, ancestor->hash};
    return e->sink->undo(e->sink->ctx, &cc);
}

int eth_chain_follow(void *ctx, const client_chain_cursor *resume, const client_follow_sink *sink,
                     bool *caught_up)
{
    eth_chain *e = ctx;
    const plasma_eth_cursor *at = e->follower ? plasma_eth_follower_cursor(e->follower) : NULL;
    /* A consumer that went back (it undid a reorganisation itself, or
     * reopened its store) gets a follower from where it is. */
    if (at && (!resume || at->number != resume->number || !plasma_hash_eq(&at->hash, &resume->hash))) {
        plasma_eth_follower_free(e->follower);
        e->follower = NULL;
    }
    int rc = 0;
    if (!e->follower) {
        plasma_eth_follow_config fc;
        plasma_eth_follow_config_default(&fc);
        fc.contract = e->contract;
        fc.start_block = e->start_block;
        fc.confirmations = e->confirmations;
        plasma_eth_follow_consumer cons = {e, f_event, f_block, f_undo};
        plasma_eth_cursor from;
        memset(&from, 0, sizeof from);
        if (resume)
            from = (plasma_eth_cursor){resume->number, resume->hash};
        if ((rc = plasma_eth_follower_new(&e->follower, e->rpc, &fc, &cons, resume ? &from : NULL)) != 0)
            return eth_chain_fail(e, rc, "the event follower: %s", plasma_err_message(rc));
    }
    e->sink = sink;
    e->errmsg[0] = '\0';
    rc = plasma_eth_follower_poll(e->follower, caught_up);
    e->sink = NULL;
    if (rc < 0 && e->errmsg[0] == '\0')
        eth_chain_fail(e, rc, "%s", plasma_eth_follower_errmsg(e->follower));
    return rc;
}
