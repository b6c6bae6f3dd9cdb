/*
 * chart.c - braille line charts with y labels, a time axis and a legend.
 *
 * Drawing happens in two steps.  First every series is rasterised into a
 * "dot grid" (one byte of dot bits and one role per plot cell), in dot
 * coordinates where (0, 0) is the top-left dot; then the grid is turned
 * into glyphs.  Keeping dots separate from cells is what lets two series
 * (or a series and a threshold) share a cell without erasing each other.
 *
 * Segments are clipped to the dot box before Bresenham walks them, so a
 * point far outside the range (a timestamp years away, a value of 1e300
 * against a fixed y range) costs no more than a segment across the plot.
 */
#include "chart.h"
#include "chart_grid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse.h"
#include "text.h"
#include "xalloc.h"

#define MIN_PLOT_W 8   /* below this the y labels are dropped */
#define TIME_LABEL_W 5 /* "HH:MM" */
#define MAX_TICKS 6
#define LABEL_MAX 32

struct layout {
	int title_y, legend_y; /* -1 = not drawn */
	bool legend_inline;    /* legend on the title row */
	int lw;                /* y label columns (0 = none, and no axis line) */
	struct rect plot;      /* plot cells */
	int tick_y, time_y;    /* -1 = not drawn */
};

static int
max_int(int a, int b)
{
	return a > b ? a : b;
}

/* --- value formatting ------------------------------------------------- */

static void
format_seconds(double v, char *out, size_t n)
{
	double a = fabs(v);
	const char *sign = v < 0 ? "-" : "";
	char d[LABEL_MAX];

	if (a == 0)
		snprintf(out, n, "0s");
	else if (a < 1e-6 || a >= 1e9)
		snprintf(out, n, "%s%.2gs", sign, a);
	else if (a < 1e-5)
		snprintf(out, n, "%s%.1fus", sign, a * 1e6);
	else if (a < 1e-3)
		snprintf(out, n, "%s%.0fus", sign, a * 1e6);
	else if (a < 1e-2)
		snprintf(out, n, "%s%.1fms", sign, a * 1e3);
	else if (a < 1)
		snprintf(out, n, "%s%.0fms", sign, a * 1e3);
	else {
		format_duration_ms(llround(a * 1000.0), d, sizeof d);
		snprintf(out, n, "%s%s", sign, d);
	}
}

static void
format_ratio(double v, char *out, size_t n)
{
	double p = v * 100.0, a = fabs(p);

	if (a == 0)
		snprintf(out, n, "0%%");
	else if (a >= 1e6 || a < 1e-3)
		snprintf(out, n, "%.2g%%", p);
	else if (a >= 100)
		snprintf(out, n, "%.0f%%", p);
	else if (a >= 0.1)
		snprintf(out, n, "%.1f%%", p);
	else
		snprintf(out, n, "%.2f%%", p);
}

void
chart_format_value(enum chart_unit unit, double v, char *out, size_t n)
{
	double a = fabs(v);

	if (out == NULL || n == 0)
		return;
	if (isnan(v)) {
		snprintf(out, n, "-");
		return;
	}
	if (isinf(v)) {
		snprintf(out, n, v < 0 ? "-inf" : "inf");
		return;
	}
	switch (unit) {
	case CHART_UNIT_RATIO:
		format_ratio(v, out, n);
		break;
	case CHART_UNIT_SECONDS:
		format_seconds(v, out, n);
		break;
	case CHART_UNIT_BYTES:
		if (a >= 1e15 || (a < 1 && a != 0))
			snprintf(out, n, "%.2gB", v);
		else
			format_bytes(v, out, n);
		break;
	case CHART_UNIT_PLAIN:
	default:
		if (a == 0)
			snprintf(out, n, "0");
		else if (a >= 1e15 || a < 1e-3)
			snprintf(out, n, "%.2g", v);
		else if (a < 1)
			snprintf(out, n, "%.3g", v);
		else
			format_si(v, out, n);
		break;
	}
}

/* --- ranges ------------------------------------------------------------ */

/* Grow [*mn, *mx] to hold x (the first value sets both). */
static void
extend(double x, bool *any, double *mn, double *mx)
{
	if (!*any || x < *mn)
		*mn = x;
	if (!*any || x > *mx)
		*mx = x;
	*any = true;
}

/* The x range: the view's, or the data's when the view's is empty. */
static void
resolve_x(const struct chart_view *v, double *t0, double *t1)
{
	size_t i, k;
	bool any = false;

	*t0 = v->t0;
	*t1 = v->t1;
	if (isfinite(*t0) && isfinite(*t1) && *t1 > *t0)
		return;
	for (k = 0; k < v->nseries; k++) {
		const struct chart_series *s = &v->series[k];

		if (!chart_series_ok(s))
			continue;
		for (i = 0; i < s->n; i++) {
			if (chart_point_ok(s, i))
				extend(s->t[i], &any, t0, t1);
		}
	}
	if (!any) {
		*t0 = 0;
		*t1 = 60;
	} else if (!(*t1 > *t0)) {
		*t0 -= 30;
		*t1 += 30;
	}
}

/*
 * The y range.  Returns false when no finite point lies in [t0, t1] (the
 * range is still set, so empty axes can be labelled).
 */
static bool
resolve_y(const struct chart_view *v, double t0, double t1, double *lo, double *hi)
{
	double mn = 0, mx = 0, span, pad;
	bool any = false, data = false;
	size_t i, k;

	for (k = 0; k < v->nseries; k++) {
		const struct chart_series *s = &v->series[k];

		if (!chart_series_ok(s))
			continue;
		for (i = 0; i < s->n; i++) {
			if (chart_point_ok(s, i) && s->t[i] >= t0 && s->t[i] <= t1)
				extend(s->v[i], &any, &mn, &mx);
		}
	}
	data = any;
	for (k = 0; k < v->nthresholds; k++)
		if (isfinite(v->thresholds[k].value))
			extend(v->thresholds[k].value, &any, &mn, &mx);
	if (!any) {
		mn = 0;
		mx = v->unit == CHART_UNIT_RATIO ? 0.01 : 1;
	}
	span = mx / 2 - mn / 2; /* halves: no overflow at +-DBL_MAX */
	if (span > 0) {
		pad = span * 0.1; /* 5% of the full span */
	} else {
		pad = mx == 0 ? 0.5 : fabs(mx) * 0.1;
		if (mx == 0 && v->unit == CHART_UNIT_RATIO)
			pad = 0.005;
	}
	*lo = mn - pad;
	*hi = mx + pad;
	if (mn >= 0 && *lo < 0)
		*lo = 0;
	if (v->unit == CHART_UNIT_RATIO && mn >= 0)
		*lo = 0;
	if (!isfinite(*lo))
		*lo = mn;
	if (!isfinite(*hi))
		*hi = mx;
	/* Both set but empty (a zero-initialised view): automatic. */
	if (!(isfinite(v->y_min) && isfinite(v->y_max) && v->y_max <= v->y_min)) {
		if (isfinite(v->y_min))
			*lo = v->y_min;
		if (isfinite(v->y_max))
			*hi = v->y_max;
	}
	if (!(*hi > *lo)) {
		/* An explicit range that is empty or inverted: widen it. */
		double base = isfinite(v->y_max) ? *hi : *lo;

		pad = base == 0 ? 1 : fabs(base) * 0.1;
		*lo = base - pad;
		*hi = base + pad;
		if (!(*hi > *lo)) { /* pad lost in rounding (|base| near DBL_MAX) */
			*lo = base > 0 ? base / 2 : base;
			*hi = base > 0 ? base : base / 2;
		}
	}
	return data;
}

/* --- axes and labels -------------------------------------------------- */

/* The value shown against plot row `row`: the value at the row's centre. */
static double
row_value(const struct grid *g, int row)
{
	double centre, f, v;

	if (row == 0)
		return g->hi;
	if (row == g->h - 1)
		return g->lo;
	centre = row * g->dy + (g->dy - 1) / 2.0;
	f = centre / (g->dh - 1);
	v = g->hi - f * (g->hi / 2 - g->lo / 2) - f * (g->hi / 2 - g->lo / 2);
	/* Rounding noise around zero would print as "-1.1e-17". */
	if (fabs(v) < (g->hi / 2 - g->lo / 2) * 1e-9)
		v = 0;
	return v;
}

static int
mid_row(int h)
{
	return h >= 3 ? h / 2 : -1;
}

/* Width of the widest y label for a plot of h rows over [lo, hi]. */
static int
labels_width(enum chart_unit unit, const struct grid *g)
{
	char s[LABEL_MAX];
	int w, m = mid_row(g->h);

	chart_format_value(unit, g->hi, s, sizeof s);
	w = text_width(s);
	chart_format_value(unit, g->lo, s, sizeof s);
	w = max_int(w, text_width(s));
	if (m >= 0) {
		chart_format_value(unit, row_value(g, m), s, sizeof s);
		w = max_int(w, text_width(s));
	}
	return w;
}

static void
draw_y_axis(struct canvas *c, const struct layout *l, const struct grid *g, enum chart_unit unit)
{
	const struct rect p = l->plot;
	char s[LABEL_MAX];
	int y, m = mid_row(p.h), ax = p.x - 1;
	bool a = c->ascii;

	if (l->lw == 0)
		return;
	for (y = 0; y < p.h; y++) {
		bool lab = y == 0 || y == p.h - 1 || y == m;

		canvas_put(c, ax, p.y + y,
			   lab ? (a ? "+" : "\xe2\x94\xa4") : (a ? "|" : "\xe2\x94\x82"), 1,
			   ROLE_DIM, ATTR_NONE);
		if (!lab)
			continue;
		chart_format_value(unit, row_value(g, y), s, sizeof s);
		text_draw_aligned(c, p.x - 1 - l->lw, p.y + y, l->lw, s, ALIGN_RIGHT, ROLE_DIM,
				  ATTR_NONE);
	}
}

struct ticks {
	double step;  /* seconds */
	double first; /* the first tick time >= t0 */
	long offset;  /* zone offset from UTC, seconds */
	int count;
};

static long
zone_offset(double t, bool utc)
{
	struct tm tm;
	time_t tt;

	if (utc)
		return 0;
	tt = (time_t)floor(t);
	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/* Ticks every `step` seconds of the zone's clock, within [t0, t1]. */
static void
ticks_at(struct ticks *k, double step, double t0, double t1)
{
	double local0 = t0 + (double)k->offset;

	k->step = step;
	k->first = ceil(local0 / step) * step - (double)k->offset;
	k->count = k->first > t1 ? 0 : (int)fmin(floor((t1 - k->first) / step) + 1, MAX_TICKS + 2);
}

/* The most ticks (at most MAX_TICKS) whose labels do not touch. */
static void
ticks_choose(struct ticks *k, double t0, double t1, int plot_w, bool utc)
{
	static const double steps[] = {
		60,    120,   300,   600,   900,       1800,      3600,       7200,
		10800, 21600, 43200, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400,
	};
	size_t i, nsteps = sizeof steps / sizeof steps[0];
	double cols;

	k->offset = zone_offset(t0, utc);
	for (i = 0; i < nsteps; i++) {
		ticks_at(k, steps[i], t0, t1);
		cols = steps[i] / (t1 - t0) * plot_w;
		if (k->count <= MAX_TICKS && cols >= TIME_LABEL_W + 1)
			return;
	}
	/* Very long ranges: whole days, about MAX_TICKS of them. */
	ticks_at(k, ceil((t1 - t0) / MAX_TICKS / 86400) * 86400, t0, t1);
}

static void
format_tick(double t, double step, bool utc, char *out, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)llround(t);
	bool ok = utc ? gmtime_r(&tt, &tm) != NULL : localtime_r(&tt, &tm) != NULL;

	if (!ok || strftime(out, n, step >= 86400 ? "%m-%d" : "%H:%M", &tm) == 0)
		snprintf(out, n, "?");
}

static void
draw_time_axis(struct canvas *c, const struct layout *l, const struct grid *g, struct rect r,
	       bool utc)
{
	const struct rect p = l->plot;
	struct ticks k;
	char s[LABEL_MAX];
	int i, col, x, start, end, last_end = r.x - 1;
	bool a = c->ascii;

	if (l->tick_y < 0 && l->time_y < 0)
		return;
	ticks_choose(&k, g->t0, g->t1, p.w, utc);
	if (l->tick_y >= 0) {
		if (l->lw > 0)
			canvas_put(c, p.x - 1, l->tick_y, a ? "+" : "\xe2\x94\x94", 1, ROLE_DIM,
				   ATTR_NONE);
		for (x = 0; x < p.w; x++)
			canvas_put(c, p.x + x, l->tick_y, a ? "-" : "\xe2\x94\x80", 1, ROLE_DIM,
				   ATTR_NONE);
	}
	for (i = 0; i < k.count; i++) {
		double t = k.first + i * k.step;

		col = (int)lround(chart_grid_x(g, t)) / g->dx;
		if (col < 0 || col >= p.w)
			continue;
		if (l->tick_y >= 0)
			canvas_put(c, p.x + col, l->tick_y, a ? "+" : "\xe2\x94\xac", 1, ROLE_DIM,
				   ATTR_NONE);
		if (l->time_y < 0)
			continue;
		format_tick(t, k.step, utc, s, sizeof s);
		start = p.x + col - text_width(s) / 2;
		if (start + text_width(s) > r.x + r.w)
			start = r.x + r.w - text_width(s);
		if (start < r.x)
			start = r.x;
		end = start + text_width(s);
		if (start <= last_end || end > r.x + r.w)
			continue; /* would touch the previous label or leave r */
		text_draw(c, start, l->time_y, end - start, s, ROLE_DIM, ATTR_NONE);
		last_end = end;
	}
}

static int
legend_width(const struct chart_view *v)
{
	size_t k;
	int w = 0;

	for (k = 0; k < v->nseries; k++) {
		const char *lab = v->series[k].label ? v->series[k].label : "";

		w += (k ? 2 : 0) + 3 + text_width(lab);
	}
	return w;
}

static void
draw_legend(struct canvas *c, const struct chart_view *v, int x, int y, int w)
{
	const char *mark = c->ascii ? "--" : "\xe2\x94\x80\xe2\x94\x80";
	int end = x + w, used;
	size_t k;

	for (k = 0; k < v->nseries && x < end; k++) {
		const struct chart_series *s = &v->series[k];

		if (k) {
			x += 2;
			if (x >= end)
				break;
		}
		used = text_draw(c, x, y, end - x, mark, s->role, ATTR_NONE);
		x += used + 1;
		if (x >= end)
			break;
		x += text_draw(c, x, y, end - x, s->label ? s->label : "", ROLE_NORMAL, ATTR_NONE);
	}
}

/*
 * Rows from the top: title (and inline legend), legend row, plot, ticks,
 * time labels.  When short, drop the tick row, then the legend row, the
 * title, the time labels.  False when not even one plot row fits.
 */
static bool
layout_rows(struct rect r, const struct chart_view *v, struct layout *l)
{
	bool title = v->title != NULL && v->title[0] != '\0';
	bool legend = v->nseries > 1;
	int lgw = legend ? legend_width(v) : 0;
	int top, legrow, tick = 1, labels = 1, ph, y;

	l->legend_inline = legend && (!title || text_width(v->title) + 2 + lgw <= r.w);
	top = title || l->legend_inline ? 1 : 0;
	legrow = legend && !l->legend_inline ? 1 : 0;
	ph = r.h - top - legrow - tick - labels;
	if (ph < 2 && tick)
		tick = 0, ph++;
	if (ph < 2 && legrow)
		legrow = 0, ph++;
	if (ph < 2 && top) {
		top = 0, ph++;
		l->legend_inline = false;
	}
	if (ph < 1 && labels)
		labels = 0, ph++;
	if (ph < 1)
		return false;
	y = r.y;
	l->title_y = top ? y++ : -1;
	l->legend_y = legrow ? y++ : (l->legend_inline ? l->title_y : -1);
	l->plot.y = y;
	l->plot.h = ph;
	y += ph;
	l->tick_y = tick ? y++ : -1;
	l->time_y = labels ? y : -1;
	return true;
}

static void
draw_too_small(struct canvas *c, struct rect r)
{
	if (r.w >= 1 && r.h >= 1)
		text_draw(c, r.x, r.y, r.w, "too small", ROLE_DIM, ATTR_NONE);
}

static void
draw_cursor(struct canvas *c, const struct grid *g, struct rect p, double t)
{
	struct cell *cl;
	double x;
	int col, y;

	if (!isfinite(t) || t < g->t0 || t > g->t1)
		return;
	x = chart_grid_x(g, t);
	col = (int)lround(x) / g->dx;
	if (col < 0 || col >= p.w)
		return;
	for (y = 0; y < p.h; y++) {
		cl = canvas_at(c, p.x + col, p.y + y);
		if (cl != NULL)
			cl->attr |= ATTR_REVERSE;
	}
}

void
chart_draw(struct canvas *c, struct rect r, const struct chart_view *v)
{
	struct layout l;
	struct grid g;
	double t0, t1, lo, hi;
	bool data;
	size_t k;
	int lw;

	/* Clip r to the canvas so that nothing below can leave it. */
	if (r.x < 0)
		r.w += r.x, r.x = 0;
	if (r.y < 0)
		r.h += r.y, r.y = 0;
	if (r.x + r.w > c->w)
		r.w = c->w - r.x;
	if (r.y + r.h > c->h)
		r.h = c->h - r.y;
	if (r.w <= 0 || r.h <= 0)
		return;
	canvas_fill(c, r, ROLE_NORMAL);
	if (r.w < 2 || !layout_rows(r, v, &l)) {
		draw_too_small(c, r);
		return;
	}
	resolve_x(v, &t0, &t1);
	data = resolve_y(v, t0, t1, &lo, &hi);

	/* A throwaway grid of the final height measures the labels. */
	chart_grid_init(&g, 1, l.plot.h, c->ascii);
	g.lo = lo, g.hi = hi;
	lw = labels_width(v->unit, &g);
	chart_grid_done(&g);
	if (r.w - lw - 1 < MIN_PLOT_W)
		lw = 0;
	l.lw = lw;
	l.plot.x = r.x + (lw ? lw + 1 : 0);
	l.plot.w = r.w - (lw ? lw + 1 : 0);

	chart_grid_init(&g, l.plot.w, l.plot.h, c->ascii);
	g.t0 = t0, g.t1 = t1, g.lo = lo, g.hi = hi;
	for (k = 0; k < v->nthresholds; k++)
		chart_grid_threshold(&g, &v->thresholds[k]);
	for (k = 0; k < v->nseries; k++)
		chart_grid_series(&g, &v->series[k]);
	chart_grid_blit(c, &g, l.plot);
	if (!data) {
		const char *note = v->empty_text ? v->empty_text : "no data";
		int nw = text_width(note);

		if (nw > l.plot.w)
			nw = l.plot.w;
		text_draw(c, l.plot.x + (l.plot.w - nw) / 2, l.plot.y + l.plot.h / 2, nw, note,
			  ROLE_DIM, ATTR_NONE);
	}
	draw_cursor(c, &g, l.plot, v->cursor_t);
	draw_y_axis(c, &l, &g, v->unit);
	draw_time_axis(c, &l, &g, r, v->utc);
	if (l.title_y >= 0 && v->title != NULL)
		text_draw(c, r.x, l.title_y, r.w, v->title, ROLE_HEADER, ATTR_BOLD);
	if (l.legend_y >= 0) {
		int lgw = legend_width(v);

		if (l.legend_inline && lgw < r.w)
			draw_legend(c, v, r.x + r.w - lgw, l.legend_y, lgw);
		else
			draw_legend(c, v, r.x, l.legend_y, r.w);
	}
	chart_grid_done(&g);
}
