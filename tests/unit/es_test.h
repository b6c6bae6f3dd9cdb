/*
 * es_test.h - helpers shared by test_elasticsearch*.c (test_elasticsearch_build.c,
 * test_elasticsearch_parse.c, test_elasticsearch_errors.c): the fixture
 * directory, the reference time T0, reading a fixture and checking UTF-8.
 * Include after <cmocka.h>.
 */
#ifndef OPSDECK_TESTS_ES_TEST_H
#define OPSDECK_TESTS_ES_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define FIX TESTS_DIR "/fixtures/elasticsearch/"

/* 2026-11-22T10:00:00Z */
#define T0 1795341600.0

/* new: the fixture's bytes (NAME.json, else NAME.txt); *status from NAME.status. */
static inline char *
fixture(const char *name, size_t *len, long *status)
{
	char path[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, FIX "%s.json", name);
	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(path, sizeof path, FIX "%s.txt", name);
		f = fopen(path, "rb");
	}
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
	snprintf(path, sizeof path, FIX "%s.status", name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", status), 1);
	fclose(f);
	return buf;
}

/* Is s[0..n) valid UTF-8? */
static inline bool
valid_utf8(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t k, need = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;

		if (need == 0 || i + need > n)
			return false;
		for (k = 1; k < need; k++)
			if (((unsigned char)s[i + k] & 0xc0) != 0x80)
				return false;
		i += need;
	}
	return true;
}

#endif /* OPSDECK_TESTS_ES_TEST_H */
