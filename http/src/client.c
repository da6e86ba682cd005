/* libcurl JSON client. See plasma/http.h. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/http.h"

struct plasma_http_client {
    CURL *curl;
    char *base;
    long timeout_ms;
    long connect_timeout_ms; /* 0: bounded by timeout_ms alone */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int plasma_http_client_new(plasma_http_client **out, const char *base_url, long timeout_ms)
{
    pthread_once(&curl_once, curl_init_once);
    plasma_http_client *c = calloc(1, sizeof *c);
    if (!c)
        return PLASMA_ERR_NOMEM;
    c->curl = curl_easy_init();
    c->base = strdup(base_url);
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : 30000;
    if (!c->curl || !c->base) {
        plasma_http_client_free(c);
        return PLASMA_ERR_NOMEM;
    }
    size_t n = strlen(c->base);
    while (n > 0 && c->base[n - 1] == '/')
        c->base[--n] = '\0';
    *out = c;
    return PLASMA_OK;
}

void plasma_http_client_free(plasma_http_client *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    free(c->base);
    free(c);
}

void plasma_http_client_set_connect_timeout(plasma_http_client *c, long connect_timeout_ms)
{
    c->connect_timeout_ms = connect_timeout_ms > 0 ? connect_timeout_ms : 0;
}

/* The reply collector: bytes up to a limit, past which the transfer is cut. */
typedef struct reply_sink {
    plasma_buf *buf;
    size_t max;
    bool too_large;
} reply_sink;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    reply_sink *sink = userdata;
    size_t n = size * nmemb;
    if (sink->buf->len + n > sink->max) {
        sink->too_large = true;
        return 0;
    }
    return plasma_buf_append(sink->buf, (const uint8_t *)ptr, n) == 0 ? n : 0;
}

/* The cause alone: the caller names the endpoint as it sees fit (a URL may
 * carry an access key in its path). */
static void set_error(char *errmsg, size_t errmsg_len, const char *what)
{
    if (errmsg && errmsg_len)
        snprintf(errmsg, errmsg_len, "%s", what);
}

/* One request: body (JSON) when not NULL, an Accept header when accept is
 * not NULL; the reply's bytes appended to *reply, its Content-Type copied
 * into ctype when not NULL. Returns as plasma_http_request_bytes. */
static int perform(plasma_http_client *c, const char *method, const char *path, const uint8_t *body,
                   size_t body_len, const char *accept, long *status, plasma_buf *reply, size_t max_reply,
                   char *ctype, size_t ctype_len, char *errmsg, size_t errmsg_len)
{
    int rc = PLASMA_ERR_UNAVAILABLE;
    char *url = NULL, accept_line[256];
    struct curl_slist *headers = NULL, *h;
    reply_sink sink = {.buf = reply, .max = max_reply};

    size_t url_len = strlen(c->base) + strlen(path) + 1;
    url = malloc(url_len);
    if (!url) {
        rc = PLASMA_ERR_NOMEM;
        goto cleanup;
    }
    snprintf(url, url_len, "%s%s", c->base, path);
    curl_easy_reset(c->curl);
    curl_easy_setopt(c->curl, CURLOPT_URL, url);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    if (c->connect_timeout_ms)
        curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        if (!(h = curl_slist_append(headers, "Content-Type: application/json"))) {
            rc = PLASMA_ERR_NOMEM;
            goto cleanup;
        }
        headers = h;
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, (const char *)body);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    if (accept) {
        snprintf(accept_line, sizeof accept_line, "Accept: %s", accept);
        if (!(h = curl_slist_append(headers, accept_line))) {
            rc = PLASMA_ERR_NOMEM;
            goto cleanup;
        }
        headers = h;
    }
    if (headers)
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
    CURLcode cc = curl_easy_perform(c->curl);
    if (reply->failed) {
        rc = PLASMA_ERR_NOMEM;
        set_error(errmsg, errmsg_len, "out of memory reading the reply");
        goto cleanup;
    }
    if (sink.too_large) {
        rc = PLASMA_ERR_PAYLOAD_TOO_LARGE;
        set_error(errmsg, errmsg_len, "reply exceeds the size limit");
        goto cleanup;
    }
    if (cc != CURLE_OK) {
        set_error(errmsg, errmsg_len, curl_easy_strerror(cc));
        goto cleanup;
    }
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
    if (ctype) {
        const char *got = NULL;
        curl_easy_getinfo(c->curl, CURLINFO_CONTENT_TYPE, &got);
        snprintf(ctype, ctype_len, "%s", got ? got : "");
    }
    rc = PLASMA_OK;
cleanup:
    curl_slist_free_all(headers);
    free(url);
    return rc;
}

int plasma_http_request_bytes(plasma_http_client *c, const char *method, const char *path,
                              const uint8_t *body, size_t body_len, long *status, plasma_buf *reply,
                              size_t max_reply, char *errmsg, size_t errmsg_len)
{
    return perform(c, method, path, body, body_len, NULL, status, reply, max_reply, NULL, 0, errmsg,
                   errmsg_len);
}

int plasma_http_get_bytes(plasma_http_client *c, const char *path, const char *accept, size_t max_len,
                          long *status, plasma_buf *body, char *ctype, size_t ctype_len)
{
    body->len = 0;
    body->failed = false;
    int rc = perform(c, "GET", path, NULL, 0, accept, status, body, max_len, ctype, ctype_len, NULL, 0);
    if (rc != 0)
        body->len = 0;
    return rc;
}

int plasma_http_request(plasma_http_client *c, const char *method, const char *path, const json_t *body,
                        long *status, json_t **reply)
{
    char *text = NULL;
    plasma_buf in = {0};
    int rc = PLASMA_ERR_NOMEM;
    if (body && !(text = json_dumps(body, JSON_COMPACT)))
        goto cleanup;
    rc = plasma_http_request_bytes(c, method, path, (const uint8_t *)text, text ? strlen(text) : 0, status,
                                   &in, SIZE_MAX, NULL, 0);
    if (rc != 0)
        goto cleanup;
    json_t *parsed = json_loadb((const char *)in.data, in.len, 0, NULL);
    if (!parsed) {
        rc = PLASMA_ERR_BAD_REQUEST;
        goto cleanup;
    }
    *reply = parsed;
cleanup:
    free(text);
    plasma_buf_free(&in);
    return rc;
}

int plasma_http_call(plasma_http_client *c, const char *method, const char *path, const json_t *body,
                     json_t **reply, char *errmsg, size_t errmsg_len)
{
    long status = 0;
    json_t *r = NULL;
    int rc = plasma_http_request(c, method, path, body, &status, &r);
    if (rc != 0) {
        if (errmsg)
            snprintf(errmsg, errmsg_len, "%s %s: %s", method, path, plasma_err_message(rc));
        return rc;
    }
    if (status >= 200 && status < 300) {
        *reply = r;
        return PLASMA_OK;
    }
    json_t *err = json_object_get(r, "error");
    const char *code = json_string_value(json_object_get(err, "code"));
    const char *msg = json_string_value(json_object_get(err, "message"));
    rc = code ? plasma_err_from_code(code) : PLASMA_ERR_INTERNAL;
    if (errmsg)
        snprintf(errmsg, errmsg_len, "%s", msg ? msg : "request failed");
    json_decref(r);
    return rc;
}
