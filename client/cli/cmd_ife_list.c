/* plasma ife list [--address ADDR]: the open in-flight exits touching an
 * address, with their phase and what can still be done. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *phase_of(const plasma_ife_info *f, const plasma_rootchain_status *st)
{
    if (st->head_timestamp < f->start + st->min_exit_period / 2)
        return "first";
    return st->head_timestamp < f->exitable_at ? "second" : "processable";
}

static bool touches(const plasma_ife_info *f, const plasma_tx *tx, const plasma_addr *addr)
{
    for (unsigned i = 0; i < f->n_inputs; i++)
        if (plasma_addr_eq(&f->inputs[i].owner, addr))
            return true;
    for (unsigned j = 0; j < tx->n_outputs; j++)
        if (plasma_addr_eq(&tx->outputs[j].owner, addr))
            return true;
    return false;
}

static json_t *io_json(unsigned index, const plasma_output *o, uint8_t bits)
{
    return json_pack("{s:I, s:o, s:o, s:o, s:b, s:b}", "index", (json_int_t)index, "owner",
                     plasma_json_addr(&o->owner), "token", plasma_json_addr(&o->token), "amount",
                     plasma_json_u256(&o->amount), "piggybacked", (bits >> index) & 1, "blocked",
                     (bits >> (index + PLASMA_IFE_BLOCKED_SHIFT)) & 1);
}

/* What addr (or anyone) can still do about f. */
static json_t *can_json(const plasma_ife_info *f, const plasma_tx *tx, const plasma_addr *addr,
                        const char *phase)
{
    json_t *can = json_array();
    char s[32];
    bool first = strcmp(phase, "first") == 0;
    uint8_t in_taken = f->inputs_piggybacked | f->inputs_piggybacked >> PLASMA_IFE_BLOCKED_SHIFT;
    uint8_t out_taken = f->outputs_piggybacked | f->outputs_piggybacked >> PLASMA_IFE_BLOCKED_SHIFT;
    for (unsigned i = 0; first && i < f->n_inputs; i++)
        if (plasma_addr_eq(&f->inputs[i].owner, addr) && !((in_taken >> i) & 1)) {
            snprintf(s, sizeof s, "piggyback --input %u", i);
            json_array_append_new(can, json_string(s));
        }
    for (unsigned j = 0; first && j < tx->n_outputs; j++)
        if (plasma_addr_eq(&tx->outputs[j].owner, addr) && !((out_taken >> j) & 1)) {
            snprintf(s, sizeof s, "piggyback --output %u", j);
            json_array_append_new(can, json_string(s));
        }
    if (!f->canonical && f->exit_path == PLASMA_IFE_PATH_UNDECIDED)
        json_array_append_new(can, json_string("respond"));
    if (!first && !f->inputs_piggybacked && !f->outputs_piggybacked)
        json_array_append_new(can, json_string("delete"));
    else if (strcmp(phase, "processable") == 0)
        json_array_append_new(can, json_string("process-exits"));
    return can;
}

static json_t *ife_json(const plasma_ife_info *f, const plasma_tx *tx, const plasma_addr *addr,
                        const plasma_rootchain_status *st)
{
    static const char *const paths[] = {"undecided", "outputs", "inputs"};
    const char *phase = phase_of(f, st);
    json_t *ins = json_array(), *outs = json_array();
    plasma_hash h;
    uint8_t be[32];
    plasma_tx_hash(&h, tx);
    plasma_u256_to_be(be, &f->ife_id);
    for (unsigned i = 0; i < f->n_inputs; i++) {
        plasma_output o = {f->inputs[i].owner, f->inputs[i].token, f->inputs[i].amount};
        json_t *j = io_json(i, &o, f->inputs_piggybacked);
        json_object_set_new(j, "utxo_pos", plasma_json_u64_str(tx->inputs[i]));
        json_array_append_new(ins, j);
    }
    for (unsigned j = 0; j < tx->n_outputs; j++)
        json_array_append_new(outs, io_json(j, &tx->outputs[j], f->outputs_piggybacked));
    return json_pack("{s:o, s:o, s:s, s:I, s:I, s:b, s:s, s:o, s:o, s:o}", "ife_id", plasma_json_hex(be, 32),
                     "txhash", plasma_json_hash(&h), "phase", phase, "first_phase_end",
                     (json_int_t)(f->start + st->min_exit_period / 2), "exitable_at",
                     (json_int_t)f->exitable_at, "canonical", f->canonical, "exit_path", paths[f->exit_path],
                     "inputs", ins, "outputs", outs, "can", can_json(f, tx, addr, phase));
}

/* Appends the exits of one page that touch addr. */
static int add_page(plasma_client *c, const plasma_ife_info *ifes, size_t n, const plasma_addr *addr,
                    const plasma_rootchain_status *st, json_t *list)
{
    for (size_t i = 0; i < n; i++) {
        plasma_tx tx;
        int rc = plasma_client_ife_tx(c, &ifes[i].ife_id, &tx);
        if (rc)
            return rc;
        if (touches(&ifes[i], &tx, addr) &&
            json_array_append_new(list, ife_json(&ifes[i], &tx, addr, st)) != 0)
            return PLASMA_ERR_NOMEM;
    }
    return 0;
}

static int collect(plasma_client *c, const plasma_addr *addr, json_t *list)
{
    plasma_rootchain_status st;
    plasma_u256 after;
    bool more = true, first = true;
    int err = plasma_client_rc_status(c, &st);
    while (err == 0 && more) {
        plasma_ife_info *ifes = NULL;
        size_t n = 0;
        if ((err = plasma_client_rc_ifes(c, first ? NULL : &after, 0, &ifes, &n, &more)) == 0)
            err = add_page(c, ifes, n, addr, &st, list);
        if (n)
            after = ifes[n - 1].ife_id;
        more = more && n > 0;
        first = false;
        free(ifes);
    }
    return err;
}

static void human(const json_t *r)
{
    json_t *e;
    size_t i;
    json_array_foreach (json_object_get(r, "in_flight_exits"), i, e) {
        char when[128];
        json_t *can = json_object_get(e, "can"), *x;
        size_t k;
        printf("in-flight exit %s (%s): %s phase, %s, processable from %s\n",
               json_string_value(json_object_get(e, "ife_id")),
               json_string_value(json_object_get(e, "txhash")),
               json_string_value(json_object_get(e, "phase")),
               json_is_true(json_object_get(e, "canonical")) ? "canonical" : "challenged as non-canonical",
               cli_human_time(when, json_integer_value(json_object_get(e, "exitable_at"))));
        json_array_foreach (can, k, x) {
            printf("  you can: %s\n", json_string_value(x));
        }
    }
    if (i == 0)
        printf("no open in-flight exit touches %s\n", json_string_value(json_object_get(r, "address")));
}

int cmd_ife_list(cli_ctx *ctx, plasma_client *c, const char *address_s)
{
    plasma_addr addr;
    int rc = cli_query_address(ctx, address_s, &addr);
    if (rc)
        return rc;
    json_t *list = json_array();
    if (!list)
        return cli_error(ctx, PLASMA_ERR_NOMEM, "out of memory");
    if ((rc = collect(c, &addr, list)) != 0) {
        json_decref(list);
        if (rc == PLASMA_ERR_UNAVAILABLE)
            return cli_error(ctx, rc, "cannot reach the root chain (is it running? see --rootchain)");
        return cli_error(ctx, rc, "reading the in-flight exits: %s",
                         plasma_client_errmsg(c)[0] ? plasma_client_errmsg(c) : plasma_err_message(rc));
    }
    return cli_output(
        ctx, json_pack("{s:o, s:o}", "address", plasma_json_addr(&addr), "in_flight_exits", list), human);
}
