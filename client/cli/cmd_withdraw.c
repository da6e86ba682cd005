/* plasma withdraw [--token ADDR] */
#include "cli.h"

static const char help[] =
    "usage: plasma withdraw [--token ADDR]\n"
    "Claims your payments in ETH or --token that the root chain deferred (PaymentDeferred: an exit's\n"
    "payout or a bond it could not transfer when it was processed) with withdraw(token).\n"
    "--json: {\"token\", \"amount\"}. Nothing to claim is an error (nothing_to_withdraw); a contract\n"
    "still short of the token is payment_failed, and the claim stays.\n";

static void human(const json_t *r)
{
    char amount[128];
    printf("withdrawn: %s\n", cli_human_amount(amount, json_string_value(json_object_get(r, "token")),
                                               json_string_value(json_object_get(r, "amount"))));
}

int cmd_withdraw(cli_ctx *ctx, int argc, char **argv)
{
    const char *token_s = NULL;
    plasma_addr token = {{0}}, addr;
    plasma_u256 amount;
    plasma_privkey key;
    plasma_client *c = NULL;
    bool bad = false;
    int rc;
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    for (int i = 1; i < argc; i++) {
        if (!cli_opt(argc, argv, &i, "--token", &token_s, &bad))
            return cli_error(ctx, PLASMA_ERR_USAGE, "withdraw: unknown option %s (see --help)", argv[i]);
        if (bad)
            return cli_missing(ctx, argv[i]);
    }
    if (token_s && !cli_parse_addr(ctx, "--token", token_s, &token))
        return CLI_EXIT_USAGE;
    if ((rc = cli_load_key(ctx, &key, &addr)) != 0 || (rc = cli_client(ctx, &c)) != 0)
        return rc;
    rc = plasma_client_withdraw(c, &key, &token, &amount);
    plasma_wipe(&key, sizeof key);
    if (rc)
        rc = cli_client_error(ctx, c, rc);
    else
        rc = cli_output(
            ctx,
            json_pack("{s:o, s:o}", "token", plasma_json_addr(&token), "amount", plasma_json_u256(&amount)),
            human);
    plasma_client_free(c);
    return rc;
}
