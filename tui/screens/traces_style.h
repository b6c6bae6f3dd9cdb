/*
 * traces_style.h - what the Traces and Trace screens share in how they
 * show things: durations in microseconds as people read them, lookbacks,
 * the colour roles that tell services apart, the glyphs of bars and marks
 * (UTF-8 or ASCII), and Markdown cells.  Pure functions, no state.
 */
#ifndef OPSDECK_TUI_SCREENS_TRACES_STYLE_H
#define OPSDECK_TUI_SCREENS_TRACES_STYLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "canvas.h"

/*
 * A duration of us microseconds, three significant figures at most, into
 * out (size n): "0", "850us", "1.25ms", "12.3ms", "812ms", "1.23s",
 * "12.3s", "2m05s", "1h02m".  Negative durations are written with "-".
 */
void traces_style_us(int64_t us, char *out, size_t n);

/* A signed offset: "+1.25ms", "-300us", "+0". */
void traces_style_offset(int64_t us, char *out, size_t n);

/*
 * The wall-clock time of epoch_us in UTC (utc) or local time, into out:
 * "07:46:38.250", or with date "2026-11-18 07:46:38.250"; " UTC" is
 * appended in UTC when zone is true.
 */
void traces_style_when(int64_t epoch_us, bool utc, bool date, bool zone, char *out, size_t n);

/* A lookback as the search line writes it: "15m", "1h", "6h", "2d", "90s". */
void traces_style_lookback(double s, char *out, size_t n);

/*
 * The next wider lookback a user may try after an empty search (15m, 1h,
 * 6h, 24h, 7d), or 0 when s is already 7 days or more.
 */
double traces_style_wider(double s);

/*
 * The colour role of service number i (an index into trace.services): a
 * small palette of roles that read apart on a colour terminal and never
 * CRIT (kept for errors).  i < 0 (the synthetic root) is DIM.
 */
enum role traces_style_service_role(int i);

/* The separator of header segments: " · " or " | " in ascii mode. */
const char *traces_style_dot(bool ascii);

/*
 * Append s to out as one Markdown table cell: sanitised (widgets/text),
 * '|' escaped.
 */
void traces_style_md_cell(struct buf *out, const char *s, bool ascii);

/*
 * Segments drawn left to right with a separator, wrapping to the next row
 * of r when one does not fit (a segment wider than r is cut with "…").
 * Embedded: traces_flow_start, then traces_flow_put per segment; rows
 * tells how many rows were used.  Rows past r are not drawn.
 */
struct traces_flow {
	struct canvas *c;
	struct rect r;
	int x, y;        /* where the next segment goes */
	int rows;        /* rows used so far */
	bool first;      /* nothing on this row yet */
	const char *sep; /* borrowed: drawn DIM between segments */
};

void traces_flow_start(struct traces_flow *f, struct canvas *c, struct rect r, const char *sep);
/* One segment; sep false joins it to the previous one with a single blank. */
void traces_flow_put(struct traces_flow *f, const char *s, enum role role, unsigned attr, bool sep);

#endif
