/* The watcher's LevelDB (see watch_store.h), on the project's one LevelDB
 * wrapper (plasma_kv). */
#include "watch_store.h"

#include <stdlib.h>
#include <string.h>

#include "plasma/core.h"
#include "plasma/kv.h"

struct watch_store {
    plasma_kv *db;
};

struct watch_batch {
    plasma_kv_batch *kb;
    size_t bytes;
};

void watch_store_close(watch_store *s)
{
    if (!s)
        return;
    plasma_kv_free(s->db);
    free(s);
}

int watch_store_open(watch_store **out, const char *dir, size_t cache_bytes)
{
    watch_store *s = calloc(1, sizeof *s);
    if (!s)
        return PLASMA_ERR_NOMEM;
    plasma_kv_options o;
    plasma_kv_options_default(&o);
    o.cache_bytes = cache_bytes ? cache_bytes : 1;
    o.write_buffer_mb = 32;
    o.max_open_files = 256;
    o.bloom = true;
    o.compress = false; /* hashes, signatures and addresses do not compress */
    o.make_parents = true;
    int rc = plasma_kv_open(&s->db, dir, &o, NULL, 0);
    if (rc != 0) {
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int watch_store_get(watch_store *s, const void *key, size_t klen, plasma_buf *val)
{
    uint8_t *v = NULL;
    size_t len = 0;
    int rc = plasma_kv_get(s->db, key, klen, &v, &len);
    if (rc == 0 && plasma_buf_append(val, v, len) != 0)
        rc = PLASMA_ERR_NOMEM;
    free(v);
    return rc;
}

int watch_store_scan(watch_store *s, const void *from, size_t flen, size_t prefix_len, watch_store_cb cb,
                     void *ctx)
{
    if (prefix_len > flen)
        return PLASMA_ERR_INTERNAL;
    plasma_kv_iter *it = plasma_kv_iter_new(s->db, from, prefix_len, from, flen);
    if (!it)
        return PLASMA_ERR_NOMEM;
    int rc = 0;
    const uint8_t *k, *v;
    size_t klen, vlen;
    while (rc == 0 && plasma_kv_iter_get(it, &k, &klen, &v, &vlen)) {
        rc = cb(ctx, k, klen, v, vlen);
        plasma_kv_iter_next(it);
    }
    if (rc == 0)
        rc = plasma_kv_iter_error(it);
    plasma_kv_iter_free(it);
    return rc;
}

int watch_batch_new(watch_batch **out)
{
    watch_batch *b = calloc(1, sizeof *b);
    if (!b || !(b->kb = plasma_kv_batch_new())) {
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
    plasma_kv_batch_free(b->kb);
    free(b);
}

void watch_batch_clear(watch_batch *b)
{
    plasma_kv_batch_clear(b->kb);
    b->bytes = 0;
}

void watch_batch_put(watch_batch *b, const void *key, size_t klen, const void *val, size_t vlen)
{
    plasma_kv_batch_put(b->kb, key, klen, val, vlen);
    b->bytes += klen + vlen;
}

void watch_batch_delete(watch_batch *b, const void *key, size_t klen)
{
    plasma_kv_batch_del(b->kb, key, klen);
    b->bytes += klen;
}

size_t watch_batch_bytes(const watch_batch *b)
{
    return b->bytes;
}

int watch_store_write(watch_store *s, const watch_batch *b)
{
    return plasma_kv_write(s->db, b->kb, true);
}

void watch_store_fail_writes_after(watch_store *s, unsigned n)
{
    /* Here the n-th write fails; the wrapper counts the writes that still
     * succeed. */
    plasma_kv_fail_writes_after(s->db, n ? (long)n - 1 : -1);
}
