/* The error table: one row per plasma_err, so that the API code, the message
 * and the HTTP status of an error are defined together and cannot drift. */
#include "plasma/err.h"

#include <stddef.h>
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
    {PLASMA_ERR_INSOLVENT, 409, "contract_insolvent",
     "contract holds less than the exit pays out (invalid exits were paid before it)"},
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
