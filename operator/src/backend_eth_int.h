/* What the eth backend's two files share (backend_eth.c: the start, the
 * heads, submission; backend_eth_events.c: events and finalized flags).
 *
 * Two rpc handles, one per thread that uses the backend, each under its
 * mutex: the follower's (head, follow, exit events, finalized flags) and
 * the submitter's (roots, nextChildBlock, submitBlock). */
#ifndef PLASMA_OP_BACKEND_ETH_INT_H
#define PLASMA_OP_BACKEND_ETH_INT_H

#include <pthread.h>

#include "plasma/eth.h"
#include "plasma/rootchain_backend.h"

typedef struct eth_chain {
    plasma_addr contract;
    plasma_addr operator_addr;
    uint64_t chain_id;
    unsigned confirmations;
    uint64_t deploy_block;
    /* follower thread */
    pthread_mutex_t follow_mu;
    plasma_eth_rpc *rpc_follow;
    plasma_eth_follower *follower;
    const plasma_rc_sink *sink; /* during a follow step */
    uint64_t ts_block;          /* the last block whose time was read, and that time */
    uint64_t ts;
    char last_follow_error[320];
    /* submitter thread */
    pthread_mutex_t submit_mu;
    plasma_eth_rpc *rpc_submit;
    plasma_eth_sender *sender;
    plasma_eth_pending *pending; /* the submitBlock in flight */
    uint64_t pending_blknum;
    char last_submit_error[320];
} eth_chain;

/* The block tag of the newest block with enough confirmations, read
 * through rpc, or PLASMA_ERR_UNAVAILABLE while the deployment itself has
 * too few. */
int op_eth_confirmed_tag(eth_chain *b, plasma_eth_rpc *rpc, char tag[24]);

/* Calls a view of the contract at tag through rpc. Out: the return data
 * appended to ret. */
int op_eth_view(eth_chain *b, plasma_eth_rpc *rpc, plasma_eth_fn fn, const plasma_eth_abi_value *args,
                size_t n, const char *tag, plasma_buf *ret);

/* The backend functions of backend_eth_events.c (rootchain_backend.h). */
int op_eth_follow(void *ctx, const plasma_rc_cursor *resume, const plasma_rc_sink *sink, bool *caught_up);
int op_eth_exit_events(void *ctx, uint64_t from, uint64_t to, plasma_rc_exit_event **out, size_t *n);
int op_eth_finalized(void *ctx, const plasma_hash *output_id, plasma_u256 *by);

#endif
