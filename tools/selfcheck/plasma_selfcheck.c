/* plasma-selfcheck: prints the version and checks the protocol primitives
 * against known answers of PROTOCOL.md, so an installation can be trusted
 * before it handles funds. Exit status 0 when every check passes. */
#include <stdio.h>
#include <string.h>

#include "plasma/core.h"
#include "plasma/merkle.h"

typedef struct check {
    const char *name;
    bool (*run)(void);
} check;

static bool hash_is(const plasma_hash *h, const char *hex)
{
    plasma_hash want;
    return plasma_hash_parse(&want, hex) == 0 && plasma_hash_eq(h, &want);
}

static bool check_keccak(void)
{
    plasma_hash h;
    plasma_keccak256(&h, "", 0);
    return hash_is(&h, "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

/* The many-message Keccak, on whichever path this CPU takes, against the
 * one-shot hash: nine messages of lengths across the 136-byte rate. */
static bool check_keccak_many(void)
{
    uint8_t data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 131 + 7);
    static const size_t lens[9] = {0, 1, 64, 65, 135, 136, 137, 272, 299};
    const uint8_t *msgs[9];
    plasma_hash got[9];
    for (int i = 0; i < 9; i++)
        msgs[i] = data + (lens[i] < 300 ? 300 - lens[i] : 0);
    plasma_keccak256_many(got, msgs, lens, 9);
    for (int i = 0; i < 9; i++) {
        plasma_hash want;
        plasma_keccak256(&want, msgs[i], lens[i]);
        if (!plasma_hash_eq(&got[i], &want))
            return false;
    }
    return true;
}

static bool check_dev_address(void)
{
    plasma_privkey key;
    plasma_addr addr, want;
    bool ok =
        plasma_hex_decode_fixed(key.b, sizeof key.b,
                                "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80") == 0 &&
        plasma_privkey_addr(&addr, &key) == 0 &&
        plasma_addr_parse(&want, "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266") == 0 &&
        plasma_addr_eq(&addr, &want);
    plasma_wipe(&key, sizeof key);
    return ok;
}

static bool check_domain(void)
{
    plasma_domain d;
    plasma_domain_dev(&d);
    return hash_is(&d.separator, "0x7f678b47d339b5358408e14bcd794b6c3a82878c62c1005c33dd06d3d3684f60");
}

/* Sign a payment with dev key 1, encode, decode, recover: the whole path a
 * submitted transaction takes. */
static bool check_sign_recover(void)
{
    plasma_domain d;
    plasma_domain_dev(&d);
    plasma_privkey key;
    plasma_addr signer, out[PLASMA_MAX_INPUTS];
    plasma_tx tx = {.tx_type = PLASMA_TX_PAYMENT, .n_inputs = 1, .n_outputs = 1};
    plasma_buf buf = {0};
    plasma_tx back;
    bool ok = false;

    if (plasma_hex_decode_fixed(key.b, sizeof key.b,
                                "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d") != 0 ||
        plasma_privkey_addr(&signer, &key) != 0)
        goto cleanup;
    tx.inputs[0] = plasma_utxo_pos(1000, 0, 0);
    tx.outputs[0].owner = signer;
    tx.outputs[0].amount = plasma_u256_from_u64(1);
    if (plasma_tx_sign_input(&tx, &d, 0, &key) != 0 || plasma_tx_encode_signed(&buf, &tx) != 0 ||
        plasma_tx_decode_signed(&back, buf.data, buf.len) != 0 ||
        plasma_tx_recover_signers(out, &d, &back) != 0)
        goto cleanup;
    ok = plasma_tx_eq(&tx, &back) && plasma_addr_eq(&out[0], &signer);
cleanup:
    plasma_wipe(&key, sizeof key);
    plasma_buf_free(&buf);
    return ok;
}

static bool check_merkle(void)
{
    plasma_hash root;
    return plasma_merkle_root(&root, NULL, 0) == 0 &&
           hash_is(&root, "0xf609befdfe9066fe14e743b3623eae878fbc468005608816832c9d460f2a95d2") &&
           hash_is(plasma_merkle_empty(0),
                   "0xf39a869f62e75cf5f0bf914688a6b289caf2049435d8e68c5c5e6d05e44913f3");
}

static bool check_rlp_strict(void)
{
    static const uint8_t wrapped[] = {0x81, 0x00}; /* single byte wrapped as a string */
    static const uint8_t trailing[] = {0x80, 0x80};
    plasma_rlp_item it;
    return plasma_rlp_decode(&it, wrapped, sizeof wrapped) == PLASMA_ERR_MALFORMED_RLP &&
           plasma_rlp_decode(&it, trailing, sizeof trailing) == PLASMA_ERR_MALFORMED_RLP;
}

static const check CHECKS[] = {
    {"keccak256(\"\")", check_keccak},
    {"keccak256 of many messages at once", check_keccak_many},
    {"dev account 0 address", check_dev_address},
    {"EIP-712 domain separator (chain 31337)", check_domain},
    {"sign, encode, decode, recover a payment", check_sign_recover},
    {"empty Merkle tree root", check_merkle},
    {"strict RLP rejections", check_rlp_strict},
};

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: plasma-selfcheck\n"
               "Prints the version and checks the protocol primitives against known answers.\n");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "plasma-selfcheck: unexpected argument '%s' (try --help)\n", argv[1]);
        return 2;
    }
    printf("plasma %s\n", PLASMA_VERSION);
    int failures = 0;
    for (size_t i = 0; i < sizeof CHECKS / sizeof CHECKS[0]; i++) {
        bool ok = CHECKS[i].run();
        printf("  %-44s %s\n", CHECKS[i].name, ok ? "ok" : "FAILED");
        failures += !ok;
    }
    printf("self-check: %s\n", failures ? "FAILED" : "all primitives ok");
    return failures ? 1 : 0;
}
