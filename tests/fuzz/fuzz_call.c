/* Fuzz target: the root-chain call decoders (docs/rootchain-calls.md), all
 * fifteen kinds.
 *
 * The input goes through plasma_call_decode (an envelope) and
 * plasma_call_decode_signed (rlp([envelope, sig])). Neither may crash or
 * return an error outside its contract. Whatever decodes must encode back to
 * the input byte for byte (decoding is strict, so a call has one encoding:
 * two spellings of one call would be two call hashes), carry a known kind,
 * have an intrinsic gas, and, signed, hash and recover to the same sender. */
#include <string.h>

#include "call_domain.h"
#include "fuzz.h"
#include "plasma/err.h"

static void check_decoded(const plasma_call *c, const plasma_call_domain *d)
{
    FUZZ_CHECK(c->kind >= PLASMA_CALL_TRANSFER && c->kind <= PLASMA_CALL_WITHDRAW);
    FUZZ_CHECK(plasma_call_intrinsic_gas(c) >= PLASMA_GAS_BASE);
    plasma_u256 value;
    plasma_call_value(&value, c);
    plasma_hash h;
    FUZZ_CHECK(plasma_call_signing_hash(&h, d, c) == 0);
}

static void fuzz_envelope(const uint8_t *data, size_t size, const plasma_call_domain *d)
{
    plasma_call c;
    int rc = plasma_call_decode(&c, d, data, size);
    FUZZ_CHECK(rc == 0 || rc == PLASMA_ERR_BAD_CALL);
    if (rc != 0)
        return;
    check_decoded(&c, d);
    FUZZ_CHECK(plasma_addr_is_zero(&c.from));
    plasma_buf buf = {0};
    FUZZ_CHECK(plasma_call_encode(&buf, d, &c) == 0);
    FUZZ_CHECK(buf.len == size && memcmp(buf.data, data, size) == 0);
    plasma_buf_free(&buf);
}

static void fuzz_signed(const uint8_t *data, size_t size, const plasma_call_domain *d)
{
    plasma_call c;
    plasma_sig sig;
    int rc = plasma_call_decode_signed(&c, &sig, d, data, size);
    FUZZ_CHECK(rc == 0 || rc == PLASMA_ERR_BAD_CALL || rc == PLASMA_ERR_BAD_SIGNATURE);
    if (rc != 0)
        return;
    check_decoded(&c, d);
    plasma_buf buf = {0};
    FUZZ_CHECK(plasma_call_encode_signed(&buf, d, &c, &sig) == 0);
    FUZZ_CHECK(buf.len == size && memcmp(buf.data, data, size) == 0);
    plasma_buf_free(&buf);
    plasma_addr again;
    FUZZ_CHECK(plasma_call_recover(&again, d, &c, &sig) == 0 && plasma_addr_eq(&again, &c.from));
    plasma_hash h;
    FUZZ_CHECK(plasma_call_hash(&h, d, &c) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plasma_call_domain d = fuzz_call_domain();
    fuzz_envelope(data, size, &d);
    fuzz_signed(data, size, &d);
    return 0;
}
