/*
 * app_mouse.c - mouse events (K_MOUSE): a left click on a row moves the
 * cursor there, a click on the row under the cursor opens it (as Enter);
 * the wheel moves the cursor three rows; a click on a crumb of the title
 * bar ("Overview › payments › Logs") goes back to that screen.
 *
 * Clicks go through the same actions as the keys (app_handle_action), so
 * the screens' own rules - following the newest log line, loading older
 * pages, the detail's requests - hold for the mouse too.
 */
#include <string.h>

#include "app_internal.h"
#include "term.h"
#include "xalloc.h"

#define WHEEL_ROWS 3

/* Is the cell at x of row 0 a crumb separator ("›" or ">")? */
static bool
is_separator(const struct cell *cl)
{
	return strcmp(cl->ch, "\xe2\x80\xba") == 0 || strcmp(cl->ch, ">") == 0;
}

/*
 * The crumb clicked at column x of the title bar: 0 for "Overview", 1 for
 * the next, ...; *ncrumbs how many there are.  -1 when x is not on one.
 */
static int
crumb_at(const struct canvas *c, int x, int *ncrumbs)
{
	static const char overview[] = "Overview";
	int start = -1, i, k, end, at = -1;
	const struct cell *row = c->cells;

	for (i = 0; i + (int)sizeof overview - 1 <= c->w && start < 0; i++) {
		for (k = 0; k < (int)sizeof overview - 1; k++)
			if (row[i + k].ch[0] != overview[k] || row[i + k].ch[1] != '\0')
				break;
		if (k == (int)sizeof overview - 1)
			start = i;
	}
	if (start < 0)
		return -1;
	/* The crumbs end at two blanks in a row (the summary is right-aligned). */
	for (end = start; end + 1 < c->w; end++)
		if (strcmp(row[end].ch, " ") == 0 && strcmp(row[end + 1].ch, " ") == 0)
			break;
	*ncrumbs = 1;
	for (i = start; i < end; i++) {
		if (is_separator(&row[i])) {
			if (x == i)
				return -1;
			(*ncrumbs)++;
		} else if (i == x && strcmp(row[i].ch, " ") != 0) {
			at = *ncrumbs - 1;
		}
	}
	return at;
}

static void
click_title(struct app *a, int x)
{
	int n = 0, k = crumb_at(a->canvas, x, &n), pop;

	if (k < 0 || k >= n - 1)
		return; /* not on a crumb, or on the screen shown */
	pop = k == 0 ? a->depth - 1 : n - 1 - k;
	while (pop-- > 0 && a->depth > 1)
		app_pop_screen(a);
}

/* The row at y on the screen on top: its distance from the cursor, and what opens it. */
static bool
row_at(struct app *a, int y, long *delta, enum action *open)
{
	switch (app_top_screen(a)) {
	case SCREEN_OVERVIEW:
		*open = ACT_OPEN;
		return overview_row_at(a->overview, y, delta);
	case SCREEN_LOGS:
		*open = ACT_LOGS_OPEN;
		return a->logs != NULL && logs_row_at(a->logs, y, delta);
	case SCREEN_TRACES:
		*open = ACT_TRACE_OPEN;
		return a->traces != NULL && traces_screen_row_at(a->traces, y, delta);
	case SCREEN_ALERTS:
		*open = ACT_OPEN;
		return app_alerts_row_at(a, y, delta);
	default:
		return false;
	}
}

void
app_mouse(struct app *a)
{
	int x, y, button, i;
	long delta;
	enum action open;

	term_mouse(&x, &y, &button);
	if (button == TERM_MOUSE_WHEEL_UP || button == TERM_MOUSE_WHEEL_DOWN) {
		for (i = 0; i < WHEEL_ROWS; i++)
			app_handle_action(a, button == TERM_MOUSE_WHEEL_UP ? ACT_UP : ACT_DOWN);
		return;
	}
	if (button != TERM_MOUSE_LEFT)
		return;
	if (y == 0) {
		click_title(a, x);
		return;
	}
	if (!row_at(a, y, &delta, &open))
		return;
	if (delta == 0) {
		app_handle_action(a, open);
		return;
	}
	for (; delta > 0; delta--)
		app_handle_action(a, ACT_DOWN);
	for (; delta < 0; delta++)
		app_handle_action(a, ACT_UP);
}

void
app_mouse_help(struct app *a)
{
	static const struct help_entry on[] = {
		{ NULL, "Mouse" },
		{ "click", "a row: the cursor goes there (Overview, Logs, Traces, Alerts)" },
		{ "click again", "the row under the cursor: open it, as Enter" },
		{ "wheel", "move the cursor three rows" },
		{ "click title",
		  "a crumb of the title bar (Overview, a service): back to that screen" },
		{ "Shift+drag",
		  "selects text in most terminals (the mouse is off with --no-mouse)" },
	};
	static const struct help_entry off[] = {
		{ NULL, "Mouse" },
		{ "off", "--no-mouse or [general] mouse = off: the terminal keeps the mouse" },
	};
	const struct help_entry *add = a->o->mouse ? on : off;
	size_t i, n = a->o->mouse ? sizeof on / sizeof on[0] : sizeof off / sizeof off[0];

	if (a->o->wall)
		return;
	a->help = xrealloc(a->help, (a->nhelp + n) * sizeof *a->help);
	for (i = 0; i < n; i++) {
		a->help[a->nhelp].key = add[i].key != NULL ? xstrdup(add[i].key) : NULL;
		a->help[a->nhelp].text = xstrdup(add[i].text);
		a->nhelp++;
	}
}
