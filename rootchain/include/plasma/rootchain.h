/* The root-chain node: one simulated root chain (plasma_chain) made safe to
 * share between threads, mined on a wall-clock timer or on demand, served
 * as a JSON API (docs/rootchain-api.md) that any plasma_http server can
 * mount, and a C client for that API.
 *
 * In-process users (the operator's embedded backend) take the node's lock
 * and call the exit-game library directly on plasma_rootnode_chain(); HTTP
 * users go through the routes of plasma_rootnode_mount; remote programs
 * (the operator's remote backend, the wallet CLI) use plasma_rootchain_client.
 *
 * Conventions: functions return 0 or a negative plasma_err; `T **out` is
 * owned by the caller and freed with plasma_T_free (NULL-safe); outputs are
 * written only on success. */
#ifndef PLASMA_ROOTCHAIN_H
#define PLASMA_ROOTCHAIN_H

#include "plasma/exitgame.h"
#include "plasma/http.h"

/* ------------------------------------------------------------------------
 * The node
 * ------------------------------------------------------------------------ */

#define PLASMA_ROOTNODE_DEFAULT_MINE_INTERVAL_MS 12000u
#define PLASMA_ROOTNODE_DEFAULT_MAX_PENDING 10000u
/* Most blocks one plasma_rootnode_mine or POST /v1/dev/mine may mine. */
#define PLASMA_ROOTNODE_MAX_MINE_BLOCKS 1000u

typedef struct plasma_rootnode_config {
    plasma_chain_config chain;
    const char *data_dir;      /* LevelDB directory, created if missing (not its parents); NULL: memory */
    uint64_t mine_interval_ms; /* auto-miner period of wall time; 0: mine only on demand */
    bool dev;                  /* allow dev controls; prefund the §8 accounts on a fresh chain */
    size_t max_pending;        /* calls the pool may hold; POST /v1/calls past it: block_full */
} plasma_rootnode_config;

/* Fills *out with the development defaults: default chain config, memory
 * only, PLASMA_ROOTNODE_DEFAULT_MINE_INTERVAL_MS, dev off,
 * PLASMA_ROOTNODE_DEFAULT_MAX_PENDING. */
void plasma_rootnode_config_default(plasma_rootnode_config *out);

typedef struct plasma_rootnode plasma_rootnode;

/* Opens (or creates) the chain and starts the auto-miner when
 * cfg->mine_interval_ms > 0. A store is reopened at its last mined block;
 * pending calls of an earlier run are gone. In dev mode a chain still in its
 * genesis state receives plasma_chain_dev_prefund once.
 * Returns 0, PLASMA_ERR_CONFIG (bad chain setting, or one that differs from
 * the store's), PLASMA_ERR_IO (store cannot be opened: missing parent
 * directory, locked by another process, corrupt) or PLASMA_ERR_NOMEM. */
int plasma_rootnode_new(plasma_rootnode **out, const plasma_rootnode_config *cfg);

/* Stops the auto-miner, frees the chain and closes its store. Stop every
 * server that mounts the node's routes first. NULL-safe. */
void plasma_rootnode_free(plasma_rootnode *node);

/* Out: the route table of the JSON API under prefix ("" or "/rootchain"),
 * ready for plasma_http_server_start. prefix is referenced, not copied: it
 * must outlive the server, and so must the node. */
void plasma_rootnode_mount(plasma_rootnode *node, const char *prefix, plasma_http_mount *out);

/* The node's lock. Every use of plasma_rootnode_chain's result must happen
 * between lock and unlock (the chain is not thread-safe). Not recursive. */
void plasma_rootnode_lock(plasma_rootnode *node);
void plasma_rootnode_unlock(plasma_rootnode *node);
/* Returns the chain; use it only while holding the lock. Mine through
 * plasma_rootnode_mine rather than plasma_chain_mine, so that the on-mined
 * hook sees every block. */
plasma_chain *plasma_rootnode_chain(plasma_rootnode *node);

/* Returns true when the node runs in dev mode (dev controls allowed). */
bool plasma_rootnode_is_dev(const plasma_rootnode *node);

/* Checks call (sender in call->from) with plasma_chain_check_call and, when
 * it would succeed, queues it and remembers it as pending for
 * GET /v1/calls/{hash}. Takes the lock itself. Out: *call_hash and
 * *gas_estimate (each may be NULL). Returns 0, PLASMA_ERR_BLOCK_FULL (the
 * pool holds max_pending calls), the error the call would fail with, or an
 * admission error of plasma_chain_submit; on error nothing changes. */
int plasma_rootnode_submit(plasma_rootnode *node, const plasma_call *call, plasma_hash *call_hash,
                           uint64_t *gas_estimate);

/* Mines n blocks now (1 ≤ n ≤ PLASMA_ROOTNODE_MAX_MINE_BLOCKS), taking the
 * lock, then runs the on-mined hook for them without it. Must not be
 * called with the lock held or from the hook. Out: *last (may be NULL) the
 * last block mined. Returns 0, PLASMA_ERR_BAD_REQUEST (n out of range),
 * PLASMA_ERR_IO or PLASMA_ERR_NOMEM (the failing block is undone; blocks
 * before it stay mined). */
int plasma_rootnode_mine(plasma_rootnode *node, uint64_t n, plasma_chain_block *last);

/* Callbacks after mining, run without the lock, in block order, one block
 * at a time (never concurrently), on the thread that mined it. A hook may
 * take the lock; it must not mine, set hooks or free the node. */
typedef struct plasma_rootnode_hooks {
    /* After each mined block. */
    void (*mined)(void *payload, const plasma_chain_block *block);
    /* After the auto-miner failed to mine (err: PLASMA_ERR_IO, _NOMEM). */
    void (*mine_failed)(void *payload, int err);
    void *payload;
} plasma_rootnode_hooks;

/* Installs hooks (copied; NULL removes them). Blocks mined before the call
 * are not reported. */
void plasma_rootnode_set_hooks(plasma_rootnode *node, const plasma_rootnode_hooks *hooks);

/* ------------------------------------------------------------------------
 * The client of the JSON API
 * ------------------------------------------------------------------------ */

/* One connection to a root-chain node's API. Safe to share between
 * threads: requests are serialised. Every function returns 0, the error
 * the node answered with (its plasma_err, e.g. PLASMA_ERR_BAD_NONCE),
 * PLASMA_ERR_UNAVAILABLE (cannot reach the node, or it timed out),
 * PLASMA_ERR_BAD_REQUEST (a reply without the expected fields) or
 * PLASMA_ERR_NOMEM. The message of the last error is kept for
 * plasma_rootchain_client_errmsg. */
typedef struct plasma_rootchain_client plasma_rootchain_client;

/* base_url: "http://127.0.0.1:7435" or with a prefix
 * "http://127.0.0.1:7434/rootchain"; timeout_ms per request (0: 30 s).
 * Returns 0 or PLASMA_ERR_NOMEM. */
int plasma_rootchain_client_new(plasma_rootchain_client **out, const char *base_url, long timeout_ms);
void plasma_rootchain_client_free(plasma_rootchain_client *c);
/* Returns the message of the last failed request ("" if none); valid until
 * the next request from the calling thread's point of view. */
const char *plasma_rootchain_client_errmsg(plasma_rootchain_client *c);

/* The version of the root-chain API (calls, events, status): a client
 * refuses a daemon that answers another one. 2: in-flight exits, finalized
 * flags and deferred payments (call kinds 7-15, their events and queries). */
#define PLASMA_ROOTCHAIN_PROTOCOL_VERSION 2u

typedef struct plasma_rootchain_status {
    uint64_t protocol_version; /* 0: a daemon that does not say */
    uint64_t chain_id;
    plasma_addr contract;
    plasma_addr operator_addr;
    uint64_t head_number;
    uint64_t head_timestamp;
    plasma_hash head_hash;
    uint64_t block_gas_limit;
    uint64_t block_time;
    uint64_t total_gas_used;
    uint64_t pending_calls;
    uint64_t next_child_block;
    uint64_t next_deposit_block;
    uint64_t min_exit_period;
    plasma_u256 exit_bond;
    plasma_u256 ife_bond;
    plasma_u256 piggyback_bond;
    plasma_hash state_digest;
    bool dev;
} plasma_rootchain_status;

/* GET /v1/status. */
int plasma_rootchain_client_status(plasma_rootchain_client *c, plasma_rootchain_status *out);

/* Out: the domain calls to the node's chain are signed under (one status
 * request). */
int plasma_rootchain_client_domain(plasma_rootchain_client *c, plasma_call_domain *out);

/* POST /v1/calls with a signed envelope (plasma_call_encode_signed).
 * Out: *call_hash, *gas_estimate (each may be NULL). */
int plasma_rootchain_client_submit(plasma_rootchain_client *c, const uint8_t *signed_call, size_t len,
                                   plasma_hash *call_hash, uint64_t *gas_estimate);

/* Signs call with key under domain and submits it. call->from is ignored
 * (the node recovers the sender). Out as plasma_rootchain_client_submit. */
int plasma_rootchain_client_send(plasma_rootchain_client *c, const plasma_call_domain *domain,
                                 const plasma_call *call, const plasma_privkey *key, plasma_hash *call_hash,
                                 uint64_t *gas_estimate);

/* GET /v1/calls/{hash}. Out: *pending; when false, *out holds the receipt.
 * Returns 0 or PLASMA_ERR_NOT_FOUND (unknown: never submitted here, or lost
 * from the pool by a restart). */
int plasma_rootchain_client_receipt(plasma_rootchain_client *c, const plasma_hash *call_hash,
                                    plasma_receipt *out, bool *pending);

/* Polls the receipt every 50 ms until the call is mined. Returns 0,
 * PLASMA_ERR_NOT_FOUND (the call is unknown), PLASMA_ERR_TIMEOUT (still
 * pending after timeout_ms) or PLASMA_ERR_UNAVAILABLE (the node is
 * unreachable). */
int plasma_rootchain_client_wait_receipt(plasma_rootchain_client *c, const plasma_hash *call_hash,
                                         long timeout_ms, plasma_receipt *out);

/* GET /v1/blocks/{number}: a root-chain block header. Returns 0 or
 * PLASMA_ERR_NOT_FOUND. */
int plasma_rootchain_client_block(plasma_rootchain_client *c, uint64_t number, plasma_chain_block *out);

/* GET /v1/plasma/blocks/{blknum}: a child or deposit block. Returns 0 or
 * PLASMA_ERR_BLOCK_NOT_FOUND. */
int plasma_rootchain_client_block_root(plasma_rootchain_client *c, uint64_t blknum, plasma_block_record *out);

/* GET /v1/events: the events of root-chain blocks from_block..to_block
 * (UINT64_MAX: up to the head), oldest first, at most about limit of them
 * (0: the node's default) but never part of a block. Out: *events (malloc'd,
 * caller frees; NULL when *n is 0), *n, *next_from_block (the first block
 * not covered: ask again from there). */
int plasma_rootchain_client_events(plasma_rootchain_client *c, uint64_t from_block, uint64_t to_block,
                                   size_t limit, plasma_event **events, size_t *n, uint64_t *next_from_block);

/* GET /v1/exits/{exit_id}. Returns 0 or PLASMA_ERR_EXIT_NOT_FOUND. */
int plasma_rootchain_client_exit(plasma_rootchain_client *c, uint64_t exit_id, plasma_exit_info *out);

/* GET /v1/accounts/{addr}. Out: *balance of token (NULL or zero: ETH), and
 * the mined and next nonces (either may be NULL). */
int plasma_rootchain_client_balance(plasma_rootchain_client *c, const plasma_addr *addr,
                                    const plasma_addr *token, plasma_u256 *balance);
int plasma_rootchain_client_nonce(plasma_rootchain_client *c, const plasma_addr *addr, uint64_t *nonce,
                                  uint64_t *next_nonce);

/* GET /v1/queues/{token} (NULL or zero: ETH). */
int plasma_rootchain_client_queue(plasma_rootchain_client *c, const plasma_addr *token,
                                  plasma_exit_queue_info *out);

/* --- in-flight exits, finalized flags and deferred payments --- */

/* GET /v1/in-flight-exits/{ife_id}. Returns 0 or PLASMA_ERR_IFE_NOT_FOUND
 * (never started, deleted or fully processed). */
int plasma_rootchain_client_ife(plasma_rootchain_client *c, const plasma_u256 *ife_id, plasma_ife_info *out);

/* GET /v1/in-flight-exits/{ife_id}/tx: the tx the last startInFlightExit
 * of ife_id carried, also after the exit closed (on an Ethereum chain: the
 * call data of the transaction that emitted InFlightExitStarted). Out:
 * *out, a signed payment whose id is ife_id (anything else is
 * PLASMA_ERR_BAD_REQUEST). Returns 0 or PLASMA_ERR_IFE_NOT_FOUND (never
 * started). */
int plasma_rootchain_client_ife_tx(plasma_rootchain_client *c, const plasma_u256 *ife_id, plasma_tx *out);

/* GET /v1/in-flight-exits: the open in-flight exits in ascending ife_id,
 * those above *after (NULL: from the first), at most limit (0: the node's
 * default). Out: *ifes (malloc'd, caller frees; NULL when *n is 0), *n,
 * *more (the limit cut the list: ask again after the last one). */
int plasma_rootchain_client_ifes(plasma_rootchain_client *c, const plasma_u256 *after, size_t limit,
                                 plasma_ife_info **ifes, size_t *n, bool *more);

/* GET /v1/finalized/{output_id}. Out: *by, 0 or the id of the exit that
 * finalized the output (an exit_id, or an ife_id with its top bit set). */
int plasma_rootchain_client_finalized(plasma_rootchain_client *c, const plasma_hash *output_id,
                                      plasma_u256 *by);

/* GET /v1/withdrawable/{owner}. Out: *amount, owner's deferred payments in
 * token (NULL or zero: ETH), claimed with withdraw. */
int plasma_rootchain_client_withdrawable(plasma_rootchain_client *c, const plasma_addr *owner,
                                         const plasma_addr *token, plasma_u256 *amount);

/* --- sending calls ---
 * Each function below builds its call from decoded transactions, takes the
 * domain, the sender's next nonce and the configured bond from the node,
 * signs it with s->key and submits it (POST /v1/calls: the node dry-runs
 * it and refuses one that would fail, with that error). It returns once
 * the call is queued, not mined: wait with
 * plasma_rootchain_client_wait_receipt. Out: *call_hash (may be NULL).
 * Returns as plasma_rootchain_client_submit, or PLASMA_ERR_BAD_CALL when a
 * transaction is too long for a call. */

typedef struct plasma_rootchain_sender {
    const plasma_privkey *key;
    uint64_t gas_price; /* wei per gas; 0: 1 gwei */
    uint64_t gas_limit; /* 0: plasma_call_default_gas_limit */
} plasma_rootchain_sender;

/* Sends any call whose kind and arguments are filled (bond included):
 * nonce, gas price and limit are set here. */
int plasma_rootchain_client_call(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                 plasma_call *call, plasma_hash *call_hash);

/* startInFlightExit: input_txs[i] is the tx that created input i of tx,
 * input_proofs[i] its inclusion proof (tx->n_inputs of each). */
int plasma_rootchain_client_start_ife(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                      const plasma_tx *tx, const plasma_tx *input_txs,
                                      const uint8_t (*input_proofs)[PLASMA_MERKLE_PROOF_LEN],
                                      plasma_hash *call_hash);
/* piggybackInFlightExitOnInput (on_input) or …OnOutput. */
int plasma_rootchain_client_piggyback(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                      const plasma_tx *tx, bool on_input, unsigned index,
                                      plasma_hash *call_hash);
/* challengeInFlightExitNotCanonical: competitor_proof NULL for a competitor
 * never included (competitor_pos 0). */
int plasma_rootchain_client_challenge_ife(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                          const plasma_tx *tx, unsigned input_index,
                                          const plasma_tx *competitor, unsigned competing_input_index,
                                          uint64_t competitor_pos, const uint8_t *competitor_proof,
                                          plasma_hash *call_hash);
int plasma_rootchain_client_respond_ife(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                        const plasma_tx *tx, uint64_t tx_pos,
                                        const uint8_t proof[PLASMA_MERKLE_PROOF_LEN], plasma_hash *call_hash);
int plasma_rootchain_client_challenge_ife_input(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                                const plasma_tx *tx, unsigned input_index,
                                                const plasma_tx *spending, unsigned spending_input_index,
                                                plasma_hash *call_hash);
/* proof: the inclusion of tx at output_pos's block and txindex. */
int plasma_rootchain_client_challenge_ife_output(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                                 const plasma_tx *tx, uint64_t output_pos,
                                                 const uint8_t proof[PLASMA_MERKLE_PROOF_LEN],
                                                 const plasma_tx *spending, unsigned spending_input_index,
                                                 plasma_hash *call_hash);
int plasma_rootchain_client_delete_ife(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                       const plasma_u256 *ife_id, plasma_hash *call_hash);
/* withdraw(token): the sender's whole claim in token (NULL or zero: ETH). */
int plasma_rootchain_client_withdraw(plasma_rootchain_client *c, const plasma_rootchain_sender *s,
                                     const plasma_addr *token, plasma_hash *call_hash);

/* The builders behind the senders above, for callers that sign and send
 * calls their own way: each fills *call (kind and arguments, the bond
 * left 0, from, nonce and gas unset) from decoded transactions. Return 0,
 * PLASMA_ERR_BAD_CALL (a transaction too long for a call) or
 * PLASMA_ERR_NOMEM. */
int plasma_rootchain_build_start_ife(plasma_call *call, const plasma_tx *tx, const plasma_tx *input_txs,
                                     const uint8_t (*input_proofs)[PLASMA_MERKLE_PROOF_LEN]);
int plasma_rootchain_build_piggyback(plasma_call *call, const plasma_tx *tx, bool on_input, unsigned index);
int plasma_rootchain_build_challenge_ife(plasma_call *call, const plasma_tx *tx, unsigned input_index,
                                         const plasma_tx *competitor, unsigned competing_input_index,
                                         uint64_t competitor_pos, const uint8_t *competitor_proof);
int plasma_rootchain_build_respond_ife(plasma_call *call, const plasma_tx *tx, uint64_t tx_pos,
                                       const uint8_t proof[PLASMA_MERKLE_PROOF_LEN]);
int plasma_rootchain_build_challenge_ife_input(plasma_call *call, const plasma_tx *tx, unsigned input_index,
                                               const plasma_tx *spending, unsigned spending_input_index);
int plasma_rootchain_build_challenge_ife_output(plasma_call *call, const plasma_tx *tx, uint64_t output_pos,
                                                const uint8_t proof[PLASMA_MERKLE_PROOF_LEN],
                                                const plasma_tx *spending, unsigned spending_input_index);

/* Dev controls (the node answers PLASMA_ERR_FORBIDDEN without dev mode).
 * mine: Out: *head (may be NULL) the number of the last block mined. */
int plasma_rootchain_client_dev_mine(plasma_rootchain_client *c, uint64_t blocks, uint64_t *head);
int plasma_rootchain_client_dev_advance_time(plasma_rootchain_client *c, uint64_t seconds);
int plasma_rootchain_client_dev_fund(plasma_rootchain_client *c, const plasma_addr *addr,
                                     const plasma_u256 *amount);
int plasma_rootchain_client_dev_mint(plasma_rootchain_client *c, const plasma_addr *addr,
                                     const plasma_addr *token, const plasma_u256 *amount);

#endif
