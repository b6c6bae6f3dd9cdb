#include "alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse.h"
#include "regex.h"
#include "table.h"
#include "text.h"
#include "xalloc.h"

enum { COL_STATE, COL_SEVERITY, COL_ALERT, COL_SERVICE, COL_SINCE, COL_SUMMARY, NCOLS };

#define CELL 96

struct alerts_screen {
	size_t selected; /* in the visible rows */
	size_t top;
	int page;
	int rows_y;               /* the screen row of the first row at the last draw */
	char *selected_fp;        /* the cursor's alert, by fingerprint */
	struct regex *filter;     /* NULL: every alert */
	const struct alert **vis; /* the rows shown: the model's alerts the filter keeps */
	size_t nvis, cap;
};

struct alerts_screen *
alerts_screen_new(void)
{
	return xcalloc(1, sizeof(struct alerts_screen));
}

void
alerts_screen_free(struct alerts_screen *s)
{
	if (s == NULL)
		return;
	free(s->selected_fp);
	regex_free(s->filter);
	free(s->vis);
	free(s);
}

int
alerts_screen_set_filter(struct alerts_screen *s, const char *pattern, struct err *e)
{
	struct regex *r = NULL;

	if (pattern != NULL && pattern[0] != '\0') {
		r = regex_new(pattern, e);
		if (r == NULL)
			return -1;
	}
	regex_free(s->filter);
	s->filter = r;
	return 0;
}

const char *
alerts_screen_filter(const struct alerts_screen *s)
{
	return s->filter != NULL ? regex_pattern(s->filter) : "";
}

static bool
keeps(const struct regex *f, const struct alert *a)
{
	return f == NULL || (a->name != NULL && regex_match(f, a->name)) ||
	       (a->service != NULL && regex_match(f, a->service)) ||
	       (a->severity != NULL && regex_match(f, a->severity)) ||
	       (a->summary != NULL && regex_match(f, a->summary));
}

/* The model's alerts the filter keeps, into *vis (grown as needed); their count. */
static size_t
collect(const struct regex *f, const struct view_ctx *v, const struct alert ***vis, size_t *cap)
{
	size_t n, i, k = 0;
	const struct alert *al = model_alerts(v->model, &n);

	if (*cap < n + 1) {
		*cap = n + 1;
		*vis = xrealloc(*vis, *cap * sizeof **vis);
	}
	for (i = 0; i < n; i++)
		if (keeps(f, &al[i]))
			(*vis)[k++] = &al[i];
	return k;
}

void
alerts_screen_clock(double t, double now, bool utc, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (utc)
		gmtime_r(&tt, &tm);
	else
		localtime_r(&tt, &tm);
	if (t - now < 20 * 3600.0 && t - now > -3600.0)
		strftime(out, n, "%H:%M", &tm);
	else
		strftime(out, n, "%m-%d %H:%M", &tm);
}

/* Keep the cursor on its alert when the list changed under it. */
static void
follow(struct alerts_screen *s, const struct view_ctx *v)
{
	size_t i, n;

	s->nvis = n = collect(s->filter, v, &s->vis, &s->cap);
	if (s->selected_fp != NULL)
		for (i = 0; i < n; i++)
			if (s->vis[i]->fingerprint != NULL &&
			    strcmp(s->vis[i]->fingerprint, s->selected_fp) == 0) {
				s->selected = i;
				break;
			}
	if (n == 0)
		s->selected = 0;
	else if (s->selected >= n)
		s->selected = n - 1;
}

static void
remember(struct alerts_screen *s)
{
	free(s->selected_fp);
	s->selected_fp = s->nvis > 0 && s->vis[s->selected]->fingerprint != NULL
				 ? xstrdup(s->vis[s->selected]->fingerprint)
				 : NULL;
}

static const char *
state_name(enum alert_state st)
{
	return st == ALERT_FIRING ? "FIRING" : st == ALERT_PENDING ? "PENDING" : "SILENCED";
}

struct rowbuf {
	char text[NCOLS][CELL];
	struct table_cell cells[NCOLS];
};

/* Whether the row's source is failing (its data is the last good one). */
static bool
row_stale(const struct alert *a, const struct alerts_status *st)
{
	bool am = st != NULL && st->am_err.code != ERR_OK;
	bool prom = st != NULL && st->prom_err.code != ERR_OK;

	if (a->source == NULL)
		return false;
	if (strcmp(a->source, "prometheus") == 0)
		return prom;
	if (strcmp(a->source, "alertmanager") == 0)
		return am;
	return am && prom;
}

static void
fill(struct rowbuf *r, const struct alert *a, const struct view_ctx *v, bool utc)
{
	int rank = alert_severity_rank(a->severity);

	memset(r->cells, 0, sizeof r->cells);
	if (a->state == ALERT_SILENCED && a->silence_ends > 0) {
		char t[32];

		alerts_screen_clock(a->silence_ends, v->now, utc, t, sizeof t);
		snprintf(r->text[COL_STATE], CELL, "SILENCED until %s", t);
	} else {
		snprintf(r->text[COL_STATE], CELL, "%s", state_name(a->state));
	}
	r->cells[COL_STATE].role = a->state == ALERT_FIRING    ? ROLE_CRIT
				   : a->state == ALERT_PENDING ? ROLE_WARN
							       : ROLE_DIM;
	snprintf(r->text[COL_SEVERITY], CELL, "%s", a->severity ? a->severity : "-");
	r->cells[COL_SEVERITY].role = a->state == ALERT_SILENCED ? ROLE_DIM
				      : rank >= 3                ? ROLE_CRIT
				      : rank == 2                ? ROLE_WARN
				      : a->severity == NULL      ? ROLE_DIM
								 : ROLE_NORMAL;
	snprintf(r->text[COL_ALERT], CELL, "%s", a->name ? a->name : "");
	snprintf(r->text[COL_SERVICE], CELL, "%s", a->service ? a->service : "-");
	r->cells[COL_SERVICE].role = a->service ? ROLE_NORMAL : ROLE_DIM;
	if (a->since > 0 && v->now - a->since >= 1.0)
		format_duration_ms((long long)(v->now - a->since) * 1000, r->text[COL_SINCE], CELL);
	else if (a->since > 0 && v->now - a->since >= -60.0)
		snprintf(r->text[COL_SINCE], CELL, "0s");
	else
		snprintf(r->text[COL_SINCE], CELL, "-");
	snprintf(r->text[COL_SUMMARY], CELL, "%s", a->summary ? a->summary : "");
	for (int k = 0; k < NCOLS; k++)
		r->cells[k].text = r->text[k];
	if (a->state == ALERT_SILENCED) {
		r->cells[COL_ALERT].role = ROLE_DIM;
		r->cells[COL_SUMMARY].role = ROLE_DIM;
	}
}

/* The columns; STATE widens to the longest "SILENCED until ..." of the rows. */
static void
columns(struct table_column *cols, const struct alert *const *al, size_t n, double now)
{
	static const struct table_column base[NCOLS] = {
		[COL_STATE] = { "STATE", 8, 8, 0, 0, ALIGN_LEFT, false },
		[COL_SEVERITY] = { "SEVERITY", 8, 10, 0, 2, ALIGN_LEFT, false },
		[COL_ALERT] = { "ALERT", 10, 40, 2, 0, ALIGN_LEFT, false },
		[COL_SERVICE] = { "SERVICE", 8, 24, 1, 0, ALIGN_LEFT, false },
		[COL_SINCE] = { "SINCE", 6, 7, 0, 1, ALIGN_RIGHT, false },
		[COL_SUMMARY] = { "SUMMARY", 10, 0, 4, 3, ALIGN_LEFT, false },
	};
	size_t i;

	memcpy(cols, base, sizeof base);
	for (i = 0; i < n; i++) {
		char t[32];
		int w;

		if (al[i]->state != ALERT_SILENCED || al[i]->silence_ends <= 0)
			continue;
		alerts_screen_clock(al[i]->silence_ends, now, true, t, sizeof t);
		w = 15 + (int)strlen(t); /* "SILENCED until " + the time */
		if (w > cols[COL_STATE].min_width)
			cols[COL_STATE].min_width = cols[COL_STATE].max_width = w;
	}
}

/* Rows [from, to) of al into a table view; *rb and *rows are new. */
static void
make_view(const struct view_ctx *v, const struct alerts_status *st, bool utc,
	  const struct alert *const *al, size_t n, struct table_column *cols, struct table_view *tv,
	  struct rowbuf **rb, struct table_row **rows, size_t from, size_t to)
{
	size_t i;

	if (to > n)
		to = n;
	if (from > to)
		from = to;
	columns(cols, al, n, v->now);
	*rb = xcalloc(to - from + 1, sizeof **rb);
	*rows = xcalloc(to - from + 1, sizeof **rows);
	for (i = from; i < to; i++) {
		fill(&(*rb)[i - from], al[i], v, utc);
		(*rows)[i - from].cells = (*rb)[i - from].cells;
		(*rows)[i - from].role = row_stale(al[i], st) ? ROLE_STALE : ROLE_NORMAL;
	}
	memset(tv, 0, sizeof *tv);
	tv->cols = cols;
	tv->ncols = NCOLS;
	tv->rows = *rows;
	tv->nrows = to - from;
	tv->sort_col = -1;
}

/* One line per failing source: "alertmanager, last good 2m ago: ..." */
static int
draw_errors(struct canvas *c, struct rect r, const struct view_ctx *v,
	    const struct alerts_status *st)
{
	const struct err *errs[2] = { &st->am_err, &st->prom_err };
	const double ok_at[2] = { st->am_ok_at, st->prom_ok_at };
	const char *names[2] = { "Alertmanager", "Prometheus alerts" };
	int rows = 0, k;

	for (k = 0; k < 2 && rows < r.h; k++) {
		char line[ERR_MSG_MAX + 96], age[32];

		if (errs[k]->code == ERR_OK)
			continue;
		if (ok_at[k] > 0) {
			format_duration_ms((long long)((v->now - ok_at[k]) * 1000.0), age,
					   sizeof age);
			snprintf(line, sizeof line, "%s failing, showing its alerts of %s ago: %s",
				 names[k], age, errs[k]->msg);
		} else {
			snprintf(line, sizeof line, "%s failing, no alerts from it yet: %s",
				 names[k], errs[k]->msg);
		}
		text_draw(c, r.x, r.y + rows, r.w, line, ROLE_CRIT, ATTR_NONE);
		rows++;
	}
	return rows;
}

/* Nothing to list: where alerts come from and what is configured. */
static void
draw_empty(struct canvas *c, struct rect r, const struct view_ctx *v,
	   const struct alerts_status *st)
{
	struct buf b;
	const bool prom = st != NULL && st->prometheus, am = st != NULL && st->alertmanager;

	(void)v;
	buf_init(&b);
	if (!prom && !am) {
		buf_puts(&b,
			 "No alert source is configured.\n\n"
			 "Alerts come from Prometheus (GET /api/v1/alerts: firing and pending "
			 "rules; set [prometheus] url or --prometheus URL) and from Alertmanager "
			 "(GET /api/v2/alerts, silences; set [alertmanager] url or "
			 "--alertmanager URL).");
	} else {
		buf_puts(&b, st->have ? "No alerts are firing or pending.\n\n"
				      : "Waiting for the first answer...\n\n");
		buf_puts(&b, "Alerts come from:\n");
		buf_printf(&b, "  Prometheus    %s\n",
			   prom ? "GET /api/v1/alerts (firing and pending rules)"
				: "not configured ([prometheus] url)");
		if (am)
			buf_printf(&b,
				   "  Alertmanager  %s (GET /api/v2/alerts, /api/v2/silences)\n",
				   st->am_url != NULL ? st->am_url : "");
		else
			buf_puts(&b, "  Alertmanager  not configured: set [alertmanager] url or "
				     "--alertmanager URL to see silenced alerts and to silence "
				     "with s\n");
	}
	text_draw_wrapped(c, (struct rect){ r.x + 1, r.y + 1, r.w - 2, r.h - 1 }, b.data, ROLE_DIM,
			  ATTR_NONE);
	buf_done(&b);
}

void
alerts_screen_draw(struct alerts_screen *s, struct canvas *c, struct rect body,
		   const struct view_ctx *v, const struct alerts_status *st, bool utc)
{
	struct table_column cols[NCOLS];
	struct table_view tv;
	struct rowbuf *rb;
	struct table_row *rows;
	size_t n;
	int used = 0;

	if (st != NULL)
		used = draw_errors(c, body, v, st);
	body.y += used;
	body.h -= used;
	if (body.h < 2)
		return;
	follow(s, v);
	model_alerts(v->model, &n);
	if (n == 0) {
		draw_empty(c, body, v, st);
		return;
	}
	s->page = body.h > 1 ? body.h - 1 : 1;
	s->rows_y = body.y + 1; /* under the header */
	table_scroll_to(s->selected, s->nvis, s->page, &s->top);
	make_view(v, st, utc, s->vis, s->nvis, cols, &tv, &rb, &rows, s->top,
		  s->top + (size_t)s->page);
	tv.selected = s->selected >= s->top ? s->selected - s->top : (size_t)-1;
	if (v->wall)
		tv.selected = (size_t)-1;
	if (s->filter != NULL)
		tv.empty_text = "no alert matches the filter (\\ clears it)";
	table_draw(c, body, &tv);
	free(rb);
	free(rows);
}

int
alerts_screen_handle(struct alerts_screen *s, enum action a, const struct view_ctx *v)
{
	size_t n, page = s->page > 0 ? (size_t)s->page : 1;

	follow(s, v);
	n = s->nvis;
	switch (a) {
	case ACT_UP:
		if (s->selected > 0)
			s->selected--;
		break;
	case ACT_DOWN:
		if (s->selected + 1 < n)
			s->selected++;
		break;
	case ACT_PGUP:
		s->selected = s->selected > page ? s->selected - page : 0;
		break;
	case ACT_PGDN:
		s->selected = n == 0 ? 0 : s->selected + page < n ? s->selected + page : n - 1;
		break;
	case ACT_TOP:
		s->selected = 0;
		break;
	case ACT_BOTTOM:
		s->selected = n > 0 ? n - 1 : 0;
		break;
	default:
		return H_NONE;
	}
	remember(s);
	return H_DIRTY | H_HANDLED;
}

const struct alert *
alerts_screen_selected(struct alerts_screen *s, const struct view_ctx *v)
{
	follow(s, v);
	return s->nvis > 0 ? s->vis[s->selected] : NULL;
}

void
alerts_screen_summary(const struct view_ctx *v, char *out, size_t n)
{
	const char *dot = v->ascii ? "|" : "\xc2\xb7";
	size_t na, i, cnt[3] = { 0, 0, 0 };
	const struct alert *al = model_alerts(v->model, &na);

	for (i = 0; i < na; i++)
		cnt[al[i].state]++;
	snprintf(out, n, "%zu firing %s %zu pending %s %zu silenced", cnt[ALERT_FIRING], dot,
		 cnt[ALERT_PENDING], dot, cnt[ALERT_SILENCED]);
}

void
alerts_screen_markdown(const struct view_ctx *v, bool utc, struct buf *out)
{
	struct table_column cols[NCOLS];
	struct table_view tv;
	struct rowbuf *rb;
	struct table_row *rows;
	const struct alert **vis = NULL;
	size_t n, cap = 0;

	n = collect(NULL, v, &vis, &cap);
	make_view(v, NULL, utc, vis, n, cols, &tv, &rb, &rows, 0, n);
	tv.selected = (size_t)-1;
	table_write_markdown(&tv, out, v->ascii);
	free(rb);
	free(rows);
	free(vis);
}

bool
alerts_screen_row_at(const struct alerts_screen *s, int y, long *delta)
{
	size_t row;

	if (s->page <= 0 || y < s->rows_y || y >= s->rows_y + s->page)
		return false;
	row = s->top + (size_t)(y - s->rows_y);
	if (row >= s->nvis)
		return false;
	*delta = (long)row - (long)s->selected;
	return true;
}
