/* `plasma`: the wallet CLI. Global options may appear anywhere; the rest
 * goes to the subcommand. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const cli_command commands[] = {
    {"account", cmd_account, "account new|list|import|export: manage keystore accounts"},
    {"deposit", cmd_deposit, "deposit --amount AMOUNT [--token ADDR]: move funds into the child chain"},
    {"balance", cmd_balance, "balance [--address ADDR]: child-chain balances per token"},
    {"utxos", cmd_utxos, "utxos [--address ADDR]: unspent child-chain outputs"},
    {"send", cmd_send,
     "send --to ADDR --amount AMOUNT [--token ADDR] [--fee AMOUNT]: pay on the child chain"},
    {"exit", cmd_exit, "exit --utxo POS | --all: start standard exits"},
    {"challenge", cmd_challenge, "challenge --exit-id ID: challenge an exit of a spent output"},
    {"process-exits", cmd_process_exits, "process-exits [--token ADDR] [--max N]: pay out matured exits"},
    {"watch", cmd_watch,
     "watch [--challenge-with ACCOUNT] [--once]: verify blocks, report and challenge fraud"},
    {"rootchain", cmd_rootchain, "rootchain status|block N|exits|balance|mine [N]|advance-time S"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: plasma [global options] COMMAND [options]\n\n"
               "Global options:\n"
               "  --operator URL     operator API (default http://127.0.0.1:7434)\n"
               "  --rootchain URL    root-chain API (default: operator URL + /rootchain)\n"
               "  --json             machine-readable output\n"
               "  --account NAME     keystore account (file name or address)\n"
               "  --key 0x…          use this private key instead of a keystore\n"
               "  --keystore DIR     keystore directory (default $PLASMA_KEYSTORE or ~/.plasma/keystore)\n"
               "  --gas-price WEI    root-chain gas price (default 1 gwei)\n\n"
               "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %s\n", commands[i].summary);
    fprintf(f, "\nRun `plasma COMMAND --help` for a command's options. Passwords come from\n"
               "PLASMA_PASSWORD or a prompt.\n");
}

static void default_keystore(cli_ctx *ctx)
{
    const char *env = getenv("PLASMA_KEYSTORE"), *home = getenv("HOME");
    if (env && *env)
        ctx->keystore_dir = env;
    else {
        snprintf(ctx->keystore_buf, sizeof ctx->keystore_buf, "%s/.plasma/keystore", home ? home : ".");
        ctx->keystore_dir = ctx->keystore_buf;
    }
}

/* Takes the global options out of argv; the rest lands in rest. */
static int parse_globals(cli_ctx *ctx, int argc, char **argv, char **rest, int *n_rest)
{
    const char *gas = NULL;
    bool bad = false;
    *n_rest = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv, i, "--json"))
            ctx->json = true;
        else if (!cli_opt(argc, argv, &i, "--operator", &ctx->operator_url, &bad) &&
                 !cli_opt(argc, argv, &i, "--rootchain", &ctx->rootchain_url, &bad) &&
                 !cli_opt(argc, argv, &i, "--account", &ctx->account, &bad) &&
                 !cli_opt(argc, argv, &i, "--key", &ctx->key_hex, &bad) &&
                 !cli_opt(argc, argv, &i, "--keystore", &ctx->keystore_dir, &bad) &&
                 !cli_opt(argc, argv, &i, "--gas-price", &gas, &bad))
            rest[(*n_rest)++] = argv[i];
        if (bad)
            return CLI_EXIT_USAGE;
    }
    rest[*n_rest] = NULL;
    if (gas && !cli_parse_u64(ctx, "--gas-price", gas, &ctx->gas_price))
        return CLI_EXIT_USAGE;
    return 0;
}

int main(int argc, char **argv)
{
    cli_ctx ctx = {.operator_url = "http://127.0.0.1:7434", .gas_price = PLASMA_CLIENT_DEFAULT_GAS_PRICE};
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int n_rest, rc;
    if (!rest)
        return CLI_EXIT_FAIL;
    default_keystore(&ctx);
    if ((rc = parse_globals(&ctx, argc, argv, rest, &n_rest)) != 0)
        goto cleanup;
    if (n_rest == 0 || strcmp(rest[0], "--help") == 0 || strcmp(rest[0], "-h") == 0 ||
        strcmp(rest[0], "help") == 0) {
        usage(n_rest ? stdout : stderr);
        rc = n_rest ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        goto cleanup;
    }
    if (strcmp(rest[0], "--version") == 0) {
        printf("plasma %s\n", PLASMA_VERSION);
        rc = CLI_EXIT_OK;
        goto cleanup;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(rest[0], commands[i].name) == 0) {
            rc = commands[i].run(&ctx, n_rest, rest);
            goto cleanup;
        }
    rc = cli_error(&ctx, CLI_EXIT_USAGE, "unknown command \"%s\" (see `plasma --help`)", rest[0]);
cleanup:
    free(rest);
    return rc;
}
