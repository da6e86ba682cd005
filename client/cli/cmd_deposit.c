/* plasma deposit --amount AMOUNT [--token ADDR] */
#include "cli.h"

#include <string.h>

static const char help[] =
    "usage: plasma deposit --amount AMOUNT [--token ADDR]\n"
    "Deposits AMOUNT (wei, or with a unit: 20gwei, 1.5eth) of ETH or of an ERC-20 token into the\n"
    "Plasma contract and waits until it is mined. Prints {\"blknum\", \"utxo_pos\", \"txhash\"}.\n";

static void human(const json_t *r)
{
    printf("deposited: output %s in deposit block %lld (root-chain call %s)\n",
           json_string_value(json_object_get(r, "utxo_pos")),
           json_integer_value(json_object_get(r, "blknum")), json_string_value(json_object_get(r, "txhash")));
}

int cmd_deposit(cli_ctx *ctx, int argc, char **argv)
{
    const char *amount_s = NULL, *token_s = NULL;
    plasma_addr token = {{0}}, addr;
    plasma_u256 amount;
    plasma_privkey key;
    plasma_client *c = NULL;
    plasma_hash h;
    uint64_t blknum;
    bool bad = false;
    int rc;
    if (cli_wants_help(argc, argv))
        return cli_help(help, true);
    for (int i = 1; i < argc; i++)
        if (!cli_opt(argc, argv, &i, "--amount", &amount_s, &bad) &&
            !cli_opt(argc, argv, &i, "--token", &token_s, &bad))
            return cli_error(ctx, CLI_EXIT_USAGE, "deposit: unknown option %s (see --help)", argv[i]);
    if (bad || !amount_s)
        return cli_error(ctx, CLI_EXIT_USAGE, "deposit: --amount is required (see --help)");
    if (!cli_parse_amount(ctx, "--amount", amount_s, &amount) ||
        (token_s && !cli_parse_addr(ctx, "--token", token_s, &token)))
        return CLI_EXIT_USAGE;
    if ((rc = cli_load_key(ctx, &key, &addr)) != 0 || (rc = cli_client(ctx, &c)) != 0)
        return rc;
    rc = plasma_client_deposit(c, &key, &token, &amount, &blknum, &h);
    plasma_wipe(&key, sizeof key);
    if (rc) {
        rc = cli_client_error(ctx, c, rc);
        goto cleanup;
    }
    rc = cli_output(ctx,
                    json_pack("{s:I, s:o, s:o}", "blknum", (json_int_t)blknum, "utxo_pos",
                              plasma_json_u64_str(plasma_utxo_pos(blknum, 0, 0)), "txhash",
                              plasma_json_hash(&h)),
                    human);
cleanup:
    plasma_client_free(c);
    return rc;
}
