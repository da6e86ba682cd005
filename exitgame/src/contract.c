/* The Plasma contract: deposits, child blocks, standard exits, challenges
 * and exit processing, each metered as PlasmaRootChain executes it
 * (contracts/src/PlasmaRootChain.sol, docs/gas.md): the same slots read
 * and written in the same layout, the same hashing, calls out and logs,
 * and the contract's code as fitted terms.
 *
 * Storage layout (docs/contracts.md, "Storage"; slots.c names the words):
 *   counters            nextChildBlock ‖ nextDeposit            1 slot
 *   blocks[blknum]      root, timestamp                         2 slots
 *   exits[utxo_pos]     owner ‖ exitable_at ‖ state ‖ queued, token,
 *                       amount, output_id                       4 slots
 *   finalized[output_id] the id of the exit that finalized it   1 slot
 *   queues[token]       size, keys[pos], ifeIds[pos] (heap.c)
 *   withdrawable[owner][token]                                  1 slot
 * The configuration (operator, bonds, exit period) is immutable: code,
 * not storage. In-flight exits are in ife.c and ife_process.c, payments
 * in pay.c, the meter in meter.c and steps.c.
 * Deposit details (depositor, token, amount) live in the DepositCreated
 * log; the library keeps them for queries without charging storage. */
#include "internal.h"

#define EXIT_WORDS 4

/* ---- transfer(to, token, amount) ---- */

static int run_transfer(eg_exec *ex)
{
    const plasma_call *call = ex->call;
    if (eg_is_eth(&call->transfer.token))
        return eg_eth_move(ex->c, &call->from, &call->transfer.to, &call->transfer.amount);
    return eg_token_transfer(ex, &call->from, &call->transfer.to, &call->transfer.token,
                             &call->transfer.amount);
}

/* ---- deposit(token, amount) ---- */

/* Out: the root of the tree whose only leaf is the deposit tx: the tx
 * built, its leaf and 16 nodes over constant empty subtrees. */
static int deposit_root(eg_exec *ex, plasma_hash *root)
{
    const plasma_call *call = ex->call;
    plasma_tx tx;
    plasma_tx_make_deposit(&tx, &call->from, &call->deposit.token, &call->deposit.amount);
    plasma_buf buf = {0};
    int rc = plasma_tx_encode_unsigned(&buf, &tx);
    if (rc == 0)
        rc = eg_keccak(ex, 1 + buf.len);
    for (unsigned i = 0; i < PLASMA_MERKLE_DEPTH && rc == 0; i++)
        rc = eg_keccak(ex, 65);
    plasma_hash leaf;
    if (rc == 0) {
        plasma_merkle_leaf(&leaf, buf.data, buf.len);
        rc = plasma_merkle_root(root, &leaf, 1);
    }
    plasma_buf_free(&buf);
    return rc;
}

/* blocks[blknum] = Block(root, now). */
static int store_block(eg_exec *ex, uint64_t blknum, const plasma_hash *root, eg_pblock **out)
{
    uint8_t k[8];
    eg_put_u64(k, blknum);
    uint32_t r;
    int rc = eg_sstore(ex, eg_slot(EG_S_BLOCK, k, sizeof k, 0), 0, eg_word_hash(root));
    if (rc == 0)
        rc = eg_sstore(ex, eg_slot(EG_S_BLOCK, k, sizeof k, 1), 0, eg_word_u64(ex->now));
    if (rc == 0)
        rc = eg_create(ex->c, EG_T_PBLOCK, &blknum, &r);
    if (rc != 0)
        return rc;
    eg_pblock *b = eg_table_at(&ex->c->t[EG_T_PBLOCK], r);
    b->root = *root;
    b->timestamp = ex->now;
    *out = b;
    return PLASMA_OK;
}

/* The counters go from what they hold to next (one write of the word). */
static int store_counters(eg_exec *ex, const eg_globals *next)
{
    int rc = eg_sstore(ex, eg_slot(EG_S_COUNTERS, NULL, 0, 0), eg_word_counters(&ex->c->g),
                       eg_word_counters(next));
    if (rc == 0)
        rc = eg_touch_globals(ex->c);
    if (rc == 0)
        ex->c->g = *next;
    return rc;
}

/* The value, or the token's transferFrom, after the deposit's effects as
 * in the contract (a token that cannot be pulled reverts the call). */
static int take_deposit(eg_exec *ex)
{
    const plasma_call *call = ex->call;
    if (eg_is_eth(&call->deposit.token))
        return eg_eth_move(ex->c, &call->from, &ex->c->cfg.contract, &call->deposit.amount);
    return eg_token_pull(ex, &call->from, &call->deposit.token, &call->deposit.amount);
}

static int run_deposit(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    const plasma_call *call = ex->call;
    int rc = eg_lock(ex);
    if (rc == 0)
        rc = eg_cpu_call(ex);
    if (rc != 0)
        return rc;
    if (plasma_u256_is_zero(&call->deposit.amount))
        return PLASMA_ERR_BAD_AMOUNT;
    rc = eg_sload(ex, eg_slot(EG_S_COUNTERS, NULL, 0, 0), eg_word_counters(&c->g));
    if (rc != 0)
        return rc;
    if (c->g.next_deposit >= PLASMA_CHILD_BLOCK_INTERVAL)
        return PLASMA_ERR_DEPOSIT_LIMIT;
    uint64_t blknum = c->g.next_child_block - PLASMA_CHILD_BLOCK_INTERVAL + c->g.next_deposit;
    plasma_hash root;
    eg_pblock *b;
    eg_globals next = {c->g.next_child_block, c->g.next_deposit + 1};
    rc = deposit_root(ex, &root);
    if (rc == 0)
        rc = store_block(ex, blknum, &root, &b);
    if (rc != 0)
        return rc;
    b->is_deposit = true;
    b->depositor = call->from;
    b->token = call->deposit.token;
    b->amount = call->deposit.amount;
    rc = store_counters(ex, &next);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_DEPOSIT_CREATED};
    ev.deposit_created.depositor = call->from;
    ev.deposit_created.blknum = blknum;
    ev.deposit_created.token = call->deposit.token;
    ev.deposit_created.amount = call->deposit.amount;
    rc = eg_emit(ex, &ev, 4, 32);
    return rc ? rc : take_deposit(ex);
}

/* ---- submitBlock(root) ---- */

static int run_submit_block(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    int rc = eg_cpu_call(ex);
    if (rc != 0)
        return rc;
    if (!plasma_addr_eq(&ex->call->from, &c->cfg.operator_addr))
        return PLASMA_ERR_NOT_OPERATOR;
    rc = eg_sload(ex, eg_slot(EG_S_COUNTERS, NULL, 0, 0), eg_word_counters(&c->g));
    if (rc != 0)
        return rc;
    uint64_t blknum = c->g.next_child_block;
    if (plasma_pos_blknum(UINT64_MAX) - PLASMA_CHILD_BLOCK_INTERVAL < blknum)
        return PLASMA_ERR_OVERFLOW;
    eg_pblock *b;
    rc = store_block(ex, blknum, &ex->call->submit_block.root, &b);
    /* The contract writes the two counters one after the other. */
    eg_globals moved = {blknum + PLASMA_CHILD_BLOCK_INTERVAL, c->g.next_deposit},
               reset = {blknum + PLASMA_CHILD_BLOCK_INTERVAL, 1};
    if (rc == 0)
        rc = store_counters(ex, &moved);
    if (rc == 0)
        rc = store_counters(ex, &reset);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_BLOCK_SUBMITTED};
    ev.block_submitted.blknum = blknum;
    ev.block_submitted.root = ex->call->submit_block.root;
    return eg_emit(ex, &ev, 2, 64);
}

/* ---- startStandardExit(utxo_pos, tx, proof) + bond ---- */

static const eg_exit *exit_find(const plasma_chain *c, uint64_t pos)
{
    uint32_t r = eg_table_find(&c->t[EG_T_EXIT], &pos);
    return r == EG_NONE ? NULL : eg_table_at(&c->t[EG_T_EXIT], r);
}

/* The output being exited, checked against the caller. Out: the decoded
 * tx and the output. */
static int exit_output(eg_exec *ex, plasma_tx *tx, plasma_output *out)
{
    const plasma_call *call = ex->call;
    uint64_t pos = call->start_exit.utxo_pos;
    if (plasma_tx_decode_unsigned(tx, call->start_exit.tx, call->start_exit.tx_len) != 0)
        return PLASMA_ERR_BAD_CALL;
    int rc = eg_cpu_decode_unsigned(ex, tx);
    if (rc != 0)
        return rc;
    uint32_t oindex = plasma_pos_oindex(pos);
    if (oindex >= tx->n_outputs)
        return PLASMA_ERR_BAD_CALL;
    *out = tx->outputs[oindex];
    if (!plasma_addr_eq(&out->owner, &call->from))
        return PLASMA_ERR_NOT_OWNER;
    return PLASMA_OK;
}

/* The exit's state (exit_exists while one is in progress or challenged),
 * then the output's id and its flag (output_finalized). */
static int check_not_exited(eg_exec *ex, const plasma_tx *tx, plasma_hash *output_id)
{
    const plasma_call *call = ex->call;
    uint64_t pos = call->start_exit.utxo_pos;
    const eg_exit *e = exit_find(ex->c, pos);
    eg_exit none = {.utxo_pos = pos};
    int rc = eg_exit_load(ex, e ? e : &none, 0);
    if (rc != 0)
        return rc;
    if (e && (e->state == PLASMA_EXIT_IN_PROGRESS || e->state == PLASMA_EXIT_CHALLENGED))
        return PLASMA_ERR_EXIT_EXISTS;
    plasma_u256 by;
    rc = eg_output_id(ex, output_id, call->start_exit.tx, call->start_exit.tx_len, tx->n_inputs > 0,
                      plasma_pos_oindex(pos), pos);
    if (rc == 0)
        rc = eg_finalized_get(ex, output_id, &by);
    if (rc != 0)
        return rc;
    return e || !plasma_u256_is_zero(&by) ? PLASMA_ERR_OUTPUT_FINALIZED : PLASMA_OK;
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
    eg_exit none = {.utxo_pos = pos}, e = none;
    e.exitable_at = when;
    e.amount = out->amount;
    e.owner = out->owner;
    e.token = out->token;
    e.output_id = *output_id;
    e.state = PLASMA_EXIT_IN_PROGRESS;
    e.queued = 1;
    uint32_t r;
    int rc = eg_exit_store(ex, &none, &e, 0, EXIT_WORDS);
    if (rc == 0)
        rc = eg_create(ex->c, EG_T_EXIT, &pos, &r);
    if (rc != 0)
        return rc;
    *(eg_exit *)eg_table_at(&ex->c->t[EG_T_EXIT], r) = e;
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
        rc = eg_cpu_call(ex);
    if (rc != 0)
        return rc;
    if (plasma_u256_cmp(&call->start_exit.bond, &c->cfg.exit_bond) != 0)
        return PLASMA_ERR_BAD_BOND;
    const eg_pblock *blk;
    plasma_tx tx;
    plasma_output out;
    plasma_hash output_id;
    rc = eg_block_get(ex, plasma_pos_blknum(call->start_exit.utxo_pos), &blk);
    if (rc == 0)
        rc = exit_output(ex, &tx, &out);
    if (rc == 0)
        rc = check_not_exited(ex, &tx, &output_id);
    if (rc == 0)
        rc = eg_check_inclusion(ex, blk, plasma_pos_txindex(call->start_exit.utxo_pos), call->start_exit.tx,
                                call->start_exit.tx_len, call->start_exit.proof);
    if (rc != 0)
        return rc;
    rc = record_exit(ex, &out, &output_id, exitable_at(c, blk, ex->now));
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
    int rc = eg_cpu_decode_signed(ex, &tx);
    if (rc != 0)
        return rc;
    uint32_t i = call->challenge_exit.input_index;
    if (i >= tx.n_inputs || tx.inputs[i] != call->challenge_exit.exit_id)
        return PLASMA_ERR_BAD_CHALLENGE;
    plasma_hash digest;
    rc = eg_tx_digest(ex, &tx, &digest);
    return rc ? rc : eg_recover(ex, &digest, &tx.sigs[i], signer);
}

/* Exit r's record goes to next (its word 0: state, queued). */
static int update_exit(eg_exec *ex, uint32_t r, const eg_exit *next)
{
    eg_exit *e = eg_table_at(&ex->c->t[EG_T_EXIT], r);
    int rc = eg_exit_store(ex, e, next, 0, 1);
    if (rc == 0)
        rc = eg_touch(ex->c, EG_T_EXIT, r);
    if (rc == 0)
        *(eg_exit *)eg_table_at(&ex->c->t[EG_T_EXIT], r) = *next;
    return rc;
}

static int run_challenge_exit(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    const plasma_call *call = ex->call;
    uint64_t id = call->challenge_exit.exit_id;
    uint32_t r = eg_table_find(&c->t[EG_T_EXIT], &id);
    eg_exit none = {.utxo_pos = id};
    const eg_exit *e = r == EG_NONE ? &none : eg_table_at(&c->t[EG_T_EXIT], r);
    int rc = eg_lock(ex);
    if (rc == 0)
        rc = eg_cpu_call(ex);
    if (rc == 0)
        rc = eg_exit_load(ex, e, 0);
    if (rc != 0)
        return rc;
    if (r == EG_NONE)
        return PLASMA_ERR_EXIT_NOT_FOUND;
    if (e->state != PLASMA_EXIT_IN_PROGRESS)
        return PLASMA_ERR_EXIT_NOT_ACTIVE;
    plasma_addr signer;
    rc = challenge_signer(ex, &signer);
    if (rc != 0)
        return rc;
    e = eg_table_at(&c->t[EG_T_EXIT], r);
    if (!plasma_addr_eq(&signer, &e->owner))
        return PLASMA_ERR_BAD_SIGNATURE;
    eg_exit next = *e;
    next.state = PLASMA_EXIT_CHALLENGED;
    rc = update_exit(ex, r, &next);
    if (rc == 0)
        rc = eg_pay(ex, &call->from, NULL, &c->cfg.exit_bond);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_EXIT_CHALLENGED};
    ev.exit_challenged.exit_id = id;
    ev.exit_challenged.challenger = call->from;
    return eg_emit(ex, &ev, 2, 32);
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
    eg_exit e = *(const eg_exit *)eg_table_at(&c->t[EG_T_EXIT], r);
    e.queued = 0;
    int rc = eg_cpu_exit_entry(ex);
    if (rc == 0)
        rc = update_exit(ex, r, &e);
    if (rc != 0 || e.state != PLASMA_EXIT_IN_PROGRESS)
        return rc;
    plasma_u256 by, id = plasma_u256_from_u64(pos);
    rc = eg_exit_load(ex, &e, 3);
    if (rc == 0)
        rc = eg_finalized_get(ex, &e.output_id, &by);
    if (rc != 0)
        return rc;
    e.state = plasma_u256_is_zero(&by) ? PLASMA_EXIT_FINALIZED : PLASMA_EXIT_SUPERSEDED;
    if (e.state == PLASMA_EXIT_SUPERSEDED) /* the bond stays in the contract */
        return update_exit(ex, r, &e);
    rc = eg_finalized_set(ex, &e.output_id, &id);
    if (rc == 0)
        rc = update_exit(ex, r, &e);
    if (rc == 0)
        rc = eg_exit_load(ex, &e, 1);
    if (rc == 0)
        rc = eg_exit_load(ex, &e, 2);
    if (rc == 0)
        rc = pay_exit(ex, &e);
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_EXIT_FINALIZED};
    ev.exit_finalized.exit_id = pos;
    return eg_emit(ex, &ev, 2, 0);
}

/* The head of queue q as processExits reads it: keys[1], and ifeIds[1] for
 * an in-flight exit. */
static int read_head(eg_exec *ex, const eg_queue *q)
{
    const eg_heap *h = &q->heap;
    uint8_t key[28];
    memcpy(key, q->token.b, 20);
    eg_put_u64(key + 20, 1);
    int rc = eg_sload(ex, eg_slot(EG_S_QKEY, key, sizeof key, 0), eg_node_key_word(&h->a[0]));
    if (rc == 0 && h->a[0].ife != EG_NONE)
        rc = eg_sload(ex, eg_slot(EG_S_QID, key, sizeof key, 0), h->idw[0]);
    return rc;
}

static int run_process_exits(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    const plasma_call *call = ex->call;
    const plasma_addr *token = &call->process_exits.token;
    uint32_t q = EG_NONE;
    int rc = eg_lock(ex);
    if (rc == 0)
        rc = eg_cpu_call(ex);
    if (rc == 0 && eg_queue_get(c, token, false, &q) != 0)
        q = EG_NONE;
    for (uint64_t done = 0; rc == 0 && done < call->process_exits.max_exits; done++) {
        const eg_queue *queue = q == EG_NONE ? NULL : eg_table_at(&c->t[EG_T_QUEUE], q);
        size_t n = queue ? queue->heap.n : 0;
        rc = eg_sload(ex, eg_slot(EG_S_QSIZE, token->b, 20, 0), eg_word_u64(n));
        if (rc != 0 || n == 0)
            break;
        rc = read_head(ex, queue);
        if (rc != 0 || queue->heap.a[0].exitable_at > ex->now)
            break;
        eg_node head;
        rc = eg_dequeue(ex, q, &head);
        if (rc == 0)
            rc = head.ife == EG_NONE ? settle(ex, head.utxo_pos) : eg_ife_settle(ex, token, head.ife);
    }
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
