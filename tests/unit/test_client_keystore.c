/* Keystore: a file made by another wallet decrypts to its known key; our
 * own files round-trip; wrong passwords and corrupt files fail clearly. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plasma/client.h"

#define FIXTURE PLASMA_KEYSTORE_FIXTURES "/ethers-v3.json"
#define FIXTURE_PASSWORD_FILE PLASMA_KEYSTORE_FIXTURES "/ethers-v3.password"
#define FIXTURE_KEY "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
#define FIXTURE_ADDR "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23"

static void read_password(char *out, size_t len)
{
    FILE *f = fopen(FIXTURE_PASSWORD_FILE, "r");
    assert_non_null(f);
    size_t n = fread(out, 1, len - 1, f);
    fclose(f);
    out[n] = '\0';
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
}

static void test_fixture_decrypts(void **state)
{
    (void)state;
    char pw[256], errmsg[200], a[43];
    plasma_privkey key;
    plasma_addr addr;
    read_password(pw, sizeof pw);
    assert_int_equal(plasma_keystore_decrypt_file(&key, &addr, FIXTURE, pw, errmsg, sizeof errmsg), 0);
    tu_assert_hex(key.b, 32, FIXTURE_KEY);
    assert_string_equal(plasma_addr_format(a, &addr), FIXTURE_ADDR);
}

static void test_fixture_wrong_password(void **state)
{
    (void)state;
    char errmsg[200] = "";
    plasma_privkey key = {{7}};
    assert_int_equal(plasma_keystore_decrypt_file(&key, NULL, FIXTURE, "not it", errmsg, sizeof errmsg),
                     PLASMA_ERR_UNAUTHORIZED);
    assert_non_null(strstr(errmsg, "wrong password"));
    assert_int_equal(key.b[0], 7); /* untouched */
}

static void test_round_trip(void **state)
{
    (void)state;
    plasma_privkey key, back;
    plasma_addr addr, back_addr;
    json_t *ks = NULL;
    char errmsg[200];
    assert_int_equal(plasma_privkey_generate(&key), 0);
    assert_int_equal(plasma_privkey_addr(&addr, &key), 0);
    assert_int_equal(plasma_keystore_encrypt(&ks, &key, "pässwörd", 1024), 0);
    assert_int_equal(json_integer_value(json_object_get(ks, "version")), 3);
    assert_int_equal(plasma_keystore_decrypt(&back, &back_addr, ks, "pässwörd", errmsg, sizeof errmsg), 0);
    assert_memory_equal(back.b, key.b, 32);
    assert_true(plasma_addr_eq(&back_addr, &addr));
    assert_int_equal(plasma_keystore_decrypt(&back, NULL, ks, "passwörd", errmsg, sizeof errmsg),
                     PLASMA_ERR_UNAUTHORIZED);
    /* Two encryptions of one key never share salt or IV. */
    json_t *ks2 = NULL;
    assert_int_equal(plasma_keystore_encrypt(&ks2, &key, "pässwörd", 1024), 0);
    assert_false(json_equal(json_object_get(ks, "crypto"), json_object_get(ks2, "crypto")));
    json_decref(ks2);
    json_decref(ks);
}

static void test_bad_parameters(void **state)
{
    (void)state;
    plasma_privkey key = {{0}}, good;
    json_t *ks = NULL;
    assert_int_equal(plasma_keystore_encrypt(&ks, &key, "pw", 1024), PLASMA_ERR_BAD_REQUEST); /* zero key */
    assert_int_equal(plasma_privkey_generate(&good), 0);
    assert_int_equal(plasma_keystore_encrypt(&ks, &good, "pw", 1000), PLASMA_ERR_BAD_REQUEST); /* not 2^k */
    assert_null(ks);
}

/* Loads our own keystore, applies a damage, and expects a clear error. */
static void expect_corrupt(const char *path, json_t *value, const char *want_in_msg)
{
    plasma_privkey key;
    json_t *ks = NULL, *crypto;
    char errmsg[200] = "";
    assert_int_equal(plasma_privkey_generate(&key), 0);
    assert_int_equal(plasma_keystore_encrypt(&ks, &key, "pw", 16), 0);
    crypto = json_object_get(ks, "crypto");
    if (strncmp(path, "kdfparams.", 10) == 0)
        json_object_set_new(json_object_get(crypto, "kdfparams"), path + 10, value);
    else if (strcmp(path, "version") == 0)
        json_object_set_new(ks, path, value);
    else
        json_object_set_new(crypto, path, value);
    assert_int_equal(plasma_keystore_decrypt(&key, NULL, ks, "pw", errmsg, sizeof errmsg),
                     PLASMA_ERR_BAD_REQUEST);
    assert_non_null(strstr(errmsg, want_in_msg));
    json_decref(ks);
}

static void test_corrupt_fields(void **state)
{
    (void)state;
    expect_corrupt("version", json_integer(1), "version 3");
    expect_corrupt("cipher", json_string("aes-256-gcm"), "aes-128-ctr");
    expect_corrupt("kdf", json_string("argon2"), "unsupported kdf");
    expect_corrupt("ciphertext", json_string("zz"), "ciphertext");
    expect_corrupt("mac", json_string("00"), "mac");
    expect_corrupt("kdfparams.n", json_integer(1000), "scrypt");
    expect_corrupt("kdfparams.n", json_integer(1 << 30), "scrypt");
    expect_corrupt("kdfparams.dklen", json_integer(16), "dklen");
    expect_corrupt("kdfparams.salt", json_integer(5), "salt");
}

static void test_corrupt_file(void **state)
{
    (void)state;
    char path[] = "/tmp/plasma-ks-XXXXXX", errmsg[200] = "";
    plasma_privkey key;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "{\"version\": 3, \"crypto\": ", 25), 25);
    close(fd);
    assert_int_equal(plasma_keystore_decrypt_file(&key, NULL, path, "pw", errmsg, sizeof errmsg),
                     PLASMA_ERR_BAD_REQUEST);
    assert_non_null(strstr(errmsg, "not valid JSON"));
    unlink(path);
    assert_int_equal(plasma_keystore_decrypt_file(&key, NULL, path, "pw", errmsg, sizeof errmsg),
                     PLASMA_ERR_IO);
}

/* pbkdf2-hmac-sha256 keystores decrypt too (fixture written with Python's
 * hashlib and checked with ethers); an unsupported prf is named. */
static void test_pbkdf2(void **state)
{
    (void)state;
    char pw[256], errmsg[200] = "";
    plasma_privkey key;
    json_t *ks = json_load_file(PLASMA_KEYSTORE_FIXTURES "/pbkdf2-v3.json", 0, NULL);
    assert_non_null(ks);
    read_password(pw, sizeof pw);
    assert_int_equal(plasma_keystore_decrypt(&key, NULL, ks, pw, errmsg, sizeof errmsg), 0);
    tu_assert_hex(key.b, 32, FIXTURE_KEY);
    assert_int_equal(plasma_keystore_decrypt(&key, NULL, ks, "nope", errmsg, sizeof errmsg),
                     PLASMA_ERR_UNAUTHORIZED);
    json_object_set_new(json_object_get(json_object_get(ks, "crypto"), "kdfparams"), "prf",
                        json_string("hmac-md5"));
    assert_int_equal(plasma_keystore_decrypt(&key, NULL, ks, pw, errmsg, sizeof errmsg),
                     PLASMA_ERR_BAD_REQUEST);
    assert_non_null(strstr(errmsg, "hmac-sha256"));
    json_decref(ks);
}

static int count_cb(const char *path, const plasma_addr *addr, void *payload)
{
    (void)path;
    (void)addr;
    ++*(int *)payload;
    return 0;
}

static unsigned mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (unsigned)(st.st_mode & 07777);
}

/* A keystore under a home without ~/.plasma: both directories are made
 * 0700, the file 0600, even under a permissive umask. */
static void test_save_fresh_home(void **state)
{
    (void)state;
    char home[] = "/tmp/plasma-kshome-XXXXXX", dot[64], sub[96], path[4096], file[96];
    plasma_privkey key;
    json_t *ks = NULL;
    assert_non_null(mkdtemp(home));
    snprintf(dot, sizeof dot, "%s/.plasma", home);
    snprintf(sub, sizeof sub, "%s/keystore", dot);
    assert_int_equal(plasma_privkey_generate(&key), 0);
    assert_int_equal(plasma_keystore_encrypt(&ks, &key, "pw", 16), 0);
    mode_t old = umask(0);
    assert_int_equal(plasma_keystore_save(ks, sub, path, sizeof path), 0);
    umask(old);
    assert_int_equal(mode_of(dot), 0700);
    assert_int_equal(mode_of(sub), 0700);
    assert_int_equal(mode_of(path), 0600);
    /* A parent that is a file: refused, nothing written. */
    snprintf(file, sizeof file, "%s/file", home);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(sub, sizeof sub, "%s/file/keystore", home);
    assert_int_equal(plasma_keystore_save(ks, sub, NULL, 0), PLASMA_ERR_IO);
    unlink(file);
    unlink(path);
    snprintf(sub, sizeof sub, "%s/keystore", dot);
    rmdir(sub);
    rmdir(dot);
    assert_int_equal(rmdir(home), 0);
    json_decref(ks);
}

static void test_save_find_list(void **state)
{
    (void)state;
    char dir[] = "/tmp/plasma-ksdir-XXXXXX", sub[64], path[4096], found[4096], a[43], errmsg[200];
    plasma_privkey key, back;
    plasma_addr addr;
    json_t *ks = NULL;
    int n = 0;
    assert_non_null(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/keystore", dir);
    assert_int_equal(plasma_keystore_list(sub, count_cb, &n), 0); /* missing dir: empty */
    assert_int_equal(n, 0);
    assert_int_equal(plasma_privkey_generate(&key), 0);
    assert_int_equal(plasma_privkey_addr(&addr, &key), 0);
    assert_int_equal(plasma_keystore_encrypt(&ks, &key, "pw", 16), 0);
    assert_int_equal(plasma_keystore_save(ks, sub, path, sizeof path), 0);
    assert_int_equal(plasma_keystore_list(sub, count_cb, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(plasma_keystore_find(found, sizeof found, sub, plasma_addr_format(a, &addr)), 0);
    assert_string_equal(found, path);
    assert_int_equal(plasma_keystore_decrypt_file(&back, NULL, found, "pw", errmsg, sizeof errmsg), 0);
    assert_memory_equal(back.b, key.b, 32);
    assert_int_equal(
        plasma_keystore_find(found, sizeof found, sub, "0x0000000000000000000000000000000000000001"),
        PLASMA_ERR_NOT_FOUND);
    unlink(path);
    rmdir(sub);
    rmdir(dir);
    json_decref(ks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_decrypts), cmocka_unit_test(test_fixture_wrong_password),
        cmocka_unit_test(test_round_trip),       cmocka_unit_test(test_bad_parameters),
        cmocka_unit_test(test_corrupt_fields),   cmocka_unit_test(test_corrupt_file),
        cmocka_unit_test(test_pbkdf2),           cmocka_unit_test(test_save_find_list),
        cmocka_unit_test(test_save_fresh_home),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
