/* plasma challenge --exit-id ID */
#include "cli.h"

static const char help[] =
    "usage: plasma challenge --exit-id ID\n"
    "Looks through the operator's blocks for a transaction spending the exiting output and, when\n"
    "one exists, challenges the exit with it (the exit's bond goes to you).\n"
    "--json: {\"exit_id\", \"challenged\": true}.\n";

static void human(const json_t *r)
{
    printf("exit %s challenged\n", json_string_value(json_object_get(r, "exit_id")));
}

int cmd_challenge(cli_ctx *ctx, int argc, char **argv)
{
    const char *id_s = NULL;
    uint64_t id;
    bool bad = false;
    plasma_privkey key;
    plasma_addr addr;
    plasma_client *c = NULL;
    int rc;
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    for (int i = 1; i < argc; i++) {
        if (!cli_opt(argc, argv, &i, "--exit-id", &id_s, &bad))
            return cli_error(ctx, PLASMA_ERR_USAGE, "challenge: unknown option %s (see --help)", argv[i]);
        if (bad)
            return cli_missing(ctx, argv[i]);
    }
    if (!id_s)
        return cli_error(ctx, PLASMA_ERR_USAGE, "challenge: --exit-id is required (see --help)");
    if (!cli_parse_u64(ctx, "--exit-id", id_s, &id))
        return CLI_EXIT_USAGE;
    if ((rc = cli_load_key(ctx, &key, &addr)) != 0 || (rc = cli_client(ctx, &c)) != 0)
        return rc;
    rc = plasma_client_challenge(c, &key, id);
    plasma_wipe(&key, sizeof key);
    if (rc)
        rc = cli_client_error(ctx, c, rc);
    else
        rc = cli_output(ctx, json_pack("{s:o, s:b}", "exit_id", plasma_json_u64_str(id), "challenged", 1),
                        human);
    plasma_client_free(c);
    return rc;
}
