/* Internals shared by the node, its HTTP handlers and the client. */
#ifndef PLASMA_ROOTCHAIN_INTERNAL_H
#define PLASMA_ROOTCHAIN_INTERNAL_H

#include <pthread.h>

#include "plasma/json.h"
#include "plasma/rootchain.h"

/* Per call kind, over every receipt seen (index: plasma_call_kind). */
#define RC_KINDS PLASMA_CALL_KINDS
typedef struct rc_gas_stats {
    uint64_t calls[RC_KINDS];
    uint64_t failed[RC_KINDS];
    uint64_t gas[RC_KINDS];
} rc_gas_stats;

/* Calls submitted through the node and not yet seen mined, so that
 * GET /v1/calls/{hash} can tell "pending" from "unknown". */
typedef struct rc_pending {
    plasma_hash *hashes;
    size_t n;
    size_t cap;
} rc_pending;

/* Lock order: hook_mu before mu. Nobody takes hook_mu while holding mu. */
struct plasma_rootnode {
    pthread_mutex_t mu; /* guards chain, pending, stats, synced, stop */
    pthread_cond_t wake;
    plasma_chain *chain;
    plasma_call_domain domain; /* constant after new */
    bool dev;
    size_t max_pending;
    uint64_t interval_ms;

    rc_pending pending;
    rc_gas_stats stats;
    uint64_t synced; /* last block whose receipts pending and stats reflect */

    bool stop;
    bool miner_running;
    pthread_t miner;

    pthread_mutex_t hook_mu; /* guards hooks and delivered */
    plasma_rootnode_hooks hooks;
    uint64_t delivered; /* last block the hooks were given */
};

/* Brings pending and stats up to the chain's head. Lock held. */
void rc_node_sync_locked(plasma_rootnode *node);
/* True when hash is a call submitted here and not seen mined. Lock held,
 * after rc_node_sync_locked. */
bool rc_node_is_pending_locked(const plasma_rootnode *node, const plasma_hash *hash);

/* ---- JSON output ---- */

const char *rc_call_kind_name(plasma_call_kind kind);
const char *rc_exit_state_name(plasma_exit_state state);
/* Returns 0 and *out for a known name, else PLASMA_ERR_BAD_REQUEST. */
int rc_exit_state_parse(plasma_exit_state *out, const char *name);
const char *rc_event_kind_name(plasma_event_kind kind);
/* In-flight exit ids: 0x + 64 hex digits (32 bytes big-endian). */
json_t *rc_json_ife_id(const plasma_u256 *id);
/* Returns 0 or PLASMA_ERR_BAD_REQUEST. */
int rc_parse_ife_id(plasma_u256 *out, const char *s);

json_t *rc_receipt_json(const plasma_receipt *r);
json_t *rc_event_json(const plasma_event *ev, uint64_t timestamp);
json_t *rc_exit_json(const plasma_exit_info *x);
json_t *rc_block_record_json(const plasma_block_record *r);
json_t *rc_ife_json(const plasma_ife_info *info);
/* {"output_id", "finalized", and "exit_id" or "ife_id" when finalized} */
json_t *rc_finalized_json(const plasma_hash *output_id, const plasma_u256 *by);
const char *rc_ife_path_name(plasma_ife_path path);
/* Returns 0 and *out for a known name, else PLASMA_ERR_BAD_REQUEST. */
int rc_ife_path_parse(plasma_ife_path *out, const char *name);

/* ---- JSON input: strict parsing with one-line error messages ---- */

typedef enum rc_field_type { RC_F_STRING, RC_F_INTEGER } rc_field_type;

typedef struct rc_field {
    const char *name;
    rc_field_type type;
} rc_field;

/* Parses the request body as an object whose members are exactly the n
 * fields (all required, of their types). Returns the object (caller
 * decrefs) or NULL with a 400 bad_request in resp. */
json_t *rc_body(const plasma_http_req *req, plasma_http_resp *resp, const rc_field *fields, size_t n);

/* Field readers for a body checked by rc_body. On a bad value they fill
 * resp with a 400 naming the field and return false. */
bool rc_get_addr(plasma_http_resp *resp, const json_t *body, const char *name, plasma_addr *out);
bool rc_get_u256(plasma_http_resp *resp, const json_t *body, const char *name, plasma_u256 *out);
bool rc_get_u64(plasma_http_resp *resp, const json_t *body, const char *name, uint64_t min, uint64_t max,
                uint64_t *out);

/* Reads query parameter key as a u64 in [min, max], or def when absent.
 * On a bad value fills resp with a 400 and returns false. */
bool rc_query_u64(plasma_http_resp *resp, const plasma_http_req *req, const char *key, uint64_t min,
                  uint64_t max, uint64_t def, uint64_t *out);

/* 400 bad_request with a formatted message. */
void rc_bad_request(plasma_http_resp *resp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- handlers ---- */

void rc_h_submit_call(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_get_call(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);

void rc_h_status(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_block(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_plasma_block(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_exit(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_exits(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_queue(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_account(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_events(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_gas(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_ifes(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_ife(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_ife_tx(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_finalized(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_withdrawable(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);

void rc_h_dev_mine(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_dev_advance_time(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_dev_fund(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);
void rc_h_dev_mint(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);

/* Limits of the query routes. */
#define RC_EVENTS_DEFAULT_LIMIT 1000u
#define RC_EVENTS_MAX_LIMIT 10000u
#define RC_EXITS_DEFAULT_LIMIT 1000u
#define RC_EXITS_MAX_LIMIT 10000u
#define RC_MAX_TOKENS 16u
/* Largest value POST /v1/dev/advance-time accepts in one request. */
#define RC_MAX_ADVANCE_SECONDS 3153600000ull /* 100 years */

#endif
