/* plasma-rootchain's HTTP API under abuse, on loopback: attackers bound to
 * 127.0.0.2 and up hold many idle connections, trickle headers and bodies,
 * and flood it with malformed and oversized requests (tests/util/abuse.h),
 * while a well-behaved client on 127.0.0.1 keeps asking for the status and
 * sending signed calls (the operator's deposits and block submissions).
 * Throughout, every one of its requests must be answered, and a request
 * over the body limit must get 413 from its Content-Length alone; at the
 * end every call the node acknowledged must be mined with its nonce, one
 * address past its rate must get 429, and the daemon's RSS must have stayed
 * bounded. Prints its figures as one JSON line. About 30 s. */
#include <pthread.h>
#include <stdatomic.h>

#include "abuse.h"
#include "rc_itest.h"

#define ATTACK_SECONDS 25
#define MAX_CALLS 20000
#define RSS_BOUND_KB (1024 * 1024)
#define P99_BOUND_S 10.0 /* liveness only: a timing is reported, not asserted */
#define MAX_BODY "65536"

typedef struct good_client {
    plasma_rootchain_client *cli;
    plasma_call_domain cd;
    plasma_privkey key;
    plasma_addr addr;
    uint64_t nonce;
    plasma_hash acked[MAX_CALLS];
    size_t n_acked;
    double lat[2 * MAX_CALLS]; /* of every request: calls and status */
    size_t n_lat;
    size_t failures;
} good_client;

static good_client G;

/* The next call of the operator (development account 0): deposits, and a
 * block submission every tenth call, which keeps it under the 999
 * deposits of one interval however fast it goes. */
static void next_call(plasma_call *c, size_t i)
{
    if (i % 10 == 9) {
        plasma_call_init(c, PLASMA_CALL_SUBMIT_BLOCK, &G.addr, G.nonce, RCK_GWEI, RCK_GAS);
        memcpy(c->submit_block.root.b, &i, sizeof i);
    } else {
        plasma_call_init(c, PLASMA_CALL_DEPOSIT, &G.addr, G.nonce, RCK_GWEI, RCK_GAS);
        c->deposit.amount = rck_u(1000 + i);
    }
}

static void timed_status(void)
{
    plasma_rootchain_status s;
    double t0 = rci_now();
    int rc = plasma_rootchain_client_status(G.cli, &s);
    G.lat[G.n_lat++] = rci_now() - t0;
    if (rc != 0) {
        print_error("status: %s (%s)\n", plasma_err_code(rc), plasma_rootchain_client_errmsg(G.cli));
        G.failures++;
    }
}

static void timed_call(size_t i)
{
    plasma_call c;
    next_call(&c, i);
    plasma_hash h;
    double t0 = rci_now();
    int rc = plasma_rootchain_client_send(G.cli, &G.cd, &c, &G.key, &h, NULL);
    G.lat[G.n_lat++] = rci_now() - t0;
    if (rc != 0) {
        print_error("call %zu: %s (%s)\n", i, plasma_err_code(rc), plasma_rootchain_client_errmsg(G.cli));
        G.failures++;
        return;
    }
    G.acked[G.n_acked++] = h;
    G.nonce++;
}

/* POST /v1/calls announcing 100 MiB and sending nothing more: the answer
 * must come from the headers alone. */
static void expect_413_from_length(uint16_t port)
{
    int fd = tu_connect(port);
    assert_true(fd >= 0);
    static const char head[] =
        "POST /v1/calls HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 104857600\r\n\r\n";
    assert_true(tu_send_all(fd, head, sizeof head - 1));
    tu_resp r;
    assert_true(tu_read_resp(fd, &r));
    close(fd);
    assert_int_equal(r.status, 413);
    assert_string_equal(tu_error_code(&r), "payload_too_large");
    tu_resp_free(&r);
}

static void good_client_run(uint16_t port)
{
    double end = rci_now() + ATTACK_SECONDS, next_status = 0, next_413 = 0;
    for (size_t i = 0; rci_now() < end && i < MAX_CALLS; i++) {
        timed_call(i);
        if (rci_now() >= next_status) {
            timed_status();
            next_status = rci_now() + 0.5;
        }
        if (rci_now() >= next_413) {
            expect_413_from_length(port);
            next_413 = rci_now() + 5;
        }
        rci_sleep_ms(30);
    }
}

/* Every acknowledged call is mined, in nonce order. Polls at the node's
 * pace: the 127.0.0.1 client is under the same rate limit as anyone. */
static void check_acked(void)
{
    for (size_t i = 0; i < G.n_acked; i++) {
        plasma_receipt r;
        int rc;
        double deadline = rci_now() + 60;
        while ((rc = plasma_rootchain_client_wait_receipt(G.cli, &G.acked[i], 30000, &r)) ==
                   PLASMA_ERR_RATE_LIMITED &&
               rci_now() < deadline)
            rci_sleep_ms(50);
        if (rc != 0)
            fail_msg("acknowledged call %zu is lost: %s (%s)", i, plasma_err_code(rc),
                     plasma_rootchain_client_errmsg(G.cli));
        assert_int_equal(r.err, 0);
        assert_true(plasma_addr_eq(&r.from, &G.addr));
        assert_int_equal(r.nonce, i);
    }
}

static void test_abuse(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    rci_daemon d;
    rci_init(&d);
    const char *flags[] = {"--dev", "--mine-interval-ms", "200",    "--log-level",
                           "error", "--max-conns",        "1024",   "--max-conns-per-ip",
                           "16",    "--rate-per-ip",      "100",    "--header-timeout-s",
                           "3",     "--body-timeout-s",   "3",      "--idle-timeout-s",
                           "10",    "--max-body",         MAX_BODY, NULL};
    rci_start(&d, flags);
    memset(&G, 0, sizeof G);
    G.cli = d.cli;
    assert_int_equal(plasma_rootchain_client_domain(G.cli, &G.cd), 0);
    assert_int_equal(plasma_dev_key(&G.key, 0), 0);
    assert_int_equal(plasma_dev_addr(&G.addr, 0), 0);
    plasma_rootchain_status s;
    assert_int_equal(plasma_rootchain_client_status(G.cli, &s), 0);
    assert_true(plasma_addr_eq(&s.operator_addr, &G.addr));
    assert_int_equal(plasma_rootchain_client_nonce(G.cli, &G.addr, NULL, &G.nonce), 0);
    assert_int_equal(G.nonce, 0);

    tu_abuse ab;
    tu_abuse_target target = {.port = d.port,
                              .pid = d.pid,
                              .post_path = "/v1/calls",
                              .get_path = "/v1/blocks/",
                              .oversize = 80 * 1024};
    tu_abuse_start(&ab, &target);
    tu_abuse_wait_settled(&ab);
    good_client_run(d.port);
    tu_abuse_stop(&ab);

    check_acked();
    long limited = tu_abuse_burst(d.port, 90, "/v1/status", 30);
    double p50 = tu_quantile(G.lat, G.n_lat, 0.5), p99 = tu_quantile(G.lat, G.n_lat, 0.99);
    printf("{\"good_calls\": %zu, \"good_requests\": %zu, \"p50_ms\": %.1f, \"p99_ms\": %.1f, "
           "\"failures\": %zu, ",
           G.n_acked, G.n_lat, p50 * 1e3, p99 * 1e3, G.failures);
    tu_abuse_print(&ab, stdout);
    printf(", \"burst_429\": %ld}\n", limited);
    fflush(stdout);

    assert_int_equal(G.failures, 0);
    assert_true(G.n_acked >= 50);
    assert_true(p99 < P99_BOUND_S);
    assert_true(atomic_load(&ab.max_rss_kb) > 0 && atomic_load(&ab.max_rss_kb) < RSS_BOUND_KB);
    assert_true(atomic_load(&ab.idle_open) > 0);
    assert_true(atomic_load(&ab.flood_sent) >= 1000);
    assert_int_equal(atomic_load(&ab.flood_accepted), 0);
    assert_true(atomic_load(&ab.flood_413) > 0);
    assert_true(atomic_load(&ab.trickle_closed) > 0);
    assert_true(atomic_load(&ab.body_closed) > 0);
    assert_true(limited > 0);

    /* Still serving, and a clean stop. */
    assert_int_equal(plasma_rootchain_client_status(G.cli, &s), 0);
    assert_int_equal(rci_stop(&d, SIGTERM), 0);
    rci_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_abuse)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
