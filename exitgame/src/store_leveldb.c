/* The chain's store on plasma_kv: one synced batch per commit, so that a
 * block reported mined survives a crash or power loss. */
#include "internal.h"

#include "plasma/kv.h"

typedef struct kv_store {
    plasma_chain_store base; /* first: the chain sees only this */
    plasma_kv *db;
} kv_store;

static int kv_write(plasma_chain_store *store, const plasma_store_op *ops, size_t n)
{
    kv_store *s = (kv_store *)store;
    plasma_kv_batch *batch = plasma_kv_batch_new();
    if (!batch)
        return PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const plasma_store_op *op = &ops[i];
        if (op->val)
            plasma_kv_batch_put(batch, op->key, op->key_len, op->val, op->val_len);
        else
            plasma_kv_batch_del(batch, op->key, op->key_len);
    }
    int rc = plasma_kv_write(s->db, batch, true);
    plasma_kv_batch_free(batch);
    return rc;
}

static int kv_foreach(plasma_chain_store *store, plasma_store_foreach_cb cb, void *payload)
{
    kv_store *s = (kv_store *)store;
    plasma_kv_iter *it = plasma_kv_iter_new(s->db, NULL, 0, NULL, 0);
    if (!it)
        return PLASMA_ERR_NOMEM;
    int rc = PLASMA_OK;
    const uint8_t *k, *v;
    size_t klen, vlen;
    for (; rc == 0 && plasma_kv_iter_get(it, &k, &klen, &v, &vlen); plasma_kv_iter_next(it))
        rc = cb(k, klen, v, vlen, payload);
    if (rc == 0)
        rc = plasma_kv_iter_error(it);
    plasma_kv_iter_free(it);
    return rc;
}

static void kv_free(plasma_chain_store *store)
{
    kv_store *s = (kv_store *)store;
    plasma_kv_free(s->db);
    free(s);
}

int plasma_store_leveldb_open(plasma_chain_store **out, const char *dir)
{
    kv_store *s = calloc(1, sizeof *s);
    if (!s)
        return PLASMA_ERR_NOMEM;
    s->base.version = PLASMA_CHAIN_STORE_VERSION;
    s->base.write = kv_write;
    s->base.foreach = kv_foreach;
    s->base.free = kv_free;
    plasma_kv_options o;
    plasma_kv_options_default(&o);
    o.paranoid = true;
    int rc = plasma_kv_open(&s->db, dir, &o, NULL, 0);
    if (rc < 0) {
        free(s);
        return rc;
    }
    *out = &s->base;
    return PLASMA_OK;
}
