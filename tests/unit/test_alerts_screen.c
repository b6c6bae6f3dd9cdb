/*
 * The Alerts screen (tui/screens/alerts.c) drawn as the console and the
 * snapshot draw it (tui/alerts_snapshot.c) from a hand-built model and
 * diffed against golden text (tests/golden/alerts_*.txt) at 80x24 and
 * 160x40: FIRING, PENDING, SILENCED with its end, a hostile alert name
 * sanitised, a failing Alertmanager named above the table with its rows
 * stale; the empty screens say where alerts come from.  Behaviour: the
 * cursor keeps its alert across a refresh that reorders; the summary,
 * Markdown and JSON; a silence of the selected alert - matchers for every
 * label, the request body, the duration text, the audit line.
 * UPDATE_GOLDEN=1 rewrites the goldens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "golden.h"

#include "alerts_silence.h"
#include "alerts_snapshot.h"
#include "audit.h"
#include "buf.h"
#include "canvas.h"
#include "keys.h"
#include "model.h"
#include "screens/alerts.h"
#include "screens/overview.h"
#include "view.h"
#include "xalloc.h"

#define NOW 1795411800.0 /* 2026-11-23T05:30:00Z */
#define EVIL                                      \
	"Disk\x1b[2J\x1b]0;pwned\x07\xe2\x80\xae" \
	"Full"

static const struct thresholds th = { 0.01, 0.05, 0.5, 2.0 };

struct spec {
	const char *name, *service, *severity, *summary, *source, *fp;
	enum alert_state state;
	double ago;
	double ends_in; /* silenced: the silence ends this many seconds from NOW */
};

static const struct spec specs[] = {
	{ "HighErrorRatio", "orders", "critical", "orders: 23.4% of requests fail", "both", "f1",
	  ALERT_FIRING, 125, 0 },
	{ "HighLatency", "payments", "warning", "payments: p99 4.8s above 1.5s", "both", "f2",
	  ALERT_FIRING, 3720, 0 },
	{ EVIL, "\xec\xa3\xbc\xeb\xac\xb8", "info", "disk at 97% \xe2\x9c\x93 e\xcc\x81",
	  "alertmanager", "f3", ALERT_FIRING, 40, 0 },
	{ "SlowCheckout", "cart", "warning", "p99 above 2s", "prometheus", "f4", ALERT_PENDING, 2,
	  0 },
	{ "HighLatency", "gateway", "warning", "gateway: p99 4.1s above 1.5s", "alertmanager", "f5",
	  ALERT_SILENCED, 600, 5400 },
	{ "NodeDown", NULL, NULL, NULL, "alertmanager", "f6", ALERT_FIRING, 90000, 0 },
};
#define NSPECS (sizeof specs / sizeof specs[0])

static struct alert *
make_alerts(size_t *n)
{
	struct alert *a = xcalloc(NSPECS, sizeof *a);
	size_t i, k;

	for (i = 0; i < NSPECS; i++) {
		const struct spec *s = &specs[i];
		const char *kv[3][2] = { { "alertname", s->name },
					 { "service", s->service },
					 { "severity", s->severity } };

		a[i].name = xstrdup(s->name);
		a[i].service = xstrdup(s->service);
		a[i].severity = xstrdup(s->severity);
		a[i].summary = xstrdup(s->summary);
		a[i].source = xstrdup(s->source);
		a[i].fingerprint = xstrdup(s->fp);
		a[i].state = s->state;
		a[i].since = NOW - s->ago;
		if (s->state == ALERT_SILENCED) {
			a[i].silence_ends = NOW + s->ends_in;
			a[i].silenced_by = xstrdup("21b86fc6-d1f5-44d7-8177-ae07dc00d0fb");
		}
		a[i].labels = xcalloc(6, sizeof *a[i].labels);
		for (k = 0; k < 3; k++) {
			if (kv[k][1] == NULL)
				continue;
			a[i].labels[2 * a[i].nlabels] = xstrdup(kv[k][0]);
			a[i].labels[2 * a[i].nlabels + 1] = xstrdup(kv[k][1]);
			a[i].nlabels++;
		}
	}
	*n = NSPECS;
	return a;
}

static int find_x(struct canvas *c, int y, const char *s);

struct fixture {
	struct model *m;
	struct view_ctx v;
	struct alerts_status st;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	struct alert *a;
	size_t n;

	f->m = model_new(8, 32);
	model_service(f->m, "orders", true);
	model_service(f->m, "payments", true);
	a = make_alerts(&n);
	model_set_alerts(f->m, a, n);
	model_backend_ok(f->m, "prometheus", 12, NOW);
	model_backend_ok(f->m, "alertmanager", 3, NOW);
	f->v.model = f->m;
	f->v.th = &th;
	f->v.now = NOW;
	f->v.stale_after = 6;
	f->v.prometheus = true;
	f->st.prometheus = true;
	f->st.alertmanager = true;
	f->st.am_url = "http://127.0.0.1:9093";
	f->st.have = true;
	f->st.am_ok_at = f->st.prom_ok_at = NOW;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	model_free(f->m);
	free(f);
	return 0;
}

static char *
render(struct fixture *f, int w, int h)
{
	struct canvas *c = canvas_new(w, h);
	struct buf out;

	c->ascii = f->v.ascii;
	alerts_snapshot_draw(c, &f->v, &f->st, true);
	buf_init(&out);
	canvas_write_text(c, &out);
	canvas_free(c);
	return buf_steal(&out);
}

static void
test_golden(void **state)
{
	struct fixture *f = *state;
	char *s;

	s = render(f, 80, 24);
	golden("alerts_80x24", s);
	/* Sanitised: no ESC or BEL reaches the canvas; the name is still there. */
	assert_null(strchr(s, '\x1b'));
	assert_null(strchr(s, '\x07'));
	assert_non_null(strstr(s, "Disk^["));
	assert_non_null(strstr(s, "SILENCED until 07:00"));
	free(s);
	s = render(f, 160, 40);
	golden("alerts_160x40", s);
	assert_non_null(strstr(s, "gateway: p99 4.1s above 1.5s"));
	free(s);
}

static void
test_failing(void **state)
{
	struct fixture *f = *state;
	char *s;

	err_set(&f->st.am_err, ERR_CONNECT,
		"alertmanager: cannot connect to http://127.0.0.1:9093 (Connection refused)");
	f->st.am_ok_at = NOW - 125;
	s = render(f, 80, 24);
	golden("alerts_failing_80x24", s);
	assert_non_null(strstr(s, "Alertmanager failing, showing its alerts of 2m05s ago"));
	free(s);
	/* Alertmanager's rows are drawn stale; those Prometheus also holds are not. */
	{
		struct canvas *c = canvas_new(80, 24);
		int y, seen = 0;

		alerts_snapshot_draw(c, &f->v, &f->st, true);
		for (y = 0; y < 24; y++) {
			int x = find_x(c, y, "NodeDown"), x2 = find_x(c, y, "HighErrorRatio");

			if (x >= 0) {
				assert_int_equal(c->cells[y * 80 + x].role, ROLE_STALE);
				seen++;
			}
			if (x2 >= 0) {
				assert_int_equal(c->cells[y * 80 + x2].role, ROLE_NORMAL);
				seen++;
			}
		}
		assert_int_equal(seen, 2);
		canvas_free(c);
	}
}

static void
test_empty(void **state)
{
	struct fixture *f = *state;
	char *s;

	model_set_alerts(f->m, NULL, 0);
	s = render(f, 80, 24);
	golden("alerts_empty_80x24", s);
	assert_non_null(strstr(s, "No alerts are firing or pending"));
	assert_non_null(strstr(s, "http://127.0.0.1:9093"));
	free(s);
	f->st.alertmanager = false;
	f->st.am_url = NULL;
	s = render(f, 80, 24);
	assert_non_null(strstr(s, "not configured: set [alertmanager] url"));
	free(s);
	f->st.prometheus = false;
	s = render(f, 80, 24);
	assert_non_null(strstr(s, "No alert source is configured"));
	free(s);
}

/* The cursor stays on its alert when a refresh reorders the list. */
static void
test_cursor(void **state)
{
	struct fixture *f = *state;
	struct alerts_screen *sc = alerts_screen_new();
	const struct alert *a;
	struct alert *na;
	size_t n, i;
	char *s;

	assert_int_equal(alerts_screen_handle(sc, ACT_DOWN, &f->v), H_DIRTY | H_HANDLED);
	a = alerts_screen_selected(sc, &f->v);
	assert_string_equal(a->fingerprint, "f2"); /* the warning after the critical */
	/* Refresh: HighErrorRatio is now silenced, so HighLatency moves up. */
	na = make_alerts(&n);
	na[0].state = ALERT_SILENCED;
	na[0].silence_ends = NOW + 60;
	model_set_alerts(f->m, na, n);
	a = alerts_screen_selected(sc, &f->v);
	assert_string_equal(a->fingerprint, "f2");
	alerts_screen_handle(sc, ACT_BOTTOM, &f->v);
	a = alerts_screen_selected(sc, &f->v);
	assert_int_equal(a->state, ALERT_SILENCED);
	assert_int_equal(alerts_screen_handle(sc, ACT_SORT_NEXT, &f->v), H_NONE);
	for (i = 0; i < 10; i++)
		alerts_screen_handle(sc, ACT_UP, &f->v);
	assert_string_equal(alerts_screen_selected(sc, &f->v)->name, "HighLatency");
	alerts_screen_free(sc);
	s = xcalloc(1, 128);
	alerts_screen_summary(&f->v, s, 128);
	assert_string_equal(s, "3 firing \xc2\xb7 1 pending \xc2\xb7 2 silenced");
	free(s);
}

/* A silence ending days away shows its date, and the column makes room for it. */
static void
test_long_silence(void **state)
{
	struct fixture *f = *state;
	struct alert *a;
	size_t n;
	char *s;

	a = make_alerts(&n);
	a[4].silence_ends = NOW + 2 * 86400 + 3600;
	model_set_alerts(f->m, a, n);
	s = render(f, 120, 20);
	assert_non_null(strstr(s, "SILENCED until 11-25 06:30 warning"));
	free(s);
}

static void
test_filter(void **state)
{
	struct fixture *f = *state;
	struct alerts_screen *sc = alerts_screen_new();
	struct canvas *c = canvas_new(80, 12);
	struct buf out;
	struct err e;

	assert_int_equal(alerts_screen_set_filter(sc, "gateway|^warn", &e), 0);
	assert_string_equal(alerts_screen_filter(sc), "gateway|^warn");
	/* By service, severity: HighLatency (payments, warning), SlowCheckout, the silenced one. */
	assert_string_equal(alerts_screen_selected(sc, &f->v)->fingerprint, "f2");
	alerts_screen_handle(sc, ACT_BOTTOM, &f->v);
	assert_string_equal(alerts_screen_selected(sc, &f->v)->fingerprint, "f5");
	alerts_screen_draw(sc, c, (struct rect){ 0, 0, 80, 12 }, &f->v, &f->st, true);
	buf_init(&out);
	canvas_write_text(c, &out);
	assert_non_null(strstr(out.data, "SlowCheckout"));
	assert_null(strstr(out.data, "HighErrorRatio"));
	assert_null(strstr(out.data, "NodeDown"));
	buf_done(&out);
	/* A bad pattern is refused, the filter stays. */
	assert_int_equal(alerts_screen_set_filter(sc, "(", &e), -1);
	assert_string_equal(alerts_screen_filter(sc), "gateway|^warn");
	/* Nothing matches: the table says how to clear it. */
	assert_int_equal(alerts_screen_set_filter(sc, "nomatch", &e), 0);
	assert_null(alerts_screen_selected(sc, &f->v));
	canvas_clear(c);
	alerts_screen_draw(sc, c, (struct rect){ 0, 0, 80, 12 }, &f->v, &f->st, true);
	buf_init(&out);
	canvas_write_text(c, &out);
	assert_non_null(strstr(out.data, "no alert matches the filter (\\ clears it)"));
	buf_done(&out);
	/* Cleared: every alert again, the cursor back on the one it was on. */
	assert_int_equal(alerts_screen_set_filter(sc, "", &e), 0);
	assert_string_equal(alerts_screen_selected(sc, &f->v)->fingerprint, "f5");
	canvas_free(c);
	alerts_screen_free(sc);
}

static void
test_markdown_json(void **state)
{
	struct fixture *f = *state;
	struct buf b;
	json_t *j, *a0;

	buf_init(&b);
	alerts_snapshot_markdown(&f->v, &f->st, true, &b);
	assert_non_null(strstr(b.data, "## Alerts\n\n4 firing \xc2\xb7 1 pending \xc2\xb7 "
				       "1 silenced\n"));
	assert_non_null(strstr(b.data, "| STATE | SEVERITY | ALERT | SERVICE | SINCE | SUMMARY |"));
	assert_non_null(strstr(b.data, "| FIRING | critical | HighErrorRatio | orders | 2m05s |"));
	assert_non_null(
		strstr(b.data, "| SILENCED until 07:00 | warning | HighLatency | gateway |"));
	assert_null(strchr(b.data, '\x1b'));
	buf_done(&b);
	j = alerts_snapshot_json_object(f->m, &f->st);
	assert_int_equal(json_integer_value(json_object_get(j, "firing")), 4);
	assert_int_equal(json_integer_value(json_object_get(j, "pending")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "silenced")), 1);
	assert_true(json_is_null(json_object_get(j, "error")));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "sources"), "alertmanager")),
		"http://127.0.0.1:9093");
	a0 = json_array_get(json_object_get(j, "alerts"), 0);
	assert_string_equal(json_string_value(json_object_get(a0, "name")), "HighErrorRatio");
	assert_string_equal(json_string_value(json_object_get(a0, "state")), "firing");
	assert_string_equal(json_string_value(json_object_get(a0, "since")),
			    "2026-11-23T05:27:55.000Z");
	assert_string_equal(json_string_value(json_object_get(a0, "source")), "both");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(a0, "labels"), "service")),
		"orders");
	assert_int_equal(json_array_size(json_object_get(a0, "silenced_by")), 0);
	assert_true(json_is_null(json_object_get(a0, "silence_ends")));
	a0 = json_array_get(json_object_get(j, "alerts"), 5);
	assert_string_equal(json_string_value(json_object_get(a0, "state")), "silenced");
	assert_string_equal(json_string_value(json_object_get(a0, "silence_ends")),
			    "2026-11-23T07:00:00.000Z");
	assert_string_equal(
		json_string_value(json_array_get(json_object_get(a0, "silenced_by"), 0)),
		"21b86fc6-d1f5-44d7-8177-ae07dc00d0fb");
	json_decref(j);
}

static void
test_silence(void **state)
{
	struct fixture *f = *state;
	struct alerts_silence s;
	size_t n;
	const struct alert *a = model_alerts(f->m, &n);
	char *body, path[] = "/tmp/opsdeck-test-alerts-XXXXXX", file[300], dur[32];
	struct audit log;
	struct buf b;
	struct err e;

	alerts_silence_init(&s, &a[0], "kim");
	assert_string_equal(s.name, "HighErrorRatio");
	assert_string_equal(s.created_by, "opsdeck (kim)");
	assert_int_equal(s.nmatchers, 3);
	assert_int_equal(alerts_silence_set_duration(&s, 30000, NOW, &e), -1);
	assert_non_null(strstr(e.msg, "at least 1m"));
	assert_int_equal(alerts_silence_set_duration(&s, 5400000, NOW, &e), 0);
	snprintf(s.comment, sizeof s.comment, "deploy in progress \"quoted\"");
	body = alerts_silence_body(&s);
	assert_string_equal(
		body,
		"{\"matchers\":[{\"name\":\"alertname\",\"value\":\"HighErrorRatio\",\"isRegex\":"
		"false,\"isEqual\":true},{\"name\":\"service\",\"value\":\"orders\",\"isRegex\":"
		"false,\"isEqual\":true},{\"name\":\"severity\",\"value\":\"critical\","
		"\"isRegex\":false,\"isEqual\":true}],\"startsAt\":\"2026-11-23T05:30:00.000Z\","
		"\"endsAt\":\"2026-11-23T07:00:00.000Z\",\"createdBy\":\"opsdeck (kim)\","
		"\"comment\":\"deploy in progress \\\"quoted\\\"\"}");
	free(body);
	buf_init(&b);
	alerts_silence_matchers_text(&s, &b);
	assert_string_equal(
		b.data, "alertname=\"HighErrorRatio\", service=\"orders\", severity=\"critical\"");
	buf_done(&b);
	alerts_silence_duration_text(5400000, dur, sizeof dur);
	assert_string_equal(dur, "1h30m");
	alerts_silence_duration_text(7200000, dur, sizeof dur);
	assert_string_equal(dur, "2h");
	alerts_silence_duration_text(93784000, dur, sizeof dur);
	assert_string_equal(dur, "1d2h3m4s");
	/* The audit line: one JSON line, the URL without its userinfo. */
	assert_non_null(mkdtemp(path));
	snprintf(file, sizeof file, "%s/audit.jsonl", path);
	assert_int_equal(audit_open(&log, file, &e), 0);
	assert_int_equal(alerts_silence_audit(&log, &s, "console", "http://u:secret@am:9093",
					      AUDIT_SUCCEEDED, "21b86fc6", NULL, &e),
			 0);
	assert_int_equal(alerts_silence_audit(&log, &s, "console", "http://am:9093", AUDIT_REFUSED,
					      NULL, "read-only", &e),
			 0);
	audit_close(&log);
	body = slurp(file);
	assert_non_null(body);
	assert_null(strstr(body, "secret"));
	assert_non_null(strstr(
		body,
		"\"mode\":\"console\",\"runtime\":\"alertmanager\",\"context\":\"http://am:9093\","
		"\"service\":\"orders\",\"action\":\"silence\",\"before\":\"HighErrorRatio{"
		"alertname=\\\"HighErrorRatio\\\", service=\\\"orders\\\", "
		"severity=\\\"critical\\\"}\",\"after\":\"for 1h30m until 2026-11-23T07:00:00Z; "
		"comment: deploy in progress \\\"quoted\\\"; id 21b86fc6\",\"result\":"
		"\"succeeded\",\"error\":null}\n"));
	assert_non_null(strstr(body, "\"result\":\"refused\",\"error\":\"read-only\"}\n"));
	free(body);
	unlink(file);
	rmdir(path);
	alerts_silence_done(&s);
}

/* The cell where text s starts on row y, or -1. */
static int
find_x(struct canvas *c, int y, const char *s)
{
	int x;
	size_t k;

	for (x = 0; x < c->w; x++) {
		for (k = 0; s[k] != '\0' && x + (int)k < c->w; k++)
			if (c->cells[y * c->w + x + (int)k].ch[0] != s[k])
				break;
		if (s[k] == '\0')
			return x;
	}
	return -1;
}

/* The Overview: an ALERTS column after STATUS while any alert fires, coloured by severity. */
static void
test_overview_marks(void **state)
{
	struct fixture *f = *state;
	struct overview *ov = overview_new();
	struct canvas *c = canvas_new(80, 10);
	struct alert *a;
	size_t n;
	int y, x;

	overview_draw(ov, c, (struct rect){ 0, 0, 80, 10 }, &f->v);
	assert_true(find_x(c, 0, "STATUS") >= 0);
	x = find_x(c, 0, "ALERTS");
	assert_true(x > find_x(c, 0, "STATUS"));
	/*
	 * orders: one critical firing; payments: one warning firing (the
	 * silenced gateway is not a service here).  The cursor row is drawn
	 * SELECTED: look at each with the cursor on the other.
	 */
	for (int pass = 0, seen = 0; pass < 2; pass++, assert_int_equal(seen, pass)) {
		overview_handle(ov, pass == 0 ? ACT_DOWN : ACT_UP, &f->v);
		canvas_clear(c);
		overview_draw(ov, c, (struct rect){ 0, 0, 80, 10 }, &f->v);
		for (y = 1; y < 3; y++) {
			const char *name = pass == 0 ? "orders" : "payments";

			if (find_x(c, y, name) != 0)
				continue;
			assert_int_equal(find_x(c, y, "!1"), x);
			assert_int_equal(c->cells[y * 80 + x].role,
					 pass == 0 ? ROLE_CRIT : ROLE_WARN);
			seen++;
		}
	}
	/* Silenced everywhere: no firing alert, no column. */
	a = make_alerts(&n);
	for (size_t i = 0; i < n; i++)
		a[i].state = ALERT_SILENCED;
	model_set_alerts(f->m, a, n);
	canvas_clear(c);
	overview_draw(ov, c, (struct rect){ 0, 0, 80, 10 }, &f->v);
	assert_int_equal(find_x(c, 0, "ALERTS"), -1);
	assert_int_equal(find_x(c, 1, "!"), -1);
	canvas_free(c);
	overview_free(ov);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_silence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overview_marks, setup, teardown),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
