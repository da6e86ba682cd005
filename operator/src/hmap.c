/* Linear probing with backward-shift deletion: no tombstones, so lookups of
 * absent keys stay short however many deletes the ledger does. */
#include "hmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <xxhash.h>

#include "plasma/err.h"

#define MIN_CAP 16
/* Grow past 3/4 full: linear probing degrades quickly above that. */
#define LOAD_NUM 3
#define LOAD_DEN 4

int op_random_bytes(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return PLASMA_ERR_IO;
        }
        p += n;
        len -= (size_t)n;
    }
    return PLASMA_OK;
}

int op_hmap_init(op_hmap *m, size_t key_len, size_t val_len)
{
    memset(m, 0, sizeof *m);
    m->key_len = key_len;
    m->val_len = val_len;
    m->slot_len = 1 + key_len + val_len;
    return op_random_bytes(&m->seed, sizeof m->seed);
}

void op_hmap_free(op_hmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
}

void op_hmap_clear(op_hmap *m)
{
    if (m->slots)
        memset(m->slots, 0, m->cap * m->slot_len);
    m->count = 0;
}

size_t op_hmap_bytes_for(size_t n, size_t key_len, size_t val_len)
{
    size_t cap = MIN_CAP;
    while (cap * LOAD_NUM / LOAD_DEN < n)
        cap *= 2;
    return cap * (1 + key_len + val_len);
}

static inline uint8_t *slot_at(const op_hmap *m, size_t i)
{
    return m->slots + i * m->slot_len;
}

static inline size_t home_of(const op_hmap *m, const void *key)
{
    return (size_t)XXH3_64bits_withSeed(key, m->key_len, m->seed) & (m->cap - 1);
}

/* 8-byte keys (UTXO positions) are the hot case: compared as one word. */
static inline bool keys_equal(const uint8_t *a, const void *b, size_t len)
{
    if (len == 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        return x == y;
    }
    return memcmp(a, b, len) == 0;
}

/* Index of key's slot, or of the empty slot where it would go. */
static size_t probe(const op_hmap *m, const void *key, bool *found)
{
    size_t i = home_of(m, key);
    for (;;) {
        const uint8_t *s = slot_at(m, i);
        if (!s[0]) {
            *found = false;
            return i;
        }
        if (keys_equal(s + 1, key, m->key_len)) {
            *found = true;
            return i;
        }
        i = (i + 1) & (m->cap - 1);
    }
}

static int grow(op_hmap *m)
{
    size_t new_cap = m->cap ? m->cap * 2 : MIN_CAP;
    uint8_t *slots = calloc(new_cap, m->slot_len);
    if (!slots)
        return PLASMA_ERR_NOMEM;
    op_hmap old = *m;
    m->slots = slots;
    m->cap = new_cap;
    for (size_t i = 0; i < old.cap; i++) {
        const uint8_t *s = slot_at(&old, i);
        if (!s[0])
            continue;
        bool found;
        size_t j = probe(m, s + 1, &found);
        memcpy(slot_at(m, j), s, m->slot_len);
    }
    free(old.slots);
    return PLASMA_OK;
}

void *op_hmap_get(const op_hmap *m, const void *key)
{
    if (m->count == 0)
        return NULL;
    bool found;
    size_t i = probe(m, key, &found);
    return found ? slot_at(m, i) + 1 + m->key_len : NULL;
}

int op_hmap_put(op_hmap *m, const void *key, void **val)
{
    if ((m->count + 1) * LOAD_DEN > m->cap * LOAD_NUM) {
        int rc = grow(m);
        if (rc < 0)
            return rc;
    }
    bool found;
    size_t i = probe(m, key, &found);
    uint8_t *s = slot_at(m, i);
    *val = s + 1 + m->key_len;
    if (found)
        return 0;
    s[0] = 1;
    memcpy(s + 1, key, m->key_len);
    memset(*val, 0, m->val_len);
    m->count++;
    return 1;
}

/* True when home position h lies cyclically within (hole, j]: then the entry
 * at j must not move back to hole, or probes from h would miss it. */
static bool stays(size_t hole, size_t j, size_t h)
{
    if (hole <= j)
        return hole < h && h <= j;
    return hole < h || h <= j;
}

bool op_hmap_del(op_hmap *m, const void *key)
{
    if (m->count == 0)
        return false;
    bool found;
    size_t hole = probe(m, key, &found);
    if (!found)
        return false;
    size_t j = hole;
    for (;;) {
        j = (j + 1) & (m->cap - 1);
        uint8_t *s = slot_at(m, j);
        if (!s[0])
            break;
        if (stays(hole, j, home_of(m, s + 1)))
            continue;
        memcpy(slot_at(m, hole), s, m->slot_len);
        hole = j;
    }
    memset(slot_at(m, hole), 0, m->slot_len);
    m->count--;
    return true;
}

void op_hmap_each(const op_hmap *m, bool (*fn)(void *arg, const void *key, void *val), void *arg)
{
    for (size_t i = 0; i < m->cap; i++) {
        uint8_t *s = slot_at(m, i);
        if (s[0] && !fn(arg, s + 1, s + 1 + m->key_len))
            return;
    }
}
