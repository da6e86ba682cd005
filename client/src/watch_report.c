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

static const render_fn renderers[WATCH_N_FINDING_KINDS] = {
    [WATCH_INVALID_BLOCK] = render_block,
    [WATCH_BLOCK_WITHHOLDING] = render_block,
    [WATCH_INVALID_EXIT] = render_invalid_exit,
    [WATCH_UNCHALLENGED_EXIT] = render_unchallenged_exit,
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
