#include "defer.h"

#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"

/* Entries are kept in the byte form of their key after the prefix letter,
 * so that sorting them is sorting keys. */
typedef struct own_ent {
    uint8_t k[28]; /* owner20 pos8 */
} own_ent;

typedef struct tx_ent {
    plasma_hash txhash;
    uint32_t txindex;
} tx_ent;

struct op_defer_blk {
    op_defer_blk *next;
    uint64_t blknum;
    own_ent *own;
    size_t n_own, cap_own, vis_own;
    tx_ent *txs;
    size_t n_txs, cap_txs, vis_txs;
};

void op_defer_init(op_defer *d)
{
    pthread_mutex_init(&d->mu, NULL);
    d->blocks = NULL;
}

static void blk_free(op_defer_blk *b)
{
    free(b->own);
    free(b->txs);
    free(b);
}

void op_defer_free(op_defer *d)
{
    while (d->blocks) {
        op_defer_blk *next = d->blocks->next;
        blk_free(d->blocks);
        d->blocks = next;
    }
    pthread_mutex_destroy(&d->mu);
}

/* The block's entry, created in order if missing (mu held). */
static op_defer_blk *blk_get(op_defer *d, uint64_t blknum, bool create)
{
    op_defer_blk **pp = &d->blocks;
    while (*pp && (*pp)->blknum < blknum)
        pp = &(*pp)->next;
    if (*pp && (*pp)->blknum == blknum)
        return *pp;
    if (!create)
        return NULL;
    op_defer_blk *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->blknum = blknum;
    b->next = *pp;
    *pp = b;
    return b;
}

int op_defer_add(op_defer *d, uint64_t blknum, uint32_t txindex, const plasma_hash *txhash,
                 const plasma_tx *tx)
{
    pthread_mutex_lock(&d->mu);
    op_defer_blk *b = blk_get(d, blknum, true);
    bool ok = b && plasma_grow((void **)&b->txs, &b->cap_txs, b->n_txs + 1, sizeof *b->txs) == 0 &&
              plasma_grow((void **)&b->own, &b->cap_own, b->n_own + tx->n_outputs, sizeof *b->own) == 0;
    if (ok) {
        b->txs[b->n_txs++] = (tx_ent){*txhash, txindex};
        for (unsigned o = 0; o < tx->n_outputs; o++) {
            own_ent *e = &b->own[b->n_own++];
            memcpy(e->k, tx->outputs[o].owner.b, 20);
            op_be64(e->k + 20, plasma_utxo_pos(blknum, txindex, o));
        }
    }
    pthread_mutex_unlock(&d->mu);
    return ok ? PLASMA_OK : PLASMA_ERR_NOMEM;
}

void op_defer_publish(op_defer *d)
{
    pthread_mutex_lock(&d->mu);
    for (op_defer_blk *b = d->blocks; b; b = b->next) {
        b->vis_own = b->n_own;
        b->vis_txs = b->n_txs;
    }
    pthread_mutex_unlock(&d->mu);
}

static int cmp_own(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(own_ent));
}

static int cmp_tx(const void *a, const void *b)
{
    return memcmp(((const tx_ent *)a)->txhash.b, ((const tx_ent *)b)->txhash.b, 32);
}

/* Position of an entry in the sort, by the first eight bytes of its key. */
typedef struct rank {
    uint64_t prefix;
    size_t i;
} rank;

/* Stable LSD radix sort of v by prefix, a byte per pass (tmp holds n). */
static void radix_sort(rank *v, rank *tmp, size_t n)
{
    for (int shift = 0; shift < 64; shift += 8) {
        size_t start[257] = {0};
        for (size_t i = 0; i < n; i++)
            start[((v[i].prefix >> shift) & 0xff) + 1]++;
        for (int b = 0; b < 256; b++)
            start[b + 1] += start[b];
        for (size_t i = 0; i < n; i++)
            tmp[start[(v[i].prefix >> shift) & 0xff]++] = v[i];
        rank *t = v;
        v = tmp;
        tmp = t;
    }
    /* Eight passes: the result is back in the caller's v. */
}

/* Copies the n entries of in (elem bytes each, the key at offset 0) to out
 * in key order. qsort alone took a third of a full block's seal; here a
 * radix sort on the first eight key bytes does the bulk, and only runs that
 * share those bytes are compared in full — already in order when they are
 * one owner's outputs (appended by position), sorted otherwise, so that
 * keys made to share a prefix cost O(n log n) at worst. Returns 0 or
 * PLASMA_ERR_NOMEM. */
static int sort_entries(const void *in, void *out, size_t n, size_t elem,
                        int (*cmp)(const void *, const void *))
{
    rank *r = malloc((n ? n : 1) * sizeof *r), *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!r || !tmp) {
        free(r);
        free(tmp);
        return PLASMA_ERR_NOMEM;
    }
    const uint8_t *src = in;
    uint8_t *dst = out;
    for (size_t i = 0; i < n; i++)
        r[i] = (rank){op_rd64(src + i * elem), i};
    radix_sort(r, tmp, n);
    for (size_t j = 0; j < n; j++)
        memcpy(dst + j * elem, src + r[j].i * elem, elem);
    for (size_t a = 0, b; a < n; a = b) {
        bool ordered = true;
        for (b = a + 1; b < n && r[b].prefix == r[a].prefix; b++)
            ordered = ordered && cmp(dst + (b - 1) * elem, dst + b * elem) <= 0;
        if (!ordered)
            qsort(dst + a * elem, b - a, elem, cmp);
    }
    free(r);
    free(tmp);
    return PLASMA_OK;
}

int op_defer_seal(op_defer *d, plasma_kv_batch *batch, uint64_t blknum)
{
    /* Sorted under the lock: the block takes no more entries, and queries
     * wait for a few milliseconds once per block. */
    pthread_mutex_lock(&d->mu);
    op_defer_blk *b = blk_get(d, blknum, false);
    size_t n_own = b ? b->n_own : 0, n_txs = b ? b->n_txs : 0;
    own_ent *own = malloc((n_own ? n_own : 1) * sizeof *own);
    tx_ent *txs = malloc((n_txs ? n_txs : 1) * sizeof *txs);
    int rc = own && txs ? PLASMA_OK : PLASMA_ERR_NOMEM;
    if (rc == 0 && n_own)
        rc = sort_entries(b->own, own, n_own, sizeof *own, cmp_own);
    if (rc == 0 && n_txs)
        rc = sort_entries(b->txs, txs, n_txs, sizeof *txs, cmp_tx);
    pthread_mutex_unlock(&d->mu);
    if (rc < 0) {
        free(own);
        free(txs);
        return rc;
    }
    /* One 'O' entry per owner: the sorted entries of an owner are adjacent
     * and in position order. */
    uint8_t key[33], val[12], *list = malloc((n_own ? n_own : 1) * OP_OWNED_LEN);
    if (!list) {
        free(own);
        free(txs);
        return PLASMA_ERR_NOMEM;
    }
    for (size_t i = 0, j; i < n_own; i = j) {
        size_t m = 0;
        for (j = i; j < n_own && memcmp(own[j].k, own[i].k, 20) == 0; j++) {
            uint64_t pos = op_rd64(own[j].k + 20);
            op_owned_encode(list + OP_OWNED_LEN * m++, plasma_pos_txindex(pos), plasma_pos_oindex(pos));
        }
        plasma_addr owner;
        memcpy(owner.b, own[i].k, 20);
        op_key_owner_group(key, &owner, blknum);
        plasma_kv_batch_put(batch, key, 29, list, OP_OWNED_LEN * m);
    }
    free(list);
    for (size_t i = 0; i < n_txs; i++) {
        op_key_txhash(key, &txs[i].txhash);
        op_be64(val, blknum);
        op_be32(val + 8, txs[i].txindex);
        plasma_kv_batch_put(batch, key, sizeof key, val, sizeof val);
    }
    free(own);
    free(txs);
    return PLASMA_OK;
}

void op_defer_drop(op_defer *d, uint64_t blknum)
{
    pthread_mutex_lock(&d->mu);
    for (op_defer_blk **pp = &d->blocks; *pp; pp = &(*pp)->next) {
        if ((*pp)->blknum == blknum) {
            op_defer_blk *b = *pp;
            *pp = b->next;
            blk_free(b);
            break;
        }
    }
    pthread_mutex_unlock(&d->mu);
}

/* Removes the entries of a (visible or not) for which drop() holds,
 * keeping the order and the visible count of the rest. */
#define REMOVE_IF(arr, n, vis, drop)                                                                         \
    do {                                                                                                     \
        size_t kept = 0, kept_vis = 0;                                                                       \
        for (size_t i = 0; i < (n); i++) {                                                                   \
            if (drop)                                                                                        \
                continue;                                                                                    \
            kept_vis += i < (vis);                                                                           \
            (arr)[kept++] = (arr)[i];                                                                        \
        }                                                                                                    \
        (n) = kept;                                                                                          \
        (vis) = kept_vis;                                                                                    \
    } while (0)

void op_defer_remove(op_defer *d, uint64_t blknum, uint32_t txindex, unsigned n_outputs)
{
    pthread_mutex_lock(&d->mu);
    op_defer_blk *b = blk_get(d, blknum, false);
    if (b) {
        uint64_t first = plasma_utxo_pos(blknum, txindex, 0), last = first + n_outputs;
        REMOVE_IF(b->txs, b->n_txs, b->vis_txs, b->txs[i].txindex == txindex);
        REMOVE_IF(b->own, b->n_own, b->vis_own,
                  op_rd64(b->own[i].k + 20) >= first && op_rd64(b->own[i].k + 20) < last);
    }
    pthread_mutex_unlock(&d->mu);
}

bool op_defer_find_tx(op_defer *d, const plasma_hash *txhash, uint64_t *blknum, uint32_t *txindex)
{
    bool found = false;
    pthread_mutex_lock(&d->mu);
    for (op_defer_blk *b = d->blocks; b && !found; b = b->next) {
        for (size_t i = 0; i < b->vis_txs; i++) {
            if (memcmp(b->txs[i].txhash.b, txhash->b, 32) == 0) {
                *blknum = b->blknum;
                *txindex = b->txs[i].txindex;
                found = true;
                break;
            }
        }
    }
    pthread_mutex_unlock(&d->mu);
    return found;
}

int op_cmp_pos(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int op_defer_owned(op_defer *d, const plasma_addr *owner, uint64_t **out, size_t *n_out)
{
    size_t n = 0, cap = 0;
    uint64_t *pos = NULL;
    int rc = PLASMA_OK;
    pthread_mutex_lock(&d->mu);
    for (op_defer_blk *b = d->blocks; b && rc == 0; b = b->next)
        for (size_t i = 0; i < b->vis_own && rc == 0; i++) {
            if (memcmp(b->own[i].k, owner->b, 20) != 0)
                continue;
            if (plasma_grow((void **)&pos, &cap, n + 1, sizeof *pos) < 0)
                rc = PLASMA_ERR_NOMEM;
            else
                pos[n++] = op_rd64(b->own[i].k + 20);
        }
    pthread_mutex_unlock(&d->mu);
    if (rc < 0) {
        free(pos);
        return rc;
    }
    if (n > 1)
        qsort(pos, n, sizeof *pos, op_cmp_pos);
    *out = pos;
    *n_out = n;
    return PLASMA_OK;
}
