/*
 * aws_internal.h - what the AWS files of the backends (ecs*.c, aws_*.c)
 * share and nothing else may use: the ISO 8601 reader of AWS's times and
 * the wiping of secrets.  Not part of the API (ecs.h and aws_config.h are).
 */
#ifndef OPSDECK_BACKENDS_AWS_INTERNAL_H
#define OPSDECK_BACKENDS_AWS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
