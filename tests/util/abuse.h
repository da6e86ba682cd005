/* Attackers for the HTTP abuse tests of the daemons (plasma-operator,
 * plasma-rootchain): on loopback, each from its own source addresses
 * 127.0.0.2 and up, while the test's well-behaved client uses 127.0.0.1.
 *
 *   idle      holds many connections open without a byte (127.0.0.2..31)
 *   trickle   sends a request line, then a header line every 5 s (.32..41)
 *   body      announces a 1000-byte body and sends a byte a second (.42..45)
 *   flood     malformed and oversized requests as fast as allowed (.50..69)
 *   rss       samples the daemon's resident set
 *
 * Every counter is read after tu_abuse_stop. The attackers never fail the
 * test themselves (they run outside the test's thread); the test asserts on
 * the counters. */
#ifndef PLASMA_TEST_ABUSE_H
#define PLASMA_TEST_ABUSE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Where the malformed requests go. */
typedef struct tu_abuse_target {
    uint16_t port;
    pid_t pid;             /* whose RSS is sampled */
    const char *post_path; /* a POST route taking a JSON object */
    const char *get_path;  /* a GET route a path parameter follows ("/v1/blocks/") */
    size_t oversize;       /* a body this long is over the daemon's limit */
} tu_abuse_target;

#define TU_ABUSE_IDLE_CONNS 1500
#define TU_ABUSE_TRICKLE_CONNS 300
#define TU_ABUSE_BODY_CONNS 40
#define TU_ABUSE_FLOOD_THREADS 2

typedef struct tu_abuse {
    tu_abuse_target t;
    atomic_bool stop;
    atomic_int settled; /* attackers whose connections are in place */
    pthread_t idle, trickle, body, rss, flood[TU_ABUSE_FLOOD_THREADS];
    atomic_long idle_open;      /* idle connections the server took */
    atomic_long trickle_closed; /* trickling connections the server closed */
    atomic_long body_closed;    /* slow-body connections the server closed */
    atomic_long flood_sent, flood_answered, flood_429, flood_413;
    atomic_long flood_accepted; /* malformed requests answered 2xx: must stay 0 */
    atomic_long max_rss_kb;
} tu_abuse;

/* Starts every attacker against t. */
void tu_abuse_start(tu_abuse *a, const tu_abuse_target *t);
/* Waits (up to 60 s) until the idle, trickling and slow-body connections
 * are all opened. */
void tu_abuse_wait_settled(tu_abuse *a);
/* Stops and joins them; the connections they held are closed. */
void tu_abuse_stop(tu_abuse *a);
/* Prints the counters as JSON members ("\"flood_sent\": 1, …"), no braces. */
void tu_abuse_print(const tu_abuse *a, FILE *f);

/* Sends GET path requests from 127.0.0.host, four at a time, until one is
 * answered 429 or seconds have passed (a slow machine takes longer to go
 * past a rate); returns how many were answered 429. */
long tu_abuse_burst(uint16_t port, unsigned host, const char *path, double seconds);

/* The p-quantile (0..1) of the n values v, which it sorts; 0 when n is 0. */
double tu_quantile(double *v, size_t n, double p);

#endif
