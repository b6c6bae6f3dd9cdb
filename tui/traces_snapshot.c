#include "traces_snapshot.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canvas.h"
#include "http.h"
#include "logs_range.h"
#include "model.h"
#include "poller.h"
#include "render.h"
#include "screens/graph.h"
#include "screens/traces.h"
#include "screens/waterfall.h"
#include "signals.h"
#include "traces_poll.h"
#include "xalloc.h"

enum which { W_TRACES, W_TRACE, W_TOPOLOGY };

bool
traces_snapshot_screen(const char *screen)
{
	return strcmp(screen, "traces") == 0 || strcmp(screen, "topology") == 0 ||
	       strncmp(screen, "trace:", 6) == 0;
}

static void
rfc3339_us(int64_t us, char *out, size_t n)
{
	time_t tt = (time_t)(us / 1000000);
	struct tm tm;
	char s[32];

	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%03dZ", s, (int)((us % 1000000) / 1000));
}

/* A JSON string, or null for text jansson refuses (invalid UTF-8 from the backend). */
static json_t *
str_or_null(const char *s)
{
	json_t *j = s != NULL ? json_string(s) : NULL;

	return j != NULL ? j : json_null();
}

static json_t *
err_json(const struct err *e)
{
	return e->code != ERR_OK ? json_string(e->msg) : json_null();
}

static json_t *
traces_json(const struct traces_list *l)
{
	json_t *root = json_object(), *arr = json_array();
	char when[48];
	size_t i, j;

	json_object_set_new(root, "search", json_string(l->search));
	json_object_set_new(root, "lookback_seconds", json_real(l->lookback_s));
	json_object_set_new(root, "error", err_json(&l->err));
	for (i = 0; i < l->n; i++) {
		const struct zk_trace_summary *t = &l->items[i];
		json_t *o = json_object(), *svcs = json_array();

		rfc3339_us(t->start_us, when, sizeof when);
		json_object_set_new(o, "trace_id", json_string(t->trace_id));
		json_object_set_new(o, "start", json_string(when));
		json_object_set_new(o, "duration_ms", json_real((double)t->duration_us / 1000.0));
		json_object_set_new(o, "spans", json_integer((json_int_t)t->nspans));
		json_object_set_new(o, "root_service", str_or_null(t->root_service));
		json_object_set_new(o, "root_span", str_or_null(t->root_name));
		for (j = 0; j < t->nservices; j++)
			json_array_append_new(svcs, str_or_null(t->services[j]));
		json_object_set_new(o, "services", svcs);
		json_object_set_new(o, "errors", json_integer((json_int_t)t->nerrors));
		json_object_set_new(o, "too_big", json_boolean(t->too_big));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "traces", arr);
	return root;
}

static json_t *
trace_json(const struct trace_data *d)
{
	json_t *root = json_object(), *arr = json_array();
	const struct trace *t = d->trace;
	char when[48];
	size_t i;

	json_object_set_new(root, "trace_id", json_string(d->trace_id));
	json_object_set_new(root, "error", err_json(&d->err));
	if (t != NULL) {
		int64_t us = 0;
		const char *cs = trace_critical_service(t, &us);

		rfc3339_us(t->start_us, when, sizeof when);
		json_object_set_new(root, "start", json_string(when));
		json_object_set_new(root, "duration_ms",
				    json_real((double)t->duration_us / 1000.0));
		json_object_set_new(root, "spans_total", json_integer((json_int_t)t->nspans));
		json_object_set_new(root, "orphans", json_integer((json_int_t)t->norphans));
		json_object_set_new(root, "skew_corrected", json_integer((json_int_t)t->nskewed));
		json_object_set_new(root, "critical_service", str_or_null(cs));
		json_object_set_new(root, "critical_service_ms", json_real((double)us / 1000.0));
		for (i = 0; i < t->nnodes; i++) {
			const struct trace_node *nd = &t->nodes[i];
			const struct zk_span *sp = trace_span(t, (int)i);
			json_t *o = json_object();

			json_object_set_new(o, "id",
					    sp != NULL ? json_string(sp->id) : json_null());
			json_object_set_new(o, "parent_id",
					    sp != NULL && sp->parent_id[0]
						    ? json_string(sp->parent_id)
						    : json_null());
			json_object_set_new(o, "depth", json_integer(nd->depth));
			json_object_set_new(o, "service", str_or_null(nd->service));
			json_object_set_new(o, "name",
					    sp != NULL ? str_or_null(sp->name)
						       : json_string("(missing parent)"));
			json_object_set_new(
				o, "kind",
				json_string(sp != NULL ? zipkin_kind_name(sp->kind) : ""));
			json_object_set_new(o, "start_ms",
					    json_real((double)nd->start_us / 1000.0));
			json_object_set_new(o, "duration_ms",
					    json_real((double)nd->dur_us / 1000.0));
			json_object_set_new(o, "self_ms", json_real((double)nd->self_us / 1000.0));
			json_object_set_new(o, "critical_ms",
					    json_real((double)nd->crit_us / 1000.0));
			json_object_set_new(o, "error", json_boolean(nd->error));
			json_object_set_new(o, "orphan", json_boolean(nd->orphan));
			json_object_set_new(o, "skew_ms", json_real((double)nd->skew_us / 1000.0));
			json_object_set_new(o, "exceeds_parent", json_boolean(nd->exceeds_parent));
			json_array_append_new(arr, o);
		}
	}
	json_object_set_new(root, "spans", arr);
	return root;
}

static json_t *
topology_json(const struct topology_data *d)
{
	json_t *root = json_object(), *arr = json_array();
	size_t i;

	json_object_set_new(root, "range_seconds", json_real(d->lookback_s));
	json_object_set_new(root, "error", err_json(&d->err));
	for (i = 0; i < d->nlinks; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "parent", str_or_null(d->links[i].parent));
		json_object_set_new(o, "child", str_or_null(d->links[i].child));
		json_object_set_new(o, "calls", json_integer(d->links[i].calls));
		json_object_set_new(o, "errors", json_integer(d->links[i].errors));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "links", arr);
	json_object_set_new(root, "crossings",
			    d->layout != NULL ? json_integer((json_int_t)d->layout->crossings)
					      : json_null());
	return root;
}

/* The answer this screen waits for has come (or failed). */
static bool
answered(struct traces_poll *tp, enum which w)
{
	const struct traces_list *l = traces_poll_list(tp);
	const struct trace_data *d = traces_poll_trace(tp);
	const struct topology_data *g = traces_poll_topology(tp);

	switch (w) {
	case W_TRACES:
		return l->have || (l->err.code != ERR_OK && !l->loading);
	case W_TRACE:
		return d->trace != NULL || (d->err.code != ERR_OK && !d->loading);
	default:
		return g->have || (g->err.code != ERR_OK && !g->loading);
	}
}

static const struct err *
screen_err(struct traces_poll *tp, enum which w)
{
	return w == W_TRACES  ? &traces_poll_list(tp)->err
	       : w == W_TRACE ? &traces_poll_trace(tp)->err
			      : &traces_poll_topology(tp)->err;
}

/* Ask; -1 with e for a usage error. */
static int
ask(const struct snapshot_options *o, struct traces_poll *tp, enum which w, struct err *e)
{
	struct logs_range r;
	char *line;
	int rc;

	memset(&r, 0, sizeof r);
	if (o->since != NULL && logs_range_parse_since(o->since, &r, e) < 0)
		return -1;
	switch (w) {
	case W_TRACES:
		line = o->since != NULL
			       ? xasprintf("%s since=%s", o->query ? o->query : "", o->since)
			       : xstrdup(o->query != NULL ? o->query : "");
		rc = traces_poll_search(tp, NULL, line, e);
		free(line);
		return rc;
	case W_TRACE:
		return traces_poll_open(tp, o->screen + 6, e);
	default:
		traces_poll_set_topology(tp, true, r.since_s);
		return 0;
	}
}

static void
render(const struct snapshot_options *o, const struct view_ctx *v, struct traces_poll *tp,
       enum which w, struct buf *out)
{
	struct traces_screen *ts = traces_screen_new();
	struct waterfall *wf = waterfall_new();
	struct graph *g = graph_new();
	char title[128];
	json_t *j = NULL;

	waterfall_set_critical(wf, true);
	switch (o->format) {
	case SNAP_TEXT:
	case SNAP_ANSI: {
		struct canvas *c = canvas_new(o->width, o->height);
		struct render_state rs;

		memset(&rs, 0, sizeof rs);
		if (w == W_TRACES) {
			rs.traces = ts;
			rs.traces_list = traces_poll_list(tp);
			snprintf(title, sizeof title, "Traces");
		} else if (w == W_TRACE) {
			rs.waterfall = wf;
			rs.trace_data = traces_poll_trace(tp);
			snprintf(title, sizeof title, "Trace %.16s",
				 traces_poll_trace(tp)->trace_id);
		} else {
			rs.graph = g;
			rs.topology_data = traces_poll_topology(tp);
			snprintf(title, sizeof title, "Topology");
		}
		rs.crumbs = title;
		c->ascii = o->ascii;
		render_screen(c, v, &rs);
		if (o->format == SNAP_TEXT)
			canvas_write_text(c, out);
		else
			canvas_write_ansi(c, out, o->color);
		canvas_free(c);
		break;
	}
	case SNAP_MARKDOWN:
		if (w == W_TRACES)
			traces_screen_markdown(ts, v, traces_poll_list(tp), out);
		else if (w == W_TRACE)
			waterfall_markdown(wf, v, traces_poll_trace(tp), out);
		else
			graph_markdown(g, v, traces_poll_topology(tp), out);
		break;
	case SNAP_JSON:
		j = w == W_TRACES  ? traces_json(traces_poll_list(tp))
		    : w == W_TRACE ? trace_json(traces_poll_trace(tp))
				   : topology_json(traces_poll_topology(tp));
		{
			char *text = json_dumps(j, JSON_INDENT(2) | JSON_ENSURE_ASCII);

			buf_puts(out, text);
			buf_putc(out, '\n');
			free(text);
		}
		json_decref(j);
		break;
	}
	traces_screen_free(ts);
	waterfall_free(wf);
	graph_free(g);
}

int
traces_snapshot_run(const struct snapshot_options *o, struct buf *out, struct err *e)
{
	const struct setup *s = o->setup;
	enum which w = strcmp(o->screen, "traces") == 0     ? W_TRACES
		       : strcmp(o->screen, "topology") == 0 ? W_TOPOLOGY
							    : W_TRACE;
	struct http *http;
	struct model *model;
	struct poller *poller = NULL;
	struct traces_poll *tp;
	struct view_ctx v;
	double deadline;
	int status = 0;

	if (!s->traces.enabled)
		return err_set(e, ERR_USAGE,
			       "--screen %s needs Zipkin: set [zipkin] url, OPSDECK_ZIPKIN_URL or "
			       "--zipkin URL",
			       o->screen);
	http = http_new(e);
	if (http == NULL)
		return -1;
	http_set_debug_log(http, o->debug_log);
	model = model_new(s->poll.history, s->max_services);
	tp = traces_poll_new(http, model, &s->traces);
	if (ask(o, tp, w, e) < 0) {
		http_free(http);
		traces_poll_free(tp);
		model_free(model);
		return -1;
	}
	/* The Topology shows each service's health: one Prometheus round. */
	if (w == W_TOPOLOGY && s->poll.prometheus)
		poller = poller_new(http, model, &s->poll);
	signals_install(0, NULL);
	deadline = poller_mono_now() + (double)o->timeout_ms / 1000.0;
	if (poller != NULL)
		poller_tick(poller, poller_mono_now());
	while (!sig_quit && (!answered(tp, w) || (poller != NULL && poller_rounds(poller) == 0))) {
		struct http_waitfd fd = { sig_pipe_fd[0], 1 /* POLLIN */, 0 };
		double now = poller_mono_now();
		long left = (long)((deadline - now) * 1000.0);

		if (left <= 0)
			break;
		traces_poll_tick(tp, now);
		if (http_wait(http, &fd, 1, left > 200 ? 200 : (int)left, e) < 0)
			break;
		http_perform(http);
	}
	traces_poll_tick(tp, poller_mono_now());
	if (!answered(tp, w)) {
		struct err te;

		err_set(&te, ERR_TIMEOUT, "zipkin: no answer in time from %s (raise --timeout)",
			s->traces.ep.url);
		model_backend_fail(model, "zipkin", &te, poller_wall_now());
		traces_poll_timed_out(tp, &te);
		status = 2;
	} else if (screen_err(tp, w)->code != ERR_OK) {
		status = 2;
	}
	memset(&v, 0, sizeof v);
	v.model = model;
	v.th = &s->th;
	v.now = poller_wall_now();
	v.stale_after = 3.0 * (double)s->poll.refresh_ms / 1000.0;
	v.ascii = o->ascii;
	v.prometheus = s->poll.prometheus;
	v.zipkin = true;
	render(o, &v, tp, w, out);
	poller_free(poller);
	http_free(http);
	traces_poll_free(tp); /* after http: it owns the records of requests in flight */
	model_free(model);
	return status;
}
