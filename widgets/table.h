/*
 * table.h - a scrolling table with a header, sort mark and cursor row.
 *
 * Pure draw: the caller owns every string and array in the view; table_draw
 * reads them and writes into the canvas.  Column widths are laid out from the
 * rect width: each column gets its min_width, then spare columns go to
 * columns by flex weight; when even the minimums do not fit, columns with the
 * highest drop_priority are hidden first (0 = never hidden).
 */
#ifndef OPSDECK_WIDGETS_TABLE_H
#define OPSDECK_WIDGETS_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "canvas.h"
#include "text.h"

struct table_column {
	const char *title;     /* header text */
	int min_width;         /* columns, >= 1 */
	int max_width;         /* 0 = unbounded */
	int flex;              /* share of spare width; 0 = fixed */
	int drop_priority;     /* hidden first when narrow; 0 = never */
	enum text_align align; /* numbers right-aligned */
	bool spark;            /* cells draw cell.spark as a sparkline */
};

struct table_cell {
	const char *text;    /* shown text; NULL = empty */
	enum role role;      /* ROLE_NORMAL for ordinary text */
	const double *spark; /* for spark columns: values, oldest first; NAN = gap */
	size_t nspark;       /* number of values */
	double spark_top;    /* > 0: fixed scale 0..spark_top (see sparkline_draw_top); 0 = auto */
};

struct table_row {
	const struct table_cell *cells; /* ncols cells */
	enum role role;                 /* row role (e.g. ROLE_STALE); NORMAL usually */
};

struct table_view {
	const struct table_column *cols; /* ncols columns */
	size_t ncols;
	const struct table_row *rows; /* nrows rows, in display order */
	size_t nrows;
	size_t selected;        /* cursor row index (ignored if nrows == 0) */
	size_t top;             /* first visible row (scroll offset) */
	int sort_col;           /* -1 = none */
	bool sort_desc;         /* direction mark: ▼ desc, ▲ asc */
	const char *empty_text; /* shown when nrows == 0; may be NULL */
};

/*
 * Draw the view into r: one header row, then rows from view->top.  Returns
 * the number of data rows that fit (r.h - 1), which callers use for paging.
 */
int table_draw(struct canvas *c, struct rect r, const struct table_view *v);

/*
 * Adjust *top so that selected is visible in a body of `visible` rows.
 * Call before table_draw when the cursor moves or the size changes.
 */
void table_scroll_to(size_t selected, size_t nrows, int visible, size_t *top);

/*
 * Append the table as a Markdown pipe table (header, |---| line, rows).  Cell
 * text is sanitised and '|' escaped; spark columns are written with block
 * glyphs (or ASCII when ascii).
 */
void table_write_markdown(const struct table_view *v, struct buf *out, bool ascii);

#endif
