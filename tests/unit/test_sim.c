/* plasma-sim's engine: invariants of small runs, checked against the
 * chain's own events and balances rather than the simulator's books, and
 * determinism of the output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "testutil.h"

/* Withholding with theft of every output; some users offline, some
 * learning of it after the one-hour exit period. */
static const char *const withhold_json =
    "{\"format\": \"plasma-sim/1\", \"name\": \"t-withhold\", \"seed\": %llu,"
    " \"rootchain\": {\"exit_period\": \"1h\", \"background\": {\"gas_per_block\": 8000000,"
    "   \"gas_price\": {\"dist\": \"lognormal\", \"median\": \"20 gwei\", \"sigma\": 0.5}}},"
    " \"users\": {\"count\": 60, \"utxos_per_user\": {\"dist\": \"uniform\", \"min\": 1, \"max\": 3},"
    "   \"amount\": {\"dist\": \"lognormal\", \"median\": \"1 ether\", \"sigma\": 1}},"
    " \"child_chain\": {\"block_interval\": \"5m\", \"activity_blocks\": 2, \"payments_per_block\": 20},"
    " \"operator\": {\"behaviour\": \"withhold\", \"steal_fraction\": 1.0, \"exit_spent_outputs\": 3},"
    " \"strategy\": {\"watch_fraction\": 0.7, \"offline_fraction\": 0.1,"
    "   \"reaction_delay\": {\"dist\": \"exponential\", \"mean\": \"5m\"},"
    "   \"unwatched_delay\": {\"dist\": \"uniform\", \"min\": \"10m\", \"max\": \"3h\"},"
    "   \"gas_price\": {\"dist\": \"lognormal\", \"median\": \"30 gwei\", \"sigma\": 0.3},"
    "   \"bump\": {\"percent\": 10, \"every\": \"2m\", \"max\": \"200 gwei\"}},"
    " \"processing\": {\"every\": \"12s\", \"max_exits\": 20}}";

/* Theft in a published block; every user watches and exits in time. */
static const char *const theft_json =
    "{\"format\": \"plasma-sim/1\", \"name\": \"t-theft\", \"seed\": 5,"
    " \"rootchain\": {\"exit_period\": \"1h\"},"
    " \"users\": {\"count\": 50, \"utxos_per_user\": 2, \"amount\": \"1 ether\"},"
    " \"child_chain\": {\"activity_blocks\": 1, \"payments_per_block\": 10},"
    " \"operator\": {\"behaviour\": \"theft\", \"steal_fraction\": 0.5, \"exit_spent_outputs\": 4},"
    " \"strategy\": {\"watch_fraction\": 1, \"reaction_delay\": {\"dist\": \"exponential\", \"mean\": "
    "\"2m\"},"
    "   \"challenge_delay\": \"5m\", \"order\": \"oldest_first\"},"
    " \"processing\": {\"every\": \"12s\", \"max_exits\": 7}}";

/* An honest shutdown, in ETH and a token. */
static const char *const honest_json =
    "{\"format\": \"plasma-sim/1\", \"name\": \"t-honest\", \"seed\": 9,"
    " \"rootchain\": {\"exit_period\": \"30m\"},"
    " \"users\": {\"count\": 40, \"utxos_per_user\": {\"dist\": \"uniform\", \"min\": 1, \"max\": 4},"
    "   \"amount\": {\"dist\": \"exponential\", \"mean\": \"0.5 ether\"},"
    "   \"tokens\": [{\"symbol\": \"ETH\"}, {\"symbol\": \"TOK\","
    "     \"address\": \"0x2222222222222222222222222222222222222222\", \"eth_value\": 0.001}]},"
    " \"operator\": {\"behaviour\": \"honest\"},"
    " \"strategy\": {\"watch_fraction\": 0.5, \"unwatched_delay\": {\"dist\": \"uniform\", \"min\": \"1m\","
    "   \"max\": \"2h\"}}}";

/* The operator disappears; background outbids every first bid, so blocks
 * pass without our calls until the bids have risen. */
static const char *const starved_json =
    "{\"format\": \"plasma-sim/1\", \"name\": \"t-starved\", \"seed\": 21,"
    " \"rootchain\": {\"exit_period\": \"1h\", \"background\": {\"gas_per_block\": 60000000,"
    "   \"gas_price\": \"100 gwei\"}},"
    " \"users\": {\"count\": 30, \"amount\": \"1 ether\"},"
    " \"operator\": {\"behaviour\": \"disappear\"},"
    " \"strategy\": {\"reaction_delay\": \"1m\", \"gas_price\": \"10 gwei\","
    "   \"bump\": {\"percent\": 50, \"every\": \"1m\", \"max\": \"150 gwei\"}},"
    " \"processing\": {\"gas_price\": \"200 gwei\"}}";

/* The operator exits outputs it spent long ago, and nobody watches: every
 * user exits in time, yet those old exits come first and take their funds. */
static const char *const unwatched_json =
    "{\"format\": \"plasma-sim/1\", \"name\": \"t-unwatched\", \"seed\": 4,"
    " \"rootchain\": {\"exit_period\": \"1h\"},"
    " \"users\": {\"count\": 40, \"amount\": \"1 ether\"},"
    " \"operator\": {\"behaviour\": \"withhold\", \"steal_fraction\": 0, \"exit_spent_outputs\": 5},"
    " \"strategy\": {\"watch_fraction\": 0,"
    "   \"unwatched_delay\": {\"dist\": \"uniform\", \"min\": \"1m\", \"max\": \"10m\"}}}";

/* Blocks of 3M gas, and in each a few background transfers (of about 93)
 * outbid the processor: a processExits that needs a whole block waits
 * hours for one where none does. */
static const char *const small_blocks_json =
    "{\"format\": \"plasma-sim/1\", \"name\": \"t-small-blocks\", \"seed\": 8,"
    " \"rootchain\": {\"exit_period\": \"30m\", \"block_gas_limit\": 3000000,"
    "   \"background\": {\"gas_per_block\": 2000000,"
    "     \"gas_price\": {\"dist\": \"lognormal\", \"median\": \"20 gwei\", \"sigma\": 0.5}}},"
    " \"users\": {\"count\": 40, \"amount\": \"1 ether\"},"
    " \"operator\": {\"behaviour\": \"honest\"},"
    " \"strategy\": {\"reaction_delay\": \"1m\", \"gas_price\": \"150 gwei\"},"
    " \"processing\": {\"gas_price\": \"40 gwei\"}}";

static sim *run_text(const char *text)
{
    char err[SIM_ERR_MAX];
    sim_scenario *sc = NULL;
    sim *s = NULL;
    int rc = sim_scenario_parse(&sc, text, strlen(text), "test.json", err, sizeof err);
    if (rc != 0)
        fail_msg("scenario: %s", err);
    assert_int_equal(sim_new(&s, sc), 0);
    sim_keep_history(s);
    sim_scenario_free(sc);
    rc = sim_run(s, NULL, NULL, err, sizeof err);
    if (rc != 0)
        fail_msg("run: %s", err);
    return s;
}

static sim *run_seeded(const char *fmt, unsigned long long seed)
{
    char text[4096];
    snprintf(text, sizeof text, fmt, seed);
    return run_text(text);
}

/* ---- the chain's own account of the incident ---- */

typedef struct ledger {
    const plasma_chain *chain;
    plasma_addr tokens[SIM_MAX_TOKENS];
    unsigned n_tokens;
    plasma_u256 in[SIM_MAX_TOKENS];  /* deposits, and bonds for ETH */
    plasma_u256 out[SIM_MAX_TOKENS]; /* payouts */
    plasma_u256 bond;
    uint64_t last_at[SIM_MAX_TOKENS], last_id[SIM_MAX_TOKENS];
    bool order_ok;
    uint64_t finalized;
} ledger;

static unsigned token_index(ledger *l, const plasma_addr *token)
{
    for (unsigned i = 0; i < l->n_tokens; i++)
        if (plasma_addr_eq(&l->tokens[i], token))
            return i;
    assert_true(l->n_tokens < SIM_MAX_TOKENS);
    l->tokens[l->n_tokens] = *token;
    return l->n_tokens++;
}

static void add(plasma_u256 *sum, const plasma_u256 *v)
{
    assert_int_equal(plasma_u256_add(sum, sum, v), 0);
}

static void on_finalized(ledger *l, uint64_t id)
{
    plasma_exit_info e;
    plasma_addr eth = {{0}};
    assert_int_equal(plasma_chain_exit(&e, l->chain, id), 0);
    assert_int_equal(e.state, PLASMA_EXIT_FINALIZED);
    unsigned t = token_index(l, &e.token);
    add(&l->out[t], &e.amount);
    add(&l->out[token_index(l, &eth)], &l->bond);
    if (e.exitable_at < l->last_at[t] || (e.exitable_at == l->last_at[t] && id < l->last_id[t]))
        l->order_ok = false;
    l->last_at[t] = e.exitable_at;
    l->last_id[t] = id;
    l->finalized++;
}

static int ledger_cb(const plasma_event *ev, void *payload)
{
    ledger *l = payload;
    plasma_addr eth = {{0}};
    switch (ev->kind) {
    case PLASMA_EVENT_DEPOSIT_CREATED:
        add(&l->in[token_index(l, &ev->deposit_created.token)], &ev->deposit_created.amount);
        break;
    case PLASMA_EVENT_EXIT_STARTED:
        add(&l->in[token_index(l, &eth)], &l->bond);
        break;
    case PLASMA_EVENT_EXIT_CHALLENGED:
        add(&l->out[token_index(l, &eth)], &l->bond);
        break;
    case PLASMA_EVENT_EXIT_FINALIZED:
        on_finalized(l, ev->exit_finalized.exit_id);
        break;
    case PLASMA_EVENT_PAYMENT_DEFERRED:
        /* counted out with its exit, but it stays in the contract */
        add(&l->in[token_index(l, &ev->payment.token)], &ev->payment.amount);
        break;
    default:
        break;
    }
    return 0;
}

static void read_ledger(const sim *s, ledger *l)
{
    memset(l, 0, sizeof *l);
    l->chain = sim_get_chain(s);
    l->bond = plasma_chain_get_config(l->chain)->exit_bond;
    l->order_ok = true;
    plasma_addr eth = {{0}};
    token_index(l, &eth);
    assert_int_equal(plasma_chain_events_since(l->chain, 0, ledger_cb, l), 0);
}

/* The contract holds deposits + bonds held - payouts, token by token. */
static void assert_conservation(const sim *s)
{
    ledger l;
    read_ledger(s, &l);
    const plasma_addr *contract = &plasma_chain_get_config(l.chain)->contract;
    for (unsigned t = 0; t < l.n_tokens; t++) {
        plasma_u256 want, have;
        assert_int_equal(plasma_u256_sub(&want, &l.in[t], &l.out[t]), 0);
        plasma_chain_balance(&have, l.chain, contract, &l.tokens[t]);
        assert_int_equal(plasma_u256_cmp(&have, &want), 0);
    }
    assert_true(sim_get_result(s)->conservation_ok);
}

/* Finalized exits left each token's queue in (exitable_at, utxo_pos)
 * order. */
static void assert_priority_order(const sim *s)
{
    ledger l;
    read_ledger(s, &l);
    assert_true(l.order_ok);
    assert_int_equal(l.finalized, sim_get_result(s)->exits_finalized);
    assert_true(sim_get_result(s)->priority_order_ok);
}

typedef struct in_time {
    const sim *s;
    uint64_t deadline;
    uint64_t checked, late;
} in_time;

static int in_time_cb(const plasma_event *ev, void *payload)
{
    in_time *it = payload;
    if (ev->kind != PLASMA_EVENT_EXIT_STARTED || plasma_addr_eq(&ev->exit_started.owner, sim_operator(it->s)))
        return 0;
    plasma_chain_block b;
    plasma_exit_info e;
    const plasma_chain *chain = sim_get_chain(it->s);
    assert_int_equal(plasma_chain_block_header(&b, chain, ev->block_number), 0);
    if (b.timestamp > it->deadline) {
        it->late++;
        return 0;
    }
    assert_int_equal(plasma_chain_exit(&e, chain, ev->exit_started.exit_id), 0);
    assert_int_equal(e.state, PLASMA_EXIT_FINALIZED);
    it->checked++;
    return 0;
}

/* Returns how many honest exits started in time (all of them paid). */
static uint64_t assert_in_time_paid(const sim *s, uint64_t *late)
{
    in_time it = {.s = s};
    it.deadline = sim_incident_time(s) + sim_get_scenario(s)->exit_period;
    assert_int_equal(plasma_chain_events_since(sim_get_chain(s), 0, in_time_cb, &it), 0);
    assert_int_equal(it.checked, sim_get_result(s)->honest_in_time);
    assert_int_equal(it.checked, sim_get_result(s)->honest_in_time_paid);
    if (late)
        *late = it.late;
    return it.checked;
}

/* ---- tests ---- */

static void test_withhold_invariants(void **state)
{
    (void)state;
    sim *s = run_seeded(withhold_json, 3);
    const sim_result *r = sim_get_result(s);
    uint64_t late;
    assert_conservation(s);
    assert_priority_order(s);
    assert_true(assert_in_time_paid(s, &late) > 0);
    /* The scenario is built so that some lose: offline and late users. */
    assert_true(late > 0);
    assert_int_equal(late, r->honest_late);
    assert_true(r->honest_unexited > 0);
    assert_false(plasma_u256_is_zero(&r->honest_lost));
    assert_false(plasma_u256_is_zero(&r->stolen));
    assert_true(r->honest_recovered_pct < 100.0);
    /* Late exits come after theft exits that emptied the contract: they
     * are finalized, and paid only while what is left covers them; the
     * others' payments are deferred, and the queue never stops. */
    assert_false(r->queue_stuck);
    assert_true(r->exits_unpaid > 0 && r->exits_unpaid <= late);
    assert_true(r->exits_deferred >= r->exits_unpaid); /* theirs, and the thefts' */
    /* Exits of outputs spent in published blocks were all challenged. */
    assert_int_equal(r->exits_challenged, 3);
    sim_free(s);
}

typedef struct thief {
    const sim *s;
    plasma_u256 paid, posted, deferred;
} thief;

static int thief_cb(const plasma_event *ev, void *payload)
{
    thief *t = payload;
    const plasma_chain *chain = sim_get_chain(t->s);
    const plasma_u256 *bond = &plasma_chain_get_config(chain)->exit_bond;
    plasma_exit_info e;
    if (ev->kind == PLASMA_EVENT_EXIT_STARTED && plasma_addr_eq(&ev->exit_started.owner, sim_operator(t->s)))
        add(&t->posted, bond);
    if (ev->kind == PLASMA_EVENT_PAYMENT_DEFERRED && plasma_addr_eq(&ev->payment.owner, sim_operator(t->s)))
        add(&t->deferred, &ev->payment.amount);
    if (ev->kind != PLASMA_EVENT_EXIT_FINALIZED)
        return 0;
    assert_int_equal(plasma_chain_exit(&e, chain, ev->exit_finalized.exit_id), 0);
    if (plasma_addr_eq(&e.owner, sim_operator(t->s))) {
        add(&t->paid, &e.amount);
        add(&t->paid, bond);
    }
    return 0;
}

static void test_theft_not_paid_when_users_exit_in_time(void **state)
{
    (void)state;
    sim *s = run_text(theft_json);
    const sim_result *r = sim_get_result(s);
    assert_conservation(s);
    assert_priority_order(s);
    assert_int_equal(assert_in_time_paid(s, NULL), r->utxos_at_incident);
    assert_int_equal(r->honest_finalized, r->utxos_at_incident);
    assert_int_equal(plasma_u256_cmp(&r->honest_recovered, &r->honest_total), 0);
    assert_true(plasma_u256_is_zero(&r->honest_lost));
    assert_true(plasma_u256_is_zero(&r->stolen));
    assert_int_equal(r->exits_challenged, 4);
    /* Whatever the operator's exits were paid came out of its own bonds. */
    thief t = {.s = s};
    assert_int_equal(plasma_chain_events_since(sim_get_chain(s), 0, thief_cb, &t), 0);
    assert_int_equal(plasma_u256_sub(&t.paid, &t.paid, &t.deferred), 0);
    assert_true(plasma_u256_cmp(&t.paid, &t.posted) <= 0);
    sim_free(s);
}

static void test_honest_shutdown_pays_everyone(void **state)
{
    (void)state;
    sim *s = run_text(honest_json);
    const sim_result *r = sim_get_result(s);
    assert_conservation(s);
    assert_priority_order(s);
    assert_int_equal(r->operator_started, 0);
    assert_int_equal(r->honest_finalized, r->utxos_at_incident);
    assert_true(r->honest_recovered_pct == 100.0);
    assert_true(plasma_u256_is_zero(&r->honest_lost));
    assert_false(plasma_u256_is_zero(&r->tokens[1].recovered));
    assert_false(r->queue_stuck);
    sim_free(s);
}

static void test_outbid_blocks_pass_until_bids_rise(void **state)
{
    (void)state;
    sim *s = run_text(starved_json);
    const sim_result *r = sim_get_result(s);
    size_t n, passed = 0;
    const sim_row *rows = sim_get_rows(s, &n);
    for (size_t i = 0; i < n; i++)
        passed += rows[i].chain_block == 0;
    /* Bids reach 100 gwei after six bumps: the first blocks pass. */
    assert_true(passed >= 5);
    assert_true(r->last_start_seconds >= 5 * 60);
    assert_int_equal(r->honest_finalized, r->utxos_at_incident);
    assert_true(plasma_u256_is_zero(&r->honest_lost));
    assert_int_equal(plasma_u256_cmp(&r->honest_safe, &(plasma_u256){{0}}), 0);
    assert_conservation(s);
    assert_priority_order(s);
    sim_free(s);
}

static void test_processing_leaves_room_for_outbidders(void **state)
{
    (void)state;
    sim *s = run_text(small_blocks_json);
    const sim_result *r = sim_get_result(s);
    assert_false(r->queue_stuck);
    assert_int_equal(r->honest_finalized, r->utxos_at_incident);
    assert_int_equal(r->exits_deferred, 0);
    /* the exits mature an hour in; a whole-block call took 13 hours more */
    assert_true(r->drain_seconds < 2 * 3600);
    assert_conservation(s);
    assert_priority_order(s);
    sim_free(s);
}

static void test_unchallenged_spent_exits_take_funds(void **state)
{
    (void)state;
    sim *s = run_text(unwatched_json);
    const sim_result *r = sim_get_result(s);
    assert_conservation(s);
    assert_priority_order(s);
    assert_int_equal(r->honest_late, 0);
    assert_int_equal(r->honest_in_time, r->utxos_at_incident);
    assert_int_equal(r->exits_challenged, 0);
    assert_int_equal(r->operator_finalized, 5);
    assert_true(r->honest_in_time_paid < r->honest_in_time);
    assert_false(plasma_u256_is_zero(&r->stolen));
    /* The honest exits behind the theft are finalized with their payments
     * deferred: the queue is not stuck. */
    assert_false(r->queue_stuck);
    assert_int_equal(r->exits_deferred, r->honest_in_time - r->honest_in_time_paid);
    sim_free(s);
}

static char *result_text(const sim *s)
{
    json_t *j = sim_result_json(sim_get_scenario(s), sim_get_result(s), false);
    assert_non_null(j);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
    json_decref(j);
    assert_non_null(text);
    return text;
}

static void test_same_seed_same_output(void **state)
{
    (void)state;
    sim *a = run_seeded(withhold_json, 11), *b = run_seeded(withhold_json, 11),
        *c = run_seeded(withhold_json, 12);
    char *ta = result_text(a), *tb = result_text(b), *tc = result_text(c);
    assert_string_equal(ta, tb);
    assert_string_not_equal(ta, tc);
    size_t na, nb;
    const sim_row *ra = sim_get_rows(a, &na), *rb = sim_get_rows(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(ra, rb, na * sizeof *ra);
    free(ta);
    free(tb);
    free(tc);
    sim_free(a);
    sim_free(b);
    sim_free(c);
}

static void test_outputs_are_written(void **state)
{
    (void)state;
    sim *s = run_seeded(withhold_json, 3);
    size_t n;
    const sim_row *rows = sim_get_rows(s, &n);
    char *csv = NULL, *svg = NULL;
    size_t csv_len = 0, svg_len = 0;
    FILE *f = open_memstream(&csv, &csv_len);
    assert_int_equal(sim_write_timeline(f, rows, n), 0);
    fclose(f);
    f = open_memstream(&svg, &svg_len);
    assert_int_equal(sim_write_chart(f, sim_get_scenario(s), sim_get_result(s), rows, n), 0);
    fclose(f);
    size_t lines = 0;
    for (size_t i = 0; i < csv_len; i++)
        lines += csv[i] == '\n';
    assert_int_equal(lines, n + 1);
    assert_non_null(strstr(csv, "height,chain_block,t_seconds,exits_started"));
    assert_non_null(strstr(svg, "<svg"));
    assert_non_null(strstr(svg, "exit deadline"));
    assert_non_null(strstr(svg, "</svg>"));
    free(csv);
    free(svg);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_withhold_invariants),
        cmocka_unit_test(test_theft_not_paid_when_users_exit_in_time),
        cmocka_unit_test(test_honest_shutdown_pays_everyone),
        cmocka_unit_test(test_outbid_blocks_pass_until_bids_rise),
        cmocka_unit_test(test_processing_leaves_room_for_outbidders),
        cmocka_unit_test(test_unchallenged_spent_exits_take_funds),
        cmocka_unit_test(test_same_seed_same_output),
        cmocka_unit_test(test_outputs_are_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
