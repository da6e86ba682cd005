/* The operator's HTTP API under abuse, on loopback: attackers bound to
 * 127.0.0.2 and up hold many idle connections, trickle headers and bodies,
 * send thousands of malformed and oversized requests and floods of valid
 * but conflicting transactions, while a well-behaved client on 127.0.0.1
 * keeps paying. Throughout, every one of its payments and status requests
 * must be answered; at the end every acknowledged payment must be where it
 * was acknowledged, at most one of the conflicting ones accepted, and the
 * operator's RSS bounded. Prints its figures (p50/p99 of the payments,
 * RSS, attack counts) as one JSON line. About a minute. */
#include <pthread.h>
#include <stdatomic.h>

#include "itest_chain.h"

#define ATTACK_SECONDS 30
#define IDLE_CONNS 1500
#define IDLE_ADDRS 30 /* 127.0.0.2 .. 127.0.0.31 */
#define TRICKLE_CONNS 300
#define TRICKLE_ADDRS 10 /* 127.0.0.32 .. */
#define BODY_CONNS 40
#define FLOOD_THREADS 2
#define FLOOD_REQUESTS 2500 /* per thread */
#define CONFLICTING 120
#define RSS_BOUND_KB (1024 * 1024)
#define P99_BOUND_S 10.0 /* liveness only: a timing is reported, not asserted */

static it_daemon D;
static atomic_bool stop_attack;
static atomic_long flood_sent, flood_answered, flood_429, flood_413, idle_open, trickle_closed, conflict_ok,
    conflict_refused;
static atomic_long max_rss_kb;

static int connect_from(unsigned host, uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in src = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000000u | host)};
    struct sockaddr_in dst = {
        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0 ||
        connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void sleep_until_stop(void)
{
    while (!atomic_load(&stop_attack))
        it_sleep_ms(100);
}

/* --- attackers --- */

static void *idle_attacker(void *arg)
{
    (void)arg;
    static int fds[IDLE_CONNS];
    for (int i = 0; i < IDLE_CONNS; i++) {
        fds[i] = connect_from(2 + (unsigned)(i % IDLE_ADDRS), D.port);
        if (fds[i] >= 0)
            atomic_fetch_add(&idle_open, 1);
    }
    sleep_until_stop();
    for (int i = 0; i < IDLE_CONNS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return NULL;
}

static void *trickle_attacker(void *arg)
{
    (void)arg;
    static int fds[TRICKLE_CONNS];
    for (int i = 0; i < TRICKLE_CONNS; i++) {
        fds[i] = connect_from(32 + (unsigned)(i % TRICKLE_ADDRS), D.port);
        if (fds[i] >= 0 && !it_send_all(fds[i], "GET /v1/status HTTP/1.1\r\n", 25)) {
            close(fds[i]);
            fds[i] = -1;
        }
    }
    while (!atomic_load(&stop_attack)) {
        for (int s = 0; s < 50 && !atomic_load(&stop_attack); s++)
            it_sleep_ms(100);
        for (int i = 0; i < TRICKLE_CONNS; i++)
            if (fds[i] >= 0 && !it_send_all(fds[i], "X-Slow: 1\r\n", 11)) {
                close(fds[i]);
                fds[i] = -1;
                atomic_fetch_add(&trickle_closed, 1);
            }
    }
    for (int i = 0; i < TRICKLE_CONNS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return NULL;
}

static void *body_attacker(void *arg)
{
    (void)arg;
    int fds[BODY_CONNS];
    static const char head[] =
        "POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n{";
    for (int i = 0; i < BODY_CONNS; i++) {
        fds[i] = connect_from(42 + (unsigned)(i % 4), D.port);
        if (fds[i] >= 0 && !it_send_all(fds[i], head, sizeof head - 1)) {
            close(fds[i]);
            fds[i] = -1;
        }
    }
    while (!atomic_load(&stop_attack)) {
        it_sleep_ms(1000);
        for (int i = 0; i < BODY_CONNS; i++)
            if (fds[i] >= 0 && !it_send_all(fds[i], " ", 1)) {
                close(fds[i]);
                fds[i] = -1;
            }
    }
    for (int i = 0; i < BODY_CONNS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return NULL;
}

/* One malformed or oversized request of kind k; returns the status (0: the
 * connection was closed without an answer, which a refused one may be). */
static long flood_one(unsigned host, unsigned k, const char *big)
{
    int fd = connect_from(host, D.port);
    if (fd < 0)
        return 0;
    char req[512];
    int n = 0;
    switch (k % 6) {
    case 0:
        n = snprintf(req, sizeof req, "\x01\x02 garbage \xff\r\n\r\n");
        break;
    case 1:
        n = snprintf(req, sizeof req,
                     "POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: 9\r\nConnection: close\r\n\r\n{\"tx\": 1");
        break;
    case 2:
        n = snprintf(req, sizeof req,
                     "POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n");
        break;
    case 3:
        n = snprintf(req, sizeof req,
                     "POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: 18\r\nConnection: close\r\n\r\n{\"tx\": \"0xf8zz00\"}");
        break;
    case 4:
        n = snprintf(req, sizeof req, "GET /v1/blocks/%u%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                     k, "99999999999999999999999");
        break;
    default:
        n = snprintf(req, sizeof req,
                     "POST /v1/transactions/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     strlen(big));
        break;
    }
    bool ok = it_send_all(fd, req, (size_t)n);
    if (ok && k % 6 == 5)
        it_send_all(fd, big, strlen(big));
    shutdown(fd, SHUT_WR);
    it_resp r;
    long status = ok && it_read_resp(fd, &r) ? r.status : 0;
    if (status)
        it_resp_free(&r);
    close(fd);
    return status;
}

static void *flood_attacker(void *arg)
{
    unsigned base = 50 + 10 * (unsigned)(uintptr_t)arg;
    size_t big_len = 80 * 1024;
    char *big = malloc(big_len + 1);
    memset(big, 'a', big_len);
    big[big_len] = '\0';
    for (unsigned k = 0; k < FLOOD_REQUESTS && !atomic_load(&stop_attack); k++) {
        long st = flood_one(base + k % 10, k, big);
        atomic_fetch_add(&flood_sent, 1);
        if (st)
            atomic_fetch_add(&flood_answered, 1);
        if (st == 429)
            atomic_fetch_add(&flood_429, 1);
        if (st == 413)
            atomic_fetch_add(&flood_413, 1);
        if (st == 200)
            fail_msg("a malformed request of kind %u was accepted", k % 6);
        if (k % 8 == 7)
            it_sleep_ms(60);
    }
    free(big);
    return NULL;
}

typedef struct conflict_job {
    char **bodies;
    int from, to;
} conflict_job;

static void *conflict_attacker(void *arg)
{
    conflict_job *j = arg;
    for (int i = j->from; i < j->to; i++) {
        int fd = connect_from(80 + (unsigned)(i % 4), D.port);
        if (fd < 0)
            continue;
        char head[256];
        int n = snprintf(head, sizeof head,
                         "POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                         strlen(j->bodies[i]));
        it_resp r;
        if (it_send_all(fd, head, (size_t)n) && it_send_all(fd, j->bodies[i], strlen(j->bodies[i])) &&
            it_read_resp(fd, &r)) {
            if (r.status == 200)
                atomic_fetch_add(&conflict_ok, 1);
            else
                atomic_fetch_add(&conflict_refused, 1);
            it_resp_free(&r);
        }
        close(fd);
    }
    return NULL;
}

static void *rss_sampler(void *arg)
{
    (void)arg;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)D.pid);
    while (!atomic_load(&stop_attack)) {
        FILE *f = fopen(path, "r");
        char line[256];
        while (f && fgets(line, sizeof line, f))
            if (strncmp(line, "VmRSS:", 6) == 0) {
                long kb = strtol(line + 6, NULL, 10);
                if (kb > atomic_load(&max_rss_kb))
                    atomic_store(&max_rss_kb, kb);
            }
        if (f)
            fclose(f);
        it_sleep_ms(250);
    }
    return NULL;
}

/* --- the well-behaved client --- */

typedef struct acked {
    plasma_hash txhash;
    uint64_t blknum;
    uint64_t txindex;
} acked;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Pays its own output to itself again and again; every payment must be
 * answered 200. */
static size_t honest_payments(uint64_t pos, acked *out, size_t cap, double *lat, size_t *status_fail)
{
    size_t n = 0;
    double end = it_now() + ATTACK_SECONDS, next_status = 0;
    while (it_now() < end && n < cap) {
        plasma_hash h;
        unsigned key = 1;
        it_out o = {1, 0, 1000000};
        char *body = it_payment_body(&pos, &key, 1, &o, 1, &h);
        double t0 = it_now();
        it_resp r = it_post(&D, "/v1/transactions", body);
        lat[n] = it_now() - t0;
        free(body);
        if (r.status != 200)
            fail_msg("the well-behaved payment %zu got %ld: %s", n, r.status, r.body ? r.body : "(none)");
        out[n] = (acked){h, it_json_u64(r.json, "blknum"), it_json_u64(r.json, "txindex")};
        pos = plasma_utxo_pos(out[n].blknum, (uint32_t)out[n].txindex, 0);
        it_resp_free(&r);
        n++;
        if (it_now() >= next_status) {
            it_resp s = it_get(&D, "/v1/status");
            if (s.status != 200)
                (*status_fail)++;
            it_resp_free(&s);
            next_status = it_now() + 0.5;
        }
        it_sleep_ms(30);
    }
    return n;
}

static void check_acked(const acked *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char hex[67], path[96];
        snprintf(path, sizeof path, "/v1/transactions/%s", plasma_hash_format(hex, &a[i].txhash));
        it_resp r = it_get(&D, path);
        while (r.status == 429) { /* this client's own rate limit */
            it_resp_free(&r);
            it_sleep_ms(50);
            r = it_get(&D, path);
        }
        if (r.status != 200)
            fail_msg("acknowledged payment %zu is lost: %ld", i, r.status);
        assert_int_equal(it_json_u64(r.json, "blknum"), a[i].blknum);
        assert_int_equal(it_json_u64(r.json, "txindex"), a[i].txindex);
        it_resp_free(&r);
    }
}

/* One address past its request rate gets 429 rate_limited. */
static long burst_from_one_address(void)
{
    long limited = 0;
    for (int i = 0; i < 400; i++) {
        int fd = connect_from(90, D.port);
        if (fd < 0)
            continue;
        static const char req[] = "GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        it_resp r;
        if (it_send_all(fd, req, sizeof req - 1) && it_read_resp(fd, &r)) {
            limited += r.status == 429;
            it_resp_free(&r);
        }
        close(fd);
    }
    return limited;
}

static char **conflicting_bodies(uint64_t pos)
{
    char **b = calloc(CONFLICTING, sizeof *b);
    for (int i = 0; i < CONFLICTING; i++) {
        unsigned key = 2;
        it_out o = {3, 0, 1000000 - (uint64_t)i};
        b[i] = it_payment_body(&pos, &key, 1, &o, 1, NULL);
    }
    return b;
}

static void test_abuse(void **state)
{
    (void)state;
    const char *flags[] = {
        "--dev", "--admin-token",          "s3cret", "--log-level",        "error", "--seal-interval-ms",
        "500",   "--rc-block-interval-ms", "500",    "--max-conns",        "1024",  "--max-conns-per-ip",
        "16",    "--rate-per-ip",          "100",    "--header-timeout-s", "3",     "--body-timeout-s",
        "3",     "--idle-timeout-s",       "10",     "--max-body-kb",      "64",    NULL};
    it_start(&D, flags);
    uint64_t mine = it_rc_deposit(&D, 1, 0, 1000000);
    uint64_t theirs = it_rc_deposit(&D, 2, 0, 1000000);
    it_wait_utxo_status(&D, mine, 200, 15);
    it_wait_utxo_status(&D, theirs, 200, 15);
    char **bodies = conflicting_bodies(theirs);

    pthread_t t_idle, t_trickle, t_body, t_flood[FLOOD_THREADS], t_conf[2], t_rss;
    conflict_job jobs[2] = {{bodies, 0, CONFLICTING / 2}, {bodies, CONFLICTING / 2, CONFLICTING}};
    pthread_create(&t_rss, NULL, rss_sampler, NULL);
    pthread_create(&t_idle, NULL, idle_attacker, NULL);
    pthread_create(&t_trickle, NULL, trickle_attacker, NULL);
    pthread_create(&t_body, NULL, body_attacker, NULL);
    for (uintptr_t i = 0; i < FLOOD_THREADS; i++)
        pthread_create(&t_flood[i], NULL, flood_attacker, (void *)i);
    it_sleep_ms(1500); /* the idle and trickling connections are in place */
    for (int i = 0; i < 2; i++)
        pthread_create(&t_conf[i], NULL, conflict_attacker, &jobs[i]);

    static acked ok[20000];
    static double lat[20000];
    size_t status_fail = 0;
    size_t n = honest_payments(mine, ok, 20000, lat, &status_fail);

    atomic_store(&stop_attack, true);
    pthread_join(t_idle, NULL);
    pthread_join(t_trickle, NULL);
    pthread_join(t_body, NULL);
    for (int i = 0; i < FLOOD_THREADS; i++)
        pthread_join(t_flood[i], NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(t_conf[i], NULL);
    pthread_join(t_rss, NULL);

    check_acked(ok, n);
    long limited = burst_from_one_address();
    qsort(lat, n, sizeof *lat, cmp_double);
    double p50 = n ? lat[n / 2] : 0, p99 = n ? lat[(n * 99) / 100] : 0;
    printf("{\"honest_payments\": %zu, \"p50_ms\": %.1f, \"p99_ms\": %.1f, \"status_failures\": %zu, "
           "\"max_rss_mb\": %.1f, \"idle_conns_opened\": %ld, \"trickling_closed_by_server\": %ld, "
           "\"flood_sent\": %ld, \"flood_answered\": %ld, \"flood_429\": %ld, \"flood_413\": %ld, "
           "\"conflicting_accepted\": %ld, \"conflicting_refused\": %ld, \"burst_429\": %ld}\n",
           n, p50 * 1e3, p99 * 1e3, status_fail, (double)atomic_load(&max_rss_kb) / 1024.0,
           atomic_load(&idle_open), atomic_load(&trickle_closed), atomic_load(&flood_sent),
           atomic_load(&flood_answered), atomic_load(&flood_429), atomic_load(&flood_413),
           atomic_load(&conflict_ok), atomic_load(&conflict_refused), limited);
    fflush(stdout);

    assert_true(n >= 100);
    assert_int_equal(status_fail, 0);
    assert_true(p99 < P99_BOUND_S);
    assert_true(atomic_load(&max_rss_kb) > 0 && atomic_load(&max_rss_kb) < RSS_BOUND_KB);
    assert_true(atomic_load(&flood_sent) >= 2000);
    assert_true(atomic_load(&trickle_closed) > 0);
    assert_true(atomic_load(&conflict_ok) <= 1);
    assert_true(limited > 0);
    assert_true(atomic_load(&conflict_ok) + atomic_load(&conflict_refused) > 0);
    for (int i = 0; i < CONFLICTING; i++)
        free(bodies[i]);
    free(bodies);
    it_cleanup(&D);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_abuse)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
