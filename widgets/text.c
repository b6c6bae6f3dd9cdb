/*
 * text.c - decoding, sanitising and measuring untrusted UTF-8.
 *
 * Everything is built on one iterator that turns bytes into display cells
 * ("glyphs"): a printable grapheme (base character plus combining marks),
 * a tab, or one ASCII character of a visible escape ("^[", "<U+202E>").
 * Drawing, measuring, wrapping and sanitising all walk the same iterator, so
 * text_width() can never disagree with what text_draw() puts on screen.
 *
 * The decoder is our own rather than mbrtowc() so that the result does not
 * depend on the process locale (snapshots run under LANG=C in cron), and so
 * that invalid input is replaced per "maximal subpart" as Unicode recommends:
 * one U+FFFD for each maximal prefix of a valid sequence, so a truncated
 * sequence does not swallow the character after it.
 */
#include "text.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "xalloc.h"

#define ELLIPSIS "\xe2\x80\xa6" /* U+2026 */
#define ELLIPSIS_ASCII "~"
#define TAB_STOP 8

enum cp_class {
	CLS_NORMAL,    /* printable, width 1 or 2 */
	CLS_COMBINING, /* zero width, joins the previous cell */
	CLS_CONTROL,   /* C0 or DEL: caret notation */
	CLS_ESCAPE,    /* C1, format, invisible, unassigned: <U+XXXX> */
};

struct glyph {
	char s[CELL_BYTES]; /* UTF-8 of one cell ("??" for wide in ascii mode) */
	int width;          /* columns; 0 for a tab (depends on the column) */
	bool tab;
	bool space;   /* a plain ' ': where wrapping may break */
	bool newline; /* '\n' when the iterator honours newlines */
};

struct text_iter {
	const unsigned char *p; /* next input byte */
	char pend[16];          /* an escape being emitted, one cell per byte */
	int npend, ipend;
	bool ascii;    /* non-ASCII graphemes become '?' */
	bool newlines; /* '\n' ends a line instead of showing as "^J" */
};

/*
 * Invisible characters that could hide or reorder text: the format
 * characters (general category Cf, including the bidi embeddings, overrides
 * and isolates), the line/paragraph separators, and the Hangul fillers,
 * which render as nothing but have width.
 */
static const uint32_t invisible_ranges[][2] = {
	{ 0x00AD, 0x00AD },   { 0x0600, 0x0605 },   { 0x061C, 0x061C },   { 0x06DD, 0x06DD },
	{ 0x070F, 0x070F },   { 0x0890, 0x0891 },   { 0x08E2, 0x08E2 },   { 0x115F, 0x115F },
	{ 0x180E, 0x180E },   { 0x200B, 0x200F },   { 0x2028, 0x202E },   { 0x2060, 0x2064 },
	{ 0x2066, 0x206F },   { 0x3164, 0x3164 },   { 0xFEFF, 0xFEFF },   { 0xFFA0, 0xFFA0 },
	{ 0xFFF9, 0xFFFB },   { 0x110BD, 0x110BD }, { 0x110CD, 0x110CD }, { 0x13430, 0x1343F },
	{ 0x1BCA0, 0x1BCA3 }, { 0x1D173, 0x1D17A }, { 0xE0001, 0xE0001 }, { 0xE0020, 0xE007F },
};

static bool
in_ranges(uint32_t cp, const uint32_t (*r)[2], size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cp < r[mid][0])
			hi = mid;
		else if (cp > r[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* Used only when no UTF-8 locale exists: the common wide and combining blocks. */
static const uint32_t fallback_wide[][2] = {
	{ 0x1100, 0x115F },   { 0x2E80, 0x303E },   { 0x3041, 0x33FF }, { 0x3400, 0x4DBF },
	{ 0x4E00, 0x9FFF },   { 0xA000, 0xA4CF },   { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF },
	{ 0xFE30, 0xFE4F },   { 0xFF00, 0xFF60 },   { 0xFFE0, 0xFFE6 }, { 0x1F300, 0x1F64F },
	{ 0x1F900, 0x1F9FF }, { 0x20000, 0x3FFFD },
};
static const uint32_t fallback_combining[][2] = {
	{ 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD },
	{ 0x1160, 0x11FF }, { 0x1AB0, 0x1AFF }, { 0x1DC0, 0x1DFF },
	{ 0x20D0, 0x20FF }, { 0xFE00, 0xFE0F }, { 0xFE20, 0xFE2F },
};

static int
fallback_wcwidth(uint32_t cp)
{
	if (in_ranges(cp, fallback_combining,
		      sizeof fallback_combining / sizeof fallback_combining[0]))
		return 0;
	if (in_ranges(cp, fallback_wide, sizeof fallback_wide / sizeof fallback_wide[0]))
		return 2;
	return 1;
}

/*
 * wcwidth() in a UTF-8 locale, whatever the process locale is.  The locale
 * object is created on first use and kept for the life of the process: it is
 * immutable, and making it per call would cost more than the drawing.
 */
static int
cp_wcwidth(uint32_t cp)
{
	static locale_t utf8;
	static int state; /* 0 untried, 1 ready, -1 unavailable */
	static const char *const names[] = { "C.UTF-8", "C.utf8", "en_US.UTF-8" };
	locale_t old;
	size_t i;
	int w;

	if (cp >= 0x20 && cp < 0x7f)
		return 1;
	if (state == 0) {
		state = -1;
		for (i = 0; i < sizeof names / sizeof names[0]; i++) {
			utf8 = newlocale(LC_CTYPE_MASK, names[i], (locale_t)0);
			if (utf8 != (locale_t)0) {
				state = 1;
				break;
			}
		}
	}
	if (state < 0)
		return fallback_wcwidth(cp);
	old = uselocale(utf8);
	w = wcwidth((wchar_t)cp);
	uselocale(old);
	return w;
}

/*
 * Decode one character at p (NUL-terminated).  Returns the bytes consumed
 * (>= 1); *cp is U+FFFD for the maximal subpart of an invalid sequence.
 * Overlongs, surrogates and values above U+10FFFF are invalid (the lead byte
 * and second-byte ranges of Unicode table 3-7 exclude them).
 */
static int
utf8_decode(const unsigned char *p, uint32_t *cp)
{
	unsigned char b = p[0], lo = 0x80, hi = 0xBF;
	int need, i;
	uint32_t v;

	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b >= 0xC2 && b <= 0xDF) {
		need = 1;
		v = b & 0x1F;
	} else if (b >= 0xE0 && b <= 0xEF) {
		need = 2;
		v = b & 0x0F;
		if (b == 0xE0)
			lo = 0xA0;
		else if (b == 0xED)
			hi = 0x9F;
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 3;
		v = b & 0x07;
		if (b == 0xF0)
			lo = 0x90;
		else if (b == 0xF4)
			hi = 0x8F;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		unsigned char t = p[i];

		if (t < lo || t > hi) {
			*cp = 0xFFFD;
			return i;
		}
		lo = 0x80;
		hi = 0xBF;
		v = (v << 6) | (t & 0x3F);
	}
	*cp = v;
	return need + 1;
}

static int
utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static enum cp_class
cp_classify(uint32_t cp, int *width)
{
	int w;

	*width = 1;
	if (cp < 0x20 || cp == 0x7F)
		return CLS_CONTROL;
	if (cp < 0x7F)
		return CLS_NORMAL;
	if (cp < 0xA0)
		return CLS_ESCAPE;
	if (in_ranges(cp, invisible_ranges, sizeof invisible_ranges / sizeof invisible_ranges[0]))
		return CLS_ESCAPE;
	w = cp_wcwidth(cp);
	if (w < 0)
		return CLS_ESCAPE;
	if (w == 0)
		return CLS_COMBINING;
	*width = w > 2 ? 2 : w;
	return CLS_NORMAL;
}

static void
iter_init(struct text_iter *it, const char *s, bool ascii, bool newlines)
{
	memset(it, 0, sizeof *it);
	it->p = (const unsigned char *)(s != NULL ? s : "");
	it->ascii = ascii;
	it->newlines = newlines;
}

static bool
iter_eq(const struct text_iter *a, const struct text_iter *b)
{
	return a->p == b->p && a->ipend == b->ipend && a->npend == b->npend;
}

static bool
iter_done(const struct text_iter *it)
{
	return it->ipend >= it->npend && *it->p == '\0';
}

static void
glyph_ascii(struct glyph *g, char ch)
{
	memset(g, 0, sizeof *g);
	g->s[0] = ch;
	g->width = 1;
	g->space = ch == ' ';
}

/* Next display cell of the text; false at the end. */
static bool
iter_next(struct text_iter *it, struct glyph *g)
{
	uint32_t cp, mark;
	int n, w, mw;
	size_t len;
	enum cp_class cls;

	if (it->ipend < it->npend) {
		glyph_ascii(g, it->pend[it->ipend++]);
		g->space = false; /* part of an escape, not a break */
		return true;
	}
	it->npend = it->ipend = 0;
	if (*it->p == '\0')
		return false;
	it->p += utf8_decode(it->p, &cp);
	cls = cp_classify(cp, &w);
	if (cp == '\t' || (cp == '\n' && it->newlines)) {
		memset(g, 0, sizeof *g);
		g->tab = cp == '\t';
		g->newline = cp == '\n';
		return true;
	}
	if (cls == CLS_CONTROL || cls == CLS_ESCAPE) {
		if (cls == CLS_CONTROL)
			n = snprintf(it->pend, sizeof it->pend, "^%c", (char)(cp ^ 0x40));
		else
			n = snprintf(it->pend, sizeof it->pend, "<U+%04X>", (unsigned)cp);
		it->npend = n;
		it->ipend = 1;
		glyph_ascii(g, it->pend[0]);
		g->space = false;
		return true;
	}
	memset(g, 0, sizeof *g);
	if (cls == CLS_COMBINING) {
		/* A mark with nothing to join: show it on a space, as a font would. */
		g->s[0] = ' ';
		len = 1;
		len += (size_t)utf8_encode(cp, g->s + len);
		g->width = 1;
	} else {
		len = (size_t)utf8_encode(cp, g->s);
		g->width = w;
		g->space = cp == ' ';
	}
	/* Join the following combining marks, dropping those that do not fit. */
	while (*it->p != '\0') {
		char tmp[4];

		n = utf8_decode(it->p, &mark);
		if (cp_classify(mark, &mw) != CLS_COMBINING)
			break;
		it->p += n;
		g->space = false;
		if (len + (size_t)utf8_encode(mark, tmp) < CELL_BYTES)
			len += (size_t)utf8_encode(mark, g->s + len);
	}
	g->s[len] = '\0';
	if (it->ascii && (len > 1 || (unsigned char)g->s[0] >= 0x80))
		strcpy(g->s, g->width == 2 ? "??" : "?");
	return true;
}

static int
glyph_width(const struct glyph *g, int col)
{
	return g->tab ? TAB_STOP - col % TAB_STOP : g->width;
}

/* Put one glyph (or a tab's spaces) at (x, y); "??" is two cells. */
static void
put_glyph(struct canvas *c, int x, int y, const struct glyph *g, int gw, enum role role,
	  unsigned attr)
{
	int i;

	if (g->tab || g->newline) {
		for (i = 0; i < gw; i++)
			canvas_put(c, x + i, y, " ", 1, role, attr);
	} else if (g->width == 2 && strcmp(g->s, "??") == 0) {
		canvas_put(c, x, y, "?", 1, role, attr);
		canvas_put(c, x + 1, y, "?", 1, role, attr);
	} else {
		canvas_put(c, x, y, g->s, g->width, role, attr);
	}
}

/* Width of s, counting stops once it exceeds limit (limit < 0: no limit). */
static int
measure(const char *s, int limit)
{
	struct text_iter it;
	struct glyph g;
	int col = 0;

	iter_init(&it, s, false, false);
	while (iter_next(&it, &g)) {
		col += glyph_width(&g, col);
		if (limit >= 0 && col > limit)
			break;
	}
	return col;
}

int
text_width(const char *s)
{
	return measure(s, -1);
}

int
text_draw(struct canvas *c, int x, int y, int maxw, const char *s, enum role role, unsigned attr)
{
	struct text_iter it;
	struct glyph g;
	int col = 0, gw, limit;
	bool fits;

	if (x >= 0 && maxw > c->w - x)
		maxw = c->w - x;
	if (maxw <= 0)
		return 0;
	fits = measure(s, maxw) <= maxw;
	limit = fits || maxw < 2 ? maxw : maxw - 1;
	iter_init(&it, s, c->ascii, false);
	while (iter_next(&it, &g)) {
		gw = glyph_width(&g, col);
		if (col + gw > limit) {
			if (g.tab) { /* a cut tab still reaches the ellipsis */
				put_glyph(c, x + col, y, &g, limit - col, role, attr);
				col = limit;
			}
			break;
		}
		put_glyph(c, x + col, y, &g, gw, role, attr);
		col += gw;
	}
	if (!fits && maxw >= 2) {
		canvas_put(c, x + col, y, c->ascii ? ELLIPSIS_ASCII : ELLIPSIS, 1, role, attr);
		col++;
	}
	return col;
}

int
text_draw_aligned(struct canvas *c, int x, int y, int w, const char *s, enum text_align align,
		  enum role role, unsigned attr)
{
	int tw, off = 0, used, i;

	if (w <= 0)
		return 0;
	tw = measure(s, w);
	if (tw < w) {
		if (align == ALIGN_RIGHT)
			off = w - tw;
		else if (align == ALIGN_CENTER)
			off = (w - tw) / 2;
	}
	for (i = 0; i < off; i++)
		canvas_put(c, x + i, y, " ", 1, role, attr);
	used = off + text_draw(c, x + off, y, w - off, s, role, attr);
	for (i = used; i < w; i++)
		canvas_put(c, x + i, y, " ", 1, role, attr);
	return w;
}

/* Draw the glyphs from `from` up to (not including) `to` on one row. */
static void
draw_span(struct canvas *c, int x, int y, int maxw, struct text_iter from,
	  const struct text_iter *to, enum role role, unsigned attr)
{
	struct glyph g;
	int col = 0, gw;

	while (!iter_eq(&from, to) && iter_next(&from, &g)) {
		gw = glyph_width(&g, col);
		if (col + gw > maxw)
			gw = maxw - col; /* a tab at the right edge */
		if (gw <= 0)
			break;
		if (g.tab || g.width <= gw)
			put_glyph(c, x + col, y, &g, gw, role, attr);
		col += gw;
	}
}

/*
 * Find where the row starting at *it ends.  *end is the first glyph not
 * drawn on this row and *next where the next row starts.  Returns true when
 * the row ended with a soft wrap (spaces at the start of the next row are
 * then skipped).
 */
static bool
wrap_row(const struct text_iter *it, int w, struct text_iter *end, struct text_iter *next)
{
	struct text_iter cur = *it, before, brk_end = *it, brk_next = *it;
	struct glyph g;
	bool have_brk = false;
	int col = 0, gw;

	for (;;) {
		before = cur;
		if (!iter_next(&cur, &g) || g.newline) {
			*end = before;
			*next = cur;
			return false;
		}
		gw = glyph_width(&g, col);
		if (col + gw <= w) {
			col += gw;
			if (g.space || g.tab) {
				have_brk = true;
				brk_end = before;
				brk_next = cur;
			}
			continue;
		}
		if (g.space || g.tab) {
			*end = before;
			*next = cur;
		} else if (have_brk) {
			*end = brk_end;
			*next = brk_next;
		} else if (col == 0) {
			/* Wider than the whole row (a wide character in 1 column). */
			*end = cur;
			*next = cur;
		} else {
			*end = before;
			*next = before;
		}
		return true;
	}
}

int
text_draw_wrapped(struct canvas *c, struct rect r, const char *s, enum role role, unsigned attr)
{
	struct text_iter it, end, next, peek;
	struct glyph g;
	int rows = 0;

	if (r.w <= 0)
		return 0;
	iter_init(&it, s, c->ascii, true);
	while (!iter_done(&it)) {
		bool soft = wrap_row(&it, r.w, &end, &next);

		if (rows < r.h)
			draw_span(c, r.x, r.y + rows, r.w, it, &end, role, attr);
		rows++;
		it = next;
		if (!soft)
			continue;
		for (;;) {
			peek = it;
			if (!iter_next(&peek, &g) || !(g.space || g.tab))
				break;
			it = peek;
		}
	}
	return rows;
}

void
text_sanitize_buf(const char *s, struct buf *out, bool ascii)
{
	struct text_iter it;
	struct glyph g;
	int col = 0, gw;

	iter_init(&it, s, ascii, false);
	while (iter_next(&it, &g)) {
		gw = glyph_width(&g, col);
		if (g.tab)
			buf_append(out, "        ", (size_t)gw);
		else
			buf_puts(out, g.s);
		col += gw;
	}
}

void
text_sanitize(const char *s, char *out, size_t n)
{
	struct text_iter it;
	struct glyph g;
	size_t len = 0, gl;
	int col = 0, gw;

	if (out == NULL || n == 0)
		return;
	iter_init(&it, s, false, false);
	while (iter_next(&it, &g)) {
		gw = glyph_width(&g, col);
		gl = g.tab ? (size_t)gw : strlen(g.s);
		if (len + gl >= n)
			break;
		if (g.tab)
			memset(out + len, ' ', gl);
		else
			memcpy(out + len, g.s, gl);
		len += gl;
		col += gw;
	}
	out[len] = '\0';
}
