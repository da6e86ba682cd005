/* Integration tests with funds: the real plasma-operator in --dev with its
 * embedded root chain (mined on demand through /rootchain/v1/dev/mine), driven
 * over HTTP only. Double spends in one block and across blocks, deposit
 * finality, exits, a three-token block with fees, proofs against the root
 * chain's stored roots, ledger error codes, block_full and restarts. */
#include "itest_chain.h"

static void start(it_daemon *d, const char *const *more)
{
    const char *f[40] = {
        "--dev", "--rc-block-interval-ms", "600000", "--poll-ms",   "20",  "--seal-interval-ms",
        "0",     "--admin-token",          "s3cret", "--log-level", "warn"};
    int n = 11;
    for (; more && *more; more++)
        f[n++] = *more;
    f[n] = NULL;
    it_start(d, f);
}

static int teardown(void **state)
{
    it_daemon *d = *state;
    if (d) {
        it_cleanup(d);
        free(d);
    }
    return 0;
}

static it_daemon *fresh(void **state, const char *const *more)
{
    it_daemon *d = calloc(1, sizeof *d);
    *state = d;
    start(d, more);
    return d;
}

static uint64_t receipt_pos(const it_resp *r, uint32_t oindex)
{
    if (r->status != 200)
        fail_msg("payment refused: %ld %s", r->status, r->body);
    return plasma_utxo_pos(it_json_u64(r->json, "blknum"), (uint32_t)it_json_u64(r->json, "txindex"), oindex);
}

static void test_double_spends(void **state)
{
    it_daemon *d = fresh(state, NULL);
    uint64_t dep = it_rc_deposit(d, 1, 0, 1000);
    it_wait_utxo_status(d, dep, 200, 5);

    it_out o[2] = {{2, 0, 600}, {1, 0, 400}};
    it_resp a = it_pay(d, dep, 1, o, 2);
    uint64_t a0 = receipt_pos(&a, 0);
    assert_int_equal(it_json_u64(a.json, "blknum"), 1000);
    assert_int_equal(it_json_u64(a.json, "txindex"), 0);
    it_resp_free(&a);

    /* Same input again, same block. */
    it_out o2[1] = {{3, 0, 1000}};
    it_resp r = it_pay(d, dep, 1, o2, 1);
    it_assert_error(r, 409, "utxo_spent");
    it_resp_free(&r);

    /* Spending a pending output is fine; spending it twice is not. */
    it_out o3[1] = {{3, 0, 600}};
    it_resp b = it_pay(d, a0, 2, o3, 1);
    assert_int_equal(it_json_u64(b.json, "txindex"), 1);
    it_resp_free(&b);
    r = it_pay(d, a0, 2, o3, 1);
    it_assert_error(r, 409, "utxo_spent");
    it_resp_free(&r);

    assert_int_equal(it_admin_seal(d), 1000);
    /* Across blocks. */
    r = it_pay(d, dep, 1, o2, 1);
    it_assert_error(r, 409, "utxo_spent");
    it_resp_free(&r);
    r = it_pay(d, a0, 2, o3, 1);
    it_assert_error(r, 409, "utxo_spent");
    it_resp_free(&r);

    /* The other ledger errors. */
    uint64_t a1 = plasma_utxo_pos(1000, 0, 1);
    it_out mine_[1] = {{3, 0, 400}};
    r = it_pay(d, a1, 3, mine_, 1);
    it_assert_error(r, 403, "unauthorized_spend");
    it_resp_free(&r);
    it_out over[1] = {{3, 0, 401}};
    r = it_pay(d, a1, 1, over, 1);
    it_assert_error(r, 400, "amounts_do_not_add_up");
    it_resp_free(&r);
    r = it_pay(d, plasma_utxo_pos(1000, 7, 0), 1, over, 1);
    it_assert_error(r, 404, "utxo_not_found");
    it_resp_free(&r);

    json_t *u = it_get_json(d, "/v1/utxos?owner=0x90f79bf6eb2c4f870365e785982e1f101e93b906");
    json_t *list = json_object_get(u, "utxos");
    assert_int_equal(json_array_size(list), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "amount")), "600");
    assert_int_equal(it_json_u64(json_array_get(list, 0), "txindex"), 1);
    json_decref(u);
}

static void test_fee_too_low(void **state)
{
    const char *more[] = {"--min-fee", "5", NULL};
    it_daemon *d = fresh(state, more);
    uint64_t dep = it_rc_deposit(d, 1, 0, 100);
    it_wait_utxo_status(d, dep, 200, 5);
    it_out low[1] = {{2, 0, 96}};
    it_resp r = it_pay(d, dep, 1, low, 1);
    it_assert_error(r, 400, "fee_too_low");
    it_resp_free(&r);
    it_out ok[1] = {{2, 0, 95}};
    r = it_pay(d, dep, 1, ok, 1);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
}

static void test_finality_margin(void **state)
{
    const char *more[] = {"--finality-margin", "2", NULL};
    it_daemon *d = fresh(state, more);
    uint64_t dep = it_rc_deposit(d, 1, 0, 100); /* mined in root-chain block h */
    it_sleep_ms(200);
    it_out o[1] = {{2, 0, 100}};
    it_resp r = it_pay(d, dep, 1, o, 1);
    it_assert_error(r, 404, "utxo_not_found");
    it_resp_free(&r);
    it_rc_mine(d); /* h + 1 */
    it_sleep_ms(200);
    r = it_pay(d, dep, 1, o, 1);
    it_assert_error(r, 404, "utxo_not_found");
    it_resp_free(&r);
    it_rc_mine(d); /* h + 2: buried deep enough */
    it_wait_utxo_status(d, dep, 200, 5);
    r = it_pay(d, dep, 1, o, 1);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
}

/* Starts a standard exit of pos with the operator's exit data. */
static void start_exit(const it_daemon *d, uint64_t pos, unsigned owner)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/utxos/%llu/exit-data", (unsigned long long)pos);
    json_t *ed = it_get_json(d, path);
    plasma_call c;
    plasma_addr a = it_dev_addr(owner);
    plasma_call_init(&c, PLASMA_CALL_START_EXIT, &a, 0, 0, 0);
    c.start_exit.utxo_pos = pos;
    c.start_exit.bond = it_rc_status(d).exit_bond;
    uint8_t *tx = NULL, *proof = NULL;
    size_t tx_len, proof_len;
    assert_int_equal(plasma_hex_decode_alloc(&tx, &tx_len, json_string_value(json_object_get(ed, "tx"))), 0);
    assert_int_equal(
        plasma_hex_decode_alloc(&proof, &proof_len, json_string_value(json_object_get(ed, "proof"))), 0);
    assert_int_equal(proof_len, PLASMA_MERKLE_PROOF_LEN);
    memcpy(c.start_exit.tx, tx, tx_len);
    c.start_exit.tx_len = tx_len;
    memcpy(c.start_exit.proof, proof, proof_len);
    free(tx);
    free(proof);
    json_decref(ed);
    it_rc_call(d, owner, &c);
}

static void test_exit_marks_spent(void **state)
{
    it_daemon *d = fresh(state, NULL);
    uint64_t dep = it_rc_deposit(d, 1, 0, 1000);
    uint64_t dep2 = it_rc_deposit(d, 2, 0, 1000);
    it_wait_utxo_status(d, dep2, 200, 5);
    /* A deposit output exits. */
    start_exit(d, dep, 1);
    it_wait_utxo_status(d, dep, 409, 5);
    it_out o[1] = {{2, 0, 1000}};
    it_resp r = it_pay(d, dep, 1, o, 1);
    it_assert_error(r, 409, "utxo_spent");
    it_resp_free(&r);
    /* A child-block output exits once its block is on the root chain. */
    it_out o2[1] = {{3, 0, 1000}};
    r = it_pay(d, dep2, 2, o2, 1);
    uint64_t out = receipt_pos(&r, 0);
    it_resp_free(&r);
    assert_int_equal(it_admin_seal(d), 1000);
    it_wait_submitted(d, 1000, 10);
    start_exit(d, out, 3);
    it_wait_utxo_status(d, out, 409, 5);
    it_out o3[1] = {{1, 0, 1000}};
    r = it_pay(d, out, 3, o3, 1);
    it_assert_error(r, 409, "utxo_spent");
    it_resp_free(&r);
}

/* Verifies every output's proof of a block against the root chain's root. */
static void check_block_proofs(const it_daemon *d, uint64_t blknum, size_t n_txs)
{
    char path[96];
    plasma_hash root = it_rc_root(d, blknum);
    snprintf(path, sizeof path, "/v1/blocks/%llu", (unsigned long long)blknum);
    json_t *ob = it_get_json(d, path);
    char root_hex[67];
    assert_string_equal(json_string_value(json_object_get(ob, "root")), plasma_hash_format(root_hex, &root));
    assert_int_equal(json_array_size(json_object_get(ob, "txs")), n_txs);
    json_decref(ob);
    for (uint32_t i = 0; i < n_txs; i++) {
        snprintf(path, sizeof path, "/v1/utxos/%llu/exit-data",
                 (unsigned long long)plasma_utxo_pos(blknum, i, 0));
        json_t *ed = it_get_json(d, path);
        uint8_t *tx = NULL, *proof = NULL;
        size_t tx_len, proof_len;
        assert_int_equal(plasma_hex_decode_alloc(&tx, &tx_len, json_string_value(json_object_get(ed, "tx"))),
                         0);
        assert_int_equal(
            plasma_hex_decode_alloc(&proof, &proof_len, json_string_value(json_object_get(ed, "proof"))), 0);
        plasma_hash leaf;
        plasma_merkle_leaf(&leaf, tx, tx_len);
        assert_true(plasma_merkle_verify(&root, &leaf, i, proof, proof_len));
        free(tx);
        free(proof);
        json_decref(ed);
    }
}

static void test_three_token_block_with_fees(void **state)
{
    const char *more[] = {"--min-fee", "2", NULL};
    it_daemon *d = fresh(state, more);
    uint64_t e = it_rc_deposit(d, 1, 0, 1000), t1 = it_rc_deposit(d, 2, 1, 500),
             t2 = it_rc_deposit(d, 3, 2, 300);
    it_wait_utxo_status(d, t2, 200, 5);
    it_out oe[2] = {{2, 0, 900}, {1, 0, 90}};  /* fee 10 ETH-wei */
    it_out o1[1] = {{3, 1, 493}};              /* fee 7 of token 1 */
    it_out o2[2] = {{1, 2, 100}, {3, 2, 197}}; /* fee 3 of token 2 */
    it_resp r = it_pay(d, e, 1, oe, 2);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    r = it_pay(d, t1, 2, o1, 1);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    r = it_pay(d, t2, 3, o2, 2);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    assert_int_equal(it_admin_seal(d), 1000);
    it_wait_submitted(d, 1000, 10);
    check_block_proofs(d, 1000, 6);

    /* Fee outputs belong to the operator, one per token, in token order. */
    const uint64_t fees[3] = {10, 7, 3};
    for (uint32_t k = 0; k < 3; k++) {
        char path[64];
        snprintf(path, sizeof path, "/v1/utxos/%llu", (unsigned long long)plasma_utxo_pos(1000, 3 + k, 0));
        json_t *u = it_get_json(d, path);
        char want[43];
        plasma_addr op0 = it_dev_addr(0), tok = it_token((uint8_t)k);
        assert_string_equal(json_string_value(json_object_get(u, "owner")), plasma_addr_format(want, &op0));
        assert_string_equal(json_string_value(json_object_get(u, "token")), plasma_addr_format(want, &tok));
        assert_int_equal(it_json_u64(u, "amount"), fees[k]);
        json_decref(u);
    }
    /* Deposit blocks verify against the chain too. */
    check_block_proofs(d, plasma_pos_blknum(t1), 1);
}

static void test_block_full(void **state)
{
    const char *more[] = {"--block-capacity", "2", "--max-unsubmitted-blocks", "1", NULL};
    it_daemon *d = fresh(state, more);
    uint64_t dep[5];
    for (int i = 0; i < 5; i++)
        dep[i] = it_rc_deposit(d, 1, 0, 100);
    it_wait_utxo_status(d, dep[4], 200, 5);
    it_out o[1] = {{2, 0, 100}};
    const uint64_t want[4] = {1000, 1000, 2000, 2000};
    for (int i = 0; i < 4; i++) {
        it_resp r = it_pay(d, dep[i], 1, o, 1);
        assert_int_equal(it_json_u64(r.json, "blknum"), want[i]);
        it_resp_free(&r);
    }
    /* 2000 is full, and 1000 is not on the root chain yet. */
    it_resp r = it_pay(d, dep[4], 1, o, 1);
    it_assert_error(r, 503, "block_full");
    it_resp_free(&r);
    it_wait_submitted(d, 1000, 10);
    r = it_pay(d, dep[4], 1, o, 1);
    assert_int_equal(r.status, 200);
    assert_int_equal(it_json_u64(r.json, "blknum"), 3000);
    it_resp_free(&r);
}

static void test_restart_keeps_everything(void **state)
{
    it_daemon *d = fresh(state, NULL);
    uint64_t dep = it_rc_deposit(d, 1, 0, 1000);
    it_wait_utxo_status(d, dep, 200, 5);
    it_out o[2] = {{2, 0, 500}, {1, 0, 500}};
    plasma_hash h1, h2;
    unsigned k1 = 1;
    char *body = it_payment_body(&dep, &k1, 1, o, 2, &h1);
    it_resp r = it_post(d, "/v1/transactions", body);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    free(body);
    assert_int_equal(it_admin_seal(d), 1000);
    it_wait_submitted(d, 1000, 10);
    uint64_t in2 = plasma_utxo_pos(1000, 0, 1);
    body = it_payment_body(&in2, &k1, 1, (it_out[]){{3, 0, 500}}, 1, &h2);
    r = it_post(d, "/v1/transactions", body);
    assert_int_equal(r.status, 200); /* pending in 2000 */
    it_resp_free(&r);
    free(body);

    for (int round = 0; round < 2; round++) {
        if (round == 0)
            it_stop(d);
        else
            it_kill(d);
        it_restart(d);
        char path[128], hex[67];
        snprintf(path, sizeof path, "/v1/transactions/%s", plasma_hash_format(hex, &h1));
        json_t *t = it_get_json(d, path);
        assert_int_equal(it_json_u64(t, "blknum"), 1000);
        json_decref(t);
        snprintf(path, sizeof path, "/v1/transactions/%s", plasma_hash_format(hex, &h2));
        t = it_get_json(d, path);
        assert_int_equal(it_json_u64(t, "blknum"), 2000);
        assert_int_equal(it_json_u64(t, "txindex"), 0);
        json_decref(t);
        json_t *st = it_get_json(d, "/v1/status");
        assert_int_equal(it_json_u64(st, "pending_txs"), 1);
        assert_int_equal(it_json_u64(json_object_get(st, "latest_block"), "blknum"), 1000);
        json_decref(st);
        it_resp x = it_pay(d, in2, 1, (it_out[]){{2, 0, 500}}, 1);
        it_assert_error(x, 409, "utxo_spent");
        it_resp_free(&x);
    }
    assert_int_equal(it_admin_seal(d), 2000);
    it_wait_submitted(d, 2000, 10);
    check_block_proofs(d, 2000, 1);
}

#ifdef PLASMA_ROOTCHAIN_BIN
/* The operator against a separate plasma-rootchain daemon (the remote
 * backend): deposits reach it, and its blocks land on that chain. */
static void test_remote_rootchain(void **state)
{
    char dir[] = "/tmp/plasma-itest-rc-XXXXXX", data[64], port_file[64];
    assert_non_null(mkdtemp(dir));
    snprintf(data, sizeof data, "%s/chain", dir);
    snprintf(port_file, sizeof port_file, "%s/port", dir);
    const char *argv[] = {PLASMA_ROOTCHAIN_BIN, "--dev",   "--port",     "0",
                          "--port-file",        port_file, "--data-dir", data,
                          "--mine-interval-ms", "0",       NULL};
    pid_t rc_pid = tu_spawn(argv, "/dev/null");
    uint16_t rc_port = 0;
    int status = 0;
    if (tu_wait_port_file(port_file, rc_pid, 30, &rc_port, &status) != 1) {
        kill(rc_pid, SIGKILL);
        waitpid(rc_pid, NULL, 0);
        fail_msg("plasma-rootchain did not start (status %d)", status);
    }
    snprintf(it_rc_base, sizeof it_rc_base, "http://127.0.0.1:%u", rc_port);
    it_resp r = {0};

    const char *more[] = {"--rootchain", "sim", "--rpc", it_rc_base, NULL};
    it_daemon *d = fresh(state, more);
    uint64_t dep = it_rc_deposit(d, 1, 0, 1000);
    it_wait_utxo_status(d, dep, 200, 10);
    it_out o[1] = {{2, 0, 1000}};
    r = it_pay(d, dep, 1, o, 1);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    assert_int_equal(it_admin_seal(d), 1000);
    it_wait_submitted(d, 1000, 15);
    check_block_proofs(d, 1000, 1);
    r = it_get(d, "/rootchain/v1/status");
    it_assert_error(r, 404, "not_found"); /* no embedded chain to serve */
    it_resp_free(&r);

    it_rc_base[0] = '\0';
    kill(rc_pid, SIGKILL);
    waitpid(rc_pid, NULL, 0);
    tu_rmtree(dir);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_double_spends, teardown),
        cmocka_unit_test_teardown(test_fee_too_low, teardown),
        cmocka_unit_test_teardown(test_finality_margin, teardown),
        cmocka_unit_test_teardown(test_exit_marks_spent, teardown),
        cmocka_unit_test_teardown(test_three_token_block_with_fees, teardown),
        cmocka_unit_test_teardown(test_block_full, teardown),
        cmocka_unit_test_teardown(test_restart_keeps_everything, teardown),
#ifdef PLASMA_ROOTCHAIN_BIN
        cmocka_unit_test_teardown(test_remote_rootchain, teardown),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
