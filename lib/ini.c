#include "ini.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

#define EXCERPT_MAX 80

/* The state of one ini_parse() call. */
struct ini_parser {
	const char *p;        /* next unread byte */
	const char *end;      /* one past the last byte */
	int line;             /* number of the line last read */
	const char *filename; /* for messages */
	char *section;        /* owned; NULL before the first header */
	char *subsection;     /* owned; NULL when none */
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

void
ini_excerpt(const char *s, size_t len, char *out, size_t n)
{
	size_t i, room;

	if (n == 0)
		return;
	room = n - 1;
	if (len > room) {
		/* Leave space for "..." and cut before a UTF-8 continuation byte. */
		room = room > 3 ? room - 3 : 0;
		while (room > 0 && ((unsigned char)s[room] & 0xC0) == 0x80)
			room--;
	}
	for (i = 0; i < len && i < room; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (len > i && n > 4) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

/*
 * Read the next line into [*s, *s + *n), without its line end (LF or CRLF).
 * Returns 0 at the end of the input.
 */
static int
next_line(struct ini_parser *ip, const char **s, size_t *n)
{
	const char *nl;

	if (ip->p >= ip->end)
		return 0;
	*s = ip->p;
	nl = memchr(ip->p, '\n', (size_t)(ip->end - ip->p));
	if (nl == NULL) {
		*n = (size_t)(ip->end - ip->p);
		ip->p = ip->end;
	} else {
		*n = (size_t)(nl - ip->p);
		ip->p = nl + 1;
	}
	if (*n > 0 && (*s)[*n - 1] == '\r')
		(*n)--;
	ip->line++;
	return 1;
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_blank((*s)[*n - 1]))
		(*n)--;
}

static int
syntax_error(struct ini_parser *ip, int line, struct err *e, const char *what, const char *s,
	     size_t n)
{
	char ex[EXCERPT_MAX];

	ini_excerpt(s, n, ex, sizeof ex);
	return err_set(e, ERR_CONFIG, "%s:%d: %s '%s'", ip->filename, line, what, ex);
}

/* Parse a trimmed "[name]" or "[name "sub"]" line. */
static int
parse_section(struct ini_parser *ip, const char *s, size_t n, struct err *e)
{
	const char *q = s + 1, *end = s + n, *name;
	size_t namelen;
	struct buf sub;
	int has_sub = 0;

	if (memchr(s, ']', n) == NULL)
		return syntax_error(ip, ip->line, e,
				    "unterminated section header (missing ']'):", s, n);
	while (q < end && is_blank(*q))
		q++;
	name = q;
	while (q < end && is_name_char(*q))
		q++;
	namelen = (size_t)(q - name);
	while (q < end && is_blank(*q))
		q++;
	buf_init(&sub);
	if (namelen > 0 && q < end && *q == '"') {
		has_sub = 1;
		for (q++; q < end && *q != '"'; q++) {
			if (*q == '\\' && q + 1 < end && (q[1] == '"' || q[1] == '\\'))
				q++;
			buf_putc(&sub, *q);
		}
		if (q >= end) {
			buf_done(&sub);
			return syntax_error(ip, ip->line, e,
					    "unterminated subsection name (missing '\"'):", s, n);
		}
		q++;
		while (q < end && is_blank(*q))
			q++;
	}
	if (namelen == 0 || q >= end || *q != ']' || q + 1 != end) {
		buf_done(&sub);
		return syntax_error(ip, ip->line, e,
				    "invalid section header (write [name] or [name \"sub\"]), got",
				    s, n);
	}
	free(ip->section);
	free(ip->subsection);
	ip->section = xstrndup(name, namelen);
	ip->subsection = has_sub ? buf_steal(&sub) : NULL;
	buf_done(&sub);
	return 0;
}

/*
 * Append the value part [s, s + n) to val, following continuations.
 * s is trimmed.  Returns -1 when a continuation meets the end of input.
 */
static int
read_value(struct ini_parser *ip, const char *s, size_t n, struct buf *val, struct err *e)
{
	for (;;) {
		size_t bs = 0;

		while (bs < n && s[n - 1 - bs] == '\\')
			bs++;
		if (bs != 1) {
			buf_append(val, s, n);
			return 0;
		}
		buf_append(val, s, n - 1);
		buf_putc(val, ' ');
		if (!next_line(ip, &s, &n))
			return err_set(e, ERR_CONFIG,
				       "%s:%d: continuation at end of file (the line ends in '\\' "
				       "but nothing follows)",
				       ip->filename, ip->line);
		trim(&s, &n);
	}
}

/* Parse a trimmed "key = value" line and hand it to fn. */
static int
parse_key(struct ini_parser *ip, const char *s, size_t n, ini_handler fn, void *ud, struct buf *key,
	  struct buf *val, struct err *e)
{
	const char *q = s, *end = s + n, *v;
	int line = ip->line;
	size_t vn;
	char *value;

	while (q < end && is_name_char(*q))
		q++;
	buf_reset(key);
	buf_append(key, s, (size_t)(q - s));
	while (q < end && is_blank(*q))
		q++;
	if (key->len == 0 || q >= end || *q != '=')
		return syntax_error(ip, line, e, "expected 'key = value', got", s, n);
	if (ip->section == NULL)
		return err_set(e, ERR_CONFIG,
			       "%s:%d: key '%s' before any section (add a [section] line above it)",
			       ip->filename, line, key->data);
	v = q + 1;
	vn = (size_t)(end - v);
	trim(&v, &vn);
	buf_reset(val);
	if (read_value(ip, v, vn, val, e) < 0)
		return -1;
	while (val->len > 0 && is_blank(val->data[val->len - 1]))
		val->data[--val->len] = '\0';
	value = val->data;
	while (*value != '\0' && is_blank(*value))
		value++;
	vn = strlen(value);
	if (vn >= 2 && value[0] == '"' && value[vn - 1] == '"') {
		value[vn - 1] = '\0';
		value++;
	}
	err_clear(e);
	if (fn(ud, ip->section, ip->subsection, key->data, value, line, e) < 0) {
		size_t fl = strlen(ip->filename);

		if (e != NULL && e->code == ERR_OK)
			e->code = ERR_CONFIG;
		if (e != NULL && !(strncmp(e->msg, ip->filename, fl) == 0 && e->msg[fl] == ':'))
			err_prefix(e, "%s:%d", ip->filename, line);
		return -1;
	}
	return 0;
}

int
ini_parse(const char *text, size_t len, const char *filename, ini_handler fn, void *ud,
	  struct err *e)
{
	struct ini_parser ip = { 0 };
	struct buf key, val;
	const char *s, *nul;
	size_t n;
	int rc = 0;

	ip.filename = filename != NULL ? filename : "<input>";
	if (len == 0)
		return 0;
	nul = memchr(text, '\0', len);
	if (nul != NULL) {
		int line = 1;
		for (s = text; s < nul; s++)
			line += *s == '\n';
		return err_set(e, ERR_CONFIG, "%s:%d: NUL byte in input (is this a text file?)",
			       ip.filename, line);
	}
	ip.p = text;
	ip.end = text + len;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		ip.p += 3;
	buf_init(&key);
	buf_init(&val);
	while (rc == 0 && next_line(&ip, &s, &n)) {
		trim(&s, &n);
		if (n == 0 || *s == '#' || *s == ';')
			continue;
		if (*s == '[')
			rc = parse_section(&ip, s, n, e);
		else
			rc = parse_key(&ip, s, n, fn, ud, &key, &val, e);
	}
	buf_done(&key);
	buf_done(&val);
	free(ip.section);
	free(ip.subsection);
	return rc;
}
