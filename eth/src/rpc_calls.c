/* The quantities and data strings of the Ethereum API, and the common calls
 * built on plasma_eth_rpc_call. See plasma/eth_rpc.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/eth_rpc.h"
#include "plasma/u256.h"
#include "eth_internal.h"

int plasma_eth_quantity_u256(plasma_u256 *out, const json_t *v)
{
    const char *s = json_string_value(v);
    if (!s || strncmp(s, "0x", 2) != 0)
        return PLASMA_ERR_BAD_REQUEST;
    return plasma_u256_parse_hex(out, s);
}

int plasma_eth_quantity_u64(uint64_t *out, const json_t *v)
{
    plasma_u256 u;
    int rc = plasma_eth_quantity_u256(&u, v);
    if (rc != 0)
        return rc;
    return plasma_u256_to_u64(&u, out) ? PLASMA_OK : PLASMA_ERR_OVERFLOW;
}

json_t *plasma_eth_quantity_u256_json(const plasma_u256 *v)
{
    char hex[67];
    return json_string(plasma_u256_format_hex(hex, v));
}

json_t *plasma_eth_quantity_json(uint64_t v)
{
    plasma_u256 u = plasma_u256_from_u64(v);
    return plasma_eth_quantity_u256_json(&u);
}

json_t *plasma_eth_data_json(const uint8_t *data, size_t len)
{
    char *hex = malloc(2 * len + 3);
    if (!hex)
        return NULL;
    json_t *j = json_string(plasma_hex_encode(hex, data, len));
    free(hex);
    return j;
}

int plasma_eth_data_parse(plasma_buf *out, const json_t *v)
{
    const char *s = json_string_value(v);
    if (!s || strncmp(s, "0x", 2) != 0)
        return PLASMA_ERR_BAD_REQUEST;
    size_t digits = strlen(s + 2);
    if (digits % 2 != 0)
        return PLASMA_ERR_BAD_REQUEST;
    size_t mark = out->len;
    if (plasma_buf_reserve(out, digits / 2) != 0)
        return PLASMA_ERR_NOMEM;
    if (plasma_hex_decode_digits(out->data + mark, s + 2, digits) != 0)
        return PLASMA_ERR_BAD_REQUEST;
    out->len = mark + digits / 2;
    return PLASMA_OK;
}

int plasma_eth_fixed_parse(uint8_t *out, size_t len, const json_t *v)
{
    const char *s = json_string_value(v);
    if (!s || strncmp(s, "0x", 2) != 0 || strlen(s + 2) != 2 * len)
        return PLASMA_ERR_BAD_REQUEST;
    return plasma_hex_decode_digits(out, s + 2, 2 * len);
}

/* Calls a method whose result is a quantity. */
static int call_quantity(plasma_eth_rpc *rpc, const char *method, const json_t *params, plasma_u256 *out)
{
    json_t *res = NULL;
    int rc = plasma_eth_rpc_call(rpc, method, params, &res);
    if (rc == 0 && plasma_eth_quantity_u256(out, res) != 0)
        rc = PLASMA_ERR_BAD_REQUEST;
    json_decref(res);
    return rc;
}

static int call_u64(plasma_eth_rpc *rpc, const char *method, const json_t *params, uint64_t *out)
{
    plasma_u256 u;
    int rc = call_quantity(rpc, method, params, &u);
    if (rc == 0 && !plasma_u256_to_u64(&u, out))
        rc = PLASMA_ERR_BAD_REQUEST;
    return rc;
}

int plasma_eth_chain_id(plasma_eth_rpc *rpc, uint64_t *out)
{
    return call_u64(rpc, "eth_chainId", NULL, out);
}

int plasma_eth_block_number(plasma_eth_rpc *rpc, uint64_t *out)
{
    return call_u64(rpc, "eth_blockNumber", NULL, out);
}

json_t *plasma_eth_addr_json(const plasma_addr *a)
{
    char s[43];
    return json_string(plasma_addr_format(s, a));
}

int plasma_eth_balance(plasma_eth_rpc *rpc, const plasma_addr *addr, plasma_u256 *out)
{
    json_t *params = json_pack("[o,s]", plasma_eth_addr_json(addr), "latest");
    if (!params)
        return PLASMA_ERR_NOMEM;
    int rc = call_quantity(rpc, "eth_getBalance", params, out);
    json_decref(params);
    return rc;
}

int plasma_eth_header_from_json(plasma_eth_header *out, const json_t *block)
{
    if (json_is_null(block))
        return PLASMA_ERR_NOT_FOUND;
    plasma_eth_header h = {0};
    const json_t *base = json_object_get(block, "baseFeePerGas");
    if (!json_is_object(block) || plasma_eth_quantity_u64(&h.number, json_object_get(block, "number")) != 0 ||
        plasma_eth_fixed_parse(h.hash.b, 32, json_object_get(block, "hash")) != 0 ||
        plasma_eth_fixed_parse(h.parent_hash.b, 32, json_object_get(block, "parentHash")) != 0 ||
        plasma_eth_quantity_u64(&h.timestamp, json_object_get(block, "timestamp")) != 0 ||
        (base && plasma_eth_quantity_u256(&h.base_fee, base) != 0))
        return PLASMA_ERR_BAD_REQUEST;
    h.has_base_fee = base != NULL;
    *out = h;
    return PLASMA_OK;
}

int plasma_eth_header_get(plasma_eth_rpc *rpc, uint64_t number, plasma_eth_header *out)
{
    json_t *params = json_pack("[o,b]", plasma_eth_quantity_json(number), 0), *res = NULL;
    if (!params)
        return PLASMA_ERR_NOMEM;
    int rc = plasma_eth_rpc_call(rpc, "eth_getBlockByNumber", params, &res);
    if (rc == 0)
        rc = plasma_eth_header_from_json(out, res);
    json_decref(res);
    json_decref(params);
    return rc;
}

json_t *plasma_eth_call_object(const plasma_addr *from, const plasma_addr *to, const plasma_u256 *value,
                               const uint8_t *data, size_t len)
{
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    int bad = json_object_set_new(obj, "data", plasma_eth_data_json(data, len));
    if (from)
        bad |= json_object_set_new(obj, "from", plasma_eth_addr_json(from));
    if (to)
        bad |= json_object_set_new(obj, "to", plasma_eth_addr_json(to));
    if (value)
        bad |= json_object_set_new(obj, "value", plasma_eth_quantity_u256_json(value));
    if (bad) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

int plasma_eth_call(plasma_eth_rpc *rpc, const plasma_addr *from, const plasma_addr *to,
                    const plasma_u256 *value, const uint8_t *data, size_t len, const char *tag,
                    plasma_buf *ret)
{
    json_t *params =
        json_pack("[o,s]", plasma_eth_call_object(from, to, value, data, len), tag ? tag : "latest");
    json_t *res = NULL;
    if (!params)
        return PLASMA_ERR_NOMEM;
    int rc = plasma_eth_rpc_call(rpc, "eth_call", params, &res);
    if (rc == 0)
        rc = plasma_eth_data_parse(ret, res);
    json_decref(res);
    json_decref(params);
    return rc;
}

int plasma_eth_code(plasma_eth_rpc *rpc, const plasma_addr *addr, const char *tag, plasma_buf *out)
{
    json_t *params = json_pack("[o,s]", plasma_eth_addr_json(addr), tag ? tag : "latest"), *res = NULL;
    if (!params)
        return PLASMA_ERR_NOMEM;
    int rc = plasma_eth_rpc_call(rpc, "eth_getCode", params, &res);
    if (rc == 0)
        rc = plasma_eth_data_parse(out, res);
    json_decref(res);
    json_decref(params);
    return rc;
}
