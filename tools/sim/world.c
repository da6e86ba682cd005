/* The child chain of a scenario: users, their outputs, and real blocks of
 * real transactions with Merkle trees.
 *
 * Funds enter through deposits by the operator's account (it plays the
 * bridge that sells child-chain funds), and a tree of funding transactions
 * (1 input, up to 4 outputs) fans them out to the users' outputs; payments
 * between users follow. Transactions are kept as compact records and
 * re-encoded on demand; each block's tree is built once and kept, so a proof
 * costs a copy of 16 hashes. Signatures are not part of a leaf, so only the
 * transactions a watcher uses in a challenge are ever signed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

#define MAX_LEVELS 24
#define USER_STREAM 1
#define PLAN_STREAM 2
#define ACTIVITY_STREAM 3
#define INCIDENT_STREAM 4
#define STOCK_STREAM 5

/* ---- growable arrays ---- */

int sim_world_new_out(sim_world *w, uint32_t tx, uint8_t token, uint32_t owner, const plasma_u256 *amount,
                      uint32_t *out)
{
    int rc = plasma_grow((void **)&w->outs, &w->cap_outs, w->n_outs + 1, sizeof *w->outs);
    if (rc != 0)
        return rc;
    sim_tx *t = &w->txs[tx];
    sim_out *o = &w->outs[w->n_outs];
    memset(o, 0, sizeof *o);
    o->amount = *amount;
    /* An output of a tx in no block has no position. */
    if (t->block != SIM_NO_BLOCK) {
        const sim_block *b = &w->blocks[t->block];
        o->pos = plasma_utxo_pos(b->blknum, tx - b->first_tx, t->n_out);
    }
    o->owner = owner;
    o->tx = tx;
    o->spent_by = o->next = o->live_ix = SIM_NONE;
    o->token = token;
    if (t->n_out++ == 0)
        t->first_out = (uint32_t)w->n_outs;
    *out = (uint32_t)w->n_outs++;
    return PLASMA_OK;
}

/* Appends a transaction to the last block, or to none: a tx in no block
 * must come after every block's txs, which are contiguous. */
int sim_world_new_tx(sim_world *w, uint8_t kind, bool in_block, uint32_t *out)
{
    int rc = plasma_grow((void **)&w->txs, &w->cap_txs, w->n_txs + 1, sizeof *w->txs);
    if (rc != 0)
        return rc;
    sim_tx *t = &w->txs[w->n_txs];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->block = SIM_NO_BLOCK;
    if (in_block) {
        t->block = (uint32_t)(w->n_blocks - 1);
        w->blocks[w->n_blocks - 1].n_tx++;
    }
    *out = (uint32_t)w->n_txs++;
    return PLASMA_OK;
}

static int open_block(sim_world *w, bool deposit)
{
    int rc = plasma_grow((void **)&w->blocks, &w->cap_blocks, w->n_blocks + 1, sizeof *w->blocks);
    if (rc != 0)
        return rc;
    sim_block *b = &w->blocks[w->n_blocks++];
    memset(b, 0, sizeof *b);
    b->deposit = deposit;
    b->first_tx = (uint32_t)w->n_txs;
    if (deposit) {
        b->blknum = ++w->n_deposits;
    } else {
        b->blknum = w->next_child;
        w->next_child += PLASMA_CHILD_BLOCK_INTERVAL;
    }
    return PLASMA_OK;
}

/* Builds the last block's tree from its transactions. */
static int close_block(sim_world *w)
{
    sim_block *b = &w->blocks[w->n_blocks - 1];
    plasma_hash *leaves = malloc((b->n_tx ? b->n_tx : 1) * sizeof *leaves);
    plasma_buf buf = {0};
    int rc = leaves ? PLASMA_OK : PLASMA_ERR_NOMEM;
    for (uint32_t i = 0; rc == 0 && i < b->n_tx; i++) {
        buf.len = 0;
        rc = sim_world_encode_tx(w, b->first_tx + i, &buf);
        if (rc == 0)
            plasma_merkle_leaf(&leaves[i], buf.data, buf.len);
    }
    if (rc == 0)
        rc = plasma_merkle_build(&b->tree, leaves, b->n_tx);
    if (rc == 0)
        b->root = *plasma_merkle_tree_root(b->tree);
    plasma_buf_free(&buf);
    free(leaves);
    return rc;
}

/* ---- live outputs: the set, and each owner's list ---- */

static int live_add(sim_world *w, uint32_t out)
{
    int rc = plasma_grow((void **)&w->live, &w->cap_live, w->n_live + 1, sizeof *w->live);
    if (rc != 0)
        return rc;
    sim_out *o = &w->outs[out];
    o->live_ix = (uint32_t)w->n_live;
    w->live[w->n_live++] = out;
    o->next = w->users[o->owner].head;
    w->users[o->owner].head = out;
    return PLASMA_OK;
}

void sim_world_live_remove(sim_world *w, uint32_t out)
{
    sim_out *o = &w->outs[out];
    uint32_t last = w->live[--w->n_live];
    w->live[o->live_ix] = last;
    w->outs[last].live_ix = o->live_ix;
    o->live_ix = SIM_NONE;
    for (uint32_t *link = &w->users[o->owner].head; *link != SIM_NONE; link = &w->outs[*link].next) {
        if (*link == out) {
            *link = o->next;
            break;
        }
    }
    o->next = SIM_NONE;
}

void sim_world_spend(sim_world *w, uint32_t out, uint32_t tx)
{
    sim_out *o = &w->outs[out];
    sim_tx *t = &w->txs[tx];
    o->flags |= OUT_SPENT;
    o->spent_by = tx;
    t->in[t->n_in++] = o->pos;
    if (o->live_ix != SIM_NONE)
        sim_world_live_remove(w, out);
}

/* ---- users ---- */

static void user_address(plasma_addr *out, uint64_t seed, uint64_t i)
{
    uint8_t pre[15 + 16] = "plasma-sim user";
    plasma_hash h;
    for (int k = 0; k < 8; k++) {
        pre[15 + k] = (uint8_t)(seed >> (8 * k));
        pre[23 + k] = (uint8_t)(i >> (8 * k));
    }
    plasma_keccak256(&h, pre, sizeof pre);
    memcpy(out->b, h.b + 12, sizeof out->b);
}

static int make_users(sim_world *w)
{
    const sim_scenario *sc = w->sc;
    sim_rng rng;
    sim_rng_seed(&rng, sc->seed, USER_STREAM);
    w->users = calloc(sc->n_users, sizeof *w->users);
    w->user_addr = malloc(sc->n_users * sizeof *w->user_addr);
    if (!w->users || !w->user_addr)
        return PLASMA_ERR_NOMEM;
    for (uint64_t i = 0; i < sc->n_users; i++) {
        sim_user *u = &w->users[i];
        user_address(&w->user_addr[i], sc->seed, i);
        u->head = SIM_NONE;
        if (sim_rng_unit(&rng) < sc->offline_fraction)
            u->kind = USER_OFFLINE;
        else
            u->kind = sim_rng_unit(&rng) < sc->watch_fraction ? USER_WATCHER : USER_UNWATCHED;
    }
    return PLASMA_OK;
}

/* ---- the outputs the users hold after funding ---- */

typedef struct planned {
    plasma_u256 amount;
    uint32_t owner;
    uint8_t token;
} planned;

static unsigned pick_token(const sim_scenario *sc, sim_rng *rng)
{
    double total = 0;
    for (unsigned t = 0; t < sc->n_tokens; t++)
        total += sc->tokens[t].weight;
    double x = sim_rng_unit(rng) * total;
    for (unsigned t = 0; t + 1 < sc->n_tokens; t++) {
        if (x < sc->tokens[t].weight)
            return t;
        x -= sc->tokens[t].weight;
    }
    return sc->n_tokens - 1;
}

/* A sampled amount as a whole number of base units, at least 1. */
static void sample_amount(plasma_u256 *out, const sim_dist *d, sim_rng *rng)
{
    double x = floor(sim_dist_sample(d, rng));
    if (!(x >= 1))
        x = 1;
    if (x > 1e60)
        x = 1e60;
    double hi = floor(x / 18446744073709551616.0);
    plasma_u256 v = plasma_u256_from_u64(0), lo;
    if (hi > 0) {
        v = plasma_u256_from_u64((uint64_t)hi);
        plasma_u256_mul_u64(&v, &v, UINT64_MAX);
        plasma_u256 h = plasma_u256_from_u64((uint64_t)hi);
        plasma_u256_add(&v, &v, &h);
    }
    double rest = x - hi * 18446744073709551616.0;
    lo = plasma_u256_from_u64(rest < 18446744073709551615.0 ? (uint64_t)rest : UINT64_MAX);
    plasma_u256_add(out, &v, &lo);
}

static int plan_outputs(sim_world *w, planned **out, size_t *n_out, char *err, size_t errlen)
{
    const sim_scenario *sc = w->sc;
    sim_rng rng;
    sim_rng_seed(&rng, sc->seed, PLAN_STREAM);
    size_t n = 0, cap = 0;
    planned *p = NULL;
    for (uint64_t u = 0; u < sc->n_users; u++) {
        double k = llround(sim_dist_sample(&sc->utxos_per_user, &rng));
        size_t count = k < 1 ? 1 : k > 1000 ? 1000 : (size_t)k;
        if (n + count > SIM_MAX_UTXOS) {
            free(p);
            snprintf(err, errlen, "users.utxos_per_user: the users hold more than %u outputs", SIM_MAX_UTXOS);
            return SIM_EBADSCENARIO;
        }
        if (plasma_grow((void **)&p, &cap, n + count, sizeof *p) != 0) {
            free(p);
            return PLASMA_ERR_NOMEM;
        }
        for (size_t i = 0; i < count; i++, n++) {
            unsigned t = pick_token(sc, &rng);
            p[n].owner = (uint32_t)u;
            p[n].token = (uint8_t)t;
            sample_amount(&p[n].amount, sc->tokens[t].has_amount ? &sc->tokens[t].amount : &sc->amount, &rng);
        }
    }
    size_t stock = sim_ifx_stock_count(w);
    if (stock > 0 && plasma_grow((void **)&p, &cap, n + stock, sizeof *p) != 0) {
        free(p);
        return PLASMA_ERR_NOMEM;
    }
    sim_rng srng;
    sim_rng_seed(&srng, sc->seed, STOCK_STREAM);
    for (size_t i = 0; i < stock; i++, n++) {
        unsigned t = pick_token(sc, &srng);
        p[n].owner = SIM_OWNER_OPERATOR;
        p[n].token = (uint8_t)t;
        sample_amount(&p[n].amount, sc->tokens[t].has_amount ? &sc->tokens[t].amount : &sc->amount, &srng);
    }
    /* Shuffled, so that a user's outputs land in different transactions and
     * blocks, as they would after a history of payments. */
    for (size_t i = n; i > 1; i--) {
        size_t j = sim_rng_below(&rng, i);
        planned tmp = p[i - 1];
        p[i - 1] = p[j];
        p[j] = tmp;
    }
    *out = p;
    *n_out = n;
    return PLASMA_OK;
}

/* ---- funding: deposits fanned out by a tree of transactions ---- */

/* One token's funding tree. Level 0 transactions pay the users; a level j
 * transaction creates the inputs of four level j-1 ones; the top level
 * spends deposits. amt[j][i] is the input amount of level j transaction i. */
typedef struct fund_tree {
    const planned *leaves;
    size_t n_leaves, depth;
    size_t count[MAX_LEVELS];
    plasma_u256 *amt[MAX_LEVELS];
    uint32_t *src; /* the outputs the next level spends */
} fund_tree;

static void fund_tree_free(fund_tree *f)
{
    for (size_t j = 0; j < MAX_LEVELS; j++)
        free(f->amt[j]);
    free(f->src);
    memset(f, 0, sizeof *f);
}

static int fund_tree_plan(fund_tree *f, size_t budget)
{
    size_t c = (f->n_leaves + 3) / 4;
    for (f->depth = 0; f->depth < MAX_LEVELS; f->depth++) {
        f->count[f->depth] = c;
        f->amt[f->depth] = calloc(c ? c : 1, sizeof(plasma_u256));
        if (!f->amt[f->depth])
            return PLASMA_ERR_NOMEM;
        if (c <= budget)
            break;
        c = (c + 3) / 4;
    }
    /* Four outputs per transaction reach 20 million outputs from 124
     * deposits in 9 levels; MAX_LEVELS is never the limit. */
    if (f->depth == MAX_LEVELS)
        return PLASMA_ERR_INTERNAL;
    f->depth++;
    for (size_t i = 0; i < f->n_leaves; i++)
        plasma_u256_add(&f->amt[0][i / 4], &f->amt[0][i / 4], &f->leaves[i].amount);
    for (size_t j = 1; j < f->depth; j++)
        for (size_t i = 0; i < f->count[j - 1]; i++)
            plasma_u256_add(&f->amt[j][i / 4], &f->amt[j][i / 4], &f->amt[j - 1][i]);
    return PLASMA_OK;
}

static int fund_deposits(sim_world *w, fund_tree *f, uint8_t token)
{
    size_t top = f->depth - 1;
    f->src = malloc((f->count[top] ? f->count[top] : 1) * sizeof *f->src);
    if (!f->src)
        return PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < f->count[top]; i++) {
        uint32_t tx;
        int rc = open_block(w, true);
        if (rc == 0)
            rc = sim_world_new_tx(w, TX_DEPOSIT, true, &tx);
        if (rc == 0)
            rc = sim_world_new_out(w, tx, token, SIM_OWNER_OPERATOR, &f->amt[top][i], &f->src[i]);
        if (rc == 0)
            rc = close_block(w);
        if (rc != 0)
            return rc;
        plasma_u256_add(&w->deposited[token], &w->deposited[token], &f->amt[top][i]);
    }
    return PLASMA_OK;
}

int sim_world_room_for_tx(sim_world *w)
{
    if (w->blocks[w->n_blocks - 1].n_tx < PLASMA_MAX_TXS_PER_BLOCK)
        return PLASMA_OK;
    int rc = close_block(w);
    return rc ? rc : open_block(w, false);
}

/* One funding transaction of level j: spends src[i], creates the outputs
 * (users' at level 0) into next. */
static int fund_tx(sim_world *w, fund_tree *f, uint8_t token, size_t j, size_t i, uint32_t *next)
{
    uint32_t tx, out;
    int rc = sim_world_room_for_tx(w);
    if (rc == 0)
        rc = sim_world_new_tx(w, TX_FUNDING, true, &tx);
    if (rc != 0)
        return rc;
    sim_world_spend(w, f->src[i], tx);
    size_t first = 4 * i, end = j == 0 ? f->n_leaves : f->count[j - 1];
    for (size_t k = first; rc == 0 && k < first + 4 && k < end; k++) {
        if (j == 0) {
            rc = sim_world_new_out(w, tx, token, f->leaves[k].owner, &f->leaves[k].amount, &out);
            if (rc == 0 && f->leaves[k].owner == SIM_OWNER_OPERATOR)
                w->stock[w->n_stock++] = out;
            else if (rc == 0)
                rc = live_add(w, out);
        } else {
            rc = sim_world_new_out(w, tx, token, SIM_OWNER_OPERATOR, &f->amt[j - 1][k], &next[k]);
        }
    }
    return rc;
}

static int fund_level(sim_world *w, fund_tree *f, uint8_t token, size_t j)
{
    uint32_t *next = NULL;
    if (j > 0) {
        next = malloc((f->count[j - 1] ? f->count[j - 1] : 1) * sizeof *next);
        if (!next)
            return PLASMA_ERR_NOMEM;
    }
    int rc = PLASMA_OK;
    for (size_t i = 0; rc == 0 && i < f->count[j]; i++)
        rc = fund_tx(w, f, token, j, i, next);
    free(f->src);
    f->src = next;
    return rc;
}

/* Levels of all tokens are laid out top down, one run of blocks per level,
 * so that every input was created in an earlier block. */
static int fund_levels(sim_world *w, fund_tree *trees)
{
    size_t depth = 0;
    for (unsigned t = 0; t < w->sc->n_tokens; t++)
        if (trees[t].depth > depth)
            depth = trees[t].depth;
    for (size_t j = depth; j-- > 0;) {
        int rc = open_block(w, false);
        for (unsigned t = 0; rc == 0 && t < w->sc->n_tokens; t++)
            if (trees[t].depth > j && trees[t].n_leaves > 0)
                rc = fund_level(w, &trees[t], (uint8_t)t, j);
        if (rc == 0)
            rc = close_block(w);
        if (rc != 0)
            return rc;
    }
    return PLASMA_OK;
}

static int fund(sim_world *w, const planned *p, size_t n)
{
    fund_tree trees[SIM_MAX_TOKENS];
    memset(trees, 0, sizeof trees);
    size_t stock = sim_ifx_stock_count(w);
    w->stock = stock ? malloc(stock * sizeof *w->stock) : NULL;
    if (stock && !w->stock)
        return PLASMA_ERR_NOMEM;
    size_t budget = PLASMA_MAX_DEPOSITS_PER_INTERVAL / w->sc->n_tokens, at = 0;
    int rc = PLASMA_OK;
    /* p is grouped by token here. */
    for (unsigned t = 0; rc == 0 && t < w->sc->n_tokens; t++) {
        trees[t].leaves = p + at;
        while (at < n && p[at].token == t)
            at++;
        trees[t].n_leaves = (size_t)(p + at - trees[t].leaves);
        if (trees[t].n_leaves > 0)
            rc = fund_tree_plan(&trees[t], budget);
        if (rc == 0 && trees[t].n_leaves > 0)
            rc = fund_deposits(w, &trees[t], (uint8_t)t);
    }
    if (rc == 0)
        rc = fund_levels(w, trees);
    for (unsigned t = 0; t < SIM_MAX_TOKENS; t++)
        fund_tree_free(&trees[t]);
    return rc;
}

/* Stable grouping by token, keeping the shuffled order within a token. */
static int group_by_token(planned *p, size_t n)
{
    size_t start[SIM_MAX_TOKENS + 1] = {0};
    planned *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        start[p[i].token + 1]++;
    for (unsigned t = 1; t <= SIM_MAX_TOKENS; t++)
        start[t] += start[t - 1];
    for (size_t i = 0; i < n; i++)
        tmp[start[p[i].token]++] = p[i];
    memcpy(p, tmp, n * sizeof *p);
    free(tmp);
    return PLASMA_OK;
}

/* ---- payments ---- */

uint32_t sim_world_partner(const sim_world *w, uint32_t out)
{
    const sim_out *o = &w->outs[out];
    for (uint32_t k = w->users[o->owner].head; k != SIM_NONE; k = w->outs[k].next)
        if (k != out && w->outs[k].token == o->token)
            return k;
    return SIM_NONE;
}

/* A payment keeps the number of outputs: one input pays one recipient in
 * full, or two inputs pay a recipient and return change. New outputs are
 * collected in fresh and become spendable after the block. */
void sim_world_split(const sim_world *w, sim_rng *rng, uint32_t u, uint32_t v, plasma_u256 *pay,
                     plasma_u256 *change)
{
    *pay = w->outs[u].amount;
    *change = plasma_u256_from_u64(0);
    if (v == SIM_NONE)
        return;
    /* The recipient gets u and 0 to 3 quarters of v; the rest of v, at
     * least 1, is the change. */
    plasma_u256 quarter, part;
    plasma_u256_divmod_u64(&quarter, NULL, &w->outs[v].amount, 4);
    plasma_u256_mul_u64(&part, &quarter, sim_rng_below(rng, 4));
    plasma_u256_add(pay, pay, &part);
    plasma_u256_sub(change, &w->outs[v].amount, &part);
}

static int payment(sim_world *w, sim_rng *rng, uint32_t *fresh, size_t *n_fresh)
{
    uint32_t u = w->live[sim_rng_below(rng, w->n_live)], v = sim_world_partner(w, u), tx;
    uint32_t from = w->outs[u].owner, to = (uint32_t)sim_rng_below(rng, w->sc->n_users);
    if (to == from && w->sc->n_users > 1)
        to = (to + 1) % (uint32_t)w->sc->n_users;
    uint8_t token = w->outs[u].token;
    plasma_u256 pay, change;
    int rc = sim_world_room_for_tx(w);
    if (rc == 0)
        rc = sim_world_new_tx(w, TX_PAYMENT, true, &tx);
    if (rc != 0)
        return rc;
    sim_world_split(w, rng, u, v, &pay, &change);
    if (v != SIM_NONE)
        sim_world_spend(w, v, tx);
    sim_world_spend(w, u, tx);
    rc = sim_world_new_out(w, tx, token, to, &pay, &fresh[(*n_fresh)++]);
    if (rc == 0 && v != SIM_NONE)
        rc = sim_world_new_out(w, tx, token, from, &change, &fresh[(*n_fresh)++]);
    return rc;
}

static int activity(sim_world *w)
{
    const sim_scenario *sc = w->sc;
    sim_rng rng;
    sim_rng_seed(&rng, sc->seed, ACTIVITY_STREAM);
    uint32_t *fresh = malloc((2 * sc->payments_per_block + 1) * sizeof *fresh);
    int rc = fresh ? PLASMA_OK : PLASMA_ERR_NOMEM;
    for (uint64_t b = 0; rc == 0 && b < sc->activity_blocks; b++) {
        size_t n_fresh = 0;
        rc = open_block(w, false);
        for (uint64_t i = 0; rc == 0 && i < sc->payments_per_block && w->n_live > 0; i++)
            rc = payment(w, &rng, fresh, &n_fresh);
        if (rc == 0)
            rc = close_block(w);
        for (size_t i = 0; rc == 0 && i < n_fresh; i++)
            rc = live_add(w, fresh[i]);
    }
    free(fresh);
    return rc;
}

int sim_world_build(sim_world *w, const sim_scenario *sc, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    w->sc = sc;
    w->next_child = PLASMA_CHILD_BLOCK_INTERVAL;
    plasma_dev_key(&w->operator_key, 0);
    plasma_dev_addr(&w->operator_addr, 0);
    planned *p = NULL;
    size_t n = 0;
    int rc = make_users(w);
    if (rc == 0)
        rc = sim_ifx_senders(w);
    if (rc == 0)
        rc = plan_outputs(w, &p, &n, err, errlen);
    if (rc == 0)
        rc = group_by_token(p, n);
    if (rc == 0)
        rc = fund(w, p, n);
    free(p);
    if (rc == 0)
        rc = activity(w);
    w->first_incident_block = w->n_blocks;
    return rc;
}

/* ---- the incident ---- */

/* Picks k distinct entries of from[0..n) into the front of a copy. */
static uint32_t *sample(sim_rng *rng, const uint32_t *from, size_t n, size_t k)
{
    uint32_t *a = malloc((n ? n : 1) * sizeof *a);
    if (!a)
        return NULL;
    memcpy(a, from, n * sizeof *a);
    for (size_t i = 0; i < k; i++) {
        size_t j = i + sim_rng_below(rng, n - i);
        uint32_t tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
    }
    return a;
}

static int theft_tx(sim_world *w, const uint32_t *victims, size_t n, uint32_t *stolen)
{
    uint32_t tx;
    plasma_u256 sum = plasma_u256_from_u64(0);
    int rc = sim_world_room_for_tx(w);
    if (rc == 0)
        rc = sim_world_new_tx(w, TX_THEFT, true, &tx);
    if (rc != 0)
        return rc;
    sim_tx *t = &w->txs[tx];
    for (size_t i = 0; i < n; i++) {
        sim_out *v = &w->outs[victims[i]];
        v->flags |= OUT_VICTIM;
        t->in[t->n_in++] = v->pos;
        plasma_u256_add(&sum, &sum, &v->amount);
    }
    rc = sim_world_new_out(w, tx, w->outs[victims[0]].token, SIM_OWNER_OPERATOR, &sum, stolen);
    if (rc == 0) {
        w->outs[*stolen].flags |= OUT_THEFT;
        w->theft_txs[w->n_theft_txs++] = tx;
    }
    return rc;
}

/* Invalid transactions in block B: each spends up to victims_per_tx
 * outputs of one token, without their owners' signatures, into one output
 * of the operator. */
static int theft_block(sim_world *w, uint32_t *victims, size_t n)
{
    const sim_scenario *sc = w->sc;
    int rc = open_block(w, false);
    /* The users' txs the operator acknowledged come first. */
    if (rc == 0)
        rc = sim_ifx_fill_block(w);
    for (unsigned t = 0; rc == 0 && t < sc->n_tokens; t++) {
        uint32_t batch[PLASMA_MAX_INPUTS];
        size_t nb = 0;
        for (size_t i = 0; rc == 0 && i <= n; i++) {
            bool flush = nb > 0 && (i == n || nb == sc->victims_per_tx);
            if (flush) {
                uint32_t stolen;
                rc = theft_tx(w, batch, nb, &stolen);
                if (rc == 0)
                    w->op_exits[w->n_op_exits++] = stolen;
                nb = 0;
            }
            if (i < n && w->outs[victims[i]].token == t)
                batch[nb++] = victims[i];
        }
    }
    for (size_t b = w->first_incident_block; b < w->n_blocks; b++)
        w->blocks[b].withheld = sc->behaviour == SIM_OP_WITHHOLD;
    return rc == 0 ? close_block(w) : rc;
}

/* The operator's own outputs that valid, published transactions spent. */
static int spent_targets(sim_world *w, sim_rng *rng)
{
    size_t n = 0;
    uint32_t *cand = malloc((w->n_outs ? w->n_outs : 1) * sizeof *cand);
    if (!cand)
        return PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < w->n_outs; i++)
        if (w->outs[i].owner == SIM_OWNER_OPERATOR && w->outs[i].spent_by != SIM_NONE)
            cand[n++] = (uint32_t)i;
    size_t k = w->sc->exit_spent < n ? w->sc->exit_spent : n;
    uint32_t *pick = sample(rng, cand, n, k);
    free(cand);
    if (!pick)
        return PLASMA_ERR_NOMEM;
    memcpy(w->op_exits + w->n_op_exits, pick, k * sizeof *pick);
    w->n_op_exits += k;
    free(pick);
    return PLASMA_OK;
}

int sim_world_incident(sim_world *w)
{
    const sim_scenario *sc = w->sc;
    if (sc->behaviour != SIM_OP_WITHHOLD && sc->behaviour != SIM_OP_THEFT)
        return PLASMA_OK;
    sim_rng rng;
    sim_rng_seed(&rng, sc->seed, INCIDENT_STREAM);
    /* The txs in flight spend their inputs before the theft picks its
     * victims among the outputs left. */
    int rc = sim_ifx_plan(w);
    size_t k = (size_t)llround(sc->steal_fraction * (double)w->n_live);
    w->op_exits = rc == 0 ? malloc((k + sc->exit_spent + 1) * sizeof *w->op_exits) : NULL;
    w->theft_txs = rc == 0 ? malloc((k + 1) * sizeof *w->theft_txs) : NULL;
    if (rc == 0 && (!w->op_exits || !w->theft_txs))
        rc = PLASMA_ERR_NOMEM;
    if (rc == 0)
        rc = spent_targets(w, &rng);
    uint32_t *victims = rc == 0 ? sample(&rng, w->live, w->n_live, k) : NULL;
    if (rc == 0 && !victims)
        rc = PLASMA_ERR_NOMEM;
    if (rc == 0 && (k > 0 || sc->behaviour == SIM_OP_WITHHOLD))
        rc = theft_block(w, victims, k);
    free(victims);
    return rc == 0 ? sim_ifx_finish(w) : rc;
}

void sim_world_free(sim_world *w)
{
    for (size_t i = 0; i < w->n_blocks; i++)
        plasma_merkle_free(w->blocks[i].tree);
    free(w->blocks);
    free(w->txs);
    free(w->outs);
    free(w->users);
    free(w->user_addr);
    free(w->live);
    free(w->op_exits);
    free(w->theft_txs);
    free(w->stock);
    free(w->ifx);
    free(w->key_user);
    if (w->keys)
        plasma_wipe(w->keys, w->n_keys * sizeof *w->keys);
    free(w->keys);
    plasma_wipe(&w->operator_key, sizeof w->operator_key);
    memset(w, 0, sizeof *w);
}

/* ---- lookups and encodings ---- */

uint32_t sim_world_find(const sim_world *w, uint64_t pos)
{
    uint64_t blknum = plasma_pos_blknum(pos);
    size_t b;
    if (plasma_is_child_blknum(blknum))
        b = w->n_deposits + blknum / PLASMA_CHILD_BLOCK_INTERVAL - 1;
    else
        b = blknum - 1;
    if (blknum == 0 || b >= w->n_blocks || w->blocks[b].blknum != blknum)
        return SIM_NONE;
    uint32_t txindex = plasma_pos_txindex(pos), oindex = plasma_pos_oindex(pos);
    if (txindex >= w->blocks[b].n_tx)
        return SIM_NONE;
    const sim_tx *t = &w->txs[w->blocks[b].first_tx + txindex];
    return oindex < t->n_out ? t->first_out + oindex : SIM_NONE;
}

const plasma_addr *sim_world_owner(const sim_world *w, uint32_t out)
{
    uint32_t owner = w->outs[out].owner;
    return owner == SIM_OWNER_OPERATOR ? &w->operator_addr : &w->user_addr[owner];
}

const plasma_addr *sim_world_token(const sim_world *w, unsigned token)
{
    return &w->sc->tokens[token].addr;
}

void sim_world_build_tx(const sim_world *w, uint32_t tx, plasma_tx *out)
{
    const sim_tx *t = &w->txs[tx];
    const sim_out *first = &w->outs[t->first_out];
    if (t->kind == TX_DEPOSIT) {
        plasma_tx_make_deposit(out, &w->operator_addr, sim_world_token(w, first->token), &first->amount);
        return;
    }
    memset(out, 0, sizeof *out);
    out->tx_type = PLASMA_TX_PAYMENT;
    out->n_inputs = t->n_in;
    memcpy(out->inputs, t->in, sizeof t->in);
    out->n_outputs = t->n_out;
    for (uint8_t k = 0; k < t->n_out; k++) {
        out->outputs[k].owner = *sim_world_owner(w, t->first_out + k);
        out->outputs[k].token = *sim_world_token(w, first[k].token);
        out->outputs[k].amount = first[k].amount;
    }
}

int sim_world_encode_tx(const sim_world *w, uint32_t tx, plasma_buf *buf)
{
    plasma_tx t;
    sim_world_build_tx(w, tx, &t);
    return plasma_tx_encode_unsigned(buf, &t);
}

/* A deposit block's tree has one leaf: the proof is the empty subtrees. */
static void deposit_proof(uint8_t proof[PLASMA_MERKLE_PROOF_LEN])
{
    for (unsigned level = 0; level < PLASMA_MERKLE_DEPTH; level++)
        memcpy(proof + 32 * level, plasma_merkle_empty(level)->b, 32);
}

int sim_world_proof(const sim_world *w, uint32_t tx, uint8_t proof[PLASMA_MERKLE_PROOF_LEN])
{
    const sim_tx *t = &w->txs[tx];
    if (t->block == SIM_NO_BLOCK)
        return PLASMA_ERR_INTERNAL;
    const sim_block *b = &w->blocks[t->block];
    if (b->deposit) {
        deposit_proof(proof);
        return PLASMA_OK;
    }
    return plasma_merkle_proof(proof, b->tree, tx - b->first_tx);
}

int sim_world_exit_args(const sim_world *w, uint32_t out, plasma_call *call)
{
    const sim_out *o = &w->outs[out];
    plasma_buf buf = {0};
    int rc = sim_world_encode_tx(w, o->tx, &buf);
    if (rc == 0 && buf.len > sizeof call->start_exit.tx)
        rc = PLASMA_ERR_INTERNAL;
    if (rc == 0) {
        call->start_exit.utxo_pos = o->pos;
        call->start_exit.tx_len = buf.len;
        memcpy(call->start_exit.tx, buf.data, buf.len);
        rc = sim_world_proof(w, o->tx, call->start_exit.proof);
    }
    plasma_buf_free(&buf);
    return rc;
}

int sim_world_challenge_args(const sim_world *w, uint32_t out, const plasma_domain *dom, plasma_call *call)
{
    const sim_out *o = &w->outs[out];
    plasma_tx t;
    /* Only the operator's outputs are challenged; every input of the tx
     * that spent one is signed by its owner (the operator, or the user of
     * a trade). */
    int rc = sim_ifx_sign(w, o->spent_by, dom, NULL, &t);
    uint32_t index = 0;
    for (unsigned i = 0; rc == 0 && i < t.n_inputs; i++)
        if (t.inputs[i] == o->pos)
            index = i;
    plasma_buf buf = {0};
    if (rc == 0)
        rc = plasma_tx_encode_signed(&buf, &t);
    if (rc == 0 && buf.len > sizeof call->challenge_exit.tx)
        rc = PLASMA_ERR_INTERNAL;
    if (rc == 0) {
        call->challenge_exit.exit_id = o->pos;
        call->challenge_exit.input_index = index;
        call->challenge_exit.tx_len = buf.len;
        memcpy(call->challenge_exit.tx, buf.data, buf.len);
    }
    plasma_buf_free(&buf);
    return rc;
}
