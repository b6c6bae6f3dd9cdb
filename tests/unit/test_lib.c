/*
 * lib/: errors as values, growable buffers, strict parsing of durations,
 * sizes and percentages, and human formatting.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "parse.h"
#include "xalloc.h"

static void
test_err(void **state)
{
	struct err e;
	char big[1000];

	(void)state;
	err_clear(&e);
	assert_int_equal(e.code, ERR_OK);
	assert_int_equal(err_set(&e, ERR_TIMEOUT, "no answer in %ds", 5), -1);
	assert_string_equal(e.msg, "no answer in 5s");
	assert_string_equal(err_code_name(e.code), "timeout");
	err_prefix(&e, "%s", "prometheus");
	assert_string_equal(e.msg, "prometheus: no answer in 5s");
	/* a message that fills the buffer stays terminated and keeps its head */
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	err_set(&e, ERR_IO, "%s", big);
	err_prefix(&e, "docker");
	assert_int_equal(strlen(e.msg), ERR_MSG_MAX - 1);
	assert_memory_equal(e.msg, "docker: xxx", 11);
	assert_int_equal(err_set(NULL, ERR_IO, "x"), -1);
	assert_string_equal(err_code_name((enum err_code)999), "unknown");
}

static void
test_buf(void **state)
{
	struct buf b;
	char *s;
	int i;

	(void)state;
	buf_init(&b);
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.data));
	assert_memory_equal(b.data, "0,1,2,", 6);
	s = buf_steal(&b);
	assert_non_null(strstr(s, "999,"));
	free(s);
	buf_puts(&b, "again"); /* usable after a steal */
	assert_string_equal(b.data, "again");
	buf_reset(&b);
	assert_string_equal(b.data, "");
	buf_done(&b);
	buf_done(&b);
	s = xasprintf("%s-%d", "a", 1);
	assert_string_equal(s, "a-1");
	free(s);
}

static void
test_durations(void **state)
{
	struct err e;
	long long ms;

	(void)state;
	assert_int_equal(parse_duration_ms("250ms", &ms, &e), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(parse_duration_ms("2s", &ms, &e), 0);
	assert_int_equal(ms, 2000);
	assert_int_equal(parse_duration_ms("1h30m", &ms, &e), 0);
	assert_int_equal(ms, 5400000);
	assert_int_equal(parse_duration_ms("1.5s", &ms, &e), 0);
	assert_int_equal(ms, 1500);
	assert_int_equal(parse_duration_ms("2x", &ms, &e), -1);
	assert_non_null(strstr(e.msg, "'2x'"));
	assert_non_null(strstr(e.msg, "250ms"));
	assert_int_equal(parse_duration_ms("", &ms, &e), -1);
	assert_int_equal(parse_duration_ms("-1s", &ms, &e), -1);
	assert_int_equal(parse_duration_ms("s", &ms, &e), -1);
	assert_int_equal(parse_duration_ms(" 2s", &ms, &e), -1);
}

static void
test_sizes_and_percents(void **state)
{
	struct err e;
	unsigned long long n;
	double r;

	(void)state;
	assert_int_equal(parse_size("32MiB", &n, &e), 0);
	assert_true(n == 32ULL * 1024 * 1024);
	assert_int_equal(parse_size("10kB", &n, &e), 0);
	assert_true(n == 10000);
	assert_int_equal(parse_size("512", &n, &e), 0);
	assert_true(n == 512);
	assert_int_equal(parse_size("1.5GiB", &n, &e), 0);
	assert_int_equal(parse_size("12 MiB", &n, &e), -1);
	assert_int_equal(parse_size("12TB", &n, &e), -1);
	assert_int_equal(parse_percent("1%", &r, &e), 0);
	assert_true(fabs(r - 0.01) < 1e-12);
	assert_int_equal(parse_percent("0.5%", &r, &e), 0);
	assert_true(fabs(r - 0.005) < 1e-12);
	assert_int_equal(parse_percent("0.02", &r, &e), 0);
	assert_true(fabs(r - 0.02) < 1e-12);
	assert_int_equal(parse_percent("5", &r, &e), -1); /* 500 %? say 5% */
	assert_int_equal(parse_percent("%", &r, &e), -1);
}

static void
test_formatting(void **state)
{
	char s[32];

	(void)state;
	format_duration_ms(850, s, sizeof s);
	assert_string_equal(s, "850ms");
	format_duration_ms(2500, s, sizeof s);
	assert_string_equal(s, "2.5s");
	format_duration_ms(185000, s, sizeof s);
	assert_string_equal(s, "3m05s");
	format_duration_ms(7800000, s, sizeof s);
	assert_string_equal(s, "2h10m");
	format_duration_ms(3LL * 86400000 + 4 * 3600000, s, sizeof s);
	assert_string_equal(s, "3d04h");
	format_si(1234, s, sizeof s);
	assert_string_equal(s, "1.23k");
	format_bytes(1536, s, sizeof s);
	assert_string_equal(s, "1.50Ki");
	format_bytes(230.0 * 1024 * 1024, s, sizeof s);
	assert_string_equal(s, "230Mi");
	format_si(NAN, s, sizeof s);
	assert_string_equal(s, "-");
}

/* The RFC 3339 reader the backends share: Docker's, Kubernetes', AWS's and Prometheus' times. */
static void
test_rfc3339(void **state)
{
	static const char *const bad[] = {
		"",
		"2026-11-23",
		"2026-11-23T00:12:52",       /* no zone */
		"2026-11-23T00:12:52.Z",     /* a dot without digits */
		"2026-13-23T00:12:52Z",      /* month 13 */
		"2026-11-23T24:12:52Z",      /* hour 24 */
		"2026-11-23T00:12:52+1:00",  /* short offset */
		"2026-11-23T00:12:52+24:00", /* offset hour 24 */
		"2026-11-23T00:12:52Zjunk",
		"2026-11-23X00:12:52Z",
		"yesterday and a bit more",
	};
	double t;
	size_t i;

	(void)state;
	assert_int_equal(parse_rfc3339("2026-11-23T00:12:52Z", &t), 0);
	assert_true(t == 1795392772.0);
	assert_int_equal(parse_rfc3339("2026-11-23t00:12:52.644818081z", &t), 0);
	assert_true(fabs(t - 1795392772.644818081) < 1e-6);
	assert_int_equal(parse_rfc3339("2026-11-23T01:12:52+01:00", &t), 0);
	assert_true(t == 1795392772.0);
	assert_int_equal(parse_rfc3339("2026-11-22T23:42:52-0030", &t), 0); /* AWS's +HHMM too */
	assert_true(t == 1795392772.0);
	assert_int_equal(parse_rfc3339("2026-11-23 00:12:52Z", &t), 0);
	assert_true(t == 1795392772.0);
	assert_int_equal(parse_rfc3339("2024-02-29T12:00:00Z", &t), 0); /* leap day */
	assert_true(t == 1709208000.0);
	assert_int_equal(parse_rfc3339("0001-01-01T00:00:00Z", &t), 0); /* Go's zero time */
	assert_true(t < 0);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(parse_rfc3339(bad[i], &t), -1);
	assert_int_equal(parse_rfc3339(NULL, &t), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err),        cmocka_unit_test(test_buf),
		cmocka_unit_test(test_durations),  cmocka_unit_test(test_sizes_and_percents),
		cmocka_unit_test(test_formatting), cmocka_unit_test(test_rfc3339),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
