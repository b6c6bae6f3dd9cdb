#include "traces_scatter.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "traces_style.h"
#include "xalloc.h"

enum { F_ERR = 1, F_SEL = 2 };

/*
 * A trace is a blob of 2 x 2 braille dots, the top or bottom half of its
 * cell: a single dot would be too faint to find, a whole cell too coarse.
 */
#define BLOB_TOP 0x1b    /* dots 1 2 4 5 */
#define BLOB_BOTTOM 0xe4 /* dots 3 6 7 8 */

/* "HH:MM:SS" of epoch_us. */
static void
clock_label(int64_t us, bool utc, char *out, size_t n)
{
	char full[48];

	traces_style_when(us, utc, false, false, full, sizeof full);
	snprintf(out, n, "%.8s", full);
}

static void
draw_labels(struct canvas *c, struct rect r, int x0, int64_t t0, int64_t t1, bool utc)
{
	static const char caption[] = "duration by start time";
	char a[48], b[48];
	int end = r.x + r.w, aw, bw, cw = (int)strlen(caption);

	clock_label(t0, utc, a, sizeof a);
	clock_label(t1, utc, b, sizeof b);
	aw = text_width(a);
	bw = text_width(b);
	if (x0 + aw > end)
		return;
	text_draw(c, x0, r.y, aw, a, ROLE_DIM, ATTR_NONE);
	if (t1 != t0 && x0 + aw + 1 + bw <= end)
		text_draw(c, end - bw, r.y, bw, b, ROLE_DIM, ATTR_NONE);
	if (x0 + aw + 2 + cw + 2 + bw <= end)
		text_draw(c, x0 + aw + (end - x0 - aw - bw - cw) / 2, r.y, cw, caption, ROLE_DIM,
			  ATTR_NONE);
}

void
traces_scatter_draw(struct canvas *c, struct rect r, const struct traces_scatter_view *v)
{
	unsigned char *bits, *flags;
	int64_t t0 = 0, t1 = 0, slow = 0, span;
	char top[32];
	int ph = r.h - 1, lw, pw, px, x, y;
	size_t i;

	if (ph < 1 || v->n == 0 || v->items == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		const struct zk_trace_summary *s = &v->items[i];

		if (i == 0 || s->start_us < t0)
			t0 = s->start_us;
		if (i == 0 || s->start_us > t1)
			t1 = s->start_us;
		if (s->duration_us > slow)
			slow = s->duration_us;
	}
	traces_style_us(slow, top, sizeof top);
	lw = text_width(top);
	px = r.x + lw + 1;
	pw = r.x + r.w - px;
	if (pw < 4)
		return;
	span = t1 > t0 ? t1 - t0 : 1;
	bits = xcalloc((size_t)(pw * ph), 1);
	flags = xcalloc((size_t)(pw * ph), 1);
	for (i = 0; i < v->n; i++) {
		const struct zk_trace_summary *s = &v->items[i];
		/* One column per cell, two halves per row; 0 at the bottom. */
		int64_t dx = t1 > t0 ? (s->start_us - t0) * (int64_t)(pw - 1) / span : pw / 2;
		int64_t dy = slow > 0 ? s->duration_us * (int64_t)(2 * ph - 1) / slow : 0;
		int col = (int)dx, row = ph - 1 - (int)(dy / 2), k;

		if (col < 0 || col >= pw || row < 0 || row >= ph)
			continue;
		k = row * pw + col;
		bits[k] |= dy % 2 ? BLOB_TOP : BLOB_BOTTOM;
		if (s->nerrors > 0)
			flags[k] |= F_ERR;
		if (s == v->selected)
			flags[k] |= F_SEL;
	}
	for (y = 0; y < ph; y++) {
		bool lab = y == 0 || y == ph - 1;

		if (lab)
			text_draw_aligned(c, r.x, r.y + y, lw, y == 0 ? top : "0", ALIGN_RIGHT,
					  ROLE_DIM, ATTR_NONE);
		canvas_put(c, px - 1, r.y + y,
			   lab ? (v->ascii ? "+" : "\xe2\x94\xa4")
			       : (v->ascii ? "|" : "\xe2\x94\x82"),
			   1, ROLE_DIM, ATTR_NONE);
		for (x = 0; x < pw; x++) {
			unsigned b = bits[y * pw + x], f = flags[y * pw + x];
			char g[4];

			if (b == 0)
				continue;
			if (v->ascii) {
				g[0] = f & F_ERR ? 'x' : 'o';
				g[1] = '\0';
			} else {
				g[0] = (char)0xe2;
				g[1] = (char)(0xa0 | (b >> 6));
				g[2] = (char)(0x80 | (b & 0x3f));
				g[3] = '\0';
			}
			canvas_put(c, px + x, r.y + y, g, 1, f & F_ERR ? ROLE_CRIT : ROLE_ACCENT,
				   f & F_SEL ? ATTR_REVERSE | ATTR_BOLD : ATTR_NONE);
		}
	}
	draw_labels(c, (struct rect){ r.x, r.y + ph, r.w, 1 }, px, t0, t1, v->utc);
	free(bits);
	free(flags);
}
