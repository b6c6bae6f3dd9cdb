/*
 * logs_range.h - the time range and the query of the Logs screen as the
 * user types them: ":since 15m", ":range 2026-11-22T10:00 2026-11-22T11:00"
 * (in the configured time zone), +/- through 5m 15m 1h 6h 24h 7d, and the
 * query that shows one service's logs.
 */
#ifndef OPSDECK_TUI_LOGS_RANGE_H
#define OPSDECK_TUI_LOGS_RANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* A time range: relative (the last since_s seconds, moving) or absolute. */
struct logs_range {
	double since_s;  /* > 0: the last since_s seconds up to now */
	double from, to; /* absolute, unix seconds, when since_s <= 0 */
};

/* "15m", "2h", "90s", "7d": a relative range.  -1 with e (ERR_USAGE) when invalid. */
int logs_range_parse_since(const char *s, struct logs_range *out, struct err *e);

/*
 * Two times "YYYY-MM-DDTHH:MM[:SS]" (or with a space for the T; a bare
 * date is midnight) in UTC when utc, else local time: an absolute range.
 * -1 with e when a time does not parse or from is not before to.
 */
int logs_range_parse_abs(const char *from, const char *to, bool utc, struct logs_range *out,
			 struct err *e);

/*
 * Widen (dir > 0) or narrow (dir < 0) through 5m 15m 1h 6h 24h 7d.  An
 * absolute range becomes the relative step nearest its length first.
 * Returns false (r unchanged) at either end.
 */
bool logs_range_step(struct logs_range *r, int dir);

/* The range's bounds now: [*from, *to] in unix seconds. */
void logs_range_bounds(const struct logs_range *r, double now, double *from, double *to);

/*
 * How the header shows it, with the zone: "last 15m (UTC)", or
 * "2026-11-22 10:00 - 11:00 (local)"; into out (size n).
 */
void logs_range_describe(const struct logs_range *r, bool utc, char *out, size_t n);

/*
 * new: the query_string that selects one service: FIELD:"NAME", with '"'
 * and '\' in NAME escaped, and the field's reserved characters (none in
 * ECS names) left as they are.
 */
char *logs_range_service_query(const char *field, const char *name);

/* "HH:MM:SS.mmm" of t in the zone into out (size n >= 13). */
void logs_range_clock(double t, bool utc, char *out, size_t n);

#endif
