/*
 * wall.h - the wall monitor's logic, without a terminal: which screens it
 * rotates through ([wall] screens), where the rotation goes next, how fresh
 * each backend's data is, and the text of its two banners (alerts firing,
 * data stale).  tui/app_wall.c drives the console with it; tui/frame.c
 * draws the wall's header with it; the unit tests call it directly.
 *
 * Freshness: a backend polled every refresh (Prometheus, the runtimes,
 * Elasticsearch's errors per minute, Alertmanager) is STALE when its last
 * success is older than stale_after (three refresh intervals), or when it
 * never answered and the wall has run longer than that.  Zipkin is asked
 * only while its screens are shown (wall_on_demand): it is STALE only when
 * its last attempt failed and its last success is that old.  A frozen
 * wall therefore never looks healthy: its own clock keeps ticking, the
 * ages grow, and the banner comes up.
 */
#ifndef OPSDECK_TUI_WALL_H
#define OPSDECK_TUI_WALL_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "model.h"

enum wall_screen {
	WALL_OVERVIEW,
	WALL_ALERTS,
	WALL_TOPOLOGY,
	WALL_TRACES,
	WALL_LOGS,
	WALL_SCREEN_COUNT
};

#define WALL_MAX_SCREENS 16

/* The rotation, in order; a screen may appear more than once. */
struct wall_rotation {
	enum wall_screen screens[WALL_MAX_SCREENS];
	size_t n; /* >= 1 after a successful parse */
};

/* [wall], read by setup_init(). */
struct wall_settings {
	struct wall_rotation rotation; /* [wall] screens */
	long long rotate_ms;           /* [wall] rotate: how long each screen shows */
	bool large;                    /* [wall] density = large */
};

/* "overview", "alerts", ... (static). */
const char *wall_screen_name(enum wall_screen s);

/*
 * Parse [wall] screens: names separated by commas and/or blanks, in the
 * order shown.  Fails (ERR_CONFIG) on an unknown name - the message quotes
 * it and lists the known ones - on an empty list and on more than
 * WALL_MAX_SCREENS names; r is then unchanged.
 */
int wall_screens_parse(const char *text, struct wall_rotation *r, struct err *e);

/*
 * The next position of r from position from in direction dir (+1 next, -1
 * previous; 0: from itself if it can be shown), skipping screens whose
 * avail[] is false.  -1 when no screen of r can be shown.
 */
long wall_rotation_step(const struct wall_rotation *r, const bool avail[WALL_SCREEN_COUNT],
			size_t from, int dir);

/* The names of r's screens that cannot be shown, "traces, logs", into out ("" when none). */
void wall_skipped_text(const struct wall_rotation *r, const bool avail[WALL_SCREEN_COUNT],
		       char *out, size_t n);

/* Whether backend name is polled only while a screen of it is shown (Zipkin). */
bool wall_on_demand(const char *name);

enum wall_fresh {
	WALL_FRESH_WAITING, /* no answer yet, within stale_after of the start */
	WALL_FRESH_OK,
	WALL_FRESH_STALE,
};

/*
 * How fresh b is at now (wall clock): started is when the wall started,
 * stale_after the age (seconds) from which data is stale.  *age (may be
 * NULL) is the seconds since its last success, or -1 when it never had one.
 */
enum wall_fresh wall_backend_fresh(const struct backend_state *b, double now, double stale_after,
				   double started, double *age);

/* An age for the header: "0s", "47s", "3m05s", "2h10m". */
void wall_age_text(double seconds, char *out, size_t n);

/*
 * The header's text of one backend: "prometheus 2s", "prometheus 47s
 * STALE", "prometheus never STALE", "prometheus ..." while waiting.
 */
void wall_backend_text(const struct backend_state *b, enum wall_fresh f, double age, char *out,
		       size_t n);

/*
 * The stale banner: "DATA STALE: prometheus last answered 47s ago
 * (connection refused)", each stale backend in the model's order separated
 * by "; ".  Returns how many backends are stale (0: out is "").
 */
size_t wall_stale_banner(const struct model *m, double now, double stale_after, double started,
			 char *out, size_t n);

/*
 * The alerts banner: "2 ALERTS FIRING: HighErrorRate payments,
 * DiskFull" - each firing (unsilenced) alert's name and service, worst
 * first, as many as fit in cols display columns, then "+3 more".  *role
 * (may be NULL) is ROLE_CRIT when a critical one fires, else ROLE_WARN.
 * Returns the number firing (0: out is "").
 */
size_t wall_alerts_banner(const struct model *m, int cols, char *out, size_t n, int *role);

#endif
