/* The embedded root chain: the exit-game library in-process, a miner thread
 * that mines a root-chain block every rc-block-interval-ms, and the chain's
 * HTTP API for wallets under /rootchain. */
#ifndef PLASMA_OP_BACKEND_EMBEDDED_H
#define PLASMA_OP_BACKEND_EMBEDDED_H

#include "plasma/http.h"
#include "plasma/operator.h"
#include "plasma/rootchain_backend.h"

typedef struct op_embedded op_embedded;

/* Starts the chain and fills *table (whose free does nothing: the chain is
 * released by op_embedded_free). Returns 0, PLASMA_ERR_CONFIG (built without
 * the exit game, or a bad setting; reason in err) or PLASMA_ERR_NOMEM. */
int op_embedded_start(op_embedded **out, plasma_rootchain_backend *table, const plasma_operator_config *cfg,
                      const plasma_privkey *key, char *err, size_t err_len);
bool op_embedded_mount(op_embedded *e, plasma_http_mount *mount);
void op_embedded_free(op_embedded *e);

#endif
