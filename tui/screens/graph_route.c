#include "graph_route.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define NODE_GAP 1        /* blank rows between two nodes of a layer */
#define SWEEPS 4          /* down-and-up passes of the row placement */
#define EXACT_CHANNELS 24 /* larger gaps order their channels by adjacent swaps only */
#define MERGE_COST 16     /* two lines sharing a row segment: worse than many crossings */
#define MIN_LAYER_W 4

/* qsort has no context argument: the geometry being sorted travels in a static. */
static const struct graph_geo *sort_geo;
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
			s->label = k == 0;
			/* The arrowhead points into the callee, wherever it lies. */
			if (k + 2 == np) {
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

static int
cmp_port(const void *pa, const void *pb)
{
	const int *a = pa, *b = pb; /* pairs: other node, segment */
	int ca = sort_geo->center[a[0]], cb = sort_geo->center[b[0]];

	if (ca != cb)
		return ca < cb ? -1 : 1;
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return (a[1] > b[1]) - (a[1] < b[1]);
}

/* Port rows: each node's segments on one side, ordered by the other end's row. */
static void
assign_ports(struct graph_geo *g, int node, bool right_side, int *pairs)
{
	int k = 0, i, start;
	size_t s;

	for (s = 0; s < g->nsegs; s++) {
		const struct graph_seg *sg = &g->segs[s];

		if ((right_side ? sg->left : sg->right) != node)
			continue;
		pairs[2 * k] = right_side ? sg->right : sg->left;
		pairs[2 * k + 1] = (int)s;
		k++;
	}
	if (k == 0)
		return;
	sort_geo = g;
	qsort(pairs, (size_t)k, 2 * sizeof *pairs, cmp_port);
	sort_geo = NULL;
	start = g->h[node] <= 1 ? g->y[node] : g->y[node] + 1 + (g->h[node] - 2 - k) / 2;
	for (i = 0; i < k; i++) {
		struct graph_seg *sg = &g->segs[pairs[2 * i + 1]];

		if (right_side)
			sg->ly = g->h[node] <= 1 ? g->y[node] : start + i;
		else
			sg->ry = g->h[node] <= 1 ? g->y[node] : start + i;
	}
}

/*
 * The cost of e's channel lying left of f's: each horizontal run that
 * crosses the other's vertical counts 1; runs sharing a row (one line
 * would seem to branch into the other) count MERGE_COST.
 */
static int
pair_cost(const struct graph_seg *e, const struct graph_seg *f)
{
	int elo = e->ly < e->ry ? e->ly : e->ry, ehi = e->ly < e->ry ? e->ry : e->ly;
	int flo = f->ly < f->ry ? f->ly : f->ry, fhi = f->ly < f->ry ? f->ry : f->ly;
	int cost = 0;

	if (f->ly == e->ry)
		return MERGE_COST;
	if (f->ly > elo && f->ly < ehi)
		cost++; /* f leaves across e's channel */
	if (e->ry > flo && e->ry < fhi)
		cost++; /* e enters across f's channel */
	return cost;
}

static long
order_cost(const struct graph_geo *g, const int *ord, int k)
{
	long c = 0;
	int i, j;

	for (i = 0; i < k; i++)
		for (j = i + 1; j < k; j++)
			c += pair_cost(&g->segs[ord[i]], &g->segs[ord[j]]);
	return c;
}

static int
cmp_seg_rows(const void *pa, const void *pb)
{
	const struct graph_seg *a = &sort_geo->segs[*(const int *)pa];
	const struct graph_seg *b = &sort_geo->segs[*(const int *)pb];

	if (a->ly != b->ly)
		return a->ly < b->ly ? -1 : 1;
	if (a->ry != b->ry)
		return a->ry < b->ry ? -1 : 1;
	return (*(const int *)pa > *(const int *)pb) - (*(const int *)pa < *(const int *)pb);
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

/* Order the channels of one gap (ord holds its k segments) for few crossings. */
static void
order_channels(struct graph_geo *g, int *ord, int k)
{
	long best;
	int round, i, j;
	bool better = true;

	sort_geo = g;
	qsort(ord, (size_t)k, sizeof *ord, cmp_seg_rows);
	sort_geo = NULL;
	best = order_cost(g, ord, k);
	for (round = 0; better && best > 0 && round < 2 * k + 4; round++) {
		better = false;
		for (i = 0; i < k; i++) {
			for (j = 0; j < k; j++) {
				long c;

				if (i == j || (k > EXACT_CHANNELS && j != i + 1))
					continue;
				move_to(ord, i, j);
				c = order_cost(g, ord, k);
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
		g->segs[ord[i]].chan = i;
}

void
graph_route_vertical(struct graph_geo *g, const struct topo_layout *t)
{
	struct layers ls;
	double *acc, *want;
	int *num, *pairs, *ord, L, i, it;
	size_t n = t->nnodes, s, e;

	memset(g, 0, sizeof *g);
	g->nnodes = n;
	g->x = xcalloc(n + 1, sizeof *g->x);
	g->y = xcalloc(n + 1, sizeof *g->y);
	g->w = xcalloc(n + 1, sizeof *g->w);
	g->h = xcalloc(n + 1, sizeof *g->h);
	g->center = xcalloc(n + 1, sizeof *g->center);
	make_segments(g, t);
	layers_build(&ls, t);
	g->nlayers = ls.n;
	acc = xcalloc(n + 1, sizeof *acc);
	want = xcalloc(n + 1, sizeof *want);
	num = xcalloc(n + 1, sizeof *num);
	/* Heights: a real box has room for its name, its health and a row per port. */
	pairs = xcalloc(2 * n + 2, sizeof *pairs);
	for (s = 0; s < g->nsegs; s++) {
		pairs[2 * g->segs[s].left]++;
		pairs[2 * g->segs[s].right + 1]++;
	}
	for (e = 0; e < n; e++) {
		int ports = pairs[2 * e] > pairs[2 * e + 1] ? pairs[2 * e] : pairs[2 * e + 1];

		g->h[e] = t->nodes[e].name == NULL ? 1 : 2 + (ports > 2 ? ports : 2);
	}
	free(pairs);
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
	pairs = xcalloc(2 * g->nsegs + 2, sizeof *pairs);
	for (e = 0; e < n; e++) {
		assign_ports(g, (int)e, true, pairs);
		assign_ports(g, (int)e, false, pairs);
	}
	ord = pairs;
	for (L = 0; L + 1 < ls.n; L++) {
		int k = 0;

		for (s = 0; s < g->nsegs; s++)
			if (t->nodes[g->segs[s].left].layer == L)
				ord[k++] = (int)s;
		order_channels(g, ord, k);
	}
	free(pairs);
	free(acc);
	free(want);
	free(num);
	layers_free(&ls);
}

void
graph_route_horizontal(struct graph_geo *g, const struct topo_layout *t, const int *box_w,
		       const int *label_w)
{
	int *zone, *nch, L;
	size_t i, s;

	g->layer_x = xcalloc((size_t)g->nlayers + 1, sizeof *g->layer_x);
	g->layer_w = xcalloc((size_t)g->nlayers + 1, sizeof *g->layer_w);
	zone = xcalloc((size_t)g->nlayers + 1, sizeof *zone);
	nch = xcalloc((size_t)g->nlayers + 1, sizeof *nch);
	for (L = 0; L < g->nlayers; L++) {
		g->layer_w[L] = MIN_LAYER_W;
		zone[L] = 2;
	}
	for (i = 0; i < t->nreal && i < g->nnodes; i++) {
		L = t->nodes[i].layer;
		if (L >= 0 && L < g->nlayers && box_w[i] > g->layer_w[L])
			g->layer_w[L] = box_w[i];
	}
	/* A gap: the label zone, one column per channel, the arrowhead's column. */
	for (s = 0; s < g->nsegs; s++) {
		const struct graph_seg *sg = &g->segs[s];
		int need = (sg->arrow_left ? 1 : 0) + (sg->label ? 2 + label_w[sg->edge] : 1);

		L = t->nodes[sg->left].layer;
		if (need > zone[L])
			zone[L] = need;
		nch[L]++;
	}
	g->width = 0;
	for (L = 0; L < g->nlayers; L++) {
		g->layer_x[L] = L == 0 ? GRAPH_ROUTE_MARGIN
				       : g->layer_x[L - 1] + g->layer_w[L - 1] + zone[L - 1] +
						 nch[L - 1] + 1;
		g->width = g->layer_x[L] + g->layer_w[L] + 1;
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
		sg->chan = sg->x0 + zone[L] + sg->chan;
	}
	free(zone);
	free(nch);
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
