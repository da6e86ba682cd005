/* The root chain as the Plasma contract on an Ethereum node reached by
 * JSON-RPC (--rootchain eth). */
#ifndef PLASMA_OP_BACKEND_ETH_H
#define PLASMA_OP_BACKEND_ETH_H

#include "plasma/eip712.h"
#include "plasma/operator.h"
#include "plasma/rootchain_backend.h"

/* Connects to cfg->rpc and checks, once, that the node answers, that its
 * chain id is --chain-id when that was given, and that the contract at
 * --contract (with --dev and none given: the development address) is this
 * build's PlasmaRootChain, operated by key, with the EIP-712 domain of that
 * chain and address. Fills *out (its free releases everything) and *domain
 * (the node's chain id, the contract). Returns 0, PLASMA_ERR_CONFIG with
 * one line in err, or PLASMA_ERR_NOMEM. */
int op_eth_start(plasma_rootchain_backend *out, const plasma_operator_config *cfg, const plasma_privkey *key,
                 plasma_domain *domain, char *err, size_t err_len);

#endif
