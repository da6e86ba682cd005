/* Shared helpers of the `plasma` subcommands. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

int cli_error(const cli_ctx *ctx, int err, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "plasma: %s\n", msg);
    if (ctx && ctx->json) {
        json_t *e = json_pack("{s:{s:s, s:s}}", "error", "code", plasma_err_code(err), "message", msg);
        if (e) {
            json_dumpf(e, stdout, JSON_COMPACT);
            fputc('\n', stdout);
            json_decref(e);
        }
    }
    return err == PLASMA_ERR_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
}

/* What to do about the errors a wallet user can fix. */
static const char *hint(int err)
{
    switch (err) {
    case PLASMA_ERR_FEE_TOO_LOW:
        return "raise --fee to the operator's minimum";
    case PLASMA_ERR_UTXO_SPENT:
    case PLASMA_ERR_UTXO_NOT_FOUND:
        return "an input changed meanwhile; check `plasma utxos` and retry";
    case PLASMA_ERR_BLOCK_FULL:
        return "the operator is busy; retry in a few seconds";
    case PLASMA_ERR_BLOCK_NOT_FOUND:
        return "the block is not on the root chain yet; retry in a few seconds";
    case PLASMA_ERR_EXIT_EXISTS:
        return "see `plasma rootchain exits`";
    case PLASMA_ERR_BAD_NONCE:
        return "another call of this account was sent at the same time; retry";
    default:
        return NULL;
    }
}

int cli_client_error(const cli_ctx *ctx, plasma_client *c, int err)
{
    const char *msg = c ? plasma_client_errmsg(c) : "", *h = hint(err);
    return cli_error(ctx, err, "%s%s%s", msg[0] ? msg : plasma_err_message(err), h ? ": " : "", h ? h : "");
}

bool cli_opt(int argc, char **argv, int *i, const char *name, const char **value, bool *bad)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return false;
    if (argv[*i][n] == '=') {
        *value = argv[*i] + n + 1;
        return true;
    }
    if (argv[*i][n] != '\0')
        return false;
    if (*i + 1 >= argc) {
        *bad = true;
        return true;
    }
    *value = argv[++*i];
    return true;
}

bool cli_flag(char **argv, int i, const char *name)
{
    return strcmp(argv[i], name) == 0;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

int cli_missing(const cli_ctx *ctx, const char *option)
{
    return cli_error(ctx, PLASMA_ERR_USAGE, "%s needs a value (see --help)", option);
}

int cli_help(const char *help)
{
    fputs(help, stdout);
    return CLI_EXIT_OK;
}

int cli_usage(const cli_ctx *ctx, const char *help, const char *missing)
{
    fputs(help, stderr);
    return cli_error(ctx, PLASMA_ERR_USAGE, "%s", missing);
}

bool cli_parse_u64(const cli_ctx *ctx, const char *what, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-') {
        cli_error(ctx, PLASMA_ERR_USAGE, "%s: \"%s\" is not a non-negative integer", what, s);
        return false;
    }
    *out = v;
    return true;
}

bool cli_parse_addr(const cli_ctx *ctx, const char *what, const char *s, plasma_addr *out)
{
    if (plasma_addr_parse(out, s) != 0) {
        cli_error(ctx, PLASMA_ERR_USAGE, "%s: \"%s\" is not an address (0x + 40 hex digits)", what, s);
        return false;
    }
    return true;
}

bool cli_parse_amount(const cli_ctx *ctx, const char *what, const char *s, plasma_u256 *out)
{
    char msg[200];
    if (plasma_amount_parse(out, s, msg, sizeof msg) != 0) {
        cli_error(ctx, PLASMA_ERR_USAGE, "%s: %s", what, msg);
        return false;
    }
    return true;
}

static int prompt_once(const char *prompt, char *out, size_t out_len)
{
    FILE *tty = fopen("/dev/tty", "r+");
    struct termios old, quiet;
    int rc = CLI_EXIT_FAIL;
    if (!tty)
        return CLI_EXIT_FAIL;
    fprintf(tty, "%s", prompt);
    fflush(tty);
    bool echo_off = tcgetattr(fileno(tty), &old) == 0;
    if (echo_off) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    }
    if (fgets(out, (int)out_len, tty)) {
        out[strcspn(out, "\r\n")] = '\0';
        rc = 0;
    }
    if (echo_off)
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fprintf(tty, "\n");
    fclose(tty);
    return rc;
}

int cli_password(const cli_ctx *ctx, const char *prompt, bool confirm, char *out, size_t out_len)
{
    const char *env = getenv("PLASMA_PASSWORD");
    char again[256];
    if (env) {
        snprintf(out, out_len, "%s", env);
        return 0;
    }
    if (prompt_once(prompt, out, out_len) != 0)
        return cli_error(ctx, PLASMA_ERR_UNAUTHORIZED,
                         "no password: set PLASMA_PASSWORD or run on a terminal");
    if (confirm) {
        if (prompt_once("Repeat password: ", again, sizeof again) != 0 || strcmp(again, out) != 0) {
            plasma_wipe(again, sizeof again);
            return cli_error(ctx, PLASMA_ERR_BAD_REQUEST, "the passwords do not match");
        }
        plasma_wipe(again, sizeof again);
    }
    return 0;
}

typedef struct only_one {
    char path[4096];
    int count;
} only_one;

static int only_one_cb(const char *path, const plasma_addr *addr, void *payload)
{
    only_one *o = payload;
    (void)addr;
    if (o->count++ == 0)
        snprintf(o->path, sizeof o->path, "%s", path);
    return 0;
}

static int keystore_path(cli_ctx *ctx, char *path, size_t len)
{
    only_one o = {.count = 0};
    int rc;
    if (ctx->account) {
        rc = plasma_keystore_find(path, len, ctx->keystore_dir, ctx->account);
        if (rc)
            return cli_error(ctx, rc, "no account \"%s\" in %s (see `plasma account list`)", ctx->account,
                             ctx->keystore_dir);
        return 0;
    }
    if (plasma_keystore_list(ctx->keystore_dir, only_one_cb, &o) != 0 || o.count == 0)
        return cli_error(
            ctx, PLASMA_ERR_NOT_FOUND,
            "no key: pass --key 0x… or --account NAME|ADDRESS, or create one with `plasma account new`");
    if (o.count > 1)
        return cli_error(ctx, PLASMA_ERR_USAGE, "%d accounts in %s: choose one with --account ADDRESS",
                         o.count, ctx->keystore_dir);
    snprintf(path, len, "%s", o.path);
    return 0;
}

int cli_load_key(cli_ctx *ctx, plasma_privkey *key, plasma_addr *addr)
{
    char path[4096], pw[256], msg[300];
    int rc;
    if (ctx->key_hex) {
        if (plasma_hex_decode_fixed(key->b, 32, ctx->key_hex) != 0 || plasma_privkey_addr(addr, key) != 0)
            return cli_error(ctx, PLASMA_ERR_USAGE, "--key must be a valid private key, 0x + 64 hex digits");
        return 0;
    }
    if ((rc = keystore_path(ctx, path, sizeof path)) != 0)
        return rc;
    if ((rc = cli_password(ctx, "Password: ", false, pw, sizeof pw)) != 0)
        return rc;
    rc = plasma_keystore_decrypt_file(key, addr, path, pw, msg, sizeof msg);
    plasma_wipe(pw, sizeof pw);
    if (rc == PLASMA_ERR_UNAUTHORIZED)
        return cli_error(ctx, rc, "wrong password for %s (check PLASMA_PASSWORD)", path);
    if (rc)
        return cli_error(ctx, rc, "%s", msg);
    return 0;
}

static int eth_client(const cli_ctx *ctx, plasma_client **out)
{
    plasma_client_eth_config cfg = {
        ctx->rpc_url, {{0}}, ctx->chain_id, (unsigned)ctx->confirmations, ctx->deploy_block};
    char err[400];
    if (!ctx->rpc_url)
        return cli_error(ctx, PLASMA_ERR_USAGE, "--rootchain eth needs --rpc URL (or PLASMA_RPC)");
    if (!ctx->contract)
        return cli_error(ctx, PLASMA_ERR_USAGE,
                         "--rootchain eth needs --contract ADDRESS (or PLASMA_CONTRACT)");
    if (!cli_parse_addr(ctx, "--contract", ctx->contract, &cfg.contract))
        return CLI_EXIT_USAGE;
    int rc = plasma_client_new_eth(out, ctx->operator_url, &cfg, err, sizeof err);
    if (rc == PLASMA_ERR_NOMEM)
        return cli_error(ctx, rc, "out of memory");
    if (rc)
        return cli_error(ctx, rc, "%s", err);
    return 0;
}

int cli_client(const cli_ctx *ctx, plasma_client **out)
{
    int rc;
    if (ctx->eth) {
        if ((rc = eth_client(ctx, out)) != 0)
            return rc;
    } else if (plasma_client_new(out, ctx->operator_url, ctx->rootchain_url) != 0) {
        return cli_error(ctx, PLASMA_ERR_NOMEM, "out of memory");
    }
    plasma_client_set_gas_price(*out, ctx->gas_price);
    if (plasma_client_set_wallet_dir(*out, ctx->wallet_dir) != 0) {
        plasma_client_free(*out);
        *out = NULL;
        return cli_error(ctx, PLASMA_ERR_NOMEM, "out of memory");
    }
    return 0;
}

int cli_output(const cli_ctx *ctx, json_t *result, void (*human)(const json_t *result))
{
    if (!result)
        return cli_error(ctx, PLASMA_ERR_NOMEM, "out of memory");
    if (ctx->json) {
        json_dumpf(result, stdout, JSON_COMPACT);
        fputc('\n', stdout);
    } else {
        human(result);
    }
    json_decref(result);
    return CLI_EXIT_OK;
}

const char *cli_human_amount(char out[128], const char *token, const char *amount)
{
    plasma_u256 v;
    char eth[PLASMA_AMOUNT_FMT_MAX];
    bool is_eth = token && strlen(token) == 42 && strspn(token + 2, "0") == 40;
    if (!amount || plasma_u256_parse_dec(&v, amount) != 0)
        snprintf(out, 128, "%s", amount ? amount : "?");
    else if (is_eth)
        snprintf(out, 128, "%s eth", plasma_amount_format_eth(eth, &v));
    else
        snprintf(out, 128, "%s of token %s", amount, token ? token : "?");
    return out;
}

const char *cli_human_time(char out[128], json_int_t unix_time)
{
    time_t t = (time_t)unix_time;
    struct tm tm;
    if (unix_time < 0 || !gmtime_r(&t, &tm) || strftime(out, 128, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(out, 128, "%lld", (long long)unix_time);
    return out;
}

static void progress_line(long waited_ms, void *payload)
{
    fprintf(stderr, "\rwaiting for %s… %ld s ", (const char *)payload, waited_ms / 1000);
    fflush(stderr);
}

plasma_client_progress_cb cli_progress(const cli_ctx *ctx)
{
    return !ctx->json && isatty(STDERR_FILENO) ? progress_line : NULL;
}

void cli_progress_end(const cli_ctx *ctx)
{
    if (cli_progress(ctx))
        fprintf(stderr, "\r%72s\r", "");
}
