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
	const char *message; /* right side; NULL = none */
	enum role message_role;
};

/*
 * Draw v (borrowed) on the first row of r: the whole row in ROLE_BAR,
 * segments from the left separated by " │ " (" | " in ascii mode), the
 * message right-aligned.  Segments with a role other than NORMAL/BAR are
 * drawn in that role with ATTR_REVERSE; NULL or empty segments are skipped.
 */
void statusbar_draw(struct canvas *c, struct rect r, const struct statusbar_view *v);

#endif
