#include "keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

struct binding {
	enum key_ctx ctx;
	int key;
	enum action action;
};

/* The one key table.  Order within a context is the order shown in help. */
static const struct binding bindings[] = {
	{ CTX_GLOBAL, '?', ACT_HELP },
	{ CTX_GLOBAL, K_F1, ACT_HELP },
	{ CTX_GLOBAL, 'q', ACT_BACK },
	{ CTX_GLOBAL, K_ESC, ACT_BACK },
	{ CTX_GLOBAL, 'Q', ACT_QUIT },
	{ CTX_GLOBAL, K_F10, ACT_QUIT },
	{ CTX_GLOBAL, CTRL_KEY('l'), ACT_REDRAW },
	{ CTX_GLOBAL, 'r', ACT_REFRESH },
	{ CTX_GLOBAL, CTRL_KEY('r'), ACT_REFRESH },
	{ CTX_GLOBAL, K_F5, ACT_REFRESH },

	{ CTX_OVERVIEW, 'k', ACT_UP },
	{ CTX_OVERVIEW, K_UP, ACT_UP },
	{ CTX_OVERVIEW, 'j', ACT_DOWN },
	{ CTX_OVERVIEW, K_DOWN, ACT_DOWN },
	{ CTX_OVERVIEW, K_PGUP, ACT_PGUP },
	{ CTX_OVERVIEW, CTRL_KEY('b'), ACT_PGUP },
	{ CTX_OVERVIEW, K_PGDN, ACT_PGDN },
	{ CTX_OVERVIEW, CTRL_KEY('f'), ACT_PGDN },
	{ CTX_OVERVIEW, ' ', ACT_PGDN },
	{ CTX_OVERVIEW, 'g', ACT_TOP },
	{ CTX_OVERVIEW, K_HOME, ACT_TOP },
	{ CTX_OVERVIEW, 'G', ACT_BOTTOM },
	{ CTX_OVERVIEW, K_END, ACT_BOTTOM },
	{ CTX_OVERVIEW, '/', ACT_FILTER },
	{ CTX_OVERVIEW, K_F3, ACT_FILTER },
	{ CTX_OVERVIEW, '\\', ACT_CLEAR_FILTER },
	{ CTX_OVERVIEW, '<', ACT_SORT_PREV },
	{ CTX_OVERVIEW, '>', ACT_SORT_NEXT },
	{ CTX_OVERVIEW, K_F6, ACT_SORT_NEXT },
	{ CTX_OVERVIEW, 'I', ACT_SORT_INVERT },
	{ CTX_OVERVIEW, 'S', ACT_SCALE },
	{ CTX_OVERVIEW, 'R', ACT_RESTART },
	{ CTX_OVERVIEW, 'B', ACT_ROLLBACK },
	{ CTX_OVERVIEW, ':', ACT_COMMAND },
	{ CTX_OVERVIEW, K_ENTER, ACT_OPEN },
	{ CTX_OVERVIEW, '\r', ACT_OPEN },
	{ CTX_OVERVIEW, 'l', ACT_LOGS },
	{ CTX_OVERVIEW, 'L', ACT_LOGS_ALL },
	{ CTX_OVERVIEW, 'a', ACT_ALERTS },
	{ CTX_OVERVIEW, 'p', ACT_QUERY },
	{ CTX_OVERVIEW, 't', ACT_TRACES },
	{ CTX_OVERVIEW, 'T', ACT_TOPOLOGY },

	{ CTX_DETAIL, 'k', ACT_UP },
	{ CTX_DETAIL, K_UP, ACT_UP },
	{ CTX_DETAIL, 'j', ACT_DOWN },
	{ CTX_DETAIL, K_DOWN, ACT_DOWN },
	{ CTX_DETAIL, K_PGUP, ACT_PGUP },
	{ CTX_DETAIL, K_PGDN, ACT_PGDN },
	{ CTX_DETAIL, 'g', ACT_TOP },
	{ CTX_DETAIL, K_HOME, ACT_TOP },
	{ CTX_DETAIL, 'G', ACT_BOTTOM },
	{ CTX_DETAIL, K_END, ACT_BOTTOM },
	{ CTX_DETAIL, '+', ACT_RANGE_WIDER },
	{ CTX_DETAIL, '=', ACT_RANGE_WIDER },
	{ CTX_DETAIL, '-', ACT_RANGE_NARROWER },
	{ CTX_DETAIL, 'S', ACT_SCALE },
	{ CTX_DETAIL, 'R', ACT_RESTART },
	{ CTX_DETAIL, 'B', ACT_ROLLBACK },
	{ CTX_DETAIL, ':', ACT_COMMAND },
	{ CTX_DETAIL, 'l', ACT_LOGS },
	{ CTX_DETAIL, 't', ACT_TRACES },
	{ CTX_DETAIL, 'T', ACT_TOPOLOGY },
	{ CTX_DETAIL, K_LEFT, ACT_MINUTE_PREV },
	{ CTX_DETAIL, '[', ACT_MINUTE_PREV },
	{ CTX_DETAIL, K_RIGHT, ACT_MINUTE_NEXT },
	{ CTX_DETAIL, ']', ACT_MINUTE_NEXT },

	{ CTX_LOGS, 'k', ACT_UP },
	{ CTX_LOGS, K_UP, ACT_UP },
	{ CTX_LOGS, 'j', ACT_DOWN },
	{ CTX_LOGS, K_DOWN, ACT_DOWN },
	{ CTX_LOGS, K_PGUP, ACT_PGUP },
	{ CTX_LOGS, CTRL_KEY('b'), ACT_PGUP },
	{ CTX_LOGS, K_PGDN, ACT_PGDN },
	{ CTX_LOGS, CTRL_KEY('f'), ACT_PGDN },
	{ CTX_LOGS, ' ', ACT_PGDN },
	{ CTX_LOGS, 'g', ACT_LOGS_NEWEST },
	{ CTX_LOGS, K_HOME, ACT_LOGS_NEWEST },
	{ CTX_LOGS, 'G', ACT_LOGS_OLDEST },
	{ CTX_LOGS, K_END, ACT_LOGS_OLDEST },
	{ CTX_LOGS, K_ENTER, ACT_LOGS_OPEN },
	{ CTX_LOGS, '\r', ACT_LOGS_OPEN },
	{ CTX_LOGS, 'F', ACT_LOGS_FOLLOW },
	{ CTX_LOGS, 'e', ACT_LOGS_QUERY },
	{ CTX_LOGS, '/', ACT_LOGS_FILTER },
	{ CTX_LOGS, K_F3, ACT_LOGS_FILTER },
	{ CTX_LOGS, '\\', ACT_CLEAR_FILTER },
	{ CTX_LOGS, '+', ACT_LOGS_WIDER },
	{ CTX_LOGS, '=', ACT_LOGS_WIDER },
	{ CTX_LOGS, '-', ACT_LOGS_NARROWER },
	{ CTX_LOGS, ':', ACT_LOGS_COMMAND },

	{ CTX_TRACES, 'k', ACT_UP },
	{ CTX_TRACES, K_UP, ACT_UP },
	{ CTX_TRACES, 'j', ACT_DOWN },
	{ CTX_TRACES, K_DOWN, ACT_DOWN },
	{ CTX_TRACES, K_PGUP, ACT_PGUP },
	{ CTX_TRACES, K_PGDN, ACT_PGDN },
	{ CTX_TRACES, 'g', ACT_TOP },
	{ CTX_TRACES, K_HOME, ACT_TOP },
	{ CTX_TRACES, 'G', ACT_BOTTOM },
	{ CTX_TRACES, K_END, ACT_BOTTOM },
	{ CTX_TRACES, K_ENTER, ACT_TRACE_OPEN },
	{ CTX_TRACES, '\r', ACT_TRACE_OPEN },
	{ CTX_TRACES, 'e', ACT_TRACES_QUERY },
	{ CTX_TRACES, '<', ACT_SORT_PREV },
	{ CTX_TRACES, '>', ACT_SORT_NEXT },
	{ CTX_TRACES, 'I', ACT_SORT_INVERT },
	{ CTX_TRACES, 'T', ACT_TOPOLOGY },
	{ CTX_TRACES, ':', ACT_COMMAND },

	{ CTX_TRACE, 'k', ACT_UP },
	{ CTX_TRACE, K_UP, ACT_UP },
	{ CTX_TRACE, 'j', ACT_DOWN },
	{ CTX_TRACE, K_DOWN, ACT_DOWN },
	{ CTX_TRACE, K_PGUP, ACT_PGUP },
	{ CTX_TRACE, K_PGDN, ACT_PGDN },
	{ CTX_TRACE, 'g', ACT_TOP },
	{ CTX_TRACE, K_HOME, ACT_TOP },
	{ CTX_TRACE, 'G', ACT_BOTTOM },
	{ CTX_TRACE, K_END, ACT_BOTTOM },
	{ CTX_TRACE, ' ', ACT_SPAN_COLLAPSE },
	{ CTX_TRACE, K_ENTER, ACT_SPAN_DETAIL },
	{ CTX_TRACE, '\r', ACT_SPAN_DETAIL },
	{ CTX_TRACE, 'c', ACT_CRITICAL_PATH },
	{ CTX_TRACE, 'l', ACT_SPAN_LOGS },
	{ CTX_TRACE, 'd', ACT_CRITICAL_SERVICE },
	{ CTX_TRACE, 'T', ACT_TOPOLOGY },
	{ CTX_TRACE, ':', ACT_COMMAND },

	{ CTX_TOPOLOGY, 'k', ACT_UP },
	{ CTX_TOPOLOGY, K_UP, ACT_UP },
	{ CTX_TOPOLOGY, 'j', ACT_DOWN },
	{ CTX_TOPOLOGY, K_DOWN, ACT_DOWN },
	{ CTX_TOPOLOGY, 'h', ACT_TOPO_LEFT },
	{ CTX_TOPOLOGY, K_LEFT, ACT_TOPO_LEFT },
	{ CTX_TOPOLOGY, 'l', ACT_TOPO_RIGHT },
	{ CTX_TOPOLOGY, K_RIGHT, ACT_TOPO_RIGHT },
	{ CTX_TOPOLOGY, K_ENTER, ACT_OPEN },
	{ CTX_TOPOLOGY, '\r', ACT_OPEN },
	{ CTX_TOPOLOGY, 't', ACT_TRACES },
	{ CTX_TOPOLOGY, '+', ACT_DEPS_WIDER },
	{ CTX_TOPOLOGY, '=', ACT_DEPS_WIDER },
	{ CTX_TOPOLOGY, '-', ACT_DEPS_NARROWER },
	{ CTX_TOPOLOGY, ':', ACT_COMMAND },

	{ CTX_ALERTS, 'k', ACT_UP },
	{ CTX_ALERTS, K_UP, ACT_UP },
	{ CTX_ALERTS, 'j', ACT_DOWN },
	{ CTX_ALERTS, K_DOWN, ACT_DOWN },
	{ CTX_ALERTS, K_PGUP, ACT_PGUP },
	{ CTX_ALERTS, K_PGDN, ACT_PGDN },
	{ CTX_ALERTS, 'g', ACT_TOP },
	{ CTX_ALERTS, K_HOME, ACT_TOP },
	{ CTX_ALERTS, 'G', ACT_BOTTOM },
	{ CTX_ALERTS, K_END, ACT_BOTTOM },
	{ CTX_ALERTS, '/', ACT_FILTER },
	{ CTX_ALERTS, 's', ACT_SILENCE },
	{ CTX_ALERTS, K_ENTER, ACT_OPEN },
	{ CTX_ALERTS, '\r', ACT_OPEN },
	{ CTX_ALERTS, 'l', ACT_LOGS },
	{ CTX_ALERTS, 't', ACT_TRACES },
	{ CTX_ALERTS, ':', ACT_COMMAND },

	{ CTX_QUERY, 'k', ACT_UP },
	{ CTX_QUERY, K_UP, ACT_UP },
	{ CTX_QUERY, 'j', ACT_DOWN },
	{ CTX_QUERY, K_DOWN, ACT_DOWN },
	{ CTX_QUERY, K_PGUP, ACT_PGUP },
	{ CTX_QUERY, K_PGDN, ACT_PGDN },
	{ CTX_QUERY, 'e', ACT_QUERY_EDIT },
	{ CTX_QUERY, K_ENTER, ACT_QUERY_EDIT },
	{ CTX_QUERY, '\r', ACT_QUERY_EDIT },
	{ CTX_QUERY, K_TAB, ACT_QUERY_MODE },
	{ CTX_QUERY, '+', ACT_RANGE_WIDER },
	{ CTX_QUERY, '=', ACT_RANGE_WIDER },
	{ CTX_QUERY, '-', ACT_RANGE_NARROWER },
	{ CTX_QUERY, ':', ACT_COMMAND },

	{ CTX_WALL, 'n', ACT_WALL_NEXT },
	{ CTX_WALL, K_RIGHT, ACT_WALL_NEXT },
	{ CTX_WALL, ' ', ACT_WALL_NEXT },
	{ CTX_WALL, 'p', ACT_WALL_PREV },
	{ CTX_WALL, K_LEFT, ACT_WALL_PREV },
	{ CTX_WALL, 'P', ACT_WALL_PAUSE },
	{ CTX_WALL, 'r', ACT_REFRESH },
	{ CTX_WALL, CTRL_KEY('l'), ACT_REDRAW },
	{ CTX_WALL, '?', ACT_HELP },
	{ CTX_WALL, 'q', ACT_QUIT },
	{ CTX_WALL, 'Q', ACT_QUIT },

	{ CTX_INPUT, K_TAB, ACT_INPUT_COMPLETE },
	{ CTX_INPUT, K_ENTER, ACT_INPUT_ACCEPT },
	{ CTX_INPUT, '\r', ACT_INPUT_ACCEPT },
	{ CTX_INPUT, K_ESC, ACT_INPUT_CANCEL },
	{ CTX_INPUT, CTRL_KEY('g'), ACT_INPUT_CANCEL },
	{ CTX_INPUT, K_LEFT, ACT_INPUT_LEFT },
	{ CTX_INPUT, CTRL_KEY('b'), ACT_INPUT_LEFT },
	{ CTX_INPUT, K_RIGHT, ACT_INPUT_RIGHT },
	{ CTX_INPUT, CTRL_KEY('f'), ACT_INPUT_RIGHT },
	{ CTX_INPUT, K_HOME, ACT_INPUT_HOME },
	{ CTX_INPUT, CTRL_KEY('a'), ACT_INPUT_HOME },
	{ CTX_INPUT, K_END, ACT_INPUT_END },
	{ CTX_INPUT, CTRL_KEY('e'), ACT_INPUT_END },
	{ CTX_INPUT, K_BACKSPACE, ACT_INPUT_BACKSPACE },
	{ CTX_INPUT, CTRL_KEY('h'), ACT_INPUT_BACKSPACE },
	{ CTX_INPUT, K_DELETE, ACT_INPUT_DELETE },
	{ CTX_INPUT, CTRL_KEY('d'), ACT_INPUT_DELETE },
	{ CTX_INPUT, CTRL_KEY('w'), ACT_INPUT_KILL_WORD },
	{ CTX_INPUT, CTRL_KEY('u'), ACT_INPUT_KILL_LINE },
	{ CTX_INPUT, K_UP, ACT_INPUT_HISTORY_PREV },
	{ CTX_INPUT, K_DOWN, ACT_INPUT_HISTORY_NEXT },
};

#define NBINDINGS (sizeof bindings / sizeof bindings[0])

#define ACTION_HELP_ITEM(name, help) help,
static const char *const action_help[] = { ACTION_LIST(ACTION_HELP_ITEM) };
#undef ACTION_HELP_ITEM

static const char *const ctx_titles[CTX_COUNT] = {
	"Everywhere",
	"Overview",
	"Service detail",
	"Logs (newest first)",
	"Text input (filter, query, command)",
	"Traces (Zipkin search)",
	"Trace waterfall",
	"Topology (dependencies)",
	"Alerts",
	"Query (PromQL)",
	"Wall monitor (read-only)",
};

enum action
keys_lookup(enum key_ctx ctx, int key)
{
	size_t i;

	for (i = 0; i < NBINDINGS; i++)
		if (bindings[i].ctx == ctx && bindings[i].key == key)
			return bindings[i].action;
	if (ctx != CTX_GLOBAL && ctx != CTX_INPUT)
		return keys_lookup(CTX_GLOBAL, key);
	return ACT_NONE;
}

const char *
keys_name(int key, char *buf, size_t n)
{
	static const struct {
		int key;
		const char *name;
	} names[] = {
		{ K_ESC, "Esc" },     { K_ENTER, "Enter" },         { '\r', "Enter" },
		{ K_TAB, "Tab" },     { K_BACKSPACE, "Backspace" }, { ' ', "Space" },
		{ K_UP, "Up" },       { K_DOWN, "Down" },           { K_LEFT, "Left" },
		{ K_RIGHT, "Right" }, { K_HOME, "Home" },           { K_END, "End" },
		{ K_PGUP, "PgUp" },   { K_PGDN, "PgDn" },           { K_DELETE, "Del" },
		{ K_INSERT, "Ins" },  { K_BTAB, "Shift-Tab" },
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].key == key) {
			snprintf(buf, n, "%s", names[i].name);
			return buf;
		}
	if (key >= K_F1 && key <= K_F10)
		snprintf(buf, n, "F%d", key - K_F1 + 1);
	else if (key > 0 && key < 32)
		snprintf(buf, n, "Ctrl-%c", key + 'A' - 1);
	else if (key >= 32 && key < 127)
		snprintf(buf, n, "%c", key);
	else
		snprintf(buf, n, "U+%04X", (unsigned)key);
	return buf;
}

const char *
keys_action_help(enum action a)
{
	if ((int)a < 0 || a >= ACTION_COUNT)
		return "";
	return action_help[a];
}

struct help_entry *
keys_help(const enum key_ctx *ctxs, size_t nctx, size_t *n)
{
	struct help_entry *h = xcalloc(NBINDINGS + nctx + 1, sizeof *h);
	size_t c, i, j, count = 0;

	for (c = 0; c < nctx; c++) {
		h[count].key = NULL;
		h[count].text = xstrdup(ctx_titles[ctxs[c]]);
		count++;
		for (i = 0; i < NBINDINGS; i++) {
			struct buf label;
			int seen = 0;

			if (bindings[i].ctx != ctxs[c])
				continue;
			/* One line per action: skip if an earlier binding had it. */
			for (j = 0; j < i; j++)
				if (bindings[j].ctx == ctxs[c] &&
				    bindings[j].action == bindings[i].action)
					seen = 1;
			if (seen)
				continue;
			buf_init(&label);
			for (j = i; j < NBINDINGS; j++) {
				char name[32];

				if (bindings[j].ctx != ctxs[c] ||
				    bindings[j].action != bindings[i].action)
					continue;
				keys_name(bindings[j].key, name, sizeof name);
				if (strstr(label.data, name) != NULL)
					continue; /* Enter and CR share a name */
				if (label.len > 0)
					buf_puts(&label, " / ");
				buf_puts(&label, name);
			}
			h[count].key = buf_steal(&label);
			buf_done(&label);
			h[count].text = xstrdup(action_help[bindings[i].action]);
			count++;
		}
	}
	*n = count;
	return h;
}

void
keys_help_free(struct help_entry *h, size_t n)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < n; i++) {
		free((char *)h[i].key);
		free((char *)h[i].text);
	}
	free(h);
}
