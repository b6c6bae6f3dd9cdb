/*
 * test_http_text.c - the texts backends build error messages from
 * (backends/http_text.c): a status's reason phrase and the printable
 * excerpt of a body, in its ASCII and UTF-8 forms and with either quote.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

#define ELLIPSIS "\xe2\x80\xa6" /* … */

static void
test_status_reason(void **state)
{
	(void)state;
	assert_string_equal(http_status_reason(400), " Bad Request");
	assert_string_equal(http_status_reason(401), " Unauthorized");
	assert_string_equal(http_status_reason(403), " Forbidden");
	assert_string_equal(http_status_reason(404), " Not Found");
	assert_string_equal(http_status_reason(405), " Method Not Allowed");
	assert_string_equal(http_status_reason(408), " Request Timeout");
	assert_string_equal(http_status_reason(409), " Conflict");
	assert_string_equal(http_status_reason(413), " Payload Too Large");
	assert_string_equal(http_status_reason(422), " Unprocessable Entity");
	assert_string_equal(http_status_reason(429), " Too Many Requests");
	assert_string_equal(http_status_reason(500), " Internal Server Error");
	assert_string_equal(http_status_reason(502), " Bad Gateway");
	assert_string_equal(http_status_reason(503), " Service Unavailable");
	assert_string_equal(http_status_reason(504), " Gateway Timeout");
	/* none: the message reads "HTTP 418" */
	assert_string_equal(http_status_reason(418), "");
	assert_string_equal(http_status_reason(200), "");
	assert_string_equal(http_status_reason(0), "");
	assert_string_equal(http_status_reason(-1), "");
}

/* The excerpt of the NUL-terminated s. */
static const char *
excerpt(const char *s, size_t max, unsigned flags)
{
	static char out[128];

	http_body_excerpt(s, strlen(s), max, flags, out, sizeof out);
	return out;
}

static void
test_excerpt_ascii(void **state)
{
	(void)state;
	assert_string_equal(excerpt("404 page not found", 40, 0), "404 page not found");
	/* leading white space goes; the first line break ends it */
	assert_string_equal(excerpt(" \r\n\t<html>\r\n<head>", 40, 0), "<html>...");
	/* white space alone after the cut is no cut */
	assert_string_equal(excerpt("Unauthorized\n\n", 40, 0), "Unauthorized");
	/* at most max bytes */
	assert_string_equal(excerpt("0123456789abcdef", 10, 0), "0123456789...");
	assert_string_equal(excerpt("0123456789", 10, 0), "0123456789");
	/* control bytes and anything beyond ASCII become '?' */
	assert_string_equal(excerpt("\x1b[2J\x7f\xff\xc3\xa9 boom", 40, 0), "?[2J???? boom");
	assert_string_equal(excerpt("a\tb", 40, 0), "a?b");
	/* empty */
	assert_string_equal(excerpt("", 40, 0), "");
	assert_string_equal(excerpt(" \n ", 40, 0), "");
}

static void
test_excerpt_quotes(void **state)
{
	(void)state;
	/* for '...' in the message: a single quote becomes a double one */
	assert_string_equal(excerpt("it's \"x\"", 40, 0), "it\"s \"x\"");
	/* for "..." in the message: the other way */
	assert_string_equal(excerpt("it's \"x\"", 40, HTTP_EXCERPT_DQUOTED), "it's 'x'");
	assert_string_equal(excerpt("it's \"x\"", 40, HTTP_EXCERPT_DQUOTED | HTTP_EXCERPT_UTF8),
			    "it's 'x'");
}

static void
test_excerpt_utf8(void **state)
{
	(void)state;
	/* whole sequences stay; a cut is marked with "…" */
	assert_string_equal(
		excerpt("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 40, HTTP_EXCERPT_UTF8),
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_string_equal(excerpt("<html>\r\n<head>", 40, HTTP_EXCERPT_UTF8), "<html>" ELLIPSIS);
	/* a sequence that does not fit under max is not split */
	assert_string_equal(excerpt("abc\xe2\x82\xac", 5, HTTP_EXCERPT_UTF8), "abc" ELLIPSIS);
	assert_string_equal(excerpt("abc\xe2\x82\xac", 6, HTTP_EXCERPT_UTF8), "abc\xe2\x82\xac");
	/* broken sequences, stray continuation bytes and controls become '?' */
	assert_string_equal(excerpt("\x1b[2J\xff\xc3x \x80 ok", 40, HTTP_EXCERPT_UTF8),
			    "?[2J??x ? ok");
	/* a sequence cut short by the end of the body ends the excerpt */
	assert_string_equal(excerpt("boom \xe3\x80", 40, HTTP_EXCERPT_UTF8), "boom " ELLIPSIS);
}

static void
test_excerpt_bounds(void **state)
{
	char out[8];
	char big[200];

	(void)state;
	/* out is never overrun: 4 bytes stay free for the ellipsis and the NUL */
	http_body_excerpt("0123456789", 10, 40, 0, out, sizeof out);
	assert_string_equal(out, "0123...");
	http_body_excerpt("0123456789", 10, 40, HTTP_EXCERPT_UTF8, out, sizeof out);
	assert_string_equal(out, "0123" ELLIPSIS);
	http_body_excerpt("\xe2\x82\xac\xe2\x82\xac", 6, 40, HTTP_EXCERPT_UTF8, out, sizeof out);
	assert_string_equal(out, "\xe2\x82\xac" ELLIPSIS);
	http_body_excerpt("abc", 3, 40, 0, out, 1);
	assert_string_equal(out, "");
	out[0] = 'x';
	http_body_excerpt("abc", 3, 40, 0, out, 0);
	assert_int_equal(out[0], 'x');
	/* len counts, not the NUL; a NULL body is empty */
	http_body_excerpt("abcdef", 3, 40, 0, out, sizeof out);
	assert_string_equal(out, "abc");
	http_body_excerpt(NULL, 5, 40, 0, out, sizeof out);
	assert_string_equal(out, "");
	/* a long body is cut at max */
	memset(big, 'a', sizeof big);
	http_body_excerpt(big, sizeof big, 60, HTTP_EXCERPT_DQUOTED, out, sizeof out);
	assert_string_equal(out, "aaaa...");
	{
		char wide[80];

		http_body_excerpt(big, sizeof big, 60, HTTP_EXCERPT_DQUOTED, wide, sizeof wide);
		assert_int_equal(strlen(wide), 63);
		assert_string_equal(wide + 60, "...");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_reason),  cmocka_unit_test(test_excerpt_ascii),
		cmocka_unit_test(test_excerpt_quotes), cmocka_unit_test(test_excerpt_utf8),
		cmocka_unit_test(test_excerpt_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
