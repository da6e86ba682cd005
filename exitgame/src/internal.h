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

enum { EG_T_ACCOUNT, EG_T_TOKBAL, EG_T_PBLOCK, EG_T_EXIT, EG_T_QUEUE, EG_N_TABLES };

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
    uint8_t state;  /* plasma_exit_state */
    uint8_t queued; /* still in its token's queue */
} eg_exit;

/* ---- exit priority queue: array-based binary min-heap ---- */

typedef struct eg_node {
    uint64_t exitable_at;
    uint64_t utxo_pos;
} eg_node;

typedef struct eg_heap {
    eg_node *a;
    size_t n, cap;
} eg_heap;

/* Storage slots an operation touched, for the gas meter: each heap entry
 * is one 32-byte slot as the contract would store it. */
typedef struct eg_heap_cost {
    uint32_t reads;
    uint32_t writes_new;
    uint32_t writes_update;
} eg_heap_cost;

static inline bool eg_node_less(const eg_node *a, const eg_node *b)
{
    return a->exitable_at != b->exitable_at ? a->exitable_at < b->exitable_at : a->utxo_pos < b->utxo_pos;
}
int eg_heap_push(eg_heap *h, const eg_node *node, eg_heap_cost *cost);
/* Removes the minimum (h->n > 0). The caller has already read it. */
void eg_heap_pop(eg_heap *h, eg_heap_cost *cost);
/* Removes node wherever it is (undo of a push); false if absent. */
bool eg_heap_remove(eg_heap *h, const eg_node *node);
void eg_heap_free(eg_heap *h);

typedef struct eg_queue {
    plasma_addr token;
    eg_heap heap;
} eg_queue;

/* ---- journal: undo log of one block's changes ---- */

enum { EG_J_UPDATE, EG_J_CREATE, EG_J_GLOBALS, EG_J_PUSH, EG_J_POP };

typedef struct eg_jent {
    uint8_t op;
    uint8_t table;
    uint32_t rec; /* record, or queue for PUSH/POP */
    size_t off;   /* saved bytes in the undo buffer (UPDATE, GLOBALS) */
    eg_node node; /* PUSH/POP */
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
int eg_journal_heap(plasma_chain *c, uint8_t op, uint32_t queue, const eg_node *node);
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
    uint64_t now;
    uint64_t block_number;
    uint32_t call_index;
} eg_exec;

int eg_gas(eg_exec *ex, uint64_t amount);
/* Runs the call's contract logic after the intrinsic gas is charged.
 * Returns 0 or the error that reverts the call. */
int eg_contract_run(eg_exec *ex);

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
