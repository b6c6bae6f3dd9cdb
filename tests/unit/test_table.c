/*
 * test_table.c - the service table as the on-call engineer sees it at
 * different terminal widths, and its Markdown export.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "table.h"

static char *
render(const struct canvas *c)
{
	struct buf b;

	buf_init(&b);
	canvas_write_text(c, &b);
	return b.data; /* the caller frees */
}

#define assert_canvas(c, expect)                   \
	do {                                       \
		char *got_ = render(c);            \
		assert_string_equal(got_, expect); \
		free(got_);                        \
	} while (0)

/* Line y of the rendered canvas (static storage). */
static const char *
line_of(const struct canvas *c, int y)
{
	static char line[1024];
	char *all = render(c), *p = all, *nl;
	int i;

	for (i = 0; i < y && p != NULL; i++) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	assert_non_null(p);
	nl = strchr(p, '\n');
	snprintf(line, sizeof line, "%.*s", (int)(nl - p), p);
	free(all);
	return line;
}

static void
assert_rows_intact(const struct canvas *c)
{
	int x, y, sum;

	for (y = 0; y < c->h; y++) {
		sum = 0;
		for (x = 0; x < c->w; x++) {
			const struct cell *cl = &c->cells[y * c->w + x];

			if (cl->width == 0)
				assert_int_equal(c->cells[y * c->w + x - 1].width, 2);
			sum += cl->width;
		}
		assert_int_equal(sum, c->w);
	}
}

enum { C_NAME, C_STATUS, C_CPU, C_MEM, C_RPS, C_ERR, C_P99, C_TREND, C_VERSION,
       C_UPDATED, NCOLS };

static const struct table_column cols[NCOLS] = {
	[C_NAME] = { "NAME", 14, 0, 3, 0, ALIGN_LEFT, false },
	[C_STATUS] = { "STATUS", 8, 0, 0, 0, ALIGN_LEFT, false },
	[C_CPU] = { "CPU", 6, 0, 0, 3, ALIGN_RIGHT, false },
	[C_MEM] = { "MEM", 7, 0, 0, 4, ALIGN_RIGHT, false },
	[C_RPS] = { "RPS", 7, 0, 0, 2, ALIGN_RIGHT, false },
	[C_ERR] = { "ERR%", 6, 0, 0, 1, ALIGN_RIGHT, false },
	[C_P99] = { "P99", 7, 0, 0, 3, ALIGN_RIGHT, false },
	[C_TREND] = { "TREND", 12, 24, 1, 5, ALIGN_LEFT, true },
	[C_VERSION] = { "VERSION", 12, 0, 1, 6, ALIGN_LEFT, false },
	[C_UPDATED] = { "UPDATED", 10, 0, 0, 7, ALIGN_LEFT, false },
};

static const double trend_up[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const double trend_flat[] = { 3, 3, 3, NAN, 3 };

static const struct table_cell row0[NCOLS] = {
	{ "checkout", ROLE_NORMAL, NULL, 0 },
	{ "ok", ROLE_OK, NULL, 0 },
	{ "12.5", ROLE_NORMAL, NULL, 0 },
	{ "256Mi", ROLE_NORMAL, NULL, 0 },
	{ "340", ROLE_NORMAL, NULL, 0 },
	{ "0.1", ROLE_NORMAL, NULL, 0 },
	{ "45ms", ROLE_NORMAL, NULL, 0 },
	{ NULL, ROLE_ACCENT, trend_up, 8 },
	{ "v1.4.2", ROLE_NORMAL, NULL, 0 },
	{ "3m ago", ROLE_NORMAL, NULL, 0 },
};
/* "payment-gateway-service": 22 columns of Hangul and hyphens. */
static const struct table_cell row1[NCOLS] = {
	{ "결제-게이트웨이-서비스", ROLE_NORMAL, NULL, 0 },
	{ "degraded", ROLE_WARN, NULL, 0 },
	{ "97.0", ROLE_CRIT, NULL, 0 },
	{ "1.9Gi", ROLE_NORMAL, NULL, 0 },
	{ "12", ROLE_NORMAL, NULL, 0 },
	{ "4.2", ROLE_WARN, NULL, 0 },
	{ "1.2s", ROLE_NORMAL, NULL, 0 },
	{ NULL, ROLE_NORMAL, trend_flat, 5 },
	{ "v2.0.0-rc1", ROLE_NORMAL, NULL, 0 },
	{ "10s ago", ROLE_NORMAL, NULL, 0 },
};
static const struct table_cell row2[NCOLS] = {
	{ "search\x1b[2J", ROLE_NORMAL, NULL, 0 },
	{ "down", ROLE_CRIT, NULL, 0 },
	{ NULL, ROLE_NORMAL, NULL, 0 },
	{ NULL, ROLE_NORMAL, NULL, 0 },
	{ "0", ROLE_NORMAL, NULL, 0 },
	{ "100", ROLE_CRIT, NULL, 0 },
	{ NULL, ROLE_NORMAL, NULL, 0 },
	{ NULL, ROLE_NORMAL, NULL, 0 },
	{ "v0.9", ROLE_NORMAL, NULL, 0 },
	{ "2h ago", ROLE_NORMAL, NULL, 0 },
};
static const struct table_row rows[] = {
	{ row0, ROLE_NORMAL },
	{ row1, ROLE_NORMAL },
	{ row2, ROLE_STALE },
};

static struct table_view
services(void)
{
	struct table_view v = {
		.cols = cols,
		.ncols = NCOLS,
		.rows = rows,
		.nrows = 3,
		.selected = 0,
		.top = 0,
		.sort_col = -1,
		.empty_text = "no services",
	};
	return v;
}

static void
test_80_columns_drops_low_priority(void **state)
{
	struct canvas *c = canvas_new(80, 5);
	struct table_view v = services();

	(void)state;
	assert_int_equal(table_draw(c, (struct rect){ 0, 0, 80, 5 }, &v), 4);
	assert_canvas(c,
		"NAME                STATUS      CPU     MEM     RPS   ERR%     P99 TREND\n"
		"checkout            ok         12.5   256Mi     340    0.1    45ms      ▁▂▃▄▅▆▇█\n"
		"결제-게이트웨이-서… degraded   97.0   1.9Gi      12    4.2    1.2s         ▄▄▄ ▄\n"
		"search^[[2J         down                          0    100\n"
		"\n");
	assert_null(strstr(line_of(c, 0), "VERSION"));
	assert_null(strstr(line_of(c, 0), "UPDATED"));
	assert_rows_intact(c);
	canvas_free(c);
}

static void
test_narrow_keeps_name_and_status(void **state)
{
	struct canvas *c = canvas_new(24, 4);
	struct table_view v = services();

	(void)state;
	table_draw(c, (struct rect){ 0, 0, 24, 4 }, &v);
	assert_canvas(c,
		"NAME            STATUS\n"
		"checkout        ok\n"
		"결제-게이트웨…  degraded\n"
		"search^[[2J     down\n");
	assert_rows_intact(c);
	canvas_free(c);
}

static void
test_too_narrow_for_the_minimums(void **state)
{
	struct canvas *c = canvas_new(16, 2);
	struct table_view v = services();

	(void)state;
	/* Even name and status do not fit: they are cut, never torn. */
	table_draw(c, (struct rect){ 0, 0, 16, 2 }, &v);
	assert_canvas(c, "NAME           S\ncheckout       o\n");
	assert_rows_intact(c);
	canvas_free(c);
}

static void
test_wide_shows_every_column(void **state)
{
	struct canvas *c = canvas_new(140, 2);
	struct table_view v = services();
	const char *titles[] = { "NAME", "STATUS", "CPU", "MEM", "RPS", "ERR%",
				 "P99", "TREND", "VERSION", "UPDATED" };
	size_t i;

	(void)state;
	table_draw(c, (struct rect){ 0, 0, 140, 2 }, &v);
	for (i = 0; i < sizeof titles / sizeof titles[0]; i++)
		assert_non_null(strstr(line_of(c, 0), titles[i]));
	/* TREND stops growing at its max width; the rest goes to NAME, VERSION. */
	assert_non_null(strstr(line_of(c, 1), "3m ago"));
	canvas_free(c);
}

static void
test_sort_mark_on_sorted_column(void **state)
{
	struct canvas *c = canvas_new(80, 2);
	struct table_view v = services();
	const char *h;

	(void)state;
	v.sort_col = C_CPU;
	v.sort_desc = true;
	table_draw(c, (struct rect){ 0, 0, 80, 2 }, &v);
	h = line_of(c, 0);
	assert_non_null(strstr(h, "STATUS     CPU▼ "));
	assert_null(strstr(h, "▲"));
	assert_ptr_equal(strstr(h, "▼"), strrchr(h, '\xbc') - 2);

	v.sort_col = C_NAME;
	v.sort_desc = false;
	table_draw(c, (struct rect){ 0, 0, 80, 2 }, &v);
	h = line_of(c, 0);
	assert_true(strncmp(h, "NAME▲ ", strlen("NAME▲ ")) == 0);
	assert_null(strstr(h, "▼"));

	c->ascii = true;
	v.sort_col = C_RPS;
	v.sort_desc = true;
	table_draw(c, (struct rect){ 0, 0, 80, 2 }, &v);
	assert_non_null(strstr(line_of(c, 0), "    RPSv "));
	canvas_free(c);
}

static void
test_sort_mark_survives_cut_title(void **state)
{
	static const struct table_column narrow[1] = {
		{ "REQUESTS", 5, 5, 0, 0, ALIGN_LEFT, false },
	};
	struct canvas *c = canvas_new(5, 1);
	struct table_view v = { .cols = narrow, .ncols = 1, .sort_col = 0, .sort_desc = true };

	(void)state;
	table_draw(c, (struct rect){ 0, 0, 5, 1 }, &v);
	assert_canvas(c, "REQ…▼\n");
	canvas_free(c);
}

static void
test_selected_row_fills_the_width(void **state)
{
	struct canvas *c = canvas_new(80, 4);
	struct table_view v = services();
	int x;

	(void)state;
	v.selected = 1;
	table_draw(c, (struct rect){ 0, 0, 80, 4 }, &v);
	for (x = 0; x < 80; x++) {
		assert_int_equal(canvas_at(c, x, 0)->role, ROLE_HEADER);
		/* Every cell, including the sparkline and the gaps between columns. */
		assert_int_equal(canvas_at(c, x, 2)->role, ROLE_SELECTED);
	}
	/* Unselected rows keep their cell roles; the sparkline keeps its own. */
	assert_int_equal(canvas_at(c, 20, 1)->role, ROLE_OK);
	assert_int_equal(canvas_at(c, 79, 1)->role, ROLE_ACCENT);
	/* The stale row is stale except where a cell says otherwise. */
	assert_int_equal(canvas_at(c, 0, 3)->role, ROLE_STALE);
	assert_int_equal(canvas_at(c, 20, 3)->role, ROLE_CRIT);
	canvas_free(c);
}

static void
test_numbers_right_aligned(void **state)
{
	struct canvas *c = canvas_new(80, 4);
	struct table_view v = services();
	const char *l;

	(void)state;
	table_draw(c, (struct rect){ 0, 0, 80, 4 }, &v);
	/* CPU occupies columns 29-34: "12.5" and "97.0" end at column 34. */
	l = line_of(c, 1);
	assert_int_equal((int)(strstr(l, "12.5") - l), 31);
	assert_string_equal(canvas_at(c, 34, 2)->ch, "0");
	assert_string_equal(canvas_at(c, 31, 2)->ch, "9");
	assert_int_equal(canvas_at(c, 31, 2)->role, ROLE_CRIT);
	canvas_free(c);
}

static void
test_empty_table(void **state)
{
	struct canvas *c = canvas_new(30, 5);
	struct table_view v = services();

	(void)state;
	v.nrows = 0;
	assert_int_equal(table_draw(c, (struct rect){ 0, 0, 30, 5 }, &v), 4);
	assert_canvas(c,
		"NAME           STATUS     ERR%\n"
		"\n"
		"         no services\n"
		"\n"
		"\n");
	assert_int_equal(canvas_at(c, 12, 2)->role, ROLE_DIM);
	canvas_free(c);
}

static void
test_scroll_keeps_selection_visible(void **state)
{
	enum { N = 100 };
	static struct table_cell cells[N][NCOLS];
	static struct table_row many[N];
	static char names[N][16];
	struct canvas *c = canvas_new(30, 5);
	struct table_view v = services();
	size_t i, top = 0;
	int body;

	(void)state;
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "svc-%02zu", i);
		cells[i][C_NAME].text = names[i];
		cells[i][C_STATUS].text = "ok";
		many[i].cells = cells[i];
	}
	v.rows = many;
	v.nrows = N;
	body = table_draw(c, (struct rect){ 0, 0, 30, 5 }, &v);
	assert_int_equal(body, 4);

	v.selected = 50;
	table_scroll_to(v.selected, v.nrows, body, &top);
	assert_int_equal(top, 47);
	v.top = top;
	table_draw(c, (struct rect){ 0, 0, 30, 5 }, &v);
	assert_string_equal(line_of(c, 4), "svc-50         ok");
	assert_int_equal(canvas_at(c, 0, 4)->role, ROLE_SELECTED);

	/* Moving up past the top scrolls up. */
	v.selected = 10;
	table_scroll_to(v.selected, v.nrows, body, &top);
	assert_int_equal(top, 10);
	/* Within the window: no scrolling. */
	table_scroll_to(12, v.nrows, body, &top);
	assert_int_equal(top, 10);
	/* The list shrank under the cursor: show the last page. */
	table_scroll_to(99, 5, body, &top);
	assert_int_equal(top, 1);
	table_scroll_to(0, 0, body, &top);
	assert_int_equal(top, 0);
	top = 3;
	table_scroll_to(3, 3, body, &top);
	assert_int_equal(top, 0);
	canvas_free(c);
}

static void
test_markdown(void **state)
{
	static const struct table_column mcols[3] = {
		{ "NAME", 8, 0, 0, 0, ALIGN_LEFT, false },
		{ "P99", 6, 0, 0, 0, ALIGN_RIGHT, false },
		{ "TREND", 8, 0, 0, 0, ALIGN_LEFT, true },
	};
	static const struct table_cell r0[3] = {
		{ "a|b", ROLE_NORMAL, NULL, 0 },
		{ "45ms", ROLE_NORMAL, NULL, 0 },
		{ NULL, ROLE_NORMAL, trend_up, 8 },
	};
	static const struct table_cell r1[3] = {
		{ "결제\x1b[0m", ROLE_NORMAL, NULL, 0 },
		{ NULL, ROLE_NORMAL, NULL, 0 },
		{ NULL, ROLE_NORMAL, NULL, 0 },
	};
	static const struct table_row mrows[2] = { { r0, ROLE_NORMAL }, { r1, ROLE_STALE } };
	struct table_view v = { .cols = mcols, .ncols = 3, .rows = mrows, .nrows = 2,
				.sort_col = 1, .sort_desc = true };
	struct buf b;

	(void)state;
	buf_init(&b);
	table_write_markdown(&v, &b, false);
	assert_string_equal(b.data,
		"| NAME | P99 ▼ | TREND |\n"
		"|---|---:|---|\n"
		"| a\\|b | 45ms | ▁▂▃▄▅▆▇█ |\n"
		"| 결제^[[0m |  |  |\n");
	buf_reset(&b);
	table_write_markdown(&v, &b, true);
	assert_string_equal(b.data,
		"| NAME | P99 v | TREND |\n"
		"|---|---:|---|\n"
		"| a\\|b | 45ms | _.-=+*#@ |\n"
		"| ????^[[0m |  |  |\n");
	buf_done(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_80_columns_drops_low_priority),
		cmocka_unit_test(test_narrow_keeps_name_and_status),
		cmocka_unit_test(test_too_narrow_for_the_minimums),
		cmocka_unit_test(test_wide_shows_every_column),
		cmocka_unit_test(test_sort_mark_on_sorted_column),
		cmocka_unit_test(test_sort_mark_survives_cut_title),
		cmocka_unit_test(test_selected_row_fills_the_width),
		cmocka_unit_test(test_numbers_right_aligned),
		cmocka_unit_test(test_empty_table),
		cmocka_unit_test(test_scroll_keeps_selection_visible),
		cmocka_unit_test(test_markdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
