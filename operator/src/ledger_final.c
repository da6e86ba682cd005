/* Outputs the root chain finalized (docs/operator.md, "Outputs finalized on
 * the root chain"). Once an exit or an in-flight exit has finalized an
 * output, the child chain must not build on it: its spends are refused
 * with input_finalized, and a transaction of the open block that already
 * spends it is dropped, with every later transaction of the block that
 * spends what the dropped ones created. A dropped transaction leaves the
 * empty leaf at its index (the others keep the positions they were given),
 * its inputs unspent again, its outputs gone and its fee out of the fee
 * transactions.
 *
 * The work is rare and done under the ledger's lock, with acceptance held
 * and the committer idle, so that the open block is durable and still. */
#include <stdlib.h>
#include <string.h>

#include "ledger_int.h"
#include "plasma/err.h"
#include "plasma/exitgame.h"
#include "plasma/log.h"
#include "plasma/u256.h"

void op_wait_unheld_locked(plasma_ledger *l)
{
    while (l->holding)
        pthread_cond_wait(&l->durable_cv, &l->mu);
}

int op_read_output(plasma_ledger *l, uint64_t pos, op_utxo_rec *rec, plasma_buf *utx, bool *has_inputs)
{
    uint8_t key[13], *val = NULL;
    size_t len;
    op_key_blocktx(key, plasma_pos_blknum(pos), plasma_pos_txindex(pos));
    int rc = plasma_kv_get(l->store, key, sizeof key, &val, &len);
    op_block_tx t;
    plasma_tx tx;
    if (rc == 0 && op_block_tx_decode(&t, val, len) < 0)
        rc = PLASMA_ERR_IO;
    if (rc == 0 && (t.rlp_len == 0 || plasma_tx_decode_block_tx(&tx, t.rlp, t.rlp_len) != 0 ||
                    plasma_pos_oindex(pos) >= tx.n_outputs))
        rc = PLASMA_ERR_NOT_FOUND;
    if (rc == 0) {
        const plasma_output *o = &tx.outputs[plasma_pos_oindex(pos)];
        *rec = (op_utxo_rec){o->owner, o->token, o->amount};
        if (utx) {
            rc = plasma_tx_encode_unsigned(utx, &tx);
            *has_inputs = tx.n_inputs > 0;
        }
    }
    free(val);
    return rc;
}

int plasma_ledger_output_id(plasma_ledger *l, uint64_t pos, plasma_hash *out)
{
    if (!plasma_utxo_pos_valid(pos))
        return PLASMA_ERR_NOT_FOUND;
    op_utxo_rec rec;
    plasma_buf utx = {0};
    bool has_inputs = false;
    int rc = op_read_output(l, pos, &rec, &utx, &has_inputs);
    if (rc == 0)
        plasma_output_id(out, utx.data, utx.len, has_inputs, plasma_pos_oindex(pos), pos);
    plasma_buf_free(&utx);
    return rc;
}

/* Holds acceptance and waits (mu held) until every accepted change is
 * durable and every closed block sealed: only the open block is unsealed. */
static int drain_locked(plasma_ledger *l)
{
    l->holding = true;
    pthread_cond_signal(&l->commit_cv);
    while (!l->failed && (l->q_head || l->round_busy || l->closing))
        pthread_cond_wait(&l->durable_cv, &l->mu);
    return l->failed;
}

/* ---- the open block's transactions that must go ---- */

typedef struct drop_tx {
    uint32_t txindex;
    plasma_tx tx;
    plasma_hash txhash;
    plasma_fee fee;
} drop_tx;

typedef struct drop_plan {
    uint64_t *dead; /* the finalized position and the outputs of dropped txs */
    size_t n_dead, cap_dead;
    drop_tx *txs;
    size_t n_txs, cap_txs;
} drop_plan;

static bool is_dead(const drop_plan *p, uint64_t pos)
{
    for (size_t i = 0; i < p->n_dead; i++)
        if (p->dead[i] == pos)
            return true;
    return false;
}

static int add_dead(drop_plan *p, uint64_t pos)
{
    int rc = plasma_grow((void **)&p->dead, &p->cap_dead, p->n_dead + 1, sizeof *p->dead);
    if (rc == 0)
        p->dead[p->n_dead++] = pos;
    return rc;
}

/* One stored tx of the open block: dropped when it spends a dead position. */
static int consider(drop_plan *p, uint64_t blknum, uint32_t txindex, const op_block_tx *t)
{
    plasma_tx tx;
    if (t->rlp_len == 0)
        return PLASMA_OK;
    if (plasma_tx_decode_signed(&tx, t->rlp, t->rlp_len) != 0)
        return PLASMA_ERR_IO; /* the store holds what it accepted */
    bool spends = false;
    for (unsigned i = 0; i < tx.n_inputs; i++)
        spends |= is_dead(p, tx.inputs[i]);
    if (!spends)
        return PLASMA_OK;
    int rc = plasma_grow((void **)&p->txs, &p->cap_txs, p->n_txs + 1, sizeof *p->txs);
    if (rc != 0)
        return rc;
    drop_tx *d = &p->txs[p->n_txs++];
    d->txindex = txindex;
    d->tx = tx;
    d->fee = (plasma_fee){t->fee_token, t->fee};
    rc = plasma_tx_hash(&d->txhash, &tx);
    for (unsigned o = 0; rc == 0 && o < tx.n_outputs; o++)
        rc = add_dead(p, plasma_utxo_pos(blknum, txindex, o));
    return rc;
}

/* Walks the open block in order, so that a chain of spends is caught
 * whole. */
static int plan_drops(plasma_ledger *l, drop_plan *p)
{
    uint64_t blknum = l->open->blknum;
    plasma_kv_iter *it = op_block_txs(l, blknum);
    if (!it)
        return PLASMA_ERR_NOMEM;
    int rc = PLASMA_OK;
    const uint8_t *k, *v;
    size_t klen, vlen;
    for (; rc == 0 && plasma_kv_iter_get(it, &k, &klen, &v, &vlen); plasma_kv_iter_next(it)) {
        op_block_tx t;
        rc = klen == 13 && op_block_tx_decode(&t, v, vlen) == 0 ? consider(p, blknum, op_rd32(k + 9), &t)
                                                                : PLASMA_ERR_IO;
    }
    if (rc == 0)
        rc = plasma_kv_iter_error(it);
    plasma_kv_iter_free(it);
    return rc;
}

/* ---- the store's side ---- */

/* An input of a dropped tx that nothing else finalized or dropped is
 * unspent again. */
static int restore_input(plasma_ledger *l, plasma_kv_batch *b, uint64_t pos)
{
    op_utxo_rec rec;
    int rc = op_read_output(l, pos, &rec, NULL, NULL);
    if (rc != 0)
        return rc == PLASMA_ERR_NOT_FOUND ? PLASMA_ERR_IO : rc;
    uint8_t key[29], val[OP_UTXO_REC_LEN];
    op_key_spent(key, pos);
    plasma_kv_batch_del(b, key, 9);
    op_key_utxo(key, pos);
    plasma_kv_batch_put(b, key, 9, val, op_utxo_encode(val, &rec));
    op_key_owner(key, &rec.owner, pos);
    plasma_kv_batch_put(b, key, 29, NULL, 0);
    return PLASMA_OK;
}

static int encode_drop(plasma_ledger *l, plasma_kv_batch *b, uint64_t blknum, const drop_plan *p,
                       const drop_tx *d)
{
    uint8_t key[13], val[OP_BLOCK_TX_PREFIX];
    plasma_addr none = {{0}};
    plasma_u256 zero = plasma_u256_from_u64(0);
    op_block_tx_encode_prefix(val, plasma_merkle_empty(0), &none, &zero);
    op_key_blocktx(key, blknum, d->txindex);
    plasma_kv_batch_put(b, key, sizeof key, val, sizeof val);
    int rc = PLASMA_OK;
    for (unsigned i = 0; rc == 0 && i < d->tx.n_inputs; i++)
        if (!is_dead(p, d->tx.inputs[i])) /* the finalized output, or one a dropped tx made */
            rc = restore_input(l, b, d->tx.inputs[i]);
    for (unsigned o = 0; o < d->tx.n_outputs; o++) {
        op_key_utxo(key, plasma_utxo_pos(blknum, d->txindex, o));
        plasma_kv_batch_del(b, key, 9);
        op_key_spent(key, plasma_utxo_pos(blknum, d->txindex, o));
        plasma_kv_batch_del(b, key, 9);
    }
    return rc;
}

/* ---- memory's side, once the batch is durable ---- */

static void unfee(block_acc *blk, const plasma_fee *fee)
{
    plasma_block_fees *f = &blk->fees;
    plasma_fee *slot = (plasma_fee *)plasma_block_fees_find(f, &fee->token);
    if (slot && (plasma_u256_sub(&slot->amount, &slot->amount, &fee->amount) != 0 ||
                 plasma_u256_is_zero(&slot->amount)))
        *slot = f->fees[--f->n];
}

static void apply_drop(plasma_ledger *l, const drop_plan *p, uint64_t final)
{
    block_acc *blk = l->open;
    for (size_t i = 0; i < p->n_txs; i++) {
        const drop_tx *d = &p->txs[i];
        blk->leaves[d->txindex] = *plasma_merkle_empty(0);
        if (!plasma_u256_is_zero(&d->fee.amount))
            unfee(blk, &d->fee);
        op_defer_remove(&l->defer, blk->blknum, d->txindex, d->tx.n_outputs);
        for (unsigned in = 0; in < d->tx.n_inputs; in++) {
            op_utxo_rec rec;
            uint64_t pos = d->tx.inputs[in];
            op_uidx_del(&l->uidx, pos);
            /* held whatever the bound: a complete index must not miss it */
            if (!is_dead(p, pos) && op_read_output(l, pos, &rec, NULL, NULL) == 0)
                (void)op_uidx_put(&l->uidx, pos, &rec, OP_U_UNSPENT);
        }
        for (unsigned o = 0; o < d->tx.n_outputs; o++)
            op_uidx_del(&l->uidx, plasma_utxo_pos(blk->blknum, d->txindex, o));
        char h[67];
        plasma_log(PLASMA_LOG_WARN, "tx_dropped",
                   "txhash=%s blknum=%llu txindex=%u reason=input_finalized input=%llu",
                   plasma_hash_format(h, &d->txhash), (unsigned long long)blk->blknum, d->txindex,
                   (unsigned long long) final);
    }
    op_uidx_del(&l->uidx, final);
}

/* ---- the entry point ---- */

/* Where pos stands: unspent, spent (by a sealed tx or an open one), or
 * unknown to the ledger. */
static int spent_state(plasma_ledger *l, uint64_t pos, bool *unspent, bool *spent, uint8_t *reason)
{
    op_utxo_rec rec;
    *unspent = op_store_get_utxo(l->store, pos, &rec) == 0;
    uint8_t key[9], *val = NULL;
    size_t len = 0;
    op_key_spent(key, pos);
    int rc = plasma_kv_get(l->store, key, sizeof key, &val, &len);
    *spent = rc == 0;
    *reason = rc == 0 && len == 1 ? val[0] : 0;
    free(val);
    return rc == PLASMA_ERR_NOT_FOUND ? PLASMA_OK : rc;
}

static int finalize_locked(plasma_ledger *l, uint64_t pos, size_t *dropped)
{
    bool unspent, spent;
    uint8_t reason;
    int rc = spent_state(l, pos, &unspent, &spent, &reason);
    if (rc != 0 || (!unspent && !spent) || reason == OP_SPENT_FINALIZED)
        return rc;
    drop_plan plan = {0};
    rc = add_dead(&plan, pos);
    if (rc == 0 && spent)
        rc = plan_drops(l, &plan);
    plasma_kv_batch *b = rc == 0 ? plasma_kv_batch_new() : NULL;
    if (rc == 0 && !b)
        rc = PLASMA_ERR_NOMEM;
    for (size_t i = 0; rc == 0 && i < plan.n_txs; i++)
        rc = encode_drop(l, b, l->open->blknum, &plan, &plan.txs[i]);
    if (rc == 0) {
        op_spend_utxo(b, pos, OP_SPENT_FINALIZED);
        rc = plasma_kv_write(l->store, b, true);
        if (rc != 0)
            l->failed = PLASMA_ERR_IO; /* as a failed commit: restart to recover */
    }
    if (rc == 0) {
        apply_drop(l, &plan, pos);
        if (spent && plan.n_txs == 0)
            plasma_log(PLASMA_LOG_WARN, "finalized_output_spent",
                       "input=%llu detail=\"spent in a sealed block\"", (unsigned long long)pos);
        *dropped = plan.n_txs;
    }
    plasma_kv_batch_free(b);
    free(plan.dead);
    free(plan.txs);
    return rc;
}

int plasma_ledger_finalize(plasma_ledger *l, uint64_t pos, size_t *dropped)
{
    size_t n = 0;
    pthread_mutex_lock(&l->mu);
    int rc = drain_locked(l);
    if (rc == 0)
        rc = finalize_locked(l, pos, &n);
    l->holding = false;
    pthread_cond_broadcast(&l->durable_cv);
    pthread_mutex_unlock(&l->mu);
    if (rc == 0 && dropped)
        *dropped = n;
    return rc;
}
