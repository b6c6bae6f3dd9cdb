/*
 * test_prometheus.c - the Prometheus parsers against payloads captured from
 * a real Prometheus 2.42 (tests/fixtures/prometheus, see capture.sh), plus
 * builders and presets.
 */
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "prometheus.h"

#define FIX TESTS_DIR "/fixtures/prometheus/"

/* new: the fixture's bytes; *status from NAME.status. */
static char *
fixture(const char *name, size_t *len, long *status)
{
	char path[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, FIX "%s.json", name);
	f = fopen(path, "rb");
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
	if (status != NULL) {
		snprintf(path, sizeof path, FIX "%s.status", name);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_int_equal(fscanf(f, "%ld", status), 1);
		fclose(f);
	}
	return buf;
}

static const struct prom_series *
find_series(const struct prom_result *r, const char *label, const char *value,
	    const char *label2, const char *value2)
{
	size_t i;

	for (i = 0; i < r->nseries; i++) {
		const char *v = prom_label_get(r->series[i].labels, r->series[i].nlabels, label);
		const char *v2 = label2 ? prom_label_get(r->series[i].labels, r->series[i].nlabels,
							 label2)
					: NULL;

		if (v != NULL && strcmp(v, value) == 0 &&
		    (label2 == NULL || (v2 != NULL && strcmp(v2, value2) == 0)))
			return &r->series[i];
	}
	return NULL;
}

static void
test_vector(void **state)
{
	struct prom_result r;
	struct err e;
	size_t len, i;
	long st;
	char *b = fixture("vector", &len, &st);
	const struct prom_series *s;

	(void)state;
	assert_int_equal(prometheus_parse_query(st, b, len, &r, &e), 0);
	assert_int_equal(r.type, PROM_VECTOR);
	assert_int_equal(r.nseries, 5);
	assert_int_equal(r.nwarnings, 0);
	for (i = 0; i < r.nseries; i++) {
		assert_int_equal(r.series[i].nlabels, 2);
		/* sorted by name */
		assert_string_equal(r.series[i].labels[0].name, "code");
		assert_string_equal(r.series[i].labels[1].name, "service");
		assert_int_equal(r.series[i].nsamples, 1);
		assert_true(r.series[i].samples[0].t > 1.6e9);
		assert_true(r.series[i].samples[0].v > 0);
	}
	s = find_series(&r, "service", "주문", "code", "200");
	assert_non_null(s);
	s = find_series(&r, "service", "🛒cart", "code", "503");
	assert_non_null(s);
	s = find_series(&r, "service", "orders", "code", "500");
	assert_non_null(s);
	prometheus_result_done(&r);
	assert_int_equal(r.nseries, 0);
	free(b);
}

static void
test_vector_rate_values(void **state)
{
	struct prom_result r;
	struct err e;
	size_t len;
	long st;
	char *b = fixture("vector_rate", &len, &st);

	(void)state;
	assert_int_equal(prometheus_parse_query(st, b, len, &r, &e), 0);
	assert_int_equal(r.nseries, 3);
	assert_true(find_series(&r, "service", "orders", NULL, NULL)->samples[0].v == 50);
	assert_true(find_series(&r, "service", "주문", NULL, NULL)->samples[0].v == 12);
	assert_true(find_series(&r, "service", "🛒cart", NULL, NULL)->samples[0].v == 4);
	prometheus_result_done(&r);
	free(b);
}

static void
test_vector_special_values(void **state)
{
	struct prom_result r;
	struct err e;
	size_t len;
	long st;
	char *b = fixture("vector_special", &len, &st);

	(void)state;
	assert_int_equal(prometheus_parse_query(st, b, len, &r, &e), 0);
	assert_int_equal(r.nseries, 3);
	assert_true(isnan(find_series(&r, "k", "nan", NULL, NULL)->samples[0].v));
	assert_true(find_series(&r, "k", "inf", NULL, NULL)->samples[0].v == INFINITY);
	assert_true(find_series(&r, "k", "neginf", NULL, NULL)->samples[0].v == -INFINITY);
	prometheus_result_done(&r);
	free(b);
}

static void
test_vector_empty(void **state)
{
	struct prom_result r;
	struct err e;
	size_t len;
	long st;
	char *b = fixture("vector_empty", &len, &st);

	(void)state;
	assert_int_equal(prometheus_parse_query(st, b, len, &r, &e), 0);
	assert_int_equal(r.type, PROM_VECTOR);
	assert_int_equal(r.nseries, 0);
	assert_null(r.series);
	prometheus_result_done(&r);
	free(b);
}

static void
test_matrix(void **state)
{
	struct prom_result r;
	struct err e;
	size_t len, i, j;
	long st;
	char *b = fixture("matrix", &len, &st);

	(void)state;
	assert_int_equal(prometheus_parse_query(st, b, len, &r, &e), 0);
	assert_int_equal(r.type, PROM_MATRIX);
	assert_int_equal(r.nseries, 5);
	for (i = 0; i < r.nseries; i++) {
		const struct prom_series *s = &r.series[i];

		assert_int_equal(s->nlabels, 3);
		assert_string_equal(s->labels[0].name, "__name__");
		assert_string_equal(s->labels[0].value, "http_requests_total");
		assert_int_equal(s->nsamples, 5);
		for (j = 1; j < s->nsamples; j++) {
			assert_true(s->samples[j].t == s->samples[j - 1].t + 1);
			assert_true(s->samples[j].v > s->samples[j - 1].v); /* counters grow */
		}
	}
	assert_non_null(find_series(&r, "service", "주문", NULL, NULL));
	prometheus_result_done(&r);
	free(b);
}

static void
test_scalar_and_string(void **state)
{
	struct prom_result r;
	struct err e;
	size_t len;
	long st;
	char *b = fixture("scalar", &len, &st);

	(void)state;
	assert_int_equal(prometheus_parse_query(st, b, len, &r, &e), 0);
	assert_int_equal(r.type, PROM_SCALAR);
	assert_int_equal(r.nseries, 1);
	assert_int_equal(r.series[0].nlabels, 0);
	assert_true(r.series[0].samples[0].v == 1.5);
	prometheus_result_done(&r);
	free(b);

	b = fixture("string", &len, &st);
	assert_int_equal(prometheus_parse_query(st, b, len, &r, &e), 0);
	assert_int_equal(r.type, PROM_STRING);
	assert_int_equal(r.nseries, 1);
	assert_string_equal(r.series[0].string, "주문 🛒");
	assert_true(r.series[0].samples[0].t > 1.6e9);
	prometheus_result_done(&r);
	free(b);
}

static void
expect_error(const char *name, enum err_code code, const char *msg, int exact)
{
	struct prom_result r;
	struct err e;
	size_t len;
	long st;
	char *b = fixture(name, &len, &st);

	assert_int_equal(prometheus_parse_query(st, b, len, &r, &e), -1);
	assert_int_equal(r.nseries, 0);
	assert_null(r.series);
	assert_int_equal(e.code, code);
	if (exact)
		assert_string_equal(e.msg, msg);
	else if (strstr(e.msg, msg) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", e.msg, msg);
	free(b);
}

static void
test_error_bodies(void **state)
{
	(void)state;
	expect_error("error_bad_data", ERR_BACKEND,
		     "prometheus: bad_data: invalid parameter \"query\": 1:34: parse error: "
		     "unclosed left parenthesis",
		     1);
	expect_error("error_execution", ERR_BACKEND, "prometheus: execution: found duplicate series", 0);
	expect_error("error_execution", ERR_BACKEND,
		     "many-to-many matching not allowed: matching labels must be unique on one side", 0);
	expect_error("error_timeout", ERR_TIMEOUT,
		     "prometheus: timeout: query timed out in query execution", 1);
	expect_error("error_range_step", ERR_BACKEND,
		     "prometheus: bad_data: exceeded maximum resolution of 11,000 points", 0);
	expect_error("not_found", ERR_PARSE,
		     "prometheus: HTTP 404 with a non-JSON body (starts with '404 page not found') — "
		     "check [prometheus] url points at the Prometheus API",
		     1);
}

static void
test_html_from_proxy(void **state)
{
	/* nginx's own 502 page */
	static const char html[] = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
				   "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
				   "<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n";
	static const char long_line[] = "<!DOCTYPE html><html><head><title>Sign in to the corporate "
					"proxy</title></head></html>";
	struct prom_result r;
	struct err e;

	(void)state;
	assert_int_equal(prometheus_parse_query(502, html, strlen(html), &r, &e), -1);
	assert_int_equal(e.code, ERR_PARSE);
	assert_string_equal(e.msg, "prometheus: HTTP 502 with a non-JSON body (starts with "
				   "'<html>…') — check [prometheus] url points at the Prometheus API");
	assert_int_equal(prometheus_parse_query(200, long_line, strlen(long_line), &r, &e), -1);
	assert_non_null(strstr(e.msg, "starts with '<!DOCTYPE html><html><head><title>Sign i…'"));
	/* a login page behind an auth proxy */
	assert_int_equal(prometheus_parse_query(401, html, strlen(html), &r, &e), -1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_non_null(strstr(e.msg, "HTTP 401 Unauthorized"));
	assert_non_null(strstr(e.msg, "token_file"));
	/* empty */
	assert_int_equal(prometheus_parse_query(503, "", 0, &r, &e), -1);
	assert_non_null(strstr(e.msg, "HTTP 503 Service Unavailable with an empty body"));
	assert_int_equal(prometheus_parse_query(200, NULL, 0, &r, &e), -1);
	/* control bytes and broken UTF-8 in the snippet stay out of the message */
	assert_int_equal(prometheus_parse_query(500, "\x1b[2J\xff\xe3\x80 boom", 12, &r, &e), -1);
	assert_null(strchr(e.msg, '\x1b'));
	assert_null(strchr(e.msg, '\xff'));
}

static void
test_truncated_json(void **state)
{
	struct prom_result r;
	struct err e;
	size_t len, cut;
	long st;
	char *b = fixture("matrix", &len, &st);

	(void)state;
	for (cut = 0; cut < len; cut++) {
		char *p = malloc(cut + 1);

		memcpy(p, b, cut);
		p[cut] = '\0';
		assert_int_equal(prometheus_parse_query(st, p, cut, &r, &e), -1);
		assert_int_equal(r.nseries, 0);
		if (cut > 0)
			assert_int_equal(e.code, ERR_PARSE);
		free(p);
	}
	assert_int_equal(prometheus_parse_query(st, b, len / 2, &r, &e), -1);
	assert_non_null(strstr(e.msg, "prometheus: malformed JSON in HTTP 200 response"));
	free(b);
}

static void
test_wrong_shapes(void **state)
{
	static const char *const bad[] = {
		"{}",
		"[]",
		"{\"status\":\"success\"}",
		"{\"status\":\"success\",\"data\":{}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"tensor\",\"result\":[]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":{}}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"a\":1},\"value\":[1,\"2\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"abc\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,2]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[\"1\",\"2\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},\"values\":[[1,\"1\"],[2]]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,2]}}",
		"{\"status\":\"weird\"}",
		"{\"status\":\"error\"}",
	};
	struct prom_result r;
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		if (prometheus_parse_query(200, bad[i], strlen(bad[i]), &r, &e) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_int_not_equal(e.code, ERR_OK);
		assert_int_equal(strncmp(e.msg, "prometheus: ", 12), 0);
		assert_null(r.series);
	}
	/* success body with a failing HTTP status */
	assert_int_equal(prometheus_parse_query(500, "{\"status\":\"success\",\"data\":{}}", 30, &r,
						&e),
			 -1);
	assert_int_equal(e.code, ERR_HTTP);
}

static void
test_warnings(void **state)
{
	/* Prometheus 2.42 emits warnings only for remote-read/Thanos partial
	 * responses; the shape is documented in the HTTP API reference. */
	static const char body[] =
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]},"
		"\"warnings\":[\"partial response: store 10.0.0.7 unreachable\",\"second\"]}";
	struct prom_result r;
	struct err e;

	(void)state;
	assert_int_equal(prometheus_parse_query(200, body, strlen(body), &r, &e), 0);
	assert_int_equal(r.nwarnings, 2);
	assert_string_equal(r.warnings[0], "partial response: store 10.0.0.7 unreachable");
	prometheus_result_done(&r);
	assert_null(r.warnings);
}

static double
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { 0 };

	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (double)timegm(&tm);
}

static void
test_alerts(void **state)
{
	struct prom_alert *a;
	struct err e;
	size_t n, len, i;
	long st;
	char *b = fixture("alerts", &len, &st);
	const struct prom_alert *fire = NULL, *pend = NULL;

	(void)state;
	assert_int_equal(prometheus_parse_alerts(st, b, len, &a, &n, &e), 0);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		const char *an = prom_label_get(a[i].labels, a[i].nlabels, "alertname");

		assert_non_null(an);
		if (strcmp(an, "HighErrorRate") == 0)
			fire = &a[i];
		if (strcmp(an, "SlowCheckout") == 0)
			pend = &a[i];
	}
	assert_non_null(fire);
	assert_non_null(pend);
	assert_int_equal(fire->state, PROM_ALERT_FIRING);
	assert_string_equal(prom_label_get(fire->labels, fire->nlabels, "service"), "주문");
	assert_string_equal(fire->labels[0].name, "alertname"); /* sorted */
	assert_string_equal(prom_label_get(fire->annotations, fire->nannotations, "summary"),
			    "주문 error rate above 5% 🔥");
	assert_true(fire->value == 1.0);
	assert_true(fire->active_at > 1.6e9);
	assert_int_equal(pend->state, PROM_ALERT_PENDING);
	assert_true(pend->value == 2.5);
	assert_string_equal(prom_label_get(pend->labels, pend->nlabels, "service"), "🛒cart");
	assert_null(prom_label_get(pend->labels, pend->nlabels, "nope"));
	prometheus_alerts_free(a, n);
	free(b);
}

static void
test_alert_times_and_errors(void **state)
{
	static const char body[] =
		"{\"status\":\"success\",\"data\":{\"alerts\":["
		"{\"labels\":{\"alertname\":\"A\"},\"annotations\":{},\"state\":\"firing\","
		"\"activeAt\":\"2024-01-01T01:00:00.25+01:00\",\"value\":\"NaN\"},"
		"{\"labels\":{\"alertname\":\"B\"},\"state\":\"inactive\","
		"\"activeAt\":\"0001-01-01T00:00:00Z\"}]}}";
	static const char bad[] =
		"{\"status\":\"success\",\"data\":{\"alerts\":[{\"labels\":{},\"state\":\"firing\","
		"\"activeAt\":\"yesterday\"}]}}";
	struct prom_alert *a;
	struct err e;
	size_t n;

	(void)state;
	assert_int_equal(prometheus_parse_alerts(200, body, strlen(body), &a, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_true(a[0].active_at == utc(2024, 1, 1, 0, 0, 0) + 0.25);
	assert_true(isnan(a[0].value));
	assert_int_equal(a[0].nannotations, 0);
	assert_int_equal(a[1].state, PROM_ALERT_INACTIVE);
	assert_true(a[1].active_at == 0);
	assert_true(isnan(a[1].value));
	prometheus_alerts_free(a, n);

	assert_int_equal(prometheus_parse_alerts(200, bad, strlen(bad), &a, &n, &e), -1);
	assert_null(a);
	assert_int_equal(n, 0);
	assert_non_null(strstr(e.msg, "yesterday"));
	assert_int_equal(prometheus_parse_alerts(200, "{\"status\":\"success\",\"data\":{}}", 30, &a,
						 &n, &e),
			 -1);
	assert_int_equal(prometheus_parse_alerts(502, "<html>", 6, &a, &n, &e), -1);
	assert_non_null(strstr(e.msg, "non-JSON"));
}

static void
test_targets(void **state)
{
	struct prom_target *t;
	struct err e;
	size_t n, len, i;
	long st;
	char *b = fixture("targets", &len, &st);
	const struct prom_target *up = NULL, *down = NULL;

	(void)state;
	assert_int_equal(prometheus_parse_targets(st, b, len, &t, &n, &e), 0);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		if (strcmp(t[i].job, "prometheus") == 0)
			up = &t[i];
		if (strcmp(t[i].job, "dead") == 0)
			down = &t[i];
	}
	assert_non_null(up);
	assert_non_null(down);
	assert_string_equal(up->health, "up");
	assert_string_equal(up->last_error, "");
	assert_non_null(strstr(up->scrape_url, "/metrics"));
	assert_true(up->last_scrape > 1.6e9);
	assert_true(up->last_scrape_seconds > 0 && up->last_scrape_seconds < 10);
	assert_string_equal(down->health, "down");
	assert_string_equal(down->instance, "127.0.0.1:1");
	assert_non_null(strstr(down->last_error, "connection refused"));
	prometheus_targets_free(t, n);
	free(b);
	/* error body passes through */
	b = fixture("error_bad_data", &len, &st);
	assert_int_equal(prometheus_parse_targets(st, b, len, &t, &n, &e), -1);
	assert_non_null(strstr(e.msg, "prometheus: bad_data: "));
	free(b);
}

static void
test_builders(void **state)
{
	char *p;

	(void)state;
	p = prometheus_query_path("sum by (service) (rate(x{code=~\"5..\"}[5m]))", 1700000000.5);
	assert_string_equal(p, "/api/v1/query?query=sum%20by%20%28service%29%20%28rate%28x%7Bcode%3D~"
			       "%225..%22%7D%5B5m%5D%29%29&time=1700000000.500");
	free(p);
	p = prometheus_query_path("up + 1 & 주문", 0);
	assert_string_equal(p, "/api/v1/query?query=up%20%2B%201%20%26%20%EC%A3%BC%EB%AC%B8");
	free(p);
	p = prometheus_range_path("up", 1700000000, 1700003600, 15);
	assert_string_equal(p, "/api/v1/query_range?query=up&start=1700000000&end=1700003600&step=15");
	free(p);
	p = prometheus_range_path("up", 1.25, 2.0005, 0.5);
	assert_string_equal(p, "/api/v1/query_range?query=up&start=1.250&end=2.001&step=0.500");
	free(p);
	p = prometheus_alerts_path();
	assert_string_equal(p, "/api/v1/alerts");
	free(p);
	p = prometheus_targets_path();
	assert_string_equal(p, "/api/v1/targets");
	free(p);
}

static void
test_locale_independent(void **state)
{
	struct prom_result r;
	struct err e;
	size_t len;
	long st;
	char *b, *p;
	static const char *const locales[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "ru_RU.UTF-8" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof locales / sizeof locales[0]; i++)
		if (setlocale(LC_NUMERIC, locales[i]) != NULL)
			break;
	if (i == sizeof locales / sizeof locales[0])
		skip(); /* no comma-decimal locale installed */
	b = fixture("scalar", &len, &st);
	assert_int_equal(prometheus_parse_query(st, b, len, &r, &e), 0);
	assert_true(r.series[0].samples[0].v == 1.5);
	prometheus_result_done(&r);
	p = prometheus_query_path("up", 1.5);
	assert_non_null(strstr(p, "time=1.500"));
	free(p);
	free(b);
	setlocale(LC_NUMERIC, "C");
}

static void
test_presets(void **state)
{
	const struct prom_preset *p;
	char *q;

	(void)state;
	assert_null(prometheus_preset("nope"));
	assert_null(prometheus_preset(NULL));
	assert_string_equal(prometheus_preset_names(), "http, micrometer");
	p = prometheus_preset("http");
	assert_non_null(p);
	assert_string_equal(p->service_label, "service");
	q = prometheus_expand(p->query[PROM_RPS], "service", "5m");
	assert_string_equal(q, "sum by (service) (rate(http_requests_total[5m]))");
	free(q);
	q = prometheus_expand(p->query[PROM_ERRORS], "job", "1m");
	assert_string_equal(q, "(sum by (job) (rate(http_requests_total{code=~\"5..\"}[1m])) or sum by "
			       "(job) (rate(http_requests_total[1m])) * 0) / sum by (job) "
			       "(rate(http_requests_total[1m]))");
	free(q);
	q = prometheus_expand(p->query[PROM_P99], "service", "5m");
	assert_string_equal(q, "histogram_quantile(0.99, sum by (service, le) "
			       "(rate(http_request_duration_seconds_bucket[5m])))");
	free(q);
	q = prometheus_expand(p->query[PROM_CPU], "service", "5m");
	assert_string_equal(q, "sum by (service) (rate(process_cpu_seconds_total[5m]))");
	free(q);
	q = prometheus_expand(p->query[PROM_MEMORY], "service", "5m");
	assert_string_equal(q, "sum by (service) (process_resident_memory_bytes)");
	free(q);
	p = prometheus_preset("micrometer");
	assert_non_null(p);
	assert_string_equal(p->service_label, "application");
	q = prometheus_expand(p->query[PROM_ERRORS], "application", "5m");
	assert_non_null(strstr(q, "http_server_requests_seconds_count{status=~\"5..\"}[5m]"));
	free(q);
	/* unknown placeholders and NULL values stay verbatim */
	q = prometheus_expand("${label}/${window}/${other}/$", NULL, "1m");
	assert_string_equal(q, "${label}/1m/${other}/$");
	free(q);
	assert_string_equal(prometheus_metric_name(PROM_P99), "p99");
	assert_string_equal(prometheus_metric_name(PROM_METRIC_COUNT), "?");
}

/* presets.txt was checked against the real server by capture.sh: it must match the code. */
static void
test_presets_match_capture(void **state)
{
	FILE *f = fopen(FIX "presets.txt", "r");
	char line[2048];
	int n = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		char *preset = strtok(line, "\t"), *metric = strtok(NULL, "\t"),
		     *query = strtok(NULL, "\n");
		const struct prom_preset *p = prometheus_preset(preset);
		int m;

		assert_non_null(p);
		assert_non_null(query);
		for (m = 0; m < PROM_METRIC_COUNT; m++)
			if (strcmp(prometheus_metric_name((enum prom_metric)m), metric) == 0)
				break;
		assert_true(m < PROM_METRIC_COUNT);
		char *q = prometheus_expand(p->query[m], p->service_label, "1m");
		assert_string_equal(q, query);
		free(q);
		n++;
	}
	fclose(f);
	assert_int_equal(n, 2 * PROM_METRIC_COUNT);
}

static void
test_preset_errors_fixture(void **state)
{
	/* The error ratio gives 0, not nothing, for a service without 5xx series. */
	struct prom_result r;
	struct err e;
	size_t len;
	long st;
	char *b = fixture("preset_http_errors", &len, &st);

	(void)state;
	assert_int_equal(prometheus_parse_query(st, b, len, &r, &e), 0);
	assert_int_equal(r.nseries, 3);
	assert_true(find_series(&r, "service", "주문", NULL, NULL)->samples[0].v == 0);
	assert_true(find_series(&r, "service", "orders", NULL, NULL)->samples[0].v - 0.01 < 1e-9 &&
		    find_series(&r, "service", "orders", NULL, NULL)->samples[0].v - 0.01 > -1e-9);
	assert_true(find_series(&r, "service", "🛒cart", NULL, NULL)->samples[0].v == 0.25);
	prometheus_result_done(&r);
	free(b);
}

static void
test_check_label(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(prometheus_check_label("service", &e), 0);
	assert_int_equal(prometheus_check_label("_app_1", &e), 0);
	assert_int_equal(prometheus_check_label("", &e), -1);
	assert_int_equal(prometheus_check_label(NULL, &e), -1);
	assert_int_equal(prometheus_check_label("1abc", &e), -1);
	assert_int_equal(prometheus_check_label("a) or vector(1", &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_int_equal(prometheus_check_label("서비스", &e), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_vector_rate_values),
		cmocka_unit_test(test_vector_special_values),
		cmocka_unit_test(test_vector_empty),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_scalar_and_string),
		cmocka_unit_test(test_error_bodies),
		cmocka_unit_test(test_html_from_proxy),
		cmocka_unit_test(test_truncated_json),
		cmocka_unit_test(test_wrong_shapes),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_alerts),
		cmocka_unit_test(test_alert_times_and_errors),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_builders),
		cmocka_unit_test(test_locale_independent),
		cmocka_unit_test(test_presets),
		cmocka_unit_test(test_presets_match_capture),
		cmocka_unit_test(test_preset_errors_fixture),
		cmocka_unit_test(test_check_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
