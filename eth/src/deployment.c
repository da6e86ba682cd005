/* Checks of a deployment that every program on the contract makes at its
 * start, and startInFlightExit calls read back from the chain. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "plasma/eip712.h"
#include "plasma/err.h"
#include "plasma/eth_contract.h"
#include "plasma/u256.h"

#define fail(err, err_len, ...) plasma_err_printf(PLASMA_ERR_CONFIG, err, err_len, __VA_ARGS__)

/* A failed call: a node that does not answer is unavailable (try again
 * later), one that answers wrongly is not the node the options name. */
static int rpc_fail(plasma_eth_rpc *rpc, int rc, const char *what, char *err, size_t err_len)
{
    return plasma_err_printf(rc == PLASMA_ERR_UNAVAILABLE ? rc : PLASMA_ERR_CONFIG, err, err_len, "%s: %s",
                             what, plasma_eth_rpc_last_error(rpc)->message);
}

/* The code is this build's, its operator the expected one, and its EIP-712
 * domain (chain id, address): what wallets sign against. */
static int check_code(plasma_eth_rpc *rpc, const plasma_addr *contract, const plasma_eth_expect *want,
                      uint64_t chain_id, const char *address, char *err, size_t err_len)
{
    plasma_buf code = {0};
    plasma_eth_contract *c = NULL;
    plasma_addr op;
    plasma_hash sep;
    plasma_domain dom;
    char a[43];
    plasma_domain_init(&dom, chain_id, contract);
    int rc = plasma_eth_code(rpc, contract, NULL, &code);
    if (rc == 0)
        rc = plasma_eth_contract_new(&c, rpc, contract);
    if (rc != 0)
        rc = rpc_fail(rpc, rc, "--rpc", err, err_len);
    else if (code.len == 0)
        rc = fail(err, err_len, "--contract %s: no contract there on chain %" PRIu64, address, chain_id);
    else if (!plasma_eth_is_plasma_code(code.data, code.len))
        rc = fail(err, err_len, "--contract %s: the code there is not this build's PlasmaRootChain", address);
    else if ((rc = plasma_eth_contract_operator(c, &op)) != 0 ||
             (rc = plasma_eth_contract_domain_separator(c, &sep)) != 0) {
        char what[64];
        snprintf(what, sizeof what, "--contract %s", address);
        rc = rpc_fail(rpc, rc, what, err, err_len);
    } else if (want->operator_addr && !plasma_addr_eq(&op, want->operator_addr))
        rc = fail(err, err_len, "--contract %s: its operator is %s, not this operator key's", address,
                  plasma_addr_format(a, &op));
    else if (!plasma_hash_eq(&sep, &dom.separator))
        rc = fail(err, err_len, "--contract %s: its EIP-712 domain is not chain %" PRIu64, address, chain_id);
    plasma_eth_contract_free(c);
    plasma_buf_free(&code);
    return rc;
}

int plasma_eth_check_deployment(plasma_eth_rpc *rpc, const plasma_addr *contract,
                                const plasma_eth_expect *want, uint64_t *chain_id, char *err, size_t err_len)
{
    char a[43];
    const char *address = want->contract_text ? want->contract_text : plasma_addr_format(a, contract);
    uint64_t id;
    int rc = plasma_eth_chain_id(rpc, &id);
    if (rc != 0)
        return rpc_fail(rpc, rc, "--rpc", err, err_len);
    if (want->chain_id && want->chain_id != id)
        return fail(err, err_len, "--chain-id %" PRIu64 ": the node at --rpc is chain %" PRIu64,
                    want->chain_id, id);
    rc = check_code(rpc, contract, want, id, address, err, err_len);
    if (rc == 0)
        *chain_id = id;
    return rc;
}

int plasma_eth_read_start_ife(plasma_eth_rpc *rpc, const plasma_hash *tx_hash, plasma_buf *tx,
                              uint64_t *inputs, size_t max, size_t *n)
{
    json_t *params = json_pack("[o]", plasma_eth_data_json(tx_hash->b, 32)), *res = NULL;
    plasma_buf data = {0};
    plasma_eth_abi_value *args = NULL;
    plasma_eth_fn fn;
    size_t n_args = 0, k = 0;
    int rc = params ? plasma_eth_rpc_call(rpc, "eth_getTransactionByHash", params, &res) : PLASMA_ERR_NOMEM;
    if (rc == 0 && plasma_eth_data_parse(&data, json_object_get(res, "input")) != 0)
        rc = PLASMA_ERR_BAD_REQUEST;
    if (rc == 0 && (plasma_eth_decode_calldata(&fn, &args, &n_args, data.data, data.len) != 0 ||
                    fn != PLASMA_ETH_FN_START_IN_FLIGHT_EXIT || n_args != 4 || args[2].len > max))
        rc = PLASMA_ERR_NOT_FOUND;
    for (; rc == 0 && k < args[2].len; k++)
        if (!plasma_u256_to_u64(&args[2].items[k].uint, &inputs[k]))
            rc = PLASMA_ERR_NOT_FOUND;
    if (rc == 0 && tx && plasma_buf_append(tx, args[0].bytes, args[0].len) != 0)
        rc = PLASMA_ERR_NOMEM;
    if (rc == 0)
        *n = k;
    plasma_eth_abi_values_free(args);
    plasma_buf_free(&data);
    json_decref(res);
    json_decref(params);
    return rc;
}
