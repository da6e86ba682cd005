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
 *                       owner, token, amount          4 slots
 *   queues[token]       size 1 slot, one slot per heap entry (exitable_at|utxo_pos)
 *   token balances      1 slot per (owner, token) in the token's contract
 * Deposit details (depositor, token, amount) live in the DepositCreated log,
 * as in the reference contracts; the library keeps them for queries without
 * charging storage for them. */
#include "internal.h"

#define BLOCK_SLOTS 2
#define EXIT_SLOTS 4
#define MERKLE_NODE_BYTES 65 /* 0x01 ‖ left ‖ right */

/* ---- the meter ---- */

int eg_gas(eg_exec *ex, uint64_t amount)
{
    if (amount > ex->gas_limit - ex->gas_used) {
        ex->gas_used = ex->gas_limit;
        return PLASMA_ERR_OUT_OF_GAS;
    }
    ex->gas_used += amount;
    return PLASMA_OK;
}

static int gas_sload(eg_exec *ex, uint64_t slots)
{
    return eg_gas(ex, slots * PLASMA_GAS_SLOAD);
}

static int gas_sstore(eg_exec *ex, uint64_t new_slots, uint64_t updated_slots)
{
    return eg_gas(ex, new_slots * PLASMA_GAS_SSTORE_NEW + updated_slots * PLASMA_GAS_SSTORE_UPDATE);
}

static uint64_t keccak_cost(size_t len)
{
    return PLASMA_GAS_KECCAK + PLASMA_GAS_KECCAK_WORD * ((len + 31) / 32);
}

static int gas_heap(eg_exec *ex, const eg_heap_cost *cost)
{
    int rc = gas_sload(ex, cost->reads);
    return rc ? rc : gas_sstore(ex, cost->writes_new, cost->writes_update);
}

/* Charges the log and records the event. topics counts the signature. */
static int emit(eg_exec *ex, plasma_event *ev, unsigned topics, size_t data_bytes)
{
    int rc = eg_gas(ex, PLASMA_GAS_LOG + topics * PLASMA_GAS_LOG_TOPIC + data_bytes * PLASMA_GAS_LOG_BYTE);
    if (rc != 0)
        return rc;
    ev->block_number = ex->block_number;
    ev->call_index = ex->call_index;
    return eg_push_event(ex->c, ev);
}

/* ---- value movements ---- */

/* A token transfer inside the token's own contract: both balance slots are
 * read and written. */
static int token_move(eg_exec *ex, const plasma_addr *from, const plasma_addr *to, const plasma_addr *token,
                      const plasma_u256 *amount)
{
    int rc = gas_sload(ex, 2);
    if (rc == 0)
        rc = eg_debit(ex->c, from, token, amount);
    bool was_zero = false;
    if (rc == 0)
        rc = eg_credit(ex->c, to, token, amount, &was_zero);
    if (rc == 0)
        rc = gas_sstore(ex, was_zero ? 1 : 0, was_zero ? 1 : 2);
    return rc;
}

/* Plain ETH movement between accounts (a call's value): no storage. */
static int eth_move(plasma_chain *c, const plasma_addr *from, const plasma_addr *to,
                    const plasma_u256 *amount)
{
    int rc = eg_debit(c, from, NULL, amount);
    return rc ? rc : eg_credit(c, to, NULL, amount, NULL);
}

/* ETH sent out of the contract. An honest chain never runs the contract
 * short, but once invalid exits have been paid (an operator's theft) a later
 * payout can find too little: the call reverts with PLASMA_ERR_PAYMENT_FAILED,
 * as a failed transfer reverts on Ethereum. */
static int pay_eth(eg_exec *ex, const plasma_addr *to, const plasma_u256 *amount)
{
    int rc = eg_gas(ex, PLASMA_GAS_TRANSFER);
    if (rc != 0)
        return rc;
    rc = eg_debit(ex->c, &ex->c->cfg.contract, NULL, amount);
    if (rc == PLASMA_ERR_INSUFFICIENT_FUNDS)
        return PLASMA_ERR_PAYMENT_FAILED;
    return rc ? rc : eg_credit(ex->c, to, NULL, amount, NULL);
}

/* ---- transfer(to, token, amount) ---- */

static int run_transfer(eg_exec *ex)
{
    const plasma_call *call = ex->call;
    if (eg_is_eth(&call->transfer.token))
        return eth_move(ex->c, &call->from, &call->transfer.to, &call->transfer.amount);
    return token_move(ex, &call->from, &call->transfer.to, &call->transfer.token, &call->transfer.amount);
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
        rc = eg_gas(ex, keccak_cost(1 + buf.len) + PLASMA_MERKLE_DEPTH * keccak_cost(MERKLE_NODE_BYTES));
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
        rc = gas_sstore(ex, BLOCK_SLOTS, 0);
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
    int rc = gas_sload(ex, 2);
    if (rc != 0)
        return rc;
    if (c->g.next_deposit >= PLASMA_CHILD_BLOCK_INTERVAL)
        return PLASMA_ERR_DEPOSIT_LIMIT;
    if (eg_is_eth(&call->deposit.token))
        rc = eth_move(c, &call->from, &c->cfg.contract, &call->deposit.amount);
    else
        rc = token_move(ex, &call->from, &c->cfg.contract, &call->deposit.token, &call->deposit.amount);
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
        rc = gas_sstore(ex, 0, 1);
    if (rc != 0)
        return rc;
    c->g.next_deposit++;
    plasma_event ev = {.kind = PLASMA_EVENT_DEPOSIT_CREATED};
    ev.deposit_created.depositor = call->from;
    ev.deposit_created.blknum = blknum;
    ev.deposit_created.token = call->deposit.token;
    ev.deposit_created.amount = call->deposit.amount;
    return emit(ex, &ev, 4, 32);
}

/* ---- submitBlock(root) ---- */

static int run_submit_block(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    int rc = gas_sload(ex, 1);
    if (rc != 0)
        return rc;
    if (!plasma_addr_eq(&ex->call->from, &c->cfg.operator_addr))
        return PLASMA_ERR_NOT_OPERATOR;
    rc = gas_sload(ex, 1);
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
        rc = gas_sstore(ex, 0, c->g.next_deposit != 1 ? 2 : 1);
    if (rc != 0)
        return rc;
    c->g.next_child_block += PLASMA_CHILD_BLOCK_INTERVAL;
    c->g.next_deposit = 1;
    plasma_event ev = {.kind = PLASMA_EVENT_BLOCK_SUBMITTED};
    ev.block_submitted.blknum = blknum;
    ev.block_submitted.root = ex->call->submit_block.root;
    return emit(ex, &ev, 2, 32);
}

/* ---- startStandardExit(utxo_pos, tx, proof) + bond ---- */

/* The output being exited, checked against the stored block and the caller. */
static int exit_output(eg_exec *ex, const eg_pblock **blk, plasma_output *out)
{
    const plasma_call *call = ex->call;
    uint64_t pos = call->start_exit.utxo_pos;
    int rc = gas_sload(ex, BLOCK_SLOTS);
    if (rc != 0)
        return rc;
    uint64_t blknum = plasma_pos_blknum(pos);
    uint32_t r = eg_table_find(&ex->c->t[EG_T_PBLOCK], &blknum);
    if (blknum == 0 || r == EG_NONE)
        return PLASMA_ERR_BLOCK_NOT_FOUND;
    *blk = eg_table_at(&ex->c->t[EG_T_PBLOCK], r);
    plasma_tx tx;
    if (plasma_tx_decode_unsigned(&tx, call->start_exit.tx, call->start_exit.tx_len) != 0)
        return PLASMA_ERR_BAD_CALL;
    uint32_t oindex = plasma_pos_oindex(pos);
    if (oindex >= tx.n_outputs)
        return PLASMA_ERR_BAD_CALL;
    *out = tx.outputs[oindex];
    if (!plasma_addr_eq(&out->owner, &call->from))
        return PLASMA_ERR_NOT_OWNER;
    return PLASMA_OK;
}

static int check_not_exited(eg_exec *ex, uint64_t pos)
{
    int rc = gas_sload(ex, 1);
    if (rc != 0)
        return rc;
    uint32_t r = eg_table_find(&ex->c->t[EG_T_EXIT], &pos);
    if (r == EG_NONE)
        return PLASMA_OK;
    const eg_exit *e = eg_table_at(&ex->c->t[EG_T_EXIT], r);
    return e->state == PLASMA_EXIT_FINALIZED ? PLASMA_ERR_OUTPUT_FINALIZED : PLASMA_ERR_EXIT_EXISTS;
}

static int check_inclusion(eg_exec *ex, const eg_pblock *blk)
{
    const plasma_call *call = ex->call;
    uint32_t txindex = plasma_pos_txindex(call->start_exit.utxo_pos);
    if (txindex >= PLASMA_MERKLE_LEAVES)
        return PLASMA_ERR_BAD_PROOF;
    int rc = eg_gas(ex, keccak_cost(1 + call->start_exit.tx_len) +
                            PLASMA_MERKLE_DEPTH * keccak_cost(MERKLE_NODE_BYTES));
    if (rc != 0)
        return rc;
    plasma_hash leaf;
    plasma_merkle_leaf(&leaf, call->start_exit.tx, call->start_exit.tx_len);
    if (!plasma_merkle_verify(&blk->root, &leaf, txindex, call->start_exit.proof, PLASMA_MERKLE_PROOF_LEN))
        return PLASMA_ERR_BAD_PROOF;
    return PLASMA_OK;
}

static uint64_t exitable_at(const plasma_chain *c, const eg_pblock *blk, uint64_t now)
{
    uint64_t mep = c->cfg.min_exit_period, soonest = now + mep;
    if (blk->is_deposit)
        return soonest;
    uint64_t aged = blk->timestamp + 2 * mep;
    return aged > soonest ? aged : soonest;
}

static int enqueue(eg_exec *ex, const plasma_addr *token, const eg_node *node)
{
    plasma_chain *c = ex->c;
    int rc = gas_sload(ex, 1);
    uint32_t q;
    if (rc == 0)
        rc = eg_queue_get(c, token, true, &q);
    if (rc != 0)
        return rc;
    eg_heap *h = &((eg_queue *)eg_table_at(&c->t[EG_T_QUEUE], q))->heap;
    bool size_was_zero = h->n == 0;
    eg_heap_cost cost = {0, 0, 0};
    rc = eg_heap_push(h, node, &cost);
    if (rc != 0)
        return rc;
    rc = eg_journal_heap(c, EG_J_PUSH, q, node);
    if (rc != 0) {
        eg_heap_remove(h, node);
        return rc;
    }
    rc = gas_heap(ex, &cost);
    return rc ? rc : gas_sstore(ex, size_was_zero ? 1 : 0, size_was_zero ? 0 : 1);
}

static int record_exit(eg_exec *ex, const plasma_output *out, uint64_t when)
{
    uint64_t pos = ex->call->start_exit.utxo_pos;
    uint32_t r;
    int rc = eg_create(ex->c, EG_T_EXIT, &pos, &r);
    if (rc == 0)
        rc = gas_sstore(ex, EXIT_SLOTS, 0);
    if (rc != 0)
        return rc;
    eg_exit *e = eg_table_at(&ex->c->t[EG_T_EXIT], r);
    e->exitable_at = when;
    e->amount = out->amount;
    e->owner = out->owner;
    e->token = out->token;
    e->state = PLASMA_EXIT_IN_PROGRESS;
    e->queued = 1;
    eg_node node = {when, pos};
    return enqueue(ex, &out->token, &node);
}

static int run_start_exit(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    const plasma_call *call = ex->call;
    /* The bond arrives as the call's value, before any code runs. */
    int rc = eth_move(c, &call->from, &c->cfg.contract, &call->start_exit.bond);
    if (rc == 0)
        rc = gas_sload(ex, 1);
    if (rc != 0)
        return rc;
    if (plasma_u256_cmp(&call->start_exit.bond, &c->cfg.exit_bond) != 0)
        return PLASMA_ERR_BAD_BOND;
    const eg_pblock *blk;
    plasma_output out;
    rc = exit_output(ex, &blk, &out);
    if (rc == 0)
        rc = check_not_exited(ex, call->start_exit.utxo_pos);
    if (rc == 0)
        rc = check_inclusion(ex, blk);
    if (rc != 0)
        return rc;
    uint64_t when = exitable_at(c, blk, ex->now);
    rc = record_exit(ex, &out, when);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_EXIT_STARTED};
    ev.exit_started.owner = out.owner;
    ev.exit_started.exit_id = call->start_exit.utxo_pos;
    ev.exit_started.token = out.token;
    ev.exit_started.amount = out.amount;
    return emit(ex, &ev, 3, 64);
}

/* ---- challengeStandardExit(exit_id, tx, input_index) ---- */

/* Keccak work of the EIP-712 digest of tx: one hashStruct per input and
 * output, the two array hashes, the Transaction struct and the final
 * digest (the domain separator is a constant). */
static uint64_t eip712_cost(const plasma_tx *tx)
{
    return tx->n_inputs * keccak_cost(4 * 32) + keccak_cost(32u * tx->n_inputs) +
           tx->n_outputs * keccak_cost(5 * 32) + keccak_cost(32u * tx->n_outputs) + keccak_cost(5 * 32) +
           keccak_cost(2 + 2 * 32);
}

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
    int rc = eg_gas(ex, eip712_cost(&tx) + PLASMA_GAS_ECRECOVER);
    if (rc != 0)
        return rc;
    plasma_hash digest;
    plasma_eip712_digest(&digest, &ex->c->eip712, &tx);
    if (plasma_recover(signer, &digest, &tx.sigs[i]) != 0)
        return PLASMA_ERR_BAD_SIGNATURE;
    return PLASMA_OK;
}

static int run_challenge_exit(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    const plasma_call *call = ex->call;
    uint64_t id = call->challenge_exit.exit_id;
    int rc = gas_sload(ex, 1);
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
        rc = gas_sload(ex, 1);
    if (rc != 0)
        return rc;
    if (!plasma_addr_eq(&signer, &((eg_exit *)eg_table_at(&c->t[EG_T_EXIT], r))->owner))
        return PLASMA_ERR_BAD_SIGNATURE;
    rc = eg_touch(c, EG_T_EXIT, r);
    if (rc == 0)
        rc = gas_sstore(ex, 0, 1);
    if (rc != 0)
        return rc;
    ((eg_exit *)eg_table_at(&c->t[EG_T_EXIT], r))->state = PLASMA_EXIT_CHALLENGED;
    rc = gas_sload(ex, 1);
    if (rc == 0)
        rc = pay_eth(ex, &call->from, &c->cfg.exit_bond);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_EXIT_CHALLENGED};
    ev.exit_challenged.exit_id = id;
    ev.exit_challenged.challenger = call->from;
    return emit(ex, &ev, 3, 0);
}

/* ---- processExits(token, max_exits) ---- */

/* Pays a matured exit, or drops it when it was challenged (or its output
 * is already finalized). */
static int settle(eg_exec *ex, uint64_t pos)
{
    plasma_chain *c = ex->c;
    uint32_t r = eg_table_find(&c->t[EG_T_EXIT], &pos);
    if (r == EG_NONE)
        return PLASMA_ERR_INTERNAL;
    int rc = gas_sload(ex, 1);
    if (rc == 0)
        rc = eg_touch(c, EG_T_EXIT, r);
    if (rc == 0)
        rc = gas_sstore(ex, 0, 1);
    if (rc != 0)
        return rc;
    eg_exit *e = eg_table_at(&c->t[EG_T_EXIT], r);
    e->queued = 0;
    if (e->state != PLASMA_EXIT_IN_PROGRESS)
        return PLASMA_OK;
    e->state = PLASMA_EXIT_FINALIZED;
    eg_exit paid = *e; /* the record may move when balances are created */
    rc = gas_sload(ex, EXIT_SLOTS - 1);
    if (rc != 0)
        return rc;
    if (eg_is_eth(&paid.token)) {
        plasma_u256 total;
        if (plasma_u256_add(&total, &paid.amount, &c->cfg.exit_bond) != 0)
            return PLASMA_ERR_OVERFLOW;
        rc = pay_eth(ex, &paid.owner, &total);
    } else {
        rc = token_move(ex, &c->cfg.contract, &paid.owner, &paid.token, &paid.amount);
        if (rc == PLASMA_ERR_INSUFFICIENT_FUNDS)
            rc = PLASMA_ERR_PAYMENT_FAILED;
        if (rc == 0)
            rc = pay_eth(ex, &paid.owner, &c->cfg.exit_bond);
    }
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_EXIT_FINALIZED};
    ev.exit_finalized.exit_id = pos;
    return emit(ex, &ev, 2, 0);
}

static int run_process_exits(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    const plasma_call *call = ex->call;
    int rc = gas_sload(ex, 1);
    uint32_t q;
    if (rc != 0 || eg_queue_get(c, &call->process_exits.token, false, &q) != 0)
        return rc;
    uint64_t done = 0;
    rc = gas_sload(ex, 1); /* the bond */
    while (rc == 0 && done < call->process_exits.max_exits) {
        eg_heap *h = &((eg_queue *)eg_table_at(&c->t[EG_T_QUEUE], q))->heap;
        if (h->n == 0)
            break;
        rc = gas_sload(ex, 1);
        if (rc != 0 || h->a[0].exitable_at > ex->now)
            break;
        eg_node head = h->a[0];
        eg_heap_cost cost = {0, 0, 0};
        eg_heap_pop(h, &cost);
        rc = eg_journal_heap(c, EG_J_POP, q, &head);
        if (rc != 0) {
            eg_heap_push(h, &head, NULL);
            break;
        }
        rc = gas_heap(ex, &cost);
        if (rc == 0)
            rc = settle(ex, head.utxo_pos);
        done++;
    }
    if (rc == 0 && done > 0)
        rc = gas_sstore(ex, 0, 1); /* the queue size */
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
    default:
        return PLASMA_ERR_BAD_CALL;
    }
}
