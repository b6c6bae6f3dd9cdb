#include "graph_paint.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"
#include "text.h"
#include "xalloc.h"

/* Directions a line leaves a cell by. */
enum { DIR_N = 1, DIR_E = 2, DIR_S = 4, DIR_W = 8 };

/* The line glyph of each set of directions: rounded corners, so edges never pass for boxes. */
static const char *const line_utf8[16] = {
	[0] = " ",
	[DIR_N] = "\xe2\x94\x82",
	[DIR_S] = "\xe2\x94\x82",
	[DIR_N | DIR_S] = "\xe2\x94\x82",
	[DIR_E] = "\xe2\x94\x80",
	[DIR_W] = "\xe2\x94\x80",
	[DIR_E | DIR_W] = "\xe2\x94\x80",
	[DIR_N | DIR_E] = "\xe2\x95\xb0",
	[DIR_E | DIR_S] = "\xe2\x95\xad",
	[DIR_S | DIR_W] = "\xe2\x95\xae",
	[DIR_N | DIR_W] = "\xe2\x95\xaf",
	[DIR_N | DIR_E | DIR_S] = "\xe2\x94\x9c",
	[DIR_N | DIR_S | DIR_W] = "\xe2\x94\xa4",
	[DIR_E | DIR_S | DIR_W] = "\xe2\x94\xac",
	[DIR_N | DIR_E | DIR_W] = "\xe2\x94\xb4",
	[DIR_N | DIR_E | DIR_S | DIR_W] = "\xe2\x94\xbc",
};

#define ARROW_RIGHT "\xe2\x96\xb6" /* U+25B6 */
#define ARROW_LEFT "\xe2\x97\x80"  /* U+25C0 */
#define PORT_OUT "\xe2\x94\x9c"    /* a line leaving a box's right side */
#define PORT_IN "\xe2\x94\xa4"     /* a line leaving a box's left side (cycle edges) */

static const char *
line_glyph(unsigned mask, bool ascii)
{
	mask &= 15;
	if (!ascii)
		return line_utf8[mask];
	if (mask == 0)
		return " ";
	if ((mask & (DIR_E | DIR_W)) == 0)
		return "|";
	if ((mask & (DIR_N | DIR_S)) == 0)
		return "-";
	return "+";
}

/* ---- texts ------------------------------------------------------------------ */

static const struct service *
find_service(const struct model *m, const char *name)
{
	const struct service *s = model_service((struct model *)m, name, false);
	size_t i, n;

	if (s != NULL)
		return s;
	/* Zipkin lowercases service names; the model keeps the metrics' spelling. */
	n = model_nservices(m);
	for (i = 0; i < n; i++) {
		s = model_service_at(m, i);
		if (strcasecmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

static void
fmt_rate(double v, char *out, size_t n)
{
	if (v < 100)
		snprintf(out, n, "%.1f", v);
	else if (v < 10000)
		snprintf(out, n, "%.0f", v);
	else
		format_si(v, out, n);
}

void
graph_paint_health(const struct view_ctx *v, const char *name, bool wide, struct graph_health *h)
{
	const struct service *s = v->model != NULL ? find_service(v->model, name) : NULL;
	double rps = s ? s->value[METRIC_RPS] : NAN, err = s ? s->value[METRIC_ERRORS] : NAN;
	char r[24] = "", e[24] = "";
	enum status st;

	memset(h, 0, sizeof *h);
	h->role = ROLE_DIM;
	if (s == NULL || (isnan(rps) && isnan(err))) {
		snprintf(h->rest, sizeof h->rest, "no metrics");
		h->none = true;
		return;
	}
	st = model_service_status(s, v->th, v->now, v->stale_after);
	snprintf(h->word, sizeof h->word, "%s", status_name(st));
	h->role = (enum role)view_status_role(st);
	if (!isnan(rps))
		fmt_rate(rps, r, sizeof r);
	if (!isnan(err))
		snprintf(e, sizeof e, "%.*f%%", wide ? 2 : err * 100 < 10 ? 1 : 0, err * 100);
	if (wide)
		snprintf(h->rest, sizeof h->rest, "%s%s%s%s%s", r, *r ? " req/s" : "",
			 *r && *e ? ", " : "", e, *e ? " errors" : "");
	else
		snprintf(h->rest, sizeof h->rest, "%s%s%s%s", r, *r ? "/s" : "",
			 *r && *e ? " " : "", e);
}

int
graph_paint_health_width(const struct graph_health *h)
{
	return (h->word[0] ? text_width(h->word) + 1 : 0) + text_width(h->rest);
}

int
graph_paint_health_draw(struct canvas *c, int x, int y, int maxw, const struct graph_health *h,
			unsigned attr)
{
	int used = 0;

	if (h->word[0] != '\0') {
		used = text_draw(c, x, y, maxw, h->word, h->role, attr | ATTR_BOLD);
		if (used < maxw)
			used++;
	}
	return used + text_draw(c, x + used, y, maxw - used, h->rest,
				h->none ? ROLE_DIM : ROLE_NORMAL, attr);
}

void
graph_paint_count(long long n, char *out, size_t size)
{
	if (n < 100000)
		snprintf(out, size, "%lld", n);
	else
		format_si((double)n, out, size);
}

void
graph_paint_label(const struct topo_edge *e, char *out, size_t n)
{
	char calls[24], errors[24];

	graph_paint_count(e->calls, calls, sizeof calls);
	if (e->errors > 0) {
		graph_paint_count(e->errors, errors, sizeof errors);
		snprintf(out, n, "%s !%s", calls, errors);
	} else {
		snprintf(out, n, "%s", calls);
	}
}

enum role
graph_paint_edge_role(const struct view_ctx *v, const struct topo_edge *e)
{
	/*
	 * An edge's error share is an error ratio like a service's ERR%, so
	 * the model's error thresholds colour both alike.  Without thresholds:
	 * 1 % warns and 5 % is critical, the defaults of [thresholds].
	 */
	double warn = v->th ? v->th->error_warn : 0.01, crit = v->th ? v->th->error_crit : 0.05;
	double share;

	if (e->calls <= 0 || e->errors <= 0)
		return ROLE_NORMAL;
	share = (double)e->errors / (double)e->calls;
	if (share >= crit)
		return ROLE_CRIT;
	if (share >= warn)
		return ROLE_WARN;
	return ROLE_NORMAL;
}

/* ---- lines ------------------------------------------------------------------ */

struct lcell {
	unsigned char mask, role, attr;
	signed char arrow; /* 0, '<' or '>' */
};

struct grid {
	struct lcell *cells;
	int w, h, ox, oy; /* graph (x, y) is cell (x - ox, y - oy) */
};

static struct lcell *
grid_at(struct grid *gr, int x, int y)
{
	x -= gr->ox;
	y -= gr->oy;
	if (x < 0 || y < 0 || x >= gr->w || y >= gr->h)
		return NULL;
	return &gr->cells[(size_t)y * (size_t)gr->w + (size_t)x];
}

static void
grid_mark(struct grid *gr, int x, int y, unsigned mask, enum role role, unsigned attr)
{
	struct lcell *l = grid_at(gr, x, y);

	if (l == NULL)
		return;
	l->mask |= (unsigned char)mask;
	l->role = (unsigned char)role;
	l->attr = (unsigned char)attr;
}

static void
grid_hline(struct grid *gr, int x0, int x1, int y, enum role role, unsigned attr)
{
	int x;

	for (x = x0; x <= x1; x++)
		grid_mark(gr, x, y, DIR_E | DIR_W, role, attr);
}

static void
grid_segment(struct grid *gr, const struct graph_seg *s, int pass_w, bool right_virtual,
	     enum role role, unsigned attr)
{
	int y, dv = s->ry > s->ly ? DIR_S : DIR_N, back = s->ry > s->ly ? DIR_N : DIR_S;
	struct lcell *l;

	grid_hline(gr, s->x0, s->cx - 1, s->ly, role, attr);
	if (s->ly == s->ry) {
		grid_mark(gr, s->cx, s->ly, DIR_E | DIR_W, role, attr);
	} else {
		grid_mark(gr, s->cx, s->ly, DIR_W | (unsigned)dv, role, attr);
		for (y = s->ly < s->ry ? s->ly + 1 : s->ry + 1; y < (s->ly < s->ry ? s->ry : s->ly);
		     y++)
			grid_mark(gr, s->cx, y, DIR_N | DIR_S, role, attr);
		grid_mark(gr, s->cx, s->ry, DIR_E | (unsigned)back, role, attr);
	}
	grid_hline(gr, s->cx + 1, s->x1, s->ry, role, attr);
	/* A long edge runs straight through its virtual node's column. */
	if (right_virtual)
		grid_hline(gr, s->x1 + 1, s->x1 + pass_w, s->ry, role, attr);
	if (s->arrow_left && (l = grid_at(gr, s->x0, s->ly)) != NULL)
		l->arrow = '<';
	if (s->arrow_right && (l = grid_at(gr, s->x1, s->ry)) != NULL)
		l->arrow = '>';
}

static bool
incident(const struct topo_edge *e, int sel)
{
	return sel >= 0 && (e->from == sel || e->to == sel);
}

/* Normal edges first, error edges over them, the selection's edges on top. */
static int
edge_layer(const struct view_ctx *v, const struct topo_edge *e, int sel)
{
	if (incident(e, sel))
		return 2;
	return graph_paint_edge_role(v, e) != ROLE_NORMAL;
}

static void
edge_style(const struct view_ctx *v, const struct topo_edge *e, int sel, enum role *role,
	   unsigned *attr)
{
	*role = graph_paint_edge_role(v, e);
	*attr = ATTR_NONE;
	if (incident(e, sel)) {
		if (*role == ROLE_NORMAL)
			*role = ROLE_ACCENT;
		*attr = ATTR_BOLD;
	} else if (*role == ROLE_NORMAL) {
		*role = ROLE_DIM;
	}
}

static void
paint_lines(struct canvas *s, struct grid *gr, const struct view_ctx *v,
	    const struct graph_picture *p)
{
	const struct topo_layout *t = p->t;
	const struct graph_geo *geo = p->geo;
	int layer, x, y;
	size_t i;

	for (layer = 0; layer < 3; layer++)
		for (i = 0; i < geo->nsegs; i++) {
			const struct graph_seg *sg = &geo->segs[i];
			const struct topo_edge *e = &t->edges[sg->edge];
			enum role role;
			unsigned attr;

			if (edge_layer(v, e, p->selected) != layer)
				continue;
			edge_style(v, e, p->selected, &role, &attr);
			grid_segment(gr, sg, geo->w[sg->right], t->nodes[sg->right].name == NULL,
				     role, attr);
		}
	for (y = 0; y < gr->h; y++)
		for (x = 0; x < gr->w; x++) {
			const struct lcell *l = &gr->cells[(size_t)y * (size_t)gr->w + (size_t)x];
			const char *gl;

			if (l->mask == 0 && l->arrow == 0)
				continue;
			if (l->arrow != 0)
				gl = s->ascii ? (l->arrow == '<' ? "<" : ">")
					      : (l->arrow == '<' ? ARROW_LEFT : ARROW_RIGHT);
			else
				gl = line_glyph(l->mask, s->ascii);
			canvas_put(s, x, y, gl, 1, (enum role)l->role, l->attr);
		}
	/* A label sits just before the port where its edge reaches the callee's side. */
	for (layer = 0; layer < 3; layer++)
		for (i = 0; i < geo->nsegs; i++) {
			const struct graph_seg *sg = &geo->segs[i];
			const struct topo_edge *e = &t->edges[sg->edge];
			enum role role;
			unsigned attr;
			int lw;

			if (!sg->label || edge_layer(v, e, p->selected) != layer)
				continue;
			edge_style(v, e, p->selected, &role, &attr);
			lw = text_width(p->labels[sg->edge]);
			if (lw > sg->x1 - 1 - sg->cx - 1)
				lw = sg->x1 - 1 - sg->cx - 1;
			text_draw(s, sg->x1 - 1 - lw - p->sx, sg->ry - p->sy, lw,
				  p->labels[sg->edge], role, attr);
		}
}

/* ---- boxes ------------------------------------------------------------------ */

static void
paint_box(struct canvas *s, const struct view_ctx *v, const struct graph_picture *p, int i)
{
	const struct graph_geo *geo = p->geo;
	const char *name = p->t->nodes[i].name;
	const struct graph_health *h = &p->health[i];
	int x = geo->x[i] - p->sx, y = geo->y[i] - p->sy, w = geo->w[i], hh = geo->h[i], r;
	bool sel = i == p->selected && !v->wall; /* the wall has no cursor */
	enum role border = sel                                              ? ROLE_ACCENT
			   : (h->role == ROLE_CRIT || h->role == ROLE_WARN) ? h->role
									    : ROLE_NORMAL;

	(void)v;
	for (r = 1; r < hh - 1; r++)
		text_draw_aligned(s, x + 1, y + r, w - 2, "", ALIGN_LEFT, ROLE_NORMAL, ATTR_NONE);
	canvas_box(s, (struct rect){ x, y, w, hh }, border);
	if (sel)
		text_draw_aligned(s, x + 1, y + 1, w - 2, "", ALIGN_LEFT, ROLE_SELECTED, ATTR_NONE);
	text_draw(s, x + 2, y + 1, w - 4, name, sel ? ROLE_SELECTED : ROLE_NORMAL, ATTR_BOLD);
	graph_paint_health_draw(s, x + 2, y + 2, w - 4, h, ATTR_NONE);
}

/* Where lines meet a box: a tee on its border. */
static void
paint_ports(struct canvas *s, const struct graph_picture *p)
{
	const struct graph_geo *geo = p->geo;
	size_t i;

	for (i = 0; i < geo->nsegs; i++) {
		const struct graph_seg *sg = &geo->segs[i];
		struct cell *cl;

		if (p->t->nodes[sg->left].name != NULL && !sg->arrow_left &&
		    (cl = canvas_at(s, sg->x0 - 1 - p->sx, sg->ly - p->sy)) != NULL)
			canvas_put(s, sg->x0 - 1 - p->sx, sg->ly - p->sy, s->ascii ? "+" : PORT_OUT,
				   1, (enum role)cl->role, cl->attr);
		if (p->t->nodes[sg->right].name != NULL && !sg->arrow_right &&
		    (cl = canvas_at(s, sg->x1 + 1 - p->sx, sg->ry - p->sy)) != NULL)
			canvas_put(s, sg->x1 + 1 - p->sx, sg->ry - p->sy, s->ascii ? "+" : PORT_IN,
				   1, (enum role)cl->role, cl->attr);
	}
}

/* ---- the window ------------------------------------------------------------- */

/* Copy src into c at (x, y), never leaving half of a wide character. */
static void
blit(struct canvas *c, int x0, int y0, const struct canvas *src)
{
	int x, y;

	for (y = 0; y < src->h; y++)
		for (x = 0; x < src->w; x++) {
			const struct cell *cl = &src->cells[(size_t)y * (size_t)src->w + (size_t)x];

			if (cl->width == 0) {
				if (x == 0)
					canvas_put(c, x0, y0 + y, " ", 1, (enum role)cl->role,
						   cl->attr);
				continue;
			}
			if (cl->width == 2 && x + 1 >= src->w)
				canvas_put(c, x0 + x, y0 + y, " ", 1, (enum role)cl->role,
					   cl->attr);
			else
				canvas_put(c, x0 + x, y0 + y, cl->ch, cl->width,
					   (enum role)cl->role, cl->attr);
		}
}

void
graph_paint(struct canvas *c, struct rect view, const struct view_ctx *v,
	    const struct graph_picture *p)
{
	struct canvas *s;
	struct grid gr;
	size_t i;

	if (view.w <= 0 || view.h <= 0)
		return;
	/* Drawn in a window of the view's size, so a draw costs the screen, not the graph. */
	s = canvas_new(view.w, view.h);
	s->ascii = c->ascii;
	gr.w = view.w;
	gr.h = view.h;
	gr.ox = p->sx;
	gr.oy = p->sy;
	gr.cells = xcalloc((size_t)view.w * (size_t)view.h, sizeof *gr.cells);
	paint_lines(s, &gr, v, p);
	for (i = 0; i < p->t->nreal && i < p->geo->nnodes; i++) {
		const struct graph_geo *geo = p->geo;

		if (geo->x[i] + geo->w[i] <= p->sx || geo->x[i] >= p->sx + view.w ||
		    geo->y[i] + geo->h[i] <= p->sy || geo->y[i] >= p->sy + view.h)
			continue;
		paint_box(s, v, p, (int)i);
	}
	paint_ports(s, p);
	blit(c, view.x, view.y, s);
	free(gr.cells);
	canvas_free(s);
}
