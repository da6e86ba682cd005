/* The books of in-flight exits: what the chain's events say happened to
 * each exit of an in-flight tx, the contract's flows they caused, what
 * every honest party was owed and got, and the check that no honest party
 * who reacted in time lost anything (docs/simulation.md, "Funds in
 * flight"). */
#include <string.h>

#include "sim_int.h"

static const plasma_u256 *event_id(const plasma_event *ev)
{
    switch (ev->kind) {
    case PLASMA_EVENT_IFE_STARTED:
        return &ev->ife_started.ife_id;
    case PLASMA_EVENT_IFE_INPUT_PIGGYBACKED:
    case PLASMA_EVENT_IFE_OUTPUT_PIGGYBACKED:
    case PLASMA_EVENT_IFE_INPUT_BLOCKED:
    case PLASMA_EVENT_IFE_OUTPUT_BLOCKED:
        return &ev->ife_index.ife_id;
    case PLASMA_EVENT_IFE_CHALLENGED:
        return &ev->ife_challenged.ife_id;
    case PLASMA_EVENT_IFE_RESPONDED:
        return &ev->ife_responded.ife_id;
    case PLASMA_EVENT_IFE_INPUT_WITHDRAWN:
    case PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN:
        return &ev->ife_withdrawn.ife_id;
    default:
        return &ev->ife_closed.ife_id;
    }
}

static uint32_t exit_tx(const sim *s, uint32_t e)
{
    const sim_ifx *f = &s->w.ifx[e / 2];
    return e % 2 ? f->competitor : f->tx;
}

/* Input i (in) or output i of exit e's tx. */
static const sim_out *io_of(const sim *s, uint32_t e, bool in, unsigned i)
{
    const sim_tx *t = &s->w.txs[exit_tx(s, e)];
    return &s->w.outs[in ? sim_world_find(&s->w, t->in[i]) : t->first_out + i];
}

static bool is_operator(const sim *s, const plasma_addr *a)
{
    return plasma_addr_eq(a, &s->w.operator_addr);
}

static void add(plasma_u256 *sum, const plasma_u256 *v)
{
    plasma_u256_add(sum, sum, v);
}

/* ---- events ---- */

static int started(sim *s, uint32_t e, const plasma_event *ev)
{
    sim_ife *x = &s->ifes[e];
    plasma_ife_info info;
    int rc = plasma_chain_ife(&info, s->chain, &x->id);
    if (rc != 0)
        return sim_fail(s, SIM_EINVARIANT, "an in-flight exit reported started is not open on the chain");
    /* A new round (after a deletion, the same tx again): what the
     * watchers know of the tx stays, the exit's state starts afresh. */
    x->state = IFE_OPEN;
    x->canonical = true;
    x->deleting = x->ever_piggybacked = false;
    x->in_pb = x->out_pb = x->in_want = x->out_want = x->op_in_want = x->op_out_want = 0;
    x->in_paid = x->out_paid = x->path = 0;
    x->start = info.start;
    x->phase_end = info.start + s->sc.exit_period / 2;
    x->exitable_at = info.exitable_at;
    x->youngest = info.youngest;
    x->bond_owner = x->starter = ev->ife_started.initiator;
    sim_ife_result *r = &s->r.ife;
    r->started++;
    add(&s->ife_in_eth, &s->sc.ife_bond);
    if (is_operator(s, &x->starter)) {
        r->operator_started++;
        add(&s->op_ife_posted, &s->sc.ife_bond);
    } else if (!plasma_addr_eq(&x->starter, &s->challenger)) {
        r->honest_started++;
    }
    return PLASMA_OK;
}

static void piggybacked(sim *s, uint32_t e, const plasma_event *ev, bool in)
{
    sim_ife *x = &s->ifes[e];
    uint8_t bit = (uint8_t)(1u << ev->ife_index.index);
    *(in ? &x->in_pb : &x->out_pb) |= bit;
    x->ever_piggybacked = true;
    sim_ife_result *r = &s->r.ife;
    (*(in ? &r->piggybacks_inputs : &r->piggybacks_outputs))++;
    add(&s->ife_in_eth, &s->sc.piggyback_bond);
    if (is_operator(s, &ev->ife_index.who)) {
        r->operator_piggybacks++;
        add(&s->op_ife_posted, &s->sc.piggyback_bond);
    }
}

/* A bond the contract paid (ETH), less what of it was deferred. */
static void bonds_out(sim *s, const plasma_u256 *attempted, const sim_defsum *d)
{
    plasma_u256 made;
    if (plasma_u256_sub(&made, attempted, &d->eth) != 0)
        made = plasma_u256_from_u64(0);
    add(&s->ife_bonds_out, &made);
}

static void blocked(sim *s, uint32_t e, const plasma_event *ev, bool in)
{
    sim_ife *x = &s->ifes[e];
    unsigned i = (unsigned)ev->ife_index.index;
    *(in ? &x->in_pb : &x->out_pb) &= (uint8_t) ~(1u << i);
    s->r.ife.spent_challenges++;
    sim_defsum d;
    sim_books_take_deferrals(s, &d);
    bonds_out(s, &s->sc.piggyback_bond, &d);
    if (io_of(s, e, in, i)->owner != SIM_OWNER_OPERATOR)
        add(&s->r.ife.honest_bonds_lost, &s->sc.piggyback_bond);
}

static void withdrawn(sim *s, uint32_t e, const plasma_event *ev, bool in)
{
    sim_ife *x = &s->ifes[e];
    unsigned i = (unsigned)ev->ife_withdrawn.index;
    const sim_out *o = io_of(s, e, in, i);
    sim_defsum d;
    sim_books_take_deferrals(s, &d);
    x->path = in ? PLASMA_IFE_PATH_INPUTS : PLASMA_IFE_PATH_OUTPUTS;
    if (d.any)
        return; /* a claim on an empty contract: not paid */
    *(in ? &x->in_paid : &x->out_paid) |= (uint8_t)(1u << i);
    add(&s->ife_out[o->token], &o->amount);
    if (o->owner == SIM_OWNER_OPERATOR)
        add(&s->op_ife_got[o->token], &o->amount);
}

/* The path of an exit processed without a payout: through its outputs
 * every input is flagged with its id; through its inputs only those paid. */
static int resolve_path(sim *s, uint32_t e)
{
    sim_ife *x = &s->ifes[e];
    if (x->path)
        return PLASMA_OK;
    const sim_tx *t = &s->w.txs[exit_tx(s, e)];
    bool all = true;
    plasma_buf buf = {0};
    int rc = PLASMA_OK;
    for (unsigned i = 0; rc == 0 && i < t->n_in; i++) {
        const sim_out *o = io_of(s, e, true, i);
        plasma_hash oid;
        plasma_u256 by;
        buf.len = 0;
        rc = sim_world_encode_tx(&s->w, o->tx, &buf);
        if (rc != 0)
            break;
        plasma_output_id(&oid, buf.data, buf.len, s->w.txs[o->tx].n_in > 0, plasma_pos_oindex(o->pos),
                         o->pos);
        plasma_chain_finalized(&by, s->chain, &oid);
        all = all && plasma_u256_cmp(&by, &x->id) == 0;
    }
    plasma_buf_free(&buf);
    x->path = all ? PLASMA_IFE_PATH_OUTPUTS : PLASMA_IFE_PATH_INPUTS;
    return rc;
}

static bool honest(const sim *s, const plasma_addr *a)
{
    return !is_operator(s, a) && !plasma_addr_eq(a, &s->challenger);
}

/* The exit's bond went to bond_owner and the standing piggybacks' bonds
 * back: the operator's gain, or an honest starter's loss when someone else
 * holds the bond; honest bonds the contract deferred are lost as well. */
static void bond_paid(sim *s, const sim_ife *x, const sim_defsum *d, uint64_t op_piggybacks)
{
    plasma_u256 back = plasma_u256_from_u64(0), pb, other;
    if (is_operator(s, &x->bond_owner))
        back = s->sc.ife_bond;
    plasma_u256_mul_u64(&pb, &s->sc.piggyback_bond, op_piggybacks);
    add(&back, &pb);
    if (plasma_u256_sub(&back, &back, &d->op_eth) == 0)
        add(&s->op_ife_bonds_back, &back);
    if (honest(s, &x->starter) && !plasma_addr_eq(&x->bond_owner, &x->starter))
        add(&s->r.ife.honest_bonds_lost, &s->sc.ife_bond);
    plasma_u256_add(&other, &d->op_eth, &d->watcher_eth);
    if (plasma_u256_sub(&other, &d->eth, &other) == 0)
        add(&s->r.ife.honest_bonds_lost, &other);
}

/* Exits still open at the end hold their honest bonds: the start's, and
 * each standing piggyback's. */
static void bonds_held(sim *s)
{
    for (size_t e = 0; e < 2 * s->w.n_ifx; e++) {
        const sim_ife *x = &s->ifes[e];
        if (x->state != IFE_OPEN)
            continue;
        if (honest(s, &x->starter))
            add(&s->r.ife.honest_bonds_lost, &s->sc.ife_bond);
        const sim_tx *t = &s->w.txs[exit_tx(s, (uint32_t)e)];
        for (unsigned i = 0; i < t->n_in + t->n_out; i++) {
            bool in = i < t->n_in;
            unsigned k = in ? i : i - t->n_in;
            if (((in ? x->in_pb : x->out_pb) >> k) & 1 &&
                io_of(s, (uint32_t)e, in, k)->owner != SIM_OWNER_OPERATOR)
                add(&s->r.ife.honest_bonds_lost, &s->sc.piggyback_bond);
        }
    }
}

static int finalized(sim *s, uint32_t e)
{
    sim_ife *x = &s->ifes[e];
    const sim_tx *t = &s->w.txs[exit_tx(s, e)];
    sim_defsum d;
    sim_books_take_deferrals(s, &d);
    /* The bond back to every standing piggyback, and the exit's bond. */
    uint64_t standing = 0, op = 0;
    for (unsigned i = 0; i < t->n_in + t->n_out; i++) {
        bool in = i < t->n_in;
        unsigned k = in ? i : i - t->n_in;
        if (!(((in ? x->in_pb : x->out_pb) >> k) & 1))
            continue;
        standing++;
        op += io_of(s, e, in, k)->owner == SIM_OWNER_OPERATOR;
    }
    plasma_u256 attempted;
    plasma_u256_mul_u64(&attempted, &s->sc.piggyback_bond, standing);
    add(&attempted, &s->sc.ife_bond);
    bonds_out(s, &attempted, &d);
    bond_paid(s, x, &d, op);
    int rc = resolve_path(s, e);
    x->state = IFE_DONE;
    sim_ife_result *r = &s->r.ife;
    r->finalized++;
    (*(x->path == PLASMA_IFE_PATH_OUTPUTS ? &r->outputs_path : &r->inputs_path))++;
    sim_books_check_order(s, io_of(s, e, false, 0)->token, x->exitable_at, x->youngest);
    return rc;
}

static void deleted(sim *s, uint32_t e)
{
    sim_ife *x = &s->ifes[e];
    sim_defsum d;
    sim_books_take_deferrals(s, &d);
    bonds_out(s, &s->sc.ife_bond, &d);
    bond_paid(s, x, &d, 0);
    x->state = IFE_NONE;
    x->deleting = false;
    s->r.ife.deleted++;
}

static void challenged(sim *s, uint32_t e, const plasma_event *ev)
{
    sim_ife *x = &s->ifes[e];
    x->canonical = false;
    x->bond_owner = ev->ife_challenged.challenger;
    s->r.ife.challenges++;
    s->r.ife.operator_challenges += is_operator(s, &x->bond_owner);
}

static int apply(sim *s, uint32_t e, const plasma_event *ev)
{
    switch (ev->kind) {
    case PLASMA_EVENT_IFE_STARTED:
        return started(s, e, ev);
    case PLASMA_EVENT_IFE_INPUT_PIGGYBACKED:
    case PLASMA_EVENT_IFE_OUTPUT_PIGGYBACKED:
        piggybacked(s, e, ev, ev->kind == PLASMA_EVENT_IFE_INPUT_PIGGYBACKED);
        return PLASMA_OK;
    case PLASMA_EVENT_IFE_CHALLENGED:
        challenged(s, e, ev);
        return PLASMA_OK;
    case PLASMA_EVENT_IFE_RESPONDED:
        s->ifes[e].canonical = true;
        s->ifes[e].bond_owner = ev->ife_responded.responder;
        s->r.ife.responses++;
        return PLASMA_OK;
    case PLASMA_EVENT_IFE_INPUT_BLOCKED:
    case PLASMA_EVENT_IFE_OUTPUT_BLOCKED:
        blocked(s, e, ev, ev->kind == PLASMA_EVENT_IFE_INPUT_BLOCKED);
        return PLASMA_OK;
    case PLASMA_EVENT_IFE_INPUT_WITHDRAWN:
    case PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN:
        withdrawn(s, e, ev, ev->kind == PLASMA_EVENT_IFE_INPUT_WITHDRAWN);
        return PLASMA_OK;
    case PLASMA_EVENT_IFE_FINALIZED:
        return finalized(s, e);
    default:
        deleted(s, e);
        return PLASMA_OK;
    }
}

int sim_ife_books_event(sim *s, const plasma_event *ev, uint64_t now)
{
    uint32_t e = sim_ife_find(s, event_id(ev));
    if (e == SIM_NONE)
        return sim_fail(s, SIM_EINVARIANT, "the chain reports an in-flight exit of no tx of the simulation");
    int rc = apply(s, e, ev);
    return rc ? rc : sim_ife_after_event(s, e, ev, now);
}

/* ---- the parties' funds ---- */

/* What party was owed by f's tx on side in (its inputs) or outputs, and
 * what of it was paid. */
static void owed(const sim *s, uint32_t f, uint32_t party, bool in, plasma_u256 *claim, plasma_u256 *paid)
{
    const sim_ife *x = &s->ifes[2 * f];
    const sim_tx *t = &s->w.txs[s->w.ifx[f].tx];
    *claim = *paid = plasma_u256_from_u64(0);
    for (unsigned i = 0; i < (in ? t->n_in : t->n_out); i++) {
        const sim_out *o = io_of(s, 2 * f, in, i);
        if (o->owner != party)
            continue;
        plasma_u256_add(claim, claim, &o->amount);
        if (((in ? x->in_paid : x->out_paid) >> i) & 1)
            plasma_u256_add(paid, paid, &o->amount);
    }
}

/* The side §6b owes: the one its exit took, or, for a tx that never exited,
 * a payment's outputs and a trade's inputs (what the user held). */
static bool owed_inputs(const sim *s, uint32_t f)
{
    const sim_ife *x = &s->ifes[2 * f];
    if (x->state == IFE_DONE)
        return x->path == PLASMA_IFE_PATH_INPUTS;
    return s->w.ifx[f].kind == IFX_TRADE;
}

static void count_party(sim *s, uint32_t f, uint32_t party, bool sender)
{
    sim_ife_result *r = &s->r.ife;
    unsigned token = s->w.outs[s->w.ifx[f].in[0]].token;
    sim_token_result *t = &s->r.tokens[token];
    plasma_u256 claim, paid, lost;
    owed(s, f, party, owed_inputs(s, f), &claim, &paid);
    plasma_u256_sub(&lost, &claim, &paid);
    add(&t->honest_total, &claim);
    add(&t->ife_recovered, &paid);
    add(&t->lost, &lost);
    bool reacted = (sender ? s->react_sender : s->react_recipient)[f] != UINT64_MAX;
    bool in_time = reacted && (sender ? s->in_time_sender : s->in_time_recipient)[f];
    r->parties++;
    r->parties_reacted += reacted;
    r->parties_in_time += in_time;
    sim_books_add_eth(s, &r->total, token, &claim);
    sim_books_add_eth(s, sender ? &r->recovered_sender : &r->recovered_recipient, token, &paid);
    sim_books_add_eth(s, &r->lost, token, &lost);
    if (plasma_u256_is_zero(&lost))
        return;
    if (in_time) {
        r->losers_in_time++;
        sim_books_add_eth(s, &r->lost_in_time, token, &lost);
    } else {
        r->losers_late++;
    }
}

/* The operator's own funds: its outputs that no trade spent, and in each
 * trade its side on the path the trade took: the output the trade gave it
 * when it exited through its outputs, else its input (as the user's claim
 * is then its input). Whatever exit brought them back (the trade's own,
 * or a theft exit paid out of the pool they stayed in), they are not
 * stolen. */
static void operator_own(sim *s)
{
    for (size_t i = 0; i < s->w.n_stock; i++) {
        const sim_out *o = &s->w.outs[s->w.stock[i]];
        if (o->spent_by == SIM_NONE)
            add(&s->op_legit[o->token], &o->amount);
    }
    for (uint32_t f = 0; f < s->w.n_ifx; f++) {
        const sim_ifx *x = &s->w.ifx[f];
        if (x->kind != IFX_TRADE)
            continue;
        const sim_ife *e = &s->ifes[2 * f];
        bool outputs = e->state == IFE_DONE && e->path == PLASMA_IFE_PATH_OUTPUTS;
        const sim_out *side = &s->w.outs[outputs ? s->w.txs[x->tx].first_out + 1 : x->in[1]];
        add(&s->op_legit[side->token], &side->amount);
    }
}

static void count_txs(sim *s)
{
    sim_ife_result *r = &s->r.ife;
    for (uint32_t f = 0; f < s->w.n_ifx; f++) {
        const sim_ifx *x = &s->w.ifx[f];
        r->txs++;
        r->in_block += x->in_block;
        r->pending += !x->in_block;
        r->trades += x->kind == IFX_TRADE;
    }
}

int sim_ife_books_finish(sim *s)
{
    count_txs(s);
    for (uint32_t f = 0; f < s->w.n_ifx; f++) {
        const sim_ifx *x = &s->w.ifx[f];
        count_party(s, f, x->sender, true);
        if (x->recipient != x->sender)
            count_party(s, f, x->recipient, false);
    }
    operator_own(s);
    bonds_held(s);
    const sim_ife_result *r = &s->r.ife;
    if (r->losers_in_time == 0)
        return PLASMA_OK;
    char dec[PLASMA_U256_DEC_MAX];
    return sim_fail(s, SIM_EINVARIANT,
                    "%llu honest parties of in-flight txs reacted within the first phase and lost %s wei",
                    (unsigned long long)r->losers_in_time, plasma_u256_format_dec(dec, &r->lost_in_time));
}
