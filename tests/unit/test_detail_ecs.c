/*
 * The Service detail of an Amazon ECS service: the screen drawn from an
 * ECS part built by hand into a fixed-size canvas, diffed against
 * tests/golden/detail_ecs_*.txt: orders mid-deployment of orders:42 (a
 * broken image: two of its tasks stopped with exit code 1, one pending),
 * orders:41's three tasks still serving (listed as the builder orders
 * them: problems first), revisions 42 (current), 41
 * (where a rollback goes) and 40, one target group and the service's
 * events with a placement failure.  Plus roles, a failed rollout, no data
 * yet, the cursor, hostile text, JSON and Markdown.  The rounds that make
 * such data from ECS's answers are test_detail_ecs_round.c's.
 * UPDATE_GOLDEN=1 rewrites the golden files after a deliberate change.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "golden.h"

#include <jansson.h>

#include "buf.h"
#include "canvas.h"
#include "detail_json.h"
#include "detail_poll.h"
#include "keys.h"
#include "model.h"
#include "render.h"
#include "screens/detail.h"
#include "view.h"
#include "xalloc.h"

#define NOW 1795341660.0 /* 2026-11-22T10:01:00Z */
#define CLUSTER "shop"
#define ARN "arn:aws:ecs:us-east-1:123456789012:service/shop/orders"
#define TG                                                                           \
	"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders-tg/" \
	"6d0ecf831eec9f09"

static const struct thresholds th = { 0.01, 0.05, 0.5, 2.0 };

struct fixture {
	struct model *m;
	struct detail *d;
	struct detail_data dd;
	struct view_ctx v_;
};

static void
add_task(struct detail_ecs *e, const char *id, const char *status, const char *desired,
	 const char *health, const char *rev, const char *az, const char *exits, const char *reason,
	 bool failed, double created, double stopped)
{
	struct detail_ecs_task *t = &e->tasks[e->ntasks++];

	t->id = xstrdup(id);
	t->last_status = xstrdup(status);
	t->desired = xstrdup(desired);
	t->health = xstrdup(health);
	t->revision = xstrdup(rev);
	t->az = xstrdup(az);
	t->exits = xstrdup(exits);
	t->reason = xstrdup(reason);
	t->failed = failed;
	t->created = created;
	t->started = created > 0 ? created + 20 : 0;
	t->stopped = stopped;
}

static void
add_dep(struct detail_ecs *e, const char *status, const char *td, long desired, long running,
	long pending, long failed, const char *state, const char *reason, double created)
{
	struct detail_ecs_deployment *d = &e->deps[e->ndeps++];

	d->status = xstrdup(status);
	d->task_definition = xstrdup(td);
	d->desired = desired;
	d->running = running;
	d->pending = pending;
	d->failed = failed;
	d->rollout_state = xstrdup(state);
	d->rollout_reason = xstrdup(reason);
	d->created = created;
	d->updated = created + 30;
}

static void
add_rev(struct detail_ecs *e, const char *rev, const char *images, double registered, bool cur,
	bool back)
{
	struct detail_revision *r = &e->revs[e->nrevs++];

	r->revision = xstrdup(rev);
	r->name = xasprintf("orders:%s", rev);
	r->images = xstrdup(images);
	r->replicas = r->ready = -1;
	r->created = registered;
	r->current = cur;
	r->rollback = back;
}

static void
add_event(struct detail_ecs *e, const char *message, bool warn, double at)
{
	struct detail_event *ev = &e->events[e->nevents++];

	ev->type = xstrdup(warn ? "Warning" : "Normal");
	ev->reason = xstrdup("");
	ev->object = xstrdup("");
	ev->message = xstrdup(message);
	ev->count = 1;
	ev->last = at;
}

/* orders, as one round of the poller would leave it. */
static void
build_orders(struct detail_data *dd)
{
	struct detail_ecs *e = &dd->ecs;

	detail_data_ecs_done(e);
	detail_data_ecs_init(e);
	e->present = true;
	free(e->cluster);
	e->cluster = xstrdup(CLUSTER);
	free(e->region);
	e->region = xstrdup("us-east-1");
	free(e->status);
	e->status = xstrdup("ACTIVE");
	free(e->family_revision);
	e->family_revision = xstrdup("orders:42");
	free(e->launch_type);
	e->launch_type = xstrdup("FARGATE");
	e->desired = 3;
	e->running = 3;
	e->pending = 1;
	e->deployed = NOW - 300;
	free(e->rollout_state);
	e->rollout_state = xstrdup("IN_PROGRESS");
	free(e->rollout_reason);
	e->rollout_reason = xstrdup("ECS deployment ecs-svc/8203123987123 in progress.");
	e->tasks = xcalloc(8, sizeof *e->tasks);
	add_task(e, "5e6f7a8b9c0d4e1f8a2b3c4d5e6f7a8b", "PENDING", "RUNNING", "UNKNOWN", "42",
		 "us-east-1b", "", "", false, NOW - 40, 0);
	add_task(e, "9f8e7d6c5b4a4f3e8d2c1b0a99887766", "STOPPED", "STOPPED", "UNKNOWN", "42",
		 "us-east-1a", "app=1", "Essential container in task exited", true, NOW - 120,
		 NOW - 95);
	add_task(e, "1a2b3c4d5e6f4a7b8c9d0e1f2a3b4c5d", "STOPPED", "STOPPED", "UNKNOWN", "42",
		 "us-east-1c", "app=1", "Essential container in task exited", true, NOW - 240,
		 NOW - 215);
	add_task(e, "0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d", "RUNNING", "RUNNING", "HEALTHY", "41",
		 "us-east-1a", "", "", false, NOW - 86400 * 2, 0);
	add_task(e, "6a7b8c9d0e1f4a2b8c3d4e5f6a7b8c9d", "RUNNING", "RUNNING", "HEALTHY", "41",
		 "us-east-1b", "", "", false, NOW - 86400 * 2, 0);
	add_task(e, "c0ffee00d00d4bad8bad0123456789ab", "RUNNING", "RUNNING", "HEALTHY", "41",
		 "us-east-1c", "", "", false, NOW - 86400 * 2, 0);
	e->deps = xcalloc(2, sizeof *e->deps);
	add_dep(e, "PRIMARY", "orders:42", 3, 0, 1, 2, "IN_PROGRESS",
		"ECS deployment ecs-svc/8203123987123 in progress.", NOW - 300);
	add_dep(e, "ACTIVE", "orders:41", 3, 3, 0, 0, "COMPLETED",
		"ECS deployment ecs-svc/7101987234987 completed.", NOW - 86400 * 2);
	e->revs = xcalloc(3, sizeof *e->revs);
	add_rev(e, "42", "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:2.1.0-broken",
		NOW - 310, true, false);
	add_rev(e, "41",
		"123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:2.0.3, "
		"public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0",
		NOW - 86400 * 2 - 60, false, true);
	add_rev(e, "40", "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:2.0.2",
		NOW - 86400 * 9, false, false);
	e->target_groups = xcalloc(1, sizeof *e->target_groups);
	e->target_groups[e->ntarget_groups++] = xstrdup(TG);
	e->events = xcalloc(5, sizeof *e->events);
	add_event(e,
		  "(service orders) has started 1 tasks: (task 5e6f7a8b9c0d4e1f8a2b3c4d5e6f7a8b).",
		  false, NOW - 40);
	add_event(e,
		  "(service orders) was unable to place a task. Reason: Capacity is unavailable "
		  "at this time. Please try again later or in a different availability zone.",
		  true, NOW - 100);
	add_event(e,
		  "(service orders) has started 1 tasks: (task 9f8e7d6c5b4a4f3e8d2c1b0a99887766).",
		  false, NOW - 120);
	add_event(e, "(service orders) has reached a steady state.", false, NOW - 86400);
	add_event(e, "(service orders) registered 3 targets in (target-group " TG ")", false,
		  NOW - 86400 * 2);
	dd->have_runtime = true;
	free(dd->update_state);
	dd->update_state = xstrdup("updating");
	free(dd->update_message);
	dd->update_message = xstrdup(e->rollout_reason);
	dd->update_started = NOW - 300;
	free(dd->task_error);
	dd->task_error = xstrdup("exit 1 (app): Essential container in task exited");
	dd->task_error_at = NOW - 95;
	free(dd->image);
	dd->image = xstrdup("123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:2.1.0-broken");
	free(dd->tag);
	dd->tag = xstrdup("2.1.0-broken");
	free(dd->prev_image);
	dd->prev_image = xstrdup("123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:2.0.3");
	free(dd->prev_tag);
	dd->prev_tag = xstrdup("2.0.3");
}

static void
add_row(struct model *m)
{
	struct runtime_row row;

	memset(&row, 0, sizeof row);
	row.name = "orders";
	row.kind = "ecs";
	row.id = ARN;
	row.runtime_name = "orders";
	row.running = 3;
	row.desired = 3;
	row.pending = 1;
	row.version = "orders:42";
	row.platform = "FARGATE";
	row.previous = "orders:41";
	row.deployed_at = NOW - 300;
	row.restarts = -1;
	row.rollout_state = "updating";
	row.problem = STATUS_WARN;
	row.message = "2 tasks stopped: Essential container in task exited";
	model_runtime_apply(m, CLUSTER, &row, 1, NOW);
}

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	const char *names[1] = { "orders" };
	double rps = 120.0, err = 0.002, p99 = 0.18;
	size_t i, k;

	setenv("TZ", "UTC", 1);
	tzset();
	f->m = model_new(30, 100);
	model_apply_metric(f->m, METRIC_RPS, names, &rps, 1, NOW);
	model_apply_metric(f->m, METRIC_ERRORS, names, &err, 1, NOW);
	model_apply_metric(f->m, METRIC_P99, names, &p99, 1, NOW);
	add_row(f->m);
	model_backend_ok(f->m, "prometheus", 12, NOW);
	model_backend_ok(f->m, "ecs " CLUSTER, 48, NOW);
	f->d = detail_new("orders");
	detail_data_init(&f->dd, 3600, 30);
	build_orders(&f->dd);
	f->dd.t0 = NOW - 3600;
	f->dd.t1 = NOW;
	f->dd.have_metrics = true;
	for (k = 0; k < 3; k++) {
		f->dd.series[k].t = xcalloc(120, sizeof(double));
		f->dd.series[k].v = xcalloc(120, sizeof(double));
		for (i = 0; i < 120; i++) {
			double x = (double)i / 119.0;

			f->dd.series[k].t[i] = NOW - 3600 + 30.0 * (double)i;
			f->dd.series[k].v[i] = k == 0   ? 120 + 30 * cos(6.28 * x)
					       : k == 1 ? (i > 112 ? 0.02 : 0.002)
							: 0.15 + 0.05 * x;
		}
		f->dd.series[k].n = 120;
	}
	f->v_.model = f->m;
	f->v_.th = &th;
	f->v_.now = NOW;
	f->v_.stale_after = 60;
	f->v_.prometheus = true;
	f->v_.docker = true;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	detail_data_done(&f->dd);
	detail_free(f->d);
	model_free(f->m);
	free(f);
	return 0;
}

static struct canvas *
draw(struct fixture *f, int w, int h, const struct detail_data *dd)
{
	struct canvas *c = canvas_new(w, h);
	struct render_state rs;

	memset(&rs, 0, sizeof rs);
	rs.detail = f->d;
	rs.detail_data = dd;
	render_screen(c, &f->v_, &rs);
	return c;
}

static char *
render(struct fixture *f, int w, int h, const struct detail_data *dd)
{
	struct canvas *c = draw(f, w, h, dd);
	struct buf out;

	buf_init(&out);
	canvas_write_text(c, &out);
	canvas_free(c);
	return buf_steal(&out);
}

/* The role of the cell where text first appears on the canvas, or -1. */
static int
role_of(struct canvas *c, const char *text)
{
	int y, x;

	for (y = 0; y < c->h; y++) {
		char line[4096];
		int at[4096];
		size_t len = 0;
		const char *hit;

		for (x = 0; x < c->w; x++) {
			const char *ch = canvas_at(c, x, y)->ch;
			size_t k;

			for (k = 0; ch[k] != '\0' && len + 1 < sizeof line; k++) {
				at[len] = x;
				line[len++] = ch[k];
			}
		}
		line[len] = '\0';
		hit = strstr(line, text);
		if (hit != NULL)
			return (int)canvas_at(c, at[hit - line], y)->role;
	}
	return -1;
}

/* The role of text in the first row that holds row too, or -1. */
static int
role_in_row(struct canvas *c, const char *row, const char *text)
{
	int y, x;

	for (y = 0; y < c->h; y++) {
		char line[4096];
		int at[4096];
		size_t len = 0;
		const char *hit;

		for (x = 0; x < c->w; x++) {
			const char *ch = canvas_at(c, x, y)->ch;
			size_t k;

			for (k = 0; ch[k] != '\0' && len + 1 < sizeof line; k++) {
				at[len] = x;
				line[len++] = ch[k];
			}
		}
		line[len] = '\0';
		if (strstr(line, row) == NULL)
			continue;
		hit = strstr(line, text);
		return hit != NULL ? (int)canvas_at(c, at[hit - line], y)->role : -1;
	}
	return -1;
}

/* ---- the screen ------------------------------------------------------------------ */

static void
test_golden_80x24(void **state)
{
	struct fixture *f = *state;
	char *s = render(f, 80, 24, &f->dd);

	golden("detail_ecs_80x24", s);
	assert_non_null(strstr(s, "ecs @ " CLUSTER "/us-east-1"));
	assert_non_null(strstr(s, "running 3/3"));
	assert_non_null(strstr(s, "pending 1"));
	assert_non_null(strstr(s, "orders:42"));
	assert_non_null(strstr(s, "FARGATE"));
	assert_non_null(strstr(s, "deployed 5m00s ago"));
	assert_non_null(strstr(s, "rollout updating: ECS deployment ecs-svc/8203123987123"));
	assert_non_null(strstr(s, "TASKS 6"));
	assert_non_null(strstr(s, "DEPLOYMENTS 2"));
	assert_non_null(strstr(s, "REVISIONS 3"));
	assert_non_null(strstr(s, "TARGET GROUPS 1"));
	assert_non_null(strstr(s, "orders-tg"));
	assert_non_null(strstr(s, "EVENTS 5"));
	assert_non_null(strstr(s, "app=1"));
	assert_non_null(strstr(s, "6 tasks"));
	assert_null(strstr(s, "(service orders)")); /* the screen names the service already */
	free(s);
}

static void
test_golden_160x40(void **state)
{
	struct fixture *f = *state;
	char *s = render(f, 160, 40, &f->dd);

	golden("detail_ecs_160x40", s);
	assert_non_null(strstr(s, "requests/s")); /* the charts fit under the sections */
	assert_non_null(strstr(s, "us-east-1b"));
	assert_non_null(strstr(s, "Essential container in task exited"));
	assert_non_null(strstr(s, "orders:2.0.3"));
	assert_non_null(strstr(s, "rollback (B)"));
	assert_non_null(strstr(s, "unable to place a task"));
	free(s);
}

/* Stopped tasks' exits in CRIT, placement failures in WARN, the deployment's counts. */
static void
test_roles(void **state)
{
	struct fixture *f = *state;
	struct canvas *c = draw(f, 160, 40, &f->dd);

	assert_int_equal(role_of(c, "5e6f7a8b9c0d "), ROLE_SELECTED); /* the cursor's task */
	assert_int_equal(role_of(c, "app=1"), ROLE_CRIT);
	assert_int_equal(role_of(c, "Essential container"), ROLE_CRIT);
	assert_int_equal(role_of(c, "STOPPED"), ROLE_CRIT);
	assert_int_equal(role_of(c, "UNKNOWN"), ROLE_SELECTED);
	assert_int_equal(role_of(c, "HEALTHY"), ROLE_OK);
	assert_int_equal(role_of(c, "was unable to place"), ROLE_WARN);
	assert_int_equal(role_of(c, "has started 1 tasks"), ROLE_NORMAL);
	assert_int_equal(role_in_row(c, "PRIMARY orders:42", "IN_PROGRESS"), ROLE_WARN);
	assert_int_equal(role_in_row(c, "PRIMARY orders:42", "in progress."), ROLE_DIM);
	assert_int_equal(role_in_row(c, "ACTIVE  orders:41", "COMPLETED"), ROLE_DIM);
	assert_int_equal(role_of(c, "0/3"), ROLE_CRIT); /* the PRIMARY runs none */
	assert_int_equal(role_of(c, "rollout updating:"), ROLE_WARN);
	assert_int_equal(role_of(c, "current   "), ROLE_OK);
	assert_int_equal(role_of(c, "rollback (B)"), ROLE_ACCENT);
	assert_int_equal(role_of(c, "task failed 1m35s ago:"), ROLE_CRIT);
	canvas_free(c);
	assert_int_equal(detail_handle(f->d, ACT_DOWN, &f->dd), H_DIRTY | H_HANDLED);
	c = draw(f, 160, 40, &f->dd);
	assert_int_equal(role_of(c, "5e6f7a8b9c0d "), ROLE_NORMAL);
	assert_int_equal(role_of(c, "PENDING"), ROLE_WARN);
	assert_int_equal(role_of(c, "9f8e7d6c5b4a "), ROLE_SELECTED);
	canvas_free(c);
}

/* The circuit breaker gave up: the rollout line says why, in CRIT, at 80 columns too. */
static void
test_failed_rollout(void **state)
{
	struct fixture *f = *state;
	struct canvas *c;
	char *s;

	free(f->dd.update_state);
	f->dd.update_state = xstrdup("failed");
	free(f->dd.update_message);
	f->dd.update_message = xstrdup("ECS deployment circuit breaker: tasks failed to start.");
	free(f->dd.ecs.deps[0].rollout_state);
	f->dd.ecs.deps[0].rollout_state = xstrdup("FAILED");
	c = draw(f, 80, 24, &f->dd);
	assert_int_equal(role_of(c, "rollout failed:"), ROLE_CRIT);
	canvas_free(c);
	c = draw(f, 160, 40, &f->dd);
	assert_int_equal(role_in_row(c, "PRIMARY orders:42", "FAILED"), ROLE_CRIT);
	assert_int_equal(role_in_row(c, "PRIMARY orders:42", "in progress."), ROLE_CRIT);
	canvas_free(c);
	s = render(f, 80, 24, &f->dd);
	assert_non_null(strstr(s, "circuit breaker: tasks failed"));
	assert_non_null(strstr(s, "PRIMARY FAILED"));
	free(s);
}

/* Before any answer: the header from the model's row, the sections say they are asking. */
static void
test_no_data_yet(void **state)
{
	struct fixture *f = *state;
	char *s = render(f, 100, 30, NULL);

	assert_non_null(strstr(s, "ecs @ " CLUSTER));
	assert_non_null(strstr(s, "running 3/3"));
	assert_non_null(strstr(s, "pending 1"));
	assert_non_null(strstr(s, "orders:42"));
	assert_non_null(strstr(s, "FARGATE"));
	assert_non_null(strstr(s, "TASKS"));
	assert_non_null(strstr(s, "asking ECS"));
	assert_null(strstr(s, "previous")); /* no Docker deployment line */
	free(s);
}

/* The cursor moves over the tasks and stops at the last; no Docker stats. */
static void
test_cursor(void **state)
{
	struct fixture *f = *state;
	struct canvas *c;
	size_t from, to;
	char *s = render(f, 80, 24, &f->dd);

	free(s);
	assert_int_equal(detail_handle(f->d, ACT_BOTTOM, &f->dd), H_DIRTY | H_HANDLED);
	assert_int_equal(detail_handle(f->d, ACT_DOWN, &f->dd), H_DIRTY | H_HANDLED);
	c = draw(f, 80, 24, &f->dd);
	assert_int_equal(role_of(c, "c0ffee00d00d "), ROLE_SELECTED); /* the last, scrolled to */
	canvas_free(c);
	detail_visible(f->d, &from, &to);
	assert_int_equal(from, to);
}

/* Task reasons, images and event messages come from AWS: escapes are shown, never sent. */
static void
test_hostile_text(void **state)
{
	struct fixture *f = *state;
	struct buf out;
	json_t *j;
	json_error_t je;
	char *s;

	free(f->dd.ecs.tasks[1].reason);
	f->dd.ecs.tasks[1].reason = xstrdup("evil\x1b]0;pwned\x07-reason");
	free(f->dd.ecs.events[1].message);
	f->dd.ecs.events[1].message = xstrdup("boom\x1b[2J\xe2\x80\xae"
					      "desrever \xff");
	free(f->dd.ecs.revs[0].images);
	f->dd.ecs.revs[0].images = xstrdup("img\xc2\x9b"
					   "31m");
	s = render(f, 160, 40, &f->dd);
	assert_null(strchr(s, '\x1b'));
	assert_null(strchr(s, '\x07'));
	assert_null(strstr(s, "\xc2\x9b"));
	assert_non_null(strstr(s, "evil^[]0;pwned^G-reason"));
	assert_non_null(strstr(s, "boom^[[2J<U+202E>desrever"));
	free(s);
	buf_init(&out);
	detail_markdown(f->d, &f->v_, &f->dd, &out);
	assert_null(strchr(out.data, '\x1b'));
	buf_done(&out);
	/* JSON keeps the text (escaped by jansson); invalid UTF-8 never drops a field */
	buf_init(&out);
	detail_json_write(&f->v_, "orders", &f->dd, &out);
	j = json_loads(out.data, 0, &je);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "events")), 5);
	assert_non_null(json_string_value(
		json_object_get(json_array_get(json_object_get(j, "events"), 1), "message")));
	json_decref(j);
	buf_done(&out);
}

static void
test_markdown(void **state)
{
	struct fixture *f = *state;
	struct buf out;

	buf_init(&out);
	detail_markdown(f->d, &f->v_, &f->dd, &out);
	assert_non_null(strstr(out.data, "- runtime: ecs @ " CLUSTER "/us-east-1, running 3/3, "
					 "pending 1, task definition orders:42, launch type "
					 "FARGATE, deployed 5m00s ago"));
	assert_non_null(strstr(out.data, "### Tasks"));
	assert_non_null(strstr(out.data, "### Deployments"));
	assert_non_null(strstr(out.data, "### Revisions"));
	assert_non_null(strstr(out.data, "### Target groups"));
	assert_non_null(strstr(out.data, "- orders-tg: " TG));
	assert_non_null(strstr(out.data, "### Events"));
	assert_non_null(strstr(out.data, "| 9f8e7d6c5b4a |"));
	assert_non_null(strstr(out.data, "Essential container in task exited"));
	assert_non_null(strstr(out.data, "rollback (B)"));
	assert_non_null(strstr(out.data, "- rollout: updating - ECS deployment"));
	assert_null(strstr(out.data, "### Instances"));
	assert_null(strstr(out.data, "### Pods"));
	buf_done(&out);
}

static void
test_json(void **state)
{
	struct fixture *f = *state;
	struct buf out;
	json_t *j, *svc, *tasks, *deps, *revs, *tgs, *evs;
	json_error_t je;

	buf_init(&out);
	detail_json_write(&f->v_, "orders", &f->dd, &out);
	j = json_loads(out.data, 0, &je);
	assert_non_null(j);
	svc = json_object_get(j, "ecs_service");
	assert_string_equal(json_string_value(json_object_get(svc, "cluster")), CLUSTER);
	assert_string_equal(json_string_value(json_object_get(svc, "region")), "us-east-1");
	assert_string_equal(json_string_value(json_object_get(svc, "task_definition")),
			    "orders:42");
	assert_string_equal(json_string_value(json_object_get(svc, "launch_type")), "FARGATE");
	assert_int_equal(json_integer_value(json_object_get(svc, "pending")), 1);
	assert_string_equal(json_string_value(json_object_get(svc, "rollout_state")),
			    "IN_PROGRESS");
	tasks = json_object_get(j, "tasks");
	assert_int_equal(json_array_size(tasks), 6);
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(tasks, 1), "last_status")),
		"STOPPED");
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(tasks, 1), "exit_codes")),
		"app=1");
	assert_true(json_is_true(json_object_get(json_array_get(tasks, 1), "failed")));
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(tasks, 1), "stopped_at")),
		"2026-11-22T09:59:25Z");
	assert_true(json_is_null(json_object_get(json_array_get(tasks, 3), "stopped_at")));
	deps = json_object_get(j, "deployments");
	assert_int_equal(json_array_size(deps), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(deps, 0), "status")),
			    "PRIMARY");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(deps, 0), "failed")), 2);
	revs = json_object_get(j, "revisions");
	assert_int_equal(json_array_size(revs), 3);
	assert_true(json_is_true(json_object_get(json_array_get(revs, 0), "current")));
	assert_true(json_is_true(json_object_get(json_array_get(revs, 1), "rollback_target")));
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(revs, 1), "task_definition")),
		"orders:41");
	tgs = json_object_get(j, "target_groups");
	assert_int_equal(json_array_size(tgs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(tgs, 0), "name")),
			    "orders-tg");
	assert_string_equal(json_string_value(json_object_get(json_array_get(tgs, 0), "arn")), TG);
	evs = json_object_get(j, "events");
	assert_int_equal(json_array_size(evs), 5);
	assert_true(json_is_true(json_object_get(json_array_get(evs, 1), "warning")));
	assert_non_null(
		strstr(json_string_value(json_object_get(json_array_get(evs, 3), "message")),
		       "(service orders) has reached a steady state."));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "rollout"), "state")),
		"updating");
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_object_get(j, "deployment"), "previous"), "version")),
		"2.0.3");
	assert_null(json_object_get(j, "pods")); /* no Kubernetes part */
	json_decref(j);
	buf_done(&out);
}

/* Before the first round the JSON has the lists, empty, and no ecs_service. */
static void
test_json_no_data_yet(void **state)
{
	struct fixture *f = *state;
	struct buf out;
	json_t *j;
	json_error_t je;

	buf_init(&out);
	detail_json_write(&f->v_, "orders", NULL, &out);
	j = json_loads(out.data, 0, &je);
	assert_non_null(j);
	assert_true(json_is_null(json_object_get(j, "ecs_service")));
	assert_int_equal(json_array_size(json_object_get(j, "tasks")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "events")), 0);
	json_decref(j);
	buf_done(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_80x24, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_160x40, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_rollout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_data_yet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_no_data_yet, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
