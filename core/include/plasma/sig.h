/* secp256k1 keys, signatures and addresses over libsecp256k1. One context
 * is created once (thread-safe, on first use) and shared by all threads. */
#ifndef PLASMA_SIG_H
#define PLASMA_SIG_H

#include "plasma/types.h"

/* Public key in uncompressed form without the 0x04 prefix: x ‖ y. */
typedef struct plasma_pubkey { uint8_t b[64]; } plasma_pubkey;

/* Checks the encoding rules of PROTOCOL §1: s in the lower half of the
 * order, r and s non-zero and below the order, v ∈ {27, 28}.
 * Returns 0 or PLASMA_ERR_BAD_SIGNATURE. */
int plasma_sig_check(const plasma_sig *sig);

/* Signs a 32-byte digest, deterministically (RFC 6979), low-s, v ∈ {27,28}.
 * Returns 0 or PLASMA_ERR_BAD_REQUEST for an invalid key (out untouched). */
int plasma_sign(plasma_sig *out, const plasma_hash *digest, const plasma_privkey *key);

/* Recovers the signer's address. Returns 0 or PLASMA_ERR_BAD_SIGNATURE
 * (bad encoding per plasma_sig_check, or no key recovers); *out written
 * only on success. */
int plasma_recover(plasma_addr *out, const plasma_hash *digest, const plasma_sig *sig);

/* As plasma_recover, also giving the public key (pub may be NULL). */
int plasma_recover_pubkey(plasma_addr *out, plasma_pubkey *pub,
                          const plasma_hash *digest, const plasma_sig *sig);

/* Verifies sig over digest against a known public key (cheaper than
 * recovery; v is checked for range but not used). Returns 0 or
 * PLASMA_ERR_BAD_SIGNATURE. */
int plasma_verify(const plasma_pubkey *pub, const plasma_hash *digest, const plasma_sig *sig);

/* Derives the public key / address of a private key. Return 0 or
 * PLASMA_ERR_BAD_REQUEST for a key that is 0 or ≥ the curve order. */
int plasma_privkey_pubkey(plasma_pubkey *out, const plasma_privkey *key);
int plasma_privkey_addr(plasma_addr *out, const plasma_privkey *key);

/* Address = last 20 bytes of keccak256(x ‖ y). */
void plasma_pubkey_addr(plasma_addr *out, const plasma_pubkey *pub);

/* Fills key with a fresh random valid private key from the OS (getrandom).
 * Returns 0 or PLASMA_ERR_IO. */
int plasma_privkey_generate(plasma_privkey *out);

#endif
