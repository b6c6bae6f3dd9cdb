#include "graph.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "graph_paint.h"
#include "graph_panel.h"
#include "graph_route.h"
#include "parse.h"
#include "text.h"
#include "xalloc.h"

#define SIDE_MIN_W 100 /* from this body width the panel sits right of the graph */
#define SIDE_W 38      /* the side panel, its separator included */
#define SIDE_MAX_W 56  /* ... widened up to this by the room the graph leaves */

struct graph {
	char *sel;  /* the selected service's Zipkin name; NULL: the first of layer 0 */
	int sx, sy; /* the graph position at the view's top left */
	/* The vertical placement of the layout last seen, kept while its shape is the same. */
	struct graph_geo geo;
	unsigned long long shape;
	bool have_geo;
};

struct graph *
graph_new(void)
{
	return xcalloc(1, sizeof(struct graph));
}

void
graph_free(struct graph *g)
{
	if (g == NULL)
		return;
	free(g->sel);
	graph_route_done(&g->geo);
	free(g);
}

static const char *
dot(const struct view_ctx *v)
{
	return v->ascii ? "|" : "\xc2\xb7";
}

static const struct topo_layout *
layout_of(const struct topology_data *d)
{
	return d != NULL && d->layout != NULL && d->layout->nreal > 0 ? d->layout : NULL;
}

static void
mix(unsigned long long *h, long long v)
{
	*h = (*h ^ (unsigned long long)v) * 1099511628211ULL; /* FNV-1a, a word at a time */
}

/* What the vertical placement depends on: layers, orders, edges and their paths. */
static unsigned long long
shape_of(const struct topo_layout *t)
{
	unsigned long long h = 14695981039346656037ULL;
	size_t i;
	int k;

	mix(&h, (long long)t->nnodes);
	mix(&h, (long long)t->nedges);
	for (i = 0; i < t->nnodes; i++) {
		mix(&h, t->nodes[i].layer);
		mix(&h, t->nodes[i].pos);
		mix(&h, t->nodes[i].name == NULL);
	}
	for (i = 0; i < t->nedges; i++) {
		mix(&h, t->edges[i].from);
		mix(&h, t->edges[i].to);
		mix(&h, t->edges[i].reversed);
		for (k = 0; t->edges[i].path != NULL && k < t->edges[i].npath; k++)
			mix(&h, t->edges[i].path[k]);
	}
	return h;
}

/*
 * The layout's geometry, its rows placed again only when its shape
 * changed: the channel ordering is the costly part of a draw, and links
 * are refreshed far more often than they change.
 */
static struct graph_geo *
geometry(struct graph *g, const struct topo_layout *t)
{
	unsigned long long shape = shape_of(t);

	if (!g->have_geo || shape != g->shape) {
		graph_route_done(&g->geo);
		graph_route_vertical(&g->geo, t);
		g->shape = shape;
		g->have_geo = true;
	}
	return &g->geo;
}

/* ---- selection -------------------------------------------------------------- */

/* The first real node of the lowest layer: where the selection starts. */
static int
first_node(const struct topo_layout *t)
{
	int best = -1;
	size_t i;

	for (i = 0; i < t->nreal; i++) {
		const struct topo_node *n = &t->nodes[i], *b = best >= 0 ? &t->nodes[best] : NULL;

		if (b == NULL || n->layer < b->layer || (n->layer == b->layer && n->pos < b->pos))
			best = (int)i;
	}
	return best;
}

static int
sel_index(const struct graph *g, const struct topology_data *d)
{
	const struct topo_layout *t = layout_of(d);
	int i;

	if (t == NULL)
		return -1;
	if (g->sel != NULL) {
		i = topology_find(t, g->sel);
		if (i >= 0 && (size_t)i < t->nreal)
			return i;
	}
	return first_node(t);
}

static void
set_sel(struct graph *g, const char *name)
{
	char *s = xstrdup(name);

	free(g->sel);
	g->sel = s;
}

bool
graph_select(struct graph *g, const struct topology_data *d, const char *service)
{
	const struct topo_layout *t = layout_of(d);
	int i;
	size_t k;

	if (t == NULL || service == NULL)
		return false;
	i = topology_find(t, service);
	if (i >= 0 && (size_t)i < t->nreal) {
		set_sel(g, t->nodes[i].name);
		return true;
	}
	/* A displayed name may differ from Zipkin's lowercased one only in case. */
	for (k = 0; k < t->nreal; k++)
		if (strcasecmp(t->nodes[k].name, service) == 0) {
			set_sel(g, t->nodes[k].name);
			return true;
		}
	return false;
}

const char *
graph_selected(const struct graph *g, const struct topology_data *d)
{
	int i = sel_index(g, d);

	return i >= 0 ? d->layout->nodes[i].name : NULL;
}

static bool
linked(const struct topo_layout *t, int a, int b)
{
	size_t e;

	for (e = 0; e < t->nedges; e++)
		if ((t->edges[e].from == a && t->edges[e].to == b) ||
		    (t->edges[e].from == b && t->edges[e].to == a))
			return true;
	return false;
}

/* The real node of layer L nearest to cur: a neighbour of cur first, then by row, then order. */
static int
nearest_in_layer(const struct topo_layout *t, const struct graph_geo *geo, int cur, int L)
{
	int best = -1, best_link = 0, best_dist = 0, dist, lk;
	size_t i;

	for (i = 0; i < t->nreal; i++) {
		if (t->nodes[i].layer != L)
			continue;
		lk = linked(t, cur, (int)i) ? 0 : 1;
		dist = abs(geo->center[i] - geo->center[cur]);
		if (best < 0 || lk < best_link || (lk == best_link && dist < best_dist) ||
		    (lk == best_link && dist == best_dist &&
		     t->nodes[i].pos < t->nodes[best].pos)) {
			best = (int)i;
			best_link = lk;
			best_dist = dist;
		}
	}
	return best;
}

/* The real node next to cur in its layer, dir -1 up, +1 down; -2 / +2 the first / last. */
static int
step_in_layer(const struct topo_layout *t, int cur, int dir)
{
	int best = -1, p = t->nodes[cur].pos, q, bq = 0;
	size_t i;

	for (i = 0; i < t->nreal; i++) {
		if (t->nodes[i].layer != t->nodes[cur].layer || (int)i == cur)
			continue;
		q = t->nodes[i].pos;
		if ((dir < 0 && q >= p) || (dir > 0 && q <= p))
			continue;
		/* Up: the highest order above; down: the lowest below; first / last: the ends. */
		if (best < 0 || (dir == -1 && q > bq) || (dir == 1 && q < bq) ||
		    (dir == -2 && q < bq) || (dir == 2 && q > bq)) {
			best = (int)i;
			bq = q;
		}
	}
	return best;
}

int
graph_handle(struct graph *g, enum action a, const struct topology_data *d)
{
	const struct topo_layout *t = layout_of(d);
	const struct graph_geo *geo;
	int cur, next = -1, L;

	if (a != ACT_UP && a != ACT_DOWN && a != ACT_TOPO_LEFT && a != ACT_TOPO_RIGHT &&
	    a != ACT_TOP && a != ACT_BOTTOM)
		return H_NONE;
	cur = sel_index(g, d);
	if (t == NULL || cur < 0)
		return H_HANDLED;
	switch (a) {
	case ACT_UP:
	case ACT_DOWN:
		next = step_in_layer(t, cur, a == ACT_UP ? -1 : 1);
		break;
	case ACT_TOP:
	case ACT_BOTTOM:
		next = step_in_layer(t, cur, a == ACT_TOP ? -2 : 2);
		break;
	default:
		/* Rows come from the layout alone, so moving needs no draw first. */
		geo = geometry(g, t);
		for (L = t->nodes[cur].layer + (a == ACT_TOPO_LEFT ? -1 : 1);
		     next < 0 && L >= 0 && L < geo->nlayers; L += a == ACT_TOPO_LEFT ? -1 : 1)
			next = nearest_in_layer(t, geo, cur, L);
		break;
	}
	set_sel(g, t->nodes[next >= 0 ? next : cur].name);
	return H_DIRTY | H_HANDLED;
}

/* ---- the screen ------------------------------------------------------------- */

/* Scroll one axis so [lo, lo + len) shows in a view of n (some context around it). */
static int
scroll_axis(int cur, int lo, int len, int n, int total, int margin)
{
	int ctx = (n - len) / 2;

	if (total + margin <= n)
		return -margin; /* it all fits: a blank line or column before it */
	if (ctx > 4)
		ctx = 4;
	if (ctx < 0)
		ctx = 0;
	if (lo - ctx < cur)
		cur = lo - ctx;
	if (lo + len + ctx > cur + n)
		cur = len > n ? lo : lo + len + ctx - n;
	if (cur > total - n)
		cur = total - n;
	if (cur < 0)
		cur = 0;
	return cur;
}

static void
draw_message(struct canvas *c, struct rect body, const char *first, enum role role,
	     const char *second)
{
	int used = text_draw_wrapped(
		c, (struct rect){ body.x + 2, body.y + 1, body.w - 4, body.h - 1 }, first, role,
		ATTR_BOLD);

	if (second != NULL)
		text_draw_wrapped(c,
				  (struct rect){ body.x + 2, body.y + 2 + used, body.w - 4,
						 body.h - 2 - used },
				  second, ROLE_NORMAL, ATTR_NONE);
}

/* The states without a graph: nothing asked, loading, failed, no links.  True when drawn. */
static bool
draw_state(struct canvas *c, struct rect body, const struct view_ctx *v,
	   const struct topology_data *d)
{
	char r[16], msg[ERR_MSG_MAX + 160];
	const char *dash = v->ascii ? "-" : "\xe2\x80\x94";

	if (d == NULL) {
		draw_message(c, body, "waiting for the dependency links from Zipkin...",
			     ROLE_NORMAL, NULL);
		return true;
	}
	if (layout_of(d) != NULL)
		return false; /* links held: drawn, with a failed refresh on the panel */
	graph_panel_range(d->lookback_s, r, sizeof r);
	if (!d->have && d->err.code != ERR_OK) {
		snprintf(msg, sizeof msg,
			 "The dependency links are asked for again at every refresh; r asks now, "
			 "+ and - change the range (last %s).",
			 r);
		draw_message(c, body, d->err.msg, ROLE_CRIT, msg);
		return true;
	}
	if (!d->have) {
		snprintf(msg, sizeof msg,
			 "loading the dependency links of the last %s from Zipkin...", r);
		draw_message(c, body, msg, ROLE_NORMAL, NULL);
		return true;
	}
	snprintf(msg, sizeof msg,
		 "no dependency links in the last %s %s Zipkin derives them from spans with "
		 "parent/child across services; widen with +",
		 r, dash);
	draw_message(c, body, msg, ROLE_NORMAL, d->err.code != ERR_OK ? d->err.msg : NULL);
	return true;
}

static void
draw_too_small(struct canvas *c, struct rect body)
{
	char msg[128];

	snprintf(msg, sizeof msg, "terminal too small for the topology: %dx%d, need %dx%d", c->w,
		 c->h, GRAPH_MIN_W, GRAPH_MIN_H + 2);
	text_draw_wrapped(c, (struct rect){ body.x + 1, body.y + body.h / 2 - 1, body.w - 2, 3 },
			  msg, ROLE_WARN, ATTR_BOLD);
}

/* "more: ← →" for the directions the view hides part of the graph in. */
static void
more_hint(const struct view_ctx *v, const struct graph_geo *geo, int sx, int sy, struct rect view,
	  char *out, size_t n)
{
	bool l = sx > 0, rt = sx + view.w<geo->width, u = sy> 0, dn = sy + view.h < geo->height;

	out[0] = '\0';
	if (!l && !rt && !u && !dn)
		return;
	snprintf(out, n, " %s more:%s%s%s%s", dot(v), l ? (v->ascii ? " <" : " \xe2\x86\x90") : "",
		 rt ? (v->ascii ? " >" : " \xe2\x86\x92") : "",
		 u ? (v->ascii ? " ^" : " \xe2\x86\x91") : "",
		 dn ? (v->ascii ? " v" : " \xe2\x86\x93") : "");
}

void
graph_draw(struct graph *g, struct canvas *c, struct rect body, const struct view_ctx *v,
	   const struct topology_data *d)
{
	const struct topo_layout *t;
	struct graph_geo *geo;
	struct graph_health *health;
	struct graph_picture pic;
	struct graph_panel pp;
	char(*labels)[32], more[64];
	int *box_w, *label_w, sel, side_w = 0;
	struct graph_nb *in, *out;
	size_t i, nin, nout;
	struct rect view, panel;

	if (body.w < GRAPH_MIN_W || body.h < GRAPH_MIN_H) {
		draw_too_small(c, body);
		return;
	}
	if (draw_state(c, body, v, d))
		return;
	t = d->layout;
	sel = sel_index(g, d);
	health = xcalloc(t->nreal, sizeof *health);
	box_w = xcalloc(t->nreal, sizeof *box_w);
	labels = xcalloc(t->nedges + 1, sizeof *labels);
	label_w = xcalloc(t->nedges + 1, sizeof *label_w);
	for (i = 0; i < t->nreal; i++) {
		int nw = text_width(t->nodes[i].name), hw;

		graph_paint_health(v, t->nodes[i].name, false, &health[i]);
		hw = graph_paint_health_width(&health[i]);
		nw = nw > GRAPH_NAME_MAX_W ? GRAPH_NAME_MAX_W : nw;
		box_w[i] = (nw > hw ? nw : hw) + 4;
	}
	for (i = 0; i < t->nedges; i++) {
		graph_paint_label(&t->edges[i], labels[i], sizeof labels[i]);
		label_w[i] = text_width(labels[i]);
	}
	geo = geometry(g, t);
	graph_route_horizontal(geo, t, box_w, label_w);
	in = xcalloc(t->nedges + 1, sizeof *in);
	out = xcalloc(t->nedges + 1, sizeof *out);
	nin = graph_panel_neighbours(t, sel, true, in);
	nout = graph_panel_neighbours(t, sel, false, out);
	/*
	 * The panel beside the graph when the body is wide (wider with the
	 * room the graph leaves), under it when only that shows it whole.
	 */
	if (body.w >= SIDE_MIN_W) {
		side_w = body.w - geo->width - 2;
		side_w = side_w < SIDE_W ? SIDE_W : side_w > SIDE_MAX_W ? SIDE_MAX_W : side_w;
		if (geo->width + 1 > body.w - side_w && geo->width + 1 <= body.w &&
		    geo->height + 1 <= body.h - graph_panel_bottom_height(body.h, nin, nout))
			side_w = 0;
	}
	if (side_w > 0) {
		view = (struct rect){ body.x, body.y, body.w - side_w, body.h };
		panel = (struct rect){ body.x + view.w, body.y, side_w, body.h };
	} else {
		int ph = graph_panel_bottom_height(body.h, nin, nout);

		view = (struct rect){ body.x, body.y, body.w, body.h - ph };
		panel = (struct rect){ body.x, body.y + view.h, body.w, ph };
	}
	g->sx = scroll_axis(g->sx, geo->x[sel], geo->w[sel], view.w, geo->width, 0);
	g->sy = scroll_axis(g->sy, geo->y[sel], geo->h[sel], view.h, geo->height, 1);
	pic = (struct graph_picture){
		t, geo, health, (const char(*)[32])labels, sel, g->sx, g->sy
	};
	graph_paint(c, view, v, &pic);
	more_hint(v, geo, g->sx, g->sy, view, more, sizeof more);
	pp = (struct graph_panel){ d, sel, in, nin, out, nout, more };
	if (side_w > 0)
		graph_panel_side(c, panel, v, &pp);
	else
		graph_panel_bottom(c, panel, v, &pp);
	free(in);
	free(out);
	free(health);
	free(box_w);
	free(labels);
	free(label_w);
}

/* ---- Markdown --------------------------------------------------------------- */

static void
md_cell(struct buf *out, const char *s, bool ascii)
{
	struct buf tmp;
	size_t i;

	buf_init(&tmp);
	text_sanitize_buf(s, &tmp, ascii);
	for (i = 0; i < tmp.len; i++) {
		if (tmp.data[i] == '|' || tmp.data[i] == '\\')
			buf_putc(out, '\\');
		buf_putc(out, tmp.data[i]);
	}
	buf_done(&tmp);
}

static const struct topo_layout *sort_t; /* qsort has no context argument */

static int
cmp_edge_names(const void *pa, const void *pb)
{
	const struct topo_edge *a = *(const struct topo_edge *const *)pa;
	const struct topo_edge *b = *(const struct topo_edge *const *)pb;
	int c = strcmp(sort_t->nodes[a->from].name, sort_t->nodes[b->from].name);

	return c != 0 ? c : strcmp(sort_t->nodes[a->to].name, sort_t->nodes[b->to].name);
}

void
graph_markdown(struct graph *g, const struct view_ctx *v, const struct topology_data *d,
	       struct buf *out)
{
	const struct topo_layout *t = layout_of(d);
	const struct topo_edge **es;
	const char *sel;
	char r[16], pct[24];
	size_t i;

	graph_panel_range(d != NULL ? d->lookback_s : 0, r, sizeof r);
	buf_printf(out, "## Topology, last %s\n\n", r);
	if (d != NULL && d->err.code != ERR_OK) {
		buf_puts(out, "Zipkin: ");
		md_cell(out, d->err.msg, v->ascii);
		buf_puts(out, "\n\n");
	}
	if (t == NULL) {
		buf_puts(out, d == NULL || !d->have ? "No dependency links fetched yet.\n"
						    : "No dependency links in this range.\n");
		return;
	}
	sel = graph_selected(g, d);
	buf_printf(out, "%zu services, %zu links; selected: ", t->nreal, t->nedges);
	md_cell(out, sel != NULL ? sel : "-", v->ascii);
	buf_puts(out, "\n\n| caller | callee | calls | errors | error % |\n"
		      "|---|---|---:|---:|---:|\n");
	es = xcalloc(t->nedges + 1, sizeof *es);
	for (i = 0; i < t->nedges; i++)
		es[i] = &t->edges[i];
	sort_t = t;
	if (t->nedges > 1)
		qsort(es, t->nedges, sizeof *es, cmp_edge_names);
	sort_t = NULL;
	for (i = 0; i < t->nedges; i++) {
		buf_puts(out, "| ");
		md_cell(out, t->nodes[es[i]->from].name, v->ascii);
		buf_puts(out, " | ");
		md_cell(out, t->nodes[es[i]->to].name, v->ascii);
		graph_panel_error_pct(es[i], pct, sizeof pct);
		buf_printf(out, " | %lld | %lld | %s |\n", es[i]->calls, es[i]->errors, pct);
	}
	free(es);
}
