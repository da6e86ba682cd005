/* The watcher's view: every output it has seen (unspent, or spent with the
 * position of the spending transaction) and the blocks it verified, from
 * which it builds challenges and exit data without the operator. Kept in
 * the data dir's LevelDB (watch_store.h); outputs read most recently stay
 * in a bounded in-memory cache.
 *
 * Changes are made one batch at a time: watch_view_add / _spend /
 * _mark_exiting stage them (visible to watch_view_get at once, so a
 * transaction may spend an output of an earlier one in the same block);
 * watch_view_stage adds them to the caller's batch, which also carries the
 * rest of that step's state (the block, the cursor); once the batch is
 * written, watch_view_settle makes them the view's, and watch_view_discard
 * drops them instead. Internal to libplasma_client. */
#ifndef PLASMA_WATCH_VIEW_H
#define PLASMA_WATCH_VIEW_H

#include "plasma/client.h"
#include "watch_store.h"

/* One output as the view knows it. */
typedef struct watch_utxo {
    uint64_t pos;
    plasma_output out;
    bool spent;
    bool exiting;           /* an exit of it started while it was unspent */
    bool finalized;         /* the root chain paid it out (an exit or an in-flight exit) */
    uint64_t spend_blknum;  /* spent: the spending transaction's block, */
    uint32_t spend_txindex; /* its index there */
    uint32_t spend_input;   /* and the input that spends this output */
} watch_utxo;

typedef struct watch_view watch_view;

/* A view over store (not owned) caching about cache_bytes of outputs.
 * Returns 0 or PLASMA_ERR_NOMEM. */
int watch_view_open(watch_view **out, watch_store *store, size_t cache_bytes);
void watch_view_free(watch_view *v);

/* Out: *u, the output at pos. Returns 0, PLASMA_ERR_NOT_FOUND,
 * PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int watch_view_get(watch_view *v, uint64_t pos, watch_utxo *u);

/* Stages a new unspent output (a position already known is left as it
 * is: a deposit seen again). Returns 0 or an error of watch_view_get. */
int watch_view_add(watch_view *v, uint64_t pos, const plasma_output *out);
/* Stages an output of the block being applied, whose position no output
 * can have yet (the block's number is above every block applied), without
 * looking for it. Returns 0 or PLASMA_ERR_NOMEM. */
int watch_view_add_new(watch_view *v, uint64_t pos, const plasma_output *out);
/* Stages the spend of *u, as watch_view_get returned it since the last
 * stage or discard, by input `input` of the transaction at (blknum,
 * txindex). Returns 0 or PLASMA_ERR_NOMEM. */
int watch_view_spend(watch_view *v, const watch_utxo *u, uint64_t blknum, uint32_t txindex, uint32_t input);
/* Stages the exiting flag of the output at pos (no-op when unknown).
 * Returns 0 or an error of watch_view_get. */
int watch_view_mark_exiting(watch_view *v, uint64_t pos);

/* Stages the finalized flag of the output at pos: the root chain paid it
 * out (no-op when unknown). Returns 0 or an error of watch_view_get. */
int watch_view_mark_finalized(watch_view *v, uint64_t pos);

/* Adds the staged changes to b. Returns 0 or PLASMA_ERR_NOMEM. */
int watch_view_stage(watch_view *v, watch_batch *b);
/* After b was written: the staged changes are the view's. */
void watch_view_settle(watch_view *v);
/* Drops the staged changes. */
void watch_view_discard(watch_view *v);

/* A verified block as stored: its header, its transactions as served
 * (signed RLP; deposits and fee transactions with an empty signature list,
 * one after the other: tx i is txs[offs[i] .. offs[i+1])) and their
 * Merkle leaves. */
typedef struct watch_block_hdr {
    uint64_t blknum;
    plasma_hash root;
    uint64_t timestamp; /* root-chain time of its submission (deposits: 0) */
    uint32_t n;         /* transactions */
} watch_block_hdr;

/* Adds block h to b. A block of more than WATCH_VIEW_FILE_TXS
 * transactions goes to a file of its own (watch_blocks.h), written and
 * synced now, b getting its header only. Returns 0, PLASMA_ERR_IO or
 * PLASMA_ERR_NOMEM. */
#define WATCH_VIEW_FILE_TXS 256u
int watch_view_put_block(watch_view *v, watch_batch *b, const watch_block_hdr *h, const uint8_t *txs,
                         const size_t *offs, const plasma_hash *leaves);
/* Out: *h. Returns 0, PLASMA_ERR_NOT_FOUND, PLASMA_ERR_IO or _NOMEM. */
int watch_view_block_header(watch_view *v, uint64_t blknum, watch_block_hdr *h);
/* Removes the block files (watch_blocks.h) that no header names: left by a
 * crash before the header's write, or by a block a reorganisation took
 * back. Out: *removed (may be NULL), how many. Returns 0, PLASMA_ERR_IO or
 * PLASMA_ERR_NOMEM. */
int watch_view_sweep_files(watch_view *v, size_t *removed);

/* Out: buf gets the signed RLP of the transaction at (blknum, txindex).
 * Returns 0, PLASMA_ERR_NOT_FOUND, PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int watch_view_block_tx(watch_view *v, uint64_t blknum, uint32_t txindex, plasma_buf *buf);

/* Out: proof, the Merkle proof of the transaction at (blknum, txindex)
 * under the stored block's root. Returns 0, PLASMA_ERR_NOT_FOUND,
 * PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int watch_view_proof(watch_view *v, uint64_t blknum, uint32_t txindex,
                     uint8_t proof[PLASMA_MERKLE_PROOF_LEN]);

/* Out: the standard-exit arguments of the output at pos (its tx as
 * rlp(UnsignedTx) and the Merkle proof) from the stored blocks.
 * Returns 0, PLASMA_ERR_NOT_FOUND, PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int watch_view_exit_data(watch_view *v, uint64_t pos, plasma_call *call);

/* Calls fn for each output (settled changes only) in position order; a
 * non-zero result stops the walk and is returned. Returns 0, that result,
 * PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int watch_view_foreach(watch_view *v, int (*fn)(void *ctx, const watch_utxo *u), void *ctx);

/* The cache's use: outputs held and their bytes. */
void watch_view_cache_use(const watch_view *v, size_t *entries, size_t *bytes);

/* Big-endian helpers for keys and records. */
static inline void watch_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}
static inline uint64_t watch_rd64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}
static inline void watch_be32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}
static inline uint32_t watch_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
