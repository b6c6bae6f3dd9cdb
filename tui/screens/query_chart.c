/*
 * query_chart.c - a range answer: the series with the highest last values
 * as one braille chart (QUERY_CHART_MAX of them, one colour each: more
 * lines than colours could not be told apart), and under it a legend with
 * each drawn series' colour, number, labels (what they share left out)
 * and last value, then how many more there are.
 */
#include "query_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "xalloc.h"

#define CHART_MIN_H 5 /* plot rows worth drawing, with the axis and labels */

/* One colour per drawn series, in legend order. */
static const enum role series_roles[QUERY_CHART_MAX] = {
	ROLE_ACCENT, ROLE_OK, ROLE_WARN, ROLE_STALE, ROLE_CRIT, ROLE_HEADER,
};

/* The y-axis labels' width as chart.c lays them out, to tell the plot's width. */
static int
axis_width(void)
{
	return 7; /* labels up to 6 columns and the axis line */
}

static void
draw_legend_row(struct canvas *c, int x, int y, int w, size_t k, const char *labels,
		const char *value)
{
	char num[8];
	int vw = text_width(value), used, end = x + w;

	used = text_draw(c, x, y, w, c->ascii ? "--" : "\xe2\x94\x80\xe2\x94\x80", series_roles[k],
			 ATTR_BOLD);
	x += used + 1;
	snprintf(num, sizeof num, "%zu", k + 1);
	x += text_draw(c, x, y, end - x, num, ROLE_DIM, ATTR_NONE) + 1;
	if (end - x - vw - 2 > 0)
		text_draw(c, x, y, end - x - vw - 2, labels, ROLE_NORMAL, ATTR_NONE);
	if (vw < end - x)
		text_draw(c, end - vw, y, vw, value, ROLE_HEADER, ATTR_BOLD);
}

int
query_draw_chart(struct canvas *c, struct rect r, const struct query_data *d,
		 const struct view_ctx *v)
{
	const struct prom_result *res = &d->result;
	size_t n = res->nseries < QUERY_CHART_MAX ? res->nseries : QUERY_CHART_MAX;
	size_t more = d->total_series > n ? d->total_series - n : 0, k, i, listed;
	struct chart_series cs[QUERY_CHART_MAX];
	double *ts[QUERY_CHART_MAX], *vs[QUERY_CHART_MAX];
	char nums[QUERY_CHART_MAX][8];
	struct chart_view cv;
	struct buf b;
	enum chart_unit unit = query_unit(res);
	int legend = (int)n + (more > 0 ? 1 : 0), chart_h, y, points;

	(void)v;
	/* The chart first: the legend gets what is left of a third of the height. */
	if (legend > r.h / 3)
		legend = r.h / 3 > 1 ? r.h / 3 : 1;
	chart_h = r.h - legend - 1;
	if (chart_h < CHART_MIN_H) {
		chart_h = r.h - 1;
		legend = chart_h >= CHART_MIN_H ? 1 : 0;
		chart_h = r.h - legend;
	}
	memset(&cv, 0, sizeof cv);
	memset(cs, 0, sizeof cs);
	for (k = 0; k < n; k++) {
		const struct prom_series *s = &res->series[k];

		ts[k] = xcalloc(s->nsamples + 1, sizeof *ts[k]);
		vs[k] = xcalloc(s->nsamples + 1, sizeof *vs[k]);
		for (i = 0; i < s->nsamples; i++) {
			ts[k][i] = s->samples[i].t;
			vs[k][i] = s->samples[i].v;
		}
		snprintf(nums[k], sizeof nums[k], "%zu", k + 1);
		cs[k] = (struct chart_series){ ts[k], vs[k], s->nsamples, series_roles[k],
					       n > 1 ? nums[k] : NULL };
	}
	cv.unit = unit;
	cv.series = cs;
	cv.nseries = n;
	cv.t0 = d->t0;
	cv.t1 = d->t1;
	cv.y_min = cv.y_max = NAN;
	cv.cursor_t = NAN;
	cv.empty_text = "no finite values in the range";
	chart_draw(c, (struct rect){ r.x, r.y, r.w, chart_h }, &cv);
	for (k = 0; k < n; k++) {
		free(ts[k]);
		free(vs[k]);
	}
	points = (r.w - axis_width()) * (c->ascii ? 1 : 2);
	/* The legend: as many series as fit, then what was left out. */
	buf_init(&b);
	y = r.y + chart_h + (legend > 0 && chart_h < r.h - legend ? 1 : 0);
	listed = 0;
	for (k = 0; k < n && legend > 0; k++) {
		char val[32];

		if ((int)k == legend - 1 && (k + 1 < n || more > 0))
			break; /* the last row says how many more */
		buf_reset(&b);
		query_series_text(res, &res->series[k], true, &b);
		query_format_value(unit, prometheus_series_last(&res->series[k]), val, sizeof val);
		draw_legend_row(c, r.x, y++, r.w, k, b.len > 0 ? b.data : "", val);
		listed++;
	}
	if (legend > 0 && (listed < n || more > 0)) {
		char line[160];

		if (listed < n)
			snprintf(line, sizeof line,
				 "+%zu more series (the chart draws the %zu with the highest last "
				 "values)",
				 d->total_series - listed, n);
		else
			snprintf(line, sizeof line,
				 "+%zu more series not drawn (%d colours: the highest last values "
				 "are; topk() picks others)",
				 more, QUERY_CHART_MAX);
		text_draw(c, r.x, y, r.w, line, ROLE_DIM, ATTR_NONE);
	}
	buf_done(&b);
	return points > 10 ? points : 10;
}
