/* The run: the child chain's history replayed on an in-process root chain,
 * then the incident played one root-chain block at a time.
 *
 * Every block is planned before it is mined. The plan walks the calls that
 * want in (those already in the chain's pool, queued users' exits, fixed-
 * price calls, and this block's fresh background demand) in the order the
 * chain's miner takes them (gas price, then arrival), and only what would
 * make it into the block is sent: the pool stays one block deep, however many
 * exits are waiting. Background transfers ahead of our calls are executed
 * when the block is contested; when all of ours fit anyway, and below our
 * cheapest call, background cannot change what gets in and is counted, not
 * executed. A block that none of our calls would enter is not mined at all:
 * time moves on by one block and the block is recorded as full of
 * background. docs/simulation.md explains why each shortcut is exact. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sim_int.h"

#define SETUP_GAS_PRICE 1000000000ull /* 1 gwei */
#define SETUP_GAS_LIMIT 1000000u
#define PROGRESS_EVERY 32
/* Receipts and events are read right after each block, so a short window
 * is enough; it keeps a million exits' history out of memory. */
#define HISTORY_BLOCKS 64

int sim_fail(sim *s, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    plasma_err_vprintf(rc, s->err, s->errlen, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- lifecycle ---- */

static bool uentry_less(const void *a, const void *b)
{
    const sim_uentry *x = a, *y = b;
    return x->key != y->key ? x->key > y->key : x->seq < y->seq;
}

static bool fentry_less(const void *a, const void *b)
{
    const sim_fentry *x = a, *y = b;
    return x->price != y->price ? x->price > y->price : x->seq < y->seq;
}

static bool event_less(const void *a, const void *b)
{
    const sim_event *x = a, *y = b;
    return x->time != y->time ? x->time < y->time : x->seq < y->seq;
}

int sim_new(sim **out, const sim_scenario *sc)
{
    sim *s = calloc(1, sizeof *s);
    plasma_call *call = malloc(sizeof *call);
    if (!s || !call) {
        free(s);
        free(call);
        return PLASMA_ERR_NOMEM;
    }
    s->sc = *sc;
    s->call = call;
    sim_heap_init(&s->uq, sizeof(sim_uentry), uentry_less);
    sim_heap_init(&s->fq, sizeof(sim_fentry), fentry_less);
    sim_heap_init(&s->events, sizeof(sim_event), event_less);
    *out = s;
    return PLASMA_OK;
}

void sim_free(sim *s)
{
    if (!s)
        return;
    plasma_chain_free(s->chain);
    sim_ife_free(s); /* before the world: it counts the exits by the world's txs in flight */
    sim_world_free(&s->w);
    sim_heap_free(&s->uq);
    sim_heap_free(&s->fq);
    sim_heap_free(&s->events);
    free(s->fed);
    free(s->rows);
    free(s->bg_accounts);
    free(s->bg_free);
    free(s->call);
    free(s);
}

void sim_keep_history(sim *s)
{
    s->keep_history = true;
}

const sim_result *sim_get_result(const sim *s)
{
    return &s->r;
}
const plasma_chain *sim_get_chain(const sim *s)
{
    return s->chain;
}
const plasma_addr *sim_operator(const sim *s)
{
    return &s->w.operator_addr;
}
uint64_t sim_incident_time(const sim *s)
{
    return s->t_incident;
}
const sim_scenario *sim_get_scenario(const sim *s)
{
    return &s->sc;
}

const sim_row *sim_get_rows(const sim *s, size_t *n)
{
    *n = s->n_rows;
    return s->rows;
}

/* ---- the chain and its accounts ---- */

static uint64_t next_block_time(const sim *s)
{
    plasma_chain_head h;
    plasma_chain_get_head(&h, s->chain);
    return h.timestamp + s->sc.block_time + h.time_offset;
}

/* Moves the chain's clock so that the next block is the first one, on the
 * block-time grid, at or after t. */
static int advance_to(sim *s, uint64_t t)
{
    uint64_t next = next_block_time(s), bt = s->sc.block_time;
    if (t <= next)
        return PLASMA_OK;
    return plasma_chain_dev_advance_time(s->chain, (t - next + bt - 1) / bt * bt);
}

static int mine_all(sim *s, plasma_chain_block *last)
{
    plasma_chain_head h;
    int rc;
    do {
        rc = plasma_chain_mine(s->chain, last);
        plasma_chain_get_head(&h, s->chain);
    } while (rc == 0 && h.pending_calls > 0);
    return rc;
}

static int fund(sim *s, const plasma_addr *who, const plasma_u256 *wei)
{
    return plasma_chain_dev_fund(s->chain, who, wei);
}

/* The operator pays for the deposits, its exits' bonds and all its gas. */
static int fund_operator(sim *s)
{
    const sim_world *w = &s->w;
    plasma_u256 need = plasma_u256_from_u64(1000), per_exit;
    plasma_u256_mul_u64(&need, &need, 1000000000000000000ull);
    per_exit = plasma_u256_from_u64(s->sc.exit_gas_limit);
    plasma_u256_mul_u64(&per_exit, &per_exit, s->sc.op_gas_price);
    plasma_u256_add(&per_exit, &per_exit, &s->sc.exit_bond);
    plasma_u256_mul_u64(&per_exit, &per_exit, w->n_op_exits);
    plasma_u256_add(&need, &need, &per_exit);
    /* Its attacks on in-flight exits: a handful of calls per tx at most,
     * each with a bond, and the theft txs' exits. */
    plasma_u256 per_ife = plasma_u256_from_u64(1000000);
    plasma_u256_mul_u64(&per_ife, &per_ife, s->sc.op_gas_price);
    plasma_u256_add(&per_ife, &per_ife, &s->sc.ife_bond);
    plasma_u256_add(&per_ife, &per_ife, &s->sc.exit_bond);
    plasma_u256_mul_u64(&per_ife, &per_ife, 8 * (w->n_ifx + w->n_theft_txs));
    plasma_u256_add(&need, &need, &per_ife);
    int rc = PLASMA_OK;
    for (unsigned t = 0; rc == 0 && t < s->sc.n_tokens; t++) {
        if (plasma_addr_is_zero(&s->sc.tokens[t].addr))
            rc = plasma_u256_add(&need, &need, &w->deposited[t]);
        else if (!plasma_u256_is_zero(&w->deposited[t]))
            rc = plasma_chain_dev_mint(s->chain, &w->operator_addr, &s->sc.tokens[t].addr, &w->deposited[t]);
    }
    return rc ? rc : fund(s, &w->operator_addr, &need);
}

static int fund_accounts(sim *s)
{
    plasma_u256 lots = plasma_u256_from_u64(1000000000ull);
    plasma_u256_mul_u64(&lots, &lots, 1000000000000000000ull);
    int rc = plasma_chain_dev_prefund(s->chain);
    if (rc == 0)
        rc = fund_operator(s);
    if (rc == 0)
        rc = fund(s, &s->processor, &lots);
    if (rc == 0)
        rc = fund(s, &s->challenger, &lots);
    for (uint64_t u = 0; rc == 0 && u < s->sc.n_users; u++)
        if (s->w.users[u].kind != USER_OFFLINE)
            rc = fund(s, &s->w.user_addr[u], &s->sc.user_eth);
    return rc;
}

static int make_chain(sim *s)
{
    plasma_chain_config cfg;
    plasma_chain_config_default(&cfg);
    cfg.block_gas_limit = s->sc.block_gas_limit;
    cfg.block_time = s->sc.block_time;
    cfg.min_exit_period = s->sc.exit_period;
    cfg.exit_bond = s->sc.exit_bond;
    cfg.ife_bond = s->sc.ife_bond;
    cfg.piggyback_bond = s->sc.piggyback_bond;
    cfg.history_blocks = s->keep_history ? 0 : HISTORY_BLOCKS;
    int rc = plasma_chain_new(&s->chain, &cfg, NULL);
    if (rc != 0)
        return sim_fail(s, rc, "cannot create the root chain: %s", plasma_err_message(rc));
    plasma_domain_init(&s->dom, cfg.chain_id, &cfg.contract);
    plasma_dev_addr(&s->processor, 1);
    plasma_dev_addr(&s->challenger, 2);
    /* Background transfers all cost the same: intrinsic gas only. */
    memset(s->bg_sink.b, 0xbb, sizeof s->bg_sink.b);
    plasma_call_init(s->call, PLASMA_CALL_TRANSFER, &s->bg_sink, 0, 1, 0);
    s->call->transfer.to = s->bg_sink;
    s->call->transfer.amount = plasma_u256_from_u64(1);
    s->bg_gas = plasma_call_intrinsic_gas(s->call);
    return fund_accounts(s);
}

/* ---- the history: deposits and block roots ---- */

static int operator_call(sim *s, plasma_call_kind kind)
{
    plasma_call_init(s->call, kind, &s->w.operator_addr,
                     plasma_chain_next_nonce(s->chain, &s->w.operator_addr), SETUP_GAS_PRICE,
                     SETUP_GAS_LIMIT);
    return PLASMA_OK;
}

/* Checks that the contract stored block b as the simulation built it, and
 * records its time. */
static int check_block(sim *s, sim_block *b)
{
    plasma_block_record rec;
    int rc = plasma_chain_block_root(&rec, s->chain, b->blknum);
    if (rc != 0 || !plasma_hash_eq(&rec.root, &b->root) || rec.is_deposit != b->deposit)
        return sim_fail(s, SIM_EINVARIANT, "child block %llu: the root chain stored another root",
                        (unsigned long long)b->blknum);
    b->timestamp = rec.timestamp;
    return PLASMA_OK;
}

static int replay_deposits(sim *s)
{
    sim_world *w = &s->w;
    int rc = PLASMA_OK;
    for (size_t i = 0; rc == 0 && i < w->n_deposits; i++) {
        const sim_out *o = &w->outs[w->txs[w->blocks[i].first_tx].first_out];
        operator_call(s, PLASMA_CALL_DEPOSIT);
        s->call->deposit.token = s->sc.tokens[o->token].addr;
        s->call->deposit.amount = o->amount;
        rc = plasma_chain_submit(s->chain, s->call, NULL);
    }
    if (rc == 0)
        rc = mine_all(s, NULL);
    for (size_t i = 0; rc == 0 && i < w->n_deposits; i++)
        rc = check_block(s, &w->blocks[i]);
    return rc;
}

/* Submits the roots of blocks [from, to) in one root-chain block. */
static int submit_roots(sim *s, size_t from, size_t to)
{
    int rc = PLASMA_OK;
    for (size_t i = from; rc == 0 && i < to; i++) {
        operator_call(s, PLASMA_CALL_SUBMIT_BLOCK);
        s->call->submit_block.root = s->w.blocks[i].root;
        rc = plasma_chain_submit(s->chain, s->call, NULL);
    }
    if (rc == 0)
        rc = mine_all(s, NULL);
    for (size_t i = from; rc == 0 && i < to; i++)
        rc = check_block(s, &s->w.blocks[i]);
    return rc;
}

/* Funding blocks first, then one activity block per child-block interval,
 * then the incident one interval after the last block. */
static int replay_blocks(sim *s, size_t first_activity)
{
    sim_world *w = &s->w;
    int rc = submit_roots(s, w->n_deposits, first_activity);
    uint64_t t = next_block_time(s) - s->sc.block_time + s->sc.funding_age;
    for (size_t i = first_activity; rc == 0 && i < w->first_incident_block; i++) {
        rc = advance_to(s, t);
        if (rc == 0)
            rc = submit_roots(s, i, i + 1);
        t = w->blocks[i].timestamp + s->sc.child_interval;
    }
    if (rc == 0 && w->first_incident_block == first_activity)
        t = next_block_time(s) - s->sc.block_time + s->sc.child_interval;
    return rc ? rc : advance_to(s, t);
}

/* Block B (withhold, theft) or the moment users learn that the operator
 * is gone or closing (disappear, honest). */
static int start_incident(sim *s)
{
    sim_world *w = &s->w;
    int rc;
    if (w->first_incident_block < w->n_blocks) {
        rc = submit_roots(s, w->first_incident_block, w->n_blocks);
        s->r.incident_blknum = w->blocks[w->first_incident_block].blknum;
        s->t_incident = w->blocks[w->first_incident_block].timestamp;
        s->t_deadline = s->t_incident + s->sc.exit_period;
        s->r.deadline_seconds = (int64_t)s->sc.exit_period;
    } else {
        s->t_incident = next_block_time(s);
        rc = plasma_chain_mine(s->chain, NULL);
        s->t_deadline = UINT64_MAX;
        s->r.deadline_seconds = -1;
    }
    s->t_end = s->t_incident + s->sc.max_time;
    return rc;
}

/* ---- planning a block ---- */

enum { SRC_FED, SRC_FIXED, SRC_USER, SRC_BG, SRC_NONE };

typedef struct action {
    uint8_t src;
    union {
        sim_uentry u;
        sim_fentry f;
        uint64_t bg_price;
    };
} action;

typedef struct plan {
    action *a;
    size_t n, cap;
    action *skipped;
    size_t n_skipped, cap_skipped;
    uint64_t remaining, filler;
    uint64_t slack; /* gas our planned calls may use beyond the estimates */
    size_t ours;
    size_t fed_seen; /* calls in the pool the walk reached */
    bool contested;  /* a call of ours did not fit */
    /* A queue whose head did not fit is not searched further: its entries
     * ask for about the same gas limit. */
    bool fixed_full, user_full;
    /* This block's fresh background demand, generated best price first:
     * the descending order statistics of bg_left draws, made one at a time
     * as the plan reaches them (most blocks need a few dozen, not all). */
    uint64_t bg_left, bg_price;
    double bg_u;
    bool bg_has;
} plan;

static int push_action(action **a, size_t *n, size_t *cap, const action *x)
{
    if (plasma_grow((void **)a, cap, *n + 1, sizeof **a) < 0)
        return PLASMA_ERR_NOMEM;
    (*a)[(*n)++] = *x;
    return PLASMA_OK;
}

static int cmp_fed(const void *a, const void *b)
{
    const sim_fed *x = a, *y = b;
    if (x->price != y->price)
        return x->price < y->price ? 1 : -1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static void background_start(sim *s, plan *p)
{
    double mean = s->sc.bg_gas_per_block > 0 ? s->sc.bg_gas_per_block / (double)s->bg_gas : 0;
    p->bg_left = sim_rng_poisson(&s->rng_bg, mean);
    p->bg_u = 1.0;
    p->bg_has = false;
}

static uint64_t clamp_price(double p)
{
    return p < 1 ? 1 : p > 1e15 ? 1000000000000000ull : (uint64_t)p;
}

/* Out: the best remaining background price. Returns false when none is
 * left. The largest of n uniform draws is V^(1/n); the next is that times
 * V'^(1/(n-1)), and so on. */
static bool background_peek(sim *s, plan *p, uint64_t *price)
{
    if (!p->bg_has) {
        if (p->bg_left == 0)
            return false;
        p->bg_u *= pow(1.0 - sim_rng_unit(&s->rng_bg), 1.0 / (double)p->bg_left);
        p->bg_left--;
        p->bg_price = clamp_price(floor(sim_dist_quantile(&s->sc.bg_gas_price, p->bg_u)));
        p->bg_has = true;
    }
    *price = p->bg_price;
    return true;
}

static void fixed_cost(const sim *s, const sim_fentry *f, uint64_t *limit, uint64_t *expect)
{
    switch (f->kind) {
    case K_CHALLENGE:
        *limit = SIM_CHALLENGE_GAS_LIMIT;
        *expect = s->expect_challenge;
        break;
    case K_PROCESS:
        *limit = s->proc[f->ref].gas;
        *expect = s->proc[f->ref].expect;
        break;
    case K_IFE:
        sim_ife_cost(s, f->ref, limit, expect);
        break;
    default:
        *limit = sim_actors_exit_gas_limit(s, f->ref);
        *expect = s->expect_start;
        break;
    }
}

/* Takes one candidate into the plan: into the block when it fits, else
 * aside (queued calls go back to their queue afterwards). */
static int take(plan *p, const action *x, uint64_t limit, uint64_t expect, bool ours)
{
    if (limit > p->remaining) {
        p->fixed_full = p->fixed_full || x->src == SRC_FIXED;
        p->user_full = p->user_full || x->src == SRC_USER;
        p->contested = p->contested || ours;
        return x->src == SRC_FED || x->src == SRC_BG
                   ? 0
                   : push_action(&p->skipped, &p->n_skipped, &p->cap_skipped, x);
    }
    p->remaining -= expect < p->remaining ? expect : p->remaining;
    p->ours += ours;
    if (ours)
        p->slack += limit > expect ? limit - expect : 0;
    return x->src == SRC_FED ? 0 : push_action(&p->a, &p->n, &p->cap, x);
}

/* The best next candidate: the highest price, ties to the earliest arrival
 * (calls in the pool, then fixed-price, users' and background calls). */
static uint8_t best_source(sim *s, plan *p, size_t fi, uint64_t now, uint64_t *price)
{
    uint8_t src = SRC_NONE;
    *price = 0;
    if (fi < s->n_fed) {
        src = SRC_FED;
        *price = s->fed[fi].price;
    }
    const sim_fentry *f = p->fixed_full ? NULL : sim_heap_top(&s->fq);
    if (f && (src == SRC_NONE || f->price > *price)) {
        src = SRC_FIXED;
        *price = f->price;
    }
    const sim_uentry *u = p->user_full ? NULL : sim_heap_top(&s->uq);
    uint64_t up = u ? sim_actors_user_price(s, u, now) : 0;
    if (u && (src == SRC_NONE || up > *price)) {
        src = SRC_USER;
        *price = up;
    }
    uint64_t bp;
    if (src != SRC_NONE && background_peek(s, p, &bp) && bp > *price) {
        src = SRC_BG;
        *price = bp;
    }
    return src;
}

static int plan_step(sim *s, plan *p, uint8_t src, uint64_t price, size_t *fi)
{
    action x = {.src = src};
    uint64_t limit, expect;
    const sim_fed *fed;
    switch (src) {
    case SRC_FED:
        fed = &s->fed[(*fi)++];
        return take(p, &x, fed->gas_limit, fed->expect, fed->kind != K_BACKGROUND);
    case SRC_FIXED:
        sim_heap_pop(&s->fq, &x.f);
        if (x.f.kind == K_IFE && sim_ife_stale(s, &x.f))
            return PLASMA_OK;
        fixed_cost(s, &x.f, &limit, &expect);
        return take(p, &x, limit, expect, true);
    case SRC_USER:
        sim_heap_pop(&s->uq, &x.u);
        return take(p, &x, sim_actors_exit_gas_limit(s, x.u.out), s->expect_start, true);
    default:
        x.bg_price = price;
        p->bg_has = false;
        return take(p, &x, s->bg_gas, s->bg_gas, false);
    }
}

/* When every call of ours fits, even at its full gas limit, the background
 * transfers ahead of them cannot change what gets in: they are counted, not
 * executed. A transfer's gas is its intrinsic gas, so the count is exact. */
static void drop_uncontested_background(sim *s, plan *p)
{
    bool ours_left = (!p->user_full && s->uq.n > 0) || (!p->fixed_full && s->fq.n > 0);
    for (size_t i = p->fed_seen; i < s->n_fed; i++)
        ours_left = ours_left || s->fed[i].kind != K_BACKGROUND;
    if (p->contested || ours_left || p->remaining < p->slack)
        return;
    size_t kept = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (p->a[i].src == SRC_BG)
            p->filler += s->bg_gas;
        else
            p->a[kept++] = p->a[i];
    }
    p->n = kept;
}

static int plan_block(sim *s, plan *p, uint64_t now)
{
    size_t fi = 0;
    int rc = PLASMA_OK;
    p->remaining = s->sc.block_gas_limit;
    if (s->n_fed > 1)
        qsort(s->fed, s->n_fed, sizeof *s->fed, cmp_fed);
    while (rc == 0 && p->remaining >= PLASMA_GAS_BASE) {
        uint64_t price;
        uint8_t src = best_source(s, p, fi, now, &price);
        if (src == SRC_NONE)
            break;
        rc = plan_step(s, p, src, price, &fi);
    }
    uint64_t fits = s->bg_gas ? p->remaining / s->bg_gas : 0, left = p->bg_left + p->bg_has;
    p->filler = (fits < left ? fits : left) * s->bg_gas;
    p->fed_seen = fi;
    if (rc == 0)
        drop_uncontested_background(s, p);
    return rc;
}

/* Puts planned or skipped queue entries back. */
static int unplan(sim *s, const action *a, size_t n)
{
    int rc = PLASMA_OK;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (a[i].src == SRC_USER)
            rc = sim_heap_push(&s->uq, &a[i].u);
        else if (a[i].src == SRC_FIXED)
            rc = sim_heap_push(&s->fq, &a[i].f);
    }
    return rc;
}

static int push_fed(sim *s, const sim_fed *f)
{
    if (plasma_grow((void **)&s->fed, &s->cap_fed, s->n_fed + 1, sizeof *s->fed) < 0)
        return PLASMA_ERR_NOMEM;
    s->fed[s->n_fed++] = *f;
    return PLASMA_OK;
}

static int send_action(sim *s, const action *a, uint64_t now)
{
    sim_fed f;
    int rc;
    if (a->src == SRC_USER)
        rc = sim_actors_send_user(s, a->u.out, sim_actors_user_price(s, &a->u, now), now, &f);
    else if (a->src == SRC_FIXED)
        rc = sim_actors_send_fixed(s, &a->f, now, &f);
    else
        rc = sim_actors_send_background(s, a->bg_price, &f);
    if (rc == 1)
        return PLASMA_OK;
    return rc ? rc : push_fed(s, &f);
}

/* ---- after a block ---- */

/* The in-flight exit calls: all of them, and per successful start,
 * piggyback and non-canonical challenge. */
static void count_ife_gas(sim *s, const plasma_receipt *r)
{
    sim_ife_result *ife = &s->r.ife;
    ife->gas_calls += r->gas_used;
    s->row.gas_exits += r->gas_used;
    if (r->err != 0)
        return;
    if (r->kind == PLASMA_CALL_START_IFE) {
        ife->gas_start += r->gas_used;
        ife->n_start++;
    } else if (r->kind == PLASMA_CALL_PIGGYBACK_INPUT || r->kind == PLASMA_CALL_PIGGYBACK_OUTPUT) {
        ife->gas_piggyback += r->gas_used;
        ife->n_piggyback++;
    } else if (r->kind == PLASMA_CALL_CHALLENGE_IFE) {
        ife->gas_challenge += r->gas_used;
        ife->n_challenge++;
    }
    uint64_t *e = &s->expect_ife[r->kind];
    *e = (*e * 3 + r->gas_used) / 4;
}

static void count_receipt_gas(sim *s, const plasma_receipt *r)
{
    sim_result *res = &s->r;
    switch (r->kind) {
    case PLASMA_CALL_START_EXIT:
        if (r->err == 0)
            res->gas_starts += r->gas_used;
        else
            res->gas_failed_starts += r->gas_used;
        s->row.gas_exits += r->gas_used;
        break;
    case PLASMA_CALL_PROCESS_EXITS:
        res->gas_process += r->gas_used;
        s->row.gas_exits += r->gas_used;
        break;
    case PLASMA_CALL_CHALLENGE_EXIT:
        res->gas_challenges += r->gas_used;
        s->row.gas_exits += r->gas_used;
        break;
    case PLASMA_CALL_TRANSFER:
        res->gas_background += r->gas_used;
        s->row.gas_background += r->gas_used;
        break;
    case PLASMA_CALL_DEPOSIT:
    case PLASMA_CALL_SUBMIT_BLOCK:
    case PLASMA_CALL_WITHDRAW:
        /* Deposits and block roots all come before the incident; nobody
         * withdraws. */
        break;
    default:
        count_ife_gas(s, r);
        break;
    }
}

static int receipt_cb(const plasma_receipt *r, void *payload)
{
    sim *s = payload;
    count_receipt_gas(s, r);
    if (r->kind == PLASMA_CALL_START_EXIT && r->err == 0)
        s->expect_start = (s->expect_start * 7 + r->gas_used) / 8;
    if (r->kind == PLASMA_CALL_CHALLENGE_EXIT && r->err == 0)
        s->expect_challenge = (s->expect_challenge * 3 + r->gas_used) / 4;
    return 0;
}

static int event_cb(const plasma_event *ev, void *payload)
{
    sim *s = payload;
    return sim_books_event(s, ev, s->row.t + s->t_incident);
}

/* Settles the calls of ours that the block took. */
static int settle_fed(sim *s, uint64_t now)
{
    size_t kept = 0;
    int rc = PLASMA_OK;
    for (size_t i = 0; i < s->n_fed; i++) {
        plasma_receipt r;
        if (rc != 0 || plasma_chain_receipt(&r, s->chain, &s->fed[i].hash) != 0) {
            s->fed[kept++] = s->fed[i];
            continue;
        }
        rc = sim_actors_receipt(s, &s->fed[i], &r, now);
    }
    s->n_fed = kept;
    return rc;
}

static uint64_t queue_depth(const sim *s)
{
    uint64_t n = 0;
    for (unsigned t = 0; t < s->sc.n_tokens; t++) {
        plasma_exit_queue_info q;
        plasma_chain_exit_queue(&q, s->chain, &s->sc.tokens[t].addr);
        n += q.size;
    }
    return n;
}

static int push_row(sim *s)
{
    if (plasma_grow((void **)&s->rows, &s->cap_rows, s->n_rows + 1, sizeof *s->rows) < 0)
        return PLASMA_ERR_NOMEM;
    s->row.queue_depth = queue_depth(s);
    s->rows[s->n_rows++] = s->row;
    return PLASMA_OK;
}

static int after_block(sim *s, const plasma_chain_block *b)
{
    int rc = plasma_chain_block_receipts(s->chain, b->number, receipt_cb, s);
    if (rc == 0)
        rc = settle_fed(s, b->timestamp);
    if (rc == 0)
        rc = plasma_chain_events_since(s->chain, b->number, event_cb, s);
    s->r.rootchain_blocks_mined++;
    s->r.gas_used += b->gas_used;
    s->row.chain_block = b->number;
    return rc ? rc : push_row(s);
}

static void start_row(sim *s, uint64_t now)
{
    memset(&s->row, 0, sizeof s->row);
    s->row.t = now - s->t_incident;
    s->row.height = s->row.t / s->sc.block_time;
    s->row.gas_limit = s->sc.block_gas_limit;
}

/* Plans, sends and mines the block at time now, or lets it pass full of
 * background when nothing of ours would get in. */
static int play_block(sim *s, uint64_t now)
{
    plan p = {0};
    start_row(s, now);
    background_start(s, &p);
    int rc = plan_block(s, &p, now);
    if (rc == 0 && p.ours == 0) {
        rc = unplan(s, p.a, p.n);
        s->row.gas_filler = s->sc.block_gas_limit - p.remaining + p.filler;
        if (rc == 0)
            rc = plasma_chain_dev_advance_time(s->chain, s->sc.block_time);
        if (rc == 0)
            rc = push_row(s);
        goto cleanup;
    }
    for (size_t i = 0; rc == 0 && i < p.n; i++)
        rc = send_action(s, &p.a[i], now);
    s->row.gas_filler = p.filler;
    plasma_chain_block b;
    if (rc == 0)
        rc = plasma_chain_mine(s->chain, &b);
    if (rc == 0)
        rc = after_block(s, &b);
cleanup:
    if (rc == 0)
        rc = unplan(s, p.skipped, p.n_skipped);
    free(p.a);
    free(p.skipped);
    return rc;
}

/* ---- the incident, block by block ---- */

static bool idle(const sim *s)
{
    return s->uq.n == 0 && s->fq.n == 0 && s->n_fed == 0;
}

static uint64_t next_wakeup(const sim *s)
{
    const sim_event *e = sim_heap_top(&s->events);
    uint64_t t = sim_actors_next_process(s);
    return e && e->time < t ? e->time : t;
}

static int run_due_events(sim *s, uint64_t now)
{
    int rc = PLASMA_OK;
    for (const sim_event *e; rc == 0 && (e = sim_heap_top(&s->events)) && e->time <= now;) {
        sim_event ev;
        sim_heap_pop(&s->events, &ev);
        rc = sim_actors_event(s, &ev);
    }
    return rc;
}

static void report_progress(sim *s, sim_progress_fn progress, void *payload, uint64_t now)
{
    if (progress && s->n_rows % PROGRESS_EVERY == 0)
        progress(payload, s->settled, s->expected_exits, s->r.exits_started, now - s->t_incident);
}

static int play(sim *s, sim_progress_fn progress, void *payload)
{
    int rc = PLASMA_OK;
    while (rc == 0) {
        uint64_t now = next_block_time(s);
        if (idle(s)) {
            uint64_t t = next_wakeup(s);
            if (t == UINT64_MAX)
                break;
            rc = advance_to(s, t);
            now = next_block_time(s);
        }
        if (rc != 0 || now > s->t_end)
            break;
        rc = run_due_events(s, now);
        if (rc == 0)
            rc = sim_actors_process(s, now);
        if (rc == 0 && !idle(s)) {
            rc = play_block(s, now);
            report_progress(s, progress, payload, now);
        }
    }
    /* Blocks let pass full of background count too. */
    uint64_t last = next_block_time(s) - s->sc.block_time;
    last = last < s->t_end ? last : s->t_end;
    s->r.seconds_simulated = last > s->t_incident ? last - s->t_incident : 0;
    /* A blocked queue is found while planning the block after the last. */
    if (s->r.queue_stuck && s->r.stuck_seconds > s->r.seconds_simulated)
        s->r.seconds_simulated = s->r.stuck_seconds;
    return rc;
}

/* ---- the whole run ---- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void measure(sim *s, double started)
{
    struct rusage ru;
    s->r.wall_seconds = now_seconds() - started;
    s->r.exits_per_s = s->r.wall_seconds > 0 ? (double)s->r.exits_started / s->r.wall_seconds : 0;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        s->r.peak_rss_mb = (double)ru.ru_maxrss / 1024.0;
}

static int setup(sim *s)
{
    s->r.priority_order_ok = true;
    s->expect_start = 170000;
    s->expect_challenge = 80000;
    sim_rng_seed(&s->rng_users, s->sc.seed, 11);
    sim_rng_seed(&s->rng_bg, s->sc.seed, 12);
    sim_rng_seed(&s->rng_watch, s->sc.seed, 13);
    s->bump_log = s->sc.bump_every ? log1p(s->sc.bump_pct / 100.0) : 0;
    int rc = sim_world_build(&s->w, &s->sc, s->err, s->errlen);
    if (rc == 0)
        rc = sim_world_incident(&s->w);
    if (rc == 0)
        rc = make_chain(s);
    if (rc == 0)
        rc = sim_ife_setup(s);
    return rc;
}

int sim_run(sim *s, sim_progress_fn progress, void *payload, char *err, size_t errlen)
{
    double started = now_seconds();
    s->err = err;
    s->errlen = errlen;
    err[0] = '\0';
    int rc = setup(s);
    size_t first_activity = 0;
    if (rc == 0) {
        first_activity = s->w.first_incident_block - s->sc.activity_blocks;
        rc = replay_deposits(s);
    }
    if (rc == 0)
        rc = replay_blocks(s, first_activity);
    if (rc == 0)
        rc = start_incident(s);
    if (rc == 0)
        rc = sim_actors_schedule(s);
    if (rc == 0)
        rc = play(s, progress, payload);
    if (rc == 0)
        rc = sim_books_finish(s);
    measure(s, started);
    if (rc != 0 && !err[0])
        snprintf(err, errlen, "simulation failed: %s", plasma_err_message(rc));
    return rc;
}
