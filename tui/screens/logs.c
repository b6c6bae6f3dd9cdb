#include "logs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "elasticsearch.h"
#include "histogram.h"
#include "logs_range.h"
#include "logs_hit.h"
#include "regex.h"
#include "text.h"
#include "xalloc.h"

#define TIME_W 12 /* HH:MM:SS.mmm */
#define LEVEL_W 5
#define SERVICE_MIN_W 7 /* "SERVICE" */
#define MARK_BYTES 4096 /* bytes of a message examined for highlights: past any screen */

enum mark { M_NONE, M_TERM, M_FILTER };

struct logs {
	char **terms; /* the query's terms, highlighted */
	size_t nterms;
	struct regex *filter;
	size_t sel, top; /* line buffer indexes: the cursor, the first line shown */
	bool follow;     /* tail on */
	size_t nnew;     /* lines added above while scrolled away */
	bool hit_open;
	size_t hit_scroll, hit_fields;
	int page;   /* rows of lines at the last draw */
	int rows_y; /* the screen row of the first line at the last draw */
	int hist_w;
	size_t *vis; /* the buffer indexes the filter lets through, newest first */
	size_t nvis, vcap;
};

struct logs *
logs_new(void)
{
	return xcalloc(1, sizeof(struct logs));
}

void
logs_free(struct logs *l)
{
	if (l == NULL)
		return;
	elasticsearch_terms_free(l->terms, l->nterms);
	regex_free(l->filter);
	free(l->vis);
	free(l);
}

static bool
line_matches(const struct logs *l, const struct log_line *ln)
{
	return l->filter == NULL || regex_match(l->filter, ln->hit.message) ||
	       regex_match(l->filter, ln->hit.service) || regex_match(l->filter, ln->hit.level);
}

/* The lines the filter shows, newest first. */
static void
build(struct logs *l, const struct logs_data *d)
{
	size_t n = d != NULL && d->lines != NULL ? logbuf_len(d->lines) : 0, i;

	if (l->vcap < n + 1) {
		l->vcap = n + 1;
		l->vis = xrealloc(l->vis, l->vcap * sizeof *l->vis);
	}
	l->nvis = 0;
	for (i = 0; i < n; i++)
		if (line_matches(l, logbuf_at(d->lines, i)))
			l->vis[l->nvis++] = i;
}

/* Position in vis of the first shown line at or below buffer index idx (nvis if none). */
static size_t
pos_of(const struct logs *l, size_t idx)
{
	size_t lo = 0, hi = l->nvis;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (l->vis[mid] < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The cursor and top moved onto shown lines, the cursor inside the page. */
static void
settle(struct logs *l)
{
	size_t ps, pt, page = l->page > 0 ? (size_t)l->page : 1;

	if (l->nvis == 0) {
		l->sel = l->top = 0;
		return;
	}
	ps = pos_of(l, l->sel);
	if (ps >= l->nvis)
		ps = l->nvis - 1;
	pt = pos_of(l, l->top);
	if (pt > ps)
		pt = ps;
	if (ps >= pt + page)
		pt = ps - page + 1;
	l->sel = l->vis[ps];
	l->top = l->vis[pt];
}

void
logs_set_query(struct logs *l, const char *query)
{
	elasticsearch_terms_free(l->terms, l->nterms);
	l->terms = elasticsearch_query_terms(query != NULL ? query : "", &l->nterms);
	l->sel = l->top = 0;
	l->nnew = 0;
	l->hit_open = false;
}

int
logs_set_filter(struct logs *l, const char *pattern, struct err *e)
{
	struct regex *r = NULL;

	if (pattern != NULL && *pattern != '\0') {
		r = regex_new(pattern, e);
		if (r == NULL)
			return -1;
	}
	regex_free(l->filter);
	l->filter = r;
	return 0;
}

const char *
logs_filter(const struct logs *l)
{
	return l->filter ? regex_pattern(l->filter) : "";
}

void
logs_lines_moved(struct logs *l, size_t added, size_t dropped)
{
	bool at_top = l->sel == 0 && l->top == 0;

	if (added > 0) {
		if (l->follow && at_top && !l->hit_open)
			return; /* following: the new lines show at the top */
		l->sel += added;
		l->top += added;
		if (l->follow)
			l->nnew += added;
	}
	if (dropped > 0) {
		l->sel = l->sel > dropped ? l->sel - dropped : 0;
		l->top = l->top > dropped ? l->top - dropped : 0;
	}
}

void
logs_set_follow(struct logs *l, bool on)
{
	l->follow = on;
	l->nnew = 0;
}

bool
logs_following(const struct logs *l)
{
	return l->follow && l->sel == 0 && l->top == 0;
}

void
logs_follow(struct logs *l)
{
	l->sel = l->top = 0;
	l->nnew = 0;
}

bool
logs_at_top(const struct logs *l)
{
	return l->sel == 0;
}

bool
logs_hit_open(const struct logs *l)
{
	return l->hit_open;
}

int
logs_histogram_width(const struct logs *l)
{
	return l->hist_w;
}

bool
logs_wants_older(const struct logs *l, const struct logs_data *d)
{
	size_t n = d != NULL && d->lines != NULL ? logbuf_len(d->lines) : 0,
	       page = l->page > 0 ? (size_t)l->page : 20;

	if (d == NULL || !d->have_hits || d->at_end || d->loading_older)
		return false;
	return n == 0 || l->sel + 2 * page >= n;
}

/* ---- text ---------------------------------------------------------------- */

static void
thousands(long long v, char *out, size_t n)
{
	char raw[32], tmp[48];
	int len, i, o = 0;

	snprintf(raw, sizeof raw, "%lld", v < 0 ? 0 : v);
	len = (int)strlen(raw);
	for (i = 0; i < len && o < (int)sizeof tmp - 2; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			tmp[o++] = ',';
		tmp[o++] = raw[i];
	}
	tmp[o] = '\0';
	snprintf(out, n, "%s", tmp);
}

void
logs_total_text(const struct logs_data *d, bool ascii, char *out, size_t n)
{
	char num[48];

	if (d == NULL || d->total < 0) {
		snprintf(out, n, "%s", d != NULL && d->have_hits ? "? hits" : "searching...");
		return;
	}
	thousands(d->total, num, sizeof num);
	snprintf(out, n, "%s%s hit%s", d->total_lower_bound ? (ascii ? ">=" : "\xe2\x89\xa5") : "",
		 num, d->total == 1 && !d->total_lower_bound ? "" : "s");
}

static enum role
level_role(const char *level)
{
	if (elasticsearch_level_is_error(level))
		return ROLE_CRIT;
	if (strncasecmp(level, "warn", 4) == 0)
		return ROLE_WARN;
	if (strncasecmp(level, "debug", 5) == 0 || strncasecmp(level, "trace", 5) == 0)
		return ROLE_DIM;
	return ROLE_NORMAL;
}

/* Case-insensitive (ASCII) search for needle in s[off, len). */
static const char *
find_ci(const char *s, size_t len, size_t off, const char *needle, size_t nlen)
{
	size_t i;

	if (nlen == 0 || nlen > len)
		return NULL;
	for (i = off; i + nlen <= len; i++)
		if (strncasecmp(s + i, needle, nlen) == 0)
			return s + i;
	return NULL;
}

/* Mark the bytes of s (len <= MARK_BYTES) that the terms and the filter match. */
static void
mark(const struct logs *l, const char *s, size_t len, unsigned char *m)
{
	size_t i, off, a, b;

	memset(m, M_NONE, len);
	for (i = 0; i < l->nterms; i++) {
		/* A wildcard term highlights its literal pieces. */
		const char *t = l->terms[i];

		while (*t != '\0') {
			size_t pl = strcspn(t, "*?");
			const char *hit;

			for (off = 0; pl > 0 && (hit = find_ci(s, len, off, t, pl)) != NULL;
			     off = (size_t)(hit - s) + pl)
				memset(m + (hit - s), M_TERM, pl);
			t += pl;
			t += strspn(t, "*?");
		}
	}
	for (off = 0;
	     l->filter != NULL && off <= len && regex_search(l->filter, s, len, off, &a, &b);) {
		if (b > a)
			memset(m + a, M_FILTER, b - a);
		off = b > a ? b : a + 1;
	}
}

/* Draw s at (x, y) in w columns with its highlights; role and attr for the rest. */
static void
draw_marked(const struct logs *l, struct canvas *c, int x, int y, int w, const char *s,
	    enum role role, unsigned attr)
{
	size_t len = strlen(s), i = 0;
	unsigned char *m;
	int used = 0;

	if (len > MARK_BYTES)
		len = MARK_BYTES;
	m = xmalloc(len + 1);
	mark(l, s, len, m);
	while (i < len && used < w) {
		size_t j = i;
		char *seg;

		while (j < len && m[j] == m[i])
			j++;
		seg = xstrndup(s + i, j - i);
		if (j == len && strlen(s) > len) {
			free(seg);
			seg = xstrdup(s + i); /* the last run: the rest, so a cut shows */
		}
		used += text_draw(c, x + used, y, w - used, seg,
				  m[i] == M_NONE ? role : ROLE_ACCENT,
				  m[i] == M_TERM     ? attr | ATTR_UNDERLINE | ATTR_BOLD
				  : m[i] == M_FILTER ? attr | ATTR_REVERSE
						     : attr);
		free(seg);
		i = j;
	}
	if (i < len && used >= w && w >= 2)
		text_draw(c, x + w - 1, y, 1, c->ascii ? "~" : "\xe2\x80\xa6", role, attr);
	free(m);
}

/* ---- drawing ------------------------------------------------------------- */

static int
hist_rows(int body_h)
{
	return body_h <= 22 ? 3 : body_h < 30 ? 4 : body_h < 40 ? 5 : 6;
}

static void
draw_header(struct logs *l, struct canvas *c, struct rect r, const struct view_ctx *v,
	    const struct logs_data *d)
{
	const char *dot = v->ascii ? " | " : " \xc2\xb7 ";
	char range[96], total[64], right[320], state[64];
	int rw, x;

	state[0] = '\0';
	if (d != NULL && d->tail) {
		if (l->nnew > 0 && !logs_following(l))
			snprintf(state, sizeof state, "%s%zu new (g)", dot, l->nnew);
		else if (logs_following(l))
			snprintf(state, sizeof state, "%sfollowing", dot);
		else
			snprintf(state, sizeof state, "%stail", dot);
	}
	logs_range_describe(d != NULL ? &d->range : &(struct logs_range){ 900, 0, 0 },
			    d != NULL && d->utc, range, sizeof range);
	logs_total_text(d, v->ascii, total, sizeof total);
	snprintf(right, sizeof right, "%s%s%s%s", range, dot, total, state);
	if (l->filter != NULL) {
		size_t n = strlen(right);

		snprintf(right + n, sizeof right - n, "%s/%s/ %zu shown", dot,
			 regex_pattern(l->filter), l->nvis);
	}
	rw = text_width(right);
	if (rw > r.w - 12)
		rw = r.w - 12;
	x = r.x + text_draw(c, r.x, r.y, r.w - rw - 1, "query ", ROLE_DIM, ATTR_NONE);
	if (d == NULL || d->query[0] == '\0')
		text_draw(c, x, r.y, r.x + r.w - rw - 1 - x,
			  v->wall ? "* (everything)" : "* (everything; e edits)", ROLE_DIM, ATTR_NONE);
	else
		text_draw(c, x, r.y, r.x + r.w - rw - 1 - x, d->query, ROLE_ACCENT, ATTR_BOLD);
	text_draw(c, r.x + r.w - rw, r.y, rw, right, ROLE_NORMAL, ATTR_NONE);
	if (l->nnew > 0 && !logs_following(l))
		canvas_paint(c, (struct rect){ r.x + r.w - rw, r.y, rw, 1 }, ROLE_WARN, ATTR_BOLD);
}

static void
draw_line(struct logs *l, struct canvas *c, int x, int y, int w, int svc_w,
	  const struct log_line *ln, bool utc, bool selected)
{
	const struct es_hit *h = &ln->hit;
	enum role base = selected ? ROLE_SELECTED : ROLE_NORMAL;
	char when[32];
	int cx = x;

	if (selected)
		canvas_fill(c, (struct rect){ x, y, w, 1 }, ROLE_SELECTED);
	logs_range_clock(h->t, utc, when, sizeof when);
	cx += text_draw(c, cx, y, TIME_W, when, selected ? base : ROLE_DIM, ATTR_NONE) + 1;
	text_draw(c, cx, y, LEVEL_W, h->level, selected ? base : level_role(h->level),
		  elasticsearch_level_is_error(h->level) ? ATTR_BOLD : ATTR_NONE);
	cx += LEVEL_W + 1;
	if (svc_w > 0) {
		text_draw(c, cx, y, svc_w, h->service, base, ATTR_NONE);
		cx += svc_w + 1;
	}
	if (cx < x + w)
		draw_marked(l, c, cx, y, x + w - cx, h->message, base, ATTR_NONE);
}

static void
draw_lines(struct logs *l, struct canvas *c, struct rect r, const struct logs_data *d,
	   bool cursor)
{
	size_t p, pt;
	int y, svc_w = 0, x;

	if (r.h < 2)
		return;
	l->page = r.h - 1;
	l->rows_y = r.y + 1;
	settle(l);
	pt = l->nvis ? pos_of(l, l->top) : 0;
	for (p = pt; p < l->nvis && (int)(p - pt) < l->page; p++) {
		int sw = text_width(logbuf_at(d->lines, l->vis[p])->hit.service);

		if (sw > svc_w)
			svc_w = sw;
	}
	if (svc_w < SERVICE_MIN_W)
		svc_w = SERVICE_MIN_W;
	if (svc_w > r.w / 5)
		svc_w = r.w / 5;
	x = r.x;
	x += text_draw(c, x, r.y, TIME_W + 1, "TIME", ROLE_HEADER, ATTR_BOLD) + (TIME_W + 1 - 4);
	text_draw(c, x, r.y, LEVEL_W, "LEVEL", ROLE_HEADER, ATTR_BOLD);
	x += LEVEL_W + 1;
	text_draw(c, x, r.y, svc_w, "SERVICE", ROLE_HEADER, ATTR_BOLD);
	x += svc_w + 1;
	text_draw(c, x, r.y, r.x + r.w - x, "MESSAGE", ROLE_HEADER, ATTR_BOLD);
	for (p = pt, y = r.y + 1; p < l->nvis && y < r.y + r.h; p++, y++)
		draw_line(l, c, r.x, y, r.w, svc_w, logbuf_at(d->lines, l->vis[p]), d->utc,
			  cursor && l->vis[p] == l->sel);
	if (y < r.y + r.h) {
		const char *note = d == NULL || !d->have_hits ? "searching..."
				   : d->loading_older         ? "loading older lines..."
				   : !d->at_end               ? ""
				   : l->nvis == 0 && l->filter != NULL
					   ? "no line held matches the filter (\\ clears it)"
				   : l->nvis == 0 ? "no hits in this range (+ widens it)"
						  : "- end of range -";

		text_draw(c, r.x, y, r.w, note, ROLE_DIM, ATTR_NONE);
	}
}

static void
draw_too_small(struct canvas *c, struct rect body)
{
	char msg[128];

	snprintf(msg, sizeof msg, "terminal too small for the logs: %dx%d, need %dx%d", c->w, c->h,
		 LOGS_MIN_W, LOGS_MIN_H + 2);
	text_draw_wrapped(c, (struct rect){ body.x + 1, body.y + body.h / 2 - 1, body.w - 2, 3 },
			  msg, ROLE_WARN, ATTR_BOLD);
}

void
logs_draw(struct logs *l, struct canvas *c, struct rect body, const struct view_ctx *v,
	  const struct logs_data *d)
{
	struct rect in = { body.x + 1, body.y, body.w - 2, body.h };
	struct histogram_view hv;
	int hh, y;

	if (body.w < LOGS_MIN_W || body.h < LOGS_MIN_H) {
		draw_too_small(c, body);
		return;
	}
	build(l, d);
	draw_header(l, c, (struct rect){ in.x, in.y, in.w, 1 }, v, d);
	y = in.y + 1;
	if (d != NULL && d->err.code != ERR_OK) {
		text_draw(c, in.x, y++, in.w, d->err.msg, ROLE_CRIT, ATTR_NONE);
	}
	if (l->hit_open && l->sel < (d != NULL ? logbuf_len(d->lines) : 0)) {
		l->hit_fields =
			logs_hit_draw(c, (struct rect){ in.x, y, in.w, in.y + in.h - y },
				      &logbuf_at(d->lines, l->sel)->hit, d->utc, l->hit_scroll);
		return;
	}
	l->hit_open = false;
	hh = hist_rows(body.h);
	memset(&hv, 0, sizeof hv);
	if (d != NULL && d->have_hist) {
		hv.counts = d->counts;
		hv.errors = d->errors;
		hv.n = d->nbuckets;
		hv.t0 = d->hist_t0;
		hv.t1 = d->hist_t1;
	}
	hv.utc = d != NULL && d->utc;
	hv.empty_text = d == NULL || !d->have_hist ? "counting hits..." : "no hits in this range";
	histogram_draw(c, (struct rect){ in.x, y, in.w, hh }, &hv);
	l->hist_w = in.w >= 24 ? in.w - 6 : in.w; /* the plot, right of the scale */
	y += hh;
	draw_lines(l, c, (struct rect){ in.x, y, in.w, in.y + in.h - y }, d, !v->wall);
}

/* ---- keys ---------------------------------------------------------------- */

int
logs_handle(struct logs *l, enum action a, const struct logs_data *d)
{
	size_t page = l->page > 0 ? (size_t)l->page : 1, p;

	if (l->hit_open) {
		switch (a) {
		case ACT_BACK:
			l->hit_open = false;
			break;
		case ACT_UP:
			if (l->hit_scroll > 0)
				l->hit_scroll--;
			break;
		case ACT_DOWN:
			if (l->hit_scroll + 1 < l->hit_fields)
				l->hit_scroll++;
			break;
		case ACT_TOP:
			l->hit_scroll = 0;
			break;
		default:
			return H_NONE;
		}
		return H_DIRTY | H_HANDLED;
	}
	build(l, d);
	if (l->nvis == 0 && a != ACT_TOP)
		return a == ACT_OPEN || a == ACT_UP || a == ACT_DOWN ? H_HANDLED : H_NONE;
	p = l->nvis ? pos_of(l, l->sel) : 0;
	if (p >= l->nvis)
		p = l->nvis ? l->nvis - 1 : 0;
	switch (a) {
	case ACT_UP:
		p = p > 0 ? p - 1 : 0;
		break;
	case ACT_DOWN:
		p = p + 1 < l->nvis ? p + 1 : p;
		break;
	case ACT_PGUP:
		p = p > page ? p - page : 0;
		break;
	case ACT_PGDN:
		p = p + page < l->nvis ? p + page : l->nvis - 1;
		break;
	case ACT_TOP:
		logs_follow(l);
		return H_DIRTY | H_HANDLED;
	case ACT_BOTTOM:
		p = l->nvis - 1;
		break;
	case ACT_OPEN:
		l->hit_open = true;
		l->hit_scroll = 0;
		return H_DIRTY | H_HANDLED;
	default:
		return H_NONE;
	}
	l->sel = l->vis[p];
	if (p == 0)
		l->nnew = 0; /* back at the newest: nothing unseen above */
	if (pos_of(l, l->top) > p)
		l->top = l->sel;
	else if (p >= pos_of(l, l->top) + page)
		l->top = l->vis[p - page + 1];
	return H_DIRTY | H_HANDLED;
}

/* ---- Markdown ------------------------------------------------------------ */

static void
md_cell(struct buf *out, const char *s, bool ascii)
{
	struct buf t;
	size_t i;

	buf_init(&t);
	text_sanitize_buf(s, &t, ascii);
	for (i = 0; i < t.len; i++) {
		if (t.data[i] == '|')
			buf_putc(out, '\\');
		buf_putc(out, t.data[i]);
	}
	buf_done(&t);
}

void
logs_markdown(struct logs *l, const struct view_ctx *v, const struct logs_data *d, struct buf *out)
{
	char range[96], total[64], when[32];
	size_t p;

	build(l, d);
	logs_range_describe(&d->range, d->utc, range, sizeof range);
	logs_total_text(d, v->ascii, total, sizeof total);
	buf_puts(out, "## opsdeck logs\n\n- query: `");
	md_cell(out, d->query[0] ? d->query : "*", v->ascii);
	buf_printf(out, "`\n- range: %s\n- %s\n", range, total);
	if (d->err.code != ERR_OK) {
		buf_puts(out, "- **error:** ");
		md_cell(out, d->err.msg, v->ascii);
		buf_putc(out, '\n');
	}
	buf_puts(out, "\n| time | level | service | message |\n|---|---|---|---|\n");
	for (p = 0; p < l->nvis; p++) {
		const struct es_hit *h = &logbuf_at(d->lines, l->vis[p])->hit;

		logs_range_clock(h->t, d->utc, when, sizeof when);
		buf_printf(out, "| %s | ", when);
		md_cell(out, h->level, v->ascii);
		buf_puts(out, " | ");
		md_cell(out, h->service, v->ascii);
		buf_puts(out, " | ");
		md_cell(out, h->message, v->ascii);
		buf_puts(out, " |\n");
	}
}

bool
logs_row_at(const struct logs *l, int y, long *delta)
{
	size_t p;

	if (l->hit_open || l->nvis == 0 || y < l->rows_y || y >= l->rows_y + l->page)
		return false;
	p = pos_of(l, l->top) + (size_t)(y - l->rows_y);
	if (p >= l->nvis)
		return false;
	*delta = (long)p - (long)pos_of(l, l->sel);
	return true;
}
