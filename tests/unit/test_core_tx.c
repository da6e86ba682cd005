/* The transaction codec and EIP-712 signing against the protocol vectors,
 * the invalid-transaction vectors with the error code each must give, and
 * property tests: random transactions round-trip and random corruption never
 * crashes a decoder. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

/* --- building txs from the vectors --- */

static void parse_u256_dec(plasma_u256 *out, const char *dec)
{
    assert_int_equal(plasma_u256_parse_dec(out, dec), 0);
}

static void parse_addr(plasma_addr *out, const char *hex)
{
    assert_int_equal(plasma_addr_parse(out, hex), 0);
}

static uint64_t parse_pos(const json_t *in)
{
    plasma_u256 pos;
    uint64_t v;
    parse_u256_dec(&pos, tu_str(in, "utxo_pos"));
    assert_true(plasma_u256_to_u64(&pos, &v));
    assert_true(plasma_pos_blknum(v) == (uint64_t)json_integer_value(json_object_get(in, "blknum")));
    assert_int_equal(plasma_pos_txindex(v), json_integer_value(json_object_get(in, "txindex")));
    assert_int_equal(plasma_pos_oindex(v), json_integer_value(json_object_get(in, "oindex")));
    return v;
}

static void tx_from_json(plasma_tx *tx, const json_t *j)
{
    memset(tx, 0, sizeof *tx);
    tx->tx_type = (uint8_t)json_integer_value(json_object_get(j, "tx_type"));
    json_t *ins = json_object_get(j, "inputs"), *outs = json_object_get(j, "outputs");
    assert_true(json_array_size(ins) <= PLASMA_MAX_INPUTS);
    assert_true(json_array_size(outs) <= PLASMA_MAX_OUTPUTS);
    size_t i;
    json_t *v;
    for (i = 0; i < json_array_size(ins); i++) {
        v = json_array_get(ins, i);
        tx->inputs[i] = parse_pos(v);
    }
    tx->n_inputs = (uint8_t)json_array_size(ins);
    for (i = 0; i < json_array_size(outs); i++) {
        v = json_array_get(outs, i);
        assert_int_equal(json_integer_value(json_object_get(v, "output_type")), 1);
        parse_addr(&tx->outputs[i].owner, tu_str(v, "owner"));
        parse_addr(&tx->outputs[i].token, tu_str(v, "token"));
        parse_u256_dec(&tx->outputs[i].amount, tu_str(v, "amount"));
    }
    tx->n_outputs = (uint8_t)json_array_size(outs);
    assert_int_equal(plasma_hash_parse(&tx->metadata, tu_str(j, "metadata")), 0);
}

static void assert_encoding(const plasma_tx *tx, bool is_signed, const char *hex)
{
    plasma_buf buf = {0};
    int rc = is_signed ? plasma_tx_encode_signed(&buf, tx) : plasma_tx_encode_unsigned(&buf, tx);
    assert_int_equal(rc, 0);
    tu_assert_hex(buf.data, buf.len, hex);
    plasma_buf_free(&buf);
}

/* --- domain and positions --- */

static void test_domain(void **state)
{
    (void)state;
    json_t *root = tu_load_json("protocol.json");
    json_t *d = json_object_get(root, "domain");
    assert_string_equal(tu_str(d, "name"), "Plasma");
    assert_string_equal(tu_str(d, "version"), "1");
    assert_int_equal(json_integer_value(json_object_get(d, "chain_id")), PLASMA_DEV_CHAIN_ID);
    assert_string_equal(tu_str(d, "verifying_contract"), PLASMA_DEV_VERIFYING_CONTRACT);

    plasma_domain dev, other;
    plasma_domain_dev(&dev);
    tu_assert_hex(dev.separator.b, 32, tu_str(d, "separator"));
    assert_int_equal(dev.chain_id, 31337);
    tu_assert_hex(dev.verifying_contract.b, 20, tu_str(d, "verifying_contract"));
    tu_assert_hex(plasma_eip712_tx_typehash()->b, 32, tu_str(d, "type_hash_transaction"));

    plasma_addr contract;
    parse_addr(&contract, tu_str(d, "verifying_contract"));
    plasma_domain_init(&other, 31337, &contract);
    assert_true(plasma_hash_eq(&other.separator, &dev.separator));
    plasma_domain_init(&other, 1, &contract);
    assert_false(plasma_hash_eq(&other.separator, &dev.separator));
    json_decref(root);
}

static void test_utxo_pos(void **state)
{
    (void)state;
    json_t *root = tu_load_json("protocol.json");
    size_t i;
    json_t *v;
    json_t *positions = json_object_get(root, "utxo_pos");
    for (i = 0; i < json_array_size(positions); i++) {
        v = json_array_get(positions, i);
        uint64_t blknum = (uint64_t)json_integer_value(json_object_get(v, "blknum"));
        uint32_t txindex = (uint32_t)json_integer_value(json_object_get(v, "txindex"));
        uint32_t oindex = (uint32_t)json_integer_value(json_object_get(v, "oindex"));
        uint64_t pos = plasma_utxo_pos(blknum, txindex, oindex);
        assert_true(pos == parse_pos(v));
        assert_true(plasma_utxo_pos_valid(pos));
    }
    json_decref(root);

    assert_false(plasma_utxo_pos_valid(0));
    assert_false(plasma_utxo_pos_valid(3));          /* block 0 */
    assert_false(plasma_utxo_pos_valid(999999999));  /* block 0 */
    assert_false(plasma_utxo_pos_valid(1000000004)); /* oindex 4 */
    assert_false(plasma_utxo_pos_valid(1000009999)); /* oindex 9999 */
    assert_false(plasma_utxo_pos_valid(plasma_utxo_pos(1, 65536, 0)));
    assert_false(plasma_utxo_pos_valid(1999990000)); /* txindex 99999 */
    assert_true(plasma_utxo_pos_valid(plasma_utxo_pos(1, 65535, 3)));
    /* The last block all of whose positions fit in 64 bits, and the next. */
    assert_true(plasma_utxo_pos_valid(plasma_utxo_pos(18446744072ull, 65535, 3)));
    assert_false(plasma_utxo_pos_valid(plasma_utxo_pos(18446744073ull, 0, 0)));
    assert_false(plasma_utxo_pos_valid(UINT64_MAX));
    assert_true(plasma_is_child_blknum(1000));
    assert_false(plasma_is_child_blknum(1001));
    assert_false(plasma_is_child_blknum(0));
}

/* --- the 12 transactions --- */

/* True when some token's outputs sum past 2^256 - 1 (computed here
 * independently of tx.c). */
static bool outputs_overflow(const plasma_tx *tx)
{
    for (unsigned i = 0; i < tx->n_outputs; i++) {
        plasma_u256 sum = {{0, 0, 0, 0}};
        for (unsigned j = 0; j < tx->n_outputs; j++) {
            if (plasma_addr_eq(&tx->outputs[j].token, &tx->outputs[i].token) &&
                plasma_u256_add(&sum, &sum, &tx->outputs[j].amount) != 0)
                return true;
        }
    }
    return false;
}

/* Decoding a vector's signed and unsigned forms. transactions[7] of
 * protocol.json pays 2^256 - 1 and more in ETH: a sum that overflows, which
 * PROTOCOL §1 (overflow-checked amounts) and the invalid vector "sum of
 * outputs overflows 2^256" make invalid, so the decoders must reject it with
 * amounts_do_not_add_up even though its encoding and signatures are valid
 * vectors. */
static void check_vector_decode(const json_t *t, const plasma_tx *signed_tx, const plasma_domain *dom)
{
    int want = outputs_overflow(signed_tx) ? PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP : 0;
    plasma_tx dec, unsigned_tx = *signed_tx;
    unsigned_tx.n_sigs = 0;
    size_t len;
    uint8_t *raw = tu_hex(tu_str(t, "signed_rlp"), &len);
    assert_int_equal(plasma_tx_decode_signed(&dec, raw, len), want);
    if (want == 0) {
        assert_true(plasma_tx_eq(&dec, signed_tx));
        plasma_addr signers[PLASMA_MAX_INPUTS];
        assert_int_equal(plasma_tx_recover_signers(signers, dom, &dec), 0);
        for (unsigned i = 0; i < dec.n_inputs; i++) {
            const json_t *addrs = json_object_get(t, "signer_addresses");
            tu_assert_hex(signers[i].b, 20, json_string_value(json_array_get(addrs, i)));
        }
    }
    assert_int_equal(plasma_tx_decode_block_tx(&dec, raw, len), want);
    if (want == 0)
        assert_true(plasma_tx_eq(&dec, signed_tx));
    assert_int_equal(plasma_tx_decode_unsigned(&dec, raw, len), PLASMA_ERR_MALFORMED_TX);
    free(raw);

    raw = tu_hex(tu_str(t, "unsigned_rlp"), &len);
    assert_int_equal(plasma_tx_decode_unsigned(&dec, raw, len), want);
    if (want == 0)
        assert_true(plasma_tx_eq(&dec, &unsigned_tx));
    assert_int_equal(plasma_tx_decode_signed(&dec, raw, len), PLASMA_ERR_MALFORMED_TX);
    free(raw);
}

/* Returns 1 when the vector's outputs overflow (see check_vector_decode). */
static int check_vector_tx(const json_t *t, const plasma_domain *dom)
{
    plasma_tx tx;
    tx_from_json(&tx, json_object_get(t, "tx"));
    assert_encoding(&tx, false, tu_str(t, "unsigned_rlp"));

    plasma_hash h;
    assert_int_equal(plasma_tx_hash(&h, &tx), 0);
    tu_assert_hex(h.b, 32, tu_str(t, "txhash"));
    plasma_eip712_digest(&h, dom, &tx);
    tu_assert_hex(h.b, 32, tu_str(t, "eip712_digest"));

    json_t *keys = json_object_get(t, "signer_private_keys");
    json_t *sigs = json_object_get(t, "sigs");
    json_t *addrs = json_object_get(t, "signer_addresses");
    assert_int_equal(json_array_size(keys), tx.n_inputs);
    for (unsigned i = 0; i < tx.n_inputs; i++) {
        plasma_privkey key;
        const char *key_hex = json_string_value(json_array_get(keys, i));
        assert_int_equal(plasma_hex_decode_fixed(key.b, 32, key_hex), 0);
        assert_int_equal(plasma_tx_sign_input(&tx, dom, i, &key), 0);
        tu_assert_hex(tx.sigs[i].b, 65, json_string_value(json_array_get(sigs, i)));
    }
    assert_int_equal(tx.n_sigs, tx.n_inputs);
    assert_encoding(&tx, true, tu_str(t, "signed_rlp"));

    plasma_addr signers[PLASMA_MAX_INPUTS];
    assert_int_equal(plasma_tx_recover_signers(signers, dom, &tx), 0);
    for (unsigned i = 0; i < tx.n_inputs; i++)
        tu_assert_hex(signers[i].b, 20, json_string_value(json_array_get(addrs, i)));

    int want = outputs_overflow(&tx) ? PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP : 0;
    assert_int_equal(plasma_tx_check(&tx, true), want);
    check_vector_decode(t, &tx, dom);
    return want != 0;
}

static void test_transactions(void **state)
{
    (void)state;
    json_t *root = tu_load_json("protocol.json");
    json_t *list = json_object_get(root, "transactions");
    assert_int_equal(json_array_size(list), 12);
    plasma_domain dom;
    plasma_domain_dev(&dom);
    size_t i;
    json_t *t;
    int overflowing = 0;
    for (i = 0; i < json_array_size(list); i++) {
        t = json_array_get(list, i);
        overflowing += check_vector_tx(t, &dom);
    }
    /* Only transactions[7] (see check_vector_decode). */
    assert_int_equal(overflowing, 1);
    json_decref(root);
}

/* The vectors' digests again, hashed together: 45 transactions (the twelve
 * repeated, so several chunks and mixed input and output counts per pass),
 * on the vectorised Keccak path and on the portable one. */
static void test_digest_many(void **state)
{
    (void)state;
    json_t *root = tu_load_json("protocol.json");
    json_t *list = json_object_get(root, "transactions");
    size_t nv = json_array_size(list);
    assert_true(nv >= 12);
    plasma_domain dom;
    plasma_domain_dev(&dom);
    enum { N = 45 };
    static plasma_tx txs[N];
    const plasma_tx *ptrs[N];
    plasma_hash got[N + 1];
    for (size_t i = 0; i < N; i++) {
        tx_from_json(&txs[i], json_object_get(json_array_get(list, (i * 7) % nv), "tx"));
        ptrs[i] = &txs[i];
    }
    for (int pass = 0; pass < 3; pass++) {
        plasma_keccak_set_lanes(pass == 0 ? 8 : pass == 1 ? 4 : 1);
        for (size_t n = 0; n <= N; n += (n < 20 ? 1 : 5)) {
            memset(got, 0xab, sizeof got);
            plasma_eip712_digest_many(got, &dom, ptrs, n);
            for (size_t i = 0; i < n; i++)
                tu_assert_hex(got[i].b, 32, tu_str(json_array_get(list, (i * 7) % nv), "eip712_digest"));
            for (int b = 0; b < 32; b++)
                assert_int_equal(got[n].b[b], 0xab);
        }
    }
    plasma_keccak_set_lanes(8);
    json_decref(root);
}

/* --- deposit and fee --- */

static void test_deposit(void **state)
{
    (void)state;
    json_t *root = tu_load_json("protocol.json");
    json_t *d = json_object_get(root, "deposit");
    plasma_addr owner, token;
    plasma_u256 amount;
    parse_addr(&owner, tu_str(d, "owner"));
    parse_addr(&token, tu_str(d, "token"));
    parse_u256_dec(&amount, tu_str(d, "amount"));
    plasma_tx tx, dec;
    plasma_tx_make_deposit(&tx, &owner, &token, &amount);
    assert_int_equal(tx.tx_type, PLASMA_TX_PAYMENT);
    assert_int_equal(tx.n_inputs, 0);
    assert_int_equal(tx.n_outputs, 1);
    assert_int_equal(plasma_tx_check(&tx, false), 0);
    assert_int_equal(plasma_tx_check(&tx, true), PLASMA_ERR_MALFORMED_TX);
    assert_encoding(&tx, false, tu_str(d, "unsigned_rlp"));
    plasma_hash h;
    assert_int_equal(plasma_tx_hash(&h, &tx), 0);
    tu_assert_hex(h.b, 32, tu_str(d, "txhash"));

    size_t len;
    uint8_t *raw = tu_hex(tu_str(d, "unsigned_rlp"), &len);
    assert_int_equal(plasma_tx_decode_unsigned(&dec, raw, len), 0);
    assert_true(plasma_tx_eq(&dec, &tx));
    free(raw);

    /* In a block: signed form with an empty signature list. */
    plasma_buf buf = {0};
    assert_int_equal(plasma_tx_encode_signed(&buf, &tx), 0);
    size_t hdr = buf.data[0] > 0xf7 ? 1u + (buf.data[0] - 0xf7u) : 1u;
    assert_int_equal(buf.data[hdr], 0xc0); /* the empty signature list */
    assert_int_equal(plasma_tx_decode_block_tx(&dec, buf.data, buf.len), 0);
    assert_true(plasma_tx_eq(&dec, &tx));
    assert_int_equal(plasma_tx_decode_signed(&dec, buf.data, buf.len), PLASMA_ERR_MALFORMED_TX);
    plasma_buf_free(&buf);

    /* Non-zero metadata does not make a deposit. */
    tx.metadata.b[5] = 1;
    assert_int_equal(plasma_tx_check(&tx, false), PLASMA_ERR_MALFORMED_TX);
    json_decref(root);
}

static void test_fee(void **state)
{
    (void)state;
    json_t *root = tu_load_json("protocol.json");
    json_t *f = json_object_get(root, "fee");
    plasma_addr ben, token;
    plasma_u256 amount;
    parse_addr(&ben, tu_str(f, "beneficiary"));
    parse_addr(&token, tu_str(f, "token"));
    parse_u256_dec(&amount, tu_str(f, "amount"));
    plasma_tx tx, dec;
    plasma_tx_make_fee(&tx, (uint64_t)json_integer_value(json_object_get(f, "blknum")), &ben, &token,
                       &amount);
    assert_int_equal(tx.tx_type, PLASMA_TX_FEE);
    tu_assert_hex(tx.metadata.b, 32, tu_str(f, "metadata"));
    assert_int_equal(plasma_tx_check(&tx, false), 0);
    assert_encoding(&tx, false, tu_str(f, "unsigned_rlp"));
    plasma_hash h;
    assert_int_equal(plasma_tx_hash(&h, &tx), 0);
    tu_assert_hex(h.b, 32, tu_str(f, "txhash"));

    size_t len;
    uint8_t *raw = tu_hex(tu_str(f, "unsigned_rlp"), &len);
    assert_int_equal(plasma_tx_decode_unsigned(&dec, raw, len), 0);
    assert_true(plasma_tx_eq(&dec, &tx));
    free(raw);

    plasma_buf buf = {0};
    assert_int_equal(plasma_tx_encode_signed(&buf, &tx), 0);
    assert_int_equal(plasma_tx_decode_block_tx(&dec, buf.data, buf.len), 0);
    assert_true(plasma_tx_eq(&dec, &tx));
    assert_int_equal(plasma_tx_decode_signed(&dec, buf.data, buf.len), PLASMA_ERR_MALFORMED_TX);
    plasma_buf_free(&buf);

    /* A fee tx has exactly one output and no inputs. */
    plasma_tx two = tx;
    two.n_outputs = 2;
    two.outputs[1] = two.outputs[0];
    assert_int_equal(plasma_tx_check(&two, false), PLASMA_ERR_MALFORMED_TX);
    plasma_tx spends = tx;
    spends.n_inputs = 1;
    spends.inputs[0] = plasma_utxo_pos(1000, 0, 0);
    assert_int_equal(plasma_tx_check(&spends, false), PLASMA_ERR_MALFORMED_TX);
    json_decref(root);
}

/* --- invalid signed txs --- */

static const struct {
    const char *reason;
    int err;
} invalid_codes[] = {
    {"trailing bytes after the list", PLASMA_ERR_MALFORMED_TX},
    {"missing signature", PLASMA_ERR_MISSING_SIGNATURE},
    {"superfluous signature", PLASMA_ERR_SUPERFLUOUS_SIGNATURE},
    {"duplicate inputs", PLASMA_ERR_DUPLICATE_INPUTS},
    {"too many inputs", PLASMA_ERR_TOO_MANY_INPUTS},
    {"too many outputs", PLASMA_ERR_TOO_MANY_OUTPUTS},
    {"zero amount", PLASMA_ERR_AMOUNT_ZERO},
    {"zero owner", PLASMA_ERR_MALFORMED_TX},
    {"no outputs", PLASMA_ERR_MALFORMED_TX},
    {"unknown tx type", PLASMA_ERR_MALFORMED_TX},
    {"high-s signature", PLASMA_ERR_BAD_SIGNATURE},
    {"v not 27 or 28", PLASMA_ERR_BAD_SIGNATURE},
    {"signature of 64 bytes", PLASMA_ERR_BAD_SIGNATURE},
    {"leading zero in integer", PLASMA_ERR_MALFORMED_TX},
    {"owner of 19 bytes", PLASMA_ERR_MALFORMED_TX},
    {"metadata not 32 bytes", PLASMA_ERR_MALFORMED_TX},
    {"unknown output type", PLASMA_ERR_MALFORMED_TX},
    {"extra field", PLASMA_ERR_MALFORMED_TX},
    {"oindex out of range", PLASMA_ERR_MALFORMED_TX},
    {"input position zero", PLASMA_ERR_MALFORMED_TX},
    {"sum of outputs overflows 2^256", PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP},
};

static int expected_code(const char *reason)
{
    for (size_t i = 0; i < sizeof invalid_codes / sizeof invalid_codes[0]; i++)
        if (strcmp(invalid_codes[i].reason, reason) == 0)
            return invalid_codes[i].err;
    fail_msg("invalid_signed_txs reason not in the table: %s", reason);
    return 0;
}

static void test_invalid_signed(void **state)
{
    (void)state;
    json_t *root = tu_load_json("protocol.json");
    json_t *list = json_object_get(root, "invalid_signed_txs");
    assert_int_equal(json_array_size(list), 21);
    size_t i;
    json_t *t;
    for (i = 0; i < json_array_size(list); i++) {
        t = json_array_get(list, i);
        const char *reason = tu_str(t, "reason");
        int want = expected_code(reason);
        size_t len;
        uint8_t *raw = tu_hex(tu_str(t, "signed_rlp"), &len);
        plasma_tx tx;
        int got = plasma_tx_decode_signed(&tx, raw, len);
        if (got != want)
            fail_msg("%s: got %s, expected %s", reason, plasma_err_code(got), plasma_err_code(want));
        int block = plasma_tx_decode_block_tx(&tx, raw, len);
        if (block != want)
            fail_msg("%s (block tx): got %s", reason, plasma_err_code(block));
        free(raw);
    }
    json_decref(root);
}

/* --- the rules on hand-built txs --- */

static plasma_tx simple_tx(void)
{
    plasma_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.tx_type = PLASMA_TX_PAYMENT;
    tx.n_inputs = 1;
    tx.inputs[0] = plasma_utxo_pos(1000, 0, 0);
    tx.n_outputs = 1;
    tx.outputs[0].owner.b[19] = 1;
    tx.outputs[0].amount = plasma_u256_from_u64(5);
    return tx;
}

static void test_check_rules(void **state)
{
    (void)state;
    plasma_tx tx = simple_tx();
    assert_int_equal(plasma_tx_check(&tx, false), 0);

    tx.n_inputs = 5;
    assert_int_equal(plasma_tx_check(&tx, false), PLASMA_ERR_TOO_MANY_INPUTS);
    tx = simple_tx();
    tx.n_outputs = 5;
    assert_int_equal(plasma_tx_check(&tx, false), PLASMA_ERR_TOO_MANY_OUTPUTS);
    tx = simple_tx();
    tx.tx_type = 2;
    assert_int_equal(plasma_tx_check(&tx, false), PLASMA_ERR_MALFORMED_TX);
    tx.tx_type = PLASMA_TX_FEE; /* a fee tx never has inputs */
    assert_int_equal(plasma_tx_check(&tx, false), PLASMA_ERR_MALFORMED_TX);

    tx = simple_tx();
    tx.n_inputs = 2;
    tx.inputs[1] = tx.inputs[0];
    assert_int_equal(plasma_tx_check(&tx, false), PLASMA_ERR_DUPLICATE_INPUTS);
    tx.inputs[1] = 0;
    assert_int_equal(plasma_tx_check(&tx, false), PLASMA_ERR_MALFORMED_TX);

    /* Amounts: sums are per token. */
    tx = simple_tx();
    plasma_u256 max = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
    tx.n_outputs = 3;
    tx.outputs[0].amount = max;
    tx.outputs[1] = tx.outputs[0];
    tx.outputs[1].token.b[0] = 0xab;
    tx.outputs[2] = tx.outputs[0];
    tx.outputs[2].amount = plasma_u256_from_u64(1);
    tx.outputs[2].token.b[0] = 0xcd;
    assert_int_equal(plasma_tx_check(&tx, false), 0);
    tx.outputs[2].token.b[0] = 0xab;
    assert_int_equal(plasma_tx_check(&tx, false), PLASMA_ERR_AMOUNTS_DO_NOT_ADD_UP);
    tx.outputs[2].amount = plasma_u256_from_u64(0);
    assert_int_equal(plasma_tx_check(&tx, false), PLASMA_ERR_AMOUNT_ZERO);

    /* Signatures. */
    tx = simple_tx();
    assert_int_equal(plasma_tx_check(&tx, true), PLASMA_ERR_MISSING_SIGNATURE);
    plasma_domain dom;
    plasma_domain_dev(&dom);
    plasma_privkey key = {{1}};
    assert_int_equal(plasma_tx_sign_input(&tx, &dom, 0, &key), 0);
    assert_int_equal(plasma_tx_check(&tx, true), 0);
    assert_int_equal(plasma_tx_sign_input(&tx, &dom, 1, &key), PLASMA_ERR_BAD_REQUEST);
    tx.n_sigs = 2;
    tx.sigs[1] = tx.sigs[0];
    assert_int_equal(plasma_tx_check(&tx, true), PLASMA_ERR_SUPERFLUOUS_SIGNATURE);
    tx.n_sigs = 1;
    tx.sigs[0].b[64] = 29;
    assert_int_equal(plasma_tx_check(&tx, true), PLASMA_ERR_BAD_SIGNATURE);
    plasma_addr signers[PLASMA_MAX_INPUTS];
    assert_int_equal(plasma_tx_recover_signers(signers, &dom, &tx), PLASMA_ERR_BAD_SIGNATURE);
    tx.n_sigs = 0;
    assert_int_equal(plasma_tx_recover_signers(signers, &dom, &tx), PLASMA_ERR_MISSING_SIGNATURE);
    plasma_privkey zero = {{0}};
    assert_int_equal(plasma_tx_sign_input(&tx, &dom, 0, &zero), PLASMA_ERR_BAD_REQUEST);
}

static void test_eq(void **state)
{
    (void)state;
    plasma_tx a = simple_tx(), b = simple_tx();
    /* Unused slots do not matter. */
    b.inputs[3] = 77;
    b.outputs[2].amount = plasma_u256_from_u64(9);
    b.sigs[1].b[0] = 1;
    assert_true(plasma_tx_eq(&a, &b));
    b.outputs[0].token.b[3] = 1;
    assert_false(plasma_tx_eq(&a, &b));
    b = simple_tx();
    b.metadata.b[0] = 1;
    assert_false(plasma_tx_eq(&a, &b));
    b = simple_tx();
    b.n_sigs = 1;
    assert_false(plasma_tx_eq(&a, &b));
    a.n_sigs = 1;
    a.sigs[0].b[10] = 3;
    assert_false(plasma_tx_eq(&a, &b));
}

/* --- property tests --- */

static void rand_bytes(uint8_t *out, size_t len, uint64_t *rng)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)tu_rand(rng);
}

static uint64_t rand_pos(uint64_t *rng)
{
    uint64_t blknum = 1 + tu_rand(rng) % (tu_rand(rng) % 2 ? 100000 : 18446744072ull);
    return plasma_utxo_pos(blknum, (uint32_t)(tu_rand(rng) % 65536), (uint32_t)(tu_rand(rng) % 4));
}

/* Amounts below 2^254 so that four of one token never overflow. */
static plasma_u256 rand_amount(uint64_t *rng)
{
    plasma_u256 a = {{0, 0, 0, 0}};
    int limbs = 1 + (int)(tu_rand(rng) % 4);
    for (int i = 0; i < limbs; i++)
        a.w[i] = tu_rand(rng) >> (tu_rand(rng) % 64);
    a.w[3] >>= 2;
    if (plasma_u256_is_zero(&a))
        a.w[0] = 1;
    return a;
}

static void rand_output(plasma_output *o, uint64_t *rng)
{
    rand_bytes(o->owner.b, sizeof o->owner.b, rng);
    o->owner.b[0] |= 1;
    memset(o->token.b, 0, sizeof o->token.b);
    switch (tu_rand(rng) % 3) {
    case 0:
        break;
    case 1:
        memset(o->token.b, 0xab, sizeof o->token.b);
        break;
    default:
        rand_bytes(o->token.b, sizeof o->token.b, rng);
    }
    o->amount = rand_amount(rng);
}

static void rand_payment(plasma_tx *tx, uint64_t *rng)
{
    memset(tx, 0, sizeof *tx);
    tx->tx_type = PLASMA_TX_PAYMENT;
    tx->n_inputs = (uint8_t)(1 + tu_rand(rng) % 4);
    for (unsigned i = 0; i < tx->n_inputs; i++) {
        bool dup;
        do {
            tx->inputs[i] = rand_pos(rng);
            dup = false;
            for (unsigned j = 0; j < i; j++)
                dup = dup || tx->inputs[j] == tx->inputs[i];
        } while (dup);
    }
    tx->n_outputs = (uint8_t)(1 + tu_rand(rng) % 4);
    for (unsigned i = 0; i < tx->n_outputs; i++)
        rand_output(&tx->outputs[i], rng);
    if (tu_rand(rng) % 2)
        rand_bytes(tx->metadata.b, sizeof tx->metadata.b, rng);
}

static void sign_with_random_keys(plasma_tx *tx, plasma_addr *addrs, const plasma_domain *dom, uint64_t *rng)
{
    for (unsigned i = 0; i < tx->n_inputs; i++) {
        plasma_privkey key;
        do
            rand_bytes(key.b, sizeof key.b, rng);
        while (plasma_privkey_addr(&addrs[i], &key) != 0);
        assert_int_equal(plasma_tx_sign_input(tx, dom, i, &key), 0);
    }
}

static void test_random_round_trips(void **state)
{
    (void)state;
    plasma_domain dom;
    plasma_domain_dev(&dom);
    uint64_t rng = tu_seed("tx_roundtrip_random", 0x5eed5eed5eedull);
    for (int n = 0; n < 2000; n++) {
        plasma_tx tx, dec;
        plasma_addr addrs[PLASMA_MAX_INPUTS], got[PLASMA_MAX_INPUTS];
        rand_payment(&tx, &rng);
        sign_with_random_keys(&tx, addrs, &dom, &rng);

        plasma_buf buf = {0};
        assert_int_equal(plasma_tx_encode_signed(&buf, &tx), 0);
        assert_true(buf.len <= PLASMA_TX_MAX_RLP);
        assert_int_equal(plasma_tx_decode_signed(&dec, buf.data, buf.len), 0);
        assert_true(plasma_tx_eq(&dec, &tx));
        assert_int_equal(plasma_tx_recover_signers(got, &dom, &dec), 0);
        assert_memory_equal(got, addrs, tx.n_inputs * sizeof addrs[0]);
        plasma_buf_free(&buf);

        assert_int_equal(plasma_tx_encode_unsigned(&buf, &tx), 0);
        assert_int_equal(plasma_tx_decode_unsigned(&dec, buf.data, buf.len), 0);
        tx.n_sigs = 0;
        assert_true(plasma_tx_eq(&dec, &tx));
        plasma_buf_free(&buf);
    }
}

typedef int (*decode_fn)(plasma_tx *, const uint8_t *, size_t);

/* A decoder that accepts corrupted bytes must have read exactly what it
 * would write back. */
static void check_decoder_on(decode_fn decode, bool is_signed, const uint8_t *bytes, size_t len)
{
    plasma_tx tx;
    if (decode(&tx, bytes, len) != 0)
        return;
    plasma_buf buf = {0};
    int rc = is_signed ? plasma_tx_encode_signed(&buf, &tx) : plasma_tx_encode_unsigned(&buf, &tx);
    assert_int_equal(rc, 0);
    assert_int_equal(buf.len, len);
    assert_memory_equal(buf.data, bytes, len);
    plasma_buf_free(&buf);
}

static void mutate(uint8_t *bytes, size_t *len, size_t cap, uint64_t *rng)
{
    int edits = 1 + (int)(tu_rand(rng) % 3);
    for (int e = 0; e < edits; e++) {
        switch (tu_rand(rng) % 5) {
        case 0: /* truncate */
            *len = (size_t)(tu_rand(rng) % (*len + 1));
            break;
        case 1: /* append */
            if (*len < cap)
                bytes[(*len)++] = (uint8_t)tu_rand(rng);
            break;
        case 2: /* flip a bit */
            if (*len)
                bytes[tu_rand(rng) % *len] ^= (uint8_t)(1u << (tu_rand(rng) % 8));
            break;
        default: /* overwrite a byte */
            if (*len)
                bytes[tu_rand(rng) % *len] = (uint8_t)tu_rand(rng);
        }
    }
}

static void test_mutations(void **state)
{
    (void)state;
    json_t *root = tu_load_json("protocol.json");
    json_t *list = json_object_get(root, "transactions");
    uint64_t rng = tu_seed("tx_mutations", 0xfeedfacecafebeefull);
    int accepted = 0;
    for (int n = 0; n < 30000; n++) {
        json_t *t = json_array_get(list, (size_t)n % json_array_size(list));
        const char *field = n % 3 == 0 ? "unsigned_rlp" : "signed_rlp";
        size_t len;
        uint8_t *orig = tu_hex(tu_str(t, field), &len);
        uint8_t *bytes = malloc(len + 8);
        assert_non_null(bytes);
        memcpy(bytes, orig, len);
        free(orig);
        mutate(bytes, &len, len + 8, &rng);
        /* An exact-size heap copy lets ASan catch any read past the end. */
        uint8_t *exact = malloc(len ? len : 1);
        assert_non_null(exact);
        memcpy(exact, bytes, len);
        plasma_tx tx;
        accepted += plasma_tx_decode_signed(&tx, exact, len) == 0;
        check_decoder_on(plasma_tx_decode_signed, true, exact, len);
        check_decoder_on(plasma_tx_decode_block_tx, true, exact, len);
        check_decoder_on(plasma_tx_decode_unsigned, false, exact, len);
        free(exact);
        free(bytes);
    }
    /* Some mutations (an amount or a signature byte) keep the tx valid. */
    assert_true(accepted > 0);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_domain),
        cmocka_unit_test(test_utxo_pos),
        cmocka_unit_test(test_transactions),
        cmocka_unit_test(test_digest_many),
        cmocka_unit_test(test_deposit),
        cmocka_unit_test(test_fee),
        cmocka_unit_test(test_invalid_signed),
        cmocka_unit_test(test_check_rules),
        cmocka_unit_test(test_eq),
        cmocka_unit_test(test_random_round_trips),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
