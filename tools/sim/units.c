/* Units of scenario values: durations ("90s", "7d") and amounts
 * ("0.0233 ether", "20 gwei", "1000"), parsed exactly where it matters. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* A decimal number "123", "1.5", ".5": digits of the integer and fraction
 * parts. */
typedef struct decimal {
    const char *int_digits, *frac_digits;
    size_t n_int, n_frac;
    const char *end;
} decimal;

static int scan_decimal(const char *s, decimal *d)
{
    memset(d, 0, sizeof *d);
    d->int_digits = s;
    while (isdigit((unsigned char)s[d->n_int]))
        d->n_int++;
    s += d->n_int;
    if (*s == '.') {
        s++;
        d->frac_digits = s;
        while (isdigit((unsigned char)s[d->n_frac]))
            d->n_frac++;
        s += d->n_frac;
    }
    d->end = s;
    return d->n_int + d->n_frac > 0 ? 0 : -1;
}

static const char *skip_space(const char *s)
{
    while (*s == ' ')
        s++;
    return s;
}

int sim_parse_duration(const char *s, double *seconds)
{
    static const struct {
        const char *unit;
        double scale;
    } units[] = {{"", 1}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"w", 604800}};
    decimal d;
    if (scan_decimal(s, &d) != 0)
        return -1;
    const char *unit = skip_space(d.end);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(unit, units[i].unit) == 0) {
            *seconds = strtod(s, NULL) * units[i].scale;
            return 0;
        }
    }
    return -1;
}

/* Appends decimal digits to an integer, failing on overflow. */
static int push_digits(plasma_u256 *v, const char *digits, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        plasma_u256 digit = plasma_u256_from_u64((uint64_t)(digits[i] - '0'));
        if (plasma_u256_mul_u64(v, v, 10) != 0 || plasma_u256_add(v, v, &digit) != 0)
            return -1;
    }
    return 0;
}

static int unit_exponent(const char *unit, size_t *exp10)
{
    static const struct {
        const char *name;
        size_t exp10;
    } units[] = {{"", 0}, {"wei", 0}, {"gwei", 9}, {"ether", 18}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(unit, units[i].name) == 0) {
            *exp10 = units[i].exp10;
            return 0;
        }
    }
    return -1;
}

int sim_parse_amount(const char *s, plasma_u256 *exact, double *approx)
{
    decimal d;
    size_t exp10;
    if (scan_decimal(s, &d) != 0 || unit_exponent(skip_space(d.end), &exp10) != 0)
        return -1;
    /* Trailing zeros of the fraction do not ask for sub-unit precision. */
    size_t n_frac = d.n_frac;
    while (n_frac > 0 && d.frac_digits[n_frac - 1] == '0')
        n_frac--;
    if (n_frac > exp10)
        return -1;
    plasma_u256 v = plasma_u256_from_u64(0);
    if (push_digits(&v, d.int_digits, d.n_int) != 0 || push_digits(&v, d.frac_digits, n_frac) != 0)
        return -1;
    for (size_t i = n_frac; i < exp10; i++)
        if (plasma_u256_mul_u64(&v, &v, 10) != 0)
            return -1;
    *exact = v;
    *approx = strtod(s, NULL) * pow(10, (double)exp10);
    return 0;
}

char *sim_format_duration(char *out, size_t len, double seconds)
{
    static const struct {
        const char *unit;
        uint64_t scale;
    } units[] = {{"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}};
    uint64_t left = seconds > 0 ? (uint64_t)llround(seconds) : 0;
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        uint64_t n = left / units[i].scale;
        left %= units[i].scale;
        if (n == 0 || used >= len)
            continue;
        used += (size_t)snprintf(out + used, len - used, "%s%llu%s", used ? " " : "", (unsigned long long)n,
                                 units[i].unit);
    }
    if (used == 0)
        snprintf(out, len, "0s");
    return out;
}

double sim_u256_to_double(const plasma_u256 *a)
{
    double v = 0;
    for (int i = 3; i >= 0; i--)
        v = v * 18446744073709551616.0 + (double)a->w[i];
    return v;
}
