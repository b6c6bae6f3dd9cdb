/*
 * fuzz_k8s.c - libFuzzer harness for the Kubernetes parsers, the rollout
 * state, the rollback body, the paths and the allow-list.
 *
 * Every input is fed to the workload (both kinds), pod, ReplicaSet and
 * event parsers and to the Status error reader under the statuses the
 * API server and proxies answer with, and the results are checked for
 * the parsers' promises: empty output and a message naming kubernetes on
 * failure; on success strings never NULL, counts sums of their parts,
 * events newest first, a rollout state among the four.  The input is
 * also a Deployment for the rollback body (with the ReplicaSets it
 * parsed as, if any), a continue token and selector (whose list path the
 * allow-list must read), and a path.  The corpus holds the fixtures
 * verbatim, so `make test` re-checks them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "k8s.h"

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static void
check_err(const struct err *e)
{
	CHECK(e->code != ERR_OK);
	CHECK(memchr(e->msg, '\0', sizeof e->msg) != NULL);
	CHECK(strncmp(e->msg, "kubernetes: ", 12) == 0);
}

static void
workloads(long status, const char *body, size_t len, enum k8s_kind kind)
{
	struct k8s_workload *w;
	const char *st, *msg;
	struct err e;
	size_t n, i, k;
	char *cont;

	err_clear(&e);
	if (k8s_parse_workloads(status, body, len, kind, &w, &n, &cont, &e) < 0) {
		check_err(&e);
		CHECK(w == NULL && n == 0 && cont == NULL);
		return;
	}
	CHECK(status >= 200 && status <= 299 && w != NULL && cont != NULL);
	for (i = 0; i < n; i++) {
		CHECK(w[i].kind == kind);
		CHECK(w[i].ns && w[i].name && w[i].uid && w[i].image && w[i].version);
		CHECK(w[i].revision && w[i].selector);
		CHECK(w[i].current_revision && w[i].update_revision);
		CHECK(kind == K8S_STATEFULSET || w[i].current_revision[0] == '\0');
		CHECK(w[i].nconditions == 0 || w[i].conditions != NULL);
		for (k = 0; k < w[i].nconditions; k++)
			CHECK(w[i].conditions[k].type && w[i].conditions[k].status &&
			      w[i].conditions[k].reason && w[i].conditions[k].message);
		CHECK(w[i].rolled_out >= 0 && w[i].created >= 0);
		msg = NULL;
		st = k8s_rollout_state(&w[i], &msg);
		CHECK(strcmp(st, "updating") == 0 || strcmp(st, "paused") == 0 ||
		      strcmp(st, "failed") == 0 || strcmp(st, "completed") == 0);
		CHECK(msg == NULL || msg[0] != '\0');
	}
	k8s_workloads_free(w, n);
	free(cont);
}

static void
pods(long status, const char *body, size_t len)
{
	struct k8s_pod *p;
	struct err e;
	size_t n, i, k;
	long ready, restarts;
	char *cont;

	err_clear(&e);
	if (k8s_parse_pods(status, body, len, &p, &n, &cont, &e) < 0) {
		check_err(&e);
		CHECK(p == NULL && n == 0 && cont == NULL);
		return;
	}
	for (i = 0; i < n; i++) {
		CHECK(p[i].ns && p[i].name && p[i].phase && p[i].node && p[i].owner_kind);
		CHECK(p[i].owner_name && p[i].pod_template_hash && p[i].reason);
		ready = restarts = 0;
		for (k = 0; k < p[i].ncontainers; k++) {
			const struct k8s_container *c = &p[i].containers[k];

			CHECK(c->name && c->waiting_reason && c->last_term_reason && c->image);
			ready += c->ready;
			restarts += c->restarts;
		}
		CHECK(ready == p[i].ready_containers);
		CHECK(restarts == p[i].restarts);
	}
	k8s_pods_free(p, n);
	free(cont);
}

static void
replicasets(long status, const char *body, size_t len)
{
	struct k8s_replicaset *r;
	struct err e;
	size_t n, i;
	char *cont, *patch, *to;

	err_clear(&e);
	if (k8s_parse_replicasets(status, body, len, &r, &n, &cont, &e) < 0) {
		check_err(&e);
		CHECK(r == NULL && n == 0 && cont == NULL);
		return;
	}
	for (i = 0; i < n; i++) {
		CHECK(r[i].ns && r[i].name && r[i].owner_name && r[i].revision && r[i].images);
		CHECK(r[i].template_json && r[i].pod_template_hash && r[i].annotations_json);
	}
	/* the same bytes as the Deployment: whatever comes back is a JSON patch of two */
	err_clear(&e);
	patch = k8s_rollback_body(body, len, r, n, &to, &e);
	if (patch == NULL) {
		check_err(&e);
		CHECK(to == NULL);
	} else {
		CHECK(strncmp(patch, "[{\"op\":\"replace\",\"path\":\"/spec/template\"", 40) == 0);
		CHECK(to != NULL && to[0] != '\0');
		free(patch);
		free(to);
	}
	k8s_replicasets_free(r, n);
	free(cont);
}

static void
events(long status, const char *body, size_t len)
{
	struct k8s_event *ev;
	struct err e;
	size_t n, i;

	err_clear(&e);
	if (k8s_parse_events(status, body, len, &ev, &n, &e) < 0) {
		check_err(&e);
		CHECK(ev == NULL && n == 0);
		return;
	}
	for (i = 0; i < n; i++) {
		CHECK(ev[i].type && ev[i].reason && ev[i].message && ev[i].object_kind);
		CHECK(ev[i].object_name && ev[i].count >= 1);
		CHECK(i == 0 || ev[i - 1].last >= ev[i].last);
	}
	k8s_events_free(ev, n);
}

static void
paths(const char *s)
{
	char *p;

	p = k8s_list_path("v1", "pods", "shop", 500, s, s);
	CHECK(k8s_is_read(HTTP_GET, p));
	CHECK(!k8s_is_read(HTTP_PATCH, p));
	free(p);
	p = k8s_events_path("shop", s);
	CHECK(k8s_is_read(HTTP_GET, p));
	free(p);
	p = k8s_scale_path(K8S_DEPLOYMENT, s, s);
	CHECK(p != NULL && strncmp(p, "/apis/apps/v1/", 14) == 0);
	free(p);
	(void)k8s_is_read(HTTP_GET, s);
	CHECK(!k8s_is_read(HTTP_POST, s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 401, 403, 404, 409, 502 };
	/* an exact-size copy, so reading past len is caught */
	char *body = malloc(size ? size : 1);
	char *str = malloc(size + 1);
	struct err e;
	size_t i;

	if (size > 0)
		memcpy(body, data, size);
	memcpy(str, data, size);
	str[size] = '\0';
	for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		workloads(statuses[i], body, size, K8S_DEPLOYMENT);
		workloads(statuses[i], body, size, K8S_STATEFULSET);
		pods(statuses[i], body, size);
		replicasets(statuses[i], body, size);
		events(statuses[i], body, size);
		err_clear(&e);
		CHECK(k8s_parse_status_error(statuses[i], body, size, &e) == -1);
		check_err(&e);
		CHECK((statuses[i] == 401 || statuses[i] == 403) == (e.code == ERR_AUTH));
	}
	paths(str);
	free(str);
	free(body);
	return 0;
}
