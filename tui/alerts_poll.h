/*
 * alerts_poll.h - the alerts' requests on the one event loop: every
 * refresh one round of GET /api/v1/alerts (Prometheus, when configured),
 * GET /api/v2/alerts and GET /api/v2/silences (Alertmanager, when
 * configured), all at once.  When the round is complete the two sources
 * are merged (alertmanager_merge) into the model (model_set_alerts).
 *
 * Health: the model's backend "alertmanager" is ok after both its answers
 * of a round, failing with the error otherwise; Prometheus' alerts are
 * reported as the backend "alerts" (the metrics keep "prometheus").  A
 * source that fails keeps its last good alerts (the screen marks them
 * stale); the other is untouched.
 *
 * A silence: alerts_poll_silence() POSTs /api/v2/silences; its outcome is
 * taken once with alerts_poll_take_silence().  In read-only mode http.c
 * refuses the POST (alertmanager_is_read says it is a write).
 *
 * Call order as tui/traces_poll.h: new once; tick(mono) in the loop;
 * next_due_ms bounds the wait; free after http_free().
 */
#ifndef OPSDECK_TUI_ALERTS_POLL_H
#define OPSDECK_TUI_ALERTS_POLL_H

#include <stdbool.h>
#include <stddef.h>

#include "alertmanager.h"
#include "alerts_settings.h"
#include "err.h"
#include "http.h"
#include "model.h"

/* What the Alerts screen shows besides the model's alerts (borrowed until the next tick). */
struct alerts_status {
	bool prometheus;     /* Prometheus' alerts are polled */
	bool alertmanager;   /* Alertmanager is polled */
	const char *am_url;  /* [alertmanager] url, or NULL */
	bool have;           /* some round completed */
	struct err prom_err; /* the last failure of each source; ERR_OK when fine */
	struct err am_err;
	double prom_ok_at; /* wall clock of the last good answer; 0 never */
	double am_ok_at;
};

struct alerts_poll; /* opaque */

/* new; http and model borrowed; s copied (its strings borrowed). */
struct alerts_poll *alerts_poll_new(struct http *http, struct model *model,
				    const struct alerts_settings *s);
void alerts_poll_free(struct alerts_poll *p); /* after http_free(); NULL-safe */

/* A round is due now (after one in flight, when one is). */
void alerts_poll_refresh_now(struct alerts_poll *p);
/* Send what is due, take what arrived.  True when something shown changed. */
bool alerts_poll_tick(struct alerts_poll *p, double mono);
/* Milliseconds until the next round (60000 when nothing is configured). */
long alerts_poll_next_due_ms(const struct alerts_poll *p, double mono);
/* Give up on the round in flight (a snapshot's deadline): its sources fail with e. */
void alerts_poll_timed_out(struct alerts_poll *p, const struct err *e);
/* Whether a round is in flight or has never completed. */
bool alerts_poll_busy(const struct alerts_poll *p);

const struct alerts_status *alerts_poll_status(const struct alerts_poll *p);
const struct alerts_settings *alerts_poll_settings(const struct alerts_poll *p);
/* The silences of the last good answer (borrowed until the next tick). */
const struct am_silence *alerts_poll_silences(const struct alerts_poll *p, size_t *n);

/*
 * POST the silence body (JSON from alertmanager_silence_body).  Returns
 * 0, or -1 with e (no Alertmanager, one already in flight, read-only).
 */
int alerts_poll_silence(struct alerts_poll *p, const char *body, struct err *e);
/*
 * The outcome of the silence posted, once: true when it has arrived;
 * then *ok, and id (the silence id) or e.
 */
bool alerts_poll_take_silence(struct alerts_poll *p, bool *ok, char *id, size_t n, struct err *e);

#endif
