/* Following the root chain and the operator (see watch_follow.h). */
#include "watch_follow.h"

#include "client_internal.h"
#include "watch_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K_QUEUE 'Q'

void watch_follow_init(watch_follow *f, plasma_client *c, watch_store *store)
{
    memset(f, 0, sizeof *f);
    f->c = c;
    f->store = store;
    f->ts_block = UINT64_MAX;
}

/* --- queue items --- */

static void item_key(uint8_t key[9], uint64_t seq)
{
    key[0] = K_QUEUE;
    watch_be64(key + 1, seq);
}

static size_t item_encode(uint8_t *rec, const watch_item *it)
{
    size_t n = 25;
    rec[0] = (uint8_t)it->kind;
    watch_be64(rec + 1, it->blknum);
    watch_be64(rec + 9, it->rc_block);
    watch_be64(rec + 17, it->rc_timestamp);
    if (it->kind == WATCH_ITEM_BLOCK) {
        memcpy(rec + n, it->root.b, 32);
        return n + 32;
    }
    uint8_t amount[32];
    size_t alen = plasma_u256_byte_len(&it->deposit.amount);
    memcpy(rec + n, it->deposit.owner.b, 20);
    memcpy(rec + n + 20, it->deposit.token.b, 20);
    plasma_u256_to_be(amount, &it->deposit.amount);
    memcpy(rec + n + 40, amount + 32 - alen, alen);
    return n + 40 + alen;
}

static int item_decode(watch_item *it, uint64_t seq, const uint8_t *rec, size_t len)
{
    memset(it, 0, sizeof *it);
    if (len < 25 || (rec[0] != WATCH_ITEM_BLOCK && rec[0] != WATCH_ITEM_DEPOSIT))
        return PLASMA_ERR_IO;
    it->seq = seq;
    it->kind = rec[0];
    it->blknum = watch_rd64(rec + 1);
    it->rc_block = watch_rd64(rec + 9);
    it->rc_timestamp = watch_rd64(rec + 17);
    if (it->kind == WATCH_ITEM_BLOCK) {
        if (len != 25 + 32)
            return PLASMA_ERR_IO;
        memcpy(it->root.b, rec + 25, 32);
        return 0;
    }
    if (len < 65 || len > 65 + 32)
        return PLASMA_ERR_IO;
    memcpy(it->deposit.owner.b, rec + 25, 20);
    memcpy(it->deposit.token.b, rec + 45, 20);
    return plasma_u256_from_be(&it->deposit.amount, rec + 65, len - 65) == 0 ? 0 : PLASMA_ERR_IO;
}

static void queue(watch_batch *b, const watch_item *it)
{
    uint8_t key[9], rec[128];
    item_key(key, it->seq);
    watch_batch_put(b, key, sizeof key, rec, item_encode(rec, it));
}

void watch_follow_pop(watch_batch *b, uint64_t seq)
{
    uint8_t key[9];
    item_key(key, seq);
    watch_batch_delete(b, key, sizeof key);
}

typedef struct items_ctx {
    watch_item *items;
    size_t max, n;
} items_ctx;

static int read_item(void *arg, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    items_ctx *x = arg;
    if (klen != 9 || item_decode(&x->items[x->n], watch_rd64(key + 1), val, vlen) != 0)
        return PLASMA_ERR_IO;
    return ++x->n == x->max ? 1 : 0;
}

int watch_follow_items(watch_follow *f, uint64_t seq, watch_item *items, size_t max, size_t *n)
{
    items_ctx x = {items, max, 0};
    uint8_t from[9];
    int rc;
    item_key(from, seq);
    rc = max ? watch_store_scan(f->store, from, sizeof from, 1, read_item, &x) : 0;
    if (rc < 0)
        return rc;
    *n = x.n;
    return 0;
}

/* --- root-chain events --- */

/* The timestamp of root-chain block number (one request per block). */
static int block_time(watch_follow *f, uint64_t number, uint64_t *ts)
{
    plasma_chain_block hdr;
    if (f->ts_block != number) {
        int rc = CHAIN_OP(f->c, block, number, &hdr);
        if (rc)
            return client_rc_fail(f->c, rc, "root-chain block");
        f->ts_block = number;
        f->ts = hdr.timestamp;
    }
    *ts = f->ts;
    return 0;
}

static int on_event(watch_follow *f, const plasma_event *ev, watch_batch *b, uint64_t *seq,
                    watch_event_fn on_other, void *ctx)
{
    watch_item it = {.seq = *seq, .rc_block = ev->block_number};
    int rc;
    switch (ev->kind) {
    case PLASMA_EVENT_DEPOSIT_CREATED:
        it.kind = WATCH_ITEM_DEPOSIT;
        it.blknum = ev->deposit_created.blknum;
        it.deposit.owner = ev->deposit_created.depositor;
        it.deposit.token = ev->deposit_created.token;
        it.deposit.amount = ev->deposit_created.amount;
        break;
    case PLASMA_EVENT_BLOCK_SUBMITTED:
        it.kind = WATCH_ITEM_BLOCK;
        it.blknum = ev->block_submitted.blknum;
        it.root = ev->block_submitted.root;
        if ((rc = block_time(f, ev->block_number, &it.rc_timestamp)) != 0)
            return rc;
        break;
    default:
        return on_other(ctx, ev, b);
    }
    queue(b, &it);
    (*seq)++;
    return 0;
}

/* --- on a chain that reorganises: through the chain's follower --- */

typedef struct follow_step {
    watch_follow *f;
    watch_batch *b;
    watch_event_fn on_other;
    watch_commit_fn commit;
    void *ctx;
    uint64_t seq; /* of the next item queued from the block being read */
    bool ours;    /* the step stopped on an error of ours (its message set), not the chain's */
} follow_step;

static int fs_event(void *ctx, const plasma_event *ev)
{
    follow_step *x = ctx;
    int rc = on_event(x->f, ev, x->b, &x->seq, x->on_other, x->ctx);
    x->ours = rc != 0;
    return rc;
}

static int fs_block(void *ctx, const client_chain_cursor *c)
{
    follow_step *x = ctx;
    watch_follow *f = x->f;
    watch_follow saved = *f;
    f->cursor = c->number + 1;
    f->hash = c->hash;
    f->have_hash = true;
    f->next_seq = x->seq;
    int rc = x->commit(x->ctx, x->b);
    x->ours = rc != 0;
    if (rc) { /* the block comes again */
        *f = saved;
        x->seq = saved.next_seq;
    }
    watch_batch_clear(x->b);
    return rc;
}

static int fs_undo(void *ctx, const client_chain_cursor *ancestor)
{
    follow_step *x = ctx;
    x->f->reorg_ancestor = ancestor->number;
    return WATCH_FOLLOW_REORG;
}

static int follow_reorganising(watch_follow *f, watch_batch *b, watch_event_fn on_other,
                               watch_commit_fn commit, void *ctx)
{
    follow_step x = {f, b, on_other, commit, ctx, f->next_seq, false};
    client_follow_sink sink = {&x, fs_event, fs_block, fs_undo};
    client_chain_cursor at = {f->cursor ? f->cursor - 1 : 0, f->hash};
    bool caught_up = false;
    int rc = 0;
    while (rc == 0 && !caught_up) {
        watch_batch_clear(b);
        x.seq = f->next_seq;
        rc = CHAIN_OP(f->c, follow, f->have_hash ? &at : NULL, &sink, &caught_up);
        at = (client_chain_cursor){f->cursor ? f->cursor - 1 : 0, f->hash};
    }
    return rc < 0 && !x.ours ? client_rc_fail(f->c, rc, "root-chain events") : rc;
}

int watch_follow_events(watch_follow *f, watch_batch *b, watch_event_fn on_other, watch_commit_fn commit,
                        void *ctx)
{
    if (f->c->chain.ops->follow)
        return follow_reorganising(f, b, on_other, commit, ctx);
    for (;;) {
        plasma_event *ev = NULL;
        size_t n = 0;
        uint64_t next = f->cursor, seq = f->next_seq, first_seq = f->next_seq, cursor = f->cursor;
        int rc = CHAIN_OP(f->c, events, f->cursor, UINT64_MAX, &ev, &n, &next);
        if (rc)
            return client_rc_fail(f->c, rc, "root-chain events");
        watch_batch_clear(b);
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = on_event(f, &ev[i], b, &seq, on_other, ctx);
        free(ev);
        if (rc)
            return rc;
        if (n == 0 && next <= cursor)
            return 0;
        f->cursor = next > cursor ? next : cursor;
        f->next_seq = seq;
        if ((rc = commit(ctx, b)) != 0) {
            f->cursor = cursor;
            f->next_seq = first_seq;
            return rc;
        }
        if (n == 0 || next <= cursor)
            return 0;
    }
}

/* --- the operator's blocks --- */

/* The largest block reply: 65,536 transactions of the largest size, in
 * hex (the JSON form doubles them), and room for the rest. */
#define MAX_BLOCK_REPLY (2u * PLASMA_MAX_TXS_PER_BLOCK * PLASMA_TX_MAX_RLP + 65536u)

int watch_follow_fetch(plasma_http_client *http, uint64_t blknum, plasma_buf *body, bool *binary)
{
    char path[64], ctype[128];
    long status = 0;
    snprintf(path, sizeof path, "/v1/blocks/%llu", (unsigned long long)blknum);
    int rc = plasma_http_get_bytes(http, path, "application/octet-stream, application/json;q=0.5",
                                   MAX_BLOCK_REPLY, &status, body, ctype, sizeof ctype);
    if (rc || status != 200) {
        body->len = 0;
        return (rc && rc != PLASMA_ERR_PAYLOAD_TOO_LARGE) || status >= 500 ? PLASMA_ERR_UNAVAILABLE
                                                                           : PLASMA_ERR_NOT_FOUND;
    }
    *binary = strncmp(ctype, "application/octet-stream", 24) == 0;
    return 0;
}
