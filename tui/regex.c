#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct regex {
	pcre2_code *code;
	pcre2_match_data *md;
	char *pattern;
};

static bool
has_upper(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			s++; /* \S, \W are classes, not letters */
			continue;
		}
		if (isupper((unsigned char)*s))
			return true;
	}
	return false;
}

struct regex *
regex_new(const char *pattern, struct err *e)
{
	struct regex *r;
	int errcode;
	PCRE2_SIZE off;
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;

	if (!has_upper(pattern))
		opts |= PCRE2_CASELESS;
	r = xcalloc(1, sizeof *r);
	r->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &errcode, &off,
				NULL);
	if (r->code == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof msg);
		err_set(e, ERR_REGEX, "%s at offset %zu", (char *)msg, (size_t)off);
		free(r);
		return NULL;
	}
	r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
	if (r->md == NULL) {
		pcre2_code_free(r->code);
		free(r);
		err_set(e, ERR_NOMEM, "out of memory compiling the pattern");
		return NULL;
	}
	r->pattern = xstrdup(pattern);
	return r;
}

void
regex_free(struct regex *r)
{
	if (r == NULL)
		return;
	pcre2_match_data_free(r->md);
	pcre2_code_free(r->code);
	free(r->pattern);
	free(r);
}

bool
regex_match(const struct regex *r, const char *s)
{
	if (r == NULL)
		return true;
	return pcre2_match(r->code, (PCRE2_SPTR)s, strlen(s), 0, 0, r->md, NULL) >= 0;
}

bool
regex_search(const struct regex *r, const char *s, size_t len, size_t off, size_t *start,
	     size_t *end)
{
	PCRE2_SIZE *ov;

	if (r == NULL || off > len ||
	    pcre2_match(r->code, (PCRE2_SPTR)s, len, off, 0, r->md, NULL) < 0)
		return false;
	ov = pcre2_get_ovector_pointer(r->md);
	*start = ov[0];
	*end = ov[1] >= ov[0] ? ov[1] : ov[0];
	return true;
}

const char *
regex_pattern(const struct regex *r)
{
	return r ? r->pattern : "";
}
