/* The operator's ledger: the UTXO set, the open block and sealed blocks, kept
 * durable in a LevelDB store under one data directory.
 *
 * Submitting: a transaction is checked statelessly (plasma_tx_decode_signed),
 * then against the UTXO set (inputs exist, are unspent, including by earlier
 * pending transactions, and are signed by their owners; per-token sums and
 * the fee rule of PROTOCOL §3), then given the next index of the open block.
 * A successful return means durable: a committer thread writes accepted
 * transactions in one synced batch per few milliseconds and only then wakes
 * the submitters. After a crash at any instant the ledger reopens with every
 * acknowledged transaction at its acknowledged position and nothing else.
 *
 * Sealing: when the open block is full, when it has held transactions for
 * the seal interval, or on request, the block is closed; the committer
 * appends the fee transactions of PROTOCOL §5 (tokens in ascending byte
 * order), computes the Merkle root and persists the block atomically. Sealed
 * blocks are handed to the root chain in order (plasma_ledger_next_unsubmitted).
 *
 * All functions are thread-safe. */
#ifndef PLASMA_LEDGER_H
#define PLASMA_LEDGER_H

#include "plasma/eip712.h"
#include "plasma/merkle.h"
#include "plasma/rules.h"
#include "plasma/tx.h"
#include "plasma/types.h"

typedef struct plasma_ledger plasma_ledger;

typedef struct plasma_ledger_config {
    const char *data_dir;             /* created if missing */
    plasma_domain domain;             /* signing domain of the chain */
    plasma_addr fee_beneficiary;      /* owner of fee outputs: the operator */
    plasma_u256 min_fee;              /* for tokens without a rule */
    const plasma_fee_rule *fee_rules; /* copied */
    size_t n_fee_rules;
    size_t utxo_cache_bytes;         /* in-memory UTXO index bound; 0 = unbounded */
    size_t pubkey_cache_entries;     /* owner → public key cache */
    size_t store_cache_mb;           /* LevelDB block cache */
    unsigned sig_threads;            /* signature workers; 0 = cores - 1 */
    bool sig_verify_cached;          /* verify repeat senders against a cached key */
    unsigned commit_linger_us;       /* how long a group commit waits to grow */
    unsigned commit_max_txs;         /* a group commit is written at this size */
    uint32_t block_capacity;         /* transactions per block, fee txs included */
    unsigned seal_interval_ms;       /* seal this long after the first pending tx; 0 = never */
    unsigned max_unsubmitted_blocks; /* sealed blocks awaiting the root chain before block_full */
    /* Called (from the committer thread, no lock held) after a block is
     * sealed durably; may be NULL. */
    void (*on_sealed)(void *ctx, uint64_t blknum);
    void *hook_ctx;
} plasma_ledger_config;

/* Fills the defaults: capacity 65 536, seal interval 1 s, linger 1 ms, 4096
 * txs per commit, min fee 0, caches of 512 MiB / 1M keys / 64 MiB. */
void plasma_ledger_config_default(plasma_ledger_config *cfg);

/* Opens or creates the ledger in cfg->data_dir, recovering the open block
 * and sealing blocks that were closed before a crash. A data directory made
 * for another chain id or verifying contract is refused (PLASMA_ERR_CONFIG).
 * Returns 0, PLASMA_ERR_CONFIG, PLASMA_ERR_IO or PLASMA_ERR_NOMEM, with a
 * one-line reason in err (err_len bytes). */
int plasma_ledger_open(plasma_ledger **out, const plasma_ledger_config *cfg, char *err, size_t err_len);

/* Writes what is accepted, stops the committer, closes the store. The open
 * block stays open (it is recovered on the next open). NULL-safe. */
void plasma_ledger_free(plasma_ledger *l);

/* The position an accepted transaction has. */
typedef struct plasma_ledger_receipt {
    plasma_hash txhash;
    uint64_t blknum;
    uint32_t txindex;
} plasma_ledger_receipt;

typedef struct plasma_tx_bytes {
    const uint8_t *data;
    size_t len;
} plasma_tx_bytes;

/* Submits one SignedTx (RLP) and waits until it is durable.
 * Returns 0 (*out written) or a PROTOCOL §7 error: a decoding error of
 * plasma_tx_decode_signed, PLASMA_ERR_UTXO_NOT_FOUND, _UTXO_SPENT,
 * _BAD_SIGNATURE, _UNAUTHORIZED_SPEND, _AMOUNTS_DO_NOT_ADD_UP, _FEE_TOO_LOW,
 * _BLOCK_FULL; or PLASMA_ERR_IO once the store has failed. */
int plasma_ledger_submit(plasma_ledger *l, plasma_ledger_receipt *out, const uint8_t *rlp, size_t len);

/* Development only (--dev): as plasma_ledger_submit, but without checking
 * that the inputs are signed by their owners; every other rule holds. */
int plasma_ledger_submit_unchecked_owner(plasma_ledger *l, plasma_ledger_receipt *out, const uint8_t *rlp,
                                         size_t len);

/* Submits n transactions in order, as n calls to plasma_ledger_submit would,
 * but checking signatures in parallel and committing together; a later
 * transaction may spend an output of an earlier one. Out: errs[i] (0 or an
 * error as above) and, where errs[i] is 0, out[i]. Returns when all accepted
 * ones are durable. */
void plasma_ledger_submit_batch(plasma_ledger *l, plasma_ledger_receipt *out, int *errs,
                                const plasma_tx_bytes *txs, size_t n);

/* Closes the open block if it holds transactions and waits until it and
 * every earlier one are sealed. Out: *blknum the block sealed, or 0 when the
 * open block was empty. Returns 0, PLASMA_ERR_BLOCK_FULL (too many sealed
 * blocks await the root chain) or PLASMA_ERR_IO. */
int plasma_ledger_seal(plasma_ledger *l, uint64_t *blknum);

/* --- following the root chain --- */

typedef struct plasma_deposit {
    uint64_t blknum;
    plasma_addr owner;
    plasma_addr token;
    plasma_u256 amount;
    uint64_t timestamp; /* root-chain time of the deposit block */
} plasma_deposit;

/* Records deposits (spendable at once), then marks the outputs at exits[]
 * spent (an exit started on them), then stores the cursor value under name,
 * all in one durable write. Deposits already known are skipped; exits of
 * unknown or spent outputs change nothing. Returns 0 or PLASMA_ERR_IO. */
int plasma_ledger_follow(plasma_ledger *l, const plasma_deposit *deposits, size_t n_deposits,
                         const uint64_t *exits, size_t n_exits, const char *cursor, uint64_t value);
/* Reads a cursor stored by plasma_ledger_follow. Returns 0,
 * PLASMA_ERR_NOT_FOUND (never stored) or PLASMA_ERR_IO. */
int plasma_ledger_cursor(plasma_ledger *l, const char *cursor, uint64_t *value);

/* --- following a root chain that can reorganise (Ethereum) --- */

/* A root-chain block: its number and hash. */
typedef struct plasma_ledger_rc_block {
    uint64_t number;
    plasma_hash hash;
} plasma_ledger_rc_block;

/* As plasma_ledger_follow for the events of root-chain block at->number
 * (deposits spendable at once, outputs of exits marked spent), then stores
 * *at as the chain cursor, all in one durable write. Each deposit is
 * remembered as coming from at->number, for plasma_ledger_undo. Returns 0,
 * PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int plasma_ledger_follow_chain(plasma_ledger *l, const plasma_deposit *deposits, size_t n_deposits,
                               const uint64_t *exits, size_t n_exits, const plasma_ledger_rc_block *at);

/* Out: the chain cursor last stored. Returns 0, PLASMA_ERR_NOT_FOUND (none
 * yet) or PLASMA_ERR_IO. */
int plasma_ledger_chain_cursor(plasma_ledger *l, plasma_ledger_rc_block *out);

/* The root chain no longer has its blocks after ancestor->number: the
 * deposits plasma_ledger_follow_chain recorded from them are removed (their
 * outputs, deposit blocks and owner entries; a spend of one is then
 * utxo_not_found) and *ancestor is stored as the chain cursor, in one
 * durable write. Outputs marked spent by exits from those blocks stay
 * marked: the operator never builds on an output that may be exiting, and
 * its owner can start the exit again. Out: *removed (may be NULL) the
 * deposits removed. Returns 0, PLASMA_ERR_UTXO_SPENT when a child-chain
 * transaction spent one of them (nothing changed: the ledger cannot follow
 * the chain any more), PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int plasma_ledger_undo(plasma_ledger *l, const plasma_ledger_rc_block *ancestor, size_t *removed);

/* The root chain lost the child blocks from blknum on (a reorganisation
 * took their submitBlock calls back): they become unsubmitted again, so
 * that plasma_ledger_next_unsubmitted gives blknum and their roots are sent
 * again. Returns 0, PLASMA_ERR_BAD_REQUEST (blknum is not a submitted child
 * block) or PLASMA_ERR_IO. */
int plasma_ledger_unsubmit(plasma_ledger *l, uint64_t blknum);

/* --- handing blocks to the root chain --- */

/* The oldest sealed child block not yet confirmed on the root chain.
 * Returns 0 (*blknum, *root written) or PLASMA_ERR_NOT_FOUND. */
int plasma_ledger_next_unsubmitted(plasma_ledger *l, uint64_t *blknum, plasma_hash *root);
/* Records that blknum (which must be the one next_unsubmitted gave) is on
 * the root chain with the given root-chain timestamp. Returns 0,
 * PLASMA_ERR_BAD_REQUEST (not the next block) or PLASMA_ERR_IO. */
int plasma_ledger_mark_submitted(plasma_ledger *l, uint64_t blknum, uint64_t timestamp);

/* --- queries --- */

typedef struct plasma_ledger_status {
    uint64_t latest_blknum; /* last sealed child block, 0 if none */
    plasma_hash latest_root;
    uint64_t open_blknum;
    uint32_t pending_txs;    /* accepted into blocks not yet sealed */
    uint64_t last_submitted; /* last child block confirmed on the root chain */
    bool failed;             /* the store failed; restart to recover */
} plasma_ledger_status;

void plasma_ledger_status_get(plasma_ledger *l, plasma_ledger_status *out);

/* Looks up a payment or fee transaction. Out: *blknum, *txindex and the
 * SignedTx RLP appended to rlp. Returns 0, PLASMA_ERR_NOT_FOUND, _IO or _NOMEM. */
int plasma_ledger_get_tx(plasma_ledger *l, const plasma_hash *txhash, uint64_t *blknum, uint32_t *txindex,
                         plasma_buf *rlp);

typedef struct plasma_block_info {
    uint64_t blknum;
    plasma_hash root;
    uint64_t timestamp;
    uint32_t n_txs;
    bool submitted; /* confirmed on the root chain (deposit blocks: always) */
} plasma_block_info;

/* Reads a sealed child block or a deposit block, calling fn for each
 * transaction's SignedTx RLP in order (deposits with an empty signature
 * list); fn returns false to stop. With fn NULL, only *info is read.
 * Returns 0, PLASMA_ERR_NOT_FOUND, _IO. */
int plasma_ledger_get_block(plasma_ledger *l, uint64_t blknum, plasma_block_info *info,
                            bool (*fn)(void *arg, const uint8_t *rlp, size_t len), void *arg);

typedef struct plasma_utxo {
    uint64_t pos;
    plasma_addr owner;
    plasma_addr token;
    plasma_u256 amount;
} plasma_utxo;

/* --- outputs finalized on the root chain --- */

/* Records that an exit or an in-flight exit finalized the output at pos:
 * from now on a tx spending it is refused with PLASMA_ERR_INPUT_FINALIZED.
 * A tx of the open (unsealed) block that spends it is dropped, and so is
 * every later tx of the block that spends what a dropped one created: each
 * leaves the empty leaf at its index (the others keep their positions), its
 * other inputs unspent again, its outputs gone, its fee out of the fee
 * transactions, and a log line. A tx of a sealed block is past changing (a
 * warning is logged). A position the ledger never held, or one finalized
 * already, changes nothing. Out: *dropped (may be NULL) the txs dropped.
 * Returns 0, PLASMA_ERR_IO (the store failed: the ledger fails as on a
 * failed commit) or PLASMA_ERR_NOMEM (nothing changed). */
int plasma_ledger_finalize(plasma_ledger *l, uint64_t pos, size_t *dropped);

/* Out: the output id (PROTOCOL §6) of the output at pos of a stored tx
 * (sealed, deposit or open block). Returns 0, PLASMA_ERR_NOT_FOUND or
 * PLASMA_ERR_IO. */
int plasma_ledger_output_id(plasma_ledger *l, uint64_t pos, plasma_hash *out);

/* Reads an output. Returns 0 (unspent), PLASMA_ERR_UTXO_SPENT,
 * PLASMA_ERR_UTXO_NOT_FOUND or PLASMA_ERR_IO. */
int plasma_ledger_get_utxo(plasma_ledger *l, uint64_t pos, plasma_utxo *out);

/* Calls fn for each unspent output of owner in position order, at most max;
 * fn returns false to stop. Returns 0 or PLASMA_ERR_IO. */
int plasma_ledger_utxos_by_owner(plasma_ledger *l, const plasma_addr *owner, size_t max,
                                 bool (*fn)(void *arg, const plasma_utxo *u), void *arg);

/* What startStandardExit takes for the output at pos of a sealed block: the
 * UnsignedTx RLP (appended to tx) and the inclusion proof. Returns 0,
 * PLASMA_ERR_NOT_FOUND (no such output in a sealed block), _IO or _NOMEM. */
int plasma_ledger_exit_data(plasma_ledger *l, uint64_t pos, plasma_buf *tx,
                            uint8_t proof[PLASMA_MERKLE_PROOF_LEN]);

/* Counters for metrics. */
typedef struct plasma_ledger_stats {
    uint64_t accepted;
    uint64_t rejected[64]; /* by -err, for errors in -1..-63 */
    uint64_t blocks_sealed;
    uint64_t seal_ms_last;
    uint64_t seal_ms_total;
    uint64_t commits; /* synced writes */
    uint64_t committed_txs;
    uint64_t utxo_cached; /* outputs held in memory */
    uint64_t utxo_cache_bytes;
    bool utxo_cache_complete;
} plasma_ledger_stats;

void plasma_ledger_stats_get(plasma_ledger *l, plasma_ledger_stats *out);

/* Test hook: after n more successful writes the store fails as a full disk
 * would (n < 0 disables). */
void plasma_ledger_fail_writes_after(plasma_ledger *l, long n);

#endif
