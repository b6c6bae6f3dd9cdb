/*
 * k8s_json.c - the envelope of every Kubernetes API answer (see k8s.h and
 * k8s_internal.h): the status, Status objects, the JSON object, the items
 * of a list and the readers the parsers share.
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

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "http.h"
#include "parse.h"
#include "xalloc.h"

/* ---- small readers ------------------------------------------------------------ */

json_t *
k8s_get(const json_t *root, ...)
{
	va_list ap;
	const char *k;
	json_t *j = (json_t *)root;

	va_start(ap, root);
	while (j != NULL && (k = va_arg(ap, const char *)) != NULL)
		j = json_object_get(j, k);
	va_end(ap);
	return j;
}

char *
k8s_str(const json_t *j)
{
	return xstrdup(json_is_string(j) ? json_string_value(j) : "");
}

long
k8s_num(const json_t *j, long dflt)
{
	double d;

	if (json_is_integer(j))
		return (long)json_integer_value(j);
	if (!json_is_real(j))
		return dflt;
	d = json_real_value(j);
	return d >= -2e18 && d <= 2e18 ? (long)d : dflt;
}

long long
k8s_num_ll(const json_t *j)
{
	return json_is_integer(j) ? (long long)json_integer_value(j) : (long long)k8s_num(j, 0);
}

double
k8s_time(const char *s)
{
	double t;

	/* 0 for unknown: a bad time, Go's zero time, anything before 1971. */
	return parse_rfc3339(s, &t) == 0 && t >= 31536000.0 ? t : 0;
}

double
k8s_time_of(const json_t *j)
{
	return k8s_time(json_string_value(j));
}

/* ---- the envelope ------------------------------------------------------------- */

static bool
ok_status(long status)
{
	return status >= 200 && status <= 299;
}

/* What to do about a status the server explained (or did not). */
static const char *
advice(long status)
{
	switch (status) {
	case 401:
		return "check the user's credentials in the kubeconfig (token, client "
		       "certificate, or the exec plugin's login; an expired token needs a new "
		       "login)";
	case 403:
		return "the user lacks the RBAC permission; check with kubectl auth can-i";
	case 404:
		return "check the namespace and the name, and that the cluster serves this API";
	case 409:
		return "the object changed meanwhile; refresh and try again";
	case 422:
		return "the server refused the change as invalid";
	case 429:
		return "the API server is throttling; raise [general] refresh";
	default:
		return NULL;
	}
}

int
k8s_parse_status_error(long status, const char *body, size_t len, struct err *e)
{
	json_t *root = NULL, *msg;
	const char *m, *reason, *tip = advice(status);
	enum err_code code = status == 401 || status == 403 ? ERR_AUTH : ERR_BACKEND;
	char snip[80];
	int rc;

	if (body == NULL)
		len = 0;
	if (len > 0)
		root = json_loadb(body, len, 0, NULL);
	msg = k8s_get(root, "message", NULL);
	if (json_is_object(root) && json_is_string(msg)) {
		m = json_string_value(msg);
		reason = json_string_value(k8s_get(root, "reason", NULL));
		if (reason == NULL || *reason == '\0')
			reason = NULL;
		/* 401 and 403 carry the way out; other Status messages say enough */
		if (code == ERR_AUTH)
			rc = err_set(e, code, "kubernetes: %s%s%s%s — %s",
				     *m != '\0' ? m : http_status_reason(status) + 1,
				     reason ? " (" : "", reason ? reason : "", reason ? ")" : "",
				     tip);
		else
			rc = err_set(e, code, "kubernetes: %s%s%s%s",
				     *m != '\0' ? m : "(empty message)", reason ? " (" : "",
				     reason ? reason : "", reason ? ")" : "");
		json_decref(root);
		return rc;
	}
	json_decref(root);
	if (status <= 0)
		return err_set(e, ERR_HTTP,
			       "kubernetes: no answer — check the cluster's server in the "
			       "kubeconfig");
	http_body_excerpt(body, len, 60, 0, snip, sizeof snip);
	if (tip == NULL)
		tip = "check the cluster's server in the kubeconfig points at the API server";
	if (snip[0] == '\0')
		return err_set(e, code == ERR_AUTH ? ERR_AUTH : ERR_HTTP,
			       "kubernetes: HTTP %ld%s with an empty body — %s", status,
			       http_status_reason(status), tip);
	return err_set(e, code == ERR_AUTH ? ERR_AUTH : ERR_HTTP,
		       "kubernetes: HTTP %ld%s (body starts with '%s') — %s", status,
		       http_status_reason(status), snip, tip);
}

json_t *
k8s_load(long status, const char *body, size_t len, const char *what, struct err *e)
{
	json_t *root;
	char snip[64];

	if (body == NULL)
		len = 0;
	if (!ok_status(status)) {
		k8s_parse_status_error(status, body, len, e);
		return NULL;
	}
	root = len > 0 ? json_loadb(body, len, 0, NULL) : NULL;
	if (!json_is_object(root)) {
		json_decref(root);
		http_body_excerpt(body, len, 40, 0, snip, sizeof snip);
		err_set(e, ERR_PARSE,
			"kubernetes: %s: HTTP %ld with a body that is not a JSON object "
			"(starts with '%s') — check the cluster's server in the kubeconfig",
			what, status, snip);
		return NULL;
	}
	if (json_is_string(k8s_get(root, "kind", NULL)) &&
	    strcmp(json_string_value(k8s_get(root, "kind", NULL)), "Status") == 0 &&
	    json_is_string(k8s_get(root, "status", NULL)) &&
	    strcmp(json_string_value(k8s_get(root, "status", NULL)), "Failure") == 0) {
		long code = k8s_num(k8s_get(root, "code", NULL), 500);

		json_decref(root);
		k8s_parse_status_error(ok_status(code) ? 500 : code, body, len, e);
		return NULL;
	}
	return root;
}

/*
 * The items of a list answer (borrowed from root), or NULL with e filled.
 * A single object of the wanted kind (GET of one object) is one item: the
 * caller passes the array *one to fill.
 */
json_t *
k8s_items_of(json_t *root, const char *kind, const char *what, json_t **one, struct err *e)
{
	json_t *items = k8s_get(root, "items", NULL);
	const char *k = json_string_value(k8s_get(root, "kind", NULL));

	*one = NULL;
	if (json_is_array(items))
		return items;
	if (json_is_null(items) || (items == NULL && k != NULL && strstr(k, "List") != NULL))
		return *one = json_array(); /* "items": null is an empty list */
	if (k != NULL && kind != NULL && strcmp(k, kind) == 0) {
		*one = json_array();
		json_array_append(*one, root);
		return *one;
	}
	err_set(e, ERR_PARSE,
		"kubernetes: %s: the answer has no items (kind %s) — check the cluster's "
		"server in the kubeconfig",
		what, k != NULL ? k : "absent");
	return NULL;
}

char *
k8s_continue_of(const json_t *root)
{
	return k8s_str(k8s_get(root, "metadata", "continue", NULL));
}

/* The item's metadata.name, or NULL with e filled. */
const char *
k8s_item_name(const json_t *j, const char *what, size_t i, struct err *e)
{
	const char *name = json_string_value(k8s_get(j, "metadata", "name", NULL));

	if (!json_is_object(j) || name == NULL) {
		err_set(e, ERR_PARSE, "kubernetes: %s: item %zu has no metadata.name", what, i);
		return NULL;
	}
	return name;
}

const char *
k8s_annotation(const json_t *j, const char *key)
{
	return json_string_value(k8s_get(j, "metadata", "annotations", key, NULL));
}

const char *
k8s_label(const json_t *j, const char *key)
{
	return json_string_value(k8s_get(j, "metadata", "labels", key, NULL));
}

/* The controller among metadata.ownerReferences (borrowed), else NULL. */
json_t *
k8s_controller_of(const json_t *j)
{
	json_t *refs = k8s_get(j, "metadata", "ownerReferences", NULL), *r;
	size_t i;

	json_array_foreach(refs, i, r)
	{
		if (json_is_true(json_object_get(r, "controller")))
			return r;
	}
	return NULL;
}
