#include "frame.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse.h"
#include "statusbar.h"
#include "text.h"
#include "wall.h"
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

/* Draw s at *x if it fits before end (two blanks after it); advance *x. */
static bool
wall_put(struct canvas *c, int *x, int y, int end, const char *s, enum role role, unsigned attr)
{
	int w = text_width(s);

	if (*x + w > end)
		return false;
	*x += text_draw(c, *x, y, w, s, role, attr) + 2;
	return true;
}

/*
 * The wall's header: the environment (CRIT when protected), title, "2/3"
 * and the rotation's progress, each backend's freshness (stale ones
 * first, reversed in CRIT, so a narrow screen still shows them), the
 * screen's summary when it fits whole, and the clock.
 */
static void
wall_title(struct canvas *c, int y, const char *title, const char *summary,
	   const struct view_ctx *v, const char *clock)
{
	size_t nb = model_nbackends(v->model), i;
	char head[320], bar[64] = "", text[ERR_MSG_MAX + 64];
	int x = 0, end = c->w - text_width(clock) - 2, pass, k, filled, cells;

	x = text_draw(c, 0, y, end, " opsdeck", ROLE_BAR, ATTR_BOLD);
	if (v->env_name != NULL && *v->env_name != '\0') {
		x++;
		/* As on the console: the environment right after the name, CRIT when protected. */
		snprintf(text, sizeof text, "[%s]", v->env_name);
		x += text_draw(c, x, y, 26, text, v->env_protected ? ROLE_CRIT : ROLE_ACCENT,
			       ATTR_BOLD | ATTR_REVERSE);
	}
	snprintf(head, sizeof head, " %s %s", v->ascii ? "-" : "\xc2\xb7", title);
	x += text_draw(c, x, y, end - x, head, ROLE_BAR, ATTR_BOLD) + 2;
	if (v->wall_position != NULL)
		wall_put(c, &x, y, end, v->wall_position, ROLE_BAR, ATTR_NONE);
	cells = c->w >= 100 ? 8 : 4;
	filled = (int)(v->wall_progress * cells + 0.5);
	for (k = 0;
	     k < cells && v->wall_position != NULL && isdigit((unsigned char)v->wall_position[0]);
	     k++)
		strcat(bar, k < filled ? (v->ascii ? "#" : "\xe2\x96\xb0")
				       : (v->ascii ? "-" : "\xe2\x96\xb1"));
	if (bar[0] != '\0')
		wall_put(c, &x, y, end, bar, ROLE_BAR, ATTR_NONE);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < nb; i++) {
			const struct backend_state *b = model_backend_at(v->model, i);
			double age;
			enum wall_fresh f = wall_backend_fresh(b, v->now, v->stale_after,
							       v->wall_started, &age);

			if ((f == WALL_FRESH_STALE) != (pass == 0))
				continue;
			wall_backend_text(b, f, age, text, sizeof text);
			wall_put(c, &x, y, end, text,
				 f == WALL_FRESH_STALE ? ROLE_CRIT
				 : f == WALL_FRESH_OK  ? ROLE_OK
						       : ROLE_DIM,
				 f == WALL_FRESH_STALE ? ATTR_BOLD | ATTR_REVERSE : ATTR_BOLD);
		}
	if (summary != NULL && *summary != '\0' && text_width(summary) <= end - x)
		text_draw(c, x, y, end - x, summary, ROLE_BAR, ATTR_NONE); /* whole or not at all */
	text_draw(c, c->w - text_width(clock) - 1, y, text_width(clock), clock, ROLE_BAR,
		  ATTR_BOLD);
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
	if (v->wall) {
		localtime_r(&t, &tm);
		strftime(clock, sizeof clock, "%H:%M:%S", &tm);
		wall_title(c, y, title, summary, v, clock);
		return;
	}
	localtime_r(&t, &tm);
	strftime(clock, sizeof clock, "%H:%M:%S", &tm);
	if (v->env_name != NULL && *v->env_name != '\0') {
		/*
		 * The environment actions hit comes right after the name, so no
		 * title or summary can push it off: CRIT when protected.
		 */
		char env[96];

		x = text_draw(c, 0, y, c->w, " opsdeck ", ROLE_BAR, ATTR_BOLD);
		snprintf(env, sizeof env, "[%s]", v->env_name);
		x += text_draw(c, x, y, 26, env, v->env_protected ? ROLE_CRIT : ROLE_ACCENT,
			       ATTR_BOLD | ATTR_REVERSE);
		snprintf(head, sizeof head, " %s %s", v->ascii ? "-" : "\xc2\xb7", title);
		x += text_draw(c, x, y, c->w - x, head, ROLE_BAR, ATTR_BOLD);
	} else {
		snprintf(head, sizeof head, " opsdeck %s %s", v->ascii ? "-" : "\xc2\xb7", title);
		x = text_draw(c, 0, y, c->w, head, ROLE_BAR, ATTR_BOLD);
	}
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
