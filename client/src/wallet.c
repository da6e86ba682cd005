/* Outputs, balances, coin selection and payments. */
#include "client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int parse_utxo(plasma_client_utxo *u, const json_t *o)
{
    if (!plasma_json_get_u64(&u->utxo_pos, o, "utxo_pos") ||
        plasma_addr_parse(&u->out.owner, plasma_json_get_str(o, "owner")) != 0 ||
        plasma_addr_parse(&u->out.token, plasma_json_get_str(o, "token")) != 0 ||
        plasma_u256_parse_dec(&u->out.amount, plasma_json_get_str(o, "amount")) != 0)
        return PLASMA_ERR_BAD_REQUEST;
    return 0;
}

int plasma_client_utxos(plasma_client *c, const plasma_addr *owner, plasma_client_utxo **utxos, size_t *n)
{
    char path[96], a[43];
    json_t *r = NULL, *arr;
    plasma_client_utxo *list = NULL;
    size_t count;
    int rc;
    snprintf(path, sizeof path, "/v1/utxos?owner=%s", plasma_addr_format(a, owner));
    if ((rc = client_op_call(c, "GET", path, NULL, &r)) != 0)
        return rc;
    arr = json_object_get(r, "utxos");
    if (!json_is_array(arr)) {
        rc = client_fail(c, PLASMA_ERR_BAD_REQUEST, "operator: /v1/utxos reply lacks \"utxos\"");
        goto cleanup;
    }
    count = json_array_size(arr);
    if (count && !(list = calloc(count, sizeof *list))) {
        rc = PLASMA_ERR_NOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < count; i++)
        if (parse_utxo(&list[i], json_array_get(arr, i)) != 0) {
            rc = client_fail(c, PLASMA_ERR_BAD_REQUEST, "operator: malformed output in /v1/utxos");
            goto cleanup;
        }
    *utxos = list;
    *n = count;
    list = NULL;
cleanup:
    free(list);
    json_decref(r);
    return rc;
}

static int cmp_balance(const void *a, const void *b)
{
    return memcmp(((const plasma_client_balance *)a)->token.b, ((const plasma_client_balance *)b)->token.b,
                  20);
}

int plasma_client_balances(plasma_client_balance **balances, size_t *n, const plasma_client_utxo *utxos,
                           size_t n_utxos)
{
    plasma_client_balance *list = calloc(n_utxos ? n_utxos : 1, sizeof *list);
    size_t count = 0;
    if (!list)
        return PLASMA_ERR_NOMEM;
    for (size_t i = 0; i < n_utxos; i++) {
        size_t j = 0;
        while (j < count && !plasma_addr_eq(&list[j].token, &utxos[i].out.token))
            j++;
        if (j == count)
            list[count++].token = utxos[i].out.token;
        if (plasma_u256_add(&list[j].amount, &list[j].amount, &utxos[i].out.amount) != 0) {
            free(list);
            return PLASMA_ERR_OVERFLOW;
        }
        list[j].n_utxos++;
    }
    /* All-zero (ETH) sorts first by byte order. */
    qsort(list, count, sizeof *list, cmp_balance);
    *balances = list;
    *n = count;
    return 0;
}

/* --- coin selection --- */

typedef struct selection {
    const plasma_client_utxo *picked[PLASMA_MAX_INPUTS];
    size_t n;
} selection;

static bool already_picked(const selection *sel, const plasma_client_utxo *u)
{
    for (size_t i = 0; i < sel->n; i++)
        if (sel->picked[i] == u)
            return true;
    return false;
}

/* Adds the largest unpicked outputs of token until their sum reaches need.
 * Out: *total the sum picked for token. */
static int pick_token(selection *sel, plasma_u256 *total, const plasma_addr *owner, const plasma_addr *token,
                      const plasma_u256 *need, const plasma_client_utxo *utxos, size_t n)
{
    *total = plasma_u256_from_u64(0);
    while (plasma_u256_cmp(total, need) < 0) {
        const plasma_client_utxo *best = NULL;
        for (size_t i = 0; i < n; i++) {
            const plasma_client_utxo *u = &utxos[i];
            if (!plasma_addr_eq(&u->out.owner, owner) || !plasma_addr_eq(&u->out.token, token) ||
                already_picked(sel, u))
                continue;
            if (!best || plasma_u256_cmp(&u->out.amount, &best->out.amount) > 0)
                best = u;
        }
        if (!best || sel->n == PLASMA_MAX_INPUTS)
            return PLASMA_ERR_INSUFFICIENT_FUNDS;
        sel->picked[sel->n++] = best;
        if (plasma_u256_add(total, total, &best->out.amount) != 0)
            return PLASMA_ERR_OVERFLOW;
    }
    return 0;
}

static int add_output(plasma_tx *tx, const plasma_addr *owner, const plasma_addr *token,
                      const plasma_u256 *amount)
{
    if (plasma_u256_is_zero(amount))
        return 0;
    if (tx->n_outputs == PLASMA_MAX_OUTPUTS)
        return PLASMA_ERR_TOO_MANY_OUTPUTS;
    plasma_output *o = &tx->outputs[tx->n_outputs++];
    o->owner = *owner;
    o->token = *token;
    o->amount = *amount;
    return 0;
}

static int funds_error(char *errmsg, size_t len, const plasma_addr *token, const plasma_u256 *need)
{
    char a[43], d[PLASMA_U256_DEC_MAX];
    if (errmsg && len)
        snprintf(errmsg, len,
                 "insufficient funds: need %s wei of token %s in at most %d outputs (check `plasma utxos`; "
                 "merge small outputs by sending to yourself)",
                 plasma_u256_format_dec(d, need), plasma_addr_format(a, token), PLASMA_MAX_INPUTS);
    return PLASMA_ERR_INSUFFICIENT_FUNDS;
}

int plasma_payment_build(plasma_tx *tx, const plasma_addr *owner, const plasma_payment *pay,
                         const plasma_client_utxo *utxos, size_t n_utxos, char *errmsg, size_t errmsg_len)
{
    bool same = plasma_addr_eq(&pay->token, &pay->fee_token) || plasma_u256_is_zero(&pay->fee);
    selection sel = {0};
    plasma_u256 need = pay->amount, got, change, fee_got, fee_change;
    plasma_tx t = {.tx_type = PLASMA_TX_PAYMENT};
    int rc;
    if (plasma_u256_is_zero(&pay->amount))
        return PLASMA_ERR_AMOUNT_ZERO;
    if (same && plasma_u256_add(&need, &need, &pay->fee) != 0)
        return PLASMA_ERR_OVERFLOW;
    if ((rc = pick_token(&sel, &got, owner, &pay->token, &need, utxos, n_utxos)) != 0)
        return rc == PLASMA_ERR_INSUFFICIENT_FUNDS ? funds_error(errmsg, errmsg_len, &pay->token, &need) : rc;
    plasma_u256_sub(&change, &got, &need);
    if ((rc = add_output(&t, &pay->to, &pay->token, &pay->amount)) ||
        (rc = add_output(&t, owner, &pay->token, &change)))
        return rc;
    if (!same) {
        if ((rc = pick_token(&sel, &fee_got, owner, &pay->fee_token, &pay->fee, utxos, n_utxos)) != 0)
            return rc == PLASMA_ERR_INSUFFICIENT_FUNDS
                       ? funds_error(errmsg, errmsg_len, &pay->fee_token, &pay->fee)
                       : rc;
        plasma_u256_sub(&fee_change, &fee_got, &pay->fee);
        if ((rc = add_output(&t, owner, &pay->fee_token, &fee_change)) != 0)
            return rc;
    }
    t.n_inputs = (uint8_t)sel.n;
    for (size_t i = 0; i < sel.n; i++)
        t.inputs[i] = sel.picked[i]->utxo_pos;
    *tx = t;
    return 0;
}

static int submit_tx(plasma_client *c, const plasma_tx *tx, plasma_client_submitted *res)
{
    plasma_buf buf = {0};
    char *hex = NULL;
    json_t *body = NULL, *r = NULL;
    plasma_client_submitted s;
    uint64_t txindex;
    int rc = plasma_tx_encode_signed(&buf, tx);
    if (rc)
        goto cleanup;
    if (!(hex = malloc(2 * buf.len + 3)) ||
        !(body = json_pack("{s:s}", "tx", plasma_hex_encode(hex, buf.data, buf.len)))) {
        rc = PLASMA_ERR_NOMEM;
        goto cleanup;
    }
    if ((rc = client_op_call(c, "POST", "/v1/transactions", body, &r)) != 0)
        goto cleanup;
    if (plasma_hash_parse(&s.txhash, plasma_json_get_str(r, "txhash")) ||
        !plasma_json_get_u64(&s.blknum, r, "blknum") || !plasma_json_get_u64(&txindex, r, "txindex")) {
        rc = client_fail(c, PLASMA_ERR_BAD_REQUEST, "operator: /v1/transactions reply lacks expected fields");
        goto cleanup;
    }
    s.txindex = (uint32_t)txindex;
    *res = s;
cleanup:
    json_decref(r);
    json_decref(body);
    free(hex);
    plasma_buf_free(&buf);
    return rc;
}

/* The tx that created output pos: from the wallet's own records (a tx it
 * sent, acknowledged at that place), else the operator's exit data checked
 * against the root chain's root. Returns true when found. */
static bool input_tx(plasma_client *c, const plasma_wallet_tx *recs, size_t n, const plasma_addr *owner,
                     uint64_t pos, plasma_tx *out)
{
    uint8_t raw[PLASMA_CALL_MAX_TX], proof[PLASMA_MERKLE_PROOF_LEN];
    size_t len = 0;
    /* A record of another chain may name the same place: the tx must
     * hold that output, ours. */
    for (size_t i = 0; i < n; i++)
        if (recs[i].state == PLASMA_WALLET_ACKED && recs[i].blknum == plasma_pos_blknum(pos) &&
            recs[i].txindex == plasma_pos_txindex(pos) && plasma_pos_oindex(pos) < recs[i].tx.n_outputs &&
            plasma_addr_eq(&recs[i].tx.outputs[plasma_pos_oindex(pos)].owner, owner)) {
            *out = recs[i].tx;
            return true;
        }
    return plasma_client_exit_data(c, pos, raw, &len, proof) == 0 &&
           plasma_tx_decode_unsigned(out, raw, len) == 0;
}

/* Writes the record of tx (signed) before it is submitted: a crash after
 * the operator acknowledged it cannot lose it. */
static int record_sent(plasma_client *c, const plasma_addr *owner, const plasma_tx *tx)
{
    plasma_wallet_tx rec = {.tx = *tx, .time = (uint64_t)time(NULL), .state = PLASMA_WALLET_SENT};
    plasma_wallet_tx *recs = NULL;
    size_t n = 0;
    char msg[300] = "";
    int rc = plasma_wallet_load(c->wallet_dir, owner, &recs, &n, msg, sizeof msg);
    if (rc)
        return client_fail(c, rc, "the wallet's records: %s; nothing was sent",
                           msg[0] ? msg : plasma_err_message(rc));
    for (unsigned i = 0; i < tx->n_inputs; i++)
        rec.have_input_tx[i] = input_tx(c, recs, n, owner, tx->inputs[i], &rec.input_txs[i]);
    free(recs);
    if ((rc = plasma_tx_hash(&rec.txhash, tx)) == 0)
        rc = plasma_wallet_record_sent(c->wallet_dir, owner, &rec);
    return rc ? client_fail(c, rc, "cannot write the wallet's records under %s (%s); nothing was sent",
                            c->wallet_dir, plasma_err_code(rc))
              : 0;
}

/* The operator's answer joins the record; a refusal with its own code
 * means the tx will never be in a block. */
static void record_answer(plasma_client *c, const plasma_addr *owner, const plasma_tx *tx, int rc,
                          const plasma_client_submitted *res)
{
    plasma_hash h;
    if (plasma_tx_hash(&h, tx) != 0)
        return;
    if (rc == 0)
        plasma_wallet_record_answer(c->wallet_dir, owner, &h, PLASMA_WALLET_ACKED, res->blknum, res->txindex,
                                    0);
    else if (rc != PLASMA_ERR_UNAVAILABLE && rc != PLASMA_ERR_TIMEOUT && rc != PLASMA_ERR_NOMEM &&
             rc != PLASMA_ERR_BAD_REQUEST && rc != PLASMA_ERR_INTERNAL)
        plasma_wallet_record_answer(c->wallet_dir, owner, &h, PLASMA_WALLET_REFUSED, 0, 0, rc);
}

int plasma_client_send(plasma_client *c, const plasma_privkey *key, const plasma_payment *pay,
                       plasma_client_submitted *res)
{
    plasma_client_utxo *utxos = NULL;
    plasma_addr owner;
    plasma_tx tx;
    size_t n = 0;
    int rc;
    if (plasma_privkey_addr(&owner, key) != 0)
        return client_fail(c, PLASMA_ERR_BAD_REQUEST, "invalid private key");
    if ((rc = client_domain(c)) != 0 || (rc = plasma_client_utxos(c, &owner, &utxos, &n)) != 0)
        return rc;
    if ((rc = plasma_payment_build(&tx, &owner, pay, utxos, n, c->errmsg, sizeof c->errmsg)) != 0) {
        if (rc == PLASMA_ERR_AMOUNT_ZERO)
            client_fail(c, rc, "amount must be greater than 0");
        else if (rc == PLASMA_ERR_TOO_MANY_OUTPUTS)
            client_fail(c, rc, "payment needs more than 4 outputs; pay the fee in the payment's token");
        goto cleanup;
    }
    for (unsigned i = 0; i < tx.n_inputs; i++)
        if ((rc = plasma_tx_sign_input(&tx, &c->domain, i, key)) != 0)
            goto cleanup;
    if (c->wallet_dir && (rc = record_sent(c, &owner, &tx)) != 0)
        goto cleanup;
    rc = submit_tx(c, &tx, res);
    if (c->wallet_dir)
        record_answer(c, &owner, &tx, rc, res);
cleanup:
    free(utxos);
    return rc;
}
