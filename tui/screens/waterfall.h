/*
 * waterfall.h - the Trace screen: a header (trace id, root, start,
 * duration, spans, services, errors, repairs made: orphans, skew
 * corrected), a time axis with ticks, then one row per span: the service
 * and span name indented by depth (a tree gutter, ▸ on collapsed rows), a
 * bar placed on the trace's time axis scaled to the width and coloured by
 * service (error spans in CRIT), its duration labelled.  Space collapses
 * and expands the subtree; Enter shows a span detail pane (kind, ids,
 * start, duration, self time, local and remote endpoints, tags,
 * annotations with their offsets); c highlights the critical path: rows on
 * it marked, their bars' critical part emphasised, each span's share of
 * the path shown.  Flags: "orphan", "skew +1.2ms", "exceeds parent".
 */
#ifndef OPSDECK_TUI_SCREENS_WATERFALL_H
#define OPSDECK_TUI_SCREENS_WATERFALL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "canvas.h"
#include "keys.h"
#include "traces_poll.h"
#include "view.h"

#define WATERFALL_MIN_W 40
#define WATERFALL_MIN_H 8

struct waterfall; /* opaque */

struct waterfall *waterfall_new(void);
void waterfall_free(struct waterfall *w); /* NULL-safe */

/* Draw into body.  d may be NULL. A new trace (another id) resets the cursor and the collapsed set. */
void waterfall_draw(struct waterfall *w, struct canvas *c, struct rect body,
		    const struct view_ctx *v, const struct trace_data *d);

/* Navigation, collapse, detail pane and critical path; returns enum handled flags. */
int waterfall_handle(struct waterfall *w, enum action a, const struct trace_data *d);

/* The node under the cursor (index into d->trace->nodes), or -1. */
int waterfall_selected(const struct waterfall *w, const struct trace_data *d);
bool waterfall_critical_shown(const struct waterfall *w);
void waterfall_set_critical(struct waterfall *w, bool on);
/* Collapse (or expand) node i's subtree; for tests and snapshots. */
void waterfall_set_collapsed(struct waterfall *w, const struct trace_data *d, int i, bool on);

/* The trace as Markdown: a header and one table row per shown span (indent, service, span, start, duration, critical share). */
void waterfall_markdown(struct waterfall *w, const struct view_ctx *v, const struct trace_data *d,
			struct buf *out);

#endif
