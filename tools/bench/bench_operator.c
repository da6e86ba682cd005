/* plasma-bench operator: end-to-end throughput of the operator.
 *
 * Starts an operator in-process on a temporary data directory (its root
 * chain unreachable: only the operator is measured), gives it one deposit
 * per transaction, pre-signs 1-input-2-output payments
 * and submits them over HTTP through POST /v1/transactions/batch on several
 * connections. Blocks are sealed when full (65 536 txs) and persisted while
 * the load runs; one more connection submits single transactions to measure
 * their latency under that load. Prints one JSON object:
 *
 *   accepted_tps            durable acks per second, counted once the blocks
 *                           holding them are sealed
 *   recover_per_core_per_s  secp256k1_ecdsa_recover on one core, same run,
 *                           over the run's own signatures in turn (each
 *                           payment's signature and digest, as the operator
 *                           meets them): the mean of a measurement just
 *                           before the load and one just after it
 *                           (recover_before/_after), as the machine's speed
 *                           drifts when it is shared
 *   ratio                   accepted_tps / (2 × recover_per_core_per_s)
 *   recover_same_sig_per_core_per_s, ratio_same_sig
 *                           the rate recovering one signature again and
 *                           again (its table entries stay in the L1 cache:
 *                           faster than any real stream of signatures), and
 *                           the ratio against it
 *   recover_2threads_per_core_per_s, ratio_2threads
 *                           the same with both cores recovering at once
 *                           (one thread each, after the load): the ceiling
 *                           the two cores give together when both are busy
 *   seal_65536_ms           mean time to seal a full block (fee txs, Merkle
 *                           root, synced write)
 *   single_p50_ms, single_p99_ms   latency of single submits under load
 *   cpu_cores_used, cpu_us_per_tx  CPU of the whole process (client included)
 *                           during the load: what the figures cost when the
 *                           machine is shared
 *   rss_mb                  with --rss N,M: process RSS holding N, M UTXOs
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "plasma/core.h"
#include "plasma/operator.h"

typedef struct bench_args {
    size_t txs;
    unsigned conns;
    unsigned batch;
    unsigned senders;
    size_t singles;
    bool verify_cached;
    bool rss_only;
    char rss[128];
} bench_args;

typedef struct node {
    char dir[64];
    char url[64];
    plasma_operator *op;
} node;

/* --- helpers --- */

static int node_start(node *n, const bench_args *a)
{
    snprintf(n->dir, sizeof n->dir, "/tmp/plasma-bench-op-XXXXXX");
    if (!mkdtemp(n->dir))
        return -1;
    char port[16], data[96];
    uint16_t p = bench_free_port();
    snprintf(port, sizeof port, "%u", p);
    snprintf(data, sizeof data, "%s/ledger", n->dir);
    snprintf(n->url, sizeof n->url, "http://127.0.0.1:%u", p);
    /* The root chain is left unreachable: deposits are fed to the ledger
     * directly, and sealed blocks simply wait for a chain. */
    plasma_privkey key;
    char key_hex[67];
    if (plasma_privkey_generate(&key) != 0)
        return -1;
    plasma_hex_encode(key_hex, key.b, sizeof key.b);
    plasma_wipe(&key, sizeof key);
    char *argv[] = {"operator",
                    "--rootchain",
                    "sim",
                    "--rpc",
                    "http://127.0.0.1:9",
                    "--operator-key",
                    key_hex,
                    "--min-fee",
                    "0",
                    "--port",
                    port,
                    "--data-dir",
                    data,
                    "--seal-interval-ms",
                    "0",
                    "--log-level",
                    "error",
                    "--max-unsubmitted-blocks",
                    "100000",
                    "--max-batch",
                    "65536",
                    a->verify_cached ? "--sig-verify-cached=true" : "--sig-verify-cached=false",
                    "--max-conns",
                    "64",
                    NULL};
    int argc = (int)(sizeof argv / sizeof argv[0]) - 1;
    plasma_operator_config cfg;
    char err[256];
    if (plasma_operator_config_parse(&cfg, argc, argv, stderr, err, sizeof err) != 0 ||
        plasma_operator_start(&n->op, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "bench operator: cannot start the operator: %s\n", err);
        return -1;
    }
    return 0;
}

static void node_stop(node *n)
{
    plasma_operator_free(n->op);
    n->op = NULL;
    bench_rm_tree(n->dir);
}

/* Deposit i lives in deposit block blknum_of(i): the numbers between child
 * blocks, never a multiple of 1000. */
static uint64_t deposit_blknum(size_t i)
{
    return (uint64_t)(i / 999) * 1000 + i % 999 + 1;
}

static int add_deposits(plasma_ledger *l, const plasma_addr *owners, unsigned n_owners, size_t n)
{
    enum { CHUNK = 20000 };
    plasma_deposit *d = calloc(CHUNK, sizeof *d);
    if (!d)
        return -1;
    int rc = 0;
    for (size_t base = 0; base < n && rc == 0; base += CHUNK) {
        size_t m = n - base < CHUNK ? n - base : CHUNK;
        for (size_t k = 0; k < m; k++)
            d[k] = (plasma_deposit){deposit_blknum(base + k),
                                    owners[(base + k) % n_owners],
                                    {{0}},
                                    plasma_u256_from_u64(1000000),
                                    1};
        rc = plasma_ledger_follow(l, d, m, NULL, 0, "bench", base + m);
    }
    free(d);
    return rc;
}

/* --- pre-signed payments --- */

typedef struct signer_job {
    const bench_args *a;
    const plasma_privkey *keys;
    const plasma_addr *addrs;
    char **hex;          /* hex[i]: "0x..." of tx i */
    signed_digest *sigs; /* sigs[i]: tx i's signature and EIP-712 digest */
    size_t from;
    size_t step;
    int failed;
} signer_job;

static void *sign_range(void *arg)
{
    signer_job *j = arg;
    plasma_domain d;
    plasma_domain_dev(&d);
    for (size_t i = j->from; i < j->a->txs && !j->failed; i += j->step) {
        unsigned s = (unsigned)(i % j->a->senders);
        plasma_tx tx;
        memset(&tx, 0, sizeof tx);
        tx.tx_type = PLASMA_TX_PAYMENT;
        tx.n_inputs = 1;
        tx.inputs[0] = plasma_utxo_pos(deposit_blknum(i), 0, 0);
        tx.n_outputs = 2;
        tx.outputs[0] =
            (plasma_output){j->addrs[(s + 1) % j->a->senders], {{0}}, plasma_u256_from_u64(600000)};
        tx.outputs[1] = (plasma_output){j->addrs[s], {{0}}, plasma_u256_from_u64(400000)};
        plasma_buf b = {0};
        if (plasma_tx_sign_input(&tx, &d, 0, &j->keys[s]) != 0 || plasma_tx_encode_signed(&b, &tx) != 0 ||
            !(j->hex[i] = malloc(2 * b.len + 3)))
            j->failed = 1;
        else
            plasma_hex_encode(j->hex[i], b.data, b.len);
        j->sigs[i].sig = tx.sigs[0];
        plasma_eip712_digest(&j->sigs[i].digest, &d, &tx);
        plasma_buf_free(&b);
    }
    return NULL;
}

static char **presign(const bench_args *a, const plasma_privkey *keys, const plasma_addr *addrs,
                      signed_digest *sigs)
{
    char **hex = calloc(a->txs, sizeof *hex);
    enum { THREADS = 4 };
    signer_job jobs[THREADS];
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS && hex; t++) {
        jobs[t] = (signer_job){a, keys, addrs, hex, sigs, (size_t)t, THREADS, 0};
        pthread_create(&th[t], NULL, sign_range, &jobs[t]);
    }
    int failed = !hex;
    for (int t = 0; t < THREADS && hex; t++) {
        pthread_join(th[t], NULL);
        failed |= jobs[t].failed;
    }
    if (failed && hex) {
        for (size_t i = 0; i < a->txs; i++)
            free(hex[i]);
        free(hex);
        hex = NULL;
    }
    return hex;
}

/* --- HTTP load --- */

typedef struct reply {
    char *data;
    size_t len;
} reply;

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    reply *r = arg;
    char *nd = realloc(r->data, r->len + size * n + 1);
    if (!nd)
        return 0;
    memcpy(nd + r->len, p, size * n);
    r->len += size * n;
    nd[r->len] = '\0';
    r->data = nd;
    return size * n;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

typedef struct load {
    const bench_args *a;
    const char *url;
    char **hex;
    char **bodies;      /* one per batch, built before the clock starts */
    size_t n_batch_txs; /* txs [0, n_batch_txs) go in batches, the rest single */
    atomic_size_t next_batch;
    atomic_size_t accepted;
    atomic_size_t rejected;
    atomic_int batch_done;
    double *lat_ms;
    size_t n_lat;
} load;

static CURL *client(const char *url, const char *path, struct curl_slist *hdr, reply *r)
{
    CURL *c = curl_easy_init();
    if (!c)
        return NULL;
    char full[128];
    snprintf(full, sizeof full, "%s%s", url, path);
    curl_easy_setopt(c, CURLOPT_URL, full);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    /* No signal handlers set and reset around every transfer (SIGPIPE is
     * ignored process-wide instead): a client's cost, not the operator's. */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    return c;
}

static char *batch_body(load *L, size_t from, size_t n)
{
    size_t len = 16;
    for (size_t i = 0; i < n; i++)
        len += strlen(L->hex[from + i]) + 3;
    char *body = malloc(len), *p = body;
    if (!body)
        return NULL;
    p += sprintf(p, "{\"txs\":[");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s\"%s\"", i ? "," : "", L->hex[from + i]);
    sprintf(p, "]}");
    return body;
}

static void *batch_worker(void *arg)
{
    load *L = arg;
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    /* No "Expect: 100-continue" round trip before each large body. */
    hdr = curl_slist_append(hdr, "Expect:");
    reply r = {0};
    CURL *c = client(L->url, "/v1/transactions/batch", hdr, &r);
    for (;;) {
        size_t b = atomic_fetch_add(&L->next_batch, 1), from = b * L->a->batch;
        if (!c || from >= L->n_batch_txs)
            break;
        size_t n = L->n_batch_txs - from < L->a->batch ? L->n_batch_txs - from : L->a->batch;
        char *body = L->bodies[b];
        r.len = 0;
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        if (body && curl_easy_perform(c) == CURLE_OK && r.data) {
            size_t ok = count(r.data, "\"txhash\"");
            atomic_fetch_add(&L->accepted, ok);
            atomic_fetch_add(&L->rejected, n - ok);
        } else {
            atomic_fetch_add(&L->rejected, n);
        }
    }
    curl_easy_cleanup(c);
    curl_slist_free_all(hdr);
    free(r.data);
    return NULL;
}

/* Sends single transactions one after another while the batches run. */
static void *single_worker(void *arg)
{
    load *L = arg;
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    reply r = {0};
    CURL *c = client(L->url, "/v1/transactions", hdr, &r);
    for (size_t i = L->n_batch_txs; c && i < L->a->txs && !atomic_load(&L->batch_done); i++) {
        char body[2048];
        snprintf(body, sizeof body, "{\"tx\":\"%s\"}", L->hex[i]);
        r.len = 0;
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        uint64_t t0 = bench_now_ns();
        bool ok = curl_easy_perform(c) == CURLE_OK && r.data && strstr(r.data, "\"txhash\"");
        double ms = (double)(bench_now_ns() - t0) / 1e6;
        if (ok) {
            L->lat_ms[L->n_lat++] = ms;
            atomic_fetch_add(&L->accepted, 1);
        } else {
            atomic_fetch_add(&L->rejected, 1);
        }
    }
    curl_easy_cleanup(c);
    curl_slist_free_all(hdr);
    free(r.data);
    return NULL;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double p)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_d);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

/* --- phases --- */

static int make_senders(const bench_args *a, plasma_privkey **keys, plasma_addr **addrs)
{
    *keys = calloc(a->senders, sizeof **keys);
    *addrs = calloc(a->senders, sizeof **addrs);
    if (!*keys || !*addrs)
        return -1;
    for (unsigned i = 0; i < a->senders; i++)
        if (plasma_privkey_generate(&(*keys)[i]) != 0 || plasma_privkey_addr(&(*addrs)[i], &(*keys)[i]) != 0)
            return -1;
    return 0;
}

static void run_load(load *L)
{
    pthread_t th[64], single;
    unsigned n = L->a->conns < 64 ? L->a->conns : 64;
    for (unsigned i = 0; i < n; i++)
        pthread_create(&th[i], NULL, batch_worker, L);
    pthread_create(&single, NULL, single_worker, L);
    for (unsigned i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    atomic_store(&L->batch_done, 1);
    pthread_join(single, NULL);
}

static json_t *throughput(const bench_args *a)
{
    plasma_privkey *keys = NULL;
    plasma_addr *addrs = NULL;
    node n = {0};
    char **hex = NULL;
    signed_digest *sigs = calloc(a->txs, sizeof *sigs);
    json_t *out = NULL;
    load L = {.a = a};
    if (!sigs)
        goto cleanup;
    if (make_senders(a, &keys, &addrs) != 0)
        goto cleanup;
    if (node_start(&n, a) != 0)
        goto cleanup;
    plasma_ledger *l = plasma_operator_ledger(n.op);
    if (add_deposits(l, addrs, a->senders, a->txs) != 0 || !(hex = presign(a, keys, addrs, sigs)))
        goto cleanup;
    L.url = n.url;
    L.hex = hex;
    L.n_batch_txs = a->txs - a->singles;
    L.lat_ms = calloc(a->singles + 1, sizeof *L.lat_ms);
    size_t n_bodies = (L.n_batch_txs + a->batch - 1) / a->batch;
    L.bodies = calloc(n_bodies + 1, sizeof *L.bodies);
    for (size_t b = 0; L.bodies && b < n_bodies; b++) {
        size_t from = b * a->batch;
        size_t m = L.n_batch_txs - from < a->batch ? L.n_batch_txs - from : a->batch;
        if (!(L.bodies[b] = batch_body(&L, from, m)))
            goto cleanup;
    }
    if (!L.bodies)
        goto cleanup;
    /* On the idle process, just before and just after the load. */
    double rec_same = bench_recover_rate(sigs, 1), rec_before = bench_recover_rate(sigs, a->txs);
    plasma_ledger_stats s0, s1;
    plasma_ledger_stats_get(l, &s0);
    uint64_t t0 = bench_now_ns();
    double cpu0 = bench_cpu_seconds();
    run_load(&L);
    plasma_ledger_stats_get(l, &s1);
    uint64_t blknum;
    plasma_ledger_seal(l, &blknum);
    double secs = (double)(bench_now_ns() - t0) / 1e9;
    double cpu = bench_cpu_seconds() - cpu0, cores = cpu / secs;
    size_t acc = atomic_load(&L.accepted);
    uint64_t full = s1.blocks_sealed - s0.blocks_sealed;
    double tps = (double)atomic_load(&L.accepted) / secs;
    /* After the database has closed: no compaction left running beside it. */
    node_stop(&n);
    n.op = NULL;
    double rec_after = bench_recover_rate(sigs, a->txs), rec = (rec_before + rec_after) / 2;
    double rec2 = bench_recover_rate_2threads(sigs, a->txs);
    out = json_pack(
        "{s:s,s:I,s:I,s:I,s:I,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:I,s:f,s:f,s:f,s:I,s:I,s:f,s:f}",
        "bench", "operator", "txs", (json_int_t)a->txs, "conns", (json_int_t)a->conns, "batch",
        (json_int_t)a->batch, "senders", (json_int_t)a->senders, "sig_mode",
        a->verify_cached ? "verify_cached" : "recover", "accepted_tps", tps, "recover_per_core_per_s", rec,
        "recover_before", rec_before, "recover_after", rec_after, "ratio", rec > 0 ? tps / (2 * rec) : 0.0,
        "recover_2threads_per_core_per_s", rec2, "ratio_2threads", rec2 > 0 ? tps / (2 * rec2) : 0.0,
        "recover_same_sig_per_core_per_s", rec_same, "ratio_same_sig",
        rec_same > 0 ? tps / (2 * rec_same) : 0.0, "full_blocks", (json_int_t)full, "seal_65536_ms",
        full ? (double)(s1.seal_ms_total - s0.seal_ms_total) / (double)full : 0.0, "single_p50_ms",
        pct(L.lat_ms, L.n_lat, 0.5), "single_p99_ms", pct(L.lat_ms, L.n_lat, 0.99), "accepted",
        (json_int_t)atomic_load(&L.accepted), "rejected", (json_int_t)atomic_load(&L.rejected),
        "cpu_cores_used", cores, "cpu_us_per_tx", acc ? cpu * 1e6 / (double)acc : 0.0);
cleanup:
    if (n.op)
        node_stop(&n);
    for (size_t i = 0; hex && i < a->txs; i++)
        free(hex[i]);
    free(hex);
    free(L.lat_ms);
    for (size_t b = 0; L.bodies && L.bodies[b]; b++)
        free(L.bodies[b]);
    free(L.bodies);
    free(keys);
    free(addrs);
    free(sigs);
    return out;
}

/* RSS of the process with n UTXOs in a fresh operator. */
static double rss_with(const bench_args *a, size_t n)
{
    node nd = {0};
    plasma_addr owner[16];
    for (int i = 0; i < 16; i++) {
        memset(owner[i].b, 0, sizeof owner[i].b);
        owner[i].b[0] = (uint8_t)(i + 1);
    }
    double mb = -1;
    if (node_start(&nd, a) == 0 && add_deposits(plasma_operator_ledger(nd.op), owner, 16, n) == 0)
        mb = bench_rss_mb();
    if (nd.op)
        node_stop(&nd);
    return mb;
}

static json_t *rss_figures(const bench_args *a)
{
    json_t *o = json_object();
    char list[128];
    snprintf(list, sizeof list, "%s", a->rss);
    char *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t n = strtoull(t, NULL, 10);
        if (n)
            json_object_set_new(o, t, json_real(rss_with(a, n)));
    }
    return o;
}

static int parse_args(bench_args *a, int argc, char **argv)
{
    *a = (bench_args){.txs = 200000, .conns = 4, .batch = 512, .senders = 256, .singles = 2000};
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--verify-cached") == 0 || strcmp(argv[i], "--rss-only") == 0) {
            *(strcmp(argv[i], "--rss-only") == 0 ? &a->rss_only : &a->verify_cached) = true;
            continue;
        }
        if (strcmp(argv[i], "--help") == 0) {
            printf(
                "usage: plasma-bench operator [--txs N] [--conns N] [--batch N] [--senders N]\n"
                "                            [--singles N] [--verify-cached] [--rss N,M,...] [--rss-only]\n"
                "Measures the operator end to end over HTTP (see the header of bench_operator.c).\n");
            return 0;
        }
        if (!v)
            return 2;
        if (strcmp(argv[i], "--txs") == 0)
            a->txs = strtoull(v, NULL, 10);
        else if (strcmp(argv[i], "--conns") == 0)
            a->conns = (unsigned)atoi(v);
        else if (strcmp(argv[i], "--batch") == 0)
            a->batch = (unsigned)atoi(v);
        else if (strcmp(argv[i], "--senders") == 0)
            a->senders = (unsigned)atoi(v);
        else if (strcmp(argv[i], "--singles") == 0)
            a->singles = strtoull(v, NULL, 10);
        else if (strcmp(argv[i], "--rss") == 0)
            snprintf(a->rss, sizeof a->rss, "%s", v);
        else
            return 2;
        i++;
    }
    if (a->txs < 1000 || !a->conns || !a->batch || !a->senders || a->singles >= a->txs)
        return 2;
    return 1;
}

int plasma_bench_operator(int argc, char **argv);

int plasma_bench_operator(int argc, char **argv)
{
    bench_args a;
    int st = parse_args(&a, argc, argv);
    if (st != 1) {
        if (st == 2)
            fprintf(stderr, "plasma-bench operator: bad arguments (try --help)\n");
        return st;
    }
    bench_daemon_process();
    json_t *out = a.rss_only ? json_pack("{s:s}", "bench", "operator") : throughput(&a);
    if (out && a.rss[0])
        json_object_set_new(out, "rss_mb", rss_figures(&a));
    curl_global_cleanup();
    if (!out) {
        fprintf(stderr, "plasma-bench operator: the run failed\n");
        return 1;
    }
    return bench_print(out);
}
