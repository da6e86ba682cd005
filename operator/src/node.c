/* The operator node: turns the parsed configuration into a running ledger,
 * root-chain backend, follower/submitter and HTTP server, and tears them
 * down in reverse order. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "backend.h"
#include "plasma/client.h"
#include "plasma/devkeys.h"
#include "plasma/err.h"
#include "plasma/log.h"
#include "plasma/core.h"
#include "plasma/operator.h"
#include "sync.h"

struct plasma_operator {
    plasma_operator_config cfg;
    plasma_privkey key;
    plasma_addr addr;
    plasma_domain domain;
    char ledger_dir[PLASMA_OPERATOR_PATH_MAX + 16];
    plasma_fee_rule *rules;
    size_t n_rules;
    plasma_ledger *ledger;
    op_backend *backend;
    pthread_mutex_t sync_mu; /* the seal hook must not wake a freed sync */
    op_sync *sync;
    plasma_http_server *http;
    op_api api;
    int stop_pipe[2];
};

/* --- configuration checks --- */

#define fail(err, err_len, ...) plasma_err_printf(PLASMA_ERR_CONFIG, err, err_len, __VA_ARGS__)

static int read_key_file(const char *path, char *out, size_t out_len, char *err, size_t err_len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return fail(err, err_len, "--operator-key-file: cannot open %s", path);
    char line[256] = {0};
    bool ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    line[strcspn(line, " \t\r\n")] = '\0';
    size_t n = strlen(line);
    if (ok && n < out_len)
        memcpy(out, line, n + 1);
    plasma_wipe(line, sizeof line);
    if (!ok || n >= out_len)
        return fail(err, err_len, "--operator-key-file: %s does not hold a 0x-hex key", path);
    return 0;
}

static int load_keystore(plasma_operator *op, char *err, size_t err_len)
{
    char msg[300];
    int rc = plasma_keystore_unlock(&op->key, &op->addr, op->cfg.operator_keystore, op->cfg.password_file,
                                    msg, sizeof msg);
    return rc == 0 ? 0 : fail(err, err_len, "--operator-keystore: %s", msg);
}

static int load_hex_key(plasma_operator *op, char *err, size_t err_len)
{
    char hex[96];
    snprintf(hex, sizeof hex, "%s", op->cfg.operator_key);
    int rc = 0;
    if (op->cfg.operator_key_file[0])
        rc = read_key_file(op->cfg.operator_key_file, hex, sizeof hex, err, err_len);
    if (rc == 0 && !hex[0])
        rc = fail(err, err_len,
                  "an operator key is required: --operator-keystore FILE or --operator-key-file FILE");
    if (rc == 0 && (plasma_hex_decode_fixed(op->key.b, sizeof op->key.b, hex) != 0 ||
                    plasma_privkey_addr(&op->addr, &op->key) != 0))
        rc = fail(err, err_len, "the operator key is not a valid 0x-hex secp256k1 private key");
    plasma_wipe(hex, sizeof hex);
    return rc;
}

/* On a real chain the key comes from a keystore, never from the command
 * line (other users see it in the process list) or a plain file. */
static int load_key(plasma_operator *op, char *err, size_t err_len)
{
    const plasma_operator_config *c = &op->cfg;
    bool hex_given = plasma_operator_config_given(c, "operator-key") || c->operator_key_file[0];
    int rc = 0;
    if (c->operator_keystore[0] && hex_given)
        rc = fail(err, err_len, "--operator-keystore and --operator-key(-file): give one operator key");
    else if (!c->dev && hex_given && strcmp(c->rootchain, "eth") == 0)
        rc = fail(err, err_len,
                  "with --rootchain eth outside --dev the operator key comes from "
                  "--operator-keystore FILE (its password from --password-file or PLASMA_PASSWORD)");
    else
        rc = c->operator_keystore[0] ? load_keystore(op, err, err_len) : load_hex_key(op, err, err_len);
    if (rc == 0 && !c->dev && plasma_dev_key_is_public(&op->key))
        rc = fail(err, err_len, "refusing a public development key outside --dev");
    plasma_wipe(op->cfg.operator_key, sizeof op->cfg.operator_key);
    return rc;
}

static int parse_fee_rules(plasma_operator *op, char *err, size_t err_len)
{
    char *copy = strdup(op->cfg.fee_rules), *save = NULL;
    if (!copy)
        return PLASMA_ERR_NOMEM;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        plasma_fee_rule r;
        if (!eq) {
            rc = fail(err, err_len, "--fee-rules: \"%.60s\" is not 0xTOKEN=AMOUNT", tok);
            break;
        }
        *eq = '\0';
        if (plasma_addr_parse(&r.token, tok) != 0 || plasma_u256_parse_dec(&r.min_fee, eq + 1) != 0) {
            rc = fail(err, err_len, "--fee-rules: bad token or amount in \"%.60s\"", tok);
            break;
        }
        plasma_fee_rule *nr = realloc(op->rules, (op->n_rules + 1) * sizeof *nr);
        if (!nr) {
            rc = PLASMA_ERR_NOMEM;
            break;
        }
        op->rules = nr;
        op->rules[op->n_rules++] = r;
    }
    free(copy);
    return rc;
}

static void on_sealed(void *ctx, uint64_t blknum)
{
    plasma_operator *op = ctx;
    plasma_log(PLASMA_LOG_INFO, "block_sealed", "blknum=%llu", (unsigned long long)blknum);
    pthread_mutex_lock(&op->sync_mu);
    if (op->sync)
        op_sync_wake(op->sync);
    pthread_mutex_unlock(&op->sync_mu);
}

static int ledger_config(plasma_operator *op, plasma_ledger_config *lc, char *err, size_t err_len)
{
    const plasma_operator_config *c = &op->cfg;
    plasma_ledger_config_default(lc);
    lc->fee_beneficiary = op->addr;
    if (c->fee_beneficiary[0] && (plasma_addr_parse(&lc->fee_beneficiary, c->fee_beneficiary) != 0 ||
                                  plasma_addr_is_zero(&lc->fee_beneficiary)))
        return fail(err, err_len, "--fee-beneficiary: \"%.60s\" is not a non-zero address",
                    c->fee_beneficiary);
    if (plasma_u256_parse_dec(&lc->min_fee, c->min_fee) != 0)
        return fail(err, err_len, "--min-fee: \"%.60s\" is not a decimal amount", c->min_fee);
    /* the embedded chain's bonds, checked before anything is written */
    plasma_u256 bond;
    if (plasma_u256_parse_dec(&bond, c->ife_bond) != 0)
        return fail(err, err_len, "--ife-bond: \"%.60s\" is not a decimal amount in wei", c->ife_bond);
    if (plasma_u256_parse_dec(&bond, c->piggyback_bond) != 0)
        return fail(err, err_len, "--piggyback-bond: \"%.60s\" is not a decimal amount in wei",
                    c->piggyback_bond);
    int rc = parse_fee_rules(op, err, err_len);
    if (rc < 0)
        return rc;
    snprintf(op->ledger_dir, sizeof op->ledger_dir, "%s/ledger", c->data_dir);
    if (plasma_mkdir_parents(c->data_dir) != 0)
        return fail(err, err_len, "--data-dir: cannot create %s: %s", c->data_dir, strerror(errno));
    lc->data_dir = op->ledger_dir;
    lc->fee_rules = op->rules;
    lc->n_fee_rules = op->n_rules;
    lc->utxo_cache_bytes = (size_t)c->utxo_cache_mb << 20;
    lc->pubkey_cache_entries = c->pubkey_cache;
    lc->store_cache_mb = c->store_cache_mb;
    lc->sig_threads = (unsigned)c->sig_threads;
    lc->sig_verify_cached = c->sig_verify_cached;
    lc->commit_linger_us = (unsigned)c->commit_linger_us;
    lc->commit_max_txs = (unsigned)c->commit_max_txs;
    lc->block_capacity = (uint32_t)c->block_capacity;
    lc->seal_interval_ms = (unsigned)c->seal_interval_ms;
    lc->max_unsubmitted_blocks = (unsigned)c->max_unsubmitted_blocks;
    lc->on_sealed = on_sealed;
    lc->hook_ctx = op;
    return PLASMA_OK;
}

/* --- lifecycle --- */

static void stop_from_api(void *ctx)
{
    plasma_operator_request_stop(ctx);
}

static int start_http(plasma_operator *op, char *err, size_t err_len)
{
    op->api = (op_api){.ledger = op->ledger,
                       .sync = op->sync,
                       .domain = op->domain,
                       .operator_addr = op->addr,
                       .admin_token = op->cfg.admin_token,
                       .max_batch = op->cfg.max_batch,
                       .dev = op->cfg.dev,
                       .request_stop = stop_from_api,
                       .stop_ctx = op};
    plasma_http_mount mounts[2] = {{"", op_api_routes, op_api_n_routes, &op->api}};
    size_t n = 1;
    if (op_backend_mount(op->backend, &mounts[1]))
        n++;
    plasma_http_config hc = {.bind = op->cfg.bind,
                             .port = (uint16_t)op->cfg.port,
                             .max_body = (size_t)op->cfg.max_body_kb << 10,
                             .max_conns = (unsigned)op->cfg.max_conns,
                             .idle_timeout_s = (unsigned)op->cfg.idle_timeout_s,
                             .max_conns_per_ip = (unsigned)op->cfg.max_conns_per_ip,
                             .header_timeout_s = (unsigned)op->cfg.header_timeout_s,
                             .body_timeout_s = (unsigned)op->cfg.body_timeout_s,
                             .rate_per_ip = (unsigned)op->cfg.rate_per_ip};
    int rc = plasma_http_server_start(&op->http, &hc, mounts, n);
    if (rc == PLASMA_ERR_BAD_REQUEST)
        return fail(err, err_len, "--bind: \"%.40s\" is not an IPv4 address", op->cfg.bind);
    if (rc < 0)
        snprintf(err, err_len, "cannot listen on %s:%u (port in use?)", op->cfg.bind, (unsigned)op->cfg.port);
    return rc;
}

/* The port as a line in --port-file, for whoever started the daemon with
 * --port 0; written only once the API accepts connections. */
static int write_port_file(const plasma_operator *op, char *err, size_t err_len)
{
    if (!op->cfg.port_file[0])
        return 0;
    char line[16];
    int n = snprintf(line, sizeof line, "%u\n", (unsigned)plasma_operator_port(op));
    if (plasma_file_replace(op->cfg.port_file, line, (size_t)n) != 0)
        return fail(err, err_len, "--port-file: cannot write %.200s: %s", op->cfg.port_file, strerror(errno));
    return 0;
}

static int start_parts(plasma_operator *op, char *err, size_t err_len)
{
    plasma_log_level level;
    if (plasma_log_parse_level(&level, op->cfg.log_level) != 0)
        return fail(err, err_len, "--log-level: \"%.20s\" is not debug, info, warn or error",
                    op->cfg.log_level);
    plasma_log_set_level(level);
    int rc = load_key(op, err, err_len);
    plasma_ledger_config lc;
    if (rc == 0)
        rc = ledger_config(op, &lc, err, err_len);
    /* The chain first: on Ethereum it gives the signing domain, which the
     * ledger's data directory is bound to. */
    if (rc == 0)
        rc = op_backend_start(&op->backend, &op->cfg, &op->key, err, err_len);
    if (rc == 0) {
        op->domain = lc.domain = *op_backend_domain(op->backend);
        rc = plasma_ledger_open(&op->ledger, &lc, err, err_len);
    }
    if (rc == 0) {
        op_sync_config sc = {.finality_margin = op->cfg.finality_margin,
                             .poll_ms = (unsigned)op->cfg.poll_ms,
                             .start_block = op->cfg.deploy_block};
        op_sync *s = NULL;
        rc = op_sync_start(&s, op->ledger, op_backend_table(op->backend), &sc);
        pthread_mutex_lock(&op->sync_mu);
        op->sync = s;
        pthread_mutex_unlock(&op->sync_mu);
    }
    if (rc == 0)
        rc = start_http(op, err, err_len);
    if (rc == 0)
        rc = write_port_file(op, err, err_len);
    return rc;
}

/* scheme://host:port of url: a provider's access key in its path, query
 * or user info never reaches a log. */
static void endpoint_of(char *out, size_t len, const char *url)
{
    const char *host = strstr(url, "://");
    host = host ? host + 3 : url;
    size_t scheme = (size_t)(host - url), n = strcspn(host, "/?#");
    const char *at = memchr(host, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - host);
        host = at + 1;
    }
    snprintf(out, len, "%.*s%.*s", (int)scheme, url, (int)n, host);
}

/* Where a newcomer finds the daemon: the API URL, the root chain's (served
 * here when embedded) and the data directory as an absolute path. */
static void log_started(const plasma_operator *op)
{
    char addr[43], url[96], rc_url[384], data[PATH_MAX];
    bool embedded = strcmp(op->cfg.rootchain, "embedded") == 0;
    snprintf(url, sizeof url, "http://%s:%u", op->cfg.bind, plasma_operator_port(op));
    if (embedded)
        snprintf(rc_url, sizeof rc_url, "%s/rootchain", url);
    else
        endpoint_of(rc_url, sizeof rc_url, op->cfg.rpc);
    if (!realpath(op->cfg.data_dir, data))
        snprintf(data, sizeof data, "%s", op->cfg.data_dir);
    plasma_log(PLASMA_LOG_INFO, "operator_started",
               "url=%s rootchain=%s rootchain_url=%s operator=%s dev=%s data_dir=%s", url, op->cfg.rootchain,
               rc_url, plasma_addr_format(addr, &op->addr), op->cfg.dev ? "true" : "false", data);
}

int plasma_operator_start(plasma_operator **out, const plasma_operator_config *cfg, char *err, size_t err_len)
{
    err[0] = '\0';
    plasma_operator *op = calloc(1, sizeof *op);
    if (!op)
        return PLASMA_ERR_NOMEM;
    op->cfg = *cfg;
    pthread_mutex_init(&op->sync_mu, NULL);
    op->stop_pipe[0] = op->stop_pipe[1] = -1;
    int rc = pipe2(op->stop_pipe, O_CLOEXEC) == 0 ? 0 : PLASMA_ERR_IO;
    if (rc == 0)
        rc = start_parts(op, err, err_len);
    if (rc < 0) {
        if (!err[0])
            snprintf(err, err_len, "%s", plasma_err_message(rc));
        plasma_operator_free(op);
        return rc;
    }
    log_started(op);
    *out = op;
    return PLASMA_OK;
}

uint16_t plasma_operator_port(const plasma_operator *op)
{
    return plasma_http_server_port(op->http);
}

plasma_ledger *plasma_operator_ledger(plasma_operator *op)
{
    return op->ledger;
}

void plasma_operator_request_stop(plasma_operator *op)
{
    char c = 1;
    ssize_t n = write(op->stop_pipe[1], &c, 1);
    (void)n;
}

void plasma_operator_wait(plasma_operator *op)
{
    char c;
    for (;;) {
        ssize_t n = read(op->stop_pipe[0], &c, 1);
        if (n == 1 || (n < 0 && errno != EINTR) || n == 0)
            break;
    }
    /* The stop may come from a request (admin shutdown) whose answer is
     * still on its way out: give it a moment before the server closes. */
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

void plasma_operator_free(plasma_operator *op)
{
    if (!op)
        return;
    plasma_http_server_free(op->http);
    pthread_mutex_lock(&op->sync_mu);
    op_sync *s = op->sync;
    op->sync = NULL;
    pthread_mutex_unlock(&op->sync_mu);
    op_sync_free(s);
    op_backend_free(op->backend);
    plasma_ledger_free(op->ledger);
    if (op->stop_pipe[0] >= 0)
        close(op->stop_pipe[0]);
    if (op->stop_pipe[1] >= 0)
        close(op->stop_pipe[1]);
    plasma_wipe(&op->key, sizeof op->key);
    bool started = op->http != NULL;
    pthread_mutex_destroy(&op->sync_mu);
    free(op->rules);
    free(op);
    if (started)
        plasma_log(PLASMA_LOG_INFO, "operator_stopped", "%s", "");
}
