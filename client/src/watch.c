/* The watcher: follows the root chain's events, downloads and re-verifies
 * every submitted child block against its own UTXO view, and reports (and
 * where it can, answers) byzantine behaviour. */
#include "client_internal.h"
#include "watch_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One output the watcher knows of; spent ones keep the spending tx so that
 * an exit of them can be challenged without the operator. */
typedef struct watch_utxo {
    uint64_t pos;
    plasma_output out;
    bool spent;
    bool exiting; /* an exit of it started while it was unspent */
    uint64_t spend_blknum;
    uint32_t spend_input;
    uint8_t *spend_tx; /* signed RLP, malloc'd */
    size_t spend_len;
} watch_utxo;

typedef enum { ITEM_DEPOSIT = 1, ITEM_BLOCK = 2 } item_kind;

/* A deposit or submitted block not applied yet (blocks are applied in
 * root-chain order; one the operator does not serve holds back the rest). */
typedef struct watch_item {
    item_kind kind;
    uint64_t blknum;
    plasma_hash root;
    plasma_output deposit;
    double first_seen;
    uint64_t rc_block; /* root-chain block of its event */
} watch_item;

/* A verified block's transactions in unsigned form, kept to build exit
 * proofs without the operator. */
typedef struct watch_block {
    uint64_t blknum;
    size_t n;
    plasma_hash *leaves;
    uint8_t **utx;
    size_t *utx_len;
} watch_block;

/* An invalid exit left unchallenged, watched until it matures. */
typedef struct watch_exit {
    uint64_t exit_id;
    bool warned;
} watch_exit;

/* One change to the view, undone when a block proves invalid. */
typedef struct watch_change {
    uint64_t pos;
    bool added; /* else: marked spent */
} watch_change;

struct plasma_watcher {
    plasma_client *c;
    bool have_challenger;
    plasma_privkey challenger;
    double withholding_timeout_s;
    plasma_watch_report_cb cb;
    void *payload;
    plasma_domain domain;
    uint64_t cursor; /* next root-chain block whose events are unread */
    bool trusted;
    uint64_t last_verified;
    watch_utxo *utxos; /* sorted by pos */
    size_t n_utxos, cap_utxos;
    watch_item *items; /* FIFO */
    size_t n_items, cap_items;
    watch_block *blocks; /* by blknum */
    size_t n_blocks, cap_blocks;
    watch_exit *exits; /* invalid exits not (yet) challenged */
    size_t n_exits, cap_exits;
    watch_store *store; /* NULL: nothing persisted */
    /* The operator's minimum fees when known (plasma_watcher_set_min_fees);
     * all zero otherwise: a block charging less harms no one. */
    plasma_fee_policy fee_policy;
    plasma_fee_rule *fee_rules;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Hands a report (consumed) to the callback. */
static void report(plasma_watcher *w, json_t *ev)
{
    if (ev && w->cb)
        w->cb(ev, w->payload);
    json_decref(ev);
}

/* Index of pos in the sorted view, or where it would go (*found false). */
static size_t utxo_find(const plasma_watcher *w, uint64_t pos, bool *found)
{
    size_t lo = 0, hi = w->n_utxos;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->utxos[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < w->n_utxos && w->utxos[lo].pos == pos;
    return lo;
}

static watch_utxo *utxo_get(plasma_watcher *w, uint64_t pos)
{
    bool found;
    size_t i = utxo_find(w, pos, &found);
    return found ? &w->utxos[i] : NULL;
}

/* Adds an unspent output; a position already known is left as it is.
 * Returns 0 or PLASMA_ERR_NOMEM. */
static int utxo_add(plasma_watcher *w, uint64_t pos, const plasma_output *out)
{
    bool found;
    size_t i = utxo_find(w, pos, &found);
    if (found)
        return 0;
    if (plasma_grow((void **)&w->utxos, &w->cap_utxos, w->n_utxos + 1, sizeof *w->utxos) < 0)
        return PLASMA_ERR_NOMEM;
    memmove(&w->utxos[i + 1], &w->utxos[i], (w->n_utxos - i) * sizeof *w->utxos);
    w->utxos[i] = (watch_utxo){.pos = pos, .out = *out};
    w->n_utxos++;
    return 0;
}

static int item_push(plasma_watcher *w, const watch_item *it)
{
    if (plasma_grow((void **)&w->items, &w->cap_items, w->n_items + 1, sizeof *w->items) < 0)
        return PLASMA_ERR_NOMEM;
    w->items[w->n_items++] = *it;
    return 0;
}

static void item_pop(plasma_watcher *w)
{
    memmove(&w->items[0], &w->items[1], (w->n_items - 1) * sizeof *w->items);
    w->n_items--;
}

static void block_free(watch_block *b)
{
    for (size_t i = 0; b->utx && i < b->n; i++)
        free(b->utx[i]);
    free(b->utx);
    free(b->utx_len);
    free(b->leaves);
}

/* Takes ownership of b's arrays (freed on failure too). */
static int block_keep(plasma_watcher *w, watch_block *b)
{
    if (plasma_grow((void **)&w->blocks, &w->cap_blocks, w->n_blocks + 1, sizeof *w->blocks) < 0) {
        block_free(b);
        return PLASMA_ERR_NOMEM;
    }
    w->blocks[w->n_blocks++] = *b;
    return 0;
}

static const watch_block *block_get(const plasma_watcher *w, uint64_t blknum)
{
    size_t lo = 0, hi = w->n_blocks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->blocks[mid].blknum < blknum)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->n_blocks && w->blocks[lo].blknum == blknum ? &w->blocks[lo] : NULL;
}

/* Removes pos from the view (it must be there). */
static void utxo_remove(plasma_watcher *w, uint64_t pos)
{
    bool found;
    size_t i = utxo_find(w, pos, &found);
    if (!found)
        return;
    free(w->utxos[i].spend_tx);
    memmove(&w->utxos[i], &w->utxos[i + 1], (w->n_utxos - i - 1) * sizeof *w->utxos);
    w->n_utxos--;
}

/* Reverts the first n changes, newest first. */
static void undo(plasma_watcher *w, const watch_change *ch, size_t n)
{
    while (n-- > 0) {
        watch_utxo *u;
        if (ch[n].added) {
            utxo_remove(w, ch[n].pos);
        } else if ((u = utxo_get(w, ch[n].pos)) != NULL) {
            free(u->spend_tx);
            u->spend_tx = NULL;
            u->spend_len = 0;
            u->spent = false;
        }
    }
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
    w->c = c;
    if (challenger) {
        w->challenger = *challenger;
        w->have_challenger = true;
    }
    w->withholding_timeout_s = (double)withholding_timeout_ms / 1000.0;
    w->cb = cb;
    w->payload = payload;
    w->trusted = true;
    plasma_domain_init(&w->domain, st.chain_id, &st.contract);
    *out = w;
    return 0;
}

void plasma_watcher_free(plasma_watcher *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_utxos; i++)
        free(w->utxos[i].spend_tx);
    for (size_t i = 0; i < w->n_blocks; i++)
        block_free(&w->blocks[i]);
    watch_store_close(w->store);
    plasma_wipe(&w->challenger, sizeof w->challenger);
    free(w->fee_rules);
    free(w->exits);
    free(w->blocks);
    free(w->utxos);
    free(w->items);
    free(w);
}

int plasma_watcher_set_min_fees(plasma_watcher *w, const plasma_fee_policy *policy)
{
    plasma_fee_rule *rules = NULL;
    if (policy->n_rules && !(rules = malloc(policy->n_rules * sizeof *rules)))
        return PLASMA_ERR_NOMEM;
    if (rules)
        memcpy(rules, policy->rules, policy->n_rules * sizeof *rules);
    free(w->fee_rules);
    w->fee_rules = rules;
    w->fee_policy = (plasma_fee_policy){policy->min_fee, rules, policy->n_rules};
    return 0;
}

bool plasma_watcher_trusted(const plasma_watcher *w)
{
    return w->trusted;
}

uint64_t plasma_watcher_rootchain_block(const plasma_watcher *w)
{
    return w->cursor;
}

uint64_t plasma_watcher_last_verified(const plasma_watcher *w)
{
    return w->last_verified;
}

/* Stops trusting the operator because of blknum and says why. */
static void distrust(plasma_watcher *w, const char *event, uint64_t blknum, const char *reason)
{
    w->trusted = false;
    report(w, json_pack("{s:s, s:I, s:s}", "event", event, "blknum", (json_int_t)blknum, "reason", reason));
}

/* --- re-executing a block --- */

/* A one-line reason for a broken amount rule (plasma_rules_check_amounts). */
static const char *amounts_reason(int err)
{
    return err == PLASMA_ERR_FEE_TOO_LOW
               ? "a transaction pays less than the minimum fee"
               : "a transaction's outputs exceed its inputs, or it pays fees in two tokens";
}

/* Checks a payment against the view. Out: in[] its inputs' entries, *fee.
 * Returns NULL when valid, else a one-line reason. */
static const char *check_payment(plasma_watcher *w, const plasma_tx *tx, watch_utxo **in, plasma_fee *fee)
{
    plasma_addr signers[PLASMA_MAX_INPUTS];
    plasma_output spent[PLASMA_MAX_INPUTS];
    if (tx->n_inputs == 0)
        return "a transaction creates outputs without inputs";
    for (unsigned i = 0; i < tx->n_inputs; i++) {
        in[i] = utxo_get(w, tx->inputs[i]);
        if (!in[i])
            return "a transaction spends an output that does not exist";
        if (in[i]->spent)
            return "a transaction spends an output already spent";
        spent[i] = in[i]->out;
    }
    if (plasma_tx_recover_signers(signers, &w->domain, tx) != 0)
        return "a transaction carries an invalid signature";
    for (unsigned i = 0; i < tx->n_inputs; i++)
        if (!plasma_addr_eq(&signers[i], &in[i]->out.owner))
            return "a transaction spends an output its signer does not own";
    int rc = plasma_rules_check_amounts(fee, tx, spent, &w->fee_policy);
    return rc < 0 ? amounts_reason(rc) : NULL;
}

/* Marks tx's inputs spent (keeping raw) and adds its outputs, logging
 * each change in ch (*n_ch advanced). */
static int apply_tx(plasma_watcher *w, uint64_t blknum, uint32_t txindex, const plasma_tx *tx,
                    watch_utxo **in, const uint8_t *raw, size_t raw_len, watch_change *ch, size_t *n_ch)
{
    int rc;
    for (unsigned i = 0; i < tx->n_inputs; i++) {
        uint8_t *copy = malloc(raw_len);
        if (!copy)
            return PLASMA_ERR_NOMEM;
        memcpy(copy, raw, raw_len);
        in[i]->spent = true;
        in[i]->spend_blknum = blknum;
        in[i]->spend_input = i;
        in[i]->spend_tx = copy;
        in[i]->spend_len = raw_len;
        ch[(*n_ch)++] = (watch_change){.pos = in[i]->pos, .added = false};
    }
    for (unsigned k = 0; k < tx->n_outputs; k++) {
        uint64_t pos = plasma_utxo_pos(blknum, txindex, k);
        if ((rc = utxo_add(w, pos, &tx->outputs[k])) != 0)
            return rc;
        ch[(*n_ch)++] = (watch_change){.pos = pos, .added = true};
    }
    return 0;
}

/* Decoded txs of a served block, their raw signed RLP and leaves. */
typedef struct block_txs {
    size_t n;
    plasma_tx *tx;
    uint8_t **raw;
    size_t *raw_len;
    plasma_hash *leaves;
    uint8_t **utx; /* rlp(UnsignedTx) */
    size_t *utx_len;
} block_txs;

static void block_txs_free(block_txs *b)
{
    for (size_t i = 0; b->raw && i < b->n; i++)
        free(b->raw[i]);
    for (size_t i = 0; b->utx && i < b->n; i++)
        free(b->utx[i]);
    free(b->utx);
    free(b->utx_len);
    free(b->tx);
    free(b->raw);
    free(b->raw_len);
    free(b->leaves);
    memset(b, 0, sizeof *b);
}

/* Decodes one hex tx into slot i of b. Returns 0, PLASMA_ERR_MALFORMED_TX
 * or PLASMA_ERR_NOMEM. */
static int decode_block_tx(block_txs *b, size_t i, const char *hex)
{
    plasma_buf u = {0};
    int rc;
    if (!hex)
        return PLASMA_ERR_MALFORMED_TX;
    /* Out of memory is the watcher's failure, not the operator's. */
    if ((rc = plasma_hex_decode_alloc(&b->raw[i], &b->raw_len[i], hex)) != 0)
        return rc == PLASMA_ERR_NOMEM ? rc : PLASMA_ERR_MALFORMED_TX;
    if (plasma_tx_decode_block_tx(&b->tx[i], b->raw[i], b->raw_len[i]) != 0)
        return PLASMA_ERR_MALFORMED_TX;
    if ((rc = plasma_tx_encode_unsigned(&u, &b->tx[i])) != 0) {
        plasma_buf_free(&u);
        return rc;
    }
    plasma_merkle_leaf(&b->leaves[i], u.data, u.len);
    b->utx[i] = u.data;
    b->utx_len[i] = u.len;
    return 0;
}

static int decode_block(block_txs *b, const json_t *txs)
{
    size_t n = json_array_size(txs);
    if (n > PLASMA_MAX_TXS_PER_BLOCK)
        return PLASMA_ERR_MALFORMED_TX;
    b->n = n;
    b->tx = calloc(n ? n : 1, sizeof *b->tx);
    b->raw = calloc(n ? n : 1, sizeof *b->raw);
    b->raw_len = calloc(n ? n : 1, sizeof *b->raw_len);
    b->leaves = calloc(n ? n : 1, sizeof *b->leaves);
    b->utx = calloc(n ? n : 1, sizeof *b->utx);
    b->utx_len = calloc(n ? n : 1, sizeof *b->utx_len);
    if (!b->tx || !b->raw || !b->raw_len || !b->leaves || !b->utx || !b->utx_len)
        return PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        int rc = decode_block_tx(b, i, json_string_value(json_array_get(txs, i)));
        if (rc)
            return rc;
    }
    return 0;
}

/* Checks and applies the payments of b, then checks its fee transactions
 * and applies them. Returns NULL or the reason b is invalid (*err set when
 * that reason is a failure of the watcher itself). */
static const char *apply_block_txs(plasma_watcher *w, uint64_t blknum, const block_txs *b, watch_change *ch,
                                   size_t *n_ch, int *err)
{
    const char *bad = NULL;
    size_t n_pay = 0;
    plasma_block_fees fees = {0};
    if (plasma_block_check_order(&n_pay, b->tx, b->n, &bad) < 0)
        return bad;
    for (size_t i = 0; i < b->n && !bad; i++) {
        watch_utxo *in[PLASMA_MAX_INPUTS] = {0};
        plasma_fee fee;
        if (i < n_pay && (bad = check_payment(w, &b->tx[i], in, &fee)) == NULL &&
            (*err = plasma_block_fees_add(&fees, &fee)) != 0)
            bad = "out of memory";
        if (i == n_pay) {
            plasma_block_fees_sort(&fees);
            plasma_block_check_fee_txs(&fees, blknum, NULL, b->tx + n_pay, b->n - n_pay, &bad);
        }
        if (!bad &&
            (*err = apply_tx(w, blknum, (uint32_t)i, &b->tx[i], in, b->raw[i], b->raw_len[i], ch, n_ch)) != 0)
            bad = "out of memory";
    }
    if (!bad && n_pay == b->n && fees.n > 0)
        bad = "a token that collected fees has no fee transaction";
    plasma_block_fees_free(&fees);
    return bad;
}

/* Re-executes a block whose root matched. Returns NULL (valid; the view
 * then includes it) or the reason it is invalid (the view unchanged). */
static const char *execute_block(plasma_watcher *w, uint64_t blknum, const block_txs *b, int *err)
{
    size_t n_ch = 0;
    size_t slots = b->n ? b->n : 1;
    watch_change *ch = malloc(slots * (PLASMA_MAX_INPUTS + PLASMA_MAX_OUTPUTS) * sizeof *ch);
    if (!ch) {
        *err = PLASMA_ERR_NOMEM;
        return "out of memory";
    }
    const char *bad = apply_block_txs(w, blknum, b, ch, &n_ch, err);
    if (bad)
        undo(w, ch, n_ch);
    free(ch);
    return bad;
}

/* Keeps the unsigned txs and leaves of a verified block (taken from b). */
static int keep_block(plasma_watcher *w, uint64_t blknum, block_txs *b)
{
    watch_block kb = {.blknum = blknum, .n = b->n, .leaves = b->leaves, .utx = b->utx, .utx_len = b->utx_len};
    b->leaves = NULL;
    b->utx = NULL;
    b->utx_len = NULL;
    return block_keep(w, &kb);
}

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

static int persist_block(plasma_watcher *w, uint64_t blknum, json_t *txs)
{
    return w->store ? persist(w, blknum, json_pack("{s:s, s:O}", "kind", "block", "txs", txs)) : 0;
}

static void invalid_exit(plasma_watcher *w, const watch_utxo *u);

/* The exits, started earlier, of outputs that block b spends. */
static void exits_spent_by(plasma_watcher *w, const watch_block *b)
{
    for (size_t i = 0; i < w->n_utxos; i++) {
        watch_utxo *u = &w->utxos[i];
        if (u->exiting && u->spent && u->spend_blknum == b->blknum) {
            u->exiting = false;
            invalid_exit(w, u);
        }
    }
}

/* Fetches, checks and applies child block it. Returns 0 (applied, or the
 * operator distrusted), PLASMA_ERR_NOT_FOUND (not served yet: retry) or
 * PLASMA_ERR_NOMEM. */
static int verify_block(plasma_watcher *w, const watch_item *it)
{
    char path[64];
    json_t *r = NULL;
    block_txs b = {0};
    plasma_hash root;
    const char *bad = NULL;
    int rc;
    snprintf(path, sizeof path, "/v1/blocks/%llu", (unsigned long long)it->blknum);
    if (client_op_call(w->c, "GET", path, NULL, &r) != 0)
        return PLASMA_ERR_NOT_FOUND;
    rc = decode_block(&b, json_object_get(r, "txs"));
    if (rc == PLASMA_ERR_MALFORMED_TX) {
        bad = "the operator serves a malformed transaction";
        rc = 0;
    } else if (rc == 0 && (rc = plasma_merkle_root(&root, b.leaves, b.n)) == 0) {
        if (!plasma_hash_eq(&root, &it->root))
            bad = "the served transactions do not hash to the root on the root chain";
        else
            bad = execute_block(w, it->blknum, &b, &rc);
    }
    if (rc == 0 && bad)
        distrust(w, "invalid_block", it->blknum, bad);
    else if (rc == 0 && (rc = keep_block(w, it->blknum, &b)) == 0 &&
             (rc = persist_block(w, it->blknum, json_object_get(r, "txs"))) == 0) {
        w->last_verified = it->blknum;
        exits_spent_by(w, &w->blocks[w->n_blocks - 1]);
    }
    block_txs_free(&b);
    json_decref(r);
    return rc;
}

/* A deposit block: its single output, and its tx kept for proofs. */
static int apply_deposit(plasma_watcher *w, const watch_item *it)
{
    plasma_tx tx;
    plasma_buf u = {0};
    watch_block kb = {.blknum = it->blknum, .n = 1};
    int rc;
    if (block_get(w, it->blknum))
        return 0;
    plasma_tx_make_deposit(&tx, &it->deposit.owner, &it->deposit.token, &it->deposit.amount);
    if ((rc = plasma_tx_encode_unsigned(&u, &tx)) != 0)
        goto fail;
    kb.leaves = malloc(sizeof *kb.leaves);
    kb.utx = malloc(sizeof *kb.utx);
    kb.utx_len = malloc(sizeof *kb.utx_len);
    if (!kb.leaves || !kb.utx || !kb.utx_len) {
        rc = PLASMA_ERR_NOMEM;
        goto fail;
    }
    plasma_merkle_leaf(&kb.leaves[0], u.data, u.len);
    kb.utx[0] = u.data;
    kb.utx_len[0] = u.len;
    if ((rc = block_keep(w, &kb)) != 0)
        return rc;
    if ((rc = utxo_add(w, plasma_utxo_pos(it->blknum, 0, 0), &it->deposit)) != 0)
        return rc;
    w->last_verified = it->blknum;
    if (!w->store)
        return 0;
    char amount[PLASMA_U256_DEC_MAX];
    return persist(w, it->blknum,
                   json_pack("{s:s, s:o, s:o, s:s}", "kind", "deposit", "owner",
                             plasma_json_addr(&it->deposit.owner), "token",
                             plasma_json_addr(&it->deposit.token), "amount",
                             plasma_u256_format_dec(amount, &it->deposit.amount)));
fail:
    plasma_buf_free(&u);
    free(kb.leaves);
    free(kb.utx);
    free(kb.utx_len);
    return rc;
}

/* Applies what can be applied of the queue, oldest first. */
static int drain(plasma_watcher *w)
{
    while (w->trusted && w->n_items > 0) {
        watch_item *it = &w->items[0];
        if (it->kind == ITEM_DEPOSIT) {
            int rc = apply_deposit(w, it);
            if (rc)
                return rc;
        } else if (!block_get(w, it->blknum)) {
            int rc = verify_block(w, it);
            if (rc == PLASMA_ERR_NOT_FOUND) {
                if (now_s() - it->first_seen < w->withholding_timeout_s)
                    return 0;
                distrust(w, "block_withholding", it->blknum, "the operator does not serve a submitted block");
                return 0;
            }
            if (rc)
                return rc;
        }
        item_pop(w);
    }
    return 0;
}

/* --- exits --- */

static int challenge(plasma_watcher *w, const watch_utxo *u)
{
    plasma_call call;
    if (u->spend_len > PLASMA_CALL_MAX_TX)
        return PLASMA_ERR_BAD_CHALLENGE;
    plasma_call_init(&call, PLASMA_CALL_CHALLENGE_EXIT, NULL, 0, 0, 0);
    call.challenge_exit.exit_id = u->pos;
    call.challenge_exit.input_index = u->spend_input;
    call.challenge_exit.tx_len = u->spend_len;
    memcpy(call.challenge_exit.tx, u->spend_tx, u->spend_len);
    return plasma_client_rc_call(w->c, &w->challenger, &call, NULL);
}

/* Remembers an unchallenged invalid exit (dropped when out of memory: it
 * was reported already). */
static void track_exit(plasma_watcher *w, uint64_t exit_id)
{
    if (plasma_grow((void **)&w->exits, &w->cap_exits, w->n_exits + 1, sizeof *w->exits) < 0)
        return;
    w->exits[w->n_exits++] = (watch_exit){.exit_id = exit_id};
}

/* Tracked exits still in progress with less than half the exit period
 * left are reported once as unchallenged_exit; challenged or finalized
 * ones are dropped. */
static int check_maturity(plasma_watcher *w)
{
    plasma_rootchain_status st;
    size_t kept = 0;
    int rc = w->n_exits ? plasma_rootchain_client_status(w->c->rc, &st) : 0;
    if (rc)
        return client_rc_fail(w->c, rc, "root-chain status");
    for (size_t i = 0; i < w->n_exits; i++) {
        watch_exit *x = &w->exits[i];
        plasma_exit_info info;
        if ((rc = plasma_rootchain_client_exit(w->c->rc, x->exit_id, &info)) != 0)
            return client_rc_fail(w->c, rc, "reading an exit");
        if (info.state != PLASMA_EXIT_IN_PROGRESS)
            continue;
        if (!x->warned && info.exitable_at <= st.head_timestamp + st.min_exit_period / 2) {
            x->warned = true;
            report(w, json_pack("{s:s, s:o, s:o, s:I}", "event", "unchallenged_exit", "exit_id",
                                plasma_json_u64_str(x->exit_id), "owner", plasma_json_addr(&info.owner),
                                "exitable_at", (json_int_t)info.exitable_at));
        }
        w->exits[kept++] = *x;
    }
    w->n_exits = kept;
    return 0;
}

/* An exit of an output the watcher saw spent: reported, and challenged
 * when a challenger key is set. */
/* Reports (and challenges when it can) the exit of u, an output spent. */
static void invalid_exit(plasma_watcher *w, const watch_utxo *u)
{
    int rc = -1;
    json_t *r;
    if (w->have_challenger)
        rc = challenge(w, u);
    r = json_pack("{s:s, s:o, s:o, s:I, s:b}", "event", "invalid_exit", "exit_id",
                  plasma_json_u64_str(u->pos), "owner", plasma_json_addr(&u->out.owner), "spent_in",
                  (json_int_t)u->spend_blknum, "challenged", rc == 0);
    if (r && w->have_challenger && rc != 0)
        json_object_set_new(r, "error", json_string(plasma_client_errmsg(w->c)));
    report(w, r);
    if (rc != 0)
        track_exit(w, u->pos);
}

/* An exit of an output seen spent is invalid; one of an unspent output is
 * remembered in case a later block spends it. */
static void on_exit_started(plasma_watcher *w, const plasma_event *ev)
{
    watch_utxo *u = utxo_get(w, ev->exit_started.exit_id);
    if (u && u->spent)
        invalid_exit(w, u);
    else if (u)
        u->exiting = true;
}

static int on_event(plasma_watcher *w, const plasma_event *ev)
{
    watch_item it = {.first_seen = now_s(), .rc_block = ev->block_number};
    switch (ev->kind) {
    case PLASMA_EVENT_DEPOSIT_CREATED:
        it.kind = ITEM_DEPOSIT;
        it.blknum = ev->deposit_created.blknum;
        it.deposit.owner = ev->deposit_created.depositor;
        it.deposit.token = ev->deposit_created.token;
        it.deposit.amount = ev->deposit_created.amount;
        return item_push(w, &it);
    case PLASMA_EVENT_BLOCK_SUBMITTED:
        it.kind = ITEM_BLOCK;
        it.blknum = ev->block_submitted.blknum;
        it.root = ev->block_submitted.root;
        return item_push(w, &it);
    case PLASMA_EVENT_EXIT_STARTED: {
        int rc = drain(w);
        if (rc == 0)
            on_exit_started(w, ev);
        return rc;
    }
    default:
        return 0;
    }
}

/* Records where to resume: the root-chain block of the oldest event not
 * fully applied (events of that block are read again; blocks and deposits
 * already kept are skipped), and whether the operator is trusted. */
static int save_state(plasma_watcher *w)
{
    uint64_t resume = w->n_items ? w->items[0].rc_block : w->cursor;
    json_t *st;
    char *text;
    int rc;
    if (!w->store)
        return 0;
    st = json_pack("{s:I, s:b}", "cursor", (json_int_t)resume, "trusted", w->trusted);
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
    for (;;) {
        plasma_event *ev = NULL;
        size_t n = 0;
        uint64_t next = w->cursor;
        int rc = plasma_rootchain_client_events(w->c->rc, w->cursor, UINT64_MAX, 0, &ev, &n, &next);
        if (rc)
            return client_rc_fail(w->c, rc, "root-chain events");
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = on_event(w, &ev[i]);
        free(ev);
        if (rc)
            return client_fail(w->c, rc, "watcher: %s", plasma_err_message(rc));
        bool more = n > 0 && next > w->cursor;
        w->cursor = next > w->cursor ? next : w->cursor;
        if (!more)
            break;
    }
    int rc = drain(w);
    if (rc == 0)
        rc = check_maturity(w);
    if (rc == 0 && (rc = save_state(w)) != 0)
        rc = client_fail(w->c, rc, "watcher: cannot write its data dir");
    return rc;
}

/* --- resuming from the data dir --- */

/* Re-applies one stored deposit or verified block (checked when stored). */
static int replay_one(const char *key, const char *val, void *payload)
{
    plasma_watcher *w = payload;
    json_t *j = json_loads(val, 0, NULL);
    uint64_t blknum = strtoull(key + 2, NULL, 10);
    int rc = PLASMA_ERR_BAD_REQUEST;
    const char *kind = json_string_value(json_object_get(j, "kind"));
    if (kind && strcmp(kind, "deposit") == 0) {
        watch_item it = {.kind = ITEM_DEPOSIT, .blknum = blknum};
        if (plasma_addr_parse(&it.deposit.owner, plasma_json_get_str(j, "owner")) == 0 &&
            plasma_addr_parse(&it.deposit.token, plasma_json_get_str(j, "token")) == 0 &&
            plasma_u256_parse_dec(&it.deposit.amount, plasma_json_get_str(j, "amount")) == 0)
            rc = apply_deposit(w, &it);
    } else if (kind && strcmp(kind, "block") == 0) {
        block_txs b = {0};
        if ((rc = decode_block(&b, json_object_get(j, "txs"))) == 0) {
            const char *bad = execute_block(w, blknum, &b, &rc);
            if (bad && rc == 0)
                rc = PLASMA_ERR_BAD_REQUEST;
        }
        if (rc == 0 && (rc = keep_block(w, blknum, &b)) == 0)
            w->last_verified = blknum;
        block_txs_free(&b);
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
    if (!plasma_json_get_u64(&cursor, st, "cursor") || !json_is_boolean(json_object_get(st, "trusted")))
        rc = PLASMA_ERR_BAD_REQUEST;
    else {
        w->cursor = cursor;
        w->trusted = json_is_true(json_object_get(st, "trusted"));
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

/* --- exits of honest funds, from the watcher's own blocks --- */

/* Out: the exit data of pos from the kept blocks. Returns 0,
 * PLASMA_ERR_NOT_FOUND or PLASMA_ERR_NOMEM. */
static int own_exit_data(const plasma_watcher *w, uint64_t pos, plasma_call *call)
{
    const watch_block *b = block_get(w, plasma_pos_blknum(pos));
    uint32_t txi = plasma_pos_txindex(pos);
    plasma_merkle *tree = NULL;
    int rc;
    if (!b || txi >= b->n || b->utx_len[txi] > PLASMA_CALL_MAX_TX)
        return PLASMA_ERR_NOT_FOUND;
    if ((rc = plasma_merkle_build(&tree, b->leaves, b->n)) != 0)
        return rc;
    rc = plasma_merkle_proof(call->start_exit.proof, tree, txi);
    plasma_merkle_free(tree);
    if (rc)
        return rc;
    memcpy(call->start_exit.tx, b->utx[txi], b->utx_len[txi]);
    call->start_exit.tx_len = b->utx_len[txi];
    call->start_exit.utxo_pos = pos;
    return 0;
}

/* Starts the exit of one output and reports it. */
static int exit_one(plasma_watcher *w, const plasma_privkey *key, const watch_utxo *u,
                    const plasma_u256 *bond)
{
    plasma_call call;
    int rc;
    plasma_call_init(&call, PLASMA_CALL_START_EXIT, NULL, 0, 0, 0);
    call.start_exit.bond = *bond;
    if ((rc = own_exit_data(w, u->pos, &call)) != 0)
        return rc;
    rc = plasma_client_rc_call(w->c, key, &call, NULL);
    json_t *r =
        json_pack("{s:s, s:o, s:o, s:b}", "event", "exit_started", "utxo_pos", plasma_json_u64_str(u->pos),
                  "owner", plasma_json_addr(&u->out.owner), "started", rc == 0);
    if (r && rc)
        json_object_set_new(r, "error", json_string(plasma_client_errmsg(w->c)));
    report(w, r);
    return rc;
}

int plasma_watcher_exit_for(plasma_watcher *w, const plasma_privkey *key, size_t *n_started)
{
    plasma_rootchain_status st;
    plasma_addr owner;
    size_t started = 0;
    int rc;
    if (plasma_privkey_addr(&owner, key) != 0)
        return client_fail(w->c, PLASMA_ERR_BAD_REQUEST, "invalid private key");
    if ((rc = plasma_rootchain_client_status(w->c->rc, &st)) != 0)
        return client_rc_fail(w->c, rc, "root-chain status");
    for (size_t i = 0; i < w->n_utxos; i++) {
        const watch_utxo *u = &w->utxos[i];
        if (u->spent || !plasma_addr_eq(&u->out.owner, &owner))
            continue;
        rc = exit_one(w, key, u, &st.exit_bond);
        if (rc == 0)
            started++;
        else if (rc != PLASMA_ERR_EXIT_EXISTS && rc != PLASMA_ERR_OUTPUT_FINALIZED)
            return rc;
    }
    *n_started = started;
    return 0;
}
