/* Fuzz target: the transaction decoders (PROTOCOL §3).
 *
 * The input goes through plasma_tx_decode_signed, plasma_tx_decode_unsigned
 * and plasma_tx_decode_block_tx. None may crash or return an error outside
 * its contract. Whatever decodes must satisfy plasma_tx_check and encode
 * back to the input byte for byte (the codec is strict, so each tx has one
 * encoding); a valid signed tx must also be a valid block tx, and its
 * unsigned form must decode as a valid unsigned tx. */
#include <string.h>

#include "fuzz.h"
#include "plasma/err.h"
#include "plasma/tx.h"

typedef int (*encode_fn)(plasma_buf *buf, const plasma_tx *tx);

static bool is_tx_error(int rc)
{
    switch (rc) {
    case PLASMA_ERR_MALFORMED_TX:
    case PLASMA_ERR_TOO_MANY_INPUTS:
    case PLASMA_ERR_TOO_MANY_OUTPUTS:
    case PLASMA_ERR_DUPLICATE_INPUTS:
    case PLASMA_ERR_AMOUNT_ZERO:
    case PLASMA_ERR_MISSING_SIGNATURE:
    case PLASMA_ERR_SUPERFLUOUS_SIGNATURE:
    case PLASMA_ERR_BAD_SIGNATURE:
    case PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP:
        return true;
    default:
        return false;
    }
}

static void check_reencodes(const plasma_tx *tx, encode_fn encode, const uint8_t *data, size_t size)
{
    plasma_buf buf = {0};
    FUZZ_CHECK(encode(&buf, tx) == 0);
    FUZZ_CHECK(buf.len == size && memcmp(buf.data, data, size) == 0);
    plasma_buf_free(&buf);
}

static void check_limits(const plasma_tx *tx)
{
    FUZZ_CHECK(tx->n_inputs <= PLASMA_MAX_INPUTS && tx->n_outputs <= PLASMA_MAX_OUTPUTS);
    FUZZ_CHECK(tx->n_sigs <= PLASMA_MAX_INPUTS && tx->n_outputs >= 1);
    FUZZ_CHECK(tx->tx_type == PLASMA_TX_PAYMENT || tx->tx_type == PLASMA_TX_FEE);
    for (unsigned i = 0; i < tx->n_inputs; i++)
        FUZZ_CHECK(plasma_utxo_pos_valid(tx->inputs[i]));
    FUZZ_CHECK(plasma_tx_eq(tx, tx));
}

/* The unsigned form of a valid signed tx is a valid unsigned tx. */
static void check_unsigned_form(const plasma_tx *signed_tx)
{
    plasma_buf buf = {0};
    FUZZ_CHECK(plasma_tx_encode_unsigned(&buf, signed_tx) == 0);
    plasma_tx back, want = *signed_tx;
    want.n_sigs = 0;
    memset(want.sigs, 0, sizeof want.sigs);
    FUZZ_CHECK(plasma_tx_decode_unsigned(&back, buf.data, buf.len) == 0);
    FUZZ_CHECK(plasma_tx_eq(&back, &want));
    plasma_hash h;
    FUZZ_CHECK(plasma_tx_hash(&h, signed_tx) == 0);
    plasma_buf_free(&buf);
}

static void fuzz_signed(const uint8_t *data, size_t size)
{
    plasma_tx tx, block_tx;
    int rc = plasma_tx_decode_signed(&tx, data, size);
    FUZZ_CHECK(rc == 0 || is_tx_error(rc));
    if (rc != 0)
        return;
    check_limits(&tx);
    FUZZ_CHECK(tx.tx_type == PLASMA_TX_PAYMENT && tx.n_inputs >= 1 && tx.n_sigs == tx.n_inputs);
    FUZZ_CHECK(plasma_tx_check(&tx, true) == 0);
    check_reencodes(&tx, plasma_tx_encode_signed, data, size);
    FUZZ_CHECK(plasma_tx_decode_block_tx(&block_tx, data, size) == 0);
    FUZZ_CHECK(plasma_tx_eq(&tx, &block_tx));
    check_unsigned_form(&tx);
}

static void fuzz_unsigned(const uint8_t *data, size_t size)
{
    plasma_tx tx;
    int rc = plasma_tx_decode_unsigned(&tx, data, size);
    FUZZ_CHECK(rc == 0 || is_tx_error(rc));
    if (rc != 0)
        return;
    check_limits(&tx);
    FUZZ_CHECK(tx.n_sigs == 0);
    FUZZ_CHECK(plasma_tx_check(&tx, false) == 0);
    check_reencodes(&tx, plasma_tx_encode_unsigned, data, size);
}

static void fuzz_block_tx(const uint8_t *data, size_t size)
{
    plasma_tx tx;
    int rc = plasma_tx_decode_block_tx(&tx, data, size);
    FUZZ_CHECK(rc == 0 || is_tx_error(rc));
    if (rc != 0)
        return;
    check_limits(&tx);
    FUZZ_CHECK(tx.n_sigs == tx.n_inputs);
    check_reencodes(&tx, plasma_tx_encode_signed, data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_signed(data, size);
    fuzz_unsigned(data, size);
    fuzz_block_tx(data, size);
    return 0;
}
