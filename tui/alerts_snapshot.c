/*
 * alerts_snapshot.c - the Alerts screen as a snapshot: one round, then
 * text, ansi, Markdown or JSON.
 */
#include "alerts_snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "poller.h"
#include "render.h"
#include "screens/alerts.h"
#include "signals.h"
#include "text.h"
#include "xalloc.h"

bool
alerts_snapshot_screen(const char *screen)
{
	return screen != NULL && strcmp(screen, "alerts") == 0;
}

static void
rfc3339(double t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];

	gmtime_r(&tt, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, n, "%s.%03dZ", s, (int)((t - (double)tt) * 1000.0) % 1000);
}

/* A JSON string, or null for NULL or text jansson refuses (invalid UTF-8). */
static json_t *
str_or_null(const char *s)
{
	json_t *j = s != NULL ? json_string(s) : NULL;

	return j != NULL ? j : json_null();
}

static json_t *
time_or_null(double t)
{
	char when[48];

	if (t <= 0)
		return json_null();
	rfc3339(t, when, sizeof when);
	return json_string(when);
}

static const char *const state_names[] = { "firing", "pending", "silenced" };

static json_t *
alert_json(const struct alert *a)
{
	json_t *o = json_object(), *labels = json_object(), *ids;
	size_t i;

	json_object_set_new(o, "name", str_or_null(a->name));
	json_object_set_new(o, "state", json_string(state_names[a->state]));
	json_object_set_new(o, "severity", str_or_null(a->severity));
	json_object_set_new(o, "service", str_or_null(a->service));
	json_object_set_new(o, "since", time_or_null(a->since));
	json_object_set_new(o, "summary", str_or_null(a->summary));
	json_object_set_new(o, "source", str_or_null(a->source));
	for (i = 0; i < a->nlabels; i++) {
		json_t *v = json_string(a->labels[2 * i + 1]);

		if (v != NULL && json_object_set_new(labels, a->labels[2 * i], v) < 0)
			continue; /* a name jansson refuses (invalid UTF-8) */
	}
	json_object_set_new(o, "labels", labels);
	json_object_set_new(o, "fingerprint", str_or_null(a->fingerprint));
	if (a->silenced_by != NULL) {
		const char *p = a->silenced_by;

		ids = json_array();
		while (*p != '\0') {
			size_t n = strcspn(p, ",");

			json_array_append_new(ids, json_stringn(p, n));
			p += n;
			if (*p == ',')
				p++;
		}
	} else {
		ids = json_array();
	}
	json_object_set_new(o, "silenced_by", ids);
	json_object_set_new(o, "silence_ends", time_or_null(a->silence_ends));
	return o;
}

/* The failing sources' messages joined by "; " into b; false when none failed. */
static bool
errors_text(const struct alerts_status *st, struct buf *b)
{
	if (st == NULL)
		return false;
	if (st->am_err.code != ERR_OK)
		buf_puts(b, st->am_err.msg);
	if (st->prom_err.code != ERR_OK) {
		if (b->len > 0)
			buf_puts(b, "; ");
		buf_puts(b, st->prom_err.msg);
	}
	return b->len > 0;
}

json_t *
alerts_snapshot_json_object(const struct model *m, const struct alerts_status *st)
{
	json_t *root = json_object(), *arr = json_array(), *src = json_object();
	size_t n, i, cnt[3] = { 0, 0, 0 };
	const struct alert *a = model_alerts(m, &n);
	struct buf b;

	for (i = 0; i < n; i++) {
		cnt[a[i].state]++;
		json_array_append_new(arr, alert_json(&a[i]));
	}
	json_object_set_new(root, "firing", json_integer((json_int_t)cnt[ALERT_FIRING]));
	json_object_set_new(root, "pending", json_integer((json_int_t)cnt[ALERT_PENDING]));
	json_object_set_new(root, "silenced", json_integer((json_int_t)cnt[ALERT_SILENCED]));
	json_object_set_new(src, "prometheus", json_boolean(st != NULL && st->prometheus));
	json_object_set_new(src, "alertmanager",
			    st != NULL && st->alertmanager ? str_or_null(st->am_url) : json_null());
	json_object_set_new(root, "sources", src);
	buf_init(&b);
	json_object_set_new(root, "error", errors_text(st, &b) ? str_or_null(b.data) : json_null());
	buf_done(&b);
	json_object_set_new(root, "alerts", arr);
	return root;
}

void
alerts_snapshot_json(const struct model *m, const struct alerts_status *st, struct buf *out)
{
	json_t *j = alerts_snapshot_json_object(m, st);
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_ENSURE_ASCII);

	if (text != NULL)
		buf_puts(out, text);
	buf_putc(out, '\n');
	free(text);
	json_decref(j);
}

void
alerts_snapshot_markdown(const struct view_ctx *v, const struct alerts_status *st, bool utc,
			 struct buf *out)
{
	char summary[128];
	size_t n;
	struct buf b;

	alerts_screen_summary(v, summary, sizeof summary);
	buf_printf(out, "## Alerts\n\n%s\n\n", summary);
	buf_init(&b);
	if (errors_text(st, &b)) {
		buf_puts(out, "**Failing:** ");
		text_sanitize_buf(b.data, out, v->ascii);
		buf_puts(out, "\n\n");
	}
	buf_done(&b);
	model_alerts(v->model, &n);
	if (n == 0) {
		buf_puts(out, "No alerts are firing or pending.\n");
		return;
	}
	alerts_screen_markdown(v, utc, out);
}

struct body_ctx {
	struct alerts_screen *screen;
	const struct alerts_status *st;
	bool utc;
};

static void
draw_body(void *ud, struct canvas *c, struct rect r, const struct view_ctx *v)
{
	struct body_ctx *b = ud;

	alerts_screen_draw(b->screen, c, r, v, b->st, b->utc);
}

void
alerts_snapshot_draw(struct canvas *c, const struct view_ctx *v, const struct alerts_status *st,
		     bool utc)
{
	struct render_state rs;
	struct body_ctx b = { alerts_screen_new(), st, utc };
	char summary[128], title[64];
	struct view_ctx vv = *v;

	vv.wall = true; /* no cursor in a snapshot */
	alerts_screen_summary(v, summary, sizeof summary);
	snprintf(title, sizeof title, "Overview %s Alerts", v->ascii ? ">" : "\xe2\x80\xba");
	memset(&rs, 0, sizeof rs);
	rs.title = title;
	rs.title_summary = summary;
	rs.body = draw_body;
	rs.body_ud = &b;
	render_screen(c, &vv, &rs);
	alerts_screen_free(b.screen);
}

int
alerts_snapshot_run(const struct snapshot_options *o, struct buf *out, struct err *e)
{
	const struct setup *s = o->setup;
	const bool utc = strcmp(config_str(s->cfg, CFG_GENERAL_TIMEZONE), "UTC") == 0;
	struct http *http;
	struct model *model;
	struct alerts_poll *ap;
	const struct alerts_status *st;
	struct view_ctx v;
	double deadline;
	int status = 0;

	if (!s->alerts.prometheus && !s->alerts.alertmanager)
		return err_set(e, ERR_USAGE,
			       "--screen alerts needs an alert source: set [prometheus] url "
			       "(--prometheus URL) or [alertmanager] url (--alertmanager URL)");
	http = http_new(e);
	if (http == NULL)
		return -1;
	http_set_debug_log(http, o->debug_log);
	model = model_new(s->poll.history, s->max_services);
	ap = alerts_poll_new(http, model, &s->alerts);
	signals_install(0, NULL);
	deadline = poller_mono_now() + (double)o->timeout_ms / 1000.0;
	alerts_poll_tick(ap, poller_mono_now());
	while (!sig_quit && alerts_poll_busy(ap)) {
		struct http_waitfd fd = { sig_pipe_fd[0], 1 /* POLLIN */, 0 };
		long left = (long)((deadline - poller_mono_now()) * 1000.0);

		if (left <= 0)
			break;
		if (http_wait(http, &fd, 1, left > 200 ? 200 : (int)left, e) < 0)
			break;
		http_perform(http);
		alerts_poll_tick(ap, poller_mono_now());
	}
	st = alerts_poll_status(ap);
	if (!st->have) {
		struct err te;

		err_set(&te, ERR_TIMEOUT, "alerts: no answer in time (raise --timeout)");
		alerts_poll_timed_out(ap, &te);
		status = 2;
	} else if (st->am_err.code != ERR_OK || st->prom_err.code != ERR_OK) {
		status = 2;
	}
	memset(&v, 0, sizeof v);
	v.model = model;
	v.th = &s->th;
	v.now = poller_wall_now();
	v.stale_after = 3.0 * (double)s->poll.refresh_ms / 1000.0;
	v.ascii = o->ascii;
	v.prometheus = s->poll.prometheus;
	switch (o->format) {
	case SNAP_TEXT:
	case SNAP_ANSI: {
		struct canvas *c = canvas_new(o->width, o->height);

		c->ascii = o->ascii;
		alerts_snapshot_draw(c, &v, st, utc);
		if (o->format == SNAP_TEXT)
			canvas_write_text(c, out);
		else
			canvas_write_ansi(c, out, o->color);
		canvas_free(c);
		break;
	}
	case SNAP_MARKDOWN:
		alerts_snapshot_markdown(&v, st, utc, out);
		break;
	case SNAP_JSON:
		alerts_snapshot_json(model, st, out);
		break;
	}
	http_free(http);
	alerts_poll_free(ap);
	model_free(model);
	return status;
}
