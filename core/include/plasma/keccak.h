/* Keccak-256 as Ethereum uses it: the original Keccak padding (0x01), not
 * FIPS-202 SHA3-256 (0x06). keccak256("") = c5d246...a470. */
#ifndef PLASMA_KECCAK_H
#define PLASMA_KECCAK_H

#include "plasma/types.h"

typedef struct plasma_keccak {
    uint64_t st[25];
    size_t pos; /* bytes absorbed into the current 136-byte block */
} plasma_keccak;

void plasma_keccak_init(plasma_keccak *ctx);
void plasma_keccak_update(plasma_keccak *ctx, const void *data, size_t len);
/* Out: the digest. The context must be re-initialised before reuse. */
void plasma_keccak_final(plasma_keccak *ctx, plasma_hash *out);

/* One-shot hash of len bytes. */
void plasma_keccak256(plasma_hash *out, const void *data, size_t len);

/* out[i] = keccak256 of the lens[i] bytes at msgs[i], for i < n: the same
 * digests as n calls of plasma_keccak256. Where the CPU has AVX-512 the
 * messages go eight at a time through one vectorised permutation (about six
 * times the throughput), with AVX2 four at a time; lengths may differ. */
void plasma_keccak256_many(plasma_hash *out, const uint8_t *const *msgs, const size_t *lens, size_t n);

/* Caps plasma_keccak256_many at `lanes` messages per permutation: 8 (AVX-512),
 * 4 (AVX2) or 1 (one at a time), each only where the CPU has it; the
 * default is the widest it has. Returns the lanes now in effect. For tests
 * and benchmarks comparing the paths. */
unsigned plasma_keccak_set_lanes(unsigned lanes);

#endif
