/* plasma ife start|piggyback|challenge|respond|list|delete */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: plasma ife SUBCOMMAND\n"
    "In-flight exits: the way out for a transaction whose block the operator withholds (or never\n"
    "published), and for its recipients. TX names a transaction by its hash (0x + 64 hex; an ife_id\n"
    "works too); a transaction given in full (--tx, --competitor, --spending) is 0x-hex of its\n"
    "rlp(SignedTx), or a file holding that.\n"
    "  start TX [--tx HEX|FILE] [--data-dir DIR | --from-operator]\n"
    "        start the in-flight exit of a tx you sent (from the wallet's records, or --tx); the\n"
    "        inputs' proofs come from the blocks your watcher verified (--data-dir, default\n"
    "        ~/.plasma/watcher), or with --from-operator from the operator, checked against the root chain\n"
    "  piggyback TX (--input N | --output N)...\n"
    "        claim your inputs or outputs of an in-flight exit, in its first phase (a piggyback bond\n"
    "        each; several go out together)\n"
    "  challenge TX [--competitor HEX|FILE] [--data-dir DIR]\n"
    "        show the tx is not canonical: an older competitor, from the watcher's blocks or given\n"
    "  challenge TX (--input N | --output N) [--spending HEX|FILE] [--data-dir DIR]\n"
    "        a piggybacked input or output that was spent (the spend from the watcher's blocks or given)\n"
    "  respond TX [--data-dir DIR]\n"
    "        answer a non-canonical challenge with the tx's inclusion in the watcher's blocks\n"
    "  list [--address A]\n"
    "        the open in-flight exits touching your outputs, their phase and what can still be done\n"
    "  delete IFE_ID\n"
    "        delete an in-flight exit nobody piggybacked, after its first phase (its bond returns)\n"
    "A watcher's data dir can be read only while no watcher runs on it (plasma watch --auto acts by\n"
    "itself). --json: start {\"ife_id\", \"txhash\", \"exitable_at\", \"first_phase_end\", \"proofs\"};\n"
    "piggyback {\"ife_id\", \"inputs\", \"outputs\"}; challenge {\"ife_id\", \"challenge\": "
    "\"non_canonical\",\n"
    "\"competitor_pos\"} or {\"ife_id\", \"challenge\": \"input_spent\" | \"output_spent\", \"index\"};\n"
    "respond {\"ife_id\", \"tx_pos\"}; list {\"address\", \"in_flight_exits\": [...]}; delete "
    "{\"ife_id\"}.\n";

#define MAX_SLOTS (PLASMA_MAX_INPUTS + PLASMA_MAX_OUTPUTS)

typedef struct ife_args {
    const char *sub;
    const char *id_s;
    const char *tx_s, *competitor_s, *spending_s;
    const char *input_s, *output_s, *data_dir, *address_s;
    /* every --input and --output, in order (piggyback takes several) */
    const char *slot_s[MAX_SLOTS];
    bool slot_input[MAX_SLOTS];
    size_t n_slots;
    bool from_operator;
    plasma_u256 ife_id;
    char dir_buf[4096];
} ife_args;

/* --- arguments --- */

enum {
    O_TX = 1,
    O_COMPETITOR = 2,
    O_SPENDING = 4,
    O_INPUT = 8,
    O_OUTPUT = 16,
    O_DATA_DIR = 32,
    O_FROM_OPERATOR = 64,
    O_ADDRESS = 128
};

/* The options each subcommand takes, and whether it names a tx. */
static const struct {
    const char *name;
    unsigned opts;
    bool needs_id;
} subs[] = {
    {"start", O_TX | O_DATA_DIR | O_FROM_OPERATOR, true},
    {"piggyback", O_INPUT | O_OUTPUT, true},
    {"challenge", O_COMPETITOR | O_SPENDING | O_INPUT | O_OUTPUT | O_DATA_DIR, true},
    {"respond", O_DATA_DIR, true},
    {"list", O_ADDRESS, false},
    {"delete", 0, true},
};

/* Records an --input or --output (one more than MAX_SLOTS is refused by
 * check_args). */
static void add_slot(ife_args *a, bool input, const char *value)
{
    if (value && a->n_slots < MAX_SLOTS) {
        a->slot_s[a->n_slots] = value;
        a->slot_input[a->n_slots] = input;
    }
    a->n_slots += value != NULL;
}

static int scan(cli_ctx *ctx, int argc, char **argv, ife_args *a, unsigned *used)
{
    bool bad = false;
    for (int i = 2; i < argc; i++) {
        if (cli_flag(argv, i, "--from-operator")) {
            *used |= O_FROM_OPERATOR;
            a->from_operator = true;
        } else if (cli_opt(argc, argv, &i, "--tx", &a->tx_s, &bad))
            *used |= O_TX;
        else if (cli_opt(argc, argv, &i, "--competitor", &a->competitor_s, &bad))
            *used |= O_COMPETITOR;
        else if (cli_opt(argc, argv, &i, "--spending", &a->spending_s, &bad))
            *used |= O_SPENDING;
        else if (cli_opt(argc, argv, &i, "--input", &a->input_s, &bad)) {
            *used |= O_INPUT;
            add_slot(a, true, bad ? NULL : a->input_s);
        } else if (cli_opt(argc, argv, &i, "--output", &a->output_s, &bad)) {
            *used |= O_OUTPUT;
            add_slot(a, false, bad ? NULL : a->output_s);
        } else if (cli_opt(argc, argv, &i, "--data-dir", &a->data_dir, &bad))
            *used |= O_DATA_DIR;
        else if (cli_opt(argc, argv, &i, "--address", &a->address_s, &bad))
            *used |= O_ADDRESS;
        else if (argv[i][0] != '-' && !a->id_s)
            a->id_s = argv[i];
        else
            return cli_error(ctx, PLASMA_ERR_USAGE, "ife %s: unexpected %s (see --help)", a->sub, argv[i]);
        if (bad)
            return cli_missing(ctx, argv[i]);
    }
    return 0;
}

/* An in-flight exit named by its tx's hash or its id: the id is the hash
 * with the top bit set. */
static bool parse_id(const char *s, plasma_u256 *id)
{
    uint8_t be[32];
    if (plasma_hex_decode_fixed(be, 32, s) != 0)
        return false;
    be[0] |= 0x80;
    plasma_u256_from_be(id, be, 32);
    return true;
}

static int check_args(cli_ctx *ctx, size_t sub, unsigned used, ife_args *a)
{
    if (used & ~subs[sub].opts)
        return cli_error(ctx, PLASMA_ERR_USAGE, "ife %s: an option it does not take (see --help)", a->sub);
    if (subs[sub].needs_id && !a->id_s)
        return cli_error(ctx, PLASMA_ERR_USAGE, "ife %s: name the transaction (see --help)", a->sub);
    if (a->id_s && (!subs[sub].needs_id || !parse_id(a->id_s, &a->ife_id)))
        return cli_error(ctx, PLASMA_ERR_USAGE,
                         "ife %s: \"%s\" is not a txhash or ife_id (0x + 64 hex digits)", a->sub, a->id_s);
    bool piggyback = strcmp(a->sub, "piggyback") == 0;
    if (!piggyback && a->n_slots > 1)
        return cli_error(ctx, PLASMA_ERR_USAGE, "ife %s: one --input or --output", a->sub);
    if (a->n_slots > MAX_SLOTS)
        return cli_error(ctx, PLASMA_ERR_USAGE, "ife piggyback: at most %d --input and --output", MAX_SLOTS);
    if (piggyback && !a->n_slots)
        return cli_error(ctx, PLASMA_ERR_USAGE, "ife piggyback: give --input N or --output N");
    if ((used & O_COMPETITOR) && (used & (O_INPUT | O_OUTPUT | O_SPENDING)))
        return cli_error(ctx, PLASMA_ERR_USAGE,
                         "ife challenge: --competitor is for a non-canonical challenge");
    if ((used & O_SPENDING) && !(used & (O_INPUT | O_OUTPUT)))
        return cli_error(ctx, PLASMA_ERR_USAGE,
                         "ife challenge: --spending goes with --input N or --output N");
    if ((used & O_DATA_DIR) && a->from_operator)
        return cli_error(ctx, PLASMA_ERR_USAGE, "ife start: --data-dir or --from-operator, not both");
    return 0;
}

/* --index: 0..3. */
static bool parse_index(const cli_ctx *ctx, const char *what, const char *s, unsigned *out)
{
    uint64_t v;
    if (!cli_parse_u64(ctx, what, s, &v))
        return false;
    if (v >= PLASMA_MAX_INPUTS) {
        cli_error(ctx, PLASMA_ERR_USAGE, "%s must be 0..3", what);
        return false;
    }
    *out = (unsigned)v;
    return true;
}

/* A signed tx given as 0x-hex or as a file holding it. */
static int load_tx(const cli_ctx *ctx, const char *what, const char *s, plasma_tx *tx)
{
    char buf[4 * PLASMA_TX_MAX_RLP];
    const char *hex = s;
    uint8_t *raw = NULL;
    size_t len = 0;
    if (strncmp(s, "0x", 2) != 0) {
        FILE *f = fopen(s, "r");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        if (!f)
            return cli_error(ctx, PLASMA_ERR_IO, "%s: cannot read %s", what, s);
        buf[n] = '\0';
        buf[strcspn(buf, " \t\r\n")] = '\0';
        hex = buf;
    }
    int rc =
        plasma_hex_decode_alloc(&raw, &len, hex) == 0 && plasma_tx_decode_signed(tx, raw, len) == 0 ? 0 : 1;
    free(raw);
    return rc ? cli_error(ctx, PLASMA_ERR_MALFORMED_TX, "%s: not the 0x-hex of a signed payment", what) : 0;
}

/* --- shared steps --- */

static json_t *id_json(const plasma_u256 *id)
{
    uint8_t be[32];
    plasma_u256_to_be(be, id);
    return plasma_json_hex(be, 32);
}

/* The tx of an in-flight exit, from the root chain. */
static int chain_tx(cli_ctx *ctx, plasma_client *c, const ife_args *a, plasma_tx *tx)
{
    int rc = plasma_client_ife_tx(c, &a->ife_id, tx);
    return rc ? cli_client_error(ctx, c, rc) : 0;
}

/* The watcher's data dir: *d stays NULL when there is none and it is
 * optional. */
static int open_data(cli_ctx *ctx, plasma_client *c, ife_args *a, bool required, plasma_watch_data **d)
{
    const char *home = getenv("HOME");
    *d = NULL;
    if (!a->data_dir) {
        snprintf(a->dir_buf, sizeof a->dir_buf, "%s/.plasma/watcher", home ? home : ".");
        a->data_dir = a->dir_buf;
    }
    int rc = plasma_watch_data_open(d, c, a->data_dir);
    if (rc == PLASMA_ERR_NOT_FOUND && !required)
        return 0;
    return rc ? cli_client_error(ctx, c, rc) : 0;
}

static bool same_id(const plasma_tx *tx, const plasma_u256 *id)
{
    plasma_u256 got;
    return plasma_ife_id(&got, tx) == 0 && plasma_u256_cmp(&got, id) == 0;
}

/* The tx to start: --tx, else the signer's records. */
static int record_tx(cli_ctx *ctx, const ife_args *a, const plasma_addr *owner, plasma_tx *tx)
{
    plasma_wallet_tx *recs = NULL;
    size_t n = 0;
    char msg[300] = "";
    int rc = a->tx_s ? load_tx(ctx, "--tx", a->tx_s, tx) : 0;
    if (a->tx_s)
        return rc || same_id(tx, &a->ife_id) ? rc
                                             : cli_error(ctx, PLASMA_ERR_USAGE, "--tx is not the tx named");
    rc = plasma_wallet_load(ctx->wallet_dir, owner, &recs, &n, msg, sizeof msg);
    if (rc)
        return cli_error(ctx, rc, "the wallet's records: %s", msg[0] ? msg : plasma_err_message(rc));
    rc = PLASMA_ERR_NOT_FOUND;
    for (size_t i = n; i > 0 && rc; i--)
        if (same_id(&recs[i - 1].tx, &a->ife_id)) {
            *tx = recs[i - 1].tx;
            rc = 0;
        }
    free(recs);
    return rc ? cli_error(ctx, rc,
                          "no transaction with that hash in the wallet's records (%s): give it with --tx",
                          ctx->wallet_dir)
              : 0;
}

/* --- subcommands --- */

static void start_human(const json_t *r)
{
    char when[128], first[128];
    printf("in-flight exit %s started (proofs from the %s); piggyback until %s, processable from %s\n",
           json_string_value(json_object_get(r, "ife_id")), json_string_value(json_object_get(r, "proofs")),
           cli_human_time(first, json_integer_value(json_object_get(r, "first_phase_end"))),
           cli_human_time(when, json_integer_value(json_object_get(r, "exitable_at"))));
}

static int do_start(cli_ctx *ctx, plasma_client *c, ife_args *a, const plasma_privkey *key,
                    const plasma_addr *addr)
{
    plasma_tx tx;
    plasma_watch_data *d = NULL;
    plasma_ife_info info;
    plasma_rootchain_status st;
    plasma_hash h;
    int rc = record_tx(ctx, a, addr, &tx);
    if (rc == 0 && !a->from_operator)
        rc = open_data(ctx, c, a, true, &d);
    if (rc)
        return rc;
    if ((rc = plasma_client_ife_start(c, key, &tx, d, &info)) == 0 &&
        (rc = plasma_client_rc_status(c, &st)) != 0)
        rc = PLASMA_ERR_UNAVAILABLE;
    plasma_watch_data_free(d);
    if (rc)
        return cli_client_error(ctx, c, rc);
    plasma_tx_hash(&h, &tx);
    return cli_output(ctx,
                      json_pack("{s:o, s:o, s:I, s:I, s:s}", "ife_id", id_json(&info.ife_id), "txhash",
                                plasma_json_hash(&h), "exitable_at", (json_int_t)info.exitable_at,
                                "first_phase_end", (json_int_t)(info.start + st.min_exit_period / 2),
                                "proofs", a->from_operator ? "operator" : "watcher"),
                      start_human);
}

static void piggyback_human(const json_t *r)
{
    json_t *v;
    size_t i;
    json_array_foreach (json_object_get(r, "inputs"), i, v) {
        printf("piggybacked on input %lld of in-flight exit %s\n", (long long)json_integer_value(v),
               json_string_value(json_object_get(r, "ife_id")));
    }
    json_array_foreach (json_object_get(r, "outputs"), i, v) {
        printf("piggybacked on output %lld of in-flight exit %s\n", (long long)json_integer_value(v),
               json_string_value(json_object_get(r, "ife_id")));
    }
}

/* Every --input and --output, sent together: one account's piggybacks
 * land in the same block when they fit, and the first phase is short on a
 * development chain. */
static int do_piggyback(cli_ctx *ctx, plasma_client *c, ife_args *a, const plasma_privkey *key)
{
    plasma_tx tx;
    unsigned index[MAX_SLOTS];
    json_t *ins = json_array(), *outs = json_array();
    for (size_t i = 0; i < a->n_slots; i++) {
        if (!parse_index(ctx, a->slot_input[i] ? "--input" : "--output", a->slot_s[i], &index[i])) {
            json_decref(ins);
            json_decref(outs);
            return CLI_EXIT_USAGE;
        }
        json_array_append_new(a->slot_input[i] ? ins : outs, json_integer(index[i]));
    }
    int rc = chain_tx(ctx, c, a, &tx);
    if (rc == 0 &&
        (rc = plasma_client_ife_piggyback_many(c, key, &tx, a->slot_input, index, a->n_slots)) != 0)
        rc = cli_client_error(ctx, c, rc);
    if (rc) {
        json_decref(ins);
        json_decref(outs);
        return rc;
    }
    return cli_output(
        ctx, json_pack("{s:o, s:o, s:o}", "ife_id", id_json(&a->ife_id), "inputs", ins, "outputs", outs),
        piggyback_human);
}

static void challenge_human(const json_t *r)
{
    printf("in-flight exit %s challenged: %s\n", json_string_value(json_object_get(r, "ife_id")),
           json_string_value(json_object_get(r, "challenge")));
}

static int challenge_spent(cli_ctx *ctx, plasma_client *c, ife_args *a, const plasma_privkey *key,
                           const plasma_tx *tx, plasma_watch_data *d)
{
    plasma_tx spending;
    unsigned index;
    bool on_input = a->input_s != NULL;
    if (!parse_index(ctx, on_input ? "--input" : "--output", on_input ? a->input_s : a->output_s, &index))
        return CLI_EXIT_USAGE;
    int rc = a->spending_s ? load_tx(ctx, "--spending", a->spending_s, &spending) : 0;
    if (rc)
        return rc;
    rc = plasma_client_ife_challenge_spent(c, key, tx, on_input, index, d, a->spending_s ? &spending : NULL);
    if (rc)
        return cli_client_error(ctx, c, rc);
    return cli_output(ctx,
                      json_pack("{s:o, s:s, s:I}", "ife_id", id_json(&a->ife_id), "challenge",
                                on_input ? "input_spent" : "output_spent", "index", (json_int_t)index),
                      challenge_human);
}

static int challenge_canonical(cli_ctx *ctx, plasma_client *c, ife_args *a, const plasma_privkey *key,
                               const plasma_tx *tx, plasma_watch_data *d)
{
    plasma_tx comp;
    uint64_t pos = 0;
    int rc = a->competitor_s ? load_tx(ctx, "--competitor", a->competitor_s, &comp) : 0;
    if (rc)
        return rc;
    rc = plasma_client_ife_challenge(c, key, tx, d, a->competitor_s ? &comp : NULL, &pos);
    if (rc)
        return cli_client_error(ctx, c, rc);
    return cli_output(ctx,
                      json_pack("{s:o, s:s, s:o}", "ife_id", id_json(&a->ife_id), "challenge",
                                "non_canonical", "competitor_pos", plasma_json_u64_str(pos)),
                      challenge_human);
}

static int do_challenge(cli_ctx *ctx, plasma_client *c, ife_args *a, const plasma_privkey *key)
{
    plasma_tx tx;
    plasma_watch_data *d = NULL;
    bool spent = a->input_s || a->output_s;
    /* Only a given competitor or spend of an input can do without the
     * watcher's blocks (a competitor then counts as never included). */
    bool required = spent ? !a->spending_s || a->output_s : !a->competitor_s;
    int rc = chain_tx(ctx, c, a, &tx);
    if (rc == 0)
        rc = open_data(ctx, c, a, required, &d);
    if (rc == 0)
        rc = spent ? challenge_spent(ctx, c, a, key, &tx, d) : challenge_canonical(ctx, c, a, key, &tx, d);
    plasma_watch_data_free(d);
    return rc;
}

static void respond_human(const json_t *r)
{
    printf("in-flight exit %s: responded with the tx's inclusion at %s\n",
           json_string_value(json_object_get(r, "ife_id")), json_string_value(json_object_get(r, "tx_pos")));
}

static int do_respond(cli_ctx *ctx, plasma_client *c, ife_args *a, const plasma_privkey *key)
{
    plasma_tx tx;
    plasma_watch_data *d = NULL;
    uint64_t pos = 0;
    int rc = chain_tx(ctx, c, a, &tx);
    if (rc == 0)
        rc = open_data(ctx, c, a, true, &d);
    if (rc == 0 && (rc = plasma_client_ife_respond(c, key, &tx, d, &pos)) != 0)
        rc = cli_client_error(ctx, c, rc);
    plasma_watch_data_free(d);
    if (rc)
        return rc;
    return cli_output(
        ctx, json_pack("{s:o, s:o}", "ife_id", id_json(&a->ife_id), "tx_pos", plasma_json_u64_str(pos)),
        respond_human);
}

static void delete_human(const json_t *r)
{
    printf("in-flight exit %s deleted; its bond went back\n",
           json_string_value(json_object_get(r, "ife_id")));
}

static int do_delete(cli_ctx *ctx, plasma_client *c, ife_args *a, const plasma_privkey *key)
{
    int rc = plasma_client_ife_delete(c, key, &a->ife_id);
    if (rc)
        return cli_client_error(ctx, c, rc);
    return cli_output(ctx, json_pack("{s:o}", "ife_id", id_json(&a->ife_id)), delete_human);
}

static int run(cli_ctx *ctx, size_t sub, ife_args *a)
{
    plasma_privkey key;
    plasma_addr addr;
    plasma_client *c = NULL;
    int rc;
    if (strcmp(a->sub, "list") == 0) {
        if ((rc = cli_client(ctx, &c)) == 0)
            rc = cmd_ife_list(ctx, c, a->address_s);
        plasma_client_free(c);
        return rc;
    }
    if ((rc = cli_load_key(ctx, &key, &addr)) != 0 || (rc = cli_client(ctx, &c)) != 0)
        return rc;
    if (sub == 0)
        rc = do_start(ctx, c, a, &key, &addr);
    else if (sub == 1)
        rc = do_piggyback(ctx, c, a, &key);
    else if (sub == 2)
        rc = do_challenge(ctx, c, a, &key);
    else if (sub == 3)
        rc = do_respond(ctx, c, a, &key);
    else
        rc = do_delete(ctx, c, a, &key);
    plasma_wipe(&key, sizeof key);
    plasma_client_free(c);
    return rc;
}

int cmd_ife(cli_ctx *ctx, int argc, char **argv)
{
    ife_args a = {0};
    unsigned used = 0;
    size_t sub = 0, n_subs = sizeof subs / sizeof subs[0];
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    if (argc < 2)
        return cli_usage(ctx, help, "ife: give a subcommand");
    a.sub = argv[1];
    while (sub < n_subs && strcmp(subs[sub].name, a.sub) != 0)
        sub++;
    if (sub == n_subs)
        return cli_error(ctx, PLASMA_ERR_USAGE, "ife: unknown subcommand \"%s\" (see --help)", a.sub);
    int rc = scan(ctx, argc, argv, &a, &used);
    if (rc == 0)
        rc = check_args(ctx, sub, used, &a);
    return rc ? rc : run(ctx, sub, &a);
}
