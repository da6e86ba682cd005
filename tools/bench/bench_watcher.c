/* plasma-bench watcher: a watcher following an operator at full load on
 * the same machine.
 *
 * The chain is made of pre-signed payment chains, so that no signing
 * competes with the load: 16 deposits fan out (1 → 4 outputs, four
 * levels) into --chains chain heads, and each chain then pays 1 wei to
 * another owner and its change to itself, step after step. Positions are
 * known in advance because one connection submits the batches in order
 * (the fan-out levels first, then one step of every chain per batch), so
 * the whole chain is signed on every core before the load, block by block
 * into files in the scratch directory (a long chain does not fit in
 * memory; the sender deletes each file once sent).
 *
 * Three processes: this one runs the operator (--dev, its root chain
 * embedded) and the load; two watchers run in processes forked before any
 * thread exists, each with its own data dir:
 *   follow   follows the operator during the load: its lag behind the
 *            operator's head (blocks confirmed on the root chain), sampled
 *            every 100 ms, and per block the seconds from its confirmation
 *            to its verification; whether the lag grew (the mean lag of the
 *            last third of the load against the first third); its peak RSS
 *   catchup  starts once the load is over, the follower done and the
 *            operator idle, on the chain's first --catchup-blocks blocks
 *            (default 40): verified_tps with the cores to itself, and the
 *            ratio verified_tps / (2 × the single-core recover rate), that
 *            rate sampled over the run's own signatures while the catch-up
 *            runs (20 ms of a thread's CPU time every second: the host's
 *            speed moves by a third within seconds, so a rate taken before
 *            and after, as `plasma-bench operator` does, is reported beside
 *            it as ratio_before_after, and the rate per core with both cores
 *            recovering at once as ratio_2threads); its peak RSS
 * With --chain-dir DIR the chain is kept in DIR (the operator's data dir,
 * the sampled signatures) and a later run of the same shape on DIR skips
 * straight to the catch-up watcher: one long chain made once, watchers
 * measured on it as often as wanted. Prints one JSON object. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "plasma/client.h"
#include "plasma/core.h"
#include "plasma/operator.h"

#define DEPOSITS 16u
#define LEVELS 4u
#define FANOUT_TXS (16u + 64u + 256u + 1024u)
#define HEADS (DEPOSITS << (2 * LEVELS)) /* 4096 chain heads */
#define OWNERS 64u
#define SAMPLE_SIGS 65536u
#define SAMPLE_EVERY_MS 1000u /* the recover rate during the catch-up: */
#define SAMPLE_BURST_MS 20u   /* 2 % of one core */
#define IDLE_CORES 0.05
#define IDLE_WAIT_S 600.0

typedef struct wb_args {
    unsigned blocks;
    unsigned block_txs;
    unsigned chains;
    unsigned catchup_blocks; /* at most this many (default 40); 0: all */
    size_t cache_mb;
    unsigned threads;
    bool no_follow;        /* only the catch-up watcher */
    const char *chain_dir; /* keep the chain there, or use the one made there before */
} wb_args;

typedef struct wb_chain {
    const wb_args *a;
    uint64_t txs;   /* in all */
    uint64_t steps; /* per chain */
    plasma_privkey dev[9];
    plasma_addr dev_addr[9];
    plasma_privkey keys[OWNERS];
    plasma_addr addrs[OWNERS];
    plasma_domain domain;
    uint64_t deposit_blknum[DEPOSITS];
    char dir[128];
} wb_chain;

/* --- the chain's shape --- */

static uint64_t pos_of(const wb_chain *ch, uint64_t g, uint32_t oindex)
{
    uint64_t t = ch->a->block_txs;
    return plasma_utxo_pos(1000 * (1 + g / t), (uint32_t)(g % t), oindex);
}

/* First tx of fan-out level l (1..4) in submission order, and its size. */
static uint64_t level_base(unsigned l)
{
    static const uint64_t base[] = {0, 0, 16, 80, 336};
    return base[l];
}

static uint64_t level_txs(unsigned l)
{
    return (uint64_t)DEPOSITS << (2 * (l - 1));
}

/* Each chain head holds `head` wei: enough for every step's 1 wei. */
static uint64_t head_amount(const wb_chain *ch)
{
    return ch->steps + 2;
}

/* Fan-out tx g (< FANOUT_TXS): level l tx p spends node p of level l - 1
 * (deposit p for level 1) and makes nodes 4p .. 4p + 3 of level l. */
static void fanout_tx(const wb_chain *ch, uint64_t g, plasma_tx *tx, const plasma_privkey **key)
{
    unsigned l = 1;
    while (l < LEVELS && g >= level_base(l + 1))
        l++;
    uint64_t p = g - level_base(l), each = head_amount(ch) << (2 * (LEVELS - l));
    memset(tx, 0, sizeof *tx);
    tx->tx_type = PLASMA_TX_PAYMENT;
    tx->n_inputs = 1;
    tx->n_outputs = 4;
    if (l == 1) {
        tx->inputs[0] = plasma_utxo_pos(ch->deposit_blknum[p], 0, 0);
        *key = &ch->dev[1 + p % 8];
    } else {
        tx->inputs[0] = pos_of(ch, level_base(l - 1) + p / 4, (uint32_t)(p % 4));
        *key = &ch->keys[p % OWNERS];
    }
    for (unsigned k = 0; k < 4; k++)
        tx->outputs[k] = (plasma_output){ch->addrs[(4 * p + k) % OWNERS], {{0}}, plasma_u256_from_u64(each)};
}

/* Chain tx g ≥ FANOUT_TXS: step k of chain c pays 1 wei on and keeps the
 * change (output 1), which step k + 1 spends. */
static void chain_tx(const wb_chain *ch, uint64_t g, plasma_tx *tx, const plasma_privkey **key)
{
    uint64_t i = g - FANOUT_TXS, c = i % ch->a->chains, k = i / ch->a->chains;
    memset(tx, 0, sizeof *tx);
    tx->tx_type = PLASMA_TX_PAYMENT;
    tx->n_inputs = 1;
    tx->n_outputs = 2;
    tx->inputs[0] =
        k == 0 ? pos_of(ch, level_base(LEVELS) + c / 4, (uint32_t)(c % 4)) : pos_of(ch, g - ch->a->chains, 1);
    tx->outputs[0] = (plasma_output){ch->addrs[(c + 1) % OWNERS], {{0}}, plasma_u256_from_u64(1)};
    tx->outputs[1] =
        (plasma_output){ch->addrs[c % OWNERS], {{0}}, plasma_u256_from_u64(head_amount(ch) - k - 1)};
    *key = &ch->keys[c % OWNERS];
}

/* --- signing, block by block, on every core --- */

#define SLOT 512 /* bytes a signed tx may take in the signing buffer */

typedef struct sign_job {
    const wb_chain *ch;
    uint64_t first, n; /* txs of the block */
    uint8_t *slots;    /* n × SLOT: length (2 bytes) then the tx */
    signed_digest *sample;
    unsigned from, step;
    int failed;
} sign_job;

static void *sign_part(void *arg)
{
    sign_job *j = arg;
    for (uint64_t i = j->from; i < j->n && !j->failed; i += j->step) {
        uint64_t g = j->first + i;
        plasma_tx tx;
        const plasma_privkey *key;
        plasma_buf b = {0};
        if (g < FANOUT_TXS)
            fanout_tx(j->ch, g, &tx, &key);
        else
            chain_tx(j->ch, g, &tx, &key);
        if (plasma_tx_sign_input(&tx, &j->ch->domain, 0, key) != 0 || plasma_tx_encode_signed(&b, &tx) != 0 ||
            b.len > SLOT - 2) {
            j->failed = 1;
        } else {
            uint8_t *s = j->slots + i * SLOT;
            s[0] = (uint8_t)(b.len >> 8);
            s[1] = (uint8_t)b.len;
            memcpy(s + 2, b.data, b.len);
        }
        if (g < SAMPLE_SIGS) {
            j->sample[g].sig = tx.sigs[0];
            plasma_eip712_digest(&j->sample[g].digest, &j->ch->domain, &tx);
        }
        plasma_buf_free(&b);
    }
    return NULL;
}

static void block_file(char *path, size_t len, const wb_chain *ch, uint64_t b)
{
    snprintf(path, len, "%s/block-%llu.txs", ch->dir, (unsigned long long)b);
}

/* A progress line on stderr at most every 30 s: a long chain takes
 * hours to make and follow. *last_ns holds when the previous one was
 * written (0: none yet). */
static void progress(uint64_t *last_ns, const char *what, uint64_t done, uint64_t total, const char *unit)
{
    uint64_t now = bench_now_ns();
    if (*last_ns && now - *last_ns < 30000000000ull)
        return;
    if (!*last_ns) {
        *last_ns = now;
        return;
    }
    *last_ns = now;
    fprintf(stderr, "plasma-bench watcher: %s: %llu of %llu %s\n", what, (unsigned long long)done,
            (unsigned long long)total, unit);
}

/* Signs block b's txs on every core and writes them to its file (a
 * 2-byte length, then the tx, for each). */
static int sign_block(const wb_chain *ch, uint64_t b, uint8_t *slots, signed_digest *sample, unsigned cores)
{
    uint64_t first = b * ch->a->block_txs,
             n = ch->txs - first < ch->a->block_txs ? ch->txs - first : ch->a->block_txs;
    sign_job jobs[64];
    pthread_t th[64];
    char path[256];
    int failed = 0;
    for (unsigned t = 0; t < cores; t++) {
        jobs[t] = (sign_job){ch, first, n, slots, sample, t, cores, 0};
        if (pthread_create(&th[t], NULL, sign_part, &jobs[t]) != 0)
            return -1;
    }
    for (unsigned t = 0; t < cores; t++) {
        pthread_join(th[t], NULL);
        failed |= jobs[t].failed;
    }
    block_file(path, sizeof path, ch, b);
    FILE *f = fopen(path, "wb");
    for (uint64_t i = 0; f && i < n && !failed; i++) {
        const uint8_t *s = slots + i * SLOT;
        failed |= fwrite(s, 1, 2 + ((size_t)s[0] << 8 | s[1]), f) == 0;
    }
    if (!f || fclose(f) != 0)
        failed = 1;
    return failed ? -1 : 0;
}

static int sign_all(const wb_chain *ch, signed_digest *sample, unsigned cores)
{
    uint8_t *slots = malloc((size_t)ch->a->block_txs * SLOT);
    int rc = slots ? 0 : -1;
    uint64_t shown = 0;
    for (uint64_t b = 0; rc == 0 && b < ch->a->blocks; b++) {
        progress(&shown, "signing", b, ch->a->blocks, "blocks");
        rc = sign_block(ch, b, slots, sample, cores);
    }
    free(slots);
    return rc;
}

/* --- the load: one connection, the batches in order --- */

typedef struct reader {
    const wb_chain *ch;
    uint64_t block; /* file being read */
    FILE *f;
} reader;

/* The next signed tx into buf (replacing it). Returns 0 or -1. */
static int read_tx(reader *r, plasma_buf *buf)
{
    uint8_t len[2];
    char path[256];
    while (!r->f || fread(len, 1, 2, r->f) != 2) {
        if (r->f) {
            fclose(r->f);
            block_file(path, sizeof path, r->ch, r->block++);
            remove(path); /* sent: a long chain cannot keep them all */
        }
        block_file(path, sizeof path, r->ch, r->block);
        if (!(r->f = fopen(path, "rb")))
            return -1;
    }
    buf->len = 0;
    size_t n = (size_t)len[0] << 8 | len[1];
    if (plasma_buf_reserve(buf, n) != 0 || fread(buf->data, 1, n, r->f) != n)
        return -1;
    buf->len = n;
    return 0;
}

typedef struct batch {
    plasma_buf bytes;
    size_t offs[8193];
    size_t n;
} batch;

static int read_batch(reader *r, batch *b, size_t n)
{
    plasma_buf one = {0};
    int rc = 0;
    b->bytes.len = 0;
    b->n = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if ((rc = read_tx(r, &one)) == 0 && (rc = plasma_buf_append(&b->bytes, one.data, one.len)) == 0)
            b->offs[++b->n] = b->bytes.len;
    }
    plasma_buf_free(&one);
    return rc;
}

/* {"txs": ["0x…", …]} of b's txs from the first on. */
static char *batch_body(const batch *b, size_t first)
{
    size_t len = 16 + 5 * (b->n - first) + 2 * (b->offs[b->n] - b->offs[first]);
    char *body = malloc(len), *p = body;
    if (!body)
        return NULL;
    p += sprintf(p, "{\"txs\":[");
    for (size_t i = first; i < b->n; i++) {
        if (i > first)
            *p++ = ',';
        *p++ = '"';
        plasma_hex_encode(p, b->bytes.data + b->offs[i], b->offs[i + 1] - b->offs[i]);
        p += strlen(p);
        *p++ = '"';
    }
    strcpy(p, "]}");
    return body;
}

static size_t on_reply(char *p, size_t size, size_t n, void *arg)
{
    return plasma_buf_append(arg, (const uint8_t *)p, size * n) == 0 ? size * n : 0;
}

/* Posts b from its tx `first` on. Out: *accepted, the leading accepted
 * ones. Returns 0 when all were, 1 when the rest met block_full (retry),
 * -1 on any other answer. */
static int post_batch(CURL *c, const batch *b, size_t first, size_t *accepted)
{
    plasma_buf reply = {0};
    char *body = batch_body(b, first);
    int rc = -1;
    *accepted = 0;
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    if (body && curl_easy_perform(c) == CURLE_OK) {
        json_t *j = json_loadb((const char *)reply.data, reply.len, 0, NULL),
               *res = json_object_get(j, "results");
        size_t i = 0;
        while (i < json_array_size(res) && json_object_get(json_array_get(res, i), "txhash"))
            i++;
        const char *code =
            json_string_value(json_object_get(json_object_get(json_array_get(res, i), "error"), "code"));
        *accepted = i;
        rc = i == b->n - first ? 0 : code && strcmp(code, "block_full") == 0 ? 1 : -1;
        if (rc < 0)
            fprintf(stderr, "plasma-bench watcher: tx %zu of a batch refused: %s\n", first + i,
                    code ? code : "no answer");
        json_decref(j);
    }
    free(body);
    plasma_buf_free(&reply);
    return rc;
}

/* The batches: the fan-out levels, then one step of every chain each. */
static size_t next_batch_size(const wb_chain *ch, uint64_t g)
{
    size_t n;
    if (g < FANOUT_TXS) {
        unsigned l = 1;
        while (l < LEVELS && g >= level_base(l + 1))
            l++;
        n = level_txs(l);
    } else {
        n = ch->a->chains;
    }
    return ch->txs - g < n ? (size_t)(ch->txs - g) : n;
}

static int send_all(const wb_chain *ch, const char *url, atomic_uint_fast64_t *accepted)
{
    reader r = {.ch = ch};
    batch *b = calloc(1, sizeof *b);
    char full[256];
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "Expect:");
    CURL *c = curl_easy_init();
    int rc = b && c ? 0 : -1;
    snprintf(full, sizeof full, "%s/v1/transactions/batch", url);
    if (c) {
        curl_easy_setopt(c, CURLOPT_URL, full);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_reply);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    }
    for (uint64_t g = 0; rc == 0 && g < ch->txs; g += b->n) {
        if ((rc = read_batch(&r, b, next_batch_size(ch, g))) != 0)
            break;
        size_t first = 0, ok = 0;
        while ((rc = post_batch(c, b, first, &ok)) == 1) {
            first += ok;
            atomic_fetch_add(accepted, ok);
            usleep(20000); /* blocks wait for the root chain: retry */
        }
        atomic_fetch_add(accepted, ok);
    }
    if (r.f) {
        char path[256];
        fclose(r.f);
        block_file(path, sizeof path, ch, r.block);
        remove(path);
    }
    if (b)
        plasma_buf_free(&b->bytes);
    free(b);
    curl_easy_cleanup(c);
    curl_slist_free_all(hdr);
    return rc;
}

/* --- the watchers, each in a process of its own --- */

/* The parent's end of a watcher process: commands down, progress up:
 *   down  "go URL LAST\n" (LAST: the process ends once it verified that
 *         block; 0: when told to stop), "stop\n"
 *   up    "S t_ns\n" (started), "B blknum txs t_ns\n" per block verified,
 *         "R peak_rss_mb cpu_s\n" at the end */
typedef struct wproc {
    pid_t pid;
    int cmd;
    FILE *up;
} wproc;

typedef struct child_ctx {
    FILE *up;
    uint64_t last;
} child_ctx;

static void child_end(FILE *up)
{
    fprintf(up, "R %.1f %.2f\n", bench_peak_rss_mb(), bench_cpu_seconds());
    fclose(up);
    _exit(0);
}

/* A step verifies every block there is: a watcher given a last block ends
 * there, in the middle of its step, as a killed one would. */
static void on_block(void *payload, uint64_t blknum, size_t n_txs)
{
    child_ctx *c = payload;
    fprintf(c->up, "B %llu %zu %llu\n", (unsigned long long)blknum, n_txs,
            (unsigned long long)bench_now_ns());
    fflush(c->up);
    if (c->last && blknum >= c->last)
        child_end(c->up);
}

/* Whether "stop" came down cmd (waiting at most ms). */
static bool stop_asked(int cmd, int ms)
{
    struct pollfd p = {.fd = cmd, .events = POLLIN};
    char buf[64];
    return poll(&p, 1, ms) > 0 && (read(cmd, buf, sizeof buf) <= 0 || strncmp(buf, "stop", 4) == 0);
}

static int child_follow(const wb_args *a, const char *url, uint64_t last, const char *dir, int cmd, FILE *up)
{
    plasma_client *c = NULL;
    plasma_watcher *w = NULL;
    child_ctx ctx = {up, last};
    int rc = plasma_client_new(&c, url, NULL);
    if (rc == 0 && (rc = plasma_watcher_new(&w, c, NULL, 3600 * 1000, NULL, NULL)) == 0) {
        plasma_watcher_set_cache_mb(w, a->cache_mb);
        plasma_watcher_set_threads(w, a->threads);
        plasma_watcher_set_progress(w, on_block, &ctx);
        rc = plasma_watcher_set_data_dir(w, dir);
    }
    if (rc)
        fprintf(stderr, "plasma-bench watcher: cannot start a watcher: %s\n",
                c ? plasma_client_errmsg(c) : "");
    fprintf(up, "S %llu\n", (unsigned long long)bench_now_ns());
    fflush(up);
    while (rc == 0 && !stop_asked(cmd, 20))
        if (plasma_watcher_step(w) != 0)
            fprintf(stderr, "plasma-bench watcher: %s\n", plasma_client_errmsg(c));
    plasma_watcher_free(w);
    plasma_client_free(c);
    return rc;
}

static void child_main(const wb_args *a, const char *dir, int cmd, int up_fd, const char *name)
{
    FILE *up = fdopen(up_fd, "w");
    prctl(PR_SET_NAME, name); /* its threads inherit it: top and perf tell the watchers apart */
    char line[256] = "";
    ssize_t n = read(cmd, line, sizeof line - 1);
    if (up && n > 3 && strncmp(line, "go ", 3) == 0) {
        line[n] = '\0';
        line[strcspn(line, "\n")] = '\0';
        char *space = strchr(line + 3, ' ');
        uint64_t last = space ? strtoull(space + 1, NULL, 10) : 0;
        if (space)
            *space = '\0';
        child_follow(a, line + 3, last, dir, cmd, up);
    }
    if (up)
        child_end(up);
    _exit(0);
}

/* Forks a watcher process (before the parent has any thread). */
static int wproc_fork(wproc *p, const wb_args *a, const char *dir, const char *name)
{
    int down[2], up[2];
    if (pipe(down) != 0 || pipe(up) != 0)
        return -1;
    p->pid = fork();
    if (p->pid < 0)
        return -1;
    if (p->pid == 0) {
        close(down[1]);
        close(up[0]);
        child_main(a, dir, down[0], up[1], name);
    }
    close(down[0]);
    close(up[1]);
    p->cmd = down[1];
    p->up = fdopen(up[0], "r");
    return p->up ? 0 : -1;
}

/* A process that ended at its last block has closed its end: EPIPE. */
static void wproc_send(wproc *p, const char *msg)
{
    if (p->cmd >= 0 && write(p->cmd, msg, strlen(msg)) < 0 && errno != EPIPE)
        perror("plasma-bench watcher");
}

/* Ends a watcher process that was never told to go. */
static void wproc_end(wproc *p)
{
    if (p->pid <= 0)
        return;
    if (p->cmd >= 0)
        close(p->cmd);
    p->cmd = -1;
    if (p->up)
        fclose(p->up);
    p->up = NULL;
    waitpid(p->pid, NULL, 0);
    p->pid = 0;
}

/* What the parent learns of a watcher process. */
typedef struct wstats {
    uint64_t started_ns;
    uint64_t *verified_ns; /* by block index (blknum / 1000 - 1) */
    size_t n_blocks;
    uint64_t last_blknum;
    uint64_t blocks, txs;
    uint64_t last_ns;
    double peak_rss_mb, cpu_s;
    bool ended;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} wstats;

typedef struct wreader {
    wproc *p;
    wstats *s;
} wreader;

static void *read_progress(void *arg)
{
    wreader *r = arg;
    wstats *s = r->s;
    char line[256];
    while (fgets(line, sizeof line, r->p->up)) {
        unsigned long long a = 0, b = 0, c = 0;
        double x = 0, y = 0;
        pthread_mutex_lock(&s->mu);
        if (sscanf(line, "B %llu %llu %llu", &a, &b, &c) == 3) {
            if (a / 1000 >= 1 && a / 1000 <= s->n_blocks)
                s->verified_ns[a / 1000 - 1] = c;
            s->last_blknum = a;
            s->blocks++;
            s->txs += b;
            s->last_ns = c;
        } else if (sscanf(line, "S %llu", &a) == 1) {
            s->started_ns = a;
        } else if (sscanf(line, "R %lf %lf", &x, &y) == 2) {
            s->peak_rss_mb = x;
            s->cpu_s = y;
        }
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
    }
    pthread_mutex_lock(&s->mu);
    s->ended = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* Waits until the watcher verified blknum (or ended, or timeout_s passed). */
/* How long a watcher may take to verify blocks full blocks: an hour, or
 * 20 s a block (ten times this machine's pace) on a longer chain. */
static double verify_timeout_s(uint64_t blocks)
{
    return blocks * 20.0 > 3600 ? blocks * 20.0 : 3600;
}

static bool wait_verified(wstats *s, const char *name, uint64_t blknum, double timeout_s)
{
    uint64_t deadline = bench_now_ns() + (uint64_t)(timeout_s * 1e9), shown = 0;
    bool ok;
    pthread_mutex_lock(&s->mu);
    while (s->last_blknum < blknum && !s->ended && bench_now_ns() < deadline) {
        progress(&shown, name, s->last_blknum / 1000, blknum / 1000, "blocks verified");
        struct timespec ts;
        plasma_deadline_us(&ts, 200000);
        pthread_cond_timedwait(&s->cv, &s->mu, &ts);
    }
    ok = s->last_blknum >= blknum;
    pthread_mutex_unlock(&s->mu);
    return ok;
}

/* Stops a running watcher process and waits for its last words. */
static void wproc_stop(wproc *p, pthread_t progress)
{
    wproc_send(p, "stop\n");
    pthread_join(progress, NULL);
    wproc_end(p);
}

/* --- lag while the load runs --- */

typedef struct monitor {
    plasma_ledger *ledger;
    wstats *follow; /* NULL: no follower */
    atomic_bool stop;
    uint64_t *confirmed_ns; /* by block index: when the root chain was seen to hold it */
    size_t n_blocks;
    uint64_t *sample_ns; /* lag samples, every 100 ms */
    double *sample_lag;
    size_t n_samples, cap_samples;
} monitor;

static void *monitor_main(void *arg)
{
    monitor *m = arg;
    uint64_t shown = 0;
    while (!atomic_load(&m->stop)) {
        plasma_ledger_status st;
        uint64_t now = bench_now_ns(), verified = 0;
        plasma_ledger_status_get(m->ledger, &st);
        progress(&shown, "load", st.last_submitted / 1000, m->n_blocks, "blocks on the root chain");
        for (uint64_t i = 0; i < m->n_blocks && (i + 1) * 1000 <= st.last_submitted; i++)
            if (!m->confirmed_ns[i])
                m->confirmed_ns[i] = now;
        if (m->follow) {
            pthread_mutex_lock(&m->follow->mu);
            verified = m->follow->last_blknum;
            pthread_mutex_unlock(&m->follow->mu);
        }
        if (m->follow && st.last_submitted && m->n_samples < m->cap_samples) {
            m->sample_ns[m->n_samples] = now;
            m->sample_lag[m->n_samples++] =
                st.last_submitted > verified ? (double)(st.last_submitted - verified) / 1000 : 0;
        }
        usleep(100000);
    }
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(const double *v, size_t n, double p)
{
    if (!n)
        return 0;
    double *s = malloc(n * sizeof *s);
    if (!s)
        return 0;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double r = s[(size_t)(p * (double)(n - 1) + 0.5)];
    free(s);
    return r;
}

/* The mean lag of the samples taken between t0 and t1. */
static double mean_lag(const monitor *m, uint64_t t0, uint64_t t1)
{
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < m->n_samples; i++)
        if (m->sample_ns[i] >= t0 && m->sample_ns[i] < t1) {
            sum += m->sample_lag[i];
            n++;
        }
    return n ? sum / (double)n : 0;
}

/* --- the operator --- */

static int operator_start(plasma_operator **op, const wb_chain *ch, char *url, size_t url_len)
{
    char port[16], data[256], cap[16], err[256];
    snprintf(port, sizeof port, "%u", bench_free_port());
    snprintf(data, sizeof data, "%s/operator", ch->dir);
    snprintf(cap, sizeof cap, "%u", ch->a->block_txs);
    snprintf(url, url_len, "http://127.0.0.1:%s", port);
    char *argv[] = {"operator",
                    "--dev",
                    "--port",
                    port,
                    "--data-dir",
                    data,
                    "--seal-interval-ms",
                    "0",
                    "--block-capacity",
                    cap,
                    "--max-batch",
                    "8192",
                    "--max-body-kb",
                    "16384",
                    "--max-unsubmitted-blocks",
                    "100000",
                    "--rc-block-interval-ms",
                    "200",
                    "--poll-ms",
                    "50",
                    "--log-level",
                    "error",
                    NULL};
    plasma_operator_config cfg;
    if (plasma_operator_config_parse(&cfg, (int)(sizeof argv / sizeof argv[0]) - 1, argv, stderr, err,
                                     sizeof err) != 0 ||
        plasma_operator_start(op, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "plasma-bench watcher: cannot start the operator: %s\n", err);
        return -1;
    }
    return 0;
}

/* The 16 deposits the chain fans out from, once the operator has them. */
static int make_deposits(wb_chain *ch, const char *url)
{
    plasma_client *c = NULL;
    plasma_addr eth = {{0}};
    plasma_u256 amount = plasma_u256_from_u64(head_amount(ch) << (2 * LEVELS));
    int rc = plasma_client_new(&c, url, NULL);
    if (rc == 0)
        plasma_client_set_gas_price(c, 0);
    for (unsigned i = 0; rc == 0 && i < DEPOSITS; i++)
        rc = plasma_client_deposit(c, &ch->dev[1 + i % 8], &eth, &amount, &ch->deposit_blknum[i], NULL);
    for (int tries = 0; rc == 0; tries++) {
        plasma_client_utxo *u = NULL;
        size_t n = 0;
        bool seen = false;
        if ((rc = plasma_client_utxos(c, &ch->dev_addr[1 + (DEPOSITS - 1) % 8], &u, &n)) != 0)
            break;
        for (size_t i = 0; i < n; i++)
            seen = seen || u[i].utxo_pos == plasma_utxo_pos(ch->deposit_blknum[DEPOSITS - 1], 0, 0);
        free(u);
        if (seen)
            break;
        if (tries > 600) {
            rc = PLASMA_ERR_UNAVAILABLE;
            break;
        }
        usleep(50000);
    }
    if (rc)
        fprintf(stderr, "plasma-bench watcher: deposits: %s\n",
                c ? plasma_client_errmsg(c) : "out of memory");
    plasma_client_free(c);
    return rc;
}

/* Seals what is open and waits until the root chain holds every block. */
static int finish_chain(plasma_ledger *l, uint64_t last_blknum)
{
    uint64_t sealed = 0;
    plasma_ledger_seal(l, &sealed);
    for (int i = 0; i < 6000; i++) {
        plasma_ledger_status st;
        plasma_ledger_status_get(l, &st);
        if (st.last_submitted >= last_blknum)
            return 0;
        usleep(50000);
    }
    fprintf(stderr, "plasma-bench watcher: the root chain never got block %llu\n",
            (unsigned long long)last_blknum);
    return -1;
}

static uint64_t dir_bytes_total;

static int add_size(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)path;
    (void)ftw;
    if (flag == FTW_F)
        dir_bytes_total += (uint64_t)sb->st_size;
    return 0;
}

static double dir_mb(const char *dir)
{
    dir_bytes_total = 0;
    nftw(dir, add_size, 16, FTW_PHYS);
    return (double)dir_bytes_total / (1 << 20);
}

/* --- the run --- */

static void wstats_init(wstats *s, size_t n_blocks)
{
    memset(s, 0, sizeof *s);
    s->verified_ns = calloc(n_blocks ? n_blocks : 1, sizeof *s->verified_ns);
    s->n_blocks = n_blocks;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
}

static void wstats_free(wstats *s)
{
    free(s->verified_ns);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
}

static int chain_init(wb_chain *ch, const wb_args *a)
{
    memset(ch, 0, sizeof *ch);
    ch->a = a;
    ch->txs = (uint64_t)a->blocks * a->block_txs;
    ch->steps = (ch->txs - FANOUT_TXS + a->chains - 1) / a->chains;
    plasma_domain_dev(&ch->domain);
    for (unsigned i = 0; i < 9; i++)
        if (plasma_dev_key(&ch->dev[i], i) != 0 || plasma_dev_addr(&ch->dev_addr[i], i) != 0)
            return -1;
    for (unsigned i = 0; i < OWNERS; i++) {
        uint8_t seed[8] = {'w', 'b', 'e', 'n', 'c', 'h', 0, (uint8_t)i};
        plasma_hash h;
        plasma_keccak256(&h, seed, sizeof seed);
        memcpy(ch->keys[i].b, h.b, 32);
        if (plasma_privkey_addr(&ch->addrs[i], &ch->keys[i]) != 0)
            return -1;
    }
    if (a->chain_dir) {
        snprintf(ch->dir, sizeof ch->dir, "%s", a->chain_dir);
        return plasma_mkdir_parents(ch->dir) == 0 ? 0 : -1;
    }
    snprintf(ch->dir, sizeof ch->dir, "/tmp/plasma-bench-watcher-XXXXXX");
    return mkdtemp(ch->dir) ? 0 : -1;
}

/* --chain-dir: a chain made by an earlier run with the same shape is used
 * again (its operator's data dir and the signatures sampled for the
 * recover rate), and only the catch-up watcher runs. */
static void chain_file(char *path, size_t len, const wb_chain *ch, const char *name)
{
    snprintf(path, len, "%s/%s", ch->dir, name);
}

static bool chain_reusable(const wb_chain *ch)
{
    char path[256], want[128], got[128] = "";
    chain_file(path, sizeof path, ch, "chain.done");
    snprintf(want, sizeof want, "%u %u %u\n", ch->a->blocks, ch->a->block_txs, ch->a->chains);
    FILE *f = fopen(path, "r");
    if (f && !fgets(got, sizeof got, f))
        got[0] = '\0';
    if (f)
        fclose(f);
    return strcmp(got, want) == 0;
}

static int chain_save(const wb_chain *ch, const signed_digest *sample, size_t n)
{
    char path[256];
    chain_file(path, sizeof path, ch, "sample.bin");
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(sample, sizeof *sample, n, f) == n;
    if (f && fclose(f) != 0)
        ok = false;
    chain_file(path, sizeof path, ch, "chain.done");
    if (ok && (f = fopen(path, "w")) != NULL) {
        ok = fprintf(f, "%u %u %u\n", ch->a->blocks, ch->a->block_txs, ch->a->chains) > 0;
        ok = fclose(f) == 0 && ok;
    }
    return ok ? 0 : -1;
}

static size_t chain_load_sample(const wb_chain *ch, signed_digest *sample)
{
    char path[256];
    chain_file(path, sizeof path, ch, "sample.bin");
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(sample, sizeof *sample, SAMPLE_SIGS, f) : 0;
    if (f)
        fclose(f);
    return n;
}

/* Figures of the follower: lag in blocks (samples) and seconds (per block). */
static json_t *follow_figures(const monitor *m, const wstats *fs, uint64_t load0, uint64_t load1)
{
    double *secs = calloc(m->n_blocks + 1, sizeof *secs);
    size_t n = 0;
    for (size_t i = 0; secs && i < m->n_blocks; i++)
        if (m->confirmed_ns[i] && fs->verified_ns[i])
            secs[n++] = fs->verified_ns[i] > m->confirmed_ns[i]
                            ? (double)(fs->verified_ns[i] - m->confirmed_ns[i]) / 1e9
                            : 0;
    uint64_t third = (load1 - load0) / 3;
    double first = mean_lag(m, load0, load0 + third), last = mean_lag(m, load1 - third, load1);
    double span = fs->last_ns > load0 ? (double)(fs->last_ns - load0) / 1e9 : 0;
    json_t *o = json_pack("{s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:b,s:f,s:f,s:f}", "verified_tps",
                          span > 0 ? (double)fs->txs / span : 0.0, "lag_blocks_p50",
                          pct(m->sample_lag, m->n_samples, 0.5), "lag_blocks_p99",
                          pct(m->sample_lag, m->n_samples, 0.99), "lag_s_p50", pct(secs, n, 0.5), "lag_s_p99",
                          pct(secs, n, 0.99), "lag_blocks_first_third", first, "lag_blocks_last_third", last,
                          "lag_grew", last > first + 1.0, "catch_up_after_load_s",
                          fs->last_ns > load1 ? (double)(fs->last_ns - load1) / 1e9 : 0.0, "peak_rss_mb",
                          fs->peak_rss_mb, "cpu_s", fs->cpu_s);
    free(secs);
    return o;
}

/* cores_used (its CPU over its time) says how much of the machine the
 * watcher had: below 2 on a shared machine, where verified_tps is then a
 * floor; cpu_us_per_tx is its cost whatever it had. */
static json_t *catchup_figures(const wstats *cs)
{
    double span = cs->last_ns > cs->started_ns ? (double)(cs->last_ns - cs->started_ns) / 1e9 : 0;
    return json_pack("{s:I,s:I,s:f,s:f,s:f,s:f,s:f,s:f}", "blocks", (json_int_t)cs->blocks, "txs",
                     (json_int_t)cs->txs, "seconds", span, "verified_tps",
                     span > 0 ? (double)cs->txs / span : 0.0, "peak_rss_mb", cs->peak_rss_mb, "cpu_s",
                     cs->cpu_s, "cores_used", span > 0 ? cs->cpu_s / span : 0.0, "cpu_us_per_tx",
                     cs->txs ? cs->cpu_s * 1e6 / (double)cs->txs : 0.0);
}

/* A watcher process told to go, with its reader thread. */
static int wproc_go(wproc *p, wstats *s, pthread_t *progress, wreader *r, const char *url, uint64_t last)
{
    char msg[300];
    *r = (wreader){p, s};
    snprintf(msg, sizeof msg, "go %s %llu\n", url, (unsigned long long)last);
    wproc_send(p, msg);
    return pthread_create(progress, NULL, read_progress, r) == 0 ? 0 : -1;
}

/* Everything one run holds. */
typedef struct wb_run {
    const wb_args *a;
    wb_chain ch;
    wproc follow, catchup;
    wstats fs, cs;
    monitor m;
    plasma_operator *op;
    char url[64];
    signed_digest *sample;
    size_t n_sample;
    bool reused;
    double sign_s, rec_before, rec_during, idle_wait_s;
    unsigned rec_bursts;
    uint64_t load0, load1, accepted;
} wb_run;

/* The watcher processes, forked before this process has a thread. */
static int fork_watchers(wb_run *r)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/follow", r->ch.dir);
    bench_rm_tree(dir);
    if (!r->reused && !r->a->no_follow && wproc_fork(&r->follow, r->a, dir, "wb-follow") != 0)
        return -1;
    snprintf(dir, sizeof dir, "%s/catchup", r->ch.dir);
    bench_rm_tree(dir);
    return wproc_fork(&r->catchup, r->a, dir, "wb-catchup");
}

/* Deposits, signing, and the load with the follower following. */
static int make_chain(wb_run *r)
{
    const wb_args *a = r->a;
    pthread_t mon, fr;
    wreader fw;
    unsigned cores = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t last_blknum = 1000ull * a->blocks, t0 = bench_now_ns();
    if (make_deposits(&r->ch, r->url) != 0 || sign_all(&r->ch, r->sample, cores ? cores : 1) != 0)
        return -1;
    r->sign_s = (double)(bench_now_ns() - t0) / 1e9;
    r->rec_before = bench_recover_rate(r->sample, r->n_sample);
    r->m = (monitor){.ledger = plasma_operator_ledger(r->op),
                     .follow = a->no_follow ? NULL : &r->fs,
                     .n_blocks = a->blocks,
                     .cap_samples = 1u << 20};
    r->m.confirmed_ns = calloc(a->blocks, sizeof *r->m.confirmed_ns);
    r->m.sample_ns = calloc(r->m.cap_samples, sizeof *r->m.sample_ns);
    r->m.sample_lag = calloc(r->m.cap_samples, sizeof *r->m.sample_lag);
    if (!r->m.confirmed_ns || !r->m.sample_ns || !r->m.sample_lag ||
        (!a->no_follow && wproc_go(&r->follow, &r->fs, &fr, &fw, r->url, 0) != 0) ||
        pthread_create(&mon, NULL, monitor_main, &r->m) != 0)
        return -1;
    atomic_uint_fast64_t accepted = 0;
    r->load0 = bench_now_ns();
    int rc = send_all(&r->ch, r->url, &accepted);
    r->load1 = bench_now_ns();
    r->accepted = atomic_load(&accepted);
    if (rc == 0)
        rc = finish_chain(r->m.ledger, last_blknum);
    if (!a->no_follow && rc == 0 &&
        !wait_verified(&r->fs, "follower", last_blknum, verify_timeout_s(a->blocks)))
        fprintf(stderr, "plasma-bench watcher: the follower did not reach block %llu\n",
                (unsigned long long)last_blknum);
    atomic_store(&r->m.stop, true);
    pthread_join(mon, NULL);
    if (!a->no_follow)
        wproc_stop(&r->follow, fr);
    if (rc == 0 && a->chain_dir)
        rc = chain_save(&r->ch, r->sample, r->n_sample);
    return rc;
}

/* Waits until this process, the operator and its database's background
 * work, is idle (under IDLE_CORES over a second) or IDLE_WAIT_S have
 * passed. Returns the seconds waited. */
static double wait_operator_idle(void)
{
    uint64_t t0 = bench_now_ns(), shown = t0;
    double cpu = bench_cpu_seconds();
    for (;;) {
        plasma_sleep_ms(1000);
        double now_cpu = bench_cpu_seconds(), used = now_cpu - cpu,
               waited = (double)(bench_now_ns() - t0) / 1e9;
        cpu = now_cpu;
        if (used < IDLE_CORES || waited >= IDLE_WAIT_S)
            return waited;
        if (bench_now_ns() - shown >= 30000000000ull) {
            shown = bench_now_ns();
            fprintf(stderr, "plasma-bench watcher: waiting for the operator to go idle: %.0f s, %.2f cores\n",
                    waited, used);
        }
    }
}

/* The catch-up watcher, with the cores to itself once the operator is
 * idle, and the recover rate sampled while it runs. */
static int catch_up(wb_run *r, uint64_t blocks)
{
    pthread_t cr;
    wreader cw;
    r->idle_wait_s = wait_operator_idle();
    bench_rec_sampler *sampler =
        bench_rec_sampler_start(r->sample, r->n_sample, SAMPLE_EVERY_MS, SAMPLE_BURST_MS);
    if (!sampler || wproc_go(&r->catchup, &r->cs, &cr, &cw, r->url, 1000 * blocks) != 0) {
        bench_rec_sampler_stop(sampler, NULL);
        return -1;
    }
    bool ok = wait_verified(&r->cs, "catch-up watcher", 1000 * blocks, verify_timeout_s(blocks));
    r->rec_during = bench_rec_sampler_stop(sampler, &r->rec_bursts);
    wproc_stop(&r->catchup, cr);
    if (!ok)
        fprintf(stderr, "plasma-bench watcher: the catch-up watcher did not reach block %llu\n",
                (unsigned long long)(1000 * blocks));
    return ok ? 0 : -1;
}

static json_t *figures(wb_run *r, double dirs_mb)
{
    const wb_args *a = r->a;
    double rec_after = bench_recover_rate(r->sample, r->n_sample);
    double rec = (r->rec_before + rec_after) / 2;
    double rec2 = bench_recover_rate_2threads(r->sample, r->n_sample);
    double load_s = (double)(r->load1 - r->load0) / 1e9, tps = load_s > 0 ? (double)r->accepted / load_s : 0;
    double catch_tps = r->cs.last_ns > r->cs.started_ns
                           ? (double)r->cs.txs / ((double)(r->cs.last_ns - r->cs.started_ns) / 1e9)
                           : 0;
    /* 1,000 full blocks at this run's rates: signing, the load, and a
     * catch-up watcher over 40 blocks. */
    double full = 1000.0 * 65536, sign_per_tx = r->sign_s / (double)r->ch.txs;
    double projected =
        full * sign_per_tx + (tps > 0 ? full / tps : 0) + (catch_tps > 0 ? 40 * 65536 / catch_tps : 0);
    json_t *out =
        json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "bench",
                  "watcher", "blocks", (json_int_t)a->blocks, "block_txs", (json_int_t)a->block_txs, "txs",
                  (json_int_t)r->ch.txs, "chains", (json_int_t)a->chains, "cache_mb", (json_int_t)a->cache_mb,
                  "cores", (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "reused_chain", r->reused, "sign_s",
                  r->sign_s, "load_s", load_s, "operator_tps", tps, "recover_per_core_per_s", r->rec_during,
                  "recover_before", r->rec_before, "recover_after", rec_after, "verified_tps", catch_tps,
                  "ratio", r->rec_during > 0 ? catch_tps / (2 * r->rec_during) : 0.0,
                  "projected_s_1000x65536", r->reused ? 0.0 : projected, "data_dirs_mb", dirs_mb);
    if (out) {
        json_object_set_new(out, "recover_samples", json_integer(r->rec_bursts));
        json_object_set_new(out, "ratio_before_after", json_real(rec > 0 ? catch_tps / (2 * rec) : 0.0));
        json_object_set_new(out, "operator_idle_wait_s", json_real(r->idle_wait_s));
        json_object_set_new(out, "recover_2threads_per_core_per_s", json_real(rec2));
        json_object_set_new(out, "ratio_2threads", json_real(rec2 > 0 ? catch_tps / (2 * rec2) : 0.0));
    }
    if (out && !r->reused && !a->no_follow)
        json_object_set_new(out, "follow", follow_figures(&r->m, &r->fs, r->load0, r->load1));
    if (out)
        json_object_set_new(out, "catchup", catchup_figures(&r->cs));
    return out;
}

static json_t *run_bench(const wb_args *a)
{
    wb_run r = {.a = a, .follow = {.cmd = -1}, .catchup = {.cmd = -1}};
    json_t *out = NULL;
    uint64_t catch_blocks =
        a->catchup_blocks && a->catchup_blocks < a->blocks ? a->catchup_blocks : a->blocks;
    if (chain_init(&r.ch, a) != 0)
        return NULL;
    r.reused = a->chain_dir && chain_reusable(&r.ch);
    wstats_init(&r.fs, a->blocks);
    wstats_init(&r.cs, a->blocks);
    if (fork_watchers(&r) != 0)
        goto cleanup;
    /* The operator's process settings, not the watchers': they run with
     * the allocator's defaults, as `plasma watch` does. */
    bench_daemon_process();
    if (!(r.sample = calloc(SAMPLE_SIGS, sizeof *r.sample)) ||
        operator_start(&r.op, &r.ch, r.url, sizeof r.url) != 0)
        goto cleanup;
    r.n_sample =
        r.reused ? chain_load_sample(&r.ch, r.sample) : (r.ch.txs < SAMPLE_SIGS ? r.ch.txs : SAMPLE_SIGS);
    if (r.reused) /* else measured by make_chain, before the load */
        r.rec_before = bench_recover_rate(r.sample, r.n_sample);
    if ((!r.reused && make_chain(&r) != 0) || catch_up(&r, catch_blocks) != 0) {
        fprintf(stderr, "plasma-bench watcher: the run failed (scratch in %s)\n", r.ch.dir);
        goto cleanup;
    }
    double dirs_mb = dir_mb(r.ch.dir);
    plasma_operator_free(r.op);
    r.op = NULL;
    out = figures(&r, dirs_mb);
cleanup:
    plasma_operator_free(r.op);
    wproc_end(&r.follow);
    wproc_end(&r.catchup);
    wstats_free(&r.fs);
    wstats_free(&r.cs);
    free(r.m.confirmed_ns);
    free(r.m.sample_ns);
    free(r.m.sample_lag);
    free(r.sample);
    if (!a->chain_dir)
        bench_rm_tree(r.ch.dir);
    return out;
}

static int parse_args(wb_args *a, int argc, char **argv)
{
    *a = (wb_args){.blocks = 8, .block_txs = 65536, .chains = HEADS, .catchup_blocks = 40, .cache_mb = 64};
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--help") == 0) {
            printf(
                "usage: plasma-bench watcher [--blocks N] [--block-txs N] [--chains N] [--catchup-blocks N]\n"
                "                            [--cache-mb N] [--threads N] [--no-follow] [--chain-dir DIR]\n"
                "An operator at full load and watchers following it (see the header of bench_watcher.c).\n"
                "The catch-up watcher verifies the first --catchup-blocks blocks (default 40, 0: all).\n"
                "--chain-dir DIR keeps the chain there; a later run of the same shape on DIR only runs the\n"
                "catch-up watcher on it. The long run, --blocks 1000, needs about 15 GB of scratch for the\n"
                "signed transactions and 52 GB for the data dirs.\n");
            return 0;
        }
        if (strcmp(argv[i], "--no-follow") == 0) {
            a->no_follow = true;
            continue;
        }
        if (!v)
            return 2;
        unsigned long long n = strtoull(v, NULL, 10);
        if (strcmp(argv[i], "--blocks") == 0)
            a->blocks = (unsigned)n;
        else if (strcmp(argv[i], "--block-txs") == 0)
            a->block_txs = (unsigned)n;
        else if (strcmp(argv[i], "--chains") == 0)
            a->chains = (unsigned)n;
        else if (strcmp(argv[i], "--catchup-blocks") == 0)
            a->catchup_blocks = (unsigned)n;
        else if (strcmp(argv[i], "--cache-mb") == 0)
            a->cache_mb = (size_t)n;
        else if (strcmp(argv[i], "--threads") == 0)
            a->threads = (unsigned)n;
        else if (strcmp(argv[i], "--chain-dir") == 0)
            a->chain_dir = v;
        else
            return 2;
        i++;
    }
    /* The chain heads are the fan-out's 4,096 outputs; a block holds the
     * whole fan-out. */
    if (a->blocks < 1 || a->blocks > 100000 || a->block_txs < 2048 ||
        a->block_txs > PLASMA_MAX_TXS_PER_BLOCK || a->chains < 1 || a->chains > HEADS || a->cache_mb < 1 ||
        a->threads > 64 || (uint64_t)a->blocks * a->block_txs <= FANOUT_TXS)
        return 2;
    return 1;
}

int plasma_bench_watcher(int argc, char **argv)
{
    wb_args a;
    int st = parse_args(&a, argc, argv);
    if (st != 1) {
        if (st == 2)
            fprintf(stderr, "plasma-bench watcher: bad arguments (try --help)\n");
        return st;
    }
    json_t *out = run_bench(&a);
    curl_global_cleanup();
    if (!out) {
        fprintf(stderr, "plasma-bench watcher: the run failed\n");
        return 1;
    }
    return bench_print(out);
}
