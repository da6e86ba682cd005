/* Unit tests of the root-chain follower and submitter (operator/src/sync.h)
 * against a fake backend: deposits wait for the finality margin, exits mark
 * outputs spent, blocks are submitted once each, in order, re-sent when a
 * submission is lost, and a foreign root is reported, not overwritten. */
#include <pthread.h>

#include "op_testkit.h"
#include "plasma/ledger.h"
#include "sync.h"

typedef struct fake_chain {
    pthread_mutex_t mu;
    uint64_t head;
    uint64_t next_child;
    plasma_hash roots[16]; /* child block n*1000 at [n] */
    bool pending;          /* a submission waits to be mined */
    plasma_hash pending_root;
    int submits;
    bool lose_next; /* drop the next submission (a lost mempool) */
    plasma_rc_deposit deps[16];
    size_t n_deps;
    plasma_rc_exit exits[16];
    size_t n_exits;
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
    fake_chain *f = ctx;
    pthread_mutex_lock(&f->mu);
    *b = f->next_child;
    pthread_mutex_unlock(&f->mu);
    return 0;
}

static int f_submit(void *ctx, uint64_t blknum, const plasma_hash *root)
{
    fake_chain *f = ctx;
    pthread_mutex_lock(&f->mu);
    int rc = blknum == f->next_child ? 0 : PLASMA_ERR_BAD_REQUEST;
    if (rc == 0 && !f->pending) {
        f->submits++;
        if (f->lose_next)
            f->lose_next = false;
        else {
            f->pending = true;
            f->pending_root = *root;
        }
    }
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static int f_get_block(void *ctx, uint64_t blknum, plasma_hash *root, uint64_t *ts)
{
    fake_chain *f = ctx;
    pthread_mutex_lock(&f->mu);
    int rc = blknum % 1000 == 0 && blknum < f->next_child ? 0 : PLASMA_ERR_NOT_FOUND;
    if (rc == 0) {
        *root = f->roots[blknum / 1000];
        *ts = 100 + blknum / 1000;
    }
    pthread_mutex_unlock(&f->mu);
    return rc;
}

#define COLLECT(arr, count, type)                                                                            \
    do {                                                                                                     \
        pthread_mutex_lock(&f->mu);                                                                          \
        type *o = calloc(count + 1, sizeof *o);                                                              \
        size_t m = 0;                                                                                        \
        for (size_t i = 0; i < count; i++)                                                                   \
            if (arr[i].rc_block >= from && arr[i].rc_block <= to)                                            \
                o[m++] = arr[i];                                                                             \
        pthread_mutex_unlock(&f->mu);                                                                        \
        *out = o;                                                                                            \
        *n = m;                                                                                              \
    } while (0)

static int f_deposits(void *ctx, uint64_t from, uint64_t to, plasma_rc_deposit **out, size_t *n)
{
    fake_chain *f = ctx;
    COLLECT(f->deps, f->n_deps, plasma_rc_deposit);
    return 0;
}

static int f_exits(void *ctx, uint64_t from, uint64_t to, plasma_rc_exit **out, size_t *n)
{
    fake_chain *f = ctx;
    COLLECT(f->exits, f->n_exits, plasma_rc_exit);
    return 0;
}

/* Mines one root-chain block, including a pending submission. */
static void mine(fake_chain *f)
{
    pthread_mutex_lock(&f->mu);
    f->head++;
    if (f->pending) {
        f->roots[f->next_child / 1000] = f->pending_root;
        f->next_child += 1000;
        f->pending = false;
    }
    pthread_mutex_unlock(&f->mu);
}

typedef struct fixture {
    char *dir;
    plasma_ledger *l;
    fake_chain chain;
    plasma_rootchain_backend be;
    op_sync *sync;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tk_tmpdir();
    pthread_mutex_init(&f->chain.mu, NULL);
    f->chain.next_child = 1000;
    f->be = (plasma_rootchain_backend){PLASMA_ROOTCHAIN_BACKEND_VERSION,
                                       "fake",
                                       &f->chain,
                                       f_head,
                                       f_next,
                                       f_submit,
                                       f_get_block,
                                       f_deposits,
                                       f_exits,
                                       NULL,
                                       NULL};
    plasma_ledger_config cfg;
    plasma_ledger_config_default(&cfg);
    cfg.data_dir = f->dir;
    cfg.fee_beneficiary = tk_addr(0);
    cfg.seal_interval_ms = 0;
    cfg.commit_linger_us = 0;
    char err[200];
    assert_int_equal(plasma_ledger_open(&f->l, &cfg, err, sizeof err), 0);
    op_sync_config sc = {.finality_margin = 2, .poll_ms = 10, .resubmit_ms = 100};
    assert_int_equal(op_sync_start(&f->sync, f->l, &f->be, &sc), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    op_sync_free(f->sync);
    plasma_ledger_free(f->l);
    tk_rmrf(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void add_deposit(fixture *f, uint64_t rc_block, uint64_t blknum, int owner, uint64_t amount)
{
    pthread_mutex_lock(&f->chain.mu);
    f->chain.deps[f->chain.n_deps++] =
        (plasma_rc_deposit){rc_block, blknum, tk_addr(owner), tk_token(0), plasma_u256_from_u64(amount), 50};
    pthread_mutex_unlock(&f->chain.mu);
}

static int pay(fixture *f, uint64_t in, int key, int to, uint64_t amount)
{
    tk_out o[1] = {{to, 0, amount}};
    plasma_tx tx = tk_payment(&in, &key, 1, o, 1);
    size_t len;
    uint8_t *rlp = tk_rlp(&tx, &len);
    plasma_ledger_receipt r;
    int rc = plasma_ledger_submit(f->l, &r, rlp, len);
    free(rlp);
    return rc;
}

static void wait_until(bool (*cond)(fixture *), fixture *f)
{
    for (int i = 0; i < 500 && !cond(f); i++)
        usleep(10000);
    assert_true(cond(f));
}

static void test_deposit_waits_for_finality(void **state)
{
    fixture *f = *state;
    add_deposit(f, 1, 1, 1, 100);
    mine(&f->chain); /* head 1: the deposit has no confirmations yet */
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    assert_int_equal(pay(f, plasma_utxo_pos(1, 0, 0), 1, 2, 100), PLASMA_ERR_UTXO_NOT_FOUND);
    mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    assert_int_equal(pay(f, plasma_utxo_pos(1, 0, 0), 1, 2, 100), PLASMA_ERR_UTXO_NOT_FOUND);
    mine(&f->chain); /* head 3 = 1 + margin 2 */
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    assert_int_equal(pay(f, plasma_utxo_pos(1, 0, 0), 1, 2, 100), 0);
    op_sync_stats st;
    op_sync_stats_get(f->sync, &st);
    assert_int_equal(st.rc_head, 3);
    assert_int_equal(st.deposit_next, 2);
}

static void test_exit_started_marks_spent(void **state)
{
    fixture *f = *state;
    add_deposit(f, 0, 1, 1, 100);
    add_deposit(f, 0, 2, 1, 100);
    mine(&f->chain);
    mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    pthread_mutex_lock(&f->chain.mu);
    f->chain.exits[f->chain.n_exits++] =
        (plasma_rc_exit){3, plasma_utxo_pos(1, 0, 0), tk_addr(1), tk_token(0), plasma_u256_from_u64(100)};
    pthread_mutex_unlock(&f->chain.mu);
    mine(&f->chain); /* exits count at the head, without a margin */
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    assert_int_equal(pay(f, plasma_utxo_pos(1, 0, 0), 1, 2, 100), PLASMA_ERR_UTXO_SPENT);
    assert_int_equal(pay(f, plasma_utxo_pos(2, 0, 0), 1, 2, 100), 0);
}

static bool submitted_2000(fixture *f)
{
    plasma_ledger_status st;
    plasma_ledger_status_get(f->l, &st);
    if (st.last_submitted < 2000)
        mine(&f->chain);
    return st.last_submitted == 2000;
}

static void test_blocks_submitted_in_order_once(void **state)
{
    fixture *f = *state;
    add_deposit(f, 0, 1, 1, 100);
    add_deposit(f, 0, 2, 1, 100);
    for (int i = 0; i < 3; i++)
        mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    uint64_t b1, b2;
    f->chain.lose_next = true; /* the first submission vanishes */
    assert_int_equal(pay(f, plasma_utxo_pos(1, 0, 0), 1, 2, 100), 0);
    assert_int_equal(plasma_ledger_seal(f->l, &b1), 0);
    assert_int_equal(pay(f, plasma_utxo_pos(2, 0, 0), 1, 2, 100), 0);
    assert_int_equal(plasma_ledger_seal(f->l, &b2), 0);
    assert_int_equal(b1, 1000);
    assert_int_equal(b2, 2000);
    op_sync_wake(f->sync);
    wait_until(submitted_2000, f);
    pthread_mutex_lock(&f->chain.mu);
    assert_int_equal(f->chain.next_child, 3000);
    assert_int_equal(f->chain.submits, 3); /* 1000 lost and re-sent, 2000 once */
    pthread_mutex_unlock(&f->chain.mu);
}

static bool diverged(fixture *f)
{
    op_sync_stats st;
    op_sync_stats_get(f->sync, &st);
    return st.diverged;
}

static void test_foreign_root_is_reported(void **state)
{
    fixture *f = *state;
    add_deposit(f, 0, 1, 1, 100);
    for (int i = 0; i < 3; i++)
        mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    pthread_mutex_lock(&f->chain.mu);
    memset(f->chain.roots[1].b, 0xee, 32);
    f->chain.next_child = 2000; /* someone else's block 1000 */
    pthread_mutex_unlock(&f->chain.mu);
    uint64_t b;
    assert_int_equal(pay(f, plasma_utxo_pos(1, 0, 0), 1, 2, 100), 0);
    assert_int_equal(plasma_ledger_seal(f->l, &b), 0);
    op_sync_wake(f->sync);
    wait_until(diverged, f);
    plasma_ledger_status st;
    plasma_ledger_status_get(f->l, &st);
    assert_int_equal(st.last_submitted, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deposit_waits_for_finality, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exit_started_marks_spent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocks_submitted_in_order_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_root_is_reported, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
