/*
 * bench.h - what every benchmark program shares: a monotonic clock in
 * milliseconds, the median of runs, and the one line format tests/bench/
 * run.sh reads:
 *   FIGURE<TAB>name<TAB>value<TAB>unit<TAB>what it measures
 */
#ifndef OPSDECK_TESTS_BENCH_H
#define OPSDECK_TESTS_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n) (v is sorted in place). */
static inline double
median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static inline void
figure(const char *name, double value, const char *unit, const char *what)
{
	printf("FIGURE\t%s\t%.3f\t%s\t%s\n", name, value, unit, what);
	fflush(stdout);
}

#endif
