/*
 * query.c - the Query screen's layout: the expression (with a caret where
 * Prometheus stopped parsing it), the mode line, then the answer, the
 * error or what to do; the cursor keys.
 *
 * Errors are the server's words, not a paraphrase: PromQL's messages are
 * precise ("unexpected identifier \"bar\"") and users search for them.
 * What opsdeck adds is the caret, which a terminal cannot show inside the
 * message, and the next step.
 */
#include "screens/query.h"
#include "query_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prometheus_query.h"
#include "text.h"
#include "xalloc.h"

struct query_screen {
	size_t selected; /* the table's cursor row */
	size_t top;      /* its first row shown */
	int page;        /* rows the last table showed */
	int points;      /* the last chart's points across */
};

struct query_screen *
query_screen_new(void)
{
	struct query_screen *q = xcalloc(1, sizeof *q);

	q->page = 10;
	return q;
}

void
query_screen_free(struct query_screen *q)
{
	free(q);
}

void
query_screen_reset(struct query_screen *q)
{
	q->selected = q->top = 0;
}

int
query_screen_points(const struct query_screen *q)
{
	return q->points;
}

int
query_screen_handle(struct query_screen *q, enum action a, const struct query_data *d)
{
	size_t n = d != NULL && d->have_result && d->result.type == PROM_VECTOR ? d->result.nseries
										: 0;
	size_t page = q->page > 1 ? (size_t)q->page - 1 : 1;

	switch (a) {
	case ACT_UP:
		if (q->selected > 0)
			q->selected--;
		break;
	case ACT_DOWN:
		if (q->selected + 1 < n)
			q->selected++;
		break;
	case ACT_PGUP:
		q->selected = q->selected > page ? q->selected - page : 0;
		break;
	case ACT_PGDN:
		q->selected = n == 0 ? 0 : q->selected + page < n ? q->selected + page : n - 1;
		break;
	case ACT_TOP:
		q->selected = 0;
		break;
	case ACT_BOTTOM:
		q->selected = n > 0 ? n - 1 : 0;
		break;
	default:
		return H_NONE;
	}
	return H_HANDLED | H_DIRTY;
}

/* The byte after the character at s[i]. */
static size_t
next_char(const char *s, size_t i)
{
	if (s[i] == '\0')
		return i;
	i++;
	while (((unsigned char)s[i] & 0xc0) == 0x80)
		i++;
	return i;
}

/* Columns s[from, to) takes. */
static int
span_width(const char *s, size_t from, size_t to)
{
	char *p = xstrndup(s + from, to - from);
	int w = text_width(p);

	free(p);
	return w;
}

/*
 * "PromQL expr", and when caret is set, a '^' under the byte it points
 * at on the next row; a long expression is scrolled so the caret shows.
 * Returns the rows used.
 */
static int
draw_expr(struct canvas *c, int x, int y, int w, const char *expr, const size_t *caret)
{
	int lw = text_draw(c, x, y, w, "PromQL ", ROLE_ACCENT, ATTR_BOLD), cx;
	size_t start = 0;

	x += lw;
	w -= lw;
	if (w < 4)
		return 1;
	if (expr[0] == '\0') {
		text_draw(c, x, y, w, "(none yet: press e to type one)", ROLE_DIM, ATTR_NONE);
		return 1;
	}
	if (caret == NULL) {
		text_draw(c, x, y, w, expr, ROLE_NORMAL, ATTR_BOLD);
		return 1;
	}
	while (start < *caret && span_width(expr, start, *caret) + (start > 0) > w - 2)
		start = next_char(expr, start);
	cx = x + span_width(expr, start, *caret);
	if (start > 0) {
		text_draw(c, x, y, 1, c->ascii ? "~" : "\xe2\x80\xa6", ROLE_DIM, ATTR_NONE);
		x++;
		cx++;
	}
	text_draw(c, x, y, w - (start > 0), expr + start, ROLE_NORMAL, ATTR_BOLD);
	text_draw(c, cx, y + 1, 1, "^", ROLE_CRIT, ATTR_BOLD);
	return 2;
}

static const char *
dot(const struct canvas *c)
{
	return c->ascii ? " - " : " \xc2\xb7 ";
}

/* " Instant  Range 1h " tabs, the active one reversed, then what the answer is. */
static void
draw_mode(struct canvas *c, int x, int y, int w, const struct query_data *d)
{
	char range[16], tab[32], line[256], t0[16], t1[16], step[16];
	int end = x + w;
	enum query_mode mode = d != NULL ? d->mode : QUERY_INSTANT;

	query_format_span(d != NULL ? d->range_s : 3600, range, sizeof range);
	x += text_draw(c, x, y, end - x, " Instant ",
		       mode == QUERY_INSTANT ? ROLE_SELECTED : ROLE_DIM, ATTR_NONE) +
	     1;
	snprintf(tab, sizeof tab, " Range %s ", range);
	x += text_draw(c, x, y, end - x, tab, mode == QUERY_RANGE ? ROLE_SELECTED : ROLE_DIM,
		       ATTR_NONE) +
	     2;
	if (x >= end || d == NULL || d->expr[0] == '\0')
		return;
	line[0] = '\0';
	if (d->loading && !d->have_result) {
		snprintf(line, sizeof line, "%s", c->ascii ? "running..." : "running\xe2\x80\xa6");
	} else if (d->have_result) {
		query_format_time(d->t0, t0, sizeof t0);
		query_format_time(d->t1, t1, sizeof t1);
		query_format_span(d->step_s, step, sizeof step);
		if (d->t1 > d->t0)
			snprintf(line, sizeof line, "%s to %s, step %s", t0, t1, step);
		else
			snprintf(line, sizeof line, "at %s", t1);
		if (d->result.type == PROM_VECTOR || d->result.type == PROM_MATRIX)
			snprintf(line + strlen(line), sizeof line - strlen(line), "%s%zu series",
				 dot(c), d->total_series);
		snprintf(line + strlen(line), sizeof line - strlen(line), "%s%ldms", dot(c),
			 d->latency_ms);
	}
	text_draw(c, x, y, end - x, line, ROLE_DIM, ATTR_NONE);
}

/* Lines of text, the first in header style; returns the rows used. */
static int
draw_lines(struct canvas *c, struct rect r, const char *const *lines, size_t n)
{
	size_t i;
	int y = r.y;

	for (i = 0; i < n && y < r.y + r.h; i++) {
		if (lines[i] == NULL)
			continue;
		y += text_draw_wrapped(c, (struct rect){ r.x, y, r.w, r.y + r.h - y }, lines[i],
				       i == 0 ? ROLE_HEADER : ROLE_NORMAL, ATTR_NONE);
	}
	return y - r.y;
}

static void
draw_intro(struct canvas *c, struct rect r)
{
	static const char *const lines[] = {
		"Type a PromQL expression: e or Enter opens the line, Enter runs it.",
		"",
		"  up                                       every target, 1 when scraped",
		"  sum by (job) (rate(http_requests_total[5m]))",
		"  topk(5, process_resident_memory_bytes)",
		"",
		"Tab switches between the value now (a table) and a range (a chart);",
		"+ and - change the range.  Up and Down on the line recall earlier",
		"expressions.  The answer is asked again every refresh.",
	};

	draw_lines(c, r, lines, sizeof lines / sizeof lines[0]);
}

/* What to do about an error of code (the message itself is the server's). */
static const char *
error_hint(const struct query_data *d, bool caret)
{
	switch (d->err.code) {
	case ERR_BACKEND:
		return caret ? "Prometheus stopped parsing at the ^ above: e edits the expression."
			     : "e edits the expression.";
	case ERR_TIMEOUT:
		return "The query took too long: narrow it (fewer series, a shorter range) or "
		       "raise [prometheus] timeout.";
	case ERR_TOOBIG:
		return "The answer is larger than [prometheus] max_body: narrow the expression "
		       "(topk, sum by) or raise max_body.";
	default:
		return "The query is asked again at every refresh (r: now); check that "
		       "Prometheus is up and [prometheus] url.";
	}
}

/* An empty answer: when it was evaluated, and a hint. */
static void
draw_empty(struct canvas *c, struct rect r, const struct query_data *d)
{
	char t0[16], t1[16], line[96];

	query_format_time(d->t0, t0, sizeof t0);
	query_format_time(d->t1, t1, sizeof t1);
	if (d->t1 > d->t0)
		snprintf(line, sizeof line, "no series between %s and %s", t0, t1);
	else
		snprintf(line, sizeof line, "no series at %s", t1);
	text_draw(c, r.x, r.y, r.w, line, ROLE_HEADER, ATTR_BOLD);
	text_draw_wrapped(c, (struct rect){ r.x, r.y + 2, r.w, r.h - 2 },
			  "The expression matched nothing then: check the metric name and the "
			  "label values (count by (__name__) ({__name__=~\"prefix.*\"}) lists "
			  "names).",
			  ROLE_DIM, ATTR_NONE);
}

static void
draw_result(struct query_screen *q, struct canvas *c, struct rect r, const struct query_data *d,
	    const struct view_ctx *v)
{
	const struct prom_result *res = &d->result;
	size_t i;
	char line[128];

	for (i = 0; i < res->nwarnings && i < 2 && r.h > 3; i++) {
		char w[ERR_MSG_MAX];

		snprintf(w, sizeof w, "warning: %s", res->warnings[i]);
		text_draw(c, r.x, r.y++, r.w, w, ROLE_WARN, ATTR_NONE);
		r.h--;
	}
	if ((res->type == PROM_VECTOR || res->type == PROM_MATRIX) && res->nseries == 0) {
		draw_empty(c, r, d);
		return;
	}
	if (d->total_series > res->nseries && r.h > 3) {
		snprintf(line, sizeof line, "the %zu highest of %zu series are kept", res->nseries,
			 d->total_series);
		text_draw(c, r.x, r.y + r.h - 1, r.w, line, ROLE_DIM, ATTR_NONE);
		r.h--;
	}
	if (res->type == PROM_MATRIX) {
		q->points = query_draw_chart(c, r, d, v);
		return;
	}
	q->page = query_table_rows(r, d);
	if (q->selected >= res->nseries)
		q->selected = res->nseries > 0 ? res->nseries - 1 : 0;
	query_draw_table(c, r, d, q->selected, &q->top);
}

void
query_screen_draw(struct query_screen *q, struct canvas *c, struct rect r, const struct view_ctx *v,
		  const struct query_data *d)
{
	size_t off;
	bool caret = false;
	int x = r.x + 1, w = r.w - 2, y = r.y;
	struct rect body;

	if (w < 10 || r.h < 4)
		return;
	if (d != NULL && d->err.code == ERR_BACKEND && d->expr[0] != '\0' &&
	    prometheus_error_offset(d->err.msg, d->expr, &off) == 0)
		caret = true;
	y += draw_expr(c, x, y, w, d != NULL ? d->expr : "", caret ? &off : NULL);
	draw_mode(c, x, y++, w, d);
	y++;
	body = (struct rect){ x, y, w, r.y + r.h - y };
	if (body.h < 1)
		return;
	if (d == NULL || !d->configured) {
		static const char *const lines[] = {
			"No Prometheus is configured: the Query screen asks it.",
			"",
			"Set [prometheus] url in the config file, or start with --prometheus URL.",
		};

		draw_lines(c, body, lines, 3);
		return;
	}
	if (d->expr[0] == '\0') {
		draw_intro(c, body);
		return;
	}
	if (d->err.code != ERR_OK) {
		int rows = body.h > 4 ? body.h / 2 : body.h;
		char last[64], t[16];

		rows = text_draw_wrapped(c, (struct rect){ body.x, body.y, body.w, rows },
					 d->err.msg, ROLE_CRIT, ATTR_BOLD);
		if (rows > body.h / 2)
			rows = body.h / 2;
		body.y += rows + 1;
		body.h -= rows + 1;
		if (body.h < 1)
			return;
		body.y += text_draw_wrapped(c, (struct rect){ body.x, body.y, body.w, 2 },
					    error_hint(d, caret), ROLE_DIM, ATTR_NONE);
		body.h = r.y + r.h - body.y;
		if (!d->have_result || body.h < 4)
			return;
		query_format_time(d->t1, t, sizeof t);
		snprintf(last, sizeof last, "The last answer, from %s:", t);
		text_draw(c, body.x, ++body.y, body.w, last, ROLE_DIM, ATTR_NONE);
		body.y++;
		body.h -= 2;
		draw_result(q, c, body, d, v);
		return;
	}
	if (!d->have_result) {
		text_draw(c, body.x, body.y, body.w,
			  c->ascii ? "running..." : "running\xe2\x80\xa6", ROLE_DIM, ATTR_NONE);
		return;
	}
	draw_result(q, c, body, d, v);
}

void
query_screen_summary(const struct query_data *d, char *out, size_t n)
{
	char range[16];

	if (n == 0)
		return;
	out[0] = '\0';
	if (d == NULL || d->expr[0] == '\0')
		return;
	query_format_span(d->range_s, range, sizeof range);
	if (d->err.code != ERR_OK)
		snprintf(out, n, "%s", d->err.code == ERR_BACKEND ? "refused" : "failed");
	else if (d->loading && !d->have_result)
		snprintf(out, n, "running");
	else if (d->result.type == PROM_SCALAR || d->result.type == PROM_STRING)
		snprintf(out, n, "%s", d->result.type == PROM_SCALAR ? "scalar" : "string");
	else if (d->mode == QUERY_RANGE)
		snprintf(out, n, "%zu series over %s", d->total_series, range);
	else
		snprintf(out, n, "%zu series", d->total_series);
}
