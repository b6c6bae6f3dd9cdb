/*
 * docker_test.h - helpers shared by test_docker*.c (test_docker.c,
 * test_docker_build.c): the fixture directory and reading a fixture.
 * Include after <cmocka.h>.
 */
#ifndef OPSDECK_TESTS_DOCKER_TEST_H
#define OPSDECK_TESTS_DOCKER_TEST_H

#include <stdio.h>
#include <stdlib.h>

#define FIX TESTS_DIR "/fixtures/docker/"

/* new: the fixture's bytes; *status from NAME.status. */
static inline char *
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

#endif /* OPSDECK_TESTS_DOCKER_TEST_H */
