/*
 * test_dialog.c - the confirmation dialog: the key rules of both modes
 * (pure, no terminal), and the drawing at 80x24 and 40x12 - the change line
 * in full, the prompt, danger styling, Korean names, nothing outside the
 * screen.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "dialog.h"
#include "input.h"

#define CHANGE "payments \xe2\x80\x94 swarm @ local \xe2\x80\x94 replicas 2 \xe2\x86\x92 4"
#define KR_NAME "\xea\xb2\xb0\xec\xa0\x9c" /* 결제, "payment" */
#define KR_CHANGE KR_NAME " \xe2\x80\x94 swarm @ local \xe2\x80\x94 replicas 2 \xe2\x86\x92 4"

enum { K_UP_LIKE = DIALOG_KEY_SPECIAL + 1 };

static struct dialog_view
simple_view(void)
{
	struct dialog_view v = { 0 };

	v.title = "Scale payments?";
	v.body = "Sets the desired replica count of the Swarm service. Running "
		 "tasks are started or stopped by the orchestrator.";
	v.change = CHANGE;
	return v;
}

static struct dialog_view
typed_view(struct input *in, const char *name)
{
	struct dialog_view v = simple_view();

	v.typed = true;
	v.expect = name;
	v.input = in;
	return v;
}

static void
type_str(const struct dialog_view *v, struct input *in, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	/* Decode UTF-8 into codepoints, as tui/term.c delivers keys. */
	while (*p) {
		unsigned cp;
		int n;

		if (*p < 0x80)
			cp = *p, n = 1;
		else if (*p < 0xe0)
			cp = *p & 0x1f, n = 2;
		else if (*p < 0xf0)
			cp = *p & 0x0f, n = 3;
		else
			cp = *p & 0x07, n = 4;
		for (int i = 1; i < n; i++)
			cp = (cp << 6) | (p[i] & 0x3f);
		p += n;
		assert_int_equal(dialog_key(v, in, (int)cp), DIALOG_PENDING);
	}
}

static void
test_simple_y_confirms(void **state)
{
	struct dialog_view v = simple_view();

	(void)state;
	assert_int_equal(dialog_key(&v, NULL, 'y'), DIALOG_CONFIRM);
	assert_int_equal(dialog_key(&v, NULL, 'Y'), DIALOG_CONFIRM);
}

static void
test_simple_other_keys_cancel(void **state)
{
	static const int keys[] = { 'n', 'N', DIALOG_KEY_ENTER, DIALOG_KEY_ESC, ' ', 'q',
				    DIALOG_KEY_BACKSPACE, 0xc548 /* 안 */, K_UP_LIKE, 'z' };
	struct dialog_view v = simple_view();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		assert_int_equal(dialog_key(&v, NULL, keys[i]), DIALOG_CANCEL);
	/* No key at all is not a decision. */
	assert_int_equal(dialog_key(&v, NULL, 0), DIALOG_PENDING);
	assert_int_equal(dialog_key(&v, NULL, -1), DIALOG_PENDING);
}

static void
test_typed_exact_name_confirms(void **state)
{
	struct input in;
	struct dialog_view v;

	(void)state;
	input_init(&in);
	v = typed_view(&in, "payments");
	/* 'y' is just a letter here. */
	assert_int_equal(dialog_key(&v, &in, 'y'), DIALOG_PENDING);
	assert_string_equal(in.text.data, "y");
	assert_int_equal(dialog_key(&v, &in, DIALOG_KEY_BACKSPACE), DIALOG_PENDING);
	assert_string_equal(in.text.data, "");
	type_str(&v, &in, "payments");
	assert_true(dialog_matches(&v, &in));
	assert_int_equal(dialog_key(&v, &in, DIALOG_KEY_ENTER), DIALOG_CONFIRM);
	assert_int_equal(dialog_key(&v, &in, DIALOG_KEY_RETURN), DIALOG_CONFIRM);
	input_done(&in);
}

static void
test_typed_mismatch_stays_pending(void **state)
{
	static const char *const wrong[] = { "", "payment", "payments ", " payments",
					     "Payments", "paymentss" };
	struct input in;
	struct dialog_view v;
	size_t i;

	(void)state;
	input_init(&in);
	v = typed_view(&in, "payments");
	for (i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
		input_set(&in, wrong[i]);
		assert_false(dialog_matches(&v, &in));
		assert_int_equal(dialog_key(&v, &in, DIALOG_KEY_ENTER), DIALOG_PENDING);
		assert_string_equal(in.text.data, wrong[i]); /* Enter does not edit */
	}
	input_done(&in);
}

static void
test_typed_esc_cancels(void **state)
{
	static const int cancels[] = { DIALOG_KEY_ESC, DIALOG_KEY_CTRL_C, DIALOG_KEY_CTRL_G };
	struct input in;
	struct dialog_view v;
	size_t i;

	(void)state;
	input_init(&in);
	v = typed_view(&in, "payments");
	for (i = 0; i < sizeof cancels / sizeof cancels[0]; i++) {
		input_set(&in, "payments");
		assert_int_equal(dialog_key(&v, &in, cancels[i]), DIALOG_CANCEL);
	}
	input_done(&in);
}

static void
test_typed_editing_keys(void **state)
{
	struct input in;
	struct dialog_view v;

	(void)state;
	input_init(&in);
	v = typed_view(&in, "payments");
	type_str(&v, &in, "pay ments");
	assert_int_equal(dialog_key(&v, &in, DIALOG_KEY_CTRL_W), DIALOG_PENDING);
	assert_string_equal(in.text.data, "pay ");
	assert_int_equal(dialog_key(&v, &in, DIALOG_KEY_BS), DIALOG_PENDING);
	assert_string_equal(in.text.data, "pay");
	/* Special keys, controls and C1 are ignored, not typed. */
	assert_int_equal(dialog_key(&v, &in, K_UP_LIKE), DIALOG_PENDING);
	assert_int_equal(dialog_key(&v, &in, '\t'), DIALOG_PENDING);
	assert_int_equal(dialog_key(&v, &in, 0x9b), DIALOG_PENDING);
	assert_string_equal(in.text.data, "pay");
	assert_int_equal(dialog_key(&v, &in, DIALOG_KEY_CTRL_U), DIALOG_PENDING);
	assert_string_equal(in.text.data, "");
	input_done(&in);
}

static void
test_typed_without_name_never_confirms(void **state)
{
	struct input in;
	struct dialog_view v;

	(void)state;
	input_init(&in);
	v = typed_view(&in, "");
	assert_int_equal(dialog_key(&v, &in, DIALOG_KEY_ENTER), DIALOG_PENDING);
	v.expect = NULL;
	assert_int_equal(dialog_key(&v, &in, DIALOG_KEY_ENTER), DIALOG_PENDING);
	assert_int_equal(dialog_key(&v, &in, DIALOG_KEY_ESC), DIALOG_CANCEL);
	input_done(&in);
}

static void
test_typed_korean_name(void **state)
{
	struct input in;
	struct dialog_view v;

	(void)state;
	input_init(&in);
	v = typed_view(&in, KR_NAME);
	type_str(&v, &in, "\xea\xb2\xb0"); /* 결 */
	assert_int_equal(dialog_key(&v, &in, DIALOG_KEY_ENTER), DIALOG_PENDING);
	type_str(&v, &in, "\xec\xa0\x9c"); /* 제 */
	assert_int_equal(dialog_key(&v, &in, DIALOG_KEY_ENTER), DIALOG_CONFIRM);
	/* Backspace removes a whole syllable, not a byte. */
	assert_int_equal(dialog_key(&v, &in, DIALOG_KEY_BACKSPACE), DIALOG_PENDING);
	assert_string_equal(in.text.data, "\xea\xb2\xb0");
	input_done(&in);
}

/* --- drawing ---------------------------------------------------------- */

static void
fill_x(struct canvas *c)
{
	int x, y;

	for (y = 0; y < c->h; y++)
		for (x = 0; x < c->w; x++)
			canvas_put(c, x, y, "X", 1, ROLE_NORMAL, ATTR_NONE);
}

/* Each row's cells never tear a wide character, and nothing left r. */
static void
assert_inside(const struct canvas *c, struct rect r)
{
	int x, y;

	for (y = 0; y < c->h; y++)
		for (x = 0; x < c->w; x++) {
			const struct cell *cl = &c->cells[y * c->w + x];

			if (cl->width == 0)
				assert_int_equal(c->cells[y * c->w + x - 1].width, 2);
			if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h)
				continue;
			if (strcmp(cl->ch, "X") != 0)
				fail_msg("cell (%d,%d) outside the screen changed", x, y);
		}
}

/* The box's inner text, rows joined by single spaces (wrapped words rejoin). */
static char *
inner_text(const struct canvas *c)
{
	struct buf b;
	int x, y;

	buf_init(&b);
	for (y = 0; y < c->h; y++) {
		bool in_box = false;
		size_t row_start = b.len;

		for (x = 0; x < c->w; x++) {
			const char *ch = c->cells[y * c->w + x].ch;

			if (strcmp(ch, "\xe2\x94\x82") == 0 || strcmp(ch, "|") == 0) {
				in_box = !in_box;
				continue;
			}
			if (in_box)
				buf_puts(&b, ch[0] ? ch : "");
		}
		/* Trim the row's padding, then join with one space. */
		while (b.len > row_start && b.data[b.len - 1] == ' ')
			b.data[--b.len] = '\0';
		{
			size_t lead = row_start;

			while (lead < b.len && b.data[lead] == ' ')
				lead++;
			memmove(b.data + row_start, b.data + lead, b.len - lead + 1);
			b.len -= lead - row_start;
		}
		if (b.len > row_start)
			buf_putc(&b, ' ');
	}
	return b.data;
}

static void
draw_and_check(int w, int h, const struct dialog_view *v, const char *must)
{
	struct canvas *big = canvas_new(w + 10, h + 6);
	struct canvas *c = canvas_new(w, h);
	struct rect screen = { 5, 3, w, h };
	char *text;

	/* Inside a larger canvas: nothing outside the screen rect. */
	fill_x(big);
	dialog_draw(big, screen, v);
	assert_inside(big, screen);
	/* Alone: the text, rows joined. */
	dialog_draw(c, (struct rect){ 0, 0, w, h }, v);
	assert_true(dialog_fits(c, (struct rect){ 0, 0, w, h }, v));
	text = inner_text(c);
	if (strstr(text, must) == NULL)
		fail_msg("'%s' not in '%s'", must, text);
	free(text);
	canvas_free(c);
	canvas_free(big);
}

static void
test_draw_80x24_and_40x12(void **state)
{
	struct dialog_view v = simple_view();
	struct canvas *c = canvas_new(80, 24);
	char *text;

	(void)state;
	draw_and_check(80, 24, &v, CHANGE);
	draw_and_check(40, 12, &v, CHANGE);
	draw_and_check(80, 24, &v, "y confirm \xc2\xb7 any other key cancels");
	draw_and_check(40, 12, &v, "y confirm \xc2\xb7 any other key cancels");
	/* At 80 columns the change is one row, highlighted; 'y' stands out. */
	dialog_draw(c, (struct rect){ 0, 0, 80, 24 }, &v);
	text = NULL;
	{
		struct buf b;
		int y, found = -1, x;

		buf_init(&b);
		canvas_write_text(c, &b);
		assert_non_null(strstr(b.data, CHANGE));
		assert_non_null(strstr(b.data, " Scale payments? "));
		for (y = 0; y < 24 && found < 0; y++)
			for (x = 0; x < 80; x++)
				if (strcmp(c->cells[y * 80 + x].ch, "y") == 0 &&
				    c->cells[y * 80 + x].role == ROLE_ACCENT) {
					found = y;
					break;
				}
		assert_true(found > 0);
		buf_done(&b);
	}
	free(text);
	canvas_free(c);
}

static void
test_draw_typed_with_note(void **state)
{
	struct input in;
	struct dialog_view v;
	struct canvas *c = canvas_new(80, 24);
	struct buf b;

	(void)state;
	input_init(&in);
	v = typed_view(&in, "payments");
	draw_and_check(80, 24, &v, "type the service name to confirm:");
	draw_and_check(40, 12, &v, "type the service name to confirm: >");
	input_set(&in, "paym");
	draw_and_check(80, 24, &v, "> paym");
	draw_and_check(80, 24, &v, "not the name yet");
	input_set(&in, "payments");
	draw_and_check(80, 24, &v, "Enter confirms");
	dialog_draw(c, (struct rect){ 0, 0, 80, 24 }, &v);
	buf_init(&b);
	canvas_write_text(c, &b);
	assert_null(strstr(b.data, "not the name yet"));
	buf_done(&b);
	canvas_free(c);
	input_done(&in);
}

static void
test_draw_danger_roles(void **state)
{
	struct dialog_view v = simple_view();
	struct canvas *c = canvas_new(80, 24);
	int x, y, crit = 0, title_crit = 0;

	(void)state;
	v.danger = true;
	v.title = "Roll back payments?";
	dialog_draw(c, (struct rect){ 0, 0, 80, 24 }, &v);
	for (y = 0; y < 24; y++)
		for (x = 0; x < 80; x++) {
			const struct cell *cl = &c->cells[y * 80 + x];

			if (strcmp(cl->ch, "\xe2\x94\x8c") == 0 || strcmp(cl->ch, "\xe2\x94\x98") == 0)
				assert_int_equal(cl->role, ROLE_CRIT);
			if (strcmp(cl->ch, "\xe2\x94\x82") == 0)
				crit += cl->role == ROLE_CRIT;
			if (strcmp(cl->ch, "R") == 0 && cl->role == ROLE_CRIT)
				title_crit++;
		}
	assert_true(crit > 4);
	assert_int_equal(title_crit, 1);
	canvas_free(c);
}

static void
test_draw_korean(void **state)
{
	struct input in;
	struct dialog_view v;

	(void)state;
	input_init(&in);
	v = typed_view(&in, KR_NAME);
	v.title = KR_NAME " \xec\x8a\xa4\xec\xbc\x80\xec\x9d\xbc?"; /* 결제 스케일? */
	v.change = KR_CHANGE;
	v.body = "\xec\x84\x9c\xeb\xb9\x84\xec\x8a\xa4\xec\x9d\x98 \xeb\xb3\xb5\xec\xa0\x9c "
		 "\xec\x88\x98\xeb\xa5\xbc \xeb\xb0\x94\xea\xbf\x89\xeb\x8b\x88\xeb\x8b\xa4. "
		 "\xec\x84\x9c\xeb\xb9\x84\xec\x8a\xa4\xec\x9d\x98 \xeb\xb3\xb5\xec\xa0\x9c "
		 "\xec\x88\x98\xeb\xa5\xbc \xeb\xb0\x94\xea\xbf\x89\xeb\x8b\x88\xeb\x8b\xa4.";
	input_set(&in, "\xea\xb2\xb0");
	draw_and_check(80, 24, &v, KR_CHANGE);
	draw_and_check(40, 12, &v, "replicas 2 \xe2\x86\x92 4");
	draw_and_check(40, 12, &v, "> \xea\xb2\xb0");
	/* Odd widths put wide characters at every parity of the border. */
	draw_and_check(41, 12, &v, "replicas 2 \xe2\x86\x92 4");
	draw_and_check(39, 13, &v, "replicas 2 \xe2\x86\x92 4");
	input_done(&in);
}

static void
test_draw_small_screens(void **state)
{
	struct dialog_view v = simple_view();
	struct canvas *big = canvas_new(60, 30);
	int w, h;

	(void)state;
	for (w = 0; w <= 42; w += 3)
		for (h = 0; h <= 14; h++) {
			struct rect screen = { 4, 2, w, h };
			struct canvas *one = canvas_new(w > 0 ? w : 1, h > 0 ? h : 1);

			fill_x(big);
			dialog_draw(big, screen, &v);
			assert_inside(big, screen);
			/* A dialog that cannot show the whole change says so. */
			if (!dialog_fits(big, screen, &v) && w >= 20 && h >= 1) {
				struct buf b;

				buf_init(&b);
				dialog_draw(one, (struct rect){ 0, 0, w, h }, &v);
				canvas_write_text(one, &b);
				assert_non_null(strstr(b.data, "too small"));
				buf_done(&b);
			}
			canvas_free(one);
		}
	assert_true(dialog_fits(big, (struct rect){ 0, 0, 40, 8 }, &v));
	assert_false(dialog_fits(big, (struct rect){ 0, 0, 20, 4 }, &v));
	/* A screen hanging off the canvas is clipped. */
	fill_x(big);
	dialog_draw(big, (struct rect){ 40, 20, 80, 24 }, &v);
	canvas_free(big);
}

static void
test_draw_ascii(void **state)
{
	struct dialog_view v = simple_view();
	struct canvas *c = canvas_new(80, 24);
	struct buf b;
	const unsigned char *p;

	(void)state;
	v.change = "payments - swarm @ local - replicas 2 -> 4";
	c->ascii = true;
	dialog_draw(c, (struct rect){ 0, 0, 80, 24 }, &v);
	buf_init(&b);
	canvas_write_text(c, &b);
	for (p = (const unsigned char *)b.data; *p; p++)
		assert_true(*p < 0x80);
	assert_non_null(strstr(b.data, "y confirm, any other key cancels"));
	assert_non_null(strstr(b.data, "replicas 2 -> 4"));
	buf_done(&b);
	canvas_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_y_confirms),
		cmocka_unit_test(test_simple_other_keys_cancel),
		cmocka_unit_test(test_typed_exact_name_confirms),
		cmocka_unit_test(test_typed_mismatch_stays_pending),
		cmocka_unit_test(test_typed_esc_cancels),
		cmocka_unit_test(test_typed_editing_keys),
		cmocka_unit_test(test_typed_without_name_never_confirms),
		cmocka_unit_test(test_typed_korean_name),
		cmocka_unit_test(test_draw_80x24_and_40x12),
		cmocka_unit_test(test_draw_typed_with_note),
		cmocka_unit_test(test_draw_danger_roles),
		cmocka_unit_test(test_draw_korean),
		cmocka_unit_test(test_draw_small_screens),
		cmocka_unit_test(test_draw_ascii),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
