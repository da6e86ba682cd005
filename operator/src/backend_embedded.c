/* The embedded root chain: a root-chain node (plasma_rootnode) in-process,
 * persisted under <data-dir>/rootchain, mined by its own timer, its JSON API
 * mounted under /rootchain. The backend functions call the exit-game
 * library directly while holding the node's lock. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_embedded.h"
#include "plasma/err.h"
#include "plasma/rootchain.h"

/* Generous for submitBlock (two new storage slots, a log, calldata). */
#define SUBMIT_GAS_LIMIT 200000u
#define SUBMIT_GAS_PRICE 1000000000u

struct op_embedded {
    plasma_rootnode *node;
    plasma_addr operator_addr;
    char dir[PLASMA_OPERATOR_PATH_MAX + 16];
    /* The submitBlock call in flight (submitter thread only), so that a
     * retry before it is mined does not queue a second block. */
    uint64_t sent_blknum;
    plasma_hash sent_call;
};

static void head_of(op_embedded *e, plasma_chain_head *h)
{
    plasma_rootnode_lock(e->node);
    plasma_chain_get_head(h, plasma_rootnode_chain(e->node));
    plasma_rootnode_unlock(e->node);
}

static int e_head(void *ctx, uint64_t *rc_block)
{
    plasma_chain_head h;
    head_of(ctx, &h);
    *rc_block = h.number;
    return PLASMA_OK;
}

static int e_next_child(void *ctx, uint64_t *blknum)
{
    plasma_chain_head h;
    head_of(ctx, &h);
    *blknum = h.next_child_block;
    return PLASMA_OK;
}

static int e_submit(void *ctx, uint64_t blknum, const plasma_hash *root)
{
    op_embedded *e = ctx;
    plasma_rootnode_lock(e->node);
    plasma_chain *chain = plasma_rootnode_chain(e->node);
    plasma_chain_head h;
    plasma_chain_get_head(&h, chain);
    plasma_receipt r;
    bool in_flight = e->sent_blknum == blknum &&
                     plasma_chain_receipt(&r, chain, &e->sent_call) == PLASMA_ERR_NOT_FOUND &&
                     h.pending_calls > 0;
    uint64_t nonce = plasma_chain_next_nonce(chain, &e->operator_addr);
    plasma_rootnode_unlock(e->node);
    if (h.next_child_block != blknum)
        return PLASMA_ERR_BAD_REQUEST;
    if (in_flight)
        return PLASMA_OK;
    plasma_call c;
    plasma_call_init(&c, PLASMA_CALL_SUBMIT_BLOCK, &e->operator_addr, nonce, SUBMIT_GAS_PRICE,
                     SUBMIT_GAS_LIMIT);
    c.submit_block.root = *root;
    int rc = plasma_rootnode_submit(e->node, &c, &e->sent_call, NULL);
    if (rc == 0)
        e->sent_blknum = blknum;
    return rc;
}

static int e_get_block(void *ctx, uint64_t blknum, plasma_hash *root, uint64_t *timestamp)
{
    op_embedded *e = ctx;
    plasma_block_record r;
    plasma_rootnode_lock(e->node);
    int rc = plasma_chain_block_root(&r, plasma_rootnode_chain(e->node), blknum);
    plasma_rootnode_unlock(e->node);
    if (rc == PLASMA_ERR_BLOCK_NOT_FOUND)
        return PLASMA_ERR_NOT_FOUND;
    if (rc < 0)
        return rc;
    *root = r.root;
    *timestamp = r.timestamp;
    return PLASMA_OK;
}

typedef struct collect {
    const plasma_chain *chain;
    uint64_t to;
    plasma_event_kind kind;
    void *items;
    size_t n;
    size_t cap;
    size_t item_size;
} collect;

static int push(collect *c, const void *item)
{
    if (plasma_grow(&c->items, &c->cap, c->n + 1, c->item_size) < 0)
        return PLASMA_ERR_NOMEM;
    memcpy((uint8_t *)c->items + c->n++ * c->item_size, item, c->item_size);
    return 0;
}

/* Events arrive oldest first; everything past `to` is left for later. */
static int on_event(const plasma_event *ev, void *payload)
{
    collect *c = payload;
    if (ev->block_number > c->to)
        return 1;
    if (ev->kind != c->kind)
        return 0;
    if (ev->kind == PLASMA_EVENT_DEPOSIT_CREATED) {
        plasma_rc_deposit d = {
            ev->block_number,          ev->deposit_created.blknum, ev->deposit_created.depositor,
            ev->deposit_created.token, ev->deposit_created.amount, 0};
        plasma_chain_block hdr;
        if (plasma_chain_block_header(&hdr, c->chain, ev->block_number) == 0)
            d.timestamp = hdr.timestamp;
        return push(c, &d);
    }
    plasma_rc_exit x = {ev->block_number, ev->exit_started.exit_id, ev->exit_started.owner,
                        ev->exit_started.token, ev->exit_started.amount};
    return push(c, &x);
}

static int events(op_embedded *e, uint64_t from, uint64_t to, plasma_event_kind kind, size_t item_size,
                  void **out, size_t *n)
{
    plasma_rootnode_lock(e->node);
    collect c = {.chain = plasma_rootnode_chain(e->node), .to = to, .kind = kind, .item_size = item_size};
    int rc = plasma_chain_events_since(c.chain, from, on_event, &c);
    plasma_rootnode_unlock(e->node);
    if (rc < 0) {
        free(c.items);
        return rc;
    }
    *out = c.items;
    *n = c.n;
    return PLASMA_OK;
}

static int e_deposits(void *ctx, uint64_t from, uint64_t to, plasma_rc_deposit **out, size_t *n)
{
    return events(ctx, from, to, PLASMA_EVENT_DEPOSIT_CREATED, sizeof **out, (void **)out, n);
}

static int e_exits(void *ctx, uint64_t from, uint64_t to, plasma_rc_exit **out, size_t *n)
{
    return events(ctx, from, to, PLASMA_EVENT_EXIT_STARTED, sizeof **out, (void **)out, n);
}

/* ExitFinalized and the in-flight exits' start and end, as the follower
 * needs them. Returns whether ev is one of them (*out filled). */
bool op_exit_event_of(const plasma_event *ev, plasma_rc_exit_event *out)
{
    memset(out, 0, sizeof *out);
    out->rc_block = ev->block_number;
    switch (ev->kind) {
    case PLASMA_EVENT_EXIT_FINALIZED:
        out->kind = PLASMA_RC_EXIT_FINALIZED;
        out->exit_id = ev->exit_finalized.exit_id;
        return true;
    case PLASMA_EVENT_IFE_STARTED:
        out->kind = PLASMA_RC_IFE_STARTED;
        out->ife_id = ev->ife_started.ife_id;
        out->txhash = ev->ife_started.txhash;
        out->n_inputs = ev->ife_started.n_inputs;
        memcpy(out->inputs, ev->ife_started.inputs, sizeof out->inputs);
        return true;
    case PLASMA_EVENT_IFE_FINALIZED:
    case PLASMA_EVENT_IFE_DELETED:
        out->kind = PLASMA_RC_IFE_CLOSED;
        out->ife_id = ev->ife_closed.ife_id;
        return true;
    default:
        return false;
    }
}

typedef struct exit_collect {
    uint64_t to;
    plasma_rc_exit_event *items;
    size_t n, cap;
} exit_collect;

static int on_exit_event(const plasma_event *ev, void *payload)
{
    exit_collect *c = payload;
    if (ev->block_number > c->to)
        return 1;
    plasma_rc_exit_event x;
    if (!op_exit_event_of(ev, &x))
        return 0;
    if (plasma_grow((void **)&c->items, &c->cap, c->n + 1, sizeof *c->items) < 0)
        return PLASMA_ERR_NOMEM;
    c->items[c->n++] = x;
    return 0;
}

static int e_exit_events(void *ctx, uint64_t from, uint64_t to, plasma_rc_exit_event **out, size_t *n)
{
    op_embedded *e = ctx;
    exit_collect c = {.to = to};
    plasma_rootnode_lock(e->node);
    int rc = plasma_chain_events_since(plasma_rootnode_chain(e->node), from, on_exit_event, &c);
    plasma_rootnode_unlock(e->node);
    if (rc < 0) {
        free(c.items);
        return rc;
    }
    *out = c.items;
    *n = c.n;
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

static void e_free(void *ctx)
{
    (void)ctx;
}

static int node_config(plasma_rootnode_config *rc, op_embedded *e, const plasma_operator_config *cfg,
                       char *err, size_t err_len)
{
    plasma_rootnode_config_default(rc);
    rc->chain.chain_id = cfg->chain_id;
    if (plasma_addr_parse(&rc->chain.contract, cfg->verifying_contract) != 0) {
        snprintf(err, err_len, "--verifying-contract is not an address");
        return PLASMA_ERR_CONFIG;
    }
    rc->chain.operator_addr = e->operator_addr;
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
    int r = plasma_privkey_addr(&e->operator_addr, key);
    if (r == 0)
        r = node_config(&rc, e, cfg, err, err_len);
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
    *table = (plasma_rootchain_backend){PLASMA_ROOTCHAIN_BACKEND_VERSION,
                                        "embedded",
                                        e,
                                        e_head,
                                        e_next_child,
                                        e_submit,
                                        e_get_block,
                                        e_deposits,
                                        e_exits,
                                        e_exit_events,
                                        e_finalized,
                                        e_free};
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
