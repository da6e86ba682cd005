/* The watcher's LevelDB: string keys to JSON text values. Internal. */
#ifndef PLASMA_WATCH_STORE_H
#define PLASMA_WATCH_STORE_H

#include <stddef.h>

typedef struct watch_store watch_store;

/* Opens (creating) the database in dir. Returns 0, PLASMA_ERR_IO or
 * PLASMA_ERR_NOMEM. */
int watch_store_open(watch_store **out, const char *dir);
void watch_store_close(watch_store *s);
/* Durable (synced) write. Returns 0 or PLASMA_ERR_IO. */
int watch_store_put(watch_store *s, const char *key, const char *val);
/* Out: *val (malloc'd, NUL-terminated). Returns 0, PLASMA_ERR_NOT_FOUND,
 * PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int watch_store_get(watch_store *s, const char *key, char **val);
/* Calls cb for every key starting with prefix, in key order; stops at its
 * non-zero result and returns it. Returns 0, that result or
 * PLASMA_ERR_NOMEM. */
typedef int (*watch_store_cb)(const char *key, const char *val, void *payload);
int watch_store_scan(watch_store *s, const char *prefix, watch_store_cb cb, void *payload);

#endif
