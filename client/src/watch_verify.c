/* Verifying served blocks (see watch_verify.h). */
#include "watch_verify.h"

#include <stdlib.h>
#include <string.h>

void watch_txs_free(watch_txs *b)
{
    for (size_t i = 0; b->raw && i < b->n; i++)
        free(b->raw[i]);
    free(b->tx);
    free(b->raw);
    free(b->raw_len);
    free(b->leaves);
    memset(b, 0, sizeof *b);
}

/* Decodes one hex tx into slot i of b. Returns 0, PLASMA_ERR_MALFORMED_TX
 * or PLASMA_ERR_NOMEM. */
static int decode_one(watch_txs *b, size_t i, const char *hex)
{
    plasma_buf u = {0};
    int rc;
    if (!hex || plasma_hex_decode_alloc(&b->raw[i], &b->raw_len[i], hex) != 0 ||
        plasma_tx_decode_block_tx(&b->tx[i], b->raw[i], b->raw_len[i]) != 0)
        return PLASMA_ERR_MALFORMED_TX;
    if ((rc = plasma_tx_encode_unsigned(&u, &b->tx[i])) == 0)
        plasma_merkle_leaf(&b->leaves[i], u.data, u.len);
    plasma_buf_free(&u);
    return rc;
}

int watch_txs_decode_json(watch_txs *b, const json_t *txs)
{
    size_t n = json_array_size(txs), slots = n ? n : 1;
    memset(b, 0, sizeof *b);
    if (n > PLASMA_MAX_TXS_PER_BLOCK)
        return PLASMA_ERR_MALFORMED_TX;
    b->n = n;
    b->tx = calloc(slots, sizeof *b->tx);
    b->raw = calloc(slots, sizeof *b->raw);
    b->raw_len = calloc(slots, sizeof *b->raw_len);
    b->leaves = calloc(slots, sizeof *b->leaves);
    if (!b->tx || !b->raw || !b->raw_len || !b->leaves)
        return PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        int rc = decode_one(b, i, json_string_value(json_array_get(txs, i)));
        if (rc)
            return rc;
    }
    return 0;
}

watch_kept_block watch_txs_take(watch_txs *b, uint64_t blknum)
{
    watch_kept_block kb = {
        .blknum = blknum, .n = b->n, .raw = b->raw, .raw_len = b->raw_len, .leaves = b->leaves};
    b->raw = NULL;
    b->raw_len = NULL;
    b->leaves = NULL;
    return kb;
}

/* --- re-execution --- */

/* Per-token balance: Σ outputs of each token ≤ Σ inputs of it. */
static bool amounts_add_up(const plasma_tx *tx, const watch_utxo *in)
{
    for (unsigned k = 0; k < tx->n_outputs; k++) {
        const plasma_addr *token = &tx->outputs[k].token;
        plasma_u256 sum_in = {{0}}, sum_out = {{0}};
        for (unsigned i = 0; i < tx->n_inputs; i++)
            if (plasma_addr_eq(&in[i].out.token, token) &&
                plasma_u256_add(&sum_in, &sum_in, &in[i].out.amount) != 0)
                return false;
        for (unsigned j = 0; j < tx->n_outputs; j++)
            if (plasma_addr_eq(&tx->outputs[j].token, token) &&
                plasma_u256_add(&sum_out, &sum_out, &tx->outputs[j].amount) != 0)
                return false;
        if (plasma_u256_cmp(&sum_out, &sum_in) > 0)
            return false;
    }
    return true;
}

/* Checks a payment against the view. Out: in[] its inputs' entries.
 * Returns NULL when valid, else a one-line reason. */
static const char *check_payment(watch_view *v, const plasma_domain *domain, const plasma_tx *tx,
                                 watch_utxo *in)
{
    plasma_addr signers[PLASMA_MAX_INPUTS];
    if (tx->n_inputs == 0)
        return "a transaction creates outputs without inputs";
    for (unsigned i = 0; i < tx->n_inputs; i++) {
        if (watch_view_get(v, tx->inputs[i], &in[i]) != 0)
            return "a transaction spends an output that does not exist";
        if (in[i].spent)
            return "a transaction spends an output already spent";
    }
    if (plasma_tx_recover_signers(signers, domain, tx) != 0)
        return "a transaction carries an invalid signature";
    for (unsigned i = 0; i < tx->n_inputs; i++)
        if (!plasma_addr_eq(&signers[i], &in[i].out.owner))
            return "a transaction spends an output its signer does not own";
    if (!amounts_add_up(tx, in))
        return "a transaction's outputs exceed its inputs";
    return NULL;
}

/* Stages tx's spends and outputs. */
static int apply_tx(watch_view *v, uint64_t blknum, uint32_t txindex, const plasma_tx *tx)
{
    int rc;
    for (unsigned i = 0; i < tx->n_inputs; i++)
        if ((rc = watch_view_spend(v, tx->inputs[i], blknum, txindex, i)) != 0)
            return rc;
    for (unsigned k = 0; k < tx->n_outputs; k++)
        if ((rc = watch_view_add(v, plasma_utxo_pos(blknum, txindex, k), &tx->outputs[k])) != 0)
            return rc;
    return 0;
}

/* Fees collected in a block, per token. */
typedef struct fee_acc {
    plasma_addr token;
    plasma_u256 amount;
} fee_acc;

static fee_acc *fee_slot(fee_acc *f, size_t *n, const plasma_addr *token)
{
    for (size_t i = 0; i < *n; i++)
        if (plasma_addr_eq(&f[i].token, token))
            return &f[i];
    f[*n] = (fee_acc){.token = *token};
    return &f[(*n)++];
}

/* Σ of token over a payment's inputs (in non-NULL) or outputs (checked: no
 * overflow). */
static plasma_u256 token_sum(const plasma_tx *tx, const watch_utxo *in, const plasma_addr *token)
{
    plasma_u256 sum = {{0}};
    if (in) {
        for (unsigned i = 0; i < tx->n_inputs; i++)
            if (plasma_addr_eq(&in[i].out.token, token))
                plasma_u256_add(&sum, &sum, &in[i].out.amount);
    } else {
        for (unsigned k = 0; k < tx->n_outputs; k++)
            if (plasma_addr_eq(&tx->outputs[k].token, token))
                plasma_u256_add(&sum, &sum, &tx->outputs[k].amount);
    }
    return sum;
}

/* Adds a valid payment's surplus of each input token to the fees. */
static void collect_fees(fee_acc *f, size_t *nf, const plasma_tx *tx, const watch_utxo *in)
{
    for (unsigned i = 0; i < tx->n_inputs; i++) {
        const plasma_addr *token = &in[i].out.token;
        bool seen = false;
        for (unsigned j = 0; j < i; j++)
            seen = seen || plasma_addr_eq(&in[j].out.token, token);
        if (seen)
            continue;
        plasma_u256 sum_in = token_sum(tx, in, token), sum_out = token_sum(tx, NULL, token), surplus;
        fee_acc *slot = fee_slot(f, nf, token);
        if (plasma_u256_sub(&surplus, &sum_in, &sum_out) == 0)
            plasma_u256_add(&slot->amount, &slot->amount, &surplus);
    }
}

/* A fee tx may claim at most what the block's payments left of its token. */
static const char *claim_fee(fee_acc *f, size_t *nf, const plasma_tx *tx)
{
    fee_acc *slot;
    if (tx->n_inputs != 0 || tx->n_outputs != 1)
        return "a fee transaction has inputs or several outputs";
    slot = fee_slot(f, nf, &tx->outputs[0].token);
    if (plasma_u256_sub(&slot->amount, &slot->amount, &tx->outputs[0].amount) != 0)
        return "a fee transaction claims more than the block's fees";
    return NULL;
}

/* Checks one tx against the view and the fees so far. */
static const char *check_block_tx(watch_view *v, const plasma_domain *domain, const plasma_tx *tx, fee_acc *f,
                                  size_t *nf)
{
    watch_utxo in[PLASMA_MAX_INPUTS];
    const char *bad;
    if (tx->tx_type == PLASMA_TX_FEE)
        return claim_fee(f, nf, tx);
    if ((bad = check_payment(v, domain, tx, in)) == NULL)
        collect_fees(f, nf, tx, in);
    return bad;
}

const char *watch_verify_execute(watch_view *v, const plasma_domain *domain, uint64_t blknum,
                                 const watch_txs *b, int *err)
{
    const char *bad = NULL;
    size_t n_fees = 0;
    fee_acc *fees = malloc((b->n ? b->n : 1) * PLASMA_MAX_INPUTS * sizeof *fees);
    *err = 0;
    if (!fees) {
        *err = PLASMA_ERR_NOMEM;
        return "out of memory";
    }
    for (size_t i = 0; i < b->n && !bad; i++) {
        bad = check_block_tx(v, domain, &b->tx[i], fees, &n_fees);
        if (!bad && (*err = apply_tx(v, blknum, (uint32_t)i, &b->tx[i])) != 0)
            bad = "out of memory";
    }
    if (bad)
        watch_view_discard(v);
    free(fees);
    return bad;
}

const char *watch_verify_block(watch_view *v, const plasma_domain *domain, uint64_t blknum,
                               const plasma_hash *root, const watch_txs *b, int *err)
{
    plasma_hash got;
    if ((*err = plasma_merkle_root(&got, b->leaves, b->n)) != 0)
        return "out of memory";
    if (!plasma_hash_eq(&got, root))
        return "the served transactions do not hash to the root on the root chain";
    return watch_verify_execute(v, domain, blknum, b, err);
}
