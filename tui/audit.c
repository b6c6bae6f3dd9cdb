/*
 * audit.c - appending audit records as JSON lines, and masking secrets.
 *
 * Why one write(2) per record: with O_APPEND the kernel moves to the end of
 * file and writes in one step, so records of concurrent processes land one
 * after another; splitting a record over two writes (or letting stdio
 * flush a full buffer mid-record) would let another process's record in
 * between.  Why fsync after each record: an audit line that the crash took
 * with it is worse than a slow scale action.
 *
 * Redaction is a byte scanner rather than regular expressions: it runs on
 * every error string, must never fail, and its rules (listed in audit.h)
 * are few enough to read in one sitting.
 */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "xalloc.h"

#define REDACTED "<redacted>"
#define WHAT_TO_DO "set [general] audit_log to a writable file, or fix the permissions"

static const char *const result_names[] = {
#define AUDIT_NAME_ITEM(name, text) text,
	AUDIT_RESULTS(AUDIT_NAME_ITEM)
#undef AUDIT_NAME_ITEM
};

const char *
audit_result_name(enum audit_result r)
{
	if ((unsigned)r >= AUDIT_RESULT_COUNT)
		return "unknown";
	return result_names[r];
}

/* --- redaction --------------------------------------------------------- */

struct out {
	char *p;
	size_t n, len; /* capacity (with the NUL), bytes written */
};

static void
out_putc(struct out *o, char ch)
{
	if (o->len + 1 < o->n)
		o->p[o->len++] = ch;
}

static void
out_put(struct out *o, const char *s, size_t n)
{
	while (n-- > 0)
		out_putc(o, *s++);
}

static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

static bool
is_alnum(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static bool
is_key_char(int ch)
{
	return is_alnum(ch) || ch == '_' || ch == '-' || ch == '.';
}

static bool
is_blank(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v';
}

/* Case-insensitive: does s start with word (lower case)? */
static bool
starts_with(const char *s, const char *word)
{
	for (; *word; s++, word++)
		if (*s == '\0' || lower((unsigned char)*s) != *word)
			return false;
	return true;
}

/* Does s[0..n) end with one of the secret key names (case-insensitive)? */
static bool
secret_key(const char *s, size_t n)
{
	static const char *const keys[] = { "token",   "password", "passwd",    "secret",
					    "api_key", "apikey",   "access_key" };
	size_t k, kl, i;

	for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		kl = strlen(keys[k]);
		if (kl > n)
			continue;
		for (i = 0; i < kl; i++)
			if (lower((unsigned char)s[n - kl + i]) != keys[k][i])
				break;
		if (i == kl)
			return true;
	}
	return false;
}

/* Length of a credential after "Bearer ": up to a blank or delimiter. */
static size_t
credential_len(const char *s)
{
	size_t i = 0;

	while (s[i] != '\0' && !is_blank((unsigned char)s[i]) && strchr("\"',;)]}>", s[i]) == NULL)
		i++;
	return i;
}

/* Length of a KEY=VALUE value: up to '&', a blank, quote, ',' or ';'. */
static size_t
value_len(const char *s)
{
	size_t i = 0;

	while (s[i] != '\0' && !is_blank((unsigned char)s[i]) && strchr("&\"',;", s[i]) == NULL)
		i++;
	return i;
}

/* "Authorization:" -> keep the name, mask to the end of the line. */
static size_t
redact_authorization(const char *s, struct out *o)
{
	size_t i = strlen("authorization:");

	out_put(o, s, i);
	out_put(o, " " REDACTED, strlen(" " REDACTED));
	while (s[i] != '\0' && s[i] != '\r' && s[i] != '\n')
		i++;
	return i;
}

/* "Bearer x" / "Basic x": 0 when s is not such a scheme with a credential. */
static size_t
redact_scheme(const char *s, struct out *o)
{
	size_t i, cl;
	bool basic;

	if (starts_with(s, "bearer "))
		basic = false, i = strlen("bearer ");
	else if (starts_with(s, "basic "))
		basic = true, i = strlen("basic ");
	else
		return 0;
	while (s[i] == ' ')
		i++;
	cl = credential_len(s + i);
	/* "Basic auth failed" is prose; a Basic credential is base64. */
	if (cl == 0 || (basic && cl < 8))
		return 0;
	if (basic) {
		size_t k;

		for (k = 0; k < cl; k++)
			if (!is_alnum((unsigned char)s[i + k]) && strchr("+/=", s[i + k]) == NULL)
				return 0;
	}
	out_put(o, s, i);
	out_put(o, REDACTED, strlen(REDACTED));
	return i + cl;
}

/* KEY=VALUE at a word start: 0 when not a secret key with a value. */
static size_t
redact_key_value(const char *s, struct out *o)
{
	size_t k = 0, vl;

	while (is_key_char((unsigned char)s[k]))
		k++;
	if (k == 0 || s[k] != '=' || !secret_key(s, k))
		return 0;
	vl = value_len(s + k + 1);
	if (vl == 0)
		return 0;
	out_put(o, s, k + 1);
	out_put(o, REDACTED, strlen(REDACTED));
	return k + 1 + vl;
}

/* "KEY": "VALUE" (JSON): 0 when not a secret key with a string value. */
static size_t
redact_json_member(const char *s, struct out *o)
{
	size_t k = 1, i, v;

	while (is_key_char((unsigned char)s[k]))
		k++;
	if (k == 1 || s[k] != '"' || !secret_key(s + 1, k - 1))
		return 0;
	i = k + 1;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (s[i] != ':')
		return 0;
	i++;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	if (s[i] != '"')
		return 0;
	v = i + 1;
	while (s[v] != '\0' && s[v] != '"') {
		if (s[v] == '\\' && s[v + 1] != '\0')
			v++;
		v++;
	}
	out_put(o, s, i + 1);
	out_put(o, REDACTED, strlen(REDACTED));
	return v; /* the closing quote (if any) is copied by the caller */
}

/* "://user:pass@": 0 when there is no userinfo with a password. */
static size_t
redact_userinfo(const char *s, struct out *o)
{
	size_t i = 3, colon = 0;

	for (; s[i] != '\0' && s[i] != '@'; i++) {
		if (is_blank((unsigned char)s[i]) || strchr("/?#\"'<>", s[i]) != NULL)
			return 0;
		if (s[i] == ':' && colon == 0)
			colon = i;
	}
	if (s[i] != '@' || colon == 0)
		return 0;
	out_put(o, s, colon + 1);
	out_put(o, REDACTED "@", strlen(REDACTED "@"));
	return i + 1;
}

void
audit_redact(const char *in, char *out, size_t n)
{
	struct out o = { out, n, 0 };
	size_t i = 0, used;
	bool word_start;

	if (out == NULL || n == 0)
		return;
	if (in == NULL)
		in = "";
	while (in[i] != '\0') {
		const char *s = in + i;

		word_start = i == 0 || !is_key_char((unsigned char)in[i - 1]);
		used = 0;
		if (starts_with(s, "authorization:"))
			used = redact_authorization(s, &o);
		else if (word_start && (used = redact_scheme(s, &o)) > 0)
			;
		else if (s[0] == ':' && s[1] == '/' && s[2] == '/')
			used = redact_userinfo(s, &o);
		else if (s[0] == '"')
			used = redact_json_member(s, &o);
		else if (word_start)
			used = redact_key_value(s, &o);
		if (used == 0) {
			out_putc(&o, in[i]);
			used = 1;
		}
		i += used;
	}
	o.p[o.len] = '\0';
}

/* --- formatting -------------------------------------------------------- */

/* Copy s replacing each invalid UTF-8 sequence byte by U+FFFD (new). */
static char *
utf8_fix(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b;
	size_t need, k;
	unsigned cp;

	buf_init(&b);
	while (*p) {
		if (*p < 0x80) {
			buf_putc(&b, (char)*p++);
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			need = 1, cp = *p & 0x1f;
		else if (*p >= 0xe0 && *p <= 0xef)
			need = 2, cp = *p & 0x0f;
		else if (*p >= 0xf0 && *p <= 0xf4)
			need = 3, cp = *p & 0x07;
		else
			need = 0, cp = 0;
		for (k = 1; k <= need; k++) {
			if ((p[k] & 0xc0) != 0x80)
				break;
			cp = (cp << 6) | (p[k] & 0x3f);
		}
		if (need == 0 || k <= need || (need == 2 && cp < 0x800) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			buf_puts(&b, "\xef\xbf\xbd");
			p++;
			continue;
		}
		buf_append(&b, p, need + 1);
		p += need + 1;
	}
	return buf_steal(&b);
}

/* A redacted, valid-UTF-8 JSON string, or null for NULL. */
static json_t *
json_text(const char *s)
{
	size_t len, cap;
	char *red, *fixed;
	json_t *j;

	if (s == NULL)
		return json_null();
	len = strlen(s);
	cap = 3 * len + 64; /* masking grows a string by less than this */
	red = xmalloc(cap);
	audit_redact(s, red, cap);
	fixed = utf8_fix(red);
	j = json_string(fixed);
	free(red);
	free(fixed);
	if (j == NULL) /* cannot happen after utf8_fix; never lose the record */
		j = json_string("<invalid>");
	return j;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* RFC 3339, UTC, milliseconds: "2024-05-01T12:34:56.789Z". */
static void
format_time(double t, char *out, size_t n)
{
	long long ms = llround(t * 1000.0), secs = ms / 1000, frac = ms % 1000;
	time_t tt;
	struct tm tm;
	char date[32];

	if (frac < 0)
		frac += 1000, secs--;
	tt = (time_t)secs;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		snprintf(out, n, "1970-01-01T00:00:00.000Z");
		return;
	}
	snprintf(out, n, "%s.%03lldZ", date, frac);
}

/*
 * Out of memory inside jansson: take xalloc's path (the hook restores the
 * terminal, a message, abort) by asking it for the impossible.
 */
static void
nomem(void)
{
	(void)xmalloc(SIZE_MAX);
	abort();
}

static void
put(json_t *o, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(o, key, v) != 0)
		nomem();
}

static char *
format_with(const struct audit_record *r, const char *user, const char *host, const char *env)
{
	char when[64], *line;
	json_t *o = json_object();
	struct buf b;

	if (o == NULL)
		nomem();
	format_time(r->time > 0 ? r->time : now_seconds(), when, sizeof when);
	put(o, "time", json_string(when));
	put(o, "user", json_text(user));
	put(o, "host", json_text(host));
	put(o, "mode", json_text(r->mode));
	if (env != NULL) /* only with environments: the lines of a single fleet stay as they were */
		put(o, "env", json_text(env));
	put(o, "runtime", json_text(r->runtime));
	put(o, "context", json_text(r->context));
	put(o, "service", json_text(r->service));
	put(o, "action", json_text(r->action));
	put(o, "before", json_text(r->before));
	put(o, "after", json_text(r->after));
	put(o, "result", json_string(audit_result_name(r->result)));
	put(o, "error", json_text(r->error));
	line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (line == NULL)
		nomem();
	buf_init(&b);
	buf_puts(&b, line);
	buf_putc(&b, '\n');
	free(line);
	return buf_steal(&b);
}

char *
audit_format(const struct audit_record *r)
{
	return format_with(r, r->user, r->host, r->env);
}

/* --- the file ---------------------------------------------------------- */

void
audit_login(char *out, size_t n)
{
	struct passwd *pw;
	const char *user;

	if (out == NULL || n == 0)
		return;
	if (getlogin_r(out, n) == 0 && out[0] != '\0')
		return;
	pw = getpwuid(geteuid());
	if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0') {
		snprintf(out, n, "%s", pw->pw_name);
		return;
	}
	user = getenv("USER");
	if (user != NULL && user[0] != '\0') {
		snprintf(out, n, "%s", user);
		return;
	}
	snprintf(out, n, "uid:%u", (unsigned)geteuid());
}

void
audit_host(char *out, size_t n)
{
	if (out == NULL || n == 0)
		return;
	if (gethostname(out, n) != 0 || out[0] == '\0') {
		snprintf(out, n, "unknown");
		return;
	}
	out[n - 1] = '\0';
}

int
audit_default_path(char *out, size_t n, struct err *e)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	struct passwd *pw;
	int len;

	/* The XDG spec: a relative XDG_STATE_HOME is invalid and ignored. */
	if (state != NULL && state[0] == '/') {
		len = snprintf(out, n, "%s/opsdeck/audit.jsonl", state);
	} else {
		if (home == NULL || home[0] == '\0') {
			pw = getpwuid(geteuid());
			home = pw != NULL ? pw->pw_dir : NULL;
		}
		if (home == NULL || home[0] == '\0')
			return err_set(e, ERR_CONFIG,
				       "audit log: neither XDG_STATE_HOME nor HOME is set "
				       "\xe2\x80\x94 set [general] audit_log");
		len = snprintf(out, n, "%s/.local/state/opsdeck/audit.jsonl", home);
	}
	if (len < 0 || (size_t)len >= n)
		return err_set(e, ERR_CONFIG,
			       "audit log: the default path is too long "
			       "\xe2\x80\x94 set [general] audit_log");
	return 0;
}

/* mkdir -p of path's directory; new directories get mode 0700. */
static int
make_parents(const char *path, struct err *e)
{
	char *dir = xstrdup(path), *p;
	struct stat st;

	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			err_set(e, ERR_IO,
				"audit log: cannot create directory %s: %s "
				"\xe2\x80\x94 " WHAT_TO_DO,
				dir, strerror(errno));
			free(dir);
			return -1;
		}
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			err_set(e, ERR_IO,
				"audit log: %s is not a directory "
				"\xe2\x80\x94 set [general] audit_log",
				dir);
			free(dir);
			return -1;
		}
		*p = '/';
	}
	free(dir);
	return 0;
}

/* Make a new directory entry durable: fsync the directory holding path. */
static void
sync_parent(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int fd;

	if (slash != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			(void)fsync(fd); /* best effort: the record's own fsync matters */
			close(fd);
		}
	}
	free(dir);
}

static int
open_file(const char *path, bool *created, struct err *e)
{
	int fd, flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY;
	struct stat st;

	*created = false;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return err_set(e, ERR_IO,
			       "audit log: %s is not a regular file "
			       "\xe2\x80\x94 set [general] audit_log to a file path",
			       path);
	fd = open(path, flags | O_CREAT | O_EXCL, 0600);
	if (fd >= 0)
		*created = true;
	else if (errno == EEXIST)
		fd = open(path, flags);
	if (fd < 0)
		return err_set(e, ERR_IO,
			       "audit log: cannot open %s for appending: %s "
			       "\xe2\x80\x94 " WHAT_TO_DO,
			       path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ERR_IO,
			       "audit log: %s is not a regular file "
			       "\xe2\x80\x94 set [general] audit_log to a file path",
			       path);
	}
	/* Who did what to production is not for every local user to read. */
	if ((st.st_mode & 077) != 0 && st.st_uid == geteuid())
		(void)fchmod(fd, 0600);
	return fd;
}

int
audit_open(struct audit *a, const char *path, struct err *e)
{
	char def[4096];
	bool created;
	int fd;

	a->fd = -1;
	a->path = NULL;
	a->user[0] = a->host[0] = '\0';
	a->env = NULL;
	if (path == NULL || path[0] == '\0') {
		if (audit_default_path(def, sizeof def, e) != 0)
			return -1;
		path = def;
	}
	if (make_parents(path, e) != 0)
		return -1;
	fd = open_file(path, &created, e);
	if (fd < 0)
		return -1;
	if (created)
		sync_parent(path);
	a->fd = fd;
	a->path = xstrdup(path);
	audit_login(a->user, sizeof a->user);
	audit_host(a->host, sizeof a->host);
	return 0;
}

int
audit_append(struct audit *a, const struct audit_record *r, struct err *e)
{
	char *line;
	size_t len;
	ssize_t n;
	int saved;

	if (a == NULL || a->fd < 0)
		return err_set(e, ERR_IO,
			       "audit log: not open \xe2\x80\x94 the action "
			       "was not recorded");
	line = format_with(r, r->user ? r->user : a->user, r->host ? r->host : a->host,
			   r->env ? r->env : a->env);
	len = strlen(line);
	do
		n = write(a->fd, line, len);
	while (n < 0 && errno == EINTR); /* EINTR: nothing was written */
	saved = errno;
	free(line);
	if (n < 0)
		return err_set(e, ERR_IO,
			       "audit log: cannot write to %s: %s "
			       "\xe2\x80\x94 " WHAT_TO_DO,
			       a->path, strerror(saved));
	if ((size_t)n != len) {
		/* Close the torn line so that the next record stands alone. */
		(void)!write(a->fd, "\n", 1);
		return err_set(e, ERR_IO,
			       "audit log: short write to %s (%zd of %zu bytes; "
			       "disk full?) \xe2\x80\x94 free space or " WHAT_TO_DO,
			       a->path, n, len);
	}
	if (fsync(a->fd) != 0)
		return err_set(e, ERR_IO,
			       "audit log: cannot sync %s: %s "
			       "\xe2\x80\x94 check the disk",
			       a->path, strerror(errno));
	return 0;
}

void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	free(a->path);
	a->path = NULL;
}

const char *
audit_path(const struct audit *a)
{
	return a != NULL && a->path != NULL ? a->path : "";
}
