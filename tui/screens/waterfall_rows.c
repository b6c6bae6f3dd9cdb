/*
 * waterfall_rows.c - the rows of the waterfall.  With the critical path
 * shown, a bar's cells on the path are solid and the rest shaded: a node
 * on the path owns the time of its extent not taken by its children on
 * the path (the walk of backends/trace_critical.c takes a child whole or
 * not at all), so exactly one row is solid at each moment of the trace.
 */
#include "waterfall_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "traces_style.h"
#include "xalloc.h"

#define NAME_MIN_W 16
#define BAR_MIN_W 12
#define CP_W 5        /* " 66%" and a blank */
#define GUTTER_MAX 48 /* cells of tree gutter kept; deeper levels are cut at the left */

/* Where the parts of a span row go. */
struct layout {
	int x, w;           /* the rows' area */
	int name_x, name_w; /* tree gutter and names */
	int cp_x, cp_w;     /* critical share; cp_w 0 when off */
	int bar_x, bar_w;   /* the time axis */
	int unit;           /* gutter columns per level */
	bool ascii;
	const struct waterfall_rows_view *v;
};

double
waterfall_rows_share(const struct trace *t, int64_t us)
{
	return t->duration_us > 0 ? 100.0 * (double)us / (double)t->duration_us : 0;
}

void
waterfall_rows_share_text(double pct, char *out, size_t n)
{
	if (pct > 0 && pct < 1)
		snprintf(out, n, "<1%%");
	else
		snprintf(out, n, "%.0f%%", pct);
}

void
waterfall_rows_flags(const struct trace_node *nd, char *out, size_t n)
{
	char d[32];
	size_t l;

	out[0] = '\0';
	if (nd->orphan)
		snprintf(out, n, "orphan");
	if (nd->skew_us != 0) {
		traces_style_offset(nd->skew_us, d, sizeof d);
		l = strlen(out);
		snprintf(out + l, n - l, "%sskew %s", l ? " " : "", d);
	}
	if (nd->exceeds_parent) {
		l = strlen(out);
		snprintf(out + l, n - l, "%sexceeds parent", l ? " " : "");
	}
}

static int
gutter_cols(const struct layout *l, int depth)
{
	int n = depth == 0 ? 1 : l->unit * (depth - 1) + 2;

	return n < GUTTER_MAX ? n : GUTTER_MAX;
}

void
waterfall_rows_name(const struct trace *t, int i, const char **svc, const char **name)
{
	const struct zk_span *s = trace_span(t, i);

	*svc = s == NULL ? "" : t->nodes[i].service[0] ? t->nodes[i].service : "?";
	*name = s == NULL                       ? "missing parent"
		: s->name != NULL && s->name[0] ? s->name
						: "(no name)";
}

static int
hidden_cols(const struct waterfall_rows_view *v, int i, char *out, size_t n)
{
	const struct trace *t = v->t;

	out[0] = '\0';
	if (!v->collapsed[i] || t->nodes[i].subtree <= 1)
		return 0;
	snprintf(out, n, "+%d", t->nodes[i].subtree - 1);
	return text_width(out) + 1;
}

static void
lay_out(const struct waterfall_rows_view *v, struct rect r, struct layout *l)
{
	const struct trace *t = v->t;
	int need = 0, maxd = 0, cap;
	size_t p;
	char h[24];

	for (p = 0; p < v->nrows; p++)
		if (t->nodes[v->rows[p]].depth > maxd)
			maxd = t->nodes[v->rows[p]].depth;
	l->x = r.x;
	l->w = r.w;
	l->ascii = v->ascii;
	l->v = v;
	l->cp_w = v->critical ? CP_W : 0;
	cap = r.w * 2 / 5;
	if (cap > r.w - 2 - l->cp_w - BAR_MIN_W)
		cap = r.w - 2 - l->cp_w - BAR_MIN_W;
	if (cap < NAME_MIN_W)
		cap = NAME_MIN_W;
	l->unit = 2 * maxd + 1 <= cap / 2 ? 2 : 1;
	for (p = 0; p < v->nrows; p++) {
		int i = v->rows[p], n;
		const char *svc, *name;

		waterfall_rows_name(t, i, &svc, &name);
		n = gutter_cols(l, t->nodes[i].depth) + 1 + text_width(name) +
		    hidden_cols(v, i, h, sizeof h);
		if (svc[0])
			n += text_width(svc) + 1;
		if (n > need)
			need = n;
		if (need >= cap)
			break;
	}
	l->name_w = need < NAME_MIN_W ? NAME_MIN_W : need > cap ? cap : need;
	l->name_x = r.x + 1;
	l->cp_x = l->name_x + l->name_w + 1;
	l->bar_x = l->cp_x + l->cp_w;
	l->bar_w = r.x + r.w - l->bar_x;
	if (l->bar_w < 1)
		l->bar_w = 1;
}

static void
draw_gutter(const struct layout *l, struct canvas *c, int y, const struct trace *t, int i,
	    bool collapsed, enum role role, unsigned attr)
{
	const struct trace_node *nd = &t->nodes[i];
	const char *cells[GUTTER_MAX];
	int n = gutter_cols(l, nd->depth), k = n, a, x;
	bool asc = l->ascii;

	/* From the right: the marker, the connector, then one level per ancestor. */
	cells[--k] = nd->nchildren == 0 ? (asc ? "-" : "\xe2\x94\x80")
		     : collapsed        ? (asc ? "+" : "\xe2\x96\xb8")
					: (asc ? "-" : "\xe2\x96\xbe");
	if (nd->depth > 0 && k > 0)
		cells[--k] = nd->next_sibling >= 0 ? (asc ? "|" : "\xe2\x94\x9c")
						   : (asc ? "`" : "\xe2\x94\x94");
	for (a = nd->parent; a >= 0 && t->nodes[a].depth > 0 && k > 0; a = t->nodes[a].parent) {
		if (l->unit == 2 && k > 0)
			cells[--k] = " ";
		if (k > 0)
			cells[--k] =
				t->nodes[a].next_sibling >= 0 ? (asc ? "|" : "\xe2\x94\x82") : " ";
	}
	for (x = 0; x < k; x++)
		cells[x] = asc ? "." : "\xe2\x80\xa6"; /* levels cut at the left */
	for (x = 0; x < n; x++)
		canvas_put(c, l->name_x + x, y, cells[x], 1, role, attr);
}

int64_t
waterfall_rows_path_us(const struct trace *t, const bool *collapsed, int i)
{
	int64_t us = 0;
	int k;

	if (collapsed == NULL || !collapsed[i])
		return t->nodes[i].crit_us;
	for (k = i; k < i + t->nodes[i].subtree && (size_t)k < t->nnodes; k++)
		us += t->nodes[k].crit_us;
	return us;
}

/*
 * The cells of node i's bar on the critical path: its extent less its
 * critical children's bars (all of it on a collapsed row: the walk takes
 * a child whole, so inside the node's extent the path stays in its
 * subtree).  False when the row is off the path.
 */
static bool
crit_cells(const struct layout *l, const struct trace *t, int i, bool *mask)
{
	const struct trace_node *nd = &t->nodes[i];
	int x0, x1, a, b, ch;

	if (waterfall_rows_path_us(t, l->v->collapsed, i) <= 0)
		return false;
	trace_bar(t, i, l->bar_w, &x0, &x1);
	memset(mask, 0, (size_t)l->bar_w * sizeof *mask);
	for (a = x0 < 0 ? 0 : x0; a < x1 && a < l->bar_w; a++)
		mask[a] = true;
	for (ch = l->v->collapsed[i] ? -1 : nd->first_child; ch >= 0;
	     ch = t->nodes[ch].next_sibling) {
		if (!t->nodes[ch].on_critical)
			continue;
		trace_bar(t, ch, l->bar_w, &a, &b);
		/* A child's part can be narrower than a cell: keep the parent's share seen. */
		if (b - a == 1 && t->nodes[ch].crit_us * l->bar_w < t->duration_us)
			continue;
		for (a = a < 0 ? 0 : a; a < b && a < l->bar_w; a++)
			mask[a] = false;
	}
	return true;
}

static int
tick_col(const struct layout *l, int k)
{
	return (int)((long)k * (l->bar_w - 1) / 4);
}

static void
draw_bar(const struct layout *l, struct canvas *c, int y, const struct trace *t, int i, bool *mask)
{
	const struct trace_node *nd = &t->nodes[i];
	enum role role =
		nd->error ? ROLE_CRIT : traces_style_service_role(trace_service_index(t, i));
	bool asc = l->ascii, on = l->v->critical && crit_cells(l, t, i, mask);
	char d[32], fl[96], label[160];
	int x0, x1, x, k, lw, dw;

	for (k = 1; k < 4; k++)
		canvas_put(c, l->bar_x + tick_col(l, k), y, asc ? ":" : "\xe2\x94\x8a", 1, ROLE_DIM,
			   ATTR_NONE);
	trace_bar(t, i, l->bar_w, &x0, &x1);
	if (x0 < 0)
		x0 = 0;
	if (x1 > l->bar_w)
		x1 = l->bar_w;
	if (x1 <= x0)
		x1 = x0 + 1;
	for (x = x0; x < x1; x++) {
		const char *g;
		unsigned attr = ATTR_NONE;

		if (nd->dur_us == 0)
			g = asc ? "|" : "\xe2\x94\x82";
		else if (!l->v->critical)
			g = asc ? "#" : "\xe2\x96\x88";
		else if (on && mask[x]) {
			g = asc ? "#" : "\xe2\x96\x88";
			attr = ATTR_BOLD;
		} else {
			g = asc ? "-" : "\xe2\x96\x91";
		}
		canvas_put(c, l->bar_x + x, y, g, 1, role, attr);
	}
	if (trace_span(t, i) != NULL && !trace_span(t, i)->has_dur && nd->dur_us == 0)
		snprintf(d, sizeof d, "no duration");
	else
		traces_style_us(nd->dur_us, d, sizeof d);
	waterfall_rows_flags(nd, fl, sizeof fl);
	snprintf(label, sizeof label, "%s%s%s", d, fl[0] ? " " : "", fl);
	lw = text_width(label);
	dw = text_width(d);
	/* Beside the bar: right, else left; the flags go first when room is short. */
	if (x1 + 1 + lw <= l->bar_w) {
		x = l->bar_x + x1 + 1;
	} else if (x0 - 1 - lw >= 0) {
		x = l->bar_x + x0 - 1 - lw;
	} else if (x1 + 1 + dw <= l->bar_w) {
		x = l->bar_x + x1 + 1;
		lw = dw;
	} else if (x0 - 1 - dw >= 0) {
		x = l->bar_x + x0 - 1 - dw;
		lw = dw;
	} else {
		/* No room beside: inside the bar's start, in reverse. */
		text_draw(c, l->bar_x + x0, y, x1 - x0, d, role, ATTR_REVERSE | ATTR_BOLD);
		return;
	}
	x += text_draw(c, x, y, dw, d, ROLE_NORMAL, ATTR_NONE);
	if (lw > dw)
		text_draw(c, x + 1, y, lw - dw - 1, fl, ROLE_WARN, ATTR_NONE);
}

static void
draw_row(const struct layout *l, struct canvas *c, int y, const struct trace *t, int i, bool *mask)
{
	const struct trace_node *nd = &t->nodes[i];
	bool sel = i == l->v->sel, asc = l->ascii;
	enum role base = sel ? ROLE_SELECTED : ROLE_NORMAL;
	const char *svc, *name;
	char h[24];
	int x, hw, end;

	if (sel)
		canvas_fill(c, (struct rect){ l->x, y, l->bar_x - l->x, 1 }, ROLE_SELECTED);
	if (l->v->critical && waterfall_rows_path_us(t, l->v->collapsed, i) > 0)
		canvas_put(c, l->x, y, asc ? "*" : "\xe2\x97\x86", 1, sel ? base : ROLE_ACCENT,
			   ATTR_BOLD);
	draw_gutter(l, c, y, t, i, l->v->collapsed[i], sel ? base : ROLE_DIM, ATTR_NONE);
	x = l->name_x + gutter_cols(l, nd->depth) + 1;
	hw = hidden_cols(l->v, i, h, sizeof h);
	end = l->name_x + l->name_w - hw;
	waterfall_rows_name(t, i, &svc, &name);
	if (svc[0] && x < end) {
		x += text_draw(c, x, y, end - x, svc,
			       sel ? base : traces_style_service_role(trace_service_index(t, i)),
			       ATTR_NONE);
		x++;
	}
	if (x < end)
		text_draw(c, x, y, end - x, name,
			  nd->error                  ? ROLE_CRIT
			  : sel                      ? base
			  : trace_span(t, i) == NULL ? ROLE_DIM
						     : ROLE_NORMAL,
			  nd->error && sel ? ATTR_REVERSE | ATTR_BOLD : ATTR_NONE);
	if (hw > 0)
		text_draw(c, end + 1, y, hw - 1, h, sel ? base : ROLE_DIM, ATTR_NONE);
	if (l->cp_w > 0 && waterfall_rows_path_us(t, l->v->collapsed, i) > 0) {
		char pct[16];

		waterfall_rows_share_text(
			waterfall_rows_share(t, waterfall_rows_path_us(t, l->v->collapsed, i)), pct,
			sizeof pct);
		text_draw_aligned(c, l->cp_x, y, l->cp_w - 1, pct, ALIGN_RIGHT,
				  sel ? base : ROLE_ACCENT, ATTR_NONE);
	}
	draw_bar(l, c, y, t, i, mask);
}

/* The time axis: the headings, and 0, 25%, 50%, 75%, 100% of the trace in ms/s. */
static void
draw_ruler(const struct layout *l, struct canvas *c, int y, const struct trace *t)
{
	int k, last = -1;

	text_draw(c, l->name_x, y, l->name_w, "SERVICE SPAN", ROLE_HEADER, ATTR_BOLD);
	if (l->cp_w > 0)
		text_draw_aligned(c, l->cp_x, y, l->cp_w - 1, "PATH", ALIGN_RIGHT, ROLE_HEADER,
				  ATTR_BOLD);
	for (k = 0; k <= 4; k++) {
		char s[32];
		int sw, x;

		traces_style_us(t->duration_us * k / 4, s, sizeof s);
		sw = text_width(s);
		x = k == 0 ? 0 : k == 4 ? l->bar_w - sw : tick_col(l, k) - sw / 2;
		if (x <= last || x + sw > l->bar_w)
			continue;
		text_draw(c, l->bar_x + x, y, sw, s, ROLE_DIM, ATTR_NONE);
		last = x + sw;
	}
}

void
waterfall_rows_draw(struct canvas *c, struct rect r, const struct waterfall_rows_view *v)
{
	struct layout l;
	bool *mask;
	size_t q;
	int y;

	if (r.h < 2 || r.w < 2 || v->t == NULL)
		return;
	lay_out(v, r, &l);
	draw_ruler(&l, c, r.y, v->t);
	mask = xcalloc((size_t)l.bar_w, sizeof *mask);
	for (q = v->top, y = r.y + 1; q < v->nrows && y < r.y + r.h; q++, y++)
		draw_row(&l, c, y, v->t, v->rows[q], mask);
	free(mask);
}
