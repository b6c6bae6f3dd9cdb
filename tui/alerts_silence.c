/*
 * alerts_silence.c - one alert's silence: matchers, times, body, audit.
 */
#include "alerts_silence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "xalloc.h"

void
alerts_silence_init(struct alerts_silence *s, const struct alert *a, const char *user)
{
	char login[256];
	size_t i;

	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", a->name ? a->name : "");
	snprintf(s->service, sizeof s->service, "%s", a->service ? a->service : "");
	if (a->nlabels > 0)
		s->matchers = xcalloc(a->nlabels, sizeof *s->matchers);
	for (i = 0; i < a->nlabels; i++) {
		s->matchers[i].name = xstrdup(a->labels[2 * i]);
		s->matchers[i].value = xstrdup(a->labels[2 * i + 1]);
		s->matchers[i].is_equal = true;
	}
	s->nmatchers = a->nlabels;
	if (user == NULL) {
		audit_login(login, sizeof login);
		user = login;
	}
	snprintf(s->created_by, sizeof s->created_by, "opsdeck (%s)", user);
}

void
alerts_silence_done(struct alerts_silence *s)
{
	size_t i;

	for (i = 0; i < s->nmatchers; i++) {
		free(s->matchers[i].name);
		free(s->matchers[i].value);
	}
	free(s->matchers);
	s->matchers = NULL;
	s->nmatchers = 0;
}

int
alerts_silence_set_duration(struct alerts_silence *s, long long duration_ms, double now,
			    struct err *e)
{
	if (duration_ms < 60000)
		return err_set(e, ERR_USAGE, "a silence lasts at least 1m (e.g. 30m, 2h, 1d)");
	if (duration_ms > 366LL * 86400 * 1000)
		return err_set(e, ERR_USAGE, "a silence lasts at most a year (e.g. 30m, 2h, 1d)");
	s->duration_ms = duration_ms;
	s->starts_at = now;
	s->ends_at = now + (double)duration_ms / 1000.0;
	return 0;
}

char *
alerts_silence_body(const struct alerts_silence *s)
{
	return alertmanager_silence_body(s->matchers, s->nmatchers, s->starts_at, s->ends_at,
					 s->created_by, s->comment);
}

void
alerts_silence_matchers_text(const struct alerts_silence *s, struct buf *out)
{
	size_t i, k;

	for (i = 0; i < s->nmatchers; i++) {
		const char *v = s->matchers[i].value;

		if (i > 0)
			buf_puts(out, ", ");
		buf_puts(out, s->matchers[i].name);
		buf_puts(out, "=\"");
		for (k = 0; v[k] != '\0'; k++) {
			if (v[k] == '"' || v[k] == '\\')
				buf_putc(out, '\\');
			buf_putc(out, v[k]);
		}
		buf_putc(out, '"');
	}
}

void
alerts_silence_duration_text(long long ms, char *out, size_t n)
{
	long long s = ms / 1000, d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60,
		  sec = s % 60;
	size_t o = 0;

	if (n == 0)
		return;
	out[0] = '\0';
	if (d > 0 && o < n)
		o += (size_t)snprintf(out + o, n - o, "%lldd", d);
	if (h > 0 && o < n)
		o += (size_t)snprintf(out + o, n - o, "%lldh", h);
	if (m > 0 && o < n)
		o += (size_t)snprintf(out + o, n - o, "%lldm", m);
	if ((sec > 0 || o == 0) && o < n)
		snprintf(out + o, n - o, "%llds", sec);
}

static void
rfc3339(double t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
alerts_silence_audit(struct audit *log, const struct alerts_silence *s, const char *mode,
		     const char *am_url, enum audit_result result, const char *id,
		     const char *error, struct err *e)
{
	struct audit_record r;
	struct buf before, after;
	char dur[32], until[40], *url = http_url_redact(am_url);
	int rc;

	buf_init(&before);
	buf_init(&after);
	buf_puts(&before, s->name);
	buf_putc(&before, '{');
	alerts_silence_matchers_text(s, &before);
	buf_putc(&before, '}');
	alerts_silence_duration_text(s->duration_ms, dur, sizeof dur);
	rfc3339(s->ends_at, until, sizeof until);
	if (s->duration_ms > 0)
		buf_printf(&after, "for %s until %s; ", dur, until);
	buf_printf(&after, "comment: %s", s->comment);
	if (id != NULL && id[0] != '\0')
		buf_printf(&after, "; id %s", id);
	memset(&r, 0, sizeof r);
	r.mode = mode != NULL ? mode : "console";
	r.runtime = "alertmanager";
	r.context = url[0] != '\0' ? url : NULL;
	r.service = s->service[0] != '\0' ? s->service : NULL;
	r.action = "silence";
	r.before = before.data;
	r.after = after.data;
	r.result = result;
	r.error = error;
	rc = audit_append(log, &r, e);
	buf_done(&before);
	buf_done(&after);
	free(url);
	return rc;
}
