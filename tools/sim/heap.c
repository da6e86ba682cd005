/* Binary min-heaps of fixed-size entries, ordered by a caller's "less". */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

/* Entries are at most this large; swaps go through a stack buffer. */
#define MAX_ENTRY 64

void sim_heap_init(sim_heap *h, size_t size, sim_less_fn less)
{
    assert(size <= MAX_ENTRY);
    memset(h, 0, sizeof *h);
    h->size = size;
    h->less = less;
}

void sim_heap_free(sim_heap *h)
{
    free(h->a);
    h->a = NULL;
    h->n = h->cap = 0;
}

static void *at(const sim_heap *h, size_t i)
{
    return h->a + i * h->size;
}

int sim_heap_push(sim_heap *h, const void *e)
{
    if (plasma_grow((void **)&h->a, &h->cap, h->n + 1, h->size) < 0)
        return PLASMA_ERR_NOMEM;
    size_t i = h->n++;
    while (i > 0 && h->less(e, at(h, (i - 1) / 2))) {
        memcpy(at(h, i), at(h, (i - 1) / 2), h->size);
        i = (i - 1) / 2;
    }
    memcpy(at(h, i), e, h->size);
    return PLASMA_OK;
}

const void *sim_heap_top(const sim_heap *h)
{
    return h->n ? h->a : NULL;
}

void sim_heap_pop(sim_heap *h, void *out)
{
    uint8_t last[MAX_ENTRY];
    if (out)
        memcpy(out, h->a, h->size);
    memcpy(last, at(h, --h->n), h->size);
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, best = l;
        if (l >= h->n)
            break;
        if (l + 1 < h->n && h->less(at(h, l + 1), at(h, l)))
            best = l + 1;
        if (!h->less(at(h, best), last))
            break;
        memcpy(at(h, i), at(h, best), h->size);
        i = best;
    }
    if (h->n > 0)
        memcpy(at(h, i), last, h->size);
}
