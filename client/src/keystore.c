/* Ethereum v3 keystores over OpenSSL's libcrypto. */
#include "plasma/client.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#define DK_LEN 32
#define IV_LEN 16
#define SALT_LEN 32
/* Caps keep a hostile file from asking for gigabytes or hours of work. */
#define MAX_SCRYPT_N (1u << 22)
#define MAX_PBKDF2_C 10000000
#define MAX_CIPHERTEXT 256

typedef struct kdf_params {
    bool scrypt;
    uint64_t n, r, p, c;
    uint8_t *salt;
    size_t salt_len;
} kdf_params;

static int fail(char *errmsg, size_t len, int err, const char *msg)
{
    if (errmsg && len)
        snprintf(errmsg, len, "%s", msg);
    return err;
}

static int derive_key(uint8_t dk[DK_LEN], const char *password, const kdf_params *kp)
{
    size_t pw_len = strlen(password);
    if (kp->scrypt) {
        /* scrypt needs 128·r·n bytes; allow a little more than that. */
        uint64_t maxmem = 128u * kp->r * kp->n + (1u << 20) + 128u * kp->r * kp->p;
        if (EVP_PBE_scrypt(password, pw_len, kp->salt, kp->salt_len, kp->n, kp->r, kp->p, maxmem, dk,
                           DK_LEN) != 1)
            return PLASMA_ERR_BAD_REQUEST;
        return 0;
    }
    if (PKCS5_PBKDF2_HMAC(password, (int)pw_len, kp->salt, (int)kp->salt_len, (int)kp->c, EVP_sha256(),
                          DK_LEN, dk) != 1)
        return PLASMA_ERR_BAD_REQUEST;
    return 0;
}

/* AES-128-CTR is its own inverse: the same call encrypts and decrypts. */
static int aes128ctr(uint8_t *out, const uint8_t *in, size_t len, const uint8_t key[16],
                     const uint8_t iv[IV_LEN])
{
    int rc = PLASMA_ERR_INTERNAL, n1 = 0, n2 = 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return PLASMA_ERR_NOMEM;
    if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, iv) != 1)
        goto cleanup;
    if (EVP_EncryptUpdate(ctx, out, &n1, in, (int)len) != 1)
        goto cleanup;
    if (EVP_EncryptFinal_ex(ctx, out + n1, &n2) != 1 || (size_t)(n1 + n2) != len)
        goto cleanup;
    rc = 0;
cleanup:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

static void compute_mac(plasma_hash *out, const uint8_t dk[DK_LEN], const uint8_t *ct, size_t ct_len)
{
    uint8_t buf[16 + MAX_CIPHERTEXT];
    memcpy(buf, dk + 16, 16);
    memcpy(buf + 16, ct, ct_len);
    plasma_keccak256(out, buf, 16 + ct_len);
    plasma_wipe(buf, sizeof buf);
}

static void hex_plain(char *out, const uint8_t *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * len] = '\0';
}

static int fill_random(uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(buf + got, len - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return PLASMA_ERR_IO;
        got += (size_t)n;
    }
    return 0;
}

static void format_uuid(char out[37], uint8_t r[16])
{
    char hex[33];
    r[6] = (uint8_t)((r[6] & 0x0f) | 0x40); /* version 4 */
    r[8] = (uint8_t)((r[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    hex_plain(hex, r, 16);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static json_t *build_keystore(const plasma_addr *addr, const uint8_t *salt, const uint8_t *iv,
                              const uint8_t *ct, const plasma_hash *mac, uint64_t n, uint8_t uuid_rand[16])
{
    char a[41], s[2 * SALT_LEN + 1], i[2 * IV_LEN + 1], c[65], m[65], uuid[37];
    hex_plain(a, addr->b, 20);
    hex_plain(s, salt, SALT_LEN);
    hex_plain(i, iv, IV_LEN);
    hex_plain(c, ct, 32);
    hex_plain(m, mac->b, 32);
    format_uuid(uuid, uuid_rand);
    return json_pack("{s:i, s:s, s:s, s:{s:s, s:s, s:{s:s}, s:s, s:{s:i, s:I, s:i, s:i, s:s}, s:s}}",
                     "version", 3, "id", uuid, "address", a, "crypto", "cipher", "aes-128-ctr", "ciphertext",
                     c, "cipherparams", "iv", i, "kdf", "scrypt", "kdfparams", "dklen", DK_LEN, "n",
                     (json_int_t)n, "r", (int)PLASMA_KEYSTORE_SCRYPT_R, "p", (int)PLASMA_KEYSTORE_SCRYPT_P,
                     "salt", s, "mac", m);
}

int plasma_keystore_encrypt(json_t **out, const plasma_privkey *key, const char *password, uint64_t n)
{
    uint8_t salt[SALT_LEN], iv[IV_LEN], uuid_rand[16], dk[DK_LEN], ct[32];
    plasma_addr addr;
    plasma_hash mac;
    int rc;
    if (n < 2 || n > MAX_SCRYPT_N || (n & (n - 1)) != 0)
        return PLASMA_ERR_BAD_REQUEST;
    if ((rc = plasma_privkey_addr(&addr, key)) != 0)
        return rc;
    if (fill_random(salt, sizeof salt) || fill_random(iv, sizeof iv) ||
        fill_random(uuid_rand, sizeof uuid_rand))
        return PLASMA_ERR_IO;
    kdf_params kp = {.scrypt = true,
                     .n = n,
                     .r = PLASMA_KEYSTORE_SCRYPT_R,
                     .p = PLASMA_KEYSTORE_SCRYPT_P,
                     .salt = salt,
                     .salt_len = sizeof salt};
    if ((rc = derive_key(dk, password, &kp)) != 0)
        goto cleanup;
    if ((rc = aes128ctr(ct, key->b, 32, dk, iv)) != 0)
        goto cleanup;
    compute_mac(&mac, dk, ct, sizeof ct);
    json_t *ks = build_keystore(&addr, salt, iv, ct, &mac, n, uuid_rand);
    if (!ks) {
        rc = PLASMA_ERR_NOMEM;
        goto cleanup;
    }
    *out = ks;
cleanup:
    plasma_wipe(dk, sizeof dk);
    return rc;
}

/* Reads a hex string member (with or without 0x) into a new buffer. */
static int get_hex(uint8_t **out, size_t *len, const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    char *pref;
    int rc;
    if (!s)
        return PLASMA_ERR_BAD_REQUEST;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return plasma_hex_decode_alloc(out, len, s);
    if (!(pref = malloc(strlen(s) + 3)))
        return PLASMA_ERR_NOMEM;
    sprintf(pref, "0x%s", s);
    rc = plasma_hex_decode_alloc(out, len, pref);
    free(pref);
    return rc;
}

static bool get_uint(uint64_t *out, const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return false;
    *out = (uint64_t)json_integer_value(v);
    return true;
}

static int parse_kdf(kdf_params *kp, const json_t *crypto, char *errmsg, size_t errlen)
{
    const char *kdf = json_string_value(json_object_get(crypto, "kdf"));
    json_t *params = json_object_get(crypto, "kdfparams");
    uint64_t dklen = 0;
    if (!kdf || !json_is_object(params))
        return fail(errmsg, errlen, PLASMA_ERR_BAD_REQUEST,
                    "keystore: crypto.kdf or crypto.kdfparams missing");
    if (!get_uint(&dklen, params, "dklen") || dklen != DK_LEN)
        return fail(errmsg, errlen, PLASMA_ERR_BAD_REQUEST, "keystore: kdfparams.dklen must be 32");
    if (strcmp(kdf, "scrypt") == 0) {
        kp->scrypt = true;
        if (!get_uint(&kp->n, params, "n") || !get_uint(&kp->r, params, "r") ||
            !get_uint(&kp->p, params, "p"))
            return fail(errmsg, errlen, PLASMA_ERR_BAD_REQUEST, "keystore: scrypt n, r or p missing");
        if (kp->n > MAX_SCRYPT_N || (kp->n & (kp->n - 1)) != 0 || kp->n < 2 || kp->r > 64 || kp->p > 16)
            return fail(errmsg, errlen, PLASMA_ERR_BAD_REQUEST, "keystore: scrypt parameters out of range");
    } else if (strcmp(kdf, "pbkdf2") == 0) {
        const char *prf = json_string_value(json_object_get(params, "prf"));
        kp->scrypt = false;
        if (!prf || strcmp(prf, "hmac-sha256") != 0)
            return fail(errmsg, errlen, PLASMA_ERR_BAD_REQUEST, "keystore: pbkdf2 prf must be hmac-sha256");
        if (!get_uint(&kp->c, params, "c") || kp->c > MAX_PBKDF2_C)
            return fail(errmsg, errlen, PLASMA_ERR_BAD_REQUEST, "keystore: pbkdf2 c missing or too large");
    } else {
        return fail(errmsg, errlen, PLASMA_ERR_BAD_REQUEST,
                    "keystore: unsupported kdf (want scrypt or pbkdf2)");
    }
    if (get_hex(&kp->salt, &kp->salt_len, params, "salt") != 0)
        return fail(errmsg, errlen, PLASMA_ERR_BAD_REQUEST, "keystore: kdfparams.salt missing or not hex");
    return 0;
}

typedef struct cipher_fields {
    uint8_t *ct, *iv, *mac;
    size_t ct_len, iv_len, mac_len;
} cipher_fields;

static int parse_cipher(cipher_fields *cf, const json_t *crypto, char *errmsg, size_t errlen)
{
    const char *cipher = json_string_value(json_object_get(crypto, "cipher"));
    if (!cipher || strcmp(cipher, "aes-128-ctr") != 0)
        return fail(errmsg, errlen, PLASMA_ERR_BAD_REQUEST, "keystore: cipher must be aes-128-ctr");
    if (get_hex(&cf->iv, &cf->iv_len, json_object_get(crypto, "cipherparams"), "iv") != 0 ||
        cf->iv_len != IV_LEN)
        return fail(errmsg, errlen, PLASMA_ERR_BAD_REQUEST,
                    "keystore: cipherparams.iv must be 16 bytes of hex");
    if (get_hex(&cf->ct, &cf->ct_len, crypto, "ciphertext") != 0 || cf->ct_len != 32)
        return fail(errmsg, errlen, PLASMA_ERR_BAD_REQUEST, "keystore: ciphertext must be 32 bytes of hex");
    if (get_hex(&cf->mac, &cf->mac_len, crypto, "mac") != 0 || cf->mac_len != 32)
        return fail(errmsg, errlen, PLASMA_ERR_BAD_REQUEST, "keystore: mac must be 32 bytes of hex");
    return 0;
}

static int check_address_field(const json_t *keystore, const plasma_addr *addr, char *errmsg, size_t errlen)
{
    uint8_t *a = NULL;
    size_t a_len = 0;
    int rc = 0;
    if (!json_object_get(keystore, "address"))
        return 0; /* optional: some wallets omit it for privacy */
    if (get_hex(&a, &a_len, keystore, "address") != 0 || a_len != 20 || memcmp(a, addr->b, 20) != 0)
        rc = fail(errmsg, errlen, PLASMA_ERR_BAD_REQUEST, "keystore: address field does not match the key");
    free(a);
    return rc;
}

static int decrypt_parsed(plasma_privkey *key, const kdf_params *kp, const cipher_fields *cf,
                          const char *password, char *errmsg, size_t errlen)
{
    uint8_t dk[DK_LEN];
    plasma_hash mac;
    plasma_privkey k;
    int rc = derive_key(dk, password, kp);
    if (rc) {
        rc = fail(errmsg, errlen, rc, "keystore: key derivation failed (parameters too large?)");
        goto cleanup;
    }
    compute_mac(&mac, dk, cf->ct, cf->ct_len);
    if (memcmp(mac.b, cf->mac, 32) != 0) {
        rc = fail(errmsg, errlen, PLASMA_ERR_UNAUTHORIZED, "wrong password: the keystore MAC does not match");
        goto cleanup;
    }
    if ((rc = aes128ctr(k.b, cf->ct, 32, dk, cf->iv)) != 0)
        goto cleanup;
    *key = k;
cleanup:
    plasma_wipe(dk, sizeof dk);
    plasma_wipe(&k, sizeof k);
    return rc;
}

int plasma_keystore_decrypt(plasma_privkey *key, plasma_addr *addr, const json_t *keystore,
                            const char *password, char *errmsg, size_t errmsg_len)
{
    kdf_params kp = {0};
    cipher_fields cf = {0};
    plasma_privkey k;
    plasma_addr a;
    json_t *crypto = json_object_get(keystore, "crypto");
    int rc;
    if (!crypto)
        crypto = json_object_get(keystore, "Crypto"); /* older geth spelling */
    if (!json_is_object(keystore) || json_integer_value(json_object_get(keystore, "version")) != 3 ||
        !json_is_object(crypto))
        return fail(errmsg, errmsg_len, PLASMA_ERR_BAD_REQUEST, "keystore: not a version 3 keystore");
    if ((rc = parse_kdf(&kp, crypto, errmsg, errmsg_len)) != 0)
        goto cleanup;
    if ((rc = parse_cipher(&cf, crypto, errmsg, errmsg_len)) != 0)
        goto cleanup;
    if ((rc = decrypt_parsed(&k, &kp, &cf, password, errmsg, errmsg_len)) != 0)
        goto cleanup;
    if (plasma_privkey_addr(&a, &k) != 0) {
        rc = fail(errmsg, errmsg_len, PLASMA_ERR_BAD_REQUEST, "keystore: decrypted key is not a valid key");
        goto cleanup;
    }
    if ((rc = check_address_field(keystore, &a, errmsg, errmsg_len)) != 0)
        goto cleanup;
    *key = k;
    if (addr)
        *addr = a;
cleanup:
    plasma_wipe(&k, sizeof k);
    free(kp.salt);
    free(cf.ct);
    free(cf.iv);
    free(cf.mac);
    return rc;
}

int plasma_keystore_decrypt_file(plasma_privkey *key, plasma_addr *addr, const char *path,
                                 const char *password, char *errmsg, size_t errmsg_len)
{
    json_error_t jerr;
    json_t *ks;
    int rc;
    if (access(path, R_OK) != 0) {
        if (errmsg && errmsg_len)
            snprintf(errmsg, errmsg_len, "cannot read keystore %s: %s", path, strerror(errno));
        return PLASMA_ERR_IO;
    }
    if (!(ks = json_load_file(path, 0, &jerr))) {
        if (errmsg && errmsg_len)
            snprintf(errmsg, errmsg_len, "keystore %s is not valid JSON: %s (line %d)", path, jerr.text,
                     jerr.line);
        return PLASMA_ERR_BAD_REQUEST;
    }
    rc = plasma_keystore_decrypt(key, addr, ks, password, errmsg, errmsg_len);
    json_decref(ks);
    return rc;
}

static int write_new_file(const char *path, const char *text)
{
    size_t len = strlen(text), done = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return PLASMA_ERR_IO;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    if (done < len || fsync(fd) != 0) {
        close(fd);
        unlink(path);
        return PLASMA_ERR_IO;
    }
    return close(fd) == 0 ? 0 : PLASMA_ERR_IO;
}

int plasma_keystore_save(const json_t *keystore, const char *dir, char *path, size_t path_len)
{
    const char *addr = json_string_value(json_object_get(keystore, "address"));
    char file[4096], stamp[40];
    struct timespec ts;
    struct tm tm;
    char *text;
    int rc;
    if (!addr || strlen(addr) > 42)
        return PLASMA_ERR_BAD_REQUEST;
    if (addr[0] == '0' && addr[1] == 'x')
        addr += 2;
    /* A fresh home has no ~/.plasma either: the parents are made too. */
    if (plasma_mkdir_parents(dir) != 0)
        return PLASMA_ERR_IO;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H-%M-%S", &tm);
    snprintf(file, sizeof file, "%s/UTC--%s.%09ldZ--%s", dir, stamp, ts.tv_nsec, addr);
    if (!(text = json_dumps(keystore, JSON_INDENT(2))))
        return PLASMA_ERR_NOMEM;
    rc = write_new_file(file, text);
    free(text);
    if (rc == 0 && path && path_len)
        snprintf(path, path_len, "%s", file);
    return rc;
}

static bool keystore_addr(plasma_addr *out, const char *path)
{
    json_t *ks = json_load_file(path, 0, NULL);
    const char *a = json_string_value(json_object_get(ks, "address"));
    char buf[48];
    bool ok = false;
    if (a && strlen(a) <= 42) {
        snprintf(buf, sizeof buf, "%s%s", (a[0] == '0' && a[1] == 'x') ? "" : "0x", a);
        ok = plasma_addr_parse(out, buf) == 0;
    }
    json_decref(ks);
    return ok;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Out: the sorted regular-file names of dir (caller frees each and the array). */
static int list_names(char ***out, size_t *n_out, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    if (!d) {
        *out = NULL;
        *n_out = 0;
        return errno == ENOENT ? 0 : PLASMA_ERR_IO;
    }
    while ((e = readdir(d)) != NULL) {
        char **grown;
        if (e->d_name[0] == '.')
            continue;
        if (!(grown = realloc(names, (n + 1) * sizeof *names)) || !(grown[n] = strdup(e->d_name))) {
            names = grown ? grown : names;
            for (size_t i = 0; i < n; i++)
                free(names[i]);
            free(names);
            closedir(d);
            return PLASMA_ERR_NOMEM;
        }
        names = grown;
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    *out = names;
    *n_out = n;
    return 0;
}

int plasma_keystore_list(const char *dir, plasma_keystore_list_cb cb, void *payload)
{
    char **names, path[4096];
    size_t n;
    int rc = list_names(&names, &n, dir);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && rc == 0; i++) {
        plasma_addr a;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (keystore_addr(&a, path))
            rc = cb(path, &a, payload);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

typedef struct find_ctx {
    plasma_addr want;
    char *path;
    size_t path_len;
} find_ctx;

static int find_cb(const char *path, const plasma_addr *addr, void *payload)
{
    find_ctx *f = payload;
    if (!plasma_addr_eq(addr, &f->want))
        return 0;
    snprintf(f->path, f->path_len, "%s", path);
    return 1;
}

int plasma_keystore_find(char *path, size_t path_len, const char *dir, const char *account)
{
    find_ctx f = {.path = path, .path_len = path_len};
    char file[4096];
    int rc;
    if (plasma_addr_parse(&f.want, account) != 0) {
        struct stat st;
        if (strchr(account, '/'))
            return PLASMA_ERR_NOT_FOUND;
        snprintf(file, sizeof file, "%s/%s", dir, account);
        if (stat(file, &st) != 0 || !S_ISREG(st.st_mode))
            return PLASMA_ERR_NOT_FOUND;
        snprintf(path, path_len, "%s", file);
        return 0;
    }
    rc = plasma_keystore_list(dir, find_cb, &f);
    if (rc == 1)
        return 0;
    return rc ? rc : PLASMA_ERR_NOT_FOUND;
}
