/* EIP-1559 transactions against ethers (vectors/abi-encoding.json): the
 * signing hash, the raw signed bytes and the hash of each; contract
 * addresses; and the fee policy: fees from a feeHistory answer, bumps of a
 * replacement, malformed answers refused. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "plasma/eth.h"

static plasma_u256 dec(const char *s)
{
    plasma_u256 v;
    assert_int_equal(plasma_u256_parse_dec(&v, s), 0);
    return v;
}

static uint64_t dec64(const char *s)
{
    plasma_u256 v = dec(s);
    uint64_t out;
    assert_true(plasma_u256_to_u64(&v, &out));
    return out;
}

static void test_transactions_match_ethers(void **state)
{
    (void)state;
    json_t *vec = tu_load_json("abi-encoding.json");
    json_t *txs = json_object_get(vec, "transactions");
    assert_true(json_array_size(txs) >= 4);
    for (size_t i = 0; i < json_array_size(txs); i++) {
        json_t *t = json_array_get(txs, i);
        size_t data_len;
        uint8_t *data = tu_hex(tu_str(t, "data"), &data_len);
        plasma_eth_tx tx = {.chain_id = dec64(tu_str(t, "chain_id")),
                            .nonce = dec64(tu_str(t, "nonce")),
                            .max_priority_fee = dec(tu_str(t, "max_priority_fee")),
                            .max_fee = dec(tu_str(t, "max_fee")),
                            .gas_limit = dec64(tu_str(t, "gas_limit")),
                            .value = dec(tu_str(t, "value")),
                            .data = data,
                            .data_len = data_len};
        const json_t *to = json_object_get(t, "to");
        tx.create = json_is_null(to);
        if (!tx.create)
            assert_int_equal(plasma_addr_parse(&tx.to, json_string_value(to)), 0);
        plasma_privkey key;
        assert_int_equal(plasma_hex_decode_fixed(key.b, 32, tu_str(t, "key")), 0);

        plasma_hash h;
        assert_int_equal(plasma_eth_tx_signing_hash(&h, &tx), 0);
        tu_assert_hex(h.b, 32, tu_str(t, "signing_hash"));

        plasma_buf raw = {0};
        uint8_t prefix[2] = {0xaa, 0xbb};
        plasma_buf_append(&raw, prefix, 2); /* signing appends */
        assert_int_equal(plasma_eth_tx_sign(&raw, &h, &tx, &key), 0);
        tu_assert_hex(raw.data + 2, raw.len - 2, tu_str(t, "raw"));
        tu_assert_hex(h.b, 32, tu_str(t, "hash"));

        /* The signer the chain will recover is the key's address. */
        plasma_addr from, want;
        assert_int_equal(plasma_privkey_addr(&from, &key), 0);
        assert_int_equal(plasma_addr_parse(&want, tu_str(t, "from")), 0);
        assert_true(plasma_addr_eq(&from, &want));
        plasma_buf_free(&raw);
        free(data);
    }
    json_decref(vec);
}

static void test_invalid_key_refused(void **state)
{
    (void)state;
    plasma_eth_tx tx = {.chain_id = 1, .gas_limit = 21000};
    plasma_privkey zero = {{0}};
    plasma_buf raw = {0};
    assert_int_equal(plasma_eth_tx_sign(&raw, NULL, &tx, &zero), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(raw.len, 0);
    plasma_buf_free(&raw);
}

static void test_create_addresses_match_ethers(void **state)
{
    (void)state;
    json_t *vec = tu_load_json("abi-encoding.json");
    json_t *rows = json_object_get(vec, "create_addresses");
    assert_true(json_array_size(rows) >= 8);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        plasma_addr from, got;
        assert_int_equal(plasma_addr_parse(&from, tu_str(r, "from")), 0);
        plasma_eth_create_address(&got, &from, dec64(tu_str(r, "nonce")));
        tu_assert_hex(got.b, 20, tu_str(r, "address"));
    }
    json_decref(vec);
}

/* --- fees --- */

static plasma_eth_fee_policy default_policy(void)
{
    plasma_eth_sender_config cfg;
    plasma_eth_sender_config_default(&cfg);
    return cfg.fees;
}

static json_t *history(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    return j;
}

static void assert_u256(const plasma_u256 *v, uint64_t want)
{
    uint64_t got;
    assert_true(plasma_u256_to_u64(v, &got));
    assert_int_equal(got, want);
}

static void test_fees_from_history(void **state)
{
    (void)state;
    plasma_eth_fee_policy p = default_policy();
    plasma_eth_fees f;
    /* base fees of 4 blocks and the next; rewards 3, 1, 5, 2 gwei: the lower
     * median is 2 gwei; maxFee = 2 × 10 gwei + 2 gwei. */
    json_t *h = history("{\"oldestBlock\":\"0x10\",\"baseFeePerGas\":[\"0x1\",\"0x2\",\"0x3\",\"0x4\","
                        "\"0x2540be400\"],\"gasUsedRatio\":[0.5,0.5,0.5,0.5],\"reward\":[[\"0xb2d05e00\"],"
                        "[\"0x3b9aca00\"],[\"0x12a05f200\"],[\"0x77359400\"]]}");
    assert_int_equal(plasma_eth_fees_from_history(&f, &p, h), 0);
    assert_u256(&f.max_priority_fee, 2000000000);
    assert_u256(&f.max_fee, 22000000000);
    /* the floor (1 gwei) lifts empty blocks' zero rewards */
    json_t *empty = history("{\"baseFeePerGas\":[\"0x0\",\"0x7\"],\"reward\":[[\"0x0\"]]}");
    assert_int_equal(plasma_eth_fees_from_history(&f, &p, empty), 0);
    assert_u256(&f.max_priority_fee, 1000000000);
    assert_u256(&f.max_fee, 1000000014);
    /* a cap holds both fields */
    p.max_fee_cap = plasma_u256_from_u64(1500000000);
    assert_int_equal(plasma_eth_fees_from_history(&f, &p, h), 0);
    assert_u256(&f.max_priority_fee, 1500000000);
    assert_u256(&f.max_fee, 1500000000);
    json_decref(h);
    json_decref(empty);

    static const char *const BAD[] = {
        "{\"reward\":[[\"0x1\"]]}",                                     /* no base fees: not EIP-1559 */
        "{\"baseFeePerGas\":[]}",                                       /* none at all */
        "{\"baseFeePerGas\":[\"12\"]}",                                 /* not a quantity */
        "{\"baseFeePerGas\":[\"0x1\"],\"reward\":[[\"0x1\",\"0x2\"]]}", /* two percentiles */
        "{\"baseFeePerGas\":[\"0x1\"],\"reward\":[\"0x1\"]}",           /* not rows */
        "{\"baseFeePerGas\":[\"0x1\"],\"reward\":{}}",
    };
    p = default_policy();
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        json_t *b = history(BAD[i]);
        assert_int_equal(plasma_eth_fees_from_history(&f, &p, b), PLASMA_ERR_BAD_REQUEST);
        json_decref(b);
    }
}

static void test_fee_bumps(void **state)
{
    (void)state;
    plasma_eth_fee_policy p = default_policy();
    plasma_eth_fees old = {plasma_u256_from_u64(1000000000), plasma_u256_from_u64(3000000001)};
    plasma_eth_fees fresh = {plasma_u256_from_u64(1), plasma_u256_from_u64(1)};
    plasma_eth_fees out;
    /* +12.5 %, rounded up */
    assert_int_equal(plasma_eth_fees_bump(&out, &old, &fresh, &p), 0);
    assert_u256(&out.max_priority_fee, 1125000000);
    assert_u256(&out.max_fee, 3375000002);
    /* the market rose more: take it */
    fresh.max_fee = plasma_u256_from_u64(9000000000);
    assert_int_equal(plasma_eth_fees_bump(&out, &old, &fresh, &p), 0);
    assert_u256(&out.max_fee, 9000000000);
    /* zero and tiny fees still rise */
    plasma_eth_fees tiny = {plasma_u256_from_u64(0), plasma_u256_from_u64(7)};
    fresh = (plasma_eth_fees){plasma_u256_from_u64(0), plasma_u256_from_u64(0)};
    assert_int_equal(plasma_eth_fees_bump(&out, &tiny, &fresh, &p), 0);
    assert_u256(&out.max_priority_fee, 1);
    assert_u256(&out.max_fee, 8);
    /* every bump of a random pair is at least 12.5 % on both fields */
    uint64_t rng = 0xfee5;
    for (int i = 0; i < 1000; i++) {
        uint64_t a = tu_rand(&rng) >> 8, b = a + (tu_rand(&rng) >> 8);
        plasma_eth_fees o = {plasma_u256_from_u64(a), plasma_u256_from_u64(b)};
        assert_int_equal(plasma_eth_fees_bump(&out, &o, &fresh, &p), 0);
        uint64_t np, nf;
        assert_true(plasma_u256_to_u64(&out.max_priority_fee, &np) && plasma_u256_to_u64(&out.max_fee, &nf));
        assert_true(np * 8 >= a * 9 && np > a);
        assert_true(nf * 8 >= b * 9 && nf > b);
        assert_true(np <= nf);
    }
    /* the cap leaves no room: refused, nothing written */
    p.max_fee_cap = plasma_u256_from_u64(3100000000);
    out.max_fee = plasma_u256_from_u64(42);
    assert_int_equal(plasma_eth_fees_bump(&out, &old, &fresh, &p), PLASMA_ERR_OVERFLOW);
    assert_u256(&out.max_fee, 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transactions_match_ethers),
        cmocka_unit_test(test_invalid_key_refused),
        cmocka_unit_test(test_create_addresses_match_ethers),
        cmocka_unit_test(test_fees_from_history),
        cmocka_unit_test(test_fee_bumps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
