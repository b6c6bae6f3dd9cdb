/*
 * Errors per minute from the logs, joined into the model: known services
 * get their count, known services absent from the answer get 0, unknown
 * names are ignored, a new service is unknown (NAN) until the next answer.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"

static void
test_counts_join_known_services(void **state)
{
	struct model *m = model_new(10, 100);
	const char *names[] = { "orders", "ghost", "payments" };
	const double counts[] = { 12, 5, 3 };

	(void)state;
	model_service(m, "orders", true);
	model_service(m, "payments", true);
	model_service(m, "users", true);
	assert_true(isnan(model_service(m, "orders", false)->errors_per_min));
	model_apply_log_errors(m, names, counts, 3, 100);
	assert_true(model_service(m, "orders", false)->errors_per_min == 12);
	assert_true(model_service(m, "payments", false)->errors_per_min == 3);
	assert_true(model_service(m, "users", false)->errors_per_min == 0);
	assert_true(model_service(m, "users", false)->errors_per_min_updated == 100);
	assert_null(model_service(m, "ghost", false)); /* logs alone add no service */
	assert_int_equal(model_nservices(m), 3);
	model_free(m);
}

static void
test_next_answer_replaces(void **state)
{
	struct model *m = model_new(10, 100);
	const char *names[] = { "orders" };
	double counts[] = { 40 };

	(void)state;
	model_service(m, "orders", true);
	model_apply_log_errors(m, names, counts, 1, 100);
	model_service(m, "late", true);
	assert_true(isnan(model_service(m, "late", false)->errors_per_min));
	model_apply_log_errors(m, NULL, NULL, 0, 105); /* the burst is over */
	assert_true(model_service(m, "orders", false)->errors_per_min == 0);
	assert_true(model_service(m, "late", false)->errors_per_min == 0);
	counts[0] = NAN; /* a bad value is not applied */
	model_apply_log_errors(m, names, counts, 1, 110);
	assert_true(model_service(m, "orders", false)->errors_per_min == 0);
	model_free(m);
}

/* Two Elasticsearch names of one service (aliases resolved by the caller) add up. */
static void
test_aliases_add_up(void **state)
{
	struct model *m = model_new(10, 100);
	const char *names[] = { "orders", "orders" };
	const double counts[] = { 2, 3 };

	(void)state;
	model_service(m, "orders", true);
	model_apply_log_errors(m, names, counts, 2, 100);
	assert_true(model_service(m, "orders", false)->errors_per_min == 5);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_join_known_services),
		cmocka_unit_test(test_next_answer_replaces),
		cmocka_unit_test(test_aliases_add_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
