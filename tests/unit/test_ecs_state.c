/*
 * test_ecs_state.c - ECS request bodies as ECS expects them, the headers
 * and the read allow-list, the rollout state in each case, the rollback
 * target and family:revision.  The parsers are in test_ecs.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecs.h"

#define ARN "arn:aws:ecs:eu-west-1:123456789012:"
#define TD ARN "task-definition/"

/* ---- bodies --------------------------------------------------------------------------- */

static void
check_body(char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_list_bodies(void **state)
{
	(void)state;
	check_body(ecs_list_services_body("prod", NULL),
		   "{\"cluster\":\"prod\",\"maxResults\":100}");
	check_body(ecs_list_services_body("prod", "tok/en=="),
		   "{\"cluster\":\"prod\",\"nextToken\":\"tok/en==\",\"maxResults\":100}");
	/* the default cluster: no member at all */
	check_body(ecs_list_services_body(NULL, ""), "{\"maxResults\":100}");
	check_body(ecs_list_services_body("", NULL), "{\"maxResults\":100}");
	check_body(ecs_list_tasks_body("prod", "orders", NULL),
		   "{\"cluster\":\"prod\",\"serviceName\":\"orders\",\"maxResults\":100}");
	check_body(ecs_list_tasks_body("prod", "orders", "n1"),
		   "{\"cluster\":\"prod\",\"serviceName\":\"orders\",\"nextToken\":\"n1\","
		   "\"maxResults\":100}");
	check_body(ecs_list_stopped_tasks_body("prod", "orders", NULL),
		   "{\"cluster\":\"prod\",\"serviceName\":\"orders\",\"desiredStatus\":\"STOPPED\","
		   "\"maxResults\":100}");
	check_body(ecs_list_task_definitions_body("orders", NULL),
		   "{\"familyPrefix\":\"orders\",\"status\":\"ACTIVE\",\"sort\":\"DESC\","
		   "\"maxResults\":100}");
	check_body(ecs_list_task_definitions_body("orders", "t2"),
		   "{\"familyPrefix\":\"orders\",\"status\":\"ACTIVE\",\"sort\":\"DESC\","
		   "\"nextToken\":\"t2\",\"maxResults\":100}");
}

static void
test_describe_bodies(void **state)
{
	const char *svc[11] = { ARN "service/prod/orders", ARN "service/prod/cart" };
	const char *tasks[101];
	size_t i;

	(void)state;
	check_body(ecs_describe_services_body("prod", svc, 2),
		   "{\"cluster\":\"prod\",\"services\":[\"" ARN "service/prod/orders\",\"" ARN
		   "service/prod/cart\"]}");
	for (i = 0; i < 11; i++)
		svc[i] = "s";
	free(ecs_describe_services_body("prod", svc, 10));
	/* over ECS's limit, none, or a NULL among them: the caller's bug, no body */
	assert_null(ecs_describe_services_body("prod", svc, 11));
	assert_null(ecs_describe_services_body("prod", svc, 0));
	svc[3] = NULL;
	assert_null(ecs_describe_services_body("prod", svc, 5));
	for (i = 0; i < 101; i++)
		tasks[i] = "t";
	assert_null(ecs_describe_tasks_body("prod", tasks, 101));
	free(ecs_describe_tasks_body("prod", tasks, 100));
	check_body(ecs_describe_tasks_body(NULL, tasks, 1), "{\"tasks\":[\"t\"]}");
	check_body(ecs_describe_task_definition_body(TD "orders:41"),
		   "{\"taskDefinition\":\"" TD "orders:41\"}");
}

static void
test_update_bodies(void **state)
{
	(void)state;
	check_body(ecs_update_scale_body("prod", "orders", 5),
		   "{\"cluster\":\"prod\",\"service\":\"orders\",\"desiredCount\":5}");
	check_body(ecs_update_scale_body("prod", "orders", 0),
		   "{\"cluster\":\"prod\",\"service\":\"orders\",\"desiredCount\":0}");
	check_body(ecs_update_restart_body("prod", "orders"),
		   "{\"cluster\":\"prod\",\"service\":\"orders\",\"forceNewDeployment\":true}");
	check_body(ecs_update_task_definition_body("prod", "orders", TD "orders:41"),
		   "{\"cluster\":\"prod\",\"service\":\"orders\",\"taskDefinition\":\"" TD
		   "orders:41\"}");
	/* a name is data, never JSON */
	check_body(ecs_update_scale_body("a\"b", "x\\y\n", 1),
		   "{\"cluster\":\"a\\\"b\",\"service\":\"x\\\\y\\n\",\"desiredCount\":1}");
}

static void
test_headers_and_reads(void **state)
{
	const char *h[2];
	char target[96], small[20];

	(void)state;
	ecs_headers("DescribeServices", h, target, sizeof target);
	assert_ptr_equal(h[0], target);
	assert_string_equal(h[0],
			    "X-Amz-Target: AmazonEC2ContainerServiceV20141113.DescribeServices");
	assert_string_equal(h[1], "Content-Type: application/x-amz-json-1.1");
	ecs_headers("DescribeTaskDefinition", h, target, sizeof target);
	assert_string_equal(
		h[0], "X-Amz-Target: AmazonEC2ContainerServiceV20141113.DescribeTaskDefinition");
	ecs_headers("UpdateService", h, small, sizeof small);
	assert_string_equal(h[0], "");

	assert_true(ecs_is_read(HTTP_POST, "/"));
	assert_false(ecs_is_read(HTTP_GET, "/"));
	assert_false(ecs_is_read(HTTP_PUT, "/"));
	assert_false(ecs_is_read(HTTP_POST, "/x"));
	assert_false(ecs_is_read(HTTP_POST, "/?Action=UpdateService"));
	assert_false(ecs_is_read(HTTP_POST, NULL));
}

/* ---- rollout state ------------------------------------------------------------------------ */

static struct ecs_deployment
dep(const char *status, const char *state, const char *reason, long desired, long running)
{
	struct ecs_deployment d = { 0 };

	d.id = "ecs-svc/1";
	d.status = (char *)status;
	d.task_definition = TD "orders:42";
	d.rollout_state = (char *)state;
	d.rollout_reason = (char *)reason;
	d.desired = desired;
	d.running = running;
	return d;
}

static struct ecs_service
svc(struct ecs_deployment *d, size_t nd, struct ecs_event *ev, size_t nev)
{
	struct ecs_service s = { 0 };

	s.name = "orders";
	s.task_definition = TD "orders:42";
	s.deployments = d;
	s.ndeployments = nd;
	s.events = ev;
	s.nevents = nev;
	s.desired = s.running = 3;
	return s;
}

static void
test_rollout_two_live_is_updating(void **state)
{
	struct ecs_deployment d[2] = { dep("PRIMARY", "COMPLETED", "", 3, 3),
				       dep("ACTIVE", "COMPLETED", "", 3, 1) };
	struct ecs_service s = svc(d, 2, NULL, 0);
	const char *msg = "x";

	(void)state;
	assert_string_equal(ecs_rollout_state(&s, &msg), "updating");
	assert_null(msg);
	/* an INACTIVE one left in the list is not live */
	d[1].status = "INACTIVE";
	assert_string_equal(ecs_rollout_state(&s, &msg), "completed");
	assert_null(msg);
}

static void
test_rollout_in_progress_and_counts(void **state)
{
	struct ecs_deployment d[1] = { dep("PRIMARY", "IN_PROGRESS",
					   "ECS deployment ecs-svc/1 in progress.", 3, 3) };
	struct ecs_service s = svc(d, 1, NULL, 0);
	const char *msg;

	(void)state;
	assert_string_equal(ecs_rollout_state(&s, &msg), "updating");
	assert_string_equal(msg, "ECS deployment ecs-svc/1 in progress.");
	d[0].rollout_state = "COMPLETED";
	d[0].rollout_reason = "";
	d[0].running = 2;
	assert_string_equal(ecs_rollout_state(&s, &msg), "updating");
	assert_null(msg);
	d[0].running = 3;
	assert_string_equal(ecs_rollout_state(&s, NULL), "completed");
	/* no rolloutState at all (a classic load balancer): the counts decide */
	d[0].rollout_state = "";
	d[0].running = 4;
	assert_string_equal(ecs_rollout_state(&s, NULL), "updating");
	/* no deployments (an external controller): the service's counts */
	s.ndeployments = 0;
	assert_string_equal(ecs_rollout_state(&s, NULL), "completed");
	s.running = 1;
	assert_string_equal(ecs_rollout_state(&s, NULL), "updating");
}

static void
test_rollout_failed(void **state)
{
	struct ecs_deployment d[1] = { dep("PRIMARY", "FAILED",
					   "ECS deployment circuit breaker: tasks failed to start.",
					   2, 0) };
	struct ecs_service s = svc(d, 1, NULL, 0);
	const char *msg;

	(void)state;
	/* FAILED wins over counts that would say updating */
	assert_string_equal(ecs_rollout_state(&s, &msg), "failed");
	assert_string_equal(msg, "ECS deployment circuit breaker: tasks failed to start.");
	d[0].rollout_reason = "";
	assert_string_equal(ecs_rollout_state(&s, &msg), "failed");
	assert_null(msg);
}

static void
test_rollout_circuit_breaker_rollback(void **state)
{
	struct ecs_deployment d[2] = {
		dep("PRIMARY", "IN_PROGRESS", "ECS deployment ecs-svc/2 in progress.", 2, 1),
		dep("ACTIVE", "FAILED",
		    "ECS deployment circuit breaker: taskSet ecs-svc/1 has failed to reach a "
		    "steady state. Rolling back to deploymentId ecs-svc/2.",
		    2, 0),
	};
	struct ecs_event ev[2] = {
		{ "e2", 200, "(service cart) rolling back to deployment ecs-svc/2." },
		{ "e1", 100,
		  "(service cart) (deployment ecs-svc/1) deployment failed: tasks "
		  "failed to start." },
	};
	struct ecs_service s = svc(d, 2, ev, 2);
	const char *msg;

	(void)state;
	/* rolling back is a deployment too, but what the user must see is the failure */
	assert_string_equal(ecs_rollout_state(&s, &msg), "failed");
	assert_memory_equal(msg, "ECS deployment circuit breaker: taskSet ecs-svc/1", 49);
	/* without a FAILED deployment's reason: the event */
	d[1].rollout_state = "";
	assert_string_equal(ecs_rollout_state(&s, &msg), "failed");
	assert_string_equal(msg, "(service cart) rolling back to deployment ecs-svc/2.");
	/* once the rollback settles, the newest event says so: completed */
	{
		struct ecs_event later[3] = {
			{ "e3", 300, "(service cart) has reached a steady state." }, ev[0], ev[1]
		};
		struct ecs_deployment one[1] = { dep("PRIMARY", "COMPLETED", "", 2, 2) };
		struct ecs_service done = svc(one, 1, later, 3);

		assert_string_equal(ecs_rollout_state(&done, &msg), "completed");
		assert_null(msg);
	}
}

static void
test_rollout_fixture_services(void **state)
{
	static const struct {
		const char *name, *state, *msg;
	} want[] = {
		{ "orders", "updating", "ECS deployment ecs-svc/3908423097810423546 in progress." },
		{ "payments", "failed", "ECS deployment circuit breaker: tasks failed to start." },
		{ "checkout", "completed", NULL },
		{ "cart", "failed",
		  "ECS deployment circuit breaker: taskSet ecs-svc/8877665544332211009 has failed "
		  "to "
		  "reach a steady state. Rolling back to deploymentId "
		  "ecs-svc/1122334455667788990." },
	};
	FILE *f = fopen(TESTS_DIR "/fixtures/ecs/describe_services.json", "rb");
	char buf[64 * 1024];
	size_t len, n, i;
	struct ecs_service *s;
	const char *msg;
	struct err e;

	(void)state;
	assert_non_null(f);
	len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	assert_int_equal(ecs_parse_services(200, buf, len, &s, &n, NULL, &e), 0);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		assert_string_equal(s[i].name, want[i].name);
		assert_string_equal(ecs_rollout_state(&s[i], &msg), want[i].state);
		if (want[i].msg == NULL)
			assert_null(msg);
		else
			assert_string_equal(msg, want[i].msg);
	}
	ecs_services_free(s, n);
}

/* ---- rollback target, family:revision -------------------------------------------------------- */

static void
test_previous_task_definition(void **state)
{
	char *const arns[] = {
		TD "orders-worker:50", TD "orders:42", TD "orders:41", TD "orders-worker:40",
		TD "orders:39",        TD "orders:44", "garbage",      TD "orders:x",
	};
	struct ecs_service s = svc(NULL, 0, NULL, 0);
	struct err e;
	char *prev;

	(void)state;
	/* the newest ACTIVE below the current one, of the same family only */
	prev = ecs_previous_task_definition(&s, arns, 8, &e);
	assert_non_null(prev);
	assert_string_equal(prev, TD "orders:41");
	free(prev);
	/* any order */
	{
		char *const shuffled[] = { TD "orders:39", TD "orders:40", TD "orders:38" };

		prev = ecs_previous_task_definition(&s, shuffled, 3, &e);
		assert_string_equal(prev, TD "orders:40");
		free(prev);
	}
	s.task_definition = TD "orders:39";
	err_clear(&e);
	assert_null(ecs_previous_task_definition(&s, arns, 8, &e));
	assert_int_equal(e.code, ERR_USAGE);
	assert_string_equal(e.msg, "ecs: no previous ACTIVE revision of orders below 39 — "
				   "register one, or pick a task definition by hand (a "
				   "deregistered revision cannot be deployed)");
	assert_null(ecs_previous_task_definition(&s, NULL, 0, &e));
	s.task_definition = "";
	assert_null(ecs_previous_task_definition(&s, arns, 8, &e));
	assert_string_equal(e.msg, "ecs: service orders: its task definition '' has no revision "
				   "— nothing to roll back from");
	/* a bare family:revision works as well as an ARN */
	s.task_definition = "orders:42";
	prev = ecs_previous_task_definition(&s, arns, 8, &e);
	assert_string_equal(prev, TD "orders:41");
	free(prev);
}

static void
test_family_revision(void **state)
{
	char *s;

	(void)state;
	s = ecs_family_revision(TD "orders:41");
	assert_string_equal(s, "orders:41");
	free(s);
	s = ecs_family_revision("orders:41");
	assert_string_equal(s, "orders:41");
	free(s);
	s = ecs_family_revision(NULL);
	assert_string_equal(s, "");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_bodies),
		cmocka_unit_test(test_describe_bodies),
		cmocka_unit_test(test_update_bodies),
		cmocka_unit_test(test_headers_and_reads),
		cmocka_unit_test(test_rollout_two_live_is_updating),
		cmocka_unit_test(test_rollout_in_progress_and_counts),
		cmocka_unit_test(test_rollout_failed),
		cmocka_unit_test(test_rollout_circuit_breaker_rollback),
		cmocka_unit_test(test_rollout_fixture_services),
		cmocka_unit_test(test_previous_task_definition),
		cmocka_unit_test(test_family_revision),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
