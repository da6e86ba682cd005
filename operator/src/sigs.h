/* Signature checking for the ledger: an owner → public key cache so that
 * repeat senders can be checked against a known key, and a small worker pool
 * that spreads a batch's signature work over the cores. */
#ifndef PLASMA_OP_SIGS_H
#define PLASMA_OP_SIGS_H

#include <stdbool.h>
#include <stddef.h>

#include "plasma/sig.h"

typedef struct op_pubkeys op_pubkeys;

/* max_entries bounds the cache (0: a default). Returns 0, PLASMA_ERR_NOMEM
 * or PLASMA_ERR_IO. */
int op_pubkeys_new(op_pubkeys **out, size_t max_entries);
void op_pubkeys_free(op_pubkeys *c);
bool op_pubkeys_get(op_pubkeys *c, const plasma_addr *owner, plasma_pubkey *out);
void op_pubkeys_put(op_pubkeys *c, const plasma_addr *owner, const plasma_pubkey *pub);

/* How a signature is checked against an input's known owner. */
typedef enum op_sig_mode {
    /* Recover the signer and compare addresses: exact Ethereum semantics,
     * including the recovery id v. */
    OP_SIG_RECOVER = 0,
    /* Verify against the cached key of a repeat sender, recovering only on a
     * cache miss. Cheaper, but v is not checked on a cache hit. */
    OP_SIG_VERIFY_CACHED = 1,
} op_sig_mode;

/* Checks that sig over digest was made by owner. Returns 0,
 * PLASMA_ERR_BAD_SIGNATURE (no key recovers) or PLASMA_ERR_UNAUTHORIZED_SPEND
 * (a valid signature by someone else). */
int op_sig_check_owner(op_pubkeys *cache, op_sig_mode mode, const plasma_hash *digest, const plasma_sig *sig,
                       const plasma_addr *owner);

typedef struct op_pool op_pool;

/* n_threads workers (0: one per core minus one, the caller being the last).
 * Returns 0 or PLASMA_ERR_NOMEM. */
int op_pool_new(op_pool **out, unsigned n_threads);
/* Stops and joins the workers; NULL-safe. */
void op_pool_free(op_pool *p);
/* Runs fn(arg, i) for every i < n on the workers and the calling thread;
 * returns when all are done. Several callers may run jobs at once. */
void op_pool_run(op_pool *p, size_t n, void (*fn)(void *arg, size_t i), void *arg);

#endif
