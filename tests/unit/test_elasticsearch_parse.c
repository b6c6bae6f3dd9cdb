/*
 * test_elasticsearch_parse.c - the Elasticsearch answer parsers: hits and aggregations against
 * answers in the shapes of the 7.x / 8.x / OpenSearch 2.x documentation
 * (tests/fixtures/elasticsearch, see its README) and against hostile
 * content.
 */
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
#include "es_test.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
