/*
 * help.c - the key overlay: a box sized to its content, clamped to the
 * screen, with a key column, a description column and section headings.
 *
 * Layout is computed by one function used by both help_draw() and
 * help_visible_rows(), so scrolling in tui/ always agrees with the drawing.
 */
#include "help.h"

#include "text.h"

#define PAD 1     /* blank columns inside each vertical border */
#define KEY_GAP 2 /* blanks between the key and description columns */
#define MIN_W 8
#define MIN_H 3

struct help_layout {
	struct rect box; /* border included */
	int inner;       /* columns between the paddings */
	int kw;          /* key column width */
	int rows;        /* entry rows inside the box */
	size_t scroll;   /* first entry shown, clamped */
};

static int
max_int(int a, int b)
{
	return a > b ? a : b;
}

static const char *
str_or_empty(const char *s)
{
	return s != NULL ? s : "";
}

/* False when the screen is too small for any box. */
static bool
help_layout(struct rect screen, const struct help_view *v, struct help_layout *l)
{
	int kw = 0, tw = 0, hw = 0, bw, bh;
	size_t i, max_scroll;

	if (screen.w < MIN_W || screen.h < MIN_H)
		return false;
	for (i = 0; i < v->nentries; i++) {
		const struct help_entry *e = &v->entries[i];

		if (e->key == NULL) {
			hw = max_int(hw, text_width(str_or_empty(e->text)));
		} else {
			kw = max_int(kw, text_width(e->key));
			tw = max_int(tw, text_width(str_or_empty(e->text)));
		}
	}
	l->inner = max_int(kw + KEY_GAP + tw, hw);
	/* Title and footer sit in the borders as "─ title ─". */
	l->inner = max_int(l->inner, text_width(str_or_empty(v->title)) + 2);
	l->inner = max_int(l->inner, text_width(str_or_empty(v->footer)) + 2);
	bw = l->inner + 2 * PAD + 2;
	if (bw > screen.w)
		bw = screen.w;
	l->inner = bw - 2 * PAD - 2;
	/* A long key must not push every description off the box. */
	l->kw = kw < l->inner / 2 ? kw : l->inner / 2;
	bh = (int)(v->nentries < (size_t)screen.h ? v->nentries : (size_t)screen.h) + 2;
	if (bh > screen.h)
		bh = screen.h;
	l->rows = bh - 2;
	l->box = (struct rect){ screen.x + (screen.w - bw) / 2, screen.y + (screen.h - bh) / 2, bw,
				bh };
	max_scroll = v->nentries > (size_t)l->rows ? v->nentries - (size_t)l->rows : 0;
	l->scroll = v->scroll < max_scroll ? v->scroll : max_scroll;
	return true;
}

int
help_visible_rows(struct rect screen, const struct help_view *v)
{
	struct help_layout l;

	if (!help_layout(screen, v, &l))
		return 0;
	return l.rows;
}

static void
draw_border(struct canvas *c, const struct help_layout *l, const char *title, const char *footer,
	    bool more_above, bool more_below)
{
	const struct rect b = l->box;
	bool a = c->ascii;
	int x, tw;

	canvas_box(c, b, ROLE_NORMAL);
	if (title != NULL && title[0] != '\0') {
		canvas_put(c, b.x + 2, b.y, " ", 1, ROLE_HEADER, ATTR_NONE);
		tw = text_draw(c, b.x + 3, b.y, b.w - 6, title, ROLE_HEADER, ATTR_NONE);
		canvas_put(c, b.x + 3 + tw, b.y, " ", 1, ROLE_HEADER, ATTR_NONE);
	}
	if (footer != NULL && footer[0] != '\0') {
		tw = text_width(footer);
		if (tw > b.w - 6)
			tw = b.w - 6;
		x = b.x + b.w - 3 - tw;
		canvas_put(c, x - 1, b.y + b.h - 1, " ", 1, ROLE_DIM, ATTR_NONE);
		text_draw(c, x, b.y + b.h - 1, tw, footer, ROLE_DIM, ATTR_NONE);
		canvas_put(c, x + tw, b.y + b.h - 1, " ", 1, ROLE_DIM, ATTR_NONE);
	}
	/* Scroll marks replace the right border where more entries hide. */
	if (more_above)
		canvas_put(c, b.x + b.w - 1, b.y + 1, a ? "^" : "\xe2\x96\xb2", 1, ROLE_ACCENT,
			   ATTR_NONE);
	if (more_below)
		canvas_put(c, b.x + b.w - 1, b.y + b.h - 2, a ? "v" : "\xe2\x96\xbc", 1,
			   ROLE_ACCENT, ATTR_NONE);
}

void
help_draw(struct canvas *c, struct rect screen, const struct help_view *v)
{
	struct help_layout l;
	int i, x, y;

	if (!help_layout(screen, v, &l))
		return;
	canvas_fill(c, l.box, ROLE_NORMAL);
	draw_border(c, &l, v->title, v->footer, l.scroll > 0,
		    l.scroll + (size_t)l.rows < v->nentries);
	x = l.box.x + 1 + PAD;
	for (i = 0; i < l.rows && l.scroll + (size_t)i < v->nentries; i++) {
		const struct help_entry *e = &v->entries[l.scroll + (size_t)i];

		y = l.box.y + 1 + i;
		if (e->key == NULL) {
			text_draw(c, x, y, l.inner, str_or_empty(e->text), ROLE_HEADER, ATTR_NONE);
			continue;
		}
		text_draw(c, x, y, l.kw, e->key, ROLE_ACCENT, ATTR_NONE);
		text_draw(c, x + l.kw + KEY_GAP, y, l.inner - l.kw - KEY_GAP, str_or_empty(e->text),
			  ROLE_NORMAL, ATTR_NONE);
	}
}
