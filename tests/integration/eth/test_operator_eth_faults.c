/* The operator on anvil when things go wrong:
 *   - anvil stopped and started again from its state file: the operator
 *     waits, then submits what it sealed meanwhile, once, and follows again;
 *     killed between sending a submitBlock and its mining: the restarted
 *     operator takes the pooled transaction's nonce, and one block results;
 *   - reorganisations (evm_snapshot / evm_revert) deeper than
 *     --confirmations: a dropped deposit is removed and never spendable, the
 *     new chain's deposit takes its place; a dropped submitBlock is sent
 *     again; a dropped deposit that was spent stops the operator, which says
 *     why and submits nothing more;
 *   - an endpoint (a loopback proxy) that fails every third request, stalls
 *     past --rpc-timeout-ms, is down for a while, and loses the answers of
 *     eth_sendRawTransaction: every block on chain once, with its root. */
#include "op_eth_itest.h"

#define ETH 1000000000000000000ull

static int setup_kept(void **state)
{
    (void)state;
    eit_anvil_start_kept(&anvil, true);
    rpc = eit_rpc(anvil.url, 3);
    return 0;
}

static void pay_ok(const it_daemon *d, uint64_t input, unsigned key, unsigned to, uint64_t amount,
                   uint64_t change)
{
    it_out outs[2] = {{to, 0, amount}, {key, 0, change}};
    char *body = it_payment_body(&input, &key, 1, outs, change ? 2 : 1, NULL);
    it_resp r = it_post(d, "/v1/transactions", body);
    if (r.status != 200)
        fail_msg("payment refused: %ld %s", r.status, r.body);
    it_resp_free(&r);
    free(body);
}

static void assert_root_on_chain(const it_daemon *d, const oe_chain *c, uint64_t blknum)
{
    plasma_eth_block_view v = oe_block(c, blknum);
    plasma_hash root = oe_operator_root(d, blknum);
    assert_true(v.timestamp != 0);
    assert_true(plasma_hash_eq(&v.root, &root));
}

static bool health_flag(const it_daemon *d, const char *name)
{
    json_t *h = oe_health(d, NULL);
    bool v = json_is_true(json_object_get(h, name));
    json_decref(h);
    return v;
}

static void wait_health_flag(const it_daemon *d, const char *name, bool want, double seconds)
{
    double deadline = it_now() + seconds;
    while (health_flag(d, name) != want) {
        if (it_now() > deadline)
            fail_msg("/health %s stayed %s; log in %s", name, want ? "false" : "true", d->log);
        it_sleep_ms(20);
    }
}

/* --- anvil restarted, operator killed mid-submission --- */

static void test_anvil_restart_and_crash(void **state)
{
    (void)state;
    oe_chain c = oe_deploy(anvil.url, "");
    it_daemon op;
    const char *extra[] = {"--confirmations", "1", NULL};
    oe_start_operator(&op, anvil.url, &c, extra);
    uint64_t d1 = oe_deposit_eth(&c, 1, ETH);
    oe_mine_until_utxo(&op, d1, 200, 10);
    pay_ok(&op, d1, 1, 2, ETH / 2, ETH / 2);
    assert_int_equal(it_admin_seal(&op), 1000);
    oe_mine_until_submitted(&op, 1000, 15);

    /* anvil down: payments go on, the block waits. */
    eit_anvil_halt(&anvil);
    pay_ok(&op, plasma_utxo_pos(1000, 0, 0), 2, 3, ETH / 4, ETH / 4);
    assert_int_equal(it_admin_seal(&op), 2000);
    wait_health_flag(&op, "rootchain_reachable", false, 10);
    eit_anvil_resume(&anvil);
    oe_mine_until_submitted(&op, 2000, 30);
    assert_root_on_chain(&op, &c, 2000);
    assert_int_equal(oe_view_u64(&c, PLASMA_ETH_FN_NEXT_CHILD_BLOCK), 3000);
    uint64_t d2 = oe_deposit_eth(&c, 4, ETH);
    oe_mine_until_utxo(&op, d2, 200, 10);

    /* Killed after sending block 3000's submitBlock, before it is mined. */
    eit_automine(rpc, false);
    pay_ok(&op, plasma_utxo_pos(2000, 0, 0), 3, 5, ETH / 8, ETH / 8);
    assert_int_equal(it_admin_seal(&op), 3000);
    oe_wait_log(&op, "event=submit_sent blknum=3000", 10);
    it_kill(&op);
    it_restart(&op);
    oe_wait_log(&op, "event=submit_sent_in_place blknum=3000", 10);
    eit_automine(rpc, true);
    oe_mine_until_submitted(&op, 3000, 15);
    assert_root_on_chain(&op, &c, 3000);
    assert_int_equal(oe_view_u64(&c, PLASMA_ETH_FN_NEXT_CHILD_BLOCK), 4000);
    plasma_addr a0 = eit_addr(0);
    assert_int_equal(eit_mined_nonce(&a0), 4); /* the deployment and three blocks */
    it_stop(&op);
    it_cleanup(&op);
}

/* --- reorganisations --- */

static char *snapshot(void)
{
    json_t *id = eit_call(rpc, "evm_snapshot", "[]");
    char *s = strdup(json_string_value(id));
    json_decref(id);
    return s;
}

static void revert_to(char *id)
{
    char params[96];
    snprintf(params, sizeof params, "[\"%s\"]", id);
    json_t *ok = eit_call(rpc, "evm_revert", params);
    assert_true(json_is_true(ok));
    json_decref(ok);
    free(id);
}

static json_t *utxo(const it_daemon *d, uint64_t pos)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/utxos/%llu", (unsigned long long)pos);
    return it_get_json(d, path);
}

static void test_reorg(void **state)
{
    (void)state;
    oe_chain c = oe_deploy(anvil.url, "");
    it_daemon op;
    const char *extra[] = {"--confirmations", "2", NULL};
    oe_start_operator(&op, anvil.url, &c, extra);

    /* A deposit applied, then dropped: the new chain's deposit takes its
     * number, and the old owner cannot spend it. */
    char *snap = snapshot();
    uint64_t d1 = oe_deposit_eth(&c, 1, ETH);
    oe_mine_until_utxo(&op, d1, 200, 10);
    revert_to(snap);
    uint64_t d2 = oe_deposit_eth(&c, 2, 2 * ETH);
    assert_int_equal(d2, d1);
    eit_mine(rpc, 4);
    oe_wait_log(&op, "event=chain_reorg ", 10);
    oe_mine_until_utxo(&op, d2, 200, 10);
    json_t *u = utxo(&op, d2);
    char a2[43];
    plasma_addr addr2 = eit_addr(2);
    assert_string_equal(tu_str(u, "owner"), plasma_addr_format(a2, &addr2));
    assert_string_equal(tu_str(u, "amount"), "2000000000000000000");
    json_decref(u);
    it_out outs[1] = {{1, 0, ETH}};
    unsigned k1 = 1;
    char *body = it_payment_body(&d1, &k1, 1, outs, 1, NULL);
    it_resp r = it_post(&op, "/v1/transactions", body);
    it_assert_error(r, 403, "unauthorized_spend");
    it_resp_free(&r);
    free(body);
    pay_ok(&op, d2, 2, 3, ETH, ETH);

    /* A submitted block dropped: its root goes to the chain again, once. */
    snap = snapshot();
    assert_int_equal(it_admin_seal(&op), 1000);
    oe_mine_until_submitted(&op, 1000, 10);
    revert_to(snap);
    eit_mine(rpc, 4);
    oe_wait_log(&op, "event=root_chain_lost_blocks from=1000 to=1000", 10);
    oe_mine_until_submitted(&op, 1000, 10);
    assert_root_on_chain(&op, &c, 1000);
    assert_int_equal(oe_view_u64(&c, PLASMA_ETH_FN_NEXT_CHILD_BLOCK), 2000);

    /* A deposit spent on the child chain, then dropped: the operator stops
     * following and submitting, and says why. */
    snap = snapshot();
    uint64_t d3 = oe_deposit_eth(&c, 3, ETH);
    oe_mine_until_utxo(&op, d3, 200, 10);
    pay_ok(&op, d3, 3, 4, ETH, 0);
    revert_to(snap);
    eit_mine(rpc, 4);
    oe_wait_log(&op, "event=chain_reorg_refused", 10);
    long status = 0;
    json_t *h = oe_health(&op, &status);
    assert_int_equal(status, 503);
    assert_true(json_is_true(json_object_get(h, "rootchain_diverged")));
    json_decref(h);
    assert_int_equal(it_admin_seal(&op), 2000);
    eit_mine(rpc, 4);
    it_sleep_ms(500);
    assert_int_equal(oe_view_u64(&c, PLASMA_ETH_FN_NEXT_CHILD_BLOCK), 2000);
    assert_int_equal(oe_last_submitted(&op), 1000);

    /* A restart refuses again, from the stored cursor. */
    it_stop(&op);
    it_restart(&op);
    eit_mine(rpc, 1);
    h = oe_health(&op, NULL);
    double deadline = it_now() + 10;
    while (!json_is_true(json_object_get(h, "rootchain_diverged")) && it_now() < deadline) {
        json_decref(h);
        it_sleep_ms(20);
        h = oe_health(&op, NULL);
    }
    assert_true(json_is_true(json_object_get(h, "rootchain_diverged")));
    json_decref(h);
    it_stop(&op);
    it_cleanup(&op);
}

/* --- an endpoint that fails --- */

static void test_failing_endpoint(void **state)
{
    (void)state;
    oe_chain c = oe_deploy(anvil.url, "");
    eit_proxy proxy;
    eit_proxy_start(&proxy, anvil.url);
    it_daemon op;
    const char *extra[] = {"--rpc-timeout-ms", "400", NULL};
    oe_start_operator(&op, proxy.url, &c, extra);

    /* Every third request answered 503. */
    eit_proxy_set(&proxy, 0, 503, 0, 0, 3, false);
    uint64_t d1 = oe_deposit_eth(&c, 1, ETH);
    it_wait_utxo_status(&op, d1, 200, 20);
    pay_ok(&op, d1, 1, 2, ETH / 2, ETH / 2);
    assert_int_equal(it_admin_seal(&op), 1000);
    oe_wait_submitted(&op, 1000, 30);

    /* Requests stalled past the timeout. */
    eit_proxy_set(&proxy, 0, 0, 3, 1200, 0, false);
    pay_ok(&op, plasma_utxo_pos(1000, 0, 0), 2, 3, ETH / 4, ETH / 4);
    assert_int_equal(it_admin_seal(&op), 2000);
    oe_wait_submitted(&op, 2000, 30);

    /* Down for a while. */
    eit_proxy_set(&proxy, 0, 503, 0, 0, 0, true);
    pay_ok(&op, plasma_utxo_pos(2000, 0, 0), 3, 4, ETH / 8, ETH / 8);
    assert_int_equal(it_admin_seal(&op), 3000);
    wait_health_flag(&op, "rootchain_reachable", false, 20);
    eit_proxy_set(&proxy, 0, 0, 0, 0, 0, false);
    oe_wait_submitted(&op, 3000, 30);

    /* The answers of eth_sendRawTransaction lost: the transactions still
     * reached the node, and each block is mined once. */
    eit_proxy_set(&proxy, 0, 0, 0, 0, 0, false);
    pthread_mutex_lock(&proxy.mu);
    proxy.lose_method = "eth_sendRawTransaction";
    proxy.lose_answers = 5;
    pthread_mutex_unlock(&proxy.mu);
    pay_ok(&op, plasma_utxo_pos(3000, 0, 0), 4, 5, ETH / 16, ETH / 16);
    assert_int_equal(it_admin_seal(&op), 4000);
    oe_wait_submitted(&op, 4000, 30);

    for (uint64_t b = 1000; b <= 4000; b += 1000)
        assert_root_on_chain(&op, &c, b);
    assert_int_equal(oe_view_u64(&c, PLASMA_ETH_FN_NEXT_CHILD_BLOCK), 5000);
    plasma_addr a0 = eit_addr(0);
    assert_int_equal(eit_mined_nonce(&a0), 5);
    it_stop(&op);
    it_cleanup(&op);
    eit_proxy_stop(&proxy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_anvil_restart_and_crash, setup_kept, eit_group_teardown),
        cmocka_unit_test_setup_teardown(test_reorg, eit_group_setup, eit_group_teardown),
        cmocka_unit_test_setup_teardown(test_failing_endpoint, eit_group_setup, eit_group_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
