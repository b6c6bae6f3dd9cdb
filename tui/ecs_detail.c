/*
 * ecs_detail.c - an ECS round's calls, answers and caches (see
 * ecs_detail.h); what the answers become is ecs_detail_build.c's.
 */
#include "ecs_detail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker.h"
#include "xalloc.h"

#define QUEUE_MAX (4 + ECS_DETAIL_IMAGES) /* calls waiting to go at once, at most */

enum { LIST_RUNNING, LIST_STOPPED, NLISTS };

struct ecs_detail {
	char *cluster, *service;
	struct ecs_detail_call queue[QUEUE_MAX]; /* bodies owned until handed out */
	size_t nqueue;
	/* this round's answers */
	struct ecs_service *svc;
	size_t nsvc;
	bool have_service;
	char **arns[NLISTS]; /* ListTasks */
	size_t narns[NLISTS];
	bool more[NLISTS];
	struct ecs_task *tasks[NLISTS]; /* DescribeTasks of each list */
	size_t ntasks[NLISTS];
	char **revs; /* ListTaskDefinitions */
	size_t nrevs;
	bool have_revs;
	struct err revs_err;            /* the revisions' or their images' failure this round */
	char *asked[ECS_DETAIL_IMAGES]; /* the revisions described this round, by tag */
	size_t nasked;
	bool throttled;
	/* across rounds */
	struct ecs_task *cache; /* tasks described as STOPPED: they never change again */
	size_t ncache;
	struct ecs_task_definition *defs; /* revisions described: they never change */
	size_t ndefs;
};

static char *
dupe(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = dupe(s);
}

/* ---- the requests -------------------------------------------------------------- */

struct ecs_detail *
ecs_detail_new(const char *cluster, const char *service)
{
	struct ecs_detail *k = xcalloc(1, sizeof *k);

	k->cluster = dupe(cluster);
	k->service = dupe(service);
	return k;
}

static void
drop_answers(struct ecs_detail *k)
{
	size_t i;

	for (i = 0; i < k->nqueue; i++)
		free(k->queue[i].body);
	k->nqueue = 0;
	ecs_services_free(k->svc, k->nsvc);
	k->svc = NULL;
	k->nsvc = 0;
	k->have_service = false;
	for (i = 0; i < NLISTS; i++) {
		ecs_arns_free(k->arns[i], k->narns[i]);
		ecs_tasks_free(k->tasks[i], k->ntasks[i]);
		k->arns[i] = NULL;
		k->tasks[i] = NULL;
		k->narns[i] = k->ntasks[i] = 0;
		k->more[i] = false;
	}
	ecs_arns_free(k->revs, k->nrevs);
	k->revs = NULL;
	k->nrevs = 0;
	k->have_revs = false;
	err_clear(&k->revs_err);
	for (i = 0; i < k->nasked; i++)
		free(k->asked[i]);
	k->nasked = 0;
	k->throttled = false;
}

void
ecs_detail_free(struct ecs_detail *k)
{
	size_t i;

	if (k == NULL)
		return;
	drop_answers(k);
	ecs_tasks_free(k->cache, k->ncache);
	for (i = 0; i < k->ndefs; i++)
		ecs_task_definition_done(&k->defs[i]);
	free(k->defs);
	free(k->cluster);
	free(k->service);
	free(k);
}

/* Queue a call; body (new) is NULL when the builder refused: then nothing is queued. */
static void
enqueue(struct ecs_detail *k, enum ecs_detail_req req, int tag, const char *operation, char *body)
{
	struct ecs_detail_call *c;

	if (body == NULL || k->nqueue >= QUEUE_MAX) {
		free(body);
		return;
	}
	c = &k->queue[k->nqueue++];
	c->req = req;
	c->tag = tag;
	c->operation = operation;
	c->body = body;
}

void
ecs_detail_begin(struct ecs_detail *k)
{
	const char *svc = k->service;

	drop_answers(k);
	enqueue(k, ECS_DETAIL_SERVICE, 0, "DescribeServices",
		ecs_describe_services_body(k->cluster, &svc, 1));
	enqueue(k, ECS_DETAIL_RUNNING, LIST_RUNNING, "ListTasks",
		ecs_list_tasks_body(k->cluster, k->service, NULL));
	enqueue(k, ECS_DETAIL_STOPPED, LIST_STOPPED, "ListTasks",
		ecs_list_stopped_tasks_body(k->cluster, k->service, NULL));
}

bool
ecs_detail_next(struct ecs_detail *k, struct ecs_detail_call *c)
{
	if (k->nqueue == 0)
		return false;
	*c = k->queue[0];
	memmove(&k->queue[0], &k->queue[1], (k->nqueue - 1) * sizeof k->queue[0]);
	k->nqueue--;
	return true;
}

static bool
cached_stopped(const struct ecs_detail *k, const char *arn)
{
	size_t i;

	for (i = 0; i < k->ncache; i++)
		if (strcmp(k->cache[i].arn, arn) == 0)
			return true;
	return false;
}

static const struct ecs_task_definition *
def_of(const struct ecs_task_definition *defs, size_t n, const char *arn)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(defs[i].arn, arn) == 0)
			return &defs[i];
	return NULL;
}

/* A list's answer: describe its tasks (the stopped ones not described already). */
static void
ask_tasks(struct ecs_detail *k, int list)
{
	const char **want = xcalloc(k->narns[list] + 1, sizeof *want);
	size_t i, n = 0;

	for (i = 0; i < k->narns[list] && n < 100; i++)
		if (list == LIST_RUNNING || !cached_stopped(k, k->arns[list][i]))
			want[n++] = k->arns[list][i];
	if (n > 0)
		enqueue(k, ECS_DETAIL_TASKS, list, "DescribeTasks",
			ecs_describe_tasks_body(k->cluster, want, n));
	free(want);
}

/* The revisions' answer: describe the shown ones whose images are not known yet. */
static void
ask_images(struct ecs_detail *k)
{
	struct detail_ecs shown;
	size_t i, j;

	ecs_detail_build(&k->svc[0], NULL, 0, false, k->revs, k->nrevs, k->defs, k->ndefs, 0,
			 &shown);
	for (i = 0; i < shown.nrevs && k->nasked < ECS_DETAIL_IMAGES; i++) {
		const char *arn = NULL;

		if (i >= ECS_DETAIL_IMAGES && !shown.revs[i].current && !shown.revs[i].rollback)
			continue;
		for (j = 0; j < k->nrevs && arn == NULL; j++) {
			char *fr = ecs_family_revision(k->revs[j]);

			if (strcmp(fr, shown.revs[i].name) == 0)
				arn = k->revs[j];
			free(fr);
		}
		if (arn == NULL && shown.revs[i].current)
			arn = k->svc[0].task_definition; /* not ACTIVE any more, still running */
		if (arn == NULL || def_of(k->defs, k->ndefs, arn) != NULL)
			continue;
		k->asked[k->nasked] = xstrdup(arn);
		enqueue(k, ECS_DETAIL_TASKDEF, (int)k->nasked++, "DescribeTaskDefinition",
			ecs_describe_task_definition_body(arn));
	}
	detail_data_ecs_done(&shown);
}

static void
take_service(struct ecs_detail *k, long status, const char *body, size_t len, int *rc,
	     struct err *e)
{
	bool throttled = false;
	char *family;
	size_t i;

	ecs_services_free(k->svc, k->nsvc);
	k->svc = NULL;
	k->nsvc = 0;
	k->have_service = false;
	*rc = ecs_parse_services(status, body, len, &k->svc, &k->nsvc, &throttled, e);
	k->throttled = k->throttled || throttled; /* any answer of the round */
	if (*rc < 0)
		return;
	if (k->nsvc == 0) {
		if (e->code == ERR_OK)
			err_set(e, ERR_BACKEND, "ecs: service %s: not in cluster %s", k->service,
				k->cluster[0] ? k->cluster : "default");
		*rc = -1;
		return;
	}
	for (i = 0; i < k->nsvc; i++)
		if (strcmp(k->svc[i].name, k->service) == 0 ||
		    strcmp(k->svc[i].arn, k->service) == 0)
			break;
	if (i == k->nsvc) {
		err_set(e, ERR_BACKEND, "ecs: DescribeServices: %s is not in the answer",
			k->service);
		*rc = -1;
		return;
	}
	if (i > 0) { /* the one asked for goes first */
		struct ecs_service t = k->svc[0];

		k->svc[0] = k->svc[i];
		k->svc[i] = t;
	}
	err_clear(e); /* failures[] of other ARNs: none asked */
	k->have_service = true;
	family = ecs_family_revision(k->svc[0].task_definition);
	family[strcspn(family, ":")] = '\0';
	if (family[0] != '\0')
		enqueue(k, ECS_DETAIL_REVISIONS, 0, "ListTaskDefinitions",
			ecs_list_task_definitions_body(family, NULL));
	free(family);
}

/* Keep the first failure of the revisions (or their images) for the section. */
static void
revs_fail(struct ecs_detail *k, const struct err *e)
{
	if (k->revs_err.code == ERR_OK)
		k->revs_err = *e;
}

int
ecs_detail_take(struct ecs_detail *k, enum ecs_detail_req req, int tag, long status,
		const char *body, size_t len, struct err *e)
{
	struct ecs_task_definition td;
	bool throttled = false;
	char *next = NULL;
	int rc = 0;

	err_clear(e);
	switch (req) {
	case ECS_DETAIL_SERVICE:
		take_service(k, status, body, len, &rc, e);
		break;
	case ECS_DETAIL_RUNNING:
	case ECS_DETAIL_STOPPED:
		if (tag < 0 || tag >= NLISTS)
			break;
		ecs_arns_free(k->arns[tag], k->narns[tag]);
		rc = ecs_parse_arns(status, body, len, &k->arns[tag], &k->narns[tag], &next,
				    &throttled, e);
		k->more[tag] = rc == 0 && next != NULL && next[0] != '\0';
		if (rc == 0)
			ask_tasks(k, tag);
		break;
	case ECS_DETAIL_TASKS:
		if (tag < 0 || tag >= NLISTS)
			break;
		ecs_tasks_free(k->tasks[tag], k->ntasks[tag]);
		rc = ecs_parse_tasks(status, body, len, &k->tasks[tag], &k->ntasks[tag], &throttled,
				     e);
		if (rc == 0)
			err_clear(e); /* failures[]: a task ECS forgot between list and describe */
		break;
	case ECS_DETAIL_REVISIONS:
		ecs_arns_free(k->revs, k->nrevs);
		k->revs = NULL;
		k->nrevs = 0;
		if (ecs_parse_arns(status, body, len, &k->revs, &k->nrevs, &next, &throttled, e) <
		    0) {
			revs_fail(k, e);
			err_clear(e);
			break;
		}
		k->have_revs = true;
		if (k->have_service)
			ask_images(k);
		break;
	case ECS_DETAIL_TASKDEF:
		if (ecs_parse_task_definition(status, body, len, &td, &throttled, e) < 0) {
			revs_fail(k, e);
			err_clear(e);
			break;
		}
		if (def_of(k->defs, k->ndefs, td.arn) == NULL) {
			k->defs = xrealloc(k->defs, (k->ndefs + 1) * sizeof *k->defs);
			k->defs[k->ndefs++] = td;
		} else {
			ecs_task_definition_done(&td);
		}
		break;
	default:
		break;
	}
	free(next);
	k->throttled = k->throttled || throttled; /* any answer of the round */
	return rc < 0 ? -1 : 0;
}

bool
ecs_detail_failed(struct ecs_detail *k, enum ecs_detail_req req, int tag, const struct err *e)
{
	(void)tag;
	if (req != ECS_DETAIL_REVISIONS && req != ECS_DETAIL_TASKDEF)
		return true;
	revs_fail(k, e);
	return false;
}

bool
ecs_detail_throttled(const struct ecs_detail *k)
{
	return k->throttled;
}

/* ---- a round's end ------------------------------------------------------------------ */

static bool
listed(char *const *arns, size_t n, const char *arn)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(arns[i], arn) == 0)
			return true;
	return false;
}

/*
 * The tasks of this round: the ones described, and the stopped ones
 * described before that are still listed (shallow copies, borrowed).
 */
static struct ecs_task *
round_tasks(const struct ecs_detail *k, size_t *n)
{
	size_t total = k->ntasks[0] + k->ntasks[1] + k->ncache, i, l;
	struct ecs_task *all = xcalloc(total + 1, sizeof *all);

	*n = 0;
	for (l = 0; l < NLISTS; l++)
		for (i = 0; i < k->ntasks[l]; i++)
			all[(*n)++] = k->tasks[l][i];
	for (i = 0; i < k->ncache; i++)
		if (listed(k->arns[LIST_STOPPED], k->narns[LIST_STOPPED], k->cache[i].arn))
			all[(*n)++] = k->cache[i];
	return all;
}

static bool
in_tasks(const struct ecs_task *t, size_t n, const char *arn)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].arn, arn) == 0)
			return true;
	return false;
}

/*
 * The cache of stopped tasks after this round: those described as
 * STOPPED now, and the cached ones still listed; the rest is freed.
 */
static void
keep_stopped(struct ecs_detail *k)
{
	size_t total = k->ntasks[0] + k->ntasks[1] + k->ncache, i, l, n = 0;
	struct ecs_task *next = xcalloc(total + 1, sizeof *next);

	for (l = 0; l < NLISTS; l++)
		for (i = 0; i < k->ntasks[l]; i++)
			if (strcmp(k->tasks[l][i].last_status, "STOPPED") == 0 &&
			    !cached_stopped(k, k->tasks[l][i].arn) &&
			    !in_tasks(next, n, k->tasks[l][i].arn)) {
				next[n++] = k->tasks[l][i];
				memset(&k->tasks[l][i], 0, sizeof k->tasks[l][i]);
			}
	for (i = 0; i < k->ncache; i++)
		if (listed(k->arns[LIST_STOPPED], k->narns[LIST_STOPPED], k->cache[i].arn)) {
			next[n++] = k->cache[i];
			memset(&k->cache[i], 0, sizeof k->cache[i]);
		}
	ecs_tasks_free(k->cache, k->ncache);
	k->cache = next;
	k->ncache = n;
}

/* Forget the task definitions no longer listed (nor the service's). */
static void
keep_defs(struct ecs_detail *k)
{
	size_t i, n = 0;

	if (!k->have_revs)
		return;
	for (i = 0; i < k->ndefs; i++) {
		if (listed(k->revs, k->nrevs, k->defs[i].arn) ||
		    strcmp(k->defs[i].arn, k->svc[0].task_definition) == 0)
			k->defs[n++] = k->defs[i];
		else
			ecs_task_definition_done(&k->defs[i]);
	}
	k->ndefs = n;
}

/* The first image of a revision's images (new). */
static char *
first_image(const char *images)
{
	return xstrndup(images, strcspn(images, ","));
}

void
ecs_detail_fill(struct ecs_detail *k, struct detail_data *d, double now)
{
	const struct ecs_service *s;
	struct detail_ecs next;
	struct ecs_task *tasks;
	const char *msg = NULL, *state;
	size_t ntasks, i;

	if (!k->have_service) {
		drop_answers(k);
		return;
	}
	s = &k->svc[0];
	tasks = round_tasks(k, &ntasks);
	ecs_detail_build(s, tasks, ntasks, k->more[0] || k->more[1], k->revs, k->nrevs, k->defs,
			 k->ndefs, now, &next);
	free(d->task_error);
	d->task_error = ecs_detail_newest_failure(tasks, ntasks, now, &d->task_error_at);
	if (d->task_error == NULL)
		d->task_error = dupe(NULL);
	free(tasks);
	next.revs_err = k->revs_err;
	if (!k->have_revs) {
		/* The list failed: the last good one stays, with the error. */
		detail_data_revisions_free(next.revs, next.nrevs);
		next.revs = d->ecs.revs;
		next.nrevs = d->ecs.nrevs;
		d->ecs.revs = NULL;
		d->ecs.nrevs = 0;
	}
	detail_data_ecs_done(&d->ecs);
	d->ecs = next;
	state = ecs_rollout_state(s, &msg);
	set_str(&d->update_state, state);
	set_str(&d->update_message, msg != NULL ? msg : d->ecs.rollout_reason);
	d->update_started = d->ecs.deployed;
	d->update_completed = strcmp(state, "completed") == 0 && s->ndeployments > 0
				      ? s->deployments[0].updated
				      : 0;
	set_str(&d->image, "");
	set_str(&d->tag, "");
	set_str(&d->prev_image, "");
	set_str(&d->prev_tag, "");
	for (i = 0; i < d->ecs.nrevs; i++) {
		const struct detail_revision *r = &d->ecs.revs[i];
		char *img;

		if ((!r->current && !r->rollback) || r->images[0] == '\0')
			continue;
		img = first_image(r->images);
		free(r->current ? d->image : d->prev_image);
		free(r->current ? d->tag : d->prev_tag);
		if (r->current) {
			d->image = img;
			d->tag = docker_image_tag(img);
		} else {
			d->prev_image = img;
			d->prev_tag = docker_image_tag(img);
		}
	}
	keep_stopped(k);
	keep_defs(k);
	drop_answers(k);
}
