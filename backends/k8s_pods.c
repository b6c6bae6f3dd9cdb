/*
 * k8s_pods.c - the parsers of one page of Pods and of Events (see k8s.h);
 * the envelope is k8s_json.c.  Absent members read as their zero values,
 * as in k8s_parse.c.
 */
#include "k8s.h"
#include "k8s_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "xalloc.h"

#define get k8s_get
#define str k8s_str

/* ---- pods ----------------------------------------------------------------------- */

void
k8s_pods_free(struct k8s_pod *p, size_t n)
{
	size_t i, k;

	if (p == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(p[i].ns);
		free(p[i].name);
		free(p[i].phase);
		free(p[i].node);
		free(p[i].owner_kind);
		free(p[i].owner_name);
		free(p[i].pod_template_hash);
		for (k = 0; k < p[i].ncontainers; k++) {
			free(p[i].containers[k].name);
			free(p[i].containers[k].waiting_reason);
			free(p[i].containers[k].last_term_reason);
			free(p[i].containers[k].image);
		}
		free(p[i].containers);
		free(p[i].reason);
	}
	free(p);
}

/*
 * How bad a container reason is, for the pod's one reason.  A waiting
 * reason always outranks a past termination (the container is not running
 * now); among waiting ones the loops a user must fix come first.
 */
static int
waiting_rank(const char *r)
{
	static const char *const order[] = {
		"CrashLoopBackOff",  "ImagePullBackOff",           "ErrImagePull",
		"InvalidImageName",  "CreateContainerConfigError", "CreateContainerError",
		"RunContainerError", "ErrImageNeverPull",
	};
	size_t i;

	if (*r == '\0')
		return 0;
	for (i = 0; i < sizeof order / sizeof order[0]; i++)
		if (strcmp(r, order[i]) == 0)
			return 300 - (int)i;
	if (strcmp(r, "ContainerCreating") == 0 || strcmp(r, "PodInitializing") == 0)
		return 200;
	return 250;
}

static int
term_rank(const char *r)
{
	if (*r == '\0' || strcmp(r, "Completed") == 0)
		return 0;
	if (strcmp(r, "OOMKilled") == 0)
		return 150;
	if (strcmp(r, "Error") == 0)
		return 120;
	return 130;
}

/* The container status of name among statuses (borrowed), else NULL. */
static json_t *
status_of(const json_t *statuses, const char *name)
{
	json_t *s;
	size_t i;

	json_array_foreach(statuses, i, s)
	{
		const char *n = json_string_value(json_object_get(s, "name"));

		if (n != NULL && strcmp(n, name) == 0)
			return s;
	}
	return NULL;
}

static void
parse_container(const json_t *spec_c, const json_t *st, struct k8s_container *c)
{
	const char *last = json_string_value(get(st, "lastState", "terminated", "reason", NULL));

	c->name = str(get(spec_c, "name", NULL));
	c->image = str(get(spec_c, "image", NULL));
	c->ready = json_is_true(get(st, "ready", NULL));
	c->restarts = k8s_num(get(st, "restartCount", NULL), 0);
	c->waiting_reason = str(get(st, "state", "waiting", "reason", NULL));
	/* a container that ended and is not restarted (restartPolicy Never) */
	if (last == NULL)
		last = json_string_value(get(st, "state", "terminated", "reason", NULL));
	c->last_term_reason = xstrdup(last != NULL ? last : "");
}

/* The worst reason among init containers still waiting (borrowed), else "". */
static const char *
init_reason(const json_t *j, int *rank)
{
	const json_t *s;
	const char *best = "", *r;
	size_t i;

	*rank = 0;
	json_array_foreach(get(j, "status", "initContainerStatuses", NULL), i, s)
	{
		r = json_string_value(get(s, "state", "waiting", "reason", NULL));
		if (r == NULL || strcmp(r, "PodInitializing") == 0)
			continue;
		if (waiting_rank(r) > *rank) {
			*rank = waiting_rank(r);
			best = r;
		}
	}
	return best;
}

static void
parse_pod(const json_t *j, struct k8s_pod *p)
{
	const json_t *specs = get(j, "spec", "containers", NULL), *c;
	const json_t *statuses = get(j, "status", "containerStatuses", NULL);
	const json_t *owner = k8s_controller_of(j);
	const char *h = k8s_label(j, "pod-template-hash"), *reason = "", *r;
	int best = 0, rank;
	size_t i;

	p->ns = str(get(j, "metadata", "namespace", NULL));
	p->name = str(get(j, "metadata", "name", NULL));
	p->phase = str(get(j, "status", "phase", NULL));
	p->node = str(get(j, "spec", "nodeName", NULL));
	p->owner_kind = str(get(owner, "kind", NULL));
	p->owner_name = str(get(owner, "name", NULL));
	p->pod_template_hash = xstrdup(h != NULL ? h : "");
	p->started = k8s_time_of(get(j, "status", "startTime", NULL));
	if (p->started == 0)
		p->started = k8s_time_of(get(j, "metadata", "creationTimestamp", NULL));
	p->deleting = json_is_string(get(j, "metadata", "deletionTimestamp", NULL));
	p->containers = xcalloc(json_array_size(specs) + 1, sizeof *p->containers);
	json_array_foreach(specs, i, c)
	{
		struct k8s_container *k = &p->containers[p->ncontainers];
		const char *name = json_string_value(json_object_get(c, "name"));

		if (name == NULL)
			continue;
		parse_container(c, status_of(statuses, name), k);
		p->ncontainers++;
		p->ready_containers += k->ready;
		p->restarts += k->restarts;
		rank = k->waiting_reason[0] ? waiting_rank(k->waiting_reason)
					    : term_rank(k->last_term_reason);
		if (rank > best) {
			best = rank;
			reason = k->waiting_reason[0] ? k->waiting_reason : k->last_term_reason;
		}
	}
	/* an init container stuck in a loop keeps the others waiting: it is the reason */
	r = init_reason(j, &rank);
	if (rank > 0 && rank >= best && strcmp(r, "") != 0) {
		best = rank;
		reason = r;
	}
	/* the pod's own reason (Evicted, NodeLost, UnexpectedAdmissionError) */
	if (best == 0 && json_is_string(get(j, "status", "reason", NULL)))
		reason = json_string_value(get(j, "status", "reason", NULL));
	p->reason = xstrdup(reason);
}

int
k8s_parse_pods(long status, const char *body, size_t len, struct k8s_pod **out, size_t *n,
	       char **cont, struct err *e)
{
	json_t *root, *items, *one, *j;
	struct k8s_pod *p;
	size_t i, cnt;

	*out = NULL;
	*n = 0;
	*cont = NULL;
	root = k8s_load(status, body, len, "pods", e);
	if (root == NULL)
		return -1;
	items = k8s_items_of(root, "Pod", "pods", &one, e);
	if (items == NULL) {
		json_decref(root);
		return -1;
	}
	cnt = json_array_size(items);
	p = xcalloc(cnt + 1, sizeof *p);
	json_array_foreach(items, i, j)
	{
		if (k8s_item_name(j, "pods", i, e) == NULL) {
			k8s_pods_free(p, i);
			json_decref(one);
			json_decref(root);
			return -1;
		}
		parse_pod(j, &p[i]);
	}
	*cont = k8s_continue_of(root);
	json_decref(one);
	json_decref(root);
	*out = p;
	*n = cnt;
	return 0;
}

/* ---- events ------------------------------------------------------------------------ */

void
k8s_events_free(struct k8s_event *ev, size_t n)
{
	size_t i;

	if (ev == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(ev[i].type);
		free(ev[i].reason);
		free(ev[i].message);
		free(ev[i].object_kind);
		free(ev[i].object_name);
	}
	free(ev);
}

/* Newest first; equal times keep the server's order reversed (it lists oldest first). */
struct ev_key {
	double last;
	size_t index;
};

static int
event_cmp(const void *a, const void *b)
{
	const struct ev_key *x = a, *y = b;

	if (x->last != y->last)
		return x->last > y->last ? -1 : 1;
	return x->index > y->index ? -1 : x->index < y->index;
}

static void
parse_event(const json_t *j, struct k8s_event *ev)
{
	double t;

	ev->type = str(get(j, "type", NULL));
	ev->reason = str(get(j, "reason", NULL));
	ev->message = str(get(j, "message", NULL));
	ev->object_kind = str(get(j, "involvedObject", "kind", NULL));
	ev->object_name = str(get(j, "involvedObject", "name", NULL));
	/* events written through events.k8s.io keep their count in series */
	ev->count = k8s_num(get(j, "count", NULL), 0);
	if (ev->count <= 0)
		ev->count = k8s_num(get(j, "series", "count", NULL), 1);
	if (ev->count <= 0)
		ev->count = 1;
	t = k8s_time_of(get(j, "lastTimestamp", NULL));
	if (t == 0)
		t = k8s_time_of(get(j, "series", "lastObservedTime", NULL));
	if (t == 0)
		t = k8s_time_of(get(j, "eventTime", NULL));
	if (t == 0)
		t = k8s_time_of(get(j, "firstTimestamp", NULL));
	ev->last = t;
}

int
k8s_parse_events(long status, const char *body, size_t len, struct k8s_event **out, size_t *n,
		 struct err *e)
{
	json_t *root, *items, *one, *j;
	struct k8s_event *ev, *sorted;
	struct ev_key *keys;
	size_t i, cnt;

	*out = NULL;
	*n = 0;
	root = k8s_load(status, body, len, "events", e);
	if (root == NULL)
		return -1;
	items = k8s_items_of(root, "Event", "events", &one, e);
	if (items == NULL) {
		json_decref(root);
		return -1;
	}
	cnt = json_array_size(items);
	ev = xcalloc(cnt + 1, sizeof *ev);
	json_array_foreach(items, i, j)
	{
		if (k8s_item_name(j, "events", i, e) == NULL) {
			k8s_events_free(ev, i);
			json_decref(one);
			json_decref(root);
			return -1;
		}
		parse_event(j, &ev[i]);
	}
	json_decref(one);
	json_decref(root);
	keys = xcalloc(cnt + 1, sizeof *keys);
	for (i = 0; i < cnt; i++) {
		keys[i].last = ev[i].last;
		keys[i].index = i;
	}
	qsort(keys, cnt, sizeof *keys, event_cmp);
	sorted = xcalloc(cnt + 1, sizeof *sorted);
	for (i = 0; i < cnt; i++)
		sorted[i] = ev[keys[i].index];
	free(keys);
	free(ev);
	ev = sorted;
	*out = ev;
	*n = cnt;
	return 0;
}
