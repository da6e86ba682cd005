/* JSON in and out for the API: the conventions of PROTOCOL §1 (lowercase
 * 0x-hex, amounts and positions as decimal strings) and strict parsing of
 * every input, so that a malformed one gets a 400 naming the problem. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const KIND_NAMES[RC_KINDS] = {
    NULL,
    "transfer",
    "deposit",
    "submit_block",
    "start_exit",
    "challenge_exit",
    "process_exits",
    "start_ife",
    "piggyback_input",
    "piggyback_output",
    "challenge_ife",
    "respond_ife",
    "challenge_ife_input",
    "challenge_ife_output",
    "delete_ife",
    "withdraw",
};

const char *rc_call_kind_name(plasma_call_kind kind)
{
    unsigned k = (unsigned)kind;
    return k < RC_KINDS && KIND_NAMES[k] ? KIND_NAMES[k] : "unknown";
}

static const char *const EXIT_STATES[] = {"none", "in_progress", "challenged", "finalized", "superseded"};

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

static const char *const EVENT_NAMES[PLASMA_EVENT_KINDS] = {
    NULL,
    "DepositCreated",
    "BlockSubmitted",
    "ExitStarted",
    "ExitChallenged",
    "ExitFinalized",
    "InFlightExitStarted",
    "InFlightExitInputPiggybacked",
    "InFlightExitOutputPiggybacked",
    "InFlightExitChallenged",
    "InFlightExitChallengeResponded",
    "InFlightExitInputBlocked",
    "InFlightExitOutputBlocked",
    "InFlightExitInputWithdrawn",
    "InFlightExitOutputWithdrawn",
    "InFlightExitFinalized",
    "InFlightExitDeleted",
    "PaymentDeferred",
    "Withdrawal",
};

const char *rc_event_kind_name(plasma_event_kind kind)
{
    unsigned k = (unsigned)kind;
    return k < PLASMA_EVENT_KINDS && EVENT_NAMES[k] ? EVENT_NAMES[k] : "Unknown";
}

json_t *rc_json_ife_id(const plasma_u256 *id)
{
    uint8_t be[32];
    plasma_u256_to_be(be, id);
    return plasma_json_hex(be, 32);
}

int rc_parse_ife_id(plasma_u256 *out, const char *s)
{
    plasma_hash h;
    if (!s || plasma_hash_parse(&h, s) != PLASMA_OK)
        return PLASMA_ERR_BAD_REQUEST;
    plasma_u256_from_be(out, h.b, 32);
    return PLASMA_OK;
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

static json_t *positions_json(const uint64_t *pos, unsigned n)
{
    json_t *a = json_array();
    for (unsigned i = 0; a && i < n; i++) {
        if (json_array_append_new(a, plasma_json_u64_str(pos[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* The fields of an in-flight exit's event (and of the payment events). */
static int ife_event_fields(json_t *o, const plasma_event *ev)
{
    switch (ev->kind) {
    case PLASMA_EVENT_IFE_STARTED:
        return json_object_set_new(o, "initiator", plasma_json_addr(&ev->ife_started.initiator)) |
               json_object_set_new(o, "ife_id", rc_json_ife_id(&ev->ife_started.ife_id)) |
               json_object_set_new(o, "txhash", plasma_json_hash(&ev->ife_started.txhash)) |
               json_object_set_new(o, "inputs",
                                   positions_json(ev->ife_started.inputs, ev->ife_started.n_inputs));
    case PLASMA_EVENT_IFE_INPUT_PIGGYBACKED:
    case PLASMA_EVENT_IFE_OUTPUT_PIGGYBACKED:
    case PLASMA_EVENT_IFE_INPUT_BLOCKED:
    case PLASMA_EVENT_IFE_OUTPUT_BLOCKED: {
        bool piggyback =
            ev->kind == PLASMA_EVENT_IFE_INPUT_PIGGYBACKED || ev->kind == PLASMA_EVENT_IFE_OUTPUT_PIGGYBACKED;
        return json_object_set_new(o, piggyback ? "owner" : "challenger",
                                   plasma_json_addr(&ev->ife_index.who)) |
               json_object_set_new(o, "ife_id", rc_json_ife_id(&ev->ife_index.ife_id)) |
               json_object_set_new(o, "index", plasma_json_u64(ev->ife_index.index));
    }
    case PLASMA_EVENT_IFE_CHALLENGED:
        return json_object_set_new(o, "challenger", plasma_json_addr(&ev->ife_challenged.challenger)) |
               json_object_set_new(o, "ife_id", rc_json_ife_id(&ev->ife_challenged.ife_id)) |
               json_object_set_new(o, "position", plasma_json_u256(&ev->ife_challenged.position));
    case PLASMA_EVENT_IFE_RESPONDED:
        return json_object_set_new(o, "responder", plasma_json_addr(&ev->ife_responded.responder)) |
               json_object_set_new(o, "ife_id", rc_json_ife_id(&ev->ife_responded.ife_id)) |
               json_object_set_new(o, "tx_pos", plasma_json_u64_str(ev->ife_responded.tx_pos));
    case PLASMA_EVENT_IFE_INPUT_WITHDRAWN:
    case PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN:
        return json_object_set_new(o, "ife_id", rc_json_ife_id(&ev->ife_withdrawn.ife_id)) |
               json_object_set_new(o, "index", plasma_json_u64(ev->ife_withdrawn.index));
    case PLASMA_EVENT_IFE_FINALIZED:
    case PLASMA_EVENT_IFE_DELETED:
        return json_object_set_new(o, "ife_id", rc_json_ife_id(&ev->ife_closed.ife_id));
    case PLASMA_EVENT_PAYMENT_DEFERRED:
    case PLASMA_EVENT_WITHDRAWAL:
        return json_object_set_new(o, "owner", plasma_json_addr(&ev->payment.owner)) |
               json_object_set_new(o, "token", plasma_json_addr(&ev->payment.token)) |
               json_object_set_new(o, "amount", plasma_json_u256(&ev->payment.amount));
    default:
        return -1;
    }
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
    default:
        return ife_event_fields(o, ev);
    }
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
    return json_pack("{s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:b}", "exit_id", plasma_json_u64_str(x->exit_id), "state",
                     rc_exit_state_name(x->state), "owner", plasma_json_addr(&x->owner), "token",
                     plasma_json_addr(&x->token), "amount", plasma_json_u256(&x->amount), "exitable_at",
                     plasma_json_u64(x->exitable_at), "output_id", plasma_json_hash(&x->output_id), "queued",
                     x->queued);
}

static const char *const IFE_PATHS[] = {"undecided", "outputs", "inputs"};

const char *rc_ife_path_name(plasma_ife_path path)
{
    unsigned p = (unsigned)path;
    return p < sizeof IFE_PATHS / sizeof IFE_PATHS[0] ? IFE_PATHS[p] : "unknown";
}

int rc_ife_path_parse(plasma_ife_path *out, const char *name)
{
    for (unsigned p = 0; name && p < sizeof IFE_PATHS / sizeof IFE_PATHS[0]; p++) {
        if (strcmp(name, IFE_PATHS[p]) == 0) {
            *out = (plasma_ife_path)p;
            return PLASMA_OK;
        }
    }
    return PLASMA_ERR_BAD_REQUEST;
}

/* An input or output record; an output never piggybacked is null. */
static json_t *ife_io_json(const plasma_ife_io *io, uint8_t bits, unsigned i, bool input)
{
    bool piggybacked = (bits >> i) & 1, blocked = (bits >> (i + PLASMA_IFE_BLOCKED_SHIFT)) & 1;
    if (!input && !piggybacked && !blocked)
        return json_null();
    return json_pack("{s:o,s:o,s:o,s:o,s:b,s:b}", "output_id", plasma_json_hash(&io->output_id), "owner",
                     plasma_json_addr(&io->owner), "token", plasma_json_addr(&io->token), "amount",
                     plasma_json_u256(&io->amount), "piggybacked", piggybacked, "blocked", blocked);
}

static json_t *ife_ios_json(const plasma_ife_io *ios, unsigned n, uint8_t bits, bool input)
{
    json_t *a = json_array();
    for (unsigned i = 0; a && i < n; i++) {
        if (json_array_append_new(a, ife_io_json(&ios[i], bits, i, input)) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

json_t *rc_ife_json(const plasma_ife_info *f)
{
    json_t *o = json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:I,s:I,s:I,s:s}", "ife_id", rc_json_ife_id(&f->ife_id), "exitable_at",
        plasma_json_u64(f->exitable_at), "start", plasma_json_u64(f->start), "youngest",
        plasma_json_u64_str(f->youngest), "oldest_competitor", plasma_json_u256(&f->oldest_competitor),
        "bond_owner", plasma_json_addr(&f->bond_owner), "canonical", f->canonical, "inputs_piggybacked",
        (json_int_t)f->inputs_piggybacked, "outputs_piggybacked", (json_int_t)f->outputs_piggybacked,
        "pending_tokens", (json_int_t)f->pending_tokens, "exit_path", rc_ife_path_name(f->exit_path));
    if (o &&
        (json_object_set_new(o, "inputs", ife_ios_json(f->inputs, f->n_inputs, f->inputs_piggybacked, true)) |
         json_object_set_new(o, "outputs",
                             ife_ios_json(f->outputs, f->n_outputs, f->outputs_piggybacked, false)))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *rc_finalized_json(const plasma_hash *output_id, const plasma_u256 *by)
{
    json_t *o = json_pack("{s:o,s:b}", "output_id", plasma_json_hash(output_id), "finalized",
                          !plasma_u256_is_zero(by));
    if (!o || plasma_u256_is_zero(by))
        return o;
    uint64_t exit_id;
    int rc = plasma_is_ife_id(by) || !plasma_u256_to_u64(by, &exit_id)
                 ? json_object_set_new(o, "ife_id", rc_json_ife_id(by))
                 : json_object_set_new(o, "exit_id", plasma_json_u64_str(exit_id));
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
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
