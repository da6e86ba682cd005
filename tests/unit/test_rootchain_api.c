/* The root chain's JSON API over a real loopback server: calls change
 * balances as the exit game says; every refused call names its error and
 * leaves the state digest untouched; dev controls need dev mode; bad input
 * of any kind is a 400 with a message, never a crash. */
#include "test_rootchain_kit.h"

static rck *k_of(void **state)
{
    return *state;
}

static int setup_dev(void **state)
{
    static rck k;
    rck_opts o = {.dev = true, .max_body = 16384};
    rck_start(&k, &o);
    *state = &k;
    return 0;
}

static int teardown(void **state)
{
    rck_stop(k_of(state));
    return 0;
}

/* ---- a deposit, end to end ---- */

static void test_deposit_mined_balances(void **state)
{
    rck *k = k_of(state);
    plasma_u256 start = rck_bal(k, &k->addr[1], NULL);
    rck_assert_u256(start, rck_meth(10000000)); /* prefunded 10,000 ETH */

    plasma_call c;
    rck_call(k, &c, PLASMA_CALL_DEPOSIT, 1);
    c.deposit.amount = rck_meth(1000);
    plasma_hash h;
    uint64_t estimate = 0;
    assert_int_equal(plasma_rootchain_client_send(k->cli, &k->cd, &c, &k->key[1], &h, &estimate), 0);
    assert_true(estimate > PLASMA_GAS_BASE && estimate < RCK_GAS);

    plasma_receipt r;
    bool pending = false;
    assert_int_equal(plasma_rootchain_client_receipt(k->cli, &h, &r, &pending), 0);
    assert_true(pending);
    assert_int_equal(rck_status(k).pending_calls, 1);

    r = rck_mined(k, &h);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.kind, PLASMA_CALL_DEPOSIT);
    assert_true(plasma_addr_eq(&r.from, &k->addr[1]));
    assert_int_equal(r.gas_used, estimate);
    rck_assert_u256(rck_bal(k, &k->addr[1], NULL),
                    rck_sub(rck_sub(start, rck_meth(1000)), rck_fee(r.gas_used, RCK_GWEI)));
    rck_assert_u256(rck_bal(k, &k->cfg.contract, NULL), rck_meth(1000));

    plasma_block_record b;
    assert_int_equal(plasma_rootchain_client_block_root(k->cli, 1, &b), 0);
    assert_true(b.is_deposit);
    assert_true(plasma_addr_eq(&b.depositor, &k->addr[1]));
    rck_assert_u256(b.amount, rck_meth(1000));

    plasma_chain_block hdr;
    assert_int_equal(plasma_rootchain_client_block(k->cli, r.block_number, &hdr), 0);
    assert_int_equal(hdr.n_calls, 1);
    assert_int_equal(hdr.gas_used, r.gas_used);
    assert_int_equal(b.timestamp, hdr.timestamp);

    plasma_event *evs = NULL;
    size_t n = 0;
    uint64_t next = 0;
    assert_int_equal(plasma_rootchain_client_events(k->cli, 0, UINT64_MAX, 0, &evs, &n, &next), 0);
    assert_int_equal(n, 1);
    assert_int_equal(evs[0].kind, PLASMA_EVENT_DEPOSIT_CREATED);
    assert_int_equal(evs[0].deposit_created.blknum, 1);
    rck_assert_u256(evs[0].deposit_created.amount, rck_meth(1000));
    assert_int_equal(next, r.block_number + 1);
    free(evs);

    uint64_t nonce = 9, next_nonce = 9;
    assert_int_equal(plasma_rootchain_client_nonce(k->cli, &k->addr[1], &nonce, &next_nonce), 0);
    assert_int_equal(nonce, 1);
    assert_int_equal(next_nonce, 1);

    rck_resp g;
    rck_raw(k, "GET", "/v1/gas", NULL, &g);
    assert_int_equal(g.status, 200);
    json_t *dep = json_object_get(json_object_get(g.json, "by_kind"), "deposit");
    assert_int_equal(json_integer_value(json_object_get(dep, "calls")), 1);
    assert_int_equal(json_integer_value(json_object_get(dep, "gas_used")), (json_int_t)r.gas_used);
    json_decref(g.json);
}

/* ---- refused calls: their code, and nothing changes ---- */

typedef struct snapshot {
    plasma_rootchain_status st;
    plasma_u256 bal[4];
} snapshot;

static snapshot snap(rck *k)
{
    snapshot s = {.st = rck_status(k)};
    for (unsigned i = 0; i < 4; i++)
        s.bal[i] = rck_bal(k, &k->addr[i], NULL);
    return s;
}

static void assert_unchanged(rck *k, const snapshot *before)
{
    snapshot after = snap(k);
    assert_true(plasma_hash_eq(&before->st.state_digest, &after.st.state_digest));
    assert_int_equal(before->st.pending_calls, after.st.pending_calls);
    assert_int_equal(before->st.head_number, after.st.head_number);
    for (unsigned i = 0; i < 4; i++)
        rck_assert_u256(before->bal[i], after.bal[i]);
}

/* Signs c with key and asserts that POST /v1/calls refuses it. */
static void expect_refused(rck *k, const plasma_call *c, const plasma_privkey *key, long status,
                           const char *code)
{
    snapshot before = snap(k);
    plasma_buf buf = {0};
    rck_sign(k, &buf, c, key);
    rck_expect_call(k, &buf, status, code);
    plasma_buf_free(&buf);
    assert_unchanged(k, &before);
}

static void test_bad_signature(void **state)
{
    rck *k = k_of(state);
    plasma_call c;
    rck_call(k, &c, PLASMA_CALL_DEPOSIT, 1);
    c.deposit.amount = rck_meth(1);
    snapshot before = snap(k);
    plasma_buf buf = {0};
    rck_sign(k, &buf, &c, &k->key[1]);
    buf.data[buf.len - 1] = 30; /* v outside {27, 28} */
    rck_expect_call(k, &buf, 400, "bad_signature");
    buf.data[buf.len - 1] = 27;
    memset(buf.data + buf.len - 33, 0xff, 32); /* s above the curve order */
    rck_expect_call(k, &buf, 400, "bad_signature");
    plasma_buf_free(&buf);
    assert_unchanged(k, &before);
}

static void test_replayed_nonce(void **state)
{
    rck *k = k_of(state);
    plasma_call c;
    rck_call(k, &c, PLASMA_CALL_DEPOSIT, 2);
    c.deposit.amount = rck_meth(1);
    plasma_buf buf = {0};
    rck_sign(k, &buf, &c, &k->key[2]);
    /* First time accepted, mined; the same bytes again are a replay. */
    plasma_hash h;
    assert_int_equal(plasma_rootchain_client_submit(k->cli, buf.data, buf.len, &h, NULL), 0);
    rck_expect_call(k, &buf, 409, "bad_nonce"); /* pending: the nonce is taken */
    assert_int_equal(rck_mined(k, &h).err, 0);
    snapshot before = snap(k);
    rck_expect_call(k, &buf, 409, "bad_nonce");
    assert_unchanged(k, &before);
    /* A nonce from the future is refused as well. */
    rck_call(k, &c, PLASMA_CALL_DEPOSIT, 2);
    c.nonce += 5;
    expect_refused(k, &c, &k->key[2], 409, "bad_nonce");
    plasma_buf_free(&buf);
}

static void test_insufficient_funds(void **state)
{
    rck *k = k_of(state);
    /* A stranger without ETH cannot prepay gas. */
    plasma_privkey stranger;
    memset(stranger.b, 0x42, sizeof stranger.b);
    plasma_addr sa;
    assert_int_equal(plasma_privkey_addr(&sa, &stranger), 0);
    plasma_call c;
    plasma_call_init(&c, PLASMA_CALL_DEPOSIT, &sa, 0, RCK_GWEI, RCK_GAS);
    c.deposit.amount = rck_u(1);
    expect_refused(k, &c, &stranger, 409, "insufficient_funds");
    /* A dev account depositing more than it holds. */
    rck_call(k, &c, PLASMA_CALL_DEPOSIT, 3);
    c.deposit.amount = rck_meth(20000000);
    expect_refused(k, &c, &k->key[3], 409, "insufficient_funds");
    /* A token it never received. */
    rck_call(k, &c, PLASMA_CALL_DEPOSIT, 3);
    c.deposit.token = k->token;
    c.deposit.amount = rck_u(5);
    expect_refused(k, &c, &k->key[3], 409, "insufficient_funds");
}

static void test_gas_limits(void **state)
{
    rck *k = k_of(state);
    plasma_call c;
    rck_call(k, &c, PLASMA_CALL_DEPOSIT, 1);
    c.deposit.amount = rck_u(1);
    c.gas_limit = k->cfg.block_gas_limit + 1;
    expect_refused(k, &c, &k->key[1], 400, "gas_limit");
    c.gas_limit = PLASMA_GAS_BASE;
    expect_refused(k, &c, &k->key[1], 400, "out_of_gas");
    rck_call(k, &c, PLASMA_CALL_DEPOSIT, 1);
    expect_refused(k, &c, &k->key[1], 400, "bad_amount"); /* zero amount */
}

static void test_not_operator(void **state)
{
    rck *k = k_of(state);
    plasma_call c;
    rck_call(k, &c, PLASMA_CALL_SUBMIT_BLOCK, 3);
    memset(c.submit_block.root.b, 0xab, 32);
    expect_refused(k, &c, &k->key[3], 403, "not_operator");
}

/* A deposit of account 1 exited by the wrong people, with the wrong proof
 * or bond, then by its owner. */
static void test_exit_refusals(void **state)
{
    rck *k = k_of(state);
    plasma_receipt d = rck_deposit(k, 1, &k->eth, rck_meth(500));
    uint64_t blknum = rck_status(k).next_deposit_block - 1;
    (void)d;

    plasma_call c;
    rck_call(k, &c, PLASMA_CALL_START_EXIT, 2);
    rck_exit_args(k, &c, blknum, &k->addr[1], &k->eth, rck_meth(500));
    expect_refused(k, &c, &k->key[2], 403, "not_owner");

    rck_call(k, &c, PLASMA_CALL_START_EXIT, 1);
    rck_exit_args(k, &c, blknum, &k->addr[1], &k->eth, rck_meth(500));
    c.start_exit.proof[7] ^= 1;
    expect_refused(k, &c, &k->key[1], 400, "bad_proof");

    rck_exit_args(k, &c, blknum, &k->addr[1], &k->eth, rck_meth(500));
    c.start_exit.bond = rck_sub(k->cfg.exit_bond, rck_u(1));
    expect_refused(k, &c, &k->key[1], 400, "bad_bond");

    rck_exit_args(k, &c, blknum + 5, &k->addr[1], &k->eth, rck_meth(500));
    expect_refused(k, &c, &k->key[1], 404, "block_not_found");

    rck_exit_args(k, &c, blknum, &k->addr[1], &k->eth, rck_meth(500));
    plasma_hash h = rck_send(k, &c, 1);
    assert_int_equal(rck_mined(k, &h).err, 0);
    plasma_exit_info x;
    assert_int_equal(plasma_rootchain_client_exit(k->cli, c.start_exit.utxo_pos, &x), 0);
    assert_int_equal(x.state, PLASMA_EXIT_IN_PROGRESS);
    assert_true(plasma_addr_eq(&x.owner, &k->addr[1]));

    rck_call(k, &c, PLASMA_CALL_START_EXIT, 1);
    rck_exit_args(k, &c, blknum, &k->addr[1], &k->eth, rck_meth(500));
    expect_refused(k, &c, &k->key[1], 409, "exit_exists");
}

static void test_bad_call_envelopes(void **state)
{
    rck *k = k_of(state);
    snapshot before = snap(k);
    plasma_call c;
    rck_call(k, &c, PLASMA_CALL_DEPOSIT, 1);
    c.deposit.amount = rck_u(1);
    /* Signed for another chain. */
    plasma_call_domain other = k->cd;
    other.chain_id++;
    plasma_sig sig;
    plasma_buf buf = {0};
    assert_int_equal(plasma_call_sign(&sig, &other, &c, &k->key[1]), 0);
    assert_int_equal(plasma_call_encode_signed(&buf, &other, &c, &sig), 0);
    rck_expect_call(k, &buf, 400, "bad_call");
    /* Trailing garbage after the signed form. */
    plasma_buf_free(&buf);
    rck_sign(k, &buf, &c, &k->key[1]);
    assert_int_equal(plasma_buf_append(&buf, (const uint8_t *)"\x01", 1), 0);
    rck_expect_call(k, &buf, 400, "bad_call");
    plasma_buf_free(&buf);
    rck_expect(k, "POST", "/v1/calls", "{\"call\":\"0x\"}", 400, "bad_call");
    rck_expect(k, "POST", "/v1/calls", "{\"call\":\"0xc0\"}", 400, "bad_call");
    assert_unchanged(k, &before);
}

/* ---- an exit challenged, another processed ---- */

static void test_challenge_and_process(void **state)
{
    rck *k = k_of(state);
    rck_deposit(k, 4, &k->eth, rck_meth(300));
    uint64_t blk_a = rck_status(k).next_deposit_block - 1;
    rck_deposit(k, 4, &k->eth, rck_meth(200));
    uint64_t blk_b = blk_a + 1;
    plasma_u256 contract0 = rck_bal(k, &k->cfg.contract, NULL);

    plasma_call c;
    plasma_hash h;
    uint64_t pos[2] = {plasma_utxo_pos(blk_a, 0, 0), plasma_utxo_pos(blk_b, 0, 0)};
    for (int i = 0; i < 2; i++) {
        rck_call(k, &c, PLASMA_CALL_START_EXIT, 4);
        rck_exit_args(k, &c, i ? blk_b : blk_a, &k->addr[4], &k->eth, rck_meth(i ? 200 : 300));
        h = rck_send(k, &c, 4);
        assert_int_equal(rck_mined(k, &h).err, 0);
    }
    rck_assert_u256(rck_bal(k, &k->cfg.contract, NULL),
                    rck_add(contract0, rck_add(k->cfg.exit_bond, k->cfg.exit_bond)));

    /* Account 5 challenges exit A with a spend that account 4 signed. */
    plasma_u256 ch0 = rck_bal(k, &k->addr[5], NULL);
    rck_call(k, &c, PLASMA_CALL_CHALLENGE_EXIT, 5);
    rck_challenge_args(k, &c, pos[0], &k->key[4], &k->addr[6], &k->eth, rck_meth(300));
    h = rck_send(k, &c, 5);
    plasma_receipt r = rck_mined(k, &h);
    assert_int_equal(r.err, 0);
    rck_assert_u256(rck_bal(k, &k->addr[5], NULL),
                    rck_sub(rck_add(ch0, k->cfg.exit_bond), rck_fee(r.gas_used, RCK_GWEI)));
    plasma_exit_info x;
    assert_int_equal(plasma_rootchain_client_exit(k->cli, pos[0], &x), 0);
    assert_int_equal(x.state, PLASMA_EXIT_CHALLENGED);

    /* A challenge signed by someone else is refused. */
    rck_call(k, &c, PLASMA_CALL_CHALLENGE_EXIT, 5);
    rck_challenge_args(k, &c, pos[1], &k->key[5], &k->addr[6], &k->eth, rck_meth(200));
    expect_refused(k, &c, &k->key[5], 400, "bad_signature");

    /* Once time has passed, processExits pays every matured exit (the
     * earlier tests' ones too): the contract pays each amount + bond. */
    plasma_u256 owner0 = rck_bal(k, &k->addr[4], NULL);
    plasma_u256 before = rck_bal(k, &k->cfg.contract, NULL);
    rck_resp q;
    rck_raw(k, "GET", "/v1/exits?state=in_progress", NULL, &q);
    json_t *open_exits = json_incref(json_object_get(q.json, "exits"));
    json_decref(q.json);
    assert_int_equal(plasma_rootchain_client_dev_advance_time(k->cli, k->cfg.min_exit_period + 1), 0);
    rck_call(k, &c, PLASMA_CALL_PROCESS_EXITS, 6);
    c.process_exits.max_exits = 10;
    h = rck_send(k, &c, 6);
    assert_int_equal(rck_mined(k, &h).err, 0);
    plasma_u256 paid = rck_u(0);
    size_t i;
    json_t *e;
    json_array_foreach (open_exits, i, e) {
        uint64_t id;
        plasma_u256 v;
        assert_int_equal(plasma_u256_parse_dec(&v, json_string_value(json_object_get(e, "exit_id"))), 0);
        assert_true(plasma_u256_to_u64(&v, &id));
        assert_int_equal(plasma_rootchain_client_exit(k->cli, id, &x), 0);
        assert_int_equal(x.state, PLASMA_EXIT_FINALIZED);
        paid = rck_add(paid, rck_add(x.amount, k->cfg.exit_bond));
    }
    json_decref(open_exits);
    assert_int_equal(plasma_rootchain_client_exit(k->cli, pos[1], &x), 0);
    assert_int_equal(x.state, PLASMA_EXIT_FINALIZED);
    rck_assert_u256(rck_bal(k, &k->addr[4], NULL), rck_add(owner0, rck_add(rck_meth(200), k->cfg.exit_bond)));
    rck_assert_u256(rck_bal(k, &k->cfg.contract, NULL), rck_sub(before, paid));

    rck_raw(k, "GET", "/v1/exits?state=finalized", NULL, &q);
    assert_int_equal(q.status, 200);
    assert_true(json_array_size(json_object_get(q.json, "exits")) >= 1);
    json_decref(q.json);
    rck_raw(k, "GET", "/v1/queues/0x0000000000000000000000000000000000000000", NULL, &q);
    assert_int_equal(q.status, 200);
    assert_int_equal(json_integer_value(json_object_get(q.json, "size")), 0);
    json_decref(q.json);
}

/* ---- dev controls ---- */

static void test_dev_controls(void **state)
{
    rck *k = k_of(state);
    plasma_addr fresh;
    memset(fresh.b, 0x31, sizeof fresh.b);
    assert_int_equal(plasma_rootchain_client_dev_fund(k->cli, &fresh, &(plasma_u256){{5, 0, 0, 0}}), 0);
    rck_assert_u256(rck_bal(k, &fresh, NULL), rck_u(5));
    assert_int_equal(
        plasma_rootchain_client_dev_mint(k->cli, &fresh, &k->token, &(plasma_u256){{7, 0, 0, 0}}), 0);
    rck_assert_u256(rck_bal(k, &fresh, &k->token), rck_u(7));
    uint64_t h0 = rck_status(k).head_number, head = 0;
    assert_int_equal(plasma_rootchain_client_dev_mine(k->cli, 3, &head), 0);
    assert_int_equal(head, h0 + 3);
    plasma_rootchain_status s0 = rck_status(k);
    assert_int_equal(plasma_rootchain_client_dev_advance_time(k->cli, 1000), 0);
    rck_mine(k, 1);
    plasma_rootchain_status s1 = rck_status(k);
    assert_int_equal(s1.head_timestamp, s0.head_timestamp + s0.block_time + 1000);
    rck_expect(k, "POST", "/v1/dev/mint",
               "{\"address\":\"0x3131313131313131313131313131313131313131\","
               "\"token\":\"0x0000000000000000000000000000000000000000\",\"amount\":\"1\"}",
               400, "bad_request");
}

static void test_dev_controls_refused(void **state)
{
    (void)state;
    rck k;
    rck_opts o = {.dev = false};
    rck_start(&k, &o);
    plasma_rootchain_status before = rck_status(&k);
    assert_false(before.dev);
    rck_assert_u256(rck_bal(&k, &k.addr[1], NULL), rck_u(0)); /* no prefund outside dev mode */
    rck_expect(&k, "POST", "/v1/dev/mine", "{\"blocks\":1}", 403, "forbidden");
    rck_expect(&k, "POST", "/v1/dev/advance-time", "{\"seconds\":1}", 403, "forbidden");
    rck_expect(&k, "POST", "/v1/dev/fund",
               "{\"address\":\"0x3131313131313131313131313131313131313131\",\"amount\":\"1\"}", 403,
               "forbidden");
    rck_expect(&k, "POST", "/v1/dev/mint",
               "{\"address\":\"0x3131313131313131313131313131313131313131\","
               "\"token\":\"0x7777777777777777777777777777777777777777\",\"amount\":\"1\"}",
               403, "forbidden");
    rck_expect(&k, "POST", "/v1/dev/mine", "not even json", 403, "forbidden");
    assert_int_equal(plasma_rootchain_client_dev_mine(k.cli, 1, NULL), PLASMA_ERR_FORBIDDEN);
    plasma_rootchain_status after = rck_status(&k);
    assert_true(plasma_hash_eq(&before.state_digest, &after.state_digest));
    assert_int_equal(before.head_number, after.head_number);
    rck_stop(&k);
}

/* ---- malformed input ---- */

static void test_payload_too_large(void **state)
{
    rck *k = k_of(state);
    size_t len = 20000; /* server limit 16384 */
    char *body = malloc(len + 1);
    memset(body, ' ', len);
    memcpy(body, "{\"call\":\"0x", 11);
    body[len - 2] = '"';
    body[len - 1] = '}';
    body[len] = '\0';
    memset(body + 11, 'a', len - 14);
    rck_expect(k, "POST", "/v1/calls", body, 413, "payload_too_large");
    free(body);
}

typedef struct bad_req {
    const char *method;
    const char *path;
    const char *body;
} bad_req;

static const bad_req BAD[] = {
    {"POST", "/v1/calls", ""},
    {"POST", "/v1/calls", "{"},
    {"POST", "/v1/calls", "[1,2]"},
    {"POST", "/v1/calls", "\"0x00\""},
    {"POST", "/v1/calls", "{}"},
    {"POST", "/v1/calls", "{\"call\":5}"},
    {"POST", "/v1/calls", "{\"call\":null}"},
    {"POST", "/v1/calls", "{\"call\":\"0x00\",\"extra\":1}"},
    {"POST", "/v1/calls", "{\"call\":\"0x0\"}"},
    {"POST", "/v1/calls", "{\"call\":\"0xzz\"}"},
    {"POST", "/v1/calls", "{\"call\":\"0x00\",\"call\":\"0x00\"}"},
    {"POST", "/v1/calls", "{\"call\":\"0x\\u0000\"}"},
    {"GET", "/v1/calls/0x12", NULL},
    {"GET", "/v1/calls/zz", NULL},
    {"GET", "/v1/blocks/12x", NULL},
    {"GET", "/v1/blocks/-1", NULL},
    {"GET", "/v1/blocks/18446744073709551616", NULL},
    {"GET", "/v1/plasma/blocks/1e3", NULL},
    {"GET", "/v1/exits/0x10", NULL},
    {"GET", "/v1/exits?state=open", NULL},
    {"GET", "/v1/exits?owner=0x1234", NULL},
    {"GET", "/v1/exits?limit=0", NULL},
    {"GET", "/v1/exits?limit=99999999", NULL},
    {"GET", "/v1/exits?after=x", NULL},
    {"GET", "/v1/queues/eth", NULL},
    {"GET", "/v1/accounts/0x1234", NULL},
    {"GET", "/v1/accounts/0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266?tokens=0x12", NULL},
    {"GET", "/v1/accounts/0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266?tokens=,", NULL},
    {"GET", "/v1/events", NULL},
    {"GET", "/v1/events?from_block=", NULL},
    {"GET", "/v1/events?from_block=abc", NULL},
    {"GET", "/v1/events?from_block=5&to_block=4", NULL},
    {"GET", "/v1/events?from_block=0&limit=0", NULL},
    {"POST", "/v1/dev/mine", "{\"blocks\":0}"},
    {"POST", "/v1/dev/mine", "{\"blocks\":1001}"},
    {"POST", "/v1/dev/mine", "{\"blocks\":1.5}"},
    {"POST", "/v1/dev/mine", "{\"blocks\":\"1\"}"},
    {"POST", "/v1/dev/mine", "{\"blocks\":99999999999999999999999}"},
    {"POST", "/v1/dev/advance-time", "{\"seconds\":-1}"},
    {"POST", "/v1/dev/advance-time", "{\"seconds\":true}"},
    {"POST", "/v1/dev/fund", "{\"address\":\"0x3131313131313131313131313131313131313131\"}"},
    {"POST", "/v1/dev/fund", "{\"address\":\"0x31\",\"amount\":\"1\"}"},
    {"POST", "/v1/dev/fund",
     "{\"address\":\"0x3131313131313131313131313131313131313131\",\"amount\":\"1.5\"}"},
    {"POST", "/v1/dev/fund",
     "{\"address\":\"0x3131313131313131313131313131313131313131\",\"amount\":\"-1\"}"},
    {"POST", "/v1/dev/fund", "{\"address\":\"0x3131313131313131313131313131313131313131\",\"amount\":1}"},
    {"POST", "/v1/dev/fund",
     "{\"address\":\"0x3131313131313131313131313131313131313131\",\"amount\":"
     "\"115792089237316195423570985008687907853269984665640564039457584007913129639936\"}"},
};

static void test_malformed_inputs(void **state)
{
    rck *k = k_of(state);
    snapshot before = snap(k);
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++)
        rck_expect(k, BAD[i].method, BAD[i].path, BAD[i].body, 400, "bad_request");
    /* Not JSON at all. */
    rck_resp r;
    rck_raw_ctype(k, "POST", "/v1/calls", "text/plain", "{\"call\":\"0x00\"}", 15, &r);
    assert_int_equal(r.status, 400);
    json_decref(r.json);
    rck_expect(k, "GET", "/v1/nothing", NULL, 404, "not_found");
    rck_expect(k, "GET", "/v1/calls/0x0000000000000000000000000000000000000000000000000000000000000000", NULL,
               404, "not_found");
    rck_expect(k, "GET", "/v1/blocks/999999", NULL, 404, "not_found");
    rck_expect(k, "GET", "/v1/exits/1000000000", NULL, 404, "exit_not_found");
    rck_expect(k, "DELETE", "/v1/status", NULL, 405, "method_not_allowed");
    assert_unchanged(k, &before);
}

/* Mutated signed calls and random bodies: always a 4xx, never a crash,
 * a 5xx or a change of state. */
static void test_mutations(void **state)
{
    rck *k = k_of(state);
    snapshot before = snap(k);
    plasma_call c;
    rck_call(k, &c, PLASMA_CALL_START_EXIT, 1);
    rck_exit_args(k, &c, 1, &k->addr[1], &k->eth, rck_meth(1000));
    plasma_buf good = {0};
    rck_sign(k, &good, &c, &k->key[1]);
    uint64_t rng = tu_seed("rootchain_api_garbage", 0x5eed);
    char *hex = malloc(2 * good.len + 64), *body = malloc(2 * good.len + 96);
    uint8_t *m = malloc(good.len + 8);
    static const char *const POSTS[] = {"/v1/calls", "/v1/dev/mine", "/v1/dev/advance-time", "/v1/dev/fund",
                                        "/v1/dev/mint"};
    for (int i = 0; i < 300; i++) {
        size_t len = good.len;
        memcpy(m, good.data, len);
        uint64_t r = tu_rand(&rng);
        if (r % 4 == 0)
            len = 1 + (size_t)(tu_rand(&rng) % (good.len - 1)); /* truncated */
        else
            m[tu_rand(&rng) % len] ^= (uint8_t)(1 + tu_rand(&rng) % 255);
        plasma_hex_encode(hex, m, len);
        snprintf(body, 2 * good.len + 96, "{\"call\":\"%s\"}", hex);
        rck_resp resp;
        rck_raw(k, "POST", "/v1/calls", body, &resp);
        if (resp.status < 400 || resp.status >= 500)
            fail_msg("mutation %d: status %ld", i, resp.status);
        json_decref(resp.json);
        /* Random bytes as a body of every POST route. */
        size_t blen = 1 + (size_t)(tu_rand(&rng) % 64);
        for (size_t j = 0; j < blen; j++)
            body[j] = (char)(1 + tu_rand(&rng) % 255);
        body[blen] = '\0';
        rck_raw(k, "POST", POSTS[i % 5], body, &resp);
        if (resp.status != 400)
            fail_msg("random body %d on %s: status %ld", i, POSTS[i % 5], resp.status);
        json_decref(resp.json);
    }
    free(m);
    free(body);
    free(hex);
    plasma_buf_free(&good);
    assert_unchanged(k, &before);
}

/* Events come in whole blocks: with limit 1, each page is one block. */
static void test_events_paging(void **state)
{
    rck *k = k_of(state);
    uint64_t from = rck_status(k).head_number + 1;
    rck_deposit(k, 7, &k->eth, rck_u(11));
    rck_deposit(k, 7, &k->eth, rck_u(12));
    plasma_event *evs = NULL;
    size_t n = 0;
    uint64_t next = 0;
    uint64_t amounts[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(plasma_rootchain_client_events(k->cli, from, UINT64_MAX, 1, &evs, &n, &next), 0);
        assert_int_equal(n, 1);
        assert_int_equal(evs[0].kind, PLASMA_EVENT_DEPOSIT_CREATED);
        plasma_u256_to_u64(&evs[0].deposit_created.amount, &amounts[i]);
        assert_true(next > from);
        from = next;
        free(evs);
    }
    assert_int_equal(amounts[0], 11);
    assert_int_equal(amounts[1], 12);
    assert_int_equal(plasma_rootchain_client_events(k->cli, from, UINT64_MAX, 1, &evs, &n, &next), 0);
    assert_int_equal(n, 0);
    assert_null(evs);
    assert_int_equal(next, rck_status(k).head_number + 1);
    /* to_block bounds the range. */
    assert_int_equal(plasma_rootchain_client_events(k->cli, 0, 0, 0, &evs, &n, &next), 0);
    assert_int_equal(n, 0);
    assert_int_equal(next, 1);
}

static void test_pool_full(void **state)
{
    (void)state;
    rck k;
    rck_opts o = {.dev = true, .max_pending = 2};
    rck_start(&k, &o);
    plasma_call c;
    for (int i = 0; i < 2; i++) {
        rck_call(&k, &c, PLASMA_CALL_DEPOSIT, 1);
        c.deposit.amount = rck_u(1);
        rck_send(&k, &c, 1);
    }
    rck_call(&k, &c, PLASMA_CALL_DEPOSIT, 2);
    c.deposit.amount = rck_u(1);
    expect_refused(&k, &c, &k.key[2], 503, "block_full");
    rck_mine(&k, 1);
    rck_send(&k, &c, 2);
    rck_stop(&k);
}

/* The same routes under a prefix, beside another mount. */
static void test_mount_prefix(void **state)
{
    (void)state;
    rck k;
    rck_opts o = {.dev = true, .prefix = "/rootchain"};
    rck_start(&k, &o);
    plasma_rootchain_status s = rck_status(&k);
    assert_int_equal(s.chain_id, PLASMA_CHAIN_DEFAULT_CHAIN_ID);
    assert_true(s.dev);
    rck_deposit(&k, 1, &k.eth, rck_u(99));
    rck_resp r;
    rck_raw(&k, "GET", "/v1/plasma/blocks/1", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "amount")), "99");
    assert_true(json_is_true(json_object_get(r.json, "is_deposit")));
    json_decref(r.json);
    rck_stop(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deposit_mined_balances),
        cmocka_unit_test(test_bad_signature),
        cmocka_unit_test(test_replayed_nonce),
        cmocka_unit_test(test_insufficient_funds),
        cmocka_unit_test(test_gas_limits),
        cmocka_unit_test(test_not_operator),
        cmocka_unit_test(test_exit_refusals),
        cmocka_unit_test(test_bad_call_envelopes),
        cmocka_unit_test(test_challenge_and_process),
        cmocka_unit_test(test_dev_controls),
        cmocka_unit_test(test_payload_too_large),
        cmocka_unit_test(test_malformed_inputs),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_events_paging),
        cmocka_unit_test(test_dev_controls_refused),
        cmocka_unit_test(test_pool_full),
        cmocka_unit_test(test_mount_prefix),
    };
    return cmocka_run_group_tests(tests, setup_dev, teardown);
}
