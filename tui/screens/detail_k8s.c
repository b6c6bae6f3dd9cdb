/*
 * The Service detail of a Kubernetes workload: in place of the instances,
 * its PODS (phase, ready containers, restarts, node, age and the reason a
 * container waits or last ended), its REVISIONS (a Deployment's
 * ReplicaSets, the current one and the one a rollback goes to marked) and
 * its EVENTS (Warnings in WARN, newest first) - what `kubectl describe`
 * and k9s answer "why is this rollout stuck" with.
 */
#include "detail_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_detail.h"
#include "table.h"
#include "text.h"
#include "xalloc.h"

/* Rows each section keeps while the charts are shown too. */
#define CAP_PODS 6
#define CAP_REVS 4
#define CAP_EVENTS 6
#define MAX_CHART_H 18 /* rows beyond this go to the sections */

enum { S_PODS, S_REVS, S_EVENTS, NSECT };

enum pod_col { P_NAME, P_PHASE, P_READY, P_RST, P_AGE, P_REV, P_NODE, P_REASON, NPCOLS };

/*
 * At 80 columns: the whole pod name, phase, ready, restarts, age, revision
 * and the reason; the node comes with width.  Revisions drop the
 * ReplicaSet's name (the revision says which) before the images; events
 * drop the object before the message (which names it mostly).
 */
static const struct table_column pod_cols[NPCOLS] = {
	[P_NAME] = { "NAME", 26, 48, 1, 0, ALIGN_LEFT, false },
	[P_PHASE] = { "PHASE", 11, 11, 0, 0, ALIGN_LEFT, false },
	[P_READY] = { "READY", 5, 5, 0, 0, ALIGN_RIGHT, false },
	[P_RST] = { "RST", 3, 4, 0, 0, ALIGN_RIGHT, false },
	[P_AGE] = { "AGE", 6, 6, 0, 0, ALIGN_RIGHT, false },
	[P_REV] = { "REV", 3, 4, 0, 3, ALIGN_RIGHT, false },
	[P_NODE] = { "NODE", 8, 20, 1, 4, ALIGN_LEFT, false },
	[P_REASON] = { "REASON", 16, 0, 3, 0, ALIGN_LEFT, false },
};

enum rev_col { R_REV, R_MARK, R_READY, R_AGE, R_NAME, R_IMAGES, NRCOLS };

static const struct table_column rev_cols[NRCOLS] = {
	[R_REV] = { "REV", 3, 20, 0, 0, ALIGN_RIGHT, false }, /* widened to its longest */
	[R_MARK] = { "", 12, 12, 0, 0, ALIGN_LEFT, false },
	[R_READY] = { "READY", 5, 7, 0, 0, ALIGN_RIGHT, false },
	[R_AGE] = { "AGE", 6, 6, 0, 0, ALIGN_RIGHT, false },
	[R_NAME] = { "NAME", 20, 30, 1, 2, ALIGN_LEFT, false },
	[R_IMAGES] = { "IMAGES", 30, 0, 3, 0, ALIGN_LEFT, false },
};

enum ev_col { E_AGE, E_TYPE, E_REASON, E_OBJECT, E_COUNT, E_MESSAGE, NECOLS };

static const struct table_column ev_cols[NECOLS] = {
	[E_AGE] = { "AGE", 6, 6, 0, 0, ALIGN_RIGHT, false },
	[E_TYPE] = { "TYPE", 7, 7, 0, 0, ALIGN_LEFT, false },
	[E_REASON] = { "REASON", 10, 20, 0, 0, ALIGN_LEFT, false },
	[E_OBJECT] = { "OBJECT", 28, 40, 2, 3, ALIGN_LEFT, false },
	[E_COUNT] = { "SEEN", 4, 5, 0, 2, ALIGN_RIGHT, false },
	[E_MESSAGE] = { "MESSAGE", 20, 0, 4, 0, ALIGN_LEFT, false },
};

#define MAXCOLS NPCOLS

/* One table row's formatted text and cells. */
struct krow {
	char text[MAXCOLS][DETAIL_CELL];
	struct table_cell cells[MAXCOLS];
};

bool
detail_k8s_applies(const struct service *svc)
{
	return svc->rt.present && svc->rt.kind != NULL && strcmp(svc->rt.kind, "k8s") == 0;
}

/* borrowed: the k8s data when a round has brought it, else NULL. */
static const struct detail_k8s *
k8s_of(const struct detail_data *dd)
{
	return dd != NULL && dd->have_runtime && dd->k8s.present ? &dd->k8s : NULL;
}

void
detail_k8s_where(const struct runtime_state *rt, const struct detail_data *dd, char *out, size_t n)
{
	const struct detail_k8s *k = k8s_of(dd);
	const char *id = rt->id != NULL ? rt->id : "";
	const char *ctx = rt->context != NULL ? rt->context : "?";

	if (k != NULL && k->ns[0] != '\0')
		snprintf(out, n, "k8s @ %s/%s", ctx, k->ns);
	else if (strchr(id, '/') != NULL) /* NAMESPACE/KIND/NAME */
		snprintf(out, n, "k8s @ %s/%.*s", ctx, (int)strcspn(id, "/"), id);
	else
		snprintf(out, n, "k8s @ %s", ctx);
}

size_t
detail_k8s_npods(const struct detail_data *dd)
{
	const struct detail_k8s *k = k8s_of(dd);

	return k != NULL ? k->npods : 0;
}

static void
row_init(struct krow *r, int ncols)
{
	int i;

	memset(r->cells, 0, sizeof r->cells);
	for (i = 0; i < ncols; i++) {
		r->text[i][0] = '\0';
		r->cells[i].text = r->text[i];
		r->cells[i].role = ROLE_NORMAL;
	}
}

/* ---- rows ------------------------------------------------------------------------ */

static enum role
phase_role(const struct detail_pod *p)
{
	if (strcmp(p->phase, "Failed") == 0)
		return ROLE_CRIT;
	if (strcmp(p->phase, "Succeeded") == 0 || strcmp(p->phase, "Terminating") == 0)
		return ROLE_DIM;
	if (strcmp(p->phase, "Running") == 0)
		return p->ready < p->containers ? ROLE_WARN : ROLE_OK;
	return ROLE_WARN; /* Pending, Unknown */
}

/*
 * A container that waits in a loop, or was killed for memory, is CRIT;
 * other past terminations of a pod that is ready again are a warning.
 */
static enum role
reason_role(const struct detail_pod *p)
{
	const char *reason = p->reason;

	if (k8s_detail_reason_is_crit(reason) &&
	    (p->ready < p->containers || strcmp(reason, "OOMKilled") == 0 ||
	     strcmp(p->last_exit, "OOMKilled") == 0))
		return ROLE_CRIT;
	if (strcmp(reason, "ContainerCreating") == 0 || strcmp(reason, "PodInitializing") == 0 ||
	    strcmp(reason, "Completed") == 0)
		return ROLE_DIM;
	return ROLE_WARN;
}

static void
fill_pod(struct krow *r, const struct detail_pod *p, const struct view_ctx *v)
{
	row_init(r, NPCOLS);
	r->cells[P_NAME].text = p->name; /* may be long: the table clips by width */
	snprintf(r->text[P_PHASE], DETAIL_CELL, "%s", p->phase);
	r->cells[P_PHASE].role = phase_role(p);
	snprintf(r->text[P_READY], DETAIL_CELL, "%ld/%ld", p->ready, p->containers);
	if (p->ready < p->containers)
		r->cells[P_READY].role = ROLE_WARN;
	snprintf(r->text[P_RST], DETAIL_CELL, "%ld", p->restarts);
	detail_age(v->now, p->started, r->text[P_AGE], DETAIL_CELL);
	snprintf(r->text[P_REV], DETAIL_CELL, "%s", p->revision[0] ? p->revision : "-");
	r->cells[P_NODE].text = p->node[0] ? p->node : "-";
	if (p->last_exit[0] != '\0')
		snprintf(r->text[P_REASON], DETAIL_CELL, "%s (%s)", p->reason, p->last_exit);
	else
		r->cells[P_REASON].text = p->reason;
	r->cells[P_REASON].role = reason_role(p);
	if (p->revision[0] == '\0')
		r->cells[P_REV].role = ROLE_DIM;
	if (p->node[0] == '\0')
		r->cells[P_NODE].role = ROLE_DIM;
}

static void
fill_rev(struct krow *r, const struct detail_revision *rv, const struct view_ctx *v)
{
	row_init(r, NRCOLS);
	r->cells[R_REV].text = rv->revision[0] ? rv->revision : "-";
	if (rv->current) {
		snprintf(r->text[R_MARK], DETAIL_CELL, "current");
		r->cells[R_MARK].role = ROLE_OK;
	} else if (rv->rollback) {
		snprintf(r->text[R_MARK], DETAIL_CELL, "rollback (B)");
		r->cells[R_MARK].role = ROLE_ACCENT;
	}
	if (rv->replicas >= 0 && rv->ready >= 0) {
		snprintf(r->text[R_READY], DETAIL_CELL, "%ld/%ld", rv->ready, rv->replicas);
		if (rv->ready < rv->replicas)
			r->cells[R_READY].role = ROLE_WARN;
		else if (rv->replicas == 0)
			r->cells[R_READY].role = ROLE_DIM;
	} else {
		snprintf(r->text[R_READY], DETAIL_CELL, "-");
		r->cells[R_READY].role = ROLE_DIM;
	}
	detail_age(v->now, rv->created, r->text[R_AGE], DETAIL_CELL);
	r->cells[R_NAME].text = rv->name;
	r->cells[R_IMAGES].text = rv->images[0] ? rv->images : "-";
	if (!rv->current && !rv->rollback)
		r->cells[R_IMAGES].role = ROLE_DIM;
}

static void
fill_event(struct krow *r, const struct detail_event *e, const struct view_ctx *v)
{
	bool warn = strcmp(e->type, "Warning") == 0;

	row_init(r, NECOLS);
	detail_age(v->now, e->last, r->text[E_AGE], DETAIL_CELL);
	r->cells[E_TYPE].text = e->type;
	r->cells[E_TYPE].role = warn ? ROLE_WARN : ROLE_DIM;
	r->cells[E_REASON].text = e->reason;
	r->cells[E_REASON].role = warn ? ROLE_WARN : ROLE_NORMAL;
	r->cells[E_OBJECT].text = e->object;
	snprintf(r->text[E_COUNT], DETAIL_CELL, "x%ld", e->count);
	if (e->count <= 1)
		r->cells[E_COUNT].role = ROLE_DIM;
	r->cells[E_MESSAGE].text = e->message;
	r->cells[E_MESSAGE].role = warn ? ROLE_WARN : ROLE_NORMAL;
}

/*
 * Widths that follow the rows: a pod's columns fit their longest cell
 * (over all pods, so scrolling does not shift them), so that at 80
 * columns the whole pod name and reason show while the node and revision
 * give way; a StatefulSet's revisions are names; events' reasons are
 * words that read badly cut.  The name gives way to
 * the columns that never drop when width is short.
 */
static void
fit_columns(int s, const struct detail_k8s *k, size_t n, const struct view_ctx *v,
	    struct table_column *cols, int width)
{
	static const int pod_fit[NPCOLS] = {
		[P_NAME] = 63, [P_PHASE] = 11, [P_READY] = 5, [P_RST] = 4,
		[P_AGE] = 6,   [P_REV] = 4,    [P_NODE] = 20, [P_REASON] = 40,
	};
	static const int rev_fit[NRCOLS] = { [R_REV] = 20 };
	static const int ev_fit[NECOLS] = {
		[E_AGE] = 6, [E_REASON] = 20, [E_OBJECT] = 40, [E_COUNT] = 5
	};
	const int *fit = s == S_PODS ? pod_fit : s == S_REVS ? rev_fit : ev_fit;
	int ncols = s == S_PODS ? NPCOLS : s == S_REVS ? NRCOLS : NECOLS, longest[MAXCOLS], c;
	int fixed = 0;
	struct krow *r = xcalloc(1, sizeof *r);
	size_t i;

	for (c = 0; c < ncols; c++)
		longest[c] = text_width(cols[c].title);
	for (i = 0; i < n; i++) {
		if (s == S_PODS)
			fill_pod(r, &k->pods[i], v);
		else if (s == S_REVS)
			fill_rev(r, &k->revs[i], v);
		else
			fill_event(r, &k->events[i], v);
		for (c = 0; c < ncols; c++) {
			int w = fit[c] > 0 && r->cells[c].text ? text_width(r->cells[c].text) : 0;

			if (w > longest[c])
				longest[c] = w;
		}
	}
	free(r);
	for (c = 0; c < ncols; c++) {
		if (fit[c] == 0 || n == 0)
			continue;
		cols[c].min_width = longest[c] < fit[c] ? longest[c] : fit[c];
		if (cols[c].max_width > 0 && cols[c].max_width < cols[c].min_width)
			cols[c].max_width = cols[c].min_width;
	}
	if (s != S_PODS)
		return;
	for (c = 0; c < ncols; c++)
		if (c != P_NAME && cols[c].drop_priority == 0)
			fixed += cols[c].min_width + 1;
	if (cols[P_NAME].min_width > width - fixed)
		cols[P_NAME].min_width = width - fixed > 20 ? width - fixed : 20;
}

/*
 * Rows [from, to) of section s as a table view; *rows and *trows new.
 * Before the first answer the table says why it is empty.
 */
static void
make_table(int s, const struct detail_data *dd, const struct view_ctx *v, size_t from, size_t to,
	   struct table_view *tv, struct krow **rows, struct table_row **trows,
	   struct table_column cols[MAXCOLS], int width)
{
	const struct detail_k8s *k = k8s_of(dd);
	size_t i, n = k == NULL ? 0 : s == S_PODS ? k->npods : s == S_REVS ? k->nrevs : k->nevents;

	if (to > n)
		to = n;
	if (from > to)
		from = to;
	memcpy(cols,
	       s == S_PODS   ? pod_cols
	       : s == S_REVS ? rev_cols
			     : ev_cols,
	       s == S_PODS   ? sizeof pod_cols
	       : s == S_REVS ? sizeof rev_cols
			     : sizeof ev_cols);
	fit_columns(s, k, n, v, cols, width);
	*rows = xcalloc(to - from + 1, sizeof **rows);
	*trows = xcalloc(to - from + 1, sizeof **trows);
	for (i = from; i < to; i++) {
		struct krow *r = &(*rows)[i - from];

		if (s == S_PODS)
			fill_pod(r, &k->pods[i], v);
		else if (s == S_REVS)
			fill_rev(r, &k->revs[i], v);
		else
			fill_event(r, &k->events[i], v);
		(*trows)[i - from].cells = r->cells;
		(*trows)[i - from].role = ROLE_NORMAL;
	}
	memset(tv, 0, sizeof *tv);
	tv->cols = cols;
	tv->ncols = s == S_PODS ? NPCOLS : s == S_REVS ? NRCOLS : NECOLS;
	tv->rows = *trows;
	tv->nrows = to - from;
	tv->selected = (size_t)-1;
	tv->sort_col = -1;
	if (k == NULL)
		tv->empty_text = dd != NULL && dd->runtime_err.code != ERR_OK
					 ? "no answer from the API server (see above)"
					 : "asking the API server...";
	else if (s == S_PODS)
		tv->empty_text = "no pods match the workload's selector";
	else if (s == S_REVS)
		tv->empty_text = "no revisions kept";
	else
		tv->empty_text =
			k->events_err.code != ERR_OK ? k->events_err.msg : "no recent events";
}

/* ---- section titles ---------------------------------------------------------------- */

static void
section_title(int s, const struct detail_data *dd, const struct view_ctx *v, char *out, size_t n)
{
	static const char *const names[NSECT] = { "PODS", "REVISIONS", "EVENTS" };
	const struct detail_k8s *k = k8s_of(dd);
	size_t i, bad = 0;
	int len;

	len = snprintf(out, n, "%s", names[s]);
	if (k == NULL || len < 0 || (size_t)len >= n)
		return;
	if (s == S_PODS) {
		for (i = 0; i < k->npods; i++)
			bad += k->pods[i].ready < k->pods[i].containers &&
			       strcmp(k->pods[i].phase, "Succeeded") != 0;
		if (k->npods == 0)
			snprintf(out + len, n - (size_t)len, " 0");
		else
			snprintf(out + len, n - (size_t)len, " %zu%s %s %zu not ready%s", k->npods,
				 k->more_pods ? "+" : "", detail_dot(v), bad,
				 k->more_pods ? " (the first page only)" : "");
	} else if (s == S_REVS) {
		const char *cur = "", *back = "";

		for (i = 0; i < k->nrevs; i++) {
			if (k->revs[i].current)
				cur = k->revs[i].revision;
			if (k->revs[i].rollback)
				back = k->revs[i].revision;
		}
		snprintf(out + len, n - (size_t)len, " %zu%s%s%s%s%s%s", k->nrevs,
			 cur[0] ? " " : "", cur[0] ? detail_dot(v) : "", cur[0] ? " current " : "",
			 cur, back[0] ? ", rollback to " : "", back);
	} else {
		for (i = 0; i < k->nevents; i++)
			bad += strcmp(k->events[i].type, "Warning") == 0;
		if (k->nevents == 0 && k->events_err.code == ERR_OK)
			snprintf(out + len, n - (size_t)len, " 0");
		else
			snprintf(out + len, n - (size_t)len, " %zu %s %zu Warning%s%.160s",
				 k->nevents, detail_dot(v), bad,
				 k->events_err.code != ERR_OK ? " - not refreshed: " : "",
				 k->events_err.code != ERR_OK ? k->events_err.msg : "");
	}
}

/* ---- layout -------------------------------------------------------------------------- */

/* Add rows one at a time, pods, events, revisions in turn, while any section wants more. */
static void
spread(int rows, const size_t want[NSECT], int got[NSECT])
{
	static const int order[NSECT] = { S_PODS, S_EVENTS, S_REVS };
	bool more = true;
	int i;

	while (rows > 0 && more) {
		more = false;
		for (i = 0; i < NSECT && rows > 0; i++) {
			int s = order[i];

			if ((size_t)got[s] < want[s]) {
				got[s]++;
				rows--;
				more = true;
			}
		}
	}
}

/*
 * The rows of each section in a body of avail rows.  With leave > 0 the
 * charts want that many rows below: the sections are capped so they fit
 * if they can, and charts taller than MAX_CHART_H give the rest back.
 * Without room for the charts the sections fill the body.  Returns the
 * rows the sections use; *seps is whether a blank row goes between them.
 */
static int
layout(int avail, int leave, const size_t want_in[NSECT], int got[NSECT], bool *seps)
{
	static const size_t caps[NSECT] = { CAP_PODS, CAP_REVS, CAP_EVENTS };
	size_t want[NSECT], capped[NSECT];
	int i, fixed = 2 * NSECT, need = 0, total = 0;

	for (i = 0; i < NSECT; i++) {
		want[i] = want_in[i] > 0 ? want_in[i] : 1; /* one row for "no ..." */
		capped[i] = want[i] < caps[i] ? want[i] : caps[i];
		need += (int)capped[i];
		total += (int)want[i];
		got[i] = 0;
	}
	*seps = true;
	if (leave > 0 && avail - (fixed + 2 + need) >= leave) {
		int spare = avail - (fixed + 2 + need) - MAX_CHART_H;

		for (i = 0; i < NSECT; i++)
			got[i] = (int)capped[i];
		if (spare > 0)
			spread(spare, want, got);
	} else {
		*seps = avail >= fixed + 2 + total;
		spread(avail - fixed - (*seps ? 2 : 0), want, got);
	}
	return fixed + (*seps ? 2 : 0) + got[S_PODS] + got[S_REVS] + got[S_EVENTS];
}

int
detail_k8s_draw(struct canvas *c, struct rect r, const struct view_ctx *v,
		const struct detail_data *dd, int leave, size_t *selected, size_t *top, int *page)
{
	const struct detail_k8s *k = k8s_of(dd);
	size_t want[NSECT] = { k ? k->npods : 0, k ? k->nrevs : 0, k ? k->nevents : 0 };
	int got[NSECT], used, s, y = r.y;
	bool seps;

	used = layout(r.h, leave, want, got, &seps);
	if (*selected >= want[S_PODS])
		*selected = want[S_PODS] ? want[S_PODS] - 1 : 0;
	*page = got[S_PODS] > 0 ? got[S_PODS] : 1;
	table_scroll_to(*selected, want[S_PODS], *page, top);
	for (s = 0; s < NSECT; s++) {
		struct table_view tv;
		struct table_column cols[MAXCOLS];
		struct krow *rows;
		struct table_row *trows;
		char title[DETAIL_CELL * 4];
		size_t from = s == S_PODS ? *top : 0;

		if (y >= r.y + r.h)
			break;
		section_title(s, dd, v, title, sizeof title);
		text_draw(c, r.x, y, r.w, title, ROLE_HEADER, ATTR_BOLD);
		make_table(s, dd, v, from, from + (size_t)got[s], &tv, &rows, &trows, cols, r.w);
		if (s == S_PODS && *selected >= *top && tv.nrows > 0)
			tv.selected = *selected - *top;
		table_draw(c, (struct rect){ r.x, y + 1, r.w, got[s] + 1 }, &tv);
		free(rows);
		free(trows);
		y += 2 + got[s] + (seps ? 1 : 0);
	}
	return used;
}

/* ---- Markdown ------------------------------------------------------------------------- */

void
detail_k8s_markdown(const struct view_ctx *v, const struct detail_data *dd, struct buf *out)
{
	static const char *const heads[NSECT] = { "Pods", "Revisions", "Events" };
	const struct detail_k8s *k = k8s_of(dd);
	int s;

	for (s = 0; s < NSECT; s++) {
		struct table_view tv;
		struct table_column cols[MAXCOLS];
		struct krow *rows;
		struct table_row *trows;
		char title[DETAIL_CELL * 4];
		size_t n = k == NULL     ? 0
			   : s == S_PODS ? k->npods
			   : s == S_REVS ? k->nrevs
					 : k->nevents;

		section_title(s, dd, v, title, sizeof title);
		buf_printf(out, "\n### %s\n\n", heads[s]);
		if (strchr(title, ' ') != NULL) {
			text_sanitize_buf(strchr(title, ' ') + 1, out, v->ascii);
			buf_puts(out, "\n\n");
		}
		make_table(s, dd, v, 0, n, &tv, &rows, &trows, cols, 1000);
		table_write_markdown(&tv, out, v->ascii);
		free(rows);
		free(trows);
	}
}
