/* The eth library: the Plasma contract on any Ethereum JSON-RPC endpoint.
 * Including this includes every part (docs/eth.md). */
#ifndef PLASMA_ETH_H
#define PLASMA_ETH_H

#include "plasma/eth_abi.h"
#include "plasma/eth_contract.h"
#include "plasma/eth_follow.h"
#include "plasma/eth_rpc.h"
#include "plasma/eth_tx.h"

#endif
