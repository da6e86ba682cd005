/* The event follower. See plasma/eth_follow.h and docs/eth.md.
 *
 * The follower remembers the hashes of the blocks it has read near the
 * confirmed head (every block within reorg_window of it) and of the last
 * block of every range. Each poll first checks the cursor's block against
 * the chain; on a mismatch it walks its remembered blocks back, newest
 * first, to the newest one the chain still has: the common ancestor. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plasma/err.h"
#include "plasma/eth_follow.h"
#include "eth_internal.h"

#define HEADER_BATCH 50

struct plasma_eth_follower {
    plasma_eth_rpc *rpc;
    plasma_eth_follow_config cfg;
    plasma_eth_follow_consumer consumer;
    plasma_eth_cursor cursor;
    bool have_hash; /* false until the start block's parent is read */
    uint64_t range; /* the current eth_getLogs span: halved on "too many results", regrown on success */
    plasma_eth_cursor *history; /* ascending block numbers, at most history_cap */
    size_t n_history, history_cap;
    uint64_t skipped;
    char message[320];
};

/* A range's logs, sorted, and the hashes of its blocks near the head. */
typedef struct range_read {
    uint64_t from, to;
    plasma_eth_log *logs;
    size_t n_logs;
    uint64_t lo;         /* first block whose header was read (at most to) */
    plasma_hash *hashes; /* of blocks lo..to */
} range_read;

void plasma_eth_follow_config_default(plasma_eth_follow_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->start_block = 1;
    cfg->confirmations = 12;
    cfg->max_range = 1000;
    cfg->reorg_window = 64;
}

/* Records a failure's message in f->message and returns err. */
#define fail(f, code, ...) plasma_eth_fail((f)->message, sizeof(f)->message, (code), __VA_ARGS__)

static int fail_rpc(plasma_eth_follower *f, int err)
{
    return fail(f, err, "%s", plasma_eth_rpc_last_error(f->rpc)->message);
}

int plasma_eth_follower_new(plasma_eth_follower **out, plasma_eth_rpc *rpc,
                            const plasma_eth_follow_config *cfg, const plasma_eth_follow_consumer *consumer,
                            const plasma_eth_cursor *resume)
{
    if (cfg->max_range < 1 || cfg->max_range > 100000 || cfg->reorg_window < 1 || cfg->reorg_window > 10000 ||
        cfg->confirmations > 10000 || cfg->start_block < 1 || !consumer->on_event || !consumer->on_block ||
        !consumer->on_undo)
        return PLASMA_ERR_CONFIG;
    plasma_eth_follower *f = calloc(1, sizeof *f);
    if (!f)
        return PLASMA_ERR_NOMEM;
    f->rpc = rpc;
    f->cfg = *cfg;
    f->consumer = *consumer;
    f->range = cfg->max_range;
    f->history_cap = 2 * (size_t)cfg->reorg_window + 8;
    f->history = calloc(f->history_cap, sizeof *f->history);
    if (!f->history) {
        free(f);
        return PLASMA_ERR_NOMEM;
    }
    f->cursor.number = cfg->start_block - 1;
    if (resume) {
        f->cursor = *resume;
        f->have_hash = true;
        f->history[f->n_history++] = *resume;
    }
    *out = f;
    return PLASMA_OK;
}

void plasma_eth_follower_free(plasma_eth_follower *f)
{
    if (!f)
        return;
    free(f->history);
    free(f);
}

const plasma_eth_cursor *plasma_eth_follower_cursor(const plasma_eth_follower *f)
{
    return &f->cursor;
}

uint64_t plasma_eth_follower_skipped(const plasma_eth_follower *f)
{
    return f->skipped;
}

const char *plasma_eth_follower_errmsg(const plasma_eth_follower *f)
{
    return f->message;
}

/* --- remembered blocks --- */

static void remember(plasma_eth_follower *f, uint64_t number, const plasma_hash *hash)
{
    if (f->n_history && f->history[f->n_history - 1].number >= number)
        return;
    if (f->n_history == f->history_cap) {
        memmove(f->history, f->history + 1, (f->n_history - 1) * sizeof *f->history);
        f->n_history--;
    }
    f->history[f->n_history++] = (plasma_eth_cursor){.number = number, .hash = *hash};
}

static void forget_after(plasma_eth_follower *f, uint64_t number)
{
    while (f->n_history && f->history[f->n_history - 1].number > number)
        f->n_history--;
}

/* --- reading the chain --- */

static json_t *block_params(uint64_t number)
{
    return json_pack("[o,b]", plasma_eth_quantity_json(number), 0);
}

/* Out: the head and the header at the cursor (found false when the chain
 * has no such block any more), in one batch. */
static int read_head(plasma_eth_follower *f, uint64_t *head, plasma_eth_header *at, bool *found)
{
    json_t *params = block_params(f->cursor.number);
    plasma_eth_rpc_req reqs[2] = {{.method = "eth_blockNumber"},
                                  {.method = "eth_getBlockByNumber", .params = params}};
    if (!params)
        return fail(f, PLASMA_ERR_NOMEM, "out of memory");
    int rc = plasma_eth_rpc_batch(f->rpc, reqs, 2);
    if (rc != 0) {
        fail_rpc(f, rc);
    } else if (reqs[0].err || reqs[1].err) {
        rc = fail(f, reqs[0].err ? reqs[0].err : reqs[1].err, "%s",
                  reqs[0].err ? reqs[0].message : reqs[1].message);
    } else if (plasma_eth_quantity_u64(head, reqs[0].result) != 0) {
        rc = fail(f, PLASMA_ERR_BAD_REQUEST, "eth_blockNumber: the answer is not a quantity");
    } else {
        int hr = plasma_eth_header_from_json(at, reqs[1].result);
        *found = hr == 0;
        if (hr == PLASMA_ERR_BAD_REQUEST || (hr == 0 && at->number != f->cursor.number))
            rc = fail(f, PLASMA_ERR_BAD_REQUEST, "eth_getBlockByNumber: malformed block");
    }
    json_decref(reqs[0].result);
    json_decref(reqs[1].result);
    json_decref(params);
    return rc;
}

static int read_header(plasma_eth_follower *f, uint64_t number, plasma_eth_header *h, bool *found)
{
    int rc = plasma_eth_header_get(f->rpc, number, h);
    *found = rc == 0;
    if (rc == PLASMA_ERR_NOT_FOUND)
        return PLASMA_OK;
    return rc == 0 ? PLASMA_OK : fail_rpc(f, rc);
}

/* Reads the headers of blocks first..first+n-1 in batches; each must chain
 * to the one before, the first to parent when it is not NULL. Out: their
 * hashes. Returns PLASMA_ERR_UNAVAILABLE when the chain changed under the
 * reads (the next poll sees the change). */
static int read_hashes(plasma_eth_follower *f, uint64_t first, size_t n, const plasma_hash *parent,
                       plasma_hash *hashes)
{
    plasma_eth_rpc_req reqs[HEADER_BATCH];
    json_t *params[HEADER_BATCH];
    for (size_t done = 0; done < n;) {
        size_t k = n - done < HEADER_BATCH ? n - done : HEADER_BATCH;
        memset(reqs, 0, sizeof reqs);
        int rc = PLASMA_OK;
        for (size_t i = 0; i < k; i++) {
            params[i] = block_params(first + done + i);
            reqs[i] = (plasma_eth_rpc_req){.method = "eth_getBlockByNumber", .params = params[i]};
            if (!params[i])
                rc = PLASMA_ERR_NOMEM;
        }
        if (rc == 0 && (rc = plasma_eth_rpc_batch(f->rpc, reqs, k)) != 0)
            fail_rpc(f, rc);
        for (size_t i = 0; i < k; i++) {
            plasma_eth_header h;
            size_t at = done + i;
            if (rc == 0 && reqs[i].err)
                rc = fail(f, reqs[i].err, "eth_getBlockByNumber: %s", reqs[i].message);
            else if (rc == 0 &&
                     (plasma_eth_header_from_json(&h, reqs[i].result) != 0 || h.number != first + at))
                rc = fail(f, PLASMA_ERR_UNAVAILABLE, "block %llu changed or vanished while being read",
                          (unsigned long long)(first + at));
            else if (rc == 0 && (at > 0 || parent) &&
                     !plasma_hash_eq(&h.parent_hash, at ? &hashes[at - 1] : parent))
                rc = fail(f, PLASMA_ERR_UNAVAILABLE, "the chain was reorganised while being read");
            else if (rc == 0)
                hashes[at] = h.hash;
            json_decref(reqs[i].result);
            json_decref(params[i]);
        }
        if (rc != 0)
            return rc;
        done += k;
    }
    return PLASMA_OK;
}

static bool too_many_results(const plasma_eth_rpc_error *e)
{
    static const char *const SAYS[] = {"too many", "more than", "limit", "range", "exceed"};
    if (e->err != PLASMA_ERR_RPC)
        return false;
    if (e->code == -32005)
        return true;
    for (size_t i = 0; i < sizeof SAYS / sizeof SAYS[0]; i++)
        for (const char *m = e->message; *m; m++)
            if (strncasecmp(m, SAYS[i], strlen(SAYS[i])) == 0)
                return true;
    return false;
}

static void free_logs(plasma_eth_log *logs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        plasma_eth_log_clear(&logs[i]);
    free(logs);
}

/* eth_getLogs of the contract over r->from..r->to. */
static int get_logs(plasma_eth_follower *f, range_read *r, json_t **res)
{
    json_t *params =
        json_pack("[{s:o,s:o,s:o}]", "address", plasma_eth_addr_json(&f->cfg.contract), "fromBlock",
                  plasma_eth_quantity_json(r->from), "toBlock", plasma_eth_quantity_json(r->to));
    if (!params)
        return fail(f, PLASMA_ERR_NOMEM, "out of memory");
    int rc = plasma_eth_rpc_call(f->rpc, "eth_getLogs", params, res);
    json_decref(params);
    return rc;
}

/* Reads the logs of from.. up to f->range blocks (but not past target),
 * halving the span while the node answers "too many results". */
static int read_logs(plasma_eth_follower *f, range_read *r, uint64_t target)
{
    json_t *res = NULL;
    int rc;
    for (;;) {
        r->to = target - r->from + 1 > f->range ? r->from + f->range - 1 : target;
        rc = get_logs(f, r, &res);
        if (rc == 0 || !too_many_results(plasma_eth_rpc_last_error(f->rpc)) || r->to == r->from)
            break;
        f->range = (r->to - r->from + 1) / 2;
    }
    if (rc != 0)
        return fail_rpc(f, rc);
    if (f->range < f->cfg.max_range)
        f->range = f->range * 2 < f->cfg.max_range ? f->range * 2 : f->cfg.max_range;
    size_t n = json_array_size(res);
    if (!json_is_array(res))
        rc = fail(f, PLASMA_ERR_BAD_REQUEST, "eth_getLogs: the answer is not a list of logs");
    else if (!(r->logs = calloc(n ? n : 1, sizeof *r->logs)))
        rc = fail(f, PLASMA_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++, r->n_logs++) {
        plasma_eth_log *l = &r->logs[i];
        if ((rc = plasma_eth_log_from_json(l, json_array_get(res, i))) != 0)
            fail(f, rc, "eth_getLogs: malformed log");
        else if (l->block_number < r->from || l->block_number > r->to || l->removed ||
                 !plasma_addr_eq(&l->address, &f->cfg.contract))
            rc = fail(f, PLASMA_ERR_BAD_REQUEST, "eth_getLogs: a log outside the range asked for");
    }
    json_decref(res);
    if (rc == 0)
        plasma_eth_logs_sort(r->logs, r->n_logs);
    return rc;
}

/* The hashes of the range's blocks that are within reorg_window of the
 * confirmed head, or of its last block alone; the logs must agree. */
static int read_range_hashes(plasma_eth_follower *f, range_read *r, uint64_t target)
{
    uint64_t window_lo = target >= f->cfg.reorg_window ? target - f->cfg.reorg_window + 1 : 0;
    r->lo = r->from > window_lo ? r->from : window_lo;
    if (r->lo > r->to)
        r->lo = r->to;
    size_t n = (size_t)(r->to - r->lo + 1);
    if (!(r->hashes = calloc(n, sizeof *r->hashes)))
        return fail(f, PLASMA_ERR_NOMEM, "out of memory");
    /* Chained to the cursor when the range starts there: a cursor block
     * replaced since the poll checked it is caught here. */
    int rc = read_hashes(f, r->lo, n, r->lo == r->from ? &f->cursor.hash : NULL, r->hashes);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < r->n_logs; i++) {
        const plasma_eth_log *l = &r->logs[i];
        bool known = l->block_number >= r->lo;
        if ((known && !plasma_hash_eq(&l->block_hash, &r->hashes[l->block_number - r->lo])) ||
            (i > 0 && l->block_number == r->logs[i - 1].block_number &&
             !plasma_hash_eq(&l->block_hash, &r->logs[i - 1].block_hash)))
            return fail(f, PLASMA_ERR_UNAVAILABLE, "the chain was reorganised while being read");
    }
    return PLASMA_OK;
}

/* --- delivery --- */

static int block_done(plasma_eth_follower *f, uint64_t number, const plasma_hash *hash)
{
    plasma_eth_cursor c = {.number = number, .hash = *hash};
    int rc = f->consumer.on_block(f->consumer.ctx, &c);
    if (rc != 0)
        return fail(f, rc, "the consumer refused block %llu", (unsigned long long)number);
    f->cursor = c;
    return PLASMA_OK;
}

static int deliver(plasma_eth_follower *f, const range_read *r)
{
    for (size_t i = 0; i < r->n_logs; i++) {
        const plasma_eth_log *l = &r->logs[i];
        plasma_eth_event ev;
        int rc = plasma_eth_event_decode(&ev, l);
        if (rc == PLASMA_ERR_NOT_FOUND) {
            f->skipped++;
        } else if (rc != 0) {
            return fail(f, rc, "block %llu log %llu: a malformed event of the contract",
                        (unsigned long long)l->block_number, (unsigned long long)l->log_index);
        } else if ((rc = f->consumer.on_event(f->consumer.ctx, &ev)) != 0) {
            return fail(f, rc, "the consumer refused an event of block %llu",
                        (unsigned long long)l->block_number);
        }
        bool last_of_block = i + 1 == r->n_logs || r->logs[i + 1].block_number != l->block_number;
        if (last_of_block && (rc = block_done(f, l->block_number, &l->block_hash)) != 0)
            return rc;
    }
    if (f->cursor.number != r->to)
        return block_done(f, r->to, &r->hashes[r->to - r->lo]);
    return PLASMA_OK;
}

/* The blocks below the known headers are remembered where they had events
 * (their hash from the logs), the others all. */
static void remember_range(plasma_eth_follower *f, const range_read *r)
{
    for (size_t i = 0; i < r->n_logs && r->logs[i].block_number < r->lo; i++)
        remember(f, r->logs[i].block_number, &r->logs[i].block_hash);
    for (uint64_t b = r->lo; b <= r->to; b++)
        remember(f, b, &r->hashes[b - r->lo]);
}

/* --- reorganisations --- */

/* The newest remembered block the chain still has, or, when none is, the
 * block reorg_window below the oldest remembered one. */
static int find_ancestor(plasma_eth_follower *f, plasma_eth_cursor *out)
{
    plasma_eth_header h;
    bool found;
    for (size_t i = f->n_history; i-- > 0;) {
        int rc = read_header(f, f->history[i].number, &h, &found);
        if (rc != 0)
            return rc;
        if (found && plasma_hash_eq(&h.hash, &f->history[i].hash)) {
            *out = f->history[i];
            return PLASMA_OK;
        }
    }
    uint64_t oldest = f->n_history ? f->history[0].number : f->cursor.number;
    uint64_t floor = f->cfg.start_block - 1;
    uint64_t number = oldest > floor + f->cfg.reorg_window ? oldest - f->cfg.reorg_window : floor;
    int rc = read_header(f, number, &h, &found);
    if (rc == 0 && !found)
        rc = fail(f, PLASMA_ERR_UNAVAILABLE, "block %llu is missing", (unsigned long long)number);
    if (rc == 0)
        *out = (plasma_eth_cursor){.number = number, .hash = h.hash};
    return rc;
}

static int rewind_to_ancestor(plasma_eth_follower *f)
{
    plasma_eth_cursor ancestor;
    int rc = find_ancestor(f, &ancestor);
    if (rc != 0)
        return rc;
    if ((rc = f->consumer.on_undo(f->consumer.ctx, &ancestor)) != 0)
        return fail(f, rc, "the consumer could not undo the blocks after %llu",
                    (unsigned long long)ancestor.number);
    f->cursor = ancestor;
    forget_after(f, ancestor.number);
    remember(f, ancestor.number, &ancestor.hash);
    return PLASMA_OK;
}

/* --- the poll --- */

/* The start block's parent, read once: the first cursor. */
static int read_start(plasma_eth_follower *f, bool *ready)
{
    plasma_eth_header h;
    int rc = read_header(f, f->cursor.number, &h, ready);
    if (rc == 0 && *ready) {
        f->cursor.hash = h.hash;
        f->have_hash = true;
        remember(f, h.number, &h.hash);
    }
    return rc;
}

static int read_range(plasma_eth_follower *f, uint64_t target)
{
    range_read r = {.from = f->cursor.number + 1};
    int rc = read_logs(f, &r, target);
    if (rc == 0)
        rc = read_range_hashes(f, &r, target);
    if (rc == 0)
        rc = deliver(f, &r);
    if (rc == 0)
        remember_range(f, &r);
    free_logs(r.logs, r.n_logs);
    free(r.hashes);
    return rc;
}

int plasma_eth_follower_poll(plasma_eth_follower *f, bool *caught_up)
{
    uint64_t head;
    plasma_eth_header at;
    bool found = false;
    *caught_up = false;
    f->message[0] = '\0';
    if (!f->have_hash) {
        int rc = read_start(f, &found);
        if (rc != 0 || !found) {
            *caught_up = rc == 0;
            return rc;
        }
    }
    int rc = read_head(f, &head, &at, &found);
    if (rc != 0)
        return rc;
    if (!found || !plasma_hash_eq(&at.hash, &f->cursor.hash))
        return rewind_to_ancestor(f);
    if (head < f->cfg.confirmations || head - f->cfg.confirmations <= f->cursor.number) {
        *caught_up = true;
        return PLASMA_OK;
    }
    uint64_t target = head - f->cfg.confirmations;
    rc = read_range(f, target);
    if (rc == 0)
        *caught_up = f->cursor.number == target;
    return rc;
}
