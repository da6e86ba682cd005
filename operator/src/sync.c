#include "sync.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plasma/log.h"
#include "plasma/err.h"
#include "plasma/u256.h"

/* An in-flight exit whose inputs (and the outputs of its tx, when the
 * ledger holds it) the root chain may finalize. */
#define WATCH_POS (PLASMA_MAX_INPUTS + PLASMA_MAX_OUTPUTS)
typedef struct watched_ife {
    plasma_u256 id;
    uint64_t start_block; /* root-chain block of its start */
    bool closed;          /* finalized or deleted: checked once more, then forgotten */
    unsigned n;
    uint64_t pos[WATCH_POS];
    bool done[WATCH_POS]; /* finalized */
} watched_ife;

struct op_sync {
    plasma_ledger *l;
    const plasma_rootchain_backend *be;
    op_sync_config cfg;
    pthread_mutex_t mu; /* guards the fields below and serialises follower rounds */
    pthread_cond_t cv;
    bool stop;
    bool wake_submitter;
    bool wake_follower;
    pthread_mutex_t round_mu; /* one follower round at a time */
    pthread_t follower;
    pthread_t submitter;
    int started;
    /* Next root-chain block to read, ahead of the stored cursors: a range
     * without events is not written (a restart reads it again, harmlessly,
     * as known deposits and spent outputs are skipped). */
    uint64_t dep_next;
    uint64_t exit_next;
    uint64_t final_next; /* exit events: ExitFinalized, in-flight exits */
    uint64_t final_cursor;
    watched_ife *watch;
    size_t n_watch, cap_watch;
    /* A chain that reorganises: its cursor, and the events of the block
     * being delivered (follower thread only). */
    plasma_rc_cursor chain_at;
    bool have_chain_at;
    uint64_t chain_written; /* the cursor's number when last stored */
    bool caught_up;
    bool refused; /* a reorganisation the ledger cannot follow: stopped */
    plasma_deposit *blk_deps;
    size_t n_blk_deps, cap_blk_deps;
    uint64_t *blk_exits;
    size_t n_blk_exits, cap_blk_exits;
    op_sync_stats st;
};

/* A range without events is stored at most this many blocks apart: a
 * restart reads the rest again (known deposits and spent outputs are
 * skipped), and a quiet chain costs no write per poll. */
#define CHAIN_CURSOR_EVERY 1000

static void wait_ms(op_sync *s, unsigned ms, bool *wake)
{
    struct timespec ts;
    plasma_deadline_us(&ts, (uint64_t)ms * 1000u);
    pthread_mutex_lock(&s->mu);
    while (!s->stop && !*wake)
        if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) != 0)
            break;
    *wake = false;
    pthread_mutex_unlock(&s->mu);
}

static bool stopping(op_sync *s)
{
    pthread_mutex_lock(&s->mu);
    bool stop = s->stop;
    pthread_mutex_unlock(&s->mu);
    return stop;
}

static uint64_t cursor_or_zero(op_sync *s, const char *name)
{
    uint64_t v = 0;
    return plasma_ledger_cursor(s->l, name, &v) == 0 ? v : 0;
}

/* --- follower --- */

static int follow_deposits(op_sync *s, uint64_t head)
{
    if (head < s->cfg.finality_margin)
        return PLASMA_OK;
    uint64_t to = head - s->cfg.finality_margin, from = s->dep_next;
    if (from > to)
        return PLASMA_OK;
    if (to - from >= s->cfg.max_range)
        to = from + s->cfg.max_range - 1;
    plasma_rc_deposit *ev = NULL;
    size_t n = 0;
    int rc = s->be->deposits(s->be->ctx, from, to, &ev, &n);
    plasma_deposit *d = rc == 0 && n ? calloc(n, sizeof *d) : NULL;
    if (rc == 0 && n && !d)
        rc = PLASMA_ERR_NOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++)
        d[i] = (plasma_deposit){ev[i].blknum, ev[i].depositor, ev[i].token, ev[i].amount, ev[i].timestamp};
    if (rc == 0 && n)
        rc = plasma_ledger_follow(s->l, d, n, NULL, 0, "deposits", to + 1);
    if (rc == 0)
        s->dep_next = to + 1;
    if (rc == 0 && n) {
        plasma_log(PLASMA_LOG_INFO, "deposits_applied", "count=%zu rc_from=%llu rc_to=%llu", n,
                   (unsigned long long)from, (unsigned long long)to);
        pthread_mutex_lock(&s->mu);
        s->st.deposits += n;
        pthread_mutex_unlock(&s->mu);
    }
    free(ev);
    free(d);
    return rc;
}

static int follow_exits(op_sync *s, uint64_t head)
{
    uint64_t from = s->exit_next, to = head;
    if (from > to)
        return PLASMA_OK;
    if (to - from >= s->cfg.max_range)
        to = from + s->cfg.max_range - 1;
    plasma_rc_exit *ev = NULL;
    size_t n = 0;
    int rc = s->be->exits(s->be->ctx, from, to, &ev, &n);
    uint64_t *pos = rc == 0 && n ? calloc(n, sizeof *pos) : NULL;
    if (rc == 0 && n && !pos)
        rc = PLASMA_ERR_NOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++)
        pos[i] = ev[i].utxo_pos;
    if (rc == 0 && n)
        rc = plasma_ledger_follow(s->l, NULL, 0, pos, n, "exits", to + 1);
    if (rc == 0)
        s->exit_next = to + 1;
    if (rc == 0 && n) {
        plasma_log(PLASMA_LOG_INFO, "exits_applied", "count=%zu rc_from=%llu rc_to=%llu", n,
                   (unsigned long long)from, (unsigned long long)to);
        pthread_mutex_lock(&s->mu);
        s->st.exits += n;
        pthread_mutex_unlock(&s->mu);
    }
    free(ev);
    free(pos);
    return rc;
}

/* --- outputs finalized on the root chain --- */

static void count_finalized(op_sync *s, size_t dropped)
{
    pthread_mutex_lock(&s->mu);
    s->st.finalized++;
    s->st.dropped += dropped;
    pthread_mutex_unlock(&s->mu);
}

static int watch_ife(op_sync *s, const plasma_rc_exit_event *ev)
{
    for (size_t i = 0; i < s->n_watch; i++)
        if (plasma_u256_cmp(&s->watch[i].id, &ev->ife_id) == 0 && !s->watch[i].closed)
            return PLASMA_OK; /* read again after a restart */
    int rc = plasma_grow((void **)&s->watch, &s->cap_watch, s->n_watch + 1, sizeof *s->watch);
    if (rc != 0)
        return rc;
    watched_ife *w = &s->watch[s->n_watch++];
    memset(w, 0, sizeof *w);
    w->id = ev->ife_id;
    w->start_block = ev->rc_block;
    for (unsigned i = 0; i < ev->n_inputs && i < PLASMA_MAX_INPUTS; i++)
        w->pos[w->n++] = ev->inputs[i];
    /* Its outputs exist here only if the operator accepted the tx. */
    plasma_buf rlp = {0};
    uint64_t blknum;
    uint32_t txindex;
    plasma_tx tx;
    if (plasma_ledger_get_tx(s->l, &ev->txhash, &blknum, &txindex, &rlp) == 0 &&
        plasma_tx_decode_signed(&tx, rlp.data, rlp.len) == 0)
        for (unsigned o = 0; o < tx.n_outputs; o++)
            w->pos[w->n++] = plasma_utxo_pos(blknum, txindex, o);
    plasma_buf_free(&rlp);
    return PLASMA_OK;
}

static void close_ife(op_sync *s, const plasma_u256 *id)
{
    for (size_t i = 0; i < s->n_watch; i++)
        if (plasma_u256_cmp(&s->watch[i].id, id) == 0)
            s->watch[i].closed = true;
}

/* Asks the root chain about each position not known finalized yet. */
static int check_watched(op_sync *s, watched_ife *w)
{
    for (unsigned i = 0; i < w->n; i++) {
        if (w->done[i])
            continue;
        plasma_hash id;
        plasma_u256 by;
        int rc = plasma_ledger_output_id(s->l, w->pos[i], &id);
        if (rc == PLASMA_ERR_NOT_FOUND)
            continue; /* not (yet) an output here: a deposit may still wait for its margin */
        if (rc == 0)
            rc = s->be->finalized(s->be->ctx, &id, &by);
        if (rc != 0)
            return rc;
        if (plasma_u256_is_zero(&by))
            continue;
        size_t dropped = 0;
        rc = plasma_ledger_finalize(s->l, w->pos[i], &dropped);
        if (rc != 0)
            return rc;
        w->done[i] = true;
        count_finalized(s, dropped);
        plasma_log(PLASMA_LOG_INFO, "output_finalized", "utxo_pos=%llu dropped=%zu",
                   (unsigned long long)w->pos[i], dropped);
    }
    return PLASMA_OK;
}

static int check_all_watched(op_sync *s)
{
    size_t kept = 0;
    int rc = PLASMA_OK;
    for (size_t i = 0; i < s->n_watch; i++) {
        if (rc == 0)
            rc = check_watched(s, &s->watch[i]);
        if (rc == 0 && s->watch[i].closed)
            continue; /* closed and checked once more: nothing can change now */
        s->watch[kept++] = s->watch[i];
    }
    s->n_watch = kept;
    return rc;
}

static int apply_exit_event(op_sync *s, const plasma_rc_exit_event *ev)
{
    size_t dropped = 0;
    int rc = PLASMA_OK;
    switch (ev->kind) {
    case PLASMA_RC_EXIT_FINALIZED:
        rc = plasma_ledger_finalize(s->l, ev->exit_id, &dropped);
        if (rc == 0)
            count_finalized(s, dropped);
        return rc;
    case PLASMA_RC_IFE_STARTED:
        return watch_ife(s, ev);
    case PLASMA_RC_IFE_CLOSED:
        close_ife(s, &ev->ife_id);
        return PLASMA_OK;
    }
    return PLASMA_OK;
}

/* The stored cursor is the start of the oldest in-flight exit still
 * watched: a restart reads its start again and watches it anew. */
static int store_final_cursor(op_sync *s)
{
    uint64_t c = s->final_next;
    for (size_t i = 0; i < s->n_watch; i++)
        if (s->watch[i].start_block < c)
            c = s->watch[i].start_block;
    if (c == s->final_cursor)
        return PLASMA_OK;
    int rc = plasma_ledger_follow(s->l, NULL, 0, NULL, 0, "finalized", c);
    if (rc == 0)
        s->final_cursor = c;
    return rc;
}

static int follow_finalized(op_sync *s, uint64_t head)
{
    uint64_t from = s->final_next, to = head;
    int rc = PLASMA_OK;
    if (from <= to) {
        if (to - from >= s->cfg.max_range)
            to = from + s->cfg.max_range - 1;
        plasma_rc_exit_event *ev = NULL;
        size_t n = 0;
        rc = s->be->exit_events(s->be->ctx, from, to, &ev, &n);
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = apply_exit_event(s, &ev[i]);
        free(ev);
        if (rc == 0)
            s->final_next = to + 1;
    }
    if (rc == 0)
        rc = check_all_watched(s);
    if (rc == 0)
        rc = store_final_cursor(s);
    pthread_mutex_lock(&s->mu);
    s->st.ifes_watched = s->n_watch;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* --- a chain that reorganises: one stream of events, block by block --- */

static int s_deposit(void *ctx, const plasma_rc_deposit *d)
{
    op_sync *s = ctx;
    if (plasma_grow((void **)&s->blk_deps, &s->cap_blk_deps, s->n_blk_deps + 1, sizeof *s->blk_deps) < 0)
        return PLASMA_ERR_NOMEM;
    s->blk_deps[s->n_blk_deps++] =
        (plasma_deposit){d->blknum, d->depositor, d->token, d->amount, d->timestamp};
    return PLASMA_OK;
}

static int s_exit(void *ctx, const plasma_rc_exit *x)
{
    op_sync *s = ctx;
    if (plasma_grow((void **)&s->blk_exits, &s->cap_blk_exits, s->n_blk_exits + 1, sizeof *s->blk_exits) < 0)
        return PLASMA_ERR_NOMEM;
    s->blk_exits[s->n_blk_exits++] = x->utxo_pos;
    return PLASMA_OK;
}

static void count_applied(op_sync *s, size_t deposits, size_t exits)
{
    pthread_mutex_lock(&s->mu);
    s->st.deposits += deposits;
    s->st.exits += exits;
    s->st.deposit_next = s->st.exit_next = s->chain_at.number + 1;
    pthread_mutex_unlock(&s->mu);
}

/* The block's events and the cursor in one durable write. */
static int s_block(void *ctx, const plasma_rc_cursor *c)
{
    op_sync *s = ctx;
    size_t nd = s->n_blk_deps, nx = s->n_blk_exits;
    s->n_blk_deps = s->n_blk_exits = 0;
    int rc = PLASMA_OK;
    if (nd || nx || !s->have_chain_at || c->number >= s->chain_written + CHAIN_CURSOR_EVERY) {
        plasma_ledger_rc_block at = {c->number, c->hash};
        rc = plasma_ledger_follow_chain(s->l, s->blk_deps, nd, s->blk_exits, nx, &at);
        if (rc == 0)
            s->chain_written = c->number;
    }
    if (rc != 0)
        return rc;
    s->chain_at = *c;
    s->have_chain_at = true;
    if (nd || nx)
        plasma_log(PLASMA_LOG_INFO, "chain_events_applied", "rc_block=%llu deposits=%zu exits=%zu",
                   (unsigned long long)c->number, nd, nx);
    count_applied(s, nd, nx);
    return PLASMA_OK;
}

/* The exit events of the dropped blocks are read again from the new chain:
 * in-flight exits started there are watched anew if the new chain has them.
 * Outputs already marked finalized stay so, like outputs marked exited. */
static void forget_exit_events_after(op_sync *s, uint64_t ancestor)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->n_watch; i++)
        if (s->watch[i].start_block <= ancestor)
            s->watch[kept++] = s->watch[i];
    s->n_watch = kept;
    if (s->final_next > ancestor + 1)
        s->final_next = ancestor + 1;
}

static void refuse_reorg(op_sync *s, const plasma_rc_cursor *ancestor)
{
    pthread_mutex_lock(&s->mu);
    bool first = !s->refused;
    s->refused = s->st.diverged = true;
    pthread_mutex_unlock(&s->mu);
    if (first)
        plasma_log(PLASMA_LOG_ERROR, "chain_reorg_refused",
                   "ancestor=%llu reason=\"a deposit of the dropped blocks was spent on the child chain; "
                   "the operator stops following and submitting (raise --confirmations past the chain's "
                   "reorganisations)\"",
                   (unsigned long long)ancestor->number);
}

static int s_undo(void *ctx, const plasma_rc_cursor *ancestor)
{
    op_sync *s = ctx;
    plasma_ledger_rc_block at = {ancestor->number, ancestor->hash};
    size_t removed = 0;
    s->n_blk_deps = s->n_blk_exits = 0;
    int rc = plasma_ledger_undo(s->l, &at, &removed);
    if (rc == PLASMA_ERR_UTXO_SPENT)
        refuse_reorg(s, ancestor);
    if (rc != 0)
        return rc;
    plasma_log(PLASMA_LOG_WARN, "chain_reorg", "ancestor=%llu deposits_removed=%zu",
               (unsigned long long)ancestor->number, removed);
    forget_exit_events_after(s, ancestor->number);
    s->chain_at = *ancestor;
    s->chain_written = ancestor->number;
    s->have_chain_at = true;
    count_applied(s, 0, 0);
    return PLASMA_OK;
}

static int follow_chain(op_sync *s)
{
    const plasma_rc_sink sink = {s, s_deposit, s_exit, s_block, s_undo};
    pthread_mutex_lock(&s->mu);
    bool stopped = s->refused;
    pthread_mutex_unlock(&s->mu);
    if (stopped)
        return PLASMA_ERR_UTXO_SPENT;
    int rc = s->be->follow(s->be->ctx, s->have_chain_at ? &s->chain_at : NULL, &sink, &s->caught_up);
    /* What a block that did not end brought comes again with it. */
    s->n_blk_deps = s->n_blk_exits = 0;
    return rc;
}

static int follow_round(op_sync *s)
{
    pthread_mutex_lock(&s->round_mu);
    uint64_t head = 0;
    int rc = s->be->head(s->be->ctx, &head);
    pthread_mutex_lock(&s->mu);
    s->st.rc_reachable = rc == 0;
    if (rc == 0)
        s->st.rc_head = head;
    pthread_mutex_unlock(&s->mu);
    if (rc == 0 && s->be->follow) {
        rc = follow_chain(s);
        if (rc == 0)
            rc = follow_finalized(s, head);
        pthread_mutex_unlock(&s->round_mu);
        return rc;
    }
    if (rc == 0)
        rc = follow_exits(s, head);
    if (rc == 0)
        rc = follow_finalized(s, head);
    if (rc == 0)
        rc = follow_deposits(s, head);
    pthread_mutex_lock(&s->mu);
    s->st.deposit_next = s->dep_next;
    s->st.exit_next = s->exit_next;
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_unlock(&s->round_mu);
    return rc;
}

int op_sync_follow_now(op_sync *s)
{
    return follow_round(s);
}

static void *follower_main(void *arg)
{
    op_sync *s = arg;
    int last_rc = 0;
    while (!stopping(s)) {
        int rc = follow_round(s);
        if (rc < 0 && rc != last_rc)
            plasma_log(PLASMA_LOG_WARN, "follow_failed", "backend=%s error=%s", s->be->name,
                       plasma_err_code(rc));
        last_rc = rc;
        /* Catching up: go on without waiting while whole ranges come back. */
        pthread_mutex_lock(&s->mu);
        bool behind = rc == 0 && (s->be->follow ? !s->caught_up || s->final_next <= s->st.rc_head
                                                : s->st.exit_next <= s->st.rc_head);
        pthread_mutex_unlock(&s->mu);
        if (!behind)
            wait_ms(s, s->cfg.poll_ms, &s->wake_follower);
    }
    return NULL;
}

/* --- submitter --- */

typedef struct pending_submit {
    uint64_t blknum;
    uint64_t sent_ms;
} pending_submit;

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void diverged(op_sync *s, uint64_t blknum)
{
    pthread_mutex_lock(&s->mu);
    bool first = !s->st.diverged;
    s->st.diverged = true;
    pthread_mutex_unlock(&s->mu);
    if (first)
        plasma_log(PLASMA_LOG_ERROR, "root_chain_diverged", "blknum=%llu reason=\"another root is stored\"",
                   (unsigned long long)blknum);
}

/* A chain that reorganises took back the submissions of blocks from..
 * below upto: their roots go to the chain again, from `from` on. */
static void lost_blocks(op_sync *s, pending_submit *p, uint64_t from, uint64_t upto)
{
    int rc = plasma_ledger_unsubmit(s->l, from);
    *p = (pending_submit){0, 0}; /* what was sent for them is gone too */
    plasma_log(rc == 0 ? PLASMA_LOG_WARN : PLASMA_LOG_ERROR, "root_chain_lost_blocks",
               "from=%llu to=%llu error=%s", (unsigned long long)from,
               (unsigned long long)(upto - PLASMA_CHILD_BLOCK_INTERVAL),
               rc == 0 ? "none" : plasma_err_code(rc));
}

/* With every sealed block on a chain that reorganises, a reorganisation can
 * still take the last ones back: the chain's next child number says so. */
static void check_submitted(op_sync *s, pending_submit *p)
{
    plasma_ledger_status st;
    uint64_t next;
    plasma_ledger_status_get(s->l, &st);
    if (st.last_submitted && s->be->next_child_block(s->be->ctx, &next) == 0 && next <= st.last_submitted)
        lost_blocks(s, p, next, st.last_submitted + PLASMA_CHILD_BLOCK_INTERVAL);
}

/* One step for the oldest unsubmitted block. Returns true when progress was
 * made and the next block may be tried at once. */
static bool submit_step(op_sync *s, pending_submit *p)
{
    uint64_t blknum, ts, next;
    plasma_hash root, stored;
    pthread_mutex_lock(&s->mu);
    bool refused = s->refused;
    pthread_mutex_unlock(&s->mu);
    /* Blocks after a refused reorganisation may spend deposits the chain
     * no longer has: none goes out. */
    if (refused)
        return false;
    if (plasma_ledger_next_unsubmitted(s->l, &blknum, &root) != 0) {
        if (s->be->follow)
            check_submitted(s, p);
        return false;
    }
    int rc = s->be->get_block(s->be->ctx, blknum, &stored, &ts);
    if (rc == 0) {
        if (!plasma_hash_eq(&root, &stored)) {
            diverged(s, blknum);
            return false;
        }
        if ((rc = plasma_ledger_mark_submitted(s->l, blknum, ts)) != 0) {
            plasma_log(PLASMA_LOG_ERROR, "mark_submitted_failed", "blknum=%llu error=%s",
                       (unsigned long long)blknum, plasma_err_code(rc));
            return false;
        }
        plasma_log(PLASMA_LOG_INFO, "block_submitted", "blknum=%llu rc_timestamp=%llu",
                   (unsigned long long)blknum, (unsigned long long)ts);
        return true;
    }
    if (rc != PLASMA_ERR_NOT_FOUND && rc != PLASMA_ERR_BLOCK_NOT_FOUND)
        return false;
    if (p->blknum == blknum && mono_ms() - p->sent_ms < s->cfg.resubmit_ms)
        return false;
    if (s->be->next_child_block(s->be->ctx, &next) != 0)
        return false;
    if (next != blknum) {
        if (next > blknum)
            diverged(s, blknum);
        else if (s->be->follow)
            lost_blocks(s, p, next, blknum);
        return false;
    }
    rc = s->be->submit_block(s->be->ctx, blknum, &root);
    if (rc == 0) {
        *p = (pending_submit){blknum, mono_ms()};
        pthread_mutex_lock(&s->mu);
        s->st.submissions++;
        pthread_mutex_unlock(&s->mu);
    } else {
        plasma_log(PLASMA_LOG_WARN, "submit_failed", "blknum=%llu error=%s", (unsigned long long)blknum,
                   plasma_err_code(rc));
    }
    return false;
}

static void *submitter_main(void *arg)
{
    op_sync *s = arg;
    pending_submit p = {0, 0};
    while (!stopping(s)) {
        if (!submit_step(s, &p))
            wait_ms(s, s->cfg.poll_ms, &s->wake_submitter);
    }
    return NULL;
}

int op_sync_start(op_sync **out, plasma_ledger *l, const plasma_rootchain_backend *be,
                  const op_sync_config *cfg)
{
    op_sync *s = calloc(1, sizeof *s);
    if (!s)
        return PLASMA_ERR_NOMEM;
    s->l = l;
    s->be = be;
    s->cfg = *cfg;
    if (!s->cfg.poll_ms)
        s->cfg.poll_ms = 200;
    if (!s->cfg.resubmit_ms)
        s->cfg.resubmit_ms = 10000;
    if (!s->cfg.max_range)
        s->cfg.max_range = 1000;
    s->dep_next = cursor_or_zero(s, "deposits");
    s->exit_next = cursor_or_zero(s, "exits");
    plasma_ledger_rc_block at;
    if (plasma_ledger_chain_cursor(l, &at) == 0) {
        s->chain_at = (plasma_rc_cursor){at.number, at.hash};
        s->have_chain_at = true;
        s->chain_written = at.number;
        s->st.deposit_next = s->st.exit_next = at.number + 1;
    }
    s->final_next = s->final_cursor = cursor_or_zero(s, "finalized");
    if (s->final_next < s->cfg.start_block)
        s->final_next = s->cfg.start_block;
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->round_mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (pthread_create(&s->follower, NULL, follower_main, s) == 0)
        s->started++;
    if (s->started == 1 && pthread_create(&s->submitter, NULL, submitter_main, s) == 0)
        s->started++;
    if (s->started != 2) {
        op_sync_free(s);
        return PLASMA_ERR_NOMEM;
    }
    *out = s;
    return PLASMA_OK;
}

void op_sync_wake(op_sync *s)
{
    pthread_mutex_lock(&s->mu);
    s->wake_submitter = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void op_sync_stats_get(op_sync *s, op_sync_stats *out)
{
    pthread_mutex_lock(&s->mu);
    *out = s->st;
    pthread_mutex_unlock(&s->mu);
}

void op_sync_free(op_sync *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    if (s->started >= 1)
        pthread_join(s->follower, NULL);
    if (s->started >= 2)
        pthread_join(s->submitter, NULL);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->round_mu);
    free(s->blk_deps);
    free(s->blk_exits);
    free(s->watch);
    free(s);
}
