#include "detail.h"
#include "detail_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chart.h"
#include "parse.h"
#include "table.h"
#include "text.h"
#include "xalloc.h"

#define CHART_MIN_H 6  /* title, 3 plot rows, ticks, labels */
#define CHART_MIN_W 36 /* y labels, a plot worth reading, 3 time labels */

struct detail {
	char *service;
	size_t selected;
	size_t top;
	int page;
	size_t vis_from, vis_to;
	double cursor_t; /* the charts' minute cursor (start of the minute); NAN = off */
};

enum col {
	C_ID,
	C_SLOT,
	C_STATE,
	C_HEALTH,
	C_AGE,
	C_RST,
	C_CPU,
	C_MEM,
	C_NODE,
	C_VERSION,
	C_NAME,
	C_ERROR,
	NCOLS
};

/*
 * At 80 columns: id, slot, state, health, age, restarts, CPU, memory and
 * the error of a failed instance; node, version and name come with width.
 */
static const struct table_column columns[NCOLS] = {
	[C_ID] = { "ID", 12, 12, 0, 0, ALIGN_LEFT, false },
	[C_SLOT] = { "SLOT", 4, 4, 0, 3, ALIGN_RIGHT, false },
	[C_STATE] = { "STATE", 10, 10, 0, 0, ALIGN_LEFT, false },
	[C_HEALTH] = { "HEALTH", 9, 9, 0, 4, ALIGN_LEFT, false },
	[C_AGE] = { "AGE", 5, 6, 0, 0, ALIGN_RIGHT, false },
	[C_RST] = { "RST", 3, 4, 0, 0, ALIGN_RIGHT, false },
	[C_CPU] = { "CPU%", 6, 7, 0, 0, ALIGN_RIGHT, false },
	[C_MEM] = { "MEM", 7, 8, 0, 0, ALIGN_RIGHT, false },
	[C_NODE] = { "NODE", 12, 12, 0, 6, ALIGN_LEFT, false },
	[C_VERSION] = { "VERSION", 8, 16, 1, 7, ALIGN_LEFT, false },
	[C_NAME] = { "NAME", 12, 40, 2, 8, ALIGN_LEFT, false },
	[C_ERROR] = { "ERROR", 12, 0, 4, 5, ALIGN_LEFT, false },
};

struct detail *
detail_new(const char *service)
{
	struct detail *d = xcalloc(1, sizeof *d);

	d->service = xstrdup(service);
	d->cursor_t = NAN;
	return d;
}

void
detail_free(struct detail *d)
{
	if (d == NULL)
		return;
	free(d->service);
	free(d);
}

const char *
detail_service(const struct detail *d)
{
	return d->service;
}

void
detail_visible(const struct detail *d, size_t *from, size_t *to)
{
	*from = d->vis_from;
	*to = d->vis_to;
}

const char *
detail_dot(const struct view_ctx *v)
{
	return v->ascii ? "|" : "\xc2\xb7";
}

static void
range_name(double s, char *out, size_t n)
{
	if (s >= 3600 && fmod(s, 3600) == 0)
		snprintf(out, n, "%.0fh", s / 3600);
	else
		snprintf(out, n, "%.0fm", s / 60);
}

void
detail_age(double now, double t, char *out, size_t n)
{
	if (t <= 0) {
		snprintf(out, n, "-");
		return;
	}
	format_duration_ms((long long)((now - t) * 1000.0), out, n);
}

/* ---- instances ------------------------------------------------------------- */

struct irow {
	char text[NCOLS][DETAIL_CELL];
	struct table_cell cells[NCOLS];
};

static enum role
state_role(const struct detail_instance *in)
{
	if (strcmp(in->state, "failed") == 0 || strcmp(in->state, "rejected") == 0 ||
	    strcmp(in->state, "dead") == 0 || strcmp(in->state, "restarting") == 0)
		return ROLE_CRIT;
	if (strcmp(in->state, "running") == 0)
		return ROLE_OK;
	if (strcmp(in->state, "exited") == 0 && in->error[0] == '\0')
		return ROLE_DIM;
	return ROLE_WARN; /* new, pending, assigned, preparing, starting, exited with an error */
}

static void
fill_irow(struct irow *r, const struct detail_instance *in, const struct view_ctx *v)
{
	int k;

	memset(r->cells, 0, sizeof r->cells);
	for (k = 0; k < NCOLS; k++) {
		r->text[k][0] = '\0';
		r->cells[k].text = r->text[k];
		r->cells[k].role = ROLE_NORMAL;
	}
	snprintf(r->text[C_ID], DETAIL_CELL, "%.12s", in->id);
	if (in->slot > 0)
		snprintf(r->text[C_SLOT], DETAIL_CELL, "%ld", in->slot);
	else
		snprintf(r->text[C_SLOT], DETAIL_CELL, "-");
	snprintf(r->text[C_STATE], DETAIL_CELL, "%s", in->state);
	r->cells[C_STATE].role = state_role(in);
	snprintf(r->text[C_HEALTH], DETAIL_CELL, "%s", in->health[0] ? in->health : "-");
	r->cells[C_HEALTH].role = strcmp(in->health, "unhealthy") == 0  ? ROLE_CRIT
				  : strcmp(in->health, "starting") == 0 ? ROLE_WARN
				  : strcmp(in->health, "healthy") == 0  ? ROLE_OK
									: ROLE_DIM;
	detail_age(v->now, in->created, r->text[C_AGE], DETAIL_CELL);
	if (in->restarts >= 0)
		snprintf(r->text[C_RST], DETAIL_CELL, "%ld", in->restarts);
	else
		snprintf(r->text[C_RST], DETAIL_CELL, "-");
	if (isnan(in->cpu_pct))
		snprintf(r->text[C_CPU], DETAIL_CELL, "-");
	else
		snprintf(r->text[C_CPU], DETAIL_CELL, "%.1f", in->cpu_pct);
	if (isnan(in->mem_used)) {
		snprintf(r->text[C_MEM], DETAIL_CELL, "-");
	} else {
		format_bytes(in->mem_used, r->text[C_MEM], DETAIL_CELL);
		if (in->mem_limit > 0 && in->mem_used >= 0.9 * in->mem_limit)
			r->cells[C_MEM].role = ROLE_WARN;
	}
	snprintf(r->text[C_NODE], DETAIL_CELL, "%s", in->node[0] ? in->node : "-");
	snprintf(r->text[C_VERSION], DETAIL_CELL, "%s", in->version);
	snprintf(r->text[C_NAME], DETAIL_CELL, "%s", in->name[0] ? in->name : "-");
	r->cells[C_ERROR].text = in->error; /* may be long: the table clips by width */
	r->cells[C_ERROR].role = r->cells[C_STATE].role == ROLE_CRIT ? ROLE_CRIT : ROLE_WARN;
	for (k = 0; k < NCOLS; k++)
		if (k != C_ERROR && (strcmp(r->text[k], "-") == 0))
			r->cells[k].role = ROLE_DIM;
}

/* Rows [from, to) of the instances as a table view; *rows and *trows new. */
static void
make_table(const struct detail_data *dd, const struct view_ctx *v, size_t from, size_t to,
	   struct table_view *tv, struct irow **rows, struct table_row **trows)
{
	size_t i, n = dd != NULL ? dd->ninst : 0;

	if (to > n)
		to = n;
	if (from > to)
		from = to;
	*rows = xcalloc(to - from + 1, sizeof **rows);
	*trows = xcalloc(to - from + 1, sizeof **trows);
	for (i = from; i < to; i++) {
		fill_irow(&(*rows)[i - from], &dd->inst[i], v);
		(*trows)[i - from].cells = (*rows)[i - from].cells;
		(*trows)[i - from].role = ROLE_NORMAL;
	}
	memset(tv, 0, sizeof *tv);
	tv->cols = columns;
	tv->ncols = NCOLS;
	tv->rows = *trows;
	tv->nrows = to - from;
	tv->sort_col = -1;
	tv->empty_text = !v->docker                        ? "no container runtime configured"
			 : dd == NULL || !dd->have_runtime ? "asking the runtime..."
							   : "no instances";
}

/* ---- charts ---------------------------------------------------------------- */

static const char *const chart_titles[DETAIL_NCHARTS] = { "requests/s", "errors", "p99" };
static const enum chart_unit chart_units[DETAIL_NCHARTS] = { CHART_UNIT_PLAIN, CHART_UNIT_RATIO,
							     CHART_UNIT_SECONDS };

static double
last_finite(const struct detail_series *s)
{
	size_t i;

	for (i = s->n; i > 0; i--)
		if (isfinite(s->v[i - 1]))
			return s->v[i - 1];
	return NAN;
}

static void
draw_chart(struct canvas *c, struct rect r, int k, const struct view_ctx *v,
	   const struct detail_data *dd, double cursor_t)
{
	struct chart_series s;
	struct chart_threshold th[1];
	struct chart_view cv;
	char title[96], val[32];
	const struct detail_series *ds = dd != NULL ? &dd->series[k] : NULL;

	memset(&cv, 0, sizeof cv);
	memset(&s, 0, sizeof s);
	cv.unit = chart_units[k];
	cv.cursor_t = isnan(cursor_t) ? NAN : cursor_t + 30.0; /* the minute's middle */
	cv.y_min = cv.y_max = NAN;
	if (ds != NULL && ds->n > 0) {
		s.t = ds->t;
		s.v = ds->v;
		s.n = ds->n;
		s.role = k == DETAIL_ERRORS ? ROLE_WARN : ROLE_ACCENT;
		cv.series = &s;
		cv.nseries = 1;
		chart_format_value(cv.unit, last_finite(ds), val, sizeof val);
		snprintf(title, sizeof title, "%s %s now", chart_titles[k], val);
	} else {
		snprintf(title, sizeof title, "%s", chart_titles[k]);
	}
	cv.title = title;
	if (dd != NULL && dd->t1 > dd->t0) {
		cv.t0 = dd->t0;
		cv.t1 = dd->t1;
	} else {
		double range = dd != NULL ? dd->range_s : 3600.0;

		cv.t0 = v->now - range;
		cv.t1 = v->now;
	}
	/*
	 * The error chart shows the critical threshold: how far from CRIT.  The
	 * p99 chart does not: a 2 s line would flatten a 100 ms curve.
	 */
	if (k == DETAIL_ERRORS) {
		th[0] = (struct chart_threshold){ v->th->error_crit, ROLE_CRIT };
		cv.thresholds = th;
		cv.nthresholds = 1;
	}
	cv.empty_text = !v->prometheus                                 ? "no Prometheus configured"
			: dd != NULL && dd->metrics_err.code != ERR_OK ? dd->metrics_err.msg
			: dd == NULL || !dd->have_metrics              ? "loading..."
								       : "no data for this service";
	chart_draw(c, r, &cv);
}

/*
 * Charts in r: as many across as CHART_MIN_W allows (three at 120+
 * columns); when fewer fit across, the rest go below if the height allows,
 * else the least important (p99, then errors) are left out.
 */
static void
draw_charts(struct canvas *c, struct rect r, const struct view_ctx *v, const struct detail_data *dd,
	    double cursor_t)
{
	int across = r.w / CHART_MIN_W, rows, shown, i, gap = 2;

	if (across > DETAIL_NCHARTS)
		across = DETAIL_NCHARTS;
	if (across < 1)
		across = 1;
	rows = (DETAIL_NCHARTS + across - 1) / across;
	while (rows > 1 && r.h / rows < CHART_MIN_H)
		rows--;
	shown = across * rows;
	if (shown > DETAIL_NCHARTS)
		shown = DETAIL_NCHARTS;
	for (i = 0; i < shown; i++) {
		int row = i / across, col = i % across;
		int n_in_row = shown - row * across < across ? shown - row * across : across;
		int cw = (r.w - gap * (n_in_row - 1)) / n_in_row;
		int rh = r.h / rows;
		struct rect cr = { r.x + col * (cw + gap), r.y + row * rh, cw, rh };

		if (col == n_in_row - 1)
			cr.w = r.x + r.w - cr.x;
		if (row == rows - 1)
			cr.h = r.y + r.h - cr.y;
		draw_chart(c, cr, i, v, dd, cursor_t);
	}
}

/* ---- the screen ------------------------------------------------------------ */

static void
draw_too_small(struct canvas *c, struct rect body)
{
	char msg[128];

	snprintf(msg, sizeof msg, "terminal too small for the service detail: %dx%d, need %dx%d",
		 c->w, c->h, DETAIL_MIN_W, DETAIL_MIN_H + 2);
	text_draw_wrapped(c, (struct rect){ body.x + 1, body.y + body.h / 2 - 1, body.w - 2, 3 },
			  msg, ROLE_WARN, ATTR_BOLD);
}

void
detail_draw(struct detail *d, struct canvas *c, struct rect body, const struct view_ctx *v,
	    const struct detail_data *dd)
{
	const struct service *svc = model_service((struct model *)v->model, d->service, false);
	struct table_view tv;
	struct irow *rows;
	struct table_row *trows;
	size_t n = dd != NULL ? dd->ninst : 0;
	int hdr, avail, table_rows, max_rows, chart_h;
	struct rect inner = { body.x + 1, body.y, body.w - 2, body.h };

	d->vis_from = d->vis_to = 0;
	if (body.w < DETAIL_MIN_W || body.h < DETAIL_MIN_H) {
		draw_too_small(c, body);
		return;
	}
	if (svc == NULL) {
		char msg[320];

		snprintf(msg, sizeof msg,
			 "'%s' is no longer reported by any backend (Esc goes back)", d->service);
		text_draw(c, inner.x, inner.y + 1, inner.w, msg, ROLE_WARN, ATTR_NONE);
		return;
	}
	hdr = detail_header_draw(c, (struct rect){ inner.x, inner.y, inner.w, 6 }, v, svc, dd);
	avail = inner.h - hdr - 1; /* a blank row under the header */
	if (detail_k8s_applies(svc) || detail_ecs_applies(svc)) {
		/* Pods or tasks, revisions, events; the charts below when there is room. */
		struct rect sr = { inner.x, inner.y + hdr + 1, inner.w, avail };
		int leave = v->prometheus ? CHART_MIN_H + 1 : 0;
		int used = detail_ecs_applies(svc)
				   ? detail_ecs_draw(c, sr, v, dd, leave, &d->selected, &d->top,
						     &d->page)
				   : detail_k8s_draw(c, sr, v, dd, leave, &d->selected, &d->top,
						     &d->page);

		chart_h = avail - used - 1;
		if (v->prometheus && chart_h >= CHART_MIN_H)
			draw_charts(c,
				    (struct rect){ inner.x, inner.y + hdr + 1 + used + 1, inner.w,
						   chart_h },
				    v, dd, d->cursor_t);
		return;
	}
	/* The table gets what the charts can spare, at least two rows. */
	max_rows = avail - 1 - 1 - CHART_MIN_H;
	if (max_rows < 2)
		max_rows = 2;
	table_rows = n == 0 ? 1 : (int)n;
	if (table_rows > max_rows)
		table_rows = max_rows;
	d->page = table_rows;
	if (d->selected >= n)
		d->selected = n ? n - 1 : 0;
	table_scroll_to(d->selected, n, d->page, &d->top);
	make_table(dd, v, d->top, d->top + (size_t)d->page, &tv, &rows, &trows);
	tv.selected = d->selected >= d->top ? d->selected - d->top : (size_t)-1;
	table_draw(c, (struct rect){ inner.x, inner.y + hdr + 1, inner.w, table_rows + 1 }, &tv);
	d->vis_from = d->top;
	d->vis_to = d->top + tv.nrows;
	free(rows);
	free(trows);
	chart_h = avail - (table_rows + 1) - 1;
	if (chart_h >= CHART_MIN_H - 1)
		draw_charts(c,
			    (struct rect){ inner.x, inner.y + hdr + 1 + table_rows + 2, inner.w,
					   chart_h },
			    v, dd, d->cursor_t);
}

void
detail_summary(const struct detail *d, const struct view_ctx *v, const struct detail_data *dd,
	       char *out, size_t n)
{
	char r[16], minute[48] = "";

	range_name(dd != NULL ? dd->range_s : 3600.0, r, sizeof r);
	if (!isnan(d->cursor_t)) {
		time_t t = (time_t)d->cursor_t;
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(minute, sizeof minute, " %H:%M selected (l: its logs)", &tm);
	}
	if (dd != NULL && dd->have_runtime && dd->ecs.present)
		snprintf(out, n, "%zu task%s %s range %s (+/-)%s", dd->ecs.ntasks,
			 dd->ecs.ntasks == 1 ? "" : "s", detail_dot(v), r, minute);
	else if (dd != NULL && dd->have_runtime && dd->k8s.present)
		snprintf(out, n, "%zu pod%s %s range %s (+/-)%s", dd->k8s.npods,
			 dd->k8s.npods == 1 ? "" : "s", detail_dot(v), r, minute);
	else if (dd != NULL && dd->have_runtime)
		snprintf(out, n, "%zu instance%s %s range %s (+/-)%s", dd->ninst,
			 dd->ninst == 1 ? "" : "s", detail_dot(v), r, minute);
	else
		snprintf(out, n, "range %s (+/-)%s", r, minute);
}

int
detail_handle(struct detail *d, enum action a, const struct detail_data *dd)
{
	size_t n = dd == NULL        ? 0
		   : dd->ecs.present ? detail_ecs_ntasks(dd)
		   : dd->k8s.present ? detail_k8s_npods(dd)
				     : dd->ninst;
	size_t page = d->page > 0 ? (size_t)d->page : 1;

	switch (a) {
	case ACT_UP:
		if (d->selected > 0)
			d->selected--;
		break;
	case ACT_DOWN:
		if (d->selected + 1 < n)
			d->selected++;
		break;
	case ACT_PGUP:
		d->selected = d->selected > page ? d->selected - page : 0;
		break;
	case ACT_PGDN:
		d->selected = n == 0 ? 0 : d->selected + page < n ? d->selected + page : n - 1;
		break;
	case ACT_TOP:
		d->selected = 0;
		break;
	case ACT_BOTTOM:
		d->selected = n ? n - 1 : 0;
		break;
	case ACT_MINUTE_PREV:
	case ACT_MINUTE_NEXT: {
		/* Minutes that have ended: the cursor starts at the last complete one. */
		double last = floor((double)time(NULL) / 60.0) * 60.0 - 60.0;

		if (isnan(d->cursor_t))
			d->cursor_t = last;
		else
			d->cursor_t += a == ACT_MINUTE_PREV ? -60.0 : 60.0;
		if (d->cursor_t > last)
			d->cursor_t = last;
		if (dd != NULL && dd->series[0].n > 0 &&
		    d->cursor_t < floor(dd->series[0].t[0] / 60.0) * 60.0)
			d->cursor_t = floor(dd->series[0].t[0] / 60.0) * 60.0;
		break;
	}
	default:
		return H_NONE;
	}
	return H_DIRTY | H_HANDLED;
}

double
detail_cursor(const struct detail *d)
{
	return d != NULL ? d->cursor_t : NAN;
}

/* ---- Markdown -------------------------------------------------------------- */

static void
md_line(struct buf *out, const char *label, const char *text)
{
	buf_printf(out, "- %s: ", label);
	text_sanitize_buf(text, out, false);
	buf_putc(out, '\n');
}

void
detail_markdown(struct detail *d, const struct view_ctx *v, const struct detail_data *dd,
		struct buf *out)
{
	const struct service *svc = model_service((struct model *)v->model, d->service, false);
	struct table_view tv;
	struct irow *rows;
	struct table_row *trows;
	char buf[DETAIL_CELL * 8], a[32], r[16];
	int k;

	buf_puts(out, "## ");
	text_sanitize_buf(d->service, out, v->ascii);
	buf_puts(out, " - service detail\n\n");
	if (svc == NULL) {
		buf_puts(out, "No backend reports this service.\n");
		return;
	}
	md_line(out, "status",
		status_name(model_service_status(svc, v->th, v->now, v->stale_after)));
	if (svc->rt.present) {
		const struct runtime_state *rt = &svc->rt;

		char repl[48], rst[24];

		detail_age(v->now, rt->deployed_at, a, sizeof a);
		if (rt->running >= 0 && rt->desired >= 0)
			snprintf(repl, sizeof repl, "%ld/%ld", rt->running, rt->desired);
		else
			snprintf(repl, sizeof repl, "-");
		if (rt->restarts >= 0)
			snprintf(rst, sizeof rst, "%ld", rt->restarts);
		else
			snprintf(rst, sizeof rst, "-");
		if (detail_ecs_applies(svc)) {
			detail_ecs_markdown_runtime(v, svc, dd, buf, sizeof buf);
		} else if (detail_k8s_applies(svc)) {
			char where[DETAIL_CELL * 2];

			detail_k8s_where(rt, dd, where, sizeof where);
			snprintf(buf, sizeof buf,
				 "%s, replicas %s, version %s, revision %s, rolled out %s%s, "
				 "restarts %s",
				 where, repl, rt->version ? rt->version : "-",
				 rt->revision ? rt->revision : "-", a,
				 rt->deployed_at > 0 ? " ago" : "", rst);
		} else {
			snprintf(buf, sizeof buf,
				 "%s @ %s, replicas %s, version %s, deployed %s%s, restarts %s",
				 rt->kind ? rt->kind : "?", rt->context ? rt->context : "?", repl,
				 rt->version ? rt->version : "-", a,
				 rt->deployed_at > 0 ? " ago" : "", rst);
		}
		md_line(out, "runtime", buf);
	}
	if (dd != NULL && dd->have_runtime) {
		if (dd->update_state[0] != '\0') {
			snprintf(buf, sizeof buf, "%s%s%s", dd->update_state,
				 dd->update_message[0] ? " - " : "", dd->update_message);
			md_line(out, "rollout", buf);
		}
		if (dd->task_error[0] != '\0')
			md_line(out, "newest failed task", dd->task_error);
		snprintf(buf, sizeof buf, "current %s; previous %s", dd->image[0] ? dd->image : "-",
			 dd->prev_image[0] ? dd->prev_image : "none");
		md_line(out, "deployment", buf);
	} else if (svc->rt.message != NULL) {
		md_line(out, "message", svc->rt.message);
	}
	if (dd != NULL && dd->runtime_err.code != ERR_OK)
		md_line(out, "runtime error", dd->runtime_err.msg);
	if (detail_ecs_applies(svc)) {
		detail_ecs_markdown(v, dd, out);
	} else if (detail_k8s_applies(svc)) {
		detail_k8s_markdown(v, dd, out);
	} else {
		buf_puts(out, "\n### Instances\n\n");
		make_table(dd, v, 0, dd != NULL ? dd->ninst : 0, &tv, &rows, &trows);
		table_write_markdown(&tv, out, v->ascii);
		free(rows);
		free(trows);
	}
	range_name(dd != NULL ? dd->range_s : 3600.0, r, sizeof r);
	buf_printf(out,
		   "\n### Metrics, last %s\n\n| metric | now | min | max |\n|---|---|---|---|\n",
		   r);
	for (k = 0; k < DETAIL_NCHARTS; k++) {
		const struct detail_series *s = dd != NULL ? &dd->series[k] : NULL;
		double lo = INFINITY, hi = -INFINITY;
		char now[32], mn[32], mx[32];
		size_t i;

		for (i = 0; s != NULL && i < s->n; i++)
			if (isfinite(s->v[i])) {
				lo = fmin(lo, s->v[i]);
				hi = fmax(hi, s->v[i]);
			}
		chart_format_value(chart_units[k], s != NULL ? last_finite(s) : NAN, now,
				   sizeof now);
		chart_format_value(chart_units[k], isfinite(lo) ? lo : NAN, mn, sizeof mn);
		chart_format_value(chart_units[k], isfinite(hi) ? hi : NAN, mx, sizeof mx);
		buf_printf(out, "| %s | %s | %s | %s |\n", chart_titles[k], now, mn, mx);
	}
}
