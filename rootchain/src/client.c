/* The C client of the JSON API: one plasma_http_client behind a mutex, and
 * strict readers for every reply, so that a reply missing a field is an
 * error rather than a zero. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

struct plasma_rootchain_client {
    pthread_mutex_t mu;
    plasma_http_client *http;
    char errmsg[256];
};

int plasma_rootchain_client_new(plasma_rootchain_client **out, const char *base_url, long timeout_ms)
{
    plasma_rootchain_client *c = calloc(1, sizeof *c);
    if (!c)
        return PLASMA_ERR_NOMEM;
    int rc = plasma_http_client_new(&c->http, base_url, timeout_ms);
    if (rc != PLASMA_OK) {
        free(c);
        return rc;
    }
    pthread_mutex_init(&c->mu, NULL);
    *out = c;
    return PLASMA_OK;
}

void plasma_rootchain_client_free(plasma_rootchain_client *c)
{
    if (!c)
        return;
    plasma_http_client_free(c->http);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

const char *plasma_rootchain_client_errmsg(plasma_rootchain_client *c)
{
    return c->errmsg;
}

/* One request; *reply is set on success only. Takes ownership of body. */
static int request(plasma_rootchain_client *c, const char *method, const char *path, json_t *body,
                   json_t **reply)
{
    json_t *r = NULL;
    pthread_mutex_lock(&c->mu);
    c->errmsg[0] = '\0';
    int rc = plasma_http_call(c->http, method, path, body, &r, c->errmsg, sizeof c->errmsg);
    pthread_mutex_unlock(&c->mu);
    json_decref(body);
    if (rc == PLASMA_OK)
        *reply = r;
    return rc;
}

/* A reply that lacks what the API promises. */
static int bad_reply(plasma_rootchain_client *c, json_t *reply, const char *what)
{
    snprintf(c->errmsg, sizeof c->errmsg, "malformed reply: %s", what);
    json_decref(reply);
    return PLASMA_ERR_BAD_REQUEST;
}

/* ---- readers of reply fields ---- */

static bool j_u64(const json_t *o, const char *k, uint64_t *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return false;
    *out = (uint64_t)json_integer_value(v);
    return true;
}

static bool j_u64s(const json_t *o, const char *k, uint64_t *out)
{
    return plasma_json_parse_u64(out, json_string_value(json_object_get(o, k))) == PLASMA_OK;
}

static bool j_addr(const json_t *o, const char *k, plasma_addr *out)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s && plasma_addr_parse(out, s) == PLASMA_OK;
}

static bool j_hash(const json_t *o, const char *k, plasma_hash *out)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s && plasma_hash_parse(out, s) == PLASMA_OK;
}

static bool j_u256(const json_t *o, const char *k, plasma_u256 *out)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s && plasma_u256_parse_dec(out, s) == PLASMA_OK;
}

static bool j_kind(const json_t *o, plasma_call_kind *out)
{
    const char *s = json_string_value(json_object_get(o, "kind"));
    for (unsigned k = 1; s && k < RC_KINDS; k++) {
        if (strcmp(s, rc_call_kind_name((plasma_call_kind)k)) == 0) {
            *out = (plasma_call_kind)k;
            return true;
        }
    }
    return false;
}

/* "error": null or a code. */
static bool j_err(const json_t *o, int *out)
{
    json_t *v = json_object_get(o, "error");
    if (json_is_null(v)) {
        *out = PLASMA_OK;
        return true;
    }
    if (!json_is_string(v))
        return false;
    *out = plasma_err_from_code(json_string_value(v));
    return true;
}

/* ---- status ---- */

static bool read_status(const json_t *r, plasma_rootchain_status *s)
{
    const json_t *h = json_object_get(r, "head");
    json_t *dev = json_object_get(r, "dev");
    s->dev = json_is_true(dev);
    if (!json_object_get(r, "protocol_version"))
        s->protocol_version = 0;
    else if (!j_u64(r, "protocol_version", &s->protocol_version))
        return false;
    return j_u64(r, "chain_id", &s->chain_id) && j_addr(r, "contract", &s->contract) &&
           j_addr(r, "operator", &s->operator_addr) && j_u64(h, "number", &s->head_number) &&
           j_u64(h, "timestamp", &s->head_timestamp) && j_hash(h, "hash", &s->head_hash) &&
           j_u64(r, "gas_limit", &s->block_gas_limit) && j_u64(r, "block_time", &s->block_time) &&
           j_u64(r, "total_gas_used", &s->total_gas_used) && j_u64(r, "pending_calls", &s->pending_calls) &&
           j_u64(r, "next_child_block", &s->next_child_block) &&
           j_u64(r, "next_deposit_block", &s->next_deposit_block) &&
           j_u64(r, "min_exit_period", &s->min_exit_period) && j_u256(r, "exit_bond", &s->exit_bond) &&
           j_u256(r, "ife_bond", &s->ife_bond) && j_u256(r, "piggyback_bond", &s->piggyback_bond) &&
           j_hash(r, "state_digest", &s->state_digest) && json_is_boolean(dev);
}

int plasma_rootchain_client_status(plasma_rootchain_client *c, plasma_rootchain_status *out)
{
    json_t *r;
    int rc = request(c, "GET", "/v1/status", NULL, &r);
    if (rc != PLASMA_OK)
        return rc;
    plasma_rootchain_status s;
    if (!read_status(r, &s))
        return bad_reply(c, r, "status");
    json_decref(r);
    *out = s;
    return PLASMA_OK;
}

int plasma_rootchain_client_domain(plasma_rootchain_client *c, plasma_call_domain *out)
{
    plasma_rootchain_status s;
    int rc = plasma_rootchain_client_status(c, &s);
    if (rc == PLASMA_OK)
        *out = (plasma_call_domain){s.chain_id, s.contract};
    return rc;
}

/* ---- calls ---- */

int plasma_rootchain_client_submit(plasma_rootchain_client *c, const uint8_t *signed_call, size_t len,
                                   plasma_hash *call_hash, uint64_t *gas_estimate)
{
    json_t *hex = plasma_json_hex(signed_call, len);
    json_t *body = hex ? json_pack("{s:o}", "call", hex) : NULL;
    if (!body)
        return PLASMA_ERR_NOMEM;
    json_t *r;
    int rc = request(c, "POST", "/v1/calls", body, &r);
    if (rc != PLASMA_OK)
        return rc;
    plasma_hash h;
    uint64_t gas;
    if (!j_hash(r, "call_hash", &h) || !j_u64(r, "gas_estimate", &gas))
        return bad_reply(c, r, "call_hash, gas_estimate");
    json_decref(r);
    if (call_hash)
        *call_hash = h;
    if (gas_estimate)
        *gas_estimate = gas;
    return PLASMA_OK;
}

int plasma_rootchain_client_send(plasma_rootchain_client *c, const plasma_call_domain *domain,
                                 const plasma_call *call, const plasma_privkey *key, plasma_hash *call_hash,
                                 uint64_t *gas_estimate)
{
    plasma_sig sig;
    plasma_buf buf = {0};
    int rc = plasma_call_sign(&sig, domain, call, key);
    if (rc == PLASMA_OK)
        rc = plasma_call_encode_signed(&buf, domain, call, &sig);
    if (rc == PLASMA_OK)
        rc = plasma_rootchain_client_submit(c, buf.data, buf.len, call_hash, gas_estimate);
    plasma_buf_free(&buf);
    return rc;
}

static bool read_receipt(const json_t *r, plasma_receipt *out)
{
    uint64_t index;
    bool ok = j_hash(r, "call_hash", &out->call_hash) && j_u64(r, "block", &out->block_number) &&
              j_u64(r, "index", &index) && j_kind(r, &out->kind) && j_addr(r, "from", &out->from) &&
              j_u64(r, "nonce", &out->nonce) && j_u64(r, "gas_used", &out->gas_used) &&
              j_u64(r, "gas_price", &out->gas_price) && j_err(r, &out->err) && index <= UINT32_MAX;
    if (ok)
        out->index = (uint32_t)index;
    return ok;
}

int plasma_rootchain_client_receipt(plasma_rootchain_client *c, const plasma_hash *call_hash,
                                    plasma_receipt *out, bool *pending)
{
    char path[96], hex[67];
    snprintf(path, sizeof path, "/v1/calls/%s", plasma_hash_format(hex, call_hash));
    json_t *r;
    int rc = request(c, "GET", path, NULL, &r);
    if (rc != PLASMA_OK)
        return rc;
    const char *status = json_string_value(json_object_get(r, "status"));
    if (status && strcmp(status, "pending") == 0) {
        json_decref(r);
        *pending = true;
        return PLASMA_OK;
    }
    plasma_receipt rec;
    if (!status || strcmp(status, "mined") != 0 || !read_receipt(r, &rec))
        return bad_reply(c, r, "receipt");
    json_decref(r);
    *out = rec;
    *pending = false;
    return PLASMA_OK;
}

int plasma_rootchain_client_wait_receipt(plasma_rootchain_client *c, const plasma_hash *call_hash,
                                         long timeout_ms, plasma_receipt *out)
{
    for (long waited = 0;; waited += 50) {
        bool pending = true;
        int rc = plasma_rootchain_client_receipt(c, call_hash, out, &pending);
        if (rc != PLASMA_OK || !pending)
            return rc;
        if (waited >= timeout_ms) {
            snprintf(c->errmsg, sizeof c->errmsg, "call still pending after %ld ms", timeout_ms);
            return PLASMA_ERR_TIMEOUT;
        }
        plasma_sleep_ms(50);
    }
}

/* ---- blocks ---- */

static bool read_header(const json_t *r, plasma_chain_block *b)
{
    uint64_t n_calls, n_events;
    bool ok = j_u64(r, "number", &b->number) && j_u64(r, "timestamp", &b->timestamp) &&
              j_hash(r, "hash", &b->hash) && j_hash(r, "parent_hash", &b->parent_hash) &&
              j_u64(r, "gas_limit", &b->gas_limit) && j_u64(r, "gas_used", &b->gas_used) &&
              j_u64(r, "n_calls", &n_calls) && j_u64(r, "n_events", &n_events) && n_calls <= UINT32_MAX &&
              n_events <= UINT32_MAX;
    if (ok) {
        b->n_calls = (uint32_t)n_calls;
        b->n_events = (uint32_t)n_events;
    }
    return ok;
}

int plasma_rootchain_client_block(plasma_rootchain_client *c, uint64_t number, plasma_chain_block *out)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/blocks/%llu", (unsigned long long)number);
    json_t *r;
    int rc = request(c, "GET", path, NULL, &r);
    if (rc != PLASMA_OK)
        return rc;
    plasma_chain_block b;
    if (!read_header(r, &b))
        return bad_reply(c, r, "block header");
    json_decref(r);
    *out = b;
    return PLASMA_OK;
}

static bool read_block_record(const json_t *r, plasma_block_record *b)
{
    memset(b, 0, sizeof *b);
    json_t *dep = json_object_get(r, "is_deposit");
    b->is_deposit = json_is_true(dep);
    bool ok = json_is_boolean(dep) && j_u64(r, "blknum", &b->blknum) && j_hash(r, "root", &b->root) &&
              j_u64(r, "timestamp", &b->timestamp);
    if (ok && b->is_deposit)
        ok = j_addr(r, "depositor", &b->depositor) && j_addr(r, "token", &b->token) &&
             j_u256(r, "amount", &b->amount);
    return ok;
}

int plasma_rootchain_client_block_root(plasma_rootchain_client *c, uint64_t blknum, plasma_block_record *out)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/plasma/blocks/%llu", (unsigned long long)blknum);
    json_t *r;
    int rc = request(c, "GET", path, NULL, &r);
    if (rc != PLASMA_OK)
        return rc;
    plasma_block_record b;
    if (!read_block_record(r, &b))
        return bad_reply(c, r, "plasma block");
    json_decref(r);
    *out = b;
    return PLASMA_OK;
}

/* ---- events ---- */

static bool read_event_kind(const json_t *j, plasma_event_kind *out)
{
    const char *s = json_string_value(json_object_get(j, "event"));
    for (int k = PLASMA_EVENT_DEPOSIT_CREATED; s && k < PLASMA_EVENT_KINDS; k++) {
        if (strcmp(s, rc_event_kind_name((plasma_event_kind)k)) == 0) {
            *out = (plasma_event_kind)k;
            return true;
        }
    }
    return false;
}

static bool j_ife_id(const json_t *o, const char *k, plasma_u256 *out)
{
    return rc_parse_ife_id(out, json_string_value(json_object_get(o, k))) == PLASMA_OK;
}

static bool read_positions(const json_t *o, const char *k, uint64_t *out, uint8_t *n)
{
    const json_t *a = json_object_get(o, k);
    if (!json_is_array(a) || json_array_size(a) > PLASMA_MAX_INPUTS)
        return false;
    *n = (uint8_t)json_array_size(a);
    for (size_t i = 0; i < *n; i++)
        if (plasma_json_parse_u64(&out[i], json_string_value(json_array_get(a, i))) != PLASMA_OK)
            return false;
    return true;
}

static bool read_ife_event_fields(const json_t *j, plasma_event *ev)
{
    switch (ev->kind) {
    case PLASMA_EVENT_IFE_STARTED:
        return j_addr(j, "initiator", &ev->ife_started.initiator) &&
               j_ife_id(j, "ife_id", &ev->ife_started.ife_id) &&
               j_hash(j, "txhash", &ev->ife_started.txhash) &&
               read_positions(j, "inputs", ev->ife_started.inputs, &ev->ife_started.n_inputs);
    case PLASMA_EVENT_IFE_INPUT_PIGGYBACKED:
    case PLASMA_EVENT_IFE_OUTPUT_PIGGYBACKED:
        return j_addr(j, "owner", &ev->ife_index.who) && j_ife_id(j, "ife_id", &ev->ife_index.ife_id) &&
               j_u64(j, "index", &ev->ife_index.index);
    case PLASMA_EVENT_IFE_INPUT_BLOCKED:
    case PLASMA_EVENT_IFE_OUTPUT_BLOCKED:
        return j_addr(j, "challenger", &ev->ife_index.who) && j_ife_id(j, "ife_id", &ev->ife_index.ife_id) &&
               j_u64(j, "index", &ev->ife_index.index);
    case PLASMA_EVENT_IFE_CHALLENGED:
        return j_addr(j, "challenger", &ev->ife_challenged.challenger) &&
               j_ife_id(j, "ife_id", &ev->ife_challenged.ife_id) &&
               j_u256(j, "position", &ev->ife_challenged.position);
    case PLASMA_EVENT_IFE_RESPONDED:
        return j_addr(j, "responder", &ev->ife_responded.responder) &&
               j_ife_id(j, "ife_id", &ev->ife_responded.ife_id) &&
               j_u64s(j, "tx_pos", &ev->ife_responded.tx_pos);
    case PLASMA_EVENT_IFE_INPUT_WITHDRAWN:
    case PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN:
        return j_ife_id(j, "ife_id", &ev->ife_withdrawn.ife_id) &&
               j_u64(j, "index", &ev->ife_withdrawn.index);
    case PLASMA_EVENT_IFE_FINALIZED:
    case PLASMA_EVENT_IFE_DELETED:
        return j_ife_id(j, "ife_id", &ev->ife_closed.ife_id);
    case PLASMA_EVENT_PAYMENT_DEFERRED:
    case PLASMA_EVENT_WITHDRAWAL:
        return j_addr(j, "owner", &ev->payment.owner) && j_addr(j, "token", &ev->payment.token) &&
               j_u256(j, "amount", &ev->payment.amount);
    default:
        return false;
    }
}

static bool read_event_fields(const json_t *j, plasma_event *ev)
{
    switch (ev->kind) {
    case PLASMA_EVENT_DEPOSIT_CREATED:
        return j_addr(j, "depositor", &ev->deposit_created.depositor) &&
               j_u64(j, "blknum", &ev->deposit_created.blknum) &&
               j_addr(j, "token", &ev->deposit_created.token) &&
               j_u256(j, "amount", &ev->deposit_created.amount);
    case PLASMA_EVENT_BLOCK_SUBMITTED:
        return j_u64(j, "blknum", &ev->block_submitted.blknum) &&
               j_hash(j, "root", &ev->block_submitted.root);
    case PLASMA_EVENT_EXIT_STARTED:
        return j_addr(j, "owner", &ev->exit_started.owner) &&
               j_u64s(j, "exit_id", &ev->exit_started.exit_id) &&
               j_addr(j, "token", &ev->exit_started.token) && j_u256(j, "amount", &ev->exit_started.amount);
    case PLASMA_EVENT_EXIT_CHALLENGED:
        return j_u64s(j, "exit_id", &ev->exit_challenged.exit_id) &&
               j_addr(j, "challenger", &ev->exit_challenged.challenger);
    case PLASMA_EVENT_EXIT_FINALIZED:
        return j_u64s(j, "exit_id", &ev->exit_finalized.exit_id);
    default:
        return read_ife_event_fields(j, ev);
    }
}

static bool read_event(const json_t *j, plasma_event *ev)
{
    uint64_t idx;
    memset(ev, 0, sizeof *ev);
    if (!read_event_kind(j, &ev->kind) || !j_u64(j, "block", &ev->block_number) ||
        !j_u64(j, "call_index", &idx) || idx > UINT32_MAX)
        return false;
    ev->call_index = (uint32_t)idx;
    return read_event_fields(j, ev);
}

static bool read_events(const json_t *r, plasma_event **events, size_t *n)
{
    const json_t *list = json_object_get(r, "events");
    if (!json_is_array(list))
        return false;
    size_t count = json_array_size(list);
    plasma_event *evs = count ? calloc(count, sizeof *evs) : NULL;
    if (count && !evs)
        return false;
    for (size_t i = 0; i < count; i++) {
        if (!read_event(json_array_get(list, i), &evs[i])) {
            free(evs);
            return false;
        }
    }
    *events = evs;
    *n = count;
    return true;
}

int plasma_rootchain_client_events(plasma_rootchain_client *c, uint64_t from_block, uint64_t to_block,
                                   size_t limit, plasma_event **events, size_t *n, uint64_t *next_from_block)
{
    char path[128];
    int len = snprintf(path, sizeof path, "/v1/events?from_block=%llu", (unsigned long long)from_block);
    if (to_block != UINT64_MAX)
        len +=
            snprintf(path + len, sizeof path - (size_t)len, "&to_block=%llu", (unsigned long long)to_block);
    if (limit)
        snprintf(path + len, sizeof path - (size_t)len, "&limit=%zu", limit);
    json_t *r;
    int rc = request(c, "GET", path, NULL, &r);
    if (rc != PLASMA_OK)
        return rc;
    uint64_t next;
    plasma_event *evs = NULL;
    size_t count = 0;
    if (!j_u64(r, "next_from_block", &next) || !read_events(r, &evs, &count))
        return bad_reply(c, r, "events");
    json_decref(r);
    *events = evs;
    *n = count;
    *next_from_block = next;
    return PLASMA_OK;
}

/* ---- exits and accounts ---- */

static bool read_exit(const json_t *r, plasma_exit_info *x)
{
    const char *state = json_string_value(json_object_get(r, "state"));
    json_t *queued = json_object_get(r, "queued");
    x->queued = json_is_true(queued);
    return state && rc_exit_state_parse(&x->state, state) == PLASMA_OK && json_is_boolean(queued) &&
           j_u64s(r, "exit_id", &x->exit_id) && j_addr(r, "owner", &x->owner) &&
           j_addr(r, "token", &x->token) && j_u256(r, "amount", &x->amount) &&
           j_u64(r, "exitable_at", &x->exitable_at) && j_hash(r, "output_id", &x->output_id);
}

int plasma_rootchain_client_exit(plasma_rootchain_client *c, uint64_t exit_id, plasma_exit_info *out)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/exits/%llu", (unsigned long long)exit_id);
    json_t *r;
    int rc = request(c, "GET", path, NULL, &r);
    if (rc != PLASMA_OK)
        return rc;
    plasma_exit_info x;
    if (!read_exit(r, &x))
        return bad_reply(c, r, "exit");
    json_decref(r);
    *out = x;
    return PLASMA_OK;
}

/* GET /v1/accounts/{addr}[?tokens=token]; *r on success. */
static int get_account(plasma_rootchain_client *c, const plasma_addr *addr, const plasma_addr *token,
                       json_t **r)
{
    char path[160], a[43], t[43];
    int len = snprintf(path, sizeof path, "/v1/accounts/%s", plasma_addr_format(a, addr));
    if (token && !plasma_addr_is_zero(token))
        snprintf(path + len, sizeof path - (size_t)len, "?tokens=%s", plasma_addr_format(t, token));
    return request(c, "GET", path, NULL, r);
}

int plasma_rootchain_client_balance(plasma_rootchain_client *c, const plasma_addr *addr,
                                    const plasma_addr *token, plasma_u256 *balance)
{
    json_t *r;
    int rc = get_account(c, addr, token, &r);
    if (rc != PLASMA_OK)
        return rc;
    plasma_u256 v;
    bool ok;
    if (token && !plasma_addr_is_zero(token)) {
        char t[43];
        ok = j_u256(json_object_get(r, "tokens"), plasma_addr_format(t, token), &v);
    } else {
        ok = j_u256(r, "balance", &v);
    }
    if (!ok)
        return bad_reply(c, r, "balance");
    json_decref(r);
    *balance = v;
    return PLASMA_OK;
}

int plasma_rootchain_client_nonce(plasma_rootchain_client *c, const plasma_addr *addr, uint64_t *nonce,
                                  uint64_t *next_nonce)
{
    json_t *r;
    int rc = get_account(c, addr, NULL, &r);
    if (rc != PLASMA_OK)
        return rc;
    uint64_t n, next;
    if (!j_u64(r, "nonce", &n) || !j_u64(r, "next_nonce", &next))
        return bad_reply(c, r, "nonce, next_nonce");
    json_decref(r);
    if (nonce)
        *nonce = n;
    if (next_nonce)
        *next_nonce = next;
    return PLASMA_OK;
}

/* ---- queues, in-flight exits, flags, claims ---- */

static bool read_queue(const json_t *r, plasma_exit_queue_info *q)
{
    uint64_t size;
    const json_t *head = json_object_get(r, "head");
    memset(q, 0, sizeof *q);
    if (!j_u64(r, "size", &size))
        return false;
    q->size = (size_t)size;
    if (json_is_null(head))
        return size == 0;
    if (!j_u64(head, "exitable_at", &q->head_exitable_at))
        return false;
    q->head_is_ife = json_object_get(head, "ife_id") != NULL;
    if (q->head_is_ife)
        return j_ife_id(head, "ife_id", &q->head_id);
    if (!j_u64s(head, "exit_id", &q->head_exit_id))
        return false;
    q->head_id = plasma_u256_from_u64(q->head_exit_id);
    return true;
}

int plasma_rootchain_client_queue(plasma_rootchain_client *c, const plasma_addr *token,
                                  plasma_exit_queue_info *out)
{
    char path[80], a[43];
    plasma_addr eth = {{0}};
    snprintf(path, sizeof path, "/v1/queues/%s", plasma_addr_format(a, token ? token : &eth));
    json_t *r;
    int rc = request(c, "GET", path, NULL, &r);
    if (rc != PLASMA_OK)
        return rc;
    plasma_exit_queue_info q;
    if (!read_queue(r, &q))
        return bad_reply(c, r, "queue");
    json_decref(r);
    *out = q;
    return PLASMA_OK;
}

static bool read_small(const json_t *o, const char *k, uint8_t max, uint8_t *out)
{
    uint64_t v;
    if (!j_u64(o, k, &v) || v > max)
        return false;
    *out = (uint8_t)v;
    return true;
}

/* An input or output record; null (an output never piggybacked) reads as
 * zero. */
static bool read_ife_io(const json_t *j, plasma_ife_io *io)
{
    memset(io, 0, sizeof *io);
    if (json_is_null(j))
        return true;
    return j_hash(j, "output_id", &io->output_id) && j_addr(j, "owner", &io->owner) &&
           j_addr(j, "token", &io->token) && j_u256(j, "amount", &io->amount);
}

static bool read_ife_ios(const json_t *r, const char *k, plasma_ife_io *ios, size_t max, uint8_t *n)
{
    const json_t *a = json_object_get(r, k);
    if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > max)
        return false;
    *n = (uint8_t)json_array_size(a);
    for (size_t i = 0; i < *n; i++)
        if (!read_ife_io(json_array_get(a, i), &ios[i]))
            return false;
    return true;
}

static bool read_ife(const json_t *r, plasma_ife_info *f)
{
    memset(f, 0, sizeof *f);
    const json_t *canonical = json_object_get(r, "canonical");
    f->canonical = json_is_true(canonical);
    return json_is_boolean(canonical) && j_ife_id(r, "ife_id", &f->ife_id) &&
           j_u64(r, "exitable_at", &f->exitable_at) && j_u64(r, "start", &f->start) &&
           j_u64s(r, "youngest", &f->youngest) && j_u256(r, "oldest_competitor", &f->oldest_competitor) &&
           j_addr(r, "bond_owner", &f->bond_owner) &&
           read_small(r, "inputs_piggybacked", 0xff, &f->inputs_piggybacked) &&
           read_small(r, "outputs_piggybacked", 0xff, &f->outputs_piggybacked) &&
           read_small(r, "pending_tokens", 0xff, &f->pending_tokens) &&
           rc_ife_path_parse(&f->exit_path, json_string_value(json_object_get(r, "exit_path"))) ==
               PLASMA_OK &&
           read_ife_ios(r, "inputs", f->inputs, PLASMA_MAX_INPUTS, &f->n_inputs) &&
           read_ife_ios(r, "outputs", f->outputs, PLASMA_MAX_OUTPUTS, &f->n_outputs);
}

int plasma_rootchain_client_ife(plasma_rootchain_client *c, const plasma_u256 *ife_id, plasma_ife_info *out)
{
    char path[96], hex[67];
    uint8_t be[32];
    plasma_u256_to_be(be, ife_id);
    snprintf(path, sizeof path, "/v1/in-flight-exits/%s", plasma_hex_encode(hex, be, 32));
    json_t *r;
    int rc = request(c, "GET", path, NULL, &r);
    if (rc != PLASMA_OK)
        return rc;
    plasma_ife_info f;
    if (!read_ife(r, &f))
        return bad_reply(c, r, "in-flight exit");
    json_decref(r);
    *out = f;
    return PLASMA_OK;
}

/* The node's tx must be a signed payment whose id is the one asked for. */
static bool read_ife_tx(const json_t *r, const plasma_u256 *ife_id, plasma_tx *out)
{
    uint8_t *raw = NULL;
    size_t len = 0;
    plasma_u256 id;
    bool ok = plasma_hex_decode_alloc(&raw, &len, plasma_json_get_str(r, "tx")) == 0 &&
              plasma_tx_decode_signed(out, raw, len) == 0 && plasma_ife_id(&id, out) == 0 &&
              plasma_u256_cmp(&id, ife_id) == 0;
    free(raw);
    return ok;
}

int plasma_rootchain_client_ife_tx(plasma_rootchain_client *c, const plasma_u256 *ife_id, plasma_tx *out)
{
    char path[112], hex[67];
    uint8_t be[32];
    plasma_u256_to_be(be, ife_id);
    snprintf(path, sizeof path, "/v1/in-flight-exits/%s/tx", plasma_hex_encode(hex, be, 32));
    json_t *r;
    int rc = request(c, "GET", path, NULL, &r);
    if (rc != PLASMA_OK)
        return rc;
    plasma_tx tx;
    if (!read_ife_tx(r, ife_id, &tx))
        return bad_reply(c, r, "in-flight exit tx");
    json_decref(r);
    *out = tx;
    return PLASMA_OK;
}

static bool read_ifes(const json_t *r, plasma_ife_info **out, size_t *n, bool *more)
{
    const json_t *list = json_object_get(r, "in_flight_exits"), *m = json_object_get(r, "more");
    if (!json_is_array(list) || !json_is_boolean(m))
        return false;
    size_t count = json_array_size(list);
    plasma_ife_info *a = count ? calloc(count, sizeof *a) : NULL;
    if (count && !a)
        return false;
    for (size_t i = 0; i < count; i++) {
        if (!read_ife(json_array_get(list, i), &a[i])) {
            free(a);
            return false;
        }
    }
    *out = a;
    *n = count;
    *more = json_is_true(m);
    return true;
}

int plasma_rootchain_client_ifes(plasma_rootchain_client *c, const plasma_u256 *after, size_t limit,
                                 plasma_ife_info **ifes, size_t *n, bool *more)
{
    char path[160], hex[67];
    int len = snprintf(path, sizeof path, "/v1/in-flight-exits?");
    if (after) {
        uint8_t be[32];
        plasma_u256_to_be(be, after);
        len += snprintf(path + len, sizeof path - (size_t)len, "after=%s&", plasma_hex_encode(hex, be, 32));
    }
    if (limit)
        snprintf(path + len, sizeof path - (size_t)len, "limit=%zu", limit);
    json_t *r;
    int rc = request(c, "GET", path, NULL, &r);
    if (rc != PLASMA_OK)
        return rc;
    if (!read_ifes(r, ifes, n, more))
        return bad_reply(c, r, "in-flight exits");
    json_decref(r);
    return PLASMA_OK;
}

int plasma_rootchain_client_finalized(plasma_rootchain_client *c, const plasma_hash *output_id,
                                      plasma_u256 *by)
{
    char path[96], hex[67];
    snprintf(path, sizeof path, "/v1/finalized/%s", plasma_hash_format(hex, output_id));
    json_t *r;
    int rc = request(c, "GET", path, NULL, &r);
    if (rc != PLASMA_OK)
        return rc;
    const json_t *fin = json_object_get(r, "finalized");
    plasma_u256 v = plasma_u256_from_u64(0);
    uint64_t exit_id;
    bool ok = json_is_boolean(fin);
    if (ok && json_is_true(fin)) {
        if (json_object_get(r, "ife_id"))
            ok = j_ife_id(r, "ife_id", &v);
        else if ((ok = j_u64s(r, "exit_id", &exit_id)))
            v = plasma_u256_from_u64(exit_id);
    }
    if (!ok)
        return bad_reply(c, r, "finalized flag");
    json_decref(r);
    *by = v;
    return PLASMA_OK;
}

int plasma_rootchain_client_withdrawable(plasma_rootchain_client *c, const plasma_addr *owner,
                                         const plasma_addr *token, plasma_u256 *amount)
{
    char path[96], a[43], t[43];
    plasma_addr eth = {{0}};
    snprintf(path, sizeof path, "/v1/withdrawable/%s", plasma_addr_format(a, owner));
    json_t *r;
    int rc = request(c, "GET", path, NULL, &r);
    if (rc != PLASMA_OK)
        return rc;
    const json_t *claims = json_object_get(r, "withdrawable");
    if (!json_is_object(claims))
        return bad_reply(c, r, "withdrawable");
    plasma_u256 v = plasma_u256_from_u64(0);
    const char *key = plasma_addr_format(t, token ? token : &eth);
    if (json_object_get(claims, key) && !j_u256(claims, key, &v))
        return bad_reply(c, r, "withdrawable amount");
    json_decref(r);
    *amount = v;
    return PLASMA_OK;
}

/* ---- dev controls ---- */

int plasma_rootchain_client_dev_mine(plasma_rootchain_client *c, uint64_t blocks, uint64_t *head)
{
    json_t *body = json_pack("{s:I}", "blocks", (json_int_t)blocks);
    if (!body)
        return PLASMA_ERR_NOMEM;
    json_t *r;
    int rc = request(c, "POST", "/v1/dev/mine", body, &r);
    if (rc != PLASMA_OK)
        return rc;
    uint64_t h;
    if (!j_u64(r, "head", &h))
        return bad_reply(c, r, "head");
    json_decref(r);
    if (head)
        *head = h;
    return PLASMA_OK;
}

/* A dev control whose reply carries nothing the caller needs. */
static int dev_post(plasma_rootchain_client *c, const char *path, json_t *body)
{
    if (!body)
        return PLASMA_ERR_NOMEM;
    json_t *r;
    int rc = request(c, "POST", path, body, &r);
    if (rc == PLASMA_OK)
        json_decref(r);
    return rc;
}

int plasma_rootchain_client_dev_advance_time(plasma_rootchain_client *c, uint64_t seconds)
{
    return dev_post(c, "/v1/dev/advance-time", json_pack("{s:I}", "seconds", (json_int_t)seconds));
}

int plasma_rootchain_client_dev_fund(plasma_rootchain_client *c, const plasma_addr *addr,
                                     const plasma_u256 *amount)
{
    return dev_post(
        c, "/v1/dev/fund",
        json_pack("{s:o,s:o}", "address", plasma_json_addr(addr), "amount", plasma_json_u256(amount)));
}

int plasma_rootchain_client_dev_mint(plasma_rootchain_client *c, const plasma_addr *addr,
                                     const plasma_addr *token, const plasma_u256 *amount)
{
    return dev_post(c, "/v1/dev/mint",
                    json_pack("{s:o,s:o,s:o}", "address", plasma_json_addr(addr), "token",
                              plasma_json_addr(token), "amount", plasma_json_u256(amount)));
}
