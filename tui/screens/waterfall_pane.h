/*
 * waterfall_pane.h - the span detail pane of the Trace screen (Enter):
 * the span's service and name, kind, ids, start offset, duration, self
 * time, its share of the critical path, local and remote endpoints, the
 * repairs that touched it (orphan, skew, exceeds parent, merged), its
 * tags sorted by key (values wrapped) and its annotations with their
 * offsets from the trace's start.
 *
 * The content is laid out into a tall scratch canvas of the pane's width
 * (waterfall_pane_render), then a window of it is copied into the screen
 * (waterfall_pane_blit): the pane scrolls by rows without measuring twice.
 */
#ifndef OPSDECK_TUI_SCREENS_WATERFALL_PANE_H
#define OPSDECK_TUI_SCREENS_WATERFALL_PANE_H

#include <stdbool.h>

#include "canvas.h"
#include "trace.h"

/* Rows of a scratch canvas: a span with more tags and annotations is cut with a note. */
#define WATERFALL_PANE_MAX_ROWS 256

/*
 * Lay node i of t out into out (its width is the pane's, its height at
 * most WATERFALL_PANE_MAX_ROWS; cleared first), from its top row.  t and
 * its strings are read for the call only.  Returns the rows used.
 */
int waterfall_pane_render(struct canvas *out, const struct trace *t, int i);

/*
 * Copy rows [scroll, scroll + r.h) of src (rows used: rows) into r of dst,
 * within r only.  A scrolled pane shows "more" marks in its corners.
 */
void waterfall_pane_blit(struct canvas *dst, struct rect r, const struct canvas *src, int rows,
			 int scroll);

#endif
