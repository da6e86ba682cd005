/* plasma rootchain status|block N|exits|balance|mine [N]|advance-time SECONDS */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: plasma rootchain SUBCOMMAND\n"
    "  status                  chain id, contract, head, exit period and bonds\n"
    "  block N                 the root the root chain stores for child or deposit block N\n"
    "  exits                   every exit started so far, with its state\n"
    "  balance [--address A] [--token T]   an account's root-chain balance (ETH, and T)\n"
    "  mine [N]                mine N blocks (default 1) now (development chains only)\n"
    "  advance-time SECONDS    move the next block's time forward (development chains only)\n"
    "The root chain is --rootchain URL, $PLASMA_ROOTCHAIN, or the operator URL + /rootchain; with\n"
    "--rootchain eth, the contract --contract on the Ethereum node --rpc (mine and advance-time\n"
    "are the simulated chain's; events and exits count with --confirmations).\n"
    "--json prints one object: status {\"chain_id\", \"contract\", \"operator\", \"head_number\",\n"
    "\"head_timestamp\", \"next_child_block\", \"next_deposit_block\", \"min_exit_period\", \"exit_bond\",\n"
    "\"ife_bond\", \"piggyback_bond\", \"dev\"}; block {\"blknum\", \"root\", \"timestamp\", \"is_deposit\"\n"
    "[, \"depositor\", \"token\", \"amount\"]}; exits {\"exits\": [{\"exit_id\", \"state\", \"owner\", "
    "\"token\", \"amount\",\n"
    "\"exitable_at\"}]}; balance {\"address\", \"balance\", \"tokens\": {TOKEN: amount}}; mine\n"
    "{\"head_number\"}; advance-time {\"advanced_seconds\"}.\n";

static const char *exit_state_name(plasma_exit_state s)
{
    switch (s) {
    case PLASMA_EXIT_IN_PROGRESS:
        return "in_progress";
    case PLASMA_EXIT_CHALLENGED:
        return "challenged";
    case PLASMA_EXIT_FINALIZED:
        return "finalized";
    case PLASMA_EXIT_SUPERSEDED:
        return "superseded";
    default:
        return "none";
    }
}

static int rc_fail(const cli_ctx *ctx, plasma_client *c, int err, const char *what)
{
    if (err == PLASMA_ERR_UNAVAILABLE)
        return cli_error(ctx, err, "%s: cannot reach the root chain (is it running? see %s)", what,
                         ctx->eth ? "--rpc" : "--rootchain, --operator");
    if (err == PLASMA_ERR_FORBIDDEN)
        return cli_error(ctx, err, "%s: the root chain is not in development mode", what);
    return cli_error(ctx, err, "%s: %s", what, plasma_client_errmsg(c));
}

static const char *str(const json_t *r, const char *key)
{
    const char *s = json_string_value(json_object_get(r, key));
    return s ? s : "?";
}

static long long num(const json_t *r, const char *key)
{
    return (long long)json_integer_value(json_object_get(r, key));
}

static void status_human(const json_t *r)
{
    char when[128], bond[128];
    printf("chain id %lld, contract %s, operator %s%s\n", num(r, "chain_id"), str(r, "contract"),
           str(r, "operator"), json_is_true(json_object_get(r, "dev")) ? " (development chain)" : "");
    printf("head: block %lld at %s\n", num(r, "head_number"), cli_human_time(when, num(r, "head_timestamp")));
    printf("next child block %lld, next deposit block %lld\n", num(r, "next_child_block"),
           num(r, "next_deposit_block"));
    printf("exit period %lld s, exit bond %s", num(r, "min_exit_period"),
           cli_human_amount(bond, PLASMA_CLI_ETH, str(r, "exit_bond")));
    printf(", in-flight exit bond %s", cli_human_amount(bond, PLASMA_CLI_ETH, str(r, "ife_bond")));
    printf(", piggyback bond %s\n", cli_human_amount(bond, PLASMA_CLI_ETH, str(r, "piggyback_bond")));
}

static int do_status(const cli_ctx *ctx, plasma_client *c)
{
    plasma_rootchain_status st;
    int err = plasma_client_rc_status(c, &st);
    if (err)
        return rc_fail(ctx, c, err, "status");
    return cli_output(ctx,
                      json_pack("{s:I, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:b}", "chain_id",
                                (json_int_t)st.chain_id, "contract", plasma_json_addr(&st.contract),
                                "operator", plasma_json_addr(&st.operator_addr), "head_number",
                                (json_int_t)st.head_number, "head_timestamp", (json_int_t)st.head_timestamp,
                                "next_child_block", (json_int_t)st.next_child_block, "next_deposit_block",
                                (json_int_t)st.next_deposit_block, "min_exit_period",
                                (json_int_t)st.min_exit_period, "exit_bond", plasma_json_u256(&st.exit_bond),
                                "ife_bond", plasma_json_u256(&st.ife_bond), "piggyback_bond",
                                plasma_json_u256(&st.piggyback_bond), "dev", st.dev),
                      status_human);
}

static void block_human(const json_t *r)
{
    char when[128], amount[128];
    printf("%s block %lld: root %s, stored %s\n",
           json_is_true(json_object_get(r, "is_deposit")) ? "deposit" : "child", num(r, "blknum"),
           str(r, "root"), cli_human_time(when, num(r, "timestamp")));
    if (json_object_get(r, "depositor"))
        printf("  %s deposited by %s\n", cli_human_amount(amount, str(r, "token"), str(r, "amount")),
               str(r, "depositor"));
}

static int do_block(const cli_ctx *ctx, plasma_client *c, int argc, char **argv)
{
    plasma_block_record rec;
    uint64_t n;
    int err;
    if (argc != 3)
        return cli_error(ctx, PLASMA_ERR_USAGE, "rootchain block: give one block number (see --help)");
    if (!cli_parse_u64(ctx, "block", argv[2], &n))
        return CLI_EXIT_USAGE;
    if ((err = plasma_client_rc_block_root(c, n, &rec)) != 0)
        return rc_fail(ctx, c, err, "block");
    json_t *r = json_pack("{s:I, s:o, s:I, s:b}", "blknum", (json_int_t)rec.blknum, "root",
                          plasma_json_hash(&rec.root), "timestamp", (json_int_t)rec.timestamp, "is_deposit",
                          rec.is_deposit);
    /* The contract stores a deposit block's root and time only: on Ethereum
     * the depositor, token and amount are in its DepositCreated event. */
    if (rec.is_deposit && !plasma_u256_is_zero(&rec.amount)) {
        json_object_set_new(r, "depositor", plasma_json_addr(&rec.depositor));
        json_object_set_new(r, "token", plasma_json_addr(&rec.token));
        json_object_set_new(r, "amount", plasma_json_u256(&rec.amount));
    }
    return cli_output(ctx, r, block_human);
}

static json_t *exit_json(const plasma_exit_info *e)
{
    return json_pack("{s:o, s:s, s:o, s:o, s:o, s:I}", "exit_id", plasma_json_u64_str(e->exit_id), "state",
                     exit_state_name(e->state), "owner", plasma_json_addr(&e->owner), "token",
                     plasma_json_addr(&e->token), "amount", plasma_json_u256(&e->amount), "exitable_at",
                     (json_int_t)e->exitable_at);
}

static void exits_human(const json_t *r)
{
    json_t *e;
    size_t i;
    json_array_foreach (json_object_get(r, "exits"), i, e) {
        char amount[128], when[128];
        printf("exit %s %s: %s of %s, exitable from %s\n", str(e, "exit_id"), str(e, "state"),
               cli_human_amount(amount, str(e, "token"), str(e, "amount")), str(e, "owner"),
               cli_human_time(when, num(e, "exitable_at")));
    }
    if (i == 0)
        printf("no exits\n");
}

/* Exits are found through their ExitStarted events. */
static int do_exits(const cli_ctx *ctx, plasma_client *c, int argc)
{
    json_t *arr;
    if (argc > 2)
        return cli_error(ctx, PLASMA_ERR_USAGE, "rootchain exits takes no arguments (see --help)");
    if (!(arr = json_array()))
        return cli_error(ctx, PLASMA_ERR_NOMEM, "out of memory");
    uint64_t from = 0, next = 0;
    int err = 0;
    for (;;) {
        plasma_event *ev = NULL;
        size_t n = 0;
        if ((err = plasma_client_rc_events(c, from, UINT64_MAX, &ev, &n, &next)) != 0)
            break;
        for (size_t i = 0; i < n; i++) {
            plasma_exit_info info;
            if (ev[i].kind == PLASMA_EVENT_EXIT_STARTED &&
                plasma_client_rc_exit(c, ev[i].exit_started.exit_id, &info) == 0)
                json_array_append_new(arr, exit_json(&info));
        }
        free(ev);
        if (n == 0 || next <= from)
            break;
        from = next;
    }
    if (err) {
        json_decref(arr);
        return rc_fail(ctx, c, err, "exits");
    }
    return cli_output(ctx, json_pack("{s:o}", "exits", arr), exits_human);
}

static void balance_human(const json_t *r)
{
    const char *tok;
    json_t *v;
    char amount[128];
    printf("%s on the root chain: %s\n", str(r, "address"),
           cli_human_amount(amount, PLASMA_CLI_ETH, str(r, "balance")));
    json_object_foreach ((json_t *)json_object_get(r, "tokens"), tok, v) {
        printf("  %s\n", cli_human_amount(amount, tok, json_string_value(v)));
    }
}

static int do_balance(cli_ctx *ctx, plasma_client *c, int argc, char **argv)
{
    const char *address_s = NULL, *token_s = NULL;
    plasma_addr addr, token = {{0}};
    plasma_u256 bal;
    bool bad = false;
    int err;
    for (int i = 2; i < argc; i++) {
        if (!cli_opt(argc, argv, &i, "--address", &address_s, &bad) &&
            !cli_opt(argc, argv, &i, "--token", &token_s, &bad))
            return cli_error(ctx, PLASMA_ERR_USAGE, "rootchain balance: unknown option %s (see --help)",
                             argv[i]);
        if (bad)
            return cli_missing(ctx, argv[i]);
    }
    if (token_s && !cli_parse_addr(ctx, "--token", token_s, &token))
        return CLI_EXIT_USAGE;
    if ((err = cli_query_address(ctx, address_s, &addr)) != 0)
        return err;
    /* "balance" is always ETH; a --token's balance goes under "tokens". */
    if ((err = plasma_client_rc_balance(c, &addr, NULL, &bal)) != 0)
        return rc_fail(ctx, c, err, "balance");
    json_t *tokens = json_object();
    if (tokens && !plasma_addr_is_zero(&token)) {
        plasma_u256 tbal;
        char hex[43];
        if ((err = plasma_client_rc_balance(c, &addr, &token, &tbal)) != 0) {
            json_decref(tokens);
            return rc_fail(ctx, c, err, "balance");
        }
        json_object_set_new(tokens, plasma_addr_format(hex, &token), plasma_json_u256(&tbal));
    }
    return cli_output(ctx,
                      json_pack("{s:o, s:o, s:o}", "address", plasma_json_addr(&addr), "balance",
                                plasma_json_u256(&bal), "tokens", tokens),
                      balance_human);
}

static void mine_human(const json_t *r)
{
    printf("mined; the head is block %lld\n", num(r, "head_number"));
}

static void advance_human(const json_t *r)
{
    printf("the next block is %lld s later\n", num(r, "advanced_seconds"));
}

static int do_dev(const cli_ctx *ctx, plasma_client *c, int argc, char **argv)
{
    bool mine = strcmp(argv[1], "mine") == 0;
    uint64_t n = 1, head = 0;
    int err;
    if (argc > 3)
        return cli_error(ctx, PLASMA_ERR_USAGE, "rootchain %s: unexpected %s (see --help)", argv[1], argv[3]);
    if (!mine && argc < 3)
        return cli_error(ctx, PLASMA_ERR_USAGE, "rootchain advance-time: give SECONDS (see --help)");
    if (argc == 3 && !cli_parse_u64(ctx, argv[1], argv[2], &n))
        return CLI_EXIT_USAGE;
    plasma_rootchain_client *rc = plasma_client_rootchain(c);
    if (!rc)
        return cli_error(ctx, PLASMA_ERR_USAGE,
                         "rootchain %s: only on the simulated root chain (on an Ethereum development node, "
                         "use its own methods: evm_mine, evm_increaseTime)",
                         argv[1]);
    err = mine ? plasma_rootchain_client_dev_mine(rc, n, &head)
               : plasma_rootchain_client_dev_advance_time(rc, n);
    if (err == PLASMA_ERR_UNAVAILABLE || err == PLASMA_ERR_FORBIDDEN)
        return rc_fail(ctx, c, err, argv[1]);
    if (err)
        return cli_error(ctx, err, "%s: %s", argv[1], plasma_rootchain_client_errmsg(rc));
    return cli_output(ctx,
                      mine ? json_pack("{s:I}", "head_number", (json_int_t)head)
                           : json_pack("{s:I}", "advanced_seconds", (json_int_t)n),
                      mine ? mine_human : advance_human);
}

int cmd_rootchain(cli_ctx *ctx, int argc, char **argv)
{
    plasma_client *c = NULL;
    int ret;
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    if (argc < 2)
        return cli_usage(ctx, help, "rootchain: give a subcommand");
    if ((ret = cli_client(ctx, &c)) != 0)
        return ret;
    if (strcmp(argv[1], "status") == 0)
        ret = do_status(ctx, c);
    else if (strcmp(argv[1], "block") == 0)
        ret = do_block(ctx, c, argc, argv);
    else if (strcmp(argv[1], "exits") == 0)
        ret = do_exits(ctx, c, argc);
    else if (strcmp(argv[1], "balance") == 0)
        ret = do_balance(ctx, c, argc, argv);
    else if (strcmp(argv[1], "mine") == 0 || strcmp(argv[1], "advance-time") == 0)
        ret = do_dev(ctx, c, argc, argv);
    else
        ret = cli_error(ctx, PLASMA_ERR_USAGE, "rootchain: unknown subcommand \"%s\" (see --help)", argv[1]);
    plasma_client_free(c);
    return ret;
}
