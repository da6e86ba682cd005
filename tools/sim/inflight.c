/* Transactions in flight at the incident (docs/simulation.md, "In-flight
 * transactions"): the users who send them and their keys, the operator's
 * outputs that trades spend, the txs themselves (in block B or pending in
 * the operator, never published), the competitors the operator signs, and
 * which of the operator's attacks each tx meets.
 *
 * Senders sign for real: an in-flight exit carries the tx with its
 * signatures and the chain recovers them. Their addresses are those of
 * keys derived from the seed; every other user keeps a plain pseudo-random
 * address. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

#define SENDER_STREAM 6
#define INFLIGHT_STREAM 7
#define ATTACK_STREAM 8

/* ---- senders and their keys ---- */

static int derive_key(uint64_t seed, uint64_t user, plasma_privkey *key, plasma_addr *addr)
{
    uint8_t pre[14 + 20] = "plasma-sim key";
    for (uint32_t attempt = 0;; attempt++) {
        for (int k = 0; k < 8; k++) {
            pre[14 + k] = (uint8_t)(seed >> (8 * k));
            pre[22 + k] = (uint8_t)(user >> (8 * k));
        }
        memcpy(pre + 30, &attempt, sizeof attempt);
        plasma_hash h;
        plasma_keccak256(&h, pre, sizeof pre);
        memcpy(key->b, h.b, sizeof key->b);
        plasma_wipe(&h, sizeof h);
        /* A hash at or above the curve order (odds 2^-128) tries again. */
        if (plasma_privkey_addr(addr, key) == 0)
            return PLASMA_OK;
    }
}

int sim_ifx_senders(sim_world *w)
{
    const sim_scenario *sc = w->sc;
    uint64_t want = (uint64_t)llround(sc->inflight_fraction * (double)sc->n_users);
    if (want == 0)
        return PLASMA_OK;
    w->key_user = malloc(want * sizeof *w->key_user);
    w->keys = malloc(want * sizeof *w->keys);
    if (!w->key_user || !w->keys)
        return PLASMA_ERR_NOMEM;
    sim_rng rng;
    sim_rng_seed(&rng, sc->seed, SENDER_STREAM);
    /* Selection sampling: exactly want users, in ascending order. */
    for (uint64_t u = 0; u < sc->n_users && w->n_keys < want; u++) {
        if (sim_rng_below(&rng, sc->n_users - u) >= want - w->n_keys)
            continue;
        w->key_user[w->n_keys] = (uint32_t)u;
        derive_key(sc->seed, u, &w->keys[w->n_keys], &w->user_addr[u]);
        w->n_keys++;
    }
    return PLASMA_OK;
}

const plasma_privkey *sim_ifx_key(const sim_world *w, uint32_t owner)
{
    if (owner == SIM_OWNER_OPERATOR)
        return &w->operator_key;
    size_t lo = 0, hi = w->n_keys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->key_user[mid] < owner)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->n_keys && w->key_user[lo] == owner ? &w->keys[lo] : NULL;
}

int sim_ifx_sign(const sim_world *w, uint32_t tx, const plasma_domain *dom, const plasma_privkey *key,
                 plasma_tx *out)
{
    sim_world_build_tx(w, tx, out);
    int rc = PLASMA_OK;
    for (unsigned i = 0; rc == 0 && i < out->n_inputs; i++) {
        const plasma_privkey *k = key;
        if (!k) {
            uint32_t in = sim_world_find(w, out->inputs[i]);
            k = in == SIM_NONE ? NULL : sim_ifx_key(w, w->outs[in].owner);
        }
        rc = k ? plasma_tx_sign_input(out, dom, i, k) : PLASMA_ERR_INTERNAL;
    }
    return rc;
}

uint64_t sim_ifx_tx_pos(const sim_world *w, uint32_t tx)
{
    const sim_tx *t = &w->txs[tx];
    if (t->block == SIM_NO_BLOCK)
        return 0;
    const sim_block *b = &w->blocks[t->block];
    return plasma_utxo_pos(b->blknum, tx - b->first_tx, 0);
}

/* ---- the operator's outputs that trades spend ---- */

size_t sim_ifx_stock_count(const sim_world *w)
{
    const sim_scenario *sc = w->sc;
    return (size_t)llround(sc->inflight_fraction * (double)sc->n_users * sc->trade_fraction);
}

/* The next stock output of token not taken yet, or SIM_NONE. */
static uint32_t take_stock(sim_world *w, uint8_t token, size_t cursor[SIM_MAX_TOKENS])
{
    while (cursor[token] < w->n_stock && w->outs[w->stock[cursor[token]]].token != token)
        cursor[token]++;
    if (cursor[token] == w->n_stock)
        return SIM_NONE;
    w->stock_used++;
    return w->stock[cursor[token]++];
}

/* ---- the in-flight txs ---- */

/* Each sender's tx: its first live output (and, for a payment, another of
 * the same token), to a random other user, or a trade with the operator. */
int sim_ifx_plan(sim_world *w)
{
    const sim_scenario *sc = w->sc;
    if (w->n_keys == 0)
        return PLASMA_OK;
    w->ifx = calloc(w->n_keys, sizeof *w->ifx);
    if (!w->ifx)
        return PLASMA_ERR_NOMEM;
    sim_rng rng;
    sim_rng_seed(&rng, sc->seed, INFLIGHT_STREAM);
    size_t cursor[SIM_MAX_TOKENS] = {0};
    for (size_t k = 0; k < w->n_keys; k++) {
        uint32_t s = w->key_user[k], u = w->users[s].head;
        /* The same draws for every sender, whatever it turns out to send. */
        bool trade = sim_rng_unit(&rng) < sc->trade_fraction;
        bool in_block = sim_rng_unit(&rng) < sc->inflight_in_block;
        uint32_t to = (uint32_t)sim_rng_below(&rng, sc->n_users);
        if (u == SIM_NONE)
            continue;
        uint32_t x = trade ? take_stock(w, w->outs[u].token, cursor) : SIM_NONE;
        if (x == SIM_NONE && to == s && sc->n_users > 1)
            to = (to + 1) % (uint32_t)sc->n_users;
        if (x == SIM_NONE && to == s)
            continue;
        sim_ifx *f = &w->ifx[w->n_ifx++];
        f->sender = s;
        f->in_block = in_block;
        f->competitor = SIM_NONE;
        f->in[0] = u;
        f->kind = x == SIM_NONE ? IFX_PAYMENT : IFX_TRADE;
        f->recipient = x == SIM_NONE ? to : s;
        f->in[1] = x == SIM_NONE ? sim_world_partner(w, u) : x;
        f->n_in = f->in[1] == SIM_NONE ? 1 : 2;
        for (unsigned i = 0; i < f->n_in; i++)
            if (w->outs[f->in[i]].live_ix != SIM_NONE)
                sim_world_live_remove(w, f->in[i]);
    }
    return PLASMA_OK;
}

static int inflight_out(sim_world *w, uint32_t tx, uint8_t token, uint32_t owner, const plasma_u256 *amount)
{
    uint32_t out;
    int rc = sim_world_new_out(w, tx, token, owner, amount, &out);
    if (rc == 0)
        w->outs[out].flags |= OUT_INFLIGHT;
    return rc;
}

/* T of in-flight tx f: a payment to the recipient with the change (when
 * it has a second input) back to the sender; a trade swaps the amounts. */
static int make_tx(sim_world *w, sim_rng *rng, sim_ifx *f, bool in_block)
{
    int rc = in_block ? sim_world_room_for_tx(w) : PLASMA_OK;
    if (rc == 0)
        rc = sim_world_new_tx(w, TX_INFLIGHT, in_block, &f->tx);
    if (rc != 0)
        return rc;
    for (unsigned i = 0; i < f->n_in; i++)
        sim_world_spend(w, f->in[i], f->tx);
    const sim_out *u = &w->outs[f->in[0]];
    if (f->kind == IFX_TRADE) {
        const sim_out *x = &w->outs[f->in[1]];
        rc = inflight_out(w, f->tx, x->token, f->sender, &x->amount);
        return rc ? rc : inflight_out(w, f->tx, u->token, SIM_OWNER_OPERATOR, &u->amount);
    }
    plasma_u256 pay, change;
    sim_world_split(w, rng, f->in[0], f->n_in > 1 ? f->in[1] : SIM_NONE, &pay, &change);
    rc = inflight_out(w, f->tx, u->token, f->recipient, &pay);
    if (rc == 0 && f->n_in > 1)
        rc = inflight_out(w, f->tx, u->token, f->sender, &change);
    return rc;
}

int sim_ifx_fill_block(sim_world *w)
{
    sim_rng rng;
    sim_rng_seed(&rng, w->sc->seed, INFLIGHT_STREAM + 100);
    int rc = PLASMA_OK;
    for (size_t i = 0; rc == 0 && i < w->n_ifx; i++)
        if (w->ifx[i].in_block)
            rc = make_tx(w, &rng, &w->ifx[i], true);
    return rc;
}

/* The operator's competitor of f: its own input of a trade (or, where it
 * owns none, the sender's) spent to itself. */
static int make_competitor(sim_world *w, sim_ifx *f)
{
    uint32_t in = f->kind == IFX_TRADE ? f->in[1] : f->in[0], tx;
    int rc = sim_world_new_tx(w, TX_COMPETITOR, false, &tx);
    if (rc != 0)
        return rc;
    sim_tx *t = &w->txs[tx];
    t->in[t->n_in++] = w->outs[in].pos;
    f->competitor = tx;
    return inflight_out(w, tx, w->outs[in].token, SIM_OWNER_OPERATOR, &w->outs[in].amount);
}

static bool attack_applies(const sim_ifx *f, sim_attack a)
{
    switch (a) {
    case SIM_ATK_START_EARLY:
    case SIM_ATK_COMPETITOR:
    case SIM_ATK_PIGGYBACK_UNOWNED:
        return true;
    case SIM_ATK_DOUBLE_EXIT:
        return f->kind == IFX_TRADE;
    case SIM_ATK_EXIT_OUTPUTS:
    case SIM_ATK_LATE_OUTPUT_EXIT:
        return f->kind == IFX_TRADE && f->in_block;
    default:
        return false;
    }
}

int sim_ifx_finish(sim_world *w)
{
    const sim_scenario *sc = w->sc;
    sim_rng rng, atk;
    sim_rng_seed(&rng, sc->seed, INFLIGHT_STREAM + 200);
    sim_rng_seed(&atk, sc->seed, ATTACK_STREAM);
    int rc = PLASMA_OK;
    for (size_t i = 0; rc == 0 && i < w->n_ifx; i++)
        if (!w->ifx[i].in_block)
            rc = make_tx(w, &rng, &w->ifx[i], false);
    for (size_t i = 0; rc == 0 && i < w->n_ifx; i++) {
        sim_ifx *f = &w->ifx[i];
        for (unsigned a = 0; a < SIM_ATK_COUNT; a++)
            if (sim_rng_unit(&atk) < sc->attacks[a] && attack_applies(f, (sim_attack)a))
                f->attacks |= (uint8_t)(1u << a);
        if (f->attacks & (1u << SIM_ATK_COMPETITOR))
            rc = make_competitor(w, f);
    }
    return rc;
}
