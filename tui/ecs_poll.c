/*
 * ecs_poll.c - one ECS cluster's rounds: ListServices pages, then
 * DescribeServices batches, then the rollback targets of new task
 * definitions, into runtime rows; see ecs_poll.h.
 *
 * A round is a queue of jobs.  ListServices is a chain (each page names
 * the next); its last page puts the DescribeServices batches in the queue,
 * and each batch's answer the task definition lookups it needs.  At most
 * ECS_CONCURRENCY jobs are in flight, one while AWS throttles; a throttled
 * job goes back to the front of the queue and nothing is sent before the
 * wait is over.  The round is complete when the queue is empty and
 * nothing is in flight; only then do its services become rows.
 */
#include "ecs_poll.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs.h"
#include "poller.h"
#include "xalloc.h"

enum job_kind { J_LIST, J_DESCRIBE, J_TD };

struct job {
	struct job *next;
	struct ecs_poll *p;
	enum job_kind kind;
	unsigned long round_id;
	char *token;    /* J_LIST: the nextToken it asks for ("" = the first page) */
	size_t from, n; /* J_DESCRIBE: arns[from .. from + n) */
	size_t td;      /* J_TD: its entry in p->td */
	unsigned gen;   /* the credentials' generation it was sent with */
	bool retried;   /* sent again after an "expired" answer */
};

/* A rollback target: the previous ACTIVE revision of a task definition's family. */
struct td_entry {
	char *arn;      /* the service's task definition (ARN) */
	char *family;   /* its family */
	char *previous; /* "orders:40"; NULL none or not known yet */
	double fetched; /* monotonic seconds of the answer; 0 never */
	bool pending;   /* a lookup is queued or in flight */
	bool used;      /* a service of the last round runs it */
};

struct ecs_poll {
	struct http *http;
	struct model *model;
	struct ecs_poll_settings s;
	double next_due;
	unsigned long round_id, rounds, requests;
	bool in_round;
	double round_wall; /* when the round's first request left */
	bool failed;
	struct err err;
	long latency_ms;
	struct job *queue;       /* waiting to be sent, in order */
	struct job *outstanding; /* sent, not answered */
	int inflight;
	double hold_until; /* monotonic: throttled, nothing leaves before */
	double backoff;    /* seconds of the last wait; 0 = not throttled */
	bool one_at_a_time;
	size_t lookups; /* task definition lookups queued this round */
	char **arns;    /* this round's service ARNs */
	size_t narns;
	struct ecs_service *svcs; /* this round's services */
	size_t nsvcs;
	struct td_entry *td;
	size_t ntd;
};

struct ecs_poll *
ecs_poll_new(struct http *http, struct model *model, const struct ecs_poll_settings *s)
{
	struct ecs_poll *p = xcalloc(1, sizeof *p);

	p->http = http;
	p->model = model;
	p->s = *s;
	if (p->s.refresh_ms < 100)
		p->s.refresh_ms = 100;
	model_backend(model, ecs_endpoint_backend(s->ep));
	return p;
}

static void
job_free(struct job *j)
{
	free(j->token);
	free(j);
}

static void
free_jobs(struct job *j)
{
	struct job *next;

	for (; j != NULL; j = next) {
		next = j->next;
		job_free(j);
	}
}

static void
drop_round(struct ecs_poll *p)
{
	ecs_arns_free(p->arns, p->narns);
	p->arns = NULL;
	p->narns = 0;
	ecs_services_free(p->svcs, p->nsvcs);
	p->svcs = NULL;
	p->nsvcs = 0;
	free_jobs(p->queue);
	p->queue = NULL;
}

void
ecs_poll_free(struct ecs_poll *p)
{
	size_t i;

	if (p == NULL)
		return;
	/* Called before http_free(), which cancels the requests without their callbacks. */
	free_jobs(p->outstanding);
	drop_round(p);
	for (i = 0; i < p->ntd; i++) {
		free(p->td[i].arn);
		free(p->td[i].family);
		free(p->td[i].previous);
	}
	free(p->td);
	free(p);
}

/* ---- rows ------------------------------------------------------------------- */

static const char *
display(const struct ecs_poll *p, const char *name)
{
	const char *d = p->s.display_name ? p->s.display_name(p->s.ud, name) : NULL;

	return d != NULL ? d : name;
}

/* new: the row's name: aliased, qualified by the cluster when another runtime shows it. */
static char *
row_name(struct ecs_poll *p, const struct ecs_service *svc)
{
	const char *ctx = ecs_endpoint_context(p->s.ep);
	char *name = xstrdup(display(p, svc->name));
	struct service *s = model_service(p->model, name, false);

	if (s != NULL && s->rt.present && s->rt.context != NULL &&
	    (strcmp(s->rt.context, ctx) != 0 || s->rt.kind == NULL ||
	     strcmp(s->rt.kind, "ecs") != 0)) {
		char *q = xasprintf("%s@%s", name, ctx);

		free(name);
		name = q;
	}
	return name;
}

static const struct td_entry *
td_find(const struct ecs_poll *p, const char *arn)
{
	size_t i;

	for (i = 0; i < p->ntd; i++)
		if (strcmp(p->td[i].arn, arn) == 0)
			return &p->td[i];
	return NULL;
}

/* Forget the rollback targets of task definitions no service runs any more. */
static void
td_prune(struct ecs_poll *p)
{
	size_t i, m = 0;

	for (i = 0; i < p->ntd; i++) {
		if (p->td[i].used || p->td[i].pending) {
			p->td[i].used = false;
			p->td[m++] = p->td[i];
			continue;
		}
		free(p->td[i].arn);
		free(p->td[i].family);
		free(p->td[i].previous);
	}
	p->ntd = m;
}

/* Fill r from svc; *msg gets a message r points to (new, or NULL). */
static void
fill_row(struct ecs_poll *p, const struct ecs_service *svc, struct runtime_row *r, char **msg)
{
	const struct ecs_deployment *primary =
		svc->ndeployments > 0 && strcmp(svc->deployments[0].status, "PRIMARY") == 0
			? &svc->deployments[0]
			: NULL;
	const struct td_entry *td = td_find(p, svc->task_definition);
	const char *rmsg = NULL;

	r->kind = "ecs";
	r->id = svc->arn[0] != '\0' ? svc->arn : svc->name;
	r->runtime_name = svc->name;
	r->running = svc->running;
	r->desired = svc->desired;
	r->pending = svc->pending;
	r->restarts = -1;
	r->version = svc->family_revision[0] != '\0' ? svc->family_revision : NULL;
	r->platform = svc->launch_type[0] != '\0' ? svc->launch_type : NULL;
	r->deployed_at = primary != NULL ? primary->created : 0;
	r->previous = td != NULL ? td->previous : NULL;
	r->rollout_state = ecs_rollout_state(svc, &rmsg);
	if (rmsg != NULL && rmsg[0] == '\0')
		rmsg = NULL;
	if (r->rollout_state != NULL && strcmp(r->rollout_state, "failed") == 0) {
		/*
		 * The PRIMARY's rollout FAILED: critical.  The circuit breaker having
		 * rolled back: the old version runs again, a warning until it is fixed.
		 */
		bool rollout_failed =
			primary != NULL && strcmp(primary->rollout_state, "FAILED") == 0;

		r->problem = rollout_failed ? STATUS_CRIT : STATUS_WARN;
		if (rmsg == NULL)
			rmsg = rollout_failed ? "rollout failed"
					      : "the deployment circuit breaker rolled back";
	}
	*msg = NULL;
	if (svc->pending > 0 && rmsg != NULL)
		*msg = xasprintf("%s (%ld pending)", rmsg, svc->pending);
	else if (svc->pending > 0)
		*msg = xasprintf("%ld pending", svc->pending);
	r->message = *msg != NULL ? *msg : rmsg;
}

static void
apply(struct ecs_poll *p)
{
	size_t n = p->nsvcs, i, m = 0;
	struct runtime_row *rows = xcalloc(n + 1, sizeof *rows);
	char **names = xcalloc(n + 1, sizeof *names), **msgs = xcalloc(n + 1, sizeof *msgs);

	for (i = 0; i < n; i++) {
		const struct ecs_service *svc = &p->svcs[i];
		struct td_entry *td = (struct td_entry *)td_find(p, svc->task_definition);

		if (td != NULL)
			td->used = true;
		if (strcmp(svc->status, "INACTIVE") == 0)
			continue; /* deleted: ECS still describes it for a while */
		names[m] = row_name(p, svc);
		rows[m].name = names[m];
		fill_row(p, svc, &rows[m], &msgs[m]);
		m++;
	}
	/*
	 * Stamped with the time the round's requests left: an action accepted
	 * meanwhile must not take this round's answers for news about itself.
	 */
	model_runtime_apply_kind(p->model, ecs_endpoint_context(p->s.ep), "ecs", rows, m,
				 p->round_wall);
	for (i = 0; i < m; i++) {
		free(names[i]);
		free(msgs[i]);
	}
	free(names);
	free(msgs);
	free(rows);
	td_prune(p);
}

/* ---- the round -------------------------------------------------------------- */

/* The backend's name in front of a message that starts "ecs: ". */
static void
name_error(const struct ecs_poll *p, struct err *e)
{
	const char *b = ecs_endpoint_backend(p->s.ep);
	char msg[ERR_MSG_MAX];

	if (strncmp(e->msg, b, strlen(b)) == 0)
		return;
	snprintf(msg, sizeof msg, "%s", e->msg);
	err_set(e, e->code, "%s: %s", b, strncmp(msg, "ecs: ", 5) == 0 ? msg + 5 : msg);
}

static void
finish_round(struct ecs_poll *p)
{
	double now = poller_wall_now();
	const char *b = ecs_endpoint_backend(p->s.ep);

	if (p->failed) {
		name_error(p, &p->err);
		model_backend_fail(p->model, b, &p->err, now);
	} else {
		apply(p);
		model_backend_ok(p->model, b, p->latency_ms, now);
	}
	drop_round(p);
	p->in_round = false;
	p->rounds++;
}

static void
maybe_finish(struct ecs_poll *p)
{
	if (p->in_round && p->inflight == 0 && (p->queue == NULL || p->failed))
		finish_round(p);
}

static void
round_failed(struct ecs_poll *p, const struct err *e)
{
	if (!p->failed) {
		p->failed = true;
		p->err = *e;
	}
	free_jobs(p->queue);
	p->queue = NULL;
}

static void
push_back(struct ecs_poll *p, struct job *j)
{
	struct job **pp = &p->queue;

	while (*pp != NULL)
		pp = &(*pp)->next;
	j->next = NULL;
	*pp = j;
}

static void
push_front(struct ecs_poll *p, struct job *j)
{
	j->next = p->queue;
	p->queue = j;
}

static struct job *
new_job(struct ecs_poll *p, enum job_kind kind)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->p = p;
	j->kind = kind;
	j->round_id = p->round_id;
	return j;
}

static void on_done(void *ud, const struct http_response *r);

/* new: the body of j's request. */
static char *
job_body(const struct ecs_poll *p, const struct job *j, const char **op)
{
	const char *cluster = ecs_endpoint_cluster(p->s.ep);

	switch (j->kind) {
	case J_LIST:
		*op = "ListServices";
		return ecs_list_services_body(cluster, j->token);
	case J_DESCRIBE:
		*op = "DescribeServices";
		return ecs_describe_services_body(cluster, (const char *const *)p->arns + j->from,
						  j->n);
	default:
		*op = "ListTaskDefinitions";
		return ecs_list_task_definitions_body(p->td[j->td].family, NULL);
	}
}

/* Send j; -1 with e when it could not leave (it is freed). */
static int
send_job(struct ecs_poll *p, struct job *j, struct err *e)
{
	const char *op = "";
	char *body = job_body(p, j, &op);
	int rc;

	j->gen = ecs_endpoint_generation(p->s.ep);
	rc = body == NULL ? err_set(e, ERR_BACKEND, "ecs: cannot build the %s request", op)
			  : ecs_endpoint_submit(p->s.ep, p->http, op, body, on_done, j, e);
	free(body);
	if (rc < 0) {
		job_free(j);
		return -1;
	}
	p->requests++;
	p->inflight++;
	j->next = p->outstanding;
	p->outstanding = j;
	return 0;
}

/* Send what may leave now.  True when something was sent or the round ended. */
static bool
pump(struct ecs_poll *p, double mono)
{
	int limit = p->one_at_a_time ? 1 : ECS_CONCURRENCY;
	bool changed = false;
	struct err e;

	while (p->in_round && p->queue != NULL && !p->failed && p->inflight < limit &&
	       mono >= p->hold_until) {
		struct job *j = p->queue;
		enum ecs_cred st;

		err_clear(&e);
		st = ecs_endpoint_credentials(p->s.ep, p->http, poller_wall_now(), &e);
		if (st == ECS_CRED_PENDING)
			break;
		if (st == ECS_CRED_FAILED) {
			round_failed(p, &e);
			changed = true;
			break;
		}
		p->queue = j->next;
		if (send_job(p, j, &e) < 0)
			round_failed(p, &e);
		changed = true;
	}
	if (p->in_round && p->inflight == 0 && (p->queue == NULL || p->failed)) {
		finish_round(p);
		changed = true;
	}
	return changed;
}

static void
unlink_job(struct ecs_poll *p, struct job *j)
{
	struct job **pp;

	for (pp = &p->outstanding; *pp != NULL; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			return;
		}
}

/* AWS throttled j: back off, show it, and send j again after the wait. */
static void
throttled(struct ecs_poll *p, struct job *j, const struct err *why)
{
	double now = poller_mono_now();
	char wait[32], what[ERR_MSG_MAX], *dash;
	struct err e;

	push_front(p, j);
	if (now < p->hold_until)
		return; /* refused in the same wave as another: that wait stands */
	p->backoff = p->backoff <= 0 ? 1.0 : fmin(p->backoff * 2, ECS_BACKOFF_MAX_S);
	p->hold_until = now + p->backoff;
	p->one_at_a_time = true;
	snprintf(wait, sizeof wait, "%.0fs", p->backoff);
	/* AWS's words without the advice after them: ours follows */
	snprintf(what, sizeof what, "%s",
		 strncmp(why->msg, "ecs: ", 5) == 0 ? why->msg + 5 : why->msg);
	dash = strstr(what, " \xe2\x80\x94 ");
	if (dash != NULL)
		*dash = '\0';
	err_set(&e, ERR_BACKEND, "%s: throttled by AWS (%.300s) — backing off, next try in %s",
		ecs_endpoint_backend(p->s.ep), what, wait);
	model_backend_fail(p->model, ecs_endpoint_backend(p->s.ep), &e, poller_wall_now());
}

/* The services' task definitions whose rollback target is not known (or old). */
static void
queue_lookups(struct ecs_poll *p, const struct ecs_service *s, size_t n)
{
	double mono = poller_mono_now();
	size_t i;

	for (i = 0; i < n && p->lookups < ECS_TD_LOOKUPS; i++) {
		const struct td_entry *t = td_find(p, s[i].task_definition);
		const char *colon = strchr(s[i].family_revision, ':');
		struct td_entry *nt;
		struct job *j;

		if (s[i].task_definition[0] == '\0' || colon == NULL ||
		    (t != NULL &&
		     (t->pending || (t->fetched > 0 && mono - t->fetched < ECS_TD_KEEP_S))))
			continue;
		if (t == NULL) {
			p->td = xrealloc(p->td, (p->ntd + 1) * sizeof *p->td);
			nt = &p->td[p->ntd++];
			memset(nt, 0, sizeof *nt);
			nt->arn = xstrdup(s[i].task_definition);
			nt->family = xstrndup(s[i].family_revision,
					      (size_t)(colon - s[i].family_revision));
		} else {
			nt = (struct td_entry *)t;
		}
		nt->pending = true;
		j = new_job(p, J_TD);
		j->td = (size_t)(nt - p->td);
		push_back(p, j);
		p->lookups++;
	}
}

/* A lookup's answer: the family's ACTIVE revisions. */
static void
took_revisions(struct ecs_poll *p, struct job *j, char **arns, size_t n)
{
	struct td_entry *t = &p->td[j->td];
	struct ecs_service svc;
	struct err e;

	memset(&svc, 0, sizeof svc);
	/* What ecs_previous_task_definition reads: the current task definition. */
	svc.arn = svc.cluster_arn = svc.status = svc.launch_type = "";
	svc.name = t->family;
	svc.task_definition = t->arn;
	svc.family_revision = ecs_family_revision(t->arn);
	free(t->previous);
	t->previous = NULL;
	if (svc.family_revision != NULL) {
		char *prev = ecs_previous_task_definition(&svc, arns, n, &e);

		t->previous = prev != NULL ? ecs_family_revision(prev) : NULL;
		free(prev);
	}
	free(svc.family_revision);
	t->fetched = poller_mono_now();
}

static void
on_done(void *ud, const struct http_response *r)
{
	struct job *j = ud;
	struct ecs_poll *p = j->p;
	bool thr = false;
	struct err e;
	int rc;

	unlink_job(p, j);
	p->inflight--;
	if (j->round_id != p->round_id || p->failed) {
		if (j->kind == J_TD && j->round_id == p->round_id)
			p->td[j->td].pending = false;
		job_free(j);
		maybe_finish(p);
		return;
	}
	if (r->latency_ms > p->latency_ms)
		p->latency_ms = r->latency_ms;
	err_clear(&e);
	if (r->err.code != ERR_OK) {
		e = r->err;
		rc = -1;
	} else if (r->status / 100 != 2 && !j->retried &&
		   ecs_endpoint_expired(p->s.ep, j->gen, r->status, r->body, r->len)) {
		/* Expired credentials: renewed, then this request once more. */
		j->retried = true;
		push_front(p, j);
		pump(p, poller_mono_now());
		return;
	} else if (j->kind == J_DESCRIBE) {
		struct ecs_service *s = NULL;
		size_t n = 0;

		rc = ecs_parse_services(r->status, r->body, r->len, &s, &n, &thr, &e);
		if (rc == 0 && n > 0) {
			/* failures[] (a service deleted meanwhile) leave it out: no error */
			size_t first = p->nsvcs;

			p->svcs = xrealloc(p->svcs, (p->nsvcs + n) * sizeof *p->svcs);
			memcpy(p->svcs + p->nsvcs, s, n * sizeof *s);
			p->nsvcs += n;
			queue_lookups(p, p->svcs + first, n);
		}
		free(s);
	} else {
		char **arns = NULL, *next = NULL;
		size_t n = 0, i;

		rc = ecs_parse_arns(r->status, r->body, r->len, &arns, &n, &next, &thr, &e);
		if (rc == 0 && j->kind == J_TD) {
			took_revisions(p, j, arns, n);
			ecs_arns_free(arns, n);
		} else if (rc == 0) {
			p->arns = xrealloc(p->arns, (p->narns + n + 1) * sizeof *p->arns);
			memcpy(p->arns + p->narns, arns, n * sizeof *arns);
			p->narns += n;
			free(arns);
			if (next != NULL && next[0] != '\0') {
				struct job *nj = new_job(p, J_LIST);

				nj->token = xstrdup(next);
				push_front(p, nj);
			} else {
				for (i = 0; i < p->narns; i += ECS_DESCRIBE_BATCH) {
					struct job *nj = new_job(p, J_DESCRIBE);

					nj->from = i;
					nj->n = p->narns - i < ECS_DESCRIBE_BATCH
							? p->narns - i
							: ECS_DESCRIBE_BATCH;
					push_back(p, nj);
				}
			}
		}
		free(next);
	}
	if (rc < 0 && thr) {
		throttled(p, j, &e);
		return;
	}
	if (rc == 0) {
		/* AWS took one: the next refusal waits 1 s again */
		p->one_at_a_time = false;
		p->backoff = 0;
	}
	if (j->kind == J_TD) {
		struct td_entry *t = &p->td[j->td];

		t->pending = false;
		if (rc < 0) /* not worth failing the round for: ask again in a while */
			t->fetched = poller_mono_now() - ECS_TD_KEEP_S + 30;
	} else if (rc < 0) {
		round_failed(p, &e);
	}
	job_free(j);
	pump(p, poller_mono_now());
}

bool
ecs_poll_tick(struct ecs_poll *p, double mono)
{
	bool changed = ecs_endpoint_tick(p->s.ep);
	size_t i;

	if (p->in_round)
		return pump(p, mono) || changed;
	if (mono < p->next_due)
		return changed;
	p->round_id++;
	p->in_round = true;
	p->round_wall = poller_wall_now();
	p->next_due = mono + (double)p->s.refresh_ms / 1000.0;
	p->failed = false;
	err_clear(&p->err);
	p->latency_ms = 0;
	p->lookups = 0;
	drop_round(p);
	for (i = 0; i < p->ntd; i++)
		p->td[i].pending = false; /* lookups of an earlier round are forgotten */
	push_back(p, new_job(p, J_LIST));
	pump(p, mono);
	return true;
}

void
ecs_poll_refresh_now(struct ecs_poll *p)
{
	p->next_due = 0;
}

long
ecs_poll_next_due_ms(const struct ecs_poll *p, double mono)
{
	long proc = ecs_endpoint_next_due_ms(p->s.ep), t;
	double d;

	if (p->in_round && p->queue != NULL && !p->failed) {
		d = (p->hold_until - mono) * 1000.0;
		if (d > 0)
			t = (long)ceil(d); /* throttled: the wait */
		else if (p->inflight >= (p->one_at_a_time ? 1 : ECS_CONCURRENCY))
			t = (long)p->s.refresh_ms; /* an answer wakes the loop */
		else
			t = 20; /* waiting for credentials */
	} else if (p->in_round) {
		t = (long)p->s.refresh_ms;
	} else {
		d = (p->next_due - mono) * 1000.0;
		t = d <= 0 ? 0 : (long)ceil(d);
	}
	return proc >= 0 && proc < t ? proc : t;
}

unsigned long
ecs_poll_rounds(const struct ecs_poll *p)
{
	return p->rounds;
}

unsigned long
ecs_poll_requests(const struct ecs_poll *p)
{
	return p->requests;
}

double
ecs_poll_backoff_s(const struct ecs_poll *p)
{
	return p->backoff;
}

struct ecs_endpoint *
ecs_poll_endpoint(const struct ecs_poll *p)
{
	return p->s.ep;
}
