/* Fixed-size value types shared by every library. Passed by const pointer,
 * never heap-allocated on their own. */
#ifndef PLASMA_TYPES_H
#define PLASMA_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct plasma_hash {
    uint8_t b[32];
} plasma_hash;
typedef struct plasma_addr {
    uint8_t b[20];
} plasma_addr;
/* r (32) ‖ s (32) ‖ v (1), v ∈ {27, 28} once validated. */
typedef struct plasma_sig {
    uint8_t b[65];
} plasma_sig;
typedef struct plasma_privkey {
    uint8_t b[32];
} plasma_privkey;

/* Unsigned 256-bit integer, w[0] the least significant 64-bit limb. */
typedef struct plasma_u256 {
    uint64_t w[4];
} plasma_u256;

/* A growable byte buffer. Zero-initialise it ({0}) before use; release it
 * with plasma_buf_free. Once an allocation fails, `failed` is set, further
 * appends do nothing, and the owner reports PLASMA_ERR_NOMEM. */
typedef struct plasma_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    bool failed;
} plasma_buf;

/* Appends len bytes of data. Returns 0, or PLASMA_ERR_NOMEM (buf->failed set). */
int plasma_buf_append(plasma_buf *buf, const uint8_t *data, size_t len);
/* Ensures room for extra more bytes. Returns 0 or PLASMA_ERR_NOMEM. */
int plasma_buf_reserve(plasma_buf *buf, size_t extra);
/* Frees the storage and zeroes the struct; NULL-safe. */
void plasma_buf_free(plasma_buf *buf);
/* Empties buf for reuse, keeping its storage, and forgets a past failure. */
void plasma_buf_clear(plasma_buf *buf);

/* Grows the array *arr of *cap elements of elem bytes to hold at least need
 * (capacity doubling, 8 at first). Returns 0, or PLASMA_ERR_NOMEM with
 * *arr and *cap unchanged. */
int plasma_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* Hex helpers. Lowercase output with a 0x prefix; input accepts an optional
 * 0x/0X prefix and either case. */

/* Writes 2 + 2*len characters and a NUL to out (out must hold 2*len + 3).
 * Returns out. */
char *plasma_hex_encode(char *out, const uint8_t *data, size_t len);
/* Decodes hex of exactly outlen bytes. Returns 0, or PLASMA_ERR_BAD_REQUEST
 * on a wrong length or a non-hex digit (out then unspecified). */
int plasma_hex_decode_fixed(uint8_t *out, size_t outlen, const char *hex);
/* Decodes hex of any even length into a new buffer (*out, *outlen owned by
 * the caller, free()). Returns 0, PLASMA_ERR_BAD_REQUEST or PLASMA_ERR_NOMEM;
 * *out written only on success. */
int plasma_hex_decode_alloc(uint8_t **out, size_t *outlen, const char *hex);
/* Decodes ndigits hex digits (no prefix, not NUL-terminated) into
 * ndigits / 2 bytes of out. Returns 0, or PLASMA_ERR_BAD_REQUEST on an odd
 * count or a non-hex digit (out then unspecified). */
int plasma_hex_decode_digits(uint8_t *out, const char *digits, size_t ndigits);

/* Parses an address, 0x + 40 hex digits, any case. Mixed case is accepted
 * as it is (checksum is not enforced). Returns 0 or PLASMA_ERR_BAD_REQUEST. */
int plasma_addr_parse(plasma_addr *out, const char *s);
/* Formats as 0x + 40 lowercase hex digits; out must hold 43 bytes. */
char *plasma_addr_format(char out[43], const plasma_addr *addr);
bool plasma_addr_is_zero(const plasma_addr *addr);
bool plasma_addr_eq(const plasma_addr *a, const plasma_addr *b);

/* Formats as 0x + 64 lowercase hex digits; out must hold 67 bytes. */
char *plasma_hash_format(char out[67], const plasma_hash *h);
/* Parses 0x + 64 hex digits. Returns 0 or PLASMA_ERR_BAD_REQUEST. */
int plasma_hash_parse(plasma_hash *out, const char *s);
bool plasma_hash_eq(const plasma_hash *a, const plasma_hash *b);

/* Creates directory dir and any missing parents with mode 0700 (mkdir -p).
 * Returns 0, or -1 with errno set (ENAMETOOLONG past PATH_MAX). */
int plasma_mkdir_parents(const char *dir);

/* Replaces the file at path with the len bytes of data so that a reader
 * sees either the old file (or none) or the whole new one, never a part:
 * written to a temporary file beside it, then renamed over it. Returns 0,
 * or -1 with errno set (nothing left behind). */
int plasma_file_replace(const char *path, const void *data, size_t len);

/* Writes the len bytes of data to fd, on after a signal or a short write.
 * Returns 0, or -1 with errno set (EIO when nothing more could be
 * written). */
int plasma_write_all(int fd, const void *data, size_t len);

/* Syncs the directory that holds path, so that a file created or renamed
 * there is durable. Returns 0, or -1 with errno set. */
int plasma_sync_parent_dir(const char *path);

/* Overwrites len bytes with zeros in a way the compiler keeps. */
void plasma_wipe(void *p, size_t len);

/* Sleeps ms milliseconds in all, a signal's handler notwithstanding. */
void plasma_sleep_ms(long ms);
/* Out: *ts, us microseconds from now on CLOCK_REALTIME (the clock of
 * pthread_cond_timedwait's deadlines). */
void plasma_deadline_us(struct timespec *ts, uint64_t us);

#endif
