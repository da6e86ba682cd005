/* Table-driven flag parsing. The defaults of the chain settings come from
 * the libraries (plasma_rootnode_config_default), and --help prints each
 * flag's default from the same default configuration, so the two cannot
 * drift apart. */
#include "flags.h"

#include <arpa/inet.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/rootchain.h"

typedef enum flag_kind { F_BOOL, F_U64, F_STR, F_ADDR, F_U256, F_BIND, F_LEVEL } flag_kind;

typedef struct flag_spec {
    const char *name;
    flag_kind kind;
    size_t off;
    size_t size; /* F_STR: buffer size */
    uint64_t min, max;
    const char *value_name;
    const char *help;
} flag_spec;

#define OFF(f) offsetof(rc_daemon_config, f)
#define STR(f) OFF(f), sizeof(((rc_daemon_config *)0)->f)

static const flag_spec FLAGS[] = {
    {"help", F_BOOL, OFF(help), 0, 0, 0, NULL, "print this help and exit"},
    {"dev", F_BOOL, OFF(dev), 0, 0, 0, NULL,
     "development mode: allow /v1/dev/* controls, prefund the ten development accounts on a fresh chain, "
     "allow running in memory"},
    {"port", F_U64, OFF(port), 0, 0, 65535, "N",
     "TCP port of the HTTP API; 0 lets the system pick a free one"},
    {"port-file", F_STR, STR(port_file), 0, 0, "FILE",
     "once listening, write the port to FILE (replaced whole, never seen half written)"},
    {"bind", F_BIND, STR(bind), 0, 0, "ADDR", "IPv4 address to listen on"},
    {"data-dir", F_STR, STR(data_dir), 0, 0, "DIR",
     "LevelDB directory (created if missing); required without --dev, memory only when absent"},
    {"mine-interval-ms", F_U64, OFF(mine_interval_ms), 0, 0, 86400000, "N",
     "mine a block every N ms of wall time; 0 mines only on POST /v1/dev/mine"},
    {"block-gas-limit", F_U64, OFF(block_gas_limit), 0, 21000, 1000000000000ull, "N",
     "gas limit of every root-chain block"},
    {"block-time", F_U64, OFF(block_time), 0, 1, 86400, "S",
     "seconds of chain time between consecutive blocks"},
    {"min-exit-period", F_U64, OFF(min_exit_period), 0, 0, 315360000, "S",
     "MIN_EXIT_PERIOD of the exit game, in seconds"},
    {"exit-bond", F_U256, OFF(exit_bond), 0, 0, 0, "WEI", "bond every standard exit carries"},
    {"ife-bond", F_U256, OFF(ife_bond), 0, 0, 0, "WEI", "bond every in-flight exit carries"},
    {"piggyback-bond", F_U256, OFF(piggyback_bond), 0, 0, 0, "WEI", "bond every piggyback carries"},
    {"chain-id", F_U64, OFF(chain_id), 0, 1, 9007199254740991ull, "N", "chain id calls are signed for"},
    {"contract", F_ADDR, OFF(contract), 0, 0, 0, "ADDR", "address of the Plasma contract"},
    {"operator", F_ADDR, OFF(operator_addr), 0, 0, 0, "ADDR", "the only account allowed to submit blocks"},
    {"genesis-time", F_U64, OFF(genesis_time), 0, 0, 1099511627776ull, "S", "timestamp of block 0"},
    {"history-blocks", F_U64, OFF(history_blocks), 0, 0, 1099511627776ull, "N",
     "blocks whose receipts and events stay queryable; 0 keeps all"},
    {"max-body", F_U64, OFF(max_body), 0, 4096, 67108864, "BYTES",
     "largest request body; larger ones get 413 payload_too_large"},
    {"max-pending", F_U64, OFF(max_pending), 0, 1, 1000000, "N",
     "calls the pool holds before POST /v1/calls answers block_full"},
    {"max-conns", F_U64, OFF(max_conns), 0, 1, 65535, "N", "concurrent HTTP connections"},
    {"max-conns-per-ip", F_U64, OFF(max_conns_per_ip), 0, 1, 65535, "N",
     "concurrent connections one client address may hold"},
    {"rate-per-ip", F_U64, OFF(rate_per_ip), 0, 1, 1000000, "N",
     "requests per second one client address may start (bursts of twice that)"},
    {"header-timeout-s", F_U64, OFF(header_timeout_s), 0, 1, 3600, "S", "time a request's headers may take"},
    {"body-timeout-s", F_U64, OFF(body_timeout_s), 0, 1, 3600, "S", "time a request's body may take"},
    {"idle-timeout-s", F_U64, OFF(idle_timeout_s), 0, 1, 3600, "S",
     "a connection silent this long is closed"},
    {"log-level", F_LEVEL, OFF(log_level), 0, 0, 0, "LEVEL", "debug, info, warn or error"},
};

#define N_FLAGS (sizeof FLAGS / sizeof FLAGS[0])

#define fail(err, err_len, ...) plasma_err_printf(-1, err, err_len, __VA_ARGS__)

static int parse_u64(uint64_t *out, const char *s)
{
    if (!*s || strlen(s) > 20)
        return -1;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int set_u64(const flag_spec *f, void *field, const char *v, char *err, size_t err_len)
{
    uint64_t x;
    if (parse_u64(&x, v) != 0)
        return fail(err, err_len, "--%s: \"%.40s\" is not a decimal integer", f->name, v);
    if (x < f->min || x > f->max)
        return fail(err, err_len, "--%s: %llu is out of range %llu..%llu", f->name, (unsigned long long)x,
                    (unsigned long long)f->min, (unsigned long long)f->max);
    *(uint64_t *)field = x;
    return 0;
}

static int set_str(const flag_spec *f, void *field, const char *v, char *err, size_t err_len)
{
    if (!*v)
        return fail(err, err_len, "--%s: the value must not be empty", f->name);
    if (strlen(v) >= f->size)
        return fail(err, err_len, "--%s: the value is longer than %zu bytes", f->name, f->size - 1);
    memcpy(field, v, strlen(v) + 1);
    return 0;
}

static int set_value(const flag_spec *f, rc_daemon_config *cfg, const char *v, char *err, size_t err_len)
{
    void *field = (char *)cfg + f->off;
    struct in_addr ia;
    switch (f->kind) {
    case F_BOOL:
        *(bool *)field = true;
        return 0;
    case F_U64:
        return set_u64(f, field, v, err, err_len);
    case F_STR:
        return set_str(f, field, v, err, err_len);
    case F_BIND:
        if (inet_pton(AF_INET, v, &ia) != 1)
            return fail(err, err_len, "--%s: \"%.40s\" is not an IPv4 address", f->name, v);
        return set_str(f, field, v, err, err_len);
    case F_ADDR:
        if (plasma_addr_parse(field, v) != 0)
            return fail(err, err_len, "--%s: \"%.50s\" is not an address (0x + 40 hex digits)", f->name, v);
        return 0;
    case F_U256:
        if (plasma_u256_parse_dec(field, v) != 0)
            return fail(err, err_len, "--%s: \"%.80s\" is not a decimal integer below 2^256", f->name, v);
        return 0;
    case F_LEVEL:
        if (plasma_log_parse_level(field, v) != 0)
            return fail(err, err_len, "--%s: \"%.20s\" is not debug, info, warn or error", f->name, v);
        return 0;
    }
    return fail(err, err_len, "--%s: unsupported flag kind", f->name);
}

static const flag_spec *find_flag(const char *name, size_t len)
{
    for (size_t i = 0; i < N_FLAGS; i++)
        if (strlen(FLAGS[i].name) == len && strncmp(FLAGS[i].name, name, len) == 0)
            return &FLAGS[i];
    return NULL;
}

static void apply_defaults(rc_daemon_config *out)
{
    plasma_rootnode_config rn;
    plasma_rootnode_config_default(&rn);
    memset(out, 0, sizeof *out);
    out->port = 7435;
    snprintf(out->bind, sizeof out->bind, "127.0.0.1");
    out->mine_interval_ms = rn.mine_interval_ms;
    out->block_gas_limit = rn.chain.block_gas_limit;
    out->block_time = rn.chain.block_time;
    out->min_exit_period = rn.chain.min_exit_period;
    out->exit_bond = rn.chain.exit_bond;
    out->ife_bond = rn.chain.ife_bond;
    out->piggyback_bond = rn.chain.piggyback_bond;
    out->chain_id = rn.chain.chain_id;
    out->contract = rn.chain.contract;
    out->operator_addr = rn.chain.operator_addr;
    out->genesis_time = rn.chain.genesis_time;
    out->history_blocks = rn.chain.history_blocks;
    out->max_body = 1u << 20;
    out->max_pending = rn.max_pending;
    out->max_conns = 1024;
    out->max_conns_per_ip = 32;
    out->rate_per_ip = 1000;
    out->header_timeout_s = 10;
    out->body_timeout_s = 30;
    out->idle_timeout_s = 30;
    out->log_level = PLASMA_LOG_INFO;
}

/* One argument at argv[*i] (and its value, which may be the next one). */
static int parse_one(rc_daemon_config *out, int argc, char **argv, int *i, bool seen[N_FLAGS], char *err,
                     size_t err_len)
{
    const char *arg = argv[*i];
    if (strncmp(arg, "--", 2) != 0)
        return fail(err, err_len, "unexpected argument \"%.40s\" (flags start with --)", arg);
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const flag_spec *f = find_flag(name, len);
    if (!f)
        return fail(err, err_len, "unknown flag --%.*s (see --help)", (int)(len > 40 ? 40 : len), name);
    if (seen[f - FLAGS])
        return fail(err, err_len, "--%s is given twice", f->name);
    seen[f - FLAGS] = true;
    if (f->kind == F_BOOL) {
        if (eq)
            return fail(err, err_len, "--%s takes no value", f->name);
        return set_value(f, out, NULL, err, err_len);
    }
    const char *v = eq ? eq + 1 : NULL;
    if (!v) {
        if (*i + 1 >= argc)
            return fail(err, err_len, "--%s needs a value (%s)", f->name, f->value_name);
        v = argv[++*i];
    }
    return set_value(f, out, v, err, err_len);
}

int rc_flags_parse(rc_daemon_config *out, int argc, char **argv, char *err, size_t err_len)
{
    bool seen[N_FLAGS] = {false};
    apply_defaults(out);
    for (int i = 1; i < argc; i++)
        if (parse_one(out, argc, argv, &i, seen, err, err_len) != 0)
            return -1;
    return 0;
}

/* Out: the default of flag s as text; "" when it has none. */
static void format_default(char *out, size_t len, const flag_spec *s, const rc_daemon_config *def)
{
    const void *field = (const char *)def + s->off;
    char a[43], u[PLASMA_U256_DEC_MAX];
    static const char *const LEVELS[] = {"debug", "info", "warn", "error"};
    out[0] = '\0';
    switch (s->kind) {
    case F_BOOL:
        break;
    case F_U64:
        snprintf(out, len, "%llu", (unsigned long long)*(const uint64_t *)field);
        break;
    case F_STR:
    case F_BIND:
        snprintf(out, len, "%s", (const char *)field);
        break;
    case F_ADDR:
        snprintf(out, len, "%s", plasma_addr_format(a, field));
        break;
    case F_U256:
        snprintf(out, len, "%s", plasma_u256_format_dec(u, field));
        break;
    case F_LEVEL:
        snprintf(out, len, "%s", LEVELS[*(const plasma_log_level *)field]);
        break;
    }
}

void rc_flags_usage(FILE *f, const char *prog)
{
    rc_daemon_config def;
    apply_defaults(&def);
    fprintf(f,
            "Usage: %s [--dev] [--data-dir DIR] [flags]\n\n"
            "The simulated Ethereum root chain with the Plasma contract, served as a JSON API.\n\nFlags:\n",
            prog);
    for (size_t i = 0; i < N_FLAGS; i++) {
        const flag_spec *s = &FLAGS[i];
        char left[64], dv[100];
        snprintf(left, sizeof left, "--%s%s%s", s->name, s->value_name ? " " : "",
                 s->value_name ? s->value_name : "");
        fprintf(f, "  %-26s %s", left, s->help);
        if (s->kind == F_U64)
            fprintf(f, " (%llu..%llu)", (unsigned long long)s->min, (unsigned long long)s->max);
        format_default(dv, sizeof dv, s, &def);
        if (dv[0])
            fprintf(f, " [default: %s]", dv);
        fputc('\n', f);
    }
}
