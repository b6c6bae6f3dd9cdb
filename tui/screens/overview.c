#include "overview.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "regex.h"
#include "table.h"
#include "xalloc.h"

#define CELL_TEXT 48
#define SPARK_MAX 120 /* the widest sparkline column */

struct row {
	struct service *svc;
	enum status status;
	double *spark[2]; /* rps, errors history: SPARK_MAX each, in scratch */
	size_t nspark[2];
	char text[OV_NCOLS][CELL_TEXT];
	struct table_cell cells[OV_NCOLS];
	struct table_cell vcells[OV_NCOLS]; /* the visible columns' cells, compacted */
};

struct overview {
	struct regex *filter;
	enum overview_col sort_col;
	bool sort_desc;
	size_t selected;
	size_t top;
	int page;            /* body rows at the last draw */
	int rows_y;          /* the screen row of the first data row at the last draw */
	char *selected_name; /* keeps the cursor on a service across re-sorts */
	struct row *rows;    /* the rows of the last build */
	size_t nrows, cap;
	size_t total;                        /* services before filtering */
	bool runtime_cols;                   /* some service has a runtime: show its columns */
	bool errmin_col;                     /* Elasticsearch is configured: errors/min */
	bool alerts_col;                     /* some service has firing alerts */
	enum overview_col vis[OV_NCOLS];     /* visible columns, in order */
	struct table_column vcols[OV_NCOLS]; /* their definitions */
	size_t nvis;
	unsigned counts[STATUS_COUNT];
};

/*
 * Drop priorities: the higher, the sooner a column is hidden on a narrow
 * terminal.  At 80 columns the Overview keeps name, status, replicas,
 * rate, errors, p99, version, restarts and deployment age.
 */
static const struct table_column columns[OV_NCOLS] = {
	[OV_NAME] = { "SERVICE", 12, 40, 3, 0, ALIGN_LEFT, false },
	[OV_STATUS] = { "STATUS", 7, 7, 0, 0, ALIGN_LEFT, false },
	[OV_REPLICAS] = { "REPL", 5, 7, 0, 0, ALIGN_RIGHT, false },
	[OV_RPS] = { "REQ/S", 7, 9, 0, 0, ALIGN_RIGHT, false },
	[OV_ERRORS] = { "ERR%", 6, 8, 0, 0, ALIGN_RIGHT, false },
	[OV_ERRMIN] = { "ERR/MIN", 8, 8, 0, 3, ALIGN_RIGHT, false },
	[OV_P99] = { "P99", 7, 8, 0, 0, ALIGN_RIGHT, false },
	[OV_CPU] = { "CPU", 5, 7, 0, 7, ALIGN_RIGHT, false },
	[OV_MEMORY] = { "MEM", 6, 8, 0, 8, ALIGN_RIGHT, false },
	[OV_VERSION] = { "VERSION", 8, 20, 1, 3, ALIGN_LEFT, false },
	[OV_RESTARTS] = { "RST", 4, 6, 0, 5, ALIGN_RIGHT, false },
	[OV_DEPLOYED] = { "AGE", 6, 7, 0, 6, ALIGN_RIGHT, false },
	[OV_RUNTIME] = { "RUNTIME", 9, 9, 0, 10, ALIGN_LEFT, false },
	[OV_SPARK_RPS] = { "RPS TREND", 10, 60, 2, 4, ALIGN_LEFT, true },
	[OV_SPARK_ERRORS] = { "ERR TREND", 10, 60, 2, 9, ALIGN_LEFT, true },
	[OV_ALERTS] = { "ALERTS", 6, 6, 0, 0, ALIGN_LEFT, false },
};

/* Which model metric a numeric column shows (-1: not a metric). */
static const int col_metric[OV_NCOLS] = {
	[OV_NAME] = -1,
	[OV_STATUS] = -1,
	[OV_REPLICAS] = -1,
	[OV_RPS] = METRIC_RPS,
	[OV_ERRORS] = METRIC_ERRORS,
	[OV_ERRMIN] = -1,
	[OV_P99] = METRIC_P99,
	[OV_CPU] = METRIC_CPU,
	[OV_MEMORY] = METRIC_MEMORY,
	[OV_VERSION] = -1,
	[OV_RESTARTS] = -1,
	[OV_DEPLOYED] = -1,
	[OV_RUNTIME] = -1,
	[OV_SPARK_RPS] = -1,
	[OV_SPARK_ERRORS] = -1,
	[OV_ALERTS] = -1,
};

static bool
is_runtime_col(enum overview_col c)
{
	return c == OV_REPLICAS || c == OV_VERSION || c == OV_RESTARTS || c == OV_DEPLOYED ||
	       c == OV_RUNTIME;
}

/*
 * [wall] density = large: the columns read from across a room - who,
 * how bad, how many, how busy, how failing, how slow.
 */
static bool
large_col(enum overview_col c)
{
	return c == OV_NAME || c == OV_STATUS || c == OV_REPLICAS || c == OV_RPS ||
	       c == OV_ERRORS || c == OV_ERRMIN || c == OV_P99;
}

struct overview *
overview_new(void)
{
	struct overview *ov = xcalloc(1, sizeof *ov);

	ov->sort_col = OV_STATUS;
	ov->sort_desc = true;
	return ov;
}

void
overview_free(struct overview *ov)
{
	if (ov == NULL)
		return;
	regex_free(ov->filter);
	free(ov->selected_name);
	free(ov->rows);
	free(ov);
}

const char *
overview_selected(const struct overview *ov)
{
	if (ov->nrows == 0 || ov->selected >= ov->nrows)
		return NULL;
	return ov->rows[ov->selected].svc->name;
}

static void build(struct overview *ov, const struct view_ctx *v);

const char *
overview_current(struct overview *ov, const struct view_ctx *v)
{
	build(ov, v);
	return overview_selected(ov);
}

const char *
overview_filter(const struct overview *ov)
{
	return ov->filter ? regex_pattern(ov->filter) : "";
}

int
overview_set_filter(struct overview *ov, const char *pattern, struct err *e)
{
	struct regex *r = NULL;

	if (pattern != NULL && *pattern != '\0') {
		r = regex_new(pattern, e);
		if (r == NULL)
			return -1;
	}
	regex_free(ov->filter);
	ov->filter = r;
	return 0;
}

void
overview_set_sort(struct overview *ov, enum overview_col col, bool desc)
{
	if (col >= OV_NCOLS || columns[col].spark)
		return;
	ov->sort_col = col;
	ov->sort_desc = desc;
}

/* Sorting: qsort has no context argument, so the column travels in a static. */
static const struct overview *sort_ov;

static int
cmp_num(double a, double b)
{
	if (isnan(a) && isnan(b))
		return 0;
	if (isnan(a))
		return 2; /* unknown values sort last in either direction */
	if (isnan(b))
		return -2;
	return a < b ? -1 : a > b;
}

static int
cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c = 0, m = col_metric[sort_ov->sort_col];

	const struct runtime_state *ra = &a->svc->rt, *rb = &b->svc->rt;

	if (sort_ov->sort_col == OV_STATUS)
		c = view_status_severity(a->status) - view_status_severity(b->status);
	else if (is_runtime_col(sort_ov->sort_col) && ra->present != rb->present)
		return ra->present ? -1 : 1; /* services without a runtime last */
	else if (sort_ov->sort_col == OV_REPLICAS)
		c = (int)((ra->desired - ra->running) - (rb->desired - rb->running)); /* missing */
	else if (sort_ov->sort_col == OV_VERSION)
		c = strcmp(ra->version ? ra->version : "", rb->version ? rb->version : "");
	else if (sort_ov->sort_col == OV_RESTARTS)
		c = ra->restarts < rb->restarts ? -1 : ra->restarts > rb->restarts;
	else if (sort_ov->sort_col == OV_DEPLOYED)
		c = ra->deployed_at > rb->deployed_at ? -1 : ra->deployed_at < rb->deployed_at;
	else if (sort_ov->sort_col == OV_RUNTIME)
		c = strcmp(ra->kind ? ra->kind : "", rb->kind ? rb->kind : "");
	else if (sort_ov->sort_col == OV_ALERTS)
		c = (a->svc->alert_rank * 10000 + a->svc->alerts_firing) -
		    (b->svc->alert_rank * 10000 + b->svc->alerts_firing);
	else if (sort_ov->sort_col == OV_ERRMIN) {
		c = cmp_num(a->svc->errors_per_min, b->svc->errors_per_min);
		if (c == 2 || c == -2)
			return c;
	} else if (m >= 0) {
		c = cmp_num(a->svc->value[m], b->svc->value[m]);
		if (c == 2 || c == -2)
			return c; /* unknown last, whatever the direction */
	}
	if (sort_ov->sort_desc)
		c = -c;
	if (c == 0)
		c = strcmp(a->svc->name, b->svc->name);
	return c;
}

static void
fmt_metric(int metric, double v, char *out, size_t n)
{
	if (isnan(v)) {
		snprintf(out, n, "-");
		return;
	}
	switch (metric) {
	case METRIC_RPS:
		if (v < 100)
			snprintf(out, n, "%.1f", v);
		else
			format_si(v, out, n);
		break;
	case METRIC_ERRORS:
		if (v * 100 < 10)
			snprintf(out, n, "%.2f%%", v * 100);
		else
			snprintf(out, n, "%.1f%%", v * 100);
		break;
	case METRIC_P99:
		if (isinf(v))
			snprintf(out, n, "+Inf");
		else
			format_duration_ms((long long)llround(v * 1000), out, n);
		break;
	case METRIC_CPU:
		snprintf(out, n, "%.2f", v);
		break;
	case METRIC_MEMORY:
		format_bytes(v, out, n);
		break;
	}
}

static enum role
threshold_role(double v, double warn, double crit)
{
	if (isnan(v))
		return ROLE_DIM;
	if (v >= crit)
		return ROLE_CRIT;
	if (v >= warn)
		return ROLE_WARN;
	return ROLE_NORMAL;
}

/* The runtime columns: replicas, version, restarts, deployment age, runtime. */
static void
fill_runtime(struct row *r, const struct view_ctx *v)
{
	const struct runtime_state *rt = &r->svc->rt;
	int col;

	for (col = OV_REPLICAS; col < OV_NCOLS; col++)
		if (is_runtime_col((enum overview_col)col)) {
			snprintf(r->text[col], CELL_TEXT, "-");
			r->cells[col].text = r->text[col];
			r->cells[col].role = ROLE_DIM;
		}
	if (!rt->present)
		return;
	if (rt->desired >= 0 && rt->running >= 0) {
		snprintf(r->text[OV_REPLICAS], CELL_TEXT, "%ld/%ld", rt->running, rt->desired);
		r->cells[OV_REPLICAS].role = rt->desired >= 1 && rt->running == 0 ? ROLE_CRIT
					     : rt->running < rt->desired          ? ROLE_WARN
										  : ROLE_NORMAL;
	}
	if (rt->version != NULL && rt->version[0] != '\0') {
		snprintf(r->text[OV_VERSION], CELL_TEXT, "%s", rt->version);
		r->cells[OV_VERSION].role = ROLE_NORMAL;
	}
	if (rt->restarts >= 0) {
		snprintf(r->text[OV_RESTARTS], CELL_TEXT, "%ld", rt->restarts);
		r->cells[OV_RESTARTS].role = rt->crash_looping ? ROLE_CRIT : ROLE_NORMAL;
	}
	if (rt->deployed_at > 0) {
		format_duration_ms((long long)((v->now - rt->deployed_at) * 1000.0),
				   r->text[OV_DEPLOYED], CELL_TEXT);
		r->cells[OV_DEPLOYED].role = ROLE_NORMAL;
	}
	if (rt->kind != NULL) {
		snprintf(r->text[OV_RUNTIME], CELL_TEXT, "%s", rt->kind);
		r->cells[OV_RUNTIME].role = ROLE_NORMAL;
	}
}

static void
fill_row(struct row *r, const struct view_ctx *v)
{
	const struct service *s = r->svc;
	int col, k;

	memset(r->cells, 0, sizeof r->cells);
	r->cells[OV_NAME].text = s->name;
	snprintf(r->text[OV_STATUS], CELL_TEXT, "%s", status_name(r->status));
	r->cells[OV_STATUS].text = r->text[OV_STATUS];
	r->cells[OV_STATUS].role = (enum role)view_status_role(r->status);
	if (v->progress != NULL && v->progress(v->progress_ud, s->name) != NULL) {
		snprintf(r->text[OV_STATUS], CELL_TEXT, "%s", "BUSY");
		r->cells[OV_STATUS].role = ROLE_ACCENT;
	}
	for (col = OV_RPS; col <= OV_MEMORY; col++) {
		if (col == OV_ERRMIN)
			continue;
		fmt_metric(col_metric[col], s->value[col_metric[col]], r->text[col], CELL_TEXT);
		r->cells[col].text = r->text[col];
		r->cells[col].role = isnan(s->value[col_metric[col]]) ? ROLE_DIM : ROLE_NORMAL;
	}
	r->cells[OV_ERRORS].role =
		threshold_role(s->value[METRIC_ERRORS], v->th->error_warn, v->th->error_crit);
	r->cells[OV_P99].role =
		threshold_role(s->value[METRIC_P99], v->th->p99_warn, v->th->p99_crit);
	/* Error-level log lines in the last minute: any is worth a look. */
	if (isnan(s->errors_per_min))
		snprintf(r->text[OV_ERRMIN], CELL_TEXT, "-");
	else if (s->errors_per_min < 10000)
		snprintf(r->text[OV_ERRMIN], CELL_TEXT, "%.0f", s->errors_per_min);
	else
		format_si(s->errors_per_min, r->text[OV_ERRMIN], CELL_TEXT);
	r->cells[OV_ERRMIN].text = r->text[OV_ERRMIN];
	r->cells[OV_ERRMIN].role = isnan(s->errors_per_min) ? ROLE_DIM
				   : s->errors_per_min > 0  ? ROLE_WARN
							    : ROLE_NORMAL;
	for (k = 0; k < 2; k++) {
		enum metric m = k == 0 ? METRIC_RPS : METRIC_ERRORS;
		int c = k == 0 ? OV_SPARK_RPS : OV_SPARK_ERRORS;

		r->nspark[k] = r->spark[k] ? model_history(s, m, r->spark[k], SPARK_MAX) : 0;
		r->cells[c].spark = r->spark[k];
		r->cells[c].nspark = r->nspark[k];
		/* Errors on a fixed scale: a full bar is the critical threshold. */
		r->cells[c].spark_top = k == 0 ? 0 : v->th->error_crit;
		r->cells[c].role = k == 0 ? ROLE_ACCENT
				   : r->cells[OV_ERRORS].role == ROLE_NORMAL
					   ? ROLE_DIM
					   : r->cells[OV_ERRORS].role;
	}
	/* Firing alerts naming the service: "!2", coloured by the worst severity. */
	if (s->alerts_firing > 0)
		snprintf(r->text[OV_ALERTS], CELL_TEXT, "!%d", s->alerts_firing);
	else
		r->text[OV_ALERTS][0] = '\0';
	r->cells[OV_ALERTS].text = r->text[OV_ALERTS];
	r->cells[OV_ALERTS].role = s->alert_rank >= 3 ? ROLE_CRIT : ROLE_WARN;
	fill_runtime(r, v);
}

/* Rebuild rows from the model: filter, status, sort; keep the cursor on its service. */
static void
build(struct overview *ov, const struct view_ctx *v)
{
	size_t n = model_nservices(v->model), i;

	if (ov->cap < n) {
		ov->cap = n;
		ov->rows = xrealloc(ov->rows, ov->cap * sizeof *ov->rows);
	}
	ov->nrows = 0;
	ov->total = n;
	ov->runtime_cols = false;
	ov->errmin_col = v->elasticsearch;
	ov->alerts_col = false;
	memset(ov->counts, 0, sizeof ov->counts);
	for (i = 0; i < n; i++) {
		struct service *s = model_service_at(v->model, i);
		enum status st = model_service_status(s, v->th, v->now, v->stale_after);

		ov->counts[st]++;
		if (s->rt.present)
			ov->runtime_cols = true;
		if (s->alerts_firing > 0)
			ov->alerts_col = true;
		if (!regex_match(ov->filter, s->name))
			continue;
		ov->rows[ov->nrows].svc = s;
		ov->rows[ov->nrows].status = st;
		ov->nrows++;
	}
	sort_ov = ov;
	if (ov->nrows > 1)
		qsort(ov->rows, ov->nrows, sizeof *ov->rows, cmp_rows);
	sort_ov = NULL;
	if (ov->selected_name != NULL) {
		for (i = 0; i < ov->nrows; i++)
			if (strcmp(ov->rows[i].svc->name, ov->selected_name) == 0) {
				ov->selected = i;
				break;
			}
	}
	if (ov->nrows == 0)
		ov->selected = 0;
	else if (ov->selected >= ov->nrows)
		ov->selected = ov->nrows - 1;
}

static void
remember_selection(struct overview *ov)
{
	free(ov->selected_name);
	ov->selected_name = ov->nrows ? xstrdup(ov->rows[ov->selected].svc->name) : NULL;
}

/*
 * Fill the table view; only rows [from, to) get cells (the visible ones),
 * so a draw costs the screen, not the fleet.  *scratch holds their history.
 */
static void
make_view(struct overview *ov, const struct view_ctx *v, struct table_view *tv,
	  struct table_row **trows, size_t from, size_t to, double **scratch)
{
	size_t i, j;

	if (to > ov->nrows)
		to = ov->nrows;
	if (from > to)
		from = to;
	/* The visible columns: runtime ones only when some service has a runtime. */
	ov->nvis = 0;
	for (j = 0; j < OV_NCOLS; j++) {
		if (is_runtime_col((enum overview_col)j) && !ov->runtime_cols)
			continue;
		if (j == OV_ERRMIN && !v->elasticsearch)
			continue;
		if (j == OV_ALERTS)
			continue; /* placed after STATUS below */
		if (v->large && !large_col((enum overview_col)j))
			continue;
		ov->vcols[ov->nvis] = columns[j];
		ov->vis[ov->nvis++] = (enum overview_col)j;
		if (j == OV_STATUS && ov->alerts_col) {
			ov->vcols[ov->nvis] = columns[OV_ALERTS];
			ov->vis[ov->nvis++] = OV_ALERTS;
		}
	}
	/* Rows are handed to the table as the slice [from, to): top 0 of the slice. */
	*trows = xcalloc(to - from + 1, sizeof **trows);
	*scratch = xcalloc(2 * SPARK_MAX * (to > from ? to - from : 1), sizeof **scratch);
	for (i = from; i < to; i++) {
		struct row *r = &ov->rows[i];

		r->spark[0] = *scratch + 2 * SPARK_MAX * (i - from);
		r->spark[1] = r->spark[0] + SPARK_MAX;
		fill_row(r, v);
		for (j = 0; j < ov->nvis; j++)
			r->vcells[j] = r->cells[ov->vis[j]];
		(*trows)[i - from].cells = r->vcells;
		(*trows)[i - from].role = r->status == STATUS_STALE ? ROLE_STALE : ROLE_NORMAL;
	}
	memset(tv, 0, sizeof *tv);
	tv->cols = ov->vcols;
	tv->ncols = ov->nvis;
	tv->rows = *trows;
	tv->nrows = to - from;
	tv->selected = ov->selected >= from && ov->selected < to && !v->wall ? ov->selected - from
									  : (size_t)-1;
	tv->top = 0;
	tv->sort_col = -1;
	for (j = 0; j < ov->nvis; j++)
		if (ov->vis[j] == ov->sort_col)
			tv->sort_col = (int)j;
	tv->sort_desc = ov->sort_desc;
	if (ov->total == 0)
		tv->empty_text = v->prometheus
					 ? "waiting for the first answer from Prometheus..."
					 : "waiting for the first answer from the backends...";
	else
		tv->empty_text = "no service matches the filter (\\ clears it)";
}

void
overview_draw(struct overview *ov, struct canvas *c, struct rect body, const struct view_ctx *v)
{
	struct table_view tv;
	struct table_row *trows;
	double *scratch;

	build(ov, v);
	ov->page = body.h > 1 ? body.h - 1 : 1;
	ov->rows_y = body.y + 1; /* under the header */
	table_scroll_to(ov->selected, ov->nrows, ov->page, &ov->top);
	make_view(ov, v, &tv, &trows, ov->top, ov->top + (size_t)ov->page, &scratch);
	table_draw(c, body, &tv);
	free(trows);
	free(scratch);
}

void
overview_markdown(struct overview *ov, const struct view_ctx *v, struct buf *out)
{
	struct table_view tv;
	struct table_row *trows;
	double *scratch;

	build(ov, v);
	make_view(ov, v, &tv, &trows, 0, ov->nrows, &scratch);
	table_write_markdown(&tv, out, v->ascii);
	free(trows);
	free(scratch);
}

void
overview_summary(struct overview *ov, const struct view_ctx *v, char *out, size_t n)
{
	const char *dot = v->ascii ? "|" : "\xc2\xb7";

	build(ov, v);
	if (ov->filter != NULL)
		snprintf(out, n, "%zu of %zu services /%s/ %s CRIT %u %s WARN %u %s STALE %u",
			 ov->nrows, ov->total, regex_pattern(ov->filter), dot,
			 ov->counts[STATUS_CRIT], dot, ov->counts[STATUS_WARN], dot,
			 ov->counts[STATUS_STALE]);
	else
		snprintf(out, n, "%zu services %s CRIT %u %s WARN %u %s STALE %u", ov->total, dot,
			 ov->counts[STATUS_CRIT], dot, ov->counts[STATUS_WARN], dot,
			 ov->counts[STATUS_STALE]);
}

/* The next sortable column in direction dir, skipping hidden and trend columns. */
static enum overview_col
next_sort_col(const struct overview *ov, enum overview_col from, int dir)
{
	int c = (int)from, i;

	for (i = 0; i < OV_NCOLS; i++) {
		c = (c + dir + OV_NCOLS) % OV_NCOLS;
		if (columns[c].spark)
			continue;
		if (is_runtime_col((enum overview_col)c) && !ov->runtime_cols)
			continue;
		if (c == OV_ERRMIN && !ov->errmin_col)
			continue;
		if (c == OV_ALERTS && !ov->alerts_col)
			continue;
		return (enum overview_col)c;
	}
	return from;
}

int
overview_handle(struct overview *ov, enum action a, const struct view_ctx *v)
{
	size_t page;

	build(ov, v);
	page = ov->page > 0 ? (size_t)ov->page : 1;
	switch (a) {
	case ACT_UP:
		if (ov->selected > 0)
			ov->selected--;
		break;
	case ACT_DOWN:
		if (ov->selected + 1 < ov->nrows)
			ov->selected++;
		break;
	case ACT_PGUP:
		ov->selected = ov->selected > page ? ov->selected - page : 0;
		break;
	case ACT_PGDN:
		ov->selected = ov->nrows == 0                    ? 0
			       : ov->selected + page < ov->nrows ? ov->selected + page
								 : ov->nrows - 1;
		break;
	case ACT_TOP:
		ov->selected = 0;
		break;
	case ACT_BOTTOM:
		ov->selected = ov->nrows ? ov->nrows - 1 : 0;
		break;
	case ACT_SORT_PREV:
	case ACT_SORT_NEXT:
		ov->sort_col = next_sort_col(ov, ov->sort_col, a == ACT_SORT_NEXT ? 1 : -1);
		/* Names and versions read best A-Z; numbers and status worst first. */
		ov->sort_desc = ov->sort_col != OV_NAME && ov->sort_col != OV_VERSION &&
				ov->sort_col != OV_RUNTIME;
		break;
	case ACT_SORT_INVERT:
		ov->sort_desc = !ov->sort_desc;
		break;
	default:
		return H_NONE;
	}
	if (a == ACT_SORT_PREV || a == ACT_SORT_NEXT || a == ACT_SORT_INVERT) {
		build(ov, v); /* re-sort, the cursor follows its service */
	} else {
		remember_selection(ov);
	}
	return H_DIRTY | H_HANDLED;
}

bool
overview_row_at(const struct overview *ov, int y, long *delta)
{
	size_t row;

	if (y < ov->rows_y || y >= ov->rows_y + ov->page)
		return false;
	row = ov->top + (size_t)(y - ov->rows_y);
	if (row >= ov->nrows)
		return false;
	*delta = (long)row - (long)ov->selected;
	return true;
}
