/* secp256k1 over libsecp256k1. One context, created on first use under
 * pthread_once and randomized, is shared read-only by every thread (the
 * library allows concurrent use of a const context). */
#include "plasma/sig.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "plasma/err.h"
#include "plasma/keccak.h"

/* The curve order n and n/2, big-endian, for the encoding rules of §1. */
static const uint8_t curve_n[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
};
static const uint8_t curve_half_n[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
};
static const uint8_t zero32[32];

#define SIG_V_BASE 27

static secp256k1_context *g_ctx;
static pthread_once_t g_ctx_once = PTHREAD_ONCE_INIT;

/* Fills buf from the OS, retrying short reads and interruptions. */
static int os_random(uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(buf + got, len - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return PLASMA_ERR_IO;
        }
        got += (size_t)n;
    }
    return PLASMA_OK;
}

static void ctx_create(void)
{
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
    if (!ctx) {
        fputs("plasma: cannot create the secp256k1 context\n", stderr);
        abort();
    }
    /* Randomization only blinds signing against side channels; without
     * entropy the context is still correct, so a failure is not fatal. */
    uint8_t seed[32];
    if (os_random(seed, sizeof seed) == 0 && !secp256k1_context_randomize(ctx, seed))
        fputs("plasma: secp256k1 context randomization failed\n", stderr);
    plasma_wipe(seed, sizeof seed);
    g_ctx = ctx;
}

static const secp256k1_context *ctx_get(void)
{
    pthread_once(&g_ctx_once, ctx_create);
    return g_ctx;
}

int plasma_sig_check(const plasma_sig *sig)
{
    const uint8_t *r = sig->b, *s = sig->b + 32;
    uint8_t v = sig->b[64];
    if (v != SIG_V_BASE && v != SIG_V_BASE + 1)
        return PLASMA_ERR_BAD_SIGNATURE;
    if (memcmp(r, zero32, 32) == 0 || memcmp(r, curve_n, 32) >= 0)
        return PLASMA_ERR_BAD_SIGNATURE;
    if (memcmp(s, zero32, 32) == 0 || memcmp(s, curve_half_n, 32) > 0)
        return PLASMA_ERR_BAD_SIGNATURE;
    return PLASMA_OK;
}

int plasma_sign(plasma_sig *out, const plasma_hash *digest, const plasma_privkey *key)
{
    const secp256k1_context *ctx = ctx_get();
    secp256k1_ecdsa_recoverable_signature rsig;
    if (!secp256k1_ecdsa_sign_recoverable(ctx, &rsig, digest->b, key->b, NULL, NULL))
        return PLASMA_ERR_BAD_REQUEST;
    int recid;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, out->b, &recid, &rsig);
    out->b[64] = (uint8_t)(SIG_V_BASE + recid);
    return PLASMA_OK;
}

/* Serializes a parsed key as x ‖ y (the 0x04 prefix dropped). */
static void pubkey_export(plasma_pubkey *out, const secp256k1_context *ctx, const secp256k1_pubkey *pk)
{
    uint8_t ser[65];
    size_t len = sizeof ser;
    secp256k1_ec_pubkey_serialize(ctx, ser, &len, pk, SECP256K1_EC_UNCOMPRESSED);
    memcpy(out->b, ser + 1, sizeof out->b);
}

int plasma_recover_pubkey(plasma_addr *out, plasma_pubkey *pub, const plasma_hash *digest,
                          const plasma_sig *sig)
{
    if (plasma_sig_check(sig) != 0)
        return PLASMA_ERR_BAD_SIGNATURE;
    const secp256k1_context *ctx = ctx_get();
    secp256k1_ecdsa_recoverable_signature rsig;
    secp256k1_pubkey pk;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &rsig, sig->b, sig->b[64] - SIG_V_BASE))
        return PLASMA_ERR_BAD_SIGNATURE;
    if (!secp256k1_ecdsa_recover(ctx, &pk, &rsig, digest->b))
        return PLASMA_ERR_BAD_SIGNATURE;
    plasma_pubkey xy;
    pubkey_export(&xy, ctx, &pk);
    plasma_pubkey_addr(out, &xy);
    if (pub)
        *pub = xy;
    return PLASMA_OK;
}

int plasma_recover(plasma_addr *out, const plasma_hash *digest, const plasma_sig *sig)
{
    return plasma_recover_pubkey(out, NULL, digest, sig);
}

int plasma_verify(const plasma_pubkey *pub, const plasma_hash *digest, const plasma_sig *sig)
{
    if (plasma_sig_check(sig) != 0)
        return PLASMA_ERR_BAD_SIGNATURE;
    const secp256k1_context *ctx = ctx_get();
    uint8_t ser[65];
    ser[0] = 0x04;
    memcpy(ser + 1, pub->b, sizeof pub->b);
    secp256k1_pubkey pk;
    secp256k1_ecdsa_signature esig;
    if (!secp256k1_ec_pubkey_parse(ctx, &pk, ser, sizeof ser))
        return PLASMA_ERR_BAD_SIGNATURE;
    if (!secp256k1_ecdsa_signature_parse_compact(ctx, &esig, sig->b))
        return PLASMA_ERR_BAD_SIGNATURE;
    if (!secp256k1_ecdsa_verify(ctx, &esig, digest->b, &pk))
        return PLASMA_ERR_BAD_SIGNATURE;
    return PLASMA_OK;
}

int plasma_privkey_pubkey(plasma_pubkey *out, const plasma_privkey *key)
{
    const secp256k1_context *ctx = ctx_get();
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_create(ctx, &pk, key->b))
        return PLASMA_ERR_BAD_REQUEST;
    pubkey_export(out, ctx, &pk);
    return PLASMA_OK;
}

int plasma_privkey_addr(plasma_addr *out, const plasma_privkey *key)
{
    plasma_pubkey pub;
    int rc = plasma_privkey_pubkey(&pub, key);
    if (rc != 0)
        return rc;
    plasma_pubkey_addr(out, &pub);
    return PLASMA_OK;
}

void plasma_pubkey_addr(plasma_addr *out, const plasma_pubkey *pub)
{
    plasma_hash h;
    plasma_keccak256(&h, pub->b, sizeof pub->b);
    memcpy(out->b, h.b + 12, sizeof out->b);
}

int plasma_privkey_generate(plasma_privkey *out)
{
    const secp256k1_context *ctx = ctx_get();
    plasma_privkey k;
    int rc;
    /* A random 32-byte string is a valid key except with probability
     * ~2^-128, so this loop practically runs once. */
    do {
        rc = os_random(k.b, sizeof k.b);
        if (rc != 0)
            goto cleanup;
    } while (!secp256k1_ec_seckey_verify(ctx, k.b));
    *out = k;
cleanup:
    plasma_wipe(&k, sizeof k);
    return rc;
}
