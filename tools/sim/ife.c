/* In-flight exits during the incident (docs/simulation.md, "In-flight
 * transactions" and "Attacks on in-flight exits"): the honest parties of
 * the in-flight txs, the watchers, and the operator's attacks.
 *
 * Every in-flight exit call is a job: made by someone, queued at a price
 * (at once, or when an event fires), sent when a block's plan takes it and
 * settled by its receipt. The chain's events, read by ife_books.c, move
 * each exit's state and call back here for the jobs they trigger. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

#define IFE_GAS_RETRIES 3
/* Gas limits of the calls (docs/gas.md measures each: a start costs about
 * 180,000 per input, the others 50,000 to 130,000 plus heap work). */
#define START_GAS_BASE 120000u
#define START_GAS_PER_INPUT 130000u
#define IFE_CALL_GAS 250000u

enum { JOB_WAITING = JOB_DONE + 1 };

/* ---- setup ---- */

static int cmp_ids(const void *a, const void *b)
{
    return memcmp(((const sim_ife_id *)a)->id, ((const sim_ife_id *)b)->id, 32);
}

/* The tx of in-flight exit i: T of in-flight tx i/2, or its competitor. */
static uint32_t ife_tx(const sim *s, uint32_t i)
{
    const sim_ifx *f = &s->w.ifx[i / 2];
    return i % 2 ? f->competitor : f->tx;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* In-flight exit i: its id, and its place in the lookups by id and tx. */
static int add_exit(sim *s, uint32_t i)
{
    plasma_tx t;
    plasma_u256 id;
    sim_world_build_tx(&s->w, ife_tx(s, i), &t);
    int rc = plasma_ife_id(&id, &t);
    if (rc != 0)
        return rc;
    s->ifes[i].id = id;
    s->ifes[i].canonical = true;
    s->ifes[i].first_job = SIM_NONE;
    s->tx_ife[s->n_ife_ids] = (uint64_t)ife_tx(s, i) << 32 | i;
    sim_ife_id *e = &s->ife_ids[s->n_ife_ids++];
    plasma_u256_to_be(e->id, &id);
    e->ife = i;
    return PLASMA_OK;
}

static void add_party(sim *s, uint32_t user, uint32_t f, size_t *n)
{
    s->party_ifx[*n] = f;
    s->party_next[*n] = s->party_head[user];
    s->party_head[user] = (uint32_t)(*n)++;
}

static int alloc_state(sim *s, size_t n)
{
    s->ifes = calloc(2 * n, sizeof *s->ifes);
    s->ife_ids = malloc(2 * n * sizeof *s->ife_ids);
    s->tx_ife = malloc(2 * n * sizeof *s->tx_ife);
    s->party_head = malloc(s->sc.n_users * sizeof *s->party_head);
    s->party_next = malloc(2 * n * sizeof *s->party_next);
    s->party_ifx = malloc(2 * n * sizeof *s->party_ifx);
    s->react_sender = malloc(n * sizeof *s->react_sender);
    s->react_recipient = malloc(n * sizeof *s->react_recipient);
    s->in_time_sender = calloc(n, sizeof *s->in_time_sender);
    s->in_time_recipient = calloc(n, sizeof *s->in_time_recipient);
    bool ok = s->ifes && s->ife_ids && s->tx_ife && s->party_head && s->party_next && s->party_ifx &&
              s->react_sender && s->react_recipient && s->in_time_sender && s->in_time_recipient;
    return ok ? PLASMA_OK : PLASMA_ERR_NOMEM;
}

int sim_ife_setup(sim *s)
{
    static const uint64_t expect[][2] = {
        {PLASMA_CALL_START_IFE, 200000},           {PLASMA_CALL_PIGGYBACK_INPUT, 110000},
        {PLASMA_CALL_PIGGYBACK_OUTPUT, 130000},    {PLASMA_CALL_CHALLENGE_IFE, 70000},
        {PLASMA_CALL_RESPOND_IFE, 60000},          {PLASMA_CALL_CHALLENGE_IFE_INPUT, 55000},
        {PLASMA_CALL_CHALLENGE_IFE_OUTPUT, 65000}, {PLASMA_CALL_DELETE_IFE, 60000},
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        s->expect_ife[expect[i][0]] = expect[i][1];
    size_t n = s->w.n_ifx;
    if (n == 0)
        return PLASMA_OK;
    int rc = alloc_state(s, n);
    if (rc != 0)
        return rc;
    for (uint64_t u = 0; u < s->sc.n_users; u++)
        s->party_head[u] = SIM_NONE;
    size_t parties = 0;
    for (uint32_t f = 0; rc == 0 && f < n; f++) {
        const sim_ifx *x = &s->w.ifx[f];
        s->react_sender[f] = s->react_recipient[f] = UINT64_MAX;
        add_party(s, x->sender, f, &parties);
        if (x->recipient != x->sender)
            add_party(s, x->recipient, f, &parties);
        rc = add_exit(s, 2 * f);
        if (rc == 0 && x->competitor != SIM_NONE)
            rc = add_exit(s, 2 * f + 1);
    }
    qsort(s->ife_ids, s->n_ife_ids, sizeof *s->ife_ids, cmp_ids);
    qsort(s->tx_ife, s->n_ife_ids, sizeof *s->tx_ife, cmp_u64);
    return rc;
}

void sim_ife_free(sim *s)
{
    for (size_t i = 0; s->ifes && i < 2 * s->w.n_ifx; i++)
        free(s->ifes[i].signed_tx);
    free(s->ifes);
    free(s->ife_ids);
    free(s->tx_ife);
    free(s->jobs);
    free(s->party_head);
    free(s->party_next);
    free(s->party_ifx);
    free(s->react_sender);
    free(s->react_recipient);
    free(s->in_time_sender);
    free(s->in_time_recipient);
}

uint32_t sim_ife_of_tx(const sim *s, uint32_t tx)
{
    size_t lo = 0, hi = s->n_ife_ids;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->tx_ife[mid] >> 32 < tx)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n_ife_ids && s->tx_ife[lo] >> 32 == tx ? (uint32_t)s->tx_ife[lo] : SIM_NONE;
}

uint32_t sim_ife_find(const sim *s, const plasma_u256 *id)
{
    sim_ife_id key;
    plasma_u256_to_be(key.id, id);
    const sim_ife_id *e = bsearch(&key, s->ife_ids, s->n_ife_ids, sizeof key, cmp_ids);
    return e ? e->ife : SIM_NONE;
}

/* ---- who is who ---- */

static const plasma_addr *addr_of(const sim *s, uint32_t who)
{
    if (who == SIM_OWNER_OPERATOR)
        return &s->w.operator_addr;
    if (who == SIM_OWNER_WATCHER)
        return &s->challenger;
    return &s->w.user_addr[who];
}

/* The owner of input i of in-flight exit e's tx. */
static uint32_t input_owner(const sim *s, uint32_t e, unsigned i)
{
    return s->w.outs[sim_world_find(&s->w, s->w.txs[ife_tx(s, e)].in[i])].owner;
}

static const sim_out *output_of(const sim *s, uint32_t e, unsigned o)
{
    return &s->w.outs[s->w.txs[ife_tx(s, e)].first_out + o];
}

/* The index in in-flight exit e's tx of the input at pos. */
static unsigned input_index(const sim *s, uint32_t e, uint64_t pos)
{
    const sim_tx *t = &s->w.txs[ife_tx(s, e)];
    for (unsigned i = 0; i < t->n_in; i++)
        if (t->in[i] == pos)
            return i;
    return 0;
}

/* ---- jobs ---- */

static uint64_t gas_limit_of(const sim *s, uint8_t call, uint32_t e, bool theft)
{
    if (call != PLASMA_CALL_START_IFE)
        return IFE_CALL_GAS;
    const sim_tx *t = &s->w.txs[theft ? e : ife_tx(s, e)];
    uint64_t limit = START_GAS_BASE + START_GAS_PER_INPUT * (uint64_t)t->n_in;
    return limit < s->sc.block_gas_limit ? limit : s->sc.block_gas_limit;
}

/* The price of who's call about exit e at now: a user's bid, raised to the
 * urgent price once the first phase is within the margin of its end. */
static uint64_t price_of(const sim *s, uint32_t who, uint32_t e, uint64_t now)
{
    if (who == SIM_OWNER_OPERATOR)
        return s->sc.op_gas_price;
    if (who == SIM_OWNER_WATCHER)
        return s->sc.challenge_gas_price;
    uint64_t bid = s->w.users[who].bid;
    const sim_ife *f = e == SIM_NONE ? NULL : &s->ifes[e];
    bool urgent = f && f->state == IFE_OPEN && now + s->sc.ife_margin >= f->phase_end;
    return urgent && s->sc.urgent_gas_price > bid ? s->sc.urgent_gas_price : bid;
}

static int queue_job(sim *s, uint32_t j)
{
    sim_job *job = &s->jobs[j];
    job->state = JOB_QUEUED;
    sim_fentry f = {.price = job->price, .seq = s->seq++, .ref = j, .kind = K_IFE, .gen = job->gen};
    return sim_heap_push(&s->fq, &f);
}

/* Makes a job of who for exit e (a theft tx when theft) and queues it at
 * time at (now or later). */
static int add_job(sim *s, uint8_t call, uint32_t e, uint32_t who, unsigned index, uint32_t other,
                   uint64_t at, uint64_t now, bool theft)
{
    int rc = plasma_grow((void **)&s->jobs, &s->cap_jobs, s->n_jobs + 1, sizeof *s->jobs);
    if (rc != 0)
        return rc;
    uint32_t j = (uint32_t)s->n_jobs++;
    sim_job *job = &s->jobs[j];
    memset(job, 0, sizeof *job);
    job->call = call;
    job->ife = e;
    job->who = who;
    job->index = (uint8_t)index;
    job->other = other;
    job->theft = theft;
    job->gas_limit = gas_limit_of(s, call, e, theft);
    job->price = price_of(s, who, theft ? SIM_NONE : e, at > now ? at : now);
    job->next = SIM_NONE;
    if (!theft) {
        job->next = s->ifes[e].first_job;
        s->ifes[e].first_job = j;
    }
    if (at > now) {
        job->state = JOB_WAITING;
        return sim_push_event(s, at, EV_JOB, j);
    }
    return queue_job(s, j);
}

static uint64_t watcher_time(sim *s, uint64_t now)
{
    double d = sim_dist_sample(&s->sc.challenge_delay, &s->rng_watch);
    return now + (d > 0 ? (uint64_t)llround(d) : 0);
}

bool sim_ife_stale(const sim *s, const sim_fentry *e)
{
    const sim_job *j = &s->jobs[e->ref];
    return j->state != JOB_QUEUED || j->gen != e->gen;
}

void sim_ife_cost(const sim *s, uint32_t job, uint64_t *limit, uint64_t *expect)
{
    const sim_job *j = &s->jobs[job];
    *limit = j->gas_limit;
    *expect = s->expect_ife[j->call] < j->gas_limit ? s->expect_ife[j->call] : j->gas_limit;
}

/* ---- the honest parties ---- */

static int start_exit(sim *s, uint32_t e, uint32_t who, uint64_t now)
{
    s->ifes[e].state = IFE_STARTING;
    return add_job(s, PLASMA_CALL_START_IFE, e, who, 0, SIM_NONE, now, now, false);
}

/* Piggybacks of user on T (exit 2f) it has not made or asked for: every
 * output it owns, and its inputs unless it knows T canonical, which it does
 * when it owns every input (it signed no competitor). A party that cannot
 * know piggybacks both sides: a response may make T canonical again after
 * the first phase, when no piggyback can be added. */
static int piggybacks(sim *s, uint32_t f, uint32_t user, uint64_t now)
{
    uint32_t e = 2 * f;
    sim_ife *x = &s->ifes[e];
    const sim_tx *t = &s->w.txs[s->w.ifx[f].tx];
    bool owns_all = true;
    for (unsigned i = 0; i < t->n_in; i++)
        owns_all = owns_all && input_owner(s, e, i) == user;
    int rc = PLASMA_OK;
    for (unsigned i = 0; rc == 0 && !owns_all && i < t->n_in; i++) {
        if (input_owner(s, e, i) != user || ((x->in_want | x->in_pb) >> i & 1))
            continue;
        x->in_want |= (uint8_t)(1u << i);
        rc = add_job(s, PLASMA_CALL_PIGGYBACK_INPUT, e, user, i, SIM_NONE, now, now, false);
    }
    for (unsigned o = 0; rc == 0 && o < t->n_out; o++) {
        if (output_of(s, e, o)->owner != user || ((x->out_want | x->out_pb) >> o & 1))
            continue;
        x->out_want |= (uint8_t)(1u << o);
        rc = add_job(s, PLASMA_CALL_PIGGYBACK_OUTPUT, e, user, o, SIM_NONE, now, now, false);
    }
    return rc;
}

/* A party acts on T: starts its exit when none is open, piggybacks in the
 * first phase, and after a first phase with no piggyback deletes the exit
 * to start it again. */
static int join(sim *s, uint32_t f, uint32_t user, uint64_t now)
{
    uint32_t e = 2 * f;
    sim_ife *x = &s->ifes[e];
    switch (x->state) {
    case IFE_NONE:
        return start_exit(s, e, user, now);
    case IFE_OPEN:
        if (now < x->phase_end)
            return piggybacks(s, f, user, now);
        if (x->ever_piggybacked || x->deleting)
            return PLASMA_OK;
        x->deleting = true;
        return add_job(s, PLASMA_CALL_DELETE_IFE, e, user, 0, SIM_NONE, now, now, false);
    default:
        return PLASMA_OK;
    }
}

/* Reacted within the first phase, with the margin: by the standard exits'
 * deadline and, when T's exit is open, by its first phase's end. */
static bool in_time(const sim *s, uint32_t f, uint64_t now)
{
    const sim_ife *x = &s->ifes[2 * f];
    uint64_t by = s->t_incident + s->sc.exit_period;
    if (x->state == IFE_OPEN && x->phase_end < by)
        by = x->phase_end;
    return now + s->sc.ife_margin <= by;
}

int sim_ife_user_react(sim *s, uint32_t user, uint64_t now)
{
    int rc = PLASMA_OK;
    for (uint32_t p = s->party_head ? s->party_head[user] : SIM_NONE; rc == 0 && p != SIM_NONE;
         p = s->party_next[p]) {
        uint32_t f = s->party_ifx[p];
        bool sender = s->w.ifx[f].sender == user;
        uint64_t *t = sender ? &s->react_sender[f] : &s->react_recipient[f];
        bool *ok = sender ? &s->in_time_sender[f] : &s->in_time_recipient[f];
        if (*t == UINT64_MAX) {
            *t = now;
            *ok = in_time(s, f, now);
        }
        rc = join(s, f, user, now);
    }
    return rc;
}

/* Every party of f that has reacted joins (T's exit started, or was
 * deleted). */
static int rejoin(sim *s, uint32_t f, uint64_t now)
{
    const sim_ifx *x = &s->w.ifx[f];
    int rc = PLASMA_OK;
    if (s->react_sender[f] != UINT64_MAX)
        rc = join(s, f, x->sender, now);
    if (rc == 0 && x->recipient != x->sender && s->react_recipient[f] != UINT64_MAX)
        rc = join(s, f, x->recipient, now);
    return rc;
}

/* ---- the operator ---- */

static bool attacked(const sim *s, uint32_t f, sim_attack a)
{
    return (s->w.ifx[f].attacks >> a) & 1;
}

/* The trade's operator output (T's output 1) and input (T's input 1). */
static uint32_t op_output(const sim *s, uint32_t f)
{
    return s->w.txs[s->w.ifx[f].tx].first_out + 1;
}

int sim_ife_operator(sim *s, uint64_t now)
{
    int rc = PLASMA_OK;
    for (uint32_t f = 0; rc == 0 && f < s->w.n_ifx; f++) {
        if (attacked(s, f, SIM_ATK_START_EARLY) && s->ifes[2 * f].state == IFE_NONE)
            rc = start_exit(s, 2 * f, SIM_OWNER_OPERATOR, now);
        if (rc == 0 && attacked(s, f, SIM_ATK_EXIT_OUTPUTS))
            rc = sim_actors_operator_exit(s, op_output(s, f));
        if (rc == 0 && attacked(s, f, SIM_ATK_DOUBLE_EXIT))
            rc = sim_actors_operator_exit(s, s->w.ifx[f].in[1]);
    }
    /* The first share of block B's invalid txs: the operator cannot sign
     * for their victims, so it signs every input itself. */
    size_t n = (size_t)llround(s->sc.attacks[SIM_ATK_THEFT_IFES] * (double)s->w.n_theft_txs);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = add_job(s, PLASMA_CALL_START_IFE, s->w.theft_txs[i], SIM_OWNER_OPERATOR, 0, SIM_NONE, now, now,
                     true);
    return rc;
}

static int operator_piggyback(sim *s, uint32_t e, bool input, unsigned i, uint64_t now)
{
    sim_ife *x = &s->ifes[e];
    uint8_t *want = input ? &x->op_in_want : &x->op_out_want;
    if ((*want >> i) & 1)
        return PLASMA_OK;
    *want |= (uint8_t)(1u << i);
    uint8_t call = input ? PLASMA_CALL_PIGGYBACK_INPUT : PLASMA_CALL_PIGGYBACK_OUTPUT;
    return add_job(s, call, e, SIM_OWNER_OPERATOR, i, SIM_NONE, now, now, false);
}

/* Piggybacks of everything on T the operator does not own: refused. */
static int piggyback_unowned(sim *s, uint32_t f, uint64_t now)
{
    uint32_t e = 2 * f;
    const sim_tx *t = &s->w.txs[s->w.ifx[f].tx];
    int rc = PLASMA_OK;
    for (unsigned i = 0; rc == 0 && i < t->n_in; i++)
        if (input_owner(s, e, i) != SIM_OWNER_OPERATOR)
            rc = operator_piggyback(s, e, true, i, now);
    for (unsigned o = 0; rc == 0 && o < t->n_out; o++)
        if (output_of(s, e, o)->owner != SIM_OWNER_OPERATOR)
            rc = operator_piggyback(s, e, false, o, now);
    return rc;
}

/* ---- T's exit started ---- */

/* Watchers challenge the operator's exit of its trade input, now that T,
 * which spends it with the operator's signature, is public. */
static int challenge_input_exit(sim *s, uint32_t f, uint64_t now)
{
    const sim_ifx *x = &s->w.ifx[f];
    if (x->kind != IFX_TRADE || !s->has_watchers || s->w.outs[x->in[1]].exit != EX_STARTED)
        return PLASMA_OK;
    return sim_push_event(s, watcher_time(s, now), EV_CHALLENGE, x->in[1]);
}

static int t_started(sim *s, uint32_t f, uint64_t now)
{
    uint32_t e = 2 * f;
    sim_ife *x = &s->ifes[e];
    x->public_tx = true;
    int rc = rejoin(s, f, now);
    if (rc == 0 && s->sc.ife_margin > 0 && x->phase_end - s->sc.ife_margin > now)
        rc = sim_push_event(s, x->phase_end - s->sc.ife_margin, EV_URGENT, e);
    if (rc == 0)
        rc = challenge_input_exit(s, f, now);
    if (rc == 0 && attacked(s, f, SIM_ATK_PIGGYBACK_UNOWNED))
        rc = piggyback_unowned(s, f, now);
    if (rc == 0 && attacked(s, f, SIM_ATK_DOUBLE_EXIT))
        rc = operator_piggyback(s, e, true, 1, now);
    if (rc == 0 && attacked(s, f, SIM_ATK_COMPETITOR))
        rc = add_job(s, PLASMA_CALL_CHALLENGE_IFE, e, SIM_OWNER_OPERATOR, 0, e + 1,
                     x->start + s->sc.ife_challenge_delay, now, false);
    return rc;
}

/* The operator's competitor T' has an exit: watchers show it non-canonical
 * with T; the operator piggybacks T''s output and its input. */
static int competitor_started(sim *s, uint32_t e, uint64_t now)
{
    s->ifes[e].public_tx = true;
    int rc = PLASMA_OK;
    if (s->has_watchers)
        rc = add_job(s, PLASMA_CALL_CHALLENGE_IFE, e, SIM_OWNER_WATCHER, 0, e - 1, watcher_time(s, now), now,
                     false);
    if (rc == 0)
        rc = operator_piggyback(s, e, false, 0, now);
    return rc ? rc : operator_piggyback(s, e, true, 0, now);
}

/* ---- watchers ---- */

/* Watchers answer a challenge of T when they hold its inclusion proof. */
static int respond(sim *s, uint32_t e, uint64_t now)
{
    sim_ife *x = &s->ifes[e];
    if (!s->has_watchers || !x->proof_public || x->canonical || x->state != IFE_OPEN)
        return PLASMA_OK;
    return add_job(s, PLASMA_CALL_RESPOND_IFE, e, SIM_OWNER_WATCHER, 0, SIM_NONE, watcher_time(s, now), now,
                   false);
}

/* Watchers block the operator's piggyback of its input i on exit e when
 * they know another tx it signed spending that input. */
static int block_input(sim *s, uint32_t e, unsigned i, uint64_t now)
{
    uint32_t other = e % 2 ? e - 1 : e + 1;
    if (!s->has_watchers || !s->ifes[other].public_tx || !((s->ifes[e].in_pb >> i) & 1))
        return PLASMA_OK;
    return add_job(s, PLASMA_CALL_CHALLENGE_IFE_INPUT, e, SIM_OWNER_WATCHER, i, other, watcher_time(s, now),
                   now, false);
}

/* The operator challenged T with its competitor: the competitor is public.
 * It goes on to piggyback its input on T and to exit its competitor. */
static int t_challenged(sim *s, uint32_t e, const plasma_addr *by, uint64_t now)
{
    if (!plasma_addr_eq(by, &s->w.operator_addr) || e % 2)
        return PLASMA_OK;
    uint32_t f = e / 2;
    s->ifes[e + 1].public_tx = true;
    int rc = respond(s, e, now);
    unsigned op_in = s->w.ifx[f].kind == IFX_TRADE ? 1 : 0;
    if (rc == 0)
        rc = block_input(s, e, op_in, now);
    if (rc == 0 && s->w.ifx[f].kind == IFX_TRADE)
        rc = operator_piggyback(s, e, true, op_in, now);
    if (rc == 0 && s->w.ifx[f].kind == IFX_TRADE && s->ifes[e + 1].state == IFE_NONE)
        rc = start_exit(s, e + 1, SIM_OWNER_OPERATOR, now);
    return rc;
}

int sim_ife_after_event(sim *s, uint32_t e, const plasma_event *ev, uint64_t now)
{
    const sim_ife *x = &s->ifes[e];
    switch (ev->kind) {
    case PLASMA_EVENT_IFE_STARTED:
        return e % 2 ? competitor_started(s, e, now) : t_started(s, e / 2, now);
    case PLASMA_EVENT_IFE_INPUT_PIGGYBACKED:
        if (!plasma_addr_eq(&ev->ife_index.who, &s->w.operator_addr))
            return PLASMA_OK;
        return block_input(s, e, (unsigned)ev->ife_index.index, now);
    case PLASMA_EVENT_IFE_CHALLENGED:
        return t_challenged(s, e, &ev->ife_challenged.challenger, now);
    case PLASMA_EVENT_IFE_DELETED:
        return e % 2 ? PLASMA_OK : rejoin(s, e / 2, now);
    case PLASMA_EVENT_IFE_FINALIZED:
        /* Its output of a trade that exited through its inputs. */
        if (e % 2 == 0 && attacked(s, e / 2, SIM_ATK_LATE_OUTPUT_EXIT) && x->path == PLASMA_IFE_PATH_INPUTS)
            return sim_actors_operator_exit(s, op_output(s, e / 2));
        return PLASMA_OK;
    default:
        return PLASMA_OK;
    }
}

/* An exit of an output of T (in block B) carries T's inclusion proof: the
 * watchers hold it from now on. */
int sim_ife_exit_started(sim *s, uint32_t out, uint64_t now)
{
    const sim_out *o = &s->w.outs[out];
    uint32_t e = o->flags & OUT_INFLIGHT ? sim_ife_of_tx(s, o->tx) : SIM_NONE;
    if (e == SIM_NONE || e % 2)
        return PLASMA_OK;
    s->ifes[e].proof_public = true;
    return respond(s, e, now);
}

bool sim_ife_spend_public(const sim *s, const sim_out *o)
{
    uint32_t e = o->spent_by == SIM_NONE ? SIM_NONE : sim_ife_of_tx(s, o->spent_by);
    return e != SIM_NONE && s->ifes[e].public_tx;
}

/* ---- timed events ---- */

/* The first phase of exit e is within the margin of its end: its parties'
 * calls still waiting bid the urgent price. */
static int urgent(sim *s, uint32_t e, uint64_t now)
{
    int rc = PLASMA_OK;
    for (uint32_t j = s->ifes[e].first_job; rc == 0 && j != SIM_NONE; j = s->jobs[j].next) {
        sim_job *job = &s->jobs[j];
        if (job->state != JOB_QUEUED || job->who >= SIM_OWNER_WATCHER)
            continue;
        uint64_t p = price_of(s, job->who, e, now);
        if (p <= job->price)
            continue;
        job->price = p;
        job->gen++;
        rc = queue_job(s, j);
    }
    return rc;
}

int sim_ife_event(sim *s, const sim_event *ev)
{
    if (ev->kind == EV_URGENT)
        return urgent(s, ev->ref, ev->time);
    if (ev->kind != EV_JOB || s->jobs[ev->ref].state != JOB_WAITING)
        return PLASMA_OK;
    sim_job *job = &s->jobs[ev->ref];
    job->price = price_of(s, job->who, job->theft ? SIM_NONE : job->ife, ev->time);
    return queue_job(s, ev->ref);
}

/* ---- calls ---- */

/* rlp(SignedTx) of exit e's tx: T signed by its inputs' owners, the
 * competitor by the operator (it owns a trade's input; a payment's it
 * does not, and the chain refuses its signature). */
static int signed_tx(sim *s, uint32_t e, plasma_call_tx *out)
{
    sim_ife *x = &s->ifes[e];
    if (!x->signed_tx) {
        plasma_tx t;
        const plasma_privkey *key = e % 2 ? &s->w.operator_key : NULL;
        plasma_call_tx arg;
        int rc = sim_ifx_sign(&s->w, ife_tx(s, e), &s->dom, key, &t);
        if (rc == 0)
            rc = plasma_call_tx_encode(&arg, &t, true);
        x->signed_tx = rc == 0 ? malloc(arg.len) : NULL;
        if (rc == 0 && !x->signed_tx)
            rc = PLASMA_ERR_NOMEM;
        if (rc != 0)
            return rc;
        memcpy(x->signed_tx, arg.b, arg.len);
        x->signed_len = arg.len;
    }
    memcpy(out->b, x->signed_tx, x->signed_len);
    out->len = x->signed_len;
    return PLASMA_OK;
}

static int start_args(sim *s, const sim_job *j, plasma_call_start_ife *a)
{
    uint32_t tx = j->theft ? j->ife : ife_tx(s, j->ife);
    plasma_tx t;
    int rc = PLASMA_OK;
    if (j->theft) {
        rc = sim_ifx_sign(&s->w, tx, &s->dom, &s->w.operator_key, &t);
        if (rc == 0)
            rc = plasma_call_tx_encode(&a->tx, &t, true);
    } else {
        rc = signed_tx(s, j->ife, &a->tx);
    }
    const sim_tx *st = &s->w.txs[tx];
    a->n_input_txs = a->n_input_pos = a->n_input_proofs = st->n_in;
    for (unsigned i = 0; rc == 0 && i < st->n_in; i++) {
        uint32_t in_tx = s->w.outs[sim_world_find(&s->w, st->in[i])].tx;
        a->input_pos[i] = st->in[i];
        sim_world_build_tx(&s->w, in_tx, &t);
        rc = plasma_call_tx_encode(&a->input_txs[i], &t, false);
        if (rc == 0)
            rc = sim_world_proof(&s->w, in_tx, a->input_proofs[i]);
    }
    a->bond = s->sc.ife_bond;
    return rc;
}

/* A challenge of exit e's tx with the other exit's tx, at their common
 * input; the competitor's position is proven when its proof is public. */
static int challenge_args(sim *s, const sim_job *j, plasma_call_challenge_ife *a)
{
    /* The competitor T' has one input: the one both spend. */
    uint32_t other_tx = ife_tx(s, j->other), comp = j->ife % 2 ? j->ife : j->other;
    uint64_t pos = s->w.txs[ife_tx(s, comp)].in[0];
    int rc = signed_tx(s, j->ife, &a->tx);
    if (rc == 0)
        rc = signed_tx(s, j->other, &a->competing_tx);
    a->input_index = input_index(s, j->ife, pos);
    a->competing_input_index = input_index(s, j->other, pos);
    if (rc == 0 && s->ifes[j->other].proof_public) {
        a->competitor_pos = sim_ifx_tx_pos(&s->w, other_tx);
        a->competitor_proof.len = PLASMA_MERKLE_PROOF_LEN;
        rc = sim_world_proof(&s->w, other_tx, a->competitor_proof.b);
    }
    return rc;
}

static int call_args(sim *s, const sim_job *j, plasma_call *c)
{
    int rc;
    switch (j->call) {
    case PLASMA_CALL_START_IFE:
        return start_args(s, j, &c->start_ife);
    case PLASMA_CALL_PIGGYBACK_INPUT:
    case PLASMA_CALL_PIGGYBACK_OUTPUT:
        c->piggyback.index = j->index;
        c->piggyback.bond = s->sc.piggyback_bond;
        return signed_tx(s, j->ife, &c->piggyback.tx);
    case PLASMA_CALL_CHALLENGE_IFE:
        return challenge_args(s, j, &c->challenge_ife);
    case PLASMA_CALL_RESPOND_IFE:
        c->respond_ife.tx_pos = sim_ifx_tx_pos(&s->w, ife_tx(s, j->ife));
        c->respond_ife.proof.len = PLASMA_MERKLE_PROOF_LEN;
        rc = sim_world_proof(&s->w, ife_tx(s, j->ife), c->respond_ife.proof.b);
        return rc ? rc : signed_tx(s, j->ife, &c->respond_ife.tx);
    case PLASMA_CALL_CHALLENGE_IFE_INPUT:
        c->challenge_ife_input.input_index = j->index;
        c->challenge_ife_input.spending_input_index =
            input_index(s, j->other, s->w.txs[ife_tx(s, j->ife)].in[j->index]);
        rc = signed_tx(s, j->ife, &c->challenge_ife_input.tx);
        return rc ? rc : signed_tx(s, j->other, &c->challenge_ife_input.spending_tx);
    case PLASMA_CALL_DELETE_IFE:
        c->delete_ife.ife_id = s->ifes[j->ife].id;
        return PLASMA_OK;
    default:
        return PLASMA_ERR_INTERNAL;
    }
}

static void count_failure(sim *s, const sim_job *j, int err)
{
    sim_ife_result *r = &s->r.ife;
    if (j->who != SIM_OWNER_OPERATOR)
        r->honest_failed++;
    else if (err == PLASMA_ERR_NOT_OWNER)
        r->refused_not_owner++;
    else if (err == PLASMA_ERR_BAD_SIGNATURE)
        r->refused_bad_signature++;
    else
        r->refused_other++;
}

/* A job that will not run again: what the sim believed it would do is
 * undone (a start that failed leaves the exit as it was). */
static void job_failed(sim *s, sim_job *j, int err)
{
    j->state = JOB_DONE;
    count_failure(s, j, err);
    if (j->theft)
        return;
    sim_ife *x = &s->ifes[j->ife];
    if (j->call == PLASMA_CALL_START_IFE && x->state == IFE_STARTING)
        x->state = IFE_NONE;
    else if (j->call == PLASMA_CALL_DELETE_IFE)
        x->deleting = false;
    else if (j->call == PLASMA_CALL_PIGGYBACK_INPUT && j->who != SIM_OWNER_OPERATOR)
        x->in_want &= (uint8_t) ~(1u << j->index);
    else if (j->call == PLASMA_CALL_PIGGYBACK_OUTPUT && j->who != SIM_OWNER_OPERATOR)
        x->out_want &= (uint8_t) ~(1u << j->index);
}

int sim_ife_send(sim *s, const sim_fentry *e, uint64_t now, sim_fed *fed)
{
    (void)now;
    sim_job *j = &s->jobs[e->ref];
    const plasma_addr *from = addr_of(s, j->who);
    plasma_hash hash;
    plasma_call_init(s->call, (plasma_call_kind)j->call, from, plasma_chain_next_nonce(s->chain, from),
                     e->price, j->gas_limit);
    int rc = call_args(s, j, s->call);
    if (rc == 0)
        rc = plasma_chain_submit(s->chain, s->call, &hash);
    if (rc == PLASMA_ERR_NOMEM || rc == PLASMA_ERR_INTERNAL)
        return rc;
    if (rc != 0) {
        /* Refused at the door: the sender cannot pay gas and bond. */
        job_failed(s, j, rc);
        return 1;
    }
    j->state = JOB_SENT;
    uint64_t limit, expect;
    sim_ife_cost(s, e->ref, &limit, &expect);
    sim_actors_fed(s, fed, &hash, K_IFE, e->ref, expect);
    return PLASMA_OK;
}

int sim_ife_receipt(sim *s, const sim_fed *f, const plasma_receipt *r, uint64_t now)
{
    (void)now;
    sim_job *j = &s->jobs[f->ref];
    if (r->err == 0) {
        j->state = JOB_DONE;
        return PLASMA_OK;
    }
    if (r->err == PLASMA_ERR_OUT_OF_GAS && j->tries < IFE_GAS_RETRIES) {
        /* Like a wallet, try again with twice the gas. */
        j->tries++;
        j->gas_limit = 2 * j->gas_limit < s->sc.block_gas_limit ? 2 * j->gas_limit : s->sc.block_gas_limit;
        j->gen++;
        return queue_job(s, f->ref);
    }
    job_failed(s, j, r->err);
    return PLASMA_OK;
}
