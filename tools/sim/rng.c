/* Deterministic random numbers: xoshiro256** with splitmix64 seeding, and
 * the few distributions scenarios use. Everything here depends only on the
 * seed, so a scenario replays bit for bit. */
#include <math.h>

#include "sim.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void sim_rng_seed(sim_rng *rng, uint64_t seed, uint64_t stream)
{
    /* Mixing the stream in before splitmix gives unrelated sequences for
     * neighbouring stream numbers. */
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ull);
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_next(sim_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double sim_rng_unit(sim_rng *rng)
{
    return (double)(sim_rng_next(rng) >> 11) * 0x1.0p-53;
}

uint64_t sim_rng_below(sim_rng *rng, uint64_t n)
{
    /* Rejection keeps the result unbiased for any n. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = sim_rng_next(rng);
    while (x >= limit);
    return x % n;
}

double sim_rng_normal(sim_rng *rng)
{
    double u1 = 1.0 - sim_rng_unit(rng); /* (0, 1]: log stays finite */
    double u2 = sim_rng_unit(rng);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

uint64_t sim_rng_poisson(sim_rng *rng, double mean)
{
    if (mean <= 0)
        return 0;
    if (mean > 64) {
        /* The normal approximation is within a fraction of a percent here
         * and costs one draw instead of `mean`. */
        double x = floor(mean + sqrt(mean) * sim_rng_normal(rng) + 0.5);
        return x < 0 ? 0 : (uint64_t)x;
    }
    double limit = exp(-mean), p = 1.0;
    uint64_t k = 0;
    for (;;) {
        p *= sim_rng_unit(rng);
        if (p <= limit)
            return k;
        k++;
    }
}

double sim_dist_sample(const sim_dist *d, sim_rng *rng)
{
    switch (d->kind) {
    case SIM_DIST_FIXED:
        return d->a;
    case SIM_DIST_UNIFORM:
        return d->a + (d->b - d->a) * sim_rng_unit(rng);
    case SIM_DIST_EXPONENTIAL:
        return -d->a * log(1.0 - sim_rng_unit(rng));
    case SIM_DIST_LOGNORMAL:
        return d->a * exp(d->b * sim_rng_normal(rng));
    }
    return d->a;
}

/* The standard normal quantile: a first guess good to 5e-4 (the rational
 * approximation of Abramowitz and Stegun, 26.2.23) polished by Halley
 * steps on 0.5 erfc(-x / sqrt 2) = u. The upper half mirrors the lower one,
 * where erfc keeps its precision. */
static double normal_quantile(double u)
{
    if (u <= 0)
        return -40;
    if (u >= 1)
        return 40;
    if (u > 0.5)
        return -normal_quantile(1 - u);
    double t = sqrt(-2 * log(u));
    double x = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) /
                         (1 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
    for (int i = 0; i < 3; i++) {
        double pdf = exp(-x * x / 2) / sqrt(2 * M_PI);
        if (pdf < 1e-300)
            break;
        double step = (0.5 * erfc(-x / M_SQRT2) - u) / pdf;
        x -= step / (1 + x * step / 2);
    }
    return x;
}

double sim_dist_quantile(const sim_dist *d, double u)
{
    switch (d->kind) {
    case SIM_DIST_FIXED:
        return d->a;
    case SIM_DIST_UNIFORM:
        return d->a + (d->b - d->a) * u;
    case SIM_DIST_EXPONENTIAL:
        return -d->a * log(1.0 - u);
    case SIM_DIST_LOGNORMAL:
        return d->a * exp(d->b * normal_quantile(u));
    }
    return d->a;
}

double sim_dist_mean(const sim_dist *d)
{
    switch (d->kind) {
    case SIM_DIST_FIXED:
    case SIM_DIST_EXPONENTIAL:
        return d->a;
    case SIM_DIST_UNIFORM:
        return (d->a + d->b) / 2;
    case SIM_DIST_LOGNORMAL:
        return d->a * exp(d->b * d->b / 2);
    }
    return d->a;
}
