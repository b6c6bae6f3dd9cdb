/*
 * test_histogram.c - the hit histogram: golden text (Unicode and ASCII),
 * errors stacked at the bottom in CRIT, a single hit or error never
 * invisible, resampling keeps totals, time labels on the clock, the empty
 * note, and never a cell outside the rect.
 * UPDATE_GOLDEN=1 rewrites tests/golden/histogram_*.txt.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canvas.h"
#include "histogram.h"

#define T0 1699999200.0 /* 2023-11-14 22:00:00 UTC */
#define NB 60

static long long counts[NB], errors[NB];

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct buf b;
	char tmp[4096];
	size_t n;

	if (fp == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0)
		buf_append(&b, tmp, n);
	fclose(fp);
	return buf_steal(&b);
}

static void
golden(const char *name, const struct canvas *c)
{
	char path[256], *want;
	struct buf got;

	buf_init(&got);
	canvas_write_text(c, &got);
	snprintf(path, sizeof path, "tests/golden/%s.txt", name);
	if (getenv("UPDATE_GOLDEN") != NULL) {
		FILE *fp = fopen(path, "wb");

		assert_non_null(fp);
		fputs(got.data, fp);
		fclose(fp);
	}
	want = slurp(path);
	if (want == NULL)
		fail_msg("missing golden file %s (run with UPDATE_GOLDEN=1)", path);
	if (strcmp(want, got.data) != 0) {
		fprintf(stderr, "--- want %s\n%s--- got\n%s", path, want, got.data);
		fail_msg("%s differs", path);
	}
	free(want);
	buf_done(&got);
}

/* A quiet hour with a burst of errors in the middle. */
static int
setup(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < NB; i++) {
		counts[i] = 20 + (i % 7) * 3;
		errors[i] = 0;
		if (i >= 28 && i < 34) {
			counts[i] = 120 + (i - 28) * 10;
			errors[i] = 80 + (i - 28) * 5;
		}
	}
	return 0;
}

static struct histogram_view
view(void)
{
	struct histogram_view v = { 0 };

	v.counts = counts;
	v.errors = errors;
	v.n = NB;
	v.t0 = T0;
	v.t1 = T0 + 3600;
	v.utc = true;
	return v;
}

static void
test_golden(void **state)
{
	struct canvas *c = canvas_new(66, 5);
	struct histogram_view v = view();

	(void)state;
	histogram_draw(c, (struct rect){ 0, 0, 66, 5 }, &v);
	golden("histogram_66x5", c);
	canvas_free(c);
}

static void
test_golden_ascii(void **state)
{
	struct canvas *c = canvas_new(66, 4);
	struct histogram_view v = view();

	(void)state;
	c->ascii = true;
	histogram_draw(c, (struct rect){ 0, 0, 66, 4 }, &v);
	golden("histogram_ascii_66x4", c);
	canvas_free(c);
}

/* The burst's columns: the bottom cell CRIT; quiet columns never CRIT. */
static void
test_errors_at_the_bottom(void **state)
{
	struct canvas *c = canvas_new(66, 5);
	struct histogram_view v = view();
	int x, crit_cols = 0;

	(void)state;
	histogram_draw(c, (struct rect){ 0, 0, 66, 5 }, &v);
	for (x = 6; x < 66; x++) {
		struct cell *bottom = canvas_at(c, x, 3);
		int b = x - 6; /* one bucket per column */

		if (errors[b] > 0) {
			assert_int_equal(bottom->role, ROLE_CRIT);
			crit_cols++;
		} else {
			int y;

			for (y = 0; y < 4; y++)
				assert_int_not_equal(canvas_at(c, x, y)->role, ROLE_CRIT);
			assert_int_equal(bottom->role, ROLE_ACCENT);
		}
	}
	assert_int_equal(crit_cols, 6);
	/* The largest column reaches the top row. */
	assert_string_equal(canvas_at(c, 6 + 33, 0)->ch, "\xe2\x96\x88");
	canvas_free(c);
}

/* One error among 1,000 hits, one hit among thousands: both visible. */
static void
test_small_values_visible(void **state)
{
	long long cn[4] = { 1000, 1000, 1, 0 }, er[4] = { 1, 0, 0, 0 };
	struct histogram_view v = { cn, er, 4, T0, T0 + 240, true, ROLE_NORMAL, NULL };
	struct canvas *c = canvas_new(4, 3);

	(void)state;
	histogram_draw(c, (struct rect){ 0, 0, 4, 3 }, &v);
	/* 4 columns wide: no gutter (too narrow), 2 plot rows. */
	assert_int_equal(canvas_at(c, 0, 1)->role, ROLE_CRIT);
	assert_int_equal(canvas_at(c, 1, 1)->role, ROLE_ACCENT);
	assert_string_equal(canvas_at(c, 2, 1)->ch, "\xe2\x96\x81");
	assert_string_equal(canvas_at(c, 3, 1)->ch, " ");
	canvas_free(c);
}

static void
test_resample_keeps_totals(void **state)
{
	struct histogram_view v = view();
	long long oc[25], oe[25], sum = 0, esum = 0, want = 0, ewant = 0, max;
	int i;

	(void)state;
	max = histogram_resample(&v, 25, oc, oe);
	for (i = 0; i < 25; i++) {
		sum += oc[i];
		esum += oe[i];
		assert_true(oc[i] <= max);
	}
	for (i = 0; i < NB; i++) {
		want += counts[i];
		ewant += errors[i];
	}
	assert_int_equal(sum, want);
	assert_int_equal(esum, ewant);
	/* Fewer buckets than columns: each bucket spans columns, none lost. */
	{
		long long wc[120], we[120];

		max = histogram_resample(&v, 120, wc, we);
		assert_int_equal(max, 170);
		assert_int_equal(wc[0], wc[1]); /* bucket 0 drawn twice */
	}
}

static void
test_time_labels(void **state)
{
	struct canvas *c = canvas_new(66, 5);
	struct histogram_view v = view();
	struct buf b;

	(void)state;
	histogram_draw(c, (struct rect){ 0, 0, 66, 5 }, &v);
	buf_init(&b);
	canvas_write_text(c, &b);
	assert_non_null(strstr(b.data, "22:00"));
	assert_non_null(strstr(b.data, "22:30"));
	assert_null(strstr(b.data, "23:00")); /* past the last column */
	buf_done(&b);
	canvas_free(c);
}

static void
test_empty_and_outside(void **state)
{
	struct canvas *c = canvas_new(30, 8);
	struct histogram_view v = { 0 };
	struct histogram_view full = view();
	struct buf b;
	int x, y;

	(void)state;
	v.empty_text = "no hits for this query";
	histogram_draw(c, (struct rect){ 0, 0, 30, 4 }, &v);
	buf_init(&b);
	canvas_write_text(c, &b);
	assert_non_null(strstr(b.data, "no hits for this query"));
	buf_done(&b);
	canvas_clear(c);
	histogram_draw(c, (struct rect){ 5, 2, 12, 3 }, &full);
	for (y = 0; y < 8; y++)
		for (x = 0; x < 30; x++)
			if (x < 5 || x >= 17 || y < 2 || y >= 5)
				assert_string_equal(canvas_at(c, x, y)->ch, " ");
	/* Degenerate rects draw nothing and do not crash. */
	histogram_draw(c, (struct rect){ 0, 0, 0, 3 }, &full);
	histogram_draw(c, (struct rect){ 0, 0, 10, 1 }, &full);
	canvas_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_golden, setup),
		cmocka_unit_test_setup(test_golden_ascii, setup),
		cmocka_unit_test_setup(test_errors_at_the_bottom, setup),
		cmocka_unit_test(test_small_values_visible),
		cmocka_unit_test_setup(test_resample_keeps_totals, setup),
		cmocka_unit_test_setup(test_time_labels, setup),
		cmocka_unit_test_setup(test_empty_and_outside, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
