/* plasma-rootchain as an operator of the machine sees it: --help, every bad
 * flag refused with exit status 2, a production (non-dev) daemon that needs
 * a data directory and refuses dev controls, structured logs, a clean stop
 * on SIGTERM and SIGINT, a start-up failure (store locked by another
 * daemon) with exit status 1, and settings that contradict the stored
 * chain with exit status 2. */
#include "rc_itest.h"

static void test_help_lists_every_flag(void **state)
{
    (void)state;
    rci_daemon d;
    rci_init(&d);
    const char *args[] = {"--help", NULL};
    assert_int_equal(rci_run(args, d.log), 0);
    static const char *const FLAGS[] = {"--dev",
                                        "--port N",
                                        "--port-file FILE",
                                        "--bind ADDR",
                                        "--data-dir DIR",
                                        "--mine-interval-ms N",
                                        "--block-gas-limit N",
                                        "--min-exit-period S",
                                        "--exit-bond WEI",
                                        "--ife-bond WEI",
                                        "--piggyback-bond WEI",
                                        "--block-time S",
                                        "--max-body BYTES",
                                        "--max-pending N",
                                        "--chain-id N",
                                        "--log-level LEVEL",
                                        "--history-blocks N",
                                        "[default: 12000]",
                                        "[default: 7435]",
                                        "(0..65535)"};
    for (size_t i = 0; i < sizeof FLAGS / sizeof FLAGS[0]; i++)
        if (!rci_file_contains(d.log, FLAGS[i]))
            fail_msg("--help does not mention %s", FLAGS[i]);
    rci_free(&d);
}

typedef struct bad_cmd {
    const char *args[6];
    const char *says; /* the error names this */
} bad_cmd;

static const bad_cmd BAD[] = {
    {{"--dev", "--port", "-1", NULL}, "--port"},
    {{"--dev", "--port", "70000", NULL}, "out of range 0..65535"},
    {{"--dev", "--port-file", "", NULL}, "--port-file"},
    {{"--dev", "--port=abc", NULL}, "--port"},
    {{"--dev", "--port", NULL}, "needs a value"},
    {{"--dev", "--bind", "999.1.1.1", NULL}, "--bind"},
    {{"--dev", "--mine-interval-ms", "-5", NULL}, "--mine-interval-ms"},
    {{"--dev", "--block-time", "0", NULL}, "--block-time"},
    {{"--dev", "--block-gas-limit", "100", NULL}, "--block-gas-limit"},
    {{"--dev", "--exit-bond", "1.5", NULL}, "--exit-bond"},
    {{"--dev", "--ife-bond", "-1", NULL}, "--ife-bond"},
    {{"--dev", "--piggyback-bond", "0x10", NULL}, "--piggyback-bond"},
    {{"--dev", "--contract", "0x12", NULL}, "--contract"},
    {{"--dev", "--max-body", "10", NULL}, "--max-body"},
    {{"--dev", "--log-level", "loud", NULL}, "--log-level"},
    {{"--dev", "--no-such-flag", NULL}, "unknown flag --no-such-flag"},
    {{"--dev", "--dev", NULL}, "twice"},
    {{"--dev=yes", NULL}, "takes no value"},
    {{"--dev", "stray", NULL}, "unexpected argument"},
    {{"--port", "7000", NULL}, "--data-dir is required"},
};

static void test_bad_flags_exit_2(void **state)
{
    (void)state;
    rci_daemon d;
    rci_init(&d);
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        char out[128];
        snprintf(out, sizeof out, "%s/bad-%zu.txt", d.dir, i);
        int st = rci_run(BAD[i].args, out);
        if (st != 2 || !rci_file_contains(out, BAD[i].says))
            fail_msg("case %zu (%s %s): exit %d, want 2 and a message naming \"%s\"", i, BAD[i].args[0],
                     BAD[i].args[1] ? BAD[i].args[1] : "", st, BAD[i].says);
    }
    rci_free(&d);
}

static void test_production_daemon(void **state)
{
    (void)state;
    rci_daemon d;
    rci_init(&d);
    const char *flags[] = {"--mine-interval-ms",
                           "50",
                           "--operator",
                           "0x1111111111111111111111111111111111111111",
                           "--ife-bond",
                           "5",
                           "--piggyback-bond",
                           "7",
                           NULL};
    rci_start(&d, flags);
    plasma_rootchain_status s;
    assert_int_equal(plasma_rootchain_client_status(d.cli, &s), 0);
    assert_false(s.dev);
    assert_true(plasma_u256_cmp(&s.ife_bond, &(plasma_u256){{5, 0, 0, 0}}) == 0);
    assert_true(plasma_u256_cmp(&s.piggyback_bond, &(plasma_u256){{7, 0, 0, 0}}) == 0);
    plasma_addr a;
    assert_int_equal(plasma_dev_addr(&a, 1), 0);
    plasma_u256 bal;
    assert_int_equal(plasma_rootchain_client_balance(d.cli, &a, NULL, &bal), 0);
    assert_true(plasma_u256_is_zero(&bal));
    assert_int_equal(plasma_rootchain_client_dev_mine(d.cli, 1, NULL), PLASMA_ERR_FORBIDDEN);
    assert_int_equal(plasma_rootchain_client_dev_fund(d.cli, &a, &(plasma_u256){{1, 0, 0, 0}}),
                     PLASMA_ERR_FORBIDDEN);
    /* The auto-miner runs. */
    uint64_t head0 = s.head_number;
    for (int i = 0; i < 100 && s.head_number < head0 + 2; i++) {
        rci_sleep_ms(20);
        assert_int_equal(plasma_rootchain_client_status(d.cli, &s), 0);
    }
    assert_true(s.head_number >= head0 + 2);

    /* The port it reported is the one it logs. */
    char listening[48];
    snprintf(listening, sizeof listening, "event=listening bind=127.0.0.1 port=%u ", d.port);
    assert_true(rci_file_contains(d.log, listening));

    /* Same data dir, another port: LevelDB's lock refuses a second daemon. */
    char out[128];
    snprintf(out, sizeof out, "%s/second.txt", d.dir);
    const char *second[] = {"--port", "0", "--data-dir", d.data, NULL};
    assert_int_equal(rci_run(second, out), 1);
    assert_true(rci_file_contains(out, "event=start_failed"));

    assert_int_equal(rci_stop(&d, SIGTERM), 0);
    assert_true(rci_file_contains(d.log, "level=info event=listening bind=127.0.0.1"));
    assert_true(rci_file_contains(d.log, "level=warn") == false);
    assert_true(rci_file_contains(d.log, "event=stopping signal=SIGTERM"));
    assert_true(rci_file_contains(d.log, "event=stopped"));

    /* Restart: the head is where it stopped; other consensus settings are
     * refused against the stored chain. */
    const char *again[] = {"--mine-interval-ms",
                           "0",
                           "--operator",
                           "0x1111111111111111111111111111111111111111",
                           "--ife-bond",
                           "5",
                           "--piggyback-bond",
                           "7",
                           NULL};
    rci_start(&d, again);
    plasma_rootchain_status s2;
    assert_int_equal(plasma_rootchain_client_status(d.cli, &s2), 0);
    assert_true(s2.head_number >= s.head_number);
    assert_int_equal(rci_stop(&d, SIGINT), 0);
    assert_true(rci_file_contains(d.log, "signal=SIGINT"));
    const char *mismatch[] = {"--port", "0", "--data-dir", d.data, "--chain-id", "5", NULL};
    assert_int_equal(rci_run(mismatch, out), 2);
    const char *other_bond[] = {"--port",     "0",          "--data-dir",
                                d.data,       "--operator", "0x1111111111111111111111111111111111111111",
                                "--ife-bond", "5",          "--piggyback-bond",
                                "8",          NULL};
    assert_int_equal(rci_run(other_bond, out), 2);
    rci_free(&d);
}

/* A data directory written by the previous store format (1) is refused at
 * start-up with one line that says so, and left as it was. */
static void test_old_store_format_refused(void **state)
{
    (void)state;
    rci_daemon d;
    rci_init(&d);
    plasma_chain_store *store;
    assert_int_equal(plasma_store_leveldb_open(&store, d.data), 0);
    uint8_t c[1 + 8 + 20 + 20 + 32 + 8 + 8] = {1}, ck = 'c';
    plasma_store_op op = {&ck, 1, c, sizeof c};
    assert_int_equal(store->write(store, &op, 1), 0);
    plasma_chain_store_free(store);
    char out[160];
    snprintf(out, sizeof out, "%s/old.txt", d.dir);
    const char *args[] = {"--port", "0", "--data-dir", d.data, NULL};
    assert_int_equal(rci_run(args, out), 1);
    assert_true(rci_file_contains(out, "error=store_version"));
    assert_true(rci_file_contains(out, "written by another version of the root chain"));
    rci_free(&d);
}

/* Without --operator, a production daemon warns that the operator key is
 * public; a --max-body limit turns big requests into 413. */
static void test_warning_and_body_limit(void **state)
{
    (void)state;
    rci_daemon d;
    rci_init(&d);
    /* A port file it cannot write stops the start: nobody would learn the port. */
    char out[160], bad_file[160];
    snprintf(out, sizeof out, "%s/port-file.txt", d.dir);
    snprintf(bad_file, sizeof bad_file, "%s/no-such-dir/port", d.dir);
    const char *unwritable[] = {"--dev", "--port", "0", "--port-file", bad_file, NULL};
    assert_int_equal(rci_run(unwritable, out), 1);
    assert_true(rci_file_contains(out, "event=start_failed port_file="));

    const char *flags[] = {"--mine-interval-ms", "0", "--max-body", "4096", NULL};
    rci_start(&d, flags);
    assert_true(rci_file_contains(d.log, "level=warn event=dev_operator"));
    rck k = {.port = d.port, .prefix = ""};
    char *body = malloc(8192);
    memset(body, ' ', 8191);
    body[0] = '{';
    body[8190] = '}';
    body[8191] = '\0';
    rck_expect(&k, "POST", "/v1/calls", body, 413, "payload_too_large");
    free(body);
    assert_int_equal(rci_stop(&d, SIGTERM), 0);
    rci_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_old_store_format_refused), cmocka_unit_test(test_help_lists_every_flag),
        cmocka_unit_test(test_bad_flags_exit_2),         cmocka_unit_test(test_production_daemon),
        cmocka_unit_test(test_warning_and_body_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
