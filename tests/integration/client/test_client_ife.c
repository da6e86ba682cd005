/* In-flight exits for users, with the real programs: a plasma-rootchain
 * daemon, a plasma-operator on it (--rootchain sim, so that it can be
 * stopped while the root chain goes on) and the `plasma` CLI.
 *
 * - The operator withholds the block holding Alice's payment to Bob and
 *   stops; Alice starts the in-flight exit from her wallet's records with
 *   proofs from her watcher's data dir and piggybacks her input and her
 *   change, Bob piggybacks his output (the tx read from the root chain);
 *   after processing both hold exactly what the payment gave them.
 * - A watcher with --auto, killed with SIGKILL at random instants (seeded)
 *   during the first phase of that situation, restarted on its data dir:
 *   the in-flight exit started and every piggyback made in time, no
 *   standard exit of the spent input, exact balances.
 * - Every finding kind, each with its effect on the root chain: a
 *   non-canonical exit challenged, a false challenge answered, a spent
 *   input and a spent output piggybacked and challenged (the bonds to the
 *   challenger), and, left too late, everything exited; honest users paid.
 */
#include "cli_kit.h"

#include "plasma/http.h"
#include "plasma/json.h"

#define CAROL_KEY "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"
#define CAROL "0x90f79bf6eb2c4f870365e785982e1f101e93b906"
#define DAVE_KEY "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"
#define ERIN_KEY "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"
#define FRANK_KEY "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e"
#define MALLORY_KEY "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356"
#define DAVE "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65"
#define ERIN "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc"
#define FRANK "0x976ea74026e726554db657fa54763abd0c3a0aa9"
#define ADMIN_TOKEN "ife-test-token"
/* The development root chain mines a block of 12 s every 100 ms: 3 hours of
 * exit period leave 90 s of wall time to the first phase. */
#define MEP 10800u

static pid_t rc_pid;
static char rc_url[64], rc_dir[600];

/* --- the daemons --- */

static void rootchain_start(void)
{
    char mep_s[16], data[700], log[700], port_file[700];
    snprintf(rc_dir, sizeof rc_dir, "/tmp/plasma-ife-rc-XXXXXX");
    assert_non_null(mkdtemp(rc_dir));
    snprintf(mep_s, sizeof mep_s, "%u", MEP);
    snprintf(data, sizeof data, "%s/data", rc_dir);
    snprintf(log, sizeof log, "%s/rootchain.log", rc_dir);
    snprintf(port_file, sizeof port_file, "%s/port", rc_dir);
    rc_pid = fork();
    assert_true(rc_pid >= 0);
    if (rc_pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(PLASMA_ROOTCHAIN_BIN, PLASMA_ROOTCHAIN_BIN, "--dev", "--port", "0", "--port-file", port_file,
              "--data-dir", data, "--mine-interval-ms", "100", "--min-exit-period", mep_s, (char *)NULL);
        _exit(127);
    }
    uint16_t port = 0;
    int status = 0;
    if (tu_wait_port_file(port_file, rc_pid, 30, &port, &status) != 1)
        fail_msg("plasma-rootchain did not start; log in %s", log);
    snprintf(rc_url, sizeof rc_url, "http://127.0.0.1:%u", port);
    double deadline = it_now() + 15;
    for (;;) {
        it_resp r = {0};
        bool up = it_request(port, "GET", "/v1/status", NULL, 0, NULL, NULL, &r) && r.status == 200;
        it_resp_free(&r);
        if (up)
            return;
        if (it_now() > deadline)
            fail_msg("plasma-rootchain did not start; log in %s", log);
        it_sleep_ms(20);
    }
}

/* A root chain, the operator on it, and the CLI's options and records. */
static void chains_start(void)
{
    static char wallet[200];
    rootchain_start();
    const char *const extra[] = {"--dev", "--rootchain",   "sim",       "--rpc", rc_url, "--seal-interval-ms",
                                 "100",   "--admin-token", ADMIN_TOKEN, NULL};
    it_start(&daemon_, extra);
    snprintf(base_args, sizeof base_args,
             "--operator http://127.0.0.1:%u --rootchain %s --keystore %s/keystore --gas-price 0",
             daemon_.port, rc_url, daemon_.dir);
    snprintf(wallet, sizeof wallet, "%s/wallet", daemon_.dir);
    setenv("PLASMA_WALLET", wallet, 1);
}

static void chains_stop(void)
{
    it_stop(&daemon_);
    it_cleanup(&daemon_);
    if (rc_pid > 0) {
        kill(rc_pid, SIGTERM);
        waitpid(rc_pid, NULL, 0);
        rc_pid = 0;
    }
    if (!getenv("PLASMA_ITEST_KEEP"))
        nftw(rc_dir, it_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static int teardown(void **state)
{
    (void)state;
    chains_stop();
    return 0;
}

/* --- helpers --- */

static plasma_rootchain_client *rcc(void)
{
    plasma_rootchain_client *c = NULL;
    assert_int_equal(plasma_rootchain_client_new(&c, rc_url, 10000), 0);
    return c;
}

static json_t *cli(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *cli(const char *fmt, ...)
{
    char args[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    return run_ok(args);
}

/* Runs a command that must fail with exit status want and error code. */
static void cli_fails(int want, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cli_fails(int want, const char *code, const char *fmt, ...)
{
    char args[2048];
    json_t *j = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    int rc = run(&j, "--json %s", args);
    const char *got = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    if (rc != want || !got || strcmp(got, code) != 0)
        fail_msg("plasma %s: exit %d, code %s; want %d, %s", args, rc, got ? got : "(none)", want, code);
    json_decref(j);
}

static void withhold(uint64_t blknum)
{
    char body[64];
    snprintf(body, sizeof body, "{\"blknum\": %llu}", (unsigned long long)blknum);
    it_resp r = {0};
    assert_true(it_request(daemon_.port, "POST", "/admin/dev/withhold", body, strlen(body),
                           "application/json", "X-Admin-Token: " ADMIN_TOKEN "\r\n", &r));
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
}

/* Deposits amount for key; returns the deposit's output. */
static uint64_t deposit(const char *key, const char *amount)
{
    json_t *d = cli("--key %s deposit --amount %s", key, amount);
    uint64_t pos = json_u64(d, "utxo_pos");
    json_decref(d);
    return pos;
}

/* send; returns its txhash (hex, static) and, in *blknum, its block. */
static const char *send_tx(const char *key, const char *to, const char *amount, uint64_t *blknum)
{
    static char hash[67];
    json_t *s = cli("--key %s send --to %s --amount %s", key, to, amount);
    snprintf(hash, sizeof hash, "%s", json_string_value(json_object_get(s, "txhash")));
    *blknum = json_u64(s, "blknum");
    json_decref(s);
    return hash;
}

static void advance(uint64_t seconds)
{
    json_decref(cli("rootchain advance-time %llu", (unsigned long long)seconds));
    json_decref(cli("rootchain mine 1"));
}

/* The in-flight exit of the tx hashed hex; false when none is open. */
static bool ife_of(const char *hex, plasma_ife_info *info)
{
    uint8_t be[32];
    plasma_u256 id;
    assert_int_equal(plasma_hex_decode_fixed(be, 32, hex), 0);
    be[0] |= 0x80;
    plasma_u256_from_be(&id, be, 32);
    plasma_rootchain_client *c = rcc();
    int rc = plasma_rootchain_client_ife(c, &id, info);
    plasma_rootchain_client_free(c);
    assert_true(rc == 0 || rc == PLASMA_ERR_IFE_NOT_FOUND);
    return rc == 0;
}

static plasma_u256 bond_of(const char *which)
{
    json_t *s = cli("rootchain status");
    plasma_u256 v = json_amount(s, which);
    json_decref(s);
    return v;
}

static plasma_u256 add(plasma_u256 a, plasma_u256 b)
{
    plasma_u256 r;
    assert_int_equal(plasma_u256_add(&r, &a, &b), 0);
    return r;
}

static plasma_u256 sub(plasma_u256 a, plasma_u256 b)
{
    plasma_u256 r;
    assert_int_equal(plasma_u256_sub(&r, &a, &b), 0);
    return r;
}

static plasma_u256 milli(uint64_t m)
{
    return u(m * (E18 / 1000));
}

/* Processes every exit whose time has come. */
static void process_all(void)
{
    json_decref(cli("--key " DAVE_KEY " process-exits --max 50"));
}

/* --- the operator withholds, then stops: recovery through the CLI --- */

static void test_withholding_recovered_by_cli(void **state)
{
    (void)state;
    chains_start();
    char wdir[700];
    snprintf(wdir, sizeof wdir, "%s/watcher", daemon_.dir);
    plasma_u256 alice0 = rc_balance(ALICE, ETH), bob0 = rc_balance(BOB, ETH);
    plasma_u256 ife_bond = bond_of("ife_bond"), pb_bond = bond_of("piggyback_bond");
    assert_false(plasma_u256_is_zero(&ife_bond) || plasma_u256_is_zero(&pb_bond));
    (void)deposit(ALICE_KEY, "1eth");
    withhold(1000);
    uint64_t blk;
    const char *h = send_tx(ALICE_KEY, BOB, "0.4eth", &blk);
    char txhash[67];
    snprintf(txhash, sizeof txhash, "%s", h);
    assert_int_equal(blk, 1000);
    wait_submitted(1000);
    it_stop(&daemon_); /* the operator is gone; the root chain is not */

    /* Alice's watcher verified her deposit; it reports the withheld block. */
    char buf[65536];
    assert_int_equal(
        run_raw(buf, sizeof buf, "--json watch --once --withholding-timeout 0 --data-dir %s", wdir), 0);
    assert_non_null(strstr(buf, "\"block_withholding\""));

    cli_fails(1, "not_found", "--key " ALICE_KEY " ife start 0x%064x --data-dir %s", 7, wdir);
    cli_fails(1, "malformed_tx", "--key " ALICE_KEY " ife start %s --tx 0x1234 --data-dir %s", txhash, wdir);
    cli_fails(1, "io", "--key " ALICE_KEY " ife start %s --tx %s/nothing --data-dir %s", txhash, daemon_.dir,
              wdir);
    cli_fails(1, "not_found", "--key " ALICE_KEY " ife start %s --data-dir %s/nothing", txhash, daemon_.dir);
    cli_fails(2, "usage", "--key " ALICE_KEY " ife start %s --data-dir %s --from-operator", txhash, wdir);
    json_t *s = cli("--key " ALICE_KEY " ife start %s --data-dir %s", txhash, wdir);
    assert_string_equal(json_string_value(json_object_get(s, "proofs")), "watcher");
    uint64_t first_end = json_u64(s, "first_phase_end");
    json_decref(s);
    cli_fails(1, "ife_exists", "--key " ALICE_KEY " ife start %s --data-dir %s", txhash, wdir);

    /* Bob learns of it from the root chain: his output is there to claim. */
    json_t *l = cli("--key " BOB_KEY " ife list");
    json_t *e = json_array_get(json_object_get(l, "in_flight_exits"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "phase")), "first");
    assert_int_equal(json_u64(e, "first_phase_end"), first_end);
    assert_string_equal(json_string_value(json_array_get(json_object_get(e, "can"), 0)),
                        "piggyback --output 0");
    assert_int_equal(json_array_size(json_object_get(e, "can")), 1);
    json_decref(l);

    json_t *p = cli("--key " ALICE_KEY " ife piggyback %s --input 0 --output 1", txhash);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(p, "inputs"), 0)), 0);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(p, "outputs"), 0)), 1);
    json_decref(p);
    json_decref(cli("--key " BOB_KEY " ife piggyback %s --output 0", txhash));
    cli_fails(1, "already_piggybacked", "--key " BOB_KEY " ife piggyback %s --output 0", txhash);
    cli_fails(1, "not_owner", "--key " BOB_KEY " ife piggyback %s --input 0", txhash);
    cli_fails(2, "usage", "--key " BOB_KEY " ife piggyback %s", txhash);
    cli_fails(2, "usage", "--key " BOB_KEY " ife piggyback %s --output 4", txhash);
    cli_fails(2, "usage", "--key " BOB_KEY " ife challenge %s --input 0 --output 0", txhash);
    cli_fails(1, "first_phase_not_over", "--key " ALICE_KEY " ife delete %s", txhash);
    plasma_ife_info info;
    assert_true(ife_of(txhash, &info));
    assert_true(info.canonical);
    assert_int_equal(info.inputs_piggybacked, 1);
    assert_int_equal(info.outputs_piggybacked, 3);
    /* Three piggyback bonds and the exit's bond paid in, until processing. */
    plasma_u256 held = sub(alice0, milli(1000)), two = add(pb_bond, pb_bond), now_a = rc_balance(ALICE, ETH);
    held = sub(sub(held, ife_bond), two);
    assert_u256(&now_a, &held, "Alice's root-chain ETH with her bonds paid in");

    advance(3 * MEP);
    json_t *pe = cli("--key " DAVE_KEY " process-exits --max 50");
    assert_int_equal(json_u64(pe, "processed"), 0); /* no standard exit */
    json_t *done = json_object_get(pe, "in_flight_exits");
    assert_int_equal(json_array_size(done), 1);
    assert_int_equal(strcmp(json_string_value(json_array_get(done, 0)) + 3, txhash + 3), 0);
    json_decref(pe);
    assert_false(ife_of(txhash, &info));
    /* Bonds back; the change to Alice, the payment to Bob (gas price 0). */
    plasma_u256 a = rc_balance(ALICE, ETH), b = rc_balance(BOB, ETH);
    plasma_u256 want_a = sub(alice0, milli(400)), want_b = add(bob0, milli(400));
    assert_u256(&a, &want_a, "Alice's root-chain ETH");
    assert_u256(&b, &want_b, "Bob's root-chain ETH");
    l = cli("--key " ALICE_KEY " ife list");
    assert_int_equal(json_array_size(json_object_get(l, "in_flight_exits")), 0);
    json_decref(l);
    cli_fails(1, "nothing_to_withdraw", "--key " ALICE_KEY " withdraw");
}

/* --- a watcher killed during the first phase --- */

static uint64_t kill_seed;

/* `plasma watch --auto` protecting Alice and Bob, in the background. */
static pid_t spawn_watcher(const char *dir)
{
    char args[1024];
    snprintf(args, sizeof args,
             "--json watch --auto --poll-ms 50 --withholding-timeout 2 --data-dir %s --exit-for " ALICE_KEY
             " --exit-for " BOB_KEY,
             dir);
    return spawn_cli(args, "watch-reports.log");
}

/* Whether the exit of txhash holds Alice's input and both outputs. */
static bool all_piggybacked(const char *txhash)
{
    plasma_ife_info info;
    return ife_of(txhash, &info) && info.inputs_piggybacked == 1 && info.outputs_piggybacked == 3;
}

/* Alice pays Bob in a block the operator withholds; her watcher, killed
 * over and over in the middle of it, starts the in-flight exit and makes
 * every piggyback within the first phase. */
static void test_watcher_killed_in_first_phase(void **state)
{
    (void)state;
    chains_start();
    kill_seed = tu_seed("test_watcher_killed_in_first_phase", (uint64_t)time(NULL) ^ (uint64_t)getpid());
    kill_seed = kill_seed ? kill_seed : 1;
    char dir[700];
    snprintf(dir, sizeof dir, "%s/watcher", daemon_.dir);
    plasma_u256 alice0 = rc_balance(ALICE, ETH), bob0 = rc_balance(BOB, ETH);
    uint64_t dep = deposit(ALICE_KEY, "1eth");
    withhold(1000);
    uint64_t blk;
    char txhash[67];
    snprintf(txhash, sizeof txhash, "%s", send_tx(ALICE_KEY, BOB, "0.3eth", &blk));
    assert_int_equal(blk, 1000);
    for (int i = 0; i < 6; i++) {
        pid_t pid = spawn_watcher(dir);
        it_sleep_ms((long)(tu_rand(&kill_seed) % 1500));
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    pid_t pid = spawn_watcher(dir);
    double deadline = it_now() + 40;
    while (!all_piggybacked(txhash) && it_now() < deadline)
        it_sleep_ms(100);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    if (!all_piggybacked(txhash))
        fail_msg(
            "the restarted watcher did not start the in-flight exit and piggyback (seed %llu; reports in "
            "%s/watch-reports.log)",
            (unsigned long long)kill_seed, daemon_.dir);
    /* The piggybacks are in, so they were in the first phase (the contract
     * refuses them after); the spent deposit was left to the exit. */
    plasma_rootchain_client *c = rcc();
    plasma_exit_info none;
    assert_int_equal(plasma_rootchain_client_exit(c, dep, &none), PLASMA_ERR_EXIT_NOT_FOUND);
    plasma_rootchain_client_free(c);

    advance(3 * MEP);
    process_all();
    plasma_u256 a = rc_balance(ALICE, ETH), b = rc_balance(BOB, ETH);
    plasma_u256 want_a = sub(alice0, milli(300)), want_b = add(bob0, milli(300));
    assert_u256(&a, &want_a, "Alice's root-chain ETH");
    assert_u256(&b, &want_b, "Bob's root-chain ETH");
}

/* --- every finding, with its effect on the root chain --- */

/* A payment of `from` (a development account) of its output at pos, all of
 * it to `to`, signed under the chain's domain: a tx the operator never
 * sees. Out: hex (0x + rlp(SignedTx)) and txhash. */
static void signed_payment(unsigned from, uint64_t pos, const char *to, const plasma_u256 *amount, char *hex,
                           char *txhash)
{
    plasma_rootchain_client *c = rcc();
    plasma_rootchain_status st;
    plasma_domain dom;
    plasma_privkey key;
    plasma_tx tx = {.tx_type = PLASMA_TX_PAYMENT, .n_inputs = 1, .n_outputs = 1};
    plasma_buf b = {0};
    plasma_hash h;
    assert_int_equal(plasma_rootchain_client_status(c, &st), 0);
    plasma_rootchain_client_free(c);
    plasma_domain_init(&dom, st.chain_id, &st.contract);
    assert_int_equal(plasma_dev_key(&key, from), 0);
    tx.inputs[0] = pos;
    assert_int_equal(plasma_addr_parse(&tx.outputs[0].owner, to), 0);
    tx.outputs[0].amount = *amount;
    assert_int_equal(plasma_tx_sign_input(&tx, &dom, 0, &key), 0);
    assert_int_equal(plasma_tx_encode_signed(&b, &tx), 0);
    plasma_hex_encode(hex, b.data, b.len);
    assert_int_equal(plasma_tx_hash(&h, &tx), 0);
    plasma_hash_format(txhash, &h);
    plasma_buf_free(&b);
}

/* The operator's copy of a tx it accepted, 0x-hex. */
static void operator_tx(const char *txhash, char *hex, size_t len)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/transactions/%s", txhash);
    it_resp r = it_get(&daemon_, path);
    assert_int_equal(r.status, 200);
    snprintf(hex, len, "%s", json_string_value(json_object_get(r.json, "tx")));
    it_resp_free(&r);
}

/* `watch --once` on dir with extra options: its reports, one per line. */
static json_t *watch_reports(const char *dir, const char *extra)
{
    static char buf[1 << 20];
    json_t *arr = json_array();
    int rc = run_raw(buf, sizeof buf, "--json watch --once --data-dir %s %s", dir, extra);
    assert_int_equal(rc, 0);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        if (!json_is_object(j))
            fail_msg("watch printed a line that is not a JSON object: %s", line);
        json_array_append_new(arr, j);
    }
    return arr;
}

/* The report of event about the tx hashed txhash (and, with side, that
 * input or output index), or NULL. */
static json_t *report(const json_t *reports, const char *event, const char *txhash, const char *side,
                      int index)
{
    size_t i;
    json_t *r;
    json_array_foreach (reports, i, r) {
        if (strcmp(json_string_value(json_object_get(r, "event")), event) != 0 ||
            strcmp(plasma_json_get_str(r, "txhash"), txhash) != 0)
            continue;
        if (!side || json_integer_value(json_object_get(r, side)) == index)
            return r;
    }
    fail_msg("no %s report about %s", event, txhash);
    return NULL;
}

static uint64_t pos_of(uint64_t blk, const char *txhash)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/transactions/%s", txhash);
    it_resp r = it_get(&daemon_, path);
    assert_int_equal(r.status, 200);
    uint64_t txindex = json_u64(r.json, "txindex");
    assert_int_equal(json_u64(r.json, "blknum"), blk);
    it_resp_free(&r);
    return plasma_utxo_pos(blk, (uint32_t)txindex, 0);
}

typedef struct cast {
    char wdir[700];
    uint64_t d1, d2, d3;                /* deposits of Alice, Bob, Erin */
    char t1[67], t3[67], t5[67], s[67]; /* honest payments */
    uint64_t t1_blk, t3_blk, t5_blk, s_blk;
    char t2_hex[2200], t2[67], t4_hex[2200], t4[67], t3_hex[2200], t5_hex[2200];
} cast;

/* Honest payments, all verified by the watcher, and two double-signed
 * txs the operator never sees. */
static void play_honest(cast *k)
{
    uint64_t unused;
    snprintf(k->wdir, sizeof k->wdir, "%s/watcher", daemon_.dir);
    k->d1 = deposit(ALICE_KEY, "1eth");
    k->d2 = deposit(BOB_KEY, "1eth");
    k->d3 = deposit(ERIN_KEY, "1eth");
    snprintf(k->t1, sizeof k->t1, "%s", send_tx(ALICE_KEY, BOB, "0.5eth", &k->t1_blk));
    snprintf(k->t3, sizeof k->t3, "%s", send_tx(BOB_KEY, CAROL, "0.4eth", &k->t3_blk));
    snprintf(k->t5, sizeof k->t5, "%s", send_tx(ERIN_KEY, FRANK, "0.7eth", &k->t5_blk));
    wait_submitted(k->t5_blk);
    snprintf(k->s, sizeof k->s, "%s", send_tx(FRANK_KEY, ERIN, "0.7eth", &k->s_blk));
    wait_submitted(k->s_blk);
    json_t *r = watch_reports(k->wdir, "");
    assert_int_equal(json_array_size(r), 0);
    json_decref(r);
    plasma_u256 one = u(E18);
    signed_payment(1, k->d1, CAROL, &one, k->t2_hex, k->t2);
    signed_payment(2, k->d2, FRANK, &one, k->t4_hex, k->t4);
    operator_tx(k->t3, k->t3_hex, sizeof k->t3_hex);
    operator_tx(k->t5, k->t5_hex, sizeof k->t5_hex);
    (void)unused;
}

/* The cheats: a double spend exited with its spent input piggybacked, a
 * canonical tx challenged with an unincluded double spend, an output
 * piggybacked after it was spent. */
static void play_cheats(cast *k)
{
    json_decref(cli("--key " CAROL_KEY " ife start %s --tx %s --data-dir %s", k->t2, k->t2_hex, k->wdir));
    json_decref(cli("--key " CAROL_KEY " ife piggyback %s --output 0", k->t2));
    json_decref(cli("--key " ALICE_KEY " ife piggyback %s --input 0", k->t2));
    json_decref(cli("--key " CAROL_KEY " ife start %s --tx %s --data-dir %s", k->t3, k->t3_hex, k->wdir));
    json_decref(cli("--key " CAROL_KEY " ife piggyback %s --output 0", k->t3));
    json_t *c = cli("--key " MALLORY_KEY " ife challenge %s --competitor %s --data-dir %s/none", k->t3,
                    k->t4_hex, daemon_.dir);
    assert_string_equal(json_string_value(json_object_get(c, "competitor_pos")), "0");
    json_decref(c);
    json_decref(cli("--key " FRANK_KEY " ife start %s --tx %s --data-dir %s", k->t5, k->t5_hex, k->wdir));
    json_decref(cli("--key " FRANK_KEY " ife piggyback %s --output 0", k->t5));
}

static void assert_findings_acted(const cast *k, const json_t *r)
{
    json_t *e = report(r, "noncanonical_ife", k->t2, NULL, 0);
    assert_true(json_is_true(json_object_get(e, "challenged")));
    assert_int_equal(json_u64(e, "competitor_pos"), pos_of(k->t1_blk, k->t1));
    e = report(r, "invalid_piggyback", k->t2, "input", 0);
    assert_true(json_is_true(json_object_get(e, "challenged")));
    assert_int_equal(json_u64(e, "spent_in"), k->t1_blk);
    e = report(r, "invalid_ife_challenge", k->t3, NULL, 0);
    assert_true(json_is_true(json_object_get(e, "responded")));
    assert_int_equal(json_u64(e, "tx_pos"), pos_of(k->t3_blk, k->t3));
    e = report(r, "invalid_piggyback", k->t5, "output", 0);
    assert_true(json_is_true(json_object_get(e, "challenged")));
    assert_int_equal(json_u64(e, "spent_in"), k->s_blk);
    assert_int_equal(json_array_size(r), 4);

    plasma_ife_info t2, t3, t5;
    assert_true(ife_of(k->t2, &t2) && ife_of(k->t3, &t3) && ife_of(k->t5, &t5));
    plasma_u256 comp = u(pos_of(k->t1_blk, k->t1)), incl = u(pos_of(k->t3_blk, k->t3));
    assert_false(t2.canonical);
    assert_u256(&t2.oldest_competitor, &comp, "T2's oldest competitor");
    assert_int_equal(t2.inputs_piggybacked, 1 << PLASMA_IFE_BLOCKED_SHIFT);
    assert_true(t3.canonical);
    assert_u256(&t3.oldest_competitor, &incl, "T3's recorded position");
    assert_int_equal(t5.outputs_piggybacked, 1 << PLASMA_IFE_BLOCKED_SHIFT);
}

static void test_watcher_findings(void **state)
{
    (void)state;
    cast k;
    chains_start();
    plasma_u256 ife_bond = bond_of("ife_bond"), pb = bond_of("piggyback_bond");
    plasma_u256 b0 = rc_balance(BOB, ETH), c0 = rc_balance(CAROL, ETH), d0 = rc_balance(DAVE, ETH);
    plasma_u256 e0 = rc_balance(ERIN, ETH), f0 = rc_balance(FRANK, ETH);
    play_honest(&k);
    play_cheats(&k);

    /* Bob and Erin are protected too: their outputs of the included T3 and
     * T5 and Bob's input of the canonical T3 are not piggybacked (they
     * exit the standard way below). */
    json_t *r = watch_reports(k.wdir, "--auto --challenge-with " DAVE_KEY " --exit-for " BOB_KEY
                                      " --exit-for " ERIN_KEY);
    assert_findings_acted(&k, r);
    json_decref(r);
    r = watch_reports(k.wdir, "--auto --challenge-with " DAVE_KEY);
    assert_int_equal(json_array_size(r), 0); /* answered: nothing more to say */
    json_decref(r);
    plasma_u256 d = rc_balance(DAVE, ETH), want = add(add(d0, pb), pb);
    assert_u256(&d, &want, "Dave's ETH with the two blocked piggybacks' bonds");

    /* Honest users take their outputs out the standard way. */
    json_decref(cli("--key " BOB_KEY " exit --all"));
    json_decref(cli("--key " ERIN_KEY " exit --all"));
    advance(3 * MEP);
    process_all();
    r = watch_reports(k.wdir, ""); /* the closed exits' flags followed */
    assert_int_equal(json_array_size(r), 0);
    json_decref(r);
    /* Carol's T3 output was paid by its in-flight exit: finalized. */
    cli_fails(1, "output_finalized", "--key " CAROL_KEY " exit --utxo %llu",
              (unsigned long long)pos_of(k.t3_blk, k.t3));

    plasma_u256 got, exp;
    got = rc_balance(BOB, ETH), exp = add(b0, milli(100)); /* -1 + 0.5 + 0.6 */
    assert_u256(&got, &exp, "Bob's ETH");
    got = rc_balance(ERIN, ETH); /* -1 + 0.3 + 0.7 */
    assert_u256(&got, &e0, "Erin's ETH");
    got = rc_balance(CAROL, ETH), exp = sub(add(c0, milli(400)), add(ife_bond, ife_bond));
    assert_u256(&got, &exp, "Carol's ETH");
    got = rc_balance(FRANK, ETH), exp = sub(f0, pb);
    assert_u256(&got, &exp, "Frank's ETH");
    got = rc_balance(DAVE, ETH), exp = add(add(want, ife_bond), ife_bond);
    assert_u256(&got, &exp, "Dave's ETH with the bonds of the exits he challenged and answered");
}

/* Left unanswered until too late: every protected account's output exits. */
static void test_watcher_unchallenged(void **state)
{
    (void)state;
    cast k;
    chains_start();
    play_honest(&k);
    json_decref(cli("--key " CAROL_KEY " ife start %s --tx %s --data-dir %s", k.t2, k.t2_hex, k.wdir));
    json_decref(cli("--key " CAROL_KEY " ife piggyback %s --output 0", k.t2));
    json_decref(cli("--key " ALICE_KEY " ife piggyback %s --input 0", k.t2));
    /* Reported, not acted on. */
    json_t *r = watch_reports(k.wdir, "");
    assert_false(json_is_true(json_object_get(report(r, "noncanonical_ife", k.t2, NULL, 0), "challenged")));
    assert_false(
        json_is_true(json_object_get(report(r, "invalid_piggyback", k.t2, "input", 0), "challenged")));
    json_decref(r);

    /* Past the first phase and within half the period of processing; the
     * challenger cannot pay for gas. */
    advance(MEP / 2 + MEP + 60);
    r = watch_reports(
        k.wdir, "--auto --gas-price 1 --challenge-with "
                "0x1111111111111111111111111111111111111111111111111111111111111111 --exit-for " BOB_KEY);
    json_t *e = report(r, "unchallenged_non_canonical_ife", k.t2, NULL, 0);
    json_t *p = report(r, "unchallenged_piggyback", k.t2, "input", 0);
    /* Bob's 0.5 and 0.6, by whichever came first; no failed exit reported. */
    assert_int_equal(json_u64(e, "exits_started") + json_u64(p, "exits_started"), 2);
    assert_int_equal(json_array_size(r), 4);
    json_decref(r);
    plasma_rootchain_client *c = rcc();
    plasma_exit_info x;
    assert_int_equal(plasma_rootchain_client_exit(
                         c, plasma_utxo_pos(k.t1_blk, plasma_pos_txindex(pos_of(k.t1_blk, k.t1)), 0), &x),
                     0);
    assert_int_equal(x.state, PLASMA_EXIT_IN_PROGRESS);
    plasma_rootchain_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_withholding_recovered_by_cli, teardown),
        cmocka_unit_test_teardown(test_watcher_killed_in_first_phase, teardown),
        cmocka_unit_test_teardown(test_watcher_findings, teardown),
        cmocka_unit_test_teardown(test_watcher_unchallenged, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
