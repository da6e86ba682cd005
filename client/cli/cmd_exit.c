/* plasma exit --utxo POS | --all [--timeout S] */
#include "cli.h"

#include <stdlib.h>

#define DEFAULT_TIMEOUT_S 300

static const char help[] =
    "usage: plasma exit (--utxo POS | --all) [--timeout SECONDS]\n"
    "Starts the standard exit of one output (or of every output you own), after checking the\n"
    "operator's inclusion proof against the root the root chain stores. Pays the exit bond.\n"
    "An output of a block not yet sealed or not yet on the root chain is waited for, at most\n"
    "--timeout seconds (default 300).\n"
    "--json: {\"exit_id\", \"exitable_at\", \"token\", \"amount\"}; with --all {\"exits\": [those]}.\n";

static void human_one(const json_t *r)
{
    char amount[128], when[128];
    printf("exit %s of %s started; it can be processed from %s\n",
           json_string_value(json_object_get(r, "exit_id")),
           cli_human_amount(amount, json_string_value(json_object_get(r, "token")),
                            json_string_value(json_object_get(r, "amount"))),
           cli_human_time(when, json_integer_value(json_object_get(r, "exitable_at"))));
}

static void human(const json_t *r)
{
    json_t *list = json_object_get(r, "exits"), *e;
    size_t i;
    if (!list) {
        human_one(r);
        return;
    }
    json_array_foreach (list, i, e) {
        human_one(e);
    }
    if (i == 0)
        printf("no outputs to exit\n");
}

typedef struct exit_args {
    uint64_t pos;
    bool all;
    uint64_t timeout_s;
} exit_args;

static int exit_one(cli_ctx *ctx, plasma_client *c, const plasma_privkey *key, const exit_args *a,
                    uint64_t pos, json_t **out)
{
    plasma_exit_info info;
    char what[96];
    snprintf(what, sizeof what, "the block of output %llu to reach the root chain", (unsigned long long)pos);
    int rc = plasma_client_wait_exitable(c, pos, (long)a->timeout_s * 1000, cli_progress(ctx), what);
    cli_progress_end(ctx);
    if (rc == 0)
        rc = plasma_client_start_exit(c, key, pos, &info);
    if (rc == PLASMA_ERR_UTXO_NOT_FOUND)
        return cli_error(ctx, rc, "the operator knows no output %llu (see `plasma utxos`)",
                         (unsigned long long)pos);
    if (rc)
        return cli_client_error(ctx, c, rc);
    *out = json_pack("{s:o, s:I, s:o, s:o}", "exit_id", plasma_json_u64_str(info.exit_id), "exitable_at",
                     (json_int_t)info.exitable_at, "token", plasma_json_addr(&info.token), "amount",
                     plasma_json_u256(&info.amount));
    return 0;
}

static int exit_all(cli_ctx *ctx, plasma_client *c, const plasma_privkey *key, const exit_args *a,
                    const plasma_addr *addr, json_t **out)
{
    plasma_client_utxo *utxos = NULL;
    size_t n = 0;
    json_t *arr;
    int rc = plasma_client_utxos(c, addr, &utxos, &n);
    if (rc)
        return cli_client_error(ctx, c, rc);
    if (!(arr = json_array())) {
        free(utxos);
        return cli_error(ctx, PLASMA_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *one = NULL;
        if ((rc = exit_one(ctx, c, key, a, utxos[i].utxo_pos, &one)) == 0)
            json_array_append_new(arr, one);
    }
    free(utxos);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = json_pack("{s:o}", "exits", arr);
    return 0;
}

static int parse_args(cli_ctx *ctx, int argc, char **argv, exit_args *a)
{
    const char *utxo_s = NULL, *timeout_s = NULL;
    bool bad = false;
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv, i, "--all"))
            a->all = true;
        else if (!cli_opt(argc, argv, &i, "--utxo", &utxo_s, &bad) &&
                 !cli_opt(argc, argv, &i, "--timeout", &timeout_s, &bad))
            return cli_error(ctx, PLASMA_ERR_USAGE, "exit: unknown option %s (see --help)", argv[i]);
        if (bad)
            return cli_missing(ctx, argv[i]);
    }
    if ((!utxo_s) == !a->all)
        return cli_error(ctx, PLASMA_ERR_USAGE, "exit: give exactly one of --utxo POS or --all (see --help)");
    if ((utxo_s && !cli_parse_u64(ctx, "--utxo", utxo_s, &a->pos)) ||
        (timeout_s && !cli_parse_u64(ctx, "--timeout", timeout_s, &a->timeout_s)))
        return CLI_EXIT_USAGE;
    if (a->timeout_s < 1 || a->timeout_s > 86400)
        return cli_error(ctx, PLASMA_ERR_USAGE, "--timeout must be 1..86400 seconds");
    return 0;
}

int cmd_exit(cli_ctx *ctx, int argc, char **argv)
{
    exit_args a = {.timeout_s = DEFAULT_TIMEOUT_S};
    plasma_privkey key;
    plasma_addr addr;
    plasma_client *c = NULL;
    json_t *result = NULL;
    int rc;
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    if ((rc = parse_args(ctx, argc, argv, &a)) != 0)
        return rc;
    if ((rc = cli_load_key(ctx, &key, &addr)) != 0 || (rc = cli_client(ctx, &c)) != 0)
        return rc;
    rc = a.all ? exit_all(ctx, c, &key, &a, &addr, &result) : exit_one(ctx, c, &key, &a, a.pos, &result);
    plasma_wipe(&key, sizeof key);
    if (rc == 0)
        rc = cli_output(ctx, result, human);
    plasma_client_free(c);
    return rc;
}
