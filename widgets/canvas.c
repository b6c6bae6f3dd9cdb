/*
 * canvas.c - the cell grid, its invariants, and the text/ANSI writers.
 *
 * Invariant kept by every function here: a cell of width 2 is always
 * followed by a continuation cell (width 0, ch ""), and a continuation cell
 * always follows a width-2 cell.  So the widths of a row always add up to the
 * canvas width, and no writer can emit half of a wide character.
 */
#include "canvas.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define ROLE_NAME_ITEM(name, text) text,
static const char *const role_names[] = { ROLE_LIST(ROLE_NAME_ITEM) };
#undef ROLE_NAME_ITEM

/*
 * The default theme, for dark backgrounds.  On 256 colours DIM is a mid
 * grey rather than "bright black", which some palettes make unreadable.
 */
const struct theme_entry canvas_theme_color[ROLE_COUNT] = {
	[ROLE_NORMAL] = { -1, -1, ATTR_NONE, 0, 0 },
	[ROLE_HEADER] = { -1, -1, ATTR_BOLD, 0, 0 },
	[ROLE_SELECTED] = { -1, -1, ATTR_REVERSE, 0, 0 },
	[ROLE_OK] = { 2, -1, ATTR_NONE, 0, 0 },
	[ROLE_WARN] = { 3, -1, ATTR_NONE, 0, 0 },
	[ROLE_CRIT] = { 1, -1, ATTR_BOLD, 0, 0 },
	[ROLE_STALE] = { 5, -1, ATTR_NONE, 0, 0 },
	[ROLE_DIM] = { 8, -1, ATTR_NONE, 245, 0 },
	[ROLE_BAR] = { -1, -1, ATTR_REVERSE, 0, 0 },
	[ROLE_ACCENT] = { 6, -1, ATTR_NONE, 0, 0 },
};

/*
 * Light backgrounds: yellow and cyan text is unreadable on white, so WARN
 * is bold (a dark orange on 256 colours) and ACCENT blue; DIM is a grey
 * dark enough to read.
 */
const struct theme_entry canvas_theme_light[ROLE_COUNT] = {
	[ROLE_NORMAL] = { -1, -1, ATTR_NONE, 0, 0 },
	[ROLE_HEADER] = { -1, -1, ATTR_BOLD, 0, 0 },
	[ROLE_SELECTED] = { -1, -1, ATTR_REVERSE, 0, 0 },
	[ROLE_OK] = { 2, -1, ATTR_NONE, 28, 0 },
	[ROLE_WARN] = { 3, -1, ATTR_BOLD, 130, 0 },
	[ROLE_CRIT] = { 1, -1, ATTR_BOLD, 160, 0 },
	[ROLE_STALE] = { 5, -1, ATTR_NONE, 90, 0 },
	[ROLE_DIM] = { 8, -1, ATTR_NONE, 242, 0 },
	[ROLE_BAR] = { -1, -1, ATTR_REVERSE, 0, 0 },
	[ROLE_ACCENT] = { 4, -1, ATTR_NONE, 25, 0 },
};

/*
 * High contrast: bright colours, severities on a coloured background,
 * bold and reverse generously, nothing faint (DIM is plain white).
 */
const struct theme_entry canvas_theme_high_contrast[ROLE_COUNT] = {
	[ROLE_NORMAL] = { -1, -1, ATTR_NONE, 0, 0 },
	[ROLE_HEADER] = { 15, -1, ATTR_BOLD | ATTR_UNDERLINE, 0, 0 },
	[ROLE_SELECTED] = { -1, -1, ATTR_REVERSE | ATTR_BOLD, 0, 0 },
	[ROLE_OK] = { 10, -1, ATTR_BOLD, 0, 0 },
	[ROLE_WARN] = { 0, 11, ATTR_BOLD, 16, 226 },
	[ROLE_CRIT] = { 15, 1, ATTR_BOLD, 231, 196 },
	[ROLE_STALE] = { 13, -1, ATTR_BOLD | ATTR_UNDERLINE, 0, 0 },
	[ROLE_DIM] = { 7, -1, ATTR_NONE, 0, 0 },
	[ROLE_BAR] = { -1, -1, ATTR_REVERSE | ATTR_BOLD, 0, 0 },
	[ROLE_ACCENT] = { 14, -1, ATTR_BOLD, 0, 0 },
};

/*
 * Without colour, severity must still be told apart: WARN is bold, CRIT bold
 * and underlined, STALE and DIM faint.
 */
const struct theme_entry canvas_theme_mono[ROLE_COUNT] = {
	[ROLE_NORMAL] = { -1, -1, ATTR_NONE, 0, 0 },
	[ROLE_HEADER] = { -1, -1, ATTR_BOLD, 0, 0 },
	[ROLE_SELECTED] = { -1, -1, ATTR_REVERSE, 0, 0 },
	[ROLE_OK] = { -1, -1, ATTR_NONE, 0, 0 },
	[ROLE_WARN] = { -1, -1, ATTR_BOLD, 0, 0 },
	[ROLE_CRIT] = { -1, -1, ATTR_BOLD | ATTR_UNDERLINE, 0, 0 },
	[ROLE_STALE] = { -1, -1, ATTR_DIM, 0, 0 },
	[ROLE_DIM] = { -1, -1, ATTR_DIM, 0, 0 },
	[ROLE_BAR] = { -1, -1, ATTR_REVERSE, 0, 0 },
	[ROLE_ACCENT] = { -1, -1, ATTR_BOLD, 0, 0 },
};

const struct theme_entry *
canvas_theme_named(const char *name)
{
	if (name == NULL || *name == '\0' || strcmp(name, "default") == 0)
		return canvas_theme_color;
	if (strcmp(name, "light") == 0)
		return canvas_theme_light;
	if (strcmp(name, "high-contrast") == 0)
		return canvas_theme_high_contrast;
	if (strcmp(name, "mono") == 0)
		return canvas_theme_mono;
	return NULL;
}

const char *
role_name(enum role r)
{
	if ((unsigned)r >= ROLE_COUNT)
		return "?";
	return role_names[r];
}

void
canvas_theme_style(const struct theme_entry *t, enum role role, int *fg, int *bg, unsigned *attr)
{
	if (t == NULL)
		t = canvas_theme_color;
	if ((unsigned)role >= ROLE_COUNT)
		role = ROLE_NORMAL;
	if (fg != NULL)
		*fg = t[role].fg;
	if (bg != NULL)
		*bg = t[role].bg;
	if (attr != NULL)
		*attr = t[role].attr;
}

void
canvas_role_style(enum role role, bool color, int *fg, int *bg, unsigned *attr)
{
	canvas_theme_style(color ? canvas_theme_color : canvas_theme_mono, role, fg, bg, attr);
}

static void
cell_blank(struct cell *cl, unsigned char role, unsigned char attr)
{
	cl->ch[0] = ' ';
	cl->ch[1] = '\0';
	cl->width = 1;
	cl->role = role;
	cl->attr = attr;
}

struct canvas *
canvas_new(int w, int h)
{
	struct canvas *c = xcalloc(1, sizeof *c);

	canvas_resize(c, w, h);
	return c;
}

void
canvas_free(struct canvas *c)
{
	if (c == NULL)
		return;
	free(c->cells);
	free(c);
}

void
canvas_resize(struct canvas *c, int w, int h)
{
	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	free(c->cells);
	c->w = w;
	c->h = h;
	c->cells = xcalloc((size_t)w * (size_t)h, sizeof *c->cells);
	canvas_clear(c);
}

struct cell *
canvas_at(struct canvas *c, int x, int y)
{
	if (c == NULL || x < 0 || y < 0 || x >= c->w || y >= c->h)
		return NULL;
	return &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
}

/*
 * Make (x, y) safe to overwrite: if it is one half of a wide character, the
 * other half becomes a blank (keeping its colour).
 */
static void
canvas_untear(struct canvas *c, int x, int y)
{
	struct cell *cl = canvas_at(c, x, y), *o;

	if (cl == NULL)
		return;
	if (cl->width == 0) {
		o = canvas_at(c, x - 1, y);
		if (o != NULL && o->width == 2)
			cell_blank(o, o->role, o->attr);
	} else if (cl->width == 2) {
		o = canvas_at(c, x + 1, y);
		if (o != NULL && o->width == 0)
			cell_blank(o, o->role, o->attr);
	}
}

/* Copy at most CELL_BYTES - 1 bytes of g, never cutting a UTF-8 sequence. */
static void
cell_set_ch(struct cell *cl, const char *g)
{
	size_t n = strlen(g);

	if (n > CELL_BYTES - 1) {
		n = CELL_BYTES - 1;
		while (n > 0 && ((unsigned char)g[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(cl->ch, g, n);
	cl->ch[n] = '\0';
	if (n == 0) {
		cl->ch[0] = ' ';
		cl->ch[1] = '\0';
	}
}

int
canvas_put(struct canvas *c, int x, int y, const char *g, int width, enum role role, unsigned attr)
{
	struct cell *cl, *next;

	if (width != 2)
		width = 1;
	cl = canvas_at(c, x, y);
	if (cl == NULL)
		return 0;
	if (width == 2 && x + 1 >= c->w)
		return 0;
	canvas_untear(c, x, y);
	if (width == 2)
		canvas_untear(c, x + 1, y);
	cell_set_ch(cl, g != NULL ? g : " ");
	cl->width = (unsigned char)width;
	cl->role = (unsigned char)role;
	cl->attr = (unsigned char)attr;
	if (width == 2) {
		next = cl + 1;
		next->ch[0] = '\0';
		next->width = 0;
		next->role = (unsigned char)role;
		next->attr = (unsigned char)attr;
	}
	return width;
}

/* Clip r to the canvas; false when nothing is left. */
static bool
canvas_clip(const struct canvas *c, struct rect *r)
{
	int x1 = r->x + r->w, y1 = r->y + r->h;

	if (r->x < 0)
		r->x = 0;
	if (r->y < 0)
		r->y = 0;
	if (x1 > c->w)
		x1 = c->w;
	if (y1 > c->h)
		y1 = c->h;
	r->w = x1 - r->x;
	r->h = y1 - r->y;
	return r->w > 0 && r->h > 0;
}

void
canvas_fill(struct canvas *c, struct rect r, enum role role)
{
	int x, y;

	if (!canvas_clip(c, &r))
		return;
	for (y = r.y; y < r.y + r.h; y++)
		for (x = r.x; x < r.x + r.w; x++)
			canvas_put(c, x, y, " ", 1, role, ATTR_NONE);
}

void
canvas_clear(struct canvas *c)
{
	size_t i, n = (size_t)c->w * (size_t)c->h;

	for (i = 0; i < n; i++)
		cell_blank(&c->cells[i], ROLE_NORMAL, ATTR_NONE);
}

void
canvas_paint(struct canvas *c, struct rect r, enum role role, unsigned attr)
{
	int x, y;
	struct cell *cl;

	if (!canvas_clip(c, &r))
		return;
	for (y = r.y; y < r.y + r.h; y++) {
		for (x = r.x; x < r.x + r.w; x++) {
			cl = canvas_at(c, x, y);
			cl->role = (unsigned char)role;
			cl->attr = (unsigned char)attr;
		}
	}
}

/* The number of cells of row y up to the last one that is not a plain blank. */
static int
row_used(const struct canvas *c, int y, bool styled)
{
	const struct cell *row = &c->cells[(size_t)y * (size_t)c->w];
	int n = c->w;

	while (n > 0) {
		const struct cell *cl = &row[n - 1];

		if (cl->width != 1 || strcmp(cl->ch, " ") != 0)
			break;
		if (styled && (cl->role != ROLE_NORMAL || cl->attr != ATTR_NONE))
			break;
		n--;
	}
	return n;
}

void
canvas_write_text(const struct canvas *c, struct buf *out)
{
	int x, y, n;

	for (y = 0; y < c->h; y++) {
		const struct cell *row = &c->cells[(size_t)y * (size_t)c->w];

		n = row_used(c, y, false);
		for (x = 0; x < n; x++)
			if (row[x].width != 0)
				buf_puts(out, row[x].ch[0] ? row[x].ch : " ");
		buf_putc(out, '\n');
	}
}

static void
sgr_colour(struct buf *out, int n, int base, int bright_base)
{
	if (n >= 0 && n < 8)
		buf_printf(out, ";%d", base + n);
	else if (n >= 8 && n < 16)
		buf_printf(out, ";%d", bright_base + n - 8);
}

/* "\033[0;...m": reset, then the attributes and colours of the style. */
static void
sgr_write(struct buf *out, int fg, int bg, unsigned attr)
{
	buf_puts(out, "\033[0");
	if (attr & ATTR_BOLD)
		buf_puts(out, ";1");
	if (attr & ATTR_DIM)
		buf_puts(out, ";2");
	if (attr & ATTR_UNDERLINE)
		buf_puts(out, ";4");
	if (attr & ATTR_REVERSE)
		buf_puts(out, ";7");
	sgr_colour(out, fg, 30, 90);
	sgr_colour(out, bg, 40, 100);
	buf_putc(out, 'm');
}

void
canvas_write_ansi(const struct canvas *c, struct buf *out, bool color)
{
	int x, y, n, fg, bg, cur_fg, cur_bg;
	unsigned attr, cur_attr;

	for (y = 0; y < c->h; y++) {
		const struct cell *row = &c->cells[(size_t)y * (size_t)c->w];

		cur_fg = cur_bg = -1;
		cur_attr = ATTR_NONE;
		n = row_used(c, y, true);
		for (x = 0; x < n; x++) {
			if (row[x].width == 0)
				continue;
			canvas_theme_style(color ? c->theme : canvas_theme_mono, row[x].role, &fg,
					   &bg, &attr);
			attr |= row[x].attr;
			if (fg != cur_fg || bg != cur_bg || attr != cur_attr) {
				sgr_write(out, fg, bg, attr);
				cur_fg = fg;
				cur_bg = bg;
				cur_attr = attr;
			}
			buf_puts(out, row[x].ch[0] ? row[x].ch : " ");
		}
		if (cur_fg != -1 || cur_bg != -1 || cur_attr != ATTR_NONE)
			buf_puts(out, "\033[0m");
		buf_putc(out, '\n');
	}
}

void
canvas_box(struct canvas *c, struct rect b, enum role role)
{
	bool a = c->ascii;
	const char *h = a ? "-" : "\xe2\x94\x80", *vb = a ? "|" : "\xe2\x94\x82";
	int x, y;

	if (b.w < 2 || b.h < 2)
		return;
	for (x = b.x + 1; x < b.x + b.w - 1; x++) {
		canvas_put(c, x, b.y, h, 1, role, ATTR_NONE);
		canvas_put(c, x, b.y + b.h - 1, h, 1, role, ATTR_NONE);
	}
	for (y = b.y + 1; y < b.y + b.h - 1; y++) {
		canvas_put(c, b.x, y, vb, 1, role, ATTR_NONE);
		canvas_put(c, b.x + b.w - 1, y, vb, 1, role, ATTR_NONE);
	}
	canvas_put(c, b.x, b.y, a ? "+" : "\xe2\x94\x8c", 1, role, ATTR_NONE);
	canvas_put(c, b.x + b.w - 1, b.y, a ? "+" : "\xe2\x94\x90", 1, role, ATTR_NONE);
	canvas_put(c, b.x, b.y + b.h - 1, a ? "+" : "\xe2\x94\x94", 1, role, ATTR_NONE);
	canvas_put(c, b.x + b.w - 1, b.y + b.h - 1, a ? "+" : "\xe2\x94\x98", 1, role, ATTR_NONE);
}
