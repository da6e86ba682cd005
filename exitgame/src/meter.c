/* The gas meter (docs/gas.md): the EVM's prices for what the contract
 * does, so that a call costs on the simulated chain what the same call
 * costs PlasmaRootChain on Ethereum (checked within ±10 % by
 * contracts/test/gas.js).
 *
 *   - storage: EIP-2929 (a slot's first access in a call is cold: 2,100
 *     more), EIP-2200 and EIP-3529 (a write's price depends on the slot's
 *     value before the call, now and after; clearing a slot refunds, at
 *     most a fifth of the call's gas);
 *   - accounts: EIP-2929 (2,600 the first time a call touches one, 100 after;
 *     the sender and the contract are warm);
 *   - keccak, logs and calls out at their prices;
 *   - the contract's other code (decoding, memory, arithmetic) as fitted
 *     terms, one per routine, charged where the contract runs it. */
#include "internal.h"

int eg_gas(eg_exec *ex, uint64_t amount)
{
    if (amount > ex->gas_limit - ex->gas_used) {
        ex->gas_used = ex->gas_limit;
        return PLASMA_ERR_OUT_OF_GAS;
    }
    ex->gas_used += amount;
    return PLASMA_OK;
}

/* ---- the access set: open addressing over the chain's scratch array ---- */

static eg_access *access_probe(plasma_chain *c, uint64_t slot)
{
    size_t mask = c->acc_cap - 1;
    for (size_t i = (size_t)slot & mask;; i = (i + 1) & mask) {
        eg_access *a = &c->acc[i];
        if (a->gen != c->acc_gen || a->slot == slot)
            return a;
    }
}

static int access_grow(plasma_chain *c)
{
    size_t cap = c->acc_cap ? 2 * c->acc_cap : 256;
    eg_access *old = c->acc, *a = calloc(cap, sizeof *a);
    if (!a)
        return PLASMA_ERR_NOMEM;
    size_t old_cap = c->acc_cap;
    c->acc = a;
    c->acc_cap = cap;
    uint32_t gen = c->acc_gen;
    c->acc_gen = 1;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].gen != gen)
            continue;
        eg_access *e = access_probe(c, old[i].slot);
        *e = old[i];
        e->gen = 1;
    }
    free(old);
    return PLASMA_OK;
}

/* The access entry of slot. Out: *cold when this is the call's first
 * access (the entry is then new, holding word). */
static int access(eg_exec *ex, uint64_t slot, uint64_t word, eg_access **out, bool *cold)
{
    plasma_chain *c = ex->c;
    if (2 * (c->acc_n + 1) > c->acc_cap) {
        int rc = access_grow(c);
        if (rc != 0)
            return rc;
    }
    eg_access *a = access_probe(c, slot);
    *cold = a->gen != c->acc_gen;
    if (*cold) {
        *a = (eg_access){slot, word, word, c->acc_gen};
        c->acc_n++;
    }
    *out = a;
    return PLASMA_OK;
}

int eg_meter_begin(eg_exec *ex)
{
    plasma_chain *c = ex->c;
    ex->refund = 0;
    c->acc_n = 0;
    if (++c->acc_gen == 0) { /* wrapped: every entry would look current */
        memset(c->acc, 0, c->acc_cap * sizeof *c->acc);
        c->acc_gen = 1;
    }
    eg_access *a;
    bool cold;
    int rc = access(ex, eg_slot(EG_S_ACCOUNT, ex->call->from.b, 20, 0), 0, &a, &cold);
    if (rc == 0)
        rc = access(ex, eg_slot(EG_S_ACCOUNT, c->cfg.contract.b, 20, 0), 0, &a, &cold);
    return rc;
}

void eg_meter_end(eg_exec *ex)
{
    if (ex->refund <= 0)
        return;
    uint64_t cap = ex->gas_used / PLASMA_GAS_MAX_REFUND_QUOTIENT;
    ex->gas_used -= (uint64_t)ex->refund < cap ? (uint64_t)ex->refund : cap;
}

int eg_sload(eg_exec *ex, uint64_t slot, uint64_t word)
{
    eg_access *a;
    bool cold;
    int rc = access(ex, slot, word, &a, &cold);
    return rc ? rc : eg_gas(ex, cold ? PLASMA_GAS_COLD_SLOAD : PLASMA_GAS_WARM_ACCESS);
}

/* EIP-2200's cases with EIP-2929's and EIP-3529's prices. */
static uint64_t sstore_cost(eg_exec *ex, const eg_access *a, uint64_t next)
{
    if (next == a->cur)
        return PLASMA_GAS_WARM_ACCESS;
    if (a->cur == a->orig) {
        if (a->orig == 0)
            return PLASMA_GAS_SSTORE_SET;
        if (next == 0)
            ex->refund += PLASMA_GAS_CLEAR_REFUND;
        return PLASMA_GAS_SSTORE_RESET;
    }
    if (a->orig != 0) {
        if (a->cur == 0)
            ex->refund -= PLASMA_GAS_CLEAR_REFUND;
        else if (next == 0)
            ex->refund += PLASMA_GAS_CLEAR_REFUND;
    }
    if (next == a->orig)
        ex->refund += a->orig == 0 ? PLASMA_GAS_SSTORE_SET - PLASMA_GAS_WARM_ACCESS
                                   : PLASMA_GAS_SSTORE_RESET - PLASMA_GAS_WARM_ACCESS;
    return PLASMA_GAS_WARM_ACCESS;
}

int eg_sstore(eg_exec *ex, uint64_t slot, uint64_t word, uint64_t next)
{
    eg_access *a;
    bool cold;
    int rc = access(ex, slot, word, &a, &cold);
    if (rc != 0)
        return rc;
    uint64_t cost = (cold ? PLASMA_GAS_COLD_SLOAD : 0) + sstore_cost(ex, a, next);
    a->cur = next;
    return eg_gas(ex, cost);
}

int eg_account_access(eg_exec *ex, const plasma_addr *addr)
{
    eg_access *a;
    bool cold;
    int rc = access(ex, eg_slot(EG_S_ACCOUNT, addr->b, 20, 0), 0, &a, &cold);
    return rc ? rc : eg_gas(ex, cold ? PLASMA_GAS_COLD_ACCOUNT : PLASMA_GAS_WARM_ACCESS);
}

int eg_keccak(eg_exec *ex, size_t len)
{
    return eg_gas(ex, PLASMA_GAS_KECCAK + PLASMA_GAS_KECCAK_WORD * ((len + 31) / 32));
}

int eg_emit(eg_exec *ex, plasma_event *ev, unsigned topics, size_t data_bytes)
{
    int rc = eg_gas(ex, PLASMA_GAS_LOG + topics * PLASMA_GAS_LOG_TOPIC + data_bytes * PLASMA_GAS_LOG_BYTE);
    if (rc != 0)
        return rc;
    ev->block_number = ex->block_number;
    ev->call_index = ex->call_index;
    return eg_push_event(ex->c, ev);
}

int eg_heap_gas(eg_exec *ex, const plasma_addr *token, const eg_heap_trace *tr)
{
    int rc = PLASMA_OK;
    for (size_t k = 0; k < tr->n_ops && rc == 0; k++) {
        const eg_hop *o = &tr->ops[k];
        uint8_t key[28];
        memcpy(key, token->b, 20);
        eg_put_u64(key + 20, o->pos);
        uint64_t slot = eg_slot(o->id ? EG_S_QID : EG_S_QKEY, key, sizeof key, 0);
        rc = o->write ? eg_sstore(ex, slot, o->word, o->next) : eg_sload(ex, slot, o->word);
    }
    return rc;
}

/* ---- the contract's computation: fitted terms ----
 * The EVM gas of the contract's code other than storage, keccak, logs and
 * calls: the ABI's dispatch and decoding, RLP reading, memory, arithmetic.
 * The decoders' terms are measured on every shape of transaction with
 * contracts/test/GasProbe.sol (node test/gasfit.js); the others are what
 * remains of each call kind's measured gas (contracts/test/gas.js) once
 * every other term is charged. */

/* Each call kind's own code (indexed by plasma_call_kind). */
static const uint32_t CPU_CALL[PLASMA_CALL_KINDS] = {
    [PLASMA_CALL_TRANSFER] = 0,
    [PLASMA_CALL_DEPOSIT] = 9400,
    [PLASMA_CALL_SUBMIT_BLOCK] = 1350,
    [PLASMA_CALL_START_EXIT] = 3000,
    [PLASMA_CALL_CHALLENGE_EXIT] = 1400,
    [PLASMA_CALL_PROCESS_EXITS] = 3750,
    [PLASMA_CALL_START_IFE] = 6000,
    [PLASMA_CALL_PIGGYBACK_INPUT] = 2900,
    [PLASMA_CALL_PIGGYBACK_OUTPUT] = 2900,
    [PLASMA_CALL_CHALLENGE_IFE] = 2700,
    [PLASMA_CALL_RESPOND_IFE] = 1200,
    [PLASMA_CALL_CHALLENGE_IFE_INPUT] = 1400,
    [PLASMA_CALL_CHALLENGE_IFE_OUTPUT] = 2000,
    [PLASMA_CALL_DELETE_IFE] = 2500,
    [PLASMA_CALL_WITHDRAW] = 1100,
};

/* PaymentTx's decoders: base + per input + per output, and the pairwise
 * checks (distinct inputs, each output's token summed over all outputs). */
#define CPU_SIGNED 9209
#define CPU_SIGNED_INPUT 3531
#define CPU_SIGNED_OUTPUT 4916
#define CPU_SIGNED_INPUT_SQ 103
#define CPU_SIGNED_OUTPUT_SQ 273
#define CPU_UNSIGNED 5980
#define CPU_UNSIGNED_INPUT 1280
#define CPU_UNSIGNED_OUTPUT 5176
#define CPU_UNSIGNED_INPUT_SQ 123
#define CPU_UNSIGNED_OUTPUT_SQ 207
/* processExits: one standard exit's entry; one in-flight exit's. */
#define CPU_EXIT_ENTRY 2000
#define CPU_IFE_ENTRY 5200
/* startInFlightExit: per input (its checks' code, the record built);
 * checkAmounts, per pair of output and input or output. */
#define CPU_IFE_INPUT 3000
#define CPU_AMOUNTS_PAIR 100

int eg_cpu_call(eg_exec *ex)
{
    return eg_gas(ex, CPU_CALL[ex->call->kind]);
}

int eg_cpu_decode_signed(eg_exec *ex, const plasma_tx *tx)
{
    uint64_t in = tx->n_inputs, out = tx->n_outputs;
    return eg_gas(ex, CPU_SIGNED + CPU_SIGNED_INPUT * in + CPU_SIGNED_OUTPUT * out +
                          CPU_SIGNED_INPUT_SQ * in * in + CPU_SIGNED_OUTPUT_SQ * out * out);
}

int eg_cpu_decode_unsigned(eg_exec *ex, const plasma_tx *tx)
{
    uint64_t in = tx->n_inputs, out = tx->n_outputs;
    return eg_gas(ex, CPU_UNSIGNED + CPU_UNSIGNED_INPUT * in + CPU_UNSIGNED_OUTPUT * out +
                          CPU_UNSIGNED_INPUT_SQ * in * in + CPU_UNSIGNED_OUTPUT_SQ * out * out);
}

int eg_cpu_exit_entry(eg_exec *ex)
{
    return eg_gas(ex, CPU_EXIT_ENTRY);
}

int eg_cpu_ife_entry(eg_exec *ex)
{
    return eg_gas(ex, CPU_IFE_ENTRY);
}

int eg_cpu_ife_input(eg_exec *ex)
{
    return eg_gas(ex, CPU_IFE_INPUT);
}

int eg_cpu_amounts(eg_exec *ex, const plasma_tx *tx)
{
    return eg_gas(ex, CPU_AMOUNTS_PAIR * (uint64_t)tx->n_outputs * (tx->n_outputs + tx->n_inputs));
}
