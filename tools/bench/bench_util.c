/* Timing, options and output shared by the plasma-bench subcommands. */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH_TARGET_NS 1000000.0 /* a batch lasts about 1 ms */
#define MIN_SAMPLES 5
#define MAX_SAMPLES 4096

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t time_batch(bench_op op, void *ctx, uint64_t calls)
{
    uint64_t t0 = bench_now_ns();
    for (uint64_t i = 0; i < calls; i++)
        op(ctx);
    return bench_now_ns() - t0;
}

/* Doubles the batch until it lasts BATCH_TARGET_NS; this also warms caches
 * and the branch predictors. */
static uint64_t size_batch(bench_op op, void *ctx)
{
    uint64_t calls = 1;
    while (time_batch(op, ctx, calls) < BATCH_TARGET_NS && calls < (1u << 30))
        calls *= 2;
    return calls;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_measure_ns(bench_op op, void *ctx, double seconds)
{
    uint64_t calls = size_batch(op, ctx);
    op(ctx);
    double samples[MAX_SAMPLES];
    size_t n = 0;
    uint64_t budget = (uint64_t)(seconds * 1e9), start = bench_now_ns();
    while (n < MAX_SAMPLES && (n < MIN_SAMPLES || bench_now_ns() - start < budget))
        samples[n++] = (double)time_batch(op, ctx, calls) / (double)calls;
    qsort(samples, n, sizeof samples[0], cmp_double);
    return n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

static void opts_usage(FILE *f, const char *name, const char *what)
{
    fprintf(f,
            "usage: plasma-bench %s [--time SECONDS]\n"
            "Measures %s and prints one JSON object.\n"
            "  --time SECONDS  measuring time per figure (default %.1f)\n",
            name, what, BENCH_DEFAULT_SECONDS);
}

/* Reads a --time value: a number of seconds in (0, 60]. */
static bool parse_seconds(double *out, const char *s)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !(v > 0 && v <= 60))
        return false;
    *out = v;
    return true;
}

bool bench_parse_opts(bench_opts *out, int *status, int argc, char **argv, const char *what)
{
    out->seconds = BENCH_DEFAULT_SECONDS;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            opts_usage(stdout, argv[0], what);
            *status = 0;
            return false;
        }
        if (strcmp(argv[i], "--time") == 0 && i + 1 < argc && parse_seconds(&out->seconds, argv[i + 1])) {
            i++;
            continue;
        }
        fprintf(stderr, "plasma-bench %s: bad argument '%s'%s\n", argv[0], argv[i],
                strcmp(argv[i], "--time") == 0 ? " (wants seconds, 0 < s <= 60)" : "");
        opts_usage(stderr, argv[0], what);
        *status = 2;
        return false;
    }
    return true;
}

int bench_print(json_t *obj)
{
    if (!obj)
        return 1;
    int rc = json_dumpf(obj, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(4) | JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (rc != 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0)
        return 1;
    return 0;
}
