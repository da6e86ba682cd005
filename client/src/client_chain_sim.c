/* The simulated root chain through its JSON API (plasma_rootchain_client):
 * calls are signed envelopes under the chain's domain, with the account's
 * next nonce. */
#include "client_chain.h"

#include <stdlib.h>

typedef struct sim_chain {
    plasma_rootchain_client *rc;
} sim_chain;

static int sim_status(void *ctx, plasma_rootchain_status *out)
{
    sim_chain *s = ctx;
    return plasma_rootchain_client_status(s->rc, out);
}

static int sim_send(void *ctx, const plasma_privkey *key, plasma_call *call, uint64_t gas_price,
                    plasma_hash *h)
{
    sim_chain *s = ctx;
    plasma_call_domain dom;
    plasma_addr from;
    uint64_t nonce, next;
    int rc;
    if (plasma_privkey_addr(&from, key) != 0)
        return PLASMA_ERR_BAD_REQUEST;
    if ((rc = plasma_rootchain_client_domain(s->rc, &dom)) != 0 ||
        (rc = plasma_rootchain_client_nonce(s->rc, &from, &nonce, &next)) != 0)
        return rc;
    call->from = from;
    call->nonce = next;
    call->gas_price = gas_price;
    if (!call->gas_limit)
        call->gas_limit = plasma_call_default_gas_limit(call);
    return plasma_rootchain_client_send(s->rc, &dom, call, key, h, NULL);
}

static int sim_wait(void *ctx, const plasma_hash *h, long timeout_ms, plasma_receipt *out)
{
    sim_chain *s = ctx;
    return plasma_rootchain_client_wait_receipt(s->rc, h, timeout_ms, out);
}

static int sim_events(void *ctx, uint64_t from, uint64_t to, plasma_event **ev, size_t *n, uint64_t *next)
{
    sim_chain *s = ctx;
    return plasma_rootchain_client_events(s->rc, from, to, 0, ev, n, next);
}

/* The events of the receipt's block whose call is the receipt's. */
static int sim_call_events(void *ctx, const plasma_receipt *r, plasma_event **ev, size_t *n)
{
    uint64_t next;
    size_t all = 0, k = 0;
    int rc = sim_events(ctx, r->block_number, r->block_number, ev, &all, &next);
    if (rc)
        return rc;
    for (size_t i = 0; i < all; i++)
        if ((*ev)[i].call_index == r->index)
            (*ev)[k++] = (*ev)[i];
    *n = k;
    return 0;
}

static int sim_block(void *ctx, uint64_t number, plasma_chain_block *out)
{
    sim_chain *s = ctx;
    return plasma_rootchain_client_block(s->rc, number, out);
}

static int sim_block_root(void *ctx, uint64_t blknum, plasma_block_record *out)
{
    sim_chain *s = ctx;
    return plasma_rootchain_client_block_root(s->rc, blknum, out);
}

static int sim_exit(void *ctx, uint64_t exit_id, plasma_exit_info *out)
{
    sim_chain *s = ctx;
    return plasma_rootchain_client_exit(s->rc, exit_id, out);
}

static int sim_ife(void *ctx, const plasma_u256 *ife_id, plasma_ife_info *out)
{
    sim_chain *s = ctx;
    return plasma_rootchain_client_ife(s->rc, ife_id, out);
}

static int sim_ife_tx(void *ctx, const plasma_u256 *ife_id, plasma_tx *out)
{
    sim_chain *s = ctx;
    return plasma_rootchain_client_ife_tx(s->rc, ife_id, out);
}

static int sim_ifes(void *ctx, const plasma_u256 *after, size_t limit, plasma_ife_info **out, size_t *n,
                    bool *more)
{
    sim_chain *s = ctx;
    return plasma_rootchain_client_ifes(s->rc, after, limit, out, n, more);
}

static int sim_finalized(void *ctx, const plasma_hash *output_id, plasma_u256 *by)
{
    sim_chain *s = ctx;
    return plasma_rootchain_client_finalized(s->rc, output_id, by);
}

static int sim_withdrawable(void *ctx, const plasma_addr *owner, const plasma_addr *token, plasma_u256 *out)
{
    sim_chain *s = ctx;
    return plasma_rootchain_client_withdrawable(s->rc, owner, token, out);
}

static int sim_balance(void *ctx, const plasma_addr *addr, const plasma_addr *token, plasma_u256 *out)
{
    sim_chain *s = ctx;
    return plasma_rootchain_client_balance(s->rc, addr, token, out);
}

static const char *sim_errmsg(void *ctx)
{
    sim_chain *s = ctx;
    return plasma_rootchain_client_errmsg(s->rc);
}

static void sim_free(void *ctx)
{
    sim_chain *s = ctx;
    if (!s)
        return;
    plasma_rootchain_client_free(s->rc);
    free(s);
}

static const client_chain_ops sim_ops = {
    .name = "sim",
    .status = sim_status,
    .send = sim_send,
    .wait = sim_wait,
    .call_events = sim_call_events,
    .events = sim_events,
    .block = sim_block,
    .block_root = sim_block_root,
    .exit = sim_exit,
    .ife = sim_ife,
    .ife_tx = sim_ife_tx,
    .ifes = sim_ifes,
    .finalized = sim_finalized,
    .withdrawable = sim_withdrawable,
    .balance = sim_balance,
    .errmsg = sim_errmsg,
    .free = sim_free,
};

int client_chain_sim_new(client_chain *out, const char *url, long timeout_ms)
{
    sim_chain *s = calloc(1, sizeof *s);
    if (!s || plasma_rootchain_client_new(&s->rc, url, timeout_ms) != 0) {
        free(s);
        return PLASMA_ERR_NOMEM;
    }
    out->ops = &sim_ops;
    out->ctx = s;
    return 0;
}

plasma_rootchain_client *client_chain_sim_client(const client_chain *ch)
{
    return ch->ops == &sim_ops ? ((sim_chain *)ch->ctx)->rc : NULL;
}
