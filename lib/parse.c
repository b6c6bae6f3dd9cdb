#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Read a non-negative decimal number with optional fraction; no sign, no exponent. */
static int
read_number(const char **pp, double *out)
{
	const char *p = *pp;
	double v = 0, scale = 1;
	int digits = 0;

	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (*p - '0');
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			scale /= 10;
			v += (*p - '0') * scale;
			p++;
			digits++;
		}
	}
	if (digits == 0)
		return -1;
	*pp = p;
	*out = v;
	return 0;
}

int
parse_duration_ms(const char *s, long long *out_ms, struct err *e)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
	};
	const char *p = s;
	double total = 0;
	int parts = 0;

	if (s == NULL || *s == '\0')
		return err_set(e, ERR_CONFIG, "empty duration (write e.g. 250ms, 2s, 5m, 1h)");
	while (*p != '\0') {
		double v;
		size_t best = 0, i;
		int found = -1;

		if (read_number(&p, &v) < 0)
			goto bad;
		for (i = 0; i < sizeof units / sizeof units[0]; i++) {
			size_t ul = strlen(units[i].unit);
			if (strncmp(p, units[i].unit, ul) == 0 && ul > best) {
				best = ul;
				found = (int)i;
			}
		}
		if (found < 0)
			goto bad;
		p += best;
		total += v * units[found].ms;
		parts++;
	}
	if (parts == 0 || total > 1e15)
		goto bad;
	*out_ms = llround(total);
	return 0;
bad:
	return err_set(e, ERR_CONFIG, "invalid duration '%s' (write e.g. 250ms, 2s, 5m, 1h)",
		       s ? s : "");
}

int
parse_size(const char *s, unsigned long long *out, struct err *e)
{
	static const struct {
		const char *unit;
		double mult;
	} units[] = {
		{ "", 1 },
		{ "B", 1 },
		{ "KiB", 1024.0 },
		{ "MiB", 1048576.0 },
		{ "GiB", 1073741824.0 },
		{ "K", 1024.0 },
		{ "M", 1048576.0 },
		{ "G", 1073741824.0 },
		{ "kB", 1e3 },
		{ "MB", 1e6 },
		{ "GB", 1e9 },
	};
	const char *p = s;
	double v;
	size_t i;

	if (s == NULL || read_number(&p, &v) < 0)
		goto bad;
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(p, units[i].unit) == 0) {
			double r = v * units[i].mult;
			if (r > 1e18)
				goto bad;
			*out = (unsigned long long)llround(r);
			return 0;
		}
	}
bad:
	return err_set(e, ERR_CONFIG, "invalid size '%s' (write e.g. 512KiB, 32MiB, 1GiB)",
		       s ? s : "");
}

int
parse_percent(const char *s, double *out_ratio, struct err *e)
{
	const char *p = s;
	double v;

	if (s == NULL || read_number(&p, &v) < 0)
		goto bad;
	if (*p == '%' && p[1] == '\0') {
		*out_ratio = v / 100.0;
		return 0;
	}
	if (*p == '\0' && v <= 1.0) {
		*out_ratio = v;
		return 0;
	}
bad:
	return err_set(e, ERR_CONFIG,
		       "invalid percentage '%s' (write e.g. 1%%, 0.5%%, or a ratio 0.01)",
		       s ? s : "");
}

int
parse_long(const char *s, long min, long max, long *out, struct err *e)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		goto bad;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return err_set(e, ERR_CONFIG, "invalid number '%s' (expected an integer from %ld to %ld)",
		       s ? s : "", min, max);
}

int
parse_bool(const char *s, int *out, struct err *e)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; s != NULL && i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return err_set(e, ERR_CONFIG, "invalid boolean '%s' (write true or false)", s ? s : "");
}

void
format_duration_ms(long long ms, char *out, size_t n)
{
	long long s = ms / 1000;

	if (ms < 0)
		ms = 0, s = 0;
	if (ms < 1000)
		snprintf(out, n, "%lldms", ms);
	else if (ms < 10000)
		snprintf(out, n, "%.1fs", (double)ms / 1000.0);
	else if (s < 60)
		snprintf(out, n, "%llds", s);
	else if (s < 3600)
		snprintf(out, n, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, n, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
	else
		snprintf(out, n, "%lldd%02lldh", s / 86400, (s % 86400) / 3600);
}

static void
format_scaled(double v, char *out, size_t n, const char *const *suffix, double base)
{
	int i = 0;
	double a = fabs(v);

	if (isnan(v)) {
		snprintf(out, n, "-");
		return;
	}
	while (a >= base && suffix[i + 1] != NULL) {
		a /= base;
		v /= base;
		i++;
	}
	if (a == 0)
		snprintf(out, n, "0%s", suffix[i]);
	else if (a < 10 && (i > 0 || a != floor(a)))
		snprintf(out, n, "%.2f%s", v, suffix[i]);
	else if (a < 100 && (i > 0 || a != floor(a)))
		snprintf(out, n, "%.1f%s", v, suffix[i]);
	else
		snprintf(out, n, "%.0f%s", v, suffix[i]);
}

void
format_si(double v, char *out, size_t n)
{
	static const char *const sfx[] = { "", "k", "M", "G", "T", NULL };

	format_scaled(v, out, n, sfx, 1000.0);
}

void
format_bytes(double v, char *out, size_t n)
{
	static const char *const sfx[] = { "B", "Ki", "Mi", "Gi", "Ti", NULL };

	format_scaled(v, out, n, sfx, 1024.0);
}

/* ---- RFC 3339 ----------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* n decimal digits at s into *out; -1 when one is not a digit. */
static int
fixed_digits(const char *s, int n, int *out)
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

int
parse_rfc3339(const char *s, double *out_seconds)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0;
	double frac = 0, scale = 0.1, off = 0;
	const char *p;

	if (s == NULL || strlen(s) < 20 || fixed_digits(s, 4, &y) < 0 || s[4] != '-' ||
	    fixed_digits(s + 5, 2, &mo) < 0 || s[7] != '-' || fixed_digits(s + 8, 2, &d) < 0 ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || fixed_digits(s + 11, 2, &h) < 0 ||
	    s[13] != ':' || fixed_digits(s + 14, 2, &mi) < 0 || s[16] != ':' ||
	    fixed_digits(s + 17, 2, &sec) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			frac += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		off = 0;
	} else if ((*p == '+' || *p == '-') &&
		   ((strlen(p) == 6 && p[3] == ':' && fixed_digits(p + 1, 2, &oh) == 0 &&
		     fixed_digits(p + 4, 2, &om) == 0) ||
		    (strlen(p) == 5 && fixed_digits(p + 1, 2, &oh) == 0 &&
		     fixed_digits(p + 3, 2, &om) == 0)) &&
		   oh <= 23 && om <= 59) {
		off = (*p == '-' ? -1 : 1) * (oh * 3600.0 + om * 60.0);
	} else {
		return -1;
	}
	*out_seconds = (double)days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400.0 +
		       h * 3600.0 + mi * 60.0 + sec + frac - off;
	return 0;
}
