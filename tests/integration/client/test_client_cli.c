/* The `plasma` CLI against a real `plasma-operator --dev` (embedded root
 * chain): deposits, multi-input / token / fee payments, balances that agree
 * between the operator, the CLI and the root chain, an invalid exit
 * challenged, honest exits processed, and exact root-chain balances. */
#include "cli_kit.h"

#define TOKEN "0x00000000000000000000000000000000000000aa"
/* Development account 3: only the output-form test touches it. */
#define CAROL_KEY "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"
#define CAROL "0x90f79bf6eb2c4f870365e785982e1f101e93b906"

static char keystore[128], wallet[160];

/* The CLI's balance of token for addr (0 when none). */
static plasma_u256 cli_balance(const char *addr, const char *token)
{
    char args[128];
    snprintf(args, sizeof args, "balance --address %s", addr);
    json_t *j = run_ok(args), *b;
    plasma_u256 total = {{0}};
    size_t i;
    json_array_foreach (json_object_get(j, "balances"), i, b) {
        if (strcmp(json_string_value(json_object_get(b, "token")), token) == 0)
            total = json_amount(b, "amount");
    }
    json_decref(j);
    return total;
}

/* Polls until the CLI shows want of token for addr. */
static void wait_balance(const char *addr, const char *token, plasma_u256 want)
{
    double deadline = it_now() + 15;
    for (;;) {
        plasma_u256 got = cli_balance(addr, token);
        if (plasma_u256_cmp(&got, &want) == 0)
            return;
        if (it_now() > deadline)
            assert_u256(&got, &want, "child-chain balance");
        it_sleep_ms(100);
    }
}

static int setup(void **state)
{
    (void)state;
    static const char *const extra[] = {"--dev", "--rc-block-interval-ms", "100", "--seal-interval-ms", "100",
                                        NULL};
    it_start(&daemon_, extra);
    snprintf(keystore, sizeof keystore, "%s/keystore", daemon_.dir);
    snprintf(base_args, sizeof base_args, "--operator http://127.0.0.1:%u --keystore %s --gas-price 0",
             daemon_.port, keystore);
    setenv("PLASMA_PASSWORD", "integration pw", 1);
    snprintf(wallet, sizeof wallet, "%s/wallet", daemon_.dir); /* never the user's own records */
    setenv("PLASMA_WALLET", wallet, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    it_stop(&daemon_);
    it_cleanup(&daemon_);
    return 0;
}

static void test_usage_errors(void **state)
{
    (void)state;
    static const char *const cmds[] = {"account", "deposit",   "balance",       "utxos",    "send",
                                       "exit",    "challenge", "process-exits", "rootchain"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        assert_int_equal(run(NULL, "%s --help >/dev/null", cmds[i]), 0);
    assert_int_equal(run(NULL, "no-such-command"), 2);
    assert_int_equal(run(NULL, "--key " ALICE_KEY " send --to " BOB " --amount 1.5"), 2); /* no unit */
    assert_int_equal(run(NULL, "--key " ALICE_KEY " send --amount 1"), 2);
    assert_int_equal(run(NULL, "--key 0x1234 balance"), 2);
    assert_int_equal(run(NULL, "--operator http://127.0.0.1:1 balance --address " BOB), 1);
    assert_int_equal(run(NULL, "balance"), 1); /* no key, empty keystore */
}

/* Runs a command that must fail with --json: exactly one JSON object
 * {"error": {"code", "message"}} on stdout, with want_code. Returns the
 * exit status. */
static int run_json_error(const char *want_code, const char *args)
{
    char out[4096];
    json_error_t jerr;
    int rc = run_raw(out, sizeof out, "--json %s", args);
    json_t *j = json_loads(out, 0, &jerr), *e = json_object_get(j, "error");
    if (!json_is_object(e) || json_object_size(j) != 1)
        fail_msg("plasma --json %s: not one error object: %s", args, out);
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *msg = json_string_value(json_object_get(e, "message"));
    if (!code || strcmp(code, want_code) != 0 || !msg || !msg[0] || strchr(msg, '\n'))
        fail_msg("plasma --json %s: want code %s, got %s", args, want_code, out);
    json_decref(j);
    return rc;
}

/* Errors carry a code of the one vocabulary, and the exit status follows
 * it; results print as text by default and as one JSON object with --json. */
static void test_output_forms(void **state)
{
    (void)state;
    char out[8192];
    assert_int_equal(run_json_error("usage", "no-such-command"), 2);
    assert_int_equal(run_json_error("usage", ""), 2);
    assert_int_equal(run_json_error("usage", "--key " ALICE_KEY " send --to"), 2);
    assert_int_equal(run_json_error("usage", "--key " ALICE_KEY " deposit --amount 1 --timeout 0"), 2);
    assert_int_equal(run_json_error("usage", "rootchain"), 2);
    assert_int_equal(run_json_error("usage", "rootchain block"), 2);
    assert_int_equal(run_json_error("usage", "watch --status-port-file /nonexistent/port"), 2);
    assert_int_equal(run_json_error("usage", "watch --status-port 65536"), 2);
    assert_int_equal(run_json_error("block_not_found", "rootchain block 999"), 1);
    assert_int_equal(run_json_error("unavailable", "--operator http://127.0.0.1:1 balance --address " BOB),
                     1);
    assert_int_equal(run_json_error("not_found", "--keystore /nonexistent balance"), 1); /* no key at all */
    assert_int_equal(run_json_error("io", "account import /nonexistent/file"), 1);
    /* The environment names the peers; a flag wins over it. */
    setenv("PLASMA_ROOTCHAIN", "http://127.0.0.1:1", 1);
    assert_int_equal(run_json_error("unavailable", "rootchain status"), 1);
    unsetenv("PLASMA_ROOTCHAIN");
    setenv("PLASMA_OPERATOR", "http://127.0.0.1:1", 1);
    json_decref(run_ok("rootchain status")); /* base_args has --operator */
    unsetenv("PLASMA_OPERATOR");
    /* Nothing at that position: refused at once, not waited for. */
    double t0 = it_now();
    assert_int_equal(run_json_error("utxo_not_found", "--key " CAROL_KEY " exit --utxo 999000000000"), 1);
    assert_true(it_now() - t0 < 5);

    /* Every query prints text by default, one JSON object with --json. */
    static const char *const queries[] = {"rootchain status",
                                          "rootchain block 1",
                                          "rootchain exits",
                                          "rootchain balance --address " CAROL,
                                          "balance --address " CAROL,
                                          "utxos --address " CAROL,
                                          "account list"};
    json_decref(run_ok("--key " CAROL_KEY " deposit --amount 1gwei"));
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        assert_int_equal(run_raw(out, sizeof out, "%s", queries[i]), 0);
        if (!out[0] || out[0] == '{' || out[0] == '[')
            fail_msg("plasma %s: not text: %s", queries[i], out);
        json_t *j = run_ok(queries[i]);
        assert_true(json_is_object(j));
        json_decref(j);
    }
    assert_int_equal(run_raw(out, sizeof out, "rootchain status"), 0);
    assert_non_null(strstr(out, "chain id 31337"));
    assert_int_equal(run_raw(out, sizeof out, "balance --address " CAROL), 0);
    assert_non_null(strstr(out, "0.000000001 eth in 1 output(s)"));
}

/* An operator that never sees deposits in time (a finality margin of 1000
 * root-chain blocks): the deposit is made, the wait ends with timeout. */
static void test_deposit_timeout(void **state)
{
    (void)state;
    static const char *const extra[] = {"--dev", "--finality-margin", "1000", NULL};
    it_daemon slow;
    char args[256], saved[sizeof base_args];
    it_start(&slow, extra);
    snprintf(saved, sizeof saved, "%s", base_args);
    snprintf(base_args, sizeof base_args, "--operator http://127.0.0.1:%u --gas-price 0", slow.port);
    double t0 = it_now();
    assert_int_equal(run_json_error("timeout", "--key " ALICE_KEY " deposit --amount 1eth --timeout 1"), 1);
    assert_true(it_now() - t0 < 10);
    /* The deposit itself is on the root chain. */
    json_t *b = run_ok("rootchain block 1");
    assert_true(json_is_true(json_object_get(b, "is_deposit")));
    assert_string_equal(json_string_value(json_object_get(b, "depositor")), ALICE);
    json_decref(b);
    /* --no-wait returns once it is mined, and says it did not wait. */
    json_t *d = run_ok("--key " ALICE_KEY " deposit --amount 1eth --no-wait");
    assert_int_equal(json_u64(d, "blknum"), 2);
    assert_true(json_is_false(json_object_get(d, "spendable")));
    json_decref(d);
    /* On a terminal (script(1) gives it one) the wait shows a progress line. */
    char cmd[1024], out[4096];
    snprintf(cmd, sizeof cmd,
             "script -qec '%s %s --key " ALICE_KEY " deposit --amount 1 --timeout 2' /dev/null 2>&1",
             PLASMA_CLI_BIN, base_args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    out[fread(out, 1, sizeof out - 1, p)] = '\0';
    int st = pclose(p);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    if (!strstr(out, "waiting for the operator to see output 3000000000… 1 s"))
        fail_msg("no progress line on a terminal: %s", out);
    snprintf(args, sizeof args, "utxos --address %s", ALICE);
    json_t *u = run_ok(args);
    assert_int_equal(json_array_size(json_object_get(u, "utxos")), 0);
    json_decref(u);
    snprintf(base_args, sizeof base_args, "%s", saved);
    it_stop(&slow);
    it_cleanup(&slow);
}

/* Imports Alice's key into the keystore; later commands use --account. */
static void import_alice(void)
{
    json_t *j = run_ok("account import --key " ALICE_KEY " --scrypt-n 16");
    assert_string_equal(json_string_value(json_object_get(j, "address")), ALICE);
    json_decref(j);
    j = run_ok("account list");
    assert_int_equal(json_array_size(json_object_get(j, "accounts")), 3);
    json_decref(j);
    j = run_ok("--account " ALICE " account export --private-key");
    assert_string_equal(json_string_value(json_object_get(j, "private_key")), ALICE_KEY);
    json_decref(j);
    setenv("PLASMA_PASSWORD", "wrong", 1);
    assert_int_equal(run(NULL, "--account " ALICE " balance"), 1);
    setenv("PLASMA_PASSWORD", "integration pw", 1);
}

/* A keystore made by another wallet imports; a new account is created. */
static void test_accounts(void **state)
{
    (void)state;
    setenv("PLASMA_PASSWORD", "correct horse battery staple", 1);
    json_t *j = run_ok("account import " PLASMA_KEYSTORE_FIXTURES "/ethers-v3.json");
    assert_string_equal(json_string_value(json_object_get(j, "address")),
                        "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23");
    json_decref(j);
    assert_int_equal(run(NULL, "account import /nonexistent/file"), 1);
    setenv("PLASMA_PASSWORD", "integration pw", 1);
    assert_int_equal(run(NULL, "account import " PLASMA_KEYSTORE_FIXTURES "/ethers-v3.json"),
                     1); /* wrong pw */
    j = run_ok("account new --scrypt-n 16");
    char addr[43];
    snprintf(addr, sizeof addr, "%s", json_string_value(json_object_get(j, "address")));
    json_decref(j);
    j = run_ok("account list");
    assert_int_equal(json_array_size(json_object_get(j, "accounts")), 2);
    json_decref(j);
    assert_int_equal(run(NULL, "balance"), 2); /* two accounts: --account needed */
    char args[128];
    snprintf(args, sizeof args, "--account %s balance", addr);
    j = run_ok(args);
    assert_int_equal(json_array_size(json_object_get(j, "balances")), 0);
    json_decref(j);
}

static void mint_token(void)
{
    plasma_rootchain_client *rc;
    char url[96];
    plasma_addr a, t;
    plasma_u256 v = u(500);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/rootchain", daemon_.port);
    assert_int_equal(plasma_rootchain_client_new(&rc, url, 10000), 0);
    plasma_addr_parse(&a, ALICE);
    plasma_addr_parse(&t, TOKEN);
    assert_int_equal(plasma_rootchain_client_dev_mint(rc, &a, &t, &v), 0);
    plasma_rootchain_client_free(rc);
}

static uint64_t deposit(const char *args)
{
    json_t *j = run_ok(args);
    uint64_t pos = json_u64(j, "utxo_pos");
    assert_int_equal(pos, json_u64(j, "blknum") * PLASMA_POS_BLOCK);
    json_decref(j);
    return pos;
}

static plasma_u256 exit_bond(void)
{
    json_t *j = run_ok("rootchain status");
    plasma_u256 b = json_amount(j, "exit_bond");
    json_decref(j);
    return b;
}

static void test_full_cycle(void **state)
{
    (void)state;
    import_alice();
    mint_token();
    plasma_u256 bond = exit_bond();
    plasma_u256 alice_eth0 = rc_balance(ALICE, ETH), bob_eth0 = rc_balance(BOB, ETH);

    /* Three deposits: two of ETH, one of the token. */
    uint64_t d1 = deposit("--account " ALICE " deposit --amount 1eth");
    /* The deposit returned once its output was spendable: listed at once. */
    json_t *listed = run_ok("utxos --address " ALICE);
    assert_int_equal(json_array_size(json_object_get(listed, "utxos")), 1);
    assert_int_equal(json_u64(json_array_get(json_object_get(listed, "utxos"), 0), "utxo_pos"), d1);
    json_decref(listed);
    deposit("--account " ALICE " deposit --amount 2eth");
    deposit("--account " ALICE " deposit --amount 500 --token " TOKEN);
    wait_balance(ALICE, ETH, u(3 * E18));
    wait_balance(ALICE, TOKEN, u(500));

    /* Multi-input ETH payment with change and a fee; then a token payment
     * whose fee is paid in ETH. */
    json_t *s1 = run_ok("--account " ALICE " send --to " BOB " --amount 2.5eth --fee 1gwei");
    assert_int_equal(json_u64(s1, "blknum") % PLASMA_CHILD_BLOCK_INTERVAL, 0);
    json_decref(s1);
    json_t *s2 = run_ok("--account " ALICE " send --to " BOB " --amount 200 --token " TOKEN
                        " --fee 1000 --fee-token " ETH);
    json_decref(s2);
    json_t *s3 = run_ok("--key " BOB_KEY " send --to " BOB " --amount 1eth");
    json_decref(s3);

    plasma_u256 alice_eth = u(E18 / 2 - 1000000000ull - 1000);
    wait_balance(ALICE, ETH, alice_eth);
    wait_balance(ALICE, TOKEN, u(300));
    wait_balance(BOB, ETH, u(5 * E18 / 2));
    wait_balance(BOB, TOKEN, u(200));

    /* The operator's view through the library agrees with the CLI. */
    plasma_client *c;
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", daemon_.port);
    assert_int_equal(plasma_client_new(&c, url, NULL), 0);
    plasma_client_utxo *utxos = NULL;
    plasma_client_balance *bal = NULL;
    size_t n = 0, nb = 0;
    plasma_addr bob;
    plasma_addr_parse(&bob, BOB);
    assert_int_equal(plasma_client_utxos(c, &bob, &utxos, &n), 0);
    assert_int_equal(plasma_client_balances(&bal, &nb, utxos, n), 0);
    assert_int_equal(nb, 2);
    plasma_u256 want = u(5 * E18 / 2);
    assert_u256(&bal[0].amount, &want, "operator: Bob's ETH");
    free(bal);
    free(utxos);

    /* The root chain holds exactly what was deposited. */
    json_t *st = run_ok("rootchain status");
    char contract[64];
    snprintf(contract, sizeof contract, "%s", json_string_value(json_object_get(st, "contract")));
    json_decref(st);
    plasma_u256 c_eth = rc_balance(contract, ETH), c_tok = rc_balance(contract, TOKEN);
    want = u(3 * E18);
    assert_u256(&c_eth, &want, "contract ETH");
    want = u(500);
    assert_u256(&c_tok, &want, "contract token");

    /* The CLI's utxo objects mirror the operator API's, owner included. */
    json_t *status = NULL;
    size_t i;
    json_t *o;
    assert_int_equal(run(&status, "--json --key " BOB_KEY " utxos"), 0);
    assert_true(json_array_size(json_object_get(status, "utxos")) > 0);
    json_array_foreach (json_object_get(status, "utxos"), i, o) {
        assert_string_equal(json_string_value(json_object_get(o, "owner")), BOB);
    }
    json_decref(status);

    /* No waiting here for the payment blocks to reach the root chain: exit
     * waits for them itself. */
    /* Alice exits her spent first deposit; Bob challenges it and wins the bond. */
    char args[256];
    snprintf(args, sizeof args, "--account " ALICE " exit --utxo %llu", (unsigned long long)d1);
    json_t *bad = run_ok(args);
    json_decref(bad);
    snprintf(args, sizeof args, "--key " BOB_KEY " challenge --exit-id %llu", (unsigned long long)d1);
    json_t *ch = run_ok(args);
    assert_true(json_is_true(json_object_get(ch, "challenged")));
    json_decref(ch);
    assert_int_equal(run(NULL, "--key %s challenge --exit-id %llu", BOB_KEY, (unsigned long long)d1), 1);

    /* Honest exits of everything both hold. */
    json_t *ea = run_ok("--account " ALICE " exit --all");
    assert_true(json_is_object(ea));
    assert_int_equal(json_array_size(json_object_get(ea, "exits")), 2);
    json_decref(ea);
    json_t *eb = run_ok("--key " BOB_KEY " exit --all");
    size_t bob_exits = json_array_size(json_object_get(eb, "exits"));
    json_decref(eb);
    assert_true(bob_exits >= 2);
    assert_int_equal(run(NULL, "--key " BOB_KEY " --json process-exits >/dev/null"), 0); /* not yet mature */

    json_t *adv = run_ok("rootchain advance-time 100000");
    json_decref(adv);
    json_t *mined = run_ok("rootchain mine 2");
    json_decref(mined);
    json_t *pe = run_ok("--key " BOB_KEY " process-exits --max 20");
    uint64_t paid_eth = json_u64(pe, "processed");
    json_decref(pe);
    json_t *pt = run_ok("--key " BOB_KEY " process-exits --max 20 --token " TOKEN);
    uint64_t paid_tok = json_u64(pt, "processed");
    json_decref(pt);
    assert_int_equal(paid_eth + paid_tok, 2 + bob_exits);

    /* Exact root-chain balances (gas price 0): Alice lost one bond to Bob. */
    plasma_u256 a_eth = rc_balance(ALICE, ETH), b_eth = rc_balance(BOB, ETH);
    plasma_u256 a_want, b_want;
    plasma_u256 dep = u(3 * E18);
    assert_int_equal(plasma_u256_sub(&a_want, &alice_eth0, &dep), 0);
    assert_int_equal(plasma_u256_add(&a_want, &a_want, &alice_eth), 0);
    assert_int_equal(plasma_u256_sub(&a_want, &a_want, &bond), 0);
    want = u(5 * E18 / 2);
    assert_int_equal(plasma_u256_add(&b_want, &bob_eth0, &want), 0);
    assert_int_equal(plasma_u256_add(&b_want, &b_want, &bond), 0);
    assert_u256(&a_eth, &a_want, "Alice's root-chain ETH");
    assert_u256(&b_eth, &b_want, "Bob's root-chain ETH");
    plasma_u256 a_tok = rc_balance(ALICE, TOKEN), b_tok = rc_balance(BOB, TOKEN);
    want = u(300);
    assert_u256(&a_tok, &want, "Alice's root-chain token");
    want = u(200);
    assert_u256(&b_tok, &want, "Bob's root-chain token");
    /* The contract keeps only the operator's unexited fees. */
    c_eth = rc_balance(contract, ETH);
    want = u(1000000000ull + 1000);
    assert_u256(&c_eth, &want, "contract ETH after exits");
    plasma_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_errors),    cmocka_unit_test(test_accounts),
        cmocka_unit_test(test_full_cycle),      cmocka_unit_test(test_output_forms),
        cmocka_unit_test(test_deposit_timeout),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
