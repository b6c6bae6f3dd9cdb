/*
 * chart.h - a line chart of time series drawn in Unicode braille.
 *
 * Each cell of the plot holds a braille character (U+2800..U+28FF), i.e. a
 * grid of 2 x 4 dots, so a 60-column chart has 120 dots across.  Consecutive
 * points of a series are joined by straight lines in dot space (Bresenham);
 * a NAN or infinite value is a gap that breaks the line, and a point with
 * no finite neighbour is drawn as a single dot.  When series share a cell,
 * their dots are combined and the later series' role colours the cell.
 *
 * In ascii mode (canvas->ascii) the plot is coarser: one dot across and
 * three down per cell, drawn as '\'' (top), '-' (middle), '.' (bottom), ':'
 * (top and bottom) and '|' (two adjacent or all three); an isolated point
 * is '*'.  Threshold lines are '- - -' there, braille dots every other
 * column otherwise.
 *
 * Layout inside r, top to bottom:
 *   title                                  legend (right, when > 1 series)
 *   max ┤⠀⠀⢀⡠⠔⠊⠉⠑⠢⡀
 *   mid ┤⠔⠊⠁⠀⠀⠀⠀⠀⠀⠈⠢⡀       (y labels formatted by the unit, DIM)
 *   min ┤⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠀⠈
 *       └──┬─────┬─────┬          (tick marks)
 *        12:00 12:15 12:30        (3 to 6 labels, HH:MM)
 * The legend moves to its own row under the title when it does not fit
 * beside it.  When r is short, the tick row goes first, then the legend,
 * the title and the time labels; when even one plot row does not fit (or
 * r is narrower than 2 columns) a "too small" note is drawn instead.  No
 * cell outside r is ever written.
 *
 * Time ticks fall on multiples of a step from 1 minute to 1 day chosen so
 * that 3 to 6 labels fit without touching (fewer when the range is short
 * or the chart narrow).  Ticks are aligned to the clock of the chosen zone:
 * with utc false, local time as given by localtime_r() (the offset at t0 is
 * used for the whole range, so a DST change inside the range shifts the
 * later ticks by the change).
 */
#ifndef OPSDECK_WIDGETS_CHART_H
#define OPSDECK_WIDGETS_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "canvas.h"

/* How values are written on the y axis. */
enum chart_unit {
	CHART_UNIT_PLAIN,   /* a number: "0", "12.5", "1.23k", "4.2M" */
	CHART_UNIT_RATIO,   /* a ratio shown as percent: 0.05 -> "5.0%" */
	CHART_UNIT_SECONDS, /* seconds as a duration: "850us", "45ms", "2.0s", "3m05s" */
	CHART_UNIT_BYTES,   /* bytes, binary units: "512B", "1.50Ki", "230Mi" */
};

struct chart_series {
	const double *t;   /* borrowed: n times (unix seconds), ascending */
	const double *v;   /* borrowed: n values; NAN (or inf) = gap */
	size_t n;
	enum role role;    /* colour of the line */
	const char *label; /* legend text; NULL = "" */
};

struct chart_threshold {
	double value;   /* y value of the dotted line; NAN = not drawn */
	enum role role; /* ROLE_WARN, ROLE_CRIT */
};

/*
 * A plain record: the caller owns every pointer; chart_draw only reads.
 * A zero-initialised view is valid: y_min = y_max = 0 means automatic (any
 * y_max <= y_min does), and a cursor at t = 0 lies outside any real range;
 * set cursor_t to NAN to say "none" explicitly.
 */
struct chart_view {
	const char *title;                        /* "requests/s"; NULL = none */
	enum chart_unit unit;
	const struct chart_series *series;        /* nseries series */
	size_t nseries;
	double t0, t1;                            /* x range, unix seconds; when
						     t1 <= t0 the data's range */
	double y_min, y_max;                      /* NAN = automatic (each alone);
						     y_max <= y_min: both automatic */
	const struct chart_threshold *thresholds; /* nthresholds lines */
	size_t nthresholds;
	double cursor_t;                          /* highlighted time; NAN = none */
	bool utc;                                 /* time labels in UTC, else local */
	const char *empty_text;                   /* when no finite point; NULL = "no data" */
};

/*
 * Draw v into r of c.  Reads the view and the series arrays (borrowed for
 * the call only); writes no cell outside r.  Never fails: bad input (NULL
 * arrays, n = 0, non-finite values, an empty range) draws axes and the
 * empty note.
 *
 * The automatic y range spans the finite values inside [t0, t1] and the
 * thresholds, padded by 5% of the span on each side (10% of the value when
 * all are equal), never below 0 for non-negative data; CHART_UNIT_RATIO
 * charts always start at 0 unless the data is negative.  An explicit
 * y_min / y_max is used as is; values outside it are clipped.
 *
 * The cursor, when inside [t0, t1], reverses the plot column it falls in.
 */
void chart_draw(struct canvas *c, struct rect r, const struct chart_view *v);

/*
 * Write v formatted for unit into out (size n, always NUL-terminated),
 * as the y axis shows it.  NAN gives "-".  Pure; for callers that show the
 * current value of a series next to its chart.
 */
void chart_format_value(enum chart_unit unit, double v, char *out, size_t n);

#endif
