/* The watcher's LevelDB (see watch_store.h), on the project's one LevelDB
 * wrapper (plasma_kv). */
#include "watch_store.h"

#include <stdlib.h>
#include <string.h>

#include "plasma/core.h"
#include "plasma/kv.h"

#define K_UNDO 'R'
#define K_UNDO_FLOOR 'r' /* floor8: records tagged below it were dropped */

struct watch_store {
    plasma_kv *db;
    char *dir;
    bool undo;
    uint64_t window;
    uint64_t tag;      /* of the writes that follow */
    uint64_t next_seq; /* of the next undo record */
    uint64_t floor;    /* records tagged below it were dropped */
};

struct watch_batch {
    plasma_kv_batch *kb;
    size_t bytes;
    plasma_buf keys;  /* every key written or deleted, each as len2 key, for undo */
    bool keys_failed; /* out of memory recording them: the write is refused when undo is on */
};

void watch_store_close(watch_store *s)
{
    if (!s)
        return;
    plasma_kv_free(s->db);
    free(s->dir);
    free(s);
}

const char *watch_store_dir(const watch_store *s)
{
    return s->dir;
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
    if (!(s->dir = strdup(dir))) {
        free(s);
        return PLASMA_ERR_NOMEM;
    }
    int rc = plasma_kv_open(&s->db, dir, &o, NULL, 0);
    if (rc != 0) {
        free(s->dir);
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
    plasma_buf_free(&b->keys);
    free(b);
}

void watch_batch_clear(watch_batch *b)
{
    plasma_kv_batch_clear(b->kb);
    b->bytes = 0;
    b->keys.len = 0;
    b->keys_failed = false;
}

static void note_key(watch_batch *b, const void *key, size_t klen)
{
    uint8_t len[2] = {(uint8_t)(klen >> 8), (uint8_t)klen};
    if (klen > 0xffff || plasma_buf_append(&b->keys, len, 2) != 0 ||
        plasma_buf_append(&b->keys, key, klen) != 0)
        b->keys_failed = true;
}

void watch_batch_put(watch_batch *b, const void *key, size_t klen, const void *val, size_t vlen)
{
    plasma_kv_batch_put(b->kb, key, klen, val, vlen);
    b->bytes += klen + vlen;
    note_key(b, key, klen);
}

void watch_batch_delete(watch_batch *b, const void *key, size_t klen)
{
    plasma_kv_batch_del(b->kb, key, klen);
    b->bytes += klen;
    note_key(b, key, klen);
}

size_t watch_batch_bytes(const watch_batch *b)
{
    return b->bytes;
}

static void undo_key(uint8_t key[17], uint64_t tag, uint64_t seq)
{
    key[0] = K_UNDO;
    for (int i = 0; i < 8; i++) {
        key[1 + i] = (uint8_t)(tag >> (56 - 8 * i));
        key[9 + i] = (uint8_t)(seq >> (56 - 8 * i));
    }
}

static size_t rd32(const uint8_t *p)
{
    return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* The undo record of b: for each key, len2 key present1 [len4 value] as
 * the store holds it now. */
static int undo_record(watch_store *s, const watch_batch *b, plasma_buf *rec)
{
    for (size_t off = 0; off + 2 <= b->keys.len;) {
        size_t klen = (size_t)b->keys.data[off] << 8 | b->keys.data[off + 1];
        const uint8_t *key = b->keys.data + off + 2;
        uint8_t *v = NULL, hdr[5];
        size_t vlen = 0;
        int rc = plasma_kv_get(s->db, key, klen, &v, &vlen);
        if (rc != 0 && rc != PLASMA_ERR_NOT_FOUND)
            return rc;
        hdr[0] = rc == 0;
        for (int i = 0; i < 4; i++)
            hdr[1 + i] = (uint8_t)(vlen >> (24 - 8 * i));
        rc = plasma_buf_append(rec, b->keys.data + off, 2 + klen) != 0 ||
                     plasma_buf_append(rec, hdr, hdr[0] ? 5 : 1) != 0 ||
                     (hdr[0] && vlen && plasma_buf_append(rec, v, vlen) != 0)
                 ? PLASMA_ERR_NOMEM
                 : 0;
        free(v);
        if (rc)
            return rc;
        off += 2 + klen;
    }
    return 0;
}

typedef struct undo_scan {
    plasma_kv_batch *kb;
    uint64_t below;   /* prune: records tagged below it */
    plasma_buf *recs; /* rollback: the records, each as len4 record */
    size_t n;
} undo_scan;

static int prune_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    undo_scan *u = ctx;
    (void)val;
    (void)vlen;
    if (klen != 17 || rd64(key + 1) >= u->below)
        return 1;
    plasma_kv_batch_del(u->kb, key, klen);
    return 0;
}

int watch_store_write(watch_store *s, const watch_batch *b)
{
    if (!s->undo)
        return plasma_kv_write(s->db, b->kb, true);
    if (b->keys_failed)
        return PLASMA_ERR_NOMEM;
    plasma_buf rec = {0};
    uint8_t key[17], from[1] = {K_UNDO};
    int rc = undo_record(s, b, &rec);
    undo_scan u = {b->kb, s->tag > s->window ? s->tag - s->window : 0, NULL, 0};
    if (rc == 0 && rec.len) {
        undo_key(key, s->tag, s->next_seq);
        plasma_kv_batch_put(b->kb, key, sizeof key, rec.data, rec.len);
    }
    if (rc == 0 && u.below > s->floor) {
        uint8_t fl[8];
        for (int i = 0; i < 8; i++)
            fl[i] = (uint8_t)(u.below >> (56 - 8 * i));
        plasma_kv_batch_put(b->kb, (uint8_t[]){K_UNDO_FLOOR}, 1, fl, sizeof fl);
        rc = watch_store_scan(s, from, 1, 1, prune_cb, &u);
    }
    if (rc >= 0 && (rc = plasma_kv_write(s->db, b->kb, true)) == 0) {
        s->next_seq += rec.len != 0;
        if (u.below > s->floor)
            s->floor = u.below;
    }
    plasma_buf_free(&rec);
    return rc < 0 ? rc : 0;
}

static int last_seq_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    watch_store *s = ctx;
    (void)val;
    (void)vlen;
    if (klen == 17 && rd64(key + 9) >= s->next_seq)
        s->next_seq = rd64(key + 9) + 1;
    if (klen == 17 && rd64(key + 1) > s->tag)
        s->tag = rd64(key + 1);
    return 0;
}

int watch_store_undo_on(watch_store *s, uint64_t window)
{
    uint8_t from[1] = {K_UNDO};
    uint8_t fkey[1] = {K_UNDO_FLOOR};
    plasma_buf fl = {0};
    s->window = window;
    s->next_seq = 0;
    s->tag = 0;
    s->floor = 0;
    int rc = watch_store_get(s, fkey, 1, &fl);
    if (rc == 0 && fl.len == 8)
        s->floor = rd64(fl.data);
    else if (rc == 0)
        rc = PLASMA_ERR_IO;
    else if (rc == PLASMA_ERR_NOT_FOUND)
        rc = 0;
    plasma_buf_free(&fl);
    if (rc == 0)
        rc = watch_store_scan(s, from, 1, 1, last_seq_cb, s);
    s->undo = rc == 0;
    return rc;
}

void watch_store_set_tag(watch_store *s, uint64_t tag)
{
    if (tag > s->tag)
        s->tag = tag;
}

static int collect_cb(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    undo_scan *u = ctx;
    uint8_t len[4] = {(uint8_t)(vlen >> 24), (uint8_t)(vlen >> 16), (uint8_t)(vlen >> 8), (uint8_t)vlen};
    if (klen != 17)
        return PLASMA_ERR_IO;
    if (plasma_buf_append(u->recs, key, klen) != 0 || plasma_buf_append(u->recs, len, 4) != 0 ||
        plasma_buf_append(u->recs, val, vlen) != 0)
        return PLASMA_ERR_NOMEM;
    u->n++;
    return 0;
}

/* Adds the restoring ops of one undo record to kb. */
static int apply_undo(plasma_kv_batch *kb, const uint8_t *rec, size_t len)
{
    for (size_t off = 0; off < len;) {
        if (off + 3 > len)
            return PLASMA_ERR_IO;
        size_t klen = (size_t)rec[off] << 8 | rec[off + 1];
        if (off + 2 + klen + 1 > len)
            return PLASMA_ERR_IO;
        const uint8_t *key = rec + off + 2;
        off += 2 + klen;
        if (!rec[off++]) {
            plasma_kv_batch_del(kb, key, klen);
            continue;
        }
        if (off + 4 > len)
            return PLASMA_ERR_IO;
        size_t vlen = rd32(rec + off);
        off += 4;
        if (off + vlen > len)
            return PLASMA_ERR_IO;
        plasma_kv_batch_put(kb, key, klen, rec + off, vlen);
        off += vlen;
    }
    return 0;
}

int watch_store_rollback(watch_store *s, uint64_t block, size_t *n_writes)
{
    if (!s->undo)
        return PLASMA_ERR_BAD_REQUEST;
    if (block + 1 < s->floor)
        return PLASMA_ERR_NOT_FOUND;
    plasma_buf recs = {0};
    uint8_t from[17];
    undo_scan u = {NULL, 0, &recs, 0};
    plasma_kv_batch *kb = plasma_kv_batch_new();
    undo_key(from, block + 1, 0);
    int rc = !kb                   ? PLASMA_ERR_NOMEM
             : block == UINT64_MAX ? 0
                                   : watch_store_scan(s, from, sizeof from, 1, collect_cb, &u);
    /* Newest first: in a batch the last op on a key wins, and the oldest
     * record holds the value from before all of them. */
    size_t *at = rc == 0 && u.n ? calloc(u.n, sizeof *at) : NULL;
    if (rc == 0 && u.n && !at)
        rc = PLASMA_ERR_NOMEM;
    for (size_t off = 0, i = 0; rc == 0 && i < u.n; i++) {
        at[i] = off;
        off += 21 + rd32(recs.data + off + 17);
    }
    for (size_t i = u.n; rc == 0 && i-- > 0;) {
        const uint8_t *r = recs.data + at[i];
        if ((rc = apply_undo(kb, r + 21, rd32(r + 17))) == 0)
            plasma_kv_batch_del(kb, r, 17);
    }
    if (rc == 0 && u.n)
        rc = plasma_kv_write(s->db, kb, true);
    if (rc == 0) {
        s->tag = block;
        if (n_writes)
            *n_writes = u.n;
    }
    free(at);
    plasma_kv_batch_free(kb);
    plasma_buf_free(&recs);
    return rc < 0 ? rc : 0;
}

void watch_store_fail_writes_after(watch_store *s, unsigned n)
{
    /* Here the n-th write fails; the wrapper counts the writes that still
     * succeed. */
    plasma_kv_fail_writes_after(s->db, n ? (long)n - 1 : -1);
}
