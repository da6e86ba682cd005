/* The structured logger of every daemon (see plasma/log.h). */
#include "plasma/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "plasma/err.h"

#define LINE_MAX_LEN 1024

static atomic_int min_level = PLASMA_LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void plasma_log_set_level(plasma_log_level level)
{
    atomic_store(&min_level, (int)level);
}

int plasma_log_parse_level(plasma_log_level *out, const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, level_names[i]) == 0) {
            *out = (plasma_log_level)i;
            return PLASMA_OK;
        }
    return PLASMA_ERR_CONFIG;
}

const char *plasma_log_quote(char *out, size_t len, const char *value)
{
    size_t n = 0;
    if (len == 0)
        return out;
    if (*value && !strpbrk(value, " \"=\t\n\\")) {
        snprintf(out, len, "%s", value);
        return out;
    }
    /* Room for the closing quote and the terminator is kept at every step. */
    if (len < 3) {
        out[0] = '\0';
        return out;
    }
    out[n++] = '"';
    for (const char *p = value; *p && n + 3 < len; p++) {
        if (*p == '"' || *p == '\\')
            out[n++] = '\\';
        out[n++] = *p == '\n' || *p == '\t' ? ' ' : *p;
    }
    out[n++] = '"';
    out[n] = '\0';
    return out;
}

static int put_time(char *line, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    return snprintf(line, len, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

void plasma_log(plasma_log_level level, const char *event, const char *fmt, ...)
{
    if ((int)level < atomic_load(&min_level) || (int)level < 0 || (int)level > PLASMA_LOG_ERROR)
        return;
    char line[LINE_MAX_LEN];
    size_t room = sizeof line - 1; /* keeps a byte for the newline */
    if (put_time(line, room) < 0)
        return;
    size_t n = strnlen(line, room);
    snprintf(line + n, room - n, " level=%s event=%s", level_names[level], event);
    n = strnlen(line, room);
    if (fmt && fmt[0] && n + 2 < room) {
        line[n++] = ' ';
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(line + n, room - n, fmt, ap);
        va_end(ap);
        n = strnlen(line, room);
    }
    for (size_t i = 0; i < n; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    line[n++] = '\n';
    fwrite(line, 1, n, stderr);
}
