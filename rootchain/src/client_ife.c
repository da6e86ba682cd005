/* Sending the exit game's calls through the node's API: each function
 * builds its call from decoded transactions, takes the domain, the
 * sender's next nonce and the configured bonds from the node, signs and
 * submits. Waiting for the receipt is the caller's choice. */
#include <string.h>

#include "internal.h"

#define DEFAULT_GAS_PRICE 1000000000u /* 1 gwei */

int plasma_rootchain_client_call(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                 plasma_call *call, plasma_hash *call_hash)
{
    plasma_rootchain_status st;
    plasma_addr from;
    uint64_t nonce, next;
    if (plasma_privkey_addr(&from, s->key) != 0)
        return PLASMA_ERR_BAD_REQUEST;
    int rc = plasma_rootchain_client_status(c, &st);
    if (rc == PLASMA_OK)
        rc = plasma_rootchain_client_nonce(c, &from, &nonce, &next);
    if (rc != PLASMA_OK)
        return rc;
    plasma_call_domain dom = {st.chain_id, st.contract};
    call->from = from;
    call->nonce = next;
    call->gas_price = s->gas_price ? s->gas_price : DEFAULT_GAS_PRICE;
    call->gas_limit = s->gas_limit ? s->gas_limit : plasma_call_default_gas_limit(call);
    return plasma_rootchain_client_send(c, &dom, call, s->key, call_hash, NULL);
}

/* The bond a call of kind must carry, from the node's settings. */
static int bond_of(plasma_rootchain_client *c, plasma_call_kind kind, plasma_u256 *out)
{
    plasma_rootchain_status st;
    int rc = plasma_rootchain_client_status(c, &st);
    if (rc == PLASMA_OK)
        *out = kind == PLASMA_CALL_START_IFE ? st.ife_bond : st.piggyback_bond;
    return rc;
}

int plasma_rootchain_build_start_ife(plasma_call *call, const plasma_tx *tx, const plasma_tx *input_txs,
                                     const uint8_t (*input_proofs)[PLASMA_MERKLE_PROOF_LEN])
{
    plasma_call_init(call, PLASMA_CALL_START_IFE, NULL, 0, 0, 0);
    plasma_call_start_ife *a = &call->start_ife;
    int rc = plasma_call_tx_encode(&a->tx, tx, true);
    a->n_input_txs = a->n_input_pos = a->n_input_proofs = tx->n_inputs;
    for (unsigned i = 0; rc == PLASMA_OK && i < tx->n_inputs; i++) {
        rc = plasma_call_tx_encode(&a->input_txs[i], &input_txs[i], false);
        a->input_pos[i] = tx->inputs[i];
        memcpy(a->input_proofs[i], input_proofs[i], PLASMA_MERKLE_PROOF_LEN);
    }
    return rc;
}

int plasma_rootchain_client_start_ife(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                      const plasma_tx *tx, const plasma_tx *input_txs,
                                      const uint8_t (*input_proofs)[PLASMA_MERKLE_PROOF_LEN],
                                      plasma_hash *call_hash)
{
    plasma_call call;
    int rc = plasma_rootchain_build_start_ife(&call, tx, input_txs, input_proofs);
    if (rc == PLASMA_OK)
        rc = bond_of(c, PLASMA_CALL_START_IFE, &call.start_ife.bond);
    return rc ? rc : plasma_rootchain_client_call(c, s, &call, call_hash);
}

int plasma_rootchain_build_piggyback(plasma_call *call, const plasma_tx *tx, bool on_input, unsigned index)
{
    plasma_call_init(call, on_input ? PLASMA_CALL_PIGGYBACK_INPUT : PLASMA_CALL_PIGGYBACK_OUTPUT, NULL, 0, 0,
                     0);
    call->piggyback.index = index;
    return plasma_call_tx_encode(&call->piggyback.tx, tx, true);
}

int plasma_rootchain_client_piggyback(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                      const plasma_tx *tx, bool on_input, unsigned index,
                                      plasma_hash *call_hash)
{
    plasma_call call;
    int rc = plasma_rootchain_build_piggyback(&call, tx, on_input, index);
    if (rc == PLASMA_OK)
        rc = bond_of(c, call.kind, &call.piggyback.bond);
    return rc ? rc : plasma_rootchain_client_call(c, s, &call, call_hash);
}

static void set_proof(plasma_call_proof *out, const uint8_t *proof)
{
    out->len = proof ? PLASMA_MERKLE_PROOF_LEN : 0;
    if (proof)
        memcpy(out->b, proof, PLASMA_MERKLE_PROOF_LEN);
}

int plasma_rootchain_build_challenge_ife(plasma_call *call, const plasma_tx *tx, unsigned input_index,
                                         const plasma_tx *competitor, unsigned competing_input_index,
                                         uint64_t competitor_pos, const uint8_t *competitor_proof)
{
    plasma_call_init(call, PLASMA_CALL_CHALLENGE_IFE, NULL, 0, 0, 0);
    plasma_call_challenge_ife *a = &call->challenge_ife;
    a->input_index = input_index;
    a->competing_input_index = competing_input_index;
    a->competitor_pos = competitor_pos;
    set_proof(&a->competitor_proof, competitor_proof);
    int rc = plasma_call_tx_encode(&a->tx, tx, true);
    return rc ? rc : plasma_call_tx_encode(&a->competing_tx, competitor, true);
}

int plasma_rootchain_client_challenge_ife(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                          const plasma_tx *tx, unsigned input_index,
                                          const plasma_tx *competitor, unsigned competing_input_index,
                                          uint64_t competitor_pos, const uint8_t *competitor_proof,
                                          plasma_hash *call_hash)
{
    plasma_call call;
    int rc = plasma_rootchain_build_challenge_ife(&call, tx, input_index, competitor, competing_input_index,
                                                  competitor_pos, competitor_proof);
    return rc ? rc : plasma_rootchain_client_call(c, s, &call, call_hash);
}

int plasma_rootchain_build_respond_ife(plasma_call *call, const plasma_tx *tx, uint64_t tx_pos,
                                       const uint8_t proof[PLASMA_MERKLE_PROOF_LEN])
{
    plasma_call_init(call, PLASMA_CALL_RESPOND_IFE, NULL, 0, 0, 0);
    call->respond_ife.tx_pos = tx_pos;
    set_proof(&call->respond_ife.proof, proof);
    return plasma_call_tx_encode(&call->respond_ife.tx, tx, true);
}

int plasma_rootchain_client_respond_ife(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                        const plasma_tx *tx, uint64_t tx_pos,
                                        const uint8_t proof[PLASMA_MERKLE_PROOF_LEN], plasma_hash *call_hash)
{
    plasma_call call;
    int rc = plasma_rootchain_build_respond_ife(&call, tx, tx_pos, proof);
    return rc ? rc : plasma_rootchain_client_call(c, s, &call, call_hash);
}

int plasma_rootchain_build_challenge_ife_input(plasma_call *call, const plasma_tx *tx, unsigned input_index,
                                               const plasma_tx *spending, unsigned spending_input_index)
{
    plasma_call_init(call, PLASMA_CALL_CHALLENGE_IFE_INPUT, NULL, 0, 0, 0);
    plasma_call_challenge_ife_input *a = &call->challenge_ife_input;
    a->input_index = input_index;
    a->spending_input_index = spending_input_index;
    int rc = plasma_call_tx_encode(&a->tx, tx, true);
    return rc ? rc : plasma_call_tx_encode(&a->spending_tx, spending, true);
}

int plasma_rootchain_client_challenge_ife_input(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                                const plasma_tx *tx, unsigned input_index,
                                                const plasma_tx *spending, unsigned spending_input_index,
                                                plasma_hash *call_hash)
{
    plasma_call call;
    int rc =
        plasma_rootchain_build_challenge_ife_input(&call, tx, input_index, spending, spending_input_index);
    return rc ? rc : plasma_rootchain_client_call(c, s, &call, call_hash);
}

int plasma_rootchain_build_challenge_ife_output(plasma_call *call, const plasma_tx *tx, uint64_t output_pos,
                                                const uint8_t proof[PLASMA_MERKLE_PROOF_LEN],
                                                const plasma_tx *spending, unsigned spending_input_index)
{
    plasma_call_init(call, PLASMA_CALL_CHALLENGE_IFE_OUTPUT, NULL, 0, 0, 0);
    plasma_call_challenge_ife_output *a = &call->challenge_ife_output;
    a->output_utxo_pos = output_pos;
    a->spending_input_index = spending_input_index;
    set_proof(&a->proof, proof);
    int rc = plasma_call_tx_encode(&a->tx, tx, true);
    return rc ? rc : plasma_call_tx_encode(&a->spending_tx, spending, true);
}

int plasma_rootchain_client_challenge_ife_output(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                                 const plasma_tx *tx, uint64_t output_pos,
                                                 const uint8_t proof[PLASMA_MERKLE_PROOF_LEN],
                                                 const plasma_tx *spending, unsigned spending_input_index,
                                                 plasma_hash *call_hash)
{
    plasma_call call;
    int rc = plasma_rootchain_build_challenge_ife_output(&call, tx, output_pos, proof, spending,
                                                         spending_input_index);
    return rc ? rc : plasma_rootchain_client_call(c, s, &call, call_hash);
}

int plasma_rootchain_client_delete_ife(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                       const plasma_u256 *ife_id, plasma_hash *call_hash)
{
    plasma_call call;
    plasma_call_init(&call, PLASMA_CALL_DELETE_IFE, NULL, 0, 0, 0);
    call.delete_ife.ife_id = *ife_id;
    return plasma_rootchain_client_call(c, s, &call, call_hash);
}

int plasma_rootchain_client_withdraw(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                     const plasma_addr *token, plasma_hash *call_hash)
{
    plasma_call call;
    plasma_call_init(&call, PLASMA_CALL_WITHDRAW, NULL, 0, 0, 0);
    if (token)
        call.withdraw.token = *token;
    return plasma_rootchain_client_call(c, s, &call, call_hash);
}
