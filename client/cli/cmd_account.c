/* plasma account new|list|import|export */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: plasma account new [--scrypt-n N]\n"
    "       plasma account list\n"
    "       plasma account import [--scrypt-n N] (--key 0x… | FILE)   FILE: a v3 keystore or a hex key\n"
    "       plasma account export [--private-key]   the keystore of --account (or its raw key)\n"
    "Keystores live in --keystore DIR, $PLASMA_KEYSTORE or ~/.plasma/keystore (created 0700 when\n"
    "missing; Ethereum v3 JSON files, 0600, scrypt n = 262144 unless --scrypt-n lowers it for\n"
    "tests). Passwords come from PLASMA_PASSWORD or a prompt without echo.\n"
    "Prints the account's address and keystore file ({\"address\", \"path\"} with --json).\n";

static void saved_human(const json_t *r)
{
    printf("account %s\n  keystore %s\n", json_string_value(json_object_get(r, "address")),
           json_string_value(json_object_get(r, "path")));
}

static int save_key(cli_ctx *ctx, const plasma_privkey *key, uint64_t n)
{
    char pw[256], path[4096];
    json_t *ks = NULL;
    plasma_addr addr;
    int rc = cli_password(ctx, "New password: ", true, pw, sizeof pw);
    if (rc)
        return rc;
    rc = plasma_keystore_encrypt(&ks, key, pw, n);
    plasma_wipe(pw, sizeof pw);
    if (rc)
        return cli_error(ctx, rc, "cannot encrypt the key: %s", plasma_err_message(rc));
    rc = plasma_keystore_save(ks, ctx->keystore_dir, path, sizeof path);
    json_decref(ks);
    if (rc)
        return cli_error(ctx, rc, "cannot write a keystore into %s (is it writable?)", ctx->keystore_dir);
    plasma_privkey_addr(&addr, key);
    return cli_output(ctx, json_pack("{s:o, s:s}", "address", plasma_json_addr(&addr), "path", path),
                      saved_human);
}

static int account_new(cli_ctx *ctx, int argc, char **argv)
{
    const char *n_s = NULL;
    uint64_t n = PLASMA_KEYSTORE_SCRYPT_N;
    plasma_privkey key;
    bool bad = false;
    int rc;
    for (int i = 2; i < argc; i++) {
        if (!cli_opt(argc, argv, &i, "--scrypt-n", &n_s, &bad))
            return cli_error(ctx, PLASMA_ERR_USAGE, "account new: unknown option %s (see --help)", argv[i]);
        if (bad)
            return cli_missing(ctx, argv[i]);
    }
    if (n_s && !cli_parse_u64(ctx, "--scrypt-n", n_s, &n))
        return CLI_EXIT_USAGE;
    if (n < 2 || (n & (n - 1)) != 0)
        return cli_error(ctx, PLASMA_ERR_USAGE, "--scrypt-n must be a power of two");
    if (plasma_privkey_generate(&key) != 0)
        return cli_error(ctx, PLASMA_ERR_IO, "no randomness from the OS");
    rc = save_key(ctx, &key, n);
    plasma_wipe(&key, sizeof key);
    return rc;
}

static int list_cb(const char *path, const plasma_addr *addr, void *payload)
{
    json_t *arr = payload;
    const char *name = strrchr(path, '/');
    json_array_append_new(arr, json_pack("{s:o, s:s, s:s}", "address", plasma_json_addr(addr), "name",
                                         name ? name + 1 : path, "path", path));
    return 0;
}

static void list_human(const json_t *r)
{
    json_t *a;
    size_t i;
    json_array_foreach (json_object_get(r, "accounts"), i, a) {
        printf("%s  %s\n", json_string_value(json_object_get(a, "address")),
               json_string_value(json_object_get(a, "name")));
    }
    if (i == 0)
        printf("no accounts (create one with `plasma account new`)\n");
}

static int account_list(cli_ctx *ctx, int argc, char **argv)
{
    json_t *arr;
    int rc;
    if (argc > 2)
        return cli_error(ctx, PLASMA_ERR_USAGE, "account list: unexpected %s (see --help)", argv[2]);
    if (!(arr = json_array()))
        return cli_error(ctx, PLASMA_ERR_NOMEM, "out of memory");
    if ((rc = plasma_keystore_list(ctx->keystore_dir, list_cb, arr)) != 0) {
        json_decref(arr);
        return cli_error(ctx, rc, "cannot read %s", ctx->keystore_dir);
    }
    return cli_output(ctx, json_pack("{s:s, s:o}", "keystore", ctx->keystore_dir, "accounts", arr),
                      list_human);
}

/* A file holding a keystore is checked with its password and copied; a
 * file holding a hex key is encrypted anew. */
static int import_file(cli_ctx *ctx, const char *file, uint64_t n)
{
    json_t *ks = json_load_file(file, 0, NULL);
    char pw[256], msg[300], path[4096], hex[80] = "";
    plasma_privkey key;
    plasma_addr addr;
    int rc;
    if (!ks) {
        FILE *f = fopen(file, "r");
        if (!f)
            return cli_error(ctx, PLASMA_ERR_IO, "cannot read %s", file);
        if (!fgets(hex, sizeof hex, f))
            hex[0] = '\0';
        fclose(f);
        hex[strcspn(hex, "\r\n \t")] = '\0';
        rc = plasma_hex_decode_fixed(key.b, 32, hex) || plasma_privkey_addr(&addr, &key);
        plasma_wipe(hex, sizeof hex);
        if (rc)
            return cli_error(ctx, PLASMA_ERR_BAD_REQUEST, "%s is neither a v3 keystore nor a hex private key",
                             file);
        rc = save_key(ctx, &key, n);
        plasma_wipe(&key, sizeof key);
        return rc;
    }
    if ((rc = cli_password(ctx, "Keystore password: ", false, pw, sizeof pw)) == 0) {
        rc = plasma_keystore_decrypt(&key, &addr, ks, pw, msg, sizeof msg);
        plasma_wipe(pw, sizeof pw);
        plasma_wipe(&key, sizeof key);
        if (rc)
            rc = cli_error(ctx, rc, "%s: %s", file, msg);
        else if ((rc = plasma_keystore_save(ks, ctx->keystore_dir, path, sizeof path)) != 0)
            rc = cli_error(ctx, rc, "cannot write a keystore into %s (is it writable?)", ctx->keystore_dir);
        else
            rc = cli_output(ctx, json_pack("{s:o, s:s}", "address", plasma_json_addr(&addr), "path", path),
                            saved_human);
    }
    json_decref(ks);
    return rc;
}

static int account_import(cli_ctx *ctx, int argc, char **argv)
{
    const char *file = NULL, *n_s = NULL;
    uint64_t n = PLASMA_KEYSTORE_SCRYPT_N;
    plasma_privkey key;
    plasma_addr addr;
    bool bad = false;
    int rc;
    for (int i = 2; i < argc; i++) {
        if (!cli_opt(argc, argv, &i, "--scrypt-n", &n_s, &bad)) {
            if (argv[i][0] == '-' || file)
                return cli_error(ctx, PLASMA_ERR_USAGE, "account import: unexpected %s (see --help)",
                                 argv[i]);
            file = argv[i];
        }
        if (bad)
            return cli_missing(ctx, argv[i]);
    }
    if (n_s && !cli_parse_u64(ctx, "--scrypt-n", n_s, &n))
        return CLI_EXIT_USAGE;
    if (n < 2 || (n & (n - 1)) != 0)
        return cli_error(ctx, PLASMA_ERR_USAGE, "--scrypt-n must be a power of two");
    if (file)
        return import_file(ctx, file, n);
    if (!ctx->key_hex)
        return cli_error(ctx, PLASMA_ERR_USAGE, "account import: give --key 0x… or a FILE (see --help)");
    if ((rc = cli_load_key(ctx, &key, &addr)) != 0)
        return rc;
    rc = save_key(ctx, &key, n);
    plasma_wipe(&key, sizeof key);
    return rc;
}

static void key_human(const json_t *r)
{
    printf("account     %s\nprivate key %s\n", json_string_value(json_object_get(r, "address")),
           json_string_value(json_object_get(r, "private_key")));
}

/* The keystore is a document to save: printed as indented JSON either way. */
static void keystore_human(const json_t *r)
{
    json_dumpf(r, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
}

static int account_export(cli_ctx *ctx, int argc, char **argv)
{
    bool raw = argc > 2 && strcmp(argv[2], "--private-key") == 0;
    char hex[67];
    plasma_privkey key;
    plasma_addr addr;
    int rc;
    if (argc > 3 || (argc > 2 && !raw))
        return cli_error(ctx, PLASMA_ERR_USAGE, "account export: unexpected %s (see --help)", argv[argc - 1]);
    if ((rc = cli_load_key(ctx, &key, &addr)) != 0)
        return rc;
    if (raw) {
        plasma_hex_encode(hex, key.b, 32);
        rc = cli_output(ctx, json_pack("{s:o, s:s}", "address", plasma_json_addr(&addr), "private_key", hex),
                        key_human);
        plasma_wipe(hex, sizeof hex);
    } else {
        char pw[256];
        json_t *ks = NULL;
        if ((rc = cli_password(ctx, "Password for the exported keystore: ", false, pw, sizeof pw)) == 0) {
            rc = plasma_keystore_encrypt(&ks, &key, pw, PLASMA_KEYSTORE_SCRYPT_N);
            rc = rc ? cli_error(ctx, rc, "cannot encrypt the key") : cli_output(ctx, ks, keystore_human);
        }
        plasma_wipe(pw, sizeof pw);
    }
    plasma_wipe(&key, sizeof key);
    return rc;
}

int cmd_account(cli_ctx *ctx, int argc, char **argv)
{
    if (cli_wants_help(argc, argv))
        return cli_help(help);
    if (argc < 2)
        return cli_usage(ctx, help, "account: give new, list, import or export");
    if (strcmp(argv[1], "new") == 0)
        return account_new(ctx, argc, argv);
    if (strcmp(argv[1], "list") == 0)
        return account_list(ctx, argc, argv);
    if (strcmp(argv[1], "import") == 0)
        return account_import(ctx, argc, argv);
    if (strcmp(argv[1], "export") == 0)
        return account_export(ctx, argc, argv);
    return cli_error(ctx, PLASMA_ERR_USAGE, "account: unknown subcommand \"%s\" (see --help)", argv[1]);
}
