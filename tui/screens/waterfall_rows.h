/*
 * waterfall_rows.h - the span rows of the Trace screen: a ruler (0, 25%,
 * 50%, 75%, 100% of the trace in ms/s), then one row per shown node: a
 * critical-path mark, the tree gutter (indent by depth, ▾ expanded,
 * ▸ collapsed with its hidden count), service and span name, the node's
 * share of the critical path, and its bar on the trace's time axis
 * coloured by service (CRIT for errors) with the duration and the flags
 * (orphan, skew, exceeds parent) beside it.
 *
 * The name column takes what the names need, up to 2/5 of the width (the
 * bars keep at least BAR_MIN_W columns); names are cut with "…".
 */
#ifndef OPSDECK_TUI_SCREENS_WATERFALL_ROWS_H
#define OPSDECK_TUI_SCREENS_WATERFALL_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "canvas.h"
#include "trace.h"

/* What the rows show.  Plain record; everything borrowed for the draw. */
struct waterfall_rows_view {
	const struct trace *t;
	const int *rows; /* the shown nodes, in order (trace_rows) */
	size_t nrows;
	const bool *collapsed; /* t->nnodes flags */
	int sel;               /* the cursor's node; -1 none */
	size_t top;            /* the first row drawn */
	bool critical;         /* mark the critical path */
	bool ascii;            /* ASCII glyphs */
};

/* Draw the ruler on r's first row and rows from v->top below it. */
void waterfall_rows_draw(struct canvas *c, struct rect r, const struct waterfall_rows_view *v);

/* The row's service ("" for the synthetic root) and span name (borrowed from t). */
void waterfall_rows_name(const struct trace *t, int i, const char **svc, const char **name);

/*
 * The time node i's row stands for on the critical path: its own, or on a
 * collapsed row (collapsed[i]) its whole subtree's, so a fold never hides
 * the path.  collapsed may be NULL.
 */
int64_t waterfall_rows_path_us(const struct trace *t, const bool *collapsed, int i);

/* The share of the trace's duration that us is, in percent. */
double waterfall_rows_share(const struct trace *t, int64_t us);
/* "66%", "<1%" into out. */
void waterfall_rows_share_text(double pct, char *out, size_t n);
/* A node's flags, "orphan skew +1.20ms exceeds parent" ("" none), into out. */
void waterfall_rows_flags(const struct trace_node *nd, char *out, size_t n);

#endif
