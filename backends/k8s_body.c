/*
 * k8s_body.c - the bodies of the Kubernetes actions (see k8s.h): scale,
 * restart as kubectl rollout restart writes it, and rollback as kubectl
 * rollout undo computes it.
 *
 * Why rollback is a JSON patch built here rather than a server call: the
 * rollback subresource (extensions/v1beta1 .../rollback) is gone since
 * Kubernetes 1.16; kubectl has done it client-side ever since, choosing
 * the ReplicaSet, copying its pod template into the Deployment and its
 * annotations onto the Deployment's.  Doing the same keeps opsdeck's
 * rollback indistinguishable from `kubectl rollout undo` in the
 * Deployment's history.
 */
#include "k8s.h"
#include "k8s_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "xalloc.h"

#define HASH_LABEL "pod-template-hash"

char *
k8s_scale_body(long replicas)
{
	return xasprintf("{\"spec\":{\"replicas\":%ld}}", replicas);
}

char *
k8s_restart_body(double now)
{
	time_t t = (time_t)now;
	struct tm tm;
	char ts[32];

	if (gmtime_r(&t, &tm) == NULL || strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(ts, sizeof ts, "1970-01-01T00:00:00Z");
	return xasprintf("{\"spec\":{\"template\":{\"metadata\":{\"annotations\":"
			 "{\"kubectl.kubernetes.io/restartedAt\":\"%s\"}}}}}",
			 ts);
}

/* ---- rollback ------------------------------------------------------------------ */

/*
 * The annotations kubectl neither copies from the ReplicaSet nor drops
 * from the Deployment: the Deployment's own bookkeeping (its revision and
 * history, the replica counts the controller writes on each ReplicaSet),
 * kubectl apply's record, and the old rollback request.
 */
static const char *const skip[] = {
	"kubectl.kubernetes.io/last-applied-configuration",
	"deployment.kubernetes.io/revision",
	"deployment.kubernetes.io/revision-history",
	"deployment.kubernetes.io/desired-replicas",
	"deployment.kubernetes.io/max-replicas",
	"deprecated.deployment.rollback.to",
};

static bool
skipped(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof skip / sizeof skip[0]; i++)
		if (strcmp(key, skip[i]) == 0)
			return true;
	return false;
}

/* A revision annotation as kubectl reads it (a decimal int64); -1 when it is not one. */
static long long
revision_of(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		return -1;
	return v;
}

/* Whether r belongs to the Deployment named name in ns. */
static bool
owned(const struct k8s_replicaset *r, const char *ns, const char *name)
{
	return r->owner_name != NULL && strcmp(r->owner_name, name) == 0 &&
	       (r->ns == NULL || *ns == '\0' || strcmp(r->ns, ns) == 0);
}

/*
 * The ReplicaSet to roll back to, or NULL with e filled.  With revision 0:
 * the highest revision below the Deployment's current one (cur), which
 * is kubectl's "second newest" when cur is the newest ReplicaSet's, as
 * the controller keeps it; without a readable cur, the second newest.
 */
static const struct k8s_replicaset *
choose(const struct k8s_replicaset *rs, size_t nrs, const char *ns, const char *name, long long cur,
       long long revision, struct err *e)
{
	const struct k8s_replicaset *best = NULL, *newest = NULL, *second = NULL;
	long long best_v = -1, newest_v = -1, second_v = -1, v;
	size_t i;

	for (i = 0; i < nrs; i++) {
		if (!owned(&rs[i], ns, name) || (v = revision_of(rs[i].revision)) < 0)
			continue;
		if (revision > 0) {
			if (v == revision)
				return &rs[i];
			continue;
		}
		if (cur >= 0 && v < cur && v > best_v) {
			best = &rs[i];
			best_v = v;
		}
		if (v > newest_v) {
			second = newest;
			second_v = newest_v;
			newest = &rs[i];
			newest_v = v;
		} else if (v > second_v) {
			second = &rs[i];
			second_v = v;
		}
	}
	if (revision > 0) {
		err_set(e, ERR_USAGE,
			"kubernetes: deployment %s: revision %lld not found — see its "
			"ReplicaSets' revisions (kubectl rollout history)",
			name, revision);
		return NULL;
	}
	if (cur < 0)
		best = second;
	if (best == NULL)
		err_set(e, ERR_USAGE,
			"kubernetes: deployment %s: no previous revision to roll back to (no "
			"rollout history found)",
			name);
	return best;
}

/* new: t without labels[pod-template-hash] (a copy). */
static json_t *
without_hash(const json_t *t)
{
	json_t *c = json_deep_copy(t);

	json_object_del(k8s_get(c, "metadata", "labels", NULL), HASH_LABEL);
	return c;
}

/*
 * new: the annotations kubectl writes: the Deployment's skipped ones
 * kept, then every other annotation of the ReplicaSet.  The Deployment's
 * other annotations are not kept: the ReplicaSet's are the ones that
 * revision had (the controller copied them from the Deployment then).
 */
static json_t *
annotations(const json_t *dep, const char *rs_json)
{
	json_t *out = json_object(), *from, *v;
	const char *k;
	size_t i;

	for (i = 0; i < sizeof skip / sizeof skip[0]; i++) {
		v = k8s_get(dep, "metadata", "annotations", skip[i], NULL);
		if (json_is_string(v))
			json_object_set(out, skip[i], v);
	}
	from = rs_json != NULL ? json_loads(rs_json, 0, NULL) : NULL;
	json_object_foreach(from, k, v)
	{
		if (!skipped(k) && json_is_string(v))
			json_object_set(out, k, v);
	}
	json_decref(from);
	return out;
}

char *
k8s_rollback_to_body(const char *deployment_json, size_t len, const struct k8s_replicaset *rs,
		     size_t nrs, long long revision, char **to_revision, struct err *e)
{
	const struct k8s_replicaset *r;
	json_t *dep, *tmpl = NULL, *cur_t, *patch;
	const char *name, *ns;
	char *out = NULL;

	if (to_revision != NULL)
		*to_revision = NULL;
	if (revision < 0) {
		err_set(e, ERR_USAGE, "kubernetes: revision %lld: a revision is 1 or more",
			revision);
		return NULL;
	}
	dep = k8s_load(200, deployment_json, len, "deployment", e);
	if (dep == NULL)
		return NULL;
	name = json_string_value(k8s_get(dep, "metadata", "name", NULL));
	ns = json_string_value(k8s_get(dep, "metadata", "namespace", NULL));
	if (name == NULL || !json_is_object(k8s_get(dep, "spec", "template", NULL))) {
		err_set(e, ERR_PARSE,
			"kubernetes: the deployment has no metadata.name or "
			"spec.template — pass the object GET returned");
		goto done;
	}
	if (ns == NULL)
		ns = "";
	if (json_is_true(k8s_get(dep, "spec", "paused", NULL))) {
		err_set(e, ERR_USAGE,
			"kubernetes: deployment %s is paused — resume it first (kubectl rollout "
			"resume), then roll back",
			name);
		goto done;
	}
	r = choose(
		rs, nrs, ns, name,
		revision_of(json_string_value(k8s_get(dep, "metadata", "annotations",
						      "deployment.kubernetes.io/revision", NULL))),
		revision, e);
	if (r == NULL)
		goto done;
	tmpl = r->template_json != NULL ? json_loads(r->template_json, 0, NULL) : NULL;
	if (!json_is_object(tmpl)) {
		err_set(e, ERR_PARSE,
			"kubernetes: replicaset %s has no pod template to roll back to", r->name);
		goto done;
	}
	json_object_del(k8s_get(tmpl, "metadata", "labels", NULL), HASH_LABEL);
	cur_t = without_hash(k8s_get(dep, "spec", "template", NULL));
	if (json_equal(cur_t, tmpl)) {
		json_decref(cur_t);
		err_set(e, ERR_USAGE,
			"kubernetes: deployment %s: the current template already matches "
			"revision %s — nothing to roll back",
			name, r->revision);
		goto done;
	}
	json_decref(cur_t);
	patch = json_pack("[{s:s, s:s, s:O}, {s:s, s:s, s:o}]", "op", "replace", "path",
			  "/spec/template", "value", tmpl, "op", "replace", "path",
			  "/metadata/annotations", "value", annotations(dep, r->annotations_json));
	out = patch != NULL ? json_dumps(patch, JSON_COMPACT) : NULL;
	json_decref(patch);
	if (out == NULL) {
		err_set(e, ERR_PARSE, "kubernetes: cannot write the rollback patch");
		goto done;
	}
	if (to_revision != NULL)
		*to_revision = xstrdup(r->revision);
done:
	json_decref(tmpl);
	json_decref(dep);
	return out;
}

char *
k8s_rollback_body(const char *deployment_json, size_t len, const struct k8s_replicaset *rs,
		  size_t nrs, char **to_revision, struct err *e)
{
	return k8s_rollback_to_body(deployment_json, len, rs, nrs, 0, to_revision, e);
}
