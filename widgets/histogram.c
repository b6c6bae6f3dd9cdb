/*
 * histogram.c - counts per time bucket as eighth-block bars.
 *
 * Heights are measured in eighths of a cell: a plot of h rows is 8h
 * eighths tall, and a column of count c gets round(c / max * 8h) eighths
 * (at least one when c > 0).  The error part is measured the same way and
 * sits at the bottom; a cell holding both parts takes the role of the
 * larger, except the bottom cell, which is CRIT whenever the column has an
 * error: on-call eyes look for red.
 */
#include "histogram.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text.h"
#include "xalloc.h"

#define LABEL_W 5 /* "HH:MM" */
#define MAX_TICKS 8
#define GUTTER_W 6 /* "99.9k" and a space */

static const char *const eighths[9] = {
	" ",
	"\xe2\x96\x81",
	"\xe2\x96\x82",
	"\xe2\x96\x83",
	"\xe2\x96\x84",
	"\xe2\x96\x85",
	"\xe2\x96\x86",
	"\xe2\x96\x87",
	"\xe2\x96\x88",
};

long long
histogram_resample(const struct histogram_view *v, int w, long long *oc, long long *oe)
{
	long long max = 0;
	int i;

	for (i = 0; i < w; i++) {
		size_t from, to, b;

		oc[i] = oe[i] = 0;
		if (v->n == 0 || v->counts == NULL)
			continue;
		if (v->n > (size_t)w) {
			/* Each column sums the buckets that start in it. */
			from = (size_t)i * v->n / (size_t)w;
			to = (size_t)(i + 1) * v->n / (size_t)w;
		} else {
			from = (size_t)i * v->n / (size_t)w;
			to = from + 1;
		}
		for (b = from; b < to && b < v->n; b++) {
			oc[i] += v->counts[b] > 0 ? v->counts[b] : 0;
			if (v->errors != NULL && v->errors[b] > 0)
				oe[i] += v->errors[b];
		}
		if (oe[i] > oc[i])
			oe[i] = oc[i];
		if (oc[i] > max)
			max = oc[i];
	}
	return max;
}

/* "987", "12.3k", "4.5M": the scale label. */
static void
format_count(long long n, char *out, size_t len)
{
	if (n < 10000)
		snprintf(out, len, "%lld", n);
	else if (n < 1000000)
		snprintf(out, len, "%.*fk", n < 100000 ? 1 : 0, (double)n / 1e3);
	else
		snprintf(out, len, "%.1fM", (double)n / 1e6);
}

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

/* The step of the time labels: the smallest that leaves room between labels. */
static double
tick_step(double span, int w)
{
	static const double steps[] = {
		60,    120,   300,   600,   900,       1800,      3600,       7200,
		10800, 21600, 43200, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400,
	};
	size_t i;

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (steps[i] / span * w >= LABEL_W + 2 && span / steps[i] <= MAX_TICKS)
			return steps[i];
	return ceil(span / MAX_TICKS / 86400) * 86400;
}

static void
draw_times(struct canvas *c, struct rect p, int y, const struct histogram_view *v)
{
	double span = v->t1 - v->t0, step, first, t;
	long off;
	int last_end = p.x - 1;

	if (!(span > 0) || p.w < LABEL_W)
		return;
	step = tick_step(span, p.w);
	off = zone_offset(v->t0, v->utc);
	first = ceil((v->t0 + (double)off) / step) * step - (double)off;
	for (t = first; t <= v->t1; t += step) {
		char s[16];
		struct tm tm;
		time_t tt = (time_t)llround(t);
		int col = (int)floor((t - v->t0) / span * p.w), start, lw;
		bool ok = v->utc ? gmtime_r(&tt, &tm) != NULL : localtime_r(&tt, &tm) != NULL;

		if (!ok || strftime(s, sizeof s, step >= 86400 ? "%m-%d" : "%H:%M", &tm) == 0)
			continue;
		lw = text_width(s);
		start = p.x + col - lw / 2;
		if (start < p.x)
			start = p.x;
		if (start <= last_end || start + lw > p.x + p.w)
			continue;
		text_draw(c, start, y, lw, s, ROLE_DIM, ATTR_NONE);
		last_end = start + lw;
	}
}

/* Eighths for count of max over rows rows; at least 1 when count > 0. */
static int
height_of(long long count, long long max, int rows)
{
	int h;

	if (count <= 0 || max <= 0)
		return 0;
	h = (int)llround((double)count / (double)max * rows * 8);
	return h < 1 ? 1 : h;
}

static const char *
glyph(int f, bool ascii)
{
	if (!ascii)
		return eighths[f];
	return f >= 8 ? "#" : f >= 4 ? ":" : f > 0 ? "." : " ";
}

void
histogram_draw(struct canvas *c, struct rect r, const struct histogram_view *v)
{
	long long *cnt, *err, max;
	int rows = r.h > 1 ? r.h - 1 : r.h, lw = 0, x, k;
	enum role bar = v->role == ROLE_NORMAL ? ROLE_ACCENT : v->role;
	struct rect p;
	char top[32];

	if (r.w < 1 || r.h < 1)
		return;
	if (r.h > 1 && r.w >= 4 * GUTTER_W)
		lw = GUTTER_W; /* fixed, so the bars do not shift as the scale changes */
	p = (struct rect){ r.x + lw, r.y, r.w - lw, rows };
	cnt = xcalloc((size_t)p.w + 1, sizeof *cnt);
	err = xcalloc((size_t)p.w + 1, sizeof *err);
	max = histogram_resample(v, p.w, cnt, err);
	if (max == 0) {
		const char *msg = v->empty_text ? v->empty_text : "no hits";

		text_draw(c, p.x, p.y + (rows - 1) / 2, p.w, msg, ROLE_DIM, ATTR_NONE);
	} else {
		if (lw > 0) {
			format_count(max, top, sizeof top);
			text_draw_aligned(c, r.x, p.y, lw - 1, top, ALIGN_RIGHT, ROLE_DIM,
					  ATTR_NONE);
			if (rows > 1)
				text_draw_aligned(c, r.x, p.y + rows - 1, lw - 1, "0", ALIGN_RIGHT,
						  ROLE_DIM, ATTR_NONE);
		}
		for (x = 0; x < p.w; x++) {
			int total = height_of(cnt[x], max, rows),
			    errs = height_of(err[x], max, rows);

			if (errs > total)
				errs = total;
			for (k = 0; k < rows; k++) {
				int f = total - 8 * k, e = errs - 8 * k;
				enum role role;

				if (f <= 0)
					break;
				if (f > 8)
					f = 8;
				if (e > 8)
					e = 8;
				role = e > 0 && (k == 0 || 2 * e >= f) ? ROLE_CRIT : bar;
				canvas_put(c, p.x + x, p.y + rows - 1 - k, glyph(f, c->ascii), 1,
					   role, ATTR_NONE);
			}
		}
	}
	if (r.h > 1)
		draw_times(c, p, r.y + r.h - 1, v);
	free(cnt);
	free(err);
}
