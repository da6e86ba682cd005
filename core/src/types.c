/* Byte buffers, hex and the fixed-size value types. */
#include "plasma/types.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "plasma/err.h"

#define BUF_MIN_CAP 64

int plasma_buf_reserve(plasma_buf *buf, size_t extra)
{
    if (buf->failed)
        return PLASMA_ERR_NOMEM;
    if (extra <= buf->cap - buf->len)
        return PLASMA_OK;
    if (extra > SIZE_MAX - buf->len)
        goto fail;
    size_t need = buf->len + extra;
    size_t cap = buf->cap ? buf->cap : BUF_MIN_CAP;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = realloc(buf->data, cap);
    if (!p)
        goto fail;
    buf->data = p;
    buf->cap = cap;
    return PLASMA_OK;
fail:
    buf->failed = true;
    return PLASMA_ERR_NOMEM;
}

int plasma_buf_append(plasma_buf *buf, const uint8_t *data, size_t len)
{
    int rc = plasma_buf_reserve(buf, len);
    if (rc != 0)
        return rc;
    if (len > 0)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    return PLASMA_OK;
}

void plasma_buf_free(plasma_buf *buf)
{
    if (!buf)
        return;
    free(buf->data);
    memset(buf, 0, sizeof *buf);
}

void plasma_buf_clear(plasma_buf *buf)
{
    buf->len = 0;
    buf->failed = false;
}

/* --- hex --- */

static const char hex_digits[] = "0123456789abcdef";

int plasma_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return PLASMA_OK;
    size_t n = *cap ? *cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            return PLASMA_ERR_NOMEM;
        n *= 2;
    }
    void *a = realloc(*arr, n * elem);
    if (!a)
        return PLASMA_ERR_NOMEM;
    *arr = a;
    *cap = n;
    return PLASMA_OK;
}

/* Each byte's hex value plus one; 0 for a byte that is not a hex digit. One
 * load per digit instead of three range tests: batch bodies run to
 * megabytes of hex. */
static const uint8_t hex_plus1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static const char *hex_skip_prefix(const char *hex)
{
    if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
        return hex + 2;
    return hex;
}

/* Decodes 2*len digits (already known to be present) into out. */
static int hex_decode_digits(uint8_t *out, const char *digits, size_t len)
{
    const unsigned char *d = (const unsigned char *)digits;
    unsigned bad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned hi = hex_plus1[d[2 * i]], lo = hex_plus1[d[2 * i + 1]];
        bad |= (hi - 1) | (lo - 1); /* a 0 entry wraps to all ones */
        out[i] = (uint8_t)((hi - 1) << 4 | (lo - 1));
    }
    return bad > 0xf ? PLASMA_ERR_BAD_REQUEST : PLASMA_OK;
}

int plasma_hex_decode_digits(uint8_t *out, const char *digits, size_t ndigits)
{
    if (ndigits % 2 != 0)
        return PLASMA_ERR_BAD_REQUEST;
    return hex_decode_digits(out, digits, ndigits / 2);
}

char *plasma_hex_encode(char *out, const uint8_t *data, size_t len)
{
    out[0] = '0';
    out[1] = 'x';
    for (size_t i = 0; i < len; i++) {
        out[2 + 2 * i] = hex_digits[data[i] >> 4];
        out[3 + 2 * i] = hex_digits[data[i] & 0x0f];
    }
    out[2 + 2 * len] = '\0';
    return out;
}

int plasma_hex_decode_fixed(uint8_t *out, size_t outlen, const char *hex)
{
    const char *digits = hex_skip_prefix(hex);
    if (strlen(digits) != 2 * outlen)
        return PLASMA_ERR_BAD_REQUEST;
    return hex_decode_digits(out, digits, outlen);
}

int plasma_hex_decode_alloc(uint8_t **out, size_t *outlen, const char *hex)
{
    const char *digits = hex_skip_prefix(hex);
    size_t ndigits = strlen(digits);
    if (ndigits % 2 != 0)
        return PLASMA_ERR_BAD_REQUEST;
    size_t len = ndigits / 2;
    /* One spare byte so that an empty result is still a valid allocation. */
    uint8_t *bytes = malloc(len + 1);
    if (!bytes)
        return PLASMA_ERR_NOMEM;
    int rc = hex_decode_digits(bytes, digits, len);
    if (rc != 0) {
        free(bytes);
        return rc;
    }
    *out = bytes;
    *outlen = len;
    return PLASMA_OK;
}

/* --- addresses and hashes --- */

/* Unlike plasma_hex_decode_fixed, the 0x prefix is required here: an address
 * or hash without it is far more likely a mistake than a convenience. */
static int parse_prefixed(uint8_t *out, size_t len, const char *s)
{
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return PLASMA_ERR_BAD_REQUEST;
    return plasma_hex_decode_fixed(out, len, s);
}

int plasma_addr_parse(plasma_addr *out, const char *s)
{
    plasma_addr tmp;
    int rc = parse_prefixed(tmp.b, sizeof tmp.b, s);
    if (rc == 0)
        *out = tmp;
    return rc;
}

char *plasma_addr_format(char out[43], const plasma_addr *addr)
{
    return plasma_hex_encode(out, addr->b, sizeof addr->b);
}

bool plasma_addr_is_zero(const plasma_addr *addr)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < sizeof addr->b; i++)
        acc |= addr->b[i];
    return acc == 0;
}

bool plasma_addr_eq(const plasma_addr *a, const plasma_addr *b)
{
    return memcmp(a->b, b->b, sizeof a->b) == 0;
}

char *plasma_hash_format(char out[67], const plasma_hash *h)
{
    return plasma_hex_encode(out, h->b, sizeof h->b);
}

int plasma_hash_parse(plasma_hash *out, const char *s)
{
    plasma_hash tmp;
    int rc = parse_prefixed(tmp.b, sizeof tmp.b, s);
    if (rc == 0)
        *out = tmp;
    return rc;
}

bool plasma_hash_eq(const plasma_hash *a, const plasma_hash *b)
{
    return memcmp(a->b, b->b, sizeof a->b) == 0;
}

void plasma_wipe(void *p, size_t len)
{
    explicit_bzero(p, len);
}

int plasma_mkdir_parents(const char *dir)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

int plasma_write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int plasma_sync_parent_dir(const char *path)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
        errno = ENAMETOOLONG;
        return -1;
    }
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

int plasma_file_replace(const char *path, const void *data, size_t len)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int rc = plasma_write_all(fd, data, len);
    if (close(fd) != 0 && rc == 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
    }
    return rc;
}

void plasma_deadline_us(struct timespec *ts, uint64_t us)
{
    clock_gettime(CLOCK_REALTIME, ts);
    uint64_t ns = (uint64_t)ts->tv_nsec + us % 1000000u * 1000u;
    ts->tv_sec += (time_t)(us / 1000000u + ns / 1000000000u);
    ts->tv_nsec = (long)(ns % 1000000000u);
}

void plasma_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
