/*
 * sparkline.h - a one-row chart of the last values of a series.
 *
 * Values are scaled from max down to min, or to 3/4 of max when the values
 * vary less than that (never below 0 for non-negative series), over the
 * values drawn; NAN is a gap (blank).  Glyphs are the eight block
 * elements ▁▂▃▄▅▆▇█, or the ASCII ramp "_.-=+*#@" on a non-UTF-8 terminal
 * (the lowest level is '_', not ' ', so zero differs from a gap).  When all
 * values are equal the line is flat: mid-level bars, or the lowest bar when
 * all are zero.
 * When there are more values than columns, the newest `w` are drawn; when
 * fewer, they are right-aligned so "now" is always at the right edge.
 */
#ifndef OPSDECK_WIDGETS_SPARKLINE_H
#define OPSDECK_WIDGETS_SPARKLINE_H

#include <stddef.h>

#include "buf.h"
#include "canvas.h"

/*
 * Draw the newest min(n, w) values of vals (borrowed) right-aligned in the
 * w columns at (x, y); the columns to the left and gaps are blanks in role.
 */
void sparkline_draw(struct canvas *c, int x, int y, int w, const double *vals, size_t n,
		    enum role role);

/*
 * Append the sparkline glyphs for the newest w values to out (UTF-8, or the
 * ASCII ramp when ascii), one per value, ' ' for a gap; no padding.
 */
void sparkline_string(const double *vals, size_t n, int w, int ascii, struct buf *out);

/*
 * As above, on a fixed scale from 0 to top (> 0), extended to the peak when
 * a value exceeds top: for ratios with a meaning, such as an error ratio
 * drawn against its critical threshold.  top <= 0 means the automatic scale.
 */
void sparkline_draw_top(struct canvas *c, int x, int y, int w, const double *vals, size_t n,
			double top, enum role role);
void sparkline_string_top(const double *vals, size_t n, int w, double top, int ascii,
			  struct buf *out);

#endif
