/* Allocation failure, injected: this binary is linked with the linker's
 * --wrap for malloc, calloc, realloc, strdup and free, so that every
 * allocation made by the project's static libraries (and by this file)
 * goes through the wrappers below. Not covered: allocations inside the
 * shared third-party libraries (LevelDB, libsecp256k1, libmicrohttpd,
 * libcurl, jansson, OpenSSL) and glibc's own (fopen, qsort's buffer).
 *
 * For every N along a representative run (the operator's ledger: deposits,
 * a payment, a batch, a seal, an exit, reads; the exit game: deposit, a
 * child block, a standard exit, its challenge, processing), the N-th
 * allocation fails. The call that meets it must return PLASMA_ERR_NOMEM
 * (never another code, never a crash); then the run goes on without
 * faults: the ledger, which stops after a failure, is restarted from its
 * data directory, the failed step is retried and must succeed, and the
 * final state must equal a run without any fault (the ledger's balances and
 * its sealed block's size, the chain's state digest).
 *
 * The same wrappers check that secrets are wiped before their memory is
 * freed: an operator started and stopped with a key must free no block
 * that still holds it. */
#include <malloc.h>
#include <stdatomic.h>

#include "op_testkit.h"
#include "plasma/exitgame.h"
#include "plasma/ledger.h"
#include "plasma/operator.h"

/* --- the wrappers --- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

static atomic_long alloc_count;
static atomic_long fail_at; /* 0: never */
static atomic_long failed_allocs;
static plasma_privkey secret;
static atomic_bool scan_frees;
static atomic_long secrets_freed;

static const char *phase = ""; /* "chain" or "ledger", for PLASMA_ALLOC_TRAP */

static bool should_fail(void)
{
    long n = atomic_fetch_add(&alloc_count, 1) + 1;
    long at = atomic_load(&fail_at);
    if (at && n == at) {
        atomic_fetch_add(&failed_allocs, 1);
        /* PLASMA_ALLOC_TRAP=ledger:N (or chain:N) stops in a debugger at
         * the failing allocation of that run. */
        const char *trap = getenv("PLASMA_ALLOC_TRAP");
        size_t pl = strlen(phase);
        if (trap && strncmp(trap, phase, pl) == 0 && trap[pl] == ':' && atol(trap + pl + 1) == at)
            __builtin_trap();
        return true;
    }
    return false;
}

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
    return should_fail() ? NULL : __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = __wrap_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static bool holds_secret(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + sizeof secret.b <= n; i++)
        if (p[i] == secret.b[0] && memcmp(p + i, secret.b, sizeof secret.b) == 0)
            return true;
    return false;
}

void __wrap_free(void *p)
{
    if (p && atomic_load(&scan_frees) && holds_secret(p, malloc_usable_size(p)))
        atomic_fetch_add(&secrets_freed, 1);
    __real_free(p);
}

static long counted; /* allocations between inject() and stop() */

static void inject(long n)
{
    atomic_store(&alloc_count, 0);
    atomic_store(&failed_allocs, 0);
    atomic_store(&fail_at, n);
}

static void stop(void)
{
    atomic_store(&fail_at, 0);
    counted = atomic_load(&alloc_count);
}

/* A step's error: NOMEM only while a fault is injected. */
static void expect_ok_or_nomem(int rc, const char *step, long n)
{
    if (rc != 0 && rc != PLASMA_ERR_NOMEM)
        fail_msg("allocation %ld failed: %s returned %s instead of nomem", n, step, plasma_err_code(rc));
}

/* --- the ledger --- */

typedef struct ledger_run {
    char *dir;
    plasma_ledger *l;
    plasma_buf tx[3];   /* the payments, encoded before any fault */
    bool done[3];       /* acknowledged */
    uint32_t block_txs; /* in block 1000 (a retried batch may order them otherwise) */
    uint64_t balance[4];
} ledger_run;

/* The run's payments: account 1 pays 600 of its deposit 1 to account 2;
 * in a batch, account 2 pays those on to account 3 and account 1 its
 * deposit 2 to itself. */
static void ledger_prepare(ledger_run *r)
{
    static const tk_out to2[] = {{2, 0, 600}, {1, 0, 400}}, to3[] = {{3, 0, 600}}, back[] = {{1, 0, 500}};
    uint64_t in[3] = {plasma_utxo_pos(1, 0, 0), plasma_utxo_pos(1000, 0, 0), plasma_utxo_pos(2, 0, 0)};
    int keys[3] = {1, 2, 1};
    plasma_tx txs[3] = {tk_payment(&in[0], &keys[0], 1, to2, 2), tk_payment(&in[1], &keys[1], 1, to3, 1),
                        tk_payment(&in[2], &keys[2], 1, back, 1)};
    for (int i = 0; i < 3; i++)
        assert_int_equal(plasma_tx_encode_signed(&r->tx[i], &txs[i]), 0);
}

static int open_ledger(ledger_run *r)
{
    plasma_ledger_config cfg;
    char err[256];
    plasma_ledger_config_default(&cfg);
    cfg.data_dir = r->dir;
    cfg.fee_beneficiary = tk_addr(0);
    cfg.seal_interval_ms = 0;
    cfg.commit_linger_us = 0;
    cfg.sig_threads = 1;
    cfg.min_fee = plasma_u256_from_u64(0);
    cfg.utxo_cache_bytes = 1 << 20;
    cfg.store_cache_mb = 1;
    return plasma_ledger_open(&r->l, &cfg, err, sizeof err);
}

static bool count_cb(void *arg, const plasma_utxo *u)
{
    uint64_t *sum = arg;
    uint64_t v;
    assert_true(plasma_u256_to_u64(&u->amount, &v));
    *sum += v;
    return true;
}

/* Step k of the ledger's run. Returns its result. */
static int ledger_step(ledger_run *r, int k)
{
    switch (k) {
    case 0: {
        plasma_deposit d[2] = {{1, tk_addr(1), tk_token(0), plasma_u256_from_u64(1000), 1},
                               {2, tk_addr(1), tk_token(0), plasma_u256_from_u64(500), 1}};
        return plasma_ledger_follow(r->l, d, 2, NULL, 0, "deposits", 3);
    }
    case 1: {
        plasma_ledger_receipt rc;
        int e = plasma_ledger_submit(r->l, &rc, r->tx[0].data, r->tx[0].len);
        r->done[0] = e == 0;
        return e;
    }
    case 2: { /* a batch: a retry sends the ones not acknowledged */
        plasma_tx_bytes txs[2];
        int idx[2], m = 0, errs[2], first = 0;
        for (int i = 1; i < 3; i++)
            if (!r->done[i]) {
                idx[m] = i;
                txs[m++] = (plasma_tx_bytes){r->tx[i].data, r->tx[i].len};
            }
        plasma_ledger_receipt out[2];
        plasma_ledger_submit_batch(r->l, out, errs, txs, (size_t)m);
        for (int j = 0; j < m; j++) {
            r->done[idx[j]] = errs[j] == 0;
            first = first ? first : errs[j];
        }
        return first;
    }
    case 3: {
        uint64_t blknum = 0;
        int rc = plasma_ledger_seal(r->l, &blknum);
        if (rc == 0)
            assert_int_equal(blknum, 1000);
        return rc;
    }
    case 4: {
        uint64_t pos = plasma_utxo_pos(1000, 0, 1);
        return plasma_ledger_follow(r->l, NULL, 0, &pos, 1, "exits", 9);
    }
    case 5: {
        plasma_block_info info;
        int rc = plasma_ledger_get_block(r->l, 1000, &info, NULL, NULL);
        if (rc == 0)
            r->block_txs = info.n_txs;
        return rc;
    }
    case 6: {
        plasma_buf tx = {0};
        uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
        int rc = plasma_ledger_exit_data(r->l, plasma_utxo_pos(1000, 1, 0), &tx, proof);
        plasma_buf_free(&tx);
        return rc;
    }
    default: {
        for (int o = 0; o < 4; o++) {
            plasma_addr a = tk_addr(o);
            uint64_t sum = 0;
            int rc = plasma_ledger_utxos_by_owner(r->l, &a, 100, count_cb, &sum);
            if (rc < 0)
                return rc;
            r->balance[o] = sum;
        }
        return PLASMA_OK;
    }
    }
}

#define LEDGER_STEPS 8

/* Runs the ledger from step 0; with a fault at allocation n, the step that
 * meets it must say nomem, then the ledger is restarted and the run goes
 * on without faults from that step. */
static void ledger_run_all(ledger_run *r, long n)
{
    r->dir = tk_tmpdir();
    ledger_prepare(r);
    inject(n);
    int rc = open_ledger(r);
    expect_ok_or_nomem(rc, "plasma_ledger_open", n);
    int k = 0;
    for (; rc == 0 && k < LEDGER_STEPS; k++) {
        rc = ledger_step(r, k);
        expect_ok_or_nomem(rc, "a ledger step", n);
        if (rc)
            break;
    }
    stop();
    if (rc) {
        plasma_ledger_free(r->l);
        r->l = NULL;
        if (open_ledger(r) != 0)
            fail_msg("allocation %ld failed: the ledger does not reopen", n);
        /* A step refused with nomem changed nothing durable: it runs again. */
        for (; k < LEDGER_STEPS; k++)
            if ((rc = ledger_step(r, k)) != 0)
                fail_msg("allocation %ld failed: step %d then fails with %s", n, k, plasma_err_code(rc));
    }
    plasma_ledger_free(r->l);
    for (int i = 0; i < 3; i++)
        plasma_buf_free(&r->tx[i]);
    tk_rmrf(r->dir);
    free(r->dir);
}

static void test_ledger_allocation_faults(void **state)
{
    (void)state;
    phase = "ledger";
    ledger_run clean = {0};
    ledger_run_all(&clean, 0);
    long total = counted;
    assert_true(total > 50);
    assert_int_equal(clean.balance[1], 500); /* its 400 exited */
    assert_int_equal(clean.balance[3], 600);
    assert_int_equal(clean.block_txs, 3);
    long faults = 0;
    for (long n = 1; n <= total; n++) {
        ledger_run r = {0};
        ledger_run_all(&r, n);
        faults += atomic_load(&failed_allocs) > 0;
        if (r.block_txs != clean.block_txs || memcmp(r.balance, clean.balance, sizeof r.balance) != 0)
            fail_msg(
                "allocation %ld failed: the ledger differs from a run without faults (balances %llu %llu "
                "%llu)",
                n, (unsigned long long)r.balance[1], (unsigned long long)r.balance[2],
                (unsigned long long)r.balance[3]);
    }
    print_message("ledger: %ld allocations in the run, each failed once (%ld met)\n", total, faults);
}

/* --- the exit game --- */

typedef struct chain_run {
    plasma_chain *chain;
    plasma_addr addr[4];
    plasma_privkey key[4];
    plasma_merkle *tree;
    uint8_t child_tx[PLASMA_TX_MAX_RLP];
    size_t child_len;
    uint8_t spend[PLASMA_TX_MAX_RLP];
    size_t spend_len;
} chain_run;

static void call_of(chain_run *c, plasma_call *call, plasma_call_kind kind, unsigned who)
{
    plasma_call_init(call, kind, &c->addr[who], plasma_chain_next_nonce(c->chain, &c->addr[who]), 1, 2000000);
}

/* The deposit spent by a child-block payment to account 2; the exit game's
 * calls around it. */
static int chain_prepare(chain_run *c)
{
    plasma_tx dep, pay;
    plasma_tx_make_deposit(&dep, &c->addr[1], &(plasma_addr){{0}}, &(plasma_u256){{1000}});
    memset(&pay, 0, sizeof pay);
    pay.tx_type = PLASMA_TX_PAYMENT;
    pay.n_inputs = 1;
    pay.n_outputs = 1;
    pay.inputs[0] = plasma_utxo_pos(1, 0, 0);
    pay.outputs[0] = (plasma_output){c->addr[2], {{0}}, {{1000}}};
    plasma_domain dom;
    plasma_domain_dev(&dom);
    int rc = plasma_tx_sign_input(&pay, &dom, 0, &c->key[1]);
    plasma_buf u = {0}, s = {0};
    if (rc == 0)
        rc = plasma_tx_encode_unsigned(&u, &pay);
    if (rc == 0)
        rc = plasma_tx_encode_signed(&s, &pay);
    if (rc == 0) {
        memcpy(c->child_tx, u.data, u.len);
        c->child_len = u.len;
        memcpy(c->spend, s.data, s.len);
        c->spend_len = s.len;
        plasma_hash leaf;
        plasma_merkle_leaf(&leaf, u.data, u.len);
        rc = plasma_merkle_build(&c->tree, &leaf, 1);
    }
    plasma_buf_free(&u);
    plasma_buf_free(&s);
    return rc;
}

static int chain_submit(chain_run *c, const plasma_call *call)
{
    plasma_hash h;
    return plasma_chain_submit(c->chain, call, &h);
}

/* Call i of the exit game's run: a deposit by account 1, the child block
 * spending it, account 1's exit of the spent deposit, account 3's
 * challenge of it, account 2's exit of its child output, processing. */
static int chain_call(chain_run *c, int i)
{
    plasma_call call;
    switch (i) {
    case 0:
        call_of(c, &call, PLASMA_CALL_DEPOSIT, 1);
        call.deposit.amount = plasma_u256_from_u64(1000);
        return chain_submit(c, &call);
    case 1:
        call_of(c, &call, PLASMA_CALL_SUBMIT_BLOCK, 0);
        call.submit_block.root = *plasma_merkle_tree_root(c->tree);
        return chain_submit(c, &call);
    case 2: {
        plasma_tx dep;
        plasma_buf u = {0};
        plasma_tx_make_deposit(&dep, &c->addr[1], &(plasma_addr){{0}}, &(plasma_u256){{1000}});
        int rc = plasma_tx_encode_unsigned(&u, &dep);
        plasma_hash leaf;
        plasma_merkle *t = NULL;
        if (rc == 0) {
            plasma_merkle_leaf(&leaf, u.data, u.len);
            rc = plasma_merkle_build(&t, &leaf, 1);
        }
        if (rc == 0) {
            call_of(c, &call, PLASMA_CALL_START_EXIT, 1);
            call.start_exit.utxo_pos = plasma_utxo_pos(1, 0, 0);
            memcpy(call.start_exit.tx, u.data, u.len);
            call.start_exit.tx_len = u.len;
            rc = plasma_merkle_proof(call.start_exit.proof, t, 0);
            call.start_exit.bond = plasma_u256_from_u64(PLASMA_CHAIN_DEFAULT_EXIT_BOND);
        }
        plasma_merkle_free(t);
        plasma_buf_free(&u);
        return rc ? rc : chain_submit(c, &call);
    }
    case 3:
        call_of(c, &call, PLASMA_CALL_CHALLENGE_EXIT, 3);
        call.challenge_exit.exit_id = plasma_utxo_pos(1, 0, 0);
        call.challenge_exit.input_index = 0;
        memcpy(call.challenge_exit.tx, c->spend, c->spend_len);
        call.challenge_exit.tx_len = c->spend_len;
        return chain_submit(c, &call);
    case 4: {
        call_of(c, &call, PLASMA_CALL_START_EXIT, 2);
        call.start_exit.utxo_pos = plasma_utxo_pos(1000, 0, 0);
        memcpy(call.start_exit.tx, c->child_tx, c->child_len);
        call.start_exit.tx_len = c->child_len;
        int rc = plasma_merkle_proof(call.start_exit.proof, c->tree, 0);
        call.start_exit.bond = plasma_u256_from_u64(PLASMA_CHAIN_DEFAULT_EXIT_BOND);
        return rc ? rc : chain_submit(c, &call);
    }
    default:
        call_of(c, &call, PLASMA_CALL_PROCESS_EXITS, 3);
        call.process_exits.max_exits = 10;
        return chain_submit(c, &call);
    }
}

/* Step k: even steps submit call k/2, odd ones mine it; before the last
 * call the exit period passes. Each step is one operation, so a step
 * refused with nomem can simply run again. */
#define CHAIN_CALLS 6
static int chain_step(chain_run *c, int k)
{
    if (k == 2 * CHAIN_CALLS - 2)
        return plasma_chain_dev_advance_time(c->chain, 3 * PLASMA_CHAIN_DEFAULT_MIN_EXIT_PERIOD);
    if (k > 2 * CHAIN_CALLS - 2)
        k--;
    return k % 2 ? plasma_chain_mine(c->chain, NULL) : chain_call(c, k / 2);
}

#define CHAIN_STEPS (2 * CHAIN_CALLS + 1)

static void chain_run_all(plasma_hash *digest, long n)
{
    chain_run c;
    memset(&c, 0, sizeof c);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(plasma_dev_key(&c.key[i], i), 0);
        assert_int_equal(plasma_dev_addr(&c.addr[i], i), 0);
    }
    plasma_chain_config cfg;
    plasma_chain_config_default(&cfg);
    assert_int_equal(plasma_chain_new(&c.chain, &cfg, NULL), 0);
    assert_int_equal(plasma_chain_dev_prefund(c.chain), 0);
    assert_int_equal(chain_prepare(&c), 0);
    inject(n);
    int k = 0, rc = 0;
    for (; k < CHAIN_STEPS; k++) {
        rc = chain_step(&c, k);
        expect_ok_or_nomem(rc, "an exit-game step", n);
        if (rc)
            break;
    }
    stop();
    /* The call refused with nomem changed nothing: it runs again. */
    for (; rc && k < CHAIN_STEPS; k++)
        if (chain_step(&c, k) != 0)
            fail_msg("allocation %ld failed: exit-game step %d then fails", n, k);
    assert_int_equal(plasma_chain_state_digest(digest, c.chain), 0);
    plasma_merkle_free(c.tree);
    plasma_chain_free(c.chain);
}

static void test_chain_allocation_faults(void **state)
{
    (void)state;
    phase = "chain";
    plasma_hash clean, got;
    chain_run_all(&clean, 0);
    long total = counted;
    assert_true(total > 10);
    long faults = 0;
    for (long n = 1; n <= total; n++) {
        chain_run_all(&got, n);
        faults += atomic_load(&failed_allocs) > 0;
        if (!plasma_hash_eq(&got, &clean))
            fail_msg("allocation %ld failed: the chain's state differs from a run without faults", n);
    }
    print_message("exit game: %ld allocations in the run, each failed once (%ld met)\n", total, faults);
}

/* --- secrets --- */

static void test_operator_key_wiped_before_free(void **state)
{
    (void)state;
    assert_int_equal(plasma_privkey_generate(&secret), 0);
    char *dir = tk_tmpdir(), key_hex[67], data[300];
    plasma_hex_encode(key_hex, secret.b, sizeof secret.b);
    snprintf(data, sizeof data, "%s/data", dir);
    char *argv[] = {
        "op",         "--rootchain", "sim",    "--rpc", "http://127.0.0.1:9", "--operator-key", key_hex,
        "--data-dir", data,          "--port", "0",     "--log-level",        "error",          NULL};
    plasma_operator_config cfg;
    char err[256];
    assert_int_equal(plasma_operator_config_parse(&cfg, 13, argv, stderr, err, sizeof err), 0);
    atomic_store(&secrets_freed, 0);
    atomic_store(&scan_frees, true);
    plasma_operator *op = NULL;
    if (plasma_operator_start(&op, &cfg, err, sizeof err) != 0)
        fail_msg("start: %s", err);
    plasma_operator_free(op);
    atomic_store(&scan_frees, false);
    assert_int_equal(atomic_load(&secrets_freed), 0);
    /* The scan itself works: a block holding the key is seen. */
    uint8_t *p = malloc(64);
    memcpy(p + 7, secret.b, sizeof secret.b);
    atomic_store(&scan_frees, true);
    free(p);
    atomic_store(&scan_frees, false);
    assert_int_equal(atomic_load(&secrets_freed), 1);
    plasma_wipe(key_hex, sizeof key_hex);
    tk_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_allocation_faults),
        cmocka_unit_test(test_ledger_allocation_faults),
        cmocka_unit_test(test_operator_key_wiped_before_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
