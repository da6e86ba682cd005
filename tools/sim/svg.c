/* An SVG chart of the timeline, standalone (no scripts, fonts or styles from
 * elsewhere): exits started, exits paid and queue depth over time on the
 * left axis; the share of each block's gas used by exit-game calls and by
 * background transactions as bars on the right axis; the exit deadline as
 * a dashed line. Rows are merged into at most BUCKETS time buckets. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define W 1000
#define H 560
#define LEFT 90
#define RIGHT 80
#define TOP 60
#define BOTTOM 110
#define BUCKETS 500

typedef struct bucket {
    double t;             /* end of the bucket, hours */
    double started, paid; /* cumulative */
    double depth;         /* at the end */
    double gas_exits, gas_bg, gas_limit;
    bool used;
} bucket;

typedef struct chart {
    FILE *f;
    double t_max, y_max;
    double t_div; /* seconds per x unit */
    const char *t_unit;
} chart;

static double px(const chart *c, double t)
{
    return LEFT + (W - LEFT - RIGHT) * (t / c->t_max);
}
static double py(const chart *c, double v)
{
    return TOP + (H - TOP - BOTTOM) * (1 - v / c->y_max);
}
static double pshare(double share)
{
    return TOP + (H - TOP - BOTTOM) * (1 - share);
}

/* 1, 2 or 5 times a power of ten, giving about n steps over range. */
static double nice_step(double range, int n)
{
    double raw = range / n, mag = pow(10, floor(log10(raw))), r = raw / mag;
    return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

static void fill_buckets(bucket *b, size_t nb, const sim_row *rows, size_t n, double t_span, double t_div)
{
    double started = 0, paid = 0;
    memset(b, 0, nb * sizeof *b);
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)((double)rows[i].t / t_span * (double)(nb - 1));
        k = k < nb ? k : nb - 1;
        started += rows[i].exits_started;
        paid += rows[i].exits_processed;
        b[k].used = true;
        b[k].t = (double)rows[i].t / t_div;
        b[k].started = started;
        b[k].paid = paid;
        b[k].depth = (double)rows[i].queue_depth;
        b[k].gas_exits += (double)rows[i].gas_exits;
        b[k].gas_bg += (double)(rows[i].gas_background + rows[i].gas_filler);
        b[k].gas_limit += (double)rows[i].gas_limit;
    }
}

/* A tick label: 250k, 1.5M. */
static const char *tick_label(char *buf, size_t len, double v)
{
    if (v >= 1e6)
        snprintf(buf, len, "%gM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, len, "%gk", v / 1e3);
    else
        snprintf(buf, len, "%g", v);
    return buf;
}

static void axes(const chart *c)
{
    char label[32];
    FILE *f = c->f;
    double step = nice_step(c->t_max, 10), ystep = nice_step(c->y_max, 8);
    fprintf(f, "<g font-family=\"sans-serif\" font-size=\"12\" fill=\"#333\">\n");
    for (double t = 0; t <= c->t_max + 1e-9; t += step) {
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", px(c, t), TOP,
                px(c, t), H - BOTTOM);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n", px(c, t), H - BOTTOM + 18,
                t);
    }
    for (double v = 0; v <= c->y_max + 1e-9; v += ystep) {
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>\n", LEFT, py(c, v),
                W - RIGHT, py(c, v));
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT - 6, py(c, v) + 4,
                tick_label(label, sizeof label, v));
    }
    for (int pct = 0; pct <= 100; pct += 20)
        fprintf(f, "<text x=\"%d\" y=\"%.1f\">%d%%</text>\n", W - RIGHT + 6, pshare(pct / 100.0) + 4, pct);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>\n", LEFT,
            TOP, W - LEFT - RIGHT, H - TOP - BOTTOM);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s since the incident</text>\n",
            (LEFT + W - RIGHT) / 2, H - BOTTOM + 40, c->t_unit);
    fprintf(f, "<text transform=\"translate(22 %d) rotate(-90)\" text-anchor=\"middle\">exits</text>\n",
            (TOP + H - BOTTOM) / 2);
    fprintf(
        f,
        "<text transform=\"translate(%d %d) rotate(90)\" text-anchor=\"middle\">share of block gas</text>\n",
        W - 20, (TOP + H - BOTTOM) / 2);
    fprintf(f, "</g>\n");
}

static void bars(const chart *c, const bucket *b, size_t nb)
{
    double width = (W - LEFT - RIGHT) / (double)nb;
    for (size_t k = 0; k < nb; k++) {
        if (!b[k].used || b[k].gas_limit <= 0)
            continue;
        double se = b[k].gas_exits / b[k].gas_limit, sb = b[k].gas_bg / b[k].gas_limit;
        double x = px(c, b[k].t) - width / 2;
        fprintf(c->f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#d62728\" "
                "fill-opacity=\"0.35\"/>\n",
                x, pshare(se), width, pshare(0) - pshare(se));
        fprintf(c->f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#7f7f7f\" "
                "fill-opacity=\"0.3\"/>\n",
                x, pshare(se + sb), width, pshare(se) - pshare(se + sb));
    }
}

/* Across buckets without rows (nothing happened), the value holds and
 * changes only in the next bucket with rows: a step, not a slope. */
static void line(const chart *c, const bucket *b, size_t nb, size_t field, const char *colour)
{
    double width = (W - LEFT - RIGHT) / (double)nb, prev = 0;
    bool first = true;
    size_t last = 0;
    fprintf(c->f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colour);
    for (size_t k = 0; k < nb; k++) {
        if (!b[k].used)
            continue;
        double v = *(const double *)((const char *)&b[k] + field);
        if (!first && k > last + 1)
            fprintf(c->f, "%.1f,%.1f ", px(c, b[k].t) - width, py(c, prev));
        fprintf(c->f, "%.1f,%.1f ", px(c, b[k].t), py(c, v));
        prev = v;
        last = k;
        first = false;
    }
    fprintf(c->f, "\"/>\n");
}

static void legend(const chart *c, bool deadline)
{
    static const struct {
        const char *label, *colour;
        bool bar;
    } items[] = {
        {"exits started (cumulative)", "#1f77b4", false}, {"exits paid (cumulative)", "#2ca02c", false},
        {"exit queue depth", "#ff7f0e", false},           {"exit-game gas share", "#d62728", true},
        {"background gas share", "#7f7f7f", true},
    };
    int y = H - 45, x = LEFT;
    fprintf(c->f, "<g font-family=\"sans-serif\" font-size=\"12\" fill=\"#333\">\n");
    for (size_t i = 0; i < sizeof items / sizeof items[0]; x += 40 + 7 * (int)strlen(items[i].label), i++) {
        if (x + 24 + 7 * (int)strlen(items[i].label) > W - 10) {
            x = LEFT;
            y += 20;
        }
        if (items[i].bar)
            fprintf(c->f,
                    "<rect x=\"%d\" y=\"%d\" width=\"18\" height=\"10\" fill=\"%s\" fill-opacity=\"0.4\"/>\n",
                    x, y - 9, items[i].colour);
        else
            fprintf(c->f,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>\n", x,
                    y - 4, x + 18, y - 4, items[i].colour);
        fprintf(c->f, "<text x=\"%d\" y=\"%d\">%s</text>\n", x + 24, y, items[i].label);
    }
    if (deadline)
        fprintf(c->f,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#9467bd\" stroke-dasharray=\"6 4\" "
                "stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">exit deadline</text>\n",
                x, y - 4, x + 18, y - 4, x + 24, y);
    fprintf(c->f, "</g>\n");
}

static void deadline_line(const chart *c, const sim_result *r)
{
    if (r->deadline_seconds < 0)
        return;
    double t = (double)r->deadline_seconds / c->t_div;
    if (t > c->t_max)
        return;
    fprintf(c->f,
            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#9467bd\" stroke-dasharray=\"6 4\" "
            "stroke-width=\"2\"/>\n",
            px(c, t), TOP, px(c, t), H - BOTTOM);
}

/* Writes s as XML character data. */
static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else
            fputc(*s, f);
    }
}

static void title(const chart *c, const sim_scenario *sc, const sim_result *r)
{
    fprintf(c->f,
            "<text x=\"%d\" y=\"28\" font-family=\"sans-serif\" font-size=\"18\" fill=\"#111\">"
            "plasma-sim: ",
            LEFT);
    xml_text(c->f, sc->name);
    fprintf(c->f, " (%s)</text>\n", sim_behaviour_name(sc->behaviour));
    fprintf(c->f,
            "<text x=\"%d\" y=\"46\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#555\">"
            "%" PRIu64 " exits started, %" PRIu64 " paid, %" PRIu64 " challenged; honest funds recovered "
            "%.2f%%</text>\n",
            LEFT, r->exits_started, r->exits_finalized, r->exits_challenged, r->honest_recovered_pct);
}

static void scale(chart *c, const sim_result *r, const sim_row *rows, size_t n)
{
    double span = n ? (double)rows[n - 1].t : 1;
    if (r->deadline_seconds > 0 && (double)r->deadline_seconds > span)
        span = (double)r->deadline_seconds;
    c->t_div = span > 3 * 86400.0 ? 86400.0 : span > 3 * 3600.0 ? 3600.0 : 60.0;
    c->t_unit = c->t_div == 86400.0 ? "days" : c->t_div == 3600.0 ? "hours" : "minutes";
    c->t_max = span > 0 ? span / c->t_div : 1;
    double top = 1;
    for (size_t i = 0; i < n; i++)
        top = rows[i].queue_depth > top ? (double)rows[i].queue_depth : top;
    double started = (double)r->exits_started, paid = (double)r->exits_finalized;
    top = started > top ? started : top;
    top = paid > top ? paid : top;
    c->y_max = ceil(top / nice_step(top, 8)) * nice_step(top, 8);
}

int sim_write_chart(FILE *f, const sim_scenario *sc, const sim_result *r, const sim_row *rows, size_t n)
{
    bucket *b = calloc(BUCKETS, sizeof *b);
    if (!b)
        return PLASMA_ERR_NOMEM;
    chart c = {.f = f};
    scale(&c, r, rows, n);
    fill_buckets(b, BUCKETS, rows, n, c.t_max * c.t_div, c.t_div);
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            W, H, W, H);
    title(&c, sc, r);
    axes(&c);
    bars(&c, b, BUCKETS);
    line(&c, b, BUCKETS, offsetof(bucket, started), "#1f77b4");
    line(&c, b, BUCKETS, offsetof(bucket, paid), "#2ca02c");
    line(&c, b, BUCKETS, offsetof(bucket, depth), "#ff7f0e");
    deadline_line(&c, r);
    legend(&c, r->deadline_seconds >= 0);
    fprintf(f, "</svg>\n");
    free(b);
    return ferror(f) ? PLASMA_ERR_IO : PLASMA_OK;
}
