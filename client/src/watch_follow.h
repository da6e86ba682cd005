/* Following the root chain and the operator: the root chain's events (a
 * deposit or a submitted block joins the queue of blocks to apply, in
 * root-chain order; the others, exits and in-flight exits, go to the
 * caller) and the operator's blocks.
 * The queue lives in the data dir:
 *   'Q' seq8   kind1 blknum8 rc_block8 rc_timestamp8, then root32 (blocks)
 *              or owner20 token20 amount (deposits, amount minimal BE)
 * Internal to libplasma_client. */
#ifndef PLASMA_WATCH_FOLLOW_H
#define PLASMA_WATCH_FOLLOW_H

#include "plasma/client.h"
#include "watch_store.h"

typedef enum watch_item_kind { WATCH_ITEM_DEPOSIT = 1, WATCH_ITEM_BLOCK = 2 } watch_item_kind;

/* A deposit or submitted block not applied yet (blocks are applied in
 * root-chain order; one the operator does not serve holds back the rest). */
typedef struct watch_item {
    uint64_t seq; /* its place in the queue */
    watch_item_kind kind;
    uint64_t blknum;
    uint64_t rc_block;     /* root-chain block of its event */
    uint64_t rc_timestamp; /* and that block's timestamp: when it was submitted */
    plasma_hash root;      /* blocks */
    plasma_output deposit; /* deposits */
} watch_item;

typedef struct watch_follow {
    plasma_client *c;
    watch_store *store;
    uint64_t cursor; /* next root-chain block whose events are unread */
    /* On a chain that reorganises: the hash of block cursor − 1, the last
     * one read (have_hash false: none read yet), and the common ancestor
     * of the last reorganisation seen. */
    bool have_hash;
    plasma_hash hash;
    uint64_t reorg_ancestor;
    uint64_t next_seq; /* of the next item queued */
    uint64_t ts_block; /* the root-chain block whose timestamp ts is */
    uint64_t ts;
} watch_follow;

void watch_follow_init(watch_follow *f, plasma_client *c, watch_store *store);

/* Receives each event other than a deposit or a submitted block, in order
 * with the queue, to add what it changes to b. */
typedef int (*watch_event_fn)(void *ctx, const plasma_event *ev, watch_batch *b);
/* Writes b once a page of events is in it (with the cursor advanced). */
typedef int (*watch_commit_fn)(void *ctx, watch_batch *b);

/* What watch_follow_events returns when the chain was reorganised below
 * the cursor: f->reorg_ancestor is the last block still on the chain; the
 * caller takes back what it wrote from the blocks after it. */
#define WATCH_FOLLOW_REORG 1

/* Reads every root-chain event from the cursor on, a page (on a chain that
 * reorganises, a block) at a time: the deposits and blocks go into b as
 * queue items, the other events to on_event, and commit writes b; the
 * cursor and next_seq advance only once it did. Returns 0,
 * WATCH_FOLLOW_REORG, an error of on_event or commit, or an error as the
 * client functions. */
int watch_follow_events(watch_follow *f, watch_batch *b, watch_event_fn on_event, watch_commit_fn commit,
                        void *ctx);

/* Out: up to max items of the queue, oldest first, from seq on; *n.
 * Returns 0, PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int watch_follow_items(watch_follow *f, uint64_t seq, watch_item *items, size_t max, size_t *n);
/* Adds the removal of item seq to b. */
void watch_follow_pop(watch_batch *b, uint64_t seq);

/* GET /v1/blocks/{blknum} from the operator through http, asking for the
 * binary form of docs/api.md. Out: the reply's body in *body (a buffer it
 * holds is used again; the caller frees it whatever the result), *binary
 * whether it is in that form (else the JSON one). Returns 0,
 * PLASMA_ERR_NOT_FOUND (the operator answered but did not serve it: an
 * error status below 500, a reply too large) or PLASMA_ERR_UNAVAILABLE
 * (no answer: unreachable, a timeout, a 5xx status). */
int watch_follow_fetch(plasma_http_client *http, uint64_t blknum, plasma_buf *body, bool *binary);

#endif
