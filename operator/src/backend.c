#include "backend.h"

#include <stdlib.h>
#include <string.h>

#include "backend_embedded.h"
#include "plasma/err.h"

struct op_backend {
    plasma_rootchain_backend table;
    op_embedded *embedded; /* NULL for a remote chain */
};

int op_backend_start(op_backend **out, const plasma_operator_config *cfg, const plasma_privkey *key,
                     char *err, size_t err_len)
{
    op_backend *b = calloc(1, sizeof *b);
    if (!b)
        return PLASMA_ERR_NOMEM;
    int rc;
    if (strcmp(cfg->rootchain, "embedded") == 0) {
        rc = op_embedded_start(&b->embedded, &b->table, cfg, key, err, err_len);
    } else if (strncmp(cfg->rootchain, "http://", 7) == 0) {
        rc = plasma_rootchain_remote(&b->table, cfg->rootchain, key);
        if (rc == PLASMA_ERR_CONFIG)
            snprintf(err, err_len,
                     "this build has no root-chain client (the root-chain library was missing)");
    } else {
        snprintf(err, err_len, "--rootchain: \"%.60s\" is neither embedded nor http://HOST:PORT",
                 cfg->rootchain);
        rc = PLASMA_ERR_CONFIG;
    }
    if (rc < 0) {
        free(b);
        return rc;
    }
    *out = b;
    return PLASMA_OK;
}

const plasma_rootchain_backend *op_backend_table(op_backend *b)
{
    return &b->table;
}

bool op_backend_mount(op_backend *b, plasma_http_mount *mount)
{
    return b->embedded && op_embedded_mount(b->embedded, mount);
}

void op_backend_free(op_backend *b)
{
    if (!b)
        return;
    if (b->table.free)
        b->table.free(b->table.ctx);
    op_embedded_free(b->embedded);
    free(b);
}
