/* The simulation's books: what the chain's events say happened to each
 * exit, the totals of the result, and two checks of the chain against the
 * books: the contract holds exactly what came in minus what went out, and
 * exits were paid in priority order. */
#include <math.h>
#include <string.h>

#include "sim_int.h"

static int unknown_exit(sim *s, uint64_t id)
{
    return sim_fail(s, SIM_EINVARIANT, "the chain reports exit %llu, which names no output of the simulation",
                    (unsigned long long)id);
}

/* A watcher holds the spending transaction of an operator's output that a
 * published block spent, or that an in-flight exit made public, and
 * challenges its exit. */
static bool challengeable(const sim *s, const sim_out *o)
{
    if (o->owner != SIM_OWNER_OPERATOR || o->spent_by == SIM_NONE || !s->has_watchers)
        return false;
    const sim_tx *t = &s->w.txs[o->spent_by];
    if (t->kind == TX_INFLIGHT)
        return sim_ife_spend_public(s, o);
    return !s->w.blocks[t->block].withheld;
}

static int exit_started(sim *s, uint32_t out, uint64_t now)
{
    sim_out *o = &s->w.outs[out];
    o->exit = EX_STARTED;
    s->r.exits_started++;
    s->row.exits_started++;
    s->r.last_start_seconds = now - s->t_incident;
    if (o->owner == SIM_OWNER_OPERATOR) {
        s->r.operator_started++;
        int rc = sim_ife_exit_started(s, out, now);
        if (rc != 0 || !challengeable(s, o))
            return rc;
        double d = sim_dist_sample(&s->sc.challenge_delay, &s->rng_watch);
        return sim_push_event(s, now + (d > 0 ? (uint64_t)llround(d) : 0), EV_CHALLENGE, out);
    }
    s->r.honest_started++;
    const sim_user *u = &s->w.users[o->owner];
    if (now > s->t_deadline) {
        s->r.honest_late++;
        s->r.honest_late_watchers += u->kind == USER_WATCHER;
        s->r.bid_late_gwei += (double)u->bid / 1e9;
        return PLASMA_OK;
    }
    o->flags |= OUT_IN_TIME;
    s->r.honest_in_time++;
    s->r.bid_in_time_gwei += (double)u->bid / 1e9;
    return PLASMA_OK;
}

/* Exits, standard and in-flight, must leave each token's queue in
 * (exitable_at, position) order. */
void sim_books_check_order(sim *s, unsigned token, uint64_t exitable_at, uint64_t pos)
{
    sim_order_check *last = &s->order[token];
    if (exitable_at < last->exitable_at || (exitable_at == last->exitable_at && pos < last->pos))
        s->r.priority_order_ok = false;
    last->exitable_at = exitable_at;
    last->pos = pos;
}

static int check_order(sim *s, const sim_out *o)
{
    plasma_exit_info info;
    int rc = plasma_chain_exit(&info, s->chain, o->pos);
    if (rc != 0)
        return unknown_exit(s, o->pos);
    sim_books_check_order(s, o->token, info.exitable_at, o->pos);
    return PLASMA_OK;
}

void sim_books_take_deferrals(sim *s, sim_defsum *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < s->n_defs; i++) {
        const sim_deferral *d = &s->defs[i];
        out->any = true;
        if (plasma_addr_is_zero(&d->token)) {
            plasma_u256_add(&out->eth, &out->eth, &d->amount);
            if (plasma_addr_eq(&d->owner, &s->w.operator_addr))
                plasma_u256_add(&out->op_eth, &out->op_eth, &d->amount);
            if (plasma_addr_eq(&d->owner, &s->challenger))
                plasma_u256_add(&out->watcher_eth, &out->watcher_eth, &d->amount);
            continue;
        }
        for (unsigned k = 0; k < s->sc.n_tokens; k++)
            if (plasma_addr_eq(&s->sc.tokens[k].addr, &d->token))
                plasma_u256_add(&out->tok[k], &out->tok[k], &d->amount);
    }
    s->n_defs = 0;
}

/* What the payments of the exit just finalized left unpaid: an ETH exit
 * is one payment of amount + bond; a token exit pays its amount in the
 * token and its bond in ETH. Consumes the pending deferrals. */
static void settle_deferrals(sim *s, const sim_out *o, bool *amount_paid, bool *bond_paid)
{
    bool eth = plasma_addr_is_zero(&s->sc.tokens[o->token].addr);
    sim_defsum d;
    sim_books_take_deferrals(s, &d);
    bool eth_def = !plasma_u256_is_zero(&d.eth);
    *bond_paid = !eth_def;
    *amount_paid = eth ? !eth_def : plasma_u256_is_zero(&d.tok[o->token]);
}

static int exit_finalized(sim *s, uint32_t out, uint64_t now)
{
    sim_out *o = &s->w.outs[out];
    sim_token_result *t = &s->r.tokens[o->token];
    bool amount_paid, bond_paid;
    settle_deferrals(s, o, &amount_paid, &bond_paid);
    o->exit = EX_FINALIZED;
    s->r.exits_finalized++;
    s->row.exits_processed++;
    s->settled++;
    s->r.drain_seconds = now - s->t_incident;
    if (bond_paid)
        plasma_u256_add(&s->bonds_paid, &s->bonds_paid, &s->sc.exit_bond);
    if (!amount_paid) {
        o->flags |= OUT_DEFERRED;
        s->r.exits_deferred++;
    }
    if (o->owner != SIM_OWNER_OPERATOR) {
        s->r.honest_finalized++;
        s->r.honest_in_time_paid += (o->flags & OUT_IN_TIME) != 0 && amount_paid;
        if (amount_paid)
            plasma_u256_add(&t->recovered, &t->recovered, &o->amount);
    } else {
        if ((o->flags & OUT_THEFT) && !s->theft_reached) {
            s->theft_reached = true;
            s->r.honest_paid_before_theft = s->r.honest_finalized;
        }
        s->r.operator_finalized++;
        if (amount_paid)
            plasma_u256_add(&t->operator_paid, &t->operator_paid, &o->amount);

        if (bond_paid)
            plasma_u256_add(&s->operator_bonds_back, &s->operator_bonds_back, &s->sc.exit_bond);
    }
    return check_order(s, o);
}

/* A payment the contract could not make (docs/inflight.md): it belongs to
 * the event that follows it, which reports the payments it was one of. */
static int payment_deferred(sim *s, const plasma_event *ev)
{
    if (s->n_defs == SIM_MAX_DEFERRALS)
        return sim_fail(s, SIM_EINVARIANT, "more deferred payments before one event than one exit makes");
    sim_deferral *d = &s->defs[s->n_defs++];
    d->owner = ev->payment.owner;
    d->token = ev->payment.token;
    d->amount = ev->payment.amount;
    return PLASMA_OK;
}

int sim_books_event(sim *s, const plasma_event *ev, uint64_t now)
{
    uint64_t id;
    switch (ev->kind) {
    case PLASMA_EVENT_EXIT_STARTED:
        id = ev->exit_started.exit_id;
        break;
    case PLASMA_EVENT_EXIT_CHALLENGED:
        id = ev->exit_challenged.exit_id;
        break;
    case PLASMA_EVENT_EXIT_FINALIZED:
        id = ev->exit_finalized.exit_id;
        break;
    case PLASMA_EVENT_PAYMENT_DEFERRED:
        return payment_deferred(s, ev);
    case PLASMA_EVENT_DEPOSIT_CREATED:
    case PLASMA_EVENT_BLOCK_SUBMITTED:
    case PLASMA_EVENT_WITHDRAWAL:
        return PLASMA_OK;
    default:
        return sim_ife_books_event(s, ev, now);
    }
    uint32_t out = sim_world_find(&s->w, id);
    if (out == SIM_NONE)
        return unknown_exit(s, id);
    if (ev->kind == PLASMA_EVENT_EXIT_STARTED)
        return exit_started(s, out, now);
    if (ev->kind == PLASMA_EVENT_EXIT_FINALIZED)
        return exit_finalized(s, out, now);
    sim_defsum d;
    sim_books_take_deferrals(s, &d);
    bool bond_paid = plasma_u256_is_zero(&d.eth);
    if (bond_paid)
        plasma_u256_add(&s->bonds_paid, &s->bonds_paid, &s->sc.exit_bond);
    s->w.outs[out].exit = EX_CHALLENGED;
    s->r.exits_challenged++;
    s->row.challenges++;
    s->settled++;
    return PLASMA_OK;
}

/* ---- totals ---- */

/* A token amount in ETH-equivalent wei: exact at the default rate of 1. */
static void to_eth(plasma_u256 *out, const plasma_u256 *amount, double rate)
{
    if (rate == 1.0) {
        *out = *amount;
        return;
    }
    double v = sim_u256_to_double(amount) * rate, hi = floor(v / 18446744073709551616.0);
    plasma_u256 r = plasma_u256_from_u64(0), lo;
    if (hi >= 1) {
        r = plasma_u256_from_u64(hi < 1.8e19 ? (uint64_t)hi : UINT64_MAX);
        plasma_u256_mul_u64(&r, &r, UINT64_MAX);
        plasma_u256 h = plasma_u256_from_u64(hi < 1.8e19 ? (uint64_t)hi : UINT64_MAX);
        plasma_u256_add(&r, &r, &h);
    }
    double rest = v - hi * 18446744073709551616.0;
    lo = plasma_u256_from_u64(rest <= 0 ? 0 : rest < 1.8e19 ? (uint64_t)rest : UINT64_MAX);
    plasma_u256_add(out, &r, &lo);
}

static void add_eth(plasma_u256 *sum, const plasma_u256 *amount, double rate)
{
    plasma_u256 v;
    to_eth(&v, amount, rate);
    plasma_u256_add(sum, sum, &v);
}

void sim_books_add_eth(const sim *s, plasma_u256 *sum, unsigned token, const plasma_u256 *amount)
{
    add_eth(sum, amount, s->sc.tokens[token].eth_value);
}

/* The operator's gain per token: what its exits and in-flight exits were
 * paid, less its own funds in its trades; for ETH the bonds it posted
 * count against that, bonds back included. */
static void stolen(sim *s)
{
    plasma_u256 posted, back = s->operator_bonds_back;
    plasma_u256_mul_u64(&posted, &s->sc.exit_bond, s->r.operator_started);
    plasma_u256_add(&posted, &posted, &s->op_ife_posted);
    plasma_u256_add(&back, &back, &s->op_ife_bonds_back);
    for (unsigned k = 0; k < s->sc.n_tokens; k++) {
        sim_token_result *t = &s->r.tokens[k];
        bool eth = plasma_addr_is_zero(&s->sc.tokens[k].addr);
        plasma_u256 cost = s->op_legit[k];
        t->stolen = t->operator_paid;
        plasma_u256_add(&t->stolen, &t->stolen, &s->op_ife_got[k]);
        if (eth) {
            plasma_u256_add(&t->stolen, &t->stolen, &back);
            plasma_u256_add(&cost, &cost, &posted);
        }
        if (plasma_u256_sub(&t->stolen, &t->stolen, &cost) != 0)
            t->stolen = plasma_u256_from_u64(0);
    }
}

/* Honest outputs at the incident: recovered, safe (nothing can take them:
 * the operator is honest or gone without stealing) or lost. */
static void classify_honest(sim *s)
{
    bool at_risk = s->sc.behaviour == SIM_OP_WITHHOLD || s->sc.behaviour == SIM_OP_THEFT;
    plasma_u256 safe[SIM_MAX_TOKENS];
    memset(safe, 0, sizeof safe);
    for (size_t i = 0; i < s->w.n_live; i++) {
        const sim_out *o = &s->w.outs[s->w.live[i]];
        sim_token_result *t = &s->r.tokens[o->token];
        s->r.victims += (o->flags & OUT_VICTIM) != 0;
        plasma_u256_add(&t->honest_total, &t->honest_total, &o->amount);
        if (o->exit == EX_FINALIZED && !(o->flags & OUT_DEFERRED))
            continue;
        s->r.honest_unexited += o->exit == EX_NONE;
        s->r.exits_unpaid += o->exit == EX_STARTED || o->exit == EX_FINALIZED;
        plasma_u256_add(at_risk ? &t->lost : &safe[o->token], at_risk ? &t->lost : &safe[o->token],
                        &o->amount);
    }
    for (unsigned k = 0; k < s->sc.n_tokens; k++) {
        double rate = s->sc.tokens[k].eth_value;
        sim_token_result *t = &s->r.tokens[k];
        plasma_u256_add(&t->recovered, &t->recovered, &t->ife_recovered);
        add_eth(&s->r.honest_total, &t->honest_total, rate);
        add_eth(&s->r.honest_recovered, &t->recovered, rate);
        add_eth(&s->r.honest_lost, &t->lost, rate);
        add_eth(&s->r.honest_safe, &safe[k], rate);
        add_eth(&s->r.stolen, &t->stolen, rate);
    }
    double total = sim_u256_to_double(&s->r.honest_total);
    double pct = total > 0 ? 100.0 * sim_u256_to_double(&s->r.honest_recovered) / total : 100.0;
    s->r.honest_recovered_pct = round(pct * 10000.0) / 10000.0;
}

/* The bonds the contract received (exits, in-flight exits, piggybacks)
 * and paid out (back, or to challengers). */
static void bonds(const sim *s, plasma_u256 *in, plasma_u256 *out)
{
    plasma_u256_mul_u64(in, &s->sc.exit_bond, s->r.exits_started);
    plasma_u256_add(in, in, &s->ife_in_eth);
    *out = s->bonds_paid;
    plasma_u256_add(out, out, &s->ife_bonds_out);
}

/* The contract's balance of token must be what it received (its deposits,
 * plus for ETH the bonds of every exit, in-flight exit and piggyback) less
 * what it paid out: bonds, and the amounts of standard and in-flight exits
 * (deferred payments stay in the contract, as claims). Fills the token's
 * received, paid and held. */
static bool conserved(sim *s, unsigned token)
{
    sim_token_result *t = &s->r.tokens[token];
    const plasma_addr *addr = &s->sc.tokens[token].addr;
    plasma_u256 bonds_in, bonds_paid;
    t->received = s->w.deposited[token];
    t->paid = t->recovered;
    plasma_u256_add(&t->paid, &t->paid, &t->operator_paid);
    plasma_u256_add(&t->paid, &t->paid, &s->ife_out[token]);
    if (plasma_addr_is_zero(addr)) {
        bonds(s, &bonds_in, &bonds_paid);
        plasma_u256_add(&t->received, &t->received, &bonds_in);
        plasma_u256_add(&t->paid, &t->paid, &bonds_paid);
    }
    plasma_chain_balance(&t->held, s->chain, &plasma_chain_get_config(s->chain)->contract, addr);
    plasma_u256 want;
    if (plasma_u256_sub(&want, &t->received, &t->paid) != 0)
        return false;
    return plasma_u256_cmp(&t->held, &want) == 0;
}

/* Bonds are paid in ETH, so an ETH-free scenario still has an ETH balance
 * to check. */
static bool conserved_bonds_only(const sim *s)
{
    plasma_u256 in, out, want, have;
    bonds(s, &in, &out);
    if (plasma_u256_sub(&want, &in, &out) != 0)
        return false;
    plasma_chain_balance(&have, s->chain, &plasma_chain_get_config(s->chain)->contract, NULL);
    return plasma_u256_cmp(&have, &want) == 0;
}

static void check_conservation(sim *s)
{
    bool eth = false, ok = true;
    for (unsigned t = 0; t < s->sc.n_tokens; t++) {
        ok = conserved(s, t) && ok;
        eth = eth || plasma_addr_is_zero(&s->sc.tokens[t].addr);
    }
    s->r.conservation_ok = ok && (eth || conserved_bonds_only(s));
}

static void averages(sim *s)
{
    sim_result *r = &s->r;
    uint64_t blocks_with_starts = 0, starts = 0;
    for (size_t i = 0; i < s->n_rows; i++) {
        const sim_row *row = &s->rows[i];
        blocks_with_starts += row->exits_started > 0;
        starts += row->exits_started;
        if (row->exits_started > r->exits_per_block_max)
            r->exits_per_block_max = row->exits_started;
        r->gas_background_unexecuted += row->gas_filler;
    }
    r->exits_per_block_mean = blocks_with_starts ? (double)starts / (double)blocks_with_starts : 0;
    r->gas_per_exit_start = r->exits_started ? (double)r->gas_starts / (double)r->exits_started : 0;
    r->gas_per_exit_processed =
        r->exits_finalized ? (double)r->gas_process / (double)(r->exits_finalized + r->exits_challenged) : 0;
    r->rootchain_blocks = r->seconds_simulated / s->sc.block_time;
    r->bid_in_time_gwei = r->honest_in_time ? r->bid_in_time_gwei / (double)r->honest_in_time : 0;
    r->bid_late_gwei = r->honest_late ? r->bid_late_gwei / (double)r->honest_late : 0;
}

int sim_books_finish(sim *s)
{
    sim_result *r = &s->r;
    r->users = s->sc.n_users;
    r->utxos_at_incident = s->w.n_live;
    r->deposits = s->w.n_deposits;
    r->child_blocks = s->w.n_blocks - s->w.n_deposits;
    r->child_txs = s->w.n_txs - s->w.n_deposits;
    if (!s->theft_reached)
        r->honest_paid_before_theft = r->honest_finalized;
    /* Conservation counts the standard exits' payouts apart from the
     * in-flight exits', which the in-flight books then add to the honest
     * totals. */
    check_conservation(s);
    int rc = sim_ife_books_finish(s);
    stolen(s);
    classify_honest(s);
    averages(s);
    if (!r->conservation_ok)
        return sim_fail(s, SIM_EINVARIANT, "the contract's balance differs from deposits + bonds - payouts");
    if (!r->priority_order_ok)
        return sim_fail(s, SIM_EINVARIANT, "exits were paid out of (exitable_at, utxo_pos) order");
    return rc;
}
