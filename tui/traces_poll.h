/*
 * traces_poll.h - the Zipkin requests of the Traces, Trace and Topology
 * screens, on the one event loop through http_submit.
 *
 *  - a search (traces_poll_search): GET /api/v2/traces with the parsed
 *    search line; the list replaces the previous one when it arrives.  A
 *    search is asked again every refresh while the Traces screen is on top
 *    (traces_poll_set_live), so new traces appear.
 *  - a trace (traces_poll_open): from the cache when held, else
 *    GET /api/v2/trace/{id}, built (backends/trace.h) and kept in the
 *    cache (backends/trace_cache.h).  A trace over max_spans is refused with
 *    its size shown, never half drawn.
 *  - the dependency links (traces_poll_set_topology): GET
 *    /api/v2/dependencies over [traces] dependencies (or the screen's
 *    range) every refresh while the Topology is open, laid out by
 *    backends/topology.h when they change.
 *  - the backend's health for the status line: the model's "zipkin"
 *    backend is ok after any answer, failing after a transport error.
 * Answers of an earlier search, trace or range are dropped by generation.
 * Call order as tui/logs_poll.h: new once; tick(mono) in the loop;
 * next_due_ms bounds the wait; free after http_free().
 */
#ifndef OPSDECK_TUI_TRACES_POLL_H
#define OPSDECK_TUI_TRACES_POLL_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "http.h"
#include "model.h"
#include "topology.h"
#include "trace.h"
#include "traces_settings.h"
#include "zipkin.h"

/* The Traces screen's list.  Borrowed from the poller until its next tick. */
struct traces_list {
	const struct zk_trace_summary *items; /* as Zipkin returned them (newest first) */
	size_t n;
	const char *search;  /* the search line of these results ("" = the defaults) */
	const char *service; /* the service searched (display name), "" = any */
	double lookback_s;   /* the search's lookback */
	int limit;
	bool have;         /* an answer has arrived for this search */
	bool loading;      /* a request is in flight */
	struct err err;    /* the last failure; ERR_OK after a success */
	double fetched_at; /* wall clock of the answer shown */
	bool utc;          /* times in UTC, else local */
};

/* The Trace screen's trace. */
struct trace_data {
	const struct trace *trace; /* NULL until it arrives (or failed) */
	const char *trace_id;      /* the id asked for */
	bool loading;
	struct err err; /* not found, too big (with its size), a parse error ... */
	bool utc;
};

/* The Topology screen's graph. */
struct topology_data {
	const struct topo_layout *layout; /* NULL until links arrive */
	const struct zk_link *links;
	size_t nlinks;
	double lookback_s; /* the range of the links */
	bool have, loading;
	struct err err;
	double fetched_at;
};

struct traces_poll; /* opaque */

/* new; http and model borrowed; s copied (its strings borrowed).  Nothing is sent when !s->enabled. */
struct traces_poll *traces_poll_new(struct http *http, struct model *model,
				    const struct traces_settings *s);
void traces_poll_free(struct traces_poll *p); /* after http_free(); NULL-safe */

/*
 * Search: line as zipkin_query_parse reads it, service (display name, NULL
 * or "" = as the line says) added as serviceName when the line names none.
 * Returns 0, or -1 with e naming the bad word (the previous list is kept).
 */
int traces_poll_search(struct traces_poll *p, const char *service, const char *line, struct err *e);
/* Ask the current search again every refresh while on. */
void traces_poll_set_live(struct traces_poll *p, bool on);

/* Open trace id (any case, 1-32 hex digits); -1 with e when id is not a trace id. */
int traces_poll_open(struct traces_poll *p, const char *id, struct err *e);

/* Poll the dependency links while on, over lookback_s (<= 0: the configured range). */
void traces_poll_set_topology(struct traces_poll *p, bool on, double lookback_s);

/* The search and the links are due now; a trace that failed is asked again. */
void traces_poll_refresh_now(struct traces_poll *p);

/* Give up on what is in flight: each screen waiting for an answer shows e. */
void traces_poll_timed_out(struct traces_poll *p, const struct err *e);

/* Send what is due, take what arrived.  True when something shown changed. */
bool traces_poll_tick(struct traces_poll *p, double mono);
/* Milliseconds until the next request is due (for the loop's wait); 60000 when none. */
long traces_poll_next_due_ms(const struct traces_poll *p, double mono);

const struct traces_list *traces_poll_list(const struct traces_poll *p);
const struct trace_data *traces_poll_trace(const struct traces_poll *p);
const struct topology_data *traces_poll_topology(const struct traces_poll *p);
const struct traces_settings *traces_poll_settings(const struct traces_poll *p);

/* The cache's figures (for the bench and the note). */
size_t traces_poll_cached(const struct traces_poll *p, size_t *bytes);

#endif
