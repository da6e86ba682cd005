/* The Solidity ABI, for the types the Plasma contract uses (PROTOCOL §9):
 * uint<N> (N = 8..256, steps of 8), bool, address, bytes32, bytes, string,
 * dynamic arrays T[] and tuples (T,U,...) of those.
 *
 * Types are written as in a function signature: a comma-separated list
 * without spaces, "uint256,bytes,bytes[]" or "(address,uint256)[]". The
 * encoder and decoder read the list at run time, so a signature string is
 * the one place that names a function's types, its selector included.
 *
 * Decoding is strict: every offset and length must lie inside the data, and
 * the unused bits of a word must be zero (an address's upper 12 bytes, the
 * padding after bytes, a uint8 over 255, a bool other than 0 or 1). */
#ifndef PLASMA_ETH_ABI_H
#define PLASMA_ETH_ABI_H

#include "plasma/types.h"

typedef enum plasma_eth_abi_kind {
    PLASMA_ETH_ABI_UINT,    /* uint<N> and bool (0 or 1): .uint */
    PLASMA_ETH_ABI_ADDRESS, /* .addr */
    PLASMA_ETH_ABI_BYTES32, /* .word */
    PLASMA_ETH_ABI_BYTES,   /* bytes and string: .bytes, .len */
    PLASMA_ETH_ABI_LIST,    /* T[] and tuples: .items, .len */
} plasma_eth_abi_kind;

/* One value. The encoder reads the member its kind names; the decoder
 * fills that member, with .bytes pointing into the decoded data (which must
 * outlive the values) and .items into the decoder's allocation. */
typedef struct plasma_eth_abi_value {
    plasma_eth_abi_kind kind;
    plasma_u256 uint;
    plasma_addr addr;
    plasma_hash word;
    const uint8_t *bytes;
    size_t len; /* bytes: length; list: item count */
    const struct plasma_eth_abi_value *items;
} plasma_eth_abi_value;

static inline plasma_eth_abi_value plasma_eth_abi_uint(const plasma_u256 *v)
{
    plasma_eth_abi_value x = {.kind = PLASMA_ETH_ABI_UINT, .uint = *v};
    return x;
}

static inline plasma_eth_abi_value plasma_eth_abi_u64(uint64_t v)
{
    plasma_eth_abi_value x = {.kind = PLASMA_ETH_ABI_UINT, .uint = {{v, 0, 0, 0}}};
    return x;
}

static inline plasma_eth_abi_value plasma_eth_abi_addr(const plasma_addr *a)
{
    plasma_eth_abi_value x = {.kind = PLASMA_ETH_ABI_ADDRESS, .addr = *a};
    return x;
}

static inline plasma_eth_abi_value plasma_eth_abi_word(const plasma_hash *h)
{
    plasma_eth_abi_value x = {.kind = PLASMA_ETH_ABI_BYTES32, .word = *h};
    return x;
}

static inline plasma_eth_abi_value plasma_eth_abi_bytes(const uint8_t *data, size_t len)
{
    plasma_eth_abi_value x = {.kind = PLASMA_ETH_ABI_BYTES, .bytes = data, .len = len};
    return x;
}

static inline plasma_eth_abi_value plasma_eth_abi_list(const plasma_eth_abi_value *items, size_t n)
{
    plasma_eth_abi_value x = {.kind = PLASMA_ETH_ABI_LIST, .items = items, .len = n};
    return x;
}

/* Out: the first 4 bytes of keccak256(signature), e.g. of "deposit(address,uint256)". */
void plasma_eth_abi_selector(uint8_t out[4], const char *signature);

/* Out: keccak256(signature), an event's topic 0. */
void plasma_eth_abi_topic(plasma_hash *out, const char *signature);

/* Appends the encoding of the n values as a tuple of types to *out.
 * Returns 0, PLASMA_ERR_BAD_REQUEST (a type list it cannot read, a count or
 * kind that does not match the types), PLASMA_ERR_OVERFLOW (a value too
 * large for its uint<N> or bool) or PLASMA_ERR_NOMEM; on failure *out is
 * restored to its length before the call. */
int plasma_eth_abi_encode(plasma_buf *out, const char *types, const plasma_eth_abi_value *args, size_t n);

/* Appends calldata: the selector of signature ("name(types)") and the
 * encoded arguments. Errors as plasma_eth_abi_encode. */
int plasma_eth_abi_encode_call(plasma_buf *out, const char *signature, const plasma_eth_abi_value *args,
                               size_t n);

/* Decodes data (len bytes) as a tuple of types. Out: *out, an array of *n
 * values the caller frees with plasma_eth_abi_values_free; byte strings
 * point into data. Trailing bytes after the encoding are allowed (the ABI
 * permits them). Returns 0, PLASMA_ERR_BAD_REQUEST (the data breaks a rule
 * above, or the type list cannot be read) or PLASMA_ERR_NOMEM; *out written
 * only on success. */
int plasma_eth_abi_decode(plasma_eth_abi_value **out, size_t *n, const char *types, const uint8_t *data,
                          size_t len);

/* As plasma_eth_abi_decode for calldata of signature: the first 4 bytes
 * must be its selector (else PLASMA_ERR_BAD_REQUEST). */
int plasma_eth_abi_decode_call(plasma_eth_abi_value **out, size_t *n, const char *signature,
                               const uint8_t *data, size_t len);

/* NULL-safe. */
void plasma_eth_abi_values_free(plasma_eth_abi_value *values);

/* --- revert data --- */

/* Why a call reverted, from the revert data a node returns:
 * - a custom error named after one of the project's error codes, the
 *   CamelCase form of its snake_case code (bad_bond → BadBond()): err is
 *   that plasma_err, name "BadBond";
 * - Error(string): err PLASMA_ERR_REVERTED, name "Error", reason the string
 *   (control characters replaced by '?', truncated);
 * - Panic(uint256): err PLASMA_ERR_REVERTED, name "Panic", reason the code
 *   and its meaning ("0x11 arithmetic overflow");
 * - no data: err PLASMA_ERR_REVERTED, name "";
 * - anything else: err PLASMA_ERR_REVERTED, name "0x" + the 4-byte selector
 *   (or "malformed" for 1 to 3 bytes, or an Error/Panic that does not
 *   decode). */
typedef struct plasma_eth_revert {
    int err;
    char name[48];
    char reason[160];
} plasma_eth_revert;

void plasma_eth_revert_decode(plasma_eth_revert *out, const uint8_t *data, size_t len);

/* The custom error of a plasma_err: Out: name (CamelCase, NUL-terminated,
 * in a buffer of size bytes) and selector (may be NULL). Returns 0, or
 * PLASMA_ERR_NOT_FOUND for a value that is not in the error table (and for
 * PLASMA_OK). The names are derived from plasma_err_code, so the contract's
 * errors and the C exit game's codes cannot drift apart. */
int plasma_eth_error_name(char *name, size_t size, uint8_t selector[4], int err);

#endif
