/* The operator on a real Ethereum chain, end to end: anvil on a free
 * loopback port, PlasmaRootChain deployed by plasma-deploy, plasma-operator
 * --rootchain eth against it. Deposits of ETH and of TestToken, payments
 * through the operator, the block's root on chain, standard exits (one
 * challenged), their processing after evm_increaseTime, and every balance
 * on chain to the wei. */
#include "op_eth_itest.h"
#include "plasma/client.h"

typedef struct e2e {
    oe_chain c;
    it_daemon op;
    plasma_addr token;
} e2e;

static json_t *get_json(const it_daemon *d, const char *fmt, uint64_t n)
{
    char path[128];
    snprintf(path, sizeof path, fmt, (unsigned long long)n);
    return it_get_json(d, path);
}

/* startStandardExit of pos as account `from`, with the operator's exit data. */
static plasma_eth_receipt start_exit(e2e *t, int from, uint64_t pos)
{
    json_t *ed = get_json(&t->op, "/v1/utxos/%llu/exit-data", pos);
    size_t tx_len, proof_len;
    uint8_t *tx = tu_hex(tu_str(ed, "tx"), &tx_len), *proof = tu_hex(tu_str(ed, "proof"), &proof_len);
    json_decref(ed);
    plasma_buf call = {0};
    assert_int_equal(plasma_eth_encode_start_standard_exit(&call, pos, (plasma_eth_bytes){tx, tx_len},
                                                           (plasma_eth_bytes){proof, proof_len}),
                     0);
    plasma_eth_receipt r = oe_call(from, &t->c.contract, &call, &t->c.exit_bond);
    plasma_buf_free(&call);
    free(tx);
    free(proof);
    return r;
}

/* The SignedTx of txhash as the operator serves it (caller frees). */
static uint8_t *signed_tx(e2e *t, const plasma_hash *txhash, size_t *len)
{
    char hex[67], path[128];
    snprintf(path, sizeof path, "/v1/transactions/%s", plasma_hash_format(hex, txhash));
    json_t *j = it_get_json(&t->op, path);
    uint8_t *tx = tu_hex(tu_str(j, "tx"), len);
    json_decref(j);
    return tx;
}

/* challengeStandardExit of exit_id with the payment txhash (which spends it
 * at input 0), as account `from`. */
static plasma_eth_receipt challenge(e2e *t, int from, uint64_t exit_id, const plasma_hash *txhash)
{
    size_t len;
    uint8_t *tx = signed_tx(t, txhash, &len);
    plasma_buf call = {0};
    assert_int_equal(
        plasma_eth_encode_challenge_standard_exit(&call, exit_id, (plasma_eth_bytes){tx, len}, 0), 0);
    plasma_eth_receipt r = oe_call(from, &t->c.contract, &call, NULL);
    plasma_buf_free(&call);
    free(tx);
    return r;
}

static void process(e2e *t, const plasma_addr *token)
{
    plasma_buf call = {0};
    assert_int_equal(plasma_eth_encode_process_exits(&call, token, 10), 0);
    oe_call(4, &t->c.contract, &call, NULL);
    plasma_buf_free(&call);
}

static char *payment(uint64_t input, unsigned key, const it_out *outs, int n, plasma_hash *txhash)
{
    return it_payment_body(&input, &key, 1, outs, n, txhash);
}

static void post_ok(e2e *t, const char *body)
{
    it_resp r = it_post(&t->op, "/v1/transactions", body);
    if (r.status != 200)
        fail_msg("payment refused: %ld %s", r.status, r.body);
    it_resp_free(&r);
}

static plasma_u256 u(uint64_t v)
{
    return plasma_u256_from_u64(v);
}

static void add(plasma_u256 *a, const plasma_u256 *b)
{
    assert_int_equal(plasma_u256_add(a, a, b), 0);
}

static void assert_u256_eq(const plasma_u256 *a, const plasma_u256 *b)
{
    char x[80], y[80];
    if (plasma_u256_cmp(a, b) != 0)
        fail_msg("%s != %s", plasma_u256_format_dec(x, a), plasma_u256_format_dec(y, b));
}

#define ETH 1000000000000000000ull

static void test_end_to_end(void **state)
{
    (void)state;
    e2e t;
    t.c = oe_deploy(anvil.url, "");
    assert_int_equal(t.c.deploy_block, 1);
    oe_start_operator(&t.op, anvil.url, &t.c, NULL);

    /* Deposits: 1 ETH by account 1, 100 tokens by account 2. */
    uint64_t d_eth = oe_deposit_eth(&t.c, 1, ETH);
    t.token = oe_deploy_token();
    uint64_t d_tok = oe_deposit_token(&t.c, &t.token, 2, 100);
    it_wait_utxo_status(&t.op, d_eth, 200, 10);
    it_wait_utxo_status(&t.op, d_tok, 200, 10);
    assert_int_equal(oe_token_balance(&t.token, &t.c.contract), 100);

    /* Payments: 0.25 ETH to account 2, 40 tokens to account 3. */
    plasma_hash pay_eth;
    it_out eth_outs[2] = {{2, 0, ETH / 4}, {1, 0, 3 * ETH / 4}};
    char *body = payment(d_eth, 1, eth_outs, 2, &pay_eth);
    post_ok(&t, body);
    free(body);
    /* it_payment_body names tokens by tag; the token deposit is paid in its
     * real address, so that payment is signed here. */
    plasma_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.tx_type = PLASMA_TX_PAYMENT;
    tx.n_inputs = 1;
    tx.inputs[0] = d_tok;
    tx.n_outputs = 2;
    tx.outputs[0] = (plasma_output){eit_addr(3), t.token, u(40)};
    tx.outputs[1] = (plasma_output){eit_addr(2), t.token, u(60)};
    plasma_domain dom;
    plasma_domain_dev(&dom);
    plasma_privkey k2 = eit_key(2);
    assert_int_equal(plasma_tx_sign_input(&tx, &dom, 0, &k2), 0);
    plasma_buf rlp = {0};
    assert_int_equal(plasma_tx_encode_signed(&rlp, &tx), 0);
    body = it_tx_body(rlp.data, rlp.len);
    plasma_buf_free(&rlp);
    post_ok(&t, body);
    free(body);

    /* The block and its root on chain. */
    assert_int_equal(it_admin_seal(&t.op), 1000);
    oe_wait_submitted(&t.op, 1000, 15);
    plasma_eth_block_view on_chain = oe_block(&t.c, 1000);
    plasma_hash root = oe_operator_root(&t.op, 1000);
    assert_true(plasma_hash_eq(&on_chain.root, &root));
    assert_int_equal(oe_view_u64(&t.c, PLASMA_ETH_FN_NEXT_CHILD_BLOCK), 2000);

    /* Exits: account 2's 0.25 ETH, account 3's 40 tokens; account 1 exits
     * its spent deposit and account 5 challenges that with the payment. */
    uint64_t x_eth = plasma_utxo_pos(1000, 0, 0), x_tok = plasma_utxo_pos(1000, 1, 0);
    plasma_addr a1 = eit_addr(1), a2 = eit_addr(2), a3 = eit_addr(3), a5 = eit_addr(5), eth0 = {{0}};
    plasma_u256 contract_before = eit_balance(rpc, &t.c.contract);
    start_exit(&t, 2, x_eth);
    start_exit(&t, 3, x_tok);
    start_exit(&t, 1, d_eth);
    plasma_u256 a5_before = eit_balance(rpc, &a5);
    plasma_eth_receipt ch = challenge(&t, 5, d_eth, &pay_eth);
    plasma_u256 a5_want = a5_before, a5_cost = oe_gas_cost(&ch);
    add(&a5_want, &t.c.exit_bond);
    assert_int_equal(plasma_u256_sub(&a5_want, &a5_want, &a5_cost), 0);
    plasma_u256 a5_now = eit_balance(rpc, &a5);
    assert_u256_eq(&a5_now, &a5_want);
    assert_int_equal(oe_exit(&t.c, d_eth).state, 2);

    /* The operator follows the exits: the exiting outputs cannot be spent. */
    it_wait_utxo_status(&t.op, x_eth, 409, 10);
    it_wait_utxo_status(&t.op, x_tok, 409, 10);
    it_out again[1] = {{3, 0, ETH / 4}};
    body = payment(x_eth, 2, again, 1, NULL);
    it_resp r = it_post(&t.op, "/v1/transactions", body);
    it_assert_error(r, 409, "utxo_spent");
    it_resp_free(&r);
    free(body);

    /* Processing after the exit period (1 hour, twice for a child block). */
    plasma_u256 a1_before = eit_balance(rpc, &a1), a2_before = eit_balance(rpc, &a2),
                a3_before = eit_balance(rpc, &a3);
    eit_call_void(rpc, "evm_increaseTime", "[10800]");
    eit_mine(rpc, 1);
    process(&t, &eth0);
    process(&t, &t.token);
    assert_int_equal(oe_exit(&t.c, x_eth).state, 3);
    assert_int_equal(oe_exit(&t.c, x_tok).state, 3);
    plasma_u256 want = a2_before, got = eit_balance(rpc, &a2), quarter = u(ETH / 4);
    add(&want, &quarter);
    add(&want, &t.c.exit_bond);
    assert_u256_eq(&got, &want);
    want = a3_before;
    add(&want, &t.c.exit_bond);
    got = eit_balance(rpc, &a3);
    assert_u256_eq(&got, &want);
    got = eit_balance(rpc, &a1);
    assert_u256_eq(&got, &a1_before);
    assert_int_equal(oe_token_balance(&t.token, &a3), 40);
    assert_int_equal(oe_token_balance(&t.token, &t.c.contract), 60);
    /* The contract kept the three bonds it was paid but paid out two and a
     * challenge's: 0.25 ETH left it. */
    want = contract_before;
    assert_int_equal(plasma_u256_sub(&want, &want, &quarter), 0);
    got = eit_balance(rpc, &t.c.contract);
    assert_u256_eq(&got, &want);

    it_stop(&t.op);
    it_cleanup(&t.op);
}

/* --- an in-flight exit --- */

/* startInFlightExit of txhash as account `from`, with the operator's data. */
static plasma_u256 start_ife(e2e *t, int from, const plasma_hash *txhash, const plasma_u256 *bond)
{
    char hex[67], path[160];
    snprintf(path, sizeof path, "/v1/transactions/%s/in-flight-exit-data", plasma_hash_format(hex, txhash));
    json_t *d = it_get_json(&t->op, path);
    size_t n = json_array_size(json_object_get(d, "input_txs"));
    assert_true(n >= 1 && n <= 4);
    plasma_eth_bytes tx, txs[4], proofs[4];
    uint64_t pos[4];
    size_t len;
    tx.data = tu_hex(tu_str(d, "tx"), &len);
    tx.len = len;
    for (size_t i = 0; i < n; i++) {
        txs[i].data = tu_hex(json_string_value(json_array_get(json_object_get(d, "input_txs"), i)), &len);
        txs[i].len = len;
        proofs[i].data =
            tu_hex(json_string_value(json_array_get(json_object_get(d, "input_proofs"), i)), &len);
        proofs[i].len = len;
        pos[i] =
            strtoull(json_string_value(json_array_get(json_object_get(d, "input_utxo_pos"), i)), NULL, 10);
    }
    json_decref(d);
    plasma_buf call = {0};
    assert_int_equal(plasma_eth_encode_start_in_flight_exit(&call, tx, txs, n, pos, n, proofs, n), 0);
    oe_call(from, &t->c.contract, &call, bond);
    plasma_buf_free(&call);
    for (size_t i = 0; i < n; i++) {
        free((void *)txs[i].data);
        free((void *)proofs[i].data);
    }
    free((void *)tx.data);
    plasma_u256 id;
    assert_int_equal(plasma_u256_from_be(&id, txhash->b, 32), 0);
    id.w[3] |= 1ull << 63;
    return id;
}

static plasma_eth_receipt piggyback(e2e *t, int from, const plasma_hash *txhash, bool output, uint64_t index,
                                    const plasma_u256 *bond)
{
    size_t len;
    uint8_t *tx = signed_tx(t, txhash, &len);
    plasma_buf call = {0};
    assert_int_equal(plasma_eth_encode_piggyback(&call, output, (plasma_eth_bytes){tx, len}, index), 0);
    plasma_eth_receipt r = oe_call(from, &t->c.contract, &call, bond);
    plasma_buf_free(&call);
    free(tx);
    return r;
}

/* Waits until a payment of pos by key answers status and code. */
static void wait_spend_refused(e2e *t, uint64_t pos, unsigned key, long status, const char *code)
{
    it_out outs[1] = {{9, 0, 1}};
    double deadline = it_now() + 15;
    for (;;) {
        char *body = payment(pos, key, outs, 1, NULL);
        it_resp r = it_post(&t->op, "/v1/transactions", body);
        free(body);
        bool done = r.status == status && strcmp(it_code(&r), code) == 0;
        it_resp_free(&r);
        if (done)
            return;
        if (it_now() > deadline)
            fail_msg("spending %llu never answered %ld %s; log in %s", (unsigned long long)pos, status, code,
                     t->op.log);
        it_sleep_ms(50);
    }
}

/* A payment in a submitted block exited in flight through its outputs: the
 * recipient piggybacks its output, the sender its input; after processing
 * the contract has paid them, and the operator, which followed the exit's
 * start and read its inputs from the call's data, refuses spends of the
 * outputs the contract finalized and takes the others. */
static void test_in_flight_exit(void **state)
{
    (void)state;
    e2e t;
    t.c = oe_deploy(anvil.url, "");
    oe_start_operator(&t.op, anvil.url, &t.c, NULL);
    plasma_u256 ife_bond = oe_view_uint(&t.c, PLASMA_ETH_FN_IFE_BOND),
                pb_bond = oe_view_uint(&t.c, PLASMA_ETH_FN_PIGGYBACK_BOND);
    uint64_t d = oe_deposit_eth(&t.c, 1, ETH);
    it_wait_utxo_status(&t.op, d, 200, 10);
    it_out first[2] = {{2, 0, ETH / 4}, {1, 0, 3 * ETH / 4}};
    char *body = payment(d, 1, first, 2, NULL);
    post_ok(&t, body);
    free(body);
    assert_int_equal(it_admin_seal(&t.op), 1000);
    plasma_hash txhash;
    it_out outs[2] = {{6, 0, ETH / 2}, {1, 0, ETH / 4}};
    body = payment(plasma_utxo_pos(1000, 0, 1), 1, outs, 2, &txhash);
    post_ok(&t, body);
    free(body);
    assert_int_equal(it_admin_seal(&t.op), 2000);
    oe_wait_submitted(&t.op, 2000, 15);

    plasma_addr a1 = eit_addr(1), a6 = eit_addr(6), eth0 = {{0}};
    plasma_u256 id = start_ife(&t, 1, &txhash, &ife_bond);
    piggyback(&t, 1, &txhash, false, 0, &pb_bond);
    piggyback(&t, 6, &txhash, true, 0, &pb_bond);
    plasma_eth_contract *k = NULL;
    plasma_eth_ife_view v;
    assert_int_equal(plasma_eth_contract_new(&k, rpc, &t.c.contract), 0);
    assert_int_equal(plasma_eth_contract_ife(k, &id, &v), 0);
    assert_true(v.canonical);
    assert_int_equal(v.inputs_piggybacked, 1);
    assert_int_equal(v.outputs_piggybacked, 1);

    plasma_u256 a1_before = eit_balance(rpc, &a1), a6_before = eit_balance(rpc, &a6);
    eit_call_void(rpc, "evm_increaseTime", "[10800]");
    eit_mine(rpc, 1);
    process(&t, &eth0);
    assert_int_equal(plasma_eth_contract_ife(k, &id, &v), 0);
    assert_int_equal(v.start, 0); /* processed and deleted */
    plasma_eth_contract_free(k);
    /* The output's owner: half an ETH and its bond; the sender: both bonds back. */
    plasma_u256 want = a6_before, got = eit_balance(rpc, &a6), half = u(ETH / 2);
    add(&want, &half);
    add(&want, &pb_bond);
    assert_u256_eq(&got, &want);
    want = a1_before;
    add(&want, &pb_bond);
    add(&want, &ife_bond);
    got = eit_balance(rpc, &a1);
    assert_u256_eq(&got, &want);

    /* The operator marks what the contract finalized: the piggybacked
     * output (paid) and the input (the exit went through its outputs). */
    wait_spend_refused(&t, plasma_utxo_pos(2000, 0, 0), 6, 409, "input_finalized");
    wait_spend_refused(&t, plasma_utxo_pos(1000, 0, 1), 1, 409, "input_finalized");
    it_out rest[1] = {{3, 0, ETH / 4}};
    body = payment(plasma_utxo_pos(2000, 0, 1), 1, rest, 1, NULL);
    post_ok(&t, body);
    free(body);
    assert_true(oe_log_has(&t.op, "event=output_finalized"));
    it_stop(&t.op);
    it_cleanup(&t.op);
}

/* --- keystores, and what the operator refuses at start --- */

/* Runs plasma-operator with args (and a free port, a fresh data dir); it
 * must exit with status 2 and a line containing want. */
static void refused_with(const char *dir, const char *args, const char *want, int status)
{
    char cmd[4096], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s --port 0 --data-dir %s/refused %s 2>&1", PLASMA_OPERATOR_BIN, dir, args);
    int st = oe_run(cmd, &out);
    if (st != status || !strstr(out, want))
        fail_msg("plasma-operator %s: status %d, \"%s\" (wanted %d and \"%s\")", args, st, out, status, want);
    assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out)); /* one line */
    free(out);
}

/* Refused as a configuration error: exit status 2. */
static void refused(const char *dir, const char *args, const char *want)
{
    refused_with(dir, args, want, 2);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A key of no development account, in a keystore file under dir. */
static plasma_addr make_keystore(const char *dir, char *path, size_t len)
{
    plasma_privkey key;
    plasma_addr addr;
    plasma_keccak256((plasma_hash *)key.b, (const uint8_t *)"ethop keystore", 14);
    assert_int_equal(plasma_privkey_addr(&addr, &key), 0);
    json_t *ks = NULL;
    assert_int_equal(plasma_keystore_encrypt(&ks, &key, "pw-123", 1024), 0);
    assert_int_equal(plasma_keystore_save(ks, dir, path, len), 0);
    json_decref(ks);
    return addr;
}

static void fund(const plasma_addr *to, uint64_t wei)
{
    plasma_buf none = {0};
    plasma_u256 v = u(wei);
    oe_call(8, to, &none, &v);
}

static void test_keystore_and_refusals(void **state)
{
    (void)state;
    char dir[] = "/tmp/plasma-ethop-ks-XXXXXX", ks[512], pw[600], bad[600], cmd[1400], *out = NULL;
    assert_non_null(mkdtemp(dir));
    plasma_addr addr = make_keystore(dir, ks, sizeof ks);
    snprintf(pw, sizeof pw, "%s/pw", dir);
    snprintf(bad, sizeof bad, "%s/bad", dir);
    write_text(pw, "pw-123\n");
    write_text(bad, "not-it\n");
    fund(&addr, 10 * ETH);

    /* plasma-deploy from the keystore, the password from the environment. */
    snprintf(
        cmd, sizeof cmd,
        "PLASMA_PASSWORD=pw-123 %s --rpc %s --keystore %s --confirmations 0 --min-exit-period 7200 --json",
        PLASMA_DEPLOY_BIN, anvil.url, ks);
    assert_int_equal(oe_run(cmd, &out), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    free(out);
    oe_chain c;
    char a[43];
    assert_int_equal(plasma_addr_parse(&c.contract, tu_str(j, "contract")), 0);
    c.deploy_block = (uint64_t)json_integer_value(json_object_get(j, "block"));
    assert_string_equal(tu_str(j, "operator"), plasma_addr_format(a, &addr));
    json_decref(j);
    plasma_eth_contract *k = NULL;
    plasma_addr op;
    assert_int_equal(plasma_eth_contract_new(&k, rpc, &c.contract), 0);
    assert_int_equal(plasma_eth_contract_operator(k, &op), 0);
    plasma_eth_contract_free(k);
    assert_true(plasma_addr_eq(&op, &addr));
    assert_int_equal(oe_view_u64(&c, PLASMA_ETH_FN_MIN_EXIT_PERIOD), 7200);

    /* A wrong password, none at all, another chain: refused, as JSON. */
    snprintf(cmd, sizeof cmd,
             "env -u PLASMA_PASSWORD %s --rpc %s --keystore %s --password-file %s --json 2>/dev/null",
             PLASMA_DEPLOY_BIN, anvil.url, ks, bad);
    assert_int_equal(oe_run(cmd, &out), 1);
    assert_non_null(strstr(out, "\"code\":\"unauthorized\""));
    free(out);
    snprintf(cmd, sizeof cmd, "env -u PLASMA_PASSWORD %s --rpc %s --keystore %s --json 2>/dev/null",
             PLASMA_DEPLOY_BIN, anvil.url, ks);
    assert_int_equal(oe_run(cmd, &out), 1);
    assert_non_null(strstr(out, "\"code\":\"not_found\""));
    free(out);
    snprintf(cmd, sizeof cmd, "%s --rpc %s --dev --chain-id 1 --json 2>/dev/null", PLASMA_DEPLOY_BIN,
             anvil.url);
    assert_int_equal(oe_run(cmd, &out), 1);
    assert_non_null(strstr(out, "\"code\":\"config\""));
    free(out);
    snprintf(cmd, sizeof cmd, "%s --dev --exit-bond lots 2>/dev/null", PLASMA_DEPLOY_BIN);
    assert_int_equal(oe_run(cmd, &out), 2);
    free(out);

    /* The operator outside --dev: the keystore and its password file. */
    char base[900], args[3000];
    snprintf(base, sizeof base, "--rootchain eth --rpc %s --contract %s --deploy-block %llu", anvil.url,
             plasma_addr_format(a, &c.contract), (unsigned long long)c.deploy_block);
    snprintf(args, sizeof args, "%s --operator-keystore %s --password-file %s --confirmations 0", base, ks,
             pw);
    refused(dir, args, "--confirmations 0 is for development chains");
    snprintf(args, sizeof args, "%s --operator-keystore %s --password-file %s", base, ks, bad);
    refused(dir, args, "wrong password");
    snprintf(args, sizeof args,
             "%s --operator-key 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", base);
    refused(dir, args, "the operator key comes from --operator-keystore");
    snprintf(args, sizeof args,
             "--rootchain eth --rpc %s --contract %s --operator-keystore %s --password-file %s", anvil.url, a,
             ks, pw);
    refused(dir, args, "needs --deploy-block");
    refused(dir, "--dev --rootchain eth", "needs --rpc");
    /* A node that does not answer: status 1, start again later. */
    refused_with(dir, "--dev --rootchain eth --rpc http://127.0.0.1:1", "no answer from http://127.0.0.1:1",
                 1);
    refused(dir, "--dev --rootchain embedded --confirmations 3", "--confirmations is for --rootchain eth");

    /* --dev: the chain, the contract and its operator checked. */
    snprintf(args, sizeof args, "--dev --rootchain eth --rpc %s --chain-id 5", anvil.url);
    refused(dir, args, "--chain-id 5: the node at --rpc is chain 31337");
    snprintf(args, sizeof args, "--dev --rootchain eth --rpc %s --finality-margin 2", anvil.url);
    refused(dir, args, "--finality-margin is for the simulated chains");
    snprintf(args, sizeof args,
             "--dev --rootchain eth --rpc %s --contract 0x0000000000000000000000000000000000000abc",
             anvil.url);
    refused(dir, args, "no contract there");
    plasma_addr token = oe_deploy_token();
    snprintf(args, sizeof args, "--dev --rootchain eth --rpc %s --contract %s", anvil.url,
             plasma_addr_format(a, &token));
    refused(dir, args, "is not this build's PlasmaRootChain");
    snprintf(args, sizeof args, "--dev --rootchain eth --rpc %s --contract %s", anvil.url,
             plasma_addr_format(a, &c.contract));
    refused(dir, args, "its operator is");

    /* And it starts: the domain is the node's chain and the contract. */
    it_daemon d;
    char block[24];
    snprintf(block, sizeof block, "%llu", (unsigned long long)c.deploy_block);
    plasma_addr_format(a, &c.contract);
    const char *start[] = {"--rootchain",
                           "eth",
                           "--rpc",
                           anvil.url,
                           "--contract",
                           a,
                           "--deploy-block",
                           block,
                           "--confirmations",
                           "1",
                           "--operator-keystore",
                           ks,
                           "--password-file",
                           pw,
                           NULL};
    it_start(&d, start);
    json_t *st = it_get_json(&d, "/v1/status");
    assert_int_equal(json_integer_value(json_object_get(st, "chain_id")), 31337);
    assert_string_equal(tu_str(st, "verifying_contract"), a);
    assert_string_equal(tu_str(st, "operator"), plasma_addr_format(a, &addr));
    json_decref(st);
    it_stop(&d);
    it_cleanup(&d);
    nftw(dir, it_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_end_to_end, eit_group_setup, eit_group_teardown),
        cmocka_unit_test_setup_teardown(test_in_flight_exit, eit_group_setup, eit_group_teardown),
        cmocka_unit_test_setup_teardown(test_keystore_and_refusals, eit_group_setup, eit_group_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
