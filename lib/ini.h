/*
 * ini.h - a small strict INI parser.
 *
 * Why not libinih: Debian's build silently cuts lines at ~200 bytes, and
 * PromQL templates are longer.  This parser has no line-length limit and
 * turns every malformed line into an error with its line number instead of
 * skipping it.
 *
 * Syntax:
 *   # comment            full-line only, '#' or ';' after optional blanks;
 *   ; comment            a value may contain '#' and ';'
 *   [section]            name [A-Za-z0-9_.-]+
 *   [section "sub"]      quoted subsection: spaces, UTF-8, \" and \\ escapes
 *   key = value          key [A-Za-z0-9_.-]+; key and value trimmed
 *   key = long \         a value ending in exactly one '\' continues: the
 *         continued      backslash, the newline and the next line's leading
 *                        blanks become one space
 *   key = "  spaced  "   a value wholly wrapped in double quotes loses them
 *
 * CRLF line ends are accepted, a UTF-8 BOM at the start is skipped, a NUL
 * byte anywhere is an error.
 */
#ifndef OPSDECK_LIB_INI_H
#define OPSDECK_LIB_INI_H

#include <stddef.h>

#include "err.h"

/*
 * Called once per key.  All strings are borrowed: valid only during the
 * call.  subsection is NULL for a plain [section].  line is the line where
 * the key starts (continuations may follow it).  Return 0 to go on, or -1
 * after filling e to stop parsing; ini_parse then returns that error,
 * prefixed with "filename:line: " unless the message already starts with
 * "filename:".
 */
typedef int (*ini_handler)(void *ud, const char *section, const char *subsection, const char *key,
			   const char *value, int line, struct err *e);

/*
 * Parse len bytes of text (need not be NUL-terminated; text may be NULL
 * when len is 0).  filename only labels messages (NULL: "<input>").
 * Returns 0, or -1 with e filled (code ERR_CONFIG for syntax errors, e.g.
 * "config.ini:12: expected 'key = value', got 'refresh 2s'").
 */
int ini_parse(const char *text, size_t len, const char *filename, ini_handler fn, void *ud,
	      struct err *e);

/*
 * Copy up to len bytes of s into out (size n, always NUL-terminated) for
 * quoting in an error message: control characters become '?', and a copy
 * that does not fit is cut at a UTF-8 character boundary and ends in "...".
 */
void ini_excerpt(const char *s, size_t len, char *out, size_t n);

#endif
