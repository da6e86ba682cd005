/* Amounts with units: parsing, rejection with reasons, formatting. */
#include "testutil.h"

#include <string.h>

#include "plasma/client.h"

static void expect_amount(const char *s, const char *dec)
{
    plasma_u256 v;
    char errmsg[160] = "", out[PLASMA_U256_DEC_MAX];
    assert_int_equal(plasma_amount_parse(&v, s, errmsg, sizeof errmsg), 0);
    assert_string_equal(plasma_u256_format_dec(out, &v), dec);
}

static void expect_bad(const char *s, int err, const char *why)
{
    plasma_u256 v = {{5}};
    char errmsg[160] = "";
    assert_int_equal(plasma_amount_parse(&v, s, errmsg, sizeof errmsg), err);
    assert_non_null(strstr(errmsg, why));
    assert_int_equal(v.w[0], 5);
}

static void test_parse(void **state)
{
    (void)state;
    expect_amount("1000", "1000");
    expect_amount("0", "0");
    expect_amount("7wei", "7");
    expect_amount("20gwei", "20000000000");
    expect_amount("1.5eth", "1500000000000000000");
    expect_amount("1.5ETH", "1500000000000000000");
    expect_amount("2ether", "2000000000000000000");
    expect_amount("0.000000000000000001eth", "1");
    expect_amount(".5gwei", "500000000");
    expect_amount("3.", "3");
    expect_amount("0x10", "16");
}

static void test_reject(void **state)
{
    (void)state;
    expect_bad("", PLASMA_ERR_BAD_REQUEST, "empty");
    expect_bad("1.5", PLASMA_ERR_BAD_REQUEST, "decimals");
    expect_bad("1.5wei", PLASMA_ERR_BAD_REQUEST, "decimals");
    expect_bad("0.0000000000000000001eth", PLASMA_ERR_BAD_REQUEST, "decimals");
    expect_bad("5btc", PLASMA_ERR_BAD_REQUEST, "unknown unit");
    expect_bad("-1", PLASMA_ERR_BAD_REQUEST, "unknown unit");
    expect_bad("1.2.3", PLASMA_ERR_BAD_REQUEST, "unknown unit");
    expect_bad("eth", PLASMA_ERR_BAD_REQUEST, "no digits");
    expect_bad(".", PLASMA_ERR_BAD_REQUEST, "no digits");
    expect_bad("0xzz", PLASMA_ERR_BAD_REQUEST, "bad hex");
    expect_bad("115792089237316195423570985008687907853269984665640564039457584007913129639936",
               PLASMA_ERR_OVERFLOW, "too large");
    expect_bad("1000000000000000000000000000000000000000000000000000000000000eth", PLASMA_ERR_OVERFLOW,
               "too large");
}

static void test_format(void **state)
{
    (void)state;
    char out[PLASMA_AMOUNT_FMT_MAX];
    plasma_u256 v = plasma_u256_from_u64(1500000000000000000ull);
    assert_string_equal(plasma_amount_format_eth(out, &v), "1.5");
    v = plasma_u256_from_u64(0);
    assert_string_equal(plasma_amount_format_eth(out, &v), "0");
    v = plasma_u256_from_u64(1);
    assert_string_equal(plasma_amount_format_eth(out, &v), "0.000000000000000001");
    v = plasma_u256_from_u64(2000000000000000000ull);
    assert_string_equal(plasma_amount_format_eth(out, &v), "2");
    plasma_u256 max = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
    assert_string_equal(plasma_amount_format_eth(out, &max),
                        "115792089237316195423570985008687907853269984665640564039457.584007913129639935");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_reject),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
