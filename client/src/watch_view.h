/* The watcher's view: every output it has seen (unspent, or spent with the
 * position of the spending transaction) and the blocks it verified, from
 * which it builds challenges and exit data without the operator.
 *
 * Changes are made one block at a time: watch_view_add / _spend /
 * _mark_exiting stage them (visible to watch_view_get at once, so a
 * transaction may spend an output of an earlier one in the same block),
 * watch_view_commit keeps them and watch_view_discard drops them. Internal
 * to libplasma_client. */
#ifndef PLASMA_WATCH_VIEW_H
#define PLASMA_WATCH_VIEW_H

#include "plasma/client.h"

/* One output as the view knows it. */
typedef struct watch_utxo {
    uint64_t pos;
    plasma_output out;
    bool spent;
    bool exiting;           /* an exit of it started while it was unspent */
    uint64_t spend_blknum;  /* spent: the spending transaction's block, */
    uint32_t spend_txindex; /* its index there */
    uint32_t spend_input;   /* and the input that spends this output */
} watch_utxo;

typedef struct watch_view watch_view;

/* Returns 0 or PLASMA_ERR_NOMEM. */
int watch_view_new(watch_view **out);
void watch_view_free(watch_view *v);

/* Out: *u, the output at pos. Returns 0 or PLASMA_ERR_NOT_FOUND. */
int watch_view_get(watch_view *v, uint64_t pos, watch_utxo *u);

/* Stages a new unspent output (a position already known is left as it
 * is). Returns 0 or PLASMA_ERR_NOMEM. */
int watch_view_add(watch_view *v, uint64_t pos, const plasma_output *out);
/* Stages the spend of the output at pos by input `input` of the
 * transaction at (blknum, txindex). Returns 0 or PLASMA_ERR_NOT_FOUND. */
int watch_view_spend(watch_view *v, uint64_t pos, uint64_t blknum, uint32_t txindex, uint32_t input);
/* Stages the exiting flag of the output at pos (no-op when unknown). */
int watch_view_mark_exiting(watch_view *v, uint64_t pos);
/* Keeps / drops every staged change. */
int watch_view_commit(watch_view *v);
void watch_view_discard(watch_view *v);

/* A verified block: its transactions as served (signed RLP; deposits and
 * fee transactions with an empty signature list) and their Merkle leaves.
 * watch_view_keep_block takes the arrays (freed on failure too).
 * Returns 0 or PLASMA_ERR_NOMEM. */
typedef struct watch_kept_block {
    uint64_t blknum;
    size_t n;
    uint8_t **raw;
    size_t *raw_len;
    plasma_hash *leaves;
} watch_kept_block;
int watch_view_keep_block(watch_view *v, watch_kept_block *b);
bool watch_view_has_block(const watch_view *v, uint64_t blknum);

/* Out: buf gets the signed RLP of the transaction at (blknum, txindex).
 * Returns 0, PLASMA_ERR_NOT_FOUND or PLASMA_ERR_NOMEM. */
int watch_view_block_tx(watch_view *v, uint64_t blknum, uint32_t txindex, plasma_buf *buf);

/* Out: the standard-exit arguments of the output at pos (its tx as
 * rlp(UnsignedTx) and the Merkle proof) from the kept blocks.
 * Returns 0, PLASMA_ERR_NOT_FOUND or PLASMA_ERR_NOMEM. */
int watch_view_exit_data(watch_view *v, uint64_t pos, plasma_call *call);

/* Calls fn for each output in position order; a non-zero result stops the
 * walk and is returned. */
int watch_view_foreach(watch_view *v, int (*fn)(void *ctx, const watch_utxo *u), void *ctx);

#endif
