/* The download-and-prepare pipeline (see watch_pipe.h). */
#include "watch_pipe.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "watch_follow.h"

/* Blocks in flight at most, and the bytes that downloaded blocks may hold
 * before the next download waits (one block is always allowed). A full
 * block holds about 45 MB once decoded: so, of full blocks, the one being
 * executed and the next being prepared, and the one after is downloaded
 * as soon as the first is released (a download takes far less time than
 * preparing a block). */
#define MAX_SLOTS 16
#define MAX_WEIGHT (64u << 20)

enum {
    S_FREE,
    S_WANTED,
    S_FETCHING,
    S_PREPARING,
    S_READY,
    S_NOT_SERVED,
    S_UNAVAILABLE,
    S_MALFORMED,
    S_NOMEM,
};

typedef struct slot slot;

typedef struct chunk_task {
    slot *s;
    size_t c;
} chunk_task;

struct slot {
    watch_pipe *pipe;
    uint64_t blknum;
    int state;
    bool nomem; /* a chunk could not be queued */
    watch_block blk;
    chunk_task *tasks;
    size_t chunks_left;
    size_t weight;
};

struct watch_pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    slot slots[MAX_SLOTS]; /* a ring: head .. head + count - 1, oldest first */
    size_t head, count;
    size_t weight;
    /* The buffers of the block released last, for the next download to
     * parse into: a block's pages are touched once, not once per block. */
    watch_block spare;
    bool stop;
    bool started;
    pthread_t thread;
    plasma_http_client *http;
    plasma_domain domain;
    watch_pool *pool;
};

static slot *at(watch_pipe *p, size_t i)
{
    return &p->slots[(p->head + i) % MAX_SLOTS];
}

static slot *find(watch_pipe *p, uint64_t blknum)
{
    for (size_t i = 0; i < p->count; i++)
        if (at(p, i)->state != S_FREE && at(p, i)->blknum == blknum)
            return at(p, i);
    return NULL;
}

static bool busy(int state)
{
    return state == S_FETCHING || state == S_PREPARING;
}

/* Frees a slot's block (its buffers kept as the spare when there is
 * none); called with mu held, never on a busy slot. */
static void release(watch_pipe *p, slot *s)
{
    if (!p->spare.offs && s->blk.offs) {
        watch_block_clear(&s->blk);
        p->spare = s->blk;
        s->blk = (watch_block){0};
    }
    watch_block_free(&s->blk);
    free(s->tasks);
    p->weight -= s->weight;
    *s = (slot){.pipe = p};
    while (p->count && at(p, 0)->state == S_FREE) {
        p->head = (p->head + 1) % MAX_SLOTS;
        p->count--;
    }
}

static void prepare_chunk(void *arg)
{
    chunk_task *t = arg;
    slot *s = t->s;
    watch_pipe *p = s->pipe;
    watch_verify_prepare(&s->blk, &p->domain, t->c);
    pthread_mutex_lock(&p->mu);
    if (--s->chunks_left == 0) {
        s->state = s->nomem ? S_NOMEM : S_READY;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
}

/* Queues the chunks of a parsed block; called with mu held. */
static void schedule(watch_pipe *p, slot *s)
{
    size_t n = watch_block_chunks(&s->blk);
    s->weight = watch_block_weight(&s->blk);
    p->weight += s->weight;
    if (n == 0) {
        s->state = S_READY;
        return;
    }
    if (!(s->tasks = calloc(n, sizeof *s->tasks))) {
        s->state = S_NOMEM;
        return;
    }
    s->state = S_PREPARING;
    s->chunks_left = n;
    for (size_t c = 0; c < n; c++) {
        s->tasks[c] = (chunk_task){s, c};
        if (watch_pool_submit(p->pool, prepare_chunk, &s->tasks[c]) != 0) {
            s->nomem = true;
            if (--s->chunks_left == 0)
                s->state = S_NOMEM;
        }
    }
}

/* The oldest wanted block, when the budget allows a download. */
static slot *next_wanted(watch_pipe *p)
{
    for (size_t i = 0; i < p->count; i++) {
        slot *s = at(p, i);
        if (s->state == S_WANTED)
            return p->weight < MAX_WEIGHT || p->weight == 0 ? s : NULL;
    }
    return NULL;
}

/* Downloads and parses s's block (without the lock) into blk, a zeroed
 * or cleared block. */
static int fetch(watch_pipe *p, uint64_t blknum, watch_block *blk)
{
    plasma_buf body;
    bool binary = false;
    watch_block_take_body(blk, &body);
    int rc = watch_follow_fetch(p->http, blknum, &body, &binary);
    if (rc == 0)
        rc = watch_block_parse(blk, blknum, &body, binary);
    if (rc != 0) {
        plasma_buf_free(&body);
        watch_block_free(blk);
    }
    return rc;
}

static bool any_wanted(watch_pipe *p)
{
    for (size_t i = 0; i < p->count; i++)
        if (at(p, i)->state == S_WANTED)
            return true;
    return false;
}

static void *fetcher(void *arg)
{
    watch_pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        slot *s = next_wanted(p);
        if (!s) {
            if (!any_wanted(p)) /* caught up: nothing to keep the spare for */
                watch_block_free(&p->spare);
            pthread_cond_wait(&p->cv, &p->mu);
            continue;
        }
        uint64_t blknum = s->blknum;
        watch_block blk = p->spare;
        p->spare = (watch_block){0};
        s->state = S_FETCHING;
        pthread_mutex_unlock(&p->mu);
        int rc = fetch(p, blknum, &blk);
        pthread_mutex_lock(&p->mu);
        if (rc == 0) {
            s->blk = blk;
            schedule(p, s);
        } else {
            s->state = rc == PLASMA_ERR_NOT_FOUND     ? S_NOT_SERVED
                       : rc == PLASMA_ERR_UNAVAILABLE ? S_UNAVAILABLE
                       : rc == PLASMA_ERR_NOMEM       ? S_NOMEM
                                                      : S_MALFORMED;
        }
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int watch_pipe_new(watch_pipe **out, const char *operator_url, const plasma_domain *domain, watch_pool *pool)
{
    watch_pipe *p = calloc(1, sizeof *p);
    if (!p)
        return PLASMA_ERR_NOMEM;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (size_t i = 0; i < MAX_SLOTS; i++)
        p->slots[i].pipe = p;
    p->domain = *domain;
    p->pool = pool;
    if (plasma_http_client_new(&p->http, operator_url, 120000) != 0 ||
        pthread_create(&p->thread, NULL, fetcher, p) != 0) {
        watch_pipe_free(p);
        return PLASMA_ERR_NOMEM;
    }
    p->started = true;
    *out = p;
    return 0;
}

/* Waits until no slot is being worked on; called with mu held. */
static void wait_idle(watch_pipe *p)
{
    for (;;) {
        bool any = false;
        for (size_t i = 0; i < p->count; i++)
            any = any || busy(at(p, i)->state);
        if (!any)
            return;
        pthread_cond_wait(&p->cv, &p->mu);
    }
}

void watch_pipe_reset(watch_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->count; i++)
        if (at(p, i)->state == S_WANTED)
            at(p, i)->state = S_NOT_SERVED;
    wait_idle(p);
    while (p->count)
        release(p, at(p, 0));
    pthread_mutex_unlock(&p->mu);
}

void watch_pipe_free(watch_pipe *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (p->started)
        pthread_join(p->thread, NULL);
    watch_pipe_reset(p);
    watch_block_free(&p->spare);
    plasma_http_client_free(p->http);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

bool watch_pipe_want(watch_pipe *p, uint64_t blknum)
{
    bool ok = true;
    pthread_mutex_lock(&p->mu);
    if (!find(p, blknum)) {
        if (p->count == MAX_SLOTS) {
            ok = false;
        } else {
            slot *s = at(p, p->count++);
            *s = (slot){.pipe = p, .blknum = blknum, .state = S_WANTED};
            pthread_cond_broadcast(&p->cv);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return ok;
}

int watch_pipe_take(watch_pipe *p, uint64_t blknum, watch_block **b)
{
    int rc = 0;
    slot *s;
    pthread_mutex_lock(&p->mu);
    if (!(s = find(p, blknum)))
        rc = PLASMA_ERR_NOT_FOUND;
    while (s && (s->state == S_WANTED || busy(s->state)))
        pthread_cond_wait(&p->cv, &p->mu);
    *b = s && s->state == S_READY ? &s->blk : NULL;
    if (s && s->state == S_UNAVAILABLE)
        rc = PLASMA_ERR_UNAVAILABLE;
    if (s && s->state == S_MALFORMED)
        rc = PLASMA_ERR_MALFORMED_TX;
    if (s && s->state == S_NOMEM)
        rc = PLASMA_ERR_NOMEM;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void watch_pipe_done(watch_pipe *p, uint64_t blknum)
{
    slot *s;
    pthread_mutex_lock(&p->mu);
    if ((s = find(p, blknum)) != NULL && !busy(s->state))
        release(p, s);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}
