/*
 * test_http_tls.c - client certificates in backends/http against a real
 * TLS server: the test makes a throwaway CA, a server certificate for
 * 127.0.0.1 and a client certificate with Debian's openssl command, and
 * runs `openssl s_server -Verify 1 -verify_return_error -www`, which
 * answers any request with 200 only to a client that shows a certificate
 * of that CA.  Skipped when openssl is not installed.
 *
 * Checks: with cert_file and key_file the request succeeds; without them
 * the server refuses; verification of the server stays on (no ca_file:
 * a TLS error); a file that cannot be read fails before the request, naming
 * the file; a key without a certificate and a key of another certificate
 * are clear errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "http.h"
#include "xalloc.h"

static char dir[64];
static char url[64];
static pid_t server_pid = -1;
static bool have_openssl;

static char *
in_dir(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* Run an openssl command line in dir, quietly; 0 on success. */
static int __attribute__((format(printf, 1, 2))) sh(const char *fmt, ...)
{
	va_list ap;
	char cmd[512], *full;
	int rc, n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof cmd);
	full = xasprintf("cd '%s' && %s >>openssl.log 2>&1", dir, cmd);
	rc = system(full);
	free(full);
	return rc;
}

static int
free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether something accepts connections on port (one try). */
static bool
accepts(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	close(fd);
	return ok;
}

static int
setup(void **state)
{
	static const char ec[] = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
	struct timespec ms10 = { 0, 10 * 1000 * 1000 };
	double deadline;
	int port;

	(void)state;
	have_openssl = system("openssl version >/dev/null 2>&1") == 0;
	if (!have_openssl)
		return 0;
	snprintf(dir, sizeof dir, "/tmp/opsdeck-tls-XXXXXX");
	assert_non_null(mkdtemp(dir));
	if (sh("openssl req -x509 %s -keyout ca.key -out ca.pem -days 2 -subj /CN=opsdeck-test-ca",
	       ec) != 0 ||
	    sh("openssl req %s -keyout server.key -out server.csr -subj /CN=127.0.0.1", ec) != 0 ||
	    sh("printf 'subjectAltName=IP:127.0.0.1\\n' >server.ext") != 0 ||
	    sh("openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out "
	       "server.pem -days 2 -extfile server.ext") != 0 ||
	    sh("openssl req %s -keyout client.key -out client.csr -subj /CN=opsdeck-client", ec) !=
		    0 ||
	    sh("printf 'extendedKeyUsage=clientAuth\\n' >client.ext") != 0 ||
	    sh("openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out "
	       "client.pem -days 2 -extfile client.ext") != 0 ||
	    sh("chmod 600 client.key") != 0)
		return -1;

	port = free_port();
	snprintf(url, sizeof url, "https://127.0.0.1:%d", port);
	server_pid = fork();
	assert_true(server_pid >= 0);
	if (server_pid == 0) {
		char acc[32];
		int null = open("/dev/null", O_RDWR);

		snprintf(acc, sizeof acc, "127.0.0.1:%d", port);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (chdir(dir) == 0)
			execlp("openssl", "openssl", "s_server", "-accept", acc, "-cert",
			       "server.pem", "-key", "server.key", "-CAfile", "ca.pem", "-Verify",
			       "1", "-verify_return_error", "-www", "-quiet", (char *)NULL);
		_exit(127);
	}
	deadline = now_s() + 10.0;
	while (!accepts(port)) {
		if (now_s() > deadline)
			return -1;
		nanosleep(&ms10, NULL);
	}
	return 0;
}

static int
teardown(void **state)
{
	char *cmd;
	int rc;

	(void)state;
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
	if (!have_openssl)
		return 0;
	cmd = xasprintf("rm -rf '%s'", dir);
	rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

/* ---- one request --------------------------------------------------------- */

struct result {
	bool done;
	long status;
	struct err err;
};

static void
on_done(void *ud, const struct http_response *r)
{
	struct result *res = ud;

	res->done = true;
	res->status = r->status;
	res->err = r->err;
}

/* GET / with ep; fills res.  Returns http_submit's result. */
static int
get(const struct http_endpoint *ep, struct result *res, struct err *e)
{
	struct http *h = http_new(e);
	double deadline = now_s() + 15.0;
	int rc;

	assert_non_null(h);
	memset(res, 0, sizeof *res);
	rc = http_submit(h, ep, HTTP_GET, "/v1.41/info", NULL, true, on_done, res, e);
	while (rc == 0 && !res->done && now_s() < deadline) {
		assert_int_equal(http_wait(h, NULL, 0, 100, e), 0);
		http_perform(h);
	}
	if (rc == 0)
		assert_true(res->done);
	http_free(h);
	return rc;
}

static void
endpoint(struct http_endpoint *ep, char *ca, char *cert, char *key)
{
	memset(ep, 0, sizeof *ep);
	ep->name = "docker";
	ep->url = url;
	ep->ca_file = ca;
	ep->cert_file = cert;
	ep->key_file = key;
	ep->timeout_ms = 10000;
}

/* ---- tests --------------------------------------------------------------- */

static void
test_client_certificate(void **state)
{
	char *ca = in_dir("ca.pem"), *cert = in_dir("client.pem"), *key = in_dir("client.key");
	struct http_endpoint ep;
	struct result r;
	struct err e;

	(void)state;
	if (!have_openssl)
		skip();
	endpoint(&ep, ca, cert, key);
	assert_int_equal(get(&ep, &r, &e), 0);
	if (r.err.code != ERR_OK)
		fail_msg("with the client certificate: %s", r.err.msg);
	assert_int_equal(r.status, 200);

	/* the server wants a certificate: none, no answer */
	endpoint(&ep, ca, NULL, NULL);
	assert_int_equal(get(&ep, &r, &e), 0);
	assert_int_not_equal(r.err.code, ERR_OK);
	assert_int_equal(r.status, 0);

	/* verification of the server stays on: without our CA it fails */
	endpoint(&ep, NULL, cert, key);
	assert_int_equal(get(&ep, &r, &e), 0);
	assert_int_equal(r.err.code, ERR_TLS);
	assert_non_null(strstr(r.err.msg, "docker: TLS with https://127.0.0.1:"));
	free(ca);
	free(cert);
	free(key);
}

static void
test_unreadable_files(void **state)
{
	char *ca = in_dir("ca.pem"), *cert = in_dir("client.pem"), *key = in_dir("client.key");
	char *gone = in_dir("gone.pem"), *want;
	struct http_endpoint ep;
	struct result r;
	struct err e;

	(void)state;
	if (!have_openssl)
		skip();
	endpoint(&ep, ca, gone, key);
	assert_int_equal(get(&ep, &r, &e), -1);
	assert_int_equal(e.code, ERR_TLS);
	want = xasprintf("docker: cannot read the TLS client certificate %s (No such file or "
			 "directory) — check the file and its permissions, or the [docker] "
			 "settings that name it",
			 gone);
	assert_string_equal(e.msg, want);
	free(want);

	endpoint(&ep, ca, cert, gone);
	assert_int_equal(get(&ep, &r, &e), -1);
	assert_int_equal(e.code, ERR_TLS);
	assert_non_null(strstr(e.msg, "cannot read the TLS client key "));
	assert_non_null(strstr(e.msg, gone));

	endpoint(&ep, ca, NULL, key);
	assert_int_equal(get(&ep, &r, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	want = xasprintf("docker: a TLS client key (%s) without its certificate — name the "
			 "certificate too",
			 key);
	assert_string_equal(e.msg, want);
	free(want);
	free(ca);
	free(cert);
	free(key);
	free(gone);
}

static void
test_key_of_another_certificate(void **state)
{
	char *ca = in_dir("ca.pem"), *cert = in_dir("client.pem"), *key = in_dir("server.key");
	struct http_endpoint ep;
	struct result r;
	struct err e;

	(void)state;
	if (!have_openssl)
		skip();
	endpoint(&ep, ca, cert, key);
	assert_int_equal(get(&ep, &r, &e), 0);
	assert_int_equal(r.err.code, ERR_TLS);
	assert_non_null(strstr(r.err.msg, "the TLS client certificate or key for "));
	/* names the server, never a file's content */
	assert_null(strstr(r.err.msg, "BEGIN"));
	free(ca);
	free(cert);
	free(key);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_certificate),
		cmocka_unit_test(test_unreadable_files),
		cmocka_unit_test(test_key_of_another_certificate),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
