/*
 * logs.h - the Logs screen: a header (query, range with its time zone,
 * total hits, tail state), a histogram of hits over the range with the
 * error part in CRIT, then the hits newest first (time, level, service,
 * message on one line), the query's terms and the `/` filter's matches
 * highlighted.  Enter opens a hit: every field of its _source as a sorted
 * flat list, long values wrapped.
 *
 * The state (cursor, scroll, filter, follow, the open hit) is opaque; the
 * lines and histogram come from a struct logs_data (tui/logs_poll.h) at
 * each draw.  Positions are indexes into the line buffer, so lines entering
 * at either end move the cursor with them (logs_lines_moved) and the view
 * holds still while the tail appends above it.
 */
#ifndef OPSDECK_TUI_SCREENS_LOGS_H
#define OPSDECK_TUI_SCREENS_LOGS_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "canvas.h"
#include "keys.h"
#include "logs_poll.h"
#include "view.h"

/* Below this body size the screen shows "terminal too small" instead. */
#define LOGS_MIN_W 40
#define LOGS_MIN_H 8

struct logs; /* opaque */

struct logs *logs_new(void);
void logs_free(struct logs *l); /* NULL-safe */

/* Draw into body.  d may be NULL (nothing asked yet). */
void logs_draw(struct logs *l, struct canvas *c, struct rect body, const struct view_ctx *v,
	       const struct logs_data *d);

/* "1,234 hits" / "≥10,000 hits" for the title bar and the header (into out). */
void logs_total_text(const struct logs_data *d, bool ascii, char *out, size_t n);

/*
 * Handle a navigation action (up, down, pages, top, bottom, open, back).
 * ACT_BACK is handled (closes the open hit) only while a hit is open.
 * Returns enum handled flags.
 */
int logs_handle(struct logs *l, enum action a, const struct logs_data *d);

/*
 * The query changed (or the screen opened): its terms are highlighted
 * (elasticsearch_query_terms), the cursor goes to the newest line, the
 * open hit closes.
 */
void logs_set_query(struct logs *l, const char *query);

/* The `/` filter ("" clears); -1 with PCRE2's message in e, keeping the previous one. */
int logs_set_filter(struct logs *l, const char *pattern, struct err *e);
const char *logs_filter(const struct logs *l); /* borrowed; "" if none */

/*
 * Lines entered at the newest end (added) and left it (dropped): the
 * cursor keeps its line.  With follow on and the cursor on the newest
 * line, the view stays at the top; else the added count shows as "N new".
 */
void logs_lines_moved(struct logs *l, size_t added, size_t dropped);
/* Follow (tail) mode as the header shows it; logs_follow goes to the newest line. */
void logs_set_follow(struct logs *l, bool on);
bool logs_following(const struct logs *l); /* on, and the cursor on the newest line */
void logs_follow(struct logs *l);

/* Whether the cursor is near the oldest line held: time to ask for the next page. */
bool logs_wants_older(const struct logs *l, const struct logs_data *d);
/* Whether the cursor is on the newest line held. */
bool logs_at_top(const struct logs *l);
/* Whether a hit is open (Enter). */
bool logs_hit_open(const struct logs *l);
/*
 * Mouse: is screen row y one of the lines drawn at the last draw (not while
 * a line is open)?  Then *delta is how many lines it is below the cursor.
 */
bool logs_row_at(const struct logs *l, int y, long *delta);
/* The histogram's width at the last draw (columns of its plot), 0 before. */
int logs_histogram_width(const struct logs *l);

/* Append the hits (filtered) as Markdown: a header and a table. */
void logs_markdown(struct logs *l, const struct view_ctx *v, const struct logs_data *d,
		   struct buf *out);

#endif
