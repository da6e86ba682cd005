/* plasma balance [--address ADDR] */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: plasma balance [--address ADDR]\n"
    "Sums the unspent child-chain outputs of ADDR (default: your account) per token:\n"
    "{\"address\", \"balances\": [{\"token\", \"amount\", \"utxos\"}]} (ETH is token 0x00…00).\n";

static void human(const json_t *r)
{
    json_t *arr = json_object_get(r, "balances"), *b;
    size_t i;
    printf("%s\n", json_string_value(json_object_get(r, "address")));
    if (json_array_size(arr) == 0)
        printf("  nothing on the child chain\n");
    json_array_foreach (arr, i, b) {
        plasma_u256 v;
        char eth[PLASMA_AMOUNT_FMT_MAX];
        const char *tok = json_string_value(json_object_get(b, "token"));
        plasma_u256_parse_dec(&v, json_string_value(json_object_get(b, "amount")));
        if (tok && strspn(tok + 2, "0") == 40)
            printf("  ETH    %s eth (%s wei)\n", plasma_amount_format_eth(eth, &v),
                   json_string_value(json_object_get(b, "amount")));
        else
            printf("  %s  %s\n", tok, json_string_value(json_object_get(b, "amount")));
    }
}

int cmd_balance(cli_ctx *ctx, int argc, char **argv)
{
    plasma_client_utxo *utxos = NULL;
    plasma_client_balance *bal = NULL;
    plasma_addr addr;
    size_t n = 0, nb = 0;
    if (cli_wants_help(argc, argv))
        return cli_help(help, true);
    int rc = cli_owner_utxos(ctx, argc, argv, "balance", &addr, &utxos, &n);
    if (rc != 0)
        return rc;
    if ((rc = plasma_client_balances(&bal, &nb, utxos, n)) != 0) {
        rc = cli_client_error(ctx, NULL, rc);
        goto cleanup;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < nb; i++)
        json_array_append_new(arr, json_pack("{s:o, s:o, s:I}", "token", plasma_json_addr(&bal[i].token),
                                             "amount", plasma_json_u256(&bal[i].amount), "utxos",
                                             (json_int_t)bal[i].n_utxos));
    rc = cli_output(ctx, json_pack("{s:o, s:o}", "address", plasma_json_addr(&addr), "balances", arr), human);
cleanup:
    free(bal);
    free(utxos);
    return rc;
}
