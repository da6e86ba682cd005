/* The operator's root-chain backend for the simulated chains, written once
 * over the primitives of backend_chain.h, and the choice of chain by
 * --rootchain (eth has its own, backend_eth.c). */
#include "backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_chain.h"
#include "backend_embedded.h"
#include "backend_eth.h"
#include "plasma/err.h"

/* Generous for submitBlock (two new storage slots, a log, calldata). */
#define SUBMIT_GAS_LIMIT 200000u
#define SUBMIT_GAS_PRICE 1000000000u

typedef struct chain_backend {
    const op_chain_ops *ops;
    void *ctx;
    plasma_addr addr; /* the operator's */
    /* The submitBlock call in flight (submitter thread only), so that a
     * retry before it is mined does not queue a second block. */
    uint64_t sent_blknum;
    plasma_hash sent_call;
} chain_backend;

static int b_head(void *ctx, uint64_t *rc_block)
{
    chain_backend *b = ctx;
    op_chain_head h;
    int rc = b->ops->head(b->ctx, &h);
    if (rc == 0)
        *rc_block = h.number;
    return rc;
}

static int b_next_child(void *ctx, uint64_t *blknum)
{
    chain_backend *b = ctx;
    op_chain_head h;
    int rc = b->ops->head(b->ctx, &h);
    if (rc == 0)
        *blknum = h.next_child_block;
    return rc;
}

static bool in_flight(chain_backend *b, uint64_t blknum)
{
    bool pending = false;
    return b->sent_blknum == blknum && b->ops->pending(b->ctx, &b->sent_call, &pending) == 0 && pending;
}

static int b_submit(void *ctx, uint64_t blknum, const plasma_hash *root)
{
    chain_backend *b = ctx;
    op_chain_head h;
    uint64_t nonce;
    int rc = b->ops->head(b->ctx, &h);
    if (rc < 0)
        return rc;
    if (h.next_child_block != blknum)
        return PLASMA_ERR_BAD_REQUEST;
    if (in_flight(b, blknum))
        return PLASMA_OK;
    if ((rc = b->ops->next_nonce(b->ctx, &b->addr, &nonce)) < 0)
        return rc;
    plasma_call c;
    plasma_call_init(&c, PLASMA_CALL_SUBMIT_BLOCK, &b->addr, nonce, SUBMIT_GAS_PRICE, SUBMIT_GAS_LIMIT);
    c.submit_block.root = *root;
    if ((rc = b->ops->send(b->ctx, &h.domain, &c, &b->sent_call)) == 0)
        b->sent_blknum = blknum;
    return rc;
}

static int b_get_block(void *ctx, uint64_t blknum, plasma_hash *root, uint64_t *timestamp)
{
    chain_backend *b = ctx;
    plasma_block_record rec;
    int rc = b->ops->block_root(b->ctx, blknum, &rec);
    if (rc == PLASMA_ERR_BLOCK_NOT_FOUND || rc == PLASMA_ERR_NOT_FOUND)
        return PLASMA_ERR_NOT_FOUND;
    if (rc < 0)
        return rc;
    *root = rec.root;
    *timestamp = rec.timestamp;
    return PLASMA_OK;
}

/* --- events --- */

typedef struct out_list {
    void *items;
    size_t n;
    size_t cap;
    size_t size;
} out_list;

static int append(out_list *o, const void *item)
{
    if (plasma_grow(&o->items, &o->cap, o->n + 1, o->size) < 0)
        return PLASMA_ERR_NOMEM;
    memcpy((uint8_t *)o->items + o->n++ * o->size, item, o->size);
    return PLASMA_OK;
}

/* Each keeps the events of one kind it is given, converted, in o. */
typedef int (*keep_fn)(chain_backend *b, const plasma_event *ev, out_list *o);

static int keep_exit(chain_backend *b, const plasma_event *ev, out_list *o)
{
    (void)b;
    if (ev->kind != PLASMA_EVENT_EXIT_STARTED)
        return PLASMA_OK;
    plasma_rc_exit x = {ev->block_number, ev->exit_started.exit_id, ev->exit_started.owner,
                        ev->exit_started.token, ev->exit_started.amount};
    return append(o, &x);
}

/* A deposit's timestamp is its deposit block's, as the contract stores it. */
static int keep_deposit(chain_backend *b, const plasma_event *ev, out_list *o)
{
    if (ev->kind != PLASMA_EVENT_DEPOSIT_CREATED)
        return PLASMA_OK;
    plasma_rc_deposit d = {
        ev->block_number,          ev->deposit_created.blknum, ev->deposit_created.depositor,
        ev->deposit_created.token, ev->deposit_created.amount, 0};
    plasma_block_record rec;
    int rc = b->ops->block_root(b->ctx, d.blknum, &rec);
    if (rc < 0)
        return rc;
    d.timestamp = rec.timestamp;
    return append(o, &d);
}

/* ExitFinalized and the in-flight exits' start and end: what the follower
 * needs to stop building on outputs the root chain finalized. */
static int keep_exit_event(chain_backend *b, const plasma_event *ev, out_list *o)
{
    (void)b;
    plasma_rc_exit_event x = {.rc_block = ev->block_number};
    switch (ev->kind) {
    case PLASMA_EVENT_EXIT_FINALIZED:
        x.kind = PLASMA_RC_EXIT_FINALIZED;
        x.exit_id = ev->exit_finalized.exit_id;
        break;
    case PLASMA_EVENT_IFE_STARTED:
        x.kind = PLASMA_RC_IFE_STARTED;
        x.ife_id = ev->ife_started.ife_id;
        x.txhash = ev->ife_started.txhash;
        x.n_inputs = ev->ife_started.n_inputs;
        memcpy(x.inputs, ev->ife_started.inputs, sizeof x.inputs);
        break;
    case PLASMA_EVENT_IFE_FINALIZED:
    case PLASMA_EVENT_IFE_DELETED:
        x.kind = PLASMA_RC_IFE_CLOSED;
        x.ife_id = ev->ife_closed.ife_id;
        break;
    default:
        return PLASMA_OK;
    }
    return append(o, &x);
}

static int collect(chain_backend *b, uint64_t from, uint64_t to, keep_fn keep, out_list *o)
{
    int rc = PLASMA_OK;
    while (rc == 0 && from <= to) {
        plasma_event *ev = NULL;
        size_t n = 0;
        uint64_t next = from;
        rc = b->ops->events(b->ctx, from, to, &ev, &n, &next);
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = keep(b, &ev[i], o);
        free(ev);
        if (rc == 0 && next <= from)
            break;
        from = next;
    }
    return rc;
}

static int events_of(void *ctx, uint64_t from, uint64_t to, keep_fn keep, size_t size, void **out, size_t *n)
{
    out_list o = {.size = size};
    int rc = collect(ctx, from, to, keep, &o);
    if (rc < 0) {
        free(o.items);
        return rc;
    }
    *out = o.items;
    *n = o.n;
    return PLASMA_OK;
}

static int b_deposits(void *ctx, uint64_t from, uint64_t to, plasma_rc_deposit **out, size_t *n)
{
    return events_of(ctx, from, to, keep_deposit, sizeof **out, (void **)out, n);
}

static int b_exits(void *ctx, uint64_t from, uint64_t to, plasma_rc_exit **out, size_t *n)
{
    return events_of(ctx, from, to, keep_exit, sizeof **out, (void **)out, n);
}

static int b_exit_events(void *ctx, uint64_t from, uint64_t to, plasma_rc_exit_event **out, size_t *n)
{
    return events_of(ctx, from, to, keep_exit_event, sizeof **out, (void **)out, n);
}

static int b_finalized(void *ctx, const plasma_hash *output_id, plasma_u256 *by)
{
    chain_backend *b = ctx;
    return b->ops->finalized(b->ctx, output_id, by);
}

static void b_free(void *ctx)
{
    chain_backend *b = ctx;
    if (!b)
        return;
    b->ops->free(b->ctx);
    free(b);
}

int op_backend_over(plasma_rootchain_backend *out, const char *name, const op_chain_ops *ops, void *ctx,
                    const plasma_privkey *key)
{
    chain_backend *b = calloc(1, sizeof *b);
    if (!b) {
        ops->free(ctx);
        return PLASMA_ERR_NOMEM;
    }
    *b = (chain_backend){.ops = ops, .ctx = ctx};
    int rc = plasma_privkey_addr(&b->addr, key);
    if (rc < 0) {
        b_free(b);
        return rc;
    }
    *out = (plasma_rootchain_backend){PLASMA_ROOTCHAIN_BACKEND_VERSION,
                                      name,
                                      b,
                                      b_head,
                                      b_next_child,
                                      b_submit,
                                      b_get_block,
                                      b_deposits,
                                      b_exits,
                                      b_exit_events,
                                      b_finalized,
                                      NULL,
                                      b_free};
    return PLASMA_OK;
}

/* --- the choice of chain --- */

struct op_backend {
    plasma_rootchain_backend table;
    op_embedded *embedded; /* NULL for a remote chain */
    plasma_domain domain;
};

static const char *const eth_only[] = {"contract", "deploy-block", "confirmations", "max-fee-gwei",
                                       "rpc-timeout-ms"};

/* Settings that belong to the other kind of chain are refused, not
 * silently ignored. */
static int check_kind_settings(const plasma_operator_config *cfg, bool eth, char *err, size_t err_len)
{
    for (size_t i = 0; !eth && i < sizeof eth_only / sizeof eth_only[0]; i++)
        if (plasma_operator_config_given(cfg, eth_only[i])) {
            snprintf(err, err_len, "--%s is for --rootchain eth", eth_only[i]);
            return PLASMA_ERR_CONFIG;
        }
    if (eth && plasma_operator_config_given(cfg, "finality-margin"))
        snprintf(err, err_len,
                 "--finality-margin is for the simulated chains: with --rootchain eth, --confirmations");
    else if (eth && plasma_operator_config_given(cfg, "verifying-contract"))
        snprintf(err, err_len,
                 "--verifying-contract: with --rootchain eth the signing domain's contract is --contract");
    else
        return PLASMA_OK;
    return PLASMA_ERR_CONFIG;
}

/* What --rootchain eth needs outside --dev: the deployment, and blocks
 * buried before anything counts. */
static int check_eth_settings(const plasma_operator_config *cfg, char *err, size_t err_len)
{
    if (!cfg->rpc[0])
        snprintf(err, err_len, "--rootchain eth needs --rpc URL of an Ethereum JSON-RPC endpoint");
    else if (!cfg->dev && !cfg->contract[0])
        snprintf(err, err_len, "--rootchain eth needs --contract ADDRESS (plasma-deploy prints it)");
    else if (!cfg->dev && !cfg->deploy_block)
        snprintf(err, err_len,
                 "--rootchain eth needs --deploy-block N, the contract's block (plasma-deploy prints it)");
    else if (!cfg->dev && !cfg->confirmations)
        snprintf(err, err_len, "--confirmations 0 is for development chains (--dev)");
    else
        return PLASMA_OK;
    return PLASMA_ERR_CONFIG;
}

static int start_eth(op_backend *b, const plasma_operator_config *cfg, const plasma_privkey *key, char *err,
                     size_t err_len)
{
    int rc = check_eth_settings(cfg, err, err_len);
    return rc == 0 ? op_eth_start(&b->table, cfg, key, &b->domain, err, err_len) : rc;
}

/* The simulated chains sign in the configured domain. */
static int config_domain(op_backend *b, const plasma_operator_config *cfg, char *err, size_t err_len)
{
    plasma_addr contract;
    if (plasma_addr_parse(&contract, cfg->verifying_contract) != 0) {
        snprintf(err, err_len, "--verifying-contract: \"%.60s\" is not an address", cfg->verifying_contract);
        return PLASMA_ERR_CONFIG;
    }
    plasma_domain_init(&b->domain, cfg->chain_id, &contract);
    return PLASMA_OK;
}

static int start_kind(op_backend *b, const plasma_operator_config *cfg, const plasma_privkey *key, char *err,
                      size_t err_len)
{
    bool eth = strcmp(cfg->rootchain, "eth") == 0;
    int rc = check_kind_settings(cfg, eth, err, err_len);
    if (rc == 0 && eth)
        return start_eth(b, cfg, key, err, err_len);
    if (rc == 0)
        rc = config_domain(b, cfg, err, err_len);
    if (rc < 0)
        return rc;
    if (strcmp(cfg->rootchain, "embedded") == 0) {
        if (cfg->rpc[0]) {
            snprintf(err, err_len, "--rpc: the embedded root chain takes no URL (use --rootchain sim)");
            return PLASMA_ERR_CONFIG;
        }
        return op_embedded_start(&b->embedded, &b->table, cfg, key, err, err_len);
    }
    if (strcmp(cfg->rootchain, "sim") == 0) {
        if (!cfg->rpc[0]) {
            snprintf(err, err_len, "--rootchain sim needs --rpc http://HOST:PORT of plasma-rootchain");
            return PLASMA_ERR_CONFIG;
        }
        return plasma_rootchain_remote(&b->table, cfg->rpc, key, err, err_len);
    }
    snprintf(err, err_len, "--rootchain: \"%.60s\" is not embedded, sim or eth", cfg->rootchain);
    return PLASMA_ERR_CONFIG;
}

int op_backend_start(op_backend **out, const plasma_operator_config *cfg, const plasma_privkey *key,
                     char *err, size_t err_len)
{
    op_backend *b = calloc(1, sizeof *b);
    if (!b)
        return PLASMA_ERR_NOMEM;
    int rc = start_kind(b, cfg, key, err, err_len);
    if (rc < 0) {
        free(b);
        return rc;
    }
    *out = b;
    return PLASMA_OK;
}

const plasma_rootchain_backend *op_backend_table(op_backend *b)
{
    return &b->table;
}

const plasma_domain *op_backend_domain(const op_backend *b)
{
    return &b->domain;
}

bool op_backend_mount(op_backend *b, plasma_http_mount *mount)
{
    return b->embedded && op_embedded_mount(b->embedded, mount);
}

void op_backend_free(op_backend *b)
{
    if (!b)
        return;
    if (b->table.free)
        b->table.free(b->table.ctx);
    op_embedded_free(b->embedded);
    free(b);
}
