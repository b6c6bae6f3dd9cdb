/*
 * fuzz_alertmanager.c - libFuzzer harness for the Alertmanager parsers,
 * the merge with Prometheus' alerts, the silence body and the allow-list.
 *
 * Every input is fed to the alerts, silences and silence-id parsers under
 * the statuses Alertmanager and proxies answer with, and to Prometheus'
 * alerts parser; the results are checked for the parsers' promises: empty
 * output and a message naming alertmanager on failure; on success labels
 * sorted, states known, times not negative.  What parsed is merged (each
 * row's labels sorted, a source of the three, silenced rows from
 * Alertmanager only) and every row's labels become a silence body that
 * must be JSON.  The input is also a path for the allow-list (never a
 * read as a POST).  The corpus holds the fixtures verbatim, so `make test`
 * re-checks them.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alertmanager.h"
#include "model.h"
#include "prometheus.h"

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static void
check_err(const struct err *e)
{
	CHECK(e->code != ERR_OK);
	CHECK(memchr(e->msg, '\0', sizeof e->msg) != NULL);
	CHECK(strncmp(e->msg, "alertmanager: ", 14) == 0);
}

static void
check_labels(const struct prom_label *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		CHECK(l[i].name != NULL && l[i].value != NULL);
		if (i > 0)
			CHECK(strcmp(l[i - 1].name, l[i].name) < 0);
	}
}

static void
check_rows(struct alert *r, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		struct am_matcher *m = calloc(r[i].nlabels + 1, sizeof *m);
		json_t *j;
		char *body;

		CHECK(r[i].name != NULL && r[i].source != NULL && r[i].fingerprint != NULL);
		CHECK(strcmp(r[i].source, "prometheus") == 0 ||
		      strcmp(r[i].source, "alertmanager") == 0 || strcmp(r[i].source, "both") == 0);
		CHECK(r[i].state <= ALERT_SILENCED);
		CHECK(r[i].state != ALERT_SILENCED || strcmp(r[i].source, "prometheus") != 0);
		CHECK(r[i].since >= 0 && r[i].silence_ends >= 0);
		for (k = 0; k < r[i].nlabels; k++) {
			if (k > 0)
				CHECK(strcmp(r[i].labels[2 * k - 2], r[i].labels[2 * k]) < 0);
			m[k].name = r[i].labels[2 * k];
			m[k].value = r[i].labels[2 * k + 1];
			m[k].is_equal = true;
		}
		body = alertmanager_silence_body(m, r[i].nlabels, r[i].since, r[i].since + 60,
						 r[i].name, r[i].summary);
		j = json_loads(body, 0, NULL);
		CHECK(j != NULL && json_array_size(json_object_get(j, "matchers")) == r[i].nlabels);
		json_decref(j);
		free(body);
		free(m);
		model_alert_clear(&r[i]);
	}
	free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 401, 404, 500, 0 };
	static const char *const labels[] = { "service", "job" };
	struct alerts_merge_opts o = { labels, 2, NULL, NULL };
	/* an exact-size copy, so reading past len is caught */
	char *body = malloc(size ? size : 1);
	char *str = malloc(size + 1);
	struct am_alert *aa = NULL;
	struct am_silence *sil = NULL;
	struct prom_alert *pa = NULL;
	size_t naa = 0, nsil = 0, npa = 0, i, k, n;
	char id[64];
	struct alert *rows;
	struct err e;

	if (size > 0)
		memcpy(body, data, size);
	memcpy(str, data, size);
	str[size] = '\0';
	for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		struct am_alert *a;
		struct am_silence *s;
		size_t na, ns;

		if (alertmanager_parse_alerts(statuses[i], body, size, &a, &na, &e) == 0) {
			CHECK(statuses[i] == 200);
			for (k = 0; k < na; k++) {
				check_labels(a[k].labels, a[k].nlabels);
				check_labels(a[k].annotations, a[k].nannotations);
				CHECK(a[k].state <= AM_UNPROCESSED);
				CHECK(a[k].starts_at >= 0 && a[k].ends_at >= 0);
			}
			if (aa == NULL) {
				aa = a;
				naa = na;
			} else {
				alertmanager_alerts_free(a, na);
			}
		} else {
			check_err(&e);
			CHECK(a == NULL && na == 0);
		}
		if (alertmanager_parse_silences(statuses[i], body, size, &s, &ns, &e) == 0) {
			CHECK(statuses[i] == 200);
			for (k = 0; k < ns; k++)
				CHECK(s[k].id != NULL && s[k].state <= AM_SILENCE_EXPIRED);
			if (sil == NULL) {
				sil = s;
				nsil = ns;
			} else {
				alertmanager_silences_free(s, ns);
			}
		} else {
			check_err(&e);
			CHECK(s == NULL && ns == 0);
		}
		if (alertmanager_parse_silence_id(statuses[i], body, size, id, sizeof id, &e) == 0)
			CHECK(id[0] != '\0' && statuses[i] == 200);
		else
			check_err(&e);
	}
	if (prometheus_parse_alerts(200, body, size, &pa, &npa, &e) < 0)
		CHECK(pa == NULL && npa == 0);
	rows = alertmanager_merge(pa, npa, aa, naa, sil, nsil, &o, &n);
	check_rows(rows, n);
	rows = alertmanager_merge(NULL, 0, aa, naa, NULL, 0, &o, &n);
	check_rows(rows, n);
	(void)alertmanager_silence_end(str, sil, nsil);
	(void)alertmanager_is_read(HTTP_GET, str);
	CHECK(!alertmanager_is_read(HTTP_POST, str));
	CHECK(!alertmanager_is_read(HTTP_DELETE, str));
	prometheus_alerts_free(pa, npa);
	alertmanager_alerts_free(aa, naa);
	alertmanager_silences_free(sil, nsil);
	free(str);
	free(body);
	return 0;
}
