/*
 * aws_ini.c - a small strict reader of the AWS CLI's shared files
 * (~/.aws/config, ~/.aws/credentials), see aws_internal.h.
 *
 * Why not lib/ini: it cannot read a section name with a space in it
 * ("[profile dev]", "[services local]"), and the sub-settings the CLI
 * nests under "s3 =" or "ecs =" are beyond it.  Why not libinih (Debian's
 * libinih): it cuts lines at INI_MAX_LINE, 200 bytes as packaged, and an
 * STS session token alone is 400 to 1200 characters; a token cut short
 * signs requests that fail with a baffling InvalidClientTokenId.  This
 * reader takes the whole file in memory and lines of any length, and
 * follows configparser (which botocore uses) where the CLI's users can
 * tell: comments only on lines of their own (an inline " # x" stays in
 * the value, as the CLI keeps it), keys compared case-insensitively,
 * both '=' and ':' as separators, continuation by indentation.
 */
#include "aws_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "xalloc.h"

#define MAX_FILE (4u << 20)

struct reader {
	struct aws_ini *ini;
	const char *file;
	struct aws_ini_section *sec; /* the current section, NULL before the first */
	struct aws_ini_entry *last;  /* the last setting of sec, for continuations */
	size_t last_indent;
	bool nested;  /* last had an empty value: indented lines are sub-settings */
	char *parent; /* last's key when nested */
};

static bool
blank(int c)
{
	return c == ' ' || c == '\t';
}

/* new: s[0..n) without leading and trailing white space */
static char *
trimmed(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static int
fail(const struct reader *r, int line, struct err *e, const char *what)
{
	return err_set(e, ERR_CONFIG, "aws: %s:%d: %s", r->file, line, what);
}

static void
add_entry(struct aws_ini_section *s, char *key, char *value, int line)
{
	s->entries = xrealloc(s->entries, (s->n + 1) * sizeof *s->entries);
	s->entries[s->n].key = key;
	s->entries[s->n].value = value;
	s->entries[s->n].line = line;
	s->n++;
}

static int
section(struct reader *r, const char *t, size_t n, int line, struct err *e)
{
	char *name;
	const struct aws_ini_section *old;
	struct aws_ini *ini = r->ini;

	if (n < 2 || t[n - 1] != ']')
		return fail(r, line, e, "a section header without its closing ']'");
	name = trimmed(t + 1, n - 2);
	if (name[0] == '\0') {
		free(name);
		return fail(r, line, e, "a section header without a name");
	}
	old = aws_ini_section(ini, name);
	if (old != NULL) {
		err_set(e, ERR_CONFIG,
			"aws: %s:%d: section [%s] again (first at line %d) — merge the two",
			r->file, line, name, old->line);
		free(name);
		return -1;
	}
	ini->sections = xrealloc(ini->sections, (ini->n + 1) * sizeof *ini->sections);
	r->sec = &ini->sections[ini->n++];
	memset(r->sec, 0, sizeof *r->sec);
	r->sec->name = name;
	r->sec->line = line;
	r->last = NULL;
	r->nested = false;
	return 0;
}

/* Split "key = value" (the first '=' or ':'); -1 when there is neither or no key. */
static int
split(const char *t, size_t n, char **key, char **value)
{
	size_t k;

	for (k = 0; k < n && t[k] != '=' && t[k] != ':'; k++)
		;
	if (k == n)
		return -1;
	*key = trimmed(t, k);
	if ((*key)[0] == '\0') {
		free(*key);
		return -1;
	}
	*value = trimmed(t + k + 1, n - k - 1);
	return 0;
}

static int
setting(struct reader *r, const char *t, size_t n, size_t indent, int line, struct err *e)
{
	char *key, *value;
	const struct aws_ini_entry *old;

	if (r->sec == NULL)
		return fail(r, line, e, "a setting before any [section]");
	if (split(t, n, &key, &value) < 0)
		return fail(
			r, line, e,
			"neither [section], a comment (# or ;) nor name = value — fix or remove "
			"the line");
	old = aws_ini_entry(r->sec, key);
	if (old != NULL) {
		err_set(e, ERR_CONFIG,
			"aws: %s:%d: '%s' again in [%s] (first at line %d) — keep one", r->file,
			line, key, r->sec->name, old->line);
		free(key);
		aws_wipe_free(value);
		return -1;
	}
	add_entry(r->sec, key, value, line);
	r->last = &r->sec->entries[r->sec->n - 1];
	r->last_indent = indent;
	r->nested = value[0] == '\0';
	free(r->parent);
	r->parent = r->nested ? xstrdup(key) : NULL;
	return 0;
}

/* An indented line under a setting: a sub-setting, or more of its value. */
static int
continuation(struct reader *r, const char *t, size_t n, int line, struct err *e)
{
	char *key, *value, *full;
	struct buf b;

	if (r->nested) {
		if (split(t, n, &key, &value) < 0)
			return fail(r, line, e,
				    "an indented line under a setting without a value must be "
				    "name = value");
		full = xasprintf("%s.%s", r->parent, key);
		free(key);
		if (aws_ini_entry(r->sec, full) != NULL) {
			err_set(e, ERR_CONFIG, "aws: %s:%d: '%s' again in [%s] — keep one", r->file,
				line, full, r->sec->name);
			free(full);
			aws_wipe_free(value);
			return -1;
		}
		add_entry(r->sec, full, value, line);
		r->last = NULL; /* the parent moved with the realloc; nested stays on */
		return 0;
	}
	buf_init(&b);
	buf_puts(&b, r->last->value);
	buf_putc(&b, '\n');
	value = trimmed(t, n);
	buf_puts(&b, value);
	aws_wipe_free(value);
	aws_wipe_free(r->last->value);
	r->last->value = buf_steal(&b);
	return 0;
}

static int
one_line(struct reader *r, const char *s, size_t n, int line, struct err *e)
{
	size_t indent = 0;
	const char *t;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (memchr(s, '\0', n) != NULL)
		return fail(r, line, e, "a NUL byte — the file is not text");
	while (indent < n && blank(s[indent]))
		indent++;
	t = s + indent;
	n -= indent;
	if (n == 0 || t[0] == '#' || t[0] == ';')
		return 0;
	if (r->sec != NULL && (r->last != NULL || r->nested) && indent > r->last_indent)
		return continuation(r, t, n, line, e);
	r->nested = false;
	if (t[0] == '[')
		return section(r, t, n, line, e);
	return setting(r, t, n, indent, line, e);
}

int
aws_ini_parse(const char *text, size_t len, const char *file, struct aws_ini *out, struct err *e)
{
	struct reader r;
	const char *p = text, *end = text + len, *nl;
	int line = 1, rc = 0;

	memset(out, 0, sizeof *out);
	out->file = xstrdup(file);
	memset(&r, 0, sizeof r);
	r.ini = out;
	r.file = out->file;
	if (text == NULL)
		p = end = NULL;
	/* a UTF-8 byte order mark, as Windows editors write it */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && rc == 0) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		rc = one_line(&r, p, (size_t)(nl - p), line, e);
		p = nl + 1;
		line++;
	}
	free(r.parent);
	if (rc < 0) {
		aws_ini_done(out);
		return -1;
	}
	return 0;
}

int
aws_ini_load(const char *path, struct aws_ini *out, struct err *e)
{
	FILE *f;
	struct buf b;
	char chunk[8192];
	size_t n;
	int rc;

	memset(out, 0, sizeof *out);
	f = fopen(path, "rb");
	if (f == NULL) {
		if (errno == ENOENT || errno == ENOTDIR) {
			out->file = xstrdup(path);
			return 0;
		}
		return err_set(e, ERR_CONFIG, "aws: cannot read %s: %s — fix its permissions", path,
			       strerror(errno));
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.len + n > MAX_FILE) {
			fclose(f);
			explicit_bzero(b.data, b.len);
			buf_done(&b);
			return err_set(e, ERR_CONFIG,
				       "aws: %s is over 4 MiB — is it the AWS config file?", path);
		}
		buf_append(&b, chunk, n);
	}
	explicit_bzero(chunk, sizeof chunk);
	if (ferror(f)) {
		fclose(f);
		explicit_bzero(b.data, b.len);
		buf_done(&b);
		return err_set(e, ERR_CONFIG, "aws: cannot read %s (is it a directory?)", path);
	}
	fclose(f);
	rc = aws_ini_parse(b.data, b.len, path, out, e);
	explicit_bzero(b.data, b.len);
	buf_done(&b);
	return rc;
}

void
aws_ini_done(struct aws_ini *ini)
{
	size_t i, k;

	if (ini == NULL)
		return;
	for (i = 0; i < ini->n; i++) {
		for (k = 0; k < ini->sections[i].n; k++) {
			free(ini->sections[i].entries[k].key);
			aws_wipe_free(ini->sections[i].entries[k].value);
		}
		free(ini->sections[i].entries);
		free(ini->sections[i].name);
	}
	free(ini->sections);
	free(ini->file);
	memset(ini, 0, sizeof *ini);
}

const struct aws_ini_section *
aws_ini_section(const struct aws_ini *ini, const char *name)
{
	size_t i;

	for (i = ini->n; i > 0; i--)
		if (strcmp(ini->sections[i - 1].name, name) == 0)
			return &ini->sections[i - 1];
	return NULL;
}

const struct aws_ini_entry *
aws_ini_entry(const struct aws_ini_section *s, const char *key)
{
	size_t i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (strcasecmp(s->entries[i].key, key) == 0)
			return &s->entries[i];
	return NULL;
}
