/*
 * prometheus_query.h - what an ad-hoc query's answer needs beyond the
 * parser (prometheus_parse_query): the order its series are shown in, a
 * bound on what is kept, and where in the expression a PromQL parse error
 * points.  Pure functions: no I/O, no allocation beyond freeing what a
 * cap drops.
 */
#ifndef OPSDECK_BACKENDS_PROMETHEUS_QUERY_H
#define OPSDECK_BACKENDS_PROMETHEUS_QUERY_H

#include <stddef.h>

#include "prometheus.h"

/*
 * The value a series is ranked and labelled by: a vector's or scalar's
 * sample, a matrix series' last non-NaN sample (its last sample when all
 * are NaN); NAN when it has none.
 */
double prometheus_series_last(const struct prom_series *s);

/*
 * Sort r's series by prometheus_series_last, highest first; NaN and empty
 * series last; equal values in the order of their labels (names, then
 * values), so a result is always shown in the same order.  Scalars and
 * strings (one series) are left alone.
 */
void prometheus_result_sort(struct prom_result *r);

/*
 * Bound r in place: keep its first max_series series (the rest are freed)
 * and of each kept series its last max_points samples.  0 leaves that
 * dimension alone.  Returns how many series r had before.
 */
size_t prometheus_result_cap(struct prom_result *r, size_t max_series, size_t max_points);

/*
 * Where a PromQL parse error points in expr, the expression that was sent.
 * msg is the error as the API gave it (or as prometheus_parse_query
 * reported it: "prometheus: bad_data: invalid parameter \"query\": 1:8:
 * parse error: ...").  Understands "LINE:COL: parse error" (Prometheus
 * 2.17 and later) and "parse error at char COL" / "parse error at line
 * LINE, char COL" (earlier); LINE and COL count from 1 and COL in bytes of
 * that line.  Sets *offset to the byte offset in expr (strlen(expr) when
 * the error is at its end) and returns 0; -1 when msg holds no position or
 * it lies outside expr.
 */
int prometheus_error_offset(const char *msg, const char *expr, size_t *offset);

#endif
