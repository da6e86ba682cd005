/* plasma-rootchain: the simulated root chain as a daemon. Parses the flags,
 * opens the chain (LevelDB under --data-dir), serves the JSON API, and on
 * SIGINT or SIGTERM stops the server, then the miner, then closes the
 * store. Exit status: 0 after a clean stop, 1 when the chain or the server
 * cannot start, 2 for a bad command line. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "flags.h"
#include "plasma/log.h"
#include "plasma/rootchain.h"

#define EXIT_START 1
#define EXIT_USAGE 2

#define Q_LEN 256

static void on_mined(void *payload, const plasma_chain_block *b)
{
    (void)payload;
    plasma_log(b->n_calls ? PLASMA_LOG_INFO : PLASMA_LOG_DEBUG, "block_mined",
               "number=%llu timestamp=%llu calls=%llu gas_used=%llu", (unsigned long long)b->number,
               (unsigned long long)b->timestamp, (unsigned long long)b->n_calls,
               (unsigned long long)b->gas_used);
}

static void on_mine_failed(void *payload, int err)
{
    (void)payload;
    char detail[Q_LEN];
    plasma_log(PLASMA_LOG_ERROR, "mine_failed", "error=%s detail=%s", plasma_err_code(err),
               plasma_log_quote(detail, sizeof detail, plasma_err_message(err)));
}

static void node_config(plasma_rootnode_config *out, const rc_daemon_config *d)
{
    plasma_rootnode_config_default(out);
    out->chain.chain_id = d->chain_id;
    out->chain.contract = d->contract;
    out->chain.operator_addr = d->operator_addr;
    out->chain.block_gas_limit = d->block_gas_limit;
    out->chain.block_time = d->block_time;
    out->chain.min_exit_period = d->min_exit_period;
    out->chain.exit_bond = d->exit_bond;
    out->chain.ife_bond = d->ife_bond;
    out->chain.piggyback_bond = d->piggyback_bond;
    out->chain.genesis_time = d->genesis_time;
    out->chain.history_blocks = d->history_blocks;
    out->data_dir = d->data_dir[0] ? d->data_dir : NULL;
    out->mine_interval_ms = d->mine_interval_ms;
    out->dev = d->dev;
    out->max_pending = d->max_pending;
}

/* Parses and checks the command line. Returns -1 to continue, else the
 * exit status. */
static int parse_args(rc_daemon_config *cfg, int argc, char **argv)
{
    char err[256];
    if (rc_flags_parse(cfg, argc, argv, err, sizeof err) != 0) {
        fprintf(stderr, "plasma-rootchain: %s\n", err);
        return EXIT_USAGE;
    }
    if (cfg->help) {
        rc_flags_usage(stdout, "plasma-rootchain");
        return 0;
    }
    if (!cfg->dev && !cfg->data_dir[0]) {
        fprintf(stderr, "plasma-rootchain: --data-dir is required without --dev\n");
        return EXIT_USAGE;
    }
    return -1;
}

static void warn_dev_operator(const rc_daemon_config *cfg)
{
    plasma_addr dev0;
    if (!cfg->dev && plasma_dev_addr(&dev0, 0) == 0 && plasma_addr_eq(&dev0, &cfg->operator_addr))
        plasma_log(PLASMA_LOG_WARN, "dev_operator",
                   "detail=\"the operator is development account 0, whose key is public; set --operator\"");
}

static const char *open_failure(int rc)
{
    switch (rc) {
    case PLASMA_ERR_CONFIG:
        return "the settings are invalid or differ from the stored chain's";
    case PLASMA_ERR_IO:
        return "cannot open the store: locked by another process, unreadable or corrupt";
    default:
        return plasma_err_message(rc);
    }
}

static int open_node(plasma_rootnode **node, const rc_daemon_config *cfg)
{
    if (cfg->data_dir[0] && plasma_mkdir_parents(cfg->data_dir) != 0) {
        char dir[Q_LEN], detail[Q_LEN];
        plasma_log(PLASMA_LOG_ERROR, "start_failed", "data_dir=%s detail=%s",
                   plasma_log_quote(dir, sizeof dir, cfg->data_dir),
                   plasma_log_quote(detail, sizeof detail, strerror(errno)));
        return EXIT_START;
    }
    plasma_rootnode_config nc;
    node_config(&nc, cfg);
    int rc = plasma_rootnode_new(node, &nc);
    if (rc != PLASMA_OK) {
        char dir[Q_LEN], detail[Q_LEN];
        plasma_log(PLASMA_LOG_ERROR, "start_failed", "data_dir=%s error=%s detail=%s",
                   plasma_log_quote(dir, sizeof dir, cfg->data_dir), plasma_err_code(rc),
                   plasma_log_quote(detail, sizeof detail, open_failure(rc)));
        return rc == PLASMA_ERR_CONFIG ? EXIT_USAGE : EXIT_START;
    }
    plasma_rootnode_hooks hooks = {on_mined, on_mine_failed, NULL};
    plasma_rootnode_set_hooks(*node, &hooks);
    return -1;
}

static int start_server(plasma_http_server **srv, plasma_rootnode *node, const rc_daemon_config *cfg)
{
    plasma_http_mount mount;
    plasma_rootnode_mount(node, "", &mount);
    plasma_http_config hc = {.bind = cfg->bind,
                             .port = (uint16_t)cfg->port,
                             .max_body = cfg->max_body,
                             .max_conns = (unsigned)cfg->max_conns,
                             .max_conns_per_ip = (unsigned)cfg->max_conns_per_ip,
                             .rate_per_ip = (unsigned)cfg->rate_per_ip,
                             .header_timeout_s = (unsigned)cfg->header_timeout_s,
                             .body_timeout_s = (unsigned)cfg->body_timeout_s,
                             .idle_timeout_s = (unsigned)cfg->idle_timeout_s};
    int rc = plasma_http_server_start(srv, &hc, &mount, 1);
    if (rc != PLASMA_OK) {
        char bind[Q_LEN];
        plasma_log(PLASMA_LOG_ERROR, "start_failed",
                   "bind=%s port=%llu detail=\"cannot listen (port in use?)\"",
                   plasma_log_quote(bind, sizeof bind, cfg->bind), (unsigned long long)cfg->port);
        return EXIT_START;
    }
    return -1;
}

/* The port as a line in --port-file, for whoever started the daemon with
 * --port 0; written only once the server accepts connections. */
static int write_port_file(const rc_daemon_config *cfg, uint16_t port)
{
    if (!cfg->port_file[0])
        return -1;
    char line[16];
    int n = snprintf(line, sizeof line, "%u\n", (unsigned)port);
    if (plasma_file_replace(cfg->port_file, line, (size_t)n) == 0)
        return -1;
    char path[Q_LEN], detail[Q_LEN];
    plasma_log(PLASMA_LOG_ERROR, "start_failed", "port_file=%s detail=%s",
               plasma_log_quote(path, sizeof path, cfg->port_file),
               plasma_log_quote(detail, sizeof detail, strerror(errno)));
    return EXIT_START;
}

static void log_started(plasma_rootnode *node, const rc_daemon_config *cfg, uint16_t port)
{
    plasma_chain_head h;
    plasma_rootnode_lock(node);
    plasma_chain_get_head(&h, plasma_rootnode_chain(node));
    plasma_rootnode_unlock(node);
    char bind[Q_LEN], dir[Q_LEN], hash[67], url[96], data[PATH_MAX];
    snprintf(url, sizeof url, "http://%s:%u", cfg->bind, (unsigned)port);
    if (!cfg->data_dir[0])
        snprintf(data, sizeof data, "(memory)");
    else if (!realpath(cfg->data_dir, data))
        snprintf(data, sizeof data, "%s", cfg->data_dir);
    plasma_log(PLASMA_LOG_INFO, "listening",
               "bind=%s port=%u url=%s dev=%s data_dir=%s head=%llu head_hash=%s mine_interval_ms=%llu",
               plasma_log_quote(bind, sizeof bind, cfg->bind), (unsigned)port, url,
               cfg->dev ? "true" : "false", plasma_log_quote(dir, sizeof dir, data),
               (unsigned long long)h.number, plasma_hash_format(hash, &h.hash),
               (unsigned long long)cfg->mine_interval_ms);
}

/* Signals are blocked in every thread (the miner and the server's threads
 * inherit the mask) and taken synchronously here. */
static int wait_for_signal(const sigset_t *set)
{
    int sig = 0;
    while (sigwait(set, &sig) != 0)
        ;
    return sig;
}

int main(int argc, char **argv)
{
    rc_daemon_config cfg;
    int status = parse_args(&cfg, argc, argv);
    if (status >= 0)
        return status;
    plasma_log_set_level(cfg.log_level);
    warn_dev_operator(&cfg);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    plasma_rootnode *node = NULL;
    plasma_http_server *srv = NULL;
    status = open_node(&node, &cfg);
    if (status < 0)
        status = start_server(&srv, node, &cfg);
    if (status < 0)
        status = write_port_file(&cfg, plasma_http_server_port(srv));
    if (status < 0) {
        log_started(node, &cfg, plasma_http_server_port(srv));
        int sig = wait_for_signal(&set);
        plasma_log(PLASMA_LOG_INFO, "stopping", "signal=%s", sig == SIGINT ? "SIGINT" : "SIGTERM");
        status = 0;
    }
    plasma_http_server_free(srv);
    plasma_rootnode_free(node);
    if (status == 0)
        plasma_log(PLASMA_LOG_INFO, "stopped", NULL);
    return status;
}
