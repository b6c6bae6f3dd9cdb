/*
 * traces_scatter.h - the Traces screen's duration scatter: one dot per
 * listed trace, placed by its start time (x, the list's time span) and
 * its duration (y, from 0 to the slowest), drawn as the top or bottom half
 * of a cell in braille (⠛ ⣤ ⣿; 'o' per cell in ASCII mode).  Error traces are CRIT (an 'x' in
 * ASCII mode), the cursor's trace is reversed, so outliers and the
 * selected trace stand out.
 *
 *    2.31s┤            ⠛               (DIM scale: the slowest, 0)
 *         │                  ⣤
 *        0┤⣤  ⣤ ⣤⠀ ⣤  ⣤ ⣤ ⣿ ⣤ ⣤
 *          09:59:02  duration by start  10:00:58
 */
#ifndef OPSDECK_TUI_SCREENS_TRACES_SCATTER_H
#define OPSDECK_TUI_SCREENS_TRACES_SCATTER_H

#include <stdbool.h>
#include <stddef.h>

#include "canvas.h"
#include "zipkin.h"

/* Plain record; everything borrowed for the draw. */
struct traces_scatter_view {
	const struct zk_trace_summary *items; /* n traces, any order */
	size_t n;
	const struct zk_trace_summary *selected; /* one of items, reversed; NULL none */
	bool utc;                                /* time labels in UTC, else local */
	bool ascii;                              /* ASCII glyphs */
};

/* Draw v into r (plot rows, then a row of time labels); no cell outside r. */
void traces_scatter_draw(struct canvas *c, struct rect r, const struct traces_scatter_view *v);

#endif
