/* Fuzz target: keystore files (Ethereum v3 JSON), as `plasma --keystore`
 * reads them: the input is the file's text, decrypted with a fixed
 * password. Only documented errors may come back, never a crash. Inputs
 * whose key derivation would cost more than a few milliseconds (scrypt n
 * above 1024, pbkdf2 above 1000 rounds) are skipped: they only make the
 * fuzzer slow, the parsing before them is what is fuzzed. */
#include <string.h>

#include "fuzz.h"
#include "plasma/client.h"

static bool cheap_kdf(const json_t *ks)
{
    const json_t *crypto = json_object_get(ks, "crypto");
    if (!crypto)
        crypto = json_object_get(ks, "Crypto");
    const json_t *p = json_object_get(crypto, "kdfparams");
    const json_t *n = json_object_get(p, "n"), *c = json_object_get(p, "c");
    return (!json_is_integer(n) || json_integer_value(n) <= 1024) &&
           (!json_is_integer(c) || json_integer_value(c) <= 1000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *ks = json_loadb((const char *)data, size, 0, NULL);
    if (!ks)
        return 0;
    if (cheap_kdf(ks)) {
        plasma_privkey key;
        plasma_addr addr;
        char msg[160] = "";
        int rc = plasma_keystore_decrypt(&key, &addr, ks, "fuzz-password", msg, sizeof msg);
        FUZZ_CHECK(rc == 0 || rc == PLASMA_ERR_UNAUTHORIZED || rc == PLASMA_ERR_BAD_REQUEST ||
                   rc == PLASMA_ERR_NOMEM);
        FUZZ_CHECK(rc == 0 || rc == PLASMA_ERR_UNAUTHORIZED || msg[0]);
        if (rc == 0) {
            plasma_addr from_key;
            FUZZ_CHECK(plasma_privkey_addr(&from_key, &key) == 0 && plasma_addr_eq(&from_key, &addr));
        }
    }
    json_decref(ks);
    return 0;
}
