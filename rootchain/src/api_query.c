/* The read-only routes: status, blocks, child and deposit blocks, exits,
 * queues, accounts, events and gas. Each copies what it needs from the
 * chain under the lock and builds the JSON after releasing it where it can. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void reply_or_nomem(plasma_http_resp *resp, json_t *out)
{
    if (out)
        plasma_http_reply(resp, 200, out);
    else
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
}

static bool path_u64(plasma_http_resp *resp, const char *s, const char *what, uint64_t *out)
{
    if (plasma_json_parse_u64(out, s) == PLASMA_OK)
        return true;
    rc_bad_request(resp, "%s must be a decimal integer below 2^64", what);
    return false;
}

static bool path_addr(plasma_http_resp *resp, const char *s, const char *what, plasma_addr *out)
{
    if (plasma_addr_parse(out, s) == PLASMA_OK)
        return true;
    rc_bad_request(resp, "%s must be an address (0x + 40 hex digits)", what);
    return false;
}

/* ---- GET /v1/status ---- */

static json_t *status_json(const plasma_chain_config *c, const plasma_chain_head *h,
                           const plasma_hash *digest, bool dev)
{
    json_t *o =
        json_pack("{s:o,s:o,s:o,s:{s:o,s:o,s:o},s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "chain_id",
                  plasma_json_u64(c->chain_id), "contract", plasma_json_addr(&c->contract), "operator",
                  plasma_json_addr(&c->operator_addr), "head", "number", plasma_json_u64(h->number),
                  "timestamp", plasma_json_u64(h->timestamp), "hash", plasma_json_hash(&h->hash), "gas_limit",
                  plasma_json_u64(c->block_gas_limit), "block_time", plasma_json_u64(c->block_time),
                  "total_gas_used", plasma_json_u64(h->total_gas_used), "pending_calls",
                  plasma_json_u64(h->pending_calls), "next_child_block", plasma_json_u64(h->next_child_block),
                  "next_deposit_block", plasma_json_u64(h->next_deposit_block), "min_exit_period",
                  plasma_json_u64(c->min_exit_period), "exit_bond", plasma_json_u256(&c->exit_bond),
                  "ife_bond", plasma_json_u256(&c->ife_bond), "piggyback_bond",
                  plasma_json_u256(&c->piggyback_bond), "state_digest", plasma_json_hash(digest), "dev", dev);
    if (o &&
        json_object_set_new(o, "protocol_version", plasma_json_u64(PLASMA_ROOTCHAIN_PROTOCOL_VERSION)) < 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

void rc_h_status(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    (void)req;
    plasma_rootnode *node = ctx;
    plasma_chain_head h;
    plasma_hash digest;
    pthread_mutex_lock(&node->mu);
    plasma_chain_config cfg = *plasma_chain_get_config(node->chain);
    plasma_chain_get_head(&h, node->chain);
    int rc = plasma_chain_state_digest(&digest, node->chain);
    pthread_mutex_unlock(&node->mu);
    if (rc != PLASMA_OK) {
        plasma_http_error(resp, rc, NULL);
        return;
    }
    reply_or_nomem(resp, status_json(&cfg, &h, &digest, node->dev));
}

/* ---- GET /v1/blocks/{n} ---- */

static int add_receipt(const plasma_receipt *r, void *payload)
{
    json_t *j = rc_receipt_json(r);
    return j && json_array_append_new(payload, j) == 0 ? 0 : PLASMA_ERR_NOMEM;
}

static json_t *header_json(const plasma_chain_block *b)
{
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:I}", "number", plasma_json_u64(b->number), "timestamp",
                     plasma_json_u64(b->timestamp), "hash", plasma_json_hash(&b->hash), "parent_hash",
                     plasma_json_hash(&b->parent_hash), "gas_limit", plasma_json_u64(b->gas_limit),
                     "gas_used", plasma_json_u64(b->gas_used), "n_calls", (json_int_t)b->n_calls, "n_events",
                     (json_int_t)b->n_events);
}

void rc_h_block(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    uint64_t n = 0;
    bool latest = strcmp(req->params[0], "latest") == 0;
    if (!latest && !path_u64(resp, req->params[0], "block number (or \"latest\")", &n))
        return;
    json_t *receipts = json_array();
    plasma_chain_block b;
    pthread_mutex_lock(&node->mu);
    if (latest) {
        plasma_chain_head h;
        plasma_chain_get_head(&h, node->chain);
        n = h.number;
    }
    int rc = plasma_chain_block_header(&b, node->chain, n);
    if (rc == PLASMA_OK)
        rc = receipts ? plasma_chain_block_receipts(node->chain, n, add_receipt, receipts) : PLASMA_ERR_NOMEM;
    pthread_mutex_unlock(&node->mu);
    if (rc != PLASMA_OK) {
        json_decref(receipts);
        plasma_http_error(resp, rc,
                          rc == PLASMA_ERR_NOT_FOUND ? "no root-chain block with this number" : NULL);
        return;
    }
    json_t *out = header_json(&b);
    if (out && json_object_set_new(out, "receipts", receipts) == 0) {
        plasma_http_reply(resp, 200, out);
        return;
    }
    json_decref(out);
    plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
}

/* ---- GET /v1/plasma/blocks/{blknum} ---- */

void rc_h_plasma_block(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    uint64_t blknum;
    if (!path_u64(resp, req->params[0], "blknum", &blknum))
        return;
    plasma_block_record r;
    pthread_mutex_lock(&node->mu);
    int rc = plasma_chain_block_root(&r, node->chain, blknum);
    pthread_mutex_unlock(&node->mu);
    if (rc != PLASMA_OK) {
        plasma_http_error(resp, rc, NULL);
        return;
    }
    reply_or_nomem(resp, rc_block_record_json(&r));
}

/* ---- GET /v1/exits/{id} and GET /v1/exits ---- */

void rc_h_exit(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    uint64_t id;
    if (!path_u64(resp, req->params[0], "exit id", &id))
        return;
    plasma_exit_info x;
    pthread_mutex_lock(&node->mu);
    int rc = plasma_chain_exit(&x, node->chain, id);
    pthread_mutex_unlock(&node->mu);
    if (rc != PLASMA_OK) {
        plasma_http_error(resp, rc, NULL);
        return;
    }
    reply_or_nomem(resp, rc_exit_json(&x));
}

typedef struct exit_filter {
    plasma_exit_state state; /* NONE: any */
    bool by_owner;
    plasma_addr owner;
    uint64_t after; /* exit ids > after only */
    uint64_t limit;
    json_t *list;
    bool more;
} exit_filter;

/* Exits come in ascending id order, so paging is by the last id seen. */
static int collect_exit(const plasma_exit_info *x, void *payload)
{
    exit_filter *f = payload;
    if (x->exit_id <= f->after || (f->state && x->state != f->state) ||
        (f->by_owner && !plasma_addr_eq(&x->owner, &f->owner)))
        return 0;
    if (json_array_size(f->list) == f->limit) {
        f->more = true;
        return 1;
    }
    json_t *j = rc_exit_json(x);
    return j && json_array_append_new(f->list, j) == 0 ? 0 : PLASMA_ERR_NOMEM;
}

static bool parse_exit_filter(plasma_http_resp *resp, const plasma_http_req *req, exit_filter *f)
{
    const char *state = plasma_http_query(req, "state");
    if (state && rc_exit_state_parse(&f->state, state) != PLASMA_OK) {
        rc_bad_request(resp, "state must be in_progress, challenged or finalized");
        return false;
    }
    const char *owner = plasma_http_query(req, "owner");
    if (owner) {
        if (!path_addr(resp, owner, "owner", &f->owner))
            return false;
        f->by_owner = true;
    }
    const char *after = plasma_http_query(req, "after");
    if (after && !path_u64(resp, after, "after", &f->after))
        return false;
    return rc_query_u64(resp, req, "limit", 1, RC_EXITS_MAX_LIMIT, RC_EXITS_DEFAULT_LIMIT, &f->limit);
}

void rc_h_exits(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    exit_filter f = {0};
    if (!parse_exit_filter(resp, req, &f))
        return;
    f.list = json_array();
    if (!f.list) {
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
        return;
    }
    pthread_mutex_lock(&node->mu);
    int rc = plasma_chain_foreach_exit(node->chain, collect_exit, &f);
    pthread_mutex_unlock(&node->mu);
    if (rc < 0) {
        json_decref(f.list);
        plasma_http_error(resp, rc, NULL);
        return;
    }
    reply_or_nomem(resp, json_pack("{s:o,s:b}", "exits", f.list, "more", f.more));
}

/* ---- GET /v1/queues/{token} ---- */

void rc_h_queue(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    plasma_addr token;
    if (!path_addr(resp, req->params[0], "token", &token))
        return;
    plasma_exit_queue_info q;
    pthread_mutex_lock(&node->mu);
    plasma_chain_exit_queue(&q, node->chain, &token);
    pthread_mutex_unlock(&node->mu);
    json_t *head = json_null();
    if (q.size > 0 && !q.head_is_ife)
        head = json_pack("{s:o,s:o}", "exit_id", plasma_json_u64_str(q.head_exit_id), "exitable_at",
                         plasma_json_u64(q.head_exitable_at));
    else if (q.size > 0)
        head = json_pack("{s:o,s:o}", "ife_id", rc_json_ife_id(&q.head_id), "exitable_at",
                         plasma_json_u64(q.head_exitable_at));
    reply_or_nomem(resp, json_pack("{s:o,s:o,s:o}", "token", plasma_json_addr(&token), "size",
                                   plasma_json_u64(q.size), "head", head));
}

/* ---- GET /v1/accounts/{addr}?tokens=0x..,0x.. ---- */

typedef struct token_list {
    plasma_addr a[RC_MAX_TOKENS];
    size_t n;
} token_list;

/* One address of a comma-separated list; len excludes the comma. */
static bool parse_token(const char *s, size_t len, plasma_addr *out)
{
    char one[64];
    if (len >= sizeof one)
        return false;
    memcpy(one, s, len);
    one[len] = '\0';
    return plasma_addr_parse(out, one) == PLASMA_OK;
}

static bool parse_tokens(plasma_http_resp *resp, const char *s, token_list *out)
{
    out->n = 0;
    if (!s || !*s)
        return true;
    for (;;) {
        size_t len = strcspn(s, ",");
        if (out->n == RC_MAX_TOKENS) {
            rc_bad_request(resp, "tokens lists at most %u addresses", RC_MAX_TOKENS);
            return false;
        }
        if (!parse_token(s, len, &out->a[out->n])) {
            rc_bad_request(resp, "tokens must be comma-separated addresses (0x + 40 hex digits)");
            return false;
        }
        out->n++;
        if (s[len] == '\0')
            return true;
        s += len + 1;
    }
}

static json_t *account_json(const plasma_addr *a, const plasma_u256 *eth, const token_list *t,
                            const plasma_u256 *bal, uint64_t nonce, uint64_t next)
{
    json_t *tokens = json_object();
    for (size_t i = 0; tokens && i < t->n; i++) {
        char key[43];
        if (json_object_set_new(tokens, plasma_addr_format(key, &t->a[i]), plasma_json_u256(&bal[i])) != 0) {
            json_decref(tokens);
            tokens = NULL;
        }
    }
    return json_pack("{s:o,s:o,s:o,s:o,s:o}", "address", plasma_json_addr(a), "balance",
                     plasma_json_u256(eth), "tokens", tokens, "nonce", plasma_json_u64(nonce), "next_nonce",
                     plasma_json_u64(next));
}

void rc_h_account(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    plasma_addr a;
    token_list t;
    if (!path_addr(resp, req->params[0], "account", &a) ||
        !parse_tokens(resp, plasma_http_query(req, "tokens"), &t))
        return;
    plasma_u256 eth, bal[RC_MAX_TOKENS];
    pthread_mutex_lock(&node->mu);
    plasma_chain_balance(&eth, node->chain, &a, NULL);
    for (size_t i = 0; i < t.n; i++)
        plasma_chain_balance(&bal[i], node->chain, &a, &t.a[i]);
    uint64_t nonce = plasma_chain_nonce(node->chain, &a);
    uint64_t next = plasma_chain_next_nonce(node->chain, &a);
    pthread_mutex_unlock(&node->mu);
    reply_or_nomem(resp, account_json(&a, &eth, &t, bal, nonce, next));
}

/* ---- GET /v1/events?from_block=N[&to_block=M][&limit=L] ---- */

typedef struct event_page {
    const plasma_chain *chain;
    uint64_t to;
    uint64_t limit;
    uint64_t cur_block; /* block of the last event taken */
    uint64_t cur_ts;
    json_t *list;
    bool cut; /* stopped at limit, before block cur_block + 1 */
} event_page;

/* Whole blocks only: the limit is checked when a new block starts, so a
 * client that resumes at next_from_block never sees half a block. */
static int collect_event(const plasma_event *ev, void *payload)
{
    event_page *p = payload;
    if (ev->block_number > p->to)
        return 1;
    if (ev->block_number != p->cur_block) {
        if (json_array_size(p->list) >= p->limit) {
            p->cut = true;
            return 1;
        }
        plasma_chain_block b;
        p->cur_ts = plasma_chain_block_header(&b, p->chain, ev->block_number) == PLASMA_OK ? b.timestamp : 0;
        p->cur_block = ev->block_number;
    }
    json_t *j = rc_event_json(ev, p->cur_ts);
    return j && json_array_append_new(p->list, j) == 0 ? 0 : PLASMA_ERR_NOMEM;
}

static bool parse_event_query(plasma_http_resp *resp, const plasma_http_req *req, uint64_t *from,
                              event_page *p)
{
    if (!plasma_http_query(req, "from_block")) {
        rc_bad_request(resp, "query parameter \"from_block\" is required");
        return false;
    }
    return rc_query_u64(resp, req, "from_block", 0, UINT64_MAX, 0, from) &&
           rc_query_u64(resp, req, "to_block", 0, UINT64_MAX, UINT64_MAX, &p->to) &&
           rc_query_u64(resp, req, "limit", 1, RC_EVENTS_MAX_LIMIT, RC_EVENTS_DEFAULT_LIMIT, &p->limit);
}

void rc_h_events(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    plasma_rootnode *node = ctx;
    uint64_t from;
    event_page p = {.cur_block = UINT64_MAX};
    if (!parse_event_query(resp, req, &from, &p))
        return;
    if (p.to < from) {
        rc_bad_request(resp, "to_block must not be below from_block");
        return;
    }
    p.list = json_array();
    if (!p.list) {
        plasma_http_error(resp, PLASMA_ERR_NOMEM, NULL);
        return;
    }
    plasma_chain_head h;
    pthread_mutex_lock(&node->mu);
    p.chain = node->chain;
    plasma_chain_get_head(&h, node->chain);
    int rc = plasma_chain_events_since(node->chain, from, collect_event, &p);
    pthread_mutex_unlock(&node->mu);
    if (rc < 0) {
        json_decref(p.list);
        plasma_http_error(resp, rc, NULL);
        return;
    }
    /* Covered: up to the cut, else up to to_block or the head. */
    uint64_t last = p.cut ? p.cur_block : (p.to < h.number ? p.to : h.number);
    uint64_t next = last < from ? from : last + 1;
    reply_or_nomem(resp,
                   json_pack("{s:o,s:o,s:o,s:o}", "events", p.list, "from_block", plasma_json_u64(from),
                             "next_from_block", plasma_json_u64(next), "head", plasma_json_u64(h.number)));
}

/* ---- GET /v1/gas ---- */

static json_t *gas_json(const rc_gas_stats *s, uint64_t synced, uint64_t total)
{
    json_t *kinds = json_object();
    uint64_t calls = 0;
    for (unsigned k = 1; kinds && k < RC_KINDS; k++) {
        calls += s->calls[k];
        json_t *j = json_pack("{s:o,s:o,s:o,s:o}", "calls", plasma_json_u64(s->calls[k]), "failed",
                              plasma_json_u64(s->failed[k]), "gas_used", plasma_json_u64(s->gas[k]),
                              "average_gas", plasma_json_u64(s->calls[k] ? s->gas[k] / s->calls[k] : 0));
        if (!j || json_object_set_new(kinds, rc_call_kind_name((plasma_call_kind)k), j) != 0) {
            json_decref(kinds);
            kinds = NULL;
        }
    }
    return json_pack("{s:o,s:o,s:o,s:o}", "blocks", plasma_json_u64(synced), "calls", plasma_json_u64(calls),
                     "total_gas_used", plasma_json_u64(total), "by_kind", kinds);
}

void rc_h_gas(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    (void)req;
    plasma_rootnode *node = ctx;
    plasma_chain_head h;
    pthread_mutex_lock(&node->mu);
    rc_node_sync_locked(node);
    rc_gas_stats s = node->stats;
    uint64_t synced = node->synced;
    plasma_chain_get_head(&h, node->chain);
    pthread_mutex_unlock(&node->mu);
    reply_or_nomem(resp, gas_json(&s, synced, h.total_gas_used));
}
