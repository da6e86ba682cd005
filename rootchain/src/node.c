/* The node: one chain behind a mutex, an auto-miner thread, the on-mined
 * hooks, and the bookkeeping the API needs beyond the chain itself (which
 * calls are pending, gas per call kind). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

void plasma_rootnode_config_default(plasma_rootnode_config *out)
{
    memset(out, 0, sizeof *out);
    plasma_chain_config_default(&out->chain);
    out->mine_interval_ms = PLASMA_ROOTNODE_DEFAULT_MINE_INTERVAL_MS;
    out->max_pending = PLASMA_ROOTNODE_DEFAULT_MAX_PENDING;
}

/* ---- pending calls ---- */

/* Makes room for one more hash, so that adding it cannot fail. */
static int pending_reserve(rc_pending *p)
{
    if (p->n < p->cap)
        return PLASMA_OK;
    size_t cap = p->cap ? p->cap * 2 : 64;
    plasma_hash *nh = realloc(p->hashes, cap * sizeof *nh);
    if (!nh)
        return PLASMA_ERR_NOMEM;
    p->hashes = nh;
    p->cap = cap;
    return PLASMA_OK;
}

static size_t pending_find(const rc_pending *p, const plasma_hash *h)
{
    for (size_t i = 0; i < p->n; i++)
        if (plasma_hash_eq(&p->hashes[i], h))
            return i;
    return SIZE_MAX;
}

static void pending_remove(rc_pending *p, const plasma_hash *h)
{
    size_t i = pending_find(p, h);
    if (i != SIZE_MAX)
        p->hashes[i] = p->hashes[--p->n];
}

bool rc_node_is_pending_locked(const plasma_rootnode *node, const plasma_hash *hash)
{
    return pending_find(&node->pending, hash) != SIZE_MAX;
}

/* ---- catching up with mined blocks ---- */

static int account_receipt(const plasma_receipt *r, void *payload)
{
    plasma_rootnode *node = payload;
    unsigned k = (unsigned)r->kind < RC_KINDS ? (unsigned)r->kind : 0;
    node->stats.calls[k]++;
    node->stats.gas[k] += r->gas_used;
    if (r->err)
        node->stats.failed[k]++;
    if (node->pending.n)
        pending_remove(&node->pending, &r->call_hash);
    return 0;
}

void rc_node_sync_locked(plasma_rootnode *node)
{
    plasma_chain_head h;
    plasma_chain_get_head(&h, node->chain);
    while (node->synced < h.number) {
        node->synced++;
        plasma_chain_block_receipts(node->chain, node->synced, account_receipt, node);
    }
}

/* ---- hooks ---- */

void plasma_rootnode_set_hooks(plasma_rootnode *node, const plasma_rootnode_hooks *hooks)
{
    pthread_mutex_lock(&node->hook_mu);
    plasma_chain_head h;
    pthread_mutex_lock(&node->mu);
    plasma_chain_get_head(&h, node->chain);
    pthread_mutex_unlock(&node->mu);
    if (hooks)
        node->hooks = *hooks;
    else
        memset(&node->hooks, 0, sizeof node->hooks);
    node->delivered = h.number;
    pthread_mutex_unlock(&node->hook_mu);
}

#define HOOK_BATCH 32

/* Gives the hook every block mined since the last delivery. Holding
 * hook_mu across the calls keeps them ordered and one at a time; the chain
 * lock is taken only to copy headers, so a hook may take it itself. */
static void deliver_hooks(plasma_rootnode *node)
{
    pthread_mutex_lock(&node->hook_mu);
    for (;;) {
        plasma_chain_block batch[HOOK_BATCH];
        size_t n = 0;
        pthread_mutex_lock(&node->mu);
        while (n < HOOK_BATCH &&
               plasma_chain_block_header(&batch[n], node->chain, node->delivered + 1 + n) == PLASMA_OK)
            n++;
        pthread_mutex_unlock(&node->mu);
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++)
            if (node->hooks.mined)
                node->hooks.mined(node->hooks.payload, &batch[i]);
        node->delivered += n;
    }
    pthread_mutex_unlock(&node->hook_mu);
}

static void report_failure(plasma_rootnode *node, int err)
{
    pthread_mutex_lock(&node->hook_mu);
    if (node->hooks.mine_failed)
        node->hooks.mine_failed(node->hooks.payload, err);
    pthread_mutex_unlock(&node->hook_mu);
}

/* ---- mining ---- */

int plasma_rootnode_mine(plasma_rootnode *node, uint64_t n, plasma_chain_block *last)
{
    if (n == 0 || n > PLASMA_ROOTNODE_MAX_MINE_BLOCKS)
        return PLASMA_ERR_BAD_REQUEST;
    plasma_chain_block b;
    int rc = PLASMA_OK;
    pthread_mutex_lock(&node->mu);
    for (uint64_t i = 0; i < n && rc == PLASMA_OK; i++)
        rc = plasma_chain_mine(node->chain, &b);
    rc_node_sync_locked(node);
    pthread_mutex_unlock(&node->mu);
    deliver_hooks(node);
    if (rc == PLASMA_OK && last)
        *last = b;
    return rc;
}

static void deadline_after(struct timespec *ts, uint64_t ms)
{
    uint64_t ns = (uint64_t)ts->tv_nsec + (ms % 1000u) * 1000000u;
    ts->tv_sec += (time_t)(ms / 1000u + ns / 1000000000u);
    ts->tv_nsec = (long)(ns % 1000000000u);
}

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Mines at a fixed rate of wall time; after a stall (a slow disk) it starts
 * a fresh period rather than mining a burst to catch up. */
static void *miner_main(void *arg)
{
    plasma_rootnode *node = arg;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    deadline_after(&next, node->interval_ms);
    pthread_mutex_lock(&node->mu);
    while (!node->stop) {
        int w = pthread_cond_timedwait(&node->wake, &node->mu, &next);
        if (node->stop)
            break;
        if (w != ETIMEDOUT)
            continue;
        int rc = plasma_chain_mine(node->chain, NULL);
        rc_node_sync_locked(node);
        pthread_mutex_unlock(&node->mu);
        if (rc != PLASMA_OK)
            report_failure(node, rc);
        deliver_hooks(node);
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        deadline_after(&next, node->interval_ms);
        if (before(&next, &now)) {
            next = now;
            deadline_after(&next, node->interval_ms);
        }
        pthread_mutex_lock(&node->mu);
    }
    pthread_mutex_unlock(&node->mu);
    return NULL;
}

/* ---- submitting ---- */

int plasma_rootnode_submit(plasma_rootnode *node, const plasma_call *call, plasma_hash *call_hash,
                           uint64_t *gas_estimate)
{
    plasma_hash h;
    uint64_t gas = 0;
    pthread_mutex_lock(&node->mu);
    rc_node_sync_locked(node);
    plasma_chain_head head;
    plasma_chain_get_head(&head, node->chain);
    int rc = head.pending_calls >= node->max_pending ? PLASMA_ERR_BLOCK_FULL : PLASMA_OK;
    if (rc == PLASMA_OK)
        rc = plasma_chain_check_call(node->chain, call, &gas);
    /* Room first: once the chain has queued the call, recording it must
     * not fail. */
    if (rc == PLASMA_OK)
        rc = pending_reserve(&node->pending);
    if (rc == PLASMA_OK)
        rc = plasma_chain_submit(node->chain, call, &h);
    if (rc == PLASMA_OK)
        node->pending.hashes[node->pending.n++] = h;
    pthread_mutex_unlock(&node->mu);
    if (rc != PLASMA_OK)
        return rc;
    if (call_hash)
        *call_hash = h;
    if (gas_estimate)
        *gas_estimate = gas;
    return PLASMA_OK;
}

/* ---- lifecycle ---- */

/* True when the chain is still exactly in its genesis state: its digest
 * equals that of a brand-new in-memory chain with the same settings. */
static int is_genesis(const plasma_chain *chain, const plasma_chain_config *cfg, bool *out)
{
    plasma_chain *fresh = NULL;
    plasma_hash a, b;
    int rc = plasma_chain_new(&fresh, cfg, NULL);
    if (rc == PLASMA_OK)
        rc = plasma_chain_state_digest(&a, fresh);
    if (rc == PLASMA_OK)
        rc = plasma_chain_state_digest(&b, chain);
    if (rc == PLASMA_OK)
        *out = plasma_hash_eq(&a, &b);
    plasma_chain_free(fresh);
    return rc;
}

static int open_chain(plasma_rootnode *node, const plasma_rootnode_config *cfg)
{
    plasma_chain_store *store = NULL;
    int rc = PLASMA_OK;
    if (cfg->data_dir)
        rc = plasma_store_leveldb_open(&store, cfg->data_dir);
    if (rc == PLASMA_OK) {
        rc = plasma_chain_new(&node->chain, &cfg->chain, store);
        if (rc != PLASMA_OK)
            plasma_chain_store_free(store);
    }
    bool fresh = false;
    if (rc == PLASMA_OK && cfg->dev)
        rc = is_genesis(node->chain, &cfg->chain, &fresh);
    if (rc == PLASMA_OK && fresh)
        rc = plasma_chain_dev_prefund(node->chain);
    return rc;
}

static int init_sync(plasma_rootnode *node)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return PLASMA_ERR_NOMEM;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&node->wake, &ca) == 0 ? PLASMA_OK : PLASMA_ERR_NOMEM;
    pthread_condattr_destroy(&ca);
    if (rc != PLASMA_OK)
        return rc;
    pthread_mutex_init(&node->mu, NULL);
    pthread_mutex_init(&node->hook_mu, NULL);
    return PLASMA_OK;
}

int plasma_rootnode_new(plasma_rootnode **out, const plasma_rootnode_config *cfg)
{
    plasma_rootnode *node = calloc(1, sizeof *node);
    if (!node)
        return PLASMA_ERR_NOMEM;
    int rc = init_sync(node);
    if (rc != PLASMA_OK) {
        free(node);
        return rc;
    }
    node->dev = cfg->dev;
    node->max_pending = cfg->max_pending ? cfg->max_pending : PLASMA_ROOTNODE_DEFAULT_MAX_PENDING;
    node->interval_ms = cfg->mine_interval_ms;
    rc = open_chain(node, cfg);
    if (rc != PLASMA_OK)
        goto cleanup;
    plasma_chain_call_domain(&node->domain, node->chain);
    rc_node_sync_locked(node);
    node->delivered = node->synced;
    if (node->interval_ms > 0) {
        if (pthread_create(&node->miner, NULL, miner_main, node) != 0) {
            rc = PLASMA_ERR_NOMEM;
            goto cleanup;
        }
        node->miner_running = true;
    }
    *out = node;
    return PLASMA_OK;
cleanup:
    plasma_rootnode_free(node);
    return rc;
}

void plasma_rootnode_free(plasma_rootnode *node)
{
    if (!node)
        return;
    if (node->miner_running) {
        pthread_mutex_lock(&node->mu);
        node->stop = true;
        pthread_cond_broadcast(&node->wake);
        pthread_mutex_unlock(&node->mu);
        pthread_join(node->miner, NULL);
    }
    plasma_chain_free(node->chain);
    free(node->pending.hashes);
    pthread_cond_destroy(&node->wake);
    pthread_mutex_destroy(&node->mu);
    pthread_mutex_destroy(&node->hook_mu);
    free(node);
}

void plasma_rootnode_lock(plasma_rootnode *node)
{
    pthread_mutex_lock(&node->mu);
}
void plasma_rootnode_unlock(plasma_rootnode *node)
{
    pthread_mutex_unlock(&node->mu);
}
plasma_chain *plasma_rootnode_chain(plasma_rootnode *node)
{
    return node->chain;
}
bool plasma_rootnode_is_dev(const plasma_rootnode *node)
{
    return node->dev;
}
