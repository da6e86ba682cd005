/* In-flight exit data from a watcher's view (see ife_view.h). */
#include "ife_view.h"

#include <string.h>

int ife_view_tx(watch_view *v, uint64_t blknum, uint32_t txindex, plasma_tx *tx)
{
    plasma_buf raw = {0};
    int rc = watch_view_block_tx(v, blknum, txindex, &raw);
    if (rc == 0 && plasma_tx_decode_block_tx(tx, raw.data, raw.len) != 0)
        rc = PLASMA_ERR_IO;
    plasma_buf_free(&raw);
    return rc;
}

int ife_view_input(watch_view *v, uint64_t pos, plasma_tx *created_by, uint8_t proof[PLASMA_MERKLE_PROOF_LEN])
{
    plasma_tx tx;
    int rc = ife_view_tx(v, plasma_pos_blknum(pos), plasma_pos_txindex(pos), &tx);
    if (rc == 0 && plasma_pos_oindex(pos) >= tx.n_outputs)
        rc = PLASMA_ERR_NOT_FOUND;
    if (rc == 0)
        rc = watch_view_proof(v, plasma_pos_blknum(pos), plasma_pos_txindex(pos), proof);
    if (rc == 0)
        *created_by = tx;
    return rc;
}

/* Out: *f, the spend of pos in the view, whoever made it. */
static int spend_of(watch_view *v, uint64_t pos, ife_found *f)
{
    watch_utxo u;
    int rc = watch_view_get(v, pos, &u);
    if (rc == 0 && !u.spent)
        rc = PLASMA_ERR_NOT_FOUND;
    if (rc == 0)
        rc = ife_view_tx(v, u.spend_blknum, u.spend_txindex, &f->tx);
    if (rc == 0) {
        f->blknum = u.spend_blknum;
        f->txindex = u.spend_txindex;
        f->input = u.spend_input;
    }
    return rc;
}

static bool has_hash(const plasma_tx *tx, const plasma_hash *h)
{
    plasma_hash got;
    return h && plasma_tx_hash(&got, tx) == 0 && plasma_hash_eq(&got, h);
}

int ife_view_spend(watch_view *v, uint64_t pos, const plasma_hash *except, ife_found *f)
{
    ife_found s;
    int rc = spend_of(v, pos, &s);
    if (rc == 0 && has_hash(&s.tx, except))
        rc = PLASMA_ERR_NOT_FOUND;
    if (rc == 0)
        *f = s;
    return rc;
}

int ife_view_inclusion(watch_view *v, const plasma_tx *tx, const plasma_hash *txhash, ife_found *f)
{
    for (unsigned i = 0; i < tx->n_inputs; i++) {
        ife_found s;
        int rc = spend_of(v, tx->inputs[i], &s);
        if (rc == PLASMA_ERR_NOT_FOUND)
            continue;
        if (rc)
            return rc;
        if (has_hash(&s.tx, txhash)) {
            *f = s;
            return 0;
        }
    }
    return PLASMA_ERR_NOT_FOUND;
}

int ife_view_competitor(watch_view *v, const plasma_tx *tx, const plasma_hash *txhash, ife_found *f,
                        unsigned *input_index)
{
    int found = PLASMA_ERR_NOT_FOUND;
    for (unsigned i = 0; i < tx->n_inputs; i++) {
        ife_found s;
        int rc = ife_view_spend(v, tx->inputs[i], txhash, &s);
        if (rc == PLASMA_ERR_NOT_FOUND)
            continue;
        if (rc)
            return rc;
        if (found != 0 || ife_found_pos(&s) < ife_found_pos(f)) {
            *f = s;
            *input_index = i;
            found = 0;
        }
    }
    return found;
}
