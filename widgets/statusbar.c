/*
 * statusbar.c - one ROLE_BAR row: " seg │ seg │ seg        message ".
 *
 * The message is laid out first because it is what just happened (an action
 * result, an error); the segments are steady state and the user can read
 * them again after the message is gone.  Segments with a role of their own
 * are drawn in that role plus reverse video, so they stay part of the bar
 * while a failing backend still stands out.
 */
#include "statusbar.h"

#include "text.h"

#define SEP_UTF8 " \xe2\x94\x82 " /* " │ " */
#define SEP_ASCII " | "
#define SEP_W 3

static void
seg_style(enum role role, enum role *out, unsigned *attr)
{
	if (role == ROLE_NORMAL || role == ROLE_BAR) {
		*out = ROLE_BAR;
		*attr = ATTR_NONE;
	} else {
		*out = role;
		*attr = ATTR_REVERSE;
	}
}

void
statusbar_draw(struct canvas *c, struct rect r, const struct statusbar_view *v)
{
	int left = r.x + 1, right = r.x + r.w - 1, x, mw;
	size_t i;
	bool first = true;
	enum role role;
	unsigned attr;

	if (r.w <= 0 || r.h <= 0)
		return;
	canvas_fill(c, (struct rect){ r.x, r.y, r.w, 1 }, ROLE_BAR);
	if (r.w < 3)
		return;
	if (v->message != NULL && v->message[0] != '\0') {
		mw = text_width(v->message);
		if (mw > right - left)
			mw = right - left;
		seg_style(v->message_role, &role, &attr);
		text_draw(c, right - mw, r.y, mw, v->message, role, attr);
		right -= mw + 2; /* keep two blanks before the message */
	}
	x = left;
	for (i = 0; i < v->nsegs; i++) {
		const char *t = v->segs[i].text;

		if (t == NULL || t[0] == '\0')
			continue;
		if (!first) {
			if (x + SEP_W + 1 > right)
				break;
			text_draw(c, x, r.y, SEP_W, c->ascii ? SEP_ASCII : SEP_UTF8, ROLE_BAR,
				  ATTR_NONE);
			x += SEP_W;
		}
		if (x >= right)
			break;
		seg_style(v->segs[i].role, &role, &attr);
		x += text_draw(c, x, r.y, right - x, t, role, attr);
		first = false;
	}
}
