/* The committer thread: the only writer of the ledger's changes. It takes
 * everything queued since its last write, together with the blocks closed
 * meanwhile, writes them as one synced LevelDB batch, then updates the
 * in-memory index and wakes the submitters. Sealing happens in the same
 * batch, so a block and the transactions it holds become durable together. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger_int.h"
#include "plasma/rules.h"
#include "plasma/err.h"
#include "plasma/keccak.h"
#include "plasma/u256.h"

#define MAX_FEE_TXS PLASMA_MAX_TXS_PER_BLOCK

typedef struct sealed {
    uint64_t blknum;
    plasma_hash root;
    plasma_merkle *tree;
    uint32_t n_payments;
    uint32_t n_fees;
    const plasma_fee *fees; /* sorted; borrowed from the block */
    uint64_t started_ms;
} sealed;

/* --- encoding changes into the batch --- */

/* An output; with its owner index entry unless that one is deferred to the
 * seal (payments, see defer.h). */
static void put_utxo(plasma_kv_batch *b, uint64_t pos, const plasma_addr *owner, const plasma_addr *token,
                     const plasma_u256 *amount, bool index_now)
{
    uint8_t key[29], val[OP_UTXO_REC_LEN];
    op_utxo_rec r = {*owner, *token, *amount};
    size_t vlen = op_utxo_encode(val, &r);
    op_key_utxo(key, pos);
    plasma_kv_batch_put(b, key, 9, val, vlen);
    if (index_now) {
        op_key_owner(key, owner, pos);
        plasma_kv_batch_put(b, key, 29, NULL, 0);
    }
}

/* The owner index entry stays: it is the one random key of the three, and
 * the queries that meet it remove it (plasma_ledger_utxos_by_owner). */
void op_spend_utxo(plasma_kv_batch *b, uint64_t pos, uint8_t reason)
{
    uint8_t key[9];
    op_key_utxo(key, pos);
    plasma_kv_batch_del(b, key, 9);
    op_key_spent(key, pos);
    plasma_kv_batch_put(b, key, 9, &reason, 1);
}

static int put_block_tx(plasma_kv_batch *b, uint64_t blknum, uint32_t txindex, const plasma_hash *leaf,
                        const plasma_addr *fee_token, const plasma_u256 *fee, const uint8_t *rlp, size_t len)
{
    uint8_t key[13];
    uint8_t *val = malloc(OP_BLOCK_TX_PREFIX + len);
    if (!val)
        return PLASMA_ERR_NOMEM;
    op_block_tx_encode_prefix(val, leaf, fee_token, fee);
    memcpy(val + OP_BLOCK_TX_PREFIX, rlp, len);
    op_key_blocktx(key, blknum, txindex);
    plasma_kv_batch_put(b, key, sizeof key, val, OP_BLOCK_TX_PREFIX + len);
    free(val);
    return PLASMA_OK;
}

static void put_txhash(plasma_kv_batch *b, const plasma_hash *h, uint64_t blknum, uint32_t txindex)
{
    uint8_t key[33], val[12];
    op_key_txhash(key, h);
    op_be64(val, blknum);
    op_be32(val + 8, txindex);
    plasma_kv_batch_put(b, key, sizeof key, val, sizeof val);
}

static void put_header(plasma_kv_batch *b, uint64_t blknum, const op_block_hdr *h)
{
    uint8_t key[9], val[OP_BLOCK_HDR_LEN];
    op_key_block(key, blknum);
    op_block_hdr_encode(val, h);
    plasma_kv_batch_put(b, key, sizeof key, val, sizeof val);
}

static int encode_tx_rec(plasma_ledger *l, plasma_kv_batch *b, const commit_rec *r)
{
    for (unsigned i = 0; i < r->tx.n_inputs; i++)
        op_spend_utxo(b, r->tx.inputs[i], OP_SPENT_BY_TX);
    for (unsigned o = 0; o < r->tx.n_outputs; o++) {
        const plasma_output *out = &r->tx.outputs[o];
        put_utxo(b, plasma_utxo_pos(r->blknum, r->txindex, o), &out->owner, &out->token, &out->amount, false);
    }
    int rc = op_defer_add(&l->defer, r->blknum, r->txindex, &r->txhash, &r->tx);
    if (rc < 0)
        return rc;
    return put_block_tx(b, r->blknum, r->txindex, &r->leaf, &r->fee_token, &r->fee, r->rlp, r->rlp_len);
}

static int encode_deposit_rec(plasma_kv_batch *b, const commit_rec *r)
{
    op_block_hdr h = {.timestamp = r->timestamp, .n_txs = 1, .flags = OP_BLOCK_SUBMITTED};
    int rc = plasma_merkle_root(&h.root, &r->leaf, 1);
    if (rc < 0)
        return rc;
    put_header(b, r->blknum, &h);
    const plasma_output *out = &r->tx.outputs[0];
    put_utxo(b, plasma_utxo_pos(r->blknum, 0, 0), &out->owner, &out->token, &out->amount, true);
    if (r->rc_block)
        op_put_deposit_origin(b, r->rc_block, r->blknum);
    plasma_u256 zero = plasma_u256_from_u64(0);
    return put_block_tx(b, r->blknum, 0, &r->leaf, &r->fee_token, &zero, r->rlp, r->rlp_len);
}

static int encode_rec(plasma_ledger *l, plasma_kv_batch *b, const commit_rec *r)
{
    switch (r->kind) {
    case REC_TX:
        return encode_tx_rec(l, b, r);
    case REC_DEPOSIT:
        return encode_deposit_rec(b, r);
    case REC_EXIT:
        if (r->applies)
            op_spend_utxo(b, r->pos, OP_SPENT_BY_EXIT);
        return PLASMA_OK;
    case REC_META:
        op_batch_put_meta_u64(b, r->name, r->value);
        return PLASMA_OK;
    case REC_UNDO:
    case REC_CURSOR:
        op_encode_reorg_rec(b, r);
        return PLASMA_OK;
    }
    return PLASMA_ERR_INTERNAL;
}

/* --- sealing --- */

/* Encodes fee tx k of the block, adding it to the batch and its leaf to leaves. */
static int put_fee_tx(plasma_ledger *l, plasma_kv_batch *b, const block_acc *blk, uint32_t k,
                      plasma_hash *leaf)
{
    plasma_tx tx;
    const plasma_fee *f = &blk->fees.fees[k];
    plasma_tx_make_fee(&tx, blk->blknum, &l->cfg.fee_beneficiary, &f->token, &f->amount);
    plasma_buf ub = {0}, sb = {0};
    int rc = plasma_tx_encode_unsigned(&ub, &tx);
    if (rc == 0)
        rc = plasma_tx_encode_signed(&sb, &tx);
    if (rc == 0) {
        uint32_t txindex = blk->n_payments + k;
        plasma_hash txhash;
        plasma_keccak256(&txhash, ub.data, ub.len);
        plasma_merkle_leaf(leaf, ub.data, ub.len);
        put_txhash(b, &txhash, blk->blknum, txindex);
        plasma_u256 zero = plasma_u256_from_u64(0);
        rc = put_block_tx(b, blk->blknum, txindex, leaf, &f->token, &zero, sb.data, sb.len);
        put_utxo(b, plasma_utxo_pos(blk->blknum, txindex, 0), &l->cfg.fee_beneficiary, &f->token, &f->amount,
                 true);
    }
    plasma_buf_free(&ub);
    plasma_buf_free(&sb);
    return rc;
}

static int seal_block(plasma_ledger *l, plasma_kv_batch *b, block_acc *blk, sealed *out)
{
    memset(out, 0, sizeof *out);
    out->started_ms = op_now_ms();
    out->blknum = blk->blknum;
    out->n_payments = blk->n_payments;
    plasma_block_fees_sort(&blk->fees);
    out->n_fees = (uint32_t)blk->fees.n;
    out->fees = blk->fees.fees;
    uint32_t n = blk->n_payments + out->n_fees;
    if (n > blk->leaves_cap) {
        plasma_hash *lv = realloc(blk->leaves, n * sizeof *lv);
        if (!lv)
            return PLASMA_ERR_NOMEM;
        blk->leaves = lv;
        blk->leaves_cap = n;
    }
    for (uint32_t k = 0; k < out->n_fees; k++) {
        int rc = put_fee_tx(l, b, blk, k, &blk->leaves[blk->n_payments + k]);
        if (rc < 0)
            return rc;
    }
    int rc = op_defer_seal(&l->defer, b, blk->blknum);
    if (rc == 0)
        rc = plasma_merkle_build(&out->tree, blk->leaves, n);
    if (rc < 0)
        return rc;
    out->root = *plasma_merkle_tree_root(out->tree);
    op_block_hdr h = {.root = out->root, .timestamp = (uint64_t)time(NULL), .n_txs = n};
    put_header(b, blk->blknum, &h);
    op_batch_put_meta_u64(b, "last_sealed", blk->blknum);
    return PLASMA_OK;
}

/* --- after the write --- */

static void settle_rec_locked(plasma_ledger *l, const commit_rec *r)
{
    switch (r->kind) {
    case REC_TX:
        for (unsigned i = 0; i < r->tx.n_inputs; i++)
            op_uidx_del(&l->uidx, r->tx.inputs[i]);
        for (unsigned o = 0; o < r->tx.n_outputs; o++)
            op_uidx_settle_new(&l->uidx, plasma_utxo_pos(r->blknum, r->txindex, o));
        atomic_fetch_add(&l->committed_txs, 1);
        break;
    case REC_DEPOSIT:
        op_uidx_settle_new(&l->uidx, plasma_utxo_pos(r->blknum, 0, 0));
        break;
    case REC_EXIT:
        if (r->applies)
            op_uidx_del(&l->uidx, r->pos);
        break;
    case REC_META:
        break;
    case REC_UNDO:
    case REC_CURSOR:
        op_settle_reorg_rec_locked(l, r);
        break;
    }
}

static void settle_sealed_locked(plasma_ledger *l, sealed *s)
{
    for (uint32_t k = 0; k < s->n_fees; k++) {
        op_utxo_rec u = {l->cfg.fee_beneficiary, s->fees[k].token, s->fees[k].amount};
        op_uidx_cache(&l->uidx, plasma_utxo_pos(s->blknum, s->n_payments + k, 0), &u);
    }
    l->last_sealed = s->blknum;
    l->last_root = s->root;
    uint64_t ms = op_now_ms() - s->started_ms;
    atomic_store(&l->seal_ms_last, ms);
    atomic_fetch_add(&l->seal_ms_total, ms);
    atomic_fetch_add(&l->blocks_sealed, 1);
}

/* --- the loop --- */

static void timer_rollover_locked(plasma_ledger *l)
{
    block_acc *o = l->open;
    if (o->n_payments == 0 || l->cfg.seal_interval_ms == 0)
        return;
    /* Too many blocks waiting, or no memory for the next one: the block
     * stays open and the next round tries again. */
    if (op_now_ms() >= o->first_tx_ms + l->cfg.seal_interval_ms)
        (void)op_rollover_locked(l);
}

static void timed_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, uint64_t ms)
{
    struct timespec ts;
    plasma_deadline_us(&ts, ms * 1000u);
    pthread_cond_timedwait(cv, mu, &ts);
}

static void wait_for_work_locked(plasma_ledger *l)
{
    block_acc *o = l->open;
    bool timer =
        o->n_payments > 0 && l->cfg.seal_interval_ms > 0 && l->n_unsubmitted < l->cfg.max_unsubmitted_blocks;
    if (!timer) {
        pthread_cond_wait(&l->commit_cv, &l->mu);
        return;
    }
    uint64_t deadline = o->first_tx_ms + l->cfg.seal_interval_ms, now = op_now_ms();
    if (deadline > now)
        timed_wait_ms(&l->commit_cv, &l->mu, deadline - now);
}

/* Lets a small group commit grow for a moment: one fsync then serves more
 * submitters. Skipped when blocks wait to be sealed or on shutdown. */
static void linger_locked(plasma_ledger *l)
{
    if (!l->cfg.commit_linger_us || l->closing || l->stop)
        return;
    struct timespec ts;
    plasma_deadline_us(&ts, (uint64_t)l->cfg.commit_linger_us);
    while (l->q_len < l->cfg.commit_max_txs && !l->closing && !l->stop)
        if (pthread_cond_timedwait(&l->commit_cv, &l->mu, &ts) != 0)
            break;
}

static int write_round(plasma_ledger *l, plasma_kv_batch *b, commit_rec *q, block_acc *closing,
                       sealed *sealed_out, size_t *n_sealed)
{
    plasma_kv_batch_clear(b);
    int rc = PLASMA_OK;
    for (const commit_rec *r = q; r && rc == 0; r = r->next)
        rc = encode_rec(l, b, r);
    *n_sealed = 0;
    for (block_acc *blk = closing; blk && rc == 0; blk = blk->next)
        rc = seal_block(l, b, blk, &sealed_out[(*n_sealed)++]);
    if (rc == 0)
        rc = plasma_kv_write(l->store, b, true);
    return rc;
}

static size_t count_blocks(const block_acc *b)
{
    size_t n = 0;
    for (; b; b = b->next)
        n++;
    return n;
}

static void finish_round_locked(plasma_ledger *l, commit_rec *q, sealed *s, size_t n_sealed, int rc)
{
    uint64_t last_seq = l->durable_seq;
    for (commit_rec *r = q; r; r = r->next) {
        if (rc == 0)
            settle_rec_locked(l, r);
        last_seq = r->seq;
    }
    if (rc == 0) {
        op_defer_publish(&l->defer);
        for (size_t i = 0; i < n_sealed; i++) {
            op_defer_drop(&l->defer, s[i].blknum);
            settle_sealed_locked(l, &s[i]);
        }
        atomic_fetch_add(&l->commits, 1);
    } else if (!l->failed) {
        l->failed = rc == PLASMA_ERR_NOMEM ? PLASMA_ERR_NOMEM : PLASMA_ERR_IO;
    }
    if (rc == 0)
        l->durable_seq = last_seq;
    pthread_cond_broadcast(&l->durable_cv);
}

static void release_round(plasma_ledger *l, commit_rec *q, block_acc *closing, sealed *s, size_t n_sealed,
                          int rc)
{
    while (q) {
        commit_rec *next = q->next;
        free(q);
        q = next;
    }
    for (size_t i = 0; i < n_sealed; i++) {
        if (rc == 0 && s[i].tree) {
            op_tree_cache_put(l, s[i].blknum, s[i].tree);
            if (l->cfg.on_sealed)
                l->cfg.on_sealed(l->cfg.hook_ctx, s[i].blknum);
        } else {
            plasma_merkle_free(s[i].tree);
        }
    }
    while (closing) {
        block_acc *next = closing->next;
        op_block_free(closing);
        closing = next;
    }
}

static void one_round(plasma_ledger *l, plasma_kv_batch *b)
{
    linger_locked(l);
    commit_rec *q = l->q_head;
    l->q_head = l->q_tail = NULL;
    l->q_len = 0;
    block_acc *closing = l->failed ? NULL : l->closing;
    if (!l->failed)
        l->closing = NULL;
    l->round_busy = true;
    for (const block_acc *blk = closing; blk; blk = blk->next)
        l->round_sealing = blk->blknum;
    pthread_mutex_unlock(&l->mu);

    size_t n_blocks = count_blocks(closing), n_sealed = 0;
    sealed *s = calloc(n_blocks ? n_blocks : 1, sizeof *s);
    int rc = s ? PLASMA_OK : PLASMA_ERR_NOMEM;
    if (rc == 0 && !l->failed && (q || closing))
        rc = write_round(l, b, q, closing, s, &n_sealed);
    else if (l->failed)
        rc = l->failed;

    pthread_mutex_lock(&l->mu);
    finish_round_locked(l, q, s, n_sealed, rc);
    l->round_busy = false;
    l->round_sealing = 0;
    pthread_cond_broadcast(&l->durable_cv);
    pthread_mutex_unlock(&l->mu);
    release_round(l, q, closing, s, n_sealed, rc);
    free(s);
    pthread_mutex_lock(&l->mu);
}

void *op_committer_main(void *arg)
{
    plasma_ledger *l = arg;
    plasma_kv_batch *b = l->commit_batch;
    pthread_mutex_lock(&l->mu);
    for (;;) {
        if (!l->stop)
            timer_rollover_locked(l);
        bool work = l->q_head || (l->closing && !l->failed);
        if (work) {
            one_round(l, b);
            continue;
        }
        if (l->stop)
            break;
        wait_for_work_locked(l);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}
