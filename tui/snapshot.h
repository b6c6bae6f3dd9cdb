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
	const char *screen;        /* "overview", "service:NAME", "logs" */
	const char *query;         /* logs: the query (NULL = everything) */
	const char *since;         /* logs: the range, "15m" (NULL = configured) */
	enum snapshot_format format;
	int width, height;    /* canvas size for text/ansi */
	long long timeout_ms; /* bound on waiting for one complete poll */
	bool color;           /* ansi: colours, else attributes only */
	bool ascii;           /* ASCII glyphs */
	FILE *debug_log;      /* borrowed; NULL = none */
	bool check;           /* --check: the exit status is the health verdict */
};

/* Parse "text", "ansi", "markdown"/"md", "json".  -1 with e on anything else. */
int snapshot_parse_format(const char *s, enum snapshot_format *out, struct err *e);

/*
 * Poll, render, append the output to out.  Returns the exit status: 0 when
 * every configured backend answered, 2 when any failed (the output still
 * names the failure), or -1 with e filled for a usage error (unknown screen).
 */
int snapshot_run(const struct snapshot_options *o, struct buf *out, struct err *e);

#endif
