/* The HTTP layer: routing, mounts, captures, size limits and error objects,
 * exercised over loopback through the project's own client. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/http.h"
#include "testutil.h"

static void h_echo(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    json_t *body = plasma_http_body_json(req, resp);
    if (!body)
        return;
    json_object_set_new(body, "mount", json_string(ctx));
    plasma_http_reply(resp, 200, body);
}

static void h_item(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    const char *q = plasma_http_query(req, "q");
    plasma_http_reply(resp, 200,
                      json_pack("{s:s,s:s,s:s,s:i}", "mount", (const char *)ctx, "id", req->params[0], "q",
                                q ? q : "", "n", (int)req->n_params));
}

static void h_fail(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    (void)ctx;
    (void)req;
    plasma_http_error(resp, PLASMA_ERR_UTXO_SPENT, NULL);
}

/* Bytes or JSON, as the Accept header asks. */
static void h_bytes(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    static const char *const types[] = {"application/json", "application/octet-stream"};
    (void)ctx;
    int form = plasma_http_negotiate(req, types, 2);
    if (form < 0) {
        plasma_http_error(resp, form, "bad Accept");
        return;
    }
    if (form == 0) {
        plasma_http_reply(resp, 200, json_pack("{s:s}", "form", "json"));
        return;
    }
    resp->raw = malloc(300);
    for (int i = 0; i < 300; i++)
        resp->raw[i] = (char)i;
    resp->raw_len = 300;
    resp->content_type = types[1];
}

static const plasma_http_route ROUTES[] = {
    {"POST", "/echo", h_echo},
    {"GET", "/items/{}", h_item},
    {"GET", "/fail", h_fail},
    {"GET", "/bytes", h_bytes},
};

typedef struct fixture {
    plasma_http_server *srv;
    plasma_http_client *cli;
} fixture;

static int setup(void **state)
{
    static fixture f;
    plasma_http_mount mounts[] = {
        {"/sub", ROUTES, 4, "sub"},
        {"", ROUTES, 4, "root"},
    };
    plasma_http_config cfg = {.port = 0, .max_body = 1024};
    assert_int_equal(plasma_http_server_start(&f.srv, &cfg, mounts, 2), 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", plasma_http_server_port(f.srv));
    assert_int_equal(plasma_http_client_new(&f.cli, url, 5000), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    plasma_http_client_free(f->cli);
    plasma_http_server_free(f->srv);
    return 0;
}

static void test_echo_and_mounts(void **state)
{
    fixture *f = *state;
    json_t *body = json_pack("{s:i}", "x", 7), *reply = NULL;
    assert_int_equal(plasma_http_call(f->cli, "POST", "/echo", body, &reply, NULL, 0), 0);
    assert_int_equal(json_integer_value(json_object_get(reply, "x")), 7);
    assert_string_equal(json_string_value(json_object_get(reply, "mount")), "root");
    json_decref(reply);
    assert_int_equal(plasma_http_call(f->cli, "POST", "/sub/echo", body, &reply, NULL, 0), 0);
    assert_string_equal(json_string_value(json_object_get(reply, "mount")), "sub");
    json_decref(reply);
    json_decref(body);
}

static void test_capture_and_query(void **state)
{
    fixture *f = *state;
    json_t *reply = NULL;
    assert_int_equal(plasma_http_call(f->cli, "GET", "/sub/items/abc?q=hello", NULL, &reply, NULL, 0), 0);
    assert_string_equal(json_string_value(json_object_get(reply, "id")), "abc");
    assert_string_equal(json_string_value(json_object_get(reply, "q")), "hello");
    assert_int_equal(json_integer_value(json_object_get(reply, "n")), 1);
    json_decref(reply);
}

static void test_errors(void **state)
{
    fixture *f = *state;
    json_t *reply = NULL;
    char msg[128];
    long status = 0;

    assert_int_equal(plasma_http_call(f->cli, "GET", "/fail", NULL, &reply, msg, sizeof msg),
                     PLASMA_ERR_UTXO_SPENT);
    assert_int_equal(plasma_http_call(f->cli, "GET", "/nowhere", NULL, &reply, msg, sizeof msg),
                     PLASMA_ERR_NOT_FOUND);
    assert_int_equal(plasma_http_call(f->cli, "GET", "/items/", NULL, &reply, msg, sizeof msg),
                     PLASMA_ERR_NOT_FOUND);

    assert_int_equal(plasma_http_request(f->cli, "GET", "/echo", NULL, &status, &reply), 0);
    assert_int_equal(status, 405);
    json_decref(reply);
    assert_int_equal(plasma_http_call(f->cli, "GET", "/echo", NULL, &reply, msg, sizeof msg),
                     PLASMA_ERR_METHOD_NOT_ALLOWED);

    char big[2048];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    json_t *body = json_pack("{s:s}", "pad", big);
    assert_int_equal(plasma_http_call(f->cli, "POST", "/echo", body, &reply, msg, sizeof msg),
                     PLASMA_ERR_PAYLOAD_TOO_LARGE);
    json_decref(body);
}

static void test_malformed_json(void **state)
{
    fixture *f = *state;
    json_t *reply = NULL;
    long status = 0;
    /* An array is valid JSON but not an object. */
    json_t *arr = json_array();
    assert_int_equal(plasma_http_request(f->cli, "POST", "/echo", arr, &status, &reply), 0);
    assert_int_equal(status, 400);
    assert_string_equal(json_string_value(json_object_get(json_object_get(reply, "error"), "code")),
                        "bad_request");
    json_decref(reply);
    json_decref(arr);
}

static void test_unreachable(void **state)
{
    (void)state;
    plasma_http_client *c = NULL;
    json_t *reply = NULL;
    assert_int_equal(plasma_http_client_new(&c, "http://127.0.0.1:1", 2000), 0);
    assert_int_equal(plasma_http_call(c, "GET", "/x", NULL, &reply, NULL, 0), PLASMA_ERR_UNAVAILABLE);
    plasma_http_client_free(c);
}

/* Content negotiation: the q of the most specific range, the first type
 * on a tie or when nothing is acceptable, malformed headers refused. */
static void test_accept(void **state)
{
    (void)state;
    static const char *const t[] = {"application/json", "application/octet-stream"};
    static const struct {
        const char *accept;
        int want;
    } cases[] = {
        {NULL, 0},
        {"", 0},
        {" , ,", 0},
        {"*/*", 0},
        {"application/*", 0},
        {"application/json", 0},
        {"text/html", 0},
        {"application/octet-stream", 1},
        {"Application/Octet-Stream", 1},
        {"application/octet-stream;q=0", 0},
        {"application/json;q=0.5, application/octet-stream", 1},
        {"application/octet-stream;q=0.4, application/json;q=0.5", 0},
        {"application/octet-stream, application/json;q=0.5", 1},
        {"application/octet-stream; charset=\"x;y\" ;q=0.7 , */*;q=0.1", 1},
        {"*/*;q=0.9, application/json;q=0.1", 1},
        {"application/*;q=0, application/octet-stream;q=0.001", 1},
        {"application/octet-stream;q=1.000", 1},
        {"application/octet-stream;q=2", PLASMA_ERR_BAD_REQUEST},
        {"application/octet-stream;q=1.001", PLASMA_ERR_BAD_REQUEST},
        {"application/octet-stream;q=0.0001", PLASMA_ERR_BAD_REQUEST},
        {"application/octet-stream;q=", PLASMA_ERR_BAD_REQUEST},
        {"application/octet-stream;q=\"1\"", PLASMA_ERR_BAD_REQUEST},
        {"application/json;q=abc", PLASMA_ERR_BAD_REQUEST},
        {"application", PLASMA_ERR_BAD_REQUEST},
        {"application/", PLASMA_ERR_BAD_REQUEST},
        {"*/json", PLASMA_ERR_BAD_REQUEST},
        {"application/json extra", PLASMA_ERR_BAD_REQUEST},
        {"application/json;charset", PLASMA_ERR_BAD_REQUEST},
        {"application/json;charset=\"open", PLASMA_ERR_BAD_REQUEST},
        {"application/(json)", PLASMA_ERR_BAD_REQUEST},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = plasma_http_negotiate_accept(cases[i].accept, t, 2);
        if (got != cases[i].want)
            fail_msg("Accept \"%s\": got %d, want %d", cases[i].accept ? cases[i].accept : "(none)", got,
                     cases[i].want);
    }
}

/* plasma_http_get_bytes: the bytes, their type, the Accept header sent,
 * and a reply past the limit cut. */
static void test_get_bytes(void **state)
{
    fixture *f = *state;
    plasma_buf body = {0};
    char ctype[64];
    long status = 0;
    assert_int_equal(
        plasma_http_get_bytes(f->cli, "/bytes", "application/octet-stream", 1000, &status, &body, ctype, 64),
        0);
    assert_int_equal(status, 200);
    assert_string_equal(ctype, "application/octet-stream");
    assert_int_equal(body.len, 300);
    for (int i = 0; i < 300; i++)
        assert_int_equal(body.data[i], (uint8_t)i);
    plasma_buf_free(&body);
    assert_int_equal(
        plasma_http_get_bytes(f->cli, "/bytes", "application/json", 1000, &status, &body, ctype, 64), 0);
    assert_string_equal(ctype, "application/json");
    assert_non_null(strstr((const char *)body.data, "\"json\""));
    plasma_buf_free(&body);
    assert_int_equal(plasma_http_get_bytes(f->cli, "/bytes", "a/b;q=7", 1000, &status, &body, ctype, 64), 0);
    assert_int_equal(status, 400);
    plasma_buf_free(&body);
    assert_int_equal(
        plasma_http_get_bytes(f->cli, "/bytes", "application/octet-stream", 299, &status, &body, ctype, 64),
        PLASMA_ERR_PAYLOAD_TOO_LARGE);
    assert_int_equal(body.len, 0);
    /* a buffer given is filled again, from its start */
    assert_int_equal(plasma_buf_append(&body, (const uint8_t *)"stale", 5), 0);
    assert_int_equal(
        plasma_http_get_bytes(f->cli, "/bytes", "application/octet-stream", 1000, &status, &body, ctype, 64),
        0);
    assert_int_equal(body.len, 300);
    assert_int_equal(body.data[0], 0);
    assert_int_equal(body.data[299], (uint8_t)299);
    plasma_buf_free(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_and_mounts), cmocka_unit_test(test_capture_and_query),
        cmocka_unit_test(test_errors),          cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_unreachable),     cmocka_unit_test(test_accept),
        cmocka_unit_test(test_get_bytes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
