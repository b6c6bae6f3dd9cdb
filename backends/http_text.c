/*
 * http_text.c - the texts every backend builds its error messages from when
 * an HTTP answer is not what it wanted (see http.h): a status's reason
 * phrase and a printable excerpt of the body.  No curl here, so the
 * parsers that use them (and their fuzz harnesses) need none.
 */
#include "http.h"

#include <ctype.h>
#include <string.h>

const char *
http_status_reason(long status)
{
	switch (status) {
	case 400:
		return " Bad Request";
	case 401:
		return " Unauthorized";
	case 403:
		return " Forbidden";
	case 404:
		return " Not Found";
	case 405:
		return " Method Not Allowed";
	case 408:
		return " Request Timeout";
	case 409:
		return " Conflict";
	case 413:
		return " Payload Too Large";
	case 422:
		return " Unprocessable Entity";
	case 429:
		return " Too Many Requests";
	case 500:
		return " Internal Server Error";
	case 502:
		return " Bad Gateway";
	case 503:
		return " Service Unavailable";
	case 504:
		return " Gateway Timeout";
	default:
		return "";
	}
}

void
http_body_excerpt(const char *body, size_t len, size_t max, unsigned flags, char *out, size_t n)
{
	const unsigned char *s = (const unsigned char *)body;
	bool utf8 = (flags & HTTP_EXCERPT_UTF8) != 0;
	unsigned char quote = (flags & HTTP_EXCERPT_DQUOTED) != 0 ? '"' : '\'';
	size_t i = 0, o = 0;

	if (n == 0)
		return;
	if (s == NULL)
		len = 0;
	while (i < len && isspace(s[i]))
		i++;
	/* 4 bytes kept free for the ellipsis and the NUL */
	while (i < len && s[i] != '\n' && s[i] != '\r' && o + 4 < n && o < max) {
		unsigned char c = s[i];

		if (utf8 && c >= 0xc2 && c <= 0xf4) {
			size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			size_t k;

			/* a sequence that does not fit whole ends the excerpt */
			if (i + need > len || o + need + 4 >= n || o + need > max)
				break;
			for (k = 1; k < need && (s[i + k] & 0xc0) == 0x80; k++)
				;
			if (k == need) {
				memcpy(out + o, s + i, need);
				o += need;
				i += need;
				continue;
			}
			/* a broken sequence: its lead byte becomes '?' */
		}
		if (c == quote)
			c = quote == '"' ? '\'' : '"';
		else if (c < 0x20 || c >= 0x7f)
			c = '?';
		out[o++] = (char)c;
		i++;
	}
	out[o] = '\0';
	while (i < len && isspace(s[i]))
		i++;
	if (i < len && o + 4 <= n)
		strcat(out, utf8 ? "\xe2\x80\xa6" /* … */ : "...");
}
