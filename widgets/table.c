/*
 * table.c - column layout, header with sort mark, cursor row, Markdown.
 *
 * Layout happens on every draw from the rect width alone, so a resize needs
 * nothing but a redraw.  Columns are dropped before they are squeezed below
 * their minimum: a column too narrow to read is worse than no column, and
 * the columns that matter (name, status) carry drop_priority 0.
 */
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "sparkline.h"
#include "xalloc.h"

#define MARK_ASC "\xe2\x96\xb2"  /* ▲ */
#define MARK_DESC "\xe2\x96\xbc" /* ▼ */
#define MD_SPARK_MAX 32          /* values per sparkline in Markdown */

static int
col_min(const struct table_column *col)
{
	return col->min_width > 0 ? col->min_width : 1;
}

static bool
col_can_grow(const struct table_column *col, int w)
{
	return col->flex > 0 && (col->max_width <= 0 || w < col->max_width);
}

/* Hide the shown column with the highest drop priority; false if none. */
static bool
drop_one(const struct table_view *v, int *w)
{
	size_t i, best = 0;
	int prio = 0;

	for (i = 0; i < v->ncols; i++) {
		if (w[i] > 0 && v->cols[i].drop_priority >= prio && v->cols[i].drop_priority > 0) {
			prio = v->cols[i].drop_priority;
			best = i;
		}
	}
	if (prio == 0)
		return false;
	w[best] = 0;
	return true;
}

/* Give spare columns to flexible columns by weight, up to their max width. */
static void
grow_flex(const struct table_view *v, int *w, int spare)
{
	size_t i;
	int total, given, share;

	while (spare > 0) {
		total = 0;
		for (i = 0; i < v->ncols; i++)
			if (w[i] > 0 && col_can_grow(&v->cols[i], w[i]))
				total += v->cols[i].flex;
		if (total == 0)
			return;
		given = 0;
		for (i = 0; i < v->ncols; i++) {
			if (w[i] == 0 || !col_can_grow(&v->cols[i], w[i]))
				continue;
			share = (int)((long)spare * v->cols[i].flex / total);
			if (share == 0 && given + 1 <= spare)
				share = 1; /* rounding leftovers, left to right */
			if (v->cols[i].max_width > 0 && w[i] + share > v->cols[i].max_width)
				share = v->cols[i].max_width - w[i];
			if (share > spare - given)
				share = spare - given;
			w[i] += share;
			given += share;
		}
		if (given == 0)
			return;
		spare -= given;
	}
}

/*
 * Fill w[ncols] with each column's width, 0 for a hidden column, for a
 * table `width` columns wide with one blank between shown columns.
 */
static void
table_layout(const struct table_view *v, int width, int *w)
{
	size_t i;
	int need, shown;

	for (i = 0; i < v->ncols; i++)
		w[i] = col_min(&v->cols[i]);
	for (;;) {
		need = 0;
		shown = 0;
		for (i = 0; i < v->ncols; i++) {
			if (w[i] > 0) {
				need += w[i];
				shown++;
			}
		}
		if (shown > 1)
			need += shown - 1;
		if (need <= width || !drop_one(v, w))
			break;
	}
	if (need < width)
		grow_flex(v, w, width - need);
}

/* The header cell: title, and the sort mark right after it when sorted. */
static void
draw_title(struct canvas *c, int x, int y, int w, const struct table_column *col, const char *mark)
{
	const char *title = col->title != NULL ? col->title : "";
	int tw;

	if (mark == NULL) {
		text_draw_aligned(c, x, y, w, title, col->align, ROLE_HEADER, ATTR_NONE);
		return;
	}
	tw = text_width(title);
	if (tw + 1 <= w) {
		int off = col->align == ALIGN_RIGHT    ? w - tw - 1
			  : col->align == ALIGN_CENTER ? (w - tw - 1) / 2
						       : 0;

		text_draw(c, x + off, y, tw, title, ROLE_HEADER, ATTR_NONE);
		canvas_put(c, x + off + tw, y, mark, 1, ROLE_HEADER, ATTR_NONE);
	} else {
		/* Cut the title, never the mark: it says how the rows are ordered. */
		text_draw(c, x, y, w - 1, title, ROLE_HEADER, ATTR_NONE);
		canvas_put(c, x + w - 1, y, mark, 1, ROLE_HEADER, ATTR_NONE);
	}
}

static const char *
sort_mark(const struct table_view *v, bool ascii)
{
	if (v->sort_desc)
		return ascii ? "v" : MARK_DESC;
	return ascii ? "^" : MARK_ASC;
}

/*
 * Offset (*x_out) and width of shown column i, clipped to the table width
 * (only columns that can never be dropped may overflow it).
 */
static int
col_x_w(const int *w, size_t i, int width, int *x_out)
{
	size_t j;
	int x = 0, cw;

	for (j = 0; j < i; j++)
		if (w[j] > 0)
			x += w[j] + 1;
	cw = w[i];
	if (x + cw > width)
		cw = width - x;
	*x_out = x;
	return cw > 0 ? cw : 0;
}

static void
draw_row(struct canvas *c, struct rect r, int y, const struct table_view *v, const int *w,
	 size_t idx)
{
	const struct table_row *row = &v->rows[idx];
	bool sel = idx == v->selected;
	enum role base = sel ? ROLE_SELECTED : row->role, role;
	size_t i;
	int x, cw;

	canvas_fill(c, (struct rect){ r.x, y, r.w, 1 }, base);
	for (i = 0; i < v->ncols; i++) {
		const struct table_cell *cell = &row->cells[i];

		if (w[i] == 0)
			continue;
		cw = col_x_w(w, i, r.w, &x);
		if (cw == 0)
			continue;
		role = sel ? ROLE_SELECTED : cell->role != ROLE_NORMAL ? cell->role : row->role;
		if (v->cols[i].spark)
			sparkline_draw_top(c, r.x + x, y, cw, cell->spark, cell->nspark,
					   cell->spark_top, role);
		else
			text_draw_aligned(c, r.x + x, y, cw, cell->text != NULL ? cell->text : "",
					  v->cols[i].align, role, ATTR_NONE);
	}
}

int
table_draw(struct canvas *c, struct rect r, const struct table_view *v)
{
	int *w, body, x, cw, i;
	size_t j, idx;

	if (r.w <= 0 || r.h <= 0)
		return 0;
	body = r.h - 1;
	w = xcalloc(v->ncols > 0 ? v->ncols : 1, sizeof *w);
	table_layout(v, r.w, w);
	canvas_fill(c, (struct rect){ r.x, r.y, r.w, 1 }, ROLE_HEADER);
	for (j = 0; j < v->ncols; j++) {
		if (w[j] == 0)
			continue;
		cw = col_x_w(w, j, r.w, &x);
		if (cw > 0)
			draw_title(c, r.x + x, r.y, cw, &v->cols[j],
				   (int)j == v->sort_col ? sort_mark(v, c->ascii) : NULL);
	}
	if (body > 0)
		canvas_fill(c, (struct rect){ r.x, r.y + 1, r.w, body }, ROLE_NORMAL);
	if (v->nrows == 0) {
		if (body > 0 && v->empty_text != NULL)
			text_draw_aligned(c, r.x, r.y + 1 + (body - 1) / 2, r.w, v->empty_text,
					  ALIGN_CENTER, ROLE_DIM, ATTR_NONE);
	} else {
		for (i = 0; i < body; i++) {
			idx = v->top + (size_t)i;
			if (idx >= v->nrows)
				break;
			draw_row(c, r, r.y + 1 + i, v, w, idx);
		}
	}
	free(w);
	return body;
}

void
table_scroll_to(size_t selected, size_t nrows, int visible, size_t *top)
{
	size_t vis = visible > 0 ? (size_t)visible : 1;

	if (nrows == 0) {
		*top = 0;
		return;
	}
	if (selected >= nrows)
		selected = nrows - 1;
	if (*top > selected)
		*top = selected;
	if (selected >= *top + vis)
		*top = selected - vis + 1;
	/* After a shrink or a taller window, do not leave blank rows at the end. */
	if (*top + vis > nrows)
		*top = nrows > vis ? nrows - vis : 0;
}

/* Sanitised text with '|' escaped, so a cell cannot end the Markdown cell. */
static void
md_cell(struct buf *out, const char *s, bool ascii)
{
	struct buf t;
	size_t i;

	buf_init(&t);
	text_sanitize_buf(s != NULL ? s : "", &t, ascii);
	for (i = 0; i < t.len; i++) {
		if (t.data[i] == '|' || t.data[i] == '\\')
			buf_putc(out, '\\');
		buf_putc(out, t.data[i]);
	}
	buf_done(&t);
}

void
table_write_markdown(const struct table_view *v, struct buf *out, bool ascii)
{
	size_t i, j;

	if (v->ncols == 0)
		return;
	buf_putc(out, '|');
	for (j = 0; j < v->ncols; j++) {
		buf_putc(out, ' ');
		md_cell(out, v->cols[j].title, ascii);
		if ((int)j == v->sort_col) {
			buf_putc(out, ' ');
			buf_puts(out, sort_mark(v, ascii));
		}
		buf_puts(out, " |");
	}
	buf_puts(out, "\n|");
	for (j = 0; j < v->ncols; j++) {
		if (v->cols[j].align == ALIGN_RIGHT)
			buf_puts(out, "---:|");
		else if (v->cols[j].align == ALIGN_CENTER)
			buf_puts(out, ":---:|");
		else
			buf_puts(out, "---|");
	}
	buf_putc(out, '\n');
	for (i = 0; i < v->nrows; i++) {
		const struct table_row *row = &v->rows[i];

		buf_putc(out, '|');
		for (j = 0; j < v->ncols; j++) {
			const struct table_cell *cell = &row->cells[j];

			buf_putc(out, ' ');
			if (v->cols[j].spark)
				sparkline_string_top(cell->spark, cell->nspark, MD_SPARK_MAX,
						     cell->spark_top, ascii, out);
			else
				md_cell(out, cell->text, ascii);
			buf_puts(out, " |");
		}
		buf_putc(out, '\n');
	}
}
