/* Running the real plasma-rootchain in integration tests: start it on a
 * free loopback port with a temporary data directory, wait until it
 * answers, stop it with a signal and collect its exit status. Header-only,
 * static. */
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
    uint16_t port;
    char dir[64];  /* temporary directory of the test */
    char data[96]; /* --data-dir */
    char log[96];  /* the daemon's stderr, appended over restarts */
    plasma_rootchain_client *cli;
} rci_daemon;

static inline void rci_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static inline double rci_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline uint16_t rci_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static inline void rci_init(rci_daemon *d)
{
    memset(d, 0, sizeof *d);
    snprintf(d->dir, sizeof d->dir, "/tmp/plasma-rc-it-XXXXXX");
    assert_non_null(mkdtemp(d->dir));
    snprintf(d->data, sizeof d->data, "%s/chain", d->dir);
    snprintf(d->log, sizeof d->log, "%s/daemon.log", d->dir);
    d->port = rci_free_port();
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", d->port);
    assert_int_equal(plasma_rootchain_client_new(&d->cli, url, 3000), 0);
}

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
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
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

/* Starts the daemon on d's port and data dir with extra flags (NULL-ended)
 * and waits until GET /v1/status answers. */
static inline void rci_start(rci_daemon *d, const char *const *extra)
{
    char port[8];
    snprintf(port, sizeof port, "%u", d->port);
    const char *args[RCI_MAX_ARGS + 1] = {"--port", port, "--data-dir", d->data};
    size_t n = 4;
    for (size_t i = 0; extra && extra[i] && n < RCI_MAX_ARGS; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    d->pid = rci_spawn(args, d->log);
    plasma_rootchain_status s;
    for (double t0 = rci_now(); rci_now() - t0 < 20;) {
        if (plasma_rootchain_client_status(d->cli, &s) == 0)
            return;
        int st;
        if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
            rci_track(0, d->pid);
            fail_msg("plasma-rootchain exited during start-up; see %s", d->log);
        }
        rci_sleep_ms(10);
    }
    fail_msg("plasma-rootchain did not answer within 20 s; see %s", d->log);
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

/* True when the file at path contains needle. */
static inline bool rci_file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, needle) != NULL;
    fclose(f);
    return found;
}

#endif
