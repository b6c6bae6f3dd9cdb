/*
 * snapshot_check.c - `opsdeck snapshot --check`: the exit status as a
 * health verdict, the way monitoring plugins report (Nagios, Icinga,
 * Sensu): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, with one line per
 * problem on stderr.
 *
 * Which wins when several problems meet: CRIT > UNKNOWN > WARN > OK.  A
 * critical signal the data does show (a service over its critical
 * threshold, a critical alert firing) is reported as CRIT even when another
 * backend could not be reached: what is known to be broken is the page to
 * send.  An unreachable backend outranks warnings, since the part not seen
 * may be worse.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "parse.h"
#include "snapshot_internal.h"
#include "text.h"

/* Severity order of the verdicts: CRIT > UNKNOWN > WARN > OK. */
static int
order(int verdict)
{
	static const int rank[] = { 0, 1, 3, 2 };

	return rank[verdict];
}

static int
worst(int a, int b)
{
	return order(b) > order(a) ? b : a;
}

static const char *const verdict_names[] = { "OK", "WARN", "CRIT", "UNKNOWN" };

/* One problem line, "VERDICT what: why" (sep ": "); text from the backends sanitised. */
static void
line_sep(struct buf *lines, int verdict, const char *what, const char *sep, const char *why)
{
	char w[512], y[1200];

	text_sanitize(what, w, sizeof w);
	text_sanitize(why, y, sizeof y);
	buf_printf(lines, "%s %s%s%s\n", verdict_names[verdict], w, sep, y);
}

static void
line(struct buf *lines, int verdict, const char *what, const char *why)
{
	line_sep(lines, verdict, what, ": ", why);
}

/* A signal against its thresholds (as the Overview): the verdict, and the line when not OK. */
static int
signal(struct buf *lines, const char *svc, double v, double warn, double crit, bool ratio)
{
	char got[32], lim[32], why[128];
	double l;
	int verdict;

	if (isnan(v))
		return VERDICT_OK;
	if (crit > 0 && v >= crit) {
		verdict = VERDICT_CRIT;
		l = crit;
	} else if (warn > 0 && v >= warn) {
		verdict = VERDICT_WARN;
		l = warn;
	} else {
		return VERDICT_OK;
	}
	if (ratio) {
		snprintf(got, sizeof got, "%.1f%%", v * 100.0);
		snprintf(lim, sizeof lim, "%g%%", l * 100.0);
		snprintf(why, sizeof why, "error ratio %s >= %s", got, lim);
	} else {
		format_duration_ms((long long)llround(v * 1000.0), got, sizeof got);
		format_duration_ms((long long)llround(l * 1000.0), lim, sizeof lim);
		snprintf(why, sizeof why, "p99 %s >= %s", got, lim);
	}
	line(lines, verdict, svc, why);
	return verdict;
}

/* What the runtime says is wrong with s (as the Overview's status). */
static int
runtime(struct buf *lines, const struct service *s)
{
	const struct runtime_state *rt = &s->rt;
	char why[600];
	int verdict = VERDICT_OK;

	if (!rt->present)
		return VERDICT_OK;
	if (rt->desired >= 1 && rt->running == 0) {
		snprintf(why, sizeof why, "0 of %ld instances running", rt->desired);
		line(lines, VERDICT_CRIT, s->name, why);
		verdict = VERDICT_CRIT;
	} else if (rt->desired >= 0 && rt->running >= 0 && rt->running < rt->desired) {
		snprintf(why, sizeof why, "%ld of %ld instances running", rt->running, rt->desired);
		line(lines, VERDICT_WARN, s->name, why);
		verdict = VERDICT_WARN;
	}
	if (rt->crash_looping) {
		snprintf(why, sizeof why, "restarting (%ld restarts)", rt->restarts);
		line(lines, VERDICT_CRIT, s->name, why);
		verdict = worst(verdict, VERDICT_CRIT);
	}
	if (rt->problem == STATUS_WARN || rt->problem == STATUS_CRIT) {
		int pv = rt->problem == STATUS_CRIT ? VERDICT_CRIT : VERDICT_WARN;

		snprintf(why, sizeof why, "%s",
			 rt->message != NULL ? rt->message : "runtime problem");
		line(lines, pv, s->name, why);
		verdict = worst(verdict, pv);
	}
	return verdict;
}

static int
service(const struct view_ctx *v, const struct service *s, struct buf *lines)
{
	enum status st = model_service_status(s, v->th, v->now, v->stale_after);
	int verdict = VERDICT_OK;
	char why[64];

	if (st == STATUS_STALE) {
		double newest = 0;
		int k;

		for (k = 0; k < METRIC_COUNT; k++)
			if (s->updated[k] > newest)
				newest = s->updated[k];
		if (s->rt.present && s->rt.updated > newest)
			newest = s->rt.updated;
		char age[32];

		format_duration_ms((long long)llround((v->now - newest) * 1000.0), age, sizeof age);
		snprintf(why, sizeof why, "data %s old", age);
		line(lines, VERDICT_UNKNOWN, s->name, why);
		return VERDICT_UNKNOWN;
	}
	if (st == STATUS_UNKNOWN) {
		line(lines, VERDICT_UNKNOWN, s->name, "no data");
		return VERDICT_UNKNOWN;
	}
	if (v->th != NULL) {
		verdict = worst(verdict, signal(lines, s->name, s->value[METRIC_ERRORS],
						v->th->error_warn, v->th->error_crit, true));
		verdict = worst(verdict, signal(lines, s->name, s->value[METRIC_P99],
						v->th->p99_warn, v->th->p99_crit, false));
	}
	return worst(verdict, runtime(lines, s));
}

/* An alert's verdict: critical (page, error, fatal) CRIT, other severities WARN, info none. */
static int
alert_verdict(const struct alert *a)
{
	if (a->state != ALERT_FIRING)
		return VERDICT_OK;
	if (a->severity != NULL &&
	    (strcasecmp(a->severity, "info") == 0 || strcasecmp(a->severity, "none") == 0))
		return VERDICT_OK;
	return alert_severity_rank(a->severity) >= 3 ? VERDICT_CRIT : VERDICT_WARN;
}

static int
alert(const struct view_ctx *v, const struct alert *a, struct buf *lines)
{
	int verdict = alert_verdict(a);
	char what[400], why[64];
	size_t n = 0;

	if (verdict == VERDICT_OK)
		return verdict;
	n += (size_t)snprintf(what, sizeof what, "alert %s (", a->name);
	if (a->service != NULL)
		n += (size_t)snprintf(what + n, sizeof what - n, "service=%s, ", a->service);
	if (n < sizeof what)
		snprintf(what + n, sizeof what - n, "severity=%s)",
			 a->severity != NULL ? a->severity : "none");
	if (a->since > 0) {
		time_t tt = (time_t)a->since;
		struct tm tm;

		localtime_r(&tt, &tm);
		strftime(why, sizeof why,
			 v->now - a->since < 86400 ? "firing since %H:%M"
						   : "firing since %Y-%m-%d %H:%M",
			 &tm);
	} else {
		snprintf(why, sizeof why, "firing");
	}
	line_sep(lines, verdict, what, " ", why);
	return verdict;
}

int
snapshot_check(const struct snap_data *d, struct buf *lines)
{
	const struct view_ctx *v = d->v;
	int verdict = VERDICT_OK;
	size_t i, n = 0;
	const struct alert *a;

	for (i = 0; i < model_nbackends(v->model); i++) {
		const struct backend_state *b = model_backend_at(v->model, i);
		size_t len = strlen(b->name);
		const char *msg = b->err.msg[0] ? b->err.msg : "no answer";

		if (b->ok)
			continue;
		/* The message names the backend already ("prometheus: ..."): once is enough. */
		if (strncmp(msg, b->name, len) == 0 && msg[len] == ':')
			msg += len + 1 + (msg[len + 1] == ' ');
		line(lines, VERDICT_UNKNOWN, b->name, msg);
		verdict = worst(verdict, VERDICT_UNKNOWN);
	}
	for (i = 0; i < model_nservices(v->model); i++)
		verdict = worst(verdict, service(v, model_service_at(v->model, i), lines));
	a = model_alerts(v->model, &n);
	for (i = 0; i < n; i++)
		verdict = worst(verdict, alert(v, &a[i], lines));
	return verdict;
}
