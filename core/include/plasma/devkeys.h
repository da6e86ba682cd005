/* The development accounts of PROTOCOL §8: the ten well-known Ethereum
 * development keys (the ones Anvil and Hardhat print). Account 0 is the
 * development operator. The keys are public: the simulated root chain funds
 * them in development mode, and the operator refuses them outside it. */
#ifndef PLASMA_DEVKEYS_H
#define PLASMA_DEVKEYS_H

#include <stdbool.h>

#include "plasma/types.h"

#define PLASMA_DEV_ACCOUNTS 10u
/* Account 0's key, as the operator's --dev default. */
#define PLASMA_DEV_OPERATOR_KEY "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

/* Out: the key / address of development account i.
 * Returns 0 or PLASMA_ERR_BAD_REQUEST when i ≥ PLASMA_DEV_ACCOUNTS. */
int plasma_dev_key(plasma_privkey *out, unsigned i);
int plasma_dev_addr(plasma_addr *out, unsigned i);

/* True when key is one of the development keys. */
bool plasma_dev_key_is_public(const plasma_privkey *key);

#endif
