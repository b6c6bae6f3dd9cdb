/*
 * aws_internal.h - what the AWS files of the backends (ecs*.c, aws_*.c)
 * share and nothing else may use: the ISO 8601 reader of AWS's times and
 * the wiping of secrets.  Not part of the API (ecs.h and aws_config.h are).
 */
#ifndef OPSDECK_BACKENDS_AWS_INTERNAL_H
#define OPSDECK_BACKENDS_AWS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/*
 * Unix seconds of an ISO 8601 time as AWS writes it ("2026-11-22T10:00:00Z",
 * "...:00.123Z", an offset "+00:00" or "+0000"); 0 for NULL, "" or
 * anything else.
 */
double aws_time(const char *s);

/* Overwrite s with zeros, then free it.  NULL-safe. */
void aws_wipe_free(char *s);

/* Whether s is one of AWS's spellings of true ("true", case-insensitive). */
bool aws_true(const char *s);

/* ---- the shared files' reader (aws_ini.c) -------------------------------------- */

struct aws_ini_entry {
	char *key;   /* as written; a sub-setting of "s3 =" is "s3.name" */
	char *value; /* trimmed; continuation lines joined with '\n' */
	int line;
};

struct aws_ini_section {
	char *name; /* between the brackets, trimmed */
	int line;
	struct aws_ini_entry *entries;
	size_t n;
};

struct aws_ini {
	char *file; /* the path, for messages */
	struct aws_ini_section *sections;
	size_t n;
};

/*
 * Parse the text of one file (len bytes, any line length) as botocore's
 * configparser reads it: [section], name = value (or name: value), full-line
 * comments (# ;), indented lines continuing the value before them, and the
 * sub-settings of a name with an empty value ("s3 =" then indented "x = y").
 * Strict: a line that is none of these, a setting before any section, a
 * section or a name twice (configparser refuses them too) fail with
 * "aws: FILE:LINE: ..." in e; the line itself is never quoted (it may hold
 * a secret).  out is zeroed on failure; aws_ini_done frees it.
 */
int aws_ini_parse(const char *text, size_t len, const char *file, struct aws_ini *out,
		  struct err *e);
/* Read path (any size up to 4 MiB) and parse it; a missing file is an empty one. */
int aws_ini_load(const char *path, struct aws_ini *out, struct err *e);
/* Wipes the values (they hold secrets) and frees.  NULL-safe. */
void aws_ini_done(struct aws_ini *ini);
/* The section named name, the last of that name (borrowed), or NULL. */
const struct aws_ini_section *aws_ini_section(const struct aws_ini *ini, const char *name);
/* The entry key (case-insensitive) of s (borrowed), or NULL; s may be NULL. */
const struct aws_ini_entry *aws_ini_entry(const struct aws_ini_section *s, const char *key);

#endif
