/* `plasma watch` against a real `plasma-operator --dev` (embedded root
 * chain): an honest chain gives no report; a user exits an output it has
 * already spent, the watcher reports and challenges it, the exit is never
 * paid and the challenger holds the bond (exact root-chain balances).
 * Then the real operator cheating through its development switches: it
 * steals an output and withholds the block; the `plasma watch --exit-for`
 * runs recover every honest output and the theft is never paid.
 * Then the watcher library against a cheating in-process operator beside
 * an in-process root chain: a theft tx, a block that does not match its
 * root, a withheld block; honest funds held before it exit with the
 * watcher's own proofs and are paid. */
#include "cli_kit.h"
#include "plasma/http.h"

#include <leveldb/c.h>

#define CAROL_KEY "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"
#define OP_KEY "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
#define OP "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
#define ADMIN_TOKEN "watch-test-token"
#define CAROL "0x90f79bf6eb2c4f870365e785982e1f101e93b906"

/* A data dir no watcher used before, under base (the daemon's dir). */
static const char *fresh_dir(const char *base)
{
    static char dir[512];
    static unsigned n;
    snprintf(dir, sizeof dir, "%s/watcher-%u", base, ++n);
    return dir;
}

/* Runs `watch --once` with extra args (a fresh watcher unless they name a
 * --data-dir). Out: the JSON reports printed, one per line, in an array
 * (caller decrefs). */
static json_t *watch_once(const char *extra)
{
    static char buf[1 << 20];
    json_t *arr = json_array();
    int rc = run_raw(buf, sizeof buf, "--json watch --once --withholding-timeout 5 %s%s %s",
                     strstr(extra, "--data-dir") ? "" : "--data-dir ",
                     strstr(extra, "--data-dir") ? "" : fresh_dir(daemon_.dir), extra);
    assert_int_equal(rc, 0);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        if (!json_is_object(j))
            fail_msg("watch printed a line that is not a JSON object: %s", line);
        json_array_append_new(arr, j);
    }
    return arr;
}

/* Runs `plasma watch --status-port` in the background until GET /status
 * shows last_verified ≥ blknum; returns that status (caller decrefs). */
static json_t *watch_status(uint64_t blknum)
{
    char cmd[2048], port_file[700];
    snprintf(port_file, sizeof port_file, "%s/status.port", daemon_.dir);
    unlink(port_file);
    snprintf(cmd, sizeof cmd,
             "exec %s %s watch --poll-ms 50 --status-port 0 --status-port-file %s --data-dir %s >/dev/null "
             "2>>%s/cli.log",
             PLASMA_CLI_BIN, base_args, port_file, fresh_dir(daemon_.dir), daemon_.dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    uint16_t port = 0;
    int status = 0;
    if (tu_wait_port_file(port_file, pid, 30, &port, &status) != 1) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        fail_msg("the watcher did not serve its status (log %s/cli.log)", daemon_.dir);
    }
    json_t *st = NULL;
    double deadline = it_now() + 15;
    while (!st && it_now() < deadline) {
        it_resp r = {0};
        if (it_request(port, "GET", "/status", NULL, 0, NULL, NULL, &r) && r.status == 200 && r.json &&
            json_integer_value(json_object_get(r.json, "last_verified")) >= (json_int_t)blknum)
            st = json_incref(r.json);
        it_resp_free(&r);
        if (!st)
            it_sleep_ms(50);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    if (!st)
        fail_msg("the watcher's status never showed block %llu verified", (unsigned long long)blknum);
    return st;
}

/* The CLI keeps its records of sent txs under the daemon's dir, never in
 * the user's home. */
static void use_wallet_dir(void)
{
    static char wallet[600];
    snprintf(wallet, sizeof wallet, "%s/wallet", daemon_.dir);
    setenv("PLASMA_WALLET", wallet, 1);
}

static int setup(void **state)
{
    (void)state;
    static const char *const extra[] = {"--dev", "--rc-block-interval-ms", "100",       "--seal-interval-ms",
                                        "100",   "--admin-token",          ADMIN_TOKEN, NULL};
    it_start(&daemon_, extra);
    snprintf(base_args, sizeof base_args,
             "--operator http://127.0.0.1:%u --keystore %s/keystore --gas-price 0", daemon_.port,
             daemon_.dir);
    use_wallet_dir();
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
    char buf[4096];
    assert_int_equal(run_raw(buf, sizeof buf, "watch --bogus"), 2);
    assert_int_equal(run_raw(buf, sizeof buf, "watch --poll-ms 0"), 2);
    assert_int_equal(run_raw(buf, sizeof buf, "watch --status-port 70000"), 2);
    assert_int_equal(run_raw(buf, sizeof buf, "watch --withholding-timeout"), 2);
    assert_int_equal(run_raw(buf, sizeof buf, "watch --cache-mb 0"), 2);
    assert_int_equal(run_raw(buf, sizeof buf, "watch --help"), 0);
    assert_non_null(strstr(buf, "invalid_exit"));
}

static uint64_t exit_state(uint64_t exit_id)
{
    plasma_rootchain_client *rc;
    plasma_exit_info info;
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/rootchain", daemon_.port);
    assert_int_equal(plasma_rootchain_client_new(&rc, url, 10000), 0);
    assert_int_equal(plasma_rootchain_client_exit(rc, exit_id, &info), 0);
    plasma_rootchain_client_free(rc);
    return info.state;
}

static void test_invalid_exit_challenged(void **state)
{
    (void)state;
    json_t *rs = run_ok("rootchain status");
    plasma_u256 bond = json_amount(rs, "exit_bond");
    uint64_t mep = json_u64(rs, "min_exit_period");
    assert_true(mep > 0);
    json_decref(rs);
    plasma_u256 alice0 = rc_balance(ALICE, ETH), carol0 = rc_balance(CAROL, ETH);

    /* Alice deposits 1 ETH and pays half of it to Bob, with a fee (the
     * block then ends with a fee transaction). */
    json_t *d = run_ok("--key " ALICE_KEY " deposit --amount 1eth");
    uint64_t dep = json_u64(d, "utxo_pos");
    json_decref(d);
    json_t *s = NULL;
    double deadline = it_now() + 15;
    char buf[65536];
    while (run_raw(buf, sizeof buf,
                   "--json --key " ALICE_KEY " send --to " BOB " --amount 0.5eth --fee 1gwei") != 0) {
        if (it_now() > deadline)
            fail_msg("the deposit never reached the operator");
        it_sleep_ms(100);
    }
    s = json_loads(buf, 0, NULL);
    uint64_t blk = json_u64(s, "blknum");
    json_decref(s);
    wait_submitted(blk);

    /* An honest chain: nothing to report. */
    json_t *r = watch_once("");
    assert_int_equal(json_array_size(r), 0);
    json_decref(r);
    char datadir_arg[256];
    snprintf(datadir_arg, sizeof datadir_arg, "--data-dir %s/watcher", daemon_.dir);
    r = watch_once(datadir_arg);
    assert_int_equal(json_array_size(r), 0);
    json_decref(r);
    json_t *st = watch_status(blk);
    assert_true(json_is_true(json_object_get(st, "trusted")));
    assert_true(json_integer_value(json_object_get(st, "head")) > 0);
    assert_int_equal(json_array_size(json_object_get(st, "events")), 0);
    json_decref(st);

    /* Alice exits the deposit she spent; the watcher challenges it. */
    char args[256];
    snprintf(args, sizeof args, "--key " ALICE_KEY " exit --utxo %llu", (unsigned long long)dep);
    json_decref(run_ok(args));
    r = watch_once("");
    assert_int_equal(json_array_size(r), 1);
    assert_false(json_is_true(json_object_get(json_array_get(r, 0), "challenged")));
    json_decref(r);
    /* Resumed from its data dir, a watcher reads only the new events and
     * knows the spend from the blocks it stored. */
    r = watch_once(datadir_arg);
    assert_int_equal(json_array_size(r), 1);
    assert_int_equal(json_u64(json_array_get(r, 0), "spent_in"), blk);
    json_decref(r);
    r = watch_once(datadir_arg);
    assert_int_equal(json_array_size(r), 0);
    json_decref(r);

    /* Left unchallenged past half its exit period, it is reported again. */
    snprintf(args, sizeof args, "rootchain advance-time %llu", (unsigned long long)(mep * 6 / 10));
    json_decref(run_ok(args));
    json_decref(run_ok("rootchain mine 1"));
    r = watch_once("");
    assert_int_equal(json_array_size(r), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(r, 1), "event")),
                        "unchallenged_exit");
    assert_int_equal(json_u64(json_array_get(r, 1), "exit_id"), dep);
    json_decref(r);

    r = watch_once("--challenge-with " CAROL_KEY);
    assert_int_equal(json_array_size(r), 1);
    json_t *ev = json_array_get(r, 0);
    assert_string_equal(json_string_value(json_object_get(ev, "event")), "invalid_exit");
    assert_int_equal(json_u64(ev, "exit_id"), dep);
    assert_int_equal(json_u64(ev, "spent_in"), blk);
    assert_string_equal(json_string_value(json_object_get(ev, "owner")), ALICE);
    assert_true(json_is_true(json_object_get(ev, "challenged")));
    json_decref(r);
    assert_int_equal(exit_state(dep), PLASMA_EXIT_CHALLENGED);

    /* A second watcher still reports it; it can no longer be challenged. */
    r = watch_once("--challenge-with " CAROL_KEY);
    assert_int_equal(json_array_size(r), 1);
    assert_false(json_is_true(json_object_get(json_array_get(r, 0), "challenged")));
    json_decref(r);

    /* After the exit period the exit is not paid; Carol holds the bond. */
    json_decref(run_ok("rootchain advance-time 100000"));
    json_decref(run_ok("rootchain mine 2"));
    json_t *pe = run_ok("--key " CAROL_KEY " process-exits --max 20");
    assert_int_equal(json_u64(pe, "processed"), 0);
    json_decref(pe);
    assert_int_equal(exit_state(dep), PLASMA_EXIT_CHALLENGED);
    plasma_u256 a = rc_balance(ALICE, ETH), c = rc_balance(CAROL, ETH), want;
    plasma_u256 one = u(E18);
    assert_int_equal(plasma_u256_sub(&want, &alice0, &one), 0);
    assert_int_equal(plasma_u256_sub(&want, &want, &bond), 0);
    assert_u256(&a, &want, "Alice's root-chain ETH");
    assert_int_equal(plasma_u256_add(&want, &carol0, &bond), 0);
    assert_u256(&c, &want, "Carol's root-chain ETH");
}

/* --- the real operator cheating through its development switches --- */

static it_resp admin_post(const char *path, const char *body, bool with_token)
{
    it_resp r = {0};
    if (!it_request(daemon_.port, "POST", path, body, strlen(body), "application/json",
                    with_token ? "X-Admin-Token: " ADMIN_TOKEN "\r\n" : NULL, &r))
        fail_msg("POST %s: no response", path);
    return r;
}

/* Sum of the unspent outputs of owner; *first gets the position of one. */
static plasma_u256 child_balance(const char *owner, uint64_t *first)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/utxos?owner=%s", owner);
    it_resp r = it_get(&daemon_, path);
    assert_int_equal(r.status, 200);
    json_t *list = json_object_get(r.json, "utxos");
    plasma_u256 sum = u(0);
    for (size_t i = 0; i < json_array_size(list); i++) {
        plasma_u256 a = json_amount(json_array_get(list, i), "amount");
        assert_int_equal(plasma_u256_add(&sum, &sum, &a), 0);
        if (first && i == 0)
            *first = json_u64(json_array_get(list, i), "utxo_pos");
    }
    it_resp_free(&r);
    return sum;
}

/* Carol deposits 1 ETH and pays 0.5 ETH of it to Bob; returns the block. */
static uint64_t honest_payments(void)
{
    json_decref(run_ok("--key " CAROL_KEY " deposit --amount 1eth"));
    char buf[65536];
    double deadline = it_now() + 15;
    while (run_raw(buf, sizeof buf,
                   "--json --key " CAROL_KEY " send --to " BOB " --amount 0.5eth --fee 1gwei") != 0) {
        if (it_now() > deadline)
            fail_msg("the deposit never reached the operator");
        it_sleep_ms(100);
    }
    json_t *s = json_loads(buf, 0, NULL);
    uint64_t blk = json_u64(s, "blknum");
    json_decref(s);
    wait_submitted(blk);
    return blk;
}

/* The operator's signed payment of the whole output at pos (less 1 wei of
 * fee) to itself, as a 0x string. */
static void theft_tx(char *hex, uint64_t pos, const plasma_u256 *amount)
{
    plasma_client *c;
    plasma_rootchain_status st;
    plasma_domain domain;
    plasma_privkey key;
    plasma_tx tx;
    plasma_buf b = {0};
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", daemon_.port);
    assert_int_equal(plasma_client_new(&c, url, NULL), 0);
    assert_int_equal(plasma_rootchain_client_status(plasma_client_rootchain(c), &st), 0);
    plasma_client_free(c);
    plasma_domain_init(&domain, st.chain_id, &st.contract);
    assert_int_equal(plasma_dev_key(&key, 0), 0);
    memset(&tx, 0, sizeof tx);
    tx.tx_type = PLASMA_TX_PAYMENT;
    tx.n_inputs = 1;
    tx.inputs[0] = pos;
    tx.n_outputs = 1;
    plasma_u256 one = u(1);
    assert_int_equal(plasma_dev_addr(&tx.outputs[0].owner, 0), 0);
    assert_int_equal(plasma_u256_sub(&tx.outputs[0].amount, amount, &one), 0);
    assert_int_equal(plasma_tx_sign_input(&tx, &domain, 0, &key), 0);
    assert_int_equal(plasma_tx_encode_signed(&b, &tx), 0);
    plasma_hex_encode(hex, b.data, b.len);
    plasma_buf_free(&b);
}

/* The operator takes Bob's output at pos in a new block, exits it while it
 * still holds the proof, then withholds the block. Returns the theft's
 * output position. */
static uint64_t steal_and_withhold(uint64_t pos, const plasma_u256 *amount)
{
    char hex[4096], body[4200], args[128];
    theft_tx(hex, pos, amount);
    snprintf(body, sizeof body, "{\"tx\": \"%s\"}", hex);
    it_resp r = it_post(&daemon_, "/v1/transactions", body);
    it_assert_error(r, 403, "unauthorized_spend");
    it_resp_free(&r);
    r = admin_post("/admin/dev/steal", body, false);
    it_assert_error(r, 401, "unauthorized");
    it_resp_free(&r);
    r = admin_post("/admin/dev/steal", body, true);
    assert_int_equal(r.status, 200);
    uint64_t blk = json_u64(r.json, "blknum");
    uint64_t theft = plasma_utxo_pos(blk, json_u64(r.json, "txindex"), 0);
    it_resp_free(&r);
    wait_submitted(blk);
    snprintf(args, sizeof args, "--key " OP_KEY " exit --utxo %llu", (unsigned long long)theft);
    json_decref(run_ok(args));
    snprintf(body, sizeof body, "{\"blknum\": %llu}", (unsigned long long)blk);
    r = admin_post("/admin/dev/withhold", body, true);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    snprintf(args, sizeof args, "/v1/blocks/%llu", (unsigned long long)blk);
    r = it_get(&daemon_, args);
    it_assert_error(r, 404, "not_found");
    it_resp_free(&r);
    snprintf(args, sizeof args, "/v1/utxos/%llu/exit-data", (unsigned long long)theft);
    r = it_get(&daemon_, args);
    it_assert_error(r, 404, "not_found");
    it_resp_free(&r);
    return theft;
}

/* `watch --once --withholding-timeout 0 --exit-for key`: asserts that the
 * withheld block is reported; returns how many exits it started. */
static size_t watch_exit_for(const char *key, uint64_t withheld)
{
    static char buf[1 << 20];
    int rc =
        run_raw(buf, sizeof buf, "--json watch --once --withholding-timeout 0 --data-dir %s --exit-for %s",
                fresh_dir(daemon_.dir), key);
    assert_int_equal(rc, 0);
    size_t started = 0;
    bool reported = false;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        assert_true(json_is_object(j));
        const char *ev = json_string_value(json_object_get(j, "event"));
        if (ev && (!strcmp(ev, "block_withholding") || !strcmp(ev, "invalid_block")))
            reported = reported || json_u64(j, "blknum") == withheld;
        if (ev && !strcmp(ev, "exit_started") && json_is_true(json_object_get(j, "started")))
            started++;
        json_decref(j);
    }
    assert_true(reported);
    return started;
}

/* Processes exits one queue entry at a time until one fails or, unless
 * through_skipped (challenged exits pop without paying), none is paid. */
static size_t process_exits_upto(size_t max, bool through_skipped)
{
    size_t paid = 0;
    char buf[65536];
    for (size_t i = 0; i < max; i++) {
        if (run_raw(buf, sizeof buf, "--json --key " CAROL_KEY " process-exits --max 1") != 0)
            break;
        json_t *j = json_loads(buf, 0, NULL);
        uint64_t n = json_u64(j, "processed");
        json_decref(j);
        if (n == 0 && !through_skipped)
            break;
        paid += n;
    }
    return paid;
}

static size_t process_all_exits(size_t max)
{
    return process_exits_upto(max, false);
}

static void assert_recovered(const char *addr, const plasma_u256 *before, const plasma_u256 *held,
                             const plasma_u256 *spent, const char *what)
{
    plasma_u256 want, got = rc_balance(addr, ETH);
    assert_int_equal(plasma_u256_add(&want, before, held), 0);
    assert_int_equal(plasma_u256_sub(&want, &want, spent), 0);
    assert_u256(&got, &want, what);
}

static void test_dev_operator_cheats(void **state)
{
    (void)state;
    plasma_u256 alice0 = rc_balance(ALICE, ETH), bob0 = rc_balance(BOB, ETH), carol0 = rc_balance(CAROL, ETH);
    plasma_u256 zero = u(0), one_eth = u(E18);
    uint64_t blk = honest_payments();
    uint64_t bob_pos = 0;
    plasma_u256 alice_held = child_balance(ALICE, NULL), carol_held = child_balance(CAROL, NULL);
    plasma_u256 bob_held = child_balance(BOB, &bob_pos);
    assert_true(bob_pos != 0);
    char path[96];
    snprintf(path, sizeof path, "/v1/utxos/%llu", (unsigned long long)bob_pos);
    it_resp r = it_get(&daemon_, path);
    plasma_u256 stolen = json_amount(r.json, "amount");
    it_resp_free(&r);
    assert_true(plasma_pos_blknum(bob_pos) <= blk);

    uint64_t theft = steal_and_withhold(bob_pos, &stolen);
    size_t exits = watch_exit_for(ALICE_KEY, plasma_pos_blknum(theft)) +
                   watch_exit_for(BOB_KEY, plasma_pos_blknum(theft)) +
                   watch_exit_for(CAROL_KEY, plasma_pos_blknum(theft));
    assert_int_equal(exits, 4); /* Alice 1, Bob 2 (one now stolen), Carol 1 */
    plasma_u256 thief0 = rc_balance(OP, ETH);

    json_t *rs = run_ok("rootchain status");
    char args[96];
    snprintf(args, sizeof args, "rootchain advance-time %llu",
             (unsigned long long)(3 * json_u64(rs, "min_exit_period") + 10));
    json_decref(rs);
    json_decref(run_ok(args));
    json_decref(run_ok("rootchain mine 1"));
    /* The theft is processed last, out of an empty contract: finalized, its
     * payment deferred to a claim the contract cannot honour. */
    assert_int_equal(process_all_exits(exits + 3), exits + 1);
    assert_int_equal(exit_state(theft), PLASMA_EXIT_FINALIZED);

    plasma_u256 thief = rc_balance(OP, ETH);
    assert_u256(&thief, &thief0, "the thief's root-chain ETH");
    assert_recovered(ALICE, &alice0, &alice_held, &zero, "Alice's root-chain ETH");
    assert_recovered(BOB, &bob0, &bob_held, &zero, "Bob's root-chain ETH");
    assert_recovered(CAROL, &carol0, &carol_held, &one_eth, "Carol's root-chain ETH");
}

/* --- a cheating operator ------------------------------------------------ */

enum cheat { SERVE_THEFT, WITHHOLD, WRONG_TXS, FLAKY };

typedef struct fake_block {
    uint64_t blknum;
    char txs[2][2 * PLASMA_TX_MAX_RLP + 3];
    size_t n;
} fake_block;

static fake_block fblocks[2];
static enum cheat cheat_mode;
static int flaky_left; /* FLAKY: requests for block 2000 still to fail */

/* GET /v1/blocks/{blknum}: block 1000 honestly, block 2000 per cheat_mode
 * (FLAKY: unavailable flaky_left times, then as SERVE_THEFT). */
static void fake_get_block(void *ctx, const plasma_http_req *req, plasma_http_resp *resp)
{
    (void)ctx;
    uint64_t blknum = strtoull(req->params[0], NULL, 10);
    for (size_t i = 0; i < 2; i++) {
        if (fblocks[i].blknum != blknum)
            continue;
        if (blknum == 2000 && cheat_mode == WITHHOLD)
            break;
        if (blknum == 2000 && cheat_mode == FLAKY && flaky_left > 0) {
            flaky_left--;
            plasma_http_error(resp, PLASMA_ERR_UNAVAILABLE, NULL);
            return;
        }
        json_t *txs = json_array();
        size_t n = blknum == 2000 && cheat_mode == WRONG_TXS ? 0 : fblocks[i].n;
        for (size_t k = 0; k < n; k++)
            json_array_append_new(txs, json_string(fblocks[i].txs[k]));
        plasma_http_reply(resp, 200, json_pack("{s:I, s:o}", "blknum", (json_int_t)blknum, "txs", txs));
        return;
    }
    plasma_http_error(resp, PLASMA_ERR_NOT_FOUND, NULL);
}

static const plasma_http_route fake_routes[] = {
    {"GET", "/v1/blocks/{}", fake_get_block},
};

typedef struct cheat_env {
    plasma_rootnode *node;
    plasma_http_server *srv;
    plasma_client *c;
    plasma_domain domain;
    plasma_privkey keys[4]; /* 0 the operator (the thief), 1 Alice, 2 Bob, 3 Carol */
    plasma_addr addrs[4];
} cheat_env;

/* Signs every input of tx with key, puts it in fblocks[slot] at index
 * fblocks[slot].n and returns its leaf. */
static plasma_hash put_tx(cheat_env *e, size_t slot, plasma_tx *tx, const plasma_privkey *key)
{
    plasma_buf b = {0}, u = {0};
    plasma_hash leaf;
    for (unsigned i = 0; i < tx->n_inputs; i++)
        assert_int_equal(plasma_tx_sign_input(tx, &e->domain, i, key), 0);
    assert_int_equal(plasma_tx_encode_signed(&b, tx), 0);
    assert_int_equal(plasma_tx_encode_unsigned(&u, tx), 0);
    plasma_merkle_leaf(&leaf, u.data, u.len);
    plasma_hex_encode(fblocks[slot].txs[fblocks[slot].n++], b.data, b.len);
    plasma_buf_free(&b);
    plasma_buf_free(&u);
    return leaf;
}

static void submit_root(cheat_env *e, const plasma_hash *leaves, size_t n)
{
    plasma_call call;
    plasma_call_init(&call, PLASMA_CALL_SUBMIT_BLOCK, NULL, 0, 0, 0);
    assert_int_equal(plasma_merkle_root(&call.submit_block.root, leaves, n), 0);
    assert_int_equal(plasma_client_rc_call(e->c, &e->keys[0], &call, NULL), 0);
}

static void payment(plasma_tx *tx, uint64_t in, const plasma_addr *to, uint64_t amount,
                    const plasma_addr *change_to, uint64_t change)
{
    memset(tx, 0, sizeof *tx);
    tx->tx_type = PLASMA_TX_PAYMENT;
    tx->n_inputs = 1;
    tx->inputs[0] = in;
    tx->n_outputs = change ? 2 : 1;
    tx->outputs[0] = (plasma_output){.owner = *to, .amount = plasma_u256_from_u64(amount)};
    if (change)
        tx->outputs[1] = (plasma_output){.owner = *change_to, .amount = plasma_u256_from_u64(change)};
}

/* The root chain (of chain_id, 0: the default), the fake operator and a
 * client (gas price 0). */
static void env_start_chain(cheat_env *e, uint64_t chain_id)
{
    plasma_rootnode_config nc;
    plasma_http_mount mounts[2];
    plasma_http_config hc = {0};
    plasma_rootchain_status st;
    char url[64];
    plasma_rootnode_config_default(&nc);
    nc.dev = true;
    nc.mine_interval_ms = 20;
    if (chain_id)
        nc.chain.chain_id = chain_id;
    assert_int_equal(plasma_rootnode_new(&e->node, &nc), 0);
    plasma_rootnode_mount(e->node, "/rootchain", &mounts[0]);
    mounts[1] = (plasma_http_mount){"", fake_routes, 1, NULL};
    assert_int_equal(plasma_http_server_start(&e->srv, &hc, mounts, 2), 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%u", plasma_http_server_port(e->srv));
    assert_int_equal(plasma_client_new(&e->c, url, NULL), 0);
    plasma_client_set_gas_price(e->c, 0);
    assert_int_equal(plasma_rootchain_client_status(plasma_client_rootchain(e->c), &st), 0);
    plasma_domain_init(&e->domain, st.chain_id, &st.contract);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(plasma_dev_key(&e->keys[i], i), 0);
        assert_int_equal(plasma_dev_addr(&e->addrs[i], i), 0);
    }
    memset(fblocks, 0, sizeof fblocks);
    fblocks[0].blknum = 1000;
    fblocks[1].blknum = 2000;
    cheat_mode = SERVE_THEFT;
}

static void env_start(cheat_env *e)
{
    env_start_chain(e, 0);
}

static void deposit_as(cheat_env *e, unsigned who, uint64_t amount, uint64_t want_blknum)
{
    plasma_u256 v = plasma_u256_from_u64(amount);
    uint64_t blk = 0;
    assert_int_equal(plasma_client_deposit(e->c, &e->keys[who], &(plasma_addr){{0}}, &v, &blk, NULL), 0);
    assert_int_equal(blk, want_blknum);
}

/* Deposits by Alice (777, block 1) and Bob (500, block 2); block 1000:
 * Alice pays Bob 700; block 2000: the operator steals Bob's deposit. */
static void cheat_setup(cheat_env *e)
{
    plasma_tx tx;
    env_start(e);
    deposit_as(e, 1, 777, 1);
    deposit_as(e, 2, 500, 2);
    payment(&tx, plasma_utxo_pos(1, 0, 0), &e->addrs[2], 700, &e->addrs[1], 77);
    plasma_hash l1 = put_tx(e, 0, &tx, &e->keys[1]);
    submit_root(e, &l1, 1);
    payment(&tx, plasma_utxo_pos(2, 0, 0), &e->addrs[0], 500, NULL, 0);
    plasma_hash l2 = put_tx(e, 1, &tx, &e->keys[0]);
    submit_root(e, &l2, 1);
}

static void cheat_teardown(cheat_env *e)
{
    plasma_client_free(e->c);
    plasma_http_server_free(e->srv);
    plasma_rootnode_free(e->node);
}

typedef struct collected {
    json_t *events;
} collected;

static void collect(const json_t *ev, void *payload)
{
    collected *col = payload;
    json_array_append(col->events, (json_t *)ev);
}

/* A fresh watcher's verdict on the chain under mode: one report of event,
 * the operator distrusted after block 1000. The watcher is returned. */
static plasma_watcher *verdict(cheat_env *e, enum cheat mode, uint64_t timeout_ms, const char *event,
                               collected *col)
{
    plasma_watcher *w = NULL;
    cheat_mode = mode;
    json_array_clear(col->events);
    assert_int_equal(plasma_watcher_new(&w, e->c, NULL, timeout_ms, collect, col), 0);
    assert_int_equal(plasma_watcher_step(w), 0);
    if (!event) {
        assert_int_equal(json_array_size(col->events), 0);
        assert_true(plasma_watcher_trusted(w));
        return w;
    }
    assert_int_equal(json_array_size(col->events), 1);
    json_t *ev = json_array_get(col->events, 0);
    assert_string_equal(json_string_value(json_object_get(ev, "event")), event);
    assert_int_equal(json_integer_value(json_object_get(ev, "blknum")), 2000);
    assert_false(plasma_watcher_trusted(w));
    assert_int_equal(plasma_watcher_last_verified(w), 1000);
    return w;
}

/* `plasma watch --once --exit-for key` against the cheating operator:
 * the withheld block, then Alice's one honest output exiting. */
static void cli_exit_for(cheat_env *e, const char *key)
{
    char cmd[2048], buf[65536];
    snprintf(cmd, sizeof cmd,
             "%s --operator http://127.0.0.1:%u --gas-price 0 --json watch --once --withholding-timeout 0 "
             "--data-dir %s --exit-for %s 2>/dev/null",
             PLASMA_CLI_BIN, plasma_http_server_port(e->srv), fresh_dir(daemon_.dir), key);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    assert_int_equal(pclose(p), 0);
    char *second = strchr(buf, '\n');
    assert_non_null(second);
    *second++ = '\0';
    json_t *a = json_loads(buf, 0, NULL), *b = json_loads(second, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(a, "event")), "block_withholding");
    assert_string_equal(json_string_value(json_object_get(b, "event")), "exit_started");
    assert_int_equal(json_u64(b, "utxo_pos"), plasma_utxo_pos(1000, 0, 1));
    assert_true(json_is_true(json_object_get(b, "started")));
    json_decref(a);
    json_decref(b);
}

/* who starts the exit of output 0 of tx at pos, the only tx of its block,
 * with a proof built here (the operator is not asked). */
static void start_exit_raw(cheat_env *e, unsigned who, uint64_t pos, const plasma_tx *tx)
{
    plasma_buf u = {0};
    plasma_hash leaf;
    plasma_merkle *tree = NULL;
    plasma_rootchain_status st;
    plasma_call call;
    assert_int_equal(plasma_tx_encode_unsigned(&u, tx), 0);
    plasma_merkle_leaf(&leaf, u.data, u.len);
    assert_int_equal(plasma_merkle_build(&tree, &leaf, 1), 0);
    plasma_call_init(&call, PLASMA_CALL_START_EXIT, NULL, 0, 0, 0);
    assert_int_equal(plasma_merkle_proof(call.start_exit.proof, tree, 0), 0);
    memcpy(call.start_exit.tx, u.data, u.len);
    call.start_exit.tx_len = u.len;
    call.start_exit.utxo_pos = pos;
    assert_int_equal(plasma_rootchain_client_status(plasma_client_rootchain(e->c), &st), 0);
    call.start_exit.bond = st.exit_bond;
    assert_int_equal(plasma_client_rc_call(e->c, &e->keys[who], &call, NULL), 0);
    plasma_merkle_free(tree);
    plasma_buf_free(&u);
}

/* The operator exits the output of its theft (it holds the block). */
static void theft_exit(cheat_env *e)
{
    plasma_tx tx;
    payment(&tx, plasma_utxo_pos(2, 0, 0), &e->addrs[0], 500, NULL, 0);
    start_exit_raw(e, 0, plasma_utxo_pos(2000, 0, 0), &tx);
}

/* Alice exits her deposit, then spends it in a block submitted later: the
 * watcher, which saw the exit first, challenges it once the block comes. */
static void test_exit_then_spend(void **state)
{
    (void)state;
    cheat_env e = {0};
    collected col = {json_array()};
    plasma_watcher *w = NULL;
    plasma_tx tx;
    plasma_exit_info info;
    env_start(&e);
    deposit_as(&e, 1, 777, 1);
    assert_int_equal(plasma_watcher_new(&w, e.c, &e.keys[3], 60000, collect, &col), 0);
    assert_int_equal(plasma_watcher_step(w), 0);
    assert_int_equal(json_array_size(col.events), 0);

    plasma_u256 amount = plasma_u256_from_u64(777);
    plasma_tx_make_deposit(&tx, &e.addrs[1], &(plasma_addr){{0}}, &amount);
    start_exit_raw(&e, 1, plasma_utxo_pos(1, 0, 0), &tx);
    assert_int_equal(plasma_watcher_step(w), 0);
    assert_int_equal(json_array_size(col.events), 0); /* honest so far */

    payment(&tx, plasma_utxo_pos(1, 0, 0), &e.addrs[2], 700, &e.addrs[1], 77);
    plasma_hash leaf = put_tx(&e, 0, &tx, &e.keys[1]);
    submit_root(&e, &leaf, 1);
    assert_int_equal(plasma_watcher_step(w), 0);
    assert_int_equal(json_array_size(col.events), 1);
    json_t *ev = json_array_get(col.events, 0);
    assert_string_equal(json_string_value(json_object_get(ev, "event")), "invalid_exit");
    assert_int_equal(json_u64(ev, "spent_in"), 1000);
    assert_true(json_is_true(json_object_get(ev, "challenged")));
    assert_int_equal(
        plasma_rootchain_client_exit(plasma_client_rootchain(e.c), plasma_utxo_pos(1, 0, 0), &info), 0);
    assert_int_equal(info.state, PLASMA_EXIT_CHALLENGED);

    plasma_watcher_free(w);
    json_decref(col.events);
    cheat_teardown(&e);
}

static void test_cheating_operator(void **state)
{
    (void)state;
    cheat_env e = {0};
    collected col = {json_array()};
    cheat_setup(&e);

    plasma_watcher_free(verdict(&e, SERVE_THEFT, 0, "invalid_block", &col));
    assert_non_null(
        strstr(json_string_value(json_object_get(json_array_get(col.events, 0), "reason")), "own"));
    plasma_watcher_free(verdict(&e, WRONG_TXS, 0, "invalid_block", &col));
    assert_non_null(
        strstr(json_string_value(json_object_get(json_array_get(col.events, 0), "reason")), "root"));
    /* The timer runs on the root chain's clock from the block's submission
     * (this chain mines a block of 12 s every 20 ms): a year is not over,
     * until the chain's time moves past it; a watcher that never saw the
     * block before then reports it in its first round. */
    const uint64_t year_ms = 365ull * 86400 * 1000;
    plasma_watcher_free(verdict(&e, WITHHOLD, year_ms, NULL, &col));
    plasma_rootchain_client *rcc = plasma_client_rootchain(e.c);
    assert_int_equal(plasma_rootchain_client_dev_advance_time(rcc, year_ms / 1000 + 1), 0);
    assert_int_equal(plasma_rootchain_client_dev_mine(rcc, 1, NULL), 0);
    /* Past its timer, a block that fails to download twice and comes on
     * the third try is verified (here: found invalid), not judged
     * withheld. */
    flaky_left = 2;
    plasma_watcher_free(verdict(&e, FLAKY, year_ms, "invalid_block", &col));
    assert_int_equal(flaky_left, 0);
    plasma_watcher_free(verdict(&e, WITHHOLD, year_ms, "block_withholding", &col));
    plasma_watcher *w = verdict(&e, WITHHOLD, 0, "block_withholding", &col);

    /* Alice and Bob exit what they held before the withheld block. */
    plasma_u256 a0, b0, a, b, want;
    plasma_rootchain_client *rc = plasma_client_rootchain(e.c);
    assert_int_equal(plasma_rootchain_client_balance(rc, &e.addrs[1], NULL, &a0), 0);
    assert_int_equal(plasma_rootchain_client_balance(rc, &e.addrs[2], NULL, &b0), 0);
    size_t n = 0;
    cli_exit_for(&e, ALICE_KEY); /* 77 change in block 1000 */
    assert_int_equal(plasma_watcher_exit_for(w, &e.keys[1], &n), 0);
    assert_int_equal(n, 0); /* already exiting */
    assert_int_equal(plasma_watcher_exit_for(w, &e.keys[2], &n), 0);
    assert_int_equal(n, 2); /* the deposit stolen in block 2000, 700 in block 1000 */
    assert_int_equal(plasma_watcher_exit_for(w, &e.keys[2], &n), 0);
    assert_int_equal(n, 0); /* already exiting */
    plasma_exit_info info;
    assert_int_equal(plasma_rootchain_client_exit(rc, plasma_utxo_pos(2, 0, 0), &info), 0);
    assert_int_equal(info.state, PLASMA_EXIT_IN_PROGRESS);

    theft_exit(&e);
    plasma_u256 m0;
    assert_int_equal(plasma_rootchain_client_balance(rc, &e.addrs[0], NULL, &m0), 0);

    plasma_rootchain_status st;
    assert_int_equal(plasma_rootchain_client_status(rc, &st), 0);
    assert_int_equal(plasma_rootchain_client_dev_advance_time(rc, 3 * st.min_exit_period + 10), 0);
    assert_int_equal(plasma_rootchain_client_dev_mine(rc, 1, NULL), 0);
    size_t paid = 0;
    assert_int_equal(plasma_client_process_exits(e.c, &e.keys[1], &(plasma_addr){{0}}, 3, NULL, &paid), 0);
    assert_int_equal(paid, 3);
    /* The theft comes last and is never paid: the contract no longer holds
     * it, so its payment is deferred (and the queue is not blocked). */
    paid = 0;
    assert_int_equal(plasma_client_process_exits(e.c, &e.keys[1], &(plasma_addr){{0}}, 10, NULL, &paid), 0);
    assert_int_equal(paid, 1);
    assert_int_equal(plasma_rootchain_client_exit(rc, plasma_utxo_pos(2000, 0, 0), &info), 0);
    assert_int_equal(info.state, PLASMA_EXIT_FINALIZED);
    plasma_u256 m;
    assert_int_equal(plasma_rootchain_client_balance(rc, &e.addrs[0], NULL, &m), 0);
    assert_u256(&m, &m0, "the thief's root-chain ETH");
    assert_int_equal(plasma_rootchain_client_balance(rc, &e.addrs[1], NULL, &a), 0);
    assert_int_equal(plasma_rootchain_client_balance(rc, &e.addrs[2], NULL, &b), 0);
    want = plasma_u256_from_u64(77);
    assert_int_equal(plasma_u256_add(&want, &want, &a0), 0);
    assert_u256(&a, &want, "Alice after her exit");
    want = plasma_u256_from_u64(1200);
    assert_int_equal(plasma_u256_add(&want, &want, &b0), 0);
    assert_u256(&b, &want, "Bob after his exits");

    plasma_watcher_free(w);
    json_decref(col.events);
    cheat_teardown(&e);
}

/* A data dir is bound to its chain, and one written in the earlier format
 * (JSON under "state" and "k/" keys) is refused rather than misread. */
static void test_data_dir_refusals(void **state)
{
    (void)state;
    cheat_env a = {0}, b = {0};
    char dir[512], old[512];
    plasma_watcher *w = NULL;
    snprintf(dir, sizeof dir, "%s", fresh_dir(daemon_.dir));
    env_start(&a);
    assert_int_equal(plasma_watcher_new(&w, a.c, NULL, 60000, NULL, NULL), 0);
    assert_int_equal(plasma_watcher_set_data_dir(w, dir), 0);
    assert_int_equal(plasma_watcher_step(w), 0);
    /* One watcher at a time on a data dir. */
    plasma_watcher *w2 = NULL;
    assert_int_equal(plasma_watcher_new(&w2, a.c, NULL, 60000, NULL, NULL), 0);
    assert_int_equal(plasma_watcher_set_data_dir(w2, dir), PLASMA_ERR_IO);
    plasma_watcher_free(w2);
    plasma_watcher_free(w);
    cheat_teardown(&a);

    env_start_chain(&b, 5);
    assert_int_equal(plasma_watcher_new(&w, b.c, NULL, 60000, NULL, NULL), 0);
    assert_int_equal(plasma_watcher_set_data_dir(w, dir), PLASMA_ERR_CONFIG);
    assert_non_null(strstr(plasma_client_errmsg(b.c), "another chain"));
    plasma_watcher_free(w);

    snprintf(old, sizeof old, "%s", fresh_dir(daemon_.dir));
    char *lerr = NULL;
    leveldb_options_t *opts = leveldb_options_create();
    leveldb_options_set_create_if_missing(opts, 1);
    leveldb_t *db = leveldb_open(opts, old, &lerr);
    assert_non_null(db);
    leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
    leveldb_put(db, wo, "state", 5, "{\"cursor\": 3, \"trusted\": true}", 31, &lerr);
    assert_null(lerr);
    leveldb_writeoptions_destroy(wo);
    leveldb_close(db);
    leveldb_options_destroy(opts);
    assert_int_equal(plasma_watcher_new(&w, b.c, NULL, 60000, NULL, NULL), 0);
    assert_int_equal(plasma_watcher_set_data_dir(w, old), PLASMA_ERR_CONFIG);
    assert_non_null(strstr(plasma_client_errmsg(b.c), "older watcher"));
    plasma_watcher_free(w);
    cheat_teardown(&b);
}

/* --- a watcher killed at random instants ------------------------------ */

static uint64_t kill_seed;

/* Starts `plasma watch` in the background on data dir dir, challenging
 * with Carol's key and exiting for Alice, Bob and Carol. */
static pid_t spawn_watcher(const char *dir)
{
    char args[1024];
    snprintf(args, sizeof args,
             "--json watch --poll-ms 50 --withholding-timeout 2 --cache-mb 1 --data-dir %s "
             "--challenge-with " CAROL_KEY " --exit-for " ALICE_KEY " --exit-for " BOB_KEY
             " --exit-for " CAROL_KEY,
             dir);
    return spawn_cli(args, "crash-reports.log");
}

/* n times: the watcher runs for a random 0 .. max_ms, then SIGKILL. */
static void kill_cycles(const char *dir, int n, int max_ms)
{
    for (int i = 0; i < n; i++) {
        pid_t pid = spawn_watcher(dir);
        it_sleep_ms((long)(tu_rand(&kill_seed) % (uint64_t)max_ms));
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
}

/* `send` from key, retried while its deposit has not reached the operator;
 * returns the block. */
static uint64_t send_retry(const char *key, const char *to, const char *amount)
{
    char buf[65536];
    double deadline = it_now() + 15;
    while (run_raw(buf, sizeof buf, "--json --key %s send --to %s --amount %s", key, to, amount) != 0) {
        if (it_now() > deadline)
            fail_msg("send %s from %s never went through", amount, key);
        it_sleep_ms(100);
    }
    json_t *s = json_loads(buf, 0, NULL);
    uint64_t blk = json_u64(s, "blknum");
    json_decref(s);
    return blk;
}

static uint64_t deposit(const char *key, const char *amount)
{
    char args[256];
    snprintf(args, sizeof args, "--key %s deposit --amount %s", key, amount);
    json_t *d = run_ok(args);
    uint64_t pos = json_u64(d, "utxo_pos");
    json_decref(d);
    return pos;
}

static void exit_output(const char *key, uint64_t pos)
{
    char args[256];
    snprintf(args, sizeof args, "--key %s exit --utxo %llu", key, (unsigned long long)pos);
    json_decref(run_ok(args));
}

/* The positions of owner's unspent outputs, appended to pos[*n]. */
static void child_utxos(const char *owner, uint64_t *pos, size_t *n)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/utxos?owner=%s", owner);
    it_resp r = it_get(&daemon_, path);
    json_t *list = json_object_get(r.json, "utxos");
    for (size_t i = 0; i < json_array_size(list); i++)
        pos[(*n)++] = json_u64(json_array_get(list, i), "utxo_pos");
    it_resp_free(&r);
}

/* The exit's state, or 0 when the root chain has none. */
static int exit_state_or_none(plasma_rootchain_client *rc, uint64_t exit_id)
{
    plasma_exit_info info;
    return plasma_rootchain_client_exit(rc, exit_id, &info) == 0 ? (int)info.state : 0;
}

/* Runs the watcher until both invalid exits are challenged and every
 * honest output exits. */
static void final_run(const char *dir, const uint64_t *invalid, const uint64_t *honest, size_t n_honest)
{
    plasma_rootchain_client *rc;
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/rootchain", daemon_.port);
    assert_int_equal(plasma_rootchain_client_new(&rc, url, 10000), 0);
    pid_t pid = spawn_watcher(dir);
    double deadline = it_now() + 40;
    bool done = false;
    while (!done && it_now() < deadline) {
        done = exit_state_or_none(rc, invalid[0]) == PLASMA_EXIT_CHALLENGED &&
               exit_state_or_none(rc, invalid[1]) == PLASMA_EXIT_CHALLENGED;
        for (size_t i = 0; i < n_honest && done; i++)
            done = exit_state_or_none(rc, honest[i]) == PLASMA_EXIT_IN_PROGRESS;
        if (!done)
            it_sleep_ms(100);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    plasma_rootchain_client_free(rc);
    if (!done)
        fail_msg("the restarted watcher did not challenge both invalid exits and exit every honest output "
                 "(seed %llu; reports in %s/crash-reports.log)",
                 (unsigned long long)kill_seed, daemon_.dir);
}

/* The watcher is killed with SIGKILL at random instants, over and over,
 * while users pay, two of them exit outputs they spent, and the operator
 * steals an output and withholds the block; restarted on the same data
 * dir, it still challenges both invalid exits and exits every honest
 * output, and the root-chain balances come out exact (the theft's payment
 * is deferred, never paid). */
static void test_watcher_killed(void **state)
{
    /* A daemon of its own (the one before withholds a block already), with
     * an exit period that outlasts the test. */
    static const char *const extra[] = {"--dev",     "--rc-block-interval-ms",
                                        "100",       "--seal-interval-ms",
                                        "100",       "--admin-token",
                                        ADMIN_TOKEN, "--rc-min-exit-period-s",
                                        "600",       NULL};
    teardown(state);
    it_start(&daemon_, extra);
    snprintf(base_args, sizeof base_args,
             "--operator http://127.0.0.1:%u --keystore %s/keystore --gas-price 0", daemon_.port,
             daemon_.dir);
    use_wallet_dir();
    const char *env = getenv("PLASMA_TEST_SEED");
    kill_seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    kill_seed = kill_seed ? kill_seed : 1;
    printf("test_watcher_killed: seed=%llu (rerun with PLASMA_TEST_SEED=%llu)\n",
           (unsigned long long)kill_seed, (unsigned long long)kill_seed);
    char dir[256];
    snprintf(dir, sizeof dir, "%s/watcher-killed", daemon_.dir);
    json_t *rs = run_ok("rootchain status");
    plasma_u256 bond = json_amount(rs, "exit_bond");
    uint64_t mep = json_u64(rs, "min_exit_period");
    json_decref(rs);

    uint64_t da = deposit(ALICE_KEY, "1eth"), db = deposit(BOB_KEY, "1eth");
    (void)deposit(CAROL_KEY, "1eth");
    plasma_u256 alice0 = rc_balance(ALICE, ETH), bob0 = rc_balance(BOB, ETH), carol0 = rc_balance(CAROL, ETH);
    kill_cycles(dir, 2, 300);
    uint64_t blk = send_retry(ALICE_KEY, BOB, "0.3eth"); /* spends da */
    kill_cycles(dir, 2, 300);
    (void)send_retry(CAROL_KEY, ALICE, "0.2eth");
    blk = send_retry(BOB_KEY, CAROL, "0.1eth"); /* spends db, the largest of Bob's */
    wait_submitted(blk);
    kill_cycles(dir, 3, 400);
    exit_output(ALICE_KEY, da); /* invalid: da is spent */
    kill_cycles(dir, 3, 600);
    exit_output(BOB_KEY, db); /* invalid: db is spent */
    kill_cycles(dir, 3, 600);

    uint64_t honest[64];
    size_t n_honest = 0;
    child_utxos(ALICE, honest, &n_honest);
    child_utxos(BOB, honest, &n_honest);
    child_utxos(CAROL, honest, &n_honest);
    plasma_u256 alice_held = child_balance(ALICE, NULL), carol_held = child_balance(CAROL, NULL);
    uint64_t bob_pos = 0;
    plasma_u256 bob_held = child_balance(BOB, &bob_pos);
    char path[96];
    snprintf(path, sizeof path, "/v1/utxos/%llu", (unsigned long long)bob_pos);
    it_resp r = it_get(&daemon_, path);
    plasma_u256 stolen = json_amount(r.json, "amount");
    it_resp_free(&r);
    uint64_t theft = steal_and_withhold(bob_pos, &stolen);
    plasma_u256 thief0 = rc_balance(OP, ETH);
    kill_cycles(dir, 4, 800);
    const uint64_t invalid[2] = {da, db};
    final_run(dir, invalid, honest, n_honest);

    char args[96];
    snprintf(args, sizeof args, "rootchain advance-time %llu", (unsigned long long)(3 * mep + 10));
    json_decref(run_ok(args));
    json_decref(run_ok("rootchain mine 1"));
    /* The two challenged exits pop unpaid; the theft comes last, out of an
     * empty contract: finalized, its payment deferred to a claim the
     * contract cannot honour. */
    assert_int_equal(process_exits_upto(n_honest + 4, true), n_honest + 1);
    assert_int_equal(exit_state(theft), PLASMA_EXIT_FINALIZED);
    assert_int_equal(exit_state(da), PLASMA_EXIT_CHALLENGED);
    assert_int_equal(exit_state(db), PLASMA_EXIT_CHALLENGED);
    plasma_u256 thief = rc_balance(OP, ETH), zero = u(0), two_bonds;
    assert_u256(&thief, &thief0, "the thief's root-chain ETH");
    assert_int_equal(plasma_u256_add(&two_bonds, &bond, &bond), 0);
    assert_recovered(ALICE, &alice0, &alice_held, &bond, "Alice's root-chain ETH");
    assert_recovered(BOB, &bob0, &bob_held, &bond, "Bob's root-chain ETH");
    plasma_u256 carol_gain;
    assert_int_equal(plasma_u256_add(&carol_gain, &carol_held, &two_bonds), 0);
    assert_recovered(CAROL, &carol0, &carol_gain, &zero, "Carol's root-chain ETH");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_errors),        cmocka_unit_test(test_invalid_exit_challenged),
        cmocka_unit_test(test_dev_operator_cheats), cmocka_unit_test(test_cheating_operator),
        cmocka_unit_test(test_exit_then_spend),     cmocka_unit_test(test_data_dir_refusals),
        cmocka_unit_test(test_watcher_killed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
