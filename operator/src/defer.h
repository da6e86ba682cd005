/* Index entries of blocks not sealed yet.
 *
 * The two secondary indexes, outputs by owner and 't' (tx by hash), have
 * random keys: inserted one transaction at a time they cost LevelDB a
 * cache-missing skip-list walk each, more than the rest of a transaction's
 * write together. So the committer does not write them with the
 * transaction; it keeps them here per block and writes a block's entries
 * sorted, in the batch that seals the block, where consecutive keys reuse
 * the same walk: one 'O' entry per owner listing the owner's outputs of the
 * block, and one 't' entry per transaction. Until then the queries read
 * them here.
 *
 * Nothing is lost by a crash: the transactions of unsealed blocks are in the
 * store ('b' records), and the ledger rebuilds these entries from them when
 * it opens.
 *
 * Entries are appended while a round is encoded (before its write) and
 * become visible to queries with op_defer_publish, after the write is
 * durable. All functions lock the structure's own mutex. */
#ifndef PLASMA_OP_DEFER_H
#define PLASMA_OP_DEFER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plasma/tx.h"
#include "store.h"

typedef struct op_defer_blk op_defer_blk;

typedef struct op_defer {
    pthread_mutex_t mu;
    op_defer_blk *blocks; /* ascending blknum */
} op_defer;

void op_defer_init(op_defer *d);
void op_defer_free(op_defer *d);

/* Records payment (blknum, txindex) with its hash and the owners of its
 * outputs. Returns 0 or PLASMA_ERR_NOMEM. */
int op_defer_add(op_defer *d, uint64_t blknum, uint32_t txindex, const plasma_hash *txhash,
                 const plasma_tx *tx);
/* Makes everything added so far visible to the queries. */
void op_defer_publish(op_defer *d);
/* Adds block blknum's entries to b, sorted by key (an owner's outputs in
 * one 'O' group). Returns 0 or
 * PLASMA_ERR_NOMEM. The entries stay readable here until op_defer_drop. */
int op_defer_seal(op_defer *d, plasma_kv_batch *b, uint64_t blknum);
/* Forgets block blknum (its seal is durable). */
void op_defer_drop(op_defer *d, uint64_t blknum);

/* Forgets the entries of payment (blknum, txindex) with n_outputs outputs:
 * a tx dropped from a block not sealed yet (ledger_final.c). */
void op_defer_remove(op_defer *d, uint64_t blknum, uint32_t txindex, unsigned n_outputs);

/* Finds a visible payment by hash. */
bool op_defer_find_tx(op_defer *d, const plasma_hash *txhash, uint64_t *blknum, uint32_t *txindex);
/* The visible output positions of owner, ascending: *out (malloc'd, NULL
 * when there are none; the caller frees it) and *n. Returns 0 or
 * PLASMA_ERR_NOMEM. */
int op_defer_owned(op_defer *d, const plasma_addr *owner, uint64_t **out, size_t *n);
/* qsort/bsearch order of output positions (uint64_t), ascending. */
int op_cmp_pos(const void *a, const void *b);

#endif
