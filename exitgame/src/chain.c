/* The simulated root chain: configuration, lifecycle, development controls
 * and queries. Mining and call execution are in mine.c. */
#include "internal.h"

#include <sys/random.h>
#include <time.h>

void plasma_chain_config_default(plasma_chain_config *out)
{
    memset(out, 0, sizeof *out);
    out->chain_id = PLASMA_CHAIN_DEFAULT_CHAIN_ID;
    plasma_addr_parse(&out->contract, PLASMA_CHAIN_DEFAULT_CONTRACT);
    plasma_addr_parse(&out->operator_addr, PLASMA_CHAIN_DEFAULT_OPERATOR);
    out->block_gas_limit = PLASMA_CHAIN_DEFAULT_BLOCK_GAS_LIMIT;
    out->block_time = PLASMA_CHAIN_DEFAULT_BLOCK_TIME;
    out->min_exit_period = PLASMA_CHAIN_DEFAULT_MIN_EXIT_PERIOD;
    out->exit_bond = plasma_u256_from_u64(PLASMA_CHAIN_DEFAULT_EXIT_BOND);
    out->ife_bond = plasma_u256_from_u64(PLASMA_CHAIN_DEFAULT_IFE_BOND);
    out->piggyback_bond = plasma_u256_from_u64(PLASMA_CHAIN_DEFAULT_PIGGYBACK_BOND);
    out->genesis_time = PLASMA_CHAIN_DEFAULT_GENESIS_TIME;
}

/* ---- lifecycle ---- */

static uint64_t random_seed(void)
{
    uint64_t seed;
    if (getrandom(&seed, sizeof seed, 0) == (ssize_t)sizeof seed)
        return seed;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec;
}

static int check_config(const plasma_chain_config *cfg)
{
    /* Times stay far below 2^64 so that sums of them cannot wrap. */
    const uint64_t max_time = UINT64_MAX / 8;
    if (cfg->block_gas_limit < PLASMA_GAS_BASE || cfg->block_time == 0 || cfg->block_time > max_time ||
        cfg->min_exit_period > max_time || cfg->genesis_time > max_time)
        return PLASMA_ERR_CONFIG;
    return PLASMA_OK;
}

static void init_tables(plasma_chain *c)
{
    eg_table_init(&c->t[EG_T_ACCOUNT], sizeof(eg_account), sizeof(plasma_addr), c->seed);
    eg_table_init(&c->t[EG_T_TOKBAL], sizeof(eg_tokbal), 40, c->seed);
    eg_table_init(&c->t[EG_T_PBLOCK], sizeof(eg_pblock), sizeof(uint64_t), c->seed);
    eg_table_init(&c->t[EG_T_EXIT], sizeof(eg_exit), sizeof(uint64_t), c->seed);
    eg_table_init(&c->t[EG_T_QUEUE], sizeof(eg_queue), sizeof(plasma_addr), c->seed);
    eg_table_init(&c->t[EG_T_FINAL], sizeof(eg_final), sizeof(plasma_hash), c->seed);
    eg_table_init(&c->t[EG_T_IFE], sizeof(eg_ife), 32, c->seed);
    eg_table_init(&c->t[EG_T_CLAIM], sizeof(eg_claim), 40, c->seed);
    eg_table_init(&c->t[EG_T_IFEQ], sizeof(eg_ifeq), 52, c->seed);
    eg_table_init(&c->t[EG_T_IFETX], sizeof(eg_ifetx), 32, c->seed);
}

/* Block 0: no calls, the configured genesis time. */
static int add_genesis(plasma_chain *c)
{
    eg_block b;
    memset(&b, 0, sizeof b);
    b.hdr.timestamp = c->cfg.genesis_time;
    b.hdr.gas_limit = c->cfg.block_gas_limit;
    int rc = eg_block_hash(c, &b);
    if (rc == 0)
        rc = eg_history_append_block(c, &b);
    if (rc != 0)
        return rc;
    c->head.number = 0;
    c->head.timestamp = b.hdr.timestamp;
    c->head.hash = b.hdr.hash;
    return PLASMA_OK;
}

int plasma_chain_new(plasma_chain **out, const plasma_chain_config *cfg, plasma_chain_store *store)
{
    int rc = check_config(cfg);
    if (rc != 0)
        return rc;
    if (store && store->version != PLASMA_CHAIN_STORE_VERSION)
        return PLASMA_ERR_CONFIG;
    plasma_chain *c = calloc(1, sizeof *c);
    if (!c)
        return PLASMA_ERR_NOMEM;
    c->cfg = *cfg;
    c->seed = random_seed();
    plasma_domain_init(&c->eip712, cfg->chain_id, &cfg->contract);
    c->call_domain.chain_id = cfg->chain_id;
    c->call_domain.contract = cfg->contract;
    init_tables(c);
    c->g.next_child_block = PLASMA_CHILD_BLOCK_INTERVAL;
    c->g.next_deposit = 1;
    c->store = store;
    rc = store ? eg_persist_load(c) : add_genesis(c);
    if (rc == PLASMA_ERR_NOT_FOUND) { /* an empty store */
        rc = add_genesis(c);
        if (rc == 0)
            rc = eg_persist_genesis(c);
    }
    if (rc != 0) {
        c->store = NULL;
        plasma_chain_free(c);
        return rc;
    }
    eg_journal_clear(c);
    eg_dirty_clear(c);
    *out = c;
    return PLASMA_OK;
}

void plasma_chain_store_free(plasma_chain_store *store)
{
    if (store)
        store->free(store);
}

void plasma_chain_free(plasma_chain *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->t[EG_T_QUEUE].n; i++)
        eg_heap_free(&((eg_queue *)eg_table_at(&c->t[EG_T_QUEUE], (uint32_t)i))->heap);
    for (unsigned i = 0; i < EG_N_TABLES; i++)
        eg_table_free(&c->t[i]);
    for (size_t i = 0; i < c->n_pool; i++)
        free(c->pool[i]);
    free(c->pool);
    free(c->jent);
    plasma_buf_free(&c->undo);
    free(c->dirty);
    free(c->blocks);
    free(c->receipts);
    free(c->events);
    eg_index_free(&c->receipt_ix);
    free(c->acc);
    free(c->trace.ops);
    plasma_chain_store_free(c->store);
    free(c);
}

const plasma_chain_config *plasma_chain_get_config(const plasma_chain *c)
{
    return &c->cfg;
}

void plasma_chain_call_domain(plasma_call_domain *out, const plasma_chain *c)
{
    *out = c->call_domain;
}

/* ---- development controls ---- */

/* Writes what the last change touched, or undoes it when the store fails. */
static int commit_or_undo(plasma_chain *c, int rc)
{
    eg_mark start = {0, 0, c->n_events, 0};
    if (rc == 0 && c->store)
        rc = eg_persist_commit(c, NULL);
    if (rc != 0)
        eg_undo_to(c, &start);
    eg_journal_clear(c);
    if (rc == 0)
        eg_dirty_clear(c);
    return rc;
}

int plasma_chain_dev_fund(plasma_chain *c, const plasma_addr *addr, const plasma_u256 *amount)
{
    return commit_or_undo(c, eg_credit(c, addr, NULL, amount, NULL));
}

int plasma_chain_dev_mint(plasma_chain *c, const plasma_addr *addr, const plasma_addr *token,
                          const plasma_u256 *amount)
{
    if (eg_is_eth(token))
        return PLASMA_ERR_BAD_REQUEST;
    return commit_or_undo(c, eg_credit(c, addr, token, amount, NULL));
}

int plasma_chain_dev_advance_time(plasma_chain *c, uint64_t seconds)
{
    if (seconds > UINT64_MAX / 8 - c->head.time_offset)
        return PLASMA_ERR_OVERFLOW;
    uint64_t old = c->head.time_offset;
    c->head.time_offset += seconds;
    c->head_dirty = true;
    int rc = commit_or_undo(c, PLASMA_OK);
    if (rc != 0)
        c->head.time_offset = old;
    return rc;
}

int plasma_chain_dev_prefund(plasma_chain *c)
{
    /* 10,000 ETH = 10^22 wei */
    plasma_u256 amount = plasma_u256_from_u64(10000);
    plasma_u256_mul_u64(&amount, &amount, 1000000000000000000ull);
    int rc = PLASMA_OK;
    for (unsigned i = 0; i < PLASMA_DEV_ACCOUNTS && rc == 0; i++) {
        plasma_addr a;
        plasma_dev_addr(&a, i);
        rc = eg_credit(c, &a, NULL, &amount, NULL);
    }
    return commit_or_undo(c, rc);
}

/* ---- queries ---- */

void plasma_chain_balance(plasma_u256 *out, const plasma_chain *c, const plasma_addr *addr,
                          const plasma_addr *token)
{
    eg_balance(out, c, addr, token);
}

uint64_t plasma_chain_nonce(const plasma_chain *c, const plasma_addr *addr)
{
    const eg_account *a = eg_account_get(c, addr);
    return a ? a->nonce : 0;
}

uint64_t plasma_chain_next_nonce(const plasma_chain *c, const plasma_addr *addr)
{
    const eg_account *a = eg_account_get(c, addr);
    return a ? a->nonce + a->pending : 0;
}

void plasma_chain_get_head(plasma_chain_head *out, const plasma_chain *c)
{
    memset(out, 0, sizeof *out);
    out->number = c->head.number;
    out->timestamp = c->head.timestamp;
    out->hash = c->head.hash;
    out->time_offset = c->head.time_offset;
    out->total_gas_used = c->head.total_gas;
    out->next_child_block = c->g.next_child_block;
    out->next_deposit_block = c->g.next_child_block - PLASMA_CHILD_BLOCK_INTERVAL + c->g.next_deposit;
    out->pending_calls = c->n_pool;
}

int plasma_chain_block_root(plasma_block_record *out, const plasma_chain *c, uint64_t blknum)
{
    uint32_t r = eg_table_find(&c->t[EG_T_PBLOCK], &blknum);
    if (r == EG_NONE)
        return PLASMA_ERR_BLOCK_NOT_FOUND;
    const eg_pblock *b = eg_table_at(&c->t[EG_T_PBLOCK], r);
    memset(out, 0, sizeof *out);
    out->blknum = b->blknum;
    out->root = b->root;
    out->timestamp = b->timestamp;
    out->is_deposit = b->is_deposit;
    out->depositor = b->depositor;
    out->token = b->token;
    out->amount = b->amount;
    return PLASMA_OK;
}

static void exit_info(plasma_exit_info *out, const eg_exit *e)
{
    memset(out, 0, sizeof *out);
    out->exit_id = e->utxo_pos;
    out->state = (plasma_exit_state)e->state;
    out->owner = e->owner;
    out->token = e->token;
    out->amount = e->amount;
    out->exitable_at = e->exitable_at;
    out->output_id = e->output_id;
    out->queued = e->queued != 0;
}

int plasma_chain_exit(plasma_exit_info *out, const plasma_chain *c, uint64_t exit_id)
{
    uint32_t r = eg_table_find(&c->t[EG_T_EXIT], &exit_id);
    if (r == EG_NONE)
        return PLASMA_ERR_EXIT_NOT_FOUND;
    exit_info(out, eg_table_at(&c->t[EG_T_EXIT], r));
    return PLASMA_OK;
}

void plasma_chain_exit_queue(plasma_exit_queue_info *out, const plasma_chain *c, const plasma_addr *token)
{
    memset(out, 0, sizeof *out);
    const eg_heap *h = eg_queue_find(c, token);
    if (!h)
        return;
    out->size = h->n;
    if (h->n == 0)
        return;
    const eg_node *head = &h->a[0];
    out->head_exitable_at = head->exitable_at;
    out->head_is_ife = head->ife != EG_NONE;
    if (!out->head_is_ife) {
        out->head_exit_id = head->utxo_pos;
        out->head_id = plasma_u256_from_u64(head->utxo_pos);
        return;
    }
    const eg_ife *f = eg_table_at(&c->t[EG_T_IFE], head->ife);
    plasma_u256_from_be(&out->head_id, f->id, 32);
}

int plasma_chain_foreach_exit(const plasma_chain *c, plasma_exit_cb cb, void *payload)
{
    size_t n = c->t[EG_T_EXIT].n;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    eg_sort_records(c, EG_T_EXIT, order, n);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        plasma_exit_info info;
        exit_info(&info, eg_table_at(&c->t[EG_T_EXIT], order[i]));
        rc = cb(&info, payload);
    }
    free(order);
    return rc;
}

/* ---- finalized flags, claims, in-flight exits ---- */

void plasma_chain_finalized(plasma_u256 *out, const plasma_chain *c, const plasma_hash *output_id)
{
    uint32_t r = eg_table_find(&c->t[EG_T_FINAL], output_id);
    *out = r == EG_NONE ? plasma_u256_from_u64(0) : ((const eg_final *)eg_table_at(&c->t[EG_T_FINAL], r))->by;
}

void plasma_chain_withdrawable(plasma_u256 *out, const plasma_chain *c, const plasma_addr *owner,
                               const plasma_addr *token)
{
    uint8_t key[40] = {0};
    memcpy(key, owner->b, 20);
    if (token)
        memcpy(key + 20, token->b, 20);
    uint32_t r = eg_table_find(&c->t[EG_T_CLAIM], key);
    *out = r == EG_NONE ? plasma_u256_from_u64(0)
                        : ((const eg_claim *)eg_table_at(&c->t[EG_T_CLAIM], r))->amount;
}

/* Out: the records of table in key order (*order malloc'd; caller frees). */
static int sorted(const plasma_chain *c, unsigned table, uint32_t **order)
{
    size_t n = c->t[table].n;
    *order = malloc((n ? n : 1) * sizeof **order);
    if (!*order)
        return PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        (*order)[i] = (uint32_t)i;
    eg_sort_records(c, table, *order, n);
    return PLASMA_OK;
}

int plasma_chain_foreach_claim(const plasma_chain *c, const plasma_addr *owner, plasma_claim_cb cb,
                               void *payload)
{
    uint32_t *order;
    int rc = sorted(c, EG_T_CLAIM, &order);
    for (size_t i = 0; rc == 0 && i < c->t[EG_T_CLAIM].n; i++) {
        const eg_claim *cl = eg_table_at(&c->t[EG_T_CLAIM], order[i]);
        plasma_addr who, token;
        memcpy(who.b, cl->key, 20);
        memcpy(token.b, cl->key + 20, 20);
        if (plasma_u256_is_zero(&cl->amount) || (owner && !plasma_addr_eq(owner, &who)))
            continue;
        rc = cb(&who, &token, &cl->amount, payload);
    }
    free(order);
    return rc;
}

static void ife_info(plasma_ife_info *out, const eg_ife *f)
{
    memset(out, 0, sizeof *out);
    plasma_u256_from_be(&out->ife_id, f->id, 32);
    out->exitable_at = f->exitable_at;
    out->start = f->start;
    out->youngest = f->youngest;
    out->oldest_competitor = f->oldest_competitor;
    out->bond_owner = f->bond_owner;
    out->canonical = f->canonical != 0;
    out->inputs_piggybacked = f->inputs_pb;
    out->outputs_piggybacked = f->outputs_pb;
    out->n_inputs = f->n_inputs;
    out->n_outputs = f->n_outputs;
    out->pending_tokens = f->pending_tokens;
    out->exit_path = (plasma_ife_path)f->exit_path;
    for (unsigned i = 0; i < PLASMA_MAX_INPUTS; i++)
        out->inputs[i] = (plasma_ife_io){f->in[i].output_id, f->in[i].owner, f->in[i].token, f->in[i].amount};
    for (unsigned i = 0; i < PLASMA_MAX_OUTPUTS; i++)
        out->outputs[i] =
            (plasma_ife_io){f->out[i].output_id, f->out[i].owner, f->out[i].token, f->out[i].amount};
}

int plasma_chain_ife(plasma_ife_info *out, const plasma_chain *c, const plasma_u256 *ife_id)
{
    uint8_t id[32];
    plasma_u256_to_be(id, ife_id);
    uint32_t r = eg_ife_find_open(c, id);
    if (r == EG_NONE)
        return PLASMA_ERR_IFE_NOT_FOUND;
    ife_info(out, eg_table_at(&c->t[EG_T_IFE], r));
    return PLASMA_OK;
}

int plasma_chain_foreach_ife(const plasma_chain *c, plasma_ife_cb cb, void *payload)
{
    uint32_t *order;
    int rc = sorted(c, EG_T_IFE, &order);
    for (size_t i = 0; rc == 0 && i < c->t[EG_T_IFE].n; i++) {
        const eg_ife *f = eg_table_at(&c->t[EG_T_IFE], order[i]);
        if (!f->live)
            continue;
        plasma_ife_info info;
        ife_info(&info, f);
        rc = cb(&info, payload);
    }
    free(order);
    return rc;
}

int plasma_chain_ife_tx(uint8_t *tx, size_t *len, const plasma_chain *c, const plasma_u256 *ife_id)
{
    uint8_t id[32];
    plasma_u256_to_be(id, ife_id);
    uint32_t r = eg_table_find(&c->t[EG_T_IFETX], id);
    if (r == EG_NONE)
        return PLASMA_ERR_IFE_NOT_FOUND;
    const eg_ifetx *x = eg_table_at(&c->t[EG_T_IFETX], r);
    memcpy(tx, x->tx, x->len);
    *len = x->len;
    return PLASMA_OK;
}

/* ---- history ---- */

int plasma_chain_block_header(plasma_chain_block *out, const plasma_chain *c, uint64_t number)
{
    if (number >= c->n_blocks)
        return PLASMA_ERR_NOT_FOUND;
    *out = c->blocks[number].hdr;
    return PLASMA_OK;
}

static bool receipt_eq(const void *ctx, uint32_t rec, const void *key)
{
    const plasma_chain *c = ctx;
    return plasma_hash_eq(&c->receipts[rec].call_hash, key);
}

uint32_t eg_receipt_find(const plasma_chain *c, const plasma_hash *call_hash)
{
    return eg_index_find(&c->receipt_ix, eg_fingerprint(call_hash->b, 32, c->seed), receipt_eq, c, call_hash);
}

int plasma_chain_receipt(plasma_receipt *out, const plasma_chain *c, const plasma_hash *call_hash)
{
    uint32_t r = eg_receipt_find(c, call_hash);
    if (r == EG_NONE)
        return PLASMA_ERR_NOT_FOUND;
    *out = c->receipts[r];
    return PLASMA_OK;
}

int plasma_chain_block_receipts(const plasma_chain *c, uint64_t number, plasma_receipt_cb cb, void *payload)
{
    if (number >= c->n_blocks)
        return PLASMA_ERR_NOT_FOUND;
    if (number < c->oldest_block)
        return PLASMA_ERR_NOT_FOUND;
    const eg_block *b = &c->blocks[number];
    for (size_t i = 0; i < b->hdr.n_calls; i++) {
        int rc = cb(eg_receipt_at(c, b->first_receipt + i), payload);
        if (rc != 0)
            return rc;
    }
    return PLASMA_OK;
}

int plasma_chain_events_since(const plasma_chain *c, uint64_t from_block, plasma_event_cb cb, void *payload)
{
    if (from_block >= c->n_blocks)
        return PLASMA_OK;
    if (from_block < c->oldest_block)
        from_block = c->oldest_block;
    for (size_t i = c->blocks[from_block].first_event - c->event_base; i < c->n_events; i++) {
        int rc = cb(&c->events[i], payload);
        if (rc != 0)
            return rc;
    }
    return PLASMA_OK;
}
