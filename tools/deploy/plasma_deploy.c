/* plasma-deploy: deploys this build's PlasmaRootChain (contracts/out) to any
 * Ethereum JSON-RPC endpoint. The deploying account becomes the contract's
 * operator. Waits for the receipt and its confirmations, checks the code and
 * the configuration at the new address, and prints the address and the
 * deployment block (the operator's --contract and --deploy-block). */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/client.h"
#include "plasma/devkeys.h"
#include "plasma/eth.h"
#include "plasma/json.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define DEV_CHAIN_ID 31337u
#define DAY_S 86400u

static const char usage_text[] =
    "usage: plasma-deploy --rpc URL (--keystore FILE [--password-file FILE] | --dev) [options]\n"
    "\n"
    "Deploys this build's PlasmaRootChain from the keystore's account, which becomes the\n"
    "contract's operator (run plasma-operator with the same key). Waits for the receipt and its\n"
    "confirmations, checks the code and the configuration at the new address, and prints the\n"
    "address and the deployment block.\n"
    "\n"
    "  --rpc URL               the Ethereum JSON-RPC endpoint (http:// or https://)\n"
    "  --keystore FILE         the deploying account, an Ethereum v3 keystore file\n"
    "  --password-file FILE    its password, on the file's first line (else $PLASMA_PASSWORD)\n"
    "  --dev                   deploy as development account 0 (a public key: chain id 31337 only);\n"
    "                          the exit period defaults to 1 hour, confirmations to 0\n"
    "  --chain-id N            refuse unless the node's chain id is N\n"
    "  --min-exit-period S     MIN_EXIT_PERIOD in seconds; default 604800 (7 days)\n"
    "  --exit-bond A           standard exit bond; default 0.0233eth (units: wei, gwei, eth)\n"
    "  --ife-bond A            in-flight exit bond; default 0.037eth\n"
    "  --piggyback-bond A      piggyback bond; default 0.028eth\n"
    "  --confirmations N       blocks on top of the deployment's before it counts; default 2\n"
    "                          (0 on a chain that mines only when sent transactions, like anvil)\n"
    "  --max-fee-gwei N        never pay more than N gwei per gas (default: no cap)\n"
    "  --json                  print one JSON object; errors as {\"error\": {\"code\", \"message\"}}\n"
    "\n"
    "Exit status: 0 deployed, 1 failure, 2 usage error.\n";

typedef struct deploy_opts {
    const char *rpc;
    const char *keystore;
    const char *password_file;
    bool dev;
    bool json;
    uint64_t chain_id; /* 0: any */
    uint64_t confirmations;
    bool confirmations_given;
    uint64_t max_fee_gwei;
    plasma_eth_deploy_args args;
    bool period_given;
} deploy_opts;

typedef struct deployed {
    uint64_t chain_id;
    plasma_addr operator_addr;
    plasma_eth_receipt receipt;
} deployed;

static int report(const deploy_opts *o, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "plasma-deploy: <message>" on stderr and, with --json, the error object
 * on stdout. Returns the exit status. */
static int report(const deploy_opts *o, int err, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "plasma-deploy: %s\n", msg);
    if (o && o->json) {
        json_t *e = json_pack("{s:{s:s,s:s}}", "error", "code", plasma_err_code(err), "message", msg);
        if (e) {
            json_dumpf(e, stdout, JSON_COMPACT);
            fputc('\n', stdout);
            json_decref(e);
        }
    }
    return err == PLASMA_ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
}

/* --- the command line --- */

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s[0] || s[0] == '-' || s[0] == '+')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    *out = v;
    return *end == '\0' && v != ULLONG_MAX;
}

static bool parse_amount(const char *s, plasma_u256 *out)
{
    char msg[128];
    return plasma_amount_parse(out, s, msg, sizeof msg) == 0;
}

static void default_args(deploy_opts *o)
{
    char msg[64];
    o->args.min_exit_period = plasma_u256_from_u64(7 * DAY_S);
    plasma_amount_parse(&o->args.exit_bond, "0.0233eth", msg, sizeof msg);
    plasma_amount_parse(&o->args.ife_bond, "0.037eth", msg, sizeof msg);
    plasma_amount_parse(&o->args.piggyback_bond, "0.028eth", msg, sizeof msg);
    o->confirmations = 2;
}

/* One option and its value; false (reported) when it is unknown or bad. */
static bool take_value(deploy_opts *o, const char *name, const char *v)
{
    uint64_t n;
    if (strcmp(name, "--rpc") == 0)
        o->rpc = v;
    else if (strcmp(name, "--keystore") == 0)
        o->keystore = v;
    else if (strcmp(name, "--password-file") == 0)
        o->password_file = v;
    else if (strcmp(name, "--chain-id") == 0 && parse_u64(v, &o->chain_id) && o->chain_id)
        ;
    else if (strcmp(name, "--min-exit-period") == 0 && parse_u64(v, &n) && n <= UINT32_MAX)
        o->args.min_exit_period = plasma_u256_from_u64(n), o->period_given = true;
    else if (strcmp(name, "--exit-bond") == 0 && parse_amount(v, &o->args.exit_bond))
        ;
    else if (strcmp(name, "--ife-bond") == 0 && parse_amount(v, &o->args.ife_bond))
        ;
    else if (strcmp(name, "--piggyback-bond") == 0 && parse_amount(v, &o->args.piggyback_bond))
        ;
    else if (strcmp(name, "--confirmations") == 0 && parse_u64(v, &o->confirmations) &&
             o->confirmations <= 10000)
        o->confirmations_given = true;
    else if (strcmp(name, "--max-fee-gwei") == 0 && parse_u64(v, &o->max_fee_gwei) &&
             o->max_fee_gwei <= 1000000)
        ;
    else
        return false;
    return true;
}

static bool takes_value(const char *name)
{
    static const char *const names[] = {
        "--rpc",       "--keystore", "--password-file",  "--chain-id",      "--min-exit-period",
        "--exit-bond", "--ife-bond", "--piggyback-bond", "--confirmations", "--max-fee-gwei"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

/* Returns 0, 1 after --help, or an exit status. */
static int parse_args(deploy_opts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        o->json = o->json || strcmp(argv[i], "--json") == 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        char name[32];
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 1;
        }
        if (strcmp(a, "--json") == 0 || strcmp(a, "--dev") == 0) {
            o->dev = o->dev || strcmp(a, "--dev") == 0;
            continue;
        }
        if (!takes_value(name))
            return report(o, PLASMA_ERR_USAGE, "unknown option \"%.60s\" (see --help)", a);
        const char *v = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!v)
            return report(o, PLASMA_ERR_USAGE, "%s needs a value", name);
        if (!take_value(o, name, v))
            return report(o, PLASMA_ERR_USAGE, "%s: \"%.60s\" is not a valid value (see --help)", name, v);
    }
    if (!o->rpc)
        return report(o, PLASMA_ERR_USAGE, "--rpc URL is required (see --help)");
    if (o->dev == (o->keystore != NULL))
        return report(o, PLASMA_ERR_USAGE, "give either --keystore FILE or --dev (see --help)");
    if (o->password_file && !o->keystore)
        return report(o, PLASMA_ERR_USAGE, "--password-file goes with --keystore");
    if (o->dev && !o->period_given)
        o->args.min_exit_period = plasma_u256_from_u64(3600);
    if (o->dev && !o->confirmations_given)
        o->confirmations = 0;
    return 0;
}

/* --- the deployment --- */

static int load_key(const deploy_opts *o, uint64_t chain_id, plasma_privkey *key, plasma_addr *addr)
{
    char msg[320];
    int rc;
    if (o->dev) {
        if (chain_id != DEV_CHAIN_ID)
            return report(o, PLASMA_ERR_CONFIG,
                          "--dev deploys with a public development key: only on chain id %u, not %" PRIu64,
                          DEV_CHAIN_ID, chain_id);
        plasma_dev_key(key, 0);
        return plasma_privkey_addr(addr, key) == 0 ? 0 : report(o, PLASMA_ERR_INTERNAL, "development key");
    }
    if ((rc = plasma_keystore_unlock(key, addr, o->keystore, o->password_file, msg, sizeof msg)) != 0)
        return report(o, rc, "%s", msg);
    if (plasma_dev_key_is_public(key) && chain_id != DEV_CHAIN_ID) {
        plasma_wipe(key, sizeof *key);
        return report(o, PLASMA_ERR_CONFIG, "refusing a public development key on chain id %" PRIu64,
                      chain_id);
    }
    return 0;
}

static int open_node(const deploy_opts *o, plasma_eth_rpc **rpc, uint64_t *chain_id)
{
    plasma_eth_rpc_config rc;
    plasma_eth_rpc_config_default(&rc);
    rc.url = o->rpc;
    int err = plasma_eth_rpc_new(rpc, &rc);
    if (err != 0)
        return report(o, PLASMA_ERR_USAGE, "--rpc: \"%.80s\" is not an http:// or https:// URL", o->rpc);
    if ((err = plasma_eth_chain_id(*rpc, chain_id)) != 0)
        return report(o, err, "%s", plasma_eth_rpc_last_error(*rpc)->message);
    if (o->chain_id && o->chain_id != *chain_id)
        return report(o, PLASMA_ERR_CONFIG,
                      "the node's chain id is %" PRIu64 ", not %" PRIu64 " (--chain-id)", *chain_id,
                      o->chain_id);
    return 0;
}

static int make_sender(const deploy_opts *o, plasma_eth_rpc *rpc, const plasma_privkey *key,
                       uint64_t chain_id, plasma_eth_sender **out)
{
    plasma_eth_sender_config sc;
    plasma_eth_sender_config_default(&sc);
    sc.key = *key;
    sc.chain_id = chain_id;
    sc.confirmations = (unsigned)o->confirmations;
    if (o->dev)
        sc.poll_ms = 100;
    plasma_u256 cap = plasma_u256_from_u64(o->max_fee_gwei);
    plasma_u256_mul_u64(&sc.fees.max_fee_cap, &cap, 1000000000u);
    int rc = plasma_eth_sender_new(out, rpc, &sc);
    plasma_wipe(&sc.key, sizeof sc.key);
    return rc == 0 ? 0 : report(o, rc, "cannot make the sender (%s)", plasma_err_message(rc));
}

static int send_creation(const deploy_opts *o, plasma_eth_sender *s, plasma_eth_receipt *r)
{
    const uint8_t *code;
    size_t len;
    plasma_buf init = {0};
    plasma_eth_plasma_bytecode(&code, &len);
    int rc = plasma_eth_encode_constructor(&init, code, len, &o->args);
    plasma_eth_txreq req = {.create = true, .data = init.data, .data_len = init.len};
    if (rc == 0)
        rc = plasma_eth_sender_transact(s, &req, r);
    plasma_buf_free(&init);
    if (rc == 0 && (!r->success || !r->has_contract))
        rc = PLASMA_ERR_REVERTED;
    if (rc != 0) {
        const char *why = plasma_eth_sender_errmsg(s);
        return report(o, rc, "the deployment failed: %s", why[0] ? why : plasma_err_message(rc));
    }
    return 0;
}

/* The views the constructor set, against what was asked. */
static bool config_matches(plasma_eth_contract *c, const deploy_opts *o, const plasma_addr *operator_addr)
{
    static const plasma_eth_fn views[] = {PLASMA_ETH_FN_MIN_EXIT_PERIOD, PLASMA_ETH_FN_EXIT_BOND,
                                          PLASMA_ETH_FN_IFE_BOND, PLASMA_ETH_FN_PIGGYBACK_BOND};
    const plasma_u256 *want[] = {&o->args.min_exit_period, &o->args.exit_bond, &o->args.ife_bond,
                                 &o->args.piggyback_bond};
    plasma_addr op;
    if (plasma_eth_contract_operator(c, &op) != 0 || !plasma_addr_eq(&op, operator_addr))
        return false;
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++) {
        plasma_u256 v;
        if (plasma_eth_contract_uint(c, views[i], &v) != 0 || plasma_u256_cmp(&v, want[i]) != 0)
            return false;
    }
    return true;
}

static int check_deployment(const deploy_opts *o, plasma_eth_rpc *rpc, const deployed *d)
{
    plasma_buf code = {0};
    plasma_eth_contract *c = NULL;
    int rc = plasma_eth_code(rpc, &d->receipt.contract_address, NULL, &code);
    if (rc != 0)
        rc = report(o, rc, "reading the code: %s", plasma_eth_rpc_last_error(rpc)->message);
    else if (!plasma_eth_is_plasma_code(code.data, code.len))
        rc =
            report(o, PLASMA_ERR_INTERNAL, "the code at the new address is not this build's PlasmaRootChain");
    else if (plasma_eth_contract_new(&c, rpc, &d->receipt.contract_address) != 0)
        rc = report(o, PLASMA_ERR_NOMEM, "out of memory");
    else if (!config_matches(c, o, &d->operator_addr))
        rc = report(o, PLASMA_ERR_INTERNAL,
                    "the new contract's operator or configuration differs from the request");
    plasma_eth_contract_free(c);
    plasma_buf_free(&code);
    return rc;
}

/* --- output --- */

static json_t *result_json(const deploy_opts *o, const deployed *d)
{
    const plasma_eth_receipt *r = &d->receipt;
    plasma_u256 cost;
    plasma_u256_mul_u64(&cost, &r->effective_gas_price, r->gas_used);
    uint64_t period = 0;
    plasma_u256_to_u64(&o->args.min_exit_period, &period);
    return json_pack("{s:o,s:I,s:o,s:o,s:I,s:o,s:I,s:o,s:o,s:I,s:o,s:o,s:o}", "contract",
                     plasma_json_addr(&r->contract_address), "block", (json_int_t)r->block_number,
                     "block_hash", plasma_json_hash(&r->block_hash), "tx", plasma_json_hash(&r->tx_hash),
                     "chain_id", (json_int_t)d->chain_id, "operator", plasma_json_addr(&d->operator_addr),
                     "gas_used", (json_int_t)r->gas_used, "effective_gas_price",
                     plasma_json_u256(&r->effective_gas_price), "cost", plasma_json_u256(&cost),
                     "min_exit_period", (json_int_t)period, "exit_bond", plasma_json_u256(&o->args.exit_bond),
                     "ife_bond", plasma_json_u256(&o->args.ife_bond), "piggyback_bond",
                     plasma_json_u256(&o->args.piggyback_bond));
}

static const char *text(const json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));
    return s ? s : "?";
}

static void print_human(const json_t *j)
{
    char eth[PLASMA_AMOUNT_FMT_MAX];
    plasma_u256 cost;
    plasma_u256_parse_dec(&cost, text(j, "cost"));
    long long block = (long long)json_integer_value(json_object_get(j, "block"));
    printf("PlasmaRootChain deployed at %s in block %lld (chain id %lld)\n", text(j, "contract"), block,
           (long long)json_integer_value(json_object_get(j, "chain_id")));
    printf("  operator %s, transaction %s\n", text(j, "operator"), text(j, "tx"));
    printf("  gas %lld, cost %s eth\n", (long long)json_integer_value(json_object_get(j, "gas_used")),
           plasma_amount_format_eth(eth, &cost));
    printf("  the operator takes: --rootchain eth --rpc URL --contract %s --deploy-block %lld\n",
           text(j, "contract"), block);
}

static int print_result(const deploy_opts *o, const deployed *d)
{
    json_t *j = result_json(o, d);
    if (!j)
        return report(o, PLASMA_ERR_NOMEM, "out of memory");
    if (o->json) {
        json_dumpf(j, stdout, JSON_COMPACT);
        fputc('\n', stdout);
    } else {
        print_human(j);
    }
    json_decref(j);
    return 0;
}

static int deploy(const deploy_opts *o)
{
    plasma_eth_rpc *rpc = NULL;
    plasma_eth_sender *sender = NULL;
    plasma_privkey key;
    deployed d = {0};
    int rc = open_node(o, &rpc, &d.chain_id);
    if (rc == 0)
        rc = load_key(o, d.chain_id, &key, &d.operator_addr);
    if (rc == 0) {
        rc = make_sender(o, rpc, &key, d.chain_id, &sender);
        plasma_wipe(&key, sizeof key);
    }
    if (rc == 0)
        rc = send_creation(o, sender, &d.receipt);
    if (rc == 0)
        rc = check_deployment(o, rpc, &d);
    if (rc == 0)
        rc = print_result(o, &d);
    plasma_eth_sender_free(sender);
    plasma_eth_rpc_free(rpc);
    return rc;
}

int main(int argc, char **argv)
{
    deploy_opts o = {0};
    default_args(&o);
    int rc = parse_args(&o, argc, argv);
    if (rc == 1)
        return 0;
    if (rc != 0)
        return rc;
    return deploy(&o);
}
