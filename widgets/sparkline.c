/*
 * sparkline.c - eight-level bar glyphs for the newest values of a series.
 *
 * The scale ends at the maximum and spans at least a quarter of it: a
 * request rate dipping from 120/s to 90/s must be visible at a glance (a
 * scale from 0 would draw both as nearly full bars), while noise of a few
 * percent stays a few eighths high instead of filling the row.  It never
 * starts below 0 for a non-negative series.  A series whose values are all equal carries no shape: it is
 * drawn as a mid-level bar (or the lowest bar when all are zero) so "steady"
 * is visibly different from "nothing" and from "pegged".
 */
#include "sparkline.h"

#include <math.h>

static const char *const blocks[8] = {
	"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
};
/* The lowest level is '_' rather than ' ' so zero is not mistaken for a gap. */
static const char ascii_ramp[8] = { '_', '.', '-', '=', '+', '*', '#', '@' };

#define LEVEL_GAP (-1)
#define LEVEL_MID 3

struct spark_scale {
	double lo, hi;
	bool flat; /* every finite value is equal */
};

static void
spark_scale_of(const double *v, size_t n, double top, struct spark_scale *s)
{
	size_t i;
	bool any = false;

	s->lo = s->hi = 0;
	for (i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		if (!any || v[i] < s->lo)
			s->lo = v[i];
		if (!any || v[i] > s->hi)
			s->hi = v[i];
		any = true;
	}
	if (top > 0) {
		/* A fixed scale from 0: full height means `top` (or the peak, if higher). */
		s->lo = 0;
		if (s->hi < top)
			s->hi = top;
		s->flat = false;
		return;
	}
	s->flat = s->lo == s->hi;
	if (!s->flat) {
		double min = s->lo, floor_lo = s->hi - 0.25 * fabs(s->hi);

		if (floor_lo < s->lo)
			s->lo = floor_lo;
		if (min >= 0 && s->lo < 0)
			s->lo = 0;
	}
}

/* 0..7, or LEVEL_GAP for NAN and infinities. */
static int
spark_level(double v, const struct spark_scale *s)
{
	double f;
	int lv;

	if (!isfinite(v))
		return LEVEL_GAP;
	if (s->flat)
		return v == 0 ? 0 : LEVEL_MID;
	/* Level k covers ((k)/8, (k+1)/8] of the range: 1..8 maps to all eight. */
	f = (v - s->lo) / (s->hi - s->lo) * 8.0;
	lv = (int)ceil(f - 1e-9) - 1;
	if (lv < 0)
		lv = 0;
	if (lv > 7)
		lv = 7;
	return lv;
}

void
sparkline_draw(struct canvas *c, int x, int y, int w, const double *vals, size_t n, enum role role)
{
	sparkline_draw_top(c, x, y, w, vals, n, 0, role);
}

void
sparkline_draw_top(struct canvas *c, int x, int y, int w, const double *vals, size_t n, double top,
		   enum role role)
{
	struct spark_scale s;
	size_t k, i;
	int col, lv;
	char g[2] = { 0, 0 };

	if (w <= 0)
		return;
	if (vals == NULL)
		n = 0;
	k = n < (size_t)w ? n : (size_t)w;
	vals += n - k;
	spark_scale_of(vals, k, top, &s);
	for (col = 0; col < w; col++)
		canvas_put(c, x + col, y, " ", 1, role, ATTR_NONE);
	col = w - (int)k;
	for (i = 0; i < k; i++, col++) {
		lv = spark_level(vals[i], &s);
		if (lv == LEVEL_GAP)
			continue;
		if (c->ascii) {
			g[0] = ascii_ramp[lv];
			canvas_put(c, x + col, y, g, 1, role, ATTR_NONE);
		} else {
			canvas_put(c, x + col, y, blocks[lv], 1, role, ATTR_NONE);
		}
	}
}

void
sparkline_string(const double *vals, size_t n, int w, int ascii, struct buf *out)
{
	sparkline_string_top(vals, n, w, 0, ascii, out);
}

void
sparkline_string_top(const double *vals, size_t n, int w, double top, int ascii, struct buf *out)
{
	struct spark_scale s;
	size_t k, i;
	int lv;

	if (w <= 0 || vals == NULL)
		return;
	k = n < (size_t)w ? n : (size_t)w;
	vals += n - k;
	spark_scale_of(vals, k, top, &s);
	for (i = 0; i < k; i++) {
		lv = spark_level(vals[i], &s);
		if (lv == LEVEL_GAP)
			buf_putc(out, ' ');
		else if (ascii)
			buf_putc(out, ascii_ramp[lv]);
		else
			buf_puts(out, blocks[lv]);
	}
}
