/* The node itself: hooks in block order, the auto-miner, in-process use
 * under the lock, persistence across reopen (and the development prefund
 * happening once), concurrent submitters, and the client's error mapping. */
#include <pthread.h>
#include <time.h>

#include "test_rootchain_kit.h"

typedef struct hook_log {
    plasma_rootnode *node;
    uint64_t numbers[64];
    size_t n;
    bool out_of_order;
    bool lock_ok;
} hook_log;

static void on_mined(void *payload, const plasma_chain_block *b)
{
    hook_log *l = payload;
    if (l->n > 0 && b->number != l->numbers[(l->n - 1) % 64] + 1)
        l->out_of_order = true;
    l->numbers[l->n % 64] = b->number;
    l->n++;
    /* A hook may take the lock: it runs without it. */
    plasma_rootnode_lock(l->node);
    plasma_chain_head h;
    plasma_chain_get_head(&h, plasma_rootnode_chain(l->node));
    l->lock_ok = h.number >= b->number;
    plasma_rootnode_unlock(l->node);
}

static void test_hooks_in_order(void **state)
{
    (void)state;
    rck k;
    rck_opts o = {.dev = true};
    rck_start(&k, &o);
    hook_log log = {.node = k.node};
    plasma_rootnode_hooks hooks = {on_mined, NULL, &log};
    plasma_rootnode_set_hooks(k.node, &hooks);
    plasma_chain_block last;
    assert_int_equal(plasma_rootnode_mine(k.node, 3, &last), 0);
    assert_int_equal(last.number, 3);
    rck_mine(&k, 2);
    assert_int_equal(log.n, 5);
    assert_int_equal(log.numbers[0], 1);
    assert_int_equal(log.numbers[4], 5);
    assert_false(log.out_of_order);
    assert_true(log.lock_ok);
    assert_int_equal(plasma_rootnode_mine(k.node, 0, NULL), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_rootnode_mine(k.node, PLASMA_ROOTNODE_MAX_MINE_BLOCKS + 1, NULL),
                     PLASMA_ERR_BAD_REQUEST);
    plasma_rootnode_set_hooks(k.node, NULL);
    rck_mine(&k, 1);
    assert_int_equal(log.n, 5);
    rck_stop(&k);
}

static void test_auto_miner(void **state)
{
    (void)state;
    rck k;
    rck_opts o = {.dev = true, .interval_ms = 20};
    rck_start(&k, &o);
    hook_log log = {.node = k.node};
    plasma_rootnode_hooks hooks = {on_mined, NULL, &log};
    plasma_rootnode_set_hooks(k.node, &hooks);
    plasma_call c;
    rck_call(&k, &c, PLASMA_CALL_DEPOSIT, 1);
    c.deposit.amount = rck_u(1000);
    plasma_hash h = rck_send(&k, &c, 1);
    plasma_receipt r;
    assert_int_equal(plasma_rootchain_client_wait_receipt(k.cli, &h, 5000, &r), 0);
    assert_int_equal(r.err, 0);
    for (int i = 0; i < 200 && rck_status(&k).head_number < 5; i++)
        tu_sleep_ms(10);
    assert_true(rck_status(&k).head_number >= 5);
    assert_false(log.out_of_order);
    rck_stop(&k); /* stops the miner while it runs */
    assert_true(log.n >= 4);
}

/* The operator's way: submit and read under the lock, no HTTP. */
static void test_in_process(void **state)
{
    (void)state;
    rck k;
    rck_opts o = {.dev = true};
    rck_start(&k, &o);
    plasma_call c;
    plasma_call_init(&c, PLASMA_CALL_SUBMIT_BLOCK, &k.addr[0], 0, RCK_GWEI, RCK_GAS);
    memset(c.submit_block.root.b, 0x5a, 32);
    plasma_hash h;
    uint64_t gas = 0;
    assert_int_equal(plasma_rootnode_submit(k.node, &c, &h, &gas), 0);
    assert_true(gas > PLASMA_GAS_BASE);
    c.nonce = 1;
    c.from = k.addr[2];
    assert_int_equal(plasma_rootnode_submit(k.node, &c, NULL, NULL), PLASMA_ERR_BAD_NONCE);
    c.nonce = 0;
    assert_int_equal(plasma_rootnode_submit(k.node, &c, NULL, NULL), PLASMA_ERR_NOT_OPERATOR);
    bool pending = false;
    plasma_receipt r;
    assert_int_equal(plasma_rootchain_client_receipt(k.cli, &h, &r, &pending), 0);
    assert_true(pending);
    assert_int_equal(plasma_rootnode_mine(k.node, 1, NULL), 0);
    plasma_rootnode_lock(k.node);
    plasma_block_record b;
    assert_int_equal(plasma_chain_block_root(&b, plasma_rootnode_chain(k.node), 1000), 0);
    assert_int_equal(plasma_chain_receipt(&r, plasma_rootnode_chain(k.node), &h), 0);
    plasma_rootnode_unlock(k.node);
    assert_true(plasma_hash_eq(&b.root, &c.submit_block.root));
    assert_int_equal(r.gas_used, gas);
    assert_true(plasma_rootnode_is_dev(k.node));
    rck_stop(&k);
}

static void make_tmpdir(char *dir, size_t len)
{
    snprintf(dir, len, "/tmp/plasma-rc-node-XXXXXX");
    assert_non_null(mkdtemp(dir));
}

static void test_persistence(void **state)
{
    (void)state;
    char dir[64], data[96];
    make_tmpdir(dir, sizeof dir);
    snprintf(data, sizeof data, "%s/chain", dir);
    rck k;
    rck_opts o = {.dev = true, .data_dir = data};
    rck_start(&k, &o);
    rck_deposit(&k, 1, &k.eth, rck_meth(250));
    plasma_call c;
    rck_call(&k, &c, PLASMA_CALL_DEPOSIT, 2);
    c.deposit.amount = rck_u(1);
    plasma_hash lost = rck_send(&k, &c, 2); /* pending at shutdown */
    plasma_rootchain_status before = rck_status(&k);
    plasma_u256 bal1 = rck_bal(&k, &k.addr[1], NULL), bal9 = rck_bal(&k, &k.addr[9], NULL);
    rck_stop(&k);

    rck_start(&k, &o);
    plasma_rootchain_status after = rck_status(&k);
    assert_true(plasma_hash_eq(&before.state_digest, &after.state_digest));
    assert_true(plasma_hash_eq(&before.head_hash, &after.head_hash));
    assert_int_equal(after.pending_calls, 0);
    rck_assert_u256(rck_bal(&k, &k.addr[1], NULL), bal1);
    rck_assert_u256(rck_bal(&k, &k.addr[9], NULL), bal9); /* prefunded once only */
    plasma_receipt r;
    bool pending;
    assert_int_equal(plasma_rootchain_client_receipt(k.cli, &lost, &r, &pending), PLASMA_ERR_NOT_FOUND);
    rck_stop(&k);

    /* The stored chain's consensus settings must match. */
    plasma_rootnode_config nc;
    plasma_rootnode_config_default(&nc);
    nc.data_dir = data;
    nc.mine_interval_ms = 0;
    nc.chain.chain_id = 1;
    plasma_rootnode *node = NULL;
    assert_int_equal(plasma_rootnode_new(&node, &nc), PLASMA_ERR_CONFIG);
    assert_null(node);
    rck_rmtree(dir);
}

static void test_bad_config(void **state)
{
    (void)state;
    plasma_rootnode_config nc;
    plasma_rootnode_config_default(&nc);
    nc.chain.block_gas_limit = 0;
    plasma_rootnode *node = NULL;
    assert_int_equal(plasma_rootnode_new(&node, &nc), PLASMA_ERR_CONFIG);
    plasma_rootnode_config_default(&nc);
    nc.data_dir = "/nonexistent-parent-dir/plasma/chain";
    assert_int_equal(plasma_rootnode_new(&node, &nc), PLASMA_ERR_IO);
    assert_null(node);
    plasma_rootnode_free(NULL);
}

/* ---- concurrency: submitters over HTTP while the miner runs ---- */

typedef struct worker {
    rck *k;
    unsigned who;
    int calls;
    int failures;
} worker;

static void *submit_loop(void *arg)
{
    worker *w = arg;
    rck *k = w->k;
    uint64_t next = 0;
    if (plasma_rootchain_client_nonce(k->cli, &k->addr[w->who], NULL, &next) != 0)
        w->failures++;
    plasma_hash last = {{0}};
    for (int i = 0; i < w->calls; i++) {
        plasma_call c;
        plasma_call_init(&c, PLASMA_CALL_DEPOSIT, &k->addr[w->who], next + (uint64_t)i, RCK_GWEI, RCK_GAS);
        c.deposit.amount = rck_u(1 + (uint64_t)i);
        if (plasma_rootchain_client_send(k->cli, &k->cd, &c, &k->key[w->who], &last, NULL) != 0)
            w->failures++;
    }
    plasma_receipt r;
    if (plasma_rootchain_client_wait_receipt(k->cli, &last, 10000, &r) != 0 || r.err != 0)
        w->failures++;
    return NULL;
}

static void test_concurrent_submitters(void **state)
{
    (void)state;
    rck k;
    rck_opts o = {.dev = true, .interval_ms = 5};
    rck_start(&k, &o);
    plasma_u256 contract0 = rck_bal(&k, &k.cfg.contract, NULL);
    enum { N = 4, CALLS = 25 };
    worker w[N];
    pthread_t t[N];
    for (unsigned i = 0; i < N; i++) {
        w[i] = (worker){&k, 1 + i, CALLS, 0};
        assert_int_equal(pthread_create(&t[i], NULL, submit_loop, &w[i]), 0);
    }
    for (unsigned i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    /* Each worker deposited 1 + 2 + ... + CALLS wei. */
    uint64_t each = CALLS * (CALLS + 1) / 2;
    rck_assert_u256(rck_bal(&k, &k.cfg.contract, NULL), rck_add(contract0, rck_u(N * each)));
    assert_int_equal(rck_status(&k).next_deposit_block, 1 + N * CALLS);
    rck_resp g;
    rck_raw(&k, "GET", "/v1/gas", NULL, &g);
    json_t *dep = json_object_get(json_object_get(g.json, "by_kind"), "deposit");
    assert_int_equal(json_integer_value(json_object_get(dep, "calls")), N * CALLS);
    assert_int_equal(json_integer_value(json_object_get(dep, "failed")), 0);
    json_decref(g.json);
    rck_stop(&k);
}

static void test_client_errors(void **state)
{
    (void)state;
    rck k;
    rck_opts o = {.dev = true};
    rck_start(&k, &o);
    plasma_exit_info x;
    assert_int_equal(plasma_rootchain_client_exit(k.cli, 1000000000, &x), PLASMA_ERR_EXIT_NOT_FOUND);
    assert_true(strlen(plasma_rootchain_client_errmsg(k.cli)) > 0);
    plasma_block_record b;
    assert_int_equal(plasma_rootchain_client_block_root(k.cli, 1000, &b), PLASMA_ERR_BLOCK_NOT_FOUND);
    plasma_chain_block hdr;
    assert_int_equal(plasma_rootchain_client_block(k.cli, 77, &hdr), PLASMA_ERR_NOT_FOUND);
    assert_int_equal(plasma_rootchain_client_block(k.cli, 0, &hdr), 0);
    assert_int_equal(hdr.number, 0);
    plasma_call_domain d;
    assert_int_equal(plasma_rootchain_client_domain(k.cli, &d), 0);
    assert_int_equal(d.chain_id, k.cd.chain_id);
    assert_true(plasma_addr_eq(&d.contract, &k.cd.contract));
    plasma_hash h = {{1}};
    plasma_receipt r;
    assert_int_equal(plasma_rootchain_client_wait_receipt(k.cli, &h, 100, &r), PLASMA_ERR_NOT_FOUND);
    /* A pending call times out when nothing mines. */
    plasma_call c;
    rck_call(&k, &c, PLASMA_CALL_DEPOSIT, 1);
    c.deposit.amount = rck_u(1);
    h = rck_send(&k, &c, 1);
    assert_int_equal(plasma_rootchain_client_wait_receipt(k.cli, &h, 100, &r), PLASMA_ERR_TIMEOUT);
    uint16_t port = k.port;
    rck_stop(&k);

    plasma_rootchain_client *cli = NULL;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", port);
    assert_int_equal(plasma_rootchain_client_new(&cli, url, 1000), 0);
    plasma_rootchain_status s;
    assert_int_equal(plasma_rootchain_client_status(cli, &s), PLASMA_ERR_UNAVAILABLE);
    plasma_rootchain_client_free(cli);
    plasma_rootchain_client_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hooks_in_order), cmocka_unit_test(test_auto_miner),
        cmocka_unit_test(test_in_process),     cmocka_unit_test(test_persistence),
        cmocka_unit_test(test_bad_config),     cmocka_unit_test(test_concurrent_submitters),
        cmocka_unit_test(test_client_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
