#include "frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse.h"
#include "statusbar.h"
#include "text.h"
#include "xalloc.h"

int
view_status_role(enum status s)
{
	switch (s) {
	case STATUS_OK:
		return ROLE_OK;
	case STATUS_WARN:
		return ROLE_WARN;
	case STATUS_CRIT:
		return ROLE_CRIT;
	case STATUS_STALE:
		return ROLE_STALE;
	default:
		return ROLE_DIM;
	}
}

int
view_status_severity(enum status s)
{
	switch (s) {
	case STATUS_CRIT:
		return 4;
	case STATUS_WARN:
		return 3;
	case STATUS_STALE:
		return 2;
	case STATUS_UNKNOWN:
		return 1;
	default:
		return 0;
	}
}

struct rect
frame_body(const struct canvas *c)
{
	struct rect r = { 0, 1, c->w, c->h - 2 };

	if (r.h < 0)
		r.h = 0;
	return r;
}

void
frame_draw_title(struct canvas *c, int y, const char *title, const char *summary,
		 const struct view_ctx *v)
{
	char clock[16], head[256];
	time_t t = (time_t)v->now;
	struct tm tm;
	int x, sw, cw;

	canvas_fill(c, (struct rect){ 0, y, c->w, 1 }, ROLE_BAR);
	localtime_r(&t, &tm);
	strftime(clock, sizeof clock, "%H:%M:%S", &tm);
	snprintf(head, sizeof head, " opsdeck %s %s", v->ascii ? "-" : "\xc2\xb7", title);
	x = text_draw(c, 0, y, c->w, head, ROLE_BAR, ATTR_BOLD);
	cw = text_width(clock) + 1;
	sw = summary ? text_width(summary) : 0;
	if (c->w - x - cw > 2)
		text_draw(c, c->w - cw, y, cw, clock, ROLE_BAR, ATTR_NONE);
	else
		cw = 0;
	if (summary && sw > 0) {
		int room = c->w - x - cw - 3;

		if (room > 4) {
			int w = sw < room ? sw : room;
			text_draw(c, c->w - cw - 2 - w, y, w, summary, ROLE_BAR, ATTR_NONE);
		}
	}
}

void
frame_backend_text(const struct backend_state *b, double now, char *out, size_t n)
{
	char age[32];

	if (b->polls == 0) {
		snprintf(out, n, "%s: connecting...", b->name);
	} else if (b->ok) {
		snprintf(out, n, "%s ok %ldms", b->name, b->latency_ms);
	} else {
		/*
		 * The age of the last good data comes first: a long error is cut at
		 * the right edge, and "how old is what I see" must survive the cut.
		 */
		const char *m = b->err.msg;
		size_t nl = strlen(b->name);

		if (strncmp(m, b->name, nl) == 0 && m[nl] == ':' && m[nl + 1] == ' ')
			m += nl + 2; /* the message already names the backend */
		if (b->ever_ok) {
			format_duration_ms((long long)((now - b->last_ok) * 1000.0), age,
					   sizeof age);
			snprintf(out, n, "%s, last good %s ago: %s", b->name, age, m);
		} else {
			snprintf(out, n, "%s, no data yet: %s", b->name, m);
		}
	}
}

int
frame_backends_width(const struct view_ctx *v)
{
	size_t nb = model_nbackends(v->model), i;
	int w = 0;

	for (i = 0; i < nb; i++) {
		char text[ERR_MSG_MAX + 64];

		frame_backend_text(model_backend_at(v->model, i), v->now, text, sizeof text);
		w += text_width(text) + (i > 0 ? 3 : 0);
	}
	return w;
}

void
frame_draw_status(struct canvas *c, int y, const struct view_ctx *v, const char *message,
		  int msg_role)
{
	size_t nb = model_nbackends(v->model), i;
	struct status_segment *segs = xcalloc(nb + 1, sizeof *segs);
	char(*texts)[ERR_MSG_MAX + 64] = xcalloc(nb + 1, sizeof *texts);
	struct statusbar_view sv;

	for (i = 0; i < nb; i++) {
		const struct backend_state *b = model_backend_at(v->model, i);

		frame_backend_text(b, v->now, texts[i], sizeof texts[i]);
		segs[i].text = texts[i];
		segs[i].role = b->polls == 0 ? ROLE_DIM : b->ok ? ROLE_BAR : ROLE_CRIT;
	}
	sv.segs = segs;
	sv.nsegs = nb;
	sv.message = message;
	sv.message_role = (enum role)msg_role;
	statusbar_draw(c, (struct rect){ 0, y, c->w, 1 }, &sv);
	free(segs);
	free(texts);
}
