/*
 * test_sparkline.c - what a series looks like as one row of bars.
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
#include "sparkline.h"
#include "text.h"

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

static void
check_string(const double *v, size_t n, int w, int ascii, const char *expect)
{
	struct buf b;

	buf_init(&b);
	sparkline_string(v, n, w, ascii, &b);
	assert_string_equal(b.data, expect);
	buf_done(&b);
}

static const double one_to_eight[] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static void
test_one_to_eight_uses_every_level(void **state)
{
	struct canvas *c = canvas_new(8, 1);

	(void)state;
	check_string(one_to_eight, 8, 8, 0, "▁▂▃▄▅▆▇█");
	check_string(one_to_eight, 8, 8, 1, "_.-=+*#@");
	sparkline_draw(c, 0, 0, 8, one_to_eight, 8, ROLE_OK);
	assert_canvas(c, "▁▂▃▄▅▆▇█\n");
	assert_int_equal(canvas_at(c, 0, 0)->role, ROLE_OK);
	assert_int_equal(canvas_at(c, 7, 0)->width, 1);
	c->ascii = true;
	sparkline_draw(c, 0, 0, 8, one_to_eight, 8, ROLE_OK);
	assert_canvas(c, "_.-=+*#@\n");
	canvas_free(c);
}

static void
test_flat_series(void **state)
{
	const double steady[] = { 40, 40, 40, 40 };
	const double zero[] = { 0, 0, 0 };

	(void)state;
	/* Steady load is a mid-level line: not "idle", not "pegged". */
	check_string(steady, 4, 10, 0, "▄▄▄▄");
	check_string(zero, 3, 10, 0, "▁▁▁");
	check_string(zero, 3, 10, 1, "___");
}

static void
test_gaps(void **state)
{
	const double v[] = { 1, NAN, 8, INFINITY };
	struct canvas *c = canvas_new(6, 1);

	(void)state;
	check_string(v, 4, 4, 0, "▁ █ ");
	sparkline_draw(c, 0, 0, 6, v, 4, ROLE_NORMAL);
	text_draw(c, 5, 0, 1, "|", ROLE_NORMAL, ATTR_NONE);
	assert_canvas(c, "  ▁ █|\n");
	canvas_free(c);
}

static void
test_right_aligned_and_newest(void **state)
{
	const double few[] = { 0, 5, 10 };
	struct canvas *c = canvas_new(6, 2);

	(void)state;
	/* Fewer values than columns: "now" is at the right edge. */
	sparkline_draw(c, 0, 0, 6, few, 3, ROLE_NORMAL);
	/* More values than columns: the newest ones, scaled among themselves
	 * (5..8 spans more than a quarter of 8, so it fills the height). */
	sparkline_draw(c, 0, 1, 4, one_to_eight, 8, ROLE_NORMAL);
	assert_canvas(c, "   ▁▄█\n▁▃▆█\n");
	check_string(one_to_eight, 8, 2, 0, "▄█"); /* 7 and 8: the scale spans 6..8 */
	canvas_free(c);
}

static void
test_negative_values(void **state)
{
	const double v[] = { -2, 0, 2 };

	(void)state;
	check_string(v, 3, 3, 0, "▁▄█");
}

/* An error ratio against its critical threshold: low errors stay low. */
static void
test_fixed_top(void **state)
{
	const double low[] = { 0.002, 0.002, 0.002, 0.05 };
	const double high[] = { 0.0, 0.1 };
	struct buf b;

	(void)state;
	buf_init(&b);
	sparkline_string_top(low, 4, 10, 0.05, 0, &b);
	assert_string_equal(b.data, "▁▁▁█");
	buf_reset(&b);
	/* a peak over the top rescales to the peak */
	sparkline_string_top(high, 2, 10, 0.05, 0, &b);
	assert_string_equal(b.data, "▁█");
	buf_reset(&b);
	/* automatic scale: a steady 0.2 % looks flat, mid-level */
	sparkline_string(low, 3, 10, 0, &b);
	assert_string_equal(b.data, "▄▄▄");
	buf_done(&b);
}

static void
test_degenerate(void **state)
{
	struct canvas *c = canvas_new(4, 1);

	(void)state;
	check_string(NULL, 0, 4, 0, "");
	check_string(one_to_eight, 8, 0, 0, "");
	sparkline_draw(c, 0, 0, 4, NULL, 0, ROLE_NORMAL);
	assert_canvas(c, "\n");
	canvas_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_to_eight_uses_every_level),
		cmocka_unit_test(test_flat_series),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_right_aligned_and_newest),
		cmocka_unit_test(test_negative_values),
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_fixed_top),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
