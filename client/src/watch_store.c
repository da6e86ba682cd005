/* The watcher's store (see watch_store.h) on plasma_kv. */
#include "watch_store.h"

#include <stdlib.h>
#include <string.h>

#include "plasma/core.h"
#include "plasma/kv.h"

struct watch_store {
    plasma_kv *db;
};

void watch_store_close(watch_store *s)
{
    if (!s)
        return;
    plasma_kv_free(s->db);
    free(s);
}

int watch_store_open(watch_store **out, const char *dir)
{
    watch_store *s = calloc(1, sizeof *s);
    if (!s)
        return PLASMA_ERR_NOMEM;
    plasma_kv_options o;
    plasma_kv_options_default(&o);
    o.make_parents = true;
    int rc = plasma_kv_open(&s->db, dir, &o, NULL, 0);
    if (rc < 0) {
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int watch_store_put(watch_store *s, const char *key, const char *val)
{
    return plasma_kv_put(s->db, key, strlen(key), val, strlen(val), true);
}

int watch_store_get(watch_store *s, const char *key, char **val)
{
    uint8_t *v = NULL;
    size_t len;
    int rc = plasma_kv_get(s->db, key, strlen(key), &v, &len);
    if (rc == 0)
        *val = (char *)v; /* plasma_kv_get terminates values */
    return rc;
}

/* Copies an entry into a new NUL-terminated string. */
static char *dup_slice(const uint8_t *p, size_t len)
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
    plasma_kv_iter *it = plasma_kv_iter_new(s->db, prefix, strlen(prefix), NULL, 0);
    if (!it)
        return PLASMA_ERR_NOMEM;
    int rc = 0;
    const uint8_t *k, *v;
    size_t klen, vlen;
    for (; rc == 0 && plasma_kv_iter_get(it, &k, &klen, &v, &vlen); plasma_kv_iter_next(it)) {
        char *ks = dup_slice(k, klen), *vs = dup_slice(v, vlen);
        rc = ks && vs ? cb(ks, vs, payload) : PLASMA_ERR_NOMEM;
        free(ks);
        free(vs);
    }
    if (rc == 0)
        rc = plasma_kv_iter_error(it);
    plasma_kv_iter_free(it);
    return rc;
}
