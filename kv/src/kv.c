/* LevelDB behind plasma/kv.h. */
#include "plasma/kv.h"

#include <leveldb/c.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/types.h"

#define PREFIX_MAX 64

struct plasma_kv {
    leveldb_t *db;
    leveldb_options_t *opts;
    leveldb_cache_t *cache;
    leveldb_filterpolicy_t *filter;
    leveldb_readoptions_t *ropts;
    leveldb_writeoptions_t *wsync;
    leveldb_writeoptions_t *wasync;
    atomic_long fail_after;
};

struct plasma_kv_batch {
    leveldb_writebatch_t *wb;
};

struct plasma_kv_iter {
    leveldb_iterator_t *it;
    uint8_t prefix[PREFIX_MAX];
    size_t plen;
};

void plasma_kv_options_default(plasma_kv_options *o)
{
    memset(o, 0, sizeof *o);
    o->compress = true;
}

static void set_options(plasma_kv *db, const plasma_kv_options *o)
{
    leveldb_options_set_create_if_missing(db->opts, 1);
    if (db->cache)
        leveldb_options_set_cache(db->opts, db->cache);
    if (db->filter)
        leveldb_options_set_filter_policy(db->opts, db->filter);
    if (o->write_buffer_mb)
        leveldb_options_set_write_buffer_size(db->opts, o->write_buffer_mb << 20);
    if (o->max_open_files)
        leveldb_options_set_max_open_files(db->opts, o->max_open_files);
    leveldb_options_set_compression(db->opts,
                                    o->compress ? leveldb_snappy_compression : leveldb_no_compression);
    leveldb_options_set_paranoid_checks(db->opts, o->paranoid);
    leveldb_readoptions_set_verify_checksums(db->ropts, o->paranoid);
    leveldb_writeoptions_set_sync(db->wsync, 1);
}

static int open_db(plasma_kv *db, const char *dir, const plasma_kv_options *o, char *err, size_t err_len)
{
    if (o->make_parents && plasma_mkdir_parents(dir) != 0) {
        if (err)
            snprintf(err, err_len, "cannot create the directory %s", dir);
        return PLASMA_ERR_IO;
    }
    char *lerr = NULL;
    db->db = leveldb_open(db->opts, dir, &lerr);
    if (!db->db) {
        /* The usual cause on a first run: a second daemon on the same data. */
        bool locked = lerr && strstr(lerr, "/LOCK");
        if (err)
            snprintf(err, err_len, "cannot open database %s: %s%s", dir, lerr ? lerr : "unknown error",
                     locked ? " (is another process using this directory?)" : "");
        leveldb_free(lerr);
        return PLASMA_ERR_IO;
    }
    return PLASMA_OK;
}

int plasma_kv_open(plasma_kv **out, const char *dir, const plasma_kv_options *opts, char *err, size_t err_len)
{
    plasma_kv_options def;
    if (!opts) {
        plasma_kv_options_default(&def);
        opts = &def;
    }
    plasma_kv *db = calloc(1, sizeof *db);
    if (!db)
        return PLASMA_ERR_NOMEM;
    atomic_init(&db->fail_after, -1);
    int rc = PLASMA_ERR_NOMEM;
    db->opts = leveldb_options_create();
    db->ropts = leveldb_readoptions_create();
    db->wsync = leveldb_writeoptions_create();
    db->wasync = leveldb_writeoptions_create();
    size_t cache = opts->cache_bytes ? opts->cache_bytes : opts->cache_mb << 20;
    if (cache)
        db->cache = leveldb_cache_create_lru(cache);
    if (opts->bloom)
        db->filter = leveldb_filterpolicy_create_bloom(10);
    if (!db->opts || !db->ropts || !db->wsync || !db->wasync || (cache && !db->cache) ||
        (opts->bloom && !db->filter))
        goto cleanup;
    set_options(db, opts);
    if ((rc = open_db(db, dir, opts, err, err_len)) < 0)
        goto cleanup;
    *out = db;
    return PLASMA_OK;
cleanup:
    if (rc == PLASMA_ERR_NOMEM && err)
        snprintf(err, err_len, "out of memory opening %s", dir);
    plasma_kv_free(db);
    return rc;
}

void plasma_kv_free(plasma_kv *db)
{
    if (!db)
        return;
    if (db->db)
        leveldb_close(db->db);
    if (db->ropts)
        leveldb_readoptions_destroy(db->ropts);
    if (db->wsync)
        leveldb_writeoptions_destroy(db->wsync);
    if (db->wasync)
        leveldb_writeoptions_destroy(db->wasync);
    if (db->opts)
        leveldb_options_destroy(db->opts);
    if (db->filter)
        leveldb_filterpolicy_destroy(db->filter);
    if (db->cache)
        leveldb_cache_destroy(db->cache);
    free(db);
}

void plasma_kv_fail_writes_after(plasma_kv *db, long n)
{
    atomic_store(&db->fail_after, n);
}

/* Counts down successful writes; at zero every later write fails. */
static bool fault_injected(plasma_kv *db)
{
    long n = atomic_load(&db->fail_after);
    while (n > 0 && !atomic_compare_exchange_weak(&db->fail_after, &n, n - 1))
        ;
    return n == 0;
}

int plasma_kv_get(plasma_kv *db, const void *key, size_t klen, uint8_t **val, size_t *len)
{
    char *lerr = NULL;
    size_t vlen = 0;
    char *v = leveldb_get(db->db, db->ropts, key, klen, &vlen, &lerr);
    if (lerr) {
        leveldb_free(lerr);
        return PLASMA_ERR_IO;
    }
    if (!v)
        return PLASMA_ERR_NOT_FOUND;
    uint8_t *copy = malloc(vlen + 1);
    if (!copy) {
        leveldb_free(v);
        return PLASMA_ERR_NOMEM;
    }
    memcpy(copy, v, vlen);
    copy[vlen] = 0;
    leveldb_free(v);
    *val = copy;
    *len = vlen;
    return PLASMA_OK;
}

int plasma_kv_has(plasma_kv *db, const void *key, size_t klen)
{
    uint8_t *v = NULL;
    size_t len;
    int rc = plasma_kv_get(db, key, klen, &v, &len);
    free(v);
    if (rc == PLASMA_ERR_NOT_FOUND)
        return 0;
    return rc < 0 ? rc : 1;
}

int plasma_kv_put(plasma_kv *db, const void *key, size_t klen, const void *val, size_t vlen, bool sync)
{
    if (fault_injected(db))
        return PLASMA_ERR_IO;
    char *lerr = NULL;
    leveldb_put(db->db, sync ? db->wsync : db->wasync, key, klen, val, vlen, &lerr);
    if (lerr) {
        leveldb_free(lerr);
        return PLASMA_ERR_IO;
    }
    return PLASMA_OK;
}

plasma_kv_batch *plasma_kv_batch_new(void)
{
    plasma_kv_batch *b = malloc(sizeof *b);
    if (!b)
        return NULL;
    b->wb = leveldb_writebatch_create();
    if (!b->wb) {
        free(b);
        return NULL;
    }
    return b;
}

void plasma_kv_batch_free(plasma_kv_batch *b)
{
    if (!b)
        return;
    leveldb_writebatch_destroy(b->wb);
    free(b);
}

void plasma_kv_batch_clear(plasma_kv_batch *b)
{
    leveldb_writebatch_clear(b->wb);
}

void plasma_kv_batch_put(plasma_kv_batch *b, const void *key, size_t klen, const void *val, size_t vlen)
{
    leveldb_writebatch_put(b->wb, key, klen, val, vlen);
}

void plasma_kv_batch_del(plasma_kv_batch *b, const void *key, size_t klen)
{
    leveldb_writebatch_delete(b->wb, key, klen);
}

int plasma_kv_write(plasma_kv *db, plasma_kv_batch *b, bool sync)
{
    if (fault_injected(db))
        return PLASMA_ERR_IO;
    char *lerr = NULL;
    leveldb_write(db->db, sync ? db->wsync : db->wasync, b->wb, &lerr);
    if (lerr) {
        leveldb_free(lerr);
        return PLASMA_ERR_IO;
    }
    return PLASMA_OK;
}

plasma_kv_iter *plasma_kv_iter_new(plasma_kv *db, const void *prefix, size_t plen, const void *start,
                                   size_t slen)
{
    if (plen > PREFIX_MAX)
        return NULL;
    plasma_kv_iter *it = malloc(sizeof *it);
    if (!it)
        return NULL;
    if (plen)
        memcpy(it->prefix, prefix, plen);
    it->plen = plen;
    it->it = leveldb_create_iterator(db->db, db->ropts);
    if (!it->it) {
        free(it);
        return NULL;
    }
    if (start)
        leveldb_iter_seek(it->it, start, slen);
    else if (plen)
        leveldb_iter_seek(it->it, prefix, plen);
    else
        leveldb_iter_seek_to_first(it->it);
    return it;
}

bool plasma_kv_iter_get(plasma_kv_iter *it, const uint8_t **key, size_t *klen, const uint8_t **val,
                        size_t *vlen)
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

void plasma_kv_iter_next(plasma_kv_iter *it)
{
    leveldb_iter_next(it->it);
}

int plasma_kv_iter_error(plasma_kv_iter *it)
{
    char *lerr = NULL;
    leveldb_iter_get_error(it->it, &lerr);
    if (!lerr)
        return PLASMA_OK;
    leveldb_free(lerr);
    return PLASMA_ERR_IO;
}

void plasma_kv_iter_free(plasma_kv_iter *it)
{
    if (!it)
        return;
    leveldb_iter_destroy(it->it);
    free(it);
}
