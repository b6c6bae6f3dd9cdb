/*
 * histogram.h - a bar chart of counts per time bucket, one bar per column,
 * for the hits of a log search over its range.
 *
 * Layout inside r, top to bottom:
 *    170          ▂▄▆█            (plot rows: eighth blocks ▁▂▃▄▅▆▇█)
 *      0 ▄▄▅▅▆▇▇▄██████▇▄▄▅▅▆▇  (the error part of a bar stacked at
 *        22:00   22:10     22:20  the bottom in ROLE_CRIT)
 * A left gutter of 6 columns holds the scale: the largest column's count
 * on the top row and 0 on the bottom plot row (DIM); it is left out when r
 * is narrower than 24 columns.  The last row holds time labels
 * (HH:MM, or MM-DD for steps of a day or more) on the zone's clock, local
 * or UTC, at multiples of a step chosen so the labels do not touch.  With
 * a single row there is no time row and no gutter.
 *
 * Buckets are resampled to the plot width: when there are more buckets
 * than columns, each column sums the buckets that fall into it (totals are
 * kept); when fewer, a bucket spans several columns.  A column with any hit
 * shows at least one eighth; a column with any error-level hit shows its
 * bottom cell in ROLE_CRIT, so a single error is never invisible.  In ascii
 * mode (canvas->ascii) partial cells are '.' (under half) or ':' and full
 * cells '#'; errors keep the CRIT role.  Pure draw: no cell outside r.
 */
#ifndef OPSDECK_WIDGETS_HISTOGRAM_H
#define OPSDECK_WIDGETS_HISTOGRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "canvas.h"

/* A plain record; the caller owns the arrays.  Zero-initialised is valid (empty). */
struct histogram_view {
	const long long *counts; /* n bucket counts, oldest first; borrowed */
	const long long *errors; /* n error-level counts (a part of counts); NULL = none */
	size_t n;
	double t0, t1;          /* the time range the buckets cover, unix seconds */
	bool utc;               /* time labels in UTC, else local time */
	enum role role;         /* role of the non-error part; ROLE_NORMAL = ROLE_ACCENT */
	const char *empty_text; /* drawn when n == 0 or every count is 0; NULL = "no hits" */
};

/* Draw v into r of c (reads v and its arrays for the call only). */
void histogram_draw(struct canvas *c, struct rect r, const struct histogram_view *v);

/*
 * Resample the buckets of v to w columns: out_counts[i] and out_errors[i]
 * (both w entries, caller-owned).  Returns the largest column count.
 */
long long histogram_resample(const struct histogram_view *v, int w, long long *out_counts,
			     long long *out_errors);

#endif
