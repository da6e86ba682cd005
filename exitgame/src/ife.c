/* In-flight exits (PROTOCOL §6b, docs/inflight.md): the calls that start,
 * piggyback, challenge, answer and delete them, each with its checks in the
 * documented order, metered as the contract runs them. Processing is in
 * ife_process.c.
 *
 * Storage of one in-flight exit, in 32-byte words (slots.c):
 *   word 0    exitable_at ‖ start ‖ youngest ‖ canonical ‖ piggyback bits ‖
 *             counts ‖ pending_tokens ‖ exit_path
 *   word 1    bond_owner ‖ oldest_competitor
 *   inputs    4 words each: output_id, owner, token, amount
 *   outputs   4 words each, written at their piggyback
 * and, per token queue holding it, its entry's key and id (heap.c). */
#include "internal.h"

/* The tx argument that names an in-flight exit. */
typedef struct ife_tx {
    plasma_tx tx;
    uint8_t utx[PLASMA_CALL_MAX_TX]; /* rlp(UnsignedTx), re-encoded: canonical */
    size_t utx_len;
    uint8_t id[32];
} ife_tx;

static eg_ife *ife_at(const plasma_chain *c, uint32_t r)
{
    return eg_table_at(&c->t[EG_T_IFE], r);
}

uint32_t eg_ife_find_open(const plasma_chain *c, const uint8_t id[32])
{
    uint32_t r = eg_table_find(&c->t[EG_T_IFE], id);
    return r != EG_NONE && ife_at(c, r)->live ? r : EG_NONE;
}

/* The record of id as the contract's storage holds it: all zero when no
 * exit is open. */
static eg_ife stored(const plasma_chain *c, const uint8_t id[32])
{
    uint32_t r = eg_ife_find_open(c, id);
    eg_ife f;
    if (r != EG_NONE)
        return *ife_at(c, r);
    memset(&f, 0, sizeof f);
    memcpy(f.id, id, 32);
    return f;
}

/* Record r's words [from, to) go to next's, and the record becomes next. */
static int ife_commit(eg_exec *ex, uint32_t r, const eg_ife *next, unsigned from, unsigned to)
{
    int rc = eg_ife_store(ex, ife_at(ex->c, r), next, from, to);
    if (rc == 0)
        rc = eg_touch(ex->c, EG_T_IFE, r);
    if (rc == 0)
        *ife_at(ex->c, r) = *next;
    return rc;
}

/* Decodes arg as a signed payment and computes its ife_id; any decoding
 * failure is err. */
static int decode_ife_tx(eg_exec *ex, const plasma_call_tx *arg, ife_tx *out, int err)
{
    if (plasma_tx_decode_signed(&out->tx, arg->b, arg->len) != 0)
        return err;
    plasma_buf b = {0};
    int rc = plasma_tx_encode_unsigned(&b, &out->tx);
    if (rc == 0 && b.len > sizeof out->utx)
        rc = err;
    if (rc == 0) {
        memcpy(out->utx, b.data, b.len);
        out->utx_len = b.len;
    }
    plasma_buf_free(&b);
    if (rc == 0)
        rc = eg_cpu_decode_signed(ex, &out->tx);
    if (rc == 0)
        rc = eg_keccak(ex, out->utx_len);
    if (rc != 0)
        return rc;
    plasma_u256 id;
    plasma_ife_id_of(&id, out->utx, out->utx_len);
    plasma_u256_to_be(out->id, &id);
    return PLASMA_OK;
}

/* The open in-flight exit of t (its word 0 read). */
static int open_ife(eg_exec *ex, const ife_tx *t, uint32_t *rec)
{
    eg_ife f = stored(ex->c, t->id);
    int rc = eg_ife_load(ex, &f, EG_IFE_W0);
    if (rc != 0)
        return rc;
    *rec = eg_ife_find_open(ex->c, t->id);
    return *rec == EG_NONE ? PLASMA_ERR_IFE_NOT_FOUND : PLASMA_OK;
}

static bool in_first_phase(const eg_exec *ex, const eg_ife *f)
{
    return ex->now < f->start + ex->c->cfg.min_exit_period / 2;
}

static void id_u256(plasma_u256 *out, const uint8_t id[32])
{
    plasma_u256_from_be(out, id, 32);
}

/* The tx at tx_pos (oindex 0, txindex < 65,536, an existing block) is utx
 * under the stored root. Every failure is PLASMA_ERR_BAD_PROOF. */
static int check_tx_at(eg_exec *ex, uint64_t tx_pos, const uint8_t *utx, size_t len,
                       const plasma_call_proof *p)
{
    if (plasma_pos_oindex(tx_pos) != 0)
        return PLASMA_ERR_BAD_PROOF;
    const eg_pblock *blk;
    int rc = eg_block_get(ex, plasma_pos_blknum(tx_pos), &blk);
    if (rc == PLASMA_ERR_BLOCK_NOT_FOUND || (rc == 0 && p->len != PLASMA_MERKLE_PROOF_LEN))
        return PLASMA_ERR_BAD_PROOF;
    return rc ? rc : eg_check_inclusion(ex, blk, plasma_pos_txindex(tx_pos), utx, len, p->b);
}

/* A spend of pos other than the in-flight exit's own tx (unsigned bytes
 * differ, as the contract compares their hashes), at input index idx,
 * signed there by the owner in word w of record f. Decoding or shape
 * failures are shape_err. */
static int check_spend(eg_exec *ex, const ife_tx *t, const plasma_call_tx *arg, uint64_t idx, uint64_t pos,
                       bool must_differ, const eg_ife *f, unsigned w, int shape_err)
{
    ife_tx s;
    if (plasma_tx_decode_signed(&s.tx, arg->b, arg->len) != 0)
        return shape_err;
    plasma_buf b = {0};
    int rc = plasma_tx_encode_unsigned(&b, &s.tx);
    bool same = rc == 0 && b.len == t->utx_len && memcmp(b.data, t->utx, b.len) == 0;
    size_t len = b.len;
    plasma_buf_free(&b);
    if (rc == 0)
        rc = eg_cpu_decode_signed(ex, &s.tx);
    if (rc == 0 && must_differ)
        rc = eg_keccak(ex, len);
    if (rc == 0 && must_differ)
        rc = eg_keccak(ex, t->utx_len);
    if (rc != 0)
        return rc;
    if ((must_differ && same) || idx >= s.tx.n_inputs || s.tx.inputs[idx] != pos)
        return shape_err;
    plasma_hash digest;
    plasma_addr signer;
    rc = eg_tx_digest(ex, &s.tx, &digest);
    if (rc == 0)
        rc = eg_recover(ex, &digest, &s.tx.sigs[idx], &signer);
    if (rc == 0)
        rc = eg_ife_load(ex, f, w);
    if (rc != 0)
        return rc;
    const plasma_addr *owner = w >= EG_IFE_OUT(0, 0) ? &f->out[(w - EG_IFE_OUT(0, 0)) / 4].owner
                                                     : &f->in[(w - EG_IFE_IN(0, 0)) / 4].owner;
    return plasma_addr_eq(&signer, owner) ? PLASMA_OK : PLASMA_ERR_BAD_SIGNATURE;
}

void eg_ife_wipe(eg_ife *f)
{
    uint8_t id[32];
    memcpy(id, f->id, 32);
    memset(f, 0, sizeof *f);
    memcpy(f->id, id, 32);
}

static bool bit_or_blocked(uint8_t bits, unsigned i)
{
    return ((bits >> i) | (bits >> (i + EG_IFE_BLOCKED_SHIFT))) & 1;
}

int eg_ife_delete(eg_exec *ex, uint32_t r)
{
    const eg_ife *f = ife_at(ex->c, r);
    eg_ife gone = *f;
    eg_ife_wipe(&gone);
    int rc = PLASMA_OK;
    for (unsigned i = 0; i < f->n_inputs && rc == 0; i++)
        rc = eg_ife_store(ex, f, &gone, EG_IFE_IN(i, 0), EG_IFE_IN(i, 4));
    for (unsigned o = 0; o < PLASMA_MAX_OUTPUTS && rc == 0; o++)
        if (bit_or_blocked(f->outputs_pb, o))
            rc = eg_ife_store(ex, f, &gone, EG_IFE_OUT(o, 0), EG_IFE_OUT(o, 4));
    if (rc == 0)
        rc = eg_ife_store(ex, f, &gone, EG_IFE_W0, EG_IFE_W1 + 1);
    if (rc == 0)
        rc = eg_touch(ex->c, EG_T_IFE, r);
    if (rc == 0)
        eg_ife_wipe(ife_at(ex->c, r));
    return rc;
}

/* ---- startInFlightExit(tx, inputTxs, inputUtxoPos, inputProofs) + bond ---- */

static bool inputs_match(const plasma_call_start_ife *a, const plasma_tx *tx)
{
    if (a->n_input_txs != tx->n_inputs || a->n_input_pos != tx->n_inputs || a->n_input_proofs != tx->n_inputs)
        return false;
    for (unsigned i = 0; i < tx->n_inputs; i++)
        if (a->input_pos[i] != tx->inputs[i])
            return false;
    return true;
}

/* Input i: its block, its tx and the spent output's id, the inclusion, the
 * signature. Out: the spent output as recorded and its block's timestamp. */
static int check_input(eg_exec *ex, const ife_tx *t, unsigned i, const plasma_hash *digest, eg_ife_io *out,
                       uint64_t *block_ts)
{
    const plasma_call_start_ife *a = &ex->call->start_ife;
    uint64_t pos = t->tx.inputs[i];
    const eg_pblock *blk;
    plasma_tx in_tx;
    int rc = eg_cpu_ife_input(ex);
    if (rc == 0)
        rc = eg_block_get(ex, plasma_pos_blknum(pos), &blk);
    if (rc != 0)
        return rc;
    *block_ts = blk->timestamp;
    const plasma_call_tx *itx = &a->input_txs[i];
    if (plasma_tx_decode_unsigned(&in_tx, itx->b, itx->len) != 0 || plasma_pos_oindex(pos) >= in_tx.n_outputs)
        return PLASMA_ERR_BAD_INPUT_TX;
    const plasma_output *o = &in_tx.outputs[plasma_pos_oindex(pos)];
    out->owner = o->owner;
    out->token = o->token;
    out->amount = o->amount;
    rc = eg_cpu_decode_unsigned(ex, &in_tx);
    if (rc == 0)
        rc = eg_output_id(ex, &out->output_id, itx->b, itx->len, in_tx.n_inputs > 0, plasma_pos_oindex(pos),
                          pos);
    if (rc == 0)
        rc = eg_check_inclusion(ex, blk, plasma_pos_txindex(pos), itx->b, itx->len, a->input_proofs[i]);
    plasma_addr signer;
    if (rc == 0)
        rc = eg_recover(ex, digest, &t->tx.sigs[i], &signer);
    if (rc != 0)
        return rc;
    return plasma_addr_eq(&signer, &out->owner) ? PLASMA_OK : PLASMA_ERR_BAD_SIGNATURE;
}

/* Per token, Σ outputs ≤ Σ inputs (an input sum past 2^256 covers any
 * output sum, which the decoder bounds). */
static int check_amounts(eg_exec *ex, const plasma_tx *tx, const eg_ife_io *ins)
{
    int rc = eg_cpu_amounts(ex, tx);
    if (rc != 0)
        return rc;
    for (unsigned o = 0; o < tx->n_outputs; o++) {
        const plasma_addr *token = &tx->outputs[o].token;
        plasma_u256 in = plasma_u256_from_u64(0), out = plasma_u256_from_u64(0);
        bool in_overflow = false;
        for (unsigned i = 0; i < tx->n_inputs; i++)
            if (plasma_addr_eq(&ins[i].token, token) && plasma_u256_add(&in, &in, &ins[i].amount) != 0)
                in_overflow = true;
        for (unsigned k = 0; k < tx->n_outputs; k++)
            if (plasma_addr_eq(&tx->outputs[k].token, token) &&
                plasma_u256_add(&out, &out, &tx->outputs[k].amount) != 0)
                return PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP;
        if (!in_overflow && plasma_u256_cmp(&out, &in) > 0)
            return PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP;
    }
    return PLASMA_OK;
}

/* Creates (or reopens) the record of t: words 0 and 1 and the inputs'. */
static int record_ife(eg_exec *ex, const ife_tx *t, const eg_ife_io *ins, uint64_t youngest,
                      uint64_t exitable_at)
{
    eg_ife f;
    memset(&f, 0, sizeof f);
    memcpy(f.id, t->id, 32);
    uint32_t r = eg_table_find(&ex->c->t[EG_T_IFE], t->id);
    int rc = r == EG_NONE ? eg_create(ex->c, EG_T_IFE, t->id, &r) : PLASMA_OK;
    if (rc != 0)
        return rc;
    f.live = 1;
    f.canonical = 1;
    f.n_inputs = t->tx.n_inputs;
    f.n_outputs = t->tx.n_outputs;
    f.exitable_at = exitable_at;
    f.start = ex->now;
    f.youngest = youngest;
    f.bond_owner = ex->call->from;
    for (unsigned i = 0; i < t->tx.n_inputs; i++)
        f.in[i] = ins[i];
    return ife_commit(ex, r, &f, EG_IFE_W0, EG_IFE_IN(t->tx.n_inputs, 0));
}

static int start_checks(eg_exec *ex, const ife_tx *t, eg_ife_io *ins, uint64_t *youngest,
                        uint64_t *youngest_ts)
{
    if (!inputs_match(&ex->call->start_ife, &t->tx))
        return PLASMA_ERR_BAD_INPUTS;
    eg_ife f = stored(ex->c, t->id);
    int rc = eg_ife_load(ex, &f, EG_IFE_W0);
    if (rc != 0)
        return rc;
    if (eg_ife_find_open(ex->c, t->id) != EG_NONE)
        return PLASMA_ERR_IFE_EXISTS;
    plasma_hash digest;
    rc = eg_tx_digest(ex, &t->tx, &digest);
    *youngest = 0;
    for (unsigned i = 0; i < t->tx.n_inputs && rc == 0; i++) {
        uint64_t ts;
        rc = check_input(ex, t, i, &digest, &ins[i], &ts);
        if (rc == 0 && t->tx.inputs[i] > *youngest) {
            *youngest = t->tx.inputs[i];
            *youngest_ts = ts;
        }
    }
    return rc ? rc : check_amounts(ex, &t->tx, ins);
}

/* Keeps the tx argument for those who follow the chain (EG_T_IFETX): a
 * start of the same tx again replaces it (its signatures may differ). */
static int keep_tx(eg_exec *ex, const ife_tx *t)
{
    const plasma_call_tx *arg = &ex->call->start_ife.tx;
    uint32_t r = eg_table_find(&ex->c->t[EG_T_IFETX], t->id);
    int rc = r == EG_NONE ? eg_create(ex->c, EG_T_IFETX, t->id, &r) : eg_touch(ex->c, EG_T_IFETX, r);
    if (rc != 0)
        return rc;
    eg_ifetx *x = eg_table_at(&ex->c->t[EG_T_IFETX], r);
    x->len = (uint16_t)arg->len;
    memcpy(x->tx, arg->b, arg->len);
    return PLASMA_OK;
}

int eg_run_start_ife(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    const plasma_call *call = ex->call;
    /* The bond arrives as the call's value, before any code runs. */
    int rc = eg_eth_move(c, &call->from, &c->cfg.contract, &call->start_ife.bond);
    if (rc == 0)
        rc = eg_cpu_call(ex);
    if (rc != 0)
        return rc;
    if (plasma_u256_cmp(&call->start_ife.bond, &c->cfg.ife_bond) != 0)
        return PLASMA_ERR_BAD_BOND;
    ife_tx t;
    eg_ife_io ins[PLASMA_MAX_INPUTS];
    uint64_t youngest = 0, ts = 0, mep = c->cfg.min_exit_period;
    rc = decode_ife_tx(ex, &call->start_ife.tx, &t, PLASMA_ERR_MALFORMED_TX);
    if (rc == 0)
        rc = start_checks(ex, &t, ins, &youngest, &ts);
    uint64_t when = ts + 2 * mep > ex->now + mep ? ts + 2 * mep : ex->now + mep;
    if (rc == 0)
        rc = record_ife(ex, &t, ins, youngest, when);
    if (rc == 0)
        rc = keep_tx(ex, &t);
    if (rc == 0)
        rc = eg_keccak(ex, t.utx_len); /* the event's txhash */
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_IFE_STARTED};
    ev.ife_started.initiator = call->from;
    id_u256(&ev.ife_started.ife_id, t.id);
    plasma_keccak256(&ev.ife_started.txhash, t.utx, t.utx_len);
    ev.ife_started.n_inputs = t.tx.n_inputs;
    memcpy(ev.ife_started.inputs, t.tx.inputs, sizeof ev.ife_started.inputs);
    return eg_emit(ex, &ev, 3, 32);
}

/* ---- piggybackInFlightExitOnInput / …OnOutput(tx, index) + bond ---- */

/* Whether a piggyback of token was made on f before (it queued the IFE
 * there), as the contract's tokenEnqueued looks: input i then output i,
 * reading the token of each one piggybacked or blocked, until a match. */
static int token_queued(eg_exec *ex, const eg_ife *f, const plasma_addr *token, bool *queued)
{
    *queued = false;
    int rc = PLASMA_OK;
    for (unsigned i = 0; i < PLASMA_MAX_INPUTS && rc == 0 && !*queued; i++) {
        if (bit_or_blocked(f->inputs_pb, i)) {
            rc = eg_ife_load(ex, f, EG_IFE_IN(i, 2));
            *queued = plasma_addr_eq(&f->in[i].token, token);
        }
        if (rc == 0 && !*queued && bit_or_blocked(f->outputs_pb, i)) {
            rc = eg_ife_load(ex, f, EG_IFE_OUT(i, 2));
            *queued = plasma_addr_eq(&f->out[i].token, token);
        }
    }
    return rc;
}

/* Puts record r into token's queue, with the persisted entry. */
static int enqueue_ife(eg_exec *ex, uint32_t r, const plasma_addr *token)
{
    plasma_chain *c = ex->c;
    const eg_ife *f = ife_at(c, r);
    eg_node node = {f->exitable_at, f->youngest, r};
    uint8_t key[52];
    memcpy(key, token->b, 20);
    memcpy(key + 20, f->id, 32);
    int rc = eg_enqueue(ex, token, &node);
    uint32_t q = eg_table_find(&c->t[EG_T_IFEQ], key);
    if (rc == 0)
        rc = q == EG_NONE ? eg_create(c, EG_T_IFEQ, key, &q) : eg_touch(c, EG_T_IFEQ, q);
    if (rc != 0)
        return rc;
    eg_ifeq *e = eg_table_at(&c->t[EG_T_IFEQ], q);
    e->live = 1;
    e->exitable_at = node.exitable_at;
    e->pos = node.utxo_pos;
    return PLASMA_OK;
}

static int piggyback_checks(eg_exec *ex, const ife_tx *t, uint32_t *r, bool on_input)
{
    const plasma_call *call = ex->call;
    int rc = open_ife(ex, t, r);
    if (rc != 0)
        return rc;
    const eg_ife *f = ife_at(ex->c, *r);
    if (!in_first_phase(ex, f))
        return PLASMA_ERR_FIRST_PHASE_OVER;
    uint64_t i = call->piggyback.index;
    if (i >= (on_input ? f->n_inputs : f->n_outputs))
        return PLASMA_ERR_BAD_INDEX;
    const plasma_addr *owner = on_input ? &f->in[i].owner : &t->tx.outputs[i].owner;
    if (on_input && (rc = eg_ife_load(ex, f, EG_IFE_IN(i, 1))) != 0)
        return rc;
    if (!plasma_addr_eq(owner, &call->from))
        return PLASMA_ERR_NOT_OWNER;
    if (bit_or_blocked(on_input ? f->inputs_pb : f->outputs_pb, (unsigned)i))
        return PLASMA_ERR_ALREADY_PIGGYBACKED;
    return PLASMA_OK;
}

/* Queues the IFE in the token on its first piggyback there, sets the bit,
 * and writes an output's record. */
static int piggyback_effects(eg_exec *ex, const ife_tx *t, uint32_t r, bool on_input, unsigned i)
{
    eg_ife f = *ife_at(ex->c, r);
    eg_ife_io io =
        on_input
            ? f.in[i]
            : (eg_ife_io){{{0}}, t->tx.outputs[i].owner, t->tx.outputs[i].token, t->tx.outputs[i].amount};
    bool queued;
    int rc = on_input ? eg_ife_load(ex, &f, EG_IFE_IN(i, 2)) : PLASMA_OK;
    if (rc == 0)
        rc = token_queued(ex, &f, &io.token, &queued);
    if (rc == 0 && !queued)
        rc = enqueue_ife(ex, r, &io.token);
    if (rc == 0 && !queued) {
        f.pending_tokens++;
        rc = ife_commit(ex, r, &f, EG_IFE_W0, EG_IFE_W0 + 1);
    }
    if (rc != 0)
        return rc;
    if (on_input)
        f.inputs_pb |= (uint8_t)(1u << i);
    else
        f.outputs_pb |= (uint8_t)(1u << i);
    rc = ife_commit(ex, r, &f, EG_IFE_W0, EG_IFE_W0 + 1);
    if (rc != 0 || on_input)
        return rc;
    rc = eg_output_id(ex, &io.output_id, t->utx, t->utx_len, true, i, 0);
    if (rc != 0)
        return rc;
    f.out[i] = io;
    return ife_commit(ex, r, &f, EG_IFE_OUT(i, 0), EG_IFE_OUT(i, 4));
}

int eg_run_piggyback(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    const plasma_call *call = ex->call;
    bool on_input = call->kind == PLASMA_CALL_PIGGYBACK_INPUT;
    int rc = eg_eth_move(c, &call->from, &c->cfg.contract, &call->piggyback.bond);
    if (rc == 0)
        rc = eg_cpu_call(ex);
    if (rc != 0)
        return rc;
    if (plasma_u256_cmp(&call->piggyback.bond, &c->cfg.piggyback_bond) != 0)
        return PLASMA_ERR_BAD_BOND;
    ife_tx t;
    uint32_t r;
    rc = decode_ife_tx(ex, &call->piggyback.tx, &t, PLASMA_ERR_MALFORMED_TX);
    if (rc == 0)
        rc = piggyback_checks(ex, &t, &r, on_input);
    if (rc == 0)
        rc = piggyback_effects(ex, &t, r, on_input, (unsigned)call->piggyback.index);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = on_input ? PLASMA_EVENT_IFE_INPUT_PIGGYBACKED
                                        : PLASMA_EVENT_IFE_OUTPUT_PIGGYBACKED};
    ev.ife_index.who = call->from;
    id_u256(&ev.ife_index.ife_id, t.id);
    ev.ife_index.index = call->piggyback.index;
    return eg_emit(ex, &ev, 3, 32);
}

/* ---- challengeInFlightExitNotCanonical ---- */

/* Out: the competitor's position as recorded (all ones: never included). */
static int competitor_position(eg_exec *ex, plasma_u256 *position)
{
    const plasma_call_challenge_ife *a = &ex->call->challenge_ife;
    if (a->competitor_pos == 0) {
        if (a->competitor_proof.len != 0)
            return PLASMA_ERR_BAD_PROOF;
        memset(position->w, 0xff, sizeof position->w);
        return PLASMA_OK;
    }
    plasma_tx comp;
    plasma_buf b = {0};
    int rc = plasma_tx_decode_signed(&comp, a->competing_tx.b, a->competing_tx.len);
    if (rc == 0)
        rc = plasma_tx_encode_unsigned(&b, &comp);
    if (rc == 0)
        rc = check_tx_at(ex, a->competitor_pos, b.data, b.len, &a->competitor_proof);
    plasma_buf_free(&b);
    *position = plasma_u256_from_u64(a->competitor_pos);
    return rc;
}

static int challenge_checks(eg_exec *ex, const ife_tx *t, uint32_t *r, plasma_u256 *position)
{
    const plasma_call_challenge_ife *a = &ex->call->challenge_ife;
    int rc = open_ife(ex, t, r);
    if (rc != 0)
        return rc;
    const eg_ife *f = ife_at(ex->c, *r);
    if (!in_first_phase(ex, f))
        return PLASMA_ERR_FIRST_PHASE_OVER;
    if (a->input_index >= f->n_inputs)
        return PLASMA_ERR_BAD_INDEX;
    rc = check_spend(ex, t, &a->competing_tx, a->competing_input_index, t->tx.inputs[a->input_index], true, f,
                     EG_IFE_IN(a->input_index, 1), PLASMA_ERR_BAD_COMPETITOR);
    if (rc == 0)
        rc = competitor_position(ex, position);
    if (rc == 0)
        rc = eg_ife_load(ex, ife_at(ex->c, *r), EG_IFE_W1);
    if (rc != 0)
        return rc;
    f = ife_at(ex->c, *r);
    bool recorded = !plasma_u256_is_zero(&f->oldest_competitor);
    return recorded && plasma_u256_cmp(position, &f->oldest_competitor) >= 0 ? PLASMA_ERR_NOT_OLDER
                                                                             : PLASMA_OK;
}

/* Records a canonicity change as the contract writes it: canonical in
 * word 0, then oldest_competitor and bond_owner in word 1 (one write or
 * two). */
static int set_canonicity(eg_exec *ex, uint32_t r, bool canonical, const plasma_u256 *position,
                          bool two_writes)
{
    eg_ife f = *ife_at(ex->c, r);
    f.canonical = canonical;
    int rc = ife_commit(ex, r, &f, EG_IFE_W0, EG_IFE_W0 + 1);
    f.oldest_competitor = *position;
    if (rc == 0 && two_writes)
        rc = ife_commit(ex, r, &f, EG_IFE_W1, EG_IFE_W1 + 1);
    f.bond_owner = ex->call->from;
    return rc ? rc : ife_commit(ex, r, &f, EG_IFE_W1, EG_IFE_W1 + 1);
}

int eg_run_challenge_ife(eg_exec *ex)
{
    ife_tx t;
    uint32_t r;
    plasma_u256 position;
    int rc = eg_cpu_call(ex);
    if (rc == 0)
        rc = decode_ife_tx(ex, &ex->call->challenge_ife.tx, &t, PLASMA_ERR_MALFORMED_TX);
    if (rc == 0)
        rc = challenge_checks(ex, &t, &r, &position);
    if (rc == 0)
        rc = set_canonicity(ex, r, false, &position, true);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_IFE_CHALLENGED};
    ev.ife_challenged.challenger = ex->call->from;
    id_u256(&ev.ife_challenged.ife_id, t.id);
    ev.ife_challenged.position = position;
    return eg_emit(ex, &ev, 3, 32);
}

/* ---- respondToNonCanonicalChallenge(tx, txPos, proof) ---- */

int eg_run_respond_ife(eg_exec *ex)
{
    const plasma_call_respond_ife *a = &ex->call->respond_ife;
    ife_tx t;
    uint32_t r;
    int rc = eg_cpu_call(ex);
    if (rc == 0)
        rc = decode_ife_tx(ex, &a->tx, &t, PLASMA_ERR_MALFORMED_TX);
    if (rc == 0)
        rc = open_ife(ex, &t, &r);
    if (rc != 0)
        return rc;
    if (ife_at(ex->c, r)->exit_path != PLASMA_IFE_PATH_UNDECIDED)
        return PLASMA_ERR_IFE_PROCESSING;
    rc = check_tx_at(ex, a->tx_pos, t.utx, t.utx_len, &a->proof);
    if (rc == 0)
        rc = eg_ife_load(ex, ife_at(ex->c, r), EG_IFE_W1);
    if (rc != 0)
        return rc;
    const eg_ife *f = ife_at(ex->c, r);
    plasma_u256 pos = plasma_u256_from_u64(a->tx_pos);
    if (plasma_u256_is_zero(&f->oldest_competitor) || plasma_u256_cmp(&pos, &f->oldest_competitor) >= 0)
        return PLASMA_ERR_NOT_OLDER;
    rc = set_canonicity(ex, r, true, &pos, false);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_IFE_RESPONDED};
    ev.ife_responded.responder = ex->call->from;
    id_u256(&ev.ife_responded.ife_id, t.id);
    ev.ife_responded.tx_pos = a->tx_pos;
    return eg_emit(ex, &ev, 3, 32);
}

/* ---- challengeInFlightExitInputSpent / …OutputSpent ---- */

/* Blocks piggyback i (of the inputs or the outputs): the bit moves to the
 * blocked half, the bond goes to the challenger. */
static int block_piggyback(eg_exec *ex, uint32_t r, bool input, unsigned i, const ife_tx *t)
{
    eg_ife f = *ife_at(ex->c, r);
    uint8_t *bits = input ? &f.inputs_pb : &f.outputs_pb;
    *bits = (uint8_t)((*bits & ~(1u << i)) | 1u << (i + EG_IFE_BLOCKED_SHIFT));
    int rc = ife_commit(ex, r, &f, EG_IFE_W0, EG_IFE_W0 + 1);
    if (rc == 0)
        rc = eg_pay(ex, &ex->call->from, NULL, &ex->c->cfg.piggyback_bond);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = input ? PLASMA_EVENT_IFE_INPUT_BLOCKED : PLASMA_EVENT_IFE_OUTPUT_BLOCKED};
    ev.ife_index.who = ex->call->from;
    id_u256(&ev.ife_index.ife_id, t->id);
    ev.ife_index.index = i;
    return eg_emit(ex, &ev, 3, 32);
}

/* The IFE of t, open and not yet processed. */
static int open_unprocessed(eg_exec *ex, const plasma_call_tx *arg, ife_tx *t, uint32_t *r)
{
    int rc = eg_lock(ex);
    if (rc == 0)
        rc = eg_cpu_call(ex);
    if (rc == 0)
        rc = decode_ife_tx(ex, arg, t, PLASMA_ERR_MALFORMED_TX);
    if (rc == 0)
        rc = open_ife(ex, t, r);
    if (rc != 0)
        return rc;
    return ife_at(ex->c, *r)->exit_path != PLASMA_IFE_PATH_UNDECIDED ? PLASMA_ERR_IFE_PROCESSING : PLASMA_OK;
}

int eg_run_challenge_ife_input(eg_exec *ex)
{
    const plasma_call_challenge_ife_input *a = &ex->call->challenge_ife_input;
    ife_tx t;
    uint32_t r;
    int rc = open_unprocessed(ex, &a->tx, &t, &r);
    if (rc != 0)
        return rc;
    const eg_ife *f = ife_at(ex->c, r);
    if (a->input_index >= f->n_inputs)
        return PLASMA_ERR_BAD_INDEX;
    unsigned i = (unsigned)a->input_index;
    if (!(f->inputs_pb >> i & 1))
        return PLASMA_ERR_NOT_PIGGYBACKED;
    rc = check_spend(ex, &t, &a->spending_tx, a->spending_input_index, t.tx.inputs[i], true, f,
                     EG_IFE_IN(i, 1), PLASMA_ERR_BAD_CHALLENGE);
    return rc ? rc : block_piggyback(ex, r, true, i, &t);
}

int eg_run_challenge_ife_output(eg_exec *ex)
{
    const plasma_call_challenge_ife_output *a = &ex->call->challenge_ife_output;
    ife_tx t;
    uint32_t r;
    int rc = open_unprocessed(ex, &a->tx, &t, &r);
    if (rc != 0)
        return rc;
    const eg_ife *f = ife_at(ex->c, r);
    uint32_t o = plasma_pos_oindex(a->output_utxo_pos);
    if (o >= f->n_outputs)
        return PLASMA_ERR_BAD_INDEX;
    if (!(f->outputs_pb >> o & 1))
        return PLASMA_ERR_NOT_PIGGYBACKED;
    rc = check_tx_at(ex, a->output_utxo_pos - o, t.utx, t.utx_len, &a->proof);
    if (rc == 0)
        rc = check_spend(ex, &t, &a->spending_tx, a->spending_input_index, a->output_utxo_pos, false,
                         ife_at(ex->c, r), EG_IFE_OUT(o, 1), PLASMA_ERR_BAD_CHALLENGE);
    return rc ? rc : block_piggyback(ex, r, false, o, &t);
}

/* ---- deleteNonPiggybackedInFlightExit(ifeId) ---- */

int eg_run_delete_ife(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    uint8_t id[32];
    plasma_u256_to_be(id, &ex->call->delete_ife.ife_id);
    eg_ife f = stored(c, id);
    int rc = eg_lock(ex);
    if (rc == 0)
        rc = eg_cpu_call(ex);
    if (rc == 0)
        rc = eg_ife_load(ex, &f, EG_IFE_W0);
    if (rc != 0)
        return rc;
    uint32_t r = eg_ife_find_open(c, id);
    if (r == EG_NONE)
        return PLASMA_ERR_IFE_NOT_FOUND;
    if (in_first_phase(ex, &f))
        return PLASMA_ERR_FIRST_PHASE_NOT_OVER;
    if (f.inputs_pb != 0 || f.outputs_pb != 0)
        return PLASMA_ERR_IFE_PIGGYBACKED;
    rc = eg_ife_load(ex, &f, EG_IFE_W1);
    if (rc == 0)
        rc = eg_ife_delete(ex, r);
    if (rc == 0)
        rc = eg_pay(ex, &f.bond_owner, NULL, &c->cfg.ife_bond);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_IFE_DELETED};
    ev.ife_closed.ife_id = ex->call->delete_ife.ife_id;
    return eg_emit(ex, &ev, 2, 0);
}
