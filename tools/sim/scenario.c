/* Scenario files: parsing and validation.
 *
 * Each JSON object of the format has a static table of its fields (type,
 * bounds, default); one generic loop applies the tables, so every field gets
 * the same treatment: unknown fields are errors, values are range-checked,
 * and every message names the field's path and, from the line index, the
 * line it is on. Checks that involve several fields follow the tables. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "jsonloc.h"
#include "sim.h"

#define MAX_FILE (1u << 20)
#define GWEI 1e9
#define ETHER 1e18

typedef enum ftype {
    F_INT,      /* uint64_t: a JSON integer */
    F_FRAC,     /* double: any JSON number */
    F_DURATION, /* uint64_t seconds: a number of seconds or "90s", "2h", "7d" */
    F_AMOUNT,   /* plasma_u256: "0.5 ether", "20 gwei" or base units */
    F_GASPRICE, /* uint64_t wei: an amount */
    F_DIST,     /* sim_dist of values of kind vk */
    F_ENUM,     /* int: one of names */
    F_NAME,     /* char[64] */
    F_SYMBOL,   /* char[16] */
    F_TEXT,     /* a string, checked and not kept */
    F_ADDR,     /* plasma_addr */
    F_OBJECT,   /* a nested object of fields sub */
    F_TOKENS,   /* the token list */
    F_SEED,     /* uint64_t: an integer or a decimal string */
} ftype;

typedef enum vkind { V_COUNT, V_DURATION, V_AMOUNT, V_GASPRICE } vkind;

typedef struct field {
    const char *name;
    ftype type;
    size_t off;
    bool required;
    double min, max;          /* bounds of the value, or of a distribution's values */
    const char *def;          /* JSON text of the default, or NULL */
    const struct field *sub;  /* F_OBJECT */
    const char *const *names; /* F_ENUM, NULL-terminated */
    vkind vk;                 /* F_DIST */
} field;

typedef struct pctx {
    const char *name;
    sim_jlocs locs;
    char *err;
    size_t errlen;
} pctx;

#define OFF(member) offsetof(sim_scenario, member)
#define TOFF(member) offsetof(sim_token, member)

static const char *const behaviours[] = {"honest", "withhold", "theft", "disappear", NULL};
static const char *const orders[] = {"all_at_once", "oldest_first", NULL};

static const field background_fields[] = {
    {"gas_per_block", F_FRAC, OFF(bg_gas_per_block), false, 0, 1e10, "0", NULL, NULL, V_COUNT},
    {"gas_price", F_DIST, OFF(bg_gas_price), false, 1, 1e6 * GWEI, "\"20 gwei\"", NULL, NULL, V_GASPRICE},
    {NULL, F_INT, 0, false, 0, 0, NULL, NULL, NULL, V_COUNT},
};

static const field rootchain_fields[] = {
    {"block_gas_limit", F_INT, OFF(block_gas_limit), false, 100000, 1e10, "30000000", NULL, NULL, V_COUNT},
    {"block_time", F_DURATION, OFF(block_time), false, 1, 3600, "\"12s\"", NULL, NULL, V_COUNT},
    {"exit_period", F_DURATION, OFF(exit_period), false, 60, 365 * 86400.0, "\"7d\"", NULL, NULL, V_COUNT},
    {"exit_bond", F_AMOUNT, OFF(exit_bond), false, 0, 1e6 * ETHER, "\"0.0233 ether\"", NULL, NULL, V_COUNT},
    {"ife_bond", F_AMOUNT, OFF(ife_bond), false, 0, 1e6 * ETHER, "\"0.037 ether\"", NULL, NULL, V_COUNT},
    {"piggyback_bond", F_AMOUNT, OFF(piggyback_bond), false, 0, 1e6 * ETHER, "\"0.028 ether\"", NULL, NULL,
     V_COUNT},
    {"background", F_OBJECT, 0, false, 0, 0, "{}", background_fields, NULL, V_COUNT},
    {NULL, F_INT, 0, false, 0, 0, NULL, NULL, NULL, V_COUNT},
};

static const field token_fields[] = {
    {"symbol", F_SYMBOL, TOFF(symbol), true, 1, 15, NULL, NULL, NULL, V_COUNT},
    {"address", F_ADDR, TOFF(addr), false, 0, 0, NULL, NULL, NULL, V_COUNT},
    {"weight", F_FRAC, TOFF(weight), false, 1e-9, 1e9, "1", NULL, NULL, V_COUNT},
    {"eth_value", F_FRAC, TOFF(eth_value), false, 1e-30, 1e30, "1", NULL, NULL, V_COUNT},
    {"amount", F_DIST, TOFF(amount), false, 1, 1e30 * ETHER, NULL, NULL, NULL, V_AMOUNT},
    {NULL, F_INT, 0, false, 0, 0, NULL, NULL, NULL, V_COUNT},
};

static const field users_fields[] = {
    {"count", F_INT, OFF(n_users), true, 1, SIM_MAX_UTXOS, NULL, NULL, NULL, V_COUNT},
    {"utxos_per_user", F_DIST, OFF(utxos_per_user), false, 1, 1000, "1", NULL, NULL, V_COUNT},
    {"amount", F_DIST, OFF(amount), true, 1, 1e30 * ETHER, NULL, NULL, NULL, V_AMOUNT},
    {"tokens", F_TOKENS, 0, false, 1, SIM_MAX_TOKENS, "[{\"symbol\": \"ETH\"}]", token_fields, NULL, V_COUNT},
    {"eth_balance", F_AMOUNT, OFF(user_eth), false, 0, 1e9 * ETHER, "\"10 ether\"", NULL, NULL, V_COUNT},
    {NULL, F_INT, 0, false, 0, 0, NULL, NULL, NULL, V_COUNT},
};

static const field child_fields[] = {
    {"block_interval", F_DURATION, OFF(child_interval), false, 1, 30 * 86400.0, "\"10m\"", NULL, NULL,
     V_COUNT},
    {"funding_age", F_DURATION, OFF(funding_age), false, 0, 3650 * 86400.0, NULL, NULL, NULL, V_COUNT},
    {"activity_blocks", F_INT, OFF(activity_blocks), false, 0, 10000, "0", NULL, NULL, V_COUNT},
    {"payments_per_block", F_INT, OFF(payments_per_block), false, 0, 65536, "0", NULL, NULL, V_COUNT},
    {NULL, F_INT, 0, false, 0, 0, NULL, NULL, NULL, V_COUNT},
};

/* In sim_attack order: sim_attack_name reads the names here. */
static const field attack_fields[] = {
    {"start_early", F_FRAC, OFF(attacks[SIM_ATK_START_EARLY]), false, 0, 1, "0", NULL, NULL, V_COUNT},
    {"competitor", F_FRAC, OFF(attacks[SIM_ATK_COMPETITOR]), false, 0, 1, "0", NULL, NULL, V_COUNT},
    {"piggyback_unowned", F_FRAC, OFF(attacks[SIM_ATK_PIGGYBACK_UNOWNED]), false, 0, 1, "0", NULL, NULL,
     V_COUNT},
    {"exit_withheld_outputs", F_FRAC, OFF(attacks[SIM_ATK_EXIT_OUTPUTS]), false, 0, 1, "0", NULL, NULL,
     V_COUNT},
    {"double_exit_inputs", F_FRAC, OFF(attacks[SIM_ATK_DOUBLE_EXIT]), false, 0, 1, "0", NULL, NULL, V_COUNT},
    {"late_output_exit", F_FRAC, OFF(attacks[SIM_ATK_LATE_OUTPUT_EXIT]), false, 0, 1, "0", NULL, NULL,
     V_COUNT},
    {"ife_theft_txs", F_FRAC, OFF(attacks[SIM_ATK_THEFT_IFES]), false, 0, 1, "0", NULL, NULL, V_COUNT},
    {NULL, F_INT, 0, false, 0, 0, NULL, NULL, NULL, V_COUNT},
};

static const field operator_fields[] = {
    {"behaviour", F_ENUM, OFF(behaviour), true, 0, 0, NULL, NULL, behaviours, V_COUNT},
    {"steal_fraction", F_FRAC, OFF(steal_fraction), false, 0, 1, NULL, NULL, NULL, V_COUNT},
    {"victims_per_tx", F_INT, OFF(victims_per_tx), false, 1, PLASMA_MAX_INPUTS, "4", NULL, NULL, V_COUNT},
    {"exit_spent_outputs", F_INT, OFF(exit_spent), false, 0, 1000000, "0", NULL, NULL, V_COUNT},
    {"exit_delay", F_DURATION, OFF(op_exit_delay), false, 0, 365 * 86400.0, "0", NULL, NULL, V_COUNT},
    {"gas_price", F_GASPRICE, OFF(op_gas_price), false, 1, 1e6 * GWEI, "\"100 gwei\"", NULL, NULL, V_COUNT},
    {"ife_attacks", F_OBJECT, 0, false, 0, 0, "{}", attack_fields, NULL, V_COUNT},
    {"ife_challenge_delay", F_DURATION, OFF(ife_challenge_delay), false, 0, 365 * 86400.0, NULL, NULL, NULL,
     V_COUNT},
    {NULL, F_INT, 0, false, 0, 0, NULL, NULL, NULL, V_COUNT},
};

static const field inflight_fields[] = {
    {"fraction", F_FRAC, OFF(inflight_fraction), false, 0, 1, "0", NULL, NULL, V_COUNT},
    {"in_block", F_FRAC, OFF(inflight_in_block), false, 0, 1, "1", NULL, NULL, V_COUNT},
    {"trade_fraction", F_FRAC, OFF(trade_fraction), false, 0, 1, "0", NULL, NULL, V_COUNT},
    {"margin", F_DURATION, OFF(ife_margin), false, 0, 365 * 86400.0, NULL, NULL, NULL, V_COUNT},
    {"urgent_gas_price", F_GASPRICE, OFF(urgent_gas_price), false, 1, 1e6 * GWEI, "\"200 gwei\"", NULL, NULL,
     V_COUNT},
    {NULL, F_INT, 0, false, 0, 0, NULL, NULL, NULL, V_COUNT},
};

static const field bump_fields[] = {
    {"percent", F_FRAC, OFF(bump_pct), false, 0, 1000, "0", NULL, NULL, V_COUNT},
    {"every", F_DURATION, OFF(bump_every), false, 0, 86400, "0", NULL, NULL, V_COUNT},
    {"max", F_GASPRICE, OFF(bump_max), false, 1, 1e6 * GWEI, "\"1000 gwei\"", NULL, NULL, V_COUNT},
    {NULL, F_INT, 0, false, 0, 0, NULL, NULL, NULL, V_COUNT},
};

static const field strategy_fields[] = {
    {"watch_fraction", F_FRAC, OFF(watch_fraction), false, 0, 1, "1", NULL, NULL, V_COUNT},
    {"offline_fraction", F_FRAC, OFF(offline_fraction), false, 0, 1, "0", NULL, NULL, V_COUNT},
    {"reaction_delay", F_DIST, OFF(reaction_delay), false, 0, 3650 * 86400.0,
     "{\"dist\": \"exponential\", \"mean\": \"10m\"}", NULL, NULL, V_DURATION},
    {"unwatched_delay", F_DIST, OFF(unwatched_delay), false, 0, 3650 * 86400.0,
     "{\"dist\": \"uniform\", \"min\": \"1d\", \"max\": \"14d\"}", NULL, NULL, V_DURATION},
    {"gas_price", F_DIST, OFF(bid), false, 1, 1e6 * GWEI, "\"50 gwei\"", NULL, NULL, V_GASPRICE},
    {"bump", F_OBJECT, 0, false, 0, 0, "{}", bump_fields, NULL, V_COUNT},
    {"order", F_ENUM, OFF(order), false, 0, 0, "\"all_at_once\"", NULL, orders, V_COUNT},
    {"exit_gas_limit", F_INT, OFF(exit_gas_limit), false, 50000, 1e10, "400000", NULL, NULL, V_COUNT},
    {"challenge_delay", F_DIST, OFF(challenge_delay), false, 0, 3650 * 86400.0, NULL, NULL, NULL, V_DURATION},
    {"challenge_gas_price", F_GASPRICE, OFF(challenge_gas_price), false, 1, 1e6 * GWEI, "\"100 gwei\"", NULL,
     NULL, V_COUNT},
    {NULL, F_INT, 0, false, 0, 0, NULL, NULL, NULL, V_COUNT},
};

static const field processing_fields[] = {
    {"every", F_DURATION, OFF(process_every), false, 1, 86400, "\"1m\"", NULL, NULL, V_COUNT},
    {"max_exits", F_INT, OFF(process_max), false, 1, 100000, "100", NULL, NULL, V_COUNT},
    {"gas_price", F_GASPRICE, OFF(process_gas_price), false, 1, 1e6 * GWEI, "\"30 gwei\"", NULL, NULL,
     V_COUNT},
    {NULL, F_INT, 0, false, 0, 0, NULL, NULL, NULL, V_COUNT},
};

static const field limits_fields[] = {
    {"max_time", F_DURATION, OFF(max_time), false, 60, 3650 * 86400.0, "\"120d\"", NULL, NULL, V_COUNT},
    {NULL, F_INT, 0, false, 0, 0, NULL, NULL, NULL, V_COUNT},
};

static const field top_fields[] = {
    {"format", F_TEXT, 0, true, 0, 0, NULL, NULL, NULL, V_COUNT},
    {"name", F_NAME, OFF(name), false, 0, 63, NULL, NULL, NULL, V_COUNT},
    {"description", F_TEXT, 0, false, 0, 0, NULL, NULL, NULL, V_COUNT},
    {"seed", F_SEED, OFF(seed), true, 0, 0, NULL, NULL, NULL, V_COUNT},
    {"rootchain", F_OBJECT, 0, false, 0, 0, "{}", rootchain_fields, NULL, V_COUNT},
    {"users", F_OBJECT, 0, true, 0, 0, NULL, users_fields, NULL, V_COUNT},
    {"child_chain", F_OBJECT, 0, false, 0, 0, "{}", child_fields, NULL, V_COUNT},
    {"operator", F_OBJECT, 0, true, 0, 0, NULL, operator_fields, NULL, V_COUNT},
    {"strategy", F_OBJECT, 0, false, 0, 0, "{}", strategy_fields, NULL, V_COUNT},
    {"inflight", F_OBJECT, 0, false, 0, 0, "{}", inflight_fields, NULL, V_COUNT},
    {"processing", F_OBJECT, 0, false, 0, 0, "{}", processing_fields, NULL, V_COUNT},
    {"limits", F_OBJECT, 0, false, 0, 0, "{}", limits_fields, NULL, V_COUNT},
    {NULL, F_INT, 0, false, 0, 0, NULL, NULL, NULL, V_COUNT},
};

/* ---- messages ---- */

/* The line of path, or of its nearest ancestor present in the file (a
 * field that is missing has no line of its own). */
static unsigned field_line(const pctx *p, const char *path)
{
    char buf[SIM_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (;;) {
        unsigned line = sim_jlocs_line(&p->locs, buf);
        char *cut = strrchr(buf, '.'), *bracket = strrchr(buf, '[');
        if (line || !buf[0])
            return line;
        cut = bracket > cut ? bracket : cut;
        if (cut)
            *cut = '\0';
        else
            buf[0] = '\0';
    }
}

static int fail(pctx *p, const char *path, const char *fmt, ...)
{
    char msg[SIM_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    unsigned line = field_line(p, path);
    const char *sep = *path ? ": " : "";
    if (line)
        snprintf(p->err, p->errlen, "%s:%u: %s%s%s", p->name, line, path, sep, msg);
    else
        snprintf(p->err, p->errlen, "%s: %s%s%s", p->name, path, sep, msg);
    return SIM_EBADSCENARIO;
}

static void join(char *out, const char *parent, const char *key)
{
    snprintf(out, SIM_PATH_MAX, "%s%s%s", parent, *parent ? "." : "", key);
}

/* A bound as a scenario would write it. */
static const char *fmt_bound(char *buf, size_t len, vkind vk, ftype type, double v)
{
    if (type == F_DURATION || vk == V_DURATION)
        return sim_format_duration(buf, len, v);
    if (type == F_GASPRICE || vk == V_GASPRICE)
        snprintf(buf, len, v < GWEI ? "%.0f wei" : "%.9g gwei", v < GWEI ? v : v / GWEI);
    else if (type == F_AMOUNT || vk == V_AMOUNT)
        snprintf(buf, len, v < 1e12 ? "%.0f wei" : "%.9g ether", v < 1e12 ? v : v / ETHER);
    else
        snprintf(buf, len, "%.9g", v);
    return buf;
}

static int out_of_range(pctx *p, const char *path, const field *f, vkind vk)
{
    char lo[48], hi[48];
    fmt_bound(lo, sizeof lo, vk, f->type, f->min);
    fmt_bound(hi, sizeof hi, vk, f->type, f->max);
    return fail(p, path, "out of range: must be between %s and %s", lo, hi);
}

/* ---- scalar values ---- */

static const char *expected(ftype type, vkind vk)
{
    if (type == F_DURATION || vk == V_DURATION)
        return "a duration such as 90, \"90s\", \"5m\", \"2h\" or \"7d\"";
    if (type == F_GASPRICE || vk == V_GASPRICE)
        return "a gas price such as \"20 gwei\"";
    if (type == F_AMOUNT || vk == V_AMOUNT)
        return "an amount such as \"0.5 ether\", \"20 gwei\" or a whole number of base units";
    return "a number";
}

/* Reads a number-like value of kind (type, vk) into *v (base units), and
 * the exact amount into *exact when it is an amount. */
static int scalar(pctx *p, const char *path, const json_t *j, ftype type, vkind vk, double *v,
                  plasma_u256 *exact)
{
    plasma_u256 scratch;
    if (!exact)
        exact = &scratch;
    bool amount = type == F_AMOUNT || type == F_GASPRICE || vk == V_AMOUNT || vk == V_GASPRICE;
    bool duration = type == F_DURATION || vk == V_DURATION;
    if (json_is_string(j)) {
        const char *s = json_string_value(j);
        int rc = amount ? sim_parse_amount(s, exact, v) : duration ? sim_parse_duration(s, v) : -1;
        if (rc != 0)
            return fail(p, path, "expected %s, not \"%s\"", expected(type, vk), s);
        return 0;
    }
    if (amount ? !json_is_integer(j) || json_integer_value(j) < 0 : !json_is_number(j))
        return fail(p, path, "expected %s", expected(type, vk));
    *v = json_number_value(j);
    if (amount)
        *exact = plasma_u256_from_u64((uint64_t)json_integer_value(j));
    return 0;
}

static int bounded(pctx *p, const char *path, const field *f, vkind vk, double v)
{
    if (!(v >= f->min && v <= f->max))
        return out_of_range(p, path, f, vk);
    return 0;
}

/* ---- distributions ---- */

typedef struct dist_shape {
    const char *name;
    sim_dist_kind kind;
    const char *params[3];
} dist_shape;

static const dist_shape shapes[] = {
    {"fixed", SIM_DIST_FIXED, {"value", NULL, NULL}},
    {"uniform", SIM_DIST_UNIFORM, {"min", "max", NULL}},
    {"exponential", SIM_DIST_EXPONENTIAL, {"mean", NULL, NULL}},
    {"lognormal", SIM_DIST_LOGNORMAL, {"median", "sigma", NULL}},
};

static const dist_shape *find_shape(const char *name)
{
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        if (strcmp(shapes[i].name, name) == 0)
            return &shapes[i];
    return NULL;
}

static int dist_param(pctx *p, const char *path, const json_t *obj, const char *key, const field *f,
                      double *out)
{
    char sub[SIM_PATH_MAX];
    join(sub, path, key);
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return fail(p, path, "missing field \"%s\"", key);
    if (strcmp(key, "sigma") == 0) {
        if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 4)
            return fail(p, sub, "expected a number between 0 and 4");
        *out = json_number_value(v);
        return 0;
    }
    int rc = scalar(p, sub, v, F_DIST, f->vk, out, NULL);
    return rc ? rc : bounded(p, sub, f, f->vk, *out);
}

static int dist_object(pctx *p, const char *path, const json_t *j, const field *f, sim_dist *d)
{
    char sub[SIM_PATH_MAX];
    join(sub, path, "dist");
    const json_t *kind = json_object_get(j, "dist");
    if (!json_is_string(kind))
        return fail(p, kind ? sub : path, "expected \"dist\": one of fixed, uniform, exponential, lognormal");
    const dist_shape *shape = find_shape(json_string_value(kind));
    if (!shape)
        return fail(p, sub, "unknown distribution \"%s\" (fixed, uniform, exponential or lognormal)",
                    json_string_value(kind));
    const char *key;
    const json_t *v;
    json_object_foreach ((json_t *)j, key, v) {
        bool known = strcmp(key, "dist") == 0;
        for (int i = 0; shape->params[i]; i++)
            known = known || strcmp(key, shape->params[i]) == 0;
        if (!known) {
            join(sub, path, key);
            return fail(p, sub, "unknown field for a %s distribution", shape->name);
        }
    }
    d->kind = shape->kind;
    int rc = dist_param(p, path, j, shape->params[0], f, &d->a);
    if (rc == 0 && shape->params[1])
        rc = dist_param(p, path, j, shape->params[1], f, &d->b);
    if (rc == 0 && d->kind == SIM_DIST_UNIFORM && d->a > d->b) {
        join(sub, path, "max");
        return fail(p, sub, "must not be less than min");
    }
    return rc;
}

/* A distribution, or a bare value meaning a fixed one. */
static int dist(pctx *p, const char *path, const json_t *j, const field *f, sim_dist *d)
{
    if (json_is_object(j))
        return dist_object(p, path, j, f, d);
    d->kind = SIM_DIST_FIXED;
    d->b = 0;
    int rc = scalar(p, path, j, F_DIST, f->vk, &d->a, NULL);
    return rc ? rc : bounded(p, path, f, f->vk, d->a);
}

/* ---- fields ---- */

static int parse_object(pctx *p, const json_t *obj, const char *path, const field *table, void *base);

static int string_field(pctx *p, const char *path, const json_t *j, const field *f, char *out, size_t cap)
{
    if (!json_is_string(j))
        return fail(p, path, "expected a string");
    size_t n = json_string_length(j);
    if (n < (size_t)f->min || n > (size_t)f->max || n >= cap)
        return fail(p, path, "must be %.0f to %.0f characters long", f->min, f->max);
    memcpy(out, json_string_value(j), n + 1);
    return 0;
}

static int enum_field(pctx *p, const char *path, const json_t *j, const field *f, int *out)
{
    char list[160] = "";
    for (int i = 0; f->names[i]; i++) {
        if (json_is_string(j) && strcmp(json_string_value(j), f->names[i]) == 0) {
            *out = i;
            return 0;
        }
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", f->names[i]);
    }
    return fail(p, path, "must be one of %s", list);
}

static int int_field(pctx *p, const char *path, const json_t *j, const field *f, uint64_t *out)
{
    if (!json_is_integer(j))
        return fail(p, path, "expected a whole number");
    json_int_t v = json_integer_value(j);
    if (v < 0 || (double)v < f->min || (double)v > f->max)
        return out_of_range(p, path, f, V_COUNT);
    *out = (uint64_t)v;
    return 0;
}

static int seed_field(pctx *p, const char *path, const json_t *j, uint64_t *out)
{
    if (json_is_integer(j) && json_integer_value(j) >= 0) {
        *out = (uint64_t)json_integer_value(j);
        return 0;
    }
    plasma_u256 v;
    if (json_is_string(j) && plasma_u256_parse_dec(&v, json_string_value(j)) == 0 &&
        plasma_u256_to_u64(&v, out))
        return 0;
    return fail(p, path, "expected a whole number from 0 to 2^64-1 (as a string above 2^63-1)");
}

static int addr_field(pctx *p, const char *path, const json_t *j, plasma_addr *out)
{
    if (!json_is_string(j) || plasma_addr_parse(out, json_string_value(j)) != 0)
        return fail(p, path, "expected an address: 0x and 40 hex digits");
    return 0;
}

static int measured_field(pctx *p, const char *path, const json_t *j, const field *f, void *dst)
{
    double v;
    plasma_u256 exact;
    int rc = scalar(p, path, j, f->type, V_COUNT, &v, &exact);
    if (rc == 0)
        rc = bounded(p, path, f, V_COUNT, v);
    if (rc != 0)
        return rc;
    if (f->type == F_AMOUNT)
        *(plasma_u256 *)dst = exact;
    else if (f->type == F_GASPRICE)
        plasma_u256_to_u64(&exact, (uint64_t *)dst);
    else if (f->type == F_DURATION)
        *(uint64_t *)dst = (uint64_t)llround(v);
    else
        *(double *)dst = v;
    return 0;
}

static int tokens_field(pctx *p, const char *path, const json_t *j, const field *f, sim_scenario *sc)
{
    char sub[SIM_PATH_MAX];
    if (!json_is_array(j) || json_array_size(j) < 1 || json_array_size(j) > SIM_MAX_TOKENS)
        return fail(p, path, "expected a list of 1 to %d tokens", SIM_MAX_TOKENS);
    sc->n_tokens = (unsigned)json_array_size(j);
    for (unsigned i = 0; i < sc->n_tokens; i++) {
        snprintf(sub, sizeof sub, "%s[%u]", path, i);
        const json_t *t = json_array_get(j, i);
        if (!json_is_object(t))
            return fail(p, sub, "expected an object");
        int rc = parse_object(p, t, sub, f->sub, &sc->tokens[i]);
        if (rc != 0)
            return rc;
        sc->tokens[i].has_amount = json_object_get(t, "amount") != NULL;
    }
    return 0;
}

static int parse_field(pctx *p, const field *f, const json_t *j, const char *path, void *base)
{
    void *dst = (char *)base + f->off;
    switch (f->type) {
    case F_INT:
        return int_field(p, path, j, f, dst);
    case F_FRAC:
    case F_DURATION:
    case F_AMOUNT:
    case F_GASPRICE:
        return measured_field(p, path, j, f, dst);
    case F_DIST:
        return dist(p, path, j, f, dst);
    case F_ENUM:
        return enum_field(p, path, j, f, dst);
    case F_NAME:
        return string_field(p, path, j, f, dst, sizeof(((sim_scenario *)0)->name));
    case F_SYMBOL:
        return string_field(p, path, j, f, dst, sizeof(((sim_token *)0)->symbol));
    case F_TEXT:
        return json_is_string(j) ? 0 : fail(p, path, "expected a string");
    case F_ADDR:
        return addr_field(p, path, j, dst);
    case F_OBJECT:
        if (!json_is_object(j))
            return fail(p, path, "expected an object");
        return parse_object(p, j, path, f->sub, base);
    case F_TOKENS:
        return tokens_field(p, path, j, f, base);
    case F_SEED:
        return seed_field(p, path, j, dst);
    }
    return fail(p, path, "unsupported field");
}

static int check_unknown(pctx *p, const json_t *obj, const char *path, const field *table)
{
    const char *key;
    const json_t *v;
    json_object_foreach ((json_t *)obj, key, v) {
        const field *f = table;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (!f->name) {
            char sub[SIM_PATH_MAX];
            join(sub, path, key);
            return fail(p, sub, "unknown field");
        }
    }
    return 0;
}

/* The default is parsed like a value from the file, so it passes the same
 * checks; errors in it would be the program's, not the file's. */
static int parse_default(pctx *p, const field *f, const char *path, void *base)
{
    json_t *j = json_loads(f->def, JSON_DECODE_ANY, NULL);
    if (!j)
        return PLASMA_ERR_NOMEM;
    int rc = parse_field(p, f, j, path, base);
    json_decref(j);
    return rc;
}

static int parse_object(pctx *p, const json_t *obj, const char *path, const field *table, void *base)
{
    int rc = check_unknown(p, obj, path, table);
    for (const field *f = table; rc == 0 && f->name; f++) {
        char sub[SIM_PATH_MAX];
        join(sub, path, f->name);
        const json_t *v = json_object_get(obj, f->name);
        if (v)
            rc = parse_field(p, f, v, sub, base);
        else if (f->required)
            rc = fail(p, path, "missing required field \"%s\"", sub);
        else if (f->def)
            rc = parse_default(p, f, sub, base);
    }
    return rc;
}

/* ---- checks across fields ---- */

static const json_t *member(const json_t *root, const char *obj, const char *key)
{
    return json_object_get(json_object_get(root, obj), key);
}

/* In-flight transactions and the attacks on their exits belong to block
 * B's withholding. */
static int check_inflight(pctx *p, const json_t *root, const sim_scenario *sc)
{
    static const char *const paths[][2] = {
        {"operator", "ife_attacks"}, {"operator", "ife_challenge_delay"}, {"inflight", NULL}};
    for (size_t i = 0; sc->behaviour != SIM_OP_WITHHOLD && i < sizeof paths / sizeof paths[0]; i++) {
        char path[SIM_PATH_MAX];
        const json_t *v =
            paths[i][1] ? member(root, paths[i][0], paths[i][1]) : json_object_get(root, paths[i][0]);
        if (!v)
            continue;
        if (paths[i][1])
            join(path, paths[i][0], paths[i][1]);
        else
            snprintf(path, sizeof path, "%s", paths[i][0]);
        return fail(p, path, "only applies when behaviour is withhold");
    }
    uint64_t phase = sc->exit_period / 2;
    if (member(root, "inflight", "margin") && sc->ife_margin >= phase)
        return fail(p, "inflight.margin", "must be less than the first phase, half of rootchain.exit_period");
    if (member(root, "operator", "ife_challenge_delay") && sc->ife_challenge_delay >= phase)
        return fail(p, "operator.ife_challenge_delay",
                    "must be less than the first phase, half of rootchain.exit_period");
    return 0;
}

static int check_operator(pctx *p, const json_t *root, sim_scenario *sc)
{
    static const char *const risky[] = {"steal_fraction", "victims_per_tx", "exit_spent_outputs",
                                        "exit_delay",     "gas_price",      NULL};
    bool steals = sc->behaviour == SIM_OP_WITHHOLD || sc->behaviour == SIM_OP_THEFT;
    for (int i = 0; !steals && risky[i]; i++) {
        if (member(root, "operator", risky[i])) {
            char path[SIM_PATH_MAX];
            join(path, "operator", risky[i]);
            return fail(p, path, "only applies when behaviour is withhold or theft");
        }
    }
    if (!member(root, "operator", "steal_fraction"))
        sc->steal_fraction = steals ? 1.0 : 0.0;
    return 0;
}

static int check_tokens(pctx *p, const sim_scenario *sc)
{
    char path[SIM_PATH_MAX];
    for (unsigned i = 0; i < sc->n_tokens; i++) {
        for (unsigned k = 0; k < i; k++) {
            snprintf(path, sizeof path, "users.tokens[%u]", i);
            if (strcmp(sc->tokens[i].symbol, sc->tokens[k].symbol) == 0)
                return fail(p, path, "symbol \"%s\" is used twice", sc->tokens[i].symbol);
            if (plasma_addr_eq(&sc->tokens[i].addr, &sc->tokens[k].addr))
                return fail(p, path, "address is the same as users.tokens[%u]'s", k);
        }
    }
    return 0;
}

static int check_scale(pctx *p, const sim_scenario *sc)
{
    double utxos = (double)sc->n_users * sim_dist_mean(&sc->utxos_per_user);
    if (utxos > SIM_MAX_UTXOS)
        return fail(p, "users.utxos_per_user", "about %.0f outputs in all; at most %u are supported", utxos,
                    SIM_MAX_UTXOS);
    if (sc->exit_gas_limit > sc->block_gas_limit)
        return fail(p, "strategy.exit_gas_limit", "exceeds rootchain.block_gas_limit (%llu)",
                    (unsigned long long)sc->block_gas_limit);
    if (sc->bump_pct > 0 && sc->bump_every == 0)
        return fail(p, "strategy.bump.every", "must be set when strategy.bump.percent is");
    return 0;
}

static int check_format(pctx *p, const json_t *root)
{
    const json_t *f = json_object_get(root, "format");
    if (!f)
        return fail(p, "", "missing required field \"format\" (expected \"%s\")", SIM_FORMAT);
    if (!json_is_string(f) || strcmp(json_string_value(f), SIM_FORMAT) != 0)
        return fail(p, "format", "unsupported format (this plasma-sim reads \"%s\")", SIM_FORMAT);
    return 0;
}

static void fill_derived(const json_t *root, sim_scenario *sc)
{
    if (!member(root, "child_chain", "funding_age"))
        sc->funding_age = sc->child_interval;
    if (!member(root, "strategy", "challenge_delay"))
        sc->challenge_delay = sc->reaction_delay;
    /* Halfway through the first phase, unless the scenario says when. */
    if (!member(root, "operator", "ife_challenge_delay"))
        sc->ife_challenge_delay = sc->exit_period / 4;
    /* A tenth of the first phase. */
    if (!member(root, "inflight", "margin"))
        sc->ife_margin = sc->exit_period / 20;
    if (!sc->name[0])
        snprintf(sc->name, sizeof sc->name, "unnamed");
}

static int validate(pctx *p, const json_t *root, sim_scenario *sc)
{
    if (!json_is_object(root))
        return fail(p, "", "expected a JSON object");
    int rc = check_format(p, root);
    if (rc == 0)
        rc = parse_object(p, root, "", top_fields, sc);
    if (rc == 0)
        rc = check_operator(p, root, sc);
    if (rc == 0)
        rc = check_inflight(p, root, sc);
    if (rc == 0)
        rc = check_tokens(p, sc);
    if (rc == 0)
        rc = check_scale(p, sc);
    if (rc == 0)
        fill_derived(root, sc);
    return rc;
}

int sim_scenario_parse(sim_scenario **out, const char *text, size_t len, const char *name, char *err,
                       size_t errlen)
{
    pctx p = {.name = name, .err = err, .errlen = errlen};
    json_error_t jerr;
    sim_scenario *sc = NULL;
    int rc;
    /* JSON has no NUL byte outside strings (and a string's is escaped);
     * jansson would pass over one between tokens. */
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        unsigned line = 1;
        for (const char *c = text; c < nul; c++)
            line += *c == '\n';
        snprintf(err, errlen, "%s:%u: invalid JSON: a NUL byte", name, line);
        return SIM_EBADSCENARIO;
    }
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: invalid JSON: %s", name, jerr.line, jerr.column, jerr.text);
        return SIM_EBADSCENARIO;
    }
    rc = sim_jlocs_build(&p.locs, text, len);
    if (rc != 0)
        goto cleanup;
    sc = calloc(1, sizeof *sc);
    if (!sc) {
        rc = PLASMA_ERR_NOMEM;
        goto cleanup;
    }
    rc = validate(&p, root, sc);
    if (rc == 0) {
        *out = sc;
        sc = NULL;
    }
cleanup:
    free(sc);
    sim_jlocs_free(&p.locs);
    json_decref(root);
    return rc;
}

int sim_scenario_load(sim_scenario **out, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return SIM_EBADSCENARIO;
    }
    char *text = malloc(MAX_FILE + 1);
    size_t len = text ? fread(text, 1, MAX_FILE + 1, f) : 0;
    int rc = SIM_EBADSCENARIO;
    if (!text)
        rc = PLASMA_ERR_NOMEM;
    else if (ferror(f))
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
    else if (len > MAX_FILE)
        snprintf(err, errlen, "%s: larger than %u bytes", path, MAX_FILE);
    else
        rc = sim_scenario_parse(out, text, len, path, err, errlen);
    free(text);
    fclose(f);
    return rc;
}

void sim_scenario_free(sim_scenario *sc)
{
    free(sc);
}

const char *sim_attack_name(sim_attack a)
{
    return a < SIM_ATK_COUNT ? attack_fields[a].name : "unknown";
}

const char *sim_behaviour_name(sim_behaviour b)
{
    return b <= SIM_OP_DISAPPEAR ? behaviours[b] : "unknown";
}
