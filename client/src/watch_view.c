/* The watcher's view, held in memory (see watch_view.h). */
#include "watch_view.h"

#include <stdlib.h>
#include <string.h>

/* One staged change, undone by watch_view_discard. */
typedef struct view_change {
    uint64_t pos;
    enum { CH_ADDED, CH_SPENT, CH_EXITING } what;
} view_change;

struct watch_view {
    watch_utxo *utxos; /* sorted by pos */
    size_t n_utxos, cap_utxos;
    watch_kept_block *blocks; /* by blknum */
    size_t n_blocks, cap_blocks;
    view_change *staged;
    size_t n_staged, cap_staged;
};

int watch_view_new(watch_view **out)
{
    watch_view *v = calloc(1, sizeof *v);
    if (!v)
        return PLASMA_ERR_NOMEM;
    *out = v;
    return 0;
}

static void kept_free(watch_kept_block *b)
{
    for (size_t i = 0; b->raw && i < b->n; i++)
        free(b->raw[i]);
    free(b->raw);
    free(b->raw_len);
    free(b->leaves);
}

void watch_view_free(watch_view *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_blocks; i++)
        kept_free(&v->blocks[i]);
    free(v->blocks);
    free(v->utxos);
    free(v->staged);
    free(v);
}

/* Index of pos in the sorted view, or where it would go (*found false). */
static size_t utxo_find(const watch_view *v, uint64_t pos, bool *found)
{
    size_t lo = 0, hi = v->n_utxos;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->utxos[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < v->n_utxos && v->utxos[lo].pos == pos;
    return lo;
}

static watch_utxo *utxo_at(watch_view *v, uint64_t pos)
{
    bool found;
    size_t i = utxo_find(v, pos, &found);
    return found ? &v->utxos[i] : NULL;
}

int watch_view_get(watch_view *v, uint64_t pos, watch_utxo *u)
{
    const watch_utxo *e = utxo_at(v, pos);
    if (!e)
        return PLASMA_ERR_NOT_FOUND;
    *u = *e;
    return 0;
}

static int stage(watch_view *v, uint64_t pos, int what)
{
    if (plasma_grow((void **)&v->staged, &v->cap_staged, v->n_staged + 1, sizeof *v->staged) < 0)
        return PLASMA_ERR_NOMEM;
    v->staged[v->n_staged++] = (view_change){.pos = pos, .what = what};
    return 0;
}

int watch_view_add(watch_view *v, uint64_t pos, const plasma_output *out)
{
    bool found;
    size_t i = utxo_find(v, pos, &found);
    if (found)
        return 0;
    if (plasma_grow((void **)&v->utxos, &v->cap_utxos, v->n_utxos + 1, sizeof *v->utxos) < 0 ||
        stage(v, pos, CH_ADDED) != 0)
        return PLASMA_ERR_NOMEM;
    memmove(&v->utxos[i + 1], &v->utxos[i], (v->n_utxos - i) * sizeof *v->utxos);
    v->utxos[i] = (watch_utxo){.pos = pos, .out = *out};
    v->n_utxos++;
    return 0;
}

int watch_view_spend(watch_view *v, uint64_t pos, uint64_t blknum, uint32_t txindex, uint32_t input)
{
    watch_utxo *u = utxo_at(v, pos);
    if (!u)
        return PLASMA_ERR_NOT_FOUND;
    if (stage(v, pos, CH_SPENT) != 0)
        return PLASMA_ERR_NOMEM;
    u->spent = true;
    u->spend_blknum = blknum;
    u->spend_txindex = txindex;
    u->spend_input = input;
    return 0;
}

int watch_view_mark_exiting(watch_view *v, uint64_t pos)
{
    watch_utxo *u = utxo_at(v, pos);
    if (!u || u->exiting)
        return 0;
    if (stage(v, pos, CH_EXITING) != 0)
        return PLASMA_ERR_NOMEM;
    u->exiting = true;
    return 0;
}

int watch_view_commit(watch_view *v)
{
    v->n_staged = 0;
    return 0;
}

static void utxo_remove(watch_view *v, uint64_t pos)
{
    bool found;
    size_t i = utxo_find(v, pos, &found);
    if (!found)
        return;
    memmove(&v->utxos[i], &v->utxos[i + 1], (v->n_utxos - i - 1) * sizeof *v->utxos);
    v->n_utxos--;
}

void watch_view_discard(watch_view *v)
{
    while (v->n_staged > 0) {
        const view_change *ch = &v->staged[--v->n_staged];
        watch_utxo *u = utxo_at(v, ch->pos);
        if (ch->what == CH_ADDED)
            utxo_remove(v, ch->pos);
        else if (u && ch->what == CH_SPENT)
            u->spent = false;
        else if (u)
            u->exiting = false;
    }
}

/* --- verified blocks --- */

static const watch_kept_block *block_get(const watch_view *v, uint64_t blknum)
{
    size_t lo = 0, hi = v->n_blocks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->blocks[mid].blknum < blknum)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < v->n_blocks && v->blocks[lo].blknum == blknum ? &v->blocks[lo] : NULL;
}

int watch_view_keep_block(watch_view *v, watch_kept_block *b)
{
    if (plasma_grow((void **)&v->blocks, &v->cap_blocks, v->n_blocks + 1, sizeof *v->blocks) < 0) {
        kept_free(b);
        return PLASMA_ERR_NOMEM;
    }
    v->blocks[v->n_blocks++] = *b;
    return 0;
}

bool watch_view_has_block(const watch_view *v, uint64_t blknum)
{
    return block_get(v, blknum) != NULL;
}

int watch_view_block_tx(watch_view *v, uint64_t blknum, uint32_t txindex, plasma_buf *buf)
{
    const watch_kept_block *b = block_get(v, blknum);
    if (!b || txindex >= b->n)
        return PLASMA_ERR_NOT_FOUND;
    return plasma_buf_append(buf, b->raw[txindex], b->raw_len[txindex]) == 0 ? 0 : PLASMA_ERR_NOMEM;
}

int watch_view_exit_data(watch_view *v, uint64_t pos, plasma_call *call)
{
    const watch_kept_block *b = block_get(v, plasma_pos_blknum(pos));
    uint32_t txi = plasma_pos_txindex(pos);
    plasma_merkle *tree = NULL;
    plasma_buf u = {0};
    plasma_tx tx;
    int rc;
    if (!b || txi >= b->n || plasma_tx_decode_block_tx(&tx, b->raw[txi], b->raw_len[txi]) != 0)
        return PLASMA_ERR_NOT_FOUND;
    if ((rc = plasma_tx_encode_unsigned(&u, &tx)) != 0)
        goto cleanup;
    if (u.len > PLASMA_CALL_MAX_TX) {
        rc = PLASMA_ERR_NOT_FOUND;
        goto cleanup;
    }
    if ((rc = plasma_merkle_build(&tree, b->leaves, b->n)) != 0 ||
        (rc = plasma_merkle_proof(call->start_exit.proof, tree, txi)) != 0)
        goto cleanup;
    memcpy(call->start_exit.tx, u.data, u.len);
    call->start_exit.tx_len = u.len;
    call->start_exit.utxo_pos = pos;
cleanup:
    plasma_merkle_free(tree);
    plasma_buf_free(&u);
    return rc;
}

int watch_view_foreach(watch_view *v, int (*fn)(void *ctx, const watch_utxo *u), void *ctx)
{
    for (size_t i = 0; i < v->n_utxos; i++) {
        int rc = fn(ctx, &v->utxos[i]);
        if (rc)
            return rc;
    }
    return 0;
}
