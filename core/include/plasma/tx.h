/* Transactions of PROTOCOL §3 and positions of §2.
 *
 *   Output     = [outputType (=1), owner: bytes20, token: bytes20, amount: uint]
 *   UnsignedTx = [txType, [utxo_pos, ...], [Output, ...], metadata: bytes32]
 *   SignedTx   = [[sig65, ...], txType, inputs, outputs, metadata]
 *   txhash     = keccak256(rlp(UnsignedTx))
 */
#ifndef PLASMA_TX_H
#define PLASMA_TX_H

#include "plasma/types.h"

#define PLASMA_CHILD_BLOCK_INTERVAL 1000u
#define PLASMA_MAX_DEPOSITS_PER_INTERVAL 999u
#define PLASMA_MAX_TXS_PER_BLOCK 65536u
#define PLASMA_MAX_INPUTS 4
#define PLASMA_MAX_OUTPUTS 4
#define PLASMA_OUTPUT_TYPE_PAYMENT 1
#define PLASMA_TX_PAYMENT 1
#define PLASMA_TX_FEE 3
/* Largest RLP a SignedTx can have under the limits above (with room). */
#define PLASMA_TX_MAX_RLP 1024

/* utxo_pos = blknum * 1e9 + txindex * 1e4 + oindex */
#define PLASMA_POS_BLOCK 1000000000ull
#define PLASMA_POS_TX 10000ull

typedef struct plasma_output {
    plasma_addr owner;
    plasma_addr token; /* all zero: ETH */
    plasma_u256 amount;
} plasma_output;

typedef struct plasma_tx {
    uint8_t tx_type;
    uint8_t n_inputs;
    uint8_t n_outputs;
    uint8_t n_sigs;
    uint64_t inputs[PLASMA_MAX_INPUTS];
    plasma_output outputs[PLASMA_MAX_OUTPUTS];
    plasma_hash metadata;
    plasma_sig sigs[PLASMA_MAX_INPUTS];
} plasma_tx;

/* --- positions --- */

static inline uint64_t plasma_utxo_pos(uint64_t blknum, uint32_t txindex, uint32_t oindex)
{
    return blknum * PLASMA_POS_BLOCK + (uint64_t)txindex * PLASMA_POS_TX + oindex;
}
static inline uint64_t plasma_pos_blknum(uint64_t pos) { return pos / PLASMA_POS_BLOCK; }
static inline uint32_t plasma_pos_txindex(uint64_t pos)
{
    return (uint32_t)((pos % PLASMA_POS_BLOCK) / PLASMA_POS_TX);
}
static inline uint32_t plasma_pos_oindex(uint64_t pos) { return (uint32_t)(pos % PLASMA_POS_TX); }
/* True when pos names a possible output: blknum ≥ 1, txindex < 65536,
 * oindex < 4, and blknum small enough that the position fits in 64 bits. */
bool plasma_utxo_pos_valid(uint64_t pos);
/* True when blknum is a child (operator) block number: a non-zero multiple
 * of 1000. */
static inline bool plasma_is_child_blknum(uint64_t blknum)
{
    return blknum != 0 && blknum % PLASMA_CHILD_BLOCK_INTERVAL == 0;
}

/* --- decoding --- */

/* Decodes and statelessly validates a SignedTx as submitted to the operator:
 * a payment (txType 1) with 1-4 distinct valid inputs, 1-4 outputs of type 1
 * with owner ≠ 0 and amount > 0, per-token sums within 2^256 - 1, exactly
 * one well-formed signature (plasma_sig_check) per input.
 * Returns 0 or one of PLASMA_ERR_MALFORMED_TX, _TOO_MANY_INPUTS,
 * _TOO_MANY_OUTPUTS, _DUPLICATE_INPUTS, _AMOUNT_ZERO, _MISSING_SIGNATURE,
 * _SUPERFLUOUS_SIGNATURE, _BAD_SIGNATURE, _AMOUNTS_DO_NOT_ADD_UP (a sum
 * overflows). *out is unspecified on failure. Signers are not recovered. */
int plasma_tx_decode_signed(plasma_tx *out, const uint8_t *buf, size_t len);

/* Decodes an UnsignedTx of any valid kind: a payment as above (without
 * signatures), a deposit (type 1, no inputs, one output, zero metadata) or
 * a fee transaction (type 3, no inputs, one output). n_sigs is 0.
 * Returns 0 or an error as plasma_tx_decode_signed. */
int plasma_tx_decode_unsigned(plasma_tx *out, const uint8_t *buf, size_t len);

/* As plasma_tx_decode_signed but also accepting deposit-form transactions
 * (no inputs, no signatures), as blocks from GET /v1/blocks carry them.
 * Fee transactions (type 3) have that form too and are accepted; both then
 * follow the rules of plasma_tx_decode_unsigned. */
int plasma_tx_decode_block_tx(plasma_tx *out, const uint8_t *buf, size_t len);

/* The stateless rules on an already decoded tx (what the decoders apply).
 * with_sigs: also require one valid-format signature per input. */
int plasma_tx_check(const plasma_tx *tx, bool with_sigs);

/* --- encoding --- */

/* Append rlp(UnsignedTx) / rlp(SignedTx) to buf. Return 0 or
 * PLASMA_ERR_NOMEM. */
int plasma_tx_encode_unsigned(plasma_buf *buf, const plasma_tx *tx);
int plasma_tx_encode_signed(plasma_buf *buf, const plasma_tx *tx);

/* txhash = keccak256(rlp(UnsignedTx)). Returns 0 or PLASMA_ERR_NOMEM. */
int plasma_tx_hash(plasma_hash *out, const plasma_tx *tx);

/* Fills a deposit tx: type 1, no inputs, one output, zero metadata. */
void plasma_tx_make_deposit(plasma_tx *out, const plasma_addr *owner, const plasma_addr *token,
                            const plasma_u256 *amount);
/* Fills a fee tx of PROTOCOL §5: type 3, one output to beneficiary,
 * metadata = keccak256(uint256(blknum) ‖ token). */
void plasma_tx_make_fee(plasma_tx *out, uint64_t blknum, const plasma_addr *beneficiary,
                        const plasma_addr *token, const plasma_u256 *amount);

/* True when a and b are the same transaction (all fields, signatures too). */
bool plasma_tx_eq(const plasma_tx *a, const plasma_tx *b);

#endif
