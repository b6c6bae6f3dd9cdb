/*
 * input.h - a one-line text editor: the state, the edit operations, and a
 * draw function.  Used for the `/` filter and, later, query lines.
 *
 * The text is UTF-8; the cursor is a byte offset that always sits on a
 * character boundary.  Embedded: input_init() / input_done().
 */
#ifndef OPSDECK_WIDGETS_INPUT_H
#define OPSDECK_WIDGETS_INPUT_H

#include <stddef.h>

#include "buf.h"
#include "canvas.h"

struct input {
	struct buf text; /* owned, UTF-8 */
	size_t cursor;   /* byte offset into text, on a character boundary */
};

void input_init(struct input *in);
void input_done(struct input *in);
/* Replace the text (copied) and put the cursor at its end. */
void input_set(struct input *in, const char *s);
/* Insert one Unicode codepoint at the cursor (invalid codepoints are ignored). */
void input_insert_codepoint(struct input *in, unsigned cp);
void input_left(struct input *in);
void input_right(struct input *in);
void input_home(struct input *in);
void input_end(struct input *in);
void input_backspace(struct input *in);
void input_delete(struct input *in);
/* Ctrl-W: delete the word (and the blanks after it) before the cursor. */
void input_kill_word(struct input *in);
/* Ctrl-U: delete from the start of line to the cursor. */
void input_kill_line(struct input *in);

/*
 * Draw prompt then the text at (x, y) in w columns, the cursor as a reversed
 * cell; when the text is wider than the field, it scrolls so the cursor
 * stays visible.
 */
void input_draw(struct canvas *c, int x, int y, int w, const char *prompt, const struct input *in,
		enum role role);

#endif
