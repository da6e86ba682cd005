#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
