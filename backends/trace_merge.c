/*
 * trace_merge.c - spans reported more than once, merged before the tree is
 * built.  A span can arrive twice when a service reports it again after a
 * retry, or when two collectors forward it: Zipkin keeps both rows and
 * its UI merges them, and so do we (see trace.h).
 */
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "trace_internal.h"
#include "xalloc.h"

static const char *
svc_of(const struct zk_span *s)
{
	return s->local.service != NULL ? s->local.service : "";
}

/* A span index with its span, for sorting without a global. */
struct dkey {
	const struct zk_span *s;
	int i;
};

static int
cmp_int(int a, int b)
{
	return (a > b) - (a < b);
}

/* Duplicates: id, kind, local service, then index. */
static int
cmp_dup(const void *a, const void *b)
{
	const struct dkey *x = a, *y = b;
	int c = strcmp(x->s->id, y->s->id);

	if (c == 0)
		c = cmp_int((int)x->s->kind, (int)y->s->kind);
	if (c == 0)
		c = strcmp(svc_of(x->s), svc_of(y->s));
	return c != 0 ? c : cmp_int(x->i, y->i);
}

static int
cmp_annotation(const void *a, const void *b)
{
	const struct zk_annotation *x = a, *y = b;

	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	return strcmp(x->value != NULL ? x->value : "", y->value != NULL ? y->value : "");
}

static bool
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Move *src into *dst when dst has nothing. */
static void
fill_str(char **dst, char **src)
{
	if ((*dst == NULL || **dst == '\0') && *src != NULL && **src != '\0') {
		free(*dst);
		*dst = *src;
		*src = NULL;
	}
}

static void
fill_endpoint(struct zk_endpoint *d, struct zk_endpoint *s)
{
	fill_str(&d->service, &s->service);
	fill_str(&d->ipv4, &s->ipv4);
	fill_str(&d->ipv6, &s->ipv6);
	if (d->port == 0)
		d->port = s->port;
}

/* Tags of s whose key d lacks move to d. */
static void
merge_tags(struct zk_span *d, struct zk_span *s)
{
	size_t i, j;

	if (s->ntags == 0)
		return;
	d->tags = xrealloc(d->tags, (d->ntags + s->ntags) * sizeof *d->tags);
	for (i = 0; i < s->ntags; i++) {
		for (j = 0; j < d->ntags; j++)
			if (same_str(d->tags[j].key, s->tags[i].key))
				break;
		if (j < d->ntags)
			continue;
		d->tags[d->ntags++] = s->tags[i];
		s->tags[i].key = NULL;
		s->tags[i].value = NULL;
	}
}

/* Annotations of s that d lacks (same time and value) move to d; d sorted by time. */
static void
merge_annotations(struct zk_span *d, struct zk_span *s)
{
	size_t i, j;

	if (s->nannotations == 0)
		return;
	d->annotations = xrealloc(d->annotations,
				  (d->nannotations + s->nannotations) * sizeof *d->annotations);
	for (i = 0; i < s->nannotations; i++) {
		for (j = 0; j < d->nannotations; j++)
			if (d->annotations[j].ts_us == s->annotations[i].ts_us &&
			    same_str(d->annotations[j].value, s->annotations[i].value))
				break;
		if (j < d->nannotations)
			continue;
		d->annotations[d->nannotations++] = s->annotations[i];
		s->annotations[i].value = NULL;
	}
	qsort(d->annotations, d->nannotations, sizeof *d->annotations, cmp_annotation);
}

/* Merge s (a second report of the same span) into d; s is cleared. */
static void
merge_span(struct zk_span *d, struct zk_span *s)
{
	if (s->has_ts && (!d->has_ts || s->ts_us < d->ts_us)) {
		d->ts_us = s->ts_us;
		d->has_ts = true;
	}
	if (s->has_dur && (!d->has_dur || s->dur_us > d->dur_us)) {
		d->dur_us = s->dur_us;
		d->has_dur = true;
	}
	fill_str(&d->name, &s->name);
	if (d->parent_id[0] == '\0')
		memcpy(d->parent_id, s->parent_id, sizeof d->parent_id);
	d->shared = d->shared || s->shared;
	d->debug = d->debug || s->debug;
	fill_endpoint(&d->local, &s->local);
	fill_endpoint(&d->remote, &s->remote);
	merge_tags(d, s);
	merge_annotations(d, s);
	zk_span_clear(s);
}

/*
 * Merge duplicates in place: the first report of each (id, kind, local
 * service) keeps its place, the others are merged into it and removed.
 * Returns the new count; merged[i] tells which survivors took others.
 */
size_t
trace_merge_duplicates(struct zk_span *spans, size_t n, bool *merged)
{
	struct dkey *k = xmalloc(n * sizeof *k);
	bool *dead = xcalloc(n, sizeof *dead);
	size_t i, j, m;

	for (i = 0; i < n; i++) {
		k[i].s = &spans[i];
		k[i].i = (int)i;
	}
	qsort(k, n, sizeof *k, cmp_dup);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n; j++) {
			const struct zk_span *a = k[i].s, *b = k[j].s;

			if (strcmp(a->id, b->id) != 0 || a->kind != b->kind ||
			    strcmp(svc_of(a), svc_of(b)) != 0)
				break;
			merge_span(&spans[k[i].i], &spans[k[j].i]);
			dead[k[j].i] = true;
			merged[k[i].i] = true;
		}
	}
	for (i = m = 0; i < n; i++) {
		if (dead[i])
			continue;
		spans[m] = spans[i];
		merged[m] = merged[i];
		m++;
	}
	free(k);
	free(dead);
	return m;
}
