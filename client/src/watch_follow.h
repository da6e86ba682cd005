/* Following the root chain and the operator: the root chain's events (a
 * deposit or a submitted block joins the queue of blocks to apply, in
 * root-chain order; an exit goes to the caller) and the operator's blocks.
 * Internal to libplasma_client. */
#ifndef PLASMA_WATCH_FOLLOW_H
#define PLASMA_WATCH_FOLLOW_H

#include "plasma/client.h"

typedef enum watch_item_kind { WATCH_ITEM_DEPOSIT = 1, WATCH_ITEM_BLOCK = 2 } watch_item_kind;

/* A deposit or submitted block not applied yet (blocks are applied in
 * root-chain order; one the operator does not serve holds back the rest). */
typedef struct watch_item {
    watch_item_kind kind;
    uint64_t blknum;
    plasma_hash root;      /* blocks */
    plasma_output deposit; /* deposits */
    double first_seen;     /* monotonic seconds */
    uint64_t rc_block;     /* root-chain block of its event */
} watch_item;

typedef struct watch_follow {
    plasma_client *c;
    uint64_t cursor;   /* next root-chain block whose events are unread */
    watch_item *items; /* FIFO */
    size_t n_items, cap_items;
} watch_follow;

void watch_follow_init(watch_follow *f, plasma_client *c);
void watch_follow_free(watch_follow *f);

/* Receives each ExitStarted event, in order with the queue: the deposits
 * and blocks of earlier events are queued before it. */
typedef int (*watch_exit_fn)(void *ctx, const plasma_event *ev);

/* Reads every root-chain event from the cursor on and advances it. Returns
 * 0, on_exit's error, or an error as the client functions. */
int watch_follow_events(watch_follow *f, watch_exit_fn on_exit, void *ctx);

/* The oldest queued item, or NULL. */
const watch_item *watch_follow_head(const watch_follow *f);
void watch_follow_pop(watch_follow *f);
/* Where to resume after a restart: the root-chain block of the oldest item
 * not applied, else the cursor. */
uint64_t watch_follow_resume_block(const watch_follow *f);

/* A block as the operator served it: the binary form of docs/api.md
 * (rlp([blknum, root, timestamp, [SignedTx, ...]])) or, from an operator
 * that only speaks JSON, the JSON object. */
typedef struct watch_served {
    plasma_buf body;
    bool binary;
} watch_served;

void watch_served_free(watch_served *s);

/* GET /v1/blocks/{blknum} from the operator, asking for the binary form.
 * Out: *out. Returns 0 or PLASMA_ERR_NOT_FOUND (not served, for whatever
 * reason: withheld, unreachable, an error status, a reply too large). */
int watch_follow_fetch(watch_follow *f, uint64_t blknum, watch_served *out);

#endif
