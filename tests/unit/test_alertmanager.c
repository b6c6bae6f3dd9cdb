/*
 * The Alertmanager v2 parsers against answers captured from a real
 * Alertmanager 0.25 (tests/fixtures/alertmanager: alerts with a Korean
 * service, an ESC in a name and a +01:00 start; alerts suppressed by two
 * silences; the silences, one a regex; a silence POST and its 400), the
 * errors a wrong URL or credentials give, the silence request body, the
 * read-only allow-list, and the merge with Prometheus' /api/v1/alerts
 * (tests/fixtures/prometheus/alerts.json): one row per label set,
 * Alertmanager's state winning, the service label order and aliases,
 * the silence's end.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alertmanager.h"
#include "model.h"
#include "prometheus.h"

static char *
fixture(const char *path, size_t *len)
{
	char full[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(full, sizeof full, TESTS_DIR "/fixtures/%s", path);
	f = fopen(full, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct am_alert *
load_alerts(const char *name, size_t *n)
{
	size_t len;
	char *b = fixture(name, &len);
	struct am_alert *a;
	struct err e;

	assert_int_equal(alertmanager_parse_alerts(200, b, len, &a, n, &e), 0);
	free(b);
	return a;
}

static struct am_silence *
load_silences(const char *name, size_t *n)
{
	size_t len;
	char *b = fixture(name, &len);
	struct am_silence *s;
	struct err e;

	assert_int_equal(alertmanager_parse_silences(200, b, len, &s, n, &e), 0);
	free(b);
	return s;
}

static void
test_alerts(void **state)
{
	size_t n;
	struct am_alert *a = load_alerts("alertmanager/alerts.json", &n);

	(void)state;
	assert_int_equal(n, 3);
	/* Labels sorted by name, text kept as it came (sanitised when drawn). */
	assert_string_equal(a[0].labels[0].name, "alertname");
	assert_string_equal(a[0].labels[0].value, "DiskFull\x1b[31m");
	assert_string_equal(prom_label_get(a[0].labels, a[0].nlabels, "service"),
			    "\xec\xa3\xbc\xeb\xac\xb8");
	assert_string_equal(prom_label_get(a[0].annotations, a[0].nannotations, "description"),
			    "disk at 97% \xe2\x9c\x93 e\xcc\x81");
	assert_int_equal(a[0].state, AM_ACTIVE);
	assert_string_equal(a[0].fingerprint, "029523c65ac265fb");
	/* "2026-11-23T04:00:00.000+01:00" is 03:00Z. */
	assert_true(fabs(a[0].starts_at - 1795402800.0) < 0.001);
	assert_string_equal(prom_label_get(a[2].labels, a[2].nlabels, "alertname"),
			    "HighErrorRatio");
	assert_int_equal(a[2].nlabels, 4);
	assert_true(fabs(a[2].starts_at - 1795411334.198) < 0.001);
	assert_int_equal(a[2].nsilenced_by, 0);
	alertmanager_alerts_free(a, n);
}

static void
test_suppressed(void **state)
{
	size_t n;
	struct am_alert *a = load_alerts("alertmanager/alerts_regex.json", &n);

	(void)state;
	assert_int_equal(n, 3);
	assert_int_equal(a[0].state, AM_ACTIVE);
	assert_int_equal(a[1].state, AM_SUPPRESSED);
	assert_int_equal(a[1].nsilenced_by, 2);
	assert_string_equal(a[1].silenced_by[0], "21b86fc6-d1f5-44d7-8177-ae07dc00d0fb");
	assert_string_equal(a[1].silenced_by[1], "62d4b669-68b9-42f1-bcde-0f5a7308e545");
	assert_int_equal(a[2].state, AM_SUPPRESSED);
	assert_int_equal(a[2].nsilenced_by, 1);
	alertmanager_alerts_free(a, n);
}

static void
test_silences(void **state)
{
	size_t n;
	struct am_silence *s = load_silences("alertmanager/silences_regex.json", &n);
	size_t i, regex = 0;

	(void)state;
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		assert_int_equal(s[i].state, AM_SILENCE_ACTIVE);
		if (strcmp(s[i].id, "62d4b669-68b9-42f1-bcde-0f5a7308e545") == 0) {
			regex++;
			assert_int_equal(s[i].nmatchers, 1);
			assert_true(s[i].matchers[0].is_regex);
			assert_true(s[i].matchers[0].is_equal);
			assert_string_equal(s[i].matchers[0].value, "High.*");
			assert_string_equal(s[i].comment, "regex");
			assert_true(fabs(s[i].ends_at - 1795418543.0) < 0.001);
		} else {
			assert_string_equal(s[i].created_by, "opsdeck (kim)");
			assert_string_equal(s[i].comment, "deploy in progress");
			assert_int_equal(s[i].nmatchers, 2);
			assert_false(s[i].matchers[1].is_regex);
			assert_string_equal(s[i].matchers[1].name, "service");
		}
	}
	assert_int_equal(regex, 1);
	/* The latest end among the ids an alert is silenced by. */
	assert_true(fabs(alertmanager_silence_end("21b86fc6-d1f5-44d7-8177-ae07dc00d0fb,"
						  "62d4b669-68b9-42f1-bcde-0f5a7308e545",
						  s, n) -
			 1795418543.0) < 0.001);
	assert_true(fabs(alertmanager_silence_end("21b86fc6-d1f5-44d7-8177-ae07dc00d0fb", s, n) -
			 1795418537.0) < 0.001);
	assert_true(alertmanager_silence_end("unknown", s, n) == 0);
	assert_true(alertmanager_silence_end(NULL, s, n) == 0);
	alertmanager_silences_free(s, n);
}

static void
test_silence_post(void **state)
{
	size_t len;
	char *b = fixture("alertmanager/silence_post.json", &len), id[64];
	struct err e;

	(void)state;
	assert_int_equal(alertmanager_parse_silence_id(200, b, len, id, sizeof id, &e), 0);
	assert_string_equal(id, "62d4b669-68b9-42f1-bcde-0f5a7308e545");
	free(b);
	/* Alertmanager's own 400: its message verbatim. */
	b = fixture("alertmanager/silence_error_400.json", &len);
	assert_int_equal(alertmanager_parse_silence_id(400, b, len, id, sizeof id, &e), -1);
	assert_int_equal(e.code, ERR_HTTP);
	assert_non_null(strstr(e.msg, "alertmanager: /api/v2/silences: HTTP 400 Bad Request: "
				      "parsing silence body"));
	assert_string_equal(id, "");
	free(b);
	assert_int_equal(alertmanager_parse_silence_id(200, "{}", 2, id, sizeof id, &e), -1);
	assert_non_null(strstr(e.msg, "no \"silenceID\""));
}

static void
test_errors(void **state)
{
	struct am_alert *a;
	struct am_silence *s;
	size_t n;
	struct err e;
	const char *html = "<html><body>Sign in</body></html>";

	(void)state;
	assert_int_equal(alertmanager_parse_alerts(401, "Unauthorized\n", 13, &a, &n, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_non_null(strstr(e.msg, "HTTP 401"));
	assert_non_null(strstr(e.msg, "[alertmanager] token_file"));
	assert_null(a);
	assert_int_equal(alertmanager_parse_alerts(404, "404 page not found", 18, &a, &n, &e), -1);
	assert_non_null(strstr(e.msg, "check [alertmanager] url"));
	assert_int_equal(alertmanager_parse_alerts(200, html, strlen(html), &a, &n, &e), -1);
	assert_int_equal(e.code, ERR_PARSE);
	assert_non_null(strstr(e.msg, "not JSON"));
	assert_int_equal(alertmanager_parse_alerts(0, NULL, 0, &a, &n, &e), -1);
	assert_non_null(strstr(e.msg, "no answer"));
	assert_int_equal(alertmanager_parse_alerts(200, "{}", 2, &a, &n, &e), -1);
	assert_non_null(strstr(e.msg, "not an array"));
	assert_int_equal(alertmanager_parse_alerts(200, "[{\"labels\":{\"a\":1}}]", 20, &a, &n, &e),
			 -1);
	assert_non_null(strstr(e.msg, "alert label \"a\" is not a string"));
	assert_int_equal(alertmanager_parse_alerts(200, "[{\"labels\":{}}]", 15, &a, &n, &e), -1);
	assert_non_null(strstr(e.msg, "no \"status\""));
	{
		const char *bad = "[{\"status\":{\"state\":\"active\"},\"startsAt\":\"x\"}]";

		assert_int_equal(alertmanager_parse_alerts(200, bad, strlen(bad), &a, &n, &e), -1);
	}
	assert_non_null(strstr(e.msg, "startsAt \"x\" is not RFC 3339"));
	assert_int_equal(alertmanager_parse_alerts(200, "[]", 2, &a, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_null(a);
	assert_int_equal(alertmanager_parse_silences(503, "{\"code\":503,\"message\":\"busy\"}", 29,
						     &s, &n, &e),
			 -1);
	assert_int_equal(e.code, ERR_BACKEND);
	assert_non_null(strstr(e.msg, "HTTP 503"));
	assert_non_null(strstr(e.msg, "busy"));
	assert_int_equal(alertmanager_parse_silences(200, "[{\"status\":{}}]", 15, &s, &n, &e), -1);
	assert_non_null(strstr(e.msg, "no \"id\""));
}

static void
test_body(void **state)
{
	struct am_matcher m[2] = { { "alertname", "HighErrorRatio", false, true },
				   { "service", "bad\xff\"q", false, true } };
	char *b;

	(void)state;
	b = alertmanager_silence_body(m, 2, 1795411334.5, 1795418534.5, "opsdeck (kim)",
				      "deploy \xe2\x9c\x93");
	assert_string_equal(b,
			    "{\"matchers\":[{\"name\":\"alertname\",\"value\":\"HighErrorRatio\","
			    "\"isRegex\":false,\"isEqual\":true},{\"name\":\"service\",\"value\":"
			    "\"bad\xef\xbf\xbd\\\"q\",\"isRegex\":false,\"isEqual\":true}],"
			    "\"startsAt\":\"2026-11-23T05:22:14.500Z\",\"endsAt\":"
			    "\"2026-11-23T07:22:14.500Z\",\"createdBy\":\"opsdeck (kim)\","
			    "\"comment\":\"deploy \xe2\x9c\x93\"}");
	free(b);
}

static void
test_is_read(void **state)
{
	(void)state;
	assert_true(alertmanager_is_read(HTTP_GET, "/api/v2/alerts"));
	assert_true(alertmanager_is_read(HTTP_GET, "/api/v2/alerts?active=true"));
	assert_true(alertmanager_is_read(HTTP_GET, "/api/v2/silences"));
	assert_true(alertmanager_is_read(HTTP_GET, "/api/v2/silence/21b86fc6"));
	assert_true(alertmanager_is_read(HTTP_GET, "/api/v2/status"));
	assert_true(alertmanager_is_read(HTTP_GET, "/-/ready"));
	assert_false(alertmanager_is_read(HTTP_POST, "/api/v2/silences"));
	assert_false(alertmanager_is_read(HTTP_POST, "/api/v2/alerts"));
	assert_false(alertmanager_is_read(HTTP_DELETE, "/api/v2/silence/21b86fc6"));
	assert_false(alertmanager_is_read(HTTP_GET, "/api/v2/silences/x"));
	assert_false(alertmanager_is_read(HTTP_GET, "/api/v2/alertsX"));
	assert_false(alertmanager_is_read(HTTP_GET, "/api/v2/silence/"));
	assert_false(alertmanager_is_read(HTTP_GET, "/-/reload"));
	assert_false(alertmanager_is_read(HTTP_GET, NULL));
}

static void
never(void *ud, const struct http_response *r)
{
	(void)ud, (void)r;
	fail_msg("a refused request must not complete");
}

/* Read-only: http.c refuses the silence POST before it reaches the network. */
static void
test_readonly_guard(void **state)
{
	struct http_endpoint ep = { .name = "alertmanager",
				    .url = "http://127.0.0.1:1",
				    .is_read = alertmanager_is_read };
	struct err e;
	struct http *h = http_new(&e);

	(void)state;
	assert_non_null(h);
	http_set_readonly(h, true);
	/* Even declared a read by a careless caller, the allow-list says no. */
	assert_int_equal(http_submit(h, &ep, HTTP_POST, alertmanager_silences_path(), "{}", true,
				     never, NULL, &e),
			 -1);
	assert_int_equal(e.code, ERR_READONLY);
	assert_int_equal(http_submit(h, &ep, HTTP_POST, alertmanager_silences_path(), "{}", false,
				     never, NULL, &e),
			 -1);
	assert_int_equal(e.code, ERR_READONLY);
	assert_int_equal(http_pending(h), 0);
	/* The reads still go out. */
	assert_int_equal(http_submit(h, &ep, HTTP_GET, alertmanager_alerts_path(), NULL, true,
				     never, NULL, &e),
			 0);
	assert_int_equal(http_pending(h), 1);
	http_free(h);
}

static const char *
alias(void *ud, const char *v)
{
	(void)ud;
	return strcmp(v, "payments") == 0 ? "Payments API" : v;
}

static const struct alert *
find(const struct alert *r, size_t n, const char *name, const char *service)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(r[i].name, name) == 0 &&
		    (service == NULL ? r[i].service == NULL
				     : r[i].service != NULL && strcmp(r[i].service, service) == 0))
			return &r[i];
	return NULL;
}

static void
test_merge(void **state)
{
	static const char *const labels[] = { "service", "job" };
	struct alerts_merge_opts o = { labels, 2, alias, NULL };
	size_t npa, naa, nsil, n, len, i;
	char *b = fixture("prometheus/alerts.json", &len);
	struct prom_alert *pa;
	struct am_alert *aa = load_alerts("alertmanager/alerts_regex.json", &naa);
	struct am_silence *sil = load_silences("alertmanager/silences_regex.json", &nsil);
	struct alert *r;
	const struct alert *x;
	struct err e;

	(void)state;
	assert_int_equal(prometheus_parse_alerts(200, b, len, &pa, &npa, &e), 0);
	free(b);
	assert_int_equal(npa, 2);
	r = alertmanager_merge(pa, npa, aa, naa, sil, nsil, &o, &n);
	assert_int_equal(n, 5);
	/* Prometheus' pending alert. */
	x = find(r, n, "SlowCheckout",
		 "\xf0\x9f\x9b\x92"
		 "cart");
	assert_non_null(x);
	assert_int_equal(x->state, ALERT_PENDING);
	assert_string_equal(x->source, "prometheus");
	assert_string_equal(x->severity, "warning");
	assert_string_equal(x->summary, "p99 above 2s");
	assert_int_equal(strlen(x->fingerprint), 16);
	/* Silenced by two silences: the later end; service "job" after "service". */
	x = find(r, n, "HighLatency", "Payments API");
	assert_non_null(x);
	assert_int_equal(x->state, ALERT_SILENCED);
	assert_string_equal(x->source, "alertmanager");
	assert_string_equal(x->silenced_by, "21b86fc6-d1f5-44d7-8177-ae07dc00d0fb,"
					    "62d4b669-68b9-42f1-bcde-0f5a7308e545");
	assert_true(fabs(x->silence_ends - 1795418543.0) < 0.001);
	assert_string_equal(x->fingerprint, "158b4cbced280641");
	x = find(r, n, "DiskFull\x1b[31m", "\xec\xa3\xbc\xeb\xac\xb8");
	assert_non_null(x);
	assert_int_equal(x->state, ALERT_FIRING);
	assert_string_equal(x->summary, "disk at 97% \xe2\x9c\x93 e\xcc\x81"); /* description */
	assert_int_equal(x->nlabels, 3);
	assert_string_equal(x->labels[0], "alertname");
	assert_string_equal(x->labels[5], "info");
	for (i = 0; i < n; i++)
		model_alert_clear(&r[i]);
	free(r);

	/* The same label set on both sides is one row: "both", the earlier start. */
	{
		/* Give Alertmanager's first alert exactly Prometheus' first label set. */
		size_t k;

		for (k = 0; k < aa[0].nlabels; k++) {
			free(aa[0].labels[k].name);
			free(aa[0].labels[k].value);
		}
		free(aa[0].labels);
		aa[0].nlabels = pa[0].nlabels;
		aa[0].labels = calloc(pa[0].nlabels, sizeof *aa[0].labels);
		for (k = 0; k < pa[0].nlabels; k++) {
			aa[0].labels[k].name = strdup(pa[0].labels[k].name);
			aa[0].labels[k].value = strdup(pa[0].labels[k].value);
		}
	}
	r = alertmanager_merge(pa, npa, aa, naa, sil, nsil, &o, &n);
	assert_int_equal(n, 4);
	x = find(r, n, "HighErrorRate", "\xec\xa3\xbc\xeb\xac\xb8");
	assert_non_null(x);
	assert_string_equal(x->source, "both");
	assert_int_equal(x->state, ALERT_FIRING);
	assert_true(fabs(x->since - 1795390954.193) < 0.01); /* Prometheus' activeAt, earlier */
	assert_string_equal(x->summary, "disk at 97% \xe2\x9c\x93 e\xcc\x81");
	for (i = 0; i < n; i++)
		model_alert_clear(&r[i]);
	free(r);

	/* Nothing on either side. */
	assert_null(alertmanager_merge(NULL, 0, NULL, 0, NULL, 0, &o, &n));
	assert_int_equal(n, 0);
	/* Only inactive Prometheus alerts: nothing. */
	pa[0].state = PROM_ALERT_INACTIVE;
	pa[1].state = PROM_ALERT_INACTIVE;
	assert_null(alertmanager_merge(pa, npa, NULL, 0, NULL, 0, &o, &n));
	prometheus_alerts_free(pa, npa);
	alertmanager_alerts_free(aa, naa);
	alertmanager_silences_free(sil, nsil);
}

/* Into the model: worst first, each service's firing count and worst rank. */
static void
test_model(void **state)
{
	static const char *const labels[] = { "service" };
	struct alerts_merge_opts o = { labels, 1, NULL, NULL };
	size_t naa, nsil, n;
	struct am_alert *aa = load_alerts("alertmanager/alerts_regex.json", &naa);
	struct am_silence *sil = load_silences("alertmanager/silences_regex.json", &nsil);
	struct model *m = model_new(8, 16);
	const struct alert *al;
	struct alert *r;
	int worst;

	(void)state;
	model_service(m, "payments", true);
	model_service(m, "\xec\xa3\xbc\xeb\xac\xb8", true);
	r = alertmanager_merge(NULL, 0, aa, naa, sil, nsil, &o, &n);
	model_set_alerts(m, r, n);
	al = model_alerts(m, &n);
	assert_int_equal(n, 3);
	assert_int_equal(al[0].state, ALERT_FIRING);
	assert_int_equal(al[1].state, ALERT_SILENCED);
	assert_int_equal(model_firing_alerts(m, &worst), 1);
	assert_int_equal(worst, 1);                                              /* info */
	assert_int_equal(model_service(m, "payments", false)->alerts_firing, 0); /* silenced */
	assert_int_equal(model_service(m, "\xec\xa3\xbc\xeb\xac\xb8", false)->alerts_firing, 1);
	model_free(m);
	alertmanager_alerts_free(aa, naa);
	alertmanager_silences_free(sil, nsil);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alerts),   cmocka_unit_test(test_suppressed),
		cmocka_unit_test(test_silences), cmocka_unit_test(test_silence_post),
		cmocka_unit_test(test_errors),   cmocka_unit_test(test_body),
		cmocka_unit_test(test_is_read),  cmocka_unit_test(test_merge),
		cmocka_unit_test(test_model),    cmocka_unit_test(test_readonly_guard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
