#include "sigs.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "hmap.h"
#include "plasma/err.h"

/* Sharded so that the request threads checking signatures in parallel do not
 * queue on one lock. */
#define SHARDS 16

typedef struct shard {
    pthread_mutex_t mu;
    op_hmap map; /* addr → pubkey */
} shard;

struct op_pubkeys {
    shard shards[SHARDS];
    size_t max_per_shard;
    uint64_t seed;
};

int op_pubkeys_new(op_pubkeys **out, size_t max_entries)
{
    op_pubkeys *c = calloc(1, sizeof *c);
    if (!c)
        return PLASMA_ERR_NOMEM;
    c->max_per_shard = (max_entries ? max_entries : 1u << 20) / SHARDS + 1;
    int rc = op_random_bytes(&c->seed, sizeof c->seed);
    for (int i = 0; i < SHARDS && rc == 0; i++) {
        pthread_mutex_init(&c->shards[i].mu, NULL);
        rc = op_hmap_init(&c->shards[i].map, sizeof(plasma_addr), sizeof(plasma_pubkey));
    }
    if (rc < 0) {
        op_pubkeys_free(c);
        return rc;
    }
    *out = c;
    return PLASMA_OK;
}

void op_pubkeys_free(op_pubkeys *c)
{
    if (!c)
        return;
    for (int i = 0; i < SHARDS; i++) {
        op_hmap_free(&c->shards[i].map);
        pthread_mutex_destroy(&c->shards[i].mu);
    }
    free(c);
}

static shard *shard_of(op_pubkeys *c, const plasma_addr *owner)
{
    return &c->shards[XXH3_64bits_withSeed(owner->b, sizeof owner->b, c->seed) % SHARDS];
}

bool op_pubkeys_get(op_pubkeys *c, const plasma_addr *owner, plasma_pubkey *out)
{
    shard *s = shard_of(c, owner);
    pthread_mutex_lock(&s->mu);
    const void *v = op_hmap_get(&s->map, owner);
    if (v)
        memcpy(out, v, sizeof *out);
    pthread_mutex_unlock(&s->mu);
    return v != NULL;
}

/* A full shard is emptied rather than managed as an LRU: refilling costs one
 * recovery per active sender, and no bookkeeping slows the common hit. */
void op_pubkeys_put(op_pubkeys *c, const plasma_addr *owner, const plasma_pubkey *pub)
{
    shard *s = shard_of(c, owner);
    pthread_mutex_lock(&s->mu);
    if (s->map.count >= c->max_per_shard)
        op_hmap_clear(&s->map);
    void *v;
    if (op_hmap_put(&s->map, owner, &v) >= 0)
        memcpy(v, pub, sizeof *pub);
    pthread_mutex_unlock(&s->mu);
}

int op_sig_check_owner(op_pubkeys *cache, op_sig_mode mode, const plasma_hash *digest, const plasma_sig *sig,
                       const plasma_addr *owner)
{
    plasma_pubkey pub;
    if (mode == OP_SIG_VERIFY_CACHED && cache && op_pubkeys_get(cache, owner, &pub) &&
        plasma_verify(&pub, digest, sig) == 0)
        return PLASMA_OK;
    plasma_addr signer;
    if (plasma_recover_pubkey(&signer, &pub, digest, sig) != 0)
        return PLASMA_ERR_BAD_SIGNATURE;
    if (!plasma_addr_eq(&signer, owner))
        return PLASMA_ERR_UNAUTHORIZED_SPEND;
    if (mode == OP_SIG_VERIFY_CACHED && cache)
        op_pubkeys_put(cache, owner, &pub);
    return PLASMA_OK;
}

/* --- worker pool --- */

typedef struct job {
    struct job *next;
    size_t n;
    size_t claimed;
    size_t done;
    void (*fn)(void *arg, size_t i);
    void *arg;
    pthread_cond_t finished;
} job;

struct op_pool {
    pthread_mutex_t mu;
    pthread_cond_t work;
    job *jobs; /* jobs with unclaimed items */
    bool stop;
    unsigned n_threads;
    pthread_t *threads;
};

/* Claims one item of the first open job; called with mu held. */
static job *claim(op_pool *p, size_t *i)
{
    job *j = p->jobs;
    if (!j)
        return NULL;
    *i = j->claimed++;
    if (j->claimed == j->n)
        p->jobs = j->next;
    return j;
}

static void finish_item(op_pool *p, job *j)
{
    pthread_mutex_lock(&p->mu);
    if (++j->done == j->n)
        pthread_cond_signal(&j->finished);
    pthread_mutex_unlock(&p->mu);
}

static void *worker_main(void *arg)
{
    op_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        size_t i;
        job *j = claim(p, &i);
        if (!j) {
            pthread_cond_wait(&p->work, &p->mu);
            continue;
        }
        pthread_mutex_unlock(&p->mu);
        j->fn(j->arg, i);
        finish_item(p, j);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int op_pool_new(op_pool **out, unsigned n_threads)
{
    if (n_threads == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        n_threads = cores > 1 ? (unsigned)(cores - 1) : 1;
    }
    op_pool *p = calloc(1, sizeof *p);
    if (!p)
        return PLASMA_ERR_NOMEM;
    p->threads = calloc(n_threads, sizeof *p->threads);
    if (!p->threads) {
        free(p);
        return PLASMA_ERR_NOMEM;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    for (unsigned i = 0; i < n_threads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
            break;
        p->n_threads++;
    }
    *out = p;
    return PLASMA_OK;
}

void op_pool_free(op_pool *p)
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

static void append_job(op_pool *p, job *j)
{
    job **tail = &p->jobs;
    while (*tail)
        tail = &(*tail)->next;
    *tail = j;
}

void op_pool_run(op_pool *p, size_t n, void (*fn)(void *arg, size_t i), void *arg)
{
    if (n == 0)
        return;
    if (n == 1 || !p) {
        for (size_t i = 0; i < n; i++)
            fn(arg, i);
        return;
    }
    job j = {.n = n, .fn = fn, .arg = arg};
    pthread_cond_init(&j.finished, NULL);
    pthread_mutex_lock(&p->mu);
    append_job(p, &j);
    pthread_cond_broadcast(&p->work);
    /* The caller works on its own job too, rather than sleeping. */
    while (j.claimed < j.n) {
        size_t i = j.claimed++;
        if (j.claimed == j.n) {
            job **pp = &p->jobs;
            while (*pp != &j)
                pp = &(*pp)->next;
            *pp = j.next;
        }
        pthread_mutex_unlock(&p->mu);
        fn(arg, i);
        pthread_mutex_lock(&p->mu);
        j.done++;
    }
    while (j.done < j.n)
        pthread_cond_wait(&j.finished, &p->mu);
    pthread_mutex_unlock(&p->mu);
    pthread_cond_destroy(&j.finished);
}
