/* The connection to an operator (its §7 API) and to its root chain. */
#include "client_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_TIMEOUT_MS 30000

static plasma_client *client_alloc(const char *operator_url)
{
    plasma_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->gas_price = PLASMA_CLIENT_DEFAULT_GAS_PRICE;
    c->receipt_timeout_ms = 60000;
    snprintf(c->op_url, sizeof c->op_url, "%s", operator_url);
    if (plasma_http_client_new(&c->op, operator_url, HTTP_TIMEOUT_MS) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

int plasma_client_new(plasma_client **out, const char *operator_url, const char *rootchain_url)
{
    char rc_url[1024];
    plasma_client *c = client_alloc(operator_url);
    if (!c)
        return PLASMA_ERR_NOMEM;
    if (!rootchain_url) {
        snprintf(rc_url, sizeof rc_url, "%s/rootchain", operator_url);
        rootchain_url = rc_url;
    }
    snprintf(c->rc_url, sizeof c->rc_url, "%s", rootchain_url);
    if (client_chain_sim_new(&c->chain, rootchain_url, HTTP_TIMEOUT_MS) != 0) {
        plasma_client_free(c);
        return PLASMA_ERR_NOMEM;
    }
    *out = c;
    return 0;
}

int plasma_client_new_eth(plasma_client **out, const char *operator_url, const plasma_client_eth_config *cfg,
                          char *err, size_t err_len)
{
    plasma_client *c = client_alloc(operator_url);
    if (!c)
        return PLASMA_ERR_NOMEM;
    snprintf(c->rc_url, sizeof c->rc_url, "%s", cfg->rpc_url ? cfg->rpc_url : "");
    c->eth = *cfg;
    c->eth.rpc_url = c->rc_url;
    /* A transaction counts once it has its confirmations. */
    c->receipt_timeout_ms = 120000 + 15000L * (long)(cfg->confirmations < 100 ? cfg->confirmations : 100);
    int rc = client_chain_eth_new(&c->chain, &c->eth, err, err_len);
    if (rc) {
        plasma_client_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

const char *plasma_client_chain_kind(const plasma_client *c)
{
    return c->chain.ops->name;
}

void plasma_client_free(plasma_client *c)
{
    if (!c)
        return;
    plasma_http_client_free(c->op);
    if (c->chain.ops)
        c->chain.ops->free(c->chain.ctx);
    free(c->wallet_dir);
    free(c);
}

int plasma_client_set_wallet_dir(plasma_client *c, const char *dir)
{
    char *copy = dir ? strdup(dir) : NULL;
    if (dir && !copy)
        return PLASMA_ERR_NOMEM;
    free(c->wallet_dir);
    c->wallet_dir = copy;
    return 0;
}

const char *plasma_client_errmsg(const plasma_client *c)
{
    return c->errmsg;
}

void plasma_client_set_gas_price(plasma_client *c, uint64_t wei_per_gas)
{
    c->gas_price = wei_per_gas;
}

void plasma_client_set_receipt_timeout(plasma_client *c, long ms)
{
    c->receipt_timeout_ms = ms;
}

plasma_rootchain_client *plasma_client_rootchain(plasma_client *c)
{
    return client_chain_sim_client(&c->chain);
}

int client_fail(plasma_client *c, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    plasma_err_vprintf(err, c->errmsg, sizeof c->errmsg, fmt, ap);
    va_end(ap);
    return err;
}

int client_rc_fail(plasma_client *c, int err, const char *what)
{
    if (err == PLASMA_ERR_UNAVAILABLE)
        return client_fail(c, err, "%s: cannot reach the root chain at %s (is it running? see %s)", what,
                           c->rc_url, strcmp(c->chain.ops->name, "eth") == 0 ? "--rpc" : "--rootchain");
    if (err == PLASMA_ERR_INSUFFICIENT_FUNDS)
        return client_fail(c, err,
                           "%s: not enough ETH on the root chain for gas and bond (%s): fund the account",
                           what, plasma_err_code(err));
    return client_fail(c, err, "%s: %s (%s)", what, c->chain.ops->errmsg(c->chain.ctx), plasma_err_code(err));
}

int client_op_call(plasma_client *c, const char *method, const char *path, const json_t *body, json_t **reply)
{
    char msg[200] = "";
    int rc = plasma_http_call(c->op, method, path, body, reply, msg, sizeof msg);
    if (rc == PLASMA_ERR_UNAVAILABLE)
        return client_fail(c, rc, "cannot reach the operator at %s (is it running? see --operator)",
                           c->op_url);
    if (rc)
        return client_fail(c, rc, "operator: %s (%s)", msg[0] ? msg : plasma_err_message(rc),
                           plasma_err_code(rc));
    return 0;
}

int plasma_client_status_get(plasma_client *c, plasma_client_status *out)
{
    json_t *r = NULL, *latest;
    plasma_client_status st = {0};
    plasma_addr contract;
    const char *root;
    uint64_t chain_id;
    int rc = client_op_call(c, "GET", "/v1/status", NULL, &r);
    if (rc)
        return rc;
    latest = json_object_get(r, "latest_block");
    root = json_string_value(json_object_get(latest, "root"));
    if (!plasma_json_get_u64(&chain_id, r, "chain_id") ||
        plasma_addr_parse(&contract, plasma_json_get_str(r, "verifying_contract")) ||
        plasma_addr_parse(&st.operator_addr, plasma_json_get_str(r, "operator")) ||
        !plasma_json_get_u64(&st.child_block_interval, r, "child_block_interval") ||
        !plasma_json_get_u64(&st.latest_blknum, latest, "blknum") || !root ||
        plasma_hash_parse(&st.latest_root, root) || !plasma_json_get_u64(&st.pending_txs, r, "pending_txs")) {
        rc = client_fail(c, PLASMA_ERR_BAD_REQUEST, "operator: /v1/status reply lacks expected fields");
        goto cleanup;
    }
    plasma_domain_init(&st.domain, chain_id, &contract);
    c->domain = st.domain;
    c->have_domain = true;
    *out = st;
cleanup:
    json_decref(r);
    return rc;
}

int client_domain(plasma_client *c)
{
    plasma_client_status st;
    return c->have_domain ? 0 : plasma_client_status_get(c, &st);
}

/* --- reads of the root chain --- */

int plasma_client_rc_status(plasma_client *c, plasma_rootchain_status *out)
{
    int rc = CHAIN_OP(c, status, out);
    return rc ? client_rc_fail(c, rc, "root-chain status") : 0;
}

int plasma_client_rc_exit(plasma_client *c, uint64_t exit_id, plasma_exit_info *out)
{
    int rc = CHAIN_OP(c, exit, exit_id, out);
    return rc ? client_rc_fail(c, rc, "reading the exit") : 0;
}

int plasma_client_rc_ife(plasma_client *c, const plasma_u256 *ife_id, plasma_ife_info *out)
{
    int rc = CHAIN_OP(c, ife, ife_id, out);
    return rc ? client_rc_fail(c, rc, "reading the in-flight exit") : 0;
}

int plasma_client_rc_ifes(plasma_client *c, const plasma_u256 *after, size_t limit, plasma_ife_info **ifes,
                          size_t *n, bool *more)
{
    int rc = CHAIN_OP(c, ifes, after, limit, ifes, n, more);
    return rc ? client_rc_fail(c, rc, "listing the in-flight exits") : 0;
}

int plasma_client_rc_events(plasma_client *c, uint64_t from_block, uint64_t to_block, plasma_event **events,
                            size_t *n, uint64_t *next_from_block)
{
    int rc = CHAIN_OP(c, events, from_block, to_block, events, n, next_from_block);
    return rc ? client_rc_fail(c, rc, "root-chain events") : 0;
}

int plasma_client_rc_block_root(plasma_client *c, uint64_t blknum, plasma_block_record *out)
{
    int rc = CHAIN_OP(c, block_root, blknum, out);
    return rc ? client_rc_fail(c, rc, "root-chain block") : 0;
}

int plasma_client_rc_balance(plasma_client *c, const plasma_addr *addr, const plasma_addr *token,
                             plasma_u256 *out)
{
    int rc = CHAIN_OP(c, balance, addr, token, out);
    return rc ? client_rc_fail(c, rc, "root-chain balance") : 0;
}

int plasma_client_rc_withdrawable(plasma_client *c, const plasma_addr *owner, const plasma_addr *token,
                                  plasma_u256 *out)
{
    int rc = CHAIN_OP(c, withdrawable, owner, token, out);
    return rc ? client_rc_fail(c, rc, "reading the deferred payments") : 0;
}
