#include "abuse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"

#define IDLE_ADDRS 30       /* 127.0.0.2 .. 127.0.0.31 */
#define TRICKLE_ADDRS 10    /* 127.0.0.32 .. 127.0.0.41 */
#define BODY_ADDRS 4        /* 127.0.0.42 .. 127.0.0.45 */
#define FLOOD_REQUESTS 2500 /* per thread */

static bool stopping(tu_abuse *a)
{
    return atomic_load(&a->stop);
}

/* Sleeps up to ms, returning early once the attack stops. */
static void nap(tu_abuse *a, long ms)
{
    for (; ms > 0 && !stopping(a); ms -= 100)
        tu_sleep_ms(ms < 100 ? ms : 100);
}

static void close_all(int *fds, int n)
{
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

static void *idle_attacker(void *arg)
{
    tu_abuse *a = arg;
    static int fds[TU_ABUSE_IDLE_CONNS];
    for (int i = 0; i < TU_ABUSE_IDLE_CONNS; i++) {
        fds[i] = tu_connect_from(2 + (unsigned)(i % IDLE_ADDRS), a->t.port, 5);
        if (fds[i] >= 0)
            atomic_fetch_add(&a->idle_open, 1);
    }
    atomic_fetch_add(&a->settled, 1);
    while (!stopping(a))
        nap(a, 1000);
    close_all(fds, TU_ABUSE_IDLE_CONNS);
    return NULL;
}

/* Sends the piece on every connection still open; counts those the server
 * closed. */
static void feed(int *fds, int n, const char *piece, atomic_long *closed)
{
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0 && !tu_send_all(fds[i], piece, strlen(piece))) {
            close(fds[i]);
            fds[i] = -1;
            if (closed)
                atomic_fetch_add(closed, 1);
        }
}

static void *trickle_attacker(void *arg)
{
    tu_abuse *a = arg;
    static int fds[TU_ABUSE_TRICKLE_CONNS];
    for (int i = 0; i < TU_ABUSE_TRICKLE_CONNS; i++)
        fds[i] = tu_connect_from(32 + (unsigned)(i % TRICKLE_ADDRS), a->t.port, 5);
    feed(fds, TU_ABUSE_TRICKLE_CONNS, "GET /v1/status HTTP/1.1\r\n", NULL);
    atomic_fetch_add(&a->settled, 1);
    while (!stopping(a)) {
        nap(a, 5000);
        feed(fds, TU_ABUSE_TRICKLE_CONNS, "X-Slow: 1\r\n", &a->trickle_closed);
    }
    close_all(fds, TU_ABUSE_TRICKLE_CONNS);
    return NULL;
}

static void *body_attacker(void *arg)
{
    tu_abuse *a = arg;
    int fds[TU_ABUSE_BODY_CONNS];
    char head[256];
    snprintf(head, sizeof head,
             "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
             a->t.post_path);
    for (int i = 0; i < TU_ABUSE_BODY_CONNS; i++)
        fds[i] = tu_connect_from(42 + (unsigned)(i % BODY_ADDRS), a->t.port, 5);
    feed(fds, TU_ABUSE_BODY_CONNS, head, NULL);
    atomic_fetch_add(&a->settled, 1);
    while (!stopping(a)) {
        nap(a, 1000);
        feed(fds, TU_ABUSE_BODY_CONNS, " ", &a->body_closed);
    }
    close_all(fds, TU_ABUSE_BODY_CONNS);
    return NULL;
}

/* One malformed or oversized request of kind k % 6; returns the status (0:
 * the connection was closed without an answer, which a refused one may
 * be). */
static long flood_one(const tu_abuse_target *t, unsigned host, unsigned k, const char *big)
{
    int fd = tu_connect_from(host, t->port, 5);
    if (fd < 0)
        return 0;
    static const char post[] = "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                               "Content-Length: %zu\r\nConnection: close\r\n\r\n%s";
    char req[512];
    int n = 0;
    switch (k % 6) {
    case 0:
        n = snprintf(req, sizeof req, "\x01\x02 garbage \xff\r\n\r\n");
        break;
    case 1: /* JSON cut short */
        n = snprintf(req, sizeof req, post, t->post_path, (size_t)8, "{\"tx\": 1");
        break;
    case 2: /* over the limit by Content-Length alone: no body follows */
        n = snprintf(req, sizeof req, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n",
                     t->post_path);
        break;
    case 3: /* well-formed JSON, bad hex */
        n = snprintf(req, sizeof req, post, t->post_path,
                     strlen("{\"tx\": \"0xf8zz\", \"call\": \"0xf8zz\"}"),
                     "{\"tx\": \"0xf8zz\", \"call\": \"0xf8zz\"}");
        break;
    case 4:
        n = snprintf(req, sizeof req, "GET %s%u%s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                     t->get_path, k, "99999999999999999999999");
        break;
    default: /* an oversized body, sent whole */
        n = snprintf(req, sizeof req, post, t->post_path, strlen(big), "");
        break;
    }
    bool ok = tu_send_all(fd, req, (size_t)n);
    if (ok && k % 6 == 5)
        tu_send_all(fd, big, strlen(big));
    shutdown(fd, SHUT_WR);
    tu_resp r;
    long status = ok && tu_read_resp(fd, &r) ? r.status : 0;
    if (status)
        tu_resp_free(&r);
    close(fd);
    return status;
}

typedef struct flood_arg {
    tu_abuse *a;
    unsigned index;
} flood_arg;

static void *flood_attacker(void *arg)
{
    flood_arg *f = arg;
    tu_abuse *a = f->a;
    unsigned base = 50 + 10 * f->index;
    char *big = malloc(a->t.oversize + 1);
    if (!big)
        return NULL;
    memset(big, 'a', a->t.oversize);
    big[a->t.oversize] = '\0';
    for (unsigned k = 0; k < FLOOD_REQUESTS && !stopping(a); k++) {
        long st = flood_one(&a->t, base + k % 10, k, big);
        atomic_fetch_add(&a->flood_sent, 1);
        atomic_fetch_add(&a->flood_answered, st != 0);
        atomic_fetch_add(&a->flood_429, st == 429);
        atomic_fetch_add(&a->flood_413, st == 413);
        atomic_fetch_add(&a->flood_accepted, st >= 200 && st < 300);
        if (k % 8 == 7)
            tu_sleep_ms(60);
    }
    free(big);
    return NULL;
}

static void *rss_sampler(void *arg)
{
    tu_abuse *a = arg;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)a->t.pid);
    while (!stopping(a)) {
        FILE *f = fopen(path, "r");
        char line[256];
        while (f && fgets(line, sizeof line, f))
            if (strncmp(line, "VmRSS:", 6) == 0) {
                long kb = strtol(line + 6, NULL, 10);
                if (kb > atomic_load(&a->max_rss_kb))
                    atomic_store(&a->max_rss_kb, kb);
            }
        if (f)
            fclose(f);
        tu_sleep_ms(250);
    }
    return NULL;
}

static flood_arg flood_args[TU_ABUSE_FLOOD_THREADS];

void tu_abuse_start(tu_abuse *a, const tu_abuse_target *t)
{
    memset(a, 0, sizeof *a);
    a->t = *t;
    atomic_store(&a->stop, false);
    assert_int_equal(pthread_create(&a->rss, NULL, rss_sampler, a), 0);
    assert_int_equal(pthread_create(&a->idle, NULL, idle_attacker, a), 0);
    assert_int_equal(pthread_create(&a->trickle, NULL, trickle_attacker, a), 0);
    assert_int_equal(pthread_create(&a->body, NULL, body_attacker, a), 0);
    for (unsigned i = 0; i < TU_ABUSE_FLOOD_THREADS; i++) {
        flood_args[i] = (flood_arg){a, i};
        assert_int_equal(pthread_create(&a->flood[i], NULL, flood_attacker, &flood_args[i]), 0);
    }
}

void tu_abuse_wait_settled(tu_abuse *a)
{
    double deadline = tu_now() + 60;
    while (atomic_load(&a->settled) < 3 && tu_now() < deadline)
        tu_sleep_ms(20);
    assert_int_equal(atomic_load(&a->settled), 3);
}

void tu_abuse_stop(tu_abuse *a)
{
    atomic_store(&a->stop, true);
    pthread_join(a->idle, NULL);
    pthread_join(a->trickle, NULL);
    pthread_join(a->body, NULL);
    for (int i = 0; i < TU_ABUSE_FLOOD_THREADS; i++)
        pthread_join(a->flood[i], NULL);
    pthread_join(a->rss, NULL);
}

void tu_abuse_print(const tu_abuse *a, FILE *f)
{
    fprintf(f,
            "\"max_rss_mb\": %.1f, \"idle_conns_opened\": %ld, \"trickling_closed_by_server\": %ld, "
            "\"slow_bodies_closed_by_server\": %ld, \"flood_sent\": %ld, \"flood_answered\": %ld, "
            "\"flood_429\": %ld, \"flood_413\": %ld",
            (double)atomic_load(&a->max_rss_kb) / 1024.0, atomic_load(&a->idle_open),
            atomic_load(&a->trickle_closed), atomic_load(&a->body_closed), atomic_load(&a->flood_sent),
            atomic_load(&a->flood_answered), atomic_load(&a->flood_429), atomic_load(&a->flood_413));
}

typedef struct burst {
    uint16_t port;
    unsigned host;
    char req[256];
    int len;
    double deadline;
    atomic_long sent, limited;
} burst;

static void *burst_thread(void *arg)
{
    burst *b = arg;
    while (atomic_load(&b->limited) == 0 && tu_now() < b->deadline) {
        int fd = tu_connect_from(b->host, b->port, 5);
        if (fd < 0)
            continue;
        tu_resp r;
        if (tu_send_all(fd, b->req, (size_t)b->len) && tu_read_resp(fd, &r)) {
            atomic_fetch_add(&b->limited, r.status == 429);
            tu_resp_free(&r);
        }
        atomic_fetch_add(&b->sent, 1);
        close(fd);
    }
    return NULL;
}

long tu_abuse_burst(uint16_t port, unsigned host, const char *path, double seconds)
{
    static burst b;
    b = (burst){.port = port, .host = host, .deadline = tu_now() + seconds};
    b.len = snprintf(b.req, sizeof b.req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, burst_thread, &b), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    return atomic_load(&b.limited);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double tu_quantile(double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(p * (double)n);
    return v[i < n ? i : n - 1];
}
