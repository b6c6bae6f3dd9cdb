/*
 * test_trace_critical.c - the critical path and self time of
 * backends/trace.c on hand-built traces with known answers: a chain,
 * parallel children (the last to finish is on the path, the gaps are the
 * parent's), sequential children, a child past its parent's end, a
 * synthetic root, zero-length children, a 10,000-deep chain, and the
 * service holding the most of the path.  In every case the crit_us of all
 * nodes sum to the trace's duration.
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

struct spans {
	struct zk_span *v;
	size_t n;
};

/* Append a span: id (also its name), parent id, local service, start after T0, duration. */
static struct zk_span *
add(struct spans *s, const char *id, const char *parent, const char *svc, int64_t ts, int64_t dur)
{
	struct zk_span *x;

	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	x = &s->v[s->n++];
	memset(x, 0, sizeof *x);
	strcpy(x->trace_id, "00000000000000b2");
	snprintf(x->id, sizeof x->id, "%s", id);
	snprintf(x->parent_id, sizeof x->parent_id, "%s", parent);
	x->name = xstrdup(id);
	x->local.service = xstrdup(svc);
	x->has_ts = x->has_dur = true;
	x->ts_us = T0 + ts;
	x->dur_us = dur;
	return x;
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

static const struct trace_node *
nd(const struct trace *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nnodes; i++) {
		const struct zk_span *s = trace_span(t, (int)i);

		if (s != NULL && strcmp(s->name, name) == 0)
			return &t->nodes[i];
	}
	fail_msg("no node %s", name);
	return NULL;
}

static int64_t
crit(const struct trace *t, const char *name)
{
	return nd(t, name)->crit_us;
}

static void
assert_sum_is_duration(const struct trace *t)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < t->nnodes; i++) {
		assert_true(t->nodes[i].crit_us >= 0);
		assert_true(t->nodes[i].on_critical == (t->nodes[i].crit_us > 0));
		sum += t->nodes[i].crit_us;
	}
	assert_int_equal(sum, t->duration_us);
}

static void
test_chain(void **state)
{
	struct spans s = { 0 };
	struct trace *t;

	(void)state;
	add(&s, "a", "", "gateway", 0, 100);
	add(&s, "b", "a", "orders", 10, 80);
	add(&s, "c", "b", "payments", 20, 30);
	t = build(&s);
	assert_int_equal(crit(t, "a"), 20);
	assert_int_equal(crit(t, "b"), 50);
	assert_int_equal(crit(t, "c"), 30);
	assert_sum_is_duration(t);
	trace_free(t);
}

/*
 * Parallel children of p [0,100]: x [10,60], y [10,80], z [30,50].  y
 * finishes last: it is on the path for all of its 70; x and z ran beside
 * it and are not.  The gaps [0,10] and [80,100] are p's: its self time.
 */
static void
test_parallel(void **state)
{
	struct spans s = { 0 };
	struct trace *t;

	(void)state;
	add(&s, "p", "", "gateway", 0, 100);
	add(&s, "x", "p", "orders", 10, 50);
	add(&s, "y", "p", "inventory", 10, 70);
	add(&s, "z", "p", "users", 30, 20);
	t = build(&s);
	assert_int_equal(crit(t, "y"), 70);
	assert_int_equal(crit(t, "x"), 0);
	assert_int_equal(crit(t, "z"), 0);
	assert_int_equal(crit(t, "p"), 30);
	assert_int_equal(nd(t, "p")->self_us, 30);
	assert_true(nd(t, "y")->on_critical);
	assert_false(nd(t, "x")->on_critical);
	assert_sum_is_duration(t);
	trace_free(t);
}

/*
 * Overlapping but staggered: after y [40,90] the walk goes back to 40;
 * x [10,60] ended after that point and is passed over, w [0,30] ended
 * before it and is on the path.
 */
static void
test_staggered(void **state)
{
	struct spans s = { 0 };
	struct trace *t;

	(void)state;
	add(&s, "p", "", "gateway", 0, 100);
	add(&s, "w", "p", "orders", 0, 30);
	add(&s, "x", "p", "orders", 10, 50);
	add(&s, "y", "p", "orders", 40, 50);
	t = build(&s);
	assert_int_equal(crit(t, "y"), 50);
	assert_int_equal(crit(t, "x"), 0);
	assert_int_equal(crit(t, "w"), 30);
	assert_int_equal(crit(t, "p"), 20); /* [30,40] and [90,100] */
	assert_int_equal(nd(t, "p")->self_us, 10);
	assert_sum_is_duration(t);
	trace_free(t);
}

/* One after the other, back to back: each child is on the path for all of its time. */
static void
test_sequential(void **state)
{
	struct spans s = { 0 };
	struct trace *t;

	(void)state;
	add(&s, "p", "", "gateway", 0, 100);
	add(&s, "a", "p", "orders", 10, 30);
	add(&s, "b", "p", "orders", 40, 30);
	add(&s, "c", "p", "orders", 75, 20);
	t = build(&s);
	assert_int_equal(crit(t, "a"), 30);
	assert_int_equal(crit(t, "b"), 30);
	assert_int_equal(crit(t, "c"), 20);
	assert_int_equal(crit(t, "p"), 20);
	assert_int_equal(nd(t, "p")->self_us, 20);
	assert_sum_is_duration(t);
	trace_free(t);
}

/*
 * Calls made one after another whose client spans overlap by clock jitter
 * (the first closes 300 us after the second began): still sequential, the
 * first one's overrun is cut where the second began, and the parent does
 * not take the first call's 80 ms as its own.  An overlap of half a call
 * is parallel work: passed over, as Jaeger does.
 */
static void
test_jitter_overlap(void **state)
{
	struct spans s = { 0 };
	struct trace *t;

	(void)state;
	add(&s, "p", "", "gateway", 0, 90700);
	add(&s, "orders", "p", "gateway", 500, 79900);  /* ends at 80400 */
	add(&s, "users", "p", "gateway", 80100, 10600); /* ends at 90700 */
	t = build(&s);
	assert_int_equal(crit(t, "users"), 10600);
	assert_int_equal(crit(t, "orders"), 80100 - 500);
	assert_int_equal(crit(t, "p"), 500);
	assert_sum_is_duration(t);
	trace_free(t);

	add(&s, "p", "", "gateway", 0, 100);
	add(&s, "a", "p", "orders", 0, 60); /* overlaps b by 40 of its 60 */
	add(&s, "b", "p", "orders", 20, 80);
	t = build(&s);
	assert_int_equal(crit(t, "b"), 80);
	assert_int_equal(crit(t, "a"), 0);
	assert_int_equal(crit(t, "p"), 20);
	assert_sum_is_duration(t);
	trace_free(t);
}

/*
 * A child of the same service that runs past its parent's end (not moved:
 * one clock): the time after the parent ended still counts, for the
 * child, so the path covers the whole trace.  Self time stays within the
 * parent's own span.
 */
static void
test_child_past_parent_end(void **state)
{
	struct spans s = { 0 };
	struct trace *t;

	(void)state;
	add(&s, "r", "", "gateway", 0, 100);
	add(&s, "c", "r", "gateway", 10, 80);
	add(&s, "g", "c", "gateway", 50, 70); /* ends at 120, c at 90, r at 100 */
	t = build(&s);
	assert_true(nd(t, "g")->exceeds_parent);
	assert_int_equal(t->duration_us, 120);
	assert_int_equal(crit(t, "g"), 70);
	assert_int_equal(crit(t, "c"), 40);
	assert_int_equal(crit(t, "r"), 10);
	assert_int_equal(nd(t, "c")->self_us, 40);
	assert_int_equal(nd(t, "r")->self_us, 20);
	assert_sum_is_duration(t);
	trace_free(t);
}

/* Two roots under the synthetic root: the gap between them is the root's. */
static void
test_synthetic_root(void **state)
{
	struct spans s = { 0 };
	struct trace *t;

	(void)state;
	add(&s, "a", "", "gateway", 0, 20);
	add(&s, "b", "", "batch", 50, 10);
	add(&s, "o", "gone", "orders", 55, 40);
	t = build(&s);
	assert_true(t->synthetic_root);
	assert_int_equal(t->duration_us, 95);
	assert_int_equal(crit(t, "o"), 40);
	assert_int_equal(crit(t, "b"), 0); /* ran beside o, finished first */
	assert_int_equal(crit(t, "a"), 20);
	assert_int_equal(t->nodes[0].crit_us, 35);
	assert_sum_is_duration(t);
	trace_free(t);
}

/* Zero-length children at the point the walk reaches: no loop, no time. */
static void
test_zero_length(void **state)
{
	struct spans s = { 0 };
	struct trace *t;

	(void)state;
	add(&s, "p", "", "gateway", 0, 100);
	add(&s, "a", "p", "orders", 100, 0);
	add(&s, "b", "p", "orders", 100, 0);
	add(&s, "c", "p", "orders", 40, 0);
	add(&s, "d", "p", "orders", 40, 20);
	t = build(&s);
	assert_int_equal(crit(t, "a"), 0);
	assert_int_equal(crit(t, "b"), 0);
	assert_int_equal(crit(t, "c"), 0);
	assert_int_equal(crit(t, "d"), 20);
	assert_int_equal(crit(t, "p"), 80);
	assert_sum_is_duration(t);
	trace_free(t);

	add(&s, "p", "", "gateway", 0, 0);
	t = build(&s);
	assert_int_equal(t->duration_us, 0);
	assert_int_equal(t->nodes[0].crit_us, 0);
	assert_false(t->nodes[0].on_critical);
	trace_free(t);
}

/* A chain 10,000 deep: no recursion on the C stack. */
static void
test_deep_chain(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	char id[17], parent[17];
	int i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		snprintf(id, sizeof id, "%016x", i + 1);
		snprintf(parent, sizeof parent, "%016x", i);
		add(&s, id, i == 0 ? "" : parent, i % 2 ? "orders" : "gateway", i, 20000 - 2 * i);
	}
	t = build(&s);
	assert_int_equal(t->nnodes, 10000);
	assert_int_equal(t->nodes[9999].depth, 9999);
	assert_int_equal(t->nodes[0].crit_us, 2);
	assert_int_equal(t->nodes[9999].crit_us, 2);
	assert_sum_is_duration(t);
	trace_free(t);
}

/*
 * gateway holds 10 + 10, orders 30, payments 50 of the path: payments is
 * the service to look at, even though orders has more spans on the path.
 */
static void
test_critical_service(void **state)
{
	struct spans s = { 0 };
	struct trace *t;
	int64_t us = -1;

	(void)state;
	add(&s, "g", "", "gateway", 0, 100);
	add(&s, "o", "g", "orders", 10, 80);
	add(&s, "o2", "o", "orders", 20, 10);
	add(&s, "p", "o", "payments", 35, 50);
	t = build(&s);
	assert_int_equal(crit(t, "o") + crit(t, "o2"), 30);
	assert_string_equal(trace_critical_service(t, &us), "payments");
	assert_int_equal(us, 50);
	assert_null(trace_critical_service(NULL, &us));
	assert_int_equal(us, 0);
	trace_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain),          cmocka_unit_test(test_parallel),
		cmocka_unit_test(test_staggered),      cmocka_unit_test(test_sequential),
		cmocka_unit_test(test_jitter_overlap), cmocka_unit_test(test_child_past_parent_end),
		cmocka_unit_test(test_synthetic_root), cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_deep_chain),     cmocka_unit_test(test_critical_service),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
