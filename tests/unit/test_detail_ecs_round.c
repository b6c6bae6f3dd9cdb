/*
 * The Service detail of an Amazon ECS service: the calls of one round and
 * what their answers become (tui/ecs_detail.c, fed ECS's answers from
 * tests/fixtures/ecs: cluster prod in eu-west-1), the caches that spare
 * calls in the next round, throttled and failing answers, and the
 * poller's rounds for an ECS service: without a connection, backing off
 * while ECS throttles, and through http against a scripted ECS
 * (tests/unit/ecs_test_server.h): signed reads only, none before the
 * detail opens or after it closes.  The screen
 * drawn from such data is test_detail_ecs.c's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecs_test_server.h"

#include "buf.h"
#include "detail_poll.h"
#include "detail_poll_internal.h"
#include "ecs_detail.h"
#include "ecs_endpoint.h"
#include "http.h"
#include "poller.h"
#include "xalloc.h"

/* new: the file at path, or NULL. */
static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct buf b;
	char tmp[4096];
	size_t n;

	if (fp == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0)
		buf_append(&b, tmp, n);
	fclose(fp);
	return buf_steal(&b);
}

/* ---- a round's calls and answers, from the fixtures (cluster prod, eu-west-1) ------------- */

static char *
fixture(const char *name, long *status)
{
	char path[256], *body, *st;

	snprintf(path, sizeof path, "tests/fixtures/ecs/%s.status", name);
	st = slurp(path);
	assert_non_null(st);
	*status = atol(st);
	free(st);
	snprintf(path, sizeof path, "tests/fixtures/ecs/%s.json", name);
	body = slurp(path);
	assert_non_null(body);
	return body;
}

/* Answer (req, tag) with fixture name (or body when name is NULL); returns take's result. */
static int
answer(struct ecs_detail *k, enum ecs_detail_req req, int tag, const char *name, const char *body,
       struct err *e)
{
	long status = 200;
	char *b = name != NULL ? fixture(name, &status) : xstrdup(body);
	int rc = ecs_detail_take(k, req, tag, status, b, strlen(b), e);

	free(b);
	return rc;
}

/* The calls queued now, as "Operation(tag)" joined by spaces, their bodies into bodies. */
static void
calls(struct ecs_detail *k, char *out, size_t n, struct buf *bodies)
{
	struct ecs_detail_call c;

	out[0] = '\0';
	while (ecs_detail_next(k, &c)) {
		snprintf(out + strlen(out), n - strlen(out), "%s%s(%d)", out[0] ? " " : "",
			 c.operation, c.tag);
		if (bodies != NULL) {
			buf_puts(bodies, c.body);
			buf_putc(bodies, '\n');
		}
		free(c.body);
	}
}

#define T_RUNNING "arn:aws:ecs:eu-west-1:123456789012:task/prod/0b1c2d3e4f5a46b7a8c9d0e1f2a3b4c5"
#define T_OOM "arn:aws:ecs:eu-west-1:123456789012:task/prod/1111aaaa2222bbbb3333cccc4444dddd"

/* One round of orders as the poller runs it; the stopped list names the OOM-killed task. */
static void
round_orders(struct ecs_detail *k, struct detail_data *dd, double now, bool fresh)
{
	char got[512];
	struct err e;
	struct buf bodies;

	buf_init(&bodies);
	ecs_detail_begin(k);
	calls(k, got, sizeof got, &bodies);
	assert_string_equal(got, "DescribeServices(0) ListTasks(0) ListTasks(1)");
	assert_non_null(strstr(bodies.data, "\"desiredStatus\":\"STOPPED\""));
	assert_non_null(strstr(bodies.data, "\"serviceName\":\"orders\""));
	assert_int_equal(answer(k, ECS_DETAIL_SERVICE, 0, "describe_services", NULL, &e), 0);
	calls(k, got, sizeof got, &bodies);
	assert_string_equal(got, "ListTaskDefinitions(0)");
	assert_int_equal(answer(k, ECS_DETAIL_RUNNING, 0, "list_tasks", NULL, &e), 0);
	calls(k, got, sizeof got, NULL);
	assert_string_equal(got, "DescribeTasks(0)");
	assert_int_equal(
		answer(k, ECS_DETAIL_STOPPED, 1, NULL, "{\"taskArns\":[\"" T_OOM "\"]}", &e), 0);
	calls(k, got, sizeof got, NULL);
	assert_string_equal(got, fresh ? "DescribeTasks(1)" : ""); /* stopped: described once */
	assert_int_equal(answer(k, ECS_DETAIL_TASKS, 0, "describe_tasks", NULL, &e), 0);
	if (fresh)
		assert_int_equal(answer(k, ECS_DETAIL_TASKS, 1, "describe_tasks", NULL, &e), 0);
	assert_int_equal(answer(k, ECS_DETAIL_REVISIONS, 0, "list_task_definitions", NULL, &e), 0);
	calls(k, got, sizeof got, NULL);
	/* images of 42, 41, 39, 38 (orders-worker is another family); 41 known after round 1 */
	assert_string_equal(got, fresh ? "DescribeTaskDefinition(0) DescribeTaskDefinition(1) "
					 "DescribeTaskDefinition(2) DescribeTaskDefinition(3)"
				       : "DescribeTaskDefinition(0) DescribeTaskDefinition(1) "
					 "DescribeTaskDefinition(2)");
	if (fresh)
		assert_int_equal(
			answer(k, ECS_DETAIL_TASKDEF, 1, "describe_task_definition", NULL, &e), 0);
	assert_false(ecs_detail_throttled(k));
	ecs_detail_fill(k, dd, now);
	dd->have_runtime = true;
	buf_done(&bodies);
}

static void
test_round(void **state)
{
	struct ecs_detail *k = ecs_detail_new("prod", "orders");
	struct detail_data dd;
	const struct detail_ecs *e = &dd.ecs;
	size_t i;

	(void)state;
	detail_data_init(&dd, 3600, 30);
	round_orders(k, &dd, 1795341660.0, true);
	assert_true(e->present);
	assert_string_equal(e->cluster, "prod");
	assert_string_equal(e->region, "eu-west-1");
	assert_string_equal(e->family_revision, "orders:42");
	assert_string_equal(e->launch_type, "FARGATE");
	assert_int_equal(e->pending, 2);
	assert_string_equal(e->rollout_state, "IN_PROGRESS");
	/* problems first: provisioning; then failures, newest first; then the running one */
	assert_int_equal(e->ntasks, 4);
	assert_string_equal(e->tasks[0].last_status, "PROVISIONING");
	assert_string_equal(e->tasks[1].id, "1111aaaa2222bbbb3333cccc4444dddd");
	assert_string_equal(e->tasks[1].exits, "payments=137 log-router=0");
	assert_string_equal(e->tasks[1].reason, "Essential container in task exited: "
						"OutOfMemoryError: Container killed due to memory "
						"usage");
	assert_true(e->tasks[1].failed);
	assert_string_equal(e->tasks[1].az, "eu-west-1c");
	assert_string_equal(e->tasks[2].exits, ""); /* never started: no exit code */
	assert_non_null(strstr(e->tasks[2].reason, "CannotPullContainerError"));
	assert_string_equal(e->tasks[3].last_status, "RUNNING");
	assert_string_equal(e->tasks[3].revision, "42");
	assert_false(e->tasks[3].failed);
	assert_string_equal(dd.task_error, "exit 137 (payments): Essential container in task "
					   "exited: OutOfMemoryError: Container killed due to "
					   "memory usage");
	assert_int_equal(e->ndeps, 2);
	assert_string_equal(e->deps[0].status, "PRIMARY");
	assert_string_equal(e->deps[1].task_definition, "orders:41");
	/* revisions of orders only, newest first; 41 described, the others not yet */
	assert_int_equal(e->nrevs, 4);
	assert_string_equal(e->revs[0].revision, "42");
	assert_true(e->revs[0].current);
	assert_true(e->revs[1].rollback);
	assert_non_null(strstr(e->revs[1].images, "orders:2.6.3, public.ecr.aws/appmesh/"));
	assert_true(e->revs[1].created > 0);
	assert_string_equal(e->revs[2].images, "");
	assert_string_equal(dd.prev_tag, "2.6.3");
	assert_string_equal(dd.update_state, "updating");
	assert_int_equal(e->ntarget_groups, 2);
	assert_true(e->nevents >= 4);
	for (i = 0; i < e->nevents; i++)
		if (strstr(e->events[i].message, "steady state") != NULL)
			assert_string_equal(e->events[i].type, "Normal");
	/* the second round: the stopped task and revision 41 are not asked again */
	round_orders(k, &dd, 1795341670.0, false);
	assert_int_equal(e->ntasks, 4); /* the fixture's DescribeTasks names all four again */
	assert_string_equal(e->tasks[1].id, "1111aaaa2222bbbb3333cccc4444dddd");
	assert_non_null(strstr(e->revs[1].images, "orders:2.6.3"));
	ecs_detail_free(k);
	detail_data_done(&dd);
}

/* Throttled, failing and missing answers: what fails the round, what keeps the last list. */
static void
test_round_failures(void **state)
{
	struct ecs_detail *k = ecs_detail_new("prod", "orders");
	struct detail_data dd;
	struct err e;
	char got[512];

	(void)state;
	detail_data_init(&dd, 3600, 30);
	round_orders(k, &dd, 1795341660.0, true);
	/* the revisions are throttled: the round stands, the last list stays, ECS said slow down */
	ecs_detail_begin(k);
	calls(k, got, sizeof got, NULL);
	assert_int_equal(answer(k, ECS_DETAIL_SERVICE, 0, "describe_services", NULL, &e), 0);
	calls(k, got, sizeof got, NULL);
	assert_int_equal(answer(k, ECS_DETAIL_REVISIONS, 0, "error_throttling", NULL, &e), 0);
	assert_true(ecs_detail_throttled(k));
	assert_int_equal(answer(k, ECS_DETAIL_RUNNING, 0, "list_tasks_empty", NULL, &e), 0);
	err_set(&e, ERR_TIMEOUT, "ecs: timed out");
	assert_true(ecs_detail_failed(k, ECS_DETAIL_STOPPED, 1, &e));
	assert_false(ecs_detail_failed(k, ECS_DETAIL_TASKDEF, 0, &e));
	ecs_detail_fill(k, &dd, 1795341670.0);
	assert_int_equal(dd.ecs.nrevs, 4);
	assert_non_null(strstr(dd.ecs.revs_err.msg, "ThrottlingException"));
	assert_int_equal(dd.ecs.ntasks, 0);
	/* a throttled task list fails the round */
	ecs_detail_begin(k);
	assert_int_equal(answer(k, ECS_DETAIL_RUNNING, 0, "error_throttling", NULL, &e), -1);
	assert_true(ecs_detail_throttled(k));
	/* the service is gone or was never there */
	ecs_detail_begin(k);
	assert_int_equal(answer(k, ECS_DETAIL_SERVICE, 0, "describe_services_missing", NULL, &e),
			 -1);
	assert_non_null(strstr(e.msg, "MISSING"));
	assert_int_equal(answer(k, ECS_DETAIL_SERVICE, 0, "error_service_not_found", NULL, &e), -1);
	assert_non_null(strstr(e.msg, "ServiceNotFoundException"));
	ecs_detail_free(k);
	k = ecs_detail_new("prod", "search");
	ecs_detail_begin(k);
	calls(k, got, sizeof got, NULL);
	assert_int_equal(answer(k, ECS_DETAIL_SERVICE, 0, "describe_services", NULL, &e), -1);
	assert_non_null(strstr(e.msg, "search is not in the answer"));
	calls(k, got, sizeof got, NULL);
	assert_string_equal(got, ""); /* no revisions without it */
	ecs_detail_free(k);
	detail_data_done(&dd);
}

/* A service failing its deployment: the rollout line and the failure events. */
static void
test_round_failed_deployment(void **state)
{
	struct ecs_detail *k = ecs_detail_new("prod", "payments");
	struct detail_data dd;
	struct err e;
	char got[512];

	(void)state;
	detail_data_init(&dd, 3600, 30);
	ecs_detail_begin(k);
	calls(k, got, sizeof got, NULL);
	assert_int_equal(answer(k, ECS_DETAIL_SERVICE, 0, "describe_services", NULL, &e), 0);
	ecs_detail_fill(k, &dd, 1795341660.0);
	assert_string_equal(dd.update_state, "failed");
	assert_string_equal(dd.update_message, "ECS deployment circuit breaker: tasks failed to "
					       "start.");
	assert_string_equal(dd.ecs.launch_type, "EC2");
	assert_string_equal(dd.ecs.events[0].type, "Warning");
	assert_string_equal(dd.ecs.events[1].type, "Normal");
	assert_int_equal(dd.ecs.ntarget_groups, 0);
	ecs_detail_free(k);
	detail_data_done(&dd);
}

/* An ECS service without a connection: the round fails with a message, no stats round. */
static void
test_poll_without_connection(void **state)
{
	struct detail_poll *p = detail_poll_new(NULL);
	struct detail_poll_settings s;
	unsigned long rt, st, mt;

	(void)state;
	memset(&s, 0, sizeof s);
	s.service = "orders";
	s.kind = "ecs";
	s.runtime_id = "arn:aws:ecs:eu-west-1:123456789012:service/prod/orders";
	s.context = "prod";
	s.docker = true; /* a runtime to ask, but no connection to ask it with */
	s.refresh_ms = 1000;
	detail_poll_open(p, &s);
	assert_true(detail_poll_tick(p, 1.0));
	detail_poll_rounds(p, &rt, &st, &mt);
	assert_int_equal(rt, 1);
	assert_int_equal(detail_poll_inflight(p), 0);
	assert_non_null(strstr(detail_poll_data(p)->runtime_err.msg, "cluster 'prod'"));
	detail_poll_set_visible(p, 0, 3);
	assert_false(detail_poll_tick(p, 1.5)); /* not due again yet; no stats round */
	assert_true(detail_poll_next_due_ms(p, 1.5) > 0);
	detail_poll_close(p);
	detail_poll_free(p);
}

/* While ECS throttles, each round waits twice as long, up to a minute; then the refresh again. */
static void
test_poll_throttled(void **state)
{
	static const double want[] = { 4, 6, 10, 18, 34, 60, 60 };
	struct detail_poll *p = detail_poll_new(NULL);
	struct detail_poll_settings s;
	struct dp_round_state *r = &p->r[R_RUNTIME];
	struct err e;
	size_t i;

	(void)state;
	memset(&s, 0, sizeof s);
	s.service = "orders";
	s.kind = "ecs";
	s.docker = true;
	s.refresh_ms = 2000;
	detail_poll_open(p, &s);
	p->ecs = ecs_detail_new("prod", "orders"); /* as an endpoint would have given */
	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		ecs_detail_begin(p->ecs);
		r->failed = false;
		assert_int_equal(
			answer(p->ecs, ECS_DETAIL_RUNNING, 0, "error_throttling", NULL, &e), -1);
		detail_poll_fail_round(r, &e);
		assert_true(detail_poll_ecs_finish_runtime(p, 100.0));
		assert_true(r->next_due > 100.0 + want[i] - 0.001 &&
			    r->next_due < 100.0 + want[i] + 0.001);
	}
	assert_non_null(strstr(detail_poll_data(p)->runtime_err.msg, "ThrottlingException"));
	/* not throttled: no more waiting than the refresh */
	ecs_detail_begin(p->ecs);
	r->failed = false;
	r->next_due = 102.0;
	assert_int_equal(answer(p->ecs, ECS_DETAIL_RUNNING, 0, "list_tasks_empty", NULL, &e), 0);
	assert_true(detail_poll_ecs_finish_runtime(p, 100.0));
	assert_true(r->next_due < 102.001);
	assert_true(p->ecs_backoff == 0);
	detail_poll_close(p);
	detail_poll_free(p);
}

/* ---- the poller against a scripted ECS ---------------------------------------------- */

struct drive {
	struct detail_poll *p;
	unsigned long want; /* runtime rounds */
	struct http *h;
};

static bool
rounds_done(void *ud)
{
	const struct drive *d = ud;
	unsigned long rt, st, mt;

	detail_poll_rounds(d->p, &rt, &st, &mt);
	return rt >= d->want && detail_poll_inflight(d->p) == 0;
}

static bool
nothing_pending(void *ud)
{
	const struct drive *d = ud;

	return http_pending(d->h) == 0;
}

/* The body of fixture name (its status is 200), for a route. */
static char *
route_body(const char *name)
{
	long status;

	return fixture(name, &status);
}

/*
 * orders through the real poller and http: signed POSTs of reads only,
 * nothing before the detail opens, a throttled round keeps the data and
 * waits longer, answers after a close are dropped and ask for nothing.
 */
static void
test_poll_against_server(void **state)
{
	static const char *const ops[] = { "DescribeServices", "ListTasks", "DescribeTasks",
					   "ListTaskDefinitions", "DescribeTaskDefinition" };
	struct err e;
	struct http *h = http_new(&e);
	struct ecs_endpoint *x;
	struct detail_poll *p;
	struct detail_poll_settings s;
	struct drive d;
	char svc[8192] = "{\"services\":[", *b;
	const struct detail_data *dd;
	int i, before;

	(void)state;
	es_reset();
	es_env_static();
	x = es_endpoint("shop", NULL);
	es_service_json(svc, sizeof svc, "orders", 42, 3, 3, 2, "IN_PROGRESS",
			"ECS deployment ecs-svc/2 in progress.", true,
			"(service orders) was unable to place a task.");
	strcat(svc, "]}");
	es_route("DescribeServices", "", 200, svc);
	es_route("ListTasks", "STOPPED", 200, "{\"taskArns\":[\"" T_OOM "\"]}");
	es_route("ListTasks", "", 200, b = route_body("list_tasks"));
	free(b);
	es_route("DescribeTasks", "", 200, b = route_body("describe_tasks"));
	free(b);
	es_route("ListTaskDefinitions", "", 200, b = route_body("list_task_definitions"));
	free(b);
	es_route("DescribeTaskDefinition", "", 200, b = route_body("describe_task_definition"));
	free(b);

	memset(&s, 0, sizeof s);
	s.service = "orders";
	s.kind = "ecs";
	s.runtime_name = "orders";
	s.runtime_id = "arn:aws:ecs:us-east-1:123456789012:service/shop/orders";
	s.context = "shop";
	s.docker = true;
	s.ecs = x;
	s.refresh_ms = 2000;
	p = detail_poll_new(h);
	d = (struct drive){ p, 1, h };
	assert_false(detail_poll_tick(p, poller_mono_now())); /* closed: nothing */
	assert_int_equal(es_count(""), 0);
	detail_poll_open(p, &s);
	assert_true(detail_poll_tick(p, poller_mono_now()));
	assert_true(es_run_until(h, x, rounds_done, &d));
	dd = detail_poll_data(p);
	assert_int_equal(dd->runtime_err.code, ERR_OK);
	assert_true(dd->have_runtime && dd->ecs.present);
	assert_string_equal(dd->ecs.region, "us-east-1");
	assert_int_equal(dd->ecs.ntasks, 2); /* the fixture's stopped ones are over an hour old */
	assert_int_equal(dd->ecs.nrevs, 4);
	assert_non_null(strstr(dd->ecs.revs[1].images, "orders:2.6.3"));
	assert_string_equal(dd->ecs.events[0].type, "Warning");
	assert_int_equal(es_count("DescribeServices"), 1);
	assert_int_equal(es_count("ListTasks"), 2);
	assert_int_equal(es_count("DescribeTasks"), 2);
	assert_int_equal(es_count("ListTaskDefinitions"), 1);
	assert_int_equal(es_count("DescribeTaskDefinition"), 4);
	assert_int_equal(es_count(""), 10); /* nothing else */
	for (i = 0; i < (int)(sizeof ops / sizeof ops[0]); i++) {
		const struct es_req *q = es_last(ops[i]);

		assert_string_equal(q->ctype, "application/x-amz-json-1.1");
		assert_non_null(strstr(q->auth, "AWS4-HMAC-SHA256 Credential=AKIDSTATIC/"));
		assert_non_null(strstr(q->auth, "/us-east-1/ecs/aws4_request"));
	}
	assert_non_null(strstr(es_last("DescribeServices")->body, "\"cluster\":\"shop\""));

	/* throttled: the data stays, the error says so, the next round waits longer */
	es_route_first("DescribeServices", "", 1, 400,
		       "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
	detail_poll_refresh_now(p);
	assert_true(detail_poll_tick(p, poller_mono_now()));
	d.want = 2;
	assert_true(es_run_until(h, x, rounds_done, &d));
	assert_non_null(strstr(dd->runtime_err.msg, "ThrottlingException"));
	assert_int_equal(dd->ecs.ntasks, 2);
	assert_true(detail_poll_next_due_ms(p, poller_mono_now()) > 3000);
	/* the stopped task and the revisions were described already: not asked again */
	assert_int_equal(es_count("DescribeTasks"), 3);
	assert_int_equal(es_count("DescribeTaskDefinition"), 4);

	/* closed while its first calls are in flight: their answers ask for nothing */
	before = es_count("");
	detail_poll_refresh_now(p);
	assert_true(detail_poll_tick(p, poller_mono_now()));
	detail_poll_close(p);
	assert_true(es_run_until(h, x, nothing_pending, &d));
	before += 3; /* DescribeServices and both ListTasks, and no more */
	assert_int_equal(es_count(""), before);
	assert_false(detail_poll_data(p)->have_runtime);
	assert_false(detail_poll_tick(p, poller_mono_now()));
	assert_int_equal(es_count(""), before);
	http_free(h);
	detail_poll_free(p);
	ecs_endpoint_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round),
		cmocka_unit_test(test_round_failures),
		cmocka_unit_test(test_round_failed_deployment),
		cmocka_unit_test(test_poll_without_connection),
		cmocka_unit_test(test_poll_throttled),
		cmocka_unit_test(test_poll_against_server),
	};

	return cmocka_run_group_tests(tests, es_start, es_stop);
}
