/* Value moving out of the contract, and withdraw (docs/inflight.md,
 * "Payments never block the queue").
 *
 * Every payment tries a plain transfer; when it fails (the contract holds
 * too little of the token, or the recipient's balance would overflow) the
 * amount is credited to withdrawable[owner][token] and PaymentDeferred is
 * emitted, and the call goes on: one unpayable exit never blocks those
 * behind it. The owner claims the amount later with withdraw(token). Sums
 * saturate at 2^256 - 1 as the contract's do: an ETH exit's amount plus its
 * bond, and a claim. */
#include "internal.h"

/* withdrawable[owner][token]: one storage slot. */
static void claim_key(uint8_t key[40], const plasma_addr *owner, const plasma_addr *token)
{
    memcpy(key, owner->b, 20);
    memset(key + 20, 0, 20);
    if (token)
        memcpy(key + 20, token->b, 20);
}

int eg_eth_move(plasma_chain *c, const plasma_addr *from, const plasma_addr *to, const plasma_u256 *amount)
{
    int rc = eg_debit(c, from, NULL, amount);
    return rc ? rc : eg_credit(c, to, NULL, amount, NULL);
}

int eg_token_move(eg_exec *ex, const plasma_addr *from, const plasma_addr *to, const plasma_addr *token,
                  const plasma_u256 *amount)
{
    int rc = eg_gas_sload(ex, 2);
    if (rc == 0)
        rc = eg_debit(ex->c, from, token, amount);
    bool was_zero = false;
    if (rc == 0)
        rc = eg_credit(ex->c, to, token, amount, &was_zero);
    if (rc == 0)
        rc = eg_gas_sstore(ex, was_zero ? 1 : 0, was_zero ? 1 : 2);
    return rc;
}

/* A transfer out of the contract. Returns 0, PLASMA_ERR_INSUFFICIENT_FUNDS
 * when it fails (nothing moved): the contract holds too little, or the
 * recipient's balance would pass 2^256 - 1, where a token's transfer
 * reverts. Any other error reverts the call. */
static int transfer_out(eg_exec *ex, const plasma_addr *to, const plasma_addr *token,
                        const plasma_u256 *amount)
{
    plasma_chain *c = ex->c;
    plasma_u256 held, sum;
    eg_balance(&held, c, to, token);
    if (plasma_u256_add(&sum, &held, amount) != 0)
        return PLASMA_ERR_INSUFFICIENT_FUNDS;
    if (!eg_is_eth(token))
        return eg_token_move(ex, &c->cfg.contract, to, token, amount);
    int rc = eg_gas(ex, PLASMA_GAS_TRANSFER);
    return rc ? rc : eg_eth_move(c, &c->cfg.contract, to, amount);
}

static int defer(eg_exec *ex, const plasma_addr *owner, const plasma_addr *token, const plasma_u256 *amount)
{
    plasma_chain *c = ex->c;
    uint8_t key[40];
    claim_key(key, owner, token);
    uint32_t r = eg_table_find(&c->t[EG_T_CLAIM], key);
    int rc = eg_gas_sload(ex, 1);
    if (rc != 0)
        return rc;
    plasma_u256 sum =
        r == EG_NONE ? plasma_u256_from_u64(0) : ((eg_claim *)eg_table_at(&c->t[EG_T_CLAIM], r))->amount;
    bool was_zero = plasma_u256_is_zero(&sum);
    /* A claim saturates: 2^256 - 1 of a token can never be paid either. */
    plasma_u256_add_saturating(&sum, &sum, amount);
    rc = eg_gas_sstore(ex, was_zero ? 1 : 0, was_zero ? 0 : 1);
    if (rc == 0)
        rc = r == EG_NONE ? eg_create(c, EG_T_CLAIM, key, &r) : eg_touch(c, EG_T_CLAIM, r);
    if (rc != 0)
        return rc;
    ((eg_claim *)eg_table_at(&c->t[EG_T_CLAIM], r))->amount = sum;
    plasma_event ev = {.kind = PLASMA_EVENT_PAYMENT_DEFERRED};
    ev.payment.owner = *owner;
    if (token)
        ev.payment.token = *token;
    ev.payment.amount = *amount;
    return eg_emit(ex, &ev, 3, 32);
}

int eg_pay(eg_exec *ex, const plasma_addr *to, const plasma_addr *token, const plasma_u256 *amount)
{
    if (plasma_u256_is_zero(amount))
        return PLASMA_OK;
    int rc = transfer_out(ex, to, token, amount);
    return rc == PLASMA_ERR_INSUFFICIENT_FUNDS ? defer(ex, to, token, amount) : rc;
}

/* ---- withdraw(token) ---- */

int eg_run_withdraw(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    const plasma_call *call = ex->call;
    uint8_t key[40];
    claim_key(key, &call->from, &call->withdraw.token);
    int rc = eg_gas_sload(ex, 1);
    if (rc != 0)
        return rc;
    uint32_t r = eg_table_find(&c->t[EG_T_CLAIM], key);
    plasma_u256 amount =
        r == EG_NONE ? plasma_u256_from_u64(0) : ((eg_claim *)eg_table_at(&c->t[EG_T_CLAIM], r))->amount;
    if (plasma_u256_is_zero(&amount))
        return PLASMA_ERR_NOTHING_TO_WITHDRAW;
    rc = eg_touch(c, EG_T_CLAIM, r);
    if (rc == 0)
        rc = eg_gas_sstore(ex, 0, 1);
    if (rc != 0)
        return rc;
    ((eg_claim *)eg_table_at(&c->t[EG_T_CLAIM], r))->amount = plasma_u256_from_u64(0);
    rc = transfer_out(ex, &call->from, &call->withdraw.token, &amount);
    if (rc == PLASMA_ERR_INSUFFICIENT_FUNDS)
        return PLASMA_ERR_PAYMENT_FAILED; /* the call reverts: the claim stays */
    if (rc != 0)
        return rc;
    plasma_event ev = {.kind = PLASMA_EVENT_WITHDRAWAL};
    ev.payment.owner = call->from;
    ev.payment.token = call->withdraw.token;
    ev.payment.amount = amount;
    return eg_emit(ex, &ev, 3, 32);
}
