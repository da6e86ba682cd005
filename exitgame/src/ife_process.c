/* Processing an in-flight exit's queue entry (docs/inflight.md,
 * "Processing an IFE entry"): the exit path decided at the first pop and
 * kept, payouts of this token's piggybacks, flags, piggyback bonds, and at
 * the last token the IFE bond and the record's deletion. */
#include "internal.h"

static eg_ife *ife_at(const plasma_chain *c, uint32_t r)
{
    return eg_table_at(&c->t[EG_T_IFE], r);
}

/* The entry's persisted form leaves the state with its pop. */
static int drop_entry(eg_exec *ex, const plasma_addr *token, const eg_ife *f)
{
    uint8_t key[52];
    memcpy(key, token->b, 20);
    memcpy(key + 20, f->id, 32);
    uint32_t q = eg_table_find(&ex->c->t[EG_T_IFEQ], key);
    int rc = eg_gas_sload(ex, 1); /* the entry's id slot, then cleared */
    if (rc == 0)
        rc = eg_gas_sstore(ex, 0, 1);
    if (rc == 0 && q != EG_NONE)
        rc = eg_touch(ex->c, EG_T_IFEQ, q);
    if (rc == 0 && q != EG_NONE)
        ((eg_ifeq *)eg_table_at(&ex->c->t[EG_T_IFEQ], q))->live = 0;
    return rc;
}

/* Outputs when canonical and no input is finalized by another exit. Out:
 * each input's flag (read only when canonical). */
static int decide_path(eg_exec *ex, const eg_ife *f, const plasma_u256 *id,
                       plasma_u256 flags[PLASMA_MAX_INPUTS], uint8_t *path)
{
    *path = PLASMA_IFE_PATH_INPUTS;
    if (!f->canonical)
        return PLASMA_OK;
    bool clean = true;
    for (unsigned i = 0; i < f->n_inputs; i++) {
        int rc = eg_gas_sload(ex, 1); /* the input's output id */
        if (rc == 0)
            rc = eg_finalized_get(ex, &f->in[i].output_id, &flags[i]);
        if (rc != 0)
            return rc;
        clean &= plasma_u256_is_zero(&flags[i]) || plasma_u256_cmp(&flags[i], id) == 0;
    }
    if (clean)
        *path = PLASMA_IFE_PATH_OUTPUTS;
    return PLASMA_OK;
}

/* Pays one piggybacked input or output whose flag is 0, and flags it. */
static int pay_io(eg_exec *ex, const eg_ife_io *io, const plasma_u256 *id, plasma_event_kind kind,
                  unsigned index)
{
    plasma_u256 by;
    int rc = eg_gas_sload(ex, EG_IFE_IO_SLOTS);
    if (rc == 0)
        rc = eg_finalized_get(ex, &io->output_id, &by);
    if (rc != 0 || !plasma_u256_is_zero(&by))
        return rc;
    rc = eg_finalized_set(ex, &io->output_id, id);
    if (rc == 0)
        rc = eg_pay(ex, &io->owner, &io->token, &io->amount);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = kind};
    ev.ife_withdrawn.ife_id = *id;
    ev.ife_withdrawn.index = index;
    return eg_emit(ex, &ev, 2, 32);
}

/* Step 3: this token's payouts on the IFE's path, and at the first pop of
 * the outputs path the flags of all its inputs. */
static int payouts(eg_exec *ex, const eg_ife *f, const plasma_addr *token, const plasma_u256 *id, bool first)
{
    int rc = PLASMA_OK;
    if (f->exit_path == PLASMA_IFE_PATH_INPUTS) {
        for (unsigned i = 0; i < f->n_inputs && rc == 0; i++)
            if ((f->inputs_pb >> i & 1) && plasma_addr_eq(&f->in[i].token, token))
                rc = pay_io(ex, &f->in[i], id, PLASMA_EVENT_IFE_INPUT_WITHDRAWN, i);
        return rc;
    }
    for (unsigned o = 0; o < f->n_outputs && rc == 0; o++)
        if ((f->outputs_pb >> o & 1) && plasma_addr_eq(&f->out[o].token, token))
            rc = pay_io(ex, &f->out[o], id, PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN, o);
    /* Each flag as it is now, as the contract reads it: an input whose id
     * another input, or a paid output, shares is flagged already. */
    for (unsigned i = 0; first && i < f->n_inputs && rc == 0; i++) {
        plasma_u256 by;
        rc = eg_finalized_get(ex, &f->in[i].output_id, &by);
        if (rc == 0 && plasma_u256_is_zero(&by))
            rc = eg_finalized_set(ex, &f->in[i].output_id, id);
    }
    return rc;
}

/* Step 4: the bond of every standing piggyback of this token, inputs then
 * outputs. */
static int return_bonds(eg_exec *ex, const eg_ife *f, const plasma_addr *token)
{
    const plasma_u256 *bond = &ex->c->cfg.piggyback_bond;
    int rc = eg_gas_sload(ex, 1);
    for (unsigned i = 0; i < f->n_inputs && rc == 0; i++)
        if ((f->inputs_pb >> i & 1) && plasma_addr_eq(&f->in[i].token, token) &&
            (rc = eg_gas_sload(ex, 1)) == 0)
            rc = eg_pay(ex, &f->in[i].owner, NULL, bond);
    for (unsigned o = 0; o < f->n_outputs && rc == 0; o++)
        if ((f->outputs_pb >> o & 1) && plasma_addr_eq(&f->out[o].token, token) &&
            (rc = eg_gas_sload(ex, 1)) == 0)
            rc = eg_pay(ex, &f->out[o].owner, NULL, bond);
    return rc;
}

/* Step 5 at the last token: the IFE bond to bond_owner, the record gone. */
static int finish(eg_exec *ex, uint32_t r, const plasma_u256 *id)
{
    eg_ife *f = ife_at(ex->c, r);
    plasma_addr owner = f->bond_owner;
    uint64_t slots = eg_ife_slots(f);
    int rc = eg_gas_sload(ex, 2); /* bond_owner, the bond */
    if (rc == 0)
        rc = eg_pay(ex, &owner, NULL, &ex->c->cfg.ife_bond);
    if (rc == 0)
        rc = eg_gas_sstore(ex, 0, slots);
    if (rc != 0)
        return rc;
    eg_ife_wipe(ife_at(ex->c, r));
    plasma_event ev = {.kind = PLASMA_EVENT_IFE_FINALIZED};
    ev.ife_closed.ife_id = *id;
    return eg_emit(ex, &ev, 2, 0);
}

int eg_ife_settle(eg_exec *ex, const plasma_addr *token, uint32_t r)
{
    plasma_chain *c = ex->c;
    int rc = drop_entry(ex, token, ife_at(c, r));
    if (rc == 0)
        rc = eg_gas_sload(ex, 1); /* word 0 */
    if (rc != 0 || !ife_at(c, r)->live)
        return rc; /* an entry of an exit deleted since: dropped */
    rc = eg_touch(c, EG_T_IFE, r);
    if (rc != 0)
        return rc;
    plasma_u256 id, flags[PLASMA_MAX_INPUTS] = {{{0}}};
    plasma_u256_from_be(&id, ife_at(c, r)->id, 32);
    bool first = ife_at(c, r)->exit_path == PLASMA_IFE_PATH_UNDECIDED;
    uint8_t path = ife_at(c, r)->exit_path;
    if (first && (rc = decide_path(ex, ife_at(c, r), &id, flags, &path)) != 0)
        return rc;
    ife_at(c, r)->exit_path = path;
    /* Payments create balances and flags in other tables, never records
     * here, so the record stays where it is. */
    eg_ife f = *ife_at(c, r);
    rc = payouts(ex, &f, token, &id, first);
    if (rc == 0)
        rc = return_bonds(ex, &f, token);
    if (rc == 0)
        rc = eg_gas_sstore(ex, 0, 1); /* word 0 */
    if (rc != 0)
        return rc;
    eg_ife *w = ife_at(c, r);
    if (w->pending_tokens > 1) {
        w->pending_tokens--;
        return PLASMA_OK;
    }
    w->pending_tokens = 0;
    return finish(ex, r, &id);
}
