#include "render.h"

#include <stdio.h>

#include "frame.h"
#include "text.h"

/* Shown instead of an empty table when no backend is configured at all. */
static void
draw_welcome(struct canvas *c, struct rect r, const struct view_ctx *v)
{
	static const char *const lines[] = {
		"No backend is configured, so there is nothing to show yet.",
		"",
		"Point opsdeck at a Prometheus server in any of these ways:",
		"",
		"  opsdeck --prometheus http://127.0.0.1:9090",
		"  export OPSDECK_PROMETHEUS_URL=http://127.0.0.1:9090",
		"  or put in the config file:",
		"      [prometheus]",
		"      url = http://127.0.0.1:9090",
		"",
		"'opsdeck config' shows the effective configuration and where each",
		"value comes from.  'make demo' in the source tree starts a local",
		"stack (Prometheus and a simulated shop) and opens the console on it.",
		"",
		"Press ? for keys, q to quit.",
	};
	size_t i;
	char path[512];
	int y = r.y + 1;

	for (i = 0; i < sizeof lines / sizeof lines[0] && y < r.y + r.h; i++, y++)
		text_draw(
			c, r.x + 2, y, r.w - 4,
			i == 0 && (v->elasticsearch || v->zipkin)
				? "No Prometheus or Docker is configured, so the Overview is empty."
				: lines[i],
			i == 0 ? ROLE_HEADER : ROLE_NORMAL, i == 0 ? ATTR_BOLD : ATTR_NONE);
	if (v->elasticsearch && y + 1 < r.y + r.h)
		text_draw(c, r.x + 2, ++y, r.w - 4,
			  "Elasticsearch is configured: press L for the logs of every service.",
			  ROLE_ACCENT, ATTR_BOLD);
	if (v->zipkin && y + 1 < r.y + r.h)
		text_draw(c, r.x + 2, ++y, r.w - 4,
			  "Zipkin is configured: press t for traces, T for the service topology.",
			  ROLE_ACCENT, ATTR_BOLD);
	if (v->config_path != NULL && y + 1 < r.y + r.h) {
		snprintf(path, sizeof path, "Config file: %s", v->config_path);
		text_draw(c, r.x + 2, y + 1, r.w - 4, path, ROLE_DIM, ATTR_NONE);
	}
}

static void
draw_too_small(struct canvas *c)
{
	char msg[96];

	canvas_clear(c);
	snprintf(msg, sizeof msg, "terminal too small: %dx%d, need %dx%d", c->w, c->h, RENDER_MIN_W,
		 RENDER_MIN_H);
	text_draw(c, 0, c->h / 2, c->w, msg, ROLE_WARN, ATTR_BOLD);
}

static bool
any_backend_failing(const struct view_ctx *v)
{
	size_t i;

	for (i = 0; i < model_nbackends(v->model); i++)
		if (!model_backend_at(v->model, i)->ok && model_backend_at(v->model, i)->polls > 0)
			return true;
	return false;
}

void
render_screen(struct canvas *c, const struct view_ctx *v, const struct render_state *rs)
{
	char summary[256], title[320];
	struct rect body;

	if (c->w < RENDER_MIN_W || c->h < RENDER_MIN_H) {
		draw_too_small(c);
		return;
	}
	canvas_clear(c);
	body = frame_body(c);
	for (int k = 0; k < 2; k++) {
		const char *banner = k == 0 ? rs->banner : rs->banner2;
		int rows = rs->large ? 3 : 1, role = k == 0 ? rs->banner_role : rs->banner2_role;

		if (banner != NULL && body.h > rows + 2) {
			canvas_fill(c, (struct rect){ 0, body.y, c->w, rows }, (enum role)role);
			text_draw(c, 1, body.y + rows / 2, c->w - 2, banner, (enum role)role,
				  ATTR_BOLD);
			/* Reversed: a solid bar of the role's colour, seen across a room. */
			canvas_paint(c, (struct rect){ 0, body.y, c->w, rows }, (enum role)role,
				     ATTR_BOLD | ATTR_REVERSE);
			body.y += rows;
			body.h -= rows;
		}
	}
	if (rs->body != NULL) {
		frame_draw_title(c, 0, rs->title != NULL ? rs->title : "", rs->title_summary, v);
		rs->body(rs->body_ud, c, body, v);
	} else if (rs->traces != NULL || rs->waterfall != NULL || rs->graph != NULL) {
		frame_draw_title(c, 0, rs->crumbs != NULL ? rs->crumbs : "", rs->crumbs_summary, v);
		if (rs->traces != NULL)
			traces_screen_draw(rs->traces, c, body, v, rs->traces_list);
		else if (rs->waterfall != NULL)
			waterfall_draw(rs->waterfall, c, body, v, rs->trace_data);
		else
			graph_draw(rs->graph, c, body, v, rs->topology_data);
	} else if (rs->logs != NULL) {
		snprintf(title, sizeof title, "Overview %s %s%sLogs",
			 v->ascii ? ">" : "\xe2\x80\xba",
			 rs->logs_from != NULL ? rs->logs_from : "",
			 rs->logs_from != NULL ? (v->ascii ? " > " : " \xe2\x80\xba ") : "");
		logs_total_text(rs->logs_data, v->ascii, summary, sizeof summary);
		frame_draw_title(c, 0, rs->crumbs != NULL ? rs->crumbs : title, summary, v);
		logs_draw(rs->logs, c, body, v, rs->logs_data);
	} else if (rs->detail != NULL) {
		/* A breadcrumb: Esc goes back to the Overview. */
		snprintf(title, sizeof title, "Overview %s %s", v->ascii ? ">" : "\xe2\x80\xba",
			 detail_service(rs->detail));
		detail_summary(rs->detail, v, rs->detail_data, summary, sizeof summary);
		frame_draw_title(c, 0, rs->crumbs != NULL ? rs->crumbs : title, summary, v);
		detail_draw(rs->detail, c, body, v, rs->detail_data);
	} else if (!v->prometheus && !v->docker) {
		frame_draw_title(c, 0, "Overview", NULL, v);
		draw_welcome(c, body, v);
	} else {
		overview_summary(rs->overview, v, summary, sizeof summary);
		frame_draw_title(c, 0, "Overview", summary, v);
		overview_draw(rs->overview, c, body, v);
	}
	if (rs->help != NULL)
		help_draw(c, (struct rect){ 0, 0, c->w, c->h }, rs->help);
	if (rs->dialog != NULL)
		dialog_draw(c, (struct rect){ 0, 0, c->w, c->h }, rs->dialog);
	if (rs->input != NULL) {
		/* While editing, a message (an invalid pattern) shows just above the line. */
		if (rs->message != NULL) {
			canvas_fill(c, (struct rect){ 0, c->h - 2, c->w, 1 },
				    (enum role)rs->message_role);
			text_draw(c, 1, c->h - 2, c->w - 2, rs->message,
				  (enum role)rs->message_role, ATTR_NONE);
		}
		input_draw(c, 0, c->h - 1, c->w, rs->input_prompt, rs->input, ROLE_NORMAL);
	} else if (rs->message == NULL && rs->hint != NULL && !any_backend_failing(v)) {
		/*
		 * The key hint only when every backend is fine: a failure needs
		 * the room.  The backends' states come first: when both do not
		 * fit, the hint shrinks to "? help".
		 */
		const char *hint = rs->hint;

		if (frame_backends_width(v) + text_width(hint) + 4 > c->w)
			hint = "? help ";
		frame_draw_status(c, c->h - 1, v, hint, ROLE_BAR);
	} else if (rs->message != NULL && rs->message_role == ROLE_CRIT &&
		   text_width(rs->message) > c->w / 2) {
		/*
		 * A long error (a runtime's refusal) is the one thing the user
		 * must read whole: the status line shows its start, and the whole
		 * text is wrapped above it, up to 4 rows.
		 */
		int wide = c->w - 2, rows = (text_width(rs->message) + wide - 1) / wide;

		if (rows > 4)
			rows = 4;
		canvas_fill(c, (struct rect){ 0, c->h - 1 - rows, c->w, rows }, ROLE_CRIT);
		text_draw_wrapped(c, (struct rect){ 1, c->h - 1 - rows, wide, rows }, rs->message,
				  ROLE_CRIT, ATTR_NONE);
		frame_draw_status(c, c->h - 1, v, rs->message, rs->message_role);
	} else {
		frame_draw_status(c, c->h - 1, v, rs->message, rs->message_role);
	}
}
