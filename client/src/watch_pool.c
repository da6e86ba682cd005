/* Worker threads (see watch_pool.h). */
#include "watch_pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "plasma/err.h"

typedef struct task {
    struct task *next;
    void (*fn)(void *arg);
    void *arg;
} task;

struct watch_pool {
    pthread_mutex_t mu;
    pthread_cond_t work;
    task *head, *tail;
    bool stop;
    unsigned n_threads;
    pthread_t *threads;
};

static void *worker(void *arg)
{
    watch_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        task *t = p->head;
        if (!t) {
            if (p->stop)
                break;
            pthread_cond_wait(&p->work, &p->mu);
            continue;
        }
        if (!(p->head = t->next))
            p->tail = NULL;
        pthread_mutex_unlock(&p->mu);
        t->fn(t->arg);
        free(t);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int watch_pool_new(watch_pool **out, unsigned n_threads)
{
    if (n_threads == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        n_threads = cores > 0 ? (unsigned)cores : 1;
    }
    watch_pool *p = calloc(1, sizeof *p);
    if (!p || !(p->threads = calloc(n_threads, sizeof *p->threads))) {
        free(p);
        return PLASMA_ERR_NOMEM;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    for (unsigned i = 0; i < n_threads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
            break;
        p->n_threads++;
    }
    if (p->n_threads == 0) {
        watch_pool_free(p);
        return PLASMA_ERR_NOMEM;
    }
    *out = p;
    return 0;
}

void watch_pool_free(watch_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
}

unsigned watch_pool_threads(const watch_pool *p)
{
    return p->n_threads;
}

int watch_pool_submit(watch_pool *p, void (*fn)(void *arg), void *arg)
{
    task *t = malloc(sizeof *t);
    if (!t)
        return PLASMA_ERR_NOMEM;
    *t = (task){.fn = fn, .arg = arg};
    pthread_mutex_lock(&p->mu);
    if (p->tail)
        p->tail->next = t;
    else
        p->head = t;
    p->tail = t;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
    return 0;
}
