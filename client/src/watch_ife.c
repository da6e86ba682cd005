/* Judging in-flight exits (see watch_ife.h). */
#include "watch_ife.h"

#include "client_internal.h"

#include <stdlib.h>
#include <string.h>

#define K_IFE 'F'
#define K_IN_FLIGHT 'W'
#define FIXED_LEN (4 + 32 + 1)

enum { S_OPEN = 1, S_CLOSED = 2 };
/* reported: the kinds reported once per exit */
enum {
    R_NONCANONICAL = 1,
    R_INVALID_CHALLENGE = 2,
    R_UNCHALLENGED_NONCANONICAL = 4,
    R_UNCHALLENGED_PIGGYBACK = 8
};

typedef struct ife_rec {
    plasma_u256 id;
    uint8_t state, reported, pb_reported, inv_reported;
    plasma_hash txhash;
    uint8_t n_inputs;
    uint64_t inputs[PLASMA_MAX_INPUTS];
    size_t tx_len;
    uint8_t tx[PLASMA_CALL_MAX_TX];
} ife_rec;

/* --- records --- */

static void rec_key(uint8_t key[33], const plasma_u256 *id)
{
    key[0] = K_IFE;
    plasma_u256_to_be(key + 1, id);
}

static void put_rec(watch_batch *b, const ife_rec *r)
{
    uint8_t key[33], val[FIXED_LEN + 8 * PLASMA_MAX_INPUTS + 2 + PLASMA_CALL_MAX_TX];
    size_t n = FIXED_LEN;
    rec_key(key, &r->id);
    val[0] = r->state;
    val[1] = r->reported;
    val[2] = r->pb_reported;
    val[3] = r->inv_reported;
    memcpy(val + 4, r->txhash.b, 32);
    val[36] = r->n_inputs;
    for (unsigned i = 0; i < r->n_inputs; i++, n += 8)
        watch_be64(val + n, r->inputs[i]);
    val[n++] = (uint8_t)(r->tx_len >> 8);
    val[n++] = (uint8_t)r->tx_len;
    memcpy(val + n, r->tx, r->tx_len);
    watch_batch_put(b, key, sizeof key, val, n + r->tx_len);
}

static int decode_rec(ife_rec *r, const uint8_t *key, size_t klen, const uint8_t *val, size_t len)
{
    size_t n = FIXED_LEN;
    if (klen != 33 || len < n || (val[0] != S_OPEN && val[0] != S_CLOSED) || val[36] < 1 ||
        val[36] > PLASMA_MAX_INPUTS || len < n + 8u * val[36] + 2)
        return PLASMA_ERR_IO;
    plasma_u256_from_be(&r->id, key + 1, 32);
    r->state = val[0];
    r->reported = val[1];
    r->pb_reported = val[2];
    r->inv_reported = val[3];
    memcpy(r->txhash.b, val + 4, 32);
    r->n_inputs = val[36];
    for (unsigned i = 0; i < r->n_inputs; i++, n += 8)
        r->inputs[i] = watch_rd64(val + n);
    r->tx_len = (size_t)val[n] << 8 | val[n + 1];
    n += 2;
    if (r->tx_len > sizeof r->tx || len != n + r->tx_len)
        return PLASMA_ERR_IO;
    memcpy(r->tx, val + n, r->tx_len);
    return 0;
}

static int get_rec(watch_judge *j, const plasma_u256 *id, ife_rec *r)
{
    uint8_t key[33];
    plasma_buf val = {0};
    rec_key(key, id);
    int rc = watch_store_get(j->store, key, sizeof key, &val);
    if (rc == 0)
        rc = decode_rec(r, key, sizeof key, val.data, val.len);
    plasma_buf_free(&val);
    return rc;
}

int watch_ife_started(watch_judge *j, const plasma_event *ev, watch_batch *b)
{
    ife_rec r = {.id = ev->ife_started.ife_id, .state = S_OPEN, .txhash = ev->ife_started.txhash};
    (void)j;
    /* A second start of the same tx (after a delete) is judged anew. */
    r.n_inputs = ev->ife_started.n_inputs;
    if (r.n_inputs < 1 || r.n_inputs > PLASMA_MAX_INPUTS)
        return 0; /* not a start this watcher can judge: no inputs known */
    memcpy(r.inputs, ev->ife_started.inputs, sizeof r.inputs);
    put_rec(b, &r);
    return 0;
}

int watch_ife_closed(watch_judge *j, const plasma_u256 *ife_id, watch_batch *b)
{
    ife_rec r;
    int rc = get_rec(j, ife_id, &r);
    if (rc == PLASMA_ERR_NOT_FOUND)
        return 0;
    if (rc == 0) {
        r.state = S_CLOSED;
        put_rec(b, &r);
    }
    return rc;
}

/* --- what a round knows --- */

/* The protected accounts' wallet records, read once a round. */
typedef struct records {
    plasma_wallet_tx *recs;
    size_t n;
    unsigned *account; /* per record: the account it belongs to */
} records;

static void records_free(records *w)
{
    free(w->recs);
    free(w->account);
}

static int records_load(records *w, const watch_ife_round *r)
{
    memset(w, 0, sizeof *w);
    for (size_t a = 0; r->wallet_dir && a < r->n_accounts; a++) {
        plasma_wallet_tx *recs = NULL;
        size_t n = 0;
        int rc = plasma_wallet_load(r->wallet_dir, &r->accounts[a], &recs, &n, NULL, 0);
        if (rc == 0 && n) {
            plasma_wallet_tx *all = realloc(w->recs, (w->n + n) * sizeof *all);
            unsigned *acc = realloc(w->account, (w->n + n) * sizeof *acc);
            if (all)
                w->recs = all;
            if (acc)
                w->account = acc;
            rc = all && acc ? 0 : PLASMA_ERR_NOMEM;
            for (size_t i = 0; rc == 0 && i < n; i++) {
                w->recs[w->n + i] = recs[i];
                w->account[w->n + i] = (unsigned)a;
            }
            if (rc == 0)
                w->n += n;
        }
        free(recs);
        if (rc)
            return client_fail(r->c, rc, "watcher: the wallet's records of a protected account: %s",
                               plasma_err_message(rc));
    }
    return 0;
}

/* A recorded tx other than the one hashed except, spending pos. */
static const plasma_wallet_tx *recorded_spend(const records *w, uint64_t pos, const plasma_hash *except,
                                              unsigned *input)
{
    for (size_t i = 0; i < w->n; i++) {
        const plasma_wallet_tx *t = &w->recs[i];
        if (t->state == PLASMA_WALLET_REFUSED || plasma_hash_eq(&t->txhash, except))
            continue;
        for (unsigned k = 0; k < t->tx.n_inputs; k++)
            if (t->tx.inputs[k] == pos) {
                *input = k;
                return t;
            }
    }
    return NULL;
}

/* One exit's round: its record, the root chain's view of it and what the
 * watcher's view says about its tx. */
typedef struct judged {
    ife_rec rec;
    plasma_tx tx;
    plasma_ife_info info;
    bool included, competed; /* the view includes the tx; a competitor */
    ife_found incl, comp;
    unsigned comp_input; /* the tx's input the competitor spends */
    bool first_phase;    /* still open */
    uint64_t first_phase_end;
    bool challenged_now; /* this round's challenge of it succeeded: the root chain's record is stale */
} judged;

static bool known_canonical(const judged *x)
{
    return x->included && (!x->competed || ife_found_pos(&x->incl) < ife_found_pos(&x->comp));
}

static bool known_noncanonical(const judged *x)
{
    return x->competed && (!x->included || ife_found_pos(&x->comp) < ife_found_pos(&x->incl));
}

/* --- findings --- */

static void fill(watch_finding *f, watch_finding_kind kind, const judged *x)
{
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->ife_id = x->rec.id;
    f->txhash = x->rec.txhash;
    f->tx = &x->tx;
}

/* Emits f: the first time it is reported, later only its action again
 * (reported when it succeeds). bit in *mask remembers it. Returns whether
 * the action succeeded. */
static bool emit_once(watch_judge *j, watch_finding *f, uint8_t *mask, uint8_t bit, bool *dirty)
{
    f->retry = (*mask & bit) != 0;
    bool done = j->emit(j->emit_ctx, f);
    if (!f->retry) {
        *mask |= bit;
        *dirty = true;
    }
    return done;
}

/* An included competitor older than the recorded one, in the first phase;
 * or, with nothing included anywhere, one of the accounts' own records. */
static void judge_canonical(watch_judge *j, judged *x, const records *w, bool *dirty)
{
    watch_finding f;
    ife_found rec_comp;
    unsigned k = 0;
    const plasma_u256 *oldest = &x->info.oldest_competitor;
    if (!x->first_phase || x->info.exit_path != PLASMA_IFE_PATH_UNDECIDED)
        return;
    fill(&f, WATCH_NONCANONICAL_IFE, x);
    if (known_noncanonical(x)) {
        plasma_u256 pos = plasma_u256_from_u64(ife_found_pos(&x->comp));
        if (!plasma_u256_is_zero(oldest) && plasma_u256_cmp(&pos, oldest) >= 0)
            return;
        f.other = &x->comp;
        f.index = x->comp_input;
        f.position = ife_found_pos(&x->comp);
        x->challenged_now = emit_once(j, &f, &x->rec.reported, R_NONCANONICAL, dirty);
        return;
    }
    for (unsigned i = 0; !x->included && !x->competed && plasma_u256_is_zero(oldest) && i < x->tx.n_inputs;
         i++) {
        const plasma_wallet_tx *t = recorded_spend(w, x->tx.inputs[i], &x->rec.txhash, &k);
        if (!t)
            continue;
        memset(&rec_comp, 0, sizeof rec_comp);
        rec_comp.tx = t->tx;
        rec_comp.input = k;
        f.other = &rec_comp;
        f.index = i;
        emit_once(j, &f, &x->rec.reported, R_NONCANONICAL, dirty);
        return;
    }
}

/* Challenged, though the view includes the tx before the competitor. */
static void judge_challenge(watch_judge *j, judged *x, bool *dirty)
{
    watch_finding f;
    plasma_u256 pos;
    if (x->info.canonical || !x->included || x->info.exit_path != PLASMA_IFE_PATH_UNDECIDED)
        return;
    pos = plasma_u256_from_u64(ife_found_pos(&x->incl));
    if (plasma_u256_cmp(&pos, &x->info.oldest_competitor) >= 0)
        return;
    fill(&f, WATCH_INVALID_IFE_CHALLENGE, x);
    f.other = &x->incl;
    f.position = ife_found_pos(&x->incl);
    emit_once(j, &f, &x->rec.reported, R_INVALID_CHALLENGE, dirty);
}

static bool taken(uint8_t bits, unsigned i)
{
    return ((bits >> i) & 1) || ((bits >> (i + PLASMA_IFE_BLOCKED_SHIFT)) & 1);
}

static int account_of(const watch_ife_round *r, const plasma_addr *owner)
{
    for (size_t a = 0; a < r->n_accounts; a++)
        if (plasma_addr_eq(&r->accounts[a], owner))
            return (int)a;
    return -1;
}

/* Outputs of the accounts while the tx is not included in a verified block
 * and not known non-canonical (the sender's change too: an exit through
 * the outputs pays it); an included tx's outputs have proofs and exit the
 * standard way, and their owners may have spent them. Inputs of the
 * accounts unless the tx is known canonical, and when nothing else spent
 * them. */
static int judge_piggybacks(watch_judge *j, judged *x, const watch_ife_round *r, bool *dirty)
{
    watch_finding f;
    for (unsigned o = 0; x->first_phase && !x->included && !x->competed && o < x->tx.n_outputs; o++) {
        int a = account_of(r, &x->tx.outputs[o].owner);
        if (a < 0 || taken(x->info.outputs_piggybacked, o))
            continue;
        fill(&f, WATCH_PIGGYBACK_AVAILABLE, x);
        f.account = (unsigned)a;
        f.owner = r->accounts[a];
        f.index = o;
        emit_once(j, &f, &x->rec.pb_reported, (uint8_t)(1u << (o + 4)), dirty);
    }
    for (unsigned i = 0; x->first_phase && !known_canonical(x) && i < x->tx.n_inputs; i++) {
        int a = account_of(r, &x->info.inputs[i].owner);
        ife_found s;
        if (a < 0 || taken(x->info.inputs_piggybacked, i))
            continue;
        int rc = ife_view_spend(j->view, x->tx.inputs[i], &x->rec.txhash, &s);
        if (rc == 0)
            continue; /* spent elsewhere: the piggyback would be blocked */
        if (rc != PLASMA_ERR_NOT_FOUND)
            return rc;
        fill(&f, WATCH_PIGGYBACK_AVAILABLE, x);
        f.account = (unsigned)a;
        f.owner = r->accounts[a];
        f.on_input = true;
        f.index = i;
        emit_once(j, &f, &x->rec.pb_reported, (uint8_t)(1u << i), dirty);
    }
    return 0;
}

/* The spend of a piggybacked input: in the view, or in the records. */
static int input_spend(watch_judge *j, const judged *x, const records *w, unsigned i, ife_found *s)
{
    unsigned k;
    int rc = ife_view_spend(j->view, x->tx.inputs[i], &x->rec.txhash, s);
    if (rc != PLASMA_ERR_NOT_FOUND)
        return rc;
    const plasma_wallet_tx *t = recorded_spend(w, x->tx.inputs[i], &x->rec.txhash, &k);
    if (!t)
        return PLASMA_ERR_NOT_FOUND;
    memset(s, 0, sizeof *s);
    s->tx = t->tx;
    s->input = k;
    return 0;
}

static void invalid_piggyback(watch_judge *j, judged *x, const watch_ife_round *r, bool on_input,
                              unsigned index, const ife_found *s, bool *dirty)
{
    watch_finding f;
    uint8_t bit = (uint8_t)(1u << (on_input ? index : index + 4));
    fill(&f, WATCH_INVALID_PIGGYBACK, x);
    f.on_input = on_input;
    f.index = index;
    f.other = s;
    f.incl = &x->incl;
    if (emit_once(j, &f, &x->rec.inv_reported, bit, dirty) ||
        x->info.exitable_at > r->st->head_timestamp + r->st->min_exit_period / 2)
        return;
    fill(&f, WATCH_UNCHALLENGED_PIGGYBACK, x);
    f.on_input = on_input;
    f.index = index;
    f.exitable_at = x->info.exitable_at;
    if (!(x->rec.reported & R_UNCHALLENGED_PIGGYBACK))
        emit_once(j, &f, &x->rec.reported, R_UNCHALLENGED_PIGGYBACK, dirty);
}

/* A piggybacked input or output that was spent, before processing. */
static int judge_spent(watch_judge *j, judged *x, const watch_ife_round *r, const records *w, bool *dirty)
{
    ife_found s;
    if (x->info.exit_path != PLASMA_IFE_PATH_UNDECIDED)
        return 0;
    for (unsigned i = 0; i < x->tx.n_inputs; i++) {
        if (!((x->info.inputs_piggybacked >> i) & 1))
            continue;
        int rc = input_spend(j, x, w, i, &s);
        if (rc == 0)
            invalid_piggyback(j, x, r, true, i, &s, dirty);
        else if (rc != PLASMA_ERR_NOT_FOUND)
            return rc;
    }
    for (unsigned o = 0; x->included && o < x->tx.n_outputs; o++) {
        if (!((x->info.outputs_piggybacked >> o) & 1))
            continue;
        uint64_t pos = plasma_utxo_pos(x->incl.blknum, x->incl.txindex, o);
        int rc = ife_view_spend(j->view, pos, NULL, &s);
        if (rc == 0)
            invalid_piggyback(j, x, r, false, o, &s, dirty);
        else if (rc != PLASMA_ERR_NOT_FOUND)
            return rc;
    }
    return 0;
}

/* A non-canonical tx still canonical on the root chain as the first phase
 * runs out (less than a quarter of it left): its exit would pay outputs
 * whose inputs went elsewhere. */
static void judge_unchallenged(watch_judge *j, judged *x, const watch_ife_round *r, bool *dirty)
{
    watch_finding f;
    uint64_t quarter = r->st->min_exit_period / 8;
    if (!known_noncanonical(x) || !x->info.canonical || x->challenged_now ||
        x->info.exit_path != PLASMA_IFE_PATH_UNDECIDED || (x->rec.reported & R_UNCHALLENGED_NONCANONICAL) ||
        r->st->head_timestamp + quarter < x->first_phase_end)
        return;
    fill(&f, WATCH_UNCHALLENGED_NON_CANONICAL_IFE, x);
    f.deadline = x->first_phase_end;
    emit_once(j, &f, &x->rec.reported, R_UNCHALLENGED_NONCANONICAL, dirty);
}

/* --- the round --- */

/* The tx of an exit: stored in its record, read from the root chain the
 * first time. */
static int exit_tx(const watch_ife_round *r, ife_rec *rec, plasma_tx *tx, bool *dirty)
{
    plasma_buf b = {0};
    int rc;
    if (rec->tx_len)
        return plasma_tx_decode_signed(tx, rec->tx, rec->tx_len) == 0 ? 0 : PLASMA_ERR_IO;
    if ((rc = CHAIN_OP(r->c, ife_tx, &rec->id, tx)) != 0)
        return rc;
    if ((rc = plasma_tx_encode_signed(&b, tx)) == 0 && b.len <= sizeof rec->tx) {
        memcpy(rec->tx, b.data, b.len);
        rec->tx_len = b.len;
        *dirty = true;
    }
    plasma_buf_free(&b);
    return rc;
}

/* What the view knows of the exit's tx: its inclusion, its competitor. */
static int view_facts(watch_judge *j, judged *x)
{
    int rc = ife_view_inclusion(j->view, &x->tx, &x->rec.txhash, &x->incl);
    x->included = rc == 0;
    if (rc && rc != PLASMA_ERR_NOT_FOUND)
        return rc;
    rc = ife_view_competitor(j->view, &x->tx, &x->rec.txhash, &x->comp, &x->comp_input);
    x->competed = rc == 0;
    return rc == PLASMA_ERR_NOT_FOUND ? 0 : rc;
}

/* Reads an open exit's round. Out: *gone when the root chain no longer
 * holds it (its closing event is on the way). */
static int load_judged(watch_judge *j, const watch_ife_round *r, judged *x, bool *gone, bool *dirty)
{
    int rc = exit_tx(r, &x->rec, &x->tx, dirty);
    if (rc == 0)
        rc = CHAIN_OP(r->c, ife, &x->rec.id, &x->info);
    *gone = rc == PLASMA_ERR_IFE_NOT_FOUND;
    if (rc)
        return *gone ? 0 : client_rc_fail(r->c, rc, "watcher: reading an in-flight exit");
    x->first_phase_end = x->info.start + r->st->min_exit_period / 2;
    /* A call sent now runs in the next block, block_time later at least. */
    x->first_phase = r->st->head_timestamp + r->st->block_time < x->first_phase_end;
    return view_facts(j, x);
}

/* Flags in the view the output at pos when the root chain finalized it:
 * created by the tx utx (with or without inputs). */
static int follow_flag(watch_judge *j, const watch_ife_round *r, const plasma_tx *created, uint64_t pos)
{
    plasma_buf u = {0};
    plasma_hash id;
    plasma_u256 by;
    int rc = plasma_tx_encode_unsigned(&u, created);
    if (rc == 0)
        plasma_output_id(&id, u.data, u.len, created->n_inputs > 0, plasma_pos_oindex(pos), pos);
    plasma_buf_free(&u);
    if (rc == 0 && (rc = CHAIN_OP(r->c, finalized, &id, &by)) != 0)
        return client_rc_fail(r->c, rc, "watcher: reading a finalized flag");
    return rc == 0 && !plasma_u256_is_zero(&by) ? watch_view_mark_finalized(j->view, pos) : rc;
}

/* A closed exit: the outputs the root chain finalized through it (its
 * inputs, and its outputs when the view knows where the tx is) are flagged
 * in the view, and its record goes. */
static int close_exit(watch_judge *j, const watch_ife_round *r, ife_rec *rec, watch_batch *b)
{
    plasma_tx created, tx;
    ife_found incl;
    uint8_t key[33];
    int rc = 0;
    for (unsigned i = 0; i < rec->n_inputs && rc == 0; i++) {
        uint64_t pos = rec->inputs[i];
        rc = ife_view_tx(j->view, plasma_pos_blknum(pos), plasma_pos_txindex(pos), &created);
        rc = rc == PLASMA_ERR_NOT_FOUND ? 0 : rc ? rc : follow_flag(j, r, &created, pos);
    }
    if (rc == 0 && rec->tx_len && plasma_tx_decode_signed(&tx, rec->tx, rec->tx_len) == 0 &&
        ife_view_inclusion(j->view, &tx, &rec->txhash, &incl) == 0)
        for (unsigned o = 0; o < tx.n_outputs && rc == 0; o++)
            rc = follow_flag(j, r, &tx, plasma_utxo_pos(incl.blknum, incl.txindex, o));
    rec_key(key, &rec->id);
    watch_batch_delete(b, key, sizeof key);
    return rc;
}

static int review_open(watch_judge *j, const watch_ife_round *r, const records *w, judged *x, watch_batch *b)
{
    bool gone = false, dirty = false;
    int rc = load_judged(j, r, x, &gone, &dirty);
    if (rc == 0 && gone)
        return close_exit(j, r, &x->rec, b);
    if (rc == 0) {
        judge_canonical(j, x, w, &dirty);
        judge_challenge(j, x, &dirty);
        rc = judge_piggybacks(j, x, r, &dirty);
    }
    if (rc == 0)
        rc = judge_spent(j, x, r, w, &dirty);
    if (rc == 0)
        judge_unchallenged(j, x, r, &dirty);
    if (dirty)
        put_rec(b, &x->rec);
    return rc;
}

/* The records, read before any is judged (judging calls the root chain:
 * no iterator stays open meanwhile). */
typedef struct rec_list {
    ife_rec *recs;
    size_t n, cap;
} rec_list;

static int collect_one(void *arg, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    rec_list *l = arg;
    if (plasma_grow((void **)&l->recs, &l->cap, l->n + 1, sizeof *l->recs) != 0)
        return PLASMA_ERR_NOMEM;
    int rc = decode_rec(&l->recs[l->n], key, klen, val, vlen);
    l->n += rc == 0;
    return rc;
}

static int collect(watch_judge *j, rec_list *l)
{
    uint8_t from[1] = {K_IFE};
    memset(l, 0, sizeof *l);
    int rc = watch_store_scan(j->store, from, 1, 1, collect_one, l);
    if (rc) {
        free(l->recs);
        l->recs = NULL;
    }
    return rc;
}

static int review_exits(watch_judge *j, const watch_ife_round *r, const records *w, watch_batch *b)
{
    rec_list l = {0};
    judged *x = malloc(sizeof *x);
    int rc = x ? collect(j, &l) : PLASMA_ERR_NOMEM;
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        memset(x, 0, sizeof *x);
        x->rec = l.recs[i];
        rc = x->rec.state == S_CLOSED ? close_exit(j, r, &x->rec, b) : review_open(j, r, w, x, b);
    }
    free(l.recs);
    free(x);
    return rc;
}

/* --- the accounts' txs in flight --- */

/* Its block withheld (the operator is distrusted), or acknowledged for a
 * block the root chain still lacks past the withholding timeout. */
static bool in_flight_candidate(const plasma_wallet_tx *t, const watch_ife_round *r)
{
    if (t->state == PLASMA_WALLET_REFUSED)
        return false;
    if (!r->trusted)
        return true;
    return t->state == PLASMA_WALLET_ACKED && t->blknum >= r->st->next_child_block &&
           r->now >= t->time + r->withholding_timeout_s;
}

static void in_flight_key(uint8_t key[33], const plasma_hash *txhash)
{
    key[0] = K_IN_FLIGHT;
    memcpy(key + 1, txhash->b, 32);
}

/* Whether t is in flight and no in-flight exit of it was ever started. */
static int needs_exit(watch_judge *j, const watch_ife_round *r, const plasma_wallet_tx *t, bool *needs)
{
    ife_found f;
    unsigned k;
    plasma_u256 id;
    plasma_tx started;
    *needs = false;
    if (!in_flight_candidate(t, r))
        return 0;
    int rc = ife_view_inclusion(j->view, &t->tx, &t->txhash, &f);
    if (rc != PLASMA_ERR_NOT_FOUND)
        return rc; /* included (0): not in flight */
    if ((rc = ife_view_competitor(j->view, &t->tx, &t->txhash, &f, &k)) != PLASMA_ERR_NOT_FOUND)
        return rc; /* another spend of an input is included: it cannot be canonical */
    if ((rc = plasma_ife_id(&id, &t->tx)) != 0)
        return rc;
    rc = CHAIN_OP(r->c, ife_tx, &id, &started);
    *needs = rc == PLASMA_ERR_IFE_NOT_FOUND;
    return rc == 0 || *needs ? 0 : client_rc_fail(r->c, rc, "watcher: reading an in-flight exit's tx");
}

static int judge_in_flight(watch_judge *j, const watch_ife_round *r, const records *w, watch_batch *b)
{
    for (size_t i = 0; i < w->n; i++) {
        const plasma_wallet_tx *t = &w->recs[i];
        uint8_t key[33], reported = 1;
        plasma_buf seen = {0};
        bool needs;
        int rc = needs_exit(j, r, t, &needs);
        if (rc || !needs) {
            if (rc)
                return rc;
            continue;
        }
        in_flight_key(key, &t->txhash);
        rc = watch_store_get(j->store, key, sizeof key, &seen);
        plasma_buf_free(&seen);
        if (rc && rc != PLASMA_ERR_NOT_FOUND)
            return rc;
        watch_finding f = {.kind = WATCH_IN_FLIGHT_TX,
                           .txhash = t->txhash,
                           .tx = &t->tx,
                           .account = w->account[i],
                           .owner = r->accounts[w->account[i]]};
        plasma_ife_id(&f.ife_id, &t->tx);
        f.blknum = t->state == PLASMA_WALLET_ACKED ? t->blknum : 0;
        f.retry = rc == 0;
        j->emit(j->emit_ctx, &f);
        if (!f.retry)
            watch_batch_put(b, key, sizeof key, &reported, 1);
    }
    return 0;
}

int watch_ife_review(watch_judge *j, const watch_ife_round *r)
{
    records w;
    watch_batch *b = NULL;
    int rc = records_load(&w, r);
    if (rc == 0 && (rc = watch_batch_new(&b)) == 0 && (rc = review_exits(j, r, &w, b)) == 0)
        rc = judge_in_flight(j, r, &w, b);
    if (rc == 0)
        rc = watch_view_stage(j->view, b);
    if (rc == 0 && watch_batch_bytes(b))
        rc = watch_store_write(j->store, b);
    if (rc == 0)
        watch_view_settle(j->view);
    else
        watch_view_discard(j->view);
    watch_batch_free(b);
    records_free(&w);
    return rc;
}

int watch_ife_in_flight_inputs(watch_view *v, const char *wallet_dir, const plasma_addr *owner,
                               uint64_t **skip, size_t *n_skip)
{
    plasma_wallet_tx *recs = NULL;
    size_t n = 0, k = 0;
    uint64_t *list = NULL;
    int rc = wallet_dir ? plasma_wallet_load(wallet_dir, owner, &recs, &n, NULL, 0) : 0;
    if (rc == 0 && n && !(list = malloc(n * PLASMA_MAX_INPUTS * sizeof *list)))
        rc = PLASMA_ERR_NOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ife_found f;
        if (recs[i].state == PLASMA_WALLET_REFUSED)
            continue;
        rc = ife_view_inclusion(v, &recs[i].tx, &recs[i].txhash, &f);
        if (rc == PLASMA_ERR_NOT_FOUND)
            for (unsigned in = 0; in < recs[i].tx.n_inputs; in++)
                list[k++] = recs[i].tx.inputs[in];
        rc = rc == PLASMA_ERR_NOT_FOUND ? 0 : rc;
    }
    free(recs);
    if (rc) {
        free(list);
        return rc;
    }
    *skip = list;
    *n_skip = k;
    return 0;
}
