/* Unsigned 256-bit arithmetic. Every operation that can leave the range
 * [0, 2^256 - 1] reports PLASMA_ERR_OVERFLOW and leaves *out untouched. */
#ifndef PLASMA_U256_H
#define PLASMA_U256_H

#include "plasma/types.h"

/* Longest decimal form of a u256 (78 digits) plus NUL. */
#define PLASMA_U256_DEC_MAX 79

static inline plasma_u256 plasma_u256_from_u64(uint64_t v)
{
    plasma_u256 r = {{v, 0, 0, 0}};
    return r;
}

bool plasma_u256_is_zero(const plasma_u256 *a);
/* Returns -1, 0 or 1 as a <, ==, > b. */
int plasma_u256_cmp(const plasma_u256 *a, const plasma_u256 *b);
/* True when a fits in 64 bits; then *out (if not NULL) receives it. */
bool plasma_u256_to_u64(const plasma_u256 *a, uint64_t *out);

/* out = a + b. Returns 0 or PLASMA_ERR_OVERFLOW. out may alias a or b. */
int plasma_u256_add(plasma_u256 *out, const plasma_u256 *a, const plasma_u256 *b);
/* out = a + b, or 2^256 - 1 when the sum does not fit (the exit game's
 * payouts and claims, docs/inflight.md). out may alias a or b. */
void plasma_u256_add_saturating(plasma_u256 *out, const plasma_u256 *a, const plasma_u256 *b);
/* out = a - b. Returns 0 or PLASMA_ERR_OVERFLOW when b > a. */
int plasma_u256_sub(plasma_u256 *out, const plasma_u256 *a, const plasma_u256 *b);
/* out = a * m. Returns 0 or PLASMA_ERR_OVERFLOW. */
int plasma_u256_mul_u64(plasma_u256 *out, const plasma_u256 *a, uint64_t m);
/* out = a / d, *rem = a % d (rem may be NULL). d must not be 0. */
void plasma_u256_divmod_u64(plasma_u256 *out, uint64_t *rem, const plasma_u256 *a, uint64_t d);

/* Big-endian conversion. from_be accepts 0..32 bytes (shorter input is
 * left-padded); returns 0 or PLASMA_ERR_OVERFLOW for len > 32. */
int plasma_u256_from_be(plasma_u256 *out, const uint8_t *be, size_t len);
/* Writes 32 big-endian bytes. */
void plasma_u256_to_be(uint8_t out[32], const plasma_u256 *a);
/* Number of bytes in the minimal big-endian form (0 for zero). */
size_t plasma_u256_byte_len(const plasma_u256 *a);

/* Parses a decimal string (digits only, no sign, no leading '+', at least one
 * digit; leading zeros allowed). Returns 0, PLASMA_ERR_BAD_REQUEST or
 * PLASMA_ERR_OVERFLOW. */
int plasma_u256_parse_dec(plasma_u256 *out, const char *s);
/* Parses 0x-prefixed hex (1..64 digits, any case). Returns 0,
 * PLASMA_ERR_BAD_REQUEST or PLASMA_ERR_OVERFLOW. */
int plasma_u256_parse_hex(plasma_u256 *out, const char *s);
/* Writes the decimal form and NUL; out must hold PLASMA_U256_DEC_MAX. */
char *plasma_u256_format_dec(char out[PLASMA_U256_DEC_MAX], const plasma_u256 *a);
/* Writes 0x + minimal lowercase hex ("0x0" for zero); out holds 67 bytes. */
char *plasma_u256_format_hex(char out[67], const plasma_u256 *a);

#endif
