/* `plasma`: the wallet CLI. Global options may appear anywhere; the rest
 * goes to the subcommand. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const cli_command commands[] = {
    {"account", cmd_account, "account new|list|import|export", "manage keystore accounts"},
    {"deposit", cmd_deposit, "deposit --amount A [--token T]",
     "move funds in; waits until they are spendable"},
    {"balance", cmd_balance, "balance [--address A]", "child-chain balances per token"},
    {"utxos", cmd_utxos, "utxos [--address A]", "unspent child-chain outputs"},
    {"send", cmd_send, "send --to A --amount A [--fee F]", "pay on the child chain"},
    {"exit", cmd_exit, "exit --utxo POS | --all", "start standard exits"},
    {"challenge", cmd_challenge, "challenge --exit-id ID", "challenge an exit of a spent output"},
    {"process-exits", cmd_process_exits, "process-exits [--token T] [--max N]", "pay out matured exits"},
    {"watch", cmd_watch, "watch [--challenge-with ACCOUNT] ...", "verify blocks, report and challenge fraud"},
    {"ife", cmd_ife, "ife start|piggyback|challenge|list|...",
     "in-flight exits of txs withheld or unpublished"},
    {"withdraw", cmd_withdraw, "withdraw [--token T]", "claim payments the root chain deferred"},
    {"rootchain", cmd_rootchain, "rootchain status|block|exits|balance|...",
     "query (and, in dev, mine) the root chain"},
};

static void usage(FILE *f)
{
    fprintf(
        f, "usage: plasma [global options] COMMAND [options]\n\n"
           "Global options (anywhere on the line):\n"
           "  --operator URL     operator API (default $PLASMA_OPERATOR or http://127.0.0.1:7434)\n"
           "  --rootchain URL    simulated root chain's API (default $PLASMA_ROOTCHAIN or the operator URL\n"
           "                     + /rootchain); `sim` for that default, `eth` for the Plasma contract on an\n"
           "                     Ethereum node:\n"
           "  --rpc URL          eth: the node's JSON-RPC endpoint (default $PLASMA_RPC)\n"
           "  --contract ADDR    eth: the PlasmaRootChain deployment (default $PLASMA_CONTRACT)\n"
           "  --confirmations N  eth: blocks on top before a receipt or event counts (default\n"
           "                     $PLASMA_CONFIRMATIONS or 12)\n"
           "  --deploy-block N   eth: the contract's deployment block, where event reads start (default\n"
           "                     $PLASMA_DEPLOY_BLOCK or 1)\n"
           "  --chain-id N       eth: refuse a node of another chain (default: any)\n"
           "  --json             one JSON object per result; errors as {\"error\": {\"code\", \"message\"}}\n"
           "  --account NAME     keystore account (file name or address)\n"
           "  --key 0x…          use this private key instead of a keystore\n"
           "  --keystore DIR     keystore directory (default $PLASMA_KEYSTORE or ~/.plasma/keystore)\n"
           "  --wallet DIR       records of the txs you send (default $PLASMA_WALLET or ~/.plasma/wallet)\n"
           "  --gas-price WEI    simulated root chain's gas price (default 1 gwei; eth: fees follow the "
           "node)\n\n"
           "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-41s %s\n", commands[i].synopsis, commands[i].summary);
    fprintf(f, "\nRun `plasma COMMAND --help` for a command's options. Passwords come from\n"
               "PLASMA_PASSWORD or a prompt. Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

/* Defaults from the environment; global options override them. */
static void defaults(cli_ctx *ctx)
{
    const char *home = getenv("HOME");
    ctx->operator_url = env_or("PLASMA_OPERATOR", "http://127.0.0.1:7434");
    ctx->rootchain_url = env_or("PLASMA_ROOTCHAIN", NULL);
    ctx->rpc_url = env_or("PLASMA_RPC", NULL);
    ctx->contract = env_or("PLASMA_CONTRACT", NULL);
    ctx->gas_price = PLASMA_CLIENT_DEFAULT_GAS_PRICE;
    snprintf(ctx->keystore_buf, sizeof ctx->keystore_buf, "%s/.plasma/keystore", home ? home : ".");
    ctx->keystore_dir = env_or("PLASMA_KEYSTORE", ctx->keystore_buf);
    snprintf(ctx->wallet_buf, sizeof ctx->wallet_buf, "%s/.plasma/wallet", home ? home : ".");
    ctx->wallet_dir = env_or("PLASMA_WALLET", ctx->wallet_buf);
}

/* Takes the global options out of argv; the rest lands in rest. --json is
 * looked for first, so that every error of the line is reported in JSON. */
static int parse_globals(cli_ctx *ctx, int argc, char **argv, char **rest, int *n_rest)
{
    const char *gas = NULL, *conf = env_or("PLASMA_CONFIRMATIONS", "12"),
               *deploy = env_or("PLASMA_DEPLOY_BLOCK", "0"), *chain = NULL;
    bool bad = false;
    *n_rest = 0;
    for (int i = 1; i < argc; i++)
        ctx->json = ctx->json || cli_flag(argv, i, "--json");
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv, i, "--json"))
            continue;
        if (!cli_opt(argc, argv, &i, "--operator", &ctx->operator_url, &bad) &&
            !cli_opt(argc, argv, &i, "--rootchain", &ctx->rootchain_url, &bad) &&
            !cli_opt(argc, argv, &i, "--account", &ctx->account, &bad) &&
            !cli_opt(argc, argv, &i, "--key", &ctx->key_hex, &bad) &&
            !cli_opt(argc, argv, &i, "--keystore", &ctx->keystore_dir, &bad) &&
            !cli_opt(argc, argv, &i, "--wallet", &ctx->wallet_dir, &bad) &&
            !cli_opt(argc, argv, &i, "--gas-price", &gas, &bad) &&
            !cli_opt(argc, argv, &i, "--rpc", &ctx->rpc_url, &bad) &&
            !cli_opt(argc, argv, &i, "--contract", &ctx->contract, &bad) &&
            !cli_opt(argc, argv, &i, "--confirmations", &conf, &bad) &&
            !cli_opt(argc, argv, &i, "--deploy-block", &deploy, &bad) &&
            !cli_opt(argc, argv, &i, "--chain-id", &chain, &bad))
            rest[(*n_rest)++] = argv[i];
        if (bad)
            return cli_missing(ctx, argv[i]);
    }
    rest[*n_rest] = NULL;
    if (gas && !cli_parse_u64(ctx, "--gas-price", gas, &ctx->gas_price))
        return CLI_EXIT_USAGE;
    if (!cli_parse_u64(ctx, "--confirmations", conf, &ctx->confirmations) ||
        !cli_parse_u64(ctx, "--deploy-block", deploy, &ctx->deploy_block) ||
        (chain && !cli_parse_u64(ctx, "--chain-id", chain, &ctx->chain_id)))
        return CLI_EXIT_USAGE;
    if (ctx->confirmations > 10000)
        return cli_error(ctx, PLASMA_ERR_USAGE, "--confirmations: at most 10000");
    if (chain && ctx->chain_id == 0)
        return cli_error(ctx, PLASMA_ERR_USAGE, "--chain-id: 0 is no chain");
    /* --rootchain names a kind (sim, eth) or the simulated chain's URL. */
    if (ctx->rootchain_url && strcmp(ctx->rootchain_url, "eth") == 0) {
        ctx->eth = true;
        ctx->rootchain_url = NULL;
    } else if (ctx->rootchain_url && strcmp(ctx->rootchain_url, "sim") == 0) {
        ctx->rootchain_url = NULL;
    }
    return 0;
}

int main(int argc, char **argv)
{
    cli_ctx ctx = {0};
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int n_rest, rc;
    if (!rest)
        return cli_error(NULL, PLASMA_ERR_NOMEM, "out of memory");
    defaults(&ctx);
    if ((rc = parse_globals(&ctx, argc, argv, rest, &n_rest)) != 0)
        goto cleanup;
    if (n_rest == 0) {
        usage(stderr);
        rc = cli_error(&ctx, PLASMA_ERR_USAGE, "no command given");
        goto cleanup;
    }
    if (strcmp(rest[0], "--help") == 0 || strcmp(rest[0], "-h") == 0 || strcmp(rest[0], "help") == 0) {
        usage(stdout);
        rc = CLI_EXIT_OK;
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
    rc = cli_error(&ctx, PLASMA_ERR_USAGE, "unknown command \"%s\" (see `plasma --help`)", rest[0]);
cleanup:
    free(rest);
    return rc;
}
