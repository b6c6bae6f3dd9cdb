/*
 * keys.c - the key table in force: lookups, key and action names, [keys]
 * remapping, and the help overlay's entries built from the table.
 */
#include "keys.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "config.h"
#include "keys_internal.h"
#include "xalloc.h"

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

/* The context names of [keys] "context.action". */
static const char *const ctx_names[CTX_COUNT] = {
	"global", "overview", "detail", "logs",  "input", "traces",
	"trace",  "topology", "alerts", "query", "wall",
};

#define ACTION_NAME_ITEM(name, help) #name,
static const char *const action_enum_names[] = { ACTION_LIST(ACTION_NAME_ITEM) };
#undef ACTION_NAME_ITEM

/*
 * The table in force: the defaults until [keys] changes it.  One table for
 * the process, like the terminal it reads keys from: it is set once at
 * start (keys_apply_config, before the first key is read) and read-only
 * after, so it is kept here rather than passed down through every screen.
 */
static struct binding *table;
static size_t ntable, table_cap;

static void
table_init(void)
{
	if (table != NULL)
		return;
	table_cap = keys_ndefaults + 32;
	table = xcalloc(table_cap, sizeof *table);
	memcpy(table, keys_defaults, keys_ndefaults * sizeof *keys_defaults);
	ntable = keys_ndefaults;
}

void
keys_reset(void)
{
	free(table);
	table = NULL;
	ntable = table_cap = 0;
}

enum action
keys_lookup(enum key_ctx ctx, int key)
{
	size_t i;

	table_init();
	for (i = 0; i < ntable; i++)
		if (table[i].ctx == ctx && table[i].key == key)
			return table[i].action;
	if (ctx != CTX_GLOBAL && ctx != CTX_INPUT)
		return keys_lookup(CTX_GLOBAL, key);
	return ACT_NONE;
}

/* Special keys by name; the first name of a key is the one keys_name prints. */
static const struct {
	int key;
	const char *name;
} key_names[] = {
	{ K_ESC, "Esc" },       { K_ENTER, "Enter" },         { '\r', "Enter" },
	{ K_TAB, "Tab" },       { K_BACKSPACE, "Backspace" }, { ' ', "Space" },
	{ K_UP, "Up" },         { K_DOWN, "Down" },           { K_LEFT, "Left" },
	{ K_RIGHT, "Right" },   { K_HOME, "Home" },           { K_END, "End" },
	{ K_PGUP, "PgUp" },     { K_PGDN, "PgDn" },           { K_DELETE, "Del" },
	{ K_INSERT, "Ins" },    { K_BTAB, "Shift-Tab" },      { K_ESC, "Escape" },
	{ K_DELETE, "Delete" }, { K_INSERT, "Insert" },       { K_PGUP, "PageUp" },
	{ K_PGDN, "PageDown" }, { K_ENTER, "Return" },        { ',', "Comma" },
};

const char *
keys_name(int key, char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (key_names[i].key == key && key != ',') {
			snprintf(buf, n, "%s", key_names[i].name);
			return buf;
		}
	if (key >= K_F1 && key <= K_F10)
		snprintf(buf, n, "F%d", key - K_F1 + 1);
	else if (key > 0 && key < 32)
		snprintf(buf, n, "Ctrl-%c", key + 'A' - 1);
	else if (key >= 32 && key < 127)
		snprintf(buf, n, "%c", key);
	else if (key >= 0xA0 && key < 0x800)
		snprintf(buf, n, "%c%c", 0xC0 | (key >> 6), 0x80 | (key & 0x3F));
	else if (key >= 0x800 && key < 0x10000)
		snprintf(buf, n, "%c%c%c", 0xE0 | (key >> 12), 0x80 | ((key >> 6) & 0x3F),
			 0x80 | (key & 0x3F));
	else if (key >= 0x10000 && key < K_SPECIAL)
		snprintf(buf, n, "%c%c%c%c", 0xF0 | (key >> 18), 0x80 | ((key >> 12) & 0x3F),
			 0x80 | ((key >> 6) & 0x3F), 0x80 | (key & 0x3F));
	else
		snprintf(buf, n, "U+%04X", (unsigned)key);
	return buf;
}

/* One UTF-8 character making up all of s: its codepoint, else -1. */
static int
single_codepoint(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	int cp, len, i;

	if (u[0] < 0x80)
		return u[0] != '\0' && u[1] == '\0' ? u[0] : -1;
	if ((u[0] & 0xE0) == 0xC0)
		cp = u[0] & 0x1F, len = 2;
	else if ((u[0] & 0xF0) == 0xE0)
		cp = u[0] & 0x0F, len = 3;
	else if ((u[0] & 0xF8) == 0xF0)
		cp = u[0] & 0x07, len = 4;
	else
		return -1;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (u[i] & 0x3F);
	}
	if (u[len] != '\0' || cp < 0xA0 || cp >= 0x110000 || (cp >= 0xD800 && cp < 0xE000))
		return -1;
	return cp;
}

int
keys_parse_key(const char *name, int *key)
{
	size_t i;
	int cp;

	if (name == NULL || *name == '\0')
		return -1;
	cp = single_codepoint(name);
	if (cp >= 32 && cp != 127) {
		*key = cp;
		return 0;
	}
	for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (strcasecmp(name, key_names[i].name) == 0) {
			*key = key_names[i].key;
			return 0;
		}
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
		int f = atoi(name + 1);

		if (f >= 1 && f <= 10 && strspn(name + 1, "0123456789") == strlen(name + 1)) {
			*key = K_F1 + f - 1;
			return 0;
		}
		return -1;
	}
	{
		const char *c = NULL;

		if (strncasecmp(name, "Ctrl-", 5) == 0 || strncasecmp(name, "Ctrl+", 5) == 0)
			c = name + 5;
		else if (strncasecmp(name, "C-", 2) == 0 || name[0] == '^')
			c = name + (name[0] == '^' ? 1 : 2);
		if (c != NULL && c[0] != '\0' && c[1] == '\0' &&
		    ((c[0] >= 'a' && c[0] <= 'z') || (c[0] >= 'A' && c[0] <= 'Z'))) {
			*key = CTRL_KEY(c[0]);
			if (*key == CTRL_KEY('h'))
				*key = K_BACKSPACE; /* the terminal reads Ctrl-H as Backspace */
			else if (*key == CTRL_KEY('m'))
				*key = K_ENTER; /* and Ctrl-M as Enter */
			return 0;
		}
	}
	return -1;
}

const char *
keys_action_name(enum action a, char *buf, size_t n)
{
	const char *s;
	size_t i;

	if ((int)a <= 0 || a >= ACTION_COUNT) {
		snprintf(buf, n, "%s", "");
		return buf;
	}
	s = action_enum_names[a] + 4; /* without "ACT_" */
	for (i = 0; s[i] != '\0' && i + 1 < n; i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	if (n > 0)
		buf[i] = '\0';
	return buf;
}

/* The action named name ("scale", "logs_all"), or ACT_NONE. */
static enum action
action_by_name(const char *name)
{
	char buf[64];
	int a;

	for (a = 1; a < ACTION_COUNT; a++)
		if (strcasecmp(keys_action_name((enum action)a, buf, sizeof buf), name) == 0)
			return (enum action)a;
	return ACT_NONE;
}

static bool
bound_in(const struct binding *t, size_t n, enum key_ctx ctx, enum action act)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].ctx == ctx && t[i].action == act)
			return true;
	return false;
}

/* Does ctx fall back to CTX_GLOBAL (so a global action works there)? */
static bool
has_global(enum key_ctx ctx)
{
	return ctx != CTX_GLOBAL && ctx != CTX_INPUT;
}

#define VALID_ACTIONS                                                                       \
	"an action as the man page's KEYS section names it, in lowercase (scale, restart, " \
	"logs_all, input_complete), or context.action (overview.scale; contexts: global, "  \
	"overview, detail, logs, input, traces, trace, topology, alerts, query, wall)"
#define VALID_KEYS                                                                         \
	"a character (x, G, /), Space, Comma, Enter, Tab, Shift-Tab, Esc, Backspace, Up, " \
	"Down, Left, Right, Home, End, PgUp, PgDn, Del, Ins, F1..F10 or Ctrl-A..Ctrl-Z, "  \
	"separated by commas"

/*
 * Parse "action" or "context.action" into the contexts it applies to
 * (ctxs[c] true) and the action.  Without a context: every context the
 * action has by default.
 */
static int
parse_action(const char *name, bool ctxs[CTX_COUNT], enum action *act, const char *where, int line,
	     struct err *e)
{
	const char *dot = strchr(name, '.'), *an = dot != NULL ? dot + 1 : name;
	int c, found = -1;

	memset(ctxs, 0, CTX_COUNT * sizeof ctxs[0]);
	*act = action_by_name(an);
	if (*act == ACT_NONE)
		return err_set(e, ERR_CONFIG, "%s:%d: [keys] unknown action '%s' (use %s)", where,
			       line, name, VALID_ACTIONS);
	if (dot != NULL) {
		for (c = 0; c < CTX_COUNT; c++)
			if (strlen(ctx_names[c]) == (size_t)(dot - name) &&
			    strncasecmp(ctx_names[c], name, (size_t)(dot - name)) == 0)
				found = c;
		if (found < 0)
			return err_set(e, ERR_CONFIG,
				       "%s:%d: [keys] unknown context in '%s' (use %s)", where,
				       line, name, VALID_ACTIONS);
		if (!bound_in(keys_defaults, keys_ndefaults, (enum key_ctx)found, *act) &&
		    !(has_global((enum key_ctx)found) &&
		      bound_in(keys_defaults, keys_ndefaults, CTX_GLOBAL, *act)))
			return err_set(
				e, ERR_CONFIG,
				"%s:%d: [keys] '%s': the %s context has no %s action (bind it "
				"where it has a key by default: see the help overlay, ?)",
				where, line, name, ctx_names[found], an);
		ctxs[found] = true;
		return 0;
	}
	for (c = 0; c < CTX_COUNT; c++)
		if (bound_in(keys_defaults, keys_ndefaults, (enum key_ctx)c, *act))
			ctxs[c] = true, found = c;
	if (found < 0)
		return err_set(e, ERR_CONFIG, "%s:%d: [keys] '%s' has no key in any context", where,
			       line, name);
	return 0;
}

/* Parse "k1, k2" into keys (Enter adds its twin '\r'); *n keys. */
static int
parse_keys(const char *list, const char *action, int *keys, size_t max, size_t *n,
	   const char *where, int line, struct err *e)
{
	char word[64];
	const char *p = list;

	*n = 0;
	while (*p != '\0') {
		size_t len;
		int k;

		while (*p == ' ' || *p == '\t')
			p++;
		/* A lone "," is the comma key only when it is the whole list. */
		len = strcspn(p, ",");
		if (len == 0 && strcmp(list, ",") == 0)
			len = 1;
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0 || len >= sizeof word)
			return err_set(
				e, ERR_CONFIG,
				"%s:%d: [keys] %s: an empty or overlong key name in '%s' (keys: "
				"%s)",
				where, line, action, list, VALID_KEYS);
		memcpy(word, p, len);
		word[len] = '\0';
		if (keys_parse_key(word, &k) < 0)
			return err_set(e, ERR_CONFIG,
				       "%s:%d: [keys] %s: unknown key '%s' (keys: %s)", where, line,
				       action, word, VALID_KEYS);
		if (*n + 2 > max)
			return err_set(e, ERR_CONFIG, "%s:%d: [keys] %s: more than %zu keys", where,
				       line, action, max / 2);
		keys[(*n)++] = k;
		if (k == K_ENTER)
			keys[(*n)++] = '\r';
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
		else if (strcmp(list, ",") == 0)
			break;
	}
	if (*n == 0)
		return err_set(e, ERR_CONFIG, "%s:%d: [keys] %s: no key given (keys: %s)", where,
			       line, action, VALID_KEYS);
	return 0;
}

int
keys_check_binding(const char *action, const char *keys, const char *where, int line, struct err *e)
{
	bool ctxs[CTX_COUNT];
	enum action act;
	int k[32];
	size_t n;

	if (parse_action(action, ctxs, &act, where, line, e) < 0)
		return -1;
	return parse_keys(keys, action, k, sizeof k / sizeof k[0], &n, where, line, e);
}

static void
table_remove(size_t i)
{
	memmove(&table[i], &table[i + 1], (ntable - i - 1) * sizeof *table);
	ntable--;
}

static void
table_insert(size_t at, struct binding b)
{
	if (ntable == table_cap) {
		table_cap *= 2;
		table = xrealloc(table, table_cap * sizeof *table);
	}
	memmove(&table[at + 1], &table[at], (ntable - at) * sizeof *table);
	table[at] = b;
	ntable++;
}

/* Bind keys to act in ctx: its old keys go, the keys' other actions in ctx lose them. */
static void
rebind_ctx(enum key_ctx ctx, enum action act, const int *keys, size_t nkeys)
{
	size_t i, j, at = ntable, last = ntable;

	for (i = 0; i < ntable; i++)
		if (table[i].ctx == ctx) {
			if (table[i].action == act && at == ntable)
				at = i;
			last = i + 1;
		}
	if (at == ntable)
		at = last; /* first binding in ctx: after the context's others */
	for (i = ntable; i-- > 0;) {
		bool drop = false;

		if (table[i].ctx == ctx && table[i].action == act)
			drop = true;
		for (j = 0; j < nkeys && !drop; j++)
			if (table[i].key == keys[j] &&
			    (table[i].ctx == ctx ||
			     (ctx == CTX_GLOBAL && has_global(table[i].ctx))))
				drop = true; /* taken over (a global key also in each screen) */
		if (drop) {
			table_remove(i);
			if (i < at)
				at--;
		}
	}
	for (j = 0; j < nkeys; j++)
		table_insert(at + j, (struct binding){ ctx, keys[j], act });
}

int
keys_rebind(const char *action, const char *keys, const char *where, int line, char *note,
	    size_t nnote, struct err *e)
{
	bool ctxs[CTX_COUNT], before[CTX_COUNT][ACTION_COUNT];
	enum action act;
	int k[32];
	size_t n, i;
	int c, a;

	if (parse_action(action, ctxs, &act, where, line, e) < 0 ||
	    parse_keys(keys, action, k, sizeof k / sizeof k[0], &n, where, line, e) < 0)
		return -1;
	table_init();
	memset(before, 0, sizeof before);
	for (i = 0; i < ntable; i++)
		before[table[i].ctx][table[i].action] = true;
	for (c = 0; c < CTX_COUNT; c++) {
		if (ctxs[c])
			rebind_ctx((enum key_ctx)c, act, k, n);
	}
	/* Taking a key over must not make an action unreachable silently. */
	for (c = 0; c < CTX_COUNT; c++)
		for (a = 1; a < ACTION_COUNT; a++) {
			char an[64];
			size_t used;

			if (!before[c][a] ||
			    bound_in(table, ntable, (enum key_ctx)c, (enum action)a))
				continue;
			if (note == NULL || nnote == 0)
				continue;
			used = strlen(note);
			if (used + 1 >= nnote)
				continue;
			snprintf(
				note + used, nnote - used,
				"%s%s:%d: [keys] %s = %s takes the last key of %s%s%s (no key now; "
				"bind it with %s = KEY)",
				used > 0 ? "; " : "", where, line, action, keys,
				keys_action_name((enum action)a, an, sizeof an),
				c == CTX_GLOBAL ? "" : " on ", c == CTX_GLOBAL ? "" : ctx_titles[c],
				keys_action_name((enum action)a, an, sizeof an));
		}
	return 0;
}

int
keys_apply_config(const struct config *cfg, char *note, size_t nnote, struct err *e)
{
	size_t i, n = config_keymap_count(cfg);

	if (note != NULL && nnote > 0)
		note[0] = '\0';
	keys_reset(); /* from the defaults: a console started anew (:env) has a new [keys] */
	for (i = 0; i < n; i++) {
		const char *action, *keys, *where;
		int line;

		config_keymap_at(cfg, i, &action, &keys, &where, &line);
		if (keys_rebind(action, keys, where, line, note, nnote, e) < 0)
			return -1;
	}
	return 0;
}

const char *
keys_action_help(enum action a)
{
	if ((int)a < 0 || a >= ACTION_COUNT)
		return "";
	return action_help[a];
}

/* The keys bound to action in ctx, " / " between them: new string. */
static char *
keys_label(enum key_ctx ctx, enum action act)
{
	struct buf label;
	size_t j;

	buf_init(&label);
	for (j = 0; j < ntable; j++) {
		char name[32];

		if (table[j].ctx != ctx || table[j].action != act)
			continue;
		keys_name(table[j].key, name, sizeof name);
		if (label.len > 0 && strcmp(name, "Enter") == 0 && strstr(label.data, "Enter"))
			continue; /* Enter and CR share a name */
		if (label.len > 0)
			buf_puts(&label, " / ");
		buf_puts(&label, name);
	}
	{
		char *s = buf_steal(&label);

		buf_done(&label);
		return s;
	}
}

size_t
keys_for(enum key_ctx ctx, enum action act, int *keys, size_t max)
{
	size_t i, n = 0;

	table_init();
	for (i = 0; i < ntable; i++)
		if (table[i].ctx == ctx && table[i].action == act) {
			if (n < max)
				keys[n] = table[i].key;
			n++;
		}
	return n;
}

struct help_entry *
keys_help(const enum key_ctx *ctxs, size_t nctx, size_t *n)
{
	struct help_entry *h;
	size_t c, i, j, count = 0;

	table_init();
	h = xcalloc(ntable + keys_ndefaults + nctx + 1, sizeof *h);
	for (c = 0; c < nctx; c++) {
		h[count].key = NULL;
		h[count].text = xstrdup(ctx_titles[ctxs[c]]);
		count++;
		for (i = 0; i < ntable; i++) {
			bool seen = false;

			if (table[i].ctx != ctxs[c])
				continue;
			/* One line per action: skip if an earlier binding had it. */
			for (j = 0; j < i; j++)
				if (table[j].ctx == ctxs[c] && table[j].action == table[i].action)
					seen = true;
			if (seen)
				continue;
			h[count].key = keys_label(ctxs[c], table[i].action);
			h[count].text = xstrdup(action_help[table[i].action]);
			count++;
		}
		/* An action [keys] left without a key says so rather than vanish. */
		for (i = 0; i < keys_ndefaults; i++) {
			struct buf t;
			bool seen = false;

			if (keys_defaults[i].ctx != ctxs[c] ||
			    bound_in(table, ntable, ctxs[c], keys_defaults[i].action))
				continue;
			for (j = 0; j < i; j++)
				if (keys_defaults[j].ctx == ctxs[c] &&
				    keys_defaults[j].action == keys_defaults[i].action)
					seen = true;
			if (seen)
				continue;
			buf_init(&t);
			buf_printf(&t, "%s (no key: see [keys])",
				   action_help[keys_defaults[i].action]);
			h[count].key = xstrdup("-");
			h[count].text = buf_steal(&t);
			buf_done(&t);
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
