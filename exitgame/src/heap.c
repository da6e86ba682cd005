/* The per-token exit queue: a binary min-heap in one array, ordered by
 * (exitable_at, pos, id), kept exactly as the contract keeps its own
 * (contracts/src/lib/ExitQueue.sol): the same algorithm over the same
 * positions, so that each push and pop reads and writes the slots the
 * contract's would, and the trace of those accesses prices them
 * (meter.c). Positions in a trace are 1-based, as the contract's. */
#include "internal.h"

void eg_heap_free(eg_heap *h)
{
    const eg_table *ifes = h->ifes;
    free(h->a);
    free(h->idw);
    memset(h, 0, sizeof *h);
    h->ifes = ifes;
}

/* The id of an entry, as 32 big-endian bytes. */
static void node_id(uint8_t out[32], const eg_heap *h, const eg_node *n)
{
    if (n->ife == EG_NONE) {
        memset(out, 0, 24);
        eg_put_u64(out + 24, n->utxo_pos);
        return;
    }
    memcpy(out, ((const eg_ife *)eg_table_at(h->ifes, n->ife))->id, 32);
}

bool eg_node_less(const eg_heap *h, const eg_node *a, const eg_node *b)
{
    if (a->exitable_at != b->exitable_at)
        return a->exitable_at < b->exitable_at;
    if (a->utxo_pos != b->utxo_pos)
        return a->utxo_pos < b->utxo_pos;
    if (a->ife == EG_NONE || b->ife == EG_NONE)
        return a->ife == EG_NONE && b->ife != EG_NONE;
    uint8_t x[32], y[32];
    node_id(x, h, a);
    node_id(y, h, b);
    return memcmp(x, y, 32) < 0;
}

uint64_t eg_node_key_word(const eg_node *n)
{
    uint8_t w[17];
    eg_put_u64(w, n->exitable_at);
    eg_put_u64(w + 8, n->utxo_pos);
    w[16] = n->ife != EG_NONE;
    return eg_word(w, sizeof w);
}

uint64_t eg_node_id_word(const eg_heap *h, const eg_node *n)
{
    uint8_t id[32];
    node_id(id, h, n);
    return eg_word(id, sizeof id);
}

/* ---- the trace ---- */

static void trace_add(eg_heap_trace *tr, bool write, bool id, size_t pos, uint64_t word, uint64_t next,
                      const eg_node *old)
{
    if (!tr)
        return;
    eg_hop *o = &tr->ops[tr->n_ops++];
    memset(o, 0, sizeof *o);
    o->write = write;
    o->id = id;
    o->pos = (uint32_t)pos;
    o->word = word;
    o->next = next;
    if (old)
        o->old = *old;
}

/* Room for every access of one push or pop: at most six per level. */
static int trace_begin(eg_heap_trace *tr, const eg_heap *h)
{
    if (!tr)
        return PLASMA_OK;
    size_t levels = 2;
    for (size_t n = h->n + 1; n > 1; n >>= 1)
        levels++;
    tr->n_before = h->n;
    tr->n_ops = 0;
    return plasma_grow((void **)&tr->ops, &tr->cap, 6 * levels + 8, sizeof *tr->ops);
}

/* The empty entry a position beyond the size holds. */
static const eg_node EMPTY = {0, 0, EG_NONE};

/* load(q, i): keys[i], and ifeIds[i] for an in-flight entry. */
static eg_node load(const eg_heap *h, size_t i, eg_heap_trace *tr)
{
    eg_node n = h->a[i - 1];
    trace_add(tr, false, false, i, eg_node_key_word(&n), 0, NULL);
    if (n.ife != EG_NONE)
        trace_add(tr, false, true, i, h->idw[i - 1], 0, NULL);
    return n;
}

/* store(q, i, e): keys[i] = e's key, and ifeIds[i] for an in-flight e. */
static void store(eg_heap *h, size_t i, const eg_node *e, eg_heap_trace *tr)
{
    const eg_node *old = i <= h->n ? &h->a[i - 1] : &EMPTY;
    trace_add(tr, true, false, i, eg_node_key_word(old), eg_node_key_word(e), old);
    h->a[i - 1] = *e;
    if (e->ife == EG_NONE)
        return;
    uint64_t id = eg_node_id_word(h, e);
    trace_add(tr, true, true, i, h->idw[i - 1], id, NULL);
    h->idw[i - 1] = id;
}

/* delete keys[i] (and ifeIds[i]): the last entry leaves. */
static void clear(eg_heap *h, size_t i, bool id, eg_heap_trace *tr)
{
    trace_add(tr, true, false, i, eg_node_key_word(&h->a[i - 1]), 0, &h->a[i - 1]);
    if (!id)
        return;
    trace_add(tr, true, true, i, h->idw[i - 1], 0, NULL);
    h->idw[i - 1] = 0;
}

static int grow(eg_heap *h, size_t want)
{
    if (want <= h->cap)
        return PLASMA_OK;
    size_t cap = h->cap, cap2 = h->cap;
    int rc = plasma_grow((void **)&h->a, &cap, want, sizeof *h->a);
    if (rc == 0)
        rc = plasma_grow((void **)&h->idw, &cap2, want, sizeof *h->idw);
    if (rc != 0)
        return rc;
    size_t n = cap < cap2 ? cap : cap2;
    memset(h->idw + h->cap, 0, (n - h->cap) * sizeof *h->idw);
    h->cap = n;
    return PLASMA_OK;
}

int eg_heap_push(eg_heap *h, const eg_node *node, eg_heap_trace *tr)
{
    int rc = grow(h, h->n + 1);
    if (rc == 0)
        rc = trace_begin(tr, h);
    if (rc != 0)
        return rc;
    size_t i = h->n + 1;
    while (i > 1) {
        size_t parent = i >> 1;
        eg_node p = load(h, parent, tr);
        if (!eg_node_less(h, node, &p))
            break;
        store(h, i, &p, tr);
        i = parent;
    }
    store(h, i, node, tr);
    h->n++;
    return PLASMA_OK;
}

/* Places last into the hole at the root, moving smaller children up. */
static void sift_down(eg_heap *h, const eg_node *last, eg_heap_trace *tr)
{
    size_t i = 1, n = h->n;
    for (size_t c = 2; c <= n; c = 2 * i) {
        eg_node child = load(h, c, tr);
        if (c < n) {
            eg_node right = load(h, c + 1, tr);
            if (eg_node_less(h, &right, &child)) {
                c++;
                child = right;
            }
        }
        if (!eg_node_less(h, &child, last))
            break;
        store(h, i, &child, tr);
        i = c;
    }
    store(h, i, last, tr);
}

int eg_heap_pop(eg_heap *h, eg_heap_trace *tr)
{
    int rc = trace_begin(tr, h);
    if (rc != 0)
        return rc;
    size_t n = h->n;
    load(h, 1, tr);
    eg_node last = load(h, n, tr);
    clear(h, n, last.ife != EG_NONE, tr);
    h->n = n - 1;
    if (h->n > 0)
        sift_down(h, &last, tr);
    return PLASMA_OK;
}

void eg_heap_unwind(eg_heap *h, const eg_heap_trace *tr)
{
    for (size_t k = tr->n_ops; k > 0; k--) {
        const eg_hop *o = &tr->ops[k - 1];
        if (!o->write)
            continue;
        if (o->id)
            h->idw[o->pos - 1] = o->word;
        else
            h->a[o->pos - 1] = o->old;
    }
    h->n = tr->n_before;
}
