/*
 * chart_grid.h - the dot grid behind widgets/chart: private to chart*.c.
 *
 * Call order: chart_grid_init(), set t0/t1/lo/hi, chart_grid_threshold()
 * and chart_grid_series() in drawing order (a later series wins a shared
 * cell), chart_grid_blit(), chart_grid_done().
 */
#ifndef OPSDECK_WIDGETS_CHART_GRID_H
#define OPSDECK_WIDGETS_CHART_GRID_H

#include <stdbool.h>
#include <stddef.h>

#include "canvas.h"
#include "chart.h"

#define NO_ROLE 0xff

struct dots {
	unsigned char bits;  /* dot bits */
	unsigned char role;  /* NO_ROLE when no series touched the cell */
	unsigned char point; /* ascii: an isolated point lies here */
	unsigned char thr;   /* threshold role + 1, 0 = none */
};

struct grid {
	int w, h;           /* cells */
	int dx, dy;         /* dots per cell: 2x4 braille, 1x3 ascii */
	int dw, dh;         /* dots across and down */
	struct dots *cells; /* owned: w*h, row-major */
	double t0, t1;      /* x range */
	double lo, hi;      /* y range, lo < hi */
};

/* Whether point i of s, or s as a whole, can be drawn. */
bool chart_point_ok(const struct chart_series *s, size_t i);
bool chart_series_ok(const struct chart_series *s);

/* A w x h cell grid, empty; ascii: 1x3 dots per cell, else 2x4 braille. */
void chart_grid_init(struct grid *g, int w, int h, bool ascii);
void chart_grid_done(struct grid *g);
/* Dot coordinates of a time and of a value (may lie outside the grid). */
double chart_grid_x(const struct grid *g, double t);
double chart_grid_y(const struct grid *g, double v);
/* Rasterise a series (lines between finite neighbours) or a dotted threshold. */
void chart_grid_series(struct grid *g, const struct chart_series *s);
void chart_grid_threshold(struct grid *g, const struct chart_threshold *th);
/* Turn the dots into glyphs in the plot rect p of c. */
void chart_grid_blit(struct canvas *c, const struct grid *g, struct rect p);

#endif
