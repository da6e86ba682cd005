/* The validity rules of PROTOCOL §3 and §5 that need more than the
 * transaction itself: the amounts and the fee of a payment against the
 * outputs it spends, and the fee transactions that close a block. The
 * operator applies them when it accepts a payment and seals a block, the
 * watcher when it re-executes a block; both call these functions, so that
 * they cannot disagree. (The stateless rules are plasma_tx_check; that each
 * input is signed by its output's owner is checked by whoever recovers the
 * signers.) */
#ifndef PLASMA_RULES_H
#define PLASMA_RULES_H

#include "plasma/tx.h"

/* The minimum fee for one token. */
typedef struct plasma_fee_rule {
    plasma_addr token;
    plasma_u256 min_fee;
} plasma_fee_rule;

/* The operator's minimum fees: per token where a rule names it, else
 * min_fee. A watcher that does not know the operator's settings uses all
 * zeros (every fee allowed). */
typedef struct plasma_fee_policy {
    plasma_u256 min_fee;
    const plasma_fee_rule *rules;
    size_t n_rules;
} plasma_fee_policy;

/* A fee paid in one token (amount 0: none). */
typedef struct plasma_fee {
    plasma_addr token;
    plasma_u256 amount;
} plasma_fee;

/* The minimum fee of token under p. */
const plasma_u256 *plasma_fee_policy_min(const plasma_fee_policy *p, const plasma_addr *token);

/* The amount rules of a payment (PROTOCOL §3): spent[i] is the output that
 * tx->inputs[i] spends. Per token Σ inputs ≥ Σ outputs, no sum past
 * 2^256 − 1; the surplus (the fee) is in one token at most and at least
 * that token's minimum; a payment without surplus needs a token of the tx
 * whose minimum is 0.
 * Out: *fee, the surplus (amount 0 when none).
 * Returns 0, PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP or PLASMA_ERR_FEE_TOO_LOW. */
int plasma_rules_check_amounts(plasma_fee *fee, const plasma_tx *tx, const plasma_output *spent,
                               const plasma_fee_policy *policy);

/* The fees collected by a block's payments, one total per token. A total
 * saturates at 2^256 − 1 (it cannot pass a token's supply unless the token
 * itself overflows, and a hostile token must not fail the block). */
typedef struct plasma_block_fees {
    plasma_fee *fees;
    size_t n;
    size_t cap;
} plasma_block_fees;

/* Adds a payment's fee (an amount of 0 adds nothing). Returns 0 or
 * PLASMA_ERR_NOMEM (f unchanged). */
int plasma_block_fees_add(plasma_block_fees *f, const plasma_fee *fee);
/* The entry of token, or NULL. */
const plasma_fee *plasma_block_fees_find(const plasma_block_fees *f, const plasma_addr *token);
/* Sorts the totals in ascending token byte order: the order of the fee
 * transactions in a block (docs/protocol.md). */
void plasma_block_fees_sort(plasma_block_fees *f);
void plasma_block_fees_free(plasma_block_fees *f);

/* The form of a block's transactions (PROTOCOL §5): payments (type 1, at
 * least one input) first, then only fee transactions (type 3). A deposit-
 * form transaction has no place in a child block.
 * Out: *n_payments. Returns 0 or PLASMA_ERR_MALFORMED_TX (*why, when not
 * NULL, gets a one-line reason). */
int plasma_block_check_order(size_t *n_payments, const plasma_tx *txs, size_t n, const char **why);
/* The same rule one transaction at a time, for a caller that walks a block
 * in order: *in_fees starts false and turns true at the first fee
 * transaction. Returns 0 or PLASMA_ERR_MALFORMED_TX (*why as above). */
int plasma_block_check_tx_order(bool *in_fees, const plasma_tx *tx, const char **why);

/* The fee transactions closing child block blknum: exactly one per token
 * of f (sorted), in ascending token order, each plasma_tx_make_fee of that
 * token's total to beneficiary (NULL: any one owner, the same for all).
 * Returns 0, PLASMA_ERR_MALFORMED_TX (wrong form, metadata, order or
 * owner) or PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP (a total differs, a fee
 * transaction is missing or has no fees to claim); *why (may be NULL)
 * gets a one-line reason. */
int plasma_block_check_fee_txs(const plasma_block_fees *f, uint64_t blknum, const plasma_addr *beneficiary,
                               const plasma_tx *fee_txs, size_t n, const char **why);

#endif
