/*
 * test_zipkin_query.c - the Traces screen's search line (zipkin_query_parse)
 * and its durations (zipkin_duration_us): the examples a user types, what
 * they become in the request, and the words that are refused.
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

static void
test_durations(void **state)
{
	(void)state;
	assert_int_equal(zipkin_duration_us("250ms"), 250000);
	assert_int_equal(zipkin_duration_us("1.5s"), 1500000);
	assert_int_equal(zipkin_duration_us("800us"), 800);
	assert_int_equal(zipkin_duration_us("800\xc2\xb5s"), 800);
	assert_int_equal(zipkin_duration_us("2m"), 120000000);
	assert_int_equal(zipkin_duration_us("1h"), 3600000000LL);
	assert_int_equal(zipkin_duration_us("1d"), 86400000000LL);
	assert_int_equal(zipkin_duration_us("1h30m"), 5400000000LL);
	assert_int_equal(zipkin_duration_us("0.5ms"), 500);
	assert_int_equal(zipkin_duration_us("0s"), 0);
	/* no unit, unknown units, signs, blanks, garbage */
	assert_int_equal(zipkin_duration_us("250"), -1);
	assert_int_equal(zipkin_duration_us("5x"), -1);
	assert_int_equal(zipkin_duration_us("5sec"), -1);
	assert_int_equal(zipkin_duration_us("1w"), -1);
	assert_int_equal(zipkin_duration_us("-5s"), -1);
	assert_int_equal(zipkin_duration_us("+5s"), -1);
	assert_int_equal(zipkin_duration_us("5 s"), -1);
	assert_int_equal(zipkin_duration_us("ms"), -1);
	assert_int_equal(zipkin_duration_us(""), -1);
	assert_int_equal(zipkin_duration_us(NULL), -1);
	assert_int_equal(zipkin_duration_us("99999999999999999999d"), -1);
}

/* Parse line into q with a store of n bytes; fail the test on an error. */
static void
parse_ok(const char *line, struct zk_query *q, char *store, size_t n)
{
	struct err e;

	err_clear(&e);
	if (zipkin_query_parse(line, q, store, n, &e) != 0)
		fail_msg("\"%s\": %s", line != NULL ? line : "(null)", e.msg);
}

static void
test_query_examples(void **state)
{
	struct zk_query q;
	char store[256];
	char *p;

	(void)state;
	parse_ok("service=checkout >250ms http.status_code=500 error since=15m limit=50", &q, store,
		 sizeof store);
	assert_string_equal(q.service, "checkout");
	assert_null(q.span_name);
	assert_string_equal(q.annotation_query, "http.status_code=500 and error");
	assert_int_equal(q.min_duration_us, 250000);
	assert_int_equal(q.max_duration_us, 0);
	assert_true(q.lookback_s == 900.0);
	assert_int_equal(q.limit, 50);
	assert_true(q.end_ts <= 0);
	/* what goes to Zipkin */
	p = zipkin_traces_path(&q);
	assert_string_equal(p, "/api/v2/traces?serviceName=checkout"
			       "&annotationQuery=http.status_code%3D500%20and%20error"
			       "&minDuration=250000&lookback=900000&limit=50");
	free(p);

	parse_ok("span=\"get /orders/{id}\" min=1.5s max=3s lookback=2h", &q, store, sizeof store);
	assert_null(q.service);
	assert_string_equal(q.span_name, "get /orders/{id}");
	assert_int_equal(q.min_duration_us, 1500000);
	assert_int_equal(q.max_duration_us, 3000000);
	assert_true(q.lookback_s == 7200.0);
	assert_null(q.annotation_query);
	assert_int_equal(q.limit, 0);

	/* "and" between terms is read as Zipkin reads it; quotes group blanks */
	parse_ok("  error and http.path=\"/a b\"\t<800us  ", &q, store, sizeof store);
	assert_string_equal(q.annotation_query, "error and http.path=/a b");
	assert_int_equal(q.max_duration_us, 800);
	assert_int_equal(q.min_duration_us, 0);

	/* a bare service name is not guessed: it is an annotation key */
	parse_ok("payments", &q, store, sizeof store);
	assert_null(q.service);
	assert_string_equal(q.annotation_query, "payments");

	/* the last of a repeated keyword wins; >= and <= as > and < */
	parse_ok("service=a service=b >=1ms <=2ms", &q, store, sizeof store);
	assert_string_equal(q.service, "b");
	assert_int_equal(q.min_duration_us, 1000);
	assert_int_equal(q.max_duration_us, 2000);

	/* the empty line: Zipkin's defaults */
	parse_ok("", &q, store, sizeof store);
	assert_null(q.service);
	assert_null(q.annotation_query);
	assert_int_equal(q.limit, 0);
	p = zipkin_traces_path(&q);
	assert_string_equal(p, "/api/v2/traces?limit=10");
	free(p);
	parse_ok(NULL, &q, store, sizeof store);
}

/* Assert that line is refused with a message containing want (and q left empty). */
static void
refused(const char *line, const char *want)
{
	struct zk_query q;
	char store[128];
	struct err e;

	err_clear(&e);
	assert_int_equal(zipkin_query_parse(line, &q, store, sizeof store, &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
	if (strstr(e.msg, want) == NULL)
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", line, e.msg, want);
	assert_null(q.service);
	assert_null(q.annotation_query);
	assert_int_equal(q.min_duration_us, 0);
}

static void
test_query_errors(void **state)
{
	(void)state;
	refused("service=checkout min=abc",
		"zipkin: search: \"min=abc\" is not a duration — write e.g. >250ms or min=1.5s");
	refused(">250", "\">250\" is not a duration — write e.g. >250ms");
	refused("<5x", "\"<5x\" is not a duration — write e.g. <2s");
	refused("since=1w", "\"since=1w\" is not a duration — write e.g. since=15m");
	refused("since=-15m",
		"\"since=-15m\": a duration cannot be negative — write e.g. since=15m");
	refused(">-1s", "cannot be negative");
	refused("since=0s", "\"since=0s\" looks back no time at all");
	refused("limit=0", "\"limit=0\" is not a limit from 1 to 1000 — write e.g. limit=50");
	refused("limit=1001", "\"limit=1001\"");
	refused("limit=5x", "\"limit=5x\"");
	refused("limit=", "\"limit=\"");
	refused("service=", "\"service=\" needs a name — write e.g. service=checkout");
	refused("span=\"\"", "needs a name — write e.g. span=");
	refused(">2s <1s", "\">2s\" asks for more than \"<1s\" allows");
	refused("=500", "\"=500\" is not a term — write KEY=VALUE or KEY");
	refused("http.status_code=", "\"http.status_code=\" is not a term");
	refused("span=\"get /orders", "the quote opened in span=\"get /orders is not closed");
	refused("http.path=\"/x and y\"", "holds \" and \"");
}

static void
test_query_store(void **state)
{
	struct zk_query q;
	char small[12];
	struct err e;

	(void)state;
	/* strings point into the store, which must hold them all */
	assert_int_equal(zipkin_query_parse("service=checkout", &q, small, sizeof small, &e), 0);
	assert_true(q.service >= small && q.service < small + sizeof small);
	assert_int_equal(zipkin_query_parse("service=checkout error", &q, small, sizeof small, &e),
			 -1);
	assert_non_null(strstr(e.msg, "the search line is too long"));
	assert_int_equal(
		zipkin_query_parse("service=a-much-longer-name", &q, small, sizeof small, &e), -1);
	assert_int_equal(zipkin_query_parse("error", &q, NULL, 0, &e), -1);
	assert_int_equal(zipkin_query_parse(">1s", &q, NULL, 0, &e), 0);
	assert_int_equal(q.min_duration_us, 1000000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_query_examples),
		cmocka_unit_test(test_query_errors),
		cmocka_unit_test(test_query_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
