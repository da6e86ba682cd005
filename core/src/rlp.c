/* Strict Ethereum RLP. Every length read from the input is checked against
 * the bytes that remain before it is used, so no decoder path can read
 * outside [buf, buf + len). */
#include "plasma/rlp.h"

#include <string.h>

#include "plasma/err.h"
#include "plasma/u256.h"

#define RLP_STRING_SHORT 0x80
#define RLP_STRING_LONG 0xb7
#define RLP_LIST_SHORT 0xc0
#define RLP_LIST_LONG 0xf7
#define RLP_SHORT_MAX 55

/* plasma_rlp_decode walks nested lists recursively; a protocol message never
 * nests deeper than 3, so a generous bound keeps hostile input from using
 * the stack without rejecting anything real. */
#define RLP_MAX_DEPTH 64

/* Reads a big-endian length of n (1..8) bytes that must not start with a
 * zero byte. Returns 0 or PLASMA_ERR_MALFORMED_RLP. */
static int read_long_length(size_t *out, const uint8_t *p, size_t n)
{
    if (p[0] == 0)
        return PLASMA_ERR_MALFORMED_RLP;
    size_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (v > (SIZE_MAX >> 8))
            return PLASMA_ERR_MALFORMED_RLP;
        v = v << 8 | p[i];
    }
    if (v <= RLP_SHORT_MAX)
        return PLASMA_ERR_MALFORMED_RLP;
    *out = v;
    return PLASMA_OK;
}

/* Splits the header at buf into header size and payload length, checking
 * that the payload lies within len. */
static int decode_header(size_t *hdr, size_t *plen, bool *is_list, const uint8_t *buf, size_t len)
{
    uint8_t b = buf[0];
    *is_list = b >= RLP_LIST_SHORT;
    uint8_t base = *is_list ? RLP_LIST_SHORT : RLP_STRING_SHORT;
    uint8_t long_base = *is_list ? RLP_LIST_LONG : RLP_STRING_LONG;
    if (b <= long_base) {
        *hdr = 1;
        *plen = (size_t)(b - base);
    } else {
        size_t n = (size_t)(b - long_base);
        if (n > len - 1)
            return PLASMA_ERR_MALFORMED_RLP;
        int rc = read_long_length(plen, buf + 1, n);
        if (rc != 0)
            return rc;
        *hdr = 1 + n;
    }
    if (*plen > len - *hdr)
        return PLASMA_ERR_MALFORMED_RLP;
    return PLASMA_OK;
}

int plasma_rlp_decode_prefix(plasma_rlp_item *item, size_t *consumed, const uint8_t *buf, size_t len)
{
    if (len == 0)
        return PLASMA_ERR_MALFORMED_RLP;
    if (buf[0] < RLP_STRING_SHORT) {
        *item = (plasma_rlp_item){.data = buf, .len = 1, .is_list = false};
        if (consumed)
            *consumed = 1;
        return PLASMA_OK;
    }
    size_t hdr, plen;
    bool is_list;
    int rc = decode_header(&hdr, &plen, &is_list, buf, len);
    if (rc != 0)
        return rc;
    if (!is_list && plen == 1 && buf[hdr] < RLP_STRING_SHORT)
        return PLASMA_ERR_MALFORMED_RLP;
    *item = (plasma_rlp_item){.data = buf + hdr, .len = plen, .is_list = is_list};
    if (consumed)
        *consumed = hdr + plen;
    return PLASMA_OK;
}

static int validate_list(const plasma_rlp_item *list, int depth)
{
    if (depth > RLP_MAX_DEPTH)
        return PLASMA_ERR_MALFORMED_RLP;
    plasma_rlp_iter it;
    plasma_rlp_iter_init(&it, list);
    plasma_rlp_item el;
    int rc;
    while ((rc = plasma_rlp_iter_next(&it, &el)) == 1) {
        if (el.is_list && (rc = validate_list(&el, depth + 1)) != 0)
            return rc;
    }
    return rc;
}

int plasma_rlp_decode(plasma_rlp_item *item, const uint8_t *buf, size_t len)
{
    plasma_rlp_item tmp;
    size_t used;
    int rc = plasma_rlp_decode_prefix(&tmp, &used, buf, len);
    if (rc != 0)
        return rc;
    if (used != len)
        return PLASMA_ERR_MALFORMED_RLP;
    if (tmp.is_list && (rc = validate_list(&tmp, 1)) != 0)
        return rc;
    *item = tmp;
    return PLASMA_OK;
}

void plasma_rlp_iter_init(plasma_rlp_iter *it, const plasma_rlp_item *list)
{
    it->p = list->data;
    it->end = list->data + list->len;
}

int plasma_rlp_iter_next(plasma_rlp_iter *it, plasma_rlp_item *item)
{
    if (it->p == it->end)
        return 0;
    size_t used;
    int rc = plasma_rlp_decode_prefix(item, &used, it->p, (size_t)(it->end - it->p));
    if (rc != 0)
        return rc;
    it->p += used;
    return 1;
}

int plasma_rlp_list_count(const plasma_rlp_item *list, size_t *count)
{
    if (!list->is_list)
        return PLASMA_ERR_MALFORMED_RLP;
    plasma_rlp_iter it;
    plasma_rlp_iter_init(&it, list);
    plasma_rlp_item el;
    size_t n = 0;
    int rc;
    while ((rc = plasma_rlp_iter_next(&it, &el)) == 1)
        n++;
    if (rc != 0)
        return rc;
    *count = n;
    return PLASMA_OK;
}

/* The integer rules shared by the readers: a string, no leading zero. */
static int check_uint_item(const plasma_rlp_item *item)
{
    if (item->is_list)
        return PLASMA_ERR_MALFORMED_RLP;
    if (item->len > 0 && item->data[0] == 0)
        return PLASMA_ERR_MALFORMED_RLP;
    return PLASMA_OK;
}

int plasma_rlp_to_u256(plasma_u256 *out, const plasma_rlp_item *item)
{
    int rc = check_uint_item(item);
    if (rc != 0)
        return rc;
    return plasma_u256_from_be(out, item->data, item->len);
}

int plasma_rlp_to_u64(uint64_t *out, const plasma_rlp_item *item)
{
    int rc = check_uint_item(item);
    if (rc != 0)
        return rc;
    if (item->len > 8)
        return PLASMA_ERR_OVERFLOW;
    uint64_t v = 0;
    for (size_t i = 0; i < item->len; i++)
        v = v << 8 | item->data[i];
    *out = v;
    return PLASMA_OK;
}

int plasma_rlp_to_fixed(uint8_t *out, size_t len, const plasma_rlp_item *item)
{
    if (item->is_list || item->len != len)
        return PLASMA_ERR_MALFORMED_RLP;
    memcpy(out, item->data, len);
    return PLASMA_OK;
}

/* --- encoding --- */

/* Writes the header of a payload of plen bytes into hdr (at most 9 bytes).
 * Returns the header size. */
static size_t make_header(uint8_t hdr[9], uint8_t short_base, size_t plen)
{
    if (plen <= RLP_SHORT_MAX) {
        hdr[0] = (uint8_t)(short_base + plen);
        return 1;
    }
    size_t n = 0;
    for (size_t v = plen; v != 0; v >>= 8)
        n++;
    hdr[0] = (uint8_t)(short_base + RLP_SHORT_MAX + n);
    for (size_t i = 0; i < n; i++)
        hdr[n - i] = (uint8_t)(plen >> (8 * i));
    return 1 + n;
}

int plasma_rlp_put_bytes(plasma_buf *buf, const uint8_t *data, size_t len)
{
    if (len == 1 && data[0] < RLP_STRING_SHORT)
        return plasma_buf_append(buf, data, 1);
    uint8_t hdr[9];
    size_t n = make_header(hdr, RLP_STRING_SHORT, len);
    int rc = plasma_buf_reserve(buf, n + len);
    if (rc != 0)
        return rc;
    plasma_buf_append(buf, hdr, n);
    return plasma_buf_append(buf, data, len);
}

int plasma_rlp_put_u64(plasma_buf *buf, uint64_t v)
{
    uint8_t be[8];
    size_t n = 0;
    for (uint64_t x = v; x != 0; x >>= 8)
        n++;
    for (size_t i = 0; i < n; i++)
        be[n - 1 - i] = (uint8_t)(v >> (8 * i));
    return plasma_rlp_put_bytes(buf, be, n);
}

int plasma_rlp_put_u256(plasma_buf *buf, const plasma_u256 *v)
{
    uint8_t be[32];
    plasma_u256_to_be(be, v);
    size_t n = plasma_u256_byte_len(v);
    return plasma_rlp_put_bytes(buf, be + 32 - n, n);
}

size_t plasma_rlp_list_begin(plasma_buf *buf)
{
    return buf->len;
}

int plasma_rlp_list_end(plasma_buf *buf, size_t mark)
{
    if (buf->failed)
        return PLASMA_ERR_NOMEM;
    size_t plen = buf->len - mark;
    uint8_t hdr[9];
    size_t n = make_header(hdr, RLP_LIST_SHORT, plen);
    int rc = plasma_buf_reserve(buf, n);
    if (rc != 0)
        return rc;
    memmove(buf->data + mark + n, buf->data + mark, plen);
    memcpy(buf->data + mark, hdr, n);
    buf->len += n;
    return PLASMA_OK;
}
