/*
 * test_ecs_poll.c - tui/ecs_poll: an ECS cluster's rounds against a
 * scripted ECS server (ecs_test_server.h):
 *
 *   - a round is ListServices to its last page (nextToken), then
 *     DescribeServices in batches of 10, then one ListTaskDefinitions per
 *     new task definition, 10 a round at most: 12 services over two pages
 *     cost 2 + 2 + 10 requests, the next round 2 + 2 + 2, the one after
 *     only 2 + 2 (the rollback targets are kept);
 *   - rows: running/desired, pending, family:revision, launch type, the
 *     PRIMARY's createdAt, the rollback target, the rollout state; a FAILED
 *     PRIMARY is CRIT, the circuit breaker's rollback WARN, fewer running
 *     than desired WARN (the model's rule);
 *   - a failing answer fails the round: the backend names the cluster and
 *     the error verbatim, the rows stay;
 *   - throttling: the requests refused together wait 1 s, then one goes
 *     alone and, refused again, waits 2 s; the backend says so meanwhile;
 *     nothing is sent during a wait; the round then completes and the
 *     backend is ok;
 *   - two clusters with a service of one name: the second is NAME@CLUSTER,
 *     and a Kubernetes context named like the cluster keeps its rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ecs_poll.h"
#include "model.h"
#include "xalloc.h"
#include "ecs_test_server.h"

struct rig {
	struct http *http;
	struct model *model;
	struct ecs_endpoint *ep;
	struct ecs_poll *poll;
	unsigned long want;
};

static bool
rounds_done(void *ud)
{
	struct rig *r = ud;

	ecs_poll_tick(r->poll, poller_mono_now());
	return ecs_poll_rounds(r->poll) >= r->want;
}

static void
rig_open(struct rig *r, const char *cluster, struct model *shared)
{
	struct ecs_poll_settings s;
	struct err e;

	memset(r, 0, sizeof *r);
	es_env_static();
	r->http = http_new(&e);
	r->model = shared != NULL ? shared : model_new(10, 100);
	r->ep = es_endpoint(cluster, NULL);
	memset(&s, 0, sizeof s);
	s.ep = r->ep;
	s.refresh_ms = 100000;
	r->poll = ecs_poll_new(r->http, r->model, &s);
}

static void
rig_round(struct rig *r)
{
	r->want = ecs_poll_rounds(r->poll) + 1;
	ecs_poll_refresh_now(r->poll);
	assert_true(es_run_until(r->http, r->ep, rounds_done, r));
}

static void
rig_close(struct rig *r, bool free_model)
{
	ecs_poll_free(r->poll);
	http_free(r->http);
	ecs_endpoint_free(r->ep);
	if (free_model)
		model_free(r->model);
}

/* Twelve services over two ListServices pages; batches of 10 and 2; revisions of each. */
static void
route_shop(void)
{
	static char page1[4096], page2[1024], batch1[ES_BODY], batch2[8192], revs[1024];
	char name[32];
	int i;

	es_reset();
	strcpy(page1, "{\"serviceArns\":[");
	for (i = 0; i < 10; i++)
		snprintf(page1 + strlen(page1), sizeof page1 - strlen(page1),
			 "%s\"arn:aws:ecs:us-east-1:123456789012:service/shop/svc%02d\"",
			 i ? "," : "", i);
	strcat(page1, "],\"nextToken\":\"PAGE2\"}");
	strcpy(page2,
	       "{\"serviceArns\":[\"arn:aws:ecs:us-east-1:123456789012:service/shop/orders\","
	       "\"arn:aws:ecs:us-east-1:123456789012:service/shop/payments\"]}");
	es_route("ListServices", "PAGE2", 200, page2);
	es_route("ListServices", "", 200, page1);
	strcpy(batch1, "{\"services\":[");
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof name, "svc%02d", i);
		es_service_json(batch1, sizeof batch1, name, 3, 2, 2, 0, "COMPLETED", "", false,
				"(service x) has reached a steady state.");
	}
	strcat(batch1, "],\"failures\":[]}");
	es_route("DescribeServices", "svc00", 200, batch1);
	strcpy(batch2, "{\"services\":[");
	es_service_json(batch2, sizeof batch2, "orders", 41, 3, 2, 1, "IN_PROGRESS",
			"ECS deployment ecs-svc/2 in progress.", true,
			"(service orders) has started 1 tasks.");
	es_service_json(batch2, sizeof batch2, "payments", 7, 2, 2, 0, "FAILED",
			"ECS deployment circuit breaker: tasks failed to start.", false,
			"(service payments) (deployment ecs-svc/2) deployment failed: tasks failed "
			"to start.");
	strcat(batch2, "],\"failures\":[]}");
	es_route("DescribeServices", "orders", 200, batch2);
	es_revisions_json(revs, sizeof revs, "orders", 41, 39, NULL);
	es_route("ListTaskDefinitions", "\"orders\"", 200, revs);
	es_revisions_json(revs, sizeof revs, "payments", 7, 5, NULL);
	es_route("ListTaskDefinitions", "\"payments\"", 200, revs);
	for (i = 0; i < 10; i++) {
		char fam[32];

		snprintf(fam, sizeof fam, "\"svc%02d\"", i);
		snprintf(name, sizeof name, "svc%02d", i);
		es_revisions_json(revs, sizeof revs, name, 3, 1, NULL);
		es_route("ListTaskDefinitions", fam, 200, revs);
	}
}

static const struct service *
svc(struct rig *r, const char *name)
{
	const struct service *s = model_service(r->model, name, false);

	if (s == NULL)
		fail_msg("no service %s", name);
	return s;
}

static void
test_round_rows(void **state)
{
	struct rig r;
	const struct service *o, *p;
	const struct backend_state *b;
	const struct es_req *q;
	struct thresholds th = { 0.01, 0.05, 0.5, 2 };

	(void)state;
	route_shop();
	rig_open(&r, "shop", NULL);
	rig_round(&r);
	b = model_backend(r.model, "ecs shop");
	assert_true(b->ok);
	assert_int_equal(model_nservices(r.model), 12);
	/* 2 pages, 2 batches, 10 lookups (the limit of a round) */
	assert_int_equal(es_count("ListServices"), 2);
	assert_int_equal(es_count("DescribeServices"), 2);
	assert_int_equal(es_count("ListTaskDefinitions"), ECS_TD_LOOKUPS);
	assert_int_equal(ecs_poll_requests(r.poll), 14);
	/* the next round looks up the last 2 */
	rig_round(&r);
	assert_int_equal(es_count("ListServices"), 4);
	assert_int_equal(es_count("ListTaskDefinitions"), 12);
	q = es_last("DescribeServices");
	assert_non_null(strstr(q->body, "\"cluster\":\"shop\""));
	assert_non_null(strstr(q->auth, "Credential=AKIDSTATIC/"));
	assert_non_null(strstr(q->auth, "/us-east-1/ecs/aws4_request"));
	assert_string_equal(q->ctype, "application/x-amz-json-1.1");
	assert_null(strstr(q->auth, "s3cr3t"));

	o = svc(&r, "orders");
	assert_true(o->rt.present);
	assert_string_equal(o->rt.kind, "ecs");
	assert_string_equal(o->rt.context, "shop");
	assert_string_equal(o->rt.id, "arn:aws:ecs:us-east-1:123456789012:service/shop/orders");
	assert_string_equal(o->rt.runtime_name, "orders");
	assert_int_equal(o->rt.running, 2);
	assert_int_equal(o->rt.desired, 3);
	assert_int_equal(o->rt.pending, 1);
	assert_string_equal(o->rt.version, "orders:41");
	assert_string_equal(o->rt.previous, "orders:40");
	assert_string_equal(o->rt.platform, "FARGATE");
	assert_true(o->rt.deployed_at > 1795000000.4 && o->rt.deployed_at < 1795000000.6);
	assert_string_equal(o->rt.rollout_state, "updating");
	assert_string_equal(o->rt.message, "ECS deployment ecs-svc/2 in progress. (1 pending)");
	assert_int_equal(o->rt.problem, STATUS_OK);
	assert_int_equal(model_service_status(o, &th, o->rt.updated, 0), STATUS_WARN);

	p = svc(&r, "payments");
	assert_string_equal(p->rt.rollout_state, "failed");
	assert_int_equal(p->rt.problem, STATUS_CRIT);
	assert_string_equal(p->rt.message,
			    "ECS deployment circuit breaker: tasks failed to start.");
	assert_string_equal(p->rt.previous, "payments:6");
	assert_int_equal(model_service_status(p, &th, p->rt.updated, 0), STATUS_CRIT);
	assert_string_equal(svc(&r, "svc07")->rt.rollout_state, "completed");
	assert_null(svc(&r, "svc07")->rt.message);

	/* The next round: the rollback targets are kept. */
	rig_round(&r);
	assert_int_equal(es_count("ListServices"), 6);
	assert_int_equal(es_count("DescribeServices"), 6);
	assert_int_equal(es_count("ListTaskDefinitions"), 12);
	rig_close(&r, true);
}

static void
test_breaker_rollback_warns(void **state)
{
	static char body[4096];
	struct rig r;
	const struct service *s;

	(void)state;
	es_reset();
	es_route("ListServices", "", 200,
		 "{\"serviceArns\":[\"arn:aws:ecs:us-east-1:123456789012:service/shop/users\"]}");
	strcpy(body, "{\"services\":[");
	es_service_json(body, sizeof body, "users", 5, 2, 2, 0, "COMPLETED", "", false,
			"(service users) deployment ecs-svc/3 deployment failed: tasks failed to "
			"start. ECS deployment circuit breaker: rolling back to deploymentId "
			"ecs-svc/2.");
	strcat(body, "],\"failures\":[]}");
	es_route("DescribeServices", "", 200, body);
	es_route("ListTaskDefinitions", "", 200, "{\"taskDefinitionArns\":[]}");
	rig_open(&r, "shop", NULL);
	rig_round(&r);
	s = svc(&r, "users");
	assert_string_equal(s->rt.rollout_state, "failed");
	assert_int_equal(s->rt.problem, STATUS_WARN);
	assert_non_null(s->rt.message);
	assert_null(s->rt.previous); /* no ACTIVE revision below 5 */
	rig_close(&r, true);
}

static void
test_failure_keeps_rows(void **state)
{
	struct rig r;
	const struct backend_state *b;

	(void)state;
	route_shop();
	rig_open(&r, "shop", NULL);
	rig_round(&r);
	es_reset();
	es_route("ListServices", "", 400,
		 "{\"__type\":\"ClusterNotFoundException\",\"message\":\"Cluster not found.\"}");
	rig_round(&r);
	b = model_backend(r.model, "ecs shop");
	assert_false(b->ok);
	assert_non_null(strstr(b->err.msg, "ecs shop: "));
	assert_non_null(strstr(b->err.msg, "ClusterNotFoundException"));
	assert_non_null(strstr(b->err.msg, "Cluster not found."));
	assert_true(svc(&r, "orders")->rt.present);
	assert_int_equal(es_count("DescribeServices"), 0);
	rig_close(&r, true);
}

static bool
backend_says_throttled(void *ud)
{
	struct rig *r = ud;
	const struct backend_state *b = model_backend(r->model, "ecs shop");

	ecs_poll_tick(r->poll, poller_mono_now());
	return !b->ok && strstr(b->err.msg, "next try in 2s") != NULL;
}

static void
test_throttling_backs_off(void **state)
{
	static const char thr[] =
		"{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}";
	struct rig r;
	const struct backend_state *b;
	double t0, t1;

	(void)state;
	route_shop();
	/*
	 * DescribeServices throttled three times: both batches of the first
	 * wave (one wait of 1 s), then the first sent alone (a wait of 2 s).
	 */
	es_route_first("DescribeServices", "", 3, 400, thr);
	rig_open(&r, "shop", NULL);
	t0 = poller_mono_now();
	ecs_poll_refresh_now(r.poll);
	if (!es_run_until(r.http, r.ep, backend_says_throttled, &r))
		fail_msg("backend: %s", model_backend(r.model, "ecs shop")->err.msg);
	b = model_backend(r.model, "ecs shop");
	assert_non_null(strstr(b->err.msg, "ecs shop: throttled by AWS (ThrottlingException"));
	assert_non_null(strstr(b->err.msg, "Rate exceeded"));
	assert_true(ecs_poll_backoff_s(r.poll) == 2.0);
	/* while waiting, nothing but the three throttled requests went out after the lists */
	assert_int_equal(es_count("DescribeServices"), 3);
	r.want = 1;
	assert_true(es_run_until(r.http, r.ep, rounds_done, &r));
	t1 = poller_mono_now();
	assert_true(t1 - t0 >= 3.0); /* waited 1 s, then 2 s */
	assert_true(b->ok);
	assert_int_equal(model_nservices(r.model), 12);
	assert_int_equal(es_count("DescribeServices"), 5);
	assert_true(ecs_poll_backoff_s(r.poll) == 0);
	rig_close(&r, true);
}

static void
test_two_clusters_and_a_context(void **state)
{
	struct rig a, b;
	struct model *m = model_new(10, 100);
	struct runtime_row k8s_row;

	(void)state;
	/* A Kubernetes context named "batch" shows "ledger". */
	memset(&k8s_row, 0, sizeof k8s_row);
	k8s_row.name = "ledger";
	k8s_row.kind = "k8s";
	k8s_row.running = k8s_row.desired = 1;
	model_runtime_apply(m, "batch", &k8s_row, 1, 1.0);
	route_shop();
	rig_open(&a, "shop", m);
	rig_round(&a);
	rig_open(&b, "arn:aws:ecs:us-east-1:123456789012:cluster/batch", m);
	assert_string_equal(ecs_endpoint_context(b.ep), "batch");
	assert_string_equal(ecs_endpoint_backend(b.ep), "ecs batch");
	rig_round(&b);
	assert_non_null(strstr(es_last("ListServices")->body,
			       "\"cluster\":\"arn:aws:ecs:us-east-1:123456789012:cluster/batch\""));
	assert_string_equal(svc(&b, "orders@batch")->rt.context, "batch");
	assert_string_equal(svc(&a, "orders")->rt.context, "shop");
	assert_true(svc(&a, "ledger")->rt.present); /* the context's row stays */
	assert_string_equal(svc(&a, "ledger")->rt.kind, "k8s");
	rig_close(&b, false);
	rig_close(&a, false);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_rows),
		cmocka_unit_test(test_breaker_rollback_warns),
		cmocka_unit_test(test_failure_keeps_rows),
		cmocka_unit_test(test_throttling_backs_off),
		cmocka_unit_test(test_two_clusters_and_a_context),
	};

	return cmocka_run_group_tests(tests, es_start, es_stop);
}
