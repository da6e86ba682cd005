/* The root chain as the Plasma contract on an Ethereum node (eth/): the
 * start's checks, the head, and blocks going out through the sender
 * (backend_eth_events.c has what comes in). Everything the operator acts on
 * is read under --confirmations blocks. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend_eth.h"
#include "backend_eth_int.h"
#include "plasma/eip712.h"
#include "plasma/err.h"
#include "plasma/eth.h"
#include "plasma/log.h"
#include "plasma/sig.h"
#include "plasma/u256.h"

/* --- reads under the confirmations --- */

int op_eth_confirmed_tag(eth_chain *b, plasma_eth_rpc *rpc, char tag[24])
{
    uint64_t head;
    int rc = plasma_eth_block_number(rpc, &head);
    if (rc != 0)
        return rc;
    if (head < b->confirmations || head - b->confirmations < b->deploy_block)
        return PLASMA_ERR_UNAVAILABLE;
    snprintf(tag, 24, "0x%" PRIx64, head - b->confirmations);
    return PLASMA_OK;
}

int op_eth_view(eth_chain *b, plasma_eth_rpc *rpc, plasma_eth_fn fn, const plasma_eth_abi_value *args,
                size_t n, const char *tag, plasma_buf *ret)
{
    plasma_buf call = {0};
    int rc = plasma_eth_encode(&call, fn, args, n);
    if (rc == 0)
        rc = plasma_eth_call(rpc, NULL, &b->contract, NULL, call.data, call.len, tag, ret);
    plasma_buf_free(&call);
    return rc;
}

static int next_child_at(eth_chain *b, const char *tag, uint64_t *blknum)
{
    plasma_buf ret = {0};
    plasma_u256 v;
    int rc = op_eth_view(b, b->rpc_submit, PLASMA_ETH_FN_NEXT_CHILD_BLOCK, NULL, 0, tag, &ret);
    if (rc == 0 && (plasma_eth_decode_uint(&v, ret.data, ret.len) != 0 || !plasma_u256_to_u64(&v, blknum)))
        rc = PLASMA_ERR_BAD_REQUEST;
    plasma_buf_free(&ret);
    return rc;
}

static int block_at(eth_chain *b, uint64_t blknum, const char *tag, plasma_eth_block_view *out)
{
    plasma_buf ret = {0};
    plasma_u256 n = plasma_u256_from_u64(blknum);
    plasma_eth_abi_value arg = plasma_eth_abi_uint(&n);
    int rc = op_eth_view(b, b->rpc_submit, PLASMA_ETH_FN_BLOCKS, &arg, 1, tag, &ret);
    if (rc == 0 && plasma_eth_decode_block_view(out, ret.data, ret.len) != 0)
        rc = PLASMA_ERR_BAD_REQUEST;
    plasma_buf_free(&ret);
    if (rc == 0 && out->timestamp == 0)
        rc = PLASMA_ERR_NOT_FOUND;
    return rc;
}

/* The head the operator goes by: the newest block with enough
 * confirmations (0 while there is none). */
static int e_head(void *ctx, uint64_t *rc_block)
{
    eth_chain *b = ctx;
    uint64_t head = 0;
    pthread_mutex_lock(&b->follow_mu);
    int rc = plasma_eth_block_number(b->rpc_follow, &head);
    pthread_mutex_unlock(&b->follow_mu);
    if (rc == 0)
        *rc_block = head > b->confirmations ? head - b->confirmations : 0;
    return rc;
}

static int e_next_child(void *ctx, uint64_t *blknum)
{
    eth_chain *b = ctx;
    char tag[24];
    pthread_mutex_lock(&b->submit_mu);
    int rc = op_eth_confirmed_tag(b, b->rpc_submit, tag);
    if (rc == 0)
        rc = next_child_at(b, tag, blknum);
    pthread_mutex_unlock(&b->submit_mu);
    return rc;
}

static int e_get_block(void *ctx, uint64_t blknum, plasma_hash *root, uint64_t *timestamp)
{
    eth_chain *b = ctx;
    char tag[24];
    plasma_eth_block_view v;
    pthread_mutex_lock(&b->submit_mu);
    int rc = op_eth_confirmed_tag(b, b->rpc_submit, tag);
    if (rc == PLASMA_ERR_UNAVAILABLE)
        rc = PLASMA_ERR_NOT_FOUND;
    else if (rc == 0)
        rc = block_at(b, blknum, tag, &v);
    /* Its root confirmed, the submitBlock in flight is done with: after a
     * reorganisation that drops it, the chain, not it, says what to send. */
    if (rc == 0 && b->pending && b->pending_blknum == blknum) {
        plasma_eth_pending_free(b->pending);
        b->pending = NULL;
    }
    pthread_mutex_unlock(&b->submit_mu);
    if (rc == 0) {
        *root = v.root;
        *timestamp = v.timestamp;
    }
    return rc;
}

/* --- submission --- */

static int tx_count(eth_chain *b, const char *tag, uint64_t *out)
{
    char addr[43];
    json_t *params = json_pack("[s,s]", plasma_addr_format(addr, &b->operator_addr), tag), *res = NULL;
    if (!params)
        return PLASMA_ERR_NOMEM;
    int rc = plasma_eth_rpc_call(b->rpc_submit, "eth_getTransactionCount", params, &res);
    if (rc == 0 && plasma_eth_quantity_u64(out, res) != 0)
        rc = PLASMA_ERR_BAD_REQUEST;
    json_decref(res);
    json_decref(params);
    return rc;
}

/* Drives the submitBlock in flight: replaced when stuck, forgotten once
 * mined (the submitter confirms the root under the confirmations). */
static int poll_pending(eth_chain *b)
{
    bool done = false;
    plasma_eth_receipt r;
    int rc = plasma_eth_pending_poll(b->sender, b->pending, &done, &r);
    if (!done)
        return rc == PLASMA_ERR_UNAVAILABLE ? PLASMA_OK : rc;
    uint64_t blknum = b->pending_blknum;
    plasma_eth_pending_free(b->pending);
    b->pending = NULL;
    char q[400];
    if (rc != 0)
        plasma_log(PLASMA_LOG_WARN, "submit_reverted", "blknum=%" PRIu64 " error=%s detail=%s", blknum,
                   plasma_err_code(rc), plasma_log_quote(q, sizeof q, plasma_eth_sender_errmsg(b->sender)));
    else
        plasma_log(PLASMA_LOG_INFO, "submit_mined", "blknum=%" PRIu64 " rc_block=%" PRIu64 " replacements=%u",
                   blknum, r.block_number, r.replacements);
    return rc;
}

static void log_sent(eth_chain *b, uint64_t blknum, bool in_place)
{
    const plasma_eth_sent *sent = plasma_eth_pending_last(b->pending);
    char hash[67];
    plasma_log(PLASMA_LOG_INFO, in_place ? "submit_sent_in_place" : "submit_sent",
               "blknum=%" PRIu64 " nonce=%" PRIu64 " tx=%s", blknum, sent->nonce,
               plasma_hash_format(hash, &sent->hash));
}

/* Once per distinct reason: an account without funds fails every poll. */
static void log_not_sent(eth_chain *b, uint64_t blknum, int rc)
{
    const char *msg = plasma_eth_sender_errmsg(b->sender);
    if (strcmp(msg, b->last_submit_error) == 0)
        return;
    snprintf(b->last_submit_error, sizeof b->last_submit_error, "%s", msg);
    char q[400];
    plasma_log(PLASMA_LOG_WARN, "submit_not_sent", "blknum=%" PRIu64 " error=%s detail=%s", blknum,
               plasma_err_code(rc), plasma_log_quote(q, sizeof q, msg));
}

/* Sends submitBlock(root) for blknum, unless the chain shows it mined
 * already: after a restart the chain, not memory, says what was sent. A
 * transaction of the operator that an earlier run left in the node's pool
 * (mined count below pending count) holds the next nonce: the new one takes
 * its nonce, so that the two can never both be mined as two blocks. */
static int send_submit(eth_chain *b, uint64_t blknum, const plasma_hash *root)
{
    plasma_eth_block_view v;
    uint64_t next, mined, pending;
    int rc = block_at(b, blknum, "latest", &v);
    if (rc == 0)
        return plasma_hash_eq(&v.root, root) ? PLASMA_OK : PLASMA_ERR_BAD_REQUEST;
    if (rc != PLASMA_ERR_NOT_FOUND)
        return rc;
    if ((rc = next_child_at(b, "latest", &next)) != 0)
        return rc;
    if (next != blknum)
        return PLASMA_ERR_BAD_REQUEST;
    if ((rc = tx_count(b, "latest", &mined)) != 0 || (rc = tx_count(b, "pending", &pending)) != 0)
        return rc;
    plasma_buf call = {0};
    if ((rc = plasma_eth_encode_submit_block(&call, root)) != 0)
        return rc;
    plasma_eth_txreq req = {.to = b->contract, .data = call.data, .data_len = call.len};
    bool in_place = pending > mined;
    rc = in_place ? plasma_eth_sender_send_at(b->sender, &req, mined, &b->pending)
                  : plasma_eth_sender_send(b->sender, &req, &b->pending);
    plasma_buf_free(&call);
    if (rc != 0) {
        log_not_sent(b, blknum, rc);
        return rc;
    }
    b->last_submit_error[0] = '\0';
    b->pending_blknum = blknum;
    log_sent(b, blknum, in_place);
    return PLASMA_OK;
}

static int e_submit(void *ctx, uint64_t blknum, const plasma_hash *root)
{
    eth_chain *b = ctx;
    int rc;
    pthread_mutex_lock(&b->submit_mu);
    if (b->pending && b->pending_blknum == blknum) {
        rc = poll_pending(b);
    } else {
        plasma_eth_pending_free(b->pending); /* an earlier block's, confirmed since */
        b->pending = NULL;
        rc = send_submit(b, blknum, root);
    }
    pthread_mutex_unlock(&b->submit_mu);
    return rc;
}

/* --- the start --- */

static void e_free(void *ctx)
{
    eth_chain *b = ctx;
    if (!b)
        return;
    plasma_eth_pending_free(b->pending);
    plasma_eth_sender_free(b->sender);
    plasma_eth_follower_free(b->follower);
    plasma_eth_rpc_free(b->rpc_follow);
    plasma_eth_rpc_free(b->rpc_submit);
    pthread_mutex_destroy(&b->follow_mu);
    pthread_mutex_destroy(&b->submit_mu);
    free(b);
}

#define fail(err, err_len, rc, ...) plasma_err_printf(rc, err, err_len, __VA_ARGS__)

static int new_rpc(plasma_eth_rpc **out, const plasma_operator_config *cfg, char *err, size_t err_len)
{
    plasma_eth_rpc_config rc;
    plasma_eth_rpc_config_default(&rc);
    rc.url = cfg->rpc;
    rc.timeout_ms = (long)cfg->rpc_timeout_ms;
    if (rc.connect_timeout_ms > rc.timeout_ms)
        rc.connect_timeout_ms = rc.timeout_ms;
    if (plasma_eth_rpc_new(out, &rc) != 0)
        return fail(err, err_len, PLASMA_ERR_CONFIG, "--rpc: not an http:// or https:// URL");
    return PLASMA_OK;
}

static int make_sender(eth_chain *b, const plasma_operator_config *cfg, const plasma_privkey *key)
{
    plasma_eth_sender_config sc;
    plasma_eth_sender_config_default(&sc);
    sc.key = *key;
    sc.chain_id = b->chain_id;
    sc.confirmations = 0; /* the submitter reads roots under the confirmations */
    plasma_u256 cap = plasma_u256_from_u64(cfg->max_fee_gwei);
    plasma_u256_mul_u64(&sc.fees.max_fee_cap, &cap, 1000000000u);
    int rc = plasma_eth_sender_new(&b->sender, b->rpc_submit, &sc);
    plasma_wipe(&sc.key, sizeof sc.key);
    return rc;
}

static int open_chain(eth_chain *b, const plasma_operator_config *cfg, const plasma_privkey *key, char *err,
                      size_t err_len)
{
    const char *address = cfg->contract[0] ? cfg->contract : cfg->verifying_contract;
    if (plasma_addr_parse(&b->contract, address) != 0)
        return fail(err, err_len, PLASMA_ERR_CONFIG, "--contract: \"%.60s\" is not an address", address);
    int rc = plasma_privkey_addr(&b->operator_addr, key);
    if (rc == 0)
        rc = new_rpc(&b->rpc_submit, cfg, err, err_len);
    if (rc == 0)
        rc = new_rpc(&b->rpc_follow, cfg, err, err_len);
    plasma_eth_expect want = {plasma_operator_config_given(cfg, "chain-id") ? cfg->chain_id : 0,
                              &b->operator_addr, address};
    if (rc == 0)
        rc = plasma_eth_check_deployment(b->rpc_submit, &b->contract, &want, &b->chain_id, err, err_len);
    if (rc == 0 && (rc = make_sender(b, cfg, key)) != 0)
        fail(err, err_len, rc, "the operator's sender: %s", plasma_err_message(rc));
    return rc;
}

int op_eth_start(plasma_rootchain_backend *out, const plasma_operator_config *cfg, const plasma_privkey *key,
                 plasma_domain *domain, char *err, size_t err_len)
{
    eth_chain *b = calloc(1, sizeof *b);
    if (!b)
        return PLASMA_ERR_NOMEM;
    pthread_mutex_init(&b->follow_mu, NULL);
    pthread_mutex_init(&b->submit_mu, NULL);
    b->confirmations = (unsigned)cfg->confirmations;
    b->deploy_block = cfg->deploy_block;
    int rc = open_chain(b, cfg, key, err, err_len);
    if (rc != 0) {
        e_free(b);
        return rc;
    }
    plasma_domain_init(domain, b->chain_id, &b->contract);
    *out = (plasma_rootchain_backend){.version = PLASMA_ROOTCHAIN_BACKEND_VERSION,
                                      .name = "eth",
                                      .ctx = b,
                                      .head = e_head,
                                      .next_child_block = e_next_child,
                                      .submit_block = e_submit,
                                      .get_block = e_get_block,
                                      .exit_events = op_eth_exit_events,
                                      .finalized = op_eth_finalized,
                                      .follow = op_eth_follow,
                                      .free = e_free};
    return PLASMA_OK;
}
