/* The per-token exit queue: a binary min-heap in one array, ordered by
 * (exitable_at, pos, id). Push and pop are O(log n) and move a "hole"
 * instead of swapping, as a contract keeping one storage slot per entry
 * would; the cost counters report the slots read and written so the gas
 * meter charges what such a contract pays. */
#include "internal.h"

void eg_heap_free(eg_heap *h)
{
    const eg_table *ifes = h->ifes;
    free(h->a);
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

static void sift_up(eg_heap *h, size_t i, const eg_node *node, eg_heap_cost *cost)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        cost->reads++;
        if (!eg_node_less(h, node, &h->a[parent]))
            break;
        h->a[i] = h->a[parent];
        cost->writes_update++;
        i = parent;
    }
    h->a[i] = *node;
}

/* Places node into the hole at i, moving smaller children up. */
static void sift_down(eg_heap *h, size_t i, const eg_node *node, eg_heap_cost *cost)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, best = l;
        if (l >= h->n)
            break;
        cost->reads++;
        if (r < h->n) {
            cost->reads++;
            if (eg_node_less(h, &h->a[r], &h->a[l]))
                best = r;
        }
        if (!eg_node_less(h, &h->a[best], node))
            break;
        h->a[i] = h->a[best];
        cost->writes_update++;
        i = best;
    }
    h->a[i] = *node;
    cost->writes_update++;
}

int eg_heap_push(eg_heap *h, const eg_node *node, eg_heap_cost *cost)
{
    int rc = plasma_grow((void **)&h->a, &h->cap, h->n + 1, sizeof *h->a);
    if (rc != 0)
        return rc;
    eg_heap_cost c = {0, 1, 0}; /* the new last slot is written once */
    size_t i = h->n++;
    sift_up(h, i, node, &c);
    if (c.writes_update > 0)
        c.writes_update++; /* the node's final slot, after the moves */
    if (cost) {
        cost->reads += c.reads;
        cost->writes_new += c.writes_new;
        cost->writes_update += c.writes_update;
    }
    return PLASMA_OK;
}

void eg_heap_pop(eg_heap *h, eg_heap_cost *cost)
{
    eg_heap_cost c = {0, 0, 0};
    eg_node last = h->a[--h->n];
    c.writes_update++; /* the last slot is cleared */
    if (h->n > 0) {
        c.reads++; /* the last entry is read to refill the root */
        sift_down(h, 0, &last, &c);
    }
    if (cost) {
        cost->reads += c.reads;
        cost->writes_new += c.writes_new;
        cost->writes_update += c.writes_update;
    }
}

/* Newest entries sit near the end, and an undo removes the newest push. */
static size_t find_node(const eg_heap *h, const eg_node *node)
{
    for (size_t i = h->n; i > 0; i--)
        if (eg_node_same(&h->a[i - 1], node))
            return i - 1;
    return SIZE_MAX;
}

bool eg_heap_remove(eg_heap *h, const eg_node *node)
{
    size_t i = find_node(h, node);
    if (i == SIZE_MAX)
        return false;
    eg_heap_cost ignored = {0, 0, 0};
    eg_node last = h->a[--h->n];
    if (i == h->n)
        return true;
    if (i > 0 && eg_node_less(h, &last, &h->a[(i - 1) / 2]))
        sift_up(h, i, &last, &ignored);
    else
        sift_down(h, i, &last, &ignored);
    return true;
}
