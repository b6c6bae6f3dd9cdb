/*
 * fuzz_prometheus.c - libFuzzer harness for the Prometheus parsers.
 *
 * Every input is fed to the query, alerts and targets parsers under the
 * HTTP statuses Prometheus and proxies answer with, and the results are
 * checked for the parsers' promises (empty output on failure, a message
 * that names the backend, sorted labels, one series for scalars and
 * strings).  Vector results are then applied to a small model, as the
 * poller does, to exercise the join.  The corpus holds the captured
 * fixtures verbatim, so the replay driver re-checks them on every
 * `make test`.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "prometheus.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static void
check_err(const struct err *e)
{
	CHECK(e->code != ERR_OK);
	CHECK(strncmp(e->msg, "prometheus: ", 12) == 0);
	CHECK(memchr(e->msg, '\0', sizeof e->msg) != NULL);
}

static void
check_labels(const struct prom_label *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		CHECK(l[i].name != NULL && l[i].value != NULL);
		if (i > 0)
			CHECK(strcmp(l[i - 1].name, l[i].name) <= 0);
	}
}

static void
query(long status, const char *body, size_t len, struct model *m)
{
	struct prom_result r;
	struct err e;
	size_t i, n = 0;
	const char **names;
	double *values;

	err_clear(&e);
	if (prometheus_parse_query(status, body, len, &r, &e) < 0) {
		check_err(&e);
		CHECK(r.series == NULL && r.nseries == 0 && r.warnings == NULL);
		return;
	}
	if (r.type == PROM_SCALAR || r.type == PROM_STRING)
		CHECK(r.nseries == 1 && r.series[0].nsamples == 1);
	if (r.type == PROM_STRING)
		CHECK(r.series[0].string != NULL);
	for (i = 0; i < r.nwarnings; i++)
		CHECK(r.warnings[i] != NULL);
	names = calloc(r.nseries + 1, sizeof *names);
	values = calloc(r.nseries + 1, sizeof *values);
	for (i = 0; i < r.nseries; i++) {
		const struct prom_series *s = &r.series[i];
		const char *svc;

		check_labels(s->labels, s->nlabels);
		CHECK(s->nsamples == 0 || s->samples != NULL);
		svc = prom_label_get(s->labels, s->nlabels, "service");
		if (svc != NULL && s->nsamples > 0) {
			names[n] = svc;
			values[n++] = s->samples[s->nsamples - 1].v;
			model_append_point(m, model_service(m, svc, true), METRIC_RPS,
					   s->samples[0].t, s->samples[0].v);
		}
	}
	model_apply_metric(m, METRIC_ERRORS, names, values, n, 100);
	for (i = 0; i < model_nservices(m); i++) {
		static const struct thresholds th = { 0.01, 0.05, 0.5, 1 };

		CHECK(model_service_status(model_service_at(m, i), &th, 100, 30) < STATUS_COUNT);
	}
	free(names);
	free(values);
	prometheus_result_done(&r);
}

static void
alerts(long status, const char *body, size_t len)
{
	struct prom_alert *a;
	struct err e;
	size_t n, i;

	err_clear(&e);
	if (prometheus_parse_alerts(status, body, len, &a, &n, &e) < 0) {
		check_err(&e);
		CHECK(a == NULL && n == 0);
		return;
	}
	for (i = 0; i < n; i++) {
		check_labels(a[i].labels, a[i].nlabels);
		check_labels(a[i].annotations, a[i].nannotations);
		CHECK(a[i].active_at >= 0);
	}
	prometheus_alerts_free(a, n);
}

static void
targets(long status, const char *body, size_t len)
{
	struct prom_target *t;
	struct err e;
	size_t n, i;

	err_clear(&e);
	if (prometheus_parse_targets(status, body, len, &t, &n, &e) < 0) {
		check_err(&e);
		CHECK(t == NULL && n == 0);
		return;
	}
	for (i = 0; i < n; i++)
		CHECK(t[i].job && t[i].instance && t[i].scrape_url && t[i].health && t[i].last_error);
	prometheus_targets_free(t, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 422, 503, 502, 401 };
	/* an exact-size copy, so reading past len is caught */
	char *body = malloc(size ? size : 1);
	struct model *m = model_new(4, 8);
	size_t i;

	if (size > 0)
		memcpy(body, data, size);
	for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		query(statuses[i], body, size, m);
		alerts(statuses[i], body, size);
		targets(statuses[i], body, size);
	}
	model_free(m);
	free(body);
	return 0;
}
