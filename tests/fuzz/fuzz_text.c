/*
 * fuzz_text.c - libFuzzer harness for widgets/text: any bytes, drawn every
 * way text can be drawn, in UTF-8 and ASCII mode, must leave a canvas that
 * a terminal can show safely:
 *  - the cell widths of every row add up to the canvas width (no torn or
 *    overlapping wide characters);
 *  - no cell holds a control byte (< 0x20 or 0x7f) or invalid UTF-8;
 *  - in ASCII mode no cell holds a non-ASCII byte;
 *  - text_draw never uses more than it was given, and text_width agrees
 *    with what text_draw and text_sanitize produce.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "text.h"

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                            \
			abort();                                             \
		}                                                            \
	} while (0)

/* True when s is valid UTF-8 with no C0, DEL or C1 control characters. */
static bool
clean_utf8(const char *s, bool ascii)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		int n, i;
		uint32_t cp;

		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (ascii)
			return false;
		if (*p >= 0xC2 && *p <= 0xDF)
			n = 1;
		else if (*p >= 0xE0 && *p <= 0xEF)
			n = 2;
		else if (*p >= 0xF0 && *p <= 0xF4)
			n = 3;
		else
			return false;
		cp = *p & (0x3F >> n);
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp < 0xA0))
			return false;
		p += n + 1;
	}
	return true;
}

static void
check_canvas(const struct canvas *c)
{
	struct buf b;
	int x, y, sum;

	for (y = 0; y < c->h; y++) {
		sum = 0;
		for (x = 0; x < c->w; x++) {
			const struct cell *cl = &c->cells[y * c->w + x];

			CHECK(cl->width <= 2);
			if (cl->width == 2)
				CHECK(x + 1 < c->w && cl[1].width == 0);
			if (cl->width == 0) {
				CHECK(x > 0 && cl[-1].width == 2);
				CHECK(cl->ch[0] == '\0');
			} else {
				CHECK(cl->ch[0] != '\0');
				CHECK(strlen(cl->ch) < CELL_BYTES);
				CHECK(clean_utf8(cl->ch, c->ascii));
			}
			sum += cl->width;
		}
		CHECK(sum == c->w);
	}
	buf_init(&b);
	canvas_write_text(c, &b);
	for (size_t i = 0; i < b.len; i++)
		CHECK((unsigned char)b.data[i] >= 0x20 || b.data[i] == '\n');
	CHECK((size_t)c->w * (size_t)c->h * CELL_BYTES + (size_t)c->h >= b.len);
	buf_done(&b);
}

static void
draw_all(const char *s, bool ascii)
{
	struct canvas *c = canvas_new(17, 6);
	struct buf b, b2;
	char small[40];
	int used, w, rows;

	c->ascii = ascii;
	w = text_width(s);
	CHECK(w >= 0);

	used = text_draw(c, 0, 0, c->w, s, ROLE_NORMAL, ATTR_NONE);
	CHECK(used >= 0 && used <= c->w);
	if (w <= c->w)
		CHECK(used == w);
	else
		CHECK(used >= c->w - 1); /* a cut wide char may leave one column */
	canvas_clear(c);
	used = text_draw(c, 0, 0, 10, s, ROLE_NORMAL, ATTR_NONE);
	CHECK(w > 10 ? used >= 9 : used == w);
	used = text_draw(c, 3, 1, 7, s, ROLE_CRIT, ATTR_BOLD);
	CHECK(used >= 0 && used <= 7);
	used = text_draw(c, 15, 1, 7, s, ROLE_CRIT, ATTR_NONE); /* the edge cuts */
	CHECK(used >= 0 && used <= 2);
	used = text_draw(c, 2, 1, 1, s, ROLE_NORMAL, ATTR_NONE);
	CHECK(used >= 0 && used <= 1);
	CHECK(text_draw_aligned(c, 1, 2, 9, s, ALIGN_RIGHT, ROLE_OK, ATTR_NONE) == 9);
	CHECK(text_draw_aligned(c, 6, 2, 5, s, ALIGN_CENTER, ROLE_OK, ATTR_NONE) == 5);
	rows = text_draw_wrapped(c, (struct rect){ 0, 3, 13, 2 }, s, ROLE_DIM, ATTR_NONE);
	CHECK(rows >= 0);
	CHECK(rows > 0 || w == 0);
	rows = text_draw_wrapped(c, (struct rect){ 16, 0, 1, 6 }, s, ROLE_DIM, ATTR_NONE);
	CHECK(rows >= 0);
	rows = text_draw_wrapped(c, (struct rect){ 14, 3, 3, 3 }, s, ROLE_DIM, ATTR_NONE);
	CHECK(rows >= 0);
	check_canvas(c);

	/* The sanitised form is clean, measures the same, and is stable. */
	buf_init(&b);
	buf_init(&b2);
	text_sanitize_buf(s, &b, ascii);
	CHECK(clean_utf8(b.data, ascii));
	CHECK(text_width(b.data) == w);
	if (!ascii) {
		text_sanitize_buf(b.data, &b2, false);
		CHECK(strcmp(b.data, b2.data) == 0);
		text_sanitize(s, small, sizeof small);
		CHECK(strlen(small) < sizeof small);
		CHECK(clean_utf8(small, false));
		CHECK(strncmp(small, b.data, strlen(small)) == 0);
	}
	buf_done(&b);
	buf_done(&b2);
	canvas_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	draw_all(s, false);
	draw_all(s, true);
	free(s);
	return 0;
}
