/* Judging what the watcher sees: which blocks and exits are invalid, and
 * what must be done about each. Every verdict is a finding; the table of
 * rules (watch_rule_of) gives each kind of finding its report event and the
 * action it calls for, which watch_act.c carries out. A new kind (say, an
 * in-flight exit that is not canonical) is one more enum value, one more
 * row, and where needed one more action.
 *
 * Exits are judged against the view and remembered in the data dir until
 * nothing is left to do about them, so that a restart forgets none:
 *   'X' exit_id8   kind1 state1 flags1 owner20 spent_in8 spend_txindex4 spend_input1
 * An exit of an output the view does not know yet is pending, judged again
 * whenever a block joins the view; one of an unspent output only marks the
 * output exiting (a later block spending it makes the exit invalid); one
 * of a spent output is invalid: reported and challenged, and looked at each
 * round until the root chain no longer holds it in progress. Internal to
 * libplasma_client. */
#ifndef PLASMA_WATCH_JUDGE_H
#define PLASMA_WATCH_JUDGE_H

#include "ife_view.h"
#include "watch_verify.h"
#include "watch_view.h"

typedef enum watch_finding_kind {
    WATCH_INVALID_BLOCK = 0,     /* root mismatch, bad signature, overspend, ... */
    WATCH_BLOCK_WITHHOLDING = 1, /* a submitted block not served in time */
    WATCH_INVALID_EXIT = 2,      /* an exit of an output seen spent */
    WATCH_UNCHALLENGED_EXIT = 3, /* such an exit still open, less than half its period left */
    /* In-flight exits (watch_ife.c). */
    WATCH_IN_FLIGHT_TX = 4,     /* a protected account's tx whose block is withheld or never came */
    WATCH_NONCANONICAL_IFE = 5, /* an IFE of a tx with a known competitor older than the recorded one */
    WATCH_INVALID_IFE_CHALLENGE =
        6,                         /* the IFE's tx is included before the competitor it was challenged with */
    WATCH_PIGGYBACK_AVAILABLE = 7, /* a protected account's input or output to piggyback */
    WATCH_INVALID_PIGGYBACK = 8,   /* a piggybacked input or output that was spent */
    WATCH_UNCHALLENGED_NON_CANONICAL_IFE =
        9,                             /* a non-canonical IFE still canonical as its first phase ends */
    WATCH_UNCHALLENGED_PIGGYBACK = 10, /* an invalid piggyback standing, less than half the period left */
    WATCH_N_FINDING_KINDS
} watch_finding_kind;

typedef enum watch_action {
    WATCH_ACT_NONE = 0,                /* report only */
    WATCH_ACT_DISTRUST = 1,            /* stop following the operator; owners exit (--exit-for) */
    WATCH_ACT_CHALLENGE_EXIT = 2,      /* challengeStandardExit with the spending tx */
    WATCH_ACT_START_IFE = 3,           /* startInFlightExit, by the tx's sender */
    WATCH_ACT_CHALLENGE_IFE = 4,       /* challengeInFlightExitNotCanonical with the competitor */
    WATCH_ACT_RESPOND_IFE = 5,         /* respondToNonCanonicalChallenge with the tx's inclusion */
    WATCH_ACT_PIGGYBACK = 6,           /* piggyback, by the input's or output's owner */
    WATCH_ACT_CHALLENGE_PIGGYBACK = 7, /* challengeInFlightExit{Input,Output}Spent with the spend */
    WATCH_ACT_EXIT_EVERYTHING = 8,     /* standard exits of every protected account's outputs */
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
    uint64_t exitable_at;   /* unchallenged_exit, unchallenged_piggyback */
    bool retry;             /* the action again, for a finding reported before */
    /* In-flight exits: */
    plasma_u256 ife_id;
    plasma_hash txhash;
    const plasma_tx *tx;    /* the IFE's (or in-flight) tx */
    unsigned account;       /* in_flight_tx, piggyback_available: the protected account acting */
    bool on_input;          /* piggyback_available, invalid_piggyback: input or output */
    unsigned index;         /* its index; noncanonical_ife: the tx's input the competitor spends */
    const ife_found *other; /* the competitor, the tx's inclusion, or the spend */
    const ife_found *incl;  /* invalid_piggyback of an output: the tx's inclusion */
    uint64_t
        position; /* noncanonical_ife: the competitor's (0 never included); invalid_ife_challenge: the tx's */
    uint64_t deadline; /* unchallenged_non_canonical_ife: the end of the first phase */
} watch_finding;

typedef struct watch_rule {
    const char *event; /* the report's "event" */
    watch_action action;
} watch_rule;

const watch_rule *watch_rule_of(watch_finding_kind kind);

/* Receives each finding, in the order they are made; returns whether its
 * action succeeded. */
typedef bool (*watch_emit_fn)(void *ctx, const watch_finding *f);

typedef struct watch_judge {
    watch_store *store;
    watch_view *view;
    watch_emit_fn emit;
    void *emit_ctx;
    size_t n_pending;    /* exits waiting for their output */
    size_t n_unreported; /* invalid exits not reported yet */
} watch_judge;

/* Counts the exits the data dir remembers. Returns 0, PLASMA_ERR_IO or
 * PLASMA_ERR_NOMEM. */
int watch_judge_open(watch_judge *j, watch_store *store, watch_view *view, watch_emit_fn emit,
                     void *emit_ctx);

/* Verdicts on blocks, emitted at once. */
void watch_judge_invalid_block(watch_judge *j, uint64_t blknum, const char *reason);
void watch_judge_withheld_block(watch_judge *j, uint64_t blknum);

/* An exit started: its record (or the exiting flag, staged on the view) in
 * b. Returns 0 or an error of the view. */
int watch_judge_exit_started(watch_judge *j, uint64_t exit_id, const plasma_addr *owner, watch_batch *b);

/* Block blk joined the view (staged): the exits of the exiting outputs it
 * spent become invalid, and pending exits are judged again, into b.
 * Returns 0 or an error of the view or store. */
int watch_judge_block(watch_judge *j, const watch_block *blk, watch_batch *b);
/* The judging of pending exits alone (after a deposit joined the view). */
int watch_judge_pending(watch_judge *j, watch_batch *b);

/* Once b is written: the exits found invalid and not reported yet go
 * through their action and out as reports. Returns 0 or an error of the
 * store. */
int watch_judge_report(watch_judge *j);

/* Each round, with st the root chain's status: the invalid exits no
 * longer in progress on the root chain are forgotten; the others are
 * challenged again when can_challenge (a retry, reported when it
 * succeeds), and one with less than half the exit period left is reported
 * once as unchallenged. Returns 0, an error of the store, or an error as
 * the client functions. */
int watch_judge_review(watch_judge *j, plasma_client *c, const plasma_rootchain_status *st,
                       bool can_challenge);

#endif
