/*
 * The wall monitor without a terminal (tui/wall.h): [wall] screens parsed
 * with clear errors, the rotation's steps and skips, each backend's
 * freshness, the stale and alerts banners' text; the wall's keys reach no
 * action that could change anything; and a wall frame (header, both
 * banners, the Overview without a cursor, compact and large) rendered
 * into a canvas and diffed against tests/golden/wall_*.txt.
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
#include "text.h"
#include "view.h"
#include "wall.h"
#include "xalloc.h"

#define NOW 1795000000.0 /* 2026-11-18T11:06:40Z */
#define STALE_AFTER 6.0  /* 3 x 2 s */

static const struct thresholds th = { 0.01, 0.05, 0.5, 2.0 };

/* ---- [wall] screens --------------------------------------------------- */

static void
test_parse_default_and_separators(void **state)
{
	struct wall_rotation r;
	struct err e;

	(void)state;
	assert_int_equal(wall_screens_parse("overview, alerts, topology", &r, &e), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.screens[0], WALL_OVERVIEW);
	assert_int_equal(r.screens[1], WALL_ALERTS);
	assert_int_equal(r.screens[2], WALL_TOPOLOGY);
	assert_int_equal(wall_screens_parse(" logs,traces\toverview ,, overview", &r, &e), 0);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.screens[0], WALL_LOGS);
	assert_int_equal(r.screens[1], WALL_TRACES);
	assert_int_equal(r.screens[3], WALL_OVERVIEW); /* a screen may come twice */
	assert_string_equal(wall_screen_name(WALL_TOPOLOGY), "topology");
}

static void
test_parse_errors(void **state)
{
	struct wall_rotation r = { { WALL_LOGS }, 1 };
	struct err e;
	char many[256] = "";
	int i;

	(void)state;
	assert_int_equal(wall_screens_parse("overview, graphs, logs", &r, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_string_equal(e.msg, "[wall] screens: unknown screen 'graphs' (known: overview, "
				   "alerts, topology, traces, logs)");
	assert_int_equal(r.n, 1); /* unchanged */
	assert_int_equal(r.screens[0], WALL_LOGS);
	assert_int_equal(wall_screens_parse("Overview", &r, &e), -1); /* names are lower case */
	assert_non_null(strstr(e.msg, "'Overview'"));
	assert_int_equal(wall_screens_parse(" , ", &r, &e), -1);
	assert_string_equal(e.msg, "[wall] screens: no screen named (known: overview, alerts, "
				   "topology, traces, logs)");
	assert_int_equal(wall_screens_parse(NULL, &r, &e), -1);
	for (i = 0; i < WALL_MAX_SCREENS + 1; i++)
		strcat(many, "logs ");
	assert_int_equal(wall_screens_parse(many, &r, &e), -1);
	assert_string_equal(e.msg, "[wall] screens: more than 16 screens");
}

/* ---- the rotation ------------------------------------------------------ */

static void
test_rotation_steps_and_skips(void **state)
{
	struct wall_rotation r;
	struct err e;
	bool all[WALL_SCREEN_COUNT] = { true, true, true, true, true };
	bool no_zipkin[WALL_SCREEN_COUNT] = { true, true, false, false, true };
	bool nothing[WALL_SCREEN_COUNT] = { false, false, false, false, false };
	char out[128];

	(void)state;
	assert_int_equal(wall_screens_parse("overview alerts topology traces logs", &r, &e), 0);
	assert_int_equal(wall_rotation_step(&r, all, 0, 1), 1);
	assert_int_equal(wall_rotation_step(&r, all, 4, 1), 0); /* wraps */
	assert_int_equal(wall_rotation_step(&r, all, 0, -1), 4);
	assert_int_equal(wall_rotation_step(&r, all, 2, 0), 2);
	/* Zipkin not configured: topology and traces are passed over, both ways. */
	assert_int_equal(wall_rotation_step(&r, no_zipkin, 1, 1), 4);
	assert_int_equal(wall_rotation_step(&r, no_zipkin, 4, -1), 1);
	assert_int_equal(wall_rotation_step(&r, no_zipkin, 2, 0), 4);
	assert_int_equal(wall_rotation_step(&r, nothing, 0, 1), -1);
	wall_skipped_text(&r, no_zipkin, out, sizeof out);
	assert_string_equal(out, "topology, traces");
	wall_skipped_text(&r, all, out, sizeof out);
	assert_string_equal(out, "");
	assert_int_equal(wall_screens_parse("traces logs traces", &r, &e), 0);
	wall_skipped_text(&r, nothing, out, sizeof out);
	assert_string_equal(out, "traces, logs"); /* each once */
}

/* ---- freshness ------------------------------------------------------------ */

static struct backend_state
backend(const char *name, bool ok, double last_ok, unsigned long polls, const char *msg)
{
	struct backend_state b;

	memset(&b, 0, sizeof b);
	b.name = (char *)name;
	b.ok = ok;
	b.ever_ok = last_ok > 0;
	b.last_ok = last_ok;
	b.polls = polls;
	if (msg != NULL)
		snprintf(b.err.msg, sizeof b.err.msg, "%s", msg);
	return b;
}

static void
test_freshness(void **state)
{
	struct backend_state b;
	double age;
	char out[128];

	(void)state;
	b = backend("prometheus", true, NOW - 1.4, 10, NULL);
	assert_int_equal(wall_backend_fresh(&b, NOW, STALE_AFTER, NOW - 100, &age), WALL_FRESH_OK);
	wall_backend_text(&b, WALL_FRESH_OK, age, out, sizeof out);
	assert_string_equal(out, "prometheus 1s");
	/* Failing for 47 s: older than three refresh intervals. */
	b = backend("prometheus", false, NOW - 47, 30, "prometheus: connection refused");
	assert_int_equal(wall_backend_fresh(&b, NOW, STALE_AFTER, NOW - 100, &age),
			 WALL_FRESH_STALE);
	wall_backend_text(&b, WALL_FRESH_STALE, age, out, sizeof out);
	assert_string_equal(out, "prometheus 47s STALE");
	/* A frozen poller: its last answer was fine, but long ago - still stale. */
	b = backend("prometheus", true, NOW - 200, 30, NULL);
	assert_int_equal(wall_backend_fresh(&b, NOW, STALE_AFTER, NOW - 300, &age),
			 WALL_FRESH_STALE);
	wall_backend_text(&b, WALL_FRESH_STALE, age, out, sizeof out);
	assert_string_equal(out, "prometheus 3m20s STALE");
	/* Never answered: waiting at first, then stale. */
	b = backend("docker", false, 0, 0, NULL);
	assert_int_equal(wall_backend_fresh(&b, NOW, STALE_AFTER, NOW - 2, &age),
			 WALL_FRESH_WAITING);
	assert_true(age < 0);
	wall_backend_text(&b, WALL_FRESH_WAITING, age, out, sizeof out);
	assert_string_equal(out, "docker ...");
	assert_int_equal(wall_backend_fresh(&b, NOW, STALE_AFTER, NOW - 7, &age), WALL_FRESH_STALE);
	wall_backend_text(&b, WALL_FRESH_STALE, age, out, sizeof out);
	assert_string_equal(out, "docker never STALE");
	/* Zipkin is asked only while its screens show: an old good answer is not stale ... */
	b = backend("zipkin", true, NOW - 120, 3, NULL);
	assert_int_equal(wall_backend_fresh(&b, NOW, STALE_AFTER, NOW - 300, NULL), WALL_FRESH_OK);
	/* ... nor is never having been asked; an old answer and a failure since is. */
	b = backend("zipkin", false, 0, 0, NULL);
	assert_int_equal(wall_backend_fresh(&b, NOW, STALE_AFTER, NOW - 300, NULL),
			 WALL_FRESH_WAITING);
	b = backend("zipkin", false, NOW - 120, 4, "zipkin: connection refused");
	assert_int_equal(wall_backend_fresh(&b, NOW, STALE_AFTER, NOW - 300, NULL),
			 WALL_FRESH_STALE);
	assert_true(wall_on_demand("zipkin"));
	assert_false(wall_on_demand("prometheus"));
	wall_age_text(0.2, out, sizeof out);
	assert_string_equal(out, "0s");
	wall_age_text(7300, out, sizeof out);
	assert_string_equal(out, "2h01m");
}

/* ---- banners ------------------------------------------------------------ */

static void
fail_backend(struct model *m, const char *name, const char *msg, double at)
{
	struct err e;

	err_set(&e, ERR_HTTP, "%s", msg);
	model_backend_fail(m, name, &e, at);
}

static void
test_stale_banner(void **state)
{
	struct model *m = model_new(10, 10);
	char out[512];

	(void)state;
	model_backend_ok(m, "prometheus", 12, NOW - 1);
	model_backend_ok(m, "elasticsearch", 30, NOW - 2);
	assert_int_equal(wall_stale_banner(m, NOW, STALE_AFTER, NOW - 60, out, sizeof out), 0);
	assert_string_equal(out, "");
	/* Prometheus stops: its error is said, without its name twice. */
	model_backend_ok(m, "prometheus", 12, NOW - 47);
	fail_backend(m, "prometheus",
		     "prometheus: cannot connect to http://127.0.0.1:9090 (connection refused)",
		     NOW - 1);
	assert_int_equal(wall_stale_banner(m, NOW, STALE_AFTER, NOW - 60, out, sizeof out), 1);
	assert_string_equal(out, "DATA STALE: prometheus last answered 47s ago (cannot connect "
				 "to http://127.0.0.1:9090 (connection refused))");
	/* A second one, never answered since the start 10 s ago. */
	fail_backend(m, "docker", "docker: no such socket", NOW - 1);
	assert_int_equal(wall_stale_banner(m, NOW, STALE_AFTER, NOW - 10, out, sizeof out), 2);
	assert_non_null(strstr(out, "; docker never answered (no such socket)"));
	/* Cut to the buffer, never past it. */
	assert_int_equal(wall_stale_banner(m, NOW, STALE_AFTER, NOW - 10, out, 20), 2);
	assert_int_equal(strlen(out), 19);
	/* Back: no banner. */
	model_backend_ok(m, "prometheus", 12, NOW);
	model_backend_ok(m, "docker", 12, NOW);
	assert_int_equal(wall_stale_banner(m, NOW, STALE_AFTER, NOW - 10, out, sizeof out), 0);
	model_free(m);
}

static struct alert
alert(const char *name, const char *service, const char *severity, enum alert_state st,
      double since)
{
	struct alert a;

	memset(&a, 0, sizeof a);
	a.name = xstrdup(name);
	a.service = service ? xstrdup(service) : NULL;
	a.severity = severity ? xstrdup(severity) : NULL;
	a.state = st;
	a.since = since;
	a.source = xstrdup("alertmanager");
	a.fingerprint = xstrdup(name);
	return a;
}

static void
test_alerts_banner(void **state)
{
	struct model *m = model_new(10, 10);
	struct alert *a = xcalloc(5, sizeof *a);
	char out[512];
	int role = -1;

	(void)state;
	assert_int_equal(wall_alerts_banner(m, 100, out, sizeof out, &role), 0);
	assert_string_equal(out, "");
	a[0] = alert("DiskFull", NULL, "warning", ALERT_FIRING, NOW - 600);
	a[1] = alert("HighErrorRate", "payments", "critical", ALERT_FIRING, NOW - 60);
	a[2] = alert("SlowRequests", "orders", "critical", ALERT_PENDING, NOW - 10);
	a[3] = alert("Quiet", "users", "critical", ALERT_SILENCED, NOW - 10);
	a[4] = alert("Evil\x1b[2J", "gateway", "warning", ALERT_FIRING, NOW - 30);
	model_set_alerts(m, a, 5);
	assert_int_equal(wall_alerts_banner(m, 200, out, sizeof out, &role), 3);
	assert_int_equal(role, ROLE_CRIT);
	/* Worst first; pending and silenced ones are not firing. */
	assert_string_equal(
		out, "3 ALERTS FIRING: HighErrorRate payments, DiskFull, Evil\x1b[2J gateway");
	/* Narrow: as many as fit, then how many more. */
	assert_int_equal(wall_alerts_banner(m, 48, out, sizeof out, &role), 3);
	assert_string_equal(out, "3 ALERTS FIRING: HighErrorRate payments, +2 more");
	assert_true(text_width(out) <= 48);
	/* Only warnings: the WARN colour. */
	a = xcalloc(1, sizeof *a);
	a[0] = alert("DiskFull", "inventory", "warning", ALERT_FIRING, NOW - 600);
	model_set_alerts(m, a, 1);
	assert_int_equal(wall_alerts_banner(m, 200, out, sizeof out, &role), 1);
	assert_int_equal(role, ROLE_WARN);
	assert_string_equal(out, "1 ALERT FIRING: DiskFull inventory");
	model_set_alerts(m, NULL, 0);
	assert_int_equal(wall_alerts_banner(m, 200, out, sizeof out, NULL), 0);
	model_free(m);
}

/* ---- keys: the wall cannot reach an action ---------------------------------- */

static bool
wall_action(enum action a)
{
	/* What app_wall_key() acts on; ACT_BACK (Esc, from the global keys) it ignores. */
	return a == ACT_NONE || a == ACT_WALL_NEXT || a == ACT_WALL_PREV || a == ACT_WALL_PAUSE ||
	       a == ACT_REFRESH || a == ACT_REDRAW || a == ACT_HELP || a == ACT_QUIT ||
	       a == ACT_BACK;
}

static void
test_wall_keys_reach_no_action(void **state)
{
	int k;
	unsigned bound = 0;

	(void)state;
	for (k = 0; k < 0x3000; k++) {
		enum action a = keys_lookup(CTX_WALL, k);

		if (!wall_action(a))
			fail_msg("key %d reaches action %d on the wall", k, (int)a);
		bound += a != ACT_NONE;
	}
	for (k = K_SPECIAL; k <= K_MOUSE; k++)
		if (!wall_action(keys_lookup(CTX_WALL, k)))
			fail_msg("special key %d reaches an action on the wall", k);
	/* The keys that act elsewhere do nothing here. */
	assert_int_equal(keys_lookup(CTX_WALL, 'S'), ACT_NONE);
	assert_int_equal(keys_lookup(CTX_WALL, 'R'), ACT_NONE);
	assert_int_equal(keys_lookup(CTX_WALL, 'B'), ACT_NONE);
	assert_int_equal(keys_lookup(CTX_WALL, ':'), ACT_NONE);
	assert_int_equal(keys_lookup(CTX_WALL, '/'), ACT_NONE);
	assert_int_equal(keys_lookup(CTX_WALL, 's'), ACT_NONE);
	assert_int_equal(keys_lookup(CTX_WALL, '\r'), ACT_NONE);
	assert_int_equal(keys_lookup(CTX_WALL, 'n'), ACT_WALL_NEXT);
	assert_int_equal(keys_lookup(CTX_WALL, 'q'), ACT_QUIT);
	assert_true(bound >= 8);
}

/* ---- a wall frame --------------------------------------------------------- */

static struct model *
fleet(void)
{
	static const char *const names[] = { "gateway", "orders", "payments", "inventory" };
	static const double rps[] = { 120.5, 48.2, 12.0, 33.3 };
	static const double errs[] = { 0.002, 0.021, 0.09, 0.004 };
	static const double p99[] = { 0.18, 0.24, 3.2, 0.04 };
	struct model *m = model_new(30, 100);
	struct alert *a = xcalloc(2, sizeof *a);

	model_apply_metric(m, METRIC_RPS, names, rps, 4, NOW - 1);
	model_apply_metric(m, METRIC_ERRORS, names, errs, 4, NOW - 1);
	model_apply_metric(m, METRIC_P99, names, p99, 4, NOW - 1);
	model_backend_ok(m, "prometheus", 12, NOW - 47);
	fail_backend(m, "prometheus", "prometheus: connection refused", NOW - 1);
	model_backend_ok(m, "elasticsearch", 9, NOW - 2);
	a[0] = alert("HighErrorRate", "payments", "critical", ALERT_FIRING, NOW - 60);
	a[1] = alert("DiskFull", "inventory", "warning", ALERT_FIRING, NOW - 600);
	model_set_alerts(m, a, 2);
	return m;
}

static char *
render_wall(struct model *m, int w, int h, bool large, bool *cursor)
{
	struct canvas *c = canvas_new(w, h);
	struct overview *ov = overview_new();
	struct render_state rs;
	struct view_ctx v;
	struct buf out;
	char stale[512], alerts[512];
	int role, x, y;

	memset(&v, 0, sizeof v);
	v.model = m;
	v.th = &th;
	v.now = NOW;
	v.stale_after = STALE_AFTER;
	v.prometheus = true;
	v.elasticsearch = true;
	v.wall = true;
	v.large = large;
	v.wall_position = "1/3";
	v.wall_progress = 0.5;
	v.wall_started = NOW - 300;
	v.env_name = "prod";
	v.env_protected = true;
	memset(&rs, 0, sizeof rs);
	rs.overview = ov;
	rs.hint = "? keys  q quit ";
	rs.large = large;
	assert_int_equal(wall_stale_banner(m, NOW, STALE_AFTER, NOW - 300, stale, sizeof stale), 1);
	rs.banner = stale;
	rs.banner_role = ROLE_CRIT;
	assert_int_equal(wall_alerts_banner(m, w - 2, alerts, sizeof alerts, &role), 2);
	rs.banner2 = alerts;
	rs.banner2_role = role;
	render_screen(c, &v, &rs);
	*cursor = false;
	for (y = 0; y < c->h; y++)
		for (x = 0; x < c->w; x++)
			*cursor = *cursor || canvas_at(c, x, y)->role == ROLE_SELECTED;
	/* Both banners are solid bars across the whole width: CRIT (stale), then CRIT (alerts). */
	for (y = 1; y < 1 + 2 * (large ? 3 : 1); y++)
		for (x = 0; x < c->w; x++) {
			assert_int_equal(canvas_at(c, x, y)->role, ROLE_CRIT);
			assert_true(canvas_at(c, x, y)->attr & ATTR_REVERSE);
		}
	assert_int_not_equal(canvas_at(c, 0, large ? 7 : 3)->role, ROLE_CRIT); /* and no more */
	buf_init(&out);
	canvas_write_text(c, &out);
	canvas_free(c);
	overview_free(ov);
	return buf_steal(&out);
}

static void
test_golden_wall(void **state)
{
	struct model *m = fleet();
	bool cursor;
	char *s;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	s = render_wall(m, 120, 16, false, &cursor);
	golden("wall_120x16", s);
	assert_false(cursor);
	/* The header: title, position, the environment, freshness, the clock. */
	assert_non_null(strstr(s, "Overview  1/3"));
	assert_non_null(strstr(s, "prod"));
	assert_non_null(strstr(s, "prometheus 47s STALE"));
	assert_non_null(strstr(s, "elasticsearch 2s"));
	assert_non_null(strstr(s, "11:06:40"));
	free(s);
	s = render_wall(m, 80, 24, true, &cursor);
	golden("wall_large_80x24", s);
	assert_false(cursor);
	assert_null(strstr(s, "TREND")); /* large: fewer, wider columns */
	assert_null(strstr(s, "CPU"));
	free(s);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_default_and_separators),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_rotation_steps_and_skips),
		cmocka_unit_test(test_freshness),
		cmocka_unit_test(test_stale_banner),
		cmocka_unit_test(test_alerts_banner),
		cmocka_unit_test(test_wall_keys_reach_no_action),
		cmocka_unit_test(test_golden_wall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
