/*
 * test_k8s_poll.c - tui/k8s_poll: a Kubernetes context's rounds against a
 * scripted API server (k8s_test_server.h) answering with the backend's
 * fixtures (tests/fixtures/k8s):
 *
 *   - a round is three paged lists: each page asks limit=N and follows
 *     metadata.continue; the request count is the page count, whatever the
 *     number of workloads;
 *   - rows: replicas ready/desired, image tag, revision, the last rollout,
 *     restarts summed over the workload's pods (matched through the
 *     ReplicaSet's name and pod-template-hash, or the StatefulSet), the
 *     rollout state, and the pods' verdict raising the status (CRIT for
 *     CrashLoopBackOff, WARN for ImagePullBackOff, CRIT for a rollout past
 *     its deadline);
 *   - a failing page fails the round: the backend says why, rows stay;
 *   - all namespaces: one list across namespaces, a name in two
 *     namespaces shown as NAMESPACE/NAME; a second context's workload of a
 *     name the first shows is NAME@CONTEXT;
 *   - the matching and the reasons' severities on their own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "k8s.h"
#include "k8s_poll.h"
#include "model.h"
#include "xalloc.h"
#include "k8s_test_server.h"

#define FIX TESTS_DIR "/fixtures/k8s/"

/* new: the fixture's body. */
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

static void
route_fixture(const char *path, const char *name)
{
	char *body = fixture(name);

	ks_route("GET", path, 200, body);
	free(body);
}

static char *
cont_of(const char *name)
{
	char *body = fixture(name), *p = strstr(body, "\"continue\":\""), *end, *tok;

	assert_non_null(p);
	p += 12;
	end = strchr(p, '"');
	tok = xstrndup(p, (size_t)(end - p));
	free(body);
	return tok;
}

/* The fixtures as the namespace shop's lists, in pages of two. */
static void
route_shop(void)
{
	char *dc = cont_of("deployments_page1"), *pc = cont_of("pods"), *path;

	ks_reset();
	path = k8s_list_path("apps/v1", "deployments", "shop", 2, NULL, NULL);
	route_fixture(path, "deployments_page1");
	free(path);
	path = k8s_list_path("apps/v1", "deployments", "shop", 2, dc, NULL);
	route_fixture(path, "deployments_page2");
	free(path);
	path = k8s_list_path("apps/v1", "statefulsets", "shop", 2, NULL, NULL);
	route_fixture(path, "statefulsets");
	free(path);
	path = k8s_list_path("v1", "pods", "shop", 2, NULL, NULL);
	route_fixture(path, "pods");
	free(path);
	path = k8s_list_path("v1", "pods", "shop", 2, pc, NULL);
	ks_route("GET", path, 200,
		 "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":"
		 "\"482210\"},\"items\":[]}");
	free(path);
	free(dc);
	free(pc);
}

struct rig {
	struct http *http;
	struct model *model;
	struct k8s_endpoint *ep;
	struct k8s_poll *poll;
	unsigned long want;
};

static bool
rounds_done(void *ud)
{
	struct rig *r = ud;

	k8s_poll_tick(r->poll, poller_mono_now());
	return k8s_poll_rounds(r->poll) >= r->want;
}

static void
rig_open(struct rig *r, const char *context, const char *ns, struct model *shared)
{
	struct k8s_poll_settings s;
	struct err e;

	memset(r, 0, sizeof *r);
	r->http = http_new(&e);
	r->model = shared != NULL ? shared : model_new(10, 100);
	r->ep = ks_endpoint(context, ns);
	memset(&s, 0, sizeof s);
	s.ep = r->ep;
	s.refresh_ms = 100000;
	s.page = 2;
	r->poll = k8s_poll_new(r->http, r->model, &s);
}

static void
rig_round(struct rig *r)
{
	r->want = k8s_poll_rounds(r->poll) + 1;
	k8s_poll_refresh_now(r->poll);
	assert_true(ks_run_until(r->http, rounds_done, r));
}

static void
rig_close(struct rig *r, bool free_model)
{
	k8s_poll_free(r->poll);
	http_free(r->http);
	k8s_endpoint_free(r->ep);
	if (free_model)
		model_free(r->model);
}

static const struct runtime_state *
rt_of(struct model *m, const char *name)
{
	struct service *s = model_service(m, name, false);

	if (s == NULL || !s->rt.present)
		fail_msg("no runtime row named %s", name);
	return &s->rt;
}

static enum status
status_of(struct model *m, const char *name)
{
	return model_service_status(model_service(m, name, false), NULL, poller_wall_now(), 0);
}

static void
test_round(void **state)
{
	struct rig r;
	const struct runtime_state *rt;
	const struct backend_state *b;

	(void)state;
	route_shop();
	rig_open(&r, "plain", NULL, NULL);
	rig_round(&r);

	/* two pages of Deployments, one of StatefulSets, two of pods: five requests */
	assert_int_equal(k8s_poll_requests(r.poll), 5);
	assert_int_equal(ks->nreqs, 5);
	assert_int_equal(ks_count("GET", "/apis/apps/v1/namespaces/shop/deployments?limit=2"), 2);
	assert_int_equal(ks_count("GET", "/api/v1/namespaces/shop/pods?limit=2"), 2);
	b = model_backend(r.model, "kubernetes plain");
	assert_true(b->ok);

	rt = rt_of(r.model, "payments");
	assert_string_equal(rt->kind, "k8s");
	assert_string_equal(rt->context, "plain");
	assert_string_equal(rt->id, "shop/deployment/payments");
	assert_string_equal(rt->runtime_name, "payments");
	assert_int_equal(rt->desired, 3);
	assert_int_equal(rt->running, 3);
	assert_string_equal(rt->revision, "4");
	assert_string_equal(rt->rollout_state, "updating");
	/* 2 + 1 in one pod, 5 in the CrashLoopBackOff one */
	assert_int_equal(rt->restarts, 8);
	assert_int_equal(rt->problem, STATUS_CRIT);
	assert_non_null(strstr(rt->message, "CrashLoopBackOff: pod payments-6d9f8b7c5d-q7w4z"));
	assert_int_equal(status_of(r.model, "payments"), STATUS_CRIT);

	rt = rt_of(r.model, "checkout");
	assert_int_equal(rt->problem, STATUS_WARN);
	assert_non_null(strstr(rt->message, "ImagePullBackOff"));
	assert_true(status_of(r.model, "checkout") >= STATUS_WARN);

	rt = rt_of(r.model, "cart");
	assert_string_equal(rt->rollout_state, "failed");
	assert_int_equal(rt->problem, STATUS_CRIT);
	assert_non_null(rt->message);
	assert_int_equal(status_of(r.model, "cart"), STATUS_CRIT);

	rt = rt_of(r.model, "search");
	assert_string_equal(rt->rollout_state, "paused");

	rt = rt_of(r.model, "postgres");
	assert_string_equal(rt->id, "shop/statefulset/postgres");
	assert_string_equal(rt->rollout_state, "updating");
	assert_non_null(rt->revision);
	assert_true(rt->deployed_at > 0);
	rig_close(&r, true);
}

static void
test_failed_page_keeps_rows(void **state)
{
	struct rig r;
	const struct backend_state *b;
	char *path;

	(void)state;
	route_shop();
	rig_open(&r, "plain", NULL, NULL);
	rig_round(&r);
	assert_int_equal(rt_of(r.model, "payments")->desired, 3);

	/* the second page of Deployments now fails: the round fails, the rows stay */
	path = k8s_list_path("apps/v1", "deployments", "shop", 2, NULL, NULL);
	ks_route(
		"GET", path, 403,
		"{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
		"\"message\":\"deployments.apps is forbidden: User \\\"viewer\\\" cannot list "
		"resource \\\"deployments\\\" in API group \\\"apps\\\" in the namespace "
		"\\\"shop\\\"\",\"reason\":\"Forbidden\",\"details\":{\"group\":\"apps\",\"kind\":"
		"\"deployments\"},\"code\":403}");
	free(path);
	rig_round(&r);
	b = model_backend(r.model, "kubernetes plain");
	assert_false(b->ok);
	assert_true(strncmp(b->err.msg, "kubernetes plain: ", 18) == 0);
	assert_non_null(strstr(b->err.msg, "cannot list resource"));
	assert_int_equal(rt_of(r.model, "payments")->desired, 3);
	rig_close(&r, true);
}

static void
test_all_namespaces(void **state)
{
	struct rig r;
	char *path;
	static const char deps[] =
		"{\"kind\":\"DeploymentList\",\"apiVersion\":\"apps/"
		"v1\",\"metadata\":{},\"items\":["
		"{\"metadata\":{\"name\":\"api\",\"namespace\":\"blue\",\"generation\":1},"
		"\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"app\":\"api\"}},"
		"\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x/"
		"api:1\"}]}}},"
		"\"status\":{\"observedGeneration\":1,\"replicas\":1,\"updatedReplicas\":1,"
		"\"readyReplicas\":1,\"availableReplicas\":1}},"
		"{\"metadata\":{\"name\":\"api\",\"namespace\":\"green\",\"generation\":1},"
		"\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"app\":\"api\"}},"
		"\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x/"
		"api:2\"}]}}},"
		"\"status\":{\"observedGeneration\":1,\"replicas\":1,\"updatedReplicas\":1,"
		"\"readyReplicas\":1,\"availableReplicas\":1}},"
		"{\"metadata\":{\"name\":\"web\",\"namespace\":\"blue\",\"generation\":1},"
		"\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
		"\"template\":{\"spec\":{\"containers\":[{\"name\":\"w\",\"image\":\"x/"
		"web:3\"}]}}},"
		"\"status\":{\"observedGeneration\":1,\"replicas\":2,\"updatedReplicas\":2,"
		"\"readyReplicas\":1,\"availableReplicas\":1}}]}";
	static const char empty_sts[] = "{\"kind\":\"StatefulSetList\",\"apiVersion\":\"apps/"
					"v1\",\"metadata\":{},\"items\":[]}";
	static const char empty_pods[] =
		"{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":[]}";

	(void)state;
	ks_reset();
	path = k8s_list_path("apps/v1", "deployments", NULL, 2, NULL, NULL);
	assert_string_equal(path, "/apis/apps/v1/deployments?limit=2");
	ks_route("GET", path, 200, deps);
	free(path);
	ks_route("GET", "/apis/apps/v1/statefulsets?limit=2", 200, empty_sts);
	ks_route("GET", "/api/v1/pods?limit=2", 200, empty_pods);
	rig_open(&r, "plain", "*", NULL);
	assert_null(k8s_endpoint_namespace(r.ep));
	rig_round(&r);
	assert_int_equal(ks->nreqs, 3);
	assert_string_equal(rt_of(r.model, "blue/api")->version, "1");
	assert_string_equal(rt_of(r.model, "green/api")->version, "2");
	assert_string_equal(rt_of(r.model, "green/api")->id, "green/deployment/api");
	assert_null(model_service(r.model, "api", false));
	assert_int_equal(rt_of(r.model, "web")->running, 1);
	assert_int_equal(rt_of(r.model, "web")->desired, 2);
	assert_int_equal(status_of(r.model, "web"), STATUS_WARN);

	/* a second context of the same cluster: its rows do not take the first's names */
	{
		struct rig r2;

		rig_open(&r2, "other", "*", r.model);
		rig_round(&r2);
		assert_string_equal(rt_of(r.model, "web")->context, "plain");
		assert_string_equal(rt_of(r.model, "web@other")->context, "other");
		assert_true(model_backend(r.model, "kubernetes other")->ok);
		rig_close(&r2, false);
	}
	rig_close(&r, true);
}

/* ---- matching on its own ---------------------------------------------------- */

static void
test_match(void **state)
{
	struct k8s_workload w[3];
	struct k8s_pod p[5];
	struct k8s_pods_of of[3];
	bool dup[3];

	(void)state;
	memset(w, 0, sizeof w);
	memset(p, 0, sizeof p);
	w[0] = (struct k8s_workload){ .kind = K8S_DEPLOYMENT, .ns = "a", .name = "web-api" };
	w[1] = (struct k8s_workload){ .kind = K8S_STATEFULSET, .ns = "a", .name = "db" };
	w[2] = (struct k8s_workload){ .kind = K8S_DEPLOYMENT, .ns = "b", .name = "web-api" };
	/* a dash in the Deployment's name: the hash label says where the name ends */
	p[0] = (struct k8s_pod){ .ns = "a",
				 .name = "web-api-5d9c-x",
				 .owner_kind = "ReplicaSet",
				 .owner_name = "web-api-5d9c",
				 .pod_template_hash = "5d9c",
				 .restarts = 2,
				 .reason = "" };
	p[1] = (struct k8s_pod){ .ns = "a",
				 .name = "web-api-5d9c-y",
				 .owner_kind = "ReplicaSet",
				 .owner_name = "web-api-5d9c",
				 .pod_template_hash = "",
				 .restarts = 1,
				 .reason = "OOMKilled" };
	p[2] = (struct k8s_pod){ .ns = "a",
				 .name = "db-0",
				 .owner_kind = "StatefulSet",
				 .owner_name = "db",
				 .pod_template_hash = "",
				 .restarts = 7,
				 .reason = "CrashLoopBackOff" };
	/* terminating: restarts count, its state does not */
	p[3] = (struct k8s_pod){ .ns = "b",
				 .name = "web-api-1-z",
				 .owner_kind = "ReplicaSet",
				 .owner_name = "web-api-1",
				 .pod_template_hash = "1",
				 .restarts = 4,
				 .deleting = true,
				 .reason = "CrashLoopBackOff" };
	/* a Job's pod: no workload of ours */
	p[4] = (struct k8s_pod){ .ns = "a",
				 .name = "backup-x",
				 .owner_kind = "Job",
				 .owner_name = "backup",
				 .pod_template_hash = "",
				 .reason = "" };
	k8s_match_pods(w, 3, p, 5, of);
	assert_int_equal(of[0].pods, 2);
	assert_int_equal(of[0].restarts, 3);
	assert_int_equal(of[0].problem, STATUS_WARN);
	assert_string_equal(of[0].reason, "OOMKilled");
	assert_string_equal(of[0].pod, "web-api-5d9c-y");
	assert_int_equal(of[1].pods, 1);
	assert_int_equal(of[1].restarts, 7);
	assert_int_equal(of[1].problem, STATUS_CRIT);
	assert_int_equal(of[2].pods, 1);
	assert_int_equal(of[2].restarts, 4);
	assert_int_equal(of[2].problem, STATUS_OK);

	k8s_duplicate_names(w, 3, dup);
	assert_true(dup[0]);
	assert_false(dup[1]);
	assert_true(dup[2]);

	assert_int_equal(k8s_reason_severity("CrashLoopBackOff"), STATUS_CRIT);
	assert_int_equal(k8s_reason_severity("ImagePullBackOff"), STATUS_WARN);
	assert_int_equal(k8s_reason_severity("ErrImagePull"), STATUS_WARN);
	assert_int_equal(k8s_reason_severity("OOMKilled"), STATUS_WARN);
	assert_int_equal(k8s_reason_severity("ContainerCreating"), STATUS_OK);
	assert_int_equal(k8s_reason_severity("Completed"), STATUS_OK);
	assert_int_equal(k8s_reason_severity(""), STATUS_OK);
	assert_int_equal(k8s_reason_severity(NULL), STATUS_OK);
}

/* Many pods: one pass, every pod found (and fast enough to be no question). */
static void
test_match_many(void **state)
{
	enum { NW = 2000, NP = 20000 };
	struct k8s_workload *w = xcalloc(NW, sizeof *w);
	struct k8s_pod *p = xcalloc(NP, sizeof *p);
	struct k8s_pods_of *of = xcalloc(NW, sizeof *of);
	char(*names)[32] = xcalloc(NW, sizeof *names), (*owners)[40] = xcalloc(NP, sizeof *owners);
	double t0;
	size_t i;
	long total = 0;

	(void)state;
	for (i = 0; i < NW; i++) {
		snprintf(names[i], sizeof names[i], "svc-%zu", i);
		w[i] = (struct k8s_workload){ .kind = K8S_DEPLOYMENT,
					      .ns = "ns",
					      .name = names[i] };
	}
	for (i = 0; i < NP; i++) {
		snprintf(owners[i], sizeof owners[i], "svc-%zu-abc12", i % NW);
		p[i] = (struct k8s_pod){ .ns = "ns",
					 .name = owners[i],
					 .owner_kind = "ReplicaSet",
					 .owner_name = owners[i],
					 .pod_template_hash = "abc12",
					 .restarts = 1,
					 .reason = "" };
	}
	t0 = poller_mono_now();
	k8s_match_pods(w, NW, p, NP, of);
	assert_true(poller_mono_now() - t0 < 2.0);
	for (i = 0; i < NW; i++) {
		assert_int_equal(of[i].pods, NP / NW);
		total += of[i].restarts;
	}
	assert_int_equal(total, NP);
	free(w);
	free(p);
	free(of);
	free(names);
	free(owners);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round),
		cmocka_unit_test(test_failed_page_keeps_rows),
		cmocka_unit_test(test_all_namespaces),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_match_many),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, ks_start, ks_stop);
}
