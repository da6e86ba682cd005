/* In-flight exits and deferred payments are chain state like the rest:
 * they survive a reopen (same digest, same records, same queues), a block
 * whose write fails leaves nothing behind, and a store of the previous
 * format is refused with one clear error. The tx each in-flight exit was
 * started with is kept as history: after a reopen and after the exit
 * closed, never by a dry run or a failed write. */
#include "test_ife_kit.h"
#include "test_mem_store.h"

typedef struct world {
    ifk_incl d1, d3, d5, fake;
    plasma_tx t, t2, c2;
} world;

/* A two-token in-flight exit with its piggybacks, a second one challenged
 * as non-canonical, and a standard exit of a token the contract never
 * received. */
static void phase1(ifk *f, world *w)
{
    w->d1 = ifk_deposit(f, 1, NULL, 1000);
    w->d3 = ifk_deposit(f, 3, &f->k.token, 5000);
    w->d5 = ifk_deposit(f, 5, NULL, 100);
    uint64_t ins[2] = {ifk_pos(&w->d1, 0), ifk_pos(&w->d3, 0)};
    unsigned signers[2] = {1, 3};
    plasma_output outs[3] = {ifk_out(f, 2, NULL, 700), ifk_out(f, 4, &f->k.token, 4000),
                             ifk_out(f, 1, NULL, 300)};
    w->t = ifk_pay(f, ins, signers, 2, outs, 3);
    plasma_output o7 = ifk_out(f, 7, NULL, 100), o8 = ifk_out(f, 8, NULL, 100);
    uint64_t in5 = ifk_pos(&w->d5, 0);
    unsigned s5 = 5;
    w->t2 = ifk_pay(f, &in5, &s5, 1, &o7, 1);
    w->c2 = ifk_pay(f, &in5, &s5, 1, &o8, 1);
    plasma_tx fake;
    egk_payment(&fake, plasma_utxo_pos(1, 0, 0), &f->k.addr[6], &f->token2, egk_u(50));
    ifk_block(f, &fake, 1, &w->fake);

    plasma_call c;
    ifk_exit_call(f, &c, 6, &w->fake, 0);
    ifk_ok(f, &c);
    ifk_incl t_ins[2] = {w->d1, w->d3};
    ifk_start_call(f, &c, 1, &w->t, t_ins);
    ifk_ok(f, &c);
    ifk_piggyback_call(f, &c, 1, &w->t, true, 0);
    ifk_ok(f, &c);
    ifk_piggyback_call(f, &c, 2, &w->t, false, 0);
    ifk_ok(f, &c);
    ifk_piggyback_call(f, &c, 4, &w->t, false, 1);
    ifk_ok(f, &c);
    ifk_start_call(f, &c, 7, &w->t2, &w->d5);
    ifk_ok(f, &c);
    ifk_piggyback_call(f, &c, 7, &w->t2, false, 0);
    ifk_ok(f, &c);
    ifk_challenge_call(f, &c, 8, &w->t2, 0, &w->c2, 0, NULL);
    ifk_ok(f, &c);
}

/* The ETH queue (both in-flight exits) and the token2 queue (a payment
 * deferred): the first exit stays open in the token queue. */
static void phase2(ifk *f)
{
    ifk_advance(f, 3 * IFK_MEP);
    assert_int_equal(ifk_process(f, NULL, 10).err, 0);
    assert_int_equal(ifk_process(f, &f->token2, 10).err, 0);
}

static void phase3(ifk *f, const world *w)
{
    assert_int_equal(ifk_process(f, &f->k.token, 10).err, 0);
    plasma_call c;
    ifk_withdraw_call(f, &c, 6, &f->token2);
    assert_int_equal(ifk_run(f, &c), PLASMA_ERR_PAYMENT_FAILED);
    plasma_u256 fifty = egk_u(50);
    assert_int_equal(plasma_chain_dev_mint(f->k.chain, &f->k.cfg.contract, &f->token2, &fifty), 0);
    ifk_withdraw_call(f, &c, 6, &f->token2);
    ifk_ok(f, &c);
    (void)w;
}

static void assert_same_digest(const ifk *a, const ifk *b)
{
    plasma_hash x = ifk_digest(a), y = ifk_digest(b);
    assert_memory_equal(x.b, y.b, 32);
}

/* The chain returns exactly the tx argument a start carried. */
static void assert_ife_tx(const ifk *f, const plasma_tx *tx)
{
    plasma_buf want = {0};
    uint8_t got[PLASMA_CALL_MAX_TX];
    size_t len = 0;
    plasma_u256 id = ifk_id(tx);
    assert_int_equal(plasma_tx_encode_signed(&want, tx), 0);
    assert_int_equal(plasma_chain_ife_tx(got, &len, f->k.chain, &id), 0);
    assert_int_equal(len, want.len);
    assert_memory_equal(got, want.data, len);
    plasma_buf_free(&want);
}

static bool ife_tx_known(const ifk *f, const plasma_tx *tx)
{
    uint8_t got[PLASMA_CALL_MAX_TX];
    size_t len = 0;
    plasma_u256 id = ifk_id(tx);
    int rc = plasma_chain_ife_tx(got, &len, f->k.chain, &id);
    assert_true(rc == 0 || rc == PLASMA_ERR_IFE_NOT_FOUND);
    return rc == 0;
}

static void reopen(ifk *f, const char *dir)
{
    ifk_free(f);
    plasma_chain_store *store;
    assert_int_equal(plasma_store_leveldb_open(&store, dir), 0);
    ifk_setup(f, store, false);
}

static void test_ife_state_reopens(void **state)
{
    (void)state;
    char *dir = egk_tmpdir();
    plasma_chain_store *store;
    assert_int_equal(plasma_store_leveldb_open(&store, dir), 0);
    ifk disk, twin;
    ifk_setup(&disk, store, true);
    ifk_init(&twin);
    world w, w2;
    phase1(&disk, &w);
    phase1(&twin, &w2);
    assert_same_digest(&disk, &twin);
    reopen(&disk, dir);
    assert_same_digest(&disk, &twin);

    phase2(&disk);
    phase2(&twin);
    assert_same_digest(&disk, &twin);
    plasma_ife_info before = ifk_ife(&disk, &w.t);
    assert_int_equal(before.exit_path, PLASMA_IFE_PATH_OUTPUTS);
    assert_int_equal(before.pending_tokens, 1);
    assert_false(ifk_open(&disk, &w.t2));
    plasma_u256 claim;
    plasma_chain_withdrawable(&claim, disk.k.chain, &disk.k.addr[6], &disk.token2);
    egk_assert_u256(claim, egk_u(50));

    reopen(&disk, dir);
    assert_same_digest(&disk, &twin);
    plasma_ife_info after = ifk_ife(&disk, &w.t);
    assert_memory_equal(&before, &after, sizeof before);
    plasma_exit_queue_info q;
    plasma_chain_exit_queue(&q, disk.k.chain, &disk.k.token);
    assert_int_equal(q.size, 1);
    assert_true(q.head_is_ife);
    plasma_u256 id = ifk_id(&w.t);
    egk_assert_u256(q.head_id, id);
    plasma_chain_withdrawable(&claim, disk.k.chain, &disk.k.addr[6], &disk.token2);
    egk_assert_u256(claim, egk_u(50));

    plasma_u256 four0 = egk_bal(&disk.k, &disk.k.addr[4], &disk.k.token);
    phase3(&disk, &w);
    phase3(&twin, &w2);
    assert_same_digest(&disk, &twin);
    assert_false(ifk_open(&disk, &w.t));
    plasma_u256 four = egk_bal(&disk.k, &disk.k.addr[4], &disk.k.token);
    egk_assert_u256(four, egk_add(four0, egk_u(4000)));
    plasma_chain_withdrawable(&claim, disk.k.chain, &disk.k.addr[6], &disk.token2);
    egk_assert_u256(claim, egk_u(0));
    reopen(&disk, dir);
    assert_same_digest(&disk, &twin);
    /* The txs the exits were started with outlive them, as history. */
    assert_ife_tx(&disk, &w.t);
    assert_ife_tx(&disk, &w.t2);
    assert_false(ife_tx_known(&disk, &w.c2));
    ifk_free(&disk);
    ifk_free(&twin);
    egk_rmrf(dir);
    free(dir);
}

/* A block of in-flight exit calls whose write fails is undone whole. */
static void test_ife_block_write_fails(void **state)
{
    (void)state;
    mem_store ms;
    mem_init(&ms);
    ifk f;
    ifk_setup(&f, &ms.base, true);
    world w;
    ifk_incl d = ifk_deposit(&f, 1, NULL, 1000);
    uint64_t in = ifk_pos(&d, 0);
    unsigned s1 = 1;
    plasma_output o = ifk_out(&f, 2, NULL, 1000);
    w.t = ifk_pay(&f, &in, &s1, 1, &o, 1);
    plasma_hash d0 = ifk_digest(&f);
    plasma_call start, pb;
    ifk_start_call(&f, &start, 1, &w.t, &d);
    assert_int_equal(plasma_chain_check_call(f.k.chain, &start, NULL), 0);
    assert_false(ife_tx_known(&f, &w.t)); /* a dry run keeps nothing */
    assert_int_equal(plasma_chain_submit(f.k.chain, &start, NULL), 0);
    ms.fail_writes = 1;
    assert_int_equal(plasma_chain_mine(f.k.chain, NULL), PLASMA_ERR_IO);
    plasma_hash d1 = ifk_digest(&f);
    assert_memory_equal(d0.b, d1.b, 32);
    assert_false(ifk_open(&f, &w.t));
    assert_false(ife_tx_known(&f, &w.t));
    assert_int_equal(plasma_chain_mine(f.k.chain, NULL), 0);
    assert_true(ifk_open(&f, &w.t));
    assert_ife_tx(&f, &w.t);
    ifk_piggyback_call(&f, &pb, 2, &w.t, false, 0);
    ifk_ok(&f, &pb);
    plasma_hash d2 = ifk_digest(&f);
    ifk_free(&f);
    ifk_setup(&f, &ms.base, false);
    plasma_hash d3 = ifk_digest(&f);
    assert_memory_equal(d2.b, d3.b, 32);
    assert_ife_tx(&f, &w.t);
    plasma_exit_queue_info q;
    plasma_chain_exit_queue(&q, f.k.chain, NULL);
    assert_int_equal(q.size, 1);
    assert_true(q.head_is_ife);
    ifk_free(&f);
    mem_destroy(&ms);
}

/* The pairs a chain of format 1 wrote at genesis: its consensus record
 * (version 1, without the in-flight exit bonds) and counters. */
static void write_format1(mem_store *ms)
{
    uint8_t c[1 + 8 + 20 + 20 + 32 + 8 + 8] = {1};
    c[8] = 0x7a;
    c[9] = 0x69;
    uint8_t ck = 'c', gk = 'g', hk = 'h';
    uint8_t g[16] = {0}, h[64] = {0};
    plasma_store_op ops[3] = {
        {&ck, 1, c, sizeof c},
        {&gk, 1, g, sizeof g},
        {&hk, 1, h, sizeof h},
    };
    assert_int_equal(ms->base.write(&ms->base, ops, 3), 0);
}

static void test_old_format_refused(void **state)
{
    (void)state;
    mem_store ms;
    mem_init(&ms);
    write_format1(&ms);
    plasma_chain_config cfg;
    plasma_chain_config_default(&cfg);
    plasma_chain *c = NULL;
    assert_int_equal(plasma_chain_new(&c, &cfg, &ms.base), PLASMA_ERR_STORE_VERSION);
    assert_null(c);
    assert_string_equal(plasma_err_code(PLASMA_ERR_STORE_VERSION), "store_version");
    assert_non_null(strstr(plasma_err_message(PLASMA_ERR_STORE_VERSION), "another version"));
    /* nothing was written over it */
    assert_int_equal(ms.n, 3);
    assert_int_equal(ms.pairs[0].val[0], 1);
    mem_destroy(&ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ife_state_reopens),
        cmocka_unit_test(test_ife_block_write_fails),
        cmocka_unit_test(test_old_format_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
