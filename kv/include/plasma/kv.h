/* LevelDB behind one small interface: the store of the operator's ledger,
 * of the simulated root chain and of the watcher. Keys and values are
 * bytes; batches are atomic; a synced write is on disk when it returns.
 *
 * Conventions: functions return 0 or a negative plasma_err (PLASMA_ERR_IO
 * for anything the database reports, PLASMA_ERR_NOMEM); handles are freed
 * with their NULL-safe *_free. A plasma_kv may be used by several threads
 * at once; a batch or an iterator by one thread at a time. */
#ifndef PLASMA_KV_H
#define PLASMA_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct plasma_kv plasma_kv;
typedef struct plasma_kv_batch plasma_kv_batch;
typedef struct plasma_kv_iter plasma_kv_iter;

typedef struct plasma_kv_options {
    size_t cache_mb;        /* block cache; 0: LevelDB's default */
    size_t cache_bytes;     /* block cache in bytes; when set, instead of cache_mb */
    size_t write_buffer_mb; /* memtable size; 0: LevelDB's default */
    int max_open_files;     /* 0: LevelDB's default */
    bool bloom;             /* a 10-bit bloom filter per table */
    bool compress;          /* snappy; off where values are hashes */
    bool paranoid;          /* verify checksums on open and on every read */
    bool make_parents;      /* create the directory and its parents */
} plasma_kv_options;

/* Fills *o with the defaults: everything LevelDB's, compression on. */
void plasma_kv_options_default(plasma_kv_options *o);

/* Opens (creating if missing) the database in dir. err (may be NULL)
 * receives a one-line reason on failure, err_len bytes at most.
 * Returns 0, PLASMA_ERR_IO (locked by another process, unreadable,
 * corrupt) or PLASMA_ERR_NOMEM. */
int plasma_kv_open(plasma_kv **out, const char *dir, const plasma_kv_options *opts, char *err,
                   size_t err_len);
void plasma_kv_free(plasma_kv *db);

/* Out: *val (malloc'd, caller frees; NUL-terminated past *len so that text
 * values read as strings) and *len. Returns 0, PLASMA_ERR_NOT_FOUND,
 * PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int plasma_kv_get(plasma_kv *db, const void *key, size_t klen, uint8_t **val, size_t *len);
/* Returns 1 when key exists, 0 when not, or PLASMA_ERR_IO / _NOMEM. */
int plasma_kv_has(plasma_kv *db, const void *key, size_t klen);
/* One put, synced when sync. Returns 0 or PLASMA_ERR_IO. */
int plasma_kv_put(plasma_kv *db, const void *key, size_t klen, const void *val, size_t vlen, bool sync);

/* A write batch; NULL when out of memory. */
plasma_kv_batch *plasma_kv_batch_new(void);
void plasma_kv_batch_free(plasma_kv_batch *b);
void plasma_kv_batch_clear(plasma_kv_batch *b);
void plasma_kv_batch_put(plasma_kv_batch *b, const void *key, size_t klen, const void *val, size_t vlen);
void plasma_kv_batch_del(plasma_kv_batch *b, const void *key, size_t klen);
/* Applies b atomically (all or nothing); sync makes it durable before
 * returning. Returns 0 or PLASMA_ERR_IO. */
int plasma_kv_write(plasma_kv *db, plasma_kv_batch *b, bool sync);

/* Iterates the keys that start with prefix (plen ≤ 64; 0 for all keys),
 * from the first key ≥ start (NULL: the prefix itself), in byte order.
 * NULL when out of memory or plen is too long. */
plasma_kv_iter *plasma_kv_iter_new(plasma_kv *db, const void *prefix, size_t plen, const void *start,
                                   size_t slen);
/* True and the current entry while inside the prefix; the pointers stay
 * valid until the next call on it. */
bool plasma_kv_iter_get(plasma_kv_iter *it, const uint8_t **key, size_t *klen, const uint8_t **val,
                        size_t *vlen);
void plasma_kv_iter_next(plasma_kv_iter *it);
/* Returns 0, or PLASMA_ERR_IO when the iteration stopped on a read error
 * rather than at its end. */
int plasma_kv_iter_error(plasma_kv_iter *it);
void plasma_kv_iter_free(plasma_kv_iter *it);

/* Fault injection for tests: after n more successful writes (put or
 * batch) every write fails with PLASMA_ERR_IO, as a full disk would;
 * n < 0 turns it off. */
void plasma_kv_fail_writes_after(plasma_kv *db, long n);

#endif
