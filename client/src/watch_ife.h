/* Judging in-flight exits (PROTOCOL §6b): the watcher follows every one
 * the root chain starts, remembers it in the data dir until it closes,
 * and each round compares the exit's state on the root chain with what the
 * view and the protected accounts' wallet records know:
 *   'F' ife_id32   state1 reported1 pb_reported1 inv_reported1 txhash32
 *                  n_inputs1 inputs(8 each) tx_len2 tx (0 bytes until read)
 *   'W' txhash32   reported1: an in-flight tx of a protected account reported
 * state: 1 open, 2 closed (its closing event was read; the outputs it
 * finalized are flagged in the view and the record goes). reported: the
 * finding kinds reported once (bits below); pb_reported and inv_reported:
 * per input i (bit i) and output j (bit 4 + j), piggyback_available and
 * invalid_piggyback reported. A finding already reported has its action
 * tried again each round while it stands, and is reported again only when
 * that succeeds. Internal to libplasma_client. */
#ifndef PLASMA_WATCH_IFE_H
#define PLASMA_WATCH_IFE_H

#include "watch_judge.h"

/* An in-flight exit started: its record, into b. Returns 0. */
int watch_ife_started(watch_judge *j, const plasma_event *ev, watch_batch *b);

/* An in-flight exit finalized or deleted: its record marked closed, into b
 * (nothing when the watcher does not know it). Returns 0 or an error of
 * the store. */
int watch_ife_closed(watch_judge *j, const plasma_u256 *ife_id, watch_batch *b);

/* What a round's review of in-flight exits works with. */
typedef struct watch_ife_round {
    plasma_client *c;
    const plasma_rootchain_status *st;
    const plasma_addr *accounts; /* the protected accounts, whose inputs and outputs are piggybacked */
    size_t n_accounts;
    const char *wallet_dir; /* their records (NULL: none) */
    bool trusted;           /* the operator, still */
    uint64_t withholding_timeout_s;
    uint64_t now; /* unix time, for records of txs whose block never came */
} watch_ife_round;

/* Each round: every in-flight exit followed is judged against the root
 * chain's record of it, the view and the accounts' wallet records (the
 * findings go out with their actions); closed ones have the outputs they
 * finalized flagged in the view and are forgotten; and the accounts' txs in
 * flight (their block withheld, or never submitted) are found. Returns 0,
 * an error of the store or view, or an error as the client functions. */
int watch_ife_review(watch_judge *j, const watch_ife_round *r);

/* Out: *skip (room for PLASMA_MAX_INPUTS per record, *n_skip) the inputs of
 * owner's recorded txs in flight (not refused, not included in the view):
 * outputs a standard exit must leave to their in-flight exits. Returns 0,
 * an error of the view, or the records' error. */
int watch_ife_in_flight_inputs(watch_view *v, const char *wallet_dir, const plasma_addr *owner,
                               uint64_t **skip, size_t *n_skip);

#endif
