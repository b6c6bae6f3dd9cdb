/*
 * test_http.c - the HTTP client (tui/http) doing its work against a small
 * HTTP server forked by the test (http_test_server.h): GET and POST over
 * TCP and a unix socket, credentials and headers (and their never being
 * logged), read-only mode, concurrent requests, waiting on extra fds,
 * cancelling by http_free, submitting from a callback, URL encoding and
 * redaction.  The error paths are in test_http_errors.c, TLS in
 * test_http_tls.c.
 *
 * Tests wait on conditions with deadlines, never on fixed sleeps.
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "http.h"
#include "http_test_server.h"

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

/* A caller's Content-Type (a Kubernetes patch type) is the only one sent. */
static void
test_caller_content_type(void **state)
{
	struct err e;
	struct http *h = http_new(&e);
	struct http_endpoint ep = endpoint(base_url);
	struct result r = { 0 };
	const char *hdrs[] = { "Content-Type: application/merge-patch+json" };

	(void)state;
	fetch(h, &ep, HTTP_POST, "/echo", "{}", true, &r);
	assert_non_null(strstr(r.body, "\r\nContent-Type: application/json\r\n"));
	result_done(&r);
	ep.headers = hdrs;
	ep.nheaders = 1;
	fetch(h, &ep, HTTP_POST, "/echo", "{}", true, &r);
	assert_non_null(strstr(r.body, "\r\nContent-Type: application/merge-patch+json\r\n"));
	assert_null(strstr(r.body, "Content-Type: application/json\r\n"));
	result_done(&r);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_ok),
		cmocka_unit_test(test_bearer_never_logged),
		cmocka_unit_test(test_basic_auth_and_headers),
		cmocka_unit_test(test_caller_content_type),
		cmocka_unit_test(test_unix_socket),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_wait_watches_fds),
		cmocka_unit_test(test_free_cancels),
		cmocka_unit_test(test_submit_from_callback),
		cmocka_unit_test(test_urlencode_and_redact),
	};

	return cmocka_run_group_tests(tests, start_server, stop_server);
}
