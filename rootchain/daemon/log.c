/* Structured logs: one line per event, assembled in a buffer and written
 * with a single call so that lines from several threads never interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static rc_log_level g_level = RC_LOG_INFO;

static const char *const LEVELS[] = {"debug", "info", "warn", "error"};

int rc_log_level_parse(rc_log_level *out, const char *name)
{
    for (unsigned i = 0; i < sizeof LEVELS / sizeof LEVELS[0]; i++) {
        if (strcmp(name, LEVELS[i]) == 0) {
            *out = (rc_log_level)i;
            return 0;
        }
    }
    return -1;
}

void rc_log_set_level(rc_log_level level)
{
    g_level = level;
}

typedef struct line {
    char buf[1024];
    size_t len;
} line;

static void put(line *l, const char *s, size_t n)
{
    size_t room = sizeof l->buf - 2 - l->len; /* keep room for "\n\0" */
    if (n > room)
        n = room;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void put_str(line *l, const char *s)
{
    put(l, s, strlen(s));
}

/* A value that would break the key=value grammar is quoted. */
static void put_value(line *l, const char *v)
{
    if (*v && strpbrk(v, " \"=\t\n") == NULL) {
        put_str(l, v);
        return;
    }
    put_str(l, "\"");
    for (const char *p = v; *p; p++) {
        if (*p == '"' || *p == '\\')
            put_str(l, "\\");
        put(l, *p == '\n' ? " " : p, 1);
    }
    put_str(l, "\"");
}

static void put_time(line *l)
{
    struct timespec ts;
    struct tm tm;
    char s[40];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(s + n, sizeof s - n, ".%03ldZ", ts.tv_nsec / 1000000L);
    put_str(l, "ts=");
    put_str(l, s);
}

void rc_log(rc_log_level level, const char *msg, ...)
{
    if (level < g_level)
        return;
    line l = {.len = 0};
    put_time(&l);
    put_str(&l, " level=");
    put_str(&l, LEVELS[level]);
    put_str(&l, " msg=");
    put_value(&l, msg);
    va_list ap;
    va_start(ap, msg);
    for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *)) {
        const char *v = va_arg(ap, const char *);
        put_str(&l, " ");
        put_str(&l, k);
        put_str(&l, "=");
        put_value(&l, v ? v : "");
    }
    va_end(ap);
    l.buf[l.len++] = '\n';
    l.buf[l.len] = '\0';
    fputs(l.buf, stderr);
}
