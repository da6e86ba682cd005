/* The exit game: deposits, standard exits, challenges, processing, priority
 * and the operator's block submissions. Every test checks balances and exit
 * states, fees included. */
#include "test_exitgame_kit.h"

#define ALICE 1
#define BOB 2
#define CAROL 3

static uint64_t dep_pos(uint64_t blknum)
{
    return plasma_utxo_pos(blknum, 0, 0);
}

/* Alice deposits amount; returns the deposit's position and tree. */
static uint64_t alice_deposit(egk *k, plasma_u256 amount, plasma_tx *tx, plasma_merkle **tree)
{
    uint64_t blknum = egk_deposit(k, ALICE, NULL, amount, NULL);
    *tree = egk_deposit_tree(&k->addr[ALICE], NULL, amount, tx);
    return dep_pos(blknum);
}

static void test_deposit_then_exit(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_u256 start = egk_bal(&k, &k.addr[ALICE], NULL), amount = egk_wei(1000);
    plasma_receipt rdep;
    uint64_t blknum = egk_deposit(&k, ALICE, NULL, amount, &rdep);
    assert_int_equal(blknum, 1);
    plasma_block_record rec;
    assert_int_equal(plasma_chain_block_root(&rec, k.chain, 1), 0);
    assert_true(rec.is_deposit);
    plasma_tx tx;
    plasma_merkle *tree = egk_deposit_tree(&k.addr[ALICE], NULL, amount, &tx);
    assert_true(plasma_hash_eq(&rec.root, plasma_merkle_tree_root(tree)));
    plasma_u256 contract = egk_bal(&k, &k.cfg.contract, NULL);
    egk_assert_u256(contract, amount);

    plasma_call c;
    egk_exit_call(&k, &c, ALICE, dep_pos(1), &tx, tree, 0);
    plasma_receipt rex = egk_run(&k, &c);
    assert_int_equal(rex.err, 0);
    plasma_exit_info e = egk_exit(&k, dep_pos(1));
    assert_int_equal(e.state, PLASMA_EXIT_IN_PROGRESS);
    assert_int_equal(e.exitable_at, egk_now(&k) + k.cfg.min_exit_period);
    contract = egk_bal(&k, &k.cfg.contract, NULL);
    plasma_u256 held = egk_add(amount, k.cfg.exit_bond);
    egk_assert_u256(contract, held);

    /* Not mature yet: processing succeeds and pays nothing. */
    plasma_receipt rp1 = egk_process(&k, BOB, NULL, 10);
    assert_int_equal(rp1.err, 0);
    assert_int_equal(egk_exit(&k, dep_pos(1)).state, PLASMA_EXIT_IN_PROGRESS);
    assert_int_equal(plasma_chain_dev_advance_time(k.chain, k.cfg.min_exit_period), 0);
    plasma_receipt rp2 = egk_process(&k, BOB, NULL, 10);
    assert_int_equal(rp2.err, 0);
    assert_int_equal(egk_exit(&k, dep_pos(1)).state, PLASMA_EXIT_FINALIZED);

    plasma_u256 alice = egk_bal(&k, &k.addr[ALICE], NULL);
    plasma_u256 want = egk_sub(egk_sub(start, egk_fee(&rdep)), egk_fee(&rex));
    egk_assert_u256(alice, want);
    plasma_u256 bob = egk_bal(&k, &k.addr[BOB], NULL);
    plasma_u256 bob_want = egk_sub(egk_sub(start, egk_fee(&rp1)), egk_fee(&rp2));
    egk_assert_u256(bob, bob_want);
    contract = egk_bal(&k, &k.cfg.contract, NULL);
    assert_true(plasma_u256_is_zero(&contract));
    plasma_exit_queue_info q;
    plasma_chain_exit_queue(&q, k.chain, NULL);
    assert_int_equal(q.size, 0);

    /* Exiting the finalized output again fails and costs only the fee. */
    egk_exit_call(&k, &c, ALICE, dep_pos(1), &tx, tree, 0);
    plasma_receipt again = egk_run(&k, &c);
    assert_int_equal(again.err, PLASMA_ERR_OUTPUT_FINALIZED);
    alice = egk_bal(&k, &k.addr[ALICE], NULL);
    want = egk_sub(want, egk_fee(&again));
    egk_assert_u256(alice, want);
    plasma_merkle_free(tree);
    egk_free(&k);
}

static void test_double_exit_and_non_owner(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_tx tx;
    plasma_merkle *tree;
    uint64_t pos = alice_deposit(&k, egk_wei(500), &tx, &tree);
    plasma_call c;

    egk_exit_call(&k, &c, BOB, pos, &tx, tree, 0);
    plasma_u256 bob0 = egk_bal(&k, &k.addr[BOB], NULL);
    plasma_receipt r = egk_run(&k, &c);
    assert_int_equal(r.err, PLASMA_ERR_NOT_OWNER);
    assert_int_equal(plasma_chain_exit(&(plasma_exit_info){0}, k.chain, pos), PLASMA_ERR_EXIT_NOT_FOUND);
    plasma_u256 bob1 = egk_bal(&k, &k.addr[BOB], NULL), bob_want = egk_sub(bob0, egk_fee(&r));
    egk_assert_u256(bob1, bob_want);

    egk_exit_call(&k, &c, ALICE, pos, &tx, tree, 0);
    assert_int_equal(egk_run(&k, &c).err, 0);
    plasma_u256 alice0 = egk_bal(&k, &k.addr[ALICE], NULL);
    plasma_u256 contract0 = egk_bal(&k, &k.cfg.contract, NULL);
    egk_exit_call(&k, &c, ALICE, pos, &tx, tree, 0);
    r = egk_run(&k, &c);
    assert_int_equal(r.err, PLASMA_ERR_EXIT_EXISTS);
    plasma_u256 alice1 = egk_bal(&k, &k.addr[ALICE], NULL), want = egk_sub(alice0, egk_fee(&r));
    egk_assert_u256(alice1, want);
    plasma_u256 contract1 = egk_bal(&k, &k.cfg.contract, NULL);
    egk_assert_u256(contract1, contract0);
    plasma_exit_queue_info q;
    plasma_chain_exit_queue(&q, k.chain, NULL);
    assert_int_equal(q.size, 1);
    plasma_merkle_free(tree);
    egk_free(&k);
}

static void test_bad_bond(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_tx tx;
    plasma_merkle *tree;
    uint64_t pos = alice_deposit(&k, egk_wei(500), &tx, &tree);
    plasma_call c;
    egk_exit_call(&k, &c, ALICE, pos, &tx, tree, 0);
    c.start_exit.bond = egk_u(1);
    plasma_u256 a0 = egk_bal(&k, &k.addr[ALICE], NULL);
    plasma_receipt r = egk_run(&k, &c);
    assert_int_equal(r.err, PLASMA_ERR_BAD_BOND);
    plasma_u256 a1 = egk_bal(&k, &k.addr[ALICE], NULL), want = egk_sub(a0, egk_fee(&r));
    egk_assert_u256(a1, want);
    plasma_merkle_free(tree);
    egk_free(&k);
}

/* A child block of three payments: Alice, Bob, Alice. */
static void three_tx_block(egk *k, egk_block *b)
{
    memset(b, 0, sizeof *b);
    egk_payment(&b->txs[0], plasma_utxo_pos(1, 0, 0), &k->addr[ALICE], NULL, egk_wei(100));
    egk_payment(&b->txs[1], plasma_utxo_pos(2, 0, 0), &k->addr[BOB], NULL, egk_wei(200));
    egk_payment(&b->txs[2], plasma_utxo_pos(3, 0, 0), &k->addr[ALICE], NULL, egk_wei(300));
    b->n = 3;
    egk_submit_block(k, b);
}

static void expect_exit_error(egk *k, plasma_call *c, int err)
{
    plasma_u256 a0 = egk_bal(k, &c->from, NULL), k0 = egk_bal(k, &k->cfg.contract, NULL);
    plasma_receipt r = egk_run(k, c);
    assert_int_equal(r.err, err);
    plasma_u256 a1 = egk_bal(k, &c->from, NULL), k1 = egk_bal(k, &k->cfg.contract, NULL);
    plasma_u256 want = egk_sub(a0, egk_fee(&r));
    egk_assert_u256(a1, want);
    egk_assert_u256(k1, k0);
    assert_int_equal(plasma_chain_exit(&(plasma_exit_info){0}, k->chain, c->start_exit.utxo_pos),
                     PLASMA_ERR_EXIT_NOT_FOUND);
}

static void test_bad_proofs(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    egk_block b;
    three_tx_block(&k, &b);
    plasma_call c;

    egk_exit_call(&k, &c, ALICE, plasma_utxo_pos(b.blknum, 0, 0), &b.txs[0], b.tree, 0);
    c.start_exit.proof[17] ^= 1;
    expect_exit_error(&k, &c, PLASMA_ERR_BAD_PROOF);

    /* tx 2's proof presented for position 0 */
    egk_exit_call(&k, &c, ALICE, plasma_utxo_pos(b.blknum, 0, 0), &b.txs[0], b.tree, 2);
    expect_exit_error(&k, &c, PLASMA_ERR_BAD_PROOF);
    /* tx 2 at position 0 with its own proof */
    egk_exit_call(&k, &c, ALICE, plasma_utxo_pos(b.blknum, 0, 0), &b.txs[2], b.tree, 2);
    expect_exit_error(&k, &c, PLASMA_ERR_BAD_PROOF);

    /* a position past the tree's 65,536 leaves */
    egk_exit_call(&k, &c, ALICE, b.blknum * PLASMA_POS_BLOCK + 70000 * PLASMA_POS_TX, &b.txs[0], b.tree, 0);
    expect_exit_error(&k, &c, PLASMA_ERR_BAD_PROOF);

    /* a block that does not exist */
    egk_exit_call(&k, &c, ALICE, plasma_utxo_pos(b.blknum + 1000, 0, 0), &b.txs[0], b.tree, 0);
    expect_exit_error(&k, &c, PLASMA_ERR_BLOCK_NOT_FOUND);
    egk_exit_call(&k, &c, ALICE, plasma_utxo_pos(7, 0, 0), &b.txs[0], b.tree, 0);
    expect_exit_error(&k, &c, PLASMA_ERR_BLOCK_NOT_FOUND);

    /* an output index the tx does not have; garbage tx bytes */
    egk_exit_call(&k, &c, ALICE, plasma_utxo_pos(b.blknum, 0, 1), &b.txs[0], b.tree, 0);
    expect_exit_error(&k, &c, PLASMA_ERR_BAD_CALL);
    egk_exit_call(&k, &c, ALICE, plasma_utxo_pos(b.blknum, 0, 0), &b.txs[0], b.tree, 0);
    c.start_exit.tx[0] ^= 0xff;
    expect_exit_error(&k, &c, PLASMA_ERR_BAD_CALL);

    /* and the honest exits go through */
    egk_exit_call(&k, &c, BOB, plasma_utxo_pos(b.blknum, 1, 0), &b.txs[1], b.tree, 1);
    assert_int_equal(egk_run(&k, &c).err, 0);
    egk_exit_call(&k, &c, ALICE, plasma_utxo_pos(b.blknum, 2, 0), &b.txs[2], b.tree, 2);
    assert_int_equal(egk_run(&k, &c).err, 0);
    plasma_exit_queue_info q;
    plasma_chain_exit_queue(&q, k.chain, NULL);
    assert_int_equal(q.size, 2);
    egk_block_free(&b);
    egk_free(&k);
}

static void test_priority_old_and_new(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    uint64_t mep = k.cfg.min_exit_period;
    /* funds that back the child-block outputs */
    egk_deposit(&k, 4, NULL, egk_wei(1000), NULL);
    egk_block old;
    three_tx_block(&k, &old);
    plasma_block_record rec;
    assert_int_equal(plasma_chain_block_root(&rec, k.chain, old.blknum), 0);
    uint64_t t_old = rec.timestamp;

    /* An exit started soon after its block matures on the block's age. */
    plasma_call c;
    egk_exit_call(&k, &c, BOB, plasma_utxo_pos(old.blknum, 1, 0), &old.txs[1], old.tree, 1);
    assert_int_equal(egk_run(&k, &c).err, 0);
    assert_int_equal(egk_exit(&k, plasma_utxo_pos(old.blknum, 1, 0)).exitable_at, t_old + 2 * mep);

    assert_int_equal(plasma_chain_dev_advance_time(k.chain, 3 * mep), 0);
    /* A deposit exits on now + period, whatever its age. */
    plasma_tx dtx;
    plasma_merkle *dtree;
    uint64_t dpos = alice_deposit(&k, egk_wei(50), &dtx, &dtree);
    assert_int_equal(plasma_chain_dev_advance_time(k.chain, 1000), 0);
    egk_exit_call(&k, &c, ALICE, dpos, &dtx, dtree, 0);
    assert_int_equal(egk_run(&k, &c).err, 0);
    uint64_t t_dep_exit = egk_now(&k);
    assert_int_equal(egk_exit(&k, dpos).exitable_at, t_dep_exit + mep);

    /* The old output's exit starts late: now + period, behind the deposit
     * although its position is smaller. */
    assert_int_equal(plasma_chain_dev_advance_time(k.chain, 100), 0);
    uint64_t old_pos = plasma_utxo_pos(old.blknum, 0, 0);
    egk_exit_call(&k, &c, ALICE, old_pos, &old.txs[0], old.tree, 0);
    assert_int_equal(egk_run(&k, &c).err, 0);
    uint64_t t_late = egk_now(&k);
    assert_int_equal(egk_exit(&k, old_pos).exitable_at, t_late + mep);
    assert_true(old_pos < dpos);

    /* A fresh child block: its outputs wait 2 periods from the block. */
    egk_block fresh;
    memset(&fresh, 0, sizeof fresh);
    egk_payment(&fresh.txs[0], plasma_utxo_pos(9, 0, 0), &k.addr[CAROL], NULL, egk_wei(10));
    fresh.n = 1;
    egk_submit_block(&k, &fresh);
    assert_int_equal(plasma_chain_block_root(&rec, k.chain, fresh.blknum), 0);
    egk_exit_call(&k, &c, CAROL, plasma_utxo_pos(fresh.blknum, 0, 0), &fresh.txs[0], fresh.tree, 0);
    assert_int_equal(egk_run(&k, &c).err, 0);
    assert_int_equal(egk_exit(&k, plasma_utxo_pos(fresh.blknum, 0, 0)).exitable_at, rec.timestamp + 2 * mep);

    plasma_exit_queue_info q;
    plasma_chain_exit_queue(&q, k.chain, NULL);
    assert_int_equal(q.size, 4);
    assert_int_equal(q.head_exit_id, plasma_utxo_pos(old.blknum, 1, 0));

    /* Pay out in priority order, one at a time. */
    assert_int_equal(plasma_chain_dev_advance_time(k.chain, 3 * mep), 0);
    uint64_t order[4] = {plasma_utxo_pos(old.blknum, 1, 0), dpos, old_pos,
                         plasma_utxo_pos(fresh.blknum, 0, 0)};
    for (int i = 0; i < 4; i++) {
        plasma_chain_exit_queue(&q, k.chain, NULL);
        assert_int_equal(q.head_exit_id, order[i]);
        assert_int_equal(egk_process(&k, BOB, NULL, 1).err, 0);
        assert_int_equal(egk_exit(&k, order[i]).state, PLASMA_EXIT_FINALIZED);
        if (i < 3)
            assert_int_equal(egk_exit(&k, order[i + 1]).state, PLASMA_EXIT_IN_PROGRESS);
    }
    /* 1000 + 50 deposited; 200 + 50 + 100 + 10 paid; every bond returned */
    plasma_u256 contract = egk_bal(&k, &k.cfg.contract, NULL);
    egk_assert_u256(contract, egk_wei(690));
    plasma_merkle_free(dtree);
    egk_block_free(&old);
    egk_block_free(&fresh);
    egk_free(&k);
}

static void test_token_queues_independent(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_u256 minted = egk_u(5000000);
    assert_int_equal(plasma_chain_dev_mint(k.chain, &k.addr[ALICE], &k.token, &minted), 0);
    uint64_t tblk = egk_deposit(&k, ALICE, &k.token, egk_u(3000000), NULL);
    plasma_tx ttx, etx;
    plasma_merkle *ttree = egk_deposit_tree(&k.addr[ALICE], &k.token, egk_u(3000000), &ttx);
    plasma_merkle *etree;
    uint64_t epos = alice_deposit(&k, egk_wei(20), &etx, &etree);
    plasma_u256 tok = egk_bal(&k, &k.cfg.contract, &k.token);
    egk_assert_u256(tok, egk_u(3000000));

    plasma_call c;
    egk_exit_call(&k, &c, ALICE, dep_pos(tblk), &ttx, ttree, 0);
    assert_int_equal(egk_run(&k, &c).err, 0);
    assert_int_equal(plasma_chain_dev_advance_time(k.chain, 10), 0);
    egk_exit_call(&k, &c, ALICE, epos, &etx, etree, 0);
    assert_int_equal(egk_run(&k, &c).err, 0);

    plasma_exit_queue_info qe, qt;
    plasma_chain_exit_queue(&qe, k.chain, NULL);
    plasma_chain_exit_queue(&qt, k.chain, &k.token);
    assert_int_equal(qe.size, 1);
    assert_int_equal(qt.size, 1);
    assert_int_equal(qt.head_exit_id, dep_pos(tblk));

    assert_int_equal(plasma_chain_dev_advance_time(k.chain, k.cfg.min_exit_period + 100), 0);
    plasma_u256 alice_eth0 = egk_bal(&k, &k.addr[ALICE], NULL);
    /* Processing ETH leaves the token queue alone. */
    assert_int_equal(egk_process(&k, BOB, NULL, 10).err, 0);
    plasma_chain_exit_queue(&qt, k.chain, &k.token);
    assert_int_equal(qt.size, 1);
    assert_int_equal(egk_exit(&k, dep_pos(tblk)).state, PLASMA_EXIT_IN_PROGRESS);
    assert_int_equal(egk_exit(&k, epos).state, PLASMA_EXIT_FINALIZED);
    plasma_u256 alice_eth1 = egk_bal(&k, &k.addr[ALICE], NULL);
    plasma_u256 want = egk_add(alice_eth0, egk_add(egk_wei(20), k.cfg.exit_bond));
    egk_assert_u256(alice_eth1, want);

    assert_int_equal(egk_process(&k, BOB, &k.token, 10).err, 0);
    assert_int_equal(egk_exit(&k, dep_pos(tblk)).state, PLASMA_EXIT_FINALIZED);
    plasma_u256 alice_tok = egk_bal(&k, &k.addr[ALICE], &k.token);
    egk_assert_u256(alice_tok, minted);
    plasma_u256 alice_eth2 = egk_bal(&k, &k.addr[ALICE], NULL);
    want = egk_add(alice_eth1, k.cfg.exit_bond);
    egk_assert_u256(alice_eth2, want);
    tok = egk_bal(&k, &k.cfg.contract, &k.token);
    assert_true(plasma_u256_is_zero(&tok));
    plasma_u256 contract = egk_bal(&k, &k.cfg.contract, NULL);
    assert_true(plasma_u256_is_zero(&contract));
    plasma_merkle_free(ttree);
    plasma_merkle_free(etree);
    egk_free(&k);
}

static void test_challenges(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_tx tx;
    plasma_merkle *tree;
    uint64_t pos = alice_deposit(&k, egk_wei(700), &tx, &tree);
    plasma_call c;
    egk_exit_call(&k, &c, ALICE, pos, &tx, tree, 0);
    plasma_receipt rex = egk_run(&k, &c);
    assert_int_equal(rex.err, 0);

    /* Unknown exit; a tx spending another output; a spend signed by Bob. */
    egk_challenge_call(&k, &c, CAROL, pos + 1, pos + 1, ALICE);
    assert_int_equal(egk_run(&k, &c).err, PLASMA_ERR_EXIT_NOT_FOUND);
    egk_challenge_call(&k, &c, CAROL, pos, plasma_utxo_pos(1000, 0, 0), ALICE);
    assert_int_equal(egk_run(&k, &c).err, PLASMA_ERR_BAD_CHALLENGE);
    egk_challenge_call(&k, &c, CAROL, pos, pos, BOB);
    assert_int_equal(egk_run(&k, &c).err, PLASMA_ERR_BAD_SIGNATURE);
    egk_challenge_call(&k, &c, CAROL, pos, pos, ALICE);
    c.challenge_exit.input_index = 1;
    assert_int_equal(egk_run(&k, &c).err, PLASMA_ERR_BAD_CHALLENGE);
    egk_challenge_call(&k, &c, CAROL, pos, pos, ALICE);
    c.challenge_exit.tx[0] ^= 1; /* not a transaction */
    assert_int_equal(egk_run(&k, &c).err, PLASMA_ERR_BAD_CHALLENGE);
    egk_challenge_call(&k, &c, CAROL, pos, pos, ALICE);
    c.challenge_exit.tx[c.challenge_exit.tx_len - 1] ^= 1; /* metadata changed after signing */
    assert_int_equal(egk_run(&k, &c).err, PLASMA_ERR_BAD_SIGNATURE);
    assert_int_equal(egk_exit(&k, pos).state, PLASMA_EXIT_IN_PROGRESS);

    /* The valid challenge pays the bond to the challenger. */
    plasma_u256 carol0 = egk_bal(&k, &k.addr[CAROL], NULL);
    egk_challenge_call(&k, &c, CAROL, pos, pos, ALICE);
    plasma_receipt rch = egk_run(&k, &c);
    assert_int_equal(rch.err, 0);
    plasma_u256 carol1 = egk_bal(&k, &k.addr[CAROL], NULL);
    plasma_u256 want = egk_sub(egk_add(carol0, k.cfg.exit_bond), egk_fee(&rch));
    egk_assert_u256(carol1, want);
    plasma_exit_info e = egk_exit(&k, pos);
    assert_int_equal(e.state, PLASMA_EXIT_CHALLENGED);
    assert_true(e.queued);
    plasma_u256 contract = egk_bal(&k, &k.cfg.contract, NULL);
    egk_assert_u256(contract, egk_wei(700));

    /* Challenging again, or re-exiting the output, is refused. */
    egk_challenge_call(&k, &c, CAROL, pos, pos, ALICE);
    assert_int_equal(egk_run(&k, &c).err, PLASMA_ERR_EXIT_NOT_ACTIVE);
    egk_exit_call(&k, &c, ALICE, pos, &tx, tree, 0);
    assert_int_equal(egk_run(&k, &c).err, PLASMA_ERR_EXIT_EXISTS);

    /* Processing drops the challenged exit and pays nothing. */
    assert_int_equal(plasma_chain_dev_advance_time(k.chain, 2 * k.cfg.min_exit_period), 0);
    plasma_u256 alice0 = egk_bal(&k, &k.addr[ALICE], NULL);
    assert_int_equal(egk_process(&k, BOB, NULL, 10).err, 0);
    e = egk_exit(&k, pos);
    assert_int_equal(e.state, PLASMA_EXIT_CHALLENGED);
    assert_false(e.queued);
    plasma_u256 alice1 = egk_bal(&k, &k.addr[ALICE], NULL);
    egk_assert_u256(alice1, alice0);
    plasma_u256 contract1 = egk_bal(&k, &k.cfg.contract, NULL);
    egk_assert_u256(contract1, egk_wei(700));
    plasma_merkle_free(tree);
    egk_free(&k);
}

static void test_challenge_finalized(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_tx tx;
    plasma_merkle *tree;
    uint64_t pos = alice_deposit(&k, egk_wei(1), &tx, &tree);
    plasma_call c;
    egk_exit_call(&k, &c, ALICE, pos, &tx, tree, 0);
    assert_int_equal(egk_run(&k, &c).err, 0);
    assert_int_equal(plasma_chain_dev_advance_time(k.chain, k.cfg.min_exit_period), 0);
    assert_int_equal(egk_process(&k, ALICE, NULL, 1).err, 0);
    assert_int_equal(egk_exit(&k, pos).state, PLASMA_EXIT_FINALIZED);
    plasma_u256 carol0 = egk_bal(&k, &k.addr[CAROL], NULL);
    egk_challenge_call(&k, &c, CAROL, pos, pos, ALICE);
    plasma_receipt r = egk_run(&k, &c);
    assert_int_equal(r.err, PLASMA_ERR_EXIT_NOT_ACTIVE);
    plasma_u256 carol1 = egk_bal(&k, &k.addr[CAROL], NULL), want = egk_sub(carol0, egk_fee(&r));
    egk_assert_u256(carol1, want);
    assert_int_equal(egk_exit(&k, pos).state, PLASMA_EXIT_FINALIZED);
    plasma_merkle_free(tree);
    egk_free(&k);
}

static void test_process_skips_and_max(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    enum { N = 5 };
    uint64_t pos[N];
    plasma_call c;
    for (int i = 0; i < N; i++) {
        plasma_tx tx;
        plasma_merkle *tree;
        pos[i] = alice_deposit(&k, egk_wei(10 + (uint64_t)i), &tx, &tree);
        egk_exit_call(&k, &c, ALICE, pos[i], &tx, tree, 0);
        assert_int_equal(egk_run(&k, &c).err, 0);
        plasma_merkle_free(tree);
    }
    egk_challenge_call(&k, &c, CAROL, pos[1], pos[1], ALICE);
    assert_int_equal(egk_run(&k, &c).err, 0);
    assert_int_equal(plasma_chain_dev_advance_time(k.chain, k.cfg.min_exit_period), 0);

    /* max 2: pos[0] paid, pos[1] dropped (both count) */
    plasma_u256 alice0 = egk_bal(&k, &k.addr[ALICE], NULL);
    assert_int_equal(egk_process(&k, BOB, NULL, 2).err, 0);
    plasma_exit_queue_info q;
    plasma_chain_exit_queue(&q, k.chain, NULL);
    assert_int_equal(q.size, 3);
    assert_int_equal(q.head_exit_id, pos[2]);
    plasma_u256 alice1 = egk_bal(&k, &k.addr[ALICE], NULL);
    plasma_u256 want = egk_add(alice0, egk_add(egk_wei(10), k.cfg.exit_bond));
    egk_assert_u256(alice1, want);

    assert_int_equal(egk_process(&k, BOB, NULL, 0).err, 0);
    plasma_chain_exit_queue(&q, k.chain, NULL);
    assert_int_equal(q.size, 3);

    assert_int_equal(egk_process(&k, BOB, NULL, 100).err, 0);
    plasma_chain_exit_queue(&q, k.chain, NULL);
    assert_int_equal(q.size, 0);
    plasma_u256 alice2 = egk_bal(&k, &k.addr[ALICE], NULL);
    want = egk_add(alice1, egk_add(egk_wei(12 + 13 + 14),
                                   egk_add(k.cfg.exit_bond, egk_add(k.cfg.exit_bond, k.cfg.exit_bond))));
    egk_assert_u256(alice2, want);
    for (int i = 0; i < N; i++)
        assert_int_equal(egk_exit(&k, pos[i]).state, i == 1 ? PLASMA_EXIT_CHALLENGED : PLASMA_EXIT_FINALIZED);

    /* An empty queue is not an error; neither is a token with no queue. */
    plasma_receipt r = egk_process(&k, BOB, NULL, 100);
    assert_int_equal(r.err, 0);
    assert_int_equal(egk_process(&k, BOB, &k.token, 100).err, 0);
    plasma_u256 alice3 = egk_bal(&k, &k.addr[ALICE], NULL);
    egk_assert_u256(alice3, alice2);
    plasma_u256 contract = egk_bal(&k, &k.cfg.contract, NULL);
    egk_assert_u256(contract, egk_wei(11)); /* the challenged deposit stays locked */
    egk_free(&k);
}

static void test_deposit_limit(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_hash last = {{0}};
    for (unsigned i = 0; i < PLASMA_MAX_DEPOSITS_PER_INTERVAL + 1; i++) {
        plasma_call c;
        egk_call(&k, &c, PLASMA_CALL_DEPOSIT, 1 + i % 9);
        c.deposit.amount = egk_u(1 + i);
        c.gas_limit = 200000;
        assert_int_equal(plasma_chain_submit(k.chain, &c, &last), 0);
    }
    while (plasma_chain_receipt(&(plasma_receipt){0}, k.chain, &last) != 0)
        assert_int_equal(plasma_chain_mine(k.chain, NULL), 0);
    plasma_receipt r = egk_receipt(&k, &last);
    assert_int_equal(r.err, PLASMA_ERR_DEPOSIT_LIMIT);
    plasma_block_record rec;
    assert_int_equal(plasma_chain_block_root(&rec, k.chain, 999), 0);
    assert_int_equal(plasma_chain_block_root(&rec, k.chain, 1000), PLASMA_ERR_BLOCK_NOT_FOUND);
    plasma_u256 contract = egk_bal(&k, &k.cfg.contract, NULL);
    egk_assert_u256(contract, egk_u(999 * 1000 / 2));

    egk_block b;
    memset(&b, 0, sizeof b);
    egk_payment(&b.txs[0], plasma_utxo_pos(1, 0, 0), &k.addr[ALICE], NULL, egk_u(1));
    b.n = 1;
    egk_submit_block(&k, &b);
    assert_int_equal(b.blknum, 1000);
    assert_int_equal(egk_deposit(&k, ALICE, NULL, egk_u(5), NULL), 1001);
    egk_block_free(&b);
    egk_free(&k);
}

static void test_only_operator_submits(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_call c;
    egk_call(&k, &c, PLASMA_CALL_SUBMIT_BLOCK, BOB);
    memset(c.submit_block.root.b, 0xab, 32);
    plasma_u256 bob0 = egk_bal(&k, &k.addr[BOB], NULL);
    plasma_receipt r = egk_run(&k, &c);
    assert_int_equal(r.err, PLASMA_ERR_NOT_OPERATOR);
    plasma_u256 bob1 = egk_bal(&k, &k.addr[BOB], NULL), want = egk_sub(bob0, egk_fee(&r));
    egk_assert_u256(bob1, want);
    plasma_block_record rec;
    assert_int_equal(plasma_chain_block_root(&rec, k.chain, 1000), PLASMA_ERR_BLOCK_NOT_FOUND);
    plasma_chain_head h;
    plasma_chain_get_head(&h, k.chain);
    assert_int_equal(h.next_child_block, 1000);

    egk_call(&k, &c, PLASMA_CALL_SUBMIT_BLOCK, 0);
    memset(c.submit_block.root.b, 0xab, 32);
    assert_int_equal(egk_run(&k, &c).err, 0);
    assert_int_equal(plasma_chain_block_root(&rec, k.chain, 1000), 0);
    assert_false(rec.is_deposit);
    assert_int_equal(rec.timestamp, egk_now(&k));
    plasma_chain_get_head(&h, k.chain);
    assert_int_equal(h.next_child_block, 2000);
    assert_int_equal(h.next_deposit_block, 1001);
    egk_free(&k);
}

static int count_events(const plasma_event *ev, void *payload)
{
    int *counts = payload;
    counts[ev->kind]++;
    return 0;
}

static void test_events(void **state)
{
    (void)state;
    egk k;
    egk_init(&k);
    plasma_tx tx;
    plasma_merkle *tree;
    uint64_t pos = alice_deposit(&k, egk_wei(3), &tx, &tree);
    plasma_call c;
    egk_exit_call(&k, &c, ALICE, pos, &tx, tree, 0);
    assert_int_equal(egk_run(&k, &c).err, 0);
    egk_challenge_call(&k, &c, CAROL, pos, pos, ALICE);
    assert_int_equal(egk_run(&k, &c).err, 0);
    int counts[8] = {0};
    assert_int_equal(plasma_chain_events_since(k.chain, 0, count_events, counts), 0);
    assert_int_equal(counts[PLASMA_EVENT_DEPOSIT_CREATED], 1);
    assert_int_equal(counts[PLASMA_EVENT_EXIT_STARTED], 1);
    assert_int_equal(counts[PLASMA_EVENT_EXIT_CHALLENGED], 1);
    int later[8] = {0};
    plasma_chain_head h;
    plasma_chain_get_head(&h, k.chain);
    assert_int_equal(plasma_chain_events_since(k.chain, h.number, count_events, later), 0);
    assert_int_equal(later[PLASMA_EVENT_EXIT_CHALLENGED], 1);
    assert_int_equal(later[PLASMA_EVENT_DEPOSIT_CREATED], 0);
    plasma_merkle_free(tree);
    egk_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deposit_then_exit),
        cmocka_unit_test(test_double_exit_and_non_owner),
        cmocka_unit_test(test_bad_bond),
        cmocka_unit_test(test_bad_proofs),
        cmocka_unit_test(test_priority_old_and_new),
        cmocka_unit_test(test_token_queues_independent),
        cmocka_unit_test(test_challenges),
        cmocka_unit_test(test_challenge_finalized),
        cmocka_unit_test(test_process_skips_and_max),
        cmocka_unit_test(test_deposit_limit),
        cmocka_unit_test(test_only_operator_submits),
        cmocka_unit_test(test_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
