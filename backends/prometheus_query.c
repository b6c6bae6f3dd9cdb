/*
 * prometheus_query.c - ranking, bounding and error positions of ad-hoc
 * query answers.
 *
 * The parser keeps everything the server sent; the Query screen shows a
 * user's expression, which may match thousands of series with thousands
 * of points each.  What is kept is bounded here, after the highest-valued
 * series are put first, so the cap drops the least interesting ones.
 */
#include "prometheus_query.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

double
prometheus_series_last(const struct prom_series *s)
{
	size_t i;

	if (s == NULL || s->nsamples == 0 || s->samples == NULL)
		return NAN;
	for (i = s->nsamples; i > 0; i--)
		if (!isnan(s->samples[i - 1].v))
			return s->samples[i - 1].v;
	return s->samples[s->nsamples - 1].v;
}

static int
labels_cmp(const struct prom_series *a, const struct prom_series *b)
{
	size_t i;
	int c;

	for (i = 0; i < a->nlabels && i < b->nlabels; i++) {
		c = strcmp(a->labels[i].name, b->labels[i].name);
		if (c == 0)
			c = strcmp(a->labels[i].value, b->labels[i].value);
		if (c != 0)
			return c;
	}
	return a->nlabels < b->nlabels ? -1 : a->nlabels > b->nlabels ? 1 : 0;
}

static int
series_cmp(const void *pa, const void *pb)
{
	const struct prom_series *a = pa, *b = pb;
	double va = prometheus_series_last(a), vb = prometheus_series_last(b);

	if (isnan(va) != isnan(vb))
		return isnan(va) ? 1 : -1;
	if (!isnan(va) && va != vb)
		return va > vb ? -1 : 1;
	return labels_cmp(a, b);
}

void
prometheus_result_sort(struct prom_result *r)
{
	if (r == NULL || r->nseries < 2 || (r->type != PROM_VECTOR && r->type != PROM_MATRIX))
		return;
	qsort(r->series, r->nseries, sizeof *r->series, series_cmp);
}

size_t
prometheus_result_cap(struct prom_result *r, size_t max_series, size_t max_points)
{
	size_t before, i;

	if (r == NULL)
		return 0;
	before = r->nseries;
	if (max_series > 0 && r->nseries > max_series) {
		for (i = max_series; i < r->nseries; i++) {
			struct prom_series *s = &r->series[i];
			size_t k;

			for (k = 0; k < s->nlabels; k++) {
				free(s->labels[k].name);
				free(s->labels[k].value);
			}
			free(s->labels);
			free(s->samples);
			free(s->string);
		}
		r->nseries = max_series;
	}
	if (max_points > 0)
		for (i = 0; i < r->nseries; i++) {
			struct prom_series *s = &r->series[i];

			if (s->nsamples > max_points) {
				memmove(s->samples, s->samples + (s->nsamples - max_points),
					max_points * sizeof *s->samples);
				s->nsamples = max_points;
			}
		}
	return before;
}

/* A run of decimal digits at *p (at most 9): its value, *p moved past it; -1 when none. */
static long
digits(const char **p)
{
	long v = 0;
	int n = 0;

	while (isdigit((unsigned char)**p)) {
		if (++n > 9)
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return n > 0 ? v : -1;
}

/* "LINE:COL: parse error" starting at p (p at the first digit). */
static bool
match_line_col(const char *p, long *line, long *col)
{
	*line = digits(&p);
	if (*line < 0 || *p++ != ':')
		return false;
	*col = digits(&p);
	if (*col < 0 || *p++ != ':')
		return false;
	return strncmp(p, " parse error", 12) == 0;
}

/* The position in msg, as line and column from 1; false when none. */
static bool
find_position(const char *msg, long *line, long *col)
{
	const char *p;

	for (p = msg; *p != '\0'; p++)
		if (isdigit((unsigned char)*p) && (p == msg || !isdigit((unsigned char)p[-1])) &&
		    match_line_col(p, line, col))
			return true;
	p = strstr(msg, "parse error at ");
	if (p == NULL)
		return false;
	p += strlen("parse error at ");
	*line = 1;
	if (strncmp(p, "line ", 5) == 0) {
		p += 5;
		*line = digits(&p);
		if (*line < 0 || strncmp(p, ", ", 2) != 0)
			return false;
		p += 2;
	}
	if (strncmp(p, "char ", 5) != 0)
		return false;
	p += 5;
	*col = digits(&p);
	return *col >= 0;
}

int
prometheus_error_offset(const char *msg, const char *expr, size_t *offset)
{
	long line, col;
	size_t start = 0, len, end;

	if (msg == NULL || expr == NULL || !find_position(msg, &line, &col) || line < 1 || col < 1)
		return -1;
	len = strlen(expr);
	for (; line > 1; line--) {
		const char *nl = memchr(expr + start, '\n', len - start);

		if (nl == NULL)
			return -1;
		start = (size_t)(nl - expr) + 1;
	}
	end = start + strcspn(expr + start, "\n");
	if ((size_t)col - 1 > end - start)
		return -1;
	*offset = start + (size_t)col - 1;
	return 0;
}
