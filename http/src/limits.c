/* Deadlines and request rates of the HTTP server (see limits.h). */
#include "limits.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "plasma/err.h"
#include "plasma/types.h"

#define REAP_PERIOD_MS 200

uint64_t lim_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool overdue(const http_limits *l, const conn_slot *c, uint64_t now)
{
    if (c->fd < 0 || c->shut)
        return false;
    if (c->phase == PHASE_HEADERS)
        return now - c->since_ms > l->header_ms;
    if (c->phase == PHASE_BODY)
        return now - c->since_ms > l->body_ms;
    return false;
}

/* Shutting the socket down wakes the connection's thread, which then
 * closes the connection as if the client had gone; the slot is released
 * by the close notification, under the same lock, so the fd cannot have
 * been reused when it is shut. */
static void reap_locked(http_limits *l)
{
    uint64_t now = lim_now_ms();
    for (size_t i = 0; i < l->n_conns; i++) {
        conn_slot *c = &l->conns[i];
        if (overdue(l, c, now)) {
            shutdown(c->fd, SHUT_RDWR);
            c->shut = true;
        }
    }
}

static void *reaper_main(void *arg)
{
    http_limits *l = arg;
    pthread_mutex_lock(&l->mu);
    while (!l->stop) {
        struct timespec ts;
        plasma_deadline_us(&ts, REAP_PERIOD_MS * 1000u);
        pthread_cond_timedwait(&l->wake, &l->mu, &ts);
        if (!l->stop)
            reap_locked(l);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

int lim_start(http_limits *l, size_t max_conns, unsigned header_s, unsigned body_s, unsigned rate_per_s)
{
    *l = (http_limits){.n_conns = max_conns,
                       .header_ms = header_s * 1000u,
                       .body_ms = body_s * 1000u,
                       .rate = rate_per_s / 1000.0,
                       .burst = 2.0 * rate_per_s};
    l->conns = malloc(max_conns * sizeof *l->conns);
    l->rates = calloc(RATE_SLOTS, sizeof *l->rates);
    if (!l->conns || !l->rates) {
        free(l->conns);
        free(l->rates);
        return PLASMA_ERR_NOMEM;
    }
    for (size_t i = 0; i < max_conns; i++)
        l->conns[i] = (conn_slot){.fd = -1};
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->wake, NULL);
    if (pthread_create(&l->reaper, NULL, reaper_main, l) != 0) {
        lim_stop(l);
        return PLASMA_ERR_NOMEM;
    }
    l->running = true;
    return PLASMA_OK;
}

void lim_stop(http_limits *l)
{
    if (!l->conns)
        return;
    pthread_mutex_lock(&l->mu);
    l->stop = true;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->mu);
    if (l->running)
        pthread_join(l->reaper, NULL);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->wake);
    free(l->conns);
    free(l->rates);
    l->conns = NULL;
    l->rates = NULL;
}

conn_slot *lim_conn_open(http_limits *l, int fd)
{
    conn_slot *c = NULL;
    pthread_mutex_lock(&l->mu);
    for (size_t i = 0; i < l->n_conns && !c; i++)
        if (l->conns[i].fd < 0)
            c = &l->conns[i];
    if (c)
        *c = (conn_slot){.fd = fd, .phase = PHASE_HEADERS, .since_ms = lim_now_ms()};
    pthread_mutex_unlock(&l->mu);
    return c;
}

void lim_conn_close(http_limits *l, conn_slot *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&l->mu);
    c->fd = -1;
    pthread_mutex_unlock(&l->mu);
}

void lim_conn_phase(http_limits *l, conn_slot *c, conn_phase phase)
{
    if (!c)
        return;
    pthread_mutex_lock(&l->mu);
    c->phase = phase;
    c->since_ms = lim_now_ms();
    pthread_mutex_unlock(&l->mu);
}

/* A small open-addressed table: an address's bucket is found within a few
 * probes; when they are all taken, the stalest of them is reused (a full
 * bucket is what a new address would get anyway). */
#define RATE_PROBES 8

static rate_slot *rate_slot_of(http_limits *l, uint32_t addr, uint64_t now)
{
    uint32_t h = (addr * 2654435761u) % RATE_SLOTS;
    rate_slot *stalest = NULL;
    for (unsigned k = 0; k < RATE_PROBES; k++) {
        rate_slot *s = &l->rates[(h + k) % RATE_SLOTS];
        if (s->last_ms && s->addr == addr)
            return s;
        if (!stalest || s->last_ms < stalest->last_ms)
            stalest = s;
    }
    *stalest = (rate_slot){.addr = addr, .tokens = l->burst, .last_ms = now};
    return stalest;
}

bool lim_rate_take(http_limits *l, uint32_t addr)
{
    if (l->rate <= 0)
        return true;
    pthread_mutex_lock(&l->mu);
    uint64_t now = lim_now_ms();
    rate_slot *s = rate_slot_of(l, addr, now);
    s->tokens += (double)(now - s->last_ms) * l->rate;
    if (s->tokens > l->burst)
        s->tokens = l->burst;
    s->last_ms = now ? now : 1;
    bool ok = s->tokens >= 1.0;
    if (ok)
        s->tokens -= 1.0;
    pthread_mutex_unlock(&l->mu);
    return ok;
}
