/* The operator node: configuration, the ledger, the root-chain backend and
 * its follower/submitter, and the HTTP API of PROTOCOL §7, as one handle.
 * plasma-operator is a thin main() over this header. */
#ifndef PLASMA_OPERATOR_H
#define PLASMA_OPERATOR_H

#include <stdio.h>

#include "plasma/ledger.h"
#include "plasma/rootchain_backend.h"

#define PLASMA_OPERATOR_PATH_MAX 1024
/* Settings the configuration table may hold. */
#define PLASMA_OPERATOR_MAX_SETTINGS 64

/* Every setting, as parsed. Strings are NUL-terminated copies. */
typedef struct plasma_operator_config {
    bool dev;
    char bind[64];
    uint64_t port;                            /* 0: the system picks a free one */
    char port_file[PLASMA_OPERATOR_PATH_MAX]; /* "" or where the listening port is written */
    char data_dir[PLASMA_OPERATOR_PATH_MAX];
    char rootchain[16];    /* the kind: "embedded", "sim" or "eth" */
    char rpc[256];         /* the chain's API URL (sim) or JSON-RPC endpoint (eth) */
    char contract[64];     /* eth: the PlasmaRootChain's address */
    uint64_t deploy_block; /* eth: the block it was deployed in (0: not given) */
    uint64_t confirmations;
    uint64_t max_fee_gwei;
    uint64_t rpc_timeout_ms;
    char operator_key[80]; /* 0x-hex private key */
    char operator_key_file[PLASMA_OPERATOR_PATH_MAX];
    char operator_keystore[PLASMA_OPERATOR_PATH_MAX];
    char password_file[PLASMA_OPERATOR_PATH_MAX];
    uint64_t chain_id;
    char verifying_contract[64];
    char fee_beneficiary[64]; /* empty: the operator address */
    char min_fee[96];         /* decimal, for tokens without a rule */
    char fee_rules[1024];     /* "0xTOKEN=AMOUNT,..." */
    uint64_t finality_margin;
    uint64_t seal_interval_ms;
    uint64_t block_capacity;
    uint64_t max_unsubmitted_blocks;
    uint64_t commit_linger_us;
    uint64_t commit_max_txs;
    uint64_t sig_threads;
    bool sig_verify_cached;
    uint64_t utxo_cache_mb;
    uint64_t store_cache_mb;
    uint64_t pubkey_cache;
    uint64_t max_body_kb;
    uint64_t max_batch;
    uint64_t max_conns;
    uint64_t max_conns_per_ip;
    uint64_t rate_per_ip;
    uint64_t header_timeout_s;
    uint64_t body_timeout_s;
    uint64_t idle_timeout_s;
    char admin_token[128];
    char log_level[16];
    uint64_t poll_ms;
    uint64_t rc_block_interval_ms;            /* embedded root chain: mining period */
    uint64_t rc_min_exit_period_s;            /* embedded root chain: MIN_EXIT_PERIOD */
    char ife_bond[96];                        /* embedded root chain: IFE bond, decimal wei */
    char piggyback_bond[96];                  /* embedded root chain: piggyback bond, decimal wei */
    bool given[PLASMA_OPERATOR_MAX_SETTINGS]; /* by table row: set by the file or a flag */
} plasma_operator_config;

/* Parses the command line (and the file named by --config, read first;
 * flags override it). --dev switches every default to its development
 * value first. Returns 0, 1 when --help or --version was given (text
 * printed on out), or PLASMA_ERR_CONFIG with a one-line reason in err. */
int plasma_operator_config_parse(plasma_operator_config *cfg, int argc, char **argv, FILE *out, char *err,
                                 size_t err_len);

/* Whether the setting name ("chain-id", without dashes) was given by the
 * config file or a flag, rather than left at its default. */
bool plasma_operator_config_given(const plasma_operator_config *cfg, const char *name);

/* Prints the flags, their bounds and defaults. */
void plasma_operator_usage(FILE *out);

typedef struct plasma_operator plasma_operator;

/* Opens the ledger, starts the root chain (embedded) or connects to it,
 * starts following and the HTTP server. Returns 0, PLASMA_ERR_CONFIG (with
 * the reason in err), PLASMA_ERR_IO (port in use, storage) or
 * PLASMA_ERR_NOMEM. */
int plasma_operator_start(plasma_operator **out, const plasma_operator_config *cfg, char *err,
                          size_t err_len);

/* The port the API listens on. */
uint16_t plasma_operator_port(const plasma_operator *op);

/* The node's ledger, for in-process tools (benchmarks) that feed it
 * directly. Valid until plasma_operator_free. */
plasma_ledger *plasma_operator_ledger(plasma_operator *op);

/* Blocks until plasma_operator_request_stop is called (by a signal handler
 * through a self-pipe, or the admin shutdown endpoint). */
void plasma_operator_wait(plasma_operator *op);

/* Asks plasma_operator_wait to return. Async-signal-safe. */
void plasma_operator_request_stop(plasma_operator *op);

/* Stops the server and the threads, closes the ledger. NULL-safe. */
void plasma_operator_free(plasma_operator *op);

#endif
