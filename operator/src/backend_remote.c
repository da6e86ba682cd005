/* The remote backend: a plasma-rootchain daemon reached with its C client
 * (plasma/rootchain.h). The operator signs its submitBlock calls with its
 * own key; everything else is a query. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "backend_embedded.h"
#include "plasma/err.h"
#include "plasma/rootchain.h"
#include "plasma/rootchain_backend.h"

#define SUBMIT_GAS_LIMIT 200000u
#define SUBMIT_GAS_PRICE 1000000000u
/* Events asked for per request; the client pages through longer ranges. */
#define EVENTS_PAGE 2000u

typedef struct remote {
    plasma_rootchain_client *client;
    plasma_privkey key;
    plasma_addr addr;
    /* The submitBlock call in flight (submitter thread only). */
    uint64_t sent_blknum;
    plasma_hash sent_call;
} remote;

static int r_head(void *ctx, uint64_t *rc_block)
{
    remote *r = ctx;
    plasma_rootchain_status st;
    int rc = plasma_rootchain_client_status(r->client, &st);
    if (rc == 0)
        *rc_block = st.head_number;
    return rc;
}

static int r_next_child(void *ctx, uint64_t *blknum)
{
    remote *r = ctx;
    plasma_rootchain_status st;
    int rc = plasma_rootchain_client_status(r->client, &st);
    if (rc == 0)
        *blknum = st.next_child_block;
    return rc;
}

/* True when the last submitBlock for blknum is still in the node's pool. */
static bool in_flight(remote *r, uint64_t blknum)
{
    if (r->sent_blknum != blknum)
        return false;
    plasma_receipt rec;
    bool pending = false;
    return plasma_rootchain_client_receipt(r->client, &r->sent_call, &rec, &pending) == 0 && pending;
}

static int r_submit(void *ctx, uint64_t blknum, const plasma_hash *root)
{
    remote *r = ctx;
    plasma_rootchain_status st;
    int rc = plasma_rootchain_client_status(r->client, &st);
    if (rc < 0)
        return rc;
    if (st.next_child_block != blknum)
        return PLASMA_ERR_BAD_REQUEST;
    if (in_flight(r, blknum))
        return PLASMA_OK;
    uint64_t nonce, next;
    plasma_call_domain dom = {st.chain_id, st.contract};
    rc = plasma_rootchain_client_nonce(r->client, &r->addr, &nonce, &next);
    if (rc < 0)
        return rc;
    plasma_call c;
    plasma_call_init(&c, PLASMA_CALL_SUBMIT_BLOCK, &r->addr, next, SUBMIT_GAS_PRICE, SUBMIT_GAS_LIMIT);
    c.submit_block.root = *root;
    rc = plasma_rootchain_client_send(r->client, &dom, &c, &r->key, &r->sent_call, NULL);
    if (rc == 0)
        r->sent_blknum = blknum;
    return rc;
}

static int r_get_block(void *ctx, uint64_t blknum, plasma_hash *root, uint64_t *timestamp)
{
    remote *r = ctx;
    plasma_block_record rec;
    int rc = plasma_rootchain_client_block_root(r->client, blknum, &rec);
    if (rc == PLASMA_ERR_BLOCK_NOT_FOUND || rc == PLASMA_ERR_NOT_FOUND)
        return PLASMA_ERR_NOT_FOUND;
    if (rc < 0)
        return rc;
    *root = rec.root;
    *timestamp = rec.timestamp;
    return PLASMA_OK;
}

typedef struct out_list {
    void *items;
    size_t n;
    size_t cap;
    size_t size;
} out_list;

static int append(out_list *o, const void *item)
{
    if (plasma_grow(&o->items, &o->cap, o->n + 1, o->size) < 0)
        return PLASMA_ERR_NOMEM;
    memcpy((uint8_t *)o->items + o->n++ * o->size, item, o->size);
    return PLASMA_OK;
}

static int keep_event(remote *r, const plasma_event *ev, plasma_event_kind kind, out_list *o)
{
    if (ev->kind != kind)
        return PLASMA_OK;
    if (kind == PLASMA_EVENT_EXIT_STARTED) {
        plasma_rc_exit x = {ev->block_number, ev->exit_started.exit_id, ev->exit_started.owner,
                            ev->exit_started.token, ev->exit_started.amount};
        return append(o, &x);
    }
    plasma_rc_deposit d = {
        ev->block_number,          ev->deposit_created.blknum, ev->deposit_created.depositor,
        ev->deposit_created.token, ev->deposit_created.amount, 0};
    plasma_block_record rec;
    if (plasma_rootchain_client_block_root(r->client, d.blknum, &rec) == 0)
        d.timestamp = rec.timestamp;
    return append(o, &d);
}

static int collect(remote *r, uint64_t from, uint64_t to, plasma_event_kind kind, out_list *o)
{
    int rc = PLASMA_OK;
    while (rc == 0 && from <= to) {
        plasma_event *ev = NULL;
        size_t n = 0;
        uint64_t next = from;
        rc = plasma_rootchain_client_events(r->client, from, to, EVENTS_PAGE, &ev, &n, &next);
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = keep_event(r, &ev[i], kind, o);
        free(ev);
        if (rc == 0 && next <= from)
            break;
        from = next;
    }
    return rc;
}

static int r_deposits(void *ctx, uint64_t from, uint64_t to, plasma_rc_deposit **out, size_t *n)
{
    out_list o = {.size = sizeof **out};
    int rc = collect(ctx, from, to, PLASMA_EVENT_DEPOSIT_CREATED, &o);
    if (rc < 0) {
        free(o.items);
        return rc;
    }
    *out = o.items;
    *n = o.n;
    return PLASMA_OK;
}

static int r_exits(void *ctx, uint64_t from, uint64_t to, plasma_rc_exit **out, size_t *n)
{
    out_list o = {.size = sizeof **out};
    int rc = collect(ctx, from, to, PLASMA_EVENT_EXIT_STARTED, &o);
    if (rc < 0) {
        free(o.items);
        return rc;
    }
    *out = o.items;
    *n = o.n;
    return PLASMA_OK;
}

static int r_exit_events(void *ctx, uint64_t from, uint64_t to, plasma_rc_exit_event **out, size_t *n)
{
    remote *r = ctx;
    out_list o = {.size = sizeof **out};
    int rc = PLASMA_OK;
    while (rc == 0 && from <= to) {
        plasma_event *ev = NULL;
        size_t m = 0;
        uint64_t next = from;
        rc = plasma_rootchain_client_events(r->client, from, to, EVENTS_PAGE, &ev, &m, &next);
        for (size_t i = 0; rc == 0 && i < m; i++) {
            plasma_rc_exit_event x;
            if (op_exit_event_of(&ev[i], &x))
                rc = append(&o, &x);
        }
        free(ev);
        if (rc == 0 && next <= from)
            break;
        from = next;
    }
    if (rc < 0) {
        free(o.items);
        return rc;
    }
    *out = o.items;
    *n = o.n;
    return PLASMA_OK;
}

static int r_finalized(void *ctx, const plasma_hash *output_id, plasma_u256 *by)
{
    remote *r = ctx;
    return plasma_rootchain_client_finalized(r->client, output_id, by);
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

int plasma_rootchain_remote(plasma_rootchain_backend *out, const char *base_url, const plasma_privkey *key)
{
    remote *r = calloc(1, sizeof *r);
    if (!r)
        return PLASMA_ERR_NOMEM;
    r->key = *key;
    if (plasma_privkey_addr(&r->addr, key) != 0 ||
        plasma_rootchain_client_new(&r->client, base_url, 5000) != 0) {
        r_free(r);
        return PLASMA_ERR_NOMEM;
    }
    *out = (plasma_rootchain_backend){PLASMA_ROOTCHAIN_BACKEND_VERSION,
                                      "remote",
                                      r,
                                      r_head,
                                      r_next_child,
                                      r_submit,
                                      r_get_block,
                                      r_deposits,
                                      r_exits,
                                      r_exit_events,
                                      r_finalized,
                                      r_free};
    return PLASMA_OK;
}
