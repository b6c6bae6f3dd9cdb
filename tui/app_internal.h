/*
 * app_internal.h - the console's state, shared by the files of the app:
 * app.c (the loop, drawing, keys), app_cmd.c (the command line and the
 * path to an action) and app_logs.c (the Logs screen's keys, query line
 * and commands).  Nothing outside them includes this.
 */
#ifndef OPSDECK_TUI_APP_INTERNAL_H
#define OPSDECK_TUI_APP_INTERNAL_H

#include <stdbool.h>

#include "actions.h"
#include "app.h"
#include "canvas.h"
#include "detail_poll.h"
#include "docker_poll.h"
#include "help.h"
#include "http.h"
#include "input.h"
#include "keys.h"
#include "logs_history.h"
#include "logs_poll.h"
#include "model.h"
#include "poller.h"
#include "render.h"
#include "screens/detail.h"
#include "screens/logs.h"
#include "screens/overview.h"
#include "view.h"

#define MESSAGE_SECONDS 6.0

/* The screen stack: the Overview at the bottom, the Service detail and the Logs above it. */
enum screen_id { SCREEN_OVERVIEW, SCREEN_DETAIL, SCREEN_LOGS };

/* The line being edited: a filter, a replica count, a command or the logs query. */
enum edit_mode { EDIT_NONE, EDIT_FILTER, EDIT_SCALE, EDIT_COMMAND, EDIT_QUERY };

struct app {
	const struct app_options *o;
	struct http *http;
	struct model *model;
	struct poller *poller;
	struct overview *overview;
	enum screen_id stack[3];
	int depth;                       /* screens on the stack, >= 1 */
	struct detail *detail;           /* the Service detail's state while it is open */
	struct detail_poll *detail_poll; /* its requests; lives as long as http */
	struct logs *logs;               /* the Logs screen's state while it is open */
	struct logs_poll *logs_poll;     /* its requests and errors/min; lives as long as http */
	struct logs_history *history;    /* the query line's history */
	struct logs_range range;         /* the Logs screen's range, kept across openings */
	struct canvas *canvas;
	bool ascii;
	bool dirty;
	bool quit;
	/* help overlay */
	bool help_shown;
	struct help_entry *help;
	size_t nhelp;
	size_t help_scroll;
	struct docker_poll *docker; /* NULL when no Docker endpoint */
	struct actions *actions;
	enum edit_mode edit;
	char edit_service[256]; /* EDIT_SCALE: the service being scaled */
	struct input input;
	/* the confirmation dialog */
	bool dialog_open;
	struct action_plan plan;
	struct input typed;     /* confirm = name: what the user typed */
	char change_ascii[640]; /* the change line for a non-UTF-8 terminal */
	char progress[512];     /* the status line's live progress of an action */
	char *filter_before;    /* restored on Esc */
	/* status-line message */
	char message[ERR_MSG_MAX + 768];
	char prompt[320];
	int message_role;
	double message_until; /* monotonic; 0 = sticky while editing */
	double last_second;   /* wall second last drawn, for the clock and ages */
};

/* app.c */
void app_set_message(struct app *a, int role, const char *fmt, const char *arg);
void app_show_error(struct app *a, const char *msg);
void app_view_of(const struct app *a, struct view_ctx *v);
enum screen_id app_top_screen(const struct app *a);
/* The service the action keys act on: the detail's, else the Overview's cursor (borrowed). */
const char *app_current_service(struct app *a);

/* app_cmd.c */
/* Refusals, then the replica count for a scale without one, then the dialog. */
void app_begin_action(struct app *a, enum op_kind op, const char *service, long replicas);
/* The replica count typed (EDIT_SCALE) was accepted. */
void app_accept_scale(struct app *a);
/* ":scale NAME N", ":restart NAME", ":rollback NAME", ":logs QUERY", ":since D", ":range A B", ":q". */
void app_run_command(struct app *a, const char *line);

/* app_logs.c */
/* Push the Logs screen (or change its query when it is on top) for query (NULL = everything). */
void app_logs_open(struct app *a, const char *query);
/* The logs of a service: its name in the service field of the logs. */
void app_logs_open_service(struct app *a, const char *service);
/* Pop the Logs screen: its requests stop. */
void app_logs_close(struct app *a);
/* A key on the Logs screen: true when it was used. */
bool app_logs_key(struct app *a, enum action act);
/* The query line: Enter applies it (and keeps it in the history); Up/Down recall. */
void app_logs_accept_query(struct app *a);
void app_logs_recall(struct app *a, int dir);
/* ":logs", ":since", ":range" (line is the whole command).  True when verb was one of them. */
bool app_logs_command(struct app *a, const char *verb, const char *line);
/* Poll, and move the view by what arrived.  True when something changed. */
bool app_logs_tick(struct app *a, double mono);
/* The `/` filter text changed (incremental). */
void app_logs_filter_text(struct app *a);

#endif
