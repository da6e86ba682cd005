/* Judging blocks and exits (see watch_judge.h). */
#include "watch_judge.h"

#include "client_internal.h"

#include <stdlib.h>
#include <string.h>

static const watch_rule rules[WATCH_N_FINDING_KINDS] = {
    [WATCH_INVALID_BLOCK] = {"invalid_block", WATCH_ACT_DISTRUST},
    [WATCH_BLOCK_WITHHOLDING] = {"block_withholding", WATCH_ACT_DISTRUST},
    [WATCH_INVALID_EXIT] = {"invalid_exit", WATCH_ACT_CHALLENGE_EXIT},
    [WATCH_UNCHALLENGED_EXIT] = {"unchallenged_exit", WATCH_ACT_NONE},
};

const watch_rule *watch_rule_of(watch_finding_kind kind)
{
    return &rules[kind];
}

void watch_judge_init(watch_judge *j, watch_emit_fn emit, void *emit_ctx)
{
    memset(j, 0, sizeof *j);
    j->emit = emit;
    j->emit_ctx = emit_ctx;
}

void watch_judge_free(watch_judge *j)
{
    free(j->exits);
    memset(j, 0, sizeof *j);
}

void watch_judge_invalid_block(watch_judge *j, uint64_t blknum, const char *reason)
{
    watch_finding f = {.kind = WATCH_INVALID_BLOCK, .blknum = blknum, .reason = reason};
    j->emit(j->emit_ctx, &f);
}

void watch_judge_withheld_block(watch_judge *j, uint64_t blknum)
{
    watch_finding f = {.kind = WATCH_BLOCK_WITHHOLDING,
                       .blknum = blknum,
                       .reason = "the operator does not serve a submitted block"};
    j->emit(j->emit_ctx, &f);
}

/* Remembers an invalid exit until the root chain no longer holds it in
 * progress (dropped when out of memory: it was reported already). */
static void track(watch_judge *j, uint64_t exit_id)
{
    if (plasma_grow((void **)&j->exits, &j->cap_exits, j->n_exits + 1, sizeof *j->exits) < 0)
        return;
    j->exits[j->n_exits++] = (watch_tracked_exit){.exit_id = exit_id};
}

/* The exit of u, an output seen spent. */
static void invalid_exit(watch_judge *j, const watch_utxo *u)
{
    watch_finding f = {.kind = WATCH_INVALID_EXIT,
                       .exit_id = u->pos,
                       .owner = u->out.owner,
                       .spent_in = u->spend_blknum,
                       .spend_txindex = u->spend_txindex,
                       .spend_input = u->spend_input};
    j->emit(j->emit_ctx, &f);
    track(j, u->pos);
}

int watch_judge_exit_started(watch_judge *j, watch_view *v, uint64_t exit_id)
{
    watch_utxo u;
    if (watch_view_get(v, exit_id, &u) != 0)
        return 0;
    if (u.spent) {
        invalid_exit(j, &u);
        return 0;
    }
    int rc = watch_view_mark_exiting(v, exit_id);
    return rc ? rc : watch_view_commit(v);
}

typedef struct spends_ctx {
    watch_judge *j;
    uint64_t blknum;
} spends_ctx;

static int spent_exiting(void *arg, const watch_utxo *u)
{
    spends_ctx *s = arg;
    if (u->exiting && u->spent && u->spend_blknum == s->blknum)
        invalid_exit(s->j, u);
    return 0;
}

int watch_judge_spends(watch_judge *j, watch_view *v, uint64_t blknum)
{
    spends_ctx s = {j, blknum};
    return watch_view_foreach(v, spent_exiting, &s);
}

int watch_judge_review(watch_judge *j, plasma_client *c)
{
    plasma_rootchain_status st;
    size_t kept = 0;
    int rc = j->n_exits ? plasma_rootchain_client_status(c->rc, &st) : 0;
    if (rc)
        return client_rc_fail(c, rc, "root-chain status");
    for (size_t i = 0; i < j->n_exits; i++) {
        watch_tracked_exit *x = &j->exits[i];
        plasma_exit_info info;
        if ((rc = plasma_rootchain_client_exit(c->rc, x->exit_id, &info)) != 0) {
            /* Keeps the ones not looked at, for the next round. */
            memmove(&j->exits[kept], x, (j->n_exits - i) * sizeof *x);
            j->n_exits = kept + (j->n_exits - i);
            return client_rc_fail(c, rc, "reading an exit");
        }
        if (info.state != PLASMA_EXIT_IN_PROGRESS)
            continue;
        if (!x->warned && info.exitable_at <= st.head_timestamp + st.min_exit_period / 2) {
            watch_finding f = {.kind = WATCH_UNCHALLENGED_EXIT,
                               .exit_id = x->exit_id,
                               .owner = info.owner,
                               .exitable_at = info.exitable_at};
            x->warned = true;
            j->emit(j->emit_ctx, &f);
        }
        j->exits[kept++] = *x;
    }
    j->n_exits = kept;
    return 0;
}
