/*
 * query_internal.h - shared by the Query screen's files: query.c (layout,
 * expression, errors, keys), query_table.c (an instant answer as a
 * table), query_chart.c (a range answer as a chart with its legend) and
 * query_format.c (labels, values, units, times as text).  Nothing else
 * includes it.
 */
#ifndef OPSDECK_TUI_SCREENS_QUERY_INTERNAL_H
#define OPSDECK_TUI_SCREENS_QUERY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "canvas.h"
#include "chart.h"
#include "prometheus.h"
#include "prometheus_query.h"
#include "query_poll.h"
#include "view.h"

#define QUERY_MAX_COLS 4  /* differing labels shown one column each; more: one SERIES column */
#define QUERY_CHART_MAX 6 /* series drawn in a chart: one colour each */

/* The label names whose values differ between series, the metric name first. */
struct query_labels {
	const char *name[QUERY_MAX_COLS]; /* borrowed from the result */
	size_t n;
	bool fits; /* at most QUERY_MAX_COLS differ (and there are 2+ series) */
};

/* query_format.c */
void query_differing_labels(const struct prom_result *r, struct query_labels *out);
/* Append what every series of r shares: name{a="x"}, or nothing (1 series: nothing). */
void query_common_text(const struct prom_result *r, struct buf *out);
/*
 * Append s as name{a="x", b="y"} (PromQL's notation), leaving out what
 * every series of r shares when skip_common; "{}" when nothing is left.
 */
void query_series_text(const struct prom_result *r, const struct prom_series *s, bool skip_common,
		       struct buf *out);
/* The unit the metric name all series share says (_bytes, _seconds, _ratio); PLAIN otherwise. */
enum chart_unit query_unit(const struct prom_result *r);
/*
 * v as the table shows it: PLAIN numbers with up to 6 significant digits
 * and no exponent below 1e15 (integers whole), the other units as the
 * chart's axis writes them; "NaN", "+Inf", "-Inf".  Independent of
 * LC_NUMERIC.
 */
void query_format_value(enum chart_unit unit, double v, char *out, size_t n);
/* HH:MM:SS of unix time t in local time. */
void query_format_time(double t, char *out, size_t n);
/* A range or step as "15m", "1h", "7d", "30s", "1h30m". */
void query_format_span(double s, char *out, size_t n);

/* query_table.c: a vector as a table from row *top, cursor at selected; scalar and string as one value. */
void query_draw_table(struct canvas *c, struct rect r, const struct query_data *d, size_t selected,
		      size_t *top);
/* Rows of data a table in r shows (for paging). */
int query_table_rows(struct rect r, const struct query_data *d);

/* query_chart.c: a matrix as a chart and its legend.  Returns the plot's points across. */
int query_draw_chart(struct canvas *c, struct rect r, const struct query_data *d,
		     const struct view_ctx *v);

#endif
