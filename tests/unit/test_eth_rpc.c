/* The JSON-RPC client of eth/ against a scripted loopback server: retries
 * with capped, jittered backoff on transport failures, 429 and 5xx; no
 * retry on a JSON-RPC error or a malformed answer, each refused cleanly;
 * JSON-RPC errors and reverts surfaced with their code, message and
 * decoded custom error; batches matched by id; size limits and bad
 * configuration refused; and the cursor file. */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "plasma/eth.h"
#include "plasma/http.h"

/* --- the scripted server --- */

#define MAX_SCRIPT 16

typedef struct reply {
    int status;
    const char *body; /* "%ID%" becomes the request's id, "%ID0%".. a batch's ids */
    long delay_ms;
} reply;

typedef struct script {
    pthread_mutex_t mu;
    reply replies[MAX_SCRIPT];
    size_t n, next;
    bool repeat_last; /* the last reply answers every request after it */
    int requests;
    char last_request[4096];
} script;

static void substitute(char *out, size_t size, const char *tmpl, const json_t *req)
{
    size_t n = 0;
    while (*tmpl && n + 24 < size) {
        unsigned k;
        int used = 0;
        if (strncmp(tmpl, "%ID%", 4) == 0) {
            n += (size_t)snprintf(out + n, size - n, "%lld",
                                  (long long)json_integer_value(json_object_get(req, "id")));
            tmpl += 4;
        } else if (sscanf(tmpl, "%%ID%u%%%n", &k, &used) == 1 && used > 0) {
            json_t *item = json_array_get(req, k);
            n += (size_t)snprintf(out + n, size - n, "%lld",
                                  (long long)json_integer_value(json_object_get(item, "id")));
            tmpl += used;
        } else {
            out[n++] = *tmpl++;
        }
    }
    out[n] = '\0';
}

static void h_rpc(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    script *s = ctx;
    pthread_mutex_lock(&s->mu);
    s->requests++;
    snprintf(s->last_request, sizeof s->last_request, "%.*s", (int)req->body_len, (const char *)req->body);
    size_t i = s->next < s->n ? s->next++ : s->n - 1;
    reply r = s->replies[i];
    pthread_mutex_unlock(&s->mu);
    if (r.delay_ms)
        usleep((useconds_t)r.delay_ms * 1000);
    json_t *parsed = json_loadb((const char *)req->body, req->body_len, 0, NULL);
    char *text = malloc(8192);
    substitute(text, 8192, r.body, parsed);
    json_decref(parsed);
    resp->status = r.status;
    resp->raw = text;
    resp->raw_len = strlen(text);
    resp->content_type = "application/json";
}

static const plasma_http_route ROUTES[] = {{"POST", "/", h_rpc}};

typedef struct fixture {
    plasma_http_server *srv;
    script sc;
    char url[64];
    long sleeps[64];
    size_t n_sleeps;
} fixture;

static void record_sleep(void *ctx, long ms)
{
    fixture *f = ctx;
    if (f->n_sleeps < 64)
        f->sleeps[f->n_sleeps++] = ms;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    pthread_mutex_init(&f->sc.mu, NULL);
    plasma_http_mount m = {"", ROUTES, 1, &f->sc};
    plasma_http_config cfg = {.port = 0};
    assert_int_equal(plasma_http_server_start(&f->srv, &cfg, &m, 1), 0);
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u", plasma_http_server_port(f->srv));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    plasma_http_server_free(f->srv);
    pthread_mutex_destroy(&f->sc.mu);
    free(f);
    return 0;
}

static void play(fixture *f, const reply *replies, size_t n)
{
    pthread_mutex_lock(&f->sc.mu);
    memcpy(f->sc.replies, replies, n * sizeof *replies);
    f->sc.n = n;
    f->sc.next = 0;
    f->sc.requests = 0;
    pthread_mutex_unlock(&f->sc.mu);
    f->n_sleeps = 0;
}

static plasma_eth_rpc *client(fixture *f, unsigned attempts)
{
    plasma_eth_rpc_config cfg;
    plasma_eth_rpc_config_default(&cfg);
    cfg.url = f->url;
    cfg.max_attempts = attempts;
    cfg.timeout_ms = 2000;
    cfg.backoff_base_ms = 100;
    cfg.backoff_max_ms = 300;
    cfg.jitter_seed = 42;
    cfg.sleep_ms = record_sleep;
    cfg.sleep_ctx = f;
    plasma_eth_rpc *rpc = NULL;
    assert_int_equal(plasma_eth_rpc_new(&rpc, &cfg), 0);
    return rpc;
}

#define OK_ANSWER(result) "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"result\":" result "}"

/* --- calls and retries --- */

static void test_call_and_request_form(void **state)
{
    fixture *f = *state;
    reply r[] = {{200, OK_ANSWER("\"0x7a69\""), 0}};
    play(f, r, 1);
    plasma_eth_rpc *rpc = client(f, 3);
    uint64_t chain = 0;
    assert_int_equal(plasma_eth_chain_id(rpc, &chain), 0);
    assert_int_equal(chain, 31337);
    json_t *sent = json_loads(f->sc.last_request, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(sent, "jsonrpc")), "2.0");
    assert_string_equal(json_string_value(json_object_get(sent, "method")), "eth_chainId");
    assert_true(json_is_array(json_object_get(sent, "params")));
    assert_true(json_is_integer(json_object_get(sent, "id")));
    json_decref(sent);
    assert_int_equal(plasma_eth_rpc_last_error(rpc)->err, 0);
    plasma_eth_rpc_free(rpc);
}

/* 503, 429 and a 500 with an HTML body are retried; the fourth attempt
 * answers. The three delays follow the schedule: d = min(300, 100 · 2^k),
 * each in [d/2, d]. */
static void test_retries_recover(void **state)
{
    fixture *f = *state;
    reply r[] = {
        {503, "busy", 0}, {429, "{}", 0}, {500, "<html>oops</html>", 0}, {200, OK_ANSWER("\"0x10\""), 0}};
    play(f, r, 4);
    plasma_eth_rpc *rpc = client(f, 5);
    uint64_t head = 0;
    assert_int_equal(plasma_eth_block_number(rpc, &head), 0);
    assert_int_equal(head, 16);
    assert_int_equal(f->sc.requests, 4);
    assert_int_equal(f->n_sleeps, 3);
    static const long D[] = {100, 200, 300};
    for (int i = 0; i < 3; i++)
        assert_true(f->sleeps[i] >= D[i] / 2 && f->sleeps[i] <= D[i]);
    plasma_eth_rpc_free(rpc);
}

static void test_retries_exhausted(void **state)
{
    fixture *f = *state;
    reply r[] = {{502, "bad gateway", 0}};
    play(f, r, 1);
    plasma_eth_rpc *rpc = client(f, 3);
    uint64_t head = 0;
    assert_int_equal(plasma_eth_block_number(rpc, &head), PLASMA_ERR_UNAVAILABLE);
    const plasma_eth_rpc_error *e = plasma_eth_rpc_last_error(rpc);
    assert_int_equal(e->err, PLASMA_ERR_UNAVAILABLE);
    assert_int_equal(e->attempts, 3);
    assert_int_equal(e->http_status, 502);
    assert_int_equal(f->sc.requests, 3);
    assert_non_null(strstr(e->message, "eth_blockNumber"));
    assert_non_null(strstr(e->message, "after 3 attempts"));
    assert_non_null(strstr(e->message, "HTTP 502"));
    plasma_eth_rpc_free(rpc);
}

static void test_unreachable_endpoint(void **state)
{
    fixture *f = *state;
    plasma_eth_rpc_config cfg;
    plasma_eth_rpc_config_default(&cfg);
    /* A port nothing listens on: the server's, after it stopped. */
    plasma_http_server *tmp = NULL;
    plasma_http_mount m = {"", ROUTES, 1, &f->sc};
    plasma_http_config hc = {.port = 0};
    assert_int_equal(plasma_http_server_start(&tmp, &hc, &m, 1), 0);
    char url[96];
    snprintf(url, sizeof url, "http://user:secret@127.0.0.1:%u/v3/key?x=1", plasma_http_server_port(tmp));
    plasma_http_server_free(tmp);
    cfg.url = url;
    cfg.max_attempts = 2;
    cfg.sleep_ms = record_sleep;
    cfg.sleep_ctx = f;
    f->n_sleeps = 0;
    plasma_eth_rpc *rpc = NULL;
    assert_int_equal(plasma_eth_rpc_new(&rpc, &cfg), 0);
    uint64_t v;
    assert_int_equal(plasma_eth_chain_id(rpc, &v), PLASMA_ERR_UNAVAILABLE);
    const char *msg = plasma_eth_rpc_last_error(rpc)->message;
    assert_non_null(strstr(msg, "after 2 attempts"));
    assert_non_null(strstr(msg, "http://127.0.0.1:"));
    /* the path, query and credentials of the URL stay out of messages */
    assert_null(strstr(msg, "secret"));
    assert_null(strstr(msg, "key"));
    assert_int_equal(f->n_sleeps, 1);
    plasma_eth_rpc_free(rpc);
}

/* An answer slower than the timeout is a transport failure, retried. */
static void test_timeout_retried(void **state)
{
    fixture *f = *state;
    reply r[] = {{200, OK_ANSWER("\"0x1\""), 800}, {200, OK_ANSWER("\"0x2\""), 0}};
    play(f, r, 2);
    plasma_eth_rpc_config cfg;
    plasma_eth_rpc_config_default(&cfg);
    cfg.url = f->url;
    cfg.timeout_ms = 200;
    cfg.sleep_ms = record_sleep;
    cfg.sleep_ctx = f;
    plasma_eth_rpc *rpc = NULL;
    assert_int_equal(plasma_eth_rpc_new(&rpc, &cfg), 0);
    uint64_t v = 0;
    assert_int_equal(plasma_eth_block_number(rpc, &v), 0);
    assert_int_equal(v, 2);
    assert_int_equal(plasma_eth_rpc_last_error(rpc)->attempts, 2);
    plasma_eth_rpc_free(rpc);
}

/* --- answers refused --- */

static void test_malformed_answers_refused(void **state)
{
    fixture *f = *state;
    static const char *const BAD[] = {
        "not json",
        "[]",
        "{\"id\":%ID%,\"result\":\"0x1\"}",
        "{\"jsonrpc\":\"1.0\",\"id\":%ID%,\"result\":\"0x1\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":999999,\"result\":\"0x1\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"%ID%\",\"result\":\"0x1\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":%ID%}",
        "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"result\":\"0x1\",\"error\":{\"code\":1,\"message\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"error\":{\"message\":\"no code\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"error\":{\"code\":\"-1\",\"message\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"error\":\"flat\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"result\":\"0x1\",\"result\":\"0x2\"}",
        OK_ANSWER("\"12\""),
        OK_ANSWER("\"0x\""),
        OK_ANSWER("\"0x1g\""),
        OK_ANSWER("\"0x10000000000000000\""),
        OK_ANSWER("16"),
    };
    plasma_eth_rpc *rpc = client(f, 3);
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        reply r[] = {{200, BAD[i], 0}};
        play(f, r, 1);
        uint64_t v = 77;
        int rc = plasma_eth_block_number(rpc, &v);
        if (rc != PLASMA_ERR_BAD_REQUEST)
            fail_msg("answer %zu (%s): got %d, want bad_request", i, BAD[i], rc);
        assert_int_equal(v, 77);
        assert_int_equal(f->sc.requests, 1); /* never retried */
    }
    plasma_eth_rpc_free(rpc);
}

static void test_rpc_errors_surfaced(void **state)
{
    fixture *f = *state;
    plasma_eth_rpc *rpc = client(f, 3);
    reply r1[] = {{200,
                   "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"error\":{\"code\":-32601,\"message\":\"the method "
                   "eth_foo does not exist\"}}",
                   0}};
    play(f, r1, 1);
    json_t *res = NULL;
    assert_int_equal(plasma_eth_rpc_call(rpc, "eth_foo", NULL, &res), PLASMA_ERR_RPC);
    assert_null(res);
    const plasma_eth_rpc_error *e = plasma_eth_rpc_last_error(rpc);
    assert_int_equal(e->code, -32601);
    assert_false(e->reverted);
    assert_non_null(strstr(e->message, "eth_foo does not exist"));
    assert_non_null(strstr(e->message, "-32601"));
    assert_int_equal(f->sc.requests, 1);

    /* an error with a null id (the node could not read the request) */
    reply r2[] = {
        {200, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"parse error\"}}",
         0}};
    play(f, r2, 1);
    assert_int_equal(plasma_eth_rpc_call(rpc, "eth_foo", NULL, &res), PLASMA_ERR_RPC);
    assert_int_equal(plasma_eth_rpc_last_error(rpc)->code, -32700);

    /* a 4xx: the JSON-RPC error in its body, or the status; not retried */
    reply r3[] = {
        {400, "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"error\":{\"code\":-32600,\"message\":\"invalid\"}}", 0}};
    play(f, r3, 1);
    assert_int_equal(plasma_eth_rpc_call(rpc, "eth_foo", NULL, &res), PLASMA_ERR_RPC);
    assert_int_equal(plasma_eth_rpc_last_error(rpc)->code, -32600);
    reply r5[] = {{404, "{\"error\":\"no such route\"}", 0}};
    play(f, r5, 1);
    assert_int_equal(plasma_eth_rpc_call(rpc, "eth_foo", NULL, &res), PLASMA_ERR_RPC);
    assert_non_null(strstr(plasma_eth_rpc_last_error(rpc)->message, "HTTP 404"));
    reply r4[] = {{401, "<html>unauthorized</html>", 0}};
    play(f, r4, 1);
    assert_int_equal(plasma_eth_rpc_call(rpc, "eth_foo", NULL, &res), PLASMA_ERR_RPC);
    assert_non_null(strstr(plasma_eth_rpc_last_error(rpc)->message, "HTTP 401"));
    assert_int_equal(f->sc.requests, 1);
    plasma_eth_rpc_free(rpc);
}

/* A revert's data names the contract's custom error: BadBond() is the
 * project's bad_bond. Nested data, Error(string), and no data at all. */
static void test_reverts_decoded(void **state)
{
    fixture *f = *state;
    plasma_eth_rpc *rpc = client(f, 3);
    uint8_t sel[4];
    char name[48], hex[16], body[512];
    assert_int_equal(plasma_eth_error_name(name, sizeof name, sel, PLASMA_ERR_BAD_BOND), 0);
    plasma_hex_encode(hex, sel, 4);
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":%%ID%%,\"error\":{\"code\":3,\"message\":\"execution reverted: "
             "custom error "
             "%s\",\"data\":\"%s\"}}",
             hex, hex);
    reply r1[] = {{200, body, 0}};
    play(f, r1, 1);
    plasma_buf ret = {0};
    plasma_addr to = {{1}};
    int rc = plasma_eth_call(rpc, NULL, &to, NULL, NULL, 0, NULL, &ret);
    assert_int_equal(rc, PLASMA_ERR_BAD_BOND);
    const plasma_eth_rpc_error *e = plasma_eth_rpc_last_error(rpc);
    assert_true(e->reverted);
    assert_int_equal(e->code, 3);
    assert_string_equal(e->revert.name, "BadBond");
    assert_non_null(strstr(e->message, "reverted: BadBond()"));
    assert_int_equal(ret.len, 0);

    /* nested as {"data": {"data": "0x..."}} */
    snprintf(
        body, sizeof body,
        "{\"jsonrpc\":\"2.0\",\"id\":%%ID%%,\"error\":{\"code\":-32015,\"message\":\"VM execution error\","
        "\"data\":{\"data\":\"%s\"}}}",
        hex);
    reply r2[] = {{200, body, 0}};
    play(f, r2, 1);
    assert_int_equal(plasma_eth_call(rpc, NULL, &to, NULL, NULL, 0, NULL, &ret), PLASMA_ERR_BAD_BOND);

    /* Error("plain reason") */
    plasma_buf err = {0};
    plasma_eth_abi_value reason = plasma_eth_abi_bytes((const uint8_t *)"plain reason", 12);
    assert_int_equal(plasma_eth_abi_encode_call(&err, "Error(string)", &reason, 1), 0);
    char data[300];
    plasma_hex_encode(data, err.data, err.len);
    snprintf(body, sizeof body,
             "{\"jsonrpc\":\"2.0\",\"id\":%%ID%%,\"error\":{\"code\":3,\"message\":\"execution reverted: "
             "plain reason\",\"data\":\"%s\"}}",
             data);
    plasma_buf_free(&err);
    reply r3[] = {{200, body, 0}};
    play(f, r3, 1);
    assert_int_equal(plasma_eth_call(rpc, NULL, &to, NULL, NULL, 0, NULL, &ret), PLASMA_ERR_REVERTED);
    assert_non_null(strstr(plasma_eth_rpc_last_error(rpc)->message, "Error(plain reason)"));

    /* "execution reverted" and nothing else */
    reply r4[] = {{200,
                   "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"error\":{\"code\":-32000,\"message\":\"execution "
                   "reverted\"}}",
                   0}};
    play(f, r4, 1);
    assert_int_equal(plasma_eth_call(rpc, NULL, &to, NULL, NULL, 0, NULL, &ret), PLASMA_ERR_REVERTED);
    assert_non_null(strstr(plasma_eth_rpc_last_error(rpc)->message, "without a reason"));
    plasma_buf_free(&ret);
    plasma_eth_rpc_free(rpc);
}

/* --- batches --- */

static void test_batches(void **state)
{
    fixture *f = *state;
    plasma_eth_rpc *rpc = client(f, 3);
    /* answers in reverse order, the middle one an error */
    reply r1[] = {
        {200,
         "[{\"jsonrpc\":\"2.0\",\"id\":%ID2%,\"result\":\"0x3\"},"
         "{\"jsonrpc\":\"2.0\",\"id\":%ID1%,\"error\":{\"code\":-32000,\"message\":\"header not found\"}},"
         "{\"jsonrpc\":\"2.0\",\"id\":%ID0%,\"result\":\"0x1\"}]",
         0}};
    play(f, r1, 1);
    plasma_eth_rpc_req reqs[3] = {{.method = "a"}, {.method = "b"}, {.method = "c"}};
    assert_int_equal(plasma_eth_rpc_batch(rpc, reqs, 3), 0);
    assert_int_equal(reqs[0].err, 0);
    assert_string_equal(json_string_value(reqs[0].result), "0x1");
    assert_int_equal(reqs[1].err, PLASMA_ERR_RPC);
    assert_null(reqs[1].result);
    assert_int_equal(reqs[1].code, -32000);
    assert_string_equal(reqs[1].message, "header not found");
    assert_string_equal(json_string_value(reqs[2].result), "0x3");
    json_t *sent = json_loads(f->sc.last_request, 0, NULL);
    assert_int_equal(json_array_size(sent), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(sent, 1), "method")), "b");
    json_decref(sent);
    json_decref(reqs[0].result);
    json_decref(reqs[2].result);

    static const char *const BAD[] = {
        /* one answer missing */
        "[{\"jsonrpc\":\"2.0\",\"id\":%ID0%,\"result\":\"0x1\"},{\"jsonrpc\":\"2.0\",\"id\":%ID1%,\"result\":"
        "1}]",
        /* a duplicate id */
        "[{\"jsonrpc\":\"2.0\",\"id\":%ID0%,\"result\":1},{\"jsonrpc\":\"2.0\",\"id\":%ID0%,\"result\":1},"
        "{\"jsonrpc\":\"2.0\",\"id\":%ID1%,\"result\":1}]",
        /* an id of no request */
        "[{\"jsonrpc\":\"2.0\",\"id\":%ID0%,\"result\":1},{\"jsonrpc\":\"2.0\",\"id\":%ID1%,\"result\":1},"
        "{\"jsonrpc\":\"2.0\",\"id\":12345,\"result\":1}]",
        /* not an array */
        "{\"jsonrpc\":\"2.0\",\"id\":%ID0%,\"result\":1}",
        /* a malformed item */
        "[{\"jsonrpc\":\"2.0\",\"id\":%ID0%,\"result\":1},{\"jsonrpc\":\"2.0\",\"id\":%ID1%,\"result\":1},3]",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        reply r[] = {{200, BAD[i], 0}};
        play(f, r, 1);
        plasma_eth_rpc_req q[3] = {{.method = "a"}, {.method = "b"}, {.method = "c"}};
        if (plasma_eth_rpc_batch(rpc, q, 3) != PLASMA_ERR_BAD_REQUEST)
            fail_msg("batch answer %zu accepted", i);
        for (int k = 0; k < 3; k++)
            assert_null(q[k].result);
    }
    /* A node that refuses batches: the requests go one at a time, this
     * time and from then on. */
    reply r2[] = {{200,
                   "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"batch "
                   "requests are not supported\"}}",
                   0},
                  {200, OK_ANSWER("\"0xa\""), 0},
                  {200, "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"error\":{\"code\":-1,\"message\":\"no\"}}", 0},
                  {200, OK_ANSWER("\"0xc\""), 0},
                  {200, OK_ANSWER("\"0xd\""), 0}};
    play(f, r2, 5);
    plasma_eth_rpc_req q[2] = {{.method = "a"}, {.method = "b"}};
    assert_int_equal(plasma_eth_rpc_batch(rpc, q, 2), 0);
    assert_string_equal(json_string_value(q[0].result), "0xa");
    assert_int_equal(q[1].err, PLASMA_ERR_RPC);
    assert_string_equal(q[1].message, "no");
    assert_int_equal(f->sc.requests, 3);
    json_decref(q[0].result);
    plasma_eth_rpc_req q2[2] = {{.method = "c"}, {.method = "d"}};
    assert_int_equal(plasma_eth_rpc_batch(rpc, q2, 2), 0);
    assert_string_equal(json_string_value(q2[0].result), "0xc");
    assert_string_equal(json_string_value(q2[1].result), "0xd");
    assert_int_equal(f->sc.requests, 5);
    json_t *last = json_loads(f->sc.last_request, 0, NULL);
    assert_true(json_is_object(last));
    json_decref(last);
    json_decref(q2[0].result);
    json_decref(q2[1].result);
    plasma_eth_rpc_free(rpc);
}

/* --- limits and configuration --- */

static void test_reply_size_limit(void **state)
{
    fixture *f = *state;
    static char big[3000];
    memset(big, 0, sizeof big);
    strcpy(big, "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"result\":\"0x");
    memset(big + strlen(big), 'a', 2000);
    strcat(big, "\"}");
    reply r[] = {{200, big, 0}};
    play(f, r, 1);
    plasma_eth_rpc_config cfg;
    plasma_eth_rpc_config_default(&cfg);
    cfg.url = f->url;
    cfg.max_reply_bytes = 1024;
    plasma_eth_rpc *rpc = NULL;
    assert_int_equal(plasma_eth_rpc_new(&rpc, &cfg), 0);
    json_t *res = NULL;
    assert_int_equal(plasma_eth_rpc_call(rpc, "eth_x", NULL, &res), PLASMA_ERR_PAYLOAD_TOO_LARGE);
    assert_null(res);
    assert_int_equal(f->sc.requests, 1);
    plasma_eth_rpc_free(rpc);
}

static void test_bad_config_refused(void **state)
{
    (void)state;
    plasma_eth_rpc_config cfg;
    plasma_eth_rpc *rpc = NULL;
    static const char *const URLS[] = {NULL, "", "127.0.0.1:8545", "ftp://x", "http:/x"};
    for (size_t i = 0; i < sizeof URLS / sizeof URLS[0]; i++) {
        plasma_eth_rpc_config_default(&cfg);
        cfg.url = URLS[i];
        assert_int_equal(plasma_eth_rpc_new(&rpc, &cfg), PLASMA_ERR_CONFIG);
    }
    plasma_eth_rpc_config_default(&cfg);
    cfg.url = "https://node.example:8545/v3/abc";
    assert_int_equal(plasma_eth_rpc_new(&rpc, &cfg), 0);
    plasma_eth_rpc_free(rpc);
    plasma_eth_rpc_config bad[6];
    for (int i = 0; i < 6; i++) {
        plasma_eth_rpc_config_default(&bad[i]);
        bad[i].url = "http://127.0.0.1:1";
    }
    bad[0].max_attempts = 0;
    bad[1].max_attempts = 101;
    bad[2].timeout_ms = 0;
    bad[3].backoff_max_ms = -1;
    bad[4].max_reply_bytes = 10;
    bad[5].connect_timeout_ms = 3600001;
    for (int i = 0; i < 6; i++)
        assert_int_equal(plasma_eth_rpc_new(&rpc, &bad[i]), PLASMA_ERR_CONFIG);
}

/* The schedule itself, over many draws: within [d/2, d], capped, spread
 * (not one fixed value), and the same for the same seed. */
static void test_backoff_schedule(void **state)
{
    (void)state;
    plasma_eth_rpc_config cfg;
    plasma_eth_rpc_config_default(&cfg);
    cfg.backoff_base_ms = 250;
    cfg.backoff_max_ms = 8000;
    uint64_t rng = 7, again = 7;
    for (unsigned retry = 1; retry <= 40; retry++) {
        long d = retry <= 6 ? 250L << (retry - 1) : 8000;
        long lo = d, hi = 0;
        for (int k = 0; k < 200; k++) {
            long ms = plasma_eth_backoff_ms(&cfg, retry, &rng);
            assert_int_equal(ms, plasma_eth_backoff_ms(&cfg, retry, &again));
            assert_true(ms >= d / 2 && ms <= d);
            lo = ms < lo ? ms : lo;
            hi = ms > hi ? ms : hi;
        }
        assert_true(hi - lo > d / 4);
    }
}

static void test_quantities(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int rc;
        uint64_t v;
    } Q[] = {
        {"\"0x0\"", 0, 0},
        {"\"0x1a\"", 0, 26},
        {"\"0xFFFFFFFFFFFFFFFF\"", 0, UINT64_MAX},
        {"\"0x001\"", 0, 1},
        {"\"1a\"", PLASMA_ERR_BAD_REQUEST, 0},
        {"\"0x\"", PLASMA_ERR_BAD_REQUEST, 0},
        {"26", PLASMA_ERR_BAD_REQUEST, 0},
        {"null", PLASMA_ERR_BAD_REQUEST, 0},
        {"\"0x10000000000000000\"", PLASMA_ERR_OVERFLOW, 0},
    };
    for (size_t i = 0; i < sizeof Q / sizeof Q[0]; i++) {
        json_t *j = json_loads(Q[i].json, JSON_DECODE_ANY, NULL);
        uint64_t v = 0;
        assert_int_equal(plasma_eth_quantity_u64(&v, j), Q[i].rc);
        if (Q[i].rc == 0)
            assert_int_equal(v, Q[i].v);
        json_decref(j);
    }
    json_t *q = plasma_eth_quantity_json(26);
    assert_string_equal(json_string_value(q), "0x1a");
    json_decref(q);
    q = plasma_eth_quantity_json(0);
    assert_string_equal(json_string_value(q), "0x0");
    json_decref(q);
    plasma_buf b = {0};
    json_t *d = json_string("0xabCD");
    assert_int_equal(plasma_eth_data_parse(&b, d), 0);
    assert_int_equal(b.len, 2);
    assert_int_equal(b.data[1], 0xcd);
    json_decref(d);
    d = json_string("0xabc");
    assert_int_equal(plasma_eth_data_parse(&b, d), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(b.len, 2);
    json_decref(d);
    plasma_buf_free(&b);
}

/* --- the cursor file --- */

static void test_cursor_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/plasma-eth-cursor-XXXXXX", path[96];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/cursor", dir);
    plasma_eth_cursor c = {.number = 123456789}, got;
    memset(c.hash.b, 0xab, 32);
    assert_int_equal(plasma_eth_cursor_load(&got, path), PLASMA_ERR_NOT_FOUND);
    assert_int_equal(plasma_eth_cursor_save(path, &c), 0);
    assert_int_equal(plasma_eth_cursor_load(&got, path), 0);
    assert_int_equal(got.number, c.number);
    assert_true(plasma_hash_eq(&got.hash, &c.hash));
    c.number = 0;
    assert_int_equal(plasma_eth_cursor_save(path, &c), 0);
    assert_int_equal(plasma_eth_cursor_load(&got, path), 0);
    assert_int_equal(got.number, 0);

    static const char *const BAD[] = {
        "",
        "plasma-eth-cursor 1\n",
        "plasma-eth-cursor 2\n5 0xabababababababababababababababababababababababababababababababab\n",
        "plasma-eth-cursor 1\n05 0xabababababababababababababababababababababababababababababababab\n",
        "plasma-eth-cursor 1\n-5 0xabababababababababababababababababababababababababababababababab\n",
        "plasma-eth-cursor 1\n18446744073709551616 "
        "0xabababababababababababababababababababababababababababababababab\n",
        "plasma-eth-cursor 1\n5 0xababababababababababababababababababababababababababababababab\n",
        "plasma-eth-cursor 1\n5 0xabababababababababababababababababababababababababababababababab",
        "plasma-eth-cursor 1\n5 0xabababababababababababababababababababababababababababababababab\nx",
        "plasma-eth-cursor 1\n5 0xgbababababababababababababababababababababababababababababababab\n",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        FILE *fp = fopen(path, "w");
        fputs(BAD[i], fp);
        fclose(fp);
        if (plasma_eth_cursor_load(&got, path) != PLASMA_ERR_BAD_REQUEST)
            fail_msg("cursor file %zu accepted", i);
    }
    /* a directory that does not exist */
    char nowhere[128];
    snprintf(nowhere, sizeof nowhere, "%s/no/such/dir/cursor", dir);
    assert_int_equal(plasma_eth_cursor_save(nowhere, &c), PLASMA_ERR_IO);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_call_and_request_form, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retries_recover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retries_exhausted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable_endpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_answers_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rpc_errors_surfaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reverts_decoded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reply_size_limit, setup, teardown),
        cmocka_unit_test(test_bad_config_refused),
        cmocka_unit_test(test_backoff_schedule),
        cmocka_unit_test(test_quantities),
        cmocka_unit_test(test_cursor_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
