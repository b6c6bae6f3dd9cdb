/*
 * The read-only allow-lists of the backends: every read a screen needs is
 * on them, and nothing that changes anything is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "docker.h"
#include "prometheus.h"

static void
test_prometheus_reads(void **state)
{
	(void)state;
	assert_true(prometheus_is_read(HTTP_GET, "/api/v1/query?query=up&time=1"));
	assert_true(prometheus_is_read(HTTP_POST, "/api/v1/query"));
	assert_true(
		prometheus_is_read(HTTP_GET, "/api/v1/query_range?query=up&start=1&end=2&step=1"));
	assert_true(prometheus_is_read(HTTP_POST, "/api/v1/query_range"));
	assert_true(prometheus_is_read(HTTP_GET, "/api/v1/alerts"));
	assert_true(prometheus_is_read(HTTP_GET, "/api/v1/targets"));
	assert_true(prometheus_is_read(HTTP_GET, "/api/v1/label/service/values"));
	assert_true(prometheus_is_read(HTTP_GET, "/api/v1/status/buildinfo"));
	assert_true(prometheus_is_read(HTTP_GET, "/-/ready"));
}

static void
test_prometheus_writes(void **state)
{
	(void)state;
	assert_false(prometheus_is_read(HTTP_POST, "/api/v1/admin/tsdb/delete_series"));
	assert_false(prometheus_is_read(HTTP_POST, "/api/v1/admin/tsdb/snapshot"));
	assert_false(prometheus_is_read(HTTP_POST, "/-/reload"));
	assert_false(prometheus_is_read(HTTP_PUT, "/-/quit"));
	assert_false(prometheus_is_read(HTTP_POST, "/api/v1/alerts"));
	assert_false(prometheus_is_read(HTTP_DELETE, "/api/v1/query"));
	assert_false(prometheus_is_read(HTTP_GET, "/api/v1/queryX"));
	assert_false(prometheus_is_read(HTTP_GET, "/api/v1/label//values"));
	assert_false(prometheus_is_read(HTTP_GET, NULL));
}

static void
test_docker_reads_and_writes(void **state)
{
	(void)state;
	assert_true(docker_is_read(HTTP_GET, "/v1.41/services?status=true"));
	assert_true(docker_is_read(HTTP_GET, "/v1.41/info"));
	assert_true(docker_is_read(HTTP_GET, "/v1.41/containers/json?all=1"));
	assert_true(docker_is_read(HTTP_GET, "/v1.41/tasks"));
	assert_false(docker_is_read(HTTP_POST, "/v1.41/services/abc/update?version=3"));
	assert_false(docker_is_read(HTTP_POST, "/v1.41/containers/abc/restart"));
	assert_false(docker_is_read(HTTP_DELETE, "/v1.41/services/abc"));
	assert_false(docker_is_read(HTTP_POST, "/v1.41/services?status=true"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prometheus_reads),
		cmocka_unit_test(test_prometheus_writes),
		cmocka_unit_test(test_docker_reads_and_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
