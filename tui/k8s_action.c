/*
 * k8s_action.c - scale, restart and rollback of a Kubernetes workload; see
 * k8s_action.h.
 *
 * Each step is one request.  A step that cannot go out yet (the exec
 * plugin is fetching a token, or renewing one after a 401) is marked
 * waiting and sent by k8s_action_tick() once the credentials are there.
 */
#include "k8s_action.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s.h"
#include "poller.h"
#include "xalloc.h"

enum kstep { KS_GET, KS_LIST_RS, KS_PATCH };

struct k8s_action {
	struct http *http;
	struct k8s_endpoint *k; /* borrowed */
	char ns[256], name[256];
	bool sts;
	enum op_kind op;
	long replicas;
	docker_action_done_fn done;
	void *ud;
	enum kstep step;
	bool waiting; /* the step waits for credentials */
	bool busy;    /* its request is in flight: free after the answer */
	bool cancelled;
	bool retried;   /* the step was sent again after a 401 */
	unsigned gen;   /* the credentials' generation it was sent with */
	int attempts;   /* PATCHes sent */
	char *dep_json; /* rollback: the Deployment as read */
	size_t dep_len;
	char *selector; /* rollback: its labelSelector */
	char *body;     /* the PATCH's body */
	const char *ctype;
};

static void
action_free(struct k8s_action *a)
{
	free(a->dep_json);
	free(a->selector);
	free(a->body);
	free(a);
}

static void
finish(struct k8s_action *a, struct docker_action_result *r)
{
	r->attempts = a->attempts;
	if (!a->cancelled)
		a->done(a->ud, r);
	action_free(a);
}

static void
finish_err(struct k8s_action *a, const struct err *e, bool unknown)
{
	struct docker_action_result r;

	memset(&r, 0, sizeof r);
	r.err = *e;
	r.unknown = unknown;
	finish(a, &r);
}

int
k8s_action_refuse_rollback(const char *name, struct err *e)
{
	return err_set(e, ERR_USAGE,
		       "%s: opsdeck rolls back Deployments only; for a StatefulSet run `kubectl "
		       "rollout undo statefulset/%s` (it picks the ControllerRevision)",
		       name, name);
}

static void on_answer(void *ud, const struct http_response *resp);

/* Send the current step, or mark it waiting for credentials.  -1 with e on failure. */
static int
send_step(struct k8s_action *a, struct err *e)
{
	enum k8s_kind kind = a->sts ? K8S_STATEFULSET : K8S_DEPLOYMENT;
	struct http_endpoint ep;
	const char *hdrs[1];
	enum http_method method = HTTP_GET;
	char *path;
	int rc;

	switch (k8s_endpoint_credentials(a->k, poller_wall_now(), e)) {
	case K8S_CRED_PENDING:
		a->waiting = true;
		return 0;
	case K8S_CRED_FAILED:
		return -1;
	default:
		break;
	}
	a->waiting = false;
	ep = *k8s_endpoint_http(a->k);
	switch (a->step) {
	case KS_GET:
		path = k8s_object_path(kind, a->ns, a->name);
		break;
	case KS_LIST_RS:
		path = k8s_list_path("apps/v1", "replicasets", a->ns, 500, NULL, a->selector);
		break;
	default:
		path = a->op == OP_SCALE ? k8s_scale_path(kind, a->ns, a->name)
					 : k8s_object_path(kind, a->ns, a->name);
		method = HTTP_PATCH;
		/* The patch's kind goes in Content-Type: http.c then adds no other. */
		hdrs[0] = a->ctype;
		ep.headers = hdrs;
		ep.nheaders = 1;
		break;
	}
	a->gen = k8s_endpoint_generation(a->k);
	rc = http_submit(a->http, &ep, method, path, method == HTTP_PATCH ? a->body : NULL,
			 method == HTTP_GET, on_answer, a, e);
	free(path);
	if (rc < 0)
		return -1;
	a->busy = true;
	if (method == HTTP_PATCH)
		a->attempts++;
	return 0;
}

/* The next step; -1 with e when it cannot be sent. */
static int
next_step(struct k8s_action *a, enum kstep step, struct err *e)
{
	a->step = step;
	a->retried = false;
	return send_step(a, e);
}

/* Rollback, after the GET: the Deployment's selector. */
static int
took_deployment(struct k8s_action *a, const struct http_response *resp, struct err *e)
{
	struct k8s_workload *w = NULL;
	size_t n = 0;
	char *cont = NULL;

	if (k8s_parse_workloads(resp->status, resp->body, resp->len, K8S_DEPLOYMENT, &w, &n, &cont,
				e) < 0)
		return -1;
	free(cont);
	if (n != 1 || w[0].selector[0] == '\0') {
		k8s_workloads_free(w, n);
		return err_set(e, ERR_BACKEND,
			       "kubernetes: deployment %s/%s has no label selector to find its "
			       "ReplicaSets by",
			       a->ns, a->name);
	}
	a->selector = xstrdup(w[0].selector);
	k8s_workloads_free(w, n);
	a->dep_json = xstrndup(resp->body, resp->len);
	a->dep_len = resp->len;
	return next_step(a, KS_LIST_RS, e);
}

/* Rollback, after the ReplicaSets: the patch that takes the previous revision's template. */
static int
took_replicasets(struct k8s_action *a, const struct http_response *resp, struct err *e)
{
	struct k8s_replicaset *rs = NULL;
	size_t n = 0, i, m = 0;
	char *cont = NULL, *to = NULL;

	if (k8s_parse_replicasets(resp->status, resp->body, resp->len, &rs, &n, &cont, e) < 0)
		return -1;
	free(cont);
	/* The selector may match another's ReplicaSets too: keep this Deployment's. */
	for (i = 0; i < n; i++) {
		if (strcmp(rs[i].owner_name, a->name) != 0)
			continue;
		if (m != i) {
			struct k8s_replicaset t = rs[m];

			rs[m] = rs[i];
			rs[i] = t;
		}
		m++;
	}
	a->body = k8s_rollback_body(a->dep_json, a->dep_len, rs, m, &to, e);
	k8s_replicasets_free(rs, n);
	free(to);
	if (a->body == NULL)
		return -1;
	a->ctype = "Content-Type: application/json-patch+json";
	return next_step(a, KS_PATCH, e);
}

static void
on_answer(void *ud, const struct http_response *resp)
{
	struct k8s_action *a = ud;
	struct docker_action_result r;
	struct err e;

	a->busy = false;
	memset(&r, 0, sizeof r);
	err_clear(&r.err);
	err_clear(&e);
	if (a->cancelled) {
		finish(a, &r);
		return;
	}
	if (resp->err.code != ERR_OK) {
		/* A PATCH may have reached the server: never guess, never retry. */
		finish_err(a, &resp->err, a->step == KS_PATCH && resp->err.code == ERR_TIMEOUT);
		return;
	}
	if (resp->status == 401 && !a->retried && k8s_endpoint_unauthorized(a->k, a->gen)) {
		/* Rejected, so not applied: renewed credentials, then once more. */
		a->retried = true;
		if (send_step(a, &e) < 0)
			finish_err(a, &e, false);
		return;
	}
	if (resp->status / 100 != 2) {
		k8s_parse_status_error(resp->status, resp->body, resp->len, &e);
		finish_err(a, &e, false);
		return;
	}
	switch (a->step) {
	case KS_GET:
		if (took_deployment(a, resp, &e) < 0)
			finish_err(a, &e, false);
		return;
	case KS_LIST_RS:
		if (took_replicasets(a, resp, &e) < 0)
			finish_err(a, &e, false);
		return;
	default:
		r.ok = true;
		finish(a, &r);
		return;
	}
}

struct k8s_action *
k8s_action_start(struct http *http, struct k8s_endpoint *k, const char *id, enum op_kind op,
		 long replicas, docker_action_done_fn done, void *ud, struct err *e)
{
	struct k8s_action *a = xcalloc(1, sizeof *a);

	if (!k8s_row_id_parse(id, a->ns, sizeof a->ns, &a->sts, a->name, sizeof a->name)) {
		err_set(e, ERR_USAGE, "kubernetes: '%.200s' is not a workload of this console", id);
		action_free(a);
		return NULL;
	}
	if (op == OP_ROLLBACK && a->sts) {
		k8s_action_refuse_rollback(a->name, e);
		action_free(a);
		return NULL;
	}
	a->http = http;
	a->k = k;
	a->op = op;
	a->replicas = replicas;
	a->done = done;
	a->ud = ud;
	switch (op) {
	case OP_SCALE:
		a->body = k8s_scale_body(replicas);
		a->ctype = "Content-Type: application/merge-patch+json";
		a->step = KS_PATCH;
		break;
	case OP_RESTART:
		a->body = k8s_restart_body(poller_wall_now());
		a->ctype = "Content-Type: application/strategic-merge-patch+json";
		a->step = KS_PATCH;
		break;
	default:
		a->step = KS_GET;
		break;
	}
	if (send_step(a, e) < 0) {
		action_free(a);
		return NULL;
	}
	return a;
}

bool
k8s_action_tick(struct k8s_action *a)
{
	struct err e;

	if (a == NULL || !a->waiting || a->busy)
		return false;
	err_clear(&e);
	if (send_step(a, &e) < 0) {
		finish_err(a, &e, false);
		return true;
	}
	return !a->waiting;
}

void
k8s_action_cancel(struct k8s_action *a)
{
	if (a == NULL)
		return;
	if (a->busy)
		a->cancelled = true; /* freed when its request answers */
	else
		action_free(a);
}

void
k8s_action_abandon(struct k8s_action *a)
{
	if (a != NULL)
		action_free(a);
}
