/*
 * test_http.c - the HTTP client against a small HTTP server forked by the
 * test (TCP on 127.0.0.1:0 and a unix socket).  The server forks one
 * process per connection and answers by path:
 *
 *   /ok        200 "hello" (text/plain)
 *   /echo      200, the request head and body as the response body
 *   /401       401 "unauthorized"
 *   /hang      reads until the client hangs up, never answers
 *   /big       200 with Content-Length 3 MiB
 *   /bigchunk  200, 3 MiB without Content-Length
 *   /barrier   answers "met" once two /barrier requests are in flight at
 *              the same time (proves concurrency without timing)
 *   TLS hello  a plain-text 400, as a plain HTTP server would
 *
 * Tests wait on conditions with deadlines, never on fixed sleeps.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "http.h"

#define BIG (3u << 20)

static pid_t server_pid;
static int server_port;
static char sock_dir[64];
static char sock_path[96];
static char base_url[64];
static char unix_url[160];
static int *barrier; /* shared with the server's processes */

/* ---- the server -------------------------------------------------------- */

static void
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			return;
		}
		c += w;
		n -= (size_t)w;
	}
}

static void
respond(int fd, const char *status, const char *ctype, const char *body, size_t len)
{
	char head[256];

	snprintf(head, sizeof head,
		 "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: "
		 "close\r\n\r\n",
		 status, ctype, len);
	write_all(fd, head, strlen(head));
	write_all(fd, body, len);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
handle(int fd)
{
	static char req[65536];
	size_t len = 0, need = 0;
	char *end = NULL, *cl, path[256] = "";
	ssize_t n;

	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		n = read(fd, req + len, sizeof req - 1 - len);
		if (n <= 0)
			_exit(0);
		len += (size_t)n;
		req[len] = '\0';
		if ((unsigned char)req[0] == 0x16) { /* a TLS ClientHello */
			write_all(fd, "HTTP/1.1 400 Bad Request\r\n\r\n", 28);
			_exit(0);
		}
		if (end == NULL && (end = strstr(req, "\r\n\r\n")) != NULL) {
			cl = strstr(req, "\r\nContent-Length:");
			need = (size_t)(end + 4 - req) +
			       (cl != NULL && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (end != NULL && len >= need)
			break;
		if (len == sizeof req - 1)
			_exit(0);
	}
	sscanf(req, "%*s %255s", path);
	path[strcspn(path, "?")] = '\0';
	if (strcmp(path, "/ok") == 0) {
		respond(fd, "200 OK", "text/plain", "hello", 5);
	} else if (strcmp(path, "/echo") == 0) {
		respond(fd, "200 OK", "text/plain", req, len);
	} else if (strcmp(path, "/429") == 0) {
		static const char busy[] = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n"
					   "Content-Type: application/json\r\nContent-Length: 2\r\n"
					   "Connection: close\r\n\r\n{}";

		write_all(fd, busy, sizeof busy - 1);
	} else if (strcmp(path, "/401") == 0) {
		respond(fd, "401 Unauthorized", "text/plain", "unauthorized", 12);
	} else if (strcmp(path, "/hang") == 0) {
		char c;

		while (read(fd, &c, 1) > 0)
			;
	} else if (strcmp(path, "/big") == 0 || strcmp(path, "/bigchunk") == 0) {
		static char chunk[65536];
		char head[160];
		size_t sent;

		memset(chunk, 'x', sizeof chunk);
		if (strcmp(path, "/big") == 0)
			snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n\r\n",
				 BIG);
		else
			snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
		write_all(fd, head, strlen(head));
		for (sent = 0; sent < BIG; sent += sizeof chunk)
			write_all(fd, chunk, sizeof chunk);
	} else if (strcmp(path, "/barrier") == 0) {
		long deadline = now_ms() + 5000;
		struct timespec ts = { 0, 1000000 };

		__atomic_add_fetch(barrier, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(barrier, __ATOMIC_SEQ_CST) < 2 && now_ms() < deadline)
			nanosleep(&ts, NULL);
		if (__atomic_load_n(barrier, __ATOMIC_SEQ_CST) >= 2)
			respond(fd, "200 OK", "text/plain", "met", 3);
		else
			respond(fd, "500 Internal Server Error", "text/plain", "alone", 5);
	} else {
		respond(fd, "404 Not Found", "text/plain", "404 page not found\n", 19);
	}
	_exit(0);
}

static void
serve(int tcp, int unx)
{
	struct pollfd p[2] = { { tcp, POLLIN, 0 }, { unx, POLLIN, 0 } };
	int i;

	signal(SIGCHLD, SIG_IGN);         /* connection processes reap themselves */
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a killed test */
	for (;;) {
		if (poll(p, 2, -1) < 0)
			continue;
		for (i = 0; i < 2; i++) {
			int c;

			if (!(p[i].revents & POLLIN))
				continue;
			c = accept(p[i].fd, NULL, NULL);
			if (c < 0)
				continue;
			if (fork() == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				close(tcp);
				close(unx);
				handle(c);
			}
			close(c);
		}
	}
}

static int
start_server(void **state)
{
	struct sockaddr_in a;
	struct sockaddr_un u;
	socklen_t alen = sizeof a;
	int tcp, unx;

	(void)state;
	barrier = mmap(NULL, sizeof *barrier, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	if (barrier == MAP_FAILED)
		return -1;
	*barrier = 0;
	tcp = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(tcp, (struct sockaddr *)&a, sizeof a) < 0 || listen(tcp, 64) < 0 ||
	    getsockname(tcp, (struct sockaddr *)&a, &alen) < 0)
		return -1;
	server_port = ntohs(a.sin_port);
	snprintf(base_url, sizeof base_url, "http://127.0.0.1:%d", server_port);

	strcpy(sock_dir, "/tmp/opsdeck-http-XXXXXX");
	if (mkdtemp(sock_dir) == NULL)
		return -1;
	snprintf(sock_path, sizeof sock_path, "%s/s.sock", sock_dir);
	snprintf(unix_url, sizeof unix_url, "unix://%s", sock_path);
	unx = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&u, 0, sizeof u);
	u.sun_family = AF_UNIX;
	snprintf(u.sun_path, sizeof u.sun_path, "%s", sock_path);
	if (bind(unx, (struct sockaddr *)&u, sizeof u) < 0 || listen(unx, 64) < 0)
		return -1;

	server_pid = fork();
	if (server_pid < 0)
		return -1;
	if (server_pid == 0)
		serve(tcp, unx);
	close(tcp);
	close(unx);
	return 0;
}

static int
stop_server(void **state)
{
	(void)state;
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
	unlink(sock_path);
	rmdir(sock_dir);
	munmap(barrier, sizeof *barrier);
	return 0;
}

/* ---- client helpers ---------------------------------------------------- */

struct result {
	int done;
	long status;
	struct err err;
	char *body;
	size_t len;
	char ctype[64];
	long latency_ms;
	struct err status_err; /* http_status_error for non-2xx */
	const char *hint;      /* auth hint for status_err */
	const char *base;
	long retry_after_s; /* the response's Retry-After */
};

static void
on_done(void *ud, const struct http_response *r)
{
	struct result *res = ud;

	res->done++;
	res->status = r->status;
	res->err = r->err;
	assert_non_null(r->body);
	assert_int_equal(r->body[r->len], '\0');
	res->body = malloc(r->len + 1);
	memcpy(res->body, r->body, r->len + 1);
	res->len = r->len;
	snprintf(res->ctype, sizeof res->ctype, "%s", r->content_type ? r->content_type : "");
	res->latency_ms = r->latency_ms;
	res->retry_after_s = r->retry_after_s;
	assert_string_equal(r->backend, "prometheus");
	err_clear(&res->status_err);
	if (r->status >= 300)
		http_status_error(r, res->base ? res->base : base_url, res->hint, &res->status_err);
}

static void
result_done(struct result *r)
{
	free(r->body);
	memset(r, 0, sizeof *r);
}

static struct http_endpoint
endpoint(const char *url)
{
	struct http_endpoint ep;

	memset(&ep, 0, sizeof ep);
	ep.name = "prometheus";
	ep.url = url;
	ep.timeout_ms = 5000;
	return ep;
}

/* Drive the client until every result has finished, or fail after deadline_ms. */
static void
run_until(struct http *h, struct result **rs, size_t n, long deadline_ms)
{
	long end = now_ms() + deadline_ms;
	struct err e;
	size_t i, done;

	for (;;) {
		for (i = 0, done = 0; i < n; i++)
			done += rs[i]->done > 0;
		if (done == n)
			break;
		if (now_ms() > end)
			fail_msg("requests not finished within %ld ms", deadline_ms);
		assert_int_equal(http_wait(h, NULL, 0, 100, &e), 0);
		http_perform(h);
	}
	for (i = 0; i < n; i++)
		assert_int_equal(rs[i]->done, 1);
}

/* One request, run to completion. */
static void
fetch(struct http *h, const struct http_endpoint *ep, enum http_method m, const char *path,
      const char *body, bool is_read, struct result *r)
{
	struct err e;
	struct result *rs[1] = { r };

	if (http_submit(h, ep, m, path, body, is_read, on_done, r, &e) != 0)
		fail_msg("submit failed: %s", e.msg);
	run_until(h, rs, 1, 20000);
}

/* ---- tests ------------------------------------------------------------- */

static void
test_get_ok(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep = endpoint(base_url);
	struct result r = { 0 };

	(void)state;
	assert_non_null(h);
	assert_int_equal(http_pending(h), 0);
	fetch(h, &ep, HTTP_GET, "/ok", NULL, true, &r);
	assert_int_equal(r.err.code, ERR_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 5);
	assert_string_equal(r.body, "hello");
	assert_string_equal(r.ctype, "text/plain");
	assert_true(r.latency_ms >= 0);
	assert_int_equal(http_pending(h), 0);
	result_done(&r);

	/* a trailing slash on the base, and the User-Agent */
	ep.url = "http://127.0.0.1:0"; /* replaced below */
	{
		char url[80];

		snprintf(url, sizeof url, "%s/", base_url);
		ep.url = url;
		fetch(h, &ep, HTTP_GET, "/echo", NULL, true, &r);
	}
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "GET /echo HTTP/1.1\r\n"));
	assert_non_null(strstr(r.body, "\r\nUser-Agent: opsdeck/" OPSDECK_VERSION "\r\n"));
	result_done(&r);
	http_free(h);
}

static void
test_401_names_auth_hint(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep = endpoint(base_url);
	struct result r = { 0 };
	char want[256];

	(void)state;
	r.hint = "set [prometheus] token_file";
	fetch(h, &ep, HTTP_GET, "/401", NULL, true, &r);
	assert_int_equal(r.err.code, ERR_OK); /* a response arrived */
	assert_int_equal(r.status, 401);
	assert_int_equal(r.status_err.code, ERR_AUTH);
	snprintf(want, sizeof want,
		 "prometheus: HTTP 401 Unauthorized from %s — set [prometheus] token_file",
		 base_url);
	assert_string_equal(r.status_err.msg, want);
	result_done(&r);

	/* a 429's Retry-After reaches the caller; other answers carry none */
	fetch(h, &ep, HTTP_GET, "/429", NULL, true, &r);
	assert_int_equal(r.status, 429);
	assert_int_equal(r.retry_after_s, 7);
	result_done(&r);
	fetch(h, &ep, HTTP_GET, "/ok", NULL, true, &r);
	assert_int_equal(r.retry_after_s, 0);
	result_done(&r);

	/* 404 and userinfo in the base never reach the message */
	r.base = "http://bob:hunter2@127.0.0.1:9090";
	fetch(h, &ep, HTTP_GET, "/missing", NULL, true, &r);
	assert_int_equal(r.status, 404);
	assert_int_equal(r.status_err.code, ERR_HTTP);
	assert_string_equal(r.status_err.msg,
			    "prometheus: HTTP 404 Not Found from "
			    "http://127.0.0.1:9090 — check [prometheus] url (wrong "
			    "path prefix?)");
	result_done(&r);
	http_free(h);
}

static void
test_timeout(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep = endpoint(base_url);
	struct result r = { 0 };
	char want[256];

	(void)state;
	ep.timeout_ms = 300;
	fetch(h, &ep, HTTP_GET, "/hang", NULL, true, &r);
	assert_int_equal(r.err.code, ERR_TIMEOUT);
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof want,
		 "prometheus: no answer from %s within 300ms — is Prometheus overloaded? raise "
		 "[prometheus] timeout",
		 base_url);
	assert_string_equal(r.err.msg, want);
	result_done(&r);
	http_free(h);
}

static void
test_body_cap(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep = endpoint(base_url);
	struct result r = { 0 };
	char want[256];

	(void)state;
	ep.max_body = 1u << 20;
	snprintf(want, sizeof want,
		 "prometheus: response larger than 1 MiB from %s — raise [prometheus] max_body",
		 base_url);
	fetch(h, &ep, HTTP_GET, "/big", NULL, true, &r); /* refused by Content-Length */
	assert_int_equal(r.err.code, ERR_TOOBIG);
	assert_string_equal(r.err.msg, want);
	result_done(&r);
	fetch(h, &ep, HTTP_GET, "/bigchunk", NULL, true, &r); /* cut in the write callback */
	assert_int_equal(r.err.code, ERR_TOOBIG);
	assert_string_equal(r.err.msg, want);
	assert_true(r.len <= ep.max_body);
	result_done(&r);
	/* under the cap it arrives whole */
	ep.max_body = 4u << 20;
	fetch(h, &ep, HTTP_GET, "/bigchunk", NULL, true, &r);
	assert_int_equal(r.err.code, ERR_OK);
	assert_int_equal(r.len, BIG);
	result_done(&r);
	http_free(h);
}

static char *
read_log(FILE *f)
{
	long n;
	char *s;

	fflush(f);
	n = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	return s;
}

static void
test_bearer_never_logged(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep = endpoint(base_url);
	struct result r = { 0 };
	FILE *log = tmpfile();
	char *text, want[128], url[128];

	(void)state;
	http_set_debug_log(h, log);
	ep.bearer_token = "s3cr3t-t0ken";
	fetch(h, &ep, HTTP_GET, "/echo?query=up", NULL, true, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\r\nAuthorization: Bearer s3cr3t-t0ken\r\n"));
	assert_null(strstr(r.body, "s3cr3t-t0ken HTTP")); /* not in the request line */
	result_done(&r);

	/* userinfo in the configured URL: used, but never logged */
	snprintf(url, sizeof url, "http://bob:hunter2@127.0.0.1:%d", server_port);
	ep.url = url;
	ep.bearer_token = NULL;
	fetch(h, &ep, HTTP_GET, "/echo", NULL, true, &r);
	assert_non_null(strstr(r.body, "\r\nAuthorization: Basic Ym9iOmh1bnRlcjI=\r\n"));
	result_done(&r);

	text = read_log(log);
	assert_null(strstr(text, "s3cr3t"));
	assert_null(strstr(text, "hunter2"));
	assert_null(strstr(text, "bob"));
	snprintf(want, sizeof want, "Z GET %s/echo?query=up 200 ", base_url);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof want, "Z GET %s/echo 200 ", base_url);
	assert_non_null(strstr(text, want));
	assert_int_equal(text[4], '-'); /* 2026-... */
	assert_int_equal(text[10], 'T');
	free(text);
	http_set_debug_log(h, NULL);
	fclose(log);
	http_free(h);
}

static void
test_basic_auth_and_headers(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep = endpoint(base_url);
	struct result r = { 0 };
	const char *hdrs[] = { "X-Scope-OrgID: tenant-1", "X-Opsdeck-Test: 주문" };

	(void)state;
	ep.username = "alice";
	ep.password = "pw";
	ep.headers = hdrs;
	ep.nheaders = 2;
	fetch(h, &ep, HTTP_GET, "/echo", NULL, true, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\r\nAuthorization: Basic YWxpY2U6cHc=\r\n"));
	assert_non_null(strstr(r.body, "\r\nX-Scope-OrgID: tenant-1\r\n"));
	assert_non_null(strstr(r.body, "\r\nX-Opsdeck-Test: 주문\r\n"));
	result_done(&r);

	/* header injection is refused before the network */
	hdrs[1] = "X-Evil: a\r\nHost: elsewhere";
	assert_int_equal(http_submit(h, &ep, HTTP_GET, "/echo", NULL, true, on_done, &r, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	ep.nheaders = 0;
	ep.bearer_token = "zq9\nX-Evil: 1";
	assert_int_equal(http_submit(h, &ep, HTTP_GET, "/echo", NULL, true, on_done, &r, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_null(strstr(e.msg, "zq9"));
	assert_int_equal(http_pending(h), 0);
	assert_int_equal(r.done, 0);
	http_free(h);
}

static void
test_unix_socket(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep = endpoint(unix_url);
	struct result r = { 0 };
	FILE *log = tmpfile();
	char *text, want[256];

	(void)state;
	http_set_debug_log(h, log);
	fetch(h, &ep, HTTP_GET, "/echo", NULL, true, &r);
	assert_int_equal(r.err.code, ERR_OK);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "GET /echo HTTP/1.1\r\n"));
	assert_non_null(strstr(r.body, "\r\nHost: localhost\r\n"));
	result_done(&r);
	text = read_log(log);
	snprintf(want, sizeof want, " GET unix://%s:/echo 200 ", sock_path);
	assert_non_null(strstr(text, want));
	free(text);
	http_set_debug_log(h, NULL);
	fclose(log);

	/* a socket that is not there */
	ep.url = "unix:///nonexistent/opsdeck-test.sock";
	fetch(h, &ep, HTTP_GET, "/_ping", NULL, true, &r);
	assert_int_equal(r.err.code, ERR_CONNECT);
	assert_string_equal(r.err.msg,
			    "prometheus: cannot connect to "
			    "unix:///nonexistent/opsdeck-test.sock (No such file or "
			    "directory) — is Prometheus running? check [prometheus] url");
	result_done(&r);
	ep.url = "unix://relative.sock";
	assert_int_equal(http_submit(h, &ep, HTTP_GET, "/", NULL, true, on_done, &r, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	http_free(h);
}

/* A backend allow-list for the tests: POST /echo is a read, nothing else. */
static bool
echo_is_read(enum http_method m, const char *path)
{
	return (m == HTTP_POST || m == HTTP_GET) && strcmp(path, "/echo") == 0;
}

static void
test_readonly(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep = endpoint(base_url);
	struct result r = { 0 };
	char want[256];

	(void)state;
	assert_false(http_readonly(h));
	http_set_readonly(h, true);
	assert_true(http_readonly(h));
	err_clear(&e);
	assert_int_equal(
		http_submit(h, &ep, HTTP_POST, "/echo", "{\"scale\":3}", false, on_done, &r, &e),
		-1);
	assert_int_equal(e.code, ERR_READONLY);
	snprintf(want, sizeof want, "prometheus: read-only mode: refused POST %s/echo", base_url);
	assert_int_equal(strncmp(e.msg, want, strlen(want)), 0);
	assert_int_equal(http_submit(h, &ep, HTTP_DELETE, "/echo", NULL, false, on_done, &r, &e),
			 -1);
	assert_int_equal(e.code, ERR_READONLY);
	assert_int_equal(http_submit(h, &ep, HTTP_GET, "/echo", NULL, false, on_done, &r, &e), -1);
	assert_int_equal(http_pending(h), 0);
	assert_int_equal(r.done, 0);

	/* without a backend allow-list, even a POST declared a read is refused */
	assert_int_equal(http_submit(h, &ep, HTTP_POST, "/echo", "{}", true, on_done, &r, &e), -1);
	assert_int_equal(e.code, ERR_READONLY);
	/* the backend's allow-list is the second guard: both must say read */
	ep.is_read = echo_is_read;
	assert_int_equal(http_submit(h, &ep, HTTP_POST, "/other", "{}", true, on_done, &r, &e), -1);
	assert_int_equal(http_submit(h, &ep, HTTP_POST, "/echo", "{}", false, on_done, &r, &e), -1);
	assert_int_equal(http_pending(h), 0);
	/* a POST declared a read and on the list (an Elasticsearch search) goes through */
	fetch(h, &ep, HTTP_POST, "/echo", "{\"query\":{\"match_all\":{}}}", true, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "POST /echo HTTP/1.1\r\n"));
	assert_non_null(strstr(r.body, "\r\nContent-Type: application/json\r\n"));
	assert_non_null(strstr(r.body, "\r\n\r\n{\"query\":{\"match_all\":{}}}"));
	result_done(&r);

	/* writable again: PUT with a body */
	http_set_readonly(h, false);
	fetch(h, &ep, HTTP_PUT, "/echo", "{}", false, &r);
	assert_non_null(strstr(r.body, "PUT /echo HTTP/1.1\r\n"));
	result_done(&r);
	http_free(h);
}

static void
test_concurrent(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep = endpoint(base_url);
	struct result a = { 0 }, b = { 0 }, c = { 0 };
	struct result *rs[3] = { &a, &b, &c };

	(void)state;
	__atomic_store_n(barrier, 0, __ATOMIC_SEQ_CST);
	ep.timeout_ms = 10000;
	assert_int_equal(http_submit(h, &ep, HTTP_GET, "/barrier", NULL, true, on_done, &a, &e), 0);
	assert_int_equal(http_submit(h, &ep, HTTP_GET, "/barrier", NULL, true, on_done, &b, &e), 0);
	assert_int_equal(http_submit(h, &ep, HTTP_GET, "/ok", NULL, true, on_done, &c, &e), 0);
	assert_int_equal(http_pending(h), 3);
	run_until(h, rs, 3, 20000);
	/* each /barrier answered "met": both were in flight at once */
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, "met");
	assert_int_equal(b.status, 200);
	assert_string_equal(b.body, "met");
	assert_string_equal(c.body, "hello");
	assert_int_equal(http_pending(h), 0);
	result_done(&a);
	result_done(&b);
	result_done(&c);
	http_free(h);
}

static int
free_port(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int s = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
	port = ntohs(a.sin_port);
	close(s);
	return port;
}

static void
test_connection_refused(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	char url[64], want[256];
	struct http_endpoint ep;
	struct result r = { 0 };

	(void)state;
	snprintf(url, sizeof url, "http://127.0.0.1:%d", free_port());
	ep = endpoint(url);
	fetch(h, &ep, HTTP_GET, "/api/v1/query?query=up", NULL, true, &r);
	assert_int_equal(r.err.code, ERR_CONNECT);
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof want,
		 "prometheus: cannot connect to %s (Connection refused) — is Prometheus running? "
		 "check [prometheus] url",
		 url);
	assert_string_equal(r.err.msg, want);
	result_done(&r);
	http_free(h);
}

static void
test_tls_errors(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	char url[64];
	struct http_endpoint ep;
	struct result r = { 0 };

	(void)state;
	/* https to a plain-HTTP server */
	snprintf(url, sizeof url, "https://127.0.0.1:%d", server_port);
	ep = endpoint(url);
	fetch(h, &ep, HTTP_GET, "/ok", NULL, true, &r);
	assert_int_equal(r.err.code, ERR_TLS);
	assert_int_equal(strncmp(r.err.msg, "prometheus: TLS with https://127.0.0.1:", 39), 0);
	assert_non_null(strstr(r.err.msg, "[prometheus] ca_file"));
	result_done(&r);
	/* a CA file that does not exist */
	ep.ca_file = "/nonexistent/ca.pem";
	fetch(h, &ep, HTTP_GET, "/ok", NULL, true, &r);
	assert_int_equal(r.err.code, ERR_TLS);
	assert_non_null(strstr(r.err.msg, "ca_file"));
	result_done(&r);
	http_free(h);
}

static void
test_bad_requests(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep = endpoint("ftp://127.0.0.1/");
	struct result r = { 0 };

	(void)state;
	assert_int_equal(http_submit(h, &ep, HTTP_GET, "/x", NULL, true, on_done, &r, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "[prometheus] url must start with http://"));
	ep.url = "";
	assert_int_equal(http_submit(h, &ep, HTTP_GET, "/x", NULL, true, on_done, &r, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	ep.url = base_url;
	assert_int_equal(http_submit(h, &ep, HTTP_GET, "x", NULL, true, on_done, &r, &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
	assert_int_equal(http_wait(h, NULL, 0, -1, &e), -1);
	assert_int_equal(r.done, 0);
	http_free(h);
}

static void
test_wait_watches_fds(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_waitfd fds[2];
	int p[2];
	long t0;

	(void)state;
	assert_int_equal(pipe(p), 0);
	fds[0].fd = p[0];
	fds[0].events = POLLIN;
	fds[1].fd = p[0];
	fds[1].events = POLLIN;
	/* nothing ready: returns after the timeout with no revents */
	assert_int_equal(http_wait(h, fds, 1, 10, &e), 0);
	assert_int_equal(fds[0].revents, 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	t0 = now_ms();
	assert_int_equal(http_wait(h, fds, 2, 30000, &e), 0);
	assert_true(fds[0].revents & POLLIN);
	assert_true(now_ms() - t0 < 20000); /* woke on the fd, not the timeout */
	assert_int_equal(http_perform(h), 0);
	close(p[0]);
	close(p[1]);
	http_free(h);
}

static int cancelled_calls;

static void
count_call(void *ud, const struct http_response *r)
{
	(void)ud;
	(void)r;
	cancelled_calls++;
}

static void
test_free_cancels(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep = endpoint(base_url);

	(void)state;
	cancelled_calls = 0;
	assert_int_equal(http_submit(h, &ep, HTTP_GET, "/hang", NULL, true, count_call, NULL, &e),
			 0);
	assert_int_equal(http_submit(h, &ep, HTTP_GET, "/hang", NULL, true, count_call, NULL, &e),
			 0);
	assert_int_equal(http_wait(h, NULL, 0, 50, &e), 0);
	http_perform(h);
	assert_int_equal(http_pending(h), 2);
	http_free(h);
	assert_int_equal(cancelled_calls, 0);
	http_free(NULL);
}

static int chained;

static void
chain_next(void *ud, const struct http_response *r)
{
	struct http *h = ud;
	struct http_endpoint ep = endpoint(base_url);
	struct err e;

	assert_int_equal(r->status, 200);
	if (++chained < 3)
		assert_int_equal(
			http_submit(h, &ep, HTTP_GET, "/ok", NULL, true, chain_next, h, &e), 0);
}

static void
test_submit_from_callback(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep = endpoint(base_url);
	long end = now_ms() + 20000;

	(void)state;
	chained = 0;
	assert_int_equal(http_submit(h, &ep, HTTP_GET, "/ok", NULL, true, chain_next, h, &e), 0);
	while (chained < 3 && now_ms() < end) {
		assert_int_equal(http_wait(h, NULL, 0, 100, &e), 0);
		http_perform(h);
	}
	assert_int_equal(chained, 3);
	assert_int_equal(http_pending(h), 0);
	http_free(h);
}

static void
test_urlencode_and_redact(void **state)
{
	char *s;

	(void)state;
	s = http_urlencode("a b&c=d/é~_.-");
	assert_string_equal(s, "a%20b%26c%3Dd%2F%C3%A9~_.-");
	free(s);
	s = http_urlencode("");
	assert_string_equal(s, "");
	free(s);
	s = http_url_redact("https://u:p@host:9090/prefix?x=a@b");
	assert_string_equal(s, "https://host:9090/prefix?x=a@b");
	free(s);
	s = http_url_redact("http://host/a@b");
	assert_string_equal(s, "http://host/a@b");
	free(s);
	s = http_url_redact(NULL);
	assert_string_equal(s, "");
	free(s);
}

static void
test_status_error_texts(void **state)
{
	struct http_response r;
	struct err e;

	(void)state;
	memset(&r, 0, sizeof r);
	r.backend = "elasticsearch";
	r.status = 403;
	assert_int_equal(
		http_status_error(&r, "https://logs:9200", "set [elasticsearch] token_file", &e),
		-1);
	assert_int_equal(e.code, ERR_AUTH);
	assert_string_equal(e.msg, "elasticsearch: HTTP 403 Forbidden from https://logs:9200 — set "
				   "[elasticsearch] token_file");
	r.status = 401;
	http_status_error(&r, "https://logs:9200", NULL, &e);
	assert_non_null(strstr(e.msg, "check the credentials"));
	r.status = 503;
	http_status_error(&r, "https://logs:9200", NULL, &e);
	assert_int_equal(e.code, ERR_HTTP);
	assert_string_equal(e.msg, "elasticsearch: HTTP 503 Service Unavailable from "
				   "https://logs:9200 — the server failed; check its logs");
	r.status = 418;
	http_status_error(&r, "https://logs:9200", NULL, &e);
	assert_string_equal(e.msg, "elasticsearch: HTTP 418 from https://logs:9200");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_ok),
		cmocka_unit_test(test_401_names_auth_hint),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_bearer_never_logged),
		cmocka_unit_test(test_basic_auth_and_headers),
		cmocka_unit_test(test_unix_socket),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_tls_errors),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_wait_watches_fds),
		cmocka_unit_test(test_free_cancels),
		cmocka_unit_test(test_submit_from_callback),
		cmocka_unit_test(test_urlencode_and_redact),
		cmocka_unit_test(test_status_error_texts),
	};

	return cmocka_run_group_tests(tests, start_server, stop_server);
}
