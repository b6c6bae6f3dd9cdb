/*
 * sparkline.h - a one-row chart of the last values of a series.
 *
 * Values are scaled between their min (or 0 when all are >= 0) and max over
 * the values drawn; NAN is a gap (blank).  Glyphs are the eight block
 * elements ▁▂▃▄▅▆▇█, or " .-=+*#" style ASCII on a non-UTF-8 terminal.
 * When there are more values than columns, the newest `w` are drawn; when
 * fewer, they are right-aligned so "now" is always at the right edge.
 */
#ifndef OPSDECK_WIDGETS_SPARKLINE_H
#define OPSDECK_WIDGETS_SPARKLINE_H

#include <stddef.h>

#include "buf.h"
#include "canvas.h"

void sparkline_draw(struct canvas *c, int x, int y, int w, const double *vals,
		    size_t n, enum role role);

/* Append the sparkline glyphs for the newest w values to out (UTF-8/ASCII). */
void sparkline_string(const double *vals, size_t n, int w, int ascii, struct buf *out);

#endif
