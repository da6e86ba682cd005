/* The JSON conventions of PROTOCOL §1, in one place for every API and
 * client: byte strings as lowercase 0x-hex, amounts and positions as decimal
 * strings (they exceed 2^53), counters and block numbers as JSON numbers.
 *
 * The writers return a new reference (caller decrefs) or NULL when out of
 * memory; jansson's *_set_new and array_append_new take NULL as a failure,
 * so a writer's result can be passed to them directly. */
#ifndef PLASMA_JSON_H
#define PLASMA_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "plasma/types.h"

json_t *plasma_json_hex(const uint8_t *data, size_t len);
json_t *plasma_json_addr(const plasma_addr *a);
json_t *plasma_json_hash(const plasma_hash *h);
/* Decimal string. */
json_t *plasma_json_u256(const plasma_u256 *v);
/* Decimal string (positions, exit ids). */
json_t *plasma_json_u64_str(uint64_t v);
/* JSON number (block numbers, counters); callers keep v below 2^63. */
json_t *plasma_json_u64(uint64_t v);

/* Decimal digits only, at most 2^64 - 1. Returns 0 or
 * PLASMA_ERR_BAD_REQUEST. */
int plasma_json_parse_u64(uint64_t *out, const char *s);

/* Reads obj[key] as a non-negative JSON integer or a decimal string.
 * Returns true and *out, or false (absent, another type, out of range). */
bool plasma_json_get_u64(uint64_t *out, const json_t *obj, const char *key);
/* obj[key] when it is a string, else "" (never NULL). */
const char *plasma_json_get_str(const json_t *obj, const char *key);

#endif
