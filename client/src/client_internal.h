/* Shared between the library's files; not installed. */
#ifndef PLASMA_CLIENT_INTERNAL_H
#define PLASMA_CLIENT_INTERNAL_H

#include "client_chain.h"
#include "plasma/client.h"
#include "plasma/json.h"
#include "plasma/rules.h"

struct plasma_client {
    plasma_http_client *op;
    client_chain chain; /* the root chain (client_chain.h) */
    plasma_domain domain;
    bool have_domain;
    uint64_t gas_price;
    long receipt_timeout_ms;
    char op_url[1024], rc_url[1024]; /* for messages, and connections of other threads */
    plasma_client_eth_config eth;    /* on eth: its settings (rpc_url points into rc_url) */
    char *wallet_dir;                /* records of sent txs (NULL: none kept) */
    /* the in-flight exits the last processExits call finished */
    plasma_u256 processed_ifes[PLASMA_CLIENT_MAX_PROCESSED_IFES];
    size_t n_processed_ifes;
    char errmsg[512];
};

/* Records a formatted message and returns err. */
int client_fail(plasma_client *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records the root-chain client's last message under `what`; returns err. */
int client_rc_fail(plasma_client *c, int err, const char *what);
/* plasma_http_call to the operator, recording a message on failure. */
int client_op_call(plasma_client *c, const char *method, const char *path, const json_t *body,
                   json_t **reply);
/* Calls op of c's root chain with its context and the arguments. */
#define CHAIN_OP(c, op, ...) ((c)->chain.ops->op((c)->chain.ctx, __VA_ARGS__))
/* plasma_client_rc_call in two steps: sign and submit (the nonce: the
 * account's next, pending calls counted), then wait for the receipt. */
int client_rc_submit(plasma_client *c, const plasma_privkey *key, plasma_call *call, plasma_hash *h);
int client_rc_wait(plasma_client *c, const plasma_hash *h, plasma_receipt *receipt);
/* Fetches the operator's signing domain once. */
int client_domain(plasma_client *c);

typedef struct watch_store watch_store;
/* Out: the chain a watcher's data dir belongs to (its 'V' record,
 * watch.c). Returns 0, PLASMA_ERR_NOT_FOUND (a new dir) or PLASMA_ERR_IO. */
int watch_data_chain(watch_store *s, uint64_t *chain_id, plasma_addr *contract);

#endif
