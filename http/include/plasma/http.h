/* A small JSON-over-HTTP layer shared by the daemons and the client.
 *
 * Server: libmicrohttpd, one thread per connection (handlers may block, e.g.
 * on a durable group commit), a connection limit and an idle timeout, request
 * bodies collected up to a size limit (past it: 413 payload_too_large, the
 * handler never runs). Routes are static tables of (method, pattern, handler);
 * a pattern segment "{}" captures one path segment. Several route tables can
 * be mounted under prefixes in one server (the operator serves the root
 * chain's API under /rootchain/).
 *
 * Client: libcurl, one handle per plasma_http_client, JSON in and out. */
#ifndef PLASMA_HTTP_H
#define PLASMA_HTTP_H

#include <jansson.h>

#include "plasma/err.h"
#include "plasma/types.h"

#define PLASMA_HTTP_MAX_PARAMS 4

typedef struct plasma_http_req {
    const char *method;
    const char *path;            /* full request path */
    const char *params[PLASMA_HTTP_MAX_PARAMS]; /* "{}" captures, NUL-terminated copies */
    size_t n_params;
    const uint8_t *body;
    size_t body_len;
    void *conn;                  /* the server's connection, for plasma_http_query/header */
    /* A request made in-process (conn NULL, e.g. by a fuzz target): its
     * headers as NULL-terminated name, value pairs (may be NULL); it has no
     * query parameters. */
    const char *const *headers;
} plasma_http_req;

/* A handler fills the response. body is a JSON value the server serialises
 * and releases (json_decref); status defaults to 200. */
typedef struct plasma_http_resp {
    int status;
    json_t *body;
    const char *content_type; /* default "application/json" */
    char *raw;                /* if set, sent as is (malloc'd; the server frees it) */
    size_t raw_len;
} plasma_http_resp;

typedef void (*plasma_http_handler)(void *ctx, const plasma_http_req *req, plasma_http_resp *resp);

typedef struct plasma_http_route {
    const char *method;  /* "GET", "POST" */
    const char *pattern; /* "/v1/blocks/{}" */
    plasma_http_handler fn;
} plasma_http_route;

/* A route table mounted under prefix ("" for the root, "/rootchain" ...). */
typedef struct plasma_http_mount {
    const char *prefix;
    const plasma_http_route *routes;
    size_t n_routes;
    void *ctx;
} plasma_http_mount;

#define PLASMA_HTTP_MAX_MOUNTS 4

/* Limits against abuse. A zero takes the default. A request whose
 * Content-Length exceeds max_body is answered 413 before its body is read;
 * a connection whose headers take longer than header_timeout_s in total,
 * or whose body takes longer than body_timeout_s, is closed (a client
 * trickling bytes cannot hold it); one idle for idle_timeout_s is closed;
 * an address may hold max_conns_per_ip connections and start rate_per_ip
 * requests per second (bursts of twice that), past which it gets
 * 429 rate_limited. */
typedef struct plasma_http_config {
    const char *bind;            /* IPv4 address; default "127.0.0.1" */
    uint16_t port;               /* 0 picks a free port (see plasma_http_server_port) */
    size_t max_body;             /* bytes; default 4 MiB */
    unsigned max_conns;          /* default 256 */
    unsigned idle_timeout_s;     /* default 30 */
    unsigned max_conns_per_ip;   /* default 32 */
    unsigned header_timeout_s;   /* default 10 */
    unsigned body_timeout_s;     /* default 30 */
    unsigned rate_per_ip;        /* requests per second; default 1000 */
} plasma_http_config;

typedef struct plasma_http_server plasma_http_server;

/* Starts a server for the mounts (copied; the route tables must outlive the
 * server). Returns 0, PLASMA_ERR_BAD_REQUEST (bad bind address, too many
 * mounts), PLASMA_ERR_IO (port in use) or PLASMA_ERR_NOMEM. */
int plasma_http_server_start(plasma_http_server **out, const plasma_http_config *cfg,
                             const plasma_http_mount *mounts, size_t n_mounts);
/* The port the server listens on. */
uint16_t plasma_http_server_port(const plasma_http_server *srv);
/* Stops accepting, waits for running handlers, frees. NULL-safe. */
void plasma_http_server_free(plasma_http_server *srv);

/* Request helpers for handlers. */
const char *plasma_http_query(const plasma_http_req *req, const char *key);
const char *plasma_http_header(const plasma_http_req *req, const char *name);
/* False, having filled resp with a 400 bad_request, when the request names
 * a Content-Type other than application/json (none at all is accepted). */
bool plasma_http_json_content_type(const plasma_http_req *req, plasma_http_resp *resp);
/* Parses the body as a JSON object. Returns it (caller decrefs) or NULL,
 * having filled resp with a 400 bad_request naming the problem. */
json_t *plasma_http_body_json(const plasma_http_req *req, plasma_http_resp *resp);

/* Content negotiation (RFC 9110 §12.5.1): of types[] (n ≤ 8, each
 * "type/subtype", the first being the default), the one the Accept header
 * prefers: each type takes the q of the most specific media range naming
 * it (the exact type, else its type with any subtype, else any type; 0 when
 * none does), the highest q wins and the earlier type wins a tie. Returns its index: 0 when there
 * is no Accept header or no type is acceptable (serving the default is
 * what HTTP allows then), or PLASMA_ERR_BAD_REQUEST when the header does
 * not parse (a malformed range, parameter or q-value). */
int plasma_http_negotiate(const plasma_http_req *req, const char *const *types, size_t n);
/* The same on an Accept value (NULL: none). */
int plasma_http_negotiate_accept(const char *accept, const char *const *types, size_t n);

/* Response helpers. */
void plasma_http_reply(plasma_http_resp *resp, int status, json_t *body);
/* {"error": {"code": plasma_err_code(err), "message": message or the
 * default message}} with plasma_err_http_status(err). */
void plasma_http_error(plasma_http_resp *resp, int err, const char *message);
/* The error object alone (for batch results). */
json_t *plasma_http_error_json(int err, const char *message);

/* --- client --- */

typedef struct plasma_http_client plasma_http_client;

/* base_url like "http://127.0.0.1:7434"; timeout_ms per request.
 * Returns 0 or PLASMA_ERR_NOMEM. */
int plasma_http_client_new(plasma_http_client **out, const char *base_url, long timeout_ms);
void plasma_http_client_free(plasma_http_client *c);
/* Bounds the connection set-up (DNS, TCP, TLS) of each request separately
 * from its total timeout; 0 leaves it bounded by the total alone. */
void plasma_http_client_set_connect_timeout(plasma_http_client *c, long connect_timeout_ms);

/* Sends body (body_len bytes, Content-Type application/json; NULL for none)
 * and collects the reply's bytes, whatever they are, appended to *reply.
 * Out: *status the HTTP status. Returns 0 when a reply arrived (any status),
 * PLASMA_ERR_UNAVAILABLE when the server cannot be reached or the request
 * timed out, PLASMA_ERR_PAYLOAD_TOO_LARGE when the reply exceeds max_reply
 * bytes, PLASMA_ERR_NOMEM. On failure errmsg (if not NULL) holds the cause
 * in one line ("Connection refused", "Timeout was reached"), without the
 * URL, which may carry an access key. */
int plasma_http_request_bytes(plasma_http_client *c, const char *method, const char *path,
                              const uint8_t *body, size_t body_len, long *status, plasma_buf *reply,
                              size_t max_reply, char *errmsg, size_t errmsg_len);

/* Sends a request (body may be NULL for GET) and parses the JSON reply.
 * Out: *status the HTTP status; *reply the parsed JSON (caller decrefs),
 * written when a JSON body came back, whatever the status.
 * Returns 0 when a reply arrived, PLASMA_ERR_UNAVAILABLE when the server
 * cannot be reached or timed out, PLASMA_ERR_BAD_REQUEST for a reply that is
 * not JSON. */
int plasma_http_request(plasma_http_client *c, const char *method, const char *path, const json_t *body,
                        long *status, json_t **reply);

/* As plasma_http_request, and maps an error reply to its plasma_err:
 * returns 0 for a 2xx reply (then *reply is set), otherwise the error code
 * named in the reply's {"error": {"code"}} (message copied into errmsg if
 * not NULL, errmsg_len bytes max), or PLASMA_ERR_UNAVAILABLE. */
int plasma_http_call(plasma_http_client *c, const char *method, const char *path, const json_t *body,
                     json_t **reply, char *errmsg, size_t errmsg_len);

/* GET path with an Accept header, the reply kept as bytes. Out: *status,
 * *body (the bytes replace what it held, in its buffer when it has one;
 * emptied on failure; the caller frees it with plasma_buf_free either
 * way), ctype the reply's Content-Type ("" when none; ctype_len bytes
 * max), whatever the status.
 * Returns 0 when a reply arrived, PLASMA_ERR_PAYLOAD_TOO_LARGE when it
 * passed max_len bytes (the transfer is cut), PLASMA_ERR_UNAVAILABLE or
 * PLASMA_ERR_NOMEM. */
int plasma_http_get_bytes(plasma_http_client *c, const char *path, const char *accept, size_t max_len,
                          long *status, plasma_buf *body, char *ctype, size_t ctype_len);

#endif
