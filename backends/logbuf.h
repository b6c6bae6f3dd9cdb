/*
 * logbuf.h - the log lines held for the Logs screen, bounded in lines and
 * in bytes.
 *
 * Lines are kept newest first (index 0 = newest), as the screen shows them.
 * New lines from the live tail enter at the newest end; older pages (paging
 * down) enter at the oldest end.  When a bound is exceeded, lines are
 * dropped from the end opposite to the one that grew: a tail drops the
 * oldest, paging back drops the newest (they can be fetched again on
 * demand, which logbuf_dropped_newer() tells the screen).  The bound in
 * bytes counts the records, the strings (as malloc charges them) and the
 * buffer's own ring and dedupe set; a single line larger than max_bytes
 * is still held, alone.
 */
#ifndef OPSDECK_BACKENDS_LOGBUF_H
#define OPSDECK_BACKENDS_LOGBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "elasticsearch.h"

/* One held line: an es_hit whose strings the buffer owns. */
struct log_line {
	struct es_hit hit; /* owned */
	size_t bytes;      /* what this line costs, counted against max_bytes */
};

struct logbuf; /* opaque */

/* new.  max_lines >= 1, max_bytes >= 1. */
struct logbuf *logbuf_new(size_t max_lines, size_t max_bytes);
void logbuf_free(struct logbuf *b); /* NULL-safe */
void logbuf_clear(struct logbuf *b);

/*
 * Add hits newer than everything held (a tail answer or the first page).
 * h->hits may be in either order; they are sorted newest first.  The hit
 * strings are stolen (h is left empty).  Hits already held (same _index and
 * _id) are skipped.  Returns how many were added.
 */
size_t logbuf_add_newer(struct logbuf *b, struct es_hits *h);
/* Add hits older than everything held (the next page).  Steals like above. */
size_t logbuf_add_older(struct logbuf *b, struct es_hits *h);

size_t logbuf_len(const struct logbuf *b);
/* borrowed until the next add/clear: line i, 0 = newest; NULL when out of range. */
const struct log_line *logbuf_at(const struct logbuf *b, size_t i);
/* Bytes held (strings and records). */
size_t logbuf_bytes(const struct logbuf *b);
/*
 * Whether lines newer than index 0 were dropped (paging back): fetch them
 * again to go up (a search with newer = logbuf_newest()).  It stays true
 * until an add_newer brings back a line at least as new as the newest one
 * dropped, or a clear.  The screen should not live-tail while it is true.
 */
bool logbuf_dropped_newer(const struct logbuf *b);
/*
 * Whether lines older than the last were dropped (tail): fetch them again
 * to page down; true until an add_older reaches the oldest one dropped.
 */
bool logbuf_dropped_older(const struct logbuf *b);
/* Cursors of the newest and oldest held lines (unset when empty). */
struct es_cursor logbuf_newest(const struct logbuf *b);
struct es_cursor logbuf_oldest(const struct logbuf *b);

#endif
