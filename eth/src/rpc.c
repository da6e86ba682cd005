/* JSON-RPC client: transport, retries, answer checking. See plasma/eth_rpc.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "plasma/err.h"
#include "plasma/eth_rpc.h"
#include "plasma/http.h"
#include "eth_internal.h"

#define MS_MAX 3600000L

struct plasma_eth_rpc {
    plasma_eth_rpc_config cfg;
    char *url;
    char endpoint[128]; /* scheme://host:port, for messages: never the path or credentials */
    plasma_http_client *http;
    uint64_t rng;
    uint64_t next_id;
    bool no_batches; /* the node refused a batch: requests go one at a time */
    plasma_eth_rpc_error last;
};

/* What one answer object said. */
typedef struct answer {
    json_t *result;
    long code;
    char message[160];
    bool reverted;
    plasma_eth_revert revert;
} answer;

void plasma_eth_rpc_config_default(plasma_eth_rpc_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->connect_timeout_ms = 5000;
    cfg->timeout_ms = 30000;
    cfg->max_attempts = 5;
    cfg->backoff_base_ms = 250;
    cfg->backoff_max_ms = 8000;
    cfg->max_reply_bytes = (size_t)64 << 20;
}

static void sleep_default(void *ctx, long ms)
{
    (void)ctx;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: plenty for spreading retries apart. */
    uint64_t x = *s ? *s : 0x9e3779b97f4a7c15u;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1du;
}

long plasma_eth_backoff_ms(const plasma_eth_rpc_config *cfg, unsigned retry, uint64_t *rng)
{
    long d = cfg->backoff_max_ms;
    if (retry >= 1 && retry <= 32) {
        long long full = (long long)cfg->backoff_base_ms << (retry - 1);
        if (full < d)
            d = (long)full;
    }
    long half = d / 2;
    return half + (long)(rng_next(rng) % (uint64_t)(d - half + 1));
}

static bool in_range(long v, long lo, long hi)
{
    return v >= lo && v <= hi;
}

static int check_config(const plasma_eth_rpc_config *cfg)
{
    if (!cfg->url || (strncmp(cfg->url, "http://", 7) != 0 && strncmp(cfg->url, "https://", 8) != 0))
        return PLASMA_ERR_CONFIG;
    if (!in_range(cfg->connect_timeout_ms, 1, MS_MAX) || !in_range(cfg->timeout_ms, 1, MS_MAX) ||
        !in_range(cfg->backoff_base_ms, 1, MS_MAX) || !in_range(cfg->backoff_max_ms, 1, MS_MAX) ||
        cfg->max_attempts < 1 || cfg->max_attempts > 100 || cfg->max_reply_bytes < 1024 ||
        cfg->max_reply_bytes > ((size_t)1 << 30))
        return PLASMA_ERR_CONFIG;
    return PLASMA_OK;
}

/* scheme://host[:port] of url, without user info, path or query. */
static void endpoint_label(char *out, size_t size, const char *url)
{
    const char *host = strstr(url, "://") + 3;
    size_t n = strcspn(host, "/?#");
    const char *at = memchr(host, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - host);
        host = at + 1;
    }
    snprintf(out, size, "%.*s%.*s", (int)(strstr(url, "://") + 3 - url), url, (int)n, host);
}

int plasma_eth_rpc_new(plasma_eth_rpc **out, const plasma_eth_rpc_config *cfg)
{
    int rc = check_config(cfg);
    if (rc != 0)
        return rc;
    plasma_eth_rpc *rpc = calloc(1, sizeof *rpc);
    if (!rpc)
        return PLASMA_ERR_NOMEM;
    rpc->cfg = *cfg;
    rpc->url = strdup(cfg->url);
    rpc->cfg.url = rpc->url;
    if (!rpc->cfg.sleep_ms)
        rpc->cfg.sleep_ms = sleep_default;
    rpc->rng = cfg->jitter_seed;
    if (!rpc->rng && getrandom(&rpc->rng, sizeof rpc->rng, 0) != sizeof rpc->rng)
        rpc->rng = (uint64_t)time(NULL);
    rpc->next_id = 1;
    if (!rpc->url || plasma_http_client_new(&rpc->http, cfg->url, cfg->timeout_ms) != 0) {
        plasma_eth_rpc_free(rpc);
        return PLASMA_ERR_NOMEM;
    }
    plasma_http_client_set_connect_timeout(rpc->http, cfg->connect_timeout_ms);
    endpoint_label(rpc->endpoint, sizeof rpc->endpoint, cfg->url);
    *out = rpc;
    return PLASMA_OK;
}

void plasma_eth_rpc_free(plasma_eth_rpc *rpc)
{
    if (!rpc)
        return;
    plasma_http_client_free(rpc->http);
    free(rpc->url);
    free(rpc);
}

const plasma_eth_rpc_error *plasma_eth_rpc_last_error(const plasma_eth_rpc *rpc)
{
    return &rpc->last;
}

/* Records a failure as the handle's last error and returns err. */
#define fail(rpc, code, ...)                                                                                 \
    ((rpc)->last.err = plasma_eth_fail((rpc)->last.message, sizeof(rpc)->last.message, (code), __VA_ARGS__))

/* --- transport and retries --- */

static bool retryable_status(long status)
{
    return status == 429 || (status >= 500 && status <= 599);
}

/* Posts body until an answer that is not a transport failure, 429 or 5xx
 * arrives, or the attempts run out. Out: *status and the answer's bytes. */
static int post_with_retries(plasma_eth_rpc *rpc, const char *label, const char *body, long *status,
                             plasma_buf *reply)
{
    char cause[128] = "";
    for (unsigned attempt = 1; attempt <= rpc->cfg.max_attempts; attempt++) {
        if (attempt > 1)
            rpc->cfg.sleep_ms(rpc->cfg.sleep_ctx, plasma_eth_backoff_ms(&rpc->cfg, attempt - 1, &rpc->rng));
        rpc->last.attempts = attempt;
        reply->len = 0;
        *status = 0;
        int rc = plasma_http_request_bytes(rpc->http, "POST", "", (const uint8_t *)body, strlen(body), status,
                                           reply, rpc->cfg.max_reply_bytes, cause, sizeof cause);
        rpc->last.http_status = *status;
        if (rc == PLASMA_ERR_NOMEM || rc == PLASMA_ERR_PAYLOAD_TOO_LARGE)
            return fail(rpc, rc, "%s: %s: %s", label, rpc->endpoint, cause);
        if (rc == 0 && !retryable_status(*status))
            return PLASMA_OK;
        if (rc == 0)
            snprintf(cause, sizeof cause, "HTTP %ld", *status);
    }
    return fail(rpc, PLASMA_ERR_UNAVAILABLE, "%s: no answer from %s after %u attempts (last: %s)", label,
                rpc->endpoint, rpc->cfg.max_attempts, cause);
}

/* --- answers --- */

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

/* Revert data can be the error's "data" string, or a "data" member of an
 * object there (some nodes nest it). */
static void read_revert(answer *a, const json_t *err)
{
    const json_t *data = json_object_get(err, "data");
    if (json_is_object(data))
        data = json_object_get(data, "data");
    plasma_buf bytes = {0};
    bool have = json_is_string(data) && plasma_eth_data_parse(&bytes, data) == 0;
    if (!have && a->code != 3 && !contains_nocase(a->message, "revert")) {
        plasma_buf_free(&bytes);
        return;
    }
    a->reverted = true;
    plasma_eth_revert_decode(&a->revert, bytes.data, bytes.len);
    plasma_buf_free(&bytes);
}

/* Reads a JSON-RPC error object. Returns 0 or PLASMA_ERR_BAD_REQUEST. */
static int read_error(answer *a, const json_t *err)
{
    const json_t *code = json_object_get(err, "code");
    const json_t *msg = json_object_get(err, "message");
    if (!json_is_object(err) || !json_is_integer(code) || !json_is_string(msg))
        return PLASMA_ERR_BAD_REQUEST;
    a->code = (long)json_integer_value(code);
    snprintf(a->message, sizeof a->message, "%s", json_string_value(msg));
    for (char *c = a->message; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    read_revert(a, err);
    return PLASMA_OK;
}

/* Reads one answer object for request id (an error may also carry a null
 * id: the node could not read the request). Returns 0 (a result or a
 * JSON-RPC error, told apart by a->result) or PLASMA_ERR_BAD_REQUEST. */
static int read_answer(answer *a, const json_t *obj, uint64_t id)
{
    memset(a, 0, sizeof *a);
    const json_t *jv = json_object_get(obj, "jsonrpc");
    const json_t *jid = json_object_get(obj, "id");
    const json_t *res = json_object_get(obj, "result");
    const json_t *err = json_object_get(obj, "error");
    bool id_ok = json_is_integer(jid) && json_integer_value(jid) == (json_int_t)id;
    if (!json_is_object(obj) || !json_is_string(jv) || strcmp(json_string_value(jv), "2.0") != 0 ||
        (!res == !err) || !(id_ok || (err && json_is_null(jid))))
        return PLASMA_ERR_BAD_REQUEST;
    if (err)
        return read_error(a, err);
    a->result = json_incref((json_t *)res);
    return PLASMA_OK;
}

static int answer_err(const answer *a)
{
    if (a->result)
        return PLASMA_OK;
    return a->reverted ? a->revert.err : PLASMA_ERR_RPC;
}

/* The error of an answer, as the handle's last error. */
static int fail_answer(plasma_eth_rpc *rpc, const char *method, const answer *a)
{
    int err = answer_err(a);
    rpc->last.code = a->code;
    rpc->last.reverted = a->reverted;
    rpc->last.revert = a->revert;
    if (!a->reverted)
        return fail(rpc, err, "%s: %s (JSON-RPC error %ld)", method, a->message, a->code);
    const plasma_eth_revert *r = &a->revert;
    if (!r->name[0])
        return fail(rpc, err, "%s: reverted without a reason", method);
    if (r->reason[0])
        return fail(rpc, err, "%s: reverted: %s(%s)", method, r->name, r->reason);
    return fail(rpc, err, "%s: reverted: %s()", method, r->name);
}

/* Posts a request text and parses the answer as JSON. A 4xx answer that is
 * not JSON becomes PLASMA_ERR_RPC naming the status. */
static int exchange(plasma_eth_rpc *rpc, const char *label, const char *body, json_t **out)
{
    plasma_buf reply = {0};
    long status = 0;
    int rc = post_with_retries(rpc, label, body, &status, &reply);
    if (rc != 0)
        goto cleanup;
    /* \u0000 is allowed: nodes put revert data into messages as text. */
    json_t *parsed =
        json_loadb((const char *)reply.data, reply.len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
    if (!parsed && status >= 200 && status < 300)
        rc = fail(rpc, PLASMA_ERR_BAD_REQUEST, "%s: %s answered something that is not JSON", label,
                  rpc->endpoint);
    else if (!parsed)
        rc = fail(rpc, PLASMA_ERR_RPC, "%s: %s answered HTTP %ld", label, rpc->endpoint, status);
    else
        *out = parsed;
cleanup:
    plasma_buf_free(&reply);
    return rc;
}

static json_t *request_json(const char *method, const json_t *params, uint64_t id)
{
    json_t *p = params ? json_deep_copy(params) : json_array();
    if (!p)
        return NULL;
    return json_pack("{s:s,s:I,s:s,s:o}", "jsonrpc", "2.0", "id", (json_int_t)id, "method", method, "params",
                     p);
}

static void reset_last(plasma_eth_rpc *rpc)
{
    memset(&rpc->last, 0, sizeof rpc->last);
}

/* One request and its answer: a result or a JSON-RPC error in *a (returns
 * 0), or the failure of the exchange. */
static int call_once(plasma_eth_rpc *rpc, const char *method, const json_t *params, answer *a)
{
    uint64_t id = rpc->next_id++;
    json_t *req = request_json(method, params, id), *reply = NULL;
    char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
    int rc = PLASMA_ERR_NOMEM;
    memset(a, 0, sizeof *a);
    if (!text)
        rc = fail(rpc, rc, "%s: out of memory", method);
    else if ((rc = exchange(rpc, method, text, &reply)) == 0 && read_answer(a, reply, id) != 0)
        rc = rpc->last.http_status / 100 != 2
                 ? fail(rpc, PLASMA_ERR_RPC, "%s: %s answered HTTP %ld", method, rpc->endpoint,
                        rpc->last.http_status)
                 : fail(rpc, PLASMA_ERR_BAD_REQUEST,
                        "%s: %s answered something that is not a JSON-RPC 2.0 reply", method, rpc->endpoint);
    json_decref(reply);
    json_decref(req);
    free(text);
    return rc;
}

int plasma_eth_rpc_call(plasma_eth_rpc *rpc, const char *method, const json_t *params, json_t **result)
{
    answer a;
    reset_last(rpc);
    int rc = call_once(rpc, method, params, &a);
    if (rc == 0 && (rc = answer_err(&a)) != 0)
        fail_answer(rpc, method, &a);
    if (rc == 0)
        *result = a.result;
    else
        json_decref(a.result);
    return rc;
}

/* --- batches --- */

static void batch_store(plasma_eth_rpc_req *r, answer *a)
{
    r->err = answer_err(a);
    r->code = a->code;
    snprintf(r->message, sizeof r->message, "%s", a->message);
    r->reverted = a->reverted;
    r->revert = a->revert;
    r->result = a->result;
    a->result = NULL;
}

/* Matches each answer of the array to its request by id. */
static int batch_match(plasma_eth_rpc *rpc, plasma_eth_rpc_req *reqs, size_t n, uint64_t first_id,
                       const json_t *reply)
{
    if (!json_is_array(reply) || json_array_size(reply) != n)
        return fail(rpc, PLASMA_ERR_BAD_REQUEST, "batch: %s answered %zu items for %zu requests",
                    rpc->endpoint, json_is_array(reply) ? json_array_size(reply) : 0, n);
    for (size_t i = 0; i < n; i++) {
        const json_t *item = json_array_get(reply, i);
        json_int_t id = json_integer_value(json_object_get(item, "id"));
        answer a;
        if (id < (json_int_t)first_id || id >= (json_int_t)(first_id + n) ||
            reqs[id - (json_int_t)first_id].result || reqs[id - (json_int_t)first_id].err ||
            read_answer(&a, item, (uint64_t)id) != 0)
            return fail(rpc, PLASMA_ERR_BAD_REQUEST, "batch: %s answered an item that matches no request",
                        rpc->endpoint);
        batch_store(&reqs[id - (json_int_t)first_id], &a);
    }
    return PLASMA_OK;
}

static void batch_release(plasma_eth_rpc_req *reqs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_decref(reqs[i].result);
        reqs[i].result = NULL;
    }
}

/* The requests one at a time, for a node that does not take batches. */
static int batch_one_by_one(plasma_eth_rpc *rpc, plasma_eth_rpc_req *reqs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        answer a;
        int rc = call_once(rpc, reqs[i].method, reqs[i].params, &a);
        if (rc != 0) {
            batch_release(reqs, n);
            return rc;
        }
        batch_store(&reqs[i], &a);
    }
    return PLASMA_OK;
}

/* Sends the batch. Out: *refused when the node answered it with one error
 * object, or with a 4xx that is not JSON: it does not take batches. */
static int batch_send(plasma_eth_rpc *rpc, plasma_eth_rpc_req *reqs, size_t n, bool *refused)
{
    uint64_t first_id = rpc->next_id;
    rpc->next_id += n;
    json_t *arr = json_array(), *reply = NULL;
    char *text = NULL;
    int rc = PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (!arr ||
            json_array_append_new(arr, request_json(reqs[i].method, reqs[i].params, first_id + i)) != 0)
            goto cleanup;
    if (!arr || !(text = json_dumps(arr, JSON_COMPACT)))
        goto cleanup;
    rc = exchange(rpc, "batch", text, &reply);
    answer a = {0};
    *refused = rc == PLASMA_ERR_RPC ||
               (rc == 0 && json_is_object(reply) && read_error(&a, json_object_get(reply, "error")) == 0);
    if (rc == 0 && !*refused && (rc = batch_match(rpc, reqs, n, first_id, reply)) != 0)
        batch_release(reqs, n);
cleanup:
    if (rc == PLASMA_ERR_NOMEM && !rpc->last.err)
        fail(rpc, rc, "batch: out of memory");
    json_decref(reply);
    json_decref(arr);
    free(text);
    return rc;
}

int plasma_eth_rpc_batch(plasma_eth_rpc *rpc, plasma_eth_rpc_req *reqs, size_t n)
{
    reset_last(rpc);
    for (size_t i = 0; i < n; i++) {
        reqs[i].err = 0;
        reqs[i].result = NULL;
    }
    bool refused = false;
    int rc = rpc->no_batches ? PLASMA_OK : batch_send(rpc, reqs, n, &refused);
    if (refused) {
        rpc->no_batches = true;
        reset_last(rpc);
    }
    return rpc->no_batches ? batch_one_by_one(rpc, reqs, n) : rc;
}
