/*
 * zipkin_lists.c - the list answers of Zipkin's v2 API (see zipkin.h):
 * a trace search (GET /api/v2/traces) summarised per trace as the Traces
 * screen lists it, name lists (/services, /spans) and the dependency
 * links (/dependencies).
 *
 * Each span is decoded (so a malformed one fails the list, naming the
 * trace and span) and dropped at once: the list keeps a few strings per
 * trace, however many spans the traces hold.  A trace over max_spans is
 * summarised all the same and marked too_big, so the list shows it with
 * its size instead of failing.
 */
#include "zipkin.h"
#include "zipkin_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "xalloc.h"

/* A summary under construction. */
struct acc {
	struct zk_trace_summary *s;
	int64_t end_us;
	bool have_ts;
	struct zk_span root; /* the best root candidate so far (owned) */
	bool have_root, root_is_root;
	char *first_svc; /* the local service of the earliest span that has one */
	int64_t first_svc_ts;
	bool first_svc_has_ts;
	char **svc; /* distinct services, unsorted until the end */
	size_t nsvc, cap;
};

static void
add_service(struct acc *a, const char *name)
{
	size_t i;

	if (name == NULL || *name == '\0')
		return;
	for (i = 0; i < a->nsvc; i++)
		if (strcmp(a->svc[i], name) == 0)
			return;
	if (a->nsvc == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 8;
		a->svc = xrealloc(a->svc, a->cap * sizeof *a->svc);
	}
	a->svc[a->nsvc++] = xstrdup(name);
}

/*
 * Whether span x is a better root than the current one: a span without a
 * parent beats one with; then the earlier start (a span without a
 * timestamp is last); then the caller's half of a shared RPC.
 */
static bool
better_root(const struct acc *a, const struct zk_span *x)
{
	bool x_root = x->parent_id[0] == '\0';
	const struct zk_span *r = &a->root;

	if (!a->have_root)
		return true;
	if (x_root != a->root_is_root)
		return x_root;
	if (x->has_ts != r->has_ts)
		return x->has_ts;
	if (x->has_ts && x->ts_us != r->ts_us)
		return x->ts_us < r->ts_us;
	return r->shared && !x->shared;
}

static void
take_span(struct acc *a, struct zk_span *x)
{
	struct zk_trace_summary *s = a->s;

	if (s->trace_id[0] == '\0' || (strlen(s->trace_id) == 16 && strlen(x->trace_id) == 32))
		memcpy(s->trace_id, x->trace_id, sizeof s->trace_id);
	if (x->has_ts) {
		int64_t end =
			x->ts_us + (x->has_dur && x->dur_us < INT64_MAX - x->ts_us ? x->dur_us : 0);

		if (!a->have_ts || x->ts_us < s->start_us)
			s->start_us = x->ts_us;
		if (!a->have_ts || end > a->end_us)
			a->end_us = end;
		a->have_ts = true;
	}
	if (zk_span_error(x))
		s->nerrors++;
	add_service(a, x->local.service);
	if (x->local.service != NULL &&
	    (a->first_svc == NULL ||
	     (x->has_ts && (!a->first_svc_has_ts || x->ts_us < a->first_svc_ts)))) {
		free(a->first_svc);
		a->first_svc = xstrdup(x->local.service);
		a->first_svc_ts = x->ts_us;
		a->first_svc_has_ts = x->has_ts;
	}
	if (better_root(a, x)) {
		zk_span_clear(&a->root);
		a->root = *x; /* taken */
		a->have_root = true;
		a->root_is_root = x->parent_id[0] == '\0';
		memset(x, 0, sizeof *x);
	} else {
		zk_span_clear(x);
	}
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static void
finish(struct acc *a)
{
	struct zk_trace_summary *s = a->s;

	s->duration_us = a->have_ts ? a->end_us - s->start_us : 0;
	s->root_service = xstrdup(a->root.local.service != NULL ? a->root.local.service
				  : a->first_svc != NULL        ? a->first_svc
								: "");
	s->root_name = xstrdup(a->root.name != NULL ? a->root.name : "");
	if (a->nsvc > 1)
		qsort(a->svc, a->nsvc, sizeof *a->svc, cmp_str);
	s->services = a->svc;
	s->nservices = a->nsvc;
	zk_span_clear(&a->root);
	free(a->first_svc);
}

static void
summary_done(struct zk_trace_summary *s)
{
	size_t i;

	free(s->root_service);
	free(s->root_name);
	for (i = 0; i < s->nservices; i++)
		free(s->services[i]);
	free(s->services);
}

/* Summarise trace t (index ti) into s.  Returns 0, or -1 with e filled and s empty. */
static int
summarise(const json_t *t, size_t ti, size_t max, struct zk_trace_summary *s, struct err *e)
{
	struct acc a;
	struct zk_span x;
	const json_t *o;
	char ctx[80];
	size_t i;

	memset(&a, 0, sizeof a);
	memset(s, 0, sizeof *s);
	a.s = s;
	s->nspans = json_array_size(t);
	s->too_big = s->nspans > max;
	json_array_foreach(t, i, o)
	{
		snprintf(ctx, sizeof ctx, "/api/v2/traces: trace %zu, span %zu", ti, i);
		if (zipkin_span_decode(o, ctx, &x, e) < 0) {
			finish(&a);
			summary_done(s);
			memset(s, 0, sizeof *s);
			return -1;
		}
		take_span(&a, &x);
	}
	finish(&a);
	return 0;
}

int
zipkin_parse_traces(long status, const char *body, size_t len, const struct zk_limits *lim,
		    struct zk_trace_summary **out, size_t *n, struct err *e)
{
	size_t max = zipkin_max_spans(lim), i, k = 0;
	struct zk_trace_summary *s;
	json_t *root, *t;

	*out = NULL;
	*n = 0;
	root = zipkin_load(status, body, len, "/api/v2/traces", e);
	if (root == NULL)
		return -1;
	if (json_array_size(root) == 0) {
		json_decref(root);
		return 0;
	}
	s = xcalloc(json_array_size(root), sizeof *s);
	json_array_foreach(root, i, t)
	{
		if (!json_is_array(t)) {
			err_set(e, ERR_PARSE,
				"zipkin: /api/v2/traces: trace %zu is not a list of spans — is "
				"[zipkin] url Zipkin's v2 API?",
				i);
			goto fail;
		}
		if (json_array_size(t) == 0)
			continue; /* nothing to list */
		if (summarise(t, i, max, &s[k], e) < 0)
			goto fail;
		k++;
	}
	json_decref(root);
	if (k == 0) {
		free(s);
		return 0;
	}
	*out = s;
	*n = k;
	return 0;
fail:
	zipkin_summaries_free(s, k);
	json_decref(root);
	return -1;
}

void
zipkin_summaries_free(struct zk_trace_summary *s, size_t n)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++)
		summary_done(&s[i]);
	free(s);
}

/* ---- names ------------------------------------------------------------- */

int
zipkin_parse_names(long status, const char *body, size_t len, char ***names, size_t *n,
		   struct err *e)
{
	json_t *root, *v;
	char **out;
	size_t i;

	*names = NULL;
	*n = 0;
	root = zipkin_load(status, body, len, "names", e);
	if (root == NULL)
		return -1;
	if (json_array_size(root) == 0) {
		json_decref(root);
		return 0;
	}
	out = xcalloc(json_array_size(root), sizeof *out);
	json_array_foreach(root, i, v)
	{
		if (!json_is_string(v)) {
			zipkin_names_free(out, i);
			json_decref(root);
			return err_set(e, ERR_PARSE,
				       "zipkin: names: item %zu is not a string — is [zipkin] url "
				       "Zipkin?",
				       i);
		}
		out[i] = zipkin_str_copy(v);
	}
	*n = json_array_size(root);
	*names = out;
	json_decref(root);
	return 0;
}

void
zipkin_names_free(char **names, size_t n)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ---- dependency links -------------------------------------------------- */

static int
decode_link(const json_t *o, size_t i, struct zk_link *l, struct err *e)
{
	static const char *const counts[] = { "callCount", "errorCount" };
	long long *dst[] = { &l->calls, &l->errors };
	const json_t *p, *c;
	char ctx[48];
	int64_t v;
	size_t k;

	snprintf(ctx, sizeof ctx, "/api/v2/dependencies: link %zu", i);
	if (!json_is_object(o))
		return err_set(e, ERR_PARSE, "zipkin: %s is not a JSON object", ctx);
	if (zipkin_get_str(o, "parent", &p) <= 0 || json_string_length(p) == 0)
		return zipkin_wrong_type(e, ctx, "parent", "a service name");
	if (zipkin_get_str(o, "child", &c) <= 0 || json_string_length(c) == 0)
		return zipkin_wrong_type(e, ctx, "child", "a service name");
	for (k = 0; k < 2; k++) {
		if (zipkin_get_int(o, counts[k], &v) < 0 || v < 0)
			return zipkin_wrong_type(e, ctx, counts[k], "a non-negative integer");
		*dst[k] = v;
	}
	l->parent = zipkin_str_copy(p);
	l->child = zipkin_str_copy(c);
	return 0;
}

int
zipkin_parse_dependencies(long status, const char *body, size_t len, struct zk_link **links,
			  size_t *n, struct err *e)
{
	struct zk_link *out;
	json_t *root, *o;
	size_t i;

	*links = NULL;
	*n = 0;
	root = zipkin_load(status, body, len, "/api/v2/dependencies", e);
	if (root == NULL)
		return -1;
	if (json_array_size(root) == 0) {
		json_decref(root);
		return 0;
	}
	out = xcalloc(json_array_size(root), sizeof *out);
	json_array_foreach(root, i, o)
	{
		if (decode_link(o, i, &out[i], e) < 0) {
			zipkin_links_free(out, i);
			json_decref(root);
			return -1;
		}
	}
	*n = json_array_size(root);
	*links = out;
	json_decref(root);
	return 0;
}

void
zipkin_links_free(struct zk_link *l, size_t n)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(l[i].parent);
		free(l[i].child);
	}
	free(l);
}
