/* Verifying served blocks (see watch_verify.h). */
#include "watch_verify.h"

#include <stdlib.h>
#include <string.h>

/* Transactions hashed side by side by the many-message Keccak. */
#define SUB 16

void watch_block_free(watch_block *b)
{
    plasma_buf_free(&b->body);
    free(b->offs);
    free(b->vtx);
    free(b->leaves);
    free(b->chunk_bad);
    free(b->exit_spends);
    memset(b, 0, sizeof *b);
}

size_t watch_block_chunks(const watch_block *b)
{
    return (b->n + WATCH_CHUNK_TXS - 1) / WATCH_CHUNK_TXS;
}

size_t watch_block_weight(const watch_block *b)
{
    return b->body.cap + b->n * (sizeof *b->offs + sizeof *b->vtx + sizeof *b->leaves);
}

static int block_alloc(watch_block *b, size_t n)
{
    if (n > PLASMA_MAX_TXS_PER_BLOCK)
        return PLASMA_ERR_MALFORMED_TX;
    b->n = n;
    b->offs = calloc(n + 1, sizeof *b->offs);
    b->vtx = calloc(n ? n : 1, sizeof *b->vtx);
    b->leaves = calloc(n ? n : 1, sizeof *b->leaves);
    b->chunk_bad = calloc(watch_block_chunks(b) + 1, 1);
    return b->offs && b->vtx && b->leaves && b->chunk_bad ? 0 : PLASMA_ERR_NOMEM;
}

/* The binary form's fields: blknum must be the one asked for; root and
 * timestamp are the operator's word, and the root chain's are used. Out:
 * *txs, the list of transactions. */
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
static int parse_rlp(watch_block *b, uint64_t blknum)
{
    plasma_rlp_item txs, item;
    plasma_rlp_iter it;
    size_t n = 0;
    int rc = rlp_header(&txs, blknum, &b->body);
    if (rc == 0 && plasma_rlp_list_count(&txs, &n) != 0)
        rc = PLASMA_ERR_MALFORMED_TX;
    if (rc == 0 && (rc = block_alloc(b, n)) == 0) {
        b->txs = txs.data;
        plasma_rlp_iter_init(&it, &txs);
        for (size_t i = 0; i < n; i++) {
            if (plasma_rlp_iter_next(&it, &item) != 1 || !item.is_list)
                return PLASMA_ERR_MALFORMED_TX;
            b->offs[i + 1] = (size_t)(it.p - b->txs);
        }
    }
    return rc;
}

/* The JSON form: its hex txs decoded one after the other into a new body. */
static int parse_json(watch_block *b)
{
    json_t *j = json_loadb((const char *)b->body.data, b->body.len, 0, NULL),
           *txs = json_object_get(j, "txs");
    plasma_buf raw = {0};
    int rc = j && json_is_array(txs) ? block_alloc(b, json_array_size(txs)) : PLASMA_ERR_MALFORMED_TX;
    for (size_t i = 0; rc == 0 && i < b->n; i++) {
        const char *hex = json_string_value(json_array_get(txs, i));
        uint8_t *tx = NULL;
        size_t len = 0;
        if (!hex || plasma_hex_decode_alloc(&tx, &len, hex) != 0)
            rc = PLASMA_ERR_MALFORMED_TX;
        else if (plasma_buf_append(&raw, tx, len) != 0)
            rc = PLASMA_ERR_NOMEM;
        b->offs[i + 1] = raw.len;
        free(tx);
    }
    json_decref(j);
    plasma_buf_free(&b->body);
    b->body = raw;
    b->txs = raw.data;
    return rc;
}

int watch_block_parse(watch_block *b, uint64_t blknum, plasma_buf *body, bool binary)
{
    memset(b, 0, sizeof *b);
    b->blknum = blknum;
    b->body = *body;
    *body = (plasma_buf){0};
    return binary ? parse_rlp(b, blknum) : parse_json(b);
}

/* --- preparing (no view; worker threads) --- */

static void fill_vtx(watch_vtx *x, const plasma_tx *tx, const plasma_hash *digest)
{
    x->type = tx->tx_type;
    x->n_in = tx->n_inputs;
    x->n_out = tx->n_outputs;
    memcpy(x->inputs, tx->inputs, sizeof x->inputs);
    memcpy(x->outputs, tx->outputs, sizeof x->outputs);
    x->sigs_ok = tx->n_sigs >= tx->n_inputs;
    for (unsigned i = 0; i < tx->n_inputs && x->sigs_ok; i++)
        x->sigs_ok = plasma_recover(&x->signers[i], digest, &tx->sigs[i]) == 0;
}

enum { PREP_OK = 0, PREP_MALFORMED = 1, PREP_NOMEM = 2 };

/* Txs first .. first + k - 1 (k ≤ SUB). Returns PREP_OK, PREP_MALFORMED
 * (one does not decode) or PREP_NOMEM. */
static int prepare_some(watch_block *b, const plasma_domain *domain, size_t first, size_t k, plasma_buf *u)
{
    plasma_tx tx[SUB];
    const plasma_tx *ptx[SUB];
    const uint8_t *msgs[SUB];
    size_t lens[SUB], at[SUB + 1];
    plasma_hash digest[SUB];
    static const uint8_t leaf_prefix = PLASMA_MERKLE_LEAF_PREFIX;
    u->len = 0;
    for (size_t i = 0; i < k; i++) {
        size_t t = first + i;
        if (plasma_tx_decode_block_tx(&tx[i], b->txs + b->offs[t], b->offs[t + 1] - b->offs[t]) != 0)
            return PREP_MALFORMED;
        at[i] = u->len;
        plasma_buf_append(u, &leaf_prefix, 1);
        plasma_tx_encode_unsigned(u, &tx[i]);
        ptx[i] = &tx[i];
    }
    if (u->failed)
        return PREP_NOMEM;
    at[k] = u->len;
    for (size_t i = 0; i < k; i++) {
        msgs[i] = u->data + at[i];
        lens[i] = at[i + 1] - at[i];
    }
    plasma_keccak256_many(&b->leaves[first], msgs, lens, k);
    plasma_eip712_digest_many(digest, domain, ptx, k);
    for (size_t i = 0; i < k; i++)
        fill_vtx(&b->vtx[first + i], &tx[i], &digest[i]);
    return PREP_OK;
}

void watch_verify_prepare(watch_block *b, const plasma_domain *domain, size_t c)
{
    size_t first = c * WATCH_CHUNK_TXS,
           last = first + WATCH_CHUNK_TXS < b->n ? first + WATCH_CHUNK_TXS : b->n;
    plasma_buf u = {0};
    for (size_t t = first; t < last && !b->chunk_bad[c]; t += SUB)
        b->chunk_bad[c] = (uint8_t)prepare_some(b, domain, t, last - t < SUB ? last - t : SUB, &u);
    plasma_buf_free(&u);
}

/* --- executing (the view; one thread) --- */

/* Per-token balance: Σ outputs of each token ≤ Σ inputs of it. */
static bool amounts_add_up(const watch_vtx *tx, const watch_utxo *in)
{
    for (unsigned k = 0; k < tx->n_out; k++) {
        const plasma_addr *token = &tx->outputs[k].token;
        plasma_u256 sum_in = {{0}}, sum_out = {{0}};
        for (unsigned i = 0; i < tx->n_in; i++)
            if (plasma_addr_eq(&in[i].out.token, token) &&
                plasma_u256_add(&sum_in, &sum_in, &in[i].out.amount) != 0)
                return false;
        for (unsigned j = 0; j < tx->n_out; j++)
            if (plasma_addr_eq(&tx->outputs[j].token, token) &&
                plasma_u256_add(&sum_out, &sum_out, &tx->outputs[j].amount) != 0)
                return false;
        if (plasma_u256_cmp(&sum_out, &sum_in) > 0)
            return false;
    }
    return true;
}

/* Checks a payment against the view. Out: in[] its inputs' entries.
 * Returns NULL when valid, else a one-line reason (*err set when the view
 * failed). */
static const char *check_payment(watch_view *v, const watch_vtx *tx, watch_utxo *in, int *err)
{
    if (tx->n_in == 0)
        return "a transaction creates outputs without inputs";
    for (unsigned i = 0; i < tx->n_in; i++) {
        int rc = watch_view_get(v, tx->inputs[i], &in[i]);
        if (rc == PLASMA_ERR_NOT_FOUND)
            return "a transaction spends an output that does not exist";
        if (rc) {
            *err = rc;
            return "the watcher cannot read its view";
        }
        if (in[i].spent)
            return "a transaction spends an output already spent";
    }
    if (!tx->sigs_ok)
        return "a transaction carries an invalid signature";
    for (unsigned i = 0; i < tx->n_in; i++)
        if (!plasma_addr_eq(&tx->signers[i], &in[i].out.owner))
            return "a transaction spends an output its signer does not own";
    if (!amounts_add_up(tx, in))
        return "a transaction's outputs exceed its inputs";
    return NULL;
}

/* Notes an exiting output spent by tx txindex's input i. */
static int note_exit_spend(watch_block *b, const watch_utxo *u, uint32_t txindex, uint32_t i)
{
    if (plasma_grow((void **)&b->exit_spends, &b->cap_exit_spends, b->n_exit_spends + 1,
                    sizeof *b->exit_spends) < 0)
        return PLASMA_ERR_NOMEM;
    b->exit_spends[b->n_exit_spends++] =
        (watch_exit_spend){.pos = u->pos, .owner = u->out.owner, .txindex = txindex, .input = i};
    return 0;
}

/* Stages tx's spends and outputs. */
static int apply_tx(watch_view *v, watch_block *b, uint32_t txindex, const watch_vtx *tx,
                    const watch_utxo *in)
{
    int rc;
    for (unsigned i = 0; i < tx->n_in; i++) {
        if ((rc = watch_view_spend(v, tx->inputs[i], b->blknum, txindex, i)) != 0 ||
            (in[i].exiting && (rc = note_exit_spend(b, &in[i], txindex, i)) != 0))
            return rc;
    }
    for (unsigned k = 0; k < tx->n_out; k++)
        if ((rc = watch_view_add(v, plasma_utxo_pos(b->blknum, txindex, k), &tx->outputs[k])) != 0)
            return rc;
    return 0;
}

/* Fees collected in a block, per token. */
typedef struct fee_acc {
    plasma_addr token;
    plasma_u256 amount;
} fee_acc;

typedef struct fees {
    fee_acc *acc;
    size_t n, cap;
} fees;

/* The slot of token, added when new; NULL when out of memory. */
static fee_acc *fee_slot(fees *f, const plasma_addr *token)
{
    for (size_t i = 0; i < f->n; i++)
        if (plasma_addr_eq(&f->acc[i].token, token))
            return &f->acc[i];
    if (plasma_grow((void **)&f->acc, &f->cap, f->n + 1, sizeof *f->acc) < 0)
        return NULL;
    f->acc[f->n] = (fee_acc){.token = *token};
    return &f->acc[f->n++];
}

/* Σ of token over a payment's inputs (in non-NULL) or outputs (checked: no
 * overflow). */
static plasma_u256 token_sum(const watch_vtx *tx, const watch_utxo *in, const plasma_addr *token)
{
    plasma_u256 sum = {{0}};
    if (in) {
        for (unsigned i = 0; i < tx->n_in; i++)
            if (plasma_addr_eq(&in[i].out.token, token))
                plasma_u256_add(&sum, &sum, &in[i].out.amount);
    } else {
        for (unsigned k = 0; k < tx->n_out; k++)
            if (plasma_addr_eq(&tx->outputs[k].token, token))
                plasma_u256_add(&sum, &sum, &tx->outputs[k].amount);
    }
    return sum;
}

/* Adds a valid payment's surplus of each input token to the fees. Returns
 * 0 or PLASMA_ERR_NOMEM. */
static int collect_fees(fees *f, const watch_vtx *tx, const watch_utxo *in)
{
    for (unsigned i = 0; i < tx->n_in; i++) {
        const plasma_addr *token = &in[i].out.token;
        bool seen = false;
        for (unsigned j = 0; j < i; j++)
            seen = seen || plasma_addr_eq(&in[j].out.token, token);
        if (seen)
            continue;
        plasma_u256 sum_in = token_sum(tx, in, token), sum_out = token_sum(tx, NULL, token), surplus;
        fee_acc *slot = fee_slot(f, token);
        if (!slot)
            return PLASMA_ERR_NOMEM;
        if (plasma_u256_sub(&surplus, &sum_in, &sum_out) == 0)
            plasma_u256_add(&slot->amount, &slot->amount, &surplus);
    }
    return 0;
}

/* A fee tx may claim at most what the block's payments left of its token. */
static const char *claim_fee(fees *f, const watch_vtx *tx, int *err)
{
    fee_acc *slot;
    if (tx->n_in != 0 || tx->n_out != 1)
        return "a fee transaction has inputs or several outputs";
    if (!(slot = fee_slot(f, &tx->outputs[0].token))) {
        *err = PLASMA_ERR_NOMEM;
        return "out of memory";
    }
    if (plasma_u256_sub(&slot->amount, &slot->amount, &tx->outputs[0].amount) != 0)
        return "a fee transaction claims more than the block's fees";
    return NULL;
}

/* Checks tx txindex against the view and the fees so far, and stages it. */
static const char *execute_tx(watch_view *v, watch_block *b, uint32_t txindex, fees *f, int *err)
{
    const watch_vtx *tx = &b->vtx[txindex];
    watch_utxo in[PLASMA_MAX_INPUTS];
    const char *bad;
    if (tx->type == PLASMA_TX_FEE)
        bad = claim_fee(f, tx, err);
    else if ((bad = check_payment(v, tx, in, err)) == NULL && (*err = collect_fees(f, tx, in)) != 0)
        bad = "out of memory";
    if (!bad && (*err = apply_tx(v, b, txindex, tx, in)) != 0)
        bad = "the watcher cannot stage its view";
    return bad;
}

static const char *execute(watch_view *v, watch_block *b, int *err)
{
    const char *bad = NULL;
    fees f = {0};
    b->n_exit_spends = 0;
    for (size_t i = 0; i < b->n && !bad; i++)
        bad = execute_tx(v, b, (uint32_t)i, &f, err);
    if (bad)
        watch_view_discard(v);
    free(f.acc);
    return bad;
}

const char *watch_verify_block(watch_view *v, const plasma_hash *root, watch_block *b, int *err)
{
    plasma_hash got;
    *err = 0;
    for (size_t c = 0; c < watch_block_chunks(b); c++)
        if (b->chunk_bad[c] == PREP_NOMEM) {
            *err = PLASMA_ERR_NOMEM;
            return "out of memory";
        }
    for (size_t c = 0; c < watch_block_chunks(b); c++)
        if (b->chunk_bad[c])
            return "the operator serves a malformed transaction";
    if ((*err = plasma_merkle_root(&got, b->leaves, b->n)) != 0)
        return "out of memory";
    if (!plasma_hash_eq(&got, root))
        return "the served transactions do not hash to the root on the root chain";
    return execute(v, b, err);
}
