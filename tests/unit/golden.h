/*
 * golden.h - golden-file comparison for screen tests; shared by
 * test_overview.c and test_detail.c.  Include after <cmocka.h>.
 * UPDATE_GOLDEN=1 rewrites tests/golden/NAME.txt (review the diff).
 */
#ifndef OPSDECK_TESTS_GOLDEN_H
#define OPSDECK_TESTS_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

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

#endif
