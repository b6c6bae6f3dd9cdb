/*
 * frame.h - the parts around every screen: the title bar (top row) and the
 * status line (bottom row) with each configured backend's health.
 */
#ifndef OPSDECK_TUI_FRAME_H
#define OPSDECK_TUI_FRAME_H

#include "canvas.h"
#include "view.h"

/*
 * Title bar: "opsdeck · <title>", a right-aligned summary (e.g. status
 * counts) and the clock.  summary may be NULL.
 */
void frame_draw_title(struct canvas *c, int y, const char *title, const char *summary,
		      const struct view_ctx *v);

/*
 * Status line: one segment per backend — "prometheus ok 12ms", or
 * "prometheus: <error> (last good 2m ago)" in CRIT — and message (may be
 * NULL) on the right in msg_role.
 */
/* Columns the backends' states take on the status line, separators included. */
int frame_backends_width(const struct view_ctx *v);

void frame_draw_status(struct canvas *c, int y, const struct view_ctx *v, const char *message,
		       int msg_role);

/* One backend's state as one line of text (for stderr and snapshots). */
void frame_backend_text(const struct backend_state *b, double now, char *out, size_t n);

/* The main body rect between the title bar and status line. */
struct rect frame_body(const struct canvas *c);

#endif
