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
    [WATCH_IN_FLIGHT_TX] = {"in_flight_tx", WATCH_ACT_START_IFE},
    [WATCH_NONCANONICAL_IFE] = {"noncanonical_ife", WATCH_ACT_CHALLENGE_IFE},
    [WATCH_INVALID_IFE_CHALLENGE] = {"invalid_ife_challenge", WATCH_ACT_RESPOND_IFE},
    [WATCH_PIGGYBACK_AVAILABLE] = {"piggyback_available", WATCH_ACT_PIGGYBACK},
    [WATCH_INVALID_PIGGYBACK] = {"invalid_piggyback", WATCH_ACT_CHALLENGE_PIGGYBACK},
    [WATCH_UNCHALLENGED_NON_CANONICAL_IFE] = {"unchallenged_non_canonical_ife", WATCH_ACT_EXIT_EVERYTHING},
    [WATCH_UNCHALLENGED_PIGGYBACK] = {"unchallenged_piggyback", WATCH_ACT_EXIT_EVERYTHING},
};

const watch_rule *watch_rule_of(watch_finding_kind kind)
{
    return &rules[kind];
}

/* --- exit records --- */

#define K_EXIT 'X'
#define REC_LEN 38

enum { X_STANDARD = 1 };                 /* kind */
enum { X_PENDING = 1, X_INVALID = 2 };   /* state */
enum { XF_REPORTED = 1, XF_WARNED = 2 }; /* flags */

typedef struct exit_rec {
    uint64_t exit_id;
    uint8_t state, flags;
    plasma_addr owner;
    uint64_t spent_in;
    uint32_t spend_txindex;
    uint8_t spend_input;
} exit_rec;

static void exit_key(uint8_t key[9], uint64_t exit_id)
{
    key[0] = K_EXIT;
    watch_be64(key + 1, exit_id);
}

static void put_rec(watch_batch *b, const exit_rec *x)
{
    uint8_t key[9], rec[REC_LEN];
    exit_key(key, x->exit_id);
    rec[0] = X_STANDARD;
    rec[1] = x->state;
    rec[2] = x->flags;
    memcpy(rec + 3, x->owner.b, 20);
    watch_be64(rec + 23, x->spent_in);
    watch_be32(rec + 31, x->spend_txindex);
    rec[35] = x->spend_input;
    rec[36] = rec[37] = 0;
    watch_batch_put(b, key, sizeof key, rec, sizeof rec);
}

static void del_rec(watch_batch *b, uint64_t exit_id)
{
    uint8_t key[9];
    exit_key(key, exit_id);
    watch_batch_delete(b, key, sizeof key);
}

static int decode_rec(exit_rec *x, const uint8_t *key, size_t klen, const uint8_t *rec, size_t len)
{
    if (klen != 9 || len != REC_LEN || rec[0] != X_STANDARD || (rec[1] != X_PENDING && rec[1] != X_INVALID))
        return PLASMA_ERR_IO;
    x->exit_id = watch_rd64(key + 1);
    x->state = rec[1];
    x->flags = rec[2];
    memcpy(x->owner.b, rec + 3, 20);
    x->spent_in = watch_rd64(rec + 23);
    x->spend_txindex = watch_rd32(rec + 31);
    x->spend_input = rec[35];
    return 0;
}

typedef int (*exit_fn)(watch_judge *j, exit_rec *x, void *ctx);

typedef struct walk {
    watch_judge *j;
    exit_fn fn;
    void *ctx;
} walk;

static int walk_one(void *arg, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    walk *w = arg;
    exit_rec x;
    int rc = decode_rec(&x, key, klen, val, vlen);
    return rc ? rc : w->fn(w->j, &x, w->ctx);
}

/* Calls fn for every exit record, in exit id order; fn's non-zero result
 * stops the walk and is returned. */
static int each_exit(watch_judge *j, exit_fn fn, void *ctx)
{
    walk w = {j, fn, ctx};
    uint8_t from[1] = {K_EXIT};
    return watch_store_scan(j->store, from, 1, 1, walk_one, &w);
}

/* --- opening --- */

static int count(watch_judge *j, exit_rec *x, void *ctx)
{
    (void)ctx;
    j->n_pending += x->state == X_PENDING;
    j->n_unreported += x->state == X_INVALID && !(x->flags & XF_REPORTED);
    return 0;
}

int watch_judge_open(watch_judge *j, watch_store *store, watch_view *view, watch_emit_fn emit, void *emit_ctx)
{
    *j = (watch_judge){.store = store, .view = view, .emit = emit, .emit_ctx = emit_ctx};
    return each_exit(j, count, NULL);
}

/* --- blocks --- */

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

/* --- exits --- */

/* An exit of u, an output seen spent: invalid, to be reported. */
static void invalid(watch_judge *j, watch_batch *b, uint64_t exit_id, const plasma_addr *owner,
                    uint64_t spent_in, uint32_t txindex, uint32_t input)
{
    exit_rec x = {.exit_id = exit_id,
                  .state = X_INVALID,
                  .owner = *owner,
                  .spent_in = spent_in,
                  .spend_txindex = txindex,
                  .spend_input = (uint8_t)input};
    put_rec(b, &x);
    j->n_unreported++;
}

enum { J_UNKNOWN, J_INVALID, J_EXITING };

/* Judges an exit against the view (staged changes included). Out:
 * *verdict J_UNKNOWN (the view does not know its output yet), J_INVALID
 * (recorded in b) or J_EXITING (the output's flag staged). */
static int judge_exit(watch_judge *j, uint64_t exit_id, const plasma_addr *owner, watch_batch *b,
                      int *verdict)
{
    watch_utxo u;
    int rc = watch_view_get(j->view, exit_id, &u);
    *verdict = J_UNKNOWN;
    if (rc == PLASMA_ERR_NOT_FOUND)
        return 0;
    if (rc)
        return rc;
    if (u.spent) {
        *verdict = J_INVALID;
        invalid(j, b, exit_id, owner, u.spend_blknum, u.spend_txindex, u.spend_input);
        return 0;
    }
    *verdict = J_EXITING;
    return watch_view_mark_exiting(j->view, exit_id);
}

int watch_judge_exit_started(watch_judge *j, uint64_t exit_id, const plasma_addr *owner, watch_batch *b)
{
    int verdict;
    int rc = judge_exit(j, exit_id, owner, b, &verdict);
    if (rc == 0 && verdict == J_UNKNOWN) {
        exit_rec x = {.exit_id = exit_id, .state = X_PENDING, .owner = *owner};
        put_rec(b, &x);
        j->n_pending++;
    }
    return rc;
}

typedef struct pending_ctx {
    watch_batch *b;
    size_t left;
} pending_ctx;

static int rejudge(watch_judge *j, exit_rec *x, void *arg)
{
    pending_ctx *p = arg;
    int verdict, rc;
    if (x->state != X_PENDING)
        return 0;
    if ((rc = judge_exit(j, x->exit_id, &x->owner, p->b, &verdict)) != 0)
        return rc;
    if (verdict == J_UNKNOWN)
        p->left++;
    else if (verdict == J_EXITING)
        del_rec(p->b, x->exit_id);
    return 0;
}

int watch_judge_pending(watch_judge *j, watch_batch *b)
{
    pending_ctx p = {b, 0};
    int rc = j->n_pending ? each_exit(j, rejudge, &p) : 0;
    if (rc == 0 && j->n_pending)
        j->n_pending = p.left;
    return rc;
}

int watch_judge_block(watch_judge *j, const watch_block *blk, watch_batch *b)
{
    for (size_t i = 0; i < blk->n_exit_spends; i++) {
        const watch_exit_spend *s = &blk->exit_spends[i];
        invalid(j, b, s->pos, &s->owner, blk->blknum, s->txindex, s->input);
    }
    return watch_judge_pending(j, b);
}

/* --- acting on invalid exits --- */

static watch_finding invalid_finding(const exit_rec *x)
{
    return (watch_finding){.kind = WATCH_INVALID_EXIT,
                           .exit_id = x->exit_id,
                           .owner = x->owner,
                           .spent_in = x->spent_in,
                           .spend_txindex = x->spend_txindex,
                           .spend_input = x->spend_input};
}

static int report_one(watch_judge *j, exit_rec *x, void *arg)
{
    watch_batch *b = arg;
    if (x->state != X_INVALID || (x->flags & XF_REPORTED))
        return 0;
    watch_finding f = invalid_finding(x);
    j->emit(j->emit_ctx, &f);
    x->flags |= XF_REPORTED;
    put_rec(b, x);
    return 0;
}

int watch_judge_report(watch_judge *j)
{
    watch_batch *b = NULL;
    int rc;
    if (!j->n_unreported)
        return 0;
    if ((rc = watch_batch_new(&b)) == 0 && (rc = each_exit(j, report_one, b)) == 0 &&
        (rc = watch_store_write(j->store, b)) == 0)
        j->n_unreported = 0;
    watch_batch_free(b);
    return rc;
}

typedef struct review_ctx {
    plasma_client *c;
    const plasma_rootchain_status *st;
    bool can_challenge;
    watch_batch *b;
} review_ctx;

static int review_one(watch_judge *j, exit_rec *x, void *arg)
{
    review_ctx *r = arg;
    plasma_exit_info info;
    int rc;
    if (x->state != X_INVALID)
        return 0;
    if ((rc = CHAIN_OP(r->c, exit, x->exit_id, &info)) != 0 && rc != PLASMA_ERR_EXIT_NOT_FOUND)
        return client_rc_fail(r->c, rc, "reading an exit");
    if (rc || info.state != PLASMA_EXIT_IN_PROGRESS) {
        del_rec(r->b, x->exit_id);
        return 0;
    }
    if (r->can_challenge) {
        watch_finding f = invalid_finding(x);
        f.retry = true;
        if (j->emit(j->emit_ctx, &f))
            return 0; /* challenged: forgotten at the next round */
    }
    if (!(x->flags & XF_WARNED) && info.exitable_at <= r->st->head_timestamp + r->st->min_exit_period / 2) {
        watch_finding f = {.kind = WATCH_UNCHALLENGED_EXIT,
                           .exit_id = x->exit_id,
                           .owner = info.owner,
                           .exitable_at = info.exitable_at};
        j->emit(j->emit_ctx, &f);
        x->flags |= XF_WARNED;
        put_rec(r->b, x);
    }
    return 0;
}

int watch_judge_review(watch_judge *j, plasma_client *c, const plasma_rootchain_status *st,
                       bool can_challenge)
{
    review_ctx r = {c, st, can_challenge, NULL};
    int rc = watch_batch_new(&r.b);
    if (rc == 0 && (rc = each_exit(j, review_one, &r)) == 0 && watch_batch_bytes(r.b))
        rc = watch_store_write(j->store, r.b);
    watch_batch_free(r.b);
    return rc;
}
