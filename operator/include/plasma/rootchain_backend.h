/* How the operator talks to the root chain: a versioned table of functions
 * over an opaque context, so that the ledger never knows whether the chain
 * runs in-process (the simulated exit game), behind the plasma-rootchain
 * daemon, or is a real Ethereum node reached by JSON-RPC.
 *
 * Every function returns 0 or a negative plasma_err; PLASMA_ERR_UNAVAILABLE
 * means "try again later" (the chain cannot be reached), and the caller
 * retries. Functions may block on the network but must not wait for mining.
 * A backend is used from two threads at once (follower and submitter). */
#ifndef PLASMA_ROOTCHAIN_BACKEND_H
#define PLASMA_ROOTCHAIN_BACKEND_H

#include "plasma/types.h"

/* 2: exit_events and finalized (in-flight exits); 3: follow, for chains
 * that reorganise. */
#define PLASMA_ROOTCHAIN_BACKEND_VERSION 3

/* DepositCreated(depositor, blknum, token, amount), found in a root-chain block. */
typedef struct plasma_rc_deposit {
    uint64_t rc_block;
    uint64_t blknum;
    plasma_addr depositor;
    plasma_addr token;
    plasma_u256 amount;
    uint64_t timestamp; /* root-chain time of rc_block */
} plasma_rc_deposit;

/* ExitStarted(owner, exit_id, token, amount); exit_id is the utxo_pos. */
typedef struct plasma_rc_exit {
    uint64_t rc_block;
    uint64_t utxo_pos;
    plasma_addr owner;
    plasma_addr token;
    plasma_u256 amount;
} plasma_rc_exit;

/* What the operator follows of the exits, to stop building on outputs the
 * root chain finalized (PROTOCOL §6, §6b). */
typedef enum plasma_rc_exit_kind {
    PLASMA_RC_EXIT_FINALIZED = 1, /* ExitFinalized: exit_id */
    PLASMA_RC_IFE_STARTED = 2,    /* InFlightExitStarted: ife_id, txhash, inputs */
    PLASMA_RC_IFE_CLOSED = 3,     /* InFlightExitFinalized or InFlightExitDeleted: ife_id */
} plasma_rc_exit_kind;

typedef struct plasma_rc_exit_event {
    uint64_t rc_block;
    plasma_rc_exit_kind kind;
    uint64_t exit_id; /* PLASMA_RC_EXIT_FINALIZED: the exited utxo_pos */
    plasma_u256 ife_id;
    plasma_hash txhash;
    /* PLASMA_RC_IFE_STARTED: the tx's input positions, from the call's
     * arguments (on Ethereum, the call data of the emitting transaction). */
    uint8_t n_inputs;
    uint64_t inputs[4];
} plasma_rc_exit_event;

/* Where the operator stands on a chain that can reorganise: the last block
 * whose events it applied, and that block's hash. */
typedef struct plasma_rc_cursor {
    uint64_t number;
    plasma_hash hash;
} plasma_rc_cursor;

/* What such a chain hands the operator, in chain order. Each function
 * returns 0 or an error, which stops the step and is returned by follow. */
typedef struct plasma_rc_sink {
    void *ctx;
    int (*deposit)(void *ctx, const plasma_rc_deposit *d);
    int (*exit)(void *ctx, const plasma_rc_exit *x);
    /* Every event of the blocks up to and including cursor->number has
     * been delivered: apply them and keep cursor with them, durably. The
     * events of a block whose call failed come again from its first. */
    int (*block)(void *ctx, const plasma_rc_cursor *cursor);
    /* The chain dropped its blocks after ancestor->number: undo what they
     * brought and keep ancestor as the cursor; the new blocks follow. */
    int (*undo)(void *ctx, const plasma_rc_cursor *ancestor);
} plasma_rc_sink;

typedef struct plasma_rootchain_backend {
    unsigned version; /* PLASMA_ROOTCHAIN_BACKEND_VERSION */
    const char *name; /* "embedded", "remote", ... for logs */
    void *ctx;

    /* Out: the number of the latest mined root-chain block. */
    int (*head)(void *ctx, uint64_t *rc_block);

    /* Out: the child block number the contract gives the next submitBlock. */
    int (*next_child_block)(void *ctx, uint64_t *blknum);

    /* Sends submitBlock(root) as the operator, meant to become child block
     * blknum. Returns once the call is accepted for mining (not mined).
     * Calling it again for the same blknum before it is mined must not
     * create a second block (a backend uses one nonce per blknum, or checks
     * next_child_block); PLASMA_ERR_BAD_REQUEST when blknum is not the next. */
    int (*submit_block)(void *ctx, uint64_t blknum, const plasma_hash *root);

    /* Out: the root and root-chain timestamp stored for blknum (child or
     * deposit block). Returns 0 or PLASMA_ERR_NOT_FOUND (not mined yet). */
    int (*get_block)(void *ctx, uint64_t blknum, plasma_hash *root, uint64_t *timestamp);

    /* Events of the root-chain blocks from..to (inclusive), in chain order.
     * Out: a malloc'd array (*out, caller frees; NULL when *n is 0). */
    int (*deposits)(void *ctx, uint64_t from, uint64_t to, plasma_rc_deposit **out, size_t *n);
    int (*exits)(void *ctx, uint64_t from, uint64_t to, plasma_rc_exit **out, size_t *n);
    int (*exit_events)(void *ctx, uint64_t from, uint64_t to, plasma_rc_exit_event **out, size_t *n);

    /* Out: finalized[output_id] as the contract holds it: 0, or the id of
     * the exit (exit_id or ife_id) that finalized the output. */
    int (*finalized)(void *ctx, const plasma_hash *output_id, plasma_u256 *by);

    /* A chain that can reorganise (eth) has follow instead of deposits and
     * exits (NULL there, as follow is on the others). One step: delivers to
     * sink the events of at most one range of blocks buried under the
     * backend's confirmations, after resume (read at the first call only:
     * the cursor the sink last kept, NULL for none, then the deployment's
     * block). Out: *caught_up when no such block is left to read. */
    int (*follow)(void *ctx, const plasma_rc_cursor *resume, const plasma_rc_sink *sink, bool *caught_up);

    /* Releases ctx; the table itself is owned by whoever made it. */
    void (*free)(void *ctx);
} plasma_rootchain_backend;

/* A remote backend: a plasma-rootchain daemon at base_url ("http://h:p"),
 * submitting as the operator with key (copied, wiped on free). The daemon
 * is asked for its status once: it must answer, and with
 * PLASMA_ROOTCHAIN_PROTOCOL_VERSION. Fills *out; err (err_len bytes) gets
 * a one-line reason on failure.
 * Returns 0, PLASMA_ERR_UNAVAILABLE (nothing answers at base_url),
 * PLASMA_ERR_CONFIG (another protocol version, or not a root chain) or
 * PLASMA_ERR_NOMEM. */
int plasma_rootchain_remote(plasma_rootchain_backend *out, const char *base_url, const plasma_privkey *key,
                            char *err, size_t err_len);

#endif
