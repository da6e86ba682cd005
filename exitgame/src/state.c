/* State access with an undo journal.
 *
 * Every change made while a block is being mined (or a call dry-run) is
 * journaled first, so a reverted call, a dry run, or a block whose store
 * write failed can be undone exactly; and every changed record is flagged
 * so the block's change set can be written as one batch. */
#include "internal.h"

eg_mark eg_mark_now(const plasma_chain *c)
{
    eg_mark m = {c->n_jent, c->undo.len, c->n_events, c->n_dirty};
    return m;
}

static int journal_add(plasma_chain *c, const eg_jent *e)
{
    int rc = plasma_grow((void **)&c->jent, &c->cap_jent, c->n_jent + 1, sizeof *c->jent);
    if (rc != 0)
        return rc;
    c->jent[c->n_jent++] = *e;
    return PLASMA_OK;
}

static int mark_dirty(plasma_chain *c, unsigned table, uint32_t rec)
{
    eg_table *t = &c->t[table];
    if (t->dirty[rec])
        return PLASMA_OK;
    int rc = plasma_grow((void **)&c->dirty, &c->cap_dirty, c->n_dirty + 1, sizeof *c->dirty);
    if (rc != 0)
        return rc;
    c->dirty[c->n_dirty++] = (uint64_t)table << 32 | rec;
    t->dirty[rec] = 1;
    return PLASMA_OK;
}

int eg_touch(plasma_chain *c, unsigned table, uint32_t rec)
{
    eg_table *t = &c->t[table];
    eg_jent e = {.op = EG_J_UPDATE, .table = (uint8_t)table, .rec = rec, .off = c->undo.len};
    int rc = plasma_buf_append(&c->undo, eg_table_at(t, rec), t->rec_size);
    if (rc == 0)
        rc = journal_add(c, &e);
    if (rc == 0)
        rc = mark_dirty(c, table, rec);
    return rc;
}

int eg_touch_globals(plasma_chain *c)
{
    eg_jent e = {.op = EG_J_GLOBALS, .off = c->undo.len};
    int rc = plasma_buf_append(&c->undo, (const uint8_t *)&c->g, sizeof c->g);
    if (rc == 0)
        rc = journal_add(c, &e);
    if (rc == 0)
        c->globals_dirty = true;
    return rc;
}

int eg_create(plasma_chain *c, unsigned table, const void *key, uint32_t *rec)
{
    uint32_t r;
    int rc = eg_table_append(&c->t[table], key, &r);
    if (rc != 0)
        return rc;
    eg_jent e = {.op = EG_J_CREATE, .table = (uint8_t)table, .rec = r};
    rc = journal_add(c, &e);
    if (rc != 0) {
        eg_table_pop(&c->t[table]);
        return rc;
    }
    /* From here on a failure is undone by the journal like any other. */
    if (table != EG_T_QUEUE) {
        rc = mark_dirty(c, table, r);
        if (rc != 0)
            return rc;
    }
    *rec = r;
    return PLASMA_OK;
}

int eg_journal_heap(plasma_chain *c, uint32_t queue, const eg_heap_trace *tr)
{
    size_t writes = 0;
    for (size_t k = 0; k < tr->n_ops; k++)
        writes += tr->ops[k].write;
    int rc = plasma_grow((void **)&c->jent, &c->cap_jent, c->n_jent + writes + 1, sizeof *c->jent);
    if (rc != 0)
        return rc;
    /* Room is reserved: the entries below cannot fail. Undone newest first,
     * the writes go back in reverse, then the size. */
    eg_jent e = {.op = EG_J_HEAP_SIZE, .table = EG_T_QUEUE, .rec = queue, .off = tr->n_before};
    c->jent[c->n_jent++] = e;
    for (size_t k = 0; k < tr->n_ops; k++) {
        const eg_hop *o = &tr->ops[k];
        if (!o->write)
            continue;
        eg_jent w = {.op = o->id ? EG_J_HEAP_ID : EG_J_HEAP_KEY,
                     .table = EG_T_QUEUE,
                     .rec = queue,
                     .off = o->pos,
                     .node = o->old,
                     .word = o->word};
        c->jent[c->n_jent++] = w;
    }
    return PLASMA_OK;
}

static void undo_one(plasma_chain *c, const eg_jent *e)
{
    eg_table *t = &c->t[e->table];
    eg_queue *q;
    switch (e->op) {
    case EG_J_UPDATE:
        memcpy(eg_table_at(t, e->rec), c->undo.data + e->off, t->rec_size);
        break;
    case EG_J_CREATE:
        if (e->table == EG_T_QUEUE)
            eg_heap_free(&((eg_queue *)eg_table_at(t, e->rec))->heap);
        eg_table_pop(t);
        break;
    case EG_J_GLOBALS:
        memcpy(&c->g, c->undo.data + e->off, sizeof c->g);
        break;
    case EG_J_HEAP_SIZE:
        ((eg_queue *)eg_table_at(t, e->rec))->heap.n = e->off;
        break;
    case EG_J_HEAP_KEY:
        q = eg_table_at(t, e->rec);
        q->heap.a[e->off - 1] = e->node;
        break;
    case EG_J_HEAP_ID:
        q = eg_table_at(t, e->rec);
        q->heap.idw[e->off - 1] = e->word;
        break;
    }
}

void eg_undo_to(plasma_chain *c, const eg_mark *m)
{
    while (c->n_jent > m->n_jent)
        undo_one(c, &c->jent[--c->n_jent]);
    c->undo.len = m->undo_len;
    c->n_events = m->n_events;
    /* Records first flagged after the mark now hold their committed value
     * again; unflag them so a later change lists them anew. */
    while (c->n_dirty > m->n_dirty) {
        uint64_t d = c->dirty[--c->n_dirty];
        eg_table *t = &c->t[d >> 32];
        uint32_t rec = (uint32_t)d;
        if (rec < t->n)
            t->dirty[rec] = 0;
    }
}

void eg_journal_clear(plasma_chain *c)
{
    c->n_jent = 0;
    /* An append that failed for lack of memory must not fail every later
     * block: the journal starts empty again. */
    plasma_buf_clear(&c->undo);
}

void eg_dirty_clear(plasma_chain *c)
{
    for (size_t i = 0; i < c->n_dirty; i++) {
        eg_table *t = &c->t[c->dirty[i] >> 32];
        uint32_t rec = (uint32_t)c->dirty[i];
        if (rec < t->n)
            t->dirty[rec] = 0;
    }
    c->n_dirty = 0;
    c->globals_dirty = false;
    c->head_dirty = false;
}

/* ---- accounts and balances ---- */

bool eg_is_eth(const plasma_addr *token)
{
    return token == NULL || plasma_addr_is_zero(token);
}

eg_account *eg_account_get(const plasma_chain *c, const plasma_addr *addr)
{
    uint32_t r = eg_table_find(&c->t[EG_T_ACCOUNT], addr);
    return r == EG_NONE ? NULL : eg_table_at(&c->t[EG_T_ACCOUNT], r);
}

int eg_account_touch(plasma_chain *c, const plasma_addr *addr, eg_account **out)
{
    uint32_t r = eg_table_find(&c->t[EG_T_ACCOUNT], addr);
    int rc = r == EG_NONE ? eg_create(c, EG_T_ACCOUNT, addr, &r) : eg_touch(c, EG_T_ACCOUNT, r);
    if (rc != 0)
        return rc;
    *out = eg_table_at(&c->t[EG_T_ACCOUNT], r);
    return PLASMA_OK;
}

static void tokbal_key(uint8_t key[40], const plasma_addr *owner, const plasma_addr *token)
{
    memcpy(key, owner->b, 20);
    memcpy(key + 20, token->b, 20);
}

void eg_balance(plasma_u256 *out, const plasma_chain *c, const plasma_addr *addr, const plasma_addr *token)
{
    *out = plasma_u256_from_u64(0);
    if (eg_is_eth(token)) {
        const eg_account *a = eg_account_get(c, addr);
        if (a)
            *out = a->balance;
        return;
    }
    uint8_t key[40];
    tokbal_key(key, addr, token);
    uint32_t r = eg_table_find(&c->t[EG_T_TOKBAL], key);
    if (r != EG_NONE)
        *out = ((const eg_tokbal *)eg_table_at(&c->t[EG_T_TOKBAL], r))->amount;
}

/* Out: the balance slot of addr in token, found or created, journaled. */
static int balance_slot(plasma_chain *c, const plasma_addr *addr, const plasma_addr *token, plasma_u256 **out)
{
    if (eg_is_eth(token)) {
        eg_account *a;
        int rc = eg_account_touch(c, addr, &a);
        if (rc == 0)
            *out = &a->balance;
        return rc;
    }
    uint8_t key[40];
    tokbal_key(key, addr, token);
    uint32_t r = eg_table_find(&c->t[EG_T_TOKBAL], key);
    int rc = r == EG_NONE ? eg_create(c, EG_T_TOKBAL, key, &r) : eg_touch(c, EG_T_TOKBAL, r);
    if (rc == 0)
        *out = &((eg_tokbal *)eg_table_at(&c->t[EG_T_TOKBAL], r))->amount;
    return rc;
}

int eg_credit(plasma_chain *c, const plasma_addr *addr, const plasma_addr *token, const plasma_u256 *amount,
              bool *was_zero)
{
    plasma_u256 cur, sum;
    eg_balance(&cur, c, addr, token);
    if (was_zero)
        *was_zero = plasma_u256_is_zero(&cur);
    if (plasma_u256_is_zero(amount))
        return PLASMA_OK;
    if (plasma_u256_add(&sum, &cur, amount) != 0)
        return PLASMA_ERR_OVERFLOW;
    plasma_u256 *slot;
    int rc = balance_slot(c, addr, token, &slot);
    if (rc == 0)
        *slot = sum;
    return rc;
}

int eg_debit(plasma_chain *c, const plasma_addr *addr, const plasma_addr *token, const plasma_u256 *amount)
{
    plasma_u256 cur, rest;
    eg_balance(&cur, c, addr, token);
    if (plasma_u256_sub(&rest, &cur, amount) != 0)
        return PLASMA_ERR_INSUFFICIENT_FUNDS;
    if (plasma_u256_is_zero(amount))
        return PLASMA_OK;
    plasma_u256 *slot;
    int rc = balance_slot(c, addr, token, &slot);
    if (rc == 0)
        *slot = rest;
    return rc;
}

int eg_push_event(plasma_chain *c, const plasma_event *ev)
{
    int rc = plasma_grow((void **)&c->events, &c->cap_events, c->n_events + 1, sizeof *c->events);
    if (rc == 0)
        c->events[c->n_events++] = *ev;
    return rc;
}

const eg_heap *eg_queue_find(const plasma_chain *c, const plasma_addr *token)
{
    plasma_addr key = {{0}};
    if (token)
        key = *token;
    uint32_t r = eg_table_find(&c->t[EG_T_QUEUE], &key);
    return r == EG_NONE ? NULL : &((const eg_queue *)eg_table_at(&c->t[EG_T_QUEUE], r))->heap;
}

int eg_queue_get(plasma_chain *c, const plasma_addr *token, bool create, uint32_t *queue)
{
    plasma_addr key = {{0}};
    if (token)
        key = *token;
    uint32_t r = eg_table_find(&c->t[EG_T_QUEUE], &key);
    if (r == EG_NONE) {
        if (!create)
            return PLASMA_ERR_NOT_FOUND;
        int rc = eg_create(c, EG_T_QUEUE, &key, &r);
        if (rc != 0)
            return rc;
        ((eg_queue *)eg_table_at(&c->t[EG_T_QUEUE], r))->heap.ifes = &c->t[EG_T_IFE];
    }
    *queue = r;
    return PLASMA_OK;
}
