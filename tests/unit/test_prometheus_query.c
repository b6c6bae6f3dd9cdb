/*
 * test_prometheus_query.c - what the Query screen needs of an ad-hoc
 * answer (backends/prometheus_query.c), on answers captured from a real
 * Prometheus 2.42 (tests/fixtures/prometheus, see capture.sh): vector,
 * matrix, scalar and string results parsed and ranked highest first (NaN
 * last, ties by labels); the cap keeps the highest series and the newest
 * points; where a parse error points - "1:16:" of the real server's
 * message for sum(rate(x[5m]) is the end of the expression, "2:7:" is on
 * the second line, the "at char N" and "at line L, char N" forms of older
 * servers, no position (execution errors, times in other messages) and
 * positions outside the expression refused.
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

#include "prometheus.h"
#include "prometheus_query.h"

#define FIX TESTS_DIR "/fixtures/prometheus/"

/* Parse fixture NAME (NAME.json with the status in NAME.status) into r; returns the call's result. */
static int
parse_fixture(const char *name, struct prom_result *r, struct err *e)
{
	char path[256], *buf;
	FILE *f;
	long n, status;
	int rc;

	snprintf(path, sizeof path, FIX "%s.status", name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &status), 1);
	fclose(f);
	snprintf(path, sizeof path, FIX "%s.json", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	err_clear(e);
	rc = prometheus_parse_query(status, buf, (size_t)n, r, e);
	free(buf);
	return rc;
}

static const char *
label(const struct prom_series *s, const char *name)
{
	const char *v = prom_label_get(s->labels, s->nlabels, name);

	return v != NULL ? v : "";
}

static void
test_vector_sorted(void **state)
{
	struct prom_result r;
	struct err e;
	size_t i;

	(void)state;
	assert_int_equal(parse_fixture("vector", &r, &e), 0);
	assert_int_equal(r.type, PROM_VECTOR);
	assert_int_equal(r.nseries, 5);
	prometheus_result_sort(&r);
	/* orders 200 (88871852480) is the highest, then 주문, 🛒cart's 200, its 503, orders' 500 */
	assert_string_equal(label(&r.series[0], "service"), "orders");
	assert_string_equal(label(&r.series[0], "code"), "200");
	assert_string_equal(label(&r.series[1], "service"), "주문");
	assert_string_equal(label(&r.series[2], "service"), "🛒cart");
	assert_string_equal(label(&r.series[2], "code"), "200");
	assert_string_equal(label(&r.series[3], "code"), "503");
	assert_string_equal(label(&r.series[4], "code"), "500");
	for (i = 1; i < r.nseries; i++)
		assert_true(prometheus_series_last(&r.series[i - 1]) >=
			    prometheus_series_last(&r.series[i]));
	assert_true(fabs(prometheus_series_last(&r.series[0]) - 88871852480.0535) < 1e-3);
	prometheus_result_done(&r);
}

static void
test_special_values_last(void **state)
{
	struct prom_result r;
	struct err e;

	(void)state;
	assert_int_equal(parse_fixture("vector_special", &r, &e), 0);
	assert_int_equal(r.nseries, 3);
	prometheus_result_sort(&r);
	/* +Inf first, then -Inf, NaN last */
	assert_string_equal(label(&r.series[0], "k"), "inf");
	assert_string_equal(label(&r.series[1], "k"), "neginf");
	assert_string_equal(label(&r.series[2], "k"), "nan");
	assert_true(isnan(prometheus_series_last(&r.series[2])));
	prometheus_result_done(&r);
}

static void
test_matrix_by_last_value(void **state)
{
	struct prom_result r;
	struct err e;
	size_t i;

	(void)state;
	assert_int_equal(parse_fixture("matrix", &r, &e), 0);
	assert_int_equal(r.type, PROM_MATRIX);
	assert_true(r.nseries >= 2);
	prometheus_result_sort(&r);
	for (i = 1; i < r.nseries; i++)
		assert_true(prometheus_series_last(&r.series[i - 1]) >=
			    prometheus_series_last(&r.series[i]));
	/* the last value is the last sample's */
	assert_true(prometheus_series_last(&r.series[0]) ==
		    r.series[0].samples[r.series[0].nsamples - 1].v);
	prometheus_result_done(&r);
}

static void
test_scalar_string_empty(void **state)
{
	struct prom_result r;
	struct err e;

	(void)state;
	assert_int_equal(parse_fixture("scalar", &r, &e), 0);
	assert_int_equal(r.type, PROM_SCALAR);
	prometheus_result_sort(&r);
	assert_int_equal(r.nseries, 1);
	assert_true(prometheus_series_last(&r.series[0]) == 1.5);
	prometheus_result_done(&r);
	assert_int_equal(parse_fixture("string", &r, &e), 0);
	assert_int_equal(r.type, PROM_STRING);
	prometheus_result_sort(&r);
	assert_string_equal(r.series[0].string, "주문 🛒");
	prometheus_result_done(&r);
	assert_int_equal(parse_fixture("vector_empty", &r, &e), 0);
	assert_int_equal(r.type, PROM_VECTOR);
	assert_int_equal(r.nseries, 0);
	prometheus_result_sort(&r);
	assert_int_equal(prometheus_result_cap(&r, 10, 10), 0);
	prometheus_result_done(&r);
}

/* A matrix series whose trailing samples are NaN is ranked by its last number. */
static void
test_last_skips_nan(void **state)
{
	struct prom_sample smp[] = { { 1, 5 }, { 2, 7 }, { 3, NAN } };
	struct prom_sample nans[] = { { 1, NAN } };
	struct prom_series s = { NULL, 0, smp, 3, NULL }, n = { NULL, 0, nans, 1, NULL },
			   empty = { NULL, 0, NULL, 0, NULL };

	(void)state;
	assert_true(prometheus_series_last(&s) == 7);
	assert_true(isnan(prometheus_series_last(&n)));
	assert_true(isnan(prometheus_series_last(&empty)));
	assert_true(isnan(prometheus_series_last(NULL)));
}

static void
test_cap(void **state)
{
	struct prom_result r;
	struct err e;
	size_t before, i;

	(void)state;
	assert_int_equal(parse_fixture("matrix", &r, &e), 0);
	prometheus_result_sort(&r);
	before = r.nseries;
	{
		double last0 = prometheus_series_last(&r.series[0]);
		double t_last = r.series[0].samples[r.series[0].nsamples - 1].t;

		assert_int_equal(prometheus_result_cap(&r, 2, 3), before);
		assert_int_equal(r.nseries, 2);
		for (i = 0; i < r.nseries; i++)
			assert_true(r.series[i].nsamples <= 3);
		/* the highest series and its newest points stay */
		assert_true(prometheus_series_last(&r.series[0]) == last0);
		assert_true(r.series[0].samples[2].t == t_last);
	}
	assert_int_equal(prometheus_result_cap(&r, 0, 0), 2); /* 0: unbounded */
	assert_int_equal(r.nseries, 2);
	prometheus_result_done(&r); /* ASan: the dropped series were freed once */
}

static void
test_error_offset_real(void **state)
{
	struct prom_result r;
	struct err e;
	size_t off = 99;

	(void)state;
	/* {"error":"invalid parameter \"query\": 1:16: parse error: unclosed left parenthesis"} */
	assert_int_equal(parse_fixture("error_unclosed", &r, &e), -1);
	assert_int_equal(e.code, ERR_BACKEND);
	assert_non_null(strstr(e.msg, "1:16: parse error: unclosed left parenthesis"));
	assert_int_equal(prometheus_error_offset(e.msg, "sum(rate(x[5m])", &off), 0);
	assert_int_equal(off, 15); /* just past the last byte */
	/* the capture's own expression, 34 bytes */
	assert_int_equal(parse_fixture("error_bad_data", &r, &e), -1);
	assert_int_equal(prometheus_error_offset(e.msg, "sum(rate(http_requests_total[5m])", &off),
			 0);
	assert_int_equal(off, 33);
	/* "2:7:" on "up\n+ foo{": the end of the second line */
	assert_int_equal(parse_fixture("error_line2", &r, &e), -1);
	assert_int_equal(prometheus_error_offset(e.msg, "up\n+ foo{", &off), 0);
	assert_int_equal(off, 9);
	/* an execution error has no position */
	assert_int_equal(parse_fixture("error_execution", &r, &e), -1);
	assert_int_equal(prometheus_error_offset(e.msg,
						 "http_requests_total + on(service) "
						 "http_requests_total",
						 &off),
			 -1);
}

static void
test_error_offset_forms(void **state)
{
	size_t off = 99;

	(void)state;
	assert_int_equal(prometheus_error_offset("1:5: parse error: unexpected identifier \"bar\"",
						 "foo bar", &off),
			 0);
	assert_int_equal(off, 4);
	assert_int_equal(prometheus_error_offset("parse error at char 5: unexpected identifier",
						 "foo bar", &off),
			 0);
	assert_int_equal(off, 4);
	assert_int_equal(
		prometheus_error_offset("parse error at line 2, char 3: bad", "a\nbcd", &off), 0);
	assert_int_equal(off, 4);
	/* the position is the first one that is a parse error's, not a time */
	assert_int_equal(prometheus_error_offset("at 12:00:05 1:2: parse error: x", "abc", &off),
			 0);
	assert_int_equal(off, 1);
	/* none, or outside the expression */
	assert_int_equal(
		prometheus_error_offset("query timed out in expression evaluation", "up", &off),
		-1);
	assert_int_equal(prometheus_error_offset("1:9: parse error: x", "up", &off), -1);
	assert_int_equal(prometheus_error_offset("3:1: parse error: x", "up\nup", &off), -1);
	assert_int_equal(prometheus_error_offset("0:1: parse error: x", "up", &off), -1);
	assert_int_equal(prometheus_error_offset("1:0: parse error: x", "up", &off), -1);
	assert_int_equal(prometheus_error_offset("1:99999999999: parse error: x", "up", &off), -1);
	assert_int_equal(prometheus_error_offset("parse error at char : x", "up", &off), -1);
	assert_int_equal(prometheus_error_offset(NULL, "up", &off), -1);
	assert_int_equal(prometheus_error_offset("1:1: parse error", NULL, &off), -1);
	/* the end of an empty expression */
	assert_int_equal(
		prometheus_error_offset("1:1: parse error: no expression found in input", "", &off),
		0);
	assert_int_equal(off, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_sorted),
		cmocka_unit_test(test_special_values_last),
		cmocka_unit_test(test_matrix_by_last_value),
		cmocka_unit_test(test_scalar_string_empty),
		cmocka_unit_test(test_last_skips_nan),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_error_offset_real),
		cmocka_unit_test(test_error_offset_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
