/*
 * The Service detail of an Amazon ECS service: in place of the instances,
 * its TASKS (last status, health, revision, zone, age, the containers'
 * exit codes and why a task stopped; stopped tasks of the last hour
 * too), its DEPLOYMENTS (PRIMARY and ACTIVE, counts, rollout state and
 * why), its task-definition REVISIONS (the current one and the one a
 * rollback goes to marked), its TARGET GROUPS and its EVENTS (newest
 * first; placement failures and unhealthy targets in WARN) - what the
 * ECS console's service page answers "why is this deployment stuck" with.
 */
#include "detail_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "text.h"
#include "xalloc.h"

/* Rows each section keeps while the charts are shown too. */
#define CAP_TASKS 6
#define CAP_DEPS 2
#define CAP_REVS 3
#define CAP_EVENTS 4
#define MAX_CHART_H 18 /* rows beyond this go to the sections */

/* The table sections, in display order; the target groups' line sits before the events. */
enum { S_TASKS, S_DEPS, S_REVS, S_EVENTS, NSECT };

enum task_col { T_ID, T_STATUS, T_HEALTH, T_REV, T_AZ, T_AGE, T_EXIT, T_REASON, NTCOLS };

/*
 * At 80 columns: id, status, health, revision, how long in that status,
 * exit codes and the reason a task stopped; the zone comes with width.  Deployments drop
 * the reason last; revisions are their images; events their message.
 */
static const struct table_column task_cols[NTCOLS] = {
	[T_ID] = { "ID", 12, 12, 0, 0, ALIGN_LEFT, false },
	[T_STATUS] = { "STATUS", 7, 14, 0, 0, ALIGN_LEFT, false }, /* fitted */
	[T_HEALTH] = { "HEALTH", 7, 9, 0, 0, ALIGN_LEFT, false },  /* fitted */
	[T_REV] = { "REV", 3, 8, 0, 0, ALIGN_RIGHT, false },       /* fitted */
	[T_AZ] = { "AZ", 10, 16, 0, 2, ALIGN_LEFT, false },        /* fitted */
	[T_AGE] = { "SINCE", 6, 6, 0, 0, ALIGN_RIGHT, false },
	[T_EXIT] = { "EXIT", 4, 24, 0, 0, ALIGN_LEFT, false }, /* fitted */
	[T_REASON] = { "REASON", 24, 0, 3, 0, ALIGN_LEFT, false },
};

enum dep_col { D_STATUS, D_TASKDEF, D_RUN, D_PEND, D_FAIL, D_ROLLOUT, D_AGE, D_REASON, NDCOLS };

static const struct table_column dep_cols[NDCOLS] = {
	[D_STATUS] = { "STATUS", 7, 8, 0, 0, ALIGN_LEFT, false },
	[D_TASKDEF] = { "TASK DEFINITION", 9, 40, 0, 0, ALIGN_LEFT, false }, /* fitted */
	[D_RUN] = { "RUN", 5, 9, 0, 0, ALIGN_RIGHT, false },                 /* fitted */
	[D_PEND] = { "PEND", 4, 5, 0, 0, ALIGN_RIGHT, false },
	[D_FAIL] = { "FAIL", 4, 5, 0, 0, ALIGN_RIGHT, false },
	[D_ROLLOUT] = { "ROLLOUT", 9, 11, 0, 0, ALIGN_LEFT, false }, /* fitted */
	[D_AGE] = { "AGE", 6, 6, 0, 0, ALIGN_RIGHT, false },
	[D_REASON] = { "REASON", 12, 0, 3, 0, ALIGN_LEFT, false },
};

enum rev_col { R_REV, R_MARK, R_AGE, R_IMAGES, NRCOLS };

static const struct table_column rev_cols[NRCOLS] = {
	[R_REV] = { "REV", 3, 20, 0, 0, ALIGN_RIGHT, false }, /* fitted */
	[R_MARK] = { "", 12, 12, 0, 0, ALIGN_LEFT, false },
	[R_AGE] = { "AGE", 6, 6, 0, 0, ALIGN_RIGHT, false },
	[R_IMAGES] = { "IMAGES", 20, 0, 3, 0, ALIGN_LEFT, false },
};

enum ev_col { E_AGE, E_MESSAGE, NECOLS };

static const struct table_column ev_cols[NECOLS] = {
	[E_AGE] = { "AGE", 6, 6, 0, 0, ALIGN_RIGHT, false },
	[E_MESSAGE] = { "MESSAGE", 20, 0, 4, 0, ALIGN_LEFT, false },
};

#define MAXCOLS NTCOLS

/* One table row's formatted text and cells. */
struct erow {
	char text[MAXCOLS][DETAIL_CELL];
	char images[DETAIL_CELL * 8]; /* a revision's images without their registries */
	struct table_cell cells[MAXCOLS];
};

bool
detail_ecs_applies(const struct service *svc)
{
	return svc->rt.present && svc->rt.kind != NULL && strcmp(svc->rt.kind, "ecs") == 0;
}

/* borrowed: the ECS data when a round has brought it, else NULL. */
static const struct detail_ecs *
ecs_of(const struct detail_data *dd)
{
	return dd != NULL && dd->have_runtime && dd->ecs.present ? &dd->ecs : NULL;
}

void
detail_ecs_where(const struct runtime_state *rt, const struct detail_data *dd, char *out, size_t n)
{
	const struct detail_ecs *e = ecs_of(dd);

	if (e != NULL && e->cluster[0] != '\0')
		snprintf(out, n, "ecs @ %s%s%s", e->cluster, e->region[0] ? "/" : "", e->region);
	else
		snprintf(out, n, "ecs @ %s", rt->context != NULL ? rt->context : "?");
}

size_t
detail_ecs_ntasks(const struct detail_data *dd)
{
	const struct detail_ecs *e = ecs_of(dd);

	return e != NULL ? e->ntasks : 0;
}

/* borrowed: message without ECS's "(service NAME) " prefix, which the screen names already. */
static const char *
event_text(const char *message)
{
	const char *p;

	if (strncmp(message, "(service ", 9) != 0)
		return message;
	p = strstr(message, ") ");
	return p != NULL && p[2] != '\0' ? p + 2 : message;
}

static void
row_init(struct erow *r, int ncols)
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
status_role(const struct detail_ecs_task *t)
{
	if (strcmp(t->last_status, "RUNNING") == 0)
		return strcmp(t->desired, "STOPPED") == 0 ? ROLE_DIM : ROLE_OK;
	if (strcmp(t->last_status, "STOPPED") == 0)
		return t->failed ? ROLE_CRIT : ROLE_DIM;
	if (strcmp(t->last_status, "DEPROVISIONING") == 0 ||
	    strcmp(t->last_status, "STOPPING") == 0 || strcmp(t->last_status, "DEACTIVATING") == 0)
		return t->failed ? ROLE_CRIT : ROLE_DIM;
	return ROLE_WARN; /* PROVISIONING, PENDING, ACTIVATING */
}

/* Since when t is in its status: it stopped, it started, it was made. */
static double
since(const struct detail_ecs_task *t)
{
	if (t->stopped > 0 && strcmp(t->last_status, "STOPPED") == 0)
		return t->stopped;
	if (t->started > 0 && strcmp(t->last_status, "RUNNING") == 0)
		return t->started;
	return t->created;
}

static void
fill_task(struct erow *r, const struct detail_ecs_task *t, const struct view_ctx *v)
{
	row_init(r, NTCOLS);
	snprintf(r->text[T_ID], DETAIL_CELL, "%.12s", t->id);
	r->cells[T_STATUS].text = t->last_status;
	r->cells[T_STATUS].role = status_role(t);
	r->cells[T_HEALTH].text = t->health[0] ? t->health : "-";
	r->cells[T_HEALTH].role = strcmp(t->health, "UNHEALTHY") == 0 ? ROLE_CRIT
				  : strcmp(t->health, "HEALTHY") == 0 ? ROLE_OK
								      : ROLE_DIM;
	r->cells[T_REV].text = t->revision[0] ? t->revision : "-";
	if (t->revision[0] == '\0')
		r->cells[T_REV].role = ROLE_DIM;
	r->cells[T_AZ].text = t->az[0] ? t->az : "-";
	if (t->az[0] == '\0')
		r->cells[T_AZ].role = ROLE_DIM;
	detail_age(v->now, since(t), r->text[T_AGE], DETAIL_CELL);
	r->cells[T_EXIT].text = t->exits;
	r->cells[T_REASON].text = t->reason; /* may be long: the table clips by width */
	r->cells[T_EXIT].role = r->cells[T_REASON].role = t->failed ? ROLE_CRIT : ROLE_DIM;
}

static enum role
rollout_state_role(const char *state)
{
	if (strcmp(state, "FAILED") == 0)
		return ROLE_CRIT;
	if (strcmp(state, "IN_PROGRESS") == 0)
		return ROLE_WARN;
	return ROLE_DIM;
}

static void
fill_dep(struct erow *r, const struct detail_ecs_deployment *d, const struct view_ctx *v)
{
	row_init(r, NDCOLS);
	r->cells[D_STATUS].text = d->status;
	r->cells[D_STATUS].role = strcmp(d->status, "PRIMARY") == 0 ? ROLE_NORMAL : ROLE_DIM;
	r->cells[D_TASKDEF].text = d->task_definition;
	snprintf(r->text[D_RUN], DETAIL_CELL, "%ld/%ld", d->running, d->desired);
	if (d->running < d->desired)
		r->cells[D_RUN].role = d->running == 0 ? ROLE_CRIT : ROLE_WARN;
	snprintf(r->text[D_PEND], DETAIL_CELL, "%ld", d->pending);
	r->cells[D_PEND].role = d->pending > 0 ? ROLE_WARN : ROLE_DIM;
	snprintf(r->text[D_FAIL], DETAIL_CELL, "%ld", d->failed);
	r->cells[D_FAIL].role = d->failed > 0 ? ROLE_CRIT : ROLE_DIM;
	r->cells[D_ROLLOUT].text = d->rollout_state[0] ? d->rollout_state : "-";
	r->cells[D_ROLLOUT].role = rollout_state_role(d->rollout_state);
	detail_age(v->now, d->created, r->text[D_AGE], DETAIL_CELL);
	r->cells[D_REASON].text = d->rollout_reason;
	r->cells[D_REASON].role = strcmp(d->rollout_state, "FAILED") == 0 ? ROLE_CRIT : ROLE_DIM;
}

/*
 * images ("123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:2.0.3, ...")
 * without their registries and paths ("orders:2.0.3, ..."), into out: what
 * tells revisions apart is the tag, and it is the end that a narrow column
 * would cut.
 */
static void
short_images(const char *images, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	while (*images != '\0' && len + 1 < n) {
		size_t one = strcspn(images, ","), k;
		const char *start = images;
		int w;

		for (k = 0; k < one; k++)
			if (images[k] == '/')
				start = images + k + 1;
		w = snprintf(out + len, n - len, "%s%.*s", len > 0 ? ", " : "",
			     (int)(images + one - start), start);
		if (w < 0)
			break;
		len = strlen(out);
		images += one;
		while (*images == ',' || *images == ' ')
			images++;
	}
}

static void
fill_rev(struct erow *r, const struct detail_revision *rv, const struct view_ctx *v, int iw)
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
	detail_age(v->now, rv->created, r->text[R_AGE], DETAIL_CELL);
	r->cells[R_IMAGES].text = rv->images[0] ? rv->images : "-";
	if (iw > 0 && text_width(rv->images) > iw) {
		short_images(rv->images, r->images, sizeof r->images);
		r->cells[R_IMAGES].text = r->images;
	}
	if (!rv->current && !rv->rollback)
		r->cells[R_IMAGES].role = ROLE_DIM;
}

static void
fill_event(struct erow *r, const struct detail_event *e, const struct view_ctx *v)
{
	bool warn = strcmp(e->type, "Warning") == 0;

	row_init(r, NECOLS);
	detail_age(v->now, e->last, r->text[E_AGE], DETAIL_CELL);
	r->cells[E_MESSAGE].text = event_text(e->message);
	r->cells[E_MESSAGE].role = warn ? ROLE_WARN : ROLE_NORMAL;
}

/* Row i of section s; iw: the images' column width (0: whole images). */
static void
fill(int s, struct erow *r, const struct detail_ecs *e, size_t i, const struct view_ctx *v, int iw)
{
	if (s == S_TASKS)
		fill_task(r, &e->tasks[i], v);
	else if (s == S_DEPS)
		fill_dep(r, &e->deps[i], v);
	else if (s == S_REVS)
		fill_rev(r, &e->revs[i], v, iw);
	else
		fill_event(r, &e->events[i], v);
}

static size_t
section_rows(int s, const struct detail_ecs *e)
{
	if (e == NULL)
		return 0;
	return s == S_TASKS  ? e->ntasks
	       : s == S_DEPS ? e->ndeps
	       : s == S_REVS ? e->nrevs
			     : e->nevents;
}

/*
 * Widths that follow the rows: a fitted column is as wide as its longest
 * cell (over all rows, so scrolling does not shift them) within its
 * bounds, so short words leave the reason and images their room.
 */
static void
fit_columns(int s, const struct detail_ecs *e, const struct view_ctx *v, struct table_column *cols)
{
	static const int task_fit[NTCOLS] = {
		[T_STATUS] = 14, [T_HEALTH] = 9, [T_REV] = 8, [T_AZ] = 16, [T_EXIT] = 24
	};
	static const int dep_fit[NDCOLS] = { [D_TASKDEF] = 40, [D_RUN] = 9, [D_ROLLOUT] = 11 };
	static const int rev_fit[NRCOLS] = { [R_REV] = 20 };
	static const int ev_fit[NECOLS] = { 0 };
	const int *fit = s == S_TASKS  ? task_fit
			 : s == S_DEPS ? dep_fit
			 : s == S_REVS ? rev_fit
				       : ev_fit;
	int ncols = s == S_TASKS ? NTCOLS : s == S_DEPS ? NDCOLS : s == S_REVS ? NRCOLS : NECOLS;
	int longest[MAXCOLS], c;
	size_t i, n = section_rows(s, e);
	struct erow *r;

	if (n == 0)
		return;
	r = xcalloc(1, sizeof *r);
	for (c = 0; c < ncols; c++)
		longest[c] = text_width(cols[c].title);
	for (i = 0; i < n; i++) {
		fill(s, r, e, i, v, 0);
		for (c = 0; c < ncols; c++) {
			int w = fit[c] > 0 && r->cells[c].text ? text_width(r->cells[c].text) : 0;

			if (w > longest[c])
				longest[c] = w;
		}
	}
	free(r);
	for (c = 0; c < ncols; c++) {
		if (fit[c] == 0)
			continue;
		cols[c].min_width = longest[c] < fit[c] ? longest[c] : fit[c];
		if (cols[c].max_width > 0 && cols[c].max_width < cols[c].min_width)
			cols[c].max_width = cols[c].min_width;
	}
}

/*
 * Rows [from, to) of section s as a table view; *rows and *trows new.
 * Before the first answer the table says why it is empty.
 */
static void
make_table(int s, const struct detail_data *dd, const struct view_ctx *v, size_t from, size_t to,
	   struct table_view *tv, struct erow **rows, struct table_row **trows,
	   struct table_column cols[MAXCOLS], int width)
{
	static const struct table_column *const defs[NSECT] = { task_cols, dep_cols, rev_cols,
								ev_cols };
	static const size_t sizes[NSECT] = { sizeof task_cols, sizeof dep_cols, sizeof rev_cols,
					     sizeof ev_cols };
	static const size_t ncols[NSECT] = { NTCOLS, NDCOLS, NRCOLS, NECOLS };
	const struct detail_ecs *e = ecs_of(dd);
	size_t i, n = section_rows(s, e);
	int iw = 0;

	if (to > n)
		to = n;
	if (from > to)
		from = to;
	memcpy(cols, defs[s], sizes[s]);
	fit_columns(s, e, v, cols);
	if (s == S_REVS) /* the images take what the fixed columns leave */
		iw = width - cols[R_REV].min_width - cols[R_MARK].min_width -
		     cols[R_AGE].min_width - 3;
	*rows = xcalloc(to - from + 1, sizeof **rows);
	*trows = xcalloc(to - from + 1, sizeof **trows);
	for (i = from; i < to; i++) {
		struct erow *r = &(*rows)[i - from];

		fill(s, r, e, i, v, iw);
		(*trows)[i - from].cells = r->cells;
		(*trows)[i - from].role = ROLE_NORMAL;
	}
	memset(tv, 0, sizeof *tv);
	tv->cols = cols;
	tv->ncols = ncols[s];
	tv->rows = *trows;
	tv->nrows = to - from;
	tv->selected = (size_t)-1;
	tv->sort_col = -1;
	if (e == NULL)
		tv->empty_text = dd != NULL && dd->runtime_err.code != ERR_OK
					 ? "no answer from ECS (see above)"
					 : "asking ECS...";
	else if (s == S_TASKS)
		tv->empty_text = "no tasks running or stopped in the last hour";
	else if (s == S_DEPS)
		tv->empty_text = "no deployments";
	else if (s == S_REVS)
		tv->empty_text = e->revs_err.code != ERR_OK ? e->revs_err.msg
							    : "no ACTIVE revisions of the family";
	else
		tv->empty_text = "no events";
}

/* ---- section titles ---------------------------------------------------------------- */

static void
section_title(int s, const struct detail_data *dd, const struct view_ctx *v, char *out, size_t n)
{
	static const char *const names[NSECT] = { "TASKS", "DEPLOYMENTS", "REVISIONS", "EVENTS" };
	const struct detail_ecs *e = ecs_of(dd);
	size_t i, k = 0;
	int len;

	len = snprintf(out, n, "%s", names[s]);
	if (e == NULL || len < 0 || (size_t)len >= n)
		return;
	out += len;
	n -= (size_t)len;
	if (s == S_TASKS) {
		size_t run = 0, starting = 0, stopping;
		char mid[64] = "";

		for (i = 0; i < e->ntasks; i++) {
			const char *st = e->tasks[i].last_status;

			k += strcmp(st, "STOPPED") == 0;
			run += strcmp(st, "RUNNING") == 0;
			starting += strcmp(st, "PROVISIONING") == 0 || strcmp(st, "PENDING") == 0 ||
				    strcmp(st, "ACTIVATING") == 0;
		}
		stopping = e->ntasks - k - run - starting;
		if (starting > 0)
			snprintf(mid, sizeof mid, ", %zu starting", starting);
		if (stopping > 0)
			snprintf(mid + strlen(mid), sizeof mid - strlen(mid), ", %zu stopping",
				 stopping);
		snprintf(out, n, " %zu%s %s %zu running%s, %zu stopped in the last hour%s",
			 e->ntasks, e->more_tasks ? "+" : "", detail_dot(v), run, mid, k,
			 e->more_tasks ? " (the first page only)" : "");
	} else if (s == S_DEPS) {
		const char *state = e->ndeps > 0 ? e->deps[0].rollout_state : "";

		snprintf(out, n, " %zu%s%s%s%s", e->ndeps, state[0] ? " " : "",
			 state[0] ? detail_dot(v) : "", state[0] ? " PRIMARY " : "", state);
	} else if (s == S_REVS) {
		const char *cur = "", *back = "";

		for (i = 0; i < e->nrevs; i++) {
			if (e->revs[i].current)
				cur = e->revs[i].revision;
			if (e->revs[i].rollback)
				back = e->revs[i].revision;
		}
		snprintf(out, n, " %zu%s%s%s%s%s%s%s%.160s", e->nrevs, cur[0] ? " " : "",
			 cur[0] ? detail_dot(v) : "", cur[0] ? " current " : "", cur,
			 back[0] ? ", rollback to " : "", back,
			 e->revs_err.code != ERR_OK ? " - not refreshed: " : "",
			 e->revs_err.code != ERR_OK ? e->revs_err.msg : "");
	} else {
		for (i = 0; i < e->nevents; i++)
			k += strcmp(e->events[i].type, "Warning") == 0;
		if (e->nevents == 0)
			snprintf(out, n, " 0");
		else
			snprintf(out, n, " %zu %s %zu warning%s", e->nevents, detail_dot(v), k,
				 k == 1 ? "" : "s");
	}
}

/* "TARGET GROUPS 2 · orders-tg, orders-canary" (or "none"), into out. */
static void
target_groups_line(const struct detail_data *dd, const struct view_ctx *v, char *out, size_t n)
{
	const struct detail_ecs *e = ecs_of(dd);
	size_t i, len;

	if (e == NULL) {
		snprintf(out, n, "TARGET GROUPS");
		return;
	}
	snprintf(out, n, "TARGET GROUPS %zu %s %s", e->ntarget_groups, detail_dot(v),
		 e->ntarget_groups == 0 ? "no load balancer" : "");
	for (i = 0; i < e->ntarget_groups; i++) {
		char name[DETAIL_CELL * 2];

		len = strlen(out);
		if (len + 1 >= n)
			break;
		detail_data_target_group_name(e->target_groups[i], name, sizeof name);
		snprintf(out + len, n - len, "%s%s", i > 0 ? ", " : "", name);
	}
}

/* ---- layout -------------------------------------------------------------------------- */

/*
 * Add rows one at a time, tasks, events, deployments, tasks again and
 * revisions in turn, while any section wants more: the tasks say most.
 */
static void
spread(int rows, const size_t want[NSECT], int got[NSECT])
{
	static const int order[] = { S_TASKS, S_EVENTS, S_DEPS, S_TASKS, S_REVS };
	bool more = true;
	int i;

	while (rows > 0 && more) {
		more = false;
		for (i = 0; i < (int)(sizeof order / sizeof order[0]) && rows > 0; i++) {
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
 * The rows of each section in a body of avail rows: each table section
 * takes a title and a header row, the target groups one row.  With leave
 * > 0 the charts want that many rows below: the sections are capped so
 * they fit if they can, and charts taller than MAX_CHART_H give the rest
 * back.  Without room for the charts the sections fill the body.  Returns
 * the rows used; *seps is whether a blank row goes between sections.
 */
static int
layout(int avail, int leave, const size_t want_in[NSECT], int got[NSECT], bool *seps)
{
	static const size_t caps[NSECT] = { CAP_TASKS, CAP_DEPS, CAP_REVS, CAP_EVENTS };
	size_t want[NSECT], capped[NSECT];
	int i, fixed = 2 * NSECT + 1, nseps = NSECT, need = 0, total = 0;

	for (i = 0; i < NSECT; i++) {
		want[i] = want_in[i] > 0 ? want_in[i] : 1; /* one row for "no ..." */
		capped[i] = want[i] < caps[i] ? want[i] : caps[i];
		need += (int)capped[i];
		total += (int)want[i];
		got[i] = 0;
	}
	*seps = true;
	if (leave > 0 && avail - (fixed + nseps + need) < leave && avail - (fixed + need) >= leave)
		*seps = false; /* five sections and the charts: no blank rows between */
	if (leave > 0 && avail - (fixed + (*seps ? nseps : 0) + need) >= leave) {
		int spare = avail - (fixed + (*seps ? nseps : 0) + need) - MAX_CHART_H;

		for (i = 0; i < NSECT; i++)
			got[i] = (int)capped[i];
		if (spare > 0)
			spread(spare, want, got);
	} else {
		*seps = avail >= fixed + nseps + total;
		spread(avail - fixed - (*seps ? nseps : 0), want, got);
	}
	return fixed + (*seps ? nseps : 0) + got[S_TASKS] + got[S_DEPS] + got[S_REVS] +
	       got[S_EVENTS];
}

int
detail_ecs_draw(struct canvas *c, struct rect r, const struct view_ctx *v,
		const struct detail_data *dd, int leave, size_t *selected, size_t *top, int *page)
{
	const struct detail_ecs *e = ecs_of(dd);
	size_t want[NSECT];
	int got[NSECT], used, s, y = r.y;
	bool seps;

	for (s = 0; s < NSECT; s++)
		want[s] = section_rows(s, e);
	used = layout(r.h, leave, want, got, &seps);
	if (*selected >= want[S_TASKS])
		*selected = want[S_TASKS] ? want[S_TASKS] - 1 : 0;
	*page = got[S_TASKS] > 0 ? got[S_TASKS] : 1;
	table_scroll_to(*selected, want[S_TASKS], *page, top);
	for (s = 0; s < NSECT; s++) {
		struct table_view tv;
		struct table_column cols[MAXCOLS];
		struct erow *rows;
		struct table_row *trows;
		char title[DETAIL_CELL * 8];
		size_t from = s == S_TASKS ? *top : 0;

		if (s == S_EVENTS && y < r.y + r.h) {
			target_groups_line(dd, v, title, sizeof title);
			text_draw(c, r.x, y, r.w, title, ROLE_HEADER, ATTR_BOLD);
			y += 1 + (seps ? 1 : 0);
		}
		if (y >= r.y + r.h)
			break;
		section_title(s, dd, v, title, sizeof title);
		text_draw(c, r.x, y, r.w, title, ROLE_HEADER, ATTR_BOLD);
		make_table(s, dd, v, from, from + (size_t)got[s], &tv, &rows, &trows, cols, r.w);
		if (s == S_TASKS && *selected >= *top && tv.nrows > 0)
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
detail_ecs_markdown_runtime(const struct view_ctx *v, const struct service *svc,
			    const struct detail_data *dd, char *out, size_t n)
{
	const struct runtime_state *rt = &svc->rt;
	const struct detail_ecs *e = ecs_of(dd);
	char where[DETAIL_CELL * 2], a[32], counts[64];
	double deployed = e != NULL && e->deployed > 0 ? e->deployed : rt->deployed_at;
	long running = e != NULL ? e->running : rt->running;
	long desired = e != NULL ? e->desired : rt->desired;

	detail_ecs_where(rt, dd, where, sizeof where);
	detail_age(v->now, deployed, a, sizeof a);
	if (running >= 0 && desired >= 0)
		snprintf(counts, sizeof counts, "%ld/%ld", running, desired);
	else
		snprintf(counts, sizeof counts, "-");
	if (e != NULL)
		snprintf(out, n,
			 "%s, running %s, pending %ld, task definition %s, launch type %s, "
			 "deployed %s%s",
			 where, counts, e->pending,
			 e->family_revision[0] ? e->family_revision : "-",
			 e->launch_type[0] ? e->launch_type : "-", a, deployed > 0 ? " ago" : "");
	else
		snprintf(out, n,
			 "%s, running %s, pending %ld, task definition %s, launch type %s, "
			 "deployed %s%s",
			 where, counts, rt->pending, rt->version ? rt->version : "-",
			 rt->platform ? rt->platform : "-", a, deployed > 0 ? " ago" : "");
}

void
detail_ecs_markdown(const struct view_ctx *v, const struct detail_data *dd, struct buf *out)
{
	static const char *const heads[NSECT] = { "Tasks", "Deployments", "Revisions", "Events" };
	const struct detail_ecs *e = ecs_of(dd);
	int s;

	for (s = 0; s < NSECT; s++) {
		struct table_view tv;
		struct table_column cols[MAXCOLS];
		struct erow *rows;
		struct table_row *trows;
		char title[DETAIL_CELL * 8];

		if (s == S_EVENTS) {
			size_t i;

			buf_puts(out, "\n### Target groups\n\n");
			for (i = 0; e != NULL && i < e->ntarget_groups; i++) {
				char name[DETAIL_CELL * 2];

				detail_data_target_group_name(e->target_groups[i], name,
							      sizeof name);
				buf_puts(out, "- ");
				text_sanitize_buf(name, out, v->ascii);
				buf_puts(out, ": ");
				text_sanitize_buf(e->target_groups[i], out, v->ascii);
				buf_putc(out, '\n');
			}
			if (e == NULL || e->ntarget_groups == 0)
				buf_puts(out, "none\n");
		}
		section_title(s, dd, v, title, sizeof title);
		buf_printf(out, "\n### %s\n\n", heads[s]);
		if (strchr(title, ' ') != NULL) {
			text_sanitize_buf(strchr(title, ' ') + 1, out, v->ascii);
			buf_puts(out, "\n\n");
		}
		make_table(s, dd, v, 0, section_rows(s, e), &tv, &rows, &trows, cols, 0);
		table_write_markdown(&tv, out, v->ascii);
		free(rows);
		free(trows);
	}
}
