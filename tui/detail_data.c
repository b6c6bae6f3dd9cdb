#include "detail_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define MAX_FAILED 5         /* recent failed tasks listed */
#define RECENT_FAILED 3600.0 /* seconds a failed task counts as recent */

static char *
dupe(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

static void
instance_done(struct detail_instance *in)
{
	free(in->id);
	free(in->container_id);
	free(in->name);
	free(in->state);
	free(in->desired);
	free(in->health);
	free(in->node);
	free(in->version);
	free(in->error);
}

void
detail_data_instances_free(struct detail_instance *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		instance_done(&in[i]);
	free(in);
}

void
detail_data_series_done(struct detail_series *s)
{
	free(s->t);
	free(s->v);
	memset(s, 0, sizeof *s);
}

void
detail_data_k8s_init(struct detail_k8s *k)
{
	memset(k, 0, sizeof *k);
	k->kind = dupe(NULL);
	k->ns = dupe(NULL);
	k->revision = dupe(NULL);
	k->update_revision = dupe(NULL);
}

void
detail_data_revisions_free(struct detail_revision *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].revision);
		free(r[i].name);
		free(r[i].images);
	}
	free(r);
}

void
detail_data_events_free(struct detail_event *ev, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(ev[i].type);
		free(ev[i].reason);
		free(ev[i].object);
		free(ev[i].message);
	}
	free(ev);
}

void
detail_data_k8s_done(struct detail_k8s *k)
{
	size_t i;

	free(k->kind);
	free(k->ns);
	free(k->revision);
	free(k->update_revision);
	for (i = 0; i < k->npods; i++) {
		free(k->pods[i].name);
		free(k->pods[i].phase);
		free(k->pods[i].node);
		free(k->pods[i].reason);
		free(k->pods[i].last_exit);
		free(k->pods[i].revision);
	}
	free(k->pods);
	detail_data_revisions_free(k->revs, k->nrevs);
	detail_data_events_free(k->events, k->nevents);
	memset(k, 0, sizeof *k);
}

void
detail_data_ecs_init(struct detail_ecs *e)
{
	memset(e, 0, sizeof *e);
	e->cluster = dupe(NULL);
	e->region = dupe(NULL);
	e->status = dupe(NULL);
	e->family_revision = dupe(NULL);
	e->launch_type = dupe(NULL);
	e->rollout_state = dupe(NULL);
	e->rollout_reason = dupe(NULL);
}

void
detail_data_ecs_done(struct detail_ecs *e)
{
	size_t i;

	free(e->cluster);
	free(e->region);
	free(e->status);
	free(e->family_revision);
	free(e->launch_type);
	free(e->rollout_state);
	free(e->rollout_reason);
	for (i = 0; i < e->ntasks; i++) {
		struct detail_ecs_task *t = &e->tasks[i];

		free(t->id);
		free(t->last_status);
		free(t->desired);
		free(t->health);
		free(t->revision);
		free(t->az);
		free(t->exits);
		free(t->reason);
	}
	free(e->tasks);
	for (i = 0; i < e->ndeps; i++) {
		free(e->deps[i].status);
		free(e->deps[i].task_definition);
		free(e->deps[i].rollout_state);
		free(e->deps[i].rollout_reason);
	}
	free(e->deps);
	detail_data_revisions_free(e->revs, e->nrevs);
	for (i = 0; i < e->ntarget_groups; i++)
		free(e->target_groups[i]);
	free(e->target_groups);
	detail_data_events_free(e->events, e->nevents);
	memset(e, 0, sizeof *e);
}

void
detail_data_done(struct detail_data *d)
{
	int k;

	detail_data_instances_free(d->inst, d->ninst);
	detail_data_k8s_done(&d->k8s);
	detail_data_ecs_done(&d->ecs);
	free(d->image);
	free(d->tag);
	free(d->prev_image);
	free(d->prev_tag);
	free(d->update_state);
	free(d->update_message);
	free(d->task_error);
	for (k = 0; k < DETAIL_NCHARTS; k++)
		detail_data_series_done(&d->series[k]);
	memset(d, 0, sizeof *d);
}

void
detail_data_target_group_name(const char *arn, char *out, size_t n)
{
	const char *p = strstr(arn, ":targetgroup/");
	size_t len;

	if (p != NULL) {
		p += strlen(":targetgroup/");
		len = strcspn(p, "/");
		if (len > 0) {
			snprintf(out, n, "%.*s", (int)len, p);
			return;
		}
	}
	snprintf(out, n, "%s", arn);
}

/* Runtime strings start as "" so the screen never meets NULL. */
void
detail_data_init(struct detail_data *d, double range_s, double step_s)
{
	memset(d, 0, sizeof *d);
	d->image = dupe(NULL);
	d->tag = dupe(NULL);
	d->prev_image = dupe(NULL);
	d->prev_tag = dupe(NULL);
	d->update_state = dupe(NULL);
	d->update_message = dupe(NULL);
	d->task_error = dupe(NULL);
	detail_data_k8s_init(&d->k8s);
	detail_data_ecs_init(&d->ecs);
	d->range_s = range_s;
	d->step_s = step_s;
}

static bool
task_failed(const struct docker_task *t)
{
	return strcmp(t->state, "failed") == 0 || strcmp(t->state, "rejected") == 0;
}

/* Restarts of a slot: replaced tasks (failed, rejected, complete) in its history. */
static long
slot_restarts(const struct docker_task *all, size_t nt, const struct docker_task *t)
{
	long n = 0;
	size_t i;

	for (i = 0; i < nt; i++) {
		const struct docker_task *o = &all[i];

		if (o->slot != t->slot || (t->slot == 0 && strcmp(o->node_id, t->node_id) != 0))
			continue;
		if (task_failed(o) || strcmp(o->state, "complete") == 0)
			n++;
	}
	return n;
}

static const char *
container_name(const struct docker_container *c, size_t nc, const char *cid)
{
	size_t i;

	if (cid[0] == '\0')
		return "";
	for (i = 0; i < nc; i++)
		if (strcmp(c[i].id, cid) == 0)
			return c[i].name;
	return "";
}

static struct detail_instance *
add_instance(struct detail_instance **arr, size_t *n)
{
	struct detail_instance *in;

	*arr = xrealloc(*arr, (*n + 1) * sizeof **arr);
	in = &(*arr)[(*n)++];
	memset(in, 0, sizeof *in);
	in->restarts = -1;
	in->cpu_pct = in->mem_used = in->mem_limit = NAN;
	return in;
}

/* Short node id: enough to tell nodes apart. */
static char *
short_id(const char *id)
{
	return xasprintf("%.12s", id);
}

static void
from_task(const struct docker_container *c, size_t nc, struct detail_instance *in,
	  const struct docker_task *t)
{
	in->id = dupe(t->id);
	in->container_id = dupe(t->container_id);
	in->name = dupe(container_name(c, nc, t->container_id));
	in->slot = t->slot;
	in->state = dupe(t->state);
	in->desired = dupe(t->desired_state);
	in->health = dupe(NULL);
	in->node = short_id(t->node_id);
	in->version = docker_image_tag(t->image);
	if (t->error[0] != '\0')
		in->error = dupe(t->error);
	else if (t->exit_code != 0 && strcmp(t->state, "running") != 0)
		in->error = xasprintf("exit %ld", t->exit_code);
	else
		in->error = dupe(NULL);
	in->created = t->created;
}

static int
failed_newest_first(const void *a, const void *b)
{
	const struct docker_task *x = *(const struct docker_task *const *)a;
	const struct docker_task *y = *(const struct docker_task *const *)b;

	return x->timestamp < y->timestamp ? 1 : x->timestamp > y->timestamp ? -1 : 0;
}

size_t
detail_data_from_tasks(const struct docker_task *all, size_t nt, const struct docker_container *c,
		       size_t nc, double now, struct detail_instance **out)
{
	const struct docker_task **failed = xcalloc(nt + 1, sizeof *failed);
	size_t nf = 0, i, n = 0;

	*out = NULL;
	/* docker_parse_tasks sorts by slot, newest first */
	for (i = 0; i < nt; i++) {
		const struct docker_task *t = &all[i];

		if (strcmp(t->desired_state, "running") == 0 && !task_failed(t)) {
			struct detail_instance *in = add_instance(out, &n);

			from_task(c, nc, in, t);
			in->restarts = slot_restarts(all, nt, t);
		} else if (task_failed(t) && now - t->timestamp <= RECENT_FAILED) {
			failed[nf++] = t;
		}
	}
	if (nf > 1)
		qsort(failed, nf, sizeof *failed, failed_newest_first);
	for (i = 0; i < nf && i < MAX_FAILED; i++)
		from_task(c, nc, add_instance(out, &n), failed[i]);
	free(failed);
	return n;
}

const struct docker_task *
detail_data_newest_failed(const struct docker_task *t, size_t n)
{
	const struct docker_task *best = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (task_failed(&t[i]) && t[i].error[0] != '\0' &&
		    (best == NULL || t[i].timestamp > best->timestamp))
			best = &t[i];
	return best;
}

size_t
detail_data_from_containers(const struct docker_container *ctrs, size_t nc,
			    const char *runtime_name, const char *runtime_id, const char *context,
			    struct detail_instance **out, char **image, char **tag)
{
	struct docker_group *g = NULL;
	size_t ng = docker_group_containers(ctrs, nc, false, &g), i, k, n = 0;

	*out = NULL;
	*image = *tag = NULL;
	for (k = 0; k < ng; k++) {
		bool match = strcmp(g[k].name, runtime_name) == 0;

		if (g[k].kind == DOCKER_GROUP_COMPOSE && runtime_id[0] != '\0') {
			char *id = xasprintf("%s/%s", g[k].project, g[k].name);

			match = match && strcmp(id, runtime_id) == 0;
			free(id);
		}
		if (!match)
			continue;
		for (i = 0; i < g[k].nmembers; i++) {
			const struct docker_container *c = &ctrs[g[k].members[i]];
			struct detail_instance *in = add_instance(out, &n);

			in->id = dupe(c->id);
			in->container_id = dupe(c->id);
			in->name = dupe(c->name);
			in->state = dupe(c->state);
			in->desired = dupe(NULL);
			in->health = dupe(NULL);
			in->node = dupe(context);
			in->version = docker_image_tag(c->image);
			in->error = dupe(strcmp(c->state, "running") == 0 ? "" : c->status);
			in->created = c->created;
		}
		*image = dupe(g[k].image);
		*tag = dupe(g[k].tag);
		break;
	}
	docker_groups_free(g, ng);
	return n;
}
