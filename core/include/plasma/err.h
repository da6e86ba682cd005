/* One error enum shared by every library of the project.
 *
 * PLASMA_OK is 0; every error is negative and is passed upward unchanged.
 * Each value maps to one snake_case code (the "code" of an API error object,
 * PROTOCOL §7) and one short human message. */
#ifndef PLASMA_ERR_H
#define PLASMA_ERR_H

#include <stdarg.h>
#include <stddef.h>

typedef enum plasma_err {
    PLASMA_OK = 0,

    /* Transaction and ledger errors of the operator API (PROTOCOL §7). */
    PLASMA_ERR_MALFORMED_TX = -1,
    PLASMA_ERR_TOO_MANY_INPUTS = -2,
    PLASMA_ERR_TOO_MANY_OUTPUTS = -3,
    PLASMA_ERR_DUPLICATE_INPUTS = -4,
    PLASMA_ERR_AMOUNT_ZERO = -5,
    PLASMA_ERR_MISSING_SIGNATURE = -6,
    PLASMA_ERR_SUPERFLUOUS_SIGNATURE = -7,
    PLASMA_ERR_BAD_SIGNATURE = -8,
    PLASMA_ERR_UTXO_NOT_FOUND = -9,
    PLASMA_ERR_UTXO_SPENT = -10,
    PLASMA_ERR_UNAUTHORIZED_SPEND = -11,
    PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP = -12,
    PLASMA_ERR_FEE_TOO_LOW = -13,
    PLASMA_ERR_BLOCK_FULL = -14,
    PLASMA_ERR_NOT_FOUND = -15,
    PLASMA_ERR_PAYLOAD_TOO_LARGE = -16,
    PLASMA_ERR_INPUT_FINALIZED = -17, /* an input was finalized by an exit on the root chain */

    /* Generic input and system errors. */
    PLASMA_ERR_BAD_REQUEST = -20,     /* malformed JSON, hex, number, argument */
    PLASMA_ERR_MALFORMED_RLP = -21,   /* RLP that breaks a rule of PROTOCOL §1 */
    PLASMA_ERR_OVERFLOW = -22,        /* arithmetic past 2^256 - 1 or below 0 */
    PLASMA_ERR_NOMEM = -23,
    PLASMA_ERR_IO = -24,              /* storage or network failure */
    PLASMA_ERR_UNAUTHORIZED = -25,    /* admin token or keystore password missing or wrong */
    PLASMA_ERR_UNAVAILABLE = -26,     /* a peer (root chain, operator) cannot be reached */
    PLASMA_ERR_CONFIG = -27,          /* bad configuration value */
    PLASMA_ERR_INTERNAL = -28,
    PLASMA_ERR_USAGE = -29,              /* a command line the program cannot run (CLI) */
    PLASMA_ERR_METHOD_NOT_ALLOWED = -30, /* the path exists with another HTTP method */
    PLASMA_ERR_FORBIDDEN = -31,          /* a development control on a node without --dev */
    PLASMA_ERR_TIMEOUT = -32,            /* gave up waiting (a receipt, a deposit) */
    PLASMA_ERR_RATE_LIMITED = -33,       /* an address sends more requests than its limit */
    PLASMA_ERR_RPC = -34,                /* an Ethereum node answered a JSON-RPC error */
    PLASMA_ERR_REVERTED = -35,           /* reverted, for a reason that is not one of these codes */

    /* Root chain and exit game (PROTOCOL §6). */
    PLASMA_ERR_NOT_OPERATOR = -40,
    PLASMA_ERR_INSUFFICIENT_FUNDS = -41,
    PLASMA_ERR_BAD_BOND = -42,          /* bond value differs from the configured bond */
    PLASMA_ERR_BAD_PROOF = -43,
    PLASMA_ERR_NOT_OWNER = -44,
    PLASMA_ERR_EXIT_EXISTS = -45,       /* an exit of this output already started */
    PLASMA_ERR_OUTPUT_FINALIZED = -46,  /* the output was already paid out */
    PLASMA_ERR_BLOCK_NOT_FOUND = -47,
    PLASMA_ERR_EXIT_NOT_FOUND = -48,
    PLASMA_ERR_EXIT_NOT_ACTIVE = -49,   /* exit is challenged or finalized */
    PLASMA_ERR_BAD_CHALLENGE = -50,     /* tx does not spend the exiting output */
    PLASMA_ERR_BAD_NONCE = -51,         /* replayed or out-of-order call nonce */
    PLASMA_ERR_DEPOSIT_LIMIT = -52,     /* 999 deposits already in this interval */
    PLASMA_ERR_OUT_OF_GAS = -53,        /* call needs more gas than its limit */
    PLASMA_ERR_GAS_LIMIT = -54,         /* call's gas limit exceeds a block's */
    PLASMA_ERR_BAD_AMOUNT = -55,        /* zero or otherwise invalid amount */
    PLASMA_ERR_BAD_CALL = -56,          /* unknown or malformed root-chain call */
    PLASMA_ERR_PAYMENT_FAILED = -57,    /* a withdraw's transfer failed; the claim stays */

    /* In-flight exits and withdrawals (PROTOCOL §6b, docs/inflight.md). */
    PLASMA_ERR_BAD_INPUTS = -58,          /* input arrays do not match the tx's inputs */
    PLASMA_ERR_BAD_INPUT_TX = -59,        /* an input tx does not decode or lacks the output */
    PLASMA_ERR_IFE_EXISTS = -60,          /* an in-flight exit of this tx is open */
    PLASMA_ERR_IFE_NOT_FOUND = -61,       /* no open in-flight exit of this tx */
    PLASMA_ERR_FIRST_PHASE_OVER = -62,    /* the in-flight exit's first phase has ended */
    PLASMA_ERR_FIRST_PHASE_NOT_OVER = -63,
    PLASMA_ERR_BAD_INDEX = -64,           /* no input or output with that index */
    PLASMA_ERR_ALREADY_PIGGYBACKED = -65, /* piggybacked (or blocked) already */
    PLASMA_ERR_NOT_PIGGYBACKED = -66,
    PLASMA_ERR_BAD_COMPETITOR = -67,      /* competing tx does not spend the same input */
    PLASMA_ERR_NOT_OLDER = -68,           /* position not older than the recorded one */
    PLASMA_ERR_IFE_PROCESSING = -69,      /* processing of the in-flight exit has begun */
    PLASMA_ERR_IFE_PIGGYBACKED = -70,     /* the in-flight exit was piggybacked */
    PLASMA_ERR_NOTHING_TO_WITHDRAW = -71,
    PLASMA_ERR_STORE_VERSION = -72,       /* a store written by another format version */
} plasma_err;

/* Returns the snake_case API code of err ("malformed_tx", ...), never NULL.
 * Unknown values give "internal". */
const char *plasma_err_code(int err);

/* Returns the plasma_err whose code is code, or PLASMA_ERR_INTERNAL when no
 * error has that code (NULL included). */
int plasma_err_from_code(const char *code);

/* The errors in table order, PLASMA_OK excluded: plasma_err_nth(i) for
 * i < plasma_err_count() (docs and tests list them from here). */
size_t plasma_err_count(void);
int plasma_err_nth(size_t i);

/* Returns a one-line English message for err, never NULL. */
const char *plasma_err_message(int err);

/* Returns the HTTP status an API should answer err with (400, 401, 403,
 * 404, 405, 409, 413, 500, 502, 503, 504). */
int plasma_err_http_status(int err);

/* Writes the printf-style message into err (err_len bytes, cut to fit) and
 * returns code: for a function that reports an error code with a line
 * saying what went wrong. */
int plasma_err_printf(int code, char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same with the arguments as a va_list. */
int plasma_err_vprintf(int code, char *err, size_t err_len, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

#endif
