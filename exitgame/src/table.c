/* Open-addressing index and the dense record tables built on it.
 *
 * Records live in one contiguous array per table (no allocation per
 * record); the index maps a key's fingerprint to the record's number. The
 * fingerprint is XXH3 under a per-chain random seed, so an attacker who
 * chooses keys (addresses, positions) cannot aim for long probe chains. */
#include "internal.h"

#include <xxhash.h>

#define INDEX_MIN_CAP 16
/* Grow when more than 3/4 full: linear probing stays short. */
#define INDEX_FULL(n, cap) ((n)*4 >= (cap)*3)

uint64_t eg_fingerprint(const void *key, size_t len, uint64_t seed)
{
    uint64_t h = XXH3_64bits_withSeed(key, len, seed);
    return h ? h : 1;
}

void eg_index_free(eg_index *ix)
{
    free(ix->fp);
    free(ix->rec);
    memset(ix, 0, sizeof *ix);
}

uint32_t eg_index_find(const eg_index *ix, uint64_t fp, eg_eq_fn eq, const void *ctx, const void *key)
{
    if (ix->cap == 0)
        return EG_NONE;
    size_t mask = ix->cap - 1;
    for (size_t i = fp & mask;; i = (i + 1) & mask) {
        if (ix->fp[i] == 0)
            return EG_NONE;
        if (ix->fp[i] == fp && eq(ctx, ix->rec[i], key))
            return ix->rec[i];
    }
}

static void place(eg_index *ix, uint64_t fp, uint32_t rec)
{
    size_t mask = ix->cap - 1, i = fp & mask;
    while (ix->fp[i] != 0)
        i = (i + 1) & mask;
    ix->fp[i] = fp;
    ix->rec[i] = rec;
}

static int rehash(eg_index *ix, size_t cap)
{
    uint64_t *fp = calloc(cap, sizeof *fp);
    uint32_t *rec = malloc(cap * sizeof *rec);
    if (!fp || !rec) {
        free(fp);
        free(rec);
        return PLASMA_ERR_NOMEM;
    }
    eg_index old = *ix;
    ix->fp = fp;
    ix->rec = rec;
    ix->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.fp[i] != 0)
            place(ix, old.fp[i], old.rec[i]);
    free(old.fp);
    free(old.rec);
    return PLASMA_OK;
}

int eg_index_insert(eg_index *ix, uint64_t fp, uint32_t rec)
{
    if (ix->cap == 0 || INDEX_FULL(ix->n + 1, ix->cap)) {
        size_t cap = ix->cap ? ix->cap * 2 : INDEX_MIN_CAP;
        if (cap > SIZE_MAX / sizeof(uint64_t))
            return PLASMA_ERR_NOMEM;
        int rc = rehash(ix, cap);
        if (rc != 0)
            return rc;
    }
    place(ix, fp, rec);
    ix->n++;
    return PLASMA_OK;
}

/* Backward-shift deletion: later entries of the probe chain move into the
 * hole when their home slot does not lie (cyclically) after it, so no
 * tombstones are needed. */
void eg_index_remove(eg_index *ix, uint64_t fp, uint32_t rec)
{
    if (ix->cap == 0)
        return;
    size_t mask = ix->cap - 1, i = fp & mask;
    while (ix->fp[i] != 0 && !(ix->fp[i] == fp && ix->rec[i] == rec))
        i = (i + 1) & mask;
    if (ix->fp[i] == 0)
        return;
    size_t hole = i;
    for (size_t j = (hole + 1) & mask; ix->fp[j] != 0; j = (j + 1) & mask) {
        size_t home = ix->fp[j] & mask;
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (stays)
            continue;
        ix->fp[hole] = ix->fp[j];
        ix->rec[hole] = ix->rec[j];
        hole = j;
    }
    ix->fp[hole] = 0;
    ix->n--;
}

/* ---- tables ---- */

void eg_table_init(eg_table *t, size_t rec_size, size_t key_len, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    t->rec_size = rec_size;
    t->key_len = key_len;
    t->seed = seed;
}

void eg_table_free(eg_table *t)
{
    eg_index_free(&t->ix);
    free(t->recs);
    free(t->dirty);
    memset(t, 0, sizeof *t);
}

static bool table_eq(const void *ctx, uint32_t rec, const void *key)
{
    const eg_table *t = ctx;
    return memcmp(eg_table_at(t, rec), key, t->key_len) == 0;
}

uint32_t eg_table_find(const eg_table *t, const void *key)
{
    return eg_index_find(&t->ix, eg_fingerprint(key, t->key_len, t->seed), table_eq, t, key);
}

int eg_table_append(eg_table *t, const void *key, uint32_t *rec)
{
    if (t->n >= EG_NONE)
        return PLASMA_ERR_NOMEM;
    if (t->n == t->cap) {
        size_t cap = t->cap, cap2 = t->cap;
        int rc = plasma_grow((void **)&t->recs, &cap, t->n + 1, t->rec_size);
        if (rc != 0)
            return rc;
        rc = plasma_grow((void **)&t->dirty, &cap2, t->n + 1, 1);
        if (rc != 0)
            return rc; /* recs grew but cap is kept: the next append retries */
        t->cap = cap < cap2 ? cap : cap2;
    }
    int rc = eg_index_insert(&t->ix, eg_fingerprint(key, t->key_len, t->seed), (uint32_t)t->n);
    if (rc != 0)
        return rc;
    uint8_t *r = t->recs + t->n * t->rec_size;
    memset(r, 0, t->rec_size);
    memcpy(r, key, t->key_len);
    t->dirty[t->n] = 0;
    *rec = (uint32_t)t->n++;
    return PLASMA_OK;
}

void eg_table_pop(eg_table *t)
{
    uint32_t last = (uint32_t)(t->n - 1);
    const void *key = eg_table_at(t, last);
    eg_index_remove(&t->ix, eg_fingerprint(key, t->key_len, t->seed), last);
    t->dirty[last] = 0;
    t->n--;
}
