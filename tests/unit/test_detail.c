/*
 * The Service detail screen rendered into a fixed-size canvas and diffed
 * against golden text (tests/golden/detail_*.txt): a Swarm service with a
 * Korean name whose rollout is paused, a failed task whose error must be
 * visible, instances with stats, and charts.  Plus its cursor, the
 * visible range that drives the stats requests, Markdown, and the PromQL
 * wrapper.  UPDATE_GOLDEN=1 rewrites the golden files after a deliberate
 * change (review the diff).
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

#include "buf.h"
#include "canvas.h"
#include "detail_json.h"
#include "detail_poll.h"
#include "detail_stats.h"
#include "docker.h"
#include <jansson.h>
#include "keys.h"
#include "model.h"
#include "render.h"
#include "screens/detail.h"
#include "view.h"
#include "xalloc.h"

#define NOW 1795000000.0                /* 2026-11-18T07:46:40Z */
#define NAME "\xea\xb2\xb0\xec\xa0\x9c" /* 결제 */
#define FAILED_ERR "No such image: shop/payments:9.9"

static const struct thresholds th = { 0.01, 0.05, 0.5, 2.0 };

struct fixture {
	struct model *m;
	struct detail *d;
	struct detail_data dd;
	struct detail_instance inst[12];
	double t[3][120], v[3][120];
	struct view_ctx v_;
};

static void
instance(struct detail_instance *in, const char *id, long slot, const char *state,
	 const char *health, double age_s, long restarts, double cpu, double mem, const char *error)
{
	memset(in, 0, sizeof *in);
	in->id = (char *)id;
	in->container_id = (char *)(strcmp(state, "running") == 0 ? id : "");
	in->name = (char *)"";
	in->slot = slot;
	in->state = (char *)state;
	in->desired = (char *)(strcmp(state, "failed") == 0 ? "shutdown" : "running");
	in->health = (char *)health;
	in->node = (char *)"id0sz1xs90wk";
	in->version = (char *)(strcmp(state, "failed") == 0 ? "9.9" : "1.4.2");
	in->error = (char *)error;
	in->created = NOW - age_s;
	in->restarts = restarts;
	in->cpu_pct = cpu;
	in->mem_used = mem;
	in->mem_limit = NAN;
}

static void
fixture_data(struct fixture *f, size_t ninst)
{
	struct detail_data *dd = &f->dd;
	size_t i, k;

	memset(dd, 0, sizeof *dd);
	instance(&f->inst[0], "q1w2e3r4t5y6u7i8o9p0", 1, "running", "healthy", 7200, 0, 12.5,
		 48.2 * 1048576, "");
	instance(&f->inst[1], "a1s2d3f4g5h6j7k8l9", 2, "running", "unhealthy", 5400, 3, 97.0,
		 250 * 1048576, "");
	instance(&f->inst[2], "z1x2c3v4b5n6m7", 3, "preparing", "", 60, 1, NAN, NAN, "");
	instance(&f->inst[3], "f9e8d7c6b5a4", 3, "failed", "", 300, -1, NAN, NAN, FAILED_ERR);
	for (i = 4; i < 12; i++)
		instance(&f->inst[i], "k0k0k0k0k0k0k0", (long)i, "running", "", 600, 0, 1.0,
			 1048576.0 * (double)i, "");
	dd->have_runtime = true;
	dd->inst = f->inst;
	dd->ninst = ninst;
	dd->image = (char *)"shop/payments:1.4.2";
	dd->tag = (char *)"1.4.2";
	dd->prev_image = (char *)"shop/payments:1.4.1";
	dd->prev_tag = (char *)"1.4.1";
	dd->update_state = (char *)"paused";
	dd->update_message = (char *)"update paused due to failure or early termination of task "
				     "f9e8d7c6b5a4";
	dd->update_started = NOW - 600;
	dd->task_error = (char *)FAILED_ERR;
	dd->task_error_at = NOW - 240;
	dd->range_s = 3600;
	dd->step_s = 30;
	dd->t0 = NOW - 3600;
	dd->t1 = NOW;
	dd->have_metrics = true;
	for (k = 0; k < 3; k++) {
		for (i = 0; i < 120; i++) {
			double x = (double)i / 119.0;

			f->t[k][i] = NOW - 3600 + 30.0 * (double)i;
			f->v[k][i] = k == 0   ? 40 + 20 * sin(6.28 * x)
				     : k == 1 ? (i > 90 ? 0.08 : 0.004)
					      : 0.2 + 0.1 * x;
		}
		dd->series[k].t = f->t[k];
		dd->series[k].v = f->v[k];
		dd->series[k].n = 120;
	}
}

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	struct runtime_row row;
	const char *names[1] = { NAME };
	double rps = 41.0, err = 0.08, p99 = 0.3;

	setenv("TZ", "UTC", 1);
	tzset();
	f->m = model_new(30, 100);
	model_apply_metric(f->m, METRIC_RPS, names, &rps, 1, NOW);
	model_apply_metric(f->m, METRIC_ERRORS, names, &err, 1, NOW);
	model_apply_metric(f->m, METRIC_P99, names, &p99, 1, NOW);
	memset(&row, 0, sizeof row);
	row.name = NAME;
	row.kind = "swarm";
	row.id = "hybgq0cwysn0";
	row.runtime_name = "payments";
	row.running = 2;
	row.desired = 3;
	row.version = "1.4.2";
	row.deployed_at = NOW - 7200;
	row.restarts = 4;
	row.rollout_state = "paused";
	row.message = "update paused";
	model_runtime_apply(f->m, "local", &row, 1, NOW);
	model_backend_ok(f->m, "prometheus", 12, NOW);
	model_backend_ok(f->m, "docker", 3, NOW);
	f->d = detail_new(NAME);
	fixture_data(f, 4);
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

	detail_free(f->d);
	model_free(f->m);
	free(f);
	return 0;
}

static char *
render(struct fixture *f, int w, int h, const struct detail_data *dd)
{
	struct canvas *c = canvas_new(w, h);
	struct render_state rs;
	struct buf out;

	memset(&rs, 0, sizeof rs);
	rs.detail = f->d;
	rs.detail_data = dd;
	render_screen(c, &f->v_, &rs);
	buf_init(&out);
	canvas_write_text(c, &out);
	canvas_free(c);
	return buf_steal(&out);
}

static void
test_golden_80x24(void **state)
{
	struct fixture *f = *state;
	char *s = render(f, 80, 24, &f->dd);

	golden("detail_80x24", s);
	/* why the rollout is stuck and why the task failed, at a glance */
	assert_non_null(strstr(s, "rollout paused:"));
	assert_non_null(strstr(s, "task failed 4m00s ago: " FAILED_ERR));
	assert_non_null(strstr(s, NAME));
	assert_non_null(strstr(s, "requests/s"));
	assert_non_null(strstr(s, "errors"));
	free(s);
}

static void
test_golden_160x40(void **state)
{
	struct fixture *f = *state;
	char *s = render(f, 160, 40, &f->dd);

	golden("detail_160x40", s);
	assert_non_null(strstr(s, "p99"));
	assert_non_null(strstr(s, "NODE"));
	assert_non_null(strstr(s, FAILED_ERR));
	assert_non_null(strstr(s, "shop/payments:1.4.1"));
	free(s);
}

/* The failed row is drawn in CRIT, the rollout line too. */
static void
test_failure_roles(void **state)
{
	struct fixture *f = *state;
	struct canvas *c = canvas_new(160, 40);
	struct render_state rs;
	int y, x, crit_rows = 0;

	memset(&rs, 0, sizeof rs);
	rs.detail = f->d;
	rs.detail_data = &f->dd;
	render_screen(c, &f->v_, &rs);
	for (y = 0; y < c->h; y++) {
		for (x = 0; x < c->w; x++)
			if (canvas_at(c, x, y)->role == ROLE_CRIT &&
			    strcmp(canvas_at(c, x, y)->ch, " ") != 0) {
				crit_rows++;
				break;
			}
	}
	/* rollout paused, task failed, the failed row, the unhealthy row */
	assert_true(crit_rows >= 4);
	canvas_free(c);
}

static void
test_too_small(void **state)
{
	struct fixture *f = *state;
	char *s = render(f, 59, 24, &f->dd);

	assert_non_null(strstr(s, "terminal too small"));
	free(s);
	s = render(f, 80, 15, &f->dd);
	assert_non_null(strstr(s, "terminal too small"));
	free(s);
}

/* Only the rows on screen are visible, and the cursor scrolls them. */
static void
test_visible_follows_cursor(void **state)
{
	struct fixture *f = *state;
	size_t from, to;
	int i;
	char *s;

	fixture_data(f, 12);
	s = render(f, 80, 24, &f->dd);
	free(s);
	detail_visible(f->d, &from, &to);
	assert_int_equal(from, 0);
	assert_true(to > 1 && to < 12);
	for (i = 0; i < 11; i++)
		assert_int_equal(detail_handle(f->d, ACT_DOWN, &f->dd), H_DIRTY | H_HANDLED);
	s = render(f, 80, 24, &f->dd);
	free(s);
	detail_visible(f->d, &from, &to);
	assert_int_equal(to, 12);
	assert_true(from > 0);
	assert_int_equal(detail_handle(f->d, ACT_TOP, &f->dd), H_DIRTY | H_HANDLED);
	assert_int_equal(detail_handle(f->d, ACT_FILTER, &f->dd), H_NONE);
	s = render(f, 80, 24, &f->dd);
	free(s);
	detail_visible(f->d, &from, &to);
	assert_int_equal(from, 0);
}

/* Before any answer: the header from the model, placeholders elsewhere. */
static void
test_no_data_yet(void **state)
{
	struct fixture *f = *state;
	char *s = render(f, 100, 30, NULL);

	assert_non_null(strstr(s, "asking the runtime"));
	assert_non_null(strstr(s, "loading"));
	assert_non_null(strstr(s, "replicas 2/3"));
	assert_non_null(strstr(s, "rollout paused: update paused"));
	free(s);
}

static void
test_service_gone(void **state)
{
	struct fixture *f = *state;
	struct detail *d = f->d;
	char *s;

	f->d = detail_new("vanished");
	s = render(f, 80, 24, &f->dd);
	assert_non_null(strstr(s, "no longer reported"));
	free(s);
	detail_free(f->d);
	f->d = d;
}

static void
test_hostile_error_is_sanitised(void **state)
{
	struct fixture *f = *state;
	char *s;

	f->inst[3].error = (char *)"boom\x1b[2J\x1b]0;pwned\x07";
	f->dd.task_error = f->inst[3].error;
	s = render(f, 160, 40, &f->dd);
	assert_null(strchr(s, '\x1b'));
	assert_non_null(strstr(s, "boom^[[2J"));
	free(s);
}

static void
test_markdown(void **state)
{
	struct fixture *f = *state;
	struct buf out;

	buf_init(&out);
	detail_markdown(f->d, &f->v_, &f->dd, &out);
	assert_non_null(strstr(out.data, "## " NAME " - service detail"));
	assert_non_null(strstr(out.data, "- rollout: paused - update paused"));
	assert_non_null(strstr(out.data, "- newest failed task: " FAILED_ERR));
	assert_non_null(strstr(out.data, "previous shop/payments:1.4.1"));
	assert_non_null(strstr(out.data, "| ID"));
	assert_non_null(strstr(out.data, "| requests/s |"));
	buf_done(&out);
}

static void
test_wrap_query(void **state)
{
	char *q;

	(void)state;
	q = detail_poll_wrap_query("sum by (service) (rate(x[1m]))", "service", "pay\"$1\\");
	assert_string_equal(q, "(sum by (service) (rate(x[1m]))) and on(service) "
			       "label_replace(vector(1), \"service\", \"pay\\\"$$1\\\\\", \"\", "
			       "\"\")");
	free(q);
}

/* Open, close and free with nothing in flight: nothing leaks, nothing is due. */
static void
test_poll_lifecycle(void **state)
{
	struct detail_poll *p = detail_poll_new(NULL);
	struct detail_poll_settings s;
	const struct detail_data *dd;

	(void)state;
	memset(&s, 0, sizeof s);
	s.service = NAME;
	s.kind = "swarm";
	s.refresh_ms = 1000;
	s.range = DETAIL_DEFAULT_RANGE;
	assert_false(detail_poll_is_open(p));
	detail_poll_open(p, &s);
	assert_true(detail_poll_is_open(p));
	assert_string_equal(detail_poll_service(p), NAME);
	dd = detail_poll_data(p);
	assert_true(dd->range_s == 3600);
	assert_true(detail_poll_step_range(p, 1));
	assert_true(detail_poll_data(p)->range_s == 6 * 3600);
	assert_true(detail_poll_step_range(p, 1));
	assert_false(detail_poll_step_range(p, 1));
	assert_false(detail_poll_tick(p, 1.0)); /* neither Prometheus nor Docker */
	detail_poll_close(p);
	assert_string_equal(detail_poll_service(p), "");
	detail_poll_free(p);
}

static char *
fixture_file(const char *name, size_t *len)
{
	char path[256];
	char *s;

	snprintf(path, sizeof path, "tests/fixtures/docker/%s", name);
	s = slurp(path);
	assert_non_null(s);
	*len = strlen(s);
	return s;
}

/* Captured tasks: desired-running ones by slot with names from the containers. */
static void
test_instances_from_tasks(void **state)
{
	struct docker_task *t;
	struct docker_container *c;
	struct detail_instance *in;
	size_t nt, nc, n, len;
	struct err e;
	char *body;

	(void)state;
	body = fixture_file("tasks_payments.json", &len);
	assert_int_equal(docker_parse_tasks(200, body, len, &t, &nt, &e), 0);
	free(body);
	body = fixture_file("containers.json", &len);
	assert_int_equal(docker_parse_containers(200, body, len, &c, &nc, &e), 0);
	free(body);
	n = detail_data_from_tasks(t, nt, c, nc, docker_parse_time("2026-11-23T00:20:00Z"), &in);
	assert_int_equal(n, 2); /* the shut-down task is history, not an instance */
	assert_int_equal(in[0].slot, 1);
	assert_int_equal(in[1].slot, 2);
	assert_string_equal(in[0].state, "running");
	assert_string_equal(in[0].name, "payments.1.yii0tit19fjc2epq5dscwqk9w");
	assert_string_equal(in[0].version, "1");
	assert_int_equal(in[1].restarts, 0); /* shutdown is not a restart */
	detail_data_instances_free(in, n);
	docker_tasks_free(t, nt);

	/* Rejected tasks of the last hour, newest first, at most five. */
	body = fixture_file("tasks_search.json", &len);
	assert_int_equal(docker_parse_tasks(200, body, len, &t, &nt, &e), 0);
	free(body);
	n = detail_data_from_tasks(t, nt, c, nc, docker_parse_time("2026-11-23T00:20:00Z"), &in);
	assert_int_equal(n, 5);
	assert_string_equal(in[0].id, detail_data_newest_failed(t, nt)->id);
	assert_string_equal(in[0].error, "No such image: local/busybox:404");
	assert_string_equal(in[0].state, "rejected");
	detail_data_instances_free(in, n);
	n = detail_data_from_tasks(t, nt, c, nc, docker_parse_time("2026-11-23T03:00:00Z"), &in);
	assert_int_equal(n, 0); /* hours later they are no longer "recent" */
	detail_data_instances_free(in, n);
	docker_tasks_free(t, nt);
	docker_containers_free(c, nc);
}

/* A compose group's containers; CPU % once two samples are in. */
static void
test_instances_from_containers_and_stats(void **state)
{
	struct docker_container *c;
	struct detail_instance *in;
	struct docker_stats s1, s2;
	struct detail_stats *st = detail_stats_new();
	size_t nc, n, len;
	char *body, *image, *tag;
	struct err e;

	(void)state;
	body = fixture_file("containers.json", &len);
	assert_int_equal(docker_parse_containers(200, body, len, &c, &nc, &e), 0);
	free(body);
	n = detail_data_from_containers(c, nc, "notifications", "shop/notifications", "local", &in,
					&image, &tag);
	assert_int_equal(n, 2);
	assert_non_null(image);
	assert_string_equal(in[0].node, "local");
	assert_true(strncmp(in[0].name, "shop-notifications-", 19) == 0);
	free(image);
	free(tag);
	body = fixture_file("stats_1.json", &len);
	assert_int_equal(docker_parse_stats(200, body, len, &s1, &e), 0);
	free(body);
	body = fixture_file("stats_2.json", &len);
	assert_int_equal(docker_parse_stats(200, body, len, &s2, &e), 0);
	free(body);
	detail_stats_sample(st, in[0].container_id, &s1);
	detail_stats_apply(st, in, n);
	assert_true(isnan(in[0].cpu_pct)); /* one sample: no CPU % yet */
	assert_false(isnan(in[0].mem_used));
	detail_stats_sample(st, in[0].container_id, &s2);
	detail_stats_apply(st, in, n);
	assert_true(fabs(in[0].cpu_pct - docker_cpu_percent(&s1, &s2)) < 1e-9);
	assert_true(isnan(in[1].cpu_pct));
	/* containers that are gone are forgotten */
	detail_stats_apply(st, in + 1, 1);
	detail_stats_apply(st, in, 1);
	assert_true(isnan(in[0].cpu_pct) || in[0].cpu_pct >= 0);
	detail_data_instances_free(in, n);
	n = detail_data_from_containers(c, nc, "notifications", "other/notifications", "local", &in,
					&image, &tag);
	assert_int_equal(n, 0);
	assert_null(image);
	detail_data_instances_free(in, n);
	detail_stats_free(st);
	docker_containers_free(c, nc);
}

static void
test_json(void **state)
{
	struct fixture *f = *state;
	struct buf out;
	json_t *j, *inst;
	json_error_t je;

	buf_init(&out);
	detail_json_write(&f->v_, NAME, &f->dd, &out);
	j = json_loads(out.data, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "name")), NAME);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "CRIT");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "rollout"), "state")),
		"paused");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "failed_task"), "error")),
		FAILED_ERR);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_object_get(j, "deployment"), "previous"), "version")),
		"1.4.1");
	inst = json_object_get(j, "instances");
	assert_int_equal(json_array_size(inst), 4);
	assert_true(json_is_null(json_object_get(json_array_get(inst, 2), "cpu_percent")));
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "charts"), "rps")),
			 120);
	json_decref(j);
	buf_done(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_80x24, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_160x40, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_visible_follows_cursor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_data_yet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_error_is_sanitised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
		cmocka_unit_test(test_wrap_query),
		cmocka_unit_test(test_poll_lifecycle),
		cmocka_unit_test(test_instances_from_tasks),
		cmocka_unit_test(test_instances_from_containers_and_stats),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
