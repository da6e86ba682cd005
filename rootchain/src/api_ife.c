/* The read-only routes of in-flight exits, finalized flags and deferred
 * payments (docs/rootchain-api.md): each copies what it needs from the
 * chain under the lock and builds the JSON after releasing it. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void reply_or_nomem(plasma_http_resp *resp, json_t *out)
{
    if (out)
        plasma_http_reply(resp, 200, out);
    else
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
}

/* ---- GET /v1/in-flight-exits/{ife_id} ---- */

void rc_h_ife(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    plasma_u256 id;
    if (rc_parse_ife_id(&id, req->params[0]) != PLASMA_OK) {
        rc_bad_request(resp, "ife_id must be 0x + 64 hex digits");
        return;
    }
    plasma_ife_info info;
    pthread_mutex_lock(&node->mu);
    int rc = plasma_chain_ife(&info, node->chain, &id);
    pthread_mutex_unlock(&node->mu);
    if (rc != PLASMA_OK) {
        plasma_http_error(resp, rc, NULL);
        return;
    }
    reply_or_nomem(resp, rc_ife_json(&info));
}

/* ---- GET /v1/in-flight-exits/{ife_id}/tx ---- */

void rc_h_ife_tx(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    plasma_u256 id;
    if (rc_parse_ife_id(&id, req->params[0]) != PLASMA_OK) {
        rc_bad_request(resp, "ife_id must be 0x + 64 hex digits");
        return;
    }
    uint8_t tx[PLASMA_CALL_MAX_TX];
    size_t len = 0;
    pthread_mutex_lock(&node->mu);
    int rc = plasma_chain_ife_tx(tx, &len, node->chain, &id);
    pthread_mutex_unlock(&node->mu);
    if (rc != PLASMA_OK) {
        plasma_http_error(resp, rc, NULL);
        return;
    }
    char hex[2 * PLASMA_CALL_MAX_TX + 3];
    reply_or_nomem(
        resp, json_pack("{s:o,s:s}", "ife_id", rc_json_ife_id(&id), "tx", plasma_hex_encode(hex, tx, len)));
}

/* ---- GET /v1/in-flight-exits?after=…&limit=… ---- */

typedef struct ife_page {
    bool have_after;
    plasma_u256 after;
    uint64_t limit;
    json_t *list;
    bool more;
} ife_page;

static int collect_ife(const plasma_ife_info *info, void *payload)
{
    ife_page *p = payload;
    if (p->have_after && plasma_u256_cmp(&info->ife_id, &p->after) <= 0)
        return 0;
    if (json_array_size(p->list) == p->limit) {
        p->more = true;
        return 1;
    }
    json_t *j = rc_ife_json(info);
    return j && json_array_append_new(p->list, j) == 0 ? 0 : PLASMA_ERR_NOMEM;
}

void rc_h_ifes(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    ife_page p = {0};
    const char *after = plasma_http_query(req, "after");
    if (after && rc_parse_ife_id(&p.after, after) != PLASMA_OK) {
        rc_bad_request(resp, "after must be an ife_id (0x + 64 hex digits)");
        return;
    }
    p.have_after = after != NULL;
    if (!rc_query_u64(resp, req, "limit", 1, RC_EXITS_MAX_LIMIT, RC_EXITS_DEFAULT_LIMIT, &p.limit))
        return;
    p.list = json_array();
    if (!p.list) {
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
        return;
    }
    pthread_mutex_lock(&node->mu);
    int rc = plasma_chain_foreach_ife(node->chain, collect_ife, &p);
    pthread_mutex_unlock(&node->mu);
    if (rc < 0) {
        json_decref(p.list);
        plasma_http_error(resp, rc, NULL);
        return;
    }
    reply_or_nomem(resp, json_pack("{s:o,s:b}", "in_flight_exits", p.list, "more", p.more));
}

/* ---- GET /v1/finalized/{output_id} ---- */

void rc_h_finalized(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    plasma_hash id;
    if (plasma_hash_parse(&id, req->params[0]) != PLASMA_OK) {
        rc_bad_request(resp, "output_id must be 0x + 64 hex digits");
        return;
    }
    plasma_u256 by;
    pthread_mutex_lock(&node->mu);
    plasma_chain_finalized(&by, node->chain, &id);
    pthread_mutex_unlock(&node->mu);
    reply_or_nomem(resp, rc_finalized_json(&id, &by));
}

/* ---- GET /v1/withdrawable/{owner} ---- */

static int collect_claim(const plasma_addr *owner, const plasma_addr *token, const plasma_u256 *amount,
                         void *payload)
{
    (void)owner;
    char key[43];
    return json_object_set_new(payload, plasma_addr_format(key, token), plasma_json_u256(amount)) == 0
               ? 0
               : PLASMA_ERR_NOMEM;
}

void rc_h_withdrawable(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    plasma_addr owner;
    if (plasma_addr_parse(&owner, req->params[0]) != PLASMA_OK) {
        rc_bad_request(resp, "owner must be an address (0x + 40 hex digits)");
        return;
    }
    json_t *claims = json_object();
    if (!claims) {
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
        return;
    }
    pthread_mutex_lock(&node->mu);
    int rc = plasma_chain_foreach_claim(node->chain, &owner, collect_claim, claims);
    pthread_mutex_unlock(&node->mu);
    if (rc < 0) {
        json_decref(claims);
        plasma_http_error(resp, rc, NULL);
        return;
    }
    reply_or_nomem(resp, json_pack("{s:o,s:o}", "owner", plasma_json_addr(&owner), "withdrawable", claims));
}
