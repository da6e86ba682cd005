/* Keys, addresses and signatures: the protocol's address vectors, the §8
 * development accounts, the encoding rules of plasma_sig_check, and
 * sign / recover / verify agreeing with each other. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static const char *const dev_accounts[10][2] = {
    {"0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
     "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"},
    {"0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
     "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"},
    {"0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
     "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"},
    {"0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
     "0x90f79bf6eb2c4f870365e785982e1f101e93b906"},
    {"0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
     "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65"},
    {"0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
     "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc"},
    {"0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
     "0x976ea74026e726554db657fa54763abd0c3a0aa9"},
    {"0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
     "0x14dc79964da2c08b23698b3d3cc7ca32193d9955"},
    {"0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
     "0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f"},
    {"0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
     "0xa0ee7a142d267c1f36714e4a8f75612f20a79720"},
};

#define CURVE_N "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
#define HALF_N "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0"
#define HALF_N_PLUS_1 "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1"

static void check_key_addr(const char *key_hex, const char *addr_hex)
{
    plasma_privkey key;
    plasma_addr addr;
    assert_int_equal(plasma_hex_decode_fixed(key.b, sizeof key.b, key_hex), 0);
    assert_int_equal(plasma_privkey_addr(&addr, &key), 0);
    tu_assert_hex(addr.b, sizeof addr.b, addr_hex);
}

static void test_address_vectors(void **state)
{
    (void)state;
    json_t *root = tu_load_json("protocol.json");
    json_t *list = json_object_get(root, "addresses");
    assert_true(json_array_size(list) > 0);
    size_t i;
    json_t *v;
    for (i = 0; i < json_array_size(list); i++) {
        v = json_array_get(list, i);
        check_key_addr(tu_str(v, "private_key"), tu_str(v, "address"));
    }
    json_decref(root);
}

static void test_dev_accounts(void **state)
{
    (void)state;
    for (int i = 0; i < 10; i++)
        check_key_addr(dev_accounts[i][0], dev_accounts[i][1]);
}

static void test_invalid_keys(void **state)
{
    (void)state;
    plasma_privkey key;
    plasma_addr addr;
    plasma_sig sig;
    plasma_hash digest = {{1}};
    memset(&key, 0, sizeof key);
    assert_int_equal(plasma_privkey_addr(&addr, &key), PLASMA_ERR_BAD_REQUEST);
    memset(&sig, 0x5a, sizeof sig);
    plasma_sig before = sig;
    assert_int_equal(plasma_sign(&sig, &digest, &key), PLASMA_ERR_BAD_REQUEST);
    assert_memory_equal(sig.b, before.b, sizeof sig.b);
    assert_int_equal(plasma_hex_decode_fixed(key.b, 32, CURVE_N), 0);
    assert_int_equal(plasma_privkey_addr(&addr, &key), PLASMA_ERR_BAD_REQUEST);
    assert_int_equal(plasma_sign(&sig, &digest, &key), PLASMA_ERR_BAD_REQUEST);
}

/* Builds r ‖ s ‖ v from hex halves. */
static plasma_sig make_sig(const char *r, const char *s, uint8_t v)
{
    plasma_sig sig;
    assert_int_equal(plasma_hex_decode_fixed(sig.b, 32, r), 0);
    assert_int_equal(plasma_hex_decode_fixed(sig.b + 32, 32, s), 0);
    sig.b[64] = v;
    return sig;
}

static void test_sig_check(void **state)
{
    (void)state;
    const char *one = "0000000000000000000000000000000000000000000000000000000000000001";
    const char *zero = "0000000000000000000000000000000000000000000000000000000000000000";
    const char *n_minus_1 = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140";
    plasma_sig s;

    s = make_sig(one, one, 27);
    assert_int_equal(plasma_sig_check(&s), 0);
    s = make_sig(one, one, 28);
    assert_int_equal(plasma_sig_check(&s), 0);
    s = make_sig(n_minus_1, HALF_N, 27);
    assert_int_equal(plasma_sig_check(&s), 0);

    static const uint8_t bad_v[] = {0, 1, 26, 29, 35, 36, 255};
    for (size_t i = 0; i < sizeof bad_v; i++) {
        s = make_sig(one, one, bad_v[i]);
        assert_int_equal(plasma_sig_check(&s), PLASMA_ERR_BAD_SIGNATURE);
    }
    s = make_sig(zero, one, 27);
    assert_int_equal(plasma_sig_check(&s), PLASMA_ERR_BAD_SIGNATURE);
    s = make_sig(one, zero, 27);
    assert_int_equal(plasma_sig_check(&s), PLASMA_ERR_BAD_SIGNATURE);
    s = make_sig(CURVE_N, one, 27);
    assert_int_equal(plasma_sig_check(&s), PLASMA_ERR_BAD_SIGNATURE);
    s = make_sig(one, HALF_N_PLUS_1, 27);
    assert_int_equal(plasma_sig_check(&s), PLASMA_ERR_BAD_SIGNATURE);
    s = make_sig(one, CURVE_N, 27);
    assert_int_equal(plasma_sig_check(&s), PLASMA_ERR_BAD_SIGNATURE);
}

/* s' = n - s: the malleated twin of a signature (with v flipped). */
static plasma_sig malleate(const plasma_sig *sig)
{
    plasma_u256 n, s, twin;
    plasma_u256_parse_hex(&n, "0x" CURVE_N);
    plasma_u256_from_be(&s, sig->b + 32, 32);
    assert_int_equal(plasma_u256_sub(&twin, &n, &s), 0);
    plasma_sig out = *sig;
    plasma_u256_to_be(out.b + 32, &twin);
    out.b[64] = sig->b[64] == 27 ? 28 : 27;
    return out;
}

static void test_sign_recover_verify(void **state)
{
    (void)state;
    uint64_t rng = tu_seed("recover_random", 77);
    for (int i = 0; i < 50; i++) {
        plasma_privkey key;
        assert_int_equal(plasma_privkey_generate(&key), 0);
        plasma_hash digest;
        for (int j = 0; j < 32; j++)
            digest.b[j] = (uint8_t)tu_rand(&rng);
        plasma_sig sig, again;
        assert_int_equal(plasma_sign(&sig, &digest, &key), 0);
        assert_int_equal(plasma_sign(&again, &digest, &key), 0);
        assert_memory_equal(sig.b, again.b, sizeof sig.b); /* RFC 6979 */
        assert_int_equal(plasma_sig_check(&sig), 0);

        plasma_addr want, got, got2;
        plasma_pubkey pub, rpub;
        assert_int_equal(plasma_privkey_addr(&want, &key), 0);
        assert_int_equal(plasma_privkey_pubkey(&pub, &key), 0);
        assert_int_equal(plasma_recover(&got, &digest, &sig), 0);
        assert_true(plasma_addr_eq(&got, &want));
        assert_int_equal(plasma_recover_pubkey(&got2, &rpub, &digest, &sig), 0);
        assert_true(plasma_addr_eq(&got2, &want));
        assert_memory_equal(rpub.b, pub.b, sizeof pub.b);
        plasma_pubkey_addr(&got2, &pub);
        assert_true(plasma_addr_eq(&got2, &want));
        assert_int_equal(plasma_verify(&pub, &digest, &sig), 0);

        /* The high-s twin is a valid ECDSA signature but rejected. */
        plasma_sig twin = malleate(&sig);
        memset(&got, 0, sizeof got);
        assert_int_equal(plasma_recover(&got, &digest, &twin), PLASMA_ERR_BAD_SIGNATURE);
        assert_true(plasma_addr_is_zero(&got)); /* untouched */
        assert_int_equal(plasma_verify(&pub, &digest, &twin), PLASMA_ERR_BAD_SIGNATURE);

        /* Another digest: verify fails, recover gives someone else. */
        plasma_hash other = digest;
        other.b[0] ^= 1;
        assert_int_equal(plasma_verify(&pub, &other, &sig), PLASMA_ERR_BAD_SIGNATURE);
        if (plasma_recover(&got, &other, &sig) == 0)
            assert_false(plasma_addr_eq(&got, &want));

        /* The wrong v recovers another key (or none). */
        plasma_sig flipped = sig;
        flipped.b[64] = sig.b[64] == 27 ? 28 : 27;
        if (plasma_recover(&got, &digest, &flipped) == 0)
            assert_false(plasma_addr_eq(&got, &want));
        plasma_wipe(&key, sizeof key);
    }
}

static void test_recover_no_key(void **state)
{
    (void)state;
    /* No curve point has x = 5 (y^2 = 132 is a non-residue mod p), so a
     * well-formed signature with r = 5 recovers no key. */
    plasma_sig sig = make_sig("0000000000000000000000000000000000000000000000000000000000000005",
                              "0000000000000000000000000000000000000000000000000000000000000001", 27);
    plasma_hash digest = {{9}};
    plasma_addr out;
    assert_int_equal(plasma_recover(&out, &digest, &sig), PLASMA_ERR_BAD_SIGNATURE);

    plasma_pubkey bad;
    memset(&bad, 0, sizeof bad);
    plasma_sig ok = make_sig("0000000000000000000000000000000000000000000000000000000000000001",
                             "0000000000000000000000000000000000000000000000000000000000000001", 27);
    assert_int_equal(plasma_verify(&bad, &digest, &ok), PLASMA_ERR_BAD_SIGNATURE);
}

static void test_generate(void **state)
{
    (void)state;
    plasma_privkey a, b;
    assert_int_equal(plasma_privkey_generate(&a), 0);
    assert_int_equal(plasma_privkey_generate(&b), 0);
    assert_memory_not_equal(a.b, b.b, sizeof a.b);
    plasma_addr addr;
    assert_int_equal(plasma_privkey_addr(&addr, &a), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address_vectors),
        cmocka_unit_test(test_dev_accounts),
        cmocka_unit_test(test_invalid_keys),
        cmocka_unit_test(test_sig_check),
        cmocka_unit_test(test_sign_recover_verify),
        cmocka_unit_test(test_recover_no_key),
        cmocka_unit_test(test_generate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
