/*
 * test_elasticsearch.c - the Elasticsearch builders against the exact
 * bodies Elasticsearch expects, the parsers against answers in the shapes
 * of the 7.x / 8.x / OpenSearch 2.x documentation
 * (tests/fixtures/elasticsearch, see its README) and against hostile
 * content, the read-only allow-list and the query_string terms.
 */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "elasticsearch.h"

#define FIX TESTS_DIR "/fixtures/elasticsearch/"

/* 2026-11-22T10:00:00Z */
#define T0 1795341600.0

/* new: the fixture's bytes (NAME.json, else NAME.txt); *status from NAME.status. */
static char *
fixture(const char *name, size_t *len, long *status)
{
	char path[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, FIX "%s.json", name);
	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(path, sizeof path, FIX "%s.txt", name);
		f = fopen(path, "rb");
	}
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	snprintf(path, sizeof path, FIX "%s.status", name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", status), 1);
	fclose(f);
	return buf;
}

/* Is s[0..n) valid UTF-8? */
static bool
valid_utf8(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k, need = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;

		if (need == 0 || i + need > n)
			return false;
		for (k = 1; k < need; k++)
			if (((unsigned char)s[i + k] & 0xc0) != 0x80)
				return false;
		i += need;
	}
	return true;
}

#define LEVELS                                                                                   \
	"[\"error\",\"ERROR\",\"Error\",\"err\",\"ERR\",\"Err\",\"fatal\",\"FATAL\",\"Fatal\","  \
	"\"critical\",\"CRITICAL\",\"Critical\",\"crit\",\"CRIT\",\"Crit\",\"emerg\",\"EMERG\"," \
	"\"Emerg\",\"emergency\",\"EMERGENCY\",\"Emergency\",\"alert\",\"ALERT\",\"Alert\","     \
	"\"panic\",\"PANIC\",\"Panic\",\"severe\",\"SEVERE\",\"Severe\"]"

#define SORT_DESC                                                                             \
	"\"sort\":[{\"@timestamp\":{\"order\":\"desc\",\"unmapped_type\":\"date\",\"numeric_" \
	"type\":"                                                                             \
	"\"date\"}},{\"_doc\":{\"order\":\"desc\"}}]"

/* ---- builders ---------------------------------------------------------- */

static void
test_default_fields(void **state)
{
	const struct es_fields *f = elasticsearch_default_fields();

	(void)state;
	assert_string_equal(f->timestamp, "@timestamp");
	assert_string_equal(f->message, "message");
	assert_string_equal(f->level, "log.level");
	assert_string_equal(f->service, "service.name");
	assert_string_equal(f->trace_id, "trace.id");
	assert_string_equal(f->tiebreak, "_doc");
}

static void
test_search_first_page(void **state)
{
	struct es_search s = { 0 };
	char *path, *body;
	struct err e;

	(void)state;
	s.query = "level:error AND payment";
	s.from = T0;
	s.to = T0 + 3600;
	s.size = 100;
	s.track_total = true;
	assert_int_equal(elasticsearch_search_request("logs-*", elasticsearch_default_fields(), &s,
						      &path, &body, &e),
			 0);
	assert_string_equal(path, "/logs-*/_search");
	assert_string_equal(
		body,
		"{\"size\":100,\"track_total_hits\":10000,\"_source\":true,\"query\":{\"bool\":{"
		"\"filter\":[{\"range\":{\"@timestamp\":{\"gte\":1795341600000,\"lte\":"
		"1795345200000,\"format\":\"epoch_millis\"}}},{\"query_string\":{\"query\":"
		"\"level:error AND payment\",\"default_operator\":\"OR\",\"analyze_wildcard\":"
		"true}}]}}," SORT_DESC "}");
	free(path);
	free(body);
}

static void
test_search_paging_and_tail(void **state)
{
	struct es_search s = { 0 };
	char *path, *body;
	struct err e;

	(void)state;
	s.from = T0;
	s.size = 50;
	s.after.set = true;
	s.after.t = 1795341605123.0;
	strcpy(s.after.tiebreak, "17");
	assert_int_equal(elasticsearch_search_request(NULL, NULL, &s, &path, &body, &e), 0);
	assert_string_equal(path, "/logs-*/_search");
	/* no upper bound for to <= 0, no query_string for no query, no total */
	assert_string_equal(body,
			    "{\"size\":50,\"track_total_hits\":false,\"_source\":true,"
			    "\"query\":{\"bool\":{\"filter\":[{\"range\":{\"@timestamp\":{"
			    "\"gte\":1795341600000,\"format\":\"epoch_millis\"}}}]}}," SORT_DESC
			    ",\"search_after\":[1795341605123,17]}");
	free(path);
	free(body);

	/* tail: ascending, after the newest held; a string tiebreak */
	memset(&s.after, 0, sizeof s.after);
	s.newer.set = true;
	s.newer.t = 1795341606000.0;
	strcpy(s.newer.tiebreak, "\"evt-000102\"");
	s.query = "   ";
	assert_int_equal(elasticsearch_search_request("logs-*", NULL, &s, &path, &body, &e), 0);
	assert_string_equal(
		body,
		"{\"size\":50,\"track_total_hits\":false,\"_source\":true,\"query\":{\"bool\":"
		"{\"filter\":[{\"range\":{\"@timestamp\":{\"gte\":1795341600000,\"format\":"
		"\"epoch_millis\"}}}]}},\"sort\":[{\"@timestamp\":{\"order\":\"asc\","
		"\"unmapped_type\":\"date\",\"numeric_type\":\"date\"}},{\"_doc\":{\"order\":"
		"\"asc\"}}],\"search_after\":[1795341606000,\"evt-000102\"]}");
	free(path);
	free(body);

	/* Long.MIN_VALUE (a hit without a timestamp) goes back exactly */
	s.newer.t = -9223372036854775808.0;
	strcpy(s.newer.tiebreak, "7");
	assert_int_equal(elasticsearch_search_request("logs-*", NULL, &s, &path, &body, &e), 0);
	assert_non_null(strstr(body, "\"search_after\":[-9223372036854775808,7]"));
	free(path);
	free(body);
}

static void
test_search_custom_fields(void **state)
{
	struct es_fields f = { 0 };
	struct es_search s = { 0 };
	char *path, *body;
	struct err e;

	(void)state;
	f.timestamp = "ts";
	f.tiebreak = "event.sequence";
	s.from = T0;
	s.to = T0 + 1.5;
	s.size = 1;
	s.query = "msg:\"a \\\"quoted\\\" b\" ☃";
	assert_int_equal(
		elasticsearch_search_request("remote:logs-*,app 2026", &f, &s, &path, &body, &e),
		0);
	assert_string_equal(path, "/remote:logs-*,app%202026/_search");
	assert_string_equal(
		body,
		"{\"size\":1,\"track_total_hits\":false,\"_source\":true,\"query\":{\"bool\":{"
		"\"filter\":[{\"range\":{\"ts\":{\"gte\":1795341600000,\"lte\":1795341601500,"
		"\"format\":\"epoch_millis\"}}},{\"query_string\":{\"query\":\"msg:\\\"a "
		"\\\\\\\"quoted\\\\\\\" b\\\" ☃\",\"default_operator\":\"OR\","
		"\"analyze_wildcard\":true}}]}},\"sort\":[{\"ts\":{\"order\":\"desc\","
		"\"unmapped_type\":\"date\",\"numeric_type\":\"date\"}},{\"event.sequence\":{"
		"\"order\":\"desc\"}}]}");
	free(path);
	free(body);
}

static void
test_search_refusals(void **state)
{
	struct es_search s = { 0 };
	char *path = (char *)1, *body = (char *)1;
	struct err e;
	static const char *const bad_index[] = { "..", ".", "_bulk", "logs/_doc", "_doc" };
	size_t i;

	(void)state;
	s.from = T0;
	s.size = 0;
	assert_int_equal(elasticsearch_search_request("logs-*", NULL, &s, &path, &body, &e), -1);
	assert_null(path);
	assert_null(body);
	assert_int_equal(e.code, ERR_USAGE);
	s.size = 10001;
	assert_int_equal(elasticsearch_search_request("logs-*", NULL, &s, &path, &body, &e), -1);
	s.size = 10;
	s.after.set = s.newer.set = true;
	strcpy(s.after.tiebreak, "1");
	strcpy(s.newer.tiebreak, "1");
	assert_int_equal(elasticsearch_search_request("logs-*", NULL, &s, &path, &body, &e), -1);
	assert_non_null(strstr(e.msg, "not both"));
	s.newer.set = false;
	strcpy(s.after.tiebreak, "{\"x\":1}");
	assert_int_equal(elasticsearch_search_request("logs-*", NULL, &s, &path, &body, &e), -1);
	strcpy(s.after.tiebreak, "garbage");
	assert_int_equal(elasticsearch_search_request("logs-*", NULL, &s, &path, &body, &e), -1);
	s.after.set = false;
	s.query = "bad \xff utf-8";
	assert_int_equal(elasticsearch_search_request("logs-*", NULL, &s, &path, &body, &e), -1);
	assert_non_null(strstr(e.msg, "UTF-8"));
	s.query = NULL;
	for (i = 0; i < sizeof bad_index / sizeof bad_index[0]; i++) {
		assert_int_equal(
			elasticsearch_search_request(bad_index[i], NULL, &s, &path, &body, &e), -1);
		assert_int_equal(e.code, ERR_USAGE);
		assert_non_null(strstr(e.msg, "[elasticsearch] index"));
	}
	s.to = T0 - 10;
	assert_int_equal(elasticsearch_search_request("logs-*", NULL, &s, &path, &body, &e), -1);
	/* _all is a valid target */
	s.to = 0;
	assert_int_equal(elasticsearch_search_request("_all", NULL, &s, &path, &body, &e), 0);
	assert_string_equal(path, "/_all/_search");
	free(path);
	free(body);
}

static void
test_histogram_request(void **state)
{
	char *path, *body;
	struct err e;

	(void)state;
	assert_int_equal(elasticsearch_histogram_request("logs-*", NULL, "", T0, T0 + 3600, 120,
							 &path, &body, &e),
			 0);
	assert_string_equal(path, "/logs-*/_search");
	assert_string_equal(
		body, "{\"size\":0,\"track_total_hits\":true,\"query\":{\"bool\":{\"filter\":[{"
		      "\"range\":{\"@timestamp\":{\"gte\":1795341600000,\"lte\":1795345200000,"
		      "\"format\":\"epoch_millis\"}}}]}},\"aggs\":{\"hist\":{\"date_histogram\":{"
		      "\"field\":\"@timestamp\",\"fixed_interval\":\"30s\",\"min_doc_count\":0,"
		      "\"extended_bounds\":{\"min\":1795341600000,\"max\":1795345200000}},\"meta\":"
		      "{\"interval_s\":30},\"aggs\":{\"errors\":{\"filter\":{\"terms\":{"
		      "\"log.level\":" LEVELS "}}}}}}}");
	free(path);
	free(body);
}

static void
test_histogram_interval(void **state)
{
	static const struct {
		double span;
		size_t buckets;
		const char *want;
	} cases[] = {
		{ 3600, 120, "\"30s\"" },   { 100, 7, "\"15s\"" },  { 10, 100, "\"1s\"" },
		{ 86400, 80, "\"1080s\"" }, { 900, 1, "\"900s\"" }, { 61, 60, "\"2s\"" },
	};
	char *path, *body;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(elasticsearch_histogram_request(
					 "logs-*", NULL, "level:error", T0, T0 + cases[i].span,
					 cases[i].buckets, &path, &body, &e),
				 0);
		assert_non_null(strstr(body, cases[i].want));
		assert_non_null(strstr(body, "\"query_string\":{\"query\":\"level:error\""));
		free(path);
		free(body);
	}
	assert_int_equal(
		elasticsearch_histogram_request("logs-*", NULL, NULL, T0, T0, 10, &path, &body, &e),
		-1);
	assert_null(body);
	assert_int_equal(elasticsearch_histogram_request("logs-*", NULL, NULL, T0, T0 + 10, 0,
							 &path, &body, &e),
			 -1);
	/* to <= 0: up to now */
	assert_int_equal(elasticsearch_histogram_request("logs-*", NULL, NULL, 1000, 0, 10, &path,
							 &body, &e),
			 0);
	assert_non_null(strstr(body, "\"gte\":1000000,\"lte\":"));
	free(path);
	free(body);
}

static void
test_errors_request(void **state)
{
	struct es_fields f = { 0 };
	char *path, *body;
	struct err e;

	(void)state;
	assert_int_equal(elasticsearch_errors_request("logs-*", NULL, 300, 50, &path, &body, &e),
			 0);
	assert_string_equal(path, "/logs-*/_search");
	assert_string_equal(
		body,
		"{\"size\":0,\"track_total_hits\":false,\"query\":{\"bool\":{\"filter\":[{"
		"\"range\":{\"@timestamp\":{\"gte\":\"now-300s\"}}},{\"terms\":{\"log."
		"level\":" LEVELS
		"}}]}},\"aggs\":{\"services\":{\"terms\":{\"field\":\"service.name\",\"size\":"
		"50}}}}");
	free(path);
	free(body);
	f.service = "kubernetes.labels.app";
	f.level = "severity";
	assert_int_equal(elasticsearch_errors_request("k8s-*", &f, 59.6, 1, &path, &body, &e), 0);
	assert_non_null(strstr(body, "\"gte\":\"now-60s\""));
	assert_non_null(strstr(body, "{\"terms\":{\"severity\":[\"error\""));
	assert_non_null(strstr(body, "\"field\":\"kubernetes.labels.app\",\"size\":1"));
	free(path);
	free(body);
	assert_int_equal(elasticsearch_errors_request("logs-*", NULL, 300, 0, &path, &body, &e),
			 -1);
	assert_int_equal(elasticsearch_errors_request("logs-*", NULL, 0, 10, &path, &body, &e), -1);
	assert_int_equal(elasticsearch_errors_request("logs-*", NULL, NAN, 10, &path, &body, &e),
			 -1);
}

static void
test_builders_locale_independent(void **state)
{
	struct es_search s = { 0 };
	char *path, *body, *body2;
	struct err e;

	(void)state;
	s.from = T0 + 0.5;
	s.to = T0 + 1.25;
	s.size = 10;
	assert_int_equal(elasticsearch_search_request("logs-*", NULL, &s, &path, &body, &e), 0);
	free(path);
	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL &&
	    setlocale(LC_NUMERIC, "fr_FR.UTF-8") == NULL) {
		free(body);
		skip();
	}
	assert_int_equal(elasticsearch_search_request("logs-*", NULL, &s, &path, &body2, &e), 0);
	setlocale(LC_NUMERIC, "C");
	assert_string_equal(body, body2);
	assert_non_null(strstr(body, "\"gte\":1795341600500,\"lte\":1795341601250"));
	free(path);
	free(body);
	free(body2);
}

/* ---- hits -------------------------------------------------------------- */

static void
test_hits_es8(void **state)
{
	struct es_hits h;
	struct err e;
	size_t len;
	long st;
	char *b = fixture("search_es8", &len, &st);
	json_t *src;

	(void)state;
	assert_int_equal(
		elasticsearch_parse_hits(st, b, len, elasticsearch_default_fields(), 65536, &h, &e),
		0);
	assert_int_equal(h.n, 4);
	assert_int_equal(h.total, 1234);
	assert_false(h.total_is_lower_bound);
	assert_int_equal(h.took_ms, 12);
	/* nested ECS objects */
	assert_string_equal(h.hits[0].index, ".ds-logs-shop-default-2026.11.22-000001");
	assert_string_equal(h.hits[0].id, "hQ3kSIwB0ZpZ0p1cP5cK");
	assert_string_equal(h.hits[0].level, "ERROR");
	assert_string_equal(h.hits[0].service, "payments");
	assert_string_equal(h.hits[0].trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
	assert_string_equal(h.hits[0].message, "payment declined for order 1042: card_expired");
	assert_false(h.hits[0].cut);
	assert_true(fabs(h.hits[0].t - (T0 + 5.123)) < 1e-6);
	assert_true(h.hits[0].cursor.set);
	assert_true(h.hits[0].cursor.t == 1795341605123.0);
	assert_string_equal(h.hits[0].cursor.tiebreak, "17");
	/* source: compact JSON, parseable, with the nested fields */
	src = json_loads(h.hits[0].source, 0, NULL);
	assert_non_null(src);
	assert_int_equal(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(src, "http"), "response"), "status_code")),
		502);
	json_decref(src);
	assert_null(strchr(h.hits[0].source, '\n'));
	/* flat dotted keys, Korean and emoji intact */
	assert_string_equal(h.hits[1].level, "info");
	assert_string_equal(h.hits[1].service, "주문");
	assert_string_equal(h.hits[1].message, "주문 1041 결제 완료 ✅ 🛒");
	assert_string_equal(h.hits[1].trace_id, "a3ce929d0e0e47364bf92f3577b34da6");
	/* escape sequences, CR LF, tabs, bidi controls kept verbatim for widgets/text */
	assert_string_equal(h.hits[2].message,
			    "\x1b[31mred alert\x1b[0m \x1b]0;pwned\x07 tab\there\r\nnext line "
			    "\xe2\x80\xaegnirts desrever\xe2\x80\xac");
	assert_string_equal(h.hits[2].service, "🛒cart");
	assert_string_equal(h.hits[2].trace_id, "");
	assert_true(h.hits[2].t == h.hits[1].t);
	/* an array that is not one value: its JSON */
	assert_string_equal(h.hits[3].message, "[\"multi\",\"valued\"]");
	assert_string_equal(h.hits[3].level, "debug");
	es_hits_done(&h);
	assert_int_equal(h.n, 0);
	assert_null(h.hits);
	es_hits_done(&h);
	free(b);
}

static void
test_hits_es7_and_opensearch(void **state)
{
	struct es_hits h;
	struct err e;
	size_t len;
	long st;
	char *b = fixture("search_es7", &len, &st);

	(void)state;
	assert_int_equal(elasticsearch_parse_hits(st, b, len, NULL, 0, &h, &e), 0);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.total, 10000);
	assert_true(h.total_is_lower_bound);
	assert_string_equal(h.hits[0].id, "1");
	assert_true(fabs(h.hits[0].t - (T0 - 0.001)) < 1e-6);
	assert_string_equal(h.hits[1].level, "Fatal");
	assert_true(elasticsearch_level_is_error(h.hits[1].level));
	assert_string_equal(h.hits[1].cursor.tiebreak, "12");
	es_hits_done(&h);
	free(b);

	b = fixture("search_opensearch_int_total", &len, &st);
	assert_int_equal(elasticsearch_parse_hits(st, b, len, NULL, 0, &h, &e), 0);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.total, 57);
	assert_false(h.total_is_lower_bound);
	assert_true(h.hits[0].t == T0);
	assert_string_equal(h.hits[0].cursor.tiebreak, "0");
	es_hits_done(&h);
	free(b);
}

static void
test_hits_times_from_field(void **state)
{
	struct es_hits h;
	struct err e;
	size_t len, i;
	long st;
	char *b = fixture("search_no_total_nosort", &len, &st);

	(void)state;
	assert_int_equal(elasticsearch_parse_hits(st, b, len, NULL, 0, &h, &e), 0);
	assert_int_equal(h.n, 5);
	assert_int_equal(h.total, -1);
	for (i = 0; i < h.n; i++) {
		assert_false(h.hits[i].cursor.set);
		assert_string_equal(h.hits[i].cursor.tiebreak, "");
	}
	/* 10:00:00.5+02:00 = 08:00:00.5Z */
	assert_true(fabs(h.hits[0].t - (T0 - 7200 + 0.5)) < 1e-6);
	assert_string_equal(h.hits[0].level, "CRITICAL");
	assert_true(fabs(h.hits[1].t - (T0 - 7200 + 0.25)) < 1e-6);
	/* 12:00:00.000000123+0400 = 08:00:00Z */
	assert_true(fabs(h.hits[2].t - (T0 - 7200)) < 1e-6);
	assert_true(h.hits[3].t == T0);
	assert_true(h.hits[4].t == 0);
	assert_string_equal(h.hits[4].level, "");
	es_hits_done(&h);
	free(b);
}

static void
test_hits_tail_and_missing(void **state)
{
	struct es_hits h;
	struct err e;
	size_t len;
	long st;
	char *b = fixture("search_tail_asc", &len, &st);

	(void)state;
	assert_int_equal(elasticsearch_parse_hits(st, b, len, NULL, 0, &h, &e), 0);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.hits[0].message, "first new");
	assert_string_equal(h.hits[0].cursor.tiebreak, "\"evt-000101\"");
	assert_true(h.hits[2].cursor.t == 1795341607250.0);
	es_hits_done(&h);
	free(b);

	b = fixture("search_missing_ts", &len, &st);
	assert_int_equal(elasticsearch_parse_hits(st, b, len, NULL, 0, &h, &e), 0);
	assert_int_equal(h.n, 1);
	assert_true(h.hits[0].t == 0);
	assert_true(h.hits[0].cursor.set);
	assert_true(h.hits[0].cursor.t == -9223372036854775808.0);
	assert_string_equal(h.hits[0].cursor.tiebreak, "7");
	es_hits_done(&h);
	free(b);

	b = fixture("search_empty", &len, &st);
	assert_int_equal(elasticsearch_parse_hits(st, b, len, NULL, 0, &h, &e), 0);
	assert_int_equal(h.n, 0);
	assert_null(h.hits);
	assert_int_equal(h.total, 0);
	es_hits_done(&h);
	free(b);
}

static void
test_hits_custom_fields(void **state)
{
	static const char body[] =
		"{\"hits\":{\"hits\":[{\"_index\":\"k\",\"_id\":\"1\",\"_source\":{"
		"\"kubernetes\":{\"pod.name\":\"web-1\",\"labels\":{\"app\":\"web\"}},"
		"\"severity\":7,\"msg\":{\"text\":\"nested\"},\"ts\":\"2026-11-22 10:00:00\","
		"\"trace\":null},\"sort\":[\"2026-11-22T10:00:01Z\",\"a\\\"b\"]}]}}";
	struct es_fields f = { 0 };
	struct es_hits h;
	struct err e;

	(void)state;
	f.timestamp = "ts";
	f.message = "msg";
	f.level = "severity";
	f.service = "kubernetes.pod.name";
	f.trace_id = "trace.id";
	assert_int_equal(elasticsearch_parse_hits(200, body, strlen(body), &f, 0, &h, &e), 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.hits[0].service, "web-1");
	assert_string_equal(h.hits[0].level, "7");
	assert_string_equal(h.hits[0].message, "{\"text\":\"nested\"}");
	assert_string_equal(h.hits[0].trace_id, "");
	/* a string sort value (a sort "format") still gives time and cursor */
	assert_true(h.hits[0].t == T0 + 1);
	assert_true(h.hits[0].cursor.set);
	assert_true(h.hits[0].cursor.t == (T0 + 1) * 1000);
	assert_string_equal(h.hits[0].cursor.tiebreak, "\"a\\\"b\"");
	es_hits_done(&h);
}

/* ---- hostile content --------------------------------------------------- */

/* A search answer with one hit whose message is msg (raw bytes, already JSON-escaped). */
static char *
one_hit(const char *msg, size_t msglen, size_t *len)
{
	static const char pre[] =
		"{\"took\":1,\"hits\":{\"total\":{\"value\":1,\"relation\":\"eq\"},"
		"\"hits\":[{\"_index\":\"i\",\"_id\":\"x\",\"_source\":{"
		"\"message\":\"";
	static const char post[] = "\",\"log\":{\"level\":\"error\"}},\"sort\":[1,2]}]}}";
	char *b = malloc(sizeof pre + msglen + sizeof post);

	memcpy(b, pre, sizeof pre - 1);
	memcpy(b + sizeof pre - 1, msg, msglen);
	memcpy(b + sizeof pre - 1 + msglen, post, sizeof post);
	*len = sizeof pre - 1 + msglen + sizeof post - 1;
	return b;
}

static void
test_invalid_utf8(void **state)
{
	/* a lone continuation byte, a truncated sequence, an overlong, a surrogate, 0xff */
	static const char msg[] = "ok \x80 then \xe2\x82 then \xc0\xaf then \xed\xa0\x80 then "
				  "\xff end 한국어 🎉";
	struct es_hits h;
	struct err e;
	size_t len;
	char *b = one_hit(msg, sizeof msg - 1, &len);

	(void)state;
	assert_int_equal(elasticsearch_parse_hits(200, b, len, NULL, 0, &h, &e), 0);
	assert_int_equal(h.n, 1);
	assert_true(valid_utf8(h.hits[0].message, strlen(h.hits[0].message)));
	assert_string_equal(h.hits[0].message,
			    "ok \xef\xbf\xbd then \xef\xbf\xbd\xef\xbf\xbd then "
			    "\xef\xbf\xbd\xef\xbf\xbd then \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
			    "then \xef\xbf\xbd end 한국어 🎉");
	assert_true(valid_utf8(h.hits[0].source, strlen(h.hits[0].source)));
	assert_string_equal(h.hits[0].level, "error");
	es_hits_done(&h);
	free(b);
}

static void
test_nul_and_escapes(void **state)
{
	static const char msg[] = "a\\u0000b \\u001b[2J \\ud83d\\ude00 \\u00e9";
	struct es_hits h;
	struct err e;
	size_t len;
	char *b = one_hit(msg, sizeof msg - 1, &len);

	(void)state;
	assert_int_equal(elasticsearch_parse_hits(200, b, len, NULL, 0, &h, &e), 0);
	assert_string_equal(h.hits[0].message, "a\xef\xbf\xbd"
					       "b \x1b[2J 😀 é");
	es_hits_done(&h);
	free(b);

	/* NULs grow by 2 bytes each as U+FFFD: the cut still holds */
	b = one_hit("\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000", 36, &len);
	assert_int_equal(elasticsearch_parse_hits(200, b, len, NULL, 16, &h, &e), 0);
	assert_string_equal(h.hits[0].message, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
					       "\xef\xbf\xbd");
	assert_true(h.hits[0].cut);
	es_hits_done(&h);
	assert_int_equal(elasticsearch_parse_hits(200, b, len, NULL, 18, &h, &e), 0);
	assert_int_equal(strlen(h.hits[0].message), 18);
	assert_false(h.hits[0].cut);
	es_hits_done(&h);
	free(b);
}

static void
test_huge_message_cut(void **state)
{
	/* 1 MB of "가" (3 bytes each) with an ASCII head */
	size_t n = 1 << 20, i, len, max;
	char *msg = malloc(n), *b;
	struct es_hits h;
	struct err e;
	json_t *src;
	const char *m;

	(void)state;
	memcpy(msg, "head ", 5);
	for (i = 5; i + 3 <= n; i += 3)
		memcpy(msg + i, "\xea\xb0\x80", 3);
	n = i;
	b = one_hit(msg, n, &len);
	assert_int_equal(elasticsearch_parse_hits(200, b, len, NULL, 65536, &h, &e), 0);
	assert_true(h.hits[0].cut);
	assert_true(strlen(h.hits[0].message) <= 65536);
	assert_true(strlen(h.hits[0].message) > 65536 - 3);
	assert_true(valid_utf8(h.hits[0].message, strlen(h.hits[0].message)));
	/* source stays JSON, its long string cut and marked */
	assert_true(strlen(h.hits[0].source) < 65536 + 200);
	src = json_loads(h.hits[0].source, 0, NULL);
	assert_non_null(src);
	m = json_string_value(json_object_get(src, "message"));
	assert_non_null(m);
	assert_true(strlen(m) >= 3 && strcmp(m + strlen(m) - 3, "\xe2\x80\xa6") == 0);
	json_decref(src);
	es_hits_done(&h);
	/* every cut point falls on a character boundary */
	for (max = 1; max <= 16; max++) {
		assert_int_equal(elasticsearch_parse_hits(200, b, len, NULL, max, &h, &e), 0);
		assert_true(h.hits[0].cut);
		assert_true(strlen(h.hits[0].message) <= max);
		assert_true(valid_utf8(h.hits[0].message, strlen(h.hits[0].message)));
		assert_true(valid_utf8(h.hits[0].source, strlen(h.hits[0].source)));
		es_hits_done(&h);
	}
	/* max_message 0 keeps everything */
	assert_int_equal(elasticsearch_parse_hits(200, b, len, NULL, 0, &h, &e), 0);
	assert_false(h.hits[0].cut);
	assert_int_equal(strlen(h.hits[0].message), n);
	es_hits_done(&h);
	free(b);
	free(msg);
}

static void
test_emoji_cut(void **state)
{
	static const char msg[] = "🎉🎉🎉"; /* 4 bytes each */
	struct es_hits h;
	struct err e;
	size_t len, max;
	char *b = one_hit(msg, sizeof msg - 1, &len);

	(void)state;
	for (max = 1; max <= 12; max++) {
		assert_int_equal(elasticsearch_parse_hits(200, b, len, NULL, max, &h, &e), 0);
		assert_int_equal(strlen(h.hits[0].message), max / 4 * 4);
		assert_int_equal(h.hits[0].cut, max < 12);
		es_hits_done(&h);
	}
	free(b);
}

static void
test_big_numbers(void **state)
{
	static const char body[] =
		"{\"hits\":{\"total\":{\"value\":1,\"relation\":\"eq\"},\"hits\":[{\"_index\":"
		"\"i\","
		"\"_id\":\"1\",\"_source\":{\"message\":\"m\",\"order_id\":"
		"123456789012345678901234567890},\"sort\":[1795341600000,18446744073709551615]}]}}";
	struct es_hits h;
	struct err e;

	(void)state;
	assert_int_equal(elasticsearch_parse_hits(200, body, strlen(body), NULL, 0, &h, &e), 0);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.hits[0].message, "m");
	assert_true(h.hits[0].t == T0);
	assert_non_null(strstr(h.hits[0].source, "order_id"));
	es_hits_done(&h);
}

/* ---- aggregations ------------------------------------------------------ */

static void
test_histogram(void **state)
{
	struct es_histogram hg;
	struct err e;
	size_t len;
	long st;
	char *b = fixture("histogram", &len, &st);

	(void)state;
	assert_int_equal(elasticsearch_parse_histogram(st, b, len, &hg, &e), 0);
	assert_int_equal(hg.n, 5);
	assert_true(hg.interval == 30);
	assert_int_equal(hg.total, 76);
	assert_false(hg.total_is_lower_bound);
	assert_true(hg.buckets[0].t == T0);
	assert_true(hg.buckets[4].t == T0 + 120);
	assert_int_equal(hg.buckets[3].count, 40);
	assert_int_equal(hg.buckets[3].errors, 22);
	assert_int_equal(hg.buckets[2].count, 0);
	assert_int_equal(hg.buckets[1].errors, 1);
	es_histogram_done(&hg);
	assert_int_equal(hg.n, 0);
	free(b);

	b = fixture("histogram_typed_keys", &len, &st);
	assert_int_equal(elasticsearch_parse_histogram(st, b, len, &hg, &e), 0);
	assert_int_equal(hg.n, 3);
	assert_true(hg.interval == 30); /* from the keys */
	assert_int_equal(hg.total, 27);
	assert_int_equal(hg.buckets[1].errors, 1);
	es_histogram_done(&hg);
	free(b);

	/* a search answer without the aggregation */
	b = fixture("search_es8", &len, &st);
	assert_int_equal(elasticsearch_parse_histogram(st, b, len, &hg, &e), -1);
	assert_int_equal(e.code, ERR_PARSE);
	assert_non_null(strstr(e.msg, "aggregations.hist.buckets"));
	assert_null(hg.buckets);
	free(b);
}

static void
test_errors_per_service(void **state)
{
	struct es_service_count *c;
	struct err e;
	size_t len, n;
	long st;
	char *b = fixture("errors_terms", &len, &st);

	(void)state;
	assert_int_equal(elasticsearch_parse_errors(st, b, len, &c, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(c[0].service, "payments");
	assert_int_equal(c[0].count, 42);
	assert_string_equal(c[1].service, "주문");
	assert_string_equal(c[2].service, "🛒cart");
	assert_int_equal(c[2].count, 1);
	es_service_counts_free(c, n);
	free(b);

	b = fixture("errors_terms_empty", &len, &st);
	assert_int_equal(elasticsearch_parse_errors(st, b, len, &c, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_null(c);
	free(b);

	b = fixture("error_rejected", &len, &st);
	assert_int_equal(elasticsearch_parse_errors(st, b, len, &c, &n, &e), -1);
	assert_null(c);
	assert_int_equal(n, 0);
	free(b);
}

/* ---- errors ------------------------------------------------------------ */

static void
expect_error(const char *name, enum err_code code, const char *const *parts)
{
	struct es_hits h;
	struct err e;
	size_t len;
	long st;
	char *b = fixture(name, &len, &st);

	assert_int_equal(elasticsearch_parse_hits(st, b, len, NULL, 0, &h, &e), -1);
	assert_null(h.hits);
	assert_int_equal(h.n, 0);
	if (e.code != code)
		fail_msg("%s: code %s, message %s", name, err_code_name(e.code), e.msg);
	assert_true(strncmp(e.msg, "elasticsearch: ", 15) == 0);
	for (; *parts != NULL; parts++)
		if (strstr(e.msg, *parts) == NULL)
			fail_msg("%s: \"%s\" not in \"%s\"", name, *parts, e.msg);
	assert_true(valid_utf8(e.msg, strlen(e.msg)));
	/* the error parser says the same */
	{
		struct err e2;

		assert_int_equal(elasticsearch_parse_error(st, b, len, &e2), -1);
		assert_string_equal(e.msg, e2.msg);
	}
	free(b);
}

static void
test_error_bodies(void **state)
{
	static const char *const parsing[] = { "elasticsearch: parsing_exception: [query_string] "
					       "unknown token [START_ARRAY] after "
					       "[query]",
					       NULL };
	static const char *const shard[] = {
		"elasticsearch: search_phase_execution_exception: all shards failed; "
		"query_shard_exception: Failed to parse query [level:(error]; parse_exception: "
		"Cannot parse 'level:(error': Encountered \"<EOF>\" at line 1, column 12.",
		NULL
	};
	static const char *const notfound[] = {
		"elasticsearch: index_not_found_exception: no such "
		"index [logs-missing] — check [elasticsearch] index",
		NULL
	};
	static const char *const security[] = {
		"elasticsearch: security_exception: missing authentication credentials for REST "
		"request [/logs-*/_search] — set [elasticsearch] token_file, username + "
		"password_file, or api_key_file",
		NULL
	};
	static const char *const forbidden[] = { "security_exception: action "
						 "[indices:data/read/search] is unauthorized",
						 "check [elasticsearch] index", NULL };
	static const char *const rejected[] = { "elasticsearch: es_rejected_execution_exception: "
						"rejected execution of",
						"Retry-After", NULL };
	static const char *const circuit[] = {
		"circuit_breaking_exception: [parent] Data too large", "Retry-After", NULL
	};
	static const char *const html[] = { "HTTP 502 Bad Gateway with a non-JSON body (starts "
					    "with '<html>...')",
					    "[elasticsearch] url", NULL };
	static const char *const os401[] = { "HTTP 401 Unauthorized (body starts with "
					     "'Unauthorized')",
					     "api_key_file", NULL };
	static const char *const fielddata[] = {
		"illegal_argument_exception: Fielddata is disabled on [service.name]",
		"— [service.name] is a text field: set [elasticsearch] service_field or "
		"tiebreak_field to its keyword sub-field (service.name.keyword)",
		NULL
	};
	static const char *const legacy[] = { "elasticsearch: IndexMissingException[[logs-x] "
					      "missing]",
					      NULL };

	(void)state;
	expect_error("error_parsing", ERR_BACKEND, parsing);
	expect_error("error_query_shard", ERR_BACKEND, shard);
	expect_error("error_index_not_found", ERR_BACKEND, notfound);
	expect_error("error_security", ERR_AUTH, security);
	expect_error("error_forbidden", ERR_AUTH, forbidden);
	expect_error("error_rejected", ERR_BACKEND, rejected);
	expect_error("error_circuit_breaking", ERR_BACKEND, circuit);
	expect_error("error_html_502", ERR_PARSE, html);
	expect_error("error_opensearch_401", ERR_AUTH, os401);
	expect_error("error_legacy_string", ERR_BACKEND, legacy);
	expect_error("error_fielddata", ERR_BACKEND, fielddata);
}

static void
test_error_long_reason_keeps_advice(void **state)
{
	struct buf_s {
		char b[4096];
	} *big = malloc(sizeof *big);
	struct err e;
	size_t i, n;

	(void)state;
	n = (size_t)snprintf(big->b, sizeof big->b,
			     "{\"error\":{\"type\":\"security_exception\",\"reason\":\"");
	for (i = 0; i < 900; i++)
		n += (size_t)snprintf(big->b + n, sizeof big->b - n, "한");
	n += (size_t)snprintf(big->b + n, sizeof big->b - n,
			      "\",\"root_cause\":[{\"type\":\"x\",\"reason\":\"other\"}]},"
			      "\"status\":401}");
	assert_int_equal(elasticsearch_parse_error(401, big->b, n, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_true(valid_utf8(e.msg, strlen(e.msg)));
	assert_non_null(strstr(e.msg, "api_key_file"));
	assert_non_null(strstr(e.msg, "; x: other"));
	free(big);
}

static void
test_not_search_answers(void **state)
{
	static const struct {
		long status;
		const char *body;
		enum err_code code;
		const char *part;
	} cases[] = {
		{ 200, "", ERR_PARSE, "empty body" },
		{ 200, "<html><body>login</body></html>", ERR_PARSE, "non-JSON body" },
		{ 200, "{\"hits\":{\"total\":3,\"hits\":[{\"_id\":", ERR_PARSE, "malformed JSON" },
		{ 200, "[1,2]", ERR_PARSE, "not a JSON object" },
		{ 200, "{\"name\":\"es01\",\"tagline\":\"You Know, for Search\"}", ERR_PARSE,
		  "no \"hits\"" },
		{ 200, "{\"hits\":{\"hits\":{}}}", ERR_PARSE, "no \"hits\"" },
		{ 200, "{\"hits\":{\"hits\":[1]}}", ERR_PARSE, "not an object" },
		{ 200, "{\"hits\":{\"hits\":[{\"_source\":[]}]}}", ERR_PARSE, "not an object" },
		{ 200, "{\"error\":{\"type\":\"x\",\"reason\":\"y\"},\"status\":500}", ERR_BACKEND,
		  "x: y" },
		{ 404, "{\"_index\":\"a\",\"found\":false}", ERR_HTTP, "HTTP 404 Not Found" },
		{ 503, "", ERR_HTTP, "HTTP 503 Service Unavailable with an empty body" },
		{ 504, "", ERR_TIMEOUT, "504" },
		{ 429, "", ERR_BACKEND, "Retry-After" },
		{ 403, "Forbidden", ERR_AUTH, "read access" },
		{ 500, "{\"error\":{}}", ERR_BACKEND, "error: (no reason)" },
	};
	struct es_hits h;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err_clear(&e);
		assert_int_equal(elasticsearch_parse_hits(cases[i].status, cases[i].body,
							  strlen(cases[i].body), NULL, 0, &h, &e),
				 -1);
		if (e.code != cases[i].code || strstr(e.msg, cases[i].part) == NULL)
			fail_msg("case %zu: %s: %s", i, err_code_name(e.code), e.msg);
		assert_null(h.hits);
	}
	/* NULL body */
	assert_int_equal(elasticsearch_parse_hits(200, NULL, 5, NULL, 0, &h, &e), -1);
	assert_int_equal(e.code, ERR_PARSE);
}

/* ---- helpers ----------------------------------------------------------- */

static void
test_level_is_error(void **state)
{
	static const char *const yes[] = { "error", "ERROR",     "Error",    "err",   "fatal",
					   "FATAL", "critical",  "CRITICAL", "crit",  "emerg",
					   "alert", "EMERGENCY", "panic",    "SEVERE" };
	static const char *const no[] = { "",      "warn",   "WARNING", "info",   "debug",
					  "trace", "notice", "errors",  "error ", "E" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		assert_true(elasticsearch_level_is_error(yes[i]));
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		assert_false(elasticsearch_level_is_error(no[i]));
	assert_false(elasticsearch_level_is_error(NULL));
}

static void
test_is_read(void **state)
{
	static const struct {
		enum http_method m;
		const char *path;
		bool read;
	} cases[] = {
		{ HTTP_GET, "/", true },
		{ HTTP_POST, "/", false },
		{ HTTP_POST, "/logs-*/_search", true },
		{ HTTP_GET, "/logs-*/_search", true },
		{ HTTP_POST, "/_search", true },
		{ HTTP_POST, "/logs-*/_search?typed_keys=true&rest_total_hits_as_int=true", true },
		{ HTTP_POST, "/logs-%2A/_search", true },
		{ HTTP_POST, "/remote:logs-*,app-*/_search", true },
		{ HTTP_POST, "/_all/_search", true },
		{ HTTP_POST, "/logs-*/_count", true },
		{ HTTP_GET, "/_count", true },
		{ HTTP_POST, "/_msearch", true },
		{ HTTP_POST, "/logs-*/_msearch", true },
		{ HTTP_GET, "/logs-*/_field_caps?fields=*", true },
		{ HTTP_GET, "/_cat/indices?format=json", true },
		{ HTTP_GET, "/_cat/health", true },
		{ HTTP_POST, "/_cat/indices", false },
		{ HTTP_GET, "/logs-*/_mapping", true },
		{ HTTP_GET, "/_mapping", true },
		{ HTTP_GET, "/logs-*/_mapping/field/log.level", true },
		{ HTTP_PUT, "/logs-*/_mapping", false },
		{ HTTP_POST, "/logs-*/_mapping", false },
		{ HTTP_GET, "/_cluster/health", true },
		{ HTTP_GET, "/_cluster/health/logs-*", true },
		{ HTTP_PUT, "/_cluster/settings", false },
		{ HTTP_GET, "/_cluster/settings", false },
		{ HTTP_POST, "/logs-*/_pit?keep_alive=1m", true },
		{ HTTP_DELETE, "/_pit", true },
		{ HTTP_GET, "/_pit", false },
		{ HTTP_POST, "/_pit", false },
		{ HTTP_POST, "/logs-*/_search/point_in_time?keep_alive=1m", true },
		{ HTTP_DELETE, "/_search/point_in_time", true },
		{ HTTP_DELETE, "/_search/point_in_time/_all", true },
		{ HTTP_GET, "/_search/point_in_time/_all", true },
		{ HTTP_POST, "/_bulk", false },
		{ HTTP_POST, "/logs-a/_bulk", false },
		{ HTTP_POST, "/logs-a/_doc", false },
		{ HTTP_PUT, "/logs-a/_doc/1", false },
		{ HTTP_GET, "/logs-a/_doc/1", false },
		{ HTTP_POST, "/logs-a/_doc/_search", false },
		{ HTTP_POST, "/logs-a/_update/1", false },
		{ HTTP_POST, "/logs-a/_delete_by_query", false },
		{ HTTP_POST, "/logs-a/_update_by_query", false },
		{ HTTP_PUT, "/logs-a", false },
		{ HTTP_DELETE, "/logs-a", false },
		{ HTTP_DELETE, "/logs-a/_search", false },
		{ HTTP_PUT, "/logs-a/_search", false },
		{ HTTP_POST, "/logs-a/_search/../_doc", false },
		{ HTTP_POST, "/logs-a/_search/%2e%2e/_doc", false },
		{ HTTP_POST, "/%2E%2E/_search", false },
		{ HTTP_POST, "//_search", false },
		{ HTTP_POST, "/logs-a//_search", false },
		{ HTTP_POST, "/logs-a/_search/", false },
		{ HTTP_POST, "/logs-a\\_search", false },
		{ HTTP_POST, "/logs-a/_search#x", false },
		{ HTTP_POST, "_search", false },
		{ HTTP_POST, "/_search/scroll", false },
		{ HTTP_POST, "/a/b/_search", false },
		{ HTTP_POST, "/_doc/_search", false },
		{ HTTP_POST, "/_snapshot/repo/snap/_restore", false },
		{ HTTP_POST, "/_security/api_key", false },
		{ HTTP_PATCH, "/logs-a/_search", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (elasticsearch_is_read(cases[i].m, cases[i].path) != cases[i].read)
			fail_msg("%d %s: expected %s", (int)cases[i].m, cases[i].path,
				 cases[i].read ? "read" : "write");
	assert_false(elasticsearch_is_read(HTTP_GET, NULL));
}

/* "a|b|c" from the terms, or "" */
static void
terms_of(const char *q, char *out, size_t n)
{
	size_t k, cnt;
	char **t = elasticsearch_query_terms(q, &cnt);

	out[0] = '\0';
	for (k = 0; k < cnt; k++) {
		if (k > 0)
			strncat(out, "|", n - strlen(out) - 1);
		strncat(out, t[k], n - strlen(out) - 1);
	}
	if (cnt == 0)
		assert_null(t);
	elasticsearch_terms_free(t, cnt);
}

static void
test_query_terms(void **state)
{
	static const struct {
		const char *q, *want;
	} cases[] = {
		{ "", "" },
		{ "*", "" },
		{ "timeout", "timeout" },
		{ "timeout orders", "timeout|orders" },
		{ "timeout AND orders OR payments", "timeout|orders|payments" },
		{ "\"connection reset\" AND peer", "connection reset|peer" },
		{ "message:\"card declined\"~2 level:error", "card declined|error" },
		{ "log.level:ERROR AND service.name:orders", "ERROR|orders" },
		{ "quick^2 brown~ fox~1 jump^0.5", "quick|brown|fox|jump" },
		{ "status:[500 TO 599] error", "error" },
		{ "latency:{100 TO *] slow", "slow" },
		{ "status:>=500 bytes:<10 x", "x" },
		{ "NOT debug error", "error" },
		{ "-debug +error !trace", "error" },
		{ "error AND NOT (health OR ping) timeout", "error|timeout" },
		{ "error -(a b) c", "error|c" },
		{ "pay* ord?r", "pay*|ord?r" },
		{ "name:/joh?n(ath[oa]n)/ x", "x" },
		{ "_exists_:trace.id oops", "oops" },
		{ "service.name:(orders OR payments)", "orders|payments" },
		{ "a\\:b c\\ d", "a:b|c d" },
		{ "\"say \\\"hi\\\"\"", "say \"hi\"" },
		{ "dup dup DUP", "dup|DUP" },
		{ "error && timeout || x", "error|timeout|x" },
		{ "주문 AND 🛒cart", "주문|🛒cart" },
		{ "(unbalanced ((", "unbalanced" },
		{ "))] } stray", "stray" },
		{ "\"unterminated phrase", "unterminated phrase" },
		{ "field:", "" },
		{ "a:b:c", "c" },
		{ "AND OR NOT TO", "" },
		{ "to and or", "to|and|or" },
	};
	char got[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		terms_of(cases[i].q, got, sizeof got);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("query '%s': got '%s', want '%s'", cases[i].q, got, cases[i].want);
	}
	{
		size_t n = 99;

		assert_null(elasticsearch_query_terms(NULL, &n));
		assert_int_equal(n, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_fields),
		cmocka_unit_test(test_search_first_page),
		cmocka_unit_test(test_search_paging_and_tail),
		cmocka_unit_test(test_search_custom_fields),
		cmocka_unit_test(test_search_refusals),
		cmocka_unit_test(test_histogram_request),
		cmocka_unit_test(test_histogram_interval),
		cmocka_unit_test(test_errors_request),
		cmocka_unit_test(test_builders_locale_independent),
		cmocka_unit_test(test_hits_es8),
		cmocka_unit_test(test_hits_es7_and_opensearch),
		cmocka_unit_test(test_hits_times_from_field),
		cmocka_unit_test(test_hits_tail_and_missing),
		cmocka_unit_test(test_hits_custom_fields),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_nul_and_escapes),
		cmocka_unit_test(test_huge_message_cut),
		cmocka_unit_test(test_emoji_cut),
		cmocka_unit_test(test_big_numbers),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_errors_per_service),
		cmocka_unit_test(test_error_bodies),
		cmocka_unit_test(test_error_long_reason_keeps_advice),
		cmocka_unit_test(test_not_search_answers),
		cmocka_unit_test(test_level_is_error),
		cmocka_unit_test(test_is_read),
		cmocka_unit_test(test_query_terms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
