/*
 * query_format.c - an answer's labels, values, units and times as text.
 *
 * A label shared by every series says nothing about any one of them: it is
 * written once (the "common" line) and left out of the rows and the
 * legend, as Grafana does, so the part that tells series apart is what
 * fits on the screen.
 */
#include "query_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_NAMES 64 /* distinct label names looked at when deciding on columns */

/* True when every series of r has label name with one and the same value. */
static bool
common(const struct prom_result *r, const char *name)
{
	const char *first;
	size_t i;

	if (r->nseries < 2)
		return false;
	first = prom_label_get(r->series[0].labels, r->series[0].nlabels, name);
	if (first == NULL)
		return false;
	for (i = 1; i < r->nseries; i++) {
		const char *v = prom_label_get(r->series[i].labels, r->series[i].nlabels, name);

		if (v == NULL || strcmp(v, first) != 0)
			return false;
	}
	return true;
}

void
query_differing_labels(const struct prom_result *r, struct query_labels *out)
{
	const char *names[MAX_NAMES];
	size_t n = 0, i, k, j;
	bool many = false;

	memset(out, 0, sizeof *out);
	for (i = 0; i < r->nseries && !many; i++)
		for (k = 0; k < r->series[i].nlabels; k++) {
			const char *nm = r->series[i].labels[k].name;

			for (j = 0; j < n && strcmp(names[j], nm) != 0; j++)
				;
			if (j < n)
				continue;
			if (n == MAX_NAMES) {
				many = true;
				break;
			}
			names[n++] = nm;
		}
	out->fits = r->nseries >= 2 && !many;
	/* __name__ first, then the others in name order (labels are sorted; names collected so). */
	for (j = 0; j < n; j++)
		if (strcmp(names[j], "__name__") == 0 && !common(r, names[j]))
			out->name[out->n++] = names[j];
	for (j = 0; j < n; j++) {
		if (strcmp(names[j], "__name__") == 0 || common(r, names[j]))
			continue;
		if (out->n == QUERY_MAX_COLS) {
			out->fits = false;
			break;
		}
		out->name[out->n++] = names[j];
	}
	if (out->n == 0)
		out->fits = false;
	/* keep the order stable whatever series came first: by name, __name__ first */
	for (i = 1; i < out->n; i++)
		for (j = i; j > 0 && strcmp(out->name[j - 1], "__name__") != 0 &&
			    strcmp(out->name[j - 1], out->name[j]) > 0;
		     j--) {
			const char *t = out->name[j];

			out->name[j] = out->name[j - 1];
			out->name[j - 1] = t;
		}
}

static void
put_label(struct buf *out, const struct prom_label *l, bool first)
{
	if (!first)
		buf_puts(out, ", ");
	buf_printf(out, "%s=\"%s\"", l->name, l->value);
}

/* name{...} of s's labels kept by keep (all when keep is NULL). */
static void
put_series(const struct prom_result *r, const struct prom_series *s,
	   bool (*keep)(const struct prom_result *, const char *), bool braces_always,
	   struct buf *out)
{
	const char *name = prom_label_get(s->labels, s->nlabels, "__name__");
	size_t k;
	bool first = true, any = false;

	if (name != NULL && (keep == NULL || keep(r, "__name__")))
		buf_puts(out, name);
	else
		name = NULL;
	for (k = 0; k < s->nlabels; k++) {
		if (strcmp(s->labels[k].name, "__name__") == 0 ||
		    (keep != NULL && !keep(r, s->labels[k].name)))
			continue;
		if (!any)
			buf_putc(out, '{');
		put_label(out, &s->labels[k], first);
		first = false;
		any = true;
	}
	if (any)
		buf_putc(out, '}');
	else if (name == NULL && braces_always)
		buf_puts(out, "{}");
}

static bool
keep_common(const struct prom_result *r, const char *name)
{
	return common(r, name);
}

static bool
keep_distinct(const struct prom_result *r, const char *name)
{
	return !common(r, name);
}

void
query_common_text(const struct prom_result *r, struct buf *out)
{
	if (r->nseries < 2)
		return;
	put_series(r, &r->series[0], keep_common, false, out);
}

void
query_series_text(const struct prom_result *r, const struct prom_series *s, bool skip_common,
		  struct buf *out)
{
	put_series(r, s, skip_common ? keep_distinct : NULL, true, out);
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum chart_unit
query_unit(const struct prom_result *r)
{
	const char *name;
	size_t i;

	if (r->nseries == 0)
		return CHART_UNIT_PLAIN;
	name = prom_label_get(r->series[0].labels, r->series[0].nlabels, "__name__");
	if (name == NULL)
		return CHART_UNIT_PLAIN;
	for (i = 1; i < r->nseries; i++) {
		const char *o =
			prom_label_get(r->series[i].labels, r->series[i].nlabels, "__name__");

		if (o == NULL || strcmp(o, name) != 0)
			return CHART_UNIT_PLAIN;
	}
	if (ends_with(name, "_bytes"))
		return CHART_UNIT_BYTES;
	if (ends_with(name, "_seconds"))
		return CHART_UNIT_SECONDS;
	if (ends_with(name, "_ratio"))
		return CHART_UNIT_RATIO;
	return CHART_UNIT_PLAIN;
}

/* printf's decimal point follows LC_NUMERIC: the console sets LC_ALL from the environment. */
static void
c_point(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == ',')
			*s = '.';
}

void
query_format_value(enum chart_unit unit, double v, char *out, size_t n)
{
	double a = fabs(v);
	int digits, decimals;
	char *p;

	if (n == 0)
		return;
	if (isnan(v)) {
		snprintf(out, n, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(out, n, v < 0 ? "-Inf" : "+Inf");
		return;
	}
	if (unit != CHART_UNIT_PLAIN) {
		chart_format_value(unit, v, out, n);
		c_point(out);
		return;
	}
	if (a >= 1e15 || (a < 1e-4 && a != 0)) {
		snprintf(out, n, "%.5g", v);
		c_point(out);
		return;
	}
	if (v == floor(v)) {
		snprintf(out, n, "%.0f", v);
		return;
	}
	digits = a >= 1 ? (int)floor(log10(a)) + 1 : 0;
	decimals = digits >= 6 ? 0 : 6 - digits;
	snprintf(out, n, "%.*f", decimals, v);
	c_point(out);
	p = strchr(out, '.');
	if (p != NULL) {
		char *e = out + strlen(out);

		while (e > p + 1 && e[-1] == '0')
			*--e = '\0';
		if (e == p + 1)
			*p = '\0';
	}
}

void
query_format_time(double t, char *out, size_t n)
{
	time_t tt = (time_t)floor(t);
	struct tm tm;

	if (n == 0)
		return;
	if (localtime_r(&tt, &tm) == NULL || strftime(out, n, "%H:%M:%S", &tm) == 0)
		snprintf(out, n, "?");
}

void
query_format_span(double s, char *out, size_t n)
{
	long v = lround(s);

	if (v >= 86400 && v % 86400 == 0)
		snprintf(out, n, "%ldd", v / 86400);
	else if (v >= 3600 && v % 3600 == 0)
		snprintf(out, n, "%ldh", v / 3600);
	else if (v >= 3600)
		snprintf(out, n, "%ldh%ldm", v / 3600, v % 3600 / 60);
	else if (v >= 60 && v % 60 == 0)
		snprintf(out, n, "%ldm", v / 60);
	else if (v >= 60)
		snprintf(out, n, "%ldm%lds", v / 60, v % 60);
	else
		snprintf(out, n, "%lds", v);
}
