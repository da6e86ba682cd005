/* The server's defences against abusive clients (see plasma_http_config):
 * deadlines for a request's headers and body, enforced by a reaper thread
 * that shuts the socket of an overdue connection, and a token bucket of
 * requests per client address. Internal to plasma_http. */
#ifndef PLASMA_HTTP_LIMITS_H
#define PLASMA_HTTP_LIMITS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum conn_phase { PHASE_HEADERS, PHASE_BODY, PHASE_HANDLER } conn_phase;

typedef struct conn_slot {
    int fd; /* -1: free */
    conn_phase phase;
    uint64_t since_ms; /* start of the phase */
    bool shut;
} conn_slot;

typedef struct rate_slot {
    uint32_t addr;
    double tokens;
    uint64_t last_ms;
} rate_slot;

#define RATE_SLOTS 4096

typedef struct http_limits {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    conn_slot *conns;
    size_t n_conns;
    unsigned header_ms;
    unsigned body_ms;
    double rate;  /* tokens per ms */
    double burst; /* bucket size */
    rate_slot *rates;
    bool stop;
    bool running;
    pthread_t reaper;
} http_limits;

uint64_t lim_now_ms(void);

/* Returns 0 or PLASMA_ERR_NOMEM. */
int lim_start(http_limits *l, size_t max_conns, unsigned header_s, unsigned body_s, unsigned rate_per_s);
void lim_stop(http_limits *l);

/* A connection's slot: taken when it opens (NULL when none is free: the
 * connection is then only bounded by the idle timeout), released when it
 * closes. */
conn_slot *lim_conn_open(http_limits *l, int fd);
void lim_conn_close(http_limits *l, conn_slot *c);
/* Enters a phase; its deadline runs from now. */
void lim_conn_phase(http_limits *l, conn_slot *c, conn_phase phase);

/* Takes one request token of addr (IPv4, network order). False when the
 * address is over its rate. */
bool lim_rate_take(http_limits *l, uint32_t addr);

#endif
