/* Acting on findings: the action of each finding's rule (watch_judge.h),
 * and the exits of honest owners' outputs once the operator is distrusted.
 * Internal to libplasma_client. */
#ifndef PLASMA_WATCH_ACT_H
#define PLASMA_WATCH_ACT_H

#include "watch_judge.h"
#include "watch_report.h"

#define WATCH_MAX_ACCOUNTS 8

/* An account the watcher protects: its txs in flight get in-flight exits,
 * its inputs and outputs of in-flight exits get piggybacked, and its
 * outputs exit when its funds are at risk. */
typedef struct watch_account {
    plasma_privkey key;
    plasma_addr addr;
} watch_account;

typedef struct watch_actor {
    plasma_client *c;
    bool have_challenger;
    plasma_privkey challenger; /* signs challenges, receives their bonds */
    bool trusted;              /* false once a finding called for WATCH_ACT_DISTRUST */
    bool act_ife;              /* act on in-flight exit findings (--auto); else report them */
    watch_account accounts[WATCH_MAX_ACCOUNTS];
    size_t n_accounts;
    char *wallet_dir;                  /* the accounts' records (NULL: none) */
    const plasma_rootchain_status *st; /* this round's: the bonds */
    const watch_reporter *reporter;    /* exits started are reported */
} watch_actor;

/* What an action did. */
typedef struct watch_outcome {
    bool attempted;       /* the action needed a root-chain call and it was sent */
    bool done;            /* and it succeeded */
    const char *error;    /* attempted and failed: the client's message */
    size_t exits_started; /* WATCH_ACT_EXIT_EVERYTHING */
} watch_outcome;

/* Carries out f's action. Out: *out. */
void watch_act(watch_actor *a, watch_view *v, const watch_finding *f, watch_outcome *out);

/* Starts standard exits of every output of key's address unspent in the
 * view, oldest first, with exit data from the view's own blocks; each is
 * reported (exit_started). Outputs already exiting or finalized are
 * skipped, and so are the inputs of the address's txs in flight (the
 * wallet's records): their in-flight exits pay them out, and a standard
 * exit of an output the owner signed away could be challenged. Out:
 * *n_started. Returns 0 or an error as the client functions. */
int watch_act_exit_for(watch_actor *a, watch_view *v, const watch_reporter *r, const plasma_privkey *key,
                       size_t *n_started);

#endif
