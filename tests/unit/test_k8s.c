/*
 * test_k8s.c - the Kubernetes parsers against answers as the API server
 * writes them (tests/fixtures/k8s, see its README) and against malformed
 * ones; Status errors; request paths and the read-only allow-list.  The
 * rollout state and the actions' bodies are in test_k8s_actions.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "k8s.h"

#define FIX TESTS_DIR "/fixtures/k8s/"
#define T0 1795341600.0 /* 2026-11-22T10:00:00Z */

/* new: the fixture's bytes (NAME.json, else NAME.txt); *status from NAME.status. */
static char *
k8s_fixture(const char *name, size_t *len, long *status)
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

/* ---- workloads --------------------------------------------------------------- */

static const struct k8s_workload *
find_workload(const struct k8s_workload *w, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(w[i].name, name) == 0)
			return &w[i];
	fail_msg("no workload %s", name);
	return NULL;
}

static void
test_deployments_page1(void **state)
{
	struct k8s_workload *w;
	const struct k8s_workload *p, *c;
	size_t n, len;
	long status;
	char *body = k8s_fixture("deployments_page1", &len, &status), *cont;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(k8s_parse_workloads(status, body, len, K8S_DEPLOYMENT, &w, &n, &cont, &e),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(cont, "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDgyMTk5LCJzdGFydCI6ImNoZWNr"
				  "b3V0XHUwMDAwIn0");
	p = find_workload(w, n, "payments");
	assert_int_equal(p->kind, K8S_DEPLOYMENT);
	assert_string_equal(p->ns, "shop");
	assert_string_equal(p->uid, "7c1f0e2a-5b7d-4c1e-9d0a-0f6b3c2e8a11");
	assert_int_equal(p->generation, 5);
	assert_int_equal(p->observed_generation, 5);
	assert_int_equal(p->replicas, 3);
	assert_int_equal(p->status_replicas, 4);
	assert_int_equal(p->ready, 3);
	assert_int_equal(p->updated, 1);
	assert_int_equal(p->available, 3);
	assert_int_equal(p->unavailable, 1);
	assert_string_equal(p->image, "registry.example.com:5000/shop/payments:1.4.2");
	assert_string_equal(p->version, "1.4.2");
	assert_string_equal(p->revision, "4");
	assert_string_equal(p->selector, "app=payments");
	assert_true(p->created == 1793534400.0); /* 2026-11-01T12:00:00Z */
	assert_true(p->rolled_out == T0 - 110);  /* Progressing updated 09:58:10 */
	assert_false(p->paused);
	assert_int_equal(p->nconditions, 2);
	assert_string_equal(p->conditions[1].type, "Progressing");
	assert_string_equal(p->conditions[1].reason, "ReplicaSetUpdated");
	assert_string_equal(p->conditions[1].message,
			    "ReplicaSet \"payments-6d9f8b7c5d\" is progressing.");
	assert_string_equal(p->current_revision, "");
	assert_string_equal(p->update_revision, "");
	c = find_workload(w, n, "checkout");
	/* an image by digest shows the digest's first 12 hex */
	assert_string_equal(c->version, "9f86d081884c");
	assert_int_equal(c->ready, 2);
	k8s_workloads_free(w, n);
	free(cont);
	free(body);
}

static void
test_deployments_page2(void **state)
{
	struct k8s_workload *w;
	const struct k8s_workload *r, *s;
	size_t n, len;
	long status;
	char *body = k8s_fixture("deployments_page2", &len, &status), *cont;
	struct err e;

	(void)state;
	assert_int_equal(k8s_parse_workloads(status, body, len, K8S_DEPLOYMENT, &w, &n, &cont, &e),
			 0);
	assert_int_equal(n, 4);
	assert_string_equal(cont, ""); /* the last page */
	s = find_workload(w, n, "search");
	assert_true(s->paused);
	assert_string_equal(s->version, "latest");
	r = find_workload(w, n, "reports");
	assert_string_equal(r->ns, "batch");
	assert_int_equal(r->replicas, 0);
	assert_int_equal(r->status_replicas, 0);
	assert_int_equal(r->ready, 0);
	assert_int_equal(r->available, 0);
	assert_string_equal(r->selector, "app=reports,tier=batch,track in (stable,canary),!legacy");
	/* no Progressing condition: rolled out when created */
	assert_true(r->rolled_out == r->created);
	k8s_workloads_free(w, n);
	free(cont);
	free(body);
}

static void
test_statefulsets(void **state)
{
	struct k8s_workload *w;
	size_t n, len;
	long status;
	char *body = k8s_fixture("statefulsets", &len, &status), *cont;
	struct err e;

	(void)state;
	assert_int_equal(k8s_parse_workloads(status, body, len, K8S_STATEFULSET, &w, &n, &cont, &e),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(w[0].kind, K8S_STATEFULSET);
	assert_string_equal(w[0].name, "postgres");
	assert_string_equal(w[0].current_revision, "postgres-5c6d7e8f9a");
	assert_string_equal(w[0].update_revision, "postgres-7f8e9d0c1b");
	assert_string_equal(w[0].version, "16.4");
	assert_string_equal(w[0].revision, "");
	assert_int_equal(w[0].updated, 1);
	assert_int_equal(w[1].replicas, 1);
	assert_string_equal(w[1].version, "7.2-alpine");
	k8s_workloads_free(w, n);
	free(cont);
	free(body);
}

/* One object (GET .../deployments/NAME) parses as a list of one. */
static void
test_workload_single_object(void **state)
{
	struct k8s_workload *w;
	size_t n, len;
	long status;
	char *body = k8s_fixture("deployment_payments", &len, &status), *cont;
	struct err e;

	(void)state;
	assert_int_equal(k8s_parse_workloads(status, body, len, K8S_DEPLOYMENT, &w, &n, &cont, &e),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(w[0].name, "payments");
	assert_string_equal(cont, "");
	k8s_workloads_free(w, n);
	free(cont);
	/* but not as a StatefulSet */
	assert_int_equal(k8s_parse_workloads(status, body, len, K8S_STATEFULSET, &w, &n, &cont, &e),
			 -1);
	assert_null(w);
	assert_null(cont);
	assert_int_equal(e.code, ERR_PARSE);
	free(body);
}

/* ---- pods ---------------------------------------------------------------------- */

static const struct k8s_pod *
find_pod(const struct k8s_pod *p, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(p[i].name, name) == 0)
			return &p[i];
	fail_msg("no pod %s", name);
	return NULL;
}

static void
test_pods(void **state)
{
	struct k8s_pod *p;
	const struct k8s_pod *x;
	size_t n, len;
	long status;
	char *body = k8s_fixture("pods", &len, &status), *cont;
	struct err e;

	(void)state;
	assert_int_equal(k8s_parse_pods(status, body, len, &p, &n, &cont, &e), 0);
	assert_int_equal(n, 8);
	assert_true(strncmp(cont, "eyJ2Ijoi", 8) == 0);

	x = find_pod(p, n, "payments-7f6e5d4c3b-x2k9p");
	assert_string_equal(x->phase, "Running");
	assert_string_equal(x->node, "node-a");
	assert_string_equal(x->owner_kind, "ReplicaSet");
	assert_string_equal(x->owner_name, "payments-7f6e5d4c3b");
	assert_string_equal(x->pod_template_hash, "7f6e5d4c3b");
	assert_int_equal(x->ncontainers, 2);
	/* spec order, statuses matched by name (the server sorts them by name) */
	assert_string_equal(x->containers[0].name, "payments");
	assert_int_equal(x->containers[0].restarts, 1);
	assert_string_equal(x->containers[1].name, "envoy");
	assert_string_equal(x->containers[1].image, "envoyproxy/envoy:v1.31.0");
	assert_string_equal(x->containers[1].last_term_reason, "Error");
	assert_int_equal(x->restarts, 3); /* summed */
	assert_int_equal(x->ready_containers, 2);
	assert_string_equal(x->reason, "Error");
	assert_false(x->deleting);

	x = find_pod(p, n, "payments-6d9f8b7c5d-q7w4z");
	assert_string_equal(x->containers[0].waiting_reason, "CrashLoopBackOff");
	assert_string_equal(x->containers[0].last_term_reason, "OOMKilled");
	assert_string_equal(x->reason, "CrashLoopBackOff"); /* waiting beats the past */
	assert_int_equal(x->restarts, 5);
	assert_int_equal(x->ready_containers, 0);
	assert_true(x->started == T0 - 115);

	x = find_pod(p, n, "checkout-5f7d9c8b6a-m3n8b");
	assert_string_equal(x->reason, "ImagePullBackOff");
	assert_string_equal(x->phase, "Pending");

	x = find_pod(p, n, "postgres-0");
	assert_string_equal(x->owner_kind, "StatefulSet");
	assert_string_equal(x->pod_template_hash, "");
	assert_string_equal(x->reason, "");

	x = find_pod(p, n, "cart-7b8c9d6f5e-zz4k1");
	assert_string_equal(x->node, "");
	assert_true(x->started == T0 - 1800); /* no startTime: created */
	assert_int_equal(x->ncontainers, 1);
	assert_false(x->containers[0].ready);
	assert_string_equal(x->containers[0].waiting_reason, "");

	x = find_pod(p, n, "search-66f7c8d9b-evct1");
	assert_string_equal(x->phase, "Failed");
	/* the terminated state's reason outranks nothing but the pod's Evicted */
	assert_string_equal(x->containers[0].last_term_reason, "ContainerStatusUnknown");

	x = find_pod(p, n, "frontend-84c6d7b9f-old01");
	assert_true(x->deleting);

	x = find_pod(p, n, "reports-5d4c3b2a1-init9");
	assert_string_equal(x->reason, "CrashLoopBackOff"); /* the init container's */
	k8s_pods_free(p, n);
	free(cont);
	free(body);
}

/* The pod's own reason when no container has one. */
static void
test_pod_evicted_reason(void **state)
{
	const char *body = "{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":\"a\"},"
			   "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]},"
			   "\"status\":{\"phase\":\"Failed\",\"reason\":\"Evicted\"}}]}";
	struct k8s_pod *p;
	size_t n;
	char *cont;
	struct err e;

	(void)state;
	assert_int_equal(k8s_parse_pods(200, body, strlen(body), &p, &n, &cont, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(p[0].reason, "Evicted");
	assert_string_equal(p[0].owner_kind, "");
	k8s_pods_free(p, n);
	free(cont);
}

/* ---- replicasets --------------------------------------------------------------- */

static void
test_replicasets(void **state)
{
	struct k8s_replicaset *r;
	size_t n, len;
	long status;
	char *body = k8s_fixture("replicasets", &len, &status), *cont;
	struct err e;

	(void)state;
	assert_int_equal(k8s_parse_replicasets(status, body, len, &r, &n, &cont, &e), 0);
	assert_int_equal(n, 4);
	assert_string_equal(cont, "");
	assert_string_equal(r[0].name, "payments-5b8c7d6e4f");
	assert_string_equal(r[0].owner_name, "payments");
	assert_string_equal(r[0].revision, "2");
	assert_string_equal(r[0].pod_template_hash, "5b8c7d6e4f");
	assert_int_equal(r[0].replicas, 0);
	assert_int_equal(r[0].ready, 0);
	assert_string_equal(r[2].revision, "3");
	assert_string_equal(r[2].images, "registry.example.com:5000/shop/payments:1.4.1, "
					 "envoyproxy/envoy:v1.31.0");
	assert_int_equal(r[2].replicas, 3);
	assert_int_equal(r[2].ready, 3);
	assert_non_null(strstr(r[2].template_json, "\"pod-template-hash\":\"7f6e5d4c3b\""));
	assert_non_null(strstr(r[2].template_json, "\"creationTimestamp\":null"));
	assert_non_null(strstr(r[2].annotations_json, "\"kubernetes.io/change-cause\":"));
	assert_true(r[1].created == T0 - 120);
	k8s_replicasets_free(r, n);
	free(cont);
	free(body);
}

/* ---- events -------------------------------------------------------------------- */

static void
test_events(void **state)
{
	struct k8s_event *ev;
	size_t n, len;
	long status;
	char *body = k8s_fixture("events", &len, &status);
	struct err e;

	(void)state;
	assert_int_equal(k8s_parse_events(status, body, len, &ev, &n, &e), 0);
	assert_int_equal(n, 5);
	/* newest first */
	assert_string_equal(ev[0].reason, "BackOff");
	assert_string_equal(ev[0].type, "Warning");
	assert_int_equal(ev[0].count, 14);
	assert_true(ev[0].last == T0 - 5);
	assert_string_equal(ev[0].object_kind, "Pod");
	assert_string_equal(ev[0].object_name, "payments-6d9f8b7c5d-q7w4z");
	assert_string_equal(ev[1].reason, "Pulled");
	assert_string_equal(ev[2].reason, "Scheduled"); /* eventTime only, MicroTime */
	assert_true(ev[2].last > T0 - 116 && ev[2].last < T0 - 115);
	assert_int_equal(ev[2].count, 1);
	assert_string_equal(ev[3].reason, "ScalingReplicaSet");
	assert_string_equal(ev[3].object_kind, "Deployment");
	assert_string_equal(ev[4].reason, "FailedScheduling"); /* series */
	assert_int_equal(ev[4].count, 9);
	assert_true(ev[4].last > T0 - 301 && ev[4].last < T0 - 299);
	k8s_events_free(ev, n);
	free(body);

	body = k8s_fixture("events_empty", &len, &status);
	assert_int_equal(k8s_parse_events(status, body, len, &ev, &n, &e), 0);
	assert_int_equal(n, 0);
	k8s_events_free(ev, n);
	free(body);
}

/* ---- errors -------------------------------------------------------------------- */

static void
expect_error(const char *fixture, enum err_code code, const char *want)
{
	struct k8s_workload *w = (struct k8s_workload *)1;
	size_t n = 9, len;
	long status;
	char *body = k8s_fixture(fixture, &len, &status), *cont = (char *)1;
	struct err e;

	err_clear(&e);
	assert_int_equal(k8s_parse_workloads(status, body, len, K8S_DEPLOYMENT, &w, &n, &cont, &e),
			 -1);
	assert_null(w);
	assert_null(cont);
	assert_int_equal(n, 0);
	assert_int_equal(e.code, code);
	if (strstr(e.msg, want) == NULL)
		fail_msg("%s: message \"%s\" lacks \"%s\"", fixture, e.msg, want);
	free(body);
}

static void
test_status_errors(void **state)
{
	(void)state;
	expect_error("status_not_found", ERR_BACKEND,
		     "kubernetes: deployments.apps \"paymnts\" not found (NotFound)");
	expect_error("status_forbidden", ERR_AUTH,
		     "kubernetes: deployments.apps \"payments\" is forbidden: User "
		     "\"system:serviceaccount:ops:opsdeck\" cannot patch resource "
		     "\"deployments/scale\" in API group \"apps\" in the namespace \"shop\" "
		     "(Forbidden) — ");
	expect_error("status_forbidden", ERR_AUTH, "kubectl auth can-i");
	expect_error("status_unauthorized", ERR_AUTH, "kubernetes: Unauthorized (Unauthorized) — ");
	expect_error("status_unauthorized", ERR_AUTH, "credentials in the kubeconfig");
	expect_error("status_conflict", ERR_BACKEND, "the object has been modified");
	expect_error("status_expired_continue", ERR_BACKEND, "(Expired)");
	expect_error("error_html_502", ERR_HTTP,
		     "kubernetes: HTTP 502 Bad Gateway (body starts with '<html>...')");
}

static void
test_status_error_direct(void **state)
{
	struct err e;
	const char *b = "{\"kind\":\"Status\",\"message\":\"\",\"code\":401}";

	(void)state;
	assert_int_equal(k8s_parse_status_error(401, b, strlen(b), &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_true(strncmp(e.msg, "kubernetes: Unauthorized — check", 32) == 0);
	assert_int_equal(k8s_parse_status_error(403, "", 0, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_non_null(strstr(e.msg, "HTTP 403 Forbidden with an empty body — "));
	assert_non_null(strstr(e.msg, "RBAC"));
	assert_int_equal(k8s_parse_status_error(0, NULL, 0, &e), -1);
	assert_int_equal(e.code, ERR_HTTP);
	assert_int_equal(k8s_parse_status_error(500, "oops\nmore", 9, &e), -1);
	assert_string_equal(e.msg, "kubernetes: HTTP 500 Internal Server Error (body starts with "
				   "'oops...') — check the cluster's server in the kubeconfig "
				   "points at the API server");
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"null",
		"[]",
		"{\"kind\":\"DeploymentList\",\"items\":[1]}",
		"{\"kind\":\"DeploymentList\",\"items\":[{\"metadata\":{}}]}",
		"{\"kind\":\"DeploymentList\",\"items\":[{\"metadata\":{\"name\":7}}]}",
		"{\"kind\":\"Pod\"}",
		"{\"items\":{}}",
		"<html>sign in</html>",
		"{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"x\",\"code\":500}",
	};
	struct k8s_workload *w;
	struct k8s_pod *p;
	struct k8s_replicaset *r;
	struct k8s_event *ev;
	size_t i, n;
	char *cont;
	struct err e;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		assert_int_equal(k8s_parse_workloads(200, bad[i], strlen(bad[i]), K8S_DEPLOYMENT,
						     &w, &n, &cont, &e),
				 -1);
		assert_null(w);
		assert_true(strncmp(e.msg, "kubernetes: ", 12) == 0);
		assert_int_equal(
			k8s_parse_replicasets(200, bad[i], strlen(bad[i]), &r, &n, &cont, &e), -1);
		assert_int_equal(k8s_parse_events(200, bad[i], strlen(bad[i]), &ev, &n, &e), -1);
		if (i != 6) /* a single Pod is a list of one */
			assert_int_equal(
				k8s_parse_pods(200, bad[i], strlen(bad[i]), &p, &n, &cont, &e), -1);
	}
	/* a wrong type where a value is expected reads as absent */
	{
		const char *b =
			"{\"kind\":\"DeploymentList\",\"items\":[{\"metadata\":{\"name\":"
			"\"x\",\"annotations\":[]},\"spec\":{\"replicas\":\"3\",\"template\":"
			"7},\"status\":{\"conditions\":{}}}],\"metadata\":{\"continue\":5}}";

		assert_int_equal(
			k8s_parse_workloads(200, b, strlen(b), K8S_DEPLOYMENT, &w, &n, &cont, &e),
			0);
		assert_int_equal(w[0].replicas, 1);
		assert_string_equal(w[0].image, "");
		assert_string_equal(w[0].version, "");
		assert_string_equal(w[0].revision, "");
		assert_string_equal(cont, "");
		k8s_workloads_free(w, n);
		free(cont);
	}
	/* "items": null is an empty list */
	{
		const char *b = "{\"kind\":\"PodList\",\"metadata\":{},\"items\":null}";

		assert_int_equal(k8s_parse_pods(200, b, strlen(b), &p, &n, &cont, &e), 0);
		assert_int_equal(n, 0);
		k8s_pods_free(p, n);
		free(cont);
	}
}

/* ---- paths and the allow-list ----------------------------------------------------- */

static void
path_is(char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_paths(void **state)
{
	(void)state;
	path_is(k8s_list_path("apps/v1", "deployments", "shop", 500, NULL, NULL),
		"/apis/apps/v1/namespaces/shop/deployments?limit=500");
	path_is(k8s_list_path("v1", "pods", NULL, 500, "ab+c/d=", "app=payments"),
		"/api/v1/pods?limit=500&continue=ab%2Bc%2Fd%3D&labelSelector=app%3Dpayments");
	path_is(k8s_list_path("v1", "pods", "", 0, "", NULL), "/api/v1/pods");
	path_is(k8s_list_path("apps/v1", "replicasets", "shop", 0, NULL,
			      "app=reports,track in (stable,canary),!legacy"),
		"/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dreports%2Ctrack%"
		"20in%20%28stable%2Ccanary%29%2C%21legacy");
	path_is(k8s_list_path("apps/v1", "statefulsets", NULL, 2, "eyJ2Ijoi", NULL),
		"/apis/apps/v1/statefulsets?limit=2&continue=eyJ2Ijoi");
	path_is(k8s_object_path(K8S_DEPLOYMENT, "shop", "payments"),
		"/apis/apps/v1/namespaces/shop/deployments/payments");
	path_is(k8s_object_path(K8S_STATEFULSET, "db", "postgres"),
		"/apis/apps/v1/namespaces/db/statefulsets/postgres");
	path_is(k8s_scale_path(K8S_DEPLOYMENT, "shop", "payments"),
		"/apis/apps/v1/namespaces/shop/deployments/payments/scale");
	path_is(k8s_scale_path(K8S_STATEFULSET, "shop", "redis"),
		"/apis/apps/v1/namespaces/shop/statefulsets/redis/scale");
	path_is(k8s_events_path("shop", "payments-6d9f8b7c5d-q7w4z"),
		"/api/v1/namespaces/shop/events?fieldSelector=involvedObject.name%3Dpayments-"
		"6d9f8b7c5d-q7w4z");
	/* a hostile name stays one segment */
	path_is(k8s_object_path(K8S_DEPLOYMENT, "shop", "../x?y"),
		"/apis/apps/v1/namespaces/shop/deployments/..%2Fx%3Fy");
	assert_string_equal(k8s_kind_name(K8S_DEPLOYMENT), "Deployment");
	assert_string_equal(k8s_kind_name(K8S_STATEFULSET), "StatefulSet");
	assert_string_equal(k8s_kind_plural(K8S_STATEFULSET), "statefulsets");
}

static void
test_is_read(void **state)
{
	char *p;

	(void)state;
	assert_true(k8s_is_read(HTTP_GET, "/apis/apps/v1/namespaces/shop/deployments?limit=500"));
	assert_true(k8s_is_read(HTTP_GET, "/api/v1/pods?limit=500&continue=ab%2Bc"));
	assert_true(k8s_is_read(HTTP_GET, "/api/v1/namespaces/shop/pods/p-1/log?tailLines=100"));
	assert_true(k8s_is_read(HTTP_GET, "/version"));
	assert_true(k8s_is_read(HTTP_GET, "/apis/apps/v1/namespaces/shop/deployments/payments"));
	/* a deployment may well be called "proxy"; its name is not a subresource */
	assert_true(k8s_is_read(HTTP_GET, "/api/v1/namespaces/exec"));
	assert_false(k8s_is_read(HTTP_PATCH, "/apis/apps/v1/namespaces/shop/deployments/payments"));
	assert_false(k8s_is_read(HTTP_POST, "/api/v1/namespaces/shop/pods"));
	assert_false(k8s_is_read(HTTP_PUT, "/apis/apps/v1/namespaces/shop/deployments/x/scale"));
	assert_false(k8s_is_read(HTTP_DELETE, "/api/v1/namespaces/shop/pods/p-1"));
	/* GETs that run commands or reach other services */
	assert_false(k8s_is_read(HTTP_GET, "/api/v1/namespaces/shop/pods/p-1/exec?command=sh"));
	assert_false(k8s_is_read(HTTP_GET, "/api/v1/namespaces/shop/pods/p-1/attach"));
	assert_false(k8s_is_read(HTTP_GET, "/api/v1/namespaces/shop/pods/p-1/portforward"));
	assert_false(k8s_is_read(HTTP_GET, "/api/v1/namespaces/shop/services/web/proxy/admin"));
	assert_false(k8s_is_read(HTTP_GET, "/api/v1/nodes/node-a/proxy/logs/"));
	/* paths that could mean something else */
	assert_false(k8s_is_read(HTTP_GET, "/api/v1/namespaces/shop/pods/p-1/../x"));
	assert_false(k8s_is_read(HTTP_GET, "/api/v1//pods"));
	assert_false(k8s_is_read(HTTP_GET, "/api/v1/pods/%65xec"));
	assert_false(k8s_is_read(HTTP_GET, "/metrics"));
	assert_false(k8s_is_read(HTTP_GET, "api/v1/pods"));
	assert_false(k8s_is_read(HTTP_GET, NULL));
	/* every path the builders make is a read */
	p = k8s_list_path("v1", "pods", "shop", 500, "a/b", "app=x");
	assert_true(k8s_is_read(HTTP_GET, p));
	free(p);
	p = k8s_events_path("shop", "x");
	assert_true(k8s_is_read(HTTP_GET, p));
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deployments_page1),
		cmocka_unit_test(test_deployments_page2),
		cmocka_unit_test(test_statefulsets),
		cmocka_unit_test(test_workload_single_object),
		cmocka_unit_test(test_pods),
		cmocka_unit_test(test_pod_evicted_reason),
		cmocka_unit_test(test_replicasets),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_status_errors),
		cmocka_unit_test(test_status_error_direct),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_is_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
