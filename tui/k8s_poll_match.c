/*
 * k8s_poll_match.c - which workload each pod belongs to, and which
 * workload names need their namespace to be told apart; see k8s_poll.h.
 *
 * Pods name their controller, not the Deployment: a Deployment's pods are
 * owned by a ReplicaSet named DEPLOYMENT-HASH, HASH being the pods'
 * pod-template-hash label.  The workloads are sorted once and each pod is
 * looked up by (namespace, kind, name), so a round costs O(n log n) for
 * any number of pods.
 */
#include <stdlib.h>
#include <string.h>

#include "k8s_poll.h"
#include "xalloc.h"

enum status
k8s_reason_severity(const char *reason)
{
	static const char *const warn[] = {
		"OOMKilled",        "ImagePullBackOff",           "ErrImagePull",
		"InvalidImageName", "CreateContainerConfigError", "CreateContainerError",
		"RunContainerError"
	};
	size_t i;

	if (reason == NULL || reason[0] == '\0')
		return STATUS_OK;
	if (strcmp(reason, "CrashLoopBackOff") == 0)
		return STATUS_CRIT;
	for (i = 0; i < sizeof warn / sizeof warn[0]; i++)
		if (strcmp(reason, warn[i]) == 0)
			return STATUS_WARN;
	return STATUS_OK;
}

static int
cmp_key(const char *ns1, enum k8s_kind k1, const char *n1, const char *ns2, enum k8s_kind k2,
	const char *n2)
{
	int c = strcmp(ns1, ns2);

	if (c != 0)
		return c;
	if (k1 != k2)
		return k1 < k2 ? -1 : 1;
	return strcmp(n1, n2);
}

static int
cmp_workload(const void *a, const void *b)
{
	const struct k8s_workload *x = *(const struct k8s_workload *const *)a;
	const struct k8s_workload *y = *(const struct k8s_workload *const *)b;

	return cmp_key(x->ns, x->kind, x->name, y->ns, y->kind, y->name);
}

/* The workload a pod's controller points at, as (kind, name) into buf. */
static bool
owner_of(const struct k8s_pod *p, enum k8s_kind *kind, char *buf, size_t n)
{
	const char *o = p->owner_name;
	size_t ol = strlen(o), hl = strlen(p->pod_template_hash);
	const char *dash;

	if (strcmp(p->owner_kind, "StatefulSet") == 0) {
		if (ol == 0 || ol >= n)
			return false;
		*kind = K8S_STATEFULSET;
		memcpy(buf, o, ol + 1);
		return true;
	}
	if (strcmp(p->owner_kind, "ReplicaSet") != 0 || ol == 0)
		return false;
	*kind = K8S_DEPLOYMENT;
	if (hl > 0 && ol > hl + 1 && o[ol - hl - 1] == '-' &&
	    strcmp(o + ol - hl, p->pod_template_hash) == 0)
		ol -= hl + 1;
	else if ((dash = strrchr(o, '-')) != NULL && dash != o)
		ol = (size_t)(dash - o); /* no hash label: the ReplicaSet's last dash */
	else
		return false;
	if (ol >= n)
		return false;
	memcpy(buf, o, ol);
	buf[ol] = '\0';
	return true;
}

void
k8s_match_pods(const struct k8s_workload *w, size_t nw, const struct k8s_pod *pods, size_t np,
	       struct k8s_pods_of *out)
{
	const struct k8s_workload **idx;
	size_t i;
	char name[256];

	memset(out, 0, nw * sizeof *out);
	if (nw == 0)
		return;
	idx = xcalloc(nw, sizeof *idx);
	for (i = 0; i < nw; i++)
		idx[i] = &w[i];
	qsort(idx, nw, sizeof *idx, cmp_workload);
	for (i = 0; i < np; i++) {
		const struct k8s_pod *p = &pods[i];
		struct k8s_workload key;
		const struct k8s_workload *kp = &key, **hit;
		struct k8s_pods_of *o;
		enum status sev;

		memset(&key, 0, sizeof key);
		if (!owner_of(p, &key.kind, name, sizeof name))
			continue;
		key.ns = (char *)p->ns;
		key.name = name;
		hit = bsearch(&kp, idx, nw, sizeof *idx, cmp_workload);
		if (hit == NULL)
			continue;
		o = &out[*hit - w];
		o->pods++;
		if (p->restarts > 0)
			o->restarts += p->restarts;
		if (p->deleting)
			continue; /* going away: its state is no news */
		sev = k8s_reason_severity(p->reason);
		if (sev == STATUS_OK)
			continue;
		if (sev > o->problem) {
			o->problem = sev;
			o->reason = p->reason;
			o->pod = p->name;
			o->with_reason = 1;
		} else if (sev == o->problem && strcmp(o->reason, p->reason) == 0) {
			o->with_reason++;
		}
	}
	free(idx);
}

static int
cmp_name(const void *a, const void *b)
{
	const struct k8s_workload *x = *(const struct k8s_workload *const *)a;
	const struct k8s_workload *y = *(const struct k8s_workload *const *)b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->ns, y->ns);
}

void
k8s_duplicate_names(const struct k8s_workload *w, size_t nw, bool *dup)
{
	const struct k8s_workload **idx;
	size_t i, j;

	memset(dup, 0, nw * sizeof *dup);
	if (nw < 2)
		return;
	idx = xcalloc(nw, sizeof *idx);
	for (i = 0; i < nw; i++)
		idx[i] = &w[i];
	qsort(idx, nw, sizeof *idx, cmp_name);
	for (i = 0; i < nw; i = j) {
		bool other_ns = false;

		for (j = i + 1; j < nw && strcmp(idx[j]->name, idx[i]->name) == 0; j++)
			if (strcmp(idx[j]->ns, idx[i]->ns) != 0)
				other_ns = true;
		if (other_ns)
			for (; i < j; i++)
				dup[idx[i] - w] = true;
	}
	free(idx);
}
