/*
 * err.h - errors as values.
 *
 * Every fallible function returns 0 on success or -1 on failure and fills a
 * caller-provided struct err.  Codes and their short names come from one
 * X-macro so that messages and exit statuses never drift apart.  The message
 * names what failed and, where possible, what to do about it.
 */
#ifndef OPSDECK_LIB_ERR_H
#define OPSDECK_LIB_ERR_H

#include <stddef.h>

#define ERR_CODES(X)                  \
	X(ERR_OK, "ok")               \
	X(ERR_USAGE, "usage")         \
	X(ERR_CONFIG, "config")       \
	X(ERR_IO, "io")               \
	X(ERR_NOMEM, "out of memory") \
	X(ERR_CONNECT, "connect")     \
	X(ERR_TIMEOUT, "timeout")     \
	X(ERR_TLS, "tls")             \
	X(ERR_HTTP, "http")           \
	X(ERR_AUTH, "auth")           \
	X(ERR_TOOBIG, "too big")      \
	X(ERR_PARSE, "parse")         \
	X(ERR_BACKEND, "backend")     \
	X(ERR_READONLY, "read-only")  \
	X(ERR_REGEX, "regex")

#define ERR_ENUM_ITEM(name, text) name,
enum err_code { ERR_CODES(ERR_ENUM_ITEM) ERR_CODE_COUNT };
#undef ERR_ENUM_ITEM

#define ERR_MSG_MAX 512

struct err {
	enum err_code code;    /* ERR_OK when nothing failed */
	char msg[ERR_MSG_MAX]; /* human-readable, NUL-terminated */
};

/* Reset to ERR_OK with an empty message.  NULL-safe. */
void err_clear(struct err *e);

/*
 * Set code and a printf-formatted message.  Always returns -1 so callers can
 * write `return err_set(e, ERR_IO, "...")`.  NULL-safe (then only returns).
 */
int err_set(struct err *e, enum err_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Prefix the existing message with "prefix: ".  Returns -1.  Used when a
 * caller adds context (the backend name) to a lower layer's error.
 */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The short name of a code ("timeout"); never NULL. */
const char *err_code_name(enum err_code code);

#endif
