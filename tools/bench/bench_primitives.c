/* plasma-bench primitives: the protocol primitives every part builds on,
 * on one core.
 *
 *   keccak64_ns            keccak256 of 64 bytes
 *   keccak64_many_ns       the same per message, 64 messages per call of
 *                          plasma_keccak256_many (eight per permutation
 *                          where the CPU has AVX-512)
 *   keccak64_many4_ns      the same capped at four per permutation (AVX2)
 *   merkle_root_65536_ms   plasma_merkle_root of a full block (65,536 leaves)
 *   merkle_build_65536_ms  plasma_merkle_build + free of a full block
 *   merkle_proof_ns        one proof from a built full block
 *   merkle_verify_ns       one proof verification
 *   tx_decode_validate_ns  plasma_tx_decode_signed of a 2-in-2-out payment
 *   rlp_encode_ns          plasma_tx_encode_signed of the same tx
 *   eip712_digest_ns       the EIP-712 digest of the same tx
 *   sign_us                plasma_sign (RFC 6979, low-s)
 *   recover_us             plasma_recover: signature checks, recovery,
 *                          keccak of the key to the address
 *   raw_recover_us         secp256k1_ecdsa_recover alone, own context, on a
 *                          pre-parsed recoverable signature
 *   recover_overhead_pct   what plasma_recover adds over the raw recovery */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "bench.h"
#include "plasma/core.h"
#include "plasma/merkle.h"

/* Development accounts 1 and 2 of PROTOCOL §8 spend; account 3 is paid. */

/* Everything the measured operations read and write. */
typedef struct prim {
    plasma_domain domain;
    plasma_tx tx; /* the signed 2-in-2-out payment */
    plasma_privkey keys[2];
    plasma_addr signer;
    plasma_buf rlp;     /* rlp(SignedTx) of tx */
    plasma_buf scratch; /* encoding output */
    plasma_hash digest; /* EIP-712 digest of tx */
    plasma_hash hash;   /* rolling output, so no call is dead code */
    uint8_t block64[64];
    plasma_hash *leaves; /* a full block */
    plasma_hash many[64];
    plasma_merkle *tree;
    uint8_t proof[PLASMA_MERKLE_PROOF_LEN];
    uint64_t index;
    secp256k1_context *raw_ctx;
    secp256k1_ecdsa_recoverable_signature raw_sig;
    unsigned long failures;
} prim;

/* --- the operations --- */

static void op_keccak64(void *p)
{
    prim *s = p;
    plasma_keccak256(&s->hash, s->block64, sizeof s->block64);
    memcpy(s->block64, s->hash.b, sizeof s->hash.b);
}

enum { MANY = sizeof((prim *)0)->many / sizeof(plasma_hash) };

static void op_keccak64_many(void *p)
{
    prim *s = p;
    const uint8_t *msgs[MANY];
    size_t lens[MANY];
    for (int i = 0; i < MANY; i++) {
        msgs[i] = s->leaves[2 * i].b; /* 64 bytes: two adjacent leaves */
        lens[i] = 64;
    }
    plasma_keccak256_many(s->many, msgs, lens, MANY);
}

static void op_keccak64_many4(void *p)
{
    plasma_keccak_set_lanes(4);
    op_keccak64_many(p);
    plasma_keccak_set_lanes(8);
}

static void op_merkle_root(void *p)
{
    prim *s = p;
    s->failures += plasma_merkle_root(&s->hash, s->leaves, PLASMA_MERKLE_LEAVES) != 0;
}

static void op_merkle_build(void *p)
{
    prim *s = p;
    plasma_merkle *t = NULL;
    s->failures += plasma_merkle_build(&t, s->leaves, PLASMA_MERKLE_LEAVES) != 0;
    plasma_merkle_free(t);
}

static void op_merkle_proof(void *p)
{
    prim *s = p;
    s->index = (s->index * 40503u + 1) % PLASMA_MERKLE_LEAVES;
    s->failures += plasma_merkle_proof(s->proof, s->tree, s->index) != 0;
}

static void op_merkle_verify(void *p)
{
    prim *s = p;
    const plasma_hash *root = plasma_merkle_tree_root(s->tree);
    s->failures += !plasma_merkle_verify(root, &s->leaves[s->index], s->index, s->proof, sizeof s->proof);
}

static void op_tx_decode(void *p)
{
    prim *s = p;
    plasma_tx tx;
    s->failures += plasma_tx_decode_signed(&tx, s->rlp.data, s->rlp.len) != 0;
}

static void op_rlp_encode(void *p)
{
    prim *s = p;
    s->scratch.len = 0;
    s->failures += plasma_tx_encode_signed(&s->scratch, &s->tx) != 0;
}

static void op_eip712(void *p)
{
    prim *s = p;
    plasma_eip712_digest(&s->hash, &s->domain, &s->tx);
}

static void op_sign(void *p)
{
    prim *s = p;
    plasma_sig sig;
    s->failures += plasma_sign(&sig, &s->hash, &s->keys[0]) != 0;
    memcpy(s->hash.b, sig.b, sizeof s->hash.b);
}

static void op_recover(void *p)
{
    prim *s = p;
    plasma_addr addr;
    s->failures += plasma_recover(&addr, &s->digest, &s->tx.sigs[0]) != 0;
}

static void op_raw_recover(void *p)
{
    prim *s = p;
    secp256k1_pubkey pub;
    s->failures += !secp256k1_ecdsa_recover(s->raw_ctx, &pub, &s->raw_sig, s->digest.b);
}

/* --- set-up --- */

static int make_tx(prim *s)
{
    plasma_tx *tx = &s->tx;
    memset(tx, 0, sizeof *tx);
    tx->tx_type = PLASMA_TX_PAYMENT;
    tx->n_inputs = 2;
    tx->inputs[0] = plasma_utxo_pos(1000, 17, 0);
    tx->inputs[1] = plasma_utxo_pos(2000, 3, 1);
    tx->n_outputs = 2;
    int rc = plasma_dev_addr(&tx->outputs[0].owner, 3);
    rc = rc ? rc : plasma_u256_parse_dec(&tx->outputs[0].amount, "1500000000000000000");
    rc = rc ? rc : plasma_privkey_addr(&tx->outputs[1].owner, &s->keys[0]);
    rc = rc ? rc : plasma_u256_parse_dec(&tx->outputs[1].amount, "499979000000000000");
    for (unsigned i = 0; rc == 0 && i < 2; i++)
        rc = plasma_tx_sign_input(tx, &s->domain, i, &s->keys[i]);
    rc = rc ? rc : plasma_tx_encode_signed(&s->rlp, tx);
    rc = rc ? rc : plasma_tx_check(tx, true);
    return rc;
}

/* The raw path gets its own context and a recoverable signature parsed
 * once, so that it measures the curve arithmetic alone. */
static int make_raw(prim *s)
{
    const plasma_sig *sig = &s->tx.sigs[0];
    s->raw_ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (!s->raw_ctx || !secp256k1_ecdsa_recoverable_signature_parse_compact(s->raw_ctx, &s->raw_sig, sig->b,
                                                                            sig->b[64] - 27))
        return PLASMA_ERR_INTERNAL;
    secp256k1_pubkey pub;
    plasma_pubkey xy;
    uint8_t ser[65];
    size_t len = sizeof ser;
    plasma_addr addr;
    if (!secp256k1_ecdsa_recover(s->raw_ctx, &pub, &s->raw_sig, s->digest.b) ||
        !secp256k1_ec_pubkey_serialize(s->raw_ctx, ser, &len, &pub, SECP256K1_EC_UNCOMPRESSED))
        return PLASMA_ERR_INTERNAL;
    memcpy(xy.b, ser + 1, sizeof xy.b);
    plasma_pubkey_addr(&addr, &xy);
    return plasma_addr_eq(&addr, &s->signer) ? 0 : PLASMA_ERR_INTERNAL;
}

static int make_block(prim *s)
{
    s->leaves = malloc(PLASMA_MERKLE_LEAVES * sizeof *s->leaves);
    if (!s->leaves)
        return PLASMA_ERR_NOMEM;
    for (uint64_t i = 0; i < PLASMA_MERKLE_LEAVES; i++)
        plasma_merkle_leaf(&s->leaves[i], (const uint8_t *)&i, sizeof i);
    int rc = plasma_merkle_build(&s->tree, s->leaves, PLASMA_MERKLE_LEAVES);
    return rc ? rc : plasma_merkle_proof(s->proof, s->tree, s->index);
}

static int setup(prim *s)
{
    memset(s, 0, sizeof *s);
    plasma_domain_dev(&s->domain);
    for (unsigned i = 0; i < 2; i++)
        if (plasma_dev_key(&s->keys[i], i + 1) != 0)
            return PLASMA_ERR_INTERNAL;
    int rc = plasma_privkey_addr(&s->signer, &s->keys[0]);
    rc = rc ? rc : make_tx(s);
    if (rc == 0)
        plasma_eip712_digest(&s->digest, &s->domain, &s->tx);
    rc = rc ? rc : make_raw(s);
    return rc ? rc : make_block(s);
}

static void teardown(prim *s)
{
    plasma_merkle_free(s->tree);
    free(s->leaves);
    plasma_buf_free(&s->rlp);
    plasma_buf_free(&s->scratch);
    if (s->raw_ctx)
        secp256k1_context_destroy(s->raw_ctx);
    plasma_wipe(s->keys, sizeof s->keys);
}

/* --- measuring --- */

typedef struct figure {
    const char *key;
    bench_op op;
    double scale; /* ns → the key's unit */
} figure;

static const figure figures[] = {
    {"keccak64_ns", op_keccak64, 1},
    {"keccak64_many_ns", op_keccak64_many, 1.0 / MANY},
    {"keccak64_many4_ns", op_keccak64_many4, 1.0 / MANY},
    {"merkle_root_65536_ms", op_merkle_root, 1e-6},
    {"merkle_build_65536_ms", op_merkle_build, 1e-6},
    {"merkle_proof_ns", op_merkle_proof, 1},
    {"merkle_verify_ns", op_merkle_verify, 1},
    {"tx_decode_validate_ns", op_tx_decode, 1},
    {"rlp_encode_ns", op_rlp_encode, 1},
    {"eip712_digest_ns", op_eip712, 1},
    {"sign_us", op_sign, 1e-3},
    {"recover_us", op_recover, 1e-3},
    {"raw_recover_us", op_raw_recover, 1e-3},
};

static json_t *measure_all(prim *s, double seconds)
{
    json_t *out = json_object();
    json_object_set_new(out, "bench", json_string("primitives"));
    json_object_set_new(out, "version", json_string(PLASMA_VERSION));
    double recover = 0, raw = 0;
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        double v = bench_measure_ns(figures[i].op, s, seconds) * figures[i].scale;
        json_object_set_new(out, figures[i].key, json_real(v));
        if (figures[i].op == op_recover)
            recover = v;
        if (figures[i].op == op_raw_recover)
            raw = v;
    }
    json_object_set_new(out, "recover_overhead_pct", json_real(100.0 * (recover - raw) / raw));
    json_object_set_new(out, "tx_rlp_bytes", json_integer((json_int_t)s->rlp.len));
    json_object_set_new(out, "seconds_per_figure", json_real(seconds));
    return out;
}

int bench_primitives(int argc, char **argv)
{
    bench_opts opts;
    int status;
    if (!bench_parse_opts(&opts, &status, argc, argv, "the protocol primitives on one core"))
        return status;
    prim *s = malloc(sizeof *s);
    if (!s)
        return 1;
    int rc = setup(s);
    json_t *out = NULL;
    if (rc != 0)
        fprintf(stderr, "plasma-bench primitives: set-up failed: %s\n", plasma_err_message(rc));
    else
        out = measure_all(s, opts.seconds);
    if (out && s->failures != 0) {
        fprintf(stderr, "plasma-bench primitives: %lu measured calls failed\n", s->failures);
        json_decref(out);
        out = NULL;
    }
    teardown(s);
    free(s);
    return out ? bench_print(out) : 1;
}
