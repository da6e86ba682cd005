/* Metered steps the calls share, each the translation of a piece of the
 * contract (contracts/src/PlasmaRootChain.sol and its libraries): the
 * slots it reads and writes, its hashing, its calls out, its code. */
#include "internal.h"

/* Code of Merkle.verify besides its hashes: the leaf's bytes copied into
 * memory, the 16 levels' loop. */
#define CPU_VERIFY 3400
#define CPU_VERIFY_WORD 25
/* abi.encodePacked of the tx and the index words before the keccak. */
#define CPU_OUTPUT_ID 270
/* PaymentTx.digest: 1,906 + 617 per input + 667 per output, keccak
 * included (gasfit.js). */
#define CPU_DIGEST 1906
#define CPU_DIGEST_INPUT 617
#define CPU_DIGEST_OUTPUT 667
/* PaymentTx.signer: ecrecover's call (3,000 + 100 for the warm precompile)
 * and the code around it. */
#define CPU_SIGNER 3352
/* The transient lock of nonReentrant: TLOAD, TSTORE, and TSTORE at the end. */
#define GAS_LOCK 300
/* ExitQueue's code around each slot a push or pop reads or writes: the
 * entry built in memory, the comparison, the move. */
#define CPU_HEAP_ACCESS 400

int eg_lock(eg_exec *ex)
{
    return eg_gas(ex, GAS_LOCK);
}

/* ---- records ---- */

static uint64_t exit_slot(uint64_t pos, unsigned w)
{
    uint8_t k[8];
    eg_put_u64(k, pos);
    return eg_slot(EG_S_EXIT, k, sizeof k, w);
}

int eg_exit_load(eg_exec *ex, const eg_exit *e, unsigned w)
{
    return eg_sload(ex, exit_slot(e->utxo_pos, w), eg_word_exit(e, w));
}

int eg_exit_store(eg_exec *ex, const eg_exit *before, const eg_exit *after, unsigned from, unsigned to)
{
    int rc = PLASMA_OK;
    for (unsigned w = from; w < to && rc == 0; w++)
        rc = eg_sstore(ex, exit_slot(after->utxo_pos, w), eg_word_exit(before, w), eg_word_exit(after, w));
    return rc;
}

int eg_ife_load(eg_exec *ex, const eg_ife *f, unsigned w)
{
    return eg_sload(ex, eg_slot(EG_S_IFE, f->id, 32, w), eg_word_ife(f, w));
}

int eg_ife_store(eg_exec *ex, const eg_ife *before, const eg_ife *after, unsigned from, unsigned to)
{
    int rc = PLASMA_OK;
    for (unsigned w = from; w < to && rc == 0; w++)
        rc =
            eg_sstore(ex, eg_slot(EG_S_IFE, after->id, 32, w), eg_word_ife(before, w), eg_word_ife(after, w));
    return rc;
}

/* ---- blocks and inclusion ---- */

int eg_block_get(eg_exec *ex, uint64_t blknum, const eg_pblock **out)
{
    uint8_t k[8];
    eg_put_u64(k, blknum);
    uint32_t r = eg_table_find(&ex->c->t[EG_T_PBLOCK], &blknum);
    const eg_pblock *b = r == EG_NONE ? NULL : eg_table_at(&ex->c->t[EG_T_PBLOCK], r);
    int rc = eg_sload(ex, eg_slot(EG_S_BLOCK, k, sizeof k, 0), b ? eg_word_hash(&b->root) : 0);
    if (rc == 0)
        rc = eg_sload(ex, eg_slot(EG_S_BLOCK, k, sizeof k, 1), b ? eg_word_u64(b->timestamp) : 0);
    if (rc != 0)
        return rc;
    if (blknum == 0 || !b)
        return PLASMA_ERR_BLOCK_NOT_FOUND;
    *out = b;
    return PLASMA_OK;
}

int eg_check_inclusion(eg_exec *ex, const eg_pblock *blk, uint64_t txindex, const uint8_t *utx, size_t len,
                       const uint8_t *proof)
{
    if (txindex >= PLASMA_MERKLE_LEAVES)
        return PLASMA_ERR_BAD_PROOF;
    int rc = eg_gas(ex, CPU_VERIFY + CPU_VERIFY_WORD * ((len + 31) / 32));
    if (rc == 0)
        rc = eg_keccak(ex, 1 + len);
    for (unsigned i = 0; i < PLASMA_MERKLE_DEPTH && rc == 0; i++)
        rc = eg_keccak(ex, 65); /* 0x01 ‖ left ‖ right */
    if (rc != 0)
        return rc;
    plasma_hash leaf;
    plasma_merkle_leaf(&leaf, utx, len);
    if (!plasma_merkle_verify(&blk->root, &leaf, txindex, proof, PLASMA_MERKLE_PROOF_LEN))
        return PLASMA_ERR_BAD_PROOF;
    return PLASMA_OK;
}

/* ---- ids, digests, signatures, flags ---- */

int eg_output_id(eg_exec *ex, plasma_hash *out, const uint8_t *utx, size_t len, bool has_inputs,
                 uint32_t oindex, uint64_t utxo_pos)
{
    int rc = eg_gas(ex, CPU_OUTPUT_ID);
    if (rc == 0)
        rc = eg_keccak(ex, len + (has_inputs ? 32 : 64));
    if (rc == 0)
        plasma_output_id(out, utx, len, has_inputs, oindex, utxo_pos);
    return rc;
}

int eg_tx_digest(eg_exec *ex, const plasma_tx *tx, plasma_hash *out)
{
    int rc = eg_gas(ex, CPU_DIGEST + CPU_DIGEST_INPUT * tx->n_inputs + CPU_DIGEST_OUTPUT * tx->n_outputs);
    if (rc == 0)
        plasma_eip712_digest(out, &ex->c->eip712, tx);
    return rc;
}

int eg_recover(eg_exec *ex, const plasma_hash *digest, const plasma_sig *sig, plasma_addr *signer)
{
    int rc = eg_gas(ex, CPU_SIGNER);
    if (rc != 0)
        return rc;
    /* ecrecover answers the zero address when nothing recovers, which no
     * owner is. */
    if (plasma_recover(signer, digest, sig) != 0)
        memset(signer->b, 0, sizeof signer->b);
    return PLASMA_OK;
}

static const eg_final *final_find(const plasma_chain *c, const plasma_hash *output_id)
{
    uint32_t r = eg_table_find(&c->t[EG_T_FINAL], output_id);
    return r == EG_NONE ? NULL : eg_table_at(&c->t[EG_T_FINAL], r);
}

int eg_finalized_get(eg_exec *ex, const plasma_hash *output_id, plasma_u256 *by)
{
    const eg_final *f = final_find(ex->c, output_id);
    *by = f ? f->by : plasma_u256_from_u64(0);
    return eg_sload(ex, eg_slot(EG_S_FINAL, output_id->b, 32, 0), eg_word_u256(by));
}

int eg_finalized_set(eg_exec *ex, const plasma_hash *output_id, const plasma_u256 *by)
{
    const eg_final *f = final_find(ex->c, output_id);
    plasma_u256 old = f ? f->by : plasma_u256_from_u64(0);
    int rc = eg_sstore(ex, eg_slot(EG_S_FINAL, output_id->b, 32, 0), eg_word_u256(&old), eg_word_u256(by));
    uint32_t r = eg_table_find(&ex->c->t[EG_T_FINAL], output_id);
    if (rc == 0)
        rc = r == EG_NONE ? eg_create(ex->c, EG_T_FINAL, output_id, &r) : eg_touch(ex->c, EG_T_FINAL, r);
    if (rc == 0)
        ((eg_final *)eg_table_at(&ex->c->t[EG_T_FINAL], r))->by = *by;
    return rc;
}

/* ---- the queues ---- */

static uint64_t size_slot(const plasma_addr *token)
{
    return eg_slot(EG_S_QSIZE, token->b, 20, 0);
}

/* Applies a push or pop already made to queue q: journal, gas. */
static int queue_changed(eg_exec *ex, uint32_t q)
{
    plasma_chain *c = ex->c;
    eg_queue *queue = eg_table_at(&c->t[EG_T_QUEUE], q);
    const eg_heap_trace *tr = &c->trace;
    int rc = eg_journal_heap(c, q, tr);
    if (rc != 0) {
        eg_heap_unwind(&queue->heap, tr);
        return rc;
    }
    rc = eg_sstore(ex, size_slot(&queue->token), eg_word_u64(tr->n_before), eg_word_u64(queue->heap.n));
    if (rc == 0)
        rc = eg_heap_gas(ex, &queue->token, tr);
    return rc ? rc : eg_gas(ex, CPU_HEAP_ACCESS * tr->n_ops);
}

int eg_enqueue(eg_exec *ex, const plasma_addr *token, const eg_node *node)
{
    plasma_chain *c = ex->c;
    uint32_t q;
    int rc = eg_queue_get(c, token, true, &q);
    if (rc != 0)
        return rc;
    eg_heap *h = &((eg_queue *)eg_table_at(&c->t[EG_T_QUEUE], q))->heap;
    rc = eg_sload(ex, size_slot(token), eg_word_u64(h->n));
    if (rc == 0)
        rc = eg_heap_push(h, node, &c->trace);
    return rc ? rc : queue_changed(ex, q);
}

int eg_dequeue(eg_exec *ex, uint32_t q, eg_node *head)
{
    plasma_chain *c = ex->c;
    eg_queue *queue = eg_table_at(&c->t[EG_T_QUEUE], q);
    *head = queue->heap.a[0];
    int rc = eg_sload(ex, size_slot(&queue->token), eg_word_u64(queue->heap.n));
    if (rc == 0)
        rc = eg_heap_pop(&queue->heap, &c->trace);
    return rc ? rc : queue_changed(ex, q);
}
