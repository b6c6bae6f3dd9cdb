/*
 * test_docker.c - the Docker Engine parsers against answers captured from a
 * real dockerd 20.10 in Swarm mode (tests/fixtures/docker, see capture.sh),
 * the container rows, CPU % arithmetic and error classification.  (The
 * update builders and the read-only allow-list: test_docker_build.c.)
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

#include "docker.h"
#include "docker_test.h"

static const struct docker_service *
find_service(const struct docker_service *s, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	fail_msg("service %s not found", name);
	return NULL;
}

/* ---- info, version ----------------------------------------------------- */

static void
test_info(void **state)
{
	struct docker_info i;
	struct err e;
	size_t len;
	long st;
	char *b = fixture("info", &len, &st);

	(void)state;
	assert_int_equal(docker_parse_info(st, b, len, &i, &e), 0);
	assert_true(i.swarm_manager);
	assert_string_equal(i.swarm_state, "active");
	assert_int_not_equal(strlen(i.node_id), 0);
	assert_string_equal(i.server_version, "20.10.24+dfsg1");
	assert_true(i.containers > 10);
	assert_true(i.containers_running > 5 && i.containers_running <= i.containers);
	docker_info_done(&i);
	free(b);

	b = fixture("info_inactive", &len, &st);
	assert_int_equal(docker_parse_info(st, b, len, &i, &e), 0);
	assert_false(i.swarm_manager);
	assert_string_equal(i.swarm_state, "inactive");
	assert_string_equal(i.node_id, "");
	docker_info_done(&i);
	free(b);
}

static void
test_version(void **state)
{
	struct docker_version v;
	struct err e;
	size_t len;
	long st;
	char *b = fixture("version", &len, &st);

	(void)state;
	assert_int_equal(docker_parse_version(st, b, len, &v, &e), 0);
	assert_string_equal(v.api_version, "1.41");
	assert_string_equal(v.min_api_version, "1.12");
	assert_string_equal(v.version, "20.10.24+dfsg1");
	assert_string_equal(v.os, "linux");
	assert_false(v.podman);
	docker_version_done(&v);
	free(b);

	/* Podman names itself among the components */
	b = "{\"Version\":\"4.3.1\",\"ApiVersion\":\"1.41\",\"Components\":"
	    "[{\"Name\":\"Podman Engine\",\"Version\":\"4.3.1\"}]}";
	assert_int_equal(docker_parse_version(200, b, strlen(b), &v, &e), 0);
	assert_true(v.podman);
	assert_string_equal(v.min_api_version, "");
	docker_version_done(&v);

	b = "{\"Version\":\"1\"}";
	assert_int_equal(docker_parse_version(200, b, strlen(b), &v, &e), -1);
	assert_int_equal(e.code, ERR_PARSE);
	assert_null(v.version);
}

/* ---- services ---------------------------------------------------------- */

static void
test_services(void **state)
{
	struct docker_service *s;
	const struct docker_service *x;
	enum docker_fail f;
	struct err e;
	size_t len, n, i;
	long st;
	char *b = fixture("services", &len, &st);

	(void)state;
	assert_int_equal(docker_parse_services(st, b, len, &s, &n, &f, &e), 0);
	assert_int_equal(f, DOCKER_FAIL_NONE);
	assert_int_equal(n, 6);
	for (i = 1; i < n; i++)
		assert_true(strcmp(s[i - 1].name, s[i].name) < 0);

	x = find_service(s, n, "payments"); /* mid-update, one task of two on :2 */
	assert_string_equal(x->id, "hybgq0cwysn05ad1ihi3o1cmm");
	assert_int_equal(x->version, 104);
	assert_string_equal(x->image, "local/busybox:2");
	assert_string_equal(x->tag, "2");
	assert_int_equal(x->mode, DOCKER_MODE_REPLICATED);
	assert_int_equal(x->replicas, 2);
	assert_int_equal(x->running, 2);
	assert_int_equal(x->desired, 2);
	assert_string_equal(x->update_state, "updating");
	assert_string_equal(x->update_message, "update in progress");
	assert_true(x->update_started > 1.7e9);
	assert_true(x->update_completed == 0);
	assert_true(x->has_previous);
	assert_string_equal(x->previous_image, "local/busybox:1");
	assert_string_equal(x->previous_tag, "1");
	assert_true(x->created > 1.7e9 && x->updated >= x->created);

	x = find_service(s, n, "orders");
	assert_string_equal(x->update_state, "rollback_completed");
	assert_string_equal(x->tag, "1");
	assert_string_equal(x->previous_tag, "2");
	assert_true(x->update_completed > x->update_started);
	assert_true(fabs(x->update_started - 1795392772.50108895) < 1e-3);

	x = find_service(s, n, "gateway");
	assert_string_equal(x->update_state, "completed");
	assert_string_equal(x->tag, "2");

	x = find_service(s, n, "inventory"); /* never updated */
	assert_string_equal(x->update_state, "");
	assert_string_equal(x->update_message, "");
	assert_false(x->has_previous);
	assert_string_equal(x->previous_image, "");
	assert_string_equal(x->previous_tag, "");
	assert_int_equal(x->replicas, 1);

	x = find_service(s, n, "users"); /* global, restarted */
	assert_int_equal(x->mode, DOCKER_MODE_GLOBAL);
	assert_int_equal(x->replicas, -1);
	assert_int_equal(x->running, 1);
	assert_int_equal(x->desired, 1);
	assert_int_equal(x->force_update, 1);

	x = find_service(s, n, "search"); /* image does not exist */
	assert_int_equal(x->running, 0);
	assert_int_equal(x->desired, 1);
	assert_string_equal(x->tag, "404");
	docker_services_free(s, n);
	free(b);

	/* without ?status=true the counts are unknown */
	b = fixture("services_nostatus", &len, &st);
	assert_int_equal(docker_parse_services(st, b, len, &s, &n, NULL, &e), 0);
	assert_int_equal(n, 6);
	for (i = 0; i < n; i++)
		assert_true(s[i].running == -1 && s[i].desired == -1);
	docker_services_free(s, n);
	free(b);
}

static void
test_service_single(void **state)
{
	struct docker_service *s;
	struct err e;
	size_t len, n;
	long st;
	char *b = fixture("service_updating", &len, &st);

	(void)state;
	assert_int_equal(docker_parse_services(st, b, len, &s, &n, NULL, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(s[0].name, "payments");
	assert_int_equal(s[0].version, 104);
	assert_int_equal(s[0].running, -1);
	docker_services_free(s, n);
	free(b);
}

/* ---- tasks ------------------------------------------------------------- */

static void
test_tasks(void **state)
{
	struct docker_task *t;
	struct err e;
	size_t len, n, i;
	long st;
	char *b = fixture("tasks_payments", &len, &st);

	(void)state;
	assert_int_equal(docker_parse_tasks(st, b, len, &t, &n, &e), 0);
	assert_int_equal(n, 3);
	/* by slot, newest first within a slot */
	assert_int_equal(t[0].slot, 1);
	assert_int_equal(t[1].slot, 2);
	assert_int_equal(t[2].slot, 2);
	assert_string_equal(t[1].state, "running");
	assert_string_equal(t[1].image, "local/busybox:2");
	assert_string_equal(t[2].state, "shutdown");
	assert_string_equal(t[2].desired_state, "shutdown");
	assert_string_equal(t[2].image, "local/busybox:1");
	assert_int_equal(t[2].exit_code, 143);
	assert_true(t[1].created > t[2].created);
	for (i = 0; i < n; i++) {
		assert_string_equal(t[i].service_id, "hybgq0cwysn05ad1ihi3o1cmm");
		assert_int_not_equal(strlen(t[i].node_id), 0);
		assert_int_equal(strlen(t[i].container_id), 64);
		assert_true(t[i].timestamp > 1.7e9);
	}
	assert_int_equal(docker_task_restarts(t, n, NULL), 0);
	docker_tasks_free(t, n);
	free(b);

	b = fixture("tasks_search", &len, &st);
	assert_int_equal(docker_parse_tasks(st, b, len, &t, &n, &e), 0);
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++) {
		assert_string_equal(t[i].state, "rejected");
		assert_string_equal(t[i].error, "No such image: local/busybox:404");
		assert_string_equal(t[i].container_id, "");
	}
	assert_int_equal(docker_task_restarts(t, n, "jyenjnztcgmfbm1z4p0div8ni"), 5);
	assert_int_equal(docker_task_restarts(t, n, "someone-else"), 0);
	docker_tasks_free(t, n);
	free(b);

	b = fixture("tasks_inventory", &len, &st);
	assert_int_equal(docker_parse_tasks(st, b, len, &t, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(t[0].state, "running"); /* the replacement is newer */
	assert_string_equal(t[1].state, "failed");
	assert_string_equal(t[1].error, "task: non-zero exit (137)");
	assert_int_equal(t[1].exit_code, 137);
	assert_int_equal(docker_task_restarts(t, n, NULL), 1);
	docker_tasks_free(t, n);
	free(b);

	b = fixture("tasks_users", &len,
		    &st); /* global: no slot; restart = shutdown, not counted */
	assert_int_equal(docker_parse_tasks(st, b, len, &t, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(t[0].slot, 0);
	assert_string_equal(t[0].state, "running");
	assert_string_equal(t[1].state, "shutdown");
	assert_int_equal(docker_task_restarts(t, n, NULL), 0);
	docker_tasks_free(t, n);
	free(b);
}

/* ---- containers and rows ----------------------------------------------- */

static const struct docker_container *
find_container(const struct docker_container *c, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return &c[i];
	fail_msg("container %s not found", name);
	return NULL;
}

static void
test_containers(void **state)
{
	struct docker_container *c;
	const struct docker_container *x;
	struct err e;
	size_t len, n, i, swarm = 0;
	long st;
	char *b = fixture("containers", &len, &st);

	(void)state;
	assert_int_equal(docker_parse_containers(st, b, len, &c, &n, &e), 0);
	assert_int_equal(n, 23);
	for (i = 0; i < n; i++) {
		assert_int_equal(strlen(c[i].id), 64);
		assert_true(c[i].created > 1.7e9);
		if (c[i].swarm_service != NULL) {
			swarm++;
			assert_non_null(c[i].swarm_task);
			assert_null(c[i].compose_project);
		}
	}
	assert_int_equal(swarm, 17);
	x = find_container(c, n, "batch-job");
	assert_string_equal(x->state, "exited");
	assert_true(strncmp(x->status, "Exited (3) ", 11) == 0);
	assert_null(x->swarm_service);
	assert_null(x->compose_project);
	x = find_container(c, n, "shop-notifications-1");
	assert_string_equal(x->compose_project, "shop");
	assert_string_equal(x->compose_service, "notifications");
	assert_string_equal(x->image, "local/busybox:1");
	x = find_container(c, n, "flaky");
	assert_string_equal(x->state, "restarting");
	x = find_container(c, n, "inventory.1.2fpo85enpjsxtpgvrevlc4t7g");
	assert_string_equal(x->swarm_service, "inventory");
	assert_string_equal(x->state, "running");
	docker_containers_free(c, n);
	free(b);
}

static void
test_groups(void **state)
{
	struct docker_container *c;
	struct docker_group *g;
	struct err e;
	size_t len, n, ng, i, members = 0;
	long st;
	char *b = fixture("containers", &len, &st);

	(void)state;
	assert_int_equal(docker_parse_containers(st, b, len, &c, &n, &e), 0);

	/* on a manager: the services are rows already */
	ng = docker_group_containers(c, n, true, &g);
	assert_int_equal(ng, 5);
	assert_string_equal(g[0].name, "adhoc-debug");
	assert_int_equal(g[0].kind, DOCKER_GROUP_CONTAINER);
	assert_int_equal(g[0].running, 1);
	assert_string_equal(g[0].tag, "1");
	assert_string_equal(g[1].name, "batch-job");
	assert_int_equal(g[1].running, 0);
	assert_string_equal(g[2].name, "cpu-burner");
	assert_string_equal(g[3].name, "flaky");
	assert_int_equal(g[3].kind, DOCKER_GROUP_COMPOSE);
	assert_int_equal(g[3].restarting, 1);
	assert_string_equal(g[4].name, "notifications");
	assert_string_equal(g[4].project, "shop");
	assert_int_equal(g[4].kind, DOCKER_GROUP_COMPOSE);
	assert_int_equal(g[4].nmembers, 2);
	assert_int_equal(g[4].running, 2);
	for (i = 0; i < g[4].nmembers; i++)
		assert_string_equal(c[g[4].members[i]].compose_service, "notifications");
	docker_groups_free(g, ng);

	/* on a worker (no service list): task containers by service */
	ng = docker_group_containers(c, n, false, &g);
	assert_int_equal(ng, 10);
	for (i = 0; i < ng; i++)
		members += g[i].nmembers;
	assert_int_equal(members, n);
	for (i = 0; i < ng; i++) {
		if (strcmp(g[i].name, "orders") == 0) {
			assert_int_equal(g[i].kind, DOCKER_GROUP_SWARM);
			assert_int_equal(g[i].running, 2);
			assert_string_equal(g[i].tag, "1");
		}
	}
	docker_groups_free(g, ng);
	assert_int_equal(docker_group_containers(c, 0, true, &g), 0);
	assert_null(g);
	docker_containers_free(c, n);
	free(b);
}

static void
test_container_detail(void **state)
{
	struct docker_container_detail d;
	struct err e;
	size_t len;
	long st;
	char *b = fixture("container_flaky", &len, &st);

	(void)state;
	assert_int_equal(docker_parse_container(st, b, len, &d, &e), 0);
	assert_string_equal(d.name, "flaky");
	assert_true(d.restart_count >= 2);
	assert_string_equal(d.state, "restarting");
	assert_string_equal(d.health, "");
	docker_container_detail_done(&d);
	free(b);

	b = fixture("container_exited", &len, &st);
	assert_int_equal(docker_parse_container(st, b, len, &d, &e), 0);
	assert_string_equal(d.name, "batch-job");
	assert_int_equal(d.restart_count, 0);
	assert_int_equal(d.exit_code, 3);
	assert_string_equal(d.state, "exited");
	assert_true(d.finished >= d.started && d.started > 1.7e9);
	assert_false(d.oom_killed);
	docker_container_detail_done(&d);
	free(b);

	b = fixture("error_no_container", &len, &st);
	assert_int_equal(docker_parse_container(st, b, len, &d, &e), -1);
	assert_string_equal(e.msg, "docker: No such container: no-such-container");
	assert_null(d.id);
	free(b);
}

/* ---- stats ------------------------------------------------------------- */

static void
test_stats(void **state)
{
	struct docker_stats s1, s2, s0;
	struct err e;
	size_t len;
	long st;
	char *b = fixture("stats_1", &len, &st);
	double pct;

	(void)state;
	assert_int_equal(docker_parse_stats(st, b, len, &s1, &e), 0);
	free(b);
	b = fixture("stats_2", &len, &st);
	assert_int_equal(docker_parse_stats(st, b, len, &s2, &e), 0);
	free(b);
	assert_true(s1.has_cpu && s2.has_cpu);
	assert_int_equal(s1.cpu_total, 345484314ULL);
	assert_int_equal(s2.cpu_total, 1863461948ULL);
	assert_int_equal(s2.cpu_system, 4860300000000ULL);
	assert_int_equal(s2.online_cpus, 2);
	assert_true(s2.mem_used == 454656.0);
	assert_true(s2.mem_limit == 25274793984.0);
	/* (1863461948 - 345484314) / (4860300000000 - 4856310000000) * 2 * 100 */
	pct = docker_cpu_percent(&s1, &s2);
	assert_true(fabs(pct - 76.08910) < 0.001);
	/* one sample, a restart (counters backwards), no time between */
	assert_true(isnan(docker_cpu_percent(NULL, &s2)));
	assert_true(isnan(docker_cpu_percent(&s2, &s1)));
	assert_true(docker_cpu_percent(&s2, &s2) == 0 || isnan(docker_cpu_percent(&s2, &s2)));

	/* no system counter: wall-clock fallback, 100 = one core */
	s0 = s1;
	s0.cpu_system = 0;
	s2.cpu_system = 0;
	pct = docker_cpu_percent(&s0, &s2);
	assert_true(fabs(pct - 1517977634.0 / ((s2.read - s1.read) * 1e9) * 100.0) < 1e-6);
	assert_true(pct > 70 && pct < 80);

	/* a stopped container: no CPU, no memory */
	b = fixture("stats_exited", &len, &st);
	assert_int_equal(docker_parse_stats(st, b, len, &s0, &e), 0);
	assert_false(s0.has_cpu);
	assert_true(isnan(s0.mem_used) && isnan(s0.mem_limit));
	assert_true(isnan(docker_cpu_percent(&s0, &s1)));
	free(b);

	/* memory: usage minus inactive file, cgroup v1 first, then v2 */
	b = "{\"read\":\"2026-01-01T00:00:00Z\",\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":5}},"
	    "\"memory_stats\":{\"usage\":1000,\"stats\":{\"total_inactive_file\":300,\"inactive_"
	    "file\":100}}}";
	assert_int_equal(docker_parse_stats(200, b, strlen(b), &s0, &e), 0);
	assert_true(s0.mem_used == 700);
	assert_true(s0.has_cpu);
	assert_true(s0.read == 1767225600.0);
	b = "{\"memory_stats\":{\"usage\":1000,\"stats\":{\"inactive_file\":100}}}";
	assert_int_equal(docker_parse_stats(200, b, strlen(b), &s0, &e), 0);
	assert_true(s0.mem_used == 900);
	b = "{\"memory_stats\":{\"usage\":1000,\"stats\":{\"inactive_file\":5000}}}";
	assert_int_equal(docker_parse_stats(200, b, strlen(b), &s0, &e), 0);
	assert_true(s0.mem_used == 1000);
}

/* ---- errors ------------------------------------------------------------ */

static void
check_error(const char *name, enum docker_fail want, const char *msg)
{
	struct err e;
	size_t len;
	long st;
	char *b = fixture(name, &len, &st);

	err_clear(&e);
	assert_int_equal(docker_parse_error(st, b, len, &e), want);
	assert_int_equal(e.code, ERR_BACKEND);
	assert_string_equal(e.msg, msg);
	free(b);
}

static void
test_errors(void **state)
{
	struct docker_service *s;
	enum docker_fail f;
	struct err e;
	size_t len, n;
	long st;
	char *b, *w;

	(void)state;
	check_error("error_not_manager", DOCKER_FAIL_NOT_MANAGER,
		    "docker: This node is not a swarm manager. Use \"docker swarm init\" or "
		    "\"docker swarm join\" to connect this node to swarm and try again.");
	check_error("error_out_of_sequence", DOCKER_FAIL_OUT_OF_SEQUENCE,
		    "docker: rpc error: code = Unknown desc = update out of sequence");
	check_error("error_no_previous", DOCKER_FAIL_NO_PREVIOUS,
		    "docker: rpc error: code = FailedPrecondition desc = service "
		    "2x8fo6kbo1pvvqu90817eti14 does not have a previous spec");
	check_error("error_not_found", DOCKER_FAIL_NOT_FOUND,
		    "docker: service no-such-service not found");
	check_error("error_not_found_update", DOCKER_FAIL_NOT_FOUND,
		    "docker: service no-such-service not found");
	check_error("error_page_not_found", DOCKER_FAIL_UNSUPPORTED, "docker: page not found");
	assert_string_equal(docker_fail_name(DOCKER_FAIL_OUT_OF_SEQUENCE), "out of sequence");
	assert_string_equal(docker_fail_name(DOCKER_FAIL_OTHER), "other");

	/* parsers pass the class on */
	b = fixture("error_not_manager", &len, &st);
	assert_int_equal(docker_parse_services(st, b, len, &s, &n, &f, &e), -1);
	assert_int_equal(f, DOCKER_FAIL_NOT_MANAGER);
	assert_null(s);
	assert_int_equal(n, 0);
	free(b);
	b = fixture("error_out_of_sequence", &len, &st);
	assert_int_equal(docker_parse_update(st, b, len, &w, &f, &e), -1);
	assert_int_equal(f, DOCKER_FAIL_OUT_OF_SEQUENCE);
	assert_null(w);
	free(b);
	b = fixture("update_ok", &len, &st);
	assert_int_equal(docker_parse_update(st, b, len, &w, &f, &e), 0);
	assert_int_equal(f, DOCKER_FAIL_NONE);
	assert_null(w);
	free(b);
	b = "{\"Warnings\":[\"image x could not be accessed\",\"second\"]}";
	assert_int_equal(docker_parse_update(200, b, strlen(b), &w, &f, &e), 0);
	assert_string_equal(w, "image x could not be accessed; second");
	free(w);

	/* a 2xx status is not an error */
	err_clear(&e);
	assert_int_equal(docker_parse_error(200, "{}", 2, &e), DOCKER_FAIL_NONE);
	assert_int_equal(e.code, ERR_OK);
	/* a proxy's HTML page, an empty body, 401 */
	assert_int_equal(docker_parse_error(502, "<html>bad gateway</html>", 24, &e),
			 DOCKER_FAIL_OTHER);
	assert_int_equal(e.code, ERR_PARSE);
	assert_non_null(strstr(e.msg, "HTTP 502"));
	assert_non_null(strstr(e.msg, "<html>bad gateway</html>"));
	assert_int_equal(docker_parse_error(500, "", 0, &e), DOCKER_FAIL_OTHER);
	assert_int_equal(e.code, ERR_HTTP);
	assert_int_equal(docker_parse_error(401, "{\"message\":\"no\"}", 16, &e),
			 DOCKER_FAIL_OTHER);
	assert_int_equal(e.code, ERR_AUTH);
	/* 2xx with garbage */
	assert_int_equal(docker_parse_tasks(200, "<html>", 6, (struct docker_task **)&s, &n, &e),
			 -1);
	assert_int_equal(e.code, ERR_PARSE);
	assert_int_equal(docker_parse_tasks(200, "{}", 2, (struct docker_task **)&s, &n, &e), -1);
	assert_non_null(strstr(e.msg, "expected a JSON array"));
	assert_int_equal(docker_parse_services(200, "[1]", 3, &s, &n, &f, &e), -1);
	assert_int_equal(f, DOCKER_FAIL_OTHER);
	assert_null(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info),     cmocka_unit_test(test_version),
		cmocka_unit_test(test_services), cmocka_unit_test(test_service_single),
		cmocka_unit_test(test_tasks),    cmocka_unit_test(test_containers),
		cmocka_unit_test(test_groups),   cmocka_unit_test(test_container_detail),
		cmocka_unit_test(test_stats),    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
