/*
 * render.h - compose a whole screen into a canvas: title bar, the screen's
 * body, an optional overlay, and the status line.  The console blits the
 * result; snapshot writes it as text or ANSI.  One function, so both show
 * the very same canvas.
 */
#ifndef OPSDECK_TUI_RENDER_H
#define OPSDECK_TUI_RENDER_H

#include "canvas.h"
#include "dialog.h"
#include "help.h"
#include "input.h"
#include "screens/detail.h"
#include "screens/graph.h"
#include "screens/logs.h"
#include "screens/overview.h"
#include "screens/traces.h"
#include "screens/waterfall.h"
#include "view.h"

#define RENDER_MIN_W 40
#define RENDER_MIN_H 8

struct render_state {
	struct overview *overview;        /* the Overview's state */
	const char *message;              /* status-line message; NULL = none */
	int message_role;                 /* its role */
	const struct input *input;        /* a line being edited, or NULL */
	const char *input_prompt;         /* "/" */
	const struct help_view *help;     /* overlay, or NULL */
	const struct dialog_view *dialog; /* confirmation overlay, or NULL */
	const char *hint;      /* shown right in the status line when there is no message */
	struct detail *detail; /* the Service detail when it is on top, or NULL */
	const struct detail_data *detail_data; /* its data; may be NULL */
	struct logs *logs;                     /* the Logs screen when it is on top, or NULL */
	const struct logs_data *logs_data;     /* its data; may be NULL */
	const char *logs_from;                 /* the service the logs were opened from, or NULL */
	/* The Traces, Trace and Topology screens: at most one set, when on top. */
	struct traces_screen *traces;
	const struct traces_list *traces_list;
	struct waterfall *waterfall;
	const struct trace_data *trace_data;
	struct graph *graph;
	const struct topology_data *topology_data;
	const char *crumbs; /* their title: "Overview › payments › Traces" */
	const char *crumbs_summary;
	/*
	 * A screen that draws itself (Alerts, Query): title and summary in
	 * the title bar, body(body_ud, ...) fills the body.  Wins over the
	 * fields above when set.
	 */
	const char *title;
	const char *title_summary;
	void (*body)(void *ud, struct canvas *c, struct rect r, const struct view_ctx *v);
	void *body_ud;
	/*
	 * A full-width banner under the title bar (the wall's "3 alerts
	 * firing", "Prometheus data 2m old"), or NULL; banner_role colours it.
	 */
	const char *banner;
	int banner_role;
	const char *banner2; /* a second one under it (the wall: stale, then alerts) */
	int banner2_role;
	bool large; /* [wall] density = large: the banner three rows high */
};

/* Draw everything for the current screen into c (cleared first). */
void render_screen(struct canvas *c, const struct view_ctx *v, const struct render_state *rs);

#endif
