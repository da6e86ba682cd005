/* Unit tests of the ledger on a root chain that reorganises
 * (plasma_ledger_follow_chain, _chain_cursor, _undo, _unsubmit): deposits
 * kept with their root-chain block, taken back when it leaves the chain
 * (unspent or exited ones; a spent one refused, nothing changed), the
 * cursor across a reopen, and child blocks the chain lost submitted again. */
#include "op_testkit.h"
#include "plasma/ledger.h"

typedef struct fixture {
    char *dir;
    plasma_ledger_config cfg;
    plasma_ledger *l;
} fixture;

static void open_ledger(fixture *f)
{
    char err[200];
    if (plasma_ledger_open(&f->l, &f->cfg, err, sizeof err) != 0)
        fail_msg("open: %s", err);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tk_tmpdir();
    plasma_ledger_config_default(&f->cfg);
    f->cfg.data_dir = f->dir;
    plasma_domain_dev(&f->cfg.domain);
    f->cfg.fee_beneficiary = tk_addr(0);
    f->cfg.seal_interval_ms = 0;
    f->cfg.commit_linger_us = 0;
    open_ledger(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    plasma_ledger_free(f->l);
    tk_rmrf(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static plasma_ledger_rc_block at(uint64_t number)
{
    plasma_ledger_rc_block b = {.number = number};
    memset(b.hash.b, (int)(0x10 + number), sizeof b.hash.b);
    return b;
}

static plasma_deposit dep(uint64_t blknum, int owner, uint64_t amount)
{
    return (plasma_deposit){blknum, tk_addr(owner), tk_token(0), plasma_u256_from_u64(amount), 1000 + blknum};
}

static void follow(fixture *f, uint64_t rc_block, const plasma_deposit *d, size_t n, const uint64_t *exits,
                   size_t n_exits)
{
    plasma_ledger_rc_block b = at(rc_block);
    assert_int_equal(plasma_ledger_follow_chain(f->l, d, n, exits, n_exits, &b), 0);
}

static int pay(fixture *f, uint64_t in, int key, int to, uint64_t amount)
{
    return tk_pay(f->l, in, key, to, amount);
}

static bool count_cb(void *arg, const plasma_utxo *u)
{
    (void)u;
    (*(size_t *)arg)++;
    return true;
}

static size_t owned(fixture *f, int owner)
{
    size_t n = 0;
    plasma_addr a = tk_addr(owner);
    assert_int_equal(plasma_ledger_utxos_by_owner(f->l, &a, 100, count_cb, &n), 0);
    return n;
}

static void assert_cursor(fixture *f, uint64_t number)
{
    plasma_ledger_rc_block c, want = at(number);
    assert_int_equal(plasma_ledger_chain_cursor(f->l, &c), 0);
    assert_int_equal(c.number, number);
    assert_memory_equal(c.hash.b, want.hash.b, 32);
}

static void test_undo_takes_back_unspent_deposits(void **state)
{
    fixture *f = *state;
    plasma_ledger_rc_block c;
    assert_int_equal(plasma_ledger_chain_cursor(f->l, &c), PLASMA_ERR_NOT_FOUND);
    plasma_deposit d1 = dep(1, 1, 100), later[2] = {dep(2, 2, 200), dep(3, 3, 300)};
    follow(f, 5, &d1, 1, NULL, 0);
    follow(f, 7, later, 2, NULL, 0);
    assert_cursor(f, 7);
    assert_int_equal(owned(f, 2), 1);

    plasma_ledger_rc_block ancestor = at(5);
    size_t removed = 0;
    assert_int_equal(plasma_ledger_undo(f->l, &ancestor, &removed), 0);
    assert_int_equal(removed, 2);
    assert_cursor(f, 5);
    plasma_utxo u;
    assert_int_equal(plasma_ledger_get_utxo(f->l, plasma_utxo_pos(1, 0, 0), &u), 0);
    assert_int_equal(plasma_ledger_get_utxo(f->l, plasma_utxo_pos(2, 0, 0), &u), PLASMA_ERR_UTXO_NOT_FOUND);
    assert_int_equal(plasma_ledger_get_utxo(f->l, plasma_utxo_pos(3, 0, 0), &u), PLASMA_ERR_UTXO_NOT_FOUND);
    plasma_block_info info;
    assert_int_equal(plasma_ledger_get_block(f->l, 2, &info, NULL, NULL), PLASMA_ERR_NOT_FOUND);
    assert_int_equal(owned(f, 2), 0);
    assert_int_equal(pay(f, plasma_utxo_pos(2, 0, 0), 2, 5, 200), PLASMA_ERR_UTXO_NOT_FOUND);

    /* The new chain's deposit takes the number, for another owner. */
    plasma_deposit again = dep(2, 4, 400);
    follow(f, 6, &again, 1, NULL, 0);
    assert_int_equal(plasma_ledger_get_utxo(f->l, plasma_utxo_pos(2, 0, 0), &u), 0);
    plasma_addr a4 = tk_addr(4);
    assert_true(plasma_addr_eq(&u.owner, &a4));
    assert_int_equal(owned(f, 2), 0);
    assert_int_equal(owned(f, 4), 1);
    assert_int_equal(pay(f, plasma_utxo_pos(2, 0, 0), 2, 5, 400), PLASMA_ERR_UNAUTHORIZED_SPEND);
    assert_int_equal(pay(f, plasma_utxo_pos(2, 0, 0), 4, 5, 400), 0);

    /* A reopened ledger has what the undo wrote. */
    plasma_ledger_free(f->l);
    open_ledger(f);
    assert_cursor(f, 6);
    assert_int_equal(plasma_ledger_get_utxo(f->l, plasma_utxo_pos(3, 0, 0), &u), PLASMA_ERR_UTXO_NOT_FOUND);
    assert_int_equal(plasma_ledger_get_utxo(f->l, plasma_utxo_pos(2, 0, 0), &u), PLASMA_ERR_UTXO_SPENT);
}

static void test_undo_refuses_a_spent_deposit(void **state)
{
    fixture *f = *state;
    plasma_deposit d1 = dep(1, 1, 100), d2 = dep(2, 2, 200);
    follow(f, 5, &d1, 1, NULL, 0);
    follow(f, 6, &d2, 1, NULL, 0);
    assert_int_equal(pay(f, plasma_utxo_pos(2, 0, 0), 2, 3, 200), 0);
    plasma_ledger_rc_block ancestor = at(4);
    size_t removed = 99;
    assert_int_equal(plasma_ledger_undo(f->l, &ancestor, &removed), PLASMA_ERR_UTXO_SPENT);
    assert_int_equal(removed, 99);
    /* Nothing changed: both deposits, the cursor. */
    assert_cursor(f, 6);
    plasma_utxo u;
    assert_int_equal(plasma_ledger_get_utxo(f->l, plasma_utxo_pos(1, 0, 0), &u), 0);
    assert_int_equal(pay(f, plasma_utxo_pos(1, 0, 0), 1, 3, 100), 0);
    /* Sealed and reopened, still refused. */
    uint64_t blknum = 0;
    assert_int_equal(plasma_ledger_seal(f->l, &blknum), 0);
    assert_int_equal(blknum, 1000);
    plasma_ledger_free(f->l);
    open_ledger(f);
    assert_int_equal(plasma_ledger_undo(f->l, &ancestor, NULL), PLASMA_ERR_UTXO_SPENT);
    assert_cursor(f, 6);
    /* An undo that leaves the spent deposits alone goes through. */
    plasma_deposit d3 = dep(1001, 3, 300);
    follow(f, 8, &d3, 1, NULL, 0);
    ancestor = at(7);
    assert_int_equal(plasma_ledger_undo(f->l, &ancestor, &removed), 0);
    assert_int_equal(removed, 1);
    assert_int_equal(plasma_ledger_get_utxo(f->l, plasma_utxo_pos(1001, 0, 0), &u),
                     PLASMA_ERR_UTXO_NOT_FOUND);
}

static void test_undo_takes_back_an_exited_deposit(void **state)
{
    fixture *f = *state;
    plasma_deposit d1 = dep(1, 1, 100);
    uint64_t pos = plasma_utxo_pos(1, 0, 0);
    follow(f, 5, &d1, 1, NULL, 0);
    follow(f, 6, NULL, 0, &pos, 1);
    plasma_utxo u;
    assert_int_equal(plasma_ledger_get_utxo(f->l, pos, &u), PLASMA_ERR_UTXO_SPENT);
    plasma_ledger_rc_block ancestor = at(3);
    size_t removed = 0;
    assert_int_equal(plasma_ledger_undo(f->l, &ancestor, &removed), 0);
    assert_int_equal(removed, 1);
    assert_int_equal(plasma_ledger_get_utxo(f->l, pos, &u), PLASMA_ERR_UTXO_NOT_FOUND);
    assert_int_equal(owned(f, 1), 0);
    assert_cursor(f, 3);
}

static void test_unsubmit(void **state)
{
    fixture *f = *state;
    plasma_deposit d1 = dep(1, 1, 100);
    follow(f, 5, &d1, 1, NULL, 0);
    uint64_t blknum = 0, next = 0;
    plasma_hash root;
    assert_int_equal(pay(f, plasma_utxo_pos(1, 0, 0), 1, 2, 100), 0);
    assert_int_equal(plasma_ledger_seal(f->l, &blknum), 0);
    assert_int_equal(pay(f, plasma_utxo_pos(1000, 0, 0), 2, 3, 100), 0);
    assert_int_equal(plasma_ledger_seal(f->l, &blknum), 0);
    assert_int_equal(blknum, 2000);
    assert_int_equal(plasma_ledger_unsubmit(f->l, 1000), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_ledger_mark_submitted(f->l, 1000, 11), 0);
    assert_int_equal(plasma_ledger_mark_submitted(f->l, 2000, 12), 0);
    assert_int_equal(plasma_ledger_next_unsubmitted(f->l, &next, &root), PLASMA_ERR_NOT_FOUND);
    assert_int_equal(plasma_ledger_unsubmit(f->l, 3000), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_ledger_unsubmit(f->l, 1500), PLASMA_ERR_BAD_REQUEST);

    assert_int_equal(plasma_ledger_unsubmit(f->l, 2000), 0);
    assert_int_equal(plasma_ledger_next_unsubmitted(f->l, &next, &root), 0);
    assert_int_equal(next, 2000);
    assert_int_equal(plasma_ledger_unsubmit(f->l, 1000), 0);
    plasma_ledger_free(f->l);
    open_ledger(f);
    plasma_ledger_status st;
    plasma_ledger_status_get(f->l, &st);
    assert_int_equal(st.last_submitted, 0);
    plasma_block_info info;
    assert_int_equal(plasma_ledger_get_block(f->l, 2000, &info, NULL, NULL), 0);
    assert_false(info.submitted);
    assert_int_equal(plasma_ledger_next_unsubmitted(f->l, &next, &root), 0);
    assert_int_equal(next, 1000);
    assert_int_equal(plasma_ledger_mark_submitted(f->l, 1000, 21), 0);
    assert_int_equal(plasma_ledger_mark_submitted(f->l, 2000, 22), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_undo_takes_back_unspent_deposits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undo_refuses_a_spent_deposit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undo_takes_back_an_exited_deposit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsubmit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
