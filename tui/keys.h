/*
 * keys.h - keys, the actions they map to, and the help generated from them.
 *
 * One table binds keys to actions per context; the help overlay is built
 * from the same table, so help can never drift from the bindings.  Keys are
 * Unicode codepoints, or the K_* codes below for special keys (tui/term.c
 * translates curses key codes into these, so this module needs no curses).
 */
#ifndef OPSDECK_TUI_KEYS_H
#define OPSDECK_TUI_KEYS_H

#include <stddef.h>

#include "err.h"
#include "help.h"

enum key_code {
	K_NONE = 0,
	K_ESC = 27,
	K_ENTER = '\n',
	K_TAB = '\t',
	K_BACKSPACE = 0x7f,
	K_SPECIAL = 0x110000, /* above every codepoint */
	K_UP,
	K_DOWN,
	K_LEFT,
	K_RIGHT,
	K_HOME,
	K_END,
	K_PGUP,
	K_PGDN,
	K_DELETE,
	K_INSERT,
	K_BTAB,
	K_F1,
	K_F2,
	K_F3,
	K_F4,
	K_F5,
	K_F6,
	K_F7,
	K_F8,
	K_F9,
	K_F10,
	K_RESIZE,
	K_MOUSE, /* a mouse event: term_mouse() tells which */
};

#define CTRL_KEY(c) ((c)&0x1f)

/* Contexts, innermost first when looking up: a screen's own keys win. */
enum key_ctx {
	CTX_GLOBAL,
	CTX_OVERVIEW,
	CTX_DETAIL,
	CTX_LOGS,
	CTX_INPUT,
	CTX_TRACES,
	CTX_TRACE,
	CTX_TOPOLOGY,
	CTX_ALERTS,
	CTX_QUERY,
	CTX_WALL, /* --wall: the only keys it has */
	CTX_COUNT
};

#define ACTION_LIST(X)                                                                          \
	X(ACT_NONE, "")                                                                         \
	X(ACT_HELP, "show or hide this help")                                                   \
	X(ACT_QUIT, "quit from anywhere")                                                       \
	X(ACT_BACK, "back to the previous screen; quits on the top screen")                     \
	X(ACT_REDRAW, "redraw the screen")                                                      \
	X(ACT_REFRESH, "refresh now")                                                           \
	X(ACT_UP, "move up")                                                                    \
	X(ACT_DOWN, "move down")                                                                \
	X(ACT_PGUP, "page up")                                                                  \
	X(ACT_PGDN, "page down")                                                                \
	X(ACT_TOP, "go to the first row")                                                       \
	X(ACT_BOTTOM, "go to the last row")                                                     \
	X(ACT_FILTER, "filter rows by a regular expression (PCRE2, incremental)")               \
	X(ACT_CLEAR_FILTER, "clear the filter")                                                 \
	X(ACT_SORT_PREV, "sort by the column to the left")                                      \
	X(ACT_SORT_NEXT, "sort by the column to the right")                                     \
	X(ACT_SORT_INVERT, "invert the sort order")                                             \
	X(ACT_SCALE, "scale the selected service (asks for the count, then confirms)")          \
	X(ACT_RESTART, "rolling restart of the selected service (confirms)")                    \
	X(ACT_ROLLBACK, "roll the selected service back to its previous version (confirms)")    \
	X(ACT_COMMAND,                                                                          \
	  "command line (Tab completes): scale NAME N, restart, rollback, alerts, query, env")  \
	X(ACT_OPEN, "open the selected service's detail")                                       \
	X(ACT_RANGE_WIDER, "widen the charts' time range (15m, 1h, 6h, 24h)")                   \
	X(ACT_RANGE_NARROWER, "narrow the charts' time range")                                  \
	X(ACT_MINUTE_PREV, "move the charts' minute cursor back (then l: that minute's logs)")  \
	X(ACT_MINUTE_NEXT, "move the charts' minute cursor forward")                            \
	X(ACT_LOGS, "logs of the selected service")                                             \
	X(ACT_LOGS_ALL, "logs of every service")                                                \
	X(ACT_LOGS_NEWEST, "newest line; follows again when tailing")                           \
	X(ACT_LOGS_OLDEST, "oldest line held (older pages load as you go)")                     \
	X(ACT_LOGS_OPEN, "open the line: every field, wrapped; Esc back")                       \
	X(ACT_LOGS_FOLLOW, "live tail on/off; when scrolled away, back to the newest")          \
	X(ACT_LOGS_QUERY, "edit the query (Lucene query_string; Up/Down: history)")             \
	X(ACT_LOGS_FILTER, "filter the lines held by a regular expression (PCRE2, no request)") \
	X(ACT_LOGS_WIDER, "widen the range: 5m 15m 1h 6h 24h 7d")                               \
	X(ACT_LOGS_NARROWER, "narrow the range")                                                \
	X(ACT_LOGS_COMMAND, "command line: logs QUERY, since 15m, range FROM TO, ...")          \
	X(ACT_TRACES, "traces of the selected service (Zipkin)")                                \
	X(ACT_TOPOLOGY, "topology: who calls whom, the selected service's callers and callees") \
	X(ACT_TRACES_QUERY,                                                                     \
	  "edit the search: service= span= >250ms <2s error k=v since=1h limit=")               \
	X(ACT_TRACE_OPEN, "open the selected trace's waterfall")                                \
	X(ACT_SPAN_COLLAPSE, "collapse or expand the span's subtree")                           \
	X(ACT_SPAN_DETAIL, "show or hide the span's details (tags, annotations, endpoints)")    \
	X(ACT_CRITICAL_PATH, "highlight the critical path and each span's share of it")         \
	X(ACT_SPAN_LOGS, "logs of the span's service around its time, for this trace id")       \
	X(ACT_CRITICAL_SERVICE, "detail of the service that dominates the critical path")       \
	X(ACT_TOPO_LEFT, "move to the callers (the layer to the left)")                         \
	X(ACT_TOPO_RIGHT, "move to the callees (the layer to the right)")                       \
	X(ACT_DEPS_WIDER, "widen the dependency range: 15m 1h 6h 24h 7d")                       \
	X(ACT_DEPS_NARROWER, "narrow the dependency range")                                     \
	X(ACT_ALERTS, "alerts: firing and pending, from Prometheus and Alertmanager")           \
	X(ACT_SILENCE, "silence the selected alert in Alertmanager (asks duration, comment)")   \
	X(ACT_QUERY, "query screen: ad-hoc PromQL as a table or a chart")                       \
	X(ACT_QUERY_EDIT, "edit the PromQL expression (Up/Down: history)")                      \
	X(ACT_QUERY_MODE, "switch between instant (table) and range (chart)")                   \
	X(ACT_WALL_NEXT, "next screen now")                                                     \
	X(ACT_WALL_PREV, "previous screen")                                                     \
	X(ACT_WALL_PAUSE, "pause or resume the rotation")                                       \
	X(ACT_INPUT_COMPLETE, "complete the command, service or environment name")              \
	X(ACT_INPUT_ACCEPT, "apply")                                                            \
	X(ACT_INPUT_CANCEL, "cancel, keep the previous value")                                  \
	X(ACT_INPUT_LEFT, "move the cursor left")                                               \
	X(ACT_INPUT_RIGHT, "move the cursor right")                                             \
	X(ACT_INPUT_HOME, "start of line")                                                      \
	X(ACT_INPUT_END, "end of line")                                                         \
	X(ACT_INPUT_BACKSPACE, "delete the character before the cursor")                        \
	X(ACT_INPUT_DELETE, "delete the character under the cursor")                            \
	X(ACT_INPUT_KILL_WORD, "delete the word before the cursor")                             \
	X(ACT_INPUT_KILL_LINE, "delete to the start of line")                                   \
	X(ACT_INPUT_HISTORY_PREV, "older query from the history (query line)")                  \
	X(ACT_INPUT_HISTORY_NEXT, "newer query from the history (query line)")

#define ACTION_ENUM_ITEM(name, help) name,
enum action { ACTION_LIST(ACTION_ENUM_ITEM) ACTION_COUNT };
#undef ACTION_ENUM_ITEM

/* The action bound to key in ctx, falling back to CTX_GLOBAL (not for CTX_INPUT). */
enum action keys_lookup(enum key_ctx ctx, int key);

/* Short name of a key: "j", "Down", "PgDn", "F6", "Ctrl-L", "Esc", "Space". */
const char *keys_name(int key, char *buf, size_t n);

/*
 * The key named name, as keys_name() prints it ("x", "Space", "Enter",
 * "Tab", "Esc", "PgDn", "F6", "Ctrl-L"; names are case-insensitive, "C-l"
 * and "^L" are Ctrl-L too, "Comma" is ','): 0 and *key, or -1.
 */
int keys_parse_key(const char *name, int *key);

/* The name [keys] uses for an action: "logs_all" for ACT_LOGS_ALL ("" for ACT_NONE). */
const char *keys_action_name(enum action a, char *buf, size_t n);

/* The keys bound to act in ctx now (at most max into keys); returns how many there are. */
size_t keys_for(enum key_ctx ctx, enum action act, int *keys, size_t max);

/*
 * Remapping: the [keys] section, "action = key, key".  action is a name of
 * keys_action_name() - then every context that binds it by default - or
 * "context.action" (overview.scale) for one context (global, overview,
 * detail, logs, input, traces, trace, topology, alerts, query, wall).  The
 * keys replace the action's keys there; a key another action had in that
 * context is taken over (a global action's key in every screen).
 *
 * The bindings in force are one table for the process: set them before the
 * first key is read and before keys_help().
 *
 * keys_check_binding: only check the names (config load).  -1 with
 * "where:line: [keys] ..." in e naming the bad action or key and the
 * valid forms.
 * keys_rebind: apply one line.  An action left with no key anywhere it had
 * one is not an error, but it is written into note ("; "-separated, may
 * be NULL) and the help overlay lists it under "-" with "(no key ...)".
 * keys_apply_config: the defaults, then every [keys] line of cfg in order
 * (note cleared first); on failure the table is left part-way: stop.
 * keys_reset: back to the defaults (a new configuration, tests).
 */
struct config;
int keys_check_binding(const char *action, const char *keys, const char *where, int line,
		       struct err *e);
int keys_rebind(const char *action, const char *keys, const char *where, int line, char *note,
		size_t nnote, struct err *e);
int keys_apply_config(const struct config *cfg, char *note, size_t nnote, struct err *e);
void keys_reset(void);

/* The help text of an action. */
const char *keys_action_help(enum action a);

/*
 * Build the help entries for the given contexts (new array, *n entries; the
 * strings are owned by the array: free with keys_help_free).  Each context
 * gets a heading, each action one line listing every key bound to it.
 */
struct help_entry *keys_help(const enum key_ctx *ctxs, size_t nctx, size_t *n);
void keys_help_free(struct help_entry *h, size_t n);

#endif
