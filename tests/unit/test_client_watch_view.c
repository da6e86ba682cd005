/* The watcher's view on its LevelDB (client/src/watch_view.c), with a
 * cache far smaller than the data so that most reads come back from disk:
 * random staged changes, kept or dropped, against a plain model, checked
 * after every batch, after a failed write and after reopening the store;
 * blocks of several hundred transactions (in a file of their own, or in
 * LevelDB) read back one by one, their exit data proven against the
 * block's root, and block files that do not match their header refused.
 *
 * Randomized: the seed is printed; PLASMA_TEST_SEED=N runs it again. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "plasma/client.h"
#include "testutil.h"
#include "watch_blocks.h"
#include "watch_view.h"

#define N_POS 1000
#define ROUNDS 200

static uint64_t seed;

static uint64_t rnd(uint64_t n)
{
    return tu_rand(&seed) % n;
}

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

typedef struct fixture {
    char dir[64];
    watch_store *store;
    watch_view *view;
} fixture;

static void open_all(fixture *f, size_t cache_bytes)
{
    assert_int_equal(watch_store_open(&f->store, f->dir, 4096), 0);
    assert_int_equal(watch_view_open(&f->view, f->store, cache_bytes), 0);
}

static void close_all(fixture *f)
{
    watch_view_free(f->view);
    watch_store_close(f->store);
    f->view = NULL;
    f->store = NULL;
}

static int setup(void **state)
{
    static fixture f;
    const char *env = getenv("PLASMA_TEST_SEED");
    seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    if (!seed)
        seed = 1;
    printf("test_client_watch_view: seed=%llu (rerun with PLASMA_TEST_SEED=%llu)\n", (unsigned long long)seed,
           (unsigned long long)seed);
    snprintf(f.dir, sizeof f.dir, "/tmp/plasma-test-view-XXXXXX");
    assert_non_null(mkdtemp(f.dir));
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    close_all(f);
    nftw(f->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* --- the model --- */

typedef struct model {
    bool known[N_POS];
    watch_utxo u[N_POS];
} model;

static uint64_t pos_of(size_t i)
{
    return plasma_utxo_pos(1000 * (1 + i / 40), (uint32_t)(i % 40) * 7, (uint32_t)(i % 4));
}

static plasma_output random_output(void)
{
    plasma_output o;
    memset(&o, 0, sizeof o);
    for (int i = 0; i < 20; i++) {
        o.owner.b[i] = (uint8_t)rnd(256);
        o.token.b[i] = rnd(2) ? 0 : (uint8_t)rnd(256);
    }
    /* Amounts of every length, 1 to 32 bytes. */
    for (int w = 0; w < 4; w++)
        o.amount.w[w] = rnd(4) == 0 ? tu_rand(&seed) : 0;
    o.amount.w[0] |= 1;
    return o;
}

static void assert_same(const watch_utxo *got, const watch_utxo *want)
{
    assert_int_equal(got->pos, want->pos);
    assert_memory_equal(&got->out.owner, &want->out.owner, sizeof want->out.owner);
    assert_memory_equal(&got->out.token, &want->out.token, sizeof want->out.token);
    assert_int_equal(plasma_u256_cmp(&got->out.amount, &want->out.amount), 0);
    assert_int_equal(got->spent, want->spent);
    assert_int_equal(got->exiting, want->exiting);
    if (want->spent) {
        assert_int_equal(got->spend_blknum, want->spend_blknum);
        assert_int_equal(got->spend_txindex, want->spend_txindex);
        assert_int_equal(got->spend_input, want->spend_input);
    }
}

static void check_all(watch_view *v, const model *m)
{
    for (size_t i = 0; i < N_POS; i++) {
        watch_utxo u;
        int rc = watch_view_get(v, pos_of(i), &u);
        if (!m->known[i]) {
            assert_int_equal(rc, PLASMA_ERR_NOT_FOUND);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_same(&u, &m->u[i]);
    }
}

typedef struct walk {
    const model *m;
    size_t next; /* index to look for next */
    size_t seen;
} walk;

static int walk_one(void *ctx, const watch_utxo *u)
{
    walk *w = ctx;
    while (w->next < N_POS && !w->m->known[w->next])
        w->next++;
    assert_true(w->next < N_POS);
    assert_same(u, &w->m->u[w->next]);
    w->next++;
    w->seen++;
    return 0;
}

/* One random change staged on v and applied to the copy m. */
static void random_change(watch_view *v, model *m)
{
    size_t i = rnd(N_POS);
    uint64_t pos = pos_of(i);
    switch (rnd(3)) {
    case 0: {
        plasma_output o = random_output();
        /* a position the view has never had may be added unchecked */
        if (!m->known[i] && rnd(2))
            assert_int_equal(watch_view_add_new(v, pos, &o), 0);
        else
            assert_int_equal(watch_view_add(v, pos, &o), 0);
        if (!m->known[i]) {
            m->known[i] = true;
            m->u[i] = (watch_utxo){.pos = pos, .out = o};
        }
        break;
    }
    case 1: {
        uint64_t blk = 1000 * (1 + rnd(1000));
        uint32_t txi = (uint32_t)rnd(65536), in = (uint32_t)rnd(4);
        watch_utxo u;
        int rc = watch_view_get(v, pos, &u);
        assert_int_equal(rc, m->known[i] ? 0 : PLASMA_ERR_NOT_FOUND);
        if (rc == 0)
            assert_int_equal(watch_view_spend(v, &u, blk, txi, in), 0);
        if (m->known[i]) {
            m->u[i].spent = true;
            m->u[i].spend_blknum = blk;
            m->u[i].spend_txindex = txi;
            m->u[i].spend_input = in;
        }
        break;
    }
    default:
        assert_int_equal(watch_view_mark_exiting(v, pos), 0);
        if (m->known[i])
            m->u[i].exiting = true;
    }
}

/* Random batches of changes, written and settled or dropped, checked each
 * time through a cache of a few dozen entries; a failed write keeps
 * nothing; all of it read back after reopening. */
static void test_outputs_round_trip(void **state)
{
    fixture *f = *state;
    static model m, staged;
    watch_batch *b = NULL;
    memset(&m, 0, sizeof m);
    open_all(f, 4096);
    size_t entries = 0, bytes = 0;
    watch_view_cache_use(f->view, &entries, &bytes);
    assert_true(bytes <= 4096);
    assert_int_equal(watch_batch_new(&b), 0);
    for (int round = 0; round < ROUNDS; round++) {
        staged = m;
        for (uint64_t k = rnd(30) + 1; k > 0; k--)
            random_change(f->view, &staged);
        check_all(f->view, &staged); /* staged changes are visible */
        uint64_t fate = rnd(10);
        watch_batch_clear(b);
        assert_int_equal(watch_view_stage(f->view, b), 0);
        if (fate == 0) {
            watch_view_discard(f->view);
        } else if (fate == 1) {
            watch_store_fail_writes_after(f->store, 1);
            assert_int_equal(watch_store_write(f->store, b), PLASMA_ERR_IO);
            watch_store_fail_writes_after(f->store, 0);
            watch_view_discard(f->view);
        } else {
            assert_int_equal(watch_store_write(f->store, b), 0);
            watch_view_settle(f->view);
            m = staged;
        }
        check_all(f->view, &m);
    }
    watch_view_cache_use(f->view, &entries, &bytes);
    assert_true(entries > 0 && entries <= bytes / sizeof(watch_utxo));
    watch_batch_free(b);
    close_all(f);

    open_all(f, 4096);
    check_all(f->view, &m);
    walk w = {&m, 0, 0};
    assert_int_equal(watch_view_foreach(f->view, walk_one, &w), 0);
    size_t known = 0;
    for (size_t i = 0; i < N_POS; i++)
        known += m.known[i];
    assert_int_equal(w.seen, known);
    close_all(f);
}

/* Writes a block of n random signed payments as blknum. Out: its txs, offs
 * (n + 1) and leaves (n), for the caller to free. */
static void put_block(fixture *f, uint64_t blknum, size_t n, plasma_buf *txs, size_t **offs,
                      plasma_hash **leaves, watch_block_hdr *h)
{
    plasma_domain d;
    plasma_privkey key;
    watch_batch *b = NULL;
    *offs = calloc(n + 1, sizeof **offs);
    *leaves = calloc(n, sizeof **leaves);
    assert_non_null(*offs);
    assert_non_null(*leaves);
    plasma_domain_dev(&d);
    assert_int_equal(plasma_dev_key(&key, 1), 0);
    for (size_t i = 0; i < n; i++) {
        plasma_tx tx;
        plasma_buf u = {0};
        memset(&tx, 0, sizeof tx);
        tx.tx_type = PLASMA_TX_PAYMENT;
        tx.n_inputs = 1;
        tx.inputs[0] = plasma_utxo_pos(1 + i, 0, 0);
        tx.n_outputs = 1 + (uint8_t)rnd(4);
        for (unsigned k = 0; k < tx.n_outputs; k++)
            tx.outputs[k] = random_output();
        assert_int_equal(plasma_tx_sign_input(&tx, &d, 0, &key), 0);
        assert_int_equal(plasma_tx_encode_signed(txs, &tx), 0);
        (*offs)[i + 1] = txs->len;
        assert_int_equal(plasma_tx_encode_unsigned(&u, &tx), 0);
        plasma_merkle_leaf(&(*leaves)[i], u.data, u.len);
        plasma_buf_free(&u);
    }
    *h = (watch_block_hdr){.blknum = blknum, .timestamp = 1700000123, .n = (uint32_t)n};
    assert_int_equal(plasma_merkle_root(&h->root, *leaves, n), 0);
    assert_int_equal(watch_batch_new(&b), 0);
    assert_int_equal(watch_view_put_block(f->view, b, h, txs->data, *offs, *leaves), 0);
    assert_int_equal(watch_store_write(f->store, b), 0);
    watch_batch_free(b);
}

/* A block of n transactions: 700 (a file of its own) or 200 (in LevelDB,
 * a chunk of 256 and less), read back tx by tx after reopening, and exit
 * data that proves each output against the block's root. */
static void check_block(fixture *f, uint64_t blknum, size_t n)
{
    plasma_buf txs = {0};
    size_t *offs;
    plasma_hash *leaves;
    watch_block_hdr h, got;
    char path[128];
    open_all(f, 4096);
    put_block(f, blknum, n, &txs, &offs, &leaves, &h);
    close_all(f);
    snprintf(path, sizeof path, "%s/blocks/%llu", f->dir, (unsigned long long)blknum);
    assert_int_equal(access(path, F_OK) == 0, n > WATCH_VIEW_FILE_TXS);

    open_all(f, 4096);
    assert_int_equal(watch_view_block_header(f->view, blknum, &got), 0);
    assert_int_equal(got.n, n);
    assert_int_equal(got.timestamp, 1700000123);
    assert_true(plasma_hash_eq(&got.root, &h.root));
    assert_int_equal(watch_view_block_header(f->view, blknum + 1000, &got), PLASMA_ERR_NOT_FOUND);
    for (size_t i = 0; i < n; i++) {
        plasma_buf one = {0};
        assert_int_equal(watch_view_block_tx(f->view, blknum, (uint32_t)i, &one), 0);
        assert_int_equal(one.len, offs[i + 1] - offs[i]);
        assert_memory_equal(one.data, txs.data + offs[i], one.len);
        plasma_buf_free(&one);
    }
    plasma_buf none = {0};
    assert_int_equal(watch_view_block_tx(f->view, blknum, (uint32_t)n, &none), PLASMA_ERR_NOT_FOUND);
    assert_int_equal(watch_view_block_tx(f->view, blknum + 2000, 0, &none), PLASMA_ERR_NOT_FOUND);
    for (size_t k = 0; k < 50; k++) {
        uint32_t i = (uint32_t)rnd(n);
        plasma_call call;
        plasma_hash leaf;
        plasma_call_init(&call, PLASMA_CALL_START_EXIT, NULL, 0, 0, 0);
        assert_int_equal(watch_view_exit_data(f->view, plasma_utxo_pos(blknum, i, 0), &call), 0);
        assert_int_equal(call.start_exit.utxo_pos, plasma_utxo_pos(blknum, i, 0));
        plasma_merkle_leaf(&leaf, call.start_exit.tx, call.start_exit.tx_len);
        assert_true(plasma_hash_eq(&leaf, &leaves[i]));
        assert_true(plasma_merkle_verify(&h.root, &leaf, i, call.start_exit.proof, PLASMA_MERKLE_PROOF_LEN));
    }
    plasma_call call;
    assert_int_equal(watch_view_exit_data(f->view, plasma_utxo_pos(blknum + 2000, 0, 0), &call),
                     PLASMA_ERR_NOT_FOUND);
    close_all(f);
    plasma_buf_free(&txs);
    free(offs);
    free(leaves);
}

static void test_blocks(void **state)
{
    fixture *f = *state;
    check_block(f, 7000, 700);
    check_block(f, 17000, 200);
}

/* A block's file that does not match its header (cut short, or another
 * block's file left by a crash or a reorganisation) is an I/O error, never
 * wrong data. */
static void test_block_files_checked(void **state)
{
    fixture *f = *state;
    plasma_buf txs = {0}, other = {0}, one = {0};
    size_t *offs, *offs2;
    plasma_hash *leaves, *leaves2;
    watch_block_hdr h, h2;
    char path[128], path2[128];
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    open_all(f, 4096);
    put_block(f, 5000, 300, &txs, &offs, &leaves, &h);
    put_block(f, 6000, 300, &other, &offs2, &leaves2, &h2);
    snprintf(path, sizeof path, "%s/blocks/5000", f->dir);
    snprintf(path2, sizeof path2, "%s/blocks/6000", f->dir);
    assert_int_equal(rename(path2, path), 0); /* 5000's file now holds 6000's txs */
    assert_int_equal(watch_view_proof(f->view, 5000, 3, proof), PLASMA_ERR_IO);
    assert_int_equal(truncate(path, 1000), 0);
    assert_int_equal(watch_view_block_tx(f->view, 5000, 3, &one), PLASMA_ERR_IO);
    assert_int_equal(remove(path), 0);
    assert_int_equal(watch_view_block_tx(f->view, 5000, 3, &one), PLASMA_ERR_IO);
    assert_int_equal(one.len, 0);
    close_all(f);
    plasma_buf_free(&txs);
    plasma_buf_free(&other);
    free(offs);
    free(offs2);
    free(leaves);
    free(leaves2);
}

static bool exists(const char *dir, const char *name)
{
    char path[160];
    snprintf(path, sizeof path, "%s/blocks/%s", dir, name);
    return access(path, F_OK) == 0;
}

/* The files no header names are removed (a block never committed, a small
 * block's file when its header says the store holds it); the others and
 * names that are not blocks' stay. */
static void test_block_files_swept(void **state)
{
    fixture *f = *state;
    plasma_buf txs = {0}, small = {0};
    size_t *offs, *offs2, removed = 99;
    plasma_hash *leaves, *leaves2;
    watch_block_hdr h, h2;
    char path[160];
    open_all(f, 4096);
    put_block(f, 5000, 300, &txs, &offs, &leaves, &h);
    put_block(f, 8000, 20, &small, &offs2, &leaves2, &h2);
    assert_int_equal(watch_view_sweep_files(f->view, &removed), 0);
    assert_int_equal(removed, 0);
    assert_int_equal(watch_blocks_write(f->dir, 9000, 300, txs.data, offs, leaves), 0);
    assert_int_equal(watch_blocks_write(f->dir, 8000, 20, small.data, offs2, leaves2), 0);
    snprintf(path, sizeof path, "%s/blocks/notes", f->dir);
    FILE *other = fopen(path, "w");
    assert_non_null(other);
    fclose(other);
    assert_true(exists(f->dir, "9000") && exists(f->dir, "8000"));
    assert_int_equal(watch_view_sweep_files(f->view, &removed), 0);
    assert_int_equal(removed, 2);
    assert_false(exists(f->dir, "9000"));
    assert_false(exists(f->dir, "8000"));
    assert_true(exists(f->dir, "5000"));
    assert_true(exists(f->dir, "notes"));
    plasma_buf one = {0};
    assert_int_equal(watch_view_block_tx(f->view, 5000, 3, &one), 0);
    assert_int_equal(watch_view_block_tx(f->view, 8000, 3, &one), 0);
    plasma_buf_free(&one);
    close_all(f);
    plasma_buf_free(&txs);
    plasma_buf_free(&small);
    free(offs);
    free(offs2);
    free(leaves);
    free(leaves2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outputs_round_trip),
        cmocka_unit_test(test_blocks),
        cmocka_unit_test(test_block_files_checked),
        cmocka_unit_test(test_block_files_swept),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
