/* The watcher: follows the root chain's events, downloads and re-verifies
 * every submitted child block against its own UTXO view, and reports (and
 * where it can, answers) byzantine behaviour.
 *
 * Data flows one way through its parts:
 *   follow (watch_follow.c)  root-chain events, the operator's blocks
 *   verify (watch_verify.c)  roots, signatures, re-execution against the view
 *   view   (watch_view.c)    the outputs seen and the verified blocks
 *   judge  (watch_judge.c)   blocks and exits: findings, each with its action
 *   act    (watch_act.c)     challenges, distrust, owners' exits
 *   report (watch_report.c)  one JSON object per finding or action
 * This file wires them together and keeps the state that lets a watcher
 * resume from its data dir. */
#include "client_internal.h"
#include "watch_act.h"
#include "watch_follow.h"
#include "watch_report.h"
#include "watch_store.h"
#include "watch_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct plasma_watcher {
    plasma_client *c;
    plasma_domain domain;
    double withholding_timeout_s;
    uint64_t last_verified;
    watch_follow follow;
    watch_view *view;
    watch_judge judge;
    watch_actor actor;
    watch_reporter reporter;
    watch_store *store; /* NULL: nothing persisted */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every finding goes through its action, then out as a report. */
static void on_finding(void *ctx, const watch_finding *f)
{
    plasma_watcher *w = ctx;
    watch_outcome o;
    watch_act(&w->actor, w->view, f, &o);
    watch_report_finding(&w->reporter, f, &o);
}

int plasma_watcher_new(plasma_watcher **out, plasma_client *c, const plasma_privkey *challenger,
                       uint64_t withholding_timeout_ms, plasma_watch_report_cb cb, void *payload)
{
    plasma_rootchain_status st;
    plasma_watcher *w;
    int rc = plasma_rootchain_client_status(c->rc, &st);
    if (rc)
        return client_rc_fail(c, rc, "root-chain status");
    if (!(w = calloc(1, sizeof *w)))
        return PLASMA_ERR_NOMEM;
    if (watch_view_new(&w->view) != 0) {
        free(w);
        return PLASMA_ERR_NOMEM;
    }
    w->c = c;
    w->actor = (watch_actor){.c = c, .trusted = true};
    if (challenger) {
        w->actor.challenger = *challenger;
        w->actor.have_challenger = true;
    }
    w->withholding_timeout_s = (double)withholding_timeout_ms / 1000.0;
    w->reporter = (watch_reporter){cb, payload};
    watch_follow_init(&w->follow, c);
    watch_judge_init(&w->judge, on_finding, w);
    plasma_domain_init(&w->domain, st.chain_id, &st.contract);
    *out = w;
    return 0;
}

void plasma_watcher_free(plasma_watcher *w)
{
    if (!w)
        return;
    watch_view_free(w->view);
    watch_store_close(w->store);
    watch_follow_free(&w->follow);
    watch_judge_free(&w->judge);
    plasma_wipe(&w->actor.challenger, sizeof w->actor.challenger);
    free(w);
}

bool plasma_watcher_trusted(const plasma_watcher *w)
{
    return w->actor.trusted;
}

uint64_t plasma_watcher_rootchain_block(const plasma_watcher *w)
{
    return w->follow.cursor;
}

uint64_t plasma_watcher_last_verified(const plasma_watcher *w)
{
    return w->last_verified;
}

/* --- keeping verified blocks in the data dir --- */

/* Stores a verified block's txs under k/<blknum> (no-op without store). */
static int persist(plasma_watcher *w, uint64_t blknum, json_t *val)
{
    char key[32];
    char *text;
    int rc;
    if (!val)
        return PLASMA_ERR_NOMEM;
    if (!w->store) {
        json_decref(val);
        return 0;
    }
    snprintf(key, sizeof key, "k/%020llu", (unsigned long long)blknum);
    text = json_dumps(val, JSON_COMPACT);
    json_decref(val);
    if (!text)
        return PLASMA_ERR_NOMEM;
    rc = watch_store_put(w->store, key, text);
    free(text);
    return rc;
}

/* The JSON form of a verified block's txs, for the data dir. */
static int persist_block(plasma_watcher *w, uint64_t blknum, const watch_txs *b)
{
    json_t *txs;
    if (!w->store)
        return 0;
    if (!(txs = json_array()))
        return PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < b->n; i++) {
        char *hex = malloc(2 * b->raw_len[i] + 3);
        if (!hex ||
            json_array_append_new(txs, json_string(plasma_hex_encode(hex, b->raw[i], b->raw_len[i]))) != 0) {
            free(hex);
            json_decref(txs);
            return PLASMA_ERR_NOMEM;
        }
        free(hex);
    }
    return persist(w, blknum, json_pack("{s:s, s:o}", "kind", "block", "txs", txs));
}

static int persist_deposit(plasma_watcher *w, uint64_t blknum, const plasma_output *d)
{
    char amount[PLASMA_U256_DEC_MAX], owner[43], token[43];
    if (!w->store)
        return 0;
    return persist(w, blknum,
                   json_pack("{s:s, s:s, s:s, s:s}", "kind", "deposit", "owner",
                             plasma_addr_format(owner, &d->owner), "token",
                             plasma_addr_format(token, &d->token), "amount",
                             plasma_u256_format_dec(amount, &d->amount)));
}

/* --- applying the queue --- */

/* Keeps a block that joined the view and judges the exits it spent. */
static int keep(plasma_watcher *w, uint64_t blknum, watch_txs *b)
{
    watch_kept_block kb = watch_txs_take(b, blknum);
    int rc = watch_view_commit(w->view);
    if (rc == 0 && (rc = watch_view_keep_block(w->view, &kb)) == 0)
        w->last_verified = blknum;
    return rc;
}

/* Fetches, checks and applies child block it. Returns 0 (applied, or the
 * operator distrusted), PLASMA_ERR_NOT_FOUND (not served yet: retry) or
 * PLASMA_ERR_NOMEM. */
static int verify_block(plasma_watcher *w, const watch_item *it)
{
    watch_served served = {0};
    watch_txs b = {0};
    const char *bad = NULL;
    int rc;
    if (watch_follow_fetch(&w->follow, it->blknum, &served) != 0)
        return PLASMA_ERR_NOT_FOUND;
    rc = watch_txs_decode(&b, it->blknum, &served);
    if (rc == PLASMA_ERR_MALFORMED_TX) {
        bad = "the operator serves a malformed transaction";
        rc = 0;
    } else if (rc == 0) {
        bad = watch_verify_block(w->view, &w->domain, it->blknum, &it->root, &b, &rc);
    }
    if (rc == 0 && bad)
        watch_judge_invalid_block(&w->judge, it->blknum, bad);
    else if (rc == 0 && (rc = persist_block(w, it->blknum, &b)) == 0 && (rc = keep(w, it->blknum, &b)) == 0)
        rc = watch_judge_spends(&w->judge, w->view, it->blknum);
    watch_txs_free(&b);
    watch_served_free(&served);
    return rc;
}

/* Out: *kb, the block of the deposit d (one tx, unsigned form). Returns 0
 * or PLASMA_ERR_NOMEM. */
static int deposit_block(watch_kept_block *kb, uint64_t blknum, const plasma_output *d)
{
    plasma_tx tx;
    plasma_buf s = {0}, u = {0};
    int rc = PLASMA_ERR_NOMEM;
    *kb = (watch_kept_block){.blknum = blknum, .n = 1};
    plasma_tx_make_deposit(&tx, &d->owner, &d->token, &d->amount);
    kb->leaves = malloc(sizeof *kb->leaves);
    kb->raw = malloc(sizeof *kb->raw);
    kb->raw_len = malloc(sizeof *kb->raw_len);
    if (kb->leaves && kb->raw && kb->raw_len && (rc = plasma_tx_encode_signed(&s, &tx)) == 0 &&
        (rc = plasma_tx_encode_unsigned(&u, &tx)) == 0) {
        plasma_merkle_leaf(&kb->leaves[0], u.data, u.len);
        kb->raw[0] = s.data;
        kb->raw_len[0] = s.len;
        s = (plasma_buf){0};
    }
    plasma_buf_free(&s);
    plasma_buf_free(&u);
    if (rc) {
        free(kb->leaves);
        free(kb->raw);
        free(kb->raw_len);
    }
    return rc;
}

/* A deposit block: its single output, and its tx kept for proofs. */
static int apply_deposit(plasma_watcher *w, uint64_t blknum, const plasma_output *d)
{
    watch_kept_block kb;
    int rc;
    if (watch_view_has_block(w->view, blknum))
        return 0;
    if ((rc = watch_view_add(w->view, plasma_utxo_pos(blknum, 0, 0), d)) != 0 ||
        (rc = deposit_block(&kb, blknum, d)) != 0) {
        watch_view_discard(w->view);
        return rc;
    }
    if ((rc = watch_view_commit(w->view)) != 0 || (rc = watch_view_keep_block(w->view, &kb)) != 0)
        return rc;
    w->last_verified = blknum;
    return persist_deposit(w, blknum, d);
}

/* Applies what can be applied of the queue, oldest first. */
static int drain(plasma_watcher *w)
{
    const watch_item *it;
    while (w->actor.trusted && (it = watch_follow_head(&w->follow)) != NULL) {
        if (it->kind == WATCH_ITEM_DEPOSIT) {
            int rc = apply_deposit(w, it->blknum, &it->deposit);
            if (rc)
                return rc;
        } else if (!watch_view_has_block(w->view, it->blknum)) {
            int rc = verify_block(w, it);
            if (rc == PLASMA_ERR_NOT_FOUND) {
                if (now_s() - it->first_seen < w->withholding_timeout_s)
                    return 0;
                watch_judge_withheld_block(&w->judge, it->blknum);
                return 0;
            }
            if (rc)
                return rc;
        }
        watch_follow_pop(&w->follow);
    }
    return 0;
}

/* An exit is judged against the view once what came before it is applied. */
static int on_exit_started(void *ctx, const plasma_event *ev)
{
    plasma_watcher *w = ctx;
    int rc = drain(w);
    return rc ? rc : watch_judge_exit_started(&w->judge, w->view, ev->exit_started.exit_id);
}

/* Records where to resume: the root-chain block of the oldest event not
 * fully applied (events of that block are read again; blocks and deposits
 * already kept are skipped), and whether the operator is trusted. */
static int save_state(plasma_watcher *w)
{
    json_t *st;
    char *text;
    int rc;
    if (!w->store)
        return 0;
    st = json_pack("{s:I, s:b}", "cursor", (json_int_t)watch_follow_resume_block(&w->follow), "trusted",
                   w->actor.trusted);
    text = st ? json_dumps(st, JSON_COMPACT) : NULL;
    json_decref(st);
    if (!text)
        return PLASMA_ERR_NOMEM;
    rc = watch_store_put(w->store, "state", text);
    free(text);
    return rc;
}

int plasma_watcher_step(plasma_watcher *w)
{
    int rc = watch_follow_events(&w->follow, on_exit_started, w);
    if (rc)
        return rc;
    rc = drain(w);
    if (rc == 0)
        rc = watch_judge_review(&w->judge, w->c);
    if (rc == 0 && (rc = save_state(w)) != 0)
        rc = client_fail(w->c, rc, "watcher: cannot write its data dir");
    return rc;
}

/* --- resuming from the data dir --- */

/* Re-applies one stored block (checked when stored). */
static int replay_block(plasma_watcher *w, uint64_t blknum, const json_t *txs)
{
    watch_txs b = {0};
    int rc = watch_txs_decode_json(&b, txs);
    if (rc == 0) {
        const char *bad = watch_verify_execute(w->view, &w->domain, blknum, &b, &rc);
        if (bad && rc == 0)
            rc = PLASMA_ERR_BAD_REQUEST;
    }
    if (rc == 0)
        rc = keep(w, blknum, &b);
    watch_txs_free(&b);
    return rc;
}

/* Re-applies one stored deposit or verified block. */
static int replay_one(const char *key, const char *val, void *payload)
{
    plasma_watcher *w = payload;
    json_t *j = json_loads(val, 0, NULL);
    uint64_t blknum = strtoull(key + 2, NULL, 10);
    int rc = PLASMA_ERR_BAD_REQUEST;
    const char *kind = json_string_value(json_object_get(j, "kind"));
    if (kind && strcmp(kind, "deposit") == 0) {
        plasma_output d;
        if (plasma_addr_parse(&d.owner, client_json_str(j, "owner")) == 0 &&
            plasma_addr_parse(&d.token, client_json_str(j, "token")) == 0 &&
            plasma_u256_parse_dec(&d.amount, client_json_str(j, "amount")) == 0)
            rc = apply_deposit(w, blknum, &d);
    } else if (kind && strcmp(kind, "block") == 0) {
        rc = replay_block(w, blknum, json_object_get(j, "txs"));
    }
    json_decref(j);
    return rc;
}

static int load_state(plasma_watcher *w, watch_store *store)
{
    char *text = NULL;
    uint64_t cursor = 0;
    int rc = watch_store_get(store, "state", &text);
    if (rc == PLASMA_ERR_NOT_FOUND)
        return 0;
    if (rc)
        return rc;
    json_t *st = json_loads(text, 0, NULL);
    free(text);
    if (!client_json_u64(&cursor, st, "cursor") || !json_is_boolean(json_object_get(st, "trusted")))
        rc = PLASMA_ERR_BAD_REQUEST;
    else {
        w->follow.cursor = cursor;
        w->actor.trusted = json_is_true(json_object_get(st, "trusted"));
    }
    json_decref(st);
    return rc;
}

int plasma_watcher_set_data_dir(plasma_watcher *w, const char *dir)
{
    watch_store *store = NULL;
    int rc = watch_store_open(&store, dir);
    if (rc)
        return client_fail(w->c, rc, "watcher: cannot open the data dir %s", dir);
    if ((rc = load_state(w, store)) == 0)
        rc = watch_store_scan(store, "k/", replay_one, w);
    if (rc) {
        watch_store_close(store);
        return client_fail(w->c, rc, "watcher: the data dir %s holds unreadable state", dir);
    }
    w->store = store;
    return 0;
}

int plasma_watcher_exit_for(plasma_watcher *w, const plasma_privkey *key, size_t *n_started)
{
    return watch_act_exit_for(&w->actor, w->view, &w->reporter, key, n_started);
}
