/*
 * test_ecs_action.c - tui/ecs_action and its place in tui/actions, against
 * the scripted ECS server (ecs_test_server.h):
 *
 *   - scale is one UpdateService with desiredCount, restart one with
 *     forceNewDeployment, as the AWS CLI sends them;
 *   - rollback reads the service (DescribeServices), lists the family's
 *     ACTIVE revisions page by page until one below the current shows,
 *     and sends UpdateService with that revision's ARN; what the dialog
 *     showed is checked first: a service that moved on, or a target that
 *     changed, sends nothing;
 *   - ECS's refusals verbatim (ServiceNotFoundException,
 *     AccessDeniedException), throttling said as such; an expired token
 *     renews the credentials and sends once more;
 *   - through tui/actions: the plan of an ecs row ("orders:41 →
 *     orders:40"), convergence (scale at running = desired; restart and
 *     rollback at "completed" on a refresh after acceptance, a rollback on
 *     the revision the dialog named), a FAILED rollout, one audit line
 *     each, and read-only refusing everything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "actions.h"
#include "ecs.h"
#include "ecs_action.h"
#include "model.h"
#include "xalloc.h"
#include "ecs_test_server.h"

#define TD "arn:aws:ecs:us-east-1:123456789012:task-definition/"

struct result {
	bool done;
	struct docker_action_result r;
};

static void
on_done(void *ud, const struct docker_action_result *r)
{
	struct result *res = ud;

	res->done = true;
	res->r = *r;
}

struct running {
	struct result *res;
	struct ecs_action *a;
};

static bool
is_done(void *ud)
{
	struct running *r = ud;

	/* a request that waited for credentials leaves on a tick */
	if (!r->res->done)
		ecs_action_tick(r->a);
	return r->res->done;
}

static void
run(struct ecs_endpoint *x, enum op_kind op, long replicas, const char *from, const char *to,
    struct result *res)
{
	struct http *h;
	struct running r;
	struct err e;

	h = http_new(&e);
	memset(res, 0, sizeof *res);
	r.res = res;
	r.a = ecs_action_start(h, x, "orders", op, replicas, from, to, on_done, res, &e);
	if (r.a == NULL)
		fail_msg("start: %s", e.msg);
	assert_true(es_run_until(h, x, is_done, &r));
	http_free(h);
}

static void
route_orders(void)
{
	static char svc[4096], revs[1024];

	es_reset();
	strcpy(svc, "{\"services\":[");
	es_service_json(svc, sizeof svc, "orders", 41, 2, 2, 0, "COMPLETED", "", false,
			"(service orders) has reached a steady state.");
	strcat(svc, "],\"failures\":[]}");
	es_route("DescribeServices", "", 200, svc);
	/* newest first, two pages: 45..42, then 41..38 */
	es_revisions_json(revs, sizeof revs, "orders", 45, 42, "NEXT");
	es_route("ListTaskDefinitions", "", 200, revs);
	es_revisions_json(revs, sizeof revs, "orders", 41, 38, NULL);
	es_route_first("ListTaskDefinitions", "NEXT", -1, 200, revs);
	es_route("UpdateService", "", 200, "{\"service\":{}}");
}

static void
test_scale_restart(void **state)
{
	struct ecs_endpoint *x;
	struct result res;
	const struct es_req *q;

	(void)state;
	route_orders();
	es_env_static();
	x = es_endpoint("shop", NULL);
	run(x, OP_SCALE, 3, "2", "3", &res);
	assert_true(res.r.ok);
	assert_int_equal(res.r.attempts, 1);
	assert_int_equal(es_count(""), 1);
	q = es_last("UpdateService");
	assert_non_null(strstr(q->body, "\"desiredCount\":3"));
	assert_non_null(strstr(q->body, "\"service\":\"orders\""));
	assert_non_null(strstr(q->body, "\"cluster\":\"shop\""));
	assert_null(strstr(q->body, "forceNewDeployment"));
	run(x, OP_RESTART, -1, "orders:41", "orders:41", &res);
	assert_true(res.r.ok);
	q = es_last("UpdateService");
	assert_non_null(strstr(q->body, "\"forceNewDeployment\":true"));
	assert_null(strstr(q->body, "desiredCount"));
	assert_int_equal(es_count(""), 2);
	ecs_endpoint_free(x);
}

static void
test_rollback(void **state)
{
	struct ecs_endpoint *x;
	struct result res;

	(void)state;
	route_orders();
	es_env_static();
	x = es_endpoint("shop", NULL);
	run(x, OP_ROLLBACK, -1, "orders:41", "orders:40", &res);
	if (!res.r.ok)
		fail_msg("%s", res.r.err.msg);
	assert_int_equal(es_count("DescribeServices"), 1);
	assert_int_equal(es_count("ListTaskDefinitions"), 2); /* the second page had it */
	assert_non_null(strstr(es_last("ListTaskDefinitions")->body, "\"nextToken\":\"NEXT\""));
	assert_non_null(
		strstr(es_last("ListTaskDefinitions")->body, "\"familyPrefix\":\"orders\""));
	assert_non_null(
		strstr(es_last("UpdateService")->body, "\"taskDefinition\":\"" TD "orders:40\""));

	/* the service moved on since the dialog: nothing sent */
	es->nreqs = 0;
	run(x, OP_ROLLBACK, -1, "orders:42", "orders:41", &res);
	assert_false(res.r.ok);
	assert_int_equal(res.r.err.code, ERR_USAGE);
	assert_non_null(strstr(res.r.err.msg, "orders now runs orders:41, not orders:42 as "
					      "confirmed — nothing was changed"));
	assert_int_equal(es_count("UpdateService"), 0);
	/* the target changed since the dialog (40 deregistered) */
	run(x, OP_ROLLBACK, -1, "orders:41", "orders:39", &res);
	assert_false(res.r.ok);
	assert_non_null(strstr(res.r.err.msg, "the previous ACTIVE revision is now orders:40, not "
					      "orders:39 as confirmed"));
	assert_int_equal(es_count("UpdateService"), 0);
	/* unknown target at the dialog ("previous"): whatever is previous */
	run(x, OP_ROLLBACK, -1, "orders:41", "previous", &res);
	assert_true(res.r.ok);
	/* nothing below */
	es_route("ListTaskDefinitions", "", 200, "{\"taskDefinitionArns\":[\"" TD "orders:41\"]}");
	es_route("ListTaskDefinitions", "NEXT", 200, "{\"taskDefinitionArns\":[]}");
	run(x, OP_ROLLBACK, -1, "orders:41", "", &res);
	assert_false(res.r.ok);
	assert_non_null(strstr(res.r.err.msg, "no previous ACTIVE revision of orders below 41"));
	ecs_endpoint_free(x);
}

static void
test_refusals(void **state)
{
	struct ecs_endpoint *x;
	struct result res;

	(void)state;
	es_reset();
	es_env_static();
	x = es_endpoint("shop", NULL);
	es_route("UpdateService", "", 400,
		 "{\"__type\":\"ServiceNotFoundException\",\"message\":\"Service not found.\"}");
	run(x, OP_SCALE, 3, "2", "3", &res);
	assert_false(res.r.ok);
	assert_false(res.r.unknown);
	assert_non_null(strstr(res.r.err.msg, "ServiceNotFoundException: Service not found."));
	es_route("UpdateService", "", 400,
		 "{\"__type\":\"AccessDeniedException\",\"message\":\"User: "
		 "arn:aws:iam::123456789012:user/opsdeck-readonly is not authorized to perform: "
		 "ecs:UpdateService\"}");
	run(x, OP_RESTART, -1, "", "", &res);
	assert_non_null(strstr(res.r.err.msg, "AccessDeniedException: User: "));
	assert_null(strstr(res.r.err.msg, "s3cr3t"));
	es_route("UpdateService", "", 400,
		 "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
	run(x, OP_RESTART, -1, "", "", &res);
	assert_non_null(strstr(res.r.err.msg, "AWS throttled the request, nothing changed"));
	assert_int_equal(es_count("UpdateService"), 3); /* never sent twice */
	ecs_endpoint_free(x);
}

static void
test_expired_token_retried(void **state)
{
	char script[512], config[256];
	struct ecs_endpoint *x;
	struct result res;

	(void)state;
	es_reset();
	es_route_first("UpdateService", "", 1, 400,
		       "{\"__type\":\"ExpiredTokenException\",\"message\":\"The security token "
		       "included in the request is expired\"}");
	es_route("UpdateService", "", 200, "{\"service\":{}}");
	snprintf(script, sizeof script,
		 "#!/bin/sh\nprintf x >>'%s/calls'\nprintf '{\"Version\": 1, \"AccessKeyId\": "
		 "\"ASIAP\", \"SecretAccessKey\": \"s\", \"SessionToken\": \"tok\", "
		 "\"Expiration\": \"2099-01-01T00:00:00Z\"}'\n",
		 es_dir);
	es_file("proc.sh", script);
	snprintf(config, sizeof config,
		 "[profile proc]\nregion = us-east-1\ncredential_process = sh %s/proc.sh\n",
		 es_dir);
	es_env_clear();
	es_setenv("AWS_CONFIG_FILE", es_file("config", config));
	es_setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/opsdeck-test/credentials");
	unlink(es_file("calls", ""));
	x = es_endpoint("shop", "proc");
	/* the action waits for the process, then sends; expired: renewed, sent again */
	run(x, OP_SCALE, 4, "", "", &res);
	if (!res.r.ok)
		fail_msg("%s", res.r.err.msg);
	assert_int_equal(res.r.attempts, 2);
	assert_int_equal(es_count("UpdateService"), 2);
	assert_string_equal(es_last("UpdateService")->token, "tok");
	ecs_endpoint_free(x);
}

/* ---- through tui/actions ------------------------------------------------------------------ */

struct flight_rig {
	struct model *m;
	struct actions *a;
	struct http *h;
	struct ecs_endpoint *x;
	char audit[128];
};

static void
apply_row(struct model *m, const char *state, long running, long desired, const char *version,
	  enum status problem, const char *message)
{
	struct runtime_row r;

	memset(&r, 0, sizeof r);
	r.name = "orders";
	r.kind = "ecs";
	r.id = "arn:aws:ecs:us-east-1:123456789012:service/shop/orders";
	r.runtime_name = "orders";
	r.running = running;
	r.desired = desired;
	r.version = version;
	r.previous = "orders:40";
	r.platform = "FARGATE";
	r.restarts = -1;
	r.rollout_state = state;
	r.problem = problem;
	r.message = message;
	model_runtime_apply_kind(m, "shop", "ecs", &r, 1, poller_wall_now());
}

static void
rig_open(struct flight_rig *r, bool read_only)
{
	struct actions_settings s;
	struct err e;

	memset(r, 0, sizeof *r);
	snprintf(r->audit, sizeof r->audit, "%s/audit.jsonl", es_dir);
	unlink(r->audit);
	memset(&s, 0, sizeof s);
	s.timeout_ms = 30000;
	s.audit_path = r->audit;
	s.mode = "console";
	s.read_only = read_only;
	r->m = model_new(10, 10);
	r->a = actions_new(&s);
	r->h = http_new(&e);
	http_set_readonly(r->h, read_only);
	es_env_static();
	r->x = es_endpoint("shop", NULL);
}

static void
rig_close(struct flight_rig *r)
{
	actions_free(r->a);
	http_free(r->h);
	ecs_endpoint_free(r->x);
	model_free(r->m);
	unlink(r->audit);
}

static bool
accepted(void *ud)
{
	return actions_take_accepted(ud);
}

static int
audit_lines(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	int n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(f);
	return n;
}

static void
rig_execute(struct flight_rig *r, enum op_kind op, long replicas, struct action_plan *p)
{
	struct err e;

	assert_int_equal(
		actions_prepare(r->a, model_service(r->m, "orders", false), op, replicas, p, &e),
		0);
	assert_int_equal(actions_execute_ecs(r->a, p, r->h, r->x, &e), 0);
	assert_true(es_run_until(r->h, r->x, accepted, r->a));
}

static bool
said(struct flight_rig *r, const char *what)
{
	char msg[1024];
	int role;

	actions_tick(r->a, r->m, poller_mono_now());
	if (!actions_take_message(r->a, msg, sizeof msg, &role))
		return false;
	if (strstr(msg, what) == NULL)
		fail_msg("said '%s', not '%s'", msg, what);
	return true;
}

static void
test_actions_converge(void **state)
{
	struct flight_rig r;
	struct action_plan p;
	struct err e;

	(void)state;
	route_orders();
	rig_open(&r, false);
	apply_row(r.m, "completed", 2, 2, "orders:41", STATUS_OK, NULL);

	/* the plans of an ecs row */
	assert_int_equal(
		actions_prepare(r.a, model_service(r.m, "orders", false), OP_SCALE, 3, &p, &e), 0);
	assert_string_equal(p.kind, "ecs");
	assert_string_equal(p.context, "shop");
	assert_string_equal(p.runtime_name, "orders");
	assert_string_equal(p.change, "orders — ecs @ shop — replicas 2 → 3");
	assert_int_equal(actions_execute(r.a, &p, r.h, ecs_endpoint_http(r.x), &e), -1);
	assert_int_equal(
		actions_prepare(r.a, model_service(r.m, "orders", false), OP_RESTART, -1, &p, &e),
		0);
	assert_string_equal(p.change, "orders — ecs @ shop — rolling restart of 2 instances");
	assert_int_equal(
		actions_prepare(r.a, model_service(r.m, "orders", false), OP_ROLLBACK, -1, &p, &e),
		0);
	assert_string_equal(p.before, "orders:41");
	assert_string_equal(p.after, "orders:40");
	assert_string_equal(p.change,
			    "orders — ecs @ shop — task definition orders:41 → orders:40");

	/* scale: done at 3 of 3 */
	rig_execute(&r, OP_SCALE, 3, &p);
	apply_row(r.m, "updating", 2, 3, "orders:41", STATUS_OK, "1 pending");
	assert_false(said(&r, ""));
	apply_row(r.m, "completed", 3, 3, "orders:41", STATUS_OK, NULL);
	assert_true(said(&r, "orders: scale done"));

	/* restart: updating, then completed */
	rig_execute(&r, OP_RESTART, -1, &p);
	apply_row(r.m, "updating", 3, 3, "orders:41", STATUS_OK, NULL);
	assert_false(said(&r, ""));
	apply_row(r.m, "completed", 3, 3, "orders:41", STATUS_OK, NULL);
	assert_true(said(&r, "orders: restart done"));

	/* rollback: "completed" counts only on the revision the dialog named */
	rig_execute(&r, OP_ROLLBACK, -1, &p);
	assert_non_null(strstr(es_last("UpdateService")->body, TD "orders:40\""));
	apply_row(r.m, "completed", 3, 3, "orders:41", STATUS_OK, NULL);
	assert_false(said(&r, ""));
	apply_row(r.m, "completed", 3, 3, "orders:40", STATUS_OK, NULL);
	assert_true(said(&r, "orders: rollback done"));

	/* a restart whose deployment FAILED */
	rig_execute(&r, OP_RESTART, -1, &p);
	apply_row(r.m, "failed", 1, 3, "orders:40", STATUS_CRIT,
		  "ECS deployment circuit breaker: tasks failed to start.");
	assert_true(said(&r, "orders: restart failed: rollout failed: ECS deployment circuit "
			     "breaker: tasks failed to start."));

	assert_int_equal(audit_lines(r.audit, "\"result\":\"succeeded\""), 3);
	/* the Docker path's refusal above, and the failed restart */
	assert_int_equal(audit_lines(r.audit, "\"result\":\"failed\""), 2);
	assert_int_equal(audit_lines(r.audit, "\"runtime\":\"ecs\""), 5);
	assert_int_equal(audit_lines(r.audit, "\"before\":\"orders:41\",\"after\":\"orders:40\""),
			 1);
	assert_int_equal(audit_lines(r.audit, "s3cr3t"), 0);
	rig_close(&r);
}

static void
test_actions_read_only(void **state)
{
	struct flight_rig r;
	struct action_plan p;
	struct err e;
	enum op_kind op;

	(void)state;
	route_orders();
	rig_open(&r, true);
	apply_row(r.m, "completed", 2, 2, "orders:41", STATUS_OK, NULL);
	for (op = OP_SCALE; op < OP_KIND_COUNT; op++) {
		assert_int_equal(
			actions_prepare(r.a, model_service(r.m, "orders", false), op, 3, &p, &e),
			-1);
		assert_string_equal(e.msg, "read-only: actions are disabled");
	}
	/* the second guard: a plan made anyway is refused, and http refuses UpdateService */
	strcpy(p.kind, "ecs");
	strcpy(p.context, "shop");
	strcpy(p.service, "orders");
	strcpy(p.runtime_name, "orders");
	p.op = OP_SCALE;
	assert_int_equal(actions_execute_ecs(r.a, &p, r.h, r.x, &e), -1);
	assert_int_equal(es_count("UpdateService"), 0);
	assert_int_equal(audit_lines(r.audit, "\"result\":\"refused\""), 4);
	rig_close(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale_restart),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_expired_token_retried),
		cmocka_unit_test(test_actions_converge),
		cmocka_unit_test(test_actions_read_only),
	};

	return cmocka_run_group_tests(tests, es_start, es_stop);
}
