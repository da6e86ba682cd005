/* What the two files of the Ethereum root chain share
 * (client_chain_eth.c: views, transactions, the start;
 * client_chain_eth_events.c: events, in-flight exits found by their logs,
 * following with reorganisations). Internal to libplasma_client. */
#ifndef PLASMA_CLIENT_CHAIN_ETH_H
#define PLASMA_CLIENT_CHAIN_ETH_H

#include "client_chain.h"
#include "plasma/eth.h"

#define ETH_MAX_PENDING 16

typedef struct eth_pend {
    plasma_hash h; /* of the first transaction sent: what the caller waits for */
    plasma_eth_pending *p;
    plasma_call_kind kind;
} eth_pend;

typedef struct eth_chain {
    plasma_eth_rpc *rpc;
    plasma_eth_contract *k;
    plasma_addr contract;
    uint64_t chain_id;
    unsigned confirmations;
    uint64_t start_block;
    plasma_eth_sender *sender; /* of the last key that sent */
    plasma_addr sender_addr;
    eth_pend pend[ETH_MAX_PENDING];
    size_t n_pend;
    plasma_eth_follower *follower;  /* the watcher's */
    const client_follow_sink *sink; /* during a follow step */
    char errmsg[512];
} eth_chain;

/* Records a formatted message in e->errmsg; returns rc. */
int eth_chain_fail(eth_chain *e, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An rpc failure, with the node's words; returns rc. */
int eth_chain_rpc_fail(eth_chain *e, int rc);
/* v as 64 bits, UINT64_MAX when it does not fit. */
uint64_t eth_chain_u64(const plasma_u256 *v);

/* The ops of client_chain_eth_events.c. */
int eth_chain_ife(void *ctx, const plasma_u256 *ife_id, plasma_ife_info *out);
int eth_chain_events(void *ctx, uint64_t from, uint64_t to, plasma_event **ev, size_t *n, uint64_t *next);
int eth_chain_call_events(void *ctx, const plasma_receipt *r, plasma_event **ev, size_t *n);
int eth_chain_ife_tx(void *ctx, const plasma_u256 *ife_id, plasma_tx *out);
int eth_chain_ifes(void *ctx, const plasma_u256 *after, size_t limit, plasma_ife_info **out, size_t *n,
                   bool *more);
int eth_chain_follow(void *ctx, const client_chain_cursor *resume, const client_follow_sink *sink,
                     bool *caught_up);

#endif
