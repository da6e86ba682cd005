/* EIP-1559 (type 2) transactions, and a sender that owns one account's
 * nonce: fees from eth_feeHistory, gas from eth_estimateGas, receipts
 * awaited to a number of confirmations, stuck transactions replaced with
 * bumped fees. The policies and their defaults are in docs/eth.md. */
#ifndef PLASMA_ETH_TX_H
#define PLASMA_ETH_TX_H

#include "plasma/eth_rpc.h"
#include "plasma/types.h"

/* A type-2 transaction with an empty access list. */
typedef struct plasma_eth_tx {
    uint64_t chain_id;
    uint64_t nonce;
    plasma_u256 max_priority_fee; /* maxPriorityFeePerGas, wei */
    plasma_u256 max_fee;          /* maxFeePerGas, wei */
    uint64_t gas_limit;
    bool create; /* contract creation: `to` is empty */
    plasma_addr to;
    plasma_u256 value;
    const uint8_t *data; /* borrowed */
    size_t data_len;
} plasma_eth_tx;

/* keccak256(0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas,
 * gasLimit, to, value, data, accessList])). Returns 0 or PLASMA_ERR_NOMEM. */
int plasma_eth_tx_signing_hash(plasma_hash *out, const plasma_eth_tx *tx);

/* Signs tx with key. Out: the raw bytes for eth_sendRawTransaction
 * (0x02 ‖ rlp([..., accessList, yParity, r, s])) appended to *raw, and the
 * transaction hash keccak256(raw) in *hash (may be NULL). Returns 0,
 * PLASMA_ERR_BAD_REQUEST (invalid key) or PLASMA_ERR_NOMEM. */
int plasma_eth_tx_sign(plasma_buf *raw, plasma_hash *hash, const plasma_eth_tx *tx,
                       const plasma_privkey *key);

/* The address of the contract that `sender` creates with nonce:
 * the last 20 bytes of keccak256(rlp([sender, nonce])). */
void plasma_eth_create_address(plasma_addr *out, const plasma_addr *sender, uint64_t nonce);

/* --- fees --- */

typedef struct plasma_eth_fee_policy {
    unsigned history_blocks;      /* blocks eth_feeHistory looks at; default 10 (1..1024) */
    unsigned reward_percentile;   /* of each block's priority fees; default 50 (0..100) */
    plasma_u256 min_priority_fee; /* floor, wei; default 1 gwei */
    unsigned base_fee_multiplier; /* maxFee = this × next base fee + priority; default 2 (1..16) */
    plasma_u256 max_fee_cap;      /* maxFee never above it (0: no cap); default 0 */
} plasma_eth_fee_policy;

typedef struct plasma_eth_fees {
    plasma_u256 max_priority_fee;
    plasma_u256 max_fee;
} plasma_eth_fees;

/* The fees policy gives for a feeHistory answer: priority = max(floor,
 * median of the blocks' rewards at the percentile); maxFee = multiplier ×
 * the next block's base fee (the answer's last baseFeePerGas) + priority,
 * both capped by max_fee_cap. Returns 0, PLASMA_ERR_BAD_REQUEST (a
 * malformed answer, or one without base fees) or PLASMA_ERR_OVERFLOW. */
int plasma_eth_fees_from_history(plasma_eth_fees *out, const plasma_eth_fee_policy *policy,
                                 const json_t *fee_history);

/* The fees of a replacement: each field max(old + old/8 rounded up, at
 * least old + 1, fresh), so that both rise by at least 12.5 % as nodes
 * require; then capped by policy->max_fee_cap (PLASMA_ERR_OVERFLOW when
 * the cap leaves no room to bump). */
int plasma_eth_fees_bump(plasma_eth_fees *out, const plasma_eth_fees *old, const plasma_eth_fees *fresh,
                         const plasma_eth_fee_policy *policy);

/* --- the sender --- */

typedef struct plasma_eth_sent {
    plasma_hash hash;
    uint64_t nonce;
    plasma_eth_fees fees;
    unsigned replacement; /* 0 for the first transaction of this nonce */
} plasma_eth_sent;

typedef struct plasma_eth_sender_config {
    plasma_privkey key;          /* copied and wiped by the sender */
    uint64_t chain_id;           /* 0: asked of the node (eth_chainId) */
    unsigned confirmations;      /* blocks mined on top of the receipt's block; default 1 */
    long poll_ms;                /* between receipt checks; default 1 000 */
    long replace_after_ms;       /* a transaction still unmined this long is replaced; default 60 000 */
    unsigned max_replacements;   /* then it is only waited for; default 5 */
    long wait_timeout_ms;        /* plasma_eth_sender_wait gives up after it; default 900 000 */
    unsigned gas_margin_percent; /* gas limit = estimate + this % of it; default 25 */
    plasma_eth_fee_policy fees;
    /* Told of every transaction sent (first and replacements); may be NULL. */
    void (*on_sent)(void *ctx, const plasma_eth_sent *sent);
    void *ctx;
} plasma_eth_sender_config;

/* Fills cfg with the defaults above (key zero). */
void plasma_eth_sender_config_default(plasma_eth_sender_config *cfg);

/* What to send. */
typedef struct plasma_eth_txreq {
    bool create; /* contract creation: data is the init code */
    plasma_addr to;
    plasma_u256 value;
    const uint8_t *data; /* copied by plasma_eth_sender_send */
    size_t data_len;
    uint64_t gas_limit; /* 0: estimated */
} plasma_eth_txreq;

typedef struct plasma_eth_receipt {
    plasma_hash tx_hash; /* of the transaction that was mined (a replacement's, when it was) */
    plasma_hash block_hash;
    uint64_t block_number;
    uint64_t nonce;
    bool success; /* status 1 */
    uint64_t gas_used;
    plasma_u256 effective_gas_price;
    bool has_contract;
    plasma_addr contract_address;
    unsigned replacements; /* transactions sent for this nonce after the first */
} plasma_eth_receipt;

typedef struct plasma_eth_sender plasma_eth_sender;
typedef struct plasma_eth_pending plasma_eth_pending;

/* A sender over rpc (borrowed; the sender uses it from the caller's thread
 * only). Asks the node for the chain id when cfg->chain_id is 0. Returns 0,
 * PLASMA_ERR_CONFIG (an invalid key or a bound out of range),
 * PLASMA_ERR_NOMEM, or an error of plasma_eth_rpc_call. */
int plasma_eth_sender_new(plasma_eth_sender **out, plasma_eth_rpc *rpc, const plasma_eth_sender_config *cfg);
void plasma_eth_sender_free(plasma_eth_sender *s);

const plasma_addr *plasma_eth_sender_address(const plasma_eth_sender *s);

/* One line on the last failure of a sender function: "" after a success,
 * but for a send whose answer was lost (it says so). */
const char *plasma_eth_sender_errmsg(const plasma_eth_sender *s);

/* The nonce the next transaction gets (the node's pending count the first
 * time, then a local counter). Returns 0 or an rpc error. */
int plasma_eth_sender_next_nonce(plasma_eth_sender *s, uint64_t *out);

/* Signs and broadcasts req with the next nonce. The gas limit is estimated
 * first when req->gas_limit is 0, so a call the contract would refuse is
 * refused here with the contract's error (PLASMA_ERR_BAD_BOND, ...) and no
 * nonce is used. A "nonce too low" answer resynchronises the nonce with
 * the node and signs again. A broadcast whose answer never came (the node
 * unreachable after every attempt) may have reached the node: it counts as
 * sent, and waiting finds it mined or sends it again. Out: a pending
 * transaction (caller frees with plasma_eth_pending_free, before freeing
 * the sender). Returns 0, the revert's error,
 * PLASMA_ERR_INSUFFICIENT_FUNDS, PLASMA_ERR_RPC, PLASMA_ERR_UNAVAILABLE
 * (nothing was sent), PLASMA_ERR_NOMEM. */
int plasma_eth_sender_send(plasma_eth_sender *s, const plasma_eth_txreq *req, plasma_eth_pending **out);

/* As plasma_eth_sender_send, but with the given nonce: for a transaction
 * that must take the place of one an earlier run left in the node's pool
 * (the account's mined count is below its pending count). A "replacement
 * underpriced" answer bumps the fees (as a replacement does) and sends
 * again, at most max_replacements times. Then it is waited for and
 * replaced like any pending transaction. Returns as plasma_eth_sender_send,
 * or PLASMA_ERR_BAD_NONCE when the nonce was mined meanwhile or the pool's
 * transaction still pays more (nothing was sent). */
int plasma_eth_sender_send_at(plasma_eth_sender *s, const plasma_eth_txreq *req, uint64_t nonce,
                              plasma_eth_pending **out);

/* One step of waiting, without sleeping: looks for a receipt of any
 * transaction sent for p's nonce, counts its confirmations, and replaces
 * the transaction when it has waited replace_after_ms. Out: *done true and
 * *receipt filled once the receipt has its confirmations. Returns 0,
 * PLASMA_ERR_REVERTED or the decoded revert's error when the mined
 * transaction failed (*done true, receipt filled), PLASMA_ERR_BAD_NONCE
 * when the nonce was taken by a transaction the sender did not send, or an
 * rpc error (the transaction may still be mined: poll again). */
int plasma_eth_pending_poll(plasma_eth_sender *s, plasma_eth_pending *p, bool *done,
                            plasma_eth_receipt *receipt);

/* Polls every poll_ms until done, through rpc failures (unavailable), or
 * until wait_timeout_ms (PLASMA_ERR_TIMEOUT, with the pending transaction
 * still valid to wait for again). */
int plasma_eth_sender_wait(plasma_eth_sender *s, plasma_eth_pending *p, plasma_eth_receipt *receipt);

/* send + wait. */
int plasma_eth_sender_transact(plasma_eth_sender *s, const plasma_eth_txreq *req,
                               plasma_eth_receipt *receipt);

/* What was last sent for p. */
const plasma_eth_sent *plasma_eth_pending_last(const plasma_eth_pending *p);

void plasma_eth_pending_free(plasma_eth_pending *p);

#endif
