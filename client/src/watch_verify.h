/* Verifying a block the operator serves: its transactions decode, hash to
 * the root the root chain stores, and re-execute against the view (inputs
 * exist and are unspent, each is signed by its owner under the domain,
 * and the amount and fee rules of plasma/rules.h, the functions the
 * operator applies).
 *
 * In two stages. Preparing needs no view and runs on worker threads, one
 * chunk of transactions at a time: decoding, leaves (many-message Keccak),
 * EIP-712 digests and signer recovery. Executing is sequential, on the
 * view, with the signers already recovered, and gives the same verdicts a
 * one-thread check would. Internal to libplasma_client. */
#ifndef PLASMA_WATCH_VERIFY_H
#define PLASMA_WATCH_VERIFY_H

#include "watch_view.h"

/* Transactions per preparation task. */
#define WATCH_CHUNK_TXS 256u

/* A transaction, decoded, with its recovered signers. */
typedef struct watch_vtx {
    bool dropped; /* dropped by the operator before the seal: the empty leaf, nothing else */
    uint8_t type;
    uint8_t n_in, n_out;
    uint8_t n_sigs;
    bool sigs_ok; /* every input's signature recovers a key */
    uint64_t inputs[PLASMA_MAX_INPUTS];
    plasma_output outputs[PLASMA_MAX_OUTPUTS];
    plasma_addr signers[PLASMA_MAX_INPUTS];
    plasma_hash metadata;
} watch_vtx;

/* An output the block spends while an exit of it had started. */
typedef struct watch_exit_spend {
    uint64_t pos;
    plasma_addr owner;
    uint32_t txindex; /* the spending tx */
    uint32_t input;
} watch_exit_spend;

/* A served block on its way through verification. */
typedef struct watch_block {
    uint64_t blknum;
    plasma_buf body;    /* as served (the JSON form turned into the txs one after the other) */
    const uint8_t *txs; /* tx i is txs[offs[i] .. offs[i+1]); a dropped tx is 0x80 in both forms */
    size_t n;
    size_t cap; /* transactions offs, vtx and leaves have room for */
    size_t *offs;
    watch_vtx *vtx;
    plasma_hash *leaves;
    uint8_t *chunk_bad;            /* per chunk: a transaction did not decode */
    watch_exit_spend *exit_spends; /* found by watch_verify_execute */
    size_t n_exit_spends, cap_exit_spends;
} watch_block;

/* Takes body (a reply to GET /v1/blocks/{blknum}: the binary form when
 * binary, else the JSON object) and splits it into its transactions.
 * b is zeroed, or a block emptied by watch_block_clear, whose buffers are
 * used again (a full block needs about 45 MB: fresh pages for every block
 * cost page faults and zeroing). Returns 0, PLASMA_ERR_MALFORMED_TX (not
 * a block, another block, more than 65,536 transactions) or
 * PLASMA_ERR_NOMEM; b is freed with watch_block_free either way. */
int watch_block_parse(watch_block *b, uint64_t blknum, plasma_buf *body, bool binary);
void watch_block_free(watch_block *b);
/* Empties b, keeping its buffers (the body's among them) for the next
 * watch_block_parse. */
void watch_block_clear(watch_block *b);
/* Out: b's body buffer, emptied, for a download to fill (b keeps none). */
void watch_block_take_body(watch_block *b, plasma_buf *body);
size_t watch_block_chunks(const watch_block *b);
/* Bytes a parsed block holds, body and decoded transactions. */
size_t watch_block_weight(const watch_block *b);

/* Prepares chunk c of b (any thread; chunks in parallel). */
void watch_verify_prepare(watch_block *b, const plasma_domain *domain, size_t c);

/* Once every chunk is prepared: checks the root and re-executes the block
 * on the view, with the operator's minimum fees as far as they are known. Returns NULL (valid: its changes
 * are staged on the view, and b->exit_spends lists the exiting outputs it spent) or the reason it is invalid
 * (nothing staged). *err gets 0, or an error of the view (then the reason is not a verdict). */
const char *watch_verify_block(watch_view *v, const plasma_hash *root, const plasma_fee_policy *fees,
                               watch_block *b, int *err);

#endif
