/* The contract's event logs. See plasma/eth_contract.h. */
#include <stddef.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/eth_contract.h"
#include "plasma/u256.h"

/* A parameter's word: an address, a uint256, a uint256 that must fit in 64
 * bits (block numbers and times), a bytes32. */
typedef enum ptype { P_ADDR, P_U256, P_U64, P_WORD } ptype;

typedef struct param {
    ptype type;
    bool indexed;
    size_t off; /* in plasma_eth_event */
} param;

#define MAX_PARAMS 4
#define F(member) offsetof(plasma_eth_event, u.member)

typedef struct event_row {
    const char *signature;
    size_t n;
    param p[MAX_PARAMS];
} event_row;

/* The indexed parameters are those of PROTOCOL §9. */
static const event_row EVENTS[PLASMA_ETH_EV_COUNT] = {
    [PLASMA_ETH_EV_DEPOSIT_CREATED] = {"DepositCreated(address,uint256,address,uint256)",
                                       4,
                                       {{P_ADDR, true, F(deposit_created.depositor)},
                                        {P_U64, true, F(deposit_created.blknum)},
                                        {P_ADDR, true, F(deposit_created.token)},
                                        {P_U256, false, F(deposit_created.amount)}}},
    [PLASMA_ETH_EV_BLOCK_SUBMITTED] = {"BlockSubmitted(uint256,bytes32,uint256)",
                                       3,
                                       {{P_U64, true, F(block_submitted.blknum)},
                                        {P_WORD, false, F(block_submitted.root)},
                                        {P_U64, false, F(block_submitted.timestamp)}}},
    [PLASMA_ETH_EV_EXIT_STARTED] = {"ExitStarted(address,uint256,address,uint256)",
                                    4,
                                    {{P_ADDR, true, F(exit_started.owner)},
                                     {P_U256, true, F(exit_started.exit_id)},
                                     {P_ADDR, false, F(exit_started.token)},
                                     {P_U256, false, F(exit_started.amount)}}},
    [PLASMA_ETH_EV_EXIT_CHALLENGED] = {"ExitChallenged(uint256,address)",
                                       2,
                                       {{P_U256, true, F(exit_challenged.exit_id)},
                                        {P_ADDR, false, F(exit_challenged.challenger)}}},
    [PLASMA_ETH_EV_EXIT_FINALIZED] = {"ExitFinalized(uint256)", 1, {{P_U256, true, F(id)}}},
    [PLASMA_ETH_EV_IFE_STARTED] = {"InFlightExitStarted(address,uint256,bytes32)",
                                   3,
                                   {{P_ADDR, true, F(ife_started.initiator)},
                                    {P_U256, true, F(ife_started.ife_id)},
                                    {P_WORD, false, F(ife_started.txhash)}}},
#define IFE_ACTION(sig)                                                                                      \
    {                                                                                                        \
        sig, 3,                                                                                              \
        {                                                                                                    \
            {P_ADDR, true, F(ife_action.account)}, {P_U256, true, F(ife_action.ife_id)},                     \
            {                                                                                                \
                P_U256, false, F(ife_action.value)                                                           \
            }                                                                                                \
        }                                                                                                    \
    }
    [PLASMA_ETH_EV_IFE_INPUT_PIGGYBACKED] =
        IFE_ACTION("InFlightExitInputPiggybacked(address,uint256,uint256)"),
    [PLASMA_ETH_EV_IFE_OUTPUT_PIGGYBACKED] =
        IFE_ACTION("InFlightExitOutputPiggybacked(address,uint256,uint256)"),
    [PLASMA_ETH_EV_IFE_CHALLENGED] = IFE_ACTION("InFlightExitChallenged(address,uint256,uint256)"),
    [PLASMA_ETH_EV_IFE_CHALLENGE_RESPONDED] =
        IFE_ACTION("InFlightExitChallengeResponded(address,uint256,uint256)"),
    [PLASMA_ETH_EV_IFE_INPUT_BLOCKED] = IFE_ACTION("InFlightExitInputBlocked(address,uint256,uint256)"),
    [PLASMA_ETH_EV_IFE_OUTPUT_BLOCKED] = IFE_ACTION("InFlightExitOutputBlocked(address,uint256,uint256)"),
#undef IFE_ACTION
    [PLASMA_ETH_EV_IFE_INPUT_WITHDRAWN] = {"InFlightExitInputWithdrawn(uint256,uint256)",
                                           2,
                                           {{P_U256, true, F(ife_withdrawn.ife_id)},
                                            {P_U256, false, F(ife_withdrawn.index)}}},
    [PLASMA_ETH_EV_IFE_OUTPUT_WITHDRAWN] = {"InFlightExitOutputWithdrawn(uint256,uint256)",
                                            2,
                                            {{P_U256, true, F(ife_withdrawn.ife_id)},
                                             {P_U256, false, F(ife_withdrawn.index)}}},
    [PLASMA_ETH_EV_IFE_FINALIZED] = {"InFlightExitFinalized(uint256)", 1, {{P_U256, true, F(id)}}},
    [PLASMA_ETH_EV_IFE_DELETED] = {"InFlightExitDeleted(uint256)", 1, {{P_U256, true, F(id)}}},
    [PLASMA_ETH_EV_PAYMENT_DEFERRED] = {"PaymentDeferred(address,address,uint256)",
                                        3,
                                        {{P_ADDR, true, F(payment.owner)},
                                         {P_ADDR, true, F(payment.token)},
                                         {P_U256, false, F(payment.amount)}}},
    [PLASMA_ETH_EV_WITHDRAWAL] = {"Withdrawal(address,address,uint256)",
                                  3,
                                  {{P_ADDR, true, F(payment.owner)},
                                   {P_ADDR, true, F(payment.token)},
                                   {P_U256, false, F(payment.amount)}}},
};

static plasma_hash topics[PLASMA_ETH_EV_COUNT];
static pthread_once_t topics_once = PTHREAD_ONCE_INIT;

static void build_topics(void)
{
    for (unsigned k = 0; k < PLASMA_ETH_EV_COUNT; k++)
        plasma_eth_abi_topic(&topics[k], EVENTS[k].signature);
}

const char *plasma_eth_event_signature(plasma_eth_event_kind kind)
{
    return (unsigned)kind < PLASMA_ETH_EV_COUNT ? EVENTS[kind].signature : NULL;
}

static bool zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Stores one 32-byte word as the parameter's type. */
static int put_word(plasma_eth_event *ev, const param *p, const uint8_t w[32])
{
    uint8_t *dst = (uint8_t *)ev + p->off;
    plasma_u256 u;
    switch (p->type) {
    case P_ADDR:
        if (!zero(w, 12))
            return PLASMA_ERR_BAD_REQUEST;
        memcpy(dst, w + 12, 20);
        return PLASMA_OK;
    case P_WORD:
        memcpy(dst, w, 32);
        return PLASMA_OK;
    case P_U256:
        plasma_u256_from_be(&u, w, 32);
        memcpy(dst, &u, sizeof u);
        return PLASMA_OK;
    case P_U64: {
        uint64_t v;
        plasma_u256_from_be(&u, w, 32);
        if (!plasma_u256_to_u64(&u, &v))
            return PLASMA_ERR_BAD_REQUEST;
        memcpy(dst, &v, sizeof v);
        return PLASMA_OK;
    }
    }
    return PLASMA_ERR_BAD_REQUEST;
}

static int decode_params(plasma_eth_event *ev, const event_row *row, const plasma_eth_log *log)
{
    size_t n_indexed = 0, n_data = 0;
    for (size_t i = 0; i < row->n; i++)
        row->p[i].indexed ? n_indexed++ : n_data++;
    if (log->n_topics != 1 + n_indexed || log->data.len != 32 * n_data)
        return PLASMA_ERR_BAD_REQUEST;
    size_t t = 1, d = 0;
    for (size_t i = 0; i < row->n; i++) {
        const uint8_t *w = row->p[i].indexed ? log->topics[t++].b : log->data.data + 32 * d++;
        int rc = put_word(ev, &row->p[i], w);
        if (rc != 0)
            return rc;
    }
    return PLASMA_OK;
}

int plasma_eth_event_decode(plasma_eth_event *out, const plasma_eth_log *log)
{
    pthread_once(&topics_once, build_topics);
    if (log->n_topics == 0)
        return PLASMA_ERR_NOT_FOUND;
    for (unsigned k = 0; k < PLASMA_ETH_EV_COUNT; k++) {
        if (!plasma_hash_eq(&topics[k], &log->topics[0]))
            continue;
        plasma_eth_event ev;
        memset(&ev, 0, sizeof ev);
        int rc = decode_params(&ev, &EVENTS[k], log);
        if (rc != 0)
            return rc;
        ev.kind = (plasma_eth_event_kind)k;
        ev.block_number = log->block_number;
        ev.block_hash = log->block_hash;
        ev.tx_hash = log->tx_hash;
        ev.log_index = log->log_index;
        *out = ev;
        return PLASMA_OK;
    }
    return PLASMA_ERR_NOT_FOUND;
}

/* --- logs from JSON --- */

static int read_topics(plasma_eth_log *log, const json_t *arr)
{
    if (!json_is_array(arr) || json_array_size(arr) > PLASMA_ETH_MAX_TOPICS)
        return PLASMA_ERR_BAD_REQUEST;
    log->n_topics = json_array_size(arr);
    for (size_t i = 0; i < log->n_topics; i++)
        if (plasma_eth_fixed_parse(log->topics[i].b, 32, json_array_get(arr, i)) != 0)
            return PLASMA_ERR_BAD_REQUEST;
    return PLASMA_OK;
}

int plasma_eth_log_from_json(plasma_eth_log *out, const json_t *obj)
{
    plasma_eth_log log;
    memset(&log, 0, sizeof log);
    memset(out, 0, sizeof *out);
    const json_t *removed = json_object_get(obj, "removed");
    int rc = PLASMA_ERR_BAD_REQUEST;
    if (!json_is_object(obj) ||
        plasma_eth_fixed_parse(log.address.b, 20, json_object_get(obj, "address")) != 0 ||
        read_topics(&log, json_object_get(obj, "topics")) != 0 ||
        plasma_eth_quantity_u64(&log.block_number, json_object_get(obj, "blockNumber")) != 0 ||
        plasma_eth_fixed_parse(log.block_hash.b, 32, json_object_get(obj, "blockHash")) != 0 ||
        plasma_eth_fixed_parse(log.tx_hash.b, 32, json_object_get(obj, "transactionHash")) != 0 ||
        plasma_eth_quantity_u64(&log.log_index, json_object_get(obj, "logIndex")) != 0 ||
        (removed && !json_is_boolean(removed)))
        goto cleanup;
    log.removed = json_is_true(removed);
    if ((rc = plasma_eth_data_parse(&log.data, json_object_get(obj, "data"))) != 0)
        goto cleanup;
    *out = log;
    log.data = (plasma_buf){0};
cleanup:
    plasma_buf_free(&log.data);
    return rc;
}

void plasma_eth_log_clear(plasma_eth_log *log)
{
    plasma_buf_free(&log->data);
    memset(log, 0, sizeof *log);
}

static int cmp_logs(const void *a, const void *b)
{
    const plasma_eth_log *x = a, *y = b;
    if (x->block_number != y->block_number)
        return x->block_number < y->block_number ? -1 : 1;
    return x->log_index < y->log_index ? -1 : x->log_index > y->log_index;
}

void plasma_eth_logs_sort(plasma_eth_log *logs, size_t n)
{
    qsort(logs, n, sizeof *logs, cmp_logs);
}
