/*
 * k8s_parse.c - the parsers of one page of Deployments, StatefulSets and
 * ReplicaSets (see k8s.h); the envelope is k8s_json.c.
 *
 * The API server writes Go structs with omitempty: a count of 0, a false
 * bool, an empty map or list are left out, so every absent member reads
 * as its zero value here, and a member of the wrong type reads as absent
 * rather than failing the page.  Only an item that is not an object, or
 * has no metadata.name, fails the page: a list drawn with a hole in it
 * would mislead.  spec.replicas is the exception to omitempty (a pointer
 * in Go); absent it means 1, as the defaulting does.
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

/* ---- images ------------------------------------------------------------------- */

/* new: the tag of an image reference, the digest's first 12 hex, or "latest". */
static char *
image_version(const char *image)
{
	const char *at, *colon = NULL, *slash = NULL, *p, *dg;
	size_t n;

	if (image == NULL || *image == '\0')
		return xstrdup("");
	at = strchr(image, '@');
	n = at != NULL ? (size_t)(at - image) : strlen(image);
	for (p = image; p < image + n; p++) {
		if (*p == ':')
			colon = p;
		else if (*p == '/')
			slash = p;
	}
	/* a ':' before the last '/' is a registry port, not a tag */
	if (colon != NULL && (slash == NULL || colon > slash) && colon + 1 < image + n)
		return xstrndup(colon + 1, (size_t)(image + n - colon - 1));
	if (at != NULL) {
		dg = strchr(at + 1, ':');
		dg = dg != NULL ? dg + 1 : at + 1;
		return xstrndup(dg, 12);
	}
	return xstrdup("latest");
}

/* ---- workloads ------------------------------------------------------------------ */

static void
conditions_free(struct k8s_condition *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(c[i].type);
		free(c[i].status);
		free(c[i].reason);
		free(c[i].message);
	}
	free(c);
}

void
k8s_workloads_free(struct k8s_workload *w, size_t n)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(w[i].ns);
		free(w[i].name);
		free(w[i].uid);
		free(w[i].image);
		free(w[i].version);
		free(w[i].revision);
		free(w[i].selector);
		conditions_free(w[i].conditions, w[i].nconditions);
		free(w[i].current_revision);
		free(w[i].update_revision);
	}
	free(w);
}

static void
put_values(struct buf *b, const json_t *values)
{
	const json_t *v;
	size_t i;

	buf_putc(b, '(');
	json_array_foreach(values, i, v)
	{
		if (i > 0)
			buf_putc(b, ',');
		buf_puts(b, json_is_string(v) ? json_string_value(v) : "");
	}
	buf_putc(b, ')');
}

/*
 * new: a LabelSelector as the labelSelector query parameter reads it:
 * matchLabels "k=v", then matchExpressions "k in (a,b)", "k notin (a)",
 * "k", "!k", comma-joined.
 */
static char *
selector_string(const json_t *sel)
{
	struct buf b;
	const char *k;
	const json_t *v, *x;
	size_t i;

	buf_init(&b);
	json_object_foreach((json_t *)get(sel, "matchLabels", NULL), k, v)
	{
		buf_printf(&b, "%s%s=%s", b.len ? "," : "", k,
			   json_is_string(v) ? json_string_value(v) : "");
	}
	json_array_foreach(get(sel, "matchExpressions", NULL), i, x)
	{
		const char *key = json_string_value(json_object_get(x, "key"));
		const char *op = json_string_value(json_object_get(x, "operator"));

		if (key == NULL || op == NULL)
			continue;
		if (b.len)
			buf_putc(&b, ',');
		if (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0) {
			buf_printf(&b, "%s %s ", key, op[0] == 'I' ? "in" : "notin");
			put_values(&b, json_object_get(x, "values"));
		} else if (strcmp(op, "DoesNotExist") == 0) {
			buf_printf(&b, "!%s", key);
		} else {
			buf_puts(&b, key);
		}
	}
	return buf_steal(&b);
}

static void
parse_conditions(const json_t *j, struct k8s_workload *w)
{
	const json_t *conds = get(j, "status", "conditions", NULL), *c;
	size_t i, n = 0;

	w->conditions = xcalloc(json_array_size(conds) + 1, sizeof *w->conditions);
	json_array_foreach(conds, i, c)
	{
		struct k8s_condition *k = &w->conditions[n];
		double t;

		if (!json_is_object(c))
			continue;
		k->type = str(json_object_get(c, "type"));
		k->status = str(json_object_get(c, "status"));
		k->reason = str(json_object_get(c, "reason"));
		k->message = str(json_object_get(c, "message"));
		t = k8s_time_of(json_object_get(c, "lastUpdateTime"));
		k->last_update = t > 0 ? t : k8s_time_of(json_object_get(c, "lastTransitionTime"));
		if (strcmp(k->type, "Progressing") == 0 && k->last_update > w->rolled_out)
			w->rolled_out = k->last_update;
		n++;
	}
	w->nconditions = n;
}

static void
parse_workload(const json_t *j, enum k8s_kind kind, struct k8s_workload *w)
{
	const json_t *st = get(j, "status", NULL), *spec = get(j, "spec", NULL);
	const char *rev = k8s_annotation(j, "deployment.kubernetes.io/revision");

	w->kind = kind;
	w->ns = str(get(j, "metadata", "namespace", NULL));
	w->name = str(get(j, "metadata", "name", NULL));
	w->uid = str(get(j, "metadata", "uid", NULL));
	w->generation = k8s_num_ll(get(j, "metadata", "generation", NULL));
	w->observed_generation = k8s_num_ll(get(st, "observedGeneration", NULL));
	w->replicas = k8s_num(get(spec, "replicas", NULL), 1);
	w->status_replicas = k8s_num(get(st, "replicas", NULL), 0);
	w->ready = k8s_num(get(st, "readyReplicas", NULL), 0);
	w->updated = k8s_num(get(st, "updatedReplicas", NULL), 0);
	w->available = k8s_num(get(st, "availableReplicas", NULL), 0);
	w->unavailable = k8s_num(get(st, "unavailableReplicas", NULL), 0);
	w->image = str(get(json_array_get(get(spec, "template", "spec", "containers", NULL), 0),
			   "image", NULL));
	w->version = image_version(w->image);
	w->revision = xstrdup(rev != NULL ? rev : "");
	w->selector = selector_string(get(spec, "selector", NULL));
	w->created = k8s_time_of(get(j, "metadata", "creationTimestamp", NULL));
	w->paused = json_is_true(get(spec, "paused", NULL));
	parse_conditions(j, w);
	if (w->rolled_out == 0)
		w->rolled_out = w->created;
	w->current_revision =
		str(kind == K8S_STATEFULSET ? get(st, "currentRevision", NULL) : NULL);
	w->update_revision = str(kind == K8S_STATEFULSET ? get(st, "updateRevision", NULL) : NULL);
}

int
k8s_parse_workloads(long status, const char *body, size_t len, enum k8s_kind kind,
		    struct k8s_workload **out, size_t *n, char **cont, struct err *e)
{
	const char *what = k8s_kind_plural(kind);
	json_t *root, *items, *one, *j;
	struct k8s_workload *w;
	size_t i, cnt;

	*out = NULL;
	*n = 0;
	*cont = NULL;
	root = k8s_load(status, body, len, what, e);
	if (root == NULL)
		return -1;
	items = k8s_items_of(root, k8s_kind_name(kind), what, &one, e);
	if (items == NULL) {
		json_decref(root);
		return -1;
	}
	cnt = json_array_size(items);
	w = xcalloc(cnt + 1, sizeof *w);
	json_array_foreach(items, i, j)
	{
		if (k8s_item_name(j, what, i, e) == NULL) {
			k8s_workloads_free(w, i);
			json_decref(one);
			json_decref(root);
			return -1;
		}
		parse_workload(j, kind, &w[i]);
	}
	*cont = k8s_continue_of(root);
	json_decref(one);
	json_decref(root);
	*out = w;
	*n = cnt;
	return 0;
}

/* ---- replicasets ------------------------------------------------------------------ */

void
k8s_replicasets_free(struct k8s_replicaset *r, size_t n)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(r[i].ns);
		free(r[i].name);
		free(r[i].owner_name);
		free(r[i].revision);
		free(r[i].images);
		free(r[i].template_json);
		free(r[i].pod_template_hash);
		free(r[i].annotations_json);
	}
	free(r);
}

static void
parse_replicaset(const json_t *j, struct k8s_replicaset *r)
{
	const json_t *owner = k8s_controller_of(j), *c, *tmpl = get(j, "spec", "template", NULL);
	const json_t *ann;
	const char *rev = k8s_annotation(j, "deployment.kubernetes.io/revision");
	const char *h = k8s_label(j, "pod-template-hash");
	const char *okind = json_string_value(get(owner, "kind", NULL));
	struct buf b;
	size_t i;

	r->ns = str(get(j, "metadata", "namespace", NULL));
	r->name = str(get(j, "metadata", "name", NULL));
	r->owner_name =
		str(okind != NULL && strcmp(okind, "Deployment") == 0 ? get(owner, "name", NULL)
								      : NULL);
	r->revision = xstrdup(rev != NULL ? rev : "");
	buf_init(&b);
	json_array_foreach(get(tmpl, "spec", "containers", NULL), i, c)
	{
		const char *img = json_string_value(json_object_get(c, "image"));

		if (img != NULL)
			buf_printf(&b, "%s%s", b.len ? ", " : "", img);
	}
	r->images = buf_steal(&b);
	r->replicas = k8s_num(get(j, "spec", "replicas", NULL), 1);
	r->ready = k8s_num(get(j, "status", "readyReplicas", NULL), 0);
	r->created = k8s_time_of(get(j, "metadata", "creationTimestamp", NULL));
	r->template_json = json_is_object(tmpl) ? json_dumps(tmpl, JSON_COMPACT) : NULL;
	if (r->template_json == NULL)
		r->template_json = xstrdup("{}");
	r->pod_template_hash = xstrdup(h != NULL ? h : "");
	ann = get(j, "metadata", "annotations", NULL);
	r->annotations_json = json_is_object(ann) ? json_dumps(ann, JSON_COMPACT) : NULL;
	if (r->annotations_json == NULL)
		r->annotations_json = xstrdup("{}");
}

int
k8s_parse_replicasets(long status, const char *body, size_t len, struct k8s_replicaset **out,
		      size_t *n, char **cont, struct err *e)
{
	json_t *root, *items, *one, *j;
	struct k8s_replicaset *r;
	size_t i, cnt;

	*out = NULL;
	*n = 0;
	*cont = NULL;
	root = k8s_load(status, body, len, "replicasets", e);
	if (root == NULL)
		return -1;
	items = k8s_items_of(root, "ReplicaSet", "replicasets", &one, e);
	if (items == NULL) {
		json_decref(root);
		return -1;
	}
	cnt = json_array_size(items);
	r = xcalloc(cnt + 1, sizeof *r);
	json_array_foreach(items, i, j)
	{
		if (k8s_item_name(j, "replicasets", i, e) == NULL) {
			k8s_replicasets_free(r, i);
			json_decref(one);
			json_decref(root);
			return -1;
		}
		parse_replicaset(j, &r[i]);
	}
	*cont = k8s_continue_of(root);
	json_decref(one);
	json_decref(root);
	*out = r;
	*n = cnt;
	return 0;
}
