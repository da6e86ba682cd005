/* The simulated root chain and its Plasma contract (PROTOCOL §6).
 *
 * A deterministic state machine with no I/O of its own: accounts with ETH
 * and token balances and nonces; root-chain blocks with a number, a
 * timestamp and a gas limit; a pool of pending calls; one Plasma contract
 * (deposits, child blocks, standard exits with bonds, per-token exit
 * queues); events and receipts per block. Every call is metered with the
 * gas schedule of docs/gas.md as it executes. Persistence goes through a
 * pluggable store (plasma_chain_store) that receives each mined block's
 * changes as one atomic batch.
 *
 * Time moves only with blocks: block n+1 has timestamp
 * ts(n) + block_time + (seconds requested by plasma_chain_dev_advance_time
 * since block n). "now" inside a call is the timestamp of the block that
 * executes it.
 *
 * A plasma_chain is not thread-safe: one thread at a time, or a lock held by
 * the caller around every function that takes it.
 *
 * Conventions: functions return 0 or a negative plasma_err; `T **out` is
 * owned by the caller and freed with plasma_T_free (NULL-safe); *out and
 * other outputs are written only on success. */
#ifndef PLASMA_EXITGAME_H
#define PLASMA_EXITGAME_H

#include "plasma/core.h"
#include "plasma/merkle.h"

/* ------------------------------------------------------------------------
 * Configuration
 * ------------------------------------------------------------------------ */

#define PLASMA_CHAIN_DEFAULT_CHAIN_ID 31337u
#define PLASMA_CHAIN_DEFAULT_CONTRACT "0x5fbdb2315678afecb367f032d93f642f64180aa3"
#define PLASMA_CHAIN_DEFAULT_OPERATOR "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
#define PLASMA_CHAIN_DEFAULT_BLOCK_GAS_LIMIT 30000000u
#define PLASMA_CHAIN_DEFAULT_BLOCK_TIME 12u
#define PLASMA_CHAIN_DEFAULT_MIN_EXIT_PERIOD 604800u
#define PLASMA_CHAIN_DEFAULT_EXIT_BOND 23300000000000000ull      /* 0.0233 ETH in wei */
#define PLASMA_CHAIN_DEFAULT_IFE_BOND 37000000000000000ull       /* 0.037 ETH */
#define PLASMA_CHAIN_DEFAULT_PIGGYBACK_BOND 28000000000000000ull /* 0.028 ETH */
#define PLASMA_CHAIN_DEFAULT_GENESIS_TIME 1700000000u

/* Gas prices of the EVM the meter charges (docs/gas.md, "The rules"). */
#define PLASMA_GAS_BASE 21000u
#define PLASMA_GAS_CALLDATA_NONZERO 16u
#define PLASMA_GAS_CALLDATA_ZERO 4u
#define PLASMA_GAS_COLD_SLOAD 2100u       /* a slot's first access in a call (EIP-2929) */
#define PLASMA_GAS_WARM_ACCESS 100u       /* a slot's or account's later access */
#define PLASMA_GAS_COLD_ACCOUNT 2600u     /* an account's first access in a call */
#define PLASMA_GAS_SSTORE_SET 20000u      /* a zero slot written non-zero (EIP-2200) */
#define PLASMA_GAS_SSTORE_RESET 2900u     /* a non-zero slot changed (EIP-2929's 5,000 - 2,100) */
#define PLASMA_GAS_CLEAR_REFUND 4800u     /* a slot cleared (EIP-3529), refunded at the end */
#define PLASMA_GAS_MAX_REFUND_QUOTIENT 5u /* at most gas used / 5 refunded */
#define PLASMA_GAS_KECCAK 30u
#define PLASMA_GAS_KECCAK_WORD 6u
#define PLASMA_GAS_LOG 375u
#define PLASMA_GAS_LOG_TOPIC 375u
#define PLASMA_GAS_LOG_BYTE 8u
#define PLASMA_GAS_CALL_VALUE 9000u   /* a call that sends ETH */
#define PLASMA_GAS_CALL_STIPEND 2300u /* handed to its recipient, back when unused */

typedef struct plasma_chain_config {
    uint64_t chain_id;
    plasma_addr contract;      /* the Plasma contract's address */
    plasma_addr operator_addr; /* the only account allowed to submitBlock */
    uint64_t block_gas_limit;
    uint64_t block_time;        /* seconds between consecutive blocks */
    uint64_t min_exit_period;   /* seconds */
    plasma_u256 exit_bond;      /* wei every startStandardExit must carry */
    plasma_u256 ife_bond;       /* wei every startInFlightExit must carry */
    plasma_u256 piggyback_bond; /* wei every piggyback must carry */
    uint64_t genesis_time;      /* timestamp of block 0 (a daemon may use the wall clock) */
    /* Root-chain blocks whose receipts and events stay in memory and
     * queryable; 0 keeps all. Older blocks keep their headers (and, with a
     * store, their records on disk). Long simulations set it to bound
     * memory. Not a consensus setting. */
    uint64_t history_blocks;
} plasma_chain_config;

/* Fills *out with the defaults above (development chain). */
void plasma_chain_config_default(plasma_chain_config *out);

/* ------------------------------------------------------------------------
 * Calls and their signed envelope
 * ------------------------------------------------------------------------ */

typedef enum plasma_call_kind {
    PLASMA_CALL_TRANSFER = 1,       /* transfer(to, token, amount) */
    PLASMA_CALL_DEPOSIT = 2,        /* deposit(token, amount) */
    PLASMA_CALL_SUBMIT_BLOCK = 3,   /* submitBlock(root) */
    PLASMA_CALL_START_EXIT = 4,     /* startStandardExit(utxo_pos, tx, proof) + bond */
    PLASMA_CALL_CHALLENGE_EXIT = 5, /* challengeStandardExit(exit_id, tx, input_index) */
    PLASMA_CALL_PROCESS_EXITS = 6,  /* processExits(token, max_exits) */
    /* In-flight exits (PROTOCOL §6b, docs/inflight.md), in §9's order. */
    PLASMA_CALL_START_IFE = 7, /* startInFlightExit(tx, input_txs, input_utxo_pos, input_proofs) + bond */
    PLASMA_CALL_PIGGYBACK_INPUT = 8,       /* piggybackInFlightExitOnInput(tx, input_index) + bond */
    PLASMA_CALL_PIGGYBACK_OUTPUT = 9,      /* piggybackInFlightExitOnOutput(tx, output_index) + bond */
    PLASMA_CALL_CHALLENGE_IFE = 10,        /* challengeInFlightExitNotCanonical(...) */
    PLASMA_CALL_RESPOND_IFE = 11,          /* respondToNonCanonicalChallenge(tx, tx_pos, proof) */
    PLASMA_CALL_CHALLENGE_IFE_INPUT = 12,  /* challengeInFlightExitInputSpent(...) */
    PLASMA_CALL_CHALLENGE_IFE_OUTPUT = 13, /* challengeInFlightExitOutputSpent(...) */
    PLASMA_CALL_DELETE_IFE = 14,           /* deleteNonPiggybackedInFlightExit(ife_id) */
    PLASMA_CALL_WITHDRAW = 15,             /* withdraw(token) */
} plasma_call_kind;

/* One past the largest call kind. */
#define PLASMA_CALL_KINDS 16

/* Longest transaction a call can carry. */
#define PLASMA_CALL_MAX_TX PLASMA_TX_MAX_RLP

/* A transaction argument: rlp(SignedTx) or rlp(UnsignedTx), as the kind says. */
typedef struct plasma_call_tx {
    size_t len; /* ≤ PLASMA_CALL_MAX_TX */
    uint8_t b[PLASMA_CALL_MAX_TX];
} plasma_call_tx;

/* A proof argument that may be empty (a competitor never included). */
typedef struct plasma_call_proof {
    size_t len; /* 0 or PLASMA_MERKLE_PROOF_LEN */
    uint8_t b[PLASMA_MERKLE_PROOF_LEN];
} plasma_call_proof;

/* The arguments of the in-flight exit calls, in §9's order. */
typedef struct plasma_call_start_ife {
    plasma_call_tx tx; /* rlp(SignedTx) */
    /* The three arrays have their own lengths (each ≤ PLASMA_MAX_INPUTS):
     * that they match the tx's inputs is a check of the contract. */
    uint8_t n_input_txs;
    uint8_t n_input_pos;
    uint8_t n_input_proofs;
    plasma_call_tx input_txs[PLASMA_MAX_INPUTS]; /* rlp(UnsignedTx) */
    uint64_t input_pos[PLASMA_MAX_INPUTS];
    uint8_t input_proofs[PLASMA_MAX_INPUTS][PLASMA_MERKLE_PROOF_LEN];
    plasma_u256 bond;
} plasma_call_start_ife;

typedef struct plasma_call_piggyback {
    plasma_call_tx tx; /* rlp(SignedTx) of the in-flight exit */
    uint64_t index;    /* input (kind 8) or output (kind 9) index */
    plasma_u256 bond;
} plasma_call_piggyback;

typedef struct plasma_call_challenge_ife {
    plasma_call_tx tx;
    uint64_t input_index;
    plasma_call_tx competing_tx; /* rlp(SignedTx) */
    uint64_t competing_input_index;
    uint64_t competitor_pos;            /* 0: never included */
    plasma_call_proof competitor_proof; /* empty with competitor_pos 0 */
} plasma_call_challenge_ife;

typedef struct plasma_call_respond_ife {
    plasma_call_tx tx;
    uint64_t tx_pos;
    plasma_call_proof proof;
} plasma_call_respond_ife;

typedef struct plasma_call_challenge_ife_input {
    plasma_call_tx tx;
    uint64_t input_index;
    plasma_call_tx spending_tx; /* rlp(SignedTx) */
    uint64_t spending_input_index;
} plasma_call_challenge_ife_input;

typedef struct plasma_call_challenge_ife_output {
    plasma_call_tx tx;
    uint64_t output_utxo_pos;
    plasma_call_proof proof;
    plasma_call_tx spending_tx; /* rlp(SignedTx) */
    uint64_t spending_input_index;
} plasma_call_challenge_ife_output;

/* One root-chain call. A value type (about 7.3 KB, the size of the largest
 * kind, startInFlightExit with four input txs and proofs; no pointers):
 * fill it, submit it, copy it freely. `from` is not part of the signed
 * envelope; it is the recovered signer (plasma_call_recover) or, in-process,
 * whoever the caller says it is. Token all-zero means ETH. */
typedef struct plasma_call {
    plasma_call_kind kind;
    plasma_addr from;
    uint64_t nonce;
    uint64_t gas_price; /* wei per gas */
    uint64_t gas_limit;
    union {
        struct {
            plasma_addr to;
            plasma_addr token;
            plasma_u256 amount;
        } transfer;
        struct {
            plasma_addr token;
            plasma_u256 amount; /* > 0; taken from the caller's balance */
        } deposit;
        struct {
            plasma_hash root;
        } submit_block;
        struct {
            uint64_t utxo_pos;
            plasma_u256 bond;               /* the value sent with the call */
            size_t tx_len;                  /* ≤ PLASMA_CALL_MAX_TX */
            uint8_t tx[PLASMA_CALL_MAX_TX]; /* rlp(UnsignedTx) */
            uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
        } start_exit;
        struct {
            uint64_t exit_id;
            uint32_t input_index;
            size_t tx_len;                  /* ≤ PLASMA_CALL_MAX_TX */
            uint8_t tx[PLASMA_CALL_MAX_TX]; /* rlp(SignedTx) spending the output */
        } challenge_exit;
        struct {
            plasma_addr token;
            uint64_t max_exits;
        } process_exits;
        plasma_call_start_ife start_ife;
        plasma_call_piggyback piggyback; /* kinds 8 and 9 */
        plasma_call_challenge_ife challenge_ife;
        plasma_call_respond_ife respond_ife;
        plasma_call_challenge_ife_input challenge_ife_input;
        plasma_call_challenge_ife_output challenge_ife_output;
        struct {
            plasma_u256 ife_id;
        } delete_ife;
        struct {
            plasma_addr token;
        } withdraw;
    };
} plasma_call;

/* What a signature binds a call to: the chain and the contract. */
typedef struct plasma_call_domain {
    uint64_t chain_id;
    plasma_addr contract;
} plasma_call_domain;

/* The envelope (docs/rootchain-calls.md):
 *   rlp([chain_id, contract, nonce, gas_price, gas_limit, kind, args...])
 * with args per kind:
 *   transfer        to: bytes20, token: bytes20, amount: uint
 *   deposit         token: bytes20, amount: uint
 *   submitBlock     root: bytes32
 *   startExit       utxo_pos: uint, tx: bytes, proof: bytes512, bond: uint
 *   challengeExit   exit_id: uint, tx: bytes, input_index: uint
 *   processExits    token: bytes20, max_exits: uint
 *   startIFE        tx: bytes, input_txs: [bytes…], input_utxo_pos: [uint…],
 *                   input_proofs: [bytes512…], bond: uint
 *   piggyback…      tx: bytes, index: uint, bond: uint
 *   challengeIFE    tx: bytes, input_index: uint, competing_tx: bytes,
 *                   competing_input_index: uint, competitor_pos: uint,
 *                   competitor_proof: bytes (empty or 512)
 *   respondIFE      tx: bytes, tx_pos: uint, proof: bytes (empty or 512)
 *   …InputSpent     tx: bytes, input_index: uint, spending_tx: bytes,
 *                   spending_input_index: uint
 *   …OutputSpent    tx: bytes, output_utxo_pos: uint, proof: bytes (empty or
 *                   512), spending_tx: bytes, spending_input_index: uint
 *   deleteIFE       ife_id: uint (up to 256 bits)
 *   withdraw        token: bytes20
 * Integers other than amounts, bonds and ife_id are at most 64 bits, arrays
 * hold at most PLASMA_MAX_INPUTS items, transactions at most
 * PLASMA_CALL_MAX_TX bytes.
 * signing hash = keccak256(0x19 ‖ "PlasmaRootchainCall" ‖ envelope)
 * signed form  = rlp([envelope, sig: bytes65])
 * call hash    = keccak256(signing hash ‖ from), unique per (from, nonce).
 */

/* Appends the envelope of call under domain to buf.
 * Returns 0, PLASMA_ERR_BAD_CALL (unknown kind, a length out of its bounds)
 * or PLASMA_ERR_NOMEM. */
int plasma_call_encode(plasma_buf *buf, const plasma_call_domain *domain, const plasma_call *call);

/* Decodes an envelope strictly (canonical RLP, exact item counts, fixed
 * lengths, integers in range). Out: *out with from zeroed.
 * Returns 0 or PLASMA_ERR_BAD_CALL (also for a chain_id or contract other
 * than domain's). */
int plasma_call_decode(plasma_call *out, const plasma_call_domain *domain, const uint8_t *buf, size_t len);

/* Out: the hash the sender signs. Returns 0, PLASMA_ERR_BAD_CALL or
 * PLASMA_ERR_NOMEM. */
int plasma_call_signing_hash(plasma_hash *out, const plasma_call_domain *domain, const plasma_call *call);

/* Out: sig over the signing hash with key. Returns 0, PLASMA_ERR_BAD_CALL,
 * PLASMA_ERR_BAD_REQUEST (bad key) or PLASMA_ERR_NOMEM. */
int plasma_call_sign(plasma_sig *out, const plasma_call_domain *domain, const plasma_call *call,
                     const plasma_privkey *key);

/* Out: the address that signed call. Returns 0, PLASMA_ERR_BAD_SIGNATURE,
 * PLASMA_ERR_BAD_CALL or PLASMA_ERR_NOMEM. */
int plasma_call_recover(plasma_addr *out, const plasma_call_domain *domain, const plasma_call *call,
                        const plasma_sig *sig);

/* Appends the signed form rlp([envelope, sig]). Returns as plasma_call_encode. */
int plasma_call_encode_signed(plasma_buf *buf, const plasma_call_domain *domain, const plasma_call *call,
                              const plasma_sig *sig);

/* Decodes the signed form and recovers the sender into out->from.
 * Out: *out, and *sig if sig is not NULL. Returns 0, PLASMA_ERR_BAD_CALL or
 * PLASMA_ERR_BAD_SIGNATURE. */
int plasma_call_decode_signed(plasma_call *out, plasma_sig *sig, const plasma_call_domain *domain,
                              const uint8_t *buf, size_t len);

/* Out: the call hash (receipt key) of call as sent by call->from.
 * Returns 0, PLASMA_ERR_BAD_CALL or PLASMA_ERR_NOMEM. */
int plasma_call_hash(plasma_hash *out, const plasma_call_domain *domain, const plasma_call *call);

/* Gas charged before execution starts: base + the call data an Ethereum
 * transaction would carry for the call (plasma_call_calldata), 16 per
 * non-zero byte and 4 per zero byte. Returns 0 for a call that cannot be
 * encoded. */
uint64_t plasma_call_intrinsic_gas(const plasma_call *call);

/* Appends the ABI encoding of call as §9's function of the contract (the
 * token's transfer(address,uint256) for a token transfer; nothing for an ETH
 * transfer), the bond being the value and not an argument. Returns 0,
 * PLASMA_ERR_BAD_CALL (a call that cannot be encoded) or PLASMA_ERR_NOMEM;
 * out is unchanged on failure (unless it had failed already). */
int plasma_call_calldata(plasma_buf *out, const plasma_call *call);

/* Encodes tx into a call's tx argument: rlp(SignedTx) when with_sigs,
 * else rlp(UnsignedTx). Returns 0, PLASMA_ERR_BAD_CALL (longer than
 * PLASMA_CALL_MAX_TX) or PLASMA_ERR_NOMEM; *out is unchanged on failure. */
int plasma_call_tx_encode(plasma_call_tx *out, const plasma_tx *tx, bool with_sigs);

/* A gas limit that covers call whatever the state it meets (the largest
 * arguments and queues of docs/gas.md, with room); unused gas is refunded.
 * Never more than nine tenths of a default block (27,000,000): a
 * processExits of more than 44 entries may need a limit of its own. */
uint64_t plasma_call_default_gas_limit(const plasma_call *call);

/* Out: the ETH value call carries into the contract: the bond of
 * startStandardExit, startInFlightExit and the piggybacks, else 0. */
void plasma_call_value(plasma_u256 *out, const plasma_call *call);

/* Fills the common fields of a call and zeroes the arguments. */
void plasma_call_init(plasma_call *out, plasma_call_kind kind, const plasma_addr *from, uint64_t nonce,
                      uint64_t gas_price, uint64_t gas_limit);

/* ------------------------------------------------------------------------
 * Persistence: a pluggable store
 * ------------------------------------------------------------------------ */

/* One change: put (val != NULL) or delete (val == NULL) of key. */
typedef struct plasma_store_op {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *val;
    size_t val_len;
} plasma_store_op;

/* Called for each stored pair; non-zero stops the iteration and is returned. */
typedef int (*plasma_store_foreach_cb)(const uint8_t *key, size_t key_len, const uint8_t *val, size_t val_len,
                                       void *payload);

#define PLASMA_CHAIN_STORE_VERSION 1

/* A key-value backend. Keys and values are the canonical binary encoding of
 * docs/rootchain-calls.md ("Storage"); the store need not understand them.
 * A store is used by one chain at a time. */
typedef struct plasma_chain_store plasma_chain_store;
struct plasma_chain_store {
    unsigned version; /* PLASMA_CHAIN_STORE_VERSION */
    /* Applies all n ops or none, durably (synced) before returning 0.
     * Returns 0 or PLASMA_ERR_IO (nothing applied). */
    int (*write)(plasma_chain_store *store, const plasma_store_op *ops, size_t n);
    /* Calls cb for every pair in ascending bytewise key order. Returns 0,
     * cb's non-zero result, or PLASMA_ERR_IO. */
    int (*foreach)(plasma_chain_store *store, plasma_store_foreach_cb cb, void *payload);
    /* Releases the store (closes files). */
    void (*free)(plasma_chain_store *store);
};

/* Opens (creating if missing) a LevelDB store in directory dir.
 * Returns 0, PLASMA_ERR_IO (cannot open, locked by another process) or
 * PLASMA_ERR_NOMEM. */
int plasma_store_leveldb_open(plasma_chain_store **out, const char *dir);

/* Calls store->free if store is not NULL. */
void plasma_chain_store_free(plasma_chain_store *store);

/* ------------------------------------------------------------------------
 * The chain
 * ------------------------------------------------------------------------ */

typedef struct plasma_chain plasma_chain;

/* Creates a chain. With store == NULL the chain lives in memory only. With
 * a store: an empty store receives the genesis state; a non-empty one is
 * loaded (state, history, exit queues rebuilt) and its consensus settings
 * (chain_id, contract, operator, bond, min_exit_period, genesis_time) must
 * equal cfg's. On success the chain owns store and frees it in
 * plasma_chain_free; on failure the caller still owns it.
 * Returns 0, PLASMA_ERR_CONFIG (bad value: zero gas limit or block time, or
 * a mismatch with the store), PLASMA_ERR_STORE_VERSION (a store written in
 * another format), PLASMA_ERR_IO (store failure or corrupt content) or
 * PLASMA_ERR_NOMEM. */
int plasma_chain_new(plasma_chain **out, const plasma_chain_config *cfg, plasma_chain_store *store);

/* Frees the chain and its store. Pending (unmined) calls are discarded,
 * as an Ethereum node's mempool is lost on restart; mined blocks never are. */
void plasma_chain_free(plasma_chain *chain);

const plasma_chain_config *plasma_chain_get_config(const plasma_chain *chain);
/* Out: the domain calls to this chain are signed under. */
void plasma_chain_call_domain(plasma_call_domain *out, const plasma_chain *chain);

/* --- submitting and mining --- */

/* Queues call for a later block. Admission checks only (no execution):
 * kind and arguments encodable (PLASMA_ERR_BAD_CALL), gas_limit ≤ block gas
 * limit (PLASMA_ERR_GAS_LIMIT), gas_limit ≥ intrinsic gas
 * (PLASMA_ERR_OUT_OF_GAS), nonce == account nonce + the sender's pending
 * calls (PLASMA_ERR_BAD_NONCE), ETH balance ≥ gas_limit × gas_price + bond
 * (PLASMA_ERR_INSUFFICIENT_FUNDS). Out: *call_hash (may be NULL).
 * Returns 0, one of those, or PLASMA_ERR_NOMEM. On error nothing changes. */
int plasma_chain_submit(plasma_chain *chain, const plasma_call *call, plasma_hash *call_hash);

/* Executes call as the next call of the next block would be executed,
 * against the current state plus nothing pending, then undoes everything.
 * Runs the admission checks of plasma_chain_submit first. Out: *gas_used
 * (may be NULL) the gas the call would use. Returns 0 when the call would
 * succeed, else the error its receipt would carry (or an admission error). */
int plasma_chain_check_call(plasma_chain *chain, const plasma_call *call, uint64_t *gas_used);

/* A root-chain block header. */
typedef struct plasma_chain_block {
    uint64_t number;
    uint64_t timestamp;
    plasma_hash hash; /* keccak256(rlp([parent, number, timestamp, gas_limit, gas_used, [call hashes]])) */
    plasma_hash parent_hash;
    uint64_t gas_limit;
    uint64_t gas_used;
    uint32_t n_calls;
    uint32_t n_events;
} plasma_chain_block;

/* Mines one block now: timestamp = previous + block_time + advanced time;
 * takes pending calls by gas price (highest first), then arrival, each
 * sender's in nonce order, while their gas limits fit the block's remaining
 * gas (a call that does not fit waits, and so do the sender's later calls);
 * executes each (a failed call reverts, is charged and consumes its nonce;
 * a caller who cannot prepay gas_limit × gas_price gets a receipt with
 * PLASMA_ERR_INSUFFICIENT_FUNDS, no charge, nonce consumed); then writes
 * the block's changes to the store as one batch. Out: *block (may be NULL).
 * Returns 0, PLASMA_ERR_IO (the store failed: the block is undone, the calls
 * stay pending) or PLASMA_ERR_NOMEM (likewise undone). */
int plasma_chain_mine(plasma_chain *chain, plasma_chain_block *block);

/* --- development controls (not calls: not metered, no nonce) --- */

/* Adds amount wei to addr's ETH balance. Returns 0, PLASMA_ERR_OVERFLOW,
 * PLASMA_ERR_IO or PLASMA_ERR_NOMEM. Stored at once. */
int plasma_chain_dev_fund(plasma_chain *chain, const plasma_addr *addr, const plasma_u256 *amount);
/* Mints amount of token (non-zero) to addr. Returns 0,
 * PLASMA_ERR_BAD_REQUEST (token is ETH), PLASMA_ERR_OVERFLOW, PLASMA_ERR_IO
 * or PLASMA_ERR_NOMEM. Stored at once. */
int plasma_chain_dev_mint(plasma_chain *chain, const plasma_addr *addr, const plasma_addr *token,
                          const plasma_u256 *amount);
/* Adds seconds to the next block's timestamp (like evm_increaseTime).
 * Returns 0, PLASMA_ERR_OVERFLOW or PLASMA_ERR_IO. Stored at once. */
int plasma_chain_dev_advance_time(plasma_chain *chain, uint64_t seconds);
/* Funds the ten development accounts with 10,000 ETH each.
 * Returns as plasma_chain_dev_fund. */
int plasma_chain_dev_prefund(plasma_chain *chain);

/* --- queries --- */

/* Out: addr's balance of token (NULL or all-zero: ETH). Unknown accounts
 * hold 0. */
void plasma_chain_balance(plasma_u256 *out, const plasma_chain *chain, const plasma_addr *addr,
                          const plasma_addr *token);
/* Returns the nonce the next mined call of addr must carry. */
uint64_t plasma_chain_nonce(const plasma_chain *chain, const plasma_addr *addr);
/* Returns the nonce the next submitted call of addr must carry (mined
 * nonce + pending calls). */
uint64_t plasma_chain_next_nonce(const plasma_chain *chain, const plasma_addr *addr);

typedef struct plasma_chain_head {
    uint64_t number;    /* last mined block (0: genesis) */
    uint64_t timestamp; /* its timestamp */
    plasma_hash hash;
    uint64_t time_offset;        /* seconds the next block adds beyond block_time */
    uint64_t total_gas_used;     /* over all blocks */
    uint64_t next_child_block;   /* blknum the next submitBlock stores */
    uint64_t next_deposit_block; /* blknum the next deposit gets */
    size_t pending_calls;
} plasma_chain_head;

void plasma_chain_get_head(plasma_chain_head *out, const plasma_chain *chain);

/* A child or deposit block as the contract stores it. */
typedef struct plasma_block_record {
    uint64_t blknum;
    plasma_hash root;
    uint64_t timestamp; /* root-chain time of submission or deposit */
    bool is_deposit;
    /* Deposit blocks only: */
    plasma_addr depositor;
    plasma_addr token;
    plasma_u256 amount;
} plasma_block_record;

/* Out: the child or deposit block blknum. Returns 0 or
 * PLASMA_ERR_BLOCK_NOT_FOUND. */
int plasma_chain_block_root(plasma_block_record *out, const plasma_chain *chain, uint64_t blknum);

typedef enum plasma_exit_state {
    PLASMA_EXIT_NONE = 0,
    PLASMA_EXIT_IN_PROGRESS = 1,
    PLASMA_EXIT_CHALLENGED = 2, /* bond paid to the challenger; never paid, never reopened */
    PLASMA_EXIT_FINALIZED = 3,  /* amount + bond paid to the owner; the output is finalized */
    PLASMA_EXIT_SUPERSEDED = 4, /* another exit finalized the output first: unpaid, bond kept */
} plasma_exit_state;

typedef struct plasma_exit_info {
    uint64_t exit_id; /* = utxo_pos */
    plasma_exit_state state;
    plasma_addr owner;
    plasma_addr token;
    plasma_u256 amount;
    uint64_t exitable_at;
    plasma_hash output_id; /* PROTOCOL §6 */
    bool queued;           /* still in its token's queue (challenged exits stay until popped) */
} plasma_exit_info;

/* Out: exit exit_id. Returns 0 or PLASMA_ERR_EXIT_NOT_FOUND. */
int plasma_chain_exit(plasma_exit_info *out, const plasma_chain *chain, uint64_t exit_id);

typedef struct plasma_exit_queue_info {
    size_t size; /* entries, dropped ones included until popped */
    /* When size > 0, the entry processExits pops next: */
    uint64_t head_exitable_at;
    bool head_is_ife;      /* an in-flight exit's entry */
    uint64_t head_exit_id; /* a standard exit's id (0 for an in-flight exit) */
    plasma_u256 head_id;   /* the entry's id: exit_id or ife_id */
} plasma_exit_queue_info;

/* Out: the exit queue of token (NULL or all-zero: ETH); size 0 when none. */
void plasma_chain_exit_queue(plasma_exit_queue_info *out, const plasma_chain *chain,
                             const plasma_addr *token);

/* Calls cb for every exit in ascending exit_id order; stops at cb's
 * non-zero result and returns it. Returns 0 or that result. */
typedef int (*plasma_exit_cb)(const plasma_exit_info *exit, void *payload);
int plasma_chain_foreach_exit(const plasma_chain *chain, plasma_exit_cb cb, void *payload);

/* --- output ids, finalized flags and deferred payments --- */

/* Out: the output id of PROTOCOL §6 for output oindex of the tx whose
 * rlp(UnsignedTx) is utx: keccak256(utx ‖ uint256(oindex)), and for a tx
 * without inputs (deposit, fee) keccak256(utx ‖ uint256(oindex) ‖
 * uint256(utxo_pos)). */
void plasma_output_id(plasma_hash *out, const uint8_t *utx, size_t len, bool has_inputs, uint32_t oindex,
                      uint64_t utxo_pos);

/* Out: ife_id = keccak256(utx) | 2^255 for the tx whose rlp(UnsignedTx) is
 * utx (PROTOCOL §6b). */
void plasma_ife_id_of(plasma_u256 *out, const uint8_t *utx, size_t len);
/* As plasma_ife_id_of for a decoded tx. Returns 0 or PLASMA_ERR_NOMEM. */
int plasma_ife_id(plasma_u256 *out, const plasma_tx *tx);
/* True when id is an in-flight exit's id (top bit set). */
bool plasma_is_ife_id(const plasma_u256 *id);

/* Out: finalized[output_id]: 0, or the id of the exit (exit_id or ife_id)
 * that finalized the output. */
void plasma_chain_finalized(plasma_u256 *out, const plasma_chain *chain, const plasma_hash *output_id);

/* Out: withdrawable[owner][token] (token NULL or zero: ETH): payments the
 * contract could not make, claimed with withdraw(token). */
void plasma_chain_withdrawable(plasma_u256 *out, const plasma_chain *chain, const plasma_addr *owner,
                               const plasma_addr *token);

/* Calls cb for every non-zero claim (of owner, or of everyone when owner is
 * NULL) in ascending (owner, token) order; stops at cb's non-zero result
 * and returns it. Returns 0, that result or PLASMA_ERR_NOMEM. */
typedef int (*plasma_claim_cb)(const plasma_addr *owner, const plasma_addr *token, const plasma_u256 *amount,
                               void *payload);
int plasma_chain_foreach_claim(const plasma_chain *chain, const plasma_addr *owner, plasma_claim_cb cb,
                               void *payload);

/* --- in-flight exits (docs/inflight.md, "Views") --- */

typedef enum plasma_ife_path {
    PLASMA_IFE_PATH_UNDECIDED = 0,
    PLASMA_IFE_PATH_OUTPUTS = 1,
    PLASMA_IFE_PATH_INPUTS = 2,
} plasma_ife_path;

/* An input (written at the start) or a piggybacked output of an in-flight
 * exit; all zero for an output never piggybacked. */
typedef struct plasma_ife_io {
    plasma_hash output_id;
    plasma_addr owner;
    plasma_addr token;
    plasma_u256 amount;
} plasma_ife_io;

#define PLASMA_IFE_BLOCKED_SHIFT 4 /* piggyback bits: i standing, 4 + i blocked */

typedef struct plasma_ife_info {
    plasma_u256 ife_id;
    uint64_t exitable_at;
    uint64_t start;
    uint64_t youngest;             /* the largest input position */
    plasma_u256 oldest_competitor; /* 0 none, 2^256 - 1 never included */
    plasma_addr bond_owner;
    bool canonical;
    uint8_t inputs_piggybacked; /* bit i: piggybacked; bit 4 + i: blocked */
    uint8_t outputs_piggybacked;
    uint8_t n_inputs;
    uint8_t n_outputs;
    uint8_t pending_tokens; /* token queues still holding it */
    plasma_ife_path exit_path;
    plasma_ife_io inputs[PLASMA_MAX_INPUTS];
    plasma_ife_io outputs[PLASMA_MAX_OUTPUTS];
} plasma_ife_info;

/* Out: the open in-flight exit ife_id. Returns 0 or
 * PLASMA_ERR_IFE_NOT_FOUND (never started, deleted or fully processed). */
int plasma_chain_ife(plasma_ife_info *out, const plasma_chain *chain, const plasma_u256 *ife_id);

/* Calls cb for every open in-flight exit in ascending ife_id order; stops
 * at cb's non-zero result and returns it. Returns 0, that result or
 * PLASMA_ERR_NOMEM. */
typedef int (*plasma_ife_cb)(const plasma_ife_info *ife, void *payload);
int plasma_chain_foreach_ife(const plasma_chain *chain, plasma_ife_cb cb, void *payload);

/* Out: tx (room for PLASMA_CALL_MAX_TX bytes) and *len, the rlp(SignedTx)
 * the last mined startInFlightExit of ife_id carried: what a client of an
 * Ethereum chain reads from the call data of the transaction that emitted
 * InFlightExitStarted. Kept after the exit closes, like events; not state
 * (not in the state digest). Returns 0 or PLASMA_ERR_IFE_NOT_FOUND (never
 * started). */
int plasma_chain_ife_tx(uint8_t *tx, size_t *len, const plasma_chain *chain, const plasma_u256 *ife_id);

/* --- history: blocks, receipts, events --- */

/* Out: the header of root-chain block number. Returns 0 or
 * PLASMA_ERR_NOT_FOUND. */
int plasma_chain_block_header(plasma_chain_block *out, const plasma_chain *chain, uint64_t number);

typedef struct plasma_receipt {
    plasma_hash call_hash;
    uint64_t block_number;
    uint32_t index; /* position in the block */
    plasma_call_kind kind;
    plasma_addr from;
    uint64_t nonce;
    uint64_t gas_used;
    uint64_t gas_price;
    int err; /* 0, or the plasma_err the call failed with */
} plasma_receipt;

/* Out: the receipt of a mined call. Returns 0 or PLASMA_ERR_NOT_FOUND
 * (unknown, still pending, or older than the history window). */
int plasma_chain_receipt(plasma_receipt *out, const plasma_chain *chain, const plasma_hash *call_hash);

/* Calls cb for each receipt of block number, in block order. Returns 0,
 * cb's non-zero result, or PLASMA_ERR_NOT_FOUND (no such block, or older
 * than the history window). */
typedef int (*plasma_receipt_cb)(const plasma_receipt *receipt, void *payload);
int plasma_chain_block_receipts(const plasma_chain *chain, uint64_t number, plasma_receipt_cb cb,
                                void *payload);

typedef enum plasma_event_kind {
    PLASMA_EVENT_DEPOSIT_CREATED = 1,
    PLASMA_EVENT_BLOCK_SUBMITTED = 2,
    PLASMA_EVENT_EXIT_STARTED = 3,
    PLASMA_EVENT_EXIT_CHALLENGED = 4,
    PLASMA_EVENT_EXIT_FINALIZED = 5,
    PLASMA_EVENT_IFE_STARTED = 6,            /* InFlightExitStarted: ife_started */
    PLASMA_EVENT_IFE_INPUT_PIGGYBACKED = 7,  /* ife_index (who: the owner) */
    PLASMA_EVENT_IFE_OUTPUT_PIGGYBACKED = 8, /* ife_index */
    PLASMA_EVENT_IFE_CHALLENGED = 9,         /* ife_challenged */
    PLASMA_EVENT_IFE_RESPONDED = 10,         /* InFlightExitChallengeResponded: ife_responded */
    PLASMA_EVENT_IFE_INPUT_BLOCKED = 11,     /* ife_index (who: the challenger) */
    PLASMA_EVENT_IFE_OUTPUT_BLOCKED = 12,    /* ife_index */
    PLASMA_EVENT_IFE_INPUT_WITHDRAWN = 13,   /* ife_withdrawn */
    PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN = 14,  /* ife_withdrawn */
    PLASMA_EVENT_IFE_FINALIZED = 15,         /* ife_closed */
    PLASMA_EVENT_IFE_DELETED = 16,           /* ife_closed */
    PLASMA_EVENT_PAYMENT_DEFERRED = 17,      /* payment */
    PLASMA_EVENT_WITHDRAWAL = 18,            /* payment */
} plasma_event_kind;

/* One past the largest event kind. */
#define PLASMA_EVENT_KINDS 19

typedef struct plasma_event {
    plasma_event_kind kind;
    uint64_t block_number; /* root-chain block that emitted it */
    uint32_t call_index;   /* position of the emitting call in that block */
    union {
        struct {
            plasma_addr depositor;
            uint64_t blknum;
            plasma_addr token;
            plasma_u256 amount;
        } deposit_created;
        struct {
            uint64_t blknum;
            plasma_hash root;
        } block_submitted;
        struct {
            plasma_addr owner;
            uint64_t exit_id;
            plasma_addr token;
            plasma_u256 amount;
        } exit_started;
        struct {
            uint64_t exit_id;
            plasma_addr challenger;
        } exit_challenged;
        struct {
            uint64_t exit_id;
        } exit_finalized;
        struct {
            plasma_addr initiator;
            plasma_u256 ife_id;
            plasma_hash txhash;
            /* Not in the log: the tx's input positions, which a client of
             * an Ethereum chain reads from the call data of the transaction
             * that emitted it. */
            uint8_t n_inputs;
            uint64_t inputs[PLASMA_MAX_INPUTS];
        } ife_started;
        struct {
            plasma_addr who; /* the piggybacking owner, or the challenger */
            plasma_u256 ife_id;
            uint64_t index;
        } ife_index;
        struct {
            plasma_addr challenger;
            plasma_u256 ife_id;
            plasma_u256 position; /* 2^256 - 1: a competitor never included */
        } ife_challenged;
        struct {
            plasma_addr responder;
            plasma_u256 ife_id;
            uint64_t tx_pos;
        } ife_responded;
        struct {
            plasma_u256 ife_id;
            uint64_t index;
        } ife_withdrawn;
        struct {
            plasma_u256 ife_id;
        } ife_closed;
        struct {
            plasma_addr owner;
            plasma_addr token;
            plasma_u256 amount;
        } payment;
    };
} plasma_event;

/* Calls cb for every event of blocks ≥ from_block (and within the history
 * window), oldest first. Returns 0 or cb's non-zero result. */
typedef int (*plasma_event_cb)(const plasma_event *event, void *payload);
int plasma_chain_events_since(const plasma_chain *chain, uint64_t from_block, plasma_event_cb cb,
                              void *payload);

/* --- state digest --- */

/* Out: keccak256 over the canonical serialization of the whole state
 * (accounts, token balances, child and deposit blocks, exits, finalized
 * flags, in-flight exits and their queue entries, deferred payments,
 * contract counters, chain head, consensus config), in key order: equal
 * states give equal digests. History (receipts, events) and pending calls
 * are not in it.
 * Returns 0 or PLASMA_ERR_NOMEM. */
int plasma_chain_state_digest(plasma_hash *out, const plasma_chain *chain);

#endif
