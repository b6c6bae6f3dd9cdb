/*
 * poller.h - schedules backend requests and feeds their results to the model.
 *
 * A refresh is a *round*: every request of the round goes out at once (one
 * instant query per metric for all services, plus incremental range queries
 * for the sparkline metrics), so a refresh costs the slowest request, not
 * the sum, and the same number of requests at 5 or 5,000 services.  The next
 * round is due `refresh_ms` after the previous one started; a round still in
 * flight is never overlapped.  A failing request marks the backend failed
 * with its error; the model keeps the last good values, which age into STALE.
 *
 * Call order: poller_new(); in the loop, poller_tick(now) and then, when the
 * loop sleeps, poller_next_due_ms(now) bounds the wait.  Results arrive
 * through http_perform() callbacks.
 */
#ifndef OPSDECK_TUI_POLLER_H
#define OPSDECK_TUI_POLLER_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"
#include "model.h"
#include "prometheus.h"

/* What to poll.  Plain record; the poller copies it. */
struct poll_settings {
	bool prometheus;                           /* a Prometheus backend is configured */
	struct http_endpoint prom_ep;              /* borrowed strings: keep alive while polling */
	const char *prom_query[PROM_METRIC_COUNT]; /* expanded PromQL per metric */
	const char *service_label;                 /* label naming the service */
	long long refresh_ms;                      /* round interval */
	size_t history;                            /* sparkline points */
	/* Display name for a service label value (aliases); NULL = identity. */
	const char *(*display_name)(void *ud, const char *label_value);
	void *ud;
};

struct poller; /* opaque */

/* new.  http and model are borrowed for the poller's lifetime. */
struct poller *poller_new(struct http *http, struct model *model, const struct poll_settings *s);
void poller_free(
	struct poller *
		p); /* NULL-safe; pending callbacks must not fire after: free http first or cancel */

/* Submit the round's requests if one is due.  Returns true if a round started. */
bool poller_tick(struct poller *p, double now);
/* Make the next round due now (the user pressed refresh). */
void poller_refresh_now(struct poller *p);
/* Milliseconds until the next round is due (0 if due or in flight with nothing to wait for). */
long poller_next_due_ms(const struct poller *p, double now);
/* Completed rounds since start. */
unsigned long poller_rounds(const struct poller *p);
/* Requests of the current round still in flight. */
int poller_inflight(const struct poller *p);
/* Monotonic seconds (CLOCK_MONOTONIC) and wall-clock seconds. */
double poller_mono_now(void);
double poller_wall_now(void);

#endif
