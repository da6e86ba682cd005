/* What the tests of the `plasma` CLI and watcher on a real Ethereum
 * chain share (test_client_eth.c, test_watcher_eth.c): anvil
 * (eth_itest.h), PlasmaRootChain deployed by plasma-deploy and
 * plasma-operator --rootchain eth (op_eth_itest.h), and the real `plasma`
 * binary pointed at both with --rootchain eth --rpc --contract
 * (cli_kit.h). Header-only, static. */
#ifndef PLASMA_CLIENT_ETH_ITEST_H
#define PLASMA_CLIENT_ETH_ITEST_H

#include "op_eth_itest.h"

#include "cli_kit.h"

#define ETH_WEI 1000000000000000000ull

static const char *const dev_keys[10] = {
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    ALICE_KEY,
    BOB_KEY,
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
};

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
    snprintf(line, sizeof line, "--key %s %s", dev_keys[i], args);
    return run_ok(line);
}

/* `plasma --json --key <account i> args` must fail with code (exit status
 * 2 for a usage error, else 1). */
static inline void as_fails(int i, const char *code, const char *args)
{
    char out[4096];
    int rc = run_raw(out, sizeof out, "--json --key %s %s", dev_keys[i], args);
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
