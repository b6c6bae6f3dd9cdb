/*
 * text.h - the only way text reaches a canvas.
 *
 * Input is UTF-8 from anywhere (log lines, labels, span names) and may be
 * hostile.  Decoding is done here, independent of the process locale, with
 * widths from wcwidth() evaluated in a UTF-8 locale:
 *  - invalid bytes become U+FFFD;
 *  - C0 controls and DEL are shown in caret notation (ESC -> "^[", DEL ->
 *    "^?"); TAB expands to spaces to the next multiple of 8 columns relative
 *    to the start of the text;
 *  - C1 controls, bidi overrides/isolates and other invisible format
 *    characters (Cf), and unassigned/zero-width codepoints other than
 *    combining marks are shown as "<U+202E>";
 *  - combining marks join the preceding cell (up to CELL_BYTES);
 *  - double-width characters take two columns, and are never split.
 * In ascii mode (canvas->ascii), every non-ASCII grapheme is drawn as '?'
 * ("??" if wide) so columns stay aligned on a non-UTF-8 terminal.
 */
#ifndef OPSDECK_WIDGETS_TEXT_H
#define OPSDECK_WIDGETS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#include "canvas.h"

enum text_align { ALIGN_LEFT, ALIGN_RIGHT, ALIGN_CENTER };

/*
 * Draw s at (x, y), at most maxw columns, clipped by display width.  When
 * the text is cut and maxw >= 2, the last column shows an ellipsis ("…", or
 * "~" in ascii mode).  Returns the columns used.
 */
int text_draw(struct canvas *c, int x, int y, int maxw, const char *s, enum role role,
	      unsigned attr);

/* Like text_draw, but aligned inside a field of exactly w columns (padded). */
int text_draw_aligned(struct canvas *c, int x, int y, int w, const char *s, enum text_align align,
		      enum role role, unsigned attr);

/*
 * Draw s wrapped by display width into rect r (word-wrap at spaces when
 * possible, hard-wrap otherwise).  Here '\n' starts a new row (elsewhere it
 * shows as "^J"); tabs stop at multiples of 8 from the row start; spaces at
 * a soft wrap are dropped.  Returns the number of rows used, which may
 * exceed r.h (rows past r.h are not drawn): callers can measure with it.
 * "" uses 0 rows; a trailing '\n' does not add a row.
 */
int text_draw_wrapped(struct canvas *c, struct rect r, const char *s, enum role role,
		      unsigned attr);

/* Display width of s as text_draw would draw it (sanitised). */
int text_width(const char *s);

/*
 * Write the sanitised form of s into out (size n, always NUL-terminated),
 * as it would be shown: for messages that go to stderr or a log.
 */
void text_sanitize(const char *s, char *out, size_t n);

/*
 * Append the sanitised form of s (as text_sanitize, tabs expanded) to out,
 * without a length limit.  With ascii, non-ASCII graphemes become '?' as in
 * ascii-mode drawing.  For exporters (Markdown, plain text reports).
 */
void text_sanitize_buf(const char *s, struct buf *out, bool ascii);

#endif
