/* plasma utxos [--address ADDR] */
#include "cli.h"

#include <stdlib.h>

static const char help[] =
    "usage: plasma utxos [--address ADDR]\n"
    "Lists the unspent child-chain outputs of ADDR (default: your account) as the operator knows\n"
    "them. --json: {\"address\", \"utxos\": [{\"utxo_pos\", \"blknum\", \"txindex\", \"oindex\", \"owner\",\n"
    "\"token\", \"amount\"}]}.\n";

static void human(const json_t *r)
{
    json_t *arr = json_object_get(r, "utxos"), *u;
    size_t i;
    if (json_array_size(arr) == 0)
        printf("no unspent outputs\n");
    json_array_foreach (arr, i, u) {
        char amount[128];
        printf("%-20s %s\n", json_string_value(json_object_get(u, "utxo_pos")),
               cli_human_amount(amount, json_string_value(json_object_get(u, "token")),
                                json_string_value(json_object_get(u, "amount"))));
    }
}

/* The address to query: --address, else the account's. */
int cli_query_address(cli_ctx *ctx, const char *address_s, plasma_addr *addr)
{
    plasma_privkey key;
    int rc;
    if (address_s)
        return cli_parse_addr(ctx, "--address", address_s, addr) ? 0 : CLI_EXIT_USAGE;
    rc = cli_load_key(ctx, &key, addr);
    plasma_wipe(&key, sizeof key);
    return rc;
}

int cli_owner_utxos(cli_ctx *ctx, int argc, char **argv, const char *name, plasma_addr *addr,
                    plasma_client_utxo **utxos, size_t *n)
{
    const char *address_s = NULL;
    plasma_client *c = NULL;
    bool bad = false;
    int rc;
    for (int i = 1; i < argc; i++) {
        if (!cli_opt(argc, argv, &i, "--address", &address_s, &bad))
            return cli_error(ctx, PLASMA_ERR_USAGE, "%s: unknown option %s (see --help)", name, argv[i]);
        if (bad)
            return cli_missing(ctx, argv[i]);
    }
    if ((rc = cli_query_address(ctx, address_s, addr)) != 0 || (rc = cli_client(ctx, &c)) != 0)
        return rc;
    if ((rc = plasma_client_utxos(c, addr, utxos, n)) != 0)
        rc = cli_client_error(ctx, c, rc);
    plasma_client_free(c);
    return rc;
}

int cmd_utxos(cli_ctx *ctx, int argc, char **argv)
{
    plasma_client_utxo *utxos = NULL;
    plasma_addr addr;
    size_t n = 0;
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    int rc = cli_owner_utxos(ctx, argc, argv, "utxos", &addr, &utxos, &n);
    if (rc != 0)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        uint64_t p = utxos[i].utxo_pos;
        json_array_append_new(arr, json_pack("{s:o, s:I, s:i, s:i, s:o, s:o, s:o}", "utxo_pos",
                                             plasma_json_u64_str(p), "blknum",
                                             (json_int_t)plasma_pos_blknum(p), "txindex",
                                             (int)plasma_pos_txindex(p), "oindex", (int)plasma_pos_oindex(p),
                                             "owner", plasma_json_addr(&utxos[i].out.owner), "token",
                                             plasma_json_addr(&utxos[i].out.token), "amount",
                                             plasma_json_u256(&utxos[i].out.amount)));
    }
    rc = cli_output(ctx, json_pack("{s:o, s:o}", "address", plasma_json_addr(&addr), "utxos", arr), human);
    free(utxos);
    return rc;
}
