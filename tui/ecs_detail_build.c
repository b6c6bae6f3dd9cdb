/*
 * ecs_detail_build.c - what an ECS round's answers become: the ECS part
 * of the Service detail (see ecs_detail.h); the requests and the round
 * are ecs_detail.c's.
 */
#include "ecs_detail.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

static char *
dupe(const char *s)
{
	return xstrdup(s != NULL ? s : "");
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

/* The revision number of an ARN or "family:revision"; -1 none.  *fam, *flen: its family. */
static long
revision_of(const char *arn, const char **fam, size_t *flen)
{
	const char *slash = strrchr(arn, '/'), *p = slash != NULL ? slash + 1 : arn;
	const char *colon = strrchr(p, ':');
	char *end;
	long rev;

	if (colon == NULL || colon == p || !isdigit((unsigned char)colon[1]))
		return -1;
	rev = strtol(colon + 1, &end, 10);
	if (*end != '\0')
		return -1;
	if (fam != NULL) {
		*fam = p;
		*flen = (size_t)(colon - p);
	}
	return rev;
}

/* Whether arn is a revision of the family of the service's task definition. */
static bool
same_family(const char *arn, const char *task_definition)
{
	const char *f1, *f2;
	size_t l1, l2;

	return revision_of(arn, &f1, &l1) > 0 && revision_of(task_definition, &f2, &l2) > 0 &&
	       l1 == l2 && memcmp(f1, f2, l1) == 0;
}

bool
ecs_detail_event_is_warning(const char *message)
{
	static const char *const words[] = {
		"unable to",    "failed",      "unhealthy",       "error",
		"rolling back", "rolled back", "circuit breaker", "insufficient",
		"throttl",      "not enough",  "cannot",          "timed out",
	};
	char low[512];
	size_t i;

	for (i = 0; i + 1 < sizeof low && message[i] != '\0'; i++)
		low[i] = (char)tolower((unsigned char)message[i]);
	low[i] = '\0';
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strstr(low, words[i]) != NULL)
			return true;
	return false;
}

/* Whether s holds word, ignoring case. */
static bool
has_word(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, word, n) == 0)
			return true;
	return false;
}

bool
ecs_detail_task_failed(const struct ecs_task *t)
{
	size_t i;

	if (strcmp(t->stop_code, "TaskFailedToStart") == 0 ||
	    strcmp(t->stop_code, "EssentialContainerExited") == 0)
		return true;
	/* The scheduler stops tasks that fail their health checks too. */
	if (has_word(t->stopped_reason, "failed") || has_word(t->stopped_reason, "unhealthy") ||
	    has_word(t->stopped_reason, "OutOfMemory"))
		return true;
	if (t->stop_code[0] != '\0')
		return false; /* scaled in, replaced by a deployment, stopped by a user */
	for (i = 0; i < t->ncontainers; i++)
		if (t->containers[i].reason[0] != '\0' ||
		    (t->containers[i].has_exit_code && t->containers[i].exit_code != 0))
			return true;
	return false;
}

enum { G_PROBLEM, G_FAILED, G_RUNNING, G_STOPPED };

struct task_ref {
	const struct ecs_task *t;
	int group;
};

static int
task_group(const struct ecs_task *t)
{
	if (strcmp(t->last_status, "STOPPED") == 0)
		return ecs_detail_task_failed(t) ? G_FAILED : G_STOPPED;
	if (strcmp(t->last_status, "RUNNING") != 0 || strcmp(t->health_status, "UNHEALTHY") == 0 ||
	    strcmp(t->desired_status, "STOPPED") == 0)
		return G_PROBLEM;
	return G_RUNNING;
}

static int
task_cmp(const void *a, const void *b)
{
	const struct task_ref *x = a, *y = b;
	double tx, ty;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	tx = x->group == G_FAILED || x->group == G_STOPPED ? x->t->stopped : x->t->created;
	ty = y->group == G_FAILED || y->group == G_STOPPED ? y->t->stopped : y->t->created;
	if (tx != ty)
		return tx > ty ? -1 : 1; /* newest first */
	return strcmp(x->t->id, y->t->id);
}

/* "app=1 envoy=0": the containers that have exited, into a new string. */
static char *
exits_of(const struct ecs_task *t)
{
	char *out = xstrdup(""), *next;
	size_t i;

	for (i = 0; i < t->ncontainers; i++) {
		if (!t->containers[i].has_exit_code)
			continue;
		next = xasprintf("%s%s%s=%d", out, out[0] ? " " : "", t->containers[i].name,
				 t->containers[i].exit_code);
		free(out);
		out = next;
	}
	return out;
}

/* borrowed: the container whose end says most: a reason with a non-zero exit, a reason, an exit. */
static const struct ecs_container *
telling_container(const struct ecs_task *t)
{
	const struct ecs_container *best = NULL;
	int score = 0;
	size_t i;

	for (i = 0; i < t->ncontainers; i++) {
		const struct ecs_container *c = &t->containers[i];
		int s = (c->reason[0] != '\0' ? 2 : 0) + (c->has_exit_code && c->exit_code != 0);

		if (s > score) {
			score = s;
			best = c;
		}
	}
	return best;
}

/* Why t stopped: its stoppedReason, and the telling container's reason (new). */
static char *
reason_of(const struct ecs_task *t)
{
	const struct ecs_container *c = telling_container(t);
	const char *cr = c != NULL ? c->reason : "";

	if (cr[0] == '\0' || strstr(t->stopped_reason, cr) != NULL)
		return dupe(t->stopped_reason);
	if (t->stopped_reason[0] == '\0')
		return dupe(cr);
	return xasprintf("%s: %s", t->stopped_reason, cr);
}

static void
add_task(struct detail_ecs *out, const struct ecs_task *t)
{
	struct detail_ecs_task *d = &out->tasks[out->ntasks++];
	long rev = revision_of(t->task_definition, NULL, NULL);

	d->id = dupe(t->id);
	d->last_status = dupe(t->last_status[0] ? t->last_status : "UNKNOWN");
	d->desired = dupe(t->desired_status);
	d->health = dupe(t->health_status);
	d->revision = rev > 0 ? xasprintf("%ld", rev) : dupe(NULL);
	d->az = dupe(t->availability_zone);
	d->exits = exits_of(t);
	d->reason = reason_of(t);
	d->failed = strcmp(t->last_status, "RUNNING") != 0 && ecs_detail_task_failed(t);
	d->created = t->created;
	d->started = t->started;
	d->stopped = t->stopped;
}

static void
build_tasks(const struct ecs_task *tasks, size_t n, double now, struct detail_ecs *out)
{
	struct task_ref *refs = xcalloc(n + 1, sizeof *refs);
	size_t i, j, nr = 0, stopped = 0;

	for (i = 0; i < n; i++) {
		const struct ecs_task *t = &tasks[i];
		bool dup = false;
		double when = t->stopped > 0 ? t->stopped : t->created;

		for (j = 0; j < nr && !dup; j++)
			dup = strcmp(refs[j].t->arn, t->arn) == 0;
		if (dup)
			continue;
		refs[nr].t = t;
		refs[nr].group = task_group(t);
		if ((refs[nr].group == G_FAILED || refs[nr].group == G_STOPPED) &&
		    now - when > ECS_DETAIL_RECENT)
			continue;
		nr++;
	}
	if (nr > 1)
		qsort(refs, nr, sizeof *refs, task_cmp);
	out->tasks = xcalloc(nr + 1, sizeof *out->tasks);
	for (i = 0; i < nr; i++) {
		bool is_stopped = refs[i].group == G_FAILED || refs[i].group == G_STOPPED;

		if (is_stopped && stopped++ >= ECS_DETAIL_MAX_STOPPED)
			continue;
		add_task(out, refs[i].t);
	}
	free(refs);
}

static void
build_deployments(const struct ecs_service *s, struct detail_ecs *out)
{
	size_t i;

	out->deps = xcalloc(s->ndeployments + 1, sizeof *out->deps);
	for (i = 0; i < s->ndeployments; i++) {
		const struct ecs_deployment *d = &s->deployments[i];
		struct detail_ecs_deployment *o = &out->deps[out->ndeps++];

		o->status = dupe(d->status);
		o->task_definition = ecs_family_revision(d->task_definition);
		o->desired = d->desired;
		o->running = d->running;
		o->pending = d->pending;
		o->failed = d->failed;
		o->rollout_state = dupe(d->rollout_state);
		o->rollout_reason = dupe(d->rollout_reason);
		o->created = d->created;
		o->updated = d->updated;
	}
}

struct rev_ref {
	const char *arn;
	long rev;
};

static int
rev_cmp(const void *a, const void *b)
{
	const struct rev_ref *x = a, *y = b;

	return x->rev > y->rev ? -1 : x->rev < y->rev;
}

static void
build_revisions(const struct ecs_service *s, char *const *revs, size_t nrevs,
		const struct ecs_task_definition *defs, size_t ndefs, struct detail_ecs *out)
{
	struct rev_ref *refs = xcalloc(nrevs + 2, sizeof *refs);
	long cur = revision_of(s->task_definition, NULL, NULL), back = -1;
	bool have_cur = false;
	size_t i, n = 0;
	struct err e;
	char *prev = ecs_previous_task_definition(s, revs, nrevs, &e);

	if (prev != NULL)
		back = revision_of(prev, NULL, NULL);
	free(prev);
	for (i = 0; i < nrevs; i++) {
		long rev = revision_of(revs[i], NULL, NULL);
		size_t j;
		bool dup = false;

		if (rev <= 0 || !same_family(revs[i], s->task_definition))
			continue;
		for (j = 0; j < n && !dup; j++)
			dup = refs[j].rev == rev;
		if (dup)
			continue;
		refs[n].arn = revs[i];
		refs[n++].rev = rev;
		have_cur = have_cur || rev == cur;
	}
	if (!have_cur && cur > 0) {
		/* Deregistered while it runs: still the current one. */
		refs[n].arn = s->task_definition;
		refs[n++].rev = cur;
	}
	if (n > 1)
		qsort(refs, n, sizeof *refs, rev_cmp);
	out->revs = xcalloc(n + 1, sizeof *out->revs);
	for (i = 0; i < n; i++) {
		const struct ecs_task_definition *td = def_of(defs, ndefs, refs[i].arn);
		struct detail_revision *r;
		bool is_cur = refs[i].rev == cur, is_back = refs[i].rev == back;

		if (out->nrevs >= ECS_DETAIL_MAX_REVS && !is_cur && !is_back)
			continue;
		r = &out->revs[out->nrevs++];
		r->revision = xasprintf("%ld", refs[i].rev);
		r->name = ecs_family_revision(refs[i].arn);
		r->images = dupe(td != NULL ? td->images : "");
		r->replicas = r->ready = -1;
		r->created = td != NULL ? td->registered : 0;
		r->current = is_cur;
		r->rollback = is_back;
	}
	free(refs);
}

static void
build_events(const struct ecs_service *s, struct detail_ecs *out)
{
	size_t i, n = s->nevents < ECS_DETAIL_MAX_EVENTS ? s->nevents : ECS_DETAIL_MAX_EVENTS;

	out->events = xcalloc(n + 1, sizeof *out->events);
	for (i = 0; i < n; i++) {
		struct detail_event *e = &out->events[out->nevents++];

		e->type = dupe(ecs_detail_event_is_warning(s->events[i].message) ? "Warning"
										 : "Normal");
		e->reason = dupe(NULL);
		e->object = dupe(NULL);
		e->message = dupe(s->events[i].message);
		e->count = 1;
		e->last = s->events[i].created;
	}
}

/* new: part (0-based) of an ARN's ':'-separated fields ("arn:aws:ecs:REGION:..."), or "". */
static char *
arn_field(const char *arn, int part)
{
	int i;

	if (strncmp(arn, "arn:", 4) != 0)
		return dupe(NULL);
	for (i = 0; i < part && arn != NULL; i++) {
		arn = strchr(arn, ':');
		if (arn != NULL)
			arn++;
	}
	return arn != NULL ? xstrndup(arn, strcspn(arn, ":")) : dupe(NULL);
}

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = dupe(s);
}

void
ecs_detail_build(const struct ecs_service *s, const struct ecs_task *tasks, size_t ntasks,
		 bool more, char *const *revs, size_t nrevs, const struct ecs_task_definition *defs,
		 size_t ndefs, double now, struct detail_ecs *out)
{
	const struct ecs_deployment *primary = s->ndeployments > 0 ? &s->deployments[0] : NULL;
	const char *cluster = strrchr(s->cluster_arn, '/');
	char *region = arn_field(s->arn[0] ? s->arn : s->cluster_arn, 3);

	detail_data_ecs_init(out);
	out->present = true;
	set_str(&out->cluster, cluster != NULL ? cluster + 1 : s->cluster_arn);
	free(out->region);
	out->region = region;
	set_str(&out->status, s->status);
	set_str(&out->family_revision, s->family_revision);
	set_str(&out->launch_type, s->launch_type);
	out->desired = s->desired;
	out->running = s->running;
	out->pending = s->pending;
	if (primary != NULL && strcmp(primary->status, "PRIMARY") == 0) {
		out->deployed = primary->created;
		set_str(&out->rollout_state, primary->rollout_state);
		set_str(&out->rollout_reason, primary->rollout_reason);
	}
	out->more_tasks = more;
	build_tasks(tasks, ntasks, now, out);
	build_deployments(s, out);
	build_revisions(s, revs, nrevs, defs, ndefs, out);
	out->target_groups = xcalloc(s->ntarget_groups + 1, sizeof *out->target_groups);
	for (out->ntarget_groups = 0; out->ntarget_groups < s->ntarget_groups;
	     out->ntarget_groups++)
		out->target_groups[out->ntarget_groups] =
			dupe(s->target_groups[out->ntarget_groups]);
	build_events(s, out);
}

char *
ecs_detail_newest_failure(const struct ecs_task *tasks, size_t n, double now, double *at)
{
	const struct ecs_task *best = NULL;
	const struct ecs_container *c;
	char *why, *out;
	size_t i;

	*at = 0;
	for (i = 0; i < n; i++)
		if (strcmp(tasks[i].last_status, "STOPPED") == 0 &&
		    ecs_detail_task_failed(&tasks[i]) &&
		    now - tasks[i].stopped <= ECS_DETAIL_RECENT &&
		    (best == NULL || tasks[i].stopped > best->stopped))
			best = &tasks[i];
	if (best == NULL)
		return NULL;
	c = telling_container(best);
	why = reason_of(best);
	if (c != NULL && c->has_exit_code && c->exit_code != 0)
		out = xasprintf("exit %d (%s): %s", c->exit_code, c->name,
				why[0] ? why : "stopped");
	else
		out = xstrdup(why[0] ? why : "stopped");
	*at = best->stopped;
	free(why);
	return out;
}
