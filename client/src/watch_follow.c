/* Following the root chain and the operator (see watch_follow.h). */
#include "watch_follow.h"

#include "client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void watch_follow_init(watch_follow *f, plasma_client *c)
{
    memset(f, 0, sizeof *f);
    f->c = c;
}

void watch_follow_free(watch_follow *f)
{
    free(f->items);
    memset(f, 0, sizeof *f);
}

static int push(watch_follow *f, const watch_item *it)
{
    if (plasma_grow((void **)&f->items, &f->cap_items, f->n_items + 1, sizeof *f->items) < 0)
        return PLASMA_ERR_NOMEM;
    f->items[f->n_items++] = *it;
    return 0;
}

const watch_item *watch_follow_head(const watch_follow *f)
{
    return f->n_items ? &f->items[0] : NULL;
}

void watch_follow_pop(watch_follow *f)
{
    memmove(&f->items[0], &f->items[1], (f->n_items - 1) * sizeof *f->items);
    f->n_items--;
}

uint64_t watch_follow_resume_block(const watch_follow *f)
{
    return f->n_items ? f->items[0].rc_block : f->cursor;
}

static int on_event(watch_follow *f, const plasma_event *ev, watch_exit_fn on_exit, void *ctx)
{
    watch_item it = {.first_seen = now_s(), .rc_block = ev->block_number};
    switch (ev->kind) {
    case PLASMA_EVENT_DEPOSIT_CREATED:
        it.kind = WATCH_ITEM_DEPOSIT;
        it.blknum = ev->deposit_created.blknum;
        it.deposit.owner = ev->deposit_created.depositor;
        it.deposit.token = ev->deposit_created.token;
        it.deposit.amount = ev->deposit_created.amount;
        return push(f, &it);
    case PLASMA_EVENT_BLOCK_SUBMITTED:
        it.kind = WATCH_ITEM_BLOCK;
        it.blknum = ev->block_submitted.blknum;
        it.root = ev->block_submitted.root;
        return push(f, &it);
    case PLASMA_EVENT_EXIT_STARTED:
        return on_exit(ctx, ev);
    default:
        return 0;
    }
}

int watch_follow_events(watch_follow *f, watch_exit_fn on_exit, void *ctx)
{
    for (;;) {
        plasma_event *ev = NULL;
        size_t n = 0;
        uint64_t next = f->cursor;
        int rc = plasma_rootchain_client_events(f->c->rc, f->cursor, UINT64_MAX, 0, &ev, &n, &next);
        if (rc)
            return client_rc_fail(f->c, rc, "root-chain events");
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = on_event(f, &ev[i], on_exit, ctx);
        free(ev);
        if (rc)
            return client_fail(f->c, rc, "watcher: %s", plasma_err_message(rc));
        bool more = n > 0 && next > f->cursor;
        f->cursor = next > f->cursor ? next : f->cursor;
        if (!more)
            return 0;
    }
}

/* The largest block reply: 65,536 transactions of the largest size, in
 * hex (the JSON form doubles them), and room for the rest. */
#define MAX_BLOCK_REPLY (2u * PLASMA_MAX_TXS_PER_BLOCK * PLASMA_TX_MAX_RLP + 65536u)

void watch_served_free(watch_served *s)
{
    plasma_buf_free(&s->body);
}

int watch_follow_fetch(watch_follow *f, uint64_t blknum, watch_served *out)
{
    char path[64], ctype[128];
    long status = 0;
    plasma_buf body = {0};
    snprintf(path, sizeof path, "/v1/blocks/%llu", (unsigned long long)blknum);
    int rc = plasma_http_get_bytes(f->c->op, path, "application/octet-stream, application/json;q=0.5",
                                   MAX_BLOCK_REPLY, &status, &body, ctype, sizeof ctype);
    if (rc || status != 200) {
        plasma_buf_free(&body);
        return PLASMA_ERR_NOT_FOUND;
    }
    out->body = body;
    out->binary = strncmp(ctype, "application/octet-stream", 24) == 0;
    return 0;
}
