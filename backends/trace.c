/*
 * trace.c - a struct trace from spans: shared ids split, the span tree
 * with orphans under a synthetic root, clock skew corrected, nodes in
 * depth-first order.  Duplicates are merged first (trace_merge.c); self
 * time, the critical path, rows and bars are in trace_critical.c.
 *
 * The build works on span indexes until the last step, where the tree is
 * walked once to lay the nodes out depth first.  Parent ids are looked up
 * by binary search in an index sorted by id: no hashing of hostile ids,
 * O(n log n) for any input.  Cycles of parent ids (a trace that claims A
 * is B's parent and B is A's) are cut so that every span is reached once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "trace_internal.h"
#include "xalloc.h"

/* Times are clamped to this so that sums of a few of them cannot overflow. */
#define T_MAX ((int64_t)1 << 60)

static int64_t
clamp_t(int64_t v)
{
	return v < -T_MAX ? -T_MAX : v > T_MAX ? T_MAX : v;
}

/* a + b, both within +-2^62, clamped back to +-2^60. */
static int64_t
tadd(int64_t a, int64_t b)
{
	return clamp_t(clamp_t(a) + clamp_t(b));
}

static const char *
svc_of(const struct zk_span *s)
{
	return s->local.service != NULL ? s->local.service : "";
}

/* A span index with its span, for sorting without a global. */
struct skey {
	const struct zk_span *s;
	int i;
	int64_t start;
};

static int
cmp_int(int a, int b)
{
	return (a > b) - (a < b);
}

/* The id index: id, then index. */
static int
cmp_id(const void *a, const void *b)
{
	const struct skey *x = a, *y = b;
	int c = strcmp(x->s->id, y->s->id);

	return c != 0 ? c : cmp_int(x->i, y->i);
}

/* Siblings: start, id, kind, service, index. */
static int
cmp_sibling(const void *a, const void *b)
{
	const struct skey *x = a, *y = b;
	int c = (x->start > y->start) - (x->start < y->start);

	if (c == 0)
		c = strcmp(x->s->id, y->s->id);
	if (c == 0)
		c = cmp_int((int)x->s->kind, (int)y->s->kind);
	if (c == 0)
		c = strcmp(svc_of(x->s), svc_of(y->s));
	return c != 0 ? c : cmp_int(x->i, y->i);
}

/* Working state of one build. */
struct build {
	struct zk_span *spans;
	size_t n;
	struct skey *by_id; /* sorted by id, then index */
	int *head;          /* per span: the client half of its id's group, or -1 */
	int *parent;        /* per span: parent span, -1 for a top */
	bool *orphan;
	int *kid_off, *kids; /* children per span: kids[kid_off[s] .. kid_off[s + 1]) */
	int64_t *start, *end, *skew;
};

/* The range [*lo, *hi) of by_id holding id. */
static void
id_range(const struct build *b, const char *id, size_t *lo, size_t *hi)
{
	size_t l = 0, h = b->n;

	while (l < h) {
		size_t mid = l + (h - l) / 2;

		if (strcmp(b->by_id[mid].s->id, id) < 0)
			l = mid + 1;
		else
			h = mid;
	}
	for (h = l; h < b->n && strcmp(b->by_id[h].s->id, id) == 0; h++)
		;
	*lo = l;
	*hi = h;
}

/*
 * The head of each id's group: the CLIENT half when there is one (not
 * marked shared), else the first span not marked shared; -1 when every
 * span of the id is shared (the client was not reported).
 */
static void
find_heads(struct build *b)
{
	size_t i, j, k;

	for (i = 0; i < b->n; i = j) {
		int head = -1, client = -1;

		for (j = i; j < b->n && strcmp(b->by_id[j].s->id, b->by_id[i].s->id) == 0; j++) {
			const struct zk_span *s = b->by_id[j].s;

			if (s->shared)
				continue;
			if (head < 0)
				head = b->by_id[j].i;
			if (client < 0 && s->kind == ZK_KIND_CLIENT)
				client = b->by_id[j].i;
		}
		for (k = i; k < j; k++)
			b->head[b->by_id[k].i] = client >= 0 ? client : head;
	}
}

/*
 * The node that a child of service svc with parent id pid hangs under: a
 * server half of that id in the child's service, else the first server
 * half, else the id's only span.  -1 when no span has the id.
 */
static int
resolve_parent(const struct build *b, const char *pid, const char *svc)
{
	size_t lo, hi, k;
	int head, first = -1;

	id_range(b, pid, &lo, &hi);
	if (lo == hi)
		return -1;
	head = b->head[b->by_id[lo].i];
	for (k = lo; k < hi; k++) {
		int m = b->by_id[k].i;

		if (m == head)
			continue;
		if (strcmp(svc_of(&b->spans[m]), svc) == 0)
			return m;
		if (first < 0)
			first = m;
	}
	return first >= 0 ? first : head;
}

/* parent[] and orphan[] from the ids; then cycles cut.  Returns the tops' count. */
static size_t
link_parents(struct build *b)
{
	int *state = xcalloc(b->n, sizeof *state), *path = xmalloc(b->n * sizeof *path);
	size_t i, ntops = 0;

	for (i = 0; i < b->n; i++) {
		const struct zk_span *s = &b->spans[i];
		int h = b->head[i], p;

		if (h >= 0 && h != (int)i) {
			b->parent[i] = h; /* a server half under its client half */
			continue;
		}
		b->parent[i] = -1;
		if (s->parent_id[0] == '\0')
			continue;
		p = resolve_parent(b, s->parent_id, svc_of(s));
		if (p >= 0 && p != (int)i)
			b->parent[i] = p;
		else
			b->orphan[i] = true;
	}
	/*
	 * Every span must reach a top by its parents.  Walk up from each one
	 * not yet known to: meeting a span of the same walk again is a cycle,
	 * cut where it closes (that span becomes an orphan).
	 */
	for (i = 0; i < b->n; i++) {
		size_t len = 0, k;
		int u = (int)i;

		while (state[u] != 2) {
			if (state[u] == 1) {
				b->parent[u] = -1;
				b->orphan[u] = true;
				break;
			}
			if (b->parent[u] < 0)
				break;
			state[u] = 1;
			path[len++] = u;
			u = b->parent[u];
		}
		state[u] = 2;
		for (k = 0; k < len; k++)
			state[path[k]] = 2;
	}
	for (i = 0; i < b->n; i++)
		ntops += b->parent[i] < 0;
	free(state);
	free(path);
	return ntops;
}

/* Children per span in CSR form, in index order (sorted later). */
static void
collect_kids(struct build *b)
{
	size_t i;
	int *fill = xcalloc(b->n + 1, sizeof *fill);

	for (i = 0; i < b->n; i++)
		if (b->parent[i] >= 0)
			b->kid_off[b->parent[i] + 1]++;
	for (i = 0; i < b->n; i++)
		b->kid_off[i + 1] += b->kid_off[i];
	for (i = 0; i < b->n; i++) {
		int p = b->parent[i];

		if (p >= 0)
			b->kids[b->kid_off[p] + fill[p]++] = (int)i;
	}
	free(fill);
}

/* The time from the first annotation to the last; 0 with none. */
static int64_t
annotations_span(const struct zk_span *s, int64_t *first)
{
	size_t i;
	int64_t lo = 0, hi = 0;

	for (i = 0; i < s->nannotations; i++) {
		int64_t v = clamp_t(s->annotations[i].ts_us);

		if (i == 0 || v < lo)
			lo = v;
		if (i == 0 || v > hi)
			hi = v;
	}
	if (first != NULL)
		*first = lo;
	return hi - lo;
}

static int64_t
annotations_first(const struct zk_span *s)
{
	int64_t first = 0;

	(void)annotations_span(s, &first);
	return first;
}

/*
 * The shift that puts child c inside parent p, or 0: only across services
 * (one host's clock cannot disagree with itself), and only when c lies
 * outside p.  A SERVER half under a CLIENT half is centred in it: the
 * request and the response are taken to have taken as long, as Zipkin
 * assumes.  Any other child is moved by the least that puts it inside; a
 * child longer than its parent can only be made to start with it.
 */
static int64_t
skew_of(const struct build *b, int c, int p, int64_t st, int64_t en)
{
	const struct zk_span *cs = &b->spans[c], *ps = &b->spans[p];
	int64_t pst = b->start[p], pen = b->end[p], pd = pen - pst, cd = en - st;

	if (st >= pst && en <= pen)
		return 0;
	if (strcmp(svc_of(cs), svc_of(ps)) == 0)
		return 0;
	if (cd <= pd) {
		if (cs->kind == ZK_KIND_SERVER && ps->kind == ZK_KIND_CLIENT)
			return pst + (pd - cd) / 2 - st;
		return st < pst ? pst - st : pen - en;
	}
	return st < pst ? pst - st : 0;
}

/*
 * Absolute corrected times, parents before children.  A span without a
 * timestamp starts with its parent (a top one at its first annotation,
 * else at the trace's earliest timestamp); without a duration it lasts
 * as long as its annotations.  A node's shift moves its subtree.
 */
static void
place(struct build *b)
{
	int *stack = xmalloc(b->n * sizeof *stack);
	int64_t *total = xmalloc(b->n * sizeof *total), min_ts = 0;
	size_t i, sp = 0;
	bool any_ts = false;

	for (i = 0; i < b->n; i++)
		if (b->spans[i].has_ts && (!any_ts || clamp_t(b->spans[i].ts_us) < min_ts)) {
			min_ts = clamp_t(b->spans[i].ts_us);
			any_ts = true;
		}
	for (i = 0; i < b->n; i++)
		if (b->parent[i] < 0)
			stack[sp++] = (int)i;
	while (sp > 0) {
		int s = stack[--sp], p = b->parent[s], k;
		const struct zk_span *x = &b->spans[s];
		int64_t st, dur, own = 0, inh = p >= 0 ? total[p] : 0;

		dur = x->has_dur ? clamp_t(x->dur_us) : annotations_span(x, NULL);
		if (dur < 0)
			dur = 0;
		if (x->has_ts)
			st = tadd(clamp_t(x->ts_us), inh);
		else if (p >= 0)
			st = b->start[p];
		else if (x->nannotations > 0)
			st = annotations_first(x);
		else
			st = min_ts;
		if (p >= 0 && x->has_ts)
			own = skew_of(b, s, p, st, tadd(st, dur));
		b->skew[s] = own;
		total[s] = tadd(inh, own);
		b->start[s] = tadd(st, own);
		b->end[s] = tadd(b->start[s], dur);
		for (k = b->kid_off[s]; k < b->kid_off[s + 1]; k++)
			stack[sp++] = b->kids[k];
	}
	free(stack);
	free(total);
}

/* Sort the m span indexes of v as siblings: start, id, kind, service, index. */
static void
sort_siblings(const struct build *b, int *v, size_t m, struct skey *k)
{
	size_t j;

	for (j = 0; j < m; j++) {
		k[j].i = v[j];
		k[j].s = &b->spans[v[j]];
		k[j].start = b->start[v[j]];
	}
	qsort(k, m, sizeof *k, cmp_sibling);
	for (j = 0; j < m; j++)
		v[j] = k[j].i;
}

/* Each span's children in sibling order; the tops, so ordered, into tops. */
static void
sort_kids(struct build *b, int *tops, size_t ntops)
{
	struct skey *k = xmalloc(b->n * sizeof *k);
	size_t i, m = 0;

	for (i = 0; i < b->n; i++) {
		sort_siblings(b, &b->kids[b->kid_off[i]],
			      (size_t)(b->kid_off[i + 1] - b->kid_off[i]), k);
		if (b->parent[i] < 0 && m < ntops)
			tops[m++] = (int)i;
	}
	sort_siblings(b, tops, m, k);
	free(k);
}

/* Walk the tree depth first into t->nodes; node 0 is the synthetic root when there is one. */
static void
lay_out(struct trace *t, struct build *b, const int *tops, size_t ntops, const bool *merged)
{
	int *stack = xmalloc((b->n + 1) * sizeof *stack),
	    *node_of = xmalloc(b->n * sizeof *node_of);
	int *last = xmalloc((b->n + 1) * sizeof *last);
	size_t sp = 0, k = 0, i;
	int64_t base = t->start_us;

	if (t->synthetic_root) {
		struct trace_node *r = &t->nodes[k];

		memset(r, 0, sizeof *r);
		r->span = r->parent = r->first_child = r->next_sibling = -1;
		r->dur_us = t->duration_us;
		r->service = "";
		last[k++] = -1;
	}
	for (i = ntops; i-- > 0;)
		stack[sp++] = tops[i];
	while (sp > 0) {
		int s = stack[--sp], pn, j;
		struct trace_node *nd = &t->nodes[k];
		const struct zk_span *x = &b->spans[s];

		pn = b->parent[s] >= 0 ? node_of[b->parent[s]] : t->synthetic_root ? 0 : -1;
		memset(nd, 0, sizeof *nd);
		nd->span = s;
		nd->parent = pn;
		nd->first_child = nd->next_sibling = -1;
		nd->depth = pn >= 0 ? t->nodes[pn].depth + 1 : 0;
		nd->start_us = b->start[s] - base;
		nd->dur_us = b->end[s] - b->start[s];
		nd->skew_us = b->skew[s];
		nd->error = zk_span_error(x);
		nd->orphan = b->orphan[s];
		nd->merged = merged[s];
		nd->service = svc_of(x);
		if (b->parent[s] >= 0) {
			int p = b->parent[s];

			nd->exceeds_parent = b->start[s] < b->start[p] || b->end[s] > b->end[p];
		}
		if (pn >= 0) {
			if (last[pn] < 0)
				t->nodes[pn].first_child = (int)k;
			else
				t->nodes[last[pn]].next_sibling = (int)k;
			last[pn] = (int)k;
			t->nodes[pn].nchildren++;
		}
		last[k] = -1;
		node_of[s] = (int)k++;
		for (j = b->kid_off[s + 1]; j-- > b->kid_off[s];)
			stack[sp++] = b->kids[j];
	}
	for (i = t->nnodes; i-- > 0;) {
		t->nodes[i].subtree++;
		if (t->nodes[i].parent >= 0)
			t->nodes[t->nodes[i].parent].subtree += t->nodes[i].subtree;
	}
	free(stack);
	free(node_of);
	free(last);
}

/* FNV-1a, for the services table. */
static size_t
hash_str(const char *s)
{
	size_t h = (size_t)14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
	return h;
}

/* Distinct services by first appearance, and each node's index among them. */
static void
index_services(struct trace_priv *tp)
{
	struct trace *t = &tp->pub;
	size_t cap = 16, i;
	int *table;

	while (cap < 2 * t->nnodes)
		cap *= 2;
	table = xmalloc(cap * sizeof *table);
	for (i = 0; i < cap; i++)
		table[i] = -1;
	t->services = xmalloc((t->nnodes + 1) * sizeof *t->services);
	tp->svc = xmalloc(t->nnodes * sizeof *tp->svc);
	for (i = 0; i < t->nnodes; i++) {
		const char *s = t->nodes[i].service;
		size_t h;

		tp->svc[i] = -1;
		if (t->nodes[i].span < 0 || *s == '\0')
			continue;
		for (h = hash_str(s) & (cap - 1); table[h] >= 0; h = (h + 1) & (cap - 1))
			if (strcmp(t->services[table[h]], s) == 0)
				break;
		if (table[h] < 0) {
			table[h] = (int)t->nservices;
			t->services[t->nservices++] = (char *)s;
		}
		tp->svc[i] = table[h];
	}
	free(table);
}

static void
build_free(struct build *b)
{
	free(b->by_id);
	free(b->head);
	free(b->parent);
	free(b->orphan);
	free(b->kid_off);
	free(b->kids);
	free(b->start);
	free(b->end);
	free(b->skew);
}

struct trace *
trace_build(struct zk_span *spans, size_t n, struct err *e)
{
	struct trace_priv *tp;
	struct trace *t;
	struct build b;
	bool *merged;
	int *tops;
	size_t i, ntops, nroots = 0;
	int64_t lo = 0, hi = 0;

	if (spans == NULL || n == 0) {
		zk_spans_free(spans, n);
		err_set(e, ERR_BACKEND, "zipkin: the trace has no spans");
		return NULL;
	}
	merged = xcalloc(n, sizeof *merged);
	n = trace_merge_duplicates(spans, n, merged);

	memset(&b, 0, sizeof b);
	b.spans = spans;
	b.n = n;
	b.by_id = xmalloc(n * sizeof *b.by_id);
	for (i = 0; i < n; i++) {
		b.by_id[i].s = &spans[i];
		b.by_id[i].i = (int)i;
		b.by_id[i].start = 0;
	}
	qsort(b.by_id, n, sizeof *b.by_id, cmp_id);
	b.head = xmalloc(n * sizeof *b.head);
	b.parent = xmalloc(n * sizeof *b.parent);
	b.orphan = xcalloc(n, sizeof *b.orphan);
	b.kid_off = xcalloc(n + 1, sizeof *b.kid_off);
	b.kids = xmalloc(n * sizeof *b.kids);
	b.start = xmalloc(n * sizeof *b.start);
	b.end = xmalloc(n * sizeof *b.end);
	b.skew = xmalloc(n * sizeof *b.skew);
	find_heads(&b);
	ntops = link_parents(&b);
	collect_kids(&b);
	place(&b);
	tops = xmalloc(ntops * sizeof *tops);
	sort_kids(&b, tops, ntops);

	tp = xcalloc(1, sizeof *tp);
	t = &tp->pub;
	t->spans = spans;
	t->nspans = n;
	for (i = 0; i < n; i++) {
		if (i == 0 || b.start[i] < lo)
			lo = b.start[i];
		if (i == 0 || b.end[i] > hi)
			hi = b.end[i];
		if (b.parent[i] < 0 && !b.orphan[i])
			nroots++;
		if (b.parent[i] < 0 && b.orphan[i])
			t->norphans++;
		if (b.skew[i] != 0)
			t->nskewed++;
		if (zk_span_error(&spans[i]))
			t->nerrors++;
		if (strlen(spans[i].trace_id) > strlen(t->trace_id))
			memcpy(t->trace_id, spans[i].trace_id, sizeof t->trace_id);
	}
	t->start_us = lo;
	t->duration_us = hi - lo;
	t->synthetic_root = ntops > 1 || nroots == 0;
	t->nnodes = n + (t->synthetic_root ? 1 : 0);
	t->nodes = xcalloc(t->nnodes, sizeof *t->nodes);
	lay_out(t, &b, tops, ntops, merged);
	index_services(tp);
	trace_self_compute(t);
	trace_critical_compute(t);
	t->bytes = sizeof *tp + t->nnodes * (sizeof *t->nodes + sizeof *tp->svc) +
		   (t->nnodes + 1) * sizeof *t->services;
	for (i = 0; i < n; i++)
		t->bytes += zk_span_bytes(&spans[i]);

	free(tops);
	free(merged);
	build_free(&b);
	return t;
}

void
trace_free(struct trace *t)
{
	struct trace_priv *tp = (struct trace_priv *)t;

	if (t == NULL)
		return;
	zk_spans_free(t->spans, t->nspans);
	free(t->nodes);
	free(t->services);
	free(tp->svc);
	free(tp);
}

const struct zk_span *
trace_span(const struct trace *t, int i)
{
	if (t == NULL || i < 0 || (size_t)i >= t->nnodes || t->nodes[i].span < 0)
		return NULL;
	return &t->spans[t->nodes[i].span];
}

int
trace_service_index(const struct trace *t, int i)
{
	const struct trace_priv *tp = (const struct trace_priv *)t;

	if (t == NULL || i < 0 || (size_t)i >= t->nnodes)
		return -1;
	return tp->svc[i];
}
