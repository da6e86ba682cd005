/* The LevelDB store: one write batch per commit, written with sync so that
 * a block reported mined survives a crash or power loss. */
#include "internal.h"

#include <leveldb/c.h>

typedef struct ldb_store {
    plasma_chain_store base; /* first: the chain sees only this */
    leveldb_t *db;
    leveldb_options_t *opts;
    leveldb_writeoptions_t *wopts;
    leveldb_readoptions_t *ropts;
} ldb_store;

static int ldb_write(plasma_chain_store *store, const plasma_store_op *ops, size_t n)
{
    ldb_store *s = (ldb_store *)store;
    leveldb_writebatch_t *batch = leveldb_writebatch_create();
    if (!batch)
        return PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const plasma_store_op *op = &ops[i];
        if (op->val)
            leveldb_writebatch_put(batch, (const char *)op->key, op->key_len, (const char *)op->val,
                                   op->val_len);
        else
            leveldb_writebatch_delete(batch, (const char *)op->key, op->key_len);
    }
    char *err = NULL;
    leveldb_write(s->db, s->wopts, batch, &err);
    leveldb_writebatch_destroy(batch);
    if (err) {
        leveldb_free(err);
        return PLASMA_ERR_IO;
    }
    return PLASMA_OK;
}

static int ldb_foreach(plasma_chain_store *store, plasma_store_foreach_cb cb, void *payload)
{
    ldb_store *s = (ldb_store *)store;
    leveldb_iterator_t *it = leveldb_create_iterator(s->db, s->ropts);
    if (!it)
        return PLASMA_ERR_NOMEM;
    int rc = PLASMA_OK;
    for (leveldb_iter_seek_to_first(it); rc == 0 && leveldb_iter_valid(it); leveldb_iter_next(it)) {
        size_t klen, vlen;
        const char *k = leveldb_iter_key(it, &klen);
        const char *v = leveldb_iter_value(it, &vlen);
        rc = cb((const uint8_t *)k, klen, (const uint8_t *)v, vlen, payload);
    }
    char *err = NULL;
    leveldb_iter_get_error(it, &err);
    leveldb_iter_destroy(it);
    if (err) {
        leveldb_free(err);
        return PLASMA_ERR_IO;
    }
    return rc;
}

static void ldb_free(plasma_chain_store *store)
{
    ldb_store *s = (ldb_store *)store;
    if (s->db)
        leveldb_close(s->db);
    if (s->opts)
        leveldb_options_destroy(s->opts);
    if (s->wopts)
        leveldb_writeoptions_destroy(s->wopts);
    if (s->ropts)
        leveldb_readoptions_destroy(s->ropts);
    free(s);
}

int plasma_store_leveldb_open(plasma_chain_store **out, const char *dir)
{
    ldb_store *s = calloc(1, sizeof *s);
    if (!s)
        return PLASMA_ERR_NOMEM;
    s->base.version = PLASMA_CHAIN_STORE_VERSION;
    s->base.write = ldb_write;
    s->base.foreach = ldb_foreach;
    s->base.free = ldb_free;
    s->opts = leveldb_options_create();
    s->wopts = leveldb_writeoptions_create();
    s->ropts = leveldb_readoptions_create();
    int rc = PLASMA_OK;
    if (!s->opts || !s->wopts || !s->ropts) {
        rc = PLASMA_ERR_NOMEM;
        goto cleanup;
    }
    leveldb_options_set_create_if_missing(s->opts, 1);
    leveldb_options_set_paranoid_checks(s->opts, 1);
    leveldb_writeoptions_set_sync(s->wopts, 1);
    leveldb_readoptions_set_verify_checksums(s->ropts, 1);
    char *err = NULL;
    s->db = leveldb_open(s->opts, dir, &err);
    if (err) {
        leveldb_free(err);
        s->db = NULL;
        rc = PLASMA_ERR_IO;
        goto cleanup;
    }
    *out = &s->base;
    return PLASMA_OK;
cleanup:
    ldb_free(&s->base);
    return rc;
}
