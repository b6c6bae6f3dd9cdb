/*
 * test_statusbar.c - the bottom row: backend health segments and a message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "statusbar.h"

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

static const struct status_segment segs[] = {
	{ "prom ok", ROLE_NORMAL },
	{ "es 401", ROLE_CRIT },
	{ "zipkin 2m stale", ROLE_STALE },
};

static void
test_segments_and_message(void **state)
{
	struct canvas *c = canvas_new(60, 2);
	struct statusbar_view v = { segs, 3, "refreshed 12:00:01", ROLE_NORMAL };
	int x;

	(void)state;
	statusbar_draw(c, (struct rect){ 0, 1, 60, 1 }, &v);
	assert_canvas(c, "\n prom ok │ es 401 │ zipkin 2m stale      refreshed 12:00:01\n");
	/* The whole row is the bar; the first row is untouched. */
	assert_int_equal(canvas_at(c, 59, 1)->role, ROLE_BAR);
	assert_int_equal(canvas_at(c, 38, 1)->role, ROLE_BAR);
	assert_int_equal(canvas_at(c, 0, 0)->role, ROLE_NORMAL);
	/* The failing backend stands out, still in reverse like the bar. */
	for (x = 11; x < 17; x++) {
		assert_int_equal(canvas_at(c, x, 1)->role, ROLE_CRIT);
		assert_true(canvas_at(c, x, 1)->attr & ATTR_REVERSE);
	}
	assert_int_equal(canvas_at(c, 10, 1)->role, ROLE_BAR);
	assert_int_equal(canvas_at(c, 1, 1)->role, ROLE_BAR);
	assert_int_equal(canvas_at(c, 21, 1)->role, ROLE_STALE);
	canvas_free(c);
}

static void
test_message_wins_when_narrow(void **state)
{
	struct canvas *c = canvas_new(39, 1);
	struct statusbar_view v = { segs, 3, "scaled checkout to 3", ROLE_OK };

	(void)state;
	statusbar_draw(c, (struct rect){ 0, 0, 39, 1 }, &v);
	/* The segments give way: shortened, then dropped. */
	assert_canvas(c, " prom ok │ es 4…  scaled checkout to 3\n");
	assert_int_equal(canvas_at(c, 20, 0)->role, ROLE_OK);

	canvas_clear(c);
	v.message = "a very long error message that does not fit in forty columns";
	statusbar_draw(c, (struct rect){ 0, 0, 39, 1 }, &v);
	assert_canvas(c, " a very long error message that does …\n");
	canvas_free(c);
}

static void
test_no_message(void **state)
{
	struct canvas *c = canvas_new(30, 1);
	struct statusbar_view v = { segs, 3, NULL, ROLE_NORMAL };

	(void)state;
	statusbar_draw(c, (struct rect){ 0, 0, 30, 1 }, &v);
	assert_canvas(c, " prom ok │ es 401 │ zipkin 2…\n");
	canvas_free(c);
}

static void
test_ascii_and_hostile_text(void **state)
{
	static const struct status_segment evil[] = {
		{ "k8s \x1b]0;owned\x07", ROLE_WARN },
		{ NULL, ROLE_NORMAL },
		{ "", ROLE_NORMAL },
		{ "ecs", ROLE_NORMAL },
	};
	struct canvas *c = canvas_new(40, 1);
	struct statusbar_view v = { evil, 4, "한글", ROLE_NORMAL };

	(void)state;
	c->ascii = true;
	statusbar_draw(c, (struct rect){ 0, 0, 40, 1 }, &v);
	/* Empty segments do not leave a doubled separator. */
	assert_canvas(c, " k8s ^[]0;owned^G | ecs            ????\n");
	canvas_free(c);
}

static void
test_empty_bar_still_fills(void **state)
{
	struct canvas *c = canvas_new(10, 1);
	struct statusbar_view v = { NULL, 0, NULL, ROLE_NORMAL };
	int x;

	(void)state;
	statusbar_draw(c, (struct rect){ 0, 0, 10, 1 }, &v);
	for (x = 0; x < 10; x++)
		assert_int_equal(canvas_at(c, x, 0)->role, ROLE_BAR);
	/* Tiny widths do not crash. */
	statusbar_draw(c, (struct rect){ 0, 0, 1, 1 }, &v);
	statusbar_draw(c, (struct rect){ 8, 0, 0, 1 }, &v);
	canvas_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segments_and_message),
		cmocka_unit_test(test_message_wins_when_narrow),
		cmocka_unit_test(test_no_message),
		cmocka_unit_test(test_ascii_and_hostile_text),
		cmocka_unit_test(test_empty_bar_still_fills),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
