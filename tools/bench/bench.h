/* plasma-bench: subcommands that each measure one area and print one JSON
 * object on stdout. Adding an area: write bench_<name>.c with a
 * bench_cmd_fn, list it in the table of plasma_bench.c and in
 * tools/CMakeLists.txt. Timings are single-threaded wall-clock
 * (CLOCK_MONOTONIC); a figure is the median of many timed batches. */
#ifndef PLASMA_BENCH_H
#define PLASMA_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "plasma/types.h"

/* Runs a subcommand; argv[0] is its name. Returns the process exit status
 * (0 ok, 1 failure, 2 bad usage). */
typedef int (*bench_cmd_fn)(int argc, char **argv);

typedef struct bench_cmd {
    const char *name;
    const char *summary; /* one line for --help */
    bench_cmd_fn run;
} bench_cmd;

/* Options every subcommand accepts. */
typedef struct bench_opts {
    double seconds; /* measuring time per figure */
} bench_opts;

#define BENCH_DEFAULT_SECONDS 0.4

/* Parses --time SECONDS and --help for subcommand argv[0], whose usage
 * says it measures `what`. Returns true to go on; false to stop with the
 * exit status in *status (0 after --help, 2 on a bad argument). */
bool bench_parse_opts(bench_opts *out, int *status, int argc, char **argv, const char *what);

/* Monotonic clock in nanoseconds. */
uint64_t bench_now_ns(void);

/* One operation under test; ctx carries its input and output so the
 * compiler cannot drop the work. */
typedef void (*bench_op)(void *ctx);

/* Times op: warms up, sizes a batch to about a millisecond (one call when a
 * call takes longer), runs batches for about `seconds` (at least 5), and
 * returns the median time of one call in nanoseconds. */
double bench_measure_ns(bench_op op, void *ctx, double seconds);

/* The subcommands (bench_<name>.c). */
int bench_primitives(int argc, char **argv);
int plasma_bench_exits(int argc, char **argv);
int plasma_bench_operator(int argc, char **argv);
int plasma_bench_watcher(int argc, char **argv);

/* --- what the end-to-end benchmarks share --- */

/* Sets the process up as plasma-operator's main does (SIGPIPE ignored,
 * request-sized buffers kept in the heap) and initialises libcurl. */
void bench_daemon_process(void);
/* A port free on 127.0.0.1 right now (0 if none was found). */
uint16_t bench_free_port(void);
/* Removes a directory tree (a benchmark's scratch directory). */
void bench_rm_tree(const char *dir);
/* CPU seconds of the process, user and system. */
double bench_cpu_seconds(void);
/* The process's resident set now, and its peak, in MB. */
double bench_rss_mb(void);
double bench_peak_rss_mb(void);

/* A signature with the digest it signs, for measuring the recover rate on
 * the very signatures a run checks. */
typedef struct signed_digest {
    plasma_sig sig;
    plasma_hash digest;
} signed_digest;

/* secp256k1_ecdsa_recover on one thread, cycling through n signatures:
 * recoveries per second, or 0 when one failed. With n > 1 these are a
 * run's own signatures, each recovered in turn, as the daemons meet them;
 * with n == 1 the same signature again and again, whose precomputed-table
 * entries then stay in the L1 cache (a best case no daemon sees). */
double bench_recover_rate(const signed_digest *sigs, size_t n);
/* Both cores recovering at once, one thread each, each its own half of
 * sigs: recoveries per second per core. */
double bench_recover_rate_2threads(const signed_digest *sigs, size_t n);

/* The single-core recover rate sampled while other work runs: every
 * every_ms a thread of its own recovers for burst_ms of its CPU time, on
 * each core in turn, and the rate is its recoveries over that CPU time (a
 * core that another thread shares, or that the host slows, shows in it as
 * in that work).
 * The samples take burst_ms / every_ms of one core from the work. */
typedef struct bench_rec_sampler bench_rec_sampler;
/* Returns NULL when the thread cannot start. */
bench_rec_sampler *bench_rec_sampler_start(const signed_digest *sigs, size_t n, unsigned every_ms,
                                           unsigned burst_ms);
/* Stops and frees s (after one burst if none ran yet). Returns recoveries
 * per CPU second (0 when a recovery failed); *bursts, if not NULL, gets
 * how many bursts ran. */
double bench_rec_sampler_stop(bench_rec_sampler *s, unsigned *bursts);

/* Prints obj as one JSON object and a newline on stdout; takes ownership.
 * Returns 0, or 1 if it could not be written. */
int bench_print(json_t *obj);

#endif
