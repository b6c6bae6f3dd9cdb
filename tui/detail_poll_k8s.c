/*
 * The Service detail's runtime round for a Kubernetes workload: the
 * requests and what their answers become are tui/k8s_detail.c's; here
 * they go out through the context's connection (credentials first, a 401
 * that renewed credentials may cure makes the next round due at once)
 * and land in the poller's round.
 */
#include "detail_poll_internal.h"

#include <stdlib.h>
#include <string.h>

#include "k8s_endpoint.h"

bool
detail_poll_is_k8s(const struct detail_poll *p)
{
	return strcmp(p->kind, "k8s") == 0;
}

void
detail_poll_k8s_open(struct detail_poll *p)
{
	char ns[256], name[256];
	bool statefulset;

	detail_poll_k8s_close(p);
	if (!detail_poll_is_k8s(p) || p->s.k8s == NULL)
		return;
	if (!k8s_row_id_parse(p->runtime_id, ns, sizeof ns, &statefulset, name, sizeof name))
		return;
	p->k8s = k8s_detail_new(statefulset ? K8S_STATEFULSET : K8S_DEPLOYMENT, ns, name);
}

void
detail_poll_k8s_close(struct detail_poll *p)
{
	k8s_detail_free(p->k8s);
	p->k8s = NULL;
	p->k8s_http = NULL;
	p->k8s_retry = p->k8s_retried = false;
}

/* Submit r when it is asked this round. */
static void
submit(struct detail_poll *p, enum k8s_detail_req r)
{
	char *path = k8s_detail_path(p->k8s, r);
	struct dp_req *rq;

	if (path == NULL)
		return;
	p->k8s_http = k8s_endpoint_http(p->s.k8s);
	p->k8s_gen = k8s_endpoint_generation(p->s.k8s);
	rq = detail_poll_submit(p, R_RUNTIME, K_K8S, path);
	if (rq != NULL) {
		rq->k8s_req = (int)r;
		rq->gen = p->k8s_gen;
	}
}

bool
detail_poll_k8s_start_runtime(struct detail_poll *p, double wall)
{
	struct err e;

	p->k8s_retry = false;
	if (p->k8s == NULL) {
		err_set(&e, ERR_CONFIG,
			"kubernetes: no connection for context '%s' or no workload in id '%s'",
			p->context, p->runtime_id);
		detail_poll_fail_round(&p->r[R_RUNTIME], &e);
		return true;
	}
	switch (k8s_endpoint_credentials(p->s.k8s, wall, &e)) {
	case K8S_CRED_PENDING:
		k8s_endpoint_tick(p->s.k8s);
		return false;
	case K8S_CRED_FAILED:
		detail_poll_fail_round(&p->r[R_RUNTIME], &e);
		return true;
	case K8S_CRED_READY:
		break;
	}
	k8s_detail_begin(p->k8s);
	submit(p, K8S_DETAIL_WORKLOAD);
	submit(p, K8S_DETAIL_EVENTS);
	return true;
}

int
detail_poll_k8s_answer(struct detail_poll *p, const struct dp_req *rq,
		       const struct http_response *resp, struct err *e)
{
	enum k8s_detail_req r = (enum k8s_detail_req)rq->k8s_req;

	if (p->k8s == NULL)
		return 0;
	if (resp->err.code != ERR_OK) {
		*e = resp->err;
		return k8s_detail_failed(p->k8s, r, e) ? -1 : 0;
	}
	if (resp->status == 401 && k8s_endpoint_unauthorized(p->s.k8s, rq->gen) && !p->k8s_retried)
		p->k8s_retry = true;
	if (k8s_detail_take(p->k8s, r, resp->status, resp->body, resp->len, e) < 0)
		return -1;
	if (r == K8S_DETAIL_WORKLOAD) {
		/* The selector is known now: the pods and ReplicaSets of this round. */
		submit(p, K8S_DETAIL_PODS);
		submit(p, K8S_DETAIL_REPLICASETS);
	}
	return 0;
}

bool
detail_poll_k8s_finish_runtime(struct detail_poll *p)
{
	struct dp_round_state *r = &p->r[R_RUNTIME];

	if (r->failed) {
		if (p->k8s != NULL)
			k8s_detail_begin(p->k8s); /* drop the answers */
		if (p->k8s_retry) {
			/* New credentials are on their way: ask again now (once), say nothing yet. */
			r->next_due = 0;
			p->k8s_retry = false;
			p->k8s_retried = true;
			return false;
		}
		p->k8s_retried = false;
		p->d.runtime_err = r->err;
		return true;
	}
	p->k8s_retried = false;
	err_clear(&p->d.runtime_err);
	k8s_detail_fill(p->k8s, &p->d);
	p->d.have_runtime = true;
	return true;
}
