/*
 * test_canvas.c - the cell grid and its text and ANSI writers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "text.h"

static char *
render(const struct canvas *c, int mode)
{
	struct buf b;

	buf_init(&b);
	if (mode == 0)
		canvas_write_text(c, &b);
	else
		canvas_write_ansi(c, &b, mode == 2);
	return b.data; /* the caller frees */
}

#define assert_render(c, mode, expect)             \
	do {                                       \
		char *got_ = render(c, mode);      \
		assert_string_equal(got_, expect); \
		free(got_);                        \
	} while (0)

static void
test_new_is_blank(void **state)
{
	struct canvas *c = canvas_new(4, 2);
	struct canvas *tiny = canvas_new(0, -3);

	(void)state;
	assert_int_equal(c->w, 4);
	assert_int_equal(c->h, 2);
	assert_false(c->ascii);
	assert_string_equal(canvas_at(c, 3, 1)->ch, " ");
	assert_int_equal(canvas_at(c, 3, 1)->role, ROLE_NORMAL);
	assert_render(c, 0, "\n\n");
	assert_int_equal(tiny->w, 1);
	assert_int_equal(tiny->h, 1);
	assert_null(canvas_at(c, 4, 0));
	assert_null(canvas_at(c, 0, 2));
	assert_null(canvas_at(c, -1, 0));
	canvas_free(c);
	canvas_free(tiny);
	canvas_free(NULL);
}

static void
test_put_and_text_writer(void **state)
{
	struct canvas *c = canvas_new(6, 2);

	(void)state;
	assert_int_equal(canvas_put(c, 0, 0, "a", 1, ROLE_NORMAL, ATTR_NONE), 1);
	assert_int_equal(canvas_put(c, 2, 0, "한", 2, ROLE_NORMAL, ATTR_NONE), 2);
	assert_int_equal(canvas_put(c, 1, 1, "b", 1, ROLE_NORMAL, ATTR_NONE), 1);
	/* Outside, or a wide character that would hang over the edge. */
	assert_int_equal(canvas_put(c, 6, 0, "x", 1, ROLE_NORMAL, ATTR_NONE), 0);
	assert_int_equal(canvas_put(c, 5, 0, "한", 2, ROLE_NORMAL, ATTR_NONE), 0);
	/* Trailing blanks trimmed; the continuation cell prints nothing. */
	assert_render(c, 0, "a 한\n b\n");
	assert_int_equal(canvas_at(c, 3, 0)->width, 0);
	canvas_free(c);
}

static void
test_no_torn_wide_chars(void **state)
{
	struct canvas *c = canvas_new(6, 1);

	(void)state;
	canvas_put(c, 0, 0, "한", 2, ROLE_NORMAL, ATTR_NONE);
	canvas_put(c, 2, 0, "국", 2, ROLE_NORMAL, ATTR_NONE);
	/* A wide char straddling two others blanks both of their other halves. */
	canvas_put(c, 1, 0, "어", 2, ROLE_NORMAL, ATTR_NONE);
	assert_render(c, 0, " 어\n");
	assert_int_equal(canvas_at(c, 0, 0)->width, 1);
	assert_int_equal(canvas_at(c, 3, 0)->width, 1);
	/* Filling over the continuation half blanks the lead. */
	canvas_fill(c, (struct rect){ 2, 0, 1, 1 }, ROLE_NORMAL);
	assert_render(c, 0, "\n");
	canvas_free(c);
}

static void
test_fill_paint_clear_resize(void **state)
{
	struct canvas *c = canvas_new(5, 3);

	(void)state;
	text_draw(c, 0, 1, 5, "hello", ROLE_NORMAL, ATTR_NONE);
	canvas_paint(c, (struct rect){ 1, 1, 2, 1 }, ROLE_CRIT, ATTR_UNDERLINE);
	assert_int_equal(canvas_at(c, 1, 1)->role, ROLE_CRIT);
	assert_int_equal(canvas_at(c, 1, 1)->attr, ATTR_UNDERLINE);
	assert_string_equal(canvas_at(c, 1, 1)->ch, "e");
	assert_int_equal(canvas_at(c, 3, 1)->role, ROLE_NORMAL);
	/* Fill is clipped to the canvas. */
	canvas_fill(c, (struct rect){ -2, 1, 4, 10 }, ROLE_BAR);
	assert_render(c, 0, "\n  llo\n\n");
	assert_int_equal(canvas_at(c, 1, 2)->role, ROLE_BAR);
	canvas_clear(c);
	assert_int_equal(canvas_at(c, 1, 2)->role, ROLE_NORMAL);
	text_draw(c, 0, 0, 5, "x", ROLE_NORMAL, ATTR_NONE);
	canvas_resize(c, 7, 2);
	assert_int_equal(c->w, 7);
	assert_render(c, 0, "\n\n");
	canvas_free(c);
}

static void
test_ansi_colour(void **state)
{
	struct canvas *c = canvas_new(12, 2);

	(void)state;
	text_draw(c, 0, 0, 12, "ok ", ROLE_NORMAL, ATTR_NONE);
	text_draw(c, 3, 0, 12, "DOWN", ROLE_CRIT, ATTR_NONE);
	text_draw(c, 0, 1, 12, "plain", ROLE_NORMAL, ATTR_NONE);
	/* CRIT is bold red; reset before the line ends; plain lines stay plain. */
	assert_render(c, 2, "ok \033[0;1;31mDOWN\033[0m\nplain\n");
	/* Monochrome: attributes only. */
	assert_render(c, 1, "ok \033[0;1;4mDOWN\033[0m\nplain\n");
	canvas_free(c);
}

static void
test_ansi_bar_keeps_trailing_blanks(void **state)
{
	struct canvas *c = canvas_new(6, 1);

	(void)state;
	canvas_fill(c, (struct rect){ 0, 0, 6, 1 }, ROLE_BAR);
	text_draw(c, 0, 0, 6, "up", ROLE_BAR, ATTR_NONE);
	/* A reverse-video bar must reach the right edge. */
	assert_render(c, 2, "\033[0;7mup    \033[0m\n");
	/* ... but plain text has no trailing blanks. */
	assert_render(c, 0, "up\n");
	canvas_free(c);
}

static void
test_ansi_roles(void **state)
{
	struct canvas *c = canvas_new(3, 1);

	(void)state;
	canvas_put(c, 0, 0, "w", 1, ROLE_WARN, ATTR_NONE);
	canvas_put(c, 1, 0, "d", 1, ROLE_DIM, ATTR_NONE);
	canvas_put(c, 2, 0, "a", 1, ROLE_ACCENT, ATTR_UNDERLINE);
	assert_render(c, 2, "\033[0;33mw\033[0;90md\033[0;4;36ma\033[0m\n");
	assert_render(c, 1, "\033[0;1mw\033[0;2md\033[0;1;4ma\033[0m\n");
	canvas_free(c);
}

static void
test_theme_tables(void **state)
{
	int fg, bg, r;
	unsigned attr;

	(void)state;
	for (r = 0; r < ROLE_COUNT; r++) {
		canvas_role_style(r, false, &fg, &bg, &attr);
		assert_int_equal(fg, -1);
		assert_int_equal(bg, -1);
		assert_int_equal(canvas_theme_mono[r].attr, attr);
	}
	canvas_role_style(ROLE_SELECTED, true, &fg, &bg, &attr);
	assert_true(attr & ATTR_REVERSE);
	canvas_role_style(ROLE_OK, true, &fg, NULL, NULL);
	assert_int_equal(fg, 2);
	canvas_role_style(ROLE_CRIT, true, &fg, NULL, &attr);
	assert_int_equal(fg, 1);
	assert_true(attr & ATTR_BOLD);
	/* Severity stays distinguishable without colour. */
	assert_int_not_equal(canvas_theme_mono[ROLE_WARN].attr, canvas_theme_mono[ROLE_OK].attr);
	assert_int_not_equal(canvas_theme_mono[ROLE_CRIT].attr, canvas_theme_mono[ROLE_WARN].attr);
	canvas_role_style((enum role)99, true, &fg, &bg, &attr);
	assert_int_equal(fg, -1);
	assert_int_equal(attr, ATTR_NONE);
}

static void
test_role_names(void **state)
{
	(void)state;
	assert_string_equal(role_name(ROLE_CRIT), "crit");
	assert_string_equal(role_name(ROLE_NORMAL), "normal");
	assert_string_equal(role_name(ROLE_ACCENT), "accent");
	assert_string_equal(role_name((enum role)ROLE_COUNT), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_is_blank),
		cmocka_unit_test(test_put_and_text_writer),
		cmocka_unit_test(test_no_torn_wide_chars),
		cmocka_unit_test(test_fill_paint_clear_resize),
		cmocka_unit_test(test_ansi_colour),
		cmocka_unit_test(test_ansi_bar_keeps_trailing_blanks),
		cmocka_unit_test(test_ansi_roles),
		cmocka_unit_test(test_theme_tables),
		cmocka_unit_test(test_role_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
