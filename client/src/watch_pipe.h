/* The pipeline from the operator to the view: a thread downloads the
 * blocks the watcher will apply next, in order, while the worker pool
 * prepares the ones already downloaded (watch_verify_prepare) and the
 * watcher's own thread executes and stores the oldest. So the download of
 * block n+1 and its signature recovery overlap the execution of block n.
 * Internal to libplasma_client. */
#ifndef PLASMA_WATCH_PIPE_H
#define PLASMA_WATCH_PIPE_H

#include "watch_pool.h"
#include "watch_verify.h"

typedef struct watch_pipe watch_pipe;

/* Downloads from the operator at operator_url with its own connection;
 * prepares on pool (not owned) under domain. Returns 0 or
 * PLASMA_ERR_NOMEM. */
int watch_pipe_new(watch_pipe **out, const char *operator_url, const plasma_domain *domain, watch_pool *pool);
/* Waits for the work in flight, then frees. NULL-safe. */
void watch_pipe_free(watch_pipe *p);

/* Asks for child block blknum, after those asked before (asking again for
 * one in flight does nothing). Returns false, asking nothing, when the
 * pipe holds as many blocks as it may. */
bool watch_pipe_want(watch_pipe *p, uint64_t blknum);

/* Waits for blknum, asked before. Out: *b the prepared block (the pipe's
 * until watch_pipe_done), or NULL when the operator did not serve it (not
 * found, withheld, a reply too large). Returns 0,
 * PLASMA_ERR_UNAVAILABLE (no answer from the operator: *b NULL),
 * PLASMA_ERR_MALFORMED_TX (the reply is not that block: *b NULL),
 * PLASMA_ERR_NOMEM, or PLASMA_ERR_NOT_FOUND when blknum was not asked. */
int watch_pipe_take(watch_pipe *p, uint64_t blknum, watch_block **b);

/* Releases blknum (after watch_pipe_take); a block not served is asked
 * for again by the next watch_pipe_want. */
void watch_pipe_done(watch_pipe *p, uint64_t blknum);

/* Drops every block in flight (waiting for the work on them). */
void watch_pipe_reset(watch_pipe *p);

#endif
