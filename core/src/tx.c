/* The transaction codec of PROTOCOL §3 and its stateless rules.
 *
 * Decoding runs in two stages: a structural pass that maps RLP onto a
 * plasma_tx (shape, field sizes, integer encodings, element counts), then
 * plasma_tx_check, the same rules a locally built tx is held to. Errors a
 * wallet author sees, in the order they are tested:
 *  - any RLP violation, wrong field count, wrong field size, a txType other
 *    than 1 or 3, an outputType other than 1, an amount over 32 bytes, an
 *    invalid input position (0, oindex ≥ 4, txindex ≥ 65536): malformed_tx;
 *  - more than 4 inputs / outputs: too_many_inputs / too_many_outputs;
 *  - a signature that is not 65 bytes, or breaks plasma_sig_check:
 *    bad_signature (a 64-byte r ‖ s without v is a bad signature rather
 *    than a malformed tx: the wallet got the signature encoding wrong);
 *  - no outputs, a payment without inputs, a zero owner: malformed_tx;
 *  - the same input twice: duplicate_inputs; a zero amount: amount_zero;
 *  - a per-token sum of outputs past 2^256 - 1: amounts_do_not_add_up;
 *  - fewer signatures than inputs: missing_signature; more (including more
 *    than 4): superfluous_signature. */
#include "plasma/tx.h"

#include <string.h>

#include "plasma/err.h"
#include "plasma/keccak.h"
#include "plasma/rlp.h"
#include "plasma/sig.h"
#include "plasma/u256.h"

#define SIGNED_TX_FIELDS 5
#define UNSIGNED_TX_FIELDS 4
#define OUTPUT_FIELDS 4

/* The largest block number whose every position (txindex < 65536, oindex
 * < 4) still fits in 64 bits, so that plasma_utxo_pos never wraps for a
 * block that holds a valid position. */
#define POS_MAX_BLKNUM (UINT64_MAX / PLASMA_POS_BLOCK - 1)

bool plasma_utxo_pos_valid(uint64_t pos)
{
    uint64_t blknum = plasma_pos_blknum(pos);
    return blknum >= 1 && blknum <= POS_MAX_BLKNUM &&
           (pos % PLASMA_POS_BLOCK) / PLASMA_POS_TX < PLASMA_MAX_TXS_PER_BLOCK &&
           plasma_pos_oindex(pos) < PLASMA_MAX_INPUTS;
}

/* --- stateless rules --- */

static int check_kind(const plasma_tx *tx, bool with_sigs)
{
    static const plasma_hash zero_hash;
    if (tx->tx_type != PLASMA_TX_PAYMENT && tx->tx_type != PLASMA_TX_FEE)
        return PLASMA_ERR_MALFORMED_TX;
    if (tx->n_inputs > PLASMA_MAX_INPUTS)
        return PLASMA_ERR_TOO_MANY_INPUTS;
    if (tx->n_outputs > PLASMA_MAX_OUTPUTS)
        return PLASMA_ERR_TOO_MANY_OUTPUTS;
    if (tx->n_outputs == 0)
        return PLASMA_ERR_MALFORMED_TX;
    if (tx->n_inputs > 0)
        return tx->tx_type == PLASMA_TX_PAYMENT ? PLASMA_OK : PLASMA_ERR_MALFORMED_TX;
    /* No inputs: a deposit or a fee tx, never something a user signs. */
    if (with_sigs || tx->n_outputs != 1)
        return PLASMA_ERR_MALFORMED_TX;
    if (tx->tx_type == PLASMA_TX_PAYMENT && !plasma_hash_eq(&tx->metadata, &zero_hash))
        return PLASMA_ERR_MALFORMED_TX;
    return PLASMA_OK;
}

static int check_inputs(const plasma_tx *tx)
{
    for (unsigned i = 0; i < tx->n_inputs; i++) {
        if (!plasma_utxo_pos_valid(tx->inputs[i]))
            return PLASMA_ERR_MALFORMED_TX;
        for (unsigned j = 0; j < i; j++)
            if (tx->inputs[i] == tx->inputs[j])
                return PLASMA_ERR_DUPLICATE_INPUTS;
    }
    return PLASMA_OK;
}

/* Owners and amounts, then the per-token sums: a sum is checked only for
 * the first output of each token, over it and the later ones. */
static int check_outputs(const plasma_tx *tx)
{
    for (unsigned i = 0; i < tx->n_outputs; i++) {
        if (plasma_addr_is_zero(&tx->outputs[i].owner))
            return PLASMA_ERR_MALFORMED_TX;
        if (plasma_u256_is_zero(&tx->outputs[i].amount))
            return PLASMA_ERR_AMOUNT_ZERO;
    }
    for (unsigned i = 0; i < tx->n_outputs; i++) {
        const plasma_addr *token = &tx->outputs[i].token;
        bool first = true;
        for (unsigned j = 0; j < i; j++)
            first = first && !plasma_addr_eq(&tx->outputs[j].token, token);
        if (!first)
            continue;
        plasma_u256 sum = tx->outputs[i].amount;
        for (unsigned j = i + 1; j < tx->n_outputs; j++) {
            if (plasma_addr_eq(&tx->outputs[j].token, token) &&
                plasma_u256_add(&sum, &sum, &tx->outputs[j].amount) != 0)
                return PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP;
        }
    }
    return PLASMA_OK;
}

static int check_sigs(const plasma_tx *tx)
{
    if (tx->n_sigs < tx->n_inputs)
        return PLASMA_ERR_MISSING_SIGNATURE;
    if (tx->n_sigs > tx->n_inputs)
        return PLASMA_ERR_SUPERFLUOUS_SIGNATURE;
    for (unsigned i = 0; i < tx->n_sigs; i++)
        if (plasma_sig_check(&tx->sigs[i]) != 0)
            return PLASMA_ERR_BAD_SIGNATURE;
    return PLASMA_OK;
}

int plasma_tx_check(const plasma_tx *tx, bool with_sigs)
{
    int rc = check_kind(tx, with_sigs);
    if (rc == 0)
        rc = check_inputs(tx);
    if (rc == 0)
        rc = check_outputs(tx);
    if (rc == 0 && with_sigs)
        rc = check_sigs(tx);
    return rc;
}

/* --- decoding --- */

/* Any RLP-level failure inside a tx is reported as malformed_tx. */
static int as_tx_err(int rc)
{
    return rc == 0 ? 0 : PLASMA_ERR_MALFORMED_TX;
}

/* Reads exactly n elements of a list into items. */
static int read_fields(plasma_rlp_item *items, size_t n, const plasma_rlp_item *list)
{
    size_t count;
    if (!list->is_list || plasma_rlp_list_count(list, &count) != 0 || count != n)
        return PLASMA_ERR_MALFORMED_TX;
    plasma_rlp_iter it;
    plasma_rlp_iter_init(&it, list);
    for (size_t i = 0; i < n; i++)
        plasma_rlp_iter_next(&it, &items[i]);
    return PLASMA_OK;
}

/* Counts a list field, with too_many_err past max. */
static int count_field(size_t *count, const plasma_rlp_item *list, size_t max, int too_many_err)
{
    if (!list->is_list || plasma_rlp_list_count(list, count) != 0)
        return PLASMA_ERR_MALFORMED_TX;
    return *count > max ? too_many_err : PLASMA_OK;
}

static int decode_inputs(plasma_tx *tx, const plasma_rlp_item *list)
{
    size_t n;
    int rc = count_field(&n, list, PLASMA_MAX_INPUTS, PLASMA_ERR_TOO_MANY_INPUTS);
    if (rc != 0)
        return rc;
    plasma_rlp_iter it;
    plasma_rlp_iter_init(&it, list);
    plasma_rlp_item el;
    for (size_t i = 0; i < n; i++) {
        plasma_rlp_iter_next(&it, &el);
        if (plasma_rlp_to_u64(&tx->inputs[i], &el) != 0 || !plasma_utxo_pos_valid(tx->inputs[i]))
            return PLASMA_ERR_MALFORMED_TX;
    }
    tx->n_inputs = (uint8_t)n;
    return PLASMA_OK;
}

static int decode_output(plasma_output *out, const plasma_rlp_item *item)
{
    plasma_rlp_item f[OUTPUT_FIELDS];
    uint64_t type;
    int rc = read_fields(f, OUTPUT_FIELDS, item);
    if (rc != 0)
        return rc;
    if (plasma_rlp_to_u64(&type, &f[0]) != 0 || type != PLASMA_OUTPUT_TYPE_PAYMENT)
        return PLASMA_ERR_MALFORMED_TX;
    rc = plasma_rlp_to_fixed(out->owner.b, sizeof out->owner.b, &f[1]);
    if (rc == 0)
        rc = plasma_rlp_to_fixed(out->token.b, sizeof out->token.b, &f[2]);
    if (rc == 0)
        rc = plasma_rlp_to_u256(&out->amount, &f[3]);
    return as_tx_err(rc);
}

static int decode_outputs(plasma_tx *tx, const plasma_rlp_item *list)
{
    size_t n;
    int rc = count_field(&n, list, PLASMA_MAX_OUTPUTS, PLASMA_ERR_TOO_MANY_OUTPUTS);
    if (rc != 0)
        return rc;
    plasma_rlp_iter it;
    plasma_rlp_iter_init(&it, list);
    plasma_rlp_item el;
    for (size_t i = 0; i < n; i++) {
        plasma_rlp_iter_next(&it, &el);
        if ((rc = decode_output(&tx->outputs[i], &el)) != 0)
            return rc;
    }
    tx->n_outputs = (uint8_t)n;
    return PLASMA_OK;
}

/* The four UnsignedTx fields: txType, inputs, outputs, metadata. */
static int decode_body(plasma_tx *tx, const plasma_rlp_item f[UNSIGNED_TX_FIELDS])
{
    uint64_t type;
    if (plasma_rlp_to_u64(&type, &f[0]) != 0 || (type != PLASMA_TX_PAYMENT && type != PLASMA_TX_FEE))
        return PLASMA_ERR_MALFORMED_TX;
    tx->tx_type = (uint8_t)type;
    int rc = decode_inputs(tx, &f[1]);
    if (rc == 0)
        rc = decode_outputs(tx, &f[2]);
    if (rc == 0)
        rc = as_tx_err(plasma_rlp_to_fixed(tx->metadata.b, sizeof tx->metadata.b, &f[3]));
    return rc;
}

static int decode_sigs(plasma_tx *tx, const plasma_rlp_item *list)
{
    size_t n;
    int rc = count_field(&n, list, PLASMA_MAX_INPUTS, PLASMA_ERR_SUPERFLUOUS_SIGNATURE);
    if (rc != 0)
        return rc;
    plasma_rlp_iter it;
    plasma_rlp_iter_init(&it, list);
    plasma_rlp_item el;
    for (size_t i = 0; i < n; i++) {
        plasma_rlp_iter_next(&it, &el);
        if (el.is_list)
            return PLASMA_ERR_MALFORMED_TX;
        if (plasma_rlp_to_fixed(tx->sigs[i].b, sizeof tx->sigs[i].b, &el) != 0)
            return PLASMA_ERR_BAD_SIGNATURE;
    }
    tx->n_sigs = (uint8_t)n;
    return PLASMA_OK;
}

/* Decodes a SignedTx into *out without the semantic rules. */
static int decode_signed_form(plasma_tx *out, const uint8_t *buf, size_t len)
{
    plasma_rlp_item top, f[SIGNED_TX_FIELDS];
    memset(out, 0, sizeof *out);
    int rc = as_tx_err(plasma_rlp_decode(&top, buf, len));
    if (rc == 0)
        rc = read_fields(f, SIGNED_TX_FIELDS, &top);
    if (rc == 0)
        rc = decode_body(out, f + 1);
    if (rc == 0)
        rc = decode_sigs(out, &f[0]);
    return rc;
}

int plasma_tx_decode_signed(plasma_tx *out, const uint8_t *buf, size_t len)
{
    int rc = decode_signed_form(out, buf, len);
    return rc != 0 ? rc : plasma_tx_check(out, true);
}

int plasma_tx_decode_unsigned(plasma_tx *out, const uint8_t *buf, size_t len)
{
    plasma_rlp_item top, f[UNSIGNED_TX_FIELDS];
    memset(out, 0, sizeof *out);
    int rc = as_tx_err(plasma_rlp_decode(&top, buf, len));
    if (rc == 0)
        rc = read_fields(f, UNSIGNED_TX_FIELDS, &top);
    if (rc == 0)
        rc = decode_body(out, f);
    return rc != 0 ? rc : plasma_tx_check(out, false);
}

/* Blocks carry deposits and fee txs in signed form with an empty signature
 * list; both are "no inputs, no signatures" and follow the unsigned rules. */
int plasma_tx_decode_block_tx(plasma_tx *out, const uint8_t *buf, size_t len)
{
    int rc = decode_signed_form(out, buf, len);
    if (rc != 0)
        return rc;
    bool inputless = out->n_inputs == 0 && out->n_sigs == 0;
    return plasma_tx_check(out, !inputless);
}

/* --- encoding --- */

static void encode_output(plasma_buf *buf, const plasma_output *o)
{
    size_t mark = plasma_rlp_list_begin(buf);
    plasma_rlp_put_u64(buf, PLASMA_OUTPUT_TYPE_PAYMENT);
    plasma_rlp_put_bytes(buf, o->owner.b, sizeof o->owner.b);
    plasma_rlp_put_bytes(buf, o->token.b, sizeof o->token.b);
    plasma_rlp_put_u256(buf, &o->amount);
    plasma_rlp_list_end(buf, mark);
}

/* Appends the four UnsignedTx fields (without the enclosing list). Errors
 * are collected in buf->failed. */
static void encode_body(plasma_buf *buf, const plasma_tx *tx)
{
    plasma_rlp_put_u64(buf, tx->tx_type);
    size_t mark = plasma_rlp_list_begin(buf);
    for (unsigned i = 0; i < tx->n_inputs && i < PLASMA_MAX_INPUTS; i++)
        plasma_rlp_put_u64(buf, tx->inputs[i]);
    plasma_rlp_list_end(buf, mark);
    mark = plasma_rlp_list_begin(buf);
    for (unsigned i = 0; i < tx->n_outputs && i < PLASMA_MAX_OUTPUTS; i++)
        encode_output(buf, &tx->outputs[i]);
    plasma_rlp_list_end(buf, mark);
    plasma_rlp_put_bytes(buf, tx->metadata.b, sizeof tx->metadata.b);
}

int plasma_tx_encode_unsigned(plasma_buf *buf, const plasma_tx *tx)
{
    size_t mark = plasma_rlp_list_begin(buf);
    encode_body(buf, tx);
    return plasma_rlp_list_end(buf, mark);
}

int plasma_tx_encode_signed(plasma_buf *buf, const plasma_tx *tx)
{
    size_t mark = plasma_rlp_list_begin(buf);
    size_t sigs = plasma_rlp_list_begin(buf);
    for (unsigned i = 0; i < tx->n_sigs && i < PLASMA_MAX_INPUTS; i++)
        plasma_rlp_put_bytes(buf, tx->sigs[i].b, sizeof tx->sigs[i].b);
    plasma_rlp_list_end(buf, sigs);
    encode_body(buf, tx);
    return plasma_rlp_list_end(buf, mark);
}

int plasma_tx_hash(plasma_hash *out, const plasma_tx *tx)
{
    plasma_buf buf = {0};
    int rc = plasma_tx_encode_unsigned(&buf, tx);
    if (rc != 0)
        goto cleanup;
    plasma_keccak256(out, buf.data, buf.len);
cleanup:
    plasma_buf_free(&buf);
    return rc;
}

/* --- construction and comparison --- */

void plasma_tx_make_deposit(plasma_tx *out, const plasma_addr *owner, const plasma_addr *token,
                            const plasma_u256 *amount)
{
    memset(out, 0, sizeof *out);
    out->tx_type = PLASMA_TX_PAYMENT;
    out->n_outputs = 1;
    out->outputs[0] = (plasma_output){.owner = *owner, .token = *token, .amount = *amount};
}

void plasma_tx_make_fee(plasma_tx *out, uint64_t blknum, const plasma_addr *beneficiary,
                        const plasma_addr *token, const plasma_u256 *amount)
{
    memset(out, 0, sizeof *out);
    out->tx_type = PLASMA_TX_FEE;
    out->n_outputs = 1;
    out->outputs[0] = (plasma_output){.owner = *beneficiary, .token = *token, .amount = *amount};

    uint8_t seed[32 + sizeof token->b];
    plasma_u256 bn = plasma_u256_from_u64(blknum);
    plasma_u256_to_be(seed, &bn);
    memcpy(seed + 32, token->b, sizeof token->b);
    plasma_keccak256(&out->metadata, seed, sizeof seed);
}

static bool output_eq(const plasma_output *a, const plasma_output *b)
{
    return plasma_addr_eq(&a->owner, &b->owner) && plasma_addr_eq(&a->token, &b->token) &&
           plasma_u256_cmp(&a->amount, &b->amount) == 0;
}

bool plasma_tx_eq(const plasma_tx *a, const plasma_tx *b)
{
    if (a->tx_type != b->tx_type || a->n_inputs != b->n_inputs || a->n_outputs != b->n_outputs ||
        a->n_sigs != b->n_sigs || !plasma_hash_eq(&a->metadata, &b->metadata))
        return false;
    if (a->n_inputs > PLASMA_MAX_INPUTS || a->n_outputs > PLASMA_MAX_OUTPUTS || a->n_sigs > PLASMA_MAX_INPUTS)
        return false;
    for (unsigned i = 0; i < a->n_inputs; i++)
        if (a->inputs[i] != b->inputs[i])
            return false;
    for (unsigned i = 0; i < a->n_outputs; i++)
        if (!output_eq(&a->outputs[i], &b->outputs[i]))
            return false;
    for (unsigned i = 0; i < a->n_sigs; i++)
        if (memcmp(a->sigs[i].b, b->sigs[i].b, sizeof a->sigs[i].b) != 0)
            return false;
    return true;
}
