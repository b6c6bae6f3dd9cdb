/*
 * app.h - the interactive console: one thread, one loop.
 *
 * app_run() opens the terminal, then loops: submit due polls, draw once if
 * anything changed, wait in curl_multi_poll (http_wait) on libcurl's sockets,
 * stdin and the signal self-pipe with a timeout equal to the next due poll
 * or clock tick, then handle signals, finished transfers and every pending
 * key.  It returns when the user quits or a quit signal arrives, with the
 * terminal restored.
 */
#ifndef OPSDECK_TUI_APP_H
#define OPSDECK_TUI_APP_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"
#include "setup.h"

struct app_options {
	const struct setup *setup; /* borrowed */
	bool color;                /* colours wanted (not --no-color / NO_COLOR / mono) */
	FILE *debug_log;           /* borrowed; NULL = none */
	bool wall;                 /* --wall: read-only, rotating, no action keys */
	bool mouse;                /* [general] mouse and not --no-mouse */
	/*
	 * ":env NAME" sets this (main's buffer) and quits: main loads the
	 * configuration again for NAME and runs the console anew.  NULL: no
	 * environments.
	 */
	char *switch_env;
	size_t switch_env_size;
	/* Shown on the status line at the start (after :env NAME), or NULL; CRIT when an error. */
	const char *notice;
	bool notice_error;
};

/*
 * Run the console.  Returns 0 on a normal quit, the signal number + 128
 * style status for SIGHUP/SIGTERM/SIGINT via *exit_code, or -1 with e
 * filled when the terminal cannot be used.
 */
int app_run(const struct app_options *o, int *exit_code, struct err *e);

#endif
