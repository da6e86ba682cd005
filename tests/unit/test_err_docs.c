/* The error vocabulary in the docs agrees with the one table in core:
 *  - docs/api.md's "Error codes" table (between the error-codes markers)
 *    lists every plasma_err in table order with its code, HTTP status and
 *    meaning, and nothing else;
 *  - every other error table of docs/ and README.md (header "| code |
 *    status | …") names only codes that exist, with their status.
 * On a mismatch the expected table is printed, ready to paste. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "testutil.h"

#ifndef PLASMA_SOURCE_DIR
#error "PLASMA_SOURCE_DIR must name the source tree"
#endif

#define BEGIN_MARK "<!-- error-codes: begin"
#define END_MARK "<!-- error-codes: end"

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long len;
    if (!f)
        fail_msg("cannot read %s", path);
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (text = malloc((size_t)len + 1)) != NULL) {
        size_t n = fread(text, 1, (size_t)len, f);
        text[n] = '\0';
    }
    fclose(f);
    assert_non_null(text);
    return text;
}

static void expected_row(char *out, size_t len, int err)
{
    snprintf(out, len, "| `%s` | %d | %s |", plasma_err_code(err), plasma_err_http_status(err),
             plasma_err_message(err));
}

static void print_expected_table(void)
{
    char row[512];
    fprintf(stderr, "docs/api.md should list, between the error-codes markers:\n| code | status | meaning |\n"
                    "|---|---|---|\n");
    for (size_t i = 0; i < plasma_err_count(); i++) {
        expected_row(row, sizeof row, plasma_err_nth(i));
        fprintf(stderr, "%s\n", row);
    }
}

/* The next line of *p (NUL-terminated in place); NULL at the end. */
static char *next_line(char **p)
{
    char *line = *p, *nl;
    if (!line || !*line)
        return NULL;
    nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = line + strlen(line);
    }
    return line;
}

static void test_api_md_lists_every_code(void **state)
{
    (void)state;
    char *text = read_text(PLASMA_SOURCE_DIR "/docs/api.md"), *p = text, *line, want[512];
    bool inside = false, seen_end = false;
    size_t row = 0;
    while ((line = next_line(&p)) != NULL && !seen_end) {
        if (strncmp(line, BEGIN_MARK, strlen(BEGIN_MARK)) == 0) {
            inside = true;
            continue;
        }
        if (strncmp(line, END_MARK, strlen(END_MARK)) == 0) {
            seen_end = true;
            continue;
        }
        if (!inside || strncmp(line, "| `", 3) != 0)
            continue;
        if (row == plasma_err_count()) {
            print_expected_table();
            fail_msg("docs/api.md lists a code that does not exist: %s", line);
        }
        expected_row(want, sizeof want, plasma_err_nth(row));
        if (strcmp(line, want) != 0) {
            print_expected_table();
            fail_msg("docs/api.md error table, row %zu:\n  found    %s\n  expected %s", row + 1, line, want);
        }
        row++;
    }
    if (!seen_end) {
        free(text);
        fail_msg("docs/api.md has no error-codes table (markers " BEGIN_MARK " … " END_MARK ")");
    }
    free(text);
    if (row != plasma_err_count()) {
        print_expected_table();
        expected_row(want, sizeof want, plasma_err_nth(row));
        fail_msg("docs/api.md error table lacks %s", want);
    }
}

/* Checks one table row: when its second cell is an HTTP status, each
 * `code` of its first cell must exist with that status. Returns the number
 * of codes checked, or -1 with the reason in why. */
static int check_row(const char *line, char *why, size_t why_len)
{
    const char *c1 = line + 1, *c2 = strchr(c1, '|'), *c3;
    char status_s[16] = "", code[64];
    int status = 0, used = 0, checked = 0;
    if (line[0] != '|' || !c2 || !(c3 = strchr(c2 + 1, '|')) || (size_t)(c3 - c2 - 1) >= sizeof status_s)
        return 0;
    memcpy(status_s, c2 + 1, (size_t)(c3 - c2 - 1));
    if (sscanf(status_s, " %3d %n", &status, &used) != 1 || status_s[used] != '\0' || status < 100)
        return 0;
    for (const char *q = c1; q < c2;) {
        const char *open = memchr(q, '`', (size_t)(c2 - q)), *close;
        if (!open || !(close = memchr(open + 1, '`', (size_t)(c2 - open - 1))))
            break;
        size_t n = (size_t)(close - open - 1);
        q = close + 1;
        if (n == 0 || n >= sizeof code)
            continue;
        memcpy(code, open + 1, n);
        code[n] = '\0';
        int err = plasma_err_from_code(code);
        if (err == PLASMA_ERR_INTERNAL && strcmp(code, "internal") != 0) {
            snprintf(why, why_len, "`%s` is not an error code (core/src/err.c)", code);
            return -1;
        }
        if (plasma_err_http_status(err) != status) {
            snprintf(why, why_len, "`%s` has status %d, not %d", code, plasma_err_http_status(err), status);
            return -1;
        }
        checked++;
    }
    return checked;
}

/* An error table is one whose header row is "| code | status | …". */
static bool error_table_header(const char *line)
{
    char c1[32], c2[32];
    return sscanf(line, "| %31[^ |] | %31[^ |] |", c1, c2) == 2 && strcmp(c1, "code") == 0 &&
           strcmp(c2, "status") == 0;
}

static int check_file(const char *dir, const char *name)
{
    char path[1024], why[200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = read_text(path), *p = text, *line;
    int lineno = 0, checked = 0;
    bool in_table = false, error_table = false;
    while ((line = next_line(&p)) != NULL) {
        lineno++;
        if (line[0] != '|') {
            in_table = false;
            continue;
        }
        if (!in_table) {
            in_table = true;
            error_table = error_table_header(line);
            continue;
        }
        if (!error_table)
            continue;
        int n = check_row(line, why, sizeof why);
        if (n < 0) {
            free(text);
            fail_msg("%s:%d: %s", name, lineno, why);
        }
        checked += n;
    }
    free(text);
    return checked;
}

static void test_every_error_table_names_real_codes(void **state)
{
    (void)state;
    DIR *d = opendir(PLASMA_SOURCE_DIR "/docs");
    struct dirent *e;
    int checked = check_file(PLASMA_SOURCE_DIR, "README.md");
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 3 && strcmp(e->d_name + n - 3, ".md") == 0)
            checked += check_file(PLASMA_SOURCE_DIR "/docs", e->d_name);
    }
    closedir(d);
    /* The full table has a row per code; the per-API tables add more. */
    assert_true(checked > (int)plasma_err_count());
}

/* The row checker catches what it is for, and leaves other tables alone. */
static void test_row_checker(void **state)
{
    (void)state;
    char why[200];
    assert_int_equal(check_row("| `utxo_spent` | 409 | spent |", why, sizeof why), 1);
    assert_int_equal(check_row("| `io`, `nomem` | 500 | failed |", why, sizeof why), 2);
    assert_int_equal(check_row("| `utxo_spent` | 404 | spent |", why, sizeof why), -1);
    assert_non_null(strstr(why, "status 409"));
    assert_int_equal(check_row("| `no_such_code` | 400 | x |", why, sizeof why), -1);
    assert_non_null(strstr(why, "no_such_code"));
    assert_int_equal(check_row("| `ratio` | 0.64 |", why, sizeof why), 0);
    assert_int_equal(check_row("| `invalid_exit` | an exit starts | challenge |", why, sizeof why), 0);
    assert_int_equal(check_row("not a table", why, sizeof why), 0);
    assert_true(error_table_header("| code | status | when |"));
    assert_false(error_table_header("| figure | earlier session | target |"));
    assert_false(error_table_header("| event | when | action |"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_checker),
        cmocka_unit_test(test_api_md_lists_every_code),
        cmocka_unit_test(test_every_error_table_names_real_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
