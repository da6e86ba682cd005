/* Canonical binary encoding of the state, the per-block change batch, the
 * loader, and the state digest (docs/rootchain-calls.md, "Storage").
 *
 * Keys are a one-byte prefix and a fixed-size identifier; integers are
 * big-endian so that the stores' bytewise order is numeric order:
 *   'a' addr                 account: balance32 ‖ nonce8
 *   'b' blknum8              child/deposit block: root32 ‖ ts8 ‖ is_deposit1
 *                            [‖ depositor20 ‖ token20 ‖ amount32]
 *   'c'                      consensus config: version1 ‖ chain_id8 ‖ contract20 ‖
 *                            operator20 ‖ bond32 ‖ min_exit_period8 ‖ genesis_time8 ‖
 *                            ife_bond32 ‖ piggyback_bond32
 *   'e' utxo_pos8            exit: state1 ‖ queued1 ‖ owner20 ‖ token20 ‖ amount32 ‖
 *                            exitable_at8 ‖ output_id32
 *   'f' output_id32          finalized flag: exit id32
 *   'g'                      contract counters: next_child_block8 ‖ next_deposit8
 *   'h'                      head: number8 ‖ timestamp8 ‖ hash32 ‖ time_offset8 ‖ total_gas8
 *   'i' ife_id32             in-flight exit: exitable_at8 ‖ start8 ‖ youngest8 ‖
 *                            oldest_competitor32 ‖ bond_owner20 ‖ canonical1 ‖
 *                            inputs_pb1 ‖ outputs_pb1 ‖ n_inputs1 ‖ n_outputs1 ‖
 *                            pending_tokens1 ‖ exit_path1, then per input and per
 *                            output output_id32 ‖ owner20 ‖ token20 ‖ amount32
 *   'k' number8              mined block: header, receipts, events
 *   'q' token20 ife_id32     an in-flight exit's queue entry: exitable_at8 ‖ pos8
 *   't' owner20 token20      token balance: amount32
 *   'w' owner20 token20      deferred payment: amount32
 *   'x' ife_id32             the tx the last startInFlightExit of that id carried
 *                            (rlp(SignedTx)); history, not state
 * An empty account, a zero balance or claim, a closed in-flight exit and a
 * popped queue entry are deleted, not stored. Format 2 added the output
 * ids, 'f', 'i', 'q', 'w' and the two bonds; a format 1 store is refused
 * (its exits lack the output ids, which cannot be recovered). */
#include "internal.h"

#define FORMAT_VERSION 2
#define MAX_KEY 53
#define IO_BYTES (32 + 20 + 20 + 32)
#define IFE_FIXED_BYTES (8 + 8 + 8 + 32 + 20 + 7)
#define MAX_IFE_VAL (IFE_FIXED_BYTES + (PLASMA_MAX_INPUTS + PLASMA_MAX_OUTPUTS) * IO_BYTES)
#define MAX_VAL (MAX_IFE_VAL > PLASMA_CALL_MAX_TX ? MAX_IFE_VAL : PLASMA_CALL_MAX_TX)

/* ---- byte writers and readers ---- */

typedef struct wr {
    uint8_t *p;
} wr;

static void w_bytes(wr *w, const void *d, size_t n)
{
    memcpy(w->p, d, n);
    w->p += n;
}
static void w_u8(wr *w, uint8_t v)
{
    *w->p++ = v;
}
static void w_u64(wr *w, uint64_t v)
{
    eg_put_u64(w->p, v);
    w->p += 8;
}
static void w_u32(wr *w, uint32_t v)
{
    for (int i = 3; i >= 0; i--)
        *w->p++ = (uint8_t)(v >> (8 * i));
}
static void w_u256(wr *w, const plasma_u256 *v)
{
    plasma_u256_to_be(w->p, v);
    w->p += 32;
}

typedef struct rd {
    const uint8_t *p;
    size_t left;
    bool bad;
} rd;

static void r_bytes(rd *r, void *out, size_t n)
{
    if (r->bad || r->left < n) {
        r->bad = true;
        memset(out, 0, n);
        return;
    }
    memcpy(out, r->p, n);
    r->p += n;
    r->left -= n;
}
static uint8_t r_u8(rd *r)
{
    uint8_t v;
    r_bytes(r, &v, 1);
    return v;
}
static uint64_t r_u64(rd *r)
{
    uint8_t b[8];
    r_bytes(r, b, 8);
    return eg_get_u64(b);
}
static uint32_t r_u32(rd *r)
{
    uint8_t b[4];
    r_bytes(r, b, 4);
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}
static void r_u256(rd *r, plasma_u256 *out)
{
    uint8_t b[32];
    r_bytes(r, b, 32);
    plasma_u256_from_be(out, b, 32);
}

/* ---- records: key and value; the value length is 0 for a delete ---- */

typedef struct kv {
    uint8_t key[MAX_KEY];
    uint8_t val[MAX_VAL];
    size_t klen, vlen;
} kv;

static void enc_account(kv *o, const eg_account *a)
{
    wr k = {o->key}, v = {o->val};
    w_u8(&k, 'a');
    w_bytes(&k, a->addr.b, 20);
    if (a->nonce != 0 || !plasma_u256_is_zero(&a->balance)) {
        w_u256(&v, &a->balance);
        w_u64(&v, a->nonce);
    }
    o->klen = (size_t)(k.p - o->key);
    o->vlen = (size_t)(v.p - o->val);
}

static void enc_tokbal(kv *o, const eg_tokbal *t)
{
    wr k = {o->key}, v = {o->val};
    w_u8(&k, 't');
    w_bytes(&k, t->key, 40);
    if (!plasma_u256_is_zero(&t->amount))
        w_u256(&v, &t->amount);
    o->klen = (size_t)(k.p - o->key);
    o->vlen = (size_t)(v.p - o->val);
}

static void enc_pblock(kv *o, const eg_pblock *b)
{
    wr k = {o->key}, v = {o->val};
    w_u8(&k, 'b');
    w_u64(&k, b->blknum);
    w_bytes(&v, b->root.b, 32);
    w_u64(&v, b->timestamp);
    w_u8(&v, b->is_deposit);
    if (b->is_deposit) {
        w_bytes(&v, b->depositor.b, 20);
        w_bytes(&v, b->token.b, 20);
        w_u256(&v, &b->amount);
    }
    o->klen = (size_t)(k.p - o->key);
    o->vlen = (size_t)(v.p - o->val);
}

static void enc_exit(kv *o, const eg_exit *e)
{
    wr k = {o->key}, v = {o->val};
    w_u8(&k, 'e');
    w_u64(&k, e->utxo_pos);
    w_u8(&v, e->state);
    w_u8(&v, e->queued);
    w_bytes(&v, e->owner.b, 20);
    w_bytes(&v, e->token.b, 20);
    w_u256(&v, &e->amount);
    w_u64(&v, e->exitable_at);
    w_bytes(&v, e->output_id.b, 32);
    o->klen = (size_t)(k.p - o->key);
    o->vlen = (size_t)(v.p - o->val);
}

static void enc_final(kv *o, const eg_final *f)
{
    wr k = {o->key}, v = {o->val};
    w_u8(&k, 'f');
    w_bytes(&k, f->output_id.b, 32);
    w_u256(&v, &f->by);
    o->klen = (size_t)(k.p - o->key);
    o->vlen = (size_t)(v.p - o->val);
}

static void enc_claim(kv *o, const eg_claim *c)
{
    wr k = {o->key}, v = {o->val};
    w_u8(&k, 'w');
    w_bytes(&k, c->key, 40);
    if (!plasma_u256_is_zero(&c->amount))
        w_u256(&v, &c->amount);
    o->klen = (size_t)(k.p - o->key);
    o->vlen = (size_t)(v.p - o->val);
}

static void w_io(wr *v, const eg_ife_io *io)
{
    w_bytes(v, io->output_id.b, 32);
    w_bytes(v, io->owner.b, 20);
    w_bytes(v, io->token.b, 20);
    w_u256(v, &io->amount);
}

static void enc_ife(kv *o, const eg_ife *f)
{
    wr k = {o->key}, v = {o->val};
    w_u8(&k, 'i');
    w_bytes(&k, f->id, 32);
    if (f->live) {
        w_u64(&v, f->exitable_at);
        w_u64(&v, f->start);
        w_u64(&v, f->youngest);
        w_u256(&v, &f->oldest_competitor);
        w_bytes(&v, f->bond_owner.b, 20);
        uint8_t small[7] = {f->canonical, f->inputs_pb,      f->outputs_pb, f->n_inputs,
                            f->n_outputs, f->pending_tokens, f->exit_path};
        w_bytes(&v, small, sizeof small);
        for (unsigned i = 0; i < f->n_inputs && i < PLASMA_MAX_INPUTS; i++)
            w_io(&v, &f->in[i]);
        for (unsigned i = 0; i < f->n_outputs && i < PLASMA_MAX_OUTPUTS; i++)
            w_io(&v, &f->out[i]);
    }
    o->klen = (size_t)(k.p - o->key);
    o->vlen = (size_t)(v.p - o->val);
}

static void enc_ifeq(kv *o, const eg_ifeq *q)
{
    wr k = {o->key}, v = {o->val};
    w_u8(&k, 'q');
    w_bytes(&k, q->key, 52);
    if (q->live) {
        w_u64(&v, q->exitable_at);
        w_u64(&v, q->pos);
    }
    o->klen = (size_t)(k.p - o->key);
    o->vlen = (size_t)(v.p - o->val);
}

static void enc_ifetx(kv *o, const eg_ifetx *x)
{
    wr k = {o->key}, v = {o->val};
    w_u8(&k, 'x');
    w_bytes(&k, x->id, 32);
    w_bytes(&v, x->tx, x->len);
    o->klen = (size_t)(k.p - o->key);
    o->vlen = (size_t)(v.p - o->val);
}

static void enc_config(kv *o, const plasma_chain_config *cfg)
{
    wr k = {o->key}, v = {o->val};
    w_u8(&k, 'c');
    w_u8(&v, FORMAT_VERSION);
    w_u64(&v, cfg->chain_id);
    w_bytes(&v, cfg->contract.b, 20);
    w_bytes(&v, cfg->operator_addr.b, 20);
    w_u256(&v, &cfg->exit_bond);
    w_u64(&v, cfg->min_exit_period);
    w_u64(&v, cfg->genesis_time);
    w_u256(&v, &cfg->ife_bond);
    w_u256(&v, &cfg->piggyback_bond);
    o->klen = (size_t)(k.p - o->key);
    o->vlen = (size_t)(v.p - o->val);
}

static void enc_globals(kv *o, const eg_globals *g)
{
    wr k = {o->key}, v = {o->val};
    w_u8(&k, 'g');
    w_u64(&v, g->next_child_block);
    w_u64(&v, g->next_deposit);
    o->klen = (size_t)(k.p - o->key);
    o->vlen = (size_t)(v.p - o->val);
}

static void enc_head(kv *o, const eg_head *h)
{
    wr k = {o->key}, v = {o->val};
    w_u8(&k, 'h');
    w_u64(&v, h->number);
    w_u64(&v, h->timestamp);
    w_bytes(&v, h->hash.b, 32);
    w_u64(&v, h->time_offset);
    w_u64(&v, h->total_gas);
    o->klen = (size_t)(k.p - o->key);
    o->vlen = (size_t)(v.p - o->val);
}

static void enc_record(kv *o, const plasma_chain *c, unsigned table, uint32_t rec)
{
    const void *r = eg_table_at(&c->t[table], rec);
    switch (table) {
    case EG_T_ACCOUNT:
        enc_account(o, r);
        break;
    case EG_T_TOKBAL:
        enc_tokbal(o, r);
        break;
    case EG_T_PBLOCK:
        enc_pblock(o, r);
        break;
    case EG_T_EXIT:
        enc_exit(o, r);
        break;
    case EG_T_FINAL:
        enc_final(o, r);
        break;
    case EG_T_IFE:
        enc_ife(o, r);
        break;
    case EG_T_CLAIM:
        enc_claim(o, r);
        break;
    case EG_T_IFEQ:
        enc_ifeq(o, r);
        break;
    case EG_T_IFETX:
        enc_ifetx(o, r);
        break;
    default:
        o->klen = o->vlen = 0; /* the queues are rebuilt, never stored */
        break;
    }
}

/* ---- mined blocks ---- */

#define RECEIPT_BYTES (32 + 4 + 1 + 20 + 8 + 8 + 8 + 4)
#define EVENT_PAYLOAD 120
#define EVENT_BYTES (1 + 4 + EVENT_PAYLOAD)
#define HEADER_BYTES (8 + 8 + 32 + 32 + 8 + 8 + 4 + 4)

/* The payload of an event: the same fields in the same order both ways. */
static void enc_payload(wr *p, const plasma_event *e)
{
    switch (e->kind) {
    case PLASMA_EVENT_DEPOSIT_CREATED:
        w_bytes(p, e->deposit_created.depositor.b, 20);
        w_u64(p, e->deposit_created.blknum);
        w_bytes(p, e->deposit_created.token.b, 20);
        w_u256(p, &e->deposit_created.amount);
        break;
    case PLASMA_EVENT_BLOCK_SUBMITTED:
        w_u64(p, e->block_submitted.blknum);
        w_bytes(p, e->block_submitted.root.b, 32);
        break;
    case PLASMA_EVENT_EXIT_STARTED:
        w_bytes(p, e->exit_started.owner.b, 20);
        w_u64(p, e->exit_started.exit_id);
        w_bytes(p, e->exit_started.token.b, 20);
        w_u256(p, &e->exit_started.amount);
        break;
    case PLASMA_EVENT_EXIT_CHALLENGED:
        w_u64(p, e->exit_challenged.exit_id);
        w_bytes(p, e->exit_challenged.challenger.b, 20);
        break;
    case PLASMA_EVENT_EXIT_FINALIZED:
        w_u64(p, e->exit_finalized.exit_id);
        break;
    case PLASMA_EVENT_IFE_STARTED:
        w_bytes(p, e->ife_started.initiator.b, 20);
        w_u256(p, &e->ife_started.ife_id);
        w_bytes(p, e->ife_started.txhash.b, 32);
        w_u8(p, e->ife_started.n_inputs);
        for (unsigned i = 0; i < PLASMA_MAX_INPUTS; i++)
            w_u64(p, e->ife_started.inputs[i]);
        break;
    case PLASMA_EVENT_IFE_INPUT_PIGGYBACKED:
    case PLASMA_EVENT_IFE_OUTPUT_PIGGYBACKED:
    case PLASMA_EVENT_IFE_INPUT_BLOCKED:
    case PLASMA_EVENT_IFE_OUTPUT_BLOCKED:
        w_bytes(p, e->ife_index.who.b, 20);
        w_u256(p, &e->ife_index.ife_id);
        w_u64(p, e->ife_index.index);
        break;
    case PLASMA_EVENT_IFE_CHALLENGED:
        w_bytes(p, e->ife_challenged.challenger.b, 20);
        w_u256(p, &e->ife_challenged.ife_id);
        w_u256(p, &e->ife_challenged.position);
        break;
    case PLASMA_EVENT_IFE_RESPONDED:
        w_bytes(p, e->ife_responded.responder.b, 20);
        w_u256(p, &e->ife_responded.ife_id);
        w_u64(p, e->ife_responded.tx_pos);
        break;
    case PLASMA_EVENT_IFE_INPUT_WITHDRAWN:
    case PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN:
        w_u256(p, &e->ife_withdrawn.ife_id);
        w_u64(p, e->ife_withdrawn.index);
        break;
    case PLASMA_EVENT_IFE_FINALIZED:
    case PLASMA_EVENT_IFE_DELETED:
        w_u256(p, &e->ife_closed.ife_id);
        break;
    case PLASMA_EVENT_PAYMENT_DEFERRED:
    case PLASMA_EVENT_WITHDRAWAL:
        w_bytes(p, e->payment.owner.b, 20);
        w_bytes(p, e->payment.token.b, 20);
        w_u256(p, &e->payment.amount);
        break;
    }
}

static bool dec_payload(rd *p, plasma_event *e)
{
    switch (e->kind) {
    case PLASMA_EVENT_DEPOSIT_CREATED:
        r_bytes(p, e->deposit_created.depositor.b, 20);
        e->deposit_created.blknum = r_u64(p);
        r_bytes(p, e->deposit_created.token.b, 20);
        r_u256(p, &e->deposit_created.amount);
        return true;
    case PLASMA_EVENT_BLOCK_SUBMITTED:
        e->block_submitted.blknum = r_u64(p);
        r_bytes(p, e->block_submitted.root.b, 32);
        return true;
    case PLASMA_EVENT_EXIT_STARTED:
        r_bytes(p, e->exit_started.owner.b, 20);
        e->exit_started.exit_id = r_u64(p);
        r_bytes(p, e->exit_started.token.b, 20);
        r_u256(p, &e->exit_started.amount);
        return true;
    case PLASMA_EVENT_EXIT_CHALLENGED:
        e->exit_challenged.exit_id = r_u64(p);
        r_bytes(p, e->exit_challenged.challenger.b, 20);
        return true;
    case PLASMA_EVENT_EXIT_FINALIZED:
        e->exit_finalized.exit_id = r_u64(p);
        return true;
    case PLASMA_EVENT_IFE_STARTED:
        r_bytes(p, e->ife_started.initiator.b, 20);
        r_u256(p, &e->ife_started.ife_id);
        r_bytes(p, e->ife_started.txhash.b, 32);
        e->ife_started.n_inputs = r_u8(p);
        for (unsigned i = 0; i < PLASMA_MAX_INPUTS; i++)
            e->ife_started.inputs[i] = r_u64(p);
        return e->ife_started.n_inputs <= PLASMA_MAX_INPUTS;
    case PLASMA_EVENT_IFE_INPUT_PIGGYBACKED:
    case PLASMA_EVENT_IFE_OUTPUT_PIGGYBACKED:
    case PLASMA_EVENT_IFE_INPUT_BLOCKED:
    case PLASMA_EVENT_IFE_OUTPUT_BLOCKED:
        r_bytes(p, e->ife_index.who.b, 20);
        r_u256(p, &e->ife_index.ife_id);
        e->ife_index.index = r_u64(p);
        return true;
    case PLASMA_EVENT_IFE_CHALLENGED:
        r_bytes(p, e->ife_challenged.challenger.b, 20);
        r_u256(p, &e->ife_challenged.ife_id);
        r_u256(p, &e->ife_challenged.position);
        return true;
    case PLASMA_EVENT_IFE_RESPONDED:
        r_bytes(p, e->ife_responded.responder.b, 20);
        r_u256(p, &e->ife_responded.ife_id);
        e->ife_responded.tx_pos = r_u64(p);
        return true;
    case PLASMA_EVENT_IFE_INPUT_WITHDRAWN:
    case PLASMA_EVENT_IFE_OUTPUT_WITHDRAWN:
        r_u256(p, &e->ife_withdrawn.ife_id);
        e->ife_withdrawn.index = r_u64(p);
        return true;
    case PLASMA_EVENT_IFE_FINALIZED:
    case PLASMA_EVENT_IFE_DELETED:
        r_u256(p, &e->ife_closed.ife_id);
        return true;
    case PLASMA_EVENT_PAYMENT_DEFERRED:
    case PLASMA_EVENT_WITHDRAWAL:
        r_bytes(p, e->payment.owner.b, 20);
        r_bytes(p, e->payment.token.b, 20);
        r_u256(p, &e->payment.amount);
        return true;
    }
    return false;
}

static void enc_event(wr *w, const plasma_event *e)
{
    uint8_t payload[EVENT_PAYLOAD] = {0};
    wr p = {payload};
    enc_payload(&p, e);
    w_u8(w, (uint8_t)e->kind);
    w_u32(w, e->call_index);
    w_bytes(w, payload, sizeof payload);
}

static bool dec_event(rd *r, plasma_event *e, uint64_t number)
{
    memset(e, 0, sizeof *e);
    e->kind = (plasma_event_kind)r_u8(r);
    e->block_number = number;
    e->call_index = r_u32(r);
    uint8_t payload[EVENT_PAYLOAD];
    r_bytes(r, payload, sizeof payload);
    rd p = {payload, sizeof payload, false};
    return dec_payload(&p, e) && !p.bad && !r->bad;
}

static void enc_receipt(wr *w, const plasma_receipt *rc)
{
    w_bytes(w, rc->call_hash.b, 32);
    w_u32(w, rc->index);
    w_u8(w, (uint8_t)rc->kind);
    w_bytes(w, rc->from.b, 20);
    w_u64(w, rc->nonce);
    w_u64(w, rc->gas_used);
    w_u64(w, rc->gas_price);
    w_u32(w, (uint32_t)-rc->err);
}

static void dec_receipt(rd *r, plasma_receipt *rc, uint64_t number)
{
    memset(rc, 0, sizeof *rc);
    r_bytes(r, rc->call_hash.b, 32);
    rc->block_number = number;
    rc->index = r_u32(r);
    rc->kind = (plasma_call_kind)r_u8(r);
    r_bytes(r, rc->from.b, 20);
    rc->nonce = r_u64(r);
    rc->gas_used = r_u64(r);
    rc->gas_price = r_u64(r);
    rc->err = -(int)(r_u32(r) & 0xffff);
}

/* Appends key and value of mined block b to arena. */
static int enc_block(plasma_buf *arena, size_t *klen, size_t *vlen, const plasma_chain *c, const eg_block *b)
{
    size_t n = HEADER_BYTES + (size_t)b->hdr.n_calls * RECEIPT_BYTES + (size_t)b->hdr.n_events * EVENT_BYTES;
    int rc = plasma_buf_reserve(arena, 9 + n);
    if (rc != 0)
        return rc;
    wr w = {arena->data + arena->len};
    w_u8(&w, 'k');
    w_u64(&w, b->hdr.number);
    w_u64(&w, b->hdr.number);
    w_u64(&w, b->hdr.timestamp);
    w_bytes(&w, b->hdr.hash.b, 32);
    w_bytes(&w, b->hdr.parent_hash.b, 32);
    w_u64(&w, b->hdr.gas_limit);
    w_u64(&w, b->hdr.gas_used);
    w_u32(&w, b->hdr.n_calls);
    w_u32(&w, b->hdr.n_events);
    for (size_t i = 0; i < b->hdr.n_calls; i++)
        enc_receipt(&w, eg_receipt_at(c, b->first_receipt + i));
    for (size_t i = 0; i < b->hdr.n_events; i++)
        enc_event(&w, &c->events[b->first_event - c->event_base + i]);
    arena->len += 9 + n;
    *klen = 9;
    *vlen = n;
    return PLASMA_OK;
}

/* ---- the batch ---- */

typedef struct batch {
    plasma_buf arena;
    size_t *off; /* per op: key offset, key length, value offset, value length */
    size_t n, cap;
} batch;

static int batch_add(batch *bt, size_t koff, size_t klen, size_t voff, size_t vlen)
{
    int rc = plasma_grow((void **)&bt->off, &bt->cap, 4 * (bt->n + 1), sizeof *bt->off);
    if (rc != 0)
        return rc;
    size_t *o = bt->off + 4 * bt->n++;
    o[0] = koff;
    o[1] = klen;
    o[2] = voff;
    o[3] = vlen;
    return PLASMA_OK;
}

static int batch_kv(batch *bt, const kv *r)
{
    size_t koff = bt->arena.len;
    plasma_buf_append(&bt->arena, r->key, r->klen);
    plasma_buf_append(&bt->arena, r->val, r->vlen);
    if (bt->arena.failed)
        return PLASMA_ERR_NOMEM;
    return batch_add(bt, koff, r->klen, koff + r->klen, r->vlen);
}

static int batch_write(plasma_chain_store *store, batch *bt)
{
    plasma_store_op *ops = calloc(bt->n ? bt->n : 1, sizeof *ops);
    if (!ops)
        return PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < bt->n; i++) {
        const size_t *o = bt->off + 4 * i;
        ops[i].key = bt->arena.data + o[0];
        ops[i].key_len = o[1];
        ops[i].val = o[3] ? bt->arena.data + o[2] : NULL;
        ops[i].val_len = o[3];
    }
    int rc = store->write(store, ops, bt->n);
    free(ops);
    return rc == 0 ? PLASMA_OK : PLASMA_ERR_IO;
}

static int batch_changes(batch *bt, const plasma_chain *c, const eg_block *block, bool with_config)
{
    kv r;
    int rc = PLASMA_OK;
    for (size_t i = 0; i < c->n_dirty && rc == 0; i++) {
        unsigned table = (unsigned)(c->dirty[i] >> 32);
        uint32_t rec = (uint32_t)c->dirty[i];
        if (rec >= c->t[table].n || !c->t[table].dirty[rec])
            continue; /* undone, or listed twice */
        enc_record(&r, c, table, rec);
        rc = batch_kv(bt, &r);
    }
    if (rc == 0 && (c->globals_dirty || with_config)) {
        enc_globals(&r, &c->g);
        rc = batch_kv(bt, &r);
    }
    if (rc == 0 && (c->head_dirty || with_config)) {
        enc_head(&r, &c->head);
        rc = batch_kv(bt, &r);
    }
    if (rc == 0 && with_config) {
        enc_config(&r, &c->cfg);
        rc = batch_kv(bt, &r);
    }
    if (rc == 0 && block) {
        size_t koff = bt->arena.len, klen, vlen;
        rc = enc_block(&bt->arena, &klen, &vlen, c, block);
        if (rc == 0)
            rc = batch_add(bt, koff, klen, koff + klen, vlen);
    }
    return rc;
}

static int commit(plasma_chain *c, const eg_block *block, bool with_config)
{
    batch bt = {{0}, NULL, 0, 0};
    int rc = batch_changes(&bt, c, block, with_config);
    if (rc == 0)
        rc = batch_write(c->store, &bt);
    plasma_buf_free(&bt.arena);
    free(bt.off);
    return rc;
}

int eg_persist_commit(plasma_chain *c, const eg_block *block)
{
    int rc = commit(c, block, false);
    if (rc == 0)
        eg_dirty_clear(c);
    return rc;
}

int eg_persist_genesis(plasma_chain *c)
{
    return commit(c, &c->blocks[0], true);
}

/* ---- loading ---- */

typedef struct loader {
    plasma_chain *c;
    bool have_config, have_head, have_globals;
    size_t n_pairs;
    plasma_chain_config cfg;
} loader;

static int load_record(plasma_chain *c, unsigned table, const void *key, const void *rec_bytes)
{
    uint32_t r;
    if (eg_table_find(&c->t[table], key) != EG_NONE)
        return PLASMA_ERR_IO;
    int rc = eg_table_append(&c->t[table], key, &r);
    if (rc == 0)
        memcpy(eg_table_at(&c->t[table], r), rec_bytes, c->t[table].rec_size);
    return rc;
}

static int load_account(loader *l, rd *k, rd *v)
{
    eg_account a;
    memset(&a, 0, sizeof a);
    r_bytes(k, a.addr.b, 20);
    r_u256(v, &a.balance);
    a.nonce = r_u64(v);
    return load_record(l->c, EG_T_ACCOUNT, &a.addr, &a);
}

static int load_tokbal(loader *l, rd *k, rd *v)
{
    eg_tokbal t;
    memset(&t, 0, sizeof t);
    r_bytes(k, t.key, 40);
    r_u256(v, &t.amount);
    return load_record(l->c, EG_T_TOKBAL, t.key, &t);
}

static int load_pblock(loader *l, rd *k, rd *v)
{
    eg_pblock b;
    memset(&b, 0, sizeof b);
    b.blknum = r_u64(k);
    r_bytes(v, b.root.b, 32);
    b.timestamp = r_u64(v);
    b.is_deposit = r_u8(v) != 0;
    if (b.is_deposit) {
        r_bytes(v, b.depositor.b, 20);
        r_bytes(v, b.token.b, 20);
        r_u256(v, &b.amount);
    }
    return load_record(l->c, EG_T_PBLOCK, &b.blknum, &b);
}

static int load_exit(loader *l, rd *k, rd *v)
{
    eg_exit e;
    memset(&e, 0, sizeof e);
    e.utxo_pos = r_u64(k);
    e.state = r_u8(v);
    e.queued = r_u8(v);
    r_bytes(v, e.owner.b, 20);
    r_bytes(v, e.token.b, 20);
    r_u256(v, &e.amount);
    e.exitable_at = r_u64(v);
    r_bytes(v, e.output_id.b, 32);
    if (e.state < PLASMA_EXIT_IN_PROGRESS || e.state > PLASMA_EXIT_SUPERSEDED || e.queued > 1)
        return PLASMA_ERR_IO;
    return load_record(l->c, EG_T_EXIT, &e.utxo_pos, &e);
}

static int load_final(loader *l, rd *k, rd *v)
{
    eg_final f;
    memset(&f, 0, sizeof f);
    r_bytes(k, f.output_id.b, 32);
    r_u256(v, &f.by);
    if (plasma_u256_is_zero(&f.by))
        return PLASMA_ERR_IO;
    return load_record(l->c, EG_T_FINAL, &f.output_id, &f);
}

static int load_claim(loader *l, rd *k, rd *v)
{
    eg_claim c;
    memset(&c, 0, sizeof c);
    r_bytes(k, c.key, 40);
    r_u256(v, &c.amount);
    return load_record(l->c, EG_T_CLAIM, c.key, &c);
}

static void r_io(rd *v, eg_ife_io *io)
{
    r_bytes(v, io->output_id.b, 32);
    r_bytes(v, io->owner.b, 20);
    r_bytes(v, io->token.b, 20);
    r_u256(v, &io->amount);
}

static bool ife_sane(const eg_ife *f)
{
    return f->n_inputs >= 1 && f->n_inputs <= PLASMA_MAX_INPUTS && f->n_outputs >= 1 &&
           f->n_outputs <= PLASMA_MAX_OUTPUTS && f->canonical <= 1 &&
           f->exit_path <= PLASMA_IFE_PATH_INPUTS &&
           f->pending_tokens <= PLASMA_MAX_INPUTS + PLASMA_MAX_OUTPUTS;
}

static int load_ife(loader *l, rd *k, rd *v)
{
    eg_ife f;
    memset(&f, 0, sizeof f);
    r_bytes(k, f.id, 32);
    f.live = 1;
    f.exitable_at = r_u64(v);
    f.start = r_u64(v);
    f.youngest = r_u64(v);
    r_u256(v, &f.oldest_competitor);
    r_bytes(v, f.bond_owner.b, 20);
    uint8_t small[7];
    r_bytes(v, small, sizeof small);
    f.canonical = small[0];
    f.inputs_pb = small[1];
    f.outputs_pb = small[2];
    f.n_inputs = small[3];
    f.n_outputs = small[4];
    f.pending_tokens = small[5];
    f.exit_path = small[6];
    if (!ife_sane(&f))
        return PLASMA_ERR_IO;
    for (unsigned i = 0; i < f.n_inputs; i++)
        r_io(v, &f.in[i]);
    for (unsigned i = 0; i < f.n_outputs; i++)
        r_io(v, &f.out[i]);
    return load_record(l->c, EG_T_IFE, f.id, &f);
}

static int load_ifeq(loader *l, rd *k, rd *v)
{
    eg_ifeq q;
    memset(&q, 0, sizeof q);
    r_bytes(k, q.key, 52);
    q.live = 1;
    q.exitable_at = r_u64(v);
    q.pos = r_u64(v);
    return load_record(l->c, EG_T_IFEQ, q.key, &q);
}

static int load_ifetx(loader *l, rd *k, rd *v)
{
    eg_ifetx x;
    memset(&x, 0, sizeof x);
    r_bytes(k, x.id, 32);
    if (v->left == 0 || v->left > sizeof x.tx)
        return PLASMA_ERR_IO;
    x.len = (uint16_t)v->left;
    r_bytes(v, x.tx, x.len);
    return load_record(l->c, EG_T_IFETX, x.id, &x);
}

static int load_config(loader *l, rd *v)
{
    if (r_u8(v) != FORMAT_VERSION)
        return PLASMA_ERR_STORE_VERSION;
    l->cfg.chain_id = r_u64(v);
    r_bytes(v, l->cfg.contract.b, 20);
    r_bytes(v, l->cfg.operator_addr.b, 20);
    r_u256(v, &l->cfg.exit_bond);
    l->cfg.min_exit_period = r_u64(v);
    l->cfg.genesis_time = r_u64(v);
    r_u256(v, &l->cfg.ife_bond);
    r_u256(v, &l->cfg.piggyback_bond);
    l->have_config = true;
    return PLASMA_OK;
}

static int load_block(loader *l, rd *k, rd *v)
{
    plasma_chain *c = l->c;
    eg_block b;
    memset(&b, 0, sizeof b);
    uint64_t key_number = r_u64(k);
    b.hdr.number = r_u64(v);
    b.hdr.timestamp = r_u64(v);
    r_bytes(v, b.hdr.hash.b, 32);
    r_bytes(v, b.hdr.parent_hash.b, 32);
    b.hdr.gas_limit = r_u64(v);
    b.hdr.gas_used = r_u64(v);
    b.hdr.n_calls = r_u32(v);
    b.hdr.n_events = r_u32(v);
    b.first_receipt = eg_receipt_count(c);
    b.first_event = eg_event_count(c);
    if (v->bad || key_number != b.hdr.number ||
        v->left != (size_t)b.hdr.n_calls * RECEIPT_BYTES + (size_t)b.hdr.n_events * EVENT_BYTES)
        return PLASMA_ERR_IO;
    int rc = PLASMA_OK;
    for (uint32_t i = 0; i < b.hdr.n_calls && rc == 0; i++) {
        rc = plasma_grow((void **)&c->receipts, &c->cap_receipts, c->n_receipts + 1, sizeof *c->receipts);
        if (rc == 0) {
            dec_receipt(v, &c->receipts[c->n_receipts], b.hdr.number);
            rc = eg_receipt_index(c, (uint32_t)c->n_receipts++);
        }
    }
    for (uint32_t i = 0; i < b.hdr.n_events && rc == 0; i++) {
        plasma_event ev;
        rc = dec_event(v, &ev, b.hdr.number) ? eg_push_event(c, &ev) : PLASMA_ERR_IO;
    }
    if (rc == 0 && eg_history_append_block(c, &b) != 0)
        rc = PLASMA_ERR_IO;
    return rc;
}

static int load_singleton(loader *l, uint8_t prefix, rd *v)
{
    plasma_chain *c = l->c;
    switch (prefix) {
    case 'c':
        return load_config(l, v);
    case 'g':
        c->g.next_child_block = r_u64(v);
        c->g.next_deposit = r_u64(v);
        l->have_globals = true;
        return PLASMA_OK;
    default:
        c->head.number = r_u64(v);
        c->head.timestamp = r_u64(v);
        r_bytes(v, c->head.hash.b, 32);
        c->head.time_offset = r_u64(v);
        c->head.total_gas = r_u64(v);
        l->have_head = true;
        return PLASMA_OK;
    }
}

static int load_pair(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen, void *payload)
{
    loader *l = payload;
    if (klen == 0)
        return PLASMA_ERR_IO;
    l->n_pairs++;
    rd k = {key + 1, klen - 1, false}, v = {val, vlen, false};
    static const struct {
        uint8_t prefix;
        size_t klen;
    } shapes[] = {{'a', 21}, {'b', 9}, {'c', 1},  {'e', 9},  {'f', 33}, {'g', 1}, {'h', 1},
                  {'i', 33}, {'k', 9}, {'q', 53}, {'t', 41}, {'w', 41}, {'x', 33}};
    bool known = false;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        known |= key[0] == shapes[i].prefix && klen == shapes[i].klen;
    if (!known)
        return PLASMA_ERR_IO;
    int rc;
    switch (key[0]) {
    case 'a':
        rc = load_account(l, &k, &v);
        break;
    case 't':
        rc = load_tokbal(l, &k, &v);
        break;
    case 'b':
        rc = load_pblock(l, &k, &v);
        break;
    case 'e':
        rc = load_exit(l, &k, &v);
        break;
    case 'f':
        rc = load_final(l, &k, &v);
        break;
    case 'i':
        rc = load_ife(l, &k, &v);
        break;
    case 'q':
        rc = load_ifeq(l, &k, &v);
        break;
    case 'w':
        rc = load_claim(l, &k, &v);
        break;
    case 'x':
        rc = load_ifetx(l, &k, &v);
        break;
    case 'k':
        return load_block(l, &k, &v);
    default:
        rc = load_singleton(l, key[0], &v);
        break;
    }
    return rc == 0 && (v.bad || v.left != 0) ? PLASMA_ERR_IO : rc;
}

static int queue_push(plasma_chain *c, const plasma_addr *token, const eg_node *node)
{
    uint32_t q = eg_table_find(&c->t[EG_T_QUEUE], token);
    if (q == EG_NONE) {
        int rc = eg_table_append(&c->t[EG_T_QUEUE], token, &q);
        if (rc != 0)
            return rc;
        ((eg_queue *)eg_table_at(&c->t[EG_T_QUEUE], q))->heap.ifes = &c->t[EG_T_IFE];
    }
    return eg_heap_push(&((eg_queue *)eg_table_at(&c->t[EG_T_QUEUE], q))->heap, node, NULL);
}

/* The queues from the exits flagged queued and the in-flight exits'
 * entries, each of which must name an open in-flight exit. */
static int rebuild_queues(plasma_chain *c)
{
    const eg_table *t = &c->t[EG_T_EXIT];
    for (uint32_t i = 0; i < t->n; i++) {
        const eg_exit *e = eg_table_at(t, i);
        eg_node node = {e->exitable_at, e->utxo_pos, EG_NONE};
        int rc = e->queued ? queue_push(c, &e->token, &node) : PLASMA_OK;
        if (rc != 0)
            return rc;
    }
    t = &c->t[EG_T_IFEQ];
    for (uint32_t i = 0; i < t->n; i++) {
        const eg_ifeq *e = eg_table_at(t, i);
        plasma_addr token;
        memcpy(token.b, e->key, 20);
        eg_node node = {e->exitable_at, e->pos, eg_ife_find_open(c, e->key + 20)};
        if (node.ife == EG_NONE)
            return PLASMA_ERR_IO;
        int rc = queue_push(c, &token, &node);
        if (rc != 0)
            return rc;
    }
    return PLASMA_OK;
}

static bool same_consensus(const plasma_chain_config *a, const plasma_chain_config *b)
{
    return a->chain_id == b->chain_id && plasma_addr_eq(&a->contract, &b->contract) &&
           plasma_addr_eq(&a->operator_addr, &b->operator_addr) &&
           plasma_u256_cmp(&a->exit_bond, &b->exit_bond) == 0 && a->min_exit_period == b->min_exit_period &&
           a->genesis_time == b->genesis_time && plasma_u256_cmp(&a->ife_bond, &b->ife_bond) == 0 &&
           plasma_u256_cmp(&a->piggyback_bond, &b->piggyback_bond) == 0;
}

int eg_persist_load(plasma_chain *c)
{
    loader l;
    memset(&l, 0, sizeof l);
    l.c = c;
    int rc = c->store->foreach(c->store, load_pair, &l);
    if (rc != 0)
        return rc == PLASMA_ERR_NOMEM || rc == PLASMA_ERR_STORE_VERSION ? rc : PLASMA_ERR_IO;
    if (l.n_pairs == 0)
        return PLASMA_ERR_NOT_FOUND;
    if (!l.have_config || !l.have_head || !l.have_globals || c->n_blocks != c->head.number + 1 ||
        !plasma_hash_eq(&c->blocks[c->head.number].hdr.hash, &c->head.hash))
        return PLASMA_ERR_IO;
    if (!same_consensus(&l.cfg, &c->cfg))
        return PLASMA_ERR_CONFIG;
    rc = rebuild_queues(c);
    return rc ? rc : eg_prune_history(c);
}

/* ---- sorting and the digest ---- */

static int cmp_u64_key(const void *a, const void *b, void *ctx)
{
    const eg_table *t = ctx;
    uint64_t x, y;
    memcpy(&x, eg_table_at(t, *(const uint32_t *)a), 8);
    memcpy(&y, eg_table_at(t, *(const uint32_t *)b), 8);
    return (x > y) - (x < y);
}

static int cmp_bytes_key(const void *a, const void *b, void *ctx)
{
    const eg_table *t = ctx;
    return memcmp(eg_table_at(t, *(const uint32_t *)a), eg_table_at(t, *(const uint32_t *)b), t->key_len);
}

void eg_sort_records(const plasma_chain *c, unsigned table, uint32_t *recs, size_t n)
{
    const eg_table *t = &c->t[table];
    bool numeric = table == EG_T_PBLOCK || table == EG_T_EXIT;
    qsort_r(recs, n, sizeof *recs, numeric ? cmp_u64_key : cmp_bytes_key, (void *)t);
}

static void digest_kv(plasma_keccak *k, const kv *r)
{
    if (r->vlen == 0)
        return; /* a deleted record is not state */
    uint8_t len[4];
    wr w = {len};
    w_u32(&w, (uint32_t)r->klen);
    plasma_keccak_update(k, len, 4);
    plasma_keccak_update(k, r->key, r->klen);
    w.p = len;
    w_u32(&w, (uint32_t)r->vlen);
    plasma_keccak_update(k, len, 4);
    plasma_keccak_update(k, r->val, r->vlen);
}

static int digest_table(plasma_keccak *k, const plasma_chain *c, unsigned table)
{
    size_t n = c->t[table].n;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    eg_sort_records(c, table, order, n);
    kv r;
    for (size_t i = 0; i < n; i++) {
        enc_record(&r, c, table, order[i]);
        digest_kv(k, &r);
    }
    free(order);
    return PLASMA_OK;
}

int plasma_chain_state_digest(plasma_hash *out, const plasma_chain *c)
{
    plasma_keccak k;
    plasma_keccak_init(&k);
    kv r;
    /* Key order: 'a' 'b' 'c' 'e' 'f' 'g' 'h' 'i' 'q' 't' 'w'; not 'x', history. */
    int rc = digest_table(&k, c, EG_T_ACCOUNT);
    if (rc == 0)
        rc = digest_table(&k, c, EG_T_PBLOCK);
    if (rc == 0) {
        enc_config(&r, &c->cfg);
        digest_kv(&k, &r);
        rc = digest_table(&k, c, EG_T_EXIT);
    }
    if (rc == 0)
        rc = digest_table(&k, c, EG_T_FINAL);
    if (rc != 0)
        return rc;
    enc_globals(&r, &c->g);
    digest_kv(&k, &r);
    enc_head(&r, &c->head);
    digest_kv(&k, &r);
    static const unsigned rest[] = {EG_T_IFE, EG_T_IFEQ, EG_T_TOKBAL, EG_T_CLAIM};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0] && rc == 0; i++)
        rc = digest_table(&k, c, rest[i]);
    if (rc == 0)
        plasma_keccak_final(&k, out);
    return rc;
}
