/*
 * audit.h - the audit log of mutating actions: one JSON object per line.
 *
 * Every attempt at a scale / restart / rollback - cancelled, refused,
 * failed, of unknown outcome, or succeeded - appends one record.  A line
 * looks like (keys always present, in this order):
 *
 *   {"time":"2024-05-01T12:34:56.789Z","user":"kim","host":"ops1",
 *    "mode":"console","runtime":"swarm","context":"local",
 *    "service":"payments","action":"scale","before":"2","after":"4",
 *    "result":"succeeded","error":null}
 *
 * compact, ASCII only (non-ASCII as \uXXXX), a string field that was NULL
 * written as null, invalid UTF-8 replaced by U+FFFD.
 *
 * Durability and atomicity: the file is opened O_APPEND; each record is
 * built in full in memory and written with one write(2), then fsync(2).
 * Appends by several processes (two consoles on one host) therefore never
 * interleave or tear on a local file system.
 *
 * Secrets: the record has no field for credentials, and every string field
 * passes through audit_redact() before it is written, so a token that a
 * runtime echoes in its error text does not reach the file.
 *
 * No curses here: unit tests link this file without a terminal.
 */
#ifndef OPSDECK_TUI_AUDIT_H
#define OPSDECK_TUI_AUDIT_H

#include <stddef.h>

#include "err.h"

#define AUDIT_RESULTS(X)                                                     \
	X(AUDIT_CANCELLED, "cancelled") /* the user said no at the dialog */ \
	X(AUDIT_REFUSED, "refused")     /* read-only, or one in flight */    \
	X(AUDIT_FAILED, "failed")       /* the runtime answered an error */  \
	X(AUDIT_UNKNOWN, "unknown")     /* timeout: outcome unknown */       \
	X(AUDIT_SUCCEEDED, "succeeded") /* converged */                      \
	X(AUDIT_STARTED, "started")     /* accepted, now in flight */

#define AUDIT_ENUM_ITEM(name, text) name,
enum audit_result { AUDIT_RESULTS(AUDIT_ENUM_ITEM) AUDIT_RESULT_COUNT };
#undef AUDIT_ENUM_ITEM

/* A plain record: every string is borrowed for the audit_append call. */
struct audit_record {
	double time;         /* unix seconds; <= 0 = now */
	const char *user;    /* login; NULL = the one found at audit_open */
	const char *host;    /* hostname; NULL = the one found at audit_open */
	const char *mode;    /* "console", "wall", "snapshot" */
	const char *runtime; /* "swarm", "docker", "kubernetes", "ecs" */
	const char *context; /* "local", a kube context, an ECS cluster */
	const char *service; /* "payments" */
	const char *action;  /* "scale", "restart", "rollback" */
	const char *before;  /* "2", an image tag; NULL = not known */
	const char *after;   /* "4", an image tag; NULL = not known */
	enum audit_result result;
	const char *error; /* the runtime's error text; NULL = none */
	const char *env;   /* the environment ([env "NAME"]); NULL = none: no "env" field */
};

/*
 * An open log.  Embedded: audit_open() / audit_close().  The fields are
 * private to audit.c.
 */
struct audit {
	int fd;         /* O_APPEND, or -1 when closed */
	char *path;     /* owned */
	char user[256]; /* audit_login() at open */
	char host[256]; /* audit_host() at open */
	const char *
		env; /* borrowed, set by the owner after open: every line's "env" unless the record has one */
};

/*
 * Open (creating) the log.  path NULL or "" means the default:
 * $XDG_STATE_HOME/opsdeck/audit.jsonl when XDG_STATE_HOME is set and
 * absolute, else $HOME/.local/state/opsdeck/audit.jsonl (HOME from the
 * password database when unset).  Missing directories are created 0700;
 * the file is created 0600, and an existing file readable by others is
 * chmod'ed to 0600.  Returns 0, or -1 with e (ERR_IO, ERR_CONFIG) naming
 * the path and what to do; a is then closed (audit_close is harmless).
 */
int audit_open(struct audit *a, const char *path, struct err *e);

/*
 * Append one record (redacted, see above).  Returns 0, or -1 with e
 * (ERR_IO) when the log is closed, the write was short or failed, or fsync
 * failed.  A short write cannot be undone safely while other processes
 * append; audit_append then writes a lone "\n" so that the next record
 * starts on a line of its own, and reports the error.
 */
int audit_append(struct audit *a, const struct audit_record *r, struct err *e);

/* Close the log.  NULL-safe; harmless when already closed. */
void audit_close(struct audit *a);

/* borrowed: the log's path (valid until audit_close), or "" when closed. */
const char *audit_path(const struct audit *a);

/*
 * The default path into out (size n).  Returns 0, or -1 with e when
 * neither XDG_STATE_HOME nor HOME gives a directory or the path is too long.
 */
int audit_default_path(char *out, size_t n, struct err *e);

/*
 * The record as its JSON line (new, NUL-terminated, ending in "\n"), as
 * audit_append writes it; user/host NULL stay null here.  For tests and
 * the snapshot exporter.  Never fails (aborts on out of memory).
 */
char *audit_format(const struct audit_record *r);

/*
 * The login name into out (size n, always NUL-terminated): getlogin_r()
 * (the user who logged in, also under sudo), else the name of the
 * effective uid from the password database, else $USER, else "uid:<n>".
 */
void audit_login(char *out, size_t n);

/* The host name into out (size n, always NUL-terminated); "unknown" on failure. */
void audit_host(char *out, size_t n);

/* The result's name ("cancelled"); "unknown" for an out-of-range value. */
const char *audit_result_name(enum audit_result r);

/*
 * Copy in to out (size n, always NUL-terminated, truncated if needed) with
 * secrets masked as "<redacted>".  Exactly these, matching ASCII letters
 * without regard to case:
 *  - "Authorization:" (also "Proxy-Authorization:"): everything after it up
 *    to the end of the line ("\r" or "\n") -> "Authorization: <redacted>";
 *  - "Bearer " (or "Basic ") followed by a credential: the credential, up
 *    to a blank, quote, ',', ';', ')', ']', '}' or '>' -> "Bearer <redacted>";
 *  - KEY=VALUE where KEY (letters, digits, '_', '-', '.') ends in "token",
 *    "password", "passwd", "secret", "api_key", "apikey" or "access_key"
 *    ("access_token=", "X_PASSWORD=", "client_secret="): VALUE, up to '&', a
 *    blank, quote, ',' or ';' -> "token=<redacted>"; the same keys quoted
 *    as a JSON member ("password":"...") have their string value masked;
 *  - URL userinfo with a password, "scheme://user:pass@": the password ->
 *    "scheme://user:<redacted>@" (a user without a password is kept:
 *    ssh://deploy@host names who, not a secret).
 * Anything else is copied unchanged.
 */
void audit_redact(const char *in, char *out, size_t n);

#endif
