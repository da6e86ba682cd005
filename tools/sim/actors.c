/* The participants of the incident and the calls they send.
 *
 * Users react after a delay (watchers sooner than the rest; offline users
 * never) and queue one startStandardExit per output, all at once or oldest
 * first, bidding a gas price that rises at every bump tick while the call
 * waits. The operator exits its stolen outputs and, if the scenario says so,
 * outputs of its own that valid published transactions already spent;
 * watchers challenge the latter with the spending transaction. Anyone (the
 * processor) calls processExits when a queue head is exitable, sizing each
 * call by estimating it first, as a keeper would with eth_estimateGas. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

#define MAX_GAS_RETRIES 3
#define BACKGROUND_ETH 1000u

int sim_push_event(sim *s, uint64_t time, uint8_t kind, uint32_t ref)
{
    sim_event ev = {.time = time, .seq = s->seq++, .ref = ref, .kind = kind};
    return sim_heap_push(&s->events, &ev);
}

/* ---- scheduling ---- */

static uint64_t delay(const sim_dist *d, sim_rng *rng)
{
    double x = sim_dist_sample(d, rng);
    return x > 0 ? (uint64_t)llround(x) : 0;
}

int sim_actors_schedule(sim *s)
{
    const sim_world *w = &s->w;
    int rc = PLASMA_OK;
    for (uint64_t u = 0; u < s->sc.n_users; u++)
        s->has_watchers = s->has_watchers || w->users[u].kind == USER_WATCHER;
    for (size_t i = 0; i < w->n_live; i++)
        s->expected_exits += w->users[w->outs[w->live[i]].owner].kind != USER_OFFLINE;
    for (uint64_t u = 0; rc == 0 && u < s->sc.n_users; u++) {
        const sim_user *user = &w->users[u];
        bool party = s->party_head && s->party_head[u] != SIM_NONE;
        if (user->kind == USER_OFFLINE || (user->head == SIM_NONE && !party))
            continue;
        const sim_dist *d = user->kind == USER_WATCHER ? &s->sc.reaction_delay : &s->sc.unwatched_delay;
        rc = sim_push_event(s, s->t_incident + delay(d, &s->rng_users), EV_USER_REACT, (uint32_t)u);
    }
    if (rc == 0 && (w->n_op_exits > 0 || w->n_ifx > 0 || w->n_theft_txs > 0)) {
        s->expected_exits += w->n_op_exits;
        rc = sim_push_event(s, s->t_incident + s->sc.op_exit_delay, EV_OPERATOR, 0);
    }
    for (unsigned t = 0; t < s->sc.n_tokens; t++)
        s->proc[t].max = s->sc.process_max;
    return rc;
}

/* ---- users ---- */

static uint32_t bump_tick(const sim *s, uint64_t t)
{
    return s->sc.bump_every ? (uint32_t)(t / s->sc.bump_every) : 0;
}

int sim_actors_push_fixed(sim *s, uint64_t price, uint8_t kind, uint32_t ref)
{
    sim_fentry f = {.price = price, .seq = s->seq++, .ref = ref, .kind = kind};
    return sim_heap_push(&s->fq, &f);
}

/* Every waiting exit is re-priced at the same ticks, so log(price) - tick0
 * * log(1 + bump) orders them by price at any one time. A bid that never
 * rises (no bumping, or already at the cap) has a fixed price and waits
 * with the other fixed-price calls. */
static int queue_user_exit(sim *s, uint32_t out, uint64_t t)
{
    const sim_user *u = &s->w.users[s->w.outs[out].owner];
    s->w.outs[out].exit = EX_WANTED;
    if (!s->sc.bump_every || u->bid >= s->sc.bump_max)
        return sim_actors_push_fixed(s, u->bid, K_USER_EXIT, out);
    sim_uentry e = {.seq = s->seq++, .out = out, .tick0 = bump_tick(s, t)};
    e.key = log((double)u->bid) - e.tick0 * s->bump_log;
    return sim_heap_push(&s->uq, &e);
}

uint64_t sim_actors_exit_gas_limit(const sim *s, uint32_t out)
{
    uint64_t limit = s->sc.exit_gas_limit << s->w.outs[out].tries;
    return limit < s->sc.block_gas_limit ? limit : s->sc.block_gas_limit;
}

uint64_t sim_actors_user_price(const sim *s, const sim_uentry *e, uint64_t now)
{
    uint64_t p0 = s->w.users[s->w.outs[e->out].owner].bid;
    if (!s->sc.bump_every || p0 >= s->sc.bump_max)
        return p0;
    double p = (double)p0 * exp((double)(bump_tick(s, now) - e->tick0) * s->bump_log);
    return p >= (double)s->sc.bump_max ? s->sc.bump_max : (uint64_t)p;
}

/* The user's oldest output that nobody has tried to exit yet. */
static uint32_t oldest_unexited(const sim *s, uint32_t user)
{
    uint32_t best = SIM_NONE;
    for (uint32_t k = s->w.users[user].head; k != SIM_NONE; k = s->w.outs[k].next)
        if (s->w.outs[k].exit == EX_NONE && (best == SIM_NONE || s->w.outs[k].pos < s->w.outs[best].pos))
            best = k;
    return best;
}

static int user_react(sim *s, uint32_t user, uint64_t now)
{
    sim_user *u = &s->w.users[user];
    double bid = sim_dist_sample(&s->sc.bid, &s->rng_users);
    u->bid = bid < 1 ? 1 : bid > 1e15 ? 1000000000000000ull : (uint64_t)bid;
    /* A party of an in-flight tx may hold no output of its own. */
    if (u->head == SIM_NONE)
        return PLASMA_OK;
    if (s->sc.order == SIM_ORDER_OLDEST_FIRST)
        return queue_user_exit(s, oldest_unexited(s, user), now);
    int rc = PLASMA_OK;
    for (uint32_t k = u->head; rc == 0 && k != SIM_NONE; k = s->w.outs[k].next)
        rc = queue_user_exit(s, k, now);
    return rc;
}

static int user_next(sim *s, uint32_t out, uint64_t now)
{
    if (s->sc.order != SIM_ORDER_OLDEST_FIRST)
        return PLASMA_OK;
    uint32_t next = oldest_unexited(s, s->w.outs[out].owner);
    return next == SIM_NONE ? PLASMA_OK : queue_user_exit(s, next, now);
}

/* ---- the operator and the watchers ---- */

int sim_actors_operator_exit(sim *s, uint32_t out)
{
    if (s->w.outs[out].exit != EX_NONE)
        return PLASMA_OK;
    s->w.outs[out].exit = EX_WANTED;
    s->expected_exits++;
    return sim_actors_push_fixed(s, s->sc.op_gas_price, K_OP_EXIT, out);
}

static int operator_exits(sim *s)
{
    int rc = PLASMA_OK;
    for (size_t i = 0; rc == 0 && i < s->w.n_op_exits; i++) {
        s->w.outs[s->w.op_exits[i]].exit = EX_WANTED;
        rc = sim_actors_push_fixed(s, s->sc.op_gas_price, K_OP_EXIT, s->w.op_exits[i]);
    }
    return rc;
}

int sim_actors_event(sim *s, const sim_event *ev)
{
    int rc;
    switch (ev->kind) {
    case EV_USER_REACT:
        rc = user_react(s, ev->ref, ev->time);
        return rc ? rc : sim_ife_user_react(s, ev->ref, ev->time);
    case EV_OPERATOR:
        rc = operator_exits(s);
        return rc ? rc : sim_ife_operator(s, ev->time);
    case EV_CHALLENGE:
        /* Too late once the exit has been paid. */
        if (s->w.outs[ev->ref].exit != EX_STARTED)
            return PLASMA_OK;
        return sim_actors_push_fixed(s, s->sc.challenge_gas_price, K_CHALLENGE, ev->ref);
    default:
        return sim_ife_event(s, ev);
    }
}

/* ---- sending ---- */

void sim_actors_fed(sim *s, sim_fed *f, const plasma_hash *hash, uint8_t kind, uint32_t ref, uint64_t expect)
{
    f->hash = *hash;
    f->price = s->call->gas_price;
    f->gas_limit = s->call->gas_limit;
    f->expect = expect;
    f->seq = s->seq++;
    f->ref = ref;
    f->kind = kind;
}

static int exit_call(sim *s, uint32_t out, uint64_t price, uint64_t limit)
{
    const plasma_addr *from = sim_world_owner(&s->w, out);
    plasma_call_init(s->call, PLASMA_CALL_START_EXIT, from, plasma_chain_next_nonce(s->chain, from), price,
                     limit);
    s->call->start_exit.bond = s->sc.exit_bond;
    return sim_world_exit_args(&s->w, out, s->call);
}

/* An exit the chain refused at the door (the owner cannot pay the bond
 * and gas): given up. */
static int exit_refused(sim *s, uint32_t out, uint64_t now)
{
    s->w.outs[out].exit = EX_FAILED;
    s->r.exits_failed++;
    s->settled++;
    int rc = s->w.outs[out].owner == SIM_OWNER_OPERATOR ? PLASMA_OK : user_next(s, out, now);
    return rc ? rc : 1;
}

int sim_actors_send_user(sim *s, uint32_t out, uint64_t price, uint64_t now, sim_fed *fed)
{
    plasma_hash hash;
    int rc = exit_call(s, out, price, sim_actors_exit_gas_limit(s, out));
    if (rc != 0)
        return rc;
    rc = plasma_chain_submit(s->chain, s->call, &hash);
    if (rc == PLASMA_ERR_NOMEM)
        return rc;
    if (rc != 0)
        return exit_refused(s, out, now);
    sim_actors_fed(s, fed, &hash, K_USER_EXIT, out, s->expect_start);
    return PLASMA_OK;
}

static int process_call(sim *s, unsigned token, uint64_t max, uint64_t limit)
{
    plasma_call_init(s->call, PLASMA_CALL_PROCESS_EXITS, &s->processor,
                     plasma_chain_next_nonce(s->chain, &s->processor), s->sc.process_gas_price, limit);
    s->call->process_exits.token = s->sc.tokens[token].addr;
    s->call->process_exits.max_exits = max;
    return PLASMA_OK;
}

int sim_actors_send_fixed(sim *s, const sim_fentry *e, uint64_t now, sim_fed *fed)
{
    plasma_hash hash;
    uint64_t expect = s->expect_start;
    int rc;
    if (e->kind == K_USER_EXIT)
        return sim_actors_send_user(s, e->ref, e->price, now, fed);
    if (e->kind == K_IFE)
        return sim_ife_send(s, e, now, fed);
    if (e->kind == K_OP_EXIT) {
        rc = exit_call(s, e->ref, e->price, sim_actors_exit_gas_limit(s, e->ref));
    } else if (e->kind == K_CHALLENGE) {
        expect = s->expect_challenge;
        plasma_call_init(s->call, PLASMA_CALL_CHALLENGE_EXIT, &s->challenger,
                         plasma_chain_next_nonce(s->chain, &s->challenger), e->price,
                         SIM_CHALLENGE_GAS_LIMIT);
        rc = sim_world_challenge_args(&s->w, e->ref, &s->dom, s->call);
    } else {
        const sim_proc *p = &s->proc[e->ref];
        expect = p->expect;
        rc = process_call(s, e->ref, p->batch, p->gas);
    }
    if (rc == 0)
        rc = plasma_chain_submit(s->chain, s->call, &hash);
    if (rc == PLASMA_ERR_NOMEM)
        return rc;
    if (rc != 0 && e->kind == K_OP_EXIT)
        return exit_refused(s, e->ref, now);
    if (rc != 0)
        return sim_fail(s, rc, "the chain refused a %s call: %s",
                        e->kind == K_CHALLENGE ? "challenge" : "processExits", plasma_err_message(rc));
    sim_actors_fed(s, fed, &hash, e->kind, e->ref, expect);
    return PLASMA_OK;
}

/* A background account with no call pending. */
static int background_account(sim *s, uint32_t *out)
{
    if (s->n_bg_free > 0) {
        *out = s->bg_free[--s->n_bg_free];
        return PLASMA_OK;
    }
    if (s->n_bg == s->cap_bg) {
        size_t cap = s->cap_bg ? 2 * s->cap_bg : 1024;
        plasma_addr *a = realloc(s->bg_accounts, cap * sizeof *a);
        if (a)
            s->bg_accounts = a;
        uint32_t *f = a ? realloc(s->bg_free, cap * sizeof *f) : NULL;
        if (!f)
            return PLASMA_ERR_NOMEM;
        s->bg_free = f;
        s->cap_bg = cap;
    }
    uint8_t pre[25] = "plasma-sim background";
    memcpy(pre + 21, &(uint32_t){(uint32_t)s->n_bg}, 4);
    plasma_hash h;
    plasma_keccak256(&h, pre, sizeof pre);
    memcpy(s->bg_accounts[s->n_bg].b, h.b, sizeof s->bg_accounts[s->n_bg].b);
    plasma_u256 funds = plasma_u256_from_u64(BACKGROUND_ETH);
    plasma_u256_mul_u64(&funds, &funds, 1000000000000000000ull);
    int rc = plasma_chain_dev_fund(s->chain, &s->bg_accounts[s->n_bg], &funds);
    if (rc == 0)
        *out = (uint32_t)s->n_bg++;
    return rc;
}

int sim_actors_send_background(sim *s, uint64_t price, sim_fed *fed)
{
    uint32_t acct;
    plasma_hash hash;
    int rc = background_account(s, &acct);
    if (rc != 0)
        return rc;
    const plasma_addr *from = &s->bg_accounts[acct];
    plasma_call_init(s->call, PLASMA_CALL_TRANSFER, from, plasma_chain_next_nonce(s->chain, from), price,
                     s->bg_gas);
    s->call->transfer.to = s->bg_sink;
    s->call->transfer.amount = plasma_u256_from_u64(1);
    rc = plasma_chain_submit(s->chain, s->call, &hash);
    if (rc != 0)
        return sim_fail(s, rc, "the chain refused a background transfer: %s", plasma_err_message(rc));
    sim_actors_fed(s, fed, &hash, K_BACKGROUND, acct, s->bg_gas);
    return PLASMA_OK;
}

/* ---- receipts ---- */

static int process_receipt(sim_proc *p, const plasma_receipt *r, uint64_t now)
{
    p->in_flight = false;
    p->last = now;
    /* The gas of a pop varies (the first of a call finds the queue's slots
     * cold, the later ones warm; a deferred payment writes a claim): a call
     * that ran out, or used much less than planned (it popped fewer exits
     * than its batch, the rest not exitable yet), says nothing of the next
     * batch, which is estimated afresh on the chain's state. */
    bool full = r->gas_used >= p->expect / 2;
    p->per_exit = r->err == 0 && full ? (r->gas_used + p->batch - 1) / p->batch : 0;
    return PLASMA_OK;
}

static int exit_receipt(sim *s, const sim_fed *f, const plasma_receipt *r, uint64_t now)
{
    sim_out *o = &s->w.outs[f->ref];
    if (f->kind == K_USER_EXIT) {
        plasma_u256 fee = plasma_u256_from_u64(r->gas_used);
        plasma_u256_mul_u64(&fee, &fee, r->gas_price);
        plasma_u256_add(&s->r.honest_fees, &s->r.honest_fees, &fee);
    }
    if (r->err == 0)
        return f->kind == K_USER_EXIT ? user_next(s, f->ref, now) : PLASMA_OK;
    if (r->err == PLASMA_ERR_OUT_OF_GAS && o->tries < MAX_GAS_RETRIES) {
        /* Like a wallet, try again with twice the gas. */
        o->tries++;
        if (f->kind == K_OP_EXIT)
            return sim_actors_push_fixed(s, f->price, K_OP_EXIT, f->ref);
        return queue_user_exit(s, f->ref, now);
    }
    o->exit = EX_FAILED;
    s->r.exits_failed++;
    s->settled++;
    return f->kind == K_USER_EXIT ? user_next(s, f->ref, now) : PLASMA_OK;
}

int sim_actors_receipt(sim *s, const sim_fed *f, const plasma_receipt *r, uint64_t now)
{
    switch (f->kind) {
    case K_USER_EXIT:
    case K_OP_EXIT:
        return exit_receipt(s, f, r, now);
    case K_PROCESS:
        return process_receipt(&s->proc[f->ref], r, now);
    case K_BACKGROUND:
        s->bg_free[s->n_bg_free++] = f->ref;
        return PLASMA_OK;
    case K_IFE:
        return sim_ife_receipt(s, f, r, now);
    default:
        return PLASMA_OK;
    }
}

/* ---- the exit processor ---- */

/* Out: *gas the estimate of processExits(token, max) in the next block.
 * Returns 0 or the error the call would fail with. */
static int estimate(sim *s, unsigned token, uint64_t max, uint64_t *gas)
{
    process_call(s, token, max, s->sc.block_gas_limit);
    return plasma_chain_check_call(s->chain, s->call, gas);
}

/* The largest batch, at most max, that processExits would complete: a
 * batch that needs more than a block is halved; one that fails (a payout
 * the contract cannot make) is cut down to the exits before the failure. */
static int size_batch(sim *s, unsigned token, uint64_t max, uint64_t *batch, uint64_t *gas, int *why)
{
    int rc;
    while ((rc = estimate(s, token, max, gas)) == PLASMA_ERR_OUT_OF_GAS && max > 1)
        max /= 2;
    *why = rc;
    if (rc == 0) {
        *batch = max;
        return PLASMA_OK;
    }
    uint64_t ok = 0, bad = max, g;
    while (bad - ok > 1) {
        uint64_t mid = ok + (bad - ok) / 2;
        if (estimate(s, token, mid, &g) == 0) {
            ok = mid;
            *gas = g;
        } else {
            bad = mid;
        }
    }
    *batch = ok;
    return PLASMA_OK;
}

static void mark_stuck(sim *s, unsigned token, int why, uint64_t now)
{
    s->proc[token].stuck = true;
    if (!s->r.queue_stuck)
        s->r.stuck_seconds = now - s->t_incident;
    s->r.queue_stuck = true;
    s->r.stuck_error = why;
    uint32_t head = sim_world_find(&s->w, s->proc[token].q.head_exit_id);
    if (!s->theft_reached && head != SIM_NONE && (s->w.outs[head].flags & OUT_THEFT)) {
        s->theft_reached = true;
        s->r.honest_paid_before_theft = s->r.honest_finalized;
    }
}

static bool ready(const sim *s, unsigned token, uint64_t now)
{
    const sim_proc *p = &s->proc[token];
    if (p->stuck || p->in_flight || p->q.size == 0)
        return false;
    return p->q.head_exitable_at <= now && (p->last == 0 || p->last + s->sc.process_every <= now);
}

/* The gas limit of a processExits expected to use gas: a margin for exits
 * that other calls of the block add or challenge first. */
static uint64_t process_limit(uint64_t gas)
{
    return gas + gas / 4 + 50000;
}

/* Sizes the next call from the gas per exit of the last one, with a margin
 * for a deeper heap; only without a good last call is it estimated. */
static int plan_process(sim *s, unsigned token, uint64_t *batch, uint64_t *gas, int *why)
{
    const sim_proc *p = &s->proc[token];
    if (p->per_exit == 0)
        return size_batch(s, token, p->max, batch, gas, why);
    uint64_t room = s->sc.block_gas_limit * 4 / 5 / p->per_exit;
    *batch = p->max < room ? p->max : room > 0 ? room : 1;
    *gas = p->per_exit * *batch;
    *why = 0;
    return PLASMA_OK;
}

int sim_actors_process(sim *s, uint64_t now)
{
    int rc = PLASMA_OK;
    for (unsigned t = 0; rc == 0 && t < s->sc.n_tokens; t++) {
        sim_proc *p = &s->proc[t];
        plasma_chain_exit_queue(&p->q, s->chain, &s->sc.tokens[t].addr);
        if (!ready(s, t, now))
            continue;
        uint64_t batch, gas;
        int why;
        rc = plan_process(s, t, &batch, &gas, &why);
        if (rc != 0)
            break;
        if (batch == 0) {
            mark_stuck(s, t, why, now);
            continue;
        }
        /* The limit leaves a tenth of the block to calls that outbid it: a
         * call that needs the whole block waits for an empty one, and with
         * background paying more than the processor there is none. */
        for (uint64_t per = gas / batch; batch > 1 && process_limit(gas) > s->sc.block_gas_limit / 10 * 9;)
            gas = per * --batch;
        uint64_t limit = process_limit(gas);
        p->gas = limit < s->sc.block_gas_limit ? limit : s->sc.block_gas_limit;
        p->expect = gas;
        p->batch = batch;
        p->in_flight = true;
        rc = sim_actors_push_fixed(s, s->sc.process_gas_price, K_PROCESS, t);
    }
    return rc;
}

uint64_t sim_actors_next_process(const sim *s)
{
    uint64_t best = UINT64_MAX;
    for (unsigned t = 0; t < s->sc.n_tokens; t++) {
        const sim_proc *p = &s->proc[t];
        plasma_exit_queue_info q;
        plasma_chain_exit_queue(&q, s->chain, &s->sc.tokens[t].addr);
        if (p->stuck || p->in_flight || q.size == 0)
            continue;
        uint64_t at = q.head_exitable_at, after = p->last ? p->last + s->sc.process_every : 0;
        at = at > after ? at : after;
        best = at < best ? at : best;
    }
    return best;
}
