/* Ethereum RLP, strict. Decoding never reads outside [buf, buf + len) and
 * rejects (PLASMA_ERR_MALFORMED_RLP): lengths that run past the input,
 * non-canonical lengths (long form for < 56 bytes, leading zero length
 * bytes), a single byte < 0x80 wrapped as a string, and trailing bytes
 * after the top item. Integer readers also reject leading zero bytes. */
#ifndef PLASMA_RLP_H
#define PLASMA_RLP_H

#include "plasma/types.h"

/* A decoded item: a view into the caller's buffer, no copy. */
typedef struct plasma_rlp_item {
    const uint8_t *data; /* payload (string bytes, or a list's encoded items) */
    size_t len;          /* payload length */
    bool is_list;
} plasma_rlp_item;

/* Decodes the item at the start of buf. Out: *item and, if consumed is not
 * NULL, the number of bytes the item occupies. Returns 0 or
 * PLASMA_ERR_MALFORMED_RLP. */
int plasma_rlp_decode_prefix(plasma_rlp_item *item, size_t *consumed,
                             const uint8_t *buf, size_t len);

/* Decodes buf as exactly one item (trailing bytes are an error). Nested
 * lists are validated too, to a depth of 64 (deeper is MALFORMED_RLP). */
int plasma_rlp_decode(plasma_rlp_item *item, const uint8_t *buf, size_t len);

/* Iterates the elements of a list item. */
typedef struct plasma_rlp_iter {
    const uint8_t *p;
    const uint8_t *end;
} plasma_rlp_iter;

/* list must be a list item. */
void plasma_rlp_iter_init(plasma_rlp_iter *it, const plasma_rlp_item *list);
/* Returns 1 and fills *item for the next element, 0 at the end of the
 * list, or PLASMA_ERR_MALFORMED_RLP. */
int plasma_rlp_iter_next(plasma_rlp_iter *it, plasma_rlp_item *item);

/* Counts a list's elements, validating each. Returns 0 or
 * PLASMA_ERR_MALFORMED_RLP. */
int plasma_rlp_list_count(const plasma_rlp_item *list, size_t *count);

/* Reads a string item as an unsigned integer: at most 32 bytes, no leading
 * zero byte (0 is the empty string). Returns 0, PLASMA_ERR_MALFORMED_RLP
 * (a list, a leading zero) or PLASMA_ERR_OVERFLOW (over 32 bytes). */
int plasma_rlp_to_u256(plasma_u256 *out, const plasma_rlp_item *item);
/* As plasma_rlp_to_u256 but at most 8 bytes; PLASMA_ERR_OVERFLOW past it. */
int plasma_rlp_to_u64(uint64_t *out, const plasma_rlp_item *item);
/* Reads a string item of exactly len bytes. Returns 0 or
 * PLASMA_ERR_MALFORMED_RLP. */
int plasma_rlp_to_fixed(uint8_t *out, size_t len, const plasma_rlp_item *item);

/* Encoding appends to a plasma_buf. On allocation failure buf->failed is
 * set and the calls return PLASMA_ERR_NOMEM; check once at the end. */
int plasma_rlp_put_bytes(plasma_buf *buf, const uint8_t *data, size_t len);
int plasma_rlp_put_u64(plasma_buf *buf, uint64_t v);
int plasma_rlp_put_u256(plasma_buf *buf, const plasma_u256 *v);
/* Opens a list: returns the mark to pass to plasma_rlp_list_end. */
size_t plasma_rlp_list_begin(plasma_buf *buf);
/* Closes the list opened at mark, writing its header in front of the items
 * appended since. Returns 0 or PLASMA_ERR_NOMEM. */
int plasma_rlp_list_end(plasma_buf *buf, size_t mark);

#endif
