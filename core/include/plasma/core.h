/* Everything of the protocol primitives library in one include. */
#ifndef PLASMA_CORE_H
#define PLASMA_CORE_H
#include "plasma/err.h"
#include "plasma/types.h"
#include "plasma/keccak.h"
#include "plasma/u256.h"
#include "plasma/rlp.h"
#include "plasma/sig.h"
#include "plasma/tx.h"
#include "plasma/eip712.h"
#include "plasma/devkeys.h"
#include "plasma/log.h"
#define PLASMA_VERSION "0.1.0"
#endif
