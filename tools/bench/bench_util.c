/* Timing, options and output shared by the plasma-bench subcommands. */
#include "bench.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <ftw.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH_TARGET_NS 1000000.0 /* a batch lasts about 1 ms */
#define MIN_SAMPLES 5
#define MAX_SAMPLES 4096

static uint64_t clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
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

/* --- shared by the end-to-end benchmarks --- */

void bench_daemon_process(void)
{
    signal(SIGPIPE, SIG_IGN);
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

uint16_t bench_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    uint16_t port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void bench_rm_tree(const char *dir)
{
    nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

double bench_cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

/* A "Vm...:" line of /proc/self/status, in MB. */
static double status_mb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    size_t n = strlen(field);
    double kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0)
            kb = atof(line + n);
    if (f)
        fclose(f);
    return kb / 1024.0;
}

double bench_rss_mb(void)
{
    return status_mb("VmRSS:");
}

double bench_peak_rss_mb(void)
{
    return status_mb("VmHWM:");
}

typedef struct rec_ctx {
    secp256k1_context *ctx;
    const signed_digest *sigs;
    size_t n;
    size_t next;
    int failures;
} rec_ctx;

static void one_recover(void *arg)
{
    rec_ctx *r = arg;
    const signed_digest *s = &r->sigs[r->next];
    r->next = r->next + 1 < r->n ? r->next + 1 : 0;
    secp256k1_ecdsa_recoverable_signature sig;
    secp256k1_pubkey pub;
    r->failures +=
        !secp256k1_ecdsa_recoverable_signature_parse_compact(r->ctx, &sig, s->sig.b, s->sig.b[64] - 27) ||
        !secp256k1_ecdsa_recover(r->ctx, &pub, &sig, s->digest.b);
}

double bench_recover_rate(const signed_digest *sigs, size_t n)
{
    rec_ctx r = {.ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE), .sigs = sigs, .n = n};
    double ns = r.ctx ? bench_measure_ns(one_recover, &r, 1.0) : 0;
    if (r.ctx)
        secp256k1_context_destroy(r.ctx);
    return ns > 0 && r.failures == 0 ? 1e9 / ns : 0;
}

typedef struct rec_thread {
    const signed_digest *sigs;
    size_t n;
    double rate;
} rec_thread;

static void *recover_thread(void *arg)
{
    rec_thread *t = arg;
    t->rate = bench_recover_rate(t->sigs, t->n);
    return NULL;
}

double bench_recover_rate_2threads(const signed_digest *sigs, size_t n)
{
    /* Each thread its own half, so that neither warms the other's entries. */
    rec_thread r[2] = {{sigs, n / 2, 0}, {sigs + n / 2, n - n / 2, 0}};
    pthread_t th[2];
    int started = 0;
    for (; started < 2; started++)
        if (pthread_create(&th[started], NULL, recover_thread, &r[started]) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    return started == 2 ? (r[0].rate + r[1].rate) / 2 : 0;
}

struct bench_rec_sampler {
    const signed_digest *sigs;
    size_t n;
    unsigned every_ms, burst_ms;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    pthread_t thread;
    uint64_t recovered, cpu_ns;
    unsigned bursts;
    int failures;
};

/* Waits ms, or less when told to stop. Returns true when told to stop. */
static bool sampler_wait(bench_rec_sampler *s, unsigned ms)
{
    struct timespec ts;
    plasma_deadline_us(&ts, (uint64_t)ms * 1000u);
    pthread_mutex_lock(&s->mu);
    while (!s->stop && pthread_cond_timedwait(&s->cv, &s->mu, &ts) == 0) {
    }
    bool stop = s->stop;
    pthread_mutex_unlock(&s->mu);
    return stop;
}

/* One burst, on the next core in turn: the host may slow one core and not
 * the other. */
static void sampler_burst(bench_rec_sampler *s, rec_ctx *r, long cpus)
{
    uint64_t burst_ns = (uint64_t)s->burst_ms * 1000000u;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET((int)(s->bursts % (unsigned)(cpus > 0 ? cpus : 1)), &one);
    pthread_setaffinity_np(pthread_self(), sizeof one, &one);
    uint64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID), t = t0, k = 0;
    while (t - t0 < burst_ns) {
        for (int i = 0; i < 8; i++)
            one_recover(r);
        k += 8;
        t = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    }
    s->recovered += k;
    s->cpu_ns += t - t0;
    s->bursts++;
}

/* A burst every every_ms, and one at the end if the work was shorter. */
static void *sampler_main(void *arg)
{
    bench_rec_sampler *s = arg;
    rec_ctx r = {.ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE), .sigs = s->sigs, .n = s->n};
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    while (r.ctx && !sampler_wait(s, s->every_ms))
        sampler_burst(s, &r, cpus);
    if (r.ctx && s->bursts == 0)
        sampler_burst(s, &r, cpus);
    s->failures = r.ctx ? r.failures : 1;
    if (r.ctx)
        secp256k1_context_destroy(r.ctx);
    return NULL;
}

bench_rec_sampler *bench_rec_sampler_start(const signed_digest *sigs, size_t n, unsigned every_ms,
                                           unsigned burst_ms)
{
    bench_rec_sampler *s = calloc(1, sizeof *s);
    if (!s || n == 0)
        return free(s), NULL;
    *s = (bench_rec_sampler){.sigs = sigs, .n = n, .every_ms = every_ms, .burst_ms = burst_ms};
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (pthread_create(&s->thread, NULL, sampler_main, s) != 0) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        free(s);
        return NULL;
    }
    return s;
}

double bench_rec_sampler_stop(bench_rec_sampler *s, unsigned *bursts)
{
    if (!s)
        return 0;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    double rate = s->cpu_ns && !s->failures ? (double)s->recovered * 1e9 / (double)s->cpu_ns : 0;
    if (bursts)
        *bursts = s->bursts;
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
    return rate;
}
