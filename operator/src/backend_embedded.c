/* The embedded root chain: a root-chain node (plasma_rootnode) in-process,
 * persisted under <data-dir>/rootchain, mined by its own timer, its JSON API
 * mounted under /rootchain. The backend functions call the exit-game
 * library directly while holding the node's lock. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_chain.h"
#include "backend_embedded.h"
#include "plasma/err.h"
#include "plasma/rootchain.h"

/* Events handed to the backend per call; it asks again for the rest. */
#define EVENTS_PAGE 2000u

struct op_embedded {
    plasma_rootnode *node;
    char dir[PLASMA_OPERATOR_PATH_MAX + 16];
};

static int e_head(void *ctx, op_chain_head *out)
{
    op_embedded *e = ctx;
    plasma_chain_head h;
    plasma_rootnode_lock(e->node);
    plasma_chain *chain = plasma_rootnode_chain(e->node);
    plasma_chain_get_head(&h, chain);
    plasma_chain_call_domain(&out->domain, chain);
    plasma_rootnode_unlock(e->node);
    out->number = h.number;
    out->next_child_block = h.next_child_block;
    return PLASMA_OK;
}

static int e_next_nonce(void *ctx, const plasma_addr *sender, uint64_t *out)
{
    op_embedded *e = ctx;
    plasma_rootnode_lock(e->node);
    *out = plasma_chain_next_nonce(plasma_rootnode_chain(e->node), sender);
    plasma_rootnode_unlock(e->node);
    return PLASMA_OK;
}

/* A call without a receipt is pending while the pool holds calls; the
 * pool is dropped by a restart, so an empty one means lost. */
static int e_pending(void *ctx, const plasma_hash *call, bool *out)
{
    op_embedded *e = ctx;
    plasma_receipt r;
    plasma_chain_head h;
    plasma_rootnode_lock(e->node);
    plasma_chain *chain = plasma_rootnode_chain(e->node);
    plasma_chain_get_head(&h, chain);
    int rc = plasma_chain_receipt(&r, chain, call);
    plasma_rootnode_unlock(e->node);
    if (rc < 0 && rc != PLASMA_ERR_NOT_FOUND)
        return rc;
    *out = rc == PLASMA_ERR_NOT_FOUND && h.pending_calls > 0;
    return PLASMA_OK;
}

/* In-process calls are not signed: the node takes call->from as sender. */
static int e_send(void *ctx, const plasma_call_domain *domain, const plasma_call *call, plasma_hash *out)
{
    op_embedded *e = ctx;
    (void)domain;
    return plasma_rootnode_submit(e->node, call, out, NULL);
}

static int e_block_root(void *ctx, uint64_t blknum, plasma_block_record *out)
{
    op_embedded *e = ctx;
    plasma_rootnode_lock(e->node);
    int rc = plasma_chain_block_root(out, plasma_rootnode_chain(e->node), blknum);
    plasma_rootnode_unlock(e->node);
    return rc;
}

typedef struct page {
    uint64_t to;
    plasma_event *ev;
    size_t n;
    size_t cap;
    uint64_t next; /* first block not covered */
} page;

/* Events arrive oldest first; a page ends at `to` or, past EVENTS_PAGE
 * events, at a block boundary. */
static int on_event(const plasma_event *ev, void *payload)
{
    page *p = payload;
    if (ev->block_number > p->to || (p->n >= EVENTS_PAGE && ev->block_number >= p->next))
        return 1;
    if (plasma_grow((void **)&p->ev, &p->cap, p->n + 1, sizeof *p->ev) < 0)
        return PLASMA_ERR_NOMEM;
    p->ev[p->n++] = *ev;
    p->next = ev->block_number + 1;
    return 0;
}

static int e_events(void *ctx, uint64_t from, uint64_t to, plasma_event **ev, size_t *n, uint64_t *next)
{
    op_embedded *e = ctx;
    page p = {.to = to, .next = from};
    plasma_rootnode_lock(e->node);
    plasma_chain_head h;
    plasma_chain_get_head(&h, plasma_rootnode_chain(e->node));
    int rc = plasma_chain_events_since(plasma_rootnode_chain(e->node), from, on_event, &p);
    plasma_rootnode_unlock(e->node);
    if (rc < 0) {
        free(p.ev);
        return rc;
    }
    /* A page that ran to its end covered every block up to `to` (or the head). */
    if (rc == 0 || p.n < EVENTS_PAGE)
        p.next = (to < h.number ? to : h.number) + 1;
    *ev = p.ev;
    *n = p.n;
    *next = p.next > from ? p.next : from + 1;
    return PLASMA_OK;
}

static int e_finalized(void *ctx, const plasma_hash *output_id, plasma_u256 *by)
{
    op_embedded *e = ctx;
    plasma_rootnode_lock(e->node);
    plasma_chain_finalized(by, plasma_rootnode_chain(e->node), output_id);
    plasma_rootnode_unlock(e->node);
    return PLASMA_OK;
}

/* The node is released by op_embedded_free, after the backend. */
static void e_free(void *ctx)
{
    (void)ctx;
}

static const op_chain_ops embedded_ops = {e_head,       e_next_nonce, e_pending,   e_send,
                                          e_block_root, e_events,     e_finalized, e_free};

static int node_config(plasma_rootnode_config *rc, op_embedded *e, const plasma_operator_config *cfg,
                       const plasma_privkey *key, char *err, size_t err_len)
{
    plasma_rootnode_config_default(rc);
    rc->chain.chain_id = cfg->chain_id;
    if (plasma_addr_parse(&rc->chain.contract, cfg->verifying_contract) != 0) {
        snprintf(err, err_len, "--verifying-contract is not an address");
        return PLASMA_ERR_CONFIG;
    }
    if (plasma_privkey_addr(&rc->chain.operator_addr, key) != 0) {
        snprintf(err, err_len, "the operator key is not a valid secp256k1 key");
        return PLASMA_ERR_CONFIG;
    }
    rc->chain.block_time = cfg->rc_block_interval_ms >= 1000 ? cfg->rc_block_interval_ms / 1000 : 1;
    rc->chain.min_exit_period = cfg->rc_min_exit_period_s;
    /* node.c checked both amounts before opening the ledger */
    if (plasma_u256_parse_dec(&rc->chain.ife_bond, cfg->ife_bond) != 0 ||
        plasma_u256_parse_dec(&rc->chain.piggyback_bond, cfg->piggyback_bond) != 0) {
        snprintf(err, err_len, "--ife-bond or --piggyback-bond is not an amount");
        return PLASMA_ERR_CONFIG;
    }
    snprintf(e->dir, sizeof e->dir, "%s/rootchain", cfg->data_dir);
    rc->data_dir = e->dir;
    rc->mine_interval_ms = cfg->rc_block_interval_ms;
    rc->dev = cfg->dev;
    return PLASMA_OK;
}

int op_embedded_start(op_embedded **out, plasma_rootchain_backend *table, const plasma_operator_config *cfg,
                      const plasma_privkey *key, char *err, size_t err_len)
{
    op_embedded *e = calloc(1, sizeof *e);
    if (!e)
        return PLASMA_ERR_NOMEM;
    plasma_rootnode_config rc;
    int r = node_config(&rc, e, cfg, key, err, err_len);
    if (r == 0) {
        r = plasma_rootnode_new(&e->node, &rc);
        if (r < 0)
            snprintf(err, err_len, "cannot open the embedded root chain in %s: %s", e->dir,
                     plasma_err_message(r));
    }
    if (r < 0) {
        op_embedded_free(e);
        return r;
    }
    if ((r = op_backend_over(table, "embedded", &embedded_ops, e, key)) < 0) {
        op_embedded_free(e);
        return r;
    }
    *out = e;
    return PLASMA_OK;
}

bool op_embedded_mount(op_embedded *e, plasma_http_mount *mount)
{
    plasma_rootnode_mount(e->node, "/rootchain", mount);
    return true;
}

void op_embedded_free(op_embedded *e)
{
    if (!e)
        return;
    plasma_rootnode_free(e->node);
    free(e);
}
