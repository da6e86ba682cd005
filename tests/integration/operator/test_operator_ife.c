/* The operator and in-flight exits, on the real plasma-operator with its
 * embedded root chain: GET /v1/transactions/{txhash}/in-flight-exit-data
 * returns exactly the arguments of startInFlightExit, which the chain
 * accepts, for a tx sealed or not; and once the root chain finalizes an
 * output through an in-flight exit, the operator refuses its spends with
 * input_finalized and drops the open block's tx that spent it: null in the
 * block's JSON form, the empty string in its binary form, and a watcher
 * finds nothing to report. */
#include "itest_chain.h"
#include "plasma/client.h"

static int teardown(void **state)
{
    it_daemon *d = *state;
    if (d) {
        it_cleanup(d);
        free(d);
    }
    return 0;
}

static it_daemon *fresh(void **state)
{
    it_daemon *d = calloc(1, sizeof *d);
    *state = d;
    /* a mined block moves the chain's clock by 600 s: the first phase
     * (MEP/2) must outlast a few blocks */
    const char *f[] = {"--dev",  "--rc-block-interval-ms",
                       "600000", "--rc-min-exit-period-s",
                       "36000",  "--poll-ms",
                       "20",     "--seal-interval-ms",
                       "0",      "--admin-token",
                       "s3cret", "--log-level",
                       "info",   NULL};
    it_start(d, f);
    return d;
}

/* A payment of the deposit at dep by Alice (1): amount to `to`, the rest
 * back to her. */
static plasma_tx alice_pays(uint64_t dep, unsigned to, uint64_t amount)
{
    plasma_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.tx_type = PLASMA_TX_PAYMENT;
    tx.n_inputs = 1;
    tx.inputs[0] = dep;
    tx.n_outputs = 2;
    tx.outputs[0] = (plasma_output){it_dev_addr(to), it_token(0), plasma_u256_from_u64(amount)};
    tx.outputs[1] = (plasma_output){it_dev_addr(1), it_token(0), plasma_u256_from_u64(1000 - amount)};
    plasma_domain dom;
    plasma_domain_dev(&dom);
    plasma_privkey k = it_dev_key(1);
    assert_int_equal(plasma_tx_sign_input(&tx, &dom, 0, &k), 0);
    return tx;
}

static it_resp submit(const it_daemon *d, const plasma_tx *tx)
{
    plasma_buf b = {0};
    assert_int_equal(plasma_tx_encode_signed(&b, tx), 0);
    char *body = it_tx_body(b.data, b.len);
    it_resp r = it_post(d, "/v1/transactions", body);
    free(body);
    plasma_buf_free(&b);
    return r;
}

static void hex_to(const char *hex, uint8_t *out, size_t *len, size_t max)
{
    uint8_t *raw = NULL;
    assert_non_null(hex);
    assert_int_equal(plasma_hex_decode_alloc(&raw, len, hex), 0);
    assert_true(*len <= max);
    memcpy(out, raw, *len);
    free(raw);
}

static json_t *ife_data(const it_daemon *d, const plasma_hash *txhash)
{
    char path[160], hex[67];
    snprintf(path, sizeof path, "/v1/transactions/%s/in-flight-exit-data", plasma_hash_format(hex, txhash));
    return it_get_json(d, path);
}

/* startInFlightExit with the endpoint's arguments as they are; tx replaces
 * the in-flight tx when not NULL (a double spend of the same inputs). */
static void start_ife(const it_daemon *d, const json_t *data, const plasma_tx *tx, unsigned who)
{
    plasma_call c;
    plasma_addr a = it_dev_addr(who);
    plasma_call_init(&c, PLASMA_CALL_START_IFE, &a, 0, 0, 0);
    plasma_call_start_ife *s = &c.start_ife;
    hex_to(json_string_value(json_object_get(data, "tx")), s->tx.b, &s->tx.len, sizeof s->tx.b);
    if (tx)
        assert_int_equal(plasma_call_tx_encode(&s->tx, tx, true), 0);
    const json_t *txs = json_object_get(data, "input_txs"), *pos = json_object_get(data, "input_utxo_pos"),
                 *proofs = json_object_get(data, "input_proofs");
    s->n_input_txs = (uint8_t)json_array_size(txs);
    s->n_input_pos = (uint8_t)json_array_size(pos);
    s->n_input_proofs = (uint8_t)json_array_size(proofs);
    for (size_t i = 0; i < s->n_input_txs; i++) {
        hex_to(json_string_value(json_array_get(txs, i)), s->input_txs[i].b, &s->input_txs[i].len,
               sizeof s->input_txs[i].b);
        s->input_pos[i] = strtoull(json_string_value(json_array_get(pos, i)), NULL, 10);
        size_t len;
        hex_to(json_string_value(json_array_get(proofs, i)), s->input_proofs[i], &len,
               PLASMA_MERKLE_PROOF_LEN);
        assert_int_equal(len, PLASMA_MERKLE_PROOF_LEN);
    }
    s->bond = it_rc_status(d).ife_bond;
    it_rc_call(d, who, &c);
}

static bool ife_open(const it_daemon *d, const plasma_tx *tx)
{
    plasma_u256 id;
    assert_int_equal(plasma_ife_id(&id, tx), 0);
    plasma_rootchain_client *c = it_rc_client(d);
    plasma_ife_info info;
    int rc = plasma_rootchain_client_ife(c, &id, &info);
    plasma_rootchain_client_free(c);
    return rc == 0;
}

static void test_ife_data_starts_an_exit(void **state)
{
    it_daemon *d = fresh(state);
    uint64_t dep = it_rc_deposit(d, 1, 0, 1000);
    it_wait_utxo_status(d, dep, 200, 5);
    plasma_tx t = alice_pays(dep, 2, 600);
    it_resp r = submit(d, &t);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    plasma_hash h;
    assert_int_equal(plasma_tx_hash(&h, &t), 0);

    /* not sealed yet: the tx's block has no root, its input's has */
    json_t *data = ife_data(d, &h);
    assert_false(json_is_true(json_object_get(data, "sealed")));
    assert_int_equal(json_array_size(json_object_get(data, "input_proofs")), 1);
    assert_int_equal(
        strtoull(json_string_value(json_array_get(json_object_get(data, "input_utxo_pos"), 0)), NULL, 10),
        dep);
    start_ife(d, data, NULL, 1);
    json_decref(data);
    assert_true(ife_open(d, &t));

    /* a tx spending an output of the open block has no proof yet */
    it_out o[1] = {{3, 0, 600}};
    r = it_pay(d, plasma_utxo_pos(1000, 0, 0), 2, o, 1);
    assert_int_equal(r.status, 200);
    char path[160], hex[67];
    snprintf(path, sizeof path, "/v1/transactions/%s/in-flight-exit-data",
             json_string_value(json_object_get(r.json, "txhash")));
    it_resp_free(&r);
    r = it_get(d, path);
    it_assert_error(r, 404, "not_found");
    it_resp_free(&r);

    /* sealed, the same arguments (and the chain's record is there) */
    assert_int_equal(it_admin_seal(d), 1000);
    data = ife_data(d, &h);
    assert_true(json_is_true(json_object_get(data, "sealed")));
    assert_int_equal(it_json_u64(data, "blknum"), 1000);
    json_decref(data);
    snprintf(path, sizeof path, "/v1/transactions/%s/in-flight-exit-data", "0x12");
    r = it_get(d, path);
    it_assert_error(r, 400, "bad_request");
    it_resp_free(&r);
    json_t *api = it_get_json(d, "/openapi.json");
    assert_non_null(
        json_object_get(json_object_get(api, "paths"), "/v1/transactions/{txhash}/in-flight-exit-data"));
    json_decref(api);
    memset(h.b, 0x33, 32);
    snprintf(path, sizeof path, "/v1/transactions/%s/in-flight-exit-data", plasma_hash_format(hex, &h));
    r = it_get(d, path);
    it_assert_error(r, 404, "not_found");
    it_resp_free(&r);
}

static bool tx_gone(const it_daemon *d, const plasma_hash *h)
{
    char path[128], hex[67];
    snprintf(path, sizeof path, "/v1/transactions/%s", plasma_hash_format(hex, h));
    it_resp r = it_get(d, path);
    long st = r.status;
    it_resp_free(&r);
    return st == 404;
}

/* The binary form of block blknum: its transactions byte for byte those
 * of the JSON form, and a dropped one (null there) the empty string. */
static void assert_binary_block(const it_daemon *d, uint64_t blknum, const json_t *jtxs)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/blocks/%llu", (unsigned long long)blknum);
    it_resp r;
    assert_true(it_request(d->port, "GET", path, NULL, 0, NULL, "Accept: application/octet-stream\r\n", &r));
    assert_int_equal(r.status, 200);
    plasma_rlp_item top, item, txs;
    plasma_rlp_iter it;
    assert_int_equal(plasma_rlp_decode(&top, (const uint8_t *)r.body, r.len), 0);
    plasma_rlp_iter_init(&it, &top);
    for (int f = 0; f < 4; f++)
        assert_int_equal(plasma_rlp_iter_next(&it, f < 3 ? &item : &txs), 1);
    assert_true(txs.is_list);
    plasma_rlp_iter_init(&it, &txs);
    size_t n = 0;
    for (const uint8_t *start = it.p; plasma_rlp_iter_next(&it, &item) == 1; start = it.p, n++) {
        const json_t *j = json_array_get(jtxs, n);
        if (json_is_null(j)) {
            assert_false(item.is_list);
            assert_int_equal(it.p - start, 1);
            assert_int_equal(start[0], 0x80);
            continue;
        }
        char *hex = it_hex(start, (size_t)(it.p - start));
        assert_string_equal(hex, json_string_value(j));
        free(hex);
    }
    assert_int_equal(n, json_array_size(jtxs));
    it_resp_free(&r);
}

static void collect(const json_t *ev, void *payload)
{
    json_array_append(payload, (json_t *)ev);
}

/* A watcher of the chain from its start (it downloads the binary form):
 * the operator only dropped a tx whose input the root chain finalized, so
 * the watcher verifies the block and reports nothing. */
static void assert_watcher_silent(const it_daemon *d, uint64_t blknum)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", d->port);
    plasma_client *c = NULL;
    plasma_watcher *w = NULL;
    json_t *events = json_array();
    assert_int_equal(plasma_client_new(&c, url, NULL), 0);
    assert_int_equal(plasma_watcher_new(&w, c, NULL, 5000, collect, events), 0);
    double deadline = it_now() + 10;
    while (plasma_watcher_last_verified(w) < blknum && it_now() < deadline) {
        assert_int_equal(plasma_watcher_step(w), 0);
        if (plasma_watcher_last_verified(w) < blknum)
            it_sleep_ms(50);
    }
    if (json_array_size(events) > 0) {
        char *text = json_dumps(events, 0);
        fail_msg("the watcher reported an honest operator: %s", text);
    }
    assert_true(plasma_watcher_trusted(w));
    assert_true(plasma_watcher_last_verified(w) >= blknum);
    plasma_watcher_free(w);
    plasma_client_free(c);
    json_decref(events);
}

/* Alice signs two spends of her deposit: T to Bob, which the operator
 * accepts into the open block, and T' to Carol, which she exits in flight.
 * T' is canonical (nobody shows an older competitor) and is processed
 * through its outputs: the deposit is finalized. The operator drops T, and
 * refuses any new spend of the deposit with input_finalized; the block
 * serves the dropped tx in both forms, and a watcher accepts it. */
static void test_finalized_input_refused_and_dropped(void **state)
{
    it_daemon *d = fresh(state);
    uint64_t dep = it_rc_deposit(d, 1, 0, 1000);
    uint64_t other = it_rc_deposit(d, 2, 0, 500);
    it_wait_utxo_status(d, other, 200, 5);
    plasma_tx t = alice_pays(dep, 2, 600), t2 = alice_pays(dep, 3, 700);
    it_resp r = submit(d, &t);
    assert_int_equal(r.status, 200);
    it_resp_free(&r);
    it_out o[1] = {{4, 0, 500}};
    r = it_pay(d, other, 2, o, 1); /* Bob's own payment, after T in the block */
    assert_int_equal(r.status, 200);
    assert_int_equal(it_json_u64(r.json, "txindex"), 1);
    it_resp_free(&r);
    plasma_hash h;
    assert_int_equal(plasma_tx_hash(&h, &t), 0);
    json_t *data = ife_data(d, &h);
    start_ife(d, data, &t2, 3);
    json_decref(data);

    plasma_call c;
    plasma_addr carol = it_dev_addr(3);
    plasma_call_init(&c, PLASMA_CALL_PIGGYBACK_OUTPUT, &carol, 0, 0, 0);
    assert_int_equal(plasma_call_tx_encode(&c.piggyback.tx, &t2, true), 0);
    c.piggyback.index = 0;
    c.piggyback.bond = it_rc_status(d).piggyback_bond;
    it_rc_call(d, 3, &c);
    plasma_rootchain_client *rc = it_rc_client(d);
    assert_int_equal(plasma_rootchain_client_dev_advance_time(rc, 3 * it_rc_status(d).min_exit_period), 0);
    plasma_rootchain_client_free(rc);
    it_rc_mine(d);
    plasma_addr carl = it_dev_addr(5);
    plasma_call_init(&c, PLASMA_CALL_PROCESS_EXITS, &carl, 0, 0, 0);
    c.process_exits.max_exits = 10;
    it_rc_call(d, 5, &c);
    assert_false(ife_open(d, &t2));

    /* the operator learns of it, drops T and refuses the deposit */
    double deadline = it_now() + 10;
    while (!tx_gone(d, &h) && it_now() < deadline) {
        it_rc_mine(d);
        it_sleep_ms(30);
    }
    assert_true(tx_gone(d, &h));
    it_out o2[1] = {{2, 0, 1000}};
    r = it_pay(d, dep, 1, o2, 1);
    it_assert_error(r, 409, "input_finalized");
    it_resp_free(&r);
    /* T's outputs are gone; Bob's own payment keeps its index */
    it_wait_utxo_status(d, plasma_utxo_pos(1000, 0, 0), 404, 5);
    assert_int_equal(it_admin_seal(d), 1000);
    json_t *b = it_get_json(d, "/v1/blocks/1000");
    const json_t *txs = json_object_get(b, "txs");
    assert_int_equal(json_array_size(txs), 2);
    assert_true(json_is_null(json_array_get(txs, 0)));
    assert_true(json_is_string(json_array_get(txs, 1)));
    assert_binary_block(d, 1000, txs);
    json_decref(b);
    it_wait_submitted(d, 1000, 10);
    assert_watcher_silent(d, 1000);
    it_wait_utxo_status(d, plasma_utxo_pos(1000, 1, 0), 200, 5);
    assert_true(it_file_contains(d->log, "tx_dropped"));
    assert_true(it_file_contains(d->log, "reason=input_finalized"));
    r = it_get(d, "/metrics");
    assert_non_null(strstr(r.body, "plasma_operator_txs_dropped_total 1\n"));
    assert_non_null(strstr(r.body, "plasma_operator_txs_rejected_total{code=\"input_finalized\"} 1\n"));
    it_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_ife_data_starts_an_exit, teardown),
        cmocka_unit_test_teardown(test_finalized_input_refused_and_dropped, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
