/* The remote root chain: a plasma-rootchain daemon reached with its C
 * client (plasma/rootchain.h). The operator signs its submitBlock calls
 * with its own key; everything else is a query. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_chain.h"
#include "plasma/err.h"
#include "plasma/log.h"

/* Events asked for per request; the backend pages through longer ranges. */
#define EVENTS_PAGE 2000u
#define REQUEST_TIMEOUT_MS 5000

typedef struct remote {
    plasma_rootchain_client *client;
    plasma_privkey key;
    char url[256];
    atomic_int checked; /* 0 not yet, 1 same protocol, -1 another one */
} remote;

static int check_daemon(remote *r, char *err, size_t err_len);

/* The daemon's protocol, checked at the first contact: at start when it
 * answers then, else when it first does. Another version refuses every
 * call (and says why once). */
static int ready(remote *r)
{
    int state = atomic_load(&r->checked);
    if (state > 0)
        return PLASMA_OK;
    if (state < 0)
        return PLASMA_ERR_CONFIG;
    char err[300];
    int rc = check_daemon(r, err, sizeof err);
    if (rc == PLASMA_ERR_CONFIG) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&r->checked, &expected, -1)) {
            char q[320];
            plasma_log(PLASMA_LOG_ERROR, "rootchain_refused", "detail=%s",
                       plasma_log_quote(q, sizeof q, err));
        }
    }
    return rc;
}

static int r_head(void *ctx, op_chain_head *out)
{
    remote *r = ctx;
    plasma_rootchain_status st;
    int rc = ready(r);
    if (rc == 0)
        rc = plasma_rootchain_client_status(r->client, &st);
    if (rc == 0)
        *out = (op_chain_head){st.head_number, st.next_child_block, {st.chain_id, st.contract}};
    return rc;
}

static int r_next_nonce(void *ctx, const plasma_addr *sender, uint64_t *out)
{
    remote *r = ctx;
    uint64_t mined;
    int rc = ready(r);
    return rc < 0 ? rc : plasma_rootchain_client_nonce(r->client, sender, &mined, out);
}

static int r_pending(void *ctx, const plasma_hash *call, bool *out)
{
    remote *r = ctx;
    plasma_receipt rec;
    int rc = ready(r);
    return rc < 0 ? rc : plasma_rootchain_client_receipt(r->client, call, &rec, out);
}

static int r_send(void *ctx, const plasma_call_domain *domain, const plasma_call *call, plasma_hash *out)
{
    remote *r = ctx;
    int rc = ready(r);
    return rc < 0 ? rc : plasma_rootchain_client_send(r->client, domain, call, &r->key, out, NULL);
}

static int r_block_root(void *ctx, uint64_t blknum, plasma_block_record *out)
{
    remote *r = ctx;
    int rc = ready(r);
    return rc < 0 ? rc : plasma_rootchain_client_block_root(r->client, blknum, out);
}

static int r_events(void *ctx, uint64_t from, uint64_t to, plasma_event **ev, size_t *n, uint64_t *next)
{
    remote *r = ctx;
    int rc = ready(r);
    return rc < 0 ? rc : plasma_rootchain_client_events(r->client, from, to, EVENTS_PAGE, ev, n, next);
}

static int r_finalized(void *ctx, const plasma_hash *output_id, plasma_u256 *by)
{
    remote *r = ctx;
    int rc = ready(r);
    return rc < 0 ? rc : plasma_rootchain_client_finalized(r->client, output_id, by);
}

static void r_free(void *ctx)
{
    remote *r = ctx;
    if (!r)
        return;
    plasma_rootchain_client_free(r->client);
    plasma_wipe(&r->key, sizeof r->key);
    free(r);
}

static const op_chain_ops remote_ops = {r_head,       r_next_nonce, r_pending,   r_send,
                                        r_block_root, r_events,     r_finalized, r_free};

/* Asks the daemon's status: it must speak this build's protocol. */
static int check_daemon(remote *r, char *err, size_t err_len)
{
    const char *url = r->url;
    plasma_rootchain_status st;
    int rc = plasma_rootchain_client_status(r->client, &st);
    if (rc == PLASMA_ERR_UNAVAILABLE) {
        snprintf(err, err_len, "--rpc %.100s: no root chain answers there yet", url);
        return rc;
    }
    if (rc < 0) {
        snprintf(err, err_len, "--rpc %.100s: not a plasma-rootchain status (%s)", url, plasma_err_code(rc));
        return PLASMA_ERR_CONFIG;
    }
    if (st.protocol_version != PLASMA_ROOTCHAIN_PROTOCOL_VERSION) {
        snprintf(err, err_len, "--rpc %.100s: the root chain speaks protocol version %llu, this operator %u",
                 url, (unsigned long long)st.protocol_version, PLASMA_ROOTCHAIN_PROTOCOL_VERSION);
        return PLASMA_ERR_CONFIG;
    }
    atomic_store(&r->checked, 1);
    return PLASMA_OK;
}

int plasma_rootchain_remote(plasma_rootchain_backend *out, const char *base_url, const plasma_privkey *key,
                            char *err, size_t err_len)
{
    remote *r = calloc(1, sizeof *r);
    if (!r)
        return PLASMA_ERR_NOMEM;
    r->key = *key;
    snprintf(r->url, sizeof r->url, "%s", base_url);
    int rc = plasma_rootchain_client_new(&r->client, base_url, REQUEST_TIMEOUT_MS);
    if (rc < 0)
        snprintf(err, err_len, "out of memory");
    else
        rc = check_daemon(r, err, err_len);
    /* A chain that cannot be reached now only delays the operator's work;
     * its protocol is checked when it first answers. */
    if (rc == PLASMA_ERR_UNAVAILABLE) {
        plasma_log(PLASMA_LOG_WARN, "rootchain_unreachable", "rpc=%.200s", base_url);
        rc = PLASMA_OK;
    }
    if (rc < 0) {
        r_free(r);
        return rc;
    }
    return op_backend_over(out, "sim", &remote_ops, r, key);
}
