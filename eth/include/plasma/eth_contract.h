/* The Plasma contract of PROTOCOL §9 seen from C: calldata of every
 * function and view, the views' returns and the events' logs decoded into
 * structs, and a handle that knows the deployment's address and makes the
 * calls through an rpc handle (views) or a sender (transactions). */
#ifndef PLASMA_ETH_CONTRACT_H
#define PLASMA_ETH_CONTRACT_H

#include "plasma/eth_abi.h"
#include "plasma/eth_rpc.h"
#include "plasma/eth_tx.h"

/* §9's functions, then its views, then the views of docs/inflight.md. */
typedef enum plasma_eth_fn {
    PLASMA_ETH_FN_DEPOSIT,
    PLASMA_ETH_FN_SUBMIT_BLOCK,
    PLASMA_ETH_FN_START_STANDARD_EXIT,
    PLASMA_ETH_FN_CHALLENGE_STANDARD_EXIT,
    PLASMA_ETH_FN_START_IN_FLIGHT_EXIT,
    PLASMA_ETH_FN_PIGGYBACK_INPUT,
    PLASMA_ETH_FN_PIGGYBACK_OUTPUT,
    PLASMA_ETH_FN_CHALLENGE_IFE_NOT_CANONICAL,
    PLASMA_ETH_FN_RESPOND_NON_CANONICAL,
    PLASMA_ETH_FN_CHALLENGE_IFE_INPUT_SPENT,
    PLASMA_ETH_FN_CHALLENGE_IFE_OUTPUT_SPENT,
    PLASMA_ETH_FN_DELETE_NON_PIGGYBACKED_IFE,
    PLASMA_ETH_FN_PROCESS_EXITS,
    PLASMA_ETH_FN_WITHDRAW,
    PLASMA_ETH_FN_OPERATOR,
    PLASMA_ETH_FN_MIN_EXIT_PERIOD,
    PLASMA_ETH_FN_EXIT_BOND,
    PLASMA_ETH_FN_IFE_BOND,
    PLASMA_ETH_FN_PIGGYBACK_BOND,
    PLASMA_ETH_FN_NEXT_CHILD_BLOCK,
    PLASMA_ETH_FN_NEXT_DEPOSIT_BLOCK,
    PLASMA_ETH_FN_BLOCKS,
    PLASMA_ETH_FN_EXITS,
    PLASMA_ETH_FN_IN_FLIGHT_EXITS,
    PLASMA_ETH_FN_FINALIZED,
    PLASMA_ETH_FN_QUEUE_LENGTH,
    PLASMA_ETH_FN_QUEUE_HEAD,
    PLASMA_ETH_FN_WITHDRAWABLE,
    PLASMA_ETH_FN_DOMAIN_SEPARATOR,
    PLASMA_ETH_FN_IFE_INPUT,
    PLASMA_ETH_FN_IFE_OUTPUT,
    PLASMA_ETH_FN_COUNT
} plasma_eth_fn;

/* "deposit(address,uint256)", ...; NULL for a value out of range. */
const char *plasma_eth_fn_signature(plasma_eth_fn fn);
/* The return types of a view ("bytes32,uint256"), "" for a function. */
const char *plasma_eth_fn_returns(plasma_eth_fn fn);

/* Appends the calldata of fn with args (in the signature's order).
 * Returns 0 or an error of plasma_eth_abi_encode_call. */
int plasma_eth_encode(plasma_buf *out, plasma_eth_fn fn, const plasma_eth_abi_value *args, size_t n);

/* Which function calldata calls, and its arguments (byte strings point into
 * data; free *args with plasma_eth_abi_values_free). Returns 0,
 * PLASMA_ERR_NOT_FOUND (no §9 selector) or PLASMA_ERR_BAD_REQUEST. */
int plasma_eth_decode_calldata(plasma_eth_fn *fn, plasma_eth_abi_value **args, size_t *n, const uint8_t *data,
                               size_t len);

/* The constructor's init code: bytecode ‖ abi.encode(minExitPeriod,
 * exitBond, ifeBond, piggybackBond). */
typedef struct plasma_eth_deploy_args {
    plasma_u256 min_exit_period;
    plasma_u256 exit_bond;
    plasma_u256 ife_bond;
    plasma_u256 piggyback_bond;
} plasma_eth_deploy_args;

int plasma_eth_encode_constructor(plasma_buf *out, const uint8_t *bytecode, size_t len,
                                  const plasma_eth_deploy_args *args);

/* This build's PlasmaRootChain, compiled in from contracts/out: its
 * creation bytecode (give it to plasma_eth_encode_constructor). */
void plasma_eth_plasma_bytecode(const uint8_t **code, size_t *len);

/* Whether code (eth_getCode at a deployment) is this build's
 * PlasmaRootChain: byte for byte its compiled runtime code, but for the
 * operands where the deployment wrote its immutables (operator, exit
 * period, bonds, domain separator), which the caller checks through the
 * views. A contract built from other sources, or none, is false. */
bool plasma_eth_is_plasma_code(const uint8_t *code, size_t len);

/* --- typed calldata of the functions --- */

typedef struct plasma_eth_bytes {
    const uint8_t *data;
    size_t len;
} plasma_eth_bytes;

int plasma_eth_encode_deposit(plasma_buf *out, const plasma_addr *token, const plasma_u256 *amount);
int plasma_eth_encode_submit_block(plasma_buf *out, const plasma_hash *root);
int plasma_eth_encode_start_standard_exit(plasma_buf *out, uint64_t utxo_pos, plasma_eth_bytes tx,
                                          plasma_eth_bytes proof);
int plasma_eth_encode_challenge_standard_exit(plasma_buf *out, uint64_t exit_id,
                                              plasma_eth_bytes challenge_tx, uint64_t input_index);
/* The three arrays may differ in length (the contract refuses that with
 * bad_inputs; encoding it lets a test say so). */
int plasma_eth_encode_start_in_flight_exit(plasma_buf *out, plasma_eth_bytes tx,
                                           const plasma_eth_bytes *input_txs, size_t n_input_txs,
                                           const uint64_t *input_utxo_pos, size_t n_pos,
                                           const plasma_eth_bytes *input_proofs, size_t n_proofs);
/* piggybackInFlightExitOnInput, or …OnOutput when output is true. */
int plasma_eth_encode_piggyback(plasma_buf *out, bool output, plasma_eth_bytes tx, uint64_t index);

typedef struct plasma_eth_noncanonical_args {
    plasma_eth_bytes tx;
    uint64_t input_index;
    plasma_eth_bytes competing_tx;
    uint64_t competing_input_index;
    uint64_t competitor_pos; /* 0: never included, with an empty proof */
    plasma_eth_bytes competitor_proof;
} plasma_eth_noncanonical_args;

int plasma_eth_encode_challenge_ife_not_canonical(plasma_buf *out, const plasma_eth_noncanonical_args *a);
int plasma_eth_encode_respond_non_canonical(plasma_buf *out, plasma_eth_bytes tx, uint64_t tx_pos,
                                            plasma_eth_bytes proof);
int plasma_eth_encode_challenge_ife_input_spent(plasma_buf *out, plasma_eth_bytes tx, uint64_t input_index,
                                                plasma_eth_bytes spending_tx, uint64_t spending_input_index);
int plasma_eth_encode_challenge_ife_output_spent(plasma_buf *out, plasma_eth_bytes tx,
                                                 uint64_t output_utxo_pos, plasma_eth_bytes proof,
                                                 plasma_eth_bytes spending_tx, uint64_t spending_input_index);
int plasma_eth_encode_delete_ife(plasma_buf *out, const plasma_u256 *ife_id);
int plasma_eth_encode_process_exits(plasma_buf *out, const plasma_addr *token, uint64_t max_exits);
int plasma_eth_encode_withdraw(plasma_buf *out, const plasma_addr *token);

/* --- the views' returns --- */

/* blocks(blknum) */
typedef struct plasma_eth_block_view {
    plasma_hash root;
    uint64_t timestamp;
} plasma_eth_block_view;

/* exits(exitId); state: 0 none, 1 in progress, 2 challenged, 3 finalized,
 * 4 superseded (docs/inflight.md). */
typedef struct plasma_eth_exit_view {
    plasma_addr owner;
    plasma_addr token;
    plasma_u256 amount;
    uint64_t exitable_at;
    plasma_hash output_id;
    uint8_t state;
    bool queued;
} plasma_eth_exit_view;

/* inFlightExits(ifeId), all zero when no IFE is open. */
typedef struct plasma_eth_ife_view {
    uint64_t exitable_at;
    uint64_t start;
    uint64_t youngest;
    plasma_u256 oldest_competitor; /* 0 none, 2^256 − 1 never included */
    plasma_addr bond_owner;
    bool canonical;
    uint8_t inputs_piggybacked;  /* bit i: input i */
    uint8_t outputs_piggybacked; /* bit i: output i */
    uint8_t n_inputs;
    uint8_t n_outputs;
    uint8_t pending_tokens;
    uint8_t exit_path; /* 0 undecided, 1 outputs, 2 inputs */
} plasma_eth_ife_view;

/* inFlightExitInput(ifeId, i) / inFlightExitOutput(ifeId, i) */
typedef struct plasma_eth_ife_io_view {
    plasma_hash output_id;
    plasma_addr owner;
    plasma_addr token;
    plasma_u256 amount;
} plasma_eth_ife_io_view;

/* queueHead(token) */
typedef struct plasma_eth_queue_head {
    uint64_t exitable_at;
    plasma_u256 exit_id;
} plasma_eth_queue_head;

/* Each decodes a view's return data. Returns 0 or PLASMA_ERR_BAD_REQUEST
 * (malformed, or a time or position past 64 bits). */
int plasma_eth_decode_block_view(plasma_eth_block_view *out, const uint8_t *ret, size_t len);
int plasma_eth_decode_exit_view(plasma_eth_exit_view *out, const uint8_t *ret, size_t len);
int plasma_eth_decode_ife_view(plasma_eth_ife_view *out, const uint8_t *ret, size_t len);
int plasma_eth_decode_ife_io_view(plasma_eth_ife_io_view *out, const uint8_t *ret, size_t len);
int plasma_eth_decode_queue_head(plasma_eth_queue_head *out, const uint8_t *ret, size_t len);
int plasma_eth_decode_uint(plasma_u256 *out, const uint8_t *ret, size_t len);
int plasma_eth_decode_address(plasma_addr *out, const uint8_t *ret, size_t len);
int plasma_eth_decode_word(plasma_hash *out, const uint8_t *ret, size_t len);

/* --- events --- */

typedef enum plasma_eth_event_kind {
    PLASMA_ETH_EV_DEPOSIT_CREATED,
    PLASMA_ETH_EV_BLOCK_SUBMITTED,
    PLASMA_ETH_EV_EXIT_STARTED,
    PLASMA_ETH_EV_EXIT_CHALLENGED,
    PLASMA_ETH_EV_EXIT_FINALIZED,
    PLASMA_ETH_EV_IFE_STARTED,
    PLASMA_ETH_EV_IFE_INPUT_PIGGYBACKED,
    PLASMA_ETH_EV_IFE_OUTPUT_PIGGYBACKED,
    PLASMA_ETH_EV_IFE_CHALLENGED,
    PLASMA_ETH_EV_IFE_CHALLENGE_RESPONDED,
    PLASMA_ETH_EV_IFE_INPUT_BLOCKED,
    PLASMA_ETH_EV_IFE_OUTPUT_BLOCKED,
    PLASMA_ETH_EV_IFE_INPUT_WITHDRAWN,
    PLASMA_ETH_EV_IFE_OUTPUT_WITHDRAWN,
    PLASMA_ETH_EV_IFE_FINALIZED,
    PLASMA_ETH_EV_IFE_DELETED,
    PLASMA_ETH_EV_PAYMENT_DEFERRED,
    PLASMA_ETH_EV_WITHDRAWAL,
    PLASMA_ETH_EV_COUNT
} plasma_eth_event_kind;

/* "DepositCreated(address,uint256,address,uint256)", ...; NULL out of range. */
const char *plasma_eth_event_signature(plasma_eth_event_kind kind);

/* A log as eth_getLogs returns it. */
#define PLASMA_ETH_MAX_TOPICS 4
typedef struct plasma_eth_log {
    plasma_addr address;
    plasma_hash topics[PLASMA_ETH_MAX_TOPICS];
    size_t n_topics;
    plasma_buf data; /* owned: plasma_eth_log_clear */
    uint64_t block_number;
    plasma_hash block_hash;
    plasma_hash tx_hash;
    uint64_t log_index;
    bool removed;
} plasma_eth_log;

/* Reads one log object. Returns 0, PLASMA_ERR_BAD_REQUEST (a missing or
 * malformed member, more than 4 topics, a pending log without a block) or
 * PLASMA_ERR_NOMEM; out->data is empty on failure. */
int plasma_eth_log_from_json(plasma_eth_log *out, const json_t *obj);
void plasma_eth_log_clear(plasma_eth_log *log);
/* Sorts logs into chain order: block number, then log index. */
void plasma_eth_logs_sort(plasma_eth_log *logs, size_t n);

/* A decoded event and where it happened. Union members by kind:
 * deposit_created; block_submitted; exit_started; exit_challenged;
 * id for EXIT_FINALIZED (exitId), IFE_FINALIZED and IFE_DELETED (ifeId);
 * ife_started; ife_action for the six (account, ifeId, value) events: the
 * piggybacks and blocks (value: the index), IFE_CHALLENGED (value: the
 * competitor's position) and IFE_CHALLENGE_RESPONDED (value: txPos);
 * ife_withdrawn for the two withdrawn events; payment for PAYMENT_DEFERRED
 * and WITHDRAWAL. */
typedef struct plasma_eth_event {
    plasma_eth_event_kind kind;
    uint64_t block_number;
    plasma_hash block_hash;
    plasma_hash tx_hash;
    uint64_t log_index;
    union {
        struct {
            plasma_addr depositor;
            uint64_t blknum;
            plasma_addr token;
            plasma_u256 amount;
        } deposit_created;
        struct {
            uint64_t blknum;
            plasma_hash root;
            uint64_t timestamp;
        } block_submitted;
        struct {
            plasma_addr owner;
            plasma_u256 exit_id;
            plasma_addr token;
            plasma_u256 amount;
        } exit_started;
        struct {
            plasma_u256 exit_id;
            plasma_addr challenger;
        } exit_challenged;
        plasma_u256 id;
        struct {
            plasma_addr initiator;
            plasma_u256 ife_id;
            plasma_hash txhash;
        } ife_started;
        struct {
            plasma_addr account;
            plasma_u256 ife_id;
            plasma_u256 value;
        } ife_action;
        struct {
            plasma_u256 ife_id;
            plasma_u256 index;
        } ife_withdrawn;
        struct {
            plasma_addr owner;
            plasma_addr token;
            plasma_u256 amount;
        } payment;
    } u;
} plasma_eth_event;

/* Decodes a log of the contract into an event. Returns 0,
 * PLASMA_ERR_NOT_FOUND (topic 0 is none of §9's events, or there is no
 * topic) or PLASMA_ERR_BAD_REQUEST (a §9 topic with the wrong number of
 * topics, data of the wrong length, a malformed word, a block number or
 * time past 64 bits). */
int plasma_eth_event_decode(plasma_eth_event *out, const plasma_eth_log *log);

/* --- the deployed contract --- */

typedef struct plasma_eth_contract plasma_eth_contract;

/* A handle on the contract at address, reached through rpc (borrowed).
 * Returns 0 or PLASMA_ERR_NOMEM. */
int plasma_eth_contract_new(plasma_eth_contract **out, plasma_eth_rpc *rpc, const plasma_addr *address);
void plasma_eth_contract_free(plasma_eth_contract *c);
const plasma_addr *plasma_eth_contract_address(const plasma_eth_contract *c);

/* Calls a view at "latest" and decodes it. Each returns 0, an rpc error,
 * or PLASMA_ERR_BAD_REQUEST for a return that does not decode. */
int plasma_eth_contract_operator(plasma_eth_contract *c, plasma_addr *out);
/* One of MIN_EXIT_PERIOD, EXIT_BOND, IFE_BOND, PIGGYBACK_BOND,
 * NEXT_CHILD_BLOCK, NEXT_DEPOSIT_BLOCK (PLASMA_ERR_BAD_REQUEST otherwise). */
int plasma_eth_contract_uint(plasma_eth_contract *c, plasma_eth_fn view, plasma_u256 *out);
int plasma_eth_contract_block(plasma_eth_contract *c, uint64_t blknum, plasma_eth_block_view *out);
int plasma_eth_contract_exit(plasma_eth_contract *c, uint64_t exit_id, plasma_eth_exit_view *out);
int plasma_eth_contract_ife(plasma_eth_contract *c, const plasma_u256 *ife_id, plasma_eth_ife_view *out);
int plasma_eth_contract_ife_io(plasma_eth_contract *c, bool output, const plasma_u256 *ife_id, uint64_t index,
                               plasma_eth_ife_io_view *out);
int plasma_eth_contract_finalized(plasma_eth_contract *c, const plasma_hash *output_id, plasma_u256 *exit_id);
int plasma_eth_contract_queue_length(plasma_eth_contract *c, const plasma_addr *token, plasma_u256 *out);
int plasma_eth_contract_queue_head(plasma_eth_contract *c, const plasma_addr *token,
                                   plasma_eth_queue_head *out);
int plasma_eth_contract_withdrawable(plasma_eth_contract *c, const plasma_addr *owner,
                                     const plasma_addr *token, plasma_u256 *out);
int plasma_eth_contract_domain_separator(plasma_eth_contract *c, plasma_hash *out);

/* Sends calldata (from one of the encoders) to the contract with value
 * (a bond, or an ETH deposit; NULL for none) through sender, and waits
 * for the receipt (plasma_eth_sender_transact). */
int plasma_eth_contract_transact(plasma_eth_contract *c, plasma_eth_sender *sender,
                                 const plasma_buf *calldata, const plasma_u256 *value,
                                 plasma_eth_receipt *receipt);

/* --- checks of a deployment, and calls read back --- */

/* What plasma_eth_check_deployment expects. */
typedef struct plasma_eth_expect {
    uint64_t chain_id;                /* 0: any chain */
    const plasma_addr *operator_addr; /* NULL: any operator */
    const char *contract_text;        /* the address as the user gave it, for messages */
} plasma_eth_expect;

/* Checks once what a program on the contract at `contract` relies on: the
 * node answers; its chain id is want->chain_id when that is not 0; the
 * code there is this build's PlasmaRootChain; its operator is
 * want->operator_addr when given; its EIP-712 domain is (chain id,
 * contract). Out: *chain_id, the node's. Returns 0, PLASMA_ERR_UNAVAILABLE
 * (the node did not answer) or PLASMA_ERR_CONFIG, with one line in err
 * ("--rpc: ...", "--chain-id N: ...", "--contract ADDR: ..."). */
int plasma_eth_check_deployment(plasma_eth_rpc *rpc, const plasma_addr *contract,
                                const plasma_eth_expect *want, uint64_t *chain_id, char *err, size_t err_len);

/* The startInFlightExit call of transaction tx_hash (the one that emitted
 * an InFlightExitStarted): its tx argument (rlp(SignedTx), appended to
 * *tx; may be NULL) and its inputUtxoPos (inputs, room for max; *n).
 * Returns 0, PLASMA_ERR_NOT_FOUND (its data is no startInFlightExit call
 * of at most max inputs, e.g. one made through another contract),
 * PLASMA_ERR_BAD_REQUEST (no such transaction, a malformed answer) or an
 * rpc error. */
int plasma_eth_read_start_ife(plasma_eth_rpc *rpc, const plasma_hash *tx_hash, plasma_buf *tx,
                              uint64_t *inputs, size_t max, size_t *n);

#endif
