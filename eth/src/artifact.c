/* This build's PlasmaRootChain (contracts/out/PlasmaRootChain.json, turned
 * into byte arrays by eth/CMakeLists.txt), and the check that a deployed
 * contract is it. */
#include <stdbool.h>
#include <string.h>

#include "plasma/eth_contract.h"

extern const unsigned char plasma_eth_plasma_init_code[];
extern const size_t plasma_eth_plasma_init_code_len;
extern const unsigned char plasma_eth_plasma_runtime_code[];
extern const size_t plasma_eth_plasma_runtime_code_len;

#define OP_PUSH1 0x60
#define OP_PUSH32 0x7f

void plasma_eth_plasma_bytecode(const uint8_t **code, size_t *len)
{
    *code = plasma_eth_plasma_init_code;
    *len = plasma_eth_plasma_init_code_len;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* solc leaves an immutable's place in the runtime code as the operand of a
 * PUSH32 of zero, which the constructor overwrites. A literal zero is
 * PUSH0 since Shanghai, so such an operand is an immutable. Instructions
 * are walked so that push data is never read as an opcode; the metadata
 * at the end is compared like code. */
bool plasma_eth_is_plasma_code(const uint8_t *code, size_t len)
{
    const uint8_t *want = plasma_eth_plasma_runtime_code;
    size_t n = plasma_eth_plasma_runtime_code_len;
    if (len != n)
        return false;
    for (size_t i = 0; i < n;) {
        uint8_t op = want[i];
        size_t operand = op >= OP_PUSH1 && op <= OP_PUSH32 ? (size_t)(op - OP_PUSH1 + 1) : 0;
        if (i + 1 + operand > n)
            operand = n - i - 1;
        bool immutable = op == OP_PUSH32 && operand == 32 && all_zero(want + i + 1, 32);
        size_t compared = immutable ? 1 : 1 + operand;
        if (memcmp(code + i, want + i, compared) != 0)
            return false;
        i += 1 + operand;
    }
    return true;
}
