/* Unit tests of the operator's hash map and UTXO index (operator/src). */
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "testutil.h"
#include "uidx.h"

/* Random inserts and deletes against a plain array as reference: every key
 * must stay findable after backward-shift deletions. */
static void test_hmap_matches_reference(void **state)
{
    (void)state;
    enum { N = 4000 };
    static uint64_t vals[N];
    static bool present[N];
    op_hmap m;
    assert_int_equal(op_hmap_init(&m, sizeof(uint64_t), sizeof(uint64_t)), 0);
    uint64_t seed = tu_seed("hmap_random", 42);
    for (int round = 0; round < 200000; round++) {
        uint64_t k = tu_rand(&seed) % N;
        if (tu_rand(&seed) % 3) {
            void *v;
            int rc = op_hmap_put(&m, &k, &v);
            assert_int_equal(rc, present[k] ? 0 : 1);
            vals[k] = tu_rand(&seed);
            memcpy(v, &vals[k], sizeof vals[k]);
            present[k] = true;
        } else {
            assert_int_equal(op_hmap_del(&m, &k), present[k]);
            present[k] = false;
        }
    }
    size_t count = 0;
    for (uint64_t k = 0; k < N; k++) {
        const void *v = op_hmap_get(&m, &k);
        assert_int_equal(v != NULL, present[k]);
        if (v) {
            assert_memory_equal(v, &vals[k], sizeof vals[k]);
            count++;
        }
    }
    assert_int_equal(count, m.count);
    op_hmap_free(&m);
}

static void test_uidx_big_amounts_and_bound(void **state)
{
    (void)state;
    op_uidx x;
    assert_int_equal(op_uidx_init(&x, 4096), 0);
    op_utxo_rec r;
    memset(&r, 0, sizeof r);
    r.owner.b[0] = 1;
    r.token.b[19] = 7;
    r.amount.w[3] = 5; /* past 64 bits */
    assert_int_equal(op_uidx_put(&x, 1000000000ull, &r, OP_U_PENDING_NEW), 0);
    op_utxo_rec got;
    op_ustate st;
    assert_true(op_uidx_get(&x, 1000000000ull, &got, &st));
    assert_int_equal(st, OP_U_PENDING_NEW);
    assert_memory_equal(&got, &r, sizeof r);
    op_uidx_settle_new(&x, 1000000000ull);
    assert_true(op_uidx_get(&x, 1000000000ull, &got, &st));
    assert_int_equal(st, OP_U_UNSPENT);
    r.amount = plasma_u256_from_u64(9);
    for (uint64_t i = 0; i < 1000; i++)
        assert_int_equal(op_uidx_cache(&x, 2000000000ull + i, &r), 0);
    assert_false(x.complete);
    assert_true(op_uidx_bytes(&x) <= 4096 + 2048);
    op_uidx_del(&x, 1000000000ull);
    assert_false(op_uidx_get(&x, 1000000000ull, &got, &st));
    assert_int_equal(x.big.count, 0);
    op_uidx_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmap_matches_reference),
        cmocka_unit_test(test_uidx_big_amounts_and_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
