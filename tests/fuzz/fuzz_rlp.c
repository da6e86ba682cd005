/* Fuzz target: the strict RLP decoder.
 *
 * Whatever the input, decoding must not crash or read outside it. When the
 * input decodes as one item, walking it with the iterators must succeed,
 * the integer readers must agree with each other and with the bytes, and
 * re-encoding the walked structure must give back the input exactly: strict
 * RLP admits a single encoding per structure. */
#include <string.h>

#include "fuzz.h"
#include "plasma/err.h"
#include "plasma/rlp.h"
#include "plasma/u256.h"

/* The integer readers on a string item, against the rules of PROTOCOL §1. */
static void check_integers(const plasma_rlp_item *item)
{
    bool leading_zero = item->len > 0 && item->data[0] == 0;
    plasma_u256 v;
    uint64_t w;
    int r256 = plasma_rlp_to_u256(&v, item);
    int r64 = plasma_rlp_to_u64(&w, item);

    if (leading_zero) {
        FUZZ_CHECK(r256 == PLASMA_ERR_MALFORMED_RLP && r64 == PLASMA_ERR_MALFORMED_RLP);
        return;
    }
    FUZZ_CHECK(r256 == (item->len <= 32 ? 0 : PLASMA_ERR_OVERFLOW));
    FUZZ_CHECK(r64 == (item->len <= 8 ? 0 : PLASMA_ERR_OVERFLOW));
    if (r256 != 0)
        return;
    FUZZ_CHECK(plasma_u256_byte_len(&v) == item->len);
    uint8_t be[32];
    plasma_u256_to_be(be, &v);
    FUZZ_CHECK(item->len == 0 || memcmp(be + 32 - item->len, item->data, item->len) == 0);
    uint64_t narrow;
    FUZZ_CHECK(plasma_u256_to_u64(&v, &narrow) == (r64 == 0));
    FUZZ_CHECK(r64 != 0 || narrow == w);
}

static void check_fixed(const plasma_rlp_item *item)
{
    uint8_t out[64];
    if (item->len <= sizeof out) {
        FUZZ_CHECK(plasma_rlp_to_fixed(out, item->len, item) == 0);
        FUZZ_CHECK(item->len == 0 || memcmp(out, item->data, item->len) == 0);
    }
    size_t wrong = item->len == 0 ? 1 : item->len - 1;
    if (wrong <= sizeof out)
        FUZZ_CHECK(plasma_rlp_to_fixed(out, wrong, item) == PLASMA_ERR_MALFORMED_RLP);
}

/* Walks item recursively, re-encoding it into buf. */
static void walk(plasma_buf *buf, const plasma_rlp_item *item)
{
    if (!item->is_list) {
        check_integers(item);
        check_fixed(item);
        plasma_rlp_put_bytes(buf, item->data, item->len);
        return;
    }
    size_t count, seen = 0;
    FUZZ_CHECK(plasma_rlp_list_count(item, &count) == 0);
    size_t mark = plasma_rlp_list_begin(buf);
    plasma_rlp_iter it;
    plasma_rlp_iter_init(&it, item);
    plasma_rlp_item el;
    int rc;
    while ((rc = plasma_rlp_iter_next(&it, &el)) == 1) {
        FUZZ_CHECK(el.data >= item->data && el.data + el.len <= item->data + item->len);
        walk(buf, &el);
        seen++;
    }
    FUZZ_CHECK(rc == 0 && seen == count);
    plasma_rlp_list_end(buf, mark);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plasma_rlp_item prefix, item;
    size_t used = 0;
    int rp = plasma_rlp_decode_prefix(&prefix, &used, data, size);
    int rd = plasma_rlp_decode(&item, data, size);
    FUZZ_CHECK(rp == 0 || rp == PLASMA_ERR_MALFORMED_RLP);
    FUZZ_CHECK(rd == 0 || rd == PLASMA_ERR_MALFORMED_RLP);
    if (rp == 0)
        FUZZ_CHECK(used >= 1 && used <= size && prefix.data + prefix.len == data + used);
    if (rd != 0)
        return 0;
    FUZZ_CHECK(rp == 0 && used == size);
    FUZZ_CHECK(item.data == prefix.data && item.len == prefix.len && item.is_list == prefix.is_list);

    plasma_buf buf = {0};
    walk(&buf, &item);
    FUZZ_CHECK(!buf.failed);
    FUZZ_CHECK(buf.len == size && memcmp(buf.data, data, size) == 0);
    plasma_buf_free(&buf);
    return 0;
}
