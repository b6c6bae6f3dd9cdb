/*
 * test_zipkin.c - the Zipkin v2 parsers against answers as Zipkin 2.x
 * writes them (tests/fixtures/zipkin, see its README) and against
 * malformed ones; span helpers, ids, request paths and the read-only
 * allow-list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zipkin.h"

#define FIX TESTS_DIR "/fixtures/zipkin/"
#define T0 1795341600000000LL /* 2026-11-22T10:00:00Z in microseconds */
#define TID "5af7183fb1d4cf5f6e3c8e1a1d2b4c90"

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

/* Parse a one-trace body given inline; returns the parser's result. */
static int
trace_of(const char *body, struct zk_span **s, size_t *n, struct err *e)
{
	err_clear(e);
	return zipkin_parse_trace(200, body, strlen(body), NULL, s, n, e);
}

/* Assert that body fails as a trace with a message containing want. */
static void
trace_fails(const char *body, const char *want)
{
	struct zk_span *s = (struct zk_span *)1;
	struct err e;
	size_t n = 99;

	assert_int_equal(trace_of(body, &s, &n, &e), -1);
	assert_null(s);
	assert_int_equal(n, 0);
	if (strstr(e.msg, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, want);
	assert_int_equal(strncmp(e.msg, "zipkin: ", 8), 0);
}

/* ---- one trace --------------------------------------------------------- */

static void
test_trace_fixture(void **state)
{
	struct zk_span *s;
	struct err e;
	size_t n, len;
	long st;
	char *b = fixture("trace_checkout", &len, &st);

	(void)state;
	assert_int_equal(zipkin_parse_trace(st, b, len, NULL, &s, &n, &e), 0);
	assert_int_equal(n, 10);
	/* the root: 128-bit trace id kept whole, no parent, server, endpoints */
	assert_string_equal(s[0].trace_id, TID);
	assert_string_equal(s[0].id, "a1b2c3d4e5f60718");
	assert_string_equal(s[0].parent_id, "");
	assert_string_equal(s[0].name, "get /checkout");
	assert_int_equal(s[0].kind, ZK_KIND_SERVER);
	assert_true(s[0].has_ts && s[0].has_dur);
	assert_int_equal(s[0].ts_us, T0);
	assert_int_equal(s[0].dur_us, 182000);
	assert_string_equal(s[0].local.service, "gateway");
	assert_string_equal(s[0].local.ipv4, "10.0.0.2");
	assert_null(s[0].local.ipv6);
	assert_int_equal(s[0].local.port, 8080);
	assert_null(s[0].remote.service);
	assert_string_equal(s[0].remote.ipv4, "192.168.1.50");
	assert_int_equal(s[0].remote.port, 51234);
	/* tags in the order received, the error marker */
	assert_int_equal(s[0].ntags, 4);
	assert_string_equal(s[0].tags[0].key, "http.method");
	assert_string_equal(s[0].tags[3].key, "error");
	assert_string_equal(zk_span_tag(&s[0], "http.status_code"), "502");
	assert_true(zk_span_error(&s[0]));
	assert_false(s[0].shared);
	/* client half and server half of one RPC share the id */
	assert_int_equal(s[1].kind, ZK_KIND_CLIENT);
	assert_string_equal(s[1].parent_id, "a1b2c3d4e5f60718");
	assert_string_equal(s[1].remote.service, "checkout");
	assert_false(zk_span_error(&s[1]));
	assert_int_equal(s[1].nannotations, 2);
	assert_int_equal(s[1].annotations[0].ts_us, T0 + 1250);
	assert_string_equal(s[1].annotations[0].value, "wire-send");
	assert_string_equal(s[1].annotations[1].value, "wire-recv");
	assert_string_equal(s[2].id, s[1].id);
	assert_int_equal(s[2].kind, ZK_KIND_SERVER);
	assert_true(s[2].shared);
	/* a local span: no kind; text kept verbatim */
	assert_int_equal(s[3].kind, ZK_KIND_NONE);
	assert_string_equal(zipkin_kind_name(s[3].kind), "");
	assert_string_equal(zk_span_tag(&s[3], "note"), "\x1b[31mred\x1b[0m 주문 확인 🛒");
	/* a client to an uninstrumented database */
	assert_string_equal(s[4].remote.service, "mysql");
	assert_int_equal(s[4].remote.port, 3306);
	/* IPv6, annotation, error on the server half */
	assert_string_equal(s[6].local.ipv6, "2001:db8::c001");
	assert_null(s[6].local.ipv4);
	assert_string_equal(zk_span_tag(&s[6], "error"), "card processor timeout");
	/* messaging */
	assert_int_equal(s[7].kind, ZK_KIND_PRODUCER);
	assert_string_equal(zipkin_kind_name(s[7].kind), "PRODUCER");
	assert_int_equal(s[8].kind, ZK_KIND_CONSUMER);
	assert_true(s[8].debug);
	assert_false(s[7].debug);
	/* a late span: no timestamp, no duration */
	assert_false(s[9].has_ts);
	assert_false(s[9].has_dur);
	assert_int_equal(s[9].ts_us, 0);
	assert_int_equal(s[9].nannotations, 0);
	assert_null(zk_span_tag(&s[9], "error"));
	zk_spans_free(s, n);
	free(b);
}

static void
test_span_helpers(void **state)
{
	struct zk_span *s;
	struct err e;
	size_t n, small, big;

	(void)state;
	assert_int_equal(trace_of("[{\"traceId\":\"1\",\"id\":\"2\"},"
				  "{\"traceId\":\"1\",\"id\":\"3\",\"name\":\"a longer name here\","
				  "\"tags\":{\"k\":\"v\",\"error\":\"\"},"
				  "\"annotations\":[{\"timestamp\":5,\"value\":\"x\"}]}]",
				  &s, &n, &e),
			 0);
	small = zk_span_bytes(&s[0]);
	big = zk_span_bytes(&s[1]);
	assert_true(small >= sizeof(struct zk_span));
	/* every string and array counts: name 19 + tags 2*16+2+2+6+1 + annotation 24+2 */
	assert_true(big >=
		    small + 19 + 2 * sizeof(struct zk_tag) + 11 + sizeof(struct zk_annotation) + 2);
	/* an empty error tag still marks the span failed, as Zipkin reads it */
	assert_true(zk_span_error(&s[1]));
	assert_string_equal(zk_span_tag(&s[1], "error"), "");
	assert_null(zk_span_tag(&s[1], "missing"));
	assert_null(zk_span_tag(NULL, "k"));
	assert_int_equal(zk_span_bytes(NULL), 0);
	zk_span_clear(&s[1]);
	assert_null(s[1].name);
	assert_null(s[1].tags);
	assert_int_equal(s[1].ntags, 0);
	assert_string_equal(s[1].id, "");
	zk_span_clear(NULL);
	zk_spans_free(s, n);
	zk_spans_free(NULL, 3);
	assert_string_equal(zipkin_kind_name(ZK_KIND_CLIENT), "CLIENT");
	assert_string_equal(zipkin_kind_name(ZK_KIND_SERVER), "SERVER");
	assert_string_equal(zipkin_kind_name(ZK_KIND_CONSUMER), "CONSUMER");
}

/* Ids as Zipkin's Span.Builder normalises them; tolerated absences. */
static void
test_trace_normalises(void **state)
{
	struct zk_span *s;
	struct err e;
	size_t n;

	(void)state;
	assert_int_equal(
		trace_of("[{\"traceId\":\"ABC\",\"id\":\"7F\",\"parentId\":\"0000000000000000\","
			 "\"localEndpoint\":{\"serviceName\":\"Gateway\",\"port\":0},"
			 "\"remoteEndpoint\":null,\"name\":\"\",\"timestamp\":0,\"duration\":null,"
			 "\"kind\":\"GATEWAY\",\"futureMember\":{\"x\":[1,2]},\"tags\":{\"n\":500,"
			 "\"b\":true}},"
			 "{\"traceId\":\"00000000000000001234567890abcdef\",\"id\":\"1\","
			 "\"parentId\":"
			 "\"1\",\"timestamp\":1.7953416e15,\"shared\":false},"
			 "{\"traceId\":\"fedcba98765432100123456789abcdef\",\"id\":"
			 "\"00000000000000ff\","
			 "\"parentId\":\"0A\",\"name\":\"n\\u0000ul\"}]",
			 &s, &n, &e),
		0);
	assert_int_equal(n, 3);
	assert_string_equal(s[0].trace_id, "0000000000000abc");
	assert_string_equal(s[0].id, "000000000000007f");
	assert_string_equal(s[0].parent_id, ""); /* a zero parent is no parent */
	assert_string_equal(s[0].local.service, "gateway");
	assert_int_equal(s[0].local.port, 0);
	assert_null(s[0].remote.service);
	assert_null(s[0].name);                    /* an empty name is absent */
	assert_int_equal(s[0].kind, ZK_KIND_NONE); /* a kind from the future is dropped */
	assert_false(s[0].has_ts);
	assert_false(s[0].has_dur);
	assert_string_equal(zk_span_tag(&s[0], "n"), "500");
	assert_string_equal(zk_span_tag(&s[0], "b"), "true");
	/* a 128-bit id whose upper half is zero is the 64-bit id */
	assert_string_equal(s[1].trace_id, "1234567890abcdef");
	assert_string_equal(s[1].parent_id, ""); /* its own parent: dropped */
	assert_true(s[1].has_ts);
	assert_int_equal(s[1].ts_us, 1795341600000000LL);
	assert_string_equal(s[2].trace_id, "fedcba98765432100123456789abcdef");
	assert_string_equal(s[2].id, "00000000000000ff");
	assert_string_equal(s[2].parent_id, "000000000000000a");
	assert_string_equal(s[2].name, "n\xef\xbf\xbdul"); /* NUL as U+FFFD */
	zk_spans_free(s, n);
}

static void
test_trace_malformed(void **state)
{
	(void)state;
	trace_fails("[{\"traceId\":\"1\",\"id\":\"2\"},{\"traceId\":\"1\",\"id\":7}]",
		    "/api/v2/trace: span 1: \"id\" is not a string");
	trace_fails("[{\"traceId\":\"1\"}]", "span 0: \"id\" is missing");
	trace_fails("[{\"id\":\"1\"}]", "span 0: \"traceId\" is missing");
	trace_fails("[{\"traceId\":\"xyz\",\"id\":\"1\"}]",
		    "span 0: \"traceId\" \"xyz\" is not 1 to 32 hex digits");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"12345678901234567\"}]",
		    "\"id\" \"12345678901234567\" is not 1 to 16 hex digits");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"0000\"}]", "not all zero");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"parentId\":\"g1\"}]",
		    "\"parentId\" \"g1\"");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"timestamp\":\"1795341600000000\"}]",
		    "span 0: \"timestamp\" is not a non-negative integer");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"duration\":-5}]", "\"duration\" is not");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"duration\":1.5}]", "\"duration\" is not");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"name\":[\"x\"]}]",
		    "\"name\" is not a string");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"kind\":1}]", "\"kind\" is not a string");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"shared\":\"true\"}]",
		    "\"shared\" is not true or false");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"localEndpoint\":\"gw\"}]",
		    "\"localEndpoint\" is not an object");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"remoteEndpoint\":{\"port\":\"80\"}}]",
		    "\"remoteEndpoint.port\" is not an integer");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"localEndpoint\":{\"serviceName\":5}}]",
		    "\"localEndpoint.serviceName\" is not a string");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"tags\":[\"error\"]}]",
		    "\"tags\" is not an object");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"tags\":{\"a\":\"b\",\"http\":{\"x\":1}}}]",
		    "span 0: tag \"http\" is not a string");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"annotations\":{}}]",
		    "\"annotations\" is not a list");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"annotations\":[{\"timestamp\":1,\"value\":"
		    "\"a\"},{\"timestamp\":2}]}]",
		    "\"annotations[1].value\" is not a string");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\",\"annotations\":[{\"timestamp\":\"x\","
		    "\"value\":\"a\"}]}]",
		    "\"annotations[0].timestamp\"");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\"},\"span\"]", "span 1 is not a JSON object");
	trace_fails("{\"traceId\":\"1\",\"id\":\"1\"}", "not the list");
	trace_fails("[{\"traceId\":\"1\",\"id\":\"1\"", "malformed JSON");
	trace_fails("", "not JSON (empty)");
	trace_fails("[]", "trace ID not found");
}

static void
test_trace_statuses(void **state)
{
	struct zk_span *s;
	struct err e;
	size_t n, len;
	long st;
	char *b;

	(void)state;
	b = fixture("trace_not_found", &len, &st);
	assert_int_equal(zipkin_parse_trace(st, b, len, NULL, &s, &n, &e), -1);
	assert_int_equal(e.code, ERR_BACKEND);
	assert_string_equal(e.msg, "zipkin: trace ID not found — it may have expired from Zipkin's "
				   "storage; search again for a recent one");
	free(b);
	b = fixture("error_html_502", &len, &st);
	assert_int_equal(zipkin_parse_trace(st, b, len, NULL, &s, &n, &e), -1);
	assert_int_equal(e.code, ERR_HTTP);
	assert_string_equal(e.msg, "zipkin: /api/v2/trace: HTTP 502 Bad Gateway — Zipkin or its "
				   "storage is failing; check the Zipkin server's logs");
	free(b);
	b = fixture("login_page", &len, &st);
	assert_int_equal(zipkin_parse_trace(st, b, len, NULL, &s, &n, &e), -1);
	assert_int_equal(e.code, ERR_PARSE);
	assert_non_null(strstr(e.msg, "not JSON (\"<!DOCTYPE html>"));
	assert_non_null(strstr(e.msg, "[zipkin] url"));
	free(b);
	assert_int_equal(zipkin_parse_trace(401, "", 0, NULL, &s, &n, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_string_equal(e.msg, "zipkin: /api/v2/trace: HTTP 401 Unauthorized — check [zipkin] "
				   "token_file, or username and password_file");
	assert_int_equal(zipkin_parse_trace(204, NULL, 0, NULL, &s, &n, &e), -1);
	assert_int_equal(e.code, ERR_PARSE);
}

static void
test_trace_max_spans(void **state)
{
	const char *three = "[{\"traceId\":\"1\",\"id\":\"1\"},{\"traceId\":\"1\",\"id\":\"2\"},"
			    "{\"traceId\":\"1\",\"id\":\"3\"}]";
	struct zk_limits lim = { 2 };
	struct zk_span *s;
	struct err e;
	size_t n;

	(void)state;
	assert_int_equal(zipkin_parse_trace(200, three, strlen(three), &lim, &s, &n, &e), -1);
	assert_int_equal(e.code, ERR_TOOBIG);
	assert_null(s);
	assert_string_equal(e.msg, "zipkin: the trace has 3 spans, more than the 2 allowed — raise "
				   "[traces] max_spans to open it");
	lim.max_spans = 3;
	assert_int_equal(zipkin_parse_trace(200, three, strlen(three), &lim, &s, &n, &e), 0);
	assert_int_equal(n, 3);
	zk_spans_free(s, n);
}

/* ---- lists ------------------------------------------------------------- */

static void
test_traces_fixture(void **state)
{
	struct zk_trace_summary *t;
	struct err e;
	size_t n, len;
	long st;
	char *b = fixture("traces", &len, &st);

	(void)state;
	assert_int_equal(zipkin_parse_traces(st, b, len, NULL, &t, &n, &e), 0);
	assert_int_equal(n, 3);
	/* root listed second: found by having no parent */
	assert_string_equal(t[0].trace_id, TID);
	assert_int_equal(t[0].start_us, T0);
	assert_int_equal(t[0].duration_us, 182000);
	assert_int_equal(t[0].nspans, 4);
	assert_string_equal(t[0].root_service, "gateway");
	assert_string_equal(t[0].root_name, "get /checkout");
	assert_int_equal(t[0].nservices, 3);
	assert_string_equal(t[0].services[0], "checkout");
	assert_string_equal(t[0].services[1], "gateway");
	assert_string_equal(t[0].services[2], "payments");
	assert_int_equal(t[0].nerrors, 3);
	assert_false(t[0].too_big);
	/* 64-bit */
	assert_string_equal(t[1].trace_id, "7b3d9f2a1c4e6f80");
	assert_string_equal(t[1].root_service, "orders");
	assert_string_equal(t[1].root_name, "get /orders/{id}");
	assert_int_equal(t[1].duration_us, 24000);
	assert_int_equal(t[1].nerrors, 0);
	assert_int_equal(t[1].nservices, 2);
	assert_string_equal(t[1].services[0], "inventory");
	/* no root: the earliest span stands in; only local services count */
	assert_string_equal(t[2].root_service, "worker");
	assert_string_equal(t[2].root_name, "process");
	assert_int_equal(t[2].start_us, 1795341500250000LL);
	assert_int_equal(t[2].duration_us, 10000);
	assert_int_equal(t[2].nservices, 2);
	assert_string_equal(t[2].services[0], "auditor");
	assert_string_equal(t[2].services[1], "worker");
	zipkin_summaries_free(t, n);
	free(b);

	b = fixture("traces_empty", &len, &st);
	assert_int_equal(zipkin_parse_traces(st, b, len, NULL, &t, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_null(t);
	free(b);
}

static void
test_traces_too_big_and_bad(void **state)
{
	const char *body = "[[{\"traceId\":\"a\",\"id\":\"1\",\"name\":\"big\",\"localEndpoint\":"
			   "{\"serviceName\":\"x\"}},{\"traceId\":\"a\",\"id\":\"2\",\"parentId\":"
			   "\"1\"},{\"traceId\":\"a\",\"id\":\"3\",\"parentId\":\"1\"}],[],"
			   "[{\"traceId\":\"b\",\"id\":\"1\"}]]";
	struct zk_limits lim = { 2 };
	struct zk_trace_summary *t;
	struct err e;
	size_t n, len;
	long st;
	char *b;

	(void)state;
	assert_int_equal(zipkin_parse_traces(200, body, strlen(body), &lim, &t, &n, &e), 0);
	assert_int_equal(n, 2); /* the empty trace is not listed */
	assert_true(t[0].too_big);
	assert_int_equal(t[0].nspans, 3);
	assert_string_equal(t[0].root_name, "big");
	assert_false(t[1].too_big);
	assert_string_equal(t[1].root_service, ""); /* no service anywhere */
	assert_string_equal(t[1].root_name, "");
	assert_int_equal(t[1].nservices, 0);
	assert_int_equal(t[1].duration_us, 0);
	zipkin_summaries_free(t, n);

	body = "[[{\"traceId\":\"a\",\"id\":\"1\"}],[{\"traceId\":\"b\",\"id\":\"1\"},{\"traceId\":"
	       "\"b\",\"id\":\"2\",\"duration\":\"5ms\"}]]";
	assert_int_equal(zipkin_parse_traces(200, body, strlen(body), NULL, &t, &n, &e), -1);
	assert_null(t);
	assert_int_equal(n, 0);
	assert_string_equal(e.msg, "zipkin: /api/v2/traces: trace 1, span 1: \"duration\" is not a "
				   "non-negative integer (microseconds)");
	body = "[{\"traceId\":\"a\",\"id\":\"1\"}]";
	assert_int_equal(zipkin_parse_traces(200, body, strlen(body), NULL, &t, &n, &e), -1);
	assert_non_null(strstr(e.msg, "trace 0 is not a list of spans"));

	b = fixture("traces_bad_request", &len, &st);
	assert_int_equal(zipkin_parse_traces(st, b, len, NULL, &t, &n, &e), -1);
	assert_string_equal(e.msg, "zipkin: /api/v2/traces: HTTP 400 Bad Request \"maxDuration is "
				   "only valid with minDuration\" — check the search (durations, "
				   "limit 1..1000, service and span names)");
	free(b);
	assert_int_equal(zipkin_parse_traces(404, "", 0, NULL, &t, &n, &e), -1);
	assert_non_null(strstr(e.msg, "check [zipkin] url"));
	assert_null(strstr(e.msg, "trace ID not found"));
}

static void
test_dependencies(void **state)
{
	struct zk_link *l;
	struct err e;
	size_t n, len;
	long st;
	char *b = fixture("dependencies", &len, &st);
	const char *bad;

	(void)state;
	assert_int_equal(zipkin_parse_dependencies(st, b, len, &l, &n, &e), 0);
	assert_int_equal(n, 5);
	assert_string_equal(l[0].parent, "gateway");
	assert_string_equal(l[0].child, "checkout");
	assert_int_equal(l[0].calls, 1520);
	assert_int_equal(l[0].errors, 12);
	assert_int_equal(l[1].errors, 37);
	assert_string_equal(l[2].child, "mysql");
	assert_int_equal(l[2].calls, 1502);
	assert_int_equal(l[2].errors, 0); /* left out when 0 */
	zipkin_links_free(l, n);
	free(b);
	bad = "[{\"parent\":\"a\",\"child\":\"b\"},{\"parent\":\"a\",\"callCount\":3}]";
	assert_int_equal(zipkin_parse_dependencies(200, bad, strlen(bad), &l, &n, &e), -1);
	assert_null(l);
	assert_string_equal(
		e.msg, "zipkin: /api/v2/dependencies: link 1: \"child\" is not a service name");
	bad = "[{\"parent\":\"a\",\"child\":\"b\",\"errorCount\":\"3\"}]";
	assert_int_equal(zipkin_parse_dependencies(200, bad, strlen(bad), &l, &n, &e), -1);
	assert_non_null(strstr(e.msg, "\"errorCount\" is not a non-negative integer"));
	assert_int_equal(zipkin_parse_dependencies(503, "storage down", 12, &l, &n, &e), -1);
	assert_string_equal(e.msg, "zipkin: /api/v2/dependencies: HTTP 503 Service Unavailable "
				   "\"storage down\" — Zipkin or its storage is failing; check the "
				   "Zipkin server's logs");
	assert_int_equal(zipkin_parse_dependencies(200, "[]", 2, &l, &n, &e), 0);
	assert_int_equal(n, 0);
	zipkin_links_free(NULL, 0);
}

static void
test_names(void **state)
{
	char **v;
	struct err e;
	size_t n, len;
	long st;
	char *b = fixture("services", &len, &st);

	(void)state;
	assert_int_equal(zipkin_parse_names(st, b, len, &v, &n, &e), 0);
	assert_int_equal(n, 6);
	assert_string_equal(v[0], "checkout");
	assert_string_equal(v[5], "payments");
	zipkin_names_free(v, n);
	free(b);
	b = fixture("span_names", &len, &st);
	assert_int_equal(zipkin_parse_names(st, b, len, &v, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[2], "post /charge");
	zipkin_names_free(v, n);
	free(b);
	assert_int_equal(zipkin_parse_names(200, "[\"a\",null]", 10, &v, &n, &e), -1);
	assert_null(v);
	assert_non_null(strstr(e.msg, "item 1 is not a string"));
	assert_int_equal(zipkin_parse_names(200, "[]", 2, &v, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_null(v);
}

/* ---- ids, paths, allow-list -------------------------------------------- */

static void
test_trace_id_norm(void **state)
{
	char out[33];

	(void)state;
	assert_true(zipkin_trace_id_norm("5AF7183FB1D4CF5F6E3C8E1A1D2B4C90", out));
	assert_string_equal(out, TID);
	assert_true(zipkin_trace_id_norm("abc", out));
	assert_string_equal(out, "0000000000000abc");
	assert_true(zipkin_trace_id_norm("1234567890abcdef1", out));
	assert_string_equal(out, "000000000000000"
				 "1234567890abcdef1");
	assert_true(zipkin_trace_id_norm("0000000000000000463ac35c9f6413ad", out));
	assert_string_equal(out, "463ac35c9f6413ad");
	assert_false(zipkin_trace_id_norm("", out));
	assert_false(zipkin_trace_id_norm(NULL, out));
	assert_false(zipkin_trace_id_norm("000", out));
	assert_false(zipkin_trace_id_norm("5af7183fb1d4cf5f6e3c8e1a1d2b4c90a", out));
	assert_false(zipkin_trace_id_norm("5af7-183f", out));
	assert_false(zipkin_trace_id_norm(" abc", out));
	assert_string_equal(out, "");
}

static void
test_paths(void **state)
{
	struct zk_query q = { 0 };
	char *p;

	(void)state;
	p = zipkin_traces_path(&q);
	assert_string_equal(p, "/api/v2/traces?limit=10");
	free(p);
	q.service = "checkout";
	q.span_name = "get /orders";
	q.annotation_query = "http.status_code=500 and error";
	q.min_duration_us = 250000;
	q.max_duration_us = 2000000;
	q.end_ts = 1795341600.5;
	q.lookback_s = 900;
	q.limit = 50;
	p = zipkin_traces_path(&q);
	assert_string_equal(p, "/api/v2/traces?serviceName=checkout&spanName=get%20%2Forders"
			       "&annotationQuery=http.status_code%3D500%20and%20error"
			       "&minDuration=250000&maxDuration=2000000&endTs=1795341600500"
			       "&lookback=900000&limit=50");
	free(p);
	/* Zipkin refuses maxDuration alone: a minimum of 1 us bounds nothing */
	memset(&q, 0, sizeof q);
	q.service = "";
	q.max_duration_us = 800;
	p = zipkin_traces_path(&q);
	assert_string_equal(p, "/api/v2/traces?minDuration=1&maxDuration=800&limit=10");
	free(p);
	p = zipkin_trace_path("5AF7183FB1D4CF5F6E3C8E1A1D2B4C90");
	assert_string_equal(p, "/api/v2/trace/" TID);
	free(p);
	p = zipkin_trace_path("abc");
	assert_string_equal(p, "/api/v2/trace/0000000000000abc");
	free(p);
	assert_null(zipkin_trace_path("../services"));
	assert_null(zipkin_trace_path(""));
	p = zipkin_dependencies_path(0, 3600, 1795341600.0);
	assert_string_equal(p, "/api/v2/dependencies?endTs=1795341600000&lookback=3600000");
	free(p);
	p = zipkin_dependencies_path(1795341000.25, 0, 1795341600.0);
	assert_string_equal(p, "/api/v2/dependencies?endTs=1795341000250");
	free(p);
	p = zipkin_services_path();
	assert_string_equal(p, "/api/v2/services");
	free(p);
	p = zipkin_span_names_path("주문 svc");
	assert_string_equal(p, "/api/v2/spans?serviceName=%EC%A3%BC%EB%AC%B8%20svc");
	free(p);
}

static void
test_is_read(void **state)
{
	(void)state;
	assert_true(zipkin_is_read(HTTP_GET, "/api/v2/traces?serviceName=a&limit=10"));
	assert_true(zipkin_is_read(HTTP_GET, "/api/v2/trace/" TID));
	assert_true(zipkin_is_read(HTTP_GET, "/api/v2/dependencies?endTs=1"));
	assert_true(zipkin_is_read(HTTP_GET, "/api/v2/services"));
	assert_true(zipkin_is_read(HTTP_GET, "/health"));
	/* the one write of Zipkin's API, and every other method */
	assert_false(zipkin_is_read(HTTP_POST, "/api/v2/spans"));
	assert_false(zipkin_is_read(HTTP_POST, "/api/v2/traces"));
	assert_false(zipkin_is_read(HTTP_PUT, "/api/v2/services"));
	assert_false(zipkin_is_read(HTTP_DELETE, "/api/v2/trace/1"));
	/* outside the API */
	assert_false(zipkin_is_read(HTTP_GET, "/api/v1/traces"));
	assert_false(zipkin_is_read(HTTP_GET, "/api/v2/"));
	assert_false(zipkin_is_read(HTTP_GET, "/healthz"));
	assert_false(zipkin_is_read(HTTP_GET, "/actuator/shutdown"));
	assert_false(zipkin_is_read(HTTP_GET, "/api/v2/../../actuator"));
	assert_false(zipkin_is_read(HTTP_GET, "/api/v2/%2e%2e/x"));
	assert_false(zipkin_is_read(HTTP_GET, "/api/v2/a%2Fb"));
	assert_false(zipkin_is_read(HTTP_GET, "/api/v2/./x"));
	assert_false(zipkin_is_read(HTTP_GET, "/api/v2/x#y"));
	assert_false(zipkin_is_read(HTTP_GET, "api/v2/services"));
	assert_false(zipkin_is_read(HTTP_GET, NULL));
	/* built paths are reads */
	{
		struct zk_query q = { .service = "a b", .annotation_query = "error" };
		char *p = zipkin_traces_path(&q);

		assert_true(zipkin_is_read(HTTP_GET, p));
		free(p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_fixture),
		cmocka_unit_test(test_span_helpers),
		cmocka_unit_test(test_trace_normalises),
		cmocka_unit_test(test_trace_malformed),
		cmocka_unit_test(test_trace_statuses),
		cmocka_unit_test(test_trace_max_spans),
		cmocka_unit_test(test_traces_fixture),
		cmocka_unit_test(test_traces_too_big_and_bad),
		cmocka_unit_test(test_dependencies),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_trace_id_norm),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_is_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
