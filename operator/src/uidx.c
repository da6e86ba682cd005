/* Entries are kept small (tokens interned to 32-bit ids, amounts inline when
 * they fit 64 bits) so that millions of outputs fit in memory. */
#include "uidx.h"

#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/u256.h"

typedef struct entry {
    plasma_addr owner;
    uint32_t token_id;
    uint8_t state;
    uint8_t big; /* amount lives in x->big */
    uint8_t pad[2];
    uint64_t amount_lo;
} entry;

int op_uidx_init(op_uidx *x, size_t max_bytes)
{
    memset(x, 0, sizeof *x);
    int rc = op_hmap_init(&x->map, sizeof(uint64_t), sizeof(entry));
    if (rc == 0)
        rc = op_hmap_init(&x->big, sizeof(uint64_t), sizeof(plasma_u256));
    if (rc == 0)
        rc = op_hmap_init(&x->token_ids, sizeof(plasma_addr), sizeof(uint32_t));
    /* The largest table within max_bytes, filled to its load limit. */
    size_t slot = x->map.slot_len, cap = 16;
    while (cap * 2 * slot <= max_bytes)
        cap *= 2;
    x->max_entries = max_bytes ? (cap * slot <= max_bytes ? cap * 3 / 4 : 0) : SIZE_MAX;
    x->complete = true;
    return rc;
}

void op_uidx_free(op_uidx *x)
{
    op_hmap_free(&x->map);
    op_hmap_free(&x->big);
    op_hmap_free(&x->token_ids);
    free(x->tokens);
    memset(x, 0, sizeof *x);
}

size_t op_uidx_bytes(const op_uidx *x)
{
    return op_hmap_bytes(&x->map) + op_hmap_bytes(&x->big) + op_hmap_bytes(&x->token_ids) +
           x->tokens_cap * sizeof(plasma_addr);
}

static int token_id(op_uidx *x, const plasma_addr *token, uint32_t *out)
{
    void *v;
    int rc = op_hmap_put(&x->token_ids, token, &v);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        memcpy(out, v, sizeof *out);
        return PLASMA_OK;
    }
    if (x->n_tokens == x->tokens_cap) {
        uint32_t cap = x->tokens_cap ? x->tokens_cap * 2 : 16;
        plasma_addr *t = realloc(x->tokens, cap * sizeof *t);
        if (!t) {
            op_hmap_del(&x->token_ids, token);
            return PLASMA_ERR_NOMEM;
        }
        x->tokens = t;
        x->tokens_cap = cap;
    }
    x->tokens[x->n_tokens] = *token;
    *out = x->n_tokens++;
    memcpy(v, out, sizeof *out);
    return PLASMA_OK;
}

bool op_uidx_get(const op_uidx *x, uint64_t pos, op_utxo_rec *rec, op_ustate *state)
{
    const void *v = op_hmap_get(&x->map, &pos);
    if (!v)
        return false;
    entry e;
    memcpy(&e, v, sizeof e);
    rec->owner = e.owner;
    rec->token = x->tokens[e.token_id];
    if (e.big) {
        const void *a = op_hmap_get(&x->big, &pos);
        memcpy(&rec->amount, a, sizeof rec->amount);
    } else {
        rec->amount = plasma_u256_from_u64(e.amount_lo);
    }
    *state = (op_ustate)e.state;
    return true;
}

static int store_amount(op_uidx *x, uint64_t pos, entry *e, const plasma_u256 *amount)
{
    if (plasma_u256_to_u64(amount, &e->amount_lo)) {
        e->big = 0;
        op_hmap_del(&x->big, &pos);
        return PLASMA_OK;
    }
    void *v;
    int rc = op_hmap_put(&x->big, &pos, &v);
    if (rc < 0)
        return rc;
    memcpy(v, amount, sizeof *amount);
    e->big = 1;
    e->amount_lo = 0;
    return PLASMA_OK;
}

int op_uidx_put(op_uidx *x, uint64_t pos, const op_utxo_rec *rec, op_ustate state)
{
    entry e = {.owner = rec->owner, .state = (uint8_t)state};
    int rc = token_id(x, &rec->token, &e.token_id);
    if (rc == 0)
        rc = store_amount(x, pos, &e, &rec->amount);
    if (rc < 0)
        return rc;
    void *v;
    rc = op_hmap_put(&x->map, &pos, &v);
    if (rc < 0) {
        op_hmap_del(&x->big, &pos);
        return rc;
    }
    memcpy(v, &e, sizeof e);
    return PLASMA_OK;
}

int op_uidx_cache(op_uidx *x, uint64_t pos, const op_utxo_rec *rec)
{
    if (x->map.count >= x->max_entries) {
        x->complete = false;
        return PLASMA_OK;
    }
    return op_uidx_put(x, pos, rec, OP_U_UNSPENT);
}

bool op_uidx_set_state(op_uidx *x, uint64_t pos, op_ustate state)
{
    uint8_t *v = op_hmap_get(&x->map, &pos);
    if (!v)
        return false;
    v[offsetof(entry, state)] = (uint8_t)state;
    return true;
}

void op_uidx_settle_new(op_uidx *x, uint64_t pos)
{
    uint8_t *v = op_hmap_get(&x->map, &pos);
    if (!v || v[offsetof(entry, state)] != OP_U_PENDING_NEW)
        return;
    if (x->map.count > x->max_entries) {
        op_uidx_del(x, pos);
        x->complete = false;
        return;
    }
    v[offsetof(entry, state)] = (uint8_t)OP_U_UNSPENT;
}

void op_uidx_del(op_uidx *x, uint64_t pos)
{
    const uint8_t *v = op_hmap_get(&x->map, &pos);
    if (!v)
        return;
    if (v[offsetof(entry, big)])
        op_hmap_del(&x->big, &pos);
    op_hmap_del(&x->map, &pos);
}
