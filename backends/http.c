/*
 * http.c - every backend's requests on one libcurl multi handle.
 *
 * One struct http_req per transfer, linked into the client so http_free can
 * cancel them.  The body is collected in a struct buf and capped in the
 * write callback (returning a short count aborts the transfer); the cap is
 * also given to curl as CURLOPT_MAXFILESIZE so a Content-Length above it is
 * refused before any byte is read.
 *
 * Secrets: the bearer token travels in an Authorization header we build,
 * basic credentials through CURLOPT_USERNAME/PASSWORD.  Log lines and error
 * messages use a copy of the URL with any userinfo removed; header values
 * are never logged.
 */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "parse.h"
#include "xalloc.h"

#define DEFAULT_TIMEOUT_MS 10000L
#define DEFAULT_MAX_BODY ((size_t)32 << 20)

struct http_req {
	char url_key[96]; /* "[docker] host": the setting named in errors */
	CURL *easy;
	struct curl_slist *hdrs; /* owned; holds the bearer header (secret) */
	struct buf body;         /* response bytes */
	size_t max_body;
	bool toobig;    /* the write callback hit max_body */
	char *name;     /* owned: endpoint name */
	char *url_log;  /* owned: full URL without userinfo */
	char *base_log; /* owned: endpoint base without userinfo */
	char *req_body; /* owned copy of the request body */
	bool unix_socket;
	enum http_method method;
	long timeout_ms;
	struct timespec start;
	http_done_fn done;
	void *ud;
	char errbuf[CURL_ERROR_SIZE];
	struct http_req *prev, *next;
};

struct http {
	CURLM *multi;
	bool readonly;
	FILE *debug;           /* borrowed */
	struct http_req *reqs; /* running transfers */
	int pending;
};

static const char *const method_names[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };

static const char *
method_name(enum http_method m)
{
	if ((int)m < 0 || (size_t)m >= sizeof method_names / sizeof method_names[0])
		return "?";
	return method_names[m];
}

struct http *
http_new(struct err *e)
{
	struct http *h;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		err_set(e, ERR_BACKEND, "http: libcurl failed to initialise");
		return NULL;
	}
	h = xcalloc(1, sizeof *h);
	h->multi = curl_multi_init();
	if (h->multi == NULL) {
		free(h);
		curl_global_cleanup();
		err_set(e, ERR_BACKEND, "http: libcurl failed to create a multi handle");
		return NULL;
	}
	return h;
}

static void
req_free(struct http_req *r)
{
	if (r->easy != NULL)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
	buf_done(&r->body);
	free(r->name);
	free(r->url_log);
	free(r->base_log);
	free(r->req_body);
	free(r);
}

static void
unlink_req(struct http *h, struct http_req *r)
{
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		h->reqs = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
	h->pending--;
}

void
http_free(struct http *h)
{
	struct http_req *r, *next;

	if (h == NULL)
		return;
	for (r = h->reqs; r != NULL; r = next) {
		next = r->next;
		curl_multi_remove_handle(h->multi, r->easy);
		req_free(r);
	}
	curl_multi_cleanup(h->multi);
	free(h);
	curl_global_cleanup();
}

void
http_set_readonly(struct http *h, bool readonly)
{
	h->readonly = readonly;
}

bool
http_readonly(const struct http *h)
{
	return h->readonly;
}

void
http_set_debug_log(struct http *h, FILE *f)
{
	h->debug = f;
}

int
http_pending(const struct http *h)
{
	return h->pending;
}

/* ---- URLs -------------------------------------------------------------- */

/* buf_steal re-initialises the buffer; a builder's local buffer is done with. */
static char *
steal(struct buf *b)
{
	char *p = buf_steal(b);

	buf_done(b);
	return p;
}

char *
http_urlencode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;

	buf_init(&b);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			buf_putc(&b, (char)c);
		} else {
			buf_putc(&b, '%');
			buf_putc(&b, hex[c >> 4]);
			buf_putc(&b, hex[c & 15]);
		}
	}
	return steal(&b);
}

/* new: url with "user:pass@" removed from its authority. */
char *
http_url_redact(const char *url)
{
	const char *auth, *end, *at = NULL, *p;
	struct buf b;

	if (url == NULL)
		return xstrdup("");
	auth = strstr(url, "://");
	if (auth == NULL)
		return xstrdup(url);
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		return xstrdup(url);
	buf_init(&b);
	buf_append(&b, url, (size_t)(auth - url));
	buf_puts(&b, at + 1);
	return steal(&b);
}

/* The base without trailing slashes (new). */
static char *
trim_base(const char *url)
{
	size_t n = strlen(url);

	while (n > 0 && url[n - 1] == '/')
		n--;
	return xstrndup(url, n);
}

/* Whether ep carries a header called name (any case). */
static bool
has_header(const struct http_endpoint *ep, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < ep->nheaders; i++)
		if (ep->headers[i] != NULL && strncasecmp(ep->headers[i], name, n) == 0 &&
		    ep->headers[i][n] == ':')
			return true;
	return false;
}

static bool
has_crlf(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") != NULL;
}

/* "prometheus" -> "Prometheus" for "is Prometheus running?" */
static void
display_name(const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s", name);
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
}

static void
size_text(size_t v, char *out, size_t n)
{
	if (v >= ((size_t)1 << 20) && v % ((size_t)1 << 20) == 0)
		snprintf(out, n, "%zu MiB", v >> 20);
	else if (v >= 1024 && v % 1024 == 0)
		snprintf(out, n, "%zu KiB", v >> 10);
	else
		snprintf(out, n, "%zu bytes", v);
}

/* ---- callbacks --------------------------------------------------------- */

static size_t
write_cb(char *p, size_t size, size_t nmemb, void *ud)
{
	struct http_req *r = ud;
	size_t n = size * nmemb;

	if (r->body.len + n > r->max_body) {
		r->toobig = true;
		return 0; /* aborts with CURLE_WRITE_ERROR */
	}
	buf_append(&r->body, p, n);
	return n;
}

/* ---- submit ------------------------------------------------------------ */

static long
ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)((now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000);
}

/*
 * The client certificate and key, by name: curl reads them.  Checking that
 * they can be read first turns curl's "could not load PEM client
 * certificate" into a message that names the file.
 */
static int
client_cert(struct http_req *r, const struct http_endpoint *ep, struct err *e)
{
	static const char *const what[2] = { "client certificate", "client key" };
	const char *file[2] = { ep->cert_file, ep->key_file };
	int i;

	for (i = 0; i < 2; i++) {
		if (file[i] == NULL || file[i][0] == '\0')
			continue;
		if (access(file[i], R_OK) != 0)
			return err_set(e, ERR_TLS,
				       "%s: cannot read the TLS %s %.200s (%s) — check the file "
				       "and its permissions, or the [%s] settings that name it",
				       r->name, what[i], file[i], strerror(errno), r->name);
	}
	if (file[0] != NULL && file[0][0] != '\0') {
		curl_easy_setopt(r->easy, CURLOPT_SSLCERT, file[0]);
		curl_easy_setopt(r->easy, CURLOPT_SSLCERTTYPE, "PEM");
		if (file[1] != NULL && file[1][0] != '\0') {
			curl_easy_setopt(r->easy, CURLOPT_SSLKEY, file[1]);
			curl_easy_setopt(r->easy, CURLOPT_SSLKEYTYPE, "PEM");
		}
	} else if (file[1] != NULL && file[1][0] != '\0') {
		return err_set(e, ERR_CONFIG,
			       "%s: a TLS client key (%.200s) without its certificate — name the "
			       "certificate too",
			       r->name, file[1]);
	}
	return 0;
}

/* Set curl options for one request; returns 0 or -1 with e filled. */
static int
setup(struct http_req *r, const struct http_endpoint *ep, const char *path, const char *body,
      struct err *e)
{
	CURL *c = r->easy;
	char *base, *url, ua[64];
	const char *sock = NULL;
	size_t i;

	base = trim_base(ep->url);
	if (strncmp(base, "unix://", 7) == 0) {
		sock = base + 7;
		if (*sock != '/') {
			free(base);
			return err_set(
				e, ERR_CONFIG,
				"%s: unix socket URL \"%.100s\" needs an absolute path — write "
				"unix:///path/to.sock in [%s] url",
				r->name, ep->url, r->name);
		}
		url = xasprintf("http://localhost%s", path);
		r->unix_socket = true;
		r->base_log = xasprintf("unix://%s", sock);
		r->url_log = xasprintf("unix://%s:%s", sock, path);
	} else if (strncmp(base, "http://", 7) == 0 || strncmp(base, "https://", 8) == 0) {
		char *red = http_url_redact(base);

		url = xasprintf("%s%s", base, path);
		r->base_log = red;
		r->url_log = xasprintf("%s%s", red, path);
	} else {
		char *red = http_url_redact(ep->url);

		err_set(e, ERR_CONFIG,
			"%s: unsupported URL \"%.100s\" — [%s] url must start with http://, "
			"https:// or unix://",
			r->name, red, r->name);
		free(red);
		free(base);
		return -1;
	}

	curl_easy_setopt(c, CURLOPT_URL, url);
	free(url);
	if (sock != NULL)
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
	free(base);
	curl_easy_setopt(c, CURLOPT_PRIVATE, r);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, r->timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)r->max_body);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	snprintf(ua, sizeof ua, "opsdeck/%s", OPSDECK_VERSION);
	curl_easy_setopt(c, CURLOPT_USERAGENT, ua);

	/* TLS: verification stays on unless the endpoint explicitly opts out. */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, ep->insecure ? 0L : 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, ep->insecure ? 0L : 2L);
	if (ep->ca_file != NULL && ep->ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, ep->ca_file);
	if (client_cert(r, ep, e) < 0)
		return -1;

	if (ep->username != NULL && ep->username[0] != '\0') {
		/* AWS: the access key and secret sign the request (SigV4), never travel. */
		if (ep->aws_sigv4 != NULL)
			curl_easy_setopt(c, CURLOPT_AWS_SIGV4, ep->aws_sigv4);
		else
			curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, ep->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, ep->password != NULL ? ep->password : "");
	}
	if (ep->bearer_token != NULL && ep->bearer_token[0] != '\0') {
		char *hdr;

		if (has_crlf(ep->bearer_token))
			return err_set(e, ERR_CONFIG,
				       "%s: the bearer token contains a line break — check [%s] "
				       "token_file (one line)",
				       r->name, r->name);
		hdr = xasprintf("Authorization: Bearer %s", ep->bearer_token);
		r->hdrs = curl_slist_append(r->hdrs, hdr);
		memset(hdr, 0, strlen(hdr));
		free(hdr);
	}
	for (i = 0; i < ep->nheaders; i++) {
		if (ep->headers[i] == NULL || strchr(ep->headers[i], ':') == NULL ||
		    has_crlf(ep->headers[i]))
			return err_set(e, ERR_CONFIG,
				       "%s: header %zu is not one \"Name: value\" line — fix [%s] "
				       "headers",
				       r->name, i + 1, r->name);
		r->hdrs = curl_slist_append(r->hdrs, ep->headers[i]);
	}

	switch (r->method) {
	case HTTP_GET:
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		break;
	case HTTP_POST:
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		break;
	default:
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method_name(r->method));
		break;
	}
	if (body != NULL) {
		r->req_body = xstrdup(body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->req_body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
		/* A caller's own Content-Type (a Kubernetes patch type) wins. */
		if (!has_header(ep, "Content-Type"))
			r->hdrs = curl_slist_append(r->hdrs, "Content-Type: application/json");
	} else if (r->method != HTTP_GET && r->method != HTTP_DELETE) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	}
	/*
	 * No "Expect: 100-continue" round trip for small JSON bodies.  Not for
	 * SigV4: libcurl 7.88 signs the empty "Expect:" it never sends, so AWS
	 * computes another signature (and it adds no Expect below 1 MiB anyway).
	 */
	if (ep->aws_sigv4 == NULL)
		r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, r->hdrs);
	return 0;
}

int
http_submit(struct http *h, const struct http_endpoint *ep, enum http_method method,
	    const char *path, const char *body, bool is_read, http_done_fn done, void *ud,
	    struct err *e)
{
	struct http_req *r;
	const char *name = ep != NULL && ep->name != NULL ? ep->name : "http";
	CURLMcode mc;

	if (ep == NULL || ep->url == NULL || ep->url[0] == '\0')
		return err_set(e, ERR_CONFIG, "%s: no URL configured — set [%s] url", name, name);
	if (path == NULL || path[0] != '/')
		return err_set(e, ERR_USAGE, "%s: request path \"%.80s\" must begin with '/'", name,
			       path != NULL ? path : "(null)");
	/*
	 * Read-only is two independent guards: the caller's declaration and
	 * the backend's own allow-list.  Both must say "read".
	 */
	if (h->readonly &&
	    (!is_read || (ep->is_read != NULL ? !ep->is_read(method, path) : method != HTTP_GET))) {
		char *red = http_url_redact(ep->url);

		err_set(e, ERR_READONLY,
			"%s: read-only mode: refused %s %s%s (it would change something) — run "
			"without --wall / readonly to act",
			name, method_name(method), red, path);
		free(red);
		return -1;
	}
	r = xcalloc(1, sizeof *r);
	buf_init(&r->body);
	r->name = xstrdup(name);
	if (ep->url_key != NULL)
		snprintf(r->url_key, sizeof r->url_key, "%s", ep->url_key);
	else
		snprintf(r->url_key, sizeof r->url_key, "[%s] url", name);
	r->method = method;
	r->timeout_ms = ep->timeout_ms > 0 ? ep->timeout_ms : DEFAULT_TIMEOUT_MS;
	r->max_body = ep->max_body > 0 ? ep->max_body : DEFAULT_MAX_BODY;
	r->done = done;
	r->ud = ud;
	r->easy = curl_easy_init();
	if (r->easy == NULL) {
		req_free(r);
		return err_set(e, ERR_BACKEND, "%s: libcurl could not create a transfer", name);
	}
	if (setup(r, ep, path, body, e) < 0) {
		req_free(r);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	mc = curl_multi_add_handle(h->multi, r->easy);
	if (mc != CURLM_OK) {
		err_set(e, ERR_BACKEND, "%s: libcurl refused the transfer (%s)", name,
			curl_multi_strerror(mc));
		req_free(r);
		return -1;
	}
	r->next = h->reqs;
	if (h->reqs != NULL)
		h->reqs->prev = r;
	h->reqs = r;
	h->pending++;
	return 0;
}

/* ---- wait and perform -------------------------------------------------- */

int
http_wait(struct http *h, struct http_waitfd *fds, size_t nfds, int timeout_ms, struct err *e)
{
	struct curl_waitfd stack[8], *w = stack;
	CURLMcode mc;
	size_t i;
	int n = 0;

	if (timeout_ms < 0)
		return err_set(e, ERR_USAGE, "http: http_wait needs a timeout >= 0");
	if (nfds > sizeof stack / sizeof stack[0])
		w = xcalloc(nfds, sizeof *w);
	for (i = 0; i < nfds; i++) {
		w[i].fd = fds[i].fd;
		w[i].events = fds[i].events;
		w[i].revents = 0;
	}
	mc = curl_multi_poll(h->multi, nfds ? w : NULL, (unsigned)nfds, timeout_ms, &n);
	for (i = 0; i < nfds; i++)
		fds[i].revents = mc == CURLM_OK ? w[i].revents : 0;
	if (w != stack)
		free(w);
	if (mc != CURLM_OK)
		return err_set(e, ERR_IO, "http: waiting for transfers failed (%s)",
			       curl_multi_strerror(mc));
	return 0;
}

static bool
is_tls_error(CURLcode c)
{
	switch (c) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		return true;
	default:
		return false;
	}
}

/* Turn a failed transfer into a message naming backend, URL, cause and remedy. */
static void
transfer_error(struct http_req *r, CURLcode cc, struct err *e)
{
	char who[64], what[CURL_ERROR_SIZE + 64], lim[32];
	long oserr = 0;
	const char *n = r->name, *u = r->base_log;

	display_name(n, who, sizeof who);
	snprintf(what, sizeof what, "%s",
		 r->errbuf[0] != '\0' ? r->errbuf : curl_easy_strerror(cc));
	if ((r->toobig && cc == CURLE_WRITE_ERROR) || cc == CURLE_FILESIZE_EXCEEDED) {
		size_text(r->max_body, lim, sizeof lim);
		err_set(e, ERR_TOOBIG, "%s: response larger than %s from %s — raise [%s] max_body",
			n, lim, u, n);
		return;
	}
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
		format_duration_ms(r->timeout_ms, lim, sizeof lim);
		err_set(e, ERR_TIMEOUT,
			"%s: no answer from %s within %s — is %s overloaded? raise [%s] timeout", n,
			u, lim, who, n);
		return;
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(r->easy, CURLINFO_OS_ERRNO, &oserr);
		err_set(e, ERR_CONNECT, "%s: cannot connect to %s (%s) — is %s running? check %s",
			n, u, oserr != 0 ? strerror((int)oserr) : what, who, r->url_key);
		return;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		err_set(e, ERR_CONNECT, "%s: cannot resolve the host of %s (%s) — check %s", n, u,
			what, r->url_key);
		return;
	case CURLE_GOT_NOTHING:
		err_set(e, ERR_CONNECT,
			"%s: %s closed the connection without answering — http vs https? check "
			"%s",
			n, u, r->url_key);
		return;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		err_set(e, ERR_CONFIG, "%s: bad URL %s (%s) — check %s", n, u, what, r->url_key);
		return;
	case CURLE_SSL_CACERT_BADFILE:
		err_set(e, ERR_TLS, "%s: cannot use the CA file for %s (%s) — check [%s] ca_file",
			n, u, what, n);
		return;
	case CURLE_SSL_CERTPROBLEM:
		err_set(e, ERR_TLS,
			"%s: the TLS client certificate or key for %s cannot be used (%s) — check "
			"that the key belongs to the certificate",
			n, u, what);
		return;
	default:
		break;
	}
	if (is_tls_error(cc)) {
		err_set(e, ERR_TLS,
			"%s: TLS with %s failed (%s) — set [%s] ca_file to the server's CA, or "
			"insecure = true to skip verification",
			n, u, what, n);
		return;
	}
	err_set(e, ERR_CONNECT, "%s: request to %s failed (%s) — check [%s] url and the network", n,
		u, what, n);
}

static void
log_line(struct http *h, const struct http_req *r, const struct http_response *resp)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;

	if (h->debug == NULL)
		return;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(h->debug, "%s %s %s %ld %ldms %zuB", ts, method_name(r->method), r->url_log,
		resp->status, resp->latency_ms, resp->len);
	if (resp->err.code != ERR_OK)
		fprintf(h->debug, " %s", err_code_name(resp->err.code));
	fputc('\n', h->debug);
	fflush(h->debug);
}

static void
finish(struct http *h, struct http_req *r, CURLcode cc)
{
	struct http_response resp;
	char *ctype = NULL;

	memset(&resp, 0, sizeof resp);
	resp.backend = r->name;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &resp.status);
	curl_easy_getinfo(r->easy, CURLINFO_CONTENT_TYPE, &ctype);
	resp.content_type = ctype;
	{
		curl_off_t ra = 0;

		/* Seconds or an HTTP date, as curl parsed it; 0 when absent. */
		if (curl_easy_getinfo(r->easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
			resp.retry_after_s = ra > 86400 ? 86400 : (long)ra;
	}
	resp.body = r->body.data;
	resp.len = r->body.len;
	resp.latency_ms = ms_since(&r->start);
	err_clear(&resp.err);
	if (cc != CURLE_OK)
		transfer_error(r, cc, &resp.err);
	log_line(h, r, &resp);
	if (r->done != NULL)
		r->done(r->ud, &resp);
}

int
http_perform(struct http *h)
{
	CURLMsg *msg;
	int running = 0, left, finished = 0;

	curl_multi_perform(h->multi, &running);
	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		struct http_req *r = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		if (r == NULL)
			continue;
		/* detach first: the callback may submit new requests */
		curl_multi_remove_handle(h->multi, r->easy);
		unlink_req(h, r);
		finish(h, r, msg->data.result);
		req_free(r);
		finished++;
	}
	return finished;
}

/* ---- status errors ----------------------------------------------------- */

int
http_status_error(const struct http_response *r, const char *url_base, const char *auth_hint,
		  struct err *e)
{
	const char *n = r != NULL && r->backend != NULL ? r->backend : "http";
	long st = r != NULL ? r->status : 0;
	char *u = http_url_redact(url_base), head[ERR_MSG_MAX];

	snprintf(head, sizeof head, "%s: HTTP %ld%s from %s", n, st, http_status_reason(st), u);
	free(u);
	if (st == 401 || st == 403)
		return err_set(e, ERR_AUTH, "%s — %s", head,
			       auth_hint != NULL && auth_hint[0] != '\0'
				       ? auth_hint
				       : "check the credentials configured for this backend");
	if (st == 404)
		return err_set(e, ERR_HTTP, "%s — check [%s] url (wrong path prefix?)", head, n);
	if (st == 429)
		return err_set(e, ERR_HTTP, "%s — rate limited; raise [%s] interval", head, n);
	if (st >= 500)
		return err_set(e, ERR_HTTP, "%s — the server failed; check its logs", head);
	return err_set(e, ERR_HTTP, "%s", head);
}
