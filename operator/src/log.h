/* Structured log lines on stderr, one event per line:
 *   ts=2026-01-02T03:04:05.678Z level=info event=block_sealed blknum=1000 txs=3
 * The fields after the event are printf-formatted key=value pairs. */
#ifndef PLASMA_OP_LOG_H
#define PLASMA_OP_LOG_H

typedef enum op_log_level { OP_LOG_DEBUG, OP_LOG_INFO, OP_LOG_WARN, OP_LOG_ERROR } op_log_level;

/* Lines below level are dropped. */
void op_log_set_level(op_log_level level);
/* Parses "debug", "info", "warn", "error". Returns 0 or -1. */
int op_log_parse_level(const char *s, op_log_level *out);

void op_log(op_log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
