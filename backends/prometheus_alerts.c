/*
 * prometheus_alerts.c - the /api/v1/alerts and /api/v1/targets parsers,
 * and the RFC 3339 times they carry.
 */
#include "prometheus.h"
#include "prometheus_internal.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parse.h"
#include "xalloc.h"

/* ---- time -------------------------------------------------------------- */

int
prometheus_parse_time(const char *s, double *out)
{
	if (parse_rfc3339(s, out) < 0)
		return -1;
	if (*out < 0)
		*out = 0; /* Go's zero time and anything before 1970: unknown */
	return 0;
}

static const char *
get_str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- alerts ------------------------------------------------------------ */

static void
alert_done(struct prom_alert *a)
{
	prometheus_labels_free(a->labels, a->nlabels);
	prometheus_labels_free(a->annotations, a->nannotations);
}

void
prometheus_alerts_free(struct prom_alert *a, size_t n)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < n; i++)
		alert_done(&a[i]);
	free(a);
}

static int
parse_alert(const json_t *j, struct prom_alert *a, struct err *e)
{
	const char *state, *at, *val;

	a->value = NAN;
	if (!json_is_object(j))
		return err_set(e, ERR_PARSE, "prometheus: an alert is not an object");
	if (prometheus_parse_labels(json_object_get(j, "labels"), "alert label", &a->labels,
				    &a->nlabels, e) < 0)
		return -1;
	if (prometheus_parse_labels(json_object_get(j, "annotations"), "annotation",
				    &a->annotations, &a->nannotations, e) < 0)
		return -1;
	state = get_str(j, "state");
	if (state == NULL)
		return err_set(e, ERR_PARSE, "prometheus: an alert has no \"state\"");
	if (strcmp(state, "firing") == 0)
		a->state = PROM_ALERT_FIRING;
	else if (strcmp(state, "pending") == 0)
		a->state = PROM_ALERT_PENDING;
	else
		a->state = PROM_ALERT_INACTIVE;
	at = get_str(j, "activeAt");
	if (at != NULL && prometheus_parse_time(at, &a->active_at) < 0)
		return err_set(e, ERR_PARSE, "prometheus: alert activeAt \"%.40s\" is not RFC 3339",
			       at);
	val = get_str(j, "value");
	if (val != NULL && prometheus_parse_value(val, &a->value) < 0)
		a->value = NAN;
	return 0;
}

int
prometheus_parse_alerts(long status, const char *body, size_t len, struct prom_alert **out,
			size_t *n, struct err *e)
{
	json_t *root;
	const json_t *data, *alerts;
	struct prom_alert *a = NULL;
	size_t i, cnt = 0;

	*out = NULL;
	*n = 0;
	root = prometheus_load_envelope(status, body, len, e);
	if (root == NULL)
		return -1;
	data = json_object_get(root, "data");
	alerts = json_is_object(data) ? json_object_get(data, "alerts") : NULL;
	if (!json_is_array(alerts)) {
		json_decref(root);
		return err_set(e, ERR_PARSE,
			       "prometheus: alerts response has no \"data.alerts\" array");
	}
	if (json_array_size(alerts) > 0)
		a = xcalloc(json_array_size(alerts), sizeof *a);
	for (i = 0; i < json_array_size(alerts); i++) {
		cnt++;
		if (parse_alert(json_array_get(alerts, i), &a[i], e) < 0) {
			prometheus_alerts_free(a, cnt);
			json_decref(root);
			return -1;
		}
	}
	json_decref(root);
	*out = a;
	*n = cnt;
	return 0;
}

/* ---- targets ----------------------------------------------------------- */

static void
target_done(struct prom_target *t)
{
	free(t->job);
	free(t->instance);
	free(t->scrape_url);
	free(t->health);
	free(t->last_error);
}

void
prometheus_targets_free(struct prom_target *t, size_t n)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < n; i++)
		target_done(&t[i]);
	free(t);
}

static char *
dup_or(const char *s, const char *dflt)
{
	return xstrdup(s != NULL ? s : dflt);
}

static int
parse_target(const json_t *j, struct prom_target *t, struct err *e)
{
	const json_t *labels, *dur;
	const char *job, *ls;

	if (!json_is_object(j))
		return err_set(e, ERR_PARSE, "prometheus: a target is not an object");
	labels = json_object_get(j, "labels");
	job = json_is_object(labels) ? get_str(labels, "job") : NULL;
	t->job = dup_or(job != NULL ? job : get_str(j, "scrapePool"), "");
	t->instance = dup_or(json_is_object(labels) ? get_str(labels, "instance") : NULL, "");
	t->scrape_url = dup_or(get_str(j, "scrapeUrl"), "");
	t->health = dup_or(get_str(j, "health"), "unknown");
	t->last_error = dup_or(get_str(j, "lastError"), "");
	ls = get_str(j, "lastScrape");
	if (ls != NULL && prometheus_parse_time(ls, &t->last_scrape) < 0)
		return err_set(e, ERR_PARSE,
			       "prometheus: target lastScrape \"%.40s\" is not RFC 3339", ls);
	dur = json_object_get(j, "lastScrapeDuration");
	t->last_scrape_seconds = json_is_number(dur) ? json_number_value(dur) : 0;
	return 0;
}

int
prometheus_parse_targets(long status, const char *body, size_t len, struct prom_target **out,
			 size_t *n, struct err *e)
{
	json_t *root;
	const json_t *data, *act;
	struct prom_target *t = NULL;
	size_t i, cnt = 0;

	*out = NULL;
	*n = 0;
	root = prometheus_load_envelope(status, body, len, e);
	if (root == NULL)
		return -1;
	data = json_object_get(root, "data");
	act = json_is_object(data) ? json_object_get(data, "activeTargets") : NULL;
	if (act != NULL && json_is_null(act))
		act = NULL;
	if (act != NULL && !json_is_array(act)) {
		json_decref(root);
		return err_set(e, ERR_PARSE, "prometheus: \"data.activeTargets\" is not an array");
	}
	if (!json_is_object(data)) {
		json_decref(root);
		return err_set(e, ERR_PARSE, "prometheus: targets response has no \"data\" object");
	}
	if (act != NULL && json_array_size(act) > 0)
		t = xcalloc(json_array_size(act), sizeof *t);
	for (i = 0; act != NULL && i < json_array_size(act); i++) {
		cnt++;
		if (parse_target(json_array_get(act, i), &t[i], e) < 0) {
			prometheus_targets_free(t, cnt);
			json_decref(root);
			return -1;
		}
	}
	json_decref(root);
	*out = t;
	*n = cnt;
	return 0;
}
