/* An in-memory chain store for the persistence tests: pairs kept sorted,
 * writes that can be told to fail, and pairs that outlive the chain so a
 * second chain can open them. Header-only, static. */
#ifndef PLASMA_TEST_MEM_STORE_H
#define PLASMA_TEST_MEM_STORE_H

#include <stdlib.h>
#include <string.h>

#include "plasma/exitgame.h"
#include "testutil.h"

typedef struct mem_pair {
    uint8_t *key, *val;
    size_t klen, vlen;
} mem_pair;

typedef struct mem_store {
    plasma_chain_store base;
    mem_pair *pairs;
    size_t n, cap;
    int fail_writes; /* fail this many writes from now */
    size_t writes;
} mem_store;

static inline int pair_cmp(const uint8_t *k, size_t klen, const mem_pair *p)
{
    size_t n = klen < p->klen ? klen : p->klen;
    int c = memcmp(k, p->key, n);
    return c ? c : (klen > p->klen) - (klen < p->klen);
}

static inline size_t mem_find(const mem_store *s, const uint8_t *k, size_t klen, bool *found)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = pair_cmp(k, klen, &s->pairs[mid]);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    *found = false;
    return lo;
}

static inline void mem_apply(mem_store *s, const plasma_store_op *op)
{
    bool found;
    size_t i = mem_find(s, op->key, op->key_len, &found);
    if (found) {
        free(s->pairs[i].key);
        free(s->pairs[i].val);
        memmove(&s->pairs[i], &s->pairs[i + 1], (s->n - i - 1) * sizeof *s->pairs);
        s->n--;
    }
    if (!op->val)
        return;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->pairs = realloc(s->pairs, s->cap * sizeof *s->pairs);
        assert_non_null(s->pairs);
    }
    memmove(&s->pairs[i + 1], &s->pairs[i], (s->n - i) * sizeof *s->pairs);
    mem_pair *p = &s->pairs[i];
    p->key = malloc(op->key_len);
    p->val = malloc(op->val_len ? op->val_len : 1);
    memcpy(p->key, op->key, op->key_len);
    memcpy(p->val, op->val, op->val_len);
    p->klen = op->key_len;
    p->vlen = op->val_len;
    s->n++;
}

static inline int mem_write(plasma_chain_store *store, const plasma_store_op *ops, size_t n)
{
    mem_store *s = (mem_store *)store;
    if (s->fail_writes > 0) {
        s->fail_writes--;
        return PLASMA_ERR_IO;
    }
    for (size_t i = 0; i < n; i++)
        mem_apply(s, &ops[i]);
    s->writes++;
    return PLASMA_OK;
}

static inline int mem_foreach(plasma_chain_store *store, plasma_store_foreach_cb cb, void *payload)
{
    mem_store *s = (mem_store *)store;
    for (size_t i = 0; i < s->n; i++) {
        int rc = cb(s->pairs[i].key, s->pairs[i].klen, s->pairs[i].val, s->pairs[i].vlen, payload);
        if (rc != 0)
            return rc;
    }
    return PLASMA_OK;
}

/* The chain frees its store; the test keeps the pairs in `keep` so a
 * second chain can open them again. */
static inline void mem_free(plasma_chain_store *store)
{
    (void)store;
}

static inline void mem_init(mem_store *s)
{
    memset(s, 0, sizeof *s);
    s->base.version = PLASMA_CHAIN_STORE_VERSION;
    s->base.write = mem_write;
    s->base.foreach = mem_foreach;
    s->base.free = mem_free;
}

static inline void mem_destroy(mem_store *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->pairs[i].key);
        free(s->pairs[i].val);
    }
    free(s->pairs);
}

#endif
