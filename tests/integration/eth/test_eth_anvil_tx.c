/* eth's sender against a real anvil: ETH transfers and the balances they
 * leave, the nonce over several transactions and after another process
 * used it, a stuck transaction replaced with bumped fees and the
 * replacement's receipt returned, receipts awaited to a number of
 * confirmations, and reverts decoded to the project's errors (the probe
 * contract's custom errors, Error(string), Panic, an unknown error, a
 * transaction that failed on chain). */
#include "eth_itest.h"

static const uint64_t ETHER = 1000000000000000000ull;

/* a - b - c, all in wei */
static plasma_u256 minus(plasma_u256 a, const plasma_u256 *b, const plasma_u256 *c)
{
    assert_int_equal(plasma_u256_sub(&a, &a, b), 0);
    assert_int_equal(plasma_u256_sub(&a, &a, c), 0);
    return a;
}

static void assert_u256_eq(const plasma_u256 *a, const plasma_u256 *b)
{
    char x[PLASMA_U256_DEC_MAX], y[PLASMA_U256_DEC_MAX];
    if (plasma_u256_cmp(a, b) != 0)
        fail_msg("%s != %s", plasma_u256_format_dec(x, a), plasma_u256_format_dec(y, b));
}

static plasma_u256 fee_paid(const plasma_eth_receipt *r)
{
    plasma_u256 fee;
    assert_int_equal(plasma_u256_mul_u64(&fee, &r->effective_gas_price, r->gas_used), 0);
    return fee;
}

static void test_transfers_and_balances(void **state)
{
    (void)state;
    plasma_eth_sender *s = eit_sender(rpc, 1, 0);
    plasma_addr from = eit_addr(1), to = eit_addr(5);
    static const uint64_t AMOUNTS[] = {1 * ETHER, ETHER / 4, 1};
    for (size_t i = 0; i < 3; i++) {
        plasma_u256 from0 = eit_balance(rpc, &from), to0 = eit_balance(rpc, &to);
        plasma_eth_txreq req = {.to = to, .value = plasma_u256_from_u64(AMOUNTS[i])};
        plasma_eth_receipt r;
        assert_int_equal(plasma_eth_sender_transact(s, &req, &r), 0);
        assert_true(r.success);
        assert_int_equal(r.gas_used, 21000);
        assert_int_equal(r.replacements, 0);
        assert_false(r.has_contract);
        plasma_u256 to1 = eit_balance(rpc, &to), from1 = eit_balance(rpc, &from), want;
        assert_int_equal(plasma_u256_add(&want, &to0, &req.value), 0);
        assert_u256_eq(&to1, &want);
        plasma_u256 fee = fee_paid(&r);
        want = minus(from0, &req.value, &fee);
        assert_u256_eq(&from1, &want);
    }
    plasma_eth_sender_free(s);
}

static bool has_receipt(const plasma_hash *hash);

/* Five transactions in flight at once take consecutive nonces; one sent
 * by someone else with the same key makes the next send resynchronise. */
static void test_nonce_management(void **state)
{
    (void)state;
    plasma_eth_sender *s = eit_sender(rpc, 2, 0);
    plasma_addr me = eit_addr(2), to = eit_addr(6);
    uint64_t n0;
    assert_int_equal(plasma_eth_sender_next_nonce(s, &n0), 0);
    assert_int_equal(n0, eit_mined_nonce(&me));
    plasma_eth_pending *p[5];
    for (int i = 0; i < 5; i++) {
        plasma_eth_txreq req = {.to = to, .value = plasma_u256_from_u64(1000 + (uint64_t)i)};
        assert_int_equal(plasma_eth_sender_send(s, &req, &p[i]), 0);
        assert_int_equal(plasma_eth_pending_last(p[i])->nonce, n0 + (uint64_t)i);
    }
    for (int i = 0; i < 5; i++) {
        plasma_eth_receipt r;
        assert_int_equal(plasma_eth_sender_wait(s, p[i], &r), 0);
        assert_true(r.success);
        assert_int_equal(r.nonce, n0 + (uint64_t)i);
        if (i < 4)
            plasma_eth_pending_free(p[i]);
    }
    /* p[4] stays alive: with a transaction in flight the sender counts
     * nonces itself instead of asking the node. */
    assert_int_equal(eit_mined_nonce(&me), n0 + 5);

    /* Another process spends nonce n0 + 5. */
    plasma_privkey key = eit_key(2);
    plasma_eth_tx tx = {.chain_id = 31337,
                        .nonce = n0 + 5,
                        .max_priority_fee = plasma_u256_from_u64(2000000000),
                        .max_fee = plasma_u256_from_u64(100000000000ull),
                        .gas_limit = 21000,
                        .to = to,
                        .value = plasma_u256_from_u64(7)};
    plasma_buf raw = {0};
    plasma_hash foreign;
    assert_int_equal(plasma_eth_tx_sign(&raw, &foreign, &tx, &key), 0);
    json_t *params = json_pack("[o]", plasma_eth_data_json(raw.data, raw.len)), *res = NULL;
    assert_int_equal(plasma_eth_rpc_call(rpc, "eth_sendRawTransaction", params, &res), 0);
    json_decref(res);
    json_decref(params);
    plasma_buf_free(&raw);
    plasma_wipe(&key, sizeof key);
    for (double t0 = tu_now(); !has_receipt(&foreign); tu_sleep_ms(10))
        assert_true(tu_now() - t0 < 10);
    assert_int_equal(eit_mined_nonce(&me), n0 + 6);

    uint64_t local;
    assert_int_equal(plasma_eth_sender_next_nonce(s, &local), 0);
    assert_int_equal(local, n0 + 5); /* the sender does not know yet */
    plasma_eth_txreq req = {.to = to, .value = plasma_u256_from_u64(9)};
    plasma_eth_receipt r;
    assert_int_equal(plasma_eth_sender_transact(s, &req, &r), 0);
    assert_int_equal(r.nonce, n0 + 6);
    assert_int_equal(eit_mined_nonce(&me), n0 + 7);
    plasma_eth_pending_free(p[4]);
    plasma_eth_sender_free(s);
}

/* --- a stuck transaction --- */

typedef struct stuck_ctx {
    pthread_mutex_t mu;
    plasma_eth_sent sent[8];
    int n_sent;
    bool stop;
} stuck_ctx;

static void on_sent(void *ctx, const plasma_eth_sent *sent)
{
    stuck_ctx *c = ctx;
    pthread_mutex_lock(&c->mu);
    if (c->n_sent < 8)
        c->sent[c->n_sent++] = *sent;
    pthread_mutex_unlock(&c->mu);
}

/* Mines one block once a replacement has been sent. */
static void *miner(void *arg)
{
    stuck_ctx *c = arg;
    plasma_eth_rpc *own = eit_rpc(anvil.url, 3);
    for (;;) {
        pthread_mutex_lock(&c->mu);
        bool go = c->n_sent >= 2, stop = c->stop;
        pthread_mutex_unlock(&c->mu);
        if (go) {
            json_t *params = json_array(), *res = NULL;
            plasma_eth_rpc_call(own, "evm_mine", params, &res);
            json_decref(res);
            json_decref(params);
            break;
        }
        if (stop)
            break;
        tu_sleep_ms(20);
    }
    plasma_eth_rpc_free(own);
    return NULL;
}

static plasma_u256 tx_field(const plasma_hash *hash, const char *field)
{
    char hex[67];
    char params[96];
    snprintf(params, sizeof params, "[\"%s\"]", plasma_hash_format(hex, hash));
    json_t *tx = eit_call(rpc, "eth_getTransactionByHash", params);
    plasma_u256 v;
    assert_int_equal(plasma_eth_quantity_u256(&v, json_object_get(tx, field)), 0);
    json_decref(tx);
    return v;
}

static bool has_receipt(const plasma_hash *hash)
{
    char hex[67];
    char params[96];
    snprintf(params, sizeof params, "[\"%s\"]", plasma_hash_format(hex, hash));
    json_t *r = eit_call(rpc, "eth_getTransactionReceipt", params);
    bool found = !json_is_null(r);
    json_decref(r);
    return found;
}

/* With mining stopped, the transaction waits; after replace_after_ms the
 * sender replaces it (same nonce, both fees up by at least 12.5 %), and
 * the block mined after that holds the replacement, whose receipt is the
 * one returned. */
static void test_stuck_transaction_replaced(void **state)
{
    (void)state;
    stuck_ctx c = {.mu = PTHREAD_MUTEX_INITIALIZER};
    plasma_eth_sender_config cfg;
    plasma_eth_sender_config_default(&cfg);
    cfg.key = eit_key(3);
    cfg.chain_id = 31337;
    cfg.confirmations = 0;
    cfg.poll_ms = 25;
    cfg.replace_after_ms = 300;
    cfg.wait_timeout_ms = 20000;
    cfg.on_sent = on_sent;
    cfg.ctx = &c;
    plasma_eth_sender *s = NULL;
    assert_int_equal(plasma_eth_sender_new(&s, rpc, &cfg), 0);

    eit_automine(rpc, false);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, miner, &c), 0);
    plasma_eth_txreq req = {.to = eit_addr(7), .value = plasma_u256_from_u64(12345)};
    plasma_eth_receipt r;
    int rc = plasma_eth_sender_transact(s, &req, &r);
    pthread_mutex_lock(&c.mu);
    c.stop = true;
    pthread_mutex_unlock(&c.mu);
    pthread_join(th, NULL);
    eit_automine(rpc, true);
    if (rc != 0)
        fail_msg("transact: %s", plasma_eth_sender_errmsg(s));

    assert_true(c.n_sent >= 2);
    const plasma_eth_sent *first = &c.sent[0], *last = &c.sent[c.n_sent - 1];
    assert_int_equal(first->replacement, 0);
    assert_int_equal(last->replacement, (unsigned)c.n_sent - 1);
    assert_int_equal(last->nonce, first->nonce);
    assert_int_equal(r.replacements, (unsigned)c.n_sent - 1);
    assert_true(r.success);
    assert_int_equal(r.nonce, first->nonce);
    assert_true(plasma_hash_eq(&r.tx_hash, &last->hash));
    assert_false(plasma_hash_eq(&r.tx_hash, &first->hash));
    assert_false(has_receipt(&first->hash));

    /* the mined transaction carries the bumped fees: ≥ 9/8 of the first's */
    plasma_u256 fee = tx_field(&r.tx_hash, "maxFeePerGas"),
                tip = tx_field(&r.tx_hash, "maxPriorityFeePerGas");
    plasma_u256 fee8, tip8, first_fee9, first_tip9;
    assert_int_equal(plasma_u256_mul_u64(&fee8, &fee, 8), 0);
    assert_int_equal(plasma_u256_mul_u64(&tip8, &tip, 8), 0);
    assert_int_equal(plasma_u256_mul_u64(&first_fee9, &first->fees.max_fee, 9), 0);
    assert_int_equal(plasma_u256_mul_u64(&first_tip9, &first->fees.max_priority_fee, 9), 0);
    assert_true(plasma_u256_cmp(&fee8, &first_fee9) >= 0);
    assert_true(plasma_u256_cmp(&tip8, &first_tip9) >= 0);
    assert_u256_eq(&fee, &last->fees.max_fee);
    plasma_eth_sender_free(s);
}

/* A receipt is returned once the configured number of blocks is on top of
 * its block, not before. */
static void test_confirmations(void **state)
{
    (void)state;
    plasma_eth_sender *s = eit_sender(rpc, 4, 3);
    plasma_eth_txreq req = {.to = eit_addr(8), .value = plasma_u256_from_u64(1)};
    plasma_eth_pending *p = NULL;
    assert_int_equal(plasma_eth_sender_send(s, &req, &p), 0);
    /* anvil mines as the transaction arrives, but may answer before */
    for (double t0 = tu_now(); !has_receipt(&plasma_eth_pending_last(p)->hash); tu_sleep_ms(10))
        assert_true(tu_now() - t0 < 10);
    uint64_t mined_at = eit_head(rpc);
    plasma_eth_receipt r;
    bool done = true;
    assert_int_equal(plasma_eth_pending_poll(s, p, &done, &r), 0);
    assert_false(done);
    eit_mine(rpc, 2);
    assert_int_equal(plasma_eth_pending_poll(s, p, &done, &r), 0);
    assert_false(done);
    eit_mine(rpc, 1);
    assert_int_equal(plasma_eth_pending_poll(s, p, &done, &r), 0);
    assert_true(done);
    assert_int_equal(r.block_number, mined_at);
    assert_int_equal(eit_head(rpc) - r.block_number, 3);
    assert_true(plasma_hash_eq(&r.tx_hash, &plasma_eth_pending_last(p)->hash));
    plasma_eth_pending_free(p);
    plasma_eth_sender_free(s);
}

/* --- reverts --- */

static int call_probe(const plasma_addr *probe, const char *signature, const plasma_eth_abi_value *args,
                      size_t n)
{
    plasma_buf data = {0}, ret = {0};
    assert_int_equal(plasma_eth_abi_encode_call(&data, signature, args, n), 0);
    int rc = plasma_eth_call(rpc, NULL, probe, NULL, data.data, data.len, NULL, &ret);
    plasma_buf_free(&data);
    plasma_buf_free(&ret);
    return rc;
}

static void test_reverts_decoded(void **state)
{
    (void)state;
    plasma_eth_sender *s = eit_sender(rpc, 6, 0);
    plasma_addr probe = eit_deploy_probe(s, NULL);
    plasma_eth_contract *c = NULL;
    assert_int_equal(plasma_eth_contract_new(&c, rpc, &probe), 0);

    /* the §9 views the probe has, through the contract handle */
    plasma_addr op;
    plasma_u256 v;
    assert_int_equal(plasma_eth_contract_operator(c, &op), 0);
    assert_true(plasma_addr_eq(&op, plasma_eth_sender_address(s)));
    assert_int_equal(plasma_eth_contract_uint(c, PLASMA_ETH_FN_NEXT_CHILD_BLOCK, &v), 0);
    assert_int_equal(v.w[0], 1000);
    assert_int_equal(plasma_eth_contract_uint(c, PLASMA_ETH_FN_OPERATOR, &v), PLASMA_ERR_BAD_REQUEST);

    /* a refused deposit: the contract's BadAmount() is bad_amount, and no
     * nonce is used */
    uint64_t n0, n1;
    assert_int_equal(plasma_eth_sender_next_nonce(s, &n0), 0);
    plasma_addr eth = {{0}};
    plasma_u256 five = plasma_u256_from_u64(5);
    plasma_buf data = {0};
    assert_int_equal(plasma_eth_encode_deposit(&data, &eth, &five), 0);
    plasma_eth_txreq req = {
        .to = probe, .value = plasma_u256_from_u64(4), .data = data.data, .data_len = data.len};
    plasma_eth_receipt r;
    assert_int_equal(plasma_eth_sender_transact(s, &req, &r), PLASMA_ERR_BAD_AMOUNT);
    assert_non_null(strstr(plasma_eth_sender_errmsg(s), "BadAmount()"));
    assert_int_equal(plasma_eth_sender_next_nonce(s, &n1), 0);
    assert_int_equal(n1, n0);
    /* the same deposit with the right value */
    req.value = five;
    assert_int_equal(plasma_eth_contract_transact(c, s, &data, &five, &r), 0);
    assert_int_equal(plasma_eth_contract_uint(c, PLASMA_ETH_FN_NEXT_DEPOSIT_BLOCK, &v), 0);
    assert_int_equal(v.w[0], 2);

    /* submitBlock by someone else: NotOperator() is not_operator */
    plasma_eth_sender *other = eit_sender(rpc, 7, 0);
    plasma_hash root = {{0x42}};
    plasma_buf sub = {0};
    assert_int_equal(plasma_eth_encode_submit_block(&sub, &root), 0);
    assert_int_equal(plasma_eth_contract_transact(c, other, &sub, NULL, &r), PLASMA_ERR_NOT_OPERATOR);
    assert_int_equal(plasma_eth_contract_transact(c, s, &sub, NULL, &r), 0);

    /* Error(string), Panic, an error outside the table */
    assert_int_equal(call_probe(&probe, "failString()", NULL, 0), PLASMA_ERR_REVERTED);
    const plasma_eth_rpc_error *e = plasma_eth_rpc_last_error(rpc);
    assert_true(e->reverted);
    assert_string_equal(e->revert.name, "Error");
    assert_string_equal(e->revert.reason, "plain reason");
    plasma_eth_abi_value zero = plasma_eth_abi_u64(0);
    assert_int_equal(call_probe(&probe, "failPanic(uint256)", &zero, 1), PLASMA_ERR_REVERTED);
    assert_string_equal(e->revert.name, "Panic");
    assert_string_equal(e->revert.reason, "0x12 division by zero");
    int urc = call_probe(&probe, "failUnlisted()", NULL, 0);
    if (urc != PLASMA_ERR_REVERTED)
        fail_msg("failUnlisted: %d %s", urc, e->message);
    uint8_t sel[4];
    char want[16];
    plasma_eth_abi_selector(sel, "Unlisted(uint256)");
    plasma_hex_encode(want, sel, 4);
    assert_string_equal(e->revert.name, want);

    /* A transaction that fails on chain (its gas given, so not estimated):
     * mined with status 0, the nonce used, and the reason found by
     * replaying it. */
    assert_int_equal(plasma_eth_sender_next_nonce(s, &n0), 0);
    req.value = plasma_u256_from_u64(3);
    req.gas_limit = 100000;
    memset(&r, 0, sizeof r);
    assert_int_equal(plasma_eth_sender_transact(s, &req, &r), PLASMA_ERR_BAD_AMOUNT);
    assert_false(r.success);
    assert_int_equal(r.nonce, n0);
    assert_true(r.block_number > 0);
    assert_int_equal(plasma_eth_sender_next_nonce(s, &n1), 0);
    assert_int_equal(n1, n0 + 1);

    plasma_buf_free(&data);
    plasma_buf_free(&sub);
    plasma_eth_contract_free(c);
    plasma_eth_sender_free(other);
    plasma_eth_sender_free(s);
}

/* An account with nothing: insufficient_funds, not a generic error. */
static void test_insufficient_funds(void **state)
{
    (void)state;
    plasma_eth_sender_config cfg;
    plasma_eth_sender_config_default(&cfg);
    assert_int_equal(plasma_privkey_generate(&cfg.key), 0);
    cfg.chain_id = 31337;
    plasma_eth_sender *s = NULL;
    assert_int_equal(plasma_eth_sender_new(&s, rpc, &cfg), 0);
    plasma_wipe(&cfg.key, sizeof cfg.key);
    plasma_eth_txreq req = {.to = eit_addr(1), .value = plasma_u256_from_u64(ETHER)};
    plasma_eth_receipt r;
    assert_int_equal(plasma_eth_sender_transact(s, &req, &r), PLASMA_ERR_INSUFFICIENT_FUNDS);
    assert_true(strlen(plasma_eth_sender_errmsg(s)) > 0);
    plasma_eth_sender_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transfers_and_balances),
        cmocka_unit_test(test_nonce_management),
        cmocka_unit_test(test_stuck_transaction_replaced),
        cmocka_unit_test(test_confirmations),
        cmocka_unit_test(test_reverts_decoded),
        cmocka_unit_test(test_insufficient_funds),
    };
    return cmocka_run_group_tests(tests, eit_group_setup, eit_group_teardown);
}
