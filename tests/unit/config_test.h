/*
 * config_test.h - helpers shared by the tests of tui/config
 * (test_config.c, test_config_runtime.c, test_config_service.c): a fake
 * environment, loading text, expected errors, reading config_print()
 * output and temporary files.  Include after <cmocka.h>.
 */
#ifndef OPSDECK_TESTS_CONFIG_TEST_H
#define OPSDECK_TESTS_CONFIG_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "xalloc.h"

#define FIX TESTS_DIR "/fixtures/config/"

/* ---- a fake environment ---- */

static const char *const *fake_env;

static inline char *
fake_getenv(const char *name)
{
	size_t n = strlen(name);
	const char *const *p;

	for (p = fake_env; p != NULL && *p != NULL; p++)
		if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
			return (char *)*p + n + 1;
	return NULL;
}

static inline char *
no_env(const char *name)
{
	(void)name;
	return NULL;
}

/* ---- helpers ---- */

static inline struct config *
load_text(const char *text, struct err *e)
{
	struct config *cfg = config_new();

	err_clear(e);
	if (config_load_buffer(cfg, text, strlen(text), "config.ini", e) < 0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* Loading text fails with exactly want. */
static inline void
expect_load_error(const char *text, const char *want)
{
	struct err e;
	struct config *cfg = load_text(text, &e);

	assert_null(cfg);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_string_equal(e.msg, want);
}

/* Loading text succeeds and finalize fails with exactly want. */
static inline void
expect_finalize_error(const char *text, const char *want)
{
	struct err e;
	struct config *cfg = load_text(text, &e);

	assert_non_null(cfg);
	assert_int_equal(config_finalize(cfg, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_string_equal(e.msg, want);
	config_free(cfg);
}

/* new: the config_print output. */
static inline char *
print(const struct config *cfg)
{
	struct buf b;
	char *p;

	buf_init(&b);
	config_print(cfg, &b);
	p = buf_steal(&b);
	buf_done(&b);
	return p;
}

/* new: the printed line that starts with prefix, or NULL. */
static inline char *
printed_line(const struct config *cfg, const char *prefix)
{
	char *all = print(cfg), *p = all, *found = NULL;

	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, "\n");
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			found = xstrndup(p, len);
			break;
		}
		p += len + (p[len] == '\n');
	}
	free(all);
	return found;
}

static inline void
assert_ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	if (ls < lx || strcmp(s + ls - lx, suffix) != 0)
		fail_msg("'%s' does not end with '%s'", s, suffix);
}

static inline void
expect_printed(const struct config *cfg, const char *prefix, const char *origin)
{
	char *line = printed_line(cfg, prefix);

	if (line == NULL)
		fail_msg("no printed line starts with '%s'", prefix);
	assert_ends_with(line, origin);
	free(line);
}

/* new: a file in a fresh temporary directory holding content. */
static inline char *
temp_file(const char *content, mode_t mode)
{
	char dir[] = "/tmp/opsdeck-test-XXXXXX";
	char *path;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/secret", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static inline void
remove_temp(char *path)
{
	char *slash = strrchr(path, '/');

	unlink(path);
	*slash = '\0';
	rmdir(path);
	free(path);
}

#endif
