/*
 * test_ini.c - lib/ini: syntax, limits and every error message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ini.h"

/* Records every key as "line:[section|sub] key=<value>\n". */
static int
record(void *ud, const char *section, const char *sub, const char *key, const char *value,
       int line, struct err *e)
{
	struct buf *b = ud;

	(void)e;
	buf_printf(b, "%d:[%s%s%s] %s=<%s>\n", line, section, sub ? "|" : "", sub ? sub : "",
		   key, value);
	return 0;
}

/* Parse text; on success returns the record, on failure "ERR " + message. */
static char *
run(const char *text, size_t len)
{
	struct buf b;
	struct err e;
	char *p;

	buf_init(&b);
	err_clear(&e);
	if (ini_parse(text, len, "config.ini", record, &b, &e) < 0) {
		assert_int_equal(e.code, ERR_CONFIG);
		buf_reset(&b);
		buf_printf(&b, "ERR %s", e.msg);
	}
	p = buf_steal(&b);
	buf_done(&b);
	return p;
}

#define CHECK(text, want)                                       \
	do {                                                    \
		char *got_ = run(text, strlen(text));           \
		assert_string_equal(got_, want);                \
		free(got_);                                     \
	} while (0)

static void
test_basic(void **state)
{
	(void)state;
	CHECK("", "");
	CHECK("[general]\nrefresh = 2s\ntheme=mono\n",
	      "2:[general] refresh=<2s>\n3:[general] theme=<mono>\n");
	CHECK("  [general]  \n\tkey.with-dash_1 =  spaced value  \n",
	      "2:[general] key.with-dash_1=<spaced value>\n");
	CHECK("[a]\nempty =\nempty2=   \n", "2:[a] empty=<>\n3:[a] empty2=<>\n");
	CHECK("[a]\nk = a = b\n", "2:[a] k=<a = b>\n");
	/* last line without newline */
	CHECK("[a]\nk = v", "2:[a] k=<v>\n");
}

static void
test_comments(void **state)
{
	(void)state;
	CHECK("# top\n; also\n[a]\n  # indented\n\t; tab\nk = v # not a comment ; nor this\n",
	      "6:[a] k=<v # not a comment ; nor this>\n");
	CHECK("[a]\nq = {job=\"x\"} # ;\n", "2:[a] q=<{job=\"x\"} # ;>\n");
}

static void
test_long_line(void **state)
{
	struct buf in, want;
	char *got;
	int i;

	(void)state;
	buf_init(&in);
	buf_init(&want);
	buf_puts(&in, "[metrics]\nrps = ");
	buf_puts(&want, "2:[metrics] rps=<");
	for (i = 0; i < 5000; i++) {
		char c = (char)('a' + i % 26);
		buf_putc(&in, c);
		buf_putc(&want, c);
	}
	buf_puts(&in, "\nnext = 1\n");
	buf_puts(&want, ">\n3:[metrics] next=<1>\n");
	got = run(in.data, in.len);
	assert_int_equal(strlen(got), want.len);
	assert_string_equal(got, want.data);
	free(got);
	buf_done(&in);
	buf_done(&want);
}

static void
test_continuation(void **state)
{
	(void)state;
	CHECK("[m]\nrps = sum by (svc) \\\n    (rate(x[5m]))\nnext = 1\n",
	      "2:[m] rps=<sum by (svc)  (rate(x[5m]))>\n4:[m] next=<1>\n");
	CHECK("[m]\nk = a\\\nb\\\n\tc\n", "2:[m] k=<a b c>\n");
	/* the next line is taken whole, even if it looks like a comment */
	CHECK("[m]\nk = a \\\n# b\n", "2:[m] k=<a  # b>\n");
	/* two backslashes are literal */
	CHECK("[m]\nk = C:\\\\\nj = 2\n", "2:[m] k=<C:\\\\>\n3:[m] j=<2>\n");
	/* continuation onto an empty line ends the value */
	CHECK("[m]\nk = a \\\n\nj = 2\n", "2:[m] k=<a>\n4:[m] j=<2>\n");
	CHECK("[m]\nk = a \\\r\n  b\r\n", "2:[m] k=<a  b>\n");
}

static void
test_quotes(void **state)
{
	(void)state;
	CHECK("[a]\nk = \"  padded  \"\n", "2:[a] k=<  padded  >\n");
	CHECK("[a]\nk = \"\"\n", "2:[a] k=<>\n");
	CHECK("[a]\nk = \"\n", "2:[a] k=<\">\n");
	CHECK("[a]\nk = say \"hi\"\n", "2:[a] k=<say \"hi\">\n");
	CHECK("[a]\nk = \"a\" \\\n  \"b\"\n", "2:[a] k=<a\"  \"b>\n");
}

static void
test_subsections(void **state)
{
	(void)state;
	CHECK("[svc \"checkout api\"]\nk = 1\n", "2:[svc|checkout api] k=<1>\n");
	CHECK("[svc \"결제 서비스 🚀\"]\nk = 1\n", "2:[svc|결제 서비스 🚀] k=<1>\n");
	CHECK("[ svc  \"a\\\"b\\\\c\" ]\nk = 1\n", "2:[svc|a\"b\\c] k=<1>\n");
	CHECK("[svc \"\"]\nk = 1\n[plain]\nj = 2\n", "2:[svc|] k=<1>\n4:[plain] j=<2>\n");
}

static void
test_crlf_bom(void **state)
{
	(void)state;
	CHECK("\xEF\xBB\xBF[a]\r\nk = v\r\n\r\n# c\r\nj = \"x \"\r\n",
	      "2:[a] k=<v>\n5:[a] j=<x >\n");
	/* a BOM elsewhere is not skipped */
	CHECK("[a]\n\xEF\xBB\xBFk = v\n",
	      "ERR config.ini:2: expected 'key = value', got '\xEF\xBB\xBFk = v'");
}

static void
test_errors(void **state)
{
	(void)state;
	CHECK("[a]\nk = 1\nrefresh 2s\n", "ERR config.ini:3: expected 'key = value', got 'refresh 2s'");
	CHECK("[a]\n= 1\n", "ERR config.ini:2: expected 'key = value', got '= 1'");
	CHECK("[a]\nbad key = 1\n", "ERR config.ini:2: expected 'key = value', got 'bad key = 1'");
	CHECK("[a]\nx\x1b[31m\n", "ERR config.ini:2: expected 'key = value', got 'x?[31m'");
	CHECK("\n[general\nk = 1\n",
	      "ERR config.ini:2: unterminated section header (missing ']'): '[general'");
	CHECK("[svc \"abc]\n",
	      "ERR config.ini:1: unterminated subsection name (missing '\"'): '[svc \"abc]'");
	CHECK("[a] x\n",
	      "ERR config.ini:1: invalid section header (write [name] or [name \"sub\"]), got '[a] x'");
	CHECK("[]\n", "ERR config.ini:1: invalid section header (write [name] or [name \"sub\"]), got '[]'");
	CHECK("[a b]\n",
	      "ERR config.ini:1: invalid section header (write [name] or [name \"sub\"]), got '[a b]'");
	CHECK("# c\nk = 1\n",
	      "ERR config.ini:2: key 'k' before any section (add a [section] line above it)");
	CHECK("[a]\nk = 1 \\\n",
	      "ERR config.ini:2: continuation at end of file (the line ends in '\\' but nothing follows)");
	CHECK("[a]\nk = 1 \\\n  more \\",
	      "ERR config.ini:3: continuation at end of file (the line ends in '\\' but nothing follows)");
}

static void
test_nul(void **state)
{
	static const char text[] = "[a]\nk = 1\nj = x\0y\n";
	char *got;

	(void)state;
	got = run(text, sizeof text - 1);
	assert_string_equal(got, "ERR config.ini:3: NUL byte in input (is this a text file?)");
	free(got);
}

static void
test_long_error_excerpt(void **state)
{
	struct buf in;
	char *got;
	int i;

	(void)state;
	buf_init(&in);
	buf_puts(&in, "[a]\n");
	for (i = 0; i < 2000; i++)
		buf_puts(&in, "é");
	got = run(in.data, in.len);
	assert_non_null(strstr(got, "ERR config.ini:2: expected 'key = value', got 'éé"));
	assert_non_null(strstr(got, "...'"));
	assert_true(strlen(got) < 200);
	/* cut at a character boundary: "é" is 2 bytes, the excerpt has whole ones */
	assert_non_null(strstr(got, "é...'"));
	free(got);
	buf_done(&in);
}

/* A handler that fails on key "bad", with or without its own prefix. */
static int
fail_on_bad(void *ud, const char *section, const char *sub, const char *key, const char *value,
	    int line, struct err *e)
{
	(void)ud;
	(void)section;
	(void)sub;
	(void)line;
	if (strcmp(key, "bad") == 0)
		return err_set(e, ERR_CONFIG, "invalid thing '%s'", value);
	if (strcmp(key, "own") == 0)
		return err_set(e, ERR_CONFIG, "config.ini:99: my own place");
	if (strcmp(key, "nocode") == 0)
		return -1;
	return 0;
}

static void
test_handler_error(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(ini_parse("[a]\nk=1\nbad = \\\n  x\n", 20, "config.ini", fail_on_bad, NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_string_equal(e.msg, "config.ini:3: invalid thing 'x'");
	assert_int_equal(ini_parse("[a]\nown = 1\n", 12, "config.ini", fail_on_bad, NULL, &e), -1);
	assert_string_equal(e.msg, "config.ini:99: my own place");
	err_clear(&e);
	assert_int_equal(ini_parse("[a]\nnocode = 1\n", 15, "x.ini", fail_on_bad, NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_string_equal(e.msg, "x.ini:2: ");
	assert_int_equal(ini_parse("k", 1, NULL, fail_on_bad, NULL, &e), -1);
	assert_string_equal(e.msg, "<input>:1: expected 'key = value', got 'k'");
	assert_int_equal(ini_parse(NULL, 0, NULL, fail_on_bad, NULL, &e), 0);
}

static void
test_excerpt(void **state)
{
	char out[8];

	(void)state;
	ini_excerpt("abc", 3, out, sizeof out);
	assert_string_equal(out, "abc");
	ini_excerpt("abcdefgh", 8, out, sizeof out);
	assert_string_equal(out, "abcd...");
	ini_excerpt("a\tb\x7f", 4, out, sizeof out);
	assert_string_equal(out, "a?b?");
	ini_excerpt("abcdefgh", 8, out, 3);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_subsections),
		cmocka_unit_test(test_crlf_bom),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_long_error_excerpt),
		cmocka_unit_test(test_handler_error),
		cmocka_unit_test(test_excerpt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
