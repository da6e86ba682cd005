/* plasma-sim's scenario files: every shipped scenario loads, and malformed
 * or out-of-range fields get a clear error naming the field and its line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonloc.h"
#include "sim.h"
#include "testutil.h"

#define MINIMAL_USERS "\"users\": {\"count\": 10, \"amount\": \"1 ether\"}"
#define MINIMAL_OPERATOR "\"operator\": {\"behaviour\": \"honest\"}"

typedef struct bad_case {
    const char *text;
    const char *want[3]; /* fragments the message must contain */
} bad_case;

static const bad_case bad_cases[] = {
    {"{\n\"format\": \"plasma-sim/1\",\n\"seed\": 1,,\n}", {"bad.json:3:", "invalid JSON"}},
    {"[1, 2]", {"bad.json:1:", "expected a JSON object"}},
    {"{\"seed\": 1}", {"missing required field \"format\"", "plasma-sim/1"}},
    {"{\"format\": \"plasma-sim/2\", \"seed\": 1}", {"format: unsupported format", "plasma-sim/1"}},
    {"{\"format\": \"plasma-sim/1\",\n \"seed\": 1,\n \"colour\": \"blue\",\n" MINIMAL_USERS
     ", " MINIMAL_OPERATOR "}",
     {"bad.json:3: colour: unknown field"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"seed\": 2, " MINIMAL_USERS ", " MINIMAL_OPERATOR "}",
     {"invalid JSON", "duplicate"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": -1, " MINIMAL_USERS ", " MINIMAL_OPERATOR "}",
     {"seed: expected a whole number"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_OPERATOR "}",
     {"missing required field \"users\""}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1,\n\"users\": {\"amount\": \"1 ether\"}, " MINIMAL_OPERATOR
     "}",
     {"bad.json:2: users: missing required field \"users.count\""}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1,\n\"users\": {\n\"count\": 0, \"amount\": \"1 "
     "ether\"}, " MINIMAL_OPERATOR "}",
     {"bad.json:3: users.count: out of range", "between 1 and 20000000"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"users\": {\"count\": \"ten\", \"amount\": \"1 "
     "ether\"}, " MINIMAL_OPERATOR "}",
     {"users.count: expected a whole number"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"users\": {\"count\": 10, \"amount\": \"1 ether\",\n"
     "\"hair\": 1}, " MINIMAL_OPERATOR "}",
     {"bad.json:2: users.hair: unknown field"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1,\n\"rootchain\": {\"block_time\": \"12 "
     "parsecs\"},\n" MINIMAL_USERS ", " MINIMAL_OPERATOR "}",
     {"bad.json:2: rootchain.block_time: expected a duration", "12 parsecs"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"rootchain\": {\"block_time\": \"2h\"}, " MINIMAL_USERS
     ", " MINIMAL_OPERATOR "}",
     {"rootchain.block_time: out of range", "between 1s and 1h"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"rootchain\": {\"exit_bond\": \"0.5 wei\"}, " MINIMAL_USERS
     ", " MINIMAL_OPERATOR "}",
     {"rootchain.exit_bond: expected an amount"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"rootchain\": {\"block_gas_limit\": 1.5}, " MINIMAL_USERS
     ", " MINIMAL_OPERATOR "}",
     {"rootchain.block_gas_limit: expected a whole number"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"users\": {\"count\": 10,\n"
     "\"amount\": {\"dist\": \"gaussian\", \"mean\": 1}}, " MINIMAL_OPERATOR "}",
     {"bad.json:2: users.amount.dist: unknown distribution \"gaussian\""}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"users\": {\"count\": 10,\n"
     "\"amount\": {\"dist\": \"lognormal\", \"median\": \"1 ether\"}}, " MINIMAL_OPERATOR "}",
     {"bad.json:2: users.amount: missing field \"sigma\""}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"users\": {\"count\": 10, \"amount\": {\"dist\": "
     "\"lognormal\","
     " \"median\": \"1 ether\", \"sigma\": 9}}, " MINIMAL_OPERATOR "}",
     {"users.amount.sigma: expected a number between 0 and 4"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"users\": {\"count\": 10, \"amount\": {\"dist\": "
     "\"uniform\","
     " \"min\": \"2 ether\", \"max\": \"1 ether\"}}, " MINIMAL_OPERATOR "}",
     {"users.amount.max: must not be less than min"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"users\": {\"count\": 10, \"amount\": {\"dist\": "
     "\"fixed\","
     " \"value\": \"1 ether\", \"sigma\": 1}}, " MINIMAL_OPERATOR "}",
     {"users.amount.sigma: unknown field for a fixed distribution"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"users\": {\"count\": 10, \"amount\": "
     "true}, " MINIMAL_OPERATOR "}",
     {"users.amount: expected an amount"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"users\": {\"count\": 10, \"amount\": \"1 ether\","
     " \"utxos_per_user\": 5000}, " MINIMAL_OPERATOR "}",
     {"users.utxos_per_user: out of range", "between 1 and 1000"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"users\": {\"count\": 20000000, \"amount\": \"1 ether\","
     " \"utxos_per_user\": 2}, " MINIMAL_OPERATOR "}",
     {"users.utxos_per_user:", "at most 20000000"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"users\": {\"count\": 10, \"amount\": \"1 ether\",\n"
     "\"tokens\": [{\"symbol\": \"ETH\"},\n{\"symbol\": \"ETH\", \"address\": "
     "\"0x1111111111111111111111111111111111111111\"}]}, " MINIMAL_OPERATOR "}",
     {"bad.json:3: users.tokens[1]: symbol \"ETH\" is used twice"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"users\": {\"count\": 10, \"amount\": \"1 ether\","
     " \"tokens\": [{\"symbol\": \"ETH\"}, {\"symbol\": \"X\", \"address\": \"0x12\"}]}, " MINIMAL_OPERATOR
     "}",
     {"users.tokens[1].address: expected an address"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"users\": {\"count\": 10, \"amount\": \"1 ether\","
     " \"tokens\": []}, " MINIMAL_OPERATOR "}",
     {"users.tokens: expected a list of 1 to 8 tokens"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS
     ", \"operator\": {\"behaviour\": \"evil\"}}",
     {"operator.behaviour: must be one of honest, withhold, theft, disappear"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS
     ",\n\"operator\": {\"behaviour\": \"honest\",\n"
     "\"steal_fraction\": 0.5}}",
     {"bad.json:3: operator.steal_fraction: only applies when behaviour is withhold or theft"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS ", \"operator\": {\"behaviour\": \"theft\","
     " \"steal_fraction\": 1.5}}",
     {"operator.steal_fraction: out of range", "between 0 and 1"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS ", \"operator\": {\"behaviour\": \"theft\","
     " \"victims_per_tx\": 5}}",
     {"operator.victims_per_tx: out of range", "between 1 and 4"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS ", " MINIMAL_OPERATOR ","
     " \"strategy\": {\"exit_gas_limit\": 40000000}}",
     {"strategy.exit_gas_limit: exceeds rootchain.block_gas_limit"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS ", " MINIMAL_OPERATOR ","
     " \"strategy\": {\"bump\": {\"percent\": 10}}}",
     {"strategy.bump.every: must be set when strategy.bump.percent is"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS ", " MINIMAL_OPERATOR ","
     " \"strategy\": {\"order\": \"newest_first\"}}",
     {"strategy.order: must be one of all_at_once, oldest_first"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS ", " MINIMAL_OPERATOR ","
     " \"strategy\": {\"gas_price\": \"0 gwei\"}}",
     {"strategy.gas_price: out of range", "between 1 wei and 1000000 gwei"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS ", " MINIMAL_OPERATOR ","
     " \"strategy\": {\"watch_fraction\": \"most\"}}",
     {"strategy.watch_fraction: expected a number"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS ", " MINIMAL_OPERATOR ","
     " \"processing\": {\"max_exits\": 0}}",
     {"processing.max_exits: out of range"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS ", " MINIMAL_OPERATOR ",\n"
     " \"inflight\": {\"fraction\": 0.2}}",
     {"bad.json:2: inflight: only applies when behaviour is withhold"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS ", \"operator\": {\"behaviour\": \"theft\","
     " \"ife_attacks\": {\"competitor\": 1}}}",
     {"operator.ife_attacks: only applies when behaviour is withhold"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS
     ", \"operator\": {\"behaviour\": \"withhold\","
     " \"ife_attacks\": {\"bribe\": 1}}}",
     {"operator.ife_attacks.bribe: unknown field"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS
     ", \"operator\": {\"behaviour\": \"withhold\","
     " \"ife_attacks\": {\"start_early\": 2}}}",
     {"operator.ife_attacks.start_early: out of range", "between 0 and 1"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, \"rootchain\": {\"exit_period\": \"2h\"}, " MINIMAL_USERS
     ","
     " \"operator\": {\"behaviour\": \"withhold\"}, \"inflight\": {\"margin\": \"1h\"}}",
     {"inflight.margin: must be less than the first phase"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS
     ", \"operator\": {\"behaviour\": \"withhold\","
     " \"ife_challenge_delay\": \"4d\"}}",
     {"operator.ife_challenge_delay: must be less than the first phase"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS
     ", \"operator\": {\"behaviour\": \"withhold\"},"
     " \"inflight\": {\"in_block\": -0.1}}",
     {"inflight.in_block: out of range"}},
    {"{\"format\": \"plasma-sim/1\", \"seed\": 1, " MINIMAL_USERS ", " MINIMAL_OPERATOR ","
     " \"limits\": []}",
     {"limits: expected an object"}},
};

static void test_bad_scenarios(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        char err[SIM_ERR_MAX] = "";
        sim_scenario *sc = NULL;
        int rc = sim_scenario_parse(&sc, c->text, strlen(c->text), "bad.json", err, sizeof err);
        if (rc != SIM_EBADSCENARIO)
            fail_msg("case %zu: accepted (rc %d)", i, rc);
        assert_null(sc);
        for (int k = 0; k < 3 && c->want[k]; k++)
            if (!strstr(err, c->want[k]))
                fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, c->want[k]);
    }
}

static void test_minimal_scenario_defaults(void **state)
{
    (void)state;
    const char *text = "{\"format\": \"plasma-sim/1\", \"seed\": \"18446744073709551615\", " MINIMAL_USERS
                       ", " MINIMAL_OPERATOR "}";
    char err[SIM_ERR_MAX];
    sim_scenario *sc = NULL;
    assert_int_equal(sim_scenario_parse(&sc, text, strlen(text), "min.json", err, sizeof err), 0);
    assert_true(sc->seed == UINT64_MAX);
    assert_int_equal(sc->block_gas_limit, 30000000);
    assert_int_equal(sc->block_time, 12);
    assert_int_equal(sc->exit_period, 7 * 86400);
    assert_true(plasma_u256_cmp(&sc->exit_bond, &(plasma_u256){{23300000000000000ull, 0, 0, 0}}) == 0);
    assert_int_equal(sc->n_tokens, 1);
    assert_true(plasma_addr_is_zero(&sc->tokens[0].addr));
    assert_int_equal(sc->steal_fraction == 0.0, 1);
    assert_int_equal(sc->funding_age, sc->child_interval);
    assert_int_equal(sc->process_max, 100);
    /* in flight: none; the bonds of PROTOCOL §9 */
    assert_true(sc->inflight_fraction == 0.0 && sc->inflight_in_block == 1.0 && sc->trade_fraction == 0.0);
    assert_true(plasma_u256_cmp(&sc->ife_bond, &(plasma_u256){{37000000000000000ull, 0, 0, 0}}) == 0);
    assert_true(plasma_u256_cmp(&sc->piggyback_bond, &(plasma_u256){{28000000000000000ull, 0, 0, 0}}) == 0);
    assert_int_equal(sc->ife_margin, 7 * 86400 / 20);
    assert_int_equal(sc->ife_challenge_delay, 7 * 86400 / 4);
    for (unsigned a = 0; a < SIM_ATK_COUNT; a++)
        assert_true(sc->attacks[a] == 0.0);
    sim_scenario_free(sc);
}

static void test_units(void **state)
{
    (void)state;
    plasma_u256 v;
    double d;
    char dec[PLASMA_U256_DEC_MAX];
    assert_int_equal(sim_parse_amount("0.0233 ether", &v, &d), 0);
    assert_string_equal(plasma_u256_format_dec(dec, &v), "23300000000000000");
    assert_int_equal(sim_parse_amount("20 gwei", &v, &d), 0);
    assert_string_equal(plasma_u256_format_dec(dec, &v), "20000000000");
    assert_int_equal(sim_parse_amount("1.50000 gwei", &v, &d), 0);
    assert_string_equal(plasma_u256_format_dec(dec, &v), "1500000000");
    assert_int_equal(sim_parse_amount("12", &v, &d), 0);
    assert_int_not_equal(sim_parse_amount("1.5", &v, &d), 0);
    assert_int_not_equal(sim_parse_amount("1 finney", &v, &d), 0);
    assert_int_not_equal(sim_parse_amount("ether", &v, &d), 0);
    assert_int_equal(sim_parse_duration("1.5h", &d), 0);
    assert_true(d == 5400);
    assert_int_equal(sim_parse_duration("7d", &d), 0);
    assert_true(d == 604800);
    assert_int_not_equal(sim_parse_duration("7 days", &d), 0);
    char buf[48];
    assert_string_equal(sim_format_duration(buf, sizeof buf, 93784), "1d 2h 3m 4s");
    assert_string_equal(sim_format_duration(buf, sizeof buf, 0), "0s");
}

static void test_shipped_scenarios_load(void **state)
{
    (void)state;
    static const char *const names[] = {
        "honest", "withholding-10k", "withholding-100k",          "withholding-1m",
        "theft",  "congestion",      "withholding-inflight-100k", "inflight-attacks"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[512], err[SIM_ERR_MAX];
        sim_scenario *sc = NULL;
        snprintf(path, sizeof path, "%s/%s.json", PLASMA_SIM_SCENARIOS_DIR, names[i]);
        if (sim_scenario_load(&sc, path, err, sizeof err) != 0)
            fail_msg("%s", err);
        assert_string_equal(sc->name, names[i]);
        sim_scenario_free(sc);
    }
}

/* A NUL byte between tokens, which jansson passes over: once it made the
 * line index loop forever (a fuzzer's reproducer, in the corpus too). */
static void test_nul_byte_refused(void **state)
{
    (void)state;
    static const char text[] =
        "{\"format\": \"plasma-sim/1\",\n\"seed\": 1,\n\"users\": {\"count\": 10,"
        " \"amount\": \"1 ether\", \"tokens\": [{\"symbol\": \"ETH\", \"weight\": 0.5\0}]},\n"
        "\"operator\": {\"behaviour\": \"honest\"}}";
    char err[SIM_ERR_MAX];
    sim_scenario *sc = NULL;
    assert_int_equal(sim_scenario_parse(&sc, text, sizeof text - 1, "nul.json", err, sizeof err),
                     SIM_EBADSCENARIO);
    assert_null(sc);
    assert_string_equal(err, "nul.json:3: invalid JSON: a NUL byte");
    /* The line index finishes on such text, and on other text it was not
     * built for, recording each value at most once. */
    static const char *const odd[] = {"[1, 2\0, 3]", "[\0\0\0]", "{\"a\": [,,]}", "[[[[", "{\"a\":"};
    static const size_t odd_len[] = {11, 5, 11, 4, 5};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        sim_jlocs locs;
        assert_int_equal(sim_jlocs_build(&locs, odd[i], odd_len[i]), 0);
        assert_true(locs.n <= odd_len[i] + 1);
        sim_jlocs_free(&locs);
    }
}

static void test_missing_file(void **state)
{
    (void)state;
    char err[SIM_ERR_MAX];
    sim_scenario *sc = NULL;
    assert_int_equal(sim_scenario_load(&sc, "/nonexistent/x.json", err, sizeof err), SIM_EBADSCENARIO);
    assert_non_null(strstr(err, "/nonexistent/x.json: cannot open"));
}

static void test_rng_is_deterministic(void **state)
{
    (void)state;
    sim_rng a, b, c;
    sim_rng_seed(&a, 42, 1);
    sim_rng_seed(&b, 42, 1);
    sim_rng_seed(&c, 42, 2);
    bool differs = false;
    for (int i = 0; i < 100; i++) {
        uint64_t x = sim_rng_next(&a);
        assert_true(x == sim_rng_next(&b));
        differs = differs || x != sim_rng_next(&c);
        assert_true(sim_rng_below(&a, 7) < 7);
        sim_rng_next(&b);
        double u = sim_rng_unit(&a);
        sim_rng_unit(&b);
        assert_true(u >= 0 && u < 1);
    }
    assert_true(differs);
    sim_dist lognormal = {SIM_DIST_LOGNORMAL, 10, 0.5};
    assert_true(fabs(sim_dist_quantile(&lognormal, 0.5) - 10) < 1e-9);
    assert_true(fabs(sim_dist_quantile(&lognormal, 0.841344746) - 10 * exp(0.5)) < 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_scenarios),
        cmocka_unit_test(test_minimal_scenario_defaults),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_shipped_scenarios_load),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_rng_is_deterministic),
        cmocka_unit_test(test_nul_byte_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
