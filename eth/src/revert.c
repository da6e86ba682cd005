/* Revert data: the project's custom errors, Error(string), Panic(uint256).
 * See plasma/eth_abi.h. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/eth_abi.h"
#include "plasma/u256.h"

#define MAX_ERRORS 256
#define NAME_MAX_LEN 48

typedef struct custom_error {
    int err;
    uint8_t selector[4];
    char name[NAME_MAX_LEN];
} custom_error;

static custom_error errors[MAX_ERRORS];
static size_t n_errors;
static pthread_once_t errors_once = PTHREAD_ONCE_INIT;

/* "bad_bond" → "BadBond". Returns false when it does not fit. */
static bool camel_case(char *out, size_t size, const char *code)
{
    size_t n = 0;
    bool upper = true;
    for (const char *c = code; *c; c++) {
        if (*c == '_') {
            upper = true;
            continue;
        }
        if (n + 1 >= size)
            return false;
        out[n++] = upper && *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c;
        upper = false;
    }
    out[n] = '\0';
    return n > 0;
}

/* One custom error per row of the error table. */
static void build_errors(void)
{
    for (size_t i = 0; i < plasma_err_count() && n_errors < MAX_ERRORS; i++) {
        int e = plasma_err_nth(i);
        const char *code = plasma_err_code(e);
        custom_error *ce = &errors[n_errors];
        char sig[NAME_MAX_LEN + 2];
        if (!camel_case(ce->name, sizeof ce->name, code))
            continue;
        snprintf(sig, sizeof sig, "%s()", ce->name);
        plasma_eth_abi_selector(ce->selector, sig);
        ce->err = e;
        n_errors++;
    }
}

static const custom_error *find_by_err(int err)
{
    pthread_once(&errors_once, build_errors);
    for (size_t i = 0; i < n_errors; i++)
        if (errors[i].err == err)
            return &errors[i];
    return NULL;
}

static const custom_error *find_by_selector(const uint8_t sel[4])
{
    pthread_once(&errors_once, build_errors);
    for (size_t i = 0; i < n_errors; i++)
        if (memcmp(errors[i].selector, sel, 4) == 0)
            return &errors[i];
    return NULL;
}

int plasma_eth_error_name(char *name, size_t size, uint8_t selector[4], int err)
{
    const custom_error *ce = find_by_err(err);
    if (!ce)
        return PLASMA_ERR_NOT_FOUND;
    snprintf(name, size, "%s", ce->name);
    if (selector)
        memcpy(selector, ce->selector, 4);
    return PLASMA_OK;
}

static const char *panic_meaning(uint64_t code)
{
    switch (code) {
    case 0x00:
        return "generic panic";
    case 0x01:
        return "assertion failed";
    case 0x11:
        return "arithmetic overflow";
    case 0x12:
        return "division by zero";
    case 0x21:
        return "invalid enum value";
    case 0x22:
        return "corrupt storage byte array";
    case 0x31:
        return "pop from an empty array";
    case 0x32:
        return "array index out of bounds";
    case 0x41:
        return "out of memory";
    case 0x51:
        return "call to a zero function";
    default:
        return "unknown panic code";
    }
}

static bool decode_error_string(plasma_eth_revert *out, const uint8_t *args, size_t len)
{
    plasma_eth_abi_value *v = NULL;
    size_t n = 0;
    if (plasma_eth_abi_decode(&v, &n, "string", args, len) != 0)
        return false;
    size_t k = 0;
    for (; k < v[0].len && k + 1 < sizeof out->reason; k++) {
        uint8_t c = v[0].bytes[k];
        out->reason[k] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    out->reason[k] = '\0';
    plasma_eth_abi_values_free(v);
    return true;
}

static bool decode_panic(plasma_eth_revert *out, const uint8_t *args, size_t len)
{
    plasma_eth_abi_value *v = NULL;
    size_t n = 0;
    if (plasma_eth_abi_decode(&v, &n, "uint256", args, len) != 0)
        return false;
    char hex[67];
    uint64_t code = UINT64_MAX;
    plasma_u256_to_u64(&v[0].uint, &code);
    snprintf(out->reason, sizeof out->reason, "%s %s", plasma_u256_format_hex(hex, &v[0].uint),
             panic_meaning(code));
    plasma_eth_abi_values_free(v);
    return true;
}

void plasma_eth_revert_decode(plasma_eth_revert *out, const uint8_t *data, size_t len)
{
    static const uint8_t ERROR_SEL[4] = {0x08, 0xc3, 0x79, 0xa0}; /* Error(string) */
    static const uint8_t PANIC_SEL[4] = {0x4e, 0x48, 0x7b, 0x71}; /* Panic(uint256) */
    memset(out, 0, sizeof *out);
    out->err = PLASMA_ERR_REVERTED;
    if (len == 0)
        return;
    if (len < 4) {
        snprintf(out->name, sizeof out->name, "malformed");
        return;
    }
    const custom_error *ce = find_by_selector(data);
    if (ce) {
        out->err = ce->err;
        snprintf(out->name, sizeof out->name, "%s", ce->name);
    } else if (memcmp(data, ERROR_SEL, 4) == 0) {
        snprintf(out->name, sizeof out->name,
                 decode_error_string(out, data + 4, len - 4) ? "Error" : "malformed");
    } else if (memcmp(data, PANIC_SEL, 4) == 0) {
        snprintf(out->name, sizeof out->name, decode_panic(out, data + 4, len - 4) ? "Panic" : "malformed");
    } else {
        plasma_hex_encode(out->name, data, 4);
    }
}
