/*
 * aws_time.c - small readers the AWS files share (see aws_internal.h).
 *
 * Times: AWS writes three forms (credential_process "Z", STS fractions,
 * botocore's "+00:00"); lib/parse.c's RFC 3339 reader takes them all.
 */
#include "aws_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

double
aws_time(const char *s)
{
	double t;

	/* 0 for unknown: a bad time, Go's zero time, anything before 1971. */
	return parse_rfc3339(s, &t) == 0 && t >= 31536000.0 ? t : 0;
}

void
aws_wipe_free(char *s)
{
	volatile char *p = s;

	if (s == NULL)
		return;
	while (*p != '\0')
		*p++ = 0;
	free(s);
}

bool
aws_true(const char *s)
{
	return s != NULL && strcasecmp(s, "true") == 0;
}
