/* The result as JSON, as a human summary, and the timeline as CSV. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "sim.h"

#define WEI_PER_ETH 1e18

static double eth(const plasma_u256 *wei)
{
    return sim_u256_to_double(wei) / WEI_PER_ETH;
}

/* Rounded so that the printed form is short and stable. */
static double r4(double v)
{
    return round(v * 10000.0) / 10000.0;
}

static int set(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new(o, key, v);
}

static int set_u64(json_t *o, const char *key, uint64_t v)
{
    return set(o, key, json_integer((json_int_t)v));
}

static int set_wei(json_t *o, const char *key, const plasma_u256 *v)
{
    char dec[PLASMA_U256_DEC_MAX];
    return set(o, key, json_string(plasma_u256_format_dec(dec, v)));
}

static int set_real(json_t *o, const char *key, double v)
{
    return set(o, key, json_real(r4(v)));
}

static int add_setup(json_t *o, const sim_scenario *sc, const sim_result *r)
{
    char seed[24];
    snprintf(seed, sizeof seed, "%" PRIu64, sc->seed);
    int rc = set(o, "scenario", json_string(sc->name));
    rc |= set(o, "format", json_string(SIM_FORMAT));
    rc |= set(o, "seed", sc->seed <= INT64_MAX ? json_integer((json_int_t)sc->seed) : json_string(seed));
    rc |= set(o, "behaviour", json_string(sim_behaviour_name(sc->behaviour)));
    rc |= set_u64(o, "users", r->users);
    rc |= set_u64(o, "utxos_at_incident", r->utxos_at_incident);
    rc |= set_u64(o, "child_blocks", r->child_blocks);
    rc |= set_u64(o, "child_txs", r->child_txs);
    rc |= set_u64(o, "deposits", r->deposits);
    rc |= set_u64(o, "incident_blknum", r->incident_blknum);
    rc |= set_u64(o, "victims", r->victims);
    return rc;
}

static int add_exits(json_t *o, const sim_result *r)
{
    int rc = set_u64(o, "exits_started", r->exits_started);
    rc |= set_u64(o, "honest_exits_started", r->honest_started);
    rc |= set_u64(o, "operator_exits_started", r->operator_started);
    rc |= set_u64(o, "exits_challenged", r->exits_challenged);
    rc |= set_u64(o, "exits_finalized", r->exits_finalized);
    rc |= set_u64(o, "honest_exits_finalized", r->honest_finalized);
    rc |= set_u64(o, "operator_exits_finalized", r->operator_finalized);
    rc |= set_u64(o, "exits_failed", r->exits_failed);
    rc |= set_u64(o, "exits_deferred", r->exits_deferred);
    rc |= set_u64(o, "honest_exits_unpaid", r->exits_unpaid);
    rc |= set_u64(o, "honest_outputs_unexited", r->honest_unexited);
    rc |= set_u64(o, "honest_exits_late", r->honest_late);
    rc |= set_u64(o, "honest_paid_before_theft", r->honest_paid_before_theft);
    rc |= set_u64(o, "honest_exits_in_time", r->honest_in_time);
    rc |= set_u64(o, "honest_exits_in_time_paid", r->honest_in_time_paid);
    rc |= set_u64(o, "honest_exits_late_watchers", r->honest_late_watchers);
    rc |= set_real(o, "first_bid_gwei_in_time", r->bid_in_time_gwei);
    rc |= set_real(o, "first_bid_gwei_late", r->bid_late_gwei);
    return rc;
}

static json_t *token_json(const sim_token *t, const sim_token_result *r)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    int rc = set(o, "symbol", json_string(t->symbol));
    rc |= set_wei(o, "honest_total", &r->honest_total);
    rc |= set_wei(o, "recovered", &r->recovered);
    rc |= set_wei(o, "lost", &r->lost);
    rc |= set_wei(o, "operator_paid", &r->operator_paid);
    rc |= set_wei(o, "stolen", &r->stolen);
    rc |= set_wei(o, "ife_recovered", &r->ife_recovered);
    rc |= set_wei(o, "contract_received", &r->received);
    rc |= set_wei(o, "contract_paid", &r->paid);
    rc |= set_wei(o, "contract_held", &r->held);
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int add_funds(json_t *o, const sim_scenario *sc, const sim_result *r)
{
    int rc = set_wei(o, "honest_total", &r->honest_total);
    rc |= set_wei(o, "honest_recovered", &r->honest_recovered);
    rc |= set_real(o, "honest_recovered_pct", r->honest_recovered_pct);
    rc |= set_wei(o, "honest_lost", &r->honest_lost);
    rc |= set_wei(o, "honest_safe", &r->honest_safe);
    rc |= set_wei(o, "stolen", &r->stolen);
    rc |= set_real(o, "honest_lost_eth", eth(&r->honest_lost));
    rc |= set_real(o, "stolen_eth", eth(&r->stolen));
    rc |= set_wei(o, "honest_fees", &r->honest_fees);
    double per = r->honest_started ? eth(&r->honest_fees) / (double)r->honest_started : 0;
    rc |= set(o, "fee_per_exit_eth", json_real(round(per * 1e8) / 1e8));
    json_t *tokens = json_array();
    rc |= set(o, "tokens", tokens);
    for (unsigned t = 0; rc == 0 && t < sc->n_tokens; t++)
        rc |= json_array_append_new(tokens, token_json(&sc->tokens[t], &r->tokens[t]));
    return rc;
}

static int add_chain(json_t *o, const sim_result *r)
{
    int rc = set_u64(o, "rootchain_blocks", r->rootchain_blocks);
    rc |= set_u64(o, "rootchain_blocks_mined", r->rootchain_blocks_mined);
    rc |= set_u64(o, "gas_used", r->gas_used);
    rc |= set_u64(o, "gas_used_exit_starts", r->gas_starts);
    rc |= set_u64(o, "gas_used_failed_starts", r->gas_failed_starts);
    rc |= set_u64(o, "gas_used_process", r->gas_process);
    rc |= set_u64(o, "gas_used_challenges", r->gas_challenges);
    rc |= set_u64(o, "gas_used_background", r->gas_background);
    rc |= set_u64(o, "gas_background_unexecuted", r->gas_background_unexecuted);
    rc |= set_real(o, "gas_per_exit_start", r->gas_per_exit_start);
    rc |= set_real(o, "gas_per_exit_process", r->gas_per_exit_processed);
    rc |= set_real(o, "exits_per_block_mean", r->exits_per_block_mean);
    rc |= set_u64(o, "exits_per_block_max", r->exits_per_block_max);
    rc |= set_u64(o, "seconds_simulated", r->seconds_simulated);
    rc |= set_u64(o, "drain_seconds", r->drain_seconds);
    rc |= set_u64(o, "last_start_seconds", r->last_start_seconds);
    rc |=
        set(o, "deadline_seconds", r->deadline_seconds < 0 ? json_null() : json_integer(r->deadline_seconds));
    rc |= set(o, "queue_stuck", json_boolean(r->queue_stuck));
    rc |= set(o, "stuck_error", r->queue_stuck ? json_string(plasma_err_code(r->stuck_error)) : json_null());
    rc |= set(o, "stuck_seconds", r->queue_stuck ? json_integer((json_int_t)r->stuck_seconds) : json_null());
    rc |= set(o, "conservation_ok", json_boolean(r->conservation_ok));
    rc |= set(o, "priority_order_ok", json_boolean(r->priority_order_ok));
    return rc;
}

static double per(uint64_t gas, uint64_t n)
{
    return n ? (double)gas / (double)n : 0;
}

static int add_ife_calls(json_t *o, const sim_ife_result *r)
{
    int rc = set_u64(o, "inflight_txs", r->txs);
    rc |= set_u64(o, "inflight_in_block", r->in_block);
    rc |= set_u64(o, "inflight_pending", r->pending);
    rc |= set_u64(o, "inflight_trades", r->trades);
    rc |= set_u64(o, "ifes_started", r->started);
    rc |= set_u64(o, "honest_ifes_started", r->honest_started);
    rc |= set_u64(o, "operator_ifes_started", r->operator_started);
    rc |= set_u64(o, "piggybacks_inputs", r->piggybacks_inputs);
    rc |= set_u64(o, "piggybacks_outputs", r->piggybacks_outputs);
    rc |= set_u64(o, "operator_piggybacks", r->operator_piggybacks);
    rc |= set_u64(o, "ife_challenges", r->challenges);
    rc |= set_u64(o, "operator_ife_challenges", r->operator_challenges);
    rc |= set_u64(o, "ife_responses", r->responses);
    rc |= set_u64(o, "ife_spent_challenges", r->spent_challenges);
    rc |= set_u64(o, "ifes_finalized", r->finalized);
    rc |= set_u64(o, "ifes_outputs_path", r->outputs_path);
    rc |= set_u64(o, "ifes_inputs_path", r->inputs_path);
    rc |= set_u64(o, "ifes_deleted", r->deleted);
    rc |= set_u64(o, "honest_ife_calls_failed", r->honest_failed);
    rc |= set_u64(o, "operator_refused_not_owner", r->refused_not_owner);
    rc |= set_u64(o, "operator_refused_bad_signature", r->refused_bad_signature);
    rc |= set_u64(o, "operator_refused_other", r->refused_other);
    return rc;
}

static int add_ife_funds(json_t *o, const sim_ife_result *r)
{
    int rc = set_u64(o, "inflight_parties", r->parties);
    rc |= set_u64(o, "inflight_parties_reacted", r->parties_reacted);
    rc |= set_u64(o, "inflight_parties_in_time", r->parties_in_time);
    rc |= set_u64(o, "inflight_losers_in_time", r->losers_in_time);
    rc |= set_u64(o, "inflight_losers_late", r->losers_late);
    rc |= set_wei(o, "inflight_total", &r->total);
    rc |= set_wei(o, "inflight_recovered_sender", &r->recovered_sender);
    rc |= set_wei(o, "inflight_recovered_recipient", &r->recovered_recipient);
    rc |= set_wei(o, "inflight_lost", &r->lost);
    rc |= set_wei(o, "inflight_lost_in_time", &r->lost_in_time);
    rc |= set_real(o, "inflight_lost_eth", eth(&r->lost));
    rc |= set_wei(o, "honest_ife_bonds_lost", &r->honest_bonds_lost);
    rc |= set_u64(o, "gas_used_ife_calls", r->gas_calls);
    rc |= set_real(o, "gas_per_ife_start", per(r->gas_start, r->n_start));
    rc |= set_real(o, "gas_per_piggyback", per(r->gas_piggyback, r->n_piggyback));
    rc |= set_real(o, "gas_per_ife_challenge", per(r->gas_challenge, r->n_challenge));
    return rc;
}

static int add_timing(json_t *o, const sim_result *r)
{
    int rc = set_real(o, "wall_seconds", r->wall_seconds);
    rc |= set_real(o, "exits_per_s", r->exits_per_s);
    rc |= set_real(o, "peak_rss_mb", r->peak_rss_mb);
    return rc;
}

json_t *sim_result_json(const sim_scenario *sc, const sim_result *r, bool timing)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    int rc = add_setup(o, sc, r);
    rc |= add_exits(o, r);
    rc |= add_ife_calls(o, &r->ife);
    rc |= add_funds(o, sc, r);
    rc |= add_ife_funds(o, &r->ife);
    rc |= add_chain(o, r);
    if (timing)
        rc |= add_timing(o, r);
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- the human summary ---- */

static void print_incident(FILE *f, const sim_scenario *sc, const sim_result *r)
{
    char d[48];
    sim_format_duration(d, sizeof d, (double)sc->exit_period);
    switch (sc->behaviour) {
    case SIM_OP_WITHHOLD:
        fprintf(f,
                "  incident      the operator withholds block %" PRIu64
                " (its invalid transactions spend %" PRIu64 " honest outputs); exits must start within %s\n",
                r->incident_blknum, r->victims, d);
        break;
    case SIM_OP_THEFT:
        if (r->incident_blknum == 0)
            fprintf(f, "  incident      the operator exits outputs it already spent\n");
        else
            fprintf(f,
                    "  incident      the operator publishes block %" PRIu64
                    " with invalid transactions spending %" PRIu64
                    " honest outputs; exits must start within %s\n",
                    r->incident_blknum, r->victims, d);
        break;
    case SIM_OP_DISAPPEAR:
        fprintf(f, "  incident      the operator disappears; nothing can be stolen\n");
        break;
    case SIM_OP_HONEST:
        fprintf(f, "  incident      the operator announces a shutdown; nothing can be stolen\n");
        break;
    }
}

/* The attacks on in-flight exits the scenario has, with the share of the
 * txs each targets. */
static void print_attacks(FILE *f, const sim_scenario *sc)
{
    bool any = false;
    for (unsigned a = 0; a < SIM_ATK_COUNT; a++) {
        if (sc->attacks[a] <= 0)
            continue;
        fprintf(f, "%s %s %.0f%%", any ? "," : "  attacks      ", sim_attack_name((sim_attack)a),
                sc->attacks[a] * 100);
        any = true;
    }
    if (any)
        fprintf(f, " of the txs each can target\n");
}

static void print_funds(FILE *f, const sim_scenario *sc, const sim_result *r)
{
    fprintf(f,
            "  honest funds  %.4f%% recovered (%.4f of %.4f ETH); lost %.4f ETH; safe, not exited %.4f ETH\n",
            r->honest_recovered_pct, eth(&r->honest_recovered), eth(&r->honest_total), eth(&r->honest_lost),
            eth(&r->honest_safe));
    if (sc->behaviour == SIM_OP_WITHHOLD || sc->behaviour == SIM_OP_THEFT)
        fprintf(f,
                "  stolen        %.4f ETH net of the operator's bonds (%" PRIu64
                " operator exits paid); %" PRIu64
                " honest exits were paid before the first theft exit reached the queue head\n",
                eth(&r->stolen), r->operator_finalized, r->honest_paid_before_theft);
    if (r->deadline_seconds >= 0)
        fprintf(f,
                "  in time       %" PRIu64 " of %" PRIu64
                " honest exits started before the deadline were paid\n",
                r->honest_in_time_paid, r->honest_in_time);
    fprintf(f,
            "  late/missing  %" PRIu64 " honest exits started after the deadline, %" PRIu64
            " started but unpaid, %" PRIu64 " outputs never exited\n",
            r->honest_late, r->exits_unpaid, r->honest_unexited);
    if (r->honest_late > 0)
        fprintf(f,
                "  who is late   %" PRIu64 " of the late exits are watchers'; first bids averaged %.1f gwei "
                "for late exits, %.1f gwei for those in time\n",
                r->honest_late_watchers, r->bid_late_gwei, r->bid_in_time_gwei);
}

static void print_inflight(FILE *f, const sim_result *r)
{
    const sim_ife_result *x = &r->ife;
    if (x->txs == 0)
        return;
    fprintf(f,
            "  in flight     %" PRIu64 " txs (%" PRIu64 " in block B, %" PRIu64 " pending; %" PRIu64
            " trades with the operator); %" PRIu64 " honest parties, %" PRIu64 " reacted, %" PRIu64
            " within the first phase\n",
            x->txs, x->in_block, x->pending, x->trades, x->parties, x->parties_reacted, x->parties_in_time);
    fprintf(f,
            "  IFEs          %" PRIu64 " started (%" PRIu64 " honest, %" PRIu64
            " operator); piggybacks %" PRIu64 " on inputs, %" PRIu64 " on outputs (%" PRIu64
            " the operator's); %" PRIu64 " non-canonical challenges (%" PRIu64 " the operator's), %" PRIu64
            " responses, %" PRIu64 " spent piggybacks blocked\n",
            x->started, x->honest_started, x->operator_started, x->piggybacks_inputs, x->piggybacks_outputs,
            x->operator_piggybacks, x->challenges, x->operator_challenges, x->responses, x->spent_challenges);
    fprintf(f,
            "  IFE outcome   %" PRIu64 " finalized (%" PRIu64 " through outputs, %" PRIu64
            " through inputs), %" PRIu64 " deleted; in-flight funds %.4f of %.4f ETH recovered (senders "
            "%.4f, recipients %.4f), lost %.4f ETH (%.4f by parties who reacted in time)\n",
            x->finalized, x->outputs_path, x->inputs_path, x->deleted,
            eth(&x->recovered_sender) + eth(&x->recovered_recipient), eth(&x->total),
            eth(&x->recovered_sender), eth(&x->recovered_recipient), eth(&x->lost), eth(&x->lost_in_time));
    fprintf(f,
            "  refused       the operator's IFE calls: %" PRIu64 " not_owner, %" PRIu64
            " bad_signature, %" PRIu64 " other; honest IFE calls refused %" PRIu64
            "; honest IFE bonds lost %.4f ETH\n",
            x->refused_not_owner, x->refused_bad_signature, x->refused_other, x->honest_failed,
            eth(&x->honest_bonds_lost));
    fprintf(f,
            "  IFE gas       %" PRIu64 " in all; %.0f per start, %.0f per piggyback, %.0f per non-canonical "
            "challenge\n",
            x->gas_calls, per(x->gas_start, x->n_start), per(x->gas_piggyback, x->n_piggyback),
            per(x->gas_challenge, x->n_challenge));
}

static void print_gas(FILE *f, const sim_scenario *sc, const sim_result *r)
{
    double per_block = r->gas_per_exit_start > 0 ? (double)sc->block_gas_limit / r->gas_per_exit_start : 0;
    fprintf(f,
            "  root chain    %" PRIu64 " blocks (%" PRIu64 " executed), %" PRIu64 " gas: starts %" PRIu64
            ", processing %" PRIu64 ", challenges %" PRIu64 ", background %" PRIu64 " (+%" PRIu64
            " counted, not executed)\n",
            r->rootchain_blocks, r->rootchain_blocks_mined, r->gas_used, r->gas_starts, r->gas_process,
            r->gas_challenges, r->gas_background, r->gas_background_unexecuted);
    fprintf(f,
            "  per exit      %.0f gas to start (%.1f starts fit a block), %.0f gas to process; "
            "%.1f starts per block on average, %" PRIu64 " at most\n",
            r->gas_per_exit_start, per_block, r->gas_per_exit_processed, r->exits_per_block_mean,
            r->exits_per_block_max);
    double fee = r->honest_started ? eth(&r->honest_fees) / (double)r->honest_started : 0;
    fprintf(f, "  cost          %.6f ETH of gas per honest exit, %.4f ETH in all\n", fee,
            eth(&r->honest_fees));
}

static void print_time(FILE *f, const sim_result *r)
{
    char last[48], drain[48], total[48], stuck[48];
    sim_format_duration(last, sizeof last, (double)r->last_start_seconds);
    sim_format_duration(drain, sizeof drain, (double)r->drain_seconds);
    sim_format_duration(total, sizeof total, (double)r->seconds_simulated);
    sim_format_duration(stuck, sizeof stuck, (double)r->stuck_seconds);
    if (r->queue_stuck)
        fprintf(f,
                "  time          last exit started %s after the incident, last exit paid %s after it; a "
                "queue head "
                "the contract cannot pay blocked its queue from %s on; %s simulated\n",
                last, drain, stuck, total);
    else
        fprintf(f,
                "  time          last exit started %s after the incident; queue drained %s after it; %s "
                "simulated\n",
                last, drain, total);
}

void sim_print_summary(FILE *f, const sim_scenario *sc, const sim_result *r)
{
    fprintf(f, "plasma-sim: %s (%s, seed %" PRIu64 ")\n", sc->name, sim_behaviour_name(sc->behaviour),
            sc->seed);
    fprintf(f,
            "  child chain   %" PRIu64 " users, %" PRIu64 " outputs at the incident, %" PRIu64
            " child blocks of %" PRIu64 " transactions, %" PRIu64 " deposits\n",
            r->users, r->utxos_at_incident, r->child_blocks, r->child_txs, r->deposits);
    print_incident(f, sc, r);
    print_attacks(f, sc);
    fprintf(f,
            "  exits         %" PRIu64 " started (%" PRIu64 " honest, %" PRIu64 " operator), %" PRIu64
            " challenged, %" PRIu64 " finalized, %" PRIu64 " failed\n",
            r->exits_started, r->honest_started, r->operator_started, r->exits_challenged, r->exits_finalized,
            r->exits_failed);
    print_funds(f, sc, r);
    print_inflight(f, r);
    print_gas(f, sc, r);
    print_time(f, r);
    double in = 0, out = 0, held = 0;
    for (unsigned t = 0; t < sc->n_tokens; t++) {
        in += eth(&r->tokens[t].received) * sc->tokens[t].eth_value;
        out += eth(&r->tokens[t].paid) * sc->tokens[t].eth_value;
        held += eth(&r->tokens[t].held) * sc->tokens[t].eth_value;
    }
    fprintf(
        f,
        "  checks        conservation of funds %s (the contract received %.4f ETH, paid %.4f, holds %.4f), "
        "priority order %s\n",
        r->conservation_ok ? "ok" : "FAILED", in, out, held, r->priority_order_ok ? "ok" : "FAILED");
    fprintf(f, "  machine       %.2f s, %.0f exits started per second, %.0f MB peak RSS\n", r->wall_seconds,
            r->exits_per_s, r->peak_rss_mb);
}

int sim_write_timeline(FILE *f, const sim_row *rows, size_t n)
{
    fprintf(f, "height,chain_block,t_seconds,exits_started,exits_processed,challenges,queue_depth,gas_exits,"
               "gas_background,gas_background_unexecuted,gas_limit\n");
    for (size_t i = 0; i < n; i++) {
        const sim_row *w = &rows[i];
        fprintf(f,
                "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%u,%u,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                ",%" PRIu64 "\n",
                w->height, w->chain_block, w->t, w->exits_started, w->exits_processed, w->challenges,
                w->queue_depth, w->gas_exits, w->gas_background, w->gas_filler, w->gas_limit);
    }
    return ferror(f) ? PLASMA_ERR_IO : PLASMA_OK;
}
