/*
 * The Service detail's header: name, status, runtime, replicas, version,
 * the last deployment, restarts; what is in flight; why a rollout is
 * stuck or a task failed; the runtime's error; the deployment history.
 */
#include "detail_internal.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

/* Segments drawn left to right, wrapping to the next row when one does not fit. */
struct flow {
	struct canvas *c;
	struct rect r;
	int x, y;   /* next position */
	int rows;   /* rows used */
	bool first; /* nothing on this row yet */
	const char *sep;
};

static void
flow_start(struct flow *f, struct canvas *c, struct rect r, int y, const char *sep)
{
	f->c = c;
	f->r = r;
	f->x = r.x;
	f->y = y;
	f->rows = 1;
	f->first = true;
	f->sep = sep;
}

static void
flow_put(struct flow *f, const char *s, enum role role, unsigned attr, bool sep)
{
	int w = text_width(s), sw = sep && !f->first ? text_width(f->sep) + 2 : 1;

	if (f->first)
		sw = 0;
	if (!f->first && f->x + sw + w > f->r.x + f->r.w) {
		f->y++;
		f->rows++;
		f->x = f->r.x;
		f->first = true;
		sw = 0;
	}
	if (f->y >= f->r.y + f->r.h)
		return;
	if (sw > 1) {
		text_draw(f->c, f->x + 1, f->y, 1, f->sep, ROLE_DIM, ATTR_NONE);
	}
	f->x += sw;
	f->x += text_draw(f->c, f->x, f->y, f->r.x + f->r.w - f->x, s, role, attr);
	f->first = false;
}

/* One line: a label in role, then text in role (clipped with an ellipsis). */
static void
problem_line(struct canvas *c, struct rect r, int y, const char *label, const char *text,
	     enum role role)
{
	int x = r.x;

	x += text_draw(c, x, y, r.w, label, role, ATTR_BOLD);
	x += text_draw(c, x, y, r.x + r.w - x, " ", role, ATTR_NONE);
	text_draw(c, x, y, r.x + r.w - x, text, role, ATTR_NONE);
}

static enum role
rollout_role(const char *state)
{
	if (strstr(state, "paused") != NULL || strcmp(state, "failed") == 0)
		return ROLE_CRIT; /* failed: a Kubernetes ProgressDeadlineExceeded */
	if (strcmp(state, "completed") == 0)
		return ROLE_DIM;
	return ROLE_WARN; /* updating, rollback_started, rollback_completed */
}

/* An ECS service's runtime segments: where, counts, task definition, launch type, deployed. */
static void
ecs_segments(struct flow *f, const struct view_ctx *v, const struct runtime_state *rt,
	     const struct detail_data *dd)
{
	const struct detail_ecs *e =
		dd != NULL && dd->have_runtime && dd->ecs.present ? &dd->ecs : NULL;
	long running = e != NULL ? e->running : rt->running;
	long desired = e != NULL ? e->desired : rt->desired;
	double deployed = e != NULL && e->deployed > 0 ? e->deployed : rt->deployed_at;
	char buf[DETAIL_CELL * 4], a[32];

	detail_ecs_where(rt, dd, buf, sizeof buf);
	flow_put(f, buf, ROLE_NORMAL, ATTR_NONE, false);
	if (desired >= 0 && running >= 0) {
		snprintf(buf, sizeof buf, "running %ld/%ld", running, desired);
		flow_put(f, buf,
			 desired >= 1 && running == 0 ? ROLE_CRIT
			 : running < desired          ? ROLE_WARN
						      : ROLE_NORMAL,
			 ATTR_NONE, true);
	}
	if (e != NULL) {
		snprintf(buf, sizeof buf, "pending %ld", e->pending);
		flow_put(f, buf, e->pending > 0 ? ROLE_WARN : ROLE_NORMAL, ATTR_NONE, true);
		if (e->family_revision[0] != '\0')
			flow_put(f, e->family_revision, ROLE_NORMAL, ATTR_NONE, true);
		if (e->launch_type[0] != '\0')
			flow_put(f, e->launch_type, ROLE_NORMAL, ATTR_NONE, true);
	} else {
		/* Only the model's row: its version is the family:revision. */
		if (rt->pending > 0) {
			snprintf(buf, sizeof buf, "pending %ld", rt->pending);
			flow_put(f, buf, ROLE_WARN, ATTR_NONE, true);
		}
		if (rt->version != NULL && rt->version[0] != '\0')
			flow_put(f, rt->version, ROLE_NORMAL, ATTR_NONE, true);
		if (rt->platform != NULL && rt->platform[0] != '\0')
			flow_put(f, rt->platform, ROLE_NORMAL, ATTR_NONE, true);
	}
	detail_age(v->now, deployed, a, sizeof a);
	if (deployed > 0)
		snprintf(buf, sizeof buf, "deployed %s ago", a);
	else
		snprintf(buf, sizeof buf, "deployed -");
	flow_put(f, buf, ROLE_NORMAL, ATTR_NONE, true);
	if (rt->restarts >= 0) {
		snprintf(buf, sizeof buf, "restarts %ld", rt->restarts);
		flow_put(f, buf, rt->crash_looping ? ROLE_CRIT : ROLE_NORMAL, ATTR_NONE, true);
	}
}

int
detail_header_draw(struct canvas *c, struct rect r, const struct view_ctx *v,
		   const struct service *svc, const struct detail_data *dd)
{
	const struct runtime_state *rt = &svc->rt;
	bool k8s = detail_k8s_applies(svc), ecs = detail_ecs_applies(svc);
	const struct detail_ecs *es =
		ecs && dd != NULL && dd->have_runtime && dd->ecs.present ? &dd->ecs : NULL;
	const struct detail_k8s *k =
		k8s && dd != NULL && dd->have_runtime && dd->k8s.present ? &dd->k8s : NULL;
	enum status st = model_service_status(svc, v->th, v->now, v->stale_after);
	const char *progress = v->progress ? v->progress(v->progress_ud, svc->name) : NULL;
	struct flow f;
	char buf[DETAIL_CELL * 4], a[32];
	int y;

	flow_start(&f, c, (struct rect){ r.x, r.y, r.w, 2 }, r.y, detail_dot(v));
	flow_put(&f, svc->name, ROLE_HEADER, ATTR_BOLD, false);
	flow_put(&f, status_name(st), (enum role)view_status_role(st), ATTR_BOLD, false);
	if (rt->present && ecs) {
		ecs_segments(&f, v, rt, dd);
	} else if (rt->present) {
		long running = k != NULL ? k->ready : rt->running;
		long desired = k != NULL ? k->replicas : rt->desired;
		double deployed =
			k != NULL && dd->update_started > 0 ? dd->update_started : rt->deployed_at;
		const char *deployed_word = k8s ? "rolled out" : "deployed";

		if (k8s)
			detail_k8s_where(rt, dd, buf, sizeof buf);
		else
			snprintf(buf, sizeof buf, "%s @ %s", rt->kind ? rt->kind : "?",
				 rt->context ? rt->context : "?");
		flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, false);
		if (desired >= 0 && running >= 0) {
			snprintf(buf, sizeof buf, "replicas %ld/%ld", running, desired);
			flow_put(&f, buf,
				 desired >= 1 && running == 0 ? ROLE_CRIT
				 : running < desired          ? ROLE_WARN
							      : ROLE_NORMAL,
				 ATTR_NONE, true);
		}
		snprintf(buf, sizeof buf, "version %s", rt->version ? rt->version : "-");
		flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, true);
		if (k != NULL && k->revision[0] != '\0') {
			snprintf(buf, sizeof buf, "revision %s%s%s", k->revision,
				 k->update_revision[0] ? " -> " : "", k->update_revision);
			flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, true);
		} else if (k8s && rt->revision != NULL && rt->revision[0] != '\0') {
			snprintf(buf, sizeof buf, "revision %s", rt->revision);
			flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, true);
		}
		detail_age(v->now, deployed, a, sizeof a);
		if (deployed > 0)
			snprintf(buf, sizeof buf, "%s %s ago", deployed_word, a);
		else
			snprintf(buf, sizeof buf, "%s -", deployed_word);
		flow_put(&f, buf, ROLE_NORMAL, ATTR_NONE, true);
		if (rt->restarts >= 0) {
			snprintf(buf, sizeof buf, "restarts %ld", rt->restarts);
			flow_put(&f, buf, rt->crash_looping ? ROLE_CRIT : ROLE_NORMAL, ATTR_NONE,
				 true);
		}
	} else {
		flow_put(&f, "no runtime reports this service", ROLE_DIM, ATTR_NONE, false);
	}
	y = r.y + f.rows;
	if (progress != NULL && y < r.y + r.h)
		problem_line(c, r, y++, "in flight:", progress, ROLE_ACCENT);
	/* Why a rollout is stuck, why a task failed: the screen's first question. */
	{
		const char *state = dd && dd->have_runtime
					    ? dd->update_state
					    : (rt->rollout_state ? rt->rollout_state : "");
		const char *msg = dd && dd->have_runtime ? dd->update_message : "";
		const char *terr = dd && dd->have_runtime ? dd->task_error : "";

		if (dd == NULL || !dd->have_runtime) {
			/* Only the model: its message is the rollout's or a task's. */
			if (rt->message != NULL && state[0] != '\0')
				msg = rt->message;
			else if (rt->message != NULL)
				terr = rt->message;
		}
		if (state[0] != '\0' && y < r.y + r.h) {
			enum role role = rollout_role(state);

			if (role == ROLE_DIM) {
				detail_age(v->now, dd ? dd->update_completed : 0, a, sizeof a);
				snprintf(buf, sizeof buf, "rollout %s%s%s%s", state,
					 strcmp(a, "-") != 0 ? " " : "", strcmp(a, "-") ? a : "",
					 strcmp(a, "-") != 0 ? " ago" : "");
				text_draw(c, r.x, y++, r.w, buf, ROLE_DIM, ATTR_NONE);
			} else {
				char counts[DETAIL_CELL * 2];

				/* Kubernetes says nothing while it waits: the counts say how far. */
				if (msg[0] == '\0' && k != NULL) {
					snprintf(counts, sizeof counts,
						 "%ld of %ld updated, %ld available%s", k->updated,
						 k->replicas, k->available,
						 k->paused ? " (spec.paused: resume it)" : "");
					msg = counts;
				} else if (msg[0] == '\0' && es != NULL) {
					snprintf(counts, sizeof counts,
						 "%ld of %ld running, %ld pending", es->running,
						 es->desired, es->pending);
					msg = counts;
				}
				snprintf(buf, sizeof buf, "rollout %s:", state);
				problem_line(c, r, y++, buf, msg[0] ? msg : "(no message)", role);
			}
		}
		if (terr[0] != '\0' && y < r.y + r.h &&
		    (dd == NULL || !dd->have_runtime || dd->task_error_at <= 0 ||
		     v->now - dd->task_error_at <= DETAIL_RECENT_ERROR)) {
			if (dd != NULL && dd->have_runtime && dd->task_error_at > 0) {
				detail_age(v->now, dd->task_error_at, a, sizeof a);
				snprintf(buf, sizeof buf, "task failed %s ago:", a);
			} else {
				snprintf(buf, sizeof buf, "failing:");
			}
			problem_line(c, r, y++, buf, terr, ROLE_CRIT);
		}
	}
	if (dd != NULL && dd->runtime_err.code != ERR_OK && y < r.y + r.h)
		problem_line(c, r, y++, "runtime:", dd->runtime_err.msg, ROLE_CRIT);
	/* Deployment history: the current spec and the one a rollback returns to. */
	if (rt->present && !k8s && !ecs && dd != NULL && dd->have_runtime && y < r.y + r.h) {
		flow_start(&f, c, (struct rect){ r.x, y, r.w, 1 }, y, detail_dot(v));
		flow_put(&f, "current", ROLE_DIM, ATTR_NONE, false);
		flow_put(&f, dd->tag[0] ? dd->tag : "-", ROLE_NORMAL, ATTR_BOLD, false);
		if (dd->image[0] != '\0' && strcmp(dd->image, dd->tag) != 0) {
			snprintf(buf, sizeof buf, "(%s)", dd->image);
			flow_put(&f, buf, ROLE_DIM, ATTR_NONE, false);
		}
		flow_put(&f, "previous", ROLE_DIM, ATTR_NONE, true);
		if (dd->prev_image[0] != '\0') {
			flow_put(&f, dd->prev_tag, ROLE_NORMAL, ATTR_NONE, false);
			snprintf(buf, sizeof buf, "(%s)", dd->prev_image);
			flow_put(&f, buf, ROLE_DIM, ATTR_NONE, false);
		} else {
			flow_put(&f,
				 rt->kind && strcmp(rt->kind, "swarm") == 0
					 ? "none"
					 : "not kept by this runtime",
				 ROLE_DIM, ATTR_NONE, false);
		}
		y++;
	}
	return y - r.y;
}
