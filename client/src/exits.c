/* Root-chain calls of a wallet: deposits, and the exit game (start with a
 * locally verified proof, challenge, process). */
#include "client_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int client_rc_submit(plasma_client *c, const plasma_privkey *key, plasma_call *call, plasma_hash *h)
{
    plasma_addr from;
    int rc;
    if (plasma_privkey_addr(&from, key) != 0)
        return client_fail(c, PLASMA_ERR_BAD_REQUEST, "invalid private key");
    if ((rc = CHAIN_OP(c, send, key, call, c->gas_price, h)) != 0)
        return client_rc_fail(c, rc, "root-chain call refused");
    return 0;
}

int client_rc_wait(plasma_client *c, const plasma_hash *h, plasma_receipt *receipt)
{
    plasma_receipt r;
    int rc = CHAIN_OP(c, wait, h, c->receipt_timeout_ms, &r);
    if (rc)
        return client_rc_fail(c, rc, "waiting for the root-chain receipt");
    if (r.err && strcmp(c->chain.ops->name, "eth") == 0)
        return client_fail(c, r.err, "root-chain call failed: %s: %s (%s)",
                           c->chain.ops->errmsg(c->chain.ctx), plasma_err_message(r.err),
                           plasma_err_code(r.err));
    if (r.err)
        return client_fail(c, r.err, "root-chain call failed: %s (%s)", plasma_err_message(r.err),
                           plasma_err_code(r.err));
    if (receipt)
        *receipt = r;
    return 0;
}

int plasma_client_rc_call(plasma_client *c, const plasma_privkey *key, plasma_call *call,
                          plasma_receipt *receipt)
{
    plasma_hash h;
    int rc = client_rc_submit(c, key, call, &h);
    return rc ? rc : client_rc_wait(c, &h, receipt);
}

/* Out: the first event of kind emitted by the call of receipt r. */
static int call_event(plasma_client *c, const plasma_receipt *r, plasma_event_kind kind, plasma_event *out)
{
    plasma_event *ev = NULL;
    size_t n = 0;
    int rc = CHAIN_OP(c, call_events, r, &ev, &n);
    if (rc)
        return client_rc_fail(c, rc, "root-chain events");
    rc = client_fail(c, PLASMA_ERR_NOT_FOUND, "root chain: the call emitted no expected event");
    for (size_t i = 0; i < n; i++)
        if (ev[i].kind == kind) {
            *out = ev[i];
            rc = 0;
            break;
        }
    free(ev);
    return rc;
}

int plasma_client_deposit(plasma_client *c, const plasma_privkey *key, const plasma_addr *token,
                          const plasma_u256 *amount, uint64_t *blknum, plasma_hash *call_hash)
{
    plasma_call call;
    plasma_receipt r;
    plasma_event ev = {0};
    int rc;
    if (plasma_u256_is_zero(amount))
        return client_fail(c, PLASMA_ERR_BAD_AMOUNT, "deposit amount must be greater than 0");
    plasma_call_init(&call, PLASMA_CALL_DEPOSIT, NULL, 0, 0, 0);
    call.deposit.token = *token;
    call.deposit.amount = *amount;
    if ((rc = plasma_client_rc_call(c, key, &call, &r)) != 0)
        return rc;
    if ((rc = call_event(c, &r, PLASMA_EVENT_DEPOSIT_CREATED, &ev)) != 0)
        return rc;
    *blknum = ev.deposit_created.blknum;
    if (call_hash)
        *call_hash = r.call_hash;
    return 0;
}

#define POLL_MS 200

/* One look at an output: 0 when it is ready, a positive value to look
 * again later, or an error. */
typedef int (*poll_fn)(plasma_client *c, uint64_t utxo_pos);

static int poll_output(plasma_client *c, uint64_t utxo_pos, long timeout_ms, poll_fn look, const char *what,
                       plasma_client_progress_cb progress, void *payload)
{
    long waited = 0, reported = 0;
    for (;;) {
        int rc = look(c, utxo_pos);
        if (rc <= 0)
            return rc;
        if (waited >= timeout_ms)
            return client_fail(c, PLASMA_ERR_TIMEOUT, "output %llu is not %s after %ld s",
                               (unsigned long long)utxo_pos, what, timeout_ms / 1000);
        if (progress && waited - reported >= 1000) {
            progress(waited, payload);
            reported = waited;
        }
        plasma_sleep_ms(POLL_MS);
        waited += POLL_MS;
    }
}

/* Returns 0, PLASMA_ERR_UTXO_NOT_FOUND, or another error. */
static int look_known(plasma_client *c, uint64_t utxo_pos)
{
    char path[64];
    json_t *r = NULL;
    snprintf(path, sizeof path, "/v1/utxos/%llu", (unsigned long long)utxo_pos);
    int rc = client_op_call(c, "GET", path, NULL, &r);
    json_decref(r);
    /* Spent means it was spendable: someone (its owner) already did. */
    return rc == PLASMA_ERR_UTXO_SPENT ? 0 : rc;
}

static int look_spendable(plasma_client *c, uint64_t utxo_pos)
{
    int rc = look_known(c, utxo_pos);
    return rc == PLASMA_ERR_UTXO_NOT_FOUND ? 1 : rc;
}

/* Exit data exists once the block is sealed; the root chain has the root
 * once the operator submitted it. */
static int look_exitable(plasma_client *c, uint64_t utxo_pos)
{
    uint8_t tx[PLASMA_CALL_MAX_TX], proof[PLASMA_MERKLE_PROOF_LEN];
    size_t len;
    int rc = plasma_client_exit_data(c, utxo_pos, tx, &len, proof);
    return rc == PLASMA_ERR_NOT_FOUND || rc == PLASMA_ERR_BLOCK_NOT_FOUND ? 1 : rc;
}

int plasma_client_wait_spendable(plasma_client *c, uint64_t utxo_pos, long timeout_ms,
                                 plasma_client_progress_cb progress, void *payload)
{
    return poll_output(c, utxo_pos, timeout_ms, look_spendable, "spendable", progress, payload);
}

int plasma_client_wait_exitable(plasma_client *c, uint64_t utxo_pos, long timeout_ms,
                                plasma_client_progress_cb progress, void *payload)
{
    /* Nothing at that position: no block will ever bring it. */
    int rc = look_known(c, utxo_pos);
    if (rc)
        return rc;
    return poll_output(c, utxo_pos, timeout_ms, look_exitable, "exitable", progress, payload);
}

static int parse_exit_data(plasma_client *c, const json_t *r, uint8_t *tx, size_t *tx_len, uint8_t *proof)
{
    uint8_t *raw = NULL;
    size_t len = 0;
    int rc = 0;
    if (plasma_hex_decode_fixed(proof, PLASMA_MERKLE_PROOF_LEN, plasma_json_get_str(r, "proof")) != 0)
        return client_fail(c, PLASMA_ERR_BAD_PROOF, "operator: exit data proof is not 512 bytes of hex");
    if (plasma_hex_decode_alloc(&raw, &len, plasma_json_get_str(r, "tx")) != 0 || len > PLASMA_CALL_MAX_TX) {
        rc = client_fail(c, PLASMA_ERR_BAD_PROOF, "operator: exit data tx is malformed");
        goto cleanup;
    }
    memcpy(tx, raw, len);
    *tx_len = len;
cleanup:
    free(raw);
    return rc;
}

/* The proof must lead from the tx's leaf to the root the root chain holds:
 * an operator could serve any root of its own. */
static int verify_against_root_chain(plasma_client *c, uint64_t utxo_pos, const uint8_t *tx, size_t tx_len,
                                     const uint8_t *proof)
{
    plasma_block_record rec;
    plasma_hash leaf;
    plasma_tx decoded;
    uint64_t blknum = plasma_pos_blknum(utxo_pos);
    int rc = CHAIN_OP(c, block_root, blknum, &rec);
    if (rc)
        return client_rc_fail(c, rc, "reading the block root from the root chain");
    if (plasma_tx_decode_unsigned(&decoded, tx, tx_len) != 0 ||
        plasma_pos_oindex(utxo_pos) >= decoded.n_outputs)
        return client_fail(c, PLASMA_ERR_BAD_PROOF,
                           "operator: exit data tx is not a valid transaction with that output");
    plasma_merkle_leaf(&leaf, tx, tx_len);
    if (!plasma_merkle_verify(&rec.root, &leaf, plasma_pos_txindex(utxo_pos), proof, PLASMA_MERKLE_PROOF_LEN))
        return client_fail(c, PLASMA_ERR_BAD_PROOF,
                           "exit data does not verify against the root chain's root of block %llu: "
                           "do not trust this operator",
                           (unsigned long long)blknum);
    return 0;
}

int plasma_client_exit_data(plasma_client *c, uint64_t utxo_pos, uint8_t tx[PLASMA_CALL_MAX_TX],
                            size_t *tx_len, uint8_t proof[PLASMA_MERKLE_PROOF_LEN])
{
    char path[96];
    json_t *r = NULL;
    uint8_t t[PLASMA_CALL_MAX_TX], p[PLASMA_MERKLE_PROOF_LEN];
    size_t t_len = 0;
    int rc;
    if (!plasma_utxo_pos_valid(utxo_pos))
        return client_fail(c, PLASMA_ERR_BAD_REQUEST, "%llu is not a valid utxo position",
                           (unsigned long long)utxo_pos);
    snprintf(path, sizeof path, "/v1/utxos/%llu/exit-data", (unsigned long long)utxo_pos);
    if ((rc = client_op_call(c, "GET", path, NULL, &r)) != 0)
        return rc;
    if ((rc = parse_exit_data(c, r, t, &t_len, p)) == 0)
        rc = verify_against_root_chain(c, utxo_pos, t, t_len, p);
    json_decref(r);
    if (rc)
        return rc;
    memcpy(tx, t, t_len);
    *tx_len = t_len;
    memcpy(proof, p, sizeof p);
    return 0;
}

int plasma_client_start_exit(plasma_client *c, const plasma_privkey *key, uint64_t utxo_pos,
                             plasma_exit_info *info)
{
    plasma_rootchain_status st;
    plasma_call call;
    int rc;
    plasma_call_init(&call, PLASMA_CALL_START_EXIT, NULL, 0, 0, 0);
    call.start_exit.utxo_pos = utxo_pos;
    if ((rc = plasma_client_exit_data(c, utxo_pos, call.start_exit.tx, &call.start_exit.tx_len,
                                      call.start_exit.proof)) != 0)
        return rc;
    if ((rc = plasma_client_rc_status(c, &st)) != 0)
        return rc;
    call.start_exit.bond = st.exit_bond;
    if ((rc = plasma_client_rc_call(c, key, &call, NULL)) != 0)
        return rc;
    if ((rc = plasma_client_rc_exit(c, utxo_pos, info)) != 0)
        return rc;
    return 0;
}

/* Looks for a tx spending pos in one operator block. Out: the signed RLP
 * (*tx malloc'd) and the input index. Returns 0, or PLASMA_ERR_NOT_FOUND. */
static int find_spend_in_block(plasma_client *c, uint64_t blknum, uint64_t pos, uint8_t **tx, size_t *tx_len,
                               uint32_t *input_index)
{
    char path[64];
    json_t *r = NULL, *txs;
    int rc;
    snprintf(path, sizeof path, "/v1/blocks/%llu", (unsigned long long)blknum);
    if ((rc = client_op_call(c, "GET", path, NULL, &r)) != 0)
        return rc;
    rc = PLASMA_ERR_NOT_FOUND;
    txs = json_object_get(r, "txs");
    for (size_t i = 0; i < json_array_size(txs) && rc == PLASMA_ERR_NOT_FOUND; i++) {
        uint8_t *raw = NULL;
        size_t len = 0;
        plasma_tx t;
        const char *hex = json_string_value(json_array_get(txs, i));
        if (!hex || plasma_hex_decode_alloc(&raw, &len, hex) != 0) /* null: a dropped tx */
            continue;
        if (plasma_tx_decode_block_tx(&t, raw, len) == 0)
            for (uint32_t k = 0; k < t.n_inputs; k++)
                if (t.inputs[k] == pos) {
                    *tx = raw;
                    *tx_len = len;
                    *input_index = k;
                    raw = NULL;
                    rc = 0;
                    break;
                }
        free(raw);
    }
    json_decref(r);
    return rc;
}

static int find_spend(plasma_client *c, uint64_t pos, uint8_t **tx, size_t *tx_len, uint32_t *input_index)
{
    plasma_client_status st;
    uint64_t first = (plasma_pos_blknum(pos) / PLASMA_CHILD_BLOCK_INTERVAL + 1) * PLASMA_CHILD_BLOCK_INTERVAL;
    int rc = plasma_client_status_get(c, &st);
    if (rc)
        return rc;
    for (uint64_t b = first; b <= st.latest_blknum; b += PLASMA_CHILD_BLOCK_INTERVAL) {
        rc = find_spend_in_block(c, b, pos, tx, tx_len, input_index);
        if (rc != PLASMA_ERR_NOT_FOUND)
            return rc;
    }
    return client_fail(
        c, PLASMA_ERR_NOT_FOUND,
        "no transaction in the operator's blocks spends output %llu: the exit is not challengeable",
        (unsigned long long)pos);
}

int plasma_client_challenge(plasma_client *c, const plasma_privkey *key, uint64_t exit_id)
{
    plasma_exit_info info;
    plasma_call call;
    uint8_t *tx = NULL;
    size_t tx_len = 0;
    uint32_t input_index = 0;
    int rc = plasma_client_rc_exit(c, exit_id, &info);
    if (rc)
        return rc;
    if (info.state != PLASMA_EXIT_IN_PROGRESS)
        return client_fail(c, PLASMA_ERR_EXIT_NOT_ACTIVE, "exit %llu is already challenged or finalized",
                           (unsigned long long)exit_id);
    if ((rc = find_spend(c, exit_id, &tx, &tx_len, &input_index)) != 0)
        return rc;
    if (tx_len > PLASMA_CALL_MAX_TX) {
        rc = client_fail(c, PLASMA_ERR_BAD_CHALLENGE, "spending transaction too long");
        goto cleanup;
    }
    plasma_call_init(&call, PLASMA_CALL_CHALLENGE_EXIT, NULL, 0, 0, 0);
    call.challenge_exit.exit_id = exit_id;
    call.challenge_exit.input_index = input_index;
    call.challenge_exit.tx_len = tx_len;
    memcpy(call.challenge_exit.tx, tx, tx_len);
    rc = plasma_client_rc_call(c, key, &call, NULL);
cleanup:
    free(tx);
    return rc;
}

static int collect_finalized(plasma_client *c, const plasma_receipt *r, uint64_t *exit_ids, size_t max,
                             size_t *n_paid)
{
    plasma_event *ev = NULL;
    size_t n = 0, paid = 0;
    int rc = CHAIN_OP(c, call_events, r, &ev, &n);
    if (rc)
        return client_rc_fail(c, rc, "root-chain events");
    c->n_processed_ifes = 0;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].kind == PLASMA_EVENT_IFE_FINALIZED &&
            c->n_processed_ifes < PLASMA_CLIENT_MAX_PROCESSED_IFES)
            c->processed_ifes[c->n_processed_ifes++] = ev[i].ife_closed.ife_id;
        if (ev[i].kind != PLASMA_EVENT_EXIT_FINALIZED)
            continue;
        if (exit_ids && paid < max)
            exit_ids[paid] = ev[i].exit_finalized.exit_id;
        paid++;
    }
    free(ev);
    *n_paid = paid < max ? paid : max;
    return 0;
}

size_t plasma_client_processed_ifes(const plasma_client *c, const plasma_u256 **ids)
{
    *ids = c->processed_ifes;
    return c->n_processed_ifes;
}

int plasma_client_process_exits(plasma_client *c, const plasma_privkey *key, const plasma_addr *token,
                                uint64_t max_exits, uint64_t *exit_ids, size_t *n_paid)
{
    plasma_call call;
    plasma_receipt r;
    int rc;
    if (max_exits == 0)
        return client_fail(c, PLASMA_ERR_BAD_REQUEST, "--max must be at least 1");
    plasma_call_init(&call, PLASMA_CALL_PROCESS_EXITS, NULL, 0, 0, 0);
    call.process_exits.token = *token;
    call.process_exits.max_exits = max_exits;
    if ((rc = plasma_client_rc_call(c, key, &call, &r)) != 0)
        return rc;
    return collect_finalized(c, &r, exit_ids, (size_t)max_exits, n_paid);
}
