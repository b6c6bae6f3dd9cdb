/*
 * The Service detail of a Kubernetes workload: the requests of one round
 * and what their answers become (tui/k8s_detail.c, fed the API server's
 * answers from tests/fixtures/k8s), and the screen drawn from them into a
 * fixed-size canvas, diffed against tests/golden/detail_k8s_*.txt: the
 * payments Deployment mid-rollout, its new pod in CrashLoopBackOff after
 * an OOMKill, revisions 4 (current), 3 (where a rollback goes) and 2, and
 * the BackOff Warnings.  Plus a StatefulSet, events of pods already gone,
 * a failing events request, a 404, hostile text, JSON and Markdown.
 * UPDATE_GOLDEN=1 rewrites the golden files after a deliberate change.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "golden.h"

#include <jansson.h>

#include "buf.h"
#include "canvas.h"
#include "detail_json.h"
#include "detail_poll.h"
#include "k8s.h"
#include "k8s_detail.h"
#include "keys.h"
#include "model.h"
#include "render.h"
#include "screens/detail.h"
#include "view.h"
#include "xalloc.h"

#define NOW 1795341660.0 /* 2026-11-22T10:01:00Z, a minute after the fixtures' last event */
#define CTX "kind-shop"

static const struct thresholds th = { 0.01, 0.05, 0.5, 2.0 };

struct fixture {
	struct model *m;
	struct detail *d;
	struct detail_data dd;
	double t[3][120], v[3][120];
	struct view_ctx v_;
};

static char *
fixture_file(const char *name, size_t *len)
{
	char path[256];
	char *s;

	snprintf(path, sizeof path, "tests/fixtures/k8s/%s", name);
	s = slurp(path);
	assert_non_null(s);
	*len = strlen(s);
	return s;
}

/* The pods fixture lists every namespace's pods in one page with a continue token; drop it. */
static char *
one_page(const char *body)
{
	json_error_t je;
	json_t *j = json_loads(body, 0, &je);
	char *out;

	assert_non_null(j);
	json_object_del(json_object_get(j, "metadata"), "continue");
	out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return out;
}

static int
take_file(struct k8s_detail *k, enum k8s_detail_req r, const char *name, bool whole_page)
{
	size_t len;
	char *body = fixture_file(name, &len), *page = NULL;
	struct err e;
	int rc;

	if (whole_page) {
		page = one_page(body);
		free(body);
		body = page;
		len = strlen(body);
	}
	rc = k8s_detail_take(k, r, 200, body, len, &e);
	free(body);
	return rc;
}

/* One round for payments as the poller runs it, answered from the fixtures. */
static void
round_payments(struct detail_data *dd)
{
	struct k8s_detail *k = k8s_detail_new(K8S_DEPLOYMENT, "shop", "payments");

	k8s_detail_begin(k);
	assert_int_equal(take_file(k, K8S_DETAIL_WORKLOAD, "deployment_payments.json", false), 0);
	assert_int_equal(take_file(k, K8S_DETAIL_EVENTS, "events.json", false), 0);
	assert_int_equal(take_file(k, K8S_DETAIL_PODS, "pods.json", true), 0);
	assert_int_equal(take_file(k, K8S_DETAIL_REPLICASETS, "replicasets.json", false), 0);
	k8s_detail_fill(k, dd);
	dd->have_runtime = true;
	k8s_detail_free(k);
}

static void
add_row(struct model *m, const char *name, const char *id, long running, long desired,
	const char *state, const char *message)
{
	struct runtime_row row;

	memset(&row, 0, sizeof row);
	row.name = name;
	row.kind = "k8s";
	row.id = id;
	row.runtime_name = strrchr(id, '/') + 1;
	row.running = running;
	row.desired = desired;
	row.version = "1.4.2";
	row.deployed_at = NOW - 170;
	row.restarts = 8;
	row.rollout_state = state;
	row.message = message;
	row.revision = "4";
	model_runtime_apply(m, CTX, &row, 1, NOW);
}

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	const char *names[1] = { "payments" };
	double rps = 41.0, err = 0.004, p99 = 0.3;
	size_t i, k;

	setenv("TZ", "UTC", 1);
	tzset();
	f->m = model_new(30, 100);
	model_apply_metric(f->m, METRIC_RPS, names, &rps, 1, NOW);
	model_apply_metric(f->m, METRIC_ERRORS, names, &err, 1, NOW);
	model_apply_metric(f->m, METRIC_P99, names, &p99, 1, NOW);
	add_row(f->m, "payments", "shop/deployment/payments", 3, 4, "updating", NULL);
	model_backend_ok(f->m, "prometheus", 12, NOW);
	model_backend_ok(f->m, "kubernetes " CTX, 9, NOW);
	f->d = detail_new("payments");
	detail_data_init(&f->dd, 3600, 30);
	round_payments(&f->dd);
	f->dd.t0 = NOW - 3600;
	f->dd.t1 = NOW;
	f->dd.have_metrics = true;
	for (k = 0; k < 3; k++) {
		f->dd.series[k].t = xcalloc(120, sizeof(double));
		f->dd.series[k].v = xcalloc(120, sizeof(double));
		for (i = 0; i < 120; i++) {
			double x = (double)i / 119.0;

			f->dd.series[k].t[i] = NOW - 3600 + 30.0 * (double)i;
			f->dd.series[k].v[i] = k == 0   ? 40 + 20 * sin(6.28 * x)
					       : k == 1 ? (i > 110 ? 0.03 : 0.004)
							: 0.2 + 0.1 * x;
		}
		f->dd.series[k].n = 120;
	}
	f->v_.model = f->m;
	f->v_.th = &th;
	f->v_.now = NOW;
	f->v_.stale_after = 60;
	f->v_.prometheus = true;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	detail_data_done(&f->dd);
	detail_free(f->d);
	model_free(f->m);
	free(f);
	return 0;
}

static struct canvas *
draw(struct fixture *f, int w, int h, const struct detail_data *dd)
{
	struct canvas *c = canvas_new(w, h);
	struct render_state rs;

	memset(&rs, 0, sizeof rs);
	rs.detail = f->d;
	rs.detail_data = dd;
	render_screen(c, &f->v_, &rs);
	return c;
}

static char *
render(struct fixture *f, int w, int h, const struct detail_data *dd)
{
	struct canvas *c = draw(f, w, h, dd);
	struct buf out;

	buf_init(&out);
	canvas_write_text(c, &out);
	canvas_free(c);
	return buf_steal(&out);
}

/* The role of the cell where text first appears on the canvas, or -1. */
static int
role_of(struct canvas *c, const char *text)
{
	int y, x;

	for (y = 0; y < c->h; y++) {
		char line[4096];
		int at[4096];
		size_t len = 0;
		const char *hit;

		for (x = 0; x < c->w; x++) {
			const char *ch = canvas_at(c, x, y)->ch;
			size_t k;

			for (k = 0; ch[k] != '\0' && len + 1 < sizeof line; k++) {
				at[len] = x;
				line[len++] = ch[k];
			}
		}
		line[len] = '\0';
		hit = strstr(line, text);
		if (hit != NULL)
			return (int)canvas_at(c, at[hit - line], y)->role;
	}
	return -1;
}

/* ---- the screen ------------------------------------------------------------------ */

static void
test_golden_80x24(void **state)
{
	struct fixture *f = *state;
	char *s = render(f, 80, 24, &f->dd);

	golden("detail_k8s_80x24", s);
	assert_non_null(strstr(s, "k8s @ " CTX "/shop"));
	assert_non_null(strstr(s, "revision 4"));
	assert_non_null(strstr(s, "rollout updating: ReplicaSet \"payments-6d9f8b7c5d\" is progr"));
	assert_non_null(strstr(s, "PODS 2"));
	assert_non_null(strstr(s, "REVISIONS 3"));
	assert_non_null(strstr(s, "EVENTS 4"));
	assert_non_null(strstr(s, "CrashLoopBackOff (OOMKilled)"));
	assert_non_null(strstr(s, "rollback (B)"));
	assert_non_null(strstr(s, "BackOff"));
	assert_non_null(strstr(s, "2 pods"));
	assert_null(strstr(s, "cart")); /* another workload's pods and events stay out */
	assert_null(strstr(s, "checkout"));
	free(s);
}

static void
test_golden_160x40(void **state)
{
	struct fixture *f = *state;
	char *s = render(f, 160, 40, &f->dd);

	golden("detail_k8s_160x40", s);
	assert_non_null(strstr(s, "requests/s")); /* the charts fit under the sections */
	assert_non_null(strstr(s, "node-b"));
	assert_non_null(strstr(s, "pod/payments-6d9f8b7c5d-q7w4z"));
	assert_non_null(strstr(s, "registry.example.com:5000/shop/payments:1.4.1"));
	assert_non_null(strstr(s, "payments-5b8c7d6e4f"));
	free(s);
}

/* CrashLoopBackOff in CRIT, Warnings in WARN, the updating rollout in WARN, current in OK. */
static void
test_roles(void **state)
{
	struct fixture *f = *state;
	struct canvas *c = draw(f, 160, 40, &f->dd);

	/* the cursor is on the first pod, the crashing one */
	assert_int_equal(role_of(c, "payments-6d9f8b7c5d-q7w4z "), ROLE_SELECTED);
	assert_int_equal(role_of(c, "Error"), ROLE_WARN); /* a past exit of a pod ready again */
	assert_int_equal(role_of(c, "Warning BackOff"), ROLE_WARN);
	assert_int_equal(role_of(c, "Back-off restarting"), ROLE_WARN);
	assert_int_equal(role_of(c, "Normal  Pulled"), ROLE_DIM);
	assert_int_equal(role_of(c, "rollout updating:"), ROLE_WARN);
	assert_int_equal(role_of(c, "current   "), ROLE_OK);
	assert_int_equal(role_of(c, "rollback (B)"), ROLE_ACCENT);
	canvas_free(c);
	assert_int_equal(detail_handle(f->d, ACT_DOWN, &f->dd), H_DIRTY | H_HANDLED);
	c = draw(f, 160, 40, &f->dd);
	assert_int_equal(role_of(c, "CrashLoopBackOff"), ROLE_CRIT);
	assert_int_equal(role_of(c, "0/1"), ROLE_WARN); /* not ready */
	assert_int_equal(role_of(c, "Running"), ROLE_WARN);
	assert_int_equal(role_of(c, "payments-7f6e5d4c3b-x2k9p "), ROLE_SELECTED);
	canvas_free(c);
}

/* Past its progress deadline: the rollout line says so, in CRIT. */
static void
test_failed_rollout(void **state)
{
	struct fixture *f = *state;
	struct canvas *c;
	char *s;

	free(f->dd.update_state);
	f->dd.update_state = xstrdup("failed");
	free(f->dd.update_message);
	f->dd.update_message =
		xstrdup("ReplicaSet \"payments-6d9f8b7c5d\" has timed out progressing.");
	c = draw(f, 80, 24, &f->dd);
	assert_int_equal(role_of(c, "rollout failed:"), ROLE_CRIT);
	canvas_free(c);
	s = render(f, 80, 24, &f->dd);
	assert_non_null(strstr(s, "has timed out progressing"));
	free(s);
}

/* Before any answer: the header from the model, the sections say they are asking. */
static void
test_no_data_yet(void **state)
{
	struct fixture *f = *state;
	char *s = render(f, 100, 30, NULL);

	assert_non_null(strstr(s, "k8s @ " CTX "/shop"));
	assert_non_null(strstr(s, "replicas 3/4"));
	assert_non_null(strstr(s, "revision 4"));
	assert_non_null(strstr(s, "PODS"));
	assert_non_null(strstr(s, "asking the API server"));
	assert_null(strstr(s, "previous")); /* no Docker deployment line */
	free(s);
}

/* The cursor moves over the pods and stops at the last. */
static void
test_cursor(void **state)
{
	struct fixture *f = *state;
	char *s = render(f, 80, 24, &f->dd);

	free(s);
	assert_int_equal(detail_handle(f->d, ACT_DOWN, &f->dd), H_DIRTY | H_HANDLED);
	assert_int_equal(detail_handle(f->d, ACT_DOWN, &f->dd), H_DIRTY | H_HANDLED);
	assert_int_equal(detail_handle(f->d, ACT_BOTTOM, &f->dd), H_DIRTY | H_HANDLED);
	s = render(f, 80, 24, &f->dd);
	free(s);
	{
		size_t from, to;

		detail_visible(f->d, &from, &to);
		assert_int_equal(from, to); /* no Docker stats for pods */
	}
}

/* Pod names and event messages come from the cluster: escapes are shown, never sent. */
static void
test_hostile_text(void **state)
{
	struct fixture *f = *state;
	char *s;

	free(f->dd.k8s.pods[0].name);
	f->dd.k8s.pods[0].name = xstrdup("evil\x1b]0;pwned\x07-pod");
	free(f->dd.k8s.events[0].message);
	f->dd.k8s.events[0].message = xstrdup("boom\x1b[2J\xe2\x80\xae"
					      "desrever");
	free(f->dd.k8s.revs[0].images);
	f->dd.k8s.revs[0].images = xstrdup("img\x9b"
					   "31m");
	s = render(f, 160, 40, &f->dd);
	assert_null(strchr(s, '\x1b'));
	assert_null(strchr(s, '\x07'));
	assert_non_null(strstr(s, "evil^[]0;pwned^G-pod"));
	assert_non_null(strstr(s, "boom^[[2J<U+202E>desrever"));
	free(s);
}

static void
test_markdown(void **state)
{
	struct fixture *f = *state;
	struct buf out;

	buf_init(&out);
	detail_markdown(f->d, &f->v_, &f->dd, &out);
	assert_non_null(strstr(out.data,
			       "- runtime: k8s @ " CTX "/shop, replicas 3/4, version 1.4.2, "
			       "revision 4, rolled out 2m50s ago, restarts 8"));
	assert_non_null(strstr(out.data, "### Pods"));
	assert_non_null(strstr(out.data, "### Revisions"));
	assert_non_null(strstr(out.data, "### Events"));
	assert_non_null(strstr(out.data, "| payments-6d9f8b7c5d-q7w4z |"));
	assert_non_null(strstr(out.data, "CrashLoopBackOff"));
	assert_non_null(strstr(out.data, "rollback (B)"));
	assert_null(strstr(out.data, "### Instances"));
	buf_done(&out);
}

static void
test_json(void **state)
{
	struct fixture *f = *state;
	struct buf out;
	json_t *j, *pods, *revs, *evs;
	json_error_t je;

	buf_init(&out);
	detail_json_write(&f->v_, "payments", &f->dd, &out);
	j = json_loads(out.data, 0, &je);
	assert_non_null(j);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "workload"), "kind")),
		"Deployment");
	pods = json_object_get(j, "pods");
	assert_int_equal(json_array_size(pods), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(pods, 0), "reason")),
			    "CrashLoopBackOff");
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(pods, 0), "last_exit")),
		"OOMKilled");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(pods, 0), "restarts")),
			 5);
	revs = json_object_get(j, "revisions");
	assert_int_equal(json_array_size(revs), 3);
	assert_true(json_is_true(json_object_get(json_array_get(revs, 0), "current")));
	assert_true(json_is_true(json_object_get(json_array_get(revs, 1), "rollback_target")));
	evs = json_object_get(j, "events");
	assert_int_equal(json_array_size(evs), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(evs, 0), "reason")),
			    "BackOff");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(evs, 0), "count")), 14);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "rollout"), "state")),
		"updating");
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_object_get(j, "deployment"), "previous"), "version")),
		"1.4.1");
	json_decref(j);
	buf_done(&out);
}

/* ---- the round's requests and answers ---------------------------------------------- */

static void
test_paths(void **state)
{
	struct k8s_detail *k = k8s_detail_new(K8S_DEPLOYMENT, "shop", "payments");
	char *p;

	(void)state;
	k8s_detail_begin(k);
	p = k8s_detail_path(k, K8S_DETAIL_WORKLOAD);
	assert_string_equal(p, "/apis/apps/v1/namespaces/shop/deployments/payments");
	free(p);
	p = k8s_detail_path(k, K8S_DETAIL_EVENTS);
	assert_string_equal(p, "/api/v1/namespaces/shop/events");
	free(p);
	/* the selector comes with the workload's answer */
	assert_null(k8s_detail_path(k, K8S_DETAIL_PODS));
	assert_null(k8s_detail_path(k, K8S_DETAIL_REPLICASETS));
	assert_int_equal(take_file(k, K8S_DETAIL_WORKLOAD, "deployment_payments.json", false), 0);
	p = k8s_detail_path(k, K8S_DETAIL_PODS);
	assert_string_equal(p,
			    "/api/v1/namespaces/shop/pods?limit=500&labelSelector=app%3Dpayments");
	free(p);
	p = k8s_detail_path(k, K8S_DETAIL_REPLICASETS);
	assert_string_equal(
		p, "/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dpayments");
	free(p);
	k8s_detail_free(k);

	/* a StatefulSet has no ReplicaSets */
	k = k8s_detail_new(K8S_STATEFULSET, "shop", "ledger");
	p = k8s_detail_path(k, K8S_DETAIL_WORKLOAD);
	assert_string_equal(p, "/apis/apps/v1/namespaces/shop/statefulsets/ledger");
	free(p);
	k8s_detail_free(k);
}

/* The fixtures' payments: its two pods of nine, its three ReplicaSets of four, four events of five. */
static void
test_build_deployment(void **state)
{
	struct detail_data dd;
	const struct detail_k8s *k = &dd.k8s;

	(void)state;
	detail_data_init(&dd, 3600, 30);
	round_payments(&dd);
	assert_true(k->present);
	assert_string_equal(k->kind, "Deployment");
	assert_string_equal(k->ns, "shop");
	assert_string_equal(k->revision, "4");
	assert_int_equal(k->replicas, 3);
	assert_false(k->more_pods);
	assert_int_equal(k->npods, 2);
	/* the pod with a problem first */
	assert_string_equal(k->pods[0].name, "payments-6d9f8b7c5d-q7w4z");
	assert_string_equal(k->pods[0].reason, "CrashLoopBackOff");
	assert_string_equal(k->pods[0].last_exit, "OOMKilled"); /* the loop's cause */
	assert_string_equal(k->pods[0].revision, "4");
	assert_int_equal(k->pods[0].ready, 0);
	assert_int_equal(k->pods[0].restarts, 5);
	assert_string_equal(k->pods[1].name, "payments-7f6e5d4c3b-x2k9p");
	assert_string_equal(k->pods[1].revision, "3");
	assert_int_equal(k->pods[1].containers, 2);
	/* revisions newest first, listed out of order by the server */
	assert_int_equal(k->nrevs, 3);
	assert_string_equal(k->revs[0].revision, "4");
	assert_true(k->revs[0].current);
	assert_false(k->revs[0].rollback);
	assert_string_equal(k->revs[1].revision, "3");
	assert_true(k->revs[1].rollback);
	assert_false(k->revs[1].current);
	assert_string_equal(k->revs[2].revision, "2");
	assert_false(k->revs[2].rollback);
	/* events of the deployment and its pods, newest first; cart's stays out */
	assert_int_equal(k->nevents, 4);
	assert_string_equal(k->events[0].reason, "BackOff");
	assert_string_equal(k->events[0].object, "pod/payments-6d9f8b7c5d-q7w4z");
	assert_int_equal(k->events[0].count, 14);
	assert_string_equal(k->events[2].reason, "Scheduled");
	assert_string_equal(k->events[3].object, "deployment/payments");
	assert_true(k->events[0].last >= k->events[1].last);
	assert_true(k->events[1].last >= k->events[2].last);
	/* the header's rollout and deployment history */
	assert_string_equal(dd.update_state, "updating");
	assert_non_null(strstr(dd.update_message, "is progressing"));
	assert_string_equal(dd.tag, "1.4.2");
	assert_string_equal(dd.prev_image, "registry.example.com:5000/shop/payments:1.4.1");
	assert_string_equal(dd.prev_tag, "1.4.1");
	detail_data_done(&dd);
}

static void
test_build_statefulset(void **state)
{
	struct k8s_workload *w;
	struct k8s_pod *pods;
	struct k8s_event ev[3];
	struct detail_k8s out;
	size_t nw, np, len;
	char *body, *cont;
	struct err e;

	(void)state;
	body = fixture_file("statefulsets.json", &len);
	assert_int_equal(k8s_parse_workloads(200, body, len, K8S_STATEFULSET, &w, &nw, &cont, &e),
			 0);
	free(body);
	free(cont);
	body = fixture_file("pods.json", &len);
	assert_int_equal(k8s_parse_pods(200, body, len, &pods, &np, &cont, &e), 0);
	free(body);
	free(cont);
	memset(ev, 0, sizeof ev);
	ev[0] = (struct k8s_event){ "Warning", "Unhealthy",  "readiness probe failed",
				    "Pod",     "postgres-2", 1,
				    NOW - 10 };
	ev[1] = (struct k8s_event){ "Normal",        "Pulled", "pulled", "Pod",
				    "postgres-db-0", 1,        NOW - 20 };
	ev[2] = (struct k8s_event){ "Normal",      "SuccessfulCreate", "create Pod postgres-2",
				    "StatefulSet", "postgres",         1,
				    NOW - 30 };
	assert_string_equal(w[0].name, "postgres");
	k8s_detail_build(&w[0], pods, np, true, NULL, 0, ev, 3, &out);
	assert_string_equal(out.kind, "StatefulSet");
	assert_int_equal(out.npods, 1);
	assert_string_equal(out.pods[0].name, "postgres-0");
	assert_true(out.more_pods);
	/* mid-rollout: the update revision first, the current one marked */
	assert_int_equal(out.nrevs, 2);
	assert_string_equal(out.revs[0].revision, "7f8e9d0c1b");
	assert_string_equal(out.revs[0].name, "postgres-7f8e9d0c1b");
	assert_false(out.revs[0].current);
	assert_string_equal(out.revs[1].revision, "5c6d7e8f9a");
	assert_true(out.revs[1].current);
	assert_string_equal(out.revision, "5c6d7e8f9a");
	assert_string_equal(out.update_revision, "7f8e9d0c1b");
	/* postgres-2 (gone) is its pod, postgres-db-0 is not */
	assert_int_equal(out.nevents, 2);
	assert_string_equal(out.events[0].object, "pod/postgres-2");
	assert_string_equal(out.events[1].object, "statefulset/postgres");
	detail_data_k8s_done(&out);
	k8s_pods_free(pods, np);
	k8s_workloads_free(w, nw);
}

/* Events of pods already replaced count; names that only look alike do not; at most 50. */
static void
test_events_filter(void **state)
{
	struct k8s_workload w;
	struct k8s_replicaset rs[2];
	struct k8s_event ev[60];
	struct detail_k8s out;
	char names[60][64];
	size_t i;

	(void)state;
	memset(&w, 0, sizeof w);
	w.kind = K8S_DEPLOYMENT;
	w.ns = w.name = (char *)"payments";
	w.revision = (char *)"2";
	w.selector = w.image = w.version = w.uid = (char *)"";
	w.current_revision = w.update_revision = (char *)"";
	memset(rs, 0, sizeof rs);
	rs[0] = (struct k8s_replicaset){ "shop", "payments-abc12", "payments", "2",     "img:2", 1,
					 1,      NOW - 60,         "{}",       "abc12", "{}" };
	rs[1] = (struct k8s_replicaset){ "shop", "payments-db-xyz", "payments-db", "1",   "pg:1", 1,
					 1,      NOW - 60,          "{}",          "xyz", "{}" };
	for (i = 0; i < 60; i++) {
		snprintf(names[i], sizeof names[i], "%s-%02zu",
			 i % 3 == 0   ? "payments-abc12"
			 : i % 3 == 1 ? "payments-db-xyz"
				      : "paymentsabc12",
			 i);
		ev[i] = (struct k8s_event){ "Warning", "BackOff",      "m", "Pod", names[i],
					    1,         NOW - (double)i };
	}
	k8s_detail_build(&w, NULL, 0, false, rs, 2, ev, 20, &out);
	assert_int_equal(out.nevents, 7); /* i = 0, 3, ..., 18 */
	assert_string_equal(out.events[0].object, "pod/payments-abc12-00");
	assert_int_equal(out.nrevs, 1); /* payments-db's ReplicaSet is not ours */
	assert_false(out.revs[0].rollback);
	detail_data_k8s_done(&out);
	for (i = 0; i < 60; i++)
		ev[i].object_name = (char *)"payments-abc12-zz";
	k8s_detail_build(&w, NULL, 0, false, rs, 2, ev, 60, &out);
	assert_int_equal(out.nevents, K8S_DETAIL_MAX_EVENTS);
	detail_data_k8s_done(&out);
}

/* A failed events request keeps the last list and says why; a 404 fails the round. */
static void
test_failures(void **state)
{
	struct k8s_detail *k = k8s_detail_new(K8S_DEPLOYMENT, "shop", "payments");
	struct detail_data dd;
	struct err e;
	size_t len;
	char *body;

	(void)state;
	detail_data_init(&dd, 3600, 30);
	round_payments(&dd);
	assert_int_equal(dd.k8s.nevents, 4);
	k8s_detail_begin(k);
	assert_int_equal(take_file(k, K8S_DETAIL_WORKLOAD, "deployment_payments.json", false), 0);
	assert_int_equal(take_file(k, K8S_DETAIL_PODS, "pods.json", true), 0);
	assert_int_equal(take_file(k, K8S_DETAIL_REPLICASETS, "replicasets.json", false), 0);
	err_set(&e, ERR_TIMEOUT, "kubernetes: events: timed out");
	assert_false(k8s_detail_failed(k, K8S_DETAIL_EVENTS, &e));
	assert_true(k8s_detail_failed(k, K8S_DETAIL_PODS, &e));
	k8s_detail_fill(k, &dd);
	assert_int_equal(dd.k8s.nevents, 4);
	assert_int_equal(dd.k8s.events_err.code, ERR_TIMEOUT);
	assert_int_equal(dd.k8s.npods, 2);

	/* forbidden events: same */
	k8s_detail_begin(k);
	assert_int_equal(take_file(k, K8S_DETAIL_WORKLOAD, "deployment_payments.json", false), 0);
	body = fixture_file("status_forbidden.json", &len);
	assert_int_equal(k8s_detail_take(k, K8S_DETAIL_EVENTS, 403, body, len, &e), 0);
	free(body);
	k8s_detail_fill(k, &dd);
	assert_int_equal(dd.k8s.nevents, 4);
	assert_int_not_equal(dd.k8s.events_err.code, ERR_OK);

	/* the workload is gone: the round fails with the API server's words */
	k8s_detail_begin(k);
	body = fixture_file("status_not_found.json", &len);
	assert_int_equal(k8s_detail_take(k, K8S_DETAIL_WORKLOAD, 404, body, len, &e), -1);
	free(body);
	assert_non_null(strstr(e.msg, "not found"));
	k8s_detail_free(k);
	detail_data_done(&dd);
}

/* Open and close a k8s service with no connection: the round fails with a message. */
static void
test_poll_without_connection(void **state)
{
	struct detail_poll *p = detail_poll_new(NULL);
	struct detail_poll_settings s;
	unsigned long rt, st, mt;

	(void)state;
	memset(&s, 0, sizeof s);
	s.service = "payments";
	s.kind = "k8s";
	s.runtime_id = "shop/deployment/payments";
	s.context = CTX;
	s.docker = true; /* a runtime to ask, but no connection to ask it with */
	s.refresh_ms = 1000;
	detail_poll_open(p, &s);
	assert_true(detail_poll_tick(p, 1.0));
	detail_poll_rounds(p, &rt, &st, &mt);
	assert_int_equal(rt, 1);
	assert_int_equal(detail_poll_inflight(p), 0);
	assert_non_null(strstr(detail_poll_data(p)->runtime_err.msg, CTX));
	assert_false(detail_poll_tick(p, 1.5)); /* not due again yet; no stats round */
	detail_poll_close(p);
	detail_poll_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_80x24, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_160x40, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_rollout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_data_yet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_build_deployment),
		cmocka_unit_test(test_build_statefulset),
		cmocka_unit_test(test_events_filter),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_poll_without_connection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
