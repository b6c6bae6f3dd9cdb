/*
 * snapshot_render.c - one screen of a snapshot as text, ansi or Markdown,
 * from plain data: the same render_screen() the console draws (text,
 * ansi) or the screen's own Markdown writer.  Each screen's state (cursor,
 * sort) is made fresh, as when the screen first opens.
 */
#include <stdio.h>
#include <string.h>

#include "alerts_snapshot.h"
#include "canvas.h"
#include "frame.h"
#include "render.h"
#include "snapshot_internal.h"
#include "text.h"

int
snapshot_screen_parse(const char *name, enum snap_screen *out, struct err *e)
{
	static const struct {
		const char *name;
		enum snap_screen w;
	} fixed[] = {
		{ "overview", SNAP_SCREEN_OVERVIEW }, { "logs", SNAP_SCREEN_LOGS },
		{ "traces", SNAP_SCREEN_TRACES },     { "topology", SNAP_SCREEN_TOPOLOGY },
		{ "alerts", SNAP_SCREEN_ALERTS },     { "all", SNAP_SCREEN_ALL },
	};
	size_t i;

	for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		if (strcmp(name, fixed[i].name) == 0) {
			*out = fixed[i].w;
			return 0;
		}
	}
	if (strncmp(name, "service:", 8) == 0 && name[8] != '\0') {
		*out = SNAP_SCREEN_SERVICE;
		return 0;
	}
	if (strncmp(name, "trace:", 6) == 0 && name[6] != '\0') {
		*out = SNAP_SCREEN_TRACE;
		return 0;
	}
	return err_set(e, ERR_USAGE,
		       "unknown --screen '%s' (available: overview, service:NAME, logs, traces, "
		       "trace:ID, topology, alerts, all)",
		       name);
}

void
snapshot_screen_key(enum snap_screen w, const struct snap_data *d, char *out, size_t n)
{
	switch (w) {
	case SNAP_SCREEN_SERVICE:
		snprintf(out, n, "service:%s", d->service);
		break;
	case SNAP_SCREEN_TRACE:
		snprintf(out, n, "trace:%s", d->trace != NULL ? d->trace->trace_id : "");
		break;
	case SNAP_SCREEN_LOGS:
		snprintf(out, n, "logs");
		break;
	case SNAP_SCREEN_TRACES:
		snprintf(out, n, "traces");
		break;
	case SNAP_SCREEN_TOPOLOGY:
		snprintf(out, n, "topology");
		break;
	case SNAP_SCREEN_ALERTS:
		snprintf(out, n, "alerts");
		break;
	case SNAP_SCREEN_ALL:
		snprintf(out, n, "all");
		break;
	default:
		snprintf(out, n, "overview");
		break;
	}
}

void
snapshot_screen_title(enum snap_screen w, const struct snap_data *d, char *out, size_t n)
{
	switch (w) {
	case SNAP_SCREEN_SERVICE:
		snprintf(out, n, "Service %s", d->service);
		break;
	case SNAP_SCREEN_TRACE:
		snprintf(out, n, "Trace %s", d->trace != NULL ? d->trace->trace_id : "");
		break;
	case SNAP_SCREEN_LOGS:
		snprintf(out, n, "Logs");
		break;
	case SNAP_SCREEN_TRACES:
		snprintf(out, n, "Traces");
		break;
	case SNAP_SCREEN_TOPOLOGY:
		snprintf(out, n, "Topology");
		break;
	case SNAP_SCREEN_ALERTS:
		snprintf(out, n, "Alerts");
		break;
	default:
		snprintf(out, n, "Overview");
		break;
	}
}

/* The Overview in Markdown: when, each backend's state, the table. */
static void
overview_md(struct overview *ov, const struct view_ctx *v, struct buf *out)
{
	char when[32], line[ERR_MSG_MAX + 128];
	size_t i;

	snapshot_rfc3339(v->now, false, when, sizeof when);
	buf_printf(out, "## opsdeck overview\n\nGenerated %s.\n\n", when);
	for (i = 0; i < model_nbackends(v->model); i++) {
		const struct backend_state *b = model_backend_at(v->model, i);
		char clean[sizeof line];

		frame_backend_text(b, v->now, line, sizeof line);
		text_sanitize(line, clean, sizeof clean);
		buf_printf(out, "- %s %s\n", b->ok ? "ok:" : "**failed:**", clean);
	}
	if (!v->prometheus && !v->docker)
		buf_puts(out,
			 "- no backend configured (set [prometheus] url or --prometheus URL)\n");
	buf_putc(out, '\n');
	overview_markdown(ov, v, out);
}

/* The screen's state (cursor, sort, ...) as when it first opens: only w's is made. */
struct screens {
	struct overview *ov;
	struct detail *dt;
	struct logs *lg;
	struct traces_screen *ts;
	struct waterfall *wf;
	struct graph *g;
};

static void
render_canvas(const struct snap_out *o, enum snap_screen w, const struct snap_data *d,
	      struct buf *out)
{
	struct canvas *c = canvas_new(o->width, o->height);
	struct screens sc;
	struct render_state rs;
	char title[160];

	memset(&sc, 0, sizeof sc);
	memset(&rs, 0, sizeof rs);
	c->ascii = o->ascii;
	c->theme = o->theme; /* ansi: the colours of [general] theme, as the console */
	switch (w) {
	case SNAP_SCREEN_SERVICE:
		rs.detail = sc.dt = detail_new(d->service);
		rs.detail_data = d->detail;
		break;
	case SNAP_SCREEN_LOGS:
		rs.logs = sc.lg = logs_new();
		logs_set_query(sc.lg, d->query);
		rs.logs_data = d->logs;
		break;
	case SNAP_SCREEN_TRACES:
		rs.traces = sc.ts = traces_screen_new();
		rs.traces_list = d->traces;
		rs.crumbs = "Traces";
		break;
	case SNAP_SCREEN_TRACE:
		rs.waterfall = sc.wf = waterfall_new();
		waterfall_set_critical(sc.wf, true);
		rs.trace_data = d->trace;
		snprintf(title, sizeof title, "Trace %.16s",
			 d->trace != NULL ? d->trace->trace_id : "");
		rs.crumbs = title;
		break;
	case SNAP_SCREEN_TOPOLOGY:
		rs.graph = sc.g = graph_new();
		rs.topology_data = d->topology;
		rs.crumbs = "Topology";
		break;
	case SNAP_SCREEN_ALERTS:
		break;
	default:
		rs.overview = sc.ov = overview_new();
		break;
	}
	if (w == SNAP_SCREEN_ALERTS)
		alerts_snapshot_draw(c, d->v, d->alerts, d->utc); /* the Alerts screen's own */
	else
		render_screen(c, d->v, &rs);
	if (o->format == SNAP_ANSI)
		canvas_write_ansi(c, out, o->color);
	else
		canvas_write_text(c, out);
	canvas_free(c);
	overview_free(sc.ov);
	detail_free(sc.dt);
	logs_free(sc.lg);
	traces_screen_free(sc.ts);
	waterfall_free(sc.wf);
	graph_free(sc.g);
}

static void
render_markdown(enum snap_screen w, const struct snap_data *d, struct buf *out)
{
	switch (w) {
	case SNAP_SCREEN_SERVICE: {
		struct detail *dt = detail_new(d->service);

		detail_markdown(dt, d->v, d->detail, out);
		detail_free(dt);
		break;
	}
	case SNAP_SCREEN_LOGS: {
		struct logs *lg = logs_new();

		logs_set_query(lg, d->query);
		logs_markdown(lg, d->v, d->logs, out);
		logs_free(lg);
		break;
	}
	case SNAP_SCREEN_TRACES: {
		struct traces_screen *ts = traces_screen_new();

		traces_screen_markdown(ts, d->v, d->traces, out);
		traces_screen_free(ts);
		break;
	}
	case SNAP_SCREEN_TRACE: {
		struct waterfall *wf = waterfall_new();

		waterfall_set_critical(wf, true);
		waterfall_markdown(wf, d->v, d->trace, out);
		waterfall_free(wf);
		break;
	}
	case SNAP_SCREEN_TOPOLOGY: {
		struct graph *g = graph_new();

		graph_markdown(g, d->v, d->topology, out);
		graph_free(g);
		break;
	}
	case SNAP_SCREEN_ALERTS:
		alerts_snapshot_markdown(d->v, d->alerts, d->utc, out);
		break;
	default: {
		struct overview *ov = overview_new();

		overview_md(ov, d->v, out);
		overview_free(ov);
		break;
	}
	}
}

void
snapshot_render(const struct snap_out *o, enum snap_screen w, const struct snap_data *d,
		struct buf *out)
{
	switch (o->format) {
	case SNAP_TEXT:
	case SNAP_ANSI:
		render_canvas(o, w, d, out);
		break;
	case SNAP_MARKDOWN:
		render_markdown(w, d, out);
		break;
	case SNAP_JSON: {
		json_t *root = snapshot_json_envelope(d);
		char key[300];

		snapshot_screen_key(w, d, key, sizeof key);
		json_object_set_new(json_object_get(root, "screens"), key,
				    snapshot_json_screen(w, d));
		snapshot_json_dump(root, out);
		json_decref(root);
		break;
	}
	}
}
