/* plasma deposit --amount AMOUNT [--token ADDR] [--no-wait] [--timeout S] */
#include "cli.h"

#include <string.h>

#define DEFAULT_TIMEOUT_S 600

static const char help[] =
    "usage: plasma deposit --amount AMOUNT [--token ADDR] [--no-wait] [--timeout SECONDS]\n"
    "Deposits AMOUNT (wei, or with a unit: 20gwei, 1.5eth) of ETH or of an ERC-20 token into the\n"
    "Plasma contract, waits until the root chain mined it, then until the operator has seen it\n"
    "and the new output is spendable on the child chain (the operator waits for its finality\n"
    "margin of root-chain blocks first). --no-wait returns once the deposit is mined;\n"
    "--timeout (default 600) bounds the second wait, after which the deposit is still made\n"
    "(exit status 1, code timeout: check `plasma utxos` later).\n"
    "--json: {\"blknum\", \"utxo_pos\", \"txhash\", \"token\", \"amount\", \"spendable\"}.\n";

typedef struct deposit_args {
    plasma_addr token;
    plasma_u256 amount;
    bool wait;
    uint64_t timeout_s;
} deposit_args;

static void human(const json_t *r)
{
    char amount[128];
    printf("deposited %s: output %s in deposit block %lld (root-chain call %s)\n",
           cli_human_amount(amount, json_string_value(json_object_get(r, "token")),
                            json_string_value(json_object_get(r, "amount"))),
           json_string_value(json_object_get(r, "utxo_pos")),
           json_integer_value(json_object_get(r, "blknum")), json_string_value(json_object_get(r, "txhash")));
    printf(json_is_true(json_object_get(r, "spendable"))
               ? "spendable on the child chain now\n"
               : "not waiting for the operator to see it (--no-wait)\n");
}

static int parse_args(cli_ctx *ctx, int argc, char **argv, deposit_args *a)
{
    const char *amount_s = NULL, *token_s = NULL, *timeout_s = NULL;
    bool bad = false;
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv, i, "--no-wait"))
            a->wait = false;
        else if (!cli_opt(argc, argv, &i, "--amount", &amount_s, &bad) &&
                 !cli_opt(argc, argv, &i, "--token", &token_s, &bad) &&
                 !cli_opt(argc, argv, &i, "--timeout", &timeout_s, &bad))
            return cli_error(ctx, PLASMA_ERR_USAGE, "deposit: unknown option %s (see --help)", argv[i]);
        if (bad)
            return cli_missing(ctx, argv[i]);
    }
    if (!amount_s)
        return cli_error(ctx, PLASMA_ERR_USAGE, "deposit: --amount is required (see --help)");
    if (!cli_parse_amount(ctx, "--amount", amount_s, &a->amount) ||
        (token_s && !cli_parse_addr(ctx, "--token", token_s, &a->token)) ||
        (timeout_s && !cli_parse_u64(ctx, "--timeout", timeout_s, &a->timeout_s)))
        return CLI_EXIT_USAGE;
    if (a->timeout_s < 1 || a->timeout_s > 86400)
        return cli_error(ctx, PLASMA_ERR_USAGE, "--timeout must be 1..86400 seconds");
    return 0;
}

static int wait_spendable(const cli_ctx *ctx, plasma_client *c, const deposit_args *a, uint64_t blknum)
{
    char pos[24], what[80];
    uint64_t utxo_pos = plasma_utxo_pos(blknum, 0, 0);
    snprintf(pos, sizeof pos, "%llu", (unsigned long long)utxo_pos);
    snprintf(what, sizeof what, "the operator to see output %s", pos);
    int rc = plasma_client_wait_spendable(c, utxo_pos, (long)a->timeout_s * 1000, cli_progress(ctx), what);
    cli_progress_end(ctx);
    if (rc == PLASMA_ERR_TIMEOUT)
        return cli_error(ctx, rc,
                         "the deposit is on the root chain (output %s, deposit block %llu), but the operator "
                         "has not made it spendable within %llu s; check `plasma utxos` later",
                         pos, (unsigned long long)blknum, (unsigned long long)a->timeout_s);
    if (rc)
        return cli_error(
            ctx, rc, "the deposit is on the root chain (output %s), but waiting for the operator failed: %s",
            pos, plasma_client_errmsg(c));
    return 0;
}

int cmd_deposit(cli_ctx *ctx, int argc, char **argv)
{
    deposit_args a = {.wait = true, .timeout_s = DEFAULT_TIMEOUT_S};
    plasma_addr addr;
    plasma_privkey key;
    plasma_client *c = NULL;
    plasma_hash h;
    uint64_t blknum;
    int rc;
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    if ((rc = parse_args(ctx, argc, argv, &a)) != 0)
        return rc;
    if ((rc = cli_load_key(ctx, &key, &addr)) != 0 || (rc = cli_client(ctx, &c)) != 0)
        return rc;
    rc = plasma_client_deposit(c, &key, &a.token, &a.amount, &blknum, &h);
    plasma_wipe(&key, sizeof key);
    if (rc) {
        rc = cli_client_error(ctx, c, rc);
        goto cleanup;
    }
    if (a.wait && (rc = wait_spendable(ctx, c, &a, blknum)) != 0)
        goto cleanup;
    rc = cli_output(ctx,
                    json_pack("{s:I, s:o, s:o, s:o, s:o, s:b}", "blknum", (json_int_t)blknum, "utxo_pos",
                              plasma_json_u64_str(plasma_utxo_pos(blknum, 0, 0)), "txhash",
                              plasma_json_hash(&h), "token", plasma_json_addr(&a.token), "amount",
                              plasma_json_u256(&a.amount), "spendable", a.wait),
                    human);
cleanup:
    plasma_client_free(c);
    return rc;
}
