/* Integration-test helpers: run the real plasma-operator binary on
 * 127.0.0.1 with a temporary data directory, and talk to it over plain HTTP
 * (a raw socket client, so that tests control every byte: bad bodies, wrong
 * headers, slow clients). Header-only, static. */
#ifndef PLASMA_ITEST_H
#define PLASMA_ITEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plasma/core.h"
#include "testutil.h"

#ifndef PLASMA_OPERATOR_BIN
#error "PLASMA_OPERATOR_BIN must name the plasma-operator binary"
#endif

typedef struct it_daemon {
    pid_t pid;
    uint16_t port;
    char dir[64];
    char data[128];
    char log[128];
    char port_file[128];
    char *args[48]; /* extra flags, kept for restarts */
    int n_args;
} it_daemon;

/* Short names of the shared helpers (testutil.h). */
static inline uint16_t it_free_port(void)
{
    return tu_free_port();
}

static inline double it_now(void)
{
    return tu_now();
}

static inline void it_sleep_ms(long ms)
{
    tu_sleep_ms(ms);
}

/* --- raw HTTP --- */

/* The shared raw HTTP client (testutil.h) under this file's names. */
typedef tu_resp it_resp;
#define it_resp_free tu_resp_free
#define it_connect tu_connect
#define it_send_all tu_send_all
#define it_read_resp tu_read_resp
#define it_request tu_request

static inline it_resp it_get(const it_daemon *d, const char *path)
{
    it_resp r;
    if (!it_request(d->port, "GET", path, NULL, 0, NULL, NULL, &r))
        fail_msg("GET %s: no response", path);
    return r;
}

static inline it_resp it_post(const it_daemon *d, const char *path, const char *body)
{
    it_resp r;
    if (!it_request(d->port, "POST", path, body, strlen(body), "application/json", NULL, &r))
        fail_msg("POST %s: no response", path);
    return r;
}

#define it_code tu_error_code

#define it_assert_error(resp, want_status, want_code)                                                        \
    do {                                                                                                     \
        if ((resp).status != (want_status) || strcmp(it_code(&(resp)), (want_code)) != 0)                    \
            fail_msg("expected %d %s, got %ld %s", (int)(want_status), (want_code), (resp).status,           \
                     (resp).body ? (resp).body : "(none)");                                                  \
    } while (0)

/* --- the daemon --- */

/* The shared helpers (testutil.h) under this file's names. */
#define it_file_contains tu_file_contains
#define it_rm_cb tu_rm_entry

/* Daemons still running when a failed assertion ends the test program are
 * killed at its exit: a daemon left behind would load the machine the rest
 * of the suite runs on. */
#define IT_MAX_LIVE 16
static pid_t it_live[IT_MAX_LIVE];

static inline void it_kill_live(void)
{
    for (int i = 0; i < IT_MAX_LIVE; i++)
        if (it_live[i] > 0)
            kill(it_live[i], SIGKILL);
}

/* Replaces the tracked pid old (0: a free slot) with pid. */
static inline void it_track(pid_t pid, pid_t old)
{
    static bool registered;
    if (!registered)
        registered = atexit(it_kill_live) == 0;
    for (int i = 0; i < IT_MAX_LIVE; i++)
        if (it_live[i] == old) {
            it_live[i] = pid;
            return;
        }
}

/* The daemon's process was waited for. */
static inline void it_reaped(it_daemon *d)
{
    it_track(0, d->pid);
    d->pid = 0;
}

/* Spawns the daemon on port (0: the system picks one), reporting its port
 * in d->port_file. */
static inline void it_spawn_on(it_daemon *d, uint16_t port)
{
    char port_s[16];
    snprintf(port_s, sizeof port_s, "%u", port);
    const char *argv[64] = {PLASMA_OPERATOR_BIN, "--port",     port_s, "--port-file",
                            d->port_file,        "--data-dir", d->data};
    int argc = 7;
    for (int i = 0; i < d->n_args; i++)
        argv[argc++] = d->args[i];
    argv[argc] = NULL;
    unlink(d->port_file);
    d->pid = tu_spawn(argv, d->log);
    it_track(d->pid, 0);
}

/* Waits until the daemon reports its port and its API answers /v1/status.
 * Returns 1 when ready, 0 when the daemon exited (its status in *status),
 * -1 after 30 s. */
static inline int it_poll_ready(it_daemon *d, int *status)
{
    double deadline = it_now() + 30;
    int rc = tu_wait_port_file(d->port_file, d->pid, 30, &d->port, status);
    if (rc <= 0) {
        if (rc == 0)
            it_reaped(d);
        return rc;
    }
    while (it_now() < deadline) {
        it_resp r;
        if (it_request(d->port, "GET", "/v1/status", NULL, 0, NULL, NULL, &r)) {
            long st = r.status;
            it_resp_free(&r);
            if (st == 200)
                return 1;
        }
        if (waitpid(d->pid, status, WNOHANG) == d->pid) {
            it_reaped(d);
            return 0;
        }
        it_sleep_ms(20);
    }
    return -1;
}

static inline void it_wait_ready(it_daemon *d)
{
    int status = 0, rc = it_poll_ready(d, &status);
    if (rc == 0)
        fail_msg("plasma-operator exited early (status %d); log in %s", status, d->log);
    if (rc < 0)
        fail_msg("plasma-operator did not become ready; log in %s", d->log);
}

/* Starts a daemon with extra flags (NULL-terminated) in a new directory,
 * on a port the system picks. */
static inline void it_start(it_daemon *d, const char *const *extra)
{
    memset(d, 0, sizeof *d);
    snprintf(d->dir, sizeof d->dir, "/tmp/plasma-itest-XXXXXX");
    assert_non_null(mkdtemp(d->dir));
    snprintf(d->data, sizeof d->data, "%s/data", d->dir);
    snprintf(d->log, sizeof d->log, "%s/operator.log", d->dir);
    snprintf(d->port_file, sizeof d->port_file, "%s/port", d->dir);
    for (; extra && extra[d->n_args]; d->n_args++)
        d->args[d->n_args] = strdup(extra[d->n_args]);
    it_spawn_on(d, 0);
    it_wait_ready(d);
}

static inline int it_wait_exit(it_daemon *d, double seconds)
{
    double deadline = it_now() + seconds;
    int status = -1;
    while (it_now() < deadline) {
        if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
            it_reaped(d);
            return status;
        }
        it_sleep_ms(10);
    }
    return -1;
}

static inline void it_stop(it_daemon *d)
{
    if (d->pid <= 0)
        return;
    kill(d->pid, SIGTERM);
    if (it_wait_exit(d, 20) < 0) {
        kill(d->pid, SIGKILL);
        waitpid(d->pid, NULL, 0);
        it_reaped(d);
        fail_msg("plasma-operator did not stop on SIGTERM");
    }
}

static inline void it_kill(it_daemon *d)
{
    if (d->pid <= 0)
        return;
    kill(d->pid, SIGKILL);
    waitpid(d->pid, NULL, 0);
    it_reaped(d);
}

/* Starts the stopped daemon again on its data. It asks for the port it
 * had, so that URLs handed out stay valid; only when another process took
 * that port meanwhile does it take a new one (d->port tells). */
static inline void it_restart(it_daemon *d)
{
    it_spawn_on(d, d->port);
    int status = 0, rc = it_poll_ready(d, &status);
    if (rc == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 1 &&
        it_file_contains(d->log, "cannot listen")) {
        it_spawn_on(d, 0);
        rc = it_poll_ready(d, &status);
    }
    if (rc == 0)
        fail_msg("plasma-operator exited early (status %d); log in %s", status, d->log);
    if (rc < 0)
        fail_msg("plasma-operator did not become ready; log in %s", d->log);
}

static inline void it_cleanup(it_daemon *d)
{
    it_kill(d);
    for (int i = 0; i < d->n_args; i++)
        free(d->args[i]);
    d->n_args = 0;
    if (d->dir[0] && !getenv("PLASMA_ITEST_KEEP"))
        tu_rmtree(d->dir);
}

/* --- transactions --- */

static inline char *it_hex(const uint8_t *data, size_t len)
{
    char *s = malloc(2 * len + 3);
    plasma_hex_encode(s, data, len);
    return s;
}

/* {"tx": "0x<rlp>"} for the given RLP bytes. */
static inline char *it_tx_body(const uint8_t *rlp, size_t len)
{
    char *hex = it_hex(rlp, len);
    char *body = malloc(strlen(hex) + 16);
    sprintf(body, "{\"tx\":\"%s\"}", hex);
    free(hex);
    return body;
}

#endif
