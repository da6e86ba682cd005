/* What an in-flight exit call needs, looked up in a watcher's view (the
 * blocks it verified): the txs that created a tx's inputs and their
 * proofs, where a tx is included, its competitors, the spends of an output.
 * The view holds one spend per output (a valid chain has no other), so an
 * input spent there by the tx itself means the tx is included, and spent by
 * another tx means a competitor was. Internal to libplasma_client. */
#ifndef PLASMA_IFE_VIEW_H
#define PLASMA_IFE_VIEW_H

#include "watch_view.h"

/* A tx of a verified block. */
typedef struct ife_found {
    plasma_tx tx;    /* as the block holds it (signed; deposits and fee txs without signatures) */
    uint64_t blknum; /* where */
    uint32_t txindex;
    uint32_t input; /* a spend: its input that spends the output */
} ife_found;

/* The position of f's tx (oindex 0), as a competitor or inclusion is named. */
static inline uint64_t ife_found_pos(const ife_found *f)
{
    return plasma_utxo_pos(f->blknum, f->txindex, 0);
}

/* Out: *tx, the tx at (blknum, txindex) of a verified block. Returns 0,
 * PLASMA_ERR_NOT_FOUND, PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int ife_view_tx(watch_view *v, uint64_t blknum, uint32_t txindex, plasma_tx *tx);

/* Out: *created_by, the tx that created the output at pos, and proof, its
 * inclusion proof. Returns 0, PLASMA_ERR_NOT_FOUND (not a block the view
 * verified), PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int ife_view_input(watch_view *v, uint64_t pos, plasma_tx *created_by,
                   uint8_t proof[PLASMA_MERKLE_PROOF_LEN]);

/* Out: *f, the tx that spends the output at pos in the view, unless it is
 * the tx whose hash is except (may be NULL). Returns 0, PLASMA_ERR_NOT_FOUND
 * (unspent, unknown, or spent by except) or an error of the view. */
int ife_view_spend(watch_view *v, uint64_t pos, const plasma_hash *except, ife_found *f);

/* Out: *f, where tx (hash txhash) is included, found through its inputs'
 * spends. Returns 0, PLASMA_ERR_NOT_FOUND or an error of the view. */
int ife_view_inclusion(watch_view *v, const plasma_tx *tx, const plasma_hash *txhash, ife_found *f);

/* Out: *f, the competitor of tx included earliest (another tx spending one
 * of its inputs; f->input is the competitor's input) and *input_index, the
 * input of tx it spends. Returns 0, PLASMA_ERR_NOT_FOUND or an error of the
 * view. */
int ife_view_competitor(watch_view *v, const plasma_tx *tx, const plasma_hash *txhash, ife_found *f,
                        unsigned *input_index);

#endif
