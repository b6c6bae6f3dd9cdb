/*
 * query_table.c - an instant answer: a vector as a table, one row per
 * series, highest value first; a scalar or a string as one value.
 *
 * When few labels tell the series apart (QUERY_MAX_COLS), each gets a
 * column and what they share is written once above the table; otherwise
 * one SERIES column holds each series in PromQL's notation.  Only the rows
 * on screen are formatted: an answer may hold a thousand series.
 */
#include "query_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "text.h"
#include "xalloc.h"

#define VALUE_W 24 /* bytes of a formatted value */

/* The common line above the table: 1 when there is one. */
static int
common_rows(const struct query_data *d)
{
	struct buf b;
	int n;

	if (d->result.type != PROM_VECTOR || d->result.nseries < 2)
		return 0;
	buf_init(&b);
	query_common_text(&d->result, &b);
	n = b.len > 0 ? 1 : 0;
	buf_done(&b);
	return n;
}

int
query_table_rows(struct rect r, const struct query_data *d)
{
	int h = r.h - common_rows(d) - 1;

	return h > 1 ? h : 1;
}

/* The header of a label column: its name in capitals, the metric name as METRIC. */
static char *
column_title(const char *name)
{
	char *t, *p;

	if (strcmp(name, "__name__") == 0)
		return xstrdup("METRIC");
	t = xstrdup(name);
	for (p = t; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return t;
}

/* One value alone: "scalar  1.5 at 10:01:00", or a string's text wrapped. */
static void
draw_one(struct canvas *c, struct rect r, const struct query_data *d)
{
	const struct prom_series *s = d->result.nseries > 0 ? &d->result.series[0] : NULL;
	char val[VALUE_W], at[16];
	int x;

	if (s == NULL || s->nsamples == 0)
		return;
	query_format_time(s->samples[0].t, at, sizeof at);
	x = r.x + text_draw(c, r.x, r.y, r.w, d->result.type == PROM_SCALAR ? "scalar" : "string",
			    ROLE_DIM, ATTR_NONE);
	text_draw(c, x + 1, r.y, r.x + r.w - x - 1, at, ROLE_DIM, ATTR_NONE);
	if (d->result.type == PROM_SCALAR) {
		query_format_value(CHART_UNIT_PLAIN, s->samples[0].v, val, sizeof val);
		text_draw(c, r.x, r.y + 2, r.w, val, ROLE_HEADER, ATTR_BOLD);
	} else {
		text_draw_wrapped(c, (struct rect){ r.x, r.y + 2, r.w, r.h - 2 },
				  s->string != NULL ? s->string : "", ROLE_HEADER, ATTR_BOLD);
	}
}

void
query_draw_table(struct canvas *c, struct rect r, const struct query_data *d, size_t selected,
		 size_t *top)
{
	const struct prom_result *res = &d->result;
	struct query_labels ql;
	struct table_column cols[QUERY_MAX_COLS + 1];
	struct table_row *rows;
	struct table_cell *cells;
	struct table_view tv;
	char **texts;
	struct buf b;
	enum chart_unit unit = query_unit(res);
	size_t ncols, i, k, shown, nrows;
	int vis, vw = 6; /* "VALUE" and the sort mark */

	if (res->type == PROM_SCALAR || res->type == PROM_STRING) {
		draw_one(c, r, d);
		return;
	}
	buf_init(&b);
	if (common_rows(d) > 0) {
		int x = r.x + text_draw(c, r.x, r.y, r.w, "common ", ROLE_DIM, ATTR_NONE);

		query_common_text(res, &b);
		text_draw(c, x, r.y, r.x + r.w - x, b.data, ROLE_NORMAL, ATTR_NONE);
		r.y++;
		r.h--;
	}
	query_differing_labels(res, &ql);
	ncols = ql.fits ? ql.n + 1 : 2;
	memset(cols, 0, sizeof cols);
	vis = r.h - 1 > 0 ? r.h - 1 : 1;
	nrows = res->nseries;
	if (selected >= nrows)
		selected = nrows > 0 ? nrows - 1 : 0;
	table_scroll_to(selected, nrows, vis, top);
	shown = nrows - *top < (size_t)vis ? nrows - *top : (size_t)vis;
	rows = xcalloc(shown + 1, sizeof *rows);
	cells = xcalloc((shown + 1) * ncols, sizeof *cells);
	texts = xcalloc((shown + 1) * ncols, sizeof *texts);
	/* Widths from every series, so scrolling does not move the columns. */
	for (i = 0; i < nrows; i++) {
		char val[VALUE_W];
		int w;

		query_format_value(unit, prometheus_series_last(&res->series[i]), val, sizeof val);
		w = text_width(val);
		if (w > vw)
			vw = w;
	}
	for (k = 0; k + 1 < ncols; k++) {
		int maxw = 0;

		cols[k].title = ql.fits ? column_title(ql.name[k]) : xstrdup("SERIES");
		for (i = 0; i < nrows && ql.fits; i++) {
			const struct prom_series *s = &res->series[i];
			const char *v = prom_label_get(s->labels, s->nlabels, ql.name[k]);
			int w = text_width(v != NULL ? v : "");

			if (w > maxw)
				maxw = w;
		}
		if (!ql.fits)
			maxw = r.w;
		if (maxw < text_width(cols[k].title))
			maxw = text_width(cols[k].title);
		cols[k].min_width = maxw < 10 ? maxw : 10;
		cols[k].max_width = maxw;
		cols[k].flex = maxw;
		cols[k].drop_priority = k == 0 ? 0 : (int)(ncols - k);
		cols[k].align = ALIGN_LEFT;
	}
	cols[ncols - 1] = (struct table_column){ "VALUE", vw, vw, 0, 0, ALIGN_RIGHT, false };
	for (i = 0; i < shown; i++) {
		const struct prom_series *s = &res->series[*top + i];
		struct table_cell *cl = &cells[i * ncols];
		char val[VALUE_W];

		for (k = 0; k + 1 < ncols; k++) {
			if (ql.fits) {
				const char *v = prom_label_get(s->labels, s->nlabels, ql.name[k]);

				texts[i * ncols + k] = xstrdup(v != NULL ? v : "");
			} else {
				buf_reset(&b);
				query_series_text(res, s, true, &b);
				texts[i * ncols + k] = xstrdup(b.len > 0 ? b.data : "");
			}
			cl[k].text = texts[i * ncols + k];
			cl[k].role = ROLE_NORMAL;
		}
		query_format_value(unit, prometheus_series_last(s), val, sizeof val);
		texts[i * ncols + ncols - 1] = xstrdup(val);
		cl[ncols - 1].text = texts[i * ncols + ncols - 1];
		cl[ncols - 1].role = ROLE_NORMAL;
		rows[i].cells = cl;
		rows[i].role = ROLE_NORMAL;
	}
	memset(&tv, 0, sizeof tv);
	tv.cols = cols;
	tv.ncols = ncols;
	tv.rows = rows;
	tv.nrows = shown;
	tv.selected = selected - *top;
	tv.sort_col = (int)ncols - 1;
	tv.sort_desc = true;
	tv.empty_text = "no series";
	table_draw(c, r, &tv);
	for (i = 0; i < (shown + 1) * ncols; i++)
		free(texts[i]);
	for (k = 0; k + 1 < ncols; k++)
		free((char *)cols[k].title);
	free(texts);
	free(cells);
	free(rows);
	buf_done(&b);
}
