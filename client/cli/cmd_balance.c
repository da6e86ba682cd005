/* plasma balance [--address ADDR] */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: plasma balance [--address ADDR]\n"
    "Sums the unspent child-chain outputs of ADDR (default: your account) per token, as the\n"
    "operator knows them. --json: {\"address\", \"balances\": [{\"token\", \"amount\", \"utxos\"}]}\n"
    "(ETH is token 0x00…00; amounts in wei or base units).\n";

static void human(const json_t *r)
{
    json_t *arr = json_object_get(r, "balances"), *b;
    size_t i;
    printf("%s\n", json_string_value(json_object_get(r, "address")));
    if (json_array_size(arr) == 0)
        printf("  nothing on the child chain\n");
    json_array_foreach (arr, i, b) {
        char amount[128];
        printf("  %s in %lld output(s)\n",
               cli_human_amount(amount, json_string_value(json_object_get(b, "token")),
                                json_string_value(json_object_get(b, "amount"))),
               (long long)json_integer_value(json_object_get(b, "utxos")));
    }
}

int cmd_balance(cli_ctx *ctx, int argc, char **argv)
{
    plasma_client_utxo *utxos = NULL;
    plasma_client_balance *bal = NULL;
    plasma_addr addr;
    size_t n = 0, nb = 0;
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    int rc = cli_owner_utxos(ctx, argc, argv, "balance", &addr, &utxos, &n);
    if (rc != 0)
        return rc;
    if ((rc = plasma_client_balances(&bal, &nb, utxos, n)) != 0) {
        rc = cli_client_error(ctx, NULL, rc);
        goto cleanup;
    }
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < nb; i++)
        json_array_append_new(arr, json_pack("{s:o, s:o, s:I}", "token", plasma_json_addr(&bal[i].token),
                                             "amount", plasma_json_u256(&bal[i].amount), "utxos",
                                             (json_int_t)bal[i].n_utxos));
    rc = cli_output(ctx, json_pack("{s:o, s:o}", "address", plasma_json_addr(&addr), "balances", arr), human);
cleanup:
    free(bal);
    free(utxos);
    return rc;
}
