/* The JSON conventions of PROTOCOL §1 (see plasma/json.h). */
#include "plasma/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/u256.h"

json_t *plasma_json_hex(const uint8_t *data, size_t len)
{
    char *s = malloc(2 * len + 3);
    if (!s)
        return NULL;
    json_t *j = json_string(plasma_hex_encode(s, data, len));
    free(s);
    return j;
}

json_t *plasma_json_addr(const plasma_addr *a)
{
    char s[43];
    return json_string(plasma_addr_format(s, a));
}

json_t *plasma_json_hash(const plasma_hash *h)
{
    char s[67];
    return json_string(plasma_hash_format(s, h));
}

json_t *plasma_json_u256(const plasma_u256 *v)
{
    char s[PLASMA_U256_DEC_MAX];
    return json_string(plasma_u256_format_dec(s, v));
}

json_t *plasma_json_u64_str(uint64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%llu", (unsigned long long)v);
    return json_string(s);
}

json_t *plasma_json_u64(uint64_t v)
{
    return json_integer((json_int_t)v);
}

int plasma_json_parse_u64(uint64_t *out, const char *s)
{
    if (!s || !*s || strlen(s) > 20)
        return PLASMA_ERR_BAD_REQUEST;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return PLASMA_ERR_BAD_REQUEST;
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return PLASMA_ERR_BAD_REQUEST;
        v = v * 10 + d;
    }
    *out = v;
    return PLASMA_OK;
}

bool plasma_json_get_u64(uint64_t *out, const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return true;
    }
    return json_is_string(v) && plasma_json_parse_u64(out, json_string_value(v)) == 0;
}

const char *plasma_json_get_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}
