/*
 * snapshot --check: the verdict and its problem lines from a fixed model
 * (tests/unit/snapshot_test.h).  Each situation: all OK 0; a WARN signal
 * 1; a CRIT signal or a firing critical alert 2; a backend unreachable 3;
 * the precedence CRIT > UNKNOWN > WARN; stale and empty data UNKNOWN;
 * pending, silenced and info alerts no problem; hostile names sanitised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "snapshot_test.h"

/* A fleet of healthy services only. */
static struct snap_fixture *
healthy(void)
{
	struct snap_fixture *f = snap_fixture_new(false);

	model_free(f->m);
	f->m = model_new(30, 100);
	snap_metrics(f->m, "gateway", 120.5, 0.002, 0.180);
	snap_metrics(f->m, "users", 30, 0.0, 0.030);
	model_backend_ok(f->m, "prometheus", 12, NOW);
	f->v.model = f->m;
	return f;
}

/* The verdict of f; its lines into *lines (new). */
static int
check(struct snap_fixture *f, char **lines)
{
	struct buf b;
	int v;

	buf_init(&b);
	v = snapshot_check(&f->d, &b);
	buf_putc(&b, '\0');
	*lines = buf_steal(&b);
	return v;
}

static void
test_ok(void **state)
{
	struct snap_fixture *f = healthy();
	char *lines;

	(void)state;
	assert_int_equal(check(f, &lines), 0);
	assert_string_equal(lines, "");
	free(lines);
	snap_fixture_free(f);
}

static void
test_warn_latency(void **state)
{
	struct snap_fixture *f = healthy();
	char *lines;

	(void)state;
	snap_metrics(f->m, "orders", 14, 0.004, 0.812);
	snap_metrics(f->m, "evil\x1b]0;x\x07", 1, 0.0, 0.6);
	assert_int_equal(check(f, &lines), 1);
	assert_string_equal(lines, "WARN orders: p99 812ms >= 500ms\n"
				   "WARN evil^[]0;x^G: p99 600ms >= 500ms\n");
	free(lines);
	snap_fixture_free(f);
}

static void
test_crit_errors(void **state)
{
	struct snap_fixture *f = healthy();
	char *lines;

	(void)state;
	snap_metrics(f->m, "payments", 9.8, 0.0712, 0.250);
	snap_metrics(f->m, "orders", 14, 0.004, 0.812);
	assert_int_equal(check(f, &lines), 2);
	assert_string_equal(lines, "CRIT payments: error ratio 7.1% >= 5%\n"
				   "WARN orders: p99 812ms >= 500ms\n");
	free(lines);
	snap_fixture_free(f);
}

static void
test_crit_latency(void **state)
{
	struct snap_fixture *f = healthy();
	char *lines;

	(void)state;
	snap_metrics(f->m, "payments", 9.8, 0.012, 3.25);
	assert_int_equal(check(f, &lines), 2);
	assert_string_equal(lines, "WARN payments: error ratio 1.2% >= 1%\n"
				   "CRIT payments: p99 3.2s >= 2.0s\n");
	free(lines);
	snap_fixture_free(f);
}

/* The fixture fleet: orders CRIT, payments WARN, inventory 1 of 3, two firing alerts. */
static void
test_fleet(void **state)
{
	struct snap_fixture *f = snap_fixture_new(true);
	char *lines;

	(void)state;
	assert_int_equal(check(f, &lines), 2);
	assert_string_equal(
		lines, "CRIT orders: error ratio 7.1% >= 5%\n"
		       "WARN payments: p99 812ms >= 500ms\n"
		       "WARN inventory: 1 of 3 instances running\n"
		       "CRIT alert HighErrorRate (service=orders, severity=critical) firing since "
		       "10:22\n"
		       "WARN alert SlowRequests (service=payments, severity=warning) firing since "
		       "10:56\n");
	free(lines);
	snap_fixture_free(f);
}

static void
test_alert_critical_only(void **state)
{
	struct snap_fixture *f = healthy();
	struct alert *a = xcalloc(1, sizeof *a);
	char *lines;

	(void)state;
	snap_alert(a, "HighErrorRate", "payments", "critical", ALERT_FIRING, NOW - 300, NULL);
	model_set_alerts(f->m, a, 1);
	assert_int_equal(check(f, &lines), 2);
	assert_string_equal(lines, "CRIT alert HighErrorRate (service=payments, severity=critical) "
				   "firing since 11:01\n");
	free(lines);
	snap_fixture_free(f);
}

/* Warning and unlabelled alerts WARN; info, pending and silenced ones are no problem. */
static void
test_alert_severities(void **state)
{
	struct snap_fixture *f = healthy();
	struct alert *a = xcalloc(5, sizeof *a);
	char *lines;

	(void)state;
	snap_alert(&a[0], "DiskFilling", NULL, "warning", ALERT_FIRING, NOW - 2 * 86400, NULL);
	snap_alert(&a[1], "NoSeverity", "users", NULL, ALERT_FIRING, 0, NULL);
	snap_alert(&a[2], "Info", NULL, "info", ALERT_FIRING, NOW - 60, NULL);
	snap_alert(&a[3], "Soon", NULL, "critical", ALERT_PENDING, NOW - 60, NULL);
	snap_alert(&a[4], "Quiet", NULL, "critical", ALERT_SILENCED, NOW - 60, NULL);
	model_set_alerts(f->m, a, 5);
	assert_int_equal(check(f, &lines), 1);
	assert_string_equal(
		lines, "WARN alert DiskFilling (severity=warning) firing since 2026-11-16 11:06\n"
		       "WARN alert NoSeverity (service=users, severity=none) firing\n");
	free(lines);
	snap_fixture_free(f);
}

static void
test_backend_unreachable(void **state)
{
	struct snap_fixture *f = healthy();
	struct err e;
	char *lines;

	(void)state;
	err_set(&e, ERR_CONNECT,
		"elasticsearch: cannot connect to http://127.0.0.1:9200 (Connection refused)");
	model_backend_fail(f->m, "elasticsearch", &e, NOW);
	assert_int_equal(check(f, &lines), 3);
	assert_string_equal(lines, "UNKNOWN elasticsearch: cannot connect to http://127.0.0.1:9200 "
				   "(Connection refused)\n");
	free(lines);
	/* UNKNOWN beats WARN */
	snap_metrics(f->m, "orders", 14, 0.004, 0.812);
	assert_int_equal(check(f, &lines), 3);
	free(lines);
	/* CRIT the data shows beats UNKNOWN */
	snap_metrics(f->m, "payments", 9.8, 0.0712, 0.250);
	assert_int_equal(check(f, &lines), 2);
	assert_non_null(strstr(lines, "UNKNOWN elasticsearch: "));
	assert_non_null(strstr(lines, "CRIT payments: error ratio 7.1% >= 5%\n"));
	free(lines);
	snap_fixture_free(f);
}

/* Data older than stale_after, and a service with no value at all: UNKNOWN. */
static void
test_stale_and_empty(void **state)
{
	struct snap_fixture *f = healthy();
	char *lines;

	(void)state;
	f->v.now = NOW + 125;
	f->v.stale_after = 6;
	assert_int_equal(check(f, &lines), 3);
	assert_string_equal(lines,
			    "UNKNOWN gateway: data 2m05s old\nUNKNOWN users: data 2m05s old\n");
	free(lines);
	f->v.now = NOW;
	model_service(f->m, "newcomer", true);
	assert_int_equal(check(f, &lines), 3);
	assert_string_equal(lines, "UNKNOWN newcomer: no data\n");
	free(lines);
	snap_fixture_free(f);
}

/* A failed backend whose message does not start with its name still names it once. */
static void
test_backend_named_once(void **state)
{
	struct snap_fixture *f = healthy();
	struct err e;
	char *lines;

	(void)state;
	err_set(&e, ERR_TIMEOUT, "no complete answer within 10s");
	model_backend_fail(f->m, "ecs shop", &e, NOW);
	err_clear(&e);
	model_backend_fail(f->m, "docker", &e, NOW);
	assert_int_equal(check(f, &lines), 3);
	assert_string_equal(lines, "UNKNOWN ecs shop: no complete answer within 10s\n"
				   "UNKNOWN docker: failed\n");
	free(lines);
	snap_fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_warn_latency),
		cmocka_unit_test(test_crit_errors),
		cmocka_unit_test(test_crit_latency),
		cmocka_unit_test(test_fleet),
		cmocka_unit_test(test_alert_critical_only),
		cmocka_unit_test(test_alert_severities),
		cmocka_unit_test(test_backend_unreachable),
		cmocka_unit_test(test_stale_and_empty),
		cmocka_unit_test(test_backend_named_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
