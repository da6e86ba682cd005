/* Internals shared by the ledger's files: ledger.c (open, recovery,
 * queries), ledger_submit.c (checks and acceptance), ledger_commit.c (the
 * committer thread: group commit and sealing). */
#ifndef PLASMA_OP_LEDGER_INT_H
#define PLASMA_OP_LEDGER_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "defer.h"
#include "plasma/ledger.h"
#include "sigs.h"
#include "store.h"
#include "uidx.h"

/* A child block being filled, or closed and waiting for the committer to
 * seal it. */
typedef struct block_acc {
    struct block_acc *next;
    uint64_t blknum;
    uint32_t n_payments;
    uint32_t leaves_cap;
    plasma_hash *leaves;
    plasma_block_fees fees; /* per token, sorted at the seal */
    uint64_t first_tx_ms;   /* when the first payment arrived */
} block_acc;

/* REC_UNDO removes a deposit a reorganisation of the root chain took back;
 * REC_CURSOR stores the position on such a chain (ledger_reorg.c). */
typedef enum rec_kind { REC_TX, REC_DEPOSIT, REC_EXIT, REC_META, REC_UNDO, REC_CURSOR } rec_kind;

/* One change waiting in the commit queue. */
typedef struct commit_rec {
    struct commit_rec *next;
    rec_kind kind;
    uint64_t seq;
    uint64_t blknum;
    uint32_t txindex;
    plasma_tx tx;
    plasma_hash txhash;
    plasma_hash leaf;
    plasma_addr fee_token;
    plasma_u256 fee;
    uint64_t timestamp;  /* deposits */
    uint64_t rc_block;   /* deposits, undone deposits: their root-chain block (0: not kept) */
    plasma_hash rc_hash; /* cursor: the root-chain block's hash (its number in value) */
    uint64_t pos;        /* exits */
    bool applies;        /* exits: the output was unspent */
    char name[48];       /* meta */
    uint64_t value;      /* meta */
    size_t rlp_len;
    uint8_t rlp[];
} commit_rec;

#define TREE_CACHE 4

typedef struct tree_slot {
    uint64_t blknum;
    plasma_merkle *tree;
    uint64_t used;
} tree_slot;

struct plasma_ledger {
    plasma_ledger_config cfg;
    plasma_fee_rule *fee_rules;
    plasma_fee_policy fee_policy; /* over cfg.min_fee and fee_rules */
    plasma_kv *store;
    op_pubkeys *pubkeys;
    op_pool *pool;

    pthread_mutex_t mu;
    pthread_cond_t commit_cv;  /* wakes the committer */
    pthread_cond_t durable_cv; /* wakes submitters waiting for durability */
    op_uidx uidx;
    op_defer defer; /* owner and 't' entries of unsealed blocks */
    block_acc *open;
    block_acc *closing; /* closed blocks in order, sealed by the committer */
    commit_rec *q_head;
    commit_rec *q_tail;
    size_t q_len;
    uint64_t next_seq;
    uint64_t durable_seq;
    int failed; /* sticky: PLASMA_ERR_IO once a write failed */
    bool stop;
    bool committer_running;
    bool round_busy; /* the committer writes a round (mu released) */
    uint64_t round_sealing; /* the newest block that round seals (0: none) */
    bool holding;    /* acceptance waits: ledger_final.c rewrites the open block */
    pthread_t committer;
    plasma_kv_batch *commit_batch; /* the committer's, made at open */
    uint64_t last_sealed;
    plasma_hash last_root;
    uint64_t last_submitted;
    unsigned n_unsubmitted; /* closed or sealed, not yet on the root chain */

    pthread_mutex_t tree_mu;
    tree_slot trees[TREE_CACHE];
    uint64_t tree_clock;

    atomic_uint_fast64_t accepted;
    atomic_uint_fast64_t rejected[64];
    atomic_uint_fast64_t blocks_sealed;
    atomic_uint_fast64_t seal_ms_last;
    atomic_uint_fast64_t seal_ms_total;
    atomic_uint_fast64_t commits;
    atomic_uint_fast64_t committed_txs;
};

uint64_t op_now_ms(void);

/* block_acc helpers (ledger.c). */
block_acc *op_block_new(uint64_t blknum);
void op_block_free(block_acc *b);
/* Appends a payment leaf and adds its fee (amount 0: none). Returns 0 or
 * PLASMA_ERR_NOMEM (the block unchanged). */
int op_block_add(block_acc *b, const plasma_hash *leaf, const plasma_fee *fee);
/* True when the block can take one more payment paying fee (amount 0:
 * none) and still hold its fee transactions. */
bool op_block_has_room(const block_acc *b, uint32_t capacity, const plasma_fee *fee);

/* Closes the open block and opens the next one (mu held). Returns 0,
 * PLASMA_ERR_BLOCK_FULL (too many blocks await the root chain) or
 * PLASMA_ERR_NOMEM (nothing changed). */
int op_rollover_locked(plasma_ledger *l);

/* Looks up pos for spending (mu held). Returns 0 (*rec, *state written),
 * PLASMA_ERR_UTXO_SPENT, _UTXO_NOT_FOUND or _IO. */
int op_lookup_locked(plasma_ledger *l, uint64_t pos, op_utxo_rec *rec, op_ustate *state);

/* Queues r (mu held), giving it the next sequence number. */
void op_enqueue_locked(plasma_ledger *l, commit_rec *r);
/* Waits (mu held) until seq is durable. Returns 0 or l->failed. */
int op_wait_durable_locked(plasma_ledger *l, uint64_t seq);

/* Applies deposits (each remembered as coming from root-chain block
 * rc_block, unless 0) and exits, then queues cursor (taken) and waits until
 * all is durable (ledger.c). Returns 0 or l->failed. */
int op_follow(plasma_ledger *l, const plasma_deposit *deposits, size_t n_deposits, const uint64_t *exits,
              size_t n_exits, uint64_t rc_block, commit_rec *cursor);

/* Encoding and settling of REC_UNDO and REC_CURSOR, and the 'd' key of a
 * deposit with its root-chain block (ledger_reorg.c). */
void op_encode_reorg_rec(plasma_kv_batch *b, const commit_rec *r);
void op_settle_reorg_rec_locked(plasma_ledger *l, const commit_rec *r);
void op_put_deposit_origin(plasma_kv_batch *b, uint64_t rc_block, uint64_t blknum);

/* The committer thread (ledger_commit.c); blocks closed before a crash are
 * in l->closing when it starts and are sealed in its first round. */
void *op_committer_main(void *arg);

/* An iterator over the 'b' records of block blknum, in index order; NULL
 * when out of memory. */
plasma_kv_iter *op_block_txs(plasma_ledger *l, uint64_t blknum);
/* Puts into b: pos unspent no more, its 's' record with reason. */
void op_spend_utxo(plasma_kv_batch *b, uint64_t pos, uint8_t reason);
/* Waits (mu held) while a finalized output's drop holds acceptance. */
void op_wait_unheld_locked(plasma_ledger *l);

/* Reads the output at pos from its block's stored tx (any block, sealed or
 * not). Returns 0, PLASMA_ERR_NOT_FOUND or PLASMA_ERR_IO. Out: *rec and,
 * when utx is not NULL, the creating tx's rlp(UnsignedTx) appended to it
 * and *has_inputs. */
int op_read_output(plasma_ledger *l, uint64_t pos, op_utxo_rec *rec, plasma_buf *utx, bool *has_inputs);

/* Tree cache (ledger.c). Takes ownership of tree. */
void op_tree_cache_put(plasma_ledger *l, uint64_t blknum, plasma_merkle *tree);

#endif
