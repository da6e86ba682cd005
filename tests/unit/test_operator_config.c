/* Unit tests of the operator's table-driven configuration
 * (plasma_operator_config_parse): defaults, --dev defaults, both flag forms,
 * bounds, config files and their precedence, clear errors, --help. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plasma/exitgame.h"
#include "plasma/operator.h"
#include "testutil.h"

static int parse(plasma_operator_config *cfg, char *err, size_t err_len, int argc, char **argv)
{
    FILE *out = fopen("/dev/null", "w");
    int rc = plasma_operator_config_parse(cfg, argc, argv, out, err, err_len);
    fclose(out);
    return rc;
}

#define PARSE(cfg, err, ...)                                                                                 \
    parse(cfg, err, sizeof err, (int)(sizeof((char *[]){"op", __VA_ARGS__}) / sizeof(char *)),               \
          (char *[]){"op", __VA_ARGS__})

static void test_defaults_and_dev(void **state)
{
    (void)state;
    plasma_operator_config c;
    char err[256];
    char *argv[] = {"op"};
    assert_int_equal(parse(&c, err, sizeof err, 1, argv), 0);
    assert_int_equal(c.port, 7434);
    assert_int_equal(c.finality_margin, 12);
    assert_string_equal(c.rootchain, "embedded");
    assert_string_equal(c.rpc, "");
    assert_string_equal(c.min_fee, "1");
    assert_false(c.dev);
    assert_int_equal(PARSE(&c, err, "--dev"), 0);
    assert_true(c.dev);
    assert_string_equal(c.rootchain, "embedded");
    assert_int_equal(c.finality_margin, 0);
    assert_string_equal(c.min_fee, "0");
    assert_int_equal(c.seal_interval_ms, 1000);
    assert_int_equal(c.rc_block_interval_ms, 1000);
    /* A flag overrides a development default, whatever the order. */
    assert_int_equal(PARSE(&c, err, "--finality-margin", "3", "--dev"), 0);
    assert_int_equal(c.finality_margin, 3);
}

/* The embedded chain's bonds default to the exit game's own defaults
 * (0.037 and 0.028 ETH), and the flags pass any other amount through. */
static void test_bond_defaults(void **state)
{
    (void)state;
    plasma_operator_config c;
    char err[256], want[32];
    assert_int_equal(PARSE(&c, err, "--dev"), 0);
    snprintf(want, sizeof want, "%llu", PLASMA_CHAIN_DEFAULT_IFE_BOND);
    assert_string_equal(c.ife_bond, want);
    snprintf(want, sizeof want, "%llu", PLASMA_CHAIN_DEFAULT_PIGGYBACK_BOND);
    assert_string_equal(c.piggyback_bond, want);
    assert_int_equal(PARSE(&c, err, "--ife-bond", "5", "--piggyback-bond=0"), 0);
    assert_string_equal(c.ife_bond, "5");
    assert_string_equal(c.piggyback_bond, "0");
}

static void test_flag_forms_and_bounds(void **state)
{
    (void)state;
    plasma_operator_config c;
    char err[256];
    assert_int_equal(PARSE(&c, err, "--port=8080", "--sig-verify-cached"), 0);
    assert_int_equal(c.port, 8080);
    assert_true(c.sig_verify_cached);
    assert_int_equal(PARSE(&c, err, "--port", "9090", "--sig-verify-cached=false"), 0);
    assert_int_equal(c.port, 9090);
    assert_false(c.sig_verify_cached);

    assert_int_equal(PARSE(&c, err, "--port", "65536"), PLASMA_ERR_CONFIG);
    assert_non_null(strstr(err, "--port"));
    assert_non_null(strstr(err, "0..65535"));
    assert_int_equal(PARSE(&c, err, "--port", "0", "--port-file", "/tmp/op.port"), 0);
    assert_int_equal(c.port, 0);
    assert_string_equal(c.port_file, "/tmp/op.port");
    assert_int_equal(PARSE(&c, err, "--port-file"), PLASMA_ERR_CONFIG);
    assert_non_null(strstr(err, "needs a value"));
    assert_int_equal(PARSE(&c, err, "--block-capacity", "65537"), PLASMA_ERR_CONFIG);
    assert_int_equal(PARSE(&c, err, "--port", "-1"), PLASMA_ERR_CONFIG);
    assert_int_equal(PARSE(&c, err, "--port", "12x"), PLASMA_ERR_CONFIG);
    assert_int_equal(PARSE(&c, err, "--port"), PLASMA_ERR_CONFIG);
    assert_non_null(strstr(err, "needs a value"));
    assert_int_equal(PARSE(&c, err, "--no-such-flag", "1"), PLASMA_ERR_CONFIG);
    assert_non_null(strstr(err, "unknown flag --no-such-flag"));
    assert_int_equal(PARSE(&c, err, "--dev=maybe"), PLASMA_ERR_CONFIG);
    assert_int_equal(PARSE(&c, err, "stray"), PLASMA_ERR_CONFIG);
    char long_token[300];
    memset(long_token, 'a', sizeof long_token - 1);
    long_token[sizeof long_token - 1] = '\0';
    assert_int_equal(PARSE(&c, err, "--admin-token", long_token), PLASMA_ERR_CONFIG);
    assert_non_null(strstr(err, "longer than"));
}

static char *write_file(const char *text)
{
    char *path = strdup("/tmp/plasma-op-cfg-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_config_file(void **state)
{
    (void)state;
    plasma_operator_config c;
    char err[256];
    char *path = write_file("# operator settings\n"
                            "port = 7500\n"
                            "  admin-token =  s3cret  \n"
                            "\n"
                            "fee-rules = 0x00000000000000000000000000000000000000aa=5\n");
    assert_int_equal(PARSE(&c, err, "--config", path), 0);
    assert_int_equal(c.port, 7500);
    assert_string_equal(c.admin_token, "s3cret");
    assert_string_equal(c.fee_rules, "0x00000000000000000000000000000000000000aa=5");
    /* Flags win over the file, before or after --config. */
    assert_int_equal(PARSE(&c, err, "--port", "7600", "--config", path), 0);
    assert_int_equal(c.port, 7600);
    unlink(path);
    free(path);

    path = write_file("port = 7500\nmax-conns = 0\n");
    assert_int_equal(PARSE(&c, err, "--config", path), PLASMA_ERR_CONFIG);
    assert_non_null(strstr(err, "--max-conns"));
    unlink(path);
    free(path);
    path = write_file("port = 7500\nbogus = 1\n");
    assert_int_equal(PARSE(&c, err, "--config", path), PLASMA_ERR_CONFIG);
    assert_non_null(strstr(err, ":2: unknown setting \"bogus\""));
    unlink(path);
    free(path);
    path = write_file("just words\n");
    assert_int_equal(PARSE(&c, err, "--config", path), PLASMA_ERR_CONFIG);
    assert_non_null(strstr(err, "expected name = value"));
    unlink(path);
    free(path);
    assert_int_equal(PARSE(&c, err, "--config", "/nonexistent/op.conf"), PLASMA_ERR_CONFIG);
    assert_non_null(strstr(err, "cannot open"));
}

/* The settings of --rootchain eth, and which values were given rather
 * than defaulted (the eth backend checks --chain-id only when given). */
static void test_eth_settings_and_given(void **state)
{
    (void)state;
    plasma_operator_config c;
    char err[256];
    assert_int_equal(PARSE(&c, err, "--rootchain", "eth"), 0);
    assert_int_equal(c.confirmations, 12);
    assert_int_equal(c.deploy_block, 0);
    assert_int_equal(c.rpc_timeout_ms, 30000);
    assert_false(plasma_operator_config_given(&c, "chain-id"));
    assert_false(plasma_operator_config_given(&c, "no-such-setting"));
    assert_int_equal(PARSE(&c, err, "--dev", "--rootchain=eth", "--rpc", "http://127.0.0.1:8545",
                           "--contract", "0x5fbdb2315678afecb367f032d93f642f64180aa3", "--deploy-block", "7",
                           "--max-fee-gwei", "80", "--operator-keystore", "/k.json", "--password-file",
                           "/pw"),
                     0);
    assert_int_equal(c.confirmations, 0);
    assert_string_equal(c.rootchain, "eth");
    assert_string_equal(c.contract, "0x5fbdb2315678afecb367f032d93f642f64180aa3");
    assert_int_equal(c.deploy_block, 7);
    assert_int_equal(c.max_fee_gwei, 80);
    assert_string_equal(c.operator_keystore, "/k.json");
    assert_string_equal(c.password_file, "/pw");
    assert_true(plasma_operator_config_given(&c, "contract"));
    assert_false(plasma_operator_config_given(&c, "chain-id"));
    assert_true(plasma_operator_config_given(&c, "dev"));
    assert_int_equal(PARSE(&c, err, "--chain-id", "31337"), 0);
    assert_true(plasma_operator_config_given(&c, "chain-id"));
    assert_int_equal(PARSE(&c, err, "--confirmations", "10001"), PLASMA_ERR_CONFIG);
    assert_non_null(strstr(err, "0..10000"));
    assert_int_equal(PARSE(&c, err, "--rpc-timeout-ms", "10"), PLASMA_ERR_CONFIG);
    char *path = write_file("chain-id = 5\n");
    assert_int_equal(PARSE(&c, err, "--config", path), 0);
    assert_true(plasma_operator_config_given(&c, "chain-id"));
    assert_int_equal(c.chain_id, 5);
    unlink(path);
    free(path);
}

static void test_help_lists_every_flag(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    plasma_operator_config c;
    char err[64];
    char *argv[] = {"op", "--help"};
    assert_int_equal(plasma_operator_config_parse(&c, 2, argv, out, err, sizeof err), 1);
    fclose(out);
    const char *flags[] = {"--dev",
                           "--port",
                           "--port-file",
                           "--port-file",
                           "--data-dir",
                           "--rootchain",
                           "--rpc",
                           "--operator-key-file",
                           "--min-fee",
                           "--fee-rules",
                           "--finality-margin",
                           "--seal-interval-ms",
                           "--block-capacity",
                           "--max-body-kb",
                           "--admin-token",
                           "--utxo-cache-mb",
                           "--sig-verify-cached",
                           "--config",
                           "--contract",
                           "--deploy-block",
                           "--confirmations",
                           "--operator-keystore",
                           "--password-file",
                           "--rpc-timeout-ms",
                           "(0..65535)"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (!strstr(buf, flags[i]))
            fail_msg("--help does not mention %s", flags[i]);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_dev),      cmocka_unit_test(test_bond_defaults),
        cmocka_unit_test(test_flag_forms_and_bounds), cmocka_unit_test(test_config_file),
        cmocka_unit_test(test_eth_settings_and_given),
        cmocka_unit_test(test_help_lists_every_flag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
