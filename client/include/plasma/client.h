/* The wallet library behind the `plasma` CLI: Ethereum v3 keystores and
 * amounts with units.
 *
 * Conventions: functions return 0 or a negative plasma_err; outputs are
 * written only on success; secrets are wiped after use. */
#ifndef PLASMA_CLIENT_H
#define PLASMA_CLIENT_H

#include <jansson.h>

#include "plasma/core.h"
#include "plasma/rootchain.h"
#include "plasma/rules.h"

/* ------------------------------------------------------------------------
 * Keystore (Ethereum v3 JSON: scrypt or pbkdf2-hmac-sha256, aes-128-ctr,
 * mac = keccak256(derived_key[16..32] ‖ ciphertext))
 * ------------------------------------------------------------------------ */

/* Default scrypt cost of new keystores (what other wallets use). */
#define PLASMA_KEYSTORE_SCRYPT_N 262144u
#define PLASMA_KEYSTORE_SCRYPT_R 8u
#define PLASMA_KEYSTORE_SCRYPT_P 1u

/* Encrypts key under password with scrypt cost n (a power of two ≥ 2; use
 * PLASMA_KEYSTORE_SCRYPT_N outside tests), r = 8, p = 1, a random salt, IV
 * and UUID. Out: *out a new v3 keystore object (caller decrefs).
 * Returns 0, PLASMA_ERR_BAD_REQUEST (invalid key or n), PLASMA_ERR_IO (no
 * randomness) or PLASMA_ERR_NOMEM. */
int plasma_keystore_encrypt(json_t **out, const plasma_privkey *key, const char *password, uint64_t n);

/* Decrypts a v3 keystore. Out: *key, and *addr (may be NULL) its address.
 * Returns 0, PLASMA_ERR_UNAUTHORIZED (wrong password: the MAC differs),
 * PLASMA_ERR_BAD_REQUEST (not a v3 keystore, unsupported cipher or KDF, or
 * a field missing or malformed; errmsg names it) or PLASMA_ERR_NOMEM.
 * errmsg (may be NULL) receives a one-line reason, errmsg_len bytes max. */
int plasma_keystore_decrypt(plasma_privkey *key, plasma_addr *addr, const json_t *keystore,
                            const char *password, char *errmsg, size_t errmsg_len);

/* As plasma_keystore_decrypt for a file; a file that cannot be read or is
 * not JSON gives PLASMA_ERR_IO or PLASMA_ERR_BAD_REQUEST. */
int plasma_keystore_decrypt_file(plasma_privkey *key, plasma_addr *addr, const char *path,
                                 const char *password, char *errmsg, size_t errmsg_len);

/* The password of a keystore for a program that runs unattended: the first
 * line of file (without its line end) when file is given (not NULL or
 * empty), else the environment variable PLASMA_PASSWORD; never a command
 * line argument. Out: out (out_len bytes). Returns 0, PLASMA_ERR_NOT_FOUND
 * (no file given and PLASMA_PASSWORD unset), PLASMA_ERR_IO (the file cannot
 * be read) or PLASMA_ERR_BAD_REQUEST (too long); errmsg (may be NULL) gets
 * a one-line reason. */
int plasma_keystore_password(char *out, size_t out_len, const char *file, char *errmsg, size_t errmsg_len);

/* Decrypts the keystore file at path with the password of
 * plasma_keystore_password(password_file). Out: *key, *addr (may be NULL).
 * Returns 0 or an error of those two functions (PLASMA_ERR_UNAUTHORIZED
 * for a wrong password); errmsg gets a one-line reason. */
int plasma_keystore_unlock(plasma_privkey *key, plasma_addr *addr, const char *path,
                           const char *password_file, char *errmsg, size_t errmsg_len);

/* Writes keystore into directory dir (created with mode 0700 if missing,
 * missing parents too) as UTC--<time>--<address hex> with mode 0600, never
 * overwriting. Out: path (may be NULL) receives the file path, path_len
 * bytes max. Returns 0, PLASMA_ERR_BAD_REQUEST (no address field) or
 * PLASMA_ERR_IO. */
int plasma_keystore_save(const json_t *keystore, const char *dir, char *path, size_t path_len);

/* Finds the keystore of account in dir: account is an address (0x + 40
 * hex) or a file name inside dir. Out: path, path_len bytes max.
 * Returns 0, PLASMA_ERR_NOT_FOUND or PLASMA_ERR_IO (dir unreadable). */
int plasma_keystore_find(char *path, size_t path_len, const char *dir, const char *account);

/* Called by plasma_keystore_list for each keystore file in dir (sorted by
 * name); non-zero stops the listing and is returned. */
typedef int (*plasma_keystore_list_cb)(const char *path, const plasma_addr *addr, void *payload);
/* Lists the files in dir with a valid "address" field. A missing dir lists
 * nothing. Returns 0, cb's non-zero result, PLASMA_ERR_IO or
 * PLASMA_ERR_NOMEM. */
int plasma_keystore_list(const char *dir, plasma_keystore_list_cb cb, void *payload);

/* ------------------------------------------------------------------------
 * Amounts
 * ------------------------------------------------------------------------ */

/* Parses an amount: a decimal number of wei ("1000"), or a decimal with a
 * unit suffix, case-insensitive: "wei", "gwei" (1e9), "eth" or "ether"
 * (1e18); the number may have a fraction ("1.5eth") as long as the result
 * is a whole number of wei. 0x-hex is also accepted as wei.
 * Returns 0, PLASMA_ERR_BAD_REQUEST (errmsg says why: empty, bad digit,
 * unknown unit, fraction finer than a wei) or PLASMA_ERR_OVERFLOW. */
int plasma_amount_parse(plasma_u256 *out, const char *s, char *errmsg, size_t errmsg_len);

/* Formats wei as ether with up to 18 decimals, trailing zeros removed
 * ("1.5", "0.000000001", "0"); out must hold PLASMA_AMOUNT_FMT_MAX. */
#define PLASMA_AMOUNT_FMT_MAX 82
char *plasma_amount_format_eth(char out[PLASMA_AMOUNT_FMT_MAX], const plasma_u256 *wei);

/* ------------------------------------------------------------------------
 * A connection to an operator and its root chain
 * ------------------------------------------------------------------------ */

#define PLASMA_CLIENT_DEFAULT_GAS_PRICE 1000000000ull /* 1 gwei */
#define PLASMA_CLIENT_MAX_UTXOS 10000u

/* Opaque; one per thread. Every function below returns 0, the error the
 * operator or root chain answered with, PLASMA_ERR_UNAVAILABLE (cannot reach
 * one of them), PLASMA_ERR_BAD_REQUEST (a reply without the expected fields)
 * or PLASMA_ERR_NOMEM, plus the errors named in each contract; the message
 * of the last error is kept for plasma_client_errmsg. */
typedef struct plasma_client plasma_client;

/* operator_url like "http://127.0.0.1:7434"; rootchain_url NULL means
 * operator_url + "/rootchain". Nothing is contacted yet.
 * Returns 0 or PLASMA_ERR_NOMEM. */
int plasma_client_new(plasma_client **out, const char *operator_url, const char *rootchain_url);
void plasma_client_free(plasma_client *c);
/* The message of the last failure ("" if none). */
const char *plasma_client_errmsg(const plasma_client *c);
/* Gas price of root-chain calls (default PLASMA_CLIENT_DEFAULT_GAS_PRICE;
 * 0 is allowed by development chains). */
void plasma_client_set_gas_price(plasma_client *c, uint64_t wei_per_gas);
/* Milliseconds to wait for a root-chain call to be mined (default 60000). */
void plasma_client_set_receipt_timeout(plasma_client *c, long ms);
/* The simulated root chain's client this client uses (owned by c), or
 * NULL when c is on an Ethereum chain (plasma_client_new_eth). */
plasma_rootchain_client *plasma_client_rootchain(plasma_client *c);

/* The Plasma contract on an Ethereum node instead of the simulated root
 * chain (docs/client.md, "On Ethereum"). */
typedef struct plasma_client_eth_config {
    const char *rpc_url;    /* JSON-RPC endpoint, http:// or https:// */
    plasma_addr contract;   /* the PlasmaRootChain deployment */
    uint64_t chain_id;      /* refuse another chain; 0: any */
    unsigned confirmations; /* blocks on top before a receipt or an event counts */
    uint64_t start_block;   /* first block whose events are read (the deployment's; 0: 1) */
} plasma_client_eth_config;

/* As plasma_client_new, with the root chain on the Ethereum node of cfg:
 * checks at once that the node answers (and is cfg->chain_id when not 0)
 * and that the code at cfg->contract is this build's PlasmaRootChain with
 * the EIP-712 domain of that chain. Calls are EIP-1559 transactions signed
 * with the caller's key, fees from the node's fee history (the gas price
 * setting is not used), receipts awaited to cfg->confirmations; an ERC-20
 * deposit approves the contract first when its allowance is short.
 * Returns 0, PLASMA_ERR_UNAVAILABLE (the node did not answer) or
 * PLASMA_ERR_CONFIG (one line in err, err_len bytes for either), or
 * PLASMA_ERR_NOMEM. */
int plasma_client_new_eth(plasma_client **out, const char *operator_url, const plasma_client_eth_config *cfg,
                          char *err, size_t err_len);
/* "sim" or "eth": the kind of root chain c talks to. */
const char *plasma_client_chain_kind(const plasma_client *c);

/* Reads of the root chain, whichever kind it is. */
int plasma_client_rc_status(plasma_client *c, plasma_rootchain_status *out);
/* Returns 0 or PLASMA_ERR_EXIT_NOT_FOUND. */
int plasma_client_rc_exit(plasma_client *c, uint64_t exit_id, plasma_exit_info *out);
/* Returns 0 or PLASMA_ERR_IFE_NOT_FOUND (not open). */
int plasma_client_rc_ife(plasma_client *c, const plasma_u256 *ife_id, plasma_ife_info *out);
/* As plasma_rootchain_client_ifes. */
int plasma_client_rc_ifes(plasma_client *c, const plasma_u256 *after, size_t limit, plasma_ife_info **ifes,
                          size_t *n, bool *more);
/* As plasma_rootchain_client_events, a page at most (on an Ethereum chain
 * only blocks with the confirmations). */
int plasma_client_rc_events(plasma_client *c, uint64_t from_block, uint64_t to_block, plasma_event **events,
                            size_t *n, uint64_t *next_from_block);
/* Returns 0 or PLASMA_ERR_BLOCK_NOT_FOUND. */
int plasma_client_rc_block_root(plasma_client *c, uint64_t blknum, plasma_block_record *out);
/* addr's balance of token (NULL or zero: ETH) on the root chain. */
int plasma_client_rc_balance(plasma_client *c, const plasma_addr *addr, const plasma_addr *token,
                             plasma_u256 *out);
/* Out: withdrawable[owner][token], the deferred payments withdraw claims. */
int plasma_client_rc_withdrawable(plasma_client *c, const plasma_addr *owner, const plasma_addr *token,
                                  plasma_u256 *out);

typedef struct plasma_client_status {
    plasma_domain domain; /* EIP-712 domain transactions are signed under */
    plasma_addr operator_addr;
    uint64_t child_block_interval;
    uint64_t latest_blknum;
    plasma_hash latest_root;
    uint64_t pending_txs;
} plasma_client_status;

/* GET /v1/status of the operator; also remembers the domain for signing. */
int plasma_client_status_get(plasma_client *c, plasma_client_status *out);

typedef struct plasma_client_utxo {
    uint64_t utxo_pos;
    plasma_output out;
} plasma_client_utxo;

/* The unspent outputs of owner known to the operator, in position order.
 * Out: *utxos (malloc'd, caller frees; NULL when *n is 0), *n. */
int plasma_client_utxos(plasma_client *c, const plasma_addr *owner, plasma_client_utxo **utxos, size_t *n);

/* Sums of amount per token. */
typedef struct plasma_client_balance {
    plasma_addr token;
    plasma_u256 amount;
    size_t n_utxos;
} plasma_client_balance;
/* Out: one entry per token of utxos, ETH first then by token bytes
 * (*balances malloc'd, caller frees). Returns 0, PLASMA_ERR_OVERFLOW or
 * PLASMA_ERR_NOMEM. */
int plasma_client_balances(plasma_client_balance **balances, size_t *n, const plasma_client_utxo *utxos,
                           size_t n_utxos);

/* A payment request: amount of token to `to`; fee (may be 0) paid in
 * fee_token, the surplus the operator keeps. */
typedef struct plasma_payment {
    plasma_addr to;
    plasma_addr token;
    plasma_u256 amount;
    plasma_addr fee_token;
    plasma_u256 fee;
} plasma_payment;

/* Picks inputs of owner from utxos (largest first per token, at most 4 in
 * all) and builds the unsigned transaction: the payment, change of each
 * token back to owner. Out: *tx. Returns 0, PLASMA_ERR_AMOUNT_ZERO (amount
 * 0), PLASMA_ERR_INSUFFICIENT_FUNDS (not enough of a token, or more than 4
 * inputs would be needed; errmsg says which), PLASMA_ERR_TOO_MANY_OUTPUTS. */
int plasma_payment_build(plasma_tx *tx, const plasma_addr *owner, const plasma_payment *pay,
                         const plasma_client_utxo *utxos, size_t n_utxos, char *errmsg, size_t errmsg_len);

typedef struct plasma_client_submitted {
    plasma_hash txhash;
    uint64_t blknum;
    uint32_t txindex;
} plasma_client_submitted;

/* Builds a payment from key's outputs, signs every input under the
 * operator's domain, submits it. Out: *res. */
int plasma_client_send(plasma_client *c, const plasma_privkey *key, const plasma_payment *pay,
                       plasma_client_submitted *res);

/* Signs call with key (nonce: the account's next one; gas price as set),
 * submits it and waits until it is mined. Out: *receipt (may be NULL).
 * Returns 0, or the error the call failed with on the root chain. */
int plasma_client_rc_call(plasma_client *c, const plasma_privkey *key, plasma_call *call,
                          plasma_receipt *receipt);

/* deposit(token, amount) on the root chain. Out: *blknum of the deposit
 * block (its output is utxo_pos blknum·1e9), *call_hash. */
int plasma_client_deposit(plasma_client *c, const plasma_privkey *key, const plasma_addr *token,
                          const plasma_u256 *amount, uint64_t *blknum, plasma_hash *call_hash);

/* Called while waiting, about every second, with the milliseconds waited. */
typedef void (*plasma_client_progress_cb)(long waited_ms, void *payload);

/* Waits until output utxo_pos is spendable on the child chain: the operator
 * answers it on GET /v1/utxos/{pos} (or reports it spent already). A
 * deposit's output becomes spendable once the operator has followed the
 * root chain past the deposit and its finality margin. progress may be
 * NULL. Returns 0, PLASMA_ERR_TIMEOUT (not spendable after timeout_ms) or
 * an error as the client functions (PLASMA_ERR_UNAVAILABLE, …). */
int plasma_client_wait_spendable(plasma_client *c, uint64_t utxo_pos, long timeout_ms,
                                 plasma_client_progress_cb progress, void *payload);

/* Waits until output utxo_pos can be exited: the operator sealed its block
 * and the root chain stores the block's root (plasma_client_exit_data
 * succeeds). An output the operator does not know fails at once with
 * PLASMA_ERR_UTXO_NOT_FOUND. Returns 0, PLASMA_ERR_TIMEOUT or an error as
 * plasma_client_exit_data (PLASMA_ERR_BAD_PROOF, …). */
int plasma_client_wait_exitable(plasma_client *c, uint64_t utxo_pos, long timeout_ms,
                                plasma_client_progress_cb progress, void *payload);

/* Exit data of utxo_pos from the operator, verified locally: the proof must
 * show the transaction under the root the ROOT CHAIN stores for the block.
 * Out: the unsigned tx RLP (tx, *tx_len ≤ PLASMA_CALL_MAX_TX) and proof.
 * Returns 0, PLASMA_ERR_NOT_FOUND or PLASMA_ERR_BAD_PROOF (the operator's
 * data does not match the root chain). */
int plasma_client_exit_data(plasma_client *c, uint64_t utxo_pos, uint8_t tx[PLASMA_CALL_MAX_TX],
                            size_t *tx_len, uint8_t proof[PLASMA_MERKLE_PROOF_LEN]);

/* Starts the standard exit of utxo_pos (verified exit data, the chain's
 * bond). Out: *info the exit as the root chain records it. */
int plasma_client_start_exit(plasma_client *c, const plasma_privkey *key, uint64_t utxo_pos,
                             plasma_exit_info *info);

/* Finds, in the operator's child blocks after the exiting output's block,
 * a transaction spending exit_id's output and challenges the exit with it.
 * Returns 0, PLASMA_ERR_EXIT_NOT_FOUND, PLASMA_ERR_EXIT_NOT_ACTIVE or
 * PLASMA_ERR_NOT_FOUND (no spending transaction: the exit is honest). */
int plasma_client_challenge(plasma_client *c, const plasma_privkey *key, uint64_t exit_id);

/* processExits(token, max_exits). Out: exit_ids (room for max_exits, may
 * be NULL) of the exits finalized by the call, *n_paid. The in-flight exits
 * the call processed to their end are kept for
 * plasma_client_processed_ifes. */
int plasma_client_process_exits(plasma_client *c, const plasma_privkey *key, const plasma_addr *token,
                                uint64_t max_exits, uint64_t *exit_ids, size_t *n_paid);

#define PLASMA_CLIENT_MAX_PROCESSED_IFES 64u
/* Out: *ids (borrowed, valid until the next call on c), the in-flight
 * exits the last successful plasma_client_process_exits processed to
 * their end (InFlightExitFinalized), at most
 * PLASMA_CLIENT_MAX_PROCESSED_IFES. Returns their number. */
size_t plasma_client_processed_ifes(const plasma_client *c, const plasma_u256 **ids);

/* ------------------------------------------------------------------------
 * The wallet's records: every transaction the wallet signs and submits,
 * kept in <wallet dir>/<address>/txs.jsonl (one JSON object a line,
 * docs/client.md "The wallet's records"), so that an in-flight exit can be
 * started from them with the operator gone
 * ------------------------------------------------------------------------ */

/* Largest records file read (a record is about 4 KB at most). */
#define PLASMA_WALLET_MAX_FILE (64u << 20)

typedef enum plasma_wallet_state {
    PLASMA_WALLET_SENT = 0,    /* recorded before the submission; no answer recorded */
    PLASMA_WALLET_ACKED = 1,   /* the operator acknowledged it at (blknum, txindex) */
    PLASMA_WALLET_REFUSED = 2, /* the operator refused it (refused: its error) */
} plasma_wallet_state;

/* One submitted transaction with what an in-flight exit of it needs. */
typedef struct plasma_wallet_tx {
    plasma_hash txhash;
    plasma_tx tx; /* as signed and submitted */
    /* Per input: the tx that created it (unsigned form: deposits and fee
     * txs have no signatures), when the wallet could get it. */
    bool have_input_tx[PLASMA_MAX_INPUTS];
    plasma_tx input_txs[PLASMA_MAX_INPUTS];
    uint64_t time; /* unix time of the record */
    plasma_wallet_state state;
    uint64_t blknum; /* acked */
    uint32_t txindex;
    int refused; /* refused: the operator's plasma_err */
} plasma_wallet_tx;

/* Out: the records file of owner under dir, path_len bytes max. Returns 0
 * or PLASMA_ERR_BAD_REQUEST (too long). */
int plasma_wallet_path(char *path, size_t path_len, const char *dir, const plasma_addr *owner);

/* Appends rec (state SENT) to owner's records, durably (fsync'd) before
 * returning; creates dir/<address> (mode 0700, parents too) and the file
 * (0600). A last line torn by a crash is cut off first. Returns 0,
 * PLASMA_ERR_IO or PLASMA_ERR_NOMEM. */
int plasma_wallet_record_sent(const char *dir, const plasma_addr *owner, const plasma_wallet_tx *rec);

/* Appends the operator's answer about txhash: state ACKED with blknum and
 * txindex, or REFUSED with err. Returns as plasma_wallet_record_sent. */
int plasma_wallet_record_answer(const char *dir, const plasma_addr *owner, const plasma_hash *txhash,
                                plasma_wallet_state state, uint64_t blknum, uint32_t txindex, int err);

/* Reads owner's records, each answer merged into its tx, oldest first. A
 * missing file holds none; a last line without its newline (a write a
 * crash cut) is ignored. Out: *recs (malloc'd, caller frees; NULL when *n
 * is 0), *n. Returns 0, PLASMA_ERR_IO (unreadable, larger than
 * PLASMA_WALLET_MAX_FILE) or PLASMA_ERR_BAD_REQUEST (a malformed line:
 * errmsg names it, errmsg_len bytes max, errmsg may be NULL). */
int plasma_wallet_load(const char *dir, const plasma_addr *owner, plasma_wallet_tx **recs, size_t *n,
                       char *errmsg, size_t errmsg_len);

/* Records of the txs plasma_client_send submits go under dir (NULL: none
 * are kept, the default). dir is copied. Returns 0 or PLASMA_ERR_NOMEM. */
int plasma_client_set_wallet_dir(plasma_client *c, const char *dir);

/* ------------------------------------------------------------------------
 * In-flight exits (PROTOCOL §6b; docs/client.md "In-flight exits"). Every
 * call is signed with key, sent with the client's gas price and the
 * chain's bond, and waited for; it returns the root chain's refusal or the
 * failed receipt's error as the client functions do.
 * ------------------------------------------------------------------------ */

/* A watcher's data dir opened by a wallet, to take proofs from the blocks
 * the watcher verified rather than from the operator. LevelDB lets one
 * process open a data dir: not while a watcher runs on it. */
typedef struct plasma_watch_data plasma_watch_data;

/* Opens the data dir dir for reading (c: its chain must be c's root
 * chain). Returns 0, PLASMA_ERR_NOT_FOUND (no data dir there),
 * PLASMA_ERR_IO (it cannot be opened: a watcher runs on it),
 * PLASMA_ERR_CONFIG (it belongs to another chain) or an error as the
 * client functions. */
int plasma_watch_data_open(plasma_watch_data **out, plasma_client *c, const char *dir);
void plasma_watch_data_free(plasma_watch_data *d);

/* Out: *tx, the tx the in-flight exit ife_id was started with, from the
 * root chain. Returns 0 or PLASMA_ERR_IFE_NOT_FOUND (never started). */
int plasma_client_ife_tx(plasma_client *c, const plasma_u256 *ife_id, plasma_tx *tx);

/* startInFlightExit of tx (signed): the tx that created each input and its
 * proof from d's verified blocks or, when d is NULL, from the operator's
 * exit data checked against the root chain's roots. Out: *info, the exit
 * as the root chain records it. Returns 0, PLASMA_ERR_NOT_FOUND (an
 * input's block is not one d verified, or the operator does not serve its
 * exit data), PLASMA_ERR_BAD_PROOF (the operator's data does not match the
 * root chain), or the root chain's refusal (PLASMA_ERR_IFE_EXISTS, ...). */
int plasma_client_ife_start(plasma_client *c, const plasma_privkey *key, const plasma_tx *tx,
                            plasma_watch_data *d, plasma_ife_info *info);

/* piggybackInFlightExitOnInput (on_input) or …OnOutput of the in-flight
 * exit of tx. */
int plasma_client_ife_piggyback(plasma_client *c, const plasma_privkey *key, const plasma_tx *tx,
                                bool on_input, unsigned index);
/* n piggybacks of one account at once (on_input[i], index[i]): all sent
 * before any is waited for, so that they land in the same root-chain block
 * when they fit (the first phase can be short). Returns 0 or the first
 * error; the calls before it went out. */
int plasma_client_ife_piggyback_many(plasma_client *c, const plasma_privkey *key, const plasma_tx *tx,
                                     const bool *on_input, const unsigned *index, size_t n);

/* challengeInFlightExitNotCanonical of the in-flight exit of tx with
 * competitor, or when competitor is NULL the competitor d's blocks include
 * earliest. The competitor's position and proof come from d when d
 * includes it; otherwise it counts as never included (position 0).
 * Out: *position (may be NULL), the position the challenge named (0: never
 * included). Returns 0, PLASMA_ERR_NOT_FOUND (no competitor known),
 * PLASMA_ERR_BAD_COMPETITOR (competitor spends none of tx's inputs) or the
 * root chain's refusal (PLASMA_ERR_NOT_OLDER, ...). */
int plasma_client_ife_challenge(plasma_client *c, const plasma_privkey *key, const plasma_tx *tx,
                                plasma_watch_data *d, const plasma_tx *competitor, uint64_t *position);

/* challengeInFlightExitInputSpent (on_input) or …OutputSpent of the
 * piggybacked input or output index of tx's in-flight exit, with spending
 * (may be NULL: the spend in d's blocks). An output's challenge needs tx's
 * inclusion in d's blocks. Returns 0, PLASMA_ERR_NOT_FOUND (no spend or
 * no inclusion known), PLASMA_ERR_BAD_CHALLENGE (spending does not spend
 * it) or the root chain's refusal. */
int plasma_client_ife_challenge_spent(plasma_client *c, const plasma_privkey *key, const plasma_tx *tx,
                                      bool on_input, unsigned index, plasma_watch_data *d,
                                      const plasma_tx *spending);

/* respondToNonCanonicalChallenge with tx's inclusion in d's blocks. Out:
 * *tx_pos (may be NULL). Returns 0, PLASMA_ERR_NOT_FOUND (d does not
 * include tx) or the root chain's refusal. */
int plasma_client_ife_respond(plasma_client *c, const plasma_privkey *key, const plasma_tx *tx,
                              plasma_watch_data *d, uint64_t *tx_pos);

/* deleteNonPiggybackedInFlightExit(ife_id). */
int plasma_client_ife_delete(plasma_client *c, const plasma_privkey *key, const plasma_u256 *ife_id);

/* withdraw(token) (NULL or zero: ETH): key's whole deferred payment. Out:
 * *amount, the sum paid. Returns 0, PLASMA_ERR_NOTHING_TO_WITHDRAW or
 * PLASMA_ERR_PAYMENT_FAILED (the contract holds too little: the claim
 * stays). */
int plasma_client_withdraw(plasma_client *c, const plasma_privkey *key, const plasma_addr *token,
                           plasma_u256 *amount);

/* ------------------------------------------------------------------------
 * The watcher: re-verifies every child block against the root chain and
 * its own UTXO view; reports byzantine events
 * ------------------------------------------------------------------------ */

/* Receives each report, a JSON object {"event": "invalid_exit" |
 * "unchallenged_exit" | "invalid_block" | "block_withholding" |
 * "exit_started", …} (borrowed: valid during the
 * call). */
typedef void (*plasma_watch_report_cb)(const json_t *event, void *payload);

/* Opaque; uses c (not owned, must outlive it) from one thread. */
typedef struct plasma_watcher plasma_watcher;

/* challenger (may be NULL: report only) signs challenges of invalid exits
 * and receives their bonds; a submitted block the operator does not serve
 * within withholding_timeout_ms is reported as withheld. Reads the root
 * chain's domain. Returns 0 or an error as the client functions. */
int plasma_watcher_new(plasma_watcher **out, plasma_client *c, const plasma_privkey *challenger,
                       uint64_t withholding_timeout_ms, plasma_watch_report_cb cb, void *payload);
void plasma_watcher_free(plasma_watcher *w);

/* Reads every root-chain event available, verifies the blocks the operator
 * serves (root, signatures, spent inputs, amounts) in order and checks new
 * exits against the outputs seen spent, challenging them when it can; an
 * invalid exit left unchallenged is reported again (unchallenged_exit) once
 * less than half the exit period remains before it can be processed.
 * Returns 0 or an error as the client functions (reports are not errors). */
int plasma_watcher_step(plasma_watcher *w);

/* Keeps the watcher's state in a LevelDB under dir (created with its
 * missing parents, mode 0700) and resumes from what is stored there: the
 * outputs it has seen, the blocks it verified (from which it builds exit
 * data and challenges without the operator), the exits it still has to
 * judge or answer, where to resume on the root chain, and trust. Without
 * it, the first step makes a private temporary one, removed by
 * plasma_watcher_free. Call before the first step, at most once.
 * Returns 0, PLASMA_ERR_IO (cannot open it, or another watcher has it
 * open), PLASMA_ERR_CONFIG (it belongs to another chain, or to an older
 * watcher) or PLASMA_ERR_BAD_REQUEST (unreadable state). */
int plasma_watcher_set_data_dir(plasma_watcher *w, const char *dir);

/* Bounds the memory the watcher keeps of its data dir: outputs read most
 * recently and LevelDB's block cache together (default 64 MiB). Call
 * before plasma_watcher_set_data_dir. */
void plasma_watcher_set_cache_mb(plasma_watcher *w, size_t mb);
/* Threads recovering signatures (default 0: one per core). Call before
 * plasma_watcher_set_data_dir. */
void plasma_watcher_set_threads(plasma_watcher *w, unsigned n);

typedef struct plasma_watcher_stats {
    uint64_t last_verified;   /* as plasma_watcher_last_verified */
    uint64_t blocks_verified; /* child blocks, since the data dir was made */
    uint64_t txs_verified;    /* their transactions */
    size_t cache_entries;     /* outputs in the cache */
    size_t cache_bytes;       /* its size */
} plasma_watcher_stats;

void plasma_watcher_stats_get(const plasma_watcher *w, plasma_watcher_stats *out);

/* Called on the stepping thread after each child block joined the view:
 * its number and its transactions (for progress displays and benchmarks). */
typedef void (*plasma_watch_progress_cb)(void *payload, uint64_t blknum, size_t n_txs);
void plasma_watcher_set_progress(plasma_watcher *w, plasma_watch_progress_cb cb, void *payload);

/* False once an invalid or withheld block was seen. */
/* The operator's minimum fees (copied), so that a block whose payment pays
 * less than them counts as invalid, as the operator would have refused it.
 * Without it every fee ≥ 0 passes; every other rule of the fee
 * (plasma/rules.h) is always checked. Returns 0 or PLASMA_ERR_NOMEM. */
int plasma_watcher_set_min_fees(plasma_watcher *w, const plasma_fee_policy *policy);
bool plasma_watcher_trusted(const plasma_watcher *w);
/* The next root-chain block whose events the watcher has not read. */
uint64_t plasma_watcher_rootchain_block(const plasma_watcher *w);
/* The last child or deposit block applied to the view (0: none). */
uint64_t plasma_watcher_last_verified(const plasma_watcher *w);

/* Starts standard exits of every output of key's address unspent in the
 * watcher's view (which stops before an invalid or withheld block), oldest
 * first, with exit data built from the watcher's own verified blocks (the
 * operator is not asked). Outputs already exiting or finalized are
 * skipped, and so are the inputs of the address's txs in flight (its
 * wallet's records, plasma_watcher_set_wallet_dir): their in-flight exits
 * pay them. Each started exit is reported as {"event": "exit_started"}.
 * Out: *n_started. Returns 0 or an error as the client functions. */
int plasma_watcher_exit_for(plasma_watcher *w, const plasma_privkey *key, size_t *n_started);

/* In-flight exits (docs/client.md, "The watcher and in-flight exits"): the
 * watcher follows every one the root chain starts and judges it each
 * round against its view, the root chain and the protected accounts'
 * wallet records; the reports are noncanonical_ife, invalid_ife_challenge,
 * piggyback_available, invalid_piggyback, unchallenged_non_canonical_ife,
 * unchallenged_piggyback and in_flight_tx (a protected account's tx whose
 * block is withheld or never came). */

/* Protects key's account (copied; at most 8): its txs in flight get
 * in-flight exits, its inputs and outputs of in-flight exits piggybacks,
 * and all its outputs exit when a finding puts them at risk. Returns 0 or
 * PLASMA_ERR_BAD_REQUEST (a ninth account, an invalid key). */
int plasma_watcher_protect(plasma_watcher *w, const plasma_privkey *key);
/* The wallet records of the protected accounts live under dir (the
 * wallet's --wallet; copied; NULL: none). Returns 0 or PLASMA_ERR_NOMEM. */
int plasma_watcher_set_wallet_dir(plasma_watcher *w, const char *dir);
/* on: act on in-flight exit findings (start, piggyback, challenge,
 * respond, exit everything), challenges signed by the challenger or else
 * the first protected account; off (the default): report them only. */
void plasma_watcher_set_auto(plasma_watcher *w, bool on);

#endif
