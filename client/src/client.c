/* The connection to an operator (its §7 API) and to its root chain. */
#include "client_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_TIMEOUT_MS 30000

int plasma_client_new(plasma_client **out, const char *operator_url, const char *rootchain_url)
{
    char rc_url[1024];
    plasma_client *c = calloc(1, sizeof *c);
    if (!c)
        return PLASMA_ERR_NOMEM;
    c->gas_price = PLASMA_CLIENT_DEFAULT_GAS_PRICE;
    c->receipt_timeout_ms = 60000;
    if (!rootchain_url) {
        snprintf(rc_url, sizeof rc_url, "%s/rootchain", operator_url);
        rootchain_url = rc_url;
    }
    snprintf(c->op_url, sizeof c->op_url, "%s", operator_url);
    snprintf(c->rc_url, sizeof c->rc_url, "%s", rootchain_url);
    if (plasma_http_client_new(&c->op, operator_url, HTTP_TIMEOUT_MS) != 0 ||
        plasma_rootchain_client_new(&c->rc, rootchain_url, HTTP_TIMEOUT_MS) != 0) {
        plasma_client_free(c);
        return PLASMA_ERR_NOMEM;
    }
    *out = c;
    return 0;
}

void plasma_client_free(plasma_client *c)
{
    if (!c)
        return;
    plasma_http_client_free(c->op);
    plasma_rootchain_client_free(c->rc);
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
    return c->rc;
}

int client_fail(plasma_client *c, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->errmsg, sizeof c->errmsg, fmt, ap);
    va_end(ap);
    return err;
}

int client_rc_fail(plasma_client *c, int err, const char *what)
{
    if (err == PLASMA_ERR_UNAVAILABLE)
        return client_fail(c, err, "%s: cannot reach the root chain at %s (is it running? see --rootchain)",
                           what, c->rc_url);
    if (err == PLASMA_ERR_INSUFFICIENT_FUNDS)
        return client_fail(c, err,
                           "%s: not enough ETH on the root chain for gas and bond (%s): fund the account",
                           what, plasma_err_code(err));
    return client_fail(c, err, "%s: %s (%s)", what, plasma_rootchain_client_errmsg(c->rc),
                       plasma_err_code(err));
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
