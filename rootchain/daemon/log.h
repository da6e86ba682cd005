/* Structured one-line logs on stderr:
 *   ts=2024-05-01T12:00:00.123Z level=info msg=listening port=7435
 * msg is a snake_case event name; the rest are key=value pairs, a value
 * with spaces or quotes written in double quotes. Thread-safe. */
#ifndef PLASMA_RC_LOG_H
#define PLASMA_RC_LOG_H

typedef enum rc_log_level { RC_LOG_DEBUG, RC_LOG_INFO, RC_LOG_WARN, RC_LOG_ERROR } rc_log_level;

/* Returns 0 and *out for "debug", "info", "warn", "error"; else -1. */
int rc_log_level_parse(rc_log_level *out, const char *name);
/* Lines below level are dropped. */
void rc_log_set_level(rc_log_level level);

/* Writes one line: msg, then pairs of (key, value) strings ending at a NULL
 * key. */
void rc_log(rc_log_level level, const char *msg, ...);

#endif
