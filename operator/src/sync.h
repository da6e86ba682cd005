/* Keeps the ledger and the root chain in step, on two threads:
 *   follower  - reads DepositCreated events of root-chain blocks at least
 *               finality_margin deep and ExitStarted events up to the head,
 *               and applies them to the ledger with their cursors; follows
 *               ExitFinalized and the in-flight exits (their inputs, and the
 *               outputs of their tx when the ledger holds it) and marks the
 *               outputs the root chain finalized (plasma_ledger_finalize);
 *   submitter - hands sealed blocks to the root chain strictly in order,
 *               re-sending until each is mined, and records the result. */
#ifndef PLASMA_OP_SYNC_H
#define PLASMA_OP_SYNC_H

#include "plasma/ledger.h"
#include "plasma/rootchain_backend.h"

typedef struct op_sync op_sync;

typedef struct op_sync_config {
    uint64_t finality_margin; /* root-chain blocks a deposit must be buried */
    unsigned poll_ms;         /* how often the chain is polled */
    unsigned resubmit_ms;     /* re-send a block not mined after this long */
    unsigned max_range;       /* root-chain blocks read per event query */
    uint64_t start_block;     /* no event before it (the contract's deployment) */
} op_sync_config;

typedef struct op_sync_stats {
    uint64_t rc_head;      /* latest root-chain block seen */
    uint64_t deposit_next; /* next root-chain block to read deposits from */
    uint64_t exit_next;
    uint64_t deposits; /* applied since start */
    uint64_t exits;
    uint64_t finalized;    /* outputs marked finalized since start */
    uint64_t dropped;      /* open-block txs dropped for a finalized input */
    uint64_t ifes_watched; /* in-flight exits whose outputs are watched now */
    uint64_t submissions;  /* submitBlock calls sent */
    bool rc_reachable;
    bool diverged; /* the root chain holds another root for one of our blocks */
} op_sync_stats;

/* Starts both threads. be must outlive the sync. Returns 0 or
 * PLASMA_ERR_NOMEM. */
int op_sync_start(op_sync **out, plasma_ledger *l, const plasma_rootchain_backend *be,
                  const op_sync_config *cfg);
/* Wakes the submitter (a block was sealed). Safe from any thread. */
void op_sync_wake(op_sync *s);
/* Runs one follower round now and returns when it is applied (tests,
 * admin). Returns 0 or an error of the backend or ledger. */
int op_sync_follow_now(op_sync *s);
void op_sync_stats_get(op_sync *s, op_sync_stats *out);
/* Stops and joins the threads; NULL-safe. */
void op_sync_free(op_sync *s);

#endif
