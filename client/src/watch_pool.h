/* Worker threads for the watcher's verification: a FIFO of tasks that
 * every worker takes from, so that the chunks of one block and of the next
 * are worked on by all cores while the watcher's own thread applies
 * blocks. Internal to libplasma_client. */
#ifndef PLASMA_WATCH_POOL_H
#define PLASMA_WATCH_POOL_H

#include <stddef.h>

typedef struct watch_pool watch_pool;

/* n_threads workers (0: one per online core). Returns 0 or
 * PLASMA_ERR_NOMEM (no thread could be started). */
int watch_pool_new(watch_pool **out, unsigned n_threads);
/* Runs the tasks already queued, then stops and joins the workers.
 * NULL-safe. */
void watch_pool_free(watch_pool *p);
unsigned watch_pool_threads(const watch_pool *p);

/* Queues fn(arg) to run on a worker. Returns 0 or PLASMA_ERR_NOMEM. */
int watch_pool_submit(watch_pool *p, void (*fn)(void *arg), void *arg);

#endif
