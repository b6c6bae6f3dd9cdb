/*
 * app_traces.c - the Traces, Trace and Topology screens in the console:
 * opening them, their keys, the search line, the pivots (a span to its
 * logs, a trace to the service dominating its critical path, a service to
 * its callers and callees) and their commands.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"
#include "logs_range.h"
#include "xalloc.h"

static const double deps_ranges[] = { 900, 3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600 };
#define NDEPS_RANGES (sizeof deps_ranges / sizeof deps_ranges[0])

static bool
enabled(struct app *a)
{
	if (a->o->setup->traces.enabled)
		return true;
	app_show_error(a, "no Zipkin configured: set [zipkin] url, OPSDECK_ZIPKIN_URL or "
			  "--zipkin URL");
	return false;
}

/* "1h", "15m", "7d" into out. */
static void
range_text(double s, char *out, size_t n)
{
	if (s >= 86400 && fmod(s, 86400) == 0)
		snprintf(out, n, "%.0fd", s / 86400);
	else if (s >= 3600 && fmod(s, 3600) == 0)
		snprintf(out, n, "%.0fh", s / 3600);
	else if (s >= 60)
		snprintf(out, n, "%.0fm", s / 60);
	else
		snprintf(out, n, "%.0fs", s);
}

void
app_traces_open(struct app *a, const char *service, const char *line)
{
	struct err e;

	if (!enabled(a))
		return;
	if (traces_poll_search(a->traces_poll, service, line, &e) < 0) {
		app_show_error(a, e.msg);
		return;
	}
	if (a->traces == NULL)
		a->traces = traces_screen_new();
	app_push_screen(a, SCREEN_TRACES);
	traces_poll_set_live(a->traces_poll, true);
	a->dirty = true;
}

void
app_trace_open(struct app *a, const char *id)
{
	struct err e;

	if (!enabled(a))
		return;
	if (traces_poll_open(a->traces_poll, id, &e) < 0) {
		app_show_error(a, e.msg);
		return;
	}
	if (a->waterfall == NULL)
		a->waterfall = waterfall_new();
	traces_poll_set_live(a->traces_poll, false);
	app_push_screen(a, SCREEN_TRACE);
	a->dirty = true;
}

void
app_topology_open(struct app *a, const char *service)
{
	if (!enabled(a))
		return;
	if (a->graph == NULL)
		a->graph = graph_new();
	traces_poll_set_live(a->traces_poll, false);
	app_push_screen(a, SCREEN_TOPOLOGY);
	traces_poll_set_topology(a->traces_poll, true,
				 traces_poll_topology(a->traces_poll)->lookback_s);
	snprintf(a->graph_select, sizeof a->graph_select, "%s", service != NULL ? service : "");
	if (service != NULL &&
	    graph_select(a->graph, traces_poll_topology(a->traces_poll), service))
		a->graph_select[0] = '\0';
	a->dirty = true;
}

void
app_traces_closed(struct app *a, enum screen_id screen)
{
	if (screen == SCREEN_TRACES)
		traces_poll_set_live(a->traces_poll, false);
	else if (screen == SCREEN_TOPOLOGY)
		traces_poll_set_topology(a->traces_poll, false, 0);
	/* Back on the Traces screen, its search is live again. */
	if (app_top_screen(a) == SCREEN_TRACES)
		traces_poll_set_live(a->traces_poll, true);
	else if (app_top_screen(a) == SCREEN_TOPOLOGY)
		traces_poll_set_topology(a->traces_poll, true,
					 traces_poll_topology(a->traces_poll)->lookback_s);
}

/* The span under the Trace screen's cursor, or NULL. */
static const struct zk_span *
selected_span(struct app *a)
{
	const struct trace_data *d = traces_poll_trace(a->traces_poll);
	int i = waterfall_selected(a->waterfall, d);

	return d->trace != NULL && i >= 0 ? trace_span(d->trace, i) : NULL;
}

/* The console's name for a Zipkin service name (aliases). */
static const char *
display_of(struct app *a, const char *zipkin_name)
{
	const struct traces_settings *ts = &a->o->setup->traces;
	const char *d = ts->display_name != NULL && zipkin_name != NULL
				? ts->display_name(ts->ud, zipkin_name)
				: NULL;

	return d != NULL ? d : zipkin_name;
}

/* Pivot: the logs of the span's service around its time, for this trace id. */
static void
span_logs(struct app *a)
{
	const struct zk_span *sp = selected_span(a);
	const struct logs_settings *ls = &a->o->setup->logs;
	const char *tf = ls->fields.trace_id != NULL && *ls->fields.trace_id != '\0'
				 ? ls->fields.trace_id
				 : "trace.id";
	const char *svc, *lname;
	char *sq, *q;

	if (sp == NULL) {
		app_show_error(a, "no span selected");
		return;
	}
	if (!a->o->setup->logs.enabled) {
		app_show_error(a, "no Elasticsearch configured for logs: set [elasticsearch] url, "
				  "OPSDECK_ELASTICSEARCH_URL or --elasticsearch URL");
		return;
	}
	svc = display_of(a, sp->local.service != NULL ? sp->local.service : "");
	lname = ls->log_name != NULL ? ls->log_name(ls->ud, svc) : NULL;
	sq = logs_range_service_query(ls->fields.service != NULL && *ls->fields.service != '\0'
					      ? ls->fields.service
					      : "service.name",
				      lname != NULL ? lname : svc);
	q = xasprintf("%s:\"%s\" AND %s", tf, sp->trace_id, sq);
	/* A minute either side of the span: logs are written around, not at, its time. */
	a->range.since_s = 0;
	a->range.from = (double)sp->ts_us / 1e6 - 60.0;
	a->range.to = (double)(sp->ts_us + sp->dur_us) / 1e6 + 60.0;
	app_logs_open(a, q);
	free(q);
	free(sq);
}

/* Pivot: the detail of the service that contributes most to the critical path. */
static void
critical_service(struct app *a)
{
	const struct trace_data *d = traces_poll_trace(a->traces_poll);
	const char *svc;
	int64_t us = 0;

	if (d->trace == NULL) {
		app_show_error(a, "no trace shown yet");
		return;
	}
	svc = trace_critical_service(d->trace, &us);
	if (svc == NULL || *svc == '\0') {
		app_show_error(a, "the trace names no service");
		return;
	}
	app_open_detail(a, display_of(a, svc));
}

static void
deps_step(struct app *a, int dir)
{
	double cur = traces_poll_topology(a->traces_poll)->lookback_s;
	size_t i, at = 1;
	char t[32], msg[96];

	for (i = 0; i < NDEPS_RANGES; i++)
		if (deps_ranges[i] <= cur)
			at = i;
	if ((dir > 0 && at + 1 >= NDEPS_RANGES) || (dir < 0 && at == 0)) {
		app_set_message(a, ROLE_DIM, "%s",
				dir > 0 ? "already the widest range (7d)"
					: "already the narrowest range (15m)");
		return;
	}
	at = dir > 0 ? at + 1 : at - 1;
	traces_poll_set_topology(a->traces_poll, true, deps_ranges[at]);
	range_text(deps_ranges[at], t, sizeof t);
	snprintf(msg, sizeof msg, "dependency links of the last %s", t);
	app_set_message(a, ROLE_DIM, "%s", msg);
}

static bool
traces_key(struct app *a, enum action act)
{
	const struct traces_list *l = traces_poll_list(a->traces_poll);
	const char *id;

	switch (act) {
	case ACT_TRACE_OPEN:
		id = traces_screen_selected(a->traces, l);
		if (id == NULL)
			app_show_error(a, "no trace selected");
		else
			app_trace_open(a, id);
		return true;
	case ACT_TRACES_QUERY:
		a->edit = EDIT_TRACES;
		input_set(&a->input, l->search);
		return true;
	case ACT_TOPOLOGY:
		app_topology_open(a, *l->service != '\0' ? l->service : NULL);
		return true;
	default:
		return (traces_screen_handle(a->traces, act, l) & H_HANDLED) != 0;
	}
}

static bool
trace_key(struct app *a, enum action act)
{
	const struct trace_data *d = traces_poll_trace(a->traces_poll);
	const struct zk_span *sp;

	switch (act) {
	case ACT_SPAN_LOGS:
		span_logs(a);
		return true;
	case ACT_CRITICAL_SERVICE:
		critical_service(a);
		return true;
	case ACT_TOPOLOGY:
		sp = selected_span(a);
		app_topology_open(a, sp != NULL ? display_of(a, sp->local.service) : NULL);
		return true;
	default:
		return (waterfall_handle(a->waterfall, act, d) & H_HANDLED) != 0;
	}
}

static bool
topology_key(struct app *a, enum action act)
{
	const struct topology_data *d = traces_poll_topology(a->traces_poll);

	switch (act) {
	case ACT_DEPS_WIDER:
	case ACT_DEPS_NARROWER:
		deps_step(a, act == ACT_DEPS_WIDER ? 1 : -1);
		return true;
	case ACT_TRACES:
		app_traces_open(a, graph_selected(a->graph, d), NULL);
		return true;
	case ACT_UP:
	case ACT_DOWN:
	case ACT_TOPO_LEFT:
	case ACT_TOPO_RIGHT:
		a->graph_select[0] = '\0';
		return (graph_handle(a->graph, act, d) & H_HANDLED) != 0;
	default:
		return (graph_handle(a->graph, act, d) & H_HANDLED) != 0;
	}
}

bool
app_traces_key(struct app *a, enum action act)
{
	switch (app_top_screen(a)) {
	case SCREEN_TRACES:
		return traces_key(a, act);
	case SCREEN_TRACE:
		return trace_key(a, act);
	case SCREEN_TOPOLOGY:
		return topology_key(a, act);
	case SCREEN_OVERVIEW:
	case SCREEN_DETAIL:
		if (act == ACT_TRACES) {
			app_traces_open(a, app_current_service(a), NULL);
			return true;
		}
		if (act == ACT_TOPOLOGY) {
			app_topology_open(a, app_current_service(a));
			return true;
		}
		return false;
	default:
		return false;
	}
}

void
app_traces_accept_query(struct app *a)
{
	struct err e;

	if (traces_poll_search(a->traces_poll, NULL, a->input.text.data, &e) < 0)
		app_show_error(a, e.msg);
	a->dirty = true;
}

bool
app_traces_command(struct app *a, const char *verb, const char *line)
{
	const char *rest = line;

	rest += strspn(rest, " \t");
	rest += strlen(verb);
	rest += strspn(rest, " \t");
	if (strcmp(verb, "traces") == 0) {
		app_traces_open(a, NULL, rest);
		return true;
	}
	if (strcmp(verb, "trace") == 0) {
		if (*rest == '\0')
			app_show_error(a, "usage: trace ID (16 or 32 hex digits)");
		else
			app_trace_open(a, rest);
		return true;
	}
	if (strcmp(verb, "topology") == 0 || strcmp(verb, "deps") == 0) {
		app_topology_open(a, *rest != '\0' ? rest : NULL);
		return true;
	}
	return false;
}

bool
app_traces_tick(struct app *a, double mono)
{
	bool changed = traces_poll_tick(a->traces_poll, mono);

	if (changed && a->graph_select[0] != '\0' && a->graph != NULL &&
	    graph_select(a->graph, traces_poll_topology(a->traces_poll), a->graph_select))
		a->graph_select[0] = '\0';
	return changed;
}

/* "Overview › payments › Traces" from the stack into a->crumbs. */
static void
crumbs(struct app *a, struct render_state *rs)
{
	const char *sep = a->ascii ? " > " : " \xe2\x80\xba ";
	size_t n = 0;
	int i;

	a->crumbs[0] = '\0';
	for (i = 0; i < a->depth && n < sizeof a->crumbs; i++) {
		const char *name = "";
		char id[40];

		switch (a->stack[i]) {
		case SCREEN_OVERVIEW:
			name = "Overview";
			break;
		case SCREEN_DETAIL:
			name = a->detail != NULL ? detail_service(a->detail) : "Detail";
			break;
		case SCREEN_LOGS:
			name = "Logs";
			break;
		case SCREEN_TRACES:
			name = "Traces";
			break;
		case SCREEN_TRACE:
			snprintf(id, sizeof id, "Trace %.16s",
				 traces_poll_trace(a->traces_poll)->trace_id);
			name = id;
			break;
		case SCREEN_TOPOLOGY:
			name = "Topology";
			break;
		case SCREEN_ALERTS:
			name = "Alerts";
			break;
		case SCREEN_QUERY:
			name = "Query";
			break;
		default:
			break;
		}
		n += (size_t)snprintf(a->crumbs + n, sizeof a->crumbs - n, "%s%s", i > 0 ? sep : "",
				      name);
	}
	rs->crumbs = a->crumbs;
	rs->crumbs_summary = a->crumbs_summary;
}

void
app_traces_render(struct app *a, struct render_state *rs)
{
	char t[32];

	a->crumbs_summary[0] = '\0';
	switch (app_top_screen(a)) {
	case SCREEN_TRACES: {
		const struct traces_list *l = traces_poll_list(a->traces_poll);

		rs->traces = a->traces;
		rs->traces_list = l;
		rs->hint = "? help  e search  Enter open  < > sort  T topology  Esc back ";
		range_text(l->lookback_s, t, sizeof t);
		if (l->have)
			snprintf(a->crumbs_summary, sizeof a->crumbs_summary, "%zu traces, last %s",
				 l->n, t);
		break;
	}
	case SCREEN_TRACE: {
		const struct trace_data *d = traces_poll_trace(a->traces_poll);

		rs->waterfall = a->waterfall;
		rs->trace_data = d;
		rs->hint = "? help  Space fold  Enter span  c critical path  l logs  Esc back ";
		if (d->trace != NULL)
			snprintf(a->crumbs_summary, sizeof a->crumbs_summary,
				 "%zu spans, %zu services", d->trace->nspans, d->trace->nservices);
		break;
	}
	case SCREEN_TOPOLOGY: {
		const struct topology_data *d = traces_poll_topology(a->traces_poll);

		rs->graph = a->graph;
		rs->topology_data = d;
		rs->hint = "? help  h/j/k/l move  Enter detail  t traces  +/- range  Esc back ";
		range_text(d->lookback_s, t, sizeof t);
		snprintf(a->crumbs_summary, sizeof a->crumbs_summary, "%zu links, last %s",
			 d->nlinks, t);
		break;
	}
	case SCREEN_DETAIL:
	case SCREEN_LOGS:
		/* Opened from a trace or the topology: the title keeps the way back. */
		if (a->depth > 2 && a->stack[a->depth - 2] != SCREEN_OVERVIEW &&
		    a->stack[a->depth - 2] != SCREEN_DETAIL)
			break;
		return;
	default:
		return;
	}
	crumbs(a, rs);
}

const char *
app_traces_service(struct app *a)
{
	const struct zk_span *sp;

	switch (app_top_screen(a)) {
	case SCREEN_TRACES:
		return *traces_poll_list(a->traces_poll)->service != '\0'
			       ? traces_poll_list(a->traces_poll)->service
			       : NULL;
	case SCREEN_TRACE:
		sp = selected_span(a);
		return sp != NULL ? display_of(a, sp->local.service) : NULL;
	case SCREEN_TOPOLOGY:
		return graph_selected(a->graph, traces_poll_topology(a->traces_poll));
	default:
		return NULL;
	}
}
