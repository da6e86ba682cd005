/* Crash safety of plasma-rootchain. Workers submit a stream of calls
 * (deposits, submitBlocks, exits, challenges, processExits) while the
 * daemon mines every few milliseconds; at a random instant it is killed
 * with SIGKILL, and restarted. After each restart:
 *   - every call a worker saw mined is still there, in the same block at
 *     the same index, with the same gas and outcome;
 *   - the head is at or after the last block seen, with the same hash;
 *   - the contract holds exactly deposits + bonds held - payouts, all
 *     recomputed from the events.
 * Finally a clean stop and restart keeps the state digest. */
#include <pthread.h>

#include "rc_itest.h"

#define ROUNDS 6
#define WORKERS 3
#define MAX_INFLIGHT 8
#define MAX_SEEN 20000
#define MAX_POS 512

/* ---- what the workers saw mined ---- */

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static plasma_receipt g_seen[MAX_SEEN];
static size_t g_n_seen;
static plasma_chain_block g_last_block; /* highest block seen */

static void record_mined(const plasma_receipt *r)
{
    pthread_mutex_lock(&g_mu);
    if (g_n_seen < MAX_SEEN)
        g_seen[g_n_seen++] = *r;
    pthread_mutex_unlock(&g_mu);
}

static void record_block(const plasma_chain_block *b)
{
    pthread_mutex_lock(&g_mu);
    if (b->number > g_last_block.number)
        g_last_block = *b;
    pthread_mutex_unlock(&g_mu);
}

/* ---- a worker: one account, its own connection ---- */

typedef struct inflight {
    plasma_hash h;
    plasma_call_kind kind;
    uint64_t pos; /* start_exit: the exited output */
} inflight;

typedef struct worker {
    unsigned acct; /* 0 is the operator */
    plasma_privkey key;
    plasma_addr addr;
    plasma_rootchain_client *cli;
    plasma_call_domain cd;
    uint64_t rng;
    uint64_t nonce;
    bool nonce_known;
    bool dead;
    inflight fly[MAX_INFLIGHT];
    size_t n_fly;
    /* Survive restarts: outputs known mined, exits known started. */
    uint64_t deposits[MAX_POS];
    size_t n_deposits;
    uint64_t exits[MAX_POS];
    size_t n_exits;
    unsigned accepted;
} worker;

static volatile int g_stop;

static void push_pos(uint64_t *a, size_t *n, uint64_t pos)
{
    if (*n < MAX_POS)
        a[(*n)++] = pos;
}

static uint64_t pop_pos(uint64_t *a, size_t *n, uint64_t *rng)
{
    size_t i = tu_rand(rng) % *n;
    uint64_t pos = a[i];
    a[i] = a[--*n];
    return pos;
}

static void sync_nonce(worker *w)
{
    uint64_t next;
    int rc = plasma_rootchain_client_nonce(w->cli, &w->addr, NULL, &next);
    if (rc == PLASMA_ERR_UNAVAILABLE)
        w->dead = true;
    if (rc == 0)
        w->nonce = next;
    w->nonce_known = rc == 0;
}

/* Picks the next call: mostly deposits, exits of known deposits,
 * challenges of known exits, processExits, and submitBlock for the
 * operator (which also reopens room for deposits). */
static void next_call(worker *w, plasma_call *c, uint64_t *pos)
{
    uint64_t dice = tu_rand(&w->rng) % 12;
    *pos = 0;
    if (w->acct == 0 && dice < 2) {
        plasma_call_init(c, PLASMA_CALL_SUBMIT_BLOCK, &w->addr, w->nonce, RCK_GWEI, RCK_GAS);
        uint64_t r = tu_rand(&w->rng);
        memcpy(c->submit_block.root.b, &r, sizeof r);
    } else if (dice < 5 && w->n_deposits > 0) {
        plasma_call_init(c, PLASMA_CALL_START_EXIT, &w->addr, w->nonce, RCK_GWEI, RCK_GAS);
        *pos = pop_pos(w->deposits, &w->n_deposits, &w->rng);
    } else if (dice < 6 && w->n_exits > 0) {
        plasma_call_init(c, PLASMA_CALL_CHALLENGE_EXIT, &w->addr, w->nonce, RCK_GWEI, RCK_GAS);
        *pos = pop_pos(w->exits, &w->n_exits, &w->rng);
    } else if (dice < 7) {
        plasma_call_init(c, PLASMA_CALL_PROCESS_EXITS, &w->addr, w->nonce, RCK_GWEI, RCK_GAS);
        c->process_exits.max_exits = 4;
    } else {
        plasma_call_init(c, PLASMA_CALL_DEPOSIT, &w->addr, w->nonce, RCK_GWEI, RCK_GAS);
        c->deposit.amount = rck_u(1000000 + tu_rand(&w->rng) % 1000000);
    }
}

/* Fills the proof or the challenge of an exit call; false when the node
 * cannot say (then the call is skipped). */
static bool fill_exit_args(worker *w, rck *k, plasma_call *c, uint64_t pos)
{
    plasma_block_record b;
    int rc = plasma_rootchain_client_block_root(w->cli, plasma_pos_blknum(pos), &b);
    if (rc == PLASMA_ERR_UNAVAILABLE)
        w->dead = true;
    if (rc != 0 || !b.is_deposit)
        return false;
    if (c->kind == PLASMA_CALL_START_EXIT) {
        rck_exit_args(k, c, plasma_pos_blknum(pos), &b.depositor, &b.token, b.amount);
    } else {
        rck_challenge_args(k, c, pos, &w->key, &w->addr, &b.token, b.amount);
    }
    return true;
}

static void submit_one(worker *w, rck *k)
{
    if (!w->nonce_known) {
        sync_nonce(w);
        if (!w->nonce_known)
            return;
    }
    plasma_call c;
    uint64_t pos;
    next_call(w, &c, &pos);
    if (pos && !fill_exit_args(w, k, &c, pos))
        return;
    plasma_hash h;
    int rc = plasma_rootchain_client_send(w->cli, &w->cd, &c, &w->key, &h, NULL);
    if (rc == 0) {
        w->fly[w->n_fly++] = (inflight){h, c.kind, pos};
        w->nonce++;
        w->accepted++;
    } else if (rc == PLASMA_ERR_BAD_NONCE) {
        w->nonce_known = false;
    } else if (rc == PLASMA_ERR_UNAVAILABLE) {
        w->dead = true;
    }
    /* Other refusals (exit already challenged or finalized, deposit limit)
     * are the dry run doing its job: nothing was queued. */
}

/* The deposit a mined call created: DepositCreated at its block and index. */
static void learn_deposit(worker *w, const plasma_receipt *r)
{
    plasma_event *evs = NULL;
    size_t n = 0;
    uint64_t next;
    if (plasma_rootchain_client_events(w->cli, r->block_number, r->block_number, 0, &evs, &n, &next) != 0)
        return;
    for (size_t i = 0; i < n; i++)
        if (evs[i].kind == PLASMA_EVENT_DEPOSIT_CREATED && evs[i].call_index == r->index)
            push_pos(w->deposits, &w->n_deposits, plasma_utxo_pos(evs[i].deposit_created.blknum, 0, 0));
    free(evs);
}

static void poll_one(worker *w, size_t i)
{
    plasma_receipt r;
    bool pending = true;
    int rc = plasma_rootchain_client_receipt(w->cli, &w->fly[i].h, &r, &pending);
    if (rc == PLASMA_ERR_UNAVAILABLE) {
        w->dead = true;
        return;
    }
    if (rc == 0 && pending)
        return;
    inflight f = w->fly[i];
    w->fly[i] = w->fly[--w->n_fly];
    if (rc != 0)
        return;
    record_mined(&r);
    plasma_chain_block b;
    if (plasma_rootchain_client_block(w->cli, r.block_number, &b) == 0)
        record_block(&b);
    if (r.err != 0)
        return;
    if (f.kind == PLASMA_CALL_DEPOSIT)
        learn_deposit(w, &r);
    else if (f.kind == PLASMA_CALL_START_EXIT)
        push_pos(w->exits, &w->n_exits, f.pos);
}

static rck g_kit; /* signing domains and helpers; no node */

static void *worker_main(void *arg)
{
    worker *w = arg;
    w->dead = false;
    w->n_fly = 0;
    w->nonce_known = false;
    while (!g_stop && !w->dead) {
        if (w->n_fly < MAX_INFLIGHT)
            submit_one(w, &g_kit);
        for (size_t i = w->n_fly; i-- > 0 && !w->dead;)
            poll_one(w, i);
        if (w->n_fly == MAX_INFLIGHT)
            rci_sleep_ms(2);
    }
    return NULL;
}

/* ---- checks after a restart ---- */

static void check_receipts(rci_daemon *d)
{
    for (size_t i = 0; i < g_n_seen; i++) {
        const plasma_receipt *want = &g_seen[i];
        plasma_receipt got;
        bool pending = true;
        int rc = plasma_rootchain_client_receipt(d->cli, &want->call_hash, &got, &pending);
        if (rc != 0 || pending)
            fail_msg("call %zu mined in block %llu is gone after restart (%s)", i,
                     (unsigned long long)want->block_number, plasma_err_code(rc));
        assert_int_equal(got.block_number, want->block_number);
        assert_int_equal(got.index, want->index);
        assert_int_equal(got.kind, want->kind);
        assert_int_equal(got.nonce, want->nonce);
        assert_int_equal(got.gas_used, want->gas_used);
        assert_int_equal(got.err, want->err);
        assert_true(plasma_addr_eq(&got.from, &want->from));
    }
}

static void check_head(rci_daemon *d)
{
    plasma_rootchain_status s;
    assert_int_equal(plasma_rootchain_client_status(d->cli, &s), 0);
    assert_true(s.head_number >= g_last_block.number);
    plasma_chain_block b;
    assert_int_equal(plasma_rootchain_client_block(d->cli, g_last_block.number, &b), 0);
    assert_true(plasma_hash_eq(&b.hash, &g_last_block.hash));
}

typedef struct ledger {
    plasma_u256 expected; /* what the contract must hold in ETH */
    uint64_t ids[4 * MAX_POS * WORKERS];
    plasma_u256 amounts[4 * MAX_POS * WORKERS];
    size_t n;
    unsigned deposits, starts, challenges, finals;
} ledger;

static plasma_u256 exit_amount(const ledger *l, uint64_t id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->ids[i] == id)
            return l->amounts[i];
    fail_msg("ExitFinalized for exit %llu that never started", (unsigned long long)id);
    return rck_u(0);
}

static void apply_event(ledger *l, const plasma_event *ev, const plasma_u256 *bond)
{
    switch (ev->kind) {
    case PLASMA_EVENT_DEPOSIT_CREATED:
        assert_true(plasma_addr_is_zero(&ev->deposit_created.token));
        l->expected = rck_add(l->expected, ev->deposit_created.amount);
        l->deposits++;
        break;
    case PLASMA_EVENT_EXIT_STARTED:
        assert_true(l->n < sizeof l->ids / sizeof l->ids[0]);
        l->ids[l->n] = ev->exit_started.exit_id;
        l->amounts[l->n++] = ev->exit_started.amount;
        l->expected = rck_add(l->expected, *bond);
        l->starts++;
        break;
    case PLASMA_EVENT_EXIT_CHALLENGED:
        l->expected = rck_sub(l->expected, *bond);
        l->challenges++;
        break;
    case PLASMA_EVENT_EXIT_FINALIZED:
        l->expected = rck_sub(l->expected, rck_add(exit_amount(l, ev->exit_finalized.exit_id), *bond));
        l->finals++;
        break;
    case PLASMA_EVENT_BLOCK_SUBMITTED:
        break;
    default:
        fail_msg("unexpected event %d: the run starts no in-flight exit", (int)ev->kind);
    }
}

/* Replays every event and compares with the contract's balance. New
 * blocks may be mined meanwhile, but nothing is pending after a restart,
 * so they carry no events. */
static void check_contract_balance(rci_daemon *d, ledger *l)
{
    plasma_rootchain_status s;
    assert_int_equal(plasma_rootchain_client_status(d->cli, &s), 0);
    assert_int_equal(s.pending_calls, 0);
    memset(l, 0, sizeof *l);
    for (uint64_t from = 0; from <= s.head_number;) {
        plasma_event *evs = NULL;
        size_t n = 0;
        uint64_t next;
        assert_int_equal(plasma_rootchain_client_events(d->cli, from, s.head_number, 200, &evs, &n, &next),
                         0);
        for (size_t i = 0; i < n; i++)
            apply_event(l, &evs[i], &s.exit_bond);
        free(evs);
        assert_true(next > from);
        from = next;
    }
    plasma_u256 held;
    assert_int_equal(plasma_rootchain_client_balance(d->cli, &g_kit.cfg.contract, NULL, &held), 0);
    rck_assert_u256(held, l->expected);
}

/* ---- the test ---- */

static void setup_workers(worker *w, uint64_t seed)
{
    for (unsigned i = 0; i < WORKERS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].acct = i;
        assert_int_equal(plasma_dev_key(&w[i].key, i), 0);
        assert_int_equal(plasma_dev_addr(&w[i].addr, i), 0);
        w[i].cd = g_kit.cd;
        w[i].rng = seed * 31 + i + 1;
    }
}

static void run_round(worker *w, rci_daemon *d, uint64_t *rng, unsigned *total)
{
    pthread_t t[WORKERS];
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", d->port); /* a restart may have moved it */
    g_stop = 0;
    for (unsigned i = 0; i < WORKERS; i++) {
        assert_int_equal(plasma_rootchain_client_new(&w[i].cli, url, 3000), 0);
        assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
    }
    rci_sleep_ms(300 + (long)(tu_rand(rng) % 900));
    assert_int_equal(rci_stop(d, SIGKILL), 128 + SIGKILL);
    g_stop = 1;
    for (unsigned i = 0; i < WORKERS; i++) {
        pthread_join(t[i], NULL);
        plasma_rootchain_client_free(w[i].cli);
        w[i].cli = NULL;
        *total += w[i].accepted;
        w[i].accepted = 0;
    }
}

static void test_kill_restart(void **state)
{
    (void)state;
    rci_daemon d;
    rci_init(&d);
    uint64_t seed = tu_seed("rootchain_crash", (uint64_t)time(NULL)), rng = seed;
    print_message("seed %llu, data in %s\n", (unsigned long long)seed, d.dir);
    /* Chain time runs 1 s per block: exits mature after ~20 blocks. */
    const char *flags[] = {"--dev", "--mine-interval-ms", "15", "--block-time",
                           "1",     "--min-exit-period",  "20", NULL};
    rci_start(&d, flags);
    assert_int_equal(plasma_rootchain_client_domain(d.cli, &g_kit.cd), 0);
    plasma_rootchain_status s;
    assert_int_equal(plasma_rootchain_client_status(d.cli, &s), 0);
    g_kit.cfg.contract = s.contract;
    g_kit.cfg.exit_bond = s.exit_bond;
    plasma_domain_init(&g_kit.dom, s.chain_id, &s.contract);
    worker w[WORKERS];
    setup_workers(w, seed);

    unsigned accepted = 0;
    ledger *l = calloc(1, sizeof *l);
    assert_non_null(l);
    for (int round = 0; round < ROUNDS; round++) {
        run_round(w, &d, &rng, &accepted);
        rci_start(&d, flags);
        check_receipts(&d);
        check_head(&d);
        check_contract_balance(&d, l);
    }
    print_message(
        "%u calls accepted, %zu seen mined, head %llu; events: %u deposits, %u exits, %u challenged, "
        "%u finalized\n",
        accepted, g_n_seen, (unsigned long long)g_last_block.number, l->deposits, l->starts, l->challenges,
        l->finals);
    assert_true(g_n_seen >= 20);
    assert_true(l->starts > 0);

    /* A clean stop keeps the state exactly: no miner, digest before = after. */
    assert_int_equal(rci_stop(&d, SIGTERM), 0);
    const char *still[] = {"--dev", "--mine-interval-ms", "0",  "--block-time",
                           "1",     "--min-exit-period",  "20", NULL};
    rci_start(&d, still);
    plasma_rootchain_status before, after;
    assert_int_equal(plasma_rootchain_client_dev_mine(d.cli, 2, NULL), 0);
    assert_int_equal(plasma_rootchain_client_status(d.cli, &before), 0);
    assert_int_equal(rci_stop(&d, SIGTERM), 0);
    rci_start(&d, still);
    assert_int_equal(plasma_rootchain_client_status(d.cli, &after), 0);
    assert_true(plasma_hash_eq(&before.state_digest, &after.state_digest));
    assert_true(plasma_hash_eq(&before.head_hash, &after.head_hash));
    assert_int_equal(rci_stop(&d, SIGTERM), 0);

    free(l);
    rci_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
