/* Helpers of the fuzz targets that feed request bodies to an API's route
 * handlers in-process (no connection: headers come with the request). */
#ifndef PLASMA_FUZZ_HTTP_H
#define PLASMA_FUZZ_HTTP_H

#include <string.h>

#include "fuzz.h"
#include "plasma/http.h"

/* Splits an input into a route index (first byte), a path parameter (up to
 * the first NUL of the rest, 100 bytes at most) and the body (the rest). */
typedef struct fuzz_req {
    unsigned route;
    char param[101];
    const uint8_t *body;
    size_t body_len;
} fuzz_req;

static inline bool fuzz_req_split(fuzz_req *r, const uint8_t *data, size_t size)
{
    if (size < 1)
        return false;
    r->route = data[0];
    data++;
    size--;
    size_t n = 0;
    while (n < size && n < 100 && data[n])
        n++;
    memcpy(r->param, data, n);
    r->param[n] = '\0';
    if (n < size && data[n] == 0)
        n++;
    r->body = data + n;
    r->body_len = size - n;
    return true;
}

/* Runs route with the request and checks the answer: a status of 200 to
 * 599, and an error status carries {"error": {"code", "message"}}. */
static inline void fuzz_call_route(const plasma_http_route *route, void *ctx, const fuzz_req *r,
                                   const char *const *headers)
{
    char path[160];
    snprintf(path, sizeof path, "%s", route->pattern);
    plasma_http_req req = {
        .method = route->method, .path = path, .body = r->body, .body_len = r->body_len, .headers = headers};
    const char *pp = strstr(route->pattern, "{}");
    if (pp) {
        req.params[0] = r->param;
        req.n_params = 1;
    }
    plasma_http_resp resp = {0};
    route->fn(ctx, &req, &resp);
    int status = resp.status ? resp.status : 200;
    FUZZ_CHECK(status >= 200 && status < 600);
    if (status >= 400 && resp.body) {
        const json_t *e = json_object_get(resp.body, "error");
        FUZZ_CHECK(json_is_string(json_object_get(e, "code")) &&
                   json_is_string(json_object_get(e, "message")));
    }
    json_decref(resp.body);
    free(resp.raw);
}

#endif
