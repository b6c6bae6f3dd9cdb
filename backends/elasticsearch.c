/*
 * elasticsearch.c - request builders, the error-level vocabulary and the
 * read-only allow-list of the Elasticsearch / OpenSearch search API (see
 * elasticsearch.h).  Parsers are in elasticsearch_parse.c, the query_string
 * tokenizer for highlighting in elasticsearch_terms.c.
 *
 * Bodies are built with jansson and dumped compact, so quoting of the
 * user's query and of field names is jansson's, never ours.  Times go out
 * as integers of epoch milliseconds, which no LC_NUMERIC can disturb.
 */
#include "elasticsearch.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "http.h"
#include "xalloc.h"

static const struct es_fields ecs = {
	.timestamp = "@timestamp",
	.message = "message",
	.level = "log.level",
	.service = "service.name",
	.trace_id = "trace.id",
	.tiebreak = "_doc",
};

const struct es_fields *
elasticsearch_default_fields(void)
{
	return &ecs;
}

static const char *
or_default(const char *v, const char *dflt)
{
	return v != NULL && *v != '\0' ? v : dflt;
}

/* ---- error levels ------------------------------------------------------ */

/* Lowercase; the request lists each also in upper and capitalised case. */
static const char *const error_levels[] = {
	"error", "err",       "fatal", "critical", "crit",
	"emerg", "emergency", "alert", "panic",    "severe",
};
#define NLEVELS (sizeof error_levels / sizeof error_levels[0])

bool
elasticsearch_level_is_error(const char *level)
{
	size_t i;

	if (level == NULL)
		return false;
	for (i = 0; i < NLEVELS; i++)
		if (strcasecmp(level, error_levels[i]) == 0)
			return true;
	return false;
}

/* {"terms": {LEVEL: ["error", "ERROR", "Error", ...]}} (new) */
static json_t *
error_levels_filter(const char *field)
{
	json_t *vals = json_array();
	size_t i, k;

	for (i = 0; i < NLEVELS; i++) {
		char up[16], cap[16];
		size_t n = strlen(error_levels[i]);

		for (k = 0; k <= n; k++)
			up[k] = (char)toupper((unsigned char)error_levels[i][k]);
		memcpy(cap, error_levels[i], n + 1);
		cap[0] = up[0];
		json_array_append_new(vals, json_string(error_levels[i]));
		json_array_append_new(vals, json_string(up));
		json_array_append_new(vals, json_string(cap));
	}
	return json_pack("{s:{s:o}}", "terms", field, vals);
}

/* ---- common pieces ----------------------------------------------------- */

static long long
millis(double s)
{
	if (!isfinite(s))
		return 0;
	if (s > 9.2e15)
		s = 9.2e15;
	if (s < -9.2e15)
		s = -9.2e15;
	return llround(s * 1000.0);
}

/*
 * "/INDEX/_search" (new), or NULL with e filled for an index that would
 * change the path's meaning ("..", a leading '_' other than _all, a '/').
 */
static char *
search_path(const char *index, struct err *e)
{
	struct buf b;
	char *enc, *p;

	index = or_default(index, "logs-*");
	if (strcmp(index, ".") == 0 || strcmp(index, "..") == 0 ||
	    (index[0] == '_' && strcmp(index, "_all") != 0) || strchr(index, '/') != NULL) {
		err_set(e, ERR_USAGE,
			"elasticsearch: index \"%.60s\" is not an index name or pattern — check "
			"[elasticsearch] index",
			index);
		return NULL;
	}
	enc = http_urlencode(index);
	buf_init(&b);
	buf_putc(&b, '/');
	for (p = enc; *p != '\0'; p++) {
		/* keep what index patterns are made of readable: * , : */
		if (p[0] == '%' && p[1] == '2' && (p[2] == 'A' || p[2] == 'C')) {
			buf_putc(&b, p[2] == 'A' ? '*' : ',');
			p += 2;
		} else if (p[0] == '%' && p[1] == '3' && p[2] == 'A') {
			buf_putc(&b, ':');
			p += 2;
		} else {
			buf_putc(&b, *p);
		}
	}
	free(enc);
	buf_puts(&b, "/_search");
	p = buf_steal(&b);
	buf_done(&b);
	return p;
}

/* {"range": {TS: {"gte": from, ["lte": to,] "format": "epoch_millis"}}} (new) */
static json_t *
time_range(const char *ts, double from, double to)
{
	json_t *r = json_object();

	json_object_set_new(r, "gte", json_integer(millis(from)));
	if (to > 0)
		json_object_set_new(r, "lte", json_integer(millis(to)));
	json_object_set_new(r, "format", json_string("epoch_millis"));
	return json_pack("{s:{s:o}}", "range", ts, r);
}

/* The bool filter of a time range and an optional query_string (new). */
static json_t *
filtered_query(const struct es_fields *f, const char *query, double from, double to)
{
	json_t *filter = json_array();

	json_array_append_new(filter,
			      time_range(or_default(f->timestamp, ecs.timestamp), from, to));
	if (query != NULL) {
		const char *q = query;

		while (isspace((unsigned char)*q))
			q++;
		if (*q != '\0')
			json_array_append_new(filter, json_pack("{s:{s:s,s:s,s:b}}", "query_string",
								"query", query, "default_operator",
								"OR", "analyze_wildcard", 1));
	}
	return json_pack("{s:{s:o}}", "bool", "filter", filter);
}

/* Dump root (stolen) into *body; path stolen into *path.  Returns 0 or -1. */
static int
finish(json_t *root, char *path, char **out_path, char **out_body, struct err *e)
{
	char *js = json_dumps(root, JSON_COMPACT);

	json_decref(root);
	if (js == NULL) {
		free(path);
		return err_set(e, ERR_USAGE,
			       "elasticsearch: cannot encode the request (a field name or the "
			       "query is not UTF-8?)");
	}
	*out_body = js; /* jansson's default allocator is malloc */
	*out_path = path;
	return 0;
}

/*
 * Clear the outputs and check that the strings going into the body are
 * UTF-8 (jansson refuses anything else, and a refused query must not
 * silently become "everything").  Returns 0 or -1 with e filled.
 */
static int
start(char **path, char **body, const struct es_fields *f, const char *query, struct err *e)
{
	const char *const strs[] = { query,      f->timestamp, f->message, f->level,
				     f->service, f->trace_id,  f->tiebreak };
	size_t i;

	*path = NULL;
	*body = NULL;
	for (i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		json_t *t;

		if (strs[i] == NULL)
			continue;
		t = json_string(strs[i]);
		if (t == NULL)
			return err_set(e, ERR_USAGE,
				       i == 0 ? "elasticsearch: the query is not valid UTF-8"
					      : "elasticsearch: a field name in [elasticsearch] is "
						"not valid UTF-8");
		json_decref(t);
	}
	return 0;
}

/* The cursor's sort values: [t, tiebreak] (new), or NULL when the tiebreak is not JSON. */
static json_t *
cursor_values(const struct es_cursor *c)
{
	json_t *tb, *t;

	tb = json_loads(c->tiebreak, JSON_DECODE_ANY, NULL);
	if (tb == NULL || json_is_object(tb) || json_is_array(tb)) {
		json_decref(tb);
		return NULL;
	}
	if (isfinite(c->t) && c->t == floor(c->t) && fabs(c->t) < 9.2e18)
		t = json_integer((json_int_t)c->t);
	else if (isfinite(c->t) && c->t >= 9.2e18)
		t = json_integer(INT64_MAX);
	else if (isfinite(c->t) && c->t <= -9.2e18)
		t = json_integer(INT64_MIN);
	else
		t = json_real(isfinite(c->t) ? c->t : 0);
	return json_pack("[oo]", t, tb);
}

/* ---- builders ---------------------------------------------------------- */

int
elasticsearch_search_request(const char *index, const struct es_fields *f,
			     const struct es_search *s, char **path, char **body, struct err *e)
{
	const char *ts, *tb, *order;
	json_t *root, *sort, *after = NULL;
	const struct es_cursor *from = NULL;
	char *p;

	if (f == NULL)
		f = &ecs;
	if (start(path, body, f, s->query, e) < 0)
		return -1;
	if (s->size < 1 || s->size > 10000)
		return err_set(e, ERR_USAGE, "elasticsearch: page size %zu is not within 1..10000",
			       s->size);
	if (s->after.set && s->newer.set)
		return err_set(e, ERR_USAGE,
			       "elasticsearch: a search pages either older or newer, not both");
	if (s->to > 0 && s->to < s->from)
		return err_set(e, ERR_USAGE, "elasticsearch: the time range ends before it starts");
	from = s->newer.set ? &s->newer : s->after.set ? &s->after : NULL;
	if (from != NULL) {
		after = cursor_values(from);
		if (after == NULL)
			return err_set(e, ERR_USAGE,
				       "elasticsearch: cursor tiebreak \"%.40s\" is not a JSON "
				       "number or string",
				       from->tiebreak);
	}
	p = search_path(index, e);
	if (p == NULL) {
		json_decref(after);
		return -1;
	}
	ts = or_default(f->timestamp, ecs.timestamp);
	tb = or_default(f->tiebreak, ecs.tiebreak);
	order = s->newer.set ? "asc" : "desc";
	sort = json_pack("[{s:{s:s,s:s,s:s}},{s:{s:s}}]", ts, "order", order, "unmapped_type",
			 "date", "numeric_type", "date", tb, "order", order);
	root = json_object();
	json_object_set_new(root, "size", json_integer((json_int_t)s->size));
	json_object_set_new(root, "track_total_hits",
			    s->track_total ? json_integer(10000) : json_false());
	json_object_set_new(root, "_source", json_true());
	json_object_set_new(root, "query", filtered_query(f, s->query, s->from, s->to));
	json_object_set_new(root, "sort", sort);
	if (after != NULL)
		json_object_set_new(root, "search_after", after);
	return finish(root, p, path, body, e);
}

int
elasticsearch_histogram_request(const char *index, const struct es_fields *f, const char *query,
				double from, double to, size_t buckets, char **path, char **body,
				struct err *e)
{
	json_t *root, *hist, *dh;
	double span;
	long long interval;
	char iv[32], *p;

	if (f == NULL)
		f = &ecs;
	if (start(path, body, f, query, e) < 0)
		return -1;
	if (to <= 0)
		to = (double)time(NULL);
	if (buckets < 1 || buckets > 10000)
		return err_set(e, ERR_USAGE,
			       "elasticsearch: %zu histogram buckets is not within 1..10000",
			       buckets);
	if (!isfinite(from) || !isfinite(to) || to <= from)
		return err_set(e, ERR_USAGE, "elasticsearch: the time range ends before it starts");
	span = to - from;
	if (!(span < 1e12))
		return err_set(e, ERR_USAGE, "elasticsearch: the time range is too long");
	interval = (long long)ceil(span / (double)buckets - 1e-9);
	if (interval < 1)
		interval = 1;
	p = search_path(index, e);
	if (p == NULL)
		return -1;
	snprintf(iv, sizeof iv, "%llds", interval);
	dh = json_object();
	json_object_set_new(dh, "field", json_string(or_default(f->timestamp, ecs.timestamp)));
	json_object_set_new(dh, "fixed_interval", json_string(iv));
	json_object_set_new(dh, "min_doc_count", json_integer(0));
	json_object_set_new(dh, "extended_bounds",
			    json_pack("{s:I,s:I}", "min", millis(from), "max", millis(to)));
	hist = json_object();
	json_object_set_new(hist, "date_histogram", dh);
	json_object_set_new(hist, "meta", json_pack("{s:I}", "interval_s", (json_int_t)interval));
	json_object_set_new(hist, "aggs",
			    json_pack("{s:{s:o}}", "errors", "filter",
				      error_levels_filter(or_default(f->level, ecs.level))));
	root = json_object();
	json_object_set_new(root, "size", json_integer(0));
	json_object_set_new(root, "track_total_hits", json_true());
	json_object_set_new(root, "query", filtered_query(f, query, from, to));
	json_object_set_new(root, "aggs", json_pack("{s:o}", "hist", hist));
	return finish(root, p, path, body, e);
}

int
elasticsearch_errors_request(const char *index, const struct es_fields *f, double window_s,
			     size_t max_services, char **path, char **body, struct err *e)
{
	json_t *root, *filter;
	long long w;
	char gte[48], *p;

	if (f == NULL)
		f = &ecs;
	if (start(path, body, f, NULL, e) < 0)
		return -1;
	if (max_services < 1 || max_services > 10000)
		return err_set(e, ERR_USAGE, "elasticsearch: %zu services is not within 1..10000",
			       max_services);
	if (!isfinite(window_s) || window_s <= 0)
		return err_set(e, ERR_USAGE, "elasticsearch: the error window must be positive");
	w = window_s > 1e9 ? 1000000000LL : llround(window_s);
	if (w < 1)
		w = 1;
	p = search_path(index, e);
	if (p == NULL)
		return -1;
	snprintf(gte, sizeof gte, "now-%llds", w);
	filter = json_array();
	json_array_append_new(filter,
			      json_pack("{s:{s:{s:s}}}", "range",
					or_default(f->timestamp, ecs.timestamp), "gte", gte));
	json_array_append_new(filter, error_levels_filter(or_default(f->level, ecs.level)));
	root = json_object();
	json_object_set_new(root, "size", json_integer(0));
	json_object_set_new(root, "track_total_hits", json_false());
	json_object_set_new(root, "query", json_pack("{s:{s:o}}", "bool", "filter", filter));
	json_object_set_new(root, "aggs",
			    json_pack("{s:{s:{s:s,s:I}}}", "services", "terms", "field",
				      or_default(f->service, ecs.service), "size",
				      (json_int_t)max_services));
	return finish(root, p, path, body, e);
}

/* ---- the read-only allow-list ------------------------------------------ */

/* Does a path segment, percent-decoded, read "." or ".."? */
static bool
is_dots(const char *s)
{
	size_t n = 0;

	while (*s != '\0') {
		if (*s == '.')
			s++;
		else if (s[0] == '%' && s[1] == '2' && (s[2] == 'e' || s[2] == 'E'))
			s += 3;
		else
			return false;
		n++;
	}
	return n == 1 || n == 2;
}

/* An index segment: a name, pattern or list; never an API word ("_doc"). */
static bool
is_index(const char *s)
{
	return s[0] != '_' || strcmp(s, "_all") == 0;
}

bool
elasticsearch_is_read(enum http_method m, const char *path)
{
	char copy[1024], *segs[6], *p;
	size_t len, ns = 0, i = 0;
	bool rw = m == HTTP_GET || m == HTTP_POST;

	if (path == NULL || path[0] != '/')
		return false;
	len = strcspn(path, "?");
	if (len >= sizeof copy || memchr(path, '#', len) != NULL || memchr(path, '\\', len) != NULL)
		return false;
	memcpy(copy, path, len);
	copy[len] = '\0';
	if (strcmp(copy, "/") == 0)
		return m == HTTP_GET;
	for (p = copy + 1;;) {
		char *slash = strchr(p, '/');

		if (ns == sizeof segs / sizeof segs[0])
			return false;
		if (slash != NULL)
			*slash = '\0';
		if (*p == '\0' || is_dots(p))
			return false;
		segs[ns++] = p;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	/* GET /_cat/... */
	if (strcmp(segs[0], "_cat") == 0)
		return m == HTTP_GET;
	/* GET /_cluster/health[/INDEX] */
	if (strcmp(segs[0], "_cluster") == 0)
		return m == HTTP_GET && ns >= 2 && ns <= 3 && strcmp(segs[1], "health") == 0;
	/* DELETE /_pit; OpenSearch DELETE /_search/point_in_time[/_all], GET .../_all */
	if (ns == 1 && strcmp(segs[0], "_pit") == 0)
		return m == HTTP_DELETE;
	if (ns >= 2 && strcmp(segs[0], "_search") == 0 && strcmp(segs[1], "point_in_time") == 0) {
		if (ns == 2)
			return m == HTTP_DELETE;
		return ns == 3 && strcmp(segs[2], "_all") == 0 &&
		       (m == HTTP_DELETE || m == HTTP_GET);
	}
	/* an optional index segment, then the API */
	if (is_index(segs[0]))
		i = 1;
	if (i == ns)
		return false; /* GET /INDEX: index metadata is fine, but nothing needs it */
	if (strcmp(segs[i], "_search") == 0 || strcmp(segs[i], "_count") == 0 ||
	    strcmp(segs[i], "_msearch") == 0 || strcmp(segs[i], "_field_caps") == 0) {
		if (ns == i + 1)
			return rw;
		/* POST /INDEX/_search/point_in_time (OpenSearch open) */
		return i == 1 && ns == 3 && strcmp(segs[1], "_search") == 0 &&
		       strcmp(segs[2], "point_in_time") == 0 && m == HTTP_POST;
	}
	/* POST /INDEX/_pit (open) */
	if (strcmp(segs[i], "_pit") == 0)
		return i == 1 && ns == 2 && m == HTTP_POST;
	/* GET [/INDEX]/_mapping[/field/NAME] */
	if (strcmp(segs[i], "_mapping") == 0)
		return m == HTTP_GET &&
		       (ns == i + 1 || (ns == i + 3 && strcmp(segs[i + 1], "field") == 0));
	return false;
}
