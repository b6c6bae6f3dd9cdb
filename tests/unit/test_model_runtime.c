/*
 * The runtime's view of services in the model, and how it moves a
 * service's status: fewer running than desired is WARN, none running of
 * some desired is CRIT, restarts climbing between refreshes is CRIT.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"

static const struct thresholds th = { 0.01, 0.05, 0.5, 2.0 };

static struct runtime_row
row(const char *name, long running, long desired, long restarts)
{
	struct runtime_row r;

	memset(&r, 0, sizeof r);
	r.name = name;
	r.kind = "swarm";
	r.id = "abc123";
	r.runtime_name = name;
	r.running = running;
	r.desired = desired;
	r.version = "1.4.2";
	r.deployed_at = 1000;
	r.restarts = restarts;
	return r;
}

static enum status
status_of(struct model *m, const char *name, double now)
{
	return model_service_status(model_service(m, name, false), &th, now, 10);
}

static void
test_replicas_drive_status(void **state)
{
	struct model *m = model_new(10, 100);
	struct runtime_row rows[3] = { row("ok", 3, 3, 0), row("degraded", 2, 3, 0),
				       row("down", 0, 2, 0) };

	(void)state;
	model_runtime_apply(m, "local", rows, 3, 100);
	assert_int_equal(status_of(m, "ok", 100), STATUS_OK);
	assert_int_equal(status_of(m, "degraded", 100), STATUS_WARN);
	assert_int_equal(status_of(m, "down", 100), STATUS_CRIT);
	assert_string_equal(model_service(m, "ok", false)->rt.version, "1.4.2");
	assert_string_equal(model_service(m, "ok", false)->rt.kind, "swarm");
	model_free(m);
}

static void
test_scaled_to_zero_is_not_critical(void **state)
{
	struct model *m = model_new(10, 100);
	struct runtime_row r = row("idle", 0, 0, 0);

	(void)state;
	model_runtime_apply(m, "local", &r, 1, 100);
	assert_int_equal(status_of(m, "idle", 100), STATUS_OK);
	model_free(m);
}

static void
test_crash_loop(void **state)
{
	struct model *m = model_new(10, 100);
	struct runtime_row r = row("flappy", 3, 3, 4);

	(void)state;
	model_runtime_apply(m, "local", &r, 1, 100);
	assert_int_equal(status_of(m, "flappy", 100), STATUS_OK); /* old restarts alone are fine */
	r.restarts = 6;
	model_runtime_apply(m, "local", &r, 1, 102);
	assert_true(model_service(m, "flappy", false)->rt.crash_looping);
	assert_int_equal(status_of(m, "flappy", 102), STATUS_CRIT);
	model_runtime_apply(m, "local", &r, 1, 104); /* stopped climbing */
	assert_int_equal(status_of(m, "flappy", 104), STATUS_OK);
	model_free(m);
}

static void
test_joined_with_metrics(void **state)
{
	struct model *m = model_new(10, 100);
	const char *names[1] = { "orders" };
	double err[1] = { 0.02 };
	struct runtime_row r = row("orders", 1, 2, 0);

	(void)state;
	model_apply_metric(m, METRIC_ERRORS, names, err, 1, 100);
	model_runtime_apply(m, "local", &r, 1, 100);
	assert_int_equal(model_nservices(m), 1); /* one row, both sources */
	assert_int_equal(status_of(m, "orders", 100), STATUS_WARN);
	err[0] = 0.10;
	model_apply_metric(m, METRIC_ERRORS, names, err, 1, 101);
	assert_int_equal(status_of(m, "orders", 101), STATUS_CRIT); /* worst signal wins */
	model_free(m);
}

static void
test_vanished_from_runtime(void **state)
{
	struct model *m = model_new(10, 100);
	struct runtime_row rows[2] = { row("a", 1, 1, 0), row("b", 1, 1, 0) };

	(void)state;
	model_runtime_apply(m, "local", rows, 2, 100);
	model_runtime_apply(m, "other", rows, 1, 100.5); /* another context reports a */
	model_runtime_apply(m, "local", rows + 1, 1, 101);
	assert_true(model_service(m, "b", false)->rt.present);
	/* a moved to "other" at 100.5 and is not cleared by "local" */
	assert_true(model_service(m, "a", false)->rt.present);
	assert_string_equal(model_service(m, "a", false)->rt.context, "other");
	model_runtime_apply(m, "other", NULL, 0, 102);
	assert_false(model_service(m, "a", false)->rt.present);
	assert_int_equal(status_of(m, "a", 102), STATUS_UNKNOWN);
	model_free(m);
}

static void
test_runtime_only_service_goes_stale(void **state)
{
	struct model *m = model_new(10, 100);
	struct runtime_row r = row("quiet", 1, 1, 0);

	(void)state;
	model_runtime_apply(m, "local", &r, 1, 100);
	assert_int_equal(status_of(m, "quiet", 105), STATUS_OK);
	assert_int_equal(status_of(m, "quiet", 200), STATUS_STALE);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replicas_drive_status),
		cmocka_unit_test(test_scaled_to_zero_is_not_critical),
		cmocka_unit_test(test_crash_loop),
		cmocka_unit_test(test_joined_with_metrics),
		cmocka_unit_test(test_vanished_from_runtime),
		cmocka_unit_test(test_runtime_only_service_goes_stale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
