/* The call pool, call execution and mining.
 *
 * A call pays gas_limit × gas_price up front and consumes its nonce; its
 * contract logic runs under the gas meter; on failure its state changes are
 * undone (the prepayment and the nonce stay); the unused gas is refunded.
 * Fees are burned: there is no block producer to pay. */
#include "internal.h"

/* ---- admission ---- */

static void fee(plasma_u256 *out, uint64_t gas, uint64_t price)
{
    /* gas and price are 64-bit, so the product always fits. */
    *out = plasma_u256_from_u64(gas);
    plasma_u256_mul_u64(out, out, price);
}

static int admit(const plasma_chain *c, const plasma_call *call)
{
    uint64_t intrinsic = 0;
    int rc = eg_call_intrinsic_gas(&intrinsic, call);
    if (rc < 0)
        return rc;
    if (call->gas_limit > c->cfg.block_gas_limit)
        return PLASMA_ERR_GAS_LIMIT;
    if (call->gas_limit < intrinsic)
        return PLASMA_ERR_OUT_OF_GAS;
    if (call->nonce != plasma_chain_next_nonce(c, &call->from))
        return PLASMA_ERR_BAD_NONCE;
    plasma_u256 need, have, value;
    fee(&need, call->gas_limit, call->gas_price);
    plasma_call_value(&value, call);
    if (plasma_u256_add(&need, &need, &value) != 0)
        return PLASMA_ERR_INSUFFICIENT_FUNDS;
    eg_balance(&have, c, &call->from, NULL);
    return plasma_u256_cmp(&have, &need) < 0 ? PLASMA_ERR_INSUFFICIENT_FUNDS : PLASMA_OK;
}

/* The account that counts a sender's pending calls; created outside the
 * journal because the pool is not state (an empty account is never
 * stored). */
static int pending_account(plasma_chain *c, const plasma_addr *from, eg_account **out)
{
    eg_table *t = &c->t[EG_T_ACCOUNT];
    uint32_t r = eg_table_find(t, from);
    if (r == EG_NONE) {
        int rc = eg_table_append(t, from, &r);
        if (rc != 0)
            return rc;
    }
    *out = eg_table_at(t, r);
    return PLASMA_OK;
}

int plasma_chain_submit(plasma_chain *c, const plasma_call *call, plasma_hash *call_hash)
{
    int rc = admit(c, call);
    if (rc != 0)
        return rc;
    eg_pending *p = malloc(sizeof *p);
    if (!p)
        return PLASMA_ERR_NOMEM;
    p->call = *call;
    p->seq = c->seq;
    eg_account *a;
    rc = plasma_call_hash(&p->hash, &c->call_domain, call);
    if (rc == 0)
        rc = plasma_grow((void **)&c->pool, &c->cap_pool, c->n_pool + 1, sizeof *c->pool);
    if (rc == 0)
        rc = pending_account(c, &call->from, &a);
    if (rc != 0) {
        free(p);
        return rc;
    }
    a->pending++;
    c->seq++;
    c->pool[c->n_pool++] = p;
    if (call_hash)
        *call_hash = p->hash;
    return PLASMA_OK;
}

/* ---- execution ---- */

/* Executes one call. Out: *call_err, the receipt's error. Returns 0, or a
 * failure (NOMEM) that must abort the whole block. */
static int execute(plasma_chain *c, eg_exec *ex, bool check_nonce, int *call_err)
{
    const plasma_call *call = ex->call;
    plasma_u256 prepay, have;
    fee(&prepay, call->gas_limit, call->gas_price);
    eg_balance(&have, c, &call->from, NULL);
    if (check_nonce && plasma_chain_nonce(c, &call->from) != call->nonce) {
        *call_err = PLASMA_ERR_BAD_NONCE;
        return PLASMA_OK;
    }
    eg_account *a;
    int rc = eg_account_touch(c, &call->from, &a);
    if (rc != 0)
        return rc;
    a->nonce++;
    if (plasma_u256_cmp(&have, &prepay) < 0) {
        *call_err = PLASMA_ERR_INSUFFICIENT_FUNDS;
        return PLASMA_OK;
    }
    plasma_u256_sub(&a->balance, &a->balance, &prepay);
    eg_mark inner = eg_mark_now(c);
    uint64_t intrinsic = 0;
    int err = eg_call_intrinsic_gas(&intrinsic, call);
    if (err == 0)
        err = eg_gas(ex, intrinsic);
    if (err == 0)
        err = eg_meter_begin(ex);
    if (err == 0)
        err = eg_contract_run(ex);
    if (err == 0)
        eg_meter_end(ex); /* a reverted call gets no refund */
    else
        eg_undo_to(c, &inner);
    if (err == PLASMA_ERR_NOMEM)
        return err;
    plasma_u256 refund;
    fee(&refund, call->gas_limit - ex->gas_used, call->gas_price);
    rc = eg_credit(c, &call->from, NULL, &refund, NULL);
    *call_err = err;
    return rc;
}

/* The timestamp the next block will carry. */
static int next_timestamp(const plasma_chain *c, uint64_t *out)
{
    uint64_t step = c->cfg.block_time + c->head.time_offset;
    if (step > UINT64_MAX - c->head.timestamp)
        return PLASMA_ERR_OVERFLOW;
    *out = c->head.timestamp + step;
    return PLASMA_OK;
}

int plasma_chain_check_call(plasma_chain *c, const plasma_call *call, uint64_t *gas_used)
{
    int rc = admit(c, call);
    if (rc != 0)
        return rc;
    eg_exec ex = {.c = c, .call = call, .gas_limit = call->gas_limit, .block_number = c->head.number + 1};
    rc = next_timestamp(c, &ex.now);
    if (rc != 0)
        return rc;
    eg_mark start = eg_mark_now(c);
    int err = PLASMA_OK;
    rc = execute(c, &ex, false, &err);
    eg_undo_to(c, &start);
    eg_journal_clear(c);
    if (rc != 0)
        return rc;
    if (gas_used)
        *gas_used = ex.gas_used;
    return err;
}

/* ---- block building ---- */

static int push_receipt(plasma_chain *c, const plasma_receipt *r)
{
    int rc = plasma_grow((void **)&c->receipts, &c->cap_receipts, c->n_receipts + 1, sizeof *c->receipts);
    if (rc == 0)
        c->receipts[c->n_receipts++] = *r;
    return rc;
}

static int apply_pending(plasma_chain *c, const eg_pending *p, eg_block *b)
{
    const plasma_call *call = &p->call;
    plasma_receipt r = {.call_hash = p->hash,
                        .block_number = b->hdr.number,
                        .index = b->hdr.n_calls,
                        .kind = call->kind,
                        .from = call->from,
                        .nonce = call->nonce,
                        .gas_price = call->gas_price};
    eg_exec ex = {.c = c,
                  .call = call,
                  .gas_limit = call->gas_limit,
                  .now = b->hdr.timestamp,
                  .block_number = b->hdr.number,
                  .call_index = b->hdr.n_calls};
    int rc = execute(c, &ex, true, &r.err);
    if (rc != 0)
        return rc;
    r.gas_used = ex.gas_used;
    rc = push_receipt(c, &r);
    if (rc != 0)
        return rc;
    b->hdr.n_calls++;
    b->hdr.gas_used += ex.gas_used;
    return PLASMA_OK;
}

/* Calls ready to run: each sender's lowest pending nonce, best first. */
typedef struct ready_heap {
    const plasma_chain *c;
    uint32_t *a;
    size_t n;
} ready_heap;

static bool ready_before(const ready_heap *h, uint32_t x, uint32_t y)
{
    const eg_pending *p = h->c->pool[x], *q = h->c->pool[y];
    if (p->call.gas_price != q->call.gas_price)
        return p->call.gas_price > q->call.gas_price;
    return p->seq < q->seq;
}

static void ready_push(ready_heap *h, uint32_t v)
{
    size_t i = h->n++;
    while (i > 0 && ready_before(h, v, h->a[(i - 1) / 2])) {
        h->a[i] = h->a[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->a[i] = v;
}

static uint32_t ready_pop(ready_heap *h)
{
    uint32_t top = h->a[0], v = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, best = l;
        if (l >= h->n)
            break;
        if (l + 1 < h->n && ready_before(h, h->a[l + 1], h->a[l]))
            best = l + 1;
        if (!ready_before(h, h->a[best], v))
            break;
        h->a[i] = h->a[best];
        i = best;
    }
    if (h->n > 0)
        h->a[i] = v;
    return top;
}

static bool pool_sender_eq(const void *ctx, uint32_t rec, const void *key)
{
    const plasma_chain *c = ctx;
    return plasma_addr_eq(&c->pool[rec]->call.from, key);
}

/* Links each pending call to the same sender's next one (arrival order is
 * nonce order) and makes each sender's first call ready. */
static int link_senders(plasma_chain *c, uint32_t *next, ready_heap *ready)
{
    eg_index senders = {0};
    uint32_t *tail = malloc((c->n_pool ? c->n_pool : 1) * sizeof *tail);
    int rc = tail ? PLASMA_OK : PLASMA_ERR_NOMEM;
    for (uint32_t i = 0; rc == 0 && i < c->n_pool; i++) {
        const plasma_addr *from = &c->pool[i]->call.from;
        uint64_t fp = eg_fingerprint(from->b, sizeof from->b, c->seed);
        uint32_t first = eg_index_find(&senders, fp, pool_sender_eq, c, from);
        next[i] = EG_NONE;
        if (first != EG_NONE) {
            next[tail[first]] = i;
            tail[first] = i;
            continue;
        }
        rc = eg_index_insert(&senders, fp, i);
        tail[i] = i;
        ready_push(ready, i);
    }
    free(tail);
    eg_index_free(&senders);
    return rc;
}

/* Runs pending calls into b while they fit. Out: executed[i] for pool[i]. */
static int fill_block(plasma_chain *c, eg_block *b, uint8_t *executed)
{
    size_t n = c->n_pool ? c->n_pool : 1;
    uint32_t *next = malloc(n * sizeof *next);
    ready_heap ready = {c, malloc(n * sizeof(uint32_t)), 0};
    int rc = next && ready.a ? link_senders(c, next, &ready) : PLASMA_ERR_NOMEM;
    while (rc == 0 && ready.n > 0 && b->hdr.gas_limit - b->hdr.gas_used >= PLASMA_GAS_BASE) {
        uint32_t i = ready_pop(&ready);
        /* A call that does not fit waits, and its sender's later calls
         * with it: they are never made ready in this block. */
        if (c->pool[i]->call.gas_limit > b->hdr.gas_limit - b->hdr.gas_used)
            continue;
        rc = apply_pending(c, c->pool[i], b);
        executed[i] = 1;
        if (rc == 0 && next[i] != EG_NONE)
            ready_push(&ready, next[i]);
    }
    free(next);
    free(ready.a);
    return rc;
}

/* ---- sealing ---- */

int eg_block_hash(const plasma_chain *c, eg_block *b)
{
    plasma_buf buf = {0};
    size_t outer = plasma_rlp_list_begin(&buf);
    plasma_rlp_put_bytes(&buf, b->hdr.parent_hash.b, 32);
    plasma_rlp_put_u64(&buf, b->hdr.number);
    plasma_rlp_put_u64(&buf, b->hdr.timestamp);
    plasma_rlp_put_u64(&buf, b->hdr.gas_limit);
    plasma_rlp_put_u64(&buf, b->hdr.gas_used);
    size_t calls = plasma_rlp_list_begin(&buf);
    for (size_t i = 0; i < b->hdr.n_calls; i++)
        plasma_rlp_put_bytes(&buf, eg_receipt_at(c, b->first_receipt + i)->call_hash.b, 32);
    plasma_rlp_list_end(&buf, calls);
    int rc = plasma_rlp_list_end(&buf, outer);
    if (rc == 0 && buf.failed)
        rc = PLASMA_ERR_NOMEM;
    if (rc == 0)
        plasma_keccak256(&b->hdr.hash, buf.data, buf.len);
    plasma_buf_free(&buf);
    return rc;
}

int eg_history_append_block(plasma_chain *c, const eg_block *b)
{
    if (b->hdr.number != c->n_blocks)
        return PLASMA_ERR_INTERNAL;
    int rc = plasma_grow((void **)&c->blocks, &c->cap_blocks, c->n_blocks + 1, sizeof *c->blocks);
    if (rc == 0)
        c->blocks[c->n_blocks++] = *b;
    return rc;
}

int eg_receipt_index(plasma_chain *c, uint32_t rec)
{
    return eg_index_insert(&c->receipt_ix, eg_fingerprint(c->receipts[rec].call_hash.b, 32, c->seed), rec);
}

/* Removes receipts [from, to) (positions in c->receipts) from the index. */
static void unindex_receipts(plasma_chain *c, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        eg_index_remove(&c->receipt_ix, eg_fingerprint(c->receipts[i].call_hash.b, 32, c->seed), (uint32_t)i);
}

/* Makes b the new head and writes it out. */
static int seal(plasma_chain *c, eg_block *b)
{
    b->hdr.n_events = (uint32_t)(eg_event_count(c) - b->first_event);
    int rc = eg_block_hash(c, b);
    if (rc == 0)
        rc = eg_history_append_block(c, b);
    for (size_t i = b->first_receipt - c->receipt_base; rc == 0 && i < c->n_receipts; i++)
        rc = eg_receipt_index(c, (uint32_t)i);
    if (rc != 0)
        return rc;
    c->head.number = b->hdr.number;
    c->head.timestamp = b->hdr.timestamp;
    c->head.hash = b->hdr.hash;
    c->head.time_offset = 0;
    c->head.total_gas += b->hdr.gas_used;
    c->head_dirty = true;
    return c->store ? eg_persist_commit(c, b) : PLASMA_OK;
}

static void unseal(plasma_chain *c, const eg_block *b, const eg_head *old_head)
{
    unindex_receipts(c, b->first_receipt - c->receipt_base, c->n_receipts);
    c->n_receipts = b->first_receipt - c->receipt_base;
    if (c->n_blocks > b->hdr.number)
        c->n_blocks = b->hdr.number;
    c->head = *old_head;
    eg_mark start = {0, 0, b->first_event - c->event_base, 0};
    eg_undo_to(c, &start);
    eg_journal_clear(c);
    c->globals_dirty = false;
    c->head_dirty = false;
}

/* Frees the executed calls and closes the gaps they leave. */
static void drop_executed(plasma_chain *c, const uint8_t *executed)
{
    size_t kept = 0;
    for (size_t i = 0; i < c->n_pool; i++) {
        if (!executed[i]) {
            c->pool[kept++] = c->pool[i];
            continue;
        }
        eg_account *a = eg_account_get(c, &c->pool[i]->call.from);
        if (a && a->pending > 0)
            a->pending--;
        free(c->pool[i]);
    }
    c->n_pool = kept;
}

int plasma_chain_mine(plasma_chain *c, plasma_chain_block *out)
{
    eg_block b;
    memset(&b, 0, sizeof b);
    b.hdr.number = c->head.number + 1;
    b.hdr.parent_hash = c->head.hash;
    b.hdr.gas_limit = c->cfg.block_gas_limit;
    b.first_receipt = eg_receipt_count(c);
    b.first_event = eg_event_count(c);
    int rc = next_timestamp(c, &b.hdr.timestamp);
    if (rc != 0)
        return rc;
    uint8_t *executed = calloc(c->n_pool ? c->n_pool : 1, 1);
    if (!executed)
        return PLASMA_ERR_NOMEM;
    eg_head old_head = c->head;
    rc = fill_block(c, &b, executed);
    if (rc == 0)
        rc = seal(c, &b);
    if (rc != 0) {
        unseal(c, &b, &old_head);
    } else {
        drop_executed(c, executed);
        eg_journal_clear(c);
        eg_dirty_clear(c);
        if (out)
            *out = b.hdr;
        /* The block is committed; a failure to shrink memory is not its
         * failure (the window is retried after the next block). */
        eg_prune_history(c);
    }
    free(executed);
    return rc;
}

/* ---- the history window ---- */

static int reindex_receipts(plasma_chain *c)
{
    eg_index_free(&c->receipt_ix);
    for (size_t i = 0; i < c->n_receipts; i++) {
        int rc = eg_receipt_index(c, (uint32_t)i);
        if (rc != 0)
            return rc;
    }
    return PLASMA_OK;
}

/* Forgets the first `drop` held items of an array once they are at least
 * half of it, so that each item is moved O(1) times on average. */
static bool compact(void *arr, size_t *n, size_t *base, size_t drop, size_t elem)
{
    if (drop == 0 || drop < *n - drop)
        return false;
    memmove(arr, (uint8_t *)arr + drop * elem, (*n - drop) * elem);
    *n -= drop;
    *base += drop;
    return true;
}

int eg_prune_history(plasma_chain *c)
{
    uint64_t keep = c->cfg.history_blocks;
    if (keep == 0 || c->head.number < keep)
        return PLASMA_OK;
    uint64_t from = c->head.number - keep + 1;
    if (from <= c->oldest_block)
        return PLASMA_OK;
    size_t old_r = c->blocks[c->oldest_block].first_receipt - c->receipt_base;
    size_t cut_r = c->blocks[from].first_receipt - c->receipt_base;
    unindex_receipts(c, old_r, cut_r);
    c->oldest_block = from;
    compact(c->events, &c->n_events, &c->event_base, c->blocks[from].first_event - c->event_base,
            sizeof *c->events);
    if (compact(c->receipts, &c->n_receipts, &c->receipt_base, cut_r, sizeof *c->receipts))
        return reindex_receipts(c);
    return PLASMA_OK;
}
