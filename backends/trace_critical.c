/*
 * trace_critical.c - timing along the tree: each node's self time, the
 * critical path, and the service that holds most of it; the waterfall's
 * rows and bars.
 *
 * The critical path is Jaeger's: start at the end of the top node and walk
 * back; the child that finished last at or before the current point is on
 * the path and owns its time, the walk goes into it and comes back out at
 * its start; the time between children is the parent's own.  Children
 * that overlap the one taken are passed over (the parent was waiting on
 * the later one anyway), unless the overlap is a sliver of clock jitter
 * between calls made one after another (see qualifies).
 *
 * Where Jaeger truncates a child that runs past its parent's end, here a
 * node's window is its span extended to cover its descendants' windows:
 * the time a child ran after its parent ended still counts, for the child.
 * So the path always covers the top node's window, which is the whole
 * trace, and the crit_us of all nodes sum to trace.duration_us, as
 * trace.h promises.  The walk is iterative: a 10,000-deep chain of spans
 * must not exhaust the C stack.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "trace_internal.h"
#include "xalloc.h"

void
trace_self_compute(struct trace *t)
{
	size_t i;

	for (i = 0; i < t->nnodes; i++) {
		struct trace_node *n = &t->nodes[i];
		int64_t s = n->start_us, e = n->start_us + n->dur_us, covered = 0, at = s;
		int c;

		/* Children come by start time: one sweep unites their intervals. */
		for (c = n->first_child; c >= 0; c = t->nodes[c].next_sibling) {
			int64_t cs = t->nodes[c].start_us, ce = cs + t->nodes[c].dur_us;

			if (cs < at)
				cs = at;
			if (ce > e)
				ce = e;
			if (ce > cs) {
				covered += ce - cs;
				at = ce;
			}
		}
		n->self_us = n->dur_us - covered;
	}
}

/* A child in the walk's order: latest end first, then the longer, then the first node. */
struct kid {
	int64_t ws, we;
	int node;
};

static int
cmp_kid(const void *a, const void *b)
{
	const struct kid *x = a, *y = b;

	if (x->we != y->we)
		return x->we > y->we ? -1 : 1;
	if (x->ws != y->ws)
		return x->ws < y->ws ? -1 : 1;
	return (x->node > y->node) - (x->node < y->node);
}

/*
 * Whether child k can be the one the walk takes at point: it finished by
 * then, or it started before and overran point by at most a tenth of its
 * own length - calls made one after another whose times overlap by clock
 * jitter (a client span closing after the next call began) are sequential,
 * and the overrun is cut at point.  A child overlapping by more ran in
 * parallel with the later one and is passed over, as Jaeger does.
 */
static bool
qualifies(const struct kid *k, int64_t point)
{
	if (k->ws >= point)
		return false;
	return k->we <= point || k->we - point <= (k->we - k->ws) / 10;
}

/* One node being walked: the point reached, and the next of its children to try. */
struct frame {
	int node;
	int next;
	int64_t point;
};

void
trace_critical_compute(struct trace *t)
{
	size_t n = t->nnodes, i;
	int64_t *ws, *we;
	int *off;
	struct kid *kids;
	struct frame *stack;
	size_t sp = 0;

	for (i = 0; i < n; i++) {
		t->nodes[i].crit_us = 0;
		t->nodes[i].on_critical = false;
	}
	if (n == 0)
		return;
	ws = xmalloc(n * sizeof *ws);
	we = xmalloc(n * sizeof *we);
	off = xcalloc(n + 1, sizeof *off);
	kids = xmalloc(n * sizeof *kids);
	stack = xmalloc(n * sizeof *stack);

	for (i = 0; i < n; i++) {
		ws[i] = t->nodes[i].start_us;
		we[i] = t->nodes[i].start_us + t->nodes[i].dur_us;
		off[i + 1] = off[i] + t->nodes[i].nchildren;
	}
	/* Depth-first order: a node's descendants follow it, so go backwards. */
	for (i = n; i-- > 0;) {
		int p = t->nodes[i].parent;

		if (p < 0)
			continue;
		if (ws[i] < ws[p])
			ws[p] = ws[i];
		if (we[i] > we[p])
			we[p] = we[i];
	}
	for (i = 0; i < n; i++) {
		int c, k = off[i];

		for (c = t->nodes[i].first_child; c >= 0; c = t->nodes[c].next_sibling, k++) {
			kids[k].ws = ws[c];
			kids[k].we = we[c];
			kids[k].node = c;
		}
		qsort(&kids[off[i]], (size_t)(k - off[i]), sizeof *kids, cmp_kid);
	}

	stack[sp++] = (struct frame){ .node = 0, .next = off[0], .point = we[0] };
	while (sp > 0) {
		struct frame *f = &stack[sp - 1];
		int end = off[f->node + 1];

		while (f->next < end && !qualifies(&kids[f->next], f->point))
			f->next++;
		if (f->next < end) {
			const struct kid *k = &kids[f->next++];
			int64_t kend = k->we < f->point ? k->we : f->point;

			t->nodes[f->node].crit_us += f->point - kend;
			f->point = k->ws;
			stack[sp++] = (struct frame){ .node = k->node,
						      .next = off[k->node],
						      .point = kend };
		} else {
			t->nodes[f->node].crit_us += f->point - ws[f->node];
			sp--;
		}
	}
	for (i = 0; i < n; i++)
		t->nodes[i].on_critical = t->nodes[i].crit_us > 0;

	free(ws);
	free(we);
	free(off);
	free(kids);
	free(stack);
}

const char *
trace_critical_service(const struct trace *t, int64_t *us)
{
	const struct trace_priv *tp = (const struct trace_priv *)t;
	int64_t *sum, best_us = 0;
	int best = -1;
	size_t i;

	if (us != NULL)
		*us = 0;
	if (t == NULL || t->nnodes == 0 || t->nservices == 0)
		return NULL;
	sum = xcalloc(t->nservices, sizeof *sum);
	for (i = 0; i < t->nnodes; i++)
		if (tp->svc[i] >= 0)
			sum[tp->svc[i]] += t->nodes[i].crit_us;
	for (i = 0; i < t->nservices; i++)
		if (best < 0 || sum[i] > best_us) {
			best = (int)i;
			best_us = sum[i];
		}
	free(sum);
	if (us != NULL)
		*us = best_us;
	return t->services[best];
}

size_t
trace_rows(const struct trace *t, const bool *collapsed, int *rows, size_t max)
{
	size_t i = 0, k = 0;

	if (t == NULL)
		return 0;
	while (i < t->nnodes && (rows == NULL || k < max)) {
		if (rows != NULL)
			rows[k] = (int)i;
		k++;
		i += collapsed != NULL && collapsed[i] ? (size_t)t->nodes[i].subtree : 1;
	}
	return k;
}

/* floor(v * w / d) for 0 <= v <= d, without overflow. */
static int64_t
scale(int64_t v, int w, int64_t d, bool up)
{
	if (d <= INT64_MAX / w) {
		int64_t p = v * w;

		return p / d + (up && p % d != 0);
	}
	{
		long double x = (long double)v * w / (long double)d;
		int64_t f = (int64_t)x;

		return f + (up && (long double)f < x);
	}
}

void
trace_bar(const struct trace *t, int i, int width, int *x0, int *x1)
{
	int64_t d, s, en, a, z;

	*x0 = 0;
	*x1 = 1;
	if (t == NULL || i < 0 || (size_t)i >= t->nnodes || width < 1)
		return;
	d = t->duration_us;
	s = t->nodes[i].start_us;
	en = s + t->nodes[i].dur_us;
	s = s < 0 ? 0 : s > d ? d : s;
	en = en < s ? s : en > d ? d : en;
	if (d <= 0)
		return; /* a trace of no length: every span is a tick at its start */
	a = scale(s, width, d, false);
	z = scale(en, width, d, true);
	if (a > width - 1)
		a = width - 1;
	if (z <= a)
		z = a + 1;
	*x0 = (int)a;
	*x1 = (int)z;
}
