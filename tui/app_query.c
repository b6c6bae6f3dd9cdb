/*
 * app_query.c - the Query screen in the console: p on the Overview or
 * ":query EXPR" opens it; e or Enter edits the expression (EDIT_PROMQL,
 * Up/Down recall from its own history file next to the logs' one); Tab
 * switches instant and range; + and - step the range (15m, 1h, 6h, 24h,
 * 7d); j/k move the table's cursor.  The expression is asked again every
 * refresh while the screen is on top, and never once it is closed.
 */
#include "app_internal.h"

#include <stdlib.h>
#include <string.h>

#include "query_poll.h"
#include "screens/query.h"
#include "xalloc.h"

static const double ranges[] = { 900, 3600, 6 * 3600, 86400, 7 * 86400 };
static const char *const range_names[] = { "15m", "1h", "6h", "24h", "7d" };
#define NRANGES (sizeof ranges / sizeof ranges[0])
#define DEFAULT_RANGE 1 /* 1h */

struct app_query {
	struct query_poll *poll;
	struct query_screen *screen;
	struct logs_history *history; /* the expressions run, in their own file */
	enum query_mode mode;
	size_t range; /* index in ranges */
	char title[64];
	char summary[128];
};

/* The history file: "query_history" beside the logs' "history". */
static char *
history_path(void)
{
	char *p = logs_history_default_path(), *slash, *q;

	if (p == NULL)
		return NULL;
	slash = strrchr(p, '/');
	if (slash == NULL) {
		free(p);
		return NULL;
	}
	*slash = '\0';
	q = xasprintf("%s/query_history", p);
	free(p);
	return q;
}

void
app_query_start(struct app *a)
{
	const struct setup *s = a->o->setup;
	struct app_query *q = xcalloc(1, sizeof *q);
	char *hp = history_path();

	q->poll = query_poll_new(a->http, &s->poll.prom_ep, s->poll.prometheus, s->poll.refresh_ms);
	q->screen = query_screen_new();
	q->history = logs_history_new(hp);
	q->range = DEFAULT_RANGE;
	free(hp);
	a->query = q;
}

void
app_query_stop(struct app *a)
{
	struct app_query *q = a->query;

	if (q == NULL)
		return;
	query_poll_free(q->poll); /* before http_free: a request in flight is then cancelled */
	query_screen_free(q->screen);
	logs_history_free(q->history);
	free(q);
	a->query = NULL;
}

static bool
on_top(const struct app *a)
{
	return a->query != NULL && app_top_screen(a) == SCREEN_QUERY;
}

static const char *
current_expr(const struct app_query *q)
{
	return query_poll_data(q->poll)->expr;
}

/* Ask for expr (NULL: the current one) in the current mode and range. */
static void
apply(struct app_query *q, const char *expr)
{
	query_poll_set(q->poll, expr != NULL ? expr : current_expr(q), q->mode, ranges[q->range]);
}

static void
start_editing(struct app *a)
{
	struct app_query *q = a->query;

	a->edit = EDIT_PROMQL;
	input_set(&a->input, current_expr(q));
	logs_history_reset(q->history);
	a->message[0] = '\0';
}

/* Run expr: into the history, asked now, the cursor on the first row. */
static void
run(struct app *a, const char *expr)
{
	struct app_query *q = a->query;
	struct err e;

	if (logs_history_add(q->history, expr, &e) < 0)
		app_show_error(a, e.msg);
	query_screen_reset(q->screen);
	apply(q, expr);
	query_poll_refresh_now(q->poll);
}

void
app_query_open(struct app *a, const char *expr)
{
	struct app_query *q = a->query;

	if (q == NULL)
		return;
	app_push_screen(a, SCREEN_QUERY);
	if (a->canvas != NULL)
		query_poll_set_points(q->poll, (a->canvas->w - 9) * (a->ascii ? 1 : 2));
	query_poll_open(q->poll);
	if (expr != NULL && expr[0] != '\0')
		run(a, expr);
	else if (current_expr(q)[0] == '\0' && query_poll_data(q->poll)->configured)
		start_editing(a);
}

bool
app_query_key(struct app *a, enum action act)
{
	struct app_query *q = a->query;
	char msg[64];

	if (!on_top(a))
		return false;
	switch (act) {
	case ACT_QUERY_EDIT:
		if (!query_poll_data(q->poll)->configured) {
			app_show_error(a, "no Prometheus is configured: set [prometheus] url or "
					  "start with --prometheus URL");
			return true;
		}
		start_editing(a);
		return true;
	case ACT_QUERY_MODE:
		q->mode = q->mode == QUERY_INSTANT ? QUERY_RANGE : QUERY_INSTANT;
		query_screen_reset(q->screen);
		apply(q, NULL);
		return true;
	case ACT_RANGE_WIDER:
	case ACT_RANGE_NARROWER:
		if (act == ACT_RANGE_WIDER ? q->range + 1 >= NRANGES : q->range == 0) {
			app_set_message(a, ROLE_DIM, "%s",
					act == ACT_RANGE_WIDER
						? "already the widest range (7d)"
						: "already the narrowest range (15m)");
			return true;
		}
		q->range = act == ACT_RANGE_WIDER ? q->range + 1 : q->range - 1;
		apply(q, NULL);
		snprintf(msg, sizeof msg, "range %s%s", range_names[q->range],
			 q->mode == QUERY_INSTANT ? " (Tab shows it)" : "");
		app_set_message(a, ROLE_DIM, "%s", msg);
		return true;
	case ACT_REFRESH:
		query_poll_refresh_now(q->poll);
		return false; /* the other backends refresh too */
	default:
		return query_screen_handle(q->screen, act, query_poll_data(q->poll)) != H_NONE;
	}
}

void
app_query_accept_input(struct app *a)
{
	const char *expr = a->input.text.data;

	if (a->query == NULL)
		return;
	if (expr == NULL || expr[strspn(expr, " ")] == '\0') {
		app_set_message(a, ROLE_DIM, "%s", "no expression: e types one");
		return;
	}
	run(a, expr);
}

void
app_query_recall(struct app *a, int dir)
{
	struct app_query *q = a->query;
	const char *typed = a->input.text.data != NULL ? a->input.text.data : "";
	const char *s;

	if (q == NULL)
		return;
	s = logs_history_recall(q->history, dir, typed);
	/* The newest entry is often what is on the line already: Up goes past it. */
	if (s != NULL && dir < 0 && strcmp(s, typed) == 0) {
		const char *older = logs_history_recall(q->history, dir, typed);

		if (older != NULL)
			s = older;
	}
	if (s != NULL)
		input_set(&a->input, s);
}

bool
app_query_command(struct app *a, const char *verb, const char *line)
{
	const char *rest;

	if (strcmp(verb, "query") != 0)
		return false;
	rest = line + strspn(line, " \t");
	rest += strcspn(rest, " \t");
	rest += strspn(rest, " \t");
	app_query_open(a, rest);
	return true;
}

bool
app_query_tick(struct app *a, double mono)
{
	if (!on_top(a))
		return false; /* closed, or another screen above it: nothing is asked */
	return query_poll_tick(a->query->poll, mono, poller_wall_now());
}

long
app_query_next_due_ms(const struct app *a, double mono, long t)
{
	long m;

	if (!on_top(a))
		return t;
	m = query_poll_next_due_ms(a->query->poll, mono);
	return m < t ? m : t;
}

static void
draw_body(void *ud, struct canvas *c, struct rect r, const struct view_ctx *v)
{
	struct app *a = ud;
	struct app_query *q = a->query;
	int points;

	query_screen_draw(q->screen, c, r, v, query_poll_data(q->poll));
	points = query_screen_points(q->screen);
	if (points > 0)
		query_poll_set_points(q->poll, points);
}

void
app_query_render(struct app *a, struct render_state *rs)
{
	struct app_query *q = a->query;
	int w = a->canvas != NULL ? a->canvas->w : 80;

	if (!on_top(a))
		return;
	snprintf(q->title, sizeof q->title, "Overview %s Query", a->ascii ? ">" : "\xe2\x80\xba");
	query_screen_summary(query_poll_data(q->poll), q->summary, sizeof q->summary);
	rs->title = q->title;
	rs->title_summary = q->summary[0] != '\0' ? q->summary : NULL;
	rs->body = draw_body;
	rs->body_ud = a;
	rs->hint = w < 100 ? "? help  e edit  Tab table/chart  Esc back "
			   : "? help  e edit  Tab table/chart  +/- range  j/k move  Esc back ";
	if (a->edit == EDIT_PROMQL)
		snprintf(a->prompt, sizeof a->prompt, "%s",
			 w < 100 ? "PromQL: "
				 : "PromQL (Enter runs, Up/Down history, Esc cancels): ");
}

void
app_query_closed(struct app *a)
{
	if (a->query == NULL)
		return;
	query_poll_close(a->query->poll);
	if (a->edit == EDIT_PROMQL)
		a->edit = EDIT_NONE;
}
