/*
 * statusbar.h - one row of segments: left-aligned items and a right-aligned
 * message.  Each segment has its own role, so a failing backend shows in
 * CRIT while the others stay normal.  When the row is too narrow, segments
 * are shortened from the right, and the message wins over the last segments.
 */
#ifndef OPSDECK_WIDGETS_STATUSBAR_H
#define OPSDECK_WIDGETS_STATUSBAR_H

#include <stddef.h>

#include "canvas.h"

struct status_segment {
	const char *text; /* borrowed */
	enum role role;
};

struct statusbar_view {
	const struct status_segment *segs; /* left segments, drawn in order */
	size_t nsegs;
	const char *message;               /* right side; NULL = none */
	enum role message_role;
};

void statusbar_draw(struct canvas *c, struct rect r, const struct statusbar_view *v);

#endif
