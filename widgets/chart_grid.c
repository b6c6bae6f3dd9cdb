/*
 * chart_grid.c - the dot grid of a chart: series and thresholds rasterised
 * into braille (or ASCII) dots, segments clipped before Bresenham walks
 * them, then turned into glyphs.  Private to chart*.c.
 */
#include "chart_grid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Braille dot bits by [row][column] within a cell (Unicode order). */
static const unsigned char braille_bit[4][2] = {
	{ 0x01, 0x08 },
	{ 0x02, 0x10 },
	{ 0x04, 0x20 },
	{ 0x40, 0x80 },
};

static double
clamp_d(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

bool
chart_point_ok(const struct chart_series *s, size_t i)
{
	return isfinite(s->t[i]) && isfinite(s->v[i]);
}

bool
chart_series_ok(const struct chart_series *s)
{
	return s->t != NULL && s->v != NULL && s->n > 0;
}

/* --- the dot grid ----------------------------------------------------- */

void
chart_grid_init(struct grid *g, int w, int h, bool ascii)
{
	size_t i, n = (size_t)w * (size_t)h;

	g->w = w;
	g->h = h;
	g->dx = ascii ? 1 : 2;
	g->dy = ascii ? 3 : 4;
	g->dw = w * g->dx;
	g->dh = h * g->dy;
	g->cells = xcalloc(n, sizeof *g->cells);
	for (i = 0; i < n; i++)
		g->cells[i].role = NO_ROLE;
}

void
chart_grid_done(struct grid *g)
{
	free(g->cells);
}

double
chart_grid_x(const struct grid *g, double t)
{
	return (t - g->t0) / (g->t1 - g->t0) * (g->dw - 1);
}

double
chart_grid_y(const struct grid *g, double v)
{
	double f = (v / 2 - g->lo / 2) / (g->hi / 2 - g->lo / 2);

	return (1.0 - f) * (g->dh - 1);
}

static void
set_dot(struct grid *g, int x, int y, enum role role)
{
	int cell;

	if (x < 0 || y < 0 || x >= g->dw || y >= g->dh)
		return;
	cell = (y / g->dy) * g->w + x / g->dx;
	if (g->dx == 2)
		g->cells[cell].bits |= braille_bit[y % 4][x % 2];
	else
		g->cells[cell].bits |= (unsigned char)(1u << (y % 3));
	g->cells[cell].role = (unsigned char)role;
}

/*
 * Liang-Barsky: clip the segment to the dot box (with half a dot of slack
 * so endpoints on the edge round inside).  False when nothing is left.
 */
static bool
clip_segment(const struct grid *g, double *x0, double *y0, double *x1, double *y1)
{
	double p[4], q[4], u0 = 0, u1 = 1, ddx = *x1 - *x0, ddy = *y1 - *y0, r;
	int i;

	p[0] = -ddx, q[0] = *x0 + 0.5;
	p[1] = ddx, q[1] = (g->dw - 0.5) - *x0;
	p[2] = -ddy, q[2] = *y0 + 0.5;
	p[3] = ddy, q[3] = (g->dh - 0.5) - *y0;
	for (i = 0; i < 4; i++) {
		if (p[i] == 0) {
			if (q[i] < 0)
				return false;
			continue;
		}
		r = q[i] / p[i];
		if (p[i] < 0) {
			if (r > u1)
				return false;
			if (r > u0)
				u0 = r;
		} else {
			if (r < u0)
				return false;
			if (r < u1)
				u1 = r;
		}
	}
	*x1 = *x0 + u1 * ddx;
	*y1 = *y0 + u1 * ddy;
	*x0 = *x0 + u0 * ddx;
	*y0 = *y0 + u0 * ddy;
	return true;
}

static void
line(struct grid *g, double fx0, double fy0, double fx1, double fy1, enum role role)
{
	int x0, y0, x1, y1, sx, sy, ex, ey, err, e2;

	if (!clip_segment(g, &fx0, &fy0, &fx1, &fy1))
		return;
	x0 = (int)lround(clamp_d(fx0, 0, g->dw - 1));
	y0 = (int)lround(clamp_d(fy0, 0, g->dh - 1));
	x1 = (int)lround(clamp_d(fx1, 0, g->dw - 1));
	y1 = (int)lround(clamp_d(fy1, 0, g->dh - 1));
	ex = abs(x1 - x0);
	ey = -abs(y1 - y0);
	sx = x0 < x1 ? 1 : -1;
	sy = y0 < y1 ? 1 : -1;
	err = ex + ey;
	for (;;) {
		set_dot(g, x0, y0, role);
		if (x0 == x1 && y0 == y1)
			break;
		e2 = 2 * err;
		if (e2 >= ey) {
			err += ey;
			x0 += sx;
		}
		if (e2 <= ex) {
			err += ex;
			y0 += sy;
		}
	}
}

/* Plot one series: lines between finite neighbours, dots for the lonely. */
void
chart_grid_series(struct grid *g, const struct chart_series *s)
{
	size_t i;
	double x, y, px = 0, py = 0;
	bool prev = false, next;

	if (!chart_series_ok(s))
		return;
	for (i = 0; i < s->n; i++) {
		if (!chart_point_ok(s, i)) {
			prev = false;
			continue;
		}
		x = chart_grid_x(g, s->t[i]);
		y = chart_grid_y(g, s->v[i]);
		next = i + 1 < s->n && chart_point_ok(s, i + 1);
		if (prev) {
			line(g, px, py, x, y, s->role);
		} else if (!next && x > -0.5 && x < g->dw - 0.5 && y > -0.5 && y < g->dh - 0.5) {
			int ix = (int)lround(x), iy = (int)lround(y);

			set_dot(g, ix, iy, s->role);
			g->cells[(iy / g->dy) * g->w + ix / g->dx].point = 1;
		}
		px = x;
		py = y;
		prev = true;
	}
}

/* A dotted line: one dot every other dot column (every other cell in ascii). */
void
chart_grid_threshold(struct grid *g, const struct chart_threshold *th)
{
	double fy;
	int y, x, cell;

	if (!isfinite(th->value) || th->value < g->lo || th->value > g->hi)
		return;
	fy = chart_grid_y(g, th->value);
	y = (int)lround(clamp_d(fy, 0, g->dh - 1));
	for (x = 0; x < g->dw; x += 2) {
		cell = (y / g->dy) * g->w + x / g->dx;
		g->cells[cell].thr = (unsigned char)(th->role + 1);
		if (g->dx == 2)
			g->cells[cell].bits |= braille_bit[y % 4][0];
	}
}

static const char *
ascii_glyph(unsigned bits, bool point)
{
	if (point)
		return "*";
	switch (bits & 7) {
	case 1:
		return "'";
	case 2:
		return "-";
	case 4:
		return ".";
	case 5:
		return ":";
	default:
		return "|"; /* 3, 6, 7: adjacent dots or a full column */
	}
}

/* Turn the grid into glyphs at the plot rect. */
void
chart_grid_blit(struct canvas *c, const struct grid *g, struct rect p)
{
	const struct dots *d;
	enum role role;
	char s[4];
	int x, y;

	for (y = 0; y < g->h; y++) {
		for (x = 0; x < g->w; x++) {
			d = &g->cells[y * g->w + x];
			role = d->role != NO_ROLE ? (enum role)d->role
			       : d->thr           ? (enum role)(d->thr - 1)
						  : ROLE_NORMAL;
			if (c->ascii) {
				if (d->role != NO_ROLE)
					canvas_put(c, p.x + x, p.y + y,
						   ascii_glyph(d->bits, d->point), 1, role,
						   ATTR_NONE);
				else if (d->thr && x % 2 == 0)
					canvas_put(c, p.x + x, p.y + y, "-", 1, role, ATTR_NONE);
				continue;
			}
			if (d->bits == 0)
				continue;
			/* U+2800 + bits in UTF-8: E2 A0|b>>6 80|b&3F */
			s[0] = (char)0xe2;
			s[1] = (char)(0xa0 | (d->bits >> 6));
			s[2] = (char)(0x80 | (d->bits & 0x3f));
			s[3] = '\0';
			canvas_put(c, p.x + x, p.y + y, s, 1, role, ATTR_NONE);
		}
	}
}
