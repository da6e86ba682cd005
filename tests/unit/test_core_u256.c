/* u256: overflow edges of the checked arithmetic, byte and text forms. */
#include "testutil.h"

#include <string.h>

#define MAX_DEC "115792089237316195423570985008687907853269984665640564039457584007913129639935"
#define MAX_HEX "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static const plasma_u256 u_max = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
static const plasma_u256 u_zero = {{0, 0, 0, 0}};
static const plasma_u256 u_one = {{1, 0, 0, 0}};

static void assert_u256_eq(const plasma_u256 *a, const plasma_u256 *b)
{
    assert_memory_equal(a->w, b->w, sizeof a->w);
}

static void test_add(void **state)
{
    (void)state;
    plasma_u256 r = {{7, 7, 7, 7}}, before = r;
    assert_int_equal(plasma_u256_add(&r, &u_max, &u_one), PLASMA_ERR_OVERFLOW);
    assert_u256_eq(&r, &before); /* untouched on overflow */
    assert_int_equal(plasma_u256_add(&r, &u_max, &u_zero), 0);
    assert_u256_eq(&r, &u_max);

    /* Carry through every limb. */
    plasma_u256 a = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, 0}};
    assert_int_equal(plasma_u256_add(&r, &a, &u_one), 0);
    plasma_u256 expect = {{0, 0, 0, 1}};
    assert_u256_eq(&r, &expect);

    /* Aliasing out with an input. */
    plasma_u256 x = plasma_u256_from_u64(40);
    plasma_u256 two = plasma_u256_from_u64(2);
    assert_int_equal(plasma_u256_add(&x, &x, &two), 0);
    assert_int_equal(x.w[0], 42);

    plasma_u256 half = {{0, 0, 0, 1ull << 63}};
    assert_int_equal(plasma_u256_add(&r, &half, &half), PLASMA_ERR_OVERFLOW);

    /* Saturating: the sum when it fits, else 2^256 - 1; out may alias. */
    plasma_u256_add_saturating(&r, &half, &half);
    assert_u256_eq(&r, &u_max);
    plasma_u256_add_saturating(&r, &r, &u_one);
    assert_u256_eq(&r, &u_max);
    plasma_u256_add_saturating(&r, &a, &u_one);
    assert_u256_eq(&r, &expect);
    x = plasma_u256_from_u64(40);
    plasma_u256_add_saturating(&x, &x, &two);
    assert_int_equal(x.w[0], 42);
}

static void test_sub(void **state)
{
    (void)state;
    plasma_u256 r = {{9, 9, 9, 9}}, before = r;
    assert_int_equal(plasma_u256_sub(&r, &u_zero, &u_one), PLASMA_ERR_OVERFLOW);
    assert_u256_eq(&r, &before);
    assert_int_equal(plasma_u256_sub(&r, &u_max, &u_max), 0);
    assert_true(plasma_u256_is_zero(&r));

    plasma_u256 a = {{0, 0, 0, 1}};
    assert_int_equal(plasma_u256_sub(&r, &a, &u_one), 0);
    plasma_u256 expect = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, 0}};
    assert_u256_eq(&r, &expect);

    plasma_u256 b = {{5, 0, 0, 0}}, c = {{6, 0, 0, 0}};
    assert_int_equal(plasma_u256_sub(&r, &b, &c), PLASMA_ERR_OVERFLOW);
    plasma_u256 d = {{0, 1, 0, 0}};
    assert_int_equal(plasma_u256_sub(&r, &b, &d), PLASMA_ERR_OVERFLOW);
}

static void test_mul_u64(void **state)
{
    (void)state;
    plasma_u256 r = {{3, 3, 3, 3}}, before = r;
    assert_int_equal(plasma_u256_mul_u64(&r, &u_max, 2), PLASMA_ERR_OVERFLOW);
    assert_u256_eq(&r, &before);
    assert_int_equal(plasma_u256_mul_u64(&r, &u_max, 1), 0);
    assert_u256_eq(&r, &u_max);
    assert_int_equal(plasma_u256_mul_u64(&r, &u_max, 0), 0);
    assert_true(plasma_u256_is_zero(&r));

    plasma_u256 a = plasma_u256_from_u64(UINT64_MAX);
    assert_int_equal(plasma_u256_mul_u64(&r, &a, UINT64_MAX), 0);
    plasma_u256 expect = {{1, UINT64_MAX - 1, 0, 0}};
    assert_u256_eq(&r, &expect);

    plasma_u256 top = {{0, 0, 0, 1ull << 62}};
    assert_int_equal(plasma_u256_mul_u64(&r, &top, 3), 0);
    assert_int_equal(plasma_u256_mul_u64(&r, &top, 4), PLASMA_ERR_OVERFLOW);
}

static void test_divmod(void **state)
{
    (void)state;
    plasma_u256 q;
    uint64_t rem;
    plasma_u256_divmod_u64(&q, &rem, &u_max, 10);
    assert_int_equal(rem, 5);
    plasma_u256 back;
    assert_int_equal(plasma_u256_mul_u64(&back, &q, 10), 0);
    plasma_u256 five = plasma_u256_from_u64(5);
    assert_int_equal(plasma_u256_add(&back, &back, &five), 0);
    assert_u256_eq(&back, &u_max);
    plasma_u256_divmod_u64(&q, NULL, &u_one, 2);
    assert_true(plasma_u256_is_zero(&q));
}

static void test_cmp_and_u64(void **state)
{
    (void)state;
    plasma_u256 a = {{0, 0, 0, 1}}, b = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, 0}};
    assert_int_equal(plasma_u256_cmp(&a, &b), 1);
    assert_int_equal(plasma_u256_cmp(&b, &a), -1);
    assert_int_equal(plasma_u256_cmp(&a, &a), 0);
    assert_int_equal(plasma_u256_cmp(&u_zero, &u_one), -1);

    uint64_t v = 0;
    plasma_u256 m = plasma_u256_from_u64(UINT64_MAX);
    assert_true(plasma_u256_to_u64(&m, &v));
    assert_true(v == UINT64_MAX);
    assert_true(plasma_u256_to_u64(&m, NULL));
    plasma_u256 big = {{0, 1, 0, 0}};
    v = 17;
    assert_false(plasma_u256_to_u64(&big, &v));
    assert_int_equal(v, 17);
    assert_true(plasma_u256_is_zero(&u_zero));
    assert_false(plasma_u256_is_zero(&big));
}

static void test_bytes(void **state)
{
    (void)state;
    uint8_t be[33];
    memset(be, 0xff, sizeof be);
    plasma_u256 r;
    assert_int_equal(plasma_u256_from_be(&r, be, 32), 0);
    assert_u256_eq(&r, &u_max);
    assert_int_equal(plasma_u256_from_be(&r, be, 33), PLASMA_ERR_OVERFLOW);
    assert_int_equal(plasma_u256_from_be(&r, be, 0), 0);
    assert_true(plasma_u256_is_zero(&r));

    static const uint8_t three[3] = {0x01, 0x02, 0x03};
    assert_int_equal(plasma_u256_from_be(&r, three, 3), 0);
    assert_int_equal(r.w[0], 0x010203);
    assert_int_equal(plasma_u256_byte_len(&r), 3);
    assert_int_equal(plasma_u256_byte_len(&u_zero), 0);
    assert_int_equal(plasma_u256_byte_len(&u_one), 1);
    assert_int_equal(plasma_u256_byte_len(&u_max), 32);
    plasma_u256 nine = {{0, 1, 0, 0}};
    assert_int_equal(plasma_u256_byte_len(&nine), 9);

    uint8_t out[32];
    plasma_u256 x = {
        {0x0807060504030201ull, 0x100f0e0d0c0b0a09ull, 0x1817161514131211ull, 0x201f1e1d1c1b1a19ull}};
    plasma_u256_to_be(out, &x);
    for (int i = 0; i < 32; i++)
        assert_int_equal(out[i], 32 - i);
    plasma_u256 y;
    assert_int_equal(plasma_u256_from_be(&y, out, 32), 0);
    assert_u256_eq(&x, &y);
}

static void check_dec_round_trip(const char *dec)
{
    plasma_u256 v;
    char buf[PLASMA_U256_DEC_MAX];
    assert_int_equal(plasma_u256_parse_dec(&v, dec), 0);
    assert_string_equal(plasma_u256_format_dec(buf, &v), dec);
}

static void test_dec(void **state)
{
    (void)state;
    check_dec_round_trip("0");
    check_dec_round_trip("1");
    check_dec_round_trip("9999999999999999999");
    check_dec_round_trip("10000000000000000000");
    check_dec_round_trip("18446744073709551615");
    check_dec_round_trip("18446744073709551616");
    check_dec_round_trip("100000000000000000000000000000000000000");
    check_dec_round_trip(MAX_DEC);

    plasma_u256 v, keep = {{1, 2, 3, 4}};
    v = keep;
    assert_int_equal(plasma_u256_parse_dec(&v, ""), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_u256_parse_dec(&v, "-1"), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_u256_parse_dec(&v, "+1"), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_u256_parse_dec(&v, "1a"), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_u256_parse_dec(&v, " 1"), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_u256_parse_dec(&v, "0x10"), PLASMA_ERR_BAD_REQUEST);
    /* 2^256 and a 79-digit number overflow. */
    assert_int_equal(plasma_u256_parse_dec(&v, "115792089237316195423570985008687907853269984665640"
                                               "564039457584007913129639936"),
                     PLASMA_ERR_OVERFLOW);
    assert_int_equal(plasma_u256_parse_dec(&v, "1000000000000000000000000000000000000000000000000000"
                                               "000000000000000000000000000"),
                     PLASMA_ERR_OVERFLOW);
    assert_u256_eq(&v, &keep);

    /* Leading zeros are allowed, even past 78 digits. */
    assert_int_equal(plasma_u256_parse_dec(&v, "00042"), 0);
    assert_int_equal(v.w[0], 42);
    assert_int_equal(plasma_u256_parse_dec(&v, "000" MAX_DEC), 0);
    assert_u256_eq(&v, &u_max);
}

static void test_hex(void **state)
{
    (void)state;
    plasma_u256 v;
    char buf[67];
    assert_int_equal(plasma_u256_parse_hex(&v, MAX_HEX), 0);
    assert_u256_eq(&v, &u_max);
    assert_string_equal(plasma_u256_format_hex(buf, &v), MAX_HEX);
    assert_string_equal(plasma_u256_format_hex(buf, &u_zero), "0x0");
    assert_string_equal(plasma_u256_format_hex(buf, &u_one), "0x1");
    plasma_u256 x = {{0, 1, 0, 0}};
    assert_string_equal(plasma_u256_format_hex(buf, &x), "0x10000000000000000");

    assert_int_equal(plasma_u256_parse_hex(&v, "0XaBcD"), 0);
    assert_int_equal(v.w[0], 0xabcd);
    assert_int_equal(plasma_u256_parse_hex(&v, "0x0"), 0);
    assert_true(plasma_u256_is_zero(&v));
    assert_int_equal(plasma_u256_parse_hex(&v, "0x10000000000000000"), 0);
    assert_u256_eq(&v, &x);

    assert_int_equal(plasma_u256_parse_hex(&v, "0x"), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_u256_parse_hex(&v, "ff"), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_u256_parse_hex(&v, ""), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_u256_parse_hex(&v, "0xfg"), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_u256_parse_hex(&v, "0x1"
                                               "0000000000000000000000000000000000000000000000"
                                               "000000000000000000"),
                     PLASMA_ERR_OVERFLOW);
}

static void test_random_round_trips(void **state)
{
    (void)state;
    uint64_t rng = tu_seed("u256_random", 12345);
    for (int i = 0; i < 2000; i++) {
        plasma_u256 v;
        for (int j = 0; j < 4; j++)
            v.w[j] = tu_rand(&rng) >> (tu_rand(&rng) % 64);
        for (int j = (int)(tu_rand(&rng) % 4) + 1; j < 4; j++)
            v.w[j] = 0;
        char dec[PLASMA_U256_DEC_MAX], hex[67];
        plasma_u256 a, b;
        assert_int_equal(plasma_u256_parse_dec(&a, plasma_u256_format_dec(dec, &v)), 0);
        assert_int_equal(plasma_u256_parse_hex(&b, plasma_u256_format_hex(hex, &v)), 0);
        assert_u256_eq(&a, &v);
        assert_u256_eq(&b, &v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_sub),
        cmocka_unit_test(test_mul_u64),
        cmocka_unit_test(test_divmod),
        cmocka_unit_test(test_cmp_and_u64),
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_dec),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_random_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
