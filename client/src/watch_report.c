/* The watcher's reports (see watch_report.h). */
#include "watch_report.h"

#include "watch_act.h"

#include <stdio.h>

#include "plasma/json.h"

/* Hands a report (consumed) to the callback. */
static void emit(const watch_reporter *r, json_t *ev)
{
    if (ev && r->cb)
        r->cb(ev, r->payload);
    json_decref(ev);
}

typedef json_t *(*render_fn)(const char *event, const watch_finding *f, const watch_outcome *o);

static json_t *render_block(const char *event, const watch_finding *f, const watch_outcome *o)
{
    (void)o;
    return json_pack("{s:s, s:I, s:s}", "event", event, "blknum", (json_int_t)f->blknum, "reason", f->reason);
}

static json_t *render_invalid_exit(const char *event, const watch_finding *f, const watch_outcome *o)
{
    json_t *r = json_pack("{s:s, s:o, s:o, s:I, s:b}", "event", event, "exit_id",
                          plasma_json_u64_str(f->exit_id), "owner", plasma_json_addr(&f->owner), "spent_in",
                          (json_int_t)f->spent_in, "challenged", o->done);
    if (r && o->attempted && !o->done)
        json_object_set_new(r, "error", json_string(o->error ? o->error : ""));
    return r;
}

static json_t *render_unchallenged_exit(const char *event, const watch_finding *f, const watch_outcome *o)
{
    (void)o;
    return json_pack("{s:s, s:o, s:o, s:I}", "event", event, "exit_id", plasma_json_u64_str(f->exit_id),
                     "owner", plasma_json_addr(&f->owner), "exitable_at", (json_int_t)f->exitable_at);
}

/* --- in-flight exits --- */

static json_t *id_json(const plasma_u256 *id)
{
    uint8_t be[32];
    plasma_u256_to_be(be, id);
    return plasma_json_hex(be, 32);
}

/* {"event", "ife_id", "txhash"} and, when the action was tried, what it
 * did under done_key (and "error"). */
static json_t *ife_base(const char *event, const watch_finding *f, const watch_outcome *o,
                        const char *done_key)
{
    json_t *r = json_pack("{s:s, s:o, s:o}", "event", event, "ife_id", id_json(&f->ife_id), "txhash",
                          plasma_json_hash(&f->txhash));
    if (r && done_key)
        json_object_set_new(r, done_key, json_boolean(o->done));
    if (r && o->attempted && !o->done)
        json_object_set_new(r, "error", json_string(o->error ? o->error : ""));
    return r;
}

static json_t *render_in_flight(const char *event, const watch_finding *f, const watch_outcome *o)
{
    json_t *r = ife_base(event, f, o, "started");
    json_object_set_new(r, "owner", plasma_json_addr(&f->owner));
    json_object_set_new(r, "blknum", json_integer((json_int_t)f->blknum));
    return r;
}

static json_t *render_noncanonical(const char *event, const watch_finding *f, const watch_outcome *o)
{
    json_t *r = ife_base(event, f, o, "challenged");
    json_object_set_new(r, "competitor_pos", plasma_json_u64_str(f->position));
    return r;
}

static json_t *render_challenge(const char *event, const watch_finding *f, const watch_outcome *o)
{
    json_t *r = ife_base(event, f, o, "responded");
    json_object_set_new(r, "tx_pos", plasma_json_u64_str(f->position));
    return r;
}

static json_t *render_piggyback(const char *event, const watch_finding *f, const watch_outcome *o)
{
    json_t *r = ife_base(event, f, o, "piggybacked");
    json_object_set_new(r, f->on_input ? "input" : "output", json_integer(f->index));
    json_object_set_new(r, "owner", plasma_json_addr(&f->owner));
    return r;
}

static json_t *render_invalid_piggyback(const char *event, const watch_finding *f, const watch_outcome *o)
{
    json_t *r = ife_base(event, f, o, "challenged");
    json_object_set_new(r, f->on_input ? "input" : "output", json_integer(f->index));
    json_object_set_new(r, "spent_in", json_integer((json_int_t)f->other->blknum));
    return r;
}

static json_t *render_unchallenged_ife(const char *event, const watch_finding *f, const watch_outcome *o)
{
    json_t *r = ife_base(event, f, o, NULL);
    if (f->kind == WATCH_UNCHALLENGED_PIGGYBACK) {
        json_object_set_new(r, f->on_input ? "input" : "output", json_integer(f->index));
        json_object_set_new(r, "exitable_at", json_integer((json_int_t)f->exitable_at));
    } else {
        json_object_set_new(r, "first_phase_end", json_integer((json_int_t)f->deadline));
    }
    json_object_set_new(r, "exits_started", json_integer((json_int_t)o->exits_started));
    return r;
}

static const render_fn renderers[WATCH_N_FINDING_KINDS] = {
    [WATCH_INVALID_BLOCK] = render_block,
    [WATCH_BLOCK_WITHHOLDING] = render_block,
    [WATCH_INVALID_EXIT] = render_invalid_exit,
    [WATCH_UNCHALLENGED_EXIT] = render_unchallenged_exit,
    [WATCH_IN_FLIGHT_TX] = render_in_flight,
    [WATCH_NONCANONICAL_IFE] = render_noncanonical,
    [WATCH_INVALID_IFE_CHALLENGE] = render_challenge,
    [WATCH_PIGGYBACK_AVAILABLE] = render_piggyback,
    [WATCH_INVALID_PIGGYBACK] = render_invalid_piggyback,
    [WATCH_UNCHALLENGED_NON_CANONICAL_IFE] = render_unchallenged_ife,
    [WATCH_UNCHALLENGED_PIGGYBACK] = render_unchallenged_ife,
};

void watch_report_finding(const watch_reporter *r, const watch_finding *f, const watch_outcome *o)
{
    if (f->retry && !o->done)
        return; /* reported when first found; a retry only when it succeeds */
    emit(r, renderers[f->kind](watch_rule_of(f->kind)->event, f, o));
}

void watch_report_exit_started(const watch_reporter *r, uint64_t pos, const plasma_addr *owner, bool started,
                               const char *error)
{
    json_t *ev = json_pack("{s:s, s:o, s:o, s:b}", "event", "exit_started", "utxo_pos",
                           plasma_json_u64_str(pos), "owner", plasma_json_addr(owner), "started", started);
    if (ev && !started)
        json_object_set_new(ev, "error", json_string(error ? error : ""));
    emit(r, ev);
}
