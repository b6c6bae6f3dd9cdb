/*
 * test_docker_build.c - the Docker Engine request side: the update builders' bodies
 * against the captured service specs (tests/fixtures/docker), the API
 * paths, image tags and times, and the read-only allow-list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "docker.h"
#include "docker_test.h"

/* ---- builders ---------------------------------------------------------- */

/* Parse a request body back; check the path. */
static json_t *
request_body(const struct docker_request *r, const char *path)
{
	json_t *j;

	assert_int_equal(r->method, HTTP_POST);
	assert_string_equal(r->path, path);
	assert_non_null(r->body);
	j = json_loads(r->body, 0, NULL);
	assert_non_null(j);
	return j;
}

/* Everything in the spec but one path is unchanged: compare after setting it back. */
static void
assert_only_changed(json_t *body, json_t *orig, const char *k1, const char *k2, const char *k3,
		    const char *k4, json_t *old)
{
	json_t *o = json_deep_copy(orig), *p = o;
	const char *keys[] = { k1, k2, k3, k4 };
	size_t i;

	for (i = 0; i + 1 < 4 && keys[i + 1] != NULL; i++)
		p = json_object_get(p, keys[i]);
	json_object_set_new(p, keys[i], old); /* steals old */
	assert_true(json_equal(body, o));
	json_decref(o);
}

static void
test_builders(void **state)
{
	struct docker_request r;
	struct err e;
	size_t len;
	long st;
	char *b = fixture("service_updating", &len, &st);
	json_t *root = json_loads(b, 0, NULL), *spec = json_object_get(root, "Spec"), *j;

	(void)state;
	assert_int_equal(docker_scale_request(b, len, 5, &r, &e), 0);
	j = request_body(&r, "/v1.41/services/hybgq0cwysn05ad1ihi3o1cmm/update?version=104");
	assert_int_equal(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(j, "Mode"), "Replicated"), "Replicas")),
		5);
	assert_only_changed(j, spec, "Mode", "Replicated", "Replicas", NULL, json_integer(5));
	json_decref(j);
	docker_request_done(&r);
	assert_int_equal(docker_scale_request(b, len, -1, &r, &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
	assert_null(r.path);

	assert_int_equal(docker_restart_request(b, len, &r, &e), 0);
	j = request_body(&r, "/v1.41/services/hybgq0cwysn05ad1ihi3o1cmm/update?version=104");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "TaskTemplate"),
							    "ForceUpdate")),
			 1);
	assert_only_changed(j, spec, "TaskTemplate", "ForceUpdate", NULL, NULL, json_integer(1));
	json_decref(j);
	docker_request_done(&r);

	assert_int_equal(docker_rollback_request(b, len, &r, &e), 0);
	j = request_body(
		&r,
		"/v1.41/services/hybgq0cwysn05ad1ihi3o1cmm/update?version=104&rollback=previous");
	assert_true(json_equal(j, spec)); /* the current spec, verbatim */
	json_decref(j);
	docker_request_done(&r);

	assert_int_equal(docker_image_request(b, len, "local/busybox:1", &r, &e), 0);
	j = request_body(&r, "/v1.41/services/hybgq0cwysn05ad1ihi3o1cmm/update?version=104");
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_object_get(j, "TaskTemplate"), "ContainerSpec"),
			"Image")),
		"local/busybox:1");
	assert_only_changed(j, spec, "TaskTemplate", "ContainerSpec", "Image", NULL,
			    json_string("local/busybox:1"));
	json_decref(j);
	docker_request_done(&r);
	assert_int_equal(docker_image_request(b, len, "", &r, &e), -1);
	json_decref(root);
	free(b);

	/* a global service cannot be scaled; restarting it bumps ForceUpdate 1 -> 2 */
	b = fixture("service_global", &len, &st);
	assert_int_equal(docker_scale_request(b, len, 3, &r, &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
	assert_non_null(strstr(e.msg, "users is not a replicated service (global"));
	assert_int_equal(docker_restart_request(b, len, &r, &e), 0);
	j = json_loads(r.body, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "TaskTemplate"),
							    "ForceUpdate")),
			 2);
	assert_non_null(strstr(r.path, "?version=86"));
	json_decref(j);
	docker_request_done(&r);
	free(b);

	/* not a service */
	assert_int_equal(docker_rollback_request("[]", 2, &r, &e), -1);
	assert_int_equal(e.code, ERR_PARSE);
	assert_int_equal(docker_rollback_request("{\"ID\":\"x\",\"Spec\":{}}", 20, &r, &e), -1);
	assert_int_equal(docker_restart_request(NULL, 0, &r, &e), -1);
	docker_request_done(NULL);

	assert_int_equal(docker_container_restart_request("abc/def", 5, &r), 0);
	assert_string_equal(r.path, "/v1.41/containers/abc%2Fdef/restart?t=5");
	assert_null(r.body);
	docker_request_done(&r);
}

static void
test_paths(void **state)
{
	char *p;

	(void)state;
	p = docker_tasks_path("payments", true);
	assert_string_equal(p,
			    "/v1.41/tasks?filters=%7B%22desired-state%22%3A%5B%22running%22%5D%2C"
			    "%22service%22%3A%5B%22payments%22%5D%7D");
	free(p);
	p = docker_tasks_path(NULL, false);
	assert_string_equal(p, "/v1.41/tasks");
	free(p);
	p = docker_service_path("a b");
	assert_string_equal(p, "/v1.41/services/a%20b");
	free(p);
	p = docker_stats_path("abc");
	assert_string_equal(p, "/v1.41/containers/abc/stats?stream=false&one-shot=true");
	free(p);
	p = docker_services_path();
	assert_string_equal(p, "/v1.41/services?status=true");
	assert_true(docker_is_read(HTTP_GET, p));
	free(p);
	p = docker_containers_path(true);
	assert_string_equal(p, "/v1.41/containers/json?all=1");
	free(p);
	p = docker_container_path("x");
	assert_string_equal(p, "/v1.41/containers/x/json");
	free(p);
}

static void
test_image_tag_and_time(void **state)
{
	static const char *const cases[][2] = {
		{ "local/busybox:1", "1" },
		{ "orders:1.4.2", "1.4.2" },
		{ "nginx", "latest" },
		{ "reg.example:5000/app", "latest" },
		{ "reg.example:5000/app:2@sha256:0123456789abcdef0123", "2" },
		{ "app@sha256:0123456789abcdef0123", "sha256:0123456789ab" },
		{ "", "" },
		{ "app:", "latest" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *t = docker_image_tag(cases[i][0]);

		assert_string_equal(t, cases[i][1]);
		free(t);
	}
	assert_true(docker_parse_time("1970-01-01T00:00:00Z") == 0);
	assert_true(docker_parse_time("0001-01-01T00:00:00Z") == 0);
	assert_true(docker_parse_time("2026-11-23T00:12:52.5Z") == 1795392772.5);
	assert_true(docker_parse_time("2026-11-23T01:12:52+01:00") == 1795392772.0);
	assert_true(docker_parse_time("2026-11-23T00:12:52") == 0);
	assert_true(docker_parse_time("2026-11-23 00:12:52Z") == 0);
	assert_true(docker_parse_time(NULL) == 0);
}

static void
test_allow_list(void **state)
{
	static const char *const reads[] = {
		"/_ping",
		"/v1.41/_ping",
		"/version",
		"/v1.41/info",
		"/v1.41/services?status=true",
		"/v1.41/services/payments",
		"/v1.41/tasks?filters=%7B%7D",
		"/v1.41/tasks/abc",
		"/v1.41/nodes",
		"/v1.41/containers/json?all=1",
		"/v1.41/containers/abc/json",
		"/v1.41/containers/abc/stats?stream=false&one-shot=true",
		"/v1.41/containers/abc/logs?tail=10",
		"/v1.41/containers/abc/top",
		"/v1.24/info",
	};
	static const char *const not_reads[] = {
		"/v1.41/services/abc/update?version=1",
		"/v1.41/containers/abc/attach/ws",
		"/v1.41/containers/abc/export",
		"/v1.41/events",
		"/v1.41/images/get",
		"/v1.41/containers/../services/x/update",
		"/v1.41/services/%2e%2e/x",
		"/v1.41//info",
		"/v1.41/",
		"/v1.41",
		"vX/info",
		"info",
		"",
		"/vx.1/info",
		"/v1.41/containers/abc",
		"/v1.41/containers/create",
		"/v1.41/exec/abc/json/start",
		"/v1.41/containers/a/json/x",
		"/v1.41/a/b/c/d/e/f/g/h/i",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof reads / sizeof reads[0]; i++) {
		if (!docker_is_read(HTTP_GET, reads[i]))
			fail_msg("GET %s should be a read", reads[i]);
		/* every POST, PUT, PATCH and DELETE is a write */
		assert_false(docker_is_read(HTTP_POST, reads[i]));
		assert_false(docker_is_read(HTTP_DELETE, reads[i]));
		assert_false(docker_is_read(HTTP_PUT, reads[i]));
		assert_false(docker_is_read(HTTP_PATCH, reads[i]));
	}
	for (i = 0; i < sizeof not_reads / sizeof not_reads[0]; i++)
		if (docker_is_read(HTTP_GET, not_reads[i]))
			fail_msg("GET %s should not be a read", not_reads[i]);
	assert_false(docker_is_read(HTTP_GET, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builders),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_image_tag_and_time),
		cmocka_unit_test(test_allow_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
