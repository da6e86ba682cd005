/* What the files of eth/ share and nothing else sees. */
#ifndef PLASMA_ETH_INTERNAL_H
#define PLASMA_ETH_INTERNAL_H

#include <jansson.h>

#include "plasma/err.h"
#include "plasma/types.h"

/* The call object of eth_call and eth_estimateGas ({from, to, value, data};
 * from, to and value may be NULL). NULL when out of memory. */
json_t *plasma_eth_call_object(const plasma_addr *from, const plasma_addr *to, const plasma_u256 *value,
                               const uint8_t *data, size_t len);

/* A new JSON string of the lowercase 0x-form of a. */
json_t *plasma_eth_addr_json(const plasma_addr *a);

/* Writes a one-line message into buf (size bytes) and returns err: a
 * failure is recorded and returned in one statement. */
#define plasma_eth_fail(buf, size, err, ...) plasma_err_printf(err, buf, size, __VA_ARGS__)

#endif
