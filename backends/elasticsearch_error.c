/*
 * elasticsearch_error.c - what every Elasticsearch answer goes through
 * before its parser: the body's bytes made safe for jansson, the JSON
 * envelope, and error bodies reported verbatim with advice (see
 * elasticsearch.h).
 *
 * Log lines are the most hostile text opsdeck shows: whatever a program
 * wrote ends up in _source.  Bodies are kept verbatim (widgets/text makes
 * control characters visible at draw time) with three exceptions that
 * keep one bad line from losing a page: invalid UTF-8 becomes U+FFFD
 * before jansson sees the body (jansson refuses the whole body
 * otherwise), "\u0000" becomes U+FFFD (C strings end there), and integers
 * beyond 64 bits are read as reals.
 */
#include "elasticsearch.h"
#include "elasticsearch_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "http.h"
#include "xalloc.h"

/* ---- bytes ------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t need, k;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return 0;
	if (left < need)
		return 0;
	for (k = 1; k < need; k++)
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
		return 0;
	return need;
}

/*
 * A copy of body with every invalid UTF-8 sequence replaced by U+FFFD
 * (new, *outlen bytes), or NULL when body is valid as it is.
 */
static char *
utf8_repair(const char *body, size_t len, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)body;
	struct buf b;
	size_t i = 0, done = 0, n;
	char *p;

	while (i < len) {
		n = utf8_seq(s + i, len - i);
		if (n == 0)
			break;
		i += n;
	}
	if (i == len)
		return NULL;
	buf_init(&b);
	while (i < len) {
		n = utf8_seq(s + i, len - i);
		if (n > 0) {
			i += n;
			continue;
		}
		buf_append(&b, body + done, i - done);
		buf_puts(&b, ES_REPLACEMENT);
		i++;
		done = i;
	}
	buf_append(&b, body + done, len - done);
	*outlen = b.len;
	p = buf_steal(&b);
	buf_done(&b);
	return p;
}

/* Bytes of s[0..len) to keep so that at most max are kept, ending on a character boundary. */
size_t
elasticsearch_utf8_cut(const char *s, size_t len, size_t max)
{
	size_t n = max, k;

	if (len <= max)
		return len;
	for (k = 0; k < 3 && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; k++)
		n--;
	if (((unsigned char)s[n] & 0xc0) == 0x80)
		return max; /* not UTF-8 here: cut where asked */
	return n;
}

/* new: a jansson string's bytes with NUL characters as U+FFFD, cut to max (0: all). */
char *
elasticsearch_str_copy(const char *s, size_t len, size_t max, bool *cut)
{
	struct buf b;
	size_t i, keep;
	char *p;

	keep = max > 0 ? elasticsearch_utf8_cut(s, len, max) : len;
	if (memchr(s, '\0', keep) == NULL) {
		if (cut != NULL)
			*cut = keep < len;
		return xstrndup(s, keep);
	}
	/* U+FFFD is 3 bytes for 1: replace, then cut the result */
	buf_init(&b);
	for (i = 0; i < len && (max == 0 || b.len <= max); i++) {
		if (s[i] == '\0')
			buf_puts(&b, ES_REPLACEMENT);
		else
			buf_putc(&b, s[i]);
	}
	keep = max > 0 ? elasticsearch_utf8_cut(b.data, b.len, max) : b.len;
	if (cut != NULL)
		*cut = keep < b.len || i < len;
	b.data[keep] = '\0';
	p = buf_steal(&b);
	buf_done(&b);
	return p;
}

/* ---- envelope and errors ----------------------------------------------- */

static bool
ok_status(long status)
{
	return status >= 200 && status <= 299;
}

#define AUTH_HINT "set [elasticsearch] token_file, username + password_file, or api_key_file"

/* A body that is not JSON (or JSON without "error") with this status. */
static int
not_json_error(long status, const char *body, size_t len, bool json, struct err *e)
{
	char snip[64];

	http_body_excerpt(body, len, 40, 0, snip, sizeof snip);
	if (status == 401)
		return err_set(e, ERR_AUTH,
			       "elasticsearch: HTTP 401 Unauthorized%s%s%s — " AUTH_HINT,
			       len > 0 ? " (body starts with '" : "", snip, len > 0 ? "')" : "");
	if (status == 403)
		return err_set(e, ERR_AUTH,
			       "elasticsearch: HTTP 403 Forbidden%s%s%s — the credentials lack "
			       "read access; check [elasticsearch] index and the user's role",
			       len > 0 ? " (body starts with '" : "", snip, len > 0 ? "')" : "");
	if (status == 408 || status == 504)
		return err_set(e, ERR_TIMEOUT,
			       "elasticsearch: HTTP %ld%s — the search took too long; narrow the "
			       "time range or the query",
			       status, http_status_reason(status));
	if (status == 429)
		return err_set(e, ERR_BACKEND,
			       "elasticsearch: HTTP 429 Too Many Requests — Elasticsearch is "
			       "overloaded; retry after the server's Retry-After");
	if (len == 0)
		return err_set(e, ok_status(status) ? ERR_PARSE : ERR_HTTP,
			       "elasticsearch: HTTP %ld%s with an empty body — check "
			       "[elasticsearch] url points at Elasticsearch",
			       status, http_status_reason(status));
	if (json)
		return err_set(e, ERR_HTTP,
			       "elasticsearch: HTTP %ld%s (body starts with '%s') — check "
			       "[elasticsearch] url and index",
			       status, http_status_reason(status), snip);
	return err_set(e, ERR_PARSE,
		       "elasticsearch: HTTP %ld%s with a non-JSON body (starts with '%s') — check "
		       "[elasticsearch] url points at Elasticsearch",
		       status, http_status_reason(status), snip);
}

/*
 * Parse body as JSON (new root), repairing invalid UTF-8 and retrying
 * with integers as reals on a numeric overflow.  NULL when it is not JSON;
 * *jerr then says why.
 */
static json_t *
load_json(const char *body, size_t len, json_error_t *jerr)
{
	size_t rlen = 0;
	char *fixed = utf8_repair(body, len, &rlen);
	const char *b = fixed != NULL ? fixed : body;
	json_t *root;

	if (fixed == NULL)
		rlen = len;
	root = json_loadb(b, rlen, JSON_ALLOW_NUL, jerr);
	if (root == NULL && json_error_code(jerr) == json_error_numeric_overflow)
		root = json_loadb(b, rlen, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, jerr);
	free(fixed);
	return root;
}

static bool
looks_json(const char *body, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)body[i]))
		i++;
	return i < len && (body[i] == '{' || body[i] == '[');
}

const char *
elasticsearch_get_str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Append ": TYPE: REASON" pieces; reason's first line, at most 160 bytes. */
static void
put_cause(struct buf *b, const char *type, const char *reason)
{
	size_t n;

	if (b->len > 0)
		buf_puts(b, "; ");
	if (type != NULL && *type != '\0') {
		buf_puts(b, type);
		if (reason != NULL)
			buf_puts(b, ": ");
	}
	if (reason == NULL)
		return;
	n = strcspn(reason, "\r\n");
	buf_append(b, reason, elasticsearch_utf8_cut(reason, n, 160));
	if (n > 160)
		buf_puts(b, ES_ELLIPSIS);
}

/* Has a reason already been said?  (A cause repeating the top error adds nothing.) */
static bool
said(const char *const *seen, size_t n, const char *reason)
{
	size_t i;

	if (reason == NULL || *reason == '\0')
		return true;
	for (i = 0; i < n; i++)
		if (strcmp(seen[i], reason) == 0)
			return true;
	return false;
}

/* "elasticsearch: " + the causes in b, cut so that hint always fits.  Frees b and root. */
static int
finish_error(struct err *e, enum err_code code, struct buf *b, const char *hint, json_t *root)
{
	size_t room =
		ERR_MSG_MAX - 1 - strlen("elasticsearch: ") - strlen(hint) - strlen(ES_ELLIPSIS);
	size_t keep = elasticsearch_utf8_cut(b->data, b->len, room);

	err_set(e, code, "elasticsearch: %.*s%s%s", (int)keep, b->data,
		keep < b->len ? ES_ELLIPSIS : "", hint);
	buf_done(b);
	json_decref(root);
	return -1;
}

/*
 * Sorting or aggregating on a text field (a dynamic mapping makes every
 * string one) fails with "Fielddata is disabled on [F] in [index]".  The
 * fix is the keyword sub-field the same mapping made: say so.
 */
static bool
fielddata_hint(const json_t *error, char *out, size_t n)
{
	static const char needle[] = "Fielddata is disabled on [";
	const char *r = elasticsearch_get_str(
		json_array_get(json_object_get(error, "root_cause"), 0), "reason");
	const char *f, *end;
	size_t len;

	if (r == NULL || (f = strstr(r, needle)) == NULL)
		r = elasticsearch_get_str(error, "reason");
	if (r == NULL || (f = strstr(r, needle)) == NULL)
		return false;
	f += sizeof needle - 1;
	end = strchr(f, ']');
	if (end == NULL)
		return false;
	len = elasticsearch_utf8_cut(f, (size_t)(end - f), 60);
	snprintf(out, n,
		 " — [%.*s] is a text field: set [elasticsearch] service_field or tiebreak_field "
		 "to its keyword sub-field (%.*s.keyword)",
		 (int)len, f, (int)len, f);
	return true;
}

int
elasticsearch_parse_error(long status, const char *body, size_t len, struct err *e)
{
	json_error_t jerr;
	json_t *root = NULL, *error;
	const json_t *rc, *cb = NULL, *fs;
	const char *type, *reason, *seen[3];
	struct buf b;
	enum err_code code;
	const char *hint = "";
	char fd_hint[200];
	size_t nseen = 0;

	if (body == NULL)
		len = 0;
	if (looks_json(body, len))
		root = load_json(body, len, &jerr);
	error = json_object_get(root, "error");
	if (json_is_string(error)) {
		/* Elasticsearch 1.x-style {"error": "IndexMissingException[...]"} */
		buf_init(&b);
		put_cause(&b, NULL, json_string_value(error));
		code = status == 401 || status == 403 ? ERR_AUTH : ERR_BACKEND;
		return finish_error(e, code, &b, status == 401 ? " — " AUTH_HINT : "", root);
	}
	if (!json_is_object(error)) {
		not_json_error(ok_status(status) ? 500 : status, body, len, root != NULL, e);
		json_decref(root);
		return -1;
	}
	type = elasticsearch_get_str(error, "type");
	reason = elasticsearch_get_str(error, "reason");
	buf_init(&b);
	put_cause(&b, type != NULL ? type : "error", reason != NULL ? reason : "(no reason)");
	if (reason != NULL)
		seen[nseen++] = reason;
	rc = json_array_get(json_object_get(error, "root_cause"), 0);
	if (json_is_object(rc) && !said(seen, nseen, elasticsearch_get_str(rc, "reason"))) {
		put_cause(&b, elasticsearch_get_str(rc, "type"),
			  elasticsearch_get_str(rc, "reason"));
		seen[nseen++] = elasticsearch_get_str(rc, "reason");
	}
	/* the first failed shard's cause is where a query_string's parse error is */
	fs = json_array_get(json_object_get(error, "failed_shards"), 0);
	if (json_is_object(fs) && json_is_object(json_object_get(fs, "reason")))
		cb = json_object_get(json_object_get(fs, "reason"), "caused_by");
	if (!json_is_object(cb))
		cb = json_object_get(error, "caused_by");
	if (json_is_object(cb) && !said(seen, nseen, elasticsearch_get_str(cb, "reason")))
		put_cause(&b, elasticsearch_get_str(cb, "type"),
			  elasticsearch_get_str(cb, "reason"));

	if (status == 401) {
		code = ERR_AUTH;
		hint = " — " AUTH_HINT;
	} else if (status == 403) {
		code = ERR_AUTH;
		hint = " — the credentials lack read access; check [elasticsearch] index and "
		       "the user's role";
	} else if (status == 429) {
		code = ERR_BACKEND;
		hint = " — Elasticsearch is overloaded; retry after the server's Retry-After";
	} else if (status == 408 || status == 504) {
		code = ERR_TIMEOUT;
		hint = " — narrow the time range or the query";
	} else {
		code = ERR_BACKEND;
		if (type != NULL && strcmp(type, "index_not_found_exception") == 0)
			hint = " — check [elasticsearch] index";
		else if (fielddata_hint(error, fd_hint, sizeof fd_hint))
			hint = fd_hint;
	}
	return finish_error(e, code, &b, hint, root);
}

/*
 * The root object of a 2xx search answer (new), or NULL with e filled:
 * the server's error verbatim for other statuses, else what arrived.
 */
json_t *
elasticsearch_load(long status, const char *body, size_t len, struct err *e)
{
	json_error_t jerr;
	json_t *root;

	if (body == NULL)
		len = 0;
	if (!ok_status(status))
		return elasticsearch_parse_error(status, body, len, e), NULL;
	if (!looks_json(body, len))
		return not_json_error(status, body, len, false, e), NULL;
	root = load_json(body, len, &jerr);
	if (root == NULL) {
		err_set(e, ERR_PARSE,
			"elasticsearch: malformed JSON in HTTP %ld response (line %d column %d: "
			"%s) — truncated by a proxy? check [elasticsearch] url",
			status, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		err_set(e, ERR_PARSE,
			"elasticsearch: HTTP %ld: the answer is not a JSON object — not a search "
			"response? check [elasticsearch] url",
			status);
		return NULL;
	}
	if (json_is_object(json_object_get(root, "error"))) {
		/* an error body with a 2xx status (a proxy rewrote it) */
		elasticsearch_parse_error(500, body, len, e);
		json_decref(root);
		return NULL;
	}
	return root;
}
