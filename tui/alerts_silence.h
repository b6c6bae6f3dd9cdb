/*
 * alerts_silence.h - a silence of one alert in Alertmanager, as the
 * Alerts screen's s makes it: matchers for every label of the alert
 * (equality), a duration from now, a required comment, createdBy
 * "opsdeck (USER)"; the request body, the dialog's text and the audit
 * line.  No curses here: unit tests call it directly.
 */
#ifndef OPSDECK_TUI_ALERTS_SILENCE_H
#define OPSDECK_TUI_ALERTS_SILENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "alertmanager.h"
#include "audit.h"
#include "buf.h"
#include "model.h"

struct alerts_silence {
	char name[256];              /* the alertname */
	char service[256];           /* the alert's service; "" none */
	struct am_matcher *matchers; /* owned: every label, name=value */
	size_t nmatchers;
	long long duration_ms;     /* > 0 */
	double starts_at, ends_at; /* unix seconds */
	char comment[512];         /* required */
	char created_by[300];      /* "opsdeck (kim)" */
};

/* Matchers, name and service from alert a; user for createdBy (NULL: audit_login()). */
void alerts_silence_init(struct alerts_silence *s, const struct alert *a, const char *user);
void alerts_silence_done(struct alerts_silence *s);

/* Start now, end after duration_ms.  -1 with e for a duration <= 0 or over a year. */
int alerts_silence_set_duration(struct alerts_silence *s, long long duration_ms, double now,
				struct err *e);

/* The POST body (new): alertmanager_silence_body of the silence. */
char *alerts_silence_body(const struct alerts_silence *s);

/* The matchers as one line: alertname="X", service="y" (appended to out). */
void alerts_silence_matchers_text(const struct alerts_silence *s, struct buf *out);

/* "2h", "1h30m", "45m", "1d2h", "90s" into out: a duration as typed. */
void alerts_silence_duration_text(long long ms, char *out, size_t n);

/*
 * The audit line of an attempt: action "silence", runtime "alertmanager",
 * context the Alertmanager URL (without credentials), service, before the
 * alert as name{matchers}, after "for 2h until <RFC 3339>; comment: ...;
 * id ..." (the id when known), result and error.  Returns 0 or -1 with e.
 */
int alerts_silence_audit(struct audit *log, const struct alerts_silence *s, const char *mode,
			 const char *am_url, enum audit_result result, const char *id,
			 const char *error, struct err *e);

#endif
