/*
 * zipkin_parse.c - the answers of Zipkin's v2 API (see zipkin.h): the
 * envelope every answer goes through (status, JSON, the root array), the
 * span decoder, and the parser of one trace.  The list answers (trace
 * search summaries, names, dependency links) are in zipkin_lists.c.
 *
 * Zipkin's own reader is the model for what is accepted: ids are
 * normalised as its Span.Builder does (lowercase, left-padded, a zero
 * parent is no parent), a timestamp or duration of 0 means absent, an
 * empty serviceName or name is absent, serviceName is lowercased, and a
 * kind this version does not know is dropped rather than failing the
 * trace.  A member of the wrong type fails the whole answer, naming the
 * span and the member: half a trace drawn as if whole would mislead.
 * Strings are kept as they came except that "\u0000" becomes U+FFFD (C
 * strings end there); widgets/text sanitises them when drawn.
 */
#include "zipkin.h"
#include "zipkin_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "http.h"
#include "xalloc.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* ---- the envelope ------------------------------------------------------ */

/* What to do about a 400 of each endpoint. */
static const char *
bad_request_advice(const char *what)
{
	if (strcmp(what, "/api/v2/traces") == 0)
		return "check the search (durations, limit 1..1000, service and span names)";
	if (strcmp(what, "/api/v2/trace") == 0)
		return "check the trace ID (16 or 32 hex digits)";
	if (strcmp(what, "/api/v2/dependencies") == 0)
		return "check the time range";
	return "check [zipkin] url";
}

static int
status_error(long status, const char *body, size_t len, const char *what, struct err *e)
{
	char body_s[80], head[160];
	const char *why = http_status_reason(status);

	if (status == 404 && strcmp(what, "/api/v2/trace") == 0)
		return err_set(e, ERR_BACKEND,
			       "zipkin: trace ID not found — it may have expired from Zipkin's "
			       "storage; search again for a recent one");
	http_body_excerpt(body, len, 60, HTTP_EXCERPT_DQUOTED, body_s, sizeof body_s);
	if (status <= 0)
		return err_set(e, ERR_HTTP, "zipkin: %s: no answer — check [zipkin] url", what);
	if (body_s[0] != '\0' && body_s[0] != '<' && body_s[0] != '{')
		snprintf(head, sizeof head, "zipkin: %s: HTTP %ld%s \"%s\"", what, status, why,
			 body_s);
	else
		snprintf(head, sizeof head, "zipkin: %s: HTTP %ld%s", what, status, why);
	if (status == 401 || status == 403)
		return err_set(e, ERR_AUTH,
			       "%s — check [zipkin] token_file, or username and password_file",
			       head);
	if (status == 404)
		return err_set(e, ERR_HTTP,
			       "%s — check [zipkin] url: Zipkin's base address, e.g. "
			       "http://zipkin:9411 (no /api/v2, no /zipkin)",
			       head);
	if (status == 400)
		return err_set(e, ERR_HTTP, "%s — %s", head, bad_request_advice(what));
	if (status == 429)
		return err_set(e, ERR_HTTP, "%s — rate limited; raise [general] refresh", head);
	if (status >= 500)
		return err_set(e, ERR_HTTP,
			       "%s — Zipkin or its storage is failing; check the Zipkin server's "
			       "logs",
			       head);
	return err_set(e, ERR_HTTP, "%s — check [zipkin] url", head);
}

json_t *
zipkin_load(long status, const char *body, size_t len, const char *what, struct err *e)
{
	json_error_t jerr;
	json_t *root;
	char s[80];
	size_t i = 0;

	if (body == NULL)
		len = 0;
	if (status < 200 || status > 299) {
		status_error(status, body, len, what, e);
		return NULL;
	}
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	if (i == len || (body[i] != '[' && body[i] != '{')) {
		http_body_excerpt(body, len, 60, HTTP_EXCERPT_DQUOTED, s, sizeof s);
		err_set(e, ERR_PARSE,
			"zipkin: %s: HTTP %ld: the answer is not JSON (%s%s%s) — is [zipkin] url "
			"Zipkin's address, not a proxy's login page?",
			what, status, s[0] != '\0' ? "\"" : "", s[0] != '\0' ? s : "empty",
			s[0] != '\0' ? "\"" : "");
		return NULL;
	}
	root = json_loadb(body, len, JSON_ALLOW_NUL, &jerr);
	if (root == NULL) {
		err_set(e, ERR_PARSE,
			"zipkin: %s: malformed JSON in HTTP %ld answer (line %d column %d: %s) — "
			"cut short by a proxy or a body limit?",
			what, status, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_array(root)) {
		json_decref(root);
		err_set(e, ERR_PARSE,
			"zipkin: %s: HTTP %ld: the answer is a JSON object, not the list Zipkin's "
			"v2 "
			"API sends — is [zipkin] url Zipkin?",
			what, status);
		return NULL;
	}
	return root;
}

/* ---- values ------------------------------------------------------------ */

char *
zipkin_str_copy(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v), i;
	struct buf b;
	char *p;

	if (memchr(s, '\0', len) == NULL)
		return xstrndup(s, len);
	buf_init(&b);
	for (i = 0; i < len; i++) {
		if (s[i] == '\0')
			buf_puts(&b, REPLACEMENT);
		else
			buf_putc(&b, s[i]);
	}
	p = buf_steal(&b);
	buf_done(&b);
	return p;
}

int
zipkin_get_int(const json_t *o, const char *key, int64_t *out)
{
	const json_t *v = json_object_get(o, key);
	double d;

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 1;
	}
	if (!json_is_real(v))
		return -1;
	d = json_real_value(v);
	if (!isfinite(d) || d != floor(d) || fabs(d) >= 9.2e18)
		return -1;
	*out = (int64_t)d;
	return 1;
}

int
zipkin_get_str(const json_t *o, const char *key, const json_t **out)
{
	const json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = v;
	return 1;
}

static int
get_bool(const json_t *o, const char *key, bool *out)
{
	const json_t *v = json_object_get(o, key);

	*out = false;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return -1;
	*out = json_is_true(v);
	return 1;
}

int
zipkin_wrong_type(struct err *e, const char *ctx, const char *member, const char *want)
{
	return err_set(e, ERR_PARSE, "zipkin: %s: \"%s\" is not %s", ctx, member, want);
}

/* ---- spans ------------------------------------------------------------- */

static int
decode_endpoint(const json_t *o, const char *ctx, const char *member, struct zk_endpoint *ep,
		struct err *e)
{
	static const char *const keys[] = { "serviceName", "ipv4", "ipv6" };
	char **dst[] = { &ep->service, &ep->ipv4, &ep->ipv6 };
	const json_t *v = json_object_get(o, member), *s;
	char name[48];
	int64_t port;
	size_t i;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return zipkin_wrong_type(e, ctx, member, "an object");
	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "%s.%s", member, keys[i]);
		if (zipkin_get_str(v, keys[i], &s) < 0)
			return zipkin_wrong_type(e, ctx, name, "a string");
		if (s != NULL && json_string_length(s) > 0)
			*dst[i] = zipkin_str_copy(s);
	}
	/* Zipkin stores service names lowercased */
	for (i = 0; ep->service != NULL && ep->service[i] != '\0'; i++)
		ep->service[i] = (char)tolower((unsigned char)ep->service[i]);
	if (zipkin_get_int(v, "port", &port) < 0) {
		snprintf(name, sizeof name, "%s.port", member);
		return zipkin_wrong_type(e, ctx, name, "an integer");
	}
	ep->port = port > 0 && port <= 65535 ? (int)port : 0;
	return 0;
}

/* A tag value: a string, or (as Zipkin's reader takes them) a number or boolean as text. */
static char *
tag_value(const json_t *v)
{
	char num[64];

	if (json_is_string(v))
		return zipkin_str_copy(v);
	if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		return xstrdup(num);
	}
	if (json_is_real(v)) {
		snprintf(num, sizeof num, "%.15g", json_real_value(v));
		return xstrdup(num);
	}
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "true" : "false");
	return NULL;
}

static int
decode_tags(const json_t *o, const char *ctx, struct zk_span *s, struct err *e)
{
	const json_t *tags = json_object_get(o, "tags"), *v;
	const char *key;

	if (tags == NULL || json_is_null(tags))
		return 0;
	if (!json_is_object(tags))
		return zipkin_wrong_type(e, ctx, "tags", "an object of strings");
	s->tags = xcalloc(json_object_size(tags) + 1, sizeof *s->tags);
	json_object_foreach((json_t *)tags, key, v)
	{
		char *val = tag_value(v);

		if (val == NULL)
			return err_set(e, ERR_PARSE, "zipkin: %s: tag \"%.60s\" is not a string",
				       ctx, key);
		s->tags[s->ntags].key = xstrdup(key);
		s->tags[s->ntags].value = val;
		s->ntags++;
	}
	return 0;
}

static int
decode_annotations(const json_t *o, const char *ctx, struct zk_span *s, struct err *e)
{
	const json_t *arr = json_object_get(o, "annotations"), *a, *v;
	char name[48];
	size_t i;

	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return zipkin_wrong_type(e, ctx, "annotations", "a list");
	s->annotations = xcalloc(json_array_size(arr) + 1, sizeof *s->annotations);
	json_array_foreach(arr, i, a)
	{
		struct zk_annotation *an = &s->annotations[s->nannotations];

		snprintf(name, sizeof name, "annotations[%zu]", i);
		if (!json_is_object(a))
			return zipkin_wrong_type(e, ctx, name, "an object");
		snprintf(name, sizeof name, "annotations[%zu].timestamp", i);
		if (zipkin_get_int(a, "timestamp", &an->ts_us) < 0 || an->ts_us < 0)
			return zipkin_wrong_type(e, ctx, name, "a non-negative integer");
		snprintf(name, sizeof name, "annotations[%zu].value", i);
		if (zipkin_get_str(a, "value", &v) <= 0)
			return zipkin_wrong_type(e, ctx, name, "a string");
		an->value = zipkin_str_copy(v);
		s->nannotations++;
	}
	return 0;
}

static const struct {
	const char *name;
	enum zk_kind kind;
} kinds[] = {
	{ "CLIENT", ZK_KIND_CLIENT },
	{ "SERVER", ZK_KIND_SERVER },
	{ "PRODUCER", ZK_KIND_PRODUCER },
	{ "CONSUMER", ZK_KIND_CONSUMER },
};

/* The id member key of o, normalised into out (width 16 or trace ids); 0 absent, -1 bad. */
static int
decode_id(const json_t *o, const char *ctx, const char *key, bool trace, char *out, bool required,
	  struct err *e)
{
	const json_t *v;
	char s[48];
	int r = zipkin_get_str(o, key, &v);

	out[0] = '\0';
	if (r < 0)
		return zipkin_wrong_type(e, ctx, key, "a string of hex digits");
	if (r == 0 || json_string_length(v) == 0) {
		if (required)
			return err_set(e, ERR_PARSE, "zipkin: %s: \"%s\" is missing", ctx, key);
		return 0;
	}
	if (!required && strspn(json_string_value(v), "0") == json_string_length(v) &&
	    json_string_length(v) <= 16)
		return 0; /* a zero parent: Zipkin's "no parent" */
	if (json_string_length(v) == strlen(json_string_value(v)) &&
	    (trace ? zipkin_trace_id_norm(json_string_value(v), out)
		   : zipkin_span_id_norm(json_string_value(v), out)))
		return 1;
	http_body_excerpt(json_string_value(v), strlen(json_string_value(v)), 60,
			  HTTP_EXCERPT_DQUOTED, s, sizeof s);
	return err_set(e, ERR_PARSE, "zipkin: %s: \"%s\" \"%s\" is not %s", ctx, key, s,
		       trace ? "1 to 32 hex digits (not all zero)"
			     : "1 to 16 hex digits (not all zero)");
}

static int
decode_span(const json_t *o, const char *ctx, struct zk_span *s, struct err *e)
{
	const json_t *v;
	int64_t n;
	size_t i;
	int r;

	if (!json_is_object(o))
		return err_set(e, ERR_PARSE, "zipkin: %s is not a JSON object", ctx);
	if (decode_id(o, ctx, "traceId", true, s->trace_id, true, e) < 0 ||
	    decode_id(o, ctx, "id", false, s->id, true, e) < 0 ||
	    decode_id(o, ctx, "parentId", false, s->parent_id, false, e) < 0)
		return -1;
	if (strcmp(s->parent_id, s->id) == 0)
		s->parent_id[0] = '\0'; /* its own parent: Zipkin drops such a parent id */
	if (zipkin_get_str(o, "name", &v) < 0)
		return zipkin_wrong_type(e, ctx, "name", "a string");
	if (v != NULL && json_string_length(v) > 0)
		s->name = zipkin_str_copy(v);
	if ((r = zipkin_get_str(o, "kind", &v)) < 0)
		return zipkin_wrong_type(e, ctx, "kind", "a string");
	for (i = 0; r > 0 && i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(json_string_value(v), kinds[i].name) == 0)
			s->kind = kinds[i].kind;
	if ((r = zipkin_get_int(o, "timestamp", &n)) < 0 || n < 0)
		return zipkin_wrong_type(e, ctx, "timestamp",
					 "a non-negative integer (epoch microseconds)");
	s->ts_us = n;
	s->has_ts = n > 0;
	if ((r = zipkin_get_int(o, "duration", &n)) < 0 || n < 0)
		return zipkin_wrong_type(e, ctx, "duration",
					 "a non-negative integer (microseconds)");
	s->dur_us = n;
	s->has_dur = n > 0;
	if (get_bool(o, "shared", &s->shared) < 0)
		return zipkin_wrong_type(e, ctx, "shared", "true or false");
	if (get_bool(o, "debug", &s->debug) < 0)
		return zipkin_wrong_type(e, ctx, "debug", "true or false");
	if (decode_endpoint(o, ctx, "localEndpoint", &s->local, e) < 0 ||
	    decode_endpoint(o, ctx, "remoteEndpoint", &s->remote, e) < 0 ||
	    decode_annotations(o, ctx, s, e) < 0 || decode_tags(o, ctx, s, e) < 0)
		return -1;
	return 0;
}

int
zipkin_span_decode(const json_t *o, const char *ctx, struct zk_span *s, struct err *e)
{
	memset(s, 0, sizeof *s);
	if (decode_span(o, ctx, s, e) < 0) {
		zk_span_clear(s);
		return -1;
	}
	return 0;
}

/* ---- one trace --------------------------------------------------------- */

int
zipkin_parse_trace(long status, const char *body, size_t len, const struct zk_limits *lim,
		   struct zk_span **spans, size_t *n, struct err *e)
{
	size_t max = zipkin_max_spans(lim), count, i;
	struct zk_span *out;
	json_t *root, *o;
	char ctx[64];

	*spans = NULL;
	*n = 0;
	root = zipkin_load(status, body, len, "/api/v2/trace", e);
	if (root == NULL)
		return -1;
	count = json_array_size(root);
	if (count == 0) {
		json_decref(root);
		return err_set(e, ERR_BACKEND,
			       "zipkin: trace ID not found (the answer has no spans) — it may have "
			       "expired from Zipkin's storage; search again for a recent one");
	}
	if (count > max) {
		json_decref(root);
		return err_set(e, ERR_TOOBIG,
			       "zipkin: the trace has %zu spans, more than the %zu allowed — raise "
			       "[traces] max_spans to open it",
			       count, max);
	}
	out = xcalloc(count, sizeof *out);
	json_array_foreach(root, i, o)
	{
		snprintf(ctx, sizeof ctx, "/api/v2/trace: span %zu", i);
		if (zipkin_span_decode(o, ctx, &out[i], e) < 0) {
			zk_spans_free(out, i);
			json_decref(root);
			return -1;
		}
	}
	json_decref(root);
	*spans = out;
	*n = count;
	return 0;
}
