/*
 * topology.c - the dependency graph in layers (Sugiyama): cycles broken by
 * a depth-first search, longest-path layers, virtual nodes on long edges,
 * barycentre ordering sweeps, crossings counted as inversions.
 *
 * Every step works from the nodes sorted by name and the edges sorted by
 * (caller, callee), and every sort breaks its ties on those indexes, so
 * the same links in any order give the same layout.  Barycentres are
 * compared as exact fractions (sum * count), never as doubles.
 */
#include <stdlib.h>
#include <string.h>

#include "topology.h"
#include "xalloc.h"

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
topology_find(const struct topo_layout *t, const char *name)
{
	size_t lo = 0, hi;

	if (t == NULL || name == NULL)
		return -1;
	hi = t->nreal;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->nodes[mid].name, name);

		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* An edge between the services' indexes, before merging. */
struct raw {
	int from, to;
	long long calls, errors;
};

static int
cmp_raw(const void *a, const void *b)
{
	const struct raw *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return (x->to > y->to) - (x->to < y->to);
}

/* The real nodes, sorted by name, and the merged edges between them (self-calls counted). */
static void
collect(struct topo_layout *t, const struct zk_link *links, size_t n)
{
	const char **names = xmalloc((2 * n + 1) * sizeof *names);
	struct raw *raw = xmalloc((n + 1) * sizeof *raw);
	size_t i, k = 0, m = 0;

	for (i = 0; i < n; i++)
		if (links[i].parent != NULL && links[i].child != NULL) {
			names[k++] = links[i].parent;
			names[k++] = links[i].child;
		}
	qsort(names, k, sizeof *names, cmp_name);
	t->nodes = xcalloc(k + 1, sizeof *t->nodes);
	for (i = 0; i < k; i++)
		if (t->nreal == 0 || strcmp(t->nodes[t->nreal - 1].name, names[i]) != 0)
			t->nodes[t->nreal++].name = xstrdup(names[i]);
	t->nnodes = t->nreal;
	free(names);

	for (i = 0; i < n; i++) {
		int a, b;

		if (links[i].parent == NULL || links[i].child == NULL)
			continue;
		a = topology_find(t, links[i].parent);
		b = topology_find(t, links[i].child);
		if (a == b) {
			t->nodes[a].calls_in += links[i].calls;
			t->nodes[a].calls_out += links[i].calls;
			t->nodes[a].errors_in += links[i].errors;
			t->nodes[a].errors_out += links[i].errors;
			continue;
		}
		raw[m++] = (struct raw){ a, b, links[i].calls, links[i].errors };
	}
	qsort(raw, m, sizeof *raw, cmp_raw);
	t->edges = xcalloc(m + 1, sizeof *t->edges);
	for (i = 0; i < m; i++) {
		struct topo_edge *e = &t->edges[t->nedges];

		if (t->nedges > 0 && e[-1].from == raw[i].from && e[-1].to == raw[i].to) {
			e[-1].calls += raw[i].calls;
			e[-1].errors += raw[i].errors;
			continue;
		}
		e->from = raw[i].from;
		e->to = raw[i].to;
		e->calls = raw[i].calls;
		e->errors = raw[i].errors;
		t->nedges++;
	}
	for (i = 0; i < t->nedges; i++) {
		const struct topo_edge *e = &t->edges[i];

		t->nodes[e->from].calls_out += e->calls;
		t->nodes[e->from].errors_out += e->errors;
		t->nodes[e->to].calls_in += e->calls;
		t->nodes[e->to].errors_in += e->errors;
	}
	free(raw);
}

/*
 * Depth-first search from the sources (nobody calls them), in name order,
 * then from whatever is left (cycles nobody enters from outside), also in
 * name order; an edge to a node still on the search's stack closes a
 * cycle and is reversed.  Edges are sorted by caller, so a node's
 * out-edges are a range, taken in callee name order.
 */
static void
break_cycles(struct topo_layout *t, const int *eoff)
{
	size_t n = t->nreal, i, pass;
	int *color = xcalloc(n + 1, sizeof *color), *indeg = xcalloc(n + 1, sizeof *indeg);
	int *stack = xmalloc((n + 1) * sizeof *stack), *next = xmalloc((n + 1) * sizeof *next);

	for (i = 0; i < t->nedges; i++)
		indeg[t->edges[i].to]++;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++) {
			size_t sp = 0;

			if (color[i] != 0 || (pass == 0 && indeg[i] > 0))
				continue;
			color[i] = 1;
			stack[sp] = (int)i;
			next[sp++] = eoff[i];
			while (sp > 0) {
				int v = stack[sp - 1];

				if (next[sp - 1] < eoff[v + 1]) {
					struct topo_edge *e = &t->edges[next[sp - 1]++];

					if (color[e->to] == 1) {
						e->reversed = true;
					} else if (color[e->to] == 0) {
						color[e->to] = 1;
						stack[sp] = e->to;
						next[sp++] = eoff[e->to];
					}
				} else {
					color[v] = 2;
					sp--;
				}
			}
		}
	free(color);
	free(indeg);
	free(stack);
	free(next);
}

/* The caller side of e once cycles are broken (the edge as the layers see it). */
static int
dag_from(const struct topo_edge *e)
{
	return e->reversed ? e->to : e->from;
}

static int
dag_to(const struct topo_edge *e)
{
	return e->reversed ? e->from : e->to;
}

/* Longest-path layers: Kahn's order over the acyclic edges. */
static void
assign_layers(struct topo_layout *t)
{
	size_t n = t->nreal, i, head = 0, tail = 0;
	int *indeg = xcalloc(n + 1, sizeof *indeg), *queue = xmalloc((n + 1) * sizeof *queue);
	int *off = xcalloc(n + 2, sizeof *off), *out = xmalloc((t->nedges + 1) * sizeof *out);
	int *fill = xcalloc(n + 1, sizeof *fill);

	for (i = 0; i < t->nedges; i++) {
		indeg[dag_to(&t->edges[i])]++;
		off[dag_from(&t->edges[i]) + 1]++;
	}
	for (i = 0; i < n; i++)
		off[i + 1] += off[i];
	for (i = 0; i < t->nedges; i++) {
		int a = dag_from(&t->edges[i]);

		out[off[a] + fill[a]++] = dag_to(&t->edges[i]);
	}
	for (i = 0; i < n; i++) {
		t->nodes[i].layer = 0;
		if (indeg[i] == 0)
			queue[tail++] = (int)i;
	}
	while (head < tail) {
		int v = queue[head++], k;

		for (k = off[v]; k < off[v + 1]; k++) {
			int w = out[k];

			if (t->nodes[w].layer < t->nodes[v].layer + 1)
				t->nodes[w].layer = t->nodes[v].layer + 1;
			if (--indeg[w] == 0)
				queue[tail++] = w;
		}
	}
	t->nlayers = 0;
	for (i = 0; i < n; i++)
		if (t->nodes[i].layer + 1 > t->nlayers)
			t->nlayers = t->nodes[i].layer + 1;
	free(indeg);
	free(queue);
	free(off);
	free(out);
	free(fill);
}

/* Each edge's path, with a virtual node in every layer it crosses. */
static void
add_paths(struct topo_layout *t)
{
	size_t i, nvirt = 0;

	for (i = 0; i < t->nedges; i++) {
		int span = t->nodes[dag_to(&t->edges[i])].layer -
			   t->nodes[dag_from(&t->edges[i])].layer;

		nvirt += (size_t)(span - 1);
	}
	t->nodes = xrealloc(t->nodes, (t->nreal + nvirt + 1) * sizeof *t->nodes);
	memset(&t->nodes[t->nreal], 0, (nvirt + 1) * sizeof *t->nodes);
	for (i = 0; i < t->nedges; i++) {
		struct topo_edge *e = &t->edges[i];
		int dir = e->reversed ? -1 : 1, k;
		int len = (t->nodes[e->to].layer - t->nodes[e->from].layer) * dir + 1;

		e->npath = len;
		e->path = xmalloc((size_t)len * sizeof *e->path);
		e->path[0] = e->from;
		e->path[len - 1] = e->to;
		for (k = 1; k < len - 1; k++) {
			struct topo_node *v = &t->nodes[t->nnodes];

			v->layer = t->nodes[e->from].layer + dir * k;
			e->path[k] = (int)t->nnodes++;
		}
	}
}

/* A segment of an edge between layer and layer + 1: a above, b below. */
struct seg {
	int layer, a, b;
	int pa, pb; /* their positions, filled before sorting */
};

static int
cmp_seg(const void *x, const void *y)
{
	const struct seg *s = x, *u = y;

	if (s->layer != u->layer)
		return s->layer < u->layer ? -1 : 1;
	if (s->pa != u->pa)
		return s->pa < u->pa ? -1 : 1;
	return (s->pb > u->pb) - (s->pb < u->pb);
}

/* Every segment of every edge's path, oriented from the lower layer. */
static struct seg *
segments(const struct topo_layout *t, size_t *nseg)
{
	size_t i, n = 0;
	struct seg *s;
	int k;

	for (i = 0; i < t->nedges; i++)
		n += t->edges[i].npath > 1 ? (size_t)(t->edges[i].npath - 1) : 0;
	s = xmalloc((n + 1) * sizeof *s);
	n = 0;
	for (i = 0; i < t->nedges; i++)
		for (k = 0; k + 1 < t->edges[i].npath; k++) {
			int a = t->edges[i].path[k], b = t->edges[i].path[k + 1];

			if (t->nodes[a].layer > t->nodes[b].layer) {
				int x = a;

				a = b;
				b = x;
			}
			s[n].layer = t->nodes[a].layer;
			s[n].a = a;
			s[n++].b = b;
		}
	*nseg = n;
	return s;
}

/*
 * Crossings between adjacent layers: with the segments of a layer sorted
 * by (upper position, lower position), two cross exactly when the later
 * one has the smaller lower position.  Count those inversions with a
 * Fenwick tree over the lower positions (bit: width + 1 zeros, left so).
 */
static size_t
count_crossings(const struct topo_node *nodes, struct seg *s, size_t n, int *bit, int width)
{
	size_t i, j, total = 0;

	for (i = 0; i < n; i++) {
		s[i].pa = nodes[s[i].a].pos;
		s[i].pb = nodes[s[i].b].pos;
	}
	qsort(s, n, sizeof *s, cmp_seg);
	for (i = 0; i < n; i = j) {
		size_t seen = 0;

		for (j = i; j < n && s[j].layer == s[i].layer; j++) {
			size_t le = 0;
			int x;

			for (x = s[j].pb + 1; x > 0; x -= x & -x)
				le += (size_t)bit[x];
			total += seen - le;
			for (x = s[j].pb + 1; x <= width; x += x & -x)
				bit[x]++;
			seen++;
		}
		for (j = i; j < n && s[j].layer == s[i].layer; j++) {
			int x;

			for (x = s[j].pb + 1; x <= width; x += x & -x)
				bit[x]--;
		}
	}
	return total;
}

size_t
topology_crossings(const struct topo_layout *t)
{
	size_t nseg, total, i;
	struct seg *s;
	int width = 1, *bit;

	if (t == NULL)
		return 0;
	for (i = 0; i < t->nnodes; i++)
		if (t->nodes[i].pos + 1 > width)
			width = t->nodes[i].pos + 1;
	s = segments(t, &nseg);
	bit = xcalloc((size_t)width + 1, sizeof *bit);
	total = count_crossings(t->nodes, s, nseg, bit, width);
	free(bit);
	free(s);
	return total;
}

/* The ordering's working state: layers as ranges of lay[], neighbours above and below. */
struct order {
	int *lay, *lay_off;   /* nodes of layer l: lay[lay_off[l] .. lay_off[l + 1]) */
	int *up, *up_off;     /* neighbours of v in the layer above: up[up_off[v] ..] */
	int *down, *down_off; /* and in the layer below */
	struct seg *segs;
	size_t nsegs;
	int *bit, width;
};

/* A node's sort key in a pass: barycentre sum / cnt, then its current position. */
struct bkey {
	long long sum, cnt;
	int pos, node;
};

static int
cmp_bkey(const void *a, const void *b)
{
	const struct bkey *x = a, *y = b;
	long long l = x->sum * y->cnt, r = y->sum * x->cnt;

	if (l != r)
		return l < r ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Reorder layer l by the barycentres of its neighbours in nb (up or down). */
static void
order_layer(struct topo_layout *t, struct order *o, int l, const int *nb, const int *nb_off,
	    struct bkey *k)
{
	int lo = o->lay_off[l], hi = o->lay_off[l + 1], i, j;

	for (i = lo; i < hi; i++) {
		int v = o->lay[i];
		struct bkey *x = &k[i - lo];

		x->node = v;
		x->pos = t->nodes[v].pos;
		x->sum = 0;
		x->cnt = nb_off[v + 1] - nb_off[v];
		for (j = nb_off[v]; j < nb_off[v + 1]; j++)
			x->sum += t->nodes[nb[j]].pos;
		if (x->cnt == 0) { /* nothing to follow: stay put */
			x->sum = x->pos;
			x->cnt = 1;
		}
	}
	qsort(k, (size_t)(hi - lo), sizeof *k, cmp_bkey);
	for (i = lo; i < hi; i++) {
		o->lay[i] = k[i - lo].node;
		t->nodes[o->lay[i]].pos = i - lo;
	}
}

static void
order_init(struct topo_layout *t, struct order *o)
{
	size_t i, n = t->nnodes;
	int *fill = xcalloc(n + 1, sizeof *fill), *fup = xcalloc(n + 1, sizeof *fup);

	o->lay_off = xcalloc((size_t)t->nlayers + 2, sizeof *o->lay_off);
	o->lay = xmalloc((n + 1) * sizeof *o->lay);
	for (i = 0; i < n; i++)
		o->lay_off[t->nodes[i].layer + 1]++;
	for (i = 0; i < (size_t)t->nlayers; i++)
		o->lay_off[i + 1] += o->lay_off[i];
	/* First order: by index, so real nodes by name, then virtual ones by edge. */
	for (i = 0; i < n; i++) {
		int l = t->nodes[i].layer;

		t->nodes[i].pos = fill[l];
		o->lay[o->lay_off[l] + fill[l]++] = (int)i;
	}
	t->layer_size = xcalloc((size_t)t->nlayers + 1, sizeof *t->layer_size);
	o->width = 1;
	for (i = 0; i < (size_t)t->nlayers; i++) {
		t->layer_size[i] = o->lay_off[i + 1] - o->lay_off[i];
		if (t->layer_size[i] > o->width)
			o->width = t->layer_size[i];
	}
	o->segs = segments(t, &o->nsegs);
	o->up_off = xcalloc(n + 2, sizeof *o->up_off);
	o->down_off = xcalloc(n + 2, sizeof *o->down_off);
	o->up = xmalloc((o->nsegs + 1) * sizeof *o->up);
	o->down = xmalloc((o->nsegs + 1) * sizeof *o->down);
	for (i = 0; i < o->nsegs; i++) {
		o->up_off[o->segs[i].b + 1]++;
		o->down_off[o->segs[i].a + 1]++;
	}
	for (i = 0; i < n; i++) {
		o->up_off[i + 1] += o->up_off[i];
		o->down_off[i + 1] += o->down_off[i];
	}
	memset(fill, 0, (n + 1) * sizeof *fill);
	for (i = 0; i < o->nsegs; i++) {
		int a = o->segs[i].a, b = o->segs[i].b;

		o->up[o->up_off[b] + fup[b]++] = a;
		o->down[o->down_off[a] + fill[a]++] = b;
	}
	o->bit = xcalloc((size_t)o->width + 1, sizeof *o->bit);
	free(fill);
	free(fup);
}

static void
order_done(struct order *o)
{
	free(o->lay);
	free(o->lay_off);
	free(o->up);
	free(o->up_off);
	free(o->down);
	free(o->down_off);
	free(o->segs);
	free(o->bit);
}

#define MAX_SWEEPS 24

/*
 * Sweeps down (each layer by its callers' positions) and up (by its
 * callees'), keeping the best order seen, until a sweep brings no fewer
 * crossings.
 */
static void
minimise_crossings(struct topo_layout *t)
{
	struct order o;
	struct bkey *k;
	int *best = xmalloc((t->nnodes + 1) * sizeof *best);
	size_t c, best_c, i;
	int sweep, l;

	order_init(t, &o);
	k = xmalloc(((size_t)o.width + 1) * sizeof *k);
	for (i = 0; i < t->nnodes; i++)
		best[i] = t->nodes[i].pos;
	best_c = count_crossings(t->nodes, o.segs, o.nsegs, o.bit, o.width);
	for (sweep = 0; sweep < MAX_SWEEPS && best_c > 0; sweep++) {
		bool better = false;
		int pass;

		for (pass = 0; pass < 2; pass++) {
			if (pass == 0)
				for (l = 1; l < t->nlayers; l++)
					order_layer(t, &o, l, o.up, o.up_off, k);
			else
				for (l = t->nlayers - 2; l >= 0; l--)
					order_layer(t, &o, l, o.down, o.down_off, k);
			c = count_crossings(t->nodes, o.segs, o.nsegs, o.bit, o.width);
			if (c < best_c) {
				best_c = c;
				better = true;
				for (i = 0; i < t->nnodes; i++)
					best[i] = t->nodes[i].pos;
			}
		}
		if (!better)
			break;
	}
	for (i = 0; i < t->nnodes; i++)
		t->nodes[i].pos = best[i];
	t->crossings = best_c;
	free(best);
	free(k);
	order_done(&o);
}

struct topo_layout *
topology_layout(const struct zk_link *links, size_t n)
{
	struct topo_layout *t = xcalloc(1, sizeof *t);
	int *eoff;
	size_t i;

	if (links == NULL)
		n = 0;
	collect(t, links, n);
	eoff = xcalloc(t->nreal + 2, sizeof *eoff);
	for (i = 0; i < t->nedges; i++)
		eoff[t->edges[i].from + 1]++;
	for (i = 0; i < t->nreal; i++)
		eoff[i + 1] += eoff[i];
	break_cycles(t, eoff);
	free(eoff);
	assign_layers(t);
	add_paths(t);
	minimise_crossings(t);
	return t;
}

void
topology_free(struct topo_layout *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nnodes; i++)
		free(t->nodes[i].name);
	for (i = 0; i < t->nedges; i++)
		free(t->edges[i].path);
	free(t->nodes);
	free(t->edges);
	free(t->layer_size);
	free(t);
}
