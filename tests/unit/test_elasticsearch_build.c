/*
 * test_elasticsearch_build.c - the Elasticsearch request side: the builders against the exact
 * bodies Elasticsearch expects, the error levels, the read-only allow-list
 * and the query_string terms.  (Answers: test_elasticsearch_parse.c;
 * error answers: test_elasticsearch_errors.c.)
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

#include "elasticsearch.h"
#include "es_test.h"

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
		cmocka_unit_test(test_level_is_error),
		cmocka_unit_test(test_is_read),
		cmocka_unit_test(test_query_terms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
