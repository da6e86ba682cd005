/* Value moving into and out of the contract, and withdraw
 * (docs/inflight.md, "Payments never block the queue").
 *
 * Every payment tries a plain transfer; when it fails (the contract holds
 * too little of the token, or the recipient's balance would overflow) the
 * amount is credited to withdrawable[owner][token] and PaymentDeferred is
 * emitted, and the call goes on: one unpayable exit never blocks those
 * behind it. The owner claims the amount later with withdraw(token). Sums
 * saturate at 2^256 - 1 as the contract's do: an ETH exit's amount plus its
 * bond, and a claim.
 *
 * A token is an ERC-20 like the development chain's TestToken: balances in
 * its own storage (balanceOf[owner]), moved by transfer and transferFrom,
 * each a call into its code that logs Transfer; the meter charges what
 * that costs on the EVM. */
#include "internal.h"

/* The contract's _pay besides the transfer: the zero and gas checks. */
#define CPU_PAY 300
/* The contract's call into a token (EXTCODESIZE's price is charged apart:
 * the account's access) and the token's code of transfer and transferFrom
 * besides its storage and its Transfer log; a transfer the token refuses
 * (it reverts at its balance check). */
#define CPU_TOKEN_TRANSFER 950
#define CPU_TOKEN_TRANSFER_FROM 1135
#define CPU_TOKEN_REFUSED 700
/* A call with value to an account that runs no code: 9,000, less the
 * 2,300 stipend it hands back (the account's access is charged apart). */
#define GAS_VALUE_CALL (PLASMA_GAS_CALL_VALUE - PLASMA_GAS_CALL_STIPEND)
/* ERC-20's Transfer(address indexed, address indexed, uint256). */
#define TRANSFER_LOG_TOPICS 3
#define TRANSFER_LOG_BYTES 32

/* withdrawable[owner][token]: one storage slot. */
static void claim_key(uint8_t key[40], const plasma_addr *owner, const plasma_addr *token)
{
    memcpy(key, owner->b, 20);
    memset(key + 20, 0, 20);
    if (token)
        memcpy(key + 20, token->b, 20);
}

static uint64_t balance_slot(const plasma_addr *token, const plasma_addr *owner)
{
    uint8_t k[40];
    memcpy(k, token->b, 20);
    memcpy(k + 20, owner->b, 20);
    return eg_slot(EG_S_BALANCE, k, sizeof k, 0);
}

int eg_eth_move(plasma_chain *c, const plasma_addr *from, const plasma_addr *to, const plasma_u256 *amount)
{
    int rc = eg_debit(c, from, NULL, amount);
    return rc ? rc : eg_credit(c, to, NULL, amount, NULL);
}

/* TestToken.move(from, to, amount): from's balance read, checked and
 * written, to's read and written (a checked add), Transfer logged.
 * PLASMA_ERR_INSUFFICIENT_FUNDS when from holds too little or to's balance
 * would pass 2^256 - 1 (the token reverts: nothing changes). */
static int token_move(eg_exec *ex, const plasma_addr *from, const plasma_addr *to, const plasma_addr *token,
                      const plasma_u256 *amount)
{
    plasma_chain *c = ex->c;
    plasma_u256 held, got, after, sum;
    eg_balance(&held, c, from, token);
    eg_balance(&got, c, to, token);
    int rc = eg_sload(ex, balance_slot(token, from), eg_word_u256(&held));
    if (rc != 0)
        return rc;
    if (plasma_u256_sub(&after, &held, amount) != 0)
        return PLASMA_ERR_INSUFFICIENT_FUNDS;
    bool self = plasma_addr_eq(from, to);
    if (!self && plasma_u256_add(&sum, &got, amount) != 0)
        return PLASMA_ERR_INSUFFICIENT_FUNDS;
    rc = eg_sstore(ex, balance_slot(token, from), eg_word_u256(&held), eg_word_u256(&after));
    if (rc == 0)
        rc = eg_sload(ex, balance_slot(token, to), eg_word_u256(self ? &after : &got));
    if (rc == 0)
        rc = eg_sstore(ex, balance_slot(token, to), eg_word_u256(self ? &after : &got),
                       eg_word_u256(self ? &held : &sum));
    if (rc == 0)
        rc = eg_gas(ex, PLASMA_GAS_LOG + TRANSFER_LOG_TOPICS * PLASMA_GAS_LOG_TOPIC +
                            TRANSFER_LOG_BYTES * PLASMA_GAS_LOG_BYTE);
    if (rc == 0)
        rc = eg_debit(c, from, token, amount);
    return rc ? rc : eg_credit(c, to, token, amount, NULL);
}

/* The contract's call into token: its code size checked, then the call. */
static int token_call(eg_exec *ex, const plasma_addr *token, uint64_t cpu)
{
    int rc = eg_account_access(ex, token);
    return rc ? rc : eg_gas(ex, PLASMA_GAS_WARM_ACCESS + cpu);
}

int eg_token_transfer(eg_exec *ex, const plasma_addr *from, const plasma_addr *to, const plasma_addr *token,
                      const plasma_u256 *amount)
{
    int rc = eg_gas(ex, CPU_TOKEN_TRANSFER);
    return rc ? rc : token_move(ex, from, to, token, amount);
}

int eg_token_pull(eg_exec *ex, const plasma_addr *from, const plasma_addr *token, const plasma_u256 *amount)
{
    const plasma_addr *contract = &ex->c->cfg.contract;
    uint8_t k[60];
    memcpy(k, token->b, 20);
    memcpy(k + 20, from->b, 20);
    memcpy(k + 40, contract->b, 20);
    /* Depositors approve the contract once for all their deposits. */
    uint8_t unlimited[32];
    memset(unlimited, 0xff, sizeof unlimited);
    int rc = token_call(ex, token, CPU_TOKEN_TRANSFER_FROM);
    if (rc == 0)
        rc = eg_sload(ex, eg_slot(EG_S_ALLOWANCE, k, sizeof k, 0), eg_word(unlimited, sizeof unlimited));
    return rc ? rc : token_move(ex, from, contract, token, amount);
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
    if (!eg_is_eth(token)) {
        int rc = token_call(ex, token, 0);
        if (rc == 0)
            rc = eg_token_transfer(ex, &c->cfg.contract, to, token, amount);
        /* A refused transfer reverts in the token: it cost the reads and
         * the code up to there, and changed nothing. */
        if (rc == PLASMA_ERR_INSUFFICIENT_FUNDS) {
            rc = eg_gas(ex, CPU_TOKEN_REFUSED);
            return rc ? rc : PLASMA_ERR_INSUFFICIENT_FUNDS;
        }
        return rc;
    }
    eg_balance(&held, c, &c->cfg.contract, NULL);
    if (plasma_u256_cmp(&held, amount) < 0)
        return PLASMA_ERR_INSUFFICIENT_FUNDS;
    eg_balance(&held, c, to, NULL);
    if (plasma_u256_add(&sum, &held, amount) != 0)
        return PLASMA_ERR_INSUFFICIENT_FUNDS;
    int rc = eg_account_access(ex, to);
    if (rc == 0)
        rc = eg_gas(ex, GAS_VALUE_CALL);
    return rc ? rc : eg_eth_move(c, &c->cfg.contract, to, amount);
}

static int defer(eg_exec *ex, const plasma_addr *owner, const plasma_addr *token, const plasma_u256 *amount)
{
    plasma_chain *c = ex->c;
    uint8_t key[40];
    claim_key(key, owner, token);
    uint32_t r = eg_table_find(&c->t[EG_T_CLAIM], key);
    plasma_u256 sum =
        r == EG_NONE ? plasma_u256_from_u64(0) : ((eg_claim *)eg_table_at(&c->t[EG_T_CLAIM], r))->amount;
    uint64_t slot = eg_slot(EG_S_CLAIM, key, sizeof key, 0), before = eg_word_u256(&sum);
    /* A claim saturates: 2^256 - 1 of a token can never be paid either. */
    plasma_u256_add_saturating(&sum, &sum, amount);
    int rc = eg_sload(ex, slot, before);
    if (rc == 0)
        rc = eg_sstore(ex, slot, before, eg_word_u256(&sum));
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
    int rc = eg_gas(ex, CPU_PAY);
    if (rc == 0)
        rc = transfer_out(ex, to, token, amount);
    return rc == PLASMA_ERR_INSUFFICIENT_FUNDS ? defer(ex, to, token, amount) : rc;
}

/* ---- withdraw(token) ---- */

int eg_run_withdraw(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    const plasma_call *call = ex->call;
    uint8_t key[40];
    claim_key(key, &call->from, &call->withdraw.token);
    uint32_t r = eg_table_find(&c->t[EG_T_CLAIM], key);
    plasma_u256 amount =
        r == EG_NONE ? plasma_u256_from_u64(0) : ((eg_claim *)eg_table_at(&c->t[EG_T_CLAIM], r))->amount;
    uint64_t slot = eg_slot(EG_S_CLAIM, key, sizeof key, 0);
    int rc = eg_lock(ex);
    if (rc == 0)
        rc = eg_cpu_call(ex);
    if (rc == 0)
        rc = eg_sload(ex, slot, eg_word_u256(&amount));
    if (rc != 0)
        return rc;
    if (plasma_u256_is_zero(&amount))
        return PLASMA_ERR_NOTHING_TO_WITHDRAW;
    rc = eg_sstore(ex, slot, eg_word_u256(&amount), 0);
    if (rc == 0)
        rc = eg_touch(c, EG_T_CLAIM, r);
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
