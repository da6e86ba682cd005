/* Coin selection and payment building: largest outputs first, change per
 * token, fees in the payment's token or another, the 4-input limit, and
 * balances per token. No network. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "plasma/client.h"

static plasma_addr addr_of(uint8_t tag)
{
    plasma_addr a = {{0}};
    a.b[19] = tag;
    return a;
}

static plasma_client_utxo utxo(uint64_t pos, uint8_t owner, uint8_t token, uint64_t amount)
{
    plasma_client_utxo u = {.utxo_pos = pos};
    u.out.owner = addr_of(owner);
    u.out.token = addr_of(token);
    u.out.amount = plasma_u256_from_u64(amount);
    return u;
}

static plasma_payment payment(uint8_t to, uint8_t token, uint64_t amount, uint8_t fee_token, uint64_t fee)
{
    plasma_payment p = {.to = addr_of(to), .token = addr_of(token), .fee_token = addr_of(fee_token)};
    p.amount = plasma_u256_from_u64(amount);
    p.fee = plasma_u256_from_u64(fee);
    return p;
}

static void assert_output(const plasma_tx *tx, unsigned i, uint8_t owner, uint8_t token, uint64_t amount)
{
    uint64_t v = 0;
    assert_true(i < tx->n_outputs);
    assert_true(plasma_addr_eq(&tx->outputs[i].owner, &(plasma_addr){.b[19] = owner}));
    assert_true(plasma_addr_eq(&tx->outputs[i].token, &(plasma_addr){.b[19] = token}));
    assert_true(plasma_u256_to_u64(&tx->outputs[i].amount, &v));
    assert_int_equal(v, amount);
}

/* Owner 1 holds ETH 50, 30, 20 and token 9: 7, 5; owner 2 holds ETH 1000. */
static const plasma_client_utxo *wallet(size_t *n)
{
    static plasma_client_utxo u[6];
    u[0] = utxo(1000000000, 1, 0, 50);
    u[1] = utxo(2000000000, 1, 0, 30);
    u[2] = utxo(3000000000, 1, 0, 20);
    u[3] = utxo(4000000000, 1, 9, 7);
    u[4] = utxo(5000000000, 1, 9, 5);
    u[5] = utxo(6000000000, 2, 0, 1000);
    *n = 6;
    return u;
}

static void test_single_input_with_change(void **state)
{
    (void)state;
    size_t n;
    const plasma_client_utxo *u = wallet(&n);
    plasma_addr owner = addr_of(1);
    plasma_payment p = payment(3, 0, 40, 0, 2);
    plasma_tx tx;
    assert_int_equal(plasma_payment_build(&tx, &owner, &p, u, n, NULL, 0), 0);
    assert_int_equal(tx.tx_type, PLASMA_TX_PAYMENT);
    assert_int_equal(tx.n_inputs, 1);
    assert_int_equal(tx.inputs[0], 1000000000); /* the largest */
    assert_int_equal(tx.n_outputs, 2);
    assert_output(&tx, 0, 3, 0, 40);
    assert_output(&tx, 1, 1, 0, 8); /* 50 - 40 - fee 2 */
}

static void test_multi_input_exact(void **state)
{
    (void)state;
    size_t n;
    const plasma_client_utxo *u = wallet(&n);
    plasma_addr owner = addr_of(1);
    plasma_payment p = payment(3, 0, 100, 0, 0);
    plasma_tx tx;
    assert_int_equal(plasma_payment_build(&tx, &owner, &p, u, n, NULL, 0), 0);
    assert_int_equal(tx.n_inputs, 3);
    assert_int_equal(tx.n_outputs, 1); /* no zero change output */
    assert_output(&tx, 0, 3, 0, 100);
}

static void test_token_with_eth_fee(void **state)
{
    (void)state;
    size_t n;
    const plasma_client_utxo *u = wallet(&n);
    plasma_addr owner = addr_of(1);
    plasma_payment p = payment(3, 9, 10, 0, 4);
    plasma_tx tx;
    assert_int_equal(plasma_payment_build(&tx, &owner, &p, u, n, NULL, 0), 0);
    assert_int_equal(tx.n_inputs, 3); /* two token outputs + the largest ETH */
    assert_int_equal(tx.inputs[2], 1000000000);
    assert_int_equal(tx.n_outputs, 3);
    assert_output(&tx, 0, 3, 9, 10);
    assert_output(&tx, 1, 1, 9, 2);
    assert_output(&tx, 2, 1, 0, 46);
}

static void test_refusals(void **state)
{
    (void)state;
    size_t n;
    const plasma_client_utxo *u = wallet(&n);
    plasma_addr owner = addr_of(1);
    plasma_tx tx = {0};
    char msg[300] = "";
    plasma_payment p = payment(3, 0, 101, 0, 0); /* more than owner 1 has */
    assert_int_equal(plasma_payment_build(&tx, &owner, &p, u, n, msg, sizeof msg),
                     PLASMA_ERR_INSUFFICIENT_FUNDS);
    assert_non_null(strstr(msg, "101"));
    p = payment(3, 9, 13, 0, 0);
    assert_int_equal(plasma_payment_build(&tx, &owner, &p, u, n, msg, sizeof msg),
                     PLASMA_ERR_INSUFFICIENT_FUNDS);
    p = payment(3, 0, 0, 0, 0);
    assert_int_equal(plasma_payment_build(&tx, &owner, &p, u, n, msg, sizeof msg), PLASMA_ERR_AMOUNT_ZERO);
    assert_int_equal(tx.n_inputs, 0); /* untouched */

    /* Five outputs of 1 cannot pay 5: at most four inputs. */
    plasma_client_utxo small[5];
    for (int i = 0; i < 5; i++)
        small[i] = utxo((uint64_t)(i + 1) * PLASMA_POS_BLOCK, 1, 0, 1);
    p = payment(3, 0, 5, 0, 0);
    assert_int_equal(plasma_payment_build(&tx, &owner, &p, small, 5, msg, sizeof msg),
                     PLASMA_ERR_INSUFFICIENT_FUNDS);
    assert_non_null(strstr(msg, "at most 4"));
    p = payment(3, 0, 4, 0, 0);
    assert_int_equal(plasma_payment_build(&tx, &owner, &p, small, 5, msg, sizeof msg), 0);
    assert_int_equal(tx.n_inputs, 4);
}

static void test_balances(void **state)
{
    (void)state;
    size_t n, nb = 0;
    const plasma_client_utxo *u = wallet(&n);
    plasma_client_balance *b = NULL;
    uint64_t v;
    assert_int_equal(plasma_client_balances(&b, &nb, u + 3, 2), 0); /* token only */
    assert_int_equal(nb, 1);
    free(b);
    assert_int_equal(plasma_client_balances(&b, &nb, u, 5), 0);
    assert_int_equal(nb, 2);
    assert_true(plasma_addr_is_zero(&b[0].token)); /* ETH first */
    assert_true(plasma_u256_to_u64(&b[0].amount, &v));
    assert_int_equal(v, 100);
    assert_int_equal(b[0].n_utxos, 3);
    assert_true(plasma_u256_to_u64(&b[1].amount, &v));
    assert_int_equal(v, 12);
    free(b);
    plasma_client_utxo max[2] = {utxo(1, 1, 0, 0), utxo(2, 1, 0, 0)};
    max[0].out.amount = max[1].out.amount = (plasma_u256){{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
    assert_int_equal(plasma_client_balances(&b, &nb, max, 2), PLASMA_ERR_OVERFLOW);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_input_with_change),
        cmocka_unit_test(test_multi_input_exact),
        cmocka_unit_test(test_token_with_eth_fee),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_balances),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
