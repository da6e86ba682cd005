/* The `plasma` wallet CLI on a real Ethereum chain: anvil on a free
 * loopback port, PlasmaRootChain deployed by plasma-deploy, plasma-operator
 * --rootchain eth, and the real `plasma` binary with --rootchain eth --rpc
 * --contract. Deposits of ETH and of TestToken (the approve sent by the
 * CLI), a payment, standard exits (one challenged by the CLI), their
 * processing after evm_increaseTime and an in-flight exit with piggybacks,
 * every balance checked on chain. */
#include "op_eth_itest.h"

#include "cli_kit.h"

#define ETH_WEI 1000000000000000000ull

static const char *const dev_keys[10] = {
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    ALICE_KEY,
    BOB_KEY,
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
};

static oe_chain chain;
static char wallet_dir[128];

/* Starts the operator on a fresh deployment and points the CLI at both. */
static void start(void)
{
    chain = oe_deploy(anvil.url, "");
    oe_start_operator(&daemon_, anvil.url, &chain, NULL);
    char contract[43];
    snprintf(wallet_dir, sizeof wallet_dir, "%s/wallet", daemon_.dir);
    snprintf(base_args, sizeof base_args,
             "--operator http://127.0.0.1:%u --rootchain eth --rpc %s --contract %s --confirmations 0 "
             "--deploy-block %llu --wallet %s",
             daemon_.port, anvil.url, plasma_addr_format(contract, &chain.contract),
             (unsigned long long)chain.deploy_block, wallet_dir);
}

static void stop(void)
{
    it_stop(&daemon_);
    it_cleanup(&daemon_);
}

/* `plasma --json --key <account i> args`, asserting success. */
static json_t *as(int i, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static json_t *as(int i, const char *fmt, ...)
{
    char args[1024], line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "--key %s %s", dev_keys[i], args);
    return run_ok(line);
}

/* `plasma --json --key <account i> args` must fail with code (exit status
 * 2 for a usage error, else 1). */
static void as_fails(int i, const char *code, const char *args)
{
    char out[4096];
    int rc = run_raw(out, sizeof out, "--json --key %s %s", dev_keys[i], args);
    json_t *j = json_loads(out, 0, NULL);
    const char *got = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    if (rc != (strcmp(code, "usage") == 0 ? 2 : 1) || !got || strcmp(got, code) != 0)
        fail_msg("plasma %s: want %s, got exit %d: %s", args, code, rc, out);
    json_decref(j);
}

static plasma_u256 add_u(plasma_u256 a, const plasma_u256 *b)
{
    assert_int_equal(plasma_u256_add(&a, &a, b), 0);
    return a;
}

static plasma_u256 on_chain(int i)
{
    plasma_addr a = eit_addr(i);
    return eit_balance(rpc, &a);
}

static void pass_exit_period(void)
{
    eit_call_void(rpc, "evm_increaseTime", "[10800]");
    eit_mine(rpc, 1);
}

/* Deposits, payments, exits, a challenge and processing, all from the CLI. */
static void test_wallet_on_eth(void **state)
{
    (void)state;
    start();
    char addr[43], tok[43];

    /* The start's checks: a wrong chain id or an address without the
     * contract is a configuration error, before anything is sent. */
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

/* --- the watcher --- */

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

static bool file_has(const char *path, const char *text)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    bool found = false;
    while (f && !found && fgets(line, sizeof line, f))
        found = strstr(line, text) != NULL;
    if (f)
        fclose(f);
    return found;
}

/* `plasma watch --auto --rootchain eth` sees account 1 exit an output it
 * spent and challenges the exit by itself, with account 5's key, which
 * earns the bond. */
static void test_watcher_challenges_on_eth(void **state)
{
    (void)state;
    start();
    char addr[43], args[600], log[200];
    plasma_addr a3 = eit_addr(3);
    json_t *d = as(1, "deposit --amount 1eth");
    uint64_t d_eth = json_u64(d, "utxo_pos");
    json_decref(d);
    json_decref(as(1, "send --to %s --amount 0.25eth --fee 1", plasma_addr_format(addr, &a3)));
    assert_int_equal(it_admin_seal(&daemon_), 1000);
    oe_wait_submitted(&daemon_, 1000, 20);

    uint16_t port = it_free_port();
    snprintf(args, sizeof args,
             "--json watch --auto --challenge-with %s --data-dir %s/watcher --poll-ms 100 "
             "--status-port %u",
             dev_keys[5], daemon_.dir, port);
    pid_t pid = spawn_cli(args, "watch.log");
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
    for (double t0 = it_now(); !file_has(log, "\"invalid_exit\"");) {
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
                daemon_.dir, dev_keys[1]),
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
        cmocka_unit_test_setup_teardown(test_wallet_on_eth, eit_group_setup, eit_group_teardown),
        cmocka_unit_test_setup_teardown(test_ife_on_eth, eit_group_setup, eit_group_teardown),
        cmocka_unit_test_setup_teardown(test_ife_challenge_respond_delete_on_eth, eit_group_setup,
                                        eit_group_teardown),
        cmocka_unit_test_setup_teardown(test_watcher_challenges_on_eth, eit_group_setup, eit_group_teardown),
        cmocka_unit_test_setup_teardown(test_watcher_withholding_on_eth, eit_group_setup, eit_group_teardown),
        cmocka_unit_test_setup_teardown(test_watcher_reorg_on_eth, eit_group_setup, eit_group_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
