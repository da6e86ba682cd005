/* plasma-sim: the scripted mass-exit simulator.
 *
 * A scenario file (docs/simulation.md, format "plasma-sim/1") describes the
 * users and their outputs, the child chain's history, the operator's
 * misbehaviour, the root chain and the users' strategy. The engine builds
 * that child chain for real (transactions, Merkle trees, deposits and block
 * roots on an in-process plasma_chain), then plays the incident block by
 * block: users, the operator, watchers and an exit processor submit real
 * calls that the exit-game library executes and meters, while background
 * demand competes for each block's gas.
 *
 * This header is the contract between the simulator's sources, its CLI and
 * its tests. Functions return 0 or a negative code (SIM_E*, or a
 * plasma_err passed upward); `T **out` is owned by the caller. */
#ifndef PLASMA_SIM_H
#define PLASMA_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "plasma/exitgame.h"

#define SIM_FORMAT "plasma-sim/1"
#define SIM_MAX_TOKENS 8
#define SIM_MAX_UTXOS 20000000u /* honest outputs at the incident */
#define SIM_ERR_MAX 512         /* room for one error message */

/* Errors of the simulator itself; plasma_err codes pass through too. */
enum {
    SIM_EBADSCENARIO = -1000, /* the scenario file is wrong: message in err */
    SIM_EINVARIANT = -1001,   /* the chain disagrees with the simulator's books */
};

/* ------------------------------------------------------------------------
 * Random numbers and distributions
 * ------------------------------------------------------------------------ */

/* xoshiro256** seeded through splitmix64. One stream per concern so that a
 * change in one part of a scenario does not shift the draws of another. */
typedef struct sim_rng {
    uint64_t s[4];
} sim_rng;

void sim_rng_seed(sim_rng *rng, uint64_t seed, uint64_t stream);
uint64_t sim_rng_next(sim_rng *rng);
/* Uniform in [0, 1). */
double sim_rng_unit(sim_rng *rng);
/* Uniform in [0, n); n > 0. */
uint64_t sim_rng_below(sim_rng *rng, uint64_t n);
double sim_rng_normal(sim_rng *rng);
uint64_t sim_rng_poisson(sim_rng *rng, double mean);

typedef enum sim_dist_kind {
    SIM_DIST_FIXED,       /* a = value */
    SIM_DIST_UNIFORM,     /* a = min, b = max */
    SIM_DIST_EXPONENTIAL, /* a = mean */
    SIM_DIST_LOGNORMAL,   /* a = median, b = sigma of the underlying normal */
} sim_dist_kind;

/* A distribution of non-negative values in base units (seconds, wei,
 * counts). */
typedef struct sim_dist {
    sim_dist_kind kind;
    double a, b;
} sim_dist;

double sim_dist_sample(const sim_dist *d, sim_rng *rng);
/* The value below which a fraction u of the distribution lies. */
double sim_dist_quantile(const sim_dist *d, double u);
double sim_dist_mean(const sim_dist *d);

/* ------------------------------------------------------------------------
 * Scenario
 * ------------------------------------------------------------------------ */

typedef enum sim_behaviour {
    SIM_OP_HONEST,    /* announces a shutdown: everyone exits, nothing is at risk */
    SIM_OP_WITHHOLD,  /* submits block B's root and withholds its data */
    SIM_OP_THEFT,     /* publishes block B with invalid transactions */
    SIM_OP_DISAPPEAR, /* stops producing blocks */
} sim_behaviour;

typedef enum sim_order {
    SIM_ORDER_ALL_AT_ONCE, /* a user sends every exit at once */
    SIM_ORDER_OLDEST_FIRST /* one exit at a time, oldest output first */
} sim_order;

/* The operator's attacks on in-flight exits (docs/simulation.md, "Attacks on
 * in-flight exits"); each applies to a share of the transactions it can
 * target. */
typedef enum sim_attack {
    SIM_ATK_START_EARLY,       /* starts the IFEs of in-flight txs itself, at once */
    SIM_ATK_COMPETITOR,        /* challenges with a competitor it signs, and exits that */
    SIM_ATK_PIGGYBACK_UNOWNED, /* piggybacks inputs and outputs it does not own */
    SIM_ATK_EXIT_OUTPUTS,      /* standard exit of its output of a trade in block B */
    SIM_ATK_DOUBLE_EXIT,       /* standard exit and piggyback of its input of a trade */
    SIM_ATK_LATE_OUTPUT_EXIT,  /* standard exit of its output after the IFE exited through inputs */
    SIM_ATK_THEFT_IFES,        /* IFEs of the invalid transactions of block B */
    SIM_ATK_COUNT
} sim_attack;

/* The scenario's name of an attack. */
const char *sim_attack_name(sim_attack a);

typedef struct sim_token {
    char symbol[16];
    plasma_addr addr; /* all zero: ETH */
    double weight;    /* share of the users' outputs */
    double eth_value; /* ETH-equivalent wei per base unit, for totals */
    bool has_amount;
    sim_dist amount; /* overrides users.amount when has_amount */
} sim_token;

typedef struct sim_scenario {
    char name[64];
    uint64_t seed;

    /* rootchain */
    uint64_t block_gas_limit;
    uint64_t block_time;  /* seconds */
    uint64_t exit_period; /* MIN_EXIT_PERIOD, seconds */
    plasma_u256 exit_bond;
    plasma_u256 ife_bond, piggyback_bond;
    double bg_gas_per_block; /* mean background demand, gas */
    sim_dist bg_gas_price;   /* wei */

    /* users */
    uint64_t n_users;
    sim_dist utxos_per_user;
    sim_dist amount;
    sim_token tokens[SIM_MAX_TOKENS];
    unsigned n_tokens;
    plasma_u256 user_eth; /* each user's root-chain ETH for gas and bonds */

    /* child_chain */
    uint64_t child_interval; /* seconds between child blocks */
    uint64_t funding_age;    /* seconds from the funding blocks to the activity */
    uint64_t activity_blocks;
    uint64_t payments_per_block;

    /* operator */
    sim_behaviour behaviour;
    double steal_fraction;
    uint64_t victims_per_tx;
    uint64_t exit_spent;           /* exits of its own outputs already spent */
    uint64_t op_exit_delay;        /* seconds after block B */
    uint64_t op_gas_price;         /* wei */
    double attacks[SIM_ATK_COUNT]; /* share of the txs each attack targets */
    uint64_t ife_challenge_delay;  /* seconds from an IFE's start to the operator's challenge */

    /* inflight */
    double inflight_fraction; /* users with a tx in flight at the incident */
    double inflight_in_block; /* of those txs, the share in block B (the rest: pending) */
    double trade_fraction;    /* of those txs, the share that trade with the operator */
    uint64_t ife_margin;      /* seconds before a first phase ends that honest calls aim for */
    uint64_t urgent_gas_price;

    /* strategy */
    double watch_fraction;
    double offline_fraction;
    sim_dist reaction_delay;  /* watchers, seconds */
    sim_dist unwatched_delay; /* users who learn of it later, seconds */
    sim_dist bid;             /* initial gas price, wei */
    double bump_pct;          /* price raise per bump period, percent */
    uint64_t bump_every;      /* seconds; 0: never */
    uint64_t bump_max;        /* wei */
    sim_order order;
    uint64_t exit_gas_limit;
    sim_dist challenge_delay; /* seconds */
    uint64_t challenge_gas_price;

    /* processing */
    uint64_t process_every; /* seconds */
    uint64_t process_max;
    uint64_t process_gas_price;

    /* limits */
    uint64_t max_time; /* seconds after the incident */
} sim_scenario;

/* Parses and validates a scenario. name labels messages (a file name).
 * Out: *out (free with sim_scenario_free). On SIM_EBADSCENARIO, err holds
 * "NAME:LINE: FIELD.PATH: what is wrong" (LINE omitted where unknown).
 * Returns 0, SIM_EBADSCENARIO or PLASMA_ERR_NOMEM. */
int sim_scenario_parse(sim_scenario **out, const char *text, size_t len, const char *name, char *err,
                       size_t errlen);
/* As sim_scenario_parse, reading the file at path (at most 1 MiB). */
int sim_scenario_load(sim_scenario **out, const char *path, char *err, size_t errlen);
void sim_scenario_free(sim_scenario *sc);

const char *sim_behaviour_name(sim_behaviour b);

/* ------------------------------------------------------------------------
 * Units: "12s", "7d", "0.5 ether", "20 gwei"
 * ------------------------------------------------------------------------ */

/* Parses "<decimal>[s|m|h|d|w]". Returns 0 or -1. */
int sim_parse_duration(const char *s, double *seconds);
/* Parses "<decimal> [wei|gwei|ether]" (no unit: base units). Out: *exact
 * (fractions of a base unit are errors) and *approx. Returns 0 or -1. */
int sim_parse_amount(const char *s, plasma_u256 *exact, double *approx);
/* Writes seconds as "3d 4h 5m 6s" (largest units first, zeros omitted). */
char *sim_format_duration(char *out, size_t len, double seconds);
/* Returns a, rounded to the nearest double. */
double sim_u256_to_double(const plasma_u256 *a);

/* ------------------------------------------------------------------------
 * Running
 * ------------------------------------------------------------------------ */

/* One row of the timeline: one root-chain block of the incident that
 * calls of ours competed for. */
typedef struct sim_row {
    uint64_t height;      /* blocks since the incident */
    uint64_t chain_block; /* the chain's number for it; 0: not executed (full of background) */
    uint64_t t;           /* seconds since the incident */
    uint32_t exits_started;
    uint32_t exits_processed; /* finalized in this block */
    uint32_t challenges;
    uint64_t queue_depth;    /* all tokens, after the block */
    uint64_t gas_exits;      /* startExit + challenge + processExits, metered */
    uint64_t gas_background; /* background transfers, metered */
    uint64_t gas_filler;     /* cheaper background not executed (estimate) */
    uint64_t gas_limit;
} sim_row;

/* Per token totals, in the token's base units. */
typedef struct sim_token_result {
    plasma_u256 honest_total;
    plasma_u256 recovered;
    plasma_u256 lost;
    plasma_u256 operator_paid; /* amounts paid to the operator's invalid exits */
    /* What the operator gained: operator_paid, and for ETH net of the bonds
     * it posted and did not get back (the contract keeps bonds and funds in
     * one balance, so a theft exit may be paid from the thief's own bonds). */
    plasma_u256 stolen;
    plasma_u256 ife_recovered; /* paid to honest users by in-flight exits */
    /* The contract: what it received (deposits, and bonds for ETH), what it
     * paid out, and what it holds at the end (claims of deferred payments
     * included). */
    plasma_u256 received, paid, held;
} sim_token_result;

/* In-flight transactions and their exits. */
typedef struct sim_ife_result {
    uint64_t txs, in_block, pending, trades;            /* the in-flight txs at the incident */
    uint64_t started, honest_started, operator_started; /* InFlightExitStarted */
    uint64_t piggybacks_inputs, piggybacks_outputs, operator_piggybacks;
    uint64_t challenges, operator_challenges, responses; /* non-canonical challenges, responses */
    uint64_t spent_challenges;                           /* piggybacks blocked as spent */
    uint64_t deleted, finalized, outputs_path, inputs_path;
    uint64_t honest_failed; /* honest IFE calls the chain refused */
    /* The operator's IFE calls and exits of trades the chain refused. */
    uint64_t refused_not_owner, refused_bad_signature, refused_other;
    uint64_t parties, parties_in_time; /* honest parties of in-flight txs; reacted in time */
    uint64_t parties_reacted, losers_in_time, losers_late;
    /* ETH-equivalent wei: what honest parties were owed on the path their
     * tx exited by, what the senders and the recipients got, what was
     * lost, and (must be 0) lost by parties who reacted in time. */
    plasma_u256 total, recovered_sender, recovered_recipient, lost, lost_in_time;
    plasma_u256 honest_bonds_lost; /* IFE bonds of honest starters that went to another bond owner */
    uint64_t gas_calls;            /* IFE calls, metered */
    uint64_t gas_start, n_start, gas_piggyback, n_piggyback, gas_challenge, n_challenge;
} sim_ife_result;

typedef struct sim_result {
    /* setup */
    uint64_t users, utxos_at_incident, child_blocks, child_txs, deposits;
    uint64_t incident_blknum; /* block B (withhold, theft), else 0 */
    uint64_t victims;         /* honest outputs that block B's invalid transactions spend */

    /* exits */
    uint64_t exits_started, honest_started, operator_started;
    uint64_t exits_challenged, exits_finalized, honest_finalized, operator_finalized;
    uint64_t exits_failed, exits_unpaid, honest_late, honest_unexited;
    uint64_t exits_deferred;           /* finalized, their amount deferred: the contract held too little */
    uint64_t honest_paid_before_theft; /* honest exits paid before the first theft exit reached the head */
    uint64_t honest_in_time, honest_in_time_paid; /* honest exits started by the deadline, and paid */
    uint64_t honest_late_watchers;                /* late exits of users who watched the chain */
    double bid_in_time_gwei, bid_late_gwei;       /* mean first gas price of in-time and late exits */

    sim_ife_result ife;

    /* funds, in ETH-equivalent wei */
    plasma_u256 honest_total, honest_recovered, honest_lost, honest_safe, stolen;
    plasma_u256 honest_fees; /* gas paid by honest users for their exit calls */
    double honest_recovered_pct;
    sim_token_result tokens[SIM_MAX_TOKENS];

    /* root chain over the incident */
    uint64_t rootchain_blocks;       /* blocks spanned, idle stretches included */
    uint64_t rootchain_blocks_mined; /* blocks the library executed */
    uint64_t gas_used, gas_starts, gas_process, gas_challenges, gas_background;
    uint64_t gas_background_unexecuted; /* background counted, not executed (docs/simulation.md) */
    uint64_t gas_failed_starts;
    double gas_per_exit_start, gas_per_exit_processed;
    double exits_per_block_mean;
    uint64_t exits_per_block_max;
    uint64_t seconds_simulated, drain_seconds, last_start_seconds;
    int64_t deadline_seconds; /* exit period after the incident, or -1 */

    /* checks */
    bool conservation_ok, priority_order_ok;
    bool queue_stuck;
    int stuck_error;
    uint64_t stuck_seconds; /* when a queue was first found blocked, after the incident */

    /* the machine */
    double wall_seconds, exits_per_s, peak_rss_mb;
} sim_result;

typedef struct sim sim;

/* Progress: called every few blocks during the incident. done/total count
 * exits settled (finalized, challenged or given up) against exits expected. */
typedef void (*sim_progress_fn)(void *payload, uint64_t done, uint64_t total, uint64_t started,
                                uint64_t sim_seconds);

/* Creates a simulation of sc (copied). Returns 0 or PLASMA_ERR_NOMEM. */
int sim_new(sim **out, const sim_scenario *sc);
/* Keeps every root-chain receipt and event of the run queryable on the
 * chain (sim_get_chain), for inspection. By default only the last few
 * blocks' are kept, which bounds memory; results do not depend on it. Call
 * before sim_run. */
void sim_keep_history(sim *s);
/* Builds the child chain, plays the incident to its end and fills the
 * result. progress may be NULL. Returns 0, SIM_EBADSCENARIO (the scenario
 * cannot be built, err says why), SIM_EINVARIANT (err says which), or a
 * plasma_err from the library. */
int sim_run(sim *s, sim_progress_fn progress, void *payload, char *err, size_t errlen);
void sim_free(sim *s);

const sim_result *sim_get_result(const sim *s);
const sim_row *sim_get_rows(const sim *s, size_t *n);
/* The chain after the run, for inspection (tests). */
const plasma_chain *sim_get_chain(const sim *s);
/* The operator's address, and the incident's time (root-chain timestamp). */
const plasma_addr *sim_operator(const sim *s);
uint64_t sim_incident_time(const sim *s);
const sim_scenario *sim_get_scenario(const sim *s);

/* ------------------------------------------------------------------------
 * Output
 * ------------------------------------------------------------------------ */

/* The result as one JSON object; timing adds wall_seconds, exits_per_s and
 * peak_rss_mb (the only fields that differ between runs of one seed).
 * Returns NULL on allocation failure. */
json_t *sim_result_json(const sim_scenario *sc, const sim_result *r, bool timing);
/* Writes the human summary. */
void sim_print_summary(FILE *f, const sim_scenario *sc, const sim_result *r);
/* Writes the timeline as CSV. Returns 0 or PLASMA_ERR_IO. */
int sim_write_timeline(FILE *f, const sim_row *rows, size_t n);
/* Writes an SVG chart of the timeline. Returns 0 or PLASMA_ERR_IO. */
int sim_write_chart(FILE *f, const sim_scenario *sc, const sim_result *r, const sim_row *rows, size_t n);

#endif
