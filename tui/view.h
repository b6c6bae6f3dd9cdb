/*
 * view.h - what every screen reads when it draws: a read-only view of the
 * model plus the settings that shape it.  Screens never change the model.
 */
#ifndef OPSDECK_TUI_VIEW_H
#define OPSDECK_TUI_VIEW_H

#include <stdbool.h>

#include "model.h"

struct view_ctx {
	const struct model *model;   /* borrowed for the draw */
	const struct thresholds *th; /* status thresholds */
	double now;                  /* wall clock, unix seconds */
	double stale_after;          /* seconds: 3 refresh intervals */
	bool ascii;                  /* non-UTF-8 terminal: ASCII glyphs */
	bool prometheus;             /* a Prometheus backend is configured */
	const char *config_path;     /* for the "nothing configured" screen */
	bool docker;                 /* a Docker endpoint is configured */
	bool elasticsearch;          /* an Elasticsearch URL is configured (logs) */
	bool zipkin;                 /* a Zipkin URL is configured (traces, topology) */
	/* The progress of an action in flight on service, or NULL.  May be NULL. */
	const char *(*progress)(const void *ud, const char *service);
	const void *progress_ud; /* passed to progress */
	const char *env_name;    /* the environment actions hit ([env "NAME"]), or NULL */
	bool env_protected;      /* it has protected = true: shown in the CRIT colour */
	bool wall;               /* --wall: no cursor, no prompts */
	/* --wall only (tui/app_wall.c fills them; tui/frame.c draws the header): */
	bool large;                /* [wall] density = large: fewer, wider columns */
	const char *wall_position; /* "2/3", "2/3 paused"; NULL */
	double wall_progress;      /* 0..1: how much of this screen's turn has passed */
	double wall_started;       /* wall clock when the wall started */
};

/* Results of handling an action (bit flags). */
enum handled {
	H_NONE = 0,
	H_DIRTY = 1 << 0,   /* redraw */
	H_HANDLED = 1 << 1, /* the action was used */
};

/* Status -> colour role, and its severity for sorting (higher is worse). */
int view_status_role(enum status s);
int view_status_severity(enum status s);

#endif
