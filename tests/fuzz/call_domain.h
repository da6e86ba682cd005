/* The call domain of the fuzz target fuzz_call and of the program that
 * writes its seeds (make-call-corpus.c): an envelope decodes only under the
 * chain id and contract it names. The development chain's. */
#ifndef PLASMA_FUZZ_CALL_DOMAIN_H
#define PLASMA_FUZZ_CALL_DOMAIN_H

#include <stdlib.h>

#include "plasma/exitgame.h"

static inline plasma_call_domain fuzz_call_domain(void)
{
    plasma_call_domain d = {.chain_id = 31337};
    if (plasma_addr_parse(&d.contract, "0x5fbdb2315678afecb367f032d93f642f64180aa3") != 0)
        abort();
    return d;
}

#endif
