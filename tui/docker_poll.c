#include "docker_poll.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "poller.h"
#include "xalloc.h"

enum dreq { DREQ_INFO, DREQ_SERVICES, DREQ_TASKS, DREQ_CONTAINERS, DREQ_COUNT };

struct dreq_ctx {
	struct dreq_ctx *next;
	struct docker_poll *p;
	enum dreq kind;
	unsigned long round_id;
};

struct docker_poll {
	struct http *http;
	struct model *model;
	struct docker_poll_settings s;
	double next_due;
	int inflight;
	unsigned long round_id, rounds;
	double round_wall; /* when this round's requests left: the time its data describes */
	bool failed;
	struct err err;
	long latency_ms;
	struct dreq_ctx *outstanding;
	/* this round's answers */
	struct docker_info info;
	bool have_info;
	struct docker_service *svcs;
	size_t nsvcs;
	bool have_services;
	struct docker_task *tasks;
	size_t ntasks;
	struct docker_container *ctrs;
	size_t nctrs;
	/* the last complete round's services, for actions */
	struct docker_service *last_svcs;
	size_t nlast_svcs;
	struct docker_container *last_ctrs; /* the last round's containers, for restarts */
	size_t nlast_ctrs;
	bool manager;
};

struct docker_poll *
docker_poll_new(struct http *http, struct model *model, const struct docker_poll_settings *s)
{
	struct docker_poll *p = xcalloc(1, sizeof *p);

	p->http = http;
	p->model = model;
	p->s = *s;
	if (p->s.refresh_ms < 100)
		p->s.refresh_ms = 100;
	model_backend(model, "docker");
	return p;
}

static void
drop_round(struct docker_poll *p)
{
	if (p->have_info)
		docker_info_done(&p->info);
	p->have_info = false;
	docker_services_free(p->svcs, p->nsvcs);
	p->svcs = NULL;
	p->nsvcs = 0;
	p->have_services = false;
	docker_tasks_free(p->tasks, p->ntasks);
	p->tasks = NULL;
	p->ntasks = 0;
	docker_containers_free(p->ctrs, p->nctrs);
	p->ctrs = NULL;
	p->nctrs = 0;
}

void
docker_poll_free(struct docker_poll *p)
{
	struct dreq_ctx *c, *next;

	if (p == NULL)
		return;
	for (c = p->outstanding; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	drop_round(p);
	docker_services_free(p->last_svcs, p->nlast_svcs);
	docker_containers_free(p->last_ctrs, p->nlast_ctrs);
	free(p);
}

static const char *
display(const struct docker_poll *p, const char *name)
{
	const char *d = p->s.display_name ? p->s.display_name(p->s.ud, name) : NULL;

	return d != NULL ? d : name;
}

/* The newest failed task's error of a service: why it does not converge. */
static const char *
task_error(const struct docker_poll *p, const char *service_id)
{
	const struct docker_task *best = NULL;
	size_t i;

	for (i = 0; i < p->ntasks; i++) {
		const struct docker_task *t = &p->tasks[i];

		if (strcmp(t->service_id, service_id) != 0 || t->error[0] == '\0')
			continue;
		if (strcmp(t->state, "failed") != 0 && strcmp(t->state, "rejected") != 0)
			continue;
		if (best == NULL || t->timestamp > best->timestamp)
			best = t;
	}
	return best ? best->error : NULL;
}

static void
apply(struct docker_poll *p)
{
	struct docker_group *groups = NULL;
	size_t ngroups = docker_group_containers(p->ctrs, p->nctrs, p->have_services, &groups);
	struct runtime_row *rows = xcalloc(p->nsvcs + ngroups + 1, sizeof *rows);
	char **owned = xcalloc(p->nsvcs + ngroups + 1, sizeof *owned);
	size_t n = 0, i;

	for (i = 0; i < p->nsvcs; i++) {
		const struct docker_service *s = &p->svcs[i];
		struct runtime_row *r = &rows[n++];

		r->name = display(p, s->name);
		r->kind = "swarm";
		r->id = s->id;
		r->runtime_name = s->name;
		r->running = s->running;
		r->desired = s->desired;
		r->fixed_count = s->mode != DOCKER_MODE_REPLICATED;
		r->version = s->tag;
		r->deployed_at = s->update_completed > 0 ? s->update_completed : s->updated;
		r->restarts = p->tasks ? docker_task_restarts(p->tasks, p->ntasks, s->id) : -1;
		r->rollout_state = s->update_state[0] ? s->update_state : NULL;
		r->message = s->update_message[0] ? s->update_message : task_error(p, s->id);
	}
	for (i = 0; i < ngroups; i++) {
		const struct docker_group *g = &groups[i];
		struct runtime_row *r = &rows[n++];

		r->name = display(p, g->name);
		r->kind = g->kind == DOCKER_GROUP_COMPOSE ? "compose"
			  : g->kind == DOCKER_GROUP_SWARM ? "swarm"
							  : "container";
		owned[i] =
			g->project[0] ? xasprintf("%s/%s", g->project, g->name) : xstrdup(g->name);
		r->id = owned[i];
		r->runtime_name = g->name;
		r->running = g->running;
		r->desired = (long)g->nmembers;
		r->version = g->tag;
		r->deployed_at = g->created;
		r->restarts = -1; /* per-container RestartCount costs a request each */
		r->message = g->restarting > 0 ? "restarting" : NULL;
	}
	/*
	 * Stamped with the time the requests left, not the time they were
	 * applied: an action accepted meanwhile must not take this round's
	 * answers for news about itself.
	 */
	model_runtime_apply(p->model, p->s.context, rows, n, p->round_wall);
	for (i = 0; i < ngroups; i++)
		free(owned[i]);
	free(owned);
	free(rows);
	docker_groups_free(groups, ngroups);
	/* Keep this round's services for actions (ids, versions). */
	docker_services_free(p->last_svcs, p->nlast_svcs);
	p->last_svcs = p->svcs;
	p->nlast_svcs = p->nsvcs;
	p->svcs = NULL;
	p->nsvcs = 0;
	docker_containers_free(p->last_ctrs, p->nlast_ctrs);
	p->last_ctrs = p->ctrs;
	p->nlast_ctrs = p->nctrs;
	p->ctrs = NULL;
	p->nctrs = 0;
	p->manager = p->have_info && p->info.swarm_manager;
}

static void
finish_round(struct docker_poll *p)
{
	double now = poller_wall_now();

	if (p->failed) {
		if (p->err.code == ERR_CONNECT && p->s.explain != NULL)
			p->s.explain(p->s.explain_ud, &p->err);
		model_backend_fail(p->model, "docker", &p->err, now);
	} else {
		apply(p);
		model_backend_ok(p->model, "docker", p->latency_ms, now);
	}
	drop_round(p);
	p->rounds++;
}

static void
unlink_ctx(struct docker_poll *p, struct dreq_ctx *c)
{
	struct dreq_ctx **pp;

	for (pp = &p->outstanding; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			return;
		}
}

static void
on_done(void *ud, const struct http_response *r)
{
	struct dreq_ctx *c = ud;
	struct docker_poll *p = c->p;
	struct err e;
	enum docker_fail fail = DOCKER_FAIL_NONE;
	int rc = 0;

	unlink_ctx(p, c);
	err_clear(&e);
	if (c->round_id != p->round_id) {
		free(c);
		return;
	}
	if (r->latency_ms > p->latency_ms)
		p->latency_ms = r->latency_ms;
	if (r->err.code != ERR_OK) {
		e = r->err;
		rc = -1;
	} else {
		switch (c->kind) {
		case DREQ_INFO:
			rc = docker_parse_info(r->status, r->body, r->len, &p->info, &e);
			p->have_info = rc == 0;
			break;
		case DREQ_SERVICES:
			rc = docker_parse_services(r->status, r->body, r->len, &p->svcs, &p->nsvcs,
						   &fail, &e);
			if (rc < 0 &&
			    (fail == DOCKER_FAIL_NOT_MANAGER || fail == DOCKER_FAIL_UNSUPPORTED))
				rc = 0; /* not a manager (or Podman): no services, not a failure */
			else
				p->have_services = rc == 0;
			break;
		case DREQ_TASKS:
			rc = docker_parse_tasks(r->status, r->body, r->len, &p->tasks, &p->ntasks,
						&e);
			if (rc < 0 && (r->status == 503 || r->status == 404))
				rc = 0; /* not a manager, or Podman (no Swarm API): no tasks */
			break;
		case DREQ_CONTAINERS:
			rc = docker_parse_containers(r->status, r->body, r->len, &p->ctrs,
						     &p->nctrs, &e);
			break;
		default:
			break;
		}
	}
	if (rc < 0 && !p->failed) {
		p->failed = true;
		p->err = e;
	}
	if (--p->inflight == 0)
		finish_round(p);
	free(c);
}

static void
submit(struct docker_poll *p, enum dreq kind, char *path)
{
	struct dreq_ctx *c = xcalloc(1, sizeof *c);
	struct err e;

	c->p = p;
	c->kind = kind;
	c->round_id = p->round_id;
	if (http_submit(p->http, &p->s.ep, HTTP_GET, path, NULL, true, on_done, c, &e) < 0) {
		free(c);
		if (!p->failed) {
			p->failed = true;
			p->err = e;
		}
	} else {
		c->next = p->outstanding;
		p->outstanding = c;
		p->inflight++;
	}
	free(path);
}

bool
docker_poll_tick(struct docker_poll *p, double mono)
{
	if (p->inflight > 0 || mono < p->next_due)
		return false;
	p->round_id++;
	p->round_wall = poller_wall_now();
	p->next_due = mono + (double)p->s.refresh_ms / 1000.0;
	p->failed = false;
	err_clear(&p->err);
	p->latency_ms = 0;
	drop_round(p);
	submit(p, DREQ_INFO, docker_info_path());
	submit(p, DREQ_SERVICES, docker_services_path());
	submit(p, DREQ_TASKS, docker_tasks_path(NULL, false));
	submit(p, DREQ_CONTAINERS, docker_containers_path(true));
	if (p->inflight == 0)
		finish_round(p);
	return true;
}

void
docker_poll_refresh_now(struct docker_poll *p)
{
	p->next_due = 0;
}

long
docker_poll_next_due_ms(const struct docker_poll *p, double mono)
{
	double d;

	if (p->inflight > 0)
		return (long)p->s.refresh_ms;
	d = (p->next_due - mono) * 1000.0;
	return d <= 0 ? 0 : (long)ceil(d);
}

unsigned long
docker_poll_rounds(const struct docker_poll *p)
{
	return p->rounds;
}

bool
docker_poll_swarm_manager(const struct docker_poll *p)
{
	return p->manager;
}

const struct docker_service *
docker_poll_service(const struct docker_poll *p, const char *runtime_name)
{
	size_t i;

	for (i = 0; i < p->nlast_svcs; i++)
		if (strcmp(p->last_svcs[i].name, runtime_name) == 0)
			return &p->last_svcs[i];
	return NULL;
}

size_t
docker_poll_container_ids(const struct docker_poll *p, const char *kind, const char *id,
			  const char **ids, size_t max)
{
	const char *slash = strchr(id, '/');
	size_t i, n = 0;

	for (i = 0; i < p->nlast_ctrs && n < max; i++) {
		const struct docker_container *c = &p->last_ctrs[i];

		if (c->swarm_service != NULL)
			continue; /* Swarm's own: restarted through the service */
		if (strcmp(kind, "compose") == 0) {
			if (slash == NULL || c->compose_project == NULL ||
			    c->compose_service == NULL)
				continue;
			if (strlen(c->compose_project) != (size_t)(slash - id) ||
			    strncmp(c->compose_project, id, (size_t)(slash - id)) != 0 ||
			    strcmp(c->compose_service, slash + 1) != 0)
				continue;
		} else if (c->compose_project != NULL || strcmp(c->name, id) != 0) {
			continue;
		}
		ids[n++] = c->id;
	}
	return n;
}
