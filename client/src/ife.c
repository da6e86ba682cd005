/* In-flight exits of a wallet: each call built from decoded txs, with the
 * proofs a watcher's data dir holds (or, for a start, the operator's exit
 * data checked against the root chain), signed, sent and waited for. */
#include "client_internal.h"
#include "ife_view.h"
#include "watch_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DATA_CACHE_BYTES (4u << 20)

struct plasma_watch_data {
    char dir[1024];
    watch_store *store;
    watch_view *view;
};

void plasma_watch_data_free(plasma_watch_data *d)
{
    if (!d)
        return;
    watch_view_free(d->view);
    watch_store_close(d->store);
    free(d);
}

/* The data dir must be one this root chain's watcher wrote. */
static int check_chain(plasma_client *c, plasma_watch_data *d)
{
    plasma_rootchain_status st;
    uint64_t chain_id;
    plasma_addr contract;
    int rc = watch_data_chain(d->store, &chain_id, &contract);
    if (rc == PLASMA_ERR_NOT_FOUND)
        return client_fail(c, rc, "%s holds no watcher data: run `plasma watch` first", d->dir);
    if (rc)
        return client_fail(c, rc, "%s: unreadable watcher data", d->dir);
    if ((rc = CHAIN_OP(c, status, &st)) != 0)
        return client_rc_fail(c, rc, "root-chain status");
    if (st.chain_id != chain_id || !plasma_addr_eq(&st.contract, &contract))
        return client_fail(c, PLASMA_ERR_CONFIG, "the watcher data in %s belongs to another chain", d->dir);
    return 0;
}

int plasma_watch_data_open(plasma_watch_data **out, plasma_client *c, const char *dir)
{
    char current[1100];
    struct stat sb;
    plasma_watch_data *d = calloc(1, sizeof *d);
    int rc;
    if (!d)
        return PLASMA_ERR_NOMEM;
    snprintf(d->dir, sizeof d->dir, "%s", dir);
    snprintf(current, sizeof current, "%s/CURRENT", dir);
    if (stat(current, &sb) != 0)
        rc = client_fail(c, PLASMA_ERR_NOT_FOUND, "no watcher data in %s: run `plasma watch` first", dir);
    else if ((rc = watch_store_open(&d->store, dir, DATA_CACHE_BYTES)) != 0)
        rc = client_fail(c, PLASMA_ERR_IO,
                         "cannot open the watcher data in %s: a watcher runs on it (stop it, or let it act "
                         "with --auto)",
                         dir);
    else if ((rc = check_chain(c, d)) == 0 &&
             (rc = watch_view_open(&d->view, d->store, DATA_CACHE_BYTES)) != 0)
        rc = client_fail(c, rc, "watcher data: %s", plasma_err_message(rc));
    if (rc) {
        plasma_watch_data_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

int plasma_client_ife_tx(plasma_client *c, const plasma_u256 *ife_id, plasma_tx *tx)
{
    int rc = CHAIN_OP(c, ife_tx, ife_id, tx);
    if (rc == PLASMA_ERR_IFE_NOT_FOUND)
        return client_fail(c, rc, "no in-flight exit of that transaction was ever started");
    return rc ? client_rc_fail(c, rc, "reading the in-flight exit's transaction") : 0;
}

/* --- sending --- */

/* The bond a call of kind carries, from the chain's status. */
static int bond(plasma_client *c, plasma_call *call)
{
    plasma_rootchain_status st;
    int rc = CHAIN_OP(c, status, &st);
    if (rc)
        return client_rc_fail(c, rc, "root-chain status");
    if (call->kind == PLASMA_CALL_START_IFE)
        call->start_ife.bond = st.ife_bond;
    else
        call->piggyback.bond = st.piggyback_bond;
    return 0;
}

/* Sends a built call (rc: the builder's result) and waits for it. */
static int send_built(plasma_client *c, const plasma_privkey *key, plasma_call *call, int rc)
{
    if (rc)
        return client_fail(c, rc, "the transaction does not fit in a call (%s)", plasma_err_code(rc));
    return plasma_client_rc_call(c, key, call, NULL);
}

/* --- starting --- */

/* Out: the tx that created input pos and its proof, from the operator:
 * its exit data, checked against the root chain's root. */
static int input_from_operator(plasma_client *c, uint64_t pos, plasma_tx *in_tx, uint8_t *proof)
{
    uint8_t raw[PLASMA_CALL_MAX_TX];
    size_t len = 0;
    int rc = plasma_client_exit_data(c, pos, raw, &len, proof);
    if (rc == 0 && plasma_tx_decode_unsigned(in_tx, raw, len) != 0)
        rc = client_fail(c, PLASMA_ERR_BAD_PROOF, "operator: the tx of input %llu does not decode",
                         (unsigned long long)pos);
    return rc;
}

static int input_from_view(plasma_client *c, plasma_watch_data *d, uint64_t pos, plasma_tx *in_tx,
                           uint8_t *proof)
{
    int rc = ife_view_input(d->view, pos, in_tx, proof);
    if (rc == PLASMA_ERR_NOT_FOUND)
        return client_fail(
            c, rc,
            "input %llu: block %llu is not among the blocks the watcher verified in %s (let it "
            "catch up, or take the proof from the operator)",
            (unsigned long long)pos, (unsigned long long)plasma_pos_blknum(pos), d->dir);
    return rc ? client_fail(c, rc, "watcher data: %s", plasma_err_message(rc)) : 0;
}

int plasma_client_ife_start(plasma_client *c, const plasma_privkey *key, const plasma_tx *tx,
                            plasma_watch_data *d, plasma_ife_info *info)
{
    plasma_tx in_txs[PLASMA_MAX_INPUTS];
    uint8_t proofs[PLASMA_MAX_INPUTS][PLASMA_MERKLE_PROOF_LEN];
    plasma_call call;
    plasma_u256 id;
    int rc = 0;
    for (unsigned i = 0; i < tx->n_inputs && rc == 0; i++)
        rc = d ? input_from_view(c, d, tx->inputs[i], &in_txs[i], proofs[i])
               : input_from_operator(c, tx->inputs[i], &in_txs[i], proofs[i]);
    if (rc)
        return rc;
    rc = plasma_rootchain_build_start_ife(&call, tx, in_txs,
                                          (const uint8_t(*)[PLASMA_MERKLE_PROOF_LEN])proofs);
    if (rc == 0 && (rc = bond(c, &call)) != 0)
        return rc;
    if ((rc = send_built(c, key, &call, rc)) != 0 || (rc = plasma_ife_id(&id, tx)) != 0)
        return rc;
    rc = CHAIN_OP(c, ife, &id, info);
    return rc ? client_rc_fail(c, rc, "reading the in-flight exit") : 0;
}

int plasma_client_ife_piggyback_many(plasma_client *c, const plasma_privkey *key, const plasma_tx *tx,
                                     const bool *on_input, const unsigned *index, size_t n)
{
    plasma_hash sent[PLASMA_MAX_INPUTS + PLASMA_MAX_OUTPUTS];
    plasma_call call;
    size_t k = 0;
    int rc =
        n > sizeof sent / sizeof sent[0] ? client_fail(c, PLASMA_ERR_BAD_REQUEST, "too many piggybacks") : 0;
    for (; rc == 0 && k < n; k++) {
        if ((rc = plasma_rootchain_build_piggyback(&call, tx, on_input[k], index[k])) != 0)
            rc = client_fail(c, rc, "the transaction does not fit in a call (%s)", plasma_err_code(rc));
        else if ((rc = bond(c, &call)) == 0)
            rc = client_rc_submit(c, key, &call, &sent[k]);
    }
    if (rc && k > 0)
        k--; /* the one that failed was not sent */
    for (size_t i = 0; i < k; i++) {
        int w = client_rc_wait(c, &sent[i], NULL);
        rc = rc ? rc : w;
    }
    return rc;
}

int plasma_client_ife_piggyback(plasma_client *c, const plasma_privkey *key, const plasma_tx *tx,
                                bool on_input, unsigned index)
{
    return plasma_client_ife_piggyback_many(c, key, tx, &on_input, &index, 1);
}

/* --- challenges and responses --- */

static int view_error(plasma_client *c, int rc, const char *what)
{
    return client_fail(c, rc, "%s: %s", what, plasma_err_message(rc));
}

/* Out: *i and *k such that competitor's input k spends tx's input i. */
static bool shared_input(const plasma_tx *tx, const plasma_tx *competitor, unsigned *i, unsigned *k)
{
    for (*i = 0; *i < tx->n_inputs; (*i)++)
        for (*k = 0; *k < competitor->n_inputs; (*k)++)
            if (competitor->inputs[*k] == tx->inputs[*i])
                return true;
    return false;
}

/* A given competitor: its place in d's blocks when it is there. */
static int given_competitor(plasma_client *c, plasma_watch_data *d, const plasma_tx *tx,
                            const plasma_tx *comp, ife_found *f, unsigned *input_index)
{
    plasma_hash h;
    unsigned k;
    if (!shared_input(tx, comp, input_index, &k))
        return client_fail(c, PLASMA_ERR_BAD_COMPETITOR, "the competitor spends none of the tx's inputs");
    int rc = plasma_tx_hash(&h, comp);
    if (rc == 0 && d)
        rc = ife_view_inclusion(d->view, comp, &h, f);
    if (rc == 0 && d)
        return 0;
    if (rc && rc != PLASMA_ERR_NOT_FOUND)
        return view_error(c, rc, "watcher data");
    memset(f, 0, sizeof *f); /* never included, as far as anyone can prove */
    f->tx = *comp;
    f->input = k;
    return 0;
}

int plasma_client_ife_challenge(plasma_client *c, const plasma_privkey *key, const plasma_tx *tx,
                                plasma_watch_data *d, const plasma_tx *competitor, uint64_t *position)
{
    ife_found f = {.blknum = 0};
    plasma_hash h;
    unsigned i = 0;
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    plasma_call call;
    int rc = plasma_tx_hash(&h, tx);
    if (rc == 0 && competitor)
        rc = given_competitor(c, d, tx, competitor, &f, &i);
    else if (rc == 0 && !d)
        rc = client_fail(c, PLASMA_ERR_NOT_FOUND, "no competitor given and no watcher data to look in");
    else if (rc == 0 && (rc = ife_view_competitor(d->view, tx, &h, &f, &i)) == PLASMA_ERR_NOT_FOUND)
        rc = client_fail(c, rc, "the blocks the watcher verified hold no competitor of this transaction");
    uint64_t pos = f.blknum ? ife_found_pos(&f) : 0;
    if (rc == 0 && pos && (rc = watch_view_proof(d->view, f.blknum, f.txindex, proof)) != 0)
        rc = view_error(c, rc, "watcher data");
    if (rc)
        return rc;
    rc = plasma_rootchain_build_challenge_ife(&call, tx, i, &f.tx, f.input, pos, pos ? proof : NULL);
    if ((rc = send_built(c, key, &call, rc)) == 0 && position)
        *position = pos;
    return rc;
}

/* Out: *k, the input of spending that spends pos. */
static int spending_input(plasma_client *c, const plasma_tx *spending, uint64_t pos, unsigned *k)
{
    for (*k = 0; *k < spending->n_inputs; (*k)++)
        if (spending->inputs[*k] == pos)
            return 0;
    return client_fail(c, PLASMA_ERR_BAD_CHALLENGE, "the spending transaction does not spend output %llu",
                       (unsigned long long)pos);
}

/* Out: *f, the spend of pos: given, or found in d's blocks. */
static int spend(plasma_client *c, plasma_watch_data *d, uint64_t pos, const plasma_hash *txhash,
                 const plasma_tx *spending, ife_found *f)
{
    unsigned k;
    int rc;
    if (spending) {
        if ((rc = spending_input(c, spending, pos, &k)) != 0)
            return rc;
        f->tx = *spending;
        f->input = k;
        return 0;
    }
    if (!d)
        return client_fail(c, PLASMA_ERR_NOT_FOUND, "no spending transaction given and no watcher data");
    rc = ife_view_spend(d->view, pos, txhash, f);
    if (rc == PLASMA_ERR_NOT_FOUND)
        return client_fail(c, rc, "the blocks the watcher verified hold no other spend of output %llu",
                           (unsigned long long)pos);
    return rc ? view_error(c, rc, "watcher data") : 0;
}

/* Out: where tx is included, from d, and its proof. */
static int inclusion(plasma_client *c, plasma_watch_data *d, const plasma_tx *tx, const plasma_hash *h,
                     ife_found *f, uint8_t *proof)
{
    int rc = d ? ife_view_inclusion(d->view, tx, h, f) : PLASMA_ERR_NOT_FOUND;
    if (rc == PLASMA_ERR_NOT_FOUND)
        return client_fail(c, rc, "the blocks the watcher verified do not include this transaction");
    if (rc == 0)
        rc = watch_view_proof(d->view, f->blknum, f->txindex, proof);
    return rc ? view_error(c, rc, "watcher data") : 0;
}

int plasma_client_ife_challenge_spent(plasma_client *c, const plasma_privkey *key, const plasma_tx *tx,
                                      bool on_input, unsigned index, plasma_watch_data *d,
                                      const plasma_tx *spending)
{
    ife_found incl, s;
    plasma_hash h;
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    plasma_call call = {.kind = PLASMA_CALL_CHALLENGE_IFE_INPUT};
    unsigned n = on_input ? tx->n_inputs : tx->n_outputs;
    if (index >= n)
        return client_fail(c, PLASMA_ERR_BAD_INDEX, "the transaction has no %s %u",
                           on_input ? "input" : "output", index);
    int rc = plasma_tx_hash(&h, tx);
    if (rc == 0 && on_input && (rc = spend(c, d, tx->inputs[index], &h, spending, &s)) == 0)
        rc = plasma_rootchain_build_challenge_ife_input(&call, tx, index, &s.tx, s.input);
    else if (rc == 0 && !on_input && (rc = inclusion(c, d, tx, &h, &incl, proof)) == 0) {
        uint64_t pos = plasma_utxo_pos(incl.blknum, incl.txindex, index);
        if ((rc = spend(c, d, pos, &h, spending, &s)) == 0)
            rc = plasma_rootchain_build_challenge_ife_output(&call, tx, pos, proof, &s.tx, s.input);
    }
    return rc ? rc : send_built(c, key, &call, 0);
}

int plasma_client_ife_respond(plasma_client *c, const plasma_privkey *key, const plasma_tx *tx,
                              plasma_watch_data *d, uint64_t *tx_pos)
{
    ife_found f;
    plasma_hash h;
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    plasma_call call;
    int rc = plasma_tx_hash(&h, tx);
    if (rc == 0 && (rc = inclusion(c, d, tx, &h, &f, proof)) == 0)
        rc = send_built(c, key, &call,
                        plasma_rootchain_build_respond_ife(&call, tx, ife_found_pos(&f), proof));
    if (rc == 0 && tx_pos)
        *tx_pos = ife_found_pos(&f);
    return rc;
}

int plasma_client_ife_delete(plasma_client *c, const plasma_privkey *key, const plasma_u256 *ife_id)
{
    plasma_call call;
    plasma_call_init(&call, PLASMA_CALL_DELETE_IFE, NULL, 0, 0, 0);
    call.delete_ife.ife_id = *ife_id;
    return plasma_client_rc_call(c, key, &call, NULL);
}

int plasma_client_withdraw(plasma_client *c, const plasma_privkey *key, const plasma_addr *token,
                           plasma_u256 *amount)
{
    plasma_call call;
    plasma_addr owner;
    plasma_u256 claim;
    if (plasma_privkey_addr(&owner, key) != 0)
        return client_fail(c, PLASMA_ERR_BAD_REQUEST, "invalid private key");
    int rc = CHAIN_OP(c, withdrawable, &owner, token, &claim);
    if (rc)
        return client_rc_fail(c, rc, "reading the deferred payments");
    if (plasma_u256_is_zero(&claim))
        return client_fail(c, PLASMA_ERR_NOTHING_TO_WITHDRAW, "no deferred payment to claim in that token");
    plasma_call_init(&call, PLASMA_CALL_WITHDRAW, NULL, 0, 0, 0);
    if (token)
        call.withdraw.token = *token;
    if ((rc = plasma_client_rc_call(c, key, &call, NULL)) == 0)
        *amount = claim;
    return rc;
}
