/* Acceptance of submitted transactions: stateless decoding and hashing, then
 * owner lookup, signature checks and the ledger rules of PROTOCOL §3.
 *
 * The expensive part (signatures) runs without the ledger lock: owners are
 * read under the lock, signatures are checked outside it (in parallel for a
 * batch), and the lock is taken again to re-check the inputs and apply. The
 * owner of a position never changes, so a signature checked against it stays
 * valid; only spentness can change in between, and it is checked again. */
#include <stdlib.h>
#include <string.h>

#include "ledger_int.h"
#include "plasma/err.h"
#include "plasma/keccak.h"
#include "plasma/merkle.h"
#include "plasma/rules.h"
#include "plasma/u256.h"

typedef struct prep {
    plasma_tx tx;
    plasma_hash txhash;
    plasma_hash leaf;
    plasma_hash digest;
    const uint8_t *rlp;
    size_t rlp_len;
    plasma_addr owner[PLASMA_MAX_INPUTS];
    bool checked[PLASMA_MAX_INPUTS]; /* signature of input i verified */
    bool skip_owner;                 /* development: owners are not checked */
    int err;
    uint64_t seq;
    uint64_t blknum;
    uint32_t txindex;
} prep;

typedef struct batch {
    plasma_ledger *l;
    prep *p;
    const plasma_tx_bytes *txs;
    size_t n;
} batch;

/* Transactions prepared together: their hashes go through the vectorised
 * Keccak side by side (plasma_keccak256_many). */
#define PREP_CHUNK 16

/* Decodes p[i] from txs[i] for i < n and computes its txhash, Merkle leaf and
 * EIP-712 digest, or sets p[i].err. The unsigned encodings are laid out in
 * one buffer as 0x00 ‖ rlp(UnsignedTx): the leaf hashes the whole, the
 * txhash all but the prefix byte. */
static void prepare_many(prep *p, const plasma_domain *domain, const plasma_tx_bytes *txs, size_t n)
{
    plasma_buf ub = {0};
    size_t start[PREP_CHUNK], end[PREP_CHUNK], ok[PREP_CHUNK], m = 0;
    for (size_t i = 0; i < n; i++) {
        p[i].rlp = txs[i].data;
        p[i].rlp_len = txs[i].len;
        p[i].err = plasma_tx_decode_signed(&p[i].tx, txs[i].data, txs[i].len);
        if (p[i].err < 0)
            continue;
        static const uint8_t leaf_prefix = PLASMA_MERKLE_LEAF_PREFIX;
        start[m] = ub.len;
        plasma_buf_append(&ub, &leaf_prefix, 1);
        if ((p[i].err = plasma_tx_encode_unsigned(&ub, &p[i].tx)) < 0) {
            ub.len = start[m];
            continue;
        }
        end[m] = ub.len;
        ok[m++] = i;
    }
    if (ub.failed) {
        for (size_t i = 0; i < n; i++)
            if (p[i].err == 0)
                p[i].err = PLASMA_ERR_NOMEM;
        plasma_buf_free(&ub);
        return;
    }
    const uint8_t *msgs[2 * PREP_CHUNK] = {0};
    size_t lens[2 * PREP_CHUNK] = {0};
    plasma_hash h[2 * PREP_CHUNK];
    const plasma_tx *tx[PREP_CHUNK];
    for (size_t k = 0; k < m; k++) {
        msgs[2 * k] = ub.data + start[k] + 1;
        lens[2 * k] = end[k] - start[k] - 1;
        msgs[2 * k + 1] = ub.data + start[k];
        lens[2 * k + 1] = end[k] - start[k];
        tx[k] = &p[ok[k]].tx;
    }
    plasma_keccak256_many(h, msgs, lens, 2 * m);
    for (size_t k = 0; k < m; k++) {
        p[ok[k]].txhash = h[2 * k];
        p[ok[k]].leaf = h[2 * k + 1];
    }
    plasma_eip712_digest_many(h, domain, tx, m);
    for (size_t k = 0; k < m; k++)
        p[ok[k]].digest = h[k];
    plasma_buf_free(&ub);
}

int op_lookup_locked(plasma_ledger *l, uint64_t pos, op_utxo_rec *rec, op_ustate *state)
{
    if (op_uidx_get(&l->uidx, pos, rec, state))
        return *state == OP_U_PENDING_SPENT ? PLASMA_ERR_UTXO_SPENT : PLASMA_OK;
    if (!l->uidx.complete) {
        int rc = op_store_get_utxo(l->store, pos, rec);
        if (rc == 0) {
            *state = OP_U_UNSPENT;
            /* Caching is an optimisation: a failure to allocate only means
             * the next lookup reads the store again. */
            (void)op_uidx_cache(&l->uidx, pos, rec);
            return PLASMA_OK;
        }
        if (rc != PLASMA_ERR_NOT_FOUND)
            return rc;
    }
    return op_store_why_not_unspent(l->store, pos);
}

/* Reads the owners of the inputs that exist now (mu held). Missing ones are
 * left for apply: an earlier transaction of the same batch may create them. */
static void resolve_locked(plasma_ledger *l, prep *p)
{
    for (unsigned i = 0; i < p->tx.n_inputs; i++) {
        op_utxo_rec rec;
        op_ustate st;
        if (op_lookup_locked(l, p->tx.inputs[i], &rec, &st) == 0)
            p->owner[i] = rec.owner;
        else
            memset(&p->owner[i], 0, sizeof p->owner[i]);
    }
}

static int check_sig(plasma_ledger *l, prep *p, unsigned i)
{
    op_sig_mode mode = l->cfg.sig_verify_cached ? OP_SIG_VERIFY_CACHED : OP_SIG_RECOVER;
    int rc = op_sig_check_owner(l->pubkeys, mode, &p->digest, &p->tx.sigs[i], &p->owner[i]);
    if (rc == 0)
        p->checked[i] = true;
    return rc;
}

static void verify_resolved(plasma_ledger *l, prep *p)
{
    if (p->skip_owner)
        return;
    for (unsigned i = 0; i < p->tx.n_inputs && p->err == 0; i++)
        if (!plasma_addr_is_zero(&p->owner[i]))
            p->err = check_sig(l, p, i);
}

/* --- applying --- */

static int read_inputs_locked(plasma_ledger *l, prep *p, op_utxo_rec *ins, op_ustate *states)
{
    for (unsigned i = 0; i < p->tx.n_inputs; i++) {
        int rc = op_lookup_locked(l, p->tx.inputs[i], &ins[i], &states[i]);
        if (rc < 0)
            return rc;
        if (!p->checked[i] && !p->skip_owner) {
            /* Created by an earlier tx of this batch: checked here, under the
             * lock, as this rare case does not justify another round. */
            p->owner[i] = ins[i].owner;
            rc = check_sig(l, p, i);
            if (rc < 0)
                return rc;
        }
    }
    return PLASMA_OK;
}

static commit_rec *make_tx_rec(const prep *p, const plasma_fee *fee)
{
    commit_rec *r = calloc(1, sizeof *r + p->rlp_len);
    if (!r)
        return NULL;
    r->kind = REC_TX;
    r->tx = p->tx;
    r->txhash = p->txhash;
    r->leaf = p->leaf;
    r->fee_token = fee->token;
    r->fee = fee->amount;
    r->rlp_len = p->rlp_len;
    memcpy(r->rlp, p->rlp, p->rlp_len);
    return r;
}

static int update_index_locked(plasma_ledger *l, const commit_rec *r, const op_utxo_rec *ins,
                               const op_ustate *states)
{
    for (unsigned i = 0; i < r->tx.n_inputs; i++) {
        if (states[i] == OP_U_UNSPENT || states[i] == OP_U_PENDING_NEW) {
            if (op_uidx_set_state(&l->uidx, r->tx.inputs[i], OP_U_PENDING_SPENT))
                continue;
        }
        int rc = op_uidx_put(&l->uidx, r->tx.inputs[i], &ins[i], OP_U_PENDING_SPENT);
        if (rc < 0)
            return rc;
    }
    for (unsigned o = 0; o < r->tx.n_outputs; o++) {
        op_utxo_rec out = {r->tx.outputs[o].owner, r->tx.outputs[o].token, r->tx.outputs[o].amount};
        int rc = op_uidx_put(&l->uidx, plasma_utxo_pos(r->blknum, r->txindex, o), &out, OP_U_PENDING_NEW);
        if (rc < 0)
            return rc;
    }
    return PLASMA_OK;
}

/* The rules of PROTOCOL §3 on the inputs as they are now. Out: *fee. */
static int check_rules_locked(plasma_ledger *l, prep *p, op_utxo_rec *ins, op_ustate *states, plasma_fee *fee)
{
    int rc = read_inputs_locked(l, p, ins, states);
    if (rc < 0)
        return rc;
    plasma_output spent[PLASMA_MAX_INPUTS];
    for (unsigned i = 0; i < p->tx.n_inputs; i++)
        spent[i] = (plasma_output){ins[i].owner, ins[i].token, ins[i].amount};
    return plasma_rules_check_amounts(fee, &p->tx, spent, &l->fee_policy);
}

static int apply_locked(plasma_ledger *l, prep *p)
{
    op_wait_unheld_locked(l);
    if (l->failed)
        return l->failed;
    op_utxo_rec ins[PLASMA_MAX_INPUTS];
    op_ustate states[PLASMA_MAX_INPUTS];
    plasma_fee fee;
    int rc = check_rules_locked(l, p, ins, states, &fee);
    if (rc < 0)
        return rc;
    if (!op_block_has_room(l->open, l->cfg.block_capacity, &fee) && (rc = op_rollover_locked(l)) < 0)
        return rc;
    commit_rec *r = make_tx_rec(p, &fee);
    if (!r)
        return PLASMA_ERR_NOMEM;
    if ((rc = op_block_add(l->open, &p->leaf, &fee)) < 0) {
        free(r);
        return rc;
    }
    r->blknum = l->open->blknum;
    r->txindex = l->open->n_payments - 1;
    rc = update_index_locked(l, r, ins, states);
    if (rc < 0) {
        /* The index is now partly updated: nothing can be trusted until a
         * restart rebuilds it from the store. */
        l->failed = rc;
        free(r);
        return rc;
    }
    p->blknum = r->blknum;
    p->txindex = r->txindex;
    op_enqueue_locked(l, r);
    p->seq = r->seq;
    return PLASMA_OK;
}

/* --- entry points --- */

static void prep_job(void *arg, size_t chunk)
{
    batch *b = arg;
    size_t from = chunk * PREP_CHUNK, m = b->n - from < PREP_CHUNK ? b->n - from : PREP_CHUNK;
    prepare_many(b->p + from, &b->l->cfg.domain, b->txs + from, m);
}

static void verify_job(void *arg, size_t i)
{
    batch *b = arg;
    if (b->p[i].err == 0)
        verify_resolved(b->l, &b->p[i]);
}

static void count_result(plasma_ledger *l, int err)
{
    if (err == 0)
        atomic_fetch_add(&l->accepted, 1);
    else if (err < 0 && err > -64)
        atomic_fetch_add(&l->rejected[-err], 1);
}

static void run_batch(plasma_ledger *l, prep *p, const plasma_tx_bytes *txs, size_t n)
{
    batch b = {l, p, txs, n};
    op_pool_run(l->pool, (n + PREP_CHUNK - 1) / PREP_CHUNK, prep_job, &b);
    pthread_mutex_lock(&l->mu);
    for (size_t i = 0; i < n; i++)
        if (p[i].err == 0)
            resolve_locked(l, &p[i]);
    pthread_mutex_unlock(&l->mu);
    op_pool_run(l->pool, n, verify_job, &b);

    uint64_t last = 0;
    pthread_mutex_lock(&l->mu);
    for (size_t i = 0; i < n; i++) {
        if (p[i].err == 0)
            p[i].err = apply_locked(l, &p[i]);
        if (p[i].err == 0)
            last = p[i].seq;
    }
    int rc = last ? op_wait_durable_locked(l, last) : 0;
    pthread_mutex_unlock(&l->mu);
    for (size_t i = 0; i < n; i++) {
        if (p[i].err == 0 && rc < 0)
            p[i].err = rc;
        count_result(l, p[i].err);
    }
}

void plasma_ledger_submit_batch(plasma_ledger *l, plasma_ledger_receipt *out, int *errs,
                                const plasma_tx_bytes *txs, size_t n)
{
    prep *p = calloc(n ? n : 1, sizeof *p);
    if (!p) {
        for (size_t i = 0; i < n; i++)
            errs[i] = PLASMA_ERR_NOMEM;
        return;
    }
    run_batch(l, p, txs, n);
    for (size_t i = 0; i < n; i++) {
        errs[i] = p[i].err;
        if (p[i].err == 0)
            out[i] = (plasma_ledger_receipt){p[i].txhash, p[i].blknum, p[i].txindex};
    }
    free(p);
}

static int submit_one(plasma_ledger *l, plasma_ledger_receipt *out, const uint8_t *rlp, size_t len,
                      bool skip_owner)
{
    prep p;
    memset(&p, 0, sizeof p);
    p.skip_owner = skip_owner;
    plasma_tx_bytes tx = {rlp, len};
    run_batch(l, &p, &tx, 1);
    if (p.err == 0)
        *out = (plasma_ledger_receipt){p.txhash, p.blknum, p.txindex};
    return p.err;
}

int plasma_ledger_submit(plasma_ledger *l, plasma_ledger_receipt *out, const uint8_t *rlp, size_t len)
{
    return submit_one(l, out, rlp, len, false);
}

int plasma_ledger_submit_unchecked_owner(plasma_ledger *l, plasma_ledger_receipt *out, const uint8_t *rlp,
                                         size_t len)
{
    return submit_one(l, out, rlp, len, true);
}
