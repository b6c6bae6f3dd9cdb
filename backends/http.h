/*
 * http.h - non-blocking HTTP for every backend, on one libcurl multi handle.
 *
 * Call order: http_new() once; per refresh, http_submit() each due request
 * (they run concurrently); the event loop calls http_wait() (which wraps
 * curl_multi_poll and also watches the caller's fds) and then
 * http_perform(), which drives transfers and invokes each finished request's
 * callback exactly once.  http_free() cancels what is still running; the
 * callbacks of cancelled requests are not called.
 *
 * Every request has a deadline (endpoint timeout_ms) and a body cap
 * (endpoint max_body); exceeding either completes the request with an error.
 * TLS verification is on unless the endpoint says insecure.  Credentials
 * are set through curl options, never put into URLs, and are never written
 * to the debug log or to an error message.  A client certificate and key
 * (cert_file, key_file) are passed to curl by name; their contents are
 * never read here, and a file that cannot be read fails the request before
 * it starts, naming the file.
 *
 * Read-only mode: a request not declared a read (is_read) is refused by
 * http_submit() with ERR_READONLY before it reaches the network.  This is the
 * second guard behind tui/actions; backends declare their reads explicitly
 * because some reads are POSTs (Elasticsearch search, ECS Describe*).
 */
#ifndef OPSDECK_BACKENDS_HTTP_H
#define OPSDECK_BACKENDS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "err.h"

struct http; /* opaque */

enum http_method { HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE };

/*
 * Connection settings of one backend.  Plain record, owned by whoever fills
 * it (tui/config); http_submit copies what it needs, so the endpoint may
 * change between requests.
 */
struct http_endpoint {
	const char *name;           /* "prometheus": prefixes errors and log lines */
	const char *url;            /* base: http(s)://host:port[/prefix] or unix:///path.sock */
	const char *ca_file;        /* PEM bundle; NULL = system store */
	bool insecure;              /* skip TLS verification (explicit opt-in only) */
	const char *cert_file;      /* PEM client certificate; NULL = none */
	const char *key_file;       /* PEM private key of cert_file; NULL = in cert_file */
	const char *bearer_token;   /* secret; NULL = none */
	const char *username;       /* basic auth user; NULL = none */
	const char *password;       /* secret */
	const char *const *headers; /* extra "Name: value" lines */
	size_t nheaders;
	long timeout_ms;       /* whole-request deadline; 0 = 10 s */
	size_t max_body;       /* response cap in bytes; 0 = 32 MiB */
	const char *auth_hint; /* appended to 401/403 errors, e.g. "set [prometheus] token_file" */
	/*
	 * The backend's read allow-list (docker_is_read, prometheus_is_read):
	 * in read-only mode a request goes out only when this says it is a
	 * read AND the caller declared it one.  NULL: only declared GETs.
	 */
	bool (*is_read)(enum http_method method, const char *path);
	/* The setting that holds url, named in errors ("[docker] host"); NULL = "[name] url". */
	const char *url_key;
	/*
	 * AWS SigV4 signing, CURLOPT_AWS_SIGV4's "aws:amz:REGION:SERVICE"; then
	 * username / password are the access key id and the secret access key
	 * (the secret only signs, it is never sent), and a session token goes in
	 * headers as "X-Amz-Security-Token: ...".  NULL = no signing.
	 */
	const char *aws_sigv4;
};

struct http_response {
	const char *backend;      /* endpoint name */
	long status;              /* HTTP status; 0 when no response arrived */
	const char *body;         /* borrowed until the callback returns; NUL-terminated */
	size_t len;               /* body length */
	long latency_ms;          /* submit to completion */
	const char *content_type; /* borrowed; may be NULL */
	long retry_after_s;       /* a Retry-After header in seconds (429, 503); 0 none */
	struct err err;           /* ERR_OK if a response arrived (any status) */
};

/* Called once per finished request. */
typedef void (*http_done_fn)(void *ud, const struct http_response *r);

/* An extra descriptor for http_wait (stdin, the self-pipe). */
struct http_waitfd {
	int fd;
	short events;  /* POLLIN etc. */
	short revents; /* filled by http_wait */
};

/* new: the client.  Fails only if libcurl cannot initialise. */
struct http *http_new(struct err *e);
void http_free(struct http *h); /* NULL-safe; cancels pending requests */

void http_set_readonly(struct http *h, bool readonly);
bool http_readonly(const struct http *h);
/*
 * Log one line per finished request to f (borrowed; NULL disables):
 * "2026-11-22T10:00:00Z GET http://host:9090/api/v1/query?... 200 12ms 3456B"
 * URLs are written without userinfo; a failed transfer ends with the error
 * code's short name (" timeout"); unix sockets log as "unix:///path.sock:/path".
 */
void http_set_debug_log(struct http *h, FILE *f);

/*
 * Start a request to ep->url + path (path begins with '/', may carry a
 * query string).  body may be NULL; content_type defaults to
 * application/json when body is set.  Returns 0, or -1 with e filled (bad
 * URL, read-only refusal) without calling done.
 */
int http_submit(struct http *h, const struct http_endpoint *ep, enum http_method method,
		const char *path, const char *body, bool is_read, http_done_fn done, void *ud,
		struct err *e);

/* Requests still running. */
int http_pending(const struct http *h);

/*
 * Wait until a transfer needs attention, one of fds is ready, or timeout_ms
 * passes (-1 is not allowed: pass a deadline).  Interrupted by a signal it
 * returns 0 early.  Returns 0 or -1 with e filled.
 */
int http_wait(struct http *h, struct http_waitfd *fds, size_t nfds, int timeout_ms, struct err *e);

/* Drive transfers and call the callbacks of finished ones.  Returns how many finished. */
int http_perform(struct http *h);

/*
 * Percent-encode s for a query string (new).  Used by request builders.
 */
char *http_urlencode(const char *s);

/*
 * new: url with any "user:password@" removed from its authority, for log
 * lines and messages.  NULL gives "".
 */
char *http_url_redact(const char *url);

/*
 * Fill e with a user-facing message for a non-2xx status, naming the backend,
 * the status, the URL base and, for 401/403, ep->auth_hint.  Returns -1.
 */
int http_status_error(const struct http_response *r, const char *url_base, const char *auth_hint,
		      struct err *e);

/* ---- texts for messages (http_text.c) ----------------------------------- */

/*
 * The reason phrase of a status with a leading space (" Not Found"), to
 * follow "HTTP 404" in a message; "" for a status without one here.
 */
const char *http_status_reason(long status);

/* How http_body_excerpt treats quotes and bytes beyond ASCII. */
enum {
	/*
	 * The message shows the excerpt in double quotes: '"' becomes '\''.
	 * Without it the excerpt goes in single quotes and '\'' becomes '"'.
	 */
	HTTP_EXCERPT_DQUOTED = 1 << 0,
	/*
	 * Keep whole, valid UTF-8 sequences and mark a cut with "…"
	 * (U+2026).  Without it the excerpt is printable ASCII only (any other
	 * byte becomes '?') and a cut is marked with "...".
	 */
	HTTP_EXCERPT_UTF8 = 1 << 1,
};

/*
 * The first bytes of body (len bytes; NULL is empty) as a one-line,
 * printable excerpt for an error message, into out (n bytes, always
 * NUL-terminated when n > 0): leading white space skipped, at most max bytes
 * up to the first line break, control bytes as '?', and an ellipsis when
 * anything but white space is left out.
 */
void http_body_excerpt(const char *body, size_t len, size_t max, unsigned flags, char *out,
		       size_t n);

#endif
