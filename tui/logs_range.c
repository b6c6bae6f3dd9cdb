/*
 * logs_range.c - parsing and stepping the Logs screen's time range.
 */
#include "logs_range.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "parse.h"

static const double steps[] = { 300, 900, 3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600 };
#define NSTEPS (sizeof steps / sizeof steps[0])

int
logs_range_parse_since(const char *s, struct logs_range *out, struct err *e)
{
	long long ms;

	if (parse_duration_ms(s, &ms, e) < 0)
		return -1;
	if (ms < 1000)
		return err_set(e, ERR_USAGE, "since: '%s' is shorter than a second", s);
	if (ms > 366LL * 86400 * 1000)
		return err_set(e, ERR_USAGE, "since: '%s' is longer than a year", s);
	out->since_s = (double)ms / 1000.0;
	out->from = out->to = 0;
	return 0;
}

static int
parse_time(const char *s, bool utc, double *out, struct err *e)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	char sep;
	time_t t;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		goto bad;
	if (s[n] != '\0') {
		int m = 0;

		sep = s[n];
		if ((sep != 'T' && sep != ' ') || sscanf(s + n + 1, "%2d:%2d%n", &h, &mi, &m) != 2)
			goto bad;
		n += 1 + m;
		if (s[n] == ':') {
			m = 0;
			if (sscanf(s + n + 1, "%2d%n", &sec, &m) != 1)
				goto bad;
			n += 1 + m;
		}
		if (s[n] != '\0')
			goto bad;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || h < 0 ||
	    mi < 0 || sec < 0)
		goto bad;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	t = utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1)
		goto bad;
	*out = (double)t;
	return 0;
bad:
	return err_set(e, ERR_USAGE, "range: '%s' is not a time (use 2026-11-22T10:00)", s);
}

int
logs_range_parse_abs(const char *from, const char *to, bool utc, struct logs_range *out,
		     struct err *e)
{
	double a, b;

	if (parse_time(from, utc, &a, e) < 0 || parse_time(to, utc, &b, e) < 0)
		return -1;
	if (!(a < b))
		return err_set(e, ERR_USAGE, "range: %s is not before %s", from, to);
	out->since_s = 0;
	out->from = a;
	out->to = b;
	return 0;
}

bool
logs_range_step(struct logs_range *r, int dir)
{
	double len = r->since_s > 0 ? r->since_s : r->to - r->from;
	size_t i, best = 0;

	if (r->since_s <= 0) {
		/* From absolute: the nearest step becomes the relative range. */
		for (i = 1; i < NSTEPS; i++)
			if (fabs(log(steps[i] / len)) < fabs(log(steps[best] / len)))
				best = i;
		r->since_s = steps[best];
		r->from = r->to = 0;
		return true;
	}
	if (dir > 0) {
		for (i = 0; i < NSTEPS; i++)
			if (steps[i] > len + 0.5) {
				r->since_s = steps[i];
				return true;
			}
		return false;
	}
	for (i = NSTEPS; i > 0; i--)
		if (steps[i - 1] < len - 0.5) {
			r->since_s = steps[i - 1];
			return true;
		}
	return false;
}

void
logs_range_bounds(const struct logs_range *r, double now, double *from, double *to)
{
	if (r->since_s > 0) {
		*to = now;
		*from = now - r->since_s;
	} else {
		*from = r->from;
		*to = r->to;
	}
}

static void
stamp(double t, bool utc, const char *fmt, char *out, size_t n)
{
	time_t tt = (time_t)floor(t);
	struct tm tm;

	if ((utc ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm)) == NULL ||
	    strftime(out, n, fmt, &tm) == 0)
		snprintf(out, n, "?");
}

/* "15m", "6h", "7d", "90s": the largest unit that divides. */
static void
short_duration(double s, char *out, size_t n)
{
	long long v = llround(s);

	if (v >= 86400 && v % 86400 == 0)
		snprintf(out, n, "%lldd", v / 86400);
	else if (v >= 3600 && v % 3600 == 0)
		snprintf(out, n, "%lldh", v / 3600);
	else if (v >= 60 && v % 60 == 0)
		snprintf(out, n, "%lldm", v / 60);
	else
		snprintf(out, n, "%llds", v);
}

void
logs_range_describe(const struct logs_range *r, bool utc, char *out, size_t n)
{
	const char *zone = utc ? "UTC" : "local";
	char a[32], b[32], da[16], db[16], dur[32];

	if (r->since_s > 0) {
		short_duration(r->since_s, dur, sizeof dur);
		snprintf(out, n, "last %s (%s)", dur, zone);
		return;
	}
	stamp(r->from, utc, "%Y-%m-%d %H:%M", a, sizeof a);
	stamp(r->from, utc, "%Y-%m-%d", da, sizeof da);
	stamp(r->to, utc, "%Y-%m-%d", db, sizeof db);
	stamp(r->to, utc, strcmp(da, db) == 0 ? "%H:%M" : "%Y-%m-%d %H:%M", b, sizeof b);
	snprintf(out, n, "%s - %s (%s)", a, b, zone);
}

char *
logs_range_service_query(const char *field, const char *name)
{
	struct buf b;
	const char *c;
	char *out;

	buf_init(&b);
	buf_printf(&b, "%s:\"", field);
	for (c = name; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			buf_putc(&b, '\\');
		buf_putc(&b, *c);
	}
	buf_putc(&b, '"');
	out = buf_steal(&b);
	buf_done(&b);
	return out;
}

void
logs_range_clock(double t, bool utc, char *out, size_t n)
{
	char hms[16];
	int ms = (int)floor((t - floor(t)) * 1000.0 + 0.5);

	if (ms > 999)
		ms = 999;
	stamp(t, utc, "%H:%M:%S", hms, sizeof hms);
	snprintf(out, n, "%s.%03d", hms, ms);
}
