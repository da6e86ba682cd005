/* Durability under SIGKILL: several clients keep spending their outputs
 * while the operator is killed with SIGKILL at random instants and
 * restarted, many times. Afterwards:
 *   - every acknowledged tx is in the block and at the index it was told;
 *   - a tx whose answer was lost is either fully applied or not at all (a
 *     resubmission is accepted, never utxo_spent);
 *   - replaying every block from the deposits gives exactly the operator's
 *     UTXO set, with no input spent twice;
 *   - every child block's root on the root chain equals the operator's root
 *     and the root recomputed from its transactions. */
#include <pthread.h>

#include "itest_chain.h"

#define WORKERS 3
#define CHAINS_PER_WORKER 3
#define KILLS 30
#define MAX_ACKS 200000

typedef struct chain {
    unsigned key;
    uint64_t pos; /* the output this chain spends next */
    uint64_t amount;
    char *pending; /* body of a tx whose answer was lost */
    plasma_hash pending_hash;
} chain;

typedef struct ack {
    plasma_hash txhash;
    uint64_t blknum;
    uint32_t txindex;
} ack;

typedef struct shared {
    it_daemon *d;
    pthread_mutex_t mu;
    ack *acks;
    size_t n_acks;
    size_t lost_applied; /* answers lost, tx durable */
    size_t lost_absent;  /* answers lost, tx not applied */
    volatile int stop;
    char failure[256];
} shared;

typedef struct worker {
    shared *s;
    chain chains[CHAINS_PER_WORKER];
} worker;

static void fail_shared(shared *s, const char *msg, const char *detail)
{
    pthread_mutex_lock(&s->mu);
    if (!s->failure[0])
        snprintf(s->failure, sizeof s->failure, "%s: %.180s", msg, detail ? detail : "");
    s->stop = 1;
    pthread_mutex_unlock(&s->mu);
}

static void record_ack(shared *s, chain *c, const it_resp *r, const plasma_hash *h)
{
    uint64_t blknum = it_json_u64(r->json, "blknum");
    uint32_t txindex = (uint32_t)it_json_u64(r->json, "txindex");
    pthread_mutex_lock(&s->mu);
    if (s->n_acks < MAX_ACKS)
        s->acks[s->n_acks++] = (ack){*h, blknum, txindex};
    pthread_mutex_unlock(&s->mu);
    c->pos = plasma_utxo_pos(blknum, txindex, 0);
}

/* The answer to c->pending was lost: find out whether it was applied. */
static bool resolve(shared *s, chain *c)
{
    char path[128], hex[67];
    snprintf(path, sizeof path, "/v1/transactions/%s", plasma_hash_format(hex, &c->pending_hash));
    it_resp r;
    if (!it_request(s->d->port, "GET", path, NULL, 0, NULL, NULL, &r))
        return false;
    bool done = true;
    if (r.status == 200) {
        c->pos = plasma_utxo_pos(it_json_u64(r.json, "blknum"), (uint32_t)it_json_u64(r.json, "txindex"), 0);
        pthread_mutex_lock(&s->mu);
        s->lost_applied++;
        pthread_mutex_unlock(&s->mu);
    } else if (r.status == 404) {
        it_resp p;
        if (!it_request(s->d->port, "POST", "/v1/transactions", c->pending, strlen(c->pending),
                        "application/json", NULL, &p)) {
            done = false;
        } else if (p.status == 200) {
            record_ack(s, c, &p, &c->pending_hash);
            pthread_mutex_lock(&s->mu);
            s->lost_absent++;
            pthread_mutex_unlock(&s->mu);
        } else if (p.status == 503) {
            done = false;
        } else {
            fail_shared(s, "a lost tx was half-applied (resubmission refused)", p.body);
        }
        it_resp_free(&p);
    } else {
        done = false;
    }
    it_resp_free(&r);
    if (done) {
        free(c->pending);
        c->pending = NULL;
    }
    return done;
}

static void step(shared *s, chain *c)
{
    if (c->pending) {
        if (!resolve(s, c))
            it_sleep_ms(20);
        return;
    }
    it_out o[1] = {{c->key, 0, c->amount}};
    plasma_hash h;
    char *body = it_payment_body(&c->pos, &c->key, 1, o, 1, &h);
    it_resp r;
    if (!it_request(s->d->port, "POST", "/v1/transactions", body, strlen(body), "application/json", NULL,
                    &r)) {
        c->pending = body;
        c->pending_hash = h;
        it_sleep_ms(20);
        return;
    }
    if (r.status == 200)
        record_ack(s, c, &r, &h);
    else if (r.status == 503)
        it_sleep_ms(20);
    else
        fail_shared(s, "unexpected refusal", r.body);
    it_resp_free(&r);
    free(body);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    for (unsigned i = 0; !w->s->stop; i = (i + 1) % CHAINS_PER_WORKER)
        step(w->s, &w->chains[i]);
    return NULL;
}

/* --- verification --- */

typedef struct utxo {
    uint64_t pos;
    plasma_addr owner;
    uint64_t amount;
    bool live;
} utxo;

typedef struct replay {
    utxo *u;
    size_t n;
    size_t cap;
} replay;

static utxo *find(replay *rp, uint64_t pos)
{
    for (size_t i = 0; i < rp->n; i++)
        if (rp->u[i].live && rp->u[i].pos == pos)
            return &rp->u[i];
    return NULL;
}

static void add(replay *rp, uint64_t pos, const plasma_addr *owner, const plasma_u256 *amount)
{
    if (rp->n == rp->cap)
        rp->u = realloc(rp->u, (rp->cap = rp->cap ? rp->cap * 2 : 256) * sizeof *rp->u);
    uint64_t a = 0;
    assert_true(plasma_u256_to_u64(amount, &a));
    rp->u[rp->n++] = (utxo){pos, *owner, a, true};
}

/* Applies block blknum to the replay and checks its root three ways. */
static size_t replay_block(const it_daemon *d, replay *rp, uint64_t blknum, plasma_hash *hashes, size_t max)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/blocks/%llu", (unsigned long long)blknum);
    json_t *b = it_get_json(d, path);
    json_t *txs = json_object_get(b, "txs");
    size_t n = json_array_size(txs);
    plasma_hash *leaves = calloc(n + 1, sizeof *leaves);
    for (size_t i = 0; i < n; i++) {
        uint8_t *rlp;
        size_t len;
        assert_int_equal(plasma_hex_decode_alloc(&rlp, &len, json_string_value(json_array_get(txs, i))), 0);
        plasma_buf ub = {0};
        it_unsigned_of(&ub, rlp, len);
        plasma_tx tx;
        assert_int_equal(plasma_tx_decode_unsigned(&tx, ub.data, ub.len), 0);
        plasma_merkle_leaf(&leaves[i], ub.data, ub.len);
        if (i < max)
            plasma_keccak256(&hashes[i], ub.data, ub.len);
        for (unsigned k = 0; k < tx.n_inputs; k++) {
            utxo *u = find(rp, tx.inputs[k]);
            if (!u)
                fail_msg("block %llu tx %zu spends %llu, which is not unspent", (unsigned long long)blknum, i,
                         (unsigned long long)tx.inputs[k]);
            u->live = false;
        }
        for (unsigned o = 0; o < tx.n_outputs; o++)
            add(rp, plasma_utxo_pos(blknum, (uint32_t)i, o), &tx.outputs[o].owner, &tx.outputs[o].amount);
        plasma_buf_free(&ub);
        free(rlp);
    }
    plasma_hash root, ours, chain_root;
    assert_int_equal(plasma_merkle_root(&root, leaves, n), 0);
    assert_int_equal(plasma_hash_parse(&ours, json_string_value(json_object_get(b, "root"))), 0);
    assert_true(plasma_hash_eq(&root, &ours));
    chain_root = it_rc_root(d, blknum);
    assert_true(plasma_hash_eq(&chain_root, &ours));
    json_decref(b);
    free(leaves);
    return n;
}

static void compare_owner(const it_daemon *d, replay *rp, const plasma_addr *owner)
{
    char path[96], hex[43];
    snprintf(path, sizeof path, "/v1/utxos?owner=%s", plasma_addr_format(hex, owner));
    json_t *j = it_get_json(d, path);
    json_t *list = json_object_get(j, "utxos");
    size_t want = 0;
    for (size_t i = 0; i < rp->n; i++)
        if (rp->u[i].live && plasma_addr_eq(&rp->u[i].owner, owner))
            want++;
    assert_int_equal(json_array_size(list), want);
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *e = json_array_get(list, i);
        utxo *u = find(rp, it_json_u64(e, "utxo_pos"));
        assert_non_null(u);
        assert_true(plasma_addr_eq(&u->owner, owner));
        assert_int_equal(u->amount, it_json_u64(e, "amount"));
    }
    json_decref(j);
}

static void verify(shared *s, const uint64_t *deposits, size_t n_deposits)
{
    it_daemon *d = s->d;
    uint64_t last = it_admin_seal(d);
    json_t *st = it_get_json(d, "/v1/status");
    if (!last)
        last = it_json_u64(json_object_get(st, "latest_block"), "blknum");
    json_decref(st);
    it_wait_submitted(d, last, 30);

    replay rp = {0};
    for (size_t i = 0; i < n_deposits; i++)
        replay_block(d, &rp, plasma_pos_blknum(deposits[i]), NULL, 0);
    size_t total = 0;
    for (uint64_t b = 1000; b <= last; b += 1000) {
        plasma_hash hashes[4096];
        size_t n = replay_block(d, &rp, b, hashes, 4096);
        total += n;
        for (size_t i = 0; i < s->n_acks; i++)
            if (s->acks[i].blknum == b) {
                assert_true(s->acks[i].txindex < n && s->acks[i].txindex < 4096);
                assert_true(plasma_hash_eq(&hashes[s->acks[i].txindex], &s->acks[i].txhash));
            }
    }
    for (size_t i = 0; i < s->n_acks; i++)
        assert_true(s->acks[i].blknum <= last);
    for (unsigned k = 0; k < 10; k++) {
        plasma_addr a = it_dev_addr(k);
        compare_owner(d, &rp, &a);
    }
    fprintf(stderr, "durability: %zu acks, %zu lost-but-applied, %zu lost-and-resent, %llu blocks, %zu txs\n",
            s->n_acks, s->lost_applied, s->lost_absent, (unsigned long long)(last / 1000), total);
    free(rp.u);
}

static void test_sigkill_under_load(void **state)
{
    it_daemon *d = calloc(1, sizeof *d);
    *state = d;
    const char *f[] = {"--dev",  "--rc-block-interval-ms",
                       "100",    "--poll-ms",
                       "20",     "--seal-interval-ms",
                       "150",    "--admin-token",
                       "s3cret", "--log-level",
                       "warn",   "--commit-linger-us",
                       "500",    "--rate-per-ip", /* the workers on 127.0.0.1 go as fast as they can */
                       "1000000", NULL};
    it_start(d, f);
    shared s = {.d = d, .acks = calloc(MAX_ACKS, sizeof(ack))};
    pthread_mutex_init(&s.mu, NULL);
    worker w[WORKERS];
    uint64_t deposits[WORKERS * CHAINS_PER_WORKER];
    for (int i = 0; i < WORKERS; i++)
        for (int k = 0; k < CHAINS_PER_WORKER; k++) {
            unsigned key = 1 + (unsigned)((i * CHAINS_PER_WORKER + k) % 9);
            uint64_t pos = it_rc_deposit(d, key, 0, 1000 + (uint64_t)k);
            deposits[i * CHAINS_PER_WORKER + k] = pos;
            w[i].chains[k] = (chain){key, pos, 1000 + (uint64_t)k, NULL, {{0}}};
        }
    it_wait_utxo_status(d, deposits[WORKERS * CHAINS_PER_WORKER - 1], 200, 10);
    pthread_t th[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        w[i].s = &s;
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    uint64_t seed = tu_seed("durability_kill_times", (uint64_t)time(NULL));
    for (int k = 0; k < KILLS && !s.stop; k++) {
        it_sleep_ms(150 + (long)(tu_rand(&seed) % 450));
        it_kill(d);
        it_sleep_ms((long)(tu_rand(&seed) % 100));
        it_restart(d);
    }
    it_sleep_ms(300);
    s.stop = 1;
    for (int i = 0; i < WORKERS; i++)
        pthread_join(th[i], NULL);
    if (s.failure[0])
        fail_msg("%s", s.failure);
    /* Resolve the txs whose answers were lost in the last moments. */
    for (int i = 0; i < WORKERS; i++)
        for (int k = 0; k < CHAINS_PER_WORKER; k++)
            while (w[i].chains[k].pending)
                if (!resolve(&s, &w[i].chains[k]))
                    it_sleep_ms(20);
    if (s.failure[0])
        fail_msg("%s", s.failure);
    assert_true(s.n_acks > 50);
    verify(&s, deposits, WORKERS * CHAINS_PER_WORKER);
    free(s.acks);
}

static int teardown(void **state)
{
    it_daemon *d = *state;
    if (d) {
        it_cleanup(d);
        free(d);
    }
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_sigkill_under_load, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
