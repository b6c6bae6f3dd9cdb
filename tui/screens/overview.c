#include "overview.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "regex.h"
#include "table.h"
#include "xalloc.h"

#define CELL_TEXT 32
#define SPARK_MAX 120 /* the widest sparkline column */

struct row {
	struct service *svc;
	enum status status;
	double *spark[2]; /* rps, errors history: SPARK_MAX each, in scratch */
	size_t nspark[2];
	char text[OV_NCOLS][CELL_TEXT];
	struct table_cell cells[OV_NCOLS];
};

struct overview {
	struct regex *filter;
	enum overview_col sort_col;
	bool sort_desc;
	size_t selected;
	size_t top;
	int page;            /* body rows at the last draw */
	char *selected_name; /* keeps the cursor on a service across re-sorts */
	struct row *rows;    /* the rows of the last build */
	size_t nrows, cap;
	size_t total; /* services before filtering */
	unsigned counts[STATUS_COUNT];
};

static const struct table_column columns[OV_NCOLS] = {
	[OV_NAME] = { "SERVICE", 12, 40, 3, 0, ALIGN_LEFT, false },
	[OV_STATUS] = { "STATUS", 7, 7, 0, 0, ALIGN_LEFT, false },
	[OV_RPS] = { "REQ/S", 7, 9, 0, 0, ALIGN_RIGHT, false },
	[OV_ERRORS] = { "ERR%", 6, 8, 0, 0, ALIGN_RIGHT, false },
	[OV_P99] = { "P99", 7, 8, 0, 0, ALIGN_RIGHT, false },
	[OV_CPU] = { "CPU", 5, 7, 0, 4, ALIGN_RIGHT, false },
	[OV_MEMORY] = { "MEM", 6, 8, 0, 3, ALIGN_RIGHT, false },
	[OV_SPARK_RPS] = { "RPS TREND", 10, 60, 2, 2, ALIGN_LEFT, true },
	[OV_SPARK_ERRORS] = { "ERR TREND", 10, 60, 2, 1, ALIGN_LEFT, true },
};

/* Which model metric a numeric column shows. */
static const int col_metric[OV_NCOLS] = {
	[OV_NAME] = -1,
	[OV_STATUS] = -1,
	[OV_RPS] = METRIC_RPS,
	[OV_ERRORS] = METRIC_ERRORS,
	[OV_P99] = METRIC_P99,
	[OV_CPU] = METRIC_CPU,
	[OV_MEMORY] = METRIC_MEMORY,
	[OV_SPARK_RPS] = -1,
	[OV_SPARK_ERRORS] = -1,
};

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
	if (col >= OV_SPARK_RPS)
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

	if (sort_ov->sort_col == OV_STATUS)
		c = view_status_severity(a->status) - view_status_severity(b->status);
	else if (m >= 0) {
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
	for (col = OV_RPS; col <= OV_MEMORY; col++) {
		fmt_metric(col_metric[col], s->value[col_metric[col]], r->text[col], CELL_TEXT);
		r->cells[col].text = r->text[col];
		r->cells[col].role = isnan(s->value[col_metric[col]]) ? ROLE_DIM : ROLE_NORMAL;
	}
	r->cells[OV_ERRORS].role =
		threshold_role(s->value[METRIC_ERRORS], v->th->error_warn, v->th->error_crit);
	r->cells[OV_P99].role =
		threshold_role(s->value[METRIC_P99], v->th->p99_warn, v->th->p99_crit);
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
	memset(ov->counts, 0, sizeof ov->counts);
	for (i = 0; i < n; i++) {
		struct service *s = model_service_at(v->model, i);
		enum status st = model_service_status(s, v->th, v->now, v->stale_after);

		ov->counts[st]++;
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
	size_t i;

	if (to > ov->nrows)
		to = ov->nrows;
	*trows = xcalloc(ov->nrows + 1, sizeof **trows);
	*scratch = xcalloc(2 * SPARK_MAX * (to > from ? to - from : 1), sizeof **scratch);
	for (i = 0; i < ov->nrows; i++) {
		struct row *r = &ov->rows[i];

		if (i < from || i >= to) {
			memset(r->cells, 0, sizeof r->cells);
			(*trows)[i].cells = r->cells;
			continue;
		}
		r->spark[0] = *scratch + 2 * SPARK_MAX * (i - from);
		r->spark[1] = r->spark[0] + SPARK_MAX;
		fill_row(r, v);
		(*trows)[i].cells = ov->rows[i].cells;
		(*trows)[i].role = ov->rows[i].status == STATUS_STALE ? ROLE_STALE : ROLE_NORMAL;
	}
	memset(tv, 0, sizeof *tv);
	tv->cols = columns;
	tv->ncols = OV_NCOLS;
	tv->rows = *trows;
	tv->nrows = ov->nrows;
	tv->selected = ov->selected;
	tv->top = ov->top;
	tv->sort_col = (int)ov->sort_col;
	tv->sort_desc = ov->sort_desc;
	if (ov->total == 0)
		tv->empty_text = v->prometheus ? "waiting for the first answer from Prometheus..."
					       : "no backend configured";
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
		ov->sort_col = ov->sort_col == 0 ? OV_MEMORY : ov->sort_col - 1;
		ov->sort_desc = ov->sort_col != OV_NAME;
		break;
	case ACT_SORT_NEXT:
		ov->sort_col = ov->sort_col >= OV_MEMORY ? OV_NAME : ov->sort_col + 1;
		ov->sort_desc = ov->sort_col != OV_NAME;
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
