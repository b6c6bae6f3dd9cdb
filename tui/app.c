#include "app.h"
#include "app_internal.h"

#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions.h"
#include "canvas.h"
#include "detail_poll.h"
#include "dialog.h"
#include "docker_poll.h"
#include "help.h"
#include "http.h"
#include "input.h"
#include "keys.h"
#include "model.h"
#include "parse.h"
#include "poller.h"
#include "render.h"
#include "screens/detail.h"
#include "screens/overview.h"
#include "signals.h"
#include "term.h"
#include "text.h"
#include "xalloc.h"

void
app_set_message(struct app *a, int role, const char *fmt, const char *arg)
{
	snprintf(a->message, sizeof a->message, fmt, arg);
	a->message_role = role;
	a->message_until = poller_mono_now() + MESSAGE_SECONDS;
	a->dirty = true;
}

static const char *
progress_of(const void *ud, const char *service)
{
	return actions_progress(ud, service);
}

void
app_view_of(const struct app *a, struct view_ctx *v)
{
	const struct setup *s = a->o->setup;

	memset(v, 0, sizeof *v);
	v->model = a->model;
	v->th = &s->th;
	v->now = poller_wall_now();
	v->stale_after = 3.0 * (double)s->poll.refresh_ms / 1000.0;
	v->ascii = a->ascii;
	v->prometheus = s->poll.prometheus;
	v->docker = s->docker || s->nk8s > 0 || s->necs > 0; /* a container runtime */
	v->elasticsearch = s->logs.enabled;
	v->zipkin = s->traces.enabled;
	v->config_path = s->config_path;
	v->progress = progress_of;
	v->progress_ud = a->actions;
	v->env_name = s->env_name;
	v->env_protected = s->env_protected;
	if (a->o->wall)
		app_wall_view(a, v);
}

/* The change line in ASCII for a non-UTF-8 terminal: "—" -> "-", "→" -> "->". */
static void
ascii_change(const char *in, char *out, size_t n)
{
	size_t o = 0;

	while (*in != '\0' && o + 3 < n) {
		if (strncmp(in, "\xe2\x80\x94", 3) == 0) {
			out[o++] = '-';
			in += 3;
		} else if (strncmp(in, "\xe2\x86\x92", 3) == 0) {
			out[o++] = '-';
			out[o++] = '>';
			in += 3;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
}

enum screen_id
app_top_screen(const struct app *a)
{
	return a->stack[a->depth - 1];
}

/* Close the top screen; its requests stop (answers in flight are dropped). */
void
app_pop_screen(struct app *a)
{
	enum screen_id top;

	if (a->depth <= 1)
		return;
	top = a->stack[--a->depth];
	switch (top) {
	case SCREEN_LOGS:
		app_logs_close(a);
		break;
	case SCREEN_DETAIL:
		detail_poll_close(a->detail_poll);
		detail_free(a->detail);
		a->detail = NULL;
		break;
	case SCREEN_ALERTS:
		app_alerts_closed(a);
		break;
	case SCREEN_QUERY:
		app_query_closed(a);
		break;
	default:
		app_traces_closed(a, top);
		break;
	}
}

void
app_push_screen(struct app *a, enum screen_id id)
{
	int i;

	for (i = 1; i < a->depth; i++)
		if (a->stack[i] == id) {
			while (a->depth > i + 1)
				app_pop_screen(a);
			return;
		}
	a->stack[a->depth++] = id;
}

/* Open the Service detail of service and start its requests. */
void
app_open_detail(struct app *a, const char *service)
{
	struct detail_poll_settings ds;
	const struct service *svc = service ? model_service(a->model, service, false) : NULL;

	if (svc == NULL) {
		app_set_message(a, ROLE_CRIT, "%s",
				service != NULL && *service != '\0'
					? "that service is not in the Overview (no metrics or "
					  "containers of that name)"
					: "no service selected");
		return;
	}
	if (app_top_screen(a) == SCREEN_DETAIL) {
		detail_poll_close(a->detail_poll);
	} else {
		app_push_screen(a, SCREEN_DETAIL);
		if (app_top_screen(a) == SCREEN_DETAIL)
			detail_poll_close(a->detail_poll);
	}
	detail_free(a->detail);
	a->detail = detail_new(svc->name);
	detail_poll_settings_from(&ds, a->o->setup, svc);
	detail_poll_open(a->detail_poll, &ds);
}

/* The service the action keys act on: the detail's, else the Overview's cursor. */
const char *
app_current_service(struct app *a)
{
	struct view_ctx v;

	if (app_top_screen(a) == SCREEN_DETAIL)
		return detail_service(a->detail);
	if (app_traces_service(a) != NULL)
		return app_traces_service(a);
	app_view_of(a, &v);
	return overview_current(a->overview, &v); /* the rows as filtered now */
}

void
app_dialog_view_of(struct app *a, struct dialog_view *dv)
{
	memset(dv, 0, sizeof *dv);
	dv->title = a->plan.title;
	dv->change = a->plan.change;
	if (a->ascii) {
		ascii_change(a->plan.change, a->change_ascii, sizeof a->change_ascii);
		dv->change = a->change_ascii;
	}
	dv->danger = a->plan.op != OP_SCALE || a->plan.replicas == 0;
	dv->body = a->plan.op == OP_RESTART ? "Every instance is replaced, one at a time."
		   : a->plan.op == OP_ROLLBACK
			   ? "The service goes back to its previous specification."
			   : NULL;
	dv->typed = a->o->setup->actions.confirm_name;
	dv->expect = a->plan.service;
	dv->input = &a->typed;
}

static void
draw(struct app *a)
{
	struct view_ctx v;
	struct render_state rs;
	struct help_view hv;
	struct dialog_view dv;
	int w, h;

	term_size(&w, &h);
	if (w != a->canvas->w || h != a->canvas->h)
		canvas_resize(a->canvas, w, h);
	a->canvas->ascii = a->ascii;
	app_view_of(a, &v);
	memset(&rs, 0, sizeof rs);
	rs.overview = a->overview;
	rs.hint = "? help  / filter  < > sort  q quit ";
	if (app_top_screen(a) == SCREEN_DETAIL) {
		rs.detail = a->detail;
		rs.detail_data = detail_poll_data(a->detail_poll);
		rs.hint = "? help  +/- range  l logs  Esc back ";
	}
	if (app_top_screen(a) == SCREEN_LOGS) {
		rs.logs = a->logs;
		rs.logs_data = logs_poll_data(a->logs_poll);
		rs.logs_from = a->depth > 2 && a->stack[a->depth - 2] == SCREEN_DETAIL
				       ? detail_service(a->detail)
				       : NULL;
		rs.hint = "? help  e query  / filter  F tail  +/- range  Esc back ";
	}
	app_traces_render(a, &rs);
	app_alerts_render(a, &rs);
	app_query_render(a, &rs);
	if (a->message[0] != '\0') {
		rs.message = a->message;
		rs.message_role = a->message_role;
	} else if (actions_status(a->actions, a->progress, sizeof a->progress)) {
		rs.message = a->progress; /* live progress of the action in flight */
		rs.message_role = ROLE_ACCENT;
	}
	if (a->edit == EDIT_FILTER) {
		rs.input = &a->input;
		rs.input_prompt = "Filter (PCRE2, Enter applies, Esc cancels): /";
		if (w < 100)
			rs.input_prompt = "/";
	} else if (a->edit == EDIT_SCALE) {
		snprintf(a->prompt, sizeof a->prompt, "Scale %s to how many replicas? ",
			 a->edit_service);
		rs.input = &a->input;
		rs.input_prompt = a->prompt;
	} else if (a->edit == EDIT_COMMAND) {
		rs.input = &a->input;
		rs.input_prompt = ":";
	} else if (a->edit == EDIT_TRACES) {
		rs.input = &a->input;
		rs.input_prompt = w < 100 ? "search: "
					  : "Search (service= span= >250ms <2s error k=v since=1h "
					    "limit=20): ";
	} else if (a->edit == EDIT_SILENCE || a->edit == EDIT_PROMQL) {
		rs.input = &a->input;
		rs.input_prompt = a->prompt;
	} else if (a->edit == EDIT_QUERY) {
		rs.input = &a->input;
		rs.input_prompt =
			w < 100 ? "query: " : "Query (Lucene; Enter searches, Up/Down history): ";
	}
	if (a->dialog_open) {
		app_dialog_view_of(a, &dv);
		rs.dialog = &dv;
	}
	if (a->o->wall)
		app_wall_render(a, &rs);
	if (a->help_shown) {
		hv.title = "opsdeck keys";
		hv.entries = a->help;
		hv.nentries = a->nhelp;
		hv.scroll = a->help_scroll;
		hv.footer = "Esc or ? closes, j/k scroll";
		rs.help = &hv;
	}
	render_screen(a->canvas, &v, &rs);
	if (rs.detail != NULL) {
		size_t from, to;

		/* Container stats are fetched for the instances on screen only. */
		detail_visible(a->detail, &from, &to);
		detail_poll_set_visible(a->detail_poll, from, to);
	}
	if (rs.logs != NULL)
		logs_poll_set_width(a->logs_poll, logs_histogram_width(a->logs));
	term_blit(a->canvas);
	a->dirty = false;
}

void
app_show_error(struct app *a, const char *msg)
{
	snprintf(a->message, sizeof a->message, "%s", msg);
	a->message_role = ROLE_CRIT;
	a->message_until = poller_mono_now() + 2 * MESSAGE_SECONDS;
	a->dirty = true;
}

static void
oom_restore(void)
{
	term_close();
}

static int
next_timeout_ms(const struct app *a, double mono, double wall)
{
	long t = poller_next_due_ms(a->poller, mono);
	long to_second = (long)ceil((floor(wall) + 1.0 - wall) * 1000.0);

	if (a->docker != NULL && docker_poll_next_due_ms(a->docker, mono) < t)
		t = docker_poll_next_due_ms(a->docker, mono);
	t = app_runtime_next_due_ms(a, mono, t);
	if (detail_poll_is_open(a->detail_poll) &&
	    detail_poll_next_due_ms(a->detail_poll, mono) < t)
		t = detail_poll_next_due_ms(a->detail_poll, mono);
	if (logs_poll_next_due_ms(a->logs_poll, mono) < t)
		t = logs_poll_next_due_ms(a->logs_poll, mono);
	if (traces_poll_next_due_ms(a->traces_poll, mono) < t)
		t = traces_poll_next_due_ms(a->traces_poll, mono);
	t = app_alerts_next_due_ms(a, mono, t);
	t = app_query_next_due_ms(a, mono, t);
	if (a->o->wall)
		t = app_wall_next_due_ms(a, mono, t);
	if (to_second < t)
		t = to_second; /* the clock and data ages tick every second */
	if (a->message_until > 0) {
		long m = (long)ceil((a->message_until - mono) * 1000.0);
		if (m < t)
			t = m < 0 ? 0 : m;
	}
	return (int)(t < 0 ? 0 : t);
}

static void
app_free(struct app *a)
{
	poller_free(a->poller);
	docker_poll_free(a->docker);
	app_runtime_stop(a);
	app_alerts_stop(a);
	app_query_stop(a);
	app_wall_stop(a);
	http_free(a->http);
	detail_poll_free(
		a->detail_poll); /* after http: it owns the records of requests in flight */
	detail_free(a->detail);
	logs_poll_free(a->logs_poll); /* after http, as the detail's */
	logs_free(a->logs);
	traces_poll_free(a->traces_poll); /* after http, as the logs' */
	traces_screen_free(a->traces);
	waterfall_free(a->waterfall);
	graph_free(a->graph);
	logs_history_free(a->history);
	if (a->actions != NULL)
		actions_abandon_requests(a->actions); /* they will never answer now */
	actions_free(a->actions);
	input_done(&a->typed);
	model_free(a->model);
	overview_free(a->overview);
	canvas_free(a->canvas);
	keys_help_free(a->help, a->nhelp);
	input_done(&a->input);
	free(a->filter_before);
}

int
app_run(const struct app_options *o, int *exit_code, struct err *e)
{
	static const enum key_ctx help_ctx[] = { CTX_GLOBAL, CTX_OVERVIEW, CTX_DETAIL,   CTX_LOGS,
						 CTX_TRACES, CTX_TRACE,    CTX_TOPOLOGY, CTX_ALERTS,
						 CTX_QUERY,  CTX_INPUT };
	static const enum key_ctx wall_help_ctx[] = { CTX_WALL };
	struct app a;
	const struct setup *s = o->setup;

	memset(&a, 0, sizeof a);
	*exit_code = 0;
	a.o = o;
	a.http = http_new(e);
	if (a.http == NULL)
		return -1;
	http_set_debug_log(a.http, o->debug_log);
	a.model = model_new(s->poll.history, s->max_services);
	a.poller = poller_new(a.http, a.model, &s->poll);
	if (s->docker)
		a.docker = docker_poll_new(a.http, a.model, &s->docker_poll);
	app_runtime_start(&a);
	a.actions = actions_new(&s->actions);
	http_set_readonly(a.http, s->actions.read_only);
	a.overview = overview_new();
	a.stack[0] = SCREEN_OVERVIEW;
	a.depth = 1;
	a.detail_poll = detail_poll_new(a.http);
	a.logs_poll = logs_poll_new(a.http, a.model, &s->logs);
	a.traces_poll = traces_poll_new(a.http, a.model, &s->traces);
	app_alerts_start(&a);
	app_query_start(&a);
	if (o->wall)
		app_wall_start(&a);
	a.range.since_s = s->logs.default_range_s > 0 ? s->logs.default_range_s : 900;
	{
		char *hp = logs_history_default_path();

		a.history = logs_history_new(hp);
		free(hp);
	}
	a.canvas = canvas_new(80, 24);
	/* [keys] before the help is built from the table: it lists the keys in force. */
	if (keys_apply_config(s->cfg, a.prompt, sizeof a.prompt, e) < 0) {
		app_free(&a);
		return -1;
	}
	if (a.prompt[0] != '\0')
		app_set_message(&a, ROLE_WARN, "%s", a.prompt);
	a.prompt[0] = '\0';
	if (o->wall)
		a.help = keys_help(wall_help_ctx, 1, &a.nhelp);
	else
		a.help = keys_help(help_ctx, sizeof help_ctx / sizeof help_ctx[0], &a.nhelp);
	app_mouse_help(&a);
	input_init(&a.input);
	input_init(&a.typed);
	a.ascii = !term_locale_utf8();

	if (signals_install(1, e) < 0 || term_open(o->color, s->theme, o->mouse, e) < 0) {
		app_free(&a);
		return -1;
	}
	xalloc_set_oom_hook(oom_restore);
	signals_on_fatal(term_emergency_restore);
	a.dirty = true;
	if (s->k8s_note[0] != '\0') {
		app_set_message(&a, ROLE_WARN, "%s", s->k8s_note);
		a.message_until = poller_mono_now() + 3 * MESSAGE_SECONDS;
	}
	if (o->notice != NULL && *o->notice != '\0') {
		app_set_message(&a, o->notice_error ? ROLE_CRIT : ROLE_ACCENT, "%s", o->notice);
		a.message_until = poller_mono_now() + 2 * MESSAGE_SECONDS;
	}

	while (!a.quit) {
		struct http_waitfd fds[2] = {
			{ STDIN_FILENO, POLLIN, 0 },
			{ sig_pipe_fd[0], POLLIN, 0 },
		};
		double mono = poller_mono_now(), wall = poller_wall_now();
		int key;

		if (poller_tick(a.poller, mono))
			a.dirty = true;
		/* The ssh tunnel came up or ssh exited: a Docker round says so now. */
		if (s->docker_tunnel != NULL && ssh_tunnel_tick(s->docker_tunnel) &&
		    a.docker != NULL)
			docker_poll_refresh_now(a.docker);
		if (a.docker != NULL && docker_poll_tick(a.docker, mono))
			a.dirty = true;
		if (app_runtime_tick(&a, mono))
			a.dirty = true;
		if (detail_poll_is_open(a.detail_poll) && detail_poll_tick(a.detail_poll, mono))
			a.dirty = true;
		if (app_logs_tick(&a, mono))
			a.dirty = true;
		if (app_traces_tick(&a, mono))
			a.dirty = true;
		if (app_alerts_tick(&a, mono))
			a.dirty = true;
		if (app_query_tick(&a, mono))
			a.dirty = true;
		if (o->wall && app_wall_tick(&a, mono))
			a.dirty = true;
		if (actions_tick(a.actions, a.model, mono))
			a.dirty = true;
		if (actions_take_accepted(a.actions))
			app_runtime_refresh_now(&a); /* see convergence without waiting */
		{
			char msg[sizeof a.message];
			int role;

			if (actions_take_message(a.actions, msg, sizeof msg, &role)) {
				app_set_message(&a, role, "%s", msg);
				a.message_until = mono + 2 * MESSAGE_SECONDS;
			}
		}
		if (a.message_until > 0 && mono >= a.message_until) {
			a.message[0] = '\0';
			a.message_until = 0;
			a.dirty = true;
		}
		if (floor(wall) != a.last_second) {
			a.last_second = floor(wall);
			a.dirty = true;
		}
		if (a.dirty)
			draw(&a);
		if (http_wait(a.http, fds, 2, next_timeout_ms(&a, mono, wall), e) < 0)
			break;
		if (fds[1].revents)
			signals_drain();
		if (sig_quit) {
			*exit_code = 128 + sig_quit;
			break;
		}
		if (sig_winch) {
			sig_winch = 0;
			term_resize();
			a.dirty = true;
		}
		if (sig_tstp) {
			sig_tstp = 0;
			term_suspend();
			sig_cont = 0;
			term_invalidate();
			a.dirty = true;
		}
		if (sig_cont) {
			sig_cont = 0;
			term_invalidate();
			a.dirty = true;
		}
		if (http_perform(a.http) > 0)
			a.dirty = true;
		/* Drain every pending key so the console never lags behind typing. */
		while (!a.quit && term_read_key(&key))
			app_handle_key(&a, key);
	}
	term_close();
	xalloc_set_oom_hook(NULL);
	app_free(&a);
	return 0;
}
