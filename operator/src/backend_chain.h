/* What each kind of root chain gives the operator's one backend
 * (backend.c): a handful of primitives. Everything the backend decides —
 * when a submitBlock is due or still in flight, which nonce it takes, how
 * events become deposits, exits and exit events, what "not mined yet" is — is written
 * once in backend.c over these. */
#ifndef PLASMA_OP_BACKEND_CHAIN_H
#define PLASMA_OP_BACKEND_CHAIN_H

#include "plasma/rootchain.h"
#include "plasma/rootchain_backend.h"

typedef struct op_chain_head {
    uint64_t number;           /* latest mined root-chain block */
    uint64_t next_child_block; /* what the next submitBlock becomes */
    plasma_call_domain domain;
} op_chain_head;

typedef struct op_chain_ops {
    int (*head)(void *ctx, op_chain_head *out);
    /* Out: the nonce the sender's next call must carry (pending ones counted). */
    int (*next_nonce)(void *ctx, const plasma_addr *sender, uint64_t *out);
    /* Out: whether call is still waiting to be mined. */
    int (*pending)(void *ctx, const plasma_hash *call, bool *out);
    /* Signs (where the chain needs it) and queues call. Out: its hash. */
    int (*send)(void *ctx, const plasma_call_domain *domain, const plasma_call *call, plasma_hash *out);
    /* Returns 0, PLASMA_ERR_BLOCK_NOT_FOUND or the failure. */
    int (*block_root)(void *ctx, uint64_t blknum, plasma_block_record *out);
    /* Events of blocks from..to, oldest first, a page at most; *next is the
     * first block the page did not cover. Out: *ev malloc'd (caller frees). */
    int (*events)(void *ctx, uint64_t from, uint64_t to, plasma_event **ev, size_t *n, uint64_t *next);
    /* Out: finalized[output_id], 0 or the id of the exit that finalized it. */
    int (*finalized)(void *ctx, const plasma_hash *output_id, plasma_u256 *by);
    void (*free)(void *ctx);
} op_chain_ops;

/* Fills *out with the backend over ops/ctx (taken; freed by out->free, also
 * when this fails), submitting as key. Returns 0 or PLASMA_ERR_NOMEM. */
int op_backend_over(plasma_rootchain_backend *out, const char *name, const op_chain_ops *ops, void *ctx,
                    const plasma_privkey *key);

#endif
