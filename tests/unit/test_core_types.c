/* Value types, hex, buffers and the error table. */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_hex(void **state)
{
    (void)state;
    static const uint8_t bytes[] = {0x00, 0x7f, 0xab, 0xff};
    char out[2 * sizeof bytes + 3];
    assert_string_equal(plasma_hex_encode(out, bytes, sizeof bytes), "0x007fabff");
    assert_string_equal(plasma_hex_encode(out, bytes, 0), "0x");

    uint8_t got[4];
    assert_int_equal(plasma_hex_decode_fixed(got, 4, "0x007FabFF"), 0);
    assert_memory_equal(got, bytes, 4);
    assert_int_equal(plasma_hex_decode_fixed(got, 4, "007fabff"), 0);
    assert_int_equal(plasma_hex_decode_fixed(got, 4, "0X007fabff"), 0);
    assert_int_equal(plasma_hex_decode_fixed(got, 4, "0x007fab"), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_hex_decode_fixed(got, 4, "0x007fabff00"), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_hex_decode_fixed(got, 4, "0x007fabfg"), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_hex_decode_fixed(got, 4, "0x007fab f"), PLASMA_ERR_BAD_REQUEST);

    uint8_t *p = NULL;
    size_t len = 99;
    assert_int_equal(plasma_hex_decode_alloc(&p, &len, "0x"), 0);
    assert_non_null(p);
    assert_int_equal(len, 0);
    free(p);
    assert_int_equal(plasma_hex_decode_alloc(&p, &len, "0xABcd01"), 0);
    assert_int_equal(len, 3);
    assert_int_equal(p[0], 0xab);
    assert_int_equal(p[2], 0x01);
    free(p);
    p = NULL;
    assert_int_equal(plasma_hex_decode_alloc(&p, &len, "0xabc"), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_hex_decode_alloc(&p, &len, "0xzz"), PLASMA_ERR_BAD_REQUEST);
    assert_null(p);

    /* Digits without prefix or NUL; every byte value that is not a digit
     * is refused, in either position of a pair. */
    uint8_t two[2];
    assert_int_equal(plasma_hex_decode_digits(two, "7fAbXX", 4), 0);
    assert_int_equal(two[0], 0x7f);
    assert_int_equal(two[1], 0xab);
    assert_int_equal(plasma_hex_decode_digits(two, "7fa", 3), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_hex_decode_digits(two, "", 0), 0);
    for (int c = 0; c < 256; c++) {
        bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        char pair[2] = {(char)c, '0'};
        assert_int_equal(plasma_hex_decode_digits(two, pair, 2), digit ? 0 : PLASMA_ERR_BAD_REQUEST);
        pair[0] = '0';
        pair[1] = (char)c;
        assert_int_equal(plasma_hex_decode_digits(two, pair, 2), digit ? 0 : PLASMA_ERR_BAD_REQUEST);
    }
}

static void test_grow(void **state)
{
    (void)state;
    uint32_t *a = NULL;
    size_t cap = 0;
    for (uint32_t i = 0; i < 1000; i++) {
        assert_int_equal(plasma_grow((void **)&a, &cap, i + 1, sizeof *a), 0);
        assert_true(cap >= i + 1);
        a[i] = i;
    }
    for (uint32_t i = 0; i < 1000; i++)
        assert_int_equal(a[i], i);
    size_t before = cap;
    assert_int_equal(plasma_grow((void **)&a, &cap, 10, sizeof *a), 0); /* no shrinking */
    assert_int_equal(cap, before);
    /* A size that cannot be allocated leaves the array as it was. */
    assert_int_equal(plasma_grow((void **)&a, &cap, SIZE_MAX / 2, sizeof *a), PLASMA_ERR_NOMEM);
    assert_int_equal(cap, before);
    assert_int_equal(a[999], 999);
    free(a);
}

static void test_addr_and_hash(void **state)
{
    (void)state;
    plasma_addr a, b;
    char out[67];
    /* EIP-55 mixed case is accepted, lowercase comes out. */
    assert_int_equal(plasma_addr_parse(&a, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), 0);
    assert_string_equal(plasma_addr_format(out, &a), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    assert_int_equal(plasma_addr_parse(&b, "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"), 0);
    assert_true(plasma_addr_eq(&a, &b));
    assert_false(plasma_addr_is_zero(&a));
    b = a;
    assert_int_equal(plasma_addr_parse(&b, "f39fd6e51aad88f6f4ce6ab8827279cfffb92266"),
                     PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_addr_parse(&b, "0xf39fd6e51aad88f6f4ce6ab8827279cfffb922"),
                     PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_addr_parse(&b, "0xf39fd6e51aad88f6f4ce6ab8827279cfffb9226g"),
                     PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_addr_parse(&b, ""), PLASMA_ERR_BAD_REQUEST);
    assert_true(plasma_addr_eq(&a, &b)); /* untouched on failure */
    memset(&b, 0, sizeof b);
    assert_true(plasma_addr_is_zero(&b));
    b.b[19] = 1;
    assert_false(plasma_addr_is_zero(&b));

    plasma_hash h, g;
    const char *hex = "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";
    assert_int_equal(plasma_hash_parse(&h, hex), 0);
    assert_string_equal(plasma_hash_format(out, &h), hex);
    plasma_keccak256(&g, "", 0);
    assert_true(plasma_hash_eq(&h, &g));
    assert_int_equal(plasma_hash_parse(&g, "0x1234"), PLASMA_ERR_BAD_REQUEST);
}

static void test_buf(void **state)
{
    (void)state;
    plasma_buf buf = {0};
    uint8_t chunk[100];
    for (int i = 0; i < 100; i++)
        chunk[i] = (uint8_t)i;
    for (int i = 0; i < 50; i++)
        assert_int_equal(plasma_buf_append(&buf, chunk, sizeof chunk), 0);
    assert_int_equal(buf.len, 5000);
    assert_true(buf.cap >= buf.len);
    assert_memory_equal(buf.data + 4900, chunk, 100);
    assert_int_equal(plasma_buf_append(&buf, NULL, 0), 0);
    assert_int_equal(plasma_buf_reserve(&buf, 10000), 0);
    assert_true(buf.cap - buf.len >= 10000);
    /* An impossible size fails cleanly and sticks. */
    assert_int_equal(plasma_buf_reserve(&buf, SIZE_MAX), PLASMA_ERR_NOMEM);
    assert_true(buf.failed);
    assert_int_equal(plasma_buf_append(&buf, chunk, 1), PLASMA_ERR_NOMEM);
    assert_int_equal(buf.len, 5000);
    plasma_buf_free(&buf);
    assert_null(buf.data);
    assert_false(buf.failed);
    plasma_buf_free(NULL);
}

/* plasma_wipe clears exactly the bytes it is given, at any offset and
 * length (a wipe that stops short, or that clears its neighbours, fails).
 * That callers wipe their secrets before freeing them is checked where it
 * can be seen, by scanning every freed block for the key
 * (test_alloc_failure). */
static void test_wipe(void **state)
{
    (void)state;
    uint8_t buf[96];
    for (size_t off = 0; off < 9; off++)
        for (size_t len = 0; len <= 65; len += 13) {
            memset(buf, 0xaa, sizeof buf);
            plasma_wipe(buf + off, len);
            for (size_t i = 0; i < sizeof buf; i++)
                assert_int_equal(buf[i], i >= off && i < off + len ? 0 : 0xaa);
        }
}

static void test_err_table(void **state)
{
    (void)state;
    assert_string_equal(plasma_err_code(PLASMA_ERR_MALFORMED_TX), "malformed_tx");
    assert_string_equal(plasma_err_code(PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP), "amounts_do_not_add_up");
    assert_string_equal(plasma_err_code(PLASMA_ERR_PAYLOAD_TOO_LARGE), "payload_too_large");
    assert_string_equal(plasma_err_code(-12345), "internal");
    assert_string_equal(plasma_err_code(7), "internal");
    assert_int_equal(plasma_err_http_status(PLASMA_ERR_BAD_SIGNATURE), 400);
    assert_int_equal(plasma_err_http_status(PLASMA_ERR_NOT_FOUND), 404);
    assert_int_equal(plasma_err_http_status(PLASMA_ERR_PAYLOAD_TOO_LARGE), 413);
    assert_int_equal(plasma_err_http_status(PLASMA_ERR_UNAUTHORIZED), 401);
    assert_int_equal(plasma_err_http_status(PLASMA_ERR_UTXO_SPENT), 409);
    assert_int_equal(plasma_err_http_status(PLASMA_ERR_UNAVAILABLE), 503);
    assert_int_equal(plasma_err_http_status(-12345), 500);

    /* Every §7 code exists, and every enum value has its own code. */
    static const char *const api_codes[] = {
        "malformed_tx",       "too_many_inputs",       "too_many_outputs", "duplicate_inputs", "amount_zero",
        "missing_signature",  "superfluous_signature", "bad_signature",    "utxo_not_found",   "utxo_spent",
        "unauthorized_spend", "amounts_do_not_add_up", "fee_too_low",      "block_full",       "not_found",
        "payload_too_large",
    };
    for (int e = -1; e >= -16; e--)
        assert_string_equal(plasma_err_code(e), api_codes[-e - 1]);
    /* The table lists each value once, with its own code, a status and a
     * message; the code maps back to the value. */
    assert_true(plasma_err_count() > 40);
    for (size_t i = 0; i < plasma_err_count(); i++) {
        int e = plasma_err_nth(i);
        const char *code = plasma_err_code(e);
        assert_true(e < 0);
        assert_int_equal(plasma_err_from_code(code), e);
        int status = plasma_err_http_status(e);
        assert_true(status >= 400 && status < 600);
        assert_true(strlen(plasma_err_message(e)) > 0);
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(plasma_err_nth(j), e);
            assert_string_not_equal(plasma_err_code(plasma_err_nth(j)), code);
        }
    }
    /* Every negative value a function may return is in the table. */
    for (int e = -100; e < 0; e++) {
        bool listed = false;
        for (size_t i = 0; i < plasma_err_count(); i++)
            listed = listed || plasma_err_nth(i) == e;
        assert_true(listed == (strcmp(plasma_err_code(e), "internal") != 0 || e == PLASMA_ERR_INTERNAL));
    }
    assert_int_equal(plasma_err_from_code("ok"), PLASMA_ERR_INTERNAL);
    assert_int_equal(plasma_err_from_code("no_such_code"), PLASMA_ERR_INTERNAL);
    assert_int_equal(plasma_err_from_code(NULL), PLASMA_ERR_INTERNAL);
    assert_int_equal(plasma_err_from_code("forbidden"), PLASMA_ERR_FORBIDDEN);
    assert_int_equal(plasma_err_http_status(PLASMA_ERR_METHOD_NOT_ALLOWED), 405);
    assert_int_equal(plasma_err_nth(plasma_err_count()), PLASMA_ERR_INTERNAL);
    /* §7 and input_finalized; generic; root chain; in-flight exits. */
    assert_int_equal(plasma_err_count(), 17 + 16 + 18 + 15);
    assert_string_equal(plasma_err_code(PLASMA_ERR_PAYMENT_FAILED), "payment_failed");
    assert_string_equal(plasma_err_code(PLASMA_ERR_INPUT_FINALIZED), "input_finalized");
    assert_string_equal(plasma_err_code(PLASMA_ERR_IFE_PROCESSING), "ife_processing");
    assert_int_equal(plasma_err_http_status(PLASMA_ERR_IFE_NOT_FOUND), 404);
}

static size_t dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* plasma_file_replace leaves the whole new content and no temporary file;
 * a path it cannot write fails with errno and leaves nothing either. */
static void test_file_replace(void **state)
{
    (void)state;
    char dir[] = "/tmp/plasma-types-XXXXXX", path[64], got[32] = {0};
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/port", dir);
    assert_int_equal(plasma_file_replace(path, "123456\n", 7), 0);
    assert_int_equal(plasma_file_replace(path, "80\n", 3), 0);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(fread(got, 1, sizeof got - 1, f), 3);
    fclose(f);
    assert_string_equal(got, "80\n");
    assert_int_equal(dir_entries(dir), 1);

    char bad[96];
    snprintf(bad, sizeof bad, "%s/missing/port", dir);
    errno = 0;
    assert_int_equal(plasma_file_replace(bad, "1", 1), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(dir_entries(dir), 1);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

static int64_t realtime_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A deadline lies us from now (a second of slack for a slow machine), its
 * nanoseconds below a second whatever carries over. */
static void test_deadline(void **state)
{
    (void)state;
    static const uint64_t us[] = {0, 1, 999999, 1000000, 1500000, 200000, 3999999999ull};
    for (size_t i = 0; i < sizeof us / sizeof us[0]; i++) {
        struct timespec ts;
        int64_t before = realtime_us();
        plasma_deadline_us(&ts, us[i]);
        int64_t after = realtime_us(), at = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
        assert_true(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L);
        assert_true(at >= before + (int64_t)us[i] - 1);
        assert_true(at <= after + (int64_t)us[i] + 1000000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex),          cmocka_unit_test(test_addr_and_hash),
        cmocka_unit_test(test_buf),          cmocka_unit_test(test_wipe),
        cmocka_unit_test(test_err_table),    cmocka_unit_test(test_grow),
        cmocka_unit_test(test_file_replace), cmocka_unit_test(test_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
