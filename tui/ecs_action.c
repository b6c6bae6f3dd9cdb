/*
 * ecs_action.c - scale, restart and rollback of an ECS service; see
 * ecs_action.h.
 *
 * Each step is one request.  A step that cannot go out yet (the
 * credential_process or AssumeRole is under way) is marked waiting and
 * sent by ecs_action_tick() once the credentials are there.
 */
#include "ecs_action.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs.h"
#include "poller.h"
#include "xalloc.h"

enum estep { ES_DESCRIBE, ES_LIST_TD, ES_UPDATE };

struct ecs_action {
	struct http *http;
	struct ecs_endpoint *x; /* borrowed */
	char service[256];
	enum op_kind op;
	long replicas;
	char expect_from[256], expect_to[256];
	docker_action_done_fn done;
	void *ud;
	enum estep step;
	bool waiting; /* the step waits for credentials */
	bool busy;    /* its request is in flight: free after the answer */
	bool cancelled;
	bool retried; /* the step was sent again after an "expired" answer */
	unsigned gen; /* the credentials' generation it was sent with */
	int attempts; /* UpdateServices sent */
	/* rollback */
	struct ecs_service *svc; /* as described */
	size_t nsvc;
	char **arns; /* the family's revisions so far */
	size_t narns;
	char *token;  /* ListTaskDefinitions' next page */
	char *target; /* the task definition to go to (ARN) */
};

static void
action_free(struct ecs_action *a)
{
	ecs_services_free(a->svc, a->nsvc);
	ecs_arns_free(a->arns, a->narns);
	free(a->token);
	free(a->target);
	free(a);
}

static void
finish(struct ecs_action *a, struct docker_action_result *r)
{
	r->attempts = a->attempts;
	if (!a->cancelled)
		a->done(a->ud, r);
	action_free(a);
}

static void
finish_err(struct ecs_action *a, const struct err *e, bool unknown)
{
	struct docker_action_result r;

	memset(&r, 0, sizeof r);
	r.err = *e;
	r.unknown = unknown;
	finish(a, &r);
}

static void on_answer(void *ud, const struct http_response *resp);

/* new: the current step's operation (*op) and body. */
static char *
step_body(const struct ecs_action *a, const char **op)
{
	const char *cluster = ecs_endpoint_cluster(a->x);
	const char *one[1];
	char *family, *colon;
	char *body;

	switch (a->step) {
	case ES_DESCRIBE:
		*op = "DescribeServices";
		one[0] = a->service;
		return ecs_describe_services_body(cluster, one, 1);
	case ES_LIST_TD:
		*op = "ListTaskDefinitions";
		family = xstrdup(a->svc[0].family_revision);
		colon = strchr(family, ':');
		if (colon != NULL)
			*colon = '\0';
		body = ecs_list_task_definitions_body(family, a->token);
		free(family);
		return body;
	default:
		*op = "UpdateService";
		if (a->op == OP_SCALE)
			return ecs_update_scale_body(cluster, a->service, a->replicas);
		if (a->op == OP_RESTART)
			return ecs_update_restart_body(cluster, a->service);
		return ecs_update_task_definition_body(cluster, a->service, a->target);
	}
}

/* Send the current step, or mark it waiting for credentials.  -1 with e on failure. */
static int
send_step(struct ecs_action *a, struct err *e)
{
	const char *op = "";
	char *body;
	int rc;

	switch (ecs_endpoint_credentials(a->x, a->http, poller_wall_now(), e)) {
	case ECS_CRED_PENDING:
		a->waiting = true;
		return 0;
	case ECS_CRED_FAILED:
		return -1;
	default:
		break;
	}
	a->waiting = false;
	body = step_body(a, &op);
	if (body == NULL)
		return err_set(e, ERR_BACKEND, "ecs: cannot build the %s request for %s", op,
			       a->service);
	a->gen = ecs_endpoint_generation(a->x);
	rc = ecs_endpoint_submit(a->x, a->http, op, body, on_answer, a, e);
	free(body);
	if (rc < 0)
		return -1;
	a->busy = true;
	if (a->step == ES_UPDATE)
		a->attempts++;
	return 0;
}

static int
next_step(struct ecs_action *a, enum estep step, struct err *e)
{
	a->step = step;
	a->retried = false;
	return send_step(a, e);
}

/* Rollback, after DescribeServices: what runs now, checked against the confirmation. */
static int
took_service(struct ecs_action *a, const struct http_response *resp, struct err *e)
{
	bool thr = false;

	if (ecs_parse_services(resp->status, resp->body, resp->len, &a->svc, &a->nsvc, &thr, e) < 0)
		return -1;
	if (a->nsvc != 1 || strcmp(a->svc[0].status, "INACTIVE") == 0)
		return err_set(e, ERR_BACKEND, "ecs: service %s is not in cluster '%s'", a->service,
			       ecs_endpoint_context(a->x));
	if (strchr(a->svc[0].family_revision, ':') == NULL)
		return err_set(e, ERR_BACKEND,
			       "ecs: service %s has no task definition to roll back from",
			       a->service);
	if (a->expect_from[0] != '\0' && strcmp(a->svc[0].family_revision, a->expect_from) != 0)
		return err_set(e, ERR_USAGE,
			       "%s now runs %s, not %s as confirmed — nothing was changed; press B "
			       "again to see the new rollback",
			       a->service, a->svc[0].family_revision, a->expect_from);
	return next_step(a, ES_LIST_TD, e);
}

/* Rollback, after a page of the family's revisions: the target, or the next page. */
static int
took_revisions(struct ecs_action *a, const struct http_response *resp, struct err *e)
{
	char **arns = NULL, *next = NULL, *fr;
	bool thr = false;
	size_t n = 0;
	struct err pe;

	if (ecs_parse_arns(resp->status, resp->body, resp->len, &arns, &n, &next, &thr, e) < 0)
		return -1;
	a->arns = xrealloc(a->arns, (a->narns + n + 1) * sizeof *a->arns);
	memcpy(a->arns + a->narns, arns, n * sizeof *arns);
	a->narns += n;
	free(arns);
	free(a->token);
	a->token = next;
	a->target = ecs_previous_task_definition(&a->svc[0], a->arns, a->narns, &pe);
	if (a->target == NULL) {
		/* Newest first: a later page may still hold it. */
		if (a->token != NULL && a->token[0] != '\0')
			return next_step(a, ES_LIST_TD, e);
		*e = pe;
		return -1;
	}
	fr = ecs_family_revision(a->target);
	if (a->expect_to[0] != '\0' && strchr(a->expect_to, ':') != NULL && fr != NULL &&
	    strcmp(fr, a->expect_to) != 0) {
		err_set(e, ERR_USAGE,
			"%s: the previous ACTIVE revision is now %s, not %s as confirmed — nothing "
			"was changed; press B again",
			a->service, fr, a->expect_to);
		free(fr);
		return -1;
	}
	free(fr);
	return next_step(a, ES_UPDATE, e);
}

static void
on_answer(void *ud, const struct http_response *resp)
{
	struct ecs_action *a = ud;
	struct docker_action_result r;
	bool thr = false;
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
		/* An UpdateService may have reached ECS: never guess, never retry. */
		finish_err(a, &resp->err, a->step == ES_UPDATE && resp->err.code == ERR_TIMEOUT);
		return;
	}
	if (resp->status / 100 != 2 && !a->retried &&
	    ecs_endpoint_expired(a->x, a->gen, resp->status, resp->body, resp->len)) {
		/* Refused, so not applied: renewed credentials, then once more. */
		a->retried = true;
		if (send_step(a, &e) < 0)
			finish_err(a, &e, false);
		return;
	}
	if (resp->status / 100 != 2) {
		ecs_parse_error(resp->status, resp->body, resp->len, &thr, &e);
		if (thr) {
			char msg[ERR_MSG_MAX];

			snprintf(msg, sizeof msg, "%s", e.msg);
			err_set(&e, e.code,
				"%.400s — AWS throttled the request, nothing changed; try again in "
				"a "
				"moment",
				msg);
		}
		finish_err(a, &e, false);
		return;
	}
	switch (a->step) {
	case ES_DESCRIBE:
		if (took_service(a, resp, &e) < 0)
			finish_err(a, &e, false);
		return;
	case ES_LIST_TD:
		if (took_revisions(a, resp, &e) < 0)
			finish_err(a, &e, false);
		return;
	default:
		r.ok = true;
		finish(a, &r);
		return;
	}
}

struct ecs_action *
ecs_action_start(struct http *http, struct ecs_endpoint *x, const char *service, enum op_kind op,
		 long replicas, const char *expect_from, const char *expect_to,
		 docker_action_done_fn done, void *ud, struct err *e)
{
	struct ecs_action *a;

	if (service == NULL || service[0] == '\0' || strlen(service) >= sizeof a->service) {
		err_set(e, ERR_USAGE, "ecs: '%.200s' is not a service of this console",
			service != NULL ? service : "");
		return NULL;
	}
	a = xcalloc(1, sizeof *a);
	snprintf(a->service, sizeof a->service, "%s", service);
	snprintf(a->expect_from, sizeof a->expect_from, "%s", expect_from ? expect_from : "");
	snprintf(a->expect_to, sizeof a->expect_to, "%s", expect_to ? expect_to : "");
	a->http = http;
	a->x = x;
	a->op = op;
	a->replicas = replicas;
	a->done = done;
	a->ud = ud;
	a->step = op == OP_ROLLBACK ? ES_DESCRIBE : ES_UPDATE;
	if (send_step(a, e) < 0) {
		action_free(a);
		return NULL;
	}
	return a;
}

bool
ecs_action_tick(struct ecs_action *a)
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
ecs_action_cancel(struct ecs_action *a)
{
	if (a == NULL)
		return;
	if (a->busy)
		a->cancelled = true; /* freed when its request answers */
	else
		action_free(a);
}

void
ecs_action_abandon(struct ecs_action *a)
{
	if (a != NULL)
		action_free(a);
}
