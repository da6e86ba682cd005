/* The operator on a real Ethereum chain in tests: anvil (eth_itest.h), the
 * contract deployed by plasma-deploy, plasma-operator --rootchain eth
 * (itest.h), and the contract and TestToken called as the development
 * accounts through eth/. Header-only, static. */
#ifndef PLASMA_OP_ETH_ITEST_H
#define PLASMA_OP_ETH_ITEST_H

#include "eth_itest.h"
#include "itest_chain.h"
#include "plasma/merkle.h"

#ifndef PLASMA_DEPLOY_BIN
#error "PLASMA_DEPLOY_BIN must name the plasma-deploy binary"
#endif
#ifndef PLASMA_CONTRACTS_OUT
#error "PLASMA_CONTRACTS_OUT must name contracts/out"
#endif

/* --- the deployment --- */

typedef struct oe_chain {
    plasma_addr contract;
    uint64_t deploy_block;
    plasma_u256 exit_bond;
} oe_chain;

/* Runs a shell command line; returns its exit status and its stdout (caller
 * frees). */
static inline int oe_run(const char *cmd, char **out)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    for (size_t n; (n = fread(buf + len, 1, cap - len - 1, p)) > 0;) {
        len += n;
        if (len + 1 >= cap)
            buf = realloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    int st = pclose(p);
    *out = buf;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* plasma-deploy --dev --json against the node at url (more flags in extra,
 * "" for none). */
static inline oe_chain oe_deploy(const char *url, const char *extra)
{
    char cmd[512], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s --rpc %s --dev --json %s 2>&1", PLASMA_DEPLOY_BIN, url, extra);
    int st = oe_run(cmd, &out);
    if (st != 0)
        fail_msg("plasma-deploy failed (%d): %s", st, out);
    json_t *j = json_loads(out, 0, NULL);
    if (!j)
        fail_msg("plasma-deploy printed no JSON: %s", out);
    oe_chain c;
    assert_int_equal(plasma_addr_parse(&c.contract, tu_str(j, "contract")), 0);
    c.deploy_block = (uint64_t)json_integer_value(json_object_get(j, "block"));
    assert_int_equal(plasma_u256_parse_dec(&c.exit_bond, tu_str(j, "exit_bond")), 0);
    json_decref(j);
    free(out);
    return c;
}

/* plasma-operator --rootchain eth on the contract, polling every 50 ms,
 * sealing only when asked (admin token s3cret); extra flags NULL-ended. */
static inline void oe_start_operator(it_daemon *d, const char *url, const oe_chain *c,
                                     const char *const *extra)
{
    static char contract[43], block[24];
    plasma_addr_format(contract, &c->contract);
    snprintf(block, sizeof block, "%llu", (unsigned long long)c->deploy_block);
    const char *args[40] = {"--dev",  "--rootchain",        "eth", "--rpc",     url,  "--contract",
                            contract, "--deploy-block",     block, "--poll-ms", "50", "--admin-token",
                            "s3cret", "--seal-interval-ms", "0"};
    int n = 15;
    for (int i = 0; extra && extra[i]; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    it_start(d, args);
}

/* --- calls as the development accounts --- */

static inline plasma_eth_receipt oe_call(int from, const plasma_addr *to, const plasma_buf *data,
                                         const plasma_u256 *value)
{
    plasma_eth_sender *s = eit_sender(rpc, from, 0);
    plasma_eth_txreq req = {.to = *to, .data = data->data, .data_len = data->len};
    if (value)
        req.value = *value;
    plasma_eth_receipt r;
    int rc = plasma_eth_sender_transact(s, &req, &r);
    if (rc != 0)
        fail_msg("call from account %d failed (%s): %s", from, plasma_err_code(rc),
                 plasma_eth_sender_errmsg(s));
    plasma_eth_sender_free(s);
    assert_true(r.success);
    return r;
}

/* What a receipt's transaction cost its sender in gas. */
static inline plasma_u256 oe_gas_cost(const plasma_eth_receipt *r)
{
    plasma_u256 cost;
    assert_int_equal(plasma_u256_mul_u64(&cost, &r->effective_gas_price, r->gas_used), 0);
    return cost;
}

static inline plasma_u256 oe_view_uint(const oe_chain *c, plasma_eth_fn fn)
{
    plasma_eth_contract *k = NULL;
    plasma_u256 v;
    assert_int_equal(plasma_eth_contract_new(&k, rpc, &c->contract), 0);
    assert_int_equal(plasma_eth_contract_uint(k, fn, &v), 0);
    plasma_eth_contract_free(k);
    return v;
}

static inline uint64_t oe_view_u64(const oe_chain *c, plasma_eth_fn fn)
{
    plasma_u256 v = oe_view_uint(c, fn);
    uint64_t n = 0;
    assert_true(plasma_u256_to_u64(&v, &n));
    return n;
}

/* blocks(blknum) on chain; the timestamp is 0 when there is none. */
static inline plasma_eth_block_view oe_block(const oe_chain *c, uint64_t blknum)
{
    plasma_eth_contract *k = NULL;
    plasma_eth_block_view v;
    assert_int_equal(plasma_eth_contract_new(&k, rpc, &c->contract), 0);
    assert_int_equal(plasma_eth_contract_block(k, blknum, &v), 0);
    plasma_eth_contract_free(k);
    return v;
}

static inline plasma_eth_exit_view oe_exit(const oe_chain *c, uint64_t exit_id)
{
    plasma_eth_contract *k = NULL;
    plasma_eth_exit_view v;
    assert_int_equal(plasma_eth_contract_new(&k, rpc, &c->contract), 0);
    assert_int_equal(plasma_eth_contract_exit(k, exit_id, &v), 0);
    plasma_eth_contract_free(k);
    return v;
}

/* Deposits wei of ETH as account `from`; returns the deposit's utxo_pos. */
static inline uint64_t oe_deposit_eth(const oe_chain *c, int from, uint64_t wei)
{
    uint64_t blknum = oe_view_u64(c, PLASMA_ETH_FN_NEXT_DEPOSIT_BLOCK);
    plasma_addr eth = {{0}};
    plasma_u256 amount = plasma_u256_from_u64(wei);
    plasma_buf call = {0};
    assert_int_equal(plasma_eth_encode_deposit(&call, &eth, &amount), 0);
    oe_call(from, &c->contract, &call, &amount);
    plasma_buf_free(&call);
    return plasma_utxo_pos(blknum, 0, 0);
}

/* --- TestToken --- */

/* Deploys contracts/out's TestToken as account 9; returns its address. */
static inline plasma_addr oe_deploy_token(void)
{
    json_error_t jerr;
    json_t *art = json_load_file(PLASMA_CONTRACTS_OUT "/TestToken.json", 0, &jerr);
    if (!art)
        fail_msg("cannot read TestToken.json: %s", jerr.text);
    size_t len;
    uint8_t *code = tu_hex(tu_str(art, "bytecode"), &len);
    json_decref(art);
    plasma_buf init = {0};
    plasma_eth_abi_value args[2] = {plasma_eth_abi_bytes((const uint8_t *)"Test", 4),
                                    plasma_eth_abi_bytes((const uint8_t *)"TST", 3)};
    assert_int_equal(plasma_buf_append(&init, code, len), 0);
    assert_int_equal(plasma_eth_abi_encode(&init, "string,string", args, 2), 0);
    plasma_eth_sender *s = eit_sender(rpc, 9, 0);
    plasma_eth_txreq req = {.create = true, .data = init.data, .data_len = init.len};
    plasma_eth_receipt r;
    assert_int_equal(plasma_eth_sender_transact(s, &req, &r), 0);
    plasma_eth_sender_free(s);
    plasma_buf_free(&init);
    free(code);
    assert_true(r.success && r.has_contract);
    return r.contract_address;
}

static inline void oe_token_call(int from, const plasma_addr *token, const char *sig, const plasma_addr *who,
                                 uint64_t amount)
{
    plasma_u256 v = plasma_u256_from_u64(amount);
    plasma_eth_abi_value args[2] = {plasma_eth_abi_addr(who), plasma_eth_abi_uint(&v)};
    plasma_buf call = {0};
    assert_int_equal(plasma_eth_abi_encode_call(&call, sig, args, 2), 0);
    oe_call(from, token, &call, NULL);
    plasma_buf_free(&call);
}

static inline uint64_t oe_token_balance(const plasma_addr *token, const plasma_addr *who)
{
    plasma_eth_abi_value arg = plasma_eth_abi_addr(who);
    plasma_buf call = {0}, ret = {0};
    plasma_u256 v;
    uint64_t n = 0;
    assert_int_equal(plasma_eth_abi_encode_call(&call, "balanceOf(address)", &arg, 1), 0);
    assert_int_equal(plasma_eth_call(rpc, NULL, token, NULL, call.data, call.len, NULL, &ret), 0);
    assert_int_equal(plasma_eth_decode_uint(&v, ret.data, ret.len), 0);
    assert_true(plasma_u256_to_u64(&v, &n));
    plasma_buf_free(&call);
    plasma_buf_free(&ret);
    return n;
}

/* Mints amount to account `from`, approves the contract and deposits it;
 * returns the deposit's utxo_pos. */
static inline uint64_t oe_deposit_token(const oe_chain *c, const plasma_addr *token, int from,
                                        uint64_t amount)
{
    plasma_addr who = eit_addr(from);
    oe_token_call(9, token, "mint(address,uint256)", &who, amount);
    oe_token_call(from, token, "approve(address,uint256)", &c->contract, amount);
    uint64_t blknum = oe_view_u64(c, PLASMA_ETH_FN_NEXT_DEPOSIT_BLOCK);
    plasma_u256 v = plasma_u256_from_u64(amount);
    plasma_buf call = {0};
    assert_int_equal(plasma_eth_encode_deposit(&call, token, &v), 0);
    oe_call(from, &c->contract, &call, NULL);
    plasma_buf_free(&call);
    return plasma_utxo_pos(blknum, 0, 0);
}

/* --- the operator --- */

/* GET /health, whatever its status (503 while failing). */
static inline json_t *oe_health(const it_daemon *d, long *status)
{
    it_resp r = it_get(d, "/health");
    if (!r.json)
        fail_msg("GET /health: %ld %s", r.status, r.body ? r.body : "");
    json_t *j = json_incref(r.json);
    if (status)
        *status = r.status;
    it_resp_free(&r);
    return j;
}

/* GET /health's last_submitted. */
static inline uint64_t oe_last_submitted(const it_daemon *d)
{
    json_t *h = oe_health(d, NULL);
    uint64_t last = it_json_u64(h, "last_submitted");
    json_decref(h);
    return last;
}

/* Mines a block every 50 ms until the operator has blknum confirmed. */
static inline void oe_mine_until_submitted(const it_daemon *d, uint64_t blknum, double seconds)
{
    double deadline = it_now() + seconds;
    while (oe_last_submitted(d) < blknum) {
        if (it_now() > deadline)
            fail_msg("block %llu not submitted in time; log in %s", (unsigned long long)blknum, d->log);
        eit_mine(rpc, 1);
        it_sleep_ms(50);
    }
}

/* Mines a block every 50 ms until GET /v1/utxos/{pos} answers status. */
static inline void oe_mine_until_utxo(const it_daemon *d, uint64_t pos, long status, double seconds)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/utxos/%llu", (unsigned long long)pos);
    double deadline = it_now() + seconds;
    for (;;) {
        it_resp r = it_get(d, path);
        long st = r.status;
        it_resp_free(&r);
        if (st == status)
            return;
        if (it_now() > deadline)
            fail_msg("GET %s stayed at %ld, expected %ld; log in %s", path, st, status, d->log);
        eit_mine(rpc, 1);
        it_sleep_ms(50);
    }
}

/* Waits until the operator has blknum confirmed on the root chain. */
static inline void oe_wait_submitted(const it_daemon *d, uint64_t blknum, double seconds)
{
    double deadline = it_now() + seconds;
    while (oe_last_submitted(d) < blknum) {
        if (it_now() > deadline)
            fail_msg("block %llu not submitted in time; log in %s", (unsigned long long)blknum, d->log);
        it_sleep_ms(20);
    }
}

/* The root GET /v1/blocks/{blknum} gives. */
static inline plasma_hash oe_operator_root(const it_daemon *d, uint64_t blknum)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/blocks/%llu", (unsigned long long)blknum);
    json_t *b = it_get_json(d, path);
    plasma_hash h;
    assert_int_equal(plasma_hash_parse(&h, tu_str(b, "root")), 0);
    json_decref(b);
    return h;
}

/* Whether the operator's log holds a line with text. */
static inline bool oe_log_has(const it_daemon *d, const char *text)
{
    return tu_file_contains(d->log, text);
}

static inline void oe_wait_log(const it_daemon *d, const char *text, double seconds)
{
    double deadline = it_now() + seconds;
    while (!oe_log_has(d, text)) {
        if (it_now() > deadline)
            fail_msg("no \"%s\" in the operator's log %s", text, d->log);
        it_sleep_ms(20);
    }
}

#endif
