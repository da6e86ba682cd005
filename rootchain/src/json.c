/* JSON in and out for the API: the conventions of PROTOCOL §1 (lowercase
 * 0x-hex, amounts and positions as decimal strings) and strict parsing of
 * every input, so that a malformed one gets a 400 naming the problem. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const KIND_NAMES[RC_KINDS] = {
    NULL, "transfer", "deposit", "submit_block", "start_exit", "challenge_exit", "process_exits",
};

const char *rc_call_kind_name(plasma_call_kind kind)
{
    unsigned k = (unsigned)kind;
    return k < RC_KINDS && KIND_NAMES[k] ? KIND_NAMES[k] : "unknown";
}

static const char *const EXIT_STATES[] = {"none", "in_progress", "challenged", "finalized"};

const char *rc_exit_state_name(plasma_exit_state state)
{
    unsigned s = (unsigned)state;
    return s < sizeof EXIT_STATES / sizeof EXIT_STATES[0] ? EXIT_STATES[s] : "unknown";
}

int rc_exit_state_parse(plasma_exit_state *out, const char *name)
{
    for (unsigned s = 1; s < sizeof EXIT_STATES / sizeof EXIT_STATES[0]; s++) {
        if (strcmp(name, EXIT_STATES[s]) == 0) {
            *out = (plasma_exit_state)s;
            return PLASMA_OK;
        }
    }
    return PLASMA_ERR_BAD_REQUEST;
}

const char *rc_event_kind_name(plasma_event_kind kind)
{
    switch (kind) {
    case PLASMA_EVENT_DEPOSIT_CREATED:
        return "DepositCreated";
    case PLASMA_EVENT_BLOCK_SUBMITTED:
        return "BlockSubmitted";
    case PLASMA_EVENT_EXIT_STARTED:
        return "ExitStarted";
    case PLASMA_EVENT_EXIT_CHALLENGED:
        return "ExitChallenged";
    case PLASMA_EVENT_EXIT_FINALIZED:
        return "ExitFinalized";
    }
    return "Unknown";
}

json_t *rc_receipt_json(const plasma_receipt *r)
{
    return json_pack("{s:o,s:s,s:o,s:I,s:s,s:o,s:I,s:I,s:I,s:s?}", "call_hash",
                     plasma_json_hash(&r->call_hash), "status", "mined", "block",
                     plasma_json_u64(r->block_number), "index", (json_int_t)r->index, "kind",
                     rc_call_kind_name(r->kind), "from", plasma_json_addr(&r->from), "nonce",
                     (json_int_t)r->nonce, "gas_used", (json_int_t)r->gas_used, "gas_price",
                     (json_int_t)r->gas_price, "error", r->err ? plasma_err_code(r->err) : NULL);
}

static int event_fields(json_t *o, const plasma_event *ev)
{
    switch (ev->kind) {
    case PLASMA_EVENT_DEPOSIT_CREATED:
        return json_object_set_new(o, "depositor", plasma_json_addr(&ev->deposit_created.depositor)) |
               json_object_set_new(o, "blknum", plasma_json_u64(ev->deposit_created.blknum)) |
               json_object_set_new(o, "token", plasma_json_addr(&ev->deposit_created.token)) |
               json_object_set_new(o, "amount", plasma_json_u256(&ev->deposit_created.amount));
    case PLASMA_EVENT_BLOCK_SUBMITTED:
        return json_object_set_new(o, "blknum", plasma_json_u64(ev->block_submitted.blknum)) |
               json_object_set_new(o, "root", plasma_json_hash(&ev->block_submitted.root));
    case PLASMA_EVENT_EXIT_STARTED:
        return json_object_set_new(o, "owner", plasma_json_addr(&ev->exit_started.owner)) |
               json_object_set_new(o, "exit_id", plasma_json_u64_str(ev->exit_started.exit_id)) |
               json_object_set_new(o, "token", plasma_json_addr(&ev->exit_started.token)) |
               json_object_set_new(o, "amount", plasma_json_u256(&ev->exit_started.amount));
    case PLASMA_EVENT_EXIT_CHALLENGED:
        return json_object_set_new(o, "exit_id", plasma_json_u64_str(ev->exit_challenged.exit_id)) |
               json_object_set_new(o, "challenger", plasma_json_addr(&ev->exit_challenged.challenger));
    case PLASMA_EVENT_EXIT_FINALIZED:
        return json_object_set_new(o, "exit_id", plasma_json_u64_str(ev->exit_finalized.exit_id));
    }
    return 0;
}

json_t *rc_event_json(const plasma_event *ev, uint64_t timestamp)
{
    json_t *o = json_pack("{s:s,s:o,s:I,s:o}", "event", rc_event_kind_name(ev->kind), "block",
                          plasma_json_u64(ev->block_number), "call_index", (json_int_t)ev->call_index,
                          "timestamp", plasma_json_u64(timestamp));
    if (o && event_fields(o, ev) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *rc_exit_json(const plasma_exit_info *x)
{
    return json_pack("{s:o,s:s,s:o,s:o,s:o,s:o,s:b}", "exit_id", plasma_json_u64_str(x->exit_id), "state",
                     rc_exit_state_name(x->state), "owner", plasma_json_addr(&x->owner), "token",
                     plasma_json_addr(&x->token), "amount", plasma_json_u256(&x->amount), "exitable_at",
                     plasma_json_u64(x->exitable_at), "queued", x->queued);
}

json_t *rc_block_record_json(const plasma_block_record *r)
{
    json_t *o = json_pack("{s:o,s:o,s:o,s:b}", "blknum", plasma_json_u64(r->blknum), "root",
                          plasma_json_hash(&r->root), "timestamp", plasma_json_u64(r->timestamp),
                          "is_deposit", r->is_deposit);
    if (!o || !r->is_deposit)
        return o;
    if (json_object_set_new(o, "depositor", plasma_json_addr(&r->depositor)) |
        json_object_set_new(o, "token", plasma_json_addr(&r->token)) |
        json_object_set_new(o, "amount", plasma_json_u256(&r->amount))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- input ---- */

void rc_bad_request(plasma_http_resp *resp, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    plasma_http_error(resp, PLASMA_ERR_BAD_REQUEST, msg);
}

static const rc_field *find_field(const rc_field *fields, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

/* Names are echoed in messages; cut them so a hostile key cannot flood
 * the reply. */
#define NAME_MAX_ECHO 40

static bool check_members(plasma_http_resp *resp, json_t *body, const rc_field *fields, size_t n)
{
    const char *key;
    json_t *val;
    json_object_foreach (body, key, val) {
        const rc_field *f = find_field(fields, n, key);
        if (!f) {
            rc_bad_request(resp, "unknown field \"%.*s\"", NAME_MAX_ECHO, key);
            return false;
        }
        if (f->type == RC_F_STRING && !json_is_string(val)) {
            rc_bad_request(resp, "field \"%s\" must be a string", f->name);
            return false;
        }
        if (f->type == RC_F_INTEGER && !json_is_integer(val)) {
            rc_bad_request(resp, "field \"%s\" must be an integer", f->name);
            return false;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!json_object_get(body, fields[i].name)) {
            rc_bad_request(resp, "missing field \"%s\"", fields[i].name);
            return false;
        }
    }
    return true;
}

json_t *rc_body(const plasma_http_req *req, plasma_http_resp *resp, const rc_field *fields, size_t n)
{
    json_t *body = plasma_http_body_json(req, resp);
    if (!body)
        return NULL;
    if (!check_members(resp, body, fields, n)) {
        json_decref(body);
        return NULL;
    }
    return body;
}

bool rc_get_addr(plasma_http_resp *resp, const json_t *body, const char *name, plasma_addr *out)
{
    const char *s = json_string_value(json_object_get(body, name));
    if (!s || plasma_addr_parse(out, s) != PLASMA_OK) {
        rc_bad_request(resp, "field \"%s\" must be an address (0x + 40 hex digits)", name);
        return false;
    }
    return true;
}

bool rc_get_u256(plasma_http_resp *resp, const json_t *body, const char *name, plasma_u256 *out)
{
    const char *s = json_string_value(json_object_get(body, name));
    if (!s || plasma_u256_parse_dec(out, s) != PLASMA_OK) {
        rc_bad_request(resp, "field \"%s\" must be a decimal string below 2^256", name);
        return false;
    }
    return true;
}

bool rc_get_u64(plasma_http_resp *resp, const json_t *body, const char *name, uint64_t min, uint64_t max,
                uint64_t *out)
{
    json_t *v = json_object_get(body, name);
    json_int_t i = json_integer_value(v);
    if (!json_is_integer(v) || i < 0 || (uint64_t)i < min || (uint64_t)i > max) {
        rc_bad_request(resp, "field \"%s\" must be an integer in %llu..%llu", name, (unsigned long long)min,
                       (unsigned long long)max);
        return false;
    }
    *out = (uint64_t)i;
    return true;
}

bool rc_query_u64(plasma_http_resp *resp, const plasma_http_req *req, const char *key, uint64_t min,
                  uint64_t max, uint64_t def, uint64_t *out)
{
    const char *s = plasma_http_query(req, key);
    uint64_t v = def;
    if (s && (plasma_json_parse_u64(&v, s) != PLASMA_OK || v < min || v > max)) {
        rc_bad_request(resp, "query parameter \"%s\" must be a decimal integer in %llu..%llu", key,
                       (unsigned long long)min, (unsigned long long)max);
        return false;
    }
    *out = v;
    return true;
}
