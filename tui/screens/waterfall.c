/*
 * waterfall.c - the Trace screen.  The rows are trace_rows() of the
 * collapsed set; the cursor is a node index, so collapsing an ancestor
 * moves it to the nearest shown ancestor and expanding puts nothing out
 * of place.  While the span pane is open, Up/Down still move between
 * spans (the pane follows) and PgUp/PgDn scroll the pane.
 */
#include "waterfall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "traces_style.h"
#include "waterfall_pane.h"
#include "waterfall_rows.h"
#include "xalloc.h"

#define DEPTH_MD_MAX 48 /* depth marks written in Markdown */
#define SIDE_PANE_MIN_W 140

struct waterfall {
	char trace_id[33]; /* the trace the state belongs to ("" none) */
	size_t nnodes;
	bool *collapsed; /* nnodes */
	int *rows;       /* nnodes: the shown nodes, in order */
	size_t nrows;
	int sel;    /* node under the cursor; -1 none */
	size_t top; /* first row shown */
	int page;   /* span rows at the last draw */
	bool critical;
	bool pane;
	int pane_scroll, pane_rows, pane_h;
	struct canvas *scratch; /* the pane's content, laid out tall */
};

struct waterfall *
waterfall_new(void)
{
	struct waterfall *w = xcalloc(1, sizeof *w);

	w->sel = -1;
	return w;
}

void
waterfall_free(struct waterfall *w)
{
	if (w == NULL)
		return;
	free(w->collapsed);
	free(w->rows);
	canvas_free(w->scratch);
	free(w);
}

static long
pos_of(const struct waterfall *w, int node)
{
	size_t p;

	for (p = 0; p < w->nrows; p++)
		if (w->rows[p] == node)
			return (long)p;
	return -1;
}

/* The state for d's trace (reset for another trace), its rows rebuilt; NULL without a trace. */
static const struct trace *
sync(struct waterfall *w, const struct trace_data *d)
{
	const struct trace *t = d != NULL ? d->trace : NULL;

	if (t == NULL || t->nnodes == 0) {
		w->nrows = 0;
		return NULL;
	}
	if (strcmp(w->trace_id, t->trace_id) != 0 || w->nnodes != t->nnodes) {
		free(w->collapsed);
		free(w->rows);
		w->collapsed = xcalloc(t->nnodes, sizeof *w->collapsed);
		w->rows = xcalloc(t->nnodes, sizeof *w->rows);
		w->nnodes = t->nnodes;
		snprintf(w->trace_id, sizeof w->trace_id, "%s", t->trace_id);
		w->sel = 0;
		w->top = 0;
		w->pane = false;
		w->pane_scroll = 0;
	}
	w->nrows = trace_rows(t, w->collapsed, w->rows, t->nnodes);
	if (w->sel < 0 || (size_t)w->sel >= t->nnodes)
		w->sel = 0;
	/* A collapsed ancestor hides the cursor's node: go up to the shown one. */
	while (w->sel >= 0 && pos_of(w, w->sel) < 0)
		w->sel = t->nodes[w->sel].parent;
	if (w->sel < 0)
		w->sel = w->nrows > 0 ? w->rows[0] : -1;
	return t;
}

int
waterfall_selected(const struct waterfall *w, const struct trace_data *d)
{
	if (d == NULL || d->trace == NULL || strcmp(w->trace_id, d->trace->trace_id) != 0)
		return -1;
	return w->sel;
}

bool
waterfall_critical_shown(const struct waterfall *w)
{
	return w->critical;
}

void
waterfall_set_critical(struct waterfall *w, bool on)
{
	w->critical = on;
}

void
waterfall_set_collapsed(struct waterfall *w, const struct trace_data *d, int i, bool on)
{
	const struct trace *t = sync(w, d);

	if (t == NULL || i < 0 || (size_t)i >= t->nnodes)
		return;
	w->collapsed[i] = on && t->nodes[i].nchildren > 0;
	sync(w, d);
}

/* ---- text ---------------------------------------------------------------- */

static size_t
nmerged(const struct trace *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nnodes; i++)
		n += t->nodes[i].merged;
	return n;
}

/* ---- header -------------------------------------------------------------- */

static int
draw_header(struct waterfall *w, struct canvas *c, struct rect r, const struct view_ctx *v,
	    const struct trace *t, bool utc)
{
	const char *dot = traces_style_dot(v->ascii);
	const struct zk_span *root = trace_span(t, 0);
	struct traces_flow f;
	char buf[256], d[32];
	int y = r.y;
	size_t merged = nmerged(t);
	bool sep = false;

	traces_flow_start(&f, c, (struct rect){ r.x, y, r.w, 2 }, dot);
	snprintf(buf, sizeof buf, "trace %s", t->trace_id);
	traces_flow_put(&f, buf, ROLE_HEADER, ATTR_BOLD, false);
	if (t->synthetic_root) {
		traces_flow_put(&f, "no root span", ROLE_WARN, ATTR_NONE, true);
	} else if (root != NULL) {
		traces_flow_put(&f, t->nodes[0].service[0] ? t->nodes[0].service : "?",
				traces_style_service_role(trace_service_index(t, 0)), ATTR_BOLD,
				true);
		traces_flow_put(&f, root->name != NULL ? root->name : "(no name)", ROLE_NORMAL,
				ATTR_NONE, false);
	}
	traces_style_when(t->start_us, utc, true, true, buf, sizeof buf);
	traces_flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, true);
	traces_style_us(t->duration_us, d, sizeof d);
	traces_flow_put(&f, d, ROLE_NORMAL, ATTR_BOLD, true);
	snprintf(buf, sizeof buf, "%zu span%s", t->nspans, t->nspans == 1 ? "" : "s");
	traces_flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, true);
	snprintf(buf, sizeof buf, "%zu service%s", t->nservices, t->nservices == 1 ? "" : "s");
	traces_flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, true);
	if (t->nerrors > 0) {
		snprintf(buf, sizeof buf, "%zu error%s", t->nerrors, t->nerrors == 1 ? "" : "s");
		traces_flow_put(&f, buf, ROLE_CRIT, ATTR_BOLD, true);
	}
	y += f.rows < 2 ? f.rows : 2;
	if (t->norphans > 0 || t->nskewed > 0 || merged > 0 || t->synthetic_root) {
		traces_flow_start(&f, c, (struct rect){ r.x, y, r.w, 1 }, dot);
		traces_flow_put(&f, "repaired:", ROLE_DIM, ATTR_NONE, false);
		if (t->norphans > 0)
			snprintf(buf, sizeof buf, "%zu orphan%s under \"missing parent\"",
				 t->norphans, t->norphans == 1 ? "" : "s");
		else if (t->synthetic_root)
			snprintf(buf, sizeof buf, "%d roots under \"missing parent\"",
				 t->nodes[0].nchildren);
		if (t->norphans > 0 || t->synthetic_root) {
			traces_flow_put(&f, buf, ROLE_WARN, ATTR_NONE, false);
			sep = true;
		}
		if (t->nskewed > 0) {
			snprintf(buf, sizeof buf, "%zu span%s shifted for clock skew", t->nskewed,
				 t->nskewed == 1 ? "" : "s");
			traces_flow_put(&f, buf, ROLE_WARN, ATTR_NONE, sep);
			sep = true;
		}
		if (merged > 0) {
			snprintf(buf, sizeof buf, "%zu duplicate%s merged", merged,
				 merged == 1 ? "" : "s");
			traces_flow_put(&f, buf, ROLE_WARN, ATTR_NONE, sep);
		}
		y++;
	}
	if (w->critical) {
		int64_t us = 0;
		const char *svc = trace_critical_service(t, &us);

		traces_flow_start(&f, c, (struct rect){ r.x, y, r.w, 1 }, dot);
		traces_flow_put(&f, "critical path", ROLE_ACCENT, ATTR_BOLD, false);
		if (svc != NULL) {
			char pct[16];

			traces_style_us(us, d, sizeof d);
			waterfall_rows_share_text(waterfall_rows_share(t, us), pct, sizeof pct);
			snprintf(buf, sizeof buf, "mostly %s: %s, %s of the trace",
				 svc[0] ? svc : "?", d, pct);
			traces_flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, true);
			traces_flow_put(&f, "d opens its detail", ROLE_DIM, ATTR_NONE, true);
		}
		y++;
	}
	return y - r.y;
}

/* ---- rows ---------------------------------------------------------------- */

static void
draw_rows(struct waterfall *w, struct canvas *c, struct rect r, const struct view_ctx *v,
	  const struct trace *t)
{
	struct waterfall_rows_view rv;
	size_t page;
	long p;

	if (r.h < 2)
		return;
	w->page = r.h - 1;
	page = (size_t)w->page;
	p = pos_of(w, w->sel);
	if (p >= 0 && (size_t)p < w->top)
		w->top = (size_t)p;
	if (p >= 0 && (size_t)p >= w->top + page)
		w->top = (size_t)p - page + 1;
	if (w->top + page > w->nrows)
		w->top = w->nrows > page ? w->nrows - page : 0;
	rv = (struct waterfall_rows_view){ .t = t,
					   .rows = w->rows,
					   .nrows = w->nrows,
					   .collapsed = w->collapsed,
					   .sel = w->sel,
					   .top = w->top,
					   .critical = w->critical,
					   .ascii = v->ascii || c->ascii };
	waterfall_rows_draw(c, r, &rv);
}

/* ---- the pane, the states, the whole ---------------------------------------- */

static void
draw_pane(struct waterfall *w, struct canvas *c, struct rect r, const struct view_ctx *v,
	  const struct trace *t)
{
	struct rect in = { r.x + 1, r.y + 1, r.w - 2, r.h - 2 };
	char title[64];

	if (in.w < 4 || in.h < 1)
		return;
	canvas_fill(c, r, ROLE_NORMAL);
	canvas_box(c, r, ROLE_DIM);
	snprintf(title, sizeof title, " span %d of %zu ", w->sel + 1, t->nnodes);
	text_draw(c, r.x + 2, r.y, r.w - 4, title, ROLE_HEADER, ATTR_BOLD);
	if (w->scratch == NULL)
		w->scratch = canvas_new(in.w, WATERFALL_PANE_MAX_ROWS);
	else if (w->scratch->w != in.w)
		canvas_resize(w->scratch, in.w, WATERFALL_PANE_MAX_ROWS);
	w->scratch->ascii = v->ascii || c->ascii;
	w->pane_rows = waterfall_pane_render(w->scratch, t, w->sel);
	w->pane_h = in.h;
	if (w->pane_scroll > w->pane_rows - in.h)
		w->pane_scroll = w->pane_rows - in.h;
	if (w->pane_scroll < 0)
		w->pane_scroll = 0;
	waterfall_pane_blit(c, in, w->scratch, w->pane_rows, w->pane_scroll);
}

static void
draw_state(struct canvas *c, struct rect r, const struct trace_data *d)
{
	char buf[512];
	int y = r.y + 1;

	if (d == NULL) {
		text_draw_wrapped(c, (struct rect){ r.x, y, r.w, 3 },
				  "No trace open: pick one on the Traces screen (t, then Enter), "
				  "or type :trace ID.",
				  ROLE_DIM, ATTR_NONE);
		return;
	}
	if (d->err.code != ERR_OK) {
		snprintf(buf, sizeof buf, "trace %s", d->trace_id ? d->trace_id : "?");
		text_draw(c, r.x, r.y, r.w, buf, ROLE_HEADER, ATTR_BOLD);
		y += text_draw_wrapped(c, (struct rect){ r.x, y, r.w, 4 }, d->err.msg, ROLE_CRIT,
				       ATTR_NONE);
		text_draw_wrapped(c, (struct rect){ r.x, y + 1, r.w, 3 },
				  "r asks Zipkin again; Esc goes back to the list.", ROLE_DIM,
				  ATTR_NONE);
		return;
	}
	snprintf(buf, sizeof buf, "%s trace %s from Zipkin...",
		 d->loading ? "loading" : "waiting for", d->trace_id ? d->trace_id : "?");
	text_draw_wrapped(c, (struct rect){ r.x, y, r.w, 3 }, buf, ROLE_DIM, ATTR_NONE);
}

static void
draw_too_small(struct canvas *c, struct rect body)
{
	char msg[128];

	snprintf(msg, sizeof msg, "terminal too small for the trace: %dx%d, need %dx%d", c->w, c->h,
		 WATERFALL_MIN_W, WATERFALL_MIN_H + 2);
	text_draw_wrapped(c, (struct rect){ body.x + 1, body.y + body.h / 2 - 1, body.w - 2, 3 },
			  msg, ROLE_WARN, ATTR_BOLD);
}

void
waterfall_draw(struct waterfall *w, struct canvas *c, struct rect body, const struct view_ctx *v,
	       const struct trace_data *d)
{
	struct rect in = { body.x + 1, body.y, body.w - 2, body.h }, rows, pane = { 0, 0, 0, 0 };
	const struct trace *t;
	int y;

	if (body.w < WATERFALL_MIN_W || body.h < WATERFALL_MIN_H) {
		draw_too_small(c, body);
		return;
	}
	t = sync(w, d);
	if (t == NULL) {
		draw_state(c, in, d);
		return;
	}
	y = in.y + draw_header(w, c, in, v, t, d->utc);
	rows = (struct rect){ in.x, y, in.w, in.y + in.h - y };
	if (w->pane && in.w >= SIDE_PANE_MIN_W) {
		int pw = in.w * 2 / 5 > 72 ? 72 : in.w * 2 / 5;

		pane = (struct rect){ in.x + in.w - pw, y, pw, rows.h };
		rows.w -= pw + 1;
	} else if (w->pane) {
		int ph = rows.h / 2 > 8 ? rows.h / 2 : 8;

		if (ph > rows.h - 3)
			ph = rows.h - 3;
		pane = (struct rect){ in.x, in.y + in.h - ph, in.w, ph };
		rows.h -= ph;
	}
	draw_rows(w, c, rows, v, t);
	if (w->pane)
		draw_pane(w, c, pane, v, t);
}

/* ---- keys ---------------------------------------------------------------- */

int
waterfall_handle(struct waterfall *w, enum action a, const struct trace_data *d)
{
	const struct trace *t = sync(w, d);
	size_t page = w->page > 0 ? (size_t)w->page : 1, p;
	long at;

	if (a == ACT_CRITICAL_PATH) {
		w->critical = !w->critical;
		return H_DIRTY | H_HANDLED;
	}
	if (a == ACT_BACK && w->pane) {
		w->pane = false;
		return H_DIRTY | H_HANDLED;
	}
	if (t == NULL || w->nrows == 0)
		return a == ACT_UP || a == ACT_DOWN || a == ACT_SPAN_COLLAPSE ||
				       a == ACT_SPAN_DETAIL
			       ? H_HANDLED
			       : H_NONE;
	at = pos_of(w, w->sel);
	p = at >= 0 ? (size_t)at : 0;
	switch (a) {
	case ACT_UP:
		p = p > 0 ? p - 1 : 0;
		break;
	case ACT_DOWN:
		p = p + 1 < w->nrows ? p + 1 : p;
		break;
	case ACT_PGUP:
	case ACT_PGDN:
		if (w->pane) {
			int step = w->pane_h > 1 ? w->pane_h - 1 : 1;

			w->pane_scroll += a == ACT_PGDN ? step : -step;
			if (w->pane_scroll > w->pane_rows - w->pane_h)
				w->pane_scroll = w->pane_rows - w->pane_h;
			if (w->pane_scroll < 0)
				w->pane_scroll = 0;
			return H_DIRTY | H_HANDLED;
		}
		if (a == ACT_PGUP)
			p = p > page ? p - page : 0;
		else
			p = p + page < w->nrows ? p + page : w->nrows - 1;
		break;
	case ACT_TOP:
		p = 0;
		break;
	case ACT_BOTTOM:
		p = w->nrows - 1;
		break;
	case ACT_SPAN_COLLAPSE:
		if (t->nodes[w->sel].nchildren > 0) {
			w->collapsed[w->sel] = !w->collapsed[w->sel];
			sync(w, d);
		}
		return H_DIRTY | H_HANDLED;
	case ACT_SPAN_DETAIL:
		w->pane = !w->pane;
		w->pane_scroll = 0;
		return H_DIRTY | H_HANDLED;
	default:
		return H_NONE;
	}
	if (w->rows[p] != w->sel)
		w->pane_scroll = 0;
	w->sel = w->rows[p];
	if (p < w->top)
		w->top = p;
	else if (p >= w->top + page)
		w->top = p - page + 1;
	return H_DIRTY | H_HANDLED;
}

/* ---- Markdown ------------------------------------------------------------ */

void
waterfall_markdown(struct waterfall *w, const struct view_ctx *v, const struct trace_data *d,
		   struct buf *out)
{
	const struct trace *t = sync(w, d);
	char buf[256], dur[32];
	size_t q;
	int k;

	if (t == NULL) {
		buf_puts(out, "## opsdeck trace ");
		traces_style_md_cell(out, d != NULL && d->trace_id ? d->trace_id : "?", v->ascii);
		buf_puts(out, "\n\n");
		if (d != NULL && d->err.code != ERR_OK) {
			buf_puts(out, "- **error:** ");
			traces_style_md_cell(out, d->err.msg, v->ascii);
			buf_putc(out, '\n');
		} else {
			buf_puts(out, "- not loaded\n");
		}
		return;
	}
	buf_printf(out, "## opsdeck trace %s\n\n", t->trace_id);
	traces_style_when(t->start_us, d->utc, true, true, buf, sizeof buf);
	traces_style_us(t->duration_us, dur, sizeof dur);
	buf_printf(out, "- start: %s\n- duration: %s\n- spans: %zu, services: %zu, errors: %zu\n",
		   buf, dur, t->nspans, t->nservices, t->nerrors);
	if (t->norphans > 0 || t->nskewed > 0 || nmerged(t) > 0)
		buf_printf(out, "- repaired: %zu orphans, %zu skew-corrected, %zu merged\n",
			   t->norphans, t->nskewed, nmerged(t));
	{
		int64_t us = 0;
		const char *svc = trace_critical_service(t, &us);

		if (svc != NULL) {
			traces_style_us(us, dur, sizeof dur);
			buf_puts(out, "- critical path mostly: ");
			traces_style_md_cell(out, svc, v->ascii);
			buf_printf(out, " %s (%.0f%%)\n", dur, waterfall_rows_share(t, us));
		}
	}
	buf_puts(out, "\n| tree | service | span | start | duration | critical | flags |\n"
		      "|---|---|---|---|---|---|---|\n");
	for (q = 0; q < w->nrows; q++) {
		int i = w->rows[q];
		const struct trace_node *nd = &t->nodes[i];
		const char *svc, *name;

		waterfall_rows_name(t, i, &svc, &name);
		buf_puts(out, "| ");
		for (k = 0; k < nd->depth && k < DEPTH_MD_MAX; k++)
			buf_puts(out, v->ascii ? "." : "\xc2\xb7");
		if (w->collapsed[i])
			buf_printf(out, "%s%d", v->ascii ? "+" : "\xe2\x96\xb8", nd->subtree - 1);
		buf_puts(out, " | ");
		traces_style_md_cell(out, svc, v->ascii);
		buf_puts(out, " | ");
		traces_style_md_cell(out, name, v->ascii);
		traces_style_offset(nd->start_us, buf, sizeof buf);
		traces_style_us(nd->dur_us, dur, sizeof dur);
		buf_printf(out, " | %s | %s | ", buf, dur);
		if (waterfall_rows_path_us(t, w->collapsed, i) > 0) {
			waterfall_rows_share_text(
				waterfall_rows_share(t, waterfall_rows_path_us(t, w->collapsed, i)),
				buf, sizeof buf);
			buf_puts(out, buf);
		}
		waterfall_rows_flags(nd, buf, sizeof buf);
		buf_printf(out, " | %s%s%s |\n", nd->error ? "error" : "",
			   nd->error && buf[0] ? " " : "", buf);
	}
}
