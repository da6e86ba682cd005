/* Following the contract's events: eth_getLogs over bounded block ranges,
 * only blocks with enough confirmations, reorganisations detected and
 * undone, and a cursor (last block number and hash) that a restart resumes
 * from. docs/eth.md describes the algorithm. */
#ifndef PLASMA_ETH_FOLLOW_H
#define PLASMA_ETH_FOLLOW_H

#include "plasma/eth_contract.h"
#include "plasma/eth_rpc.h"

/* The last block whose events were all delivered. */
typedef struct plasma_eth_cursor {
    uint64_t number;
    plasma_hash hash;
} plasma_eth_cursor;

/* What the follower calls, from the thread that polls. A nonzero return
 * from any of them stops the poll and is returned by it unchanged. */
typedef struct plasma_eth_follow_consumer {
    void *ctx;
    /* One event of a block after the cursor, in chain order (block number,
     * then log index). */
    int (*on_event)(void *ctx, const plasma_eth_event *ev);
    /* Every event up to and including block cursor->number has been
     * delivered: the consumer commits what it applied and persists the
     * cursor with it. Called after each block that had events and at the
     * end of each range. A block whose on_block did not return 0 is
     * delivered again from its first event by the next poll, so the
     * consumer discards what it applied of it. */
    int (*on_block)(void *ctx, const plasma_eth_cursor *cursor);
    /* The chain was reorganised: the blocks after ancestor->number are
     * gone. The consumer undoes what it applied from them and persists
     * ancestor as its cursor; the new chain's events follow. */
    int (*on_undo)(void *ctx, const plasma_eth_cursor *ancestor);
} plasma_eth_follow_consumer;

typedef struct plasma_eth_follow_config {
    plasma_addr contract;
    uint64_t start_block;   /* first block read when there is no cursor (the deployment's); ≥ 1 */
    unsigned confirmations; /* a block is read once this many are mined on top of it; default 12, 0 allowed */
    uint64_t max_range;     /* blocks per eth_getLogs; default 1 000 */
    unsigned reorg_window;  /* recent blocks whose hashes are kept to find a common ancestor; default 64 */
} plasma_eth_follow_config;

/* Fills cfg with the defaults above (contract zero, start_block 1). */
void plasma_eth_follow_config_default(plasma_eth_follow_config *cfg);

typedef struct plasma_eth_follower plasma_eth_follower;

/* A follower of cfg->contract over rpc (borrowed), calling consumer
 * (copied). resume: the persisted cursor, or NULL to start at
 * cfg->start_block. Returns 0, PLASMA_ERR_CONFIG (a bound out of range:
 * max_range 1..100 000, reorg_window 1..10 000, confirmations ≤ 10 000,
 * start_block ≥ 1, a callback missing) or PLASMA_ERR_NOMEM. */
int plasma_eth_follower_new(plasma_eth_follower **out, plasma_eth_rpc *rpc,
                            const plasma_eth_follow_config *cfg, const plasma_eth_follow_consumer *consumer,
                            const plasma_eth_cursor *resume);
void plasma_eth_follower_free(plasma_eth_follower *f);

/* One step: checks the cursor's block against the chain (a mismatch
 * rewinds to the common ancestor, telling the consumer to undo), then reads
 * and delivers at most one range of confirmed blocks. Out: *caught_up true
 * when no confirmed block is left to read. Returns 0, a consumer's error,
 * or an rpc error (nothing after the cursor was delivered; poll again). */
int plasma_eth_follower_poll(plasma_eth_follower *f, bool *caught_up);

const plasma_eth_cursor *plasma_eth_follower_cursor(const plasma_eth_follower *f);

/* Logs of the contract that are none of §9's events, skipped so far. */
uint64_t plasma_eth_follower_skipped(const plasma_eth_follower *f);

/* One line on the last failure of plasma_eth_follower_poll. */
const char *plasma_eth_follower_errmsg(const plasma_eth_follower *f);

/* A cursor in a small text file, replaced atomically (written beside it,
 * flushed, renamed): a crash leaves the old cursor or the new one.
 * Returns 0 or PLASMA_ERR_IO. */
int plasma_eth_cursor_save(const char *path, const plasma_eth_cursor *cursor);

/* Returns 0, PLASMA_ERR_NOT_FOUND (no file), PLASMA_ERR_BAD_REQUEST (not a
 * cursor file) or PLASMA_ERR_IO. */
int plasma_eth_cursor_load(plasma_eth_cursor *out, const char *path);

#endif
