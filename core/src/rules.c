/* The validity rules of PROTOCOL §3 and §5 shared by the operator and the
 * watcher (see plasma/rules.h). */
#include "plasma/rules.h"

#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/u256.h"

const plasma_u256 *plasma_fee_policy_min(const plasma_fee_policy *p, const plasma_addr *token)
{
    for (size_t i = 0; i < p->n_rules; i++)
        if (plasma_addr_eq(&p->rules[i].token, token))
            return &p->rules[i].min_fee;
    return &p->min_fee;
}

/* --- one payment --- */

typedef struct tok_sum {
    plasma_addr token;
    plasma_u256 in;
    plasma_u256 out;
} tok_sum;

static tok_sum *tok_find(tok_sum *t, size_t *n, const plasma_addr *token)
{
    for (size_t i = 0; i < *n; i++)
        if (plasma_addr_eq(&t[i].token, token))
            return &t[i];
    memset(&t[*n], 0, sizeof t[*n]);
    t[*n].token = *token;
    return &t[(*n)++];
}

/* Per-token sums of inputs and outputs. Returns 0 or
 * PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP (a sum overflows). */
static int sum_tokens(tok_sum *t, size_t *n, const plasma_tx *tx, const plasma_output *spent)
{
    for (unsigned i = 0; i < tx->n_inputs; i++) {
        tok_sum *s = tok_find(t, n, &spent[i].token);
        if (plasma_u256_add(&s->in, &s->in, &spent[i].amount) < 0)
            return PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP;
    }
    for (unsigned i = 0; i < tx->n_outputs; i++) {
        tok_sum *s = tok_find(t, n, &tx->outputs[i].token);
        if (plasma_u256_add(&s->out, &s->out, &tx->outputs[i].amount) < 0)
            return PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP;
    }
    return PLASMA_OK;
}

int plasma_rules_check_amounts(plasma_fee *fee, const plasma_tx *tx, const plasma_output *spent,
                               const plasma_fee_policy *policy)
{
    tok_sum t[PLASMA_MAX_INPUTS + PLASMA_MAX_OUTPUTS];
    size_t n = 0, n_surplus = 0;
    int rc = sum_tokens(t, &n, tx, spent);
    if (rc < 0)
        return rc;
    plasma_fee f = {.amount = plasma_u256_from_u64(0)};
    bool free_token = false;
    for (size_t i = 0; i < n; i++) {
        plasma_u256 surplus;
        if (plasma_u256_sub(&surplus, &t[i].in, &t[i].out) < 0)
            return PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP;
        free_token = free_token || plasma_u256_is_zero(plasma_fee_policy_min(policy, &t[i].token));
        if (plasma_u256_is_zero(&surplus))
            continue;
        n_surplus++;
        f = (plasma_fee){t[i].token, surplus};
    }
    if (n_surplus > 1)
        return PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP;
    if (n_surplus == 1 && plasma_u256_cmp(&f.amount, plasma_fee_policy_min(policy, &f.token)) < 0)
        return PLASMA_ERR_FEE_TOO_LOW;
    /* No surplus pays a zero fee, which some token of the tx must allow. */
    if (n_surplus == 0 && !free_token)
        return PLASMA_ERR_FEE_TOO_LOW;
    *fee = f;
    return PLASMA_OK;
}

/* --- a block's fees --- */

const plasma_fee *plasma_block_fees_find(const plasma_block_fees *f, const plasma_addr *token)
{
    for (size_t i = 0; i < f->n; i++)
        if (plasma_addr_eq(&f->fees[i].token, token))
            return &f->fees[i];
    return NULL;
}

int plasma_block_fees_add(plasma_block_fees *f, const plasma_fee *fee)
{
    if (plasma_u256_is_zero(&fee->amount))
        return PLASMA_OK;
    plasma_fee *slot = (plasma_fee *)plasma_block_fees_find(f, &fee->token);
    if (!slot) {
        if (plasma_grow((void **)&f->fees, &f->cap, f->n + 1, sizeof *f->fees) < 0)
            return PLASMA_ERR_NOMEM;
        slot = &f->fees[f->n++];
        *slot = (plasma_fee){fee->token, plasma_u256_from_u64(0)};
    }
    plasma_u256_add_saturating(&slot->amount, &slot->amount, &fee->amount);
    return PLASMA_OK;
}

static int cmp_fee(const void *a, const void *b)
{
    return memcmp(((const plasma_fee *)a)->token.b, ((const plasma_fee *)b)->token.b, sizeof(plasma_addr));
}

void plasma_block_fees_sort(plasma_block_fees *f)
{
    if (f->n > 1)
        qsort(f->fees, f->n, sizeof *f->fees, cmp_fee);
}

void plasma_block_fees_free(plasma_block_fees *f)
{
    free(f->fees);
    memset(f, 0, sizeof *f);
}

/* --- a block's form --- */

static int fail(const char **why, int err, const char *reason)
{
    if (why)
        *why = reason;
    return err;
}

int plasma_block_check_tx_order(bool *in_fees, const plasma_tx *tx, const char **why)
{
    if (tx->tx_type == PLASMA_TX_PAYMENT) {
        if (*in_fees)
            return fail(why, PLASMA_ERR_MALFORMED_TX, "a payment follows a fee transaction");
        if (tx->n_inputs == 0)
            return fail(why, PLASMA_ERR_MALFORMED_TX, "a transaction creates outputs without inputs");
        return PLASMA_OK;
    }
    if (tx->tx_type != PLASMA_TX_FEE)
        return fail(why, PLASMA_ERR_MALFORMED_TX, "a payment follows a fee transaction");
    *in_fees = true;
    return PLASMA_OK;
}

int plasma_block_check_order(size_t *n_payments, const plasma_tx *txs, size_t n, const char **why)
{
    bool in_fees = false;
    size_t k = n;
    for (size_t i = 0; i < n; i++) {
        int rc = plasma_block_check_tx_order(&in_fees, &txs[i], why);
        if (rc < 0)
            return rc;
        if (in_fees && k == n)
            k = i;
    }
    *n_payments = k;
    return PLASMA_OK;
}

static int check_fee_tx(const plasma_fee *expect, uint64_t blknum, const plasma_addr *beneficiary,
                        const plasma_tx *tx, const char **why)
{
    if (tx->tx_type != PLASMA_TX_FEE || tx->n_inputs != 0 || tx->n_outputs != 1 || tx->n_sigs != 0)
        return fail(why, PLASMA_ERR_MALFORMED_TX,
                    "a fee transaction has inputs, signatures or several outputs");
    if (!plasma_addr_eq(&tx->outputs[0].token, &expect->token))
        return fail(why, PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP,
                    "the fee transactions are not one per fee token in ascending token order");
    plasma_tx want;
    plasma_tx_make_fee(&want, blknum, beneficiary, &expect->token, &expect->amount);
    if (!plasma_hash_eq(&want.metadata, &tx->metadata))
        return fail(why, PLASMA_ERR_MALFORMED_TX,
                    "a fee transaction's metadata is not keccak256(blknum, token)");
    if (!plasma_addr_eq(&tx->outputs[0].owner, beneficiary))
        return fail(why, PLASMA_ERR_MALFORMED_TX, "the fee transactions pay different beneficiaries");
    if (plasma_u256_cmp(&tx->outputs[0].amount, &expect->amount) != 0)
        return fail(why, PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP,
                    "a fee transaction's amount differs from the fees its token collected");
    return PLASMA_OK;
}

int plasma_block_check_fee_txs(const plasma_block_fees *f, uint64_t blknum, const plasma_addr *beneficiary,
                               const plasma_tx *fee_txs, size_t n, const char **why)
{
    if (n != f->n)
        return fail(why, PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP,
                    n > f->n ? "a fee transaction claims fees no payment paid"
                             : "a token that collected fees has no fee transaction");
    if (n > 0 && !beneficiary)
        beneficiary = &fee_txs[0].outputs[0].owner;
    for (size_t i = 0; i < n; i++) {
        int rc = check_fee_tx(&f->fees[i], blknum, beneficiary, &fee_txs[i], why);
        if (rc < 0)
            return rc;
    }
    return PLASMA_OK;
}
