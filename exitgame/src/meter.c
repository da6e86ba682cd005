/* The gas meter and the metered primitives every call is made of
 * (docs/gas.md): storage slots read and written, Keccak words, ecrecover,
 * logs. Each contract step charges through these, so that the schedule
 * can be calibrated in one place. */
#include "internal.h"

#define MERKLE_NODE_BYTES 65 /* 0x01 ‖ left ‖ right */

int eg_gas(eg_exec *ex, uint64_t amount)
{
    if (amount > ex->gas_limit - ex->gas_used) {
        ex->gas_used = ex->gas_limit;
        return PLASMA_ERR_OUT_OF_GAS;
    }
    ex->gas_used += amount;
    return PLASMA_OK;
}

int eg_gas_sload(eg_exec *ex, uint64_t slots)
{
    return eg_gas(ex, slots * PLASMA_GAS_SLOAD);
}

int eg_gas_sstore(eg_exec *ex, uint64_t new_slots, uint64_t updated_slots)
{
    return eg_gas(ex, new_slots * PLASMA_GAS_SSTORE_NEW + updated_slots * PLASMA_GAS_SSTORE_UPDATE);
}

uint64_t eg_keccak_cost(size_t len)
{
    return PLASMA_GAS_KECCAK + PLASMA_GAS_KECCAK_WORD * ((len + 31) / 32);
}

uint64_t eg_inclusion_cost(size_t tx_len)
{
    return eg_keccak_cost(1 + tx_len) + PLASMA_MERKLE_DEPTH * eg_keccak_cost(MERKLE_NODE_BYTES);
}

/* Keccak work of the EIP-712 digest of tx: one hashStruct per input and
 * output, the two array hashes, the Transaction struct and the final
 * digest (the domain separator is a constant). */
uint64_t eg_eip712_cost(const plasma_tx *tx)
{
    return tx->n_inputs * eg_keccak_cost(4 * 32) + eg_keccak_cost(32u * tx->n_inputs) +
           tx->n_outputs * eg_keccak_cost(5 * 32) + eg_keccak_cost(32u * tx->n_outputs) +
           eg_keccak_cost(5 * 32) + eg_keccak_cost(2 + 2 * 32);
}

int eg_gas_heap(eg_exec *ex, const eg_heap_cost *cost)
{
    int rc = eg_gas_sload(ex, cost->reads);
    return rc ? rc : eg_gas_sstore(ex, cost->writes_new, cost->writes_update);
}

int eg_emit(eg_exec *ex, plasma_event *ev, unsigned topics, size_t data_bytes)
{
    int rc = eg_gas(ex, PLASMA_GAS_LOG + topics * PLASMA_GAS_LOG_TOPIC + data_bytes * PLASMA_GAS_LOG_BYTE);
    if (rc != 0)
        return rc;
    ev->block_number = ex->block_number;
    ev->call_index = ex->call_index;
    return eg_push_event(ex->c, ev);
}

/* ---- metered steps shared by the exits ---- */

int eg_block_get(eg_exec *ex, uint64_t blknum, const eg_pblock **out)
{
    int rc = eg_gas_sload(ex, EG_BLOCK_SLOTS);
    if (rc != 0)
        return rc;
    uint32_t r = eg_table_find(&ex->c->t[EG_T_PBLOCK], &blknum);
    if (blknum == 0 || r == EG_NONE)
        return PLASMA_ERR_BLOCK_NOT_FOUND;
    *out = eg_table_at(&ex->c->t[EG_T_PBLOCK], r);
    return PLASMA_OK;
}

int eg_check_inclusion(eg_exec *ex, const eg_pblock *blk, uint64_t txindex, const uint8_t *utx, size_t len,
                       const uint8_t *proof)
{
    if (txindex >= PLASMA_MERKLE_LEAVES)
        return PLASMA_ERR_BAD_PROOF;
    int rc = eg_gas(ex, eg_inclusion_cost(len));
    if (rc != 0)
        return rc;
    plasma_hash leaf;
    plasma_merkle_leaf(&leaf, utx, len);
    if (!plasma_merkle_verify(&blk->root, &leaf, txindex, proof, PLASMA_MERKLE_PROOF_LEN))
        return PLASMA_ERR_BAD_PROOF;
    return PLASMA_OK;
}

int eg_output_id(eg_exec *ex, plasma_hash *out, const uint8_t *utx, size_t len, bool has_inputs,
                 uint32_t oindex, uint64_t utxo_pos)
{
    int rc = eg_gas(ex, eg_keccak_cost(len + (has_inputs ? 32 : 64)));
    if (rc == 0)
        plasma_output_id(out, utx, len, has_inputs, oindex, utxo_pos);
    return rc;
}

int eg_tx_digest(eg_exec *ex, const plasma_tx *tx, plasma_hash *out)
{
    int rc = eg_gas(ex, eg_eip712_cost(tx));
    if (rc == 0)
        plasma_eip712_digest(out, &ex->c->eip712, tx);
    return rc;
}

int eg_recover(eg_exec *ex, const plasma_hash *digest, const plasma_sig *sig, plasma_addr *signer)
{
    int rc = eg_gas(ex, PLASMA_GAS_ECRECOVER);
    if (rc != 0)
        return rc;
    return plasma_recover(signer, digest, sig) == 0 ? PLASMA_OK : PLASMA_ERR_BAD_SIGNATURE;
}

int eg_finalized_get(eg_exec *ex, const plasma_hash *output_id, plasma_u256 *by)
{
    int rc = eg_gas_sload(ex, 1);
    if (rc != 0)
        return rc;
    uint32_t r = eg_table_find(&ex->c->t[EG_T_FINAL], output_id);
    *by = r == EG_NONE ? plasma_u256_from_u64(0)
                       : ((const eg_final *)eg_table_at(&ex->c->t[EG_T_FINAL], r))->by;
    return PLASMA_OK;
}

int eg_finalized_set(eg_exec *ex, const plasma_hash *output_id, const plasma_u256 *by)
{
    uint32_t r;
    int rc = eg_gas_sstore(ex, 1, 0);
    if (rc == 0)
        rc = eg_create(ex->c, EG_T_FINAL, output_id, &r);
    if (rc == 0)
        ((eg_final *)eg_table_at(&ex->c->t[EG_T_FINAL], r))->by = *by;
    return rc;
}

/* ---- the queues ---- */

int eg_enqueue(eg_exec *ex, const plasma_addr *token, const eg_node *node)
{
    plasma_chain *c = ex->c;
    int rc = eg_gas_sload(ex, 1);
    uint32_t q;
    if (rc == 0)
        rc = eg_queue_get(c, token, true, &q);
    if (rc != 0)
        return rc;
    eg_heap *h = &((eg_queue *)eg_table_at(&c->t[EG_T_QUEUE], q))->heap;
    bool size_was_zero = h->n == 0;
    eg_heap_cost cost = {0, 0, 0};
    rc = eg_heap_push(h, node, &cost);
    if (rc != 0)
        return rc;
    rc = eg_journal_heap(c, EG_J_PUSH, q, node);
    if (rc != 0) {
        eg_heap_remove(h, node);
        return rc;
    }
    rc = eg_gas_heap(ex, &cost);
    return rc ? rc : eg_gas_sstore(ex, size_was_zero ? 1 : 0, size_was_zero ? 0 : 1);
}
