/* plasma-operator: the child-chain operator daemon. See plasma/operator.h
 * and docs/operator.md. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/operator.h"

static plasma_operator *running;

static void on_signal(int sig)
{
    (void)sig;
    if (running)
        plasma_operator_request_stop(running);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
    plasma_operator_config cfg;
    char err[512];
    int rc = plasma_operator_config_parse(&cfg, argc, argv, stdout, err, sizeof err);
    if (rc == 1)
        return 0;
    if (rc < 0) {
        fprintf(stderr, "plasma-operator: %s\n", err);
        return 2;
    }
    install_signals();
    /* Batch bodies and replies are a few hundred KiB: above glibc's default
     * mmap threshold each would be mapped and zeroed afresh per request. */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    rc = plasma_operator_start(&running, &cfg, err, sizeof err);
    memset(cfg.operator_key, 0, sizeof cfg.operator_key);
    if (rc < 0) {
        fprintf(stderr, "plasma-operator: %s\n", err);
        return rc == PLASMA_ERR_CONFIG ? 2 : 1;
    }
    plasma_operator_wait(running);
    plasma_operator *op = running;
    running = NULL;
    plasma_operator_free(op);
    return 0;
}
