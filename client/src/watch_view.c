/* The watcher's view in LevelDB (see watch_view.h).
 *
 * Keys (numbers big-endian, so that iteration follows positions):
 *   'U' pos8           flags1 owner20 token20 [spend: blknum8 txindex4 input1] amount (minimal BE);
 *                      flags: 1 spent, 2 exiting, 4 finalized on the root chain
 *   'H' blknum8        root32 timestamp8 ntxs4
 *   'T' blknum8 chunk4 the signed txs chunk·256 .. chunk·256+255, one after the other
 *   'L' blknum8        the leaves, 32 bytes each
 *
 * Reads go to the staged changes, then a set-associative cache of outputs
 * (four entries a set, the least recently used one replaced), then the
 * store; the cache holds settled outputs only, so dropping an entry never
 * loses anything. */
#include "watch_view.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "watch_blocks.h"

#define K_UTXO 'U'
#define K_HEADER 'H'
#define K_TXS 'T'
#define K_LEAVES 'L'

/* Transactions per 'T' value: a few tens of kilobytes, so that reading one
 * transaction reads little, and a full block is 256 values. */
#define TXS_PER_CHUNK 256u

#define F_SPENT 1u
#define F_EXITING 2u
#define F_FINALIZED 4u

#define WAYS 4

typedef struct cache_slot {
    watch_utxo u;
    uint64_t stamp; /* 0: empty; else the last use */
} cache_slot;

/* The staged outputs: an array and an open-addressing index into it. */
typedef struct overlay {
    watch_utxo *items;
    size_t n, cap;
    uint32_t *index;  /* item + 1; 0 empty */
    size_t index_cap; /* power of two, at least twice n */
} overlay;

struct watch_view {
    watch_store *store;
    cache_slot *cache;
    size_t n_sets; /* power of two */
    size_t cache_used;
    uint64_t clock;
    overlay staged;
    uint64_t tree_blknum; /* the Merkle tree of the last exit data, kept for the next */
    plasma_merkle *tree;
};

/* --- records --- */

static void utxo_key(uint8_t key[9], uint64_t pos)
{
    key[0] = K_UTXO;
    watch_be64(key + 1, pos);
}

/* Out: the record of u in rec (at most 1 + 40 + 13 + 32 bytes). Returns its length. */
static size_t utxo_encode(uint8_t *rec, const watch_utxo *u)
{
    size_t n = 0, alen = plasma_u256_byte_len(&u->out.amount);
    uint8_t amount[32];
    rec[n++] =
        (uint8_t)((u->spent ? F_SPENT : 0) | (u->exiting ? F_EXITING : 0) | (u->finalized ? F_FINALIZED : 0));
    memcpy(rec + n, u->out.owner.b, 20);
    memcpy(rec + n + 20, u->out.token.b, 20);
    n += 40;
    if (u->spent) {
        watch_be64(rec + n, u->spend_blknum);
        watch_be32(rec + n + 8, u->spend_txindex);
        rec[n + 12] = (uint8_t)u->spend_input;
        n += 13;
    }
    plasma_u256_to_be(amount, &u->out.amount);
    memcpy(rec + n, amount + 32 - alen, alen);
    return n + alen;
}

/* Returns 0 or PLASMA_ERR_IO (a record that is not one). */
static int utxo_decode(watch_utxo *u, uint64_t pos, const uint8_t *rec, size_t len)
{
    size_t n = 41;
    memset(u, 0, sizeof *u);
    if (len < n || (rec[0] & ~(F_SPENT | F_EXITING | F_FINALIZED)))
        return PLASMA_ERR_IO;
    u->pos = pos;
    u->spent = rec[0] & F_SPENT;
    u->exiting = rec[0] & F_EXITING;
    u->finalized = rec[0] & F_FINALIZED;
    memcpy(u->out.owner.b, rec + 1, 20);
    memcpy(u->out.token.b, rec + 21, 20);
    if (u->spent) {
        if (len < n + 13)
            return PLASMA_ERR_IO;
        u->spend_blknum = watch_rd64(rec + n);
        u->spend_txindex = watch_rd32(rec + n + 8);
        u->spend_input = rec[n + 12];
        n += 13;
    }
    if (len - n > 32 || plasma_u256_from_be(&u->out.amount, rec + n, len - n) != 0)
        return PLASMA_ERR_IO;
    return 0;
}

/* --- the cache --- */

static size_t set_of(const watch_view *v, uint64_t pos)
{
    return (size_t)((pos * 0x9e3779b97f4a7c15ull) >> 32) & (v->n_sets - 1);
}

static const watch_utxo *cache_get(watch_view *v, uint64_t pos)
{
    cache_slot *set = &v->cache[set_of(v, pos) * WAYS];
    for (int i = 0; i < WAYS; i++)
        if (set[i].stamp && set[i].u.pos == pos) {
            set[i].stamp = ++v->clock;
            return &set[i].u;
        }
    return NULL;
}

static void cache_put(watch_view *v, const watch_utxo *u)
{
    cache_slot *set = &v->cache[set_of(v, u->pos) * WAYS], *victim = &set[0];
    for (int i = 0; i < WAYS; i++) {
        if (set[i].stamp && set[i].u.pos == u->pos) {
            victim = &set[i];
            break;
        }
        if (set[i].stamp < victim->stamp)
            victim = &set[i];
    }
    if (!victim->stamp)
        v->cache_used++;
    victim->u = *u;
    victim->stamp = ++v->clock;
}

/* --- the staged outputs --- */

static size_t slot_of(const overlay *o, uint64_t pos)
{
    return (size_t)((pos * 0x9e3779b97f4a7c15ull) >> 20) & (o->index_cap - 1);
}

static watch_utxo *staged_get(overlay *o, uint64_t pos)
{
    if (!o->index_cap)
        return NULL;
    for (size_t s = slot_of(o, pos);; s = (s + 1) & (o->index_cap - 1)) {
        uint32_t i = o->index[s];
        if (!i)
            return NULL;
        if (o->items[i - 1].pos == pos)
            return &o->items[i - 1];
    }
}

static void index_insert(overlay *o, size_t item)
{
    size_t s = slot_of(o, o->items[item].pos);
    while (o->index[s])
        s = (s + 1) & (o->index_cap - 1);
    o->index[s] = (uint32_t)(item + 1);
}

/* Makes room for one more item. Returns 0 or PLASMA_ERR_NOMEM. */
static int staged_reserve(overlay *o)
{
    if (plasma_grow((void **)&o->items, &o->cap, o->n + 1, sizeof *o->items) < 0)
        return PLASMA_ERR_NOMEM;
    if (2 * (o->n + 1) <= o->index_cap)
        return 0;
    size_t cap = o->index_cap ? 2 * o->index_cap : 1024;
    uint32_t *index = calloc(cap, sizeof *index);
    if (!index)
        return PLASMA_ERR_NOMEM;
    free(o->index);
    o->index = index;
    o->index_cap = cap;
    for (size_t i = 0; i < o->n; i++)
        index_insert(o, i);
    return 0;
}

/* Stages u at a position nothing is staged at. */
static int staged_append(overlay *o, const watch_utxo *u)
{
    int rc = staged_reserve(o);
    if (rc != 0)
        return rc;
    o->items[o->n] = *u;
    index_insert(o, o->n++);
    return 0;
}

/* Stages u (replacing what is staged at its position). */
static int staged_put(overlay *o, const watch_utxo *u)
{
    watch_utxo *e = staged_get(o, u->pos);
    if (e) {
        *e = *u;
        return 0;
    }
    return staged_append(o, u);
}

static void staged_clear(overlay *o)
{
    if (o->n)
        memset(o->index, 0, o->index_cap * sizeof *o->index);
    o->n = 0;
}

/* --- the view --- */

int watch_view_open(watch_view **out, watch_store *store, size_t cache_bytes)
{
    watch_view *v = calloc(1, sizeof *v);
    size_t sets = 1;
    if (!v)
        return PLASMA_ERR_NOMEM;
    while (sets * 2 * WAYS * sizeof(cache_slot) <= cache_bytes)
        sets *= 2;
    v->store = store;
    v->n_sets = sets;
    if (!(v->cache = calloc(sets * WAYS, sizeof *v->cache))) {
        free(v);
        return PLASMA_ERR_NOMEM;
    }
    *out = v;
    return 0;
}

void watch_view_free(watch_view *v)
{
    if (!v)
        return;
    plasma_merkle_free(v->tree);
    free(v->staged.items);
    free(v->staged.index);
    free(v->cache);
    free(v);
}

void watch_view_cache_use(const watch_view *v, size_t *entries, size_t *bytes)
{
    *entries = v->cache_used;
    *bytes = v->n_sets * WAYS * sizeof(cache_slot);
}

/* A settled output: the cache, else the store (then cached). */
static int settled_get(watch_view *v, uint64_t pos, watch_utxo *u)
{
    const watch_utxo *c = cache_get(v, pos);
    uint8_t key[9];
    plasma_buf rec = {0};
    int rc;
    if (c) {
        *u = *c;
        return 0;
    }
    utxo_key(key, pos);
    if ((rc = watch_store_get(v->store, key, sizeof key, &rec)) == 0 &&
        (rc = utxo_decode(u, pos, rec.data, rec.len)) == 0)
        cache_put(v, u);
    plasma_buf_free(&rec);
    return rc;
}

int watch_view_get(watch_view *v, uint64_t pos, watch_utxo *u)
{
    const watch_utxo *s = staged_get(&v->staged, pos);
    if (s) {
        *u = *s;
        return 0;
    }
    return settled_get(v, pos, u);
}

int watch_view_add(watch_view *v, uint64_t pos, const plasma_output *out)
{
    watch_utxo u;
    int rc = watch_view_get(v, pos, &u);
    if (rc != PLASMA_ERR_NOT_FOUND)
        return rc;
    u = (watch_utxo){.pos = pos, .out = *out};
    return staged_put(&v->staged, &u);
}

int watch_view_add_new(watch_view *v, uint64_t pos, const plasma_output *out)
{
    watch_utxo u = {.pos = pos, .out = *out};
    return staged_append(&v->staged, &u);
}

int watch_view_spend(watch_view *v, const watch_utxo *spent, uint64_t blknum, uint32_t txindex,
                     uint32_t input)
{
    watch_utxo u = *spent;
    u.spent = true;
    u.spend_blknum = blknum;
    u.spend_txindex = txindex;
    u.spend_input = input;
    return staged_put(&v->staged, &u);
}

/* Stages one of an output's flags (exiting, finalized); an unknown output
 * is left alone. */
static int mark(watch_view *v, uint64_t pos, size_t flag)
{
    watch_utxo u;
    int rc = watch_view_get(v, pos, &u);
    bool *set = (bool *)((uint8_t *)&u + flag);
    if (rc == PLASMA_ERR_NOT_FOUND || (rc == 0 && *set))
        return 0;
    if (rc)
        return rc;
    *set = true;
    return staged_put(&v->staged, &u);
}

int watch_view_mark_exiting(watch_view *v, uint64_t pos)
{
    return mark(v, pos, offsetof(watch_utxo, exiting));
}

int watch_view_mark_finalized(watch_view *v, uint64_t pos)
{
    return mark(v, pos, offsetof(watch_utxo, finalized));
}

static int by_pos(const void *a, const void *b)
{
    uint64_t x = (*(const watch_utxo *const *)a)->pos, y = (*(const watch_utxo *const *)b)->pos;
    return (x > y) - (x < y);
}

/* In position order: LevelDB inserts keys into its memtable's skip list
 * faster in order than scattered (the spends of a block are). */
int watch_view_stage(watch_view *v, watch_batch *b)
{
    uint8_t key[9], rec[128];
    const watch_utxo **order = malloc((v->staged.n ? v->staged.n : 1) * sizeof *order);
    if (!order)
        return PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < v->staged.n; i++)
        order[i] = &v->staged.items[i];
    qsort(order, v->staged.n, sizeof *order, by_pos);
    for (size_t i = 0; i < v->staged.n; i++) {
        utxo_key(key, order[i]->pos);
        watch_batch_put(b, key, sizeof key, rec, utxo_encode(rec, order[i]));
    }
    free(order);
    return 0;
}

void watch_view_settle(watch_view *v)
{
    for (size_t i = 0; i < v->staged.n; i++)
        cache_put(v, &v->staged.items[i]);
    staged_clear(&v->staged);
}

void watch_view_discard(watch_view *v)
{
    staged_clear(&v->staged);
}

/* --- blocks --- */

static void block_key(uint8_t key[13], uint8_t kind, uint64_t blknum, uint32_t chunk)
{
    key[0] = kind;
    watch_be64(key + 1, blknum);
    watch_be32(key + 9, chunk);
}

/* 'H' values: root, timestamp, n, and where the transactions are. */
#define HDR_LEN 45
enum { IN_STORE = 0, IN_FILE = 1 };

int watch_view_put_block(watch_view *v, watch_batch *b, const watch_block_hdr *h, const uint8_t *txs,
                         const size_t *offs, const plasma_hash *leaves)
{
    uint8_t key[13], hdr[HDR_LEN];
    bool in_file = h->n > WATCH_VIEW_FILE_TXS;
    int rc;
    if (in_file &&
        (rc = watch_blocks_write(watch_store_dir(v->store), h->blknum, h->n, txs, offs, leaves)) != 0)
        return rc;
    for (uint32_t c = 0; !in_file && (size_t)c * TXS_PER_CHUNK < h->n; c++) {
        size_t first = (size_t)c * TXS_PER_CHUNK;
        size_t last = first + TXS_PER_CHUNK < h->n ? first + TXS_PER_CHUNK : h->n;
        block_key(key, K_TXS, h->blknum, c);
        watch_batch_put(b, key, sizeof key, txs + offs[first], offs[last] - offs[first]);
    }
    if (!in_file) {
        block_key(key, K_LEAVES, h->blknum, 0);
        watch_batch_put(b, key, 9, leaves, (size_t)h->n * sizeof *leaves);
    }
    memcpy(hdr, h->root.b, 32);
    watch_be64(hdr + 32, h->timestamp);
    watch_be32(hdr + 40, h->n);
    hdr[44] = in_file ? IN_FILE : IN_STORE;
    block_key(key, K_HEADER, h->blknum, 0);
    watch_batch_put(b, key, 9, hdr, sizeof hdr);
    return 0;
}

/* Out: *h, and *in_file where its transactions are. */
static int read_header(watch_view *v, uint64_t blknum, watch_block_hdr *h, bool *in_file)
{
    uint8_t key[13];
    plasma_buf rec = {0};
    int rc;
    block_key(key, K_HEADER, blknum, 0);
    if ((rc = watch_store_get(v->store, key, 9, &rec)) == 0 && (rec.len != HDR_LEN || rec.data[44] > IN_FILE))
        rc = PLASMA_ERR_IO;
    if (rc == 0) {
        h->blknum = blknum;
        memcpy(h->root.b, rec.data, 32);
        h->timestamp = watch_rd64(rec.data + 32);
        h->n = watch_rd32(rec.data + 40);
        *in_file = rec.data[44] == IN_FILE;
    }
    plasma_buf_free(&rec);
    return rc;
}

int watch_view_sweep_files(watch_view *v, size_t *removed)
{
    const char *dir = watch_store_dir(v->store);
    uint64_t *blknums = NULL;
    size_t n = 0, gone = 0;
    int rc = watch_blocks_list(dir, &blknums, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        watch_block_hdr h;
        bool in_file = false;
        int got = read_header(v, blknums[i], &h, &in_file);
        if (got != 0 && got != PLASMA_ERR_NOT_FOUND)
            rc = got;
        else if (got == PLASMA_ERR_NOT_FOUND || !in_file) {
            rc = watch_blocks_remove(dir, blknums[i]);
            gone += rc == 0;
        }
    }
    free(blknums);
    if (removed)
        *removed = gone;
    return rc;
}

int watch_view_block_header(watch_view *v, uint64_t blknum, watch_block_hdr *h)
{
    bool in_file;
    return read_header(v, blknum, h, &in_file);
}

int watch_view_block_tx(watch_view *v, uint64_t blknum, uint32_t txindex, plasma_buf *buf)
{
    uint8_t key[13];
    plasma_buf chunk = {0};
    plasma_rlp_item item;
    size_t at = 0, used = 0;
    watch_block_hdr h;
    bool in_file;
    int rc = read_header(v, blknum, &h, &in_file);
    if (rc != 0)
        return rc;
    if (in_file)
        return watch_blocks_read_tx(watch_store_dir(v->store), blknum, h.n, txindex, buf);
    if (txindex >= h.n)
        return PLASMA_ERR_NOT_FOUND;
    block_key(key, K_TXS, blknum, txindex / TXS_PER_CHUNK);
    if ((rc = watch_store_get(v->store, key, sizeof key, &chunk)) != 0)
        goto cleanup;
    for (uint32_t i = 0; i <= txindex % TXS_PER_CHUNK; i++, at += used)
        if (at >= chunk.len || plasma_rlp_decode_prefix(&item, &used, chunk.data + at, chunk.len - at) != 0) {
            rc = at >= chunk.len ? PLASMA_ERR_NOT_FOUND : PLASMA_ERR_IO;
            goto cleanup;
        }
    at -= used;
    rc = plasma_buf_append(buf, chunk.data + at, used) == 0 ? 0 : PLASMA_ERR_NOMEM;
cleanup:
    plasma_buf_free(&chunk);
    return rc;
}

/* The Merkle tree of blknum, built from its stored leaves (the last one is
 * kept: exits of one owner often come from the same block). */
static int block_tree(watch_view *v, uint64_t blknum, const plasma_merkle **out)
{
    uint8_t key[13];
    plasma_buf leaves = {0};
    plasma_merkle *tree = NULL;
    watch_block_hdr h;
    bool in_file;
    int rc;
    if (v->tree && v->tree_blknum == blknum) {
        *out = v->tree;
        return 0;
    }
    if ((rc = read_header(v, blknum, &h, &in_file)) == 0 && in_file)
        rc = watch_blocks_read_leaves(watch_store_dir(v->store), blknum, h.n, &leaves);
    else if (rc == 0) {
        block_key(key, K_LEAVES, blknum, 0);
        rc = watch_store_get(v->store, key, 9, &leaves);
    }
    if (rc == 0 && leaves.len != (size_t)h.n * sizeof(plasma_hash))
        rc = PLASMA_ERR_IO;
    if (rc == 0 &&
        (rc = plasma_merkle_build(&tree, (const plasma_hash *)leaves.data,
                                  leaves.len / sizeof(plasma_hash))) == 0 &&
        !plasma_hash_eq(plasma_merkle_tree_root(tree), &h.root)) {
        /* not the leaves of the block verified under this header */
        plasma_merkle_free(tree);
        rc = PLASMA_ERR_IO;
    }
    if (rc == 0) {
        plasma_merkle_free(v->tree);
        v->tree = tree;
        v->tree_blknum = blknum;
        *out = tree;
    }
    plasma_buf_free(&leaves);
    return rc == PLASMA_ERR_BAD_REQUEST ? PLASMA_ERR_IO : rc;
}

int watch_view_proof(watch_view *v, uint64_t blknum, uint32_t txindex, uint8_t proof[PLASMA_MERKLE_PROOF_LEN])
{
    const plasma_merkle *tree;
    int rc = block_tree(v, blknum, &tree); /* of the header's n leaves */
    if (rc == 0 && txindex >= plasma_merkle_tree_size(tree))
        rc = PLASMA_ERR_NOT_FOUND;
    return rc ? rc : plasma_merkle_proof(proof, tree, txindex);
}

int watch_view_exit_data(watch_view *v, uint64_t pos, plasma_call *call)
{
    uint32_t txi = plasma_pos_txindex(pos);
    const plasma_merkle *tree;
    plasma_buf raw = {0}, u = {0};
    plasma_tx tx;
    int rc = watch_view_block_tx(v, plasma_pos_blknum(pos), txi, &raw);
    if (rc == 0 && plasma_tx_decode_block_tx(&tx, raw.data, raw.len) != 0)
        rc = PLASMA_ERR_IO;
    if (rc == 0 && (rc = plasma_tx_encode_unsigned(&u, &tx)) == 0 && u.len > PLASMA_CALL_MAX_TX)
        rc = PLASMA_ERR_NOT_FOUND;
    if (rc == 0 && (rc = block_tree(v, plasma_pos_blknum(pos), &tree)) == 0 &&
        (rc = plasma_merkle_proof(call->start_exit.proof, tree, txi)) == 0) {
        memcpy(call->start_exit.tx, u.data, u.len);
        call->start_exit.tx_len = u.len;
        call->start_exit.utxo_pos = pos;
    }
    plasma_buf_free(&raw);
    plasma_buf_free(&u);
    return rc;
}

typedef struct foreach_ctx {
    int (*fn)(void *ctx, const watch_utxo *u);
    void *ctx;
} foreach_ctx;

static int foreach_one(void *arg, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    foreach_ctx *f = arg;
    watch_utxo u;
    if (klen != 9 || utxo_decode(&u, watch_rd64(key + 1), val, vlen) != 0)
        return PLASMA_ERR_IO;
    return f->fn(f->ctx, &u);
}

int watch_view_foreach(watch_view *v, int (*fn)(void *ctx, const watch_utxo *u), void *ctx)
{
    foreach_ctx f = {fn, ctx};
    uint8_t from[1] = {K_UTXO};
    return watch_store_scan(v->store, from, 1, 1, foreach_one, &f);
}
