/*
 * test_chart.c - the braille line chart: a golden sine wave, the direction
 * of dots, axis labels per unit, time ticks on the clock, gaps, thresholds,
 * shared cells, ASCII mode, and never a cell outside the rect.
 * UPDATE_GOLDEN=1 rewrites tests/golden/chart_*.txt.
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
#include <time.h>

#include "canvas.h"
#include "chart.h"

#define T0 1699999200.0 /* 2023-11-14 22:00:00 UTC */
#define NPTS 61

static double ts[NPTS], vs[NPTS];

static char *
render(const struct canvas *c)
{
	struct buf b;

	buf_init(&b);
	canvas_write_text(c, &b);
	return b.data; /* the caller frees */
}

/* Row y of the canvas as text, trailing blanks kept (static storage). */
static const char *
row_text(const struct canvas *c, int y)
{
	static char line[4096];
	size_t len = 0;
	int x;

	for (x = 0; x < c->w; x++) {
		const struct cell *cl = &c->cells[y * c->w + x];
		size_t n = strlen(cl->ch);

		if (cl->width == 0)
			continue;
		memcpy(line + len, n ? cl->ch : " ", n ? n : 1);
		len += n ? n : 1;
	}
	line[len] = '\0';
	return line;
}

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
golden(const char *name, const char *got)
{
	char path[256];
	char *want;

	snprintf(path, sizeof path, "tests/golden/%s.txt", name);
	if (getenv("UPDATE_GOLDEN") != NULL) {
		FILE *fp = fopen(path, "wb");

		assert_non_null(fp);
		fputs(got, fp);
		fclose(fp);
	}
	want = slurp(path);
	if (want == NULL)
		fail_msg("missing golden file %s (run with UPDATE_GOLDEN=1)", path);
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "--- want %s\n%s--- got\n%s", path, want, got);
		fail_msg("%s differs", path);
	}
	free(want);
}

/* Braille dot bits of a cell, or -1 when it is not braille (or blank). */
static int
braille_bits(const struct cell *cl)
{
	const unsigned char *s = (const unsigned char *)cl->ch;

	if (s[0] != 0xe2 || (s[1] & 0xfc) != 0xa0)
		return -1;
	return ((s[1] & 0x03) << 6) | (s[2] & 0x3f);
}

/* Is dot (dx 0..1, dy 0..3) of a braille cell set? */
static bool
dot_set(int bits, int dx, int dy)
{
	static const int bit[4][2] = { { 0x01, 0x08 }, { 0x02, 0x10 },
				       { 0x04, 0x20 }, { 0x40, 0x80 } };

	return bits > 0 && (bits & bit[dy][dx]) != 0;
}

static struct chart_view
view_of(const struct chart_series *s, size_t n, enum chart_unit unit)
{
	struct chart_view v = { 0 };

	v.title = "sine";
	v.unit = unit;
	v.series = s;
	v.nseries = n;
	v.t0 = T0;
	v.t1 = T0 + 3600;
	v.y_min = v.y_max = NAN;
	v.cursor_t = NAN;
	v.utc = true;
	return v;
}

static int
setup(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < NPTS; i++) {
		ts[i] = T0 + i * 60;
		vs[i] = sin(i * 2 * M_PI / 60.0);
	}
	return 0;
}

static void
test_golden_sine(void **state)
{
	struct chart_series s = { ts, vs, NPTS, ROLE_OK, "sin" };
	struct chart_view v = view_of(&s, 1, CHART_UNIT_PLAIN);
	struct canvas *c = canvas_new(60, 12);
	char *got;

	(void)state;
	chart_draw(c, (struct rect){ 0, 0, 60, 12 }, &v);
	got = render(c);
	golden("chart_sine_60x12", got);
	free(got);
	canvas_free(c);
}

static void
test_golden_sine_ascii(void **state)
{
	struct chart_series s = { ts, vs, NPTS, ROLE_OK, "sin" };
	struct chart_view v = view_of(&s, 1, CHART_UNIT_PLAIN);
	struct chart_threshold th = { 0.8, ROLE_CRIT };
	struct canvas *c = canvas_new(60, 12);
	char *got;
	const unsigned char *p;

	(void)state;
	v.thresholds = &th;
	v.nthresholds = 1;
	c->ascii = true;
	chart_draw(c, (struct rect){ 0, 0, 60, 12 }, &v);
	got = render(c);
	for (p = (const unsigned char *)got; *p; p++)
		assert_true(*p < 0x80);
	golden("chart_sine_ascii_60x12", got);
	free(got);
	canvas_free(c);
}

/* The plot's first column: right of the y axis ("┤") on the first plot row. */
static int
plot_x(const struct canvas *c, int y)
{
	int x;

	for (x = 0; x < c->w; x++)
		if (strcmp(c->cells[y * c->w + x].ch, "\xe2\x94\xa4") == 0 ||
		    strcmp(c->cells[y * c->w + x].ch, "+") == 0)
			return x + 1;
	fail_msg("no y axis on row %d", y);
	return -1;
}

static void
test_rising_line_goes_up(void **state)
{
	double v[NPTS];
	struct chart_series s = { ts, v, NPTS, ROLE_OK, NULL };
	struct chart_view cv = view_of(&s, 1, CHART_UNIT_PLAIN);
	struct canvas *c = canvas_new(40, 10);
	int i, x, y, dx, dy, top, prev_top = 1 << 30, first = -1, last = -1, px;
	int plot_rows = 0;

	(void)state;
	for (i = 0; i < NPTS; i++)
		v[i] = i * 10.0;
	chart_draw(c, (struct rect){ 0, 0, 40, 10 }, &cv);
	px = plot_x(c, 1);
	for (y = 1; y < c->h; y++)
		if (strcmp(c->cells[y * c->w + px - 1].ch, "\xe2\x94\x94") == 0)
			break; /* the corner of the time axis */
	plot_rows = y - 1;
	assert_true(plot_rows >= 4);
	/* For every dot column, the highest dot must not be lower than the last. */
	for (x = px; x < c->w; x++) {
		for (dx = 0; dx < 2; dx++) {
			top = -1;
			for (y = 1; y <= plot_rows && top < 0; y++)
				for (dy = 0; dy < 4 && top < 0; dy++)
					if (dot_set(braille_bits(&c->cells[y * c->w + x]), dx, dy))
						top = (y - 1) * 4 + dy;
			if (top < 0)
				continue;
			assert_true(top <= prev_top);
			prev_top = top;
			if (first < 0)
				first = top;
			last = top;
		}
	}
	assert_true(first >= plot_rows * 4 - 4); /* starts in the bottom row */
	assert_true(last <= 3);                  /* ends in the top row */
	canvas_free(c);
}

/* First and last labelled rows of the y axis: the text left of the axis. */
static void
y_labels(const struct canvas *c, int px, int y, char *out, size_t n)
{
	char tmp[256];
	const char *row = row_text(c, y);
	int i, len = 0;

	/* The label is ASCII, so bytes before px are columns. */
	for (i = 0; i < px - 1; i++)
		tmp[len++] = row[i];
	tmp[len] = '\0';
	for (i = 0; tmp[i] == ' '; i++)
		;
	snprintf(out, n, "%s", tmp + i);
}

static void
test_y_labels_per_unit(void **state)
{
	double v[NPTS];
	struct chart_series s = { ts, v, NPTS, ROLE_OK, NULL };
	struct chart_view cv;
	struct canvas *c = canvas_new(50, 10);
	char lab[256];
	int i, px;

	(void)state;
	for (i = 0; i < NPTS; i++)
		v[i] = 0.5 + i / 60.0;
	cv = view_of(&s, 1, CHART_UNIT_SECONDS);
	cv.y_min = 0;
	cv.y_max = 2;
	chart_draw(c, (struct rect){ 0, 0, 50, 10 }, &cv);
	px = plot_x(c, 1);
	y_labels(c, px, 1, lab, sizeof lab);
	assert_string_equal(lab, "2.0s");
	y_labels(c, px, 7, lab, sizeof lab);
	assert_string_equal(lab, "0s");

	for (i = 0; i < NPTS; i++)
		v[i] = 0.05 * i / 60.0;
	cv = view_of(&s, 1, CHART_UNIT_RATIO);
	cv.y_min = 0;
	cv.y_max = 0.05;
	chart_draw(c, (struct rect){ 0, 0, 50, 10 }, &cv);
	px = plot_x(c, 1);
	y_labels(c, px, 1, lab, sizeof lab);
	assert_string_equal(lab, "5.0%");
	y_labels(c, px, 4, lab, sizeof lab);
	assert_string_equal(lab, "2.5%");
	y_labels(c, px, 7, lab, sizeof lab);
	assert_string_equal(lab, "0%");

	/* Automatic: a ratio chart starts at 0 and tops above the maximum. */
	for (i = 0; i < NPTS; i++)
		v[i] = 0.02 + 0.01 * sin(i);
	cv = view_of(&s, 1, CHART_UNIT_RATIO);
	chart_draw(c, (struct rect){ 0, 0, 50, 10 }, &cv);
	px = plot_x(c, 1);
	y_labels(c, px, 7, lab, sizeof lab);
	assert_string_equal(lab, "0%");
	y_labels(c, px, 1, lab, sizeof lab);
	assert_true(atof(lab) >= 3.0);

	/* Negative values: the bottom label is negative. */
	for (i = 0; i < NPTS; i++)
		v[i] = -1000.0 + i;
	cv = view_of(&s, 1, CHART_UNIT_PLAIN);
	chart_draw(c, (struct rect){ 0, 0, 50, 10 }, &cv);
	px = plot_x(c, 1);
	y_labels(c, px, 7, lab, sizeof lab);
	assert_true(lab[0] == '-');
	canvas_free(c);
}

static void
test_format_value(void **state)
{
	static const struct {
		enum chart_unit unit;
		double v;
		const char *want;
	} cases[] = {
		{ CHART_UNIT_SECONDS, 2.0, "2.0s" },
		{ CHART_UNIT_SECONDS, 0.045, "45ms" },
		{ CHART_UNIT_SECONDS, 0.0025, "2.5ms" },
		{ CHART_UNIT_SECONDS, 0.00085, "850us" },
		{ CHART_UNIT_SECONDS, 185, "3m05s" },
		{ CHART_UNIT_SECONDS, 0, "0s" },
		{ CHART_UNIT_RATIO, 0.05, "5.0%" },
		{ CHART_UNIT_RATIO, 0.0005, "0.05%" },
		{ CHART_UNIT_RATIO, 1.5, "150%" },
		{ CHART_UNIT_RATIO, 0, "0%" },
		{ CHART_UNIT_BYTES, 512, "512B" },
		{ CHART_UNIT_BYTES, 1536, "1.50Ki" },
		{ CHART_UNIT_PLAIN, 0, "0" },
		{ CHART_UNIT_PLAIN, 12.5, "12.5" },
		{ CHART_UNIT_PLAIN, 1234, "1.23k" },
		{ CHART_UNIT_PLAIN, -4.2e6, "-4.20M" },
		{ CHART_UNIT_PLAIN, 1e300, "1e+300" },
		{ CHART_UNIT_PLAIN, 1e-300, "1e-300" },
		{ CHART_UNIT_PLAIN, NAN, "-" },
	};
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		chart_format_value(cases[i].unit, cases[i].v, out, sizeof out);
		assert_string_equal(out, cases[i].want);
	}
}

/*
 * Time labels: HH:MM on multiples of the step (in UTC, and in a zone 5h30
 * off UTC), 3 to 6 of them, each centred on a tick mark.
 */
static void
check_ticks(bool utc, double t0, double span, int w)
{
	struct chart_series s = { ts, vs, NPTS, ROLE_OK, NULL };
	struct chart_view cv = view_of(&s, 1, CHART_UNIT_PLAIN);
	struct canvas *c = canvas_new(w, 10);
	const char *row;
	int x, n = 0, step = 0, prev = -1, hh, mm, minutes;

	cv.t0 = t0;
	cv.t1 = t0 + span;
	cv.utc = utc;
	chart_draw(c, (struct rect){ 0, 0, w, 10 }, &cv);
	row = row_text(c, 9);
	for (x = 0; row[x] != '\0'; x++) {
		if (sscanf(row + x, "%2d:%2d", &hh, &mm) != 2 || row[x + 2] != ':')
			continue;
		minutes = hh * 60 + mm;
		if (prev >= 0) {
			int d = (minutes - prev + 1440) % 1440;

			if (step == 0)
				step = d;
			assert_int_equal(d, step);
		}
		/* A tick mark above the label (under its middle unless at an edge). */
		{
			int k, marks = 0;

			for (k = 0; k < 5; k++)
				marks += strcmp(c->cells[8 * c->w + x + k].ch, "\xe2\x94\xac") == 0;
			assert_int_equal(marks, 1);
		}
		prev = minutes;
		n++;
		x += 4;
	}
	assert_true(n >= 3 && n <= 6);
	assert_true(step > 0);
	assert_int_equal(prev % step, 0);
	canvas_free(c);
}

static void
test_time_ticks_on_the_clock(void **state)
{
	(void)state;
	check_ticks(true, T0 + 7 * 60 + 13, 3600, 60);
	check_ticks(true, T0, 6 * 3600, 80);
	check_ticks(true, T0 + 17, 15 * 60, 50);
	setenv("TZ", "IST-5:30", 1);
	tzset();
	check_ticks(false, T0 + 7 * 60, 3600, 60);
	check_ticks(false, T0, 6 * 3600, 80);
	unsetenv("TZ");
	tzset();
}

static void
test_gaps_leave_columns_empty(void **state)
{
	double v[NPTS];
	struct chart_series s = { ts, v, NPTS, ROLE_OK, NULL };
	struct chart_view cv = view_of(&s, 1, CHART_UNIT_PLAIN);
	struct canvas *c = canvas_new(61 + 8, 10);
	int i, x, y, px, pw, dots;

	(void)state;
	for (i = 0; i < NPTS; i++)
		v[i] = i >= 20 && i <= 40 ? NAN : 5.0 + (i % 3);
	chart_draw(c, (struct rect){ 0, 0, c->w, 10 }, &cv);
	px = plot_x(c, 1);
	pw = c->w - px;
	/* Point i sits on dot column i * (2pw - 1) / 60. */
	for (x = 0; x < pw; x++) {
		double t_lo = (2.0 * x) / (2 * pw - 1) * 60, t_hi = (2.0 * x + 1) / (2 * pw - 1) * 60;

		dots = 0;
		for (y = 1; y < 8; y++)
			dots += braille_bits(&c->cells[y * c->w + px + x]) > 0;
		if (t_lo > 19.5 && t_hi < 40.5)
			assert_int_equal(dots, 0);
		else if (t_hi < 18.5 || t_lo > 41.5)
			assert_true(dots > 0);
	}
	canvas_free(c);
}

static void
fill_x(struct canvas *c)
{
	int x, y;

	for (y = 0; y < c->h; y++)
		for (x = 0; x < c->w; x++)
			canvas_put(c, x, y, "X", 1, ROLE_NORMAL, ATTR_NONE);
}

static void
assert_outside_untouched(const struct canvas *c, struct rect r)
{
	int x, y;

	for (y = 0; y < c->h; y++)
		for (x = 0; x < c->w; x++) {
			if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h)
				continue;
			if (strcmp(c->cells[y * c->w + x].ch, "X") != 0)
				fail_msg("cell (%d,%d) outside {%d,%d,%d,%d} changed to '%s'",
					 x, y, r.x, r.y, r.w, r.h, c->cells[y * c->w + x].ch);
		}
}

static void
test_never_outside_rect(void **state)
{
	static const struct rect rects[] = {
		{ 5, 3, 50, 14 }, { 5, 3, 0, 0 }, { 5, 3, 1, 1 }, { 5, 3, 2, 2 },
		{ 5, 3, 3, 12 }, { 5, 3, 12, 3 }, { 5, 3, 9, 1 }, { 5, 3, 70, 2 },
		{ 70, 20, 30, 30 }, { -5, -5, 20, 10 }, { 5, 3, 6, 5 },
	};
	static const double weird[] = { 1e300, -1e300, 1e-300, NAN, INFINITY, 0, -0.0, 5 };
	double tw[8];
	struct chart_series s[2] = {
		{ ts, vs, NPTS, ROLE_OK, "sine" },
		{ tw, weird, 8, ROLE_WARN, "\xea\xb2\xb0\xec\xa0\x9c \xec\xa7\x80\xec\x97\xb0" },
	};
	struct chart_threshold th[2] = { { 0.5, ROLE_WARN }, { 1e301, ROLE_CRIT } };
	struct chart_view cv = view_of(s, 2, CHART_UNIT_BYTES);
	struct canvas *c = canvas_new(80, 30);
	size_t i;
	int k, a;

	(void)state;
	for (k = 0; k < 8; k++)
		tw[k] = T0 - 1e9 + k * 4e8;
	cv.thresholds = th;
	cv.nthresholds = 2;
	cv.cursor_t = T0 + 600;
	for (a = 0; a < 2; a++) {
		c->ascii = a;
		for (i = 0; i < sizeof rects / sizeof rects[0]; i++) {
			struct rect r = rects[i];

			fill_x(c);
			chart_draw(c, r, &cv);
			/* What was actually inside the canvas. */
			assert_outside_untouched(c, r);
		}
		/* Fixed y range with data far outside it. */
		cv.y_min = 0.2;
		cv.y_max = 0.3;
		fill_x(c);
		chart_draw(c, rects[0], &cv);
		assert_outside_untouched(c, rects[0]);
		cv.y_min = cv.y_max = NAN;
	}
	canvas_free(c);
}

static void
test_too_small_note(void **state)
{
	struct chart_series s = { ts, vs, NPTS, ROLE_OK, NULL };
	struct chart_view cv = view_of(&s, 1, CHART_UNIT_PLAIN);
	struct canvas *c = canvas_new(20, 5);

	(void)state;
	chart_draw(c, (struct rect){ 0, 0, 20, 1 }, &cv);
	/* One row: a plot row only (title, axes and labels gave way). */
	assert_non_null(strstr(row_text(c, 0), "\xe2\x94\xa4"));
	assert_null(strstr(row_text(c, 0), "sine"));
	chart_draw(c, (struct rect){ 0, 0, 1, 5 }, &cv);
	assert_string_equal(c->cells[0].ch, "t");
	canvas_free(c);
}

static void
test_ascii_only_ascii(void **state)
{
	double v[NPTS];
	struct chart_series s[2] = { { ts, vs, NPTS, ROLE_OK, "a" },
				     { ts, v, NPTS, ROLE_WARN, "b" } };
	struct chart_view cv = view_of(s, 2, CHART_UNIT_SECONDS);
	struct canvas *c = canvas_new(72, 16);
	const unsigned char *p;
	char *got;
	int i;

	(void)state;
	for (i = 0; i < NPTS; i++)
		v[i] = i % 7 == 3 ? NAN : i / 30.0;
	cv.cursor_t = T0 + 900;
	c->ascii = true;
	chart_draw(c, (struct rect){ 0, 0, 72, 16 }, &cv);
	got = render(c);
	for (p = (const unsigned char *)got; *p; p++)
		assert_true(*p < 0x80);
	assert_non_null(strstr(got, "-- a  -- b")); /* the legend */
	assert_non_null(strchr(got, '*'));          /* isolated points */
	free(got);
	canvas_free(c);
}

static void
test_edge_data(void **state)
{
	double one_t = T0 + 1800, one_v = 42;
	double flat[NPTS];
	struct chart_series s = { NULL, NULL, 0, ROLE_OK, NULL };
	struct chart_view cv = view_of(&s, 1, CHART_UNIT_PLAIN);
	struct canvas *c = canvas_new(40, 10);
	char *got;
	int i, x, y, n;

	(void)state;
	/* No points: axes and the note. */
	chart_draw(c, (struct rect){ 0, 0, 40, 10 }, &cv);
	got = render(c);
	assert_non_null(strstr(got, "no data"));
	free(got);

	/* One point: one dot, and its value within the labels. */
	s.t = &one_t, s.v = &one_v, s.n = 1;
	chart_draw(c, (struct rect){ 0, 0, 40, 10 }, &cv);
	for (n = 0, y = 1; y < 8; y++)
		for (x = 0; x < 40; x++)
			n += braille_bits(&c->cells[y * 40 + x]) > 0;
	assert_int_equal(n, 1);
	got = render(c);
	assert_null(strstr(got, "no data"));
	assert_non_null(strstr(got, "46.2"));
	assert_non_null(strstr(got, "37.8"));
	free(got);

	/* All equal: one straight line in the middle row(s). */
	for (i = 0; i < NPTS; i++)
		flat[i] = 7;
	s.t = ts, s.v = flat, s.n = NPTS;
	chart_draw(c, (struct rect){ 0, 0, 40, 10 }, &cv);
	for (y = 1; y < 8; y++) {
		for (n = 0, x = 0; x < 40; x++)
			n += braille_bits(&c->cells[y * 40 + x]) > 0;
		assert_true(n == 0 || y == 4);
	}

	/* A zero-initialised y range is automatic. */
	cv.y_min = cv.y_max = 0;
	chart_draw(c, (struct rect){ 0, 0, 40, 10 }, &cv);
	got = render(c);
	assert_non_null(strstr(got, "7.70"));
	assert_non_null(strstr(got, "6.30"));
	free(got);

	/* No range: taken from the data. */
	cv.t0 = cv.t1 = 0;
	chart_draw(c, (struct rect){ 0, 0, 40, 10 }, &cv);
	got = render(c);
	assert_non_null(strstr(got, "22:00"));
	free(got);
	canvas_free(c);
}

static void
test_shared_cells_and_threshold(void **state)
{
	struct chart_series s[2] = { { ts, vs, NPTS, ROLE_OK, "one" },
				     { ts, vs, NPTS, ROLE_WARN, "two" } };
	struct chart_threshold th = { -2, ROLE_CRIT };
	struct chart_view cv = view_of(s, 2, CHART_UNIT_PLAIN);
	struct canvas *c = canvas_new(60, 12);
	int x, y, n = 0, thr = 0, ty = -1;
	char *got;

	(void)state;
	cv.y_min = -3;
	cv.y_max = 1.5;
	cv.thresholds = &th;
	cv.nthresholds = 1;
	chart_draw(c, (struct rect){ 0, 0, 60, 12 }, &cv);
	got = render(c);
	/* Legend fits beside the title. */
	assert_non_null(strstr(got, "sine"));
	assert_non_null(strstr(got, "\xe2\x94\x80\xe2\x94\x80 one  \xe2\x94\x80\xe2\x94\x80 two"));
	free(got);
	for (y = 1; y < 10; y++)
		for (x = 8; x < 60; x++) {
			const struct cell *cl = &c->cells[y * 60 + x];

			if (braille_bits(cl) <= 0)
				continue;
			if (cl->role == ROLE_CRIT) {
				thr++;
				ty = ty < 0 ? y : ty;
				assert_int_equal(ty, y); /* one row */
			} else {
				assert_int_equal(cl->role, ROLE_WARN); /* later wins */
				n++;
			}
		}
	assert_true(n > 20);
	assert_true(thr > 40); /* dotted across the plot */
	canvas_free(c);
}

static void
test_cursor_column(void **state)
{
	struct chart_series s = { ts, vs, NPTS, ROLE_OK, NULL };
	struct chart_view cv = view_of(&s, 1, CHART_UNIT_PLAIN);
	struct canvas *c = canvas_new(60, 12);
	int x, y, cols = -1;

	(void)state;
	cv.cursor_t = T0 + 1800;
	chart_draw(c, (struct rect){ 0, 0, 60, 12 }, &cv);
	for (x = 0; x < 60; x++) {
		int rev = 0;

		for (y = 1; y < 10; y++)
			rev += (c->cells[y * 60 + x].attr & ATTR_REVERSE) != 0;
		if (rev == 0)
			continue;
		assert_int_equal(rev, 9); /* the whole plot column */
		assert_int_equal(cols, -1);
		cols = x;
	}
	assert_true(cols > 25 && cols < 40);
	canvas_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_golden_sine, setup),
		cmocka_unit_test_setup(test_golden_sine_ascii, setup),
		cmocka_unit_test_setup(test_rising_line_goes_up, setup),
		cmocka_unit_test_setup(test_y_labels_per_unit, setup),
		cmocka_unit_test(test_format_value),
		cmocka_unit_test_setup(test_time_ticks_on_the_clock, setup),
		cmocka_unit_test_setup(test_gaps_leave_columns_empty, setup),
		cmocka_unit_test_setup(test_never_outside_rect, setup),
		cmocka_unit_test_setup(test_too_small_note, setup),
		cmocka_unit_test_setup(test_ascii_only_ascii, setup),
		cmocka_unit_test_setup(test_edge_data, setup),
		cmocka_unit_test_setup(test_shared_cells_and_threshold, setup),
		cmocka_unit_test_setup(test_cursor_column, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
