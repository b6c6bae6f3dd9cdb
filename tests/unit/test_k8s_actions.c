/*
 * test_k8s_actions.c - the rollout state of each kind of workload, and
 * the bodies of the scale, restart and rollback actions, rollback checked
 * against what kubectl rollout undo sends (tests/fixtures/k8s).
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

#include "k8s.h"

#define FIX TESTS_DIR "/fixtures/k8s/"

/* new: the fixture's JSON bytes; *status from NAME.status. */
static char *
fixture(const char *name, size_t *len, long *status)
{
	char path[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, FIX "%s.json", name);
	f = fopen(path, "rb");
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

/* ---- rollout state ----------------------------------------------------------------- */

static void
state_is(const char *fix, enum k8s_kind kind, const char *name, const char *want,
	 const char *want_msg)
{
	struct k8s_workload *w;
	size_t n, len, i;
	long status;
	char *body = fixture(fix, &len, &status), *cont;
	const char *msg = "unset", *st;
	struct err e;

	assert_int_equal(k8s_parse_workloads(status, body, len, kind, &w, &n, &cont, &e), 0);
	for (i = 0; i < n && strcmp(w[i].name, name) != 0; i++)
		;
	assert_true(i < n);
	st = k8s_rollout_state(&w[i], &msg);
	if (strcmp(st, want) != 0)
		fail_msg("%s: state %s, want %s", name, st, want);
	if (want_msg == NULL)
		assert_null(msg);
	else
		assert_string_equal(msg, want_msg);
	assert_string_equal(k8s_rollout_state(&w[i], NULL), want);
	k8s_workloads_free(w, n);
	free(cont);
	free(body);
}

static void
test_rollout_fixtures(void **state)
{
	(void)state;
	/* by counts: 1 of 3 updated */
	state_is("deployments_page1", K8S_DEPLOYMENT, "payments", "updating",
		 "ReplicaSet \"payments-6d9f8b7c5d\" is progressing.");
	state_is("deployments_page1", K8S_DEPLOYMENT, "checkout", "completed", NULL);
	state_is("deployments_page2", K8S_DEPLOYMENT, "cart", "failed",
		 "ReplicaSet \"cart-7b8c9d6f5e\" has timed out progressing.");
	state_is("deployments_page2", K8S_DEPLOYMENT, "search", "paused", NULL);
	/* by generation: the counts are all there, the controller has not seen the change */
	state_is("deployments_page2", K8S_DEPLOYMENT, "frontend", "updating", NULL);
	state_is("deployments_page2", K8S_DEPLOYMENT, "reports", "completed", NULL);
	/* StatefulSet: revisions differ */
	state_is("statefulsets", K8S_STATEFULSET, "postgres", "updating", NULL);
	state_is("statefulsets", K8S_STATEFULSET, "redis", "completed", NULL);
}

/* A workload made by hand: 3 of 3 everywhere, generations seen. */
static struct k8s_workload
settled(enum k8s_kind kind)
{
	struct k8s_workload w;

	memset(&w, 0, sizeof w);
	w.kind = kind;
	w.generation = w.observed_generation = 4;
	w.replicas = w.status_replicas = w.ready = w.updated = w.available = 3;
	w.current_revision = w.update_revision = (char *)"";
	return w;
}

static void
test_rollout_cases(void **state)
{
	struct k8s_workload w = settled(K8S_DEPLOYMENT);
	struct k8s_condition c = { (char *)"Progressing", (char *)"False",
				   (char *)"ProgressDeadlineExceeded", (char *)"", 0 };
	const char *msg;

	(void)state;
	assert_string_equal(k8s_rollout_state(&w, &msg), "completed");
	assert_null(msg);
	/* old replicas still terminating */
	w.status_replicas = 4;
	assert_string_equal(k8s_rollout_state(&w, &msg), "updating");
	w.status_replicas = 3;
	/* updated but not yet available */
	w.available = 2;
	assert_string_equal(k8s_rollout_state(&w, &msg), "updating");
	w.available = 3;
	w.generation = 5;
	assert_string_equal(k8s_rollout_state(&w, &msg), "updating");
	/* paused outranks a generation not yet seen */
	w.paused = true;
	assert_string_equal(k8s_rollout_state(&w, &msg), "paused");
	/* a deadline exceeded outranks paused; an empty message is none */
	w.conditions = &c;
	w.nconditions = 1;
	assert_string_equal(k8s_rollout_state(&w, &msg), "failed");
	assert_null(msg);

	w = settled(K8S_STATEFULSET);
	w.current_revision = (char *)"db-1";
	w.update_revision = (char *)"db-1";
	assert_string_equal(k8s_rollout_state(&w, &msg), "completed");
	w.update_revision = (char *)"db-2";
	assert_string_equal(k8s_rollout_state(&w, &msg), "updating");
	w.update_revision = (char *)"db-1";
	w.ready = 2;
	assert_string_equal(k8s_rollout_state(&w, &msg), "updating");
	w.ready = 3;
	w.observed_generation = 3;
	assert_string_equal(k8s_rollout_state(&w, &msg), "updating");
}

/* ---- scale and restart --------------------------------------------------------------- */

static void
test_scale_restart(void **state)
{
	char *b;

	(void)state;
	b = k8s_scale_body(5);
	assert_string_equal(b, "{\"spec\":{\"replicas\":5}}");
	free(b);
	b = k8s_scale_body(0);
	assert_string_equal(b, "{\"spec\":{\"replicas\":0}}");
	free(b);
	b = k8s_restart_body(1795341600.75);
	assert_string_equal(b, "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl."
			       "kubernetes.io/restartedAt\":\"2026-11-22T10:00:00Z\"}}}}}");
	free(b);
}

/* ---- rollback ------------------------------------------------------------------------ */

struct rb {
	char *dep;
	size_t dep_len;
	struct k8s_replicaset *rs;
	size_t nrs;
};

static void
rb_load(struct rb *r)
{
	long status;
	size_t len;
	char *body = fixture("replicasets", &len, &status), *cont;
	struct err e;

	r->dep = fixture("deployment_payments", &r->dep_len, &status);
	assert_int_equal(k8s_parse_replicasets(status, body, len, &r->rs, &r->nrs, &cont, &e), 0);
	free(cont);
	free(body);
}

static void
rb_done(struct rb *r)
{
	free(r->dep);
	k8s_replicasets_free(r->rs, r->nrs);
}

static void
test_rollback_previous(void **state)
{
	struct rb r;
	struct err e;
	const char *head = "[{\"op\":\"replace\",\"path\":\"/spec/template\",\"value\":"
			   "{\"metadata\":{\"creationTimestamp\":null,\"labels\":{\"app\":"
			   "\"payments\"}},";
	char *to, *body;
	json_t *p, *v, *ann;

	(void)state;
	rb_load(&r);
	err_clear(&e);
	body = k8s_rollback_body(r.dep, r.dep_len, r.rs, r.nrs, &to, &e);
	assert_non_null(body);
	/* current 4; the ReplicaSets are 2, 4, 3: the previous is 3 */
	assert_string_equal(to, "3");
	assert_true(strncmp(body, head, strlen(head)) == 0);
	p = json_loads(body, 0, NULL);
	assert_non_null(p);
	assert_int_equal(json_array_size(p), 2);
	v = json_object_get(json_array_get(p, 0), "value");
	/* revision 3's template: its sidecar, no pod-template-hash */
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(json_object_get(v, "spec"), "containers"),
				       1),
			"image")),
		"envoyproxy/envoy:v1.31.0");
	assert_null(json_object_get(json_object_get(json_object_get(v, "metadata"), "labels"),
				    "pod-template-hash"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(p, 1), "path")),
			    "/metadata/annotations");
	ann = json_object_get(json_array_get(p, 1), "value");
	/* the Deployment's own bookkeeping stays ... */
	assert_string_equal(
		json_string_value(json_object_get(ann, "deployment.kubernetes.io/revision")), "4");
	assert_non_null(strstr(json_string_value(json_object_get(
				       ann, "kubectl.kubernetes.io/last-applied-configuration")),
			       "\"name\":\"payments\""));
	/* ... the ReplicaSet's other annotations come across ... */
	assert_string_equal(json_string_value(json_object_get(ann, "kubernetes.io/change-cause")),
			    "deploy 1.4.1");
	/* ... its bookkeeping does not, nor the Deployment's other annotations (as kubectl) */
	assert_null(json_object_get(ann, "deployment.kubernetes.io/revision-history"));
	assert_null(json_object_get(ann, "deployment.kubernetes.io/desired-replicas"));
	assert_null(json_object_get(ann, "deployment.kubernetes.io/max-replicas"));
	assert_null(json_object_get(ann, "opsdeck.example.com/owner"));
	assert_int_equal(json_object_size(ann), 3);
	json_decref(p);
	free(body);
	free(to);
	rb_done(&r);
}

static void
test_rollback_to_revision(void **state)
{
	struct rb r;
	struct err e;
	char *to, *body;

	(void)state;
	rb_load(&r);
	body = k8s_rollback_to_body(r.dep, r.dep_len, r.rs, r.nrs, 2, &to, &e);
	assert_non_null(body);
	assert_string_equal(to, "2");
	assert_non_null(strstr(body, "payments:1.3.9"));
	assert_non_null(strstr(body, "\"kubernetes.io/change-cause\":\"deploy 1.3.9\""));
	assert_null(strstr(body, "5b8c7d6e4f"));
	free(body);
	free(to);
	/* a revision that no ReplicaSet has */
	to = (char *)1;
	assert_null(k8s_rollback_to_body(r.dep, r.dep_len, r.rs, r.nrs, 9, &to, &e));
	assert_null(to);
	assert_int_equal(e.code, ERR_USAGE);
	assert_non_null(strstr(e.msg, "revision 9 not found"));
	/* the current one: nothing to do */
	assert_null(k8s_rollback_to_body(r.dep, r.dep_len, r.rs, r.nrs, 4, &to, &e));
	assert_int_equal(e.code, ERR_USAGE);
	assert_non_null(strstr(e.msg, "already matches revision 4"));
	rb_done(&r);
}

static void
test_rollback_refusals(void **state)
{
	struct rb r;
	struct err e;
	char *to, *dep;
	const char *min_dep = "{\"metadata\":{\"name\":\"payments\",\"namespace\":\"shop\"},"
			      "\"spec\":{\"template\":{\"metadata\":{}}}}";

	(void)state;
	rb_load(&r);
	/* only the current revision's ReplicaSet (index 1 holds revision 4) */
	assert_null(k8s_rollback_body(r.dep, r.dep_len, r.rs + 1, 1, &to, &e));
	assert_int_equal(e.code, ERR_USAGE);
	assert_non_null(strstr(e.msg, "no previous revision"));
	assert_non_null(strstr(e.msg, "payments"));
	/* none at all */
	assert_null(k8s_rollback_body(r.dep, r.dep_len, NULL, 0, &to, &e));
	assert_non_null(strstr(e.msg, "no previous revision"));
	/* ReplicaSets of another Deployment do not count (index 3 is checkout's) */
	assert_null(k8s_rollback_body(r.dep, r.dep_len, r.rs + 3, 1, &to, &e));
	/* paused */
	dep = strdup(r.dep);
	assert_non_null(strstr(dep, "\"revisionHistoryLimit\""));
	memcpy(strstr(dep, "\"revisionHistoryLimit\":10"), "\"paused\":true,\"r\":1234567", 25);
	assert_null(k8s_rollback_body(dep, strlen(dep), r.rs, r.nrs, &to, &e));
	assert_non_null(strstr(e.msg, "is paused — resume it first"));
	free(dep);
	/* not a Deployment object */
	assert_null(k8s_rollback_body("[]", 2, r.rs, r.nrs, &to, &e));
	assert_int_equal(e.code, ERR_PARSE);
	assert_null(k8s_rollback_body("{\"metadata\":{}}", 15, r.rs, r.nrs, &to, &e));
	assert_int_equal(e.code, ERR_PARSE);
	/* no revision annotation: kubectl's second newest (3) */
	assert_non_null(dep = k8s_rollback_body(min_dep, strlen(min_dep), r.rs, r.nrs, &to, &e));
	assert_string_equal(to, "3");
	assert_non_null(strstr(dep, "\"/metadata/annotations\",\"value\":{\"kubernetes.io/"
				    "change-cause\":\"deploy 1.4.1\"}}]"));
	free(dep);
	free(to);
	rb_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollout_fixtures),
		cmocka_unit_test(test_rollout_cases),
		cmocka_unit_test(test_scale_restart),
		cmocka_unit_test(test_rollback_previous),
		cmocka_unit_test(test_rollback_to_revision),
		cmocka_unit_test(test_rollback_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
