/* The root chain as the client library sees it: an ops table with two
 * implementations, the simulated chain's JSON API (client_chain_sim.c,
 * through plasma_rootchain_client) and the Plasma contract on an Ethereum
 * node (client_chain_eth.c, through eth/). Everything in the library that
 * reads or calls the root chain goes through it.
 *
 * Every op returns 0 or a negative plasma_err; its one-line reason is kept
 * for errmsg. Not thread-safe: one client per thread. Internal to
 * libplasma_client. */
#ifndef PLASMA_CLIENT_CHAIN_H
#define PLASMA_CLIENT_CHAIN_H

#include "plasma/client.h"

/* A root-chain block: its number and hash. */
typedef struct client_chain_cursor {
    uint64_t number;
    plasma_hash hash;
} client_chain_cursor;

/* What a follower of the chain's events calls; a nonzero return stops the
 * step and is returned by it. */
typedef struct client_follow_sink {
    void *ctx;
    /* One event of a block after the cursor, in chain order. */
    int (*event)(void *ctx, const plasma_event *ev);
    /* Every event up to block c has been delivered: commit them with c as
     * the cursor. A block whose commit failed is delivered again. */
    int (*block)(void *ctx, const client_chain_cursor *c);
    /* The chain was reorganised: the blocks after ancestor are gone; undo
     * what was applied from them. */
    int (*undo)(void *ctx, const client_chain_cursor *ancestor);
} client_follow_sink;

typedef struct client_chain_ops {
    const char *name; /* "sim", "eth" */
    /* Out: the chain's status (on eth: the head is the latest block; the
     * protocol version, gas and pool figures are 0). */
    int (*status)(void *ctx, plasma_rootchain_status *out);
    /* Signs call as key and sends it (nonce, gas and fees are set here).
     * Out: *h, the hash to wait for. A call the chain would refuse is
     * refused here with that error, nothing sent. */
    int (*send)(void *ctx, const plasma_privkey *key, plasma_call *call, uint64_t gas_price, plasma_hash *h);
    /* Waits until call h is mined (on eth: with the confirmations). Out:
     * *out (its err the call's failure, if any). */
    int (*wait)(void *ctx, const plasma_hash *h, long timeout_ms, plasma_receipt *out);
    /* The events the call of receipt r emitted, in order (*ev malloc'd). */
    int (*call_events)(void *ctx, const plasma_receipt *r, plasma_event **ev, size_t *n);
    /* The events of blocks from..to (UINT64_MAX: the newest one to read:
     * on eth, the newest with the confirmations), a page at most; *next the
     * first block not covered. */
    int (*events)(void *ctx, uint64_t from, uint64_t to, plasma_event **ev, size_t *n, uint64_t *next);
    int (*block)(void *ctx, uint64_t number, plasma_chain_block *out);
    int (*block_root)(void *ctx, uint64_t blknum, plasma_block_record *out);
    int (*exit)(void *ctx, uint64_t exit_id, plasma_exit_info *out);
    int (*ife)(void *ctx, const plasma_u256 *ife_id, plasma_ife_info *out);
    int (*ife_tx)(void *ctx, const plasma_u256 *ife_id, plasma_tx *out);
    /* The open in-flight exits above *after (NULL: all), ascending. */
    int (*ifes)(void *ctx, const plasma_u256 *after, size_t limit, plasma_ife_info **out, size_t *n,
                bool *more);
    int (*finalized)(void *ctx, const plasma_hash *output_id, plasma_u256 *by);
    int (*withdrawable)(void *ctx, const plasma_addr *owner, const plasma_addr *token, plasma_u256 *out);
    /* addr's balance of token (NULL or zero: ETH) on the root chain. */
    int (*balance)(void *ctx, const plasma_addr *addr, const plasma_addr *token, plasma_u256 *out);
    /* Chains that reorganise (eth; NULL for the simulated one): one step
     * of following the events of blocks with the confirmations, from after
     * resume (NULL: from the start), reorganisations detected and reported
     * to sink->undo. Out: *caught_up. */
    int (*follow)(void *ctx, const client_chain_cursor *resume, const client_follow_sink *sink,
                  bool *caught_up);
    /* How many recent blocks a reorganisation may reach back (follow). */
    uint64_t reorg_window;
    const char *(*errmsg)(void *ctx);
    void (*free)(void *ctx);
} client_chain_ops;

typedef struct client_chain {
    const client_chain_ops *ops;
    void *ctx;
} client_chain;

/* The simulated chain's API at url. Returns 0 or PLASMA_ERR_NOMEM. */
int client_chain_sim_new(client_chain *out, const char *url, long timeout_ms);
/* The simulated chain's client, or NULL for another kind of chain. */
plasma_rootchain_client *client_chain_sim_client(const client_chain *ch);

/* The contract of cfg on an Ethereum node, checked at once
 * (plasma_eth_check_deployment). Returns 0, PLASMA_ERR_UNAVAILABLE (the
 * node did not answer) or PLASMA_ERR_CONFIG with one line in err, or
 * PLASMA_ERR_NOMEM. */
int client_chain_eth_new(client_chain *out, const plasma_client_eth_config *cfg, char *err, size_t err_len);

#endif
