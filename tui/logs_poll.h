/*
 * logs_poll.h - the Elasticsearch requests of the Logs screen, and the
 * Overview's errors per minute.
 *
 * The Logs screen's requests, only while it is open, all on the one event
 * loop through http_submit:
 *  - on open, a new query or a new range: one histogram (date_histogram
 *    with as many buckets as the histogram has columns) and one search for
 *    the newest page; a relative range ("last 15m") has its histogram
 *    asked again every refresh, so it moves with the clock;
 *  - paging down (logs_poll_want_older): a search_after the oldest line
 *    held, whose hits enter at the old end of the line buffer;
 *  - live tail (logs_poll_set_tail): every refresh a search for hits newer
 *    than the newest held, which enter at the new end; a full page means
 *    more are waiting, and the next search goes at once.
 * Answers of an earlier query or range are dropped by their generation;
 * after a close every answer still in flight is dropped.  A 429 (too many
 * requests) stops every Elasticsearch request until its Retry-After has
 * passed (doubling from 2 s up to a minute when the server names none).
 *
 * The Overview's errors per minute: one terms aggregation for all
 * services per refresh (never one per service), counts applied with
 * model_apply_log_errors; it also keeps the model's "elasticsearch"
 * backend state that the status line shows.  A query the server rejects
 * (400) is the screen's error, not the backend's health.
 *
 * Call order as tui/detail_poll.h: new once; tick(mono) in the loop;
 * next_due_ms bounds the wait; free after http_free().
 */
#ifndef OPSDECK_TUI_LOGS_POLL_H
#define OPSDECK_TUI_LOGS_POLL_H

#include <stdbool.h>
#include <stddef.h>

#include "elasticsearch.h"
#include "err.h"
#include "http.h"
#include "logbuf.h"
#include "logs_range.h"
#include "logs_settings.h"
#include "model.h"

/* What the Logs screen draws.  Plain record, borrowed from the poller until its next tick. */
struct logs_data {
	const struct logbuf *lines; /* the held lines, newest first */
	const char *query;          /* the query of these lines ("" = everything) */
	struct logs_range range;    /* and their range */
	bool utc;                   /* times shown in UTC, else local */
	/* the histogram, oldest bucket first */
	const long long *counts, *errors;
	size_t nbuckets;
	double hist_t0, hist_t1; /* the span the buckets cover */
	bool have_hist;
	long long total;        /* hits in the range; -1 unknown */
	bool total_lower_bound; /* "≥10,000" */
	bool have_hits;         /* the first page has arrived */
	bool loading_older;     /* a page down is in flight */
	bool at_end;            /* the oldest hit of the range is held */
	bool tail;              /* live tail on */
	struct err err;         /* the last failure of a screen request; ERR_OK after success */
	double retry_at;        /* monotonic: nothing is sent before this (429); 0 none */
};

struct logs_poll; /* opaque */

/*
 * new, closed.  http and model borrowed for the poller's life; s copied
 * (its strings borrowed from the configuration).  model may be NULL (no
 * errors per minute: snapshot of the Logs screen alone).  Nothing is
 * polled when !s->enabled.
 */
struct logs_poll *logs_poll_new(struct http *http, struct model *model,
				const struct logs_settings *s);
/* Free, with the records of requests still in flight: call after http_free(). NULL-safe. */
void logs_poll_free(struct logs_poll *p);

/*
 * Open the screen's polling (or change what it shows) for query (copied;
 * NULL = everything) over range: the lines are dropped, and a histogram
 * and the newest page are asked for at the next tick.
 */
void logs_poll_open(struct logs_poll *p, const char *query, const struct logs_range *range);
/* Stop the screen's requests; the lines are dropped.  The errors round goes on. */
void logs_poll_close(struct logs_poll *p);
bool logs_poll_is_open(const struct logs_poll *p);
/* Ask again from the newest (keeping the query): after lines newer than the held were dropped. */
void logs_poll_reload(struct logs_poll *p);

/* borrowed until the next tick or http_perform. */
const struct logs_data *logs_poll_data(const struct logs_poll *p);

/* The histogram's width in columns: a change asks for a new histogram. */
void logs_poll_set_width(struct logs_poll *p, int columns);
/* Live tail on or off.  Refused (false) for an absolute range that ended. */
bool logs_poll_set_tail(struct logs_poll *p, bool on);
/* The next older page, unless one is in flight or the range is exhausted. */
void logs_poll_want_older(struct logs_poll *p);

/*
 * Lines that entered at the newest end since the last call (*added) and
 * lines dropped from the newest end by paging back (*dropped): the screen
 * moves its cursor by these so the view holds still.
 */
void logs_poll_take_moves(struct logs_poll *p, size_t *added, size_t *dropped);

/* Submit what is due.  Returns true when something was submitted. */
bool logs_poll_tick(struct logs_poll *p, double mono);
/* Make the refresh-driven requests due now (and retry a failed first page). */
void logs_poll_refresh_now(struct logs_poll *p);
/* Milliseconds until something is due. */
long logs_poll_next_due_ms(const struct logs_poll *p, double mono);
/* Completed: histograms, first pages, errors rounds (for snapshot's wait). */
void logs_poll_rounds(const struct logs_poll *p, unsigned long *hist, unsigned long *hits,
		      unsigned long *errors);
/* Requests in flight. */
int logs_poll_inflight(const struct logs_poll *p);

#endif
