#include "input.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "xalloc.h"

void
input_init(struct input *in)
{
	buf_init(&in->text);
	in->cursor = 0;
}

void
input_done(struct input *in)
{
	buf_done(&in->text);
}

void
input_set(struct input *in, const char *s)
{
	buf_reset(&in->text);
	buf_puts(&in->text, s ? s : "");
	in->cursor = in->text.len;
}

static int
is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

void
input_insert_codepoint(struct input *in, unsigned cp)
{
	char u[4];
	size_t n;
	struct buf *t = &in->text;

	if (cp < 0x20 || cp == 0x7f || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_append(t, u, n); /* grow, then shift the tail right */
	memmove(t->data + in->cursor + n, t->data + in->cursor, t->len - n - in->cursor);
	memcpy(t->data + in->cursor, u, n);
	in->cursor += n;
}

void
input_left(struct input *in)
{
	while (in->cursor > 0) {
		in->cursor--;
		if (!is_cont((unsigned char)in->text.data[in->cursor]))
			break;
	}
}

void
input_right(struct input *in)
{
	if (in->cursor >= in->text.len)
		return;
	in->cursor++;
	while (in->cursor < in->text.len && is_cont((unsigned char)in->text.data[in->cursor]))
		in->cursor++;
}

void
input_home(struct input *in)
{
	in->cursor = 0;
}

void
input_end(struct input *in)
{
	in->cursor = in->text.len;
}

/* Remove bytes [from, to) of the text. */
static void
cut(struct input *in, size_t from, size_t to)
{
	struct buf *t = &in->text;

	memmove(t->data + from, t->data + to, t->len - to + 1);
	t->len -= to - from;
	in->cursor = from;
}

void
input_backspace(struct input *in)
{
	size_t end = in->cursor;

	if (end == 0)
		return;
	input_left(in);
	cut(in, in->cursor, end);
}

void
input_delete(struct input *in)
{
	size_t start = in->cursor;

	if (start >= in->text.len)
		return;
	input_right(in);
	cut(in, start, in->cursor);
}

void
input_kill_word(struct input *in)
{
	size_t end = in->cursor, p = in->cursor;
	const char *d = in->text.data;

	while (p > 0 && d[p - 1] == ' ')
		p--;
	while (p > 0 && d[p - 1] != ' ')
		p--;
	cut(in, p, end);
}

void
input_kill_line(struct input *in)
{
	cut(in, 0, in->cursor);
}

void
input_draw(struct canvas *c, int x, int y, int w, const char *prompt, const struct input *in,
	   enum role role)
{
	int pw, avail, before_w;
	char *before, *at;
	const char *start;
	size_t at_len = 0;

	canvas_fill(c, (struct rect){ x, y, w, 1 }, role);
	pw = text_draw(c, x, y, w, prompt, role, ATTR_BOLD);
	avail = w - pw - 1; /* keep one column for the cursor */
	if (avail <= 0)
		return;
	before = xstrndup(in->text.data, in->cursor);
	/* Scroll: drop leading characters until the part before the cursor fits. */
	start = before;
	before_w = text_width(start);
	while (before_w > avail && *start != '\0') {
		start++;
		while (is_cont((unsigned char)*start))
			start++;
		before_w = text_width(start);
	}
	text_draw(c, x + pw, y, avail, start, role, ATTR_NONE);
	/* The cursor cell: the character under it, or a blank at the end. */
	if (in->cursor < in->text.len) {
		at_len = 1;
		while (in->cursor + at_len < in->text.len &&
		       is_cont((unsigned char)in->text.data[in->cursor + at_len]))
			at_len++;
	}
	at = at_len ? xstrndup(in->text.data + in->cursor, at_len) : xstrdup(" ");
	{
		int cw = text_draw(c, x + pw + before_w, y, w - pw - before_w, at, role,
				   ATTR_REVERSE);
		text_draw(c, x + pw + before_w + cw, y, w - pw - before_w - cw,
			  in->text.data + in->cursor + at_len, role, ATTR_NONE);
	}
	free(before);
	free(at);
}
