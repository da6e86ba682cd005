/* Unit tests of the root-chain follower and submitter (operator/src/sync.h)
 * against a fake backend: deposits wait for the finality margin, exits mark
 * outputs spent, outputs the root chain finalized are refused and the open
 * block's txs spending them dropped, blocks are submitted once each, in
 * order, re-sent when a submission is lost, and a foreign root is reported,
 * not overwritten. */
#include <pthread.h>

#include "op_testkit.h"
#include "plasma/exitgame.h"
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
    plasma_rc_exit_event xevs[16];
    size_t n_xevs;
    plasma_hash flagged[16]; /* finalized[output_id] = by */
    plasma_u256 by[16];
    size_t n_flags;
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

static int f_exit_events(void *ctx, uint64_t from, uint64_t to, plasma_rc_exit_event **out, size_t *n)
{
    fake_chain *f = ctx;
    COLLECT(f->xevs, f->n_xevs, plasma_rc_exit_event);
    return 0;
}

static int f_finalized(void *ctx, const plasma_hash *id, plasma_u256 *by)
{
    fake_chain *f = ctx;
    pthread_mutex_lock(&f->mu);
    *by = plasma_u256_from_u64(0);
    for (size_t i = 0; i < f->n_flags; i++)
        if (plasma_hash_eq(&f->flagged[i], id))
            *by = f->by[i];
    pthread_mutex_unlock(&f->mu);
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

/* The ledger on f->dir and the follower on the fake chain. */
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
    op_sync_config sc = {.finality_margin = 2, .poll_ms = 10, .resubmit_ms = 100};
    assert_int_equal(op_sync_start(&f->sync, f->l, &f->be, &sc), 0);
}

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
                                       f_exit_events,
                                       f_finalized,
                                       NULL,
                                       NULL};
    open_node(f);
    *state = f;
    return 0;
}

/* Kills the follower and the ledger and opens both again on the same
 * directory (a restart of the operator). */
static void restart(fixture *f)
{
    op_sync_free(f->sync);
    plasma_ledger_free(f->l);
    open_node(f);
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

static void add_exit_event(fixture *f, plasma_rc_exit_event ev)
{
    pthread_mutex_lock(&f->chain.mu);
    f->chain.xevs[f->chain.n_xevs++] = ev;
    pthread_mutex_unlock(&f->chain.mu);
}

static void flag(fixture *f, const plasma_hash *id, const plasma_u256 *by)
{
    pthread_mutex_lock(&f->chain.mu);
    f->chain.flagged[f->chain.n_flags] = *id;
    f->chain.by[f->chain.n_flags++] = *by;
    pthread_mutex_unlock(&f->chain.mu);
}

/* The output id of deposit output pos (of owner, amount in ETH). */
static plasma_hash deposit_output_id(uint64_t pos, int owner, uint64_t amount)
{
    plasma_tx tx;
    plasma_addr o = tk_addr(owner), eth = tk_token(0);
    plasma_u256 a = plasma_u256_from_u64(amount);
    plasma_tx_make_deposit(&tx, &o, &eth, &a);
    plasma_buf b = {0};
    assert_int_equal(plasma_tx_encode_unsigned(&b, &tx), 0);
    plasma_hash id;
    plasma_output_id(&id, b.data, b.len, false, 0, pos);
    plasma_buf_free(&b);
    return id;
}

static bool collect_leaf_lens(void *arg, const uint8_t *rlp, size_t len)
{
    (void)rlp;
    size_t *lens = arg;
    lens[++lens[0]] = len;
    return true;
}

/* An in-flight exit of another tx spending Alice's deposit is processed
 * through its outputs: the deposit is finalized. The open block's txs that
 * spent it (Alice to Bob, then Bob to Carol) are dropped and leave empty
 * leaves; Carol's own tx keeps its index; spending the deposit again is refused
 * with input_finalized; a restart keeps it all. */
static void test_finalized_input_drops_open_txs(void **state)
{
    fixture *f = *state;
    add_deposit(f, 0, 1, 1, 100);
    add_deposit(f, 0, 2, 3, 50);
    for (int i = 0; i < 3; i++)
        mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    uint64_t d1 = plasma_utxo_pos(1, 0, 0), d2 = plasma_utxo_pos(2, 0, 0);
    assert_int_equal(pay(f, d1, 1, 2, 100), 0);                          /* 1000:0 */
    assert_int_equal(pay(f, plasma_utxo_pos(1000, 0, 0), 2, 3, 100), 0); /* 1000:1 */
    assert_int_equal(pay(f, d2, 3, 0, 50), 0);                           /* 1000:2 */

    plasma_u256 ife_id = {{7, 0, 0, 1ull << 63}};
    plasma_rc_exit_event start = {
        .rc_block = 4, .kind = PLASMA_RC_IFE_STARTED, .ife_id = ife_id, .n_inputs = 1};
    start.inputs[0] = d1;
    memset(start.txhash.b, 0x5a, 32); /* a tx the operator never saw */
    add_exit_event(f, start);
    mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    op_sync_stats st;
    op_sync_stats_get(f->sync, &st);
    assert_int_equal(st.ifes_watched, 1);
    assert_int_equal(st.finalized, 0);
    assert_int_equal(pay(f, d1, 1, 0, 100), PLASMA_ERR_UTXO_SPENT); /* spent in the open block */

    plasma_hash id = deposit_output_id(d1, 1, 100);
    flag(f, &id, &ife_id);
    add_exit_event(f, (plasma_rc_exit_event){.rc_block = 5, .kind = PLASMA_RC_IFE_CLOSED, .ife_id = ife_id});
    mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    op_sync_stats_get(f->sync, &st);
    assert_int_equal(st.finalized, 1);
    assert_int_equal(st.dropped, 2);
    assert_int_equal(st.ifes_watched, 0);
    assert_int_equal(pay(f, d1, 1, 0, 100), PLASMA_ERR_INPUT_FINALIZED);
    assert_int_equal(pay(f, plasma_utxo_pos(1000, 0, 0), 2, 3, 100), PLASMA_ERR_UTXO_NOT_FOUND);
    plasma_utxo u;
    assert_int_equal(plasma_ledger_get_utxo(f->l, plasma_utxo_pos(1000, 2, 0), &u), 0);

    /* a restart reopens the open block with its holes */
    restart(f);
    assert_int_equal(pay(f, d1, 1, 0, 100), PLASMA_ERR_INPUT_FINALIZED);
    uint64_t b;
    assert_int_equal(plasma_ledger_seal(f->l, &b), 0);
    assert_int_equal(b, 1000);
    size_t lens[8] = {0};
    plasma_block_info info;
    assert_int_equal(plasma_ledger_get_block(f->l, 1000, &info, collect_leaf_lens, lens), 0);
    assert_int_equal(lens[0], 3);
    assert_int_equal(lens[1], 0);
    assert_int_equal(lens[2], 0);
    assert_true(lens[3] > 0);
    /* the root has the empty leaf at the dropped indexes */
    plasma_buf tx = {0};
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    assert_int_equal(plasma_ledger_exit_data(f->l, plasma_utxo_pos(1000, 2, 0), &tx, proof), 0);
    plasma_hash leaf, leaves[3] = {*plasma_merkle_empty(0), *plasma_merkle_empty(0)}, root;
    plasma_merkle_leaf(&leaf, tx.data, tx.len);
    leaves[2] = leaf;
    assert_int_equal(plasma_merkle_root(&root, leaves, 3), 0);
    assert_true(plasma_hash_eq(&root, &info.root));
    assert_true(plasma_merkle_verify(&info.root, &leaf, 2, proof, sizeof proof));
    plasma_buf_free(&tx);
    assert_int_equal(plasma_ledger_exit_data(f->l, plasma_utxo_pos(1000, 0, 0), &tx, proof),
                     PLASMA_ERR_NOT_FOUND);
    plasma_buf_free(&tx);
}

/* An output a standard exit finalized: its spends say so. */
static void test_exit_finalized_refused(void **state)
{
    fixture *f = *state;
    add_deposit(f, 0, 1, 1, 100);
    for (int i = 0; i < 3; i++)
        mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    uint64_t d1 = plasma_utxo_pos(1, 0, 0);
    pthread_mutex_lock(&f->chain.mu);
    f->chain.exits[f->chain.n_exits++] =
        (plasma_rc_exit){3, d1, tk_addr(1), tk_token(0), plasma_u256_from_u64(100)};
    pthread_mutex_unlock(&f->chain.mu);
    add_exit_event(f, (plasma_rc_exit_event){.rc_block = 4, .kind = PLASMA_RC_EXIT_FINALIZED, .exit_id = d1});
    mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    assert_int_equal(pay(f, d1, 1, 2, 100), PLASMA_ERR_INPUT_FINALIZED);
    op_sync_stats st;
    op_sync_stats_get(f->sync, &st);
    assert_int_equal(st.finalized, 1);
    assert_int_equal(st.dropped, 0);
}

/* An in-flight exit of a tx the operator sealed, processed through its
 * outputs: the piggybacked output is finalized, the open block's spend of it
 * dropped. The follower keeps watching the exit across a restart (its
 * cursor stays at the exit's start); the tx's input stays spent. */
static void test_ife_outputs_watched_across_restart(void **state)
{
    fixture *f = *state;
    add_deposit(f, 0, 1, 1, 100);
    for (int i = 0; i < 3; i++)
        mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    uint64_t d1 = plasma_utxo_pos(1, 0, 0), out0 = plasma_utxo_pos(1000, 0, 0);
    int key = 1;
    tk_out o[1] = {{2, 0, 100}};
    plasma_tx t = tk_payment(&d1, &key, 1, o, 1);
    size_t len;
    uint8_t *rlp = tk_rlp(&t, &len);
    plasma_ledger_receipt r;
    assert_int_equal(plasma_ledger_submit(f->l, &r, rlp, len), 0);
    free(rlp);
    uint64_t b;
    assert_int_equal(plasma_ledger_seal(f->l, &b), 0);
    assert_int_equal(b, 1000);
    assert_int_equal(pay(f, out0, 2, 3, 100), 0); /* 2000:0, open */

    plasma_u256 ife_id;
    assert_int_equal(plasma_ife_id(&ife_id, &t), 0);
    plasma_rc_exit_event start = {
        .rc_block = 4, .kind = PLASMA_RC_IFE_STARTED, .ife_id = ife_id, .n_inputs = 1};
    start.inputs[0] = d1;
    assert_int_equal(plasma_tx_hash(&start.txhash, &t), 0);
    add_exit_event(f, start);
    mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    restart(f);
    mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    op_sync_stats st;
    op_sync_stats_get(f->sync, &st);
    assert_int_equal(st.ifes_watched, 1);

    plasma_buf utx = {0};
    assert_int_equal(plasma_tx_encode_unsigned(&utx, &t), 0);
    plasma_hash id;
    plasma_output_id(&id, utx.data, utx.len, true, 0, out0);
    plasma_buf_free(&utx);
    flag(f, &id, &ife_id);
    add_exit_event(f, (plasma_rc_exit_event){.rc_block = 6, .kind = PLASMA_RC_IFE_CLOSED, .ife_id = ife_id});
    mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    op_sync_stats_get(f->sync, &st);
    assert_int_equal(st.finalized, 1);
    assert_int_equal(st.dropped, 1);
    assert_int_equal(st.ifes_watched, 0);
    assert_int_equal(pay(f, out0, 2, 3, 100), PLASMA_ERR_INPUT_FINALIZED);
    assert_int_equal(pay(f, d1, 1, 2, 100), PLASMA_ERR_UTXO_SPENT);
    plasma_utxo u;
    assert_int_equal(plasma_ledger_get_utxo(f->l, plasma_utxo_pos(2000, 0, 0), &u),
                     PLASMA_ERR_UTXO_NOT_FOUND);
}

/* An in-flight exit whose input is a deposit still waiting for the finality
 * margin: once applied, the deposit is watched like any input, and refused
 * when the exit finalizes it. */
static void test_ife_input_deposit_applied_later(void **state)
{
    fixture *f = *state;
    /* Events go into the block mined next: the follower's own thread may
     * already have read every block up to the head. */
    for (int i = 0; i < 4; i++)
        mine(&f->chain);
    add_deposit(f, 5, 1, 1, 100);
    uint64_t d1 = plasma_utxo_pos(1, 0, 0);
    plasma_u256 ife_id = {{9, 0, 0, 1ull << 63}};
    plasma_rc_exit_event start = {
        .rc_block = 5, .kind = PLASMA_RC_IFE_STARTED, .ife_id = ife_id, .n_inputs = 1};
    start.inputs[0] = d1;
    add_exit_event(f, start);
    mine(&f->chain); /* head 5: the deposit waits for its margin */
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    plasma_utxo u;
    assert_int_equal(plasma_ledger_get_utxo(f->l, d1, &u), PLASMA_ERR_UTXO_NOT_FOUND);
    mine(&f->chain);
    mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    assert_int_equal(plasma_ledger_get_utxo(f->l, d1, &u), 0);

    plasma_hash id = deposit_output_id(d1, 1, 100);
    flag(f, &id, &ife_id);
    add_exit_event(f, (plasma_rc_exit_event){.rc_block = 8, .kind = PLASMA_RC_IFE_CLOSED, .ife_id = ife_id});
    mine(&f->chain);
    assert_int_equal(op_sync_follow_now(f->sync), 0);
    op_sync_stats st;
    op_sync_stats_get(f->sync, &st);
    assert_int_equal(st.finalized, 1);
    assert_int_equal(st.ifes_watched, 0);
    assert_int_equal(pay(f, d1, 1, 2, 100), PLASMA_ERR_INPUT_FINALIZED);
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
        cmocka_unit_test_setup_teardown(test_finalized_input_drops_open_txs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exit_finalized_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ife_outputs_watched_across_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ife_input_deposit_applied_later, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocks_submitted_in_order_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_root_is_reported, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
