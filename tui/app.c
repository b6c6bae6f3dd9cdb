#include "app.h"

#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canvas.h"
#include "help.h"
#include "http.h"
#include "input.h"
#include "keys.h"
#include "model.h"
#include "poller.h"
#include "render.h"
#include "screens/overview.h"
#include "signals.h"
#include "term.h"
#include "text.h"
#include "xalloc.h"

#define MESSAGE_SECONDS 6.0

struct app {
	const struct app_options *o;
	struct http *http;
	struct model *model;
	struct poller *poller;
	struct overview *overview;
	struct canvas *canvas;
	bool ascii;
	bool dirty;
	bool quit;
	/* help overlay */
	bool help_shown;
	struct help_entry *help;
	size_t nhelp;
	size_t help_scroll;
	/* the filter line being edited */
	bool editing;
	struct input input;
	char *filter_before; /* restored on Esc */
	/* status-line message */
	char message[ERR_MSG_MAX + 64];
	int message_role;
	double message_until; /* monotonic; 0 = sticky while editing */
	double last_second;   /* wall second last drawn, for the clock and ages */
};

static void
set_message(struct app *a, int role, const char *fmt, const char *arg)
{
	snprintf(a->message, sizeof a->message, fmt, arg);
	a->message_role = role;
	a->message_until = poller_mono_now() + MESSAGE_SECONDS;
	a->dirty = true;
}

static void
view_of(const struct app *a, struct view_ctx *v)
{
	const struct setup *s = a->o->setup;

	memset(v, 0, sizeof *v);
	v->model = a->model;
	v->th = &s->th;
	v->now = poller_wall_now();
	v->stale_after = 3.0 * (double)s->poll.refresh_ms / 1000.0;
	v->ascii = a->ascii;
	v->prometheus = s->poll.prometheus;
	v->config_path = s->config_path;
}

static void
draw(struct app *a)
{
	struct view_ctx v;
	struct render_state rs;
	struct help_view hv;
	int w, h;

	term_size(&w, &h);
	if (w != a->canvas->w || h != a->canvas->h)
		canvas_resize(a->canvas, w, h);
	a->canvas->ascii = a->ascii;
	view_of(a, &v);
	memset(&rs, 0, sizeof rs);
	rs.overview = a->overview;
	rs.hint = "? help  / filter  < > sort  q quit ";
	if (a->message[0] != '\0') {
		rs.message = a->message;
		rs.message_role = a->message_role;
	}
	if (a->editing) {
		rs.input = &a->input;
		rs.input_prompt = "Filter (PCRE2, Enter applies, Esc cancels): /";
		if (w < 100)
			rs.input_prompt = "/";
	}
	if (a->help_shown) {
		hv.title = "opsdeck keys";
		hv.entries = a->help;
		hv.nentries = a->nhelp;
		hv.scroll = a->help_scroll;
		hv.footer = "Esc or ? closes, j/k scroll";
		rs.help = &hv;
	}
	render_screen(a->canvas, &v, &rs);
	term_blit(a->canvas);
	a->dirty = false;
}

static void
apply_filter_text(struct app *a)
{
	struct view_ctx v;
	struct err e;

	view_of(a, &v);
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
handle_input_key(struct app *a, int key)
{
	enum action act = keys_lookup(CTX_INPUT, key);
	struct err e;

	switch (act) {
	case ACT_INPUT_ACCEPT:
		a->editing = false;
		if (a->message_until == 0 && a->message[0] != '\0') {
			/* Invalid pattern: the previous filter stays, say so briefly. */
			a->message_until = poller_mono_now() + MESSAGE_SECONDS;
		}
		free(a->filter_before);
		a->filter_before = NULL;
		break;
	case ACT_INPUT_CANCEL:
		a->editing = false;
		overview_set_filter(a->overview, a->filter_before, &e);
		free(a->filter_before);
		a->filter_before = NULL;
		a->message[0] = '\0';
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

static void
handle_key(struct app *a, int key)
{
	enum action act;
	struct view_ctx v;

	if (key == K_RESIZE) {
		a->dirty = true;
		return;
	}
	if (a->editing) {
		handle_input_key(a, key);
		return;
	}
	if (a->help_shown) {
		handle_help_key(a, key);
		return;
	}
	act = keys_lookup(CTX_OVERVIEW, key);
	switch (act) {
	case ACT_HELP:
		a->help_shown = true;
		a->help_scroll = 0;
		break;
	case ACT_QUIT:
	case ACT_BACK: /* the Overview is the top screen: back quits */
		a->quit = true;
		break;
	case ACT_REDRAW:
		term_invalidate();
		break;
	case ACT_REFRESH:
		poller_refresh_now(a->poller);
		set_message(a, ROLE_DIM, "%s", "refreshing...");
		break;
	case ACT_FILTER:
		a->editing = true;
		free(a->filter_before);
		a->filter_before = xstrdup(overview_filter(a->overview));
		input_set(&a->input, a->filter_before);
		break;
	case ACT_CLEAR_FILTER:
		overview_set_filter(a->overview, "", NULL);
		set_message(a, ROLE_DIM, "%s", "filter cleared");
		break;
	case ACT_NONE:
		break;
	default:
		view_of(a, &v);
		overview_handle(a->overview, act, &v);
		break;
	}
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
	http_free(a->http);
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
	static const enum key_ctx help_ctx[] = { CTX_GLOBAL, CTX_OVERVIEW, CTX_INPUT };
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
	a.overview = overview_new();
	a.canvas = canvas_new(80, 24);
	a.help = keys_help(help_ctx, sizeof help_ctx / sizeof help_ctx[0], &a.nhelp);
	input_init(&a.input);
	a.ascii = !term_locale_utf8();

	if (signals_install(1, e) < 0 || term_open(o->color, e) < 0) {
		app_free(&a);
		return -1;
	}
	xalloc_set_oom_hook(oom_restore);
	signals_on_fatal(term_emergency_restore);
	a.dirty = true;

	while (!a.quit) {
		struct http_waitfd fds[2] = {
			{ STDIN_FILENO, POLLIN, 0 },
			{ sig_pipe_fd[0], POLLIN, 0 },
		};
		double mono = poller_mono_now(), wall = poller_wall_now();
		int key;

		if (poller_tick(a.poller, mono))
			a.dirty = true;
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
			handle_key(&a, key);
	}
	term_close();
	xalloc_set_oom_hook(NULL);
	app_free(&a);
	return 0;
}
