/* A keystore opened by a program that runs unattended (the operator, the
 * deploy tool): the password comes from a file or the environment, never
 * from the command line, where other users of the machine can read it. */
#include "plasma/client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PASSWORD_MAX 1024

static int fail_io(char *errmsg, size_t len, const char *path)
{
    if (errmsg && len)
        snprintf(errmsg, len, "cannot read the password file %s: %s", path, strerror(errno));
    return PLASMA_ERR_IO;
}

/* The first line of path, without its line end. */
static int read_password_file(char *out, size_t out_len, const char *path, char *errmsg, size_t errmsg_len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return fail_io(errmsg, errmsg_len, path);
    char line[PASSWORD_MAX + 2];
    bool got = fgets(line, sizeof line, f) != NULL;
    bool failed = ferror(f) != 0;
    fclose(f);
    if (!got)
        line[0] = '\0';
    size_t n = strcspn(line, "\r\n");
    int rc = PLASMA_OK;
    if (failed) {
        rc = fail_io(errmsg, errmsg_len, path);
    } else if (n >= out_len || n > PASSWORD_MAX) {
        rc = PLASMA_ERR_BAD_REQUEST;
        if (errmsg && errmsg_len)
            snprintf(errmsg, errmsg_len, "the password in %s is too long", path);
    } else {
        snprintf(out, out_len, "%.*s", (int)n, line);
    }
    plasma_wipe(line, sizeof line);
    return rc;
}

int plasma_keystore_password(char *out, size_t out_len, const char *file, char *errmsg, size_t errmsg_len)
{
    if (file && file[0])
        return read_password_file(out, out_len, file, errmsg, errmsg_len);
    const char *env = getenv("PLASMA_PASSWORD");
    if (!env) {
        if (errmsg && errmsg_len)
            snprintf(errmsg, errmsg_len,
                     "the keystore needs a password: a password file, or PLASMA_PASSWORD");
        return PLASMA_ERR_NOT_FOUND;
    }
    if (strlen(env) >= out_len) {
        if (errmsg && errmsg_len)
            snprintf(errmsg, errmsg_len, "PLASMA_PASSWORD is too long");
        return PLASMA_ERR_BAD_REQUEST;
    }
    snprintf(out, out_len, "%s", env);
    return PLASMA_OK;
}

int plasma_keystore_unlock(plasma_privkey *key, plasma_addr *addr, const char *path,
                           const char *password_file, char *errmsg, size_t errmsg_len)
{
    char pw[PASSWORD_MAX + 1];
    int rc = plasma_keystore_password(pw, sizeof pw, password_file, errmsg, errmsg_len);
    if (rc == 0)
        rc = plasma_keystore_decrypt_file(key, addr, path, pw, errmsg, errmsg_len);
    if (rc == PLASMA_ERR_UNAUTHORIZED && errmsg && errmsg_len)
        snprintf(errmsg, errmsg_len, "wrong password for the keystore %s", path);
    plasma_wipe(pw, sizeof pw);
    return rc;
}
