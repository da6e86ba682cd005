/* Fuzz target: the root chain's signed call envelope (docs/rootchain-calls.md),
 * as POST /v1/calls receives it: plasma_call_decode_signed under the
 * development domain. Every call kind the decoder knows is reached through
 * the kind field. It may only answer bad_call or bad_signature; whatever
 * decodes must encode back to exactly the input with the decoded signature,
 * and its intrinsic gas must be defined. */
#include <string.h>

#include "fuzz.h"
#include "plasma/exitgame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    plasma_call_domain dom = {PLASMA_CHAIN_DEFAULT_CHAIN_ID, {{0}}};
    plasma_addr_parse(&dom.contract, PLASMA_CHAIN_DEFAULT_CONTRACT);
    plasma_call *call = malloc(sizeof *call);
    plasma_sig sig;
    if (!call)
        return 0;
    int rc = plasma_call_decode_signed(call, &sig, &dom, data, size);
    FUZZ_CHECK(rc == 0 || rc == PLASMA_ERR_BAD_CALL || rc == PLASMA_ERR_BAD_SIGNATURE);
    if (rc == 0) {
        plasma_buf buf = {0};
        FUZZ_CHECK(plasma_call_encode_signed(&buf, &dom, call, &sig) == 0);
        FUZZ_CHECK(buf.len == size && memcmp(buf.data, data, size) == 0);
        plasma_buf_free(&buf);
        FUZZ_CHECK(plasma_call_intrinsic_gas(call) >= PLASMA_GAS_BASE);
    }
    free(call);
    return 0;
}
