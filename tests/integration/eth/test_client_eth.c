/* The `plasma` wallet CLI on a real Ethereum chain (client_eth_itest.h):
 * deposits of ETH and of TestToken (the approve sent by the CLI), a
 * payment, standard exits (one challenged by the CLI), their processing
 * after evm_increaseTime, and in-flight exits (start, piggybacks, list,
 * a non-canonical challenge, the response, a deletion), every balance
 * checked on chain. */
#include "client_eth_itest.h"

/* Deposits, payments, exits, a challenge and processing, all from the CLI. */
static void test_wallet_on_eth(void **state)
{
    (void)state;
    start();
    char addr[43], tok[43];

    /* The start's checks: a wrong chain id or an address without the
     * contract is a configuration error, before anything is sent; a node
     * that does not answer is unavailable (try again later). */
    as_fails(1, "unavailable", "--rpc http://127.0.0.1:1 rootchain status");
    as_fails(1, "config", "--chain-id 5 rootchain status");
    as_fails(1, "config", "--contract 0x0000000000000000000000000000000000000abc rootchain status");
    as_fails(1, "usage", "--contract nope rootchain status");
    json_t *st = as(1, "rootchain status");
    assert_int_equal(json_u64(st, "chain_id"), 31337);
    assert_string_equal(json_string_value(json_object_get(st, "contract")),
                        plasma_addr_format(addr, &chain.contract));
    assert_int_equal(json_u64(st, "next_child_block"), 1000);
    json_decref(st);

    /* 1 ETH in by account 1: the contract holds it, the operator spends it. */
    plasma_u256 contract_before = eit_balance(rpc, &chain.contract);
    json_t *d = as(1, "deposit --amount 1eth");
    uint64_t d_eth = json_u64(d, "utxo_pos");
    assert_true(json_is_true(json_object_get(d, "spendable")));
    json_decref(d);
    plasma_u256 one = u(ETH_WEI), want = add_u(contract_before, &one),
                got = eit_balance(rpc, &chain.contract);
    assert_u256(&got, &want, "contract after the ETH deposit");

    /* 100 tokens in by account 2, which never approved: the CLI does. */
    plasma_addr token = oe_deploy_token();
    plasma_addr a2 = eit_addr(2);
    oe_token_call(9, &token, "mint(address,uint256)", &a2, 100);
    plasma_addr_format(tok, &token);
    d = as(2, "deposit --amount 100 --token %s", tok);
    uint64_t d_tok = json_u64(d, "utxo_pos");
    json_decref(d);
    assert_int_equal(oe_token_balance(&token, &chain.contract), 100);
    assert_int_equal(oe_token_balance(&token, &a2), 0);
    plasma_u256 tb = rc_balance(BOB, tok);
    plasma_u256 zero = u(0);
    assert_u256(&tb, &zero, "account 2's tokens on the root chain after the deposit");
    (void)d_tok;

    /* 0.25 ETH to account 3 in block 1000. */
    plasma_addr a3 = eit_addr(3);
    json_decref(as(1, "send --to %s --amount 0.25eth --fee 1", plasma_addr_format(addr, &a3)));
    assert_int_equal(it_admin_seal(&daemon_), 1000);
    oe_wait_submitted(&daemon_, 1000, 20);
    uint64_t paid_pos = plasma_utxo_pos(1000, 0, 0);
    json_t *blk = as(1, "rootchain block 1000");
    plasma_eth_block_view bv = oe_block(&chain, 1000);
    char root[67];
    assert_string_equal(json_string_value(json_object_get(blk, "root")), plasma_hash_format(root, &bv.root));
    assert_int_equal(json_u64(blk, "timestamp"), bv.timestamp);
    assert_false(json_is_true(json_object_get(blk, "is_deposit")));
    json_decref(blk);
    blk = as(1, "rootchain block 1");
    assert_true(json_is_true(json_object_get(blk, "is_deposit")));
    json_decref(blk);
    as_fails(1, "block_not_found", "rootchain block 3000");

    /* Exits: account 3's output, and account 1's deposit, which it spent;
     * account 5 challenges that one with the payment and earns the bond. */
    json_t *x = as(3, "exit --utxo %llu", (unsigned long long)paid_pos);
    assert_int_equal(json_u64(x, "exit_id"), paid_pos);
    json_decref(x);
    assert_int_equal(oe_exit(&chain, paid_pos).state, PLASMA_EXIT_IN_PROGRESS);
    json_decref(as(1, "exit --utxo %llu", (unsigned long long)d_eth));
    plasma_u256 a5_before = on_chain(5);
    x = as(5, "challenge --exit-id %llu", (unsigned long long)d_eth);
    assert_true(json_is_true(json_object_get(x, "challenged")));
    json_decref(x);
    assert_int_equal(oe_exit(&chain, d_eth).state, PLASMA_EXIT_CHALLENGED);
    plasma_u256 a5_after = on_chain(5);
    assert_true(plasma_u256_cmp(&a5_after, &a5_before) > 0); /* the bond is worth more than the gas */

    /* The contract's refusals come back as the project's errors. */
    char args[200];
    snprintf(args, sizeof args, "exit --utxo %llu", (unsigned long long)paid_pos);
    as_fails(3, "exit_exists", args);
    snprintf(args, sizeof args, "challenge --exit-id %llu", (unsigned long long)d_eth);
    as_fails(5, "exit_not_active", args);
    snprintf(args, sizeof args, "challenge --exit-id %llu", (unsigned long long)paid_pos);
    as_fails(5, "not_found", args); /* nothing spends it: the exit is honest */
    as_fails(1, "nothing_to_withdraw", "withdraw");
    json_t *ex = as(1, "rootchain exits");
    assert_int_equal(json_array_size(json_object_get(ex, "exits")), 2);
    json_decref(ex);

    /* Account 2 exits its token deposit. */
    json_decref(as(2, "exit --utxo %llu", (unsigned long long)d_tok));

    /* After the exit period account 4 processes both queues: account 3
     * gets 0.25 ETH and its bond back to the wei (it sent nothing since),
     * account 2 its 100 tokens. */
    plasma_u256 a3_before = on_chain(3);
    pass_exit_period();
    x = as(4, "process-exits");
    assert_int_equal(json_u64(x, "processed"), 1);
    assert_int_equal(json_u64(json_array_get(json_object_get(x, "paid"), 0), "exit_id"), paid_pos);
    json_decref(x);
    x = as(4, "process-exits --token %s", tok);
    assert_int_equal(json_u64(x, "processed"), 1);
    json_decref(x);
    assert_int_equal(oe_exit(&chain, paid_pos).state, PLASMA_EXIT_FINALIZED);
    assert_int_equal(oe_exit(&chain, d_tok).state, PLASMA_EXIT_FINALIZED);
    plasma_u256 quarter = u(ETH_WEI / 4), a3_want = add_u(add_u(a3_before, &quarter), &chain.exit_bond),
                a3_now = on_chain(3);
    assert_u256(&a3_now, &a3_want, "account 3 after processing");
    assert_int_equal(oe_token_balance(&token, &a2), 100);
    tb = rc_balance(BOB, tok);
    plasma_u256 hundred = u(100);
    assert_u256(&tb, &hundred, "account 2's tokens through the CLI");
    stop();
}

/* An in-flight exit from the CLI: account 1 starts it from its wallet's
 * records with the operator's proofs (checked against the contract's
 * roots) and piggybacks its input; account 6, the recipient, piggybacks
 * its output from the tx the contract's start call carried. Processed,
 * the contract pays account 6 its half ETH and bond, account 1 both its
 * bonds. */
static void test_ife_on_eth(void **state)
{
    (void)state;
    start();
    char addr[43], id[80], txh[80];
    plasma_addr a2 = eit_addr(2), a6 = eit_addr(6);
    json_t *d = as(1, "deposit --amount 1eth");
    json_decref(d);
    json_decref(as(1, "send --to %s --amount 0.25eth --fee 1", plasma_addr_format(addr, &a2)));
    assert_int_equal(it_admin_seal(&daemon_), 1000);
    json_t *p = as(1, "send --to %s --amount 0.5eth --fee 1", plasma_addr_format(addr, &a6));
    snprintf(txh, sizeof txh, "%s", json_string_value(json_object_get(p, "txhash")));
    json_decref(p);
    assert_int_equal(it_admin_seal(&daemon_), 2000);
    oe_wait_submitted(&daemon_, 2000, 20);

    json_t *x = as(1, "ife start %s --from-operator", txh);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(x, "ife_id")));
    json_decref(x);
    char args[300];
    snprintf(args, sizeof args, "ife start %s --from-operator", txh);
    as_fails(1, "ife_exists", args);
    json_decref(as(1, "ife piggyback %s --input 0", txh));
    x = as(6, "ife piggyback %s --output 0", txh);
    assert_string_equal(json_string_value(json_object_get(x, "ife_id")), id);
    json_decref(x);
    x = as(6, "ife list");
    json_t *l = json_object_get(x, "in_flight_exits");
    assert_int_equal(json_array_size(l), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "ife_id")), id);
    json_decref(x);
    plasma_u256 ife_id;
    assert_int_equal(plasma_u256_parse_hex(&ife_id, id), 0);
    plasma_eth_contract *k = NULL;
    plasma_eth_ife_view v;
    assert_int_equal(plasma_eth_contract_new(&k, rpc, &chain.contract), 0);
    assert_int_equal(plasma_eth_contract_ife(k, &ife_id, &v), 0);
    assert_true(v.canonical);
    assert_int_equal(v.inputs_piggybacked, 1);
    assert_int_equal(v.outputs_piggybacked, 1);

    plasma_u256 a1_before = on_chain(1), a6_before = on_chain(6);
    plasma_u256 ife_bond = oe_view_uint(&chain, PLASMA_ETH_FN_IFE_BOND),
                pb_bond = oe_view_uint(&chain, PLASMA_ETH_FN_PIGGYBACK_BOND), half = u(ETH_WEI / 2);
    pass_exit_period();
    x = as(4, "process-exits");
    assert_int_equal(json_array_size(json_object_get(x, "in_flight_exits")), 1);
    json_decref(x);
    assert_int_equal(plasma_eth_contract_ife(k, &ife_id, &v), 0);
    assert_int_equal(v.start, 0); /* processed and deleted */
    plasma_eth_contract_free(k);
    plasma_u256 want = add_u(add_u(a6_before, &half), &pb_bond), got = on_chain(6);
    assert_u256(&got, &want, "account 6 after the in-flight exit");
    want = add_u(add_u(a1_before, &pb_bond), &ife_bond);
    got = on_chain(1);
    assert_u256(&got, &want, "account 1 after the in-flight exit");
    x = as(6, "ife list");
    assert_int_equal(json_array_size(json_object_get(x, "in_flight_exits")), 0);
    json_decref(x);
    stop();
}

/* The other in-flight exit commands: account 7 challenges account 1's
 * exit with a double spend never included; account 1 answers with the
 * tx's inclusion from its watcher's blocks; nobody piggybacks, and after
 * the first phase account 1 deletes the exit. */
static void test_ife_challenge_respond_delete_on_eth(void **state)
{
    (void)state;
    start();
    char addr[43], id[80], txh[80], args[600];
    plasma_addr a2 = eit_addr(2), a6 = eit_addr(6), a7 = eit_addr(7);
    json_decref(as(1, "deposit --amount 1eth"));
    json_decref(as(1, "send --to %s --amount 0.25eth --fee 1", plasma_addr_format(addr, &a2)));
    assert_int_equal(it_admin_seal(&daemon_), 1000);
    json_t *p = as(1, "send --to %s --amount 0.5eth --fee 1", plasma_addr_format(addr, &a6));
    snprintf(txh, sizeof txh, "%s", json_string_value(json_object_get(p, "txhash")));
    json_decref(p);
    assert_int_equal(it_admin_seal(&daemon_), 2000);
    oe_wait_submitted(&daemon_, 2000, 20);
    /* Account 1's watcher verifies both blocks (and, the chain honest, says nothing). */
    char wdir[160];
    snprintf(wdir, sizeof wdir, "%s/watcher", daemon_.dir);
    char out[4096];
    assert_int_equal(run_raw(out, sizeof out, "--json watch --once --data-dir %s", wdir), 0);
    assert_string_equal(out, "");

    /* A double spend of the same input, signed by account 1, never included. */
    plasma_tx dbl;
    memset(&dbl, 0, sizeof dbl);
    dbl.tx_type = PLASMA_TX_PAYMENT;
    dbl.n_inputs = 1;
    dbl.inputs[0] = plasma_utxo_pos(1000, 0, 1);
    dbl.n_outputs = 1;
    dbl.outputs[0] = (plasma_output){a7, {{0}}, u(ETH_WEI / 2)};
    plasma_domain dom;
    plasma_domain_init(&dom, 31337, &chain.contract);
    plasma_privkey k1 = eit_key(1);
    assert_int_equal(plasma_tx_sign_input(&dbl, &dom, 0, &k1), 0);
    plasma_buf rlp = {0};
    assert_int_equal(plasma_tx_encode_signed(&rlp, &dbl), 0);
    char *hex = malloc(2 * rlp.len + 3);
    plasma_hex_encode(hex, rlp.data, rlp.len);
    plasma_buf_free(&rlp);

    json_t *x = as(1, "ife start %s --data-dir %s", txh, wdir);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(x, "ife_id")));
    assert_string_equal(json_string_value(json_object_get(x, "proofs")), "watcher");
    json_decref(x);
    plasma_u256 ife_id;
    assert_int_equal(plasma_u256_parse_hex(&ife_id, id), 0);
    plasma_eth_contract *k = NULL;
    plasma_eth_ife_view v;
    assert_int_equal(plasma_eth_contract_new(&k, rpc, &chain.contract), 0);

    x = as(7, "ife challenge %s --competitor %s", txh, hex);
    assert_string_equal(json_string_value(json_object_get(x, "challenge")), "non_canonical");
    json_decref(x);
    free(hex);
    assert_int_equal(plasma_eth_contract_ife(k, &ife_id, &v), 0);
    assert_false(v.canonical);
    x = as(1, "ife respond %s --data-dir %s", txh, wdir);
    assert_int_equal(json_u64(x, "tx_pos"), plasma_utxo_pos(2000, 0, 0));
    json_decref(x);
    assert_int_equal(plasma_eth_contract_ife(k, &ife_id, &v), 0);
    assert_true(v.canonical);

    /* Too early to delete: the contract's error. */
    snprintf(args, sizeof args, "ife delete %s", id);
    as_fails(1, "first_phase_not_over", args);
    pass_exit_period();
    json_decref(as(1, "ife delete %s", id));
    assert_int_equal(plasma_eth_contract_ife(k, &ife_id, &v), 0);
    assert_int_equal(v.start, 0);
    plasma_eth_contract_free(k);
    x = as(1, "ife list");
    assert_int_equal(json_array_size(json_object_get(x, "in_flight_exits")), 0);
    json_decref(x);
    stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_wallet_on_eth, eit_group_setup, eit_group_teardown),
        cmocka_unit_test_setup_teardown(test_ife_on_eth, eit_group_setup, eit_group_teardown),
        cmocka_unit_test_setup_teardown(test_ife_challenge_respond_delete_on_eth, eit_group_setup,
                                        eit_group_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
