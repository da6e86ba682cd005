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

/* Decodes tx i of b from its signed RLP, already in b->raw[i], and
 * computes its leaf. Returns 0, PLASMA_ERR_MALFORMED_TX or
 * PLASMA_ERR_NOMEM. */
static int decode_one(watch_txs *b, size_t i)
{
    plasma_buf u = {0};
    int rc;
    if (plasma_tx_decode_block_tx(&b->tx[i], b->raw[i], b->raw_len[i]) != 0)
        return PLASMA_ERR_MALFORMED_TX;
    if ((rc = plasma_tx_encode_unsigned(&u, &b->tx[i])) == 0)
        plasma_merkle_leaf(&b->leaves[i], u.data, u.len);
    plasma_buf_free(&u);
    return rc;
}

static int txs_alloc(watch_txs *b, size_t n)
{
    size_t slots = n ? n : 1;
    memset(b, 0, sizeof *b);
    if (n > PLASMA_MAX_TXS_PER_BLOCK)
        return PLASMA_ERR_MALFORMED_TX;
    b->n = n;
    b->tx = calloc(slots, sizeof *b->tx);
    b->raw = calloc(slots, sizeof *b->raw);
    b->raw_len = calloc(slots, sizeof *b->raw_len);
    b->leaves = calloc(slots, sizeof *b->leaves);
    return b->tx && b->raw && b->raw_len && b->leaves ? 0 : PLASMA_ERR_NOMEM;
}

int watch_txs_decode_json(watch_txs *b, const json_t *txs)
{
    size_t n = json_array_size(txs);
    int rc = txs_alloc(b, n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const char *hex = json_string_value(json_array_get(txs, i));
        if (!hex || plasma_hex_decode_alloc(&b->raw[i], &b->raw_len[i], hex) != 0)
            return PLASMA_ERR_MALFORMED_TX;
        rc = decode_one(b, i);
    }
    return rc;
}

/* The header fields of the binary form: blknum must be the one asked for;
 * root and timestamp are the operator's word and are not used. Out: *txs,
 * the list of transactions. */
static int rlp_header(plasma_rlp_item *txs, uint64_t blknum, const plasma_buf *body)
{
    plasma_rlp_item top, item;
    plasma_rlp_iter it;
    uint64_t got = 0;
    if (plasma_rlp_decode(&top, body->data, body->len) != 0 || !top.is_list)
        return PLASMA_ERR_MALFORMED_TX;
    plasma_rlp_iter_init(&it, &top);
    if (plasma_rlp_iter_next(&it, &item) != 1 || plasma_rlp_to_u64(&got, &item) != 0 || got != blknum ||
        plasma_rlp_iter_next(&it, &item) != 1 || item.is_list || item.len != 32 ||
        plasma_rlp_iter_next(&it, &item) != 1 || plasma_rlp_to_u64(&got, &item) != 0 ||
        plasma_rlp_iter_next(&it, txs) != 1 || !txs->is_list || plasma_rlp_iter_next(&it, &item) != 0)
        return PLASMA_ERR_MALFORMED_TX;
    return 0;
}

/* Each transaction keeps its whole encoding, header included: the bytes
 * the operator stored and the signatures cover. */
static int decode_rlp(watch_txs *b, uint64_t blknum, const plasma_buf *body)
{
    plasma_rlp_item txs, item;
    plasma_rlp_iter it;
    size_t n = 0;
    int rc = rlp_header(&txs, blknum, body);
    if (rc == 0 && plasma_rlp_list_count(&txs, &n) != 0)
        rc = PLASMA_ERR_MALFORMED_TX;
    if (rc == 0)
        rc = txs_alloc(b, n);
    plasma_rlp_iter_init(&it, &txs);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const uint8_t *start = it.p;
        if (plasma_rlp_iter_next(&it, &item) != 1 || !item.is_list)
            return PLASMA_ERR_MALFORMED_TX;
        b->raw_len[i] = (size_t)(it.p - start);
        if (!(b->raw[i] = malloc(b->raw_len[i])))
            return PLASMA_ERR_NOMEM;
        memcpy(b->raw[i], start, b->raw_len[i]);
        rc = decode_one(b, i);
    }
    return rc;
}

int watch_txs_decode(watch_txs *b, uint64_t blknum, const watch_served *s)
{
    json_t *j;
    int rc;
    if (s->binary)
        return decode_rlp(b, blknum, &s->body);
    if (!(j = json_loadb((const char *)s->body.data, s->body.len, 0, NULL)))
        return PLASMA_ERR_MALFORMED_TX;
    rc = watch_txs_decode_json(b, json_object_get(j, "txs"));
    json_decref(j);
    return rc;
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
