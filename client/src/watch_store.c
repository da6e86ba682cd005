/* The watcher's LevelDB (see watch_store.h). */
#include "watch_store.h"

#include <leveldb/c.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/core.h"

struct watch_store {
    leveldb_t *db;
    leveldb_options_t *opts;
    leveldb_readoptions_t *ropts;
    leveldb_writeoptions_t *wopts;
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
    free(s);
}

int watch_store_open(watch_store **out, const char *dir)
{
    char *lerr = NULL;
    watch_store *s = calloc(1, sizeof *s);
    if (!s)
        return PLASMA_ERR_NOMEM;
    s->opts = leveldb_options_create();
    s->ropts = leveldb_readoptions_create();
    s->wopts = leveldb_writeoptions_create();
    if (!s->opts || !s->ropts || !s->wopts) {
        watch_store_close(s);
        return PLASMA_ERR_NOMEM;
    }
    leveldb_options_set_create_if_missing(s->opts, 1);
    leveldb_writeoptions_set_sync(s->wopts, 1);
    if (plasma_mkdir_parents(dir) != 0 || !(s->db = leveldb_open(s->opts, dir, &lerr))) {
        leveldb_free(lerr);
        watch_store_close(s);
        return PLASMA_ERR_IO;
    }
    *out = s;
    return 0;
}

int watch_store_put(watch_store *s, const char *key, const char *val)
{
    char *lerr = NULL;
    leveldb_put(s->db, s->wopts, key, strlen(key), val, strlen(val), &lerr);
    if (lerr) {
        leveldb_free(lerr);
        return PLASMA_ERR_IO;
    }
    return 0;
}

int watch_store_get(watch_store *s, const char *key, char **val)
{
    char *lerr = NULL, *copy;
    size_t len = 0;
    char *v = leveldb_get(s->db, s->ropts, key, strlen(key), &len, &lerr);
    if (lerr) {
        leveldb_free(lerr);
        return PLASMA_ERR_IO;
    }
    if (!v)
        return PLASMA_ERR_NOT_FOUND;
    copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, v, len);
        copy[len] = '\0';
    }
    leveldb_free(v);
    if (!copy)
        return PLASMA_ERR_NOMEM;
    *val = copy;
    return 0;
}

/* Copies a LevelDB slice into a new NUL-terminated string. */
static char *dup_slice(const char *p, size_t len)
{
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, p, len);
        s[len] = '\0';
    }
    return s;
}

int watch_store_scan(watch_store *s, const char *prefix, watch_store_cb cb, void *payload)
{
    size_t plen = strlen(prefix);
    int rc = 0;
    leveldb_iterator_t *it = leveldb_create_iterator(s->db, s->ropts);
    if (!it)
        return PLASMA_ERR_NOMEM;
    for (leveldb_iter_seek(it, prefix, plen); rc == 0 && leveldb_iter_valid(it); leveldb_iter_next(it)) {
        size_t klen = 0, vlen = 0;
        const char *k = leveldb_iter_key(it, &klen), *v = leveldb_iter_value(it, &vlen);
        if (klen < plen || memcmp(k, prefix, plen) != 0)
            break;
        char *ks = dup_slice(k, klen), *vs = dup_slice(v, vlen);
        rc = ks && vs ? cb(ks, vs, payload) : PLASMA_ERR_NOMEM;
        free(ks);
        free(vs);
    }
    leveldb_iter_destroy(it);
    return rc;
}
