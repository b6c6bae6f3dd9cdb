/*
 * alertmanager.c - the Alertmanager v2 API: paths, the alerts and
 * silences parsers, the silence body and its answer, the read allow-list.
 */
#include "alertmanager.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "xalloc.h"

const char *
alertmanager_alerts_path(void)
{
	return "/api/v2/alerts";
}

const char *
alertmanager_silences_path(void)
{
	return "/api/v2/silences";
}

/* ---- errors ------------------------------------------------------------ */

/* A non-2xx answer: Alertmanager's {"code":..,"message":".."} or its text. */
static int
status_error(long status, const char *body, size_t len, const char *what, struct err *e)
{
	char excerpt[200], head[160];
	json_t *root;
	const char *msg = NULL;

	if (status <= 0)
		return err_set(e, ERR_HTTP,
			       "alertmanager: %s: no answer — check [alertmanager] url", what);
	root = json_loadb(body != NULL ? body : "", len, 0, NULL);
	if (json_is_object(root) && json_is_string(json_object_get(root, "message")))
		msg = json_string_value(json_object_get(root, "message"));
	else if (json_is_string(root))
		msg = json_string_value(root);
	if (msg != NULL)
		http_body_excerpt(msg, strlen(msg), 160, HTTP_EXCERPT_UTF8, excerpt,
				  sizeof excerpt);
	else
		http_body_excerpt(body, len, 120, HTTP_EXCERPT_UTF8, excerpt, sizeof excerpt);
	json_decref(root);
	if (excerpt[0] == '<')
		excerpt[0] = '\0'; /* an HTML page says nothing useful */
	snprintf(head, sizeof head, "alertmanager: %s: HTTP %ld%s", what, status,
		 http_status_reason(status));
	if (status == 401 || status == 403)
		return err_set(e, ERR_AUTH,
			       "%s%s%s — set [alertmanager] token_file, or username and "
			       "password_file",
			       head, excerpt[0] ? ": " : "", excerpt);
	if (status == 404)
		return err_set(e, ERR_HTTP,
			       "%s — check [alertmanager] url: Alertmanager's base address, e.g. "
			       "http://alertmanager:9093 (no /api/v2)",
			       head);
	return err_set(e, status >= 500 ? ERR_BACKEND : ERR_HTTP, "%s%s%s", head,
		       excerpt[0] ? ": " : "", excerpt);
}

static json_t *
load(long status, const char *body, size_t len, const char *what, struct err *e)
{
	json_t *root;
	json_error_t je;
	char s[80];

	if (status < 200 || status > 299) {
		status_error(status, body, len, what, e);
		return NULL;
	}
	root = json_loadb(body != NULL ? body : "", len, 0, &je);
	if (root == NULL) {
		http_body_excerpt(body, len, 60, HTTP_EXCERPT_DQUOTED, s, sizeof s);
		err_set(e, ERR_PARSE,
			"alertmanager: %s: HTTP %ld: the answer is not JSON (\"%s\") — is "
			"[alertmanager] url Alertmanager's address?",
			what, status, s);
	}
	return root;
}

static const char *
get_str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
cmp_label(const void *pa, const void *pb)
{
	const struct prom_label *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

static void
labels_free(struct prom_label *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(l[i].name);
		free(l[i].value);
	}
	free(l);
}

/* {"name": "value"} into labels sorted by name; a missing object is none. */
static int
parse_labels(const json_t *obj, const char *what, struct prom_label **out, size_t *n, struct err *e)
{
	const char *k;
	json_t *v;
	size_t i = 0;

	*out = NULL;
	*n = 0;
	if (obj == NULL || json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return err_set(e, ERR_PARSE, "alertmanager: %s is not an object", what);
	if (json_object_size(obj) == 0)
		return 0;
	*out = xcalloc(json_object_size(obj), sizeof **out);
	json_object_foreach((json_t *)obj, k, v)
	{
		if (!json_is_string(v)) {
			labels_free(*out, i);
			*out = NULL;
			return err_set(e, ERR_PARSE, "alertmanager: %s \"%.40s\" is not a string",
				       what, k);
		}
		(*out)[i].name = xstrdup(k);
		(*out)[i].value = xstrdup(json_string_value(v));
		i++;
	}
	*n = i;
	qsort(*out, i, sizeof **out, cmp_label);
	return 0;
}

static int
get_time(const json_t *obj, const char *key, const char *what, double *out, struct err *e)
{
	const char *s = get_str(obj, key);

	*out = 0;
	if (s == NULL)
		return 0;
	if (prometheus_parse_time(s, out) < 0)
		return err_set(e, ERR_PARSE, "alertmanager: %s %s \"%.40s\" is not RFC 3339", what,
			       key, s);
	return 0;
}

/* ---- alerts ------------------------------------------------------------ */

static void
alert_done(struct am_alert *a)
{
	size_t i;

	labels_free(a->labels, a->nlabels);
	labels_free(a->annotations, a->nannotations);
	free(a->fingerprint);
	for (i = 0; i < a->nsilenced_by; i++)
		free(a->silenced_by[i]);
	free(a->silenced_by);
}

void
alertmanager_alerts_free(struct am_alert *a, size_t n)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < n; i++)
		alert_done(&a[i]);
	free(a);
}

static int
parse_alert(const json_t *j, struct am_alert *a, struct err *e)
{
	const json_t *st, *sb, *ib;
	const char *state;
	size_t i;

	if (!json_is_object(j))
		return err_set(e, ERR_PARSE, "alertmanager: an alert is not an object");
	if (parse_labels(json_object_get(j, "labels"), "alert label", &a->labels, &a->nlabels, e) <
		    0 ||
	    parse_labels(json_object_get(j, "annotations"), "annotation", &a->annotations,
			 &a->nannotations, e) < 0)
		return -1;
	a->fingerprint = xstrdup(get_str(j, "fingerprint") ? get_str(j, "fingerprint") : "");
	if (get_time(j, "startsAt", "alert", &a->starts_at, e) < 0 ||
	    get_time(j, "endsAt", "alert", &a->ends_at, e) < 0)
		return -1;
	st = json_object_get(j, "status");
	if (!json_is_object(st))
		return err_set(e, ERR_PARSE, "alertmanager: an alert has no \"status\" object");
	state = get_str(st, "state");
	if (state == NULL)
		return err_set(e, ERR_PARSE, "alertmanager: an alert has no \"status.state\"");
	a->state = strcmp(state, "suppressed") == 0    ? AM_SUPPRESSED
		   : strcmp(state, "unprocessed") == 0 ? AM_UNPROCESSED
						       : AM_ACTIVE;
	sb = json_object_get(st, "silencedBy");
	ib = json_object_get(st, "inhibitedBy");
	if ((sb != NULL && !json_is_array(sb) && !json_is_null(sb)) ||
	    (ib != NULL && !json_is_array(ib) && !json_is_null(ib)))
		return err_set(
			e, ERR_PARSE,
			"alertmanager: an alert's silencedBy or inhibitedBy is not an array");
	if (json_is_array(sb) && json_array_size(sb) > 0) {
		a->silenced_by = xcalloc(json_array_size(sb), sizeof *a->silenced_by);
		for (i = 0; i < json_array_size(sb); i++) {
			const json_t *id = json_array_get(sb, i);

			if (!json_is_string(id))
				return err_set(e, ERR_PARSE,
					       "alertmanager: a silencedBy id is not a string");
			a->silenced_by[a->nsilenced_by++] = xstrdup(json_string_value(id));
		}
	}
	a->ninhibited_by = json_is_array(ib) ? json_array_size(ib) : 0;
	return 0;
}

int
alertmanager_parse_alerts(long status, const char *body, size_t len, struct am_alert **out,
			  size_t *n, struct err *e)
{
	json_t *root;
	struct am_alert *a = NULL;
	size_t i, cnt = 0;

	*out = NULL;
	*n = 0;
	root = load(status, body, len, alertmanager_alerts_path(), e);
	if (root == NULL)
		return -1;
	if (!json_is_array(root)) {
		json_decref(root);
		return err_set(e, ERR_PARSE, "alertmanager: %s: the answer is not an array",
			       alertmanager_alerts_path());
	}
	if (json_array_size(root) > 0)
		a = xcalloc(json_array_size(root), sizeof *a);
	for (i = 0; i < json_array_size(root); i++) {
		cnt++;
		if (parse_alert(json_array_get(root, i), &a[i], e) < 0) {
			alertmanager_alerts_free(a, cnt);
			json_decref(root);
			return -1;
		}
	}
	json_decref(root);
	*out = a;
	*n = cnt;
	return 0;
}

/* ---- silences ---------------------------------------------------------- */

static void
silence_done(struct am_silence *s)
{
	size_t i;

	free(s->id);
	free(s->created_by);
	free(s->comment);
	for (i = 0; i < s->nmatchers; i++) {
		free(s->matchers[i].name);
		free(s->matchers[i].value);
	}
	free(s->matchers);
}

void
alertmanager_silences_free(struct am_silence *s, size_t n)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++)
		silence_done(&s[i]);
	free(s);
}

static int
parse_silence(const json_t *j, struct am_silence *s, struct err *e)
{
	const json_t *st, *ms;
	const char *id, *state;
	size_t i;

	if (!json_is_object(j))
		return err_set(e, ERR_PARSE, "alertmanager: a silence is not an object");
	id = get_str(j, "id");
	if (id == NULL)
		return err_set(e, ERR_PARSE, "alertmanager: a silence has no \"id\"");
	s->id = xstrdup(id);
	s->created_by = xstrdup(get_str(j, "createdBy") ? get_str(j, "createdBy") : "");
	s->comment = xstrdup(get_str(j, "comment") ? get_str(j, "comment") : "");
	if (get_time(j, "startsAt", "silence", &s->starts_at, e) < 0 ||
	    get_time(j, "endsAt", "silence", &s->ends_at, e) < 0)
		return -1;
	st = json_object_get(j, "status");
	state = json_is_object(st) ? get_str(st, "state") : NULL;
	s->state = state == NULL                   ? AM_SILENCE_ACTIVE
		   : strcmp(state, "expired") == 0 ? AM_SILENCE_EXPIRED
		   : strcmp(state, "pending") == 0 ? AM_SILENCE_PENDING
						   : AM_SILENCE_ACTIVE;
	ms = json_object_get(j, "matchers");
	if (ms != NULL && !json_is_array(ms))
		return err_set(e, ERR_PARSE,
			       "alertmanager: silence %.40s: \"matchers\" is not an "
			       "array",
			       id);
	if (json_array_size(ms) > 0)
		s->matchers = xcalloc(json_array_size(ms), sizeof *s->matchers);
	for (i = 0; i < json_array_size(ms); i++) {
		const json_t *m = json_array_get(ms, i);
		const json_t *eq = json_object_get(m, "isEqual");
		const char *name = get_str(m, "name"), *value = get_str(m, "value");

		if (name == NULL || value == NULL)
			return err_set(
				e, ERR_PARSE,
				"alertmanager: silence %.40s: a matcher has no name or value", id);
		s->matchers[i].name = xstrdup(name);
		s->matchers[i].value = xstrdup(value);
		s->matchers[i].is_regex = json_is_true(json_object_get(m, "isRegex"));
		s->matchers[i].is_equal = eq == NULL || json_is_true(eq);
		s->nmatchers++;
	}
	return 0;
}

int
alertmanager_parse_silences(long status, const char *body, size_t len, struct am_silence **out,
			    size_t *n, struct err *e)
{
	json_t *root;
	struct am_silence *s = NULL;
	size_t i, cnt = 0;

	*out = NULL;
	*n = 0;
	root = load(status, body, len, alertmanager_silences_path(), e);
	if (root == NULL)
		return -1;
	if (!json_is_array(root)) {
		json_decref(root);
		return err_set(e, ERR_PARSE, "alertmanager: %s: the answer is not an array",
			       alertmanager_silences_path());
	}
	if (json_array_size(root) > 0)
		s = xcalloc(json_array_size(root), sizeof *s);
	for (i = 0; i < json_array_size(root); i++) {
		cnt++;
		if (parse_silence(json_array_get(root, i), &s[i], e) < 0) {
			alertmanager_silences_free(s, cnt);
			json_decref(root);
			return -1;
		}
	}
	json_decref(root);
	*out = s;
	*n = cnt;
	return 0;
}

/* ---- the silence request ----------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t k, need;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (k = 1; k < need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

/* A JSON string of s with invalid UTF-8 replaced by U+FFFD (new reference). */
static json_t *
json_text(const char *s)
{
	struct buf b;
	size_t i = 0, n = s != NULL ? strlen(s) : 0;
	json_t *j;

	buf_init(&b);
	while (i < n) {
		size_t k = utf8_len((const unsigned char *)s + i, n - i);

		if (k == 0) {
			buf_puts(&b, "\xef\xbf\xbd");
			i++;
		} else {
			buf_append(&b, s + i, k);
			i += k;
		}
	}
	j = json_stringn(b.data != NULL ? b.data : "", b.len);
	buf_done(&b);
	return j != NULL ? j : json_string("");
}

static json_t *
json_time(double t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32], out[48];
	int ms = (int)((t - (double)tt) * 1000.0);

	if (ms < 0)
		ms = 0;
	if (ms > 999)
		ms = 999;
	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, sizeof out, "%s.%03dZ", s, ms);
	return json_string(out);
}

char *
alertmanager_silence_body(const struct am_matcher *m, size_t n, double starts_at, double ends_at,
			  const char *created_by, const char *comment)
{
	json_t *root = json_object(), *arr = json_array();
	char *out, *copy;
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "name", json_text(m[i].name));
		json_object_set_new(o, "value", json_text(m[i].value));
		json_object_set_new(o, "isRegex", json_boolean(m[i].is_regex));
		json_object_set_new(o, "isEqual", json_boolean(m[i].is_equal));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "matchers", arr);
	json_object_set_new(root, "startsAt", json_time(starts_at));
	json_object_set_new(root, "endsAt", json_time(ends_at));
	json_object_set_new(root, "createdBy", json_text(created_by));
	json_object_set_new(root, "comment", json_text(comment));
	out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	copy = xstrdup(out != NULL ? out : "{}");
	free(out);
	return copy;
}

int
alertmanager_parse_silence_id(long status, const char *body, size_t len, char *id, size_t n,
			      struct err *e)
{
	json_t *root;
	const char *s;

	if (n > 0)
		id[0] = '\0';
	root = load(status, body, len, alertmanager_silences_path(), e);
	if (root == NULL)
		return -1;
	s = json_is_object(root) ? get_str(root, "silenceID") : NULL;
	if (s == NULL || s[0] == '\0') {
		json_decref(root);
		return err_set(e, ERR_PARSE, "alertmanager: %s: the answer has no \"silenceID\"",
			       alertmanager_silences_path());
	}
	snprintf(id, n, "%s", s);
	json_decref(root);
	return 0;
}

/* ---- read-only allow-list ---------------------------------------------- */

/* path without its query string equals p. */
static bool
path_is(const char *path, const char *p)
{
	size_t n = strlen(p);

	return strncmp(path, p, n) == 0 && (path[n] == '\0' || path[n] == '?');
}

bool
alertmanager_is_read(enum http_method m, const char *path)
{
	static const char *const reads[] = { "/api/v2/alerts",    "/api/v2/alerts/groups",
					     "/api/v2/silences",  "/api/v2/status",
					     "/api/v2/receivers", "/-/ready",
					     "/-/healthy" };
	size_t i;

	if (m != HTTP_GET || path == NULL)
		return false;
	for (i = 0; i < sizeof reads / sizeof reads[0]; i++)
		if (path_is(path, reads[i]))
			return true;
	if (strncmp(path, "/api/v2/silence/", 16) == 0 && path[16] != '\0' &&
	    strchr(path + 16, '/') == NULL)
		return true;
	return false;
}
