/*
 * The Traces screen (tui/screens/traces.c) rendered into a canvas from a
 * hand-built struct traces_list and diffed against golden text
 * (tests/golden/traces_*.txt) at 80x24 and 160x40.  Behaviour: the
 * cursor keeps its trace id when the list is replaced by a reordered one;
 * sorting by duration puts the slowest first; hostile root names are
 * sanitised and cut; the empty, loading and error states say what is
 * happening and what to do; a small body says "terminal too small"; ASCII
 * mode draws no byte above 0x7f.  UPDATE_GOLDEN=1 rewrites the goldens.
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
#include "screens/traces.h"
#include "text.h"
#include "traces_poll.h"
#include "view.h"
#include "xalloc.h"
#include "zipkin.h"

#define NOW 1795341660.0             /* 2026-11-22T10:01:00Z */
#define T0 INT64_C(1795341600000000) /* 10:00:00, epoch microseconds */
#define EVIL                                    \
	"evil \x1b[2J\x1b]0;pwned\x07 \xc2\x9b" \
	"31m\xe2\x80\xae end" /* ESC, BEL, C1, RLO */

static const struct thresholds th = { 0.01, 0.05, 0.5, 2.0 };

static char *svc_checkout[] = { "checkout", "gateway", "mysql", "payments" };
static char *svc_cart[] = { "cart", "gateway", "redis" };
static char *svc_search[] = { "gateway", "search" };
static char *svc_health[] = { "search" };
static char *svc_evil[] = { "gateway", "evil\x1b[5m" };

/* id suffix, start (s before T0), duration ms, spans, services, errors, root service, name */
static const struct row {
	const char *id;
	double ago_s;
	double ms;
	size_t spans;
	char **svcs;
	size_t nsvcs;
	size_t errors;
	const char *root, *name;
	bool too_big;
} rows[] = {
	{ "a1", 3.25, 182, 10, svc_checkout, 4, 4, "gateway", "get /checkout", false },
	{ "a2", 40.512, 41, 6, svc_cart, 3, 0, "gateway", "get /cart", false },
	{ "a3", 95.031, 38, 6, svc_cart, 3, 0, "gateway", "get /cart", false },
	{ "a4", 130.7, 1240, 14, svc_checkout, 4, 0, "gateway", "post /checkout", false },
	{ "a5", 200, 12.5, 3, svc_search, 2, 0, "gateway", "get /search?q=shoes", false },
	{ "a6", 260, 55, 6, svc_cart, 3, 1, "cart", "put /cart/items", false },
	{ "a7", 330, 9.8, 3, svc_search, 2, 0, "gateway", "get /search?q=socks", false },
	{ "a8", 420.125, 2310, 51234, svc_checkout, 4, 2, "gateway", "post /checkout", true },
	{ "a9", 515, 160, 9, svc_checkout, 4, 0, "gateway", "get /checkout", false },
	{ "b1", 600, 0.85, 1, svc_health, 1, 0, "search", "health", false },
	{ "b2", 720, 47, 6, svc_cart, 3, 0, "gateway", "get /cart", false },
	{ "b3", 840.9, 310, 11, svc_checkout, 4, 1, "checkout", "post /api/checkout", false },
	{ "b4", 1000, 28, 3, svc_search, 2, 0, "gateway", "get /search?q=hat", false },
	{ "b5", 1300, 77, 4, svc_evil, 2, 0, EVIL, "", false },
};
#define NROWS (sizeof rows / sizeof rows[0])

struct fixture {
	struct model *m;
	struct traces_screen *t;
	struct zk_trace_summary items[NROWS];
	struct traces_list l;
	struct view_ctx v;
	char longname[3000];
};

static void
fill(struct fixture *f, struct zk_trace_summary *s, const struct row *r)
{
	memset(s, 0, sizeof *s);
	snprintf(s->trace_id, sizeof s->trace_id, "5af7183fb1d4cf5f6e3c8e1a1d2b4c%s", r->id);
	s->start_us = T0 - (int64_t)(r->ago_s * 1e6);
	s->duration_us = (int64_t)(r->ms * 1e3);
	s->nspans = r->spans;
	s->root_service = (char *)r->root;
	s->root_name = (char *)(r->name[0] ? r->name : f->longname);
	s->services = r->svcs;
	s->nservices = r->nsvcs;
	s->nerrors = r->errors;
	s->too_big = r->too_big;
}

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	size_t i;

	setenv("TZ", "UTC", 1);
	tzset();
	memset(f->longname, 'n', sizeof f->longname - 1);
	memcpy(f->longname, "get /\x01\x7f", 7);
	f->m = model_new(10, 10);
	model_backend_ok(f->m, "zipkin", 9, NOW);
	f->t = traces_screen_new();
	for (i = 0; i < NROWS; i++)
		fill(f, &f->items[i], &rows[i]);
	f->l.items = f->items;
	f->l.n = NROWS;
	f->l.search = ">5ms";
	f->l.service = "gateway";
	f->l.lookback_s = 3600;
	f->l.limit = 20;
	f->l.have = true;
	f->l.fetched_at = NOW - 14;
	f->l.utc = true;
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

	traces_screen_free(f->t);
	model_free(f->m);
	free(f);
	return 0;
}

static struct canvas *
draw_list(struct fixture *f, const struct traces_list *l, int w, int h)
{
	struct canvas *c = canvas_new(w, h);

	c->ascii = f->v.ascii;
	frame_draw_title(c, 0, "Traces", NULL, &f->v);
	traces_screen_draw(f->t, c, frame_body(c), &f->v, l);
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
render_list(struct fixture *f, const struct traces_list *l, int w, int h)
{
	struct canvas *c = draw_list(f, l, w, h);
	char *s = text_of(c);

	canvas_free(c);
	return s;
}

static char *
render(struct fixture *f, int w, int h)
{
	return render_list(f, &f->l, w, h);
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

/* The row of the cursor: the first row whose START cell is SELECTED. */
static int
selected_row(struct canvas *c)
{
	int y;

	for (y = 1; y < c->h - 1; y++)
		if (c->cells[y * c->w + 2].role == ROLE_SELECTED)
			return y;
	return -1;
}

static void
test_golden_80x24(void **state)
{
	char *s = render(*state, 80, 24);

	golden("traces_80x24", s);
	free(s);
}

static void
test_golden_160x40(void **state)
{
	struct fixture *f = *state;
	char *s;

	traces_screen_handle(f->t, ACT_DOWN, &f->l);
	traces_screen_handle(f->t, ACT_DOWN, &f->l);
	traces_screen_handle(f->t, ACT_DOWN, &f->l);
	s = render(f, 160, 40);
	golden("traces_160x40", s);
	free(s);
}

/* A refresh that reorders the list (and brings a new trace on top) keeps the cursor's trace. */
static void
test_cursor_keeps_trace_id(void **state)
{
	struct fixture *f = *state;
	struct zk_trace_summary re[NROWS + 1];
	struct traces_list l2 = f->l;
	struct canvas *c;
	const char *id;
	char want[33], *line;
	size_t i;
	int y;

	for (i = 0; i < 4; i++)
		traces_screen_handle(f->t, ACT_DOWN, &f->l);
	id = traces_screen_selected(f->t, &f->l);
	assert_non_null(id);
	snprintf(want, sizeof want, "%s", id);
	assert_string_equal(want, f->items[4].trace_id); /* newest first: the 5th */
	/* The new answer: reversed, with a newer trace added. */
	for (i = 0; i < NROWS; i++)
		re[i] = f->items[NROWS - 1 - i];
	re[NROWS] = f->items[0];
	snprintf(re[NROWS].trace_id, sizeof re[NROWS].trace_id, "%s", "00000000000000ff");
	re[NROWS].start_us = T0 + 1000000;
	l2.items = re;
	l2.n = NROWS + 1;
	c = draw_list(f, &l2, 80, 24);
	id = traces_screen_selected(f->t, &l2);
	assert_non_null(id);
	assert_string_equal(id, want);
	assert_ptr_equal(id, re[NROWS - 1 - 4].trace_id); /* borrowed from the new list */
	y = selected_row(c);
	assert_true(y > 0);
	line = row_text(c, y);
	assert_non_null(strstr(line, "12.5ms"));
	free(line);
	canvas_free(c);
	/* Its trace gone, the cursor keeps its place. */
	l2.n = 3;
	traces_screen_handle(f->t, ACT_NONE, &l2);
	assert_non_null(traces_screen_selected(f->t, &l2));
}

/* > cycles to DURATION, slowest first; I inverts to the fastest. */
static void
test_sort_by_duration(void **state)
{
	struct fixture *f = *state;
	struct canvas *c;
	char *line, *s;
	int y;

	assert_int_equal(traces_screen_handle(f->t, ACT_SORT_NEXT, &f->l), H_DIRTY | H_HANDLED);
	traces_screen_handle(f->t, ACT_TOP, &f->l);
	assert_string_equal(traces_screen_selected(f->t, &f->l), f->items[7].trace_id);
	c = draw_list(f, &f->l, 80, 24);
	s = text_of(c);
	assert_non_null(strstr(s, "DURATION\xe2\x96\xbc"));
	y = selected_row(c);
	line = row_text(c, y);
	assert_non_null(strstr(line, "2.31s"));
	free(line);
	line = row_text(c, y + 1);
	assert_non_null(strstr(line, "1.24s"));
	free(line);
	free(s);
	canvas_free(c);
	traces_screen_handle(f->t, ACT_SORT_INVERT, &f->l);
	traces_screen_handle(f->t, ACT_TOP, &f->l);
	assert_string_equal(traces_screen_selected(f->t, &f->l), f->items[9].trace_id);
	/* < goes back to START, newest first. */
	traces_screen_handle(f->t, ACT_SORT_PREV, &f->l);
	traces_screen_handle(f->t, ACT_TOP, &f->l);
	assert_string_equal(traces_screen_selected(f->t, &f->l), f->items[0].trace_id);
	/* Spans and services sort too. */
	traces_screen_handle(f->t, ACT_SORT_NEXT, &f->l);
	traces_screen_handle(f->t, ACT_SORT_NEXT, &f->l);
	traces_screen_handle(f->t, ACT_TOP, &f->l);
	assert_string_equal(traces_screen_selected(f->t, &f->l), f->items[7].trace_id);
}

static void
test_hostile_text(void **state)
{
	struct fixture *f = *state;
	int sizes[2][2] = { { 80, 24 }, { 160, 40 } }, k, x, y;

	traces_screen_handle(f->t, ACT_BOTTOM, &f->l);
	for (k = 0; k < 2; k++) {
		struct canvas *c = draw_list(f, &f->l, sizes[k][0], sizes[k][1]);
		char *s = text_of(c), *line;

		for (y = 0; y < c->h; y++)
			for (x = 0; x < c->w; x++) {
				const unsigned char *g =
					(const unsigned char *)c->cells[y * c->w + x].ch;

				for (; *g; g++)
					assert_true(*g >= 0x20 && *g != 0x7f);
			}
		assert_null(strchr(s, '\x1b'));
		y = selected_row(c);
		assert_true(y > 0);
		line = row_text(c, y);
		assert_non_null(strstr(line, "evil ^[[2J"));
		assert_non_null(strstr(line, "\xe2\x80\xa6")); /* cut with an ellipsis */
		/* The columns after ROOT stay in place: the duration ends where the title ends. */
		assert_non_null(strstr(line, "77.0ms"));
		free(line);
		free(s);
		canvas_free(c);
	}
}

static void
test_states(void **state)
{
	struct fixture *f = *state;
	struct traces_list l = f->l;
	char *s;

	s = render_list(f, NULL, 80, 24);
	assert_non_null(strstr(s, "No search yet"));
	free(s);
	l.items = NULL;
	l.n = 0;
	l.have = false;
	l.loading = true;
	l.search = "";
	l.service = "payments";
	s = render_list(f, &l, 80, 24);
	assert_non_null(
		strstr(s, "searching Zipkin for traces of service=payments in the last 1h"));
	free(s);
	l.have = true;
	l.loading = false;
	s = render_list(f, &l, 80, 24);
	golden("traces_empty_80x24", s);
	assert_non_null(strstr(s,
			       "no traces for service=payments in the last 1h \xe2\x80\x94 widen "
			       "with since=6h"));
	assert_non_null(strstr(s, "check that the service sends spans to Zipkin"));
	free(s);
	l.have = false;
	err_set(&l.err, ERR_CONNECT, "zipkin: connection refused at http://127.0.0.1:9411");
	s = render_list(f, &l, 80, 24);
	assert_non_null(strstr(s, "connection refused"));
	assert_non_null(strstr(s, "r asks again"));
	free(s);
	/* A failed refresh keeps the last list and says why above it. */
	f->l.err = l.err;
	s = render(f, 80, 24);
	assert_non_null(strstr(s, "connection refused"));
	assert_non_null(strstr(s, "get /checkout"));
	free(s);
	assert_null(traces_screen_selected(f->t, &l));
}

static void
test_too_small(void **state)
{
	struct fixture *f = *state;
	struct canvas *c = canvas_new(60, 20);
	char *s;

	traces_screen_draw(f->t, c, (struct rect){ 0, 0, TRACES_MIN_W - 1, 20 }, &f->v, &f->l);
	s = text_of(c);
	assert_non_null(strstr(s, "terminal too small"));
	free(s);
	canvas_clear(c);
	traces_screen_draw(f->t, c, (struct rect){ 0, 0, 60, TRACES_MIN_H - 1 }, &f->v, &f->l);
	s = text_of(c);
	assert_non_null(strstr(s, "terminal too small"));
	free(s);
	canvas_clear(c);
	traces_screen_draw(f->t, c, (struct rect){ 0, 0, TRACES_MIN_W, TRACES_MIN_H }, &f->v,
			   &f->l);
	s = text_of(c);
	assert_null(strstr(s, "terminal too small"));
	assert_non_null(strstr(s, "search"));
	free(s);
	canvas_free(c);
}

static void
test_ascii(void **state)
{
	struct fixture *f = *state;
	int sizes[3][2] = { { 80, 24 }, { 160, 40 }, { 40, 10 } }, k, x, y;

	f->v.ascii = true;
	traces_screen_handle(f->t, ACT_DOWN, &f->l);
	for (k = 0; k < 3; k++) {
		struct canvas *c = draw_list(f, &f->l, sizes[k][0], sizes[k][1]);
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
			golden("traces_ascii_80x24", s);
		free(s);
		canvas_free(c);
	}
}

/* The fixture answer of Zipkin's /api/v2/traces, parsed, lists its three traces. */
static void
test_parsed_fixture(void **state)
{
	struct fixture *f = *state;
	char *body = slurp("tests/fixtures/zipkin/traces.json");
	struct zk_trace_summary *items = NULL;
	struct zk_limits lim = { 0 };
	struct traces_list l = f->l;
	struct err e;
	size_t n = 0, i;
	char *s;

	assert_non_null(body);
	memset(&e, 0, sizeof e);
	assert_int_equal(zipkin_parse_traces(200, body, strlen(body), &lim, &items, &n, &e), 0);
	assert_int_equal(n, 3);
	l.items = items;
	l.n = n;
	s = render_list(f, &l, 120, 30);
	for (i = 0; i < n; i++)
		if (items[i].root_name != NULL && items[i].root_name[0])
			assert_non_null(strstr(s, items[i].root_name));
	assert_non_null(strstr(s, "3 traces"));
	free(s);
	zipkin_summaries_free(items, n);
	free(body);
}

static void
test_markdown(void **state)
{
	struct fixture *f = *state;
	struct buf out;

	traces_screen_handle(f->t, ACT_SORT_NEXT, &f->l);
	buf_init(&out);
	traces_screen_markdown(f->t, &f->v, &f->l, &out);
	assert_non_null(strstr(out.data, "## opsdeck traces"));
	assert_non_null(strstr(out.data, "- search: `service=gateway >5ms`"));
	assert_non_null(strstr(out.data, "sorted by DURATION descending"));
	assert_non_null(strstr(out.data, "| start | trace | root | duration | spans |"));
	/* Slowest first; the hostile name sanitised. */
	assert_true(strstr(out.data, "2.31s") < strstr(out.data, "1.24s"));
	assert_null(strchr(out.data, '\x1b'));
	assert_non_null(strstr(out.data, "evil ^[[2J"));
	buf_done(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_80x24, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_160x40, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_keeps_trace_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sort_by_duration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ascii, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parsed_fixture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_markdown, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
