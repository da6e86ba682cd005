/* The watcher's reports: one JSON object per finding (with what its action
 * did) and per exit started for an owner, handed to the caller's callback
 * (plasma_watch_report_cb). Internal to libplasma_client. */
#ifndef PLASMA_WATCH_REPORT_H
#define PLASMA_WATCH_REPORT_H

#include "watch_judge.h"

typedef struct watch_reporter {
    plasma_watch_report_cb cb;
    void *payload;
} watch_reporter;

typedef struct watch_outcome watch_outcome;

/* {"event": rule's event, ...the finding's fields, "challenged"...}. */
void watch_report_finding(const watch_reporter *r, const watch_finding *f, const watch_outcome *o);

/* {"event": "exit_started", "utxo_pos", "owner", "started"[, "error"]}. */
void watch_report_exit_started(const watch_reporter *r, uint64_t pos, const plasma_addr *owner, bool started,
                               const char *error);

#endif
