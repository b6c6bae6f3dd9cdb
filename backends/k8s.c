/*
 * k8s.c - the Kubernetes backend's names, request paths, read-only
 * allow-list and rollout state (see k8s.h).  The parsers are in
 * k8s_json.c, k8s_parse.c and k8s_pods.c, the actions' bodies in
 * k8s_body.c.
 */
#include "k8s.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "http.h"
#include "xalloc.h"

const char *
k8s_kind_name(enum k8s_kind k)
{
	return k == K8S_STATEFULSET ? "StatefulSet" : "Deployment";
}

const char *
k8s_kind_plural(enum k8s_kind k)
{
	return k == K8S_STATEFULSET ? "statefulsets" : "deployments";
}

/* ---- the read allow-list ------------------------------------------------------- */

/*
 * GETs only, and not every GET: pods/exec, pods/attach and
 * pods/portforward are GETs upgraded to a stream that runs commands or
 * opens ports, and a .../proxy GET (services, pods, nodes, or the old
 * /api/v1/proxy/...) reaches whatever the proxied server does.  Those
 * subresources are refused; an object that merely has such a name is
 * not.  A path that could mean something else once normalised (empty,
 * "." or ".." segments, percent-escapes in the path, '#', '\') is
 * refused too.
 */
bool
k8s_is_read(enum http_method method, const char *path)
{
	static const char *const streams[] = { "exec", "attach", "portforward", "proxy" };
	char copy[1024], *p, *slash, *seg[16];
	size_t len, i, n = 0, r;

	if (method != HTTP_GET || path == NULL || path[0] != '/' || strchr(path, '#') != NULL)
		return false;
	len = strcspn(path, "?");
	if (len >= sizeof copy || memchr(path, '%', len) != NULL || memchr(path, '\\', len) != NULL)
		return false;
	memcpy(copy, path, len);
	copy[len] = '\0';
	if (strcmp(copy, "/version") == 0)
		return true;
	for (p = copy + 1;; p = slash + 1) {
		slash = strchr(p, '/');
		if (slash != NULL)
			*slash = '\0';
		if (*p == '\0' || strcmp(p, ".") == 0 || strcmp(p, "..") == 0 ||
		    n == sizeof seg / sizeof seg[0])
			return false;
		seg[n++] = p;
		if (slash == NULL)
			break;
	}
	/* the prefix: /api/v1 or /apis/GROUP/VERSION (discovery above it) */
	if (strcmp(seg[0], "api") == 0)
		r = 2;
	else if (strcmp(seg[0], "apis") == 0)
		r = 3;
	else
		return false;
	if (n <= r)
		return true;
	if (strcmp(seg[r], "proxy") == 0)
		return false;
	if (strcmp(seg[r], "namespaces") == 0 && n >= r + 2)
		r += 2;
	/* RESOURCE / NAME / SUBRESOURCE */
	if (n > r + 2)
		for (i = 0; i < sizeof streams / sizeof streams[0]; i++)
			if (strcmp(seg[r + 2], streams[i]) == 0)
				return false;
	return true;
}

/* ---- paths ---------------------------------------------------------------------- */

/* Append "/api/v1" or "/apis/GV", then "/namespaces/NS" when ns is set. */
static void
put_prefix(struct buf *b, const char *gv, const char *ns)
{
	char *enc;

	if (gv == NULL || *gv == '\0' || strcmp(gv, "v1") == 0) {
		buf_puts(b, "/api/v1");
	} else {
		buf_puts(b, "/apis/");
		buf_puts(b, gv); /* "apps/v1": its '/' is the path's */
	}
	if (ns != NULL && *ns != '\0') {
		enc = http_urlencode(ns);
		buf_printf(b, "/namespaces/%s", enc);
		free(enc);
	}
}

static void
put_segment(struct buf *b, const char *s)
{
	char *enc = http_urlencode(s != NULL ? s : "");

	buf_putc(b, '/');
	buf_puts(b, enc);
	free(enc);
}

static void
put_param(struct buf *b, const char *name, const char *value)
{
	char *enc = http_urlencode(value);

	buf_printf(b, "%c%s=%s", strchr(b->data, '?') != NULL ? '&' : '?', name, enc);
	free(enc);
}

char *
k8s_list_path(const char *group_version, const char *resource, const char *ns, int limit,
	      const char *cont, const char *selector)
{
	struct buf b;
	char n[24];

	buf_init(&b);
	put_prefix(&b, group_version, ns);
	put_segment(&b, resource);
	if (limit > 0) {
		snprintf(n, sizeof n, "%d", limit);
		put_param(&b, "limit", n);
	}
	if (cont != NULL && *cont != '\0')
		put_param(&b, "continue", cont);
	if (selector != NULL && *selector != '\0')
		put_param(&b, "labelSelector", selector);
	return buf_steal(&b);
}

char *
k8s_object_path(enum k8s_kind k, const char *ns, const char *name)
{
	struct buf b;

	buf_init(&b);
	put_prefix(&b, "apps/v1", ns);
	put_segment(&b, k8s_kind_plural(k));
	put_segment(&b, name);
	return buf_steal(&b);
}

char *
k8s_scale_path(enum k8s_kind k, const char *ns, const char *name)
{
	struct buf b;

	buf_init(&b);
	put_prefix(&b, "apps/v1", ns);
	put_segment(&b, k8s_kind_plural(k));
	put_segment(&b, name);
	buf_puts(&b, "/scale");
	return buf_steal(&b);
}

char *
k8s_events_path(const char *ns, const char *involved_name)
{
	struct buf b;
	char *sel;

	buf_init(&b);
	put_prefix(&b, "v1", ns);
	buf_puts(&b, "/events");
	if (involved_name != NULL && *involved_name != '\0') {
		sel = xasprintf("involvedObject.name=%s", involved_name);
		put_param(&b, "fieldSelector", sel);
		free(sel);
	}
	return buf_steal(&b);
}

/* ---- rollout state ------------------------------------------------------------------ */

static const struct k8s_condition *
condition(const struct k8s_workload *w, const char *type)
{
	size_t i;

	for (i = 0; i < w->nconditions; i++)
		if (strcmp(w->conditions[i].type, type) == 0)
			return &w->conditions[i];
	return NULL;
}

/*
 * The order is kubectl rollout status's: a deadline exceeded is final
 * whatever the counts say; a paused rollout does not progress, so saying
 * "updating" would promise what will not happen; then the generation
 * (the controller has not seen the change yet), then the counts.
 */
const char *
k8s_rollout_state(const struct k8s_workload *w, const char **message)
{
	const struct k8s_condition *prog = condition(w, "Progressing");
	const char *msg = NULL, *state;

	if (prog != NULL && strcmp(prog->reason, "ProgressDeadlineExceeded") == 0) {
		state = "failed";
		msg = prog->message;
	} else if (w->paused) {
		state = "paused";
	} else if (w->observed_generation < w->generation) {
		state = "updating";
	} else if (w->kind == K8S_STATEFULSET) {
		/* a StatefulSet rolls one pod at a time until both revisions agree */
		if ((w->update_revision[0] != '\0' &&
		     strcmp(w->current_revision, w->update_revision) != 0) ||
		    w->updated < w->replicas || w->ready < w->replicas)
			state = "updating";
		else
			state = "completed";
	} else if (w->updated < w->replicas || w->status_replicas > w->updated ||
		   w->available < w->updated) {
		state = "updating";
		if (prog != NULL && prog->message[0] != '\0')
			msg = prog->message;
	} else {
		state = "completed";
	}
	if (message != NULL)
		*message = msg != NULL && *msg != '\0' ? msg : NULL;
	return state;
}
