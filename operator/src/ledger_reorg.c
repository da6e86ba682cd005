/* Following a root chain that can reorganise (Ethereum): deposits kept with
 * the root-chain block they came from, the chain cursor (a block number and
 * its hash), deposits taken back when that block leaves the chain, and
 * child blocks whose submission it lost.
 *
 * Keys beside store.h's layout:
 *   'd' rc_block8 blknum8  -> ""                    deposit blknum came from rc_block
 *   'm' "cursor.chain"     -> number8 hash32        the chain cursor */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger_int.h"
#include "plasma/err.h"

#define CURSOR_NAME "cursor.chain"
#define ORIGIN_KEY_LEN 17

static void origin_key(uint8_t out[ORIGIN_KEY_LEN], uint64_t rc_block, uint64_t blknum)
{
    out[0] = 'd';
    op_be64(out + 1, rc_block);
    op_be64(out + 9, blknum);
}

void op_put_deposit_origin(plasma_kv_batch *b, uint64_t rc_block, uint64_t blknum)
{
    uint8_t key[ORIGIN_KEY_LEN];
    origin_key(key, rc_block, blknum);
    plasma_kv_batch_put(b, key, sizeof key, NULL, 0);
}

/* --- encoding (the committer) --- */

static void encode_undo(plasma_kv_batch *b, const commit_rec *r)
{
    uint64_t pos = plasma_utxo_pos(r->blknum, 0, 0);
    uint8_t key[ORIGIN_KEY_LEN + 16];
    op_key_utxo(key, pos);
    plasma_kv_batch_del(b, key, 9);
    op_key_spent(key, pos);
    plasma_kv_batch_del(b, key, 9);
    op_key_block(key, r->blknum);
    plasma_kv_batch_del(b, key, 9);
    op_key_blocktx(key, r->blknum, 0);
    plasma_kv_batch_del(b, key, 13);
    op_key_owner(key, &r->tx.outputs[0].owner, pos);
    plasma_kv_batch_del(b, key, 29);
    origin_key(key, r->rc_block, r->blknum);
    plasma_kv_batch_del(b, key, ORIGIN_KEY_LEN);
}

void op_encode_reorg_rec(plasma_kv_batch *b, const commit_rec *r)
{
    if (r->kind == REC_UNDO) {
        encode_undo(b, r);
        return;
    }
    uint8_t key[65], val[40];
    op_be64(val, r->value);
    memcpy(val + 8, r->rc_hash.b, 32);
    plasma_kv_batch_put(b, key, op_key_meta(key, r->name), val, sizeof val);
}

void op_settle_reorg_rec_locked(plasma_ledger *l, const commit_rec *r)
{
    if (r->kind == REC_UNDO)
        op_uidx_del(&l->uidx, plasma_utxo_pos(r->blknum, 0, 0));
}

/* --- the cursor --- */

static commit_rec *cursor_rec(const plasma_ledger_rc_block *at)
{
    commit_rec *r = calloc(1, sizeof *r);
    if (r) {
        r->kind = REC_CURSOR;
        snprintf(r->name, sizeof r->name, "%s", CURSOR_NAME);
        r->value = at->number;
        r->rc_hash = at->hash;
    }
    return r;
}

int plasma_ledger_follow_chain(plasma_ledger *l, const plasma_deposit *deposits, size_t n_deposits,
                               const uint64_t *exits, size_t n_exits, const plasma_ledger_rc_block *at)
{
    commit_rec *c = cursor_rec(at);
    if (!c)
        return PLASMA_ERR_NOMEM;
    return op_follow(l, deposits, n_deposits, exits, n_exits, at->number, c);
}

int plasma_ledger_chain_cursor(plasma_ledger *l, plasma_ledger_rc_block *out)
{
    uint8_t key[65], *val = NULL;
    size_t len = 0;
    int rc = plasma_kv_get(l->store, key, op_key_meta(key, CURSOR_NAME), &val, &len);
    if (rc == 0 && len != 40)
        rc = PLASMA_ERR_IO;
    if (rc == 0) {
        out->number = op_rd64(val);
        memcpy(out->hash.b, val + 8, 32);
    }
    free(val);
    return rc;
}

/* --- taking deposits back --- */

typedef struct undo_list {
    commit_rec **recs;
    size_t n, cap;
} undo_list;

static void undo_list_free(undo_list *u)
{
    for (size_t i = 0; i < u->n; i++)
        free(u->recs[i]);
    free(u->recs);
}

/* A REC_UNDO for the deposit of blknum: its owner read from the deposit
 * transaction the block holds. */
static int undo_rec(plasma_ledger *l, uint64_t rc_block, uint64_t blknum, commit_rec **out)
{
    uint8_t key[13], *val = NULL;
    size_t len = 0;
    op_block_tx t;
    plasma_tx tx;
    op_key_blocktx(key, blknum, 0);
    int rc = plasma_kv_get(l->store, key, sizeof key, &val, &len);
    if (rc == 0 && (op_block_tx_decode(&t, val, len) != 0 ||
                    plasma_tx_decode_block_tx(&tx, t.rlp, t.rlp_len) != 0 || tx.n_outputs != 1))
        rc = PLASMA_ERR_IO;
    commit_rec *r = rc == 0 ? calloc(1, sizeof *r) : NULL;
    if (rc == 0 && !r)
        rc = PLASMA_ERR_NOMEM;
    if (rc == 0) {
        *r = (commit_rec){.kind = REC_UNDO, .blknum = blknum, .rc_block = rc_block, .tx = tx};
        *out = r;
    }
    free(val);
    return rc;
}

/* The deposits recorded from the blocks after ancestor, in key order. */
static int collect_undone(plasma_ledger *l, uint64_t ancestor, undo_list *u)
{
    uint8_t start[9] = {'d'};
    op_be64(start + 1, ancestor + 1);
    plasma_kv_iter *it =
        ancestor < UINT64_MAX ? plasma_kv_iter_new(l->store, "d", 1, start, sizeof start) : NULL;
    int rc = it ? PLASMA_OK : PLASMA_ERR_NOMEM;
    const uint8_t *k, *v;
    size_t klen, vlen;
    while (rc == 0 && plasma_kv_iter_get(it, &k, &klen, &v, &vlen)) {
        commit_rec *r = NULL;
        if (klen != ORIGIN_KEY_LEN)
            rc = PLASMA_ERR_IO;
        else if (plasma_grow((void **)&u->recs, &u->cap, u->n + 1, sizeof *u->recs) < 0)
            rc = PLASMA_ERR_NOMEM;
        else if ((rc = undo_rec(l, op_rd64(k + 1), op_rd64(k + 9), &r)) == 0)
            u->recs[u->n++] = r;
        plasma_kv_iter_next(it);
    }
    if (rc == 0 && it)
        rc = plasma_kv_iter_error(it);
    plasma_kv_iter_free(it);
    return rc;
}

/* Whether the deposit output at pos may be taken back (mu held): it is
 * unspent, exited or gone, not spent by a child-chain transaction (durable
 * or still in the commit queue). */
static int removable_locked(plasma_ledger *l, uint64_t pos)
{
    op_utxo_rec u;
    op_ustate st;
    int rc = op_lookup_locked(l, pos, &u, &st);
    if (rc == 0 || rc == PLASMA_ERR_UTXO_NOT_FOUND)
        return PLASMA_OK;
    if (rc != PLASMA_ERR_UTXO_SPENT)
        return rc;
    if (op_uidx_get(&l->uidx, pos, &u, &st))
        return PLASMA_ERR_UTXO_SPENT; /* a transaction not yet durable */
    uint8_t key[9], *reason = NULL;
    size_t len = 0;
    op_key_spent(key, pos);
    rc = plasma_kv_get(l->store, key, sizeof key, &reason, &len);
    if (rc == 0)
        rc = len == 1 && reason[0] == OP_SPENT_BY_TX ? PLASMA_ERR_UTXO_SPENT : PLASMA_OK;
    free(reason);
    return rc == PLASMA_ERR_NOT_FOUND ? PLASMA_OK : rc;
}

/* Queues the removals and the cursor (mu held); the outputs read as spent
 * until the write is durable, so that no transaction takes one meanwhile. */
static int queue_undo_locked(plasma_ledger *l, undo_list *u, commit_rec *cursor)
{
    int rc = PLASMA_OK;
    for (size_t i = 0; rc == 0 && i < u->n; i++) {
        uint64_t pos = plasma_utxo_pos(u->recs[i]->blknum, 0, 0);
        op_utxo_rec rec = {0};
        if (!op_uidx_set_state(&l->uidx, pos, OP_U_PENDING_SPENT))
            rc = op_uidx_put(&l->uidx, pos, &rec, OP_U_PENDING_SPENT);
    }
    if (rc != 0) {
        free(cursor);
        return rc;
    }
    for (size_t i = 0; i < u->n; i++)
        op_enqueue_locked(l, u->recs[i]);
    u->n = 0;
    op_enqueue_locked(l, cursor);
    return op_wait_durable_locked(l, cursor->seq);
}

int plasma_ledger_undo(plasma_ledger *l, const plasma_ledger_rc_block *ancestor, size_t *removed)
{
    undo_list u = {0};
    commit_rec *cursor = cursor_rec(ancestor);
    int rc = cursor ? collect_undone(l, ancestor->number, &u) : PLASMA_ERR_NOMEM;
    size_t n = u.n;
    pthread_mutex_lock(&l->mu);
    if (rc == 0)
        rc = l->failed;
    for (size_t i = 0; rc == 0 && i < u.n; i++)
        rc = removable_locked(l, plasma_utxo_pos(u.recs[i]->blknum, 0, 0));
    if (rc == 0) {
        rc = queue_undo_locked(l, &u, cursor);
        cursor = NULL;
        if (rc != 0 && !l->failed)
            l->failed = rc;
    }
    pthread_mutex_unlock(&l->mu);
    free(cursor);
    undo_list_free(&u);
    if (rc == 0 && removed)
        *removed = n;
    return rc;
}

/* --- child blocks the chain lost --- */

int plasma_ledger_unsubmit(plasma_ledger *l, uint64_t blknum)
{
    pthread_mutex_lock(&l->mu);
    uint64_t last = l->last_submitted;
    pthread_mutex_unlock(&l->mu);
    if (!plasma_is_child_blknum(blknum) || blknum == 0 || blknum > last)
        return PLASMA_ERR_BAD_REQUEST;
    plasma_kv_batch *b = plasma_kv_batch_new();
    int rc = b ? PLASMA_OK : PLASMA_ERR_NOMEM;
    for (uint64_t n = blknum; rc == 0 && n <= last; n += PLASMA_CHILD_BLOCK_INTERVAL) {
        op_block_hdr h;
        uint8_t key[9], val[OP_BLOCK_HDR_LEN];
        if ((rc = op_store_get_block(l->store, n, &h)) != 0)
            break;
        h.flags &= ~OP_BLOCK_SUBMITTED;
        op_key_block(key, n);
        op_block_hdr_encode(val, &h);
        plasma_kv_batch_put(b, key, sizeof key, val, sizeof val);
    }
    if (rc == 0) {
        op_batch_put_meta_u64(b, "last_submitted", blknum - PLASMA_CHILD_BLOCK_INTERVAL);
        rc = plasma_kv_write(l->store, b, true);
    }
    plasma_kv_batch_free(b);
    if (rc != 0)
        return rc == PLASMA_ERR_NOT_FOUND ? PLASMA_ERR_IO : rc;
    pthread_mutex_lock(&l->mu);
    l->last_submitted = blknum - PLASMA_CHILD_BLOCK_INTERVAL;
    l->n_unsubmitted += (unsigned)((last - blknum) / PLASMA_CHILD_BLOCK_INTERVAL + 1);
    pthread_mutex_unlock(&l->mu);
    return PLASMA_OK;
}
