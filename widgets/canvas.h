/*
 * canvas.h - a grid of cells that widgets draw into.
 *
 * The canvas is the one drawing surface of opsdeck: the interactive console
 * blits it to ncurses (tui/term.c), snapshot export writes it as plain text or
 * ANSI (canvas_write_text / canvas_write_ansi), and golden tests diff the text.
 * Widgets write colour *roles*, never colours; the writers map roles to a
 * theme.  Text reaches cells only through widgets/text.c, which sanitises and
 * measures display width.
 *
 * A wide (2-column) character occupies its cell plus a continuation cell of
 * width 0 to its right.  Drawing over half of a wide character blanks the
 * other half, so the grid never holds a torn character.
 */
#ifndef OPSDECK_WIDGETS_CANVAS_H
#define OPSDECK_WIDGETS_CANVAS_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"

/* Colour roles.  Order matters: themes are tables indexed by role. */
#define ROLE_LIST(X)                                                 \
	X(ROLE_NORMAL, "normal")                                     \
	X(ROLE_HEADER, "header")     /* table headings, title bar */ \
	X(ROLE_SELECTED, "selected") /* the cursor row */            \
	X(ROLE_OK, "ok")                                             \
	X(ROLE_WARN, "warn")                                         \
	X(ROLE_CRIT, "crit")                                         \
	X(ROLE_STALE, "stale")                                       \
	X(ROLE_DIM, "dim")       /* secondary text, axes */          \
	X(ROLE_BAR, "bar")       /* title and status bars */         \
	X(ROLE_ACCENT, "accent") /* keys in help, marks, matches */

#define ROLE_ENUM_ITEM(name, text) name,
enum role { ROLE_LIST(ROLE_ENUM_ITEM) ROLE_COUNT };
#undef ROLE_ENUM_ITEM

/* Cell attributes, combined with a role. */
enum cell_attr {
	ATTR_NONE = 0,
	ATTR_BOLD = 1 << 0,
	ATTR_REVERSE = 1 << 1,
	ATTR_UNDERLINE = 1 << 2,
	ATTR_DIM = 1 << 3, /* faint; themes use it for DIM/STALE on mono terminals */
};

#define CELL_BYTES 24 /* one grapheme: a base character and its combining marks */

struct cell {
	char ch[CELL_BYTES]; /* UTF-8, NUL-terminated; "" for a continuation cell */
	unsigned char width; /* 1 or 2 for a lead cell, 0 for a continuation */
	unsigned char role;  /* enum role */
	unsigned char attr;  /* enum cell_attr bits */
};

struct rect {
	int x, y, w, h;
};

struct canvas {
	int w, h;           /* size in columns and rows */
	struct cell *cells; /* owned; w*h, row-major */
	bool ascii;         /* draw glyphs as ASCII (non-UTF-8 locale) */
	/* borrowed: the ANSI writer's colours (canvas_theme_*); NULL = the default */
	const struct theme_entry *theme;
};

/* new: a canvas of w x h blank cells (role NORMAL).  Sizes < 1 become 1. */
struct canvas *canvas_new(int w, int h);
void canvas_free(struct canvas *c); /* NULL-safe */
/* Resize, discarding the content (every cell blank). */
void canvas_resize(struct canvas *c, int w, int h);
/* Blank every cell of r (clipped to the canvas) with role. */
void canvas_fill(struct canvas *c, struct rect r, enum role role);
/* Blank every cell with role NORMAL (as after canvas_new). */
void canvas_clear(struct canvas *c);
/* borrowed: the cell at (x, y), or NULL outside the canvas. */
struct cell *canvas_at(struct canvas *c, int x, int y);
/*
 * Put one already-sanitised grapheme (UTF-8 bytes, display width 1 or 2) at
 * (x, y).  Returns the columns used: 0 when clipped (outside, or a wide
 * character that would not fit).  Callers draw text via text_draw(), not this.
 */
int canvas_put(struct canvas *c, int x, int y, const char *g, int width, enum role role,
	       unsigned attr);
/*
 * Draw the frame of rect b (corners and edges; the inside untouched) with
 * box-drawing glyphs, or +-| in ascii mode.  Rects under 2x2 draw nothing.
 */
void canvas_box(struct canvas *c, struct rect b, enum role role);
/* Set role (and attr) of cells without changing their characters. */
void canvas_paint(struct canvas *c, struct rect r, enum role role, unsigned attr);

/*
 * Writers.  text: one line per row, trailing blanks trimmed, no escapes.
 * ansi: SGR colour codes per role (monochrome attributes when !color), reset
 * at each line end.  Both append to out.
 *
 * The ANSI writer maps roles through canvas_role_style() and ORs in the
 * cell's attr; every style change is written as one "ESC[0;...m" (reset,
 * then attributes 1 bold, 2 dim, 4 underline, 7 reverse, then 30-37/90-97
 * and 40-47/100-107 colours), so a line never inherits the previous style.
 * Trailing blanks are trimmed only where they are unstyled (a reverse-video
 * bar keeps its full width).
 */
void canvas_write_text(const struct canvas *c, struct buf *out);
void canvas_write_ansi(const struct canvas *c, struct buf *out, bool color);

/* The role's name ("crit"), for debugging and theme files. */
const char *role_name(enum role r);

/*
 * Themes: how a role looks.  canvas_write_ansi uses these tables and the
 * ncurses writer (tui/term.c) maps roles through the same tables, so the
 * console and an ANSI snapshot look alike.
 *
 * fg and bg are colour numbers: -1 = the terminal's default, 0..7 the
 * standard colours (0 black, 1 red, 2 green, 3 yellow, 4 blue, 5 magenta,
 * 6 cyan, 7 white; ncurses COLOR_*), 8..15 their bright variants (8 =
 * "bright black", i.e. grey).  On a terminal with fewer than 16 colours map
 * fg 8 to the default colour plus ATTR_DIM, and 9..15 to n - 8 plus
 * ATTR_BOLD (bg 8..15 to n - 8).  fg256 and bg256, when not 0, are the
 * colours a 256-colour terminal uses instead (finer greys, darker yellows
 * for a light background); the ANSI writer keeps to 16.  attr is ATTR_*
 * bits, to be OR'ed with the cell's own attr.
 *
 * The themes ([general] theme):
 *   canvas_theme_color          "default": for dark backgrounds.
 *   canvas_theme_light          "light": darker colours for light backgrounds.
 *   canvas_theme_high_contrast  "high-contrast": bright colours, bold and
 *                               reverse video, nothing faint.
 *   canvas_theme_mono           "mono": attributes only, for NO_COLOR and
 *                               monochrome terminals (every fg/bg is -1).
 */
struct theme_entry {
	int fg;        /* -1 default, 0..15 */
	int bg;        /* -1 default, 0..15 */
	unsigned attr; /* ATTR_* bits */
	int fg256;     /* 16..255 on a 256-colour terminal; 0 = fg */
	int bg256;     /* 16..255 on a 256-colour terminal; 0 = bg */
};

extern const struct theme_entry canvas_theme_color[ROLE_COUNT];
extern const struct theme_entry canvas_theme_light[ROLE_COUNT];
extern const struct theme_entry canvas_theme_high_contrast[ROLE_COUNT];
extern const struct theme_entry canvas_theme_mono[ROLE_COUNT];

/*
 * borrowed (static): the table of theme name ("default", "light",
 * "high-contrast", "mono"); NULL and "" are "default"; NULL for an unknown name.
 */
const struct theme_entry *canvas_theme_named(const char *name);

/*
 * The theme entry of role in the colour (color) or mono (!color) table.  The
 * caller ORs the cell's attr into *attr.  An out-of-range role is treated as
 * ROLE_NORMAL.  Any out pointer may be NULL.
 */
void canvas_role_style(enum role role, bool color, int *fg, int *bg, unsigned *attr);
/* The same from table theme (NULL = canvas_theme_color). */
void canvas_theme_style(const struct theme_entry *theme, enum role role, int *fg, int *bg,
			unsigned *attr);

#endif
