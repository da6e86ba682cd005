/* Amounts with units: "1.5eth", "20gwei", "1000" (wei). */
#include "plasma/client.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct unit {
    const char *name;
    unsigned decimals;
} unit;

static const unit units[] = {
    {"wei", 0},
    {"gwei", 9},
    {"eth", 18},
    {"ether", 18},
};

static int fail(char *errmsg, size_t len, int err, const char *msg, const char *s)
{
    if (errmsg && len)
        snprintf(errmsg, len, "bad amount \"%s\": %s", s, msg);
    return err;
}

static const unit *find_unit(const char *suffix)
{
    if (!*suffix)
        return &units[0];
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcasecmp(suffix, units[i].name) == 0)
            return &units[i];
    return NULL;
}

/* Accumulates digits into *acc (acc = acc*10 + d). */
static int push_digit(plasma_u256 *acc, char c)
{
    plasma_u256 d = plasma_u256_from_u64((uint64_t)(c - '0'));
    int rc = plasma_u256_mul_u64(acc, acc, 10);
    return rc ? rc : plasma_u256_add(acc, acc, &d);
}

int plasma_amount_parse(plasma_u256 *out, const char *s, char *errmsg, size_t errmsg_len)
{
    const char *p = s, *dot = NULL, *end;
    plasma_u256 acc = {{0}};
    size_t n_digits = 0, frac = 0;
    const unit *u;
    int rc;
    if (!s || !*s)
        return fail(errmsg, errmsg_len, PLASMA_ERR_BAD_REQUEST, "empty (give wei, or a number with gwei/eth)",
                    "");
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        rc = plasma_u256_parse_hex(&acc, s);
        if (rc)
            return fail(errmsg, errmsg_len, rc, rc == PLASMA_ERR_OVERFLOW ? "too large" : "bad hex", s);
        *out = acc;
        return 0;
    }
    for (end = p; isdigit((unsigned char)*end) || (*end == '.' && !dot); end++)
        if (*end == '.')
            dot = end;
    if (!(u = find_unit(end)))
        return fail(errmsg, errmsg_len, PLASMA_ERR_BAD_REQUEST, "unknown unit (use wei, gwei, eth or ether)",
                    s);
    for (p = s; p < end; p++) {
        if (*p == '.')
            continue;
        if (dot && p > dot)
            frac++;
        n_digits++;
        if ((rc = push_digit(&acc, *p)) != 0)
            return fail(errmsg, errmsg_len, rc, "too large for 256 bits", s);
    }
    if (n_digits == 0)
        return fail(errmsg, errmsg_len, PLASMA_ERR_BAD_REQUEST, "no digits", s);
    if (frac > u->decimals)
        return fail(errmsg, errmsg_len, PLASMA_ERR_BAD_REQUEST,
                    "more decimals than the unit allows (plain numbers are wei: add a unit, e.g. 1.5eth)", s);
    for (size_t i = frac; i < u->decimals; i++)
        if ((rc = plasma_u256_mul_u64(&acc, &acc, 10)) != 0)
            return fail(errmsg, errmsg_len, rc, "too large for 256 bits", s);
    *out = acc;
    return 0;
}

char *plasma_amount_format_eth(char out[PLASMA_AMOUNT_FMT_MAX], const plasma_u256 *wei)
{
    char dec[PLASMA_U256_DEC_MAX];
    size_t len = strlen(plasma_u256_format_dec(dec, wei)), int_len, o = 0;
    char padded[PLASMA_U256_DEC_MAX + 19];
    /* Left-pad to at least 19 digits so there is always an integer part. */
    size_t pad = len < 19 ? 19 - len : 0;
    memset(padded, '0', pad);
    memcpy(padded + pad, dec, len + 1);
    len += pad;
    int_len = len - 18;
    memcpy(out, padded, int_len);
    o = int_len;
    size_t frac_end = len;
    while (frac_end > int_len && padded[frac_end - 1] == '0')
        frac_end--;
    if (frac_end > int_len) {
        out[o++] = '.';
        memcpy(out + o, padded + int_len, frac_end - int_len);
        o += frac_end - int_len;
    }
    out[o] = '\0';
    return out;
}
