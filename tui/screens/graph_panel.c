#include "graph_panel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph_paint.h"
#include "parse.h"
#include "text.h"

#define VIEW_MIN_H 5  /* rows the graph keeps above the bottom panel */
#define BOTTOM_ROWS 4 /* callers / callees rows of the bottom panel, at most */
#define NUM_W 20      /* the numeric columns of a list: calls, errors, error % */

static const char *
dot(const struct view_ctx *v)
{
	return v->ascii ? "|" : "\xc2\xb7";
}

void
graph_panel_range(double s, char *out, size_t n)
{
	if (s <= 0)
		s = 3600;
	if (s >= 86400 && fmod(s, 86400) == 0)
		snprintf(out, n, "%.0fd", s / 86400);
	else if (s >= 3600 && fmod(s, 3600) == 0)
		snprintf(out, n, "%.0fh", s / 3600);
	else if (s >= 60)
		snprintf(out, n, "%.0fm", s / 60);
	else
		snprintf(out, n, "%.0fs", s);
}

static const struct topo_layout *sort_t; /* qsort has no context argument */

static int
cmp_nb(const void *pa, const void *pb)
{
	const struct graph_nb *a = pa, *b = pb;

	if (a->e->calls != b->e->calls)
		return a->e->calls > b->e->calls ? -1 : 1;
	if (a->e->errors != b->e->errors)
		return a->e->errors > b->e->errors ? -1 : 1;
	return strcmp(sort_t->nodes[a->node].name, sort_t->nodes[b->node].name);
}

size_t
graph_panel_neighbours(const struct topo_layout *t, int sel, bool callers, struct graph_nb *out)
{
	size_t e, n = 0;

	for (e = 0; e < t->nedges; e++) {
		const struct topo_edge *te = &t->edges[e];

		if ((callers ? te->to : te->from) != sel)
			continue;
		out[n].node = callers ? te->from : te->to;
		out[n].e = te;
		n++;
	}
	sort_t = t;
	if (n > 1)
		qsort(out, n, sizeof *out, cmp_nb);
	sort_t = NULL;
	return n;
}

void
graph_panel_error_pct(const struct topo_edge *e, char *out, size_t n)
{
	if (e->calls <= 0)
		snprintf(out, n, "-");
	else
		snprintf(out, n, "%.1f%%", 100.0 * (double)e->errors / (double)e->calls);
}

/*
 * One list of the panel at (x, y), w wide: a heading and up to rows - 1
 * entries (the last says how many more when they do not fit).  Returns
 * the rows used.
 */
static int
draw_list(struct canvas *c, int x, int y, int w, int rows, const struct view_ctx *v,
	  const struct topo_layout *t, const char *title, const struct graph_nb *l, size_t n,
	  const char *none)
{
	int nw = w - NUM_W, r = 0, shown;
	char head[48], calls[24], errs[24], pct[24];
	size_t i;

	if (rows <= 0 || w < NUM_W + 4)
		return 0;
	snprintf(head, sizeof head, "%s (%zu)", title, n);
	text_draw_aligned(c, x, y, nw, head, ALIGN_LEFT, ROLE_HEADER, ATTR_BOLD);
	text_draw_aligned(c, x + nw, y, 7, "CALLS", ALIGN_RIGHT, ROLE_HEADER, ATTR_BOLD);
	text_draw_aligned(c, x + nw + 7, y, 6, "ERR", ALIGN_RIGHT, ROLE_HEADER, ATTR_BOLD);
	text_draw_aligned(c, x + nw + 13, y, 7, "ERR%", ALIGN_RIGHT, ROLE_HEADER, ATTR_BOLD);
	r = 1;
	if (n == 0 && rows > 1) {
		text_draw(c, x, y + 1, w, none, ROLE_DIM, ATTR_NONE);
		return 2;
	}
	shown = (size_t)(rows - 1) >= n ? (int)n : rows - 2;
	for (i = 0; (int)i < shown; i++, r++) {
		enum role er = graph_paint_edge_role(v, l[i].e);

		graph_paint_count(l[i].e->calls, calls, sizeof calls);
		graph_paint_count(l[i].e->errors, errs, sizeof errs);
		graph_panel_error_pct(l[i].e, pct, sizeof pct);
		text_draw(c, x, y + r, nw - 1, t->nodes[l[i].node].name, ROLE_NORMAL, ATTR_NONE);
		text_draw_aligned(c, x + nw, y + r, 7, calls, ALIGN_RIGHT, ROLE_NORMAL, ATTR_NONE);
		text_draw_aligned(c, x + nw + 7, y + r, 6, errs, ALIGN_RIGHT,
				  l[i].e->errors > 0 ? er : ROLE_DIM, ATTR_NONE);
		text_draw_aligned(c, x + nw + 13, y + r, 7, pct, ALIGN_RIGHT,
				  er == ROLE_NORMAL ? ROLE_NORMAL : er, ATTR_NONE);
	}
	if ((size_t)shown < n && r < rows) {
		char more[32];

		snprintf(more, sizeof more, "+%zu more", n - (size_t)shown);
		text_draw(c, x, y + r, w, more, ROLE_DIM, ATTR_NONE);
		r++;
	}
	return r;
}

/* Rows for two lists of nin and nout entries in avail rows (headings apart). */
static void
share_rows(size_t nin, size_t nout, int avail, int *rin, int *rout)
{
	*rin = nin > 0 ? (int)(nin < 1000 ? nin : 1000) : 1;
	*rout = nout > 0 ? (int)(nout < 1000 ? nout : 1000) : 1;
	while (*rin + *rout > avail && (*rin > 1 || *rout > 1)) {
		if (*rin >= *rout)
			(*rin)--;
		else
			(*rout)--;
	}
}

/* What the panel shows about the data: range, counts, refresh, failure, scroll. */
static void
info_lines(const struct view_ctx *v, const struct topology_data *d, const char *more, char *info,
	   size_t ni, char *warn, size_t nw)
{
	char r[16], age[32];

	graph_panel_range(d->lookback_s, r, sizeof r);
	snprintf(info, ni, "last %s %s %zu services %s %zu links%s%s%s%s", r, dot(v),
		 d->layout->nreal, dot(v), d->layout->nedges, d->loading ? " " : "",
		 d->loading ? dot(v) : "", d->loading ? " refreshing" : "", more);
	warn[0] = '\0';
	if (d->err.code != ERR_OK) {
		format_duration_ms((long long)((v->now - d->fetched_at) * 1000.0), age, sizeof age);
		snprintf(warn, nw, "%s (the links shown are %s old)", d->err.msg, age);
	}
}

static const char *const keys_hint = "Enter detail  t traces  +/- range";

void
graph_panel_side(struct canvas *c, struct rect r, const struct view_ctx *v,
		 const struct graph_panel *p)
{
	const struct topology_data *d = p->d;
	const struct topo_layout *t = d->layout;
	const struct graph_nb *in = p->in, *out = p->out;
	size_t nin = p->nin, nout = p->nout;
	const char *more = p->more;
	int sel = p->sel;
	struct graph_health h;
	char info[192], warn[ERR_MSG_MAX + 64];
	int y = r.y, rin, rout, bottom, end, k;

	for (k = r.y; k < r.y + r.h; k++)
		canvas_put(c, r.x, k, v->ascii ? "|" : "\xe2\x94\x82", 1, ROLE_DIM, ATTR_NONE);
	r.x += 2;
	r.w -= 3;
	info_lines(v, d, "", info, sizeof info, warn, sizeof warn);
	bottom = 2 + (warn[0] != '\0') + (more[0] != '\0');
	text_draw(c, r.x, y++, r.w, t->nodes[sel].name, ROLE_ACCENT, ATTR_BOLD);
	graph_paint_health(v, t->nodes[sel].name, true, &h);
	graph_paint_health_draw(c, r.x, y++, r.w, &h, ATTR_NONE);
	/* The lists take what the lines at the bottom leave: headings, a blank between. */
	end = r.y + r.h - bottom - 1;
	if (end - y >= 7)
		y++;
	share_rows(nin, nout, end - y - 3, &rin, &rout);
	y += draw_list(c, r.x, y, r.w, rin + 1 < end - y ? rin + 1 : end - y, v, t, "CALLERS", in,
		       nin, "none: an entry point");
	if (y < end)
		y++;
	draw_list(c, r.x, y, r.w, rout + 1 < end - y ? rout + 1 : end - y, v, t, "CALLEES", out,
		  nout, "none: calls no traced service");
	y = r.y + r.h - bottom;
	if (warn[0] != '\0')
		text_draw(c, r.x, y++, r.w, warn, ROLE_WARN, ATTR_NONE);
	text_draw(c, r.x, y++, r.w, info, ROLE_DIM, ATTR_NONE);
	if (more[0] != '\0') /* " · more: ..." without its separator */
		text_draw(c, r.x, y++, r.w, more + strlen(dot(v)) + 2, ROLE_DIM, ATTR_NONE);
	if (!v->wall) /* the wall takes no keys: no hint that invites one */
		text_draw(c, r.x, y, r.w, keys_hint, ROLE_DIM, ATTR_NONE);
}

int
graph_panel_bottom_height(int h, size_t nin, size_t nout)
{
	int rows = (int)(nin > nout ? nin : nout);

	if (rows < 1)
		rows = 1;
	if (rows > BOTTOM_ROWS)
		rows = BOTTOM_ROWS;
	if (h - (3 + rows) < VIEW_MIN_H)
		rows = h - VIEW_MIN_H - 3;
	return 3 + (rows > 0 ? rows : 0);
}

void
graph_panel_bottom(struct canvas *c, struct rect r, const struct view_ctx *v,
		   const struct graph_panel *p)
{
	const struct topology_data *d = p->d;
	const struct topo_layout *t = d->layout;
	const struct graph_nb *in = p->in, *out = p->out;
	size_t nin = p->nin, nout = p->nout;
	const char *more = p->more;
	int sel = p->sel;
	struct graph_health h;
	char info[192], warn[ERR_MSG_MAX + 64];
	int x, half, used, hint = text_width(keys_hint);

	info_lines(v, d, more, info, sizeof info, warn, sizeof warn);
	for (x = r.x; x < r.x + r.w; x++)
		canvas_put(c, x, r.y, v->ascii ? "-" : "\xe2\x94\x80", 1, ROLE_DIM, ATTR_NONE);
	/* On the rule: the failure first (it must survive a cut), then the counts. */
	x = r.x + 2;
	canvas_put(c, x++, r.y, " ", 1, ROLE_DIM, ATTR_NONE);
	if (warn[0] != '\0') {
		x += text_draw(c, x, r.y, r.x + r.w - 3 - x, warn, ROLE_WARN, ATTR_NONE);
		canvas_put(c, x++, r.y, " ", 1, ROLE_DIM, ATTR_NONE);
	}
	if (x + 8 < r.x + r.w - 3) {
		x += text_draw(c, x, r.y, r.x + r.w - 3 - x, info, ROLE_DIM, ATTR_NONE);
		canvas_put(c, x, r.y, " ", 1, ROLE_DIM, ATTR_NONE);
	}
	used = text_draw(c, r.x + 1, r.y + 1, r.w - 2, t->nodes[sel].name, ROLE_ACCENT, ATTR_BOLD);
	graph_paint_health(v, t->nodes[sel].name, true, &h);
	used += 2 + graph_paint_health_draw(c, r.x + 1 + used + 2, r.y + 1, r.w - 3 - used, &h,
					    ATTR_NONE);
	if (used + hint + 3 <= r.w - 1 && !v->wall)
		text_draw(c, r.x + r.w - 1 - hint, r.y + 1, hint, keys_hint, ROLE_DIM, ATTR_NONE);
	if (r.h <= 3) /* a heading without a row tells nothing */
		return;
	half = (r.w - 3) / 2;
	if (half >= NUM_W + 10) {
		draw_list(c, r.x + 1, r.y + 2, half, r.h - 2, v, t, "CALLERS", in, nin,
			  "none: an entry point");
		for (x = r.y + 2; x < r.y + r.h; x++)
			canvas_put(c, r.x + 1 + half, x, v->ascii ? "|" : "\xe2\x94\x82", 1,
				   ROLE_DIM, ATTR_NONE);
		draw_list(c, r.x + half + 3, r.y + 2, r.w - half - 4, r.h - 2, v, t, "CALLEES", out,
			  nout, "none: calls no traced service");
	} else {
		int rin, rout;

		share_rows(nin, nout, r.h - 4, &rin, &rout);
		used = draw_list(c, r.x + 1, r.y + 2, r.w - 2, rin + 1, v, t, "CALLERS", in, nin,
				 "none: an entry point");
		draw_list(c, r.x + 1, r.y + 2 + used, r.w - 2, rout + 1, v, t, "CALLEES", out, nout,
			  "none: calls no traced service");
	}
}
