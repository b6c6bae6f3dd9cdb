/*
 * aws_time.c - small readers the AWS files share (see aws_internal.h).
 *
 * Why not strptime: it ignores fractions and offsets differ between libcs;
 * AWS writes three forms (credential_process "Z", STS fractions, botocore's
 * "+00:00"), all read here the same way.
 */
#include "aws_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Seconds east of UTC of "Z", "+HH:MM" or "+HHMM" (all of s) in *out; -1 when malformed. */
static int
offset(const char *s, long *out)
{
	int oh, om;
	long sign;

	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*out = 0;
		return 0;
	}
	if (s[0] != '+' && s[0] != '-')
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	if (strlen(s) == 6 && s[3] == ':') {
		if (digits(s + 1, 2, &oh) < 0 || digits(s + 4, 2, &om) < 0)
			return -1;
	} else if (strlen(s) == 5) {
		if (digits(s + 1, 2, &oh) < 0 || digits(s + 3, 2, &om) < 0)
			return -1;
	} else {
		return -1;
	}
	if (oh > 23 || om > 59)
		return -1;
	*out = sign * (oh * 3600L + om * 60L);
	return 0;
}

double
aws_time(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec;
	double frac = 0, scale = 0.1;
	long off;
	time_t t;

	if (s == NULL || strlen(s) < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return 0;
	if (digits(s, 4, &y) < 0 || digits(s + 5, 2, &mo) < 0 || digits(s + 8, 2, &d) < 0 ||
	    digits(s + 11, 2, &h) < 0 || digits(s + 14, 2, &mi) < 0 || digits(s + 17, 2, &sec) < 0)
		return 0;
	if (y < 1971 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return 0;
	s += 19;
	if (*s == '.') {
		if (!isdigit((unsigned char)s[1]))
			return 0;
		for (s++; isdigit((unsigned char)*s); s++) {
			frac += (*s - '0') * scale;
			scale /= 10;
		}
	}
	if (offset(s, &off) < 0)
		return 0;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return 0;
	return (double)t - (double)off + frac;
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
