/*
 * snapshot_render.c - one screen of a snapshot as text, ansi or Markdown,
 * from plain data: the same render_screen() the console draws (text,
 * ansi) or the screen's own Markdown writer.  Each screen's state (cursor,
 * sort) is made fresh, as when the screen first opens.
 */
#include <stdio.h>
#include <string.h>

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

/* A pipe-table cell: sanitised, pipes escaped. */
static void
md_cell(struct buf *out, const char *s)
{
	char clean[512];
	const char *p;

	text_sanitize(s != NULL ? s : "", clean, sizeof clean);
	for (p = clean; *p != '\0'; p++) {
		if (*p == '|')
			buf_putc(out, '\\');
		buf_putc(out, *p);
	}
}

static const char *const alert_state_names[] = { "firing", "pending", "silenced" };

/* The model's alerts in Markdown (worst first, as the model holds them). */
static void
alerts_md(const struct snap_data *d, struct buf *out)
{
	size_t i, n = 0;
	const struct alert *a = model_alerts(d->v->model, &n);
	int worst = 0;
	size_t firing = model_firing_alerts(d->v->model, &worst);
	char when[32];

	buf_printf(out, "## opsdeck alerts\n\n- %zu alerts, %zu firing\n", n, firing);
	if (!d->alerts)
		buf_puts(out, "- **no alert source answered**\n");
	if (n == 0) {
		buf_puts(out, "\nNo alerts.\n");
		return;
	}
	buf_puts(out, "\n| state | alert | service | severity | since | summary |\n"
		      "|---|---|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		buf_printf(out, "| %s | ", alert_state_names[a[i].state]);
		md_cell(out, a[i].name);
		buf_puts(out, " | ");
		md_cell(out, a[i].service);
		buf_puts(out, " | ");
		md_cell(out, a[i].severity);
		if (a[i].since > 0)
			snapshot_rfc3339(a[i].since, false, when, sizeof when);
		else
			snprintf(when, sizeof when, "-");
		buf_printf(out, " | %s | ", when);
		md_cell(out, a[i].summary);
		buf_puts(out, " |\n");
	}
}

/* The alerts as a screen: one line per alert, worst first, columns measured by width. */
static void
alerts_body(void *ud, struct canvas *c, struct rect r, const struct view_ctx *v)
{
	static const char *const head[] = { "STATE",    "ALERT", "SERVICE",
					    "SEVERITY", "SINCE", "SUMMARY" };
	static const int width[] = { 9, 28, 14, 9, 20, 0 };
	size_t i, n = 0;
	const struct alert *a = model_alerts(v->model, &n);
	char when[32];
	int y, k;

	(void)ud;
	if (n == 0) {
		text_draw(c, r.x + 1, r.y + 1, r.w - 2, "No alerts.", ROLE_DIM, 0);
		return;
	}
	for (i = 0, y = r.y; i <= n && y < r.y + r.h; i++, y++) {
		const struct alert *al = i > 0 ? &a[i - 1] : NULL;
		int rank = al != NULL ? alert_severity_rank(al->severity) : 0;
		enum role role = al == NULL                  ? ROLE_HEADER
				 : al->state != ALERT_FIRING ? ROLE_DIM
				 : rank >= 3                 ? ROLE_CRIT
							     : ROLE_WARN;
		const char *cell[6];
		int x = r.x;

		if (al != NULL) {
			if (al->since > 0)
				snapshot_rfc3339(al->since, false, when, sizeof when);
			else
				snprintf(when, sizeof when, "-");
			cell[0] = alert_state_names[al->state];
			cell[1] = al->name;
			cell[2] = al->service != NULL ? al->service : "-";
			cell[3] = al->severity != NULL ? al->severity : "-";
			cell[4] = when;
			cell[5] = al->summary != NULL ? al->summary : "";
		} else {
			memcpy(cell, head, sizeof cell);
		}
		for (k = 0; k < 6 && x < r.x + r.w; k++) {
			int w = width[k] > 0 ? width[k] : r.x + r.w - x;

			if (w > r.x + r.w - x)
				w = r.x + r.w - x;
			text_draw(c, x, y, w, cell[k], role, 0);
			x += w + 1;
		}
	}
}

static void
render_canvas(const struct snap_out *o, enum snap_screen w, const struct snap_data *d,
	      struct buf *out)
{
	struct canvas *c = canvas_new(o->width, o->height);
	struct overview *ov = overview_new();
	struct detail *dt = w == SNAP_SCREEN_SERVICE ? detail_new(d->service) : NULL;
	struct logs *lg = logs_new();
	struct traces_screen *ts = traces_screen_new();
	struct waterfall *wf = waterfall_new();
	struct graph *g = graph_new();
	struct render_state rs;
	char title[160], summary[64];

	memset(&rs, 0, sizeof rs);
	c->ascii = o->ascii;
	waterfall_set_critical(wf, true);
	switch (w) {
	case SNAP_SCREEN_SERVICE:
		rs.detail = dt;
		rs.detail_data = d->detail;
		break;
	case SNAP_SCREEN_LOGS:
		logs_set_query(lg, d->query);
		rs.logs = lg;
		rs.logs_data = d->logs;
		break;
	case SNAP_SCREEN_TRACES:
		rs.traces = ts;
		rs.traces_list = d->traces;
		rs.crumbs = "Traces";
		break;
	case SNAP_SCREEN_TRACE:
		rs.waterfall = wf;
		rs.trace_data = d->trace;
		snprintf(title, sizeof title, "Trace %.16s",
			 d->trace != NULL ? d->trace->trace_id : "");
		rs.crumbs = title;
		break;
	case SNAP_SCREEN_TOPOLOGY:
		rs.graph = g;
		rs.topology_data = d->topology;
		rs.crumbs = "Topology";
		break;
	case SNAP_SCREEN_ALERTS: {
		size_t n = 0;
		int worst = 0;

		model_alerts(d->v->model, &n);
		snprintf(summary, sizeof summary, "%zu alerts \xc2\xb7 %zu firing", n,
			 model_firing_alerts(d->v->model, &worst));
		rs.title = "Alerts";
		rs.title_summary = summary;
		rs.body = alerts_body;
		break;
	}
	default:
		rs.overview = ov;
		break;
	}
	render_screen(c, d->v, &rs);
	if (o->format == SNAP_ANSI)
		canvas_write_ansi(c, out, o->color);
	else
		canvas_write_text(c, out);
	canvas_free(c);
	overview_free(ov);
	detail_free(dt);
	logs_free(lg);
	traces_screen_free(ts);
	waterfall_free(wf);
	graph_free(g);
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
		alerts_md(d, out);
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
