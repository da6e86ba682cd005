/* The wallet's records: what is appended reads back merged (a tx, the
 * operator's answer), a last line torn by a crash is ignored and cut off
 * by the next append, a malformed line or a tx whose hash is not its own is
 * refused with the line's number, files and directories get their modes,
 * and a missing file holds nothing. */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plasma/client.h"
#include "testutil.h"

static char dir[64];
static plasma_addr owner;

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/plasma-records-XXXXXX");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(plasma_dev_addr(&owner, 1), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* A signed payment of owner's output at pos, with the deposit that made
 * it as its input's tx. */
static plasma_wallet_tx record(uint64_t pos, uint64_t amount)
{
    plasma_wallet_tx r = {.time = 1700000000, .state = PLASMA_WALLET_SENT};
    plasma_privkey key;
    plasma_domain dom;
    plasma_addr contract, to;
    assert_int_equal(plasma_dev_key(&key, 1), 0);
    assert_int_equal(plasma_dev_addr(&to, 2), 0);
    assert_int_equal(plasma_addr_parse(&contract, PLASMA_CHAIN_DEFAULT_CONTRACT), 0);
    plasma_domain_init(&dom, 31337, &contract);
    r.tx = (plasma_tx){.tx_type = PLASMA_TX_PAYMENT, .n_inputs = 1, .n_outputs = 1};
    r.tx.inputs[0] = pos;
    r.tx.outputs[0] = (plasma_output){.owner = to, .amount = plasma_u256_from_u64(amount)};
    assert_int_equal(plasma_tx_sign_input(&r.tx, &dom, 0, &key), 0);
    assert_int_equal(plasma_tx_hash(&r.txhash, &r.tx), 0);
    plasma_u256 dep = plasma_u256_from_u64(amount);
    plasma_tx_make_deposit(&r.input_txs[0], &owner, &(plasma_addr){{0}}, &dep);
    r.have_input_tx[0] = true;
    return r;
}

static void path_of(char *path, size_t len)
{
    assert_int_equal(plasma_wallet_path(path, len, dir, &owner), 0);
}

static void load(plasma_wallet_tx **recs, size_t *n)
{
    char msg[200] = "";
    int rc = plasma_wallet_load(dir, &owner, recs, n, msg, sizeof msg);
    if (rc)
        fail_msg("load: %d %s", rc, msg);
}

static void test_round_trip(void **state)
{
    (void)state;
    plasma_wallet_tx *recs = NULL, a = record(1000000000, 700), b = record(2000000000, 300);
    size_t n = 1;
    load(&recs, &n);
    assert_int_equal(n, 0);     /* no file yet */
    b.have_input_tx[0] = false; /* the creating tx unknown: null */
    assert_int_equal(plasma_wallet_record_sent(dir, &owner, &a), 0);
    assert_int_equal(plasma_wallet_record_sent(dir, &owner, &b), 0);
    assert_int_equal(plasma_wallet_record_answer(dir, &owner, &a.txhash, PLASMA_WALLET_ACKED, 3000, 7, 0), 0);
    assert_int_equal(plasma_wallet_record_answer(dir, &owner, &b.txhash, PLASMA_WALLET_REFUSED, 0, 0,
                                                 PLASMA_ERR_FEE_TOO_LOW),
                     0);
    load(&recs, &n);
    assert_int_equal(n, 2);
    assert_true(plasma_tx_eq(&recs[0].tx, &a.tx));
    assert_true(plasma_hash_eq(&recs[0].txhash, &a.txhash));
    assert_int_equal(recs[0].state, PLASMA_WALLET_ACKED);
    assert_int_equal(recs[0].blknum, 3000);
    assert_int_equal(recs[0].txindex, 7);
    assert_true(recs[0].have_input_tx[0]);
    assert_true(plasma_tx_eq(&recs[0].input_txs[0], &a.input_txs[0]));
    assert_int_equal(recs[0].time, 1700000000);
    assert_int_equal(recs[1].state, PLASMA_WALLET_REFUSED);
    assert_int_equal(recs[1].refused, PLASMA_ERR_FEE_TOO_LOW);
    assert_false(recs[1].have_input_tx[0]);
    free(recs);

    struct stat st;
    char path[256];
    path_of(path, sizeof path);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    *strrchr(path, '/') = '\0';
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
}

static void append_raw(const char *text)
{
    char path[256];
    path_of(path, sizeof path);
    int fd = open(path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* A crash in the middle of an append leaves a line without its newline. */
static void test_torn_tail(void **state)
{
    (void)state;
    plasma_wallet_tx *recs = NULL, a = record(1000000000, 700), b = record(2000000000, 300);
    size_t n = 0;
    assert_int_equal(plasma_wallet_record_sent(dir, &owner, &a), 0);
    append_raw("{\"kind\": \"sent\", \"txhash\": \"0x12");
    load(&recs, &n);
    assert_int_equal(n, 1);
    free(recs);
    /* the next append cuts the torn line off */
    assert_int_equal(plasma_wallet_record_sent(dir, &owner, &b), 0);
    load(&recs, &n);
    assert_int_equal(n, 2);
    assert_true(plasma_tx_eq(&recs[1].tx, &b.tx));
    free(recs);
    /* a file that is nothing but a torn line */
    char path[256];
    path_of(path, sizeof path);
    assert_int_equal(truncate(path, 0), 0);
    append_raw("{\"kind\"");
    load(&recs, &n);
    assert_int_equal(n, 0);
    assert_int_equal(plasma_wallet_record_sent(dir, &owner, &a), 0);
    load(&recs, &n);
    assert_int_equal(n, 1);
    free(recs);
}

static void expect_refused(const char *line, const char *why)
{
    char path[256], msg[300] = "";
    plasma_wallet_tx *recs = NULL, a = record(1000000000, 700);
    size_t n = 0;
    path_of(path, sizeof path);
    unlink(path);
    assert_int_equal(plasma_wallet_record_sent(dir, &owner, &a), 0);
    append_raw(line);
    assert_int_equal(plasma_wallet_record_sent(dir, &owner, &a), 0);
    int rc = plasma_wallet_load(dir, &owner, &recs, &n, msg, sizeof msg);
    if (rc != PLASMA_ERR_BAD_REQUEST || !strstr(msg, "line 2"))
        fail_msg("%s: got %d \"%s\"", why, rc, msg);
    assert_null(recs);
}

static void test_malformed_refused(void **state)
{
    (void)state;
    plasma_wallet_tx a = record(1000000000, 700), b = record(2000000000, 300);
    char hex[2 * PLASMA_TX_MAX_RLP + 3], line[4096];
    plasma_buf buf = {0};
    assert_int_equal(plasma_tx_encode_signed(&buf, &a.tx), 0);
    plasma_hex_encode(hex, buf.data, buf.len);
    plasma_buf_free(&buf);
    char other[67];
    plasma_hash_format(other, &b.txhash);
    expect_refused("not json\n", "not JSON");
    expect_refused("{\"kind\": \"spent\"}\n", "an unknown kind");
    snprintf(
        line, sizeof line,
        "{\"kind\": \"sent\", \"txhash\": \"%s\", \"tx\": \"%s\", \"time\": 1, \"inputs\": [{\"utxo_pos\": "
        "\"1000000000\", \"tx\": null}]}\n",
        other, hex);
    expect_refused(line, "a tx whose hash is another's");
    plasma_hash_format(other, &a.txhash);
    snprintf(
        line, sizeof line,
        "{\"kind\": \"sent\", \"txhash\": \"%s\", \"tx\": \"%s\", \"time\": 1, \"inputs\": [{\"utxo_pos\": "
        "\"5\", \"tx\": null}]}\n",
        other, hex);
    expect_refused(line, "an input that is not the tx's");
    snprintf(line, sizeof line,
             "{\"kind\": \"acked\", \"txhash\": \"%s\", \"blknum\": 1000, \"txindex\": 70000}\n", other);
    expect_refused(line, "a txindex past a block");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
