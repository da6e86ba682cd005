/* plasma watch [--challenge-with ACCOUNT] [--exit-for ACCOUNT ...]
 *              [--data-dir DIR] [--cache-mb N] [--withholding-timeout S]
 *              [--poll-ms N] [--once] */
#include "cli.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plasma/http.h"

static const char help[] =
    "usage: plasma watch [--challenge-with ACCOUNT] [--exit-for ACCOUNT ...] [--auto] [--data-dir DIR]\n"
    "                    [--cache-mb N] [--status-port N [--status-port-file PATH]]\n"
    "                    [--withholding-timeout S] [--poll-ms N] [--once]\n"
    "Follows the root chain and the operator: downloads every submitted child block, checks its root\n"
    "against the root chain and re-executes its transactions (existing unspent inputs, owners'\n"
    "signatures, amounts). Reports one line per byzantine event (a JSON object with --json):\n"
    "  invalid_exit       an exit of an output seen spent (challenged with --challenge-with ACCOUNT,\n"
    "                     a keystore account or 0x private key, which receives the bond)\n"
    "  unchallenged_exit  such an exit still open with less than half its exit period left\n"
    "  invalid_block      a block whose root or transactions are wrong\n"
    "  block_withholding  a submitted block the operator does not serve within S seconds of its\n"
    "                     submission, by the root chain's clock (default 60)\n"
    "After an invalid or withheld block the operator is no longer trusted: with --exit-for ACCOUNT\n"
    "(repeatable, at most 8) the watcher then starts standard exits of the outputs each account held\n"
    "before that block, with proofs built from the blocks it verified (reported as exit_started),\n"
    "leaving the inputs of the account's txs in flight (the wallet's records, --wallet) to their\n"
    "in-flight exits. In-flight exits are followed too, and these accounts protected (--json reports):\n"
    "  in_flight_tx        an account's tx whose block is withheld or never came: its in-flight exit\n"
    "  piggyback_available an account's input or output of an in-flight exit, in its first phase\n"
    "  noncanonical_ife    an in-flight exit of a tx with a known older competitor: challenged\n"
    "  invalid_ife_challenge  a tx challenged though included before the competitor: answered\n"
    "  invalid_piggyback   a piggybacked input or output that was spent: challenged\n"
    "  unchallenged_non_canonical_ife, unchallenged_piggyback  still standing as time runs out: every\n"
    "                      output of the accounts exits\n"
    "--auto: act on them (start, piggyback, challenge, respond, exit), with the account's key or, for\n"
    "challenges, --challenge-with (else the first --exit-for); without it they are only reported.\n"
    "With --rootchain eth it follows the contract's events under --confirmations; when the chain drops\n"
    "blocks it had read, it takes back what it recorded from them and reports reorg.\n"
    "--data-dir DIR: where the watcher keeps what it verified and what it still has to do, and resumes\n"
    "from (default ~/.plasma/watcher); --cache-mb N: memory for it (default 64).\n"
    "--poll-ms N: pause between rounds (default 1000); --once: one round, then exit.\n"
    "--status-port N: serve GET /status on 127.0.0.1:N: {\"head\", \"last_verified\", \"trusted\",\n"
    "\"events\"} (head: the next root-chain block to read; events: the last 100 reports); N = 0: a port\n"
    "the system picks, written (a number and a newline) to --status-port-file PATH once it serves.\n";

#define WATCH_MAX_EXIT_FOR 8

typedef struct watch_opts {
    const char *challenge_with;
    const char *data_dir;
    uint64_t cache_mb;
    const char *exit_for[WATCH_MAX_EXIT_FOR];
    size_t n_exit_for;
    uint64_t timeout_s;
    uint64_t poll_ms;
    bool once;
    bool status;                  /* --status-port given */
    uint64_t status_port;         /* 0: the system picks */
    const char *status_port_file; /* where the bound port goes, or NULL */
    bool act;                     /* --auto */
} watch_opts;

#define WATCH_STATUS_EVENTS 100

/* What GET /status shows; written by the watch loop, read by the HTTP
 * server's threads. */
typedef struct watch_status {
    pthread_mutex_t mu;
    uint64_t head;
    uint64_t last_verified;
    bool trusted;
    json_t *events; /* the last WATCH_STATUS_EVENTS reports */
} watch_status;

typedef struct watch_report_ctx {
    const cli_ctx *ctx;
    watch_status *status;
} watch_report_ctx;

static void status_get(void *payload, const plasma_http_req *req, plasma_http_resp *resp)
{
    watch_status *st = payload;
    (void)req;
    pthread_mutex_lock(&st->mu);
    json_t *body = json_pack("{s:I, s:I, s:b, s:O}", "head", (json_int_t)st->head, "last_verified",
                             (json_int_t)st->last_verified, "trusted", st->trusted, "events", st->events);
    pthread_mutex_unlock(&st->mu);
    if (body)
        plasma_http_reply(resp, 200, body);
    else
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
}

static const plasma_http_route status_routes[] = {
    {"GET", "/status", status_get},
};

static void status_record(watch_status *st, const json_t *ev)
{
    pthread_mutex_lock(&st->mu);
    json_array_append(st->events, (json_t *)ev);
    if (json_array_size(st->events) > WATCH_STATUS_EVENTS)
        json_array_remove(st->events, 0);
    pthread_mutex_unlock(&st->mu);
}

static void status_update(watch_status *st, const plasma_watcher *w)
{
    pthread_mutex_lock(&st->mu);
    st->head = plasma_watcher_rootchain_block(w);
    st->last_verified = plasma_watcher_last_verified(w);
    st->trusted = plasma_watcher_trusted(w);
    pthread_mutex_unlock(&st->mu);
}

/* Starts the status server when asked. Returns 0 or an exit code. */
static int status_start(const cli_ctx *ctx, const watch_opts *o, watch_status *st, plasma_http_server **srv)
{
    plasma_http_config hc = {.port = (uint16_t)o->status_port};
    plasma_http_mount m = {"", status_routes, 1, st};
    if (!o->status)
        return 0;
    if (plasma_http_server_start(srv, &hc, &m, 1) != 0)
        return cli_error(ctx, PLASMA_ERR_IO, "watch: cannot serve the status on port %llu",
                         (unsigned long long)o->status_port);
    if (o->status_port_file) {
        char line[16];
        int n = snprintf(line, sizeof line, "%u\n", (unsigned)plasma_http_server_port(*srv));
        if (plasma_file_replace(o->status_port_file, line, (size_t)n) != 0)
            return cli_error(ctx, PLASMA_ERR_IO, "watch: --status-port-file: cannot write %s: %s",
                             o->status_port_file, strerror(errno));
    }
    return 0;
}

/* An in-flight exit's report in one line: its id, the input or output,
 * and what the action did. */
static void print_ife(const json_t *ev, const char *ife)
{
    static const char *const done_keys[] = {"started", "challenged", "responded", "piggybacked"};
    json_t *in = json_object_get(ev, "input"), *out = json_object_get(ev, "output");
    printf(" in-flight exit %s", ife);
    if (in || out)
        printf(" %s %lld", in ? "input" : "output", (long long)json_integer_value(in ? in : out));
    for (size_t i = 0; i < sizeof done_keys / sizeof done_keys[0]; i++)
        if (json_is_boolean(json_object_get(ev, done_keys[i])))
            printf(" (%s%s)", json_is_true(json_object_get(ev, done_keys[i])) ? "" : "not ", done_keys[i]);
    if (json_object_get(ev, "exits_started"))
        printf(" (%lld exits started)", (long long)json_integer_value(json_object_get(ev, "exits_started")));
}

static void print_report(const json_t *ev, void *payload)
{
    const watch_report_ctx *rctx = payload;
    const cli_ctx *ctx = rctx->ctx;
    status_record(rctx->status, ev);
    if (ctx->json) {
        char *s = json_dumps(ev, JSON_COMPACT);
        if (s)
            printf("%s\n", s);
        free(s);
    } else {
        const char *reason = json_string_value(json_object_get(ev, "reason"));
        const char *id = json_string_value(json_object_get(ev, "exit_id"));
        const char *pos = json_string_value(json_object_get(ev, "utxo_pos"));
        const char *ife = json_string_value(json_object_get(ev, "ife_id"));
        printf("%s", json_string_value(json_object_get(ev, "event")));
        if (ife)
            print_ife(ev, ife);
        if (pos)
            printf(" utxo %s%s", pos, json_is_true(json_object_get(ev, "started")) ? "" : " (not started)");
        if (id)
            printf(" exit %s%s", id, json_is_true(json_object_get(ev, "challenged")) ? " (challenged)" : "");
        if (reason)
            printf(" block %lld: %s", (long long)json_integer_value(json_object_get(ev, "blknum")), reason);
        if (json_object_get(ev, "ancestor"))
            printf(": the root chain dropped the blocks after %lld; what came from them was taken back",
                   (long long)json_integer_value(json_object_get(ev, "ancestor")));
        printf("\n");
    }
    fflush(stdout);
}

/* Returns 0 or a usage exit code. */
static int parse_opts(cli_ctx *ctx, int argc, char **argv, watch_opts *o)
{
    const char *timeout_s = NULL, *poll_s = NULL, *port_s = NULL, *cache_s = NULL;
    bool bad = false;
    for (int i = 1; i < argc; i++) {
        const char *acct = NULL;
        if (cli_flag(argv, i, "--once")) {
            o->once = true;
        } else if (cli_flag(argv, i, "--auto")) {
            o->act = true;
        } else if (cli_opt(argc, argv, &i, "--exit-for", &acct, &bad)) {
            if (acct && o->n_exit_for == WATCH_MAX_EXIT_FOR)
                return cli_error(ctx, PLASMA_ERR_USAGE, "watch: at most %d --exit-for", WATCH_MAX_EXIT_FOR);
            if (acct)
                o->exit_for[o->n_exit_for++] = acct;
        } else if (!cli_opt(argc, argv, &i, "--challenge-with", &o->challenge_with, &bad) &&
                   !cli_opt(argc, argv, &i, "--withholding-timeout", &timeout_s, &bad) &&
                   !cli_opt(argc, argv, &i, "--poll-ms", &poll_s, &bad) &&
                   !cli_opt(argc, argv, &i, "--status-port", &port_s, &bad) &&
                   !cli_opt(argc, argv, &i, "--status-port-file", &o->status_port_file, &bad) &&
                   !cli_opt(argc, argv, &i, "--cache-mb", &cache_s, &bad) &&
                   !cli_opt(argc, argv, &i, "--data-dir", &o->data_dir, &bad))
            return cli_error(ctx, PLASMA_ERR_USAGE, "watch: unknown option %s (see --help)", argv[i]);
        if (bad)
            return cli_error(ctx, PLASMA_ERR_USAGE, "watch: %s needs a value (see --help)", argv[i]);
    }
    if (timeout_s && (!cli_parse_u64(ctx, "--withholding-timeout", timeout_s, &o->timeout_s) ||
                      o->timeout_s > 365ull * 86400))
        return cli_error(ctx, PLASMA_ERR_USAGE, "watch: --withholding-timeout must be 0..31536000 seconds");
    if (poll_s &&
        (!cli_parse_u64(ctx, "--poll-ms", poll_s, &o->poll_ms) || o->poll_ms < 10 || o->poll_ms > 3600000))
        return cli_error(ctx, PLASMA_ERR_USAGE, "watch: --poll-ms must be 10..3600000");
    if (port_s && (!cli_parse_u64(ctx, "--status-port", port_s, &o->status_port) || o->status_port > 65535))
        return cli_error(ctx, PLASMA_ERR_USAGE, "watch: --status-port must be 0..65535");
    o->status = port_s != NULL;
    if (o->status_port_file && !o->status)
        return cli_error(ctx, PLASMA_ERR_USAGE, "watch: --status-port-file needs --status-port");
    if (cache_s && (!cli_parse_u64(ctx, "--cache-mb", cache_s, &o->cache_mb) || o->cache_mb < 1 ||
                    o->cache_mb > 1048576))
        return cli_error(ctx, PLASMA_ERR_USAGE, "watch: --cache-mb must be 1..1048576");
    return 0;
}

/* A key: a 0x private key, else a keystore account. */
static int load_account_key(cli_ctx *ctx, const char *who, plasma_privkey *key)
{
    plasma_addr addr;
    if (strlen(who) == 66) {
        ctx->key_hex = who;
    } else {
        ctx->key_hex = NULL;
        ctx->account = who;
    }
    return cli_load_key(ctx, key, &addr);
}

/* Unlike plasma_sleep_ms, a signal ends the wait: a stop asked for
 * between rounds is not held up by the poll interval. */
static void sleep_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Once the operator is distrusted: the exits of every --exit-for account. */
static int exit_all(cli_ctx *ctx, plasma_client *c, plasma_watcher *w, const plasma_privkey *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t started = 0;
        int rc = plasma_watcher_exit_for(w, &keys[i], &started);
        if (rc)
            return cli_client_error(ctx, c, rc);
    }
    return 0;
}

static int watch_loop(cli_ctx *ctx, plasma_client *c, const watch_opts *o, const plasma_privkey *key,
                      const plasma_privkey *exit_keys, watch_status *st)
{
    plasma_watcher *w = NULL;
    watch_report_ctx rctx = {ctx, st};
    bool exited = false;
    int rc = plasma_watcher_new(&w, c, key, o->timeout_s * 1000, print_report, &rctx);
    if (rc)
        return cli_client_error(ctx, c, rc);
    plasma_watcher_set_cache_mb(w, o->cache_mb);
    plasma_watcher_set_auto(w, o->act);
    for (size_t i = 0; i < o->n_exit_for && rc == 0; i++)
        rc = plasma_watcher_protect(w, &exit_keys[i]);
    if (rc == 0)
        rc = plasma_watcher_set_wallet_dir(w, ctx->wallet_dir);
    if (rc || (rc = plasma_watcher_set_data_dir(w, o->data_dir)) != 0) {
        plasma_watcher_free(w);
        return cli_client_error(ctx, c, rc);
    }
    for (;;) {
        if ((rc = plasma_watcher_step(w)) != 0)
            rc = cli_client_error(ctx, c, rc);
        status_update(st, w);
        if (rc == 0 && !exited && !plasma_watcher_trusted(w)) {
            exited = true;
            rc = exit_all(ctx, c, w, exit_keys, o->n_exit_for);
        }
        if (o->once)
            break;
        sleep_ms(o->poll_ms);
    }
    plasma_watcher_free(w);
    return rc;
}

/* The default data dir, ~/.plasma/watcher. Returns 0 or an exit code. */
static int default_data_dir(const cli_ctx *ctx, watch_opts *o, char *buf, size_t len)
{
    const char *home = getenv("HOME");
    if (o->data_dir)
        return 0;
    if (!home || !*home)
        return cli_error(ctx, PLASMA_ERR_USAGE, "watch: HOME is not set; name a directory with --data-dir");
    snprintf(buf, len, "%s/.plasma/watcher", home);
    o->data_dir = buf;
    return 0;
}

int cmd_watch(cli_ctx *ctx, int argc, char **argv)
{
    watch_opts o = {.timeout_s = 60, .poll_ms = 1000, .cache_mb = 64};
    char dir[4096];
    plasma_privkey key, exit_keys[WATCH_MAX_EXIT_FOR];
    plasma_client *c = NULL;
    plasma_http_server *srv = NULL;
    watch_status st = {.mu = PTHREAD_MUTEX_INITIALIZER, .trusted = true};
    int rc;
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    if ((rc = parse_opts(ctx, argc, argv, &o)) != 0 || (rc = default_data_dir(ctx, &o, dir, sizeof dir)) != 0)
        return rc;
    if (!(st.events = json_array()))
        return cli_error(ctx, PLASMA_ERR_NOMEM, "out of memory");
    if (o.challenge_with && (rc = load_account_key(ctx, o.challenge_with, &key)) != 0)
        goto cleanup;
    for (size_t i = 0; i < o.n_exit_for; i++)
        if ((rc = load_account_key(ctx, o.exit_for[i], &exit_keys[i])) != 0)
            goto cleanup;
    if ((rc = status_start(ctx, &o, &st, &srv)) == 0 && (rc = cli_client(ctx, &c)) == 0)
        rc = watch_loop(ctx, c, &o, o.challenge_with ? &key : NULL, exit_keys, &st);
cleanup:
    plasma_http_server_free(srv);
    json_decref(st.events);
    plasma_wipe(&key, sizeof key);
    plasma_wipe(exit_keys, sizeof exit_keys);
    plasma_client_free(c);
    return rc;
}
