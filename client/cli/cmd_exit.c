/* plasma exit --utxo POS | --all */
#include "cli.h"

#include <stdlib.h>

static const char help[] =
    "usage: plasma exit --utxo POS | --all\n"
    "Starts the standard exit of one output (or of every output you own), after checking the\n"
    "operator's inclusion proof against the root the root chain stores. Pays the exit bond.\n"
    "Prints {\"exit_id\", \"exitable_at\", \"token\", \"amount\"} (with --all: a list of them).\n";

static void human(const json_t *r)
{
    json_t *e;
    size_t i;
    if (!json_is_array(r)) {
        printf("exit %s started; exitable at %lld\n", json_string_value(json_object_get(r, "exit_id")),
               json_integer_value(json_object_get(r, "exitable_at")));
        return;
    }
    json_array_foreach (r, i, e) {
        human(e);
    }
    if (i == 0)
        printf("no outputs to exit\n");
}

static int exit_one(cli_ctx *ctx, plasma_client *c, const plasma_privkey *key, uint64_t pos, json_t **out)
{
    plasma_exit_info info;
    int rc = plasma_client_start_exit(c, key, pos, &info);
    if (rc)
        return cli_client_error(ctx, c, rc);
    *out = json_pack("{s:o, s:I, s:o, s:o}", "exit_id", plasma_json_u64_str(info.exit_id), "exitable_at",
                     (json_int_t)info.exitable_at, "token", plasma_json_addr(&info.token), "amount",
                     plasma_json_u256(&info.amount));
    return 0;
}

static int exit_all(cli_ctx *ctx, plasma_client *c, const plasma_privkey *key, const plasma_addr *addr,
                    json_t **out)
{
    plasma_client_utxo *utxos = NULL;
    size_t n = 0;
    json_t *arr;
    int rc = plasma_client_utxos(c, addr, &utxos, &n);
    if (rc)
        return cli_client_error(ctx, c, rc);
    arr = json_array();
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *one = NULL;
        if ((rc = exit_one(ctx, c, key, utxos[i].utxo_pos, &one)) == 0)
            json_array_append_new(arr, one);
    }
    free(utxos);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

int cmd_exit(cli_ctx *ctx, int argc, char **argv)
{
    const char *utxo_s = NULL;
    bool all = false, bad = false;
    uint64_t pos = 0;
    plasma_privkey key;
    plasma_addr addr;
    plasma_client *c = NULL;
    json_t *result = NULL;
    int rc;
    if (cli_wants_help(argc, argv))
        return cli_help(help, true);
    for (int i = 1; i < argc; i++)
        if (cli_flag(argv, i, "--all"))
            all = true;
        else if (!cli_opt(argc, argv, &i, "--utxo", &utxo_s, &bad))
            return cli_error(ctx, CLI_EXIT_USAGE, "exit: unknown option %s (see --help)", argv[i]);
    if (bad || (!utxo_s) == !all)
        return cli_error(ctx, CLI_EXIT_USAGE, "exit: give exactly one of --utxo POS or --all (see --help)");
    if (utxo_s && !cli_parse_u64(ctx, "--utxo", utxo_s, &pos))
        return CLI_EXIT_USAGE;
    if ((rc = cli_load_key(ctx, &key, &addr)) != 0 || (rc = cli_client(ctx, &c)) != 0)
        return rc;
    rc = all ? exit_all(ctx, c, &key, &addr, &result) : exit_one(ctx, c, &key, pos, &result);
    plasma_wipe(&key, sizeof key);
    if (rc == 0)
        rc = cli_output(ctx, result, human);
    plasma_client_free(c);
    return rc;
}
