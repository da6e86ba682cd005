/* The Plasma contract: deposits, child blocks, standard exits, challenges
 * and exit processing, metered as they execute.
 *
 * Gas is charged for the primitives a Solidity contract with this storage
 * layout would pay for (docs/gas.md): one storage read per 32-byte slot it
 * reads, one write per slot it changes (new when the slot held zero),
 * keccak per hashed word, ecrecover, logs, and ETH sent out of the
 * contract. Computation (RLP decoding, comparisons, memory) is not charged.
 *
 * Storage layout, in 32-byte slots:
 *   operator, nextChildBlock, nextDeposit, exitBond   1 slot each
 *   blocks[blknum]      root, timestamp               2 slots
 *   exits[utxo_pos]     utxo_pos|exitable_at|state|queued (packed),
 *                       owner, token, amount, output_id 5 slots
 *   finalized[output_id] the id of the exit that finalized it  1 slot
 *   queues[token]       size 1 slot, one slot per heap entry (exitable_at|pos),
 *                       and for an in-flight exit's entry one more for its id
 *   withdrawable[owner][token]                        1 slot
 *   token balances      1 slot per (owner, token) in the token's contract
 * In-flight exits are in ife.c and ife_process.c, payments in pay.c, the
 * meter in meter.c.
 * Deposit details (depositor, token, amount) live in the DepositCreated log,
 * as in the reference contracts; the library keeps them for queries without
 * charging storage for them. */
#include "internal.h"

#define EXIT_SLOTS 5

/* ---- transfer(to, token, amount) ---- */

static int run_transfer(eg_exec *ex)
{
    const plasma_call *call = ex->call;
    if (eg_is_eth(&call->transfer.token))
        return eg_eth_move(ex->c, &call->from, &call->transfer.to, &call->transfer.amount);
    return eg_token_move(ex, &call->from, &call->transfer.to, &call->transfer.token, &call->transfer.amount);
}

/* ---- deposit(token, amount) ---- */

/* Out: the root of the tree whose only leaf is the deposit tx. */
static int deposit_root(eg_exec *ex, plasma_hash *root)
{
    const plasma_call *call = ex->call;
    plasma_tx tx;
    plasma_tx_make_deposit(&tx, &call->from, &call->deposit.token, &call->deposit.amount);
    plasma_buf buf = {0};
    int rc = plasma_tx_encode_unsigned(&buf, &tx);
    if (rc == 0)
        rc = eg_gas(ex, eg_inclusion_cost(buf.len));
    plasma_hash leaf;
    if (rc == 0) {
        plasma_merkle_leaf(&leaf, buf.data, buf.len);
        rc = plasma_merkle_root(root, &leaf, 1);
    }
    plasma_buf_free(&buf);
    return rc;
}

static int store_block(eg_exec *ex, uint64_t blknum, const plasma_hash *root, eg_pblock **out)
{
    uint32_t r;
    int rc = eg_create(ex->c, EG_T_PBLOCK, &blknum, &r);
    if (rc == 0)
        rc = eg_gas_sstore(ex, EG_BLOCK_SLOTS, 0);
    if (rc != 0)
        return rc;
    eg_pblock *b = eg_table_at(&ex->c->t[EG_T_PBLOCK], r);
    b->root = *root;
    b->timestamp = ex->now;
    *out = b;
    return PLASMA_OK;
}

static int run_deposit(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    const plasma_call *call = ex->call;
    if (plasma_u256_is_zero(&call->deposit.amount))
        return PLASMA_ERR_BAD_AMOUNT;
    int rc = eg_gas_sload(ex, 2);
    if (rc != 0)
        return rc;
    if (c->g.next_deposit >= PLASMA_CHILD_BLOCK_INTERVAL)
        return PLASMA_ERR_DEPOSIT_LIMIT;
    if (eg_is_eth(&call->deposit.token))
        rc = eg_eth_move(c, &call->from, &c->cfg.contract, &call->deposit.amount);
    else
        rc = eg_token_move(ex, &call->from, &c->cfg.contract, &call->deposit.token, &call->deposit.amount);
    plasma_hash root;
    if (rc == 0)
        rc = deposit_root(ex, &root);
    uint64_t blknum = c->g.next_child_block - PLASMA_CHILD_BLOCK_INTERVAL + c->g.next_deposit;
    eg_pblock *b;
    if (rc == 0)
        rc = store_block(ex, blknum, &root, &b);
    if (rc != 0)
        return rc;
    b->is_deposit = true;
    b->depositor = call->from;
    b->token = call->deposit.token;
    b->amount = call->deposit.amount;
    rc = eg_touch_globals(c);
    if (rc == 0)
        rc = eg_gas_sstore(ex, 0, 1);
    if (rc != 0)
        return rc;
    c->g.next_deposit++;
    plasma_event ev = {.kind = PLASMA_EVENT_DEPOSIT_CREATED};
    ev.deposit_created.depositor = call->from;
    ev.deposit_created.blknum = blknum;
    ev.deposit_created.token = call->deposit.token;
    ev.deposit_created.amount = call->deposit.amount;
    return eg_emit(ex, &ev, 4, 32);
}

/* ---- submitBlock(root) ---- */

static int run_submit_block(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    int rc = eg_gas_sload(ex, 1);
    if (rc != 0)
        return rc;
    if (!plasma_addr_eq(&ex->call->from, &c->cfg.operator_addr))
        return PLASMA_ERR_NOT_OPERATOR;
    rc = eg_gas_sload(ex, 1);
    if (rc != 0)
        return rc;
    uint64_t blknum = c->g.next_child_block;
    if (plasma_pos_blknum(UINT64_MAX) - PLASMA_CHILD_BLOCK_INTERVAL < blknum)
        return PLASMA_ERR_OVERFLOW;
    eg_pblock *b;
    rc = store_block(ex, blknum, &ex->call->submit_block.root, &b);
    if (rc == 0)
        rc = eg_touch_globals(c);
    /* Resetting nextDeposit when it already holds 1 is a no-op write. */
    if (rc == 0)
        rc = eg_gas_sstore(ex, 0, c->g.next_deposit != 1 ? 2 : 1);
    if (rc != 0)
        return rc;
    c->g.next_child_block += PLASMA_CHILD_BLOCK_INTERVAL;
    c->g.next_deposit = 1;
    plasma_event ev = {.kind = PLASMA_EVENT_BLOCK_SUBMITTED};
    ev.block_submitted.blknum = blknum;
    ev.block_submitted.root = ex->call->submit_block.root;
    return eg_emit(ex, &ev, 2, 32);
}

/* ---- startStandardExit(utxo_pos, tx, proof) + bond ---- */

/* The output being exited, checked against the stored block and the
 * caller. Out: its block, the decoded tx and the output. */
static int exit_output(eg_exec *ex, const eg_pblock **blk, plasma_tx *tx, plasma_output *out)
{
    const plasma_call *call = ex->call;
    uint64_t pos = call->start_exit.utxo_pos;
    int rc = eg_block_get(ex, plasma_pos_blknum(pos), blk);
    if (rc != 0)
        return rc;
    if (plasma_tx_decode_unsigned(tx, call->start_exit.tx, call->start_exit.tx_len) != 0)
        return PLASMA_ERR_BAD_CALL;
    uint32_t oindex = plasma_pos_oindex(pos);
    if (oindex >= tx->n_outputs)
        return PLASMA_ERR_BAD_CALL;
    *out = tx->outputs[oindex];
    if (!plasma_addr_eq(&out->owner, &call->from))
        return PLASMA_ERR_NOT_OWNER;
    return PLASMA_OK;
}

static int check_not_exited(eg_exec *ex, uint64_t pos)
{
    int rc = eg_gas_sload(ex, 1);
    if (rc != 0)
        return rc;
    uint32_t r = eg_table_find(&ex->c->t[EG_T_EXIT], &pos);
    if (r == EG_NONE)
        return PLASMA_OK;
    const eg_exit *e = eg_table_at(&ex->c->t[EG_T_EXIT], r);
    bool paid_or_lost = e->state == PLASMA_EXIT_FINALIZED || e->state == PLASMA_EXIT_SUPERSEDED;
    return paid_or_lost ? PLASMA_ERR_OUTPUT_FINALIZED : PLASMA_ERR_EXIT_EXISTS;
}

/* Out: the exiting output's id; PLASMA_ERR_OUTPUT_FINALIZED when an exit
 * (an in-flight one) finalized it already. */
static int check_not_finalized(eg_exec *ex, const plasma_tx *tx, plasma_hash *output_id)
{
    const plasma_call *call = ex->call;
    uint64_t pos = call->start_exit.utxo_pos;
    int rc = eg_output_id(ex, output_id, call->start_exit.tx, call->start_exit.tx_len, tx->n_inputs > 0,
                          plasma_pos_oindex(pos), pos);
    plasma_u256 by;
    if (rc == 0)
        rc = eg_finalized_get(ex, output_id, &by);
    if (rc != 0)
        return rc;
    return plasma_u256_is_zero(&by) ? PLASMA_OK : PLASMA_ERR_OUTPUT_FINALIZED;
}

static uint64_t exitable_at(const plasma_chain *c, const eg_pblock *blk, uint64_t now)
{
    uint64_t mep = c->cfg.min_exit_period, soonest = now + mep;
    if (blk->is_deposit)
        return soonest;
    uint64_t aged = blk->timestamp + 2 * mep;
    return aged > soonest ? aged : soonest;
}

static int record_exit(eg_exec *ex, const plasma_output *out, const plasma_hash *output_id, uint64_t when)
{
    uint64_t pos = ex->call->start_exit.utxo_pos;
    uint32_t r;
    int rc = eg_create(ex->c, EG_T_EXIT, &pos, &r);
    if (rc == 0)
        rc = eg_gas_sstore(ex, EXIT_SLOTS, 0);
    if (rc != 0)
        return rc;
    eg_exit *e = eg_table_at(&ex->c->t[EG_T_EXIT], r);
    e->exitable_at = when;
    e->amount = out->amount;
    e->owner = out->owner;
    e->token = out->token;
    e->output_id = *output_id;
    e->state = PLASMA_EXIT_IN_PROGRESS;
    e->queued = 1;
    eg_node node = {when, pos, EG_NONE};
    return eg_enqueue(ex, &out->token, &node);
}

static int run_start_exit(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    const plasma_call *call = ex->call;
    /* The bond arrives as the call's value, before any code runs. */
    int rc = eg_eth_move(c, &call->from, &c->cfg.contract, &call->start_exit.bond);
    if (rc == 0)
        rc = eg_gas_sload(ex, 1);
    if (rc != 0)
        return rc;
    if (plasma_u256_cmp(&call->start_exit.bond, &c->cfg.exit_bond) != 0)
        return PLASMA_ERR_BAD_BOND;
    const eg_pblock *blk;
    plasma_tx tx;
    plasma_output out;
    plasma_hash output_id;
    rc = exit_output(ex, &blk, &tx, &out);
    if (rc == 0)
        rc = check_not_exited(ex, call->start_exit.utxo_pos);
    if (rc == 0)
        rc = check_not_finalized(ex, &tx, &output_id);
    if (rc == 0)
        rc = eg_check_inclusion(ex, blk, plasma_pos_txindex(call->start_exit.utxo_pos), call->start_exit.tx,
                                call->start_exit.tx_len, call->start_exit.proof);
    if (rc != 0)
        return rc;
    uint64_t when = exitable_at(c, blk, ex->now);
    rc = record_exit(ex, &out, &output_id, when);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_EXIT_STARTED};
    ev.exit_started.owner = out.owner;
    ev.exit_started.exit_id = call->start_exit.utxo_pos;
    ev.exit_started.token = out.token;
    ev.exit_started.amount = out.amount;
    return eg_emit(ex, &ev, 3, 64);
}

/* ---- challengeStandardExit(exit_id, tx, input_index) ---- */

/* Out: the signer of the challenge tx's input that spends the exit. */
static int challenge_signer(eg_exec *ex, plasma_addr *signer)
{
    const plasma_call *call = ex->call;
    plasma_tx tx;
    if (plasma_tx_decode_signed(&tx, call->challenge_exit.tx, call->challenge_exit.tx_len) != 0)
        return PLASMA_ERR_BAD_CHALLENGE;
    uint32_t i = call->challenge_exit.input_index;
    if (i >= tx.n_inputs || tx.inputs[i] != call->challenge_exit.exit_id)
        return PLASMA_ERR_BAD_CHALLENGE;
    plasma_hash digest;
    int rc = eg_tx_digest(ex, &tx, &digest);
    return rc ? rc : eg_recover(ex, &digest, &tx.sigs[i], signer);
}

static int run_challenge_exit(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    const plasma_call *call = ex->call;
    uint64_t id = call->challenge_exit.exit_id;
    int rc = eg_gas_sload(ex, 1);
    if (rc != 0)
        return rc;
    uint32_t r = eg_table_find(&c->t[EG_T_EXIT], &id);
    if (r == EG_NONE)
        return PLASMA_ERR_EXIT_NOT_FOUND;
    if (((eg_exit *)eg_table_at(&c->t[EG_T_EXIT], r))->state != PLASMA_EXIT_IN_PROGRESS)
        return PLASMA_ERR_EXIT_NOT_ACTIVE;
    plasma_addr signer;
    rc = challenge_signer(ex, &signer);
    if (rc == 0)
        rc = eg_gas_sload(ex, 1);
    if (rc != 0)
        return rc;
    if (!plasma_addr_eq(&signer, &((eg_exit *)eg_table_at(&c->t[EG_T_EXIT], r))->owner))
        return PLASMA_ERR_BAD_SIGNATURE;
    rc = eg_touch(c, EG_T_EXIT, r);
    if (rc == 0)
        rc = eg_gas_sstore(ex, 0, 1);
    if (rc != 0)
        return rc;
    ((eg_exit *)eg_table_at(&c->t[EG_T_EXIT], r))->state = PLASMA_EXIT_CHALLENGED;
    rc = eg_gas_sload(ex, 1);
    if (rc == 0)
        rc = eg_pay(ex, &call->from, NULL, &c->cfg.exit_bond);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_EXIT_CHALLENGED};
    ev.exit_challenged.exit_id = id;
    ev.exit_challenged.challenger = call->from;
    return eg_emit(ex, &ev, 3, 0);
}

/* ---- processExits(token, max_exits) ---- */

/* Pays an exit's amount and bond: one payment of the sum in ETH (capped at
 * 2^256 - 1: no contract holds that much, so it is deferred either way, and
 * an overflow must not block the queue), two (the amount in the token, the
 * bond in ETH) otherwise. */
static int pay_exit(eg_exec *ex, const eg_exit *paid)
{
    const plasma_u256 *bond = &ex->c->cfg.exit_bond;
    if (eg_is_eth(&paid->token)) {
        plasma_u256 total;
        plasma_u256_add_saturating(&total, &paid->amount, bond);
        return eg_pay(ex, &paid->owner, NULL, &total);
    }
    int rc = eg_pay(ex, &paid->owner, &paid->token, &paid->amount);
    return rc ? rc : eg_pay(ex, &paid->owner, NULL, bond);
}

/* Pays a matured exit and flags its output; drops it when it was
 * challenged, or leaves it unpaid (superseded) when another exit
 * finalized its output first. */
static int settle(eg_exec *ex, uint64_t pos)
{
    plasma_chain *c = ex->c;
    uint32_t r = eg_table_find(&c->t[EG_T_EXIT], &pos);
    if (r == EG_NONE)
        return PLASMA_ERR_INTERNAL;
    int rc = eg_gas_sload(ex, 1);
    if (rc == 0)
        rc = eg_touch(c, EG_T_EXIT, r);
    if (rc == 0)
        rc = eg_gas_sstore(ex, 0, 1);
    if (rc != 0)
        return rc;
    eg_exit *e = eg_table_at(&c->t[EG_T_EXIT], r);
    e->queued = 0;
    if (e->state != PLASMA_EXIT_IN_PROGRESS)
        return PLASMA_OK;
    eg_exit paid = *e; /* the record may move when balances are created */
    plasma_u256 by, id = plasma_u256_from_u64(pos);
    rc = eg_gas_sload(ex, EXIT_SLOTS - 1);
    if (rc == 0)
        rc = eg_finalized_get(ex, &paid.output_id, &by);
    if (rc != 0)
        return rc;
    if (!plasma_u256_is_zero(&by)) {
        e->state = PLASMA_EXIT_SUPERSEDED; /* the bond stays in the contract */
        return PLASMA_OK;
    }
    e->state = PLASMA_EXIT_FINALIZED;
    rc = eg_finalized_set(ex, &paid.output_id, &id);
    if (rc == 0)
        rc = pay_exit(ex, &paid);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_EXIT_FINALIZED};
    ev.exit_finalized.exit_id = pos;
    return eg_emit(ex, &ev, 2, 0);
}

/* Pops the head of queue q (the caller has read it). */
static int pop_head(eg_exec *ex, uint32_t q, eg_node *head)
{
    plasma_chain *c = ex->c;
    eg_heap *h = &((eg_queue *)eg_table_at(&c->t[EG_T_QUEUE], q))->heap;
    *head = h->a[0];
    eg_heap_cost cost = {0, 0, 0};
    eg_heap_pop(h, &cost);
    int rc = eg_journal_heap(c, EG_J_POP, q, head);
    if (rc != 0) {
        eg_heap_push(h, head, NULL);
        return rc;
    }
    return eg_gas_heap(ex, &cost);
}

static int run_process_exits(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    const plasma_call *call = ex->call;
    const plasma_addr *token = &call->process_exits.token;
    int rc = eg_gas_sload(ex, 1);
    uint32_t q;
    if (rc != 0 || eg_queue_get(c, token, false, &q) != 0)
        return rc;
    uint64_t done = 0;
    rc = eg_gas_sload(ex, 1); /* the bond */
    while (rc == 0 && done < call->process_exits.max_exits) {
        const eg_heap *h = &((const eg_queue *)eg_table_at(&c->t[EG_T_QUEUE], q))->heap;
        if (h->n == 0)
            break;
        rc = eg_gas_sload(ex, 1);
        if (rc != 0 || h->a[0].exitable_at > ex->now)
            break;
        eg_node head;
        rc = pop_head(ex, q, &head);
        if (rc == 0)
            rc = head.ife == EG_NONE ? settle(ex, head.utxo_pos) : eg_ife_settle(ex, token, head.ife);
        done++;
    }
    if (rc == 0 && done > 0)
        rc = eg_gas_sstore(ex, 0, 1); /* the queue size */
    return rc;
}

int eg_contract_run(eg_exec *ex)
{
    switch (ex->call->kind) {
    case PLASMA_CALL_TRANSFER:
        return run_transfer(ex);
    case PLASMA_CALL_DEPOSIT:
        return run_deposit(ex);
    case PLASMA_CALL_SUBMIT_BLOCK:
        return run_submit_block(ex);
    case PLASMA_CALL_START_EXIT:
        return run_start_exit(ex);
    case PLASMA_CALL_CHALLENGE_EXIT:
        return run_challenge_exit(ex);
    case PLASMA_CALL_PROCESS_EXITS:
        return run_process_exits(ex);
    case PLASMA_CALL_START_IFE:
        return eg_run_start_ife(ex);
    case PLASMA_CALL_PIGGYBACK_INPUT:
    case PLASMA_CALL_PIGGYBACK_OUTPUT:
        return eg_run_piggyback(ex);
    case PLASMA_CALL_CHALLENGE_IFE:
        return eg_run_challenge_ife(ex);
    case PLASMA_CALL_RESPOND_IFE:
        return eg_run_respond_ife(ex);
    case PLASMA_CALL_CHALLENGE_IFE_INPUT:
        return eg_run_challenge_ife_input(ex);
    case PLASMA_CALL_CHALLENGE_IFE_OUTPUT:
        return eg_run_challenge_ife_output(ex);
    case PLASMA_CALL_DELETE_IFE:
        return eg_run_delete_ife(ex);
    case PLASMA_CALL_WITHDRAW:
        return eg_run_withdraw(ex);
    }
    return PLASMA_ERR_BAD_CALL;
}
