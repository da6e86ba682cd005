/* Helpers shared by the unit tests: vector loading and hex comparison. */
#ifndef PLASMA_TESTUTIL_H
#define PLASMA_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <cmocka.h>
#include <jansson.h>

#include "plasma/core.h"

/* Loads tests/vectors/<relpath> as JSON; fails the test if it cannot. */
json_t *tu_load_json(const char *relpath);

/* Decodes 0x-hex into a malloc'd buffer; fails the test on bad hex. */
uint8_t *tu_hex(const char *hex, size_t *len);

/* Asserts that bytes equal the 0x-hex string expected. */
#define tu_assert_hex(bytes, len, expected) tu_assert_hex_at(bytes, len, expected, __FILE__, __LINE__)
void tu_assert_hex_at(const uint8_t *bytes, size_t len, const char *expected, const char *file, int line);

/* Fetches a string member, failing the test if it is absent. */
const char *tu_str(const json_t *obj, const char *key);

/* Deterministic xorshift PRNG for property tests. */
uint64_t tu_rand(uint64_t *state);

/* The seed of a randomized test: PLASMA_TEST_SEED when set (decimal or
 * 0x-hex), else def. Prints "<what>: seed N (rerun with
 * PLASMA_TEST_SEED=N)" so that any run can be repeated. A test that mixes
 * several streams derives them from this one value. */
uint64_t tu_seed(const char *what, uint64_t def);
/* Monotonic time in seconds. */
double tu_now(void);
/* Sleeps ms milliseconds (through signals). */
void tu_sleep_ms(long ms);
/* A loopback TCP port that was free a moment ago; fails the test if none.
 * Only for programs without a way to report the port they bound (anvil):
 * another process may take it before the program binds it. */
uint16_t tu_free_port(void);

/* --- files --- */

struct stat;
struct FTW;
/* Removes one entry: the nftw callback of tu_rmtree. */
int tu_rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw);
/* Removes dir and everything below it (rm -rf); a missing dir is fine. */
void tu_rmtree(const char *dir);
/* True when the text file at path (a daemon's log) has a line containing
 * needle. */
bool tu_file_contains(const char *path, const char *needle);

/* --- raw HTTP on loopback, so that tests control every byte --- */

typedef struct tu_resp {
    long status;
    char *body; /* NUL-terminated */
    size_t len;
    json_t *json; /* parsed body, or NULL */
} tu_resp;

void tu_resp_free(tu_resp *r);
/* A connection to 127.0.0.1:port from 127.0.0.1, receives timing out after
 * 30 s; -1 when it cannot connect. */
int tu_connect(uint16_t port);
/* The same from the loopback address 127.0.0.host (bound first), with
 * sends and receives timing out after timeout_s. */
int tu_connect_from(unsigned host, uint16_t port, int timeout_s);
bool tu_send_all(int fd, const char *p, size_t n);
/* Reads a whole response, up to the server's close. False when none came. */
bool tu_read_resp(int fd, tu_resp *r);
/* Sends one request with Connection: close. ctype NULL: no Content-Type
 * header; extra: more header lines ("Name: value\r\n") or NULL. The
 * response is read even when the server stopped taking the body (a 413
 * decided from Content-Length). Returns false when no response came. */
bool tu_request(uint16_t port, const char *method, const char *path, const char *body, size_t body_len,
                const char *ctype, const char *extra, tu_resp *r);
/* The error code of an error reply ({"error": {"code": …}}), or "". */
const char *tu_error_code(const tu_resp *r);

/* --- daemons under test --- */

/* Starts argv[0] with argv (NULL-terminated), its stdout and stderr
 * appended to log_path. Returns the child's pid; fails the test when fork
 * fails. */
pid_t tu_spawn(const char *const *argv, const char *log_path);

/* Waits up to seconds for the daemon pid to write its listening port into
 * port_file (the --port-file of plasma-operator and plasma-rootchain,
 * written whole once listening). Returns 1 with *port set, 0 when the
 * daemon exited first (its wait status in *status, the child reaped), or
 * -1 on timeout. */
int tu_wait_port_file(const char *port_file, pid_t pid, double seconds, uint16_t *port, int *status);

#endif
