#include "traces_style.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "text.h"

/* Three significant figures of v followed by unit: "1.25ms", "12.3ms", "812ms". */
static void
sig3(double v, const char *unit, char *out, size_t n)
{
	if (v < 9.995)
		snprintf(out, n, "%.2f%s", v, unit);
	else if (v < 99.95)
		snprintf(out, n, "%.1f%s", v, unit);
	else
		snprintf(out, n, "%.0f%s", v, unit);
}

void
traces_style_us(int64_t us, char *out, size_t n)
{
	uint64_t a;
	char tmp[32];

	if (us < 0) {
		a = (uint64_t)(-(us + 1)) + 1;
		traces_style_us((int64_t)(a > INT64_MAX ? INT64_MAX : a), tmp, sizeof tmp);
		snprintf(out, n, "-%s", tmp);
		return;
	}
	if (us == 0)
		snprintf(out, n, "0");
	else if (us < 1000)
		snprintf(out, n, "%" PRId64 "us", us);
	else if (us < 999500)
		sig3((double)us / 1e3, "ms", out, n);
	else if (us < 59995000)
		sig3((double)us / 1e6, "s", out, n);
	else if (us < INT64_C(3600) * 1000000) {
		int64_t s = (us + 500000) / 1000000;

		snprintf(out, n, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
	} else {
		int64_t m = (us + 30000000) / 60000000;

		snprintf(out, n, "%" PRId64 "h%02" PRId64 "m", m / 60, m % 60);
	}
}

void
traces_style_offset(int64_t us, char *out, size_t n)
{
	char tmp[32];

	traces_style_us(us < 0 ? (us == INT64_MIN ? INT64_MAX : -us) : us, tmp, sizeof tmp);
	snprintf(out, n, "%s%s", us < 0 ? "-" : "+", tmp);
}

void
traces_style_when(int64_t epoch_us, bool utc, bool date, bool zone, char *out, size_t n)
{
	int64_t s = epoch_us >= 0 ? epoch_us / 1000000 : -((-epoch_us + 999999) / 1000000);
	int ms = (int)((epoch_us - s * 1000000) / 1000);
	time_t tt = (time_t)s;
	struct tm tm;
	char base[48];

	if ((utc ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm)) == NULL ||
	    strftime(base, sizeof base, date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm) == 0) {
		snprintf(out, n, "?");
		return;
	}
	snprintf(out, n, "%s.%03d%s", base, ms, utc && zone ? " UTC" : "");
}

void
traces_style_lookback(double s, char *out, size_t n)
{
	if (!(s > 0))
		snprintf(out, n, "?");
	else if (s >= 86400 && fmod(s, 86400) == 0)
		snprintf(out, n, "%.0fd", s / 86400);
	else if (s >= 3600 && fmod(s, 3600) == 0)
		snprintf(out, n, "%.0fh", s / 3600);
	else if (s >= 60 && fmod(s, 60) == 0)
		snprintf(out, n, "%.0fm", s / 60);
	else
		snprintf(out, n, "%.0fs", s);
}

double
traces_style_wider(double s)
{
	static const double steps[] = { 900, 3600, 6 * 3600, 86400, 7 * 86400 };
	size_t i;

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (steps[i] > s)
			return steps[i];
	return 0;
}

enum role
traces_style_service_role(int i)
{
	/*
	 * Cyan, green, magenta, yellow, then the default colour: the roles
	 * whose colours differ in the default theme, CRIT (red) left out.
	 * STALE and WARN lend their colours here; on a monochrome terminal
	 * the service's name in the row tells services apart.
	 */
	static const enum role palette[] = { ROLE_ACCENT, ROLE_OK, ROLE_STALE, ROLE_WARN,
					     ROLE_NORMAL };

	if (i < 0)
		return ROLE_DIM;
	return palette[i % (int)(sizeof palette / sizeof palette[0])];
}

const char *
traces_style_dot(bool ascii)
{
	return ascii ? " | " : " \xc2\xb7 ";
}

void
traces_style_md_cell(struct buf *out, const char *s, bool ascii)
{
	struct buf t;
	size_t i;

	buf_init(&t);
	text_sanitize_buf(s != NULL ? s : "", &t, ascii);
	for (i = 0; i < t.len; i++) {
		if (t.data[i] == '|')
			buf_putc(out, '\\');
		buf_putc(out, t.data[i]);
	}
	buf_done(&t);
}

void
traces_flow_start(struct traces_flow *f, struct canvas *c, struct rect r, const char *sep)
{
	f->c = c;
	f->r = r;
	f->x = r.x;
	f->y = r.y;
	f->rows = 1;
	f->first = true;
	f->sep = sep;
}

void
traces_flow_put(struct traces_flow *f, const char *s, enum role role, unsigned attr, bool sep)
{
	int w = text_width(s), sw = f->first ? 0 : sep ? text_width(f->sep) : 1;

	if (!f->first && f->x + sw + w > f->r.x + f->r.w) {
		f->y++;
		f->rows++;
		f->x = f->r.x;
		f->first = true;
		sw = 0;
	}
	if (f->y >= f->r.y + f->r.h)
		return;
	if (sw > 1)
		text_draw(f->c, f->x, f->y, sw, f->sep, ROLE_DIM, ATTR_NONE);
	f->x += sw;
	f->x += text_draw(f->c, f->x, f->y, f->r.x + f->r.w - f->x, s, role, attr);
	f->first = false;
}
