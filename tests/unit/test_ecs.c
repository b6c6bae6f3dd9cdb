/*
 * test_ecs.c - the ECS parsers against answers as ECS writes them
 * (tests/fixtures/ecs, see its README) and against malformed ones; error
 * bodies with their advice and the throttled flag.  Bodies, headers,
 * rollout state and the rollback target are in test_ecs_state.c.
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

#define FIX TESTS_DIR "/fixtures/ecs/"
#define T0 1795341600.0 /* 2026-11-22T10:00:00Z */
#define ARN "arn:aws:ecs:eu-west-1:123456789012:"

/* new: the fixture's bytes (NAME.json, else NAME.txt); *status from NAME.status. */
static char *
fixture(const char *name, size_t *len, long *status)
{
	char path[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, FIX "%s.json", name);
	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(path, sizeof path, FIX "%s.txt", name);
		f = fopen(path, "rb");
	}
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	snprintf(path, sizeof path, FIX "%s.status", name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", status), 1);
	fclose(f);
	return buf;
}

static bool
near(double a, double b)
{
	return a - b < 0.0005 && b - a < 0.0005;
}

/* ---- List* ------------------------------------------------------------------------- */

static void
test_list_services_pages(void **state)
{
	char **arns, *next, *body;
	size_t n, len;
	long status;
	bool thr = true;
	struct err e;

	(void)state;
	err_clear(&e);
	body = fixture("list_services_page1", &len, &status);
	assert_int_equal(ecs_parse_arns(status, body, len, &arns, &n, &next, &thr, &e), 0);
	assert_false(thr);
	assert_int_equal(n, 3);
	assert_string_equal(arns[0], ARN "service/prod/orders");
	assert_string_equal(arns[2], ARN "service/prod/checkout");
	assert_string_equal(next,
			    "eyJlbmNyeXB0ZWREYXRhIjpbMTIsNDUsLTk4LDc3LDEwMywtMTIsNTYsMTE5XX0=");
	ecs_arns_free(arns, n);
	free(next);
	free(body);

	body = fixture("list_services_page2", &len, &status);
	assert_int_equal(ecs_parse_arns(status, body, len, &arns, &n, &next, NULL, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(arns[1], ARN "service/prod/legacy");
	assert_string_equal(next, ""); /* the last page */
	ecs_arns_free(arns, n);
	free(next);
	free(body);
}

static void
test_list_tasks_and_definitions(void **state)
{
	char **arns, *next, *body;
	size_t n, len;
	long status;
	struct err e;

	(void)state;
	body = fixture("list_tasks", &len, &status);
	assert_int_equal(ecs_parse_arns(status, body, len, &arns, &n, &next, NULL, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(arns[0], ARN "task/prod/0b1c2d3e4f5a46b7a8c9d0e1f2a3b4c5");
	ecs_arns_free(arns, n);
	free(next);
	free(body);

	body = fixture("list_tasks_empty", &len, &status);
	assert_int_equal(ecs_parse_arns(status, body, len, &arns, &n, &next, NULL, &e), 0);
	assert_int_equal(n, 0);
	assert_non_null(arns);
	ecs_arns_free(arns, n);
	free(next);
	free(body);

	body = fixture("list_task_definitions", &len, &status);
	assert_int_equal(ecs_parse_arns(status, body, len, &arns, &n, &next, NULL, &e), 0);
	assert_int_equal(n, 6);
	assert_string_equal(arns[0], ARN "task-definition/orders-worker:50");
	assert_string_equal(arns[1], ARN "task-definition/orders:42");
	ecs_arns_free(arns, n);
	free(next);
	free(body);
}

static void
test_list_malformed(void **state)
{
	static const char *const bad[] = {
		"{\"serviceArns\":[\"arn:x\",1]}",
		"{\"serviceArns\":{}}",
		"{\"other\":[]}",
		"[\"arn\"]",
		"not json",
		"",
	};
	char **arns = (char **)1, *next = (char *)1;
	size_t i, n = 9;
	struct err e;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		assert_int_equal(
			ecs_parse_arns(200, bad[i], strlen(bad[i]), &arns, &n, &next, NULL, &e),
			-1);
		assert_null(arns);
		assert_null(next);
		assert_int_equal(n, 0);
		assert_int_equal(e.code, ERR_PARSE);
		assert_memory_equal(e.msg, "ecs: ", 5);
	}
	err_clear(&e);
	ecs_parse_arns(200, bad[0], strlen(bad[0]), &arns, &n, &next, NULL, &e);
	assert_string_equal(e.msg, "ecs: serviceArns[1] is not an ARN");
}

/* ---- DescribeServices --------------------------------------------------------------- */

static const struct ecs_service *
find(const struct ecs_service *s, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	fail_msg("no service %s", name);
	return NULL;
}

static void
test_describe_services(void **state)
{
	struct ecs_service *s;
	const struct ecs_service *o, *p, *c, *k;
	size_t n, len;
	long status;
	char *body = fixture("describe_services", &len, &status);
	struct err e;

	(void)state;
	assert_int_equal(ecs_parse_services(status, body, len, &s, &n, NULL, &e), 0);
	assert_int_equal(n, 4);
	/* failures[] is a warning beside the services */
	assert_int_equal(e.code, ERR_BACKEND);
	assert_string_equal(e.msg, "ecs: DescribeServices: 1 failure, the first " ARN
				   "service/prod/legacy: MISSING");

	o = find(s, n, "orders");
	assert_string_equal(o->arn, ARN "service/prod/orders");
	assert_string_equal(o->cluster_arn, ARN "cluster/prod");
	assert_string_equal(o->status, "ACTIVE");
	assert_int_equal(o->running, 3);
	assert_int_equal(o->desired, 3);
	assert_int_equal(o->pending, 2);
	assert_string_equal(o->launch_type, "FARGATE");
	assert_string_equal(o->task_definition, ARN "task-definition/orders:42");
	assert_string_equal(o->family_revision, "orders:42");
	assert_true(o->circuit_breaker_rollback);
	assert_true(near(o->created, T0 - 86400 * 200 + 0.123));
	assert_int_equal(o->ndeployments, 2);
	assert_string_equal(o->deployments[0].status, "PRIMARY");
	assert_string_equal(o->deployments[0].id, "ecs-svc/3908423097810423546");
	assert_string_equal(o->deployments[0].rollout_state, "IN_PROGRESS");
	assert_string_equal(o->deployments[0].rollout_reason,
			    "ECS deployment ecs-svc/3908423097810423546 in progress.");
	assert_int_equal(o->deployments[0].running, 1);
	assert_int_equal(o->deployments[0].pending, 2);
	assert_int_equal(o->deployments[0].desired, 3);
	assert_true(near(o->deployments[0].created, T0 - 240 + 0.512));
	assert_true(near(o->deployments[0].updated, T0 - 30 + 0.118));
	assert_string_equal(o->deployments[1].status, "ACTIVE");
	assert_string_equal(o->deployments[1].task_definition, ARN "task-definition/orders:41");
	assert_string_equal(o->deployments[1].rollout_state, "COMPLETED");
	assert_int_equal(o->nevents, 4);
	assert_string_equal(o->events[0].message, "(service orders) has started 1 tasks: (task "
						  "9f8e7d6c5b4a43219876fedcba012345).");
	assert_string_equal(o->events[3].message, "(service orders) has reached a steady state.");
	assert_true(o->events[0].created > o->events[1].created);
	assert_int_equal(o->ntarget_groups, 2);
	assert_string_equal(o->target_groups[0], "arn:aws:elasticloadbalancing:eu-west-1:"
						 "123456789012:targetgroup/orders-http/"
						 "6d0ecf831eec9f09");

	p = find(s, n, "payments");
	assert_string_equal(p->launch_type, "EC2");
	assert_int_equal(p->running, 0);
	assert_false(p->circuit_breaker_rollback); /* enabled without rollback */
	assert_int_equal(p->ndeployments, 1);
	assert_string_equal(p->deployments[0].rollout_state, "FAILED");
	assert_string_equal(p->deployments[0].rollout_reason,
			    "ECS deployment circuit breaker: tasks failed to start.");
	assert_int_equal(p->deployments[0].failed, 4);
	assert_int_equal(p->ntarget_groups, 0);

	c = find(s, n, "checkout");
	/* no launchType: the capacity provider strategy's first */
	assert_string_equal(c->launch_type, "FARGATE_SPOT");
	assert_string_equal(c->family_revision, "checkout:8");

	k = find(s, n, "cart");
	/* ECS listed the failed ACTIVE one first; PRIMARY comes first here */
	assert_string_equal(k->deployments[0].status, "PRIMARY");
	assert_string_equal(k->deployments[0].task_definition, ARN "task-definition/cart:7");
	assert_string_equal(k->deployments[1].rollout_state, "FAILED");
	assert_string_equal(k->family_revision, "cart:7");
	ecs_services_free(s, n);
	free(body);
}

static void
test_describe_services_all_missing(void **state)
{
	struct ecs_service *s;
	size_t n, len;
	long status;
	char *body = fixture("describe_services_missing", &len, &status);
	struct err e;

	(void)state;
	assert_int_equal(ecs_parse_services(status, body, len, &s, &n, NULL, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(e.code, ERR_BACKEND);
	assert_string_equal(e.msg, "ecs: DescribeServices: 2 failures, the first " ARN
				   "service/prod/legacy: MISSING");
	ecs_services_free(s, n);
	free(body);
}

static void
test_describe_services_no_failures_clears(void **state)
{
	static const char body[] =
		"{\"services\":[{\"serviceArn\":\"" ARN "service/prod/a\"}],\"failures\":[]}";
	struct ecs_service *s;
	size_t n;
	struct err e;

	(void)state;
	err_set(&e, ERR_IO, "left over");
	assert_int_equal(ecs_parse_services(200, body, strlen(body), &s, &n, NULL, &e), 0);
	assert_int_equal(e.code, ERR_OK);
	assert_int_equal(n, 1);
	/* absent members read as zero values, never NULL */
	assert_string_equal(s[0].name, "a");
	assert_string_equal(s[0].launch_type, "");
	assert_string_equal(s[0].family_revision, "");
	assert_int_equal(s[0].ndeployments, 0);
	assert_int_equal(s[0].nevents, 0);
	ecs_services_free(s, n);
}

/* Events out of order are sorted newest first and cut to the 100 ECS keeps. */
static void
test_events_sorted_and_capped(void **state)
{
	char *body = malloc(64 * 1024), *p = body;
	struct ecs_service *s;
	size_t n, i;
	struct err e;

	(void)state;
	p += sprintf(p, "{\"services\":[{\"serviceArn\":\"" ARN "service/prod/x\",\"events\":[");
	for (i = 0; i < 130; i++)
		p += sprintf(p, "%s{\"id\":\"e%zu\",\"createdAt\":%zu.5,\"message\":\"m%zu\"}",
			     i ? "," : "", i, (size_t)T0 + (i * 37) % 130, (i * 37) % 130);
	strcpy(p, "]}]}");
	assert_int_equal(ecs_parse_services(200, body, strlen(body), &s, &n, NULL, &e), 0);
	assert_int_equal(s[0].nevents, 100);
	assert_string_equal(s[0].events[0].message, "m129");
	assert_string_equal(s[0].events[99].message, "m30");
	for (i = 1; i < s[0].nevents; i++)
		assert_true(s[0].events[i - 1].created >= s[0].events[i].created);
	ecs_services_free(s, n);
	free(body);
}

static void
test_describe_services_malformed(void **state)
{
	static const char *const bad[] = {
		"{\"services\":[{\"serviceName\":\"no-arn\"}]}",
		"{\"services\":[{\"serviceArn\":\"" ARN "service/p/a\"}, 7]}",
		"{\"services\":\"x\"}",
		"[]",
		"{\"services\":[",
	};
	struct ecs_service *s = (struct ecs_service *)1;
	size_t i, n = 5;
	struct err e;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(ecs_parse_services(200, bad[i], strlen(bad[i]), &s, &n, NULL, &e),
				 -1);
		assert_null(s);
		assert_int_equal(n, 0);
		assert_int_equal(e.code, ERR_PARSE);
	}
	ecs_parse_services(200, bad[1], strlen(bad[1]), &s, &n, NULL, &e);
	assert_string_equal(e.msg, "ecs: DescribeServices: services[1] has no serviceArn");
	/* wrong types read as absent */
	{
		static const char odd[] = "{\"services\":[{\"serviceArn\":\"" ARN
					  "service/p/a\",\"desiredCount\":\"3\",\"events\":{},"
					  "\"deployments\":[1,{\"status\":7}],"
					  "\"loadBalancers\":[{\"targetGroupArn\":null}]}]}";

		assert_int_equal(ecs_parse_services(200, odd, strlen(odd), &s, &n, NULL, &e), 0);
		assert_int_equal(s[0].desired, 0);
		assert_int_equal(s[0].nevents, 0);
		assert_int_equal(s[0].ndeployments, 1);
		assert_string_equal(s[0].deployments[0].status, "");
		assert_int_equal(s[0].ntarget_groups, 0);
		ecs_services_free(s, n);
	}
}

/* ---- DescribeTasks, DescribeTaskDefinition --------------------------------------------- */

static void
test_describe_tasks(void **state)
{
	struct ecs_task *t;
	size_t n, len;
	long status;
	char *body = fixture("describe_tasks", &len, &status);
	struct err e;

	(void)state;
	assert_int_equal(ecs_parse_tasks(status, body, len, &t, &n, NULL, &e), 0);
	assert_int_equal(e.code, ERR_BACKEND);
	assert_non_null(strstr(e.msg, "deadbeefdeadbeefdeadbeefdeadbeef: MISSING"));
	assert_int_equal(n, 4);

	assert_string_equal(t[0].id, "0b1c2d3e4f5a46b7a8c9d0e1f2a3b4c5");
	assert_string_equal(t[0].last_status, "RUNNING");
	assert_string_equal(t[0].health_status, "HEALTHY");
	assert_string_equal(t[0].availability_zone, "eu-west-1a");
	assert_string_equal(t[0].launch_type, "FARGATE");
	assert_string_equal(t[0].task_definition, ARN "task-definition/orders:42");
	assert_true(near(t[0].started, T0 - 200 + 0.2));
	assert_true(t[0].stopped == 0);
	assert_int_equal(t[0].ncontainers, 2);
	assert_string_equal(t[0].containers[1].name, "envoy");
	assert_false(t[0].containers[0].has_exit_code);
	assert_int_equal(t[0].containers[0].exit_code, -1);

	assert_string_equal(t[1].last_status, "PROVISIONING");
	assert_true(t[1].started == 0);

	/* killed for memory: exit 137, the sidecar's clean 0 is an exit code too */
	assert_string_equal(t[2].last_status, "STOPPED");
	assert_string_equal(t[2].desired_status, "STOPPED");
	assert_string_equal(t[2].stop_code, "EssentialContainerExited");
	assert_string_equal(t[2].stopped_reason, "Essential container in task exited");
	assert_string_equal(t[2].availability_zone, "eu-west-1c");
	assert_string_equal(t[2].launch_type, "EC2");
	assert_true(near(t[2].stopped, T0 - 330));
	assert_true(t[2].containers[0].has_exit_code);
	assert_int_equal(t[2].containers[0].exit_code, 137);
	assert_string_equal(t[2].containers[0].reason,
			    "OutOfMemoryError: Container killed due to memory usage");
	assert_string_equal(t[2].containers[0].health_status, "UNHEALTHY");
	assert_true(t[2].containers[1].has_exit_code);
	assert_int_equal(t[2].containers[1].exit_code, 0);
	assert_string_equal(t[2].containers[1].reason, "");

	/* never started: no exit code, the pull error as the reason */
	assert_string_equal(t[3].stop_code, "TaskFailedToStart");
	assert_memory_equal(t[3].stopped_reason, "CannotPullContainerError: ", 26);
	assert_false(t[3].containers[0].has_exit_code);
	assert_int_equal(t[3].containers[0].exit_code, -1);
	assert_true(t[3].started == 0);
	ecs_tasks_free(t, n);
	free(body);
}

static void
test_describe_tasks_malformed(void **state)
{
	static const char bad[] = "{\"tasks\":[{\"taskArn\":\"\"}]}";
	static const char odd[] = "{\"tasks\":[{\"taskArn\":\"t/x\",\"containers\":[{\"exitCode\":"
				  "1e3},{\"exitCode\":99999999999},{\"exitCode\":-1}]}]}";
	struct ecs_task *t;
	size_t n;
	struct err e;

	(void)state;
	assert_int_equal(ecs_parse_tasks(200, bad, strlen(bad), &t, &n, NULL, &e), -1);
	assert_string_equal(e.msg, "ecs: DescribeTasks: tasks[0] has no taskArn");
	assert_int_equal(ecs_parse_tasks(200, odd, strlen(odd), &t, &n, NULL, &e), 0);
	assert_int_equal(e.code, ERR_OK);
	assert_string_equal(t[0].id, "x");
	assert_false(t[0].containers[0].has_exit_code); /* a real is no exit code */
	assert_false(t[0].containers[1].has_exit_code); /* out of int's range */
	assert_true(t[0].containers[2].has_exit_code);
	assert_int_equal(t[0].containers[2].exit_code, -1);
	ecs_tasks_free(t, n);
}

static void
test_describe_task_definition(void **state)
{
	struct ecs_task_definition td;
	size_t len;
	long status;
	char *body = fixture("describe_task_definition", &len, &status);
	struct err e;

	(void)state;
	assert_int_equal(ecs_parse_task_definition(status, body, len, &td, NULL, &e), 0);
	assert_string_equal(td.arn, ARN "task-definition/orders:41");
	assert_string_equal(td.family, "orders");
	assert_int_equal(td.revision, 41);
	assert_string_equal(td.status, "ACTIVE");
	assert_string_equal(td.images, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:2.6.3, "
				       "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.4.0-prod");
	assert_true(near(td.registered, T0 - 86400 * 3 - 0.5));
	ecs_task_definition_done(&td);
	assert_null(td.arn);
	ecs_task_definition_done(&td); /* twice is harmless */
	free(body);

	assert_int_equal(ecs_parse_task_definition(200, "{\"tags\":[]}", 11, &td, NULL, &e), -1);
	assert_null(td.arn);
	assert_string_equal(e.msg, "ecs: DescribeTaskDefinition: the answer has no "
				   "taskDefinition.taskDefinitionArn");
}

/* ---- errors ------------------------------------------------------------------------------ */

struct error_case {
	const char *fixture;
	enum err_code code;
	bool throttled;
	const char *msg;
};

static void
test_errors_verbatim_with_advice(void **state)
{
	static const struct error_case cases[] = {
		{ "error_cluster_not_found", ERR_BACKEND, false,
		  "ecs: ClusterNotFoundException: Cluster not found. — set [ecs] cluster to a "
		  "cluster of this account and region (aws ecs list-clusters)" },
		{ "error_service_not_found", ERR_BACKEND, false,
		  "ecs: ServiceNotFoundException: Service not found. — the service is gone or in "
		  "another cluster: refresh the list" },
		{ "error_throttling", ERR_BACKEND, true,
		  "ecs: ThrottlingException: Rate exceeded — ECS is throttling the requests: "
		  "opsdeck backs off; raise [general] refresh if it lasts" },
		{ "error_unrecognized_client", ERR_AUTH, false,
		  "ecs: UnrecognizedClientException: The security token included in the request "
		  "is invalid. — check the AWS credentials ([ecs] profile, AWS_PROFILE or the "
		  "AWS_ACCESS_KEY_ID variables; aws sts get-caller-identity tests them)" },
		{ "error_expired_token", ERR_AUTH, false,
		  "ecs: ExpiredTokenException: The security token included in the request is "
		  "expired — the session token has expired: renew the credentials (aws sso "
		  "login, the credential_process, or new AWS_* variables)" },
		{ "error_client", ERR_BACKEND, false,
		  "ecs: ClientException: TaskDefinition is inactive" },
		{ "error_html_502", ERR_HTTP, false,
		  "ecs: HTTP 502 Bad Gateway (body starts with '<html>...') — check [ecs] region "
		  "and "
		  "endpoint_url point at ECS" },
	};
	size_t i, len;
	long status;
	char *body;
	bool thr;
	struct err e;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		body = fixture(cases[i].fixture, &len, &status);
		thr = !cases[i].throttled;
		err_clear(&e);
		assert_int_equal(ecs_parse_error(status, body, len, &thr, &e), -1);
		assert_string_equal(e.msg, cases[i].msg);
		assert_int_equal(e.code, cases[i].code);
		assert_int_equal(thr, cases[i].throttled);
		free(body);
	}
}

static void
test_error_prefixes_and_message_spelling(void **state)
{
	size_t len;
	long status;
	char *body;
	struct err e;

	(void)state;
	/* "ns#Type:url" gives Type */
	body = fixture("error_invalid_signature", &len, &status);
	ecs_parse_error(status, body, len, NULL, &e);
	assert_int_equal(e.code, ERR_AUTH);
	assert_memory_equal(
		e.msg, "ecs: InvalidSignatureException: The request signature we calculated", 67);
	assert_non_null(strstr(e.msg, "— the secret key does not match the access key, or the "
				      "system clock is off"));
	free(body);
	/* "Message" with a capital M */
	body = fixture("error_access_denied", &len, &status);
	ecs_parse_error(status, body, len, NULL, &e);
	assert_int_equal(e.code, ERR_AUTH);
	assert_memory_equal(e.msg, "ecs: AccessDeniedException: User: arn:aws:sts::", 46);
	assert_non_null(strstr(e.msg, "not authorized to perform: ecs:UpdateService"));
	assert_non_null(strstr(e.msg, "— the credentials' IAM policy does not allow this call"));
	free(body);
}

static void
test_error_without_json(void **state)
{
	bool thr = false;
	struct err e;

	(void)state;
	ecs_parse_error(0, NULL, 0, &thr, &e);
	assert_int_equal(e.code, ERR_HTTP);
	assert_string_equal(e.msg, "ecs: no answer — check [ecs] region and that the ECS "
				   "endpoint is reachable");
	ecs_parse_error(429, "", 0, &thr, &e);
	assert_true(thr);
	assert_string_equal(e.msg, "ecs: HTTP 429 Too Many Requests with an empty body — ECS is "
				   "throttling the requests: opsdeck backs off; raise [general] "
				   "refresh if it lasts");
	ecs_parse_error(403, "Forbidden", 9, &thr, &e);
	assert_false(thr);
	assert_int_equal(e.code, ERR_AUTH);
	ecs_parse_error(400, "{\"__type\":\"Weird\"}", 18, &thr, &e);
	assert_string_equal(e.msg, "ecs: Weird: (no message)");
}

/* A parser handed an error answer reports it and sets throttled. */
static void
test_parsers_report_errors(void **state)
{
	struct ecs_service *s = (struct ecs_service *)1;
	struct ecs_task *t = (struct ecs_task *)1;
	struct ecs_task_definition td;
	char **arns, *next, *body;
	size_t n = 3, len;
	long status;
	bool thr = false;
	struct err e;

	(void)state;
	body = fixture("error_throttling", &len, &status);
	assert_int_equal(ecs_parse_services(status, body, len, &s, &n, &thr, &e), -1);
	assert_true(thr);
	assert_null(s);
	assert_int_equal(n, 0);
	assert_memory_equal(e.msg, "ecs: ThrottlingException: Rate exceeded", 39);
	thr = false;
	assert_int_equal(ecs_parse_tasks(status, body, len, &t, &n, &thr, &e), -1);
	assert_true(thr);
	assert_null(t);
	thr = false;
	assert_int_equal(ecs_parse_arns(status, body, len, &arns, &n, &next, &thr, &e), -1);
	assert_true(thr);
	thr = false;
	assert_int_equal(ecs_parse_task_definition(status, body, len, &td, &thr, &e), -1);
	assert_true(thr);
	free(body);
	body = fixture("error_cluster_not_found", &len, &status);
	assert_int_equal(ecs_parse_services(status, body, len, &s, &n, &thr, &e), -1);
	assert_false(thr);
	assert_memory_equal(e.msg, "ecs: ClusterNotFoundException", 29);
	free(body);
	/* a 2xx that is not JSON */
	assert_int_equal(ecs_parse_services(200, "<html>", 6, &s, &n, &thr, &e), -1);
	assert_string_equal(e.msg, "ecs: DescribeServices: HTTP 200 with a body that is not a "
				   "JSON object (starts with '<html>') — check [ecs] endpoint_url "
				   "points at ECS");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_services_pages),
		cmocka_unit_test(test_list_tasks_and_definitions),
		cmocka_unit_test(test_list_malformed),
		cmocka_unit_test(test_describe_services),
		cmocka_unit_test(test_describe_services_all_missing),
		cmocka_unit_test(test_describe_services_no_failures_clears),
		cmocka_unit_test(test_events_sorted_and_capped),
		cmocka_unit_test(test_describe_services_malformed),
		cmocka_unit_test(test_describe_tasks),
		cmocka_unit_test(test_describe_tasks_malformed),
		cmocka_unit_test(test_describe_task_definition),
		cmocka_unit_test(test_errors_verbatim_with_advice),
		cmocka_unit_test(test_error_prefixes_and_message_spelling),
		cmocka_unit_test(test_error_without_json),
		cmocka_unit_test(test_parsers_report_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
