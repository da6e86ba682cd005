/* A small JSON scanner that records the line of every value by path. It
 * trusts its input to be valid JSON (jansson has checked it) but never reads
 * past the end and always finishes, whatever the text holds: every loop
 * consumes at least one character per turn. */
#include "jsonloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plasma/err.h"
#include "plasma/types.h"

#define MAX_DEPTH 64

typedef struct scanner {
    const char *s;
    size_t len, pos;
    unsigned line;
    sim_jlocs *out;
    bool nomem;
} scanner;

static int peek(const scanner *sc)
{
    return sc->pos < sc->len ? (unsigned char)sc->s[sc->pos] : -1;
}

static void advance(scanner *sc)
{
    if (sc->pos < sc->len && sc->s[sc->pos++] == '\n')
        sc->line++;
}

static void skip_ws(scanner *sc)
{
    int c;
    while ((c = peek(sc)) == ' ' || c == '\t' || c == '\n' || c == '\r')
        advance(sc);
}

/* Consumes a string; copies its raw content (escapes kept as written) to
 * buf when buf is not NULL. */
static void scan_string(scanner *sc, char *buf, size_t cap)
{
    size_t n = 0;
    advance(sc); /* the opening quote */
    for (int c; (c = peek(sc)) != -1 && c != '"';) {
        if (c == '\\') {
            if (buf && n + 1 < cap)
                buf[n++] = (char)c;
            advance(sc);
            c = peek(sc);
        }
        if (buf && n + 1 < cap && c != -1)
            buf[n++] = (char)c;
        advance(sc);
    }
    advance(sc); /* the closing quote */
    if (buf)
        buf[n] = '\0';
}

static void record(scanner *sc, const char *path)
{
    sim_jlocs *o = sc->out;
    if (sc->nomem)
        return;
    if (plasma_grow((void **)&o->v, &o->cap, o->n + 1, sizeof *o->v) < 0) {
        sc->nomem = true;
        return;
    }
    char *copy = strdup(path);
    if (!copy) {
        sc->nomem = true;
        return;
    }
    o->v[o->n].path = copy;
    o->v[o->n].line = sc->line;
    o->n++;
}

/* rec false: inside a value whose path did not fit in SIM_PATH_MAX; it is
 * scanned without being recorded. */
static void scan_value(scanner *sc, char *path, size_t plen, bool rec, unsigned depth);

/* Appends ".key" (or "key" at the root) or "[index]" to path. Returns false
 * when it would not fit. */
static bool extend(char *path, size_t plen, const char *key, size_t index)
{
    size_t room = SIM_PATH_MAX - plen;
    int n = key ? snprintf(path + plen, room, "%s%s", plen ? "." : "", key)
                : snprintf(path + plen, room, "[%zu]", index);
    return n >= 0 && (size_t)n < room;
}

static void scan_object(scanner *sc, char *path, size_t plen, bool rec, unsigned depth)
{
    char key[SIM_PATH_MAX];
    advance(sc);
    for (skip_ws(sc); peek(sc) == '"'; skip_ws(sc)) {
        scan_string(sc, key, sizeof key);
        skip_ws(sc);
        advance(sc); /* ':' */
        bool fits = rec && extend(path, plen, key, 0);
        scan_value(sc, path, fits ? strlen(path) : plen, fits, depth + 1);
        path[plen] = '\0';
        skip_ws(sc);
        if (peek(sc) == ',')
            advance(sc);
    }
    advance(sc); /* '}' */
}

static void scan_array(scanner *sc, char *path, size_t plen, bool rec, unsigned depth)
{
    advance(sc);
    skip_ws(sc);
    for (size_t i = 0; peek(sc) != -1 && peek(sc) != ']'; i++) {
        bool fits = rec && extend(path, plen, NULL, i);
        size_t at = sc->pos;
        scan_value(sc, path, fits ? strlen(path) : plen, fits, depth + 1);
        path[plen] = '\0';
        if (sc->pos == at)
            advance(sc);
        skip_ws(sc);
        if (peek(sc) == ',')
            advance(sc);
        skip_ws(sc);
    }
    advance(sc); /* ']' */
}

/* A number, true, false or null: up to the next delimiter, and at least
 * one character (a NUL byte, which strchr would find in its delimiters'
 * terminator, included). */
static void skip_literal(scanner *sc)
{
    advance(sc);
    for (int c; (c = peek(sc)) > 0 && !strchr(",]} \t\r\n", c);)
        advance(sc);
}

static void scan_value(scanner *sc, char *path, size_t plen, bool rec, unsigned depth)
{
    skip_ws(sc);
    if (rec)
        record(sc, path);
    if (depth > MAX_DEPTH) {
        sc->pos = sc->len;
        return;
    }
    switch (peek(sc)) {
    case '{':
        scan_object(sc, path, plen, rec, depth);
        break;
    case '[':
        scan_array(sc, path, plen, rec, depth);
        break;
    case '"':
        scan_string(sc, NULL, 0);
        break;
    default:
        skip_literal(sc);
        break;
    }
}

int sim_jlocs_build(sim_jlocs *out, const char *text, size_t len)
{
    char path[SIM_PATH_MAX] = "";
    memset(out, 0, sizeof *out);
    scanner sc = {.s = text, .len = len, .line = 1, .out = out};
    scan_value(&sc, path, 0, true, 0);
    if (sc.nomem) {
        sim_jlocs_free(out);
        return PLASMA_ERR_NOMEM;
    }
    return PLASMA_OK;
}

unsigned sim_jlocs_line(const sim_jlocs *locs, const char *path)
{
    for (size_t i = 0; i < locs->n; i++)
        if (strcmp(locs->v[i].path, path) == 0)
            return locs->v[i].line;
    return 0;
}

void sim_jlocs_free(sim_jlocs *locs)
{
    for (size_t i = 0; i < locs->n; i++)
        free(locs->v[i].path);
    free(locs->v);
    memset(locs, 0, sizeof *locs);
}
