/* Ethereum JSON-RPC over HTTP(S): single calls and batches, timeouts, and
 * retries with capped exponential backoff and jitter (docs/eth.md).
 *
 * A failed attempt is retried when the endpoint could not be reached, timed
 * out, or answered HTTP 429 or 5xx. A JSON-RPC error in an answer is not
 * retried: it is returned as PLASMA_ERR_RPC with its code and message, or,
 * when it carries revert data, as the error the revert names (a custom
 * error of the project → its plasma_err, anything else PLASMA_ERR_REVERTED).
 *
 * A handle is used by one thread at a time; make one per thread. */
#ifndef PLASMA_ETH_RPC_H
#define PLASMA_ETH_RPC_H

#include <jansson.h>

#include "plasma/eth_abi.h"
#include "plasma/types.h"

typedef struct plasma_eth_rpc_config {
    const char *url;         /* http:// or https:// endpoint (copied) */
    long connect_timeout_ms; /* per attempt; default 5 000 */
    long timeout_ms;         /* per attempt, whole request; default 30 000 */
    unsigned max_attempts;   /* tries per call, the first included; default 5 */
    long backoff_base_ms;    /* the delay before the first retry; default 250 */
    long backoff_max_ms;     /* cap on one delay; default 8 000 */
    size_t max_reply_bytes;  /* a longer answer is refused; default 64 MiB */
    uint64_t jitter_seed;    /* 0: seeded from the OS */
    /* How to wait between attempts (default: nanosleep). Tests record the
     * delays instead of sleeping. */
    void (*sleep_ms)(void *ctx, long ms);
    void *sleep_ctx;
} plasma_eth_rpc_config;

/* Fills cfg with the defaults above (url NULL). */
void plasma_eth_rpc_config_default(plasma_eth_rpc_config *cfg);

/* Details of the last failed call on a handle. */
typedef struct plasma_eth_rpc_error {
    int err;           /* what the call returned */
    long code;         /* the JSON-RPC error code, 0 when none came back */
    long http_status;  /* the last HTTP status, 0 when none came back */
    unsigned attempts; /* attempts made */
    char message[320]; /* one line: the method and what went wrong */
    bool reverted;     /* the node reported a revert; then revert is filled */
    plasma_eth_revert revert;
} plasma_eth_rpc_error;

typedef struct plasma_eth_rpc plasma_eth_rpc;

/* Returns 0, PLASMA_ERR_CONFIG (no URL, not http(s), a bound out of range:
 * timeouts and delays 1..3 600 000 ms, attempts 1..100, reply 1 KiB..1 GiB)
 * or PLASMA_ERR_NOMEM. No request is made. */
int plasma_eth_rpc_new(plasma_eth_rpc **out, const plasma_eth_rpc_config *cfg);
void plasma_eth_rpc_free(plasma_eth_rpc *rpc);

/* Calls method with params (a JSON array, borrowed; NULL for none).
 * Out: *result, the answer's "result" (caller decrefs; JSON null is a
 * valid result). Returns 0, PLASMA_ERR_UNAVAILABLE (no usable answer after
 * every attempt), PLASMA_ERR_RPC (the node's error), the revert's error,
 * PLASMA_ERR_BAD_REQUEST (an answer that is not a JSON-RPC 2.0 reply to
 * this request), PLASMA_ERR_PAYLOAD_TOO_LARGE or PLASMA_ERR_NOMEM;
 * details in plasma_eth_rpc_last_error. */
int plasma_eth_rpc_call(plasma_eth_rpc *rpc, const char *method, const json_t *params, json_t **result);

/* One request of a batch. In: method, params (borrowed). Out: err (0 or
 * as plasma_eth_rpc_call), result (owned by the caller when err is 0),
 * code and message of a JSON-RPC error, and the revert when reverted. */
typedef struct plasma_eth_rpc_req {
    const char *method;
    const json_t *params;
    int err;
    json_t *result;
    long code;
    char message[160];
    bool reverted;
    plasma_eth_revert revert;
} plasma_eth_rpc_req;

/* Sends n requests as one JSON-RPC batch (retried as a whole) and matches
 * the answers to them by id, whatever their order. A node that refuses
 * batches (one error object, or a 4xx that is not JSON) gets these
 * requests and every later batch of the handle one at a time. Returns 0
 * when every request got an answer (each with its own err), or an error of
 * the whole batch as plasma_eth_rpc_call (then no result is set). */
int plasma_eth_rpc_batch(plasma_eth_rpc *rpc, plasma_eth_rpc_req *reqs, size_t n);

/* Details of the last failure on rpc (err 0 when the last call succeeded). */
const plasma_eth_rpc_error *plasma_eth_rpc_last_error(const plasma_eth_rpc *rpc);

/* The delay before retry number `retry` (1 for the first retry): with
 * d = min(backoff_max_ms, backoff_base_ms · 2^(retry − 1)), a value drawn
 * uniformly from [d/2, d] using the 64-bit state *rng (advanced). */
long plasma_eth_backoff_ms(const plasma_eth_rpc_config *cfg, unsigned retry, uint64_t *rng);

/* --- helpers for the quantities of the Ethereum API --- */

/* Parses a JSON-RPC quantity ("0x1a", no leading zeros but "0x0").
 * Returns 0 or PLASMA_ERR_BAD_REQUEST (not a string, not canonical hex) or
 * PLASMA_ERR_OVERFLOW. */
int plasma_eth_quantity_u64(uint64_t *out, const json_t *v);
int plasma_eth_quantity_u256(plasma_u256 *out, const json_t *v);
/* A new JSON string "0x..." for v (NULL when out of memory). */
json_t *plasma_eth_quantity_json(uint64_t v);
json_t *plasma_eth_quantity_u256_json(const plasma_u256 *v);
/* A new JSON string of 0x-hex data. */
json_t *plasma_eth_data_json(const uint8_t *data, size_t len);
/* Decodes 0x-hex data into *out (appended). Returns 0, PLASMA_ERR_BAD_REQUEST
 * or PLASMA_ERR_NOMEM. */
int plasma_eth_data_parse(plasma_buf *out, const json_t *v);
/* Reads a 0x-hex string of exactly len bytes. Returns 0 or
 * PLASMA_ERR_BAD_REQUEST. */
int plasma_eth_fixed_parse(uint8_t *out, size_t len, const json_t *v);

/* --- common calls --- */

/* eth_chainId, eth_blockNumber. */
int plasma_eth_chain_id(plasma_eth_rpc *rpc, uint64_t *out);
int plasma_eth_block_number(plasma_eth_rpc *rpc, uint64_t *out);

/* eth_getBalance(addr, "latest"). */
int plasma_eth_balance(plasma_eth_rpc *rpc, const plasma_addr *addr, plasma_u256 *out);

/* A block header. */
typedef struct plasma_eth_header {
    uint64_t number;
    plasma_hash hash;
    plasma_hash parent_hash;
    uint64_t timestamp;
    bool has_base_fee;
    plasma_u256 base_fee;
} plasma_eth_header;

/* Reads a header from an eth_getBlockByNumber answer. Returns 0,
 * PLASMA_ERR_NOT_FOUND (null: no such block) or PLASMA_ERR_BAD_REQUEST. */
int plasma_eth_header_from_json(plasma_eth_header *out, const json_t *block);

/* eth_getBlockByNumber(number, false). Returns 0, PLASMA_ERR_NOT_FOUND or
 * an error of plasma_eth_rpc_call. */
int plasma_eth_header_get(plasma_eth_rpc *rpc, uint64_t number, plasma_eth_header *out);

/* eth_getCode(addr, tag) (tag NULL: "latest"). Out: the code, appended to
 * *out (nothing for an account without code). */
int plasma_eth_code(plasma_eth_rpc *rpc, const plasma_addr *addr, const char *tag, plasma_buf *out);

/* eth_call of data to `to` (from: may be NULL; value: may be NULL) at
 * block `tag` ("latest", "pending", or a quantity; NULL for "latest").
 * Out: the returned bytes, appended to *ret. A revert is returned as its
 * error (plasma_eth_rpc_last_error has the details). */
int plasma_eth_call(plasma_eth_rpc *rpc, const plasma_addr *from, const plasma_addr *to,
                    const plasma_u256 *value, const uint8_t *data, size_t len, const char *tag,
                    plasma_buf *ret);

#endif
