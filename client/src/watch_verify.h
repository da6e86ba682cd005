/* Verifying a block the operator serves: its transactions decode, hash to
 * the root the root chain stores, and re-execute against the view (inputs
 * exist and are unspent, each is signed by its owner under the domain,
 * per-token sums add up, fee transactions claim no more than the block's
 * fees). Internal to libplasma_client. */
#ifndef PLASMA_WATCH_VERIFY_H
#define PLASMA_WATCH_VERIFY_H

#include "watch_follow.h"
#include "watch_view.h"

/* A served block's transactions: decoded, their signed RLP and leaves. */
typedef struct watch_txs {
    size_t n;
    plasma_tx *tx;
    uint8_t **raw;
    size_t *raw_len;
    plasma_hash *leaves;
} watch_txs;

/* Decodes a served block into b (freed with watch_txs_free, also on
 * failure): the binary form must be block blknum's; the JSON form's "txs"
 * is an array of 0x-hex signed transactions. Returns 0,
 * PLASMA_ERR_MALFORMED_TX or PLASMA_ERR_NOMEM. */
int watch_txs_decode(watch_txs *b, uint64_t blknum, const watch_served *s);
/* The JSON form's txs alone (a stored block). */
int watch_txs_decode_json(watch_txs *b, const json_t *txs);
void watch_txs_free(watch_txs *b);

/* Checks b against the root and re-executes it on the view. Returns NULL
 * (valid: the view then includes it, staged) or the reason it is invalid
 * (nothing staged). *err gets 0 or PLASMA_ERR_NOMEM (then the reason says
 * so and nothing is staged). */
const char *watch_verify_block(watch_view *v, const plasma_domain *domain, uint64_t blknum,
                               const plasma_hash *root, const watch_txs *b, int *err);

/* The re-execution alone (the root already matched). As above. */
const char *watch_verify_execute(watch_view *v, const plasma_domain *domain, uint64_t blknum,
                                 const watch_txs *b, int *err);

/* Moves b's signed txs and leaves into a block for watch_view_keep_block. */
watch_kept_block watch_txs_take(watch_txs *b, uint64_t blknum);

#endif
