/*
 * app_keys.c - what a key does: the confirmation dialog, the line being
 * edited, the help overlay, then the screen on top's bindings.
 */
#include "app_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dialog.h"
#include "input.h"
#include "keys.h"
#include "poller.h"
#include "term.h"
#include "xalloc.h"

static void
apply_filter_text(struct app *a)
{
	struct view_ctx v;
	struct err e;

	if (a->edit != EDIT_FILTER)
		return; /* a count or a command is applied on Enter only */
	if (app_top_screen(a) == SCREEN_LOGS) {
		app_logs_filter_text(a);
		a->dirty = true;
		return;
	}
	app_view_of(a, &v);
	if (overview_set_filter(a->overview, a->input.text.data, &e) < 0) {
		snprintf(a->message, sizeof a->message, "invalid pattern: %s (keeping /%s/)", e.msg,
			 overview_filter(a->overview));
		a->message_role = ROLE_CRIT;
		a->message_until = 0; /* until the pattern is fixed */
	} else if (a->message_until == 0) {
		a->message[0] = '\0';
	}
	a->dirty = true;
}

static void
handle_dialog_key(struct app *a, int key)
{
	struct dialog_view dv;
	enum dialog_result r;
	struct err e;
	int w, h;

	app_dialog_view_of(a, &dv);
	r = dialog_key(&dv, &a->typed, key);
	term_size(&w, &h);
	if (r == DIALOG_CONFIRM && !dialog_fits(a->canvas, (struct rect){ 0, 0, w, h }, &dv))
		r = DIALOG_CANCEL; /* the user could not see what they agreed to */
	if (r == DIALOG_PENDING)
		return;
	a->dialog_open = false; /* closed before anything runs: a second y cannot fire twice */
	if (r == DIALOG_CANCEL) {
		actions_cancelled(a->actions, &a->plan);
		app_set_message(a, ROLE_DIM, "%s", "cancelled");
		return;
	}
	if (app_runtime_execute(a, &e) < 0) {
		app_show_error(a, e.msg);
		return;
	}
	app_set_message(a, ROLE_ACCENT, "%s", a->plan.change);
	a->message_until = poller_mono_now() + 1.5; /* then the live progress shows */
	app_runtime_refresh_now(a);
	if (detail_poll_is_open(a->detail_poll))
		detail_poll_refresh_now(a->detail_poll);
}

static void
handle_input_key(struct app *a, int key)
{
	enum action act = keys_lookup(CTX_INPUT, key);
	struct err e;

	switch (act) {
	case ACT_INPUT_ACCEPT:
		if (a->edit != EDIT_FILTER) {
			enum edit_mode mode = a->edit;

			a->edit = EDIT_NONE;
			if (mode == EDIT_SCALE)
				app_accept_scale(a);
			else if (mode == EDIT_QUERY)
				app_logs_accept_query(a);
			else if (mode == EDIT_TRACES)
				app_traces_accept_query(a);
			else if (mode == EDIT_SILENCE)
				app_alerts_accept_input(a);
			else if (mode == EDIT_PROMQL)
				app_query_accept_input(a);
			else
				app_run_command(a, a->input.text.data);
			break;
		}
		a->edit = EDIT_NONE;
		if (a->message_until == 0 && a->message[0] != '\0') {
			/* Invalid pattern: the previous filter stays, say so briefly. */
			a->message_until = poller_mono_now() + MESSAGE_SECONDS;
		}
		free(a->filter_before);
		a->filter_before = NULL;
		break;
	case ACT_INPUT_CANCEL:
		if (a->edit == EDIT_FILTER && app_top_screen(a) == SCREEN_LOGS)
			logs_set_filter(a->logs, a->filter_before, &e);
		else if (a->edit == EDIT_FILTER)
			overview_set_filter(a->overview, a->filter_before, &e);
		a->edit = EDIT_NONE;
		free(a->filter_before);
		a->filter_before = NULL;
		a->message[0] = '\0';
		break;
	case ACT_INPUT_COMPLETE:
		if (a->edit == EDIT_COMMAND)
			app_cmd_complete(a);
		break;
	case ACT_INPUT_LEFT:
		input_left(&a->input);
		break;
	case ACT_INPUT_RIGHT:
		input_right(&a->input);
		break;
	case ACT_INPUT_HOME:
		input_home(&a->input);
		break;
	case ACT_INPUT_END:
		input_end(&a->input);
		break;
	case ACT_INPUT_BACKSPACE:
		input_backspace(&a->input);
		apply_filter_text(a);
		break;
	case ACT_INPUT_DELETE:
		input_delete(&a->input);
		apply_filter_text(a);
		break;
	case ACT_INPUT_KILL_WORD:
		input_kill_word(&a->input);
		apply_filter_text(a);
		break;
	case ACT_INPUT_HISTORY_PREV:
	case ACT_INPUT_HISTORY_NEXT:
		if (a->edit == EDIT_QUERY)
			app_logs_recall(a, act == ACT_INPUT_HISTORY_PREV ? -1 : 1);
		else if (a->edit == EDIT_PROMQL)
			app_query_recall(a, act == ACT_INPUT_HISTORY_PREV ? -1 : 1);
		break;
	case ACT_INPUT_KILL_LINE:
		input_kill_line(&a->input);
		apply_filter_text(a);
		break;
	default:
		if (key >= 32 && key < K_SPECIAL && key != 127) {
			input_insert_codepoint(&a->input, (unsigned)key);
			apply_filter_text(a); /* incremental */
		}
		break;
	}
	a->dirty = true;
}

static void
handle_help_key(struct app *a, int key)
{
	enum action act = keys_lookup(CTX_OVERVIEW, key);
	struct help_view hv = { "", a->help, a->nhelp, 0, "" };
	int w, h, vis;
	size_t max;

	term_size(&w, &h);
	vis = help_visible_rows((struct rect){ 0, 0, w, h }, &hv);
	max = vis > 0 && a->nhelp > (size_t)vis ? a->nhelp - (size_t)vis : 0;
	switch (act) {
	case ACT_DOWN:
		if (a->help_scroll < max)
			a->help_scroll++;
		break;
	case ACT_UP:
		if (a->help_scroll > 0)
			a->help_scroll--;
		break;
	case ACT_QUIT:
		a->quit = true;
		break;
	default:
		a->help_shown = false; /* any other key closes, as in htop */
		break;
	}
	a->dirty = true;
}

void
app_handle_key(struct app *a, int key)
{
	enum action act;

	if (key == K_RESIZE) {
		a->dirty = true;
		return;
	}
	if (a->o->wall) {
		/* The wall has its own few keys; no action can be reached. */
		if (a->help_shown)
			handle_help_key(a, key);
		else
			app_wall_key(a, key);
		a->dirty = true;
		return;
	}
	if (key == K_MOUSE) {
		if (!a->dialog_open && a->edit == EDIT_NONE && !a->help_shown)
			app_mouse(a);
		a->dirty = true;
		return;
	}
	if (app_alerts_modal_key(a, key)) {
		a->dirty = true;
		return;
	}
	if (a->dialog_open) {
		handle_dialog_key(a, key);
		return;
	}
	if (a->edit != EDIT_NONE) {
		handle_input_key(a, key);
		return;
	}
	if (a->help_shown) {
		handle_help_key(a, key);
		return;
	}
	{
		static const enum key_ctx ctx_of[SCREEN_COUNT] = {
			[SCREEN_OVERVIEW] = CTX_OVERVIEW, [SCREEN_DETAIL] = CTX_DETAIL,
			[SCREEN_LOGS] = CTX_LOGS,         [SCREEN_TRACES] = CTX_TRACES,
			[SCREEN_TRACE] = CTX_TRACE,       [SCREEN_TOPOLOGY] = CTX_TOPOLOGY,
			[SCREEN_ALERTS] = CTX_ALERTS,     [SCREEN_QUERY] = CTX_QUERY,
		};
		act = keys_lookup(ctx_of[app_top_screen(a)], key);
	}
	app_handle_action(a, act);
}

void
app_handle_action(struct app *a, enum action act)
{
	struct view_ctx v;

	if ((app_top_screen(a) == SCREEN_LOGS && app_logs_key(a, act)) || app_traces_key(a, act) ||
	    app_alerts_key(a, act) || app_query_key(a, act)) {
		a->dirty = true;
		return;
	}
	switch (act) {
	case ACT_HELP:
		a->help_shown = true;
		a->help_scroll = 0;
		break;
	case ACT_QUIT:
		a->quit = true;
		break;
	case ACT_BACK: /* on the Overview, the bottom screen, back quits */
		if (a->depth > 1)
			app_pop_screen(a);
		else
			a->quit = true;
		break;
	case ACT_OPEN:
		app_open_detail(a, app_current_service(a));
		break;
	case ACT_LOGS:
		if (app_top_screen(a) == SCREEN_DETAIL && !isnan(detail_cursor(a->detail))) {
			/* Pivot: the logs of the minute under the charts' cursor. */
			a->range.since_s = 0;
			a->range.from = detail_cursor(a->detail);
			a->range.to = a->range.from + 60.0;
		}
		app_logs_open_service(a, app_current_service(a));
		break;
	case ACT_LOGS_ALL:
		app_logs_open(a, NULL);
		break;
	case ACT_ALERTS:
		app_alerts_open(a);
		break;
	case ACT_QUERY:
		app_query_open(a, NULL);
		break;
	case ACT_RANGE_WIDER:
	case ACT_RANGE_NARROWER:
		if (!detail_poll_step_range(a->detail_poll, act == ACT_RANGE_WIDER ? 1 : -1))
			app_set_message(a, ROLE_DIM, "%s",
					act == ACT_RANGE_WIDER
						? "already the widest range (24h)"
						: "already the narrowest range (15m)");
		break;
	case ACT_REDRAW:
		term_invalidate();
		break;
	case ACT_REFRESH:
		poller_refresh_now(a->poller);
		app_runtime_refresh_now(a);
		if (detail_poll_is_open(a->detail_poll))
			detail_poll_refresh_now(a->detail_poll);
		logs_poll_refresh_now(a->logs_poll);
		traces_poll_refresh_now(a->traces_poll);
		app_alerts_refresh_now(a);
		app_set_message(a, ROLE_DIM, "%s", "refreshing...");
		break;
	case ACT_SCALE:
	case ACT_RESTART:
	case ACT_ROLLBACK:
		app_begin_action(a,
				 act == ACT_SCALE     ? OP_SCALE
				 : act == ACT_RESTART ? OP_RESTART
						      : OP_ROLLBACK,
				 app_current_service(a), -1);
		break;
	case ACT_COMMAND:
		a->edit = EDIT_COMMAND;
		input_set(&a->input, "");
		break;
	case ACT_FILTER:
		a->edit = EDIT_FILTER;
		free(a->filter_before);
		a->filter_before = xstrdup(overview_filter(a->overview));
		input_set(&a->input, a->filter_before);
		break;
	case ACT_CLEAR_FILTER:
		overview_set_filter(a->overview, "", NULL);
		app_set_message(a, ROLE_DIM, "%s", "filter cleared");
		break;
	case ACT_NONE:
		break;
	default:
		app_view_of(a, &v);
		if (app_top_screen(a) == SCREEN_DETAIL)
			detail_handle(a->detail, act, detail_poll_data(a->detail_poll));
		else
			overview_handle(a->overview, act, &v);
		break;
	}
	a->dirty = true;
}
