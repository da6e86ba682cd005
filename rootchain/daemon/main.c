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
#include "log.h"
#include "plasma/rootchain.h"

#define EXIT_START 1
#define EXIT_USAGE 2

static const char *u64s(char buf[24], uint64_t v)
{
    snprintf(buf, 24, "%llu", (unsigned long long)v);
    return buf;
}


static void on_mined(void *payload, const plasma_chain_block *b)
{
    (void)payload;
    char n[24], calls[24], gas[24], ts[24];
    rc_log(b->n_calls ? RC_LOG_INFO : RC_LOG_DEBUG, "block_mined", "number", u64s(n, b->number), "timestamp",
           u64s(ts, b->timestamp), "calls", u64s(calls, b->n_calls), "gas_used", u64s(gas, b->gas_used),
           NULL);
}

static void on_mine_failed(void *payload, int err)
{
    (void)payload;
    rc_log(RC_LOG_ERROR, "mine_failed", "error", plasma_err_code(err), "detail", plasma_err_message(err),
           NULL);
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
        rc_log(RC_LOG_WARN, "dev_operator", "detail",
               "the operator is development account 0, whose key is public; set --operator", NULL);
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
        rc_log(RC_LOG_ERROR, "start_failed", "data_dir", cfg->data_dir, "detail", strerror(errno), NULL);
        return EXIT_START;
    }
    plasma_rootnode_config nc;
    node_config(&nc, cfg);
    int rc = plasma_rootnode_new(node, &nc);
    if (rc != PLASMA_OK) {
        rc_log(RC_LOG_ERROR, "start_failed", "data_dir", cfg->data_dir, "error", plasma_err_code(rc),
               "detail", open_failure(rc), NULL);
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
                             .max_conns = (unsigned)cfg->max_conns};
    int rc = plasma_http_server_start(srv, &hc, &mount, 1);
    if (rc != PLASMA_OK) {
        char p[24];
        rc_log(RC_LOG_ERROR, "start_failed", "bind", cfg->bind, "port", u64s(p, cfg->port), "detail",
               "cannot listen (port in use?)", NULL);
        return EXIT_START;
    }
    return -1;
}

static void log_started(plasma_rootnode *node, const rc_daemon_config *cfg)
{
    plasma_chain_head h;
    plasma_rootnode_lock(node);
    plasma_chain_get_head(&h, plasma_rootnode_chain(node));
    plasma_rootnode_unlock(node);
    char port[24], head[24], ms[24], hash[67], url[96], data[PATH_MAX];
    snprintf(url, sizeof url, "http://%s:%llu", cfg->bind, (unsigned long long)cfg->port);
    if (!cfg->data_dir[0])
        snprintf(data, sizeof data, "(memory)");
    else if (!realpath(cfg->data_dir, data))
        snprintf(data, sizeof data, "%s", cfg->data_dir);
    rc_log(RC_LOG_INFO, "listening", "bind", cfg->bind, "port", u64s(port, cfg->port), "url", url, "dev",
           cfg->dev ? "true" : "false", "data_dir", data, "head", u64s(head, h.number), "head_hash",
           plasma_hash_format(hash, &h.hash), "mine_interval_ms", u64s(ms, cfg->mine_interval_ms), NULL);
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
    rc_log_set_level(cfg.log_level);
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
    if (status < 0) {
        log_started(node, &cfg);
        int sig = wait_for_signal(&set);
        rc_log(RC_LOG_INFO, "stopping", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM", NULL);
        status = 0;
    }
    plasma_http_server_free(srv);
    plasma_rootnode_free(node);
    if (status == 0)
        rc_log(RC_LOG_INFO, "stopped", NULL);
    return status;
}
