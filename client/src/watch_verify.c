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

void watch_block_clear(watch_block *b)
{
    watch_block keep = {.body = b->body,
                        .cap = b->cap,
                        .offs = b->offs,
                        .vtx = b->vtx,
                        .leaves = b->leaves,
                        .chunk_bad = b->chunk_bad,
                        .exit_spends = b->exit_spends,
                        .cap_exit_spends = b->cap_exit_spends};
    keep.body.len = 0;
    *b = keep;
}

void watch_block_take_body(watch_block *b, plasma_buf *body)
{
    *body = b->body;
    body->len = 0;
    b->body = (plasma_buf){0};
}

size_t watch_block_chunks(const watch_block *b)
{
    return (b->n + WATCH_CHUNK_TXS - 1) / WATCH_CHUNK_TXS;
}

size_t watch_block_weight(const watch_block *b)
{
    return b->body.cap + b->cap * (sizeof *b->offs + sizeof *b->vtx + sizeof *b->leaves);
}

/* Room for n transactions, in the buffers b has when they are large
 * enough. Every entry is written before it is read (offs[0] here, the
 * others by parsing and preparing); the chunks' marks start clear. */
static int block_alloc(watch_block *b, size_t n)
{
    if (n > PLASMA_MAX_TXS_PER_BLOCK)
        return PLASMA_ERR_MALFORMED_TX;
    if (n > b->cap || !b->offs) {
        size_t cap = n ? n : 1;
        free(b->offs);
        free(b->vtx);
        free(b->leaves);
        free(b->chunk_bad);
        b->cap = 0;
        b->offs = malloc((cap + 1) * sizeof *b->offs);
        b->vtx = malloc(cap * sizeof *b->vtx);
        b->leaves = malloc(cap * sizeof *b->leaves);
        b->chunk_bad = malloc((cap + WATCH_CHUNK_TXS - 1) / WATCH_CHUNK_TXS + 1);
        if (!b->offs || !b->vtx || !b->leaves || !b->chunk_bad)
            return PLASMA_ERR_NOMEM;
        b->cap = cap;
    }
    b->n = n;
    b->offs[0] = 0;
    memset(b->chunk_bad, 0, watch_block_chunks(b) + 1);
    b->n_exit_spends = 0;
    return 0;
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

/* A tx the operator dropped before the seal (docs/api.md, GET /v1/blocks):
 * the RLP empty string in the binary form, null in the JSON form, kept as
 * the one byte 0x80 in both. */
static const uint8_t DROPPED_TX = 0x80;

static bool is_dropped(const watch_block *b, size_t t)
{
    return b->offs[t + 1] - b->offs[t] == 1 && b->txs[b->offs[t]] == DROPPED_TX;
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
            if (plasma_rlp_iter_next(&it, &item) != 1 || (!item.is_list && item.len != 0))
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
        const json_t *item = json_array_get(txs, i);
        const char *hex = json_string_value(item);
        uint8_t *tx = NULL;
        size_t len = 0;
        if (json_is_null(item)) {
            if (plasma_buf_append(&raw, &DROPPED_TX, 1) != 0)
                rc = PLASMA_ERR_NOMEM;
        } else if (!hex || plasma_hex_decode_alloc(&tx, &len, hex) != 0 || (len == 1 && tx[0] == DROPPED_TX))
            rc = PLASMA_ERR_MALFORMED_TX; /* a dropped tx is null, not its binary marker */
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
    plasma_buf_free(&b->body);
    b->blknum = blknum;
    b->body = *body;
    b->txs = NULL;
    b->n = 0;
    *body = (plasma_buf){0};
    return binary ? parse_rlp(b, blknum) : parse_json(b);
}

/* --- preparing (no view; worker threads) --- */

static void fill_vtx(watch_vtx *x, const plasma_tx *tx, const plasma_hash *digest)
{
    x->dropped = false;
    x->type = tx->tx_type;
    x->n_in = tx->n_inputs;
    x->n_out = tx->n_outputs;
    memcpy(x->inputs, tx->inputs, sizeof x->inputs);
    memcpy(x->outputs, tx->outputs, sizeof x->outputs);
    x->n_sigs = tx->n_sigs;
    x->metadata = tx->metadata;
    x->sigs_ok = tx->n_sigs >= tx->n_inputs;
    for (unsigned i = 0; i < tx->n_inputs && x->sigs_ok; i++)
        x->sigs_ok = plasma_recover(&x->signers[i], digest, &tx->sigs[i]) == 0;
}

enum { PREP_OK = 0, PREP_MALFORMED = 1, PREP_NOMEM = 2 };

/* Txs first .. first + k - 1 (k ≤ SUB); a dropped one has the empty leaf.
 * Returns PREP_OK, PREP_MALFORMED (one does not decode) or PREP_NOMEM. */
static int prepare_some(watch_block *b, const plasma_domain *domain, size_t first, size_t k, plasma_buf *u)
{
    plasma_tx tx[SUB];
    const plasma_tx *ptx[SUB];
    const uint8_t *msgs[SUB];
    size_t lens[SUB], at[SUB + 1], idx[SUB], m = 0;
    plasma_hash digest[SUB], leaves[SUB];
    static const uint8_t leaf_prefix = PLASMA_MERKLE_LEAF_PREFIX;
    u->len = 0;
    for (size_t i = 0; i < k; i++) {
        size_t t = first + i;
        if (is_dropped(b, t)) {
            b->leaves[t] = *plasma_merkle_empty(0);
            b->vtx[t] = (watch_vtx){.dropped = true};
            continue;
        }
        if (plasma_tx_decode_block_tx(&tx[m], b->txs + b->offs[t], b->offs[t + 1] - b->offs[t]) != 0)
            return PREP_MALFORMED;
        at[m] = u->len;
        plasma_buf_append(u, &leaf_prefix, 1);
        plasma_tx_encode_unsigned(u, &tx[m]);
        ptx[m] = &tx[m];
        idx[m++] = t;
    }
    if (u->failed)
        return PREP_NOMEM;
    at[m] = u->len;
    for (size_t i = 0; i < m; i++) {
        msgs[i] = u->data + at[i];
        lens[i] = at[i + 1] - at[i];
    }
    plasma_keccak256_many(leaves, msgs, lens, m);
    plasma_eip712_digest_many(digest, domain, ptx, m);
    for (size_t i = 0; i < m; i++) {
        b->leaves[idx[i]] = leaves[i];
        fill_vtx(&b->vtx[idx[i]], &tx[i], &digest[i]);
    }
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

/* The transaction in the form the rules of plasma/rules.h take
 * (signatures aside: they were checked when preparing). */
static void vtx_tx(plasma_tx *t, const watch_vtx *x)
{
    memset(t, 0, sizeof *t);
    t->tx_type = x->type;
    t->n_inputs = x->n_in;
    t->n_outputs = x->n_out;
    t->n_sigs = x->n_sigs;
    memcpy(t->inputs, x->inputs, sizeof t->inputs);
    memcpy(t->outputs, x->outputs, sizeof t->outputs);
    t->metadata = x->metadata;
}

/* A one-line reason for a broken amount rule (plasma_rules_check_amounts). */
static const char *amounts_reason(int err)
{
    return err == PLASMA_ERR_FEE_TOO_LOW
               ? "a transaction pays less than the minimum fee"
               : "a transaction's outputs exceed its inputs, or it pays fees in two tokens";
}

/* Checks a payment against the view. Out: in[] its inputs' entries, *fee.
 * Returns NULL when valid, else a one-line reason (*err set when the view
 * failed). */
static const char *check_payment(watch_view *v, const watch_vtx *x, const plasma_fee_policy *policy,
                                 watch_utxo *in, plasma_fee *fee, int *err)
{
    plasma_output spent[PLASMA_MAX_INPUTS];
    plasma_tx tx;
    for (unsigned i = 0; i < x->n_in; i++) {
        int rc = watch_view_get(v, x->inputs[i], &in[i]);
        if (rc == PLASMA_ERR_NOT_FOUND)
            return "a transaction spends an output that does not exist";
        if (rc) {
            *err = rc;
            return "the watcher cannot read its view";
        }
        if (in[i].spent)
            return "a transaction spends an output already spent";
        spent[i] = in[i].out;
    }
    if (!x->sigs_ok)
        return "a transaction carries an invalid signature";
    for (unsigned i = 0; i < x->n_in; i++)
        if (!plasma_addr_eq(&x->signers[i], &in[i].out.owner))
            return "a transaction spends an output its signer does not own";
    vtx_tx(&tx, x);
    int rc = plasma_rules_check_amounts(fee, &tx, spent, policy);
    return rc < 0 ? amounts_reason(rc) : NULL;
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
        if ((rc = watch_view_spend(v, &in[i], b->blknum, txindex, i)) != 0 ||
            (in[i].exiting && (rc = note_exit_spend(b, &in[i], txindex, i)) != 0))
            return rc;
    }
    for (unsigned k = 0; k < tx->n_out; k++)
        if ((rc = watch_view_add_new(v, plasma_utxo_pos(b->blknum, txindex, k), &tx->outputs[k])) != 0)
            return rc;
    return 0;
}

/* Checks payment txindex against the view and the fees so far, and stages
 * it. */
static const char *execute_payment(watch_view *v, watch_block *b, uint32_t txindex,
                                   const plasma_fee_policy *policy, plasma_block_fees *fees, int *err)
{
    const watch_vtx *x = &b->vtx[txindex];
    watch_utxo in[PLASMA_MAX_INPUTS];
    plasma_fee fee;
    const char *bad = check_payment(v, x, policy, in, &fee, err);
    if (!bad && (*err = plasma_block_fees_add(fees, &fee)) != 0)
        bad = "out of memory";
    if (!bad && (*err = apply_tx(v, b, txindex, x, in)) != 0)
        bad = "the watcher cannot stage its view";
    return bad;
}

/* The fee transactions b->vtx[first ..] against the fees the payments
 * collected, then staged. */
static const char *execute_fee_txs(watch_view *v, watch_block *b, size_t first, plasma_block_fees *fees,
                                   int *err)
{
    size_t n = b->n - first;
    const char *bad = NULL;
    plasma_block_fees_sort(fees);
    if (n != fees->n) /* the rule's own message, before allocating for n */
        return plasma_block_check_fee_txs(fees, b->blknum, NULL, NULL, n, &bad) < 0 ? bad : "internal";
    plasma_tx *t = malloc((n ? n : 1) * sizeof *t);
    if (!t) {
        *err = PLASMA_ERR_NOMEM;
        return "out of memory";
    }
    for (size_t i = 0; i < n; i++)
        vtx_tx(&t[i], &b->vtx[first + i]);
    if (plasma_block_check_fee_txs(fees, b->blknum, NULL, t, n, &bad) == 0) {
        for (size_t i = 0; i < n && !bad; i++)
            if ((*err = apply_tx(v, b, (uint32_t)(first + i), &b->vtx[first + i], NULL)) != 0)
                bad = "the watcher cannot stage its view";
    }
    free(t);
    return bad;
}

static const char *execute(watch_view *v, watch_block *b, const plasma_fee_policy *policy, int *err)
{
    const char *bad = NULL;
    plasma_block_fees fees = {0};
    bool in_fees = false;
    size_t n_pay = b->n;
    plasma_tx t;
    b->n_exit_spends = 0;
    for (size_t i = 0; i < b->n && !bad; i++) {
        if (b->vtx[i].dropped) {
            /* only a payment of the open block is dropped; fee txs come at the seal */
            if (in_fees)
                bad = "a transaction after the fee transactions is dropped";
            continue;
        }
        vtx_tx(&t, &b->vtx[i]);
        if (plasma_block_check_tx_order(&in_fees, &t, &bad) < 0)
            break;
        if (in_fees && n_pay == b->n)
            n_pay = i;
        if (!in_fees)
            bad = execute_payment(v, b, (uint32_t)i, policy, &fees, err);
    }
    if (!bad)
        bad = execute_fee_txs(v, b, n_pay, &fees, err);
    if (bad)
        watch_view_discard(v);
    plasma_block_fees_free(&fees);
    return bad;
}

const char *watch_verify_block(watch_view *v, const plasma_hash *root, const plasma_fee_policy *fees,
                               watch_block *b, int *err)
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
    return execute(v, b, fees, err);
}
