/* Shared by the scalar and the many-message Keccak: the rate, the round
 * constants of iota (one per round of Keccak-f[1600]) and lane loading. */
#ifndef PLASMA_KECCAK_INT_H
#define PLASMA_KECCAK_INT_H

#include <stdint.h>
#include <string.h>

#define KECCAK_RATE 136
#define KECCAK_ROUNDS 24

extern const uint64_t plasma_keccak_rc[KECCAK_ROUNDS];

/* Lanes are little-endian; memcpy plus a byte swap on big-endian hosts lets
 * the compiler emit a single load here. */
static inline uint64_t load64_le(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

#endif
