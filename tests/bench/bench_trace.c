/*
 * bench_trace.c - opening a large trace, and laying out a large graph.
 *
 * Generates, in process, the /api/v2/trace answer of a 10,000-span
 * checkout: a gateway SERVER root with 9 local spans and 999 calls to
 * orders in batches of 10 at once; each call is the gateway CLIENT and the
 * orders SERVER sharing one id, orders querying its database, charging
 * payments and reserving at inventory in parallel (client/server pairs
 * with shared ids), inventory notifying notifications.  One server in 50
 * has its clock 300 us behind, one call in 97 fails at payments.  Then
 * times, RUNS times each: zipkin_parse_trace, trace_build, trace_rows and
 * trace_bar for every row at 120 columns; reports struct trace's bytes.
 * Then topology_layout on a random 200-service DAG (fixed seed).  Prints
 * one line per figure:
 *
 *   FIGURE<TAB>name<TAB>value<TAB>unit<TAB>what it measures
 *
 * tests/bench/run.sh collects these lines into the final table.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "topology.h"
#include "trace.h"
#include "trace_cache.h"
#include "xalloc.h"
#include "zipkin.h"
#include "bench.h"

#define RUNS 7
#define NCALLS 999
#define NLOCAL 9
#define NSPANS (1 + NLOCAL + 10 * NCALLS)
#define WIDTH 120
#define T0 1795390960000000LL /* epoch microseconds */
#define TRACE_ID "4bf92f3577b34da6a3ce929d0e0e4736"
#define NSERVICES 200

/* One span of the generated trace. */
struct gspan {
	unsigned long long id, parent;
	const char *name, *service, *remote;
	const char *kind;  /* NULL for a local span */
	long long ts, dur; /* relative to T0 */
	int ip;            /* last octet of the service's address */
	bool shared, error;
};

static void
put_span(struct buf *b, const struct gspan *s, bool first)
{
	buf_printf(b, "%s{\"traceId\":\"" TRACE_ID "\",\"id\":\"%016llx\"", first ? "" : ",",
		   s->id);
	if (s->parent != 0)
		buf_printf(b, ",\"parentId\":\"%016llx\"", s->parent);
	buf_printf(b, ",\"name\":\"%s\"", s->name);
	if (s->kind != NULL)
		buf_printf(b, ",\"kind\":\"%s\"", s->kind);
	buf_printf(b, ",\"timestamp\":%lld,\"duration\":%lld", T0 + s->ts, s->dur);
	buf_printf(b, ",\"localEndpoint\":{\"serviceName\":\"%s\",\"ipv4\":\"10.0.3.%d\"}",
		   s->service, s->ip);
	if (s->remote != NULL)
		buf_printf(b, ",\"remoteEndpoint\":{\"serviceName\":\"%s\",\"port\":8080}",
			   s->remote);
	if (s->shared)
		buf_puts(b, ",\"shared\":true");
	if (s->kind != NULL && strcmp(s->kind, "CLIENT") == 0)
		buf_printf(b,
			   ",\"annotations\":[{\"timestamp\":%lld,\"value\":\"ws\"},"
			   "{\"timestamp\":%lld,\"value\":\"wr\"}]",
			   T0 + s->ts + 1, T0 + s->ts + s->dur - 1);
	buf_printf(b,
		   ",\"tags\":{\"http.method\":\"POST\",\"http.path\":\"/api/%s\","
		   "\"http.status_code\":\"%s\",\"instance\":\"%s-7d9f8c6b5-x2k4q\"%s}}",
		   s->service, s->error ? "500" : "200", s->service,
		   s->error ? ",\"error\":\"payment declined\"" : "");
}

/* A client span and its server half (same id, shared), the server inside by pad each side. */
static void
put_rpc(struct buf *b, unsigned long long id, unsigned long long parent, const char *name,
	const char *from, int from_ip, const char *to, int to_ip, long long ts, long long dur,
	long long pad, long long skew, bool error)
{
	struct gspan c = { .id = id,
			   .parent = parent,
			   .name = name,
			   .service = from,
			   .remote = to,
			   .kind = "CLIENT",
			   .ts = ts,
			   .dur = dur,
			   .ip = from_ip };
	struct gspan s = { .id = id,
			   .parent = parent,
			   .name = name,
			   .service = to,
			   .kind = "SERVER",
			   .ts = ts + pad + skew,
			   .dur = dur - 2 * pad,
			   .ip = to_ip,
			   .shared = true,
			   .error = error };

	put_span(b, &c, false);
	put_span(b, &s, false);
}

/* The 10,000-span checkout trace as Zipkin's JSON. */
static void
gen_trace(struct buf *b)
{
	unsigned long long id = 1;
	int k;
	struct gspan root = { .id = id++,
			      .name = "post /checkout",
			      .service = "gateway",
			      .kind = "SERVER",
			      .ip = 1 };

	root.dur = 100 + (NCALLS / 10 + 1) * 1200 + 100;
	buf_puts(b, "[");
	put_span(b, &root, true);
	for (k = 0; k < NLOCAL; k++) {
		struct gspan l = { .id = id++,
				   .parent = 1,
				   .name = "auth",
				   .service = "gateway",
				   .ts = 10 + k * 9,
				   .dur = 8,
				   .ip = 1 };

		put_span(b, &l, false);
	}
	for (k = 0; k < NCALLS; k++) {
		long long s = 100 + (k / 10) * 1200 + (k % 10) * 15;
		unsigned long long call = id++, db = id++, pay = id++, auth = id++, inv = id++,
				   note = id++;
		long long skew = k % 50 == 7 ? -300 : 0;
		struct gspan q = { .id = db,
				   .parent = call,
				   .name = "select orders",
				   .service = "orders",
				   .remote = "postgres",
				   .ts = s + 40 + skew,
				   .dur = 100,
				   .ip = 2 };
		struct gspan a = { .id = auth,
				   .parent = pay,
				   .name = "card.authorize",
				   .service = "payments",
				   .ts = s + 200 + skew,
				   .dur = 200,
				   .ip = 3,
				   .error = k % 97 == 5 };

		put_rpc(b, call, 1, "post /orders", "gateway", 1, "orders", 2, s, 1000, 20, skew,
			false);
		put_span(b, &q, false);
		put_rpc(b, pay, call, "post /charge", "orders", 2, "payments", 3, s + 150 + skew,
			300, 10, 0, k % 97 == 5);
		put_span(b, &a, false);
		put_rpc(b, inv, call, "post /reserve", "orders", 2, "inventory", 4, s + 150 + skew,
			450, 15, 0, false);
		put_rpc(b, note, inv, "post /notify", "inventory", 4, "notifications", 5,
			s + 300 + skew, 200, 10, 0, false);
	}
	buf_puts(b, "]");
}

/*
 * Parse, build, rows and bars RUNS times; figures are medians.  Returns
 * -1 when a step fails or the trace has the wrong shape.
 */
static int
bench_trace(void)
{
	double tp[RUNS], tb[RUNS], tr[RUNS], tbar[RUNS], tt[RUNS];
	struct zk_limits lim = { 0 };
	struct buf body;
	struct err e;
	char what[200];
	size_t bytes = 0, nnodes = 0, nskewed = 0, i;
	int r, *rows = NULL;
	long long sum = 0;

	buf_init(&body);
	gen_trace(&body);
	for (r = 0; r < RUNS; r++) {
		struct zk_span *spans;
		struct trace *t;
		size_t n, nrows;
		double t0 = mono_ms(), t1, t2, t3, t4;

		if (zipkin_parse_trace(200, body.data, body.len, &lim, &spans, &n, &e) < 0) {
			fprintf(stderr, "bench_trace: parse: %s\n", e.msg);
			buf_done(&body);
			return -1;
		}
		t1 = mono_ms();
		t = trace_build(spans, n, &e);
		t2 = mono_ms();
		if (t == NULL || n != NSPANS || t->nnodes != NSPANS || t->synthetic_root) {
			fprintf(stderr, "bench_trace: build: %zu spans, %zu nodes: %s\n", n,
				t != NULL ? t->nnodes : 0, t != NULL ? "wrong shape" : e.msg);
			trace_free(t);
			buf_done(&body);
			return -1;
		}
		rows = xrealloc(rows, t->nnodes * sizeof *rows);
		nrows = trace_rows(t, NULL, rows, t->nnodes);
		t3 = mono_ms();
		for (i = 0; i < nrows; i++) {
			int x0, x1;

			trace_bar(t, rows[i], WIDTH, &x0, &x1);
			sum += x1 - x0;
		}
		t4 = mono_ms();
		tp[r] = t1 - t0;
		tb[r] = t2 - t1;
		tr[r] = t3 - t2;
		tbar[r] = t4 - t3;
		tt[r] = t4 - t0;
		bytes = t->bytes;
		nnodes = t->nnodes;
		nskewed = t->nskewed;
		trace_free(t);
	}
	free(rows);
	snprintf(what, sizeof what, "zipkin_parse_trace, %d spans, %.1f MB of JSON, median of %d",
		 NSPANS, (double)body.len / 1e6, RUNS);
	figure("trace parse 10k spans", median(tp, RUNS), "ms", what);
	snprintf(what, sizeof what,
		 "trace_build: merge, tree, %zu skew corrections, order, self, critical path",
		 nskewed);
	figure("trace build 10k spans", median(tb, RUNS), "ms", what);
	figure("trace rows 10k spans", median(tr, RUNS), "ms", "trace_rows, nothing collapsed");
	snprintf(what, sizeof what, "trace_bar for all %zu rows at %d columns", nnodes, WIDTH);
	figure("trace bars 10k spans", median(tbar, RUNS), "ms", what);
	figure("trace open 10k spans", median(tt, RUNS), "ms",
	       "parse + build + rows + bars, median of the per-run totals");
	figure("trace bytes 10k spans", (double)bytes / (1024.0 * 1024.0), "MiB",
	       "struct trace.bytes: spans after parsing, nodes, services");
	figure("trace bytes per span", (double)bytes / NSPANS, "B", "struct trace.bytes / spans");
	buf_done(&body);
	return sum > 0 ? 0 : -1;
}

/* A random DAG: each service after the first is called by 1 to 3 earlier ones. */
static struct zk_link *
gen_dag(size_t *n)
{
	struct zk_link *l = xcalloc(3 * NSERVICES, sizeof *l);
	unsigned long long seed = 0x9e3779b97f4a7c15ULL;
	int i, k;

	*n = 0;
	for (i = 1; i < NSERVICES; i++) {
		int callers;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		callers = 1 + (int)((seed >> 33) % 3);
		for (k = 0; k < callers; k++) {
			int j;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			j = (int)((seed >> 33) % (unsigned long long)i);
			l[*n].parent = xasprintf("svc%03d", j);
			l[*n].child = xasprintf("svc%03d", i);
			l[*n].calls = 1000 + (long long)((seed >> 20) % 100000);
			l[*n].errors = (long long)((seed >> 40) % 50);
			(*n)++;
		}
	}
	return l;
}

static void
bench_topology(void)
{
	double t[RUNS * 2 + 1];
	size_t n, i, nvirtual = 0, crossings = 0;
	struct zk_link *links = gen_dag(&n);
	int r, nlayers = 0;
	char what[200];

	for (r = 0; r < RUNS * 2 + 1; r++) {
		double t0 = mono_ms();
		struct topo_layout *l = topology_layout(links, n);

		t[r] = mono_ms() - t0;
		nvirtual = l->nnodes - l->nreal;
		nlayers = l->nlayers;
		crossings = l->crossings;
		topology_free(l);
	}
	snprintf(what, sizeof what,
		 "topology_layout, %d services, %zu links: %d layers, %zu virtual nodes, median "
		 "of %d",
		 NSERVICES, n, nlayers, nvirtual, RUNS * 2 + 1);
	figure("topology layout 200 services", median(t, RUNS * 2 + 1), "ms", what);
	figure("topology crossings 200 services", (double)crossings, "crossings",
	       "edge crossings left after the barycentre sweeps");
	for (i = 0; i < n; i++) {
		free(links[i].parent);
		free(links[i].child);
	}
	free(links);
}

/* Resident set size in MiB, from /proc/self/statm; -1 when unknown. */
static double
rss_mib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = -1, resident = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident < 0 ? -1 : (double)resident * 4096.0 / (1024.0 * 1024.0);
}

/* One trace of n spans (a root and a chain of calls) under id, as Zipkin's JSON. */
static void
gen_small(struct buf *b, unsigned id, int n)
{
	int k;

	buf_puts(b, "[");
	for (k = 0; k < n; k++) {
		char parent[48] = "";

		if (k > 0)
			snprintf(parent, sizeof parent, "\"parentId\":\"%016x\",", k);
		buf_printf(b,
			   "%s{\"traceId\":\"%016x\",\"id\":\"%016x\",%s\"name\":\"get /items\","
			   "\"kind\":\"SERVER\",\"timestamp\":%lld,\"duration\":%d,"
			   "\"localEndpoint\":{\"serviceName\":\"svc%d\"},"
			   "\"tags\":{\"http.method\":\"GET\",\"http.status_code\":\"200\"}}",
			   k ? "," : "", id, k + 1, parent, T0 + k * 10, 10 * (n - k), k % 7);
	}
	buf_puts(b, "]");
}

/*
 * The trace cache at its default bounds (200 traces, 64 MiB): filled
 * with 300 traces of 200 spans (the count bound holds), then with 20
 * copies of the 10,000-span trace (the byte bound holds).  Prints what it
 * holds and the process's resident memory.
 */
static void
bench_cache(void)
{
	struct trace_cache *c = trace_cache_new(0, 0);
	struct zk_limits lim = { 0 };
	double rss0 = rss_mib();
	unsigned i;
	char what[200];

	for (i = 0; i < 300; i++) {
		struct buf b;
		struct zk_span *spans;
		size_t n;
		struct err e;
		struct trace *t;

		buf_init(&b);
		gen_small(&b, i + 1, 200);
		if (zipkin_parse_trace(200, b.data, b.len, &lim, &spans, &n, &e) == 0 &&
		    (t = trace_build(spans, n, &e)) != NULL)
			trace_cache_put(c, t);
		else
			fprintf(stderr, "bench_cache: %s\n", e.msg);
		buf_done(&b);
	}
	snprintf(what, sizeof what,
		 "traces held after 300 of 200 spans: %zu, %.1f MiB by their count",
		 trace_cache_count(c), (double)trace_cache_bytes(c) / 1048576.0);
	figure("trace cache full (count)", (double)trace_cache_count(c), "traces", what);
	for (i = 0; i < 20; i++) {
		struct buf b;
		struct zk_span *spans;
		size_t n;
		struct err e;
		struct trace *t;

		buf_init(&b);
		gen_trace(&b);
		if (zipkin_parse_trace(200, b.data, b.len, &lim, &spans, &n, &e) == 0 &&
		    (t = trace_build(spans, n, &e)) != NULL) {
			snprintf(t->trace_id, sizeof t->trace_id, "%016x", 0x10000u + i);
			trace_cache_put(c, t);
		}
		buf_done(&b);
	}
	snprintf(what, sizeof what,
		 "held after 20 traces of 10,000 spans: %zu traces; the bound is 64 MiB",
		 trace_cache_count(c));
	figure("trace cache full (bytes)", (double)trace_cache_bytes(c) / 1048576.0, "MiB", what);
	figure("trace cache full RSS growth", rss_mib() - rss0, "MiB",
	       "resident memory grown while filling the cache (parse peaks included)");
	malloc_trim(0);
	figure("trace cache full RSS held", rss_mib() - rss0, "MiB",
	       "the same after malloc_trim: what the full cache keeps resident");
	trace_cache_free(c);
}

int
main(void)
{
	int rc = 0;

	if (bench_trace() < 0)
		rc = 1;
	bench_topology();
	bench_cache();
	return rc;
}
