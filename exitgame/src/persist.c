/* Canonical binary encoding of the state, the per-block change batch, the
 * loader, and the state digest (docs/rootchain-calls.md, "Storage").
 *
 * Keys are a one-byte prefix and a fixed-size identifier; integers are
 * big-endian so that the stores' bytewise order is numeric order:
 *   'a' addr                 account: balance32 ‖ nonce8
 *   'b' blknum8              child/deposit block: root32 ‖ ts8 ‖ is_deposit1
 *                            [‖ depositor20 ‖ token20 ‖ amount32]
 *   'c'                      consensus config: version1 ‖ chain_id8 ‖ contract20 ‖
 *                            operator20 ‖ bond32 ‖ min_exit_period8 ‖ genesis_time8
 *   'e' utxo_pos8            exit: state1 ‖ queued1 ‖ owner20 ‖ token20 ‖ amount32 ‖ exitable_at8
 *   'g'                      contract counters: next_child_block8 ‖ next_deposit8
 *   'h'                      head: number8 ‖ timestamp8 ‖ hash32 ‖ time_offset8 ‖ total_gas8
 *   'k' number8              mined block: header, receipts, events
 *   't' owner20 token20      token balance: amount32
 * An empty account or a zero token balance is deleted, not stored. */
#include "internal.h"

#define FORMAT_VERSION 1
#define MAX_KEY 41
#define MAX_VAL 160

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
    default:
        enc_exit(o, r);
        break;
    }
}

/* ---- mined blocks ---- */

#define RECEIPT_BYTES (32 + 4 + 1 + 20 + 8 + 8 + 8 + 4)
#define EVENT_BYTES (1 + 4 + 80)
#define HEADER_BYTES (8 + 8 + 32 + 32 + 8 + 8 + 4 + 4)

static void enc_event(wr *w, const plasma_event *e)
{
    uint8_t payload[80] = {0};
    wr p = {payload};
    switch (e->kind) {
    case PLASMA_EVENT_DEPOSIT_CREATED:
        w_bytes(&p, e->deposit_created.depositor.b, 20);
        w_u64(&p, e->deposit_created.blknum);
        w_bytes(&p, e->deposit_created.token.b, 20);
        w_u256(&p, &e->deposit_created.amount);
        break;
    case PLASMA_EVENT_BLOCK_SUBMITTED:
        w_u64(&p, e->block_submitted.blknum);
        w_bytes(&p, e->block_submitted.root.b, 32);
        break;
    case PLASMA_EVENT_EXIT_STARTED:
        w_bytes(&p, e->exit_started.owner.b, 20);
        w_u64(&p, e->exit_started.exit_id);
        w_bytes(&p, e->exit_started.token.b, 20);
        w_u256(&p, &e->exit_started.amount);
        break;
    case PLASMA_EVENT_EXIT_CHALLENGED:
        w_u64(&p, e->exit_challenged.exit_id);
        w_bytes(&p, e->exit_challenged.challenger.b, 20);
        break;
    case PLASMA_EVENT_EXIT_FINALIZED:
        w_u64(&p, e->exit_finalized.exit_id);
        break;
    }
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
    uint8_t payload[80];
    r_bytes(r, payload, sizeof payload);
    rd p = {payload, sizeof payload, false};
    switch (e->kind) {
    case PLASMA_EVENT_DEPOSIT_CREATED:
        r_bytes(&p, e->deposit_created.depositor.b, 20);
        e->deposit_created.blknum = r_u64(&p);
        r_bytes(&p, e->deposit_created.token.b, 20);
        r_u256(&p, &e->deposit_created.amount);
        break;
    case PLASMA_EVENT_BLOCK_SUBMITTED:
        e->block_submitted.blknum = r_u64(&p);
        r_bytes(&p, e->block_submitted.root.b, 32);
        break;
    case PLASMA_EVENT_EXIT_STARTED:
        r_bytes(&p, e->exit_started.owner.b, 20);
        e->exit_started.exit_id = r_u64(&p);
        r_bytes(&p, e->exit_started.token.b, 20);
        r_u256(&p, &e->exit_started.amount);
        break;
    case PLASMA_EVENT_EXIT_CHALLENGED:
        e->exit_challenged.exit_id = r_u64(&p);
        r_bytes(&p, e->exit_challenged.challenger.b, 20);
        break;
    case PLASMA_EVENT_EXIT_FINALIZED:
        e->exit_finalized.exit_id = r_u64(&p);
        break;
    default:
        return false;
    }
    return !r->bad;
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
    if (e.state < PLASMA_EXIT_IN_PROGRESS || e.state > PLASMA_EXIT_FINALIZED || e.queued > 1)
        return PLASMA_ERR_IO;
    return load_record(l->c, EG_T_EXIT, &e.utxo_pos, &e);
}

static int load_config(loader *l, rd *v)
{
    if (r_u8(v) != FORMAT_VERSION)
        return PLASMA_ERR_IO;
    l->cfg.chain_id = r_u64(v);
    r_bytes(v, l->cfg.contract.b, 20);
    r_bytes(v, l->cfg.operator_addr.b, 20);
    r_u256(v, &l->cfg.exit_bond);
    l->cfg.min_exit_period = r_u64(v);
    l->cfg.genesis_time = r_u64(v);
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
    } shapes[] = {{'a', 21}, {'b', 9}, {'c', 1}, {'e', 9}, {'g', 1}, {'h', 1}, {'k', 9}, {'t', 41}};
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
    case 'k':
        return load_block(l, &k, &v);
    default:
        rc = load_singleton(l, key[0], &v);
        break;
    }
    return rc == 0 && (v.bad || v.left != 0) ? PLASMA_ERR_IO : rc;
}

static int rebuild_queues(plasma_chain *c)
{
    eg_table *t = &c->t[EG_T_EXIT];
    for (uint32_t i = 0; i < t->n; i++) {
        const eg_exit *e = eg_table_at(t, i);
        if (!e->queued)
            continue;
        uint32_t q = eg_table_find(&c->t[EG_T_QUEUE], &e->token);
        if (q == EG_NONE) {
            int rc = eg_table_append(&c->t[EG_T_QUEUE], &e->token, &q);
            if (rc != 0)
                return rc;
        }
        eg_node node = {e->exitable_at, e->utxo_pos};
        int rc = eg_heap_push(&((eg_queue *)eg_table_at(&c->t[EG_T_QUEUE], q))->heap, &node, NULL);
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
           a->genesis_time == b->genesis_time;
}

int eg_persist_load(plasma_chain *c)
{
    loader l;
    memset(&l, 0, sizeof l);
    l.c = c;
    int rc = c->store->foreach(c->store, load_pair, &l);
    if (rc != 0)
        return rc == PLASMA_ERR_NOMEM ? rc : PLASMA_ERR_IO;
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
    /* Key order: 'a' 'b' 'c' 'e' 'g' 'h' 't'. */
    int rc = digest_table(&k, c, EG_T_ACCOUNT);
    if (rc == 0)
        rc = digest_table(&k, c, EG_T_PBLOCK);
    if (rc == 0) {
        enc_config(&r, &c->cfg);
        digest_kv(&k, &r);
        rc = digest_table(&k, c, EG_T_EXIT);
    }
    if (rc != 0)
        return rc;
    enc_globals(&r, &c->g);
    digest_kv(&k, &r);
    enc_head(&r, &c->head);
    digest_kv(&k, &r);
    rc = digest_table(&k, c, EG_T_TOKBAL);
    if (rc == 0)
        plasma_keccak_final(&k, out);
    return rc;
}
