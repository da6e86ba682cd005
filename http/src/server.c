/* libmicrohttpd server with static route tables. See plasma/http.h. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "limits.h"
#include "plasma/err.h"
#include "plasma/http.h"

struct plasma_http_server {
    struct MHD_Daemon *mhd;
    http_limits lim;
    plasma_http_config cfg;
    plasma_http_mount mounts[PLASMA_HTTP_MAX_MOUNTS];
    size_t n_mounts;
    uint16_t port;
};

/* Per-request state kept by libmicrohttpd between callbacks. */
typedef struct request_state {
    plasma_buf body;
    bool too_large;
} request_state;

static const char *path_after_prefix(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0)
        return NULL;
    if (path[n] != '/' && !(n == 0 && path[0] == '/'))
        return NULL;
    return path + n;
}

/* Matches path against pattern, "{}" capturing one segment into params. */
static bool match_pattern(const char *pattern, const char *path, plasma_http_req *req, char *store,
                          size_t store_len)
{
    size_t used = 0;
    req->n_params = 0;
    while (*pattern && *path) {
        if (pattern[0] == '{' && pattern[1] == '}') {
            size_t seg = strcspn(path, "/");
            if (seg == 0 || req->n_params == PLASMA_HTTP_MAX_PARAMS || used + seg + 1 > store_len)
                return false;
            memcpy(store + used, path, seg);
            store[used + seg] = '\0';
            req->params[req->n_params++] = store + used;
            used += seg + 1;
            path += seg;
            pattern += 2;
        } else if (*pattern++ != *path++) {
            return false;
        }
    }
    return *pattern == '\0' && *path == '\0';
}

typedef enum route_result { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_BAD_METHOD } route_result;

static route_result find_route(const plasma_http_server *srv, const char *method, plasma_http_req *req,
                               char *store, size_t store_len, const plasma_http_route **route, void **ctx)
{
    route_result res = ROUTE_NO_PATH;
    for (size_t m = 0; m < srv->n_mounts; m++) {
        const plasma_http_mount *mt = &srv->mounts[m];
        const char *rest = path_after_prefix(req->path, mt->prefix);
        if (!rest)
            continue;
        for (size_t r = 0; r < mt->n_routes; r++) {
            if (!match_pattern(mt->routes[r].pattern, rest, req, store, store_len))
                continue;
            if (strcmp(mt->routes[r].method, method) != 0) {
                res = ROUTE_BAD_METHOD;
                continue;
            }
            *route = &mt->routes[r];
            *ctx = mt->ctx;
            return ROUTE_FOUND;
        }
    }
    return res;
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, plasma_http_resp *resp)
{
    char *text = NULL;
    size_t len = 0;
    const char *ctype = resp->content_type ? resp->content_type : "application/json";
    if (resp->raw) {
        text = resp->raw;
        len = resp->raw_len;
        resp->raw = NULL;
    } else {
        if (!resp->body)
            resp->body = json_object();
        text = json_dumps(resp->body, JSON_COMPACT);
        if (!text)
            return MHD_NO;
        len = strlen(text);
        text[len] = '\n'; /* the NUL becomes a newline: the length is passed */
        len++;
    }
    json_decref(resp->body);
    resp->body = NULL;
    struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", ctype);
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)(resp->status ? resp->status : 200), r);
    MHD_destroy_response(r);
    return ok;
}

static conn_slot *slot_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static uint32_t client_addr(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr || ci->client_addr->sa_family != AF_INET)
        return 0;
    return ((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr.s_addr;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, int err, const char *message)
{
    plasma_http_resp resp = {0};
    plasma_http_error(&resp, err, message);
    return send_resp(conn, &resp);
}

/* Past the rate, or a body announced too large: answered at once, before
 * any of the body is read (libmicrohttpd then closes the connection). */
static bool refuse_early(plasma_http_server *srv, struct MHD_Connection *conn, enum MHD_Result *res)
{
    if (!lim_rate_take(&srv->lim, client_addr(conn))) {
        *res = send_error(conn, PLASMA_ERR_RATE_LIMITED, NULL);
        return true;
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && (strlen(cl) > 18 || strtoull(cl, NULL, 10) > srv->cfg.max_body)) {
        *res = send_error(conn, PLASMA_ERR_PAYLOAD_TOO_LARGE, "request body exceeds the size limit");
        return true;
    }
    return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size,
                                  void **con_cls)
{
    (void)version;
    plasma_http_server *srv = cls;
    request_state *st = *con_cls;
    if (!st) {
        lim_conn_phase(&srv->lim, slot_of(conn), PHASE_BODY);
        enum MHD_Result res;
        if (refuse_early(srv, conn, &res))
            return res;
        st = calloc(1, sizeof *st);
        if (!st)
            return MHD_NO;
        *con_cls = st;
        return MHD_YES;
    }
    if (st->too_large)
        return MHD_NO; /* the 413 is out; nothing more is read */
    if (*upload_size > 0) {
        if (st->body.len + *upload_size > srv->cfg.max_body) {
            /* A body without a Content-Length (chunked) that grows too large. */
            st->too_large = true;
            plasma_buf_free(&st->body);
            *upload_size = 0;
            return send_error(conn, PLASMA_ERR_PAYLOAD_TOO_LARGE, "request body exceeds the size limit");
        }
        plasma_buf_append(&st->body, (const uint8_t *)upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }

    lim_conn_phase(&srv->lim, slot_of(conn), PHASE_HANDLER);
    plasma_http_resp resp = {0};
    if (st->body.failed) {
        plasma_http_error(&resp, PLASMA_ERR_NOMEM, NULL);
        return send_resp(conn, &resp);
    }
    char store[512];
    plasma_http_req req = {
        .method = method, .path = url, .body = st->body.data, .body_len = st->body.len, .conn = conn};
    const plasma_http_route *route = NULL;
    void *ctx = NULL;
    switch (find_route(srv, method, &req, store, sizeof store, &route, &ctx)) {
    case ROUTE_FOUND:
        route->fn(ctx, &req, &resp);
        break;
    case ROUTE_BAD_METHOD:
        plasma_http_error(&resp, PLASMA_ERR_METHOD_NOT_ALLOWED, NULL);
        break;
    case ROUTE_NO_PATH:
        plasma_http_error(&resp, PLASMA_ERR_NOT_FOUND, "no such endpoint");
        break;
    }
    return send_resp(conn, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    plasma_http_server *srv = cls;
    (void)toe;
    /* A kept-alive connection waits for its next request's headers. */
    lim_conn_phase(&srv->lim, slot_of(conn), PHASE_HEADERS);
    request_state *st = *con_cls;
    if (st) {
        plasma_buf_free(&st->body);
        free(st);
        *con_cls = NULL;
    }
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    plasma_http_server *srv = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? lim_conn_open(&srv->lim, ci->connect_fd) : NULL;
    } else {
        lim_conn_close(&srv->lim, *socket_context);
        *socket_context = NULL;
    }
}

static void apply_defaults(plasma_http_config *c)
{
    if (!c->bind)
        c->bind = "127.0.0.1";
    if (!c->max_body)
        c->max_body = 4u << 20;
    if (!c->max_conns)
        c->max_conns = 256;
    if (!c->idle_timeout_s)
        c->idle_timeout_s = 30;
    if (!c->max_conns_per_ip)
        c->max_conns_per_ip = 32;
    if (!c->header_timeout_s)
        c->header_timeout_s = 10;
    if (!c->body_timeout_s)
        c->body_timeout_s = 30;
    if (!c->rate_per_ip)
        c->rate_per_ip = 1000;
}

int plasma_http_server_start(plasma_http_server **out, const plasma_http_config *cfg,
                             const plasma_http_mount *mounts, size_t n_mounts)
{
    if (n_mounts > PLASMA_HTTP_MAX_MOUNTS)
        return PLASMA_ERR_BAD_REQUEST;
    plasma_http_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return PLASMA_ERR_NOMEM;
    srv->cfg = *cfg;
    apply_defaults(&srv->cfg);
    memcpy(srv->mounts, mounts, n_mounts * sizeof *mounts);
    srv->n_mounts = n_mounts;

    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(cfg->port)};
    if (inet_pton(AF_INET, srv->cfg.bind, &addr.sin_addr) != 1) {
        free(srv);
        return PLASMA_ERR_BAD_REQUEST;
    }
    if (lim_start(&srv->lim, srv->cfg.max_conns, srv->cfg.header_timeout_s, srv->cfg.body_timeout_s,
                  srv->cfg.rate_per_ip) < 0) {
        free(srv);
        return PLASMA_ERR_NOMEM;
    }
    srv->mhd = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, cfg->port, NULL, NULL,
        on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)srv->cfg.max_conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)srv->cfg.max_conns_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)srv->cfg.idle_timeout_s, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_END);
    if (!srv->mhd) {
        lim_stop(&srv->lim);
        free(srv);
        return PLASMA_ERR_IO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : cfg->port;
    *out = srv;
    return PLASMA_OK;
}

uint16_t plasma_http_server_port(const plasma_http_server *srv)
{
    return srv->port;
}

void plasma_http_server_free(plasma_http_server *srv)
{
    if (!srv)
        return;
    MHD_stop_daemon(srv->mhd);
    lim_stop(&srv->lim);
    free(srv);
}

const char *plasma_http_query(const plasma_http_req *req, const char *key)
{
    return req->conn ? MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key) : NULL;
}

const char *plasma_http_header(const plasma_http_req *req, const char *name)
{
    if (req->conn)
        return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
    for (const char *const *h = req->headers; h && h[0] && h[1]; h += 2)
        if (strcasecmp(h[0], name) == 0)
            return h[1];
    return NULL;
}

bool plasma_http_json_content_type(const plasma_http_req *req, plasma_http_resp *resp)
{
    const char *ctype = plasma_http_header(req, "Content-Type");
    if (ctype && strncmp(ctype, "application/json", 16) != 0) {
        plasma_http_error(resp, PLASMA_ERR_BAD_REQUEST, "Content-Type must be application/json");
        return false;
    }
    return true;
}

json_t *plasma_http_body_json(const plasma_http_req *req, plasma_http_resp *resp)
{
    if (!plasma_http_json_content_type(req, resp))
        return NULL;
    json_error_t jerr;
    json_t *obj = json_loadb((const char *)req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj) {
        char msg[200];
        snprintf(msg, sizeof msg, "malformed JSON body: %s", jerr.text);
        plasma_http_error(resp, PLASMA_ERR_BAD_REQUEST, msg);
        return NULL;
    }
    if (!json_is_object(obj)) {
        json_decref(obj);
        plasma_http_error(resp, PLASMA_ERR_BAD_REQUEST, "JSON body must be an object");
        return NULL;
    }
    return obj;
}

void plasma_http_reply(plasma_http_resp *resp, int status, json_t *body)
{
    json_decref(resp->body);
    resp->status = status;
    resp->body = body;
}

json_t *plasma_http_error_json(int err, const char *message)
{
    return json_pack("{s:{s:s,s:s}}", "error", "code", plasma_err_code(err), "message",
                     message ? message : plasma_err_message(err));
}

void plasma_http_error(plasma_http_resp *resp, int err, const char *message)
{
    plasma_http_reply(resp, plasma_err_http_status(err), plasma_http_error_json(err, message));
}
