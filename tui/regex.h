/*
 * regex.h - PCRE2 patterns for filters, with smart case: a pattern with no
 * upper-case letter matches case-insensitively, as in vim and k9s.
 *
 * A pattern that does not compile yields PCRE2's own message with the
 * offset it points at: "missing closing parenthesis at offset 4".
 */
#ifndef OPSDECK_TUI_REGEX_H
#define OPSDECK_TUI_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct regex; /* opaque */

/* new, or NULL with e filled (ERR_REGEX). */
struct regex *regex_new(const char *pattern, struct err *e);
void regex_free(struct regex *r); /* NULL-safe */
/* Does s (UTF-8, possibly invalid) contain a match?  NULL r matches all. */
bool regex_match(const struct regex *r, const char *s);
/*
 * The first match in s[off, len) (bytes; s may be invalid UTF-8): true
 * with its byte range [*start, *end), else false.  An empty match is
 * reported as such (start == end); callers step past it.
 */
bool regex_search(const struct regex *r, const char *s, size_t len, size_t off, size_t *start,
		  size_t *end);
/* borrowed: the source pattern. */
const char *regex_pattern(const struct regex *r);

#endif
