/*
 * elasticsearch_parse.c - the parsers of search answers: hits, the
 * histogram and the errors per service (see elasticsearch.h).  Bodies
 * reach them through elasticsearch_load() (elasticsearch_error.c), which
 * has made the bytes safe and turned error bodies into messages.  Memory
 * is bounded per hit: every string kept is cut to max_message on a
 * character boundary.
 */
#include "elasticsearch.h"
#include "elasticsearch_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "xalloc.h"

/* A count: a non-negative integer (a real in range when integers overflowed), else 0. */
static long long
count_of(const json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? json_integer_value(v) : 0;
	if (json_is_real(v) && json_real_value(v) > 0 && json_real_value(v) < 9.2e18)
		return (long long)json_real_value(v);
	return 0;
}

/* hits.total: {"value": n, "relation": "eq"|"gte"} (7.x, 8.x, OpenSearch) or n (6.x style). */
static void
parse_total(const json_t *hits, long long *total, bool *lower_bound)
{
	const json_t *t = json_object_get(hits, "total");

	*total = -1;
	*lower_bound = false;
	if (json_is_object(t)) {
		const json_t *v = json_object_get(t, "value");
		const char *rel = elasticsearch_get_str(t, "relation");

		if (json_is_number(v)) {
			*total = count_of(v);
			*lower_bound = rel != NULL && strcmp(rel, "gte") == 0;
		}
	} else if (json_is_number(t)) {
		*total = count_of(t);
	}
}

/* ---- time -------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static int
num(const char **p, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/*
 * ISO 8601 as Elasticsearch writes and accepts it: YYYY-MM-DD, optionally
 * [T ]hh:mm[:ss[.,fraction]], then Z, +hh:mm, +hhmm, +hh or nothing (UTC).
 * Or epoch milliseconds as digits.  To unix seconds; returns 0 or -1.
 */
static int
parse_time(const char *s, double *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0;
	double frac = 0, scale = 0.1;
	const char *p = s;

	if (*p == '-' || isdigit((unsigned char)*p)) {
		const char *q = p + (*p == '-');

		while (isdigit((unsigned char)*q))
			q++;
		if (*q == '\0' && q - p > 5 && q - p < 20) {
			*out = strtod(s, NULL) / 1000.0;
			return 0;
		}
	}
	if (num(&p, 4, &y) < 0 || *p++ != '-' || num(&p, 2, &mo) < 0 || *p++ != '-' ||
	    num(&p, 2, &d) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (num(&p, 2, &h) < 0 || *p++ != ':' || num(&p, 2, &mi) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if (num(&p, 2, &sec) < 0)
				return -1;
			if (*p == '.' || *p == ',') {
				p++;
				if (!isdigit((unsigned char)*p))
					return -1;
				for (; isdigit((unsigned char)*p); p++) {
					frac += (*p - '0') * scale;
					scale /= 10;
				}
			}
		}
		if (h > 24 || mi > 59 || sec > 60)
			return -1;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '+' ? 1 : -1;

		if (num(&p, 2, &oh) < 0)
			return -1;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p) && num(&p, 2, &om) < 0)
			return -1;
		if (oh > 23 || om > 59)
			return -1;
		oh *= sign;
		om *= sign;
	}
	if (*p != '\0')
		return -1;
	*out = (double)days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400.0 + h * 3600.0 +
	       mi * 60.0 + sec + frac - (oh * 3600.0 + om * 60.0);
	return 0;
}

/* A sort value that is a real timestamp (not Long.MIN/MAX_VALUE for a missing field). */
static bool
sort_time(const json_t *v, double *ms)
{
	double x;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i == INT64_MIN || i == INT64_MAX)
			return false;
		x = (double)i;
	} else if (json_is_real(v)) {
		x = json_real_value(v);
	} else if (json_is_string(v)) {
		if (parse_time(json_string_value(v), &x) < 0)
			return false;
		x *= 1000.0;
	} else {
		return false;
	}
	if (!isfinite(x) || fabs(x) >= 9.2e18)
		return false;
	*ms = x;
	return true;
}

/* ---- fields ------------------------------------------------------------ */

/*
 * The value at a dotted path: {"log": {"level": x}}, {"log.level": x} and
 * {"log": {"level.x": ..}} mixes.  Borrowed, or NULL.
 */
/* obj[path[0..n)] (json_object_getn is jansson 2.14; field names are short). */
static const json_t *
getn(const json_t *obj, const char *path, size_t n)
{
	char key[256];

	if (n >= sizeof key)
		return NULL;
	memcpy(key, path, n);
	key[n] = '\0';
	return json_object_get(obj, key);
}

static const json_t *
get_path(const json_t *obj, const char *path, size_t n, int depth)
{
	const json_t *v;
	size_t i;

	if (!json_is_object(obj) || n == 0 || depth > 16)
		return NULL;
	v = getn(obj, path, n);
	if (v != NULL)
		return v;
	for (i = 1; i + 1 < n; i++) {
		if (path[i] != '.')
			continue;
		v = getn(obj, path, i);
		if (json_is_object(v)) {
			v = get_path(v, path + i + 1, n - i - 1, depth + 1);
			if (v != NULL)
				return v;
		}
	}
	return NULL;
}

/* new: a field's value as text, cut to max (0: all): strings as they are, others as JSON. */
static char *
field_text(const json_t *src, const char *path, size_t max, bool *cut)
{
	const json_t *v = get_path(src, path, strlen(path), 0);
	char *js, *p;

	if (cut != NULL)
		*cut = false;
	while (json_is_array(v) && json_array_size(v) == 1)
		v = json_array_get(v, 0);
	if (v == NULL || json_is_null(v))
		return xstrdup("");
	if (json_is_string(v))
		return elasticsearch_str_copy(json_string_value(v), json_string_length(v), max,
					      cut);
	js = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (js == NULL)
		return xstrdup("");
	p = elasticsearch_str_copy(js, strlen(js), max, cut);
	free(js);
	return p;
}

/* Cut every string value under j longer than max to max bytes + "…", in place. */
static void
cut_strings(json_t *j, size_t max)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_string(j) && json_string_length(j) > max) {
		size_t keep =
			elasticsearch_utf8_cut(json_string_value(j), json_string_length(j), max);
		char *s = xmalloc(keep + sizeof ES_ELLIPSIS);

		memcpy(s, json_string_value(j), keep);
		memcpy(s + keep, ES_ELLIPSIS, sizeof ES_ELLIPSIS);
		json_string_setn(j, s, keep + sizeof ES_ELLIPSIS - 1);
		free(s);
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
		{
			cut_strings(v, max);
		}
	} else if (json_is_array(j)) {
		for (i = 0; i < json_array_size(j); i++)
			cut_strings(json_array_get(j, i), max);
	}
}

/* ---- hits -------------------------------------------------------------- */

static void
hit_done(struct es_hit *h)
{
	free(h->index);
	free(h->id);
	free(h->level);
	free(h->service);
	free(h->message);
	free(h->trace_id);
	free(h->source);
	memset(h, 0, sizeof *h);
}

void
es_hits_done(struct es_hits *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++)
		hit_done(&h->hits[i]);
	free(h->hits);
	memset(h, 0, sizeof *h);
	h->total = -1;
}

/* The second sort value as compact JSON; false when it does not fit. */
static bool
tiebreak_text(const json_t *v, char *out, size_t n)
{
	char *js;
	size_t len;
	int w;

	if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)) &&
	    fabs(json_real_value(v)) < 9007199254740992.0) {
		/* an integer read as a real (after a numeric overflow elsewhere) */
		w = snprintf(out, n, "%.0f", json_real_value(v));
		return w > 0 && (size_t)w < n;
	}
	if (json_is_object(v) || json_is_array(v) || v == NULL)
		return false;
	js = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (js == NULL)
		return false;
	len = strlen(js);
	if (len >= n) {
		free(js);
		return false;
	}
	memcpy(out, js, len + 1);
	free(js);
	return true;
}

static int
parse_hit(json_t *j, const struct es_fields *f, size_t max_message, struct es_hit *h, struct err *e)
{
	const struct es_fields *d = elasticsearch_default_fields();
	json_t *src;
	const json_t *sort, *sv, *tsv;
	const char *s;
	double ms;
	char *js;

#define FIELD(x) (f->x != NULL && *f->x != '\0' ? f->x : d->x)
	if (!json_is_object(j))
		return err_set(e, ERR_PARSE, "elasticsearch: a hit is not an object");
	s = elasticsearch_get_str(j, "_index");
	h->index = elasticsearch_str_copy(s != NULL ? s : "", s != NULL ? strlen(s) : 0, 512, NULL);
	s = elasticsearch_get_str(j, "_id");
	h->id = elasticsearch_str_copy(s != NULL ? s : "", s != NULL ? strlen(s) : 0, 512, NULL);
	src = json_object_get(j, "_source");
	if (src != NULL && !json_is_object(src) && !json_is_null(src))
		return err_set(e, ERR_PARSE,
			       "elasticsearch: hit \"%.40s\" has a _source that is "
			       "not an object",
			       h->id);
	h->message = field_text(src, FIELD(message), max_message, &h->cut);
	h->level = field_text(src, FIELD(level), max_message, NULL);
	h->service = field_text(src, FIELD(service), max_message, NULL);
	h->trace_id = field_text(src, FIELD(trace_id), max_message, NULL);

	/*
	 * The cursor takes the sort values as they are, even Long.MIN_VALUE
	 * for a hit without a timestamp (paging must get past it); the time
	 * shown comes from a real sort value, else from the field.
	 */
	sort = json_object_get(j, "sort");
	sv = json_array_get(sort, 0);
	if (json_is_array(sort) && json_array_size(sort) >= 2 &&
	    (json_is_integer(sv) || sort_time(sv, &ms)) &&
	    tiebreak_text(json_array_get(sort, 1), h->cursor.tiebreak, sizeof h->cursor.tiebreak)) {
		h->cursor.set = true;
		if (json_is_integer(sv))
			h->cursor.t = (double)json_integer_value(sv);
		else
			h->cursor.t = ms;
	}
	if (sort_time(sv, &ms)) {
		h->t = ms / 1000.0;
	} else {
		tsv = get_path(src, FIELD(timestamp), strlen(FIELD(timestamp)), 0);
		while (json_is_array(tsv) && json_array_size(tsv) >= 1)
			tsv = json_array_get(tsv, 0);
		if (sort_time(tsv, &ms))
			h->t = ms / 1000.0;
	}
	if (!isfinite(h->t))
		h->t = 0;
	if (!h->cursor.set)
		h->cursor.tiebreak[0] = '\0';
#undef FIELD
	if (json_is_object(src)) {
		if (max_message > 0)
			cut_strings(src, max_message);
		js = json_dumps(src, JSON_COMPACT);
	} else {
		js = NULL;
	}
	h->source = js != NULL ? xstrdup(js) : xstrdup("{}");
	free(js);
	return 0;
}

int
elasticsearch_parse_hits(long status, const char *body, size_t len, const struct es_fields *f,
			 size_t max_message, struct es_hits *out, struct err *e)
{
	json_t *root, *arr;
	const json_t *hits, *took;
	size_t i, n;

	memset(out, 0, sizeof *out);
	out->total = -1;
	if (f == NULL)
		f = elasticsearch_default_fields();
	root = elasticsearch_load(status, body, len, e);
	if (root == NULL)
		return -1;
	hits = json_object_get(root, "hits");
	arr = json_object_get(hits, "hits");
	if (!json_is_object(hits) || (arr != NULL && !json_is_array(arr))) {
		json_decref(root);
		return err_set(e, ERR_PARSE,
			       "elasticsearch: the answer has no \"hits\" — not a search "
			       "response? check [elasticsearch] url");
	}
	parse_total(hits, &out->total, &out->total_is_lower_bound);
	took = json_object_get(root, "took");
	out->took_ms = json_is_integer(took) ? (long)json_integer_value(took) : 0;
	n = json_array_size(arr);
	if (n > 0)
		out->hits = xcalloc(n, sizeof *out->hits);
	for (i = 0; i < n; i++) {
		out->n++;
		if (parse_hit(json_array_get(arr, i), f, max_message, &out->hits[i], e) < 0) {
			es_hits_done(out);
			json_decref(root);
			return -1;
		}
	}
	json_decref(root);
	return 0;
}

/* ---- aggregations ------------------------------------------------------ */

/* An aggregation by name, also under typed_keys ("date_histogram#hist"). */
static const json_t *
get_agg(const json_t *aggs, const char *name)
{
	const char *k;
	json_t *v;
	size_t n = strlen(name);

	if (!json_is_object(aggs))
		return NULL;
	v = json_object_get(aggs, name);
	if (v != NULL)
		return v;
	json_object_foreach((json_t *)aggs, k, v)
	{
		const char *hash = strchr(k, '#');

		if (hash != NULL && strlen(hash + 1) == n && strcmp(hash + 1, name) == 0)
			return v;
	}
	return NULL;
}

/* The buckets array of aggregation name in a 2xx answer, or NULL with e filled. */
static const json_t *
agg_buckets(const json_t *root, const char *name, const json_t **agg, struct err *e)
{
	const json_t *a = get_agg(json_object_get(root, "aggregations"), name), *b;

	b = json_object_get(a, "buckets");
	if (!json_is_array(b)) {
		err_set(e, ERR_PARSE,
			"elasticsearch: the answer has no \"aggregations.%s.buckets\" array — not "
			"an answer to opsdeck's request? check [elasticsearch] url",
			name);
		return NULL;
	}
	*agg = a;
	return b;
}

void
es_histogram_done(struct es_histogram *h)
{
	if (h == NULL)
		return;
	free(h->buckets);
	memset(h, 0, sizeof *h);
	h->total = -1;
}

int
elasticsearch_parse_histogram(long status, const char *body, size_t len, struct es_histogram *out,
			      struct err *e)
{
	json_t *root;
	const json_t *agg = NULL, *buckets, *meta;
	size_t i, n;

	memset(out, 0, sizeof *out);
	out->total = -1;
	root = elasticsearch_load(status, body, len, e);
	if (root == NULL)
		return -1;
	buckets = agg_buckets(root, "hist", &agg, e);
	if (buckets == NULL) {
		json_decref(root);
		return -1;
	}
	parse_total(json_object_get(root, "hits"), &out->total, &out->total_is_lower_bound);
	n = json_array_size(buckets);
	if (n > 0)
		out->buckets = xcalloc(n, sizeof *out->buckets);
	for (i = 0; i < n; i++) {
		const json_t *b = json_array_get(buckets, i), *key;

		key = json_object_get(b, "key");
		if (!json_is_number(key) || !isfinite(json_number_value(key))) {
			es_histogram_done(out);
			json_decref(root);
			return err_set(e, ERR_PARSE,
				       "elasticsearch: histogram bucket %zu has no numeric \"key\"",
				       i);
		}
		out->buckets[i].t = json_number_value(key) / 1000.0;
		out->buckets[i].count = count_of(json_object_get(b, "doc_count"));
		out->buckets[i].errors =
			count_of(json_object_get(get_agg(b, "errors"), "doc_count"));
		out->n++;
	}
	meta = json_object_get(json_object_get(agg, "meta"), "interval_s");
	if (json_is_number(meta) && json_number_value(meta) > 0 &&
	    isfinite(json_number_value(meta)))
		out->interval = json_number_value(meta);
	else if (out->n >= 2 && out->buckets[1].t > out->buckets[0].t)
		out->interval = out->buckets[1].t - out->buckets[0].t;
	json_decref(root);
	return 0;
}

void
es_service_counts_free(struct es_service_count *c, size_t n)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < n; i++)
		free(c[i].service);
	free(c);
}

int
elasticsearch_parse_errors(long status, const char *body, size_t len, struct es_service_count **out,
			   size_t *n, struct err *e)
{
	json_t *root;
	const json_t *agg = NULL, *buckets;
	struct es_service_count *c = NULL;
	size_t i, cnt = 0;

	*out = NULL;
	*n = 0;
	root = elasticsearch_load(status, body, len, e);
	if (root == NULL)
		return -1;
	buckets = agg_buckets(root, "services", &agg, e);
	if (buckets == NULL) {
		json_decref(root);
		return -1;
	}
	if (json_array_size(buckets) > 0)
		c = xcalloc(json_array_size(buckets), sizeof *c);
	for (i = 0; i < json_array_size(buckets); i++) {
		const json_t *b = json_array_get(buckets, i), *key = json_object_get(b, "key");

		if (json_is_string(key)) {
			c[cnt].service = elasticsearch_str_copy(json_string_value(key),
								json_string_length(key), 512, NULL);
		} else if (json_is_number(key) || json_is_boolean(key)) {
			char *js = json_dumps(key, JSON_COMPACT | JSON_ENCODE_ANY);

			c[cnt].service = xstrdup(js != NULL ? js : "");
			free(js);
		} else {
			es_service_counts_free(c, cnt);
			json_decref(root);
			return err_set(e, ERR_PARSE,
				       "elasticsearch: service bucket %zu has no \"key\"", i);
		}
		c[cnt].count = count_of(json_object_get(b, "doc_count"));
		cnt++;
	}
	json_decref(root);
	if (cnt == 0) {
		free(c);
		c = NULL;
	}
	*out = c;
	*n = cnt;
	return 0;
}
