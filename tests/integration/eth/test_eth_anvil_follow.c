/* eth's event follower against a real anvil, and the JSON-RPC client behind
 * a failing proxy. The follower's consumer must always hold exactly the
 * §9 events the chain has (checked against eth_getLogs read directly):
 * in order, across ranges, two events in one block, a consumer that fails
 * mid-poll, a reorganisation (evm_snapshot / evm_revert) undone and
 * replayed, a restart from the persisted cursor, a reorganisation while
 * stopped, a node that refuses wide eth_getLogs, and a flaky endpoint. */
#include "eth_itest.h"

/* --- a consumer that keeps events and persists its cursor --- */

#define MAX_EVENTS 128

typedef struct consumer {
    plasma_eth_event ev[MAX_EVENTS];
    size_t n;         /* delivered, the block in progress included */
    size_t committed; /* up to the last on_block */
    plasma_eth_cursor cursor;
    char path[128]; /* cursor file */
    int undos;
    plasma_eth_cursor last_undo;
    int fail_in; /* when > 0, the fail_in-th next event is refused */
} consumer;

static int on_event(void *ctx, const plasma_eth_event *ev)
{
    consumer *c = ctx;
    if (c->fail_in > 0 && --c->fail_in == 0) {
        c->n = c->committed; /* what was applied of this block is dropped */
        return PLASMA_ERR_IO;
    }
    assert_true(c->n < MAX_EVENTS);
    c->ev[c->n++] = *ev;
    return PLASMA_OK;
}

static int on_block(void *ctx, const plasma_eth_cursor *cursor)
{
    consumer *c = ctx;
    assert_true(cursor->number >= c->cursor.number);
    c->committed = c->n;
    c->cursor = *cursor;
    return plasma_eth_cursor_save(c->path, cursor);
}

static int on_undo(void *ctx, const plasma_eth_cursor *ancestor)
{
    consumer *c = ctx;
    while (c->n > 0 && c->ev[c->n - 1].block_number > ancestor->number)
        c->n--;
    c->committed = c->n;
    c->cursor = *ancestor;
    c->undos++;
    c->last_undo = *ancestor;
    return plasma_eth_cursor_save(c->path, ancestor);
}

static void consumer_init(consumer *c, const char *dir, const char *name)
{
    memset(c, 0, sizeof *c);
    snprintf(c->path, sizeof c->path, "%s/%s", dir, name);
}

static plasma_eth_follower *follower(plasma_eth_rpc *via, consumer *c, const plasma_addr *contract,
                                     uint64_t start, uint64_t max_range, const plasma_eth_cursor *resume)
{
    plasma_eth_follow_config cfg;
    plasma_eth_follow_config_default(&cfg);
    cfg.contract = *contract;
    cfg.start_block = start;
    cfg.confirmations = 0;
    cfg.max_range = max_range;
    cfg.reorg_window = 8;
    plasma_eth_follow_consumer cons = {
        .ctx = c, .on_event = on_event, .on_block = on_block, .on_undo = on_undo};
    plasma_eth_follower *f = NULL;
    assert_int_equal(plasma_eth_follower_new(&f, via, &cfg, &cons, resume), 0);
    return f;
}

/* Polls until caught up; returns the number of polls. */
static int catch_up(plasma_eth_follower *f)
{
    for (int polls = 1; polls <= 200; polls++) {
        bool done = false;
        int rc = plasma_eth_follower_poll(f, &done);
        if (rc != 0)
            fail_msg("poll: %s (%s)", plasma_err_code(rc), plasma_eth_follower_errmsg(f));
        if (done)
            return polls;
    }
    fail_msg("the follower did not catch up in 200 polls");
    return 0;
}

/* The consumer holds exactly the chain's §9 events of blocks start..head,
 * as eth_getLogs gives them, and its cursor is the head. */
static void assert_matches_chain(const consumer *c, const plasma_addr *contract, uint64_t start)
{
    uint64_t head = eit_head(rpc);
    char addr[43];
    json_t *params = json_pack("[{s:s,s:o,s:o}]", "address", plasma_addr_format(addr, contract), "fromBlock",
                               plasma_eth_quantity_json(start), "toBlock", plasma_eth_quantity_json(head));
    json_t *logs = NULL;
    assert_int_equal(plasma_eth_rpc_call(rpc, "eth_getLogs", params, &logs), 0);
    size_t k = 0;
    for (size_t i = 0; i < json_array_size(logs); i++) {
        plasma_eth_log log;
        plasma_eth_event want;
        assert_int_equal(plasma_eth_log_from_json(&log, json_array_get(logs, i)), 0);
        int rc = plasma_eth_event_decode(&want, &log);
        plasma_eth_log_clear(&log);
        if (rc == PLASMA_ERR_NOT_FOUND)
            continue;
        assert_int_equal(rc, 0);
        if (k >= c->committed)
            fail_msg("the consumer lacks event %zu (block %llu)", k, (unsigned long long)want.block_number);
        const plasma_eth_event *got = &c->ev[k++];
        assert_int_equal(got->kind, want.kind);
        assert_int_equal(got->block_number, want.block_number);
        assert_int_equal(got->log_index, want.log_index);
        assert_true(plasma_hash_eq(&got->block_hash, &want.block_hash));
        assert_true(plasma_hash_eq(&got->tx_hash, &want.tx_hash));
        assert_memory_equal(&got->u, &want.u, sizeof want.u);
    }
    assert_int_equal(k, c->committed);
    assert_int_equal(c->n, c->committed);
    assert_int_equal(c->cursor.number, head);
    plasma_eth_header h;
    assert_int_equal(plasma_eth_header_get(rpc, head, &h), 0);
    assert_true(plasma_hash_eq(&c->cursor.hash, &h.hash));
    plasma_eth_cursor saved;
    assert_int_equal(plasma_eth_cursor_load(&saved, c->path), 0);
    assert_int_equal(saved.number, head);
    json_decref(logs);
    json_decref(params);
}

/* --- driving the probe --- */

static void deposit(plasma_eth_sender *s, const plasma_addr *probe, uint64_t amount)
{
    plasma_addr eth = {{0}};
    plasma_u256 a = plasma_u256_from_u64(amount);
    plasma_buf data = {0};
    assert_int_equal(plasma_eth_encode_deposit(&data, &eth, &a), 0);
    eit_transact(s, probe, &data, amount);
    plasma_buf_free(&data);
}

static void submit(plasma_eth_sender *s, const plasma_addr *probe, uint8_t tag)
{
    plasma_hash root;
    memset(root.b, tag, 32);
    plasma_buf data = {0};
    assert_int_equal(plasma_eth_encode_submit_block(&data, &root), 0);
    eit_transact(s, probe, &data, 0);
    plasma_buf_free(&data);
}

static void unrelated(plasma_eth_sender *s, const plasma_addr *probe)
{
    plasma_eth_abi_value v = plasma_eth_abi_u64(99);
    plasma_buf data = {0};
    assert_int_equal(plasma_eth_abi_encode_call(&data, "unrelated(uint256)", &v, 1), 0);
    eit_transact(s, probe, &data, 0);
    plasma_buf_free(&data);
}

/* A deposit and a submission mined in one block. */
static void two_in_one_block(plasma_eth_sender *s, const plasma_addr *probe)
{
    plasma_addr eth = {{0}};
    plasma_u256 a = plasma_u256_from_u64(7);
    plasma_hash root = {{0xbb}};
    plasma_buf d1 = {0}, d2 = {0};
    assert_int_equal(plasma_eth_encode_deposit(&d1, &eth, &a), 0);
    assert_int_equal(plasma_eth_encode_submit_block(&d2, &root), 0);
    eit_automine(rpc, false);
    plasma_eth_txreq r1 = {
        .to = *probe, .value = a, .data = d1.data, .data_len = d1.len, .gas_limit = 200000};
    plasma_eth_txreq r2 = {.to = *probe, .data = d2.data, .data_len = d2.len, .gas_limit = 200000};
    plasma_eth_pending *p1 = NULL, *p2 = NULL;
    assert_int_equal(plasma_eth_sender_send(s, &r1, &p1), 0);
    assert_int_equal(plasma_eth_sender_send(s, &r2, &p2), 0);
    eit_call_void(rpc, "evm_mine", "[]");
    eit_automine(rpc, true);
    plasma_eth_receipt a1, a2;
    assert_int_equal(plasma_eth_sender_wait(s, p1, &a1), 0);
    assert_int_equal(plasma_eth_sender_wait(s, p2, &a2), 0);
    assert_int_equal(a1.block_number, a2.block_number);
    plasma_eth_pending_free(p1);
    plasma_eth_pending_free(p2);
    plasma_buf_free(&d1);
    plasma_buf_free(&d2);
}

static uint64_t snapshot(void)
{
    json_t *id = eit_call(rpc, "evm_snapshot", "[]");
    uint64_t v;
    assert_int_equal(plasma_eth_quantity_u64(&v, id), 0);
    json_decref(id);
    return v;
}

static void revert_to(uint64_t snap)
{
    char params[48];
    snprintf(params, sizeof params, "[\"0x%llx\"]", (unsigned long long)snap);
    json_t *ok = eit_call(rpc, "evm_revert", params);
    assert_true(json_is_true(ok));
    json_decref(ok);
}

static void test_follow_reorg_restart(void **state)
{
    (void)state;
    plasma_eth_sender *s = eit_sender(rpc, 0, 0);
    uint64_t start;
    plasma_addr probe = eit_deploy_probe(s, &start);
    consumer c;
    consumer_init(&c, anvil.dir, "cursor");

    /* Events over several ranges (two blocks each), one that is not §9's,
     * two in one block. */
    plasma_eth_follower *f = follower(rpc, &c, &probe, start, 2, NULL);
    deposit(s, &probe, 5);
    deposit(s, &probe, 6);
    unrelated(s, &probe);
    submit(s, &probe, 0xaa);
    two_in_one_block(s, &probe);
    assert_true(catch_up(f) >= 3);
    assert_int_equal(c.committed, 5);
    assert_matches_chain(&c, &probe, start);
    assert_int_equal(plasma_eth_follower_skipped(f), 1);
    assert_int_equal(c.ev[0].kind, PLASMA_ETH_EV_DEPOSIT_CREATED);
    assert_int_equal(c.ev[0].u.deposit_created.blknum, 1);
    assert_int_equal(c.ev[0].u.deposit_created.amount.w[0], 5);
    assert_true(plasma_addr_eq(&c.ev[0].u.deposit_created.depositor, plasma_eth_sender_address(s)));
    assert_int_equal(c.ev[2].kind, PLASMA_ETH_EV_BLOCK_SUBMITTED);
    assert_int_equal(c.ev[2].u.block_submitted.blknum, 1000);
    assert_int_equal(c.ev[2].u.block_submitted.root.b[0], 0xaa);
    plasma_eth_header h;
    assert_int_equal(plasma_eth_header_get(rpc, c.ev[2].block_number, &h), 0);
    assert_int_equal(c.ev[2].u.block_submitted.timestamp, h.timestamp);
    assert_int_equal(c.ev[3].block_number, c.ev[4].block_number);
    assert_true(c.ev[3].log_index < c.ev[4].log_index);

    /* The consumer fails on the next event: nothing of it stays, and the
     * next poll delivers it once. */
    c.fail_in = 1;
    deposit(s, &probe, 8);
    bool done;
    assert_int_equal(plasma_eth_follower_poll(f, &done), PLASMA_ERR_IO);
    assert_int_equal(c.committed, 5);
    catch_up(f);
    assert_int_equal(c.committed, 6);
    assert_matches_chain(&c, &probe, start);

    /* A reorganisation: two blocks replaced by three others. */
    uint64_t snap = snapshot(), snap_block = eit_head(rpc);
    submit(s, &probe, 0xcc);
    deposit(s, &probe, 9);
    catch_up(f);
    assert_int_equal(c.committed, 8);
    revert_to(snap);
    plasma_eth_sender_free(s);
    s = eit_sender(rpc, 0, 0); /* its nonce counter ran ahead of the chain */
    deposit(s, &probe, 10);
    eit_mine(rpc, 2);
    catch_up(f);
    assert_int_equal(c.undos, 1);
    assert_int_equal(c.last_undo.number, snap_block);
    assert_int_equal(c.committed, 7);
    assert_int_equal(c.ev[6].u.deposit_created.amount.w[0], 10);
    assert_matches_chain(&c, &probe, start);

    /* A restart: a new follower from the saved cursor delivers only what
     * came after it. */
    plasma_eth_follower_free(f);
    submit(s, &probe, 0xdd);
    plasma_eth_cursor saved;
    assert_int_equal(plasma_eth_cursor_load(&saved, c.path), 0);
    f = follower(rpc, &c, &probe, start, 2, &saved);
    catch_up(f);
    assert_int_equal(c.committed, 8);
    assert_int_equal(c.undos, 1);
    assert_matches_chain(&c, &probe, start);

    /* A reorganisation while the follower is stopped: it knows only the
     * cursor's block, so it rewinds reorg_window (8) blocks below it and
     * replays them. */
    uint64_t snap2 = snapshot();
    deposit(s, &probe, 11);
    catch_up(f);
    plasma_eth_follower_free(f);
    assert_int_equal(plasma_eth_cursor_load(&saved, c.path), 0);
    revert_to(snap2);
    plasma_eth_sender_free(s);
    s = eit_sender(rpc, 0, 0);
    deposit(s, &probe, 12);
    eit_mine(rpc, 1);
    f = follower(rpc, &c, &probe, start, 2, &saved);
    catch_up(f);
    assert_int_equal(c.undos, 2);
    assert_int_equal(c.last_undo.number, saved.number - 8);
    assert_int_equal(c.ev[c.committed - 1].u.deposit_created.amount.w[0], 12);
    assert_matches_chain(&c, &probe, start);

    plasma_eth_follower_free(f);
    plasma_eth_sender_free(s);
    unlink(c.path);
}

/* --- behind a proxy --- */

static plasma_eth_rpc *rpc_via(const char *url, unsigned attempts, long timeout_ms)
{
    plasma_eth_rpc_config cfg;
    plasma_eth_rpc_config_default(&cfg);
    cfg.url = url;
    cfg.max_attempts = attempts;
    cfg.timeout_ms = timeout_ms;
    cfg.backoff_base_ms = 10;
    cfg.backoff_max_ms = 40;
    plasma_eth_rpc *r = NULL;
    assert_int_equal(plasma_eth_rpc_new(&r, &cfg), 0);
    return r;
}

/* A node that refuses eth_getLogs over more than 3 blocks, and fails one
 * request in four: the follower halves its ranges, retries, and its
 * consumer ends with the same events as a direct read. */
static void test_follow_through_a_difficult_node(void **state)
{
    (void)state;
    plasma_eth_sender *s = eit_sender(rpc, 1, 0);
    uint64_t start;
    plasma_addr probe = eit_deploy_probe(s, &start);
    for (int i = 0; i < 6; i++)
        i % 2 ? submit(s, &probe, (uint8_t)i) : deposit(s, &probe, 100 + (uint64_t)i);
    eit_mine(rpc, 10);

    eit_proxy px;
    eit_proxy_start(&px, anvil.url);
    eit_proxy_set(&px, 0, 503, 0, 0, 4, false);
    pthread_mutex_lock(&px.mu);
    px.max_logs_range = 3;
    pthread_mutex_unlock(&px.mu);
    plasma_eth_rpc *via = rpc_via(px.url, 5, 3000);
    consumer c;
    consumer_init(&c, anvil.dir, "cursor-proxy");
    plasma_eth_follower *f = follower(via, &c, &probe, start, 50, NULL);
    catch_up(f);
    assert_int_equal(c.committed, 6);
    assert_matches_chain(&c, &probe, start);
    pthread_mutex_lock(&px.mu);
    assert_true(px.refused_logs > 0);
    pthread_mutex_unlock(&px.mu);

    /* Down for good: the poll gives unavailable, says why, and moves
     * nothing; back up, it goes on. */
    eit_proxy_set(&px, 0, 503, 0, 0, 0, true);
    deposit(s, &probe, 200);
    plasma_eth_cursor before = c.cursor;
    bool done;
    assert_int_equal(plasma_eth_follower_poll(f, &done), PLASMA_ERR_UNAVAILABLE);
    assert_non_null(strstr(plasma_eth_follower_errmsg(f), "after 5 attempts"));
    assert_int_equal(plasma_eth_follower_cursor(f)->number, before.number);
    eit_proxy_set(&px, 0, 503, 0, 0, 0, false);
    catch_up(f);
    assert_int_equal(c.committed, 7);
    assert_matches_chain(&c, &probe, start);

    plasma_eth_follower_free(f);
    plasma_eth_rpc_free(via);
    eit_proxy_stop(&px);
    plasma_eth_sender_free(s);
    unlink(c.path);
}

/* Errors and a stall are retried through; a transfer sent through a proxy
 * that fails every third request is mined once, with the balance right;
 * a proxy that always fails is unavailable, with a clear message. */
static void test_rpc_through_failures(void **state)
{
    (void)state;
    eit_proxy px;
    eit_proxy_start(&px, anvil.url);
    plasma_eth_rpc *via = rpc_via(px.url, 4, 400);
    uint64_t head = 0;

    eit_proxy_set(&px, 2, 503, 0, 0, 0, false);
    assert_int_equal(plasma_eth_block_number(via, &head), 0);
    assert_int_equal(eit_proxy_requests(&px), 3);
    eit_proxy_set(&px, 1, 429, 1, 1000, 0, false);
    assert_int_equal(plasma_eth_block_number(via, &head), 0);
    assert_int_equal(eit_proxy_requests(&px), 3);
    assert_int_equal(plasma_eth_rpc_last_error(via)->err, 0);

    eit_proxy_set(&px, 0, 500, 0, 0, 3, false);
    plasma_eth_sender *s = eit_sender(via, 2, 0);
    plasma_addr to = eit_addr(9);
    plasma_u256 before = eit_balance(rpc, &to), after, want, value = plasma_u256_from_u64(424242);
    plasma_eth_txreq req = {.to = to, .value = value};
    plasma_eth_receipt r;
    assert_int_equal(plasma_eth_sender_transact(s, &req, &r), 0);
    after = eit_balance(rpc, &to);
    assert_int_equal(plasma_u256_add(&want, &before, &value), 0);
    assert_int_equal(plasma_u256_cmp(&after, &want), 0);
    assert_true(eit_proxy_requests(&px) >= 6);

    eit_proxy_set(&px, 0, 503, 0, 0, 0, true);
    assert_int_equal(plasma_eth_block_number(via, &head), PLASMA_ERR_UNAVAILABLE);
    const char *msg = plasma_eth_rpc_last_error(via)->message;
    assert_non_null(strstr(msg, "eth_blockNumber"));
    assert_non_null(strstr(msg, "after 4 attempts"));
    assert_non_null(strstr(msg, "HTTP 503"));
    assert_int_equal(eit_proxy_requests(&px), 4);
    assert_int_equal(plasma_eth_sender_transact(s, &req, &r), PLASMA_ERR_UNAVAILABLE);
    assert_non_null(strstr(plasma_eth_sender_errmsg(s), "attempts"));

    plasma_eth_sender_free(s);
    plasma_eth_rpc_free(via);
    eit_proxy_stop(&px);
}

/* eth_getLogs answers that are not what was asked for: each poll refuses
 * the answer whole (bad_request), delivers nothing and keeps its cursor;
 * the next honest answer is delivered as usual. */
static void test_follow_refuses_malformed_logs(void **state)
{
    (void)state;
    plasma_eth_sender *s = eit_sender(rpc, 5, 0);
    uint64_t start;
    plasma_addr probe = eit_deploy_probe(s, &start);
    deposit(s, &probe, 21);
    eit_proxy px;
    eit_proxy_start(&px, anvil.url);
    plasma_eth_rpc *via = rpc_via(px.url, 2, 3000);
    consumer c;
    consumer_init(&c, anvil.dir, "cursor-malformed");
    plasma_eth_follower *f = follower(via, &c, &probe, start, 100, NULL);
    catch_up(f);
    deposit(s, &probe, 22);

    char addr[43], log_at[512], removed[512];
    plasma_addr_format(addr, &probe);
    const char *topic = "\"0x36805ae734d39c3675a2dfe79c18d15a03680ff0589e7119958435a3bdd61b36\","
                        "\"0x0000000000000000000000000000000000000000000000000000000000000001\"";
    const char *tail =
        "\"data\":\"0x\",\"blockHash\":"
        "\"0x1111111111111111111111111111111111111111111111111111111111111111\","
        "\"transactionHash\":\"0x2222222222222222222222222222222222222222222222222222222222222222\","
        "\"logIndex\":\"0x0\"";
    snprintf(log_at, sizeof log_at, "[{\"address\":\"%s\",\"topics\":[%s],\"blockNumber\":\"0xffffff\",%s}]",
             addr, topic, tail);
    snprintf(removed, sizeof removed,
             "[{\"address\":\"%s\",\"topics\":[%s],\"blockNumber\":\"0x%llx\",\"removed\":true,%s}]", addr,
             topic, (unsigned long long)eit_head(rpc), tail);
    const char *const FORGED[] = {"\"0x1\"", "null", "[{\"address\":\"0x12\"}]", "[7]", log_at, removed};
    plasma_eth_cursor before = c.cursor;
    for (size_t i = 0; i < sizeof FORGED / sizeof FORGED[0]; i++) {
        eit_proxy_set(&px, 0, 503, 0, 0, 0, false);
        pthread_mutex_lock(&px.mu);
        px.forge_method = "eth_getLogs";
        px.forge_result = FORGED[i];
        pthread_mutex_unlock(&px.mu);
        bool done;
        int rc = plasma_eth_follower_poll(f, &done);
        if (rc != PLASMA_ERR_BAD_REQUEST)
            fail_msg("forged answer %zu: %s", i, plasma_err_code(rc));
        assert_int_equal(c.committed, 1);
        assert_int_equal(c.cursor.number, before.number);
        assert_int_equal(plasma_eth_follower_cursor(f)->number, before.number);
    }
    eit_proxy_set(&px, 0, 503, 0, 0, 0, false);
    catch_up(f);
    assert_int_equal(c.committed, 2);
    assert_matches_chain(&c, &probe, start);
    plasma_eth_follower_free(f);
    plasma_eth_rpc_free(via);
    eit_proxy_stop(&px);
    plasma_eth_sender_free(s);
    unlink(c.path);
}

/* eth_sendRawTransaction reaches the node but its answer is lost: once
 * (the retry finds the transaction known), then on every attempt (the send
 * is in doubt, and waiting finds it mined). Each transfer is mined once,
 * each with its own nonce. */
static void test_lost_answers(void **state)
{
    (void)state;
    eit_proxy px;
    eit_proxy_start(&px, anvil.url);
    plasma_eth_rpc *via = rpc_via(px.url, 3, 3000);
    plasma_eth_sender *s = eit_sender(via, 4, 0);
    plasma_addr me = eit_addr(4), to = eit_addr(8);
    uint64_t n0 = eit_mined_nonce(&me);
    plasma_u256 before = eit_balance(rpc, &to), total = plasma_u256_from_u64(0);
    static const int LOSE[] = {1, 100, 0};
    for (int i = 0; i < 3; i++) {
        eit_proxy_set(&px, 0, 503, 0, 0, 0, false);
        pthread_mutex_lock(&px.mu);
        px.lose_method = "eth_sendRawTransaction";
        px.lose_answers = LOSE[i];
        pthread_mutex_unlock(&px.mu);
        plasma_u256 value = plasma_u256_from_u64(1000 + (uint64_t)i);
        plasma_eth_txreq req = {.to = to, .value = value};
        plasma_eth_receipt r;
        int rc = plasma_eth_sender_transact(s, &req, &r);
        if (rc != 0)
            fail_msg("transfer %d: %s", i, plasma_eth_sender_errmsg(s));
        assert_int_equal(r.nonce, n0 + (uint64_t)i);
        assert_int_equal(eit_mined_nonce(&me), n0 + (uint64_t)i + 1);
        assert_int_equal(plasma_u256_add(&total, &total, &value), 0);
    }
    plasma_u256 after = eit_balance(rpc, &to), want;
    assert_int_equal(plasma_u256_add(&want, &before, &total), 0);
    assert_int_equal(plasma_u256_cmp(&after, &want), 0);
    plasma_eth_sender_free(s);
    plasma_eth_rpc_free(via);
    eit_proxy_stop(&px);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_follow_reorg_restart),
        cmocka_unit_test(test_follow_through_a_difficult_node),
        cmocka_unit_test(test_rpc_through_failures),
        cmocka_unit_test(test_lost_answers),
        cmocka_unit_test(test_follow_refuses_malformed_logs),
    };
    return cmocka_run_group_tests(tests, eit_group_setup, eit_group_teardown);
}
