/* What the integration tests of the `plasma` CLI share: the development
 * accounts, the daemon under test, running the real binary against it and
 * reading its JSON. Each test sets base_args (the options every command
 * gets) once its daemon runs. */
#ifndef PLASMA_CLI_KIT_H
#define PLASMA_CLI_KIT_H

#include "itest.h"

#include <stdarg.h>

#include "plasma/client.h"

#define ALICE_KEY "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
#define BOB_KEY "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
#define ALICE "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
#define BOB "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"
#define ETH "0x0000000000000000000000000000000000000000"
#define E18 1000000000000000000ull

static it_daemon daemon_;
static char base_args[512];

/* Runs `plasma <base args> <args>`; returns the exit status, stdout in out
 * (out_len bytes max). Stderr goes to <daemon dir>/cli.log. */
static inline int run_raw(char *out, size_t out_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int run_raw(char *out, size_t out_len, const char *fmt, ...)
{
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s %s %s 2>>%s/cli.log", PLASMA_CLI_BIN, base_args, args, daemon_.dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, out_len - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Starts `plasma <base args> <args>` in the background, its stdout
 * appended to <daemon dir>/<out_log>, its stderr to cli.log. Returns its
 * pid. */
static inline pid_t spawn_cli(const char *args, const char *out_log)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "exec %s %s %s >>%s/%s 2>>%s/cli.log", PLASMA_CLI_BIN, base_args, args,
             daemon_.dir, out_log, daemon_.dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* As run_raw; when out is not NULL, *out is stdout parsed as JSON (NULL if
 * it is not JSON). */
static inline int run(json_t **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int run(json_t **out, const char *fmt, ...)
{
    char args[2048];
    static char buf[65536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    int rc = run_raw(buf, sizeof buf, "%s", args);
    if (out)
        *out = json_loads(buf, 0, NULL);
    return rc;
}

/* As run with --json, asserting success and a JSON object (or array). */
static inline json_t *run_ok(const char *args)
{
    json_t *j = NULL;
    int rc = run(&j, "--json %s", args);
    if (rc != 0 || !(json_is_object(j) || json_is_array(j)))
        fail_msg("plasma %s: exit %d (log %s/cli.log)", args, rc, daemon_.dir);
    return j;
}

static inline uint64_t json_u64(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v))
        return (uint64_t)json_integer_value(v);
    return strtoull(json_string_value(v) ? json_string_value(v) : "0", NULL, 10);
}

static inline plasma_u256 json_amount(const json_t *o, const char *key)
{
    plasma_u256 v = {{0}};
    const char *s = json_string_value(json_object_get(o, key));
    assert_non_null(s);
    assert_int_equal(plasma_u256_parse_dec(&v, s), 0);
    return v;
}

static inline plasma_u256 u(uint64_t v)
{
    return plasma_u256_from_u64(v);
}

static inline void assert_u256(const plasma_u256 *got, const plasma_u256 *want, const char *what)
{
    char g[PLASMA_U256_DEC_MAX], w[PLASMA_U256_DEC_MAX];
    if (plasma_u256_cmp(got, want) != 0)
        fail_msg("%s: got %s, want %s", what, plasma_u256_format_dec(g, got),
                 plasma_u256_format_dec(w, want));
}

/* The root-chain balance of token for addr. */
static inline plasma_u256 rc_balance(const char *addr, const char *token)
{
    char args[200];
    snprintf(args, sizeof args, "rootchain balance --address %s --token %s", addr, token);
    json_t *j = run_ok(args);
    plasma_u256 v;
    if (strcmp(token, ETH) == 0) {
        assert_int_equal(json_object_size(json_object_get(j, "tokens")), 0);
        v = json_amount(j, "balance");
    } else {
        v = json_amount(json_object_get(j, "tokens"), token);
    }
    json_decref(j);
    return v;
}

/* Polls until the root chain stores the root of child block blknum. */
static inline void wait_submitted(uint64_t blknum)
{
    double deadline = it_now() + 15;
    while (run(NULL, "--json rootchain block %llu", (unsigned long long)blknum) != 0) {
        if (it_now() > deadline)
            fail_msg("block %llu never reached the root chain", (unsigned long long)blknum);
        it_sleep_ms(100);
    }
}

#endif
