/*
 * The Query screen (tui/screens/query*.c) drawn into a canvas from answers
 * parsed by the real parser - the captured vector (Korean and emoji label
 * values), a generated range answer of eight series, the captured
 * "unclosed left parenthesis" error - and diffed against golden text
 * (tests/golden/query_*.txt) at 80x24 and 160x40, and in ASCII.
 * Behaviour: rows highest value first with one column per differing label
 * and the shared ones on the common line; many differing labels give one
 * SERIES column in PromQL's notation; the caret sits under the byte the
 * error points at, also when a long expression must scroll to show it;
 * hostile label values are sanitised; the chart draws six series and says
 * how many more; scalar and string answers show one value; an empty answer
 * says "no series" and when; a failed refresh keeps the last answer under
 * the error; the intro and the "no Prometheus" screens; j/k move the
 * cursor; ASCII mode writes no byte above 0x7f.  UPDATE_GOLDEN=1 rewrites
 * the goldens.
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
#include "frame.h"
#include "keys.h"
#include "model.h"
#include "prometheus.h"
#include "prometheus_query.h"
#include "query_poll.h"
#include "screens/query.h"
#include "text.h"
#include "view.h"
#include "xalloc.h"

#define NOW 1795390960.0 /* the captures' time: 2026-11-22T23:42:40Z */
#define FIX TESTS_DIR "/fixtures/prometheus/"
#define EVIL "evil\x1b[2J\x1b]0;pwned\x07\xe2\x80\xae"

static const struct thresholds th = { 0.01, 0.05, 0.5, 2.0 };

struct fixture {
	struct model *m;
	struct query_screen *q;
	struct query_data d;
	struct view_ctx v;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	setenv("TZ", "UTC", 1);
	tzset();
	f->m = model_new(10, 10);
	model_backend_ok(f->m, "prometheus", 12, NOW);
	f->q = query_screen_new();
	f->v.model = f->m;
	f->v.th = &th;
	f->v.now = NOW;
	f->v.stale_after = 6;
	f->v.prometheus = true;
	f->d.configured = true;
	f->d.expr = "";
	f->d.range_s = 3600;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	prometheus_result_done(&f->d.result);
	query_screen_free(f->q);
	model_free(f->m);
	free(f);
	return 0;
}

/* The answer in body (HTTP status), as the poller keeps it. */
static void
answer(struct fixture *f, long status, const char *body, size_t len, double t0, double t1)
{
	struct prom_result r;
	struct err e;

	prometheus_result_done(&f->d.result);
	f->d.have_result = false;
	err_clear(&e);
	if (prometheus_parse_query(status, body, len, &r, &e) < 0) {
		f->d.err = e;
		return;
	}
	err_clear(&f->d.err);
	prometheus_result_sort(&r);
	f->d.total_series = prometheus_result_cap(&r, QUERY_MAX_SERIES, QUERY_MAX_POINTS);
	f->d.result = r;
	f->d.have_result = true;
	f->d.t0 = t0;
	f->d.t1 = t1;
	f->d.step_s = t1 > t0 ? 60 : 0;
	f->d.latency_ms = 12;
}

static void
answer_fixture(struct fixture *f, const char *name, double t0, double t1)
{
	char path[256], *buf;
	FILE *fp;
	long n, status;

	snprintf(path, sizeof path, FIX "%s.status", name);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%ld", &status), 1);
	fclose(fp);
	snprintf(path, sizeof path, FIX "%s.json", name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = xmalloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	buf[n] = '\0';
	answer(f, status, buf, (size_t)n, t0, t1);
	free(buf);
}

/*
 * A range answer of n series over the hour before NOW, a point a minute:
 * node_memory_used_bytes{instance="host-K:9100", job="node"} climbing to
 * (K+1) GiB with a wave; series 2 has a hostile instance.
 */
static void
answer_matrix(struct fixture *f, int n)
{
	struct buf b;
	int k, i;

	buf_init(&b);
	buf_puts(&b, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
	for (k = 0; k < n; k++) {
		buf_printf(&b,
			   "%s{\"metric\":{\"__name__\":\"node_memory_used_bytes\",\"instance\":\"%"
			   "s%d:"
			   "9100\",\"job\":\"node\"},\"values\":[",
			   k ? "," : "", k == 2 ? "evil\\u001b[2J\\u202e" : "host-", k);
		for (i = 0; i <= 60; i++) {
			double v = (k + 1) * 1073741824.0 * (0.7 + 0.3 * i / 60.0) +
				   1e8 * sin(i / 6.0 + k);

			buf_printf(&b, "%s[%.0f,\"%.0f\"]", i ? "," : "", NOW - 3600 + i * 60, v);
		}
		buf_puts(&b, "]}");
	}
	buf_puts(&b, "]}}");
	answer(f, 200, b.data, b.len, NOW - 3600, NOW);
	buf_done(&b);
}

static struct canvas *
draw(struct fixture *f, int w, int h)
{
	struct canvas *c = canvas_new(w, h);
	char summary[128];

	c->ascii = f->v.ascii;
	query_screen_summary(&f->d, summary, sizeof summary);
	frame_draw_title(c, 0, f->v.ascii ? "Overview > Query" : "Overview \xe2\x80\xba Query",
			 summary, &f->v);
	query_screen_draw(f->q, c, frame_body(c), &f->v, &f->d);
	frame_draw_status(c, h - 1, &f->v, "? help ", ROLE_BAR);
	return c;
}

static char *
text_of(struct canvas *c)
{
	struct buf out;

	buf_init(&out);
	canvas_write_text(c, &out);
	return buf_steal(&out);
}

static char *
render(struct fixture *f, int w, int h)
{
	struct canvas *c = draw(f, w, h);
	char *s = text_of(c);

	canvas_free(c);
	return s;
}

/* The text of canvas row y. */
static char *
row_text(struct canvas *c, int y)
{
	struct buf b;
	int x;

	buf_init(&b);
	for (x = 0; x < c->w; x++)
		buf_puts(&b, c->cells[y * c->w + x].ch[0] ? c->cells[y * c->w + x].ch : " ");
	return buf_steal(&b);
}

/* The first row below the mode line whose cells are SELECTED in column 2, or -1. */
static int
selected_row(struct canvas *c)
{
	int y;

	for (y = 3; y < c->h; y++)
		if (c->cells[y * c->w + 2].role == ROLE_SELECTED)
			return y;
	return -1;
}

static void
no_high_bytes(const char *s)
{
	for (; *s != '\0'; s++)
		assert_true((unsigned char)*s < 0x80);
}

static void
test_table_golden(void **state)
{
	struct fixture *f = *state;
	char *s;

	f->d.expr = "sum by (service, code) (http_requests_total)";
	answer_fixture(f, "vector", NOW, NOW);
	s = render(f, 80, 24);
	golden("query_table_80x24", s);
	/* highest first: orders 200 above 주문 above 🛒cart 200 */
	assert_true(strstr(s, "orders") < strstr(s, "\xec\xa3\xbc\xeb\xac\xb8"));
	assert_non_null(strstr(s, "CODE"));
	assert_non_null(strstr(s, "SERVICE"));
	assert_non_null(strstr(s, "88871852480"));
	assert_non_null(strstr(s, "5 series"));
	free(s);
	s = render(f, 160, 40);
	golden("query_table_160x40", s);
	free(s);
	f->v.ascii = true;
	s = render(f, 80, 24);
	golden("query_table_ascii_80x24", s);
	no_high_bytes(s);
	free(s);
}

static void
test_chart_golden(void **state)
{
	struct fixture *f = *state;
	char *s;

	f->d.expr = "node_memory_used_bytes";
	f->d.mode = QUERY_RANGE;
	answer_matrix(f, 8);
	s = render(f, 80, 24);
	golden("query_chart_80x24", s);
	free(s);
	s = render(f, 160, 40);
	golden("query_chart_160x40", s);
	/* the six highest drawn and listed with their last value, the rest counted */
	assert_non_null(strstr(s, "host-7:9100"));
	assert_non_null(strstr(s, "7.91Gi"));
	assert_null(strstr(s, "host-1:9100"));
	assert_non_null(strstr(s, "+2 more series not drawn"));
	/* the hostile instance is made visible, never sent */
	assert_null(strchr(s, '\x1b'));
	assert_non_null(strstr(s, "evil^[[2J<U+202E>2:9100"));
	assert_non_null(strstr(s, "8 series over 1h"));
	free(s);
	f->v.ascii = true;
	s = render(f, 80, 24);
	golden("query_chart_ascii_80x24", s);
	no_high_bytes(s);
	free(s);
}

static void
test_error_caret(void **state)
{
	struct fixture *f = *state;
	struct canvas *c;
	char *s, *row;
	int x;

	f->d.expr = "sum(rate(x[5m])";
	answer_fixture(f, "error_unclosed", NOW, NOW);
	assert_int_equal(f->d.err.code, ERR_BACKEND);
	s = render(f, 80, 24);
	golden("query_error_80x24", s);
	/* the server's words, verbatim */
	assert_non_null(strstr(s, "prometheus: bad_data: invalid parameter \"query\": 1:16: "
				  "parse error: unclosed\n left parenthesis"));
	assert_non_null(strstr(s, "refused"));
	free(s);
	c = draw(f, 80, 24);
	row = row_text(c, 1);
	x = (int)(strstr(row, "sum(") - row);
	free(row);
	/* the caret is under the byte after the last, in CRIT */
	assert_string_equal(c->cells[2 * 80 + x + 15].ch, "^");
	assert_int_equal(c->cells[2 * 80 + x + 15].role, ROLE_CRIT);
	canvas_free(c);
	s = render(f, 160, 40);
	golden("query_error_160x40", s);
	free(s);
}

/* A long expression scrolls so the caret shows, and a wide character before it counts twice. */
static void
test_caret_scrolls(void **state)
{
	struct fixture *f = *state;
	static const char body[] = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
				   "\"invalid parameter \\\"query\\\": 1:120: parse error: "
				   "unexpected character: '!'\"}";
	char expr[160];
	struct canvas *c;
	int y = 2, x, found = -1;

	memset(expr, 'a', 119);
	expr[119] = '!';
	memcpy(expr + 120, "bbbb", 5);
	memcpy(expr, "\xe5\x90\x8d", 3); /* 名: 3 bytes, 2 columns */
	f->d.expr = expr;
	answer(f, 400, body, sizeof body - 1, NOW, NOW);
	c = draw(f, 80, 24);
	for (x = 0; x < 80; x++)
		if (strcmp(c->cells[y * 80 + x].ch, "^") == 0)
			found = x;
	assert_true(found > 0);
	assert_string_equal(c->cells[1 * 80 + found].ch, "!");
	canvas_free(c);
	/* at the start, the wide character shifts the caret by its two columns */
	memcpy(expr, "\xe5\x90\x8d!", 4);
	expr[4] = '\0';
	{
		static const char b2[] =
			"{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
			"\"1:4: parse error: unexpected character: '!'\"}";

		answer(f, 400, b2, sizeof b2 - 1, NOW, NOW);
	}
	c = draw(f, 80, 24);
	found = -1;
	for (x = 0; x < 80; x++)
		if (strcmp(c->cells[y * 80 + x].ch, "^") == 0)
			found = x;
	assert_true(found > 0);
	assert_string_equal(c->cells[1 * 80 + found].ch, "!");
	assert_string_equal(c->cells[1 * 80 + found - 2].ch, "\xe5\x90\x8d");
	canvas_free(c);
}

static void
test_many_labels_one_column(void **state)
{
	struct fixture *f = *state;
	static const char body[] =
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
		"{\"metric\":{\"a\":\"1\",\"b\":\"1\",\"c\":\"1\",\"d\":\"1\",\"e\":\"1\"},"
		"\"value\":[1795390960,\"0.25\"]},"
		"{\"metric\":{\"a\":\"2\",\"b\":\"2\",\"c\":\"2\",\"d\":\"2\",\"e\":\"2\"},"
		"\"value\":[1795390960,\"1234567.5\"]}]}}";
	char *s;

	f->d.expr = "x";
	answer(f, 200, body, sizeof body - 1, NOW, NOW);
	s = render(f, 80, 24);
	assert_non_null(strstr(s, "SERIES"));
	assert_non_null(strstr(s, "{a=\"2\", b=\"2\", c=\"2\", d=\"2\", e=\"2\"}"));
	assert_true(strstr(s, "a=\"2\"") < strstr(s, "a=\"1\""));
	assert_non_null(strstr(s, "1234568")); /* 6 significant digits, no exponent */
	assert_non_null(strstr(s, "0.25"));
	assert_null(strstr(s, "common"));
	free(s);
}

static void
test_scalar_string_empty(void **state)
{
	struct fixture *f = *state;
	char *s;

	f->d.expr = "scalar(vector(1.5))";
	answer_fixture(f, "scalar", NOW, NOW);
	s = render(f, 80, 24);
	assert_non_null(strstr(s, "scalar 23:42:40"));
	assert_non_null(strstr(s, "1.5"));
	free(s);
	f->d.expr = "\"x\"";
	answer_fixture(f, "string", NOW, NOW);
	s = render(f, 80, 24);
	assert_non_null(strstr(s, "\xec\xa3\xbc\xeb\xac\xb8 \xf0\x9f\x9b\x92"));
	free(s);
	f->d.expr = "http_requests_total{service=\"nope\"}";
	answer_fixture(f, "vector_empty", NOW, NOW);
	s = render(f, 80, 24);
	assert_non_null(strstr(s, "no series at 23:42:40"));
	assert_non_null(strstr(s, "0 series"));
	free(s);
	f->d.mode = QUERY_RANGE;
	answer_fixture(f, "vector_empty", NOW - 900, NOW);
	s = render(f, 80, 24);
	assert_non_null(strstr(s, "no series between 23:27:40 and 23:42:40"));
	free(s);
}

static void
test_failed_refresh_keeps_result(void **state)
{
	struct fixture *f = *state;
	char *s;

	f->d.expr = "sum by (service, code) (http_requests_total)";
	answer_fixture(f, "vector", NOW, NOW);
	err_set(&f->d.err, ERR_CONNECT,
		"prometheus: cannot connect to http://127.0.0.1:9 (Connection refused)");
	s = render(f, 80, 24);
	golden("query_failed_80x24", s);
	assert_non_null(strstr(s, "cannot connect"));
	assert_non_null(strstr(s, "asked again at every refresh"));
	assert_non_null(strstr(s, "The last answer, from 23:42:40"));
	assert_non_null(strstr(s, "88871852480"));
	assert_non_null(strstr(s, "failed"));
	free(s);
}

static void
test_intro_and_unconfigured(void **state)
{
	struct fixture *f = *state;
	char *s;

	s = render(f, 80, 24);
	assert_non_null(strstr(s, "Type a PromQL expression"));
	assert_non_null(strstr(s, "press e to type one"));
	free(s);
	f->d.configured = false;
	s = render(f, 80, 24);
	assert_non_null(strstr(s, "No Prometheus is configured"));
	assert_non_null(strstr(s, "--prometheus URL"));
	free(s);
	f->d.loading = true;
	f->d.configured = true;
	f->d.expr = "up";
	s = render(f, 80, 24);
	assert_non_null(strstr(s, "running"));
	free(s);
}

static void
test_cursor_keys(void **state)
{
	struct fixture *f = *state;
	struct canvas *c;
	int first;

	f->d.expr = "sum by (service, code) (http_requests_total)";
	answer_fixture(f, "vector", NOW, NOW);
	c = draw(f, 80, 24);
	first = selected_row(c);
	assert_true(first > 0);
	canvas_free(c);
	assert_int_equal(query_screen_handle(f->q, ACT_DOWN, &f->d), H_HANDLED | H_DIRTY);
	query_screen_handle(f->q, ACT_DOWN, &f->d);
	c = draw(f, 80, 24);
	assert_int_equal(selected_row(c), first + 2);
	canvas_free(c);
	query_screen_handle(f->q, ACT_BOTTOM, &f->d);
	query_screen_handle(f->q, ACT_DOWN, &f->d); /* stays on the last */
	c = draw(f, 80, 24);
	assert_int_equal(selected_row(c), first + 4);
	canvas_free(c);
	query_screen_handle(f->q, ACT_TOP, &f->d);
	c = draw(f, 80, 24);
	assert_int_equal(selected_row(c), first);
	canvas_free(c);
	assert_int_equal(query_screen_handle(f->q, ACT_QUERY_MODE, &f->d), H_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table_golden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chart_golden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_caret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caret_scrolls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_labels_one_column, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scalar_string_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_refresh_keeps_result, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intro_and_unconfigured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_keys, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
