/* RLP: Ethereum's RLP test vectors both ways, the invalid vectors, and the
 * strictness rules of PROTOCOL §1 that the vectors do not cover. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* rlptest.json has "\u0000" in a string, which jansson refuses unless told. */
static json_t *load_allow_nul(const char *relpath)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", PLASMA_VECTORS_DIR, relpath);
    json_error_t err;
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, &err);
    if (!root)
        fail_msg("cannot load %s: %s", path, err.text);
    return root;
}

/* Converts a decimal string to minimal big-endian bytes of any length (the
 * vectors include 2^256, one past what plasma_u256 holds). */
static size_t dec_to_be(uint8_t *out, size_t cap, const char *dec)
{
    size_t n = 0; /* out[cap - n .. cap) holds the value */
    for (const char *p = dec; *p; p++) {
        unsigned carry = (unsigned)(*p - '0');
        for (size_t i = 0; i < n; i++) {
            unsigned v = out[cap - 1 - i] * 10u + carry;
            out[cap - 1 - i] = (uint8_t)v;
            carry = v >> 8;
        }
        for (; carry; carry >>= 8)
            out[cap - 1 - n++] = (uint8_t)carry;
    }
    memmove(out, out + cap - n, n);
    return n;
}

static bool is_bigint(const json_t *v)
{
    return json_is_string(v) && json_string_value(v)[0] == '#';
}

static void encode_value(plasma_buf *buf, const json_t *v)
{
    if (json_is_integer(v)) {
        assert_int_equal(plasma_rlp_put_u64(buf, (uint64_t)json_integer_value(v)), 0);
    } else if (is_bigint(v)) {
        uint8_t be[64];
        size_t n = dec_to_be(be, sizeof be, json_string_value(v) + 1);
        plasma_u256 u;
        if (plasma_u256_parse_dec(&u, json_string_value(v) + 1) == 0)
            assert_int_equal(plasma_rlp_put_u256(buf, &u), 0);
        else
            assert_int_equal(plasma_rlp_put_bytes(buf, be, n), 0);
    } else if (json_is_string(v)) {
        assert_int_equal(
            plasma_rlp_put_bytes(buf, (const uint8_t *)json_string_value(v), json_string_length(v)), 0);
    } else {
        assert_true(json_is_array(v));
        size_t mark = plasma_rlp_list_begin(buf);
        size_t i;
        json_t *el;
        for (i = 0; i < json_array_size(v); i++) {
            el = json_array_get(v, i);
            encode_value(buf, el);
        }
        assert_int_equal(plasma_rlp_list_end(buf, mark), 0);
    }
}

static void check_bigint(const plasma_rlp_item *item, const char *dec)
{
    uint8_t be[64];
    size_t n = dec_to_be(be, sizeof be, dec);
    assert_false(item->is_list);
    assert_int_equal(item->len, n);
    assert_memory_equal(item->data, be, n);
    plasma_u256 got, want;
    if (plasma_u256_parse_dec(&want, dec) == 0) {
        assert_int_equal(plasma_rlp_to_u256(&got, item), 0);
        assert_int_equal(plasma_u256_cmp(&got, &want), 0);
    } else {
        assert_int_equal(plasma_rlp_to_u256(&got, item), PLASMA_ERR_OVERFLOW);
    }
}

/* Asserts that a decoded item has the structure and content of v. */
static void check_value(const plasma_rlp_item *item, const json_t *v)
{
    if (json_is_integer(v)) {
        uint64_t got;
        assert_int_equal(plasma_rlp_to_u64(&got, item), 0);
        assert_true(got == (uint64_t)json_integer_value(v));
    } else if (is_bigint(v)) {
        check_bigint(item, json_string_value(v) + 1);
    } else if (json_is_string(v)) {
        assert_false(item->is_list);
        assert_int_equal(item->len, json_string_length(v));
        assert_memory_equal(item->data, json_string_value(v), item->len);
    } else {
        assert_true(item->is_list);
        size_t count;
        assert_int_equal(plasma_rlp_list_count(item, &count), 0);
        assert_int_equal(count, json_array_size(v));
        plasma_rlp_iter it;
        plasma_rlp_iter_init(&it, item);
        plasma_rlp_item el;
        for (size_t i = 0; i < count; i++) {
            assert_int_equal(plasma_rlp_iter_next(&it, &el), 1);
            check_value(&el, json_array_get(v, i));
        }
        assert_int_equal(plasma_rlp_iter_next(&it, &el), 0);
    }
}

static void test_ethereum_valid(void **state)
{
    (void)state;
    json_t *root = load_allow_nul("ethereum-tests/rlptest.json");
    int n = 0;
    for (void *it = json_object_iter(root); it; it = json_object_iter_next(root, it)) {
        json_t *t = json_object_iter_value(it);
        json_t *in = json_object_get(t, "in");
        const char *out = tu_str(t, "out");
        plasma_buf buf = {0};
        encode_value(&buf, in);
        assert_false(buf.failed);
        tu_assert_hex(buf.data, buf.len, out);

        plasma_rlp_item item;
        assert_int_equal(plasma_rlp_decode(&item, buf.data, buf.len), 0);
        check_value(&item, in);
        plasma_buf_free(&buf);
        n++;
    }
    assert_int_equal(n, 28);
    json_decref(root);
}

static void test_ethereum_invalid(void **state)
{
    (void)state;
    json_t *root = tu_load_json("ethereum-tests/invalidRLPTest.json");
    int n = 0;
    for (void *it = json_object_iter(root); it; it = json_object_iter_next(root, it)) {
        const char *name = json_object_iter_key(it);
        json_t *t = json_object_iter_value(it);
        size_t len;
        uint8_t *bytes = tu_hex(tu_str(t, "out"), &len);
        plasma_rlp_item item;
        if (plasma_rlp_decode(&item, bytes, len) != PLASMA_ERR_MALFORMED_RLP)
            fail_msg("invalid RLP accepted: %s", name);
        free(bytes);
        n++;
    }
    assert_int_equal(n, 17);
    json_decref(root);
}

static int decode_hex(const char *hex)
{
    size_t len;
    uint8_t *bytes = tu_hex(hex, &len);
    plasma_rlp_item item;
    int rc = plasma_rlp_decode(&item, bytes, len);
    free(bytes);
    return rc;
}

static void test_strictness(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "0x",                   /* nothing */
        "0x8100",               /* single byte < 0x80 wrapped */
        "0x817f",               /* the same, at the boundary */
        "0xb800",               /* long form, leading zero length byte */
        "0xb90001",             /* leading zero in a 2-byte length */
        "0xb90038",             /* leading zero; and truncated */
        "0x83616263ff",         /* trailing byte */
        "0x8361",               /* string past the input */
        "0xb8",                 /* length bytes missing */
        "0xbf",                 /* 8 length bytes missing */
        "0xbfffffffffffffffff", /* length near SIZE_MAX, past the input */
        "0xbf0100000000000000", /* 2^56, past the input */
        "0xc3808080ff",         /* trailing byte after a list */
        "0xc38080",             /* list past the input */
        "0xc28083",             /* element past its list and the input */
        "0xc3c38080",           /* inner list longer than the outer */
        "0xc4c1c38080",         /* nested length past its parent, within the input */
        "0xc18100",             /* wrapped single byte inside a list */
        "0xf800",               /* long list form, zero length */
        "0xf837",               /* long list form for 55 */
        "0xf90000",             /* leading zero in a list length */
        "0xc1b8",               /* truncated header inside a list */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (decode_hex(bad[i]) != PLASMA_ERR_MALFORMED_RLP)
            fail_msg("accepted %s", bad[i]);
    }
    /* The long forms for exactly 55 payload bytes, all present. */
    uint8_t long55[2 + 55];
    memset(long55, 0x01, sizeof long55);
    plasma_rlp_item item;
    long55[0] = 0xb8;
    long55[1] = 55;
    assert_int_equal(plasma_rlp_decode(&item, long55, sizeof long55), PLASMA_ERR_MALFORMED_RLP);
    long55[0] = 0xf8;
    assert_int_equal(plasma_rlp_decode(&item, long55, sizeof long55), PLASMA_ERR_MALFORMED_RLP);
    long55[1] = 0xf7; /* the short list form of the same 55 bytes is fine */
    assert_int_equal(plasma_rlp_decode(&item, long55 + 1, sizeof long55 - 1), 0);

    assert_int_equal(decode_hex("0x00"), 0);
    assert_int_equal(decode_hex("0x7f"), 0);
    assert_int_equal(decode_hex("0x8180"), 0);
    assert_int_equal(decode_hex("0x80"), 0);
    assert_int_equal(decode_hex("0xc0"), 0);
    assert_int_equal(decode_hex("0xc3c28080"), 0);
}

static void test_prefix_and_iter(void **state)
{
    (void)state;
    static const uint8_t two[] = {0x83, 'd', 'o', 'g', 0xc1, 0x05};
    plasma_rlp_item item;
    size_t used = 0;
    assert_int_equal(plasma_rlp_decode_prefix(&item, &used, two, sizeof two), 0);
    assert_int_equal(used, 4);
    assert_false(item.is_list);
    assert_int_equal(item.len, 3);
    assert_ptr_equal(item.data, two + 1);
    assert_int_equal(plasma_rlp_decode_prefix(&item, NULL, two + 4, 2), 0);
    assert_true(item.is_list);
    assert_int_equal(plasma_rlp_decode(&item, two, sizeof two), PLASMA_ERR_MALFORMED_RLP);

    /* A list whose second element is broken: iteration reports it. */
    static const uint8_t broken[] = {0xc3, 0x01, 0x81, 0x00};
    assert_int_equal(plasma_rlp_decode_prefix(&item, &used, broken, sizeof broken), 0);
    plasma_rlp_iter it;
    plasma_rlp_iter_init(&it, &item);
    plasma_rlp_item el;
    assert_int_equal(plasma_rlp_iter_next(&it, &el), 1);
    assert_int_equal(plasma_rlp_iter_next(&it, &el), PLASMA_ERR_MALFORMED_RLP);
    size_t count;
    assert_int_equal(plasma_rlp_list_count(&item, &count), PLASMA_ERR_MALFORMED_RLP);
    plasma_rlp_item str = {.data = two + 1, .len = 3, .is_list = false};
    assert_int_equal(plasma_rlp_list_count(&str, &count), PLASMA_ERR_MALFORMED_RLP);
}

static void test_int_readers(void **state)
{
    (void)state;
    uint8_t bytes[33];
    memset(bytes, 0x11, sizeof bytes);
    plasma_rlp_item it = {.data = bytes, .len = 0, .is_list = false};
    uint64_t v = 99;
    plasma_u256 u;
    assert_int_equal(plasma_rlp_to_u64(&v, &it), 0);
    assert_true(v == 0);
    it.len = 8;
    assert_int_equal(plasma_rlp_to_u64(&v, &it), 0);
    assert_true(v == 0x1111111111111111ull);
    it.len = 9;
    assert_int_equal(plasma_rlp_to_u64(&v, &it), PLASMA_ERR_OVERFLOW);
    it.len = 32;
    assert_int_equal(plasma_rlp_to_u256(&u, &it), 0);
    it.len = 33;
    assert_int_equal(plasma_rlp_to_u256(&u, &it), PLASMA_ERR_OVERFLOW);

    bytes[0] = 0;
    it.len = 2;
    assert_int_equal(plasma_rlp_to_u64(&v, &it), PLASMA_ERR_MALFORMED_RLP);
    assert_int_equal(plasma_rlp_to_u256(&u, &it), PLASMA_ERR_MALFORMED_RLP);
    it.is_list = true;
    bytes[0] = 1;
    assert_int_equal(plasma_rlp_to_u64(&v, &it), PLASMA_ERR_MALFORMED_RLP);
    assert_int_equal(plasma_rlp_to_u256(&u, &it), PLASMA_ERR_MALFORMED_RLP);

    uint8_t fixed[2];
    assert_int_equal(plasma_rlp_to_fixed(fixed, 2, &it), PLASMA_ERR_MALFORMED_RLP);
    it.is_list = false;
    assert_int_equal(plasma_rlp_to_fixed(fixed, 2, &it), 0);
    assert_int_equal(plasma_rlp_to_fixed(fixed, 1, &it), PLASMA_ERR_MALFORMED_RLP);
}

static void test_encoder(void **state)
{
    (void)state;
    plasma_buf buf = {0};
    /* Long payloads with length headers of 1..3 bytes, in a long list. */
    static uint8_t big[70000];
    memset(big, 0xab, sizeof big);
    size_t mark = plasma_rlp_list_begin(&buf);
    plasma_rlp_put_bytes(&buf, big, 56);
    plasma_rlp_put_bytes(&buf, big, 256);
    plasma_rlp_put_bytes(&buf, big, sizeof big);
    plasma_rlp_put_u64(&buf, 0);
    plasma_rlp_put_u64(&buf, 0x7f);
    plasma_rlp_put_u64(&buf, 0x80);
    plasma_rlp_put_u64(&buf, UINT64_MAX);
    assert_int_equal(plasma_rlp_list_end(&buf, mark), 0);
    static const uint8_t head[] = {0xfa, 0x01, 0x12, 0xbe, 0xb8, 0x38};
    assert_memory_equal(buf.data, head, sizeof head);

    plasma_rlp_item top, el;
    assert_int_equal(plasma_rlp_decode(&top, buf.data, buf.len), 0);
    size_t count;
    assert_int_equal(plasma_rlp_list_count(&top, &count), 0);
    assert_int_equal(count, 7);
    plasma_rlp_iter it;
    plasma_rlp_iter_init(&it, &top);
    static const size_t lens[] = {56, 256, sizeof big};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(plasma_rlp_iter_next(&it, &el), 1);
        assert_int_equal(el.len, lens[i]);
    }
    static const uint64_t ints[] = {0, 0x7f, 0x80, UINT64_MAX};
    for (int i = 0; i < 4; i++) {
        uint64_t v;
        assert_int_equal(plasma_rlp_iter_next(&it, &el), 1);
        assert_int_equal(plasma_rlp_to_u64(&v, &el), 0);
        assert_true(v == ints[i]);
    }
    plasma_buf_free(&buf);
    assert_null(buf.data);

    /* A failed buffer stays failed and reports it. */
    buf.failed = true;
    assert_int_equal(plasma_rlp_put_u64(&buf, 1), PLASMA_ERR_NOMEM);
    assert_int_equal(plasma_rlp_list_end(&buf, plasma_rlp_list_begin(&buf)), PLASMA_ERR_NOMEM);
    assert_int_equal(buf.len, 0);
    plasma_buf_free(&buf);
}

/* Nesting is bounded (64 levels) so that hostile input cannot exhaust the
 * stack; protocol messages nest 3 deep. */
static void nested(plasma_buf *buf, int depth)
{
    size_t marks[1000];
    assert_true(depth <= 1000);
    for (int d = 0; d < depth; d++)
        marks[d] = plasma_rlp_list_begin(buf);
    for (int d = depth - 1; d >= 0; d--)
        assert_int_equal(plasma_rlp_list_end(buf, marks[d]), 0);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    plasma_rlp_item item;
    plasma_buf buf = {0};
    nested(&buf, 64);
    assert_int_equal(plasma_rlp_decode(&item, buf.data, buf.len), 0);
    plasma_buf_free(&buf);
    nested(&buf, 65);
    assert_int_equal(plasma_rlp_decode(&item, buf.data, buf.len), PLASMA_ERR_MALFORMED_RLP);
    plasma_buf_free(&buf);
    nested(&buf, 1000);
    assert_int_equal(plasma_rlp_decode(&item, buf.data, buf.len), PLASMA_ERR_MALFORMED_RLP);
    /* The top level alone is still readable with decode_prefix. */
    assert_int_equal(plasma_rlp_decode_prefix(&item, NULL, buf.data, buf.len), 0);
    plasma_buf_free(&buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethereum_valid), cmocka_unit_test(test_ethereum_invalid),
        cmocka_unit_test(test_strictness),     cmocka_unit_test(test_prefix_and_iter),
        cmocka_unit_test(test_int_readers),    cmocka_unit_test(test_encoder),
        cmocka_unit_test(test_deep_nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
