/*
 * The Trace screen (tui/screens/waterfall.c) rendered into a canvas from
 * traces parsed by zipkin_parse_trace and built by trace_build, diffed
 * against golden text (tests/golden/waterfall_*.txt): the checkout trace
 * of tests/fixtures/zipkin at 80x24 and 160x40, with a collapsed subtree,
 * with the critical path, with the span pane.  Behaviour: collapsing hides
 * the subtree and Space again restores it; hostile span names and tags
 * are sanitised and cut; repairs are flagged; a small body says "terminal
 * too small"; ASCII mode draws no byte above 0x7f.  UPDATE_GOLDEN=1
 * rewrites the golden files.
 */
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
#include "screens/waterfall.h"
#include "text.h"
#include "trace.h"
#include "traces_poll.h"
#include "view.h"
#include "xalloc.h"
#include "zipkin.h"

#define NOW 1795341660.0 /* a minute after the fixture's trace */

static const struct thresholds th = { 0.01, 0.05, 0.5, 2.0 };

struct fixture {
	struct model *m;
	struct waterfall *w;
	struct trace *t;
	struct trace_data d;
	struct view_ctx v;
};

/* A trace from a Zipkin answer: parsed, then built.  Fails the test on an error. */
static struct trace *
trace_from_json(const char *body)
{
	struct zk_limits lim = { 0 };
	struct zk_span *spans = NULL;
	struct trace *t;
	struct err e;
	size_t n = 0;

	memset(&e, 0, sizeof e);
	if (zipkin_parse_trace(200, body, strlen(body), &lim, &spans, &n, &e) != 0)
		fail_msg("parse: %s", e.msg);
	t = trace_build(spans, n, &e);
	if (t == NULL)
		fail_msg("build: %s", e.msg);
	return t;
}

static void
use_trace(struct fixture *f, struct trace *t)
{
	trace_free(f->t);
	f->t = t;
	f->d.trace = t;
	f->d.trace_id = t->trace_id;
}

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char *body = slurp("tests/fixtures/zipkin/trace_checkout.json");

	assert_non_null(body);
	setenv("TZ", "UTC", 1);
	tzset();
	f->m = model_new(10, 10);
	model_backend_ok(f->m, "zipkin", 9, NOW);
	f->w = waterfall_new();
	use_trace(f, trace_from_json(body));
	free(body);
	f->d.utc = true;
	f->v.model = f->m;
	f->v.th = &th;
	f->v.now = NOW;
	f->v.stale_after = 6;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	waterfall_free(f->w);
	trace_free(f->t);
	model_free(f->m);
	free(f);
	return 0;
}

/* The whole screen as the console composes it: title, the waterfall, status line. */
static struct canvas *
draw(struct fixture *f, int w, int h)
{
	struct canvas *c = canvas_new(w, h);

	c->ascii = f->v.ascii;
	frame_draw_title(c, 0, f->v.ascii ? "Traces > Trace" : "Traces \xe2\x80\xba Trace", NULL,
			 &f->v);
	waterfall_draw(f->w, c, frame_body(c), &f->v, &f->d);
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

/* The node whose span is named name, or -1. */
static int
node_named(const struct trace *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nnodes; i++) {
		const struct zk_span *s = trace_span(t, (int)i);

		if (s != NULL && s->name != NULL && strcmp(s->name, name) == 0)
			return (int)i;
	}
	return -1;
}

/* The number of lines of s that contain needle. */
static int
count_lines(const char *s, const char *needle)
{
	int n = 0;

	while (s != NULL && *s) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		char *line = xstrndup(s, len);

		n += strstr(line, needle) != NULL;
		free(line);
		s = e ? e + 1 : NULL;
	}
	return n;
}

static void
test_golden_80x24(void **state)
{
	char *s = render(*state, 80, 24);

	golden("waterfall_80x24", s);
	free(s);
}

static void
test_golden_160x40(void **state)
{
	char *s = render(*state, 160, 40);

	golden("waterfall_160x40", s);
	free(s);
}

static void
test_golden_collapsed(void **state)
{
	struct fixture *f = *state;
	int pay = node_named(f->t, "post /charge"), k;
	char *s;

	/* The SERVER half of post /charge: its kafka subtree folds away. */
	for (k = pay; k >= 0 && trace_span(f->t, k)->kind != ZK_KIND_SERVER;)
		k = f->t->nodes[k].first_child;
	assert_true(k >= 0);
	waterfall_set_collapsed(f->w, &f->d, k, true);
	s = render(f, 80, 24);
	golden("waterfall_collapsed_80x24", s);
	assert_null(strstr(s, "send payment-events"));
	free(s);
	s = render(f, 160, 40);
	golden("waterfall_collapsed_160x40", s);
	free(s);
}

static void
test_golden_critical(void **state)
{
	struct fixture *f = *state;
	char *s;

	waterfall_set_critical(f->w, true);
	assert_true(waterfall_critical_shown(f->w));
	s = render(f, 80, 24);
	golden("waterfall_critical_80x24", s);
	assert_non_null(strstr(s, "PATH"));
	free(s);
	s = render(f, 160, 40);
	golden("waterfall_critical_160x40", s);
	free(s);
}

/* A fold keeps the critical path: the collapsed row stands for its subtree's share. */
static void
test_critical_survives_fold(void **state)
{
	struct fixture *f = *state;
	int64_t sum = 0;
	char want[16], *s;
	size_t k;

	waterfall_set_critical(f->w, true);
	waterfall_set_collapsed(f->w, &f->d, 1, true);
	for (k = 1; k < (size_t)(1 + f->t->nodes[1].subtree); k++)
		sum += f->t->nodes[k].crit_us;
	assert_true(sum > f->t->nodes[1].crit_us);
	snprintf(want, sizeof want, "%.0f%% ", 100.0 * (double)sum / (double)f->t->duration_us);
	s = render(f, 80, 24);
	assert_int_equal(count_lines(s, "\xe2\x97\x86"), 2); /* the root and the fold */
	assert_int_equal(count_lines(s, want), 1);
	assert_int_equal(count_lines(s, "+8"), 1);
	free(s);
	s = render(f, 160, 40);
	golden("waterfall_critical_collapsed_160x40", s);
	free(s);
	/* Off, the marks and shares go. */
	assert_int_equal(waterfall_handle(f->w, ACT_CRITICAL_PATH, &f->d), H_DIRTY | H_HANDLED);
	s = render(f, 80, 24);
	assert_int_equal(count_lines(s, "\xe2\x97\x86"), 0);
	assert_null(strstr(s, "PATH"));
	free(s);
}

/* Enter opens the span pane: below the rows at 80 columns, beside them at 160. */
static void
test_golden_pane(void **state)
{
	struct fixture *f = *state;
	char *s;
	int k;

	for (k = 0; k < 3; k++)
		assert_int_equal(waterfall_handle(f->w, ACT_DOWN, &f->d), H_DIRTY | H_HANDLED);
	assert_int_equal(waterfall_handle(f->w, ACT_SPAN_DETAIL, &f->d), H_DIRTY | H_HANDLED);
	s = render(f, 80, 24);
	golden("waterfall_pane_80x24", s);
	assert_non_null(strstr(s, "validate-cart"));
	assert_non_null(strstr(s, "^[[31mred^[[0m")); /* the tag's ESC made visible */
	free(s);
	s = render(f, 160, 40);
	golden("waterfall_pane_160x40", s);
	free(s);
	/* Esc closes the pane, not the screen. */
	assert_int_equal(waterfall_handle(f->w, ACT_BACK, &f->d), H_DIRTY | H_HANDLED);
	assert_int_equal(waterfall_handle(f->w, ACT_BACK, &f->d), H_NONE);
}

/* Space on a node hides its subtree's rows; Space again brings them back. */
static void
test_collapse_and_expand(void **state)
{
	struct fixture *f = *state;
	int before, after, again, sel;
	char *s;

	s = render(f, 160, 40);
	before = count_lines(s, "payment-events") + count_lines(s, "write-ledger");
	assert_int_equal(before, 3);
	assert_int_equal(count_lines(s, "validate-cart"), 1);
	free(s);
	/* Down to the gateway's CLIENT span to checkout: everything below is its subtree. */
	assert_int_equal(waterfall_handle(f->w, ACT_DOWN, &f->d), H_DIRTY | H_HANDLED);
	sel = waterfall_selected(f->w, &f->d);
	assert_true(f->t->nodes[sel].subtree > 5);
	assert_int_equal(waterfall_handle(f->w, ACT_SPAN_COLLAPSE, &f->d), H_DIRTY | H_HANDLED);
	s = render(f, 160, 40);
	after = count_lines(s, "payment-events") + count_lines(s, "write-ledger") +
		count_lines(s, "validate-cart");
	assert_int_equal(after, 0);
	{
		char hidden[16];

		snprintf(hidden, sizeof hidden, "+%d", f->t->nodes[sel].subtree - 1);
		assert_non_null(strstr(s, hidden));
	}
	free(s);
	/* The cursor stays on the collapsed node. */
	assert_int_equal(waterfall_selected(f->w, &f->d), sel);
	assert_int_equal(waterfall_handle(f->w, ACT_SPAN_COLLAPSE, &f->d), H_DIRTY | H_HANDLED);
	s = render(f, 160, 40);
	again = count_lines(s, "payment-events") + count_lines(s, "write-ledger");
	assert_int_equal(again, before);
	assert_int_equal(count_lines(s, "validate-cart"), 1);
	free(s);
}

/* Collapsing an ancestor of the cursor moves it up to the row that stays. */
static void
test_collapse_moves_hidden_cursor(void **state)
{
	struct fixture *f = *state;
	int ledger = node_named(f->t, "write-ledger");
	int k;

	for (k = 0; k < 20 && waterfall_selected(f->w, &f->d) != ledger; k++)
		waterfall_handle(f->w, ACT_DOWN, &f->d);
	assert_int_equal(waterfall_selected(f->w, &f->d), ledger);
	waterfall_set_collapsed(f->w, &f->d, 1, true);
	assert_int_equal(waterfall_selected(f->w, &f->d), 1);
	/* A leaf does not collapse. */
	waterfall_set_collapsed(f->w, &f->d, ledger, true);
	waterfall_set_collapsed(f->w, &f->d, 1, false);
	waterfall_handle(f->w, ACT_BOTTOM, &f->d);
	assert_int_equal(waterfall_selected(f->w, &f->d), (int)f->t->nnodes - 1);
}

/* Another trace (another id) starts with the cursor on top and nothing collapsed. */
static void
test_new_trace_resets(void **state)
{
	struct fixture *f = *state;
	static const char other[] =
		"[{\"traceId\":\"00000000000000b2\",\"id\":\"00000000000000b2\",\"name\":\"root\","
		"\"timestamp\":1795341600000000,\"duration\":1000,"
		"\"localEndpoint\":{\"serviceName\":\"solo\"}},"
		"{\"traceId\":\"00000000000000b2\",\"parentId\":\"00000000000000b2\",\"id\":"
		"\"00000000000000b3\",\"name\":\"child\",\"timestamp\":1795341600000100,"
		"\"duration\":500,\"localEndpoint\":{\"serviceName\":\"solo\"}}]";
	char *s;

	waterfall_handle(f->w, ACT_DOWN, &f->d);
	waterfall_handle(f->w, ACT_SPAN_COLLAPSE, &f->d);
	assert_int_equal(waterfall_selected(f->w, &f->d), 1);
	use_trace(f, trace_from_json(other));
	s = render(f, 80, 24);
	assert_int_equal(waterfall_selected(f->w, &f->d), 0);
	assert_non_null(strstr(s, "child"));
	free(s);
}

static const char hostile_fmt[] =
	"[{\"traceId\":\"00000000000000c1\",\"id\":\"00000000000000c1\",\"kind\":\"SERVER\","
	"\"name\":\"evil \\u001b[2J\\u001b]0;pwned\\u0007 \\u009b31m\\u202e drop\","
	"\"timestamp\":1795341600000000,\"duration\":90000,"
	"\"localEndpoint\":{\"serviceName\":\"front\\u001b[5m\"},"
	"\"tags\":{\"\\u001b[31mkey\":\"line1\\nline2\\ttab \\u0000nul\\u007f\","
	"\"long\":\"%s\"}},"
	"{\"traceId\":\"00000000000000c1\",\"parentId\":\"00000000000000c1\","
	"\"id\":\"00000000000000c2\",\"name\":\"%s\",\"timestamp\":1795341600001000,"
	"\"duration\":30000,\"localEndpoint\":{\"serviceName\":\"back\"}}]";

/* Escape sequences and control characters are shown, never sent; long names are cut. */
static void
test_hostile_text(void **state)
{
	struct fixture *f = *state;
	char longname[5001], *body;
	int sizes[2][2] = { { 80, 24 }, { 160, 40 } }, k, x, y;

	memset(longname, 'n', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	body = xasprintf(hostile_fmt, longname, longname);
	use_trace(f, trace_from_json(body));
	free(body);
	waterfall_handle(f->w, ACT_SPAN_DETAIL, &f->d);
	for (k = 0; k < 2; k++) {
		struct canvas *c = draw(f, sizes[k][0], sizes[k][1]);
		char *s = text_of(c);
		int row = -1;

		for (y = 0; y < c->h; y++)
			for (x = 0; x < c->w; x++) {
				const unsigned char *g =
					(const unsigned char *)c->cells[y * c->w + x].ch;

				for (; *g; g++)
					assert_true(*g >= 0x20 && *g != 0x7f);
			}
		assert_null(strchr(s, '\x1b'));
		assert_non_null(strstr(s, "evil ^[[2J^[]0;pwned^G <U+009B>31m<U+202E> drop"));
		assert_non_null(strstr(s, "front^[[5m"));
		/* The long child name ends in an ellipsis inside the name column. */
		for (y = 0; y < c->h; y++) {
			char line[64];

			for (x = 0; x < 40 && x < c->w; x++)
				line[x] = c->cells[y * c->w + x].ch[0];
			line[x] = '\0';
			if (strstr(line, "back nnnn") != NULL)
				row = y;
		}
		assert_true(row > 0);
		for (x = 0; x < c->w; x++)
			if (strcmp(c->cells[row * c->w + x].ch, "\xe2\x80\xa6") == 0)
				break;
		assert_true(x < c->w * 2 / 5 + 4);
		assert_true(strlen(s) < (size_t)(c->w * c->h * 4));
		free(s);
		canvas_free(c);
	}
}

static const char repairs_json[] =
	"[{\"traceId\":\"00000000000000d1\",\"id\":\"00000000000000d1\",\"kind\":\"SERVER\","
	"\"name\":\"get /\",\"timestamp\":1795341600000000,\"duration\":100000,"
	"\"localEndpoint\":{\"serviceName\":\"edge\"}},"
	/* another service whose clock is 20ms behind: starts before its parent */
	"{\"traceId\":\"00000000000000d1\",\"parentId\":\"00000000000000d1\","
	"\"id\":\"00000000000000d2\",\"name\":\"skewed\",\"timestamp\":1795341599990000,"
	"\"duration\":40000,\"localEndpoint\":{\"serviceName\":\"lagging\"}},"
	/* the same service, one clock: outruns its parent */
	"{\"traceId\":\"00000000000000d1\",\"parentId\":\"00000000000000d1\","
	"\"id\":\"00000000000000d3\",\"name\":\"outrun\",\"timestamp\":1795341600080000,"
	"\"duration\":50000,\"localEndpoint\":{\"serviceName\":\"edge\"}},"
	/* its parent never arrived */
	"{\"traceId\":\"00000000000000d1\",\"parentId\":\"00000000000000ff\","
	"\"id\":\"00000000000000d4\",\"name\":\"lost\",\"timestamp\":1795341600010000,"
	"\"duration\":5000,\"localEndpoint\":{\"serviceName\":\"edge\"}}]";

/* Orphans, skew and spans that outrun their parent are flagged on their rows and in the header. */
static void
test_repairs_flagged(void **state)
{
	struct fixture *f = *state;
	char *s;

	use_trace(f, trace_from_json(repairs_json));
	assert_true(f->t->norphans > 0);
	s = render(f, 80, 24);
	golden("waterfall_repairs_80x24", s);
	assert_non_null(strstr(s, "repaired:"));
	assert_non_null(strstr(s, "missing parent"));
	assert_int_equal(count_lines(s, "orphan"), 2); /* the header and the row */
	if (f->t->nskewed > 0)
		assert_non_null(strstr(s, "skew +"));
	assert_non_null(strstr(s, "exceeds parent"));
	free(s);
}

static void
test_too_small(void **state)
{
	struct fixture *f = *state;
	struct canvas *c = canvas_new(60, 20);
	char *s;

	waterfall_draw(f->w, c, (struct rect){ 0, 0, WATERFALL_MIN_W - 1, 20 }, &f->v, &f->d);
	s = text_of(c);
	assert_non_null(strstr(s, "terminal too small"));
	free(s);
	canvas_clear(c);
	waterfall_draw(f->w, c, (struct rect){ 0, 0, 60, WATERFALL_MIN_H - 1 }, &f->v, &f->d);
	s = text_of(c);
	assert_non_null(strstr(s, "terminal too small"));
	free(s);
	canvas_clear(c);
	waterfall_draw(f->w, c, (struct rect){ 0, 0, WATERFALL_MIN_W, WATERFALL_MIN_H }, &f->v,
		       &f->d);
	s = text_of(c);
	assert_null(strstr(s, "terminal too small"));
	assert_non_null(strstr(s, "trace "));
	free(s);
	canvas_free(c);
}

/* In ASCII mode every cell is 7-bit, with the critical path, the pane and a fold shown. */
static void
test_ascii(void **state)
{
	struct fixture *f = *state;
	int sizes[3][2] = { { 80, 24 }, { 160, 40 }, { 40, 10 } }, k, x, y;

	f->v.ascii = true;
	waterfall_set_critical(f->w, true);
	waterfall_set_collapsed(f->w, &f->d, node_named(f->t, "send payment-events"), true);
	waterfall_handle(f->w, ACT_DOWN, &f->d);
	waterfall_handle(f->w, ACT_SPAN_DETAIL, &f->d);
	for (k = 0; k < 3; k++) {
		struct canvas *c = draw(f, sizes[k][0], sizes[k][1]);
		char *s = text_of(c);

		for (y = 0; y < c->h; y++)
			for (x = 0; x < c->w; x++) {
				const unsigned char *g =
					(const unsigned char *)c->cells[y * c->w + x].ch;

				for (; *g; g++)
					if (*g >= 0x80)
						fail_msg("non-ASCII byte at %d,%d in:\n%s", x, y,
							 s);
			}
		if (k == 0)
			golden("waterfall_ascii_80x24", s);
		free(s);
		canvas_free(c);
	}
}

static void
test_states(void **state)
{
	struct fixture *f = *state;
	struct trace_data d;
	struct canvas *c = canvas_new(80, 24);
	char *s;

	memset(&d, 0, sizeof d);
	d.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
	d.loading = true;
	waterfall_draw(f->w, c, frame_body(c), &f->v, &d);
	s = text_of(c);
	assert_non_null(strstr(s, "loading trace 4bf92f3577b34da6a3ce929d0e0e4736"));
	free(s);
	canvas_clear(c);
	d.loading = false;
	err_set(&d.err, ERR_BACKEND, "zipkin: trace ID not found - it may have expired");
	waterfall_draw(f->w, c, frame_body(c), &f->v, &d);
	s = text_of(c);
	assert_non_null(strstr(s, "not found"));
	assert_non_null(strstr(s, "Esc"));
	free(s);
	canvas_clear(c);
	waterfall_draw(f->w, c, frame_body(c), &f->v, NULL);
	s = text_of(c);
	assert_non_null(strstr(s, "No trace open"));
	free(s);
	canvas_free(c);
	assert_int_equal(waterfall_selected(f->w, NULL), -1);
	assert_int_equal(waterfall_handle(f->w, ACT_SPAN_COLLAPSE, NULL), H_HANDLED);
}

static void
test_markdown(void **state)
{
	struct fixture *f = *state;
	struct buf out;

	waterfall_set_collapsed(f->w, &f->d, node_named(f->t, "send payment-events"), true);
	buf_init(&out);
	waterfall_markdown(f->w, &f->v, &f->d, &out);
	assert_non_null(strstr(out.data, "## opsdeck trace "));
	assert_non_null(strstr(out.data, "| tree | service | span | start | duration |"));
	assert_non_null(strstr(out.data, "| gateway | get /checkout |"));
	assert_null(strstr(out.data, "poll payment-events"));
	/* The table's header and one row per shown node (the fold hides two). */
	assert_int_equal(count_lines(out.data, "| "), 1 + (int)f->t->nnodes - 2);
	buf_done(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_80x24, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_160x40, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_collapsed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_critical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_critical_survives_fold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_pane, setup, teardown),
		cmocka_unit_test_setup_teardown(test_collapse_and_expand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_collapse_moves_hidden_cursor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_trace_resets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repairs_flagged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ascii, setup, teardown),
		cmocka_unit_test_setup_teardown(test_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
