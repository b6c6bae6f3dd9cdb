/*
 * traces.c - the Traces screen.  The list is re-sorted from the poller's
 * answer at every draw and key (a few hundred summaries at most: a search
 * is limited to 1000), and the cursor is found again by its trace id, so a
 * refresh that reorders or drops traces never moves it to another trace
 * (when its trace is gone, it keeps its position).
 */
#include "traces.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "text.h"
#include "traces_scatter.h"
#include "traces_style.h"
#include "xalloc.h"

#define START_W 12 /* HH:MM:SS.mmm */
#define DUR_W 7
#define SPANS_W 5
#define ERR_W 4
#define ROOT_MIN_W 16

enum sort_key { SORT_START, SORT_DURATION, SORT_SPANS, SORT_SERVICES, SORT_COUNT };

static const char *const sort_titles[SORT_COUNT] = { "START", "DURATION", "SPANS", "SERVICES" };

struct traces_screen {
	char sel_id[33]; /* the cursor's trace ("" none) */
	size_t sel, top; /* positions in rows */
	int page;        /* rows of the list at the last draw */
	int rows_y;      /* the screen row of the list's first row at the last draw */
	enum sort_key sort;
	bool desc;
	const struct zk_trace_summary **rows; /* the list in display order */
	size_t nrows, cap;
};

/* Where the list's columns go. */
struct cols {
	int start_x, root_x, root_w, dur_x, bar_x, bar_w, spans_x, svc_x, svc_w, err_x;
};

struct traces_screen *
traces_screen_new(void)
{
	struct traces_screen *t = xcalloc(1, sizeof *t);

	t->sort = SORT_START;
	t->desc = true;
	return t;
}

void
traces_screen_free(struct traces_screen *t)
{
	if (t == NULL)
		return;
	free(t->rows);
	free(t);
}

/* ---- order --------------------------------------------------------------- */

/* Ties (and the start sort) fall back to start then id, so the order is total. */
static int
cmp_start(const struct zk_trace_summary *a, const struct zk_trace_summary *b)
{
	if (a->start_us != b->start_us)
		return a->start_us < b->start_us ? -1 : 1;
	return strcmp(a->trace_id, b->trace_id);
}

static int
cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

#define CMP_BY(name, expr)                                                                     \
	static int name(const void *x, const void *y)                                          \
	{                                                                                      \
		const struct zk_trace_summary *a = *(const struct zk_trace_summary *const *)x; \
		const struct zk_trace_summary *b = *(const struct zk_trace_summary *const *)y; \
		int r = (expr);                                                                \
		return r != 0 ? r : cmp_start(a, b);                                           \
	}

CMP_BY(by_start, 0)
CMP_BY(by_duration, cmp_i64(a->duration_us, b->duration_us))
CMP_BY(by_spans, cmp_i64((int64_t)a->nspans, (int64_t)b->nspans))
CMP_BY(by_services, cmp_i64((int64_t)a->nservices, (int64_t)b->nservices))

/* The rows in the sort order, the cursor found again by its trace id. */
static void
build(struct traces_screen *t, const struct traces_list *l)
{
	static int (*const cmp[SORT_COUNT])(const void *, const void *) = { by_start, by_duration,
									    by_spans, by_services };
	size_t n = l != NULL && l->items != NULL ? l->n : 0, i;

	if (t->cap < n) {
		t->cap = n;
		t->rows = xrealloc(t->rows, n * sizeof *t->rows);
	}
	for (i = 0; i < n; i++)
		t->rows[i] = &l->items[i];
	t->nrows = n;
	if (n > 1)
		qsort(t->rows, n, sizeof *t->rows, cmp[t->sort]);
	if (t->desc)
		for (i = 0; i < n / 2; i++) {
			const struct zk_trace_summary *x = t->rows[i];

			t->rows[i] = t->rows[n - 1 - i];
			t->rows[n - 1 - i] = x;
		}
	if (n == 0) {
		t->sel = t->top = 0;
		return;
	}
	for (i = 0; t->sel_id[0] != '\0' && i < n; i++)
		if (strcmp(t->rows[i]->trace_id, t->sel_id) == 0) {
			t->sel = i;
			break;
		}
	if (t->sel >= n)
		t->sel = n - 1;
	snprintf(t->sel_id, sizeof t->sel_id, "%s", t->rows[t->sel]->trace_id);
}

const char *
traces_screen_selected(const struct traces_screen *t, const struct traces_list *l)
{
	size_t i;

	if (l == NULL || l->items == NULL || l->n == 0)
		return NULL;
	for (i = 0; t->sel_id[0] != '\0' && i < l->n; i++)
		if (strcmp(l->items[i].trace_id, t->sel_id) == 0)
			return l->items[i].trace_id;
	return NULL;
}

/* ---- text ---------------------------------------------------------------- */

/* "service=payments >250ms", or "any service": what was searched. */
static void
describe(const struct traces_list *l, char *out, size_t n)
{
	const char *svc = l != NULL && l->service != NULL ? l->service : "";
	const char *line = l != NULL && l->search != NULL ? l->search : "";

	if (svc[0] != '\0' && strstr(line, "service=") == NULL)
		snprintf(out, n, "service=%s%s%s", svc, line[0] ? " " : "", line);
	else if (line[0] != '\0')
		snprintf(out, n, "%s", line);
	else
		snprintf(out, n, "any service");
}

static void
draw_header(struct canvas *c, struct rect r, const struct view_ctx *v, const struct traces_list *l)
{
	const char *dot = traces_style_dot(v->ascii);
	char what[512], right[256], lb[16], age[32];
	int rw, x;

	describe(l, what, sizeof what);
	right[0] = '\0';
	if (l != NULL) {
		traces_style_lookback(l->lookback_s, lb, sizeof lb);
		snprintf(right, sizeof right, "last %s", lb);
		if (l->have) {
			size_t k = strlen(right);

			snprintf(right + k, sizeof right - k, "%s%zu trace%s%s", dot, l->n,
				 l->n == 1 ? "" : "s",
				 l->limit > 0 && l->n >= (size_t)l->limit ? " (the limit)" : "");
			if (l->fetched_at > 0 && v->now >= l->fetched_at) {
				format_duration_ms((long long)((v->now - l->fetched_at) * 1000),
						   age, sizeof age);
				k = strlen(right);
				snprintf(right + k, sizeof right - k, "%s%s ago", dot, age);
			}
		}
		if (l->loading) {
			size_t k = strlen(right);

			snprintf(right + k, sizeof right - k, "%ssearching...", dot);
		}
	}
	rw = text_width(right);
	if (rw > r.w / 2)
		rw = r.w / 2;
	x = r.x + text_draw(c, r.x, r.y, r.w - rw - 1, "search ", ROLE_DIM, ATTR_NONE);
	text_draw(c, x, r.y, r.x + r.w - rw - 1 - x, what, ROLE_ACCENT, ATTR_BOLD);
	text_draw(c, r.x + r.w - rw, r.y, rw, right, ROLE_NORMAL, ATTR_NONE);
}

/* What is happening when there is no list to show, and what to do. */
static void
draw_state(struct canvas *c, struct rect r, const struct traces_list *l, bool ascii)
{
	const char *dash = ascii ? " - " : " \xe2\x80\x94 ";
	char what[512], msg[1024], lb[16], wider[16];
	int y = r.y + 1;

	describe(l, what, sizeof what);
	if (l == NULL) {
		text_draw_wrapped(c, (struct rect){ r.x, y, r.w, r.h - 1 },
				  "No search yet. e edits the search: service=NAME span=NAME "
				  ">250ms <2s error http.status_code=500 since=1h limit=50.",
				  ROLE_DIM, ATTR_NONE);
		return;
	}
	traces_style_lookback(l->lookback_s, lb, sizeof lb);
	if (!l->have && l->err.code == ERR_OK) {
		snprintf(msg, sizeof msg, "searching Zipkin for traces of %s in the last %s...",
			 what, lb);
		text_draw_wrapped(c, (struct rect){ r.x, y, r.w, r.h - 1 }, msg, ROLE_DIM,
				  ATTR_NONE);
		return;
	}
	if (!l->have) {
		y += text_draw_wrapped(c, (struct rect){ r.x, y, r.w, 4 }, l->err.msg, ROLE_CRIT,
				       ATTR_NONE);
		text_draw_wrapped(c, (struct rect){ r.x, y + 1, r.w, 3 },
				  l->loading ? "asking again..."
					     : "r asks again; e edits the search; "
					       "opsdeck config shows the [zipkin] url.",
				  ROLE_DIM, ATTR_NONE);
		return;
	}
	traces_style_lookback(traces_style_wider(l->lookback_s), wider, sizeof wider);
	if (traces_style_wider(l->lookback_s) > 0)
		snprintf(msg, sizeof msg,
			 "no traces for %s in the last %s%swiden with since=%s (e edits the "
			 "search), or check that the service sends spans to Zipkin",
			 what, lb, dash, wider);
	else
		snprintf(msg, sizeof msg,
			 "no traces for %s in the last %s%sloosen the search (e edits it), or "
			 "check that the service sends spans to Zipkin",
			 what, lb, dash);
	text_draw_wrapped(c, (struct rect){ r.x, y, r.w, r.h - 1 }, msg, ROLE_WARN, ATTR_NONE);
}

/* ---- the list ------------------------------------------------------------ */

static void
lay_out(int x, int w, struct cols *k)
{
	int bar = w < 120 ? w / 8 : w / 6, svc = w / 5, fixed;

	bar = bar < 8 ? 8 : bar > 40 ? 40 : bar;
	svc = svc < 9 ? 9 : svc > 40 ? 40 : svc;
	fixed = START_W + 1 + DUR_W + 1 + bar + 1 + SPANS_W + 1 + svc + 1 + ERR_W;
	if (w - fixed < ROOT_MIN_W) {
		svc = 0; /* services go first, then the bar shrinks */
		fixed = START_W + 1 + DUR_W + 1 + bar + 1 + SPANS_W + 1 + ERR_W;
		if (w - fixed < ROOT_MIN_W) {
			bar = w - (fixed - bar) - ROOT_MIN_W;
			bar = bar < 0 ? 0 : bar;
			fixed = START_W + 1 + DUR_W + 1 + bar + 1 + SPANS_W + 1 + ERR_W;
		}
	}
	k->start_x = x;
	k->root_x = x + START_W + 1;
	k->root_w = w - fixed;
	k->dur_x = k->root_x + k->root_w + 1;
	k->bar_x = k->dur_x + DUR_W + 1;
	k->bar_w = bar;
	k->spans_x = k->bar_x + bar + (bar > 0);
	k->svc_x = k->spans_x + SPANS_W + 1;
	k->svc_w = svc;
	k->err_x = k->svc_x + svc + (svc > 0);
}

/* A bar of len = frac * w cells in eighths (at least one eighth when frac > 0). */
static void
draw_bar(struct canvas *c, int x, int y, int w, double frac, enum role role, bool ascii)
{
	static const char *const eighths[] = { "",
					       "\xe2\x96\x8f",
					       "\xe2\x96\x8e",
					       "\xe2\x96\x8d",
					       "\xe2\x96\x8c",
					       "\xe2\x96\x8b",
					       "\xe2\x96\x8a",
					       "\xe2\x96\x89" };
	long e = (long)(frac * w * 8 + 0.5);
	int i;

	if (frac > 0 && e < 1)
		e = 1;
	if (e > (long)w * 8)
		e = (long)w * 8;
	for (i = 0; i < w && e > 0; i++, e -= 8) {
		const char *g = e >= 8 ? (ascii ? "#" : "\xe2\x96\x88")
				       : (ascii ? (e >= 4 ? "+" : ".") : eighths[e]);

		canvas_put(c, x + i, y, g, 1, role, ATTR_NONE);
	}
}

static void
draw_titles(struct traces_screen *t, struct canvas *c, int y, const struct cols *k, bool ascii)
{
	static const int order[SORT_COUNT] = { SORT_START, SORT_DURATION, SORT_SPANS,
					       SORT_SERVICES };
	const char *mark =
		t->desc ? (ascii ? "v" : "\xe2\x96\xbc") : (ascii ? "^" : "\xe2\x96\xb2");
	int xs[SORT_COUNT] = { k->start_x, k->dur_x, k->spans_x, k->svc_x }, i;
	char buf[32];

	text_draw(c, k->root_x, y, k->root_w, "ROOT", ROLE_HEADER, ATTR_BOLD);
	text_draw(c, k->err_x, y, ERR_W, "ERR", ROLE_HEADER, ATTR_BOLD);
	for (i = 0; i < SORT_COUNT; i++) {
		int s = order[i], w = s == SORT_SERVICES ? k->svc_w : s == SORT_START ? START_W : 0;

		if (s == SORT_SERVICES && k->svc_w == 0)
			continue;
		snprintf(buf, sizeof buf, "%s%s", sort_titles[s], (int)t->sort == s ? mark : "");
		if (s == SORT_SPANS)
			text_draw_aligned(c, xs[i], y, SPANS_W, buf, ALIGN_RIGHT, ROLE_HEADER,
					  ATTR_BOLD);
		else
			text_draw(c, xs[i], y, w > 0 ? w : DUR_W + 1 + k->bar_w, buf, ROLE_HEADER,
				  ATTR_BOLD);
	}
}

static void
draw_row(struct canvas *c, int y, const struct cols *k, const struct zk_trace_summary *s,
	 int64_t slowest, bool sel, bool utc, bool ascii)
{
	enum role base = sel ? ROLE_SELECTED : ROLE_NORMAL;
	char buf[64];
	int x;

	if (sel)
		canvas_fill(c, (struct rect){ k->start_x, y, k->err_x + ERR_W - k->start_x, 1 },
			    ROLE_SELECTED);
	traces_style_when(s->start_us, utc, false, false, buf, sizeof buf);
	text_draw(c, k->start_x, y, START_W, buf, sel ? base : ROLE_DIM, ATTR_NONE);
	x = k->root_x;
	if (s->root_service != NULL && s->root_service[0] != '\0') {
		x += text_draw(c, x, y, k->root_w, s->root_service, sel ? base : ROLE_ACCENT,
			       ATTR_NONE);
		x++;
	}
	if (x < k->root_x + k->root_w)
		text_draw(c, x, y, k->root_x + k->root_w - x,
			  s->root_name != NULL && s->root_name[0] ? s->root_name : "(no name)",
			  base, ATTR_NONE);
	traces_style_us(s->duration_us, buf, sizeof buf);
	text_draw_aligned(c, k->dur_x, y, DUR_W, buf, ALIGN_RIGHT, base, ATTR_NONE);
	if (k->bar_w > 0)
		draw_bar(c, k->bar_x, y, k->bar_w,
			 slowest > 0 ? (double)s->duration_us / (double)slowest : 0,
			 s->nerrors > 0 ? ROLE_CRIT : ROLE_ACCENT, ascii);
	snprintf(buf, sizeof buf, "%zu", s->nspans);
	text_draw_aligned(c, k->spans_x, y, SPANS_W, buf, ALIGN_RIGHT,
			  s->too_big ? ROLE_WARN : base, s->too_big ? ATTR_BOLD : ATTR_NONE);
	if (k->svc_w > 0) {
		size_t i;

		snprintf(buf, sizeof buf, "%zu", s->nservices);
		x = k->svc_x + text_draw(c, k->svc_x, y, k->svc_w, buf, base, ATTR_NONE) + 1;
		for (i = 0; i < s->nservices && x < k->svc_x + k->svc_w; i++) {
			const char *name = s->services[i] != NULL ? s->services[i] : "";

			x += text_draw(c, x, y, k->svc_x + k->svc_w - x, name,
				       sel ? base : ROLE_DIM, ATTR_NONE) +
			     1;
		}
	}
	if (s->nerrors > 0) {
		snprintf(buf, sizeof buf, "%s%zu", ascii ? "x" : "\xe2\x9c\x96", s->nerrors);
		text_draw_aligned(c, k->err_x, y, ERR_W, buf, ALIGN_RIGHT, ROLE_CRIT,
				  sel ? ATTR_BOLD | ATTR_REVERSE : ATTR_BOLD);
	}
}

static void
draw_list(struct traces_screen *t, struct canvas *c, struct rect r, const struct view_ctx *v,
	  const struct traces_list *l)
{
	bool ascii = v->ascii || c->ascii;
	struct cols k;
	int64_t slowest = 0;
	size_t i;
	int y;

	if (r.h < 2)
		return;
	lay_out(r.x, r.w, &k);
	draw_titles(t, c, r.y, &k, ascii);
	t->page = r.h - 1;
	t->rows_y = r.y + 1;
	for (i = 0; i < t->nrows; i++)
		if (t->rows[i]->duration_us > slowest)
			slowest = t->rows[i]->duration_us;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + (size_t)t->page)
		t->top = t->sel - (size_t)t->page + 1;
	if (t->top + (size_t)t->page > t->nrows)
		t->top = t->nrows > (size_t)t->page ? t->nrows - (size_t)t->page : 0;
	for (i = t->top, y = r.y + 1; i < t->nrows && y < r.y + r.h; i++, y++)
		draw_row(c, y, &k, t->rows[i], slowest, i == t->sel && !v->wall, l->utc, ascii);
	if (y < r.y + r.h && t->nrows > 0 && t->rows[t->sel]->too_big)
		text_draw(c, r.x, y, r.w,
			  "the selected trace has more spans than [traces] max_spans: listed, "
			  "not opened",
			  ROLE_WARN, ATTR_NONE);
}

/* ---- the whole ------------------------------------------------------------ */

static void
draw_too_small(struct canvas *c, struct rect body)
{
	char msg[128];

	snprintf(msg, sizeof msg, "terminal too small for the traces: %dx%d, need %dx%d", c->w,
		 c->h, TRACES_MIN_W, TRACES_MIN_H + 2);
	text_draw_wrapped(c, (struct rect){ body.x + 1, body.y + body.h / 2 - 1, body.w - 2, 3 },
			  msg, ROLE_WARN, ATTR_BOLD);
}

static int
scatter_rows(int body_h)
{
	return body_h <= 24 ? 5 : body_h < 36 ? 7 : 9;
}

void
traces_screen_draw(struct traces_screen *t, struct canvas *c, struct rect body,
		   const struct view_ctx *v, const struct traces_list *l)
{
	struct rect in = { body.x + 1, body.y, body.w - 2, body.h };
	struct traces_scatter_view sv;
	int y, sh;

	if (body.w < TRACES_MIN_W || body.h < TRACES_MIN_H) {
		draw_too_small(c, body);
		return;
	}
	build(t, l);
	draw_header(c, (struct rect){ in.x, in.y, in.w, 1 }, v, l);
	y = in.y + 1;
	if (l != NULL && l->have && l->err.code != ERR_OK)
		text_draw(c, in.x, y++, in.w, l->err.msg, ROLE_CRIT, ATTR_NONE);
	if (l == NULL || !l->have || t->nrows == 0) {
		draw_state(c, (struct rect){ in.x, y, in.w, in.y + in.h - y }, l,
			   v->ascii || c->ascii);
		return;
	}
	sh = scatter_rows(body.h);
	if (in.y + in.h - y - sh < 4)
		sh = 0; /* the list first */
	if (sh > 0) {
		memset(&sv, 0, sizeof sv);
		sv.items = l->items;
		sv.n = l->n;
		sv.selected = t->rows[t->sel];
		sv.utc = l->utc;
		sv.ascii = v->ascii || c->ascii;
		traces_scatter_draw(c, (struct rect){ in.x, y, in.w, sh }, &sv);
		y += sh;
	}
	draw_list(t, c, (struct rect){ in.x, y, in.w, in.y + in.h - y }, v, l);
}

/* ---- keys ---------------------------------------------------------------- */

int
traces_screen_handle(struct traces_screen *t, enum action a, const struct traces_list *l)
{
	size_t page = t->page > 0 ? (size_t)t->page : 1;

	build(t, l);
	switch (a) {
	case ACT_SORT_PREV:
	case ACT_SORT_NEXT:
		t->sort = (enum sort_key)(
			((int)t->sort + (a == ACT_SORT_NEXT ? 1 : SORT_COUNT - 1)) % SORT_COUNT);
		t->desc = true; /* newest, slowest, biggest first */
		build(t, l);
		return H_DIRTY | H_HANDLED;
	case ACT_SORT_INVERT:
		t->desc = !t->desc;
		build(t, l);
		return H_DIRTY | H_HANDLED;
	case ACT_UP:
	case ACT_DOWN:
	case ACT_PGUP:
	case ACT_PGDN:
	case ACT_TOP:
	case ACT_BOTTOM:
		break;
	default:
		return H_NONE;
	}
	if (t->nrows == 0)
		return H_HANDLED;
	switch (a) {
	case ACT_UP:
		t->sel = t->sel > 0 ? t->sel - 1 : 0;
		break;
	case ACT_DOWN:
		t->sel = t->sel + 1 < t->nrows ? t->sel + 1 : t->sel;
		break;
	case ACT_PGUP:
		t->sel = t->sel > page ? t->sel - page : 0;
		break;
	case ACT_PGDN:
		t->sel = t->sel + page < t->nrows ? t->sel + page : t->nrows - 1;
		break;
	case ACT_TOP:
		t->sel = 0;
		break;
	default:
		t->sel = t->nrows - 1;
		break;
	}
	snprintf(t->sel_id, sizeof t->sel_id, "%s", t->rows[t->sel]->trace_id);
	if (t->sel < t->top)
		t->top = t->sel;
	else if (t->sel >= t->top + page)
		t->top = t->sel - page + 1;
	return H_DIRTY | H_HANDLED;
}

/* ---- Markdown ------------------------------------------------------------ */

void
traces_screen_markdown(struct traces_screen *t, const struct view_ctx *v,
		       const struct traces_list *l, struct buf *out)
{
	char what[512], lb[16], when[48], dur[32];
	size_t i, j;

	build(t, l);
	describe(l, what, sizeof what);
	buf_puts(out, "## opsdeck traces\n\n- search: `");
	traces_style_md_cell(out, what, v->ascii);
	buf_puts(out, "`\n");
	if (l != NULL) {
		traces_style_lookback(l->lookback_s, lb, sizeof lb);
		buf_printf(out, "- range: last %s\n- %zu traces, sorted by %s %s\n", lb, t->nrows,
			   sort_titles[t->sort], t->desc ? "descending" : "ascending");
		if (l->err.code != ERR_OK) {
			buf_puts(out, "- **error:** ");
			traces_style_md_cell(out, l->err.msg, v->ascii);
			buf_putc(out, '\n');
		}
	}
	buf_puts(out, "\n| start | trace | root | duration | spans | services | errors |\n"
		      "|---|---|---|---|---|---|---|\n");
	for (i = 0; i < t->nrows; i++) {
		const struct zk_trace_summary *s = t->rows[i];

		traces_style_when(s->start_us, l->utc, true, true, when, sizeof when);
		traces_style_us(s->duration_us, dur, sizeof dur);
		buf_printf(out, "| %s | %s | ", when, s->trace_id);
		traces_style_md_cell(out, s->root_service, v->ascii);
		buf_putc(out, ' ');
		traces_style_md_cell(out, s->root_name, v->ascii);
		buf_printf(out, " | %s | %zu%s | ", dur, s->nspans, s->too_big ? " (too big)" : "");
		for (j = 0; j < s->nservices; j++) {
			if (j > 0)
				buf_puts(out, ", ");
			traces_style_md_cell(out, s->services[j], v->ascii);
		}
		buf_printf(out, " | %zu |\n", s->nerrors);
	}
}

bool
traces_screen_row_at(const struct traces_screen *t, int y, long *delta)
{
	size_t row;

	if (t->page <= 0 || y < t->rows_y || y >= t->rows_y + t->page)
		return false;
	row = t->top + (size_t)(y - t->rows_y);
	if (row >= t->nrows)
		return false;
	*delta = (long)row - (long)t->sel;
	return true;
}
