/*
 * test_text.c - what hostile and international text looks like on screen.
 *
 * Every check renders into a canvas and compares canvas_write_text() with
 * what a user would see.  The process locale is left at "C" on purpose:
 * widths must not depend on it.
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

/* Draw s on a fresh w x 1 canvas and check the line shown and columns used. */
static void
check_line(int w, int maxw, bool ascii, const char *s, const char *expect_line,
	   int expect_used)
{
	struct canvas *c = canvas_new(w, 1);
	char expect[256];

	c->ascii = ascii;
	assert_int_equal(text_draw(c, 0, 0, maxw, s, ROLE_NORMAL, ATTR_NONE), expect_used);
	snprintf(expect, sizeof expect, "%s\n", expect_line);
	assert_canvas(c, expect);
	canvas_free(c);
}

/* The widths of the cells of row 0 add up to the canvas width. */
static void
assert_row_intact(const struct canvas *c, int y)
{
	int x, sum = 0;

	for (x = 0; x < c->w; x++) {
		const struct cell *cl = &c->cells[y * c->w + x];

		if (cl->width == 2)
			assert_int_equal(c->cells[y * c->w + x + 1].width, 0);
		if (cl->width == 0)
			assert_true(x > 0 && c->cells[y * c->w + x - 1].width == 2);
		sum += cl->width;
	}
	assert_int_equal(sum, c->w);
}

static void
test_plain_ascii(void **state)
{
	(void)state;
	check_line(20, 20, false, "checkout-api", "checkout-api", 12);
	assert_int_equal(text_width("checkout-api"), 12);
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width(NULL), 0);
}

static void
test_escape_sequence_is_visible(void **state)
{
	(void)state;
	check_line(30, 30, false, "\x1b[31mred\x1b[0m", "^[[31mred^[[0m", 14);
	check_line(10, 10, false, "a\x7f" "b", "a^?b", 4);
	check_line(10, 10, false, "bell\a", "bell^G", 6);
	check_line(10, 10, false, "a\nb", "a^Jb", 4);
	check_line(10, 10, false, "cr\r", "cr^M", 4);
	assert_int_equal(text_width("\x1b[2J"), 5);
}

static void
test_c1_and_bidi_are_named(void **state)
{
	(void)state;
	/* CSI as a C1 control (U+009B, encoded C2 9B). */
	check_line(20, 20, false, "a\xc2\x9b" "2J", "a<U+009B>2J", 11);
	/* RIGHT-TO-LEFT OVERRIDE would reverse "txt.exe" on screen. */
	check_line(30, 30, false, "invoice\xe2\x80\xaegpj.exe",
		   "invoice<U+202E>gpj.exe", 22);
	/* Zero width space and BOM hide in plain sight. */
	check_line(30, 30, false, "a\xe2\x80\x8b" "b\xef\xbb\xbf", "a<U+200B>b<U+FEFF>", 18);
	/* Line separator; and an unassigned code point. */
	check_line(30, 30, false, "\xe2\x80\xa8", "<U+2028>", 8);
	check_line(30, 30, false, "\xf4\x8f\xbf\xbf", "<U+10FFFF>", 10);
}

static void
test_invalid_utf8_becomes_replacement(void **state)
{
	(void)state;
	check_line(10, 10, false, "a\xff" "b", "a\xef\xbf\xbd" "b", 3);
	/* A truncated sequence is one U+FFFD and does not eat the next char. */
	check_line(10, 10, false, "\xe2\x82x", "\xef\xbf\xbdx", 2);
	/* Overlong '/' (C0 AF): two replacement characters, never '/'. */
	check_line(10, 10, false, "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd", 2);
	/* Overlong 3-byte NUL. */
	check_line(10, 10, false, "\xe0\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3);
	/* UTF-16 surrogate encoded in UTF-8. */
	check_line(10, 10, false, "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3);
	/* Above U+10FFFF. */
	check_line(10, 10, false, "\xf4\x90\x80\x80",
		   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 4);
	/* A lone continuation byte and a raw C1 byte. */
	check_line(10, 10, false, "\x80\x9b", "\xef\xbf\xbd\xef\xbf\xbd", 2);
}

static void
test_korean_is_double_width_and_cut_whole(void **state)
{
	struct canvas *c;

	(void)state;
	/* 결제 = "payment": two syllables, four columns. */
	assert_int_equal(text_width("결제"), 4);
	check_line(10, 10, false, "결제서비스", "결제서비스", 10);
	/* Cut at 7 columns: three syllables (6) would leave no room for "…". */
	check_line(10, 7, false, "결제서비스", "결제서…", 7);
	/* Cut at 6: the third syllable would need columns 4-5 plus "…". */
	check_line(10, 6, false, "결제서비스", "결제…", 5);
	c = canvas_new(10, 1);
	text_draw(c, 0, 0, 6, "결제서비스", ROLE_NORMAL, ATTR_NONE);
	assert_int_equal(c->cells[0].width, 2);
	assert_int_equal(c->cells[1].width, 0);
	assert_string_equal(c->cells[4].ch, "\xe2\x80\xa6");
	assert_row_intact(c, 0);
	/* A wide character never hangs over the canvas edge. */
	assert_int_equal(text_draw(c, 9, 0, 5, "결", ROLE_NORMAL, ATTR_NONE), 0);
	assert_string_equal(c->cells[9].ch, " ");
	assert_row_intact(c, 0);
	canvas_free(c);
}

static void
test_overwriting_half_of_wide_char(void **state)
{
	struct canvas *c = canvas_new(6, 1);

	(void)state;
	text_draw(c, 0, 0, 6, "한국어", ROLE_NORMAL, ATTR_NONE);
	text_draw(c, 1, 0, 1, "x", ROLE_NORMAL, ATTR_NONE);
	assert_canvas(c, " x국어\n");
	text_draw(c, 4, 0, 1, "y", ROLE_NORMAL, ATTR_NONE);
	assert_canvas(c, " x국y\n");
	assert_row_intact(c, 0);
	canvas_free(c);
}

static void
test_emoji_and_combining_marks(void **state)
{
	struct canvas *c = canvas_new(10, 1);

	(void)state;
	assert_int_equal(text_width("\xf0\x9f\x98\x80"), 2); /* 😀 */
	/* e + COMBINING ACUTE ACCENT is one cell, one column. */
	assert_int_equal(text_width("e\xcc\x81"), 1);
	text_draw(c, 0, 0, 10, "cafe\xcc\x81!", ROLE_NORMAL, ATTR_NONE);
	assert_string_equal(c->cells[3].ch, "e\xcc\x81");
	assert_string_equal(c->cells[4].ch, "!");
	assert_canvas(c, "cafe\xcc\x81!\n");
	/* Hundreds of stacked marks ("zalgo") stay in one cell. */
	{
		char z[1 + 2 * 200 + 2];
		int i;

		z[0] = 'Z';
		for (i = 0; i < 200; i++)
			memcpy(z + 1 + 2 * i, "\xcc\x81", 2);
		strcpy(z + 401, "!");
		canvas_clear(c);
		assert_int_equal(text_draw(c, 0, 0, 10, z, ROLE_NORMAL, ATTR_NONE), 2);
		assert_true(strlen(c->cells[0].ch) < CELL_BYTES);
		assert_int_equal(c->cells[0].ch[0], 'Z');
		assert_string_equal(c->cells[1].ch, "!");
	}
	canvas_free(c);
}

static void
test_tabs_expand_to_stops(void **state)
{
	(void)state;
	check_line(20, 20, false, "a\tb", "a       b", 9);
	check_line(20, 20, false, "abcdefgh\tx", "abcdefgh        x", 17);
	assert_int_equal(text_width("\t"), 8);
	assert_int_equal(text_width("ab\t"), 8);
}

static void
test_ellipsis_on_cut(void **state)
{
	(void)state;
	check_line(10, 5, false, "abcdefgh", "abcd\xe2\x80\xa6", 5);
	check_line(10, 5, true, "abcdefgh", "abcd~", 5);
	check_line(10, 5, false, "abcde", "abcde", 5);
	/* One column: no room for an ellipsis, just the first column. */
	check_line(10, 1, false, "abc", "a", 1);
	/* The canvas edge cuts like maxw does. */
	check_line(4, 50, false, "abcdef", "abc\xe2\x80\xa6", 4);
	/* An escape cut in the middle still shows where it started. */
	check_line(10, 6, false, "\xe2\x80\xae" "abc", "<U+20\xe2\x80\xa6", 6);
}

static void
test_ascii_mode(void **state)
{
	(void)state;
	check_line(10, 10, true, "한a", "??a", 3);
	check_line(10, 10, true, "cafe\xcc\x81", "caf?", 4);
	check_line(10, 10, true, "\xe2\x80\xae", "<U+202E>", 8);
	check_line(10, 10, true, "\xff", "?", 1);
	check_line(10, 10, true, "\x1b", "^[", 2);
}

static void
test_aligned(void **state)
{
	struct canvas *c = canvas_new(12, 3);

	(void)state;
	assert_int_equal(text_draw_aligned(c, 0, 0, 6, "42", ALIGN_RIGHT, ROLE_OK, ATTR_NONE), 6);
	text_draw_aligned(c, 0, 1, 6, "ab", ALIGN_CENTER, ROLE_NORMAL, ATTR_NONE);
	text_draw_aligned(c, 0, 2, 6, "abcdefgh", ALIGN_RIGHT, ROLE_NORMAL, ATTR_NONE);
	text_draw(c, 6, 0, 6, "|", ROLE_NORMAL, ATTR_NONE);
	text_draw(c, 6, 1, 6, "|", ROLE_NORMAL, ATTR_NONE);
	assert_canvas(c, "    42|\n  ab  |\nabcde\xe2\x80\xa6\n");
	/* Padding takes the role too, so a coloured field is solid. */
	assert_int_equal(c->cells[0].role, ROLE_OK);
	canvas_free(c);
}

static void
test_wrapped(void **state)
{
	struct canvas *c = canvas_new(10, 4);
	int rows;

	(void)state;
	rows = text_draw_wrapped(c, (struct rect){ 0, 0, 10, 4 },
				 "the quick brown fox jumps", ROLE_NORMAL, ATTR_NONE);
	assert_int_equal(rows, 3);
	assert_canvas(c, "the quick\nbrown fox\njumps\n\n");

	canvas_clear(c);
	rows = text_draw_wrapped(c, (struct rect){ 0, 0, 5, 4 }, "abcdefghijkl",
				 ROLE_NORMAL, ATTR_NONE);
	assert_int_equal(rows, 3);
	assert_canvas(c, "abcde\nfghij\nkl\n\n");

	/* Korean hard-wraps between syllables, never through one. */
	canvas_clear(c);
	rows = text_draw_wrapped(c, (struct rect){ 0, 0, 5, 4 }, "가나다라마",
				 ROLE_NORMAL, ATTR_NONE);
	assert_int_equal(rows, 3);
	assert_canvas(c, "가나\n다라\n마\n\n");
	assert_row_intact(c, 0);

	/* Newlines start rows; more rows than fit are counted, not drawn. */
	canvas_clear(c);
	rows = text_draw_wrapped(c, (struct rect){ 0, 1, 10, 2 }, "one\ntwo\nthree\nfour\n",
				 ROLE_NORMAL, ATTR_NONE);
	assert_int_equal(rows, 4);
	assert_canvas(c, "\none\ntwo\n\n");
	assert_int_equal(text_draw_wrapped(c, (struct rect){ 0, 0, 10, 4 }, "",
					   ROLE_NORMAL, ATTR_NONE), 0);

	/* Escapes wrap like any other text. */
	canvas_clear(c);
	rows = text_draw_wrapped(c, (struct rect){ 0, 0, 6, 4 }, "x\xe2\x80\xaey",
				 ROLE_NORMAL, ATTR_NONE);
	assert_int_equal(rows, 2);
	assert_canvas(c, "x<U+20\n2E>y\n\n\n");
	canvas_free(c);
}

static void
test_wrapped_wide_in_one_column(void **state)
{
	struct canvas *c = canvas_new(3, 3);
	int rows;

	(void)state;
	/* A double-width char cannot show in one column; it must not loop. */
	rows = text_draw_wrapped(c, (struct rect){ 0, 0, 1, 3 }, "한a", ROLE_NORMAL,
				 ATTR_NONE);
	assert_int_equal(rows, 2);
	assert_canvas(c, "\na\n\n");
	canvas_free(c);
}

static void
test_sanitize(void **state)
{
	char out[64];

	(void)state;
	/* An OSC title-setting sequence, shown rather than obeyed. */
	text_sanitize("\x1b]0;pwned\x07 ok", out, sizeof out);
	assert_string_equal(out, "^[]0;pwned^G ok");
	text_sanitize("ok\t!", out, sizeof out);
	assert_string_equal(out, "ok      !");
	text_sanitize("a\xe2\x80\xae" "b\xff", out, sizeof out);
	assert_string_equal(out, "a<U+202E>b\xef\xbf\xbd");
	/* Truncation never cuts a UTF-8 sequence. */
	text_sanitize("ab한", out, 5);
	assert_string_equal(out, "ab");
	text_sanitize("abc", out, 1);
	assert_string_equal(out, "");
}

static void
test_sanitize_buf(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	text_sanitize_buf("한\x1b", &b, false);
	assert_string_equal(b.data, "한^[");
	buf_reset(&b);
	text_sanitize_buf("한\x1b", &b, true);
	assert_string_equal(b.data, "??^[");
	buf_done(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_ascii),
		cmocka_unit_test(test_escape_sequence_is_visible),
		cmocka_unit_test(test_c1_and_bidi_are_named),
		cmocka_unit_test(test_invalid_utf8_becomes_replacement),
		cmocka_unit_test(test_korean_is_double_width_and_cut_whole),
		cmocka_unit_test(test_overwriting_half_of_wide_char),
		cmocka_unit_test(test_emoji_and_combining_marks),
		cmocka_unit_test(test_tabs_expand_to_stops),
		cmocka_unit_test(test_ellipsis_on_cut),
		cmocka_unit_test(test_ascii_mode),
		cmocka_unit_test(test_aligned),
		cmocka_unit_test(test_wrapped),
		cmocka_unit_test(test_wrapped_wide_in_one_column),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_sanitize_buf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
