/* Acting on findings (see watch_act.h). */
#include "watch_act.h"

#include "client_internal.h"
#include "watch_ife.h"

#include <stdlib.h>
#include <string.h>

typedef void (*act_fn)(watch_actor *a, watch_view *v, const watch_finding *f, watch_outcome *out);

static void act_none(watch_actor *a, watch_view *v, const watch_finding *f, watch_outcome *out)
{
    (void)a;
    (void)v;
    (void)f;
    (void)out;
}

static void act_distrust(watch_actor *a, watch_view *v, const watch_finding *f, watch_outcome *out)
{
    (void)v;
    (void)f;
    (void)out;
    a->trusted = false;
}

/* challengeStandardExit(exit_id, spending tx, input index). */
static int challenge(watch_actor *a, watch_view *v, const watch_finding *f)
{
    plasma_call call;
    plasma_buf tx = {0};
    int rc = watch_view_block_tx(v, f->spent_in, f->spend_txindex, &tx);
    if (rc == 0 && tx.len > PLASMA_CALL_MAX_TX)
        rc = PLASMA_ERR_BAD_CHALLENGE;
    if (rc) {
        plasma_buf_free(&tx);
        return client_fail(a->c, rc, "challenge: the spending transaction is not at hand (%s)",
                           plasma_err_code(rc));
    }
    plasma_call_init(&call, PLASMA_CALL_CHALLENGE_EXIT, NULL, 0, 0, 0);
    call.challenge_exit.exit_id = f->exit_id;
    call.challenge_exit.input_index = f->spend_input;
    call.challenge_exit.tx_len = tx.len;
    memcpy(call.challenge_exit.tx, tx.data, tx.len);
    plasma_buf_free(&tx);
    return plasma_client_rc_call(a->c, &a->challenger, &call, NULL);
}

static void act_challenge_exit(watch_actor *a, watch_view *v, const watch_finding *f, watch_outcome *out)
{
    if (!a->have_challenger)
        return;
    out->attempted = true;
    out->done = challenge(a, v, f) == 0;
    if (!out->done)
        out->error = plasma_client_errmsg(a->c);
}

/* --- in-flight exits --- */

/* Calls with a deadline (the first phase, the start of processing) pay
 * twice the watcher's gas price: the root chain takes the best-paying
 * calls first when blocks are full. */
static int urgent_call(watch_actor *a, const plasma_privkey *key, plasma_call *call)
{
    uint64_t price = a->c->gas_price;
    a->c->gas_price = price > UINT64_MAX / 2 ? UINT64_MAX : 2 * price;
    int rc = plasma_client_rc_call(a->c, key, call, NULL);
    a->c->gas_price = price;
    return rc;
}

static void outcome(watch_actor *a, watch_outcome *out, int rc)
{
    out->attempted = true;
    out->done = rc == 0;
    if (rc)
        out->error = plasma_client_errmsg(a->c);
}

/* Challenges and responses: anyone may send them; the challenger, else
 * the first protected account. */
static const plasma_privkey *challenger_key(const watch_actor *a)
{
    if (!a->act_ife)
        return NULL;
    return a->have_challenger ? &a->challenger : a->n_accounts ? &a->accounts[0].key : NULL;
}

static int view_fail(watch_actor *a, int rc, const char *what)
{
    return client_fail(a->c, rc, "%s: %s (%s)", what, plasma_err_message(rc), plasma_err_code(rc));
}

static int start_ife(watch_actor *a, watch_view *v, const watch_finding *f)
{
    plasma_tx in_txs[PLASMA_MAX_INPUTS];
    uint8_t proofs[PLASMA_MAX_INPUTS][PLASMA_MERKLE_PROOF_LEN];
    plasma_call call;
    int rc = 0;
    for (unsigned i = 0; i < f->tx->n_inputs && rc == 0; i++)
        if ((rc = ife_view_input(v, f->tx->inputs[i], &in_txs[i], proofs[i])) != 0)
            return view_fail(a, rc, "in-flight exit: an input's block is not among the verified ones");
    if ((rc = plasma_rootchain_build_start_ife(&call, f->tx, in_txs,
                                               (const uint8_t(*)[PLASMA_MERKLE_PROOF_LEN])proofs)) != 0)
        return view_fail(a, rc, "in-flight exit");
    call.start_ife.bond = a->st->ife_bond;
    return urgent_call(a, &a->accounts[f->account].key, &call);
}

/* An exit or piggyback that exists already was this owner's (only the
 * owner may piggyback): a call of an earlier run, mined since. */
static int already_done(int rc, int exists)
{
    return rc == exists ? 0 : rc;
}

static void act_start_ife(watch_actor *a, watch_view *v, const watch_finding *f, watch_outcome *out)
{
    if (a->act_ife)
        outcome(a, out, already_done(start_ife(a, v, f), PLASMA_ERR_IFE_EXISTS));
}

static int challenge_ife(watch_actor *a, watch_view *v, const watch_finding *f, const plasma_privkey *key)
{
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    plasma_call call;
    int rc = f->position ? watch_view_proof(v, f->other->blknum, f->other->txindex, proof) : 0;
    if (rc == 0)
        rc = plasma_rootchain_build_challenge_ife(&call, f->tx, f->index, &f->other->tx, f->other->input,
                                                  f->position, f->position ? proof : NULL);
    return rc ? view_fail(a, rc, "challenge") : urgent_call(a, key, &call);
}

typedef int (*challenger_fn)(watch_actor *a, watch_view *v, const watch_finding *f,
                             const plasma_privkey *key);

/* Runs fn with the challenger's key, when there is one to act with. */
static void as_challenger(watch_actor *a, watch_view *v, const watch_finding *f, watch_outcome *out,
                          challenger_fn fn)
{
    const plasma_privkey *key = challenger_key(a);
    if (key)
        outcome(a, out, fn(a, v, f, key));
}

static void act_challenge_ife(watch_actor *a, watch_view *v, const watch_finding *f, watch_outcome *out)
{
    as_challenger(a, v, f, out, challenge_ife);
}

static int respond_ife(watch_actor *a, watch_view *v, const watch_finding *f, const plasma_privkey *key)
{
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    plasma_call call;
    int rc = watch_view_proof(v, f->other->blknum, f->other->txindex, proof);
    if (rc == 0)
        rc = plasma_rootchain_build_respond_ife(&call, f->tx, f->position, proof);
    return rc ? view_fail(a, rc, "response") : urgent_call(a, key, &call);
}

static void act_respond_ife(watch_actor *a, watch_view *v, const watch_finding *f, watch_outcome *out)
{
    as_challenger(a, v, f, out, respond_ife);
}

static void act_piggyback(watch_actor *a, watch_view *v, const watch_finding *f, watch_outcome *out)
{
    plasma_call call;
    (void)v;
    if (!a->act_ife)
        return;
    int rc = plasma_rootchain_build_piggyback(&call, f->tx, f->on_input, f->index);
    call.piggyback.bond = a->st->piggyback_bond;
    rc = rc ? view_fail(a, rc, "piggyback") : urgent_call(a, &a->accounts[f->account].key, &call);
    outcome(a, out, already_done(rc, PLASMA_ERR_ALREADY_PIGGYBACKED));
}

static int challenge_piggyback(watch_actor *a, watch_view *v, const watch_finding *f,
                               const plasma_privkey *key)
{
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    plasma_call call;
    int rc;
    if (f->on_input) {
        rc = plasma_rootchain_build_challenge_ife_input(&call, f->tx, f->index, &f->other->tx,
                                                        f->other->input);
    } else {
        uint64_t pos = plasma_utxo_pos(f->incl->blknum, f->incl->txindex, f->index);
        rc = watch_view_proof(v, f->incl->blknum, f->incl->txindex, proof);
        if (rc == 0)
            rc = plasma_rootchain_build_challenge_ife_output(&call, f->tx, pos, proof, &f->other->tx,
                                                             f->other->input);
    }
    return rc ? view_fail(a, rc, "piggyback challenge") : urgent_call(a, key, &call);
}

static void act_challenge_piggyback(watch_actor *a, watch_view *v, const watch_finding *f, watch_outcome *out)
{
    as_challenger(a, v, f, out, challenge_piggyback);
}

/* The protected accounts' funds are at risk: every output exits. */
static void act_exit_everything(watch_actor *a, watch_view *v, const watch_finding *f, watch_outcome *out)
{
    int rc = 0;
    (void)f;
    if (!a->act_ife || !a->n_accounts)
        return;
    for (size_t i = 0; i < a->n_accounts && rc == 0; i++) {
        size_t n = 0;
        rc = watch_act_exit_for(a, v, a->reporter, &a->accounts[i].key, &n);
        out->exits_started += n;
    }
    outcome(a, out, rc);
}

static const act_fn actions[] = {
    [WATCH_ACT_NONE] = act_none,
    [WATCH_ACT_DISTRUST] = act_distrust,
    [WATCH_ACT_CHALLENGE_EXIT] = act_challenge_exit,
    [WATCH_ACT_START_IFE] = act_start_ife,
    [WATCH_ACT_CHALLENGE_IFE] = act_challenge_ife,
    [WATCH_ACT_RESPOND_IFE] = act_respond_ife,
    [WATCH_ACT_PIGGYBACK] = act_piggyback,
    [WATCH_ACT_CHALLENGE_PIGGYBACK] = act_challenge_piggyback,
    [WATCH_ACT_EXIT_EVERYTHING] = act_exit_everything,
};

void watch_act(watch_actor *a, watch_view *v, const watch_finding *f, watch_outcome *out)
{
    memset(out, 0, sizeof *out);
    actions[watch_rule_of(f->kind)->action](a, v, f, out);
}

/* --- exits of honest funds, from the view's own blocks --- */

typedef struct exit_for_ctx {
    watch_actor *a;
    watch_view *v;
    const watch_reporter *r;
    const plasma_privkey *key;
    plasma_addr owner;
    plasma_u256 bond;
    size_t started;
    uint64_t *in_flight; /* inputs of the owner's txs in flight */
    size_t n_in_flight;
} exit_for_ctx;

static bool in_flight(const exit_for_ctx *x, uint64_t pos)
{
    for (size_t i = 0; i < x->n_in_flight; i++)
        if (x->in_flight[i] == pos)
            return true;
    return false;
}

/* Starts the exit of one output and reports it. */
static int exit_one(void *arg, const watch_utxo *u)
{
    exit_for_ctx *x = arg;
    plasma_call call;
    int rc;
    if (u->spent || u->finalized || !plasma_addr_eq(&u->out.owner, &x->owner) || in_flight(x, u->pos))
        return 0;
    plasma_call_init(&call, PLASMA_CALL_START_EXIT, NULL, 0, 0, 0);
    call.start_exit.bond = x->bond;
    if ((rc = watch_view_exit_data(x->v, u->pos, &call)) != 0)
        return rc;
    rc = plasma_client_rc_call(x->a->c, x->key, &call, NULL);
    /* One that exits already, or was paid out, the view has not heard of
     * yet: nothing to do. */
    if (rc == PLASMA_ERR_EXIT_EXISTS || rc == PLASMA_ERR_OUTPUT_FINALIZED)
        return 0;
    watch_report_exit_started(x->r, u->pos, &u->out.owner, rc == 0,
                              rc ? plasma_client_errmsg(x->a->c) : NULL);
    if (rc == 0)
        x->started++;
    return rc;
}

int watch_act_exit_for(watch_actor *a, watch_view *v, const watch_reporter *r, const plasma_privkey *key,
                       size_t *n_started)
{
    plasma_rootchain_status st;
    exit_for_ctx x = {.a = a, .v = v, .r = r, .key = key};
    int rc;
    if (plasma_privkey_addr(&x.owner, key) != 0)
        return client_fail(a->c, PLASMA_ERR_BAD_REQUEST, "invalid private key");
    if ((rc = CHAIN_OP(a->c, status, &st)) != 0)
        return client_rc_fail(a->c, rc, "root-chain status");
    x.bond = st.exit_bond;
    if ((rc = watch_ife_in_flight_inputs(v, a->wallet_dir, &x.owner, &x.in_flight, &x.n_in_flight)) != 0)
        return client_fail(a->c, rc, "watcher: the wallet's records: %s", plasma_err_message(rc));
    rc = watch_view_foreach(v, exit_one, &x);
    free(x.in_flight);
    if (rc)
        return rc;
    *n_started = x.started;
    return 0;
}
