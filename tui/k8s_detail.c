#include "k8s_detail.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "docker.h"
#include "xalloc.h"

struct k8s_detail {
	enum k8s_kind kind;
	char *ns, *name;
	char *selector; /* from the last workload answer; NULL before */
	/* this round's answers */
	struct k8s_workload *w;
	size_t nw;
	bool have_workload;
	struct k8s_pod *pods;
	size_t npods;
	bool more_pods;
	struct k8s_replicaset *rs;
	size_t nrs;
	struct k8s_event *ev;
	size_t nev;
	bool have_events;
	struct err events_err;
};

static char *
dupe(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

/* ---- the requests -------------------------------------------------------------- */

struct k8s_detail *
k8s_detail_new(enum k8s_kind kind, const char *ns, const char *name)
{
	struct k8s_detail *k = xcalloc(1, sizeof *k);

	k->kind = kind;
	k->ns = dupe(ns);
	k->name = dupe(name);
	return k;
}

static void
drop_answers(struct k8s_detail *k)
{
	k8s_workloads_free(k->w, k->nw);
	k8s_pods_free(k->pods, k->npods);
	k8s_replicasets_free(k->rs, k->nrs);
	k8s_events_free(k->ev, k->nev);
	k->w = NULL;
	k->pods = NULL;
	k->rs = NULL;
	k->ev = NULL;
	k->nw = k->npods = k->nrs = k->nev = 0;
	k->have_workload = k->have_events = k->more_pods = false;
	err_clear(&k->events_err);
}

void
k8s_detail_free(struct k8s_detail *k)
{
	if (k == NULL)
		return;
	drop_answers(k);
	free(k->ns);
	free(k->name);
	free(k->selector);
	free(k);
}

void
k8s_detail_begin(struct k8s_detail *k)
{
	drop_answers(k);
}

char *
k8s_detail_path(const struct k8s_detail *k, enum k8s_detail_req r)
{
	bool sel = k->have_workload && k->selector != NULL && k->selector[0] != '\0';

	switch (r) {
	case K8S_DETAIL_WORKLOAD:
		return k8s_object_path(k->kind, k->ns, k->name);
	case K8S_DETAIL_PODS:
		return sel ? k8s_list_path("v1", "pods", k->ns, K8S_DETAIL_MAX_PODS, NULL,
					   k->selector)
			   : NULL;
	case K8S_DETAIL_REPLICASETS:
		return sel && k->kind == K8S_DEPLOYMENT ? k8s_list_path("apps/v1", "replicasets",
									k->ns, 0, NULL, k->selector)
							: NULL;
	case K8S_DETAIL_EVENTS:
		return k8s_events_path(k->ns, NULL);
	default:
		return NULL;
	}
}

int
k8s_detail_take(struct k8s_detail *k, enum k8s_detail_req r, long status, const char *body,
		size_t len, struct err *e)
{
	char *cont = NULL;
	int rc = 0;

	switch (r) {
	case K8S_DETAIL_WORKLOAD:
		k8s_workloads_free(k->w, k->nw);
		rc = k8s_parse_workloads(status, body, len, k->kind, &k->w, &k->nw, &cont, e);
		if (rc == 0 && k->nw != 1) {
			rc = err_set(e, ERR_PARSE,
				     "kubernetes: %s %s/%s: %zu objects in the answer",
				     k8s_kind_name(k->kind), k->ns, k->name, k->nw);
		}
		k->have_workload = rc == 0;
		if (rc == 0) {
			free(k->selector);
			k->selector = dupe(k->w[0].selector);
		}
		break;
	case K8S_DETAIL_PODS:
		k8s_pods_free(k->pods, k->npods);
		rc = k8s_parse_pods(status, body, len, &k->pods, &k->npods, &cont, e);
		k->more_pods = rc == 0 && cont != NULL && cont[0] != '\0';
		break;
	case K8S_DETAIL_REPLICASETS:
		k8s_replicasets_free(k->rs, k->nrs);
		rc = k8s_parse_replicasets(status, body, len, &k->rs, &k->nrs, &cont, e);
		break;
	case K8S_DETAIL_EVENTS:
		k8s_events_free(k->ev, k->nev);
		k->ev = NULL;
		k->nev = 0;
		if (k8s_parse_events(status, body, len, &k->ev, &k->nev, &k->events_err) == 0)
			k->have_events = true;
		break;
	default:
		break;
	}
	free(cont);
	return rc < 0 ? -1 : 0;
}

bool
k8s_detail_failed(struct k8s_detail *k, enum k8s_detail_req r, const struct err *e)
{
	if (r != K8S_DETAIL_EVENTS)
		return true;
	k->have_events = false;
	k->events_err = *e;
	return false;
}

/* ---- what the answers become ------------------------------------------------------ */

bool
k8s_detail_reason_is_crit(const char *reason)
{
	static const char *const crit[] = {
		"CrashLoopBackOff",
		"ImagePullBackOff",
		"ErrImagePull",
		"InvalidImageName",
		"OOMKilled",
		"CreateContainerConfigError",
		"CreateContainerError",
		"RunContainerError",
		"ErrImageNeverPull",
		"Error",
		"ContainerCannotRun",
		"Evicted",
		"DeadlineExceeded",
		"StartError",
	};
	size_t i;

	for (i = 0; i < sizeof crit / sizeof crit[0]; i++)
		if (strcmp(reason, crit[i]) == 0)
			return true;
	return false;
}

static bool
pod_has_problem(const struct detail_pod *p)
{
	return p->ready < p->containers || strcmp(p->reason, "OOMKilled") == 0 ||
	       strcmp(p->last_exit, "OOMKilled") == 0 ||
	       (strcmp(p->phase, "Running") != 0 && strcmp(p->phase, "Succeeded") != 0);
}

static int
pod_cmp(const void *a, const void *b)
{
	const struct detail_pod *x = a, *y = b;
	bool px = pod_has_problem(x), py = pod_has_problem(y);

	if (px != py)
		return px ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The revision number, or -1 when it is none. */
static long long
revision_number(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	v = strtoll(s, &end, 10);
	return *end == '\0' ? v : -1;
}

static int
rev_cmp(const void *a, const void *b)
{
	const struct detail_revision *x = a, *y = b;
	long long rx = revision_number(x->revision), ry = revision_number(y->revision);

	if (rx != ry)
		return rx > ry ? -1 : 1;
	return x->created > y->created ? -1 : x->created < y->created;
}

static const struct k8s_replicaset *
owned_rs(const struct k8s_workload *w, const struct k8s_replicaset *rs, size_t nrs,
	 const char *name)
{
	size_t i;

	for (i = 0; i < nrs; i++)
		if (strcmp(rs[i].owner_name, w->name) == 0 && strcmp(rs[i].name, name) == 0)
			return &rs[i];
	return NULL;
}

/* name is prefix + "-" + something (all digits when digits). */
static bool
named_after(const char *name, const char *prefix, bool digits)
{
	size_t n = strlen(prefix);
	const char *p;

	if (n == 0 || strncmp(name, prefix, n) != 0 || name[n] != '-' || name[n + 1] == '\0')
		return false;
	if (!digits)
		return true;
	for (p = name + n + 1; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

/*
 * borrowed: why the container the pod's reason is about last ended, when
 * it waits (CrashLoopBackOff after OOMKilled: the loop's cause), else "".
 */
static const char *
last_exit_of(const struct k8s_pod *p)
{
	size_t i;

	for (i = 0; i < p->ncontainers; i++) {
		const struct k8s_container *c = &p->containers[i];

		if (p->reason[0] != '\0' && strcmp(c->waiting_reason, p->reason) == 0 &&
		    strcmp(c->last_term_reason, p->reason) != 0)
			return c->last_term_reason;
	}
	return "";
}

/*
 * The selector chose the pods; their controller says whose they are, in
 * case the server ignored the selector or another workload's selector
 * overlaps (kubectl warns of that, but it happens).  Pods without a
 * controller that match the selector are listed, as kubectl lists them.
 */
static bool
pod_is_ours(const struct k8s_workload *w, const struct k8s_replicaset *rs, size_t nrs,
	    const struct k8s_pod *p)
{
	if (p->owner_kind[0] == '\0')
		return true;
	if (w->kind == K8S_STATEFULSET)
		return strcmp(p->owner_kind, "StatefulSet") == 0 &&
		       strcmp(p->owner_name, w->name) == 0;
	return strcmp(p->owner_kind, "ReplicaSet") == 0 &&
	       (owned_rs(w, rs, nrs, p->owner_name) != NULL ||
		named_after(p->owner_name, w->name, false));
}

static void
build_pods(const struct k8s_workload *w, const struct k8s_pod *pods, size_t np,
	   const struct k8s_replicaset *rs, size_t nrs, struct detail_k8s *out)
{
	size_t i;

	out->pods = xcalloc(np + 1, sizeof *out->pods);
	for (i = 0; i < np; i++) {
		const struct k8s_pod *s = &pods[i];
		struct detail_pod *p;

		if (!pod_is_ours(w, rs, nrs, s))
			continue;
		p = &out->pods[out->npods++];
		const struct k8s_replicaset *r = strcmp(s->owner_kind, "ReplicaSet") == 0
							 ? owned_rs(w, rs, nrs, s->owner_name)
							 : NULL;

		p->name = dupe(s->name);
		p->phase = dupe(s->deleting ? "Terminating" : s->phase[0] ? s->phase : "Unknown");
		p->ready = s->ready_containers;
		p->containers = (long)s->ncontainers;
		p->restarts = s->restarts;
		p->node = dupe(s->node);
		p->started = s->started;
		p->reason = dupe(s->reason);
		p->last_exit = dupe(last_exit_of(s));
		p->revision = dupe(r != NULL ? r->revision : "");
	}
	if (out->npods > 1)
		qsort(out->pods, out->npods, sizeof *out->pods, pod_cmp);
}

/* borrowed: a StatefulSet revision's hash ("ledger-5967455bdc" -> "5967455bdc"), as the Overview shows it. */
static const char *
hash_of(const char *name)
{
	const char *dash = strrchr(name, '-');

	return dash != NULL && dash[1] != '\0' ? dash + 1 : name;
}

static void
build_revisions(const struct k8s_workload *w, const struct k8s_replicaset *rs, size_t nrs,
		struct detail_k8s *out)
{
	long long cur = revision_number(w->revision), best = -1;
	size_t i;

	out->revs = xcalloc(nrs + 2, sizeof *out->revs);
	if (w->kind == K8S_STATEFULSET) {
		/* No ReplicaSets: the controller's two revision names are what there is. */
		const char *names[2] = { w->update_revision, w->current_revision };

		for (i = 0; i < 2; i++) {
			struct detail_revision *r;

			if (names[i][0] == '\0' || (i == 1 && strcmp(names[0], names[1]) == 0))
				continue;
			r = &out->revs[out->nrevs++];
			r->revision = dupe(hash_of(names[i]));
			r->name = dupe(names[i]);
			r->images = dupe(i == 0 ? w->image : "");
			r->replicas = i == 0 ? w->replicas : -1;
			r->ready = i == 0 ? w->updated : -1;
			r->current = strcmp(names[i], w->current_revision) == 0;
		}
		return;
	}
	for (i = 0; i < nrs; i++) {
		struct detail_revision *r;

		if (strcmp(rs[i].owner_name, w->name) != 0)
			continue;
		r = &out->revs[out->nrevs++];
		r->revision = dupe(rs[i].revision);
		r->name = dupe(rs[i].name);
		r->images = dupe(rs[i].images);
		r->replicas = rs[i].replicas;
		r->ready = rs[i].ready;
		r->created = rs[i].created;
		r->current = cur >= 0 && revision_number(rs[i].revision) == cur;
		if (revision_number(rs[i].revision) < cur && revision_number(rs[i].revision) > best)
			best = revision_number(rs[i].revision);
	}
	if (out->nrevs > 1)
		qsort(out->revs, out->nrevs, sizeof *out->revs, rev_cmp);
	for (i = 0; i < out->nrevs; i++)
		out->revs[i].rollback = best >= 0 && revision_number(out->revs[i].revision) == best;
	while (out->nrevs > K8S_DETAIL_MAX_REVS) {
		struct detail_revision *r = &out->revs[--out->nrevs];

		free(r->revision);
		free(r->name);
		free(r->images);
	}
}

static bool
event_is_ours(const struct k8s_workload *w, const struct detail_k8s *out,
	      const struct k8s_replicaset *rs, size_t nrs, const struct k8s_event *ev)
{
	size_t i;

	if (strcmp(ev->object_kind, k8s_kind_name(w->kind)) == 0)
		return strcmp(ev->object_name, w->name) == 0;
	if (strcmp(ev->object_kind, "ReplicaSet") == 0)
		return owned_rs(w, rs, nrs, ev->object_name) != NULL;
	if (strcmp(ev->object_kind, "Pod") != 0)
		return false;
	for (i = 0; i < out->npods; i++)
		if (strcmp(out->pods[i].name, ev->object_name) == 0)
			return true;
	if (w->kind == K8S_STATEFULSET)
		return named_after(ev->object_name, w->name, true);
	for (i = 0; i < nrs; i++)
		if (strcmp(rs[i].owner_name, w->name) == 0 &&
		    named_after(ev->object_name, rs[i].name, false))
			return true;
	return false;
}

static void
build_events(const struct k8s_workload *w, const struct k8s_replicaset *rs, size_t nrs,
	     const struct k8s_event *ev, size_t nev, struct detail_k8s *out)
{
	size_t i;

	out->events = xcalloc(K8S_DETAIL_MAX_EVENTS + 1, sizeof *out->events);
	for (i = 0; i < nev && out->nevents < K8S_DETAIL_MAX_EVENTS; i++) {
		struct detail_event *e;
		char *kind;
		size_t j;

		if (!event_is_ours(w, out, rs, nrs, &ev[i]))
			continue;
		e = &out->events[out->nevents++];
		e->type = dupe(ev[i].type);
		e->reason = dupe(ev[i].reason);
		kind = dupe(ev[i].object_kind);
		for (j = 0; kind[j] != '\0'; j++)
			kind[j] = (char)tolower((unsigned char)kind[j]);
		e->object = xasprintf("%s/%s", kind, ev[i].object_name);
		free(kind);
		e->message = dupe(ev[i].message);
		e->count = ev[i].count > 0 ? ev[i].count : 1;
		e->last = ev[i].last;
	}
}

void
k8s_detail_build(const struct k8s_workload *w, const struct k8s_pod *pods, size_t npods, bool more,
		 const struct k8s_replicaset *rs, size_t nrs, const struct k8s_event *ev,
		 size_t nev, struct detail_k8s *out)
{
	detail_data_k8s_init(out);
	out->present = true;
	free(out->kind);
	out->kind = dupe(k8s_kind_name(w->kind));
	free(out->ns);
	out->ns = dupe(w->ns);
	free(out->revision);
	out->revision =
		dupe(w->kind == K8S_STATEFULSET ? hash_of(w->current_revision) : w->revision);
	if (w->kind == K8S_STATEFULSET && strcmp(w->update_revision, w->current_revision) != 0) {
		free(out->update_revision);
		out->update_revision = dupe(hash_of(w->update_revision));
	}
	out->replicas = w->replicas;
	out->ready = w->ready;
	out->updated = w->updated;
	out->available = w->available;
	out->paused = w->paused;
	out->more_pods = more;
	build_pods(w, pods, npods, rs, nrs, out);
	build_revisions(w, rs, nrs, out);
	build_events(w, rs, nrs, ev, nev, out);
}

static void
set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = dupe(s);
}

void
k8s_detail_fill(struct k8s_detail *k, struct detail_data *d)
{
	const struct k8s_workload *w;
	struct detail_k8s next;
	const char *msg = NULL, *state;
	size_t i;

	if (!k->have_workload) {
		drop_answers(k);
		return;
	}
	w = &k->w[0];
	k8s_detail_build(w, k->pods, k->npods, k->more_pods, k->rs, k->nrs, k->ev, k->nev, &next);
	if (!k->have_events) {
		/* The events failed: the last good list stays, with the error. */
		struct detail_event *keep = d->k8s.events;

		next.events_err = k->events_err;
		free(next.events);
		next.events = keep;
		next.nevents = d->k8s.nevents;
		d->k8s.events = NULL;
		d->k8s.nevents = 0;
	}
	detail_data_k8s_done(&d->k8s);
	d->k8s = next;
	state = k8s_rollout_state(w, &msg);
	set_str(&d->update_state, state);
	set_str(&d->update_message, msg);
	d->update_started = w->rolled_out;
	d->update_completed = strcmp(state, "completed") == 0 ? w->rolled_out : 0;
	set_str(&d->image, w->image);
	set_str(&d->tag, w->version);
	set_str(&d->prev_image, "");
	set_str(&d->prev_tag, "");
	for (i = 0; i < d->k8s.nrevs; i++) {
		const struct detail_revision *r = &d->k8s.revs[i];

		if (r->rollback) {
			size_t n = strcspn(r->images, ",");
			char *first = xstrndup(r->images, n);

			set_str(&d->prev_image, first);
			free(d->prev_tag);
			d->prev_tag = docker_image_tag(first);
			free(first);
			break;
		}
	}
	drop_answers(k);
}
