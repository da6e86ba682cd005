/* Processing an in-flight exit's queue entry (docs/inflight.md,
 * "Processing an IFE entry"): the exit path decided at the first pop and
 * kept, payouts of this token's piggybacks, flags, piggyback bonds, and at
 * the last token the IFE bond and the record's deletion; metered as the
 * contract's processInFlightExit runs. */
#include "internal.h"

static eg_ife *ife_at(const plasma_chain *c, uint32_t r)
{
    return eg_table_at(&c->t[EG_T_IFE], r);
}

/* The entry's persisted form leaves the state with its pop (not storage of
 * the contract: its heap slots went with the pop). */
static int drop_entry(eg_exec *ex, const plasma_addr *token, const eg_ife *f)
{
    uint8_t key[52];
    memcpy(key, token->b, 20);
    memcpy(key + 20, f->id, 32);
    uint32_t q = eg_table_find(&ex->c->t[EG_T_IFEQ], key);
    if (q == EG_NONE)
        return PLASMA_OK;
    int rc = eg_touch(ex->c, EG_T_IFEQ, q);
    if (rc == 0)
        ((eg_ifeq *)eg_table_at(&ex->c->t[EG_T_IFEQ], q))->live = 0;
    return rc;
}

/* Outputs when canonical and no input is finalized by another exit: each
 * input's output id and flag read until one belongs to another exit. */
static int decide_path(eg_exec *ex, const eg_ife *f, const plasma_u256 *id, uint8_t *path)
{
    *path = PLASMA_IFE_PATH_INPUTS;
    if (!f->canonical)
        return PLASMA_OK;
    for (unsigned i = 0; i < f->n_inputs; i++) {
        plasma_u256 by;
        int rc = eg_ife_load(ex, f, EG_IFE_IN(i, 0));
        if (rc == 0)
            rc = eg_finalized_get(ex, &f->in[i].output_id, &by);
        if (rc != 0)
            return rc;
        if (!plasma_u256_is_zero(&by) && plasma_u256_cmp(&by, id) != 0)
            return PLASMA_OK;
    }
    *path = PLASMA_IFE_PATH_OUTPUTS;
    return PLASMA_OK;
}

/* Pays piggybacked record w0 (an input's or output's words from w0) of
 * token when its output is not finalized, and flags it: its token, id and
 * flag read, the flag written, its owner and amount read, the payment. */
static int pay_io(eg_exec *ex, const eg_ife *f, unsigned w0, const eg_ife_io *io, const plasma_addr *token,
                  const plasma_u256 *id, plasma_event_kind kind, unsigned index)
{
    plasma_u256 by;
    int rc = eg_ife_load(ex, f, w0 + 2);
    if (rc != 0 || !plasma_addr_eq(&io->token, token))
        return rc;
    rc = eg_ife_load(ex, f, w0);
    if (rc == 0)
        rc = eg_finalized_get(ex, &io->output_id, &by);
    if (rc != 0 || !plasma_u256_is_zero(&by))
        return rc;
    rc = eg_finalized_set(ex, &io->output_id, id);
    if (rc == 0)
        rc = eg_ife_load(ex, f, w0 + 1);
    if (rc == 0)
        rc = eg_ife_load(ex, f, w0 + 3);
    if (rc == 0)
        rc = eg_pay(ex, &io->owner, &io->token, &io->amount);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = kind};
    ev.ife_withdrawn.ife_id = *id;
    ev.ife_withdrawn.index = index;
    return eg_emit(ex, &ev, 2, 32);
}

/* Flags every input whose flag is 0 (the outputs path's first pop), as
 * the contract does after the payouts: an input whose id an output of this
 * tx shares was flagged by its payout already. */
static int flag_inputs(eg_exec *ex, const eg_ife *f, const plasma_u256 *id)
{
    int rc = PLASMA_OK;
    for (unsigned i = 0; i < f->n_inputs && rc == 0; i++) {
        plasma_u256 by;
        rc = eg_ife_load(ex, f, EG_IFE_IN(i, 0));
        if (rc == 0)
            rc = eg_finalized_get(ex, &f->in[i].output_id, &by);
        if (rc == 0 && plasma_u256_is_zero(&by))
            rc = eg_finalized_set(ex, &f->in[i].output_id, id);
    }
    return rc;
}

/* Step 3: this token's payouts on the IFE's path, and at the first pop of
 * the outputs path the flags of all its inputs. */
static int payouts(eg_exec *ex, const eg_ife *f, const plasma_addr *token, const plasma_u256 *id, bool first)
{
    int rc = PLASMA_OK;
    if (f->exit_path == PLASMA_IFE_PATH_INPUTS) {
        for (unsigned i = 0; i < f->n_inputs && rc == 0; i++)
            if (f->inputs_pb >> i & 1)
                rc =
                    pay_io(ex, f, EG_IFE_IN(i, 0), &f->in[i], token, id, PLASMA_EVENT_IFE_INPUT_WITHDRAWN, i);
        return rc;
    }
    for (unsigned o = 0; o < f->n_outputs && rc == 0; o++)
        if (f->outputs_pb >> o & 1)
            rc = pay_io(ex, f, EG_IFE_OUT(o, 0), &f->out[o], token, id, PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN, o);
    return rc == 0 && first ? flag_inputs(ex, f, id) : rc;
}

/* Step 4: the bond of every standing piggyback of this token, inputs then
 * outputs: the token of each standing one read, the owner of each of this
 * token. */
static int return_bonds(eg_exec *ex, const eg_ife *f, const plasma_addr *token)
{
    const plasma_u256 *bond = &ex->c->cfg.piggyback_bond;
    int rc = PLASMA_OK;
    for (unsigned k = 0; k < f->n_inputs + f->n_outputs && rc == 0; k++) {
        bool input = k < f->n_inputs;
        unsigned i = input ? k : k - f->n_inputs;
        const eg_ife_io *io = input ? &f->in[i] : &f->out[i];
        unsigned w0 = input ? EG_IFE_IN(i, 0) : EG_IFE_OUT(i, 0);
        if (!((input ? f->inputs_pb : f->outputs_pb) >> i & 1))
            continue;
        rc = eg_ife_load(ex, f, w0 + 2);
        if (rc == 0 && plasma_addr_eq(&io->token, token) && (rc = eg_ife_load(ex, f, w0 + 1)) == 0)
            rc = eg_pay(ex, &io->owner, NULL, bond);
    }
    return rc;
}

/* Step 5 at the last token: the IFE bond to bond_owner, the record gone. */
static int finish(eg_exec *ex, uint32_t r, const plasma_u256 *id)
{
    eg_ife f = *ife_at(ex->c, r);
    int rc = eg_ife_load(ex, &f, EG_IFE_W1);
    if (rc == 0)
        rc = eg_ife_delete(ex, r);
    if (rc == 0)
        rc = eg_pay(ex, &f.bond_owner, NULL, &ex->c->cfg.ife_bond);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_IFE_FINALIZED};
    ev.ife_closed.ife_id = *id;
    return eg_emit(ex, &ev, 2, 0);
}

/* Word 0 of record r becomes next's. */
static int commit_w0(eg_exec *ex, uint32_t r, const eg_ife *next)
{
    int rc = eg_ife_store(ex, ife_at(ex->c, r), next, EG_IFE_W0, EG_IFE_W0 + 1);
    if (rc == 0)
        rc = eg_touch(ex->c, EG_T_IFE, r);
    if (rc == 0)
        *ife_at(ex->c, r) = *next;
    return rc;
}

int eg_ife_settle(eg_exec *ex, const plasma_addr *token, uint32_t r)
{
    plasma_chain *c = ex->c;
    int rc = drop_entry(ex, token, ife_at(c, r));
    if (rc == 0)
        rc = eg_cpu_ife_entry(ex);
    if (rc == 0)
        rc = eg_ife_load(ex, ife_at(c, r), EG_IFE_W0);
    if (rc != 0 || !ife_at(c, r)->live)
        return rc; /* an entry of an exit deleted since: dropped */
    plasma_u256 id;
    plasma_u256_from_be(&id, ife_at(c, r)->id, 32);
    /* Payments create balances and flags in other tables, never records
     * here, so the record stays where it is. */
    eg_ife f = *ife_at(c, r);
    bool first = f.exit_path == PLASMA_IFE_PATH_UNDECIDED;
    if (first) {
        rc = decide_path(ex, &f, &id, &f.exit_path);
        if (rc == 0)
            rc = commit_w0(ex, r, &f);
    }
    if (rc == 0)
        rc = payouts(ex, &f, token, &id, first);
    if (rc == 0)
        rc = return_bonds(ex, &f, token);
    if (rc != 0)
        return rc;
    f.pending_tokens--;
    rc = commit_w0(ex, r, &f);
    return rc || f.pending_tokens > 0 ? rc : finish(ex, r, &id);
}
