/*
 * app_alerts.c - the Alerts screen in the console: its poller (always on:
 * the Overview marks services with firing alerts), its keys and
 * commands, and a silence - s asks the duration, then a comment, then
 * confirms in a dialog showing the matchers and the end; POST to
 * Alertmanager; one audit line per attempt (cancelled, refused, failed,
 * succeeded).  Read-only refuses before anything is asked.
 */
#include "app_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_poll.h"
#include "alerts_silence.h"
#include "audit.h"
#include "parse.h"
#include "screens/alerts.h"
#include "term.h"
#include "xalloc.h"

/* What the EDIT_SILENCE line is for: a silence's steps, or the screen's / filter. */
enum silence_step { SIL_NONE, SIL_DURATION, SIL_COMMENT, SIL_CONFIRM, SIL_SENDING, SIL_FILTER };

struct app_alerts {
	struct alerts_poll *poll;
	struct alerts_screen *screen;
	struct audit log;
	bool log_open;
	enum silence_step step;
	struct alerts_silence sil;
	struct dialog_view dv;
	char title[320];
	char change[640];
	struct buf body;
	char summary[320];
	char crumbs[64];
};

static bool
utc(const struct app *a)
{
	return strcmp(config_str(a->o->setup->cfg, CFG_GENERAL_TIMEZONE), "UTC") == 0;
}

void
app_alerts_start(struct app *a)
{
	struct app_alerts *x = xcalloc(1, sizeof *x);

	x->poll = alerts_poll_new(a->http, a->model, &a->o->setup->alerts);
	x->screen = alerts_screen_new();
	x->log.fd = -1;
	buf_init(&x->body);
	a->alerts = x;
}

void
app_alerts_stop(struct app *a)
{
	struct app_alerts *x = a->alerts;

	if (x == NULL)
		return;
	/*
	 * Before http_free: the poller's request records go with it, and
	 * http_free never calls the callbacks of what it cancels.
	 */
	alerts_poll_free(x->poll);
	alerts_screen_free(x->screen);
	alerts_silence_done(&x->sil);
	if (x->log_open)
		audit_close(&x->log);
	buf_done(&x->body);
	free(x);
	a->alerts = NULL;
}

void
app_alerts_open(struct app *a)
{
	app_push_screen(a, SCREEN_ALERTS);
	alerts_poll_refresh_now(a->alerts->poll);
}

void
app_alerts_closed(struct app *a)
{
	(void)a;
}

void
app_alerts_refresh_now(struct app *a)
{
	alerts_poll_refresh_now(a->alerts->poll);
}

long
app_alerts_next_due_ms(const struct app *a, double mono, long t)
{
	long d = alerts_poll_next_due_ms(a->alerts->poll, mono);

	return d < t ? d : t;
}

/* One audit line; a log that cannot be written is said in the status line. */
static void
audit_line(struct app *a, enum audit_result result, const char *id, const char *error)
{
	struct app_alerts *x = a->alerts;
	const struct setup *s = a->o->setup;
	struct err e;

	if (!x->log_open) {
		if (audit_open(&x->log, s->actions.audit_path, &e) < 0) {
			app_show_error(a, e.msg);
			return;
		}
		x->log_open = true;
		x->log.env = s->env_name;
	}
	if (alerts_silence_audit(&x->log, &x->sil, s->actions.mode, s->alerts.am_url, result, id,
				 error, &e) < 0)
		app_show_error(a, e.msg);
}

static void
end_silence(struct app *a)
{
	a->alerts->step = SIL_NONE;
	alerts_silence_done(&a->alerts->sil);
}

/* s on an alert: refusals first, then the duration prompt. */
static void
begin_silence(struct app *a)
{
	struct app_alerts *x = a->alerts;
	const struct setup *s = a->o->setup;
	struct view_ctx v;
	const struct alert *al;
	char msg[768], when[32], dur[32];

	app_view_of(a, &v);
	al = alerts_screen_selected(x->screen, &v);
	if (al == NULL) {
		app_show_error(a, "no alert selected");
		return;
	}
	if (x->step == SIL_SENDING) {
		app_show_error(a, "a silence is already being created; wait for it");
		return;
	}
	alerts_silence_done(&x->sil);
	alerts_silence_init(&x->sil, al, NULL);
	if (s->actions.read_only) {
		snprintf(msg, sizeof msg,
			 "read-only: silencing %s refused (started with --read-only or [general] "
			 "read_only)",
			 x->sil.name);
		audit_line(a, AUDIT_REFUSED, NULL, "read-only");
		app_show_error(a, msg);
		end_silence(a);
		return;
	}
	if (!s->alerts.alertmanager) {
		app_show_error(a, "no Alertmanager to silence in: set [alertmanager] url (or "
				  "--alertmanager URL)");
		end_silence(a);
		return;
	}
	if (al->state == ALERT_SILENCED) {
		if (al->silence_ends > 0) {
			alerts_screen_clock(al->silence_ends, v.now, utc(a), when, sizeof when);
			snprintf(msg, sizeof msg, "%s is already silenced until %s (silence %s)",
				 x->sil.name, when, al->silenced_by ? al->silenced_by : "?");
		} else {
			snprintf(msg, sizeof msg,
				 "%s is already suppressed (inhibited by another "
				 "alert)",
				 x->sil.name);
		}
		app_set_message(a, ROLE_WARN, "%s", msg);
		end_silence(a);
		return;
	}
	x->step = SIL_DURATION;
	snprintf(a->prompt, sizeof a->prompt, "Silence %.200s for how long? ", x->sil.name);
	alerts_silence_duration_text(s->alerts.silence_ms > 0 ? s->alerts.silence_ms : 7200000, dur,
				     sizeof dur);
	a->edit = EDIT_SILENCE;
	input_set(&a->input, dur);
	a->message[0] = '\0';
}

static void
open_dialog(struct app *a)
{
	struct app_alerts *x = a->alerts;
	char when[32], dur[32];
	struct view_ctx v;

	app_view_of(a, &v);
	alerts_screen_clock(x->sil.ends_at, v.now, utc(a), when, sizeof when);
	alerts_silence_duration_text(x->sil.duration_ms, dur, sizeof dur);
	snprintf(x->title, sizeof x->title, "Silence %.200s?", x->sil.name);
	snprintf(x->change, sizeof x->change, "%.200s%s%.200s %s for %s, until %s%s", x->sil.name,
		 x->sil.service[0] != '\0' ? " on " : "", x->sil.service,
		 a->ascii ? "-" : "\xe2\x80\x94", dur, when, utc(a) ? " UTC" : "");
	buf_reset(&x->body);
	buf_puts(&x->body, "Alertmanager mutes every alert with exactly these labels:\n");
	alerts_silence_matchers_text(&x->sil, &x->body);
	buf_printf(&x->body, "\nComment: %s", x->sil.comment);
	memset(&x->dv, 0, sizeof x->dv);
	x->dv.title = x->title;
	x->dv.body = x->body.data;
	x->dv.change = x->change;
	/*
	 * confirm = name (or a protected environment): the silence is
	 * confirmed as an action is, by typing the service's name (the
	 * alert's name when it names no service).
	 */
	x->dv.typed = a->o->setup->actions.confirm_name;
	x->dv.expect = x->sil.service[0] != '\0' ? x->sil.service : x->sil.name;
	x->dv.input = &a->typed;
	input_set(&a->typed, "");
	x->step = SIL_CONFIRM;
}

void
app_alerts_accept_input(struct app *a)
{
	struct app_alerts *x = a->alerts;
	const char *text = a->input.text.data != NULL ? a->input.text.data : "";
	long long ms;
	struct err e;
	char msg[ERR_MSG_MAX + 64];

	if (x->step == SIL_FILTER) {
		x->step = SIL_NONE;
		if (alerts_screen_set_filter(x->screen, text, &e) < 0) {
			snprintf(msg, sizeof msg, "invalid pattern: %s (keeping /%s/)", e.msg,
				 alerts_screen_filter(x->screen));
			app_show_error(a, msg);
		}
		return;
	}

	if (x->step == SIL_DURATION) {
		if (parse_duration_ms(text, &ms, &e) < 0 ||
		    alerts_silence_set_duration(&x->sil, ms, poller_wall_now(), &e) < 0) {
			/* Ask again, the text kept, the reason in the prompt (the message is hidden). */
			snprintf(a->prompt, sizeof a->prompt, "%.200s - how long? ", e.msg);
			a->edit = EDIT_SILENCE;
			return;
		}
		x->step = SIL_COMMENT;
		snprintf(a->prompt, sizeof a->prompt, "Comment (why, who; required): ");
		a->edit = EDIT_SILENCE;
		input_set(&a->input, "");
		return;
	}
	if (x->step == SIL_COMMENT) {
		text += strspn(text, " \t");
		if (*text == '\0') {
			snprintf(a->prompt, sizeof a->prompt,
				 "A silence needs a comment - why, who (Esc cancels): ");
			a->edit = EDIT_SILENCE;
			return;
		}
		snprintf(x->sil.comment, sizeof x->sil.comment, "%s", text);
		a->message[0] = '\0';
		open_dialog(a);
	}
}

/* y in the dialog: send; the outcome arrives in a tick. */
static void
confirm(struct app *a)
{
	struct app_alerts *x = a->alerts;
	struct err e;
	char *body;
	double now = poller_wall_now();

	/* The times count from the confirmation, not from the first prompt. */
	alerts_silence_set_duration(&x->sil, x->sil.duration_ms, now, &e);
	body = alerts_silence_body(&x->sil);
	if (alerts_poll_silence(x->poll, body, &e) < 0) {
		audit_line(a, e.code == ERR_READONLY ? AUDIT_REFUSED : AUDIT_FAILED, NULL, e.msg);
		app_show_error(a, e.msg);
		free(body);
		end_silence(a);
		return;
	}
	free(body);
	x->step = SIL_SENDING;
	app_set_message(a, ROLE_ACCENT, "silencing %s...", x->sil.name);
}

bool
app_alerts_modal_key(struct app *a, int key)
{
	struct app_alerts *x = a->alerts;
	enum dialog_result r;
	int w, h;

	if (x == NULL || x->step != SIL_CONFIRM)
		return false;
	if (key == K_RESIZE || key == K_MOUSE)
		return true;
	r = dialog_key(&x->dv, &a->typed, key);
	term_size(&w, &h);
	if (r == DIALOG_CONFIRM && !dialog_fits(a->canvas, (struct rect){ 0, 0, w, h }, &x->dv))
		r = DIALOG_CANCEL; /* the user could not see what they agreed to */
	if (r == DIALOG_PENDING)
		return true;
	if (r == DIALOG_CANCEL) {
		audit_line(a, AUDIT_CANCELLED, NULL, NULL);
		app_set_message(a, ROLE_DIM, "%s", "cancelled");
		end_silence(a);
		return true;
	}
	confirm(a);
	return true;
}

bool
app_alerts_key(struct app *a, enum action act)
{
	struct app_alerts *x = a->alerts;
	struct view_ctx v;
	const struct alert *al;

	if (app_top_screen(a) != SCREEN_ALERTS)
		return false;
	app_view_of(a, &v);
	switch (act) {
	case ACT_SILENCE:
		begin_silence(a);
		return true;
	case ACT_OPEN:
	case ACT_LOGS:
	case ACT_TRACES:
		al = alerts_screen_selected(x->screen, &v);
		if (al == NULL || al->service == NULL) {
			app_show_error(a, al == NULL ? "no alert selected"
						     : "this alert names no service");
			return true;
		}
		if (act == ACT_OPEN)
			app_open_detail(a, al->service);
		else if (act == ACT_LOGS)
			app_logs_open_service(a, al->service);
		else
			app_traces_open(a, al->service, NULL);
		return true;
	case ACT_FILTER:
		if (x->step == SIL_SENDING) {
			app_show_error(a, "a silence is being created; wait for it");
			return true;
		}
		x->step = SIL_FILTER;
		snprintf(a->prompt, sizeof a->prompt, "%s",
			 "Filter alerts (PCRE2, Enter applies): /");
		a->edit = EDIT_SILENCE;
		input_set(&a->input, alerts_screen_filter(x->screen));
		return true;
	case ACT_CLEAR_FILTER:
		alerts_screen_set_filter(x->screen, NULL, NULL);
		app_set_message(a, ROLE_DIM, "%s", "filter cleared");
		return true;
	default:
		return (alerts_screen_handle(x->screen, act, &v) & H_HANDLED) != 0;
	}
}

bool
app_alerts_command(struct app *a, const char *verb, const char *line)
{
	(void)line;
	if (strcmp(verb, "alerts") == 0) {
		app_alerts_open(a);
		return true;
	}
	if (strcmp(verb, "silence") == 0) {
		if (app_top_screen(a) != SCREEN_ALERTS)
			app_show_error(a, "silence: select an alert on the Alerts screen (:alerts) "
					  "first");
		else
			begin_silence(a);
		return true;
	}
	return false;
}

bool
app_alerts_tick(struct app *a, double mono)
{
	struct app_alerts *x = a->alerts;
	bool ok, changed = alerts_poll_tick(x->poll, mono);
	char id[128], msg[ERR_MSG_MAX + 300], when[32];
	struct err e;

	if (x->step == SIL_SENDING && alerts_poll_take_silence(x->poll, &ok, id, sizeof id, &e)) {
		if (ok) {
			alerts_screen_clock(x->sil.ends_at, poller_wall_now(), utc(a), when,
					    sizeof when);
			audit_line(a, AUDIT_SUCCEEDED, id, NULL);
			snprintf(msg, sizeof msg, "silenced %.200s until %s (silence %s)",
				 x->sil.name, when, id);
			app_set_message(a, ROLE_OK, "%s", msg);
			a->message_until = mono + 2 * MESSAGE_SECONDS;
		} else {
			audit_line(a, e.code == ERR_READONLY ? AUDIT_REFUSED : AUDIT_FAILED, NULL,
				   e.msg);
			app_show_error(a, e.msg);
		}
		end_silence(a);
		alerts_poll_refresh_now(x->poll); /* show it SILENCED without waiting */
		changed = true;
	}
	return changed;
}

static void
draw_body(void *ud, struct canvas *c, struct rect r, const struct view_ctx *v)
{
	struct app *a = ud;

	alerts_screen_draw(a->alerts->screen, c, r, v, alerts_poll_status(a->alerts->poll), utc(a));
}

void
app_alerts_render(struct app *a, struct render_state *rs)
{
	struct app_alerts *x = a->alerts;
	struct view_ctx v;

	if (x->step == SIL_CONFIRM)
		rs->dialog = &x->dv;
	if (app_top_screen(a) != SCREEN_ALERTS)
		return;
	app_view_of(a, &v);
	alerts_screen_summary(&v, x->summary, sizeof x->summary);
	if (alerts_screen_filter(x->screen)[0] != '\0') {
		size_t len = strlen(x->summary);

		snprintf(x->summary + len, sizeof x->summary - len, " /%s/",
			 alerts_screen_filter(x->screen));
	}
	snprintf(x->crumbs, sizeof x->crumbs, "Overview %s Alerts",
		 a->ascii ? ">" : "\xe2\x80\xba");
	rs->title = x->crumbs;
	rs->title_summary = x->summary;
	rs->body = draw_body;
	rs->body_ud = a;
	rs->hint = "? help  s silence  Enter detail  l logs  t traces  Esc back ";
}

bool
app_alerts_row_at(struct app *a, int y, long *delta)
{
	return a->alerts != NULL && a->alerts->screen != NULL &&
	       alerts_screen_row_at(a->alerts->screen, y, delta);
}
