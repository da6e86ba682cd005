/* plasma-sim's in-flight transactions and the attacks on their exits. Each
 * test runs a small withholding scenario and checks the outcome against the
 * chain itself: its events, its finalized flags and its exits, read with
 * the simulator's records of who owns what, not with the simulator's
 * books. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"
#include "testutil.h"

/* 50 users, a one-hour exit period (a 30-minute first phase), withholding;
 * each test fills in the rest. */
static const char *const base_json =
    "{\"format\": \"plasma-sim/1\", \"name\": \"t-ife\", \"seed\": %llu,"
    " \"rootchain\": {\"exit_period\": \"1h\"%s},"
    " \"users\": {\"count\": 50, \"utxos_per_user\": %u, \"amount\": {\"dist\": \"uniform\", \"min\": \"1 "
    "ether\","
    "   \"max\": \"3 ether\"}},"
    " \"child_chain\": {\"activity_blocks\": 1, \"payments_per_block\": 20},"
    " \"operator\": {\"behaviour\": \"withhold\", \"steal_fraction\": 1.0, \"ife_attacks\": {%s}},"
    " \"inflight\": {%s},"
    " \"strategy\": {%s},"
    " \"processing\": {\"every\": \"12s\"}%s}";

/* Every user watches and reacts within five minutes. */
#define QUICK                                                                                                \
    "\"watch_fraction\": 1, \"reaction_delay\": {\"dist\": \"uniform\", \"min\": \"1m\", \"max\": \"5m\"}"

typedef struct opts {
    unsigned long long seed;
    const char *inflight, *attacks, *strategy;
    const char *rootchain, *extra; /* more fields of rootchain, and of the top level */
    unsigned utxos;                /* per user; 0: 2 */
} opts;

static int run_rc(const opts *o, sim **out, char *err)
{
    char text[4096];
    snprintf(text, sizeof text, base_json, o->seed, o->rootchain ? o->rootchain : "", o->utxos ? o->utxos : 2,
             o->attacks ? o->attacks : "", o->inflight, o->strategy ? o->strategy : QUICK,
             o->extra ? o->extra : "");
    sim_scenario *sc = NULL;
    int rc = sim_scenario_parse(&sc, text, strlen(text), "t-ife.json", err, SIM_ERR_MAX);
    if (rc != 0)
        fail_msg("scenario (seed %llu): %s", o->seed, err);
    assert_int_equal(sim_new(out, sc), 0);
    sim_keep_history(*out);
    sim_scenario_free(sc);
    return sim_run(*out, NULL, NULL, err, SIM_ERR_MAX);
}

static sim *run(opts o)
{
    char err[SIM_ERR_MAX];
    sim *s = NULL;
    if (run_rc(&o, &s, err) != 0)
        fail_msg("run (seed %llu): %s", o.seed, err);
    return s;
}

/* ---- the chain's account of in-flight exits ---- */

static plasma_u256 ife_id_of(const sim *s, uint32_t tx)
{
    plasma_tx t;
    plasma_u256 id;
    sim_world_build_tx(&s->w, tx, &t);
    assert_int_equal(plasma_ife_id(&id, &t), 0);
    return id;
}

/* The in-flight exit of the chain's event: T or T' of which tx, or -1. */
static int exit_of(const sim *s, const plasma_u256 *id, bool *competitor)
{
    for (size_t f = 0; f < s->w.n_ifx; f++) {
        plasma_u256 t = ife_id_of(s, s->w.ifx[f].tx);
        if (plasma_u256_cmp(&t, id) == 0) {
            *competitor = false;
            return (int)f;
        }
        if (s->w.ifx[f].competitor != SIM_NONE) {
            t = ife_id_of(s, s->w.ifx[f].competitor);
            if (plasma_u256_cmp(&t, id) == 0) {
                *competitor = true;
                return (int)f;
            }
        }
    }
    return -1;
}

static const sim_out *io(const sim *s, uint32_t tx, bool in, unsigned i)
{
    const sim_tx *t = &s->w.txs[tx];
    return &s->w.outs[in ? sim_world_find(&s->w, t->in[i]) : t->first_out + i];
}

/* What the chain paid and kept, from its events: per exit of an in-flight
 * tx the inputs and outputs withdrawn; per token what came in and went
 * out. */
typedef struct chain_view {
    const sim *s;
    uint8_t *paid_in, *paid_out; /* per T (not T'): bit per index */
    uint8_t standing_in[2 * 64], standing_out[2 * 64];
    plasma_u256 in[SIM_MAX_TOKENS + 1], out[SIM_MAX_TOKENS + 1]; /* last: ETH of a token-only scenario */
    uint64_t deferred;
} chain_view;

static unsigned token_ix(const sim *s, const plasma_addr *token)
{
    for (unsigned k = 0; k < s->sc.n_tokens; k++)
        if (plasma_addr_eq(&s->sc.tokens[k].addr, token))
            return k;
    assert_true(plasma_addr_is_zero(token));
    return SIM_MAX_TOKENS;
}

static void add(plasma_u256 *sum, const plasma_u256 *v)
{
    assert_int_equal(plasma_u256_add(sum, sum, v), 0);
}

static void add_eth(chain_view *v, bool in, const plasma_u256 *amount)
{
    static const plasma_addr eth = {{0}};
    unsigned k = token_ix(v->s, &eth);
    add(in ? &v->in[k] : &v->out[k], amount);
}

static void exit_paid(chain_view *v, uint64_t exit_id)
{
    plasma_exit_info e;
    const plasma_chain_config *cfg = plasma_chain_get_config(v->s->chain);
    assert_int_equal(plasma_chain_exit(&e, v->s->chain, exit_id), 0);
    add(&v->out[token_ix(v->s, &e.token)], &e.amount);
    add_eth(v, false, &cfg->exit_bond);
}

/* Bits of the exit's piggybacks as events set and clear them (the tests
 * use at most 64 in-flight txs). */
static uint8_t *standing(chain_view *v, int f, bool competitor, bool in)
{
    assert_true(f < 64);
    return &(in ? v->standing_in : v->standing_out)[2 * f + competitor];
}

static void ife_event(chain_view *v, const plasma_event *ev, int f, bool competitor)
{
    const sim *s = v->s;
    const plasma_chain_config *cfg = plasma_chain_get_config(s->chain);
    uint32_t tx = competitor ? s->w.ifx[f].competitor : s->w.ifx[f].tx;
    bool in;
    switch (ev->kind) {
    case PLASMA_EVENT_IFE_STARTED:
        add_eth(v, true, &cfg->ife_bond);
        *standing(v, f, competitor, true) = *standing(v, f, competitor, false) = 0;
        break;
    case PLASMA_EVENT_IFE_INPUT_PIGGYBACKED:
    case PLASMA_EVENT_IFE_OUTPUT_PIGGYBACKED:
        in = ev->kind == PLASMA_EVENT_IFE_INPUT_PIGGYBACKED;
        add_eth(v, true, &cfg->piggyback_bond);
        *standing(v, f, competitor, in) |= (uint8_t)(1u << ev->ife_index.index);
        break;
    case PLASMA_EVENT_IFE_INPUT_BLOCKED:
    case PLASMA_EVENT_IFE_OUTPUT_BLOCKED:
        in = ev->kind == PLASMA_EVENT_IFE_INPUT_BLOCKED;
        add_eth(v, false, &cfg->piggyback_bond);
        *standing(v, f, competitor, in) &= (uint8_t) ~(1u << ev->ife_index.index);
        break;
    case PLASMA_EVENT_IFE_INPUT_WITHDRAWN:
    case PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN:
        in = ev->kind == PLASMA_EVENT_IFE_INPUT_WITHDRAWN;
        add(&v->out[token_ix(s, &s->sc.tokens[io(s, tx, in, (unsigned)ev->ife_withdrawn.index)->token].addr)],
            &io(s, tx, in, (unsigned)ev->ife_withdrawn.index)->amount);
        if (!competitor)
            (in ? v->paid_in : v->paid_out)[f] |= (uint8_t)(1u << ev->ife_withdrawn.index);
        break;
    case PLASMA_EVENT_IFE_FINALIZED: {
        unsigned n = (unsigned)__builtin_popcount(*standing(v, f, competitor, true)) +
                     (unsigned)__builtin_popcount(*standing(v, f, competitor, false));
        plasma_u256 bonds;
        plasma_u256_mul_u64(&bonds, &cfg->piggyback_bond, n);
        add_eth(v, false, &bonds);
        add_eth(v, false, &cfg->ife_bond);
        break;
    }
    case PLASMA_EVENT_IFE_DELETED:
        add_eth(v, false, &cfg->ife_bond);
        break;
    default:
        break;
    }
}

static int view_cb(const plasma_event *ev, void *payload)
{
    chain_view *v = payload;
    const plasma_chain_config *cfg = plasma_chain_get_config(v->s->chain);
    bool competitor = false;
    switch (ev->kind) {
    case PLASMA_EVENT_DEPOSIT_CREATED:
        add(&v->in[token_ix(v->s, &ev->deposit_created.token)], &ev->deposit_created.amount);
        return 0;
    case PLASMA_EVENT_EXIT_STARTED:
        add_eth(v, true, &cfg->exit_bond);
        return 0;
    case PLASMA_EVENT_EXIT_CHALLENGED:
        add_eth(v, false, &cfg->exit_bond);
        return 0;
    case PLASMA_EVENT_EXIT_FINALIZED:
        exit_paid(v, ev->exit_finalized.exit_id);
        return 0;
    case PLASMA_EVENT_PAYMENT_DEFERRED:
        /* counted out with its event, but it stays in the contract */
        add(&v->in[token_ix(v->s, &ev->payment.token)], &ev->payment.amount);
        v->deferred++;
        return 0;
    case PLASMA_EVENT_BLOCK_SUBMITTED:
    case PLASMA_EVENT_WITHDRAWAL:
        return 0;
    default:
        break;
    }
    const plasma_u256 *id =
        ev->kind == PLASMA_EVENT_IFE_STARTED      ? &ev->ife_started.ife_id
        : ev->kind == PLASMA_EVENT_IFE_CHALLENGED ? &ev->ife_challenged.ife_id
        : ev->kind == PLASMA_EVENT_IFE_RESPONDED  ? &ev->ife_responded.ife_id
        : ev->kind == PLASMA_EVENT_IFE_INPUT_WITHDRAWN || ev->kind == PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN
            ? &ev->ife_withdrawn.ife_id
        : ev->kind == PLASMA_EVENT_IFE_FINALIZED || ev->kind == PLASMA_EVENT_IFE_DELETED
            ? &ev->ife_closed.ife_id
            : &ev->ife_index.ife_id;
    int f = exit_of(v->s, id, &competitor);
    assert_true(f >= 0);
    ife_event(v, ev, f, competitor);
    return 0;
}

static void view_read(chain_view *v, const sim *s)
{
    memset(v, 0, sizeof *v);
    v->s = s;
    v->paid_in = calloc(s->w.n_ifx + 1, 1);
    v->paid_out = calloc(s->w.n_ifx + 1, 1);
    assert_non_null(v->paid_in);
    assert_non_null(v->paid_out);
    assert_int_equal(plasma_chain_events_since(s->chain, 0, view_cb, v), 0);
}

static void view_free(chain_view *v)
{
    free(v->paid_in);
    free(v->paid_out);
}

/* The contract holds, token by token, what came in less what went out. */
static void assert_conserved(const chain_view *v)
{
    const sim *s = v->s;
    const plasma_addr *contract = &plasma_chain_get_config(s->chain)->contract;
    static const plasma_addr eth = {{0}};
    bool has_eth = false;
    for (unsigned k = 0; k < s->sc.n_tokens; k++)
        has_eth = has_eth || plasma_addr_is_zero(&s->sc.tokens[k].addr);
    for (unsigned k = 0; k <= SIM_MAX_TOKENS; k++) {
        if (k < SIM_MAX_TOKENS ? k >= s->sc.n_tokens : has_eth)
            continue;
        plasma_u256 want, have;
        assert_int_equal(plasma_u256_sub(&want, &v->in[k], &v->out[k]), 0);
        plasma_chain_balance(&have, s->chain, contract, k < SIM_MAX_TOKENS ? &s->sc.tokens[k].addr : &eth);
        assert_int_equal(plasma_u256_cmp(&have, &want), 0);
    }
    assert_true(s->r.conservation_ok);
    assert_true(s->r.priority_order_ok);
    /* The operator gains only what honest users lost: funds and bonds of
     * those who did not exit in time, and bonds of in-flight exits. */
    plasma_u256 bound = s->r.honest_lost, bonds;
    plasma_u256_mul_u64(&bonds, &s->sc.exit_bond, s->r.exits_unpaid);
    add(&bound, &bonds);
    add(&bound, &s->r.ife.honest_bonds_lost);
    assert_true(plasma_u256_cmp(&s->r.stolen, &bound) <= 0);
}

/* Party got all its inputs of T back, or all its outputs of T: one side of
 * the tx, whole (a payment's side is its outputs: it has no competitor). */
static bool whole(const chain_view *v, uint32_t f, uint32_t party)
{
    const sim *s = v->s;
    const sim_ifx *x = &s->w.ifx[f];
    const sim_tx *t = &s->w.txs[x->tx];
    bool ins = true, outs = true;
    for (unsigned i = 0; i < t->n_in; i++)
        ins = ins && (io(s, x->tx, true, i)->owner != party || ((v->paid_in[f] >> i) & 1));
    for (unsigned o = 0; o < t->n_out; o++)
        outs = outs && (io(s, x->tx, false, o)->owner != party || ((v->paid_out[f] >> o) & 1));
    return x->kind == IFX_PAYMENT ? outs : ins || outs;
}

/* Every honest party that reacted in time is whole; returns how many
 * parties were checked. */
static size_t assert_in_time_whole(const chain_view *v)
{
    const sim *s = v->s;
    size_t checked = 0;
    for (uint32_t f = 0; f < s->w.n_ifx; f++) {
        const sim_ifx *x = &s->w.ifx[f];
        if (s->react_sender[f] != UINT64_MAX && s->in_time_sender[f]) {
            if (!whole(v, f, x->sender))
                fail_msg("in-flight tx %u: its sender reacted in time and is not whole", f);
            checked++;
        }
        if (x->recipient != x->sender && s->react_recipient[f] != UINT64_MAX && s->in_time_recipient[f]) {
            if (!whole(v, f, x->recipient))
                fail_msg("in-flight tx %u: its recipient reacted in time and is not whole", f);
            checked++;
        }
    }
    assert_int_equal(s->r.ife.losers_in_time, 0);
    assert_true(plasma_u256_is_zero(&s->r.ife.lost_in_time));
    return checked;
}

static plasma_u256 flag_of(const sim *s, uint32_t tx, bool in, unsigned i)
{
    const sim_out *o = io(s, tx, in, i);
    plasma_buf buf = {0};
    assert_int_equal(sim_world_encode_tx(&s->w, o->tx, &buf), 0);
    plasma_hash id;
    plasma_output_id(&id, buf.data, buf.len, s->w.txs[o->tx].n_in > 0, plasma_pos_oindex(o->pos), o->pos);
    plasma_buf_free(&buf);
    plasma_u256 by;
    plasma_chain_finalized(&by, s->chain, &id);
    return by;
}

static size_t count_kind(const sim *s, uint8_t kind)
{
    size_t n = 0;
    for (size_t f = 0; f < s->w.n_ifx; f++)
        n += s->w.ifx[f].kind == kind;
    return n;
}

/* ---- tests ---- */

static void test_honest_parties_recover(void **state)
{
    (void)state;
    sim *s =
        run((opts){.seed = 3, .inflight = "\"fraction\": 0.4, \"in_block\": 0.5, \"trade_fraction\": 0.5"});
    const sim_ife_result *r = &s->r.ife;
    chain_view v;
    view_read(&v, s);
    assert_conserved(&v);
    assert_true(r->txs >= 10 && r->trades >= 3 && r->in_block >= 3 && r->pending >= 3);
    assert_int_equal(r->started, r->txs);
    assert_int_equal(r->finalized, r->txs);
    assert_int_equal(r->outputs_path, r->txs);
    assert_int_equal(r->deleted + r->challenges + r->honest_failed, 0);
    /* Everyone reacted in time and is whole. */
    assert_int_equal(r->parties_in_time, r->parties);
    assert_int_equal(assert_in_time_whole(&v), r->parties);
    assert_true(plasma_u256_is_zero(&r->lost));
    plasma_u256 got;
    plasma_u256_add(&got, &r->recovered_sender, &r->recovered_recipient);
    assert_int_equal(plasma_u256_cmp(&got, &r->total), 0);
    /* Piggybacks: every output of a user's, and each trade's user input. */
    size_t outs = 0;
    for (size_t f = 0; f < s->w.n_ifx; f++)
        for (unsigned o = 0; o < s->w.txs[s->w.ifx[f].tx].n_out; o++)
            outs += io(s, s->w.ifx[f].tx, false, o)->owner != SIM_OWNER_OPERATOR;
    assert_int_equal(r->piggybacks_outputs, outs);
    assert_int_equal(r->piggybacks_inputs, r->trades);
    /* Each payment's outputs were flagged by its exit. */
    for (size_t f = 0; f < s->w.n_ifx; f++) {
        plasma_u256 id = ife_id_of(s, s->w.ifx[f].tx), by = flag_of(s, s->w.ifx[f].tx, false, 0);
        assert_int_equal(plasma_u256_cmp(&by, &id), 0);
    }
    view_free(&v);
    sim_free(s);
}

static void test_late_parties_alone_lose(void **state)
{
    (void)state;
    sim *s = run((opts){
        .seed = 5,
        .inflight = "\"fraction\": 0.4, \"in_block\": 0.5, \"trade_fraction\": 0.3, \"margin\": \"2m\"",
        .strategy = "\"watch_fraction\": 0.6, \"offline_fraction\": 0.15, \"reaction_delay\": \"2m\","
                    " \"unwatched_delay\": {\"dist\": \"uniform\", \"min\": \"20m\", \"max\": \"3h\"}",
        .utxos = 1});
    const sim_ife_result *r = &s->r.ife;
    chain_view v;
    view_read(&v, s);
    assert_conserved(&v);
    assert_true(assert_in_time_whole(&v) > 0);
    assert_true(r->parties_in_time < r->parties_reacted && r->parties_reacted < r->parties);
    assert_true(r->losers_late > 0);
    assert_false(plasma_u256_is_zero(&r->lost));
    /* a late recipient found the exit past its first phase with no
     * piggyback, deleted it and started it again */
    assert_true(r->deleted > 0);
    view_free(&v);
    sim_free(s);
}

/* The operator challenges each trade with a competitor it signs for its
 * own input, piggybacks that input and exits the competitor. Watchers
 * block both piggybacks and show the competitor non-canonical; the user
 * gets its input back through the inputs. */
static void test_competitor_challenge_defeated(void **state)
{
    (void)state;
    sim *s = run((opts){.seed = 7,
                        .inflight = "\"fraction\": 0.3, \"in_block\": 0.5, \"trade_fraction\": 1",
                        .attacks = "\"competitor\": 1"});
    const sim_ife_result *r = &s->r.ife;
    size_t trades = count_kind(s, IFX_TRADE);
    chain_view v;
    view_read(&v, s);
    assert_conserved(&v);
    assert_true(trades >= 10);
    assert_int_equal(r->operator_challenges, trades);
    assert_int_equal(r->challenges, 2 * trades); /* and each competitor's, by the watchers */
    assert_int_equal(r->operator_started, trades);
    assert_int_equal(r->spent_challenges, 2 * trades);
    assert_int_equal(r->responses, 0);
    assert_int_equal(r->inputs_path, 2 * trades);
    assert_int_equal(assert_in_time_whole(&v), trades);
    for (size_t f = 0; f < s->w.n_ifx; f++) {
        uint32_t tx = s->w.ifx[f].tx;
        plasma_u256 id = ife_id_of(s, tx), user = flag_of(s, tx, true, 0), op = flag_of(s, tx, true, 1);
        assert_int_equal(plasma_u256_cmp(&user, &id), 0); /* paid back through T's inputs */
        assert_true(plasma_u256_is_zero(&op));            /* never paid: both piggybacks blocked */
        assert_int_equal(v.paid_in[f], 1);
        assert_int_equal(v.paid_out[f], 0);
    }
    /* Each honest start's bond went to the operator's challenge. */
    plasma_u256 bonds;
    plasma_u256_mul_u64(&bonds, &s->sc.ife_bond, trades);
    assert_int_equal(plasma_u256_cmp(&r->honest_bonds_lost, &bonds), 0);
    view_free(&v);
    sim_free(s);
}

/* Where it owns no input it cannot sign a competitor: refused. */
static void test_competitor_without_input_refused(void **state)
{
    (void)state;
    sim *s = run((opts){.seed = 8, .inflight = "\"fraction\": 0.3", .attacks = "\"competitor\": 1"});
    const sim_ife_result *r = &s->r.ife;
    chain_view v;
    view_read(&v, s);
    assert_conserved(&v);
    assert_true(r->txs >= 10);
    assert_int_equal(r->refused_bad_signature, r->txs);
    assert_int_equal(r->challenges, 0);
    assert_int_equal(r->outputs_path, r->txs);
    assert_int_equal(assert_in_time_whole(&v), r->parties);
    view_free(&v);
    sim_free(s);
}

/* Its standard exit of its output of a trade in block B carries the
 * trade's inclusion proof: watchers answer its challenge with it, the
 * trade exits through its outputs, and that output is paid once. */
static void test_revealed_proof_answers_challenge(void **state)
{
    (void)state;
    sim *s = run((opts){.seed = 9,
                        .inflight = "\"fraction\": 0.3, \"in_block\": 1, \"trade_fraction\": 1",
                        .attacks = "\"competitor\": 1, \"exit_withheld_outputs\": 1"});
    const sim_ife_result *r = &s->r.ife;
    size_t trades = count_kind(s, IFX_TRADE);
    chain_view v;
    view_read(&v, s);
    assert_conserved(&v);
    assert_int_equal(r->responses, trades);
    assert_int_equal(r->outputs_path, trades);
    assert_int_equal(assert_in_time_whole(&v), trades);
    for (size_t f = 0; f < s->w.n_ifx; f++) {
        uint32_t tx = s->w.ifx[f].tx;
        plasma_u256 id = ife_id_of(s, tx), user = flag_of(s, tx, false, 0), op = flag_of(s, tx, false, 1);
        assert_int_equal(plasma_u256_cmp(&user, &id), 0);
        plasma_exit_info e;
        uint64_t pos = io(s, tx, false, 1)->pos;
        assert_int_equal(plasma_chain_exit(&e, s->chain, pos), 0);
        assert_int_equal(e.state, PLASMA_EXIT_FINALIZED);
        assert_true(plasma_u256_cmp(&op, &(plasma_u256){{pos, 0, 0, 0}}) == 0);
    }
    view_free(&v);
    sim_free(s);
}

static void test_piggyback_unowned_refused(void **state)
{
    (void)state;
    sim *s = run((opts){.seed = 10,
                        .inflight = "\"fraction\": 0.3, \"in_block\": 0.5, \"trade_fraction\": 0.4",
                        .attacks = "\"piggyback_unowned\": 1"});
    const sim_ife_result *r = &s->r.ife;
    size_t unowned = 0;
    for (size_t f = 0; f < s->w.n_ifx; f++) {
        uint32_t tx = s->w.ifx[f].tx;
        for (unsigned i = 0; i < s->w.txs[tx].n_in; i++)
            unowned += io(s, tx, true, i)->owner != SIM_OWNER_OPERATOR;
        for (unsigned o = 0; o < s->w.txs[tx].n_out; o++)
            unowned += io(s, tx, false, o)->owner != SIM_OWNER_OPERATOR;
    }
    chain_view v;
    view_read(&v, s);
    assert_conserved(&v);
    assert_true(unowned > 20);
    assert_int_equal(r->refused_not_owner, unowned);
    assert_int_equal(r->operator_piggybacks, 0);
    assert_int_equal(r->outputs_path, r->txs);
    assert_int_equal(assert_in_time_whole(&v), r->parties);
    view_free(&v);
    sim_free(s);
}

/* The operator exits its input of each trade and piggybacks it on the
 * trade's exit. With watchers the exit is challenged with the trade; without,
 * the first finalizer flags the output and the other is paid nothing. */
static void check_double_exit(bool watchers)
{
    sim *s = run((opts){.seed = 11,
                        .inflight = "\"fraction\": 0.3, \"in_block\": 0.5, \"trade_fraction\": 1",
                        .attacks = "\"double_exit_inputs\": 1",
                        .strategy = watchers ? QUICK : "\"watch_fraction\": 0, \"unwatched_delay\": \"2m\""});
    const sim_ife_result *r = &s->r.ife;
    size_t trades = count_kind(s, IFX_TRADE);
    chain_view v;
    view_read(&v, s);
    assert_conserved(&v);
    assert_int_equal(assert_in_time_whole(&v), trades);
    assert_int_equal(s->r.exits_challenged, watchers ? trades : 0);
    for (size_t f = 0; f < s->w.n_ifx; f++) {
        uint32_t tx = s->w.ifx[f].tx;
        uint64_t pos = s->w.txs[tx].in[1];
        plasma_exit_info e;
        assert_int_equal(plasma_chain_exit(&e, s->chain, pos), 0);
        plasma_u256 id = ife_id_of(s, tx), by = flag_of(s, tx, true, 1);
        if (watchers) {
            assert_int_equal(e.state, PLASMA_EXIT_CHALLENGED);
            assert_int_equal(plasma_u256_cmp(&by, &id), 0); /* flagged by T's outputs path, unpaid */
            assert_int_equal(v.paid_in[f] >> 1 & 1, 0);
        } else {
            /* paid by whichever came first, once */
            bool by_exit = plasma_u256_cmp(&by, &(plasma_u256){{pos, 0, 0, 0}}) == 0;
            assert_true(by_exit ? e.state == PLASMA_EXIT_FINALIZED && !(v.paid_in[f] >> 1 & 1)
                                : plasma_u256_cmp(&by, &id) == 0 && e.state != PLASMA_EXIT_FINALIZED);
        }
    }
    assert_int_equal(r->operator_piggybacks, trades);
    view_free(&v);
    sim_free(s);
}

static void test_double_exit_input_paid_once(void **state)
{
    (void)state;
    check_double_exit(true);
    check_double_exit(false);
}

/* After a trade of block B exited through its inputs (its proof never
 * shown), the operator exits its output of it: paid, but after every
 * honest exit started in time. */
static void test_late_output_exit_comes_last(void **state)
{
    (void)state;
    sim *s = run((opts){.seed = 12,
                        .inflight = "\"fraction\": 0.3, \"in_block\": 1, \"trade_fraction\": 1",
                        .attacks = "\"competitor\": 1, \"late_output_exit\": 1"});
    size_t trades = count_kind(s, IFX_TRADE);
    chain_view v;
    view_read(&v, s);
    assert_conserved(&v);
    assert_int_equal(assert_in_time_whole(&v), trades);
    uint64_t last_honest = 0, first_late = UINT64_MAX;
    for (size_t i = 0; i < s->w.n_live; i++) {
        plasma_exit_info e;
        if (plasma_chain_exit(&e, s->chain, s->w.outs[s->w.live[i]].pos) == 0 && e.exitable_at > last_honest)
            last_honest = e.exitable_at;
    }
    size_t paid = 0;
    for (size_t f = 0; f < s->w.n_ifx; f++) {
        plasma_exit_info e;
        assert_int_equal(plasma_chain_exit(&e, s->chain, io(s, s->w.ifx[f].tx, false, 1)->pos), 0);
        first_late = e.exitable_at < first_late ? e.exitable_at : first_late;
        paid += e.state == PLASMA_EXIT_FINALIZED;
    }
    assert_int_equal(paid, trades);
    assert_true(first_late > last_honest);
    assert_int_equal(s->r.honest_in_time, s->r.honest_in_time_paid);
    view_free(&v);
    sim_free(s);
}

/* The operator starts every in-flight exit at once: the first phase runs
 * from the incident, and parties who learn of it later are late. Where no
 * one piggybacked, they delete the exit and start it again. */
static void test_start_early_shortens_window(void **state)
{
    (void)state;
    sim *s = run((opts){
        .seed = 13,
        .inflight = "\"fraction\": 0.4, \"in_block\": 0.5, \"margin\": \"2m\"",
        .attacks = "\"start_early\": 1",
        .strategy = "\"watch_fraction\": 0.5, \"reaction_delay\": \"1m\","
                    " \"unwatched_delay\": {\"dist\": \"uniform\", \"min\": \"10m\", \"max\": \"50m\"}",
        .utxos = 1});
    const sim_ife_result *r = &s->r.ife;
    chain_view v;
    view_read(&v, s);
    assert_conserved(&v);
    assert_true(r->operator_started >= r->txs);
    assert_int_equal(r->honest_started, r->deleted);
    assert_true(r->deleted > 0);
    assert_true(r->parties_in_time < r->parties_reacted);
    assert_true(assert_in_time_whole(&v) > 0);
    view_free(&v);
    sim_free(s);
}

static void test_theft_ifes_refused(void **state)
{
    (void)state;
    sim *s = run((opts){.seed = 14, .inflight = "\"fraction\": 0.2", .attacks = "\"ife_theft_txs\": 1"});
    const sim_ife_result *r = &s->r.ife;
    assert_true(s->w.n_theft_txs >= 10);
    assert_int_equal(r->refused_bad_signature, s->w.n_theft_txs);
    assert_int_equal(r->operator_started, 0);
    assert_int_equal(r->started, r->txs);
    sim_free(s);
}

/* Background outbids every call of the users, urgent ones too: parties
 * who reacted at once cannot exit, and the run fails saying so. */
static void test_loss_in_time_fails_the_run(void **state)
{
    (void)state;
    char err[SIM_ERR_MAX];
    sim *s = NULL;
    opts o = {.seed = 15,
              .inflight = "\"fraction\": 0.2, \"urgent_gas_price\": \"200 gwei\"",
              .rootchain = ", \"background\": {\"gas_per_block\": 60000000, \"gas_price\": \"500 gwei\"}",
              .extra = ", \"limits\": {\"max_time\": \"3h\"}"};
    int rc = run_rc(&o, &s, err);
    assert_int_equal(rc, SIM_EINVARIANT);
    assert_non_null(strstr(err, "honest parties of in-flight txs reacted within the first phase and lost"));
    assert_true(s->r.ife.losers_in_time > 0);
    assert_int_equal(s->r.ife.started, 0);
    sim_free(s);
}

static void test_same_seed_same_result(void **state)
{
    (void)state;
    opts o = {.seed = 16,
              .inflight = "\"fraction\": 0.3, \"in_block\": 0.5, \"trade_fraction\": 0.5",
              .attacks = "\"competitor\": 0.5, \"exit_withheld_outputs\": 0.5, \"start_early\": 0.3"};
    sim *a = run(o), *b = run(o);
    o.seed = 17;
    sim *c = run(o);
    json_t *ja = sim_result_json(&a->sc, &a->r, false), *jb = sim_result_json(&b->sc, &b->r, false),
           *jc = sim_result_json(&c->sc, &c->r, false);
    assert_true(json_equal(ja, jb));
    assert_false(json_equal(ja, jc));
    json_decref(ja);
    json_decref(jb);
    json_decref(jc);
    sim_free(a);
    sim_free(b);
    sim_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_honest_parties_recover),
        cmocka_unit_test(test_late_parties_alone_lose),
        cmocka_unit_test(test_competitor_challenge_defeated),
        cmocka_unit_test(test_competitor_without_input_refused),
        cmocka_unit_test(test_revealed_proof_answers_challenge),
        cmocka_unit_test(test_piggyback_unowned_refused),
        cmocka_unit_test(test_double_exit_input_paid_once),
        cmocka_unit_test(test_late_output_exit_comes_last),
        cmocka_unit_test(test_start_early_shortens_window),
        cmocka_unit_test(test_theft_ifes_refused),
        cmocka_unit_test(test_loss_in_time_fails_the_run),
        cmocka_unit_test(test_same_seed_same_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
