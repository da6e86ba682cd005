/* The root chain as the Plasma contract on an Ethereum node (eth/): views
 * by eth_call, events by eth_getLogs under the confirmations, calls as
 * EIP-1559 transactions of the user's key through eth/'s sender, receipts
 * awaited to the confirmations. The contract's custom errors come back as
 * the project's errors (eth/'s revert decoding). */
#include "client_chain.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plasma/eth.h"

#define MAX_PENDING 16
#define LOG_RANGE 1000u    /* blocks per eth_getLogs of every event */
#define TOPIC_RANGE 10000u /* blocks per eth_getLogs of one event's topic */
#define POLL_MS 100

typedef struct eth_pend {
    plasma_hash h; /* of the first transaction sent: what the caller waits for */
    plasma_eth_pending *p;
    plasma_call_kind kind;
} eth_pend;

typedef struct eth_chain {
    plasma_eth_rpc *rpc;
    plasma_eth_contract *k;
    plasma_addr contract;
    uint64_t chain_id;
    unsigned confirmations;
    uint64_t start_block;
    plasma_eth_sender *sender; /* of the last key that sent */
    plasma_addr sender_addr;
    eth_pend pend[MAX_PENDING];
    size_t n_pend;
    plasma_eth_follower *follower;  /* the watcher's */
    const client_follow_sink *sink; /* during a follow step */
    char errmsg[512];
} eth_chain;

static int fail(eth_chain *e, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(eth_chain *e, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->errmsg, sizeof e->errmsg, fmt, ap);
    va_end(ap);
    return rc;
}

/* An rpc failure, with the node's words. */
static int rpc_fail(eth_chain *e, int rc)
{
    return fail(e, rc, "%s", plasma_eth_rpc_last_error(e->rpc)->message);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static uint64_t u64_of(const plasma_u256 *v)
{
    uint64_t n = 0;
    return plasma_u256_to_u64(v, &n) ? n : UINT64_MAX;
}

/* --- views --- */

static int view_uint(eth_chain *e, plasma_eth_fn fn, plasma_u256 *out)
{
    int rc = plasma_eth_contract_uint(e->k, fn, out);
    return rc ? rpc_fail(e, rc) : 0;
}

static int e_status(void *ctx, plasma_rootchain_status *out)
{
    eth_chain *e = ctx;
    plasma_rootchain_status st;
    plasma_eth_header h;
    plasma_u256 v;
    uint64_t head;
    int rc;
    memset(&st, 0, sizeof st);
    st.chain_id = e->chain_id;
    st.contract = e->contract;
    if ((rc = plasma_eth_block_number(e->rpc, &head)) != 0 ||
        (rc = plasma_eth_header_get(e->rpc, head, &h)) != 0 ||
        (rc = plasma_eth_contract_operator(e->k, &st.operator_addr)) != 0)
        return rpc_fail(e, rc);
    st.head_number = h.number;
    st.head_timestamp = h.timestamp;
    st.head_hash = h.hash;
    if ((rc = view_uint(e, PLASMA_ETH_FN_NEXT_CHILD_BLOCK, &v)) != 0)
        return rc;
    st.next_child_block = u64_of(&v);
    if ((rc = view_uint(e, PLASMA_ETH_FN_NEXT_DEPOSIT_BLOCK, &v)) != 0)
        return rc;
    st.next_deposit_block = u64_of(&v);
    if ((rc = view_uint(e, PLASMA_ETH_FN_MIN_EXIT_PERIOD, &v)) != 0)
        return rc;
    st.min_exit_period = u64_of(&v);
    if ((rc = view_uint(e, PLASMA_ETH_FN_EXIT_BOND, &st.exit_bond)) != 0 ||
        (rc = view_uint(e, PLASMA_ETH_FN_IFE_BOND, &st.ife_bond)) != 0 ||
        (rc = view_uint(e, PLASMA_ETH_FN_PIGGYBACK_BOND, &st.piggyback_bond)) != 0)
        return rc;
    *out = st;
    return 0;
}

static int e_block(void *ctx, uint64_t number, plasma_chain_block *out)
{
    eth_chain *e = ctx;
    plasma_eth_header h;
    int rc = plasma_eth_header_get(e->rpc, number, &h);
    if (rc == PLASMA_ERR_NOT_FOUND)
        return fail(e, rc, "no block %llu on the chain", (unsigned long long)number);
    if (rc)
        return rpc_fail(e, rc);
    memset(out, 0, sizeof *out);
    out->number = h.number;
    out->timestamp = h.timestamp;
    out->hash = h.hash;
    out->parent_hash = h.parent_hash;
    return 0;
}

static int e_block_root(void *ctx, uint64_t blknum, plasma_block_record *out)
{
    eth_chain *e = ctx;
    plasma_eth_block_view v;
    int rc = plasma_eth_contract_block(e->k, blknum, &v);
    if (rc)
        return rpc_fail(e, rc);
    if (v.timestamp == 0)
        return fail(e, PLASMA_ERR_BLOCK_NOT_FOUND, "no block %llu on the contract",
                    (unsigned long long)blknum);
    memset(out, 0, sizeof *out);
    out->blknum = blknum;
    out->root = v.root;
    out->timestamp = v.timestamp;
    out->is_deposit = blknum % PLASMA_CHILD_BLOCK_INTERVAL != 0;
    return 0;
}

static int e_exit(void *ctx, uint64_t exit_id, plasma_exit_info *out)
{
    eth_chain *e = ctx;
    plasma_eth_exit_view v;
    int rc = plasma_eth_contract_exit(e->k, exit_id, &v);
    if (rc)
        return rpc_fail(e, rc);
    if (v.state == PLASMA_EXIT_NONE || v.state > PLASMA_EXIT_SUPERSEDED)
        return fail(e, PLASMA_ERR_EXIT_NOT_FOUND, "no exit %llu on the contract",
                    (unsigned long long)exit_id);
    memset(out, 0, sizeof *out);
    out->exit_id = exit_id;
    out->state = (plasma_exit_state)v.state;
    out->owner = v.owner;
    out->token = v.token;
    out->amount = v.amount;
    out->exitable_at = v.exitable_at;
    out->output_id = v.output_id;
    out->queued = v.queued;
    return 0;
}

static int e_ife(void *ctx, const plasma_u256 *ife_id, plasma_ife_info *out)
{
    eth_chain *e = ctx;
    plasma_eth_ife_view v;
    plasma_ife_info x;
    int rc = plasma_eth_contract_ife(e->k, ife_id, &v);
    if (rc)
        return rpc_fail(e, rc);
    if (v.start == 0 || v.n_inputs > PLASMA_MAX_INPUTS || v.n_outputs > PLASMA_MAX_OUTPUTS)
        return fail(e, PLASMA_ERR_IFE_NOT_FOUND, "no open in-flight exit with that id on the contract");
    memset(&x, 0, sizeof x);
    x.ife_id = *ife_id;
    x.exitable_at = v.exitable_at;
    x.start = v.start;
    x.youngest = v.youngest;
    x.oldest_competitor = v.oldest_competitor;
    x.bond_owner = v.bond_owner;
    x.canonical = v.canonical;
    x.inputs_piggybacked = v.inputs_piggybacked;
    x.outputs_piggybacked = v.outputs_piggybacked;
    x.n_inputs = v.n_inputs;
    x.n_outputs = v.n_outputs;
    x.pending_tokens = v.pending_tokens;
    x.exit_path = (plasma_ife_path)v.exit_path;
    for (unsigned i = 0; i < (unsigned)v.n_inputs + v.n_outputs; i++) {
        bool output = i >= v.n_inputs;
        unsigned k = output ? i - v.n_inputs : i;
        plasma_eth_ife_io_view io;
        if ((rc = plasma_eth_contract_ife_io(e->k, output, ife_id, k, &io)) != 0)
            return rpc_fail(e, rc);
        plasma_ife_io *d = output ? &x.outputs[k] : &x.inputs[k];
        d->output_id = io.output_id;
        d->owner = io.owner;
        d->token = io.token;
        d->amount = io.amount;
    }
    *out = x;
    return 0;
}

static int e_finalized(void *ctx, const plasma_hash *output_id, plasma_u256 *by)
{
    eth_chain *e = ctx;
    int rc = plasma_eth_contract_finalized(e->k, output_id, by);
    return rc ? rpc_fail(e, rc) : 0;
}

static int e_withdrawable(void *ctx, const plasma_addr *owner, const plasma_addr *token, plasma_u256 *out)
{
    eth_chain *e = ctx;
    plasma_addr eth = {{0}};
    int rc = plasma_eth_contract_withdrawable(e->k, owner, token ? token : &eth, out);
    return rc ? rpc_fail(e, rc) : 0;
}

/* An ERC-20 view of token: balanceOf(a) or allowance(a, b). */
static int erc20_uint(eth_chain *e, const plasma_addr *token, const char *sig, const plasma_addr *a,
                      const plasma_addr *b, plasma_u256 *out)
{
    plasma_eth_abi_value args[2] = {plasma_eth_abi_addr(a), plasma_eth_abi_addr(b ? b : a)};
    plasma_buf call = {0}, ret = {0};
    int rc = plasma_eth_abi_encode_call(&call, sig, args, b ? 2 : 1);
    if (rc == 0 && (rc = plasma_eth_call(e->rpc, NULL, token, NULL, call.data, call.len, NULL, &ret)) != 0)
        rpc_fail(e, rc);
    else if (rc == 0 && plasma_eth_decode_uint(out, ret.data, ret.len) != 0)
        rc = fail(e, PLASMA_ERR_BAD_REQUEST, "token %s: not an ERC-20 answer", sig);
    plasma_buf_free(&call);
    plasma_buf_free(&ret);
    return rc;
}

static int e_balance(void *ctx, const plasma_addr *addr, const plasma_addr *token, plasma_u256 *out)
{
    eth_chain *e = ctx;
    if (!token || plasma_addr_is_zero(token)) {
        int rc = plasma_eth_balance(e->rpc, addr, out);
        return rc ? rpc_fail(e, rc) : 0;
    }
    return erc20_uint(e, token, "balanceOf(address)", addr, NULL, out);
}

/* --- events --- */

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
            return rpc_fail(e, rc);
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
        ev->ife_index.index = u64_of(&x->u.ife_action.value);
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
        ev->ife_responded.tx_pos = u64_of(&x->u.ife_action.value);
        return 0;
    case PLASMA_ETH_EV_IFE_INPUT_WITHDRAWN:
    case PLASMA_ETH_EV_IFE_OUTPUT_WITHDRAWN:
        ev->kind = x->kind == PLASMA_ETH_EV_IFE_INPUT_WITHDRAWN ? PLASMA_EVENT_IFE_INPUT_WITHDRAWN
                                                                : PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN;
        ev->ife_withdrawn.ife_id = x->u.ife_withdrawn.ife_id;
        ev->ife_withdrawn.index = u64_of(&x->u.ife_withdrawn.index);
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
    int rc = !l || !ev              ? PLASMA_ERR_NOMEM
             : !json_is_array(logs) ? fail(e, PLASMA_ERR_BAD_REQUEST, "eth_getLogs: not a list of logs")
                                    : 0;
    for (; rc == 0 && parsed < len; parsed++) {
        const json_t *o = json_array_get(logs, parsed);
        if (plasma_eth_log_from_json(&l[parsed].log, o) != 0)
            rc = fail(e, PLASMA_ERR_BAD_REQUEST, "eth_getLogs: a malformed log");
        else if (plasma_eth_quantity_u64(&l[parsed].tx_index, json_object_get(o, "transactionIndex")) != 0)
            rc = fail(e, PLASMA_ERR_BAD_REQUEST, "eth_getLogs: a log without its transaction index");
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
            rc = fail(e, d, "a log of the contract that does not decode");
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
    return rc ? rpc_fail(e, rc) : 0;
}

static int e_events(void *ctx, uint64_t from, uint64_t to, plasma_event **ev, size_t *n, uint64_t *next)
{
    eth_chain *e = ctx;
    uint64_t head;
    json_t *res = NULL;
    int rc = plasma_eth_block_number(e->rpc, &head);
    if (rc)
        return rpc_fail(e, rc);
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

static int e_call_events(void *ctx, const plasma_receipt *r, plasma_event **ev, size_t *n)
{
    eth_chain *e = ctx;
    json_t *params = json_pack("[o]", plasma_eth_data_json(r->call_hash.b, 32)), *res = NULL;
    int rc =
        params ? plasma_eth_rpc_call(e->rpc, "eth_getTransactionReceipt", params, &res) : PLASMA_ERR_NOMEM;
    if (rc)
        rpc_fail(e, rc);
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
            rc = fail(e, PLASMA_ERR_BAD_REQUEST, "eth_getLogs: not a list of logs");
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
        return rpc_fail(e, rc);
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

static int e_ife_tx(void *ctx, const plasma_u256 *ife_id, plasma_tx *out)
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
        rc = fail(e, PLASMA_ERR_IFE_NOT_FOUND, "no in-flight exit with that id was started");
    if (rc == 0 &&
        plasma_eth_fixed_parse(txh.b, 32, json_object_get(json_array_get(res, k - 1), "transactionHash")))
        rc = fail(e, PLASMA_ERR_BAD_REQUEST, "eth_getLogs: a log without its transaction");
    if (rc == 0 && (rc = plasma_eth_read_start_ife(e->rpc, &txh, &tx, inputs, PLASMA_MAX_INPUTS, &n)) != 0)
        rc = rc == PLASMA_ERR_NOT_FOUND ? fail(e, PLASMA_ERR_IFE_NOT_FOUND,
                                               "the in-flight exit was not started by a call of the contract")
                                        : rpc_fail(e, rc);
    if (rc == 0 && (plasma_tx_decode_signed(out, tx.data, tx.len) != 0 || plasma_ife_id(&id, out) != 0 ||
                    plasma_u256_cmp(&id, ife_id) != 0))
        rc = fail(e, PLASMA_ERR_BAD_REQUEST, "the startInFlightExit call does not carry that exit's tx");
    plasma_buf_free(&tx);
    json_decref(res);
    return rc;
}

static int cmp_u256(const void *a, const void *b)
{
    return plasma_u256_cmp(a, b);
}

static int e_ifes(void *ctx, const plasma_u256 *after, size_t limit, plasma_ife_info **out, size_t *n,
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
            rc = fail(e, PLASMA_ERR_BAD_REQUEST, "eth_getLogs: a malformed InFlightExitStarted log");
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
        rc = e_ife(e, &ids[i], &list[k]);
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

/* --- transactions --- */

static int sender_for(eth_chain *e, const plasma_privkey *key)
{
    plasma_addr a;
    if (plasma_privkey_addr(&a, key) != 0)
        return fail(e, PLASMA_ERR_BAD_REQUEST, "invalid private key");
    if (e->sender && plasma_addr_eq(&a, &e->sender_addr))
        return 0;
    if (e->n_pend)
        return fail(e, PLASMA_ERR_BAD_REQUEST, "another account's transactions are still awaited");
    plasma_eth_sender_free(e->sender);
    e->sender = NULL;
    plasma_eth_sender_config sc;
    plasma_eth_sender_config_default(&sc);
    sc.key = *key;
    sc.chain_id = e->chain_id;
    sc.confirmations = e->confirmations;
    sc.poll_ms = POLL_MS;
    int rc = plasma_eth_sender_new(&e->sender, e->rpc, &sc);
    plasma_wipe(&sc.key, sizeof sc.key);
    if (rc)
        return rc == PLASMA_ERR_CONFIG ? fail(e, rc, "invalid private key") : rpc_fail(e, rc);
    e->sender_addr = a;
    return 0;
}

static plasma_eth_bytes bytes(const uint8_t *b, size_t len)
{
    plasma_eth_bytes x = {b, len};
    return x;
}

static plasma_eth_bytes call_tx(const plasma_call_tx *t)
{
    return bytes(t->b, t->len);
}

/* The calldata and value of call. */
static int encode_call(const plasma_call *c, plasma_buf *data, plasma_u256 *value)
{
    memset(value, 0, sizeof *value);
    switch (c->kind) {
    case PLASMA_CALL_DEPOSIT:
        if (plasma_addr_is_zero(&c->deposit.token))
            *value = c->deposit.amount;
        return plasma_eth_encode_deposit(data, &c->deposit.token, &c->deposit.amount);
    case PLASMA_CALL_START_EXIT:
        *value = c->start_exit.bond;
        return plasma_eth_encode_start_standard_exit(data, c->start_exit.utxo_pos,
                                                     bytes(c->start_exit.tx, c->start_exit.tx_len),
                                                     bytes(c->start_exit.proof, PLASMA_MERKLE_PROOF_LEN));
    case PLASMA_CALL_CHALLENGE_EXIT:
        return plasma_eth_encode_challenge_standard_exit(
            data, c->challenge_exit.exit_id, bytes(c->challenge_exit.tx, c->challenge_exit.tx_len),
            c->challenge_exit.input_index);
    case PLASMA_CALL_PROCESS_EXITS:
        return plasma_eth_encode_process_exits(data, &c->process_exits.token, c->process_exits.max_exits);
    case PLASMA_CALL_START_IFE: {
        const plasma_call_start_ife *s = &c->start_ife;
        plasma_eth_bytes txs[PLASMA_MAX_INPUTS], proofs[PLASMA_MAX_INPUTS];
        for (unsigned i = 0; i < s->n_input_txs && i < PLASMA_MAX_INPUTS; i++)
            txs[i] = call_tx(&s->input_txs[i]);
        for (unsigned i = 0; i < s->n_input_proofs && i < PLASMA_MAX_INPUTS; i++)
            proofs[i] = bytes(s->input_proofs[i], PLASMA_MERKLE_PROOF_LEN);
        *value = s->bond;
        return plasma_eth_encode_start_in_flight_exit(data, call_tx(&s->tx), txs, s->n_input_txs,
                                                      s->input_pos, s->n_input_pos, proofs,
                                                      s->n_input_proofs);
    }
    case PLASMA_CALL_PIGGYBACK_INPUT:
    case PLASMA_CALL_PIGGYBACK_OUTPUT:
        *value = c->piggyback.bond;
        return plasma_eth_encode_piggyback(data, c->kind == PLASMA_CALL_PIGGYBACK_OUTPUT,
                                           call_tx(&c->piggyback.tx), c->piggyback.index);
    case PLASMA_CALL_CHALLENGE_IFE: {
        const plasma_call_challenge_ife *x = &c->challenge_ife;
        plasma_eth_noncanonical_args a = {
            call_tx(&x->tx),           x->input_index,
            call_tx(&x->competing_tx), x->competing_input_index,
            x->competitor_pos,         bytes(x->competitor_proof.b, x->competitor_proof.len)};
        return plasma_eth_encode_challenge_ife_not_canonical(data, &a);
    }
    case PLASMA_CALL_RESPOND_IFE:
        return plasma_eth_encode_respond_non_canonical(
            data, call_tx(&c->respond_ife.tx), c->respond_ife.tx_pos,
            bytes(c->respond_ife.proof.b, c->respond_ife.proof.len));
    case PLASMA_CALL_CHALLENGE_IFE_INPUT:
        return plasma_eth_encode_challenge_ife_input_spent(
            data, call_tx(&c->challenge_ife_input.tx), c->challenge_ife_input.input_index,
            call_tx(&c->challenge_ife_input.spending_tx), c->challenge_ife_input.spending_input_index);
    case PLASMA_CALL_CHALLENGE_IFE_OUTPUT: {
        const plasma_call_challenge_ife_output *x = &c->challenge_ife_output;
        return plasma_eth_encode_challenge_ife_output_spent(
            data, call_tx(&x->tx), x->output_utxo_pos, bytes(x->proof.b, x->proof.len),
            call_tx(&x->spending_tx), x->spending_input_index);
    }
    case PLASMA_CALL_DELETE_IFE:
        return plasma_eth_encode_delete_ife(data, &c->delete_ife.ife_id);
    case PLASMA_CALL_WITHDRAW:
        return plasma_eth_encode_withdraw(data, &c->withdraw.token);
    default:
        return PLASMA_ERR_BAD_CALL;
    }
}

/* Waits for p through its confirmations, or timeout_ms. */
static int wait_pending(eth_chain *e, plasma_eth_pending *p, long timeout_ms, plasma_eth_receipt *r,
                        int *reverted)
{
    long waited = 0;
    *reverted = 0;
    for (;;) {
        bool done = false;
        int rc = plasma_eth_pending_poll(e->sender, p, &done, r);
        if (done) {
            *reverted = rc;
            return 0;
        }
        if (rc && rc != PLASMA_ERR_UNAVAILABLE)
            return fail(e, rc, "%s", plasma_eth_sender_errmsg(e->sender));
        if (waited >= timeout_ms)
            return fail(e, PLASMA_ERR_TIMEOUT,
                        "the transaction is not mined with %u confirmations after %ld s", e->confirmations,
                        timeout_ms / 1000);
        sleep_ms(POLL_MS);
        waited += POLL_MS;
    }
}

/* approve(contract, amount) on token first when the allowance is short. */
static int approve_if_short(eth_chain *e, const plasma_addr *token, const plasma_u256 *amount)
{
    plasma_u256 allowed;
    plasma_eth_receipt r;
    int rc = erc20_uint(e, token, "allowance(address,address)", &e->sender_addr, &e->contract, &allowed);
    if (rc || plasma_u256_cmp(&allowed, amount) >= 0)
        return rc;
    plasma_eth_abi_value args[2] = {plasma_eth_abi_addr(&e->contract), plasma_eth_abi_uint(amount)};
    plasma_buf call = {0};
    if ((rc = plasma_eth_abi_encode_call(&call, "approve(address,uint256)", args, 2)) != 0)
        return rc;
    plasma_eth_txreq req = {.to = *token, .data = call.data, .data_len = call.len};
    rc = plasma_eth_sender_transact(e->sender, &req, &r);
    plasma_buf_free(&call);
    if (rc)
        return fail(e, rc, "approve of the token: %s", plasma_eth_sender_errmsg(e->sender));
    return 0;
}

static int e_send(void *ctx, const plasma_privkey *key, plasma_call *call, uint64_t gas_price, plasma_hash *h)
{
    eth_chain *e = ctx;
    plasma_buf data = {0};
    plasma_u256 value;
    plasma_eth_pending *p = NULL;
    (void)gas_price; /* fees come from the node's fee history */
    if (e->n_pend == MAX_PENDING)
        return fail(e, PLASMA_ERR_BLOCK_FULL, "too many transactions awaited at once");
    int rc = sender_for(e, key);
    if (rc)
        return rc;
    call->from = e->sender_addr;
    if (call->kind == PLASMA_CALL_DEPOSIT && !plasma_addr_is_zero(&call->deposit.token) &&
        (rc = approve_if_short(e, &call->deposit.token, &call->deposit.amount)) != 0)
        return rc;
    if ((rc = encode_call(call, &data, &value)) != 0) {
        plasma_buf_free(&data);
        return fail(e, rc, "the call cannot be encoded");
    }
    plasma_eth_txreq req = {.to = e->contract, .value = value, .data = data.data, .data_len = data.len};
    rc = plasma_eth_sender_send(e->sender, &req, &p);
    plasma_buf_free(&data);
    if (rc)
        return fail(e, rc, "%s", plasma_eth_sender_errmsg(e->sender));
    eth_pend *x = &e->pend[e->n_pend++];
    x->h = plasma_eth_pending_last(p)->hash;
    x->p = p;
    x->kind = call->kind;
    *h = x->h;
    return 0;
}

static int e_wait(void *ctx, const plasma_hash *h, long timeout_ms, plasma_receipt *out)
{
    eth_chain *e = ctx;
    size_t i = 0;
    while (i < e->n_pend && !plasma_hash_eq(&e->pend[i].h, h))
        i++;
    if (i == e->n_pend)
        return fail(e, PLASMA_ERR_NOT_FOUND, "no such transaction sent by this client");
    plasma_eth_receipt r;
    int reverted = 0, rc = wait_pending(e, e->pend[i].p, timeout_ms, &r, &reverted);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    out->call_hash = r.tx_hash;
    out->block_number = r.block_number;
    out->kind = e->pend[i].kind;
    out->from = e->sender_addr;
    out->nonce = r.nonce;
    out->gas_used = r.gas_used;
    out->gas_price = u64_of(&r.effective_gas_price);
    out->err = reverted;
    if (reverted) {
        char name[64] = "";
        uint8_t sel[4];
        if (plasma_eth_error_name(name, sizeof name, sel, reverted) != 0)
            name[0] = '\0';
        fail(e, reverted, "%s%s%s", name[0] ? "the contract reverted with " : "",
             name[0] ? name : plasma_eth_sender_errmsg(e->sender), name[0] ? "()" : "");
    }
    plasma_eth_pending_free(e->pend[i].p);
    e->pend[i] = e->pend[--e->n_pend];
    return 0;
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

static int e_follow(void *ctx, const client_chain_cursor *resume, const client_follow_sink *sink,
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
            return fail(e, rc, "the event follower: %s", plasma_err_message(rc));
    }
    e->sink = sink;
    e->errmsg[0] = '\0';
    rc = plasma_eth_follower_poll(e->follower, caught_up);
    e->sink = NULL;
    if (rc < 0 && e->errmsg[0] == '\0')
        fail(e, rc, "%s", plasma_eth_follower_errmsg(e->follower));
    return rc;
}

static const char *e_errmsg(void *ctx)
{
    eth_chain *e = ctx;
    return e->errmsg;
}

static void e_free(void *ctx)
{
    eth_chain *e = ctx;
    if (!e)
        return;
    for (size_t i = 0; i < e->n_pend; i++)
        plasma_eth_pending_free(e->pend[i].p);
    plasma_eth_sender_free(e->sender);
    plasma_eth_follower_free(e->follower);
    plasma_eth_contract_free(e->k);
    plasma_eth_rpc_free(e->rpc);
    free(e);
}

static const client_chain_ops eth_ops = {
    .name = "eth",
    .status = e_status,
    .send = e_send,
    .wait = e_wait,
    .call_events = e_call_events,
    .events = e_events,
    .block = e_block,
    .block_root = e_block_root,
    .exit = e_exit,
    .ife = e_ife,
    .ife_tx = e_ife_tx,
    .ifes = e_ifes,
    .finalized = e_finalized,
    .withdrawable = e_withdrawable,
    .balance = e_balance,
    .follow = e_follow,
    .reorg_window = 64, /* the follower's default */
    .errmsg = e_errmsg,
    .free = e_free,
};

int client_chain_eth_new(client_chain *out, const plasma_client_eth_config *cfg, char *err, size_t err_len)
{
    eth_chain *e = calloc(1, sizeof *e);
    plasma_eth_rpc_config rc_cfg;
    int rc;
    if (!e)
        return PLASMA_ERR_NOMEM;
    plasma_eth_rpc_config_default(&rc_cfg);
    rc_cfg.url = cfg->rpc_url;
    e->contract = cfg->contract;
    e->confirmations = cfg->confirmations;
    e->start_block = cfg->start_block ? cfg->start_block : 1;
    if (!cfg->rpc_url || plasma_eth_rpc_new(&e->rpc, &rc_cfg) != 0) {
        snprintf(err, err_len, "--rpc: not an http:// or https:// URL");
        rc = PLASMA_ERR_CONFIG;
    } else {
        plasma_eth_expect want = {cfg->chain_id, NULL, NULL};
        rc = plasma_eth_check_deployment(e->rpc, &e->contract, &want, &e->chain_id, err, err_len);
    }
    if (rc == 0 && plasma_eth_contract_new(&e->k, e->rpc, &e->contract) != 0)
        rc = PLASMA_ERR_NOMEM;
    if (rc) {
        e_free(e);
        return rc;
    }
    out->ops = &eth_ops;
    out->ctx = e;
    return 0;
}
