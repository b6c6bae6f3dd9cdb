/*
 * query.h - the Query screen: an ad-hoc PromQL expression and its answer.
 *
 * Top to bottom: the expression (and, when Prometheus refused it, a caret
 * under the column its message points at), the mode line (Instant or
 * Range with its window, when the answer was evaluated, how many series,
 * how long it took), then the answer: a vector as a table (one row per
 * series, highest value first, j/k move the cursor), a matrix as a chart
 * with a legend, a scalar or string as one value; or the error verbatim
 * and what to do, "no series" and the time evaluated, or how to start.
 *
 * The state (cursor, scroll) is opaque; the answer comes from the
 * poller's struct query_data at each draw.
 */
#ifndef OPSDECK_TUI_SCREENS_QUERY_H
#define OPSDECK_TUI_SCREENS_QUERY_H

#include <stddef.h>

#include "canvas.h"
#include "keys.h"
#include "query_poll.h"
#include "view.h"

struct query_screen; /* opaque */

struct query_screen *query_screen_new(void);    /* new */
void query_screen_free(struct query_screen *q); /* NULL-safe */

/*
 * Move the table's cursor: ACT_UP, ACT_DOWN, ACT_PGUP, ACT_PGDN, ACT_TOP,
 * ACT_BOTTOM.  Returns enum handled flags (H_NONE for other actions).
 */
int query_screen_handle(struct query_screen *q, enum action a, const struct query_data *d);
/* Put the cursor back on the first row (a new expression). */
void query_screen_reset(struct query_screen *q);

/* Draw into r.  d may be NULL (nothing asked yet). */
void query_screen_draw(struct query_screen *q, struct canvas *c, struct rect r,
		       const struct view_ctx *v, const struct query_data *d);

/* The last chart's points across (for the step); 0 before one was drawn. */
int query_screen_points(const struct query_screen *q);

/* The title bar's summary: "3 series", "range 1h · 3 series", "error". */
void query_screen_summary(const struct query_data *d, char *out, size_t n);

#endif
