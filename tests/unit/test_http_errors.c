/*
 * test_http_errors.c - the HTTP client (tui/http) when things go wrong,
 * against a small HTTP server forked by the test (http_test_server.h):
 * non-2xx answers and their messages (auth hints, Retry-After, 404 with
 * userinfo redacted), timeouts, the body cap, a refused connection, TLS
 * to a plain server, malformed requests, and http_status_error's texts.
 * The working paths are in test_http.c.
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
		cmocka_unit_test(test_401_names_auth_hint),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_tls_errors),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_status_error_texts),
	};

	return cmocka_run_group_tests(tests, start_server, stop_server);
}
