/* Persistence: a chain mined into LevelDB and reopened has the same state
 * digest, exit queues, history and behaviour; a store that fails a write
 * leaves the chain exactly as it was before the block. */
#include "test_exitgame_kit.h"
#include "test_mem_store.h"

/* ---- a scenario leaving exits in every state ---- */

typedef struct played {
    uint64_t in_progress[3]; /* still queued, unpaid */
    plasma_u256 in_amount[3];
    unsigned in_owner[3];
    plasma_hash some_call;
} played;

static void play(egk *k, played *p)
{
    plasma_u256 minted = egk_u(1000000);
    assert_int_equal(plasma_chain_dev_mint(k->chain, &k->addr[1], &k->token, &minted), 0);
    egk_deposit(k, 4, NULL, egk_wei(5000), NULL); /* backs the child block */
    uint64_t tblk = egk_deposit(k, 1, &k->token, egk_u(700000), NULL);
    plasma_tx ttx;
    plasma_merkle *ttree = egk_deposit_tree(&k->addr[1], &k->token, egk_u(700000), &ttx);

    egk_block b;
    memset(&b, 0, sizeof b);
    for (int i = 0; i < 5; i++)
        egk_payment(&b.txs[i], plasma_utxo_pos(1 + (uint64_t)i, 0, 0), &k->addr[1 + i], NULL,
                    egk_wei(100 * (uint64_t)(i + 1)));
    b.n = 5;
    egk_submit_block(k, &b);
    plasma_call c;
    for (int i = 0; i < 5; i++) {
        egk_exit_call(k, &c, 1 + (unsigned)i, plasma_utxo_pos(b.blknum, (uint32_t)i, 0), &b.txs[i], b.tree,
                      (uint64_t)i);
        plasma_receipt r = egk_run(k, &c);
        assert_int_equal(r.err, 0);
        p->some_call = r.call_hash;
    }
    egk_exit_call(k, &c, 1, plasma_utxo_pos(tblk, 0, 0), &ttx, ttree, 0);
    assert_int_equal(egk_run(k, &c).err, 0);
    /* tx 1's exit is challenged (stays queued), tx 0's is paid */
    egk_challenge_call(k, &c, 9, plasma_utxo_pos(b.blknum, 1, 0), plasma_utxo_pos(b.blknum, 1, 0), 2);
    assert_int_equal(egk_run(k, &c).err, 0);
    assert_int_equal(plasma_chain_dev_advance_time(k->chain, 3 * k->cfg.min_exit_period), 0);
    assert_int_equal(egk_process(k, 8, NULL, 1).err, 0);
    assert_int_equal(egk_exit(k, plasma_utxo_pos(b.blknum, 0, 0)).state, PLASMA_EXIT_FINALIZED);
    assert_int_equal(egk_exit(k, plasma_utxo_pos(b.blknum, 1, 0)).state, PLASMA_EXIT_CHALLENGED);
    for (int i = 0; i < 3; i++) {
        p->in_progress[i] = plasma_utxo_pos(b.blknum, (uint32_t)i + 2, 0);
        p->in_amount[i] = egk_wei(100 * (uint64_t)(i + 3));
        p->in_owner[i] = 3 + (unsigned)i;
    }
    /* time offset pending at close, and a call left in the pool */
    assert_int_equal(plasma_chain_dev_advance_time(k->chain, 77), 0);
    egk_call(k, &c, PLASMA_CALL_TRANSFER, 7);
    c.transfer.to = k->addr[8];
    assert_int_equal(plasma_chain_submit(k->chain, &c, NULL), 0);
    egk_block_free(&b);
    plasma_merkle_free(ttree);
}

typedef struct snapshot {
    plasma_hash digest;
    plasma_exit_queue_info q_eth, q_tok;
    plasma_chain_head head;
    int events;
} snapshot;

static int count_cb(const plasma_event *e, void *payload)
{
    (void)e;
    ++*(int *)payload;
    return 0;
}

static void snap(const egk *k, snapshot *s)
{
    memset(s, 0, sizeof *s);
    assert_int_equal(plasma_chain_state_digest(&s->digest, k->chain), 0);
    plasma_chain_exit_queue(&s->q_eth, k->chain, NULL);
    plasma_chain_exit_queue(&s->q_tok, k->chain, &k->token);
    plasma_chain_get_head(&s->head, k->chain);
    s->head.pending_calls = 0;
    assert_int_equal(plasma_chain_events_since(k->chain, 0, count_cb, &s->events), 0);
}

static void assert_same(const snapshot *a, const snapshot *b)
{
    assert_true(plasma_hash_eq(&a->digest, &b->digest));
    assert_memory_equal(&a->q_eth, &b->q_eth, sizeof a->q_eth);
    assert_memory_equal(&a->q_tok, &b->q_tok, sizeof a->q_tok);
    assert_memory_equal(&a->head, &b->head, sizeof a->head);
    assert_int_equal(a->events, b->events);
}

/* Matured exits are paid amount + bond after a reopen, exactly once. */
static void finish_exits(egk *k, const played *p)
{
    plasma_u256 before[3];
    for (int i = 0; i < 3; i++)
        before[i] = egk_bal(k, &k->addr[p->in_owner[i]], NULL);
    assert_int_equal(egk_process(k, 8, NULL, 10).err, 0);
    assert_int_equal(egk_process(k, 8, NULL, 10).err, 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(egk_exit(k, p->in_progress[i]).state, PLASMA_EXIT_FINALIZED);
        plasma_u256 now = egk_bal(k, &k->addr[p->in_owner[i]], NULL);
        plasma_u256 want = egk_add(before[i], egk_add(p->in_amount[i], k->cfg.exit_bond));
        egk_assert_u256(now, want);
    }
    plasma_exit_queue_info q;
    plasma_chain_exit_queue(&q, k->chain, NULL);
    assert_int_equal(q.size, 0);
}

static void test_leveldb_reopen(void **state)
{
    (void)state;
    char *dir = egk_tmpdir();
    plasma_chain_store *store;
    assert_int_equal(plasma_store_leveldb_open(&store, dir), 0);
    egk k;
    egk_setup(&k, NULL, store, true);
    played p;
    play(&k, &p);
    snapshot before, after;
    snap(&k, &before);
    assert_int_equal(before.q_eth.size, 4); /* 3 in progress + 1 challenged */
    assert_int_equal(before.q_tok.size, 1);
    egk_free(&k);

    /* consensus settings must match the stored ones */
    plasma_chain_config other;
    plasma_chain_config_default(&other);
    other.exit_bond = egk_u(1);
    assert_int_equal(plasma_store_leveldb_open(&store, dir), 0);
    plasma_chain *bad = NULL;
    assert_int_equal(plasma_chain_new(&bad, &other, store), PLASMA_ERR_CONFIG);
    assert_null(bad);
    plasma_chain_store_free(store);

    assert_int_equal(plasma_store_leveldb_open(&store, dir), 0);
    egk_setup(&k, NULL, store, false);
    snap(&k, &after);
    assert_same(&before, &after);
    plasma_receipt r;
    assert_int_equal(plasma_chain_receipt(&r, k.chain, &p.some_call), 0);
    assert_int_equal(r.err, 0);
    assert_int_equal(r.kind, PLASMA_CALL_START_EXIT);
    plasma_chain_head h;
    plasma_chain_get_head(&h, k.chain);
    assert_int_equal(h.pending_calls, 0); /* the mempool is not kept */
    assert_int_equal(h.time_offset, 77);

    finish_exits(&k, &p);
    plasma_u256 tok = egk_bal(&k, &k.cfg.contract, &k.token);
    egk_assert_u256(tok, egk_u(700000));
    snap(&k, &before);
    egk_free(&k);

    /* and once more, after the payouts */
    assert_int_equal(plasma_store_leveldb_open(&store, dir), 0);
    egk_setup(&k, NULL, store, false);
    snap(&k, &after);
    assert_same(&before, &after);
    egk_free(&k);

    /* a second opener of a locked directory is refused */
    plasma_chain_store *s1, *s2;
    assert_int_equal(plasma_store_leveldb_open(&s1, dir), 0);
    assert_int_equal(plasma_store_leveldb_open(&s2, dir), PLASMA_ERR_IO);
    plasma_chain_store_free(s1);
    egk_rmrf(dir);
    free(dir);
}

static void test_failed_write_changes_nothing(void **state)
{
    (void)state;
    mem_store ms;
    mem_init(&ms);
    egk k, twin;
    egk_setup(&k, NULL, &ms.base, true);
    egk_init(&twin);

    plasma_call c;
    egk_call(&k, &c, PLASMA_CALL_DEPOSIT, 1);
    c.deposit.amount = egk_wei(3);
    snapshot s0, s1;
    snap(&k, &s0);
    plasma_hash h;
    assert_int_equal(plasma_chain_submit(k.chain, &c, &h), 0);
    ms.fail_writes = 1;
    assert_int_equal(plasma_chain_mine(k.chain, NULL), PLASMA_ERR_IO);
    snap(&k, &s1);
    assert_same(&s0, &s1);
    plasma_receipt r;
    assert_int_equal(plasma_chain_receipt(&r, k.chain, &h), PLASMA_ERR_NOT_FOUND);
    plasma_chain_head head;
    plasma_chain_get_head(&head, k.chain);
    assert_int_equal(head.pending_calls, 1);
    assert_int_equal(plasma_chain_nonce(k.chain, &k.addr[1]), 0);

    /* a failed dev control changes nothing either */
    ms.fail_writes = 1;
    assert_int_equal(plasma_chain_dev_fund(k.chain, &k.addr[2], &(plasma_u256){{5, 0, 0, 0}}), PLASMA_ERR_IO);
    ms.fail_writes = 1;
    assert_int_equal(plasma_chain_dev_advance_time(k.chain, 5), PLASMA_ERR_IO);
    snap(&k, &s1);
    assert_same(&s0, &s1);

    /* the retry mines the same block the twin mines */
    assert_int_equal(plasma_chain_mine(k.chain, NULL), 0);
    assert_int_equal(egk_receipt(&k, &h).err, 0);
    assert_int_equal(plasma_chain_submit(twin.chain, &c, NULL), 0);
    assert_int_equal(plasma_chain_mine(twin.chain, NULL), 0);
    snapshot a, b;
    snap(&k, &a);
    snap(&twin, &b);
    assert_same(&a, &b);

    /* reopen from the store's pairs */
    egk_free(&k);
    egk_setup(&k, NULL, &ms.base, false);
    snap(&k, &b);
    assert_same(&a, &b);
    egk_free(&k);
    egk_free(&twin);
    mem_destroy(&ms);
}

static void test_corrupt_store_refused(void **state)
{
    (void)state;
    mem_store ms;
    mem_init(&ms);
    egk k;
    egk_setup(&k, NULL, &ms.base, true);
    egk_deposit(&k, 1, NULL, egk_wei(1), NULL);
    egk_free(&k);
    /* truncate the head record */
    for (size_t i = 0; i < ms.n; i++)
        if (ms.pairs[i].key[0] == 'h')
            ms.pairs[i].vlen--;
    plasma_chain_config cfg;
    plasma_chain_config_default(&cfg);
    plasma_chain *c = NULL;
    assert_int_equal(plasma_chain_new(&c, &cfg, &ms.base), PLASMA_ERR_IO);
    assert_null(c);
    mem_destroy(&ms);
}

static int ignore_receipt(const plasma_receipt *r, void *payload)
{
    (void)r;
    (void)payload;
    return 0;
}

static int count_events(const plasma_event *e, void *payload)
{
    size_t *n = payload;
    assert_true(e->block_number >= n[1]);
    n[0]++;
    return 0;
}

/* With a history window, old receipts and events leave memory (not the
 * store), and everything else is unchanged. */
static void test_history_window(void **state)
{
    (void)state;
    mem_store ms;
    mem_init(&ms);
    plasma_chain_config cfg;
    plasma_chain_config_default(&cfg);
    cfg.history_blocks = 3;
    egk k, full;
    egk_setup(&k, &cfg, &ms.base, true);
    egk_init(&full);
    plasma_hash first = {{0}}, last = {{0}};
    for (int i = 0; i < 40; i++) {
        plasma_receipt r;
        egk_deposit(&k, 1 + (unsigned)(i % 5), NULL, egk_u(1 + (uint64_t)i), &r);
        egk_deposit(&full, 1 + (unsigned)(i % 5), NULL, egk_u(1 + (uint64_t)i), NULL);
        if (i == 0)
            first = r.call_hash;
        last = r.call_hash;
    }
    plasma_receipt r;
    assert_int_equal(plasma_chain_receipt(&r, k.chain, &first), PLASMA_ERR_NOT_FOUND);
    assert_int_equal(plasma_chain_receipt(&r, k.chain, &last), 0);
    assert_int_equal(plasma_chain_receipt(&r, full.chain, &first), 0);
    plasma_chain_head h;
    plasma_chain_get_head(&h, k.chain);
    size_t n[2] = {0, h.number - 2};
    assert_int_equal(plasma_chain_events_since(k.chain, 0, count_events, n), 0);
    assert_int_equal(n[0], 3);
    assert_int_equal(plasma_chain_block_receipts(k.chain, 1, ignore_receipt, NULL), PLASMA_ERR_NOT_FOUND);
    plasma_chain_block blk;
    assert_int_equal(plasma_chain_block_header(&blk, k.chain, 1), 0);
    snapshot a, b;
    snap(&k, &a);
    snap(&full, &b);
    assert_true(plasma_hash_eq(&a.digest, &b.digest));

    /* the store keeps all; a reopened chain holds the window again */
    egk_free(&k);
    egk_setup(&k, &cfg, &ms.base, false);
    assert_int_equal(plasma_chain_receipt(&r, k.chain, &first), PLASMA_ERR_NOT_FOUND);
    assert_int_equal(plasma_chain_receipt(&r, k.chain, &last), 0);
    cfg.history_blocks = 0;
    egk_free(&k);
    egk_setup(&k, &cfg, &ms.base, false);
    assert_int_equal(plasma_chain_receipt(&r, k.chain, &first), 0);
    snap(&k, &a);
    assert_true(plasma_hash_eq(&a.digest, &b.digest));
    egk_free(&k);
    egk_free(&full);
    mem_destroy(&ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leveldb_reopen),
        cmocka_unit_test(test_failed_write_changes_nothing),
        cmocka_unit_test(test_corrupt_store_refused),
        cmocka_unit_test(test_history_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
