/*
 * snapshot.h - `opsdeck snapshot`: poll every configured backend once,
 * render a screen, print it, exit with a status scripts can test.
 */
#ifndef OPSDECK_TUI_SNAPSHOT_H
#define OPSDECK_TUI_SNAPSHOT_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "setup.h"

enum snapshot_format { SNAP_TEXT, SNAP_ANSI, SNAP_MARKDOWN, SNAP_JSON };

struct snapshot_options {
	const struct setup *setup; /* borrowed */
	const char *screen;        /* "overview", "service:NAME", "logs", "traces", "trace:ID",
				      "topology", "alerts", "all" */
	const char *query;         /* logs: the query (NULL = everything) */
	const char *since;         /* logs: the range, "15m" (NULL = configured) */
	enum snapshot_format format;
	int width, height;    /* canvas size for text/ansi */
	long long timeout_ms; /* bound on waiting for one complete poll */
	bool color;           /* ansi: colours, else attributes only */
	bool ascii;           /* ASCII glyphs */
	FILE *debug_log;      /* borrowed; NULL = none */
	bool check;           /* --check: the exit status is the health verdict */
	const char *env;      /* the environment selected (--env, OPSDECK_ENV), or NULL */
};

/* Parse "text", "ansi", "markdown"/"md", "json".  -1 with e on anything else. */
int snapshot_parse_format(const char *s, enum snapshot_format *out, struct err *e);

/*
 * Poll once, render, append the output to out.  Returns the exit status: 0
 * when every configured backend answered, 2 when any failed (the output
 * still names the failure); under o->check the health verdict instead (0
 * OK, 1 WARN, 2 CRIT, 3 UNKNOWN) with one line per problem appended to
 * problems (may be NULL).  -1 with e filled for a usage error (unknown
 * screen, its backend not configured, a bad --since or search).
 */
int snapshot_run(const struct snapshot_options *o, struct buf *out, struct buf *problems,
		 struct err *e);

#endif
