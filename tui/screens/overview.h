/*
 * overview.h - the Overview screen: one row per service with its status,
 * key metrics and sparklines; sortable by any column; filterable by a PCRE2
 * pattern.  The state (cursor, sort, filter) is opaque; the data comes from
 * the view_ctx at each draw.
 */
#ifndef OPSDECK_TUI_SCREENS_OVERVIEW_H
#define OPSDECK_TUI_SCREENS_OVERVIEW_H

#include <stddef.h>

#include "buf.h"
#include "canvas.h"
#include "keys.h"
#include "view.h"

/*
 * Columns in display order.  The runtime columns (replicas, version,
 * restarts, deployed, runtime) appear only when some service has a runtime,
 * errors/min from the logs only when Elasticsearch is configured; the trend
 * columns are not sortable.
 */
enum overview_col {
	OV_NAME,
	OV_STATUS,
	OV_REPLICAS,
	OV_RPS,
	OV_ERRORS,
	OV_ERRMIN,
	OV_P99,
	OV_CPU,
	OV_MEMORY,
	OV_VERSION,
	OV_RESTARTS,
	OV_DEPLOYED,
	OV_RUNTIME,
	OV_SPARK_RPS,
	OV_SPARK_ERRORS,
	OV_ALERTS, /* firing alerts ("!2"), drawn after STATUS while any fires */
	OV_NCOLS
};

struct overview; /* opaque */

struct overview *overview_new(void);
void overview_free(struct overview *ov); /* NULL-safe */

/* Draw the table into body. */
void overview_draw(struct overview *ov, struct canvas *c, struct rect body,
		   const struct view_ctx *v);

/* Handle a navigation or sort action; returns enum handled flags. */
int overview_handle(struct overview *ov, enum action a, const struct view_ctx *v);

/*
 * Set the filter pattern ("" clears).  An invalid pattern returns -1 with
 * PCRE2's message in e and keeps the previous filter.
 */
int overview_set_filter(struct overview *ov, const char *pattern, struct err *e);
const char *overview_filter(const struct overview *ov); /* borrowed; "" if none */

/* borrowed: the service under the cursor at the last draw, or NULL. */
const char *overview_selected(const struct overview *ov);
/*
 * borrowed: the service under the cursor now, with the current filter and
 * model (rows rebuilt first) — for keys typed faster than the screen
 * redraws.  NULL when no row is shown.
 */
const char *overview_current(struct overview *ov, const struct view_ctx *v);

/*
 * Mouse: is screen row y one of the rows drawn at the last draw?  Then
 * *delta is how many rows it is below the cursor (< 0 above, 0 on it).
 */
bool overview_row_at(const struct overview *ov, int y, long *delta);

/* Sort by column col (descending when desc).  Spark columns are not sortable. */
void overview_set_sort(struct overview *ov, enum overview_col col, bool desc);

/* "3 of 12 services · CRIT 1 · WARN 0 …" for the title bar (into out). */
void overview_summary(struct overview *ov, const struct view_ctx *v, char *out, size_t n);

/* Append the current (filtered, sorted) table as Markdown. */
void overview_markdown(struct overview *ov, const struct view_ctx *v, struct buf *out);

#endif
