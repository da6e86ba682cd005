/* The development controls: mine now, advance time, fund, mint. Refused
 * with 403 unless the node runs in dev mode, before the body is even read,
 * so that a production chain answers them all the same way. */
#include "internal.h"

static bool require_dev(const plasma_rootnode *node, plasma_http_resp *resp)
{
    if (node->dev)
        return true;
    plasma_http_error(resp, PLASMA_ERR_FORBIDDEN, "development controls need dev mode (--dev)");
    return false;
}

static void reply_head(plasma_rootnode *node, plasma_http_resp *resp, int rc)
{
    if (rc != PLASMA_OK) {
        plasma_http_error(resp, rc, NULL);
        return;
    }
    plasma_chain_head h;
    pthread_mutex_lock(&node->mu);
    plasma_chain_get_head(&h, node->chain);
    pthread_mutex_unlock(&node->mu);
    json_t *out = json_pack("{s:o,s:o,s:o}", "head", plasma_json_u64(h.number), "timestamp",
                            plasma_json_u64(h.timestamp), "time_offset", plasma_json_u64(h.time_offset));
    if (out)
        plasma_http_reply(resp, 200, out);
    else
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
}

static const rc_field MINE_FIELDS[] = {{"blocks", RC_F_INTEGER}};

void rc_h_dev_mine(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    if (!require_dev(node, resp))
        return;
    json_t *body = rc_body(req, resp, MINE_FIELDS, 1);
    uint64_t n;
    if (body && rc_get_u64(resp, body, "blocks", 1, PLASMA_ROOTNODE_MAX_MINE_BLOCKS, &n))
        reply_head(node, resp, plasma_rootnode_mine(node, n, NULL));
    json_decref(body);
}

static const rc_field TIME_FIELDS[] = {{"seconds", RC_F_INTEGER}};

void rc_h_dev_advance_time(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    if (!require_dev(node, resp))
        return;
    json_t *body = rc_body(req, resp, TIME_FIELDS, 1);
    uint64_t s;
    if (body && rc_get_u64(resp, body, "seconds", 0, RC_MAX_ADVANCE_SECONDS, &s)) {
        pthread_mutex_lock(&node->mu);
        int rc = plasma_chain_dev_advance_time(node->chain, s);
        pthread_mutex_unlock(&node->mu);
        reply_head(node, resp, rc);
    }
    json_decref(body);
}

static void reply_balance(plasma_rootnode *node, plasma_http_resp *resp, int rc, const plasma_addr *a,
                          const plasma_addr *token)
{
    if (rc != PLASMA_OK) {
        plasma_http_error(resp, rc, NULL);
        return;
    }
    plasma_u256 bal;
    pthread_mutex_lock(&node->mu);
    plasma_chain_balance(&bal, node->chain, a, token);
    pthread_mutex_unlock(&node->mu);
    json_t *out = json_pack("{s:o,s:o,s:o}", "address", plasma_json_addr(a), "token", plasma_json_addr(token),
                            "balance", plasma_json_u256(&bal));
    if (out)
        plasma_http_reply(resp, 200, out);
    else
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
}

static const rc_field FUND_FIELDS[] = {{"address", RC_F_STRING}, {"amount", RC_F_STRING}};

void rc_h_dev_fund(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    if (!require_dev(node, resp))
        return;
    json_t *body = rc_body(req, resp, FUND_FIELDS, 2);
    plasma_addr a, eth = {{0}};
    plasma_u256 amount;
    if (body && rc_get_addr(resp, body, "address", &a) && rc_get_u256(resp, body, "amount", &amount)) {
        pthread_mutex_lock(&node->mu);
        int rc = plasma_chain_dev_fund(node->chain, &a, &amount);
        pthread_mutex_unlock(&node->mu);
        reply_balance(node, resp, rc, &a, &eth);
    }
    json_decref(body);
}

static const rc_field MINT_FIELDS[] = {
    {"address", RC_F_STRING}, {"token", RC_F_STRING}, {"amount", RC_F_STRING}};

void rc_h_dev_mint(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    if (!require_dev(node, resp))
        return;
    json_t *body = rc_body(req, resp, MINT_FIELDS, 3);
    plasma_addr a, token;
    plasma_u256 amount;
    if (body && rc_get_addr(resp, body, "address", &a) && rc_get_addr(resp, body, "token", &token) &&
        rc_get_u256(resp, body, "amount", &amount)) {
        if (plasma_addr_is_zero(&token)) {
            rc_bad_request(resp, "token must not be the zero address (ETH): use /v1/dev/fund");
        } else {
            pthread_mutex_lock(&node->mu);
            int rc = plasma_chain_dev_mint(node->chain, &a, &token, &amount);
            pthread_mutex_unlock(&node->mu);
            reply_balance(node, resp, rc, &a, &token);
        }
    }
    json_decref(body);
}
