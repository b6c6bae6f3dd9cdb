/*
 * bench_overview.c - the model and the Overview at 5,000 services.
 *
 * Builds a model (60 points, 100,000 services at most) holding 5,000
 * services with all five metrics and 60 history points each, then times
 * model_apply_metric() for 5,000 names and one full render_screen() of the
 * Overview at 200x50 and 80x24.  Memory: model_bytes(), and the process's
 * VmRSS before, after building, and after 1,000 refresh cycles (apply every
 * metric, append a point to every ring, render), which must not grow with
 * uptime.  Prints one line per figure:
 *
 *   FIGURE<TAB>name<TAB>value<TAB>unit<TAB>what it measures
 *
 * tests/bench/run.sh collects these lines into the final table.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "canvas.h"
#include "model.h"
#include "render.h"
#include "screens/overview.h"
#include "view.h"
#include "bench.h"

#define NSERVICES 5000
#define POINTS 60
#define RUNS 21
#define CYCLES 1000
#define T0 1795390960.0

/* The process's VmRSS or VmHWM ("VmRSS:") in KiB; -1 if unreadable. */
static long
proc_status_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t n = strlen(key);
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, key, n) == 0) {
			kb = strtol(line + n, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/* A plausible value of metric for service i at refresh k. */
static double
value_of(enum metric m, size_t i, size_t k)
{
	double wave = sin((double)(i + k) * 0.1);

	switch (m) {
	case METRIC_RPS:
		return 50.0 + (double)(i % 400) + 10.0 * wave;
	case METRIC_ERRORS:
		return i % 97 == 0 ? 0.08 : i % 31 == 0 ? 0.02 : 0.001 * (1.0 + wave);
	case METRIC_P99:
		return i % 53 == 0 ? 1.5 : 0.05 + 0.01 * wave;
	case METRIC_CPU:
		return 0.1 + 0.05 * wave;
	default:
		return 256e6 + (double)(i % 100) * 1e6;
	}
}

/* Set every metric of every service as one refresh of the poller would. */
static void
apply_all(struct model *m, const char *const *names, double *values, size_t k, double now)
{
	size_t i;
	int mt;

	for (mt = 0; mt < METRIC_COUNT; mt++) {
		for (i = 0; i < NSERVICES; i++)
			values[i] = value_of((enum metric)mt, i, k);
		model_apply_metric(m, (enum metric)mt, names, values, NSERVICES, now);
	}
}

static void
append_all(struct model *m, size_t k, double t)
{
	size_t i;
	int mt;

	for (i = 0; i < model_nservices(m); i++) {
		struct service *s = model_service_at(m, i);

		for (mt = 0; mt < METRIC_COUNT; mt++)
			model_append_point(m, s, (enum metric)mt, t,
					   value_of((enum metric)mt, i, k));
	}
}

/* Median ms of RUNS full renders of the Overview into a w x h canvas. */
static double
time_render(int w, int h, const struct view_ctx *v, const struct render_state *rs)
{
	struct canvas *c = canvas_new(w, h);
	double t[RUNS];
	size_t i;

	render_screen(c, v, rs); /* warm: first draw builds the rows */
	for (i = 0; i < RUNS; i++) {
		double t0 = mono_ms();

		render_screen(c, v, rs);
		t[i] = mono_ms() - t0;
	}
	canvas_free(c);
	return median(t, RUNS);
}

int
main(void)
{
	static const struct thresholds th = { 0.01, 0.05, 0.5, 1.0 };
	struct model *m;
	struct overview *ov;
	struct render_state rs = { 0 };
	struct view_ctx v = { 0 };
	struct canvas *c;
	char **names;
	double *values, t[RUNS], now = T0, t0;
	long rss_start, rss_built, rss_warm = -1, rss_cycles;
	size_t i, k;

	rss_start = proc_status_kb("VmRSS:");
	names = calloc(NSERVICES, sizeof *names);
	values = calloc(NSERVICES, sizeof *values);
	if (names == NULL || values == NULL)
		return 1;
	for (i = 0; i < NSERVICES; i++) {
		names[i] = malloc(16);
		if (names[i] == NULL)
			return 1;
		snprintf(names[i], 16, "svc%05zu", i);
	}

	m = model_new(POINTS, 100000);
	for (k = 0; k < POINTS; k++) {
		now = T0 + (double)k;
		apply_all(m, (const char *const *)names, values, k, now);
		append_all(m, k, now);
	}
	if (model_nservices(m) != NSERVICES) {
		fprintf(stderr, "bench_overview: %zu services in the model, want %d\n",
			model_nservices(m), NSERVICES);
		return 1;
	}

	/* model_apply_metric: one metric's instant result for every service. */
	for (i = 0; i < NSERVICES; i++)
		values[i] = value_of(METRIC_RPS, i, POINTS);
	for (i = 0; i < RUNS; i++) {
		t0 = mono_ms();
		model_apply_metric(m, METRIC_RPS, (const char *const *)names, values, NSERVICES,
				   now);
		t[i] = mono_ms() - t0;
	}
	figure("model_apply_metric 5000 names", median(t, RUNS), "ms",
	       "one metric for 5,000 existing services, median of 21");

	ov = overview_new();
	rs.overview = ov;
	v.model = m;
	v.th = &th;
	v.now = now;
	v.stale_after = 3.0;
	v.prometheus = true;
	figure("render Overview 200x50", time_render(200, 50, &v, &rs), "ms/frame",
	       "render_screen, 5,000 services x 5 metrics x 60 points, median of 21");
	figure("render Overview 80x24", time_render(80, 24, &v, &rs), "ms/frame",
	       "render_screen, same model, median of 21");

	rss_built = proc_status_kb("VmRSS:");
	figure("model_bytes", (double)model_bytes(m) / 1048576.0, "MiB",
	       "heap held by the model (5,000 services)");
	figure("RSS at start", (double)rss_start / 1024.0, "MiB",
	       "VmRSS before the model is built");
	figure("RSS after build", (double)rss_built / 1024.0, "MiB",
	       "VmRSS with the model built and rendered once");

	/* Uptime: refresh cycles as the console runs them. */
	c = canvas_new(200, 50);
	t0 = mono_ms();
	for (k = 0; k < CYCLES; k++) {
		now += 1.0;
		apply_all(m, (const char *const *)names, values, POINTS + k, now);
		append_all(m, POINTS + k, now);
		v.now = now;
		render_screen(c, &v, &rs);
		if (k + 1 == 100)
			rss_warm = proc_status_kb("VmRSS:");
	}
	figure("refresh cycle", (mono_ms() - t0) / CYCLES, "ms",
	       "apply 5 metrics + append 25,000 points + render 200x50, mean of 1,000");
	figure("RSS after 100 cycles", (double)rss_warm / 1024.0, "MiB",
	       "VmRSS after the first 100 refresh cycles");
	rss_cycles = proc_status_kb("VmRSS:");
	figure("RSS after 1000 cycles", (double)rss_cycles / 1024.0, "MiB",
	       "VmRSS after 1,000 refresh cycles (compare with RSS after build)");
	figure("RSS growth cycles 100..1000", (double)(rss_cycles - rss_warm) / 1024.0, "MiB",
	       "RSS after 1000 cycles - RSS after 100 (0 = no growth with uptime)");
	figure("VmHWM", (double)proc_status_kb("VmHWM:") / 1024.0, "MiB", "peak RSS of the bench");
	figure("model_bytes after 1000 cycles", (double)model_bytes(m) / 1048576.0, "MiB",
	       "heap held by the model after the cycles");

	canvas_free(c);
	overview_free(ov);
	model_free(m);
	for (i = 0; i < NSERVICES; i++)
		free(names[i]);
	free(names);
	free(values);
	return 0;
}
