/* LevelDB behind the operator's record layout. See store.h. */
#include "store.h"

#include <leveldb/c.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/u256.h"

struct op_store {
    leveldb_t *db;
    leveldb_options_t *opts;
    leveldb_cache_t *cache;
    leveldb_filterpolicy_t *filter;
    leveldb_readoptions_t *ropts;
    leveldb_writeoptions_t *wsync;
    leveldb_writeoptions_t *wasync;
    atomic_long fail_after;
};

struct op_batch {
    leveldb_writebatch_t *wb;
};

struct op_iter {
    leveldb_iterator_t *it;
    uint8_t prefix[64];
    size_t plen;
};

int op_store_open(op_store **out, const char *dir, size_t cache_mb, char *err, size_t err_len)
{
    op_store *s = calloc(1, sizeof *s);
    if (!s)
        return PLASMA_ERR_NOMEM;
    atomic_init(&s->fail_after, -1);
    s->opts = leveldb_options_create();
    s->cache = leveldb_cache_create_lru(cache_mb << 20);
    s->filter = leveldb_filterpolicy_create_bloom(10);
    leveldb_options_set_create_if_missing(s->opts, 1);
    leveldb_options_set_cache(s->opts, s->cache);
    leveldb_options_set_filter_policy(s->opts, s->filter);
    leveldb_options_set_write_buffer_size(s->opts, 32u << 20);
    leveldb_options_set_max_open_files(s->opts, 512);
    /* Hashes, keys and signatures do not compress: snappy would only cost
     * CPU on the hot path. */
    leveldb_options_set_compression(s->opts, leveldb_no_compression);
    s->ropts = leveldb_readoptions_create();
    s->wsync = leveldb_writeoptions_create();
    leveldb_writeoptions_set_sync(s->wsync, 1);
    s->wasync = leveldb_writeoptions_create();
    char *lerr = NULL;
    s->db = leveldb_open(s->opts, dir, &lerr);
    if (!s->db) {
        /* The usual cause on a first run: a second daemon on the same data. */
        bool locked = lerr && strstr(lerr, "/LOCK");
        snprintf(err, err_len, "cannot open database %s: %s%s", dir, lerr ? lerr : "unknown error",
                 locked ? " (is another plasma-operator using this --data-dir?)" : "");
        leveldb_free(lerr);
        op_store_free(s);
        return PLASMA_ERR_IO;
    }
    *out = s;
    return PLASMA_OK;
}

void op_store_free(op_store *s)
{
    if (!s)
        return;
    if (s->db)
        leveldb_close(s->db);
    leveldb_readoptions_destroy(s->ropts);
    leveldb_writeoptions_destroy(s->wsync);
    leveldb_writeoptions_destroy(s->wasync);
    leveldb_options_destroy(s->opts);
    leveldb_filterpolicy_destroy(s->filter);
    leveldb_cache_destroy(s->cache);
    free(s);
}

void op_store_fail_after(op_store *s, long n)
{
    atomic_store(&s->fail_after, n);
}

int op_store_get(op_store *s, const uint8_t *key, size_t klen, uint8_t **val, size_t *len)
{
    char *lerr = NULL;
    size_t vlen = 0;
    char *v = leveldb_get(s->db, s->ropts, (const char *)key, klen, &vlen, &lerr);
    if (lerr) {
        leveldb_free(lerr);
        return PLASMA_ERR_IO;
    }
    if (!v)
        return PLASMA_ERR_NOT_FOUND;
    uint8_t *copy = malloc(vlen ? vlen : 1);
    if (!copy) {
        leveldb_free(v);
        return PLASMA_ERR_NOMEM;
    }
    memcpy(copy, v, vlen);
    leveldb_free(v);
    *val = copy;
    *len = vlen;
    return PLASMA_OK;
}

bool op_store_has(op_store *s, const uint8_t *key, size_t klen)
{
    uint8_t *v = NULL;
    size_t len;
    if (op_store_get(s, key, klen, &v, &len) != 0)
        return false;
    free(v);
    return true;
}

op_batch *op_batch_new(void)
{
    op_batch *b = malloc(sizeof *b);
    if (!b)
        return NULL;
    b->wb = leveldb_writebatch_create();
    return b;
}

void op_batch_free(op_batch *b)
{
    if (!b)
        return;
    leveldb_writebatch_destroy(b->wb);
    free(b);
}

void op_batch_clear(op_batch *b)
{
    leveldb_writebatch_clear(b->wb);
}

void op_batch_put(op_batch *b, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    leveldb_writebatch_put(b->wb, (const char *)key, klen, (const char *)val, vlen);
}

void op_batch_del(op_batch *b, const uint8_t *key, size_t klen)
{
    leveldb_writebatch_delete(b->wb, (const char *)key, klen);
}

/* The fault hook counts down successful writes; at zero every later write
 * reports an I/O error, as a full disk would. */
static bool fault_injected(op_store *s)
{
    long n = atomic_load(&s->fail_after);
    while (n > 0 && !atomic_compare_exchange_weak(&s->fail_after, &n, n - 1))
        ;
    return n == 0;
}

int op_store_write(op_store *s, op_batch *b, bool sync)
{
    if (fault_injected(s))
        return PLASMA_ERR_IO;
    char *lerr = NULL;
    leveldb_write(s->db, sync ? s->wsync : s->wasync, b->wb, &lerr);
    if (lerr) {
        leveldb_free(lerr);
        return PLASMA_ERR_IO;
    }
    return PLASMA_OK;
}

op_iter *op_store_iter(op_store *s, const uint8_t *prefix, size_t plen, const uint8_t *start, size_t slen)
{
    if (plen > sizeof((op_iter *)0)->prefix)
        return NULL;
    op_iter *it = malloc(sizeof *it);
    if (!it)
        return NULL;
    memcpy(it->prefix, prefix, plen);
    it->plen = plen;
    it->it = leveldb_create_iterator(s->db, s->ropts);
    if (start)
        leveldb_iter_seek(it->it, (const char *)start, slen);
    else
        leveldb_iter_seek(it->it, (const char *)prefix, plen);
    return it;
}

bool op_iter_get(op_iter *it, const uint8_t **key, size_t *klen, const uint8_t **val, size_t *vlen)
{
    if (!leveldb_iter_valid(it->it))
        return false;
    const char *k = leveldb_iter_key(it->it, klen);
    if (*klen < it->plen || memcmp(k, it->prefix, it->plen) != 0)
        return false;
    *key = (const uint8_t *)k;
    *val = (const uint8_t *)leveldb_iter_value(it->it, vlen);
    return true;
}

void op_iter_next(op_iter *it)
{
    leveldb_iter_next(it->it);
}

void op_iter_free(op_iter *it)
{
    if (!it)
        return;
    leveldb_iter_destroy(it->it);
    free(it);
}

void op_key_utxo(uint8_t out[9], uint64_t pos)
{
    out[0] = 'u';
    op_be64(out + 1, pos);
}

void op_key_spent(uint8_t out[9], uint64_t pos)
{
    out[0] = 's';
    op_be64(out + 1, pos);
}

void op_key_owner(uint8_t out[29], const plasma_addr *owner, uint64_t pos)
{
    out[0] = 'o';
    memcpy(out + 1, owner->b, 20);
    op_be64(out + 21, pos);
}

void op_key_owner_group(uint8_t out[29], const plasma_addr *owner, uint64_t blknum)
{
    out[0] = 'O';
    memcpy(out + 1, owner->b, 20);
    op_be64(out + 21, blknum);
}

void op_key_txhash(uint8_t out[33], const plasma_hash *h)
{
    out[0] = 't';
    memcpy(out + 1, h->b, 32);
}

void op_key_blocktx(uint8_t out[13], uint64_t blknum, uint32_t txindex)
{
    out[0] = 'b';
    op_be64(out + 1, blknum);
    op_be32(out + 9, txindex);
}

void op_key_block(uint8_t out[9], uint64_t blknum)
{
    out[0] = 'B';
    op_be64(out + 1, blknum);
}

size_t op_key_meta(uint8_t out[65], const char *name)
{
    size_t n = strlen(name);
    if (n > 64)
        n = 64;
    out[0] = 'm';
    memcpy(out + 1, name, n);
    return n + 1;
}

size_t op_utxo_encode(uint8_t out[OP_UTXO_REC_LEN], const op_utxo_rec *r)
{
    uint8_t be[32];
    size_t n = plasma_u256_byte_len(&r->amount);
    plasma_u256_to_be(be, &r->amount);
    memcpy(out, r->owner.b, 20);
    memcpy(out + 20, r->token.b, 20);
    memcpy(out + 40, be + 32 - n, n);
    return 40 + n;
}

int op_utxo_decode(op_utxo_rec *r, const uint8_t *val, size_t len)
{
    if (len < 40 || len > OP_UTXO_REC_LEN)
        return PLASMA_ERR_IO;
    memcpy(r->owner.b, val, 20);
    memcpy(r->token.b, val + 20, 20);
    return plasma_u256_from_be(&r->amount, val + 40, len - 40) == 0 ? PLASMA_OK : PLASMA_ERR_IO;
}

void op_block_hdr_encode(uint8_t out[OP_BLOCK_HDR_LEN], const op_block_hdr *h)
{
    memcpy(out, h->root.b, 32);
    op_be64(out + 32, h->timestamp);
    op_be32(out + 40, h->n_txs);
    out[44] = (uint8_t)h->flags;
}

int op_block_hdr_decode(op_block_hdr *h, const uint8_t *val, size_t len)
{
    if (len != OP_BLOCK_HDR_LEN)
        return PLASMA_ERR_IO;
    memcpy(h->root.b, val, 32);
    h->timestamp = op_rd64(val + 32);
    h->n_txs = op_rd32(val + 40);
    h->flags = val[44];
    return PLASMA_OK;
}

void op_block_tx_encode_prefix(uint8_t out[OP_BLOCK_TX_PREFIX], const plasma_hash *leaf,
                               const plasma_addr *fee_token, const plasma_u256 *fee)
{
    memcpy(out, leaf->b, 32);
    memcpy(out + 32, fee_token->b, 20);
    plasma_u256_to_be(out + 52, fee);
}

int op_block_tx_decode(op_block_tx *t, const uint8_t *val, size_t len)
{
    if (len <= OP_BLOCK_TX_PREFIX)
        return PLASMA_ERR_IO;
    memcpy(t->leaf.b, val, 32);
    memcpy(t->fee_token.b, val + 32, 20);
    if (plasma_u256_from_be(&t->fee, val + 52, 32) != 0)
        return PLASMA_ERR_IO;
    t->rlp = val + OP_BLOCK_TX_PREFIX;
    t->rlp_len = len - OP_BLOCK_TX_PREFIX;
    return PLASMA_OK;
}

int op_store_get_block(op_store *s, uint64_t blknum, op_block_hdr *out)
{
    uint8_t key[9], *val = NULL;
    size_t len;
    op_key_block(key, blknum);
    int rc = op_store_get(s, key, sizeof key, &val, &len);
    if (rc == 0)
        rc = op_block_hdr_decode(out, val, len);
    free(val);
    return rc;
}

int op_store_get_utxo(op_store *s, uint64_t pos, op_utxo_rec *out)
{
    uint8_t key[9], *val = NULL;
    size_t len;
    op_key_utxo(key, pos);
    int rc = op_store_get(s, key, sizeof key, &val, &len);
    if (rc == 0)
        rc = op_utxo_decode(out, val, len);
    free(val);
    return rc;
}

int op_store_get_meta_u64(op_store *s, const char *name, uint64_t *out)
{
    uint8_t key[65], *val = NULL;
    size_t len;
    int rc = op_store_get(s, key, op_key_meta(key, name), &val, &len);
    if (rc == 0) {
        if (len == 8)
            *out = op_rd64(val);
        else
            rc = PLASMA_ERR_IO;
    }
    free(val);
    return rc;
}

void op_batch_put_meta_u64(op_batch *b, const char *name, uint64_t v)
{
    uint8_t key[65], val[8];
    op_be64(val, v);
    op_batch_put(b, key, op_key_meta(key, name), val, sizeof val);
}
