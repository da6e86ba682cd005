/* plasma process-exits [--token ADDR] [--max N] */
#include "cli.h"

#include <stdlib.h>

static const char help[] =
    "usage: plasma process-exits [--token ADDR] [--max N]\n"
    "Pays out up to N (1..1000, default 10) matured exits of ETH or --token, in queue order\n"
    "(earliest exitable first), in-flight exits included. Anyone may call it (the caller pays the gas).\n"
    "--json: {\"processed\": n, \"paid\": [{\"exit_id\", \"owner\", \"token\", \"amount\"}],\n"
    "\"in_flight_exits\": [ife_id, ...]} (the in-flight exits it processed to their end).\n";

static void human(const json_t *r)
{
    json_t *e;
    size_t i;
    printf("%lld exit(s) paid", json_integer_value(json_object_get(r, "processed")));
    if (json_array_size(json_object_get(r, "in_flight_exits")))
        printf(", %zu in-flight exit(s) processed", json_array_size(json_object_get(r, "in_flight_exits")));
    printf("\n");
    json_array_foreach (json_object_get(r, "paid"), i, e) {
        char amount[128];
        printf("  exit %s: %s to %s\n", json_string_value(json_object_get(e, "exit_id")),
               cli_human_amount(amount, json_string_value(json_object_get(e, "token")),
                                json_string_value(json_object_get(e, "amount"))),
               json_string_value(json_object_get(e, "owner")));
    }
}

static json_t *paid_list(plasma_client *c, const uint64_t *ids, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        plasma_exit_info info;
        json_t *e = json_pack("{s:o}", "exit_id", plasma_json_u64_str(ids[i]));
        if (plasma_client_rc_exit(c, ids[i], &info) == 0) {
            json_object_set_new(e, "owner", plasma_json_addr(&info.owner));
            json_object_set_new(e, "token", plasma_json_addr(&info.token));
            json_object_set_new(e, "amount", plasma_json_u256(&info.amount));
        }
        json_array_append_new(arr, e);
    }
    return arr;
}

static json_t *ifes_list(const plasma_client *c)
{
    const plasma_u256 *ids;
    size_t n = plasma_client_processed_ifes(c, &ids);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        uint8_t be[32];
        plasma_u256_to_be(be, &ids[i]);
        json_array_append_new(arr, plasma_json_hex(be, 32));
    }
    return arr;
}

int cmd_process_exits(cli_ctx *ctx, int argc, char **argv)
{
    const char *token_s = NULL, *max_s = NULL;
    plasma_addr token = {{0}}, addr;
    uint64_t max = 10, *ids = NULL;
    size_t n = 0;
    bool bad = false;
    plasma_privkey key;
    plasma_client *c = NULL;
    int rc;
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    for (int i = 1; i < argc; i++) {
        if (!cli_opt(argc, argv, &i, "--token", &token_s, &bad) &&
            !cli_opt(argc, argv, &i, "--max", &max_s, &bad))
            return cli_error(ctx, PLASMA_ERR_USAGE, "process-exits: unknown option %s (see --help)", argv[i]);
        if (bad)
            return cli_missing(ctx, argv[i]);
    }
    if ((token_s && !cli_parse_addr(ctx, "--token", token_s, &token)) ||
        (max_s && !cli_parse_u64(ctx, "--max", max_s, &max)))
        return CLI_EXIT_USAGE;
    if (max == 0 || max > 1000)
        return cli_error(ctx, PLASMA_ERR_USAGE, "--max must be between 1 and 1000");
    if ((rc = cli_load_key(ctx, &key, &addr)) != 0 || (rc = cli_client(ctx, &c)) != 0)
        return rc;
    if (!(ids = calloc(max, sizeof *ids))) {
        rc = cli_error(ctx, PLASMA_ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    rc = plasma_client_process_exits(c, &key, &token, max, ids, &n);
    if (rc)
        rc = cli_client_error(ctx, c, rc);
    else
        rc = cli_output(ctx,
                        json_pack("{s:I, s:o, s:o}", "processed", (json_int_t)n, "paid", paid_list(c, ids, n),
                                  "in_flight_exits", ifes_list(c)),
                        human);
cleanup:
    plasma_wipe(&key, sizeof key);
    free(ids);
    plasma_client_free(c);
    return rc;
}
