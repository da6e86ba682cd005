/* Running the real plasma-rootchain in integration tests: start it on a
 * loopback port it picks and reports (--port 0 --port-file) with a
 * temporary data directory, wait until it answers, stop it with a signal and collect its exit status.
 * Header-only, static. */
#ifndef PLASMA_RC_ITEST_H
#define PLASMA_RC_ITEST_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "test_rootchain_kit.h"

#ifndef PLASMA_ROOTCHAIN_BIN
#error "PLASMA_ROOTCHAIN_BIN must name the plasma-rootchain binary"
#endif

#define RCI_MAX_ARGS 32

typedef struct rci_daemon {
    pid_t pid;
    uint16_t port; /* 0 before the first start */
    char dir[64];  /* temporary directory of the test */
    char data[96]; /* --data-dir */
    char log[96];  /* the daemon's stderr, appended over restarts */
    char port_file[96];
    plasma_rootchain_client *cli;
} rci_daemon;

static inline void rci_sleep_ms(long ms)
{
    tu_sleep_ms(ms);
}

static inline double rci_now(void)
{
    return tu_now();
}

/* The daemon has no port until it is started (the system picks one). */
static inline void rci_init(rci_daemon *d)
{
    memset(d, 0, sizeof *d);
    snprintf(d->dir, sizeof d->dir, "/tmp/plasma-rc-it-XXXXXX");
    assert_non_null(mkdtemp(d->dir));
    snprintf(d->data, sizeof d->data, "%s/chain", d->dir);
    snprintf(d->log, sizeof d->log, "%s/daemon.log", d->dir);
    snprintf(d->port_file, sizeof d->port_file, "%s/port", d->dir);
}

#define rci_file_contains tu_file_contains

/* Daemons still running when a failed assertion ends the test are killed
 * at exit, so that no test leaves a process behind. */
#define RCI_MAX_LIVE 16
static pid_t rci_live[RCI_MAX_LIVE];

static inline void rci_kill_live(void)
{
    for (int i = 0; i < RCI_MAX_LIVE; i++)
        if (rci_live[i] > 0)
            kill(rci_live[i], SIGKILL);
}

static inline void rci_track(pid_t pid, pid_t replace)
{
    static bool registered;
    if (!registered)
        registered = atexit(rci_kill_live) == 0;
    for (int i = 0; i < RCI_MAX_LIVE; i++) {
        if (rci_live[i] == replace) {
            rci_live[i] = pid;
            return;
        }
    }
}

/* Runs the binary with argv (NULL-terminated, without argv[0]); its stdout
 * and stderr go to out_path (appended). Returns the child's pid. */
static inline pid_t rci_spawn(const char *const *args, const char *out_path)
{
    const char *argv[RCI_MAX_ARGS + 2] = {PLASMA_ROOTCHAIN_BIN};
    size_t n = 1;
    for (; args[n - 1] && n <= RCI_MAX_ARGS; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    pid_t pid = tu_spawn(argv, out_path);
    rci_track(pid, 0);
    return pid;
}

/* Waits for pid to end; returns its exit status, or 128 + signal. */
static inline int rci_wait(pid_t pid)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    rci_track(0, pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Runs the binary to completion; returns its exit status. */
static inline int rci_run(const char *const *args, const char *out_path)
{
    return rci_wait(rci_spawn(args, out_path));
}

/* Spawns the daemon on port (0: the system picks) and waits for the port
 * it reports. Returns 1, or 0 when it exited first (status in *st). */
static inline int rci_spawn_on(rci_daemon *d, uint16_t port, const char *const *extra, int *st)
{
    char port_s[8];
    snprintf(port_s, sizeof port_s, "%u", port);
    const char *args[RCI_MAX_ARGS + 1] = {"--port",     port_s,       "--port-file",
                                          d->port_file, "--data-dir", d->data};
    size_t n = 6;
    for (size_t i = 0; extra && extra[i] && n < RCI_MAX_ARGS; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    unlink(d->port_file);
    d->pid = rci_spawn(args, d->log);
    uint16_t got = 0;
    int rc = tu_wait_port_file(d->port_file, d->pid, 30, &got, st);
    if (rc < 0)
        fail_msg("plasma-rootchain did not report its port within 30 s; see %s", d->log);
    if (rc == 0) {
        rci_track(0, d->pid);
        d->pid = 0;
        return 0;
    }
    if (got != d->port || !d->cli) {
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%u", got);
        plasma_rootchain_client_free(d->cli);
        d->port = got;
        assert_int_equal(plasma_rootchain_client_new(&d->cli, url, 3000), 0);
    }
    return 1;
}

/* Starts the daemon on d's data dir with extra flags (NULL-ended) and
 * waits until GET /v1/status answers. The first start takes a port the
 * system picks; a restart asks for the same one, so that URLs handed out
 * stay valid, and takes a new one only when another process holds it. */
static inline void rci_start(rci_daemon *d, const char *const *extra)
{
    int st = 0;
    if (!rci_spawn_on(d, d->port, extra, &st) &&
        !(d->port && WIFEXITED(st) && WEXITSTATUS(st) == 1 && rci_file_contains(d->log, "cannot listen") &&
          rci_spawn_on(d, 0, extra, &st)))
        fail_msg("plasma-rootchain exited during start-up (status %d); see %s", st, d->log);
    plasma_rootchain_status s;
    for (double t0 = rci_now(); rci_now() - t0 < 30;) {
        if (plasma_rootchain_client_status(d->cli, &s) == 0)
            return;
        int wst;
        if (waitpid(d->pid, &wst, WNOHANG) == d->pid) {
            rci_track(0, d->pid);
            d->pid = 0;
            fail_msg("plasma-rootchain exited during start-up; see %s", d->log);
        }
        rci_sleep_ms(10);
    }
    fail_msg("plasma-rootchain did not answer within 30 s; see %s", d->log);
}

/* Sends sig and returns the exit status. */
static inline int rci_stop(rci_daemon *d, int sig)
{
    assert_true(d->pid > 0);
    assert_int_equal(kill(d->pid, sig), 0);
    int st = rci_wait(d->pid);
    d->pid = 0;
    return st;
}

static inline void rci_free(rci_daemon *d)
{
    if (d->pid > 0)
        rci_stop(d, SIGKILL);
    plasma_rootchain_client_free(d->cli);
    d->cli = NULL;
    rck_rmtree(d->dir);
}

#endif
