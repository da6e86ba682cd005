/* Internals of the exit-game library, shared by its source files only. */
#ifndef PLASMA_EXITGAME_INTERNAL_H
#define PLASMA_EXITGAME_INTERNAL_H

#include <stdlib.h>
#include <string.h>

#include "plasma/exitgame.h"

#define EG_NONE UINT32_MAX

/* ---- open-addressing index: 64-bit fingerprint -> record number ----
 * Linear probing over a power-of-two array; fingerprint 0 marks an empty
 * slot. Several keys may share a fingerprint, so lookups confirm each
 * candidate with an equality callback on the record. */

typedef bool (*eg_eq_fn)(const void *ctx, uint32_t rec, const void *key);

typedef struct eg_index {
    uint64_t *fp;
    uint32_t *rec;
    size_t cap; /* 0 or a power of two */
    size_t n;
} eg_index;

void eg_index_free(eg_index *ix);
uint32_t eg_index_find(const eg_index *ix, uint64_t fp, eg_eq_fn eq, const void *ctx, const void *key);
int eg_index_insert(eg_index *ix, uint64_t fp, uint32_t rec);
void eg_index_remove(eg_index *ix, uint64_t fp, uint32_t rec);
/* The fingerprint of key under seed, never 0. */
uint64_t eg_fingerprint(const void *key, size_t len, uint64_t seed);

/* ---- record tables: dense arrays of fixed-size records, key first ---- */

enum {
    EG_T_ACCOUNT,
    EG_T_TOKBAL,
    EG_T_PBLOCK,
    EG_T_EXIT,
    EG_T_QUEUE, /* in memory only: rebuilt from exits and EG_T_IFEQ */
    EG_T_FINAL, /* finalized[output_id] */
    EG_T_IFE,   /* in-flight exits, open and closed (closed ones are not state) */
    EG_T_CLAIM, /* withdrawable[owner][token] */
    EG_T_IFEQ,  /* the queue entries of in-flight exits, per (token, ife_id) */
    EG_T_IFETX, /* the tx each in-flight exit was started with: history, not state */
    EG_N_TABLES
};

typedef struct eg_table {
    eg_index ix;
    uint8_t *recs;
    uint8_t *dirty; /* one flag per record: changed since the last commit */
    size_t n, cap;
    size_t rec_size, key_len;
    uint64_t seed;
} eg_table;

void eg_table_init(eg_table *t, size_t rec_size, size_t key_len, uint64_t seed);
void eg_table_free(eg_table *t);
static inline void *eg_table_at(const eg_table *t, uint32_t i)
{
    return t->recs + (size_t)i * t->rec_size;
}
uint32_t eg_table_find(const eg_table *t, const void *key);
/* Appends a zeroed record holding key (which must be absent). Out: *rec. */
int eg_table_append(eg_table *t, const void *key, uint32_t *rec);
/* Removes the last record (undo of an append). */
void eg_table_pop(eg_table *t);

/* ---- records ---- */

typedef struct eg_account {
    plasma_addr addr;
    uint32_t pending; /* calls in the pool; not state */
    uint64_t nonce;
    plasma_u256 balance;
} eg_account;

typedef struct eg_tokbal {
    uint8_t key[40]; /* owner ‖ token */
    plasma_u256 amount;
} eg_tokbal;

typedef struct eg_pblock {
    uint64_t blknum;
    uint64_t timestamp;
    plasma_hash root;
    plasma_addr depositor;
    plasma_addr token;
    plasma_u256 amount;
    bool is_deposit;
} eg_pblock;

typedef struct eg_exit {
    uint64_t utxo_pos;
    uint64_t exitable_at;
    plasma_u256 amount;
    plasma_addr owner;
    plasma_addr token;
    plasma_hash output_id;
    uint8_t state;  /* plasma_exit_state */
    uint8_t queued; /* still in its token's queue */
} eg_exit;

/* finalized[output_id]: the id of the exit that finalized the output. */
typedef struct eg_final {
    plasma_hash output_id;
    plasma_u256 by;
} eg_final;

/* withdrawable[owner][token]: payments that could not be made. */
typedef struct eg_claim {
    uint8_t key[40]; /* owner ‖ token */
    plasma_u256 amount;
} eg_claim;

/* An input or output of an in-flight exit as the contract stores it. */
typedef struct eg_ife_io {
    plasma_hash output_id;
    plasma_addr owner;
    plasma_addr token;
    plasma_u256 amount;
} eg_ife_io;

#define EG_IFE_BLOCKED_SHIFT 4 /* bit 4 + i: piggyback i was blocked */

/* An in-flight exit (docs/inflight.md, "The IFE record"). A record that
 * is closed (deleted or fully processed) stays in memory, not in the
 * state, and is reused when the same tx is started again. */
typedef struct eg_ife {
    uint8_t id[32]; /* key: ife_id big-endian */
    uint8_t live;
    uint8_t canonical;
    uint8_t inputs_pb;  /* bit i: piggybacked; bit 4 + i: blocked */
    uint8_t outputs_pb; /* likewise */
    uint8_t n_inputs;
    uint8_t n_outputs;
    uint8_t pending_tokens;
    uint8_t exit_path; /* plasma_ife_path */
    uint64_t exitable_at;
    uint64_t start;
    uint64_t youngest;
    plasma_u256 oldest_competitor; /* 0 none, all ones never included */
    plasma_addr bond_owner;
    eg_ife_io in[PLASMA_MAX_INPUTS];
    eg_ife_io out[PLASMA_MAX_OUTPUTS]; /* written at their piggyback */
} eg_ife;

/* The rlp(SignedTx) the last startInFlightExit of an id carried: what a
 * client of an Ethereum chain reads from the call data of the transaction
 * that emitted InFlightExitStarted. Not state (the contract stores no tx):
 * kept, like receipts and events, for those who follow the chain. */
typedef struct eg_ifetx {
    uint8_t id[32]; /* key: ife_id big-endian */
    uint16_t len;
    uint8_t tx[PLASMA_CALL_MAX_TX];
} eg_ifetx;

/* An in-flight exit's entry in a token's queue, persisted so that the
 * queues can be rebuilt; popped entries are not state. */
typedef struct eg_ifeq {
    uint8_t key[52]; /* token ‖ ife_id */
    uint8_t live;
    uint64_t exitable_at;
    uint64_t pos; /* the IFE's youngest input */
} eg_ifeq;

/* ---- exit priority queue: array-based binary min-heap ---- */

/* An entry (exitable_at, pos, id): a standard exit's id is its utxo_pos
 * (ife == EG_NONE), an in-flight exit's is the id of record ife of
 * EG_T_IFE. */
typedef struct eg_node {
    uint64_t exitable_at;
    uint64_t utxo_pos;
    uint32_t ife;
} eg_node;

typedef struct eg_heap {
    eg_node *a;
    /* Per position, the word the contract's ifeIds mapping holds there (its
     * fingerprint, 0 for none): written with an in-flight entry and cleared
     * only when a popped last entry is in flight, so it may hold an old id.
     * The gas meter prices writes by it; it is not state. */
    uint64_t *idw;
    size_t n, cap;
    const eg_table *ifes; /* for the ids of in-flight exit entries */
} eg_heap;

/* One storage access of a push or pop, in ExitQueue.sol's order: a read or
 * a write of keys[pos] or ifeIds[pos], pos 1-based as the contract numbers
 * its heap. A write keeps what it replaced, for the meter and for undo. */
typedef struct eg_hop {
    uint8_t write;
    uint8_t id; /* ifeIds[pos], else keys[pos] */
    uint32_t pos;
    uint64_t word; /* the word read, or the word before a write */
    uint64_t next; /* the word a write leaves */
    eg_node old;   /* a key write: the entry it replaced */
} eg_hop;

/* What one push or pop did to the heap. */
typedef struct eg_heap_trace {
    size_t n_before; /* the heap's size before */
    eg_hop *ops;
    size_t n_ops, cap;
} eg_heap_trace;

/* Orders entries by (exitable_at, pos, id); every ife_id is above every
 * exit_id (PROTOCOL §6b). */
bool eg_node_less(const eg_heap *h, const eg_node *a, const eg_node *b);
/* The words of an entry as the contract stores them: keys[i] =
 * exitable_at ‖ pos ‖ in-flight flag, ifeIds[i] = its id. */
uint64_t eg_node_key_word(const eg_node *n);
uint64_t eg_node_id_word(const eg_heap *h, const eg_node *n);
/* Pushes node, or pops the minimum (h->n > 0), as ExitQueue.sol does. tr
 * (may be NULL) receives the accesses. Returns 0, or PLASMA_ERR_NOMEM with
 * nothing changed. */
int eg_heap_push(eg_heap *h, const eg_node *node, eg_heap_trace *tr);
int eg_heap_pop(eg_heap *h, eg_heap_trace *tr);
/* Undoes the writes of tr, newest first, and restores the size. */
void eg_heap_unwind(eg_heap *h, const eg_heap_trace *tr);
void eg_heap_free(eg_heap *h);

typedef struct eg_queue {
    plasma_addr token;
    eg_heap heap;
} eg_queue;

/* ---- journal: undo log of one block's changes ---- */

/* HEAP_SIZE, HEAP_KEY and HEAP_ID undo one write of a push or pop: the
 * heap's size, the entry at a position, the id word at a position. */
enum { EG_J_UPDATE, EG_J_CREATE, EG_J_GLOBALS, EG_J_HEAP_SIZE, EG_J_HEAP_KEY, EG_J_HEAP_ID };

typedef struct eg_jent {
    uint8_t op;
    uint8_t table;
    uint32_t rec;  /* record, or queue for the HEAP ops */
    size_t off;    /* saved bytes in the undo buffer (UPDATE, GLOBALS); the
                      old size (HEAP_SIZE) or the position (HEAP_KEY, HEAP_ID) */
    eg_node node;  /* HEAP_KEY: the entry the write replaced */
    uint64_t word; /* HEAP_ID: the word the write replaced */
} eg_jent;

typedef struct eg_mark {
    size_t n_jent;
    size_t undo_len;
    size_t n_events;
    size_t n_dirty;
} eg_mark;

/* The contract's scalar storage. */
typedef struct eg_globals {
    uint64_t next_child_block;
    uint64_t next_deposit; /* k of the next deposit blknum, 1..999 */
} eg_globals;

typedef struct eg_head {
    uint64_t number;
    uint64_t timestamp;
    plasma_hash hash;
    uint64_t time_offset;
    uint64_t total_gas;
} eg_head;

typedef struct eg_pending {
    plasma_call call;
    plasma_hash hash;
    uint64_t seq;
} eg_pending;

/* A slot (or account) the running call accessed: the word it held before
 * the call and holds now. Valid when gen is the call's. */
typedef struct eg_access {
    uint64_t slot;
    uint64_t orig, cur;
    uint32_t gen;
} eg_access;

typedef struct eg_block {
    plasma_chain_block hdr;
    size_t first_receipt;
    size_t first_event;
} eg_block;

struct plasma_chain {
    plasma_chain_config cfg;
    plasma_domain eip712;
    plasma_call_domain call_domain;
    plasma_chain_store *store;
    uint64_t seed;

    eg_table t[EG_N_TABLES];
    eg_globals g;
    eg_head head;

    /* journal */
    eg_jent *jent;
    size_t n_jent, cap_jent;
    plasma_buf undo;

    /* records changed since the last commit: table << 32 | record */
    uint64_t *dirty;
    size_t n_dirty, cap_dirty;
    bool globals_dirty, head_dirty;

    /* pending calls in arrival order */
    eg_pending **pool;
    size_t n_pool, cap_pool;
    uint64_t seq;

    /* history: receipts[i] is receipt number receipt_base + i of the
     * chain (eg_block.first_receipt counts from the chain's start), and
     * likewise for events; blocks before oldest_block have none held. */
    eg_block *blocks; /* index = block number */
    size_t n_blocks, cap_blocks;
    plasma_receipt *receipts;
    size_t n_receipts, cap_receipts, receipt_base;
    plasma_event *events;
    size_t n_events, cap_events, event_base;
    uint64_t oldest_block;
    eg_index receipt_ix; /* call hash -> position in receipts */

    /* the meter's scratch: the running call's access set (EIP-2929) and
     * the last push's or pop's trace */
    eg_access *acc;
    size_t acc_cap, acc_n;
    uint32_t acc_gen;
    eg_heap_trace trace;
};

static inline plasma_receipt *eg_receipt_at(const plasma_chain *c, size_t number)
{
    return &c->receipts[number - c->receipt_base];
}
static inline size_t eg_receipt_count(const plasma_chain *c)
{
    return c->receipt_base + c->n_receipts;
}
static inline size_t eg_event_count(const plasma_chain *c)
{
    return c->event_base + c->n_events;
}

/* ---- state access (state.c) ---- */
eg_mark eg_mark_now(const plasma_chain *c);
/* Undoes every change recorded after m, newest first. */
void eg_undo_to(plasma_chain *c, const eg_mark *m);
/* Forgets the journal (after a commit). */
void eg_journal_clear(plasma_chain *c);
/* Saves record rec of table for undo and flags it changed; call before
 * modifying it. */
int eg_touch(plasma_chain *c, unsigned table, uint32_t rec);
int eg_touch_globals(plasma_chain *c);
/* Appends a record (journaled, flagged changed). */
int eg_create(plasma_chain *c, unsigned table, const void *key, uint32_t *rec);
/* Journals the writes of a push or pop of queue's heap (done already). On
 * failure the caller unwinds them. */
int eg_journal_heap(plasma_chain *c, uint32_t queue, const eg_heap_trace *tr);
void eg_dirty_clear(plasma_chain *c);

eg_account *eg_account_get(const plasma_chain *c, const plasma_addr *addr);
/* Finds or creates addr's account, journaled for a change. */
int eg_account_touch(plasma_chain *c, const plasma_addr *addr, eg_account **out);
void eg_balance(plasma_u256 *out, const plasma_chain *c, const plasma_addr *addr, const plasma_addr *token);
/* Whether token is ETH (NULL or all zero). */
bool eg_is_eth(const plasma_addr *token);
/* Adds / subtracts to a balance (ETH or token). sub: INSUFFICIENT_FUNDS
 * when short. Out: *was_zero (may be NULL), whether the balance held 0. */
int eg_credit(plasma_chain *c, const plasma_addr *addr, const plasma_addr *token, const plasma_u256 *amount,
              bool *was_zero);
int eg_debit(plasma_chain *c, const plasma_addr *addr, const plasma_addr *token, const plasma_u256 *amount);
int eg_push_event(plasma_chain *c, const plasma_event *ev);
/* The exit queue of token (NULL: ETH), or NULL when it has none. */
const eg_heap *eg_queue_find(const plasma_chain *c, const plasma_addr *token);
/* Finds the queue of token, or creates it when create is set. */
int eg_queue_get(plasma_chain *c, const plasma_addr *token, bool create, uint32_t *queue);

/* ---- execution (contract.c) ---- */

typedef struct eg_exec {
    plasma_chain *c;
    const plasma_call *call;
    uint64_t gas_limit;
    uint64_t gas_used;
    int64_t refund; /* EIP-3529's counter: storage cleared, applied at the end */
    uint64_t now;
    uint64_t block_number;
    uint32_t call_index;
} eg_exec;

/* Runs the call's contract logic after the intrinsic gas is charged.
 * Returns 0 or the error that reverts the call. */
int eg_contract_run(eg_exec *ex);

/* ---- the meter (meter.c) ----
 * Gas as the EVM charges the contract (docs/gas.md): storage by EIP-2929's
 * access sets and EIP-2200/3529's prices and refunds, accounts cold and
 * warm, keccak, logs, calls out, and the contract's computation as fitted
 * per-step terms. Each returns 0 or the error that reverts the call
 * (PLASMA_ERR_OUT_OF_GAS first of all). */

/* A storage slot of the contract (or of a token's), named by where it is;
 * a word is a slot's content as a fingerprint, 0 for the zero word. */
enum {
    EG_S_COUNTERS,  /* counters: next child block ‖ next deposit */
    EG_S_BLOCK,     /* blocks[blknum]: 0 root, 1 timestamp */
    EG_S_EXIT,      /* exits[utxo_pos]: words 0-3 */
    EG_S_IFE,       /* inFlightExits[ife_id]: words 0-33 */
    EG_S_FINAL,     /* finalized[output_id] */
    EG_S_QSIZE,     /* queues[token].size */
    EG_S_QKEY,      /* queues[token].keys[pos] */
    EG_S_QID,       /* queues[token].ifeIds[pos] */
    EG_S_CLAIM,     /* withdrawable[owner][token] */
    EG_S_BALANCE,   /* a token's balanceOf[owner] */
    EG_S_ALLOWANCE, /* a token's allowance[owner][contract] */
    EG_S_ACCOUNT,   /* an account, for EIP-2929's access set */
};
uint64_t eg_slot(unsigned space, const void *key, size_t len, uint64_t index);
uint64_t eg_word(const void *p, size_t len);
uint64_t eg_word_u64(uint64_t v);
uint64_t eg_word_u256(const plasma_u256 *v);
uint64_t eg_word_addr(const plasma_addr *a);
uint64_t eg_word_hash(const plasma_hash *h);

/* Starts a call's metering: nothing accessed yet but the sender and the
 * contract (EIP-2929), no refund. */
int eg_meter_begin(eg_exec *ex);
/* Ends a call that succeeded: the refund, at most a fifth of the gas used. */
void eg_meter_end(eg_exec *ex);
int eg_gas(eg_exec *ex, uint64_t amount);
/* SLOAD of slot holding word; SSTORE of next into slot holding word (word
 * is what the slot holds before the call's first access to it). */
int eg_sload(eg_exec *ex, uint64_t slot, uint64_t word);
int eg_sstore(eg_exec *ex, uint64_t slot, uint64_t word, uint64_t next);
/* An access to an account (a call, EXTCODESIZE): 2,600 the first time in
 * the call, 100 after. */
int eg_account_access(eg_exec *ex, const plasma_addr *a);
/* KECCAK256 over len bytes. */
int eg_keccak(eg_exec *ex, size_t len);
/* Charges the log and records the event. topics counts the signature. */
int eg_emit(eg_exec *ex, plasma_event *ev, unsigned topics, size_t data_bytes);
/* Replays the storage accesses of a push or pop of token's queue. */
int eg_heap_gas(eg_exec *ex, const plasma_addr *token, const eg_heap_trace *tr);

/* ---- the contract's computation: fitted terms (meter.c) ----
 * Gas of the contract's code other than storage, calls and logs, measured
 * on the EVM (contracts/test/gasfit.js, contracts/test/gas.js) and charged
 * where the contract runs that code. */
/* The call's own code: the ABI's dispatch and decoding, and what its
 * function does besides the steps charged where they happen. */
int eg_cpu_call(eg_exec *ex);
/* PaymentTx.decodeSigned and decodeUnsigned of a tx of that shape. */
int eg_cpu_decode_signed(eg_exec *ex, const plasma_tx *tx);
int eg_cpu_decode_unsigned(eg_exec *ex, const plasma_tx *tx);
/* processExits' loop around one popped entry: a standard exit, an
 * in-flight exit. */
int eg_cpu_exit_entry(eg_exec *ex);
int eg_cpu_ife_entry(eg_exec *ex);
/* startInFlightExit's code around one input, and its amount check. */
int eg_cpu_ife_input(eg_exec *ex);
int eg_cpu_amounts(eg_exec *ex, const plasma_tx *tx);

/* ---- metered steps shared by the calls (steps.c) ---- */
#define EG_BLOCK_SLOTS 2 /* blocks[blknum]: root, timestamp */
/* Index of an in-flight exit's storage words: 0 and 1, then 4 per input,
 * then 4 per output (output_id, owner, token, amount). */
#define EG_IFE_W0 0
#define EG_IFE_W1 1
#define EG_IFE_IN(i, k) (2 + 4 * (i) + (k))
#define EG_IFE_OUT(i, k) (18 + 4 * (i) + (k))
#define EG_IFE_WORDS 34
uint64_t eg_word_counters(const eg_globals *g);
uint64_t eg_word_exit(const eg_exit *e, unsigned w);
uint64_t eg_word_ife(const eg_ife *f, unsigned w);
/* Writes words [from, to) of an in-flight exit whose record goes from
 * before to after; likewise for an exit's words. */
int eg_ife_store(eg_exec *ex, const eg_ife *before, const eg_ife *after, unsigned from, unsigned to);
int eg_ife_load(eg_exec *ex, const eg_ife *f, unsigned w);
int eg_exit_store(eg_exec *ex, const eg_exit *before, const eg_exit *after, unsigned from, unsigned to);
int eg_exit_load(eg_exec *ex, const eg_exit *e, unsigned w);
/* The child or deposit block blknum: PLASMA_ERR_BLOCK_NOT_FOUND when none. */
int eg_block_get(eg_exec *ex, uint64_t blknum, const eg_pblock **out);
/* utx (rlp(UnsignedTx)) at txindex under blk's root: PLASMA_ERR_BAD_PROOF
 * when the proof fails or txindex ≥ 65,536. */
int eg_check_inclusion(eg_exec *ex, const eg_pblock *blk, uint64_t txindex, const uint8_t *utx, size_t len,
                       const uint8_t *proof);
int eg_output_id(eg_exec *ex, plasma_hash *out, const uint8_t *utx, size_t len, bool has_inputs,
                 uint32_t oindex, uint64_t utxo_pos);
/* The EIP-712 digest of tx under the chain's domain. */
int eg_tx_digest(eg_exec *ex, const plasma_tx *tx, plasma_hash *out);
/* PLASMA_ERR_BAD_SIGNATURE when sig recovers nobody. */
int eg_recover(eg_exec *ex, const plasma_hash *digest, const plasma_sig *sig, plasma_addr *signer);
/* finalized[output_id]: *by is 0 when unset. set writes the flag. */
int eg_finalized_get(eg_exec *ex, const plasma_hash *output_id, plasma_u256 *by);
int eg_finalized_set(eg_exec *ex, const plasma_hash *output_id, const plasma_u256 *by);
/* Pushes node into token's queue (its size read and written, the heap). */
int eg_enqueue(eg_exec *ex, const plasma_addr *token, const eg_node *node);
/* Pops the head of queue q (whose head the caller has read). Out: *head. */
int eg_dequeue(eg_exec *ex, uint32_t q, eg_node *head);
/* The nonReentrant modifier's transient lock: read, set, and cleared at
 * the end. */
int eg_lock(eg_exec *ex);

/* ---- value movements (pay.c) ---- */
/* ETH moving with a call (its value: no gas). */
int eg_eth_move(plasma_chain *c, const plasma_addr *from, const plasma_addr *to, const plasma_u256 *amount);
/* A token's transfer from `from` to `to` run in the token's code (from
 * calls it), and the contract's transferFrom pulling a deposit.
 * PLASMA_ERR_INSUFFICIENT_FUNDS when from holds too little. */
int eg_token_transfer(eg_exec *ex, const plasma_addr *from, const plasma_addr *to, const plasma_addr *token,
                      const plasma_u256 *amount);
int eg_token_pull(eg_exec *ex, const plasma_addr *from, const plasma_addr *token, const plasma_u256 *amount);
/* A payment out of the contract (token NULL or zero: ETH); deferred to
 * withdrawable[to][token] when the transfer fails. */
int eg_pay(eg_exec *ex, const plasma_addr *to, const plasma_addr *token, const plasma_u256 *amount);
int eg_run_withdraw(eg_exec *ex);

/* ---- in-flight exits (ife.c, ife_process.c) ---- */
int eg_run_start_ife(eg_exec *ex);
int eg_run_piggyback(eg_exec *ex);
int eg_run_challenge_ife(eg_exec *ex);
int eg_run_respond_ife(eg_exec *ex);
int eg_run_challenge_ife_input(eg_exec *ex);
int eg_run_challenge_ife_output(eg_exec *ex);
int eg_run_delete_ife(eg_exec *ex);
/* Processes the queue entry of record ife popped from token's queue. */
int eg_ife_settle(eg_exec *ex, const plasma_addr *token, uint32_t ife);
/* The record of an open in-flight exit, or EG_NONE. */
uint32_t eg_ife_find_open(const plasma_chain *c, const uint8_t id[32]);
/* Deletes open record r as the contract does: its inputs' words, the
 * words of each output piggybacked or blocked, words 0 and 1. */
int eg_ife_delete(eg_exec *ex, uint32_t r);
/* Empties record f but for its id (the exit is gone; the same tx may be
 * started again). */
void eg_ife_wipe(eg_ife *f);

/* ---- persistence (persist.c) ---- */
/* Writes the changed records (+ head, globals, block record when block is
 * not NULL) to the store as one batch. Returns 0, PLASMA_ERR_IO or NOMEM. */
int eg_persist_commit(plasma_chain *c, const eg_block *block);
int eg_persist_load(plasma_chain *c);
int eg_persist_genesis(plasma_chain *c);
/* Appends the canonical value of a record (persist keys/values). */
int eg_history_append_block(plasma_chain *c, const eg_block *b);

/* Sorts record numbers of table by key, in the stores' bytewise key order. */
void eg_sort_records(const plasma_chain *c, unsigned table, uint32_t *recs, size_t n);
/* Sets b->hdr.hash from the header and the block's receipts. */
int eg_block_hash(const plasma_chain *c, eg_block *b);
uint32_t eg_receipt_find(const plasma_chain *c, const plasma_hash *call_hash);
int eg_receipt_index(plasma_chain *c, uint32_t rec);
/* Drops the receipts and events of blocks older than the history window. */
int eg_prune_history(plasma_chain *c);

/* ---- call encoding helpers (call.c) ---- */
/* Appends rlp([kind, args...]), the part of a call metered as calldata. */
int eg_call_encode_args(plasma_buf *buf, const plasma_call *call);
/* Appends the ABI call data of an encodable call (abi.c). */
int eg_call_calldata(plasma_buf *out, const plasma_call *call);
/* As plasma_call_intrinsic_gas, telling out-of-memory (PLASMA_ERR_NOMEM)
 * from a call that cannot be encoded (PLASMA_ERR_BAD_CALL). */
int eg_call_intrinsic_gas(uint64_t *out, const plasma_call *call);

/* ---- big-endian helpers ---- */
static inline void eg_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}
static inline uint64_t eg_get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

#endif
