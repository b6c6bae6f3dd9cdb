/*
 * The Service detail's runtime round for an Amazon ECS service: the calls
 * and what their answers become are tui/ecs_detail.c's; here they go out
 * through the cluster's signed connection (credentials first, an answer
 * saying they expired makes the next round due at once with new ones)
 * and land in the poller's round.  While ECS throttles, each round waits
 * twice as long as the one before, up to a minute, and the first round
 * that is not throttled brings the refresh back.
 */
#include "detail_poll_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs_endpoint.h"
#include "poller.h"

#define BACKOFF_MAX 60.0 /* seconds a throttled detail waits at most between rounds */

bool
detail_poll_is_ecs(const struct detail_poll *p)
{
	return strcmp(p->kind, "ecs") == 0;
}

void
detail_poll_ecs_open(struct detail_poll *p)
{
	char cluster[512], service[512];

	detail_poll_ecs_close(p);
	if (!detail_poll_is_ecs(p) || p->s.ecs == NULL)
		return;
	if (!ecs_row_id_parse(p->runtime_id, cluster, sizeof cluster, service, sizeof service))
		snprintf(service, sizeof service, "%s", p->runtime_name);
	/* The cluster as configured (a name or an ARN): what the Overview's requests name. */
	p->ecs = ecs_detail_new(ecs_endpoint_cluster(p->s.ecs), service);
}

void
detail_poll_ecs_close(struct detail_poll *p)
{
	ecs_detail_free(p->ecs);
	p->ecs = NULL;
	p->ecs_retry = p->ecs_retried = false;
	p->ecs_backoff = 0;
}

/* Send every call the round asks for now. */
static void
submit_calls(struct detail_poll *p)
{
	struct ecs_detail_call c;
	struct ecs_request req;
	struct dp_req *rq;

	while (ecs_detail_next(p->ecs, &c)) {
		ecs_endpoint_request(p->s.ecs, c.operation, &req);
		rq = detail_poll_submit_to(p, R_RUNTIME, K_ECS, &req.ep, HTTP_POST, "/", c.body);
		if (rq != NULL) {
			rq->ecs_req = (int)c.req;
			rq->ecs_tag = c.tag;
			rq->gen = ecs_endpoint_generation(p->s.ecs);
		}
		free(c.body);
	}
}

bool
detail_poll_ecs_start_runtime(struct detail_poll *p, double wall)
{
	struct err e;

	p->ecs_retry = false;
	if (p->ecs == NULL) {
		err_set(&e, ERR_CONFIG,
			"ecs: no connection for cluster '%s' or no service in id '%s' (is the "
			"cluster in [ecs] cluster?)",
			p->context, p->runtime_id);
		detail_poll_fail_round(&p->r[R_RUNTIME], &e);
		return true;
	}
	switch (ecs_endpoint_credentials(p->s.ecs, p->http, wall, &e)) {
	case ECS_CRED_PENDING:
		ecs_endpoint_tick(p->s.ecs);
		return false;
	case ECS_CRED_FAILED:
		detail_poll_fail_round(&p->r[R_RUNTIME], &e);
		return true;
	case ECS_CRED_READY:
		break;
	}
	ecs_detail_begin(p->ecs);
	submit_calls(p);
	return true;
}

int
detail_poll_ecs_answer(struct detail_poll *p, const struct dp_req *rq,
		       const struct http_response *resp, struct err *e)
{
	enum ecs_detail_req r = (enum ecs_detail_req)rq->ecs_req;
	int rc;

	if (p->ecs == NULL)
		return 0;
	if (resp->err.code != ERR_OK) {
		*e = resp->err;
		return ecs_detail_failed(p->ecs, r, rq->ecs_tag, e) ? -1 : 0;
	}
	if (resp->status >= 400 && !p->ecs_retried &&
	    ecs_endpoint_expired(p->s.ecs, rq->gen, resp->status, resp->body, resp->len))
		p->ecs_retry = true;
	rc = ecs_detail_take(p->ecs, r, rq->ecs_tag, resp->status, resp->body, resp->len, e);
	submit_calls(p); /* what this answer asks for next */
	return rc;
}

bool
detail_poll_ecs_finish_runtime(struct detail_poll *p, double mono)
{
	struct dp_round_state *r = &p->r[R_RUNTIME];
	double refresh = (double)p->s.refresh_ms / 1000.0;

	if (p->ecs != NULL && ecs_detail_throttled(p->ecs)) {
		p->ecs_backoff = p->ecs_backoff > 0 ? 2 * p->ecs_backoff : refresh;
		if (refresh + p->ecs_backoff > BACKOFF_MAX)
			p->ecs_backoff = BACKOFF_MAX - refresh > 0 ? BACKOFF_MAX - refresh : 0;
		r->next_due = mono + refresh + p->ecs_backoff;
	} else {
		p->ecs_backoff = 0;
	}
	if (r->failed) {
		if (p->ecs != NULL)
			ecs_detail_begin(p->ecs); /* drop the answers */
		if (p->ecs_retry) {
			/* New credentials are on their way: ask again now (once), say nothing yet. */
			r->next_due = 0;
			p->ecs_retry = false;
			p->ecs_retried = true;
			return false;
		}
		p->ecs_retried = false;
		p->d.runtime_err = r->err;
		return true;
	}
	p->ecs_retried = false;
	err_clear(&p->d.runtime_err);
	ecs_detail_fill(p->ecs, &p->d, poller_wall_now());
	p->d.have_runtime = true;
	return true;
}
