/* The watcher on a real Ethereum chain (client_eth_itest.h): `plasma
 * watch --auto --rootchain eth` challenging an invalid exit by itself, a
 * withheld block reported by the contract's clock with the protected
 * account's output exited, and the watcher library through an
 * evm_snapshot/evm_revert reorganisation. */
#include "client_eth_itest.h"

/* GET /status of a watcher's --status-port: false while it does not answer. */
static bool watcher_status(uint16_t port, uint64_t *last_verified)
{
    it_resp r;
    if (!it_request(port, "GET", "/status", NULL, 0, NULL, NULL, &r))
        return false;
    bool ok = r.status == 200 && r.json;
    if (ok)
        *last_verified = (uint64_t)json_integer_value(json_object_get(r.json, "last_verified"));
    it_resp_free(&r);
    return ok;
}

/* `plasma watch --auto --rootchain eth` sees account 1 exit an output it
 * spent and challenges the exit by itself, with account 5's key, which
 * earns the bond. */
static void test_watcher_challenges_on_eth(void **state)
{
    (void)state;
    start();
    char addr[43], args[1600], log[200];
    plasma_addr a3 = eit_addr(3);
    json_t *d = as(1, "deposit --amount 1eth");
    uint64_t d_eth = json_u64(d, "utxo_pos");
    json_decref(d);
    json_decref(as(1, "send --to %s --amount 0.25eth --fee 1", plasma_addr_format(addr, &a3)));
    assert_int_equal(it_admin_seal(&daemon_), 1000);
    oe_wait_submitted(&daemon_, 1000, 20);

    char port_file[300];
    snprintf(port_file, sizeof port_file, "%s/status.port", daemon_.dir);
    snprintf(args, sizeof args,
             "--json watch --auto --challenge-with %s --data-dir %s/watcher --poll-ms 100 "
             "--status-port 0 --status-port-file %s",
             dev_key_hex(5), daemon_.dir, port_file);
    pid_t pid = spawn_cli(args, "watch.log");
    uint16_t port = 0;
    int status = 0;
    if (tu_wait_port_file(port_file, pid, 30, &port, &status) != 1)
        fail_msg("the watcher did not serve its status (log %s/cli.log)", daemon_.dir);
    snprintf(log, sizeof log, "%s/watch.log", daemon_.dir);
    uint64_t verified = 0;
    for (double t0 = it_now(); !watcher_status(port, &verified) || verified < 1000;) {
        if (it_now() - t0 > 30)
            fail_msg("the watcher did not verify block 1000 (log %s/cli.log)", daemon_.dir);
        it_sleep_ms(50);
    }

    plasma_u256 a5_before = on_chain(5);
    json_decref(as(1, "exit --utxo %llu", (unsigned long long)d_eth));
    for (double t0 = it_now(); oe_exit(&chain, d_eth).state != PLASMA_EXIT_CHALLENGED;) {
        if (it_now() - t0 > 30)
            fail_msg("the watcher did not challenge the exit (log %s)", log);
        it_sleep_ms(50);
    }
    plasma_u256 a5_after = on_chain(5);
    assert_true(plasma_u256_cmp(&a5_after, &a5_before) > 0);
    for (double t0 = it_now(); !tu_file_contains(log, "\"invalid_exit\"");) {
        if (it_now() - t0 > 10)
            fail_msg("no invalid_exit report in %s", log);
        it_sleep_ms(50);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    stop();
}

/* The operator withholds block 2000 once it is on the contract: `plasma
 * watch --once --withholding-timeout 0 --exit-for` reports it by the
 * contract's clock and exits account 1's output of block 1000 with its own
 * proof, a real startStandardExit. */
static void test_watcher_withholding_on_eth(void **state)
{
    (void)state;
    start();
    char addr[43], body[64];
    plasma_addr a1 = eit_addr(1), a3 = eit_addr(3), a6 = eit_addr(6);
    json_decref(as(1, "deposit --amount 1eth"));
    json_decref(as(1, "send --to %s --amount 0.25eth --fee 1", plasma_addr_format(addr, &a3)));
    assert_int_equal(it_admin_seal(&daemon_), 1000);
    json_decref(as(3, "send --to %s --amount 0.1eth --fee 1", plasma_addr_format(addr, &a6)));
    assert_int_equal(it_admin_seal(&daemon_), 2000);
    oe_wait_submitted(&daemon_, 2000, 20);
    snprintf(body, sizeof body, "{\"blknum\": 2000}");
    it_resp r;
    assert_true(it_request(daemon_.port, "POST", "/admin/dev/withhold", body, strlen(body),
                           "application/json", "X-Admin-Token: s3cret\r\n", &r));
    assert_int_equal(r.status, 200);
    it_resp_free(&r);

    static char out[1 << 16];
    assert_int_equal(
        run_raw(out, sizeof out,
                "--json watch --once --withholding-timeout 0 --data-dir %s/watcher --exit-for %s",
                daemon_.dir, dev_key_hex(1)),
        0);
    bool reported = false;
    size_t started = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        assert_true(json_is_object(j));
        const char *ev = json_string_value(json_object_get(j, "event"));
        reported = reported || (!strcmp(ev, "block_withholding") && json_u64(j, "blknum") == 2000);
        started += !strcmp(ev, "exit_started") && json_is_true(json_object_get(j, "started"));
        json_decref(j);
    }
    assert_true(reported);
    assert_int_equal(started, 1);
    plasma_eth_exit_view x = oe_exit(&chain, plasma_utxo_pos(1000, 0, 1));
    assert_int_equal(x.state, PLASMA_EXIT_IN_PROGRESS);
    assert_true(plasma_addr_eq(&x.owner, &a1));
    plasma_u256 want = u(3 * ETH_WEI / 4 - 1);
    assert_u256(&x.amount, &want, "account 1's change, exited by the watcher");
    stop();
}

typedef struct reports {
    int reorgs;
    uint64_t ancestor;
} reports;

static void on_report(const json_t *ev, void *payload)
{
    reports *r = payload;
    if (strcmp(json_string_value(json_object_get(ev, "event")), "reorg") == 0) {
        r->reorgs++;
        r->ancestor = (uint64_t)json_integer_value(json_object_get(ev, "ancestor"));
    }
}

/* Steps the watcher until it verified blknum. */
static void step_until(plasma_watcher *w, plasma_client *c, uint64_t blknum)
{
    for (double t0 = it_now(); plasma_watcher_last_verified(w) != blknum;) {
        int rc = plasma_watcher_step(w);
        if (rc != 0)
            fail_msg("watcher step: %s (%s)", plasma_client_errmsg(c), plasma_err_code(rc));
        if (it_now() - t0 > 30)
            fail_msg("the watcher verified %llu, not %llu",
                     (unsigned long long)plasma_watcher_last_verified(w), (unsigned long long)blknum);
        it_sleep_ms(20);
    }
}

/* The watcher on anvil through a reorganisation made with evm_snapshot and
 * evm_revert: the deposit of the dropped blocks is forgotten (the store
 * takes back what came from them), the new chain's deposit of the same
 * block number replaces it, and the exits the watcher starts from its own
 * view show which one it kept. */
static void test_watcher_reorg_on_eth(void **state)
{
    (void)state;
    start();
    char addr[43], dir[200];
    plasma_addr a3 = eit_addr(3);
    json_decref(as(1, "deposit --amount 1eth"));
    json_decref(as(1, "send --to %s --amount 0.25eth --fee 1", plasma_addr_format(addr, &a3)));
    assert_int_equal(it_admin_seal(&daemon_), 1000);
    oe_wait_submitted(&daemon_, 1000, 20);

    char op[64];
    snprintf(op, sizeof op, "http://127.0.0.1:%u", daemon_.port);
    plasma_client_eth_config cfg = {anvil.url, chain.contract, 31337, 0, chain.deploy_block};
    plasma_client *c = NULL;
    char err[300];
    assert_int_equal(plasma_client_new_eth(&c, op, &cfg, err, sizeof err), 0);
    assert_string_equal(plasma_client_chain_kind(c), "eth");
    reports rep = {0, 0};
    plasma_watcher *w = NULL;
    assert_int_equal(plasma_watcher_new(&w, c, NULL, 600000, on_report, &rep), 0);
    snprintf(dir, sizeof dir, "%s/watcher", daemon_.dir);
    assert_int_equal(plasma_watcher_set_data_dir(w, dir), 0);
    step_until(w, c, 1000);

    /* Account 2's deposit, then the chain goes back to before it. */
    json_t *snap = eit_call(rpc, "evm_snapshot", "[]");
    char params[100];
    snprintf(params, sizeof params, "[\"%s\"]", json_string_value(snap));
    json_decref(snap);
    uint64_t before = eit_head(rpc);
    json_t *d = as(2, "deposit --amount 0.5eth");
    assert_int_equal(json_u64(d, "utxo_pos"), plasma_utxo_pos(1001, 0, 0));
    json_decref(d);
    step_until(w, c, 1001);
    uint64_t read_to = plasma_watcher_rootchain_block(w);
    assert_true(read_to > before + 1);
    json_t *ok = eit_call(rpc, "evm_revert", params);
    assert_true(json_is_true(ok));
    json_decref(ok);
    eit_mine(rpc, (unsigned)(read_to - before + 1)); /* the new chain is longer than the old one */
    for (double t0 = it_now(); rep.reorgs == 0;) {
        assert_int_equal(plasma_watcher_step(w), 0);
        if (it_now() - t0 > 30)
            fail_msg("the watcher saw no reorganisation");
        it_sleep_ms(20);
    }
    assert_true(rep.ancestor >= before && rep.ancestor < read_to);
    assert_int_equal(plasma_watcher_last_verified(w), 1000); /* the dropped deposit is forgotten */

    /* Account 3 deposits 0.3 ETH on the new chain: deposit block 1001 again. */
    d = as(3, "deposit --amount 0.3eth");
    assert_int_equal(json_u64(d, "utxo_pos"), plasma_utxo_pos(1001, 0, 0));
    json_decref(d);
    step_until(w, c, 1001);

    /* From its own view: account 2 holds nothing, account 3 its payment
     * and the new deposit, which exit with the amounts of the new chain. */
    plasma_privkey k2 = eit_key(2), k3 = eit_key(3);
    size_t n = 99;
    assert_int_equal(plasma_watcher_exit_for(w, &k2, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(plasma_watcher_exit_for(w, &k3, &n), 0);
    assert_int_equal(n, 2);
    plasma_eth_exit_view x = oe_exit(&chain, plasma_utxo_pos(1001, 0, 0));
    assert_int_equal(x.state, PLASMA_EXIT_IN_PROGRESS);
    plasma_u256 want = u(3 * ETH_WEI / 10);
    assert_u256(&x.amount, &want, "the new deposit's exit");
    assert_true(plasma_addr_eq(&x.owner, &a3));
    assert_int_equal(oe_exit(&chain, plasma_utxo_pos(1000, 0, 0)).state, PLASMA_EXIT_IN_PROGRESS);
    plasma_watcher_free(w);

    /* The data dir reopens where the watcher left it. */
    assert_int_equal(plasma_watcher_new(&w, c, NULL, 600000, on_report, &rep), 0);
    assert_int_equal(plasma_watcher_set_data_dir(w, dir), 0);
    assert_int_equal(plasma_watcher_step(w), 0);
    assert_int_equal(plasma_watcher_last_verified(w), 1001);
    plasma_watcher_free(w);
    plasma_client_free(c);
    stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_watcher_challenges_on_eth, eit_group_setup, eit_group_teardown),
        cmocka_unit_test_setup_teardown(test_watcher_withholding_on_eth, eit_group_setup, eit_group_teardown),
        cmocka_unit_test_setup_teardown(test_watcher_reorg_on_eth, eit_group_setup, eit_group_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
