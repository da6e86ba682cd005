/* libcurl JSON client. See plasma/http.h. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/http.h"

struct plasma_http_client {
    CURL *curl;
    char *base;
    long timeout_ms;
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

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    plasma_buf *buf = userdata;
    size_t n = size * nmemb;
    return plasma_buf_append(buf, (const uint8_t *)ptr, n) == 0 ? n : 0;
}

/* Sets up a request on c's handle: URL, timeout, the reply into *in. */
static int prepare(plasma_http_client *c, const char *method, const char *path, plasma_buf *in, char **url)
{
    size_t url_len = strlen(c->base) + strlen(path) + 1;
    if (!(*url = malloc(url_len)))
        return PLASMA_ERR_NOMEM;
    snprintf(*url, url_len, "%s%s", c->base, path);
    curl_easy_reset(c->curl);
    curl_easy_setopt(c->curl, CURLOPT_URL, *url);
    curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, in);
    curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
    return PLASMA_OK;
}

int plasma_http_request(plasma_http_client *c, const char *method, const char *path, const json_t *body,
                        long *status, json_t **reply)
{
    int rc = PLASMA_ERR_UNAVAILABLE;
    char *url = NULL, *text = NULL;
    plasma_buf in = {0};
    struct curl_slist *headers = NULL;

    if (prepare(c, method, path, &in, &url) != 0) {
        rc = PLASMA_ERR_NOMEM;
        goto cleanup;
    }
    if (body) {
        text = json_dumps(body, JSON_COMPACT);
        if (!text) {
            rc = PLASMA_ERR_NOMEM;
            goto cleanup;
        }
        headers = curl_slist_append(headers, "Content-Type: application/json");
        curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, text);
        curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(text));
    }
    if (curl_easy_perform(c->curl) != CURLE_OK)
        goto cleanup;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
    if (in.failed) {
        rc = PLASMA_ERR_NOMEM;
        goto cleanup;
    }
    json_t *parsed = json_loadb((const char *)in.data, in.len, 0, NULL);
    if (!parsed) {
        rc = PLASMA_ERR_BAD_REQUEST;
        goto cleanup;
    }
    *reply = parsed;
    rc = PLASMA_OK;
cleanup:
    curl_slist_free_all(headers);
    free(text);
    free(url);
    plasma_buf_free(&in);
    return rc;
}

/* Stops a transfer once the reply passes its limit. */
typedef struct bounded_buf {
    plasma_buf buf;
    size_t max;
} bounded_buf;

static size_t on_data_bounded(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    bounded_buf *b = userdata;
    size_t n = size * nmemb;
    if (b->buf.len + n > b->max)
        return 0;
    return plasma_buf_append(&b->buf, (const uint8_t *)ptr, n) == 0 ? n : 0;
}

int plasma_http_get_bytes(plasma_http_client *c, const char *path, const char *accept, size_t max_len,
                          long *status, plasma_buf *body, char *ctype, size_t ctype_len)
{
    bounded_buf in = {.max = max_len};
    char *url = NULL, header[256];
    struct curl_slist *headers = NULL;
    const char *got = NULL;
    int rc = prepare(c, "GET", path, &in.buf, &url);
    if (rc)
        goto cleanup;
    curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data_bounded);
    curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &in);
    snprintf(header, sizeof header, "Accept: %s", accept);
    if (!(headers = curl_slist_append(NULL, header))) {
        rc = PLASMA_ERR_NOMEM;
        goto cleanup;
    }
    curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
    CURLcode cc = curl_easy_perform(c->curl);
    if (cc != CURLE_OK) {
        rc = in.buf.failed             ? PLASMA_ERR_NOMEM
             : cc == CURLE_WRITE_ERROR ? PLASMA_ERR_PAYLOAD_TOO_LARGE
                                       : PLASMA_ERR_UNAVAILABLE;
        goto cleanup;
    }
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
    curl_easy_getinfo(c->curl, CURLINFO_CONTENT_TYPE, &got);
    snprintf(ctype, ctype_len, "%s", got ? got : "");
    *body = in.buf;
    in.buf = (plasma_buf){0};
cleanup:
    curl_slist_free_all(headers);
    free(url);
    plasma_buf_free(&in.buf);
    return rc;
}

int plasma_err_from_code(const char *code)
{
    for (int e = -1; e >= -100; e--) {
        const char *name = plasma_err_code(e);
        if (strcmp(name, code) == 0 && strcmp(name, "internal") != 0)
            return e;
    }
    return PLASMA_ERR_INTERNAL;
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
