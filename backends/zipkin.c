/*
 * zipkin.c - span helpers, request builders, the read-only allow-list and
 * trace id normalisation of the Zipkin v2 API (see zipkin.h).  The JSON
 * parsers are in zipkin_parse.c, the search line in zipkin_query.c.
 */
#include "zipkin.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

const char *
zipkin_kind_name(enum zk_kind k)
{
	switch (k) {
	case ZK_KIND_CLIENT:
		return "CLIENT";
	case ZK_KIND_SERVER:
		return "SERVER";
	case ZK_KIND_PRODUCER:
		return "PRODUCER";
	case ZK_KIND_CONSUMER:
		return "CONSUMER";
	case ZK_KIND_NONE:
	default:
		return "";
	}
}

/* ---- spans ------------------------------------------------------------- */

const char *
zk_span_tag(const struct zk_span *s, const char *key)
{
	size_t i;

	if (s == NULL || key == NULL)
		return NULL;
	for (i = 0; i < s->ntags; i++)
		if (s->tags[i].key != NULL && strcmp(s->tags[i].key, key) == 0)
			return s->tags[i].value != NULL ? s->tags[i].value : "";
	return NULL;
}

bool
zk_span_error(const struct zk_span *s)
{
	return zk_span_tag(s, "error") != NULL;
}

static size_t
str_bytes(const char *s)
{
	return s != NULL ? strlen(s) + 1 : 0;
}

static size_t
endpoint_bytes(const struct zk_endpoint *ep)
{
	return str_bytes(ep->service) + str_bytes(ep->ipv4) + str_bytes(ep->ipv6);
}

size_t
zk_span_bytes(const struct zk_span *s)
{
	size_t n, i;

	if (s == NULL)
		return 0;
	n = sizeof *s + str_bytes(s->name) + endpoint_bytes(&s->local) + endpoint_bytes(&s->remote);
	n += s->ntags * sizeof *s->tags + s->nannotations * sizeof *s->annotations;
	for (i = 0; i < s->ntags; i++)
		n += str_bytes(s->tags[i].key) + str_bytes(s->tags[i].value);
	for (i = 0; i < s->nannotations; i++)
		n += str_bytes(s->annotations[i].value);
	return n;
}

static void
endpoint_clear(struct zk_endpoint *ep)
{
	free(ep->service);
	free(ep->ipv4);
	free(ep->ipv6);
}

void
zk_span_clear(struct zk_span *s)
{
	size_t i;

	if (s == NULL)
		return;
	free(s->name);
	endpoint_clear(&s->local);
	endpoint_clear(&s->remote);
	for (i = 0; i < s->ntags; i++) {
		free(s->tags[i].key);
		free(s->tags[i].value);
	}
	free(s->tags);
	for (i = 0; i < s->nannotations; i++)
		free(s->annotations[i].value);
	free(s->annotations);
	memset(s, 0, sizeof *s);
}

void
zk_spans_free(struct zk_span *s, size_t n)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++)
		zk_span_clear(&s[i]);
	free(s);
}
