/*
 * bench_parse.c - how fast prometheus_parse_query() reads large responses.
 *
 * Generates, in process, /api/v1/query and /query_range bodies shaped like
 * tests/fixtures/prometheus/vector.json and matrix.json (labels __name__,
 * code, instance, job, service; values as strings) and parses each one
 * RUNS times.  Prints one line per figure:
 *
 *   FIGURE<TAB>name<TAB>value<TAB>unit<TAB>what it measures
 *
 * tests/bench/run.sh collects these lines into the final table.  No
 * thresholds: figures only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "prometheus.h"
#include "bench.h"

#define RUNS 9
#define T0 1795390960.0

/* The process's peak RSS (VmHWM) in KiB; -1 if unreadable. */
static long
peak_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

static void
put_metric(struct buf *b, size_t i)
{
	buf_printf(b,
		   "{\"metric\":{\"__name__\":\"http_requests_total\",\"code\":\"%s\","
		   "\"instance\":\"10.0.%zu.%zu:8080\",\"job\":\"shop\",\"service\":\"svc%05zu\"},",
		   i % 7 == 0 ? "500" : "200", (i / 250) % 256, i % 250, i);
}

/* A vector of n series, one sample each. */
static void
gen_vector(struct buf *b, size_t n)
{
	size_t i;

	buf_puts(b, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(b, ',');
		put_metric(b, i);
		buf_printf(b, "\"value\":[%.3f,\"%.4f\"]}", T0, 1000.0 + (double)i * 1.0625);
	}
	buf_puts(b, "]}}");
}

/* A matrix of n series, points samples each, 15 s apart. */
static void
gen_matrix(struct buf *b, size_t n, size_t points)
{
	size_t i, j;

	buf_puts(b, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(b, ',');
		put_metric(b, i);
		buf_puts(b, "\"values\":[");
		for (j = 0; j < points; j++)
			buf_printf(b, "%s[%.3f,\"%.4f\"]", j > 0 ? "," : "",
				   T0 - (double)(points - 1 - j) * 15.0,
				   (double)i * 3.5 + (double)j * 0.25);
		buf_puts(b, "]}");
	}
	buf_puts(b, "]}}");
}

/*
 * Parse body RUNS times; print ms per parse (median) and MB/s.  Returns -1
 * if a parse fails or the result has the wrong shape.
 */
static int
bench(const char *label, const struct buf *body, size_t want_series, size_t want_samples)
{
	double t[RUNS], ms;
	struct prom_result r;
	struct err e;
	char name[64], what[160];
	size_t i;

	for (i = 0; i < RUNS; i++) {
		double t0 = mono_ms();

		if (prometheus_parse_query(200, body->data, body->len, &r, &e) < 0) {
			fprintf(stderr, "bench_parse: %s: %s\n", label, e.msg);
			return -1;
		}
		t[i] = mono_ms() - t0;
		if (r.nseries != want_series || r.series[0].nsamples != want_samples) {
			fprintf(stderr, "bench_parse: %s: got %zu series x %zu samples\n", label,
				r.nseries, r.series[0].nsamples);
			prometheus_result_done(&r);
			return -1;
		}
		prometheus_result_done(&r);
	}
	ms = median(t, RUNS);
	snprintf(name, sizeof name, "parse %s", label);
	snprintf(what, sizeof what, "prometheus_parse_query, %.1f MB body, median of %d",
		 (double)body->len / 1e6, RUNS);
	figure(name, ms, "ms", what);
	snprintf(name, sizeof name, "parse %s rate", label);
	figure(name, (double)body->len / 1e6 / (ms / 1e3), "MB/s", "body bytes parsed per second");
	return 0;
}

int
main(void)
{
	static const size_t sizes[] = { 5000, 50000 };
	struct buf b;
	char label[64];
	size_t i;
	int rc = 0;

	buf_init(&b);
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		buf_reset(&b);
		gen_vector(&b, sizes[i]);
		snprintf(label, sizeof label, "vector %zu series", sizes[i]);
		if (bench(label, &b, sizes[i], 1) < 0)
			rc = 1;
	}
	buf_reset(&b);
	gen_matrix(&b, 5000, 60);
	if (bench("matrix 5000x60", &b, 5000, 60) < 0)
		rc = 1;
	buf_done(&b);
	figure("parse peak RSS", (double)peak_rss_kb() / 1024.0, "MiB",
	       "VmHWM of bench_parse: the largest body (9.5 MB) while parsed");
	return rc;
}
