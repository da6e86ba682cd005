/* Integration tests of the operator's HTTP API that need no funds: every
 * stateless error code of PROTOCOL §7, request errors (bad JSON, content
 * types, sizes, methods), slow clients, admin endpoints, metrics, OpenAPI,
 * restart. The daemon runs for real on 127.0.0.1. */
#include "itest.h"

static char op_key_hex[67];

static const char *const *flags(void)
{
    static const char *f[32];
    int n = 0;
    f[n++] = "--rootchain";
    f[n++] = "sim";
    f[n++] = "--rpc";
    f[n++] = "http://127.0.0.1:9"; /* unreachable: these tests need no chain */
    f[n++] = "--operator-key";
    f[n++] = op_key_hex;
    f[n++] = "--admin-token";
    f[n++] = "s3cret";
    f[n++] = "--log-level";
    f[n++] = "warn";
    f[n++] = "--min-fee";
    f[n++] = "0";
    f[n++] = "--max-body-kb";
    f[n++] = "64";
    f[n++] = "--max-batch";
    f[n++] = "100";
    f[n++] = "--idle-timeout-s";
    f[n++] = "2";
    f[n++] = "--poll-ms";
    f[n++] = "50";
    f[n] = NULL;
    return f;
}

static int setup(void **state)
{
    it_daemon *d = calloc(1, sizeof *d);
    it_start(d, flags());
    *state = d;
    return 0;
}

static int teardown(void **state)
{
    it_daemon *d = *state;
    it_cleanup(d);
    free(d);
    return 0;
}

/* --- raw transactions --- */

static plasma_sig a_signature(void)
{
    plasma_privkey k;
    plasma_hash h;
    plasma_sig s;
    assert_int_equal(plasma_privkey_generate(&k), 0);
    plasma_keccak256(&h, "x", 1);
    assert_int_equal(plasma_sign(&s, &h, &k), 0);
    return s;
}

typedef struct raw_spec {
    int n_sigs;
    int n_in;
    uint64_t inputs[6];
    int n_out;
    uint64_t amounts[6];
} raw_spec;

/* Encodes a SignedTx with whatever counts the spec says, bypassing the
 * codec's limits, so that the operator's checks can be exercised. */
static uint8_t *raw_tx(const raw_spec *s, size_t *len)
{
    plasma_buf b = {0};
    plasma_sig sig = a_signature();
    uint8_t owner[20], token[20] = {0}, meta[32] = {0};
    memset(owner, 0x11, sizeof owner);
    size_t top = plasma_rlp_list_begin(&b);
    size_t m = plasma_rlp_list_begin(&b);
    for (int i = 0; i < s->n_sigs; i++)
        plasma_rlp_put_bytes(&b, sig.b, sizeof sig.b);
    plasma_rlp_list_end(&b, m);
    plasma_rlp_put_u64(&b, 1);
    m = plasma_rlp_list_begin(&b);
    for (int i = 0; i < s->n_in; i++)
        plasma_rlp_put_u64(&b, s->inputs[i]);
    plasma_rlp_list_end(&b, m);
    m = plasma_rlp_list_begin(&b);
    for (int o = 0; o < s->n_out; o++) {
        size_t mo = plasma_rlp_list_begin(&b);
        plasma_rlp_put_u64(&b, 1);
        plasma_rlp_put_bytes(&b, owner, 20);
        plasma_rlp_put_bytes(&b, token, 20);
        plasma_rlp_put_u64(&b, s->amounts[o]);
        plasma_rlp_list_end(&b, mo);
    }
    plasma_rlp_list_end(&b, m);
    plasma_rlp_put_bytes(&b, meta, 32);
    plasma_rlp_list_end(&b, top);
    assert_false(b.failed);
    *len = b.len;
    return b.data;
}

static it_resp submit_raw(const it_daemon *d, const raw_spec *s)
{
    size_t len;
    uint8_t *rlp = raw_tx(s, &len);
    char *body = it_tx_body(rlp, len);
    it_resp r = it_post(d, "/v1/transactions", body);
    free(body);
    free(rlp);
    return r;
}

#define POS(b, t, o) ((uint64_t)(b)*1000000000ull + (uint64_t)(t)*10000ull + (o))

static void expect_raw(const it_daemon *d, raw_spec s, long status, const char *code)
{
    it_resp r = submit_raw(d, &s);
    it_assert_error(r, status, code);
    it_resp_free(&r);
}

/* --- tests --- */

static void test_status(void **state)
{
    it_daemon *d = *state;
    it_resp r = it_get(d, "/v1/status");
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "chain_id")), 31337);
    assert_string_equal(json_string_value(json_object_get(r.json, "verifying_contract")),
                        PLASMA_DEV_VERIFYING_CONTRACT);
    assert_int_equal(json_integer_value(json_object_get(r.json, "child_block_interval")), 1000);
    assert_int_equal(json_integer_value(json_object_get(r.json, "pending_txs")), 0);
    json_t *lb = json_object_get(r.json, "latest_block");
    assert_int_equal(json_integer_value(json_object_get(lb, "blknum")), 0);
    plasma_privkey k;
    plasma_addr a;
    char want[43];
    assert_int_equal(plasma_hex_decode_fixed(k.b, 32, op_key_hex), 0);
    assert_int_equal(plasma_privkey_addr(&a, &k), 0);
    assert_string_equal(json_string_value(json_object_get(r.json, "operator")), plasma_addr_format(want, &a));
    it_resp_free(&r);
}

static void test_stateless_error_codes(void **state)
{
    it_daemon *d = *state;
    expect_raw(
        d, (raw_spec){5, 5, {POS(1, 0, 0), POS(2, 0, 0), POS(3, 0, 0), POS(4, 0, 0), POS(5, 0, 0)}, 1, {1}},
        400, "too_many_inputs");
    expect_raw(d, (raw_spec){1, 1, {POS(1, 0, 0)}, 5, {1, 1, 1, 1, 1}}, 400, "too_many_outputs");
    expect_raw(d, (raw_spec){2, 2, {POS(1, 0, 0), POS(1, 0, 0)}, 1, {1}}, 400, "duplicate_inputs");
    expect_raw(d, (raw_spec){1, 1, {POS(1, 0, 0)}, 1, {0}}, 400, "amount_zero");
    expect_raw(d, (raw_spec){1, 2, {POS(1, 0, 0), POS(2, 0, 0)}, 1, {1}}, 400, "missing_signature");
    expect_raw(d, (raw_spec){2, 1, {POS(1, 0, 0)}, 1, {1}}, 400, "superfluous_signature");
    /* A well-formed signature over another message: valid on the curve, so
     * recovery gives some key that does not own the (missing) input; the
     * input check comes first. */
    expect_raw(d, (raw_spec){1, 1, {POS(1, 0, 0)}, 1, {1}}, 404, "utxo_not_found");

    /* v = 29 is not a valid recovery id: bad_signature. */
    size_t len;
    uint8_t *rlp = raw_tx(&(raw_spec){1, 1, {POS(1, 0, 0)}, 1, {1}}, &len);
    uint8_t *v = memchr(rlp, 0xb8, len); /* the 65-byte string header 0xb8 0x41 */
    assert_non_null(v);
    v[2 + 64] = 29;
    char *body = it_tx_body(rlp, len);
    it_resp r = it_post(d, "/v1/transactions", body);
    it_assert_error(r, 400, "bad_signature");
    it_resp_free(&r);
    free(body);
    free(rlp);

    r = it_post(d, "/v1/transactions", "{\"tx\":\"0xc3010203\"}");
    it_assert_error(r, 400, "malformed_tx");
    it_resp_free(&r);
    r = it_post(d, "/v1/transactions", "{\"tx\":\"0xzz\"}");
    it_assert_error(r, 400, "malformed_tx");
    it_resp_free(&r);
    r = it_post(d, "/v1/transactions", "{\"tx\":17}");
    it_assert_error(r, 400, "malformed_tx");
    it_resp_free(&r);
}

static void test_not_found(void **state)
{
    it_daemon *d = *state;
    it_resp r = it_get(d, "/v1/transactions/0x"
                          "1111111111111111111111111111111111111111111111111111111111111111");
    it_assert_error(r, 404, "not_found");
    it_resp_free(&r);
    r = it_get(d, "/v1/blocks/1000");
    it_assert_error(r, 404, "not_found");
    it_resp_free(&r);
    r = it_get(d, "/v1/utxos/1000000000/exit-data");
    it_assert_error(r, 404, "not_found");
    it_resp_free(&r);
    r = it_get(d, "/v1/utxos/1000000000");
    it_assert_error(r, 404, "utxo_not_found");
    it_resp_free(&r);
    r = it_get(d, "/v1/no/such/thing");
    it_assert_error(r, 404, "not_found");
    it_resp_free(&r);
    r = it_get(d, "/v1/utxos?owner=0x1111111111111111111111111111111111111111");
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "utxos")), 0);
    it_resp_free(&r);
}

static void test_request_errors(void **state)
{
    it_daemon *d = *state;
    it_resp r;
    const char *bad_json = "{\"tx\": \"0x00\"";
    assert_true(it_request(d->port, "POST", "/v1/transactions", bad_json, strlen(bad_json),
                           "application/json", NULL, &r));
    it_assert_error(r, 400, "bad_request");
    it_resp_free(&r);
    const char *ok_json = "{\"tx\":\"0xc0\"}";
    assert_true(
        it_request(d->port, "POST", "/v1/transactions", ok_json, strlen(ok_json), "text/plain", NULL, &r));
    it_assert_error(r, 400, "bad_request");
    assert_non_null(strstr(r.body, "Content-Type"));
    it_resp_free(&r);
    r = it_post(d, "/v1/transactions", "[1,2]");
    it_assert_error(r, 400, "bad_request");
    it_resp_free(&r);
    r = it_post(d, "/v1/transactions", "{}");
    it_assert_error(r, 400, "bad_request");
    it_resp_free(&r);
    r = it_post(d, "/v1/transactions/batch", "{\"txs\": 5}");
    it_assert_error(r, 400, "bad_request");
    it_resp_free(&r);
    r = it_get(d, "/v1/transactions/0x12");
    it_assert_error(r, 400, "bad_request");
    it_resp_free(&r);
    r = it_get(d, "/v1/blocks/abc");
    it_assert_error(r, 400, "bad_request");
    it_resp_free(&r);
    r = it_get(d, "/v1/utxos?owner=nope");
    it_assert_error(r, 400, "bad_request");
    it_resp_free(&r);
    r = it_get(d, "/v1/utxos/99999999999999999999999");
    it_assert_error(r, 400, "bad_request");
    it_resp_free(&r);
    r = it_get(d, "/v1/transactions");
    it_assert_error(r, 405, "method_not_allowed");
    it_resp_free(&r);

    /* A batch keeps request order, errors in place. */
    r = it_post(d, "/v1/transactions/batch", "{\"txs\": [\"0xc0\", 7, \"0xzz\"]}");
    assert_int_equal(r.status, 200);
    json_t *res = json_object_get(r.json, "results");
    assert_int_equal(json_array_size(res), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *code = json_object_get(json_object_get(json_array_get(res, i), "error"), "code");
        assert_string_equal(json_string_value(code), "malformed_tx");
    }
    it_resp_free(&r);

    /* Past --max-batch. */
    char *big = malloc(200 * 8 + 32);
    char *p = big + sprintf(big, "{\"txs\":[");
    for (int i = 0; i < 101; i++)
        p += sprintf(p, "%s\"0xc0\"", i ? "," : "");
    sprintf(p, "]}");
    r = it_post(d, "/v1/transactions/batch", big);
    it_assert_error(r, 400, "bad_request");
    it_resp_free(&r);
    free(big);
}

/* The batch body is read by a fast scanner when it has the plain shape and
 * by the JSON parser otherwise: every spelling of the same request gets the
 * same answer, and every broken one a 400. */
static void test_batch_spellings(void **state)
{
    it_daemon *d = *state;
    size_t len;
    uint8_t *rlp = raw_tx(&(raw_spec){1, 1, {POS(1, 0, 0)}, 1, {1}}, &len);
    char *hex = malloc(2 * len + 3);
    plasma_hex_encode(hex, rlp, len);
    /* A stateful failure (utxo_not_found), a stateless one and a non-string. */
    const char *forms[] = {
        "{\"txs\":[\"%s\",\"0xc0\",7]}", " {\n\t\"txs\" :\r\n [ \"%s\" ,\n\"0xc0\" , 7 ] } \n",
        "{\"txs\":[\"\\u0030x%s\",\"0xc0\",7]}", /* an escape: "\u0030x…" is "0x…" */
    };
    char *body = malloc(strlen(hex) + 128);
    char *first = NULL;
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        sprintf(body, forms[f], f == 2 ? hex + 2 : hex);
        it_resp r = it_post(d, "/v1/transactions/batch", body);
        assert_int_equal(r.status, 200);
        json_t *res = json_object_get(r.json, "results");
        assert_int_equal(json_array_size(res), 3);
        const char *codes[] = {"utxo_not_found", "malformed_tx", "malformed_tx"};
        for (size_t i = 0; i < 3; i++) {
            json_t *code = json_object_get(json_object_get(json_array_get(res, i), "error"), "code");
            assert_string_equal(json_string_value(code), codes[i]);
        }
        if (!first)
            first = strdup(r.body);
        else
            assert_string_equal(r.body, first);
        it_resp_free(&r);
    }
    /* Empty list: an empty result list. */
    it_resp r = it_post(d, "/v1/transactions/batch", " { \"txs\" : [ ] } ");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"results\":[]}\n");
    it_resp_free(&r);
    const char *broken[] = {
        "{\"txs\":[\"0xc0\"]} x",          /* trailing garbage */
        "{\"txs\":[\"0xc0\"],\"txs\":[]}", /* duplicate member */
        "{\"txs\":[\"0xc0\",]}",           /* trailing comma */
        "{\"txs\":[\"0xc0\"",              /* truncated */
        "{\"txs\":[\"0x\x01\"]}",          /* a control character in a string */
        "{\"txs\":[\"0xc0\"]",             /* unclosed object */
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        r = it_post(d, "/v1/transactions/batch", broken[i]);
        it_assert_error(r, 400, "bad_request");
        it_resp_free(&r);
    }
    free(first);
    free(body);
    free(hex);
    free(rlp);
}

static void test_payload_too_large(void **state)
{
    it_daemon *d = *state;
    size_t n = 200 * 1024;
    char *body = malloc(n + 1);
    memset(body, ' ', n);
    body[n] = '\0';
    body[0] = '{';
    body[n - 1] = '}';
    it_resp r;
    assert_true(it_request(d->port, "POST", "/v1/transactions/batch", body, n, "application/json", NULL, &r));
    it_assert_error(r, 413, "payload_too_large");
    it_resp_free(&r);
    free(body);
    /* The daemon goes on serving. */
    r = it_get(d, "/v1/status");
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
}

/* A client that sends half a request and stalls neither blocks others nor
 * keeps its connection past the idle timeout. */
static void test_slow_client(void **state)
{
    it_daemon *d = *state;
    int slow = it_connect(d->port);
    assert_true(slow >= 0);
    const char *part = "POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"tx\":";
    assert_true(it_send_all(slow, part, strlen(part)));
    double t0 = it_now();
    for (int i = 0; i < 5; i++) {
        it_resp r = it_get(d, "/v1/status");
        assert_int_equal(r.status, 200);
        it_resp_free(&r);
    }
    assert_true(it_now() - t0 < 1.5);
    /* Past the 2 s idle timeout the server closes the connection without
     * an answer: recv sees the end of the stream (or a reset). */
    char buf[256];
    ssize_t got = recv(slow, buf, sizeof buf, 0);
    double waited = it_now() - t0;
    assert_true(got <= 0);
    assert_true(waited > 1.0 && waited < 10);
    close(slow);
}

/* With --max-conns 3, three idle connections fill the server: a fourth is
 * closed at once, unanswered; once they go, requests are served again. */
/* Reads one response with a Content-Length from a connection that stays
 * open. Returns false on a short read or a status other than 200. */
static bool read_keepalive_response(int fd)
{
    char buf[8192];
    size_t len = 0;
    for (;;) {
        ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0)
            return false;
        len += (size_t)n;
        buf[len] = '\0';
        const char *end = strstr(buf, "\r\n\r\n");
        const char *cl = strcasestr(buf, "Content-Length:");
        if (end && cl && len >= (size_t)(end + 4 - buf) + strtoul(cl + 15, NULL, 10))
            return strncmp(buf, "HTTP/1.1 200", 12) == 0;
        if (len >= sizeof buf - 1)
            return false;
    }
}

static void test_connection_limit(void **state)
{
    (void)state;
    /* The idle connections must outlive the test however slow the machine:
     * the shared flags' 2 s idle timeout is replaced by a long one, and so
     * is the header timeout, which a kept-alive connection waiting for its
     * next request is under (10 s by default: a run that slow would free a
     * slot, and the request over the limit would be served). */
    const char *const *base = flags();
    const char *f[40];
    int n = 0;
    for (int i = 0; base[i]; i++) {
        if (strcmp(base[i], "--idle-timeout-s") == 0) {
            i++;
            continue;
        }
        f[n++] = base[i];
    }
    f[n++] = "--idle-timeout-s";
    f[n++] = "60";
    f[n++] = "--header-timeout-s";
    f[n++] = "60";
    f[n++] = "--max-conns";
    f[n++] = "3";
    f[n] = NULL;
    it_daemon d;
    it_start(&d, f);
    int idle[3];
    for (int i = 0; i < 3; i++) {
        /* One request answered on a connection kept alive: the server has
         * accepted it and holds it open, however slowly it got there. A
         * connection closed unanswered found the server still full with
         * the start-up probe's, whose slot is freed only once the server
         * has seen it go: it is tried again. */
        static const char req[] = "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        for (double deadline = it_now() + 30;;) {
            idle[i] = it_connect(d.port);
            assert_true(idle[i] >= 0);
            if (it_send_all(idle[i], req, sizeof req - 1) && read_keepalive_response(idle[i]))
                break;
            close(idle[i]);
            if (it_now() > deadline)
                fail_msg("idle connection %d was never served", i);
            it_sleep_ms(50);
        }
    }
    it_resp r;
    assert_false(it_request(d.port, "GET", "/v1/status", NULL, 0, NULL, NULL, &r));
    for (int i = 0; i < 3; i++)
        close(idle[i]);
    /* The server frees the slots once it has seen the closes. */
    bool served = false;
    for (double deadline = it_now() + 30; !served && it_now() < deadline;) {
        it_sleep_ms(50);
        if (it_request(d.port, "GET", "/v1/status", NULL, 0, NULL, NULL, &r)) {
            served = r.status == 200;
            it_resp_free(&r);
        }
    }
    assert_true(served);
    it_cleanup(&d);
}

static void test_admin(void **state)
{
    it_daemon *d = *state;
    it_resp r = it_post(d, "/admin/seal", "{}");
    it_assert_error(r, 401, "unauthorized");
    it_resp_free(&r);
    assert_true(it_request(d->port, "POST", "/admin/seal", "{}", 2, "application/json",
                           "X-Admin-Token: wrong\r\n", &r));
    it_assert_error(r, 401, "unauthorized");
    it_resp_free(&r);
    assert_true(it_request(d->port, "POST", "/admin/seal", "{}", 2, "application/json",
                           "X-Admin-Token: s3cret\r\n", &r));
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "sealed_blknum")), 0);
    it_resp_free(&r);
    /* The development switches exist only with --dev. */
    static const char *const dev_paths[] = {"/admin/dev/withhold", "/admin/dev/steal"};
    for (size_t i = 0; i < 2; i++) {
        assert_true(it_request(d->port, "POST", dev_paths[i], "{}", 2, "application/json",
                               "X-Admin-Token: s3cret\r\n", &r));
        it_assert_error(r, 403, "forbidden");
        it_resp_free(&r);
    }
    assert_true(it_request(d->port, "POST", "/admin/shutdown", "{}", 2, "application/json",
                           "X-Admin-Token: s3cret\r\n", &r));
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    int status = it_wait_exit(d, 20);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* And it comes back on the same data. */
    it_restart(d);
}

static void test_metrics_openapi_health(void **state)
{
    it_daemon *d = *state;
    expect_raw(d, (raw_spec){1, 1, {POS(1, 0, 0)}, 1, {0}}, 400, "amount_zero");
    it_resp r = it_get(d, "/metrics");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "plasma_operator_txs_rejected_total{code=\"amount_zero\"} 1"));
    assert_non_null(strstr(r.body, "plasma_operator_pending_txs 0"));
    assert_non_null(strstr(r.body, "plasma_operator_block_seal_seconds_last"));
    assert_non_null(strstr(r.body, "plasma_operator_rootchain_lag_blocks"));
    it_resp_free(&r);
    r = it_get(d, "/openapi.json");
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "openapi")), "3.0.3");
    assert_non_null(json_object_get(json_object_get(r.json, "paths"), "/v1/utxos/{utxo_pos}/exit-data"));
    it_resp_free(&r);
    r = it_get(d, "/health");
    assert_int_equal(r.status, 200);
    assert_false(json_is_true(json_object_get(r.json, "rootchain_reachable")));
    it_resp_free(&r);
}

static void test_bad_config_is_a_clear_error(void **state)
{
    (void)state;
    char dir[] = "/tmp/plasma-itest-cfg-XXXXXX", log[64], never[64], port_file[64];
    assert_non_null(mkdtemp(dir));
    snprintf(log, sizeof log, "%s/stderr", dir);
    snprintf(never, sizeof never, "%s/never", dir);
    snprintf(port_file, sizeof port_file, "%s/no-such-dir/port", dir);
    int fd = open(log, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, 2);
        execl(PLASMA_OPERATOR_BIN, PLASMA_OPERATOR_BIN, "--port", "70000", (char *)NULL);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    char buf[512] = {0};
    assert_true(pread(fd, buf, sizeof buf - 1, 0) > 0);
    assert_non_null(strstr(buf, "--port"));
    close(fd);
    unlink(log);
    /* A development key outside --dev is refused. */
    pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        execl(PLASMA_OPERATOR_BIN, PLASMA_OPERATOR_BIN, "--rootchain", "sim", "--rpc", "http://127.0.0.1:9",
              "--operator-key", "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
              "--data-dir", never, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 2);
    /* A bond of the embedded chain that is not an amount, and nothing is
     * left of the data directory's ledger. */
    fd = open(log, O_RDWR | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    pid = fork();
    if (pid == 0) {
        dup2(fd, 2);
        execl(PLASMA_OPERATOR_BIN, PLASMA_OPERATOR_BIN, "--dev", "--port", "9", "--data-dir", never,
              "--piggyback-bond", "0.028", (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 2);
    memset(buf, 0, sizeof buf);
    assert_true(pread(fd, buf, sizeof buf - 1, 0) > 0);
    assert_non_null(strstr(buf, "--piggyback-bond"));
    struct stat st;
    assert_int_not_equal(stat(never, &st), 0);
    /* A port file it cannot write: nobody would learn the port. */
    assert_int_equal(ftruncate(fd, 0), 0);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    pid = fork();
    if (pid == 0) {
        dup2(fd, 2);
        execl(PLASMA_OPERATOR_BIN, PLASMA_OPERATOR_BIN, "--dev", "--port", "0", "--port-file", port_file,
              "--data-dir", never, (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &status, 0);
    assert_int_equal(WEXITSTATUS(status), 2);
    memset(buf, 0, sizeof buf);
    assert_true(pread(fd, buf, sizeof buf - 1, 0) > 0);
    assert_non_null(strstr(buf, "--port-file: cannot write"));
    close(fd);
    tu_rmtree(dir);
}

int main(void)
{
    plasma_privkey k;
    if (plasma_privkey_generate(&k) != 0)
        return 1;
    plasma_hex_encode(op_key_hex, k.b, sizeof k.b);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stateless_error_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_spellings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_payload_too_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_client, setup, teardown),
        cmocka_unit_test(test_connection_limit),
        cmocka_unit_test_setup_teardown(test_admin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics_openapi_health, setup, teardown),
        cmocka_unit_test(test_bad_config_is_a_clear_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
