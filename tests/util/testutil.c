#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

json_t *tu_load_json(const char *relpath)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", PLASMA_VECTORS_DIR, relpath);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root)
        fail_msg("cannot load %s: %s (line %d)", path, err.text, err.line);
    return root;
}

uint8_t *tu_hex(const char *hex, size_t *len)
{
    uint8_t *out = NULL;
    int rc = plasma_hex_decode_alloc(&out, len, hex);
    if (rc != 0)
        fail_msg("bad hex in vector: %.40s", hex);
    return out;
}

void tu_assert_hex_at(const uint8_t *bytes, size_t len, const char *expected, const char *file, int line)
{
    char *got = malloc(2 * len + 3);
    assert_non_null(got);
    plasma_hex_encode(got, bytes, len);
    if (strcmp(got, expected) != 0) {
        print_error("%s:%d: bytes differ\n  got      %s\n  expected %s\n", file, line, got, expected);
        free(got);
        _fail(file, line);
    }
    free(got);
}

const char *tu_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s)
        fail_msg("vector lacks string member '%s'", key);
    return s;
}

uint64_t tu_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

uint64_t tu_seed(const char *what, uint64_t def)
{
    const char *env = getenv("PLASMA_TEST_SEED");
    uint64_t seed = env && *env ? strtoull(env, NULL, 0) : def;
    printf("%s: seed %llu (rerun with PLASMA_TEST_SEED=%llu)\n", what, (unsigned long long)seed,
           (unsigned long long)seed);
    fflush(stdout);
    return seed;
}

double tu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void tu_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

uint16_t tu_free_port(void)
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

pid_t tu_spawn(const char *const *argv, const char *log_path)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* The port in the file: one decimal number 1..65535 and a newline. */
static bool read_port_file(const char *path, uint16_t *port)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[16] = {0};
    bool ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    char *end = NULL;
    long v = ok ? strtol(line, &end, 10) : 0;
    if (!ok || end == line || *end != '\n' || v < 1 || v > 65535)
        return false;
    *port = (uint16_t)v;
    return true;
}

int tu_wait_port_file(const char *port_file, pid_t pid, double seconds, uint16_t *port, int *status)
{
    double deadline = tu_now() + seconds;
    for (long wait_ms = 1;; wait_ms = wait_ms < 20 ? wait_ms * 2 : 20) {
        if (read_port_file(port_file, port))
            return 1;
        if (waitpid(pid, status, WNOHANG) == pid)
            return 0;
        if (tu_now() > deadline)
            return -1;
        tu_sleep_ms(wait_ms);
    }
}
