/*
 * The Logs screen rendered from a fixture line buffer and histogram into a
 * canvas, diffed against golden text (tests/golden/logs_*.txt) at 80x24
 * and 160x40; hostile messages (escape sequences, invalid UTF-8, Korean
 * and emoji, a very long line) never break the columns; the query's terms
 * and the filter's matches are marked on the right cells; the filter hides
 * lines; the tail holds a scrolled view still and counts "N new"; Enter
 * shows every field.  UPDATE_GOLDEN=1 rewrites the golden files.
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

#include "buf.h"
#include "canvas.h"
#include "logbuf.h"
#include "logs_poll.h"
#include "model.h"
#include "render.h"
#include "screens/logs.h"
#include "text.h"
#include "view.h"
#include "xalloc.h"

#define NOW 1795000000.0 /* 2026-11-18T07:46:40Z */
#define NB 60

static const struct thresholds th = { 0.01, 0.05, 0.5, 2.0 };

struct fixture {
	struct model *m;
	struct logbuf *buf;
	struct logs *screen;
	struct logs_data d;
	struct view_ctx v;
	long long counts[NB], errors[NB];
};

static const struct {
	const char *level, *service, *message, *trace;
} lines[] = {
	{ "ERROR", "payments", "charge failed: upstream timeout after 2000ms", "4bf92f3577b34da6" },
	{ "INFO", "orders", "order 1042 placed, 3 items", "" },
	{ "WARN", "gateway", "slow request GET /api/cart took 1.2s", "" },
	{ "INFO", "evil", "red \x1b[31malert\x1b[0m and a bell \x07 done", "" },
	{ "DEBUG", "\xec\xa3\xbc\xeb\xac\xb8", /* 주문 */
	  "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 \xeb\xa9\x94\xec\x8b\x9c\xec\xa7\x80 "
	  "\xf0\x9f\x98\x80 emoji timeout",
	  "" },
	{ "INFO", "orders", "bad bytes \xff\xfe here \xc3", "" },
	{ "error", "payments", "", "" }, /* filled with a very long line in setup */
	{ "INFO", "users", "login ok for user 77", "" },
};
#define NLINES (sizeof lines / sizeof lines[0])

static char longline[6000];

static void
fill_hit(struct es_hit *h, size_t i)
{
	char src[8192];

	memset(h, 0, sizeof *h);
	h->index = xstrdup("logs-app");
	h->id = xasprintf("id-%zu", i);
	h->t = NOW - 1.5 * (double)i - 0.25;
	h->level = xstrdup(lines[i].level);
	h->service = xstrdup(lines[i].service);
	h->message = xstrdup(i == 6 ? longline : lines[i].message);
	h->trace_id = xstrdup(lines[i].trace);
	snprintf(src, sizeof src,
		 "{\"@timestamp\":\"2026-11-18T07:46:38.250Z\",\"log\":{\"level\":\"%s\"},"
		 "\"message\":\"see detail\",\"service\":{\"name\":\"x\"},"
		 "\"kubernetes\":{\"pod\":{\"name\":\"payments-7d9f-abcde\"}},"
		 "\"tags\":[\"a\",\"b\"],\"long\":\"%.300s\"}",
		 lines[i].level, longline);
	h->source = xstrdup(src);
	h->cursor.set = true;
	h->cursor.t = h->t * 1000.0;
	snprintf(h->cursor.tiebreak, sizeof h->cursor.tiebreak, "%zu", 100 - i);
}

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	struct es_hits hits;
	size_t i;

	setenv("TZ", "UTC", 1);
	tzset();
	memset(longline, 'w', sizeof longline - 1);
	memcpy(longline, "long line start ", 16);
	f->m = model_new(10, 10);
	model_backend_ok(f->m, "elasticsearch", 23, NOW);
	f->buf = logbuf_new(1000, 1 << 20);
	memset(&hits, 0, sizeof hits);
	hits.hits = xcalloc(NLINES, sizeof *hits.hits);
	hits.n = NLINES;
	hits.total = 1234;
	for (i = 0; i < NLINES; i++)
		fill_hit(&hits.hits[i], i);
	logbuf_add_newer(f->buf, &hits);
	es_hits_done(&hits);
	for (i = 0; i < NB; i++) {
		f->counts[i] = 10 + (long long)(i % 5);
		f->errors[i] = i >= 50 && i < 54 ? 8 : 0;
	}
	f->d.lines = f->buf;
	f->d.query = "timeout OR service.name:\"payments\"";
	f->d.range.since_s = 900;
	f->d.utc = true;
	f->d.counts = f->counts;
	f->d.errors = f->errors;
	f->d.nbuckets = NB;
	f->d.hist_t0 = NOW - 900;
	f->d.hist_t1 = NOW;
	f->d.have_hist = true;
	f->d.total = 1234;
	f->d.have_hits = true;
	f->d.at_end = true;
	f->screen = logs_new();
	logs_set_query(f->screen, f->d.query);
	f->v.model = f->m;
	f->v.th = &th;
	f->v.now = NOW;
	f->v.stale_after = 6;
	f->v.elasticsearch = true;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	logs_free(f->screen);
	logbuf_free(f->buf);
	model_free(f->m);
	free(f);
	return 0;
}

static struct canvas *
draw(struct fixture *f, int w, int h)
{
	struct canvas *c = canvas_new(w, h);
	struct render_state rs;

	memset(&rs, 0, sizeof rs);
	rs.logs = f->screen;
	rs.logs_data = &f->d;
	rs.hint = "? help ";
	render_screen(c, &f->v, &rs);
	return c;
}

static char *
render(struct fixture *f, int w, int h)
{
	struct canvas *c = draw(f, w, h);
	struct buf out;

	buf_init(&out);
	canvas_write_text(c, &out);
	canvas_free(c);
	return buf_steal(&out);
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct buf b;
	char tmp[4096];
	size_t n;

	if (fp == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0)
		buf_append(&b, tmp, n);
	fclose(fp);
	return buf_steal(&b);
}

static void
golden(const char *name, const char *got)
{
	char path[256], *want;

	snprintf(path, sizeof path, "tests/golden/%s.txt", name);
	if (getenv("UPDATE_GOLDEN") != NULL) {
		FILE *fp = fopen(path, "wb");

		assert_non_null(fp);
		fputs(got, fp);
		fclose(fp);
	}
	want = slurp(path);
	if (want == NULL)
		fail_msg("missing golden file %s (run with UPDATE_GOLDEN=1)", path);
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "--- want %s\n%s--- got\n%s", path, want, got);
		fail_msg("%s differs", path);
	}
	free(want);
}

static void
test_golden_80x24(void **state)
{
	char *s = render(*state, 80, 24);

	golden("logs_80x24", s);
	free(s);
}

static void
test_golden_160x40(void **state)
{
	char *s = render(*state, 160, 40);

	golden("logs_160x40", s);
	free(s);
}

/* The row of the canvas whose text contains needle, or -1. */
static int
row_of(struct canvas *c, const char *needle)
{
	struct buf b;
	int y;

	for (y = 0; y < c->h; y++) {
		int x;

		buf_init(&b);
		for (x = 0; x < c->w; x++)
			buf_puts(&b,
				 c->cells[y * c->w + x].ch[0] ? c->cells[y * c->w + x].ch : " ");
		if (strstr(b.data, needle) != NULL) {
			buf_done(&b);
			return y;
		}
		buf_done(&b);
	}
	return -1;
}

/* Every line row: the message column starts at the same x, after a blank; no raw ESC. */
static void
test_hostile_lines_keep_columns(void **state)
{
	struct fixture *f = *state;
	int sizes[2][2] = { { 80, 24 }, { 160, 40 } }, k, y, x;

	for (k = 0; k < 2; k++) {
		struct canvas *c = draw(f, sizes[k][0], sizes[k][1]);
		int head = row_of(c, "MESSAGE"), msg_x = -1;

		assert_true(head > 0);
		for (x = 0; x < c->w - 7; x++)
			if (strcmp(c->cells[head * c->w + x].ch, "M") == 0 &&
			    strcmp(c->cells[head * c->w + x + 1].ch, "E") == 0 &&
			    strcmp(c->cells[head * c->w + x + 2].ch, "S") == 0) {
				msg_x = x;
				break;
			}
		assert_true(msg_x > 0);
		for (y = head + 1; y < head + 1 + (int)NLINES && y < c->h - 1; y++) {
			struct cell *before = &c->cells[y * c->w + msg_x - 1];
			struct cell *first = &c->cells[y * c->w + msg_x];

			assert_string_equal(before->ch, " ");
			assert_true(first->width >= 1); /* never the second half of a wide char */
			for (x = 0; x < c->w; x++)
				assert_null(strchr(c->cells[y * c->w + x].ch, '\x1b'));
		}
		/* The escape sequence is visible in caret notation; bad bytes as U+FFFD. */
		assert_true(row_of(c, "red ^[[31malert^[[0m and a bell ^G done") > 0);
		assert_true(row_of(c, "bad bytes \xef\xbf\xbd\xef\xbf\xbd here") > 0);
		/* The very long line is cut with an ellipsis at the right edge. */
		y = row_of(c, "long line start");
		assert_true(y > 0);
		assert_string_equal(c->cells[y * c->w + c->w - 2].ch, "\xe2\x80\xa6");
		canvas_free(c);
	}
}

static void
test_highlights(void **state)
{
	struct fixture *f = *state;
	struct canvas *c;
	struct err e;
	int y, x, marked = 0, reversed = 0;

	assert_int_equal(logs_set_filter(f->screen, "upstream", &e), 0);
	c = draw(f, 160, 40);
	y = row_of(c, "charge failed");
	assert_true(y > 0);
	for (x = 0; x < c->w; x++) {
		const struct cell *cl = &c->cells[y * c->w + x];

		if (cl->role == ROLE_ACCENT && (cl->attr & ATTR_UNDERLINE))
			marked++; /* "timeout": a term of the query */
		if (cl->role == ROLE_ACCENT && (cl->attr & ATTR_REVERSE))
			reversed++; /* "upstream": the filter */
	}
	assert_int_equal(marked, 7);
	assert_int_equal(reversed, 8);
	canvas_free(c);
	/* The Korean line's "timeout" after wide characters is marked too. */
	assert_int_equal(logs_set_filter(f->screen, "", &e), 0);
	c = draw(f, 160, 40);
	y = row_of(c, "emoji timeout");
	assert_true(y > 0);
	marked = 0;
	for (x = 0; x < c->w; x++)
		if (c->cells[y * c->w + x].attr & ATTR_UNDERLINE)
			marked++;
	assert_int_equal(marked, 7);
	canvas_free(c);
}

static void
test_filter_hides_lines(void **state)
{
	struct fixture *f = *state;
	struct err e;
	char *s;

	assert_int_equal(logs_set_filter(f->screen, "order|login", &e), 0);
	s = render(f, 160, 40);
	assert_non_null(strstr(s, "order 1042 placed"));
	assert_non_null(strstr(s, "login ok"));
	assert_non_null(strstr(s, "bad bytes")); /* its service, orders, matches */
	assert_null(strstr(s, "charge failed"));
	assert_non_null(strstr(s, "/order|login/ 3 shown"));
	free(s);
	assert_int_equal(logs_set_filter(f->screen, "(", &e), -1);
	assert_string_equal(logs_filter(f->screen), "order|login"); /* kept */
	assert_int_equal(logs_set_filter(f->screen, "nothing-matches", &e), 0);
	s = render(f, 160, 40);
	assert_non_null(strstr(s, "no line held matches the filter"));
	free(s);
}

static void
test_tail_holds_scrolled_view(void **state)
{
	struct fixture *f = *state;
	char *s;

	logs_set_follow(f->screen, true);
	f->d.tail = true;
	s = render(f, 160, 40);
	assert_non_null(strstr(s, "following"));
	free(s);
	logs_handle(f->screen, ACT_DOWN, &f->d);
	logs_handle(f->screen, ACT_DOWN, &f->d);
	logs_lines_moved(f->screen, 3, 0); /* the tail brought 3 lines */
	s = render(f, 160, 40);
	assert_non_null(strstr(s, "3 new (g)"));
	free(s);
	assert_false(logs_following(f->screen));
	logs_follow(f->screen);
	assert_true(logs_following(f->screen));
	/* Following at the top: new lines do not move the view. */
	logs_lines_moved(f->screen, 5, 0);
	assert_true(logs_following(f->screen));
}

static void
test_enter_shows_fields(void **state)
{
	struct fixture *f = *state;
	char *s;

	assert_int_equal(logs_handle(f->screen, ACT_OPEN, &f->d), H_DIRTY | H_HANDLED);
	assert_true(logs_hit_open(f->screen));
	s = render(f, 80, 24);
	assert_non_null(strstr(s, "kubernetes.pod.name: payments-7d9f-abcde"));
	assert_non_null(strstr(s, "log.level:           ERROR"));
	assert_non_null(strstr(s, "tags:                [\"a\",\"b\"]"));
	assert_non_null(strstr(s, ":trace 4bf92f3577b34da6"));
	/* Sorted: @timestamp before kubernetes before log before message. */
	assert_true(strstr(s, "@timestamp") < strstr(s, "kubernetes.pod"));
	assert_true(strstr(s, "kubernetes.pod") < strstr(s, "log.level"));
	/* The long value wraps onto the next row, under its column. */
	assert_non_null(strstr(s, "\n                      wwww"));
	free(s);
	assert_int_equal(logs_handle(f->screen, ACT_BACK, &f->d), H_DIRTY | H_HANDLED);
	assert_false(logs_hit_open(f->screen));
	assert_int_equal(logs_handle(f->screen, ACT_BACK, &f->d), H_NONE);
}

static void
test_total_text(void **state)
{
	struct fixture *f = *state;
	char t[64];

	logs_total_text(&f->d, false, t, sizeof t);
	assert_string_equal(t, "1,234 hits");
	f->d.total = 10000;
	f->d.total_lower_bound = true;
	logs_total_text(&f->d, false, t, sizeof t);
	assert_string_equal(t, "\xe2\x89\xa5"
			       "10,000 hits");
	logs_total_text(&f->d, true, t, sizeof t);
	assert_string_equal(t, ">=10,000 hits");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_80x24, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_160x40, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_lines_keep_columns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_highlights, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_hides_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail_holds_scrolled_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enter_shows_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_total_text, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
