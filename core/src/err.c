/* The error table: one row per plasma_err, so that the API code, the message
 * and the HTTP status of an error are defined together and cannot drift. */
#include "plasma/err.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct err_row {
    int err;
    int http_status;
    const char *code;
    const char *message;
} err_row;

static const err_row err_table[] = {
    {PLASMA_OK, 200, "ok", "success"},

    {PLASMA_ERR_MALFORMED_TX, 400, "malformed_tx", "transaction is malformed"},
    {PLASMA_ERR_TOO_MANY_INPUTS, 400, "too_many_inputs", "transaction has more than 4 inputs"},
    {PLASMA_ERR_TOO_MANY_OUTPUTS, 400, "too_many_outputs", "transaction has more than 4 outputs"},
    {PLASMA_ERR_DUPLICATE_INPUTS, 400, "duplicate_inputs", "transaction spends an input twice"},
    {PLASMA_ERR_AMOUNT_ZERO, 400, "amount_zero", "output amount is zero"},
    {PLASMA_ERR_MISSING_SIGNATURE, 400, "missing_signature", "an input has no signature"},
    {PLASMA_ERR_SUPERFLUOUS_SIGNATURE, 400, "superfluous_signature", "more signatures than inputs"},
    {PLASMA_ERR_BAD_SIGNATURE, 400, "bad_signature", "signature is invalid"},
    {PLASMA_ERR_UTXO_NOT_FOUND, 404, "utxo_not_found", "output does not exist"},
    {PLASMA_ERR_UTXO_SPENT, 409, "utxo_spent", "output is already spent"},
    {PLASMA_ERR_UNAUTHORIZED_SPEND, 403, "unauthorized_spend", "signer does not own the output it spends"},
    {PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP, 400, "amounts_do_not_add_up",
     "outputs exceed inputs or a sum overflows"},
    {PLASMA_ERR_FEE_TOO_LOW, 400, "fee_too_low", "fee is below the operator's minimum"},
    {PLASMA_ERR_BLOCK_FULL, 503, "block_full", "block is full, retry later"},
    {PLASMA_ERR_NOT_FOUND, 404, "not_found", "no such transaction, block, call, account or endpoint"},
    {PLASMA_ERR_PAYLOAD_TOO_LARGE, 413, "payload_too_large", "request body is too large"},
    {PLASMA_ERR_INPUT_FINALIZED, 409, "input_finalized",
     "an input was finalized by an exit on the root chain"},

    {PLASMA_ERR_BAD_REQUEST, 400, "bad_request", "request is malformed (JSON, hex, a number, a field)"},
    {PLASMA_ERR_MALFORMED_RLP, 400, "malformed_rlp", "RLP encoding is malformed"},
    {PLASMA_ERR_OVERFLOW, 400, "overflow", "number out of range"},
    {PLASMA_ERR_NOMEM, 500, "nomem", "out of memory"},
    {PLASMA_ERR_IO, 500, "io", "storage or network failure"},
    {PLASMA_ERR_UNAUTHORIZED, 401, "unauthorized", "admin token or password missing or wrong"},
    {PLASMA_ERR_UNAVAILABLE, 503, "unavailable", "a peer (operator, root chain) cannot be reached"},
    {PLASMA_ERR_CONFIG, 500, "config", "bad configuration value"},
    {PLASMA_ERR_INTERNAL, 500, "internal", "internal error"},
    {PLASMA_ERR_USAGE, 400, "usage", "command line is malformed (see --help)"},
    {PLASMA_ERR_METHOD_NOT_ALLOWED, 405, "method_not_allowed", "the path does not accept this method"},
    {PLASMA_ERR_FORBIDDEN, 403, "forbidden", "development controls need a node started with --dev"},
    {PLASMA_ERR_TIMEOUT, 504, "timeout", "gave up waiting"},
    {PLASMA_ERR_RATE_LIMITED, 429, "rate_limited", "too many requests from this address, slow down"},
    {PLASMA_ERR_RPC, 502, "rpc_error", "the Ethereum node refused the request"},
    {PLASMA_ERR_REVERTED, 409, "reverted", "the call reverted"},

    {PLASMA_ERR_NOT_OPERATOR, 403, "not_operator", "caller is not the operator"},
    {PLASMA_ERR_INSUFFICIENT_FUNDS, 409, "insufficient_funds", "not enough funds for amount, gas or bond"},
    {PLASMA_ERR_BAD_BOND, 400, "bad_bond", "bond differs from the configured bond"},
    {PLASMA_ERR_BAD_PROOF, 400, "bad_proof", "inclusion proof is invalid"},
    {PLASMA_ERR_NOT_OWNER, 403, "not_owner", "caller does not own the output"},
    {PLASMA_ERR_EXIT_EXISTS, 409, "exit_exists", "an exit of this output already started"},
    {PLASMA_ERR_OUTPUT_FINALIZED, 409, "output_finalized", "output was already paid out"},
    {PLASMA_ERR_BLOCK_NOT_FOUND, 404, "block_not_found", "block does not exist"},
    {PLASMA_ERR_EXIT_NOT_FOUND, 404, "exit_not_found", "exit does not exist"},
    {PLASMA_ERR_EXIT_NOT_ACTIVE, 409, "exit_not_active", "exit is challenged or finalized"},
    {PLASMA_ERR_BAD_CHALLENGE, 400, "bad_challenge", "tx does not spend the exiting output"},
    {PLASMA_ERR_BAD_NONCE, 409, "bad_nonce", "replayed or out-of-order nonce"},
    {PLASMA_ERR_DEPOSIT_LIMIT, 409, "deposit_limit", "999 deposits already in this interval"},
    {PLASMA_ERR_OUT_OF_GAS, 400, "out_of_gas", "call needs more gas than its limit"},
    {PLASMA_ERR_GAS_LIMIT, 400, "gas_limit", "call's gas limit exceeds a block's"},
    {PLASMA_ERR_BAD_AMOUNT, 400, "bad_amount", "amount is zero or invalid"},
    {PLASMA_ERR_BAD_CALL, 400, "bad_call", "unknown or malformed root-chain call"},
    {PLASMA_ERR_PAYMENT_FAILED, 409, "payment_failed", "the transfer failed; the claim stays withdrawable"},

    {PLASMA_ERR_BAD_INPUTS, 400, "bad_inputs", "input txs, positions or proofs do not match the tx's inputs"},
    {PLASMA_ERR_BAD_INPUT_TX, 400, "bad_input_tx", "an input tx is malformed or has no such output"},
    {PLASMA_ERR_IFE_EXISTS, 409, "ife_exists", "an in-flight exit of this tx is open"},
    {PLASMA_ERR_IFE_NOT_FOUND, 404, "ife_not_found", "no open in-flight exit of this tx"},
    {PLASMA_ERR_FIRST_PHASE_OVER, 409, "first_phase_over", "the in-flight exit's first phase is over"},
    {PLASMA_ERR_FIRST_PHASE_NOT_OVER, 409, "first_phase_not_over",
     "the in-flight exit's first phase is not over"},
    {PLASMA_ERR_BAD_INDEX, 400, "bad_index", "the tx has no input or output with that index"},
    {PLASMA_ERR_ALREADY_PIGGYBACKED, 409, "already_piggybacked", "already piggybacked (or blocked)"},
    {PLASMA_ERR_NOT_PIGGYBACKED, 409, "not_piggybacked", "that input or output is not piggybacked"},
    {PLASMA_ERR_BAD_COMPETITOR, 400, "bad_competitor", "the competing tx does not spend the same input"},
    {PLASMA_ERR_NOT_OLDER, 409, "not_older", "the position is not older than the recorded one"},
    {PLASMA_ERR_IFE_PROCESSING, 409, "ife_processing", "processing of the in-flight exit has begun"},
    {PLASMA_ERR_IFE_PIGGYBACKED, 409, "ife_piggybacked", "the in-flight exit was piggybacked"},
    {PLASMA_ERR_NOTHING_TO_WITHDRAW, 409, "nothing_to_withdraw", "no deferred payment to withdraw"},
    {PLASMA_ERR_STORE_VERSION, 500, "store_version",
     "the data directory was written by another version of the root chain; start a new one"},
};

#define N_ROWS (sizeof err_table / sizeof err_table[0])

static const err_row *err_find(int err)
{
    for (size_t i = 0; i < N_ROWS; i++)
        if (err_table[i].err == err)
            return &err_table[i];
    return NULL;
}

/* Unknown values are reported as the internal error: a code outside the enum
 * can only come from a bug, and an API must still answer with a valid code. */
static const err_row *err_row_or_internal(int err)
{
    const err_row *row = err_find(err);
    return row ? row : err_find(PLASMA_ERR_INTERNAL);
}

const char *plasma_err_code(int err)
{
    return err_row_or_internal(err)->code;
}

const char *plasma_err_message(int err)
{
    return err_row_or_internal(err)->message;
}

int plasma_err_http_status(int err)
{
    return err_row_or_internal(err)->http_status;
}

int plasma_err_from_code(const char *code)
{
    /* Row 0 is PLASMA_OK: "ok" is not an error code. */
    for (size_t i = 1; code && i < N_ROWS; i++)
        if (strcmp(err_table[i].code, code) == 0)
            return err_table[i].err;
    return PLASMA_ERR_INTERNAL;
}

size_t plasma_err_count(void)
{
    return N_ROWS - 1;
}

int plasma_err_nth(size_t i)
{
    return i + 1 < N_ROWS ? err_table[i + 1].err : PLASMA_ERR_INTERNAL;
}

int plasma_err_vprintf(int code, char *err, size_t err_len, const char *fmt, va_list ap)
{
    if (err && err_len)
        vsnprintf(err, err_len, fmt, ap);
    return code;
}

int plasma_err_printf(int code, char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    plasma_err_vprintf(code, err, err_len, fmt, ap);
    va_end(ap);
    return code;
}
