/*
 * app_wall.c - `opsdeck --wall`: the console as a monitor on a TV.
 *
 * Read-only by construction: main turns both read-only guards on (the
 * actions refuse, http refuses every request a backend did not declare a
 * read), app_keys.c sends every key here, and this file acts on the wall's
 * own few actions only (next, previous, pause, refresh, redraw, help,
 * quit): no action, dialog, prompt or ":" command can be reached.
 *
 * Every [wall] rotate the next screen of [wall] screens is opened the
 * way a user would open it (app_alerts_open, app_topology_open, ...) on
 * top of the Overview, after the previous one was closed - so each
 * screen's requests stop when it leaves and its state is freed or reused,
 * and nothing accumulates per rotation.  The header (tui/frame.c) shows
 * the title, the position, the rotation's progress, the environment,
 * each backend's freshness and the clock; the banners (wall.h) say when
 * alerts fire and when data is stale.
 */
#include "app_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "poller.h"
#include "term.h"
#include "wall.h"
#include "xalloc.h"

struct app_wall {
	bool avail[WALL_SCREEN_COUNT]; /* the screen's backend is configured */
	long at;                       /* position in the rotation shown; -1: only the Overview */
	double shown_at;               /* monotonic: when it was shown */
	bool paused;
	double paused_elapsed; /* seconds of its turn that had passed when paused */
	double started;        /* wall clock: when the wall started */
	char position[160];    /* "2/3", "2/3 paused", "traces, logs not configured" */
	char stale[2048];      /* the banners' text */
	char alerts[1024];
	unsigned long shows; /* screens shown so far; 0: the first is due at the first tick */
};

static double
rotate_s(const struct app *a)
{
	long long ms = a->o->setup->wall.rotate_ms;

	return ms > 0 ? (double)ms / 1000.0 : 20.0;
}

static enum screen_id
screen_of(enum wall_screen w)
{
	switch (w) {
	case WALL_ALERTS:
		return SCREEN_ALERTS;
	case WALL_TOPOLOGY:
		return SCREEN_TOPOLOGY;
	case WALL_TRACES:
		return SCREEN_TRACES;
	case WALL_LOGS:
		return SCREEN_LOGS;
	default:
		return SCREEN_OVERVIEW;
	}
}

/* Close everything above the Overview, then open w as a user would. */
static bool
open_screen(struct app *a, enum wall_screen w)
{
	while (a->depth > 1)
		app_pop_screen(a);
	switch (w) {
	case WALL_ALERTS:
		app_alerts_open(a);
		break;
	case WALL_TOPOLOGY:
		app_topology_open(a, NULL);
		break;
	case WALL_TRACES:
		app_traces_open(a, NULL, NULL);
		break;
	case WALL_LOGS:
		app_logs_open(a, NULL);
		break;
	default:
		break;
	}
	/* No message from opening a screen stays on the wall: it would look like a prompt. */
	if (a->message_until > 0 && a->message_role != ROLE_CRIT) {
		a->message[0] = '\0';
		a->message_until = 0;
	}
	return app_top_screen(a) == screen_of(w);
}

/*
 * Show the screen dir steps from the current one (0: the current one
 * again).  A screen that would not open (its open refused) is passed
 * over; when none opens, the Overview stays.
 */
static void
show(struct app *a, int dir, double mono)
{
	struct app_wall *w = a->wall;
	const struct wall_rotation *r = &a->o->setup->wall.rotation;
	size_t tries;
	long at = w->at < 0 ? (dir < 0 ? 0 : (long)r->n - 1) : w->at;

	if (w->at < 0 && dir == 0)
		dir = 1;
	for (tries = 0; tries < r->n; tries++) {
		at = wall_rotation_step(r, w->avail, (size_t)at, dir);
		if (at < 0)
			break;
		if (open_screen(a, r->screens[at])) {
			w->at = at;
			break;
		}
		dir = dir == 0 ? 1 : dir;
	}
	if (at < 0 || tries == r->n) {
		open_screen(a, WALL_OVERVIEW);
		w->at = -1;
	}
	w->shown_at = mono;
	w->paused_elapsed = 0;
	w->shows++;
	a->dirty = true;
}

void
app_wall_start(struct app *a)
{
	const struct setup *s = a->o->setup;
	const char *am = config_str(s->cfg, CFG_ALERTMANAGER_URL);
	struct app_wall *w = xcalloc(1, sizeof *w);

	w->avail[WALL_OVERVIEW] = true;
	w->avail[WALL_ALERTS] = s->poll.prometheus || (am != NULL && *am != '\0');
	w->avail[WALL_TOPOLOGY] = s->traces.enabled;
	w->avail[WALL_TRACES] = s->traces.enabled;
	w->avail[WALL_LOGS] = s->logs.enabled;
	w->at = -1;
	w->started = poller_wall_now();
	a->wall = w;
	/* The first screen opens at the first tick: the app is not fully set up yet. */
}

void
app_wall_stop(struct app *a)
{
	free(a->wall);
	a->wall = NULL;
}

static void
refresh_all(struct app *a)
{
	poller_refresh_now(a->poller);
	app_runtime_refresh_now(a);
	logs_poll_refresh_now(a->logs_poll);
	traces_poll_refresh_now(a->traces_poll);
	app_alerts_refresh_now(a);
}

/*
 * The wall's keys only.  Whatever keys_lookup() answers, nothing but the
 * actions below is ever done here: a binding added to CTX_WALL (or to
 * CTX_GLOBAL, which it falls back to) cannot reach an action.
 */
bool
app_wall_key(struct app *a, int key)
{
	struct app_wall *w = a->wall;
	double mono = poller_mono_now();

	if (w == NULL || key == K_MOUSE)
		return false;
	switch (keys_lookup(CTX_WALL, key)) {
	case ACT_WALL_NEXT:
		show(a, 1, mono);
		return true;
	case ACT_WALL_PREV:
		show(a, -1, mono);
		return true;
	case ACT_WALL_PAUSE:
		if (w->paused) {
			w->shown_at =
				mono - w->paused_elapsed; /* the turn goes on where it stopped */
			w->paused = false;
		} else {
			w->paused_elapsed = mono - w->shown_at;
			w->paused = true;
		}
		return true;
	case ACT_REFRESH:
		refresh_all(a);
		return true;
	case ACT_REDRAW:
		term_invalidate();
		return true;
	case ACT_HELP:
		a->help_shown = true;
		a->help_scroll = 0;
		return true;
	case ACT_QUIT:
		a->quit = true;
		return true;
	default:
		return false; /* every other key, every action: nothing */
	}
}

bool
app_wall_tick(struct app *a, double mono)
{
	struct app_wall *w = a->wall;

	if (w == NULL || (w->paused && w->shows > 0))
		return false;
	if (w->shows == 0) {
		show(a, 0, mono);
		return true;
	}
	if (mono - w->shown_at < rotate_s(a))
		return false;
	show(a, 1, mono);
	return true;
}

long
app_wall_next_due_ms(const struct app *a, double mono, long t)
{
	const struct app_wall *w = a->wall;
	double left;
	long ms;

	if (w == NULL || w->paused)
		return t;
	if (w->shows == 0)
		return 0;
	left = w->shown_at + rotate_s(a) - mono;
	ms = left <= 0 ? 0 : (long)ceil(left * 1000.0);
	return ms < t ? ms : t;
}

void
app_wall_view(const struct app *a, struct view_ctx *v)
{
	const struct app_wall *w = a->wall;
	const struct wall_rotation *r = &a->o->setup->wall.rotation;
	struct app_wall *mw = a->wall; /* the position text is a cache of the state */

	v->wall = true;
	v->large = a->o->setup->wall.large;
	if (w == NULL)
		return;
	v->wall_started = w->started;
	if (w->at < 0) {
		char skipped[128];

		wall_skipped_text(r, w->avail, skipped, sizeof skipped);
		snprintf(mw->position, sizeof mw->position, "%s%s", skipped,
			 skipped[0] != '\0' ? " not configured" : "");
		v->wall_progress = 0;
	} else {
		double el = w->paused ? w->paused_elapsed : poller_mono_now() - w->shown_at;
		size_t i, pos = 0, total = 0;

		/* Counted over the screens that can show: a skipped one is no position. */
		for (i = 0; i < r->n; i++)
			if (w->avail[r->screens[i]]) {
				total++;
				pos += i <= (size_t)w->at;
			}
		snprintf(mw->position, sizeof mw->position, "%zu/%zu%s", pos, total,
			 w->paused ? " paused" : "");
		v->wall_progress = el / rotate_s(a);
		if (v->wall_progress > 1)
			v->wall_progress = 1;
		if (v->wall_progress < 0)
			v->wall_progress = 0;
	}
	v->wall_position = mw->position;
}

void
app_wall_render(struct app *a, struct render_state *rs)
{
	struct app_wall *w = a->wall;
	struct view_ctx v;
	int role = ROLE_CRIT, cols = a->canvas->w - 2;

	if (w == NULL)
		return;
	app_view_of(a, &v);
	/* Nothing that invites typing: no prompt, no dialog, a discreet hint. */
	rs->input = NULL;
	rs->dialog = NULL;
	rs->hint = "? keys  q quit ";
	rs->large = v.large;
	if (wall_stale_banner(a->model, v.now, v.stale_after, w->started, w->stale,
			      sizeof w->stale) > 0) {
		rs->banner = w->stale;
		rs->banner_role = ROLE_CRIT;
	}
	if (wall_alerts_banner(a->model, cols, w->alerts, sizeof w->alerts, &role) > 0) {
		if (rs->banner == NULL) {
			rs->banner = w->alerts;
			rs->banner_role = role;
		} else {
			rs->banner2 = w->alerts;
			rs->banner2_role = role;
		}
	}
}
