/* Opening, recovery, queries and root-chain bookkeeping of the ledger. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ledger_int.h"
#include "plasma/err.h"
#include "plasma/keccak.h"
#include "plasma/rlp.h"
#include "plasma/u256.h"

uint64_t op_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void plasma_ledger_config_default(plasma_ledger_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    plasma_domain_dev(&cfg->domain);
    cfg->utxo_cache_bytes = (size_t)512 << 20;
    cfg->pubkey_cache_entries = 1u << 20;
    cfg->store_cache_mb = 64;
    cfg->commit_linger_us = 1000;
    cfg->commit_max_txs = 4096;
    cfg->block_capacity = PLASMA_MAX_TXS_PER_BLOCK;
    cfg->seal_interval_ms = 1000;
    cfg->max_unsubmitted_blocks = 64;
}

/* --- blocks being filled --- */

block_acc *op_block_new(uint64_t blknum)
{
    block_acc *b = calloc(1, sizeof *b);
    if (b)
        b->blknum = blknum;
    return b;
}

void op_block_free(block_acc *b)
{
    if (!b)
        return;
    free(b->leaves);
    plasma_block_fees_free(&b->fees);
    free(b);
}

bool op_block_has_room(const block_acc *b, uint32_t capacity, const plasma_fee *fee)
{
    bool new_token = !plasma_u256_is_zero(&fee->amount) && !plasma_block_fees_find(&b->fees, &fee->token);
    return (uint64_t)b->n_payments + 1 + b->fees.n + (new_token ? 1 : 0) <= capacity;
}

int op_block_add(block_acc *b, const plasma_hash *leaf, const plasma_fee *fee)
{
    if (b->n_payments == b->leaves_cap) {
        uint32_t cap = b->leaves_cap ? b->leaves_cap * 2 : 256;
        plasma_hash *lv = realloc(b->leaves, cap * sizeof *lv);
        if (!lv)
            return PLASMA_ERR_NOMEM;
        b->leaves = lv;
        b->leaves_cap = cap;
    }
    if (plasma_block_fees_add(&b->fees, fee) < 0)
        return PLASMA_ERR_NOMEM;
    if (b->n_payments == 0)
        b->first_tx_ms = op_now_ms();
    b->leaves[b->n_payments++] = *leaf;
    return PLASMA_OK;
}

int op_rollover_locked(plasma_ledger *l)
{
    if (l->n_unsubmitted >= l->cfg.max_unsubmitted_blocks)
        return PLASMA_ERR_BLOCK_FULL;
    block_acc *nb = op_block_new(l->open->blknum + PLASMA_CHILD_BLOCK_INTERVAL);
    if (!nb)
        return PLASMA_ERR_NOMEM;
    block_acc **tail = &l->closing;
    while (*tail)
        tail = &(*tail)->next;
    *tail = l->open;
    l->open = nb;
    l->n_unsubmitted++;
    pthread_cond_signal(&l->commit_cv);
    return PLASMA_OK;
}

void op_enqueue_locked(plasma_ledger *l, commit_rec *r)
{
    r->seq = ++l->next_seq;
    r->next = NULL;
    if (l->q_tail)
        l->q_tail->next = r;
    else
        l->q_head = r;
    l->q_tail = r;
    l->q_len++;
    if (l->q_len == 1 || l->q_len >= l->cfg.commit_max_txs)
        pthread_cond_signal(&l->commit_cv);
}

int op_wait_durable_locked(plasma_ledger *l, uint64_t seq)
{
    while (l->durable_seq < seq && !l->failed)
        pthread_cond_wait(&l->durable_cv, &l->mu);
    return l->durable_seq >= seq ? PLASMA_OK : l->failed;
}

/* --- tree cache --- */

void op_tree_cache_put(plasma_ledger *l, uint64_t blknum, plasma_merkle *tree)
{
    pthread_mutex_lock(&l->tree_mu);
    tree_slot *victim = &l->trees[0];
    for (int i = 0; i < TREE_CACHE; i++) {
        if (l->trees[i].tree && l->trees[i].blknum == blknum) {
            victim = &l->trees[i];
            break;
        }
        if (l->trees[i].used < victim->used)
            victim = &l->trees[i];
    }
    plasma_merkle_free(victim->tree);
    victim->tree = tree;
    victim->blknum = blknum;
    victim->used = ++l->tree_clock;
    pthread_mutex_unlock(&l->tree_mu);
}

/* Writes the proof of index in blknum from a cached tree. Returns true on a hit. */
static bool tree_cache_proof(plasma_ledger *l, uint64_t blknum, uint32_t index, uint8_t *proof)
{
    bool hit = false;
    pthread_mutex_lock(&l->tree_mu);
    for (int i = 0; i < TREE_CACHE; i++) {
        tree_slot *s = &l->trees[i];
        if (s->tree && s->blknum == blknum) {
            hit = plasma_merkle_proof(proof, s->tree, index) == 0;
            s->used = ++l->tree_clock;
            break;
        }
    }
    pthread_mutex_unlock(&l->tree_mu);
    return hit;
}

/* --- opening --- */

static int check_identity(plasma_ledger *l, char *err, size_t err_len)
{
    uint8_t want[20 + 8], key[65], *val = NULL;
    memcpy(want, l->cfg.domain.verifying_contract.b, 20);
    op_be64(want + 20, l->cfg.domain.chain_id);
    size_t klen = op_key_meta(key, "identity"), len;
    int rc = plasma_kv_get(l->store, key, klen, &val, &len);
    if (rc == PLASMA_ERR_NOT_FOUND) {
        plasma_kv_batch *b = plasma_kv_batch_new();
        if (!b)
            return PLASMA_ERR_NOMEM;
        plasma_kv_batch_put(b, key, klen, want, sizeof want);
        rc = plasma_kv_write(l->store, b, true);
        plasma_kv_batch_free(b);
        return rc;
    }
    if (rc == 0 && (len != sizeof want || memcmp(val, want, sizeof want) != 0)) {
        snprintf(err, err_len, "data directory %s belongs to another chain id or contract", l->cfg.data_dir);
        rc = PLASMA_ERR_CONFIG;
    }
    free(val);
    return rc;
}

/* The index entries of a stored payment of an unsealed block (defer.h). */
static int defer_again(plasma_ledger *l, uint64_t blknum, uint32_t txindex, const op_block_tx *t)
{
    plasma_tx tx;
    plasma_buf ub = {0};
    int rc = plasma_tx_decode_signed(&tx, t->rlp, t->rlp_len);
    if (rc == 0)
        rc = plasma_tx_encode_unsigned(&ub, &tx);
    if (rc == 0) {
        plasma_hash h;
        plasma_keccak256(&h, ub.data, ub.len);
        rc = op_defer_add(&l->defer, blknum, txindex, &h, &tx);
    } else if (rc != PLASMA_ERR_NOMEM) {
        rc = PLASMA_ERR_IO; /* the store holds what it accepted: a record that does not decode is damage */
    }
    plasma_buf_free(&ub);
    return rc;
}

/* Rebuilds the blocks that were filling when the ledger closed: every stored
 * transaction above the last sealed block, grouped by child block. All but
 * the newest were closed already and are sealed first thing. */
static int recover_blocks(plasma_ledger *l)
{
    uint8_t prefix[1] = {'b'}, start[13];
    op_key_blocktx(start, l->last_sealed + 1, 0);
    plasma_kv_iter *it = plasma_kv_iter_new(l->store, prefix, 1, start, sizeof start);
    if (!it)
        return PLASMA_ERR_NOMEM;
    block_acc *cur = NULL;
    int rc = PLASMA_OK;
    const uint8_t *k, *v;
    size_t klen, vlen;
    for (; rc == 0 && plasma_kv_iter_get(it, &k, &klen, &v, &vlen); plasma_kv_iter_next(it)) {
        if (klen != 13 || !plasma_is_child_blknum(op_rd64(k + 1)))
            continue;
        uint64_t blknum = op_rd64(k + 1);
        op_block_tx t;
        if (op_block_tx_decode(&t, v, vlen) < 0)
            rc = PLASMA_ERR_IO;
        else if (!cur || cur->blknum != blknum) {
            if (cur)
                rc = op_rollover_locked(l);
            cur = l->open;
            cur->blknum = blknum;
        }
        if (rc == 0 && op_rd32(k + 9) != cur->n_payments)
            rc = PLASMA_ERR_IO;
        plasma_fee fee = {t.fee_token, t.fee};
        if (rc == 0)
            rc = op_block_add(cur, &t.leaf, &fee);
        if (rc == 0 && t.rlp_len > 0) /* a dropped tx leaves only its empty leaf */
            rc = defer_again(l, blknum, op_rd32(k + 9), &t);
    }
    if (rc == 0)
        rc = plasma_kv_iter_error(it);
    plasma_kv_iter_free(it);
    op_defer_publish(&l->defer);
    return rc;
}

static bool load_utxo(plasma_ledger *l, const uint8_t *k, size_t klen, const uint8_t *v, size_t vlen)
{
    op_utxo_rec r;
    if (klen != 9 || op_utxo_decode(&r, v, vlen) < 0)
        return true;
    op_uidx_cache(&l->uidx, op_rd64(k + 1), &r);
    return l->uidx.complete;
}

static int load_utxos(plasma_ledger *l)
{
    uint8_t prefix[1] = {'u'};
    plasma_kv_iter *it = plasma_kv_iter_new(l->store, prefix, 1, NULL, 0);
    if (!it)
        return PLASMA_ERR_NOMEM;
    const uint8_t *k, *v;
    size_t klen, vlen;
    for (; plasma_kv_iter_get(it, &k, &klen, &v, &vlen); plasma_kv_iter_next(it))
        if (!load_utxo(l, k, klen, v, vlen))
            break;
    /* An index built from a read that failed half-way would miss outputs. */
    int rc = plasma_kv_iter_error(it);
    plasma_kv_iter_free(it);
    return rc;
}

static int read_tips(plasma_ledger *l)
{
    int rc = op_store_get_meta_u64(l->store, "last_sealed", &l->last_sealed);
    if (rc == PLASMA_ERR_NOT_FOUND)
        l->last_sealed = 0;
    else if (rc < 0)
        return rc;
    rc = op_store_get_meta_u64(l->store, "last_submitted", &l->last_submitted);
    if (rc == PLASMA_ERR_NOT_FOUND)
        l->last_submitted = 0;
    else if (rc < 0)
        return rc;
    if (l->last_sealed) {
        op_block_hdr h;
        rc = op_store_get_block(l->store, l->last_sealed, &h);
        if (rc < 0)
            return rc == PLASMA_ERR_NOT_FOUND ? PLASMA_ERR_IO : rc;
        l->last_root = h.root;
    }
    l->n_unsubmitted = (unsigned)((l->last_sealed - l->last_submitted) / PLASMA_CHILD_BLOCK_INTERVAL);
    l->open = op_block_new(l->last_sealed + PLASMA_CHILD_BLOCK_INTERVAL);
    return l->open ? PLASMA_OK : PLASMA_ERR_NOMEM;
}

static int init_parts(plasma_ledger *l, char *err, size_t err_len)
{
    if (mkdir(l->cfg.data_dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, err_len, "cannot create data directory %s: %s", l->cfg.data_dir, strerror(errno));
        return PLASMA_ERR_IO;
    }
    int rc = op_store_open(&l->store, l->cfg.data_dir, l->cfg.store_cache_mb, err, err_len);
    if (rc == 0)
        rc = check_identity(l, err, err_len);
    if (rc == 0)
        rc = op_uidx_init(&l->uidx, l->cfg.utxo_cache_bytes);
    if (rc == 0)
        rc = op_pubkeys_new(&l->pubkeys, l->cfg.pubkey_cache_entries);
    if (rc == 0)
        rc = op_pool_new(&l->pool, l->cfg.sig_threads);
    if (rc == 0)
        rc = read_tips(l);
    /* Recovery may close blocks even past the backlog bound: they exist. */
    unsigned max = l->cfg.max_unsubmitted_blocks;
    l->cfg.max_unsubmitted_blocks = UINT32_MAX;
    if (rc == 0)
        rc = recover_blocks(l);
    l->cfg.max_unsubmitted_blocks = max;
    if (rc == 0)
        rc = load_utxos(l);
    if (rc < 0 && !err[0])
        snprintf(err, err_len, "cannot load the ledger from %s: %s", l->cfg.data_dir, plasma_err_message(rc));
    return rc;
}

static int copy_config(plasma_ledger *l, const plasma_ledger_config *cfg)
{
    l->cfg = *cfg;
    if (cfg->n_fee_rules) {
        l->fee_rules = calloc(cfg->n_fee_rules, sizeof *l->fee_rules);
        if (!l->fee_rules)
            return PLASMA_ERR_NOMEM;
        memcpy(l->fee_rules, cfg->fee_rules, cfg->n_fee_rules * sizeof *l->fee_rules);
    }
    l->cfg.fee_rules = l->fee_rules;
    l->fee_policy = (plasma_fee_policy){cfg->min_fee, l->fee_rules, cfg->n_fee_rules};
    l->cfg.data_dir = strdup(cfg->data_dir);
    if (!l->cfg.data_dir)
        return PLASMA_ERR_NOMEM;
    if (l->cfg.block_capacity == 0 || l->cfg.block_capacity > PLASMA_MAX_TXS_PER_BLOCK)
        l->cfg.block_capacity = PLASMA_MAX_TXS_PER_BLOCK;
    if (l->cfg.block_capacity < 2)
        l->cfg.block_capacity = 2;
    if (l->cfg.commit_max_txs == 0)
        l->cfg.commit_max_txs = 4096;
    if (l->cfg.max_unsubmitted_blocks == 0)
        l->cfg.max_unsubmitted_blocks = 1;
    return PLASMA_OK;
}

int plasma_ledger_open(plasma_ledger **out, const plasma_ledger_config *cfg, char *err, size_t err_len)
{
    err[0] = '\0';
    plasma_ledger *l = calloc(1, sizeof *l);
    if (!l)
        return PLASMA_ERR_NOMEM;
    pthread_mutex_init(&l->mu, NULL);
    pthread_mutex_init(&l->tree_mu, NULL);
    op_defer_init(&l->defer);
    pthread_cond_init(&l->commit_cv, NULL);
    pthread_cond_init(&l->durable_cv, NULL);
    int rc = copy_config(l, cfg);
    if (rc == 0)
        rc = init_parts(l, err, err_len);
    if (rc == 0 && !(l->commit_batch = plasma_kv_batch_new()))
        rc = PLASMA_ERR_NOMEM;
    if (rc == 0 && pthread_create(&l->committer, NULL, op_committer_main, l) != 0)
        rc = PLASMA_ERR_NOMEM;
    if (rc < 0) {
        if (!err[0])
            snprintf(err, err_len, "%s", plasma_err_message(rc));
        plasma_ledger_free(l);
        return rc;
    }
    l->committer_running = true;
    *out = l;
    return PLASMA_OK;
}

void plasma_ledger_free(plasma_ledger *l)
{
    if (!l)
        return;
    if (l->committer_running) {
        pthread_mutex_lock(&l->mu);
        l->stop = true;
        pthread_cond_broadcast(&l->commit_cv);
        pthread_mutex_unlock(&l->mu);
        pthread_join(l->committer, NULL);
    }
    op_pool_free(l->pool);
    op_pubkeys_free(l->pubkeys);
    op_uidx_free(&l->uidx);
    op_defer_free(&l->defer);
    plasma_kv_free(l->store);
    op_block_free(l->open);
    while (l->closing) {
        block_acc *n = l->closing->next;
        op_block_free(l->closing);
        l->closing = n;
    }
    for (int i = 0; i < TREE_CACHE; i++)
        plasma_merkle_free(l->trees[i].tree);
    pthread_mutex_destroy(&l->mu);
    pthread_mutex_destroy(&l->tree_mu);
    pthread_cond_destroy(&l->commit_cv);
    pthread_cond_destroy(&l->durable_cv);
    plasma_kv_batch_free(l->commit_batch);
    free((char *)l->cfg.data_dir);
    free(l->fee_rules);
    free(l);
}

/* --- sealing on request --- */

/* The newest block closed and not sealed yet: waiting in the closing
 * list, or taken by the committer's round that writes it now. */
static uint64_t last_closing_blknum(const plasma_ledger *l)
{
    uint64_t n = l->round_sealing;
    for (const block_acc *b = l->closing; b; b = b->next)
        n = b->blknum;
    return n;
}

int plasma_ledger_seal(plasma_ledger *l, uint64_t *blknum)
{
    pthread_mutex_lock(&l->mu);
    int rc = l->failed;
    uint64_t target = 0;
    if (rc == 0 && l->open->n_payments > 0) {
        target = l->open->blknum;
        rc = op_rollover_locked(l);
    } else if (rc == 0) {
        target = last_closing_blknum(l);
    }
    while (rc == 0 && target && l->last_sealed < target && !l->failed)
        pthread_cond_wait(&l->durable_cv, &l->mu);
    if (rc == 0 && l->failed)
        rc = l->failed;
    pthread_mutex_unlock(&l->mu);
    if (rc == 0)
        *blknum = target;
    return rc;
}

/* --- following the root chain --- */

static commit_rec *make_deposit_rec(const plasma_deposit *d)
{
    plasma_tx tx;
    plasma_tx_make_deposit(&tx, &d->owner, &d->token, &d->amount);
    plasma_buf sb = {0}, ub = {0};
    commit_rec *r = NULL;
    if (plasma_tx_encode_signed(&sb, &tx) == 0 && plasma_tx_encode_unsigned(&ub, &tx) == 0)
        r = calloc(1, sizeof *r + sb.len);
    if (r) {
        r->kind = REC_DEPOSIT;
        r->tx = tx;
        r->blknum = d->blknum;
        r->timestamp = d->timestamp;
        plasma_merkle_leaf(&r->leaf, ub.data, ub.len);
        r->rlp_len = sb.len;
        memcpy(r->rlp, sb.data, sb.len);
    }
    plasma_buf_free(&sb);
    plasma_buf_free(&ub);
    return r;
}

static int add_deposit_locked(plasma_ledger *l, const plasma_deposit *d, uint64_t rc_block)
{
    uint64_t pos = plasma_utxo_pos(d->blknum, 0, 0);
    uint8_t key[9];
    op_key_block(key, d->blknum);
    if (plasma_is_child_blknum(d->blknum) || !plasma_utxo_pos_valid(pos) || plasma_addr_is_zero(&d->owner) ||
        plasma_u256_is_zero(&d->amount))
        return PLASMA_OK;
    op_utxo_rec u;
    op_ustate st;
    if (op_uidx_get(&l->uidx, pos, &u, &st))
        return PLASMA_OK;
    int known = plasma_kv_has(l->store, key, sizeof key);
    if (known != 0)
        return known < 0 ? known : PLASMA_OK;
    commit_rec *r = make_deposit_rec(d);
    if (!r)
        return PLASMA_ERR_NOMEM;
    r->rc_block = rc_block;
    u = (op_utxo_rec){d->owner, d->token, d->amount};
    int rc = op_uidx_put(&l->uidx, pos, &u, OP_U_PENDING_NEW);
    if (rc < 0) {
        free(r);
        return rc;
    }
    op_enqueue_locked(l, r);
    return PLASMA_OK;
}

static int add_exit_locked(plasma_ledger *l, uint64_t pos)
{
    op_utxo_rec u;
    op_ustate st;
    if (op_lookup_locked(l, pos, &u, &st) != 0)
        return PLASMA_OK;
    commit_rec *r = calloc(1, sizeof *r);
    if (!r)
        return PLASMA_ERR_NOMEM;
    r->kind = REC_EXIT;
    r->pos = pos;
    r->applies = true;
    if (!op_uidx_set_state(&l->uidx, pos, OP_U_PENDING_SPENT)) {
        int rc = op_uidx_put(&l->uidx, pos, &u, OP_U_PENDING_SPENT);
        if (rc < 0) {
            free(r);
            return rc;
        }
    }
    op_enqueue_locked(l, r);
    return PLASMA_OK;
}

int op_follow(plasma_ledger *l, const plasma_deposit *deposits, size_t n_deposits, const uint64_t *exits,
              size_t n_exits, uint64_t rc_block, commit_rec *cursor)
{
    pthread_mutex_lock(&l->mu);
    int rc = l->failed;
    for (size_t i = 0; rc == 0 && i < n_deposits; i++)
        rc = add_deposit_locked(l, &deposits[i], rc_block);
    for (size_t i = 0; rc == 0 && i < n_exits; i++)
        rc = add_exit_locked(l, exits[i]);
    if (rc == 0) {
        op_enqueue_locked(l, cursor);
        rc = op_wait_durable_locked(l, cursor->seq);
    } else {
        free(cursor);
        if (!l->failed)
            l->failed = rc;
    }
    pthread_mutex_unlock(&l->mu);
    return rc;
}

int plasma_ledger_follow(plasma_ledger *l, const plasma_deposit *deposits, size_t n_deposits,
                         const uint64_t *exits, size_t n_exits, const char *cursor, uint64_t value)
{
    commit_rec *m = calloc(1, sizeof *m);
    if (!m)
        return PLASMA_ERR_NOMEM;
    m->kind = REC_META;
    snprintf(m->name, sizeof m->name, "cursor.%s", cursor);
    m->value = value;
    return op_follow(l, deposits, n_deposits, exits, n_exits, 0, m);
}

int plasma_ledger_cursor(plasma_ledger *l, const char *cursor, uint64_t *value)
{
    char name[64];
    snprintf(name, sizeof name, "cursor.%s", cursor);
    return op_store_get_meta_u64(l->store, name, value);
}

/* --- handing blocks to the root chain --- */

int plasma_ledger_next_unsubmitted(plasma_ledger *l, uint64_t *blknum, plasma_hash *root)
{
    pthread_mutex_lock(&l->mu);
    uint64_t next = l->last_submitted + PLASMA_CHILD_BLOCK_INTERVAL;
    bool have = next <= l->last_sealed;
    pthread_mutex_unlock(&l->mu);
    if (!have)
        return PLASMA_ERR_NOT_FOUND;
    op_block_hdr h;
    int rc = op_store_get_block(l->store, next, &h);
    if (rc < 0)
        return rc == PLASMA_ERR_NOT_FOUND ? PLASMA_ERR_IO : rc;
    *blknum = next;
    *root = h.root;
    return PLASMA_OK;
}

int plasma_ledger_mark_submitted(plasma_ledger *l, uint64_t blknum, uint64_t timestamp)
{
    pthread_mutex_lock(&l->mu);
    bool next = blknum == l->last_submitted + PLASMA_CHILD_BLOCK_INTERVAL && blknum <= l->last_sealed;
    pthread_mutex_unlock(&l->mu);
    if (!next)
        return PLASMA_ERR_BAD_REQUEST;
    op_block_hdr h;
    int rc = op_store_get_block(l->store, blknum, &h);
    plasma_kv_batch *b = rc == 0 ? plasma_kv_batch_new() : NULL;
    if (rc == 0 && !b)
        rc = PLASMA_ERR_NOMEM;
    if (rc == 0) {
        uint8_t key[9], val[OP_BLOCK_HDR_LEN];
        h.flags |= OP_BLOCK_SUBMITTED;
        h.timestamp = timestamp;
        op_key_block(key, blknum);
        op_block_hdr_encode(val, &h);
        plasma_kv_batch_put(b, key, sizeof key, val, sizeof val);
        op_batch_put_meta_u64(b, "last_submitted", blknum);
        rc = plasma_kv_write(l->store, b, true);
    }
    plasma_kv_batch_free(b);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&l->mu);
    l->last_submitted = blknum;
    l->n_unsubmitted--;
    pthread_cond_signal(&l->commit_cv);
    pthread_mutex_unlock(&l->mu);
    return PLASMA_OK;
}

/* --- queries --- */

void plasma_ledger_status_get(plasma_ledger *l, plasma_ledger_status *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&l->mu);
    out->latest_blknum = l->last_sealed;
    out->latest_root = l->last_root;
    out->open_blknum = l->open->blknum;
    out->pending_txs = l->open->n_payments;
    for (const block_acc *b = l->closing; b; b = b->next)
        out->pending_txs += b->n_payments;
    out->last_submitted = l->last_submitted;
    out->failed = l->failed != 0;
    pthread_mutex_unlock(&l->mu);
}

void plasma_ledger_stats_get(plasma_ledger *l, plasma_ledger_stats *out)
{
    memset(out, 0, sizeof *out);
    out->accepted = atomic_load(&l->accepted);
    for (int i = 0; i < 64; i++)
        out->rejected[i] = atomic_load(&l->rejected[i]);
    out->blocks_sealed = atomic_load(&l->blocks_sealed);
    out->seal_ms_last = atomic_load(&l->seal_ms_last);
    out->seal_ms_total = atomic_load(&l->seal_ms_total);
    out->commits = atomic_load(&l->commits);
    out->committed_txs = atomic_load(&l->committed_txs);
    pthread_mutex_lock(&l->mu);
    out->utxo_cached = op_uidx_count(&l->uidx);
    out->utxo_cache_bytes = op_uidx_bytes(&l->uidx);
    out->utxo_cache_complete = l->uidx.complete;
    pthread_mutex_unlock(&l->mu);
}

void plasma_ledger_fail_writes_after(plasma_ledger *l, long n)
{
    plasma_kv_fail_writes_after(l->store, n);
}

static int read_block_tx(plasma_ledger *l, uint64_t blknum, uint32_t txindex, uint8_t **val, size_t *len,
                         op_block_tx *t)
{
    uint8_t key[13];
    op_key_blocktx(key, blknum, txindex);
    int rc = plasma_kv_get(l->store, key, sizeof key, val, len);
    if (rc == 0 && op_block_tx_decode(t, *val, *len) < 0) {
        free(*val);
        rc = PLASMA_ERR_IO;
    }
    return rc;
}

int plasma_ledger_get_tx(plasma_ledger *l, const plasma_hash *txhash, uint64_t *blknum, uint32_t *txindex,
                         plasma_buf *rlp)
{
    uint8_t key[33], *val = NULL;
    size_t len;
    op_key_txhash(key, txhash);
    uint64_t b;
    uint32_t i;
    /* Unsealed blocks first: an entry leaves them only once its block's
     * seal, which stores it, is durable; read the other way round, a seal
     * between the two reads would hide the transaction. */
    int rc = PLASMA_OK;
    if (!op_defer_find_tx(&l->defer, txhash, &b, &i)) {
        rc = plasma_kv_get(l->store, key, sizeof key, &val, &len);
        if (rc == 0 && len != 12)
            rc = PLASMA_ERR_IO;
        if (rc == 0) {
            b = op_rd64(val);
            i = op_rd32(val + 8);
        }
    }
    free(val);
    val = NULL;
    if (rc < 0)
        return rc;
    op_block_tx t;
    rc = read_block_tx(l, b, i, &val, &len, &t);
    if (rc == PLASMA_ERR_NOT_FOUND)
        rc = PLASMA_ERR_IO;
    if (rc == 0)
        rc = plasma_buf_append(rlp, t.rlp, t.rlp_len);
    free(val);
    if (rc == 0) {
        *blknum = b;
        *txindex = i;
    }
    return rc;
}

plasma_kv_iter *op_block_txs(plasma_ledger *l, uint64_t blknum)
{
    uint8_t prefix[9];
    op_key_block(prefix, blknum);
    prefix[0] = 'b';
    return plasma_kv_iter_new(l->store, prefix, sizeof prefix, NULL, 0);
}

int plasma_ledger_get_block(plasma_ledger *l, uint64_t blknum, plasma_block_info *info,
                            bool (*fn)(void *arg, const uint8_t *rlp, size_t len), void *arg)
{
    op_block_hdr h;
    int rc = op_store_get_block(l->store, blknum, &h);
    if (rc < 0)
        return rc;
    *info = (plasma_block_info){blknum, h.root, h.timestamp, h.n_txs, (h.flags & OP_BLOCK_SUBMITTED) != 0};
    if (!fn)
        return PLASMA_OK;
    plasma_kv_iter *it = op_block_txs(l, blknum);
    if (!it)
        return PLASMA_ERR_NOMEM;
    const uint8_t *k, *v;
    size_t klen, vlen;
    for (; plasma_kv_iter_get(it, &k, &klen, &v, &vlen); plasma_kv_iter_next(it)) {
        op_block_tx t;
        if (op_block_tx_decode(&t, v, vlen) < 0) {
            rc = PLASMA_ERR_IO;
            break;
        }
        if (!fn(arg, t.rlp, t.rlp_len))
            break;
    }
    if (rc == 0)
        rc = plasma_kv_iter_error(it);
    plasma_kv_iter_free(it);
    return rc;
}

int plasma_ledger_get_utxo(plasma_ledger *l, uint64_t pos, plasma_utxo *out)
{
    op_utxo_rec r;
    int rc = op_store_get_utxo(l->store, pos, &r);
    if (rc == 0) {
        *out = (plasma_utxo){pos, r.owner, r.token, r.amount};
        return PLASMA_OK;
    }
    if (rc != PLASMA_ERR_NOT_FOUND)
        return rc;
    rc = op_store_why_not_unspent(l->store, pos);
    /* a reader sees an output finalized on the root chain as spent */
    return rc == PLASMA_ERR_INPUT_FINALIZED ? PLASMA_ERR_UTXO_SPENT : rc;
}

/* An owner's per-block groups ('O' entries) walked one output at a time.
 * The group in hand is copied: the iterator moves on before the group's
 * stale outputs are dropped from it. */
typedef struct group_walk {
    plasma_kv_iter *it;
    uint8_t key[29];
    uint64_t blknum;
    uint8_t *list; /* the group's entries (OP_OWNED_LEN bytes each) */
    size_t cap_list;
    size_t n, next;
    uint8_t *keep; /* its entries still to be listed by later queries */
    size_t cap_keep;
    size_t n_keep;
    bool stale; /* an entry of the group read as spent */
} group_walk;

/* Loads the group under the iterator (skipping malformed entries); n = 0
 * once there are no more. Returns 0 or PLASMA_ERR_NOMEM. */
static int group_load(group_walk *g)
{
    const uint8_t *k, *v;
    size_t klen, vlen;
    g->n = g->next = g->n_keep = 0;
    g->stale = false;
    for (; plasma_kv_iter_get(g->it, &k, &klen, &v, &vlen); plasma_kv_iter_next(g->it)) {
        if (klen != 29 || vlen == 0 || vlen % OP_OWNED_LEN)
            continue;
        if (plasma_grow((void **)&g->list, &g->cap_list, vlen, 1) < 0 ||
            plasma_grow((void **)&g->keep, &g->cap_keep, vlen, 1) < 0)
            return PLASMA_ERR_NOMEM;
        memcpy(g->key, k, 29);
        g->blknum = op_rd64(k + 21);
        memcpy(g->list, v, vlen);
        g->n = vlen / OP_OWNED_LEN;
        return PLASMA_OK;
    }
    return PLASMA_OK;
}

static uint64_t group_pos(const group_walk *g)
{
    return op_owned_pos(g->blknum, g->list + OP_OWNED_LEN * g->next);
}

/* A group that met spent outputs is rewritten without them (the outputs
 * not visited yet stay), or deleted when none is left, in stale. */
static void group_flush(group_walk *g, plasma_kv_batch *stale, size_t *n_stale)
{
    if (!g->n || !g->stale)
        return;
    size_t rest = g->n - g->next;
    memcpy(g->keep + OP_OWNED_LEN * g->n_keep, g->list + OP_OWNED_LEN * g->next, OP_OWNED_LEN * rest);
    g->n_keep += rest;
    if (g->n_keep)
        plasma_kv_batch_put(stale, g->key, sizeof g->key, g->keep, OP_OWNED_LEN * g->n_keep);
    else
        plasma_kv_batch_del(stale, g->key, sizeof g->key);
    (*n_stale)++;
}

/* Moves past the current output (spent: dropped from the group), and on
 * to the next group after the last one. */
static int group_step(group_walk *g, bool spent, plasma_kv_batch *stale, size_t *n_stale)
{
    const uint8_t *e = g->list + OP_OWNED_LEN * g->next++;
    if (spent)
        g->stale = true;
    else
        memcpy(g->keep + OP_OWNED_LEN * g->n_keep++, e, OP_OWNED_LEN);
    if (g->next < g->n)
        return PLASMA_OK;
    group_flush(g, stale, n_stale);
    plasma_kv_iter_next(g->it);
    return group_load(g);
}

/* The next well-formed 'o' entry's position; false at the end. */
static bool single_pos(plasma_kv_iter *it, uint64_t *pos)
{
    const uint8_t *k, *v;
    size_t klen, vlen;
    for (; plasma_kv_iter_get(it, &k, &klen, &v, &vlen); plasma_kv_iter_next(it))
        if (klen == 29) {
            *pos = op_rd64(k + 21);
            return true;
        }
    return false;
}

/* True for a lookup that found an output (0) or found none; false for a
 * failure. */
static bool lookup_answered(int urc)
{
    return urc == 0 || urc == PLASMA_ERR_UTXO_SPENT || urc == PLASMA_ERR_UTXO_NOT_FOUND ||
           urc == PLASMA_ERR_NOT_FOUND;
}

/* Deletes the stale owner entries a listing met. Not synced: losing it
 * only means a later query meets them again. A failure is still the store
 * failing, and the ledger stops accepting as for any failed write. */
static void drop_stale(plasma_ledger *l, plasma_kv_batch *stale)
{
    int rc = plasma_kv_write(l->store, stale, false);
    if (rc == 0)
        return;
    pthread_mutex_lock(&l->mu);
    if (!l->failed)
        l->failed = rc;
    pthread_cond_broadcast(&l->durable_cv);
    pthread_mutex_unlock(&l->mu);
}

/* Stored entries first, in position order: the single entries of 'o'
 * (deposits and fee outputs, written with them) merged with the per-block
 * groups of 'O' (a sealed block's payments). Then those of unsealed blocks
 * (defer.h), which come after every stored one; an entry of a block sealed a
 * moment ago can be in both, and is listed once.
 *
 * The stored index keeps entries of spent outputs: deleting them in the
 * commit would add a random key to every transaction's write. A query skips
 * them and removes those it met in one unsynced write (a single entry is
 * deleted, a group is rewritten without them), so each costs one scan; a
 * lost write only leaves them for the next query. An entry
 * whose output reads as spent is stale for good: outputs are never
 * unspent, and an output is written before or with its entry. (The one
 * exception, an input of a tx dropped because another input was finalized
 * on the root chain, gets a single entry anew; a position met in a group
 * and a single entry is listed once.) */
int plasma_ledger_utxos_by_owner(plasma_ledger *l, const plasma_addr *owner, size_t max,
                                 bool (*fn)(void *arg, const plasma_utxo *u), void *arg)
{
    uint8_t prefix[21];
    prefix[0] = 'o';
    memcpy(prefix + 1, owner->b, 20);
    uint64_t *recent = NULL;
    size_t n_recent = 0;
    if (op_defer_owned(&l->defer, owner, &recent, &n_recent) < 0)
        return PLASMA_ERR_NOMEM;
    plasma_kv_iter *single = plasma_kv_iter_new(l->store, prefix, sizeof prefix, NULL, 0);
    prefix[0] = 'O';
    group_walk g = {.it = plasma_kv_iter_new(l->store, prefix, sizeof prefix, NULL, 0)};
    plasma_kv_batch *stale = plasma_kv_batch_new();
    int rc = single && g.it && stale ? group_load(&g) : PLASMA_ERR_NOMEM;
    size_t n = 0, n_stale = 0;
    bool more = true;
    uint64_t spos = 0, last = 0;
    bool have_single = rc == 0 && single_pos(single, &spos);
    while (rc == 0 && more && n < max && (have_single || g.n)) {
        bool from_group = g.n && (!have_single || group_pos(&g) < spos);
        uint64_t pos = from_group ? group_pos(&g) : spos;
        plasma_utxo u;
        bool listed_later =
            (n_recent && bsearch(&pos, recent, n_recent, sizeof *recent, op_cmp_pos)) || (n && pos == last);
        int urc = listed_later ? PLASMA_ERR_NOT_FOUND : plasma_ledger_get_utxo(l, pos, &u);
        if (!lookup_answered(urc)) {
            rc = urc; /* a listing with a hole is not an answer */
            break;
        }
        bool spent = urc == PLASMA_ERR_UTXO_SPENT;
        if (from_group) {
            rc = group_step(&g, spent, stale, &n_stale);
        } else {
            if (spent) {
                const uint8_t *k, *v;
                size_t klen, vlen;
                if (plasma_kv_iter_get(single, &k, &klen, &v, &vlen))
                    plasma_kv_batch_del(stale, k, klen);
                n_stale++;
            }
            plasma_kv_iter_next(single);
            have_single = single_pos(single, &spos);
        }
        if (urc != 0)
            continue;
        n++;
        last = pos;
        more = fn(arg, &u);
    }
    if (rc == 0)
        group_flush(&g, stale, &n_stale); /* a group left part-way */
    for (size_t i = 0; rc == 0 && more && n < max && i < n_recent; i++) {
        plasma_utxo u;
        int urc = plasma_ledger_get_utxo(l, recent[i], &u);
        if (!lookup_answered(urc))
            rc = urc;
        if (urc != 0)
            continue;
        n++;
        more = fn(arg, &u);
    }
    if (rc == 0 && single)
        rc = plasma_kv_iter_error(single);
    if (rc == 0 && g.it)
        rc = plasma_kv_iter_error(g.it);
    if (rc == 0 && n_stale > 0)
        drop_stale(l, stale);
    plasma_kv_iter_free(single);
    plasma_kv_iter_free(g.it);
    plasma_kv_batch_free(stale);
    free(g.list);
    free(g.keep);
    free(recent);
    return rc;
}

/* Builds the tree of a stored block from the leaves kept with its txs. */
static int rebuild_tree(plasma_ledger *l, uint64_t blknum, uint32_t n_txs, plasma_merkle **out)
{
    plasma_hash *leaves = calloc(n_txs ? n_txs : 1, sizeof *leaves);
    if (!leaves)
        return PLASMA_ERR_NOMEM;
    plasma_kv_iter *it = op_block_txs(l, blknum);
    int rc = it ? PLASMA_OK : PLASMA_ERR_NOMEM;
    const uint8_t *k, *v;
    size_t klen, vlen;
    uint32_t n = 0;
    for (; rc == 0 && it && plasma_kv_iter_get(it, &k, &klen, &v, &vlen) && n < n_txs;
         plasma_kv_iter_next(it), n++) {
        op_block_tx t;
        rc = op_block_tx_decode(&t, v, vlen);
        leaves[n] = t.leaf;
    }
    if (rc == 0 && it)
        rc = plasma_kv_iter_error(it);
    plasma_kv_iter_free(it);
    if (rc == 0 && n != n_txs)
        rc = PLASMA_ERR_IO;
    if (rc == 0)
        rc = plasma_merkle_build(out, leaves, n);
    free(leaves);
    return rc;
}

static int block_proof(plasma_ledger *l, uint64_t blknum, uint32_t n_txs, uint32_t txindex, uint8_t *proof)
{
    if (tree_cache_proof(l, blknum, txindex, proof))
        return PLASMA_OK;
    plasma_merkle *tree = NULL;
    int rc = rebuild_tree(l, blknum, n_txs, &tree);
    if (rc == 0)
        rc = plasma_merkle_proof(proof, tree, txindex);
    if (rc == 0)
        op_tree_cache_put(l, blknum, tree);
    else
        plasma_merkle_free(tree);
    return rc;
}

/* A SignedTx is [sigs, txType, inputs, outputs, metadata]; its UnsignedTx is
 * the same list without the first item. Working on the RLP keeps fee and
 * deposit transactions, which have no signatures, on the same path.
 * Out: the UnsignedTx appended to out, *n_outputs. */
static int unsigned_of(plasma_buf *out, size_t *n_outputs, const uint8_t *rlp, size_t len)
{
    plasma_rlp_item list, item;
    plasma_rlp_iter it;
    if (plasma_rlp_decode(&list, rlp, len) < 0 || !list.is_list)
        return PLASMA_ERR_IO;
    plasma_rlp_iter_init(&it, &list);
    if (plasma_rlp_iter_next(&it, &item) != 1) /* the signatures */
        return PLASMA_ERR_IO;
    const uint8_t *rest = it.p;
    for (int i = 0; i < 3; i++) /* txType, inputs, outputs */
        if (plasma_rlp_iter_next(&it, &item) != 1)
            return PLASMA_ERR_IO;
    if (!item.is_list || plasma_rlp_list_count(&item, n_outputs) < 0)
        return PLASMA_ERR_IO;
    size_t mark = plasma_rlp_list_begin(out);
    plasma_buf_append(out, rest, (size_t)(list.data + list.len - rest));
    return plasma_rlp_list_end(out, mark) < 0 ? PLASMA_ERR_NOMEM : PLASMA_OK;
}

int plasma_ledger_exit_data(plasma_ledger *l, uint64_t pos, plasma_buf *tx,
                            uint8_t proof[PLASMA_MERKLE_PROOF_LEN])
{
    if (!plasma_utxo_pos_valid(pos))
        return PLASMA_ERR_NOT_FOUND;
    uint64_t blknum = plasma_pos_blknum(pos);
    uint32_t txindex = plasma_pos_txindex(pos), oindex = plasma_pos_oindex(pos);
    op_block_hdr h;
    int rc = op_store_get_block(l->store, blknum, &h);
    if (rc < 0)
        return rc;
    if (txindex >= h.n_txs)
        return PLASMA_ERR_NOT_FOUND;
    uint8_t *val = NULL;
    size_t len, n_outputs = 0;
    op_block_tx t;
    rc = read_block_tx(l, blknum, txindex, &val, &len, &t);
    plasma_buf ub = {0};
    if (rc == 0 && t.rlp_len == 0)
        rc = PLASMA_ERR_NOT_FOUND; /* a dropped tx: its place holds the empty leaf */
    if (rc == 0)
        rc = unsigned_of(&ub, &n_outputs, t.rlp, t.rlp_len);
    if (rc == 0 && oindex >= n_outputs)
        rc = PLASMA_ERR_NOT_FOUND;
    if (rc == 0)
        rc = block_proof(l, blknum, h.n_txs, txindex, proof);
    if (rc == 0)
        rc = plasma_buf_append(tx, ub.data, ub.len);
    plasma_buf_free(&ub);
    free(val);
    return rc;
}
