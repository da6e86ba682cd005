/* Chooses and runs the root-chain backend named by --rootchain:
 *   embedded  the simulated root chain in-process, mined on a timer, its
 *             HTTP API served under /rootchain;
 *   sim       a plasma-rootchain daemon at --rpc;
 *   eth       the Plasma contract --contract on the Ethereum node at --rpc. */
#ifndef PLASMA_OP_BACKEND_H
#define PLASMA_OP_BACKEND_H

#include "plasma/eip712.h"
#include "plasma/http.h"
#include "plasma/operator.h"
#include "plasma/rootchain_backend.h"

typedef struct op_backend op_backend;

/* Returns 0, PLASMA_ERR_CONFIG (reason in err) or PLASMA_ERR_NOMEM. */
int op_backend_start(op_backend **out, const plasma_operator_config *cfg, const plasma_privkey *key,
                     char *err, size_t err_len);
const plasma_rootchain_backend *op_backend_table(op_backend *b);
/* The signing domain: the configured one on the simulated chains, the
 * node's chain id and the contract on Ethereum. */
const plasma_domain *op_backend_domain(const op_backend *b);
/* Fills *mount with routes to serve under /rootchain; false when none. */
bool op_backend_mount(op_backend *b, plasma_http_mount *mount);
void op_backend_free(op_backend *b);

#endif
