/* plasma-sim: runs a mass-exit scenario and reports what it cost and who
 * lost what. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

#define EXIT_RUN_FAILED 1
#define EXIT_USAGE 2

typedef struct options {
    bool json, quiet, timing, has_seed;
    uint64_t seed;
    const char *timeline, *chart, *scenario;
} options;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: plasma-sim [options] SCENARIO.json\n"
            "\n"
            "Simulates a Plasma mass exit as the scenario file describes it (format \"%s\",\n"
            "see docs/simulation.md) and prints what happened.\n"
            "\n"
            "options:\n"
            "  --json            print one JSON object instead of the summary\n"
            "  --quiet           no progress bar (it is drawn only when stderr is a terminal)\n"
            "  --timeline FILE   write one CSV row per root-chain block of the incident\n"
            "  --chart FILE      write an SVG chart of the timeline\n"
            "  --seed N          use seed N instead of the scenario's\n"
            "  --no-timing       leave out wall_seconds, exits_per_s and peak_rss_mb, the only\n"
            "                    results that differ between two runs of one seed\n"
            "  --help            show this help\n"
            "  --version         show the version\n"
            "\n"
            "exit status: 0 done, 1 the run failed (a check of the chain against the\n"
            "simulation's books included), 2 bad usage or scenario file\n",
            SIM_FORMAT);
}

static int parse_seed(const char *s, uint64_t *out)
{
    plasma_u256 v;
    return plasma_u256_parse_dec(&v, s) == 0 && plasma_u256_to_u64(&v, out) ? 0 : -1;
}

#define CONTINUE (-1)

/* Applies option c. Returns CONTINUE, or an exit status. */
static int apply_option(int c, options *o)
{
    switch (c) {
    case 'j':
        o->json = true;
        return CONTINUE;
    case 'q':
        o->quiet = true;
        return CONTINUE;
    case 't':
        o->timeline = optarg;
        return CONTINUE;
    case 'c':
        o->chart = optarg;
        return CONTINUE;
    case 'n':
        o->timing = false;
        return CONTINUE;
    case 'h':
        usage(stdout);
        return 0;
    case 'v':
        printf("plasma-sim %s (%s)\n", PLASMA_VERSION, SIM_FORMAT);
        return 0;
    case 's':
        o->has_seed = parse_seed(optarg, &o->seed) == 0;
        if (o->has_seed)
            return CONTINUE;
        fprintf(stderr, "plasma-sim: --seed: expected a whole number from 0 to 2^64-1\n");
        return EXIT_USAGE;
    default:
        usage(stderr);
        return EXIT_USAGE;
    }
}

/* Returns CONTINUE, or an exit status. */
static int parse_args(int argc, char **argv, options *o)
{
    static const struct option longs[] = {
        {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"timeline", required_argument, NULL, 't'},
        {"chart", required_argument, NULL, 'c'},
        {"seed", required_argument, NULL, 's'},
        {"no-timing", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->timing = true;
    for (int c; (c = getopt_long(argc, argv, "", longs, NULL)) != -1;) {
        int status = apply_option(c, o);
        if (status != CONTINUE)
            return status;
    }
    if (optind != argc - 1) {
        fprintf(stderr, "plasma-sim: expected one scenario file\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    o->scenario = argv[optind];
    return CONTINUE;
}

/* ---- the progress bar ---- */

typedef struct progress {
    double last;
    bool drawn;
} progress;

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void draw(void *payload, uint64_t done, uint64_t total, uint64_t started, uint64_t sim_seconds)
{
    progress *p = payload;
    double t = wall();
    if (t - p->last < 0.1)
        return;
    p->last = t;
    p->drawn = true;
    char bar[31], when[48];
    double frac = total ? (double)done / (double)total : 0;
    int fill = (int)(frac * 30 + 0.5);
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\r[%s] %5.1f%%  %" PRIu64 " exits started, %" PRIu64 "/%" PRIu64 " settled, +%s   ", bar,
            frac * 100, started, done, total, sim_format_duration(when, sizeof when, (double)sim_seconds));
    fflush(stderr);
}

static void clear(const progress *p)
{
    if (p->drawn)
        fprintf(stderr, "\r%*s\r", 100, "");
}

/* ---- outputs ---- */

static int write_file(const char *path, const sim *s, bool chart)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "plasma-sim: cannot write %s\n", path);
        return -1;
    }
    size_t n;
    const sim_row *rows = sim_get_rows(s, &n);
    int rc = chart ? sim_write_chart(f, sim_get_scenario(s), sim_get_result(s), rows, n)
                   : sim_write_timeline(f, rows, n);
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "plasma-sim: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

static int print_result(const options *o, const sim *s)
{
    if (!o->json) {
        sim_print_summary(stdout, sim_get_scenario(s), sim_get_result(s));
        return 0;
    }
    json_t *j = sim_result_json(sim_get_scenario(s), sim_get_result(s), o->timing);
    int rc = j ? json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) : -1;
    if (rc == 0)
        putchar('\n');
    json_decref(j);
    return rc;
}

static int run(const options *o, sim_scenario *sc)
{
    char err[SIM_ERR_MAX];
    sim *s = NULL;
    progress bar = {0};
    bool show = !o->quiet && isatty(STDERR_FILENO);
    int status = EXIT_RUN_FAILED;
    if (o->has_seed)
        sc->seed = o->seed;
    if (sim_new(&s, sc) != 0) {
        fprintf(stderr, "plasma-sim: out of memory\n");
        return EXIT_RUN_FAILED;
    }
    int rc = sim_run(s, show ? draw : NULL, &bar, err, sizeof err);
    clear(&bar);
    if (rc != 0) {
        fprintf(stderr, "plasma-sim: %s\n", err);
        status = rc == SIM_EBADSCENARIO ? EXIT_USAGE : EXIT_RUN_FAILED;
        /* A failed check still has results worth seeing. */
        if (rc == SIM_EINVARIANT)
            print_result(o, s);
        goto cleanup;
    }
    if (print_result(o, s) != 0 || (o->timeline && write_file(o->timeline, s, false) != 0) ||
        (o->chart && write_file(o->chart, s, true) != 0))
        goto cleanup;
    status = 0;
cleanup:
    sim_free(s);
    return status;
}

int main(int argc, char **argv)
{
    options o;
    int status = parse_args(argc, argv, &o);
    if (status != CONTINUE)
        return status;
    char err[SIM_ERR_MAX];
    sim_scenario *sc = NULL;
    int rc = sim_scenario_load(&sc, o.scenario, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "plasma-sim: %s\n", rc == SIM_EBADSCENARIO ? err : "out of memory");
        return EXIT_USAGE;
    }
    status = run(&o, sc);
    sim_scenario_free(sc);
    return status;
}
