/* The call domain of the fuzz target fuzz_call and of the program that
 * writes its seeds (make-call-corpus.c): an envelope decodes only under the
 * chain id and contract it names. The development chain's (the chain's
 * defaults). */
#ifndef PLASMA_FUZZ_CALL_DOMAIN_H
#define PLASMA_FUZZ_CALL_DOMAIN_H

#include <stdlib.h>

#include "plasma/exitgame.h"

static inline plasma_call_domain fuzz_call_domain(void)
{
    plasma_call_domain d = {.chain_id = PLASMA_CHAIN_DEFAULT_CHAIN_ID};
    if (plasma_addr_parse(&d.contract, PLASMA_CHAIN_DEFAULT_CONTRACT) != 0)
        abort();
    return d;
}

#endif
