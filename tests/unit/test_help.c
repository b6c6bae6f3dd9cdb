/*
 * test_help.c - the key overlay: box, columns, headings, scrolling.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "help.h"
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

static const struct help_entry entries[] = {
	{ NULL, "Moving" },
	{ "j / Down", "next row" },
	{ "k / Up", "previous row" },
	{ NULL, "Actions" },
	{ "r", "restart service" },
	{ "s", "scale" },
	{ "?", "this help" },
};
#define NENTRIES (sizeof entries / sizeof entries[0])

static struct help_view
keys(void)
{
	struct help_view v = { "opsdeck — keys", entries, NENTRIES, 0, "Esc closes" };
	return v;
}

static void
test_boxed_overlay(void **state)
{
	struct canvas *c = canvas_new(34, 11);
	struct help_view v = keys();

	(void)state;
	/* The overlay covers what was under it. */
	canvas_fill(c, (struct rect){ 0, 0, 34, 11 }, ROLE_NORMAL);
	text_draw(c, 0, 5, 34, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", ROLE_NORMAL, ATTR_NONE);
	help_draw(c, (struct rect){ 0, 0, 34, 11 }, &v);
	assert_int_equal(help_visible_rows((struct rect){ 0, 0, 34, 11 }, &v), 7);
	assert_canvas(c,
		"\n"
		"  ┌─ opsdeck — keys ──────────┐\n"
		"  │ Moving                    │\n"
		"  │ j / Down  next row        │\n"
		"  │ k / Up    previous row    │\n"
		"xx│ Actions                   │xxx\n"
		"  │ r         restart service │\n"
		"  │ s         scale           │\n"
		"  │ ?         this help       │\n"
		"  └────────────── Esc closes ─┘\n"
		"\n");
	canvas_free(c);
}

static void
test_roles(void **state)
{
	struct canvas *c = canvas_new(40, 12);
	struct help_view v = keys();
	const struct cell *cl;
	int x, y;

	(void)state;
	help_draw(c, (struct rect){ 0, 0, 40, 12 }, &v);
	/* Find the row of "r" and check key and description roles. */
	for (y = 0; y < c->h; y++) {
		for (x = 0; x < c->w; x++) {
			cl = canvas_at(c, x, y);
			if (strcmp(cl->ch, "r") == 0 && strcmp(canvas_at(c, x + 1, y)->ch, " ") == 0 &&
			    strcmp(canvas_at(c, x - 1, y)->ch, " ") == 0) {
				assert_int_equal(cl->role, ROLE_ACCENT);
				/* "restart service", two columns after the key column. */
				assert_string_equal(canvas_at(c, x + 10, y)->ch, "r");
				assert_int_equal(canvas_at(c, x + 10, y)->role, ROLE_NORMAL);
				/* The heading two rows up. */
				assert_string_equal(canvas_at(c, x, y - 1)->ch, "A");
				assert_int_equal(canvas_at(c, x, y - 1)->role, ROLE_HEADER);
				canvas_free(c);
				return;
			}
		}
	}
	fail_msg("key 'r' not found");
}

static void
test_ascii_border(void **state)
{
	static const struct help_entry few[] = { { "q", "quit" } };
	struct canvas *c = canvas_new(20, 3);
	struct help_view v = { "keys", few, 1, 0, NULL };

	(void)state;
	c->ascii = true;
	help_draw(c, (struct rect){ 0, 0, 20, 3 }, &v);
	assert_canvas(c,
		"    +- keys --+\n"
		"    | q  quit |\n"
		"    +---------+\n");
	canvas_free(c);
}

static void
test_scrolling(void **state)
{
	struct canvas *c = canvas_new(34, 5);
	struct help_view v = keys();
	struct rect screen = { 0, 0, 34, 5 };

	(void)state;
	/* Five rows: border, three entries, border. */
	assert_int_equal(help_visible_rows(screen, &v), 3);
	v.scroll = 2;
	help_draw(c, screen, &v);
	/* Marks on the right border say there is more above and below. */
	assert_canvas(c,
		"  ┌─ opsdeck — keys ──────────┐\n"
		"  │ k / Up    previous row    ▲\n"
		"  │ Actions                   │\n"
		"  │ r         restart service ▼\n"
		"  └────────────── Esc closes ─┘\n");
	/* Scrolled past the end: the last page, no "more below" mark. */
	v.scroll = 100;
	help_draw(c, screen, &v);
	assert_canvas(c,
		"  ┌─ opsdeck — keys ──────────┐\n"
		"  │ r         restart service ▲\n"
		"  │ s         scale           │\n"
		"  │ ?         this help       │\n"
		"  └────────────── Esc closes ─┘\n");
	assert_int_equal(canvas_at(c, 30, 1)->role, ROLE_ACCENT);
	canvas_free(c);
}

static void
test_narrow_screen_cuts_descriptions(void **state)
{
	struct canvas *c = canvas_new(24, 4);
	struct help_view v = keys();

	(void)state;
	v.scroll = 4;
	help_draw(c, (struct rect){ 0, 0, 24, 4 }, &v);
	assert_canvas(c,
		"┌─ opsdeck — keys ─────┐\n"
		"│ r         restart s… ▲\n"
		"│ s         scale      ▼\n"
		"└───────── Esc closes ─┘\n");
	canvas_free(c);
}

static void
test_tiny_screen(void **state)
{
	struct canvas *c = canvas_new(5, 2);
	struct help_view v = keys();

	(void)state;
	assert_int_equal(help_visible_rows((struct rect){ 0, 0, 5, 2 }, &v), 0);
	help_draw(c, (struct rect){ 0, 0, 5, 2 }, &v);
	assert_canvas(c, "\n\n");
	canvas_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boxed_overlay),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_ascii_border),
		cmocka_unit_test(test_scrolling),
		cmocka_unit_test(test_narrow_screen_cuts_descriptions),
		cmocka_unit_test(test_tiny_screen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
