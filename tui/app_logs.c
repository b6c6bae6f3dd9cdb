/*
 * app_logs.c - the Logs screen in the console: opening it (from a
 * service, for every service, from the command line), its keys, the query
 * line with its history, the range commands, and moving the view by what
 * the poller brought.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_internal.h"
#include "logs_range.h"
#include "xalloc.h"

static const char *
service_field(const struct app *a)
{
	const char *f = a->o->setup->logs.fields.service;

	return f != NULL && f[0] != '\0' ? f : "service.name";
}

static bool
enabled(struct app *a)
{
	if (a->o->setup->logs.enabled)
		return true;
	app_show_error(a, "no Elasticsearch configured: set [elasticsearch] url, "
			  "OPSDECK_ELASTICSEARCH_URL or --elasticsearch URL");
	return false;
}

void
app_logs_open(struct app *a, const char *query)
{
	if (!enabled(a))
		return;
	if (app_top_screen(a) != SCREEN_LOGS) {
		app_push_screen(a, SCREEN_LOGS);
		logs_free(a->logs);
		a->logs = logs_new();
	}
	logs_set_query(a->logs, query);
	logs_poll_open(a->logs_poll, query, &a->range);
	logs_set_follow(a->logs, logs_poll_data(a->logs_poll)->tail);
	a->dirty = true;
}

void
app_logs_open_service(struct app *a, const char *service)
{
	char *q;

	if (service == NULL) {
		app_show_error(a, "no service selected");
		return;
	}
	/* The service's name in the logs: its [service] elasticsearch alias, else the display name. */
	{
		const struct logs_settings *ls = &a->o->setup->logs;
		const char *name = ls->log_name != NULL ? ls->log_name(ls->ud, service) : NULL;

		q = logs_range_service_query(service_field(a), name != NULL ? name : service);
	}
	app_logs_open(a, q);
	free(q);
}

void
app_logs_close(struct app *a)
{
	logs_poll_close(a->logs_poll);
	logs_free(a->logs);
	a->logs = NULL;
}

static void
step_range(struct app *a, int dir)
{
	char d[96];

	if (!logs_range_step(&a->range, dir)) {
		app_set_message(a, ROLE_DIM, "%s",
				dir > 0 ? "already the widest range (7d)"
					: "already the narrowest range (5m)");
		return;
	}
	logs_poll_open(a->logs_poll, logs_poll_data(a->logs_poll)->query, &a->range);
	logs_follow(a->logs);
	logs_range_describe(&a->range, a->o->setup->logs.utc, d, sizeof d);
	app_set_message(a, ROLE_DIM, "%s", d);
}

static void
toggle_follow(struct app *a)
{
	const struct logs_data *d = logs_poll_data(a->logs_poll);

	if (d->tail && !logs_following(a->logs)) {
		logs_follow(a->logs); /* scrolled away: back to the newest, still tailing */
		return;
	}
	if (!logs_poll_set_tail(a->logs_poll, !d->tail)) {
		app_show_error(a, "live tail needs a moving range: :since 15m (or + / -)");
		return;
	}
	logs_set_follow(a->logs, d->tail);
	if (d->tail)
		logs_follow(a->logs);
	app_set_message(a, ROLE_DIM, "%s", d->tail ? "live tail on (F stops)" : "live tail off");
}

bool
app_logs_key(struct app *a, enum action act)
{
	const struct logs_data *d = logs_poll_data(a->logs_poll);

	switch (act) {
	case ACT_LOGS_NEWEST:
		if (logs_hit_open(a->logs))
			return logs_handle(a->logs, ACT_TOP, d) != H_NONE;
		if (logbuf_dropped_newer(d->lines)) {
			logs_poll_reload(a->logs_poll); /* the newest were dropped: ask again */
			logs_set_query(a->logs, d->query);
		}
		logs_follow(a->logs);
		return true;
	case ACT_LOGS_OLDEST:
		return logs_handle(a->logs, ACT_BOTTOM, d) != H_NONE;
	case ACT_LOGS_OPEN:
		return logs_handle(a->logs, ACT_OPEN, d) != H_NONE;
	case ACT_LOGS_FOLLOW:
		toggle_follow(a);
		return true;
	case ACT_LOGS_QUERY:
		a->edit = EDIT_QUERY;
		input_set(&a->input, d->query);
		logs_history_reset(a->history);
		return true;
	case ACT_LOGS_FILTER:
		a->edit = EDIT_FILTER;
		free(a->filter_before);
		a->filter_before = xstrdup(logs_filter(a->logs));
		input_set(&a->input, a->filter_before);
		return true;
	case ACT_CLEAR_FILTER:
		logs_set_filter(a->logs, "", NULL);
		app_set_message(a, ROLE_DIM, "%s", "filter cleared");
		return true;
	case ACT_LOGS_WIDER:
	case ACT_LOGS_NARROWER:
		step_range(a, act == ACT_LOGS_WIDER ? 1 : -1);
		return true;
	case ACT_LOGS_COMMAND:
		a->edit = EDIT_COMMAND;
		input_set(&a->input, "");
		return true;
	case ACT_BACK:
		return logs_hit_open(a->logs) && logs_handle(a->logs, ACT_BACK, d) != H_NONE;
	case ACT_UP:
	case ACT_DOWN:
	case ACT_PGUP:
	case ACT_PGDN:
		logs_handle(a->logs, act, d);
		return true;
	default:
		return false;
	}
}

void
app_logs_accept_query(struct app *a)
{
	struct err e;
	const char *q = a->input.text.data;

	if (logs_history_add(a->history, q, &e) < 0)
		app_show_error(a, e.msg);
	app_logs_open(a, q);
}

void
app_logs_recall(struct app *a, int dir)
{
	const char *s = logs_history_recall(a->history, dir, a->input.text.data);

	if (s != NULL)
		input_set(&a->input, s);
}

void
app_logs_filter_text(struct app *a)
{
	struct err e;

	if (logs_set_filter(a->logs, a->input.text.data, &e) < 0) {
		snprintf(a->message, sizeof a->message, "invalid pattern: %s (keeping /%s/)", e.msg,
			 logs_filter(a->logs));
		a->message_role = ROLE_CRIT;
		a->message_until = 0; /* until the pattern is fixed */
	} else if (a->message_until == 0) {
		a->message[0] = '\0';
	}
}

/* The rest of line after its first word. */
static const char *
rest_of(const char *line)
{
	line += strspn(line, " \t");
	line += strcspn(line, " \t");
	return line + strspn(line, " \t");
}

bool
app_logs_command(struct app *a, const char *verb, const char *line)
{
	const char *rest = rest_of(line);
	char from[64], to[64], extra[8];
	struct logs_range r;
	struct err e;

	if (strcmp(verb, "logs") == 0) {
		struct err he;

		if (rest[0] != '\0' && logs_history_add(a->history, rest, &he) < 0)
			app_show_error(a, he.msg);
		app_logs_open(a, rest);
		return true;
	}
	if (strcmp(verb, "since") != 0 && strcmp(verb, "range") != 0)
		return false;
	if (strcmp(verb, "since") == 0) {
		if (sscanf(rest, "%63s %7s", from, extra) != 1) {
			app_show_error(a, "usage: since DURATION (15m, 2h, 7d)");
			return true;
		}
		if (logs_range_parse_since(from, &r, &e) < 0) {
			app_show_error(a, e.msg);
			return true;
		}
	} else {
		if (sscanf(rest, "%63s %63s %7s", from, to, extra) != 2) {
			app_show_error(a,
				       "usage: range FROM TO (2026-11-22T10:00 2026-11-22T11:00)");
			return true;
		}
		if (logs_range_parse_abs(from, to, a->o->setup->logs.utc, &r, &e) < 0) {
			app_show_error(a, e.msg);
			return true;
		}
	}
	a->range = r;
	if (app_top_screen(a) == SCREEN_LOGS) {
		logs_poll_open(a->logs_poll, logs_poll_data(a->logs_poll)->query, &a->range);
		logs_set_follow(a->logs, logs_poll_data(a->logs_poll)->tail);
		logs_follow(a->logs);
	} else {
		app_logs_open(a, NULL);
	}
	return true;
}

bool
app_logs_tick(struct app *a, double mono)
{
	const struct logs_data *d;
	size_t added, dropped;
	bool any = logs_poll_tick(a->logs_poll, mono);

	if (a->logs == NULL)
		return any;
	d = logs_poll_data(a->logs_poll);
	logs_poll_take_moves(a->logs_poll, &added, &dropped);
	if (added > 0 || dropped > 0) {
		logs_lines_moved(a->logs, added, dropped);
		any = true;
	}
	if (logs_wants_older(a->logs, d))
		logs_poll_want_older(a->logs_poll);
	return any;
}
