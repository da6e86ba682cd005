/* plasma send --to ADDR --amount AMOUNT [--token ADDR] [--fee AMOUNT] [--fee-token ADDR] */
#include "cli.h"

static const char help[] =
    "usage: plasma send --to ADDR --amount AMOUNT [--token ADDR] [--fee AMOUNT] [--fee-token ADDR]\n"
    "Pays AMOUNT of ETH or --token on the child chain, picking your largest outputs (at most 4)\n"
    "and returning change to you. --fee (default 0) is left to the operator, in --fee-token\n"
    "(default: the payment's token). Amounts: wei, or with a unit (20gwei, 0.25eth).\n"
    "Prints the transaction and its place ({\"txhash\", \"blknum\", \"txindex\"} with --json).\n";

static void human(const json_t *r)
{
    printf("sent: %s, in block %lld at index %lld\n", json_string_value(json_object_get(r, "txhash")),
           json_integer_value(json_object_get(r, "blknum")),
           json_integer_value(json_object_get(r, "txindex")));
}

typedef struct send_args {
    const char *to, *amount, *token, *fee, *fee_token;
} send_args;

static int parse_args(cli_ctx *ctx, int argc, char **argv, plasma_payment *pay)
{
    send_args a = {0};
    bool bad = false;
    for (int i = 1; i < argc; i++) {
        if (!cli_opt(argc, argv, &i, "--to", &a.to, &bad) &&
            !cli_opt(argc, argv, &i, "--amount", &a.amount, &bad) &&
            !cli_opt(argc, argv, &i, "--token", &a.token, &bad) &&
            !cli_opt(argc, argv, &i, "--fee", &a.fee, &bad) &&
            !cli_opt(argc, argv, &i, "--fee-token", &a.fee_token, &bad))
            return cli_error(ctx, PLASMA_ERR_USAGE, "send: unknown option %s (see --help)", argv[i]);
        if (bad)
            return cli_missing(ctx, argv[i]);
    }
    if (!a.to || !a.amount)
        return cli_error(ctx, PLASMA_ERR_USAGE, "send: --to and --amount are required (see --help)");
    if (!cli_parse_addr(ctx, "--to", a.to, &pay->to) ||
        !cli_parse_amount(ctx, "--amount", a.amount, &pay->amount) ||
        (a.token && !cli_parse_addr(ctx, "--token", a.token, &pay->token)) ||
        (a.fee && !cli_parse_amount(ctx, "--fee", a.fee, &pay->fee)))
        return CLI_EXIT_USAGE;
    pay->fee_token = pay->token;
    if (a.fee_token && !cli_parse_addr(ctx, "--fee-token", a.fee_token, &pay->fee_token))
        return CLI_EXIT_USAGE;
    return 0;
}

int cmd_send(cli_ctx *ctx, int argc, char **argv)
{
    plasma_payment pay = {0};
    plasma_client_submitted res;
    plasma_privkey key;
    plasma_addr addr;
    plasma_client *c = NULL;
    int rc;
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    if ((rc = parse_args(ctx, argc, argv, &pay)) != 0)
        return rc;
    if ((rc = cli_load_key(ctx, &key, &addr)) != 0 || (rc = cli_client(ctx, &c)) != 0)
        return rc;
    rc = plasma_client_send(c, &key, &pay, &res);
    plasma_wipe(&key, sizeof key);
    if (rc)
        rc = cli_client_error(ctx, c, rc);
    else
        rc = cli_output(ctx,
                        json_pack("{s:o, s:I, s:I}", "txhash", plasma_json_hash(&res.txhash), "blknum",
                                  (json_int_t)res.blknum, "txindex", (json_int_t)res.txindex),
                        human);
    plasma_client_free(c);
    return rc;
}
