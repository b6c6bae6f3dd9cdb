/*
 * snapshot_test.h - a fixed fleet for the snapshot's tests: a model with
 * services in every status, backends, alerts; the Logs, Traces, Trace,
 * Topology and Service detail data; all at a fixed clock (NOW, UTC).
 * Shared by test_snapshot.c and test_snapshot_check.c.  Include after
 * <cmocka.h>.
 */
#ifndef OPSDECK_TESTS_SNAPSHOT_TEST_H
#define OPSDECK_TESTS_SNAPSHOT_TEST_H

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detail_data.h"
#include "logbuf.h"
#include "model.h"
#include "snapshot_internal.h"
#include "topology.h"
#include "trace.h"
#include "xalloc.h"
#include "zipkin.h"

#define NOW 1795000000.0                  /* 2026-11-18T07:46:40Z */
#define KOREAN "\xec\xa3\xbc\xeb\xac\xb8" /* 주문 */

static const struct thresholds snap_th = { 0.01, 0.05, 0.5, 2.0 };

struct snap_fixture {
	struct model *m;
	struct view_ctx v;
	struct snap_data d; /* every screen's data */
	struct logbuf *lines;
	struct logs_data logs;
	struct zk_trace_summary items[2];
	char *svcs[2][3];
	struct traces_list traces;
	struct trace *trace;
	struct trace_data trace_d;
	struct zk_link *links;
	struct topo_layout *layout;
	struct topology_data topo;
	struct detail_data detail;
	struct alerts_status alerts; /* Prometheus' alerts polled, answered at NOW */
};

/* One service's latest values (NAN: unknown). */
static inline void
snap_metrics(struct model *m, const char *name, double rps, double err, double p99)
{
	double vals[3] = { rps, err, p99 };
	int k;

	for (k = 0; k < 3; k++) {
		struct service *s = model_service(m, name, true);

		if (isnan(vals[k]))
			continue;
		s->value[k] = vals[k];
		s->updated[k] = NOW;
		model_append_point(m, s, (enum metric)k, NOW - 10, vals[k] * 0.9);
		model_append_point(m, s, (enum metric)k, NOW, vals[k]);
	}
}

static inline char *
snap_slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *b;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	b = xcalloc((size_t)n + 1, 1);
	if (fread(b, 1, (size_t)n, fp) != (size_t)n)
		n = 0;
	b[n] = '\0';
	fclose(fp);
	return b;
}

/* An alert, as the alerts' poller hands them to the model. */
static inline void
snap_alert(struct alert *a, const char *name, const char *service, const char *severity,
	   enum alert_state st, double since, const char *summary)
{
	memset(a, 0, sizeof *a);
	a->name = xstrdup(name);
	a->service = service != NULL ? xstrdup(service) : NULL;
	a->severity = severity != NULL ? xstrdup(severity) : NULL;
	a->state = st;
	a->since = since;
	a->summary = summary != NULL ? xstrdup(summary) : NULL;
	a->source = xstrdup("prometheus");
	a->fingerprint = xasprintf("fp-%s", name);
	a->nlabels = 1;
	a->labels = xcalloc(2, sizeof *a->labels);
	a->labels[0] = xstrdup("alertname");
	a->labels[1] = xstrdup(name);
}

/* The fleet's model: OK, CRIT (errors), WARN (p99), WARN (replicas), hostile names. */
static inline struct model *
snap_model(bool with_alerts)
{
	struct model *m = model_new(30, 100);
	struct runtime_row row;

	snap_metrics(m, "gateway", 120.5, 0.002, 0.180);
	snap_metrics(m, "orders", 48.2, 0.071, 0.240);
	snap_metrics(m, "payments", 12.0, 0.004, 0.812);
	snap_metrics(m, KOREAN, 7.5, 0.0, 0.050);
	snap_metrics(m, "evil\x1b[31mred", 1.0, 0.0, 0.010);
	memset(&row, 0, sizeof row);
	row.name = "inventory";
	row.kind = "swarm";
	row.id = "hybgq0cwysn0";
	row.runtime_name = "shop_inventory";
	row.running = 1;
	row.desired = 3;
	row.version = "2.0.1";
	row.deployed_at = NOW - 7200;
	row.restarts = 0;
	model_runtime_apply(m, "local", &row, 1, NOW);
	snap_metrics(m, "inventory", 33.3, 0.0, 0.040);
	model_backend_ok(m, "prometheus", 12, NOW);
	model_backend_ok(m, "docker", 4, NOW);
	if (with_alerts) {
		struct alert *a = xcalloc(4, sizeof *a);

		snap_alert(&a[0], "HighErrorRate", "orders", "critical", ALERT_FIRING, NOW - 2678,
			   "orders: 7.1% of requests fail");
		snap_alert(&a[1], "SlowRequests", "payments", "warning", ALERT_FIRING, NOW - 600,
			   "payments p99 over 500ms");
		snap_alert(&a[2], "DiskFilling", NULL, "warning", ALERT_PENDING, NOW - 60, NULL);
		snap_alert(&a[3], "Watchdog", NULL, "none", ALERT_SILENCED, NOW - 86400,
			   "always firing");
		model_set_alerts(m, a, 4);
	}
	return m;
}

static inline void
snap_logs(struct snap_fixture *f)
{
	static const struct {
		const char *level, *service, *message, *trace;
	} rows[] = {
		{ "ERROR", "orders", "charge failed: upstream 503 | retry", "4bf92f3577b34da6" },
		{ "WARN", "payments", "slow request POST /charge took 812ms", "" },
		{ "INFO", KOREAN, "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 ok \x1b[31mred\x1b[0m",
		  "" },
	};
	struct es_hits hits;
	size_t i;

	f->lines = logbuf_new(100, 1 << 20);
	memset(&hits, 0, sizeof hits);
	hits.n = sizeof rows / sizeof rows[0];
	hits.hits = xcalloc(hits.n, sizeof *hits.hits);
	hits.total = 1234;
	for (i = 0; i < hits.n; i++) {
		struct es_hit *h = &hits.hits[i];

		h->index = xstrdup("logs-app");
		h->id = xasprintf("id-%zu", i);
		h->t = NOW - 2.0 * (double)i - 0.25;
		h->level = xstrdup(rows[i].level);
		h->service = xstrdup(rows[i].service);
		h->message = xstrdup(rows[i].message);
		h->trace_id = xstrdup(rows[i].trace);
		h->source = xstrdup("{}");
		h->cursor.set = true;
		h->cursor.t = h->t * 1000.0;
		snprintf(h->cursor.tiebreak, sizeof h->cursor.tiebreak, "%zu", 10 - i);
	}
	logbuf_add_newer(f->lines, &hits);
	es_hits_done(&hits);
	f->logs.lines = f->lines;
	f->logs.query = "level:error OR orders";
	f->logs.range.since_s = 900;
	f->logs.utc = true;
	f->logs.total = 1234;
	f->logs.have_hits = true;
	f->logs.at_end = true;
	f->d.logs = &f->logs;
	f->d.query = f->logs.query;
}

static inline void
snap_traces(struct snap_fixture *f)
{
	static const char *const svc0[] = { "gateway", "orders", "payments" };
	static const char *const svc1[] = { "gateway", "users" };
	struct zk_limits lim = { 0 };
	struct zk_span *spans = NULL;
	char *body = snap_slurp("tests/fixtures/zipkin/trace_checkout.json");
	static const struct zk_link links[] = {
		{ "gateway", "orders", 480, 3 },
		{ "gateway", "users", 210, 0 },
		{ "orders", "payments", 300, 45 },
	};
	struct err e;
	size_t n = 0, i;

	memset(f->items, 0, sizeof f->items);
	snprintf(f->items[0].trace_id, 33, "%s", "5af7183fb1d4cf5f6e3c8e1a1d2b4c01");
	f->items[0].start_us = (int64_t)(NOW - 30) * 1000000;
	f->items[0].duration_us = 812000;
	f->items[0].nspans = 9;
	f->items[0].root_service = (char *)"gateway";
	f->items[0].root_name = (char *)"post /api/checkout";
	f->items[0].services = (char **)svc0;
	f->items[0].nservices = 3;
	f->items[0].nerrors = 2;
	snprintf(f->items[1].trace_id, 33, "%s", "5af7183fb1d4cf5f6e3c8e1a1d2b4c02");
	f->items[1].start_us = (int64_t)(NOW - 45) * 1000000;
	f->items[1].duration_us = 38600;
	f->items[1].nspans = 3;
	f->items[1].root_service = (char *)"gateway";
	f->items[1].root_name = (char *)"get /api/users/{id}";
	f->items[1].services = (char **)svc1;
	f->items[1].nservices = 2;
	f->traces.items = f->items;
	f->traces.n = 2;
	f->traces.search = "service=orders >250ms";
	f->traces.service = "";
	f->traces.lookback_s = 3600;
	f->traces.limit = 20;
	f->traces.have = true;
	f->traces.fetched_at = NOW - 2;
	f->traces.utc = true;
	f->d.traces = &f->traces;

	assert_non_null(body);
	memset(&e, 0, sizeof e);
	if (zipkin_parse_trace(200, body, strlen(body), &lim, &spans, &n, &e) != 0)
		fail_msg("parse: %s", e.msg);
	free(body);
	f->trace = trace_build(spans, n, &e);
	assert_non_null(f->trace);
	f->trace_d.trace = f->trace;
	f->trace_d.trace_id = f->trace->trace_id;
	f->trace_d.utc = true;
	f->d.trace = &f->trace_d;

	f->links = xcalloc(4, sizeof *f->links);
	for (i = 0; i < 3; i++) {
		f->links[i].parent = xstrdup(links[i].parent);
		f->links[i].child = xstrdup(links[i].child);
		f->links[i].calls = links[i].calls;
		f->links[i].errors = links[i].errors;
	}
	f->layout = topology_layout(f->links, 3);
	f->topo.layout = f->layout;
	f->topo.links = f->links;
	f->topo.nlinks = 3;
	f->topo.lookback_s = 3600;
	f->topo.have = true;
	f->topo.fetched_at = NOW - 5;
	f->d.topology = &f->topo;
}

/* The Service detail of orders: its charts, no runtime. */
static inline void
snap_detail(struct snap_fixture *f)
{
	int k;
	size_t i;

	detail_data_init(&f->detail, 3600, 300);
	f->detail.t0 = NOW - 3600;
	f->detail.t1 = NOW;
	f->detail.have_metrics = true;
	for (k = 0; k < DETAIL_NCHARTS; k++) {
		struct detail_series *s = &f->detail.series[k];

		s->n = 13;
		s->t = xcalloc(s->n, sizeof *s->t);
		s->v = xcalloc(s->n, sizeof *s->v);
		for (i = 0; i < s->n; i++) {
			s->t[i] = NOW - 3600 + 300.0 * (double)i;
			s->v[i] = k == 0   ? 40 + (double)(i % 4)
				  : k == 1 ? (i > 9 ? 0.071 : 0.004)
					   : 0.24;
		}
	}
	f->d.service = "orders";
	f->d.detail = &f->detail;
}

static inline struct snap_fixture *
snap_fixture_new(bool with_alerts)
{
	struct snap_fixture *f = xcalloc(1, sizeof *f);

	setenv("TZ", "UTC", 1);
	tzset();
	f->m = snap_model(with_alerts);
	f->v.model = f->m;
	f->v.th = &snap_th;
	f->v.now = NOW;
	f->v.stale_after = 6;
	f->v.prometheus = true;
	f->v.docker = true;
	f->d.v = &f->v;
	f->alerts.prometheus = true;
	f->alerts.have = true;
	f->alerts.prom_ok_at = NOW;
	f->d.alerts = &f->alerts;
	f->d.utc = true;
	return f;
}

/* Every screen's data too, and their backends. */
static inline void
snap_fixture_screens(struct snap_fixture *f)
{
	model_backend_ok(f->m, "elasticsearch", 23, NOW);
	model_backend_ok(f->m, "zipkin", 9, NOW);
	f->v.elasticsearch = true;
	f->v.zipkin = true;
	snap_logs(f);
	snap_traces(f);
	snap_detail(f);
}

static inline void
snap_fixture_free(struct snap_fixture *f)
{
	logbuf_free(f->lines);
	trace_free(f->trace);
	topology_free(f->layout);
	zipkin_links_free(f->links, 3);
	detail_data_done(&f->detail);
	model_free(f->m);
	free(f);
}

#endif
