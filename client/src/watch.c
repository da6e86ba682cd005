/* The watcher: follows the root chain's events, downloads and re-verifies
 * every submitted child block against its own UTXO view, and reports (and
 * where it can, answers) byzantine behaviour.
 *
 * Data flows one way through its parts:
 *   follow (watch_follow.c)  root-chain events into a queue, the operator's blocks
 *   pipe   (watch_pipe.c)    downloads ahead, preparation on the worker pool (watch_pool.c)
 *   verify (watch_verify.c)  roots, signatures, re-execution against the view
 *   view   (watch_view.c)    the outputs seen and the verified blocks, in LevelDB (watch_store.c)
 *   judge  (watch_judge.c)   blocks and exits: findings, each with its action
 *   act    (watch_act.c)     challenges, distrust, owners' exits
 *   report (watch_report.c)  one JSON object per finding or action
 * In-flight exits are judged in watch_ife.c, beside the judge.
 * This file wires them together. Each block (or deposit, or page of
 * events) is applied in one atomic write that also moves the cursor, so a
 * watcher killed at any instant resumes where its data dir says:
 *   'V'   version1 chain_id8 contract20: the chain the data dir belongs to
 *   'S'   cursor8 next_seq8 last_verified8 trusted1 blocks8 txs8
 *   'C'   hash32: on a chain that reorganises, the hash of block cursor − 1
 * There, every write also keeps what it replaced (watch_store.h, undo),
 * so that a reorganisation takes back what came from the blocks it
 * removed: the data dir returns to what it held before them, the watcher
 * reopens it, and the new chain's events follow. */
#include "client_internal.h"
#include "watch_act.h"
#include "watch_follow.h"
#include "watch_ife.h"
#include "watch_pipe.h"
#include "watch_report.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FORMAT_VERSION 2 /* 2: large blocks in files of their own */
#define DEFAULT_CACHE_MB 64
/* Queue items looked at per pass: enough to keep the pipe full. */
#define ITEMS_PER_PASS 32

struct plasma_watcher {
    plasma_client *c;
    plasma_domain domain;
    uint64_t chain_id;
    plasma_addr contract;
    uint64_t withholding_timeout_s;
    size_t cache_mb;
    unsigned threads;
    char *temp_dir; /* made when no data dir was given; removed at free */
    char *dir;      /* the data dir, for reopening it after a reorganisation */
    watch_store *store;
    watch_view *view;
    watch_pool *pool;
    watch_pipe *pipe;
    watch_batch *batch;
    watch_follow follow;
    watch_judge judge;
    watch_actor actor;
    watch_reporter reporter;
    uint64_t last_verified;
    uint64_t next_item; /* seq of the oldest item not applied */
    uint64_t blocks_verified, txs_verified;
    plasma_rootchain_status st; /* this round's */
    plasma_watch_progress_cb progress;
    void *progress_payload;
    /* The operator's minimum fees when known (plasma_watcher_set_min_fees);
     * all zero otherwise: a block charging less harms no one. */
    plasma_fee_policy fee_policy;
    plasma_fee_rule *fee_rules;
};

/* Every finding goes through its action, then out as a report. */
static bool on_finding(void *ctx, const watch_finding *f)
{
    plasma_watcher *w = ctx;
    watch_outcome o;
    watch_act(&w->actor, w->view, f, &o);
    watch_report_finding(&w->reporter, f, &o);
    return o.done;
}

int plasma_watcher_new(plasma_watcher **out, plasma_client *c, const plasma_privkey *challenger,
                       uint64_t withholding_timeout_ms, plasma_watch_report_cb cb, void *payload)
{
    plasma_rootchain_status st;
    plasma_watcher *w;
    int rc = CHAIN_OP(c, status, &st);
    if (rc)
        return client_rc_fail(c, rc, "root-chain status");
    if (!(w = calloc(1, sizeof *w)))
        return PLASMA_ERR_NOMEM;
    w->c = c;
    w->actor = (watch_actor){.c = c, .trusted = true};
    if (challenger) {
        w->actor.challenger = *challenger;
        w->actor.have_challenger = true;
    }
    w->withholding_timeout_s = (withholding_timeout_ms + 999) / 1000;
    w->reporter = (watch_reporter){cb, payload};
    w->actor.st = &w->st;
    w->actor.reporter = &w->reporter;
    w->cache_mb = DEFAULT_CACHE_MB;
    w->chain_id = st.chain_id;
    w->contract = st.contract;
    plasma_domain_init(&w->domain, st.chain_id, &st.contract);
    *out = w;
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void plasma_watcher_free(plasma_watcher *w)
{
    if (!w)
        return;
    watch_pipe_free(w->pipe);
    watch_pool_free(w->pool);
    watch_view_free(w->view);
    watch_batch_free(w->batch);
    watch_store_close(w->store);
    if (w->temp_dir)
        nftw(w->temp_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(w->temp_dir);
    free(w->dir);
    plasma_wipe(&w->actor.challenger, sizeof w->actor.challenger);
    plasma_wipe(w->actor.accounts, sizeof w->actor.accounts);
    free(w->actor.wallet_dir);
    free(w->fee_rules);
    free(w);
}

int plasma_watcher_protect(plasma_watcher *w, const plasma_privkey *key)
{
    watch_account *a = &w->actor.accounts[w->actor.n_accounts];
    if (w->actor.n_accounts == WATCH_MAX_ACCOUNTS)
        return client_fail(w->c, PLASMA_ERR_BAD_REQUEST, "watcher: at most %d protected accounts",
                           WATCH_MAX_ACCOUNTS);
    if (plasma_privkey_addr(&a->addr, key) != 0)
        return client_fail(w->c, PLASMA_ERR_BAD_REQUEST, "invalid private key");
    a->key = *key;
    w->actor.n_accounts++;
    return 0;
}

int plasma_watcher_set_wallet_dir(plasma_watcher *w, const char *dir)
{
    char *copy = dir ? strdup(dir) : NULL;
    if (dir && !copy)
        return PLASMA_ERR_NOMEM;
    free(w->actor.wallet_dir);
    w->actor.wallet_dir = copy;
    return 0;
}

void plasma_watcher_set_auto(plasma_watcher *w, bool on)
{
    w->actor.act_ife = on;
}

int plasma_watcher_set_min_fees(plasma_watcher *w, const plasma_fee_policy *policy)
{
    plasma_fee_rule *rules = NULL;
    if (policy->n_rules && !(rules = malloc(policy->n_rules * sizeof *rules)))
        return PLASMA_ERR_NOMEM;
    if (rules)
        memcpy(rules, policy->rules, policy->n_rules * sizeof *rules);
    free(w->fee_rules);
    w->fee_rules = rules;
    w->fee_policy = (plasma_fee_policy){policy->min_fee, rules, policy->n_rules};
    return 0;
}

void plasma_watcher_set_cache_mb(plasma_watcher *w, size_t mb)
{
    w->cache_mb = mb;
}

void plasma_watcher_set_threads(plasma_watcher *w, unsigned n)
{
    w->threads = n;
}

void plasma_watcher_set_progress(plasma_watcher *w, plasma_watch_progress_cb cb, void *payload)
{
    w->progress = cb;
    w->progress_payload = payload;
}

bool plasma_watcher_trusted(const plasma_watcher *w)
{
    return w->actor.trusted;
}

uint64_t plasma_watcher_rootchain_block(const plasma_watcher *w)
{
    return w->follow.cursor;
}

uint64_t plasma_watcher_last_verified(const plasma_watcher *w)
{
    return w->last_verified;
}

void plasma_watcher_stats_get(const plasma_watcher *w, plasma_watcher_stats *out)
{
    size_t entries = 0, bytes = 0;
    if (w->view)
        watch_view_cache_use(w->view, &entries, &bytes);
    *out = (plasma_watcher_stats){.last_verified = w->last_verified,
                                  .blocks_verified = w->blocks_verified,
                                  .txs_verified = w->txs_verified,
                                  .cache_entries = entries,
                                  .cache_bytes = bytes};
}

/* --- the state record --- */

static void put_state(plasma_watcher *w, watch_batch *b)
{
    uint8_t rec[41];
    watch_be64(rec, w->follow.cursor);
    watch_be64(rec + 8, w->follow.next_seq);
    watch_be64(rec + 16, w->last_verified);
    rec[24] = w->actor.trusted;
    watch_be64(rec + 25, w->blocks_verified);
    watch_be64(rec + 33, w->txs_verified);
    watch_batch_put(b, "S", 1, rec, sizeof rec);
    if (w->follow.have_hash)
        watch_batch_put(b, "C", 1, w->follow.hash.b, 32);
}

static int load_state(plasma_watcher *w)
{
    plasma_buf rec = {0};
    int rc = watch_store_get(w->store, "S", 1, &rec);
    if (rc == PLASMA_ERR_NOT_FOUND)
        rc = 0;
    else if (rc == 0 && (rec.len != 41 || rec.data[24] > 1))
        rc = PLASMA_ERR_BAD_REQUEST;
    else if (rc == 0) {
        w->follow.cursor = watch_rd64(rec.data);
        w->follow.next_seq = watch_rd64(rec.data + 8);
        w->last_verified = watch_rd64(rec.data + 16);
        w->actor.trusted = rec.data[24];
        w->blocks_verified = watch_rd64(rec.data + 25);
        w->txs_verified = watch_rd64(rec.data + 33);
    }
    rec.len = 0;
    int hrc = rc ? rc : watch_store_get(w->store, "C", 1, &rec);
    if (hrc == 0 && rec.len == 32) {
        memcpy(w->follow.hash.b, rec.data, 32);
        w->follow.have_hash = true;
    } else if (hrc == 0 || (hrc != PLASMA_ERR_NOT_FOUND && rc == 0)) {
        rc = hrc ? hrc : PLASMA_ERR_BAD_REQUEST;
    }
    plasma_buf_free(&rec);
    return rc;
}

/* Writes b with the view's staged changes and the state; the view keeps
 * them only once written. */
static int write_batch(plasma_watcher *w, watch_batch *b)
{
    int rc = watch_view_stage(w->view, b);
    if (rc == 0) {
        put_state(w, b);
        watch_store_set_tag(w->store, w->follow.cursor ? w->follow.cursor - 1 : 0);
        rc = watch_store_write(w->store, b);
    }
    if (rc) {
        watch_view_discard(w->view);
        /* The judge counted the exit records b would have changed. */
        watch_judge_open(&w->judge, w->store, w->view, on_finding, w);
        return client_fail(w->c, rc, "watcher: cannot write its data dir (%s)", plasma_err_code(rc));
    }
    watch_view_settle(w->view);
    return 0;
}

/* write_batch, then the exits it found invalid go out. */
static int commit(plasma_watcher *w, watch_batch *b)
{
    int rc = write_batch(w, b);
    return rc ? rc : watch_judge_report(&w->judge);
}

/* commit for an item that moves last_verified to blknum (and, for a
 * child block, counts its n_txs); nothing moves when the write fails. */
static int commit_item(plasma_watcher *w, watch_batch *b, uint64_t blknum, size_t n_txs, bool child)
{
    uint64_t last = w->last_verified, blocks = w->blocks_verified, txs = w->txs_verified;
    w->last_verified = blknum;
    w->blocks_verified += child;
    w->txs_verified += child ? n_txs : 0;
    int rc = write_batch(w, b);
    if (rc) {
        w->last_verified = last;
        w->blocks_verified = blocks;
        w->txs_verified = txs;
        return rc;
    }
    return watch_judge_report(&w->judge);
}

/* --- applying the queue --- */

/* Stops trusting the operator for good: the finding's action did, this
 * remembers it. */
static int distrusted(plasma_watcher *w)
{
    watch_batch_clear(w->batch);
    return commit(w, w->batch);
}

/* A block that joined the view (staged): stored with its judging and the
 * cursor, in one write. The batch holds a copy of what it needs of the
 * block, which goes back to the pipe before the write: the next download
 * overlaps the write. */
static int keep_block(plasma_watcher *w, const watch_item *it, watch_block *blk)
{
    size_t n = blk->n;
    watch_block_hdr h = {
        .blknum = it->blknum, .root = it->root, .timestamp = it->rc_timestamp, .n = (uint32_t)n};
    int rc;
    watch_batch_clear(w->batch);
    if ((rc = watch_view_put_block(w->view, w->batch, &h, blk->txs, blk->offs, blk->leaves)) != 0 ||
        (rc = watch_judge_block(&w->judge, blk, w->batch)) != 0) {
        watch_view_discard(w->view);
        return rc;
    }
    watch_pipe_done(w->pipe, it->blknum);
    watch_follow_pop(w->batch, it->seq);
    if ((rc = commit_item(w, w->batch, it->blknum, n, true)) == 0 && w->progress)
        w->progress(w->progress_payload, it->blknum, n);
    return rc;
}

/* Verifies a prepared block and keeps it, or finds it invalid. */
static int apply_block(plasma_watcher *w, const watch_item *it, watch_block *blk)
{
    int err = 0;
    const char *bad = watch_verify_block(w->view, &it->root, &w->fee_policy, blk, &err);
    if (err)
        return client_fail(w->c, err, "watcher: %s", bad);
    if (bad) {
        watch_judge_invalid_block(&w->judge, it->blknum, bad);
        return distrusted(w);
    }
    return keep_block(w, it, blk);
}

/* A block past its withholding timer that the operator does not answer
 * for (no connection, a timeout, a 5xx status) is asked for again this
 * many times, 1 s and then 2 s later, before it is judged withheld: one
 * failed download (the operator restarting, a proxy's error) is not
 * withholding, even of an old block, as every block is to a watcher
 * catching up. An operator that answers that it has no such block
 * withholds it. */
#define WITHHELD_RETRIES 2

static bool withholding_due(const plasma_watcher *w, const watch_item *it)
{
    return w->st.head_timestamp >= it->rc_timestamp + w->withholding_timeout_s;
}

/* Waits for the pipe's result on block item it. Out: *stop true when the
 * queue cannot go on this round (the block is not served yet). */
static int take_block(plasma_watcher *w, const watch_item *it, bool *stop)
{
    watch_block *blk = NULL;
    int rc;
    *stop = false;
    for (unsigned attempt = 0;; attempt++) {
        watch_pipe_want(w->pipe, it->blknum);
        rc = watch_pipe_take(w->pipe, it->blknum, &blk);
        if (rc != PLASMA_ERR_UNAVAILABLE || attempt == WITHHELD_RETRIES || !withholding_due(w, it))
            break;
        watch_pipe_reset(w->pipe);
        plasma_sleep_ms(1000L << attempt);
    }
    if (rc == PLASMA_ERR_UNAVAILABLE)
        rc = 0; /* not served */
    if (rc == PLASMA_ERR_MALFORMED_TX) {
        watch_pipe_done(w->pipe, it->blknum);
        watch_judge_invalid_block(&w->judge, it->blknum, "the operator serves a malformed transaction");
        return distrusted(w);
    }
    if (rc == 0 && blk)
        rc = apply_block(w, it, blk);
    else if (rc == 0) {
        /* Not served: the blocks asked after it wait for it. */
        *stop = true;
        watch_pipe_reset(w->pipe);
        if (withholding_due(w, it)) {
            watch_judge_withheld_block(&w->judge, it->blknum);
            return distrusted(w);
        }
        return 0;
    } else {
        rc = client_fail(w->c, rc, "watcher: block %llu: %s", (unsigned long long)it->blknum,
                         plasma_err_message(rc));
    }
    watch_pipe_done(w->pipe, it->blknum);
    return rc;
}

/* Out: the deposit's block (its one tx in deposit form) as a watch_block. */
static int deposit_block(watch_block *blk, const watch_item *it)
{
    plasma_tx tx;
    int rc;
    memset(blk, 0, sizeof *blk);
    blk->blknum = it->blknum;
    blk->n = 1;
    plasma_tx_make_deposit(&tx, &it->deposit.owner, &it->deposit.token, &it->deposit.amount);
    if ((rc = plasma_tx_encode_signed(&blk->body, &tx)) != 0)
        return rc;
    blk->txs = blk->body.data;
    blk->offs = calloc(2, sizeof *blk->offs);
    blk->leaves = calloc(1, sizeof *blk->leaves);
    if (!blk->offs || !blk->leaves)
        return PLASMA_ERR_NOMEM;
    blk->offs[1] = blk->body.len;
    plasma_buf u = {0};
    if ((rc = plasma_tx_encode_unsigned(&u, &tx)) == 0)
        plasma_merkle_leaf(&blk->leaves[0], u.data, u.len);
    plasma_buf_free(&u);
    return rc;
}

/* A deposit block: its single output, its tx kept for proofs. */
static int apply_deposit(plasma_watcher *w, const watch_item *it)
{
    watch_block blk;
    watch_block_hdr h = {.blknum = it->blknum, .n = 1};
    int rc = deposit_block(&blk, it);
    watch_batch_clear(w->batch);
    if (rc == 0)
        plasma_merkle_root(&h.root, blk.leaves, 1);
    if (rc == 0 && (rc = watch_view_add(w->view, plasma_utxo_pos(it->blknum, 0, 0), &it->deposit)) == 0 &&
        (rc = watch_view_put_block(w->view, w->batch, &h, blk.txs, blk.offs, blk.leaves)) == 0 &&
        (rc = watch_judge_pending(&w->judge, w->batch)) == 0) {
        watch_follow_pop(w->batch, it->seq);
        rc = commit_item(w, w->batch, it->blknum, 1, false);
    } else {
        watch_view_discard(w->view);
        if (rc)
            rc = client_fail(w->c, rc, "watcher: deposit %llu: %s", (unsigned long long)it->blknum,
                             plasma_err_message(rc));
    }
    watch_block_free(&blk);
    return rc;
}

/* One item. Out: *stop as take_block. */
static int apply_item(plasma_watcher *w, const watch_item *it, bool *stop)
{
    *stop = false;
    if (it->blknum <= w->last_verified) { /* applied before a crash lost the pop: never */
        watch_batch_clear(w->batch);
        watch_follow_pop(w->batch, it->seq);
        return commit(w, w->batch);
    }
    if (it->kind == WATCH_ITEM_DEPOSIT)
        return apply_deposit(w, it);
    return take_block(w, it, stop);
}

/* Applies what can be applied of the queue, oldest first, while the
 * operator is trusted. */
static int drain(plasma_watcher *w)
{
    watch_item items[ITEMS_PER_PASS];
    size_t n = 0;
    bool stop = false;
    int rc = 0;
    while (rc == 0 && !stop && w->actor.trusted) {
        if ((rc = watch_follow_items(&w->follow, w->next_item, items, ITEMS_PER_PASS, &n)) != 0 || n == 0)
            break;
        for (size_t i = 0; i < n; i++)
            if (items[i].kind == WATCH_ITEM_BLOCK && !watch_pipe_want(w->pipe, items[i].blknum))
                break;
        for (size_t i = 0; i < n && rc == 0 && !stop && w->actor.trusted; i++)
            if ((rc = apply_item(w, &items[i], &stop)) == 0 && !stop)
                w->next_item = items[i].seq + 1;
    }
    if (!w->actor.trusted)
        watch_pipe_reset(w->pipe);
    return rc;
}

/* --- opening the data dir --- */

static int any_key(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    (void)key;
    (void)klen;
    (void)val;
    (void)vlen;
    *(bool *)ctx = true;
    return 1;
}

int watch_data_chain(watch_store *s, uint64_t *chain_id, plasma_addr *contract)
{
    plasma_buf got = {0};
    int rc = watch_store_get(s, "V", 1, &got);
    if (rc == 0 && (got.len != 29 || got.data[0] != FORMAT_VERSION))
        rc = PLASMA_ERR_IO;
    if (rc == 0) {
        *chain_id = watch_rd64(got.data + 1);
        memcpy(contract->b, got.data + 9, 20);
    }
    plasma_buf_free(&got);
    return rc;
}

/* The chain the data dir belongs to: written when the dir is new, checked
 * when it is not. */
static int check_version(plasma_watcher *w, const char *dir)
{
    uint8_t want[29];
    plasma_buf got = {0};
    bool any = false;
    int rc = watch_store_get(w->store, "V", 1, &got);
    want[0] = FORMAT_VERSION;
    watch_be64(want + 1, w->chain_id);
    memcpy(want + 9, w->contract.b, 20);
    if (rc == 0 && got.len >= 1 && got.data[0] < FORMAT_VERSION) {
        rc = PLASMA_ERR_NOT_FOUND; /* an earlier format: as one without a version */
        any = true;
    } else if (rc == PLASMA_ERR_NOT_FOUND && (rc = watch_store_scan(w->store, "", 0, 0, any_key, &any)) >= 0)
        rc = PLASMA_ERR_NOT_FOUND;
    if (rc == PLASMA_ERR_NOT_FOUND) {
        rc = 0;
        if (any) {
            rc = client_fail(
                w->c, PLASMA_ERR_CONFIG,
                "watcher: the data dir %s was written by an older watcher; move it away to verify "
                "the chain again",
                dir);
        } else {
            watch_batch_clear(w->batch);
            watch_batch_put(w->batch, "V", 1, want, sizeof want);
            rc = watch_store_write(w->store, w->batch);
        }
    } else if (rc == 0 && (got.len != sizeof want || memcmp(got.data, want, sizeof want) != 0)) {
        rc = client_fail(w->c, PLASMA_ERR_CONFIG, "watcher: the data dir %s belongs to another chain", dir);
    }
    plasma_buf_free(&got);
    return rc;
}

/* The first queue item not applied (the queue's head). */
static int first_item(plasma_watcher *w)
{
    watch_item it;
    size_t n = 0;
    int rc = watch_follow_items(&w->follow, 0, &it, 1, &n);
    w->next_item = n ? it.seq : w->follow.next_seq;
    return rc;
}

/* Opens the store and everything on it. */
static int open_dir(plasma_watcher *w, const char *dir)
{
    size_t cache = w->cache_mb << 20;
    int rc = watch_store_open(&w->store, dir, cache / 4);
    if (rc)
        return client_fail(w->c, rc, "watcher: cannot open the data dir %s (another watcher on it?)", dir);
    if (w->c->chain.ops->follow &&
        (rc = watch_store_undo_on(w->store, w->c->chain.ops->reorg_window + 1)) != 0)
        return client_fail(w->c, rc, "watcher: the data dir %s: %s", dir, plasma_err_message(rc));
    if ((rc = watch_batch_new(&w->batch)) != 0 || (rc = check_version(w, dir)) != 0)
        return rc;
    watch_follow_init(&w->follow, w->c, w->store);
    if ((rc = load_state(w)) != 0)
        return client_fail(w->c, rc, "watcher: the data dir %s holds unreadable state", dir);
    if ((rc = watch_view_open(&w->view, w->store, cache - cache / 4)) != 0 ||
        (rc = watch_view_sweep_files(w->view, NULL)) != 0 || (rc = first_item(w)) != 0 ||
        (rc = watch_judge_open(&w->judge, w->store, w->view, on_finding, w)) != 0)
        return client_fail(w->c, rc, "watcher: the data dir %s: %s", dir, plasma_err_message(rc));
    if ((rc = watch_pool_new(&w->pool, w->threads)) != 0 ||
        (rc = watch_pipe_new(&w->pipe, w->c->op_url, &w->domain, w->pool)) != 0)
        return client_fail(w->c, rc, "watcher: cannot start its threads");
    return 0;
}

/* Undoes a failed open_dir. */
static void close_dir(plasma_watcher *w)
{
    watch_pipe_free(w->pipe);
    watch_pool_free(w->pool);
    watch_view_free(w->view);
    watch_batch_free(w->batch);
    watch_store_close(w->store);
    w->pipe = NULL;
    w->pool = NULL;
    w->view = NULL;
    w->batch = NULL;
    w->store = NULL;
}

int plasma_watcher_set_data_dir(plasma_watcher *w, const char *dir)
{
    int rc;
    if (w->store)
        return client_fail(w->c, PLASMA_ERR_BAD_REQUEST, "watcher: its data dir is open already");
    char *copy = strdup(dir);
    if (!copy)
        return client_fail(w->c, PLASMA_ERR_NOMEM, "watcher: out of memory");
    free(w->dir);
    w->dir = copy;
    if ((rc = open_dir(w, dir)) != 0)
        close_dir(w);
    return rc;
}

/* Without a data dir, a private one that goes away with the watcher. */
static int ensure_open(plasma_watcher *w)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    if (w->store)
        return 0;
    if (w->temp_dir) /* made by an earlier round that could not open it */
        return plasma_watcher_set_data_dir(w, w->temp_dir);
    snprintf(path, sizeof path, "%s/plasma-watch-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(path))
        return client_fail(w->c, PLASMA_ERR_IO, "watcher: cannot make a temporary data dir");
    if (!(w->temp_dir = strdup(path))) {
        rmdir(path);
        return client_fail(w->c, PLASMA_ERR_NOMEM, "watcher: out of memory");
    }
    return plasma_watcher_set_data_dir(w, path);
}

/* --- a round --- */

/* Exits and in-flight exits, in order with the queue. */
static int on_chain_event(void *ctx, const plasma_event *ev, watch_batch *b)
{
    plasma_watcher *w = ctx;
    int rc = 0;
    switch (ev->kind) {
    case PLASMA_EVENT_EXIT_STARTED:
        rc = watch_judge_exit_started(&w->judge, ev->exit_started.exit_id, &ev->exit_started.owner, b);
        break;
    case PLASMA_EVENT_EXIT_FINALIZED:
        rc = watch_view_mark_finalized(w->view, ev->exit_finalized.exit_id);
        break;
    case PLASMA_EVENT_IFE_STARTED:
        rc = watch_ife_started(&w->judge, ev, b);
        break;
    case PLASMA_EVENT_IFE_FINALIZED:
    case PLASMA_EVENT_IFE_DELETED:
        rc = watch_ife_closed(&w->judge, &ev->ife_closed.ife_id, b);
        break;
    default: /* the rest is read from the root chain when judged */
        break;
    }
    return rc ? client_fail(w->c, rc, "watcher: judging an exit: %s", plasma_err_message(rc)) : 0;
}

/* The in-flight exits followed, and the protected accounts' txs in flight. */
static int review_ifes(plasma_watcher *w)
{
    plasma_addr addrs[WATCH_MAX_ACCOUNTS];
    for (size_t i = 0; i < w->actor.n_accounts; i++)
        addrs[i] = w->actor.accounts[i].addr;
    watch_ife_round r = {.c = w->c,
                         .st = &w->st,
                         .accounts = addrs,
                         .n_accounts = w->actor.n_accounts,
                         .wallet_dir = w->actor.wallet_dir,
                         .trusted = w->actor.trusted,
                         .withholding_timeout_s = w->withholding_timeout_s,
                         .now = (uint64_t)time(NULL)};
    int rc = watch_ife_review(&w->judge, &r);
    if (rc == PLASMA_ERR_IO || rc == PLASMA_ERR_NOMEM) /* the store's or the view's: no message yet */
        return client_fail(w->c, rc, "watcher: in-flight exits: %s", plasma_err_message(rc));
    return rc;
}

static int commit_events(void *ctx, watch_batch *b)
{
    return commit(ctx, b);
}

/* The root chain dropped the blocks after ancestor: the data dir takes
 * back every write that came from them, and the watcher reopens it, as if
 * it had stopped before them; their events, and the new chain's, come
 * again. Reported as {"event": "reorg", "ancestor", "undone_writes"}. */
static int undo_reorg(plasma_watcher *w)
{
    uint64_t ancestor = w->follow.reorg_ancestor;
    size_t n = 0;
    int rc = watch_store_rollback(w->store, ancestor, &n);
    if (rc == PLASMA_ERR_NOT_FOUND)
        return client_fail(w->c, rc,
                           "watcher: the root chain dropped the blocks after %llu, deeper than the data dir "
                           "can take back: move it away to verify the chain again",
                           (unsigned long long)ancestor);
    if (rc)
        return client_fail(w->c, rc, "watcher: taking back a reorganisation: %s", plasma_err_message(rc));
    close_dir(w);
    w->last_verified = w->next_item = w->blocks_verified = w->txs_verified = 0;
    w->actor.trusted = true;
    if ((rc = open_dir(w, w->dir)) != 0) {
        close_dir(w);
        return rc;
    }
    json_t *ev = json_pack("{s:s, s:I, s:I, s:I}", "event", "reorg", "ancestor", (json_int_t)ancestor,
                           "undone_writes", (json_int_t)n, "resume_block", (json_int_t)w->follow.cursor);
    if (ev && w->reporter.cb)
        w->reporter.cb(ev, w->reporter.payload);
    json_decref(ev);
    return 0;
}

int plasma_watcher_step(plasma_watcher *w)
{
    int rc = ensure_open(w);
    if (rc == 0 && (rc = CHAIN_OP(w->c, status, &w->st)) != 0)
        rc = client_rc_fail(w->c, rc, "root-chain status");
    for (int tries = 0; rc == 0 && tries < 4; tries++) {
        rc = watch_follow_events(&w->follow, w->batch, on_chain_event, commit_events, w);
        if (rc != WATCH_FOLLOW_REORG)
            break;
        rc = undo_reorg(w);
    }
    if (rc == 0)
        rc = drain(w);
    if (rc == 0)
        rc = watch_judge_review(&w->judge, w->c, &w->st, w->actor.have_challenger);
    if (rc == 0)
        rc = review_ifes(w);
    return rc;
}

int plasma_watcher_exit_for(plasma_watcher *w, const plasma_privkey *key, size_t *n_started)
{
    int rc = ensure_open(w);
    return rc ? rc : watch_act_exit_for(&w->actor, w->view, &w->reporter, key, n_started);
}
