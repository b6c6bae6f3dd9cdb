/*
 * test_k8s_action.c - tui/k8s_action and its place in tui/actions, against
 * a scripted API server (k8s_test_server.h):
 *
 *   - scale is one PATCH of .../scale with a merge patch; restart one
 *     strategic-merge PATCH of the workload setting the pod template's
 *     restartedAt; rollback reads the Deployment and its ReplicaSets (by
 *     its selector) and sends one json-patch with revision 3's template,
 *     as kubectl rollout undo;
 *   - a StatefulSet's rollback is refused before anything is sent, naming
 *     kubectl rollout undo statefulset/NAME;
 *   - the API server's refusals are shown verbatim;
 *   - through tui/actions: the plan of a k8s row, convergence when a
 *     refresh after the PATCH says "completed" with every replica running
 *     (a rollback too), failure with the Progressing condition's message,
 *     a paused rollout, one audit line each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "actions.h"
#include "k8s.h"
#include "k8s_action.h"
#include "model.h"
#include "xalloc.h"
#include "k8s_test_server.h"

#define FIX TESTS_DIR "/fixtures/k8s/"

static char *
fixture(const char *name)
{
	char path[256];
	FILE *f;
	char *data = xcalloc(1, KS_BODY);
	size_t n;

	snprintf(path, sizeof path, FIX "%s.json", name);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	n = fread(data, 1, KS_BODY - 1, f);
	fclose(f);
	data[n] = '\0';
	return data;
}

struct outcome {
	bool called;
	struct docker_action_result r;
};

static void
on_done(void *ud, const struct docker_action_result *r)
{
	struct outcome *o = ud;

	o->called = true;
	o->r = *r;
}

static bool
called(void *ud)
{
	struct outcome *o = ud;

	return o->called;
}

static void
run(const char *id, enum op_kind op, long replicas, struct outcome *o)
{
	struct err e;
	struct http *h = http_new(&e);
	struct k8s_endpoint *k = ks_endpoint("plain", NULL);
	struct k8s_action *a;

	memset(o, 0, sizeof *o);
	a = k8s_action_start(h, k, id, op, replicas, on_done, o, &e);
	if (a == NULL)
		fail_msg("start: %s", e.msg);
	assert_true(ks_run_until(h, called, o));
	http_free(h);
	k8s_endpoint_free(k);
}

static const char status_forbidden[] =
	"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
	"\"message\":\"deployments.apps \\\"payments\\\" is forbidden: User \\\"viewer\\\" cannot "
	"patch resource \\\"deployments/scale\\\" in API group \\\"apps\\\" in the namespace "
	"\\\"shop\\\"\",\"reason\":\"Forbidden\",\"code\":403}";

static void
test_scale(void **state)
{
	struct outcome o;
	const struct ks_req *q;

	(void)state;
	ks_reset();
	ks_route(
		"PATCH", "/apis/apps/v1/namespaces/shop/deployments/payments/scale", 200,
		"{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"spec\":{\"replicas\":3}}");
	run("shop/deployment/payments", OP_SCALE, 3, &o);
	assert_true(o.r.ok);
	assert_int_equal(o.r.attempts, 1);
	assert_int_equal(ks->nreqs, 1);
	q = ks_last("PATCH", "/apis/apps/v1/namespaces/shop/deployments/payments/scale");
	assert_non_null(q);
	assert_string_equal(q->ctype, "application/merge-patch+json");
	assert_string_equal(q->body, "{\"spec\":{\"replicas\":3}}");

	/* the server's refusal, verbatim */
	ks_route("PATCH", "/apis/apps/v1/namespaces/shop/deployments/payments/scale", 403,
		 status_forbidden);
	run("shop/deployment/payments", OP_SCALE, 3, &o);
	assert_false(o.r.ok);
	assert_false(o.r.unknown);
	assert_non_null(strstr(o.r.err.msg, "cannot patch resource \"deployments/scale\""));
}

static void
test_restart(void **state)
{
	struct outcome o;
	const struct ks_req *q;

	(void)state;
	ks_reset();
	ks_route("PATCH", "/apis/apps/v1/namespaces/db/statefulsets/ledger", 200,
		 "{\"kind\":\"StatefulSet\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":"
		 "\"ledger\",\"namespace\":\"db\"}}");
	run("db/statefulset/ledger", OP_RESTART, 0, &o);
	assert_true(o.r.ok);
	q = ks_last("PATCH", "/apis/apps/v1/namespaces/db/statefulsets/ledger");
	assert_non_null(q);
	assert_string_equal(q->ctype, "application/strategic-merge-patch+json");
	assert_non_null(strstr(q->body, "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":"
					"{\"kubectl.kubernetes.io/restartedAt\":\"20"));
}

static void
test_rollback(void **state)
{
	struct outcome o;
	const struct ks_req *q;
	char *dep = fixture("deployment_payments"), *rs = fixture("replicasets");

	(void)state;
	ks_reset();
	ks_route("GET", "/apis/apps/v1/namespaces/shop/deployments/payments", 200, dep);
	ks_route("GET", "/apis/apps/v1/namespaces/shop/replicasets?*", 200, rs);
	ks_route("PATCH", "/apis/apps/v1/namespaces/shop/deployments/payments", 200, dep);
	run("shop/deployment/payments", OP_ROLLBACK, 0, &o);
	if (!o.r.ok)
		fail_msg("rollback: %s", o.r.err.msg);
	assert_int_equal(o.r.attempts, 1);
	assert_int_equal(ks->nreqs, 3);
	assert_string_equal(ks->reqs[0].method, "GET");
	assert_string_equal(ks->reqs[1].path, "/apis/apps/v1/namespaces/shop/replicasets?limit=500&"
					      "labelSelector=app%3Dpayments");
	q = &ks->reqs[2];
	assert_string_equal(q->method, "PATCH");
	assert_string_equal(q->ctype, "application/json-patch+json");
	assert_non_null(strstr(q->body, "\"/spec/template\""));
	/* revision 3 (the highest below 4): 1.4.1 with its envoy sidecar */
	assert_non_null(strstr(q->body, "payments:1.4.1"));
	assert_non_null(strstr(q->body, "envoy"));
	assert_null(strstr(q->body, "pod-template-hash"));

	/* the Deployment is gone: its NotFound, verbatim, and no PATCH */
	ks_reset();
	ks_route(
		"GET", "/apis/apps/v1/namespaces/shop/deployments/payments", 404,
		"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
		"\"message\":\"deployments.apps \\\"payments\\\" not found\",\"reason\":"
		"\"NotFound\",\"details\":{\"name\":\"payments\",\"group\":\"apps\",\"kind\":"
		"\"deployments\"},\"code\":404}");
	run("shop/deployment/payments", OP_ROLLBACK, 0, &o);
	assert_false(o.r.ok);
	assert_non_null(strstr(o.r.err.msg, "deployments.apps \"payments\" not found"));
	assert_int_equal(ks_count("PATCH", "/"), 0);
	free(dep);
	free(rs);
}

static void
test_refusals(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct k8s_endpoint *k = ks_endpoint("plain", NULL);
	struct outcome o;

	(void)state;
	ks_reset();
	assert_null(
		k8s_action_start(h, k, "db/statefulset/ledger", OP_ROLLBACK, 0, on_done, &o, &e));
	assert_int_equal(e.code, ERR_USAGE);
	assert_non_null(strstr(e.msg, "kubectl rollout undo statefulset/ledger"));
	assert_null(k8s_action_start(h, k, "payments", OP_SCALE, 1, on_done, &o, &e));
	/* read-only: http refuses every PATCH (the allow-list), nothing leaves */
	http_set_readonly(h, true);
	assert_null(
		k8s_action_start(h, k, "shop/deployment/payments", OP_SCALE, 1, on_done, &o, &e));
	assert_int_equal(e.code, ERR_READONLY);
	assert_null(
		k8s_action_start(h, k, "shop/deployment/payments", OP_RESTART, 1, on_done, &o, &e));
	assert_int_equal(e.code, ERR_READONLY);
	assert_int_equal(ks->nreqs, 0);
	http_free(h);
	k8s_endpoint_free(k);
}

/* ---- through tui/actions -------------------------------------------------------- */

struct flight_rig {
	struct model *m;
	struct actions *a;
	struct http *h;
	struct k8s_endpoint *k;
	char audit[128];
};

static void
apply_row(struct model *m, const char *state, long running, long desired, const char *message)
{
	struct runtime_row r;

	memset(&r, 0, sizeof r);
	r.name = "payments";
	r.kind = "k8s";
	r.id = "shop/deployment/payments";
	r.runtime_name = "payments";
	r.running = running;
	r.desired = desired;
	r.version = "1.4.2";
	r.revision = "4";
	r.restarts = 0;
	r.rollout_state = state;
	r.message = message;
	model_runtime_apply(m, "plain", &r, 1, poller_wall_now());
}

static void
rig_open(struct flight_rig *r)
{
	struct actions_settings s;
	struct err e;

	memset(r, 0, sizeof *r);
	snprintf(r->audit, sizeof r->audit, "%s/audit.jsonl", ks_dir);
	unlink(r->audit);
	memset(&s, 0, sizeof s);
	s.timeout_ms = 30000;
	s.audit_path = r->audit;
	s.mode = "console";
	r->m = model_new(10, 10);
	r->a = actions_new(&s);
	r->h = http_new(&e);
	r->k = ks_endpoint("plain", NULL);
}

static void
rig_close(struct flight_rig *r)
{
	actions_free(r->a);
	http_free(r->h);
	k8s_endpoint_free(r->k);
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

/* Execute op on payments, wait for the server's acceptance. */
static void
rig_execute(struct flight_rig *r, enum op_kind op, long replicas, struct action_plan *p)
{
	struct err e;

	assert_int_equal(
		actions_prepare(r->a, model_service(r->m, "payments", false), op, replicas, p, &e),
		0);
	assert_int_equal(actions_execute_k8s(r->a, p, r->h, r->k, &e), 0);
	assert_true(ks_run_until(r->h, accepted, r->a));
}

static void
test_actions_converge(void **state)
{
	struct flight_rig r;
	struct action_plan p;
	struct err e;
	char msg[1024];
	int role;
	char *dep = fixture("deployment_payments"), *rs = fixture("replicasets");

	(void)state;
	ks_reset();
	ks_route("PATCH", "/apis/apps/v1/namespaces/shop/deployments/payments*", 200, "{}");
	ks_route("GET", "/apis/apps/v1/namespaces/shop/deployments/payments", 200, dep);
	ks_route("GET", "/apis/apps/v1/namespaces/shop/replicasets?*", 200, rs);
	rig_open(&r);
	apply_row(r.m, "completed", 2, 2, NULL);

	/* the plan of a k8s row */
	assert_int_equal(
		actions_prepare(r.a, model_service(r.m, "payments", false), OP_SCALE, 3, &p, &e),
		0);
	assert_string_equal(p.kind, "k8s");
	assert_string_equal(p.context, "plain");
	assert_string_equal(p.runtime_id, "shop/deployment/payments");
	assert_non_null(
		strstr(p.change, "payments \xe2\x80\x94 k8s @ plain \xe2\x80\x94 replicas 2"));
	/* the Docker path refuses a k8s plan */
	assert_int_equal(actions_execute(r.a, &p, r.h, k8s_endpoint_http(r.k), &e), -1);

	/* scale: done when 3 of 3 run */
	rig_execute(&r, OP_SCALE, 3, &p);
	apply_row(r.m, "updating", 2, 3, NULL);
	assert_true(actions_tick(r.a, r.m, poller_mono_now()));
	assert_false(actions_take_message(r.a, msg, sizeof msg, &role));
	apply_row(r.m, "completed", 3, 3, NULL);
	actions_tick(r.a, r.m, poller_mono_now());
	assert_true(actions_take_message(r.a, msg, sizeof msg, &role));
	assert_non_null(strstr(msg, "payments: scale done"));

	/* restart: a refresh after the PATCH still "updating", then "completed" */
	rig_execute(&r, OP_RESTART, -1, &p);
	apply_row(r.m, "updating", 3, 3, NULL);
	actions_tick(r.a, r.m, poller_mono_now());
	assert_false(actions_take_message(r.a, msg, sizeof msg, &role));
	apply_row(r.m, "completed", 3, 3, NULL);
	actions_tick(r.a, r.m, poller_mono_now());
	assert_true(actions_take_message(r.a, msg, sizeof msg, &role));
	assert_non_null(strstr(msg, "payments: restart done"));

	/* rollback: it ends in "completed" as well */
	rig_execute(&r, OP_ROLLBACK, -1, &p);
	assert_non_null(strstr(p.change, "(revision 4)"));
	apply_row(r.m, "completed", 3, 3, NULL);
	actions_tick(r.a, r.m, poller_mono_now());
	assert_true(actions_take_message(r.a, msg, sizeof msg, &role));
	assert_non_null(strstr(msg, "payments: rollback done"));

	/* restart into a rollout past its deadline: failed, with the condition's message */
	rig_execute(&r, OP_RESTART, -1, &p);
	apply_row(r.m, "failed", 2, 3,
		  "ReplicaSet \"payments-7f6e5d4c3b\" has timed out progressing.");
	actions_tick(r.a, r.m, poller_mono_now());
	assert_true(actions_take_message(r.a, msg, sizeof msg, &role));
	assert_non_null(strstr(msg, "payments: restart failed: rollout failed: ReplicaSet"));

	/* a paused Deployment never rolls out: said at once */
	apply_row(r.m, "completed", 3, 3, NULL);
	rig_execute(&r, OP_RESTART, -1, &p);
	apply_row(r.m, "paused", 3, 3, NULL);
	actions_tick(r.a, r.m, poller_mono_now());
	assert_true(actions_take_message(r.a, msg, sizeof msg, &role));
	assert_non_null(strstr(msg, "kubectl rollout resume deployment/payments"));

	assert_int_equal(audit_lines(r.audit, "\"result\":\"succeeded\""), 3);
	assert_int_equal(audit_lines(r.audit, "\"result\":\"failed\""), 3);
	assert_int_equal(audit_lines(r.audit, "\"runtime\":\"k8s\""), 6);
	rig_close(&r);
	free(dep);
	free(rs);
}

static void
test_actions_statefulset_rollback(void **state)
{
	struct flight_rig r;
	struct action_plan p;
	struct runtime_row row;
	struct err e;

	(void)state;
	ks_reset();
	rig_open(&r);
	memset(&row, 0, sizeof row);
	row.name = "ledger";
	row.kind = "k8s";
	row.id = "shop/statefulset/ledger";
	row.runtime_name = "ledger";
	row.running = row.desired = 3;
	row.restarts = 0;
	row.rollout_state = "completed";
	model_runtime_apply(r.m, "plain", &row, 1, poller_wall_now());
	/* refused before the dialog, audited as refused */
	assert_int_equal(
		actions_prepare(r.a, model_service(r.m, "ledger", false), OP_ROLLBACK, -1, &p, &e),
		-1);
	assert_non_null(strstr(e.msg, "kubectl rollout undo statefulset/ledger"));
	assert_int_equal(audit_lines(r.audit, "\"result\":\"refused\""), 1);
	/* scale and restart are fine */
	assert_int_equal(
		actions_prepare(r.a, model_service(r.m, "ledger", false), OP_SCALE, 5, &p, &e), 0);
	assert_int_equal(
		actions_prepare(r.a, model_service(r.m, "ledger", false), OP_RESTART, -1, &p, &e),
		0);
	assert_non_null(strstr(p.change, "rolling restart of 3 instances"));
	assert_int_equal(ks->nreqs, 0);
	rig_close(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_rollback),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_actions_converge),
		cmocka_unit_test(test_actions_statefulset_rollback),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, ks_start, ks_stop);
}
