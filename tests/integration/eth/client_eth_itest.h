/* What the tests of the `plasma` CLI and watcher on a real Ethereum
 * chain share (test_client_eth.c, test_watcher_eth.c): anvil
 * (eth_itest.h), PlasmaRootChain deployed by plasma-deploy and
 * plasma-operator --rootchain eth (op_eth_itest.h), and the real `plasma`
 * binary pointed at both with --rootchain eth --rpc --contract
 * (cli_kit.h). Header-only, static. */
#ifndef PLASMA_CLIENT_ETH_ITEST_H
#define PLASMA_CLIENT_ETH_ITEST_H

#include "op_eth_itest.h"
#include "plasma/devkeys.h"

#include "cli_kit.h"

#define ETH_WEI 1000000000000000000ull

/* Development account i's key as the CLI's --key takes it ("0x…"). */
static inline const char *dev_key_hex(unsigned i)
{
    static char hex[10][67];
    plasma_privkey k;
    assert_int_equal(plasma_dev_key(&k, i), 0);
    plasma_hex_encode(hex[i], k.b, sizeof k.b);
    return hex[i];
}

static oe_chain chain;
static char wallet_dir[128];

/* Starts the operator on a fresh deployment and points the CLI at both. */
static inline void start(void)
{
    chain = oe_deploy(anvil.url, "");
    oe_start_operator(&daemon_, anvil.url, &chain, NULL);
    char contract[43];
    snprintf(wallet_dir, sizeof wallet_dir, "%s/wallet", daemon_.dir);
    snprintf(base_args, sizeof base_args,
             "--operator http://127.0.0.1:%u --rootchain eth --rpc %s --contract %s --confirmations 0 "
             "--deploy-block %llu --wallet %s",
             daemon_.port, anvil.url, plasma_addr_format(contract, &chain.contract),
             (unsigned long long)chain.deploy_block, wallet_dir);
}

static inline void stop(void)
{
    it_stop(&daemon_);
    it_cleanup(&daemon_);
}

/* `plasma --json --key <account i> args`, asserting success. */
static inline json_t *as(int i, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline json_t *as(int i, const char *fmt, ...)
{
    char args[1024], line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "--key %s %s", dev_key_hex(i), args);
    return run_ok(line);
}

/* `plasma --json --key <account i> args` must fail with code (exit status
 * 2 for a usage error, else 1). */
static inline void as_fails(int i, const char *code, const char *args)
{
    char out[4096];
    int rc = run_raw(out, sizeof out, "--json --key %s %s", dev_key_hex(i), args);
    json_t *j = json_loads(out, 0, NULL);
    const char *got = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    if (rc != (strcmp(code, "usage") == 0 ? 2 : 1) || !got || strcmp(got, code) != 0)
        fail_msg("plasma %s: want %s, got exit %d: %s", args, code, rc, out);
    json_decref(j);
}

static inline plasma_u256 add_u(plasma_u256 a, const plasma_u256 *b)
{
    assert_int_equal(plasma_u256_add(&a, &a, b), 0);
    return a;
}

static inline plasma_u256 on_chain(int i)
{
    plasma_addr a = eit_addr(i);
    return eit_balance(rpc, &a);
}

static inline void pass_exit_period(void)
{
    eit_call_void(rpc, "evm_increaseTime", "[10800]");
    eit_mine(rpc, 1);
}

#endif
