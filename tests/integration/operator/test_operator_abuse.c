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

#include "abuse.h"
#include "itest_chain.h"

#define ATTACK_SECONDS 30
#define CONFLICTING 120
#define RSS_BOUND_KB (1024 * 1024)
#define P99_BOUND_S 10.0 /* liveness only: a timing is reported, not asserted */

static it_daemon D;
static atomic_long conflict_ok, conflict_refused;

typedef struct conflict_job {
    char **bodies;
    int from, to;
} conflict_job;

static void *conflict_attacker(void *arg)
{
    conflict_job *j = arg;
    for (int i = j->from; i < j->to; i++) {
        int fd = tu_connect_from(80 + (unsigned)(i % 4), D.port, 5);
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

/* --- the well-behaved client --- */

typedef struct acked {
    plasma_hash txhash;
    uint64_t blknum;
    uint64_t txindex;
} acked;

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

    tu_abuse ab;
    tu_abuse_target target = {.port = D.port,
                              .pid = D.pid,
                              .post_path = "/v1/transactions",
                              .get_path = "/v1/blocks/",
                              .oversize = 80 * 1024};
    tu_abuse_start(&ab, &target);
    /* The conflicting payments start once the idle and trickling
     * connections are in place. */
    tu_abuse_wait_settled(&ab);
    pthread_t t_conf[2];
    conflict_job jobs[2] = {{bodies, 0, CONFLICTING / 2}, {bodies, CONFLICTING / 2, CONFLICTING}};
    for (int i = 0; i < 2; i++)
        pthread_create(&t_conf[i], NULL, conflict_attacker, &jobs[i]);

    static acked ok[20000];
    static double lat[20000];
    size_t status_fail = 0;
    size_t n = honest_payments(mine, ok, 20000, lat, &status_fail);

    tu_abuse_stop(&ab);
    for (int i = 0; i < 2; i++)
        pthread_join(t_conf[i], NULL);

    check_acked(ok, n);
    long limited = tu_abuse_burst(D.port, 90, "/v1/status", 30);
    double p50 = tu_quantile(lat, n, 0.5), p99 = tu_quantile(lat, n, 0.99);
    printf("{\"honest_payments\": %zu, \"p50_ms\": %.1f, \"p99_ms\": %.1f, \"status_failures\": %zu, ", n,
           p50 * 1e3, p99 * 1e3, status_fail);
    tu_abuse_print(&ab, stdout);
    printf(", \"conflicting_accepted\": %ld, \"conflicting_refused\": %ld, \"burst_429\": %ld}\n",
           atomic_load(&conflict_ok), atomic_load(&conflict_refused), limited);
    fflush(stdout);

    assert_true(n >= 100);
    assert_int_equal(status_fail, 0);
    assert_true(p99 < P99_BOUND_S);
    assert_true(atomic_load(&ab.max_rss_kb) > 0 && atomic_load(&ab.max_rss_kb) < RSS_BOUND_KB);
    assert_true(atomic_load(&ab.flood_sent) >= 2000);
    assert_int_equal(atomic_load(&ab.flood_accepted), 0);
    assert_true(atomic_load(&ab.flood_413) > 0);
    assert_true(atomic_load(&ab.trickle_closed) > 0);
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
