/* The in-memory UTXO index of the ledger's hot path: position → (owner,
 * token, amount, state). Bounded: past max_bytes, durable outputs are no
 * longer cached and lookups that miss fall back to the store. Outputs whose
 * creation or spending is accepted but not yet durable are always held
 * ("pending"), since the store does not show them yet. Not thread-safe: the
 * ledger's lock guards it. */
#ifndef PLASMA_OP_UIDX_H
#define PLASMA_OP_UIDX_H

#include "hmap.h"
#include "store.h"

typedef enum op_ustate {
    OP_U_UNSPENT = 1,       /* durable and unspent */
    OP_U_PENDING_NEW = 2,   /* created by an accepted tx not yet durable */
    OP_U_PENDING_SPENT = 3, /* spent by an accepted tx not yet durable */
} op_ustate;

typedef struct op_uidx {
    op_hmap map;       /* pos → entry */
    op_hmap big;       /* pos → amount, for amounts past 64 bits */
    op_hmap token_ids; /* token → id */
    plasma_addr *tokens;
    uint32_t n_tokens;
    uint32_t tokens_cap;
    size_t max_entries;
    bool complete; /* every unspent output is in map: a miss means none */
} op_uidx;

/* Returns 0, PLASMA_ERR_IO (no random seed). max_bytes bounds the cached
 * (durable) entries; 0 means no bound. */
int op_uidx_init(op_uidx *x, size_t max_bytes);
void op_uidx_free(op_uidx *x);

/* Returns true and fills *rec, *state when pos is held. */
bool op_uidx_get(const op_uidx *x, uint64_t pos, op_utxo_rec *rec, op_ustate *state);
/* Holds pos with state whatever the bound. Returns 0 or PLASMA_ERR_NOMEM. */
int op_uidx_put(op_uidx *x, uint64_t pos, const op_utxo_rec *rec, op_ustate state);
/* Caches a durable unspent output if there is room; otherwise marks the
 * index incomplete. Returns 0 or PLASMA_ERR_NOMEM. */
int op_uidx_cache(op_uidx *x, uint64_t pos, const op_utxo_rec *rec);
/* Sets the state of a held position; false when not held. */
bool op_uidx_set_state(op_uidx *x, uint64_t pos, op_ustate state);
/* A pending-new output became durable: kept as unspent when there is room,
 * dropped (index incomplete) otherwise. Positions not held as pending-new
 * are left alone. */
void op_uidx_settle_new(op_uidx *x, uint64_t pos);
void op_uidx_del(op_uidx *x, uint64_t pos);

static inline size_t op_uidx_count(const op_uidx *x)
{
    return x->map.count;
}
size_t op_uidx_bytes(const op_uidx *x);

#endif
