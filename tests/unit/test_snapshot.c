/*
 * The snapshot's rendering from a fixed fleet (tests/unit/snapshot_test.h)
 * at a fixed clock, diffed against golden files
 * (tests/golden/snapshot_SCREEN_FORMAT.txt): every screen (overview,
 * service, logs, traces, trace, topology, alerts, all) in every format
 * (text, ansi, markdown, json).  Plus the JSON envelope's shape, the
 * Markdown pipe tables, --screen all's headings and skipped screens, and
 * the --screen names.  UPDATE_GOLDEN=1 rewrites the golden files (review
 * the diff).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "golden.h"
#include "snapshot_test.h"

static const char *const format_names[] = { "text", "ansi", "markdown", "json" };

static struct snap_out
out_of(enum snapshot_format fmt)
{
	struct snap_out o;

	memset(&o, 0, sizeof o);
	o.format = fmt;
	o.width = 100;
	o.height = 20;
	o.color = true;
	return o;
}

static int
setup(void **state)
{
	struct snap_fixture *f = snap_fixture_new(true);

	snap_fixture_screens(f);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	snap_fixture_free(*state);
	return 0;
}

/* Screen w in every format against its golden files. */
static void
each_format(struct snap_fixture *f, enum snap_screen w, const char *name)
{
	int fmt;

	for (fmt = SNAP_TEXT; fmt <= SNAP_JSON; fmt++) {
		struct snap_out o = out_of((enum snapshot_format)fmt);
		struct buf out;
		char gname[96];

		buf_init(&out);
		snapshot_render(&o, w, &f->d, &out);
		buf_putc(&out, '\0');
		snprintf(gname, sizeof gname, "snapshot_%s_%s", name, format_names[fmt]);
		golden(gname, out.data);
		buf_done(&out);
	}
}

static void
test_overview(void **state)
{
	each_format(*state, SNAP_SCREEN_OVERVIEW, "overview");
}

static void
test_service(void **state)
{
	each_format(*state, SNAP_SCREEN_SERVICE, "service");
}

static void
test_logs(void **state)
{
	each_format(*state, SNAP_SCREEN_LOGS, "logs");
}

static void
test_traces(void **state)
{
	each_format(*state, SNAP_SCREEN_TRACES, "traces");
}

static void
test_trace(void **state)
{
	each_format(*state, SNAP_SCREEN_TRACE, "trace");
}

static void
test_topology(void **state)
{
	each_format(*state, SNAP_SCREEN_TOPOLOGY, "topology");
}

static void
test_alerts(void **state)
{
	each_format(*state, SNAP_SCREEN_ALERTS, "alerts");
}

/* --screen all's parts as snapshot.c puts them: logs skipped, orders' detail last. */
static size_t
all_parts(struct snap_fixture *f, struct snap_part *p)
{
	static const enum snap_screen order[] = { SNAP_SCREEN_OVERVIEW, SNAP_SCREEN_ALERTS,
						  SNAP_SCREEN_LOGS,     SNAP_SCREEN_TRACES,
						  SNAP_SCREEN_TOPOLOGY, SNAP_SCREEN_SERVICE };
	size_t i;

	for (i = 0; i < 6; i++) {
		memset(&p[i], 0, sizeof p[i]);
		p[i].w = order[i];
		p[i].d = f->d;
	}
	p[2].skipped = "no Elasticsearch configured ([elasticsearch] url)";
	return 6;
}

static void
render_all(struct snap_fixture *f, enum snapshot_format fmt, struct buf *out)
{
	struct snap_part parts[6];
	struct snap_out o = out_of(fmt);
	size_t n = all_parts(f, parts);

	o.height = 12;
	snapshot_render_all(&o, parts, n, &f->d,
			    "7 services are not OK: the Service detail of the 5 worst is shown.",
			    out);
	buf_putc(out, '\0');
}

static void
test_all(void **state)
{
	struct snap_fixture *f = *state;
	int fmt;

	for (fmt = SNAP_TEXT; fmt <= SNAP_JSON; fmt++) {
		struct buf out;
		char gname[64];

		buf_init(&out);
		render_all(f, (enum snapshot_format)fmt, &out);
		snprintf(gname, sizeof gname, "snapshot_all_%s", format_names[fmt]);
		golden(gname, out.data);
		buf_done(&out);
	}
}

/* The envelope: schema 1, when, env, every backend, one screen keyed by its --screen name. */
static void
test_envelope(void **state)
{
	struct snap_fixture *f = *state;
	struct snap_out o = out_of(SNAP_JSON);
	struct buf out;
	json_t *j, *be;
	const char *key;
	json_t *val;

	f->v.env_name = "prod";
	buf_init(&out);
	snapshot_render(&o, SNAP_SCREEN_TRACE, &f->d, &out);
	j = json_loadb(out.data, out.len, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "schema")), 1);
	assert_string_equal(json_string_value(json_object_get(j, "generated_at")),
			    "2026-11-18T11:06:40Z");
	assert_string_equal(json_string_value(json_object_get(j, "env")), "prod");
	be = json_object_get(j, "backends");
	assert_int_equal(json_object_size(be), 4);
	json_object_foreach(be, key, val)
	{
		assert_true(json_is_true(json_object_get(val, "ok")));
		assert_true(json_is_integer(json_object_get(val, "latency_ms")));
		assert_string_equal(json_string_value(json_object_get(val, "last_ok")),
				    "2026-11-18T11:06:40Z");
		assert_true(json_is_null(json_object_get(val, "error")));
	}
	assert_int_equal(json_object_size(json_object_get(j, "screens")), 1);
	val = json_object_get(json_object_get(j, "screens"),
			      "trace:5af7183fb1d4cf5f6e3c8e1a1d2b4c90");
	assert_non_null(val);
	assert_true(json_array_size(json_object_get(val, "spans")) > 3);
	json_decref(j);
	buf_done(&out);
	f->v.env_name = NULL;
}

/* A failed backend: ok false, no latency, its error; the last success kept. */
static void
test_envelope_failed_backend(void **state)
{
	struct snap_fixture *f = *state;
	struct err e;
	json_t *j, *p;

	err_set(&e, ERR_CONNECT, "prometheus: cannot connect to http://127.0.0.1:9");
	model_backend_fail(f->m, "prometheus", &e, NOW);
	j = snapshot_json_envelope(&f->d);
	p = json_object_get(json_object_get(j, "backends"), "prometheus");
	assert_true(json_is_false(json_object_get(p, "ok")));
	assert_true(json_is_null(json_object_get(p, "latency_ms")));
	assert_string_equal(json_string_value(json_object_get(p, "error")),
			    "prometheus: cannot connect to http://127.0.0.1:9");
	assert_string_equal(json_string_value(json_object_get(p, "last_ok")),
			    "2026-11-18T11:06:40Z");
	json_decref(j);
}

/* Markdown tables in the common pipe form: a header row, then |---|, as many cells each row. */
static void
test_markdown_pipe_tables(void **state)
{
	struct snap_fixture *f = *state;
	struct buf out;
	char *line, *save = NULL;
	int cols = -1, tables = 0;
	bool after_rule = false;

	buf_init(&out);
	render_all(f, SNAP_MARKDOWN, &out);
	for (line = strtok_r(out.data, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		int n = 0;
		const char *p;

		if (line[0] != '|') {
			cols = -1;
			after_rule = false;
			continue;
		}
		for (p = line; *p != '\0'; p++)
			if (*p == '|' && (p == line || p[-1] != '\\'))
				n++;
		assert_int_equal(line[strlen(line) - 1], '|');
		if (strncmp(line, "|---", 4) == 0 || strncmp(line, "|:--", 4) == 0) {
			assert_int_equal(n, cols); /* the rule under the header row */
			after_rule = true;
			tables++;
		} else if (cols < 0) {
			cols = n; /* a header row */
		} else {
			assert_true(after_rule);
			assert_int_equal(n, cols);
		}
	}
	assert_true(tables >= 6); /* overview, alerts, traces, topology, the detail's ... */
	buf_done(&out);
}

/* --screen all's details: the services not OK, worst first, at most the cap; how many in all. */
static void
test_not_ok(void **state)
{
	struct snap_fixture *f = *state;
	const char *names[SNAPSHOT_ALL_DETAILS];
	size_t n = 0;
	int i;

	assert_int_equal(snapshot_not_ok(&f->v, names, SNAPSHOT_ALL_DETAILS, &n), 3);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "orders");    /* CRIT */
	assert_string_equal(names[1], "payments");  /* WARN, in the model's order */
	assert_string_equal(names[2], "inventory"); /* WARN */
	for (i = 0; i < 6; i++) {
		char name[16];

		snprintf(name, sizeof name, "slow%d", i);
		snap_metrics(f->m, name, 1, 0, 0.6 + 0.1 * i);
	}
	snap_metrics(f->m, "broken", 1, 0.5, 0.1);
	assert_int_equal(snapshot_not_ok(&f->v, names, SNAPSHOT_ALL_DETAILS, &n), 10);
	assert_int_equal(n, SNAPSHOT_ALL_DETAILS);
	assert_string_equal(names[0], "orders");
	assert_string_equal(names[1], "broken");
	assert_string_equal(names[2], "payments");
	assert_string_equal(names[4], "slow0");
}

static void
test_screen_names(void **state)
{
	enum snap_screen w;
	struct err e;

	(void)state;
	assert_int_equal(snapshot_screen_parse("overview", &w, &e), 0);
	assert_int_equal(w, SNAP_SCREEN_OVERVIEW);
	assert_int_equal(snapshot_screen_parse("service:payments", &w, &e), 0);
	assert_int_equal(w, SNAP_SCREEN_SERVICE);
	assert_int_equal(snapshot_screen_parse("trace:abc", &w, &e), 0);
	assert_int_equal(w, SNAP_SCREEN_TRACE);
	assert_int_equal(snapshot_screen_parse("alerts", &w, &e), 0);
	assert_int_equal(w, SNAP_SCREEN_ALERTS);
	assert_int_equal(snapshot_screen_parse("all", &w, &e), 0);
	assert_int_equal(w, SNAP_SCREEN_ALL);
	assert_int_equal(snapshot_screen_parse("service:", &w, &e), -1);
	assert_int_equal(snapshot_screen_parse("bogus", &w, &e), -1);
	assert_non_null(strstr(e.msg, "overview, service:NAME, logs, traces, trace:ID, topology, "
				      "alerts, all"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_overview, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service, setup, teardown),
		cmocka_unit_test_setup_teardown(test_logs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_traces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_topology, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alerts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_envelope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_envelope_failed_backend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown_pipe_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ok, setup, teardown),
		cmocka_unit_test(test_screen_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
