/* Table-driven configuration: one row per setting with its type, bounds,
 * production and development defaults and help. The same rows parse the
 * config file ("name = value" lines), the flags ("--name value",
 * "--name=value") and print --help, so they cannot disagree. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/core.h"
#include "plasma/devkeys.h"
#include "plasma/operator.h"

typedef enum opt_kind { OPT_BOOL, OPT_UINT, OPT_STR } opt_kind;

typedef struct opt {
    const char *name;
    opt_kind kind;
    size_t offset;
    uint64_t min; /* OPT_UINT bounds; OPT_STR: buffer size in max */
    uint64_t max;
    const char *def;
    const char *dev_def; /* NULL: same as def */
    const char *help;
} opt;

#define OFF(f) offsetof(plasma_operator_config, f)
#define STRSZ(f) sizeof(((plasma_operator_config *)0)->f)

static const opt opts[] = {
    {"dev", OPT_BOOL, OFF(dev), 0, 0, "false", "true",
     "development mode: embedded root chain, development keys and defaults"},
    {"bind", OPT_STR, OFF(bind), 0, STRSZ(bind), "127.0.0.1", NULL, "IPv4 address the API listens on"},
    {"port", OPT_UINT, OFF(port), 0, 65535, "7434", NULL, "TCP port of the API (0: one the system picks)"},
    {"port-file", OPT_STR, OFF(port_file), 0, STRSZ(port_file), "", NULL,
     "once listening, write the API's port to this file (replaced whole, never seen half written)"},
    {"data-dir", OPT_STR, OFF(data_dir), 0, STRSZ(data_dir), "./data/operator", NULL,
     "directory of the ledger database (created if missing)"},
    {"rootchain", OPT_STR, OFF(rootchain), 0, STRSZ(rootchain), "embedded", NULL,
     "root-chain kind: \"embedded\" (the simulated chain in-process), \"sim\" (a plasma-rootchain daemon "
     "at --rpc) or \"eth\" (the Plasma contract --contract on the Ethereum node at --rpc)"},
    {"rpc", OPT_STR, OFF(rpc), 0, STRSZ(rpc), "", NULL,
     "URL of the root chain: plasma-rootchain's API (sim) or an Ethereum JSON-RPC endpoint (eth)"},
    {"contract", OPT_STR, OFF(contract), 0, STRSZ(contract), "", NULL,
     "eth: address of the deployed PlasmaRootChain (with --dev: the development address)"},
    {"deploy-block", OPT_UINT, OFF(deploy_block), 0, UINT64_MAX, "0", NULL,
     "eth: the block the contract was deployed in, as plasma-deploy prints it (events are read from "
     "there; required outside --dev)"},
    {"confirmations", OPT_UINT, OFF(confirmations), 0, 10000, "12", "0",
     "eth: blocks mined on top of one before its events (deposits, exits) and block roots count "
     "(0 only with --dev)"},
    {"max-fee-gwei", OPT_UINT, OFF(max_fee_gwei), 0, 1000000, "0", NULL,
     "eth: no submitBlock transaction pays more than this per gas (0: no cap)"},
    {"rpc-timeout-ms", OPT_UINT, OFF(rpc_timeout_ms), 100, 3600000, "30000", NULL,
     "eth: time one JSON-RPC request may take before it is tried again (five tries, then the next poll)"},
    {"operator-key", OPT_STR, OFF(operator_key), 0, STRSZ(operator_key), "", PLASMA_DEV_OPERATOR_KEY,
     "operator private key, 0x-hex (prefer --operator-keystore; eth: only with --dev)"},
    {"operator-key-file", OPT_STR, OFF(operator_key_file), 0, STRSZ(operator_key_file), "", NULL,
     "file holding the operator private key in 0x-hex (not with eth outside --dev)"},
    {"operator-keystore", OPT_STR, OFF(operator_keystore), 0, STRSZ(operator_keystore), "", NULL,
     "the operator key as an Ethereum v3 keystore file (plasma account new makes one)"},
    {"password-file", OPT_STR, OFF(password_file), 0, STRSZ(password_file), "", NULL,
     "file whose first line is the keystore's password (else the environment's PLASMA_PASSWORD)"},
    {"chain-id", OPT_UINT, OFF(chain_id), 1, UINT64_MAX, "31337", NULL, "EIP-712 chainId"},
    {"verifying-contract", OPT_STR, OFF(verifying_contract), 0, STRSZ(verifying_contract),
     PLASMA_DEV_VERIFYING_CONTRACT, NULL, "EIP-712 verifyingContract (the Plasma contract)"},
    {"fee-beneficiary", OPT_STR, OFF(fee_beneficiary), 0, STRSZ(fee_beneficiary), "", NULL,
     "owner of fee outputs (default: the operator address)"},
    {"min-fee", OPT_STR, OFF(min_fee), 0, STRSZ(min_fee), "1", "0",
     "minimum fee (base units) for tokens without a --fee-rules entry"},
    {"fee-rules", OPT_STR, OFF(fee_rules), 0, STRSZ(fee_rules), "", NULL,
     "per-token minimum fees: 0xTOKEN=AMOUNT,0xTOKEN=AMOUNT"},
    {"finality-margin", OPT_UINT, OFF(finality_margin), 0, 100000, "12", "0",
     "embedded, sim: root-chain blocks a deposit must be buried before it is spendable (eth: "
     "--confirmations)"},
    {"seal-interval-ms", OPT_UINT, OFF(seal_interval_ms), 0, 86400000, "1000", NULL,
     "seal this long after the first pending transaction (0: only when full)"},
    {"block-capacity", OPT_UINT, OFF(block_capacity), 2, 65536, "65536", NULL,
     "transactions per block, fee transactions included"},
    {"max-unsubmitted-blocks", OPT_UINT, OFF(max_unsubmitted_blocks), 1, 100000, "64", NULL,
     "sealed blocks waiting for the root chain before new txs get block_full"},
    {"commit-linger-us", OPT_UINT, OFF(commit_linger_us), 0, 1000000, "1000", NULL,
     "how long a group commit waits for more transactions"},
    {"commit-max-txs", OPT_UINT, OFF(commit_max_txs), 1, 65536, "4096", NULL,
     "a group commit is written once it holds this many"},
    {"sig-threads", OPT_UINT, OFF(sig_threads), 0, 256, "0", NULL,
     "signature workers for batches (0: cores - 1)"},
    {"sig-verify-cached", OPT_BOOL, OFF(sig_verify_cached), 0, 0, "false", NULL,
     "verify repeat senders against a cached public key instead of recovering (v unchecked on a hit)"},
    {"utxo-cache-mb", OPT_UINT, OFF(utxo_cache_mb), 1, 1u << 20, "512", NULL,
     "memory for the in-memory UTXO index; past it lookups read the database"},
    {"store-cache-mb", OPT_UINT, OFF(store_cache_mb), 1, 1u << 20, "64", NULL, "LevelDB block cache"},
    {"pubkey-cache", OPT_UINT, OFF(pubkey_cache), 16, 1u << 28, "1048576", NULL,
     "public keys of senders kept"},
    {"max-body-kb", OPT_UINT, OFF(max_body_kb), 1, 1u << 20, "4096", NULL,
     "largest request body; larger ones get 413 payload_too_large"},
    {"max-batch", OPT_UINT, OFF(max_batch), 1, 65536, "8192", NULL, "transactions per batch request"},
    {"max-conns", OPT_UINT, OFF(max_conns), 1, 100000, "1024", NULL, "concurrent connections"},
    {"max-conns-per-ip", OPT_UINT, OFF(max_conns_per_ip), 1, 100000, "32", NULL,
     "concurrent connections one client address may hold"},
    {"rate-per-ip", OPT_UINT, OFF(rate_per_ip), 1, 1000000, "1000", NULL,
     "requests per second one client address may start (bursts of twice that); past it 429 rate_limited"},
    {"header-timeout-s", OPT_UINT, OFF(header_timeout_s), 1, 3600, "10", NULL,
     "a request's headers must arrive within this (a client trickling them is closed)"},
    {"body-timeout-s", OPT_UINT, OFF(body_timeout_s), 1, 3600, "30", NULL,
     "a request's body must arrive within this after its headers"},
    {"idle-timeout-s", OPT_UINT, OFF(idle_timeout_s), 1, 3600, "30", NULL,
     "a connection silent this long is closed (slow clients)"},
    {"admin-token", OPT_STR, OFF(admin_token), 0, STRSZ(admin_token), "", NULL,
     "token the admin endpoints require in X-Admin-Token (empty: admin disabled)"},
    {"log-level", OPT_STR, OFF(log_level), 0, STRSZ(log_level), "info", NULL, "debug, info, warn or error"},
    {"poll-ms", OPT_UINT, OFF(poll_ms), 10, 600000, "1000", "100", "how often the root chain is polled"},
    {"rc-block-interval-ms", OPT_UINT, OFF(rc_block_interval_ms), 10, 600000, "12000", "1000",
     "embedded root chain: time between mined blocks"},
    {"rc-min-exit-period-s", OPT_UINT, OFF(rc_min_exit_period_s), 0, 31536000, "604800", "60",
     "embedded root chain: MIN_EXIT_PERIOD"},
    {"ife-bond", OPT_STR, OFF(ife_bond), 0, STRSZ(ife_bond), "37000000000000000", NULL,
     "embedded root chain: the bond of startInFlightExit, in wei"},
    {"piggyback-bond", OPT_STR, OFF(piggyback_bond), 0, STRSZ(piggyback_bond), "28000000000000000", NULL,
     "embedded root chain: the bond of a piggyback, in wei"},
};

#define N_OPTS (sizeof opts / sizeof opts[0])
_Static_assert(N_OPTS <= PLASMA_OPERATOR_MAX_SETTINGS, "raise PLASMA_OPERATOR_MAX_SETTINGS");

static const opt *find_opt(const char *name, size_t len)
{
    for (size_t i = 0; i < N_OPTS; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
            return &opts[i];
    return NULL;
}

static int parse_uint(const char *s, uint64_t *out)
{
    if (!s[0] || s[0] == '-' || s[0] == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int set_opt(plasma_operator_config *cfg, const opt *o, const char *value, char *err, size_t err_len)
{
    uint8_t *field = (uint8_t *)cfg + o->offset;
    switch (o->kind) {
    case OPT_BOOL:
        if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0 || strcmp(value, "yes") == 0)
            *(bool *)field = true;
        else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0 || strcmp(value, "no") == 0)
            *(bool *)field = false;
        else
            goto bad;
        return 0;
    case OPT_UINT: {
        uint64_t v;
        if (parse_uint(value, &v) < 0 || v < o->min || v > o->max) {
            snprintf(err, err_len, "--%s: \"%.40s\" is not an integer in %" PRIu64 "..%" PRIu64, o->name,
                     value, o->min, o->max);
            return PLASMA_ERR_CONFIG;
        }
        *(uint64_t *)field = v;
        return 0;
    }
    case OPT_STR:
        if (strlen(value) >= o->max) {
            snprintf(err, err_len, "--%s: value longer than %" PRIu64 " characters", o->name, o->max - 1);
            return PLASMA_ERR_CONFIG;
        }
        memcpy(field, value, strlen(value) + 1);
        return 0;
    }
bad:
    snprintf(err, err_len, "--%s: \"%.40s\" is not true or false", o->name, value);
    return PLASMA_ERR_CONFIG;
}

/* A value from the file or a flag: remembered as given, so that a check can
 * tell a chosen value from a default (plasma_operator_config_given). */
static int set_given(plasma_operator_config *cfg, const opt *o, const char *value, char *err, size_t err_len)
{
    int rc = set_opt(cfg, o, value, err, err_len);
    if (rc == 0)
        cfg->given[o - opts] = true;
    return rc;
}

bool plasma_operator_config_given(const plasma_operator_config *cfg, const char *name)
{
    const opt *o = find_opt(name, strlen(name));
    return o && cfg->given[o - opts];
}

static int apply_defaults(plasma_operator_config *cfg, bool dev)
{
    char err[64];
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < N_OPTS; i++) {
        const char *v = dev && opts[i].dev_def ? opts[i].dev_def : opts[i].def;
        if (set_opt(cfg, &opts[i], v, err, sizeof err) < 0)
            return PLASMA_ERR_INTERNAL;
    }
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int parse_file(plasma_operator_config *cfg, const char *path, char *err, size_t err_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_len, "--config: cannot open %s: %s", path, strerror(errno));
        return PLASMA_ERR_CONFIG;
    }
    char line[2048];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!s[0] || s[0] == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, err_len, "%s:%d: expected name = value", path, lineno);
            rc = PLASMA_ERR_CONFIG;
            break;
        }
        *eq = '\0';
        char *name = trim(s), *value = trim(eq + 1);
        const opt *o = find_opt(name, strlen(name));
        if (!o) {
            snprintf(err, err_len, "%s:%d: unknown setting \"%.40s\"", path, lineno, name);
            rc = PLASMA_ERR_CONFIG;
        } else if (strcmp(o->name, "dev") != 0) {
            rc = set_given(cfg, o, value, err, err_len);
        }
    }
    fclose(f);
    return rc;
}

/* Finds --dev and --config before anything else: --dev selects the
 * defaults, and the file comes under the flags. */
static int prescan(int argc, char **argv, bool *dev, const char **config, char *err, size_t err_len)
{
    *dev = false;
    *config = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dev") == 0 || strcmp(argv[i], "--dev=true") == 0)
            *dev = true;
        else if (strncmp(argv[i], "--config=", 9) == 0)
            *config = argv[i] + 9;
        else if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc) {
                snprintf(err, err_len, "--config needs a file name");
                return PLASMA_ERR_CONFIG;
            }
            *config = argv[++i];
        }
    }
    return 0;
}

static int parse_flag(plasma_operator_config *cfg, int argc, char **argv, int *i, char *err, size_t err_len)
{
    const char *arg = argv[*i];
    if (strncmp(arg, "--", 2) != 0) {
        snprintf(err, err_len, "unexpected argument \"%.60s\" (try --help)", arg);
        return PLASMA_ERR_CONFIG;
    }
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
    if (nlen == 6 && strncmp(name, "config", 6) == 0) {
        if (!eq)
            (*i)++;
        return 0;
    }
    const opt *o = find_opt(name, nlen);
    if (!o) {
        snprintf(err, err_len, "unknown flag --%.*s (try --help)", (int)(nlen > 60 ? 60 : nlen), name);
        return PLASMA_ERR_CONFIG;
    }
    if (o->kind == OPT_BOOL && !eq)
        return set_given(cfg, o, "true", err, err_len);
    const char *value = eq ? eq + 1 : NULL;
    if (!value) {
        if (*i + 1 >= argc) {
            snprintf(err, err_len, "--%s needs a value", o->name);
            return PLASMA_ERR_CONFIG;
        }
        value = argv[++*i];
    }
    return set_given(cfg, o, value, err, err_len);
}

void plasma_operator_usage(FILE *out)
{
    fprintf(out, "usage: plasma-operator [--dev] [--config FILE] [--FLAG VALUE ...]\n\n"
                 "The Plasma child-chain operator. Flags (a config file takes the same names as\n"
                 "\"name = value\" lines; flags override it):\n\n");
    fprintf(out, "  --config FILE\n      read settings from FILE first\n");
    fprintf(out, "  --help, --version\n      print this text / the version and exit\n");
    for (size_t i = 0; i < N_OPTS; i++) {
        const opt *o = &opts[i];
        fprintf(out, "  --%s", o->name);
        if (o->kind == OPT_UINT)
            fprintf(out, " N   (%" PRIu64 "..%" PRIu64 ")", o->min, o->max);
        else if (o->kind == OPT_STR)
            fprintf(out, " VALUE");
        fprintf(out, "\n      %s", o->help);
        if (o->def[0])
            fprintf(out, "; default %s", o->def);
        if (o->dev_def && strcmp(o->dev_def, o->def) != 0 && o->kind != OPT_BOOL)
            fprintf(out, ", with --dev %s",
                    strncmp(o->name, "operator-key", 12) == 0 ? "dev account 0" : o->dev_def);
        fprintf(out, "\n");
    }
}

int plasma_operator_config_parse(plasma_operator_config *cfg, int argc, char **argv, FILE *out, char *err,
                                 size_t err_len)
{
    err[0] = '\0';
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            plasma_operator_usage(out);
            return 1;
        }
        if (strcmp(argv[i], "--version") == 0) {
            fprintf(out, "plasma-operator %s\n", PLASMA_VERSION);
            return 1;
        }
    }
    bool dev;
    const char *file;
    int rc = prescan(argc, argv, &dev, &file, err, err_len);
    if (rc == 0)
        rc = apply_defaults(cfg, dev);
    if (rc == 0 && file)
        rc = parse_file(cfg, file, err, err_len);
    for (int i = 1; rc == 0 && i < argc; i++)
        rc = parse_flag(cfg, argc, argv, &i, err, err_len);
    return rc;
}
