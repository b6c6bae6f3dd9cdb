/*
 * app_internal.h - the console's state, shared by the files of the app:
 * app.c (the loop, drawing, keys), app_cmd.c (the command line and the
 * path to an action), app_runtime.c (the runtimes' pollers besides
 * Docker's - Kubernetes, ECS - and which one an action goes to) and app_logs.c (the Logs screen's keys, query line
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
#include "ecs_poll.h"
#include "help.h"
#include "http.h"
#include "k8s_poll.h"
#include "input.h"
#include "keys.h"
#include "logs_history.h"
#include "logs_poll.h"
#include "model.h"
#include "poller.h"
#include "render.h"
#include "screens/detail.h"
#include "screens/logs.h"
#include "screens/graph.h"
#include "screens/overview.h"
#include "screens/traces.h"
#include "screens/waterfall.h"
#include "dialog.h"
#include "traces_poll.h"
#include "view.h"

#define MESSAGE_SECONDS 6.0

/*
 * The screen stack: the Overview at the bottom, the others above it in the
 * order they were opened; each at most once (opening one already on the
 * stack goes back to it).
 */
enum screen_id {
	SCREEN_OVERVIEW,
	SCREEN_DETAIL,
	SCREEN_LOGS,
	SCREEN_TRACES,
	SCREEN_TRACE,
	SCREEN_TOPOLOGY,
	SCREEN_ALERTS,
	SCREEN_QUERY,
	SCREEN_COUNT
};

/* The line being edited: a filter, a replica count, a command, the logs query or the trace search. */
enum edit_mode {
	EDIT_NONE,
	EDIT_FILTER,
	EDIT_SCALE,
	EDIT_COMMAND,
	EDIT_QUERY,
	EDIT_TRACES,
	EDIT_SILENCE, /* app_alerts.c: a silence's duration or comment (prompt in a->prompt) */
	EDIT_PROMQL,  /* app_query.c: the PromQL expression (prompt in a->prompt) */
};

struct app {
	const struct app_options *o;
	struct http *http;
	struct model *model;
	struct poller *poller;
	struct overview *overview;
	enum screen_id stack[SCREEN_COUNT];
	int depth;                       /* screens on the stack, >= 1 */
	struct detail *detail;           /* the Service detail's state while it is open */
	struct detail_poll *detail_poll; /* its requests; lives as long as http */
	struct logs *logs;               /* the Logs screen's state while it is open */
	struct logs_poll *logs_poll;     /* its requests and errors/min; lives as long as http */
	struct logs_history *history;    /* the query line's history */
	struct logs_range range;         /* the Logs screen's range, kept across openings */
	struct traces_poll
		*traces_poll;         /* Zipkin: searches, traces, links; lives as long as http */
	struct traces_screen *traces; /* the Traces screen's state (kept across openings) */
	struct waterfall *waterfall;  /* the Trace screen's */
	struct graph *graph;          /* the Topology screen's */
	char graph_select[256];       /* a service to select when the links arrive */
	char crumbs[512];             /* the title of the traces screens */
	char crumbs_summary[256];
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
	struct k8s_poll **k8s;      /* one per Kubernetes context (setup's k8s[i]) */
	size_t nk8s;
	struct ecs_poll **ecs; /* one per ECS cluster (setup's ecs[i]) */
	size_t necs;
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
	/* app_cmd.c: Tab on the command line; cycles while the line is as Tab left it. */
	char complete_line[512]; /* the line Tab left ("" = the next Tab starts anew) */
	char complete_stem[256]; /* the word as typed before the first Tab */
	size_t complete_next;    /* the candidate the next Tab puts in */
	int message_role;
	double message_until; /* monotonic; 0 = sticky while editing */
	double last_second;   /* wall second last drawn, for the clock and ages */
	/* Each owned by its file; NULL until that file creates it. */
	struct app_alerts *alerts; /* app_alerts.c: Alertmanager/Prometheus alerts, silences */
	struct app_query *query;   /* app_query.c: the Query screen (ad-hoc PromQL) */
	struct app_wall *wall;     /* app_wall.c: rotation and banners of --wall */
};

/* app.c */
void app_set_message(struct app *a, int role, const char *fmt, const char *arg);
void app_show_error(struct app *a, const char *msg);
void app_view_of(const struct app *a, struct view_ctx *v);
enum screen_id app_top_screen(const struct app *a);
/* The service the action keys act on: the detail's, else the Overview's cursor (borrowed). */
const char *app_current_service(struct app *a);

/* Open screen id: pushed, or when already on the stack, the screens above it are closed. */
void app_push_screen(struct app *a, enum screen_id id);
/* Open the Service detail of service (a display name). */
void app_open_detail(struct app *a, const char *service);
/* Close the top screen; its requests stop (answers in flight are dropped). */
void app_pop_screen(struct app *a);
/* The confirmation dialog of a->plan. */
void app_dialog_view_of(struct app *a, struct dialog_view *dv);

/* app_keys.c */
/* One key: the dialog, the line being edited, help, then the screen's bindings. */
void app_handle_key(struct app *a, int key);
/* What a key bound to act does on the screen on top (the mouse's wheel and clicks too). */
void app_handle_action(struct app *a, enum action act);

/* app_cmd.c */
/* Refusals, then the replica count for a scale without one, then the dialog. */
void app_begin_action(struct app *a, enum op_kind op, const char *service, long replicas);
/* The replica count typed (EDIT_SCALE) was accepted. */
void app_accept_scale(struct app *a);
/* ":scale NAME N", ":restart NAME", ":rollback NAME", ":logs QUERY", ":since D", ":range A B", ":q". */
void app_run_command(struct app *a, const char *line);
/*
 * Tab on the command line: complete the word before the cursor - the
 * command, then a service name (scale, restart, rollback, logs, traces,
 * topology) or an environment (env).  One match is completed; several
 * are listed in the message line and a second Tab cycles through them.
 */
void app_cmd_complete(struct app *a);

/* app_runtime.c */
/* Create the Kubernetes and ECS pollers (after a->http and a->model). */
void app_runtime_start(struct app *a);
/* Free them: before http_free(). */
void app_runtime_stop(struct app *a);
/* Poll every Kubernetes context and ECS cluster.  True when something changed. */
bool app_runtime_tick(struct app *a, double mono);
/* t, or sooner when a Kubernetes or ECS poller wants a tick. */
long app_runtime_next_due_ms(const struct app *a, double mono, long t);
/* Refresh every runtime (Docker, Kubernetes and ECS) at once. */
void app_runtime_refresh_now(struct app *a);
/*
 * Send the confirmed a->plan to its runtime: Docker's endpoint, its
 * Kubernetes context or its ECS cluster.
 */
int app_runtime_execute(struct app *a, struct err *e);

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

/* app_traces.c */
/* The Traces screen for service (NULL or "" = any), searching line (NULL = the defaults). */
void app_traces_open(struct app *a, const char *service, const char *line);
/* The Trace screen for id. */
void app_trace_open(struct app *a, const char *id);
/* The Topology screen, the service (or NULL) selected. */
void app_topology_open(struct app *a, const char *service);
/* screen was popped: stop its requests. */
void app_traces_closed(struct app *a, enum screen_id screen);
/* A key on the three screens: true when it was used. */
bool app_traces_key(struct app *a, enum action act);
/* The search line was accepted (EDIT_TRACES). */
void app_traces_accept_query(struct app *a);
/* ":traces", ":trace", ":topology" (line is the whole command).  True when verb was one of them. */
bool app_traces_command(struct app *a, const char *verb, const char *line);
/* Poll.  True when something changed. */
bool app_traces_tick(struct app *a, double mono);
/* Fill the render state's fields of the three screens when one is on top. */
void app_traces_render(struct app *a, struct render_state *rs);
/* The service the screen on top is about (borrowed), or NULL when it is none of the three. */
const char *app_traces_service(struct app *a);

#endif

/*
 * The hooks below are called by app.c and app_keys.c; each file owns its
 * state behind the pointer in struct app.
 */

/* app_alerts.c - the Alerts screen, alert marks on the Overview, silences. */
void app_alerts_start(struct app *a); /* after a->http and a->model */
void app_alerts_stop(struct app *a);  /* before http_free() */
void app_alerts_open(struct app *a);
/* A key its modal (the silence dialog) takes: true when it was open and took it. */
bool app_alerts_modal_key(struct app *a, int key);
/* A key on the Alerts screen (or the Overview's s): true when it was used. */
bool app_alerts_key(struct app *a, enum action act);
void app_alerts_accept_input(struct app *a); /* EDIT_SILENCE: Enter */
bool app_alerts_command(struct app *a, const char *verb, const char *line);
bool app_alerts_tick(struct app *a, double mono);
long app_alerts_next_due_ms(const struct app *a, double mono, long t);
void app_alerts_refresh_now(struct app *a);
/* Fill rs for the Alerts screen when it is on top; its dialog when open. */
void app_alerts_render(struct app *a, struct render_state *rs);
void app_alerts_closed(struct app *a);
/* Mouse: the Alerts row at screen row y, as alerts_screen_row_at. */
bool app_alerts_row_at(struct app *a, int y, long *delta);

/* app_query.c - the Query screen: ad-hoc PromQL, table or chart, history. */
void app_query_start(struct app *a);
void app_query_stop(struct app *a);
void app_query_open(struct app *a, const char *expr); /* NULL: start editing */
bool app_query_key(struct app *a, enum action act);
void app_query_accept_input(struct app *a); /* EDIT_PROMQL: Enter */
void app_query_recall(struct app *a, int dir); /* EDIT_PROMQL: Up/Down */
bool app_query_command(struct app *a, const char *verb, const char *line);
bool app_query_tick(struct app *a, double mono);
long app_query_next_due_ms(const struct app *a, double mono, long t);
void app_query_render(struct app *a, struct render_state *rs);
void app_query_closed(struct app *a);

/* app_wall.c - --wall: rotation, the header's freshness, banners, its own keys. */
void app_wall_start(struct app *a); /* only when a->o->wall */
void app_wall_stop(struct app *a);
/* In wall mode every key comes here (no action can be bound): true when taken. */
bool app_wall_key(struct app *a, int key);
bool app_wall_tick(struct app *a, double mono);
long app_wall_next_due_ms(const struct app *a, double mono, long t);
void app_wall_render(struct app *a, struct render_state *rs);
/* The wall's fields of the view (wall, large, position, progress). */
void app_wall_view(const struct app *a, struct view_ctx *v);

/* app_env.c - ":env NAME": ask main to start again on another environment. */
bool app_env_command(struct app *a, const char *verb, const char *line);

/* app_mouse.c - a mouse event (K_MOUSE): click a row or a tab, wheel scrolls. */
void app_mouse(struct app *a);
/* Append the help's Mouse section to a->help (what clicks do, or that the mouse is off). */
void app_mouse_help(struct app *a);
