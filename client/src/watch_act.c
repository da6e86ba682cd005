/* Acting on findings (see watch_act.h). */
#include "watch_act.h"

#include "client_internal.h"

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

static const act_fn actions[] = {
    [WATCH_ACT_NONE] = act_none,
    [WATCH_ACT_DISTRUST] = act_distrust,
    [WATCH_ACT_CHALLENGE_EXIT] = act_challenge_exit,
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
} exit_for_ctx;

/* Starts the exit of one output and reports it. */
static int exit_one(void *arg, const watch_utxo *u)
{
    exit_for_ctx *x = arg;
    plasma_call call;
    int rc;
    if (u->spent || !plasma_addr_eq(&u->out.owner, &x->owner))
        return 0;
    plasma_call_init(&call, PLASMA_CALL_START_EXIT, NULL, 0, 0, 0);
    call.start_exit.bond = x->bond;
    if ((rc = watch_view_exit_data(x->v, u->pos, &call)) != 0)
        return rc;
    rc = plasma_client_rc_call(x->a->c, x->key, &call, NULL);
    watch_report_exit_started(x->r, u->pos, &u->out.owner, rc == 0,
                              rc ? plasma_client_errmsg(x->a->c) : NULL);
    if (rc == 0)
        x->started++;
    return rc == PLASMA_ERR_EXIT_EXISTS || rc == PLASMA_ERR_OUTPUT_FINALIZED ? 0 : rc;
}

int watch_act_exit_for(watch_actor *a, watch_view *v, const watch_reporter *r, const plasma_privkey *key,
                       size_t *n_started)
{
    plasma_rootchain_status st;
    exit_for_ctx x = {.a = a, .v = v, .r = r, .key = key};
    int rc;
    if (plasma_privkey_addr(&x.owner, key) != 0)
        return client_fail(a->c, PLASMA_ERR_BAD_REQUEST, "invalid private key");
    if ((rc = plasma_rootchain_client_status(a->c->rc, &st)) != 0)
        return client_rc_fail(a->c, rc, "root-chain status");
    x.bond = st.exit_bond;
    if ((rc = watch_view_foreach(v, exit_one, &x)) != 0)
        return rc;
    *n_started = x.started;
    return 0;
}
