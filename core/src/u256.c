/* 256-bit unsigned arithmetic on four little-endian 64-bit limbs. Results
 * are computed into a temporary and copied out only on success, which is how
 * "out untouched on overflow" and aliasing of out with an input both hold. */
#include "plasma/u256.h"

#include <string.h>

#include "plasma/err.h"

typedef unsigned __int128 u128;

/* 10^19, the largest power of ten in a limb: decimal is handled in 19-digit
 * chunks so that formatting divides only ~5 times. */
#define DEC_CHUNK 10000000000000000000ull
#define DEC_CHUNK_DIGITS 19

bool plasma_u256_is_zero(const plasma_u256 *a)
{
    return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}

int plasma_u256_cmp(const plasma_u256 *a, const plasma_u256 *b)
{
    for (int i = 3; i >= 0; i--) {
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    }
    return 0;
}

bool plasma_u256_to_u64(const plasma_u256 *a, uint64_t *out)
{
    if ((a->w[1] | a->w[2] | a->w[3]) != 0)
        return false;
    if (out)
        *out = a->w[0];
    return true;
}

int plasma_u256_add(plasma_u256 *out, const plasma_u256 *a, const plasma_u256 *b)
{
    plasma_u256 r;
    uint64_t carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 s = (u128)a->w[i] + b->w[i] + carry;
        r.w[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
    if (carry)
        return PLASMA_ERR_OVERFLOW;
    *out = r;
    return PLASMA_OK;
}

void plasma_u256_add_saturating(plasma_u256 *out, const plasma_u256 *a, const plasma_u256 *b)
{
    if (plasma_u256_add(out, a, b) != 0)
        memset(out->w, 0xff, sizeof out->w);
}

int plasma_u256_sub(plasma_u256 *out, const plasma_u256 *a, const plasma_u256 *b)
{
    plasma_u256 r;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t d = a->w[i] - b->w[i];
        uint64_t nb = (a->w[i] < b->w[i]) | (d < borrow);
        r.w[i] = d - borrow;
        borrow = nb;
    }
    if (borrow)
        return PLASMA_ERR_OVERFLOW;
    *out = r;
    return PLASMA_OK;
}

int plasma_u256_mul_u64(plasma_u256 *out, const plasma_u256 *a, uint64_t m)
{
    plasma_u256 r;
    uint64_t carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 p = (u128)a->w[i] * m + carry;
        r.w[i] = (uint64_t)p;
        carry = (uint64_t)(p >> 64);
    }
    if (carry)
        return PLASMA_ERR_OVERFLOW;
    *out = r;
    return PLASMA_OK;
}

void plasma_u256_divmod_u64(plasma_u256 *out, uint64_t *rem, const plasma_u256 *a, uint64_t d)
{
    plasma_u256 q;
    u128 r = 0;
    for (int i = 3; i >= 0; i--) {
        u128 cur = (r << 64) | a->w[i];
        q.w[i] = (uint64_t)(cur / d);
        r = cur % d;
    }
    *out = q;
    if (rem)
        *rem = (uint64_t)r;
}

int plasma_u256_from_be(plasma_u256 *out, const uint8_t *be, size_t len)
{
    if (len > 32)
        return PLASMA_ERR_OVERFLOW;
    plasma_u256 r = {{0, 0, 0, 0}};
    for (size_t i = 0; i < len; i++) {
        size_t bit = 8 * (len - 1 - i);
        r.w[bit / 64] |= (uint64_t)be[i] << (bit % 64);
    }
    *out = r;
    return PLASMA_OK;
}

void plasma_u256_to_be(uint8_t out[32], const plasma_u256 *a)
{
    for (int i = 0; i < 32; i++) {
        int bit = 8 * (31 - i);
        out[i] = (uint8_t)(a->w[bit / 64] >> (bit % 64));
    }
}

size_t plasma_u256_byte_len(const plasma_u256 *a)
{
    for (int i = 3; i >= 0; i--) {
        if (a->w[i] != 0) {
            int bits = 64 - __builtin_clzll(a->w[i]);
            return (size_t)(64 * i + bits + 7) / 8;
        }
    }
    return 0;
}

/* --- text --- */

int plasma_u256_parse_dec(plasma_u256 *out, const char *s)
{
    if (*s == '\0')
        return PLASMA_ERR_BAD_REQUEST;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return PLASMA_ERR_BAD_REQUEST;
    plasma_u256 r = {{0, 0, 0, 0}};
    for (const char *p = s; *p; p++) {
        plasma_u256 digit = plasma_u256_from_u64((uint64_t)(*p - '0'));
        if (plasma_u256_mul_u64(&r, &r, 10) != 0 || plasma_u256_add(&r, &r, &digit) != 0)
            return PLASMA_ERR_OVERFLOW;
    }
    *out = r;
    return PLASMA_OK;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Leading zeros are accepted beyond 64 digits, as parse_dec accepts them;
 * only more than 64 significant digits overflow. */
int plasma_u256_parse_hex(plasma_u256 *out, const char *s)
{
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || s[2] == '\0')
        return PLASMA_ERR_BAD_REQUEST;
    const char *digits = s + 2;
    for (const char *p = digits; *p; p++)
        if (hex_digit(*p) < 0)
            return PLASMA_ERR_BAD_REQUEST;
    while (*digits == '0')
        digits++;
    size_t n = strlen(digits);
    if (n > 64)
        return PLASMA_ERR_OVERFLOW;
    plasma_u256 r = {{0, 0, 0, 0}};
    for (size_t i = 0; i < n; i++) {
        size_t bit = 4 * (n - 1 - i);
        r.w[bit / 64] |= (uint64_t)hex_digit(digits[i]) << (bit % 64);
    }
    *out = r;
    return PLASMA_OK;
}

char *plasma_u256_format_dec(char out[PLASMA_U256_DEC_MAX], const plasma_u256 *a)
{
    /* Chunks of 19 digits, least significant first. */
    uint64_t chunks[5];
    int n = 0;
    plasma_u256 v = *a;
    do {
        plasma_u256_divmod_u64(&v, &chunks[n++], &v, DEC_CHUNK);
    } while (!plasma_u256_is_zero(&v));

    char *p = out;
    char tmp[DEC_CHUNK_DIGITS + 1];
    for (int i = n - 1; i >= 0; i--) {
        int len = 0;
        for (uint64_t c = chunks[i]; len < DEC_CHUNK_DIGITS; c /= 10) {
            tmp[DEC_CHUNK_DIGITS - 1 - len++] = (char)('0' + c % 10);
            if (i == n - 1 && c < 10)
                break;
        }
        memcpy(p, tmp + DEC_CHUNK_DIGITS - len, (size_t)len);
        p += len;
    }
    *p = '\0';
    return out;
}

char *plasma_u256_format_hex(char out[67], const plasma_u256 *a)
{
    static const char digits[] = "0123456789abcdef";
    char *p = out;
    *p++ = '0';
    *p++ = 'x';
    bool started = false;
    for (int nib = 63; nib >= 0; nib--) {
        unsigned d = (unsigned)(a->w[nib / 16] >> (4 * (nib % 16))) & 0xf;
        if (d != 0 || started || nib == 0) {
            *p++ = digits[d];
            started = true;
        }
    }
    *p = '\0';
    return out;
}
