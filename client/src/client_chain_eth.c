/* The root chain as the Plasma contract on an Ethereum node (eth/): views
 * by eth_call, calls as EIP-1559 transactions of the user's key through
 * eth/'s sender, receipts awaited to the confirmations, the start's check
 * (client_chain_eth_events.c has the events). The contract's custom errors
 * come back as the project's errors (eth/'s revert decoding). */
#include "client_chain_eth.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_MS 100

int eth_chain_fail(eth_chain *e, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    plasma_err_vprintf(rc, e->errmsg, sizeof e->errmsg, fmt, ap);
    va_end(ap);
    return rc;
}

int eth_chain_rpc_fail(eth_chain *e, int rc)
{
    return eth_chain_fail(e, rc, "%s", plasma_eth_rpc_last_error(e->rpc)->message);
}

uint64_t eth_chain_u64(const plasma_u256 *v)
{
    uint64_t n = 0;
    return plasma_u256_to_u64(v, &n) ? n : UINT64_MAX;
}

/* --- views --- */

static int view_uint(eth_chain *e, plasma_eth_fn fn, plasma_u256 *out)
{
    int rc = plasma_eth_contract_uint(e->k, fn, out);
    return rc ? eth_chain_rpc_fail(e, rc) : 0;
}

static int e_status(void *ctx, plasma_rootchain_status *out)
{
    eth_chain *e = ctx;
    plasma_rootchain_status st;
    plasma_eth_header h;
    plasma_u256 v;
    uint64_t head;
    int rc;
    memset(&st, 0, sizeof st);
    st.chain_id = e->chain_id;
    st.contract = e->contract;
    if ((rc = plasma_eth_block_number(e->rpc, &head)) != 0 ||
        (rc = plasma_eth_header_get(e->rpc, head, &h)) != 0 ||
        (rc = plasma_eth_contract_operator(e->k, &st.operator_addr)) != 0)
        return eth_chain_rpc_fail(e, rc);
    st.head_number = h.number;
    st.head_timestamp = h.timestamp;
    st.head_hash = h.hash;
    if ((rc = view_uint(e, PLASMA_ETH_FN_NEXT_CHILD_BLOCK, &v)) != 0)
        return rc;
    st.next_child_block = eth_chain_u64(&v);
    if ((rc = view_uint(e, PLASMA_ETH_FN_NEXT_DEPOSIT_BLOCK, &v)) != 0)
        return rc;
    st.next_deposit_block = eth_chain_u64(&v);
    if ((rc = view_uint(e, PLASMA_ETH_FN_MIN_EXIT_PERIOD, &v)) != 0)
        return rc;
    st.min_exit_period = eth_chain_u64(&v);
    if ((rc = view_uint(e, PLASMA_ETH_FN_EXIT_BOND, &st.exit_bond)) != 0 ||
        (rc = view_uint(e, PLASMA_ETH_FN_IFE_BOND, &st.ife_bond)) != 0 ||
        (rc = view_uint(e, PLASMA_ETH_FN_PIGGYBACK_BOND, &st.piggyback_bond)) != 0)
        return rc;
    *out = st;
    return 0;
}

static int e_block(void *ctx, uint64_t number, plasma_chain_block *out)
{
    eth_chain *e = ctx;
    plasma_eth_header h;
    int rc = plasma_eth_header_get(e->rpc, number, &h);
    if (rc == PLASMA_ERR_NOT_FOUND)
        return eth_chain_fail(e, rc, "no block %llu on the chain", (unsigned long long)number);
    if (rc)
        return eth_chain_rpc_fail(e, rc);
    memset(out, 0, sizeof *out);
    out->number = h.number;
    out->timestamp = h.timestamp;
    out->hash = h.hash;
    out->parent_hash = h.parent_hash;
    return 0;
}

static int e_block_root(void *ctx, uint64_t blknum, plasma_block_record *out)
{
    eth_chain *e = ctx;
    plasma_eth_block_view v;
    int rc = plasma_eth_contract_block(e->k, blknum, &v);
    if (rc)
        return eth_chain_rpc_fail(e, rc);
    if (v.timestamp == 0)
        return eth_chain_fail(e, PLASMA_ERR_BLOCK_NOT_FOUND, "no block %llu on the contract",
                              (unsigned long long)blknum);
    memset(out, 0, sizeof *out);
    out->blknum = blknum;
    out->root = v.root;
    out->timestamp = v.timestamp;
    out->is_deposit = blknum % PLASMA_CHILD_BLOCK_INTERVAL != 0;
    return 0;
}

static int e_exit(void *ctx, uint64_t exit_id, plasma_exit_info *out)
{
    eth_chain *e = ctx;
    plasma_eth_exit_view v;
    int rc = plasma_eth_contract_exit(e->k, exit_id, &v);
    if (rc)
        return eth_chain_rpc_fail(e, rc);
    if (v.state == PLASMA_EXIT_NONE || v.state > PLASMA_EXIT_SUPERSEDED)
        return eth_chain_fail(e, PLASMA_ERR_EXIT_NOT_FOUND, "no exit %llu on the contract",
                              (unsigned long long)exit_id);
    memset(out, 0, sizeof *out);
    out->exit_id = exit_id;
    out->state = (plasma_exit_state)v.state;
    out->owner = v.owner;
    out->token = v.token;
    out->amount = v.amount;
    out->exitable_at = v.exitable_at;
    out->output_id = v.output_id;
    out->queued = v.queued;
    return 0;
}

int eth_chain_ife(void *ctx, const plasma_u256 *ife_id, plasma_ife_info *out)
{
    eth_chain *e = ctx;
    plasma_eth_ife_view v;
    plasma_ife_info x;
    int rc = plasma_eth_contract_ife(e->k, ife_id, &v);
    if (rc)
        return eth_chain_rpc_fail(e, rc);
    if (v.start == 0 || v.n_inputs > PLASMA_MAX_INPUTS || v.n_outputs > PLASMA_MAX_OUTPUTS)
        return eth_chain_fail(e, PLASMA_ERR_IFE_NOT_FOUND,
                              "no open in-flight exit with that id on the contract");
    memset(&x, 0, sizeof x);
    x.ife_id = *ife_id;
    x.exitable_at = v.exitable_at;
    x.start = v.start;
    x.youngest = v.youngest;
    x.oldest_competitor = v.oldest_competitor;
    x.bond_owner = v.bond_owner;
    x.canonical = v.canonical;
    x.inputs_piggybacked = v.inputs_piggybacked;
    x.outputs_piggybacked = v.outputs_piggybacked;
    x.n_inputs = v.n_inputs;
    x.n_outputs = v.n_outputs;
    x.pending_tokens = v.pending_tokens;
    x.exit_path = (plasma_ife_path)v.exit_path;
    for (unsigned i = 0; i < (unsigned)v.n_inputs + v.n_outputs; i++) {
        bool output = i >= v.n_inputs;
        unsigned k = output ? i - v.n_inputs : i;
        plasma_eth_ife_io_view io;
        if ((rc = plasma_eth_contract_ife_io(e->k, output, ife_id, k, &io)) != 0)
            return eth_chain_rpc_fail(e, rc);
        plasma_ife_io *d = output ? &x.outputs[k] : &x.inputs[k];
        d->output_id = io.output_id;
        d->owner = io.owner;
        d->token = io.token;
        d->amount = io.amount;
    }
    *out = x;
    return 0;
}

static int e_finalized(void *ctx, const plasma_hash *output_id, plasma_u256 *by)
{
    eth_chain *e = ctx;
    int rc = plasma_eth_contract_finalized(e->k, output_id, by);
    return rc ? eth_chain_rpc_fail(e, rc) : 0;
}

static int e_withdrawable(void *ctx, const plasma_addr *owner, const plasma_addr *token, plasma_u256 *out)
{
    eth_chain *e = ctx;
    plasma_addr eth = {{0}};
    int rc = plasma_eth_contract_withdrawable(e->k, owner, token ? token : &eth, out);
    return rc ? eth_chain_rpc_fail(e, rc) : 0;
}

/* An ERC-20 view of token: balanceOf(a) or allowance(a, b). */
static int erc20_uint(eth_chain *e, const plasma_addr *token, const char *sig, const plasma_addr *a,
                      const plasma_addr *b, plasma_u256 *out)
{
    plasma_eth_abi_value args[2] = {plasma_eth_abi_addr(a), plasma_eth_abi_addr(b ? b : a)};
    plasma_buf call = {0}, ret = {0};
    int rc = plasma_eth_abi_encode_call(&call, sig, args, b ? 2 : 1);
    if (rc == 0 && (rc = plasma_eth_call(e->rpc, NULL, token, NULL, call.data, call.len, NULL, &ret)) != 0)
        eth_chain_rpc_fail(e, rc);
    else if (rc == 0 && plasma_eth_decode_uint(out, ret.data, ret.len) != 0)
        rc = eth_chain_fail(e, PLASMA_ERR_BAD_REQUEST, "token %s: not an ERC-20 answer", sig);
    plasma_buf_free(&call);
    plasma_buf_free(&ret);
    return rc;
}

static int e_balance(void *ctx, const plasma_addr *addr, const plasma_addr *token, plasma_u256 *out)
{
    eth_chain *e = ctx;
    if (!token || plasma_addr_is_zero(token)) {
        int rc = plasma_eth_balance(e->rpc, addr, out);
        return rc ? eth_chain_rpc_fail(e, rc) : 0;
    }
    return erc20_uint(e, token, "balanceOf(address)", addr, NULL, out);
}

/* --- transactions --- */

static int sender_for(eth_chain *e, const plasma_privkey *key)
{
    plasma_addr a;
    if (plasma_privkey_addr(&a, key) != 0)
        return eth_chain_fail(e, PLASMA_ERR_BAD_REQUEST, "invalid private key");
    if (e->sender && plasma_addr_eq(&a, &e->sender_addr))
        return 0;
    if (e->n_pend)
        return eth_chain_fail(e, PLASMA_ERR_BAD_REQUEST, "another account's transactions are still awaited");
    plasma_eth_sender_free(e->sender);
    e->sender = NULL;
    plasma_eth_sender_config sc;
    plasma_eth_sender_config_default(&sc);
    sc.key = *key;
    sc.chain_id = e->chain_id;
    sc.confirmations = e->confirmations;
    sc.poll_ms = POLL_MS;
    int rc = plasma_eth_sender_new(&e->sender, e->rpc, &sc);
    plasma_wipe(&sc.key, sizeof sc.key);
    if (rc)
        return rc == PLASMA_ERR_CONFIG ? eth_chain_fail(e, rc, "invalid private key")
                                       : eth_chain_rpc_fail(e, rc);
    e->sender_addr = a;
    return 0;
}

static plasma_eth_bytes bytes(const uint8_t *b, size_t len)
{
    plasma_eth_bytes x = {b, len};
    return x;
}

static plasma_eth_bytes call_tx(const plasma_call_tx *t)
{
    return bytes(t->b, t->len);
}

/* The calldata and value of call. */
static int encode_call(const plasma_call *c, plasma_buf *data, plasma_u256 *value)
{
    memset(value, 0, sizeof *value);
    switch (c->kind) {
    case PLASMA_CALL_DEPOSIT:
        if (plasma_addr_is_zero(&c->deposit.token))
            *value = c->deposit.amount;
        return plasma_eth_encode_deposit(data, &c->deposit.token, &c->deposit.amount);
    case PLASMA_CALL_START_EXIT:
        *value = c->start_exit.bond;
        return plasma_eth_encode_start_standard_exit(data, c->start_exit.utxo_pos,
                                                     bytes(c->start_exit.tx, c->start_exit.tx_len),
                                                     bytes(c->start_exit.proof, PLASMA_MERKLE_PROOF_LEN));
    case PLASMA_CALL_CHALLENGE_EXIT:
        return plasma_eth_encode_challenge_standard_exit(
            data, c->challenge_exit.exit_id, bytes(c->challenge_exit.tx, c->challenge_exit.tx_len),
            c->challenge_exit.input_index);
    case PLASMA_CALL_PROCESS_EXITS:
        return plasma_eth_encode_process_exits(data, &c->process_exits.token, c->process_exits.max_exits);
    case PLASMA_CALL_START_IFE: {
        const plasma_call_start_ife *s = &c->start_ife;
        plasma_eth_bytes txs[PLASMA_MAX_INPUTS], proofs[PLASMA_MAX_INPUTS];
        for (unsigned i = 0; i < s->n_input_txs && i < PLASMA_MAX_INPUTS; i++)
            txs[i] = call_tx(&s->input_txs[i]);
        for (unsigned i = 0; i < s->n_input_proofs && i < PLASMA_MAX_INPUTS; i++)
            proofs[i] = bytes(s->input_proofs[i], PLASMA_MERKLE_PROOF_LEN);
        *value = s->bond;
        return plasma_eth_encode_start_in_flight_exit(data, call_tx(&s->tx), txs, s->n_input_txs,
                                                      s->input_pos, s->n_input_pos, proofs,
                                                      s->n_input_proofs);
    }
    case PLASMA_CALL_PIGGYBACK_INPUT:
    case PLASMA_CALL_PIGGYBACK_OUTPUT:
        *value = c->piggyback.bond;
        return plasma_eth_encode_piggyback(data, c->kind == PLASMA_CALL_PIGGYBACK_OUTPUT,
                                           call_tx(&c->piggyback.tx), c->piggyback.index);
    case PLASMA_CALL_CHALLENGE_IFE: {
        const plasma_call_challenge_ife *x = &c->challenge_ife;
        plasma_eth_noncanonical_args a = {
            call_tx(&x->tx),           x->input_index,
            call_tx(&x->competing_tx), x->competing_input_index,
            x->competitor_pos,         bytes(x->competitor_proof.b, x->competitor_proof.len)};
        return plasma_eth_encode_challenge_ife_not_canonical(data, &a);
    }
    case PLASMA_CALL_RESPOND_IFE:
        return plasma_eth_encode_respond_non_canonical(
            data, call_tx(&c->respond_ife.tx), c->respond_ife.tx_pos,
            bytes(c->respond_ife.proof.b, c->respond_ife.proof.len));
    case PLASMA_CALL_CHALLENGE_IFE_INPUT:
        return plasma_eth_encode_challenge_ife_input_spent(
            data, call_tx(&c->challenge_ife_input.tx), c->challenge_ife_input.input_index,
            call_tx(&c->challenge_ife_input.spending_tx), c->challenge_ife_input.spending_input_index);
    case PLASMA_CALL_CHALLENGE_IFE_OUTPUT: {
        const plasma_call_challenge_ife_output *x = &c->challenge_ife_output;
        return plasma_eth_encode_challenge_ife_output_spent(
            data, call_tx(&x->tx), x->output_utxo_pos, bytes(x->proof.b, x->proof.len),
            call_tx(&x->spending_tx), x->spending_input_index);
    }
    case PLASMA_CALL_DELETE_IFE:
        return plasma_eth_encode_delete_ife(data, &c->delete_ife.ife_id);
    case PLASMA_CALL_WITHDRAW:
        return plasma_eth_encode_withdraw(data, &c->withdraw.token);
    default:
        return PLASMA_ERR_BAD_CALL;
    }
}

/* Waits for p through its confirmations, or timeout_ms. */
static int wait_pending(eth_chain *e, plasma_eth_pending *p, long timeout_ms, plasma_eth_receipt *r,
                        int *reverted)
{
    long waited = 0;
    *reverted = 0;
    for (;;) {
        bool done = false;
        int rc = plasma_eth_pending_poll(e->sender, p, &done, r);
        if (done) {
            *reverted = rc;
            return 0;
        }
        if (rc && rc != PLASMA_ERR_UNAVAILABLE)
            return eth_chain_fail(e, rc, "%s", plasma_eth_sender_errmsg(e->sender));
        if (waited >= timeout_ms)
            return eth_chain_fail(e, PLASMA_ERR_TIMEOUT,
                                  "the transaction is not mined with %u confirmations after %ld s",
                                  e->confirmations, timeout_ms / 1000);
        plasma_sleep_ms(POLL_MS);
        waited += POLL_MS;
    }
}

/* approve(contract, amount) on token first when the allowance is short. */
static int approve_if_short(eth_chain *e, const plasma_addr *token, const plasma_u256 *amount)
{
    plasma_u256 allowed;
    plasma_eth_receipt r;
    int rc = erc20_uint(e, token, "allowance(address,address)", &e->sender_addr, &e->contract, &allowed);
    if (rc || plasma_u256_cmp(&allowed, amount) >= 0)
        return rc;
    plasma_eth_abi_value args[2] = {plasma_eth_abi_addr(&e->contract), plasma_eth_abi_uint(amount)};
    plasma_buf call = {0};
    if ((rc = plasma_eth_abi_encode_call(&call, "approve(address,uint256)", args, 2)) != 0)
        return rc;
    plasma_eth_txreq req = {.to = *token, .data = call.data, .data_len = call.len};
    rc = plasma_eth_sender_transact(e->sender, &req, &r);
    plasma_buf_free(&call);
    if (rc)
        return eth_chain_fail(e, rc, "approve of the token: %s", plasma_eth_sender_errmsg(e->sender));
    return 0;
}

static int e_send(void *ctx, const plasma_privkey *key, plasma_call *call, uint64_t gas_price, plasma_hash *h)
{
    eth_chain *e = ctx;
    plasma_buf data = {0};
    plasma_u256 value;
    plasma_eth_pending *p = NULL;
    (void)gas_price; /* fees come from the node's fee history */
    if (e->n_pend == ETH_MAX_PENDING)
        return eth_chain_fail(e, PLASMA_ERR_BLOCK_FULL, "too many transactions awaited at once");
    int rc = sender_for(e, key);
    if (rc)
        return rc;
    call->from = e->sender_addr;
    if (call->kind == PLASMA_CALL_DEPOSIT && !plasma_addr_is_zero(&call->deposit.token) &&
        (rc = approve_if_short(e, &call->deposit.token, &call->deposit.amount)) != 0)
        return rc;
    if ((rc = encode_call(call, &data, &value)) != 0) {
        plasma_buf_free(&data);
        return eth_chain_fail(e, rc, "the call cannot be encoded");
    }
    plasma_eth_txreq req = {.to = e->contract, .value = value, .data = data.data, .data_len = data.len};
    rc = plasma_eth_sender_send(e->sender, &req, &p);
    plasma_buf_free(&data);
    if (rc)
        return eth_chain_fail(e, rc, "%s", plasma_eth_sender_errmsg(e->sender));
    eth_pend *x = &e->pend[e->n_pend++];
    x->h = plasma_eth_pending_last(p)->hash;
    x->p = p;
    x->kind = call->kind;
    *h = x->h;
    return 0;
}

static int e_wait(void *ctx, const plasma_hash *h, long timeout_ms, plasma_receipt *out)
{
    eth_chain *e = ctx;
    size_t i = 0;
    while (i < e->n_pend && !plasma_hash_eq(&e->pend[i].h, h))
        i++;
    if (i == e->n_pend)
        return eth_chain_fail(e, PLASMA_ERR_NOT_FOUND, "no such transaction sent by this client");
    plasma_eth_receipt r;
    int reverted = 0, rc = wait_pending(e, e->pend[i].p, timeout_ms, &r, &reverted);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    out->call_hash = r.tx_hash;
    out->block_number = r.block_number;
    out->kind = e->pend[i].kind;
    out->from = e->sender_addr;
    out->nonce = r.nonce;
    out->gas_used = r.gas_used;
    out->gas_price = eth_chain_u64(&r.effective_gas_price);
    out->err = reverted;
    if (reverted) {
        char name[64] = "";
        uint8_t sel[4];
        if (plasma_eth_error_name(name, sizeof name, sel, reverted) != 0)
            name[0] = '\0';
        eth_chain_fail(e, reverted, "%s%s%s", name[0] ? "the contract reverted with " : "",
                       name[0] ? name : plasma_eth_sender_errmsg(e->sender), name[0] ? "()" : "");
    }
    plasma_eth_pending_free(e->pend[i].p);
    e->pend[i] = e->pend[--e->n_pend];
    return 0;
}

static const char *e_errmsg(void *ctx)
{
    eth_chain *e = ctx;
    return e->errmsg;
}

static void e_free(void *ctx)
{
    eth_chain *e = ctx;
    if (!e)
        return;
    for (size_t i = 0; i < e->n_pend; i++)
        plasma_eth_pending_free(e->pend[i].p);
    plasma_eth_sender_free(e->sender);
    plasma_eth_follower_free(e->follower);
    plasma_eth_contract_free(e->k);
    plasma_eth_rpc_free(e->rpc);
    free(e);
}

static const client_chain_ops eth_ops = {
    .name = "eth",
    .status = e_status,
    .send = e_send,
    .wait = e_wait,
    .call_events = eth_chain_call_events,
    .events = eth_chain_events,
    .block = e_block,
    .block_root = e_block_root,
    .exit = e_exit,
    .ife = eth_chain_ife,
    .ife_tx = eth_chain_ife_tx,
    .ifes = eth_chain_ifes,
    .finalized = e_finalized,
    .withdrawable = e_withdrawable,
    .balance = e_balance,
    .follow = eth_chain_follow,
    .reorg_window = 64, /* the follower's default */
    .errmsg = e_errmsg,
    .free = e_free,
};

int client_chain_eth_new(client_chain *out, const plasma_client_eth_config *cfg, char *err, size_t err_len)
{
    eth_chain *e = calloc(1, sizeof *e);
    plasma_eth_rpc_config rc_cfg;
    int rc;
    if (!e)
        return PLASMA_ERR_NOMEM;
    plasma_eth_rpc_config_default(&rc_cfg);
    rc_cfg.url = cfg->rpc_url;
    e->contract = cfg->contract;
    e->confirmations = cfg->confirmations;
    e->start_block = cfg->start_block ? cfg->start_block : 1;
    if (!cfg->rpc_url || plasma_eth_rpc_new(&e->rpc, &rc_cfg) != 0) {
        snprintf(err, err_len, "--rpc: not an http:// or https:// URL");
        rc = PLASMA_ERR_CONFIG;
    } else {
        plasma_eth_expect want = {cfg->chain_id, NULL, NULL};
        rc = plasma_eth_check_deployment(e->rpc, &e->contract, &want, &e->chain_id, err, err_len);
    }
    if (rc == 0 && plasma_eth_contract_new(&e->k, e->rpc, &e->contract) != 0)
        rc = PLASMA_ERR_NOMEM;
    if (rc) {
        e_free(e);
        return rc;
    }
    out->ops = &eth_ops;
    out->ctx = e;
    return 0;
}
