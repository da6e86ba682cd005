#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
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

void tu_resp_free(tu_resp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

static int connect_at(struct sockaddr_in *src, uint16_t port, int timeout_s)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in dst = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {timeout_s, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (src)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if ((src && bind(fd, (struct sockaddr *)src, sizeof *src) != 0) ||
        connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int tu_connect(uint16_t port)
{
    return connect_at(NULL, port, 30);
}

int tu_connect_from(unsigned host, uint16_t port, int timeout_s)
{
    struct sockaddr_in src = {.sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(0x7f000000u | (host & 0xffffffu))};
    return connect_at(&src, port, timeout_s);
}

bool tu_send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

bool tu_read_resp(int fd, tu_resp *r)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        if (len + 1024 > cap) {
            buf = realloc(buf, cap *= 2);
            assert_non_null(buf);
        }
        ssize_t n = recv(fd, buf + len, cap - len - 1, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    memset(r, 0, sizeof *r);
    char *sep = strstr(buf, "\r\n\r\n");
    if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || !sep) {
        free(buf);
        return false;
    }
    r->status = strtol(buf + 9, NULL, 10);
    r->len = len - (size_t)(sep + 4 - buf);
    r->body = malloc(r->len + 1);
    assert_non_null(r->body);
    memcpy(r->body, sep + 4, r->len + 1);
    r->json = json_loadb(r->body, r->len, 0, NULL);
    free(buf);
    return true;
}

bool tu_request(uint16_t port, const char *method, const char *path, const char *body, size_t body_len,
                const char *ctype, const char *extra, tu_resp *r)
{
    int fd = tu_connect(port);
    if (fd < 0)
        return false;
    char head[1024];
    int n = snprintf(
        head, sizeof head,
        "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%s%sContent-Length: %zu\r\n\r\n",
        method, path, ctype ? "Content-Type: " : "", ctype ? ctype : "", ctype ? "\r\n" : "",
        extra ? extra : "", body ? body_len : 0);
    assert_true(n > 0 && (size_t)n < sizeof head);
    bool ok = tu_send_all(fd, head, (size_t)n);
    if (ok && body)
        tu_send_all(fd, body, body_len);
    shutdown(fd, SHUT_WR);
    ok = ok && tu_read_resp(fd, r);
    close(fd);
    return ok;
}

const char *tu_error_code(const tu_resp *r)
{
    json_t *e = json_object_get(json_object_get(r->json, "error"), "code");
    return json_is_string(e) ? json_string_value(e) : "";
}

int tu_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_rmtree(const char *dir)
{
    nftw(dir, tu_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

bool tu_file_contains(const char *path, const char *needle)
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
