/* Content negotiation on the Accept header (RFC 9110 §12.5.1). See
 * plasma/http.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "plasma/err.h"
#include "plasma/http.h"

#define MAX_TYPES 8
#define Q_ONE 1000 /* q-values in thousandths */

/* tchar of RFC 9110 §5.6.2. */
static bool is_tchar(char c)
{
    return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* A token at p: out its start and length; returns the end, or NULL when
 * there is none. */
static const char *token(const char *p, const char **start, size_t *len)
{
    const char *q = p;
    while (is_tchar(*q))
        q++;
    *start = p;
    *len = (size_t)(q - p);
    return q > p ? q : NULL;
}

/* The end of a quoted-string starting at p, or NULL. */
static const char *quoted_end(const char *p)
{
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && !*++p)
            return NULL;
    return *p == '"' ? p + 1 : NULL;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ). */
static bool parse_q(const char *s, size_t len, unsigned *out)
{
    unsigned q = 0, scale = 100;
    if (len == 0 || (s[0] != '0' && s[0] != '1') || (len > 1 && (s[1] != '.' || len > 5)))
        return false;
    for (size_t i = 2; i < len; i++, scale /= 10) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        q += (unsigned)(s[i] - '0') * scale;
    }
    q += s[0] == '1' ? Q_ONE : 0;
    if (q > Q_ONE)
        return false;
    *out = q;
    return true;
}

typedef struct media_range {
    const char *type, *sub;
    size_t type_len, sub_len;
    unsigned q;
} media_range;

/* The parameters after a media range, up to the next ',' or the end: q is
 * read, the others skipped. Returns the end, or NULL when malformed. */
static const char *params(const char *p, unsigned *q)
{
    for (;;) {
        const char *name, *val;
        size_t name_len, val_len;
        p = skip_ows(p);
        if (*p != ';')
            return p;
        p = skip_ows(p + 1);
        if (*p == ';' || *p == ',' || !*p)
            continue;
        if (!(p = token(p, &name, &name_len)) || *p != '=')
            return NULL;
        p++;
        if (*p == '"') {
            if ((name_len == 1 && (*name == 'q' || *name == 'Q')) || !(p = quoted_end(p)))
                return NULL;
            continue;
        }
        if (!(p = token(p, &val, &val_len)))
            return NULL;
        if (name_len == 1 && (*name == 'q' || *name == 'Q') && !parse_q(val, val_len, q))
            return NULL;
    }
}

/* One media range at p. Returns the end, or NULL when malformed. */
static const char *media(const char *p, media_range *m)
{
    if (!(p = token(p, &m->type, &m->type_len)) || *p != '/' || !(p = token(p + 1, &m->sub, &m->sub_len)))
        return NULL;
    /* "*" as a type goes only with "*" as a subtype. */
    if (m->type_len == 1 && m->type[0] == '*' && !(m->sub_len == 1 && m->sub[0] == '*'))
        return NULL;
    m->q = Q_ONE;
    return params(p, &m->q);
}

static bool part_eq(const char *a, size_t a_len, const char *b, size_t b_len)
{
    return a_len == b_len && strncasecmp(a, b, a_len) == 0;
}

/* How specifically m names type ("type/subtype"): 3 exactly, 2 by its
 * type with any subtype, 1 as any type, 0 not at all. */
static int specificity(const media_range *m, const char *type)
{
    const char *slash = strchr(type, '/');
    size_t tlen = (size_t)(slash - type);
    if (m->type_len == 1 && m->type[0] == '*')
        return 1;
    if (!part_eq(m->type, m->type_len, type, tlen))
        return 0;
    if (m->sub_len == 1 && m->sub[0] == '*')
        return 2;
    return part_eq(m->sub, m->sub_len, slash + 1, strlen(slash + 1)) ? 3 : 0;
}

int plasma_http_negotiate_accept(const char *accept, const char *const *types, size_t n)
{
    int spec[MAX_TYPES] = {0};
    unsigned q[MAX_TYPES] = {0};
    const char *p = accept ? accept : "";
    if (n == 0 || n > MAX_TYPES)
        return PLASMA_ERR_BAD_REQUEST;
    for (;;) {
        media_range m;
        p = skip_ows(p);
        if (*p == ',') {
            p++;
            continue;
        }
        if (!*p)
            break;
        if (!(p = media(p, &m)) || (*(p = skip_ows(p)) != ',' && *p))
            return PLASMA_ERR_BAD_REQUEST;
        /* The most specific range that names a type gives its q. */
        for (size_t i = 0; i < n; i++) {
            int s = specificity(&m, types[i]);
            if (s > spec[i]) {
                spec[i] = s;
                q[i] = m.q;
            }
        }
    }
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (q[i] > q[best])
            best = i;
    return (int)best;
}

int plasma_http_negotiate(const plasma_http_req *req, const char *const *types, size_t n)
{
    return plasma_http_negotiate_accept(plasma_http_header(req, "Accept"), types, n);
}
