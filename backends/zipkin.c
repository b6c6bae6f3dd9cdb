/*
 * zipkin.c - span helpers, request builders, the read-only allow-list and
 * trace id normalisation of the Zipkin v2 API (see zipkin.h).  The JSON
 * parsers are in zipkin_parse.c, the search line in zipkin_query.c.
 */
#include "zipkin.h"
#include "zipkin_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "http.h"
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

/* ---- ids --------------------------------------------------------------- */

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * As Zipkin's normalizeTraceId: 1 to 32 hex digits, not all zeros,
 * lowercased and left-padded to 16 or 32; a 128-bit id whose upper half
 * is zero is the 64-bit id it carries.
 */
bool
zipkin_trace_id_norm(const char *id, char out[33])
{
	size_t len, width, i;
	bool nonzero = false;

	out[0] = '\0';
	if (id == NULL)
		return false;
	len = strlen(id);
	if (len == 0 || len > 32)
		return false;
	for (i = 0; i < len; i++) {
		int v = hex_value(id[i]);

		if (v < 0)
			return false;
		nonzero |= v != 0;
	}
	if (!nonzero)
		return false;
	width = len <= 16 ? 16 : 32;
	memset(out, '0', width - len);
	for (i = 0; i < len; i++)
		out[width - len + i] = "0123456789abcdef"[hex_value(id[i])];
	out[width] = '\0';
	if (width == 32 && strspn(out, "0") >= 16)
		memmove(out, out + 16, 17);
	return true;
}

bool
zipkin_span_id_norm(const char *id, char out[17])
{
	size_t len, i;
	bool nonzero = false;

	out[0] = '\0';
	if (id == NULL)
		return false;
	len = strlen(id);
	if (len == 0 || len > 16)
		return false;
	for (i = 0; i < len; i++) {
		int v = hex_value(id[i]);

		if (v < 0)
			return false;
		nonzero |= v != 0;
	}
	if (!nonzero)
		return false;
	memset(out, '0', 16 - len);
	for (i = 0; i < len; i++)
		out[16 - len + i] = "0123456789abcdef"[hex_value(id[i])];
	out[16] = '\0';
	return true;
}

size_t
zipkin_max_spans(const struct zk_limits *lim)
{
	return lim != NULL && lim->max_spans > 0 ? lim->max_spans : ZK_DEFAULT_MAX_SPANS;
}

/* ---- builders ---------------------------------------------------------- */

static bool
set(const char *s)
{
	return s != NULL && *s != '\0';
}

/* Seconds to whole milliseconds, clamped to what Zipkin's int64 takes. */
static long long
millis(double s)
{
	if (!(s == s))
		return 0;
	if (s > 9.2e15)
		s = 9.2e15;
	if (s < -9.2e15)
		s = -9.2e15;
	return (long long)(s * 1000.0 + (s >= 0 ? 0.5 : -0.5));
}

static void
param(struct buf *b, const char *name, const char *value)
{
	char *enc = http_urlencode(value);

	buf_printf(b, "%c%s=%s", strchr(b->data, '?') == NULL ? '?' : '&', name, enc);
	free(enc);
}

static void
param_ll(struct buf *b, const char *name, long long v)
{
	char num[32];

	snprintf(num, sizeof num, "%lld", v);
	param(b, name, num);
}

static char *
finish(struct buf *b)
{
	char *p = buf_steal(b);

	buf_done(b);
	return p;
}

char *
zipkin_traces_path(const struct zk_query *q)
{
	struct zk_query none = { 0 };
	struct buf b;
	int64_t min_us;

	if (q == NULL)
		q = &none;
	buf_init(&b);
	buf_puts(&b, "/api/v2/traces");
	if (set(q->service))
		param(&b, "serviceName", q->service);
	if (set(q->span_name))
		param(&b, "spanName", q->span_name);
	if (set(q->annotation_query))
		param(&b, "annotationQuery", q->annotation_query);
	/* Zipkin takes maxDuration only with a minDuration: 1 us is no bound at all */
	min_us = q->min_duration_us > 0 ? q->min_duration_us : q->max_duration_us > 0 ? 1 : 0;
	if (min_us > 0)
		param_ll(&b, "minDuration", (long long)min_us);
	if (q->max_duration_us > 0)
		param_ll(&b, "maxDuration", (long long)q->max_duration_us);
	if (q->end_ts > 0)
		param_ll(&b, "endTs", millis(q->end_ts));
	if (q->lookback_s > 0)
		param_ll(&b, "lookback", millis(q->lookback_s));
	param_ll(&b, "limit", q->limit > 0 ? q->limit : 10);
	return finish(&b);
}

char *
zipkin_trace_path(const char *trace_id)
{
	char id[33];

	if (!zipkin_trace_id_norm(trace_id, id))
		return NULL;
	return xasprintf("/api/v2/trace/%s", id);
}

char *
zipkin_dependencies_path(double end_ts, double lookback_s, double now)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "/api/v2/dependencies");
	param_ll(&b, "endTs", millis(end_ts > 0 ? end_ts : now));
	if (lookback_s > 0)
		param_ll(&b, "lookback", millis(lookback_s));
	return finish(&b);
}

char *
zipkin_services_path(void)
{
	return xstrdup("/api/v2/services");
}

char *
zipkin_span_names_path(const char *service)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "/api/v2/spans");
	param(&b, "serviceName", service != NULL ? service : "");
	return finish(&b);
}

/* ---- the read-only allow-list ------------------------------------------ */

/*
 * Every GET of Zipkin's API reads; its one write is POST /api/v2/spans.
 * Paths that could mean something else after normalisation (dot
 * segments, encoded or not, backslashes, fragments) are refused.
 */
bool
zipkin_is_read(enum http_method method, const char *path)
{
	size_t len, i;

	if (method != HTTP_GET || path == NULL || path[0] != '/')
		return false;
	len = strcspn(path, "?");
	if (memchr(path, '#', strlen(path)) != NULL || memchr(path, '\\', len) != NULL)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c <= 0x20 || c >= 0x7f)
			return false;
		if (c == '%' && (path[i + 1] == '2' && (path[i + 2] == 'e' || path[i + 2] == 'E')))
			return false; /* an encoded dot */
		if (c == '%' && (path[i + 1] == '2' && (path[i + 2] == 'f' || path[i + 2] == 'F')))
			return false; /* an encoded slash */
		if (c == '.' && path[i - 1] == '/' &&
		    (path[i + 1] == '/' || i + 1 == len ||
		     (path[i + 1] == '.' && (path[i + 2] == '/' || i + 2 == len))))
			return false; /* a dot segment */
	}
	if (len == 7 && strncmp(path, "/health", 7) == 0)
		return true;
	return len > 8 && strncmp(path, "/api/v2/", 8) == 0;
}
