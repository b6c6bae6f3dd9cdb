#include "graph_route.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define NODE_GAP 1        /* blank rows between two nodes of a layer */
#define SWEEPS 4          /* down-and-up passes of the row placement */
#define EXACT_CHANNELS 12 /* larger gaps order their channels by adjacent swaps only */
#define MOVE_ROUNDS 8
#define MERGE_COST 16 /* two lines sharing a row segment: worse than many crossings */
#define MIN_LAYER_W 4

/* qsort has no context argument: the geometry being sorted travels in a static. */
static const struct topo_layout *sort_topo;

struct member {
	int pos, idx;
};

static int
cmp_member(const void *pa, const void *pb)
{
	const struct member *a = pa, *b = pb;

	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/* The nodes of each layer in their order: start[L] .. start[L+1] in flat. */
struct layers {
	int n;
	int *start; /* n + 1 entries */
	int *flat;  /* node indexes */
};

static void
layers_build(struct layers *ls, const struct topo_layout *t)
{
	struct member *m = xcalloc(t->nnodes + 1, sizeof *m);
	int *fill;
	size_t i;
	int L, n = 0;

	for (i = 0; i < t->nnodes; i++)
		if (t->nodes[i].layer >= 0 && t->nodes[i].layer + 1 > n)
			n = t->nodes[i].layer + 1;
	ls->n = n;
	ls->start = xcalloc((size_t)n + 2, sizeof *ls->start);
	ls->flat = xcalloc(t->nnodes + 1, sizeof *ls->flat);
	for (i = 0; i < t->nnodes; i++)
		if (t->nodes[i].layer >= 0)
			ls->start[t->nodes[i].layer + 1]++;
	for (L = 0; L < n; L++)
		ls->start[L + 1] += ls->start[L];
	fill = xcalloc((size_t)n + 1, sizeof *fill);
	for (L = 0; L < n; L++)
		fill[L] = ls->start[L];
	for (i = 0; i < t->nnodes; i++) {
		L = t->nodes[i].layer;
		if (L < 0)
			continue;
		m[fill[L]].pos = t->nodes[i].pos;
		m[fill[L]].idx = (int)i;
		fill[L]++;
	}
	for (L = 0; L < n; L++)
		qsort(m + ls->start[L], (size_t)(ls->start[L + 1] - ls->start[L]), sizeof *m,
		      cmp_member);
	for (i = 0; i < (size_t)ls->start[n]; i++)
		ls->flat[i] = m[i].idx;
	free(fill);
	free(m);
}

static void
layers_free(struct layers *ls)
{
	free(ls->start);
	free(ls->flat);
}

/* Cut every edge into one segment per gap it crosses. */
static void
make_segments(struct graph_geo *g, const struct topo_layout *t)
{
	size_t e, cap = 0;
	int k;

	for (e = 0; e < t->nedges; e++)
		cap += t->edges[e].npath > 2 ? (size_t)t->edges[e].npath : 2;
	g->segs = xcalloc(cap + 1, sizeof *g->segs);
	g->nsegs = 0;
	for (e = 0; e < t->nedges; e++) {
		const struct topo_edge *te = &t->edges[e];
		int two[2] = { te->from, te->to };
		const int *p = te->npath >= 2 && te->path != NULL ? te->path : two;
		int np = te->npath >= 2 && te->path != NULL ? te->npath : 2;

		for (k = 0; k + 1 < np; k++) {
			int a = p[k], b = p[k + 1], la, lb;
			struct graph_seg *s;

			if (a < 0 || b < 0 || (size_t)a >= t->nnodes || (size_t)b >= t->nnodes)
				continue;
			la = t->nodes[a].layer;
			lb = t->nodes[b].layer;
			if (la < 0 || lb < 0 || (la - lb != 1 && lb - la != 1))
				continue;
			s = &g->segs[g->nsegs++];
			s->left = la < lb ? a : b;
			s->right = la < lb ? b : a;
			s->edge = (int)e;
			/* The label and the arrowhead go where the edge reaches its callee. */
			if (k + 2 == np) {
				s->label = true;
				s->arrow_right = la < lb;
				s->arrow_left = la > lb;
			}
		}
	}
}

static double
centre(const struct graph_geo *g, int i)
{
	return g->y[i] + (g->h[i] - 1) / 2.0;
}

/*
 * Place the nodes of one layer (in order, at least NODE_GAP apart) as near
 * their wanted top rows as possible in the least-squares sense: pool
 * adjacent violators on the tops less the room the nodes above need.
 */
static void
place_layer(struct graph_geo *g, const int *mem, int n, const double *want)
{
	double *sum = xcalloc((size_t)n + 1, sizeof *sum);
	int *cnt = xcalloc((size_t)n + 1, sizeof *cnt), *off = xcalloc((size_t)n + 1, sizeof *off);
	int nb = 0, i, b, k;

	for (i = 0; i < n; i++) {
		off[i] = i == 0 ? 0 : off[i - 1] + g->h[mem[i - 1]] + NODE_GAP;
		sum[nb] = want[i] - off[i];
		cnt[nb] = 1;
		nb++;
		while (nb > 1 && sum[nb - 2] / cnt[nb - 2] > sum[nb - 1] / cnt[nb - 1]) {
			sum[nb - 2] += sum[nb - 1];
			cnt[nb - 2] += cnt[nb - 1];
			nb--;
		}
	}
	for (b = 0, i = 0; b < nb; b++)
		for (k = 0; k < cnt[b]; k++, i++)
			g->y[mem[i]] = off[i] + (int)floor(sum[b] / cnt[b] + 0.5);
	free(sum);
	free(cnt);
	free(off);
}

/* One sweep over layer L: each node moves toward its neighbours in layer L + dir. */
static void
sweep_layer(struct graph_geo *g, const struct layers *ls, int L, int dir, double *acc, int *num,
	    double *want)
{
	int a = ls->start[L], n = ls->start[L + 1] - a, i;
	size_t s;

	for (i = 0; i < n; i++) {
		acc[ls->flat[a + i]] = 0;
		num[ls->flat[a + i]] = 0;
	}
	for (s = 0; s < g->nsegs; s++) {
		const struct graph_seg *sg = &g->segs[s];
		int mine = dir < 0 ? sg->right : sg->left, other = dir < 0 ? sg->left : sg->right;

		if (sort_topo->nodes[mine].layer != L)
			continue;
		acc[mine] += centre(g, other);
		num[mine]++;
	}
	for (i = 0; i < n; i++) {
		int v = ls->flat[a + i];
		double c = num[v] ? acc[v] / num[v] : centre(g, v);

		want[i] = c - (g->h[v] - 1) / 2.0;
	}
	place_layer(g, ls->flat + a, n, want);
}

/*
 * A trunk: the segments leaving one node's right side together, through
 * one port and one vertical channel that branches to each callee (a
 * fan-out of thirty is one line splitting, not thirty side by side).  A
 * cycle edge arriving at its callee's right side has a trunk of its own.
 */
struct trunk {
	int left;   /* the node it leaves */
	int ly;     /* its port row */
	int lo, hi; /* rows its channel spans */
	int nseg;   /* segments in it */
	double key; /* mean centre row of its far ends: the port order */
	int order;  /* channel order in the gap; -1 none (one straight segment) */
};

struct trunks {
	struct trunk *t;
	size_t n;
	int *of;   /* per segment: its trunk */
	int *segs; /* segment indexes grouped by trunk: first[k] .. first[k + 1] */
	int *first;
};

static void
trunks_build(struct trunks *tr, const struct graph_geo *g)
{
	int *shared = xmalloc((g->nnodes + 1) * sizeof *shared), *fill;
	size_t s, i;

	memset(tr, 0, sizeof *tr);
	tr->t = xcalloc(g->nsegs + 1, sizeof *tr->t);
	tr->of = xcalloc(g->nsegs + 1, sizeof *tr->of);
	for (i = 0; i < g->nnodes; i++)
		shared[i] = -1;
	for (s = 0; s < g->nsegs; s++) {
		const struct graph_seg *sg = &g->segs[s];
		int k = sg->arrow_left ? -1 : shared[sg->left];

		if (k < 0) {
			k = (int)tr->n++;
			tr->t[k].left = sg->left;
			if (!sg->arrow_left)
				shared[sg->left] = k;
		}
		tr->of[s] = k;
		tr->t[k].nseg++;
	}
	tr->first = xcalloc(tr->n + 2, sizeof *tr->first);
	tr->segs = xcalloc(g->nsegs + 1, sizeof *tr->segs);
	for (i = 0; i < tr->n; i++)
		tr->first[i + 1] = tr->first[i] + tr->t[i].nseg;
	fill = xcalloc(tr->n + 1, sizeof *fill);
	for (s = 0; s < g->nsegs; s++)
		tr->segs[tr->first[tr->of[s]] + fill[tr->of[s]]++] = (int)s;
	free(fill);
	free(shared);
}

static void
trunks_free(struct trunks *tr)
{
	free(tr->t);
	free(tr->of);
	free(tr->segs);
	free(tr->first);
}

/* Port pairs: (sort key, index), by key then index. */
struct port {
	double key;
	int idx;
};

static int
cmp_port(const void *pa, const void *pb)
{
	const struct port *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/* The first of k port rows on a side of node: centred in the box's inner rows. */
static int
port_start(const struct graph_geo *g, int node, int k)
{
	return g->h[node] <= 1 ? g->y[node] : g->y[node] + 1 + (g->h[node] - 2 - k) / 2;
}

/*
 * Port rows.  Left sides: one per arriving segment, ordered by the row of
 * the node it comes from.  Right sides: one per trunk, ordered by the
 * mean row of where it goes.
 */
static void
assign_ports(struct graph_geo *g, struct trunks *tr, struct port *p)
{
	size_t node, s, k;
	int n, i, j;

	for (k = 0; k < tr->n; k++) {
		double sum = 0;

		for (i = tr->first[k]; i < tr->first[k + 1]; i++)
			sum += centre(g, g->segs[tr->segs[i]].right);
		tr->t[k].key = sum / tr->t[k].nseg;
	}
	for (node = 0; node < g->nnodes; node++) {
		for (n = 0, s = 0; s < g->nsegs; s++)
			if (g->segs[s].right == (int)node)
				p[n++] = (struct port){ centre(g, g->segs[s].left), (int)s };
		qsort(p, (size_t)n, sizeof *p, cmp_port);
		for (i = 0; i < n; i++)
			g->segs[p[i].idx].ry =
				port_start(g, (int)node, n) + (g->h[node] <= 1 ? 0 : i);
		for (n = 0, k = 0; k < tr->n; k++)
			if (tr->t[k].left == (int)node)
				p[n++] = (struct port){ tr->t[k].key, (int)k };
		qsort(p, (size_t)n, sizeof *p, cmp_port);
		for (i = 0; i < n; i++)
			tr->t[p[i].idx].ly =
				port_start(g, (int)node, n) + (g->h[node] <= 1 ? 0 : i);
	}
	for (k = 0; k < tr->n; k++) {
		struct trunk *t = &tr->t[k];

		t->lo = t->hi = t->ly;
		for (j = tr->first[k]; j < tr->first[k + 1]; j++) {
			struct graph_seg *sg = &g->segs[tr->segs[j]];

			sg->ly = t->ly;
			sg->trunk = (int)k;
			t->lo = sg->ry < t->lo ? sg->ry : t->lo;
			t->hi = sg->ry > t->hi ? sg->ry : t->hi;
		}
	}
}

/*
 * The cost of trunk a's channel lying left of b's: each horizontal run
 * that crosses the other's channel counts 1 (a's branches run right
 * across b's channel; b's exit runs right across a's); a run sharing a
 * row with the other's (one line would seem to branch into the other)
 * counts MERGE_COST.
 */
static long
pair_cost(const struct graph_geo *g, const struct trunks *tr, int a, int b)
{
	const struct trunk *ta = &tr->t[a], *tb = &tr->t[b];
	long cost = 0;
	int i;

	if (tb->ly > ta->lo && tb->ly < ta->hi)
		cost++;
	for (i = tr->first[a]; i < tr->first[a + 1]; i++) {
		int r = g->segs[tr->segs[i]].ry;

		if (r == tb->ly)
			cost += MERGE_COST;
		else if (r > tb->lo && r < tb->hi)
			cost++;
	}
	return cost;
}

static long
order_cost(const struct graph_geo *g, const struct trunks *tr, const int *ord, int k)
{
	long c = 0;
	int i, j;

	for (i = 0; i < k; i++)
		for (j = i + 1; j < k; j++)
			c += pair_cost(g, tr, ord[i], ord[j]);
	return c;
}

static const struct trunks *sort_trunks;

static int
cmp_trunk_rows(const void *pa, const void *pb)
{
	int ia = *(const int *)pa, ib = *(const int *)pb;
	const struct trunk *a = &sort_trunks->t[ia], *b = &sort_trunks->t[ib];

	if (a->ly != b->ly)
		return a->ly < b->ly ? -1 : 1;
	return (ia > ib) - (ia < ib);
}

/* Move ord[from] to position to (shifting the others). */
static void
move_to(int *ord, int from, int to)
{
	int v = ord[from];

	if (from < to)
		memmove(ord + from, ord + from + 1, (size_t)(to - from) * sizeof *ord);
	else
		memmove(ord + to + 1, ord + to, (size_t)(from - to) * sizeof *ord);
	ord[to] = v;
}

/*
 * Order the channels of one gap (ord holds its k trunks) for few
 * crossings, starting from the order of their ports: move one trunk at a
 * time while that helps; past EXACT_CHANNELS trunks, swap neighbours only
 * (each swap priced by the pair alone), so the work stays near k * k.
 */
static void
order_channels(const struct graph_geo *g, struct trunks *tr, int *ord, int k)
{
	long best, c;
	int round, i, j, tmp;
	bool better = true;

	sort_trunks = tr;
	qsort(ord, (size_t)k, sizeof *ord, cmp_trunk_rows);
	sort_trunks = NULL;
	if (k > EXACT_CHANNELS) {
		for (round = 0; better && round < k; round++) {
			better = false;
			for (i = 0; i + 1 < k; i++)
				if (pair_cost(g, tr, ord[i + 1], ord[i]) <
				    pair_cost(g, tr, ord[i], ord[i + 1])) {
					tmp = ord[i];
					ord[i] = ord[i + 1];
					ord[i + 1] = tmp;
					better = true;
				}
		}
	} else {
		best = order_cost(g, tr, ord, k);
		for (round = 0; better && best > 0 && round < MOVE_ROUNDS; round++) {
			better = false;
			for (i = 0; i < k; i++)
				for (j = 0; j < k; j++) {
					if (i == j)
						continue;
					move_to(ord, i, j);
					c = order_cost(g, tr, ord, k);
					if (c < best) {
						best = c;
						better = true;
					} else {
						move_to(ord, j, i);
					}
				}
		}
	}
	for (i = 0; i < k; i++)
		tr->t[ord[i]].order = i;
}

void
graph_route_vertical(struct graph_geo *g, const struct topo_layout *t)
{
	struct layers ls;
	struct trunks tr;
	struct port *ports;
	double *acc, *want;
	int *num, *ord, L, i, it;
	size_t n = t->nnodes, s, e, k;

	memset(g, 0, sizeof *g);
	g->nnodes = n;
	g->x = xcalloc(n + 1, sizeof *g->x);
	g->y = xcalloc(n + 1, sizeof *g->y);
	g->w = xcalloc(n + 1, sizeof *g->w);
	g->h = xcalloc(n + 1, sizeof *g->h);
	g->center = xcalloc(n + 1, sizeof *g->center);
	make_segments(g, t);
	trunks_build(&tr, g);
	layers_build(&ls, t);
	g->nlayers = ls.n;
	acc = xcalloc(n + 1, sizeof *acc);
	want = xcalloc(n + 1, sizeof *want);
	num = xcalloc(2 * n + 2, sizeof *num);
	/* Heights: a real box has room for its name, its health and a row per port. */
	for (k = 0; k < tr.n; k++)
		num[2 * tr.t[k].left]++;
	for (s = 0; s < g->nsegs; s++)
		num[2 * g->segs[s].right + 1]++;
	for (e = 0; e < n; e++) {
		int p = num[2 * e] > num[2 * e + 1] ? num[2 * e] : num[2 * e + 1];

		g->h[e] = t->nodes[e].name == NULL ? 1 : 2 + (p > 2 ? p : 2);
	}
	/* Rows: stacked, then pulled toward the neighbours, down and up. */
	for (L = 0; L < ls.n; L++) {
		int a = ls.start[L], cnt = ls.start[L + 1] - a;

		for (i = 0; i < cnt; i++)
			want[i] = 0;
		place_layer(g, ls.flat + a, cnt, want);
	}
	sort_topo = t;
	for (it = 0; it < SWEEPS; it++) {
		for (L = 1; L < ls.n; L++)
			sweep_layer(g, &ls, L, -1, acc, num, want);
		for (L = ls.n - 2; L >= 0; L--)
			sweep_layer(g, &ls, L, 1, acc, num, want);
	}
	sort_topo = NULL;
	if (n > 0) {
		int lo = g->y[0];

		for (e = 0; e < n; e++)
			lo = g->y[e] < lo ? g->y[e] : lo;
		for (e = 0; e < n; e++) {
			g->y[e] -= lo;
			g->center[e] = g->y[e] + (g->h[e] - 1) / 2;
			if (g->y[e] + g->h[e] > g->height)
				g->height = g->y[e] + g->h[e];
		}
	}
	ports = xcalloc(g->nsegs + 1, sizeof *ports);
	assign_ports(g, &tr, ports);
	free(ports);
	/* A trunk of one straight segment needs no channel: it crosses what it crosses anyway. */
	ord = xcalloc(tr.n + 1, sizeof *ord);
	for (L = 0; L + 1 < ls.n; L++) {
		int cnt = 0;

		for (k = 0; k < tr.n; k++) {
			tr.t[k].order = -1;
			if (t->nodes[tr.t[k].left].layer == L && tr.t[k].lo != tr.t[k].hi)
				ord[cnt++] = (int)k;
		}
		order_channels(g, &tr, ord, cnt);
		for (s = 0; s < g->nsegs; s++)
			if (t->nodes[g->segs[s].left].layer == L)
				g->segs[s].chan = tr.t[tr.of[s]].order;
	}
	free(ord);
	trunks_free(&tr);
	free(acc);
	free(want);
	free(num);
	layers_free(&ls);
}

void
graph_route_horizontal(struct graph_geo *g, const struct topo_layout *t, const int *box_w,
		       const int *label_w)
{
	int *out, *nch, *zone, L;
	size_t i, s;

	free(g->layer_x);
	free(g->layer_w);
	g->layer_x = xcalloc((size_t)g->nlayers + 1, sizeof *g->layer_x);
	g->layer_w = xcalloc((size_t)g->nlayers + 1, sizeof *g->layer_w);
	out = xcalloc((size_t)g->nlayers + 1, sizeof *out);
	nch = xcalloc((size_t)g->nlayers + 1, sizeof *nch);
	zone = xcalloc((size_t)g->nlayers + 1, sizeof *zone);
	for (L = 0; L < g->nlayers; L++) {
		g->layer_w[L] = MIN_LAYER_W;
		out[L] = 1;
		zone[L] = 1;
	}
	for (i = 0; i < t->nreal && i < g->nnodes; i++) {
		L = t->nodes[i].layer;
		if (L >= 0 && L < g->nlayers && box_w[i] > g->layer_w[L])
			g->layer_w[L] = box_w[i];
	}
	/*
	 * A gap, left to right: the exit run (and a column for an arrowhead
	 * into a cycle's callee), one column per channel, the label zone
	 * ("-480 !3-"), the arrowhead's column.
	 */
	for (s = 0; s < g->nsegs; s++) {
		const struct graph_seg *sg = &g->segs[s];

		L = t->nodes[sg->left].layer;
		if (sg->arrow_left)
			out[L] = 2;
		if (sg->label && label_w[sg->edge] + 2 > zone[L])
			zone[L] = label_w[sg->edge] + 2;
		if (sg->chan + 1 > nch[L])
			nch[L] = sg->chan + 1;
	}
	g->width = 0;
	for (L = 0; L < g->nlayers; L++) {
		g->layer_x[L] = L == 0 ? GRAPH_ROUTE_MARGIN
				       : g->layer_x[L - 1] + g->layer_w[L - 1] + out[L - 1] +
						 nch[L - 1] + zone[L - 1] + 1;
		g->width = g->layer_x[L] + g->layer_w[L];
	}
	for (i = 0; i < g->nnodes; i++) {
		L = t->nodes[i].layer;
		if (L < 0 || L >= g->nlayers)
			continue;
		g->x[i] = g->layer_x[L];
		g->w[i] = g->layer_w[L];
	}
	for (s = 0; s < g->nsegs; s++) {
		struct graph_seg *sg = &g->segs[s];

		L = t->nodes[sg->left].layer;
		sg->x0 = g->layer_x[L] + g->layer_w[L];
		sg->x1 = g->layer_x[L + 1] - 1;
		sg->cx = sg->x0 + out[L] + (sg->chan > 0 ? sg->chan : 0);
	}
	free(out);
	free(nch);
	free(zone);
}

void
graph_route_done(struct graph_geo *g)
{
	if (g == NULL)
		return;
	free(g->x);
	free(g->y);
	free(g->w);
	free(g->h);
	free(g->center);
	free(g->segs);
	free(g->layer_x);
	free(g->layer_w);
	memset(g, 0, sizeof *g);
}
