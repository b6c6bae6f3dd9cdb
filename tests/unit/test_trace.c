/*
 * test_trace.c - the span tree of backends/trace.c on hand-built traces
 * with known answers: nesting and depth-first order, orphans and several
 * roots under the synthetic root, shared client/server ids, duplicates
 * merged, spans without timestamp or duration, clock skew, cycles of
 * parent ids, collapsed rows and bars.  The critical path is in
 * test_trace_critical.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trace.h"
#include "xalloc.h"

#define T0 INT64_C(1700000000000000) /* epoch microseconds */
#define NOTS INT64_MIN               /* no timestamp / no duration */

struct spans {
	struct zk_span *v;
	size_t n;
};

/*
 * Append a span: id, parent id ("" for none), local service (NULL for
 * none), kind, start relative to T0 and duration (NOTS for absent).  The
 * span's name is its id.
 */
static struct zk_span *
add(struct spans *s, const char *id, const char *parent, const char *svc, enum zk_kind kind,
    int64_t ts, int64_t dur)
{
	struct zk_span *x;

	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	x = &s->v[s->n++];
	memset(x, 0, sizeof *x);
	strcpy(x->trace_id, "00000000000000a1");
	snprintf(x->id, sizeof x->id, "%s", id);
	snprintf(x->parent_id, sizeof x->parent_id, "%s", parent);
	x->name = xstrdup(id);
	x->kind = kind;
	x->local.service = xstrdup(svc);
	x->has_ts = ts != NOTS;
	x->ts_us = x->has_ts ? T0 + ts : 0;
	x->has_dur = dur != NOTS;
	x->dur_us = x->has_dur ? dur : 0;
	return x;
}

static void
tag(struct zk_span *x, const char *k, const char *v)
{
	x->tags = xrealloc(x->tags, (x->ntags + 1) * sizeof *x->tags);
	x->tags[x->ntags].key = xstrdup(k);
	x->tags[x->ntags++].value = xstrdup(v);
}

static void
annotate(struct zk_span *x, int64_t ts, const char *v)
{
	x->annotations = xrealloc(x->annotations, (x->nannotations + 1) * sizeof *x->annotations);
	x->annotations[x->nannotations].ts_us = T0 + ts;
	x->annotations[x->nannotations++].value = xstrdup(v);
}

static struct trace *
build(struct spans *s)
{
	struct err e;
	struct trace *t = trace_build(s->v, s->n, &e);

	if (t == NULL)
		fail_msg("trace_build: %s", e.msg);
	s->v = NULL;
	s->n = 0;
	return t;
}

/* The node of the span named name (its id), kind k; -1 if none. */
static int
node(const struct trace *t, const char *name, enum zk_kind k)
{
	size_t i;

	for (i = 0; i < t->nnodes; i++) {
		const struct zk_span *s = trace_span(t, (int)i);

		if (s != NULL && strcmp(s->name, name) == 0 && s->kind == k)
			return (int)i;
	}
	return -1;
}

#define N(t, name) node((t), (name), ZK_KIND_NONE)

static void
test_nested(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	int a, b, c;

	(void)state;
	add(&s, "c", "b", "payments", ZK_KIND_NONE, 20, 30);
	add(&s, "a", "", "gateway", ZK_KIND_NONE, 0, 100);
	add(&s, "b", "a", "orders", ZK_KIND_NONE, 10, 80);
	t = build(&s);
	assert_string_equal(t->trace_id, "00000000000000a1");
	assert_int_equal(t->nnodes, 3);
	assert_false(t->synthetic_root);
	a = N(t, "a");
	b = N(t, "b");
	c = N(t, "c");
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_int_equal(c, 2);
	assert_int_equal(t->nodes[a].parent, -1);
	assert_int_equal(t->nodes[b].parent, a);
	assert_int_equal(t->nodes[c].parent, b);
	assert_int_equal(t->nodes[c].depth, 2);
	assert_int_equal(t->nodes[a].first_child, b);
	assert_int_equal(t->nodes[a].nchildren, 1);
	assert_int_equal(t->nodes[a].subtree, 3);
	assert_int_equal(t->nodes[b].subtree, 2);
	assert_int_equal(t->nodes[c].subtree, 1);
	assert_int_equal(t->nodes[c].first_child, -1);
	assert_true(t->start_us == T0);
	assert_int_equal(t->duration_us, 100);
	assert_int_equal(t->nodes[c].start_us, 20);
	assert_int_equal(t->nodes[a].self_us, 20);
	assert_int_equal(t->nodes[b].self_us, 50);
	assert_int_equal(t->nodes[c].self_us, 30);
	assert_int_equal(t->nservices, 3);
	assert_string_equal(t->services[0], "gateway");
	assert_string_equal(t->services[1], "orders");
	assert_string_equal(t->services[2], "payments");
	assert_int_equal(trace_service_index(t, c), 2);
	assert_string_equal(t->nodes[b].service, "orders");
	assert_int_equal(t->norphans, 0);
	assert_int_equal(t->nskewed, 0);
	trace_free(t);
}

/* Siblings by start, then by id; a subtree stays together. */
static void
test_sibling_order(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	static const char *const want[] = { "r", "a", "a1", "b", "c" };
	size_t i;

	(void)state;
	add(&s, "r", "", "gateway", ZK_KIND_NONE, 0, 100);
	add(&s, "c", "r", "orders", ZK_KIND_NONE, 30, 10);
	add(&s, "b", "r", "orders", ZK_KIND_NONE, 10, 10);
	add(&s, "a1", "a", "orders", ZK_KIND_NONE, 12, 1);
	add(&s, "a", "r", "orders", ZK_KIND_NONE, 10, 50);
	t = build(&s);
	for (i = 0; i < 5; i++)
		assert_string_equal(trace_span(t, (int)i)->name, want[i]);
	assert_int_equal(t->nodes[1].next_sibling, 3);
	assert_int_equal(t->nodes[3].next_sibling, 4);
	assert_int_equal(t->nodes[4].next_sibling, -1);
	assert_int_equal(t->nodes[0].nchildren, 3);
	trace_free(t);
}

static void
test_orphans(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	int r, x, y;

	(void)state;
	add(&s, "r", "", "gateway", ZK_KIND_NONE, 10, 50);
	add(&s, "x", "gone", "orders", ZK_KIND_NONE, 0, 20);
	add(&s, "y", "x", "orders", ZK_KIND_NONE, 5, 5);
	t = build(&s);
	assert_true(t->synthetic_root);
	assert_int_equal(t->nnodes, 4);
	assert_null(trace_span(t, 0));
	assert_int_equal(t->nodes[0].span, -1);
	assert_int_equal(trace_service_index(t, 0), -1);
	r = N(t, "r");
	x = N(t, "x");
	y = N(t, "y");
	assert_int_equal(x, 1); /* starts first */
	assert_int_equal(y, 2);
	assert_int_equal(r, 3);
	assert_int_equal(t->nodes[x].parent, 0);
	assert_int_equal(t->nodes[r].parent, 0);
	assert_int_equal(t->nodes[y].parent, x);
	assert_true(t->nodes[x].orphan);
	assert_false(t->nodes[r].orphan);
	assert_false(t->nodes[y].orphan);
	assert_int_equal(t->norphans, 1);
	assert_int_equal(t->nodes[0].dur_us, 60);
	assert_int_equal(t->nodes[0].subtree, 4);
	assert_int_equal(t->nodes[x].depth, 1);
	assert_int_equal(t->duration_us, 60);
	assert_true(t->start_us == T0);
	trace_free(t);

	/* One span whose parent is missing: no root at all, still a synthetic one. */
	add(&s, "x", "gone", "orders", ZK_KIND_NONE, 0, 20);
	t = build(&s);
	assert_true(t->synthetic_root);
	assert_int_equal(t->nnodes, 2);
	assert_true(t->nodes[1].orphan);
	trace_free(t);
}

static void
test_multiple_roots(void **state)
{
	struct spans s = { 0 };
	struct trace *t;

	(void)state;
	add(&s, "b", "", "batch", ZK_KIND_NONE, 50, 10);
	add(&s, "a", "", "gateway", ZK_KIND_NONE, 0, 20);
	t = build(&s);
	assert_true(t->synthetic_root);
	assert_int_equal(t->nnodes, 3);
	assert_int_equal(N(t, "a"), 1);
	assert_int_equal(N(t, "b"), 2);
	assert_false(t->nodes[1].orphan);
	assert_false(t->nodes[2].orphan);
	assert_int_equal(t->norphans, 0);
	assert_int_equal(t->nodes[0].dur_us, 60);
	assert_int_equal(t->nodes[0].self_us, 30);
	trace_free(t);
}

/* A client and a server sharing an id: two nodes, the server under the client. */
static void
test_shared_ids(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	struct zk_span *sv;
	int root, cl, srv, db, i;

	(void)state;
	for (i = 0; i < 2; i++) {
		add(&s, "r", "", "gateway", ZK_KIND_SERVER, 0, 100);
		add(&s, "c", "r", "gateway", ZK_KIND_CLIENT, 10, 80);
		sv = add(&s, "c", "r", "orders", ZK_KIND_SERVER, 15, 70);
		sv->shared = i == 0; /* the second time, unmarked: both halves present suffice */
		add(&s, "d", "c", "orders", ZK_KIND_CLIENT, 20, 30);
		t = build(&s);
		assert_int_equal(t->nnodes, 4);
		assert_false(t->synthetic_root);
		root = node(t, "r", ZK_KIND_SERVER);
		cl = node(t, "c", ZK_KIND_CLIENT);
		srv = node(t, "c", ZK_KIND_SERVER);
		db = node(t, "d", ZK_KIND_CLIENT);
		assert_int_equal(root, 0);
		assert_int_equal(cl, 1);
		assert_int_equal(srv, 2);
		assert_int_equal(db, 3);
		assert_int_equal(t->nodes[cl].parent, root);
		assert_int_equal(t->nodes[srv].parent, cl);
		assert_int_equal(t->nodes[db].parent, srv);
		assert_int_equal(t->nodes[db].depth, 3);
		assert_false(t->nodes[srv].merged);
		assert_int_equal(t->nskewed, 0);
		assert_int_equal(t->nodes[cl].self_us, 10);
		trace_free(t);
	}
}

/* A shared server span whose client half was not reported hangs by its parent id. */
static void
test_shared_without_client(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	struct zk_span *sv;

	(void)state;
	add(&s, "r", "", "gateway", ZK_KIND_SERVER, 0, 100);
	sv = add(&s, "c", "r", "orders", ZK_KIND_SERVER, 15, 70);
	sv->shared = true;
	t = build(&s);
	assert_false(t->synthetic_root);
	assert_int_equal(t->nodes[node(t, "c", ZK_KIND_SERVER)].parent, 0);
	trace_free(t);
}

static void
test_duplicates_merged(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	struct zk_span *x;
	const struct zk_span *m;
	int i;

	(void)state;
	add(&s, "r", "", "gateway", ZK_KIND_SERVER, 0, 100);
	x = add(&s, "x", "r", "orders", ZK_KIND_SERVER, 20, 30);
	tag(x, "http.path", "/orders");
	annotate(x, 25, "wr");
	x = add(&s, "x", "r", "orders", ZK_KIND_SERVER, 10, 50);
	tag(x, "http.path", "/other");
	tag(x, "error", "boom");
	annotate(x, 25, "wr");
	annotate(x, 21, "ws");
	free(x->name);
	x->name = NULL;
	t = build(&s);
	assert_int_equal(t->nspans, 2);
	assert_int_equal(t->nnodes, 2);
	i = node(t, "x", ZK_KIND_SERVER);
	assert_int_equal(i, 1);
	m = trace_span(t, i);
	assert_true(t->nodes[i].merged);
	assert_false(t->nodes[0].merged);
	assert_int_equal(t->nodes[i].start_us, 10); /* earliest timestamp */
	assert_int_equal(t->nodes[i].dur_us, 50);   /* longest duration */
	assert_int_equal(m->ntags, 2);
	assert_string_equal(zk_span_tag(m, "http.path"), "/orders"); /* the first report's */
	assert_string_equal(zk_span_tag(m, "error"), "boom");
	assert_true(t->nodes[i].error);
	assert_int_equal(t->nerrors, 1);
	assert_int_equal(m->nannotations, 2);
	assert_string_equal(m->annotations[0].value, "ws"); /* by time */
	assert_string_equal(m->annotations[1].value, "wr");
	trace_free(t);
}

static void
test_no_timestamp_no_duration(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	struct zk_span *x;
	int a, b, c;
	int x0, x1;

	(void)state;
	add(&s, "r", "", "gateway", ZK_KIND_NONE, 0, 100);
	add(&s, "p", "r", "orders", ZK_KIND_NONE, 40, 20);
	x = add(&s, "a", "p", "orders", ZK_KIND_NONE, NOTS, 5); /* parent's start */
	(void)x;
	x = add(&s, "b", "r", "orders", ZK_KIND_NONE, 70, NOTS); /* annotations' span */
	annotate(x, 72, "ws");
	annotate(x, 81, "wr");
	add(&s, "c", "r", "orders", ZK_KIND_NONE, 90, NOTS); /* nothing: a tick */
	t = build(&s);
	a = N(t, "a");
	b = N(t, "b");
	c = N(t, "c");
	assert_int_equal(t->nodes[a].start_us, 40);
	assert_int_equal(t->nodes[a].dur_us, 5);
	assert_int_equal(t->nodes[b].start_us, 70);
	assert_int_equal(t->nodes[b].dur_us, 9);
	assert_int_equal(t->nodes[c].dur_us, 0);
	trace_bar(t, c, 10, &x0, &x1);
	assert_int_equal(x0, 9);
	assert_int_equal(x1, 10);
	trace_free(t);

	/* A root without a timestamp starts at its first annotation. */
	x = add(&s, "r", "", "gateway", ZK_KIND_NONE, NOTS, 10);
	annotate(x, 7, "sr");
	add(&s, "k", "r", "gateway", ZK_KIND_NONE, 9, 4);
	t = build(&s);
	assert_true(t->start_us == T0 + 7);
	assert_int_equal(t->nodes[0].start_us, 0);
	assert_int_equal(t->nodes[1].start_us, 2);
	trace_free(t);
}

/*
 * The orders server half starts 50 us before its gateway client half (its
 * host's clock is behind): it is centred in the client, and its own call
 * to payments moves with it.  A gateway span that outlives the gateway
 * root (same clock) is flagged, not moved.
 */
static void
test_clock_skew(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	struct zk_span *sv;
	int cl, srv, pay, paysrv, late;

	(void)state;
	add(&s, "r", "", "gateway", ZK_KIND_SERVER, 0, 200);
	add(&s, "c", "r", "gateway", ZK_KIND_CLIENT, 100, 100);
	sv = add(&s, "c", "r", "orders", ZK_KIND_SERVER, 50, 60);
	sv->shared = true;
	add(&s, "p", "c", "orders", ZK_KIND_CLIENT, 60, 30);
	sv = add(&s, "p", "c", "payments", ZK_KIND_SERVER, 65, 20);
	sv->shared = true;
	add(&s, "l", "r", "gateway", ZK_KIND_NONE, 150, 100);
	t = build(&s);
	cl = node(t, "c", ZK_KIND_CLIENT);
	srv = node(t, "c", ZK_KIND_SERVER);
	pay = node(t, "p", ZK_KIND_CLIENT);
	paysrv = node(t, "p", ZK_KIND_SERVER);
	late = N(t, "l");
	/* centred: 100 + (100 - 60) / 2 = 120, a shift of +70 */
	assert_int_equal(t->nodes[srv].start_us, 120);
	assert_int_equal(t->nodes[srv].skew_us, 70);
	assert_false(t->nodes[srv].exceeds_parent);
	/* the subtree moved with it, and fits: no shift of its own */
	assert_int_equal(t->nodes[pay].start_us, 130);
	assert_int_equal(t->nodes[pay].skew_us, 0);
	assert_int_equal(t->nodes[paysrv].start_us, 135);
	assert_int_equal(t->nodes[paysrv].skew_us, 0);
	assert_int_equal(t->nodes[pay].parent, srv);
	/* same service past its parent: not moved, flagged */
	assert_int_equal(t->nodes[late].start_us, 150);
	assert_int_equal(t->nodes[late].skew_us, 0);
	assert_true(t->nodes[late].exceeds_parent);
	assert_false(t->nodes[cl].exceeds_parent);
	assert_int_equal(t->nskewed, 1);
	assert_int_equal(t->duration_us, 250);
	assert_true(t->start_us == T0);
	trace_free(t);
}

/* A child of another service that ends after its parent moves back by the overshoot. */
static void
test_clock_skew_late_child(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	int k, g;

	(void)state;
	add(&s, "r", "", "gateway", ZK_KIND_NONE, 0, 100);
	add(&s, "k", "r", "orders", ZK_KIND_NONE, 90, 30); /* ends 20 late */
	add(&s, "g", "k", "orders", ZK_KIND_NONE, 95, 10);
	add(&s, "w", "r", "users", ZK_KIND_NONE, -40, 150); /* longer than its parent */
	t = build(&s);
	k = N(t, "k");
	g = N(t, "g");
	assert_int_equal(t->nodes[k].skew_us, -20);
	assert_int_equal(t->nodes[k].start_us, 70);
	assert_int_equal(t->nodes[g].start_us, 75);
	assert_false(t->nodes[k].exceeds_parent);
	/* cannot fit: starts with its parent, still flagged */
	assert_int_equal(t->nodes[N(t, "w")].skew_us, 40);
	assert_int_equal(t->nodes[N(t, "w")].start_us, 0);
	assert_true(t->nodes[N(t, "w")].exceeds_parent);
	assert_int_equal(t->nskewed, 2);
	assert_int_equal(t->duration_us, 150);
	trace_free(t);
}

/* Parent ids that go round in a circle: every span is still shown, once. */
static void
test_parent_cycle(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	size_t i;
	int seen = 0;

	(void)state;
	add(&s, "r", "", "gateway", ZK_KIND_NONE, 0, 100);
	add(&s, "a", "b", "orders", ZK_KIND_NONE, 10, 10);
	add(&s, "b", "a", "orders", ZK_KIND_NONE, 20, 10);
	add(&s, "z", "z", "orders", ZK_KIND_NONE, 30, 10); /* its own parent */
	t = build(&s);
	assert_true(t->synthetic_root);
	assert_int_equal(t->nnodes, 5);
	assert_int_equal(t->nodes[0].subtree, 5);
	for (i = 1; i < t->nnodes; i++)
		seen += t->nodes[i].orphan;
	assert_int_equal(seen, 2);
	assert_int_equal(t->norphans, 2);
	trace_free(t);
}

static void
test_empty(void **state)
{
	struct err e;

	(void)state;
	assert_null(trace_build(NULL, 0, &e));
	assert_string_equal(e.msg, "zipkin: the trace has no spans");
	trace_free(NULL);
}

static void
test_rows_collapsed(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	bool collapsed[6] = { false };
	int rows[6];
	size_t n;

	(void)state;
	add(&s, "r", "", "gateway", ZK_KIND_NONE, 0, 100);
	add(&s, "a", "r", "orders", ZK_KIND_NONE, 10, 50);
	add(&s, "a1", "a", "orders", ZK_KIND_NONE, 11, 5);
	add(&s, "a2", "a1", "orders", ZK_KIND_NONE, 12, 1);
	add(&s, "b", "r", "orders", ZK_KIND_NONE, 70, 10);
	add(&s, "b1", "b", "orders", ZK_KIND_NONE, 71, 5);
	t = build(&s);
	assert_int_equal(trace_rows(t, NULL, rows, 6), 6);
	assert_int_equal(rows[5], 5);
	collapsed[1] = true; /* a: hides a1, a2 */
	n = trace_rows(t, collapsed, rows, 6);
	assert_int_equal(n, 4);
	assert_int_equal(rows[0], 0);
	assert_int_equal(rows[1], 1);
	assert_int_equal(rows[2], 4);
	assert_int_equal(rows[3], 5);
	collapsed[2] = true; /* inside a collapsed subtree: no change */
	assert_int_equal(trace_rows(t, collapsed, rows, 6), 4);
	collapsed[4] = true;
	assert_int_equal(trace_rows(t, collapsed, rows, 6), 3);
	assert_int_equal(trace_rows(t, collapsed, rows, 2), 2); /* bounded by max */
	assert_int_equal(trace_rows(t, collapsed, NULL, 0), 3); /* counted */
	collapsed[0] = true;
	assert_int_equal(trace_rows(t, collapsed, rows, 6), 1);
	trace_free(t);
}

static void
test_bar(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	int x0, x1, w, i;
	static const int widths[] = { 1, 10, 200 };

	(void)state;
	add(&s, "r", "", "gateway", ZK_KIND_NONE, 0, 1000);
	add(&s, "a", "r", "orders", ZK_KIND_NONE, 0, 1);     /* 0.1% at the start */
	add(&s, "b", "r", "orders", ZK_KIND_NONE, 250, 500); /* the middle half */
	add(&s, "c", "r", "orders", ZK_KIND_NONE, 1000, 0);  /* a tick at the very end */
	add(&s, "d", "r", "orders", ZK_KIND_NONE, 999, 1);
	t = build(&s);
	for (w = 0; w < 3; w++)
		for (i = 0; i < (int)t->nnodes; i++) {
			trace_bar(t, i, widths[w], &x0, &x1);
			assert_true(x0 >= 0);
			assert_true(x1 > x0);
			assert_true(x1 <= widths[w]);
		}
	trace_bar(t, 0, 1, &x0, &x1);
	assert_int_equal(x0, 0);
	assert_int_equal(x1, 1);
	trace_bar(t, 0, 200, &x0, &x1);
	assert_int_equal(x0, 0);
	assert_int_equal(x1, 200);
	trace_bar(t, N(t, "b"), 10, &x0, &x1);
	assert_int_equal(x0, 2);
	assert_int_equal(x1, 8);
	trace_bar(t, N(t, "b"), 200, &x0, &x1);
	assert_int_equal(x0, 50);
	assert_int_equal(x1, 150);
	trace_bar(t, N(t, "a"), 200, &x0, &x1);
	assert_int_equal(x0, 0);
	assert_int_equal(x1, 1);
	trace_bar(t, N(t, "c"), 200, &x0, &x1);
	assert_int_equal(x0, 199);
	assert_int_equal(x1, 200);
	trace_bar(t, N(t, "c"), 1, &x0, &x1);
	assert_int_equal(x0, 0);
	assert_int_equal(x1, 1);
	trace_bar(t, N(t, "d"), 10, &x0, &x1);
	assert_int_equal(x0, 9);
	assert_int_equal(x1, 10);
	trace_bar(t, 99, 10, &x0, &x1); /* out of range: still a cell */
	assert_int_equal(x1 - x0, 1);
	trace_free(t);
}

static void
test_bytes(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	size_t i, spans = 0;

	(void)state;
	add(&s, "r", "", "gateway", ZK_KIND_NONE, 0, 1000);
	tag(add(&s, "a", "r", "orders", ZK_KIND_NONE, 10, 10), "http.path", "/a");
	t = build(&s);
	for (i = 0; i < t->nspans; i++)
		spans += zk_span_bytes(&t->spans[i]);
	assert_true(t->bytes >= spans + t->nnodes * sizeof *t->nodes + sizeof *t);
	assert_true(t->bytes < spans + 4096);
	trace_free(t);
}

static unsigned
rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

/*
 * Random traces from a small id space (so duplicates, shared ids, cycles
 * and missing parents all happen), some with absurd times: every span is
 * one node, parents come before children, the critical path covers the
 * trace, bars stay on the axis.
 */
static void
test_random_traces(void **state)
{
	static const char *const svcs[] = { "gateway", "orders", "payments", NULL };
	static const int64_t wild[] = { INT64_MAX, INT64_MIN + 1, -1, INT64_C(1) << 62 };
	unsigned seed = 7;
	int round;

	(void)state;
	for (round = 0; round < 300; round++) {
		struct spans s = { 0 };
		struct trace *t;
		size_t n = 1 + rnd(&seed) % 40, i, nspans;
		int64_t sum = 0;
		char *seen;

		for (i = 0; i < n; i++) {
			char id[8], parent[8];
			int64_t ts = (int64_t)(rnd(&seed) % 1000),
				dur = (int64_t)(rnd(&seed) % 300);
			struct zk_span *x;

			snprintf(id, sizeof id, "%x", rnd(&seed) % 12);
			snprintf(parent, sizeof parent, "%x", rnd(&seed) % 14);
			if (rnd(&seed) % 10 == 0)
				ts = NOTS;
			if (rnd(&seed) % 10 == 0)
				dur = NOTS;
			x = add(&s, id, rnd(&seed) % 6 == 0 ? "" : parent, svcs[rnd(&seed) % 4],
				(enum zk_kind)(rnd(&seed) % 3), ts, dur);
			x->shared = rnd(&seed) % 3 == 0;
			if (round % 10 == 9 && rnd(&seed) % 4 == 0) {
				x->has_ts = true;
				x->ts_us = wild[rnd(&seed) % 4];
			}
			if (round % 10 == 9 && rnd(&seed) % 8 == 0) {
				x->has_dur = true;
				x->dur_us = wild[rnd(&seed) % 4];
			}
			if (rnd(&seed) % 5 == 0)
				annotate(x, (int64_t)(rnd(&seed) % 1000), "a");
		}
		t = build(&s);
		nspans = t->nspans;
		assert_true(nspans >= 1 && nspans <= n);
		assert_int_equal(t->nnodes, nspans + (t->synthetic_root ? 1 : 0));
		seen = calloc(nspans, 1);
		assert_non_null(seen);
		for (i = 0; i < t->nnodes; i++) {
			const struct trace_node *d = &t->nodes[i];
			int x0, x1;

			if (d->span >= 0) {
				assert_int_equal(seen[d->span], 0);
				seen[d->span] = 1;
			} else {
				assert_int_equal(i, 0);
			}
			if (d->parent >= 0) {
				assert_true(d->parent < (int)i);
				assert_int_equal(d->depth, t->nodes[d->parent].depth + 1);
				assert_true((int)i + d->subtree <=
					    d->parent + t->nodes[d->parent].subtree);
			} else {
				assert_int_equal(i, 0);
			}
			assert_true(d->start_us >= 0 && d->dur_us >= 0);
			assert_true(d->start_us + d->dur_us <= t->duration_us);
			assert_true(d->self_us >= 0 && d->self_us <= d->dur_us);
			sum += d->crit_us;
			trace_bar(t, (int)i, 37, &x0, &x1);
			assert_true(x0 >= 0 && x0 < x1 && x1 <= 37);
		}
		assert_int_equal(t->nodes[0].subtree, t->nnodes);
		assert_int_equal(sum, t->duration_us);
		assert_int_equal(trace_rows(t, NULL, NULL, 0), t->nnodes);
		free(seen);
		trace_free(t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_sibling_order),
		cmocka_unit_test(test_orphans),
		cmocka_unit_test(test_multiple_roots),
		cmocka_unit_test(test_shared_ids),
		cmocka_unit_test(test_shared_without_client),
		cmocka_unit_test(test_duplicates_merged),
		cmocka_unit_test(test_no_timestamp_no_duration),
		cmocka_unit_test(test_clock_skew),
		cmocka_unit_test(test_clock_skew_late_child),
		cmocka_unit_test(test_parent_cycle),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_rows_collapsed),
		cmocka_unit_test(test_bar),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_random_traces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
