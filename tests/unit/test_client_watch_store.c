/* The watcher store's undo (client/src/watch_store.c): random writes tagged
 * with increasing root-chain blocks, taken back to a random block within
 * the window, must leave the store as it was after the last write tagged
 * at or below that block, also after reopening it; writes with undo off
 * keep no records; records below the window are dropped, and a rollback
 * that would need them is refused with nothing changed.
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
#include "watch_store.h"

#define N_KEYS 40
#define MAX_VAL 48
#define WRITES 120
#define WINDOW 16

static uint64_t seed;

static uint64_t rnd(uint64_t n)
{
    return tu_rand(&seed) % n;
}

/* The store's content over the key space: present[k], val[k], len[k]. */
typedef struct model {
    bool present[N_KEYS];
    uint8_t val[N_KEYS][MAX_VAL];
    size_t len[N_KEYS];
} model;

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void key_of(uint8_t key[2], int k)
{
    key[0] = 'k';
    key[1] = (uint8_t)k;
}

static void assert_store_is(watch_store *s, const model *m, const char *when)
{
    for (int k = 0; k < N_KEYS; k++) {
        uint8_t key[2];
        plasma_buf v = {0};
        key_of(key, k);
        int rc = watch_store_get(s, key, 2, &v);
        if (!m->present[k] && rc != PLASMA_ERR_NOT_FOUND)
            fail_msg("%s: key %d should be absent (rc %d)", when, k, rc);
        if (m->present[k] && (rc != 0 || v.len != m->len[k] || (v.len && memcmp(v.data, m->val[k], v.len))))
            fail_msg("%s: key %d differs (rc %d, present %d)", when, k, rc, m->present[k]);
        plasma_buf_free(&v);
    }
}

/* One random write of a few keys (a key may come twice) into s and m. */
static void random_write(watch_store *s, watch_batch *b, model *m)
{
    watch_batch_clear(b);
    int n = 1 + (int)rnd(6);
    for (int i = 0; i < n; i++) {
        int k = (int)rnd(N_KEYS);
        uint8_t key[2];
        key_of(key, k);
        if (rnd(4) == 0) {
            watch_batch_delete(b, key, 2);
            m->present[k] = false;
        } else {
            m->len[k] = rnd(MAX_VAL + 1);
            for (size_t j = 0; j < m->len[k]; j++)
                m->val[k][j] = (uint8_t)rnd(256);
            watch_batch_put(b, key, 2, m->val[k], m->len[k]);
            m->present[k] = true;
        }
    }
    assert_int_equal(watch_store_write(s, b), 0);
}

static int count_records(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    (void)key;
    (void)klen;
    (void)val;
    (void)vlen;
    (*(size_t *)ctx)++;
    return 0;
}

static size_t records(watch_store *s)
{
    size_t n = 0;
    assert_true(watch_store_scan(s, "R", 1, 1, count_records, &n) >= 0);
    return n;
}

static void test_rollback(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/plasma-test-undo-XXXXXX");
    assert_non_null(mkdtemp(dir));
    watch_store *s = NULL;
    watch_batch *b = NULL;
    assert_int_equal(watch_store_open(&s, dir, 4096), 0);
    assert_int_equal(watch_batch_new(&b), 0);
    static model m, at[WRITES + 2]; /* at[t]: after the last write tagged ≤ t */

    /* Undo off: nothing kept, and rollback refused. */
    random_write(s, b, &m);
    assert_int_equal(records(s), 0);
    assert_int_equal(watch_store_rollback(s, 0, NULL), PLASMA_ERR_BAD_REQUEST);

    assert_int_equal(watch_store_undo_on(s, WINDOW), 0);
    uint64_t tag = 1, max_tag = 1;
    at[0] = m;
    for (int round = 0; round < 6; round++) {
        /* Writes at increasing tags, a few per tag. */
        for (int i = 0; i < WRITES / 6; i++) {
            if (rnd(3) == 0 && tag <= WRITES) {
                at[tag] = m;
                tag++;
            }
            watch_store_set_tag(s, tag);
            random_write(s, b, &m);
        }
        at[tag] = m;
        /* Back to a random block within the window (the store reopened
         * every other round), then on from there. */
        /* The store drops records tagged below the highest tag written
         * less the window: below floor − 1 it refuses. */
        if (tag > max_tag)
            max_tag = tag;
        uint64_t floor = max_tag > WINDOW ? max_tag - WINDOW : 0, low = floor ? floor - 1 : 0;
        if (low >= 1) {
            size_t none = 7;
            assert_int_equal(watch_store_rollback(s, low - 1, &none), PLASMA_ERR_NOT_FOUND);
            assert_int_equal(none, 7);
            assert_store_is(s, &m, "after a refused rollback");
        }
        if (low > tag - 1)
            low = tag - 1;
        uint64_t back = low + rnd(tag - low);
        if (round % 2) {
            watch_batch_free(b);
            watch_store_close(s);
            assert_int_equal(watch_store_open(&s, dir, 4096), 0);
            assert_int_equal(watch_batch_new(&b), 0);
            assert_int_equal(watch_store_undo_on(s, WINDOW), 0);
        }
        size_t undone = 0;
        assert_int_equal(watch_store_rollback(s, back, &undone), 0);
        m = at[back];
        assert_store_is(s, &m, "after a rollback");
        /* A second rollback to the same block takes back nothing more. */
        assert_int_equal(watch_store_rollback(s, back, &undone), 0);
        assert_int_equal(undone, 0);
        assert_store_is(s, &m, "after a second rollback");
        tag = back + 1;
        watch_store_set_tag(s, tag);
    }
    /* Far past the window, the old records are gone. */
    watch_store_set_tag(s, tag + 10 * WINDOW);
    random_write(s, b, &m);
    assert_int_equal(records(s), 1);
    watch_batch_free(b);
    watch_store_close(s);
    nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const char *env = getenv("PLASMA_TEST_SEED");
    seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    if (!seed)
        seed = 1;
    printf("test_client_watch_store: seed=%llu (rerun with PLASMA_TEST_SEED=%llu)\n",
           (unsigned long long)seed, (unsigned long long)seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
