/*
 * fuzz_prometheus_query.c - libFuzzer harness for what the Query screen
 * does with an answer it did not choose: the user's expression may match
 * anything, and the server (or a proxy) may answer anything.
 *
 * The input is an answer body: it is parsed as a query answer under a
 * success and an error status, ranked (prometheus_result_sort) and
 * bounded (prometheus_result_cap), and the promises are checked: highest
 * first with NaN last, the cap's counts.  The answer is then drawn by the
 * Query screen into a canvas at 80x24 and 40x8, as a table and as a chart,
 * in UTF-8 and ASCII: no cell may hold a control byte, and ASCII mode no
 * byte above 0x7f.  Last, the input is split at its first newline into an
 * error message and an expression for prometheus_error_offset, whose
 * offset must lie inside the expression.  The corpus holds the captured
 * fixtures verbatim.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "model.h"
#include "prometheus.h"
#include "prometheus_query.h"
#include "query_poll.h"
#include "screens/query.h"
#include "view.h"

#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

static void
check_canvas(const struct canvas *c)
{
	int i;

	for (i = 0; i < c->w * c->h; i++) {
		const unsigned char *p = (const unsigned char *)c->cells[i].ch;

		for (; *p != '\0'; p++) {
			CHECK(*p >= 0x20 && *p != 0x7f);
			if (c->ascii)
				CHECK(*p < 0x80);
		}
	}
}

static void
draw(const struct query_data *d, int w, int h, bool ascii)
{
	static const struct thresholds th = { 0.01, 0.05, 0.5, 2.0 };
	struct model *m = model_new(2, 2);
	struct query_screen *q = query_screen_new();
	struct canvas *c = canvas_new(w, h);
	struct view_ctx v;

	memset(&v, 0, sizeof v);
	v.model = m;
	v.th = &th;
	v.now = 1795390960.0;
	v.ascii = ascii;
	v.prometheus = true;
	c->ascii = ascii;
	query_screen_handle(q, ACT_BOTTOM, d);
	query_screen_draw(q, c, (struct rect){ 0, 1, w, h - 2 }, &v, d);
	check_canvas(c);
	canvas_free(c);
	query_screen_free(q);
	model_free(m);
}

static void
answer(long status, const char *body, size_t len)
{
	struct query_data d;
	struct err e;
	size_t i, before;

	memset(&d, 0, sizeof d);
	err_clear(&e);
	d.expr = "up";
	d.configured = true;
	d.range_s = 3600;
	if (prometheus_parse_query(status, body, len, &d.result, &e) < 0) {
		d.err = e;
		draw(&d, 80, 24, false);
		return;
	}
	prometheus_result_sort(&d.result);
	for (i = 1; i < d.result.nseries && d.result.type <= PROM_MATRIX; i++) {
		double a = prometheus_series_last(&d.result.series[i - 1]),
		       b = prometheus_series_last(&d.result.series[i]);

		CHECK(isnan(b) || (!isnan(a) && a >= b));
	}
	before = d.result.nseries;
	d.total_series = prometheus_result_cap(&d.result, QUERY_MAX_SERIES, QUERY_MAX_POINTS);
	CHECK(d.total_series == before);
	CHECK(d.result.nseries <= QUERY_MAX_SERIES);
	for (i = 0; i < d.result.nseries; i++)
		CHECK(d.result.series[i].nsamples <= QUERY_MAX_POINTS);
	d.have_result = true;
	d.t0 = 1795390960.0 - 3600;
	d.t1 = 1795390960.0;
	d.step_s = 60;
	d.mode = QUERY_INSTANT;
	draw(&d, 80, 24, false);
	draw(&d, 40, 8, true);
	d.mode = QUERY_RANGE;
	draw(&d, 80, 24, true);
	draw(&d, 40, 8, false);
	before = d.result.nseries;
	CHECK(prometheus_result_cap(&d.result, 2, 3) == before);
	CHECK(d.result.nseries <= 2);
	prometheus_result_done(&d.result);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exact-size copies, so reading past the end is caught */
	char *body = calloc(1, size ? size : 1), *msg, *expr;
	const char *nl = memchr(data, '\n', size);
	size_t mlen = nl != NULL ? (size_t)(nl - (const char *)data) : size, off;

	if (size > 0)
		memcpy(body, data, size);
	answer(200, body, size);
	answer(400, body, size);
	free(body);
	msg = malloc(mlen + 1);
	memcpy(msg, data, mlen);
	msg[mlen] = '\0';
	expr = malloc(size - mlen + 1);
	if (nl != NULL)
		memcpy(expr, nl + 1, size - mlen - 1);
	expr[nl != NULL ? size - mlen - 1 : 0] = '\0';
	if (prometheus_error_offset(msg, expr, &off) == 0)
		CHECK(off <= strlen(expr));
	free(msg);
	free(expr);
	return 0;
}
