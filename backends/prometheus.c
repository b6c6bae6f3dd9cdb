/*
 * prometheus.c - request paths, response parsers and query presets for the
 * Prometheus HTTP API (v1).
 *
 * Parsers never trust the body: any HTTP status, non-JSON bodies (an HTML
 * page from a proxy), truncated JSON and wrong types all end in a message
 * that says what arrived and what to check.  Sample values are strings in
 * the API ("1.5", "NaN", "+Inf"); they are converted in the C locale so a
 * German LC_NUMERIC set by the terminal UI cannot turn "1.5" into 1.
 */
#include "prometheus.h"
#include "prometheus_internal.h"

#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "http.h"
#include "xalloc.h"

/* ---- builders ---------------------------------------------------------- */

/* buf_steal re-initialises the buffer; a builder's local buffer is done with. */
static char *
steal(struct buf *b)
{
	char *p = buf_steal(b);

	buf_done(b);
	return p;
}

/*
 * Format unix seconds with millisecond precision without printf's %f, whose
 * decimal point follows LC_NUMERIC.
 */
static void
put_seconds(struct buf *b, double s)
{
	long long ms;

	if (!isfinite(s))
		s = 0;
	ms = llround(s * 1000.0);
	if (ms < 0) {
		buf_putc(b, '-');
		ms = -ms;
	}
	buf_printf(b, "%lld", ms / 1000);
	if (ms % 1000 != 0)
		buf_printf(b, ".%03lld", ms % 1000);
}

static void
put_query(struct buf *b, const char *promql)
{
	char *enc = http_urlencode(promql != NULL ? promql : "");

	buf_puts(b, "query=");
	buf_puts(b, enc);
	free(enc);
}

char *
prometheus_query_path(const char *promql, double t)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "/api/v1/query?");
	put_query(&b, promql);
	if (t > 0) {
		buf_puts(&b, "&time=");
		put_seconds(&b, t);
	}
	return steal(&b);
}

char *
prometheus_range_path(const char *promql, double start, double end, double step)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "/api/v1/query_range?");
	put_query(&b, promql);
	buf_puts(&b, "&start=");
	put_seconds(&b, start);
	buf_puts(&b, "&end=");
	put_seconds(&b, end);
	buf_puts(&b, "&step=");
	put_seconds(&b, step > 0 ? step : 1);
	return steal(&b);
}

char *
prometheus_alerts_path(void)
{
	return xstrdup("/api/v1/alerts");
}

char *
prometheus_targets_path(void)
{
	return xstrdup("/api/v1/targets");
}

/* ---- envelope ---------------------------------------------------------- */

static int
not_json_error(long status, const char *body, size_t len, struct err *e)
{
	char snip[128];

	http_body_excerpt(body, len, 40, HTTP_EXCERPT_UTF8, snip, sizeof snip);
	if (status == 401 || status == 403)
		return err_set(
			e, ERR_AUTH,
			"prometheus: HTTP %ld%s (body starts with '%s') — check the credentials "
			"in [prometheus] (token_file, username, password)",
			status, http_status_reason(status), snip);
	if (len == 0)
		return err_set(e, ERR_PARSE,
			       "prometheus: HTTP %ld%s with an empty body — check [prometheus] url "
			       "points at the Prometheus API",
			       status, http_status_reason(status));
	return err_set(e, ERR_PARSE,
		       "prometheus: HTTP %ld with a non-JSON body (starts with '%s') — check "
		       "[prometheus] url points at the Prometheus API",
		       status, snip);
}

/*
 * Load a response and check its envelope.  Returns the root (new) with
 * status "success" and a 2xx HTTP status, or NULL with e filled: the
 * server's errorType and error verbatim for an error body, else what
 * arrived instead of the API's JSON.
 */
json_t *
prometheus_load_envelope(long status, const char *body, size_t len, struct err *e)
{
	json_error_t jerr;
	json_t *root, *st, *type, *msg;
	size_t i = 0;

	if (body == NULL)
		len = 0;
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	if (i == len || (body[i] != '{' && body[i] != '['))
		return not_json_error(status, body, len, e), NULL;
	root = json_loadb(body, len, 0, &jerr);
	if (root == NULL) {
		if (status < 200 || status > 299)
			return not_json_error(status, body, len, e), NULL;
		err_set(e, ERR_PARSE,
			"prometheus: malformed JSON in HTTP %ld response (line %d column %d: %s) — "
			"truncated by a proxy? check [prometheus] url",
			status, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	st = json_object_get(root, "status");
	if (!json_is_string(st)) {
		err_set(e, ERR_PARSE,
			"prometheus: HTTP %ld%s: the JSON body has no \"status\" field — not a "
			"Prometheus API response? check [prometheus] url",
			status, http_status_reason(status));
		json_decref(root);
		return NULL;
	}
	if (strcmp(json_string_value(st), "error") == 0) {
		type = json_object_get(root, "errorType");
		msg = json_object_get(root, "error");
		err_set(e,
			json_is_string(type) && strcmp(json_string_value(type), "timeout") == 0
				? ERR_TIMEOUT
				: ERR_BACKEND,
			"prometheus: %s: %s",
			json_is_string(type) ? json_string_value(type) : "error",
			json_is_string(msg) ? json_string_value(msg) : "(no message)");
		json_decref(root);
		return NULL;
	}
	if (strcmp(json_string_value(st), "success") != 0) {
		err_set(e, ERR_PARSE, "prometheus: HTTP %ld: unexpected status \"%.40s\"", status,
			json_string_value(st));
		json_decref(root);
		return NULL;
	}
	if (status < 200 || status > 299) {
		err_set(e, ERR_HTTP,
			"prometheus: HTTP %ld%s with a success body — check [prometheus] url",
			status, http_status_reason(status));
		json_decref(root);
		return NULL;
	}
	return root;
}

/* ---- values ------------------------------------------------------------ */

/* Parse a sample value string in the C locale.  Returns 0 or -1. */
int
prometheus_parse_value(const char *s, double *out)
{
	char *end;
	locale_t c, old = (locale_t)0;

	if (strcmp(s, "NaN") == 0) {
		*out = NAN;
		return 0;
	}
	if (strcmp(s, "+Inf") == 0 || strcmp(s, "Inf") == 0) {
		*out = INFINITY;
		return 0;
	}
	if (strcmp(s, "-Inf") == 0) {
		*out = -INFINITY;
		return 0;
	}
	if (*s == '\0' || isspace((unsigned char)*s))
		return -1;
	c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c != (locale_t)0)
		old = uselocale(c);
	*out = strtod(s, &end);
	if (c != (locale_t)0) {
		uselocale(old);
		freelocale(c);
	}
	return *end == '\0' ? 0 : -1;
}

/* [t, "v"] */
static int
parse_sample(const json_t *j, struct prom_sample *out, struct err *e)
{
	const json_t *t, *v;

	if (!json_is_array(j) || json_array_size(j) != 2)
		return err_set(e, ERR_PARSE, "prometheus: a sample is not a [time, value] pair");
	t = json_array_get(j, 0);
	v = json_array_get(j, 1);
	if (!json_is_number(t))
		return err_set(e, ERR_PARSE, "prometheus: a sample time is not a number");
	if (!json_is_string(v))
		return err_set(e, ERR_PARSE, "prometheus: a sample value is not a string");
	out->t = json_number_value(t);
	if (prometheus_parse_value(json_string_value(v), &out->v) < 0)
		return err_set(e, ERR_PARSE, "prometheus: sample value \"%.40s\" is not a number",
			       json_string_value(v));
	return 0;
}

static int
label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct prom_label *)a)->name, ((const struct prom_label *)b)->name);
}

void
prometheus_labels_free(struct prom_label *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(l[i].name);
		free(l[i].value);
	}
	free(l);
}

/* {"name": "value", ...} -> sorted labels (new).  NULL object = no labels. */
int
prometheus_parse_labels(const json_t *obj, const char *what, struct prom_label **out, size_t *n,
			struct err *e)
{
	const char *k;
	json_t *v;
	struct prom_label *l;
	size_t i = 0;

	*out = NULL;
	*n = 0;
	if (obj == NULL || json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return err_set(e, ERR_PARSE, "prometheus: %s is not an object", what);
	if (json_object_size(obj) == 0)
		return 0;
	l = xcalloc(json_object_size(obj), sizeof *l);
	json_object_foreach((json_t *)obj, k, v)
	{
		if (!json_is_string(v)) {
			prometheus_labels_free(l, i);
			return err_set(e, ERR_PARSE, "prometheus: %s \"%.40s\" is not a string",
				       what, k);
		}
		l[i].name = xstrdup(k);
		l[i].value = xstrndup(json_string_value(v), json_string_length(v));
		i++;
	}
	qsort(l, i, sizeof *l, label_cmp);
	*out = l;
	*n = i;
	return 0;
}

const char *
prom_label_get(const struct prom_label *l, size_t n, const char *name)
{
	size_t i;

	if (l == NULL || name == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (strcmp(l[i].name, name) == 0)
			return l[i].value;
	return NULL;
}

/* ---- query results ----------------------------------------------------- */

static void
series_done(struct prom_series *s)
{
	prometheus_labels_free(s->labels, s->nlabels);
	free(s->samples);
	free(s->string);
	memset(s, 0, sizeof *s);
}

void
prometheus_result_done(struct prom_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nseries; i++)
		series_done(&r->series[i]);
	free(r->series);
	for (i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof *r);
}

/* One element of a vector or matrix result. */
static int
parse_series(const json_t *j, bool matrix, struct prom_series *s, struct err *e)
{
	const json_t *vals;
	size_t i, n;

	if (!json_is_object(j))
		return err_set(e, ERR_PARSE, "prometheus: a series is not an object");
	if (prometheus_parse_labels(json_object_get(j, "metric"), "label", &s->labels, &s->nlabels,
				    e) < 0)
		return -1;
	if (!matrix) {
		vals = json_object_get(j, "value");
		if (vals == NULL && json_object_get(j, "histogram") != NULL) {
			/* native histogram sample: no float value to show */
			s->samples = xmalloc(sizeof *s->samples);
			s->samples[0].t = 0;
			s->samples[0].v = NAN;
			s->nsamples = 1;
			return 0;
		}
		s->samples = xmalloc(sizeof *s->samples);
		s->nsamples = 1;
		return parse_sample(vals, &s->samples[0], e);
	}
	vals = json_object_get(j, "values");
	if (vals == NULL)
		return 0; /* histograms only */
	if (!json_is_array(vals))
		return err_set(e, ERR_PARSE, "prometheus: \"values\" is not an array");
	n = json_array_size(vals);
	if (n == 0)
		return 0;
	s->samples = xcalloc(n, sizeof *s->samples);
	for (i = 0; i < n; i++) {
		if (parse_sample(json_array_get(vals, i), &s->samples[i], e) < 0)
			return -1;
		s->nsamples++;
	}
	return 0;
}

static int
parse_warnings(const json_t *root, struct prom_result *out)
{
	const json_t *w = json_object_get(root, "warnings");
	size_t i;

	if (!json_is_array(w) || json_array_size(w) == 0)
		return 0;
	out->warnings = xcalloc(json_array_size(w), sizeof *out->warnings);
	for (i = 0; i < json_array_size(w); i++) {
		const json_t *s = json_array_get(w, i);

		if (json_is_string(s))
			out->warnings[out->nwarnings++] = xstrdup(json_string_value(s));
	}
	return 0;
}

static int
parse_result(const json_t *data, struct prom_result *out, struct err *e)
{
	const json_t *rt, *res;
	const char *type;
	size_t i, n;

	if (!json_is_object(data))
		return err_set(e, ERR_PARSE, "prometheus: response has no \"data\" object");
	rt = json_object_get(data, "resultType");
	res = json_object_get(data, "result");
	if (!json_is_string(rt))
		return err_set(e, ERR_PARSE, "prometheus: response has no \"resultType\"");
	type = json_string_value(rt);
	if (strcmp(type, "vector") == 0 || strcmp(type, "matrix") == 0) {
		bool matrix = type[0] == 'm';

		out->type = matrix ? PROM_MATRIX : PROM_VECTOR;
		if (res == NULL || json_is_null(res))
			return 0;
		if (!json_is_array(res))
			return err_set(e, ERR_PARSE, "prometheus: %s result is not an array", type);
		n = json_array_size(res);
		if (n == 0)
			return 0;
		out->series = xcalloc(n, sizeof *out->series);
		for (i = 0; i < n; i++) {
			out->nseries++;
			if (parse_series(json_array_get(res, i), matrix, &out->series[i], e) < 0)
				return -1;
		}
		return 0;
	}
	if (strcmp(type, "scalar") == 0 || strcmp(type, "string") == 0) {
		struct prom_series *s;

		out->type = type[1] == 'c' ? PROM_SCALAR : PROM_STRING;
		if (!json_is_array(res) || json_array_size(res) != 2)
			return err_set(e, ERR_PARSE,
				       "prometheus: %s result is not a [time, value] pair", type);
		out->series = s = xcalloc(1, sizeof *s);
		out->nseries = 1;
		s->samples = xcalloc(1, sizeof *s->samples);
		s->nsamples = 1;
		if (out->type == PROM_SCALAR)
			return parse_sample(res, &s->samples[0], e);
		if (!json_is_number(json_array_get(res, 0)) ||
		    !json_is_string(json_array_get(res, 1)))
			return err_set(e, ERR_PARSE,
				       "prometheus: string result is not [time, \"text\"]");
		s->samples[0].t = json_number_value(json_array_get(res, 0));
		s->samples[0].v = NAN;
		s->string = xstrndup(json_string_value(json_array_get(res, 1)),
				     json_string_length(json_array_get(res, 1)));
		return 0;
	}
	return err_set(e, ERR_PARSE, "prometheus: unknown resultType \"%.40s\"", type);
}

int
prometheus_parse_query(long status, const char *body, size_t len, struct prom_result *out,
		       struct err *e)
{
	json_t *root;

	memset(out, 0, sizeof *out);
	root = prometheus_load_envelope(status, body, len, e);
	if (root == NULL)
		return -1;
	if (parse_result(json_object_get(root, "data"), out, e) < 0) {
		prometheus_result_done(out);
		json_decref(root);
		return -1;
	}
	parse_warnings(root, out);
	json_decref(root);
	return 0;
}
