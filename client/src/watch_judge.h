/* Judging what the watcher sees: which blocks and exits are invalid, and
 * what must be done about each. Every verdict is a finding; the table of
 * rules (watch_rule_of) gives each kind of finding its report event and the
 * action it calls for, which watch_act.c carries out. A new kind (say, an
 * in-flight exit that is not canonical) is one more enum value, one more
 * row, and where needed one more action. Internal to libplasma_client. */
#ifndef PLASMA_WATCH_JUDGE_H
#define PLASMA_WATCH_JUDGE_H

#include "watch_view.h"

typedef enum watch_finding_kind {
    WATCH_INVALID_BLOCK = 0,     /* root mismatch, bad signature, overspend, ... */
    WATCH_BLOCK_WITHHOLDING = 1, /* a submitted block not served in time */
    WATCH_INVALID_EXIT = 2,      /* an exit of an output seen spent */
    WATCH_UNCHALLENGED_EXIT = 3, /* such an exit still open, less than half its period left */
    WATCH_N_FINDING_KINDS
} watch_finding_kind;

typedef enum watch_action {
    WATCH_ACT_NONE = 0,           /* report only */
    WATCH_ACT_DISTRUST = 1,       /* stop following the operator; owners exit (--exit-for) */
    WATCH_ACT_CHALLENGE_EXIT = 2, /* challengeStandardExit with the spending tx */
} watch_action;

/* One verdict. Which fields are set depends on the kind. */
typedef struct watch_finding {
    watch_finding_kind kind;
    uint64_t blknum;        /* blocks: the block */
    const char *reason;     /* blocks: one line */
    uint64_t exit_id;       /* exits: the exit (its utxo_pos) */
    plasma_addr owner;      /* exits: the exiting output's owner */
    uint64_t spent_in;      /* invalid_exit: the spending tx's block, */
    uint32_t spend_txindex; /* its index there */
    uint32_t spend_input;   /* and the input that spends the exiting output */
    uint64_t exitable_at;   /* unchallenged_exit */
} watch_finding;

typedef struct watch_rule {
    const char *event; /* the report's "event" */
    watch_action action;
} watch_rule;

const watch_rule *watch_rule_of(watch_finding_kind kind);

/* Receives each finding, in the order they are made. */
typedef void (*watch_emit_fn)(void *ctx, const watch_finding *f);

/* An invalid exit the root chain may still pay, looked at again each round. */
typedef struct watch_tracked_exit {
    uint64_t exit_id;
    bool warned;
} watch_tracked_exit;

typedef struct watch_judge {
    watch_emit_fn emit;
    void *emit_ctx;
    watch_tracked_exit *exits;
    size_t n_exits, cap_exits;
} watch_judge;

void watch_judge_init(watch_judge *j, watch_emit_fn emit, void *emit_ctx);
void watch_judge_free(watch_judge *j);

/* Verdicts on blocks. */
void watch_judge_invalid_block(watch_judge *j, uint64_t blknum, const char *reason);
void watch_judge_withheld_block(watch_judge *j, uint64_t blknum);

/* An exit started: invalid when the view has its output spent; an unspent
 * output is marked exiting, so that a later block spending it makes the
 * exit invalid (watch_judge_spends). Returns 0 or an error of the view. */
int watch_judge_exit_started(watch_judge *j, watch_view *v, uint64_t exit_id);

/* After block blknum joined the view: the exits of outputs it spent. */
int watch_judge_spends(watch_judge *j, watch_view *v, uint64_t blknum);

/* Looks again at the invalid exits found earlier: those no longer in
 * progress on the root chain are dropped; one with less than half the exit
 * period left is reported once as unchallenged. Returns 0 or an error as
 * the client functions. */
int watch_judge_review(watch_judge *j, plasma_client *c);

#endif
