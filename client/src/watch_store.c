/* The watcher's LevelDB (see watch_store.h). */
#include "watch_store.h"

#include <leveldb/c.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/core.h"

/* Hashes, signatures and addresses do not compress. */
#define WRITE_BUFFER (32u << 20)

struct watch_store {
    leveldb_t *db;
    leveldb_options_t *opts;
    leveldb_cache_t *cache;
    leveldb_filterpolicy_t *filter;
    leveldb_readoptions_t *ropts;
    leveldb_writeoptions_t *wopts;
    unsigned fail_after; /* 0: off; else writes left before they fail */
};

struct watch_batch {
    leveldb_writebatch_t *wb;
    size_t bytes;
};

void watch_store_close(watch_store *s)
{
    if (!s)
        return;
    if (s->db)
        leveldb_close(s->db);
    if (s->ropts)
        leveldb_readoptions_destroy(s->ropts);
    if (s->wopts)
        leveldb_writeoptions_destroy(s->wopts);
    if (s->opts)
        leveldb_options_destroy(s->opts);
    if (s->cache)
        leveldb_cache_destroy(s->cache);
    if (s->filter)
        leveldb_filterpolicy_destroy(s->filter);
    free(s);
}

int watch_store_open(watch_store **out, const char *dir, size_t cache_bytes)
{
    char *lerr = NULL;
    watch_store *s = calloc(1, sizeof *s);
    if (!s)
        return PLASMA_ERR_NOMEM;
    s->opts = leveldb_options_create();
    s->ropts = leveldb_readoptions_create();
    s->wopts = leveldb_writeoptions_create();
    s->cache = leveldb_cache_create_lru(cache_bytes ? cache_bytes : 1);
    s->filter = leveldb_filterpolicy_create_bloom(10);
    if (!s->opts || !s->ropts || !s->wopts || !s->cache || !s->filter) {
        watch_store_close(s);
        return PLASMA_ERR_NOMEM;
    }
    leveldb_options_set_create_if_missing(s->opts, 1);
    leveldb_options_set_cache(s->opts, s->cache);
    leveldb_options_set_filter_policy(s->opts, s->filter);
    leveldb_options_set_write_buffer_size(s->opts, WRITE_BUFFER);
    leveldb_options_set_max_open_files(s->opts, 256);
    leveldb_options_set_compression(s->opts, leveldb_no_compression);
    leveldb_writeoptions_set_sync(s->wopts, 1);
    if (plasma_mkdir_parents(dir) != 0 || !(s->db = leveldb_open(s->opts, dir, &lerr))) {
        leveldb_free(lerr);
        watch_store_close(s);
        return PLASMA_ERR_IO;
    }
    *out = s;
    return 0;
}

int watch_store_get(watch_store *s, const void *key, size_t klen, plasma_buf *val)
{
    char *lerr = NULL;
    size_t len = 0;
    char *v = leveldb_get(s->db, s->ropts, key, klen, &len, &lerr);
    int rc = 0;
    if (lerr) {
        leveldb_free(lerr);
        return PLASMA_ERR_IO;
    }
    if (!v)
        return PLASMA_ERR_NOT_FOUND;
    if (plasma_buf_append(val, (const uint8_t *)v, len) != 0)
        rc = PLASMA_ERR_NOMEM;
    leveldb_free(v);
    return rc;
}

int watch_store_scan(watch_store *s, const void *from, size_t flen, size_t prefix_len, watch_store_cb cb,
                     void *ctx)
{
    int rc = 0;
    leveldb_iterator_t *it = leveldb_create_iterator(s->db, s->ropts);
    if (!it)
        return PLASMA_ERR_NOMEM;
    for (leveldb_iter_seek(it, from, flen); rc == 0 && leveldb_iter_valid(it); leveldb_iter_next(it)) {
        size_t klen = 0, vlen = 0;
        const char *k = leveldb_iter_key(it, &klen), *v = leveldb_iter_value(it, &vlen);
        if (klen < prefix_len || memcmp(k, from, prefix_len) != 0)
            break;
        rc = cb(ctx, (const uint8_t *)k, klen, (const uint8_t *)v, vlen);
    }
    if (rc == 0) {
        char *lerr = NULL;
        leveldb_iter_get_error(it, &lerr);
        if (lerr) {
            leveldb_free(lerr);
            rc = PLASMA_ERR_IO;
        }
    }
    leveldb_iter_destroy(it);
    return rc;
}

int watch_batch_new(watch_batch **out)
{
    watch_batch *b = calloc(1, sizeof *b);
    if (!b || !(b->wb = leveldb_writebatch_create())) {
        free(b);
        return PLASMA_ERR_NOMEM;
    }
    *out = b;
    return 0;
}

void watch_batch_free(watch_batch *b)
{
    if (!b)
        return;
    leveldb_writebatch_destroy(b->wb);
    free(b);
}

void watch_batch_clear(watch_batch *b)
{
    leveldb_writebatch_clear(b->wb);
    b->bytes = 0;
}

void watch_batch_put(watch_batch *b, const void *key, size_t klen, const void *val, size_t vlen)
{
    leveldb_writebatch_put(b->wb, key, klen, val, vlen);
    b->bytes += klen + vlen;
}

void watch_batch_delete(watch_batch *b, const void *key, size_t klen)
{
    leveldb_writebatch_delete(b->wb, key, klen);
    b->bytes += klen;
}

size_t watch_batch_bytes(const watch_batch *b)
{
    return b->bytes;
}

int watch_store_write(watch_store *s, const watch_batch *b)
{
    char *lerr = NULL;
    if (s->fail_after && --s->fail_after == 0) {
        s->fail_after = 1; /* and every later write */
        return PLASMA_ERR_IO;
    }
    leveldb_write(s->db, s->wopts, b->wb, &lerr);
    if (lerr) {
        leveldb_free(lerr);
        return PLASMA_ERR_IO;
    }
    return 0;
}

void watch_store_fail_writes_after(watch_store *s, unsigned n)
{
    s->fail_after = n;
}
