/*
 * test_model.c - services, rings, staleness, thresholds and bounds.
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

#include "model.h"

static const struct thresholds th = { 0.01, 0.05, 0.5, 1.0 };

static struct service *
svc_with(struct model *m, const char *name, double errors, double p99, double now)
{
	struct service *s = model_service(m, name, true);

	assert_non_null(s);
	s->value[METRIC_ERRORS] = errors;
	s->updated[METRIC_ERRORS] = now;
	s->value[METRIC_P99] = p99;
	s->updated[METRIC_P99] = now;
	return s;
}

static void
test_status_thresholds(void **state)
{
	struct model *m = model_new(10, 100);
	struct service *s;

	(void)state;
	s = svc_with(m, "a", 0.0, 0.1, 100);
	assert_int_equal(model_service_status(s, &th, 100, 30), STATUS_OK);
	/* error ratio: just below, at and above each boundary */
	s->value[METRIC_ERRORS] = 0.0099999;
	assert_int_equal(model_service_status(s, &th, 100, 30), STATUS_OK);
	s->value[METRIC_ERRORS] = 0.01;
	assert_int_equal(model_service_status(s, &th, 100, 30), STATUS_WARN);
	s->value[METRIC_ERRORS] = 0.0499999;
	assert_int_equal(model_service_status(s, &th, 100, 30), STATUS_WARN);
	s->value[METRIC_ERRORS] = 0.05;
	assert_int_equal(model_service_status(s, &th, 100, 30), STATUS_CRIT);
	s->value[METRIC_ERRORS] = INFINITY;
	assert_int_equal(model_service_status(s, &th, 100, 30), STATUS_CRIT);
	/* p99 */
	s->value[METRIC_ERRORS] = 0;
	s->value[METRIC_P99] = 0.4999;
	assert_int_equal(model_service_status(s, &th, 100, 30), STATUS_OK);
	s->value[METRIC_P99] = 0.5;
	assert_int_equal(model_service_status(s, &th, 100, 30), STATUS_WARN);
	s->value[METRIC_P99] = 1.0;
	assert_int_equal(model_service_status(s, &th, 100, 30), STATUS_CRIT);
	/* the worst of both */
	s->value[METRIC_P99] = 0.6;
	s->value[METRIC_ERRORS] = 0.06;
	assert_int_equal(model_service_status(s, &th, 100, 30), STATUS_CRIT);
	/* no thresholds: never raised */
	assert_int_equal(model_service_status(s, NULL, 100, 30), STATUS_OK);
	model_free(m);
}

static void
test_missing_metric_never_raises(void **state)
{
	struct model *m = model_new(10, 100);
	struct service *s = model_service(m, "only-rps", true);

	(void)state;
	s->value[METRIC_RPS] = 12;
	s->updated[METRIC_RPS] = 100;
	assert_int_equal(model_service_status(s, &th, 100, 30), STATUS_OK);
	s->value[METRIC_ERRORS] = NAN; /* 0/0: no traffic */
	s->updated[METRIC_ERRORS] = 100;
	s->value[METRIC_P99] = NAN;
	s->updated[METRIC_P99] = 100;
	assert_int_equal(model_service_status(s, &th, 100, 30), STATUS_OK);
	/* zero thresholds mean "not configured" */
	{
		struct thresholds zero = { 0, 0, 0, 0 };

		s->value[METRIC_ERRORS] = 0.9;
		assert_int_equal(model_service_status(s, &zero, 100, 30), STATUS_OK);
	}
	model_free(m);
}

static void
test_stale_and_unknown(void **state)
{
	struct model *m = model_new(10, 100);
	struct service *s = model_service(m, "x", true);

	(void)state;
	assert_int_equal(model_service_status(s, &th, 100, 30), STATUS_UNKNOWN);
	assert_int_equal(model_service_status(NULL, &th, 100, 30), STATUS_UNKNOWN);
	s->value[METRIC_RPS] = 1;
	s->updated[METRIC_RPS] = 100;
	s->value[METRIC_ERRORS] = 0.5; /* crit, but old */
	s->updated[METRIC_ERRORS] = 50;
	assert_int_equal(model_service_status(s, &th, 130, 30), STATUS_CRIT); /* newest is 30 s old */
	assert_int_equal(model_service_status(s, &th, 130.5, 30), STATUS_STALE);
	assert_int_equal(model_service_status(s, &th, 1000, 0), STATUS_CRIT); /* 0 = never stale */
	/* all values NAN: nothing known */
	s->value[METRIC_RPS] = NAN;
	s->value[METRIC_ERRORS] = NAN;
	assert_int_equal(model_service_status(s, &th, 100, 30), STATUS_UNKNOWN);
	assert_string_equal(status_name(STATUS_OK), "OK");
	assert_string_equal(status_name(STATUS_WARN), "WARN");
	assert_string_equal(status_name(STATUS_CRIT), "CRIT");
	assert_string_equal(status_name(STATUS_STALE), "STALE");
	assert_string_equal(status_name(STATUS_UNKNOWN), "UNKNOWN");
	assert_string_equal(metric_name(METRIC_ERRORS), "errors");
	assert_string_equal(metric_name(METRIC_MEMORY), "memory");
	model_free(m);
}

static void
test_ring_wraps_keeps_newest(void **state)
{
	struct model *m = model_new(4, 10);
	struct service *s = model_service(m, "r", true);
	double out[10], t, v;
	size_t n, i;

	(void)state;
	assert_int_equal(model_history(s, METRIC_RPS, out, 10), 0);
	assert_null(s->hist[METRIC_RPS].t); /* no ring memory until used */
	assert_int_equal(ring_get(&s->hist[METRIC_RPS], 0, &t, &v), -1);
	for (i = 1; i <= 10; i++)
		model_append_point(m, s, METRIC_RPS, (double)i, (double)i * 10);
	assert_int_equal(s->hist[METRIC_RPS].len, 4);
	n = model_history(s, METRIC_RPS, out, 10);
	assert_int_equal(n, 4);
	for (i = 0; i < 4; i++)
		assert_true(out[i] == (double)(7 + i) * 10);
	n = model_history(s, METRIC_RPS, out, 2); /* newest 2, oldest first */
	assert_int_equal(n, 2);
	assert_true(out[0] == 90 && out[1] == 100);
	assert_int_equal(ring_get(&s->hist[METRIC_RPS], 0, &t, &v), 0);
	assert_true(t == 7 && v == 70);
	assert_int_equal(ring_get(&s->hist[METRIC_RPS], 3, &t, &v), 0);
	assert_true(t == 10 && v == 100);
	assert_int_equal(ring_get(&s->hist[METRIC_RPS], 4, &t, &v), -1);
	assert_true(ring_newest_t(&s->hist[METRIC_RPS]) == 10);
	assert_true(model_history_end(m, METRIC_RPS) == 10);
	assert_true(model_history_end(m, METRIC_CPU) == 0);
	model_free(m);
}

static void
test_append_not_newer_ignored(void **state)
{
	struct model *m = model_new(8, 10);
	struct service *s = model_service(m, "r", true);
	double out[8];

	(void)state;
	model_append_point(m, s, METRIC_P99, 10, 1);
	model_append_point(m, s, METRIC_P99, 20, 2);
	model_append_point(m, s, METRIC_P99, 20, 99);  /* same time */
	model_append_point(m, s, METRIC_P99, 15, 99);  /* older */
	model_append_point(m, s, METRIC_P99, NAN, 99); /* no time */
	model_append_point(m, s, METRIC_P99, 30, NAN); /* a gap is a sample */
	assert_int_equal(model_history(s, METRIC_P99, out, 8), 3);
	assert_true(out[0] == 1 && out[1] == 2 && isnan(out[2]));
	/* overlapping range query: only the tail is new */
	model_append_point(m, s, METRIC_P99, 20, 99);
	model_append_point(m, s, METRIC_P99, 30, 99);
	model_append_point(m, s, METRIC_P99, 40, 4);
	assert_int_equal(model_history(s, METRIC_P99, out, 8), 4);
	assert_true(out[3] == 4);
	model_free(m);
}

static void
test_apply_metric(void **state)
{
	struct model *m = model_new(8, 100);
	const char *names1[] = { "orders", "주문", "🛒cart" };
	const double v1[] = { 50, 12, 4 };
	const char *names2[] = { "주문" };
	const double v2[] = { 13 };
	struct service *s;

	(void)state;
	model_apply_metric(m, METRIC_RPS, names1, v1, 3, 100);
	assert_int_equal(model_nservices(m), 3);
	/* insertion order */
	assert_string_equal(model_service_at(m, 0)->name, "orders");
	assert_string_equal(model_service_at(m, 1)->name, "주문");
	assert_string_equal(model_service_at(m, 2)->name, "🛒cart");
	assert_null(model_service_at(m, 3));
	s = model_service(m, "주문", false);
	assert_non_null(s);
	assert_true(s->value[METRIC_RPS] == 12);
	assert_true(s->updated[METRIC_RPS] == 100);
	assert_true(s->first_seen == 100);
	assert_true(isnan(s->value[METRIC_CPU]));
	assert_true(s->updated[METRIC_CPU] == 0);
	/* next poll: only 주문 remains; the others' rps is gone, not old */
	model_apply_metric(m, METRIC_RPS, names2, v2, 1, 110);
	assert_true(model_service(m, "주문", false)->value[METRIC_RPS] == 13);
	assert_true(isnan(model_service(m, "orders", false)->value[METRIC_RPS]));
	assert_true(isnan(model_service(m, "🛒cart", false)->value[METRIC_RPS]));
	assert_int_equal(model_service_status(model_service(m, "orders", false), &th, 110, 30),
			 STATUS_UNKNOWN);
	/* other metrics untouched */
	model_apply_metric(m, METRIC_ERRORS, names1, v1, 3, 120);
	model_apply_metric(m, METRIC_P99, NULL, NULL, 0, 120);
	assert_true(model_service(m, "주문", false)->value[METRIC_RPS] == 13);
	assert_true(model_service(m, "orders", false)->value[METRIC_ERRORS] == 50);
	assert_null(model_service(m, "nope", false));
	assert_int_equal(model_nservices(m), 3);
	model_free(m);
}

static void
test_max_services(void **state)
{
	struct model *m = model_new(4, 2);
	const char *names[] = { "a", "b", "c", "d" };
	const double v[] = { 1, 2, 3, 4 };

	(void)state;
	model_apply_metric(m, METRIC_RPS, names, v, 4, 100);
	assert_int_equal(model_nservices(m), 2);
	assert_int_equal(model_dropped_services(m), 2);
	assert_null(model_service(m, "c", false));
	assert_null(model_service(m, "e", true));
	assert_int_equal(model_dropped_services(m), 3);
	/* the same names polled again are not counted twice */
	model_apply_metric(m, METRIC_RPS, names, v, 4, 110);
	model_apply_metric(m, METRIC_ERRORS, names, v, 4, 110);
	assert_int_equal(model_dropped_services(m), 3);
	assert_int_equal(model_nservices(m), 2);
	assert_true(model_service(m, "b", false)->value[METRIC_RPS] == 2);
	model_free(m);
}

static void
test_many_services(void **state)
{
	struct model *m = model_new(60, 6000);
	char **names = calloc(5000, sizeof *names);
	double *v = calloc(5000, sizeof *v);
	size_t i, bytes;

	(void)state;
	for (i = 0; i < 5000; i++) {
		names[i] = malloc(32);
		snprintf(names[i], 32, "서비스-%zu", i);
		v[i] = (double)i;
	}
	model_apply_metric(m, METRIC_RPS, (const char *const *)names, v, 5000, 100);
	model_apply_metric(m, METRIC_RPS, (const char *const *)names, v, 5000, 110);
	assert_int_equal(model_nservices(m), 5000);
	for (i = 0; i < 5000; i += 499) {
		struct service *s = model_service(m, names[i], false);

		assert_non_null(s);
		assert_true(s->value[METRIC_RPS] == (double)i);
		assert_ptr_equal(s, model_service_at(m, i));
	}
	bytes = model_bytes(m);
	for (i = 0; i < 5000; i++)
		model_append_point(m, model_service_at(m, i), METRIC_RPS, 100, 1);
	/* one ring of 60 (t, v) pairs per service */
	assert_true(model_bytes(m) >= bytes + 5000 * 60 * 2 * sizeof(double));
	assert_true(model_bytes(m) < bytes + 5000 * 60 * 2 * sizeof(double) + 4096);
	for (i = 0; i < 5000; i++)
		free(names[i]);
	free(names);
	free(v);
	model_free(m);
}

static void
test_backends(void **state)
{
	struct model *m = model_new(4, 4);
	struct backend_state *b;
	struct err e;

	(void)state;
	b = model_backend(m, "prometheus");
	assert_false(b->ok);
	assert_false(b->ever_ok);
	assert_int_equal(b->err.code, ERR_OK);
	assert_ptr_equal(model_backend(m, "prometheus"), b);
	model_backend_ok(m, "prometheus", 12, 100);
	assert_true(b->ok && b->ever_ok);
	assert_int_equal(b->latency_ms, 12);
	assert_true(b->last_ok == 100 && b->last_attempt == 100);
	err_set(&e, ERR_CONNECT, "prometheus: cannot connect");
	model_backend_fail(m, "prometheus", &e, 105);
	assert_false(b->ok);
	assert_true(b->ever_ok);
	assert_true(b->last_ok == 100 && b->last_attempt == 105);
	assert_int_equal(b->err.code, ERR_CONNECT);
	assert_string_equal(b->err.msg, "prometheus: cannot connect");
	assert_int_equal(b->polls, 2);
	model_backend_fail(m, "docker", NULL, 106);
	assert_int_equal(model_nbackends(m), 2);
	assert_string_equal(model_backend_at(m, 1)->name, "docker");
	assert_int_not_equal(model_backend_at(m, 1)->err.code, ERR_OK);
	assert_null(model_backend_at(m, 2));
	model_backend_ok(m, "prometheus", 3, 110);
	assert_int_equal(b->err.code, ERR_OK);
	model_free(m);
	model_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_thresholds),
		cmocka_unit_test(test_missing_metric_never_raises),
		cmocka_unit_test(test_stale_and_unknown),
		cmocka_unit_test(test_ring_wraps_keeps_newest),
		cmocka_unit_test(test_append_not_newer_ignored),
		cmocka_unit_test(test_apply_metric),
		cmocka_unit_test(test_max_services),
		cmocka_unit_test(test_many_services),
		cmocka_unit_test(test_backends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
