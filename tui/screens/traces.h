/*
 * traces.h - the Traces screen: the search (service, span, tags,
 * durations, lookback, limit) in a header, a duration scatter of the
 * listed traces over their start times (outliers stand out; error traces
 * in CRIT), then the list: start time, root service and span, duration
 * (with a bar relative to the slowest listed), span count, services
 * touched, an error mark.  Sortable by start, duration, spans, services
 * (< > I); Enter opens the selected trace.
 *
 * The state (cursor, scroll, sort) is opaque; the list comes from a
 * struct traces_list (tui/traces_poll.h) at each draw.  The cursor stays
 * on its trace id when the list is refreshed.
 */
#ifndef OPSDECK_TUI_SCREENS_TRACES_H
#define OPSDECK_TUI_SCREENS_TRACES_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "canvas.h"
#include "keys.h"
#include "traces_poll.h"
#include "view.h"

#define TRACES_MIN_W 40
#define TRACES_MIN_H 8

struct traces_screen; /* opaque */

struct traces_screen *traces_screen_new(void);
void traces_screen_free(struct traces_screen *t); /* NULL-safe */

/* Draw into body.  l may be NULL (nothing asked yet). */
void traces_screen_draw(struct traces_screen *t, struct canvas *c, struct rect body,
			const struct view_ctx *v, const struct traces_list *l);

/* Navigation and sort actions; returns enum handled flags. */
int traces_screen_handle(struct traces_screen *t, enum action a, const struct traces_list *l);

/* The selected trace's id (borrowed from l), or NULL when the list is empty. */
const char *traces_screen_selected(const struct traces_screen *t, const struct traces_list *l);
/*
 * Mouse: is screen row y one of the list's rows at the last draw?  Then
 * *delta is how many rows it is below the cursor.
 */
bool traces_screen_row_at(const struct traces_screen *t, int y, long *delta);

/* The list as Markdown (a header line and a table), in the screen's sort order. */
void traces_screen_markdown(struct traces_screen *t, const struct view_ctx *v,
			    const struct traces_list *l, struct buf *out);

#endif
