/* Shared by the scalar and the many-message Keccak: the round constants
 * of iota, one per round of Keccak-f[1600]. */
#ifndef PLASMA_KECCAK_INT_H
#define PLASMA_KECCAK_INT_H

#include <stdint.h>

#define KECCAK_ROUNDS 24

extern const uint64_t plasma_keccak_rc[KECCAK_ROUNDS];

#endif
