/*
 * The Overview rendered into a fixed-size canvas and diffed against golden
 * text files (tests/golden/overview_*.txt); plus its sorting, filtering and
 * cursor behaviour.  UPDATE_GOLDEN=1 rewrites the golden files after a
 * deliberate change (review the diff).
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
#include "keys.h"
#include "model.h"
#include "render.h"
#include "screens/overview.h"
#include "view.h"
#include "xalloc.h"

#define NOW 1795000000.0 /* 2026-11-18T07:46:40Z */

static const struct thresholds th = { 0.01, 0.05, 0.5, 2.0 };

struct fixture {
	struct model *m;
	struct overview *ov;
	struct view_ctx v;
};

/* Build the model from a table of services, as the poller would. */
static struct model *
fleet(void)
{
	static const struct {
		const char *name;
		double v[METRIC_COUNT];
	} svcs[] = {
		{ "gateway", { 120.5, 0.002, 0.180, 0.45, 312e6 } },
		{ "orders", { 48.2, 0.021, 0.240, 0.30, 604e6 } },
		{ "payments", { 12.0, 0.004, 3.2, 0.12, 463e6 } },
		{ "\xec\xa3\xbc\xeb\xac\xb8", { 7.5, 0.0, 0.050, 0.05, 120e6 } }, /* 주문 */
		{ "inventory", { 33.3, 0.09, 0.040, 0.10, 359e6 } },
		{ "evil\x1b[31mred", { 1.0, 0.0, 0.010, 0.01, 1e6 } },
		{ "no-metrics-yet", { NAN, NAN, NAN, NAN, NAN } },
	};
	struct model *m = model_new(30, 100);
	size_t i, k;
	int metric;

	for (metric = 0; metric < METRIC_COUNT; metric++) {
		const char *names[16];
		double vals[16];
		size_t n = 0;

		for (i = 0; i < sizeof svcs / sizeof svcs[0]; i++) {
			if (isnan(svcs[i].v[metric])) {
				model_service(m, svcs[i].name, true);
				continue;
			}
			names[n] = svcs[i].name;
			vals[n] = svcs[i].v[metric];
			n++;
		}
		model_apply_metric(m, (enum metric)metric, names, vals, n, NOW);
	}
	/* history: a ramp for gateway, a spike for orders' errors */
	for (k = 0; k < 30; k++) {
		model_append_point(m, model_service(m, "gateway", false), METRIC_RPS,
				   NOW - 60 + 2.0 * k, 100 + (double)k);
		model_append_point(m, model_service(m, "orders", false), METRIC_ERRORS,
				   NOW - 60 + 2.0 * k, k == 25 ? 0.2 : 0.01);
	}
	model_backend_ok(m, "prometheus", 12, NOW);
	return m;
}

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	setenv("TZ", "UTC", 1);
	tzset();
	f->m = fleet();
	f->ov = overview_new();
	f->v.model = f->m;
	f->v.th = &th;
	f->v.now = NOW;
	f->v.stale_after = 6;
	f->v.prometheus = true;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	overview_free(f->ov);
	model_free(f->m);
	free(f);
	return 0;
}

static char *
render(struct fixture *f, int w, int h, bool ascii)
{
	struct canvas *c = canvas_new(w, h);
	struct render_state rs;
	struct buf out;

	memset(&rs, 0, sizeof rs);
	rs.overview = f->ov;
	c->ascii = ascii;
	f->v.ascii = ascii;
	render_screen(c, &f->v, &rs);
	buf_init(&out);
	canvas_write_text(c, &out);
	canvas_free(c);
	return buf_steal(&out);
}

static void
test_golden_120x14(void **state)
{
	char *s = render(*state, 120, 14, false);

	golden("overview_120x14", s);
	free(s);
}

static void
test_golden_80x24(void **state)
{
	char *s = render(*state, 80, 24, false);

	golden("overview_80x24", s);
	free(s);
}

static void
test_golden_ascii(void **state)
{
	char *s = render(*state, 100, 12, true);

	golden("overview_ascii_100x12", s);
	free(s);
}

/* Runtime columns appear once a runtime reports services. */
static void
add_runtime(struct model *m)
{
	static const struct {
		const char *name;
		long running, desired, restarts;
		const char *version;
	} rt[] = {
		{ "gateway", 3, 3, 0, "2.4.1" },      { "orders", 2, 3, 1, "1.9.0" },
		{ "payments", 0, 2, 7, "3.0.0-rc1" }, { "inventory", 2, 2, 0, "1.2.3" },
		{ "batch-worker", 1, 1, 0, "0.9" },
	};
	struct runtime_row rows[5];
	size_t i;

	memset(rows, 0, sizeof rows);
	for (i = 0; i < 5; i++) {
		rows[i].name = rt[i].name;
		rows[i].kind = "swarm";
		rows[i].id = "id";
		rows[i].runtime_name = rt[i].name;
		rows[i].running = rt[i].running;
		rows[i].desired = rt[i].desired;
		rows[i].restarts = rt[i].restarts;
		rows[i].version = rt[i].version;
		rows[i].deployed_at = NOW - 3600.0 * (double)(i + 1);
	}
	model_runtime_apply(m, "local", rows, 5, NOW);
}

static void
test_golden_runtime(void **state)
{
	struct fixture *f = *state;
	char *s;

	add_runtime(f->m);
	s = render(f, 80, 16, false);
	golden("overview_runtime_80x16", s);
	assert_non_null(strstr(s, "REPL"));
	assert_non_null(strstr(s, "0/2"));
	free(s);
	s = render(f, 160, 16, false);
	golden("overview_runtime_160x16", s);
	assert_non_null(strstr(s, "RUNTIME"));
	free(s);
}

static void
test_no_runtime_no_runtime_columns(void **state)
{
	char *s = render(*state, 200, 12, false);

	assert_null(strstr(s, "REPL"));
	assert_null(strstr(s, "VERSION"));
	free(s);
}

static void
test_sort_by_replicas_missing(void **state)
{
	struct fixture *f = *state;
	char *s;

	add_runtime(f->m);
	overview_set_sort(f->ov, OV_REPLICAS, true);
	s = render(f, 160, 16, false);
	/* payments misses 2, orders 1, the others none; no runtime last */
	assert_true(strstr(s, "payments") < strstr(s, "orders"));
	assert_true(strstr(s, "orders") < strstr(s, "gateway"));
	assert_true(strstr(s, "gateway") < strstr(s, "no-metrics-yet"));
	free(s);
}

/* Errors/min from the logs: a column only with Elasticsearch, sortable, worst first. */
static void
test_errors_per_min_column(void **state)
{
	struct fixture *f = *state;
	const char *names[] = { "payments", "gateway" };
	const double counts[] = { 3, 42 };
	char *s = render(f, 200, 12, false);

	assert_null(strstr(s, "ERR/MIN"));
	free(s);
	f->v.elasticsearch = true;
	s = render(f, 200, 12, false);
	assert_non_null(strstr(s, "ERR/MIN"));
	free(s);
	model_apply_log_errors(f->m, names, counts, 2, NOW);
	overview_set_sort(f->ov, OV_ERRMIN, true);
	s = render(f, 200, 12, false);
	assert_true(strstr(s, "gateway") < strstr(s, "payments"));
	assert_true(strstr(s, "payments") < strstr(s, "orders"));
	assert_non_null(strstr(s, "     42 "));
	free(s);
	/* Still there at 80 columns, where on-call people look. */
	s = render(f, 80, 12, false);
	assert_non_null(strstr(s, "ERR/MIN"));
	free(s);
	add_runtime(f->m);
	s = render(f, 80, 12, false);
	assert_non_null(strstr(s, "ERR/MIN"));
	assert_non_null(strstr(s, "REPL"));
	free(s);
}

static void
test_golden_too_small(void **state)
{
	char *s = render(*state, 30, 6, false);

	assert_non_null(strstr(s, "terminal too small"));
	free(s);
}

/* The worst status sorts first by default, unknown values last. */
static void
test_default_sort_worst_first(void **state)
{
	struct fixture *f = *state;
	char *s = render(f, 120, 14, false);
	char *pay = strstr(s, "payments"), *inv = strstr(s, "inventory"),
	     *ord = strstr(s, "orders"), *gw = strstr(s, "gateway");

	assert_non_null(pay);
	assert_non_null(gw);
	assert_true(pay < gw); /* CRIT (p99 3.2s) before OK */
	assert_true(inv < gw); /* CRIT (9% errors) before OK */
	assert_true(ord < gw); /* WARN (2.1% errors) before OK */
	assert_true(inv < ord && pay < ord);
	free(s);
}

static void
test_sort_by_rps(void **state)
{
	struct fixture *f = *state;
	char *s;

	overview_set_sort(f->ov, OV_RPS, true);
	s = render(f, 120, 14, false);
	assert_true(strstr(s, "gateway") < strstr(s, "orders"));
	assert_true(strstr(s, "orders") < strstr(s, "inventory"));
	/* unknown values last even when descending */
	assert_true(strstr(s, "no-metrics-yet") > strstr(s, "evil"));
	free(s);
	overview_set_sort(f->ov, OV_RPS, false);
	s = render(f, 120, 14, false);
	assert_true(strstr(s, "evil") < strstr(s, "gateway"));
	assert_true(strstr(s, "no-metrics-yet") > strstr(s, "gateway"));
	free(s);
}

static void
test_filter_and_invalid_pattern(void **state)
{
	struct fixture *f = *state;
	struct err e;
	char *s;

	assert_int_equal(overview_set_filter(f->ov, "pay", &e), 0);
	s = render(f, 120, 14, false);
	assert_non_null(strstr(s, "payments"));
	assert_null(strstr(s, "gateway"));
	assert_non_null(strstr(s, "1 of 7 services /pay/"));
	free(s);
	assert_int_equal(overview_set_filter(f->ov, "pay(", &e), -1);
	assert_int_equal(e.code, ERR_REGEX);
	assert_non_null(strstr(e.msg, "missing closing parenthesis"));
	assert_string_equal(overview_filter(f->ov), "pay");
	/* smart case: PAY matches nothing when case-sensitive */
	assert_int_equal(overview_set_filter(f->ov, "PAY", &e), 0);
	s = render(f, 120, 14, false);
	assert_null(strstr(s, "payments"));
	assert_non_null(strstr(s, "no service matches"));
	free(s);
}

/* The cursor stays on its service when the order changes. */
static void
test_cursor_follows_service(void **state)
{
	struct fixture *f = *state;
	struct canvas *c = canvas_new(120, 14);
	struct render_state rs = { f->ov, NULL, 0, NULL, NULL, NULL };
	int y, found = -1;

	render_screen(c, &f->v, &rs);
	overview_handle(f->ov, ACT_DOWN, &f->v);
	overview_handle(f->ov, ACT_DOWN, &f->v); /* third row */
	render_screen(c, &f->v, &rs);
	overview_handle(f->ov, ACT_SORT_INVERT, &f->v);
	render_screen(c, &f->v, &rs);
	for (y = 0; y < c->h; y++)
		if (canvas_at(c, 0, y)->role == ROLE_SELECTED)
			found = y;
	assert_true(found > 0);
	/* the third row in worst-first order was orders (WARN) */
	assert_string_equal(canvas_at(c, 0, found)->ch, "o");
	canvas_free(c);
}

static void
test_stale_and_unknown(void **state)
{
	struct fixture *f = *state;
	char *s;

	f->v.now = NOW + 60; /* every value is now 60 s old, stale_after 6 s */
	s = render(f, 120, 14, false);
	assert_non_null(strstr(s, "STALE 6"));
	free(s);
	f->v.now = NOW;
}

static void
test_hostile_name_is_sanitised(void **state)
{
	char *s = render(*state, 120, 14, false);

	assert_null(strchr(s, '\x1b'));
	assert_non_null(strstr(s, "evil^[[31mred"));
	free(s);
}

static void
test_markdown(void **state)
{
	struct fixture *f = *state;
	struct buf out;

	buf_init(&out);
	overview_markdown(f->ov, &f->v, &out);
	assert_non_null(strstr(out.data, "| SERVICE"));
	assert_non_null(strstr(out.data, "|---"));
	assert_non_null(strstr(out.data, "| payments"));
	buf_done(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_120x14, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_80x24, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_ascii, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_runtime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_runtime_no_runtime_columns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sort_by_replicas_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_sort_worst_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort_by_rps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_per_min_column, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_and_invalid_pattern, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_follows_service, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_name_is_sanitised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
