/* Unit tests of the follower on a root chain that reorganises
 * (operator/src/sync.c with a backend that has `follow`), against a fake
 * chain of numbered, hashed blocks: deposits applied block by block, a
 * dropped deposit undone and the new chain's applied in its place, an
 * in-flight exit of dropped blocks no longer watched, and a dropped spent
 * deposit refused for good, across a restart too. */
#include <pthread.h>

#include "op_testkit.h"
#include "plasma/ledger.h"
#include "sync.h"

#define MAX_BLOCKS 16

typedef struct fake_block {
    plasma_hash hash;
    plasma_rc_deposit dep; /* blknum 0: none */
    bool ife;              /* an in-flight exit of input_pos starts here */
    uint64_t ife_input;
} fake_block;

typedef struct fake_chain {
    pthread_mutex_t mu;
    uint64_t head;
    fake_block blocks[MAX_BLOCKS]; /* by number; 0 is genesis */
    plasma_rc_cursor delivered;    /* the backend's own cursor, as eth/'s follower keeps it */
    plasma_hash seen[MAX_BLOCKS];  /* the hash each block had when delivered */
    bool started;
} fake_chain;

static int f_head(void *ctx, uint64_t *h)
{
    fake_chain *f = ctx;
    pthread_mutex_lock(&f->mu);
    *h = f->head;
    pthread_mutex_unlock(&f->mu);
    return 0;
}

static int f_next(void *ctx, uint64_t *b)
{
    (void)ctx;
    *b = 1000;
    return 0;
}

static int f_submit(void *ctx, uint64_t blknum, const plasma_hash *root)
{
    (void)ctx;
    (void)blknum;
    (void)root;
    return PLASMA_ERR_UNAVAILABLE;
}

static int f_get_block(void *ctx, uint64_t blknum, plasma_hash *root, uint64_t *ts)
{
    (void)ctx;
    (void)blknum;
    (void)root;
    (void)ts;
    return PLASMA_ERR_NOT_FOUND;
}

/* Delivers every block after the cursor, or, when the cursor's block is
 * gone, undoes back to the newest block both chains share. */
static int deliver_locked(fake_chain *f, const plasma_rc_sink *sink)
{
    uint64_t at = f->delivered.number;
    if (!plasma_hash_eq(&f->blocks[at].hash, &f->delivered.hash)) {
        while (at > 0 && !plasma_hash_eq(&f->blocks[at].hash, &f->seen[at]))
            at--;
        plasma_rc_cursor ancestor = {at, f->blocks[at].hash};
        int rc = sink->undo(sink->ctx, &ancestor);
        if (rc == 0)
            f->delivered = ancestor;
        return rc;
    }
    for (uint64_t n = at + 1; n <= f->head; n++) {
        const fake_block *b = &f->blocks[n];
        int rc = b->dep.blknum ? sink->deposit(sink->ctx, &b->dep) : 0;
        plasma_rc_cursor c = {n, b->hash};
        if (rc == 0)
            rc = sink->block(sink->ctx, &c);
        if (rc != 0)
            return rc;
        f->delivered = c;
        f->seen[n] = b->hash;
    }
    return PLASMA_OK;
}

static int f_follow(void *ctx, const plasma_rc_cursor *resume, const plasma_rc_sink *sink, bool *caught_up)
{
    fake_chain *f = ctx;
    pthread_mutex_lock(&f->mu);
    if (!f->started && resume)
        f->delivered = *resume;
    f->started = true;
    int rc = deliver_locked(f, sink);
    *caught_up = rc == 0 && f->delivered.number == f->head;
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static int f_exit_events(void *ctx, uint64_t from, uint64_t to, plasma_rc_exit_event **out, size_t *n)
{
    fake_chain *f = ctx;
    pthread_mutex_lock(&f->mu);
    plasma_rc_exit_event *ev = calloc(MAX_BLOCKS, sizeof *ev);
    size_t m = 0;
    for (uint64_t b = from; b <= to && b <= f->head && b < MAX_BLOCKS; b++)
        if (f->blocks[b].ife) {
            ev[m] = (plasma_rc_exit_event){.rc_block = b, .kind = PLASMA_RC_IFE_STARTED, .n_inputs = 1};
            ev[m].ife_id = plasma_u256_from_u64(b);
            ev[m++].inputs[0] = f->blocks[b].ife_input;
        }
    pthread_mutex_unlock(&f->mu);
    *out = ev;
    *n = m;
    return 0;
}

static int f_finalized(void *ctx, const plasma_hash *id, plasma_u256 *by)
{
    (void)ctx;
    (void)id;
    *by = plasma_u256_from_u64(0);
    return 0;
}

typedef struct fixture {
    char *dir;
    plasma_ledger *l;
    fake_chain chain;
    plasma_rootchain_backend be;
    op_sync *sync;
} fixture;

static void open_node(fixture *f)
{
    plasma_ledger_config cfg;
    plasma_ledger_config_default(&cfg);
    cfg.data_dir = f->dir;
    cfg.fee_beneficiary = tk_addr(0);
    cfg.seal_interval_ms = 0;
    cfg.commit_linger_us = 0;
    char err[200];
    assert_int_equal(plasma_ledger_open(&f->l, &cfg, err, sizeof err), 0);
    f->chain.started = false;
    op_sync_config sc = {.poll_ms = 10, .resubmit_ms = 100, .start_block = 1};
    assert_int_equal(op_sync_start(&f->sync, f->l, &f->be, &sc), 0);
}

/* Block n of the chain with a hash of its fork. */
static void set_block(fixture *f, uint64_t n, uint8_t fork)
{
    pthread_mutex_lock(&f->chain.mu);
    fake_block *b = &f->chain.blocks[n];
    memset(b, 0, sizeof *b);
    memset(b->hash.b, fork, sizeof b->hash.b);
    b->hash.b[0] = (uint8_t)n;
    if (n > f->chain.head)
        f->chain.head = n;
    pthread_mutex_unlock(&f->chain.mu);
}

static void set_deposit(fixture *f, uint64_t n, uint64_t blknum, int owner, uint64_t amount)
{
    pthread_mutex_lock(&f->chain.mu);
    f->chain.blocks[n].dep =
        (plasma_rc_deposit){n, blknum, tk_addr(owner), tk_token(0), plasma_u256_from_u64(amount), 100 + n};
    pthread_mutex_unlock(&f->chain.mu);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tk_tmpdir();
    pthread_mutex_init(&f->chain.mu, NULL);
    f->be = (plasma_rootchain_backend){.version = PLASMA_ROOTCHAIN_BACKEND_VERSION,
                                       .name = "fake-eth",
                                       .ctx = &f->chain,
                                       .head = f_head,
                                       .next_child_block = f_next,
                                       .submit_block = f_submit,
                                       .get_block = f_get_block,
                                       .exit_events = f_exit_events,
                                       .finalized = f_finalized,
                                       .follow = f_follow};
    for (uint64_t n = 0; n <= 3; n++)
        set_block(f, n, 0xa0);
    f->chain.delivered = (plasma_rc_cursor){0, f->chain.blocks[0].hash};
    f->chain.seen[0] = f->chain.blocks[0].hash;
    *state = f; /* each test sets its chain up, then opens the node */
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    op_sync_free(f->sync);
    plasma_ledger_free(f->l);
    tk_rmrf(f->dir);
    free(f->dir);
    pthread_mutex_destroy(&f->chain.mu);
    free(f);
    return 0;
}

static void restart(fixture *f)
{
    op_sync_free(f->sync);
    plasma_ledger_free(f->l);
    open_node(f);
}

static int owner_of(fixture *f, uint64_t pos)
{
    plasma_utxo u;
    int rc = plasma_ledger_get_utxo(f->l, pos, &u);
    if (rc != 0)
        return rc;
    for (int i = 0; i < 10; i++) {
        plasma_addr a = tk_addr(i);
        if (plasma_addr_eq(&u.owner, &a))
            return i;
    }
    return -1;
}

static int pay(fixture *f, uint64_t in, int key, int to, uint64_t amount)
{
    return tk_pay(f->l, in, key, to, amount);
}

static op_sync_stats stats(fixture *f)
{
    op_sync_stats st;
    op_sync_stats_get(f->sync, &st);
    return st;
}

static void test_deposit_undone_and_replaced(void **state)
{
    fixture *f = *state;
    uint64_t pos = plasma_utxo_pos(1, 0, 0);
    set_deposit(f, 2, 1, 1, 100);
    open_node(f);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    assert_int_equal(owner_of(f, pos), 1);
    assert_int_equal(stats(f).deposit_next, 4);

    /* Blocks 2 and 3 replaced: the new block 3 has the deposit, of owner 2. */
    set_block(f, 2, 0xb0);
    set_block(f, 3, 0xb0);
    set_block(f, 4, 0xb0);
    set_deposit(f, 3, 1, 2, 300);
    assert_int_equal(op_sync_follow_now(f->sync), 0); /* the undo */
    assert_int_equal(op_sync_follow_now(f->sync), 0); /* the new blocks */
    assert_int_equal(owner_of(f, pos), 2);
    assert_int_equal(pay(f, pos, 1, 5, 300), PLASMA_ERR_UNAUTHORIZED_SPEND);
    assert_int_equal(pay(f, pos, 2, 5, 300), 0);
    plasma_ledger_rc_block c;
    assert_int_equal(plasma_ledger_chain_cursor(f->l, &c), 0);
    /* Stored with the last block that had events (the rest is read again
     * after a restart). */
    assert_int_equal(c.number, 3);
    assert_true(plasma_hash_eq(&c.hash, &f->chain.blocks[3].hash));
    assert_false(stats(f).diverged);
}

static void test_ife_of_dropped_blocks_forgotten(void **state)
{
    fixture *f = *state;
    set_deposit(f, 1, 1, 1, 100);
    pthread_mutex_lock(&f->chain.mu);
    f->chain.blocks[3].ife = true;
    f->chain.blocks[3].ife_input = plasma_utxo_pos(1, 0, 0);
    pthread_mutex_unlock(&f->chain.mu);
    open_node(f);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    assert_int_equal(stats(f).ifes_watched, 1);
    /* Block 3 replaced by one without the exit. */
    set_block(f, 3, 0xc0);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    assert_int_equal(stats(f).ifes_watched, 0);
    assert_int_equal(owner_of(f, plasma_utxo_pos(1, 0, 0)), 1);
}

static void test_spent_deposit_refused(void **state)
{
    fixture *f = *state;
    uint64_t pos = plasma_utxo_pos(1, 0, 0);
    set_deposit(f, 2, 1, 1, 100);
    open_node(f);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    assert_int_equal(pay(f, pos, 1, 3, 100), 0);
    set_block(f, 2, 0xd0);
    set_block(f, 3, 0xd0);
    assert_int_equal(op_sync_follow_now(f->sync), PLASMA_ERR_UTXO_SPENT);
    assert_true(stats(f).diverged);
    assert_int_equal(op_sync_follow_now(f->sync), PLASMA_ERR_UTXO_SPENT);
    plasma_ledger_rc_block c;
    assert_int_equal(plasma_ledger_chain_cursor(f->l, &c), 0);
    assert_int_equal(c.number, 2); /* nothing undone: the dropped block's */
    assert_false(plasma_hash_eq(&c.hash, &f->chain.blocks[2].hash));
    assert_int_equal(owner_of(f, pos), PLASMA_ERR_UTXO_SPENT);
    restart(f);
    assert_int_equal(op_sync_follow_now(f->sync), PLASMA_ERR_UTXO_SPENT);
    assert_true(stats(f).diverged);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deposit_undone_and_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ife_of_dropped_blocks_forgotten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spent_deposit_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
