/* Shared by the `plasma` subcommands: global options, key loading,
 * output in human or JSON form. */
#ifndef PLASMA_CLI_H
#define PLASMA_CLI_H

#include <stdio.h>

#include "plasma/client.h"
#include "plasma/json.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

typedef struct cli_ctx {
    const char *operator_url;
    const char *rootchain_url; /* NULL: operator URL + /rootchain */
    bool eth;                  /* --rootchain eth: the contract on an Ethereum node */
    const char *rpc_url;       /* eth: --rpc */
    const char *contract;      /* eth: --contract */
    uint64_t confirmations;    /* eth: --confirmations */
    uint64_t deploy_block;     /* eth: --deploy-block */
    uint64_t chain_id;         /* eth: --chain-id (0: any) */
    const char *account;       /* name or address in the keystore dir */
    const char *key_hex;       /* --key 0x… */
    const char *keystore_dir;
    const char *wallet_dir; /* the wallet's records of sent txs */
    uint64_t gas_price;
    bool json;
    char keystore_buf[4096];
    char wallet_buf[4096];
} cli_ctx;

typedef struct cli_command {
    const char *name;
    int (*run)(cli_ctx *ctx, int argc, char **argv); /* argv[0] is the command name */
    const char *synopsis;
    const char *summary;
} cli_command;

int cmd_account(cli_ctx *ctx, int argc, char **argv);
int cmd_deposit(cli_ctx *ctx, int argc, char **argv);
int cmd_balance(cli_ctx *ctx, int argc, char **argv);
int cmd_utxos(cli_ctx *ctx, int argc, char **argv);
int cmd_send(cli_ctx *ctx, int argc, char **argv);
int cmd_exit(cli_ctx *ctx, int argc, char **argv);
int cmd_challenge(cli_ctx *ctx, int argc, char **argv);
int cmd_process_exits(cli_ctx *ctx, int argc, char **argv);
int cmd_rootchain(cli_ctx *ctx, int argc, char **argv);
int cmd_watch(cli_ctx *ctx, int argc, char **argv);
int cmd_ife(cli_ctx *ctx, int argc, char **argv);
int cmd_withdraw(cli_ctx *ctx, int argc, char **argv);
/* `plasma ife list` (cmd_ife_list.c): the open in-flight exits touching
 * address_s (NULL: the signing account). Returns the exit status. */
int cmd_ife_list(cli_ctx *ctx, plasma_client *c, const char *address_s);

/* Reports a failure: "plasma: <message>" on stderr, and with --json
 * {"error": {"code", "message"}} on stdout, code being plasma_err_code(err).
 * Returns the exit status: CLI_EXIT_USAGE for PLASMA_ERR_USAGE, else
 * CLI_EXIT_FAIL. */
int cli_error(const cli_ctx *ctx, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Reports a library failure: its message (or the error's default one) and
 * what the user can do about it. Returns the exit status. */
int cli_client_error(const cli_ctx *ctx, plasma_client *c, int err);

/* Option scanning: true when argv[*i] is `name VALUE` or `name=VALUE`;
 * then *value is set and *i advanced past it. A missing value sets *bad
 * and leaves *i on the option: the caller reports it (cli_missing). */
bool cli_opt(int argc, char **argv, int *i, const char *name, const char **value, bool *bad);
/* The usage error of an option given without its value. */
int cli_missing(const cli_ctx *ctx, const char *option);
bool cli_flag(char **argv, int i, const char *name);
bool cli_wants_help(int argc, char **argv);
/* Prints a command's help on stdout (it was asked for). Returns CLI_EXIT_OK. */
int cli_help(const char *help);
/* A command run without what it needs: its help on stderr and a usage
 * error naming what is missing. Returns CLI_EXIT_USAGE. */
int cli_usage(const cli_ctx *ctx, const char *help, const char *missing);

/* Parsers that report their own usage errors (return false). */
bool cli_parse_u64(const cli_ctx *ctx, const char *what, const char *s, uint64_t *out);
bool cli_parse_addr(const cli_ctx *ctx, const char *what, const char *s, plasma_addr *out);
bool cli_parse_amount(const cli_ctx *ctx, const char *what, const char *s, plasma_u256 *out);

/* Reads a password: PLASMA_PASSWORD, else a prompt on the terminal
 * without echo (twice when confirm). Returns 0 or an exit status. */
int cli_password(const cli_ctx *ctx, const char *prompt, bool confirm, char *out, size_t out_len);
/* The signing key: --key, else --account from the keystore dir, else the
 * only account there. Returns 0 or an exit code (error printed). */
int cli_load_key(cli_ctx *ctx, plasma_privkey *key, plasma_addr *addr);
/* The address a query is about: address_s if given, else the signing
 * account's. Returns 0 or an exit code. */
int cli_query_address(cli_ctx *ctx, const char *address_s, plasma_addr *addr);
/* For `NAME [--address ADDR]` commands: parses argv, resolves the address
 * and fetches its unspent outputs from the operator. Out: *addr, *utxos
 * (caller frees), *n. Returns 0 or an exit code (error printed). */
int cli_owner_utxos(cli_ctx *ctx, int argc, char **argv, const char *name, plasma_addr *addr,
                    plasma_client_utxo **utxos, size_t *n);
/* A library client for the URLs of ctx (or, with --rootchain eth, its
 * Ethereum node and contract, checked at once), keeping the records of the
 * txs it sends under ctx->wallet_dir. Returns 0 or an exit code. */
int cli_client(const cli_ctx *ctx, plasma_client **out);

/* Prints result: one JSON object with --json, else its human form. Consumes
 * result (NULL: out of memory, reported). Returns the exit status. */
int cli_output(const cli_ctx *ctx, json_t *result, void (*human)(const json_t *result));

#define PLASMA_CLI_ETH "0x0000000000000000000000000000000000000000"

/* Human forms: wei as "1.5 eth" for ETH (token 0), base units otherwise;
 * a root-chain time as "2023-11-14 22:13:20 UTC". out must hold 128 bytes. */
const char *cli_human_amount(char out[128], const char *token, const char *amount);
const char *cli_human_time(char out[128], json_int_t unix_time);

/* Long waits show one progress line on stderr, redrawn in place, only on a
 * terminal and without --json: cli_progress gives the callback (NULL when
 * nothing is to be shown; its payload is a const char * naming what is
 * awaited), cli_progress_end clears the line. */
plasma_client_progress_cb cli_progress(const cli_ctx *ctx);
void cli_progress_end(const cli_ctx *ctx);

#endif
