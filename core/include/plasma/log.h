/* Structured logs of the daemons: one line per event on stderr,
 *   ts=2026-01-02T03:04:05.678Z level=info event=block_sealed blknum=1000
 * The fields after the event are printf-formatted key=value pairs; a value
 * that may hold spaces or quotes goes through plasma_log_quote. A line is
 * written with one call, so lines of concurrent threads never interleave,
 * and a newline inside a field is written as a space, so one event is
 * always one line. */
#ifndef PLASMA_LOG_H
#define PLASMA_LOG_H

#include <stddef.h>

typedef enum plasma_log_level {
    PLASMA_LOG_DEBUG,
    PLASMA_LOG_INFO,
    PLASMA_LOG_WARN,
    PLASMA_LOG_ERROR,
} plasma_log_level;

/* Lines below level are dropped (default PLASMA_LOG_INFO). */
void plasma_log_set_level(plasma_log_level level);
/* Parses "debug", "info", "warn", "error". Returns 0 or PLASMA_ERR_CONFIG. */
int plasma_log_parse_level(plasma_log_level *out, const char *name);

/* Writes one line: the event, then the fields (fmt may be NULL or ""). */
void plasma_log(plasma_log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes value into out (len bytes) as a field value: as it is when it has
 * no space, quote or '=', else in double quotes with '"' and '\' escaped;
 * cut to fit. Returns out. */
const char *plasma_log_quote(char *out, size_t len, const char *value);

#endif
