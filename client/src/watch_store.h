/* The watcher's LevelDB: binary keys and values, written in atomic batches.
 * The only watcher file that sees LevelDB: the rest of the watcher goes
 * through these few functions. Internal to libplasma_client. */
#ifndef PLASMA_WATCH_STORE_H
#define PLASMA_WATCH_STORE_H

#include <stddef.h>

#include "plasma/types.h"

typedef struct watch_store watch_store;
typedef struct watch_batch watch_batch;

/* Opens (creating it and its missing parents, mode 0700) the database in
 * dir, with a read cache of cache_bytes. Returns 0, PLASMA_ERR_IO (cannot
 * create or open it, or another process holds it) or PLASMA_ERR_NOMEM. */
int watch_store_open(watch_store **out, const char *dir, size_t cache_bytes);
void watch_store_close(watch_store *s);
/* The directory it was opened in. */
const char *watch_store_dir(const watch_store *s);

/* Out: the value of key appended to val. Returns 0, PLASMA_ERR_NOT_FOUND,
 * PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int watch_store_get(watch_store *s, const void *key, size_t klen, plasma_buf *val);

/* Calls cb for every key ≥ from that shares from's first prefix_len bytes,
 * in key order, until cb returns non-zero. Returns 0, that result,
 * PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
typedef int (*watch_store_cb)(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen);
int watch_store_scan(watch_store *s, const void *from, size_t flen, size_t prefix_len, watch_store_cb cb,
                     void *ctx);

/* Returns 0 or PLASMA_ERR_NOMEM. */
int watch_batch_new(watch_batch **out);
void watch_batch_free(watch_batch *b);
void watch_batch_clear(watch_batch *b);
void watch_batch_put(watch_batch *b, const void *key, size_t klen, const void *val, size_t vlen);
void watch_batch_delete(watch_batch *b, const void *key, size_t klen);
/* Bytes of keys and values put since the last clear. */
size_t watch_batch_bytes(const watch_batch *b);

/* Writes the batch as one atomic, synced write. Returns 0 or
 * PLASMA_ERR_IO (nothing of it was applied). */
int watch_store_write(watch_store *s, const watch_batch *b);

/* --- undo: writes taken back after a reorganisation of the root chain ---
 * With undo on, every write also stores, in the same atomic write, the
 * values its keys had before it (records 'R' tag8 seq8), tagged with the
 * root-chain block the written data derives from (watch_store_set_tag;
 * the tags of successive writes never decrease). Records whose tag is
 * more than window blocks below the current one are dropped. */

/* Turns undo on (reading the records already there). Returns 0,
 * PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int watch_store_undo_on(watch_store *s, uint64_t window);
/* The tag of the writes that follow. */
void watch_store_set_tag(watch_store *s, uint64_t tag);
/* Takes back, in one atomic write, every write tagged above block: the
 * store holds again what it held before the first of them. Out:
 * *n_writes (may be NULL), how many were taken back. Returns 0,
 * PLASMA_ERR_NOT_FOUND (block is below the window: some of those writes
 * can no longer be taken back; nothing changes), PLASMA_ERR_IO,
 * PLASMA_ERR_NOMEM or PLASMA_ERR_BAD_REQUEST (undo is off). */
int watch_store_rollback(watch_store *s, uint64_t block, size_t *n_writes);

/* Tests: the n-th write from now on, and every later one, fails with
 * PLASMA_ERR_IO (0: none fails). */
void watch_store_fail_writes_after(watch_store *s, unsigned n);

#endif
